/* inbox.c (domain): the inbox and watches use cases (inbox_cases.h). */
#include "inbox_cases.h"
#include "mem.h"
#include "str.h"
#include "triage.h"

#include <stdlib.h>
#include <string.h>

int64_t domain_request_number(const char *s)
{
    int64_t id;

    if (!s)
        return 0;
    if (!str_ncasecmp(s, "CR-", 3))
        s += 3;
    if (str_to_i64(&id, s) < 0 || id <= 0)
        return 0;
    return id;
}

/* The organisation filter of who's reads: a client's own, 0 for staff. */
static int64_t org_of(const domain_actor *who)
{
    return who->role == ROLE_CLIENT ? who->org_id : 0;
}

static int signed_in(const domain_actor *who, errmsg *err)
{
    if (!who || !who->user_id || !domain_actor_is(who, ROLE_USER))
        return err_set(err, ERR_FORBIDDEN, "Sign in to use the inbox.");
    return 0;
}

int domain_inbox_list(registry *reg, const domain_actor *who, int unread_only,
                      int64_t before_id, int limit, registry_inbox_item **out,
                      size_t *out_n, int *out_more, errmsg *err)
{
    registry_inbox_query q = {0};
    int rc = signed_in(who, err);

    if (rc < 0)
        return rc;
    q.user_id = who->user_id;
    q.org_id = org_of(who);
    q.unread_only = unread_only;
    q.before_id = before_id > 0 ? before_id : 0;
    q.limit = limit;
    return registry_inbox_list(reg, &q, out, out_n, out_more, err);
}

int domain_inbox_unread(registry *reg, const domain_actor *who, int64_t cap,
                        int64_t *out, errmsg *err)
{
    int rc = signed_in(who, err);

    if (rc < 0)
        return rc;
    return registry_inbox_unread(reg, who->user_id, org_of(who), cap, out, err);
}

int domain_inbox_mark(registry *reg, const domain_actor *who,
                      const int64_t *ids, size_t n, int all, int64_t up_to_id,
                      int read, int64_t *out_n, errmsg *err)
{
    int rc = signed_in(who, err);

    if (rc < 0)
        return rc;
    if (!all && (!ids || n == 0)) {
        return err_set_field(err, ERR_INVALID, "ids",
                             "Name the items to mark, or mark all.");
    }
    if (n > 500) {
        return err_set_field(err, ERR_INVALID, "ids",
                             "At most 500 items at a time.");
    }
    return registry_inbox_mark(reg, who->user_id, ids, n, all, up_to_id, read,
                               out_n, err);
}

/* The id of what ref names, checked against what who may see. */
static int watch_target(registry *reg, const domain_actor *who,
                        registry_watch_kind kind, const char *ref, int64_t *out,
                        errmsg *err)
{
    int rc = signed_in(who, err);

    if (rc < 0)
        return rc;
    if (kind == WATCH_REQUEST) {
        request_status s;
        int64_t id = domain_request_number(ref);
        if (!id) {
            return err_set_field(err, ERR_INVALID, "ref",
                                 "Name a request: CR-12 or 12.");
        }
        rc = registry_request_status(reg, id, org_of(who), &s, err);
        if (rc == ERR_NOTFOUND) {
            err_clear(err);
            return err_set(err, ERR_NOTFOUND, "There is no such request.");
        }
        if (rc == 0)
            *out = id;
        return rc;
    }
    if (kind == WATCH_TABLE) {
        const char *slash = ref ? strchr(ref, '/') : NULL;
        char *inst;
        int64_t org = 0;
        if (!slash || slash == ref || !slash[1] || strchr(slash + 1, '/')) {
            return err_set_field(err, ERR_INVALID, "ref",
                                 "Name a table: instance/table.");
        }
        inst = xstrndup(ref, (size_t)(slash - ref));
        rc = registry_table_locate(reg, out, &org, inst, slash + 1, err);
        /* Another organisation's table is answered as a missing one. */
        if (rc == 0 && !domain_actor_sees_org(who, org)) {
            err_clear(err);
            rc = err_set(err, ERR_NOTFOUND,
                         "no table %.100s in instance %.100s", slash + 1, inst);
        }
        free(inst);
        return rc;
    }
    return err_set_field(err, ERR_INVALID, "kind",
                         "A watch is of a request or a table.");
}

int domain_watch(registry *reg, const domain_actor *who,
                 registry_watch_kind kind, const char *ref, int on,
                 int *out_changed, errmsg *err)
{
    int64_t id = 0;
    int rc = watch_target(reg, who, kind, ref, &id, err);

    if (rc == ERR_NOTFOUND && !on) {
        /* Nothing to stop: a watch of something gone or never seen. */
        err_clear(err);
        if (out_changed)
            *out_changed = 0;
        return 0;
    }
    if (rc < 0)
        return rc;
    return registry_watch_set(reg, who->user_id, kind, id, on, out_changed,
                              err);
}

int domain_watching(registry *reg, const domain_actor *who,
                    registry_watch_kind kind, const char *ref, int *out,
                    errmsg *err)
{
    int64_t id = 0;
    int rc = watch_target(reg, who, kind, ref, &id, err);

    if (rc < 0)
        return rc;
    return registry_watching(reg, who->user_id, kind, id, out, err);
}

int domain_watch_list(registry *reg, const domain_actor *who,
                      void (*fn)(void *ctx, const registry_watch *w), void *ctx,
                      errmsg *err)
{
    int rc = signed_in(who, err);

    if (rc < 0)
        return rc;
    return registry_watch_list(reg, who->user_id, org_of(who), fn, ctx, err);
}

int domain_inbox_mail(registry *reg, const domain_actor *who, const char *mode,
                      errmsg *err)
{
    int m = registry_inbox_mail_parse(mode), rc = signed_in(who, err);

    if (rc < 0)
        return rc;
    if (m < 0) {
        return err_set_field(err, ERR_INVALID, "email",
                             "E-mail is off, each or daily.");
    }
    if (m != INBOX_MAIL_OFF && !registry_inbox_channel())
        return err_set(err, ERR_CONFLICT,
                       "No e-mail channel is set up for inbox e-mail; ask an "
                       "administrator to set [notify] inbox_email.");
    return registry_inbox_mail_set(reg, who->user_id, (registry_inbox_mail)m,
                                   err);
}
