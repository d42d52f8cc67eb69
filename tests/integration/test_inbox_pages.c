/* test_inbox_pages.c: the inbox in the HTML UI (web/page_inbox.c) over
 * real HTTP. The header of every signed-in page shows the user's own
 * unread count, also on the rules card, whose page is cached once for
 * every user of a role (web/tmpl.h): each user gets their own count and
 * their own watch button, never another user's or a stale one. /inbox
 * lists items newest first (escaped, with why the user got them and a
 * link), marks them read one by one or all at once (POST, CSRF, 303),
 * filters unread ones and pages with before=ID. The watch buttons of the
 * request page and the rules card start and stop a watch, whose events
 * then land in the inbox; a client may watch only its own organisation's
 * things (another's is a 404 and nothing is written). */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char dictionary[] =
    "table,column,type,nullable,primary_key,description,"
    "campaign_dependency,expected_arrival,late_after_minutes,runbook\n"
    "customers,customer_id,bigint,no,yes,Customer number,required,05:00,"
    "60,Check the drop folder.\n"
    "customers,email,string(255),yes,,E-mail,,,,\n";

/* A title that must be escaped wherever it is shown. */
#define TITLE     "Loyalty <b>tiers</b> & co"
#define TITLE_ESC "Loyalty &lt;b&gt;tiers&lt;/b&gt; &amp; co"

typedef struct world {
    h_server s;
    h_session ann, bob, pat, oz, pam;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);

    assert_non_null(w);
    h_server_start(&w->s, NULL);
    h_world(&w->s, "acme globex acme-qa acme-prod globex-prod");
    h_import(&w->s, "acme-prod", dictionary);
    h_import(&w->s, "globex-prod", dictionary);
    h_world(&w->s, "ann+ bob+ pat+ oz+", &w->ann, &w->bob, &w->pat, &w->oz);
    /* A second PM: the same cached frame and card as pat's. */
    h_user(&w->s, "pam@platform.example", "Pam PM", "pm", NULL, H_PW);
    assert_int_equal(h_signin(&w->pam, &w->s, "pam@platform.example", H_PW),
                     303);
    *state = w;
    return 0;
}

/* Ann submits a request with pat as its PM: pat gets one inbox item. */
static int64_t submit(world *w, const char *title)
{
    buf b = {0};
    h_resp r;
    int64_t id;

    h_minimal_json(&b, title, "Tiers for the loyalty programme", "loyalty",
                   "tier");
    h_send_json(&r, &w->s, &w->ann, NULL, "POST", "/api/v1/requests",
                buf_cstr(&b));
    buf_dispose(&b);
    id = h_created(&r);
    h_resp_free(&r);
    return id;
}

static int is_gzip(const h_resp *r)
{
    char enc[64];

    return h_resp_header(r, "Content-Encoding", enc, sizeof enc) &&
           strstr(enc, "gzip") != NULL;
}

/* GET path as sess (with gzip when asked); the page's text (inflated),
 * caller frees. Fails unless 200. */
static char *page(world *w, h_session *sess, const char *path, int gzip)
{
    const char *hdrs[2] = {gzip ? "Accept-Encoding: gzip" : NULL, NULL};
    h_resp r;
    char *text;

    h_request(&r, &w->s, sess, "GET", path, NULL, NULL, 0, hdrs);
    if (r.status != 200)
        fail_msg("GET %s: %ld %.300s", path, r.status, r.body);
    if (is_gzip(&r)) {
        z_stream zs = {0};
        size_t cap = 1 << 20;
        text = calloc(1, cap);
        assert_non_null(text);
        assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
        zs.next_in = (unsigned char *)r.body;
        zs.avail_in = (uInt)r.len;
        zs.next_out = (unsigned char *)text;
        zs.avail_out = (uInt)(cap - 1);
        assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
        inflateEnd(&zs);
    } else {
        assert_true(gzip == 0 || r.len == 0 || r.body[0] != 0x1f);
        text = strdup(r.body);
        assert_non_null(text);
    }
    h_resp_free(&r);
    return text;
}

/* The header's inbox link of a page: its text up to </a>. */
static void inbox_link(const char *html, char *out, size_t size)
{
    const char *p = strstr(html, "<a href=\"/inbox\" class=\"inbox\"");
    const char *end = p ? strstr(p, "</a>") : NULL;

    if (!p || !end)
        fail_msg("no inbox link in the header: %.400s", html);
    snprintf(out, size, "%.*s", (int)(end - p), p);
}

