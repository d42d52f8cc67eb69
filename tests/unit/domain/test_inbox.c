/* test_inbox.c: the inbox and watch use cases (domain/inbox.c) on a real
 * temporary registry: a client never watches another organisation's
 * request or table, and is told so exactly as for a missing one (naming
 * only what it typed); malformed references are refused with the field
 * "ref"; stopping a watch of something gone is fine; the inbox e-mail
 * setting needs a channel for "each" and "daily" and knows only its three
 * words; marking needs ids (at most 500) or "all"; a client's inbox and
 * count leave out another organisation's items; nobody signed in gets
 * nothing. */
#include "fixture.h"
#include "inbox_cases.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM                                                                   \
    "{\"kind\":\"add_columns\",\"table\":\"customers\",\"columns\":[{"         \
    "\"name\":\"points\",\"type\":\"integer\",\"description\":\"d\"}]}"

typedef struct dfx {
    ufx *f;
    registry_user users[4];
    domain_actor ann, bob, pm, nobody;
    int64_t acme_req, globex_req;
} dfx;

static domain_actor actor_of(dfx *t, int k, int64_t id)
{
    errmsg err = {0};

    assert_int_equal(registry_user_get(t->f->reg, &t->users[k], id, &err), 0);
    return domain_actor_of(&t->users[k]);
}

static int setup(void **state)
{
    dfx *t = xcalloc(1, sizeof *t);

    t->f = ufx_open("dinbox");
    ufx_people(t->f, "postgres");
    t->ann = actor_of(t, 0, t->f->client_a);
    t->bob = actor_of(t, 1, t->f->client_b);
    t->pm = actor_of(t, 2, t->f->pm);
    t->nobody = (domain_actor){0, ROLE_ANON, 0, "", "", ""};
    ufx_import(t->f, "acme-prod", "table,column,type\ncustomers,id,bigint\n");
    ufx_import(t->f, "globex-prod", "table,column,type\norders,id,bigint\n");
    t->acme_req =
        ufx_submit(t->f, UFX_REQUEST("Points", ITEM), t->f->client_a, "Ann");
    t->globex_req =
        ufx_submit(t->f,
                   "{\"organisation\":\"globex\",\"instance\":\"globex-prod\","
                   "\"requester_name\":\"Bob\",\"requester_email\":"
                   "\"bob@globex.example\",\"title\":\"G\",\"summary\":\"s\","
                   "\"items\":[" ITEM "]}",
                   t->f->client_b, "Bob");
    registry_inbox_channel_set(NULL);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    dfx *t = *state;

    registry_inbox_channel_set(NULL);
    ufx_close(t->f);
    free(t);
    return 0;
}

static int64_t watches(dfx *t)
{
    return ufx_int(t->f, "SELECT count(*) FROM watches");
}

/* domain_watch's answer and message (field when want_field). */
static void watch_fails(dfx *t, const domain_actor *who, registry_watch_kind k,
                        const char *ref, int on, int want, const char *msg,
                        const char *field)
{
    errmsg err = {0};
    int64_t before = watches(t);
    int changed = -1;

    if (domain_watch(t->f->reg, who, k, ref, on, &changed, &err) != want)
        fail_msg("watch %s: %d %s, not %d", ref ? ref : "(null)", err.code,
                 err.msg, want);
    assert_int_equal(err.code, want);
    if (msg)
        assert_string_equal(err.msg, msg);
    if (field)
        assert_string_equal(err.field, field);
    assert_int_equal(watches(t), before);
}

static int watch_ok(dfx *t, const domain_actor *who, registry_watch_kind k,
                    const char *ref, int on)
{
    errmsg err = {0};
    int changed = -1;

    if (domain_watch(t->f->reg, who, k, ref, on, &changed, &err) != 0)
        fail_msg("watch %s: %s", ref, err.msg);
    return changed;
}

