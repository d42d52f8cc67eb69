/* page_inbox_int.h: the pieces of the inbox pages (page_inbox.c) that
 * other pages show: the header's inbox link with the unread count (the
 * page frame, layout.c, and the cached rules card's hole) and the watch
 * button of a request or a table (the request page and the rules card). */
#ifndef DOCKET_PAGE_INBOX_INT_H
#define DOCKET_PAGE_INBOX_INT_H

#include "web_int.h"
#include "inbox.h"

/* Appends the header's link to /inbox for the signed-in user, with
 * req->user.unread as a badge ("99+" from 100 on; none at 0) and
 * aria-current on /inbox itself. */
void page_inbox_link(web_req *req, buf *o);

/* Appends the "Watch" / "Stop watching" form (a POST to /watches with
 * the CSRF token) of what kind and ref name ("12", "acme-prod/customers")
 * for this user; what is its name for screen readers ("CR-12",
 * "acme-prod / customers"). The page has checked that the user may see
 * it. 0, or a negative ERR_* (err set) when the watch cannot be read. */
int page_watch_form(web_req *req, buf *o, registry_watch_kind kind,
                    const char *ref, const char *what, errmsg *err);

#endif