/* Fails unless the page's inbox link shows count (NULL: no badge). */
static void expect_count(const char *html, const char *count)
{
    char link[400], want[120];

    inbox_link(html, link, sizeof link);
    if (!count) {
        if (strstr(link, "class=\"count\""))
            fail_msg("a badge where none belongs: %s", link);
        return;
    }
    snprintf(want, sizeof want,
             "class=\"count\">%s<span class=\"sr-only\"> unread</span>", count);
    if (!strstr(link, "class=\"count\"") || !strstr(link, want))
        fail_msg("wanted the count %s: %s", count, link);
}

/* POSTs a form as sess; fails unless the answer is 303 to location
 * (NULL: any). */
static void post_303(world *w, h_session *sess, const char *path,
                     const char *body, const char *location)
{
    char loc[300];
    h_resp r;

    h_post_form(&r, &w->s, sess, path, body);
    if (r.status != 303)
        fail_msg("POST %s %s: %ld %.300s", path, body, r.status, r.body);
    assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
    if (location)
        assert_string_equal(loc, location);
    h_resp_free(&r);
}

static void test_inbox_pages__header_count_appears_and_goes(void **state)
{
    world *w = *state;
    char *html;
    h_resp r;

    html = page(w, &w->pat, "/account", 0);
    expect_count(html, NULL);
    free(html);
    /* Signed out: no inbox link at all. */
    h_get(&r, &w->s, NULL, "/signin");
    assert_null(strstr(r.body, "href=\"/inbox\""));
    h_resp_free(&r);

    submit(w, TITLE);
    html = page(w, &w->pat, "/account", 0);
    expect_count(html, "1");
    free(html);
    /* Pam is not its PM: nothing for her. */
    html = page(w, &w->pam, "/requests", 0);
    expect_count(html, NULL);
    free(html);

    post_303(w, &w->pat, "/inbox/read", "all=1", "/inbox");
    html = page(w, &w->pat, "/account", 0);
    expect_count(html, NULL);
    free(html);

    /* A hundred or more: "99+". */
    h_db_exec(&w->s,
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
              " WHERE i < 130) INSERT INTO inbox(user_id, event_id, org_id,"
              " reason, created_at) SELECT u.id, 900000 + n.i, 0, 'pm', 1"
              " FROM n, users u WHERE u.email = 'pam@platform.example'");
    html = page(w, &w->pam, "/", 0);
    expect_count(html, "99+");
    free(html);
}

static void test_inbox_pages__cached_card_shows_own_count(void **state)
{
    world *w = *state;
    h_session *who[2] = {&w->pat, &w->pam};

    submit(w, TITLE);
    for (int round = 0; round < 2; round++)
        for (int u = 0; u < 2; u++)
            for (int gzip = 0; gzip < 2; gzip++) {
                char *html =
                    page(w, who[u], "/tables/acme-prod/customers", gzip);
                expect_count(html, u == 0 ? "1" : NULL);
                assert_null(strstr(html, "<!--"));
                free(html);
            }
    /* Pat reads it: the next load of the cached card has no badge. */
    post_303(w, &w->pat, "/inbox/read", "all=1", "/inbox");
    for (int gzip = 0; gzip < 2; gzip++) {
        char *html = page(w, &w->pat, "/tables/acme-prod/customers", gzip);
        expect_count(html, NULL);
        free(html);
    }
}