static void test_inbox__watch_own_things_only(void **state)
{
    dfx *t = *state;
    char mine[32], theirs[32], missing[32];
    errmsg err = {0};
    int on = -1;

    snprintf(mine, sizeof mine, "CR-%lld", (long long)t->acme_req);
    snprintf(theirs, sizeof theirs, "cr-%lld", (long long)t->globex_req);
    snprintf(missing, sizeof missing, "%lld", (long long)t->globex_req + 100);

    /* Ann: her request, by either spelling, and her table. */
    assert_int_equal(watch_ok(t, &t->ann, WATCH_REQUEST, mine, 1), 1);
    assert_int_equal(watch_ok(t, &t->ann, WATCH_REQUEST, mine + 3, 1), 0);
    assert_int_equal(
        watch_ok(t, &t->ann, WATCH_TABLE, "acme-prod/Customers", 1), 1);
    assert_int_equal(domain_watching(t->f->reg, &t->ann, WATCH_TABLE,
                                     "acme-prod/customers", &on, &err),
                     0);
    assert_int_equal(on, 1);
    assert_int_equal(watches(t), 2);

    /* Globex's request and table: as missing ones. */
    watch_fails(t, &t->ann, WATCH_REQUEST, theirs, 1, ERR_NOTFOUND,
                "There is no such request.", NULL);
    watch_fails(t, &t->ann, WATCH_REQUEST, missing, 1, ERR_NOTFOUND,
                "There is no such request.", NULL);
    watch_fails(t, &t->ann, WATCH_TABLE, "globex-prod/ORDERS", 1, ERR_NOTFOUND,
                "no table ORDERS in instance globex-prod", NULL);
    watch_fails(t, &t->ann, WATCH_TABLE, "globex-prod/ordersx", 1, ERR_NOTFOUND,
                "no table ordersx in instance globex-prod", NULL);
    watch_fails(t, &t->bob, WATCH_TABLE, "acme-prod/CUSTOMERS", 1, ERR_NOTFOUND,
                "no table CUSTOMERS in instance acme-prod", NULL);
    watch_fails(t, &t->bob, WATCH_TABLE, "acme-nope/customers", 1, ERR_NOTFOUND,
                "no table customers in instance acme-nope", NULL);
    err_clear(&err);
    assert_int_equal(
        domain_watching(t->f->reg, &t->bob, WATCH_REQUEST, mine, &on, &err),
        ERR_NOTFOUND);
    assert_string_equal(err.msg, "There is no such request.");

    /* Staff see every organisation. */
    assert_int_equal(watch_ok(t, &t->pm, WATCH_REQUEST, theirs, 1), 1);
    assert_int_equal(watch_ok(t, &t->pm, WATCH_TABLE, "globex-prod/orders", 1),
                     1);

    /* Nobody signed in. */
    watch_fails(t, &t->nobody, WATCH_REQUEST, mine, 1, ERR_FORBIDDEN, NULL,
                NULL);
    watch_fails(t, NULL, WATCH_REQUEST, mine, 0, ERR_FORBIDDEN, NULL, NULL);
}

static void test_inbox__malformed_refs(void **state)
{
    static const char *const requests[] = {"",
                                           "CR-",
                                           "CR-0",
                                           "-3",
                                           "CR--3",
                                           "12x",
                                           "CR 12",
                                           "abc",
                                           " 12",
                                           "0x10",
                                           "CR-99999999999999999999"};
    static const char *const tables[] = {
        "customers", "/customers", "acme-prod/", "acme-prod/a/b", "/", ""};
    dfx *t = *state;

    for (size_t i = 0; i < UFX_NELEM(requests); i++)
        for (int on = 0; on < 2; on++)
            watch_fails(t, &t->ann, WATCH_REQUEST, requests[i], on, ERR_INVALID,
                        NULL, "ref");
    watch_fails(t, &t->ann, WATCH_REQUEST, NULL, 1, ERR_INVALID, NULL, "ref");
    for (size_t i = 0; i < UFX_NELEM(tables); i++)
        for (int on = 0; on < 2; on++)
            watch_fails(t, &t->ann, WATCH_TABLE, tables[i], on, ERR_INVALID,
                        NULL, "ref");
    watch_fails(t, &t->ann, WATCH_TABLE, NULL, 1, ERR_INVALID, NULL, "ref");
    watch_fails(t, &t->ann, WATCH_NONE, "12", 1, ERR_INVALID, NULL, "kind");
}

