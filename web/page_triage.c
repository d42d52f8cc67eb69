/* page_triage.c: role dashboards, the PM's queue, sprints and deploys. */
#include "web_int.h"

/* GET /: what each role needs first. */
void page_dashboard(web_req *req)
{
    buf *o = &req->out;

    page_begin(req, "Home");
    buf_puts(o, "<h1>Welcome, ");
    buf_append_html(o, req->user.name);
    buf_puts(o, "</h1><section class=\"card\"><form class=\"lookup-box\" "
                "action=\"/lookup\" role=\"search\"><label for=\"q-home\">"
                "Look up a table</label><input id=\"q-home\" name=\"q\" "
                "type=\"search\" placeholder=\"Table name\"></form>"
                "</section>");
    page_end(req);
}

const web_route web_routes_triage[] = {{NULL, NULL, 0, 0, NULL}};