static void test_inbox_pages__inbox_lists_and_marks_read(void **state)
{
    world *w = *state;
    int64_t id = submit(w, TITLE), item;
    char want[200], body[100], *html;

    html = page(w, &w->pat, "/inbox", 0);
    assert_non_null(strstr(html, "<h1>Inbox</h1>"));
    assert_non_null(strstr(html, TITLE_ESC));
    assert_null(strstr(html, "<b>tiers</b>"));
    assert_non_null(strstr(html, "You are the PM"));
    assert_non_null(strstr(html, "class=\"inbox-item unread\""));
    assert_non_null(strstr(html, " UTC"));
    snprintf(want, sizeof want, "href=\"/requests/%lld\"", (long long)id);
    assert_non_null(strstr(html, want));
    assert_non_null(strstr(html, ">Mark read</button>"));
    assert_non_null(strstr(html, ">Mark all read</button>"));
    assert_non_null(strstr(html, "Unread only"));
    free(html);

    item = h_db_int(&w->s, "SELECT max(id) FROM inbox WHERE user_id ="
                           " (SELECT id FROM users WHERE email ="
                           " 'pat@platform.example')");
    snprintf(body, sizeof body, "id=%lld", (long long)item);
    post_303(w, &w->pat, "/inbox/read", body, "/inbox");
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM inbox"
                                     " WHERE read_at = 0"),
                     0);
    html = page(w, &w->pat, "/inbox", 0);
    assert_null(strstr(html, "class=\"inbox-item unread\""));
    assert_non_null(strstr(html, TITLE_ESC));
    assert_non_null(strstr(html, ">Mark unread</button>"));
    free(html);
    /* The unread filter shows nothing now, and says so. */
    html = page(w, &w->pat, "/inbox?unread=1", 0);
    assert_null(strstr(html, TITLE_ESC));
    assert_non_null(strstr(html, "No unread items"));
    free(html);
    /* Marked unread again, from the filtered view: back to it. */
    snprintf(body, sizeof body, "id=%lld&read=0&unread=1", (long long)item);
    post_303(w, &w->pat, "/inbox/read", body, "/inbox?unread=1");
    html = page(w, &w->pat, "/inbox?unread=1", 0);
    assert_non_null(strstr(html, TITLE_ESC));
    free(html);
    /* Someone else's item is not theirs to mark. */
    post_303(w, &w->pam, "/inbox/read", body, NULL);
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM inbox"
                                     " WHERE read_at = 0"),
                     1);
}

static void test_inbox_pages__empty_state_and_paging(void **state)
{
    world *w = *state;
    char *html, *older;
    const char *p;
    long long before = 0;

    html = page(w, &w->pam, "/inbox", 0);
    assert_non_null(strstr(html, "class=\"empty\""));
    assert_non_null(strstr(html, "watch"));
    /* No e-mail channel: the setting is there, disabled, and says why. */
    assert_non_null(strstr(html, "Also e-mail me"));
    assert_non_null(strstr(html, "<fieldset disabled"));
    free(html);

    /* 60 items: 50 on the first page, newest first, then the rest; each
       the event of a real submission with its own title, and a URL that
       leaves the site. */
    submit(w, "Base");
    h_db_exec(&w->s,
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
              " WHERE i < 60) INSERT INTO events(uid, event, payload,"
              " created_at) SELECT 'page-' || i, e.event, json_set(e.payload,"
              " '$.request.title', 'Item ' || i || ' end', '$.url',"
              " '//evil.example/x'), 1700000000 + i FROM n, events e"
              " WHERE e.event = 'request.submitted'");
    h_db_exec(&w->s, "INSERT INTO inbox(user_id, event_id, org_id, reason,"
                     " created_at) SELECT u.id, e.id, 0, 'watch', e.created_at"
                     " FROM events e, users u WHERE e.uid LIKE 'page-%'"
                     " AND u.email = 'pam@platform.example'");
    html = page(w, &w->pam, "/inbox", 0);
    assert_non_null(strstr(html, "Item 60 end"));
    assert_non_null(strstr(html, "Item 11 end"));
    assert_null(strstr(html, "Item 10 end"));
    assert_true(strstr(html, "Item 60 end") < strstr(html, "Item 59 end"));
    assert_non_null(strstr(html, "You watch this"));
    /* A payload URL that leaves the site is not linked. */
    assert_null(strstr(html, "evil.example"));
    p = strstr(html, "href=\"/inbox?before=");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "href=\"/inbox?before=%lld", &before), 1);
    {
        char path[64];
        snprintf(path, sizeof path, "/inbox?before=%lld", before);
        older = page(w, &w->pam, path, 0);
    }
    assert_non_null(strstr(older, "Item 10 end"));
    assert_non_null(strstr(older, "Item 1 end"));
    assert_null(strstr(older, "Item 11 end"));
    assert_null(strstr(older, "href=\"/inbox?before="));
    free(older);
    free(html);
}