static void test_inbox__unwatch_gone_or_never_watched(void **state)
{
    dfx *t = *state;
    char mine[32], theirs[32];

    snprintf(mine, sizeof mine, "CR-%lld", (long long)t->acme_req);
    snprintf(theirs, sizeof theirs, "%lld", (long long)t->globex_req);
    assert_int_equal(watch_ok(t, &t->ann, WATCH_REQUEST, mine, 0), 0);
    assert_int_equal(watch_ok(t, &t->ann, WATCH_REQUEST, "CR-4242", 0), 0);
    assert_int_equal(watch_ok(t, &t->ann, WATCH_TABLE, "acme-prod/gone", 0), 0);
    assert_int_equal(watch_ok(t, &t->ann, WATCH_REQUEST, theirs, 0), 0);
    /* A watch stops once, then there is nothing to stop. */
    assert_int_equal(
        watch_ok(t, &t->ann, WATCH_TABLE, "acme-prod/customers", 1), 1);
    assert_int_equal(
        watch_ok(t, &t->ann, WATCH_TABLE, "acme-prod/customers", 0), 1);
    assert_int_equal(
        watch_ok(t, &t->ann, WATCH_TABLE, "acme-prod/customers", 0), 0);
    assert_int_equal(watches(t), 0);
}

static void mail_fails(dfx *t, const domain_actor *who, const char *mode,
                       int want, const char *field)
{
    errmsg err = {0};
    char *before =
             ufx_text(t->f, "SELECT group_concat(inbox_email) FROM users"),
         *after;

    assert_int_equal(domain_inbox_mail(t->f->reg, who, mode, &err), want);
    if (field)
        assert_string_equal(err.field, field);
    after = ufx_text(t->f, "SELECT group_concat(inbox_email) FROM users");
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void mail_is(dfx *t, const domain_actor *who, const char *mode)
{
    errmsg err = {0};
    registry_inbox_mail m;

    assert_int_equal(domain_inbox_mail(t->f->reg, who, mode, &err), 0);
    assert_int_equal(registry_inbox_mail_get(t->f->reg, who->user_id, &m, &err),
                     0);
    assert_string_equal(registry_inbox_mail_name(m), mode);
}

static void test_inbox__mail_setting(void **state)
{
    static const char *const bad[] = {"", "weekly", "EACH", "each ", "on"};
    dfx *t = *state;

    /* No inbox e-mail channel: only "off". */
    mail_fails(t, &t->ann, "each", ERR_CONFLICT, NULL);
    mail_fails(t, &t->ann, "daily", ERR_CONFLICT, NULL);
    mail_is(t, &t->ann, "off");
    for (size_t i = 0; i < UFX_NELEM(bad); i++)
        mail_fails(t, &t->ann, bad[i], ERR_INVALID, "email");
    mail_fails(t, &t->ann, NULL, ERR_INVALID, "email");
    registry_inbox_channel_set("mail");
    mail_is(t, &t->ann, "each");
    mail_is(t, &t->bob, "daily");
    for (size_t i = 0; i < UFX_NELEM(bad); i++)
        mail_fails(t, &t->ann, bad[i], ERR_INVALID, "email");
    mail_is(t, &t->ann, "off");
    mail_fails(t, &t->nobody, "off", ERR_FORBIDDEN, NULL);
}

static void test_inbox__mark_validation(void **state)
{
    dfx *t = *state;
    int64_t *ids = xcalloc(501, sizeof *ids), n = -1, pat_item;
    errmsg err = {0};

    pat_item = ufx_int(t->f, "SELECT min(id) FROM inbox");
    assert_true(pat_item > 0);
    assert_int_equal(
        domain_inbox_mark(t->f->reg, &t->ann, NULL, 0, 0, 0, 1, &n, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "ids");
    err_clear(&err);
    assert_int_equal(
        domain_inbox_mark(t->f->reg, &t->ann, ids, 0, 0, 0, 1, &n, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "ids");
    err_clear(&err);
    for (int i = 0; i < 501; i++)
        ids[i] = pat_item;
    assert_int_equal(
        domain_inbox_mark(t->f->reg, &t->pm, ids, 501, 0, 0, 1, &n, &err),
        ERR_INVALID);
    assert_string_equal(err.field, "ids");
    err_clear(&err);
    assert_int_equal(
        ufx_int(t->f, "SELECT count(*) FROM inbox WHERE read_at > 0"), 0);
    assert_int_equal(
        domain_inbox_mark(t->f->reg, &t->nobody, NULL, 0, 1, 0, 1, &n, &err),
        ERR_FORBIDDEN);
    err_clear(&err);
    /* Ann cannot mark Pat's item; Pat can, 500 at a time. */
    assert_int_equal(
        domain_inbox_mark(t->f->reg, &t->ann, ids, 500, 0, 0, 1, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        domain_inbox_mark(t->f->reg, &t->pm, ids, 500, 0, 0, 1, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(
        domain_inbox_mark(t->f->reg, &t->pm, NULL, 0, 1, 0, 0, &n, &err), 0);
    assert_int_equal(n, 1);
    free(ids);
}

static void test_inbox__client_reads_own_organisation_only(void **state)
{
    dfx *t = *state;
    registry_inbox_item *items = NULL;
    size_t n = 0;
    int more = -1;
    int64_t unread = -1, ev;
    errmsg err = {0};
    char sql[300];

    /* An item of acme's request in Bob's inbox, as no fan-out writes it. */
    ev = ufx_int(t->f, "SELECT min(id) FROM events");
    snprintf(sql, sizeof sql,
             "INSERT INTO inbox(user_id, event_id, org_id, reason, created_at)"
             " VALUES (%lld, %lld, %lld, 'watch', 1)",
             (long long)t->f->client_b, (long long)ev, (long long)t->f->org_a);
    ufx_exec(t->f, sql);
    assert_int_equal(
        domain_inbox_list(t->f->reg, &t->bob, 0, 0, 0, &items, &n, &more, &err),
        0);
    assert_int_equal(n, 0);
    assert_int_equal(more, 0);
    registry_inbox_items_free(items, n);
    assert_int_equal(
        domain_inbox_unread(t->f->reg, &t->bob, 100, &unread, &err), 0);
    assert_int_equal(unread, 0);
    /* Pat (staff) has his two: both requests submitted. */
    assert_int_equal(
        domain_inbox_list(t->f->reg, &t->pm, 0, 0, 0, &items, &n, &more, &err),
        0);
    assert_int_equal(n, 2);
    assert_string_equal(items[0].event, "request.submitted");
    assert_int_equal(items[0].request_id, t->globex_req);
    registry_inbox_items_free(items, n);
    assert_int_equal(domain_inbox_list(t->f->reg, &t->nobody, 0, 0, 0, &items,
                                       &n, &more, &err),
                     ERR_FORBIDDEN);
    err_clear(&err);
    assert_int_equal(
        domain_inbox_unread(t->f->reg, &t->nobody, 100, &unread, &err),
        ERR_FORBIDDEN);
}

static void test_inbox__request_number(void **state)
{
    (void)state;
    assert_int_equal(domain_request_number("CR-12"), 12);
    assert_int_equal(domain_request_number("cr-12"), 12);
    assert_int_equal(domain_request_number("12"), 12);
    assert_int_equal(domain_request_number("CR-0"), 0);
    assert_int_equal(domain_request_number("CR-"), 0);
    assert_int_equal(domain_request_number("C-12"), 0);
    assert_int_equal(domain_request_number(NULL), 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

UFX_MAIN(T(test_inbox__watch_own_things_only), T(test_inbox__malformed_refs),
         T(test_inbox__unwatch_gone_or_never_watched),
         T(test_inbox__mail_setting), T(test_inbox__mark_validation),
         T(test_inbox__client_reads_own_organisation_only),
         T(test_inbox__request_number))
