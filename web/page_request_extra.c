/* page_request_extra.c: sections the triage adds to the request page
 * (life-cycle actions, comments). page_requests.c calls
 * page_request_extra() after its own sections; empty until triage fills
 * it. */
#include "web_int.h"

void page_request_extra(web_req *req, int64_t id)
{
    (void)req;
    (void)id;
}