static void test_inbox_pages__watch_and_unwatch_by_form(void **state)
{
    world *w = *state;
    char *html, body[200], path[64], loc[64];
    int64_t id;
    h_resp r;

    html = page(w, &w->oz, "/tables/acme-prod/customers", 1);
    assert_non_null(strstr(html, "action=\"/watches\""));
    assert_non_null(strstr(html, ">Watch</button>"));
    free(html);
    h_post_form(&r, &w->s, &w->oz, "/watches",
                "kind=table&ref=acme-prod%2Fcustomers&on=1");
    assert_int_equal(r.status, 303);
    assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/tables/acme-prod/customers");
    assert_true(h_resp_header(&r, "Set-Cookie", body, sizeof body));
    assert_non_null(strstr(body, "docket_flash="));
    h_resp_free(&r);
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM watches"), 1);
    /* Oz's card says so; pat's (same table, another user) does not. */
    html = page(w, &w->oz, "/tables/acme-prod/customers", 1);
    assert_non_null(strstr(html, ">Stop watching</button>"));
    free(html);
    html = page(w, &w->pat, "/tables/acme-prod/customers", 1);
    assert_null(strstr(html, ">Stop watching</button>"));
    assert_non_null(strstr(html, ">Watch</button>"));
    free(html);
    /* The inbox lists the watch. */
    html = page(w, &w->oz, "/inbox", 0);
    assert_non_null(strstr(html, "acme-prod / customers"));
    assert_non_null(strstr(html, "href=\"/tables/acme-prod/customers\""));
    free(html);

    /* Pat edits the table: oz hears of it. */
    post_303(w, &w->pat, "/tables/acme-prod/customers/edit",
             "runbook=Call+the+night+desk.&reason=new+rota", NULL);
    html = page(w, &w->oz, "/tables/acme-prod/customers", 1);
    expect_count(html, "1");
    free(html);
    html = page(w, &w->oz, "/inbox", 0);
    assert_non_null(strstr(html, "You watch this"));
    assert_non_null(strstr(html, "customers"));
    free(html);

    /* Stop watching from the inbox: back to the inbox. */
    post_303(w, &w->oz, "/watches",
             "kind=table&ref=acme-prod%2Fcustomers&on=0&back=%2Finbox",
             "/inbox");
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM watches"), 0);

    /* A request: from its page. */
    id = submit(w, TITLE);
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    html = page(w, &w->oz, path, 0);
    assert_non_null(strstr(html, "action=\"/watches\""));
    assert_non_null(strstr(html, ">Watch</button>"));
    free(html);
    snprintf(body, sizeof body, "kind=request&ref=%lld&on=1", (long long)id);
    post_303(w, &w->oz, "/watches", body, path);
    html = page(w, &w->oz, path, 0);
    assert_non_null(strstr(html, ">Stop watching</button>"));
    free(html);
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM watches WHERE"
                                     " kind = 'request'"),
                     1);
    /* Ann, a client of acme, may watch her own organisation's table. */
    post_303(w, &w->ann, "/watches",
             "kind=table&ref=acme-prod%2Fcustomers&on=1",
             "/tables/acme-prod/customers");
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM watches"), 2);
}

static void test_inbox_pages__client_cannot_watch_other_org(void **state)
{
    world *w = *state;
    int64_t id = submit(w, TITLE);
    char body[200], *before = h_db_digest(&w->s);
    h_resp r, missing;

    h_post_form(&r, &w->s, &w->bob, "/watches",
                "kind=table&ref=acme-prod%2Fcustomers&on=1");
    h_post_form(&missing, &w->s, &w->bob, "/watches",
                "kind=table&ref=acme-prod%2Fnothing_here&on=1");
    assert_int_equal(r.status, 404);
    assert_int_equal(missing.status, 404);
    assert_null(strstr(r.body, "Check the drop folder"));
    h_resp_free(&r);
    h_resp_free(&missing);
    snprintf(body, sizeof body, "kind=request&ref=CR-%lld&on=1", (long long)id);
    h_post_form(&r, &w->s, &w->bob, "/watches", body);
    assert_int_equal(r.status, 404);
    assert_null(strstr(r.body, "Loyalty"));
    h_resp_free(&r);
    h_unchanged(&w->s, before, "a client's watch of another organisation");
    free(before);
    /* Bob's own organisation's table is fine. */
    post_303(w, &w->bob, "/watches",
             "kind=table&ref=globex-prod%2Fcustomers&on=1",
             "/tables/globex-prod/customers");
}

static void test_inbox_pages__posts_need_csrf(void **state)
{
    world *w = *state;
    static const char *const posts[][2] = {
        {"/watches", "kind=table&ref=acme-prod%2Fcustomers&on=1"},
        {"/inbox/read", "all=1"},
        {"/inbox/email", "email=off"},
    };
    char *before;

    submit(w, TITLE);
    before = h_db_digest(&w->s);
    for (size_t i = 0; i < sizeof posts / sizeof *posts; i++) {
        h_resp r;
        h_request(&r, &w->s, &w->pat, "POST", posts[i][0],
                  "application/x-www-form-urlencoded", posts[i][1],
                  strlen(posts[i][1]), NULL);
        if (r.status != 403)
            fail_msg("POST %s without a CSRF token: %ld", posts[i][0],
                     r.status);
        h_resp_free(&r);
    }
    h_unchanged(&w->s, before, "posts without a CSRF token");
    free(before);
}

static void test_inbox_pages__email_setting(void **state)
{
    world *w = *state;
    h_resp r;

    /* No e-mail channel: each and daily are refused, off is fine. */
    h_post_form(&r, &w->s, &w->pat, "/inbox/email", "email=each");
    assert_int_equal(r.status, 409);
    h_resp_free(&r);
    h_post_form(&r, &w->s, &w->pat, "/inbox/email", "email=sometimes");
    assert_int_equal(r.status, 422);
    h_resp_free(&r);
    post_303(w, &w->pat, "/inbox/email", "email=off", "/inbox");
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM users WHERE"
                                     " inbox_email <> 'off'"),
                     0);
}

/* With an e-mail channel the setting is enabled and kept. */
static void test_inbox_pages__email_setting_with_channel(void **state)
{
    world *w = calloc(1, sizeof *w);
    char *html;

    (void)state;
    assert_non_null(w);
    *state = w;
    h_server_start(&w->s, "[notify]\nallow_private = true\n"
                          "[channel.mail]\ntype = email\n"
                          "smtp_url = smtp://127.0.0.1:9\n"
                          "starttls = false\n"
                          "from = docket <docket@example.com>\n"
                          "to = ops@platform.example\n");
    h_world(&w->s, "pat+", &w->pat);
    html = page(w, &w->pat, "/inbox", 0);
    assert_non_null(strstr(html, "Also e-mail me"));
    assert_null(strstr(html, "<fieldset disabled"));
    free(html);
    post_303(w, &w->pat, "/inbox/email", "email=daily", "/inbox");
    assert_int_equal(h_db_int(&w->s, "SELECT count(*) FROM users WHERE"
                                     " inbox_email = 'daily'"),
                     1);
    html = page(w, &w->pat, "/inbox", 0);
    assert_non_null(strstr(html, "value=\"daily\" checked"));
    free(html);
}

static int setup_none(void **state)
{
    *state = NULL;
    return 0;
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(
        test_inbox_pages__header_count_appears_and_goes, setup, h_test_down),
    cmocka_unit_test_setup_teardown(
        test_inbox_pages__cached_card_shows_own_count, setup, h_test_down),
    cmocka_unit_test_setup_teardown(
        test_inbox_pages__inbox_lists_and_marks_read, setup, h_test_down),
    cmocka_unit_test_setup_teardown(test_inbox_pages__empty_state_and_paging,
                                    setup, h_test_down),
    cmocka_unit_test_setup_teardown(test_inbox_pages__watch_and_unwatch_by_form,
                                    setup, h_test_down),
    cmocka_unit_test_setup_teardown(
        test_inbox_pages__client_cannot_watch_other_org, setup, h_test_down),
    cmocka_unit_test_setup_teardown(test_inbox_pages__posts_need_csrf, setup,
                                    h_test_down),
    cmocka_unit_test_setup_teardown(test_inbox_pages__email_setting, setup,
                                    h_test_down),
    cmocka_unit_test_setup_teardown(
        test_inbox_pages__email_setting_with_channel, setup_none, h_test_down),
};

int main(void)
{
    return cmocka_run_group_tests(tests, NULL, NULL);
}
