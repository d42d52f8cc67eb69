/* test_intake.c: the change-request intake against the real server: the
 * HTML form (urlencoded and multipart with attachments, kept values and
 * files after an error, the "add" buttons), the JSON API (stored exactly,
 * 422 with field paths, Idempotency-Key), tenant isolation (another
 * organisation's request, API object and attachment answer 404 exactly
 * like missing ones), escaping of hostile text on the request page,
 * download headers, roles, and the column inference endpoint. Every
 * refused submission must leave the database unchanged (h_db_digest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "harness.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW "correct horse battery"

static h_server srv;
static h_session ann, bob, pat, oz;
static char ann_token[128];

/* Registry tables the attribute and add-column items refer to (the
 * catalog is filled by deploys; here directly). */
static void seed_registry(void)
{
    sqlite3 *db = NULL;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(srv.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(
            db,
            "INSERT INTO reg_tables(instance_id, name, created_at, "
            "updated_at) SELECT i.id, t.name, 0, 0 FROM instances i, "
            "(SELECT 'returns' AS name UNION ALL SELECT 'customers') t "
            "WHERE i.name IN ('acme-qa', 'acme-prod');"
            "INSERT INTO reg_columns(table_id, position, name, type, "
            "created_at, updated_at) SELECT id, 0, 'email', 'string(255)', "
            "0, 0 FROM reg_tables WHERE name = 'customers';",
            NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("seed: %s", msg);
    sqlite3_close(db);
}

static int up(void **state)
{
    *state = &srv;
    h_server_start(&srv, NULL);
    h_world(&srv, "acme globex acme-qa acme-prod globex-prod");
    seed_registry();
    h_world(&srv, "ann+ bob+ pat+ oz+", &ann, &bob, &pat, &oz);
    h_token(&srv, "ann@acme.example", "tests", ann_token, sizeof ann_token);
    return 0;
}

/* ---- building bodies ---------------------------------------------------- */

typedef struct kv {
    const char *name;
    const char *value; /* NULL in an override: drop the field */
} kv;

/* A complete, valid submission of the HTML form. */
static const kv base_form[] = {
    {"instance", "acme-prod"},
    {"instances", "acme-qa"},
    {"instances", "acme-prod"},
    {"project_manager", "pat@platform.example"},
    {"requester_name", "Ann"},
    {"requester_email", "ann@acme.example"},
    {"title", "Loyalty tiers"},
    {"summary", "We start **loyalty**."},
    {"consent_related", "yes"},
    {"consent_note", "Opt-in collected at sign-up."},
    {"desired_date", "2030-01-15"},
    {"items[0].kind", "new_table"},
    {"items[0].table", "loyalty_members"},
    {"items[0].description", "One row per member."},
    {"items[0].primary_key", "member_id"},
    {"items[0].source", "flat_file_csv"},
    {"items[0].cadence", "daily"},
    {"items[0].expected_arrival", "05:00"},
    {"items[0].late_after_minutes", "120"},
    {"items[0].file_pattern", "loyalty_YYYYMMDD.csv"},
    {"items[0].campaign_dependency", "required"},
    {"items[0].campaign_note", "Tier campaigns wait."},
    {"items[0].owner", "data@acme.example"},
    {"items[0].columns[0].name", "member_id"},
    {"items[0].columns[0].type", "bigint"},
    {"items[0].columns[0].primary_key", "on"},
    {"items[0].columns[0].description", "Member number"},
    {"items[0].columns[0].example", "100045"},
    /* a blank template row in between: dropped, later rows compacted */
    {"items[0].columns[1].name", ""},
    {"items[0].columns[1].nullable", "on"},
    {"items[0].columns[2].name", "email_opt_in"},
    {"items[0].columns[2].type", "boolean"},
    {"items[0].columns[2].nullable", "on"},
    {"items[0].columns[2].description", "Opted in"},
    {"items[0].columns[2].example", "true"},
    {"items[0].columns[2].consent", "on"},
    {"items[0].columns[2].consent_channel", "email"},
    /* fields of other kinds are cleared */
    {"items[0].columns[2].rule", "ignored for new tables"},
    {NULL, NULL}};

/* What GET /api/v1/requests/{id} must show for base_form (volatile keys
 * removed). */
static const char base_expected[] =
    "{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
    "[\"acme-qa\",\"acme-prod\"],\"project_manager\":\"pat@platform.example\","
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","
    "\"title\":\"Loyalty tiers\",\"summary\":\"We start **loyalty**.\","
    "\"desired_date\":\"2030-01-15\",\"consent_related\":true,"
    "\"consent_note\":\"Opt-in collected at sign-up.\",\"items\":[{\"kind\":"
    "\"new_table\",\"table\":\"loyalty_members\",\"description\":\"One row "
    "per member.\",\"primary_key\":\"member_id\",\"source\":\"flat_file_csv\","
    "\"cadence\":\"daily\",\"expected_arrival\":\"05:00\","
    "\"late_after_minutes\":120,\"expected_day\":\"\","
    "\"anomaly_low_pct\":0,\"anomaly_high_pct\":0,"
    "\"file_pattern\":\"loyalty_YYYYMMDD.csv\","
    "\"campaign_dependency\":\"required\",\"campaign_note\":\"Tier campaigns "
    "wait.\",\"owner\":\"data@acme.example\",\"escalation\":\"\","
    "\"examples\":\"\",\"notes\":\"\",\"columns\":[{\"name\":\"member_id\","
    "\"type\":\"bigint\",\"nullable\":false,\"primary_key\":true,"
    "\"description\":\"Member number\",\"example\":\"100045\",\"pii\":false,"
    "\"consent\":false,\"consent_channel\":\"\"},{\"name\":\"email_opt_in\","
    "\"type\":\"boolean\",\"nullable\":true,\"primary_key\":false,"
    "\"description\":\"Opted in\",\"example\":\"true\",\"pii\":false,"
    "\"consent\":true,\"consent_channel\":\"email\"}]}],\"status\":"
    "\"submitted\"}";

static const kv *find_override(const kv *ov, const char *name)
{
    for (; ov && ov->name; ov++)
        if (!strcmp(ov->name, name))
            return ov;
    return NULL;
}

/* base with overrides (replacing or, with value NULL, dropping fields of
 * that name; names not in base are appended). */
static void form_fields(kv *out, size_t max, const kv *ov)
{
    size_t n = 0;

    for (const kv *b = base_form; b->name && n + 1 < max; b++) {
        const kv *o = find_override(ov, b->name);
        if (o && !o->value)
            continue;
        out[n++] = o ? *o : *b;
    }
    for (; ov && ov->name && n + 1 < max; ov++)
        if (ov->value && !find_override(base_form, ov->name))
            out[n++] = *ov;
    out[n].name = out[n].value = NULL;
}

static char *urlencoded(const kv *ov)
{
    kv f[128];
    buf b = {0};

    form_fields(f, 128, ov);
    for (size_t i = 0; f[i].name; i++) {
        if (i)
            buf_putc(&b, '&');
        buf_append_url(&b, f[i].name);
        buf_putc(&b, '=');
        buf_append_url(&b, f[i].value);
    }
    return buf_detach(&b);
}

typedef struct file {
    const char *filename;
    const char *data;
    size_t len;
} file;

static void post_multipart(h_resp *r, h_session *s, const kv *ov,
                           const file *files, size_t nfiles)
{
    kv f[128];
    buf b = {0};

    form_fields(f, 128, ov);
    h_mp_field(&b, "csrf", s->csrf);
    for (size_t i = 0; f[i].name; i++)
        h_mp_field(&b, f[i].name, f[i].value);
    for (size_t i = 0; i < nfiles; i++)
        h_mp_file(&b, "attachments", files[i].filename,
                  strlen(files[i].filename), "application/octet-stream",
                  files[i].data, files[i].len);
    h_post_multipart(r, &srv, s, "/requests", &b, NULL);
}

static void post_urlencoded(h_resp *r, h_session *s, const kv *ov)
{
    char *body = urlencoded(ov);

    h_post_form(r, &srv, s, "/requests", body);
    free(body);
}

/* The id of a 303 to /requests/{id}. */
static int64_t created_id(const h_resp *r)
{
    if (r->status != 303)
        fail_msg("not a 303 to a request: %ld %.3000s", r->status, r->body);
    return h_created(r);
}

static cJSON *get_json(h_session *s, const char *token, const char *path,
                       long want)
{
    h_resp r;
    cJSON *j;
    char auth[200];
    const char *hdrs[2] = {auth, NULL};

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    h_request(&r, &srv, token ? NULL : s, "GET", path, NULL, NULL, 0,
              token ? hdrs : NULL);
    if (r.status != want)
        fail_msg("GET %s: %ld, wanted %ld: %s", path, r.status, want, r.body);
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    h_resp_free(&r);
    return j;
}

static void strip_volatile(cJSON *j)
{
    static const char *const keys[] = {"id",         "number", "created_at",
                                       "updated_at", "url",    "attachments"};

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(j, keys[i]);
}

static void expect_same_json(const char *expected, cJSON *got)
{
    cJSON *want = cJSON_Parse(expected);

    assert_non_null(want);
    strip_volatile(got);
    if (!cJSON_Compare(want, got, 1)) {
        char *a = cJSON_Print(want), *b = cJSON_Print(got);
        fprintf(stderr, "expected:\n%s\ngot:\n%s\n", a, b);
        free(a);
        free(b);
        fail_msg("stored request differs");
    }
    cJSON_Delete(want);
}

static cJSON *stored(int64_t id)
{
    char path[64];

    snprintf(path, sizeof path, "/api/v1/requests/%lld", (long long)id);
    return get_json(&ann, NULL, path, 200);
}

/* ---- the HTML form ------------------------------------------------------ */

static void test_intake__form_page_renders_from_the_definition(void **state)
{
    h_resp r;

    (void)state;
    h_get(&r, &srv, &ann, "/requests/new");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "About this request"));
    assert_non_null(strstr(r.body, ">Changes</h2>"));
    assert_non_null(strstr(r.body, "name=\"items[0].columns[2].name\""));
    assert_null(strstr(r.body, "name=\"items[0].columns[3].name\""));
    /* nullable ticked by default */
    assert_non_null(strstr(r.body, "id=\"items[0].columns[0].nullable\" "
                                   "name=\"items[0].columns[0].nullable\" "
                                   "checked"));
    /* the client's organisation, its instances only, the PMs */
    assert_non_null(strstr(r.body, "value=\"acme-qa\""));
    assert_null(strstr(r.body, "globex-prod"));
    assert_non_null(strstr(r.body, "value=\"pat@platform.example\""));
    assert_non_null(strstr(r.body, "value=\"Ann\"")); /* prefilled */
    assert_non_null(strstr(r.body, "<script type=\"module\" "
                                   "src=\"/static/form.js?v="));
    assert_non_null(strstr(r.body, "enctype=\"multipart/form-data\""));
    h_resp_free(&r);
    /* staff choose the organisation */
    h_get_expect(&srv, &pat, "/requests/new", 200,
                 "<select id=\"organisation\"", "globex-prod", NULL);
    /* ops may not submit */
    h_get_expect(&srv, &oz, "/requests/new", 403, NULL);
}

static void test_intake__urlencoded_submission_stored_exactly(void **state)
{
    h_resp r;
    int64_t id;
    cJSON *j;

    (void)state;
    post_urlencoded(&r, &ann, NULL);
    id = created_id(&r);
    h_resp_free(&r);
    j = stored(id);
    expect_same_json(base_expected, j);
    cJSON_Delete(j);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM request_events "
                                    "WHERE to_status = 'submitted' AND "
                                    "from_status = ''"),
                     h_db_int(&srv, "SELECT count(*) FROM requests"));
    assert_true(h_db_int(&srv, "SELECT count(*) FROM events WHERE event = "
                               "'request.submitted'") >= 1);
}

static void test_intake__multipart_with_attachment(void **state)
{
    static const char csv[] = "member_id,tier\n100045,gold\n";
    static const char pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    const file files[] = {{"C:\\Users\\ann\\members.csv", csv, sizeof csv - 1},
                          {"spec sheet.pdf", pdf, sizeof pdf - 1}};
    h_resp r;
    int64_t id;
    cJSON *j, *att;
    char path[96], hv[300];

    (void)state;
    post_multipart(&r, &ann, NULL, files, 2);
    id = created_id(&r);
    h_resp_free(&r);
    j = stored(id);
    att = cJSON_GetObjectItem(j, "attachments");
    assert_int_equal(cJSON_GetArraySize(att), 2);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(att, 0), "filename")
            ->valuestring,
        "members.csv"); /* path parts stripped */
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(att, 0), "content_type")
            ->valuestring,
        "text/csv");
    snprintf(
        path, sizeof path, "%s",
        cJSON_GetObjectItem(cJSON_GetArrayItem(att, 1), "url")->valuestring);
    expect_same_json(base_expected, j);
    cJSON_Delete(j);

    h_get(&r, &srv, &ann, path);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, sizeof pdf - 1);
    assert_memory_equal(r.body, pdf, sizeof pdf - 1);
    assert_true(h_resp_header(&r, "Content-Type", hv, sizeof hv));
    assert_string_equal(hv, "application/octet-stream");
    assert_true(h_resp_header(&r, "Content-Disposition", hv, sizeof hv));
    assert_string_equal(hv, "attachment; filename=\"spec sheet.pdf\"; "
                            "filename*=UTF-8''spec%20sheet.pdf");
    assert_true(h_resp_header(&r, "X-Content-Type-Options", hv, sizeof hv));
    assert_string_equal(hv, "nosniff");
    h_resp_free(&r);

    /* The request page links the files. */
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get_expect(&srv, &ann, path, 200, "members.csv</a>", NULL);
}

static void test_intake__unicode_filename_download(void **state)
{
    static const char txt[] = "notes\n";
    const file files[] = {
        {"r\xc3\xa9sum\xc3\xa9 2024.txt", txt, sizeof txt - 1}};
    h_resp r;
    int64_t id;
    char path[96], hv[300];

    (void)state;
    post_multipart(&r, &ann, NULL, files, 1);
    id = created_id(&r);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/requests/%lld/attachments/%lld",
             (long long)id,
             (long long)h_db_int(&srv, "SELECT max(id) FROM attachments"));
    h_get(&r, &srv, &ann, path);
    assert_int_equal(r.status, 200);
    assert_true(h_resp_header(&r, "Content-Disposition", hv, sizeof hv));
    assert_string_equal(hv, "attachment; filename=\"r__sum__ 2024.txt\"; "
                            "filename*=UTF-8''r%C3%A9sum%C3%A9%202024.txt");
    h_resp_free(&r);
}

typedef struct bad_case {
    const char *what;
    kv ov[4];
    const char *field; /* error path expected */
} bad_case;

static void
test_intake__invalid_html_answers_422_and_writes_nothing(void **state)
{
    static const bad_case cases[] = {
        {"no title", {{"title", NULL}}, "title"},
        {"column name PostgreSQL refuses even quoted",
         {{"items[0].columns[2].name", "xmin"}},
         "items[0].columns[1].name"}, /* compacted index */
        {"unknown type",
         {{"items[0].columns[0].type", "varchar(20)"}},
         "items[0].columns[0].type"},
        {"other organisation's instance",
         {{"instance", "globex-prod"}},
         "instance"},
        {"not a project manager",
         {{"project_manager", "ann@acme.example"}},
         "project_manager"},
        {"consent without a note", {{"consent_note", ""}}, "consent_note"},
        {"date in the past", {{"desired_date", "2001-01-01"}}, "desired_date"},
        {"late minutes out of range",
         {{"items[0].late_after_minutes", "99999"}},
         "items[0].late_after_minutes"},
        {"primary key column nullable",
         {{"items[0].columns[0].nullable", "on"}},
         "items[0].columns[0].nullable"},
        {"another organisation named",
         {{"organisation", "globex"}},
         "organisation"},
    };
    char *before = h_db_digest(&srv);

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        h_resp r;
        buf want = {0};
        post_urlencoded(&r, &ann, cases[i].ov);
        if (r.status != 422)
            fail_msg("%s: status %ld", cases[i].what, r.status);
        buf_puts(&want, "id=\"err-");
        buf_append_html(&want, cases[i].field);
        buf_puts(&want, "\"");
        if (!strstr(r.body, buf_cstr(&want)))
            fail_msg("%s: no error for %s", cases[i].what, cases[i].field);
        buf_reset(&want);
        buf_puts(&want, "<a href=\"#");
        buf_append_html(&want, cases[i].field);
        if (!strstr(r.body, buf_cstr(&want)))
            fail_msg("%s: the summary does not link %s", cases[i].what,
                     cases[i].field);
        /* every value kept */
        assert_non_null(strstr(r.body, ">Member number</textarea>"));
        assert_true(strstr(r.body, "Opt-in collected") != NULL ||
                    !strcmp(cases[i].field, "consent_note"));
        buf_dispose(&want);
        h_resp_free(&r);
        h_unchanged(&srv, before, cases[i].what);
    }
    free(before);
}

static void test_intake__bad_values_stay_visible(void **state)
{
    static const kv ov[] = {{"items[0].columns[0].type", "varchar(20)"},
                            {"items[0].late_after_minutes", "soon"},
                            {NULL, NULL}};
    h_resp r;

    (void)state;
    post_urlencoded(&r, &ann, ov);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "value=\"varchar(20)\""));
    assert_non_null(strstr(r.body, "value=\"soon\""));
    assert_non_null(strstr(r.body, "aria-invalid=\"true\""));
    assert_non_null(strstr(r.body, "class=\"error-summary\""));
    h_resp_free(&r);
}

static void test_intake__bad_files_refused(void **state)
{
    static const char html[] = "<!doctype html><script>alert(1)</script>";
    static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                              "onload=\"alert(1)\"/>";
    static const char exe[] = "MZ\x90\0\3\0\0\0";
    static const char elf[] = "\x7f"
                              "ELF\2\1\1";
    static const char notpdf[] = "just text";
    const file cases[] = {{"page.html", html, sizeof html - 1},
                          {"image.txt", svg, sizeof svg - 1},
                          {"data.csv", exe, sizeof exe - 1},
                          {"run.csv", elf, sizeof elf - 1},
                          {"report.pdf", notpdf, sizeof notpdf - 1},
                          {"../../", notpdf, sizeof notpdf - 1}};
    char *before = h_db_digest(&srv);

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        h_resp r;
        post_multipart(&r, &ann, NULL, &cases[i], 1);
        if (r.status != 422)
            fail_msg("%s: status %ld", cases[i].filename, r.status);
        assert_non_null(strstr(r.body, "id=\"err-attachments\""));
        h_resp_free(&r);
        h_unchanged(&srv, before, NULL);
    }
    free(before);
}

static void test_intake__too_many_files(void **state)
{
    static const char csv[] = "a\n1\n";
    file f[6];
    h_resp r;
    char *before = h_db_digest(&srv);

    (void)state;
    for (int i = 0; i < 6; i++)
        f[i] = (file){"f.csv", csv, sizeof csv - 1};
    post_multipart(&r, &ann, NULL, f, 6);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "at most 5 files"));
    h_resp_free(&r);
    h_unchanged(&srv, before, NULL);
    free(before);
}

/* A file uploaded with an invalid form comes back as hidden fields and is
 * stored when the corrected form is sent. */
static void test_intake__files_kept_across_an_error(void **state)
{
    static const char csv[] = "member_id\n1\n";
    const file files[] = {{"keep me.csv", csv, sizeof csv - 1}};
    static const kv no_title[] = {{"title", NULL}, {NULL, NULL}};
    h_resp r;
    const char *p;
    char data[256];
    kv ov[4] = {{"kept[0].name", "keep me.csv"},
                {"kept[0].keep", "on"},
                {"kept[0].data", data},
                {NULL, NULL}};
    int64_t id;

    (void)state;
    post_multipart(&r, &ann, no_title, files, 1);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "name=\"kept[0].name\" value=\"keep "
                                   "me.csv\""));
    p = strstr(r.body, "name=\"kept[0].data\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"kept[0].data\" value=\"");
    snprintf(data, sizeof data, "%.*s", (int)strcspn(p, "\""), p);
    h_resp_free(&r);
    assert_string_equal(data, "bWVtYmVyX2lkCjEK");
    post_multipart(&r, &ann, ov, NULL, 0);
    id = created_id(&r);
    h_resp_free(&r);
    {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM attachments WHERE request_id = %lld "
                 "AND filename = 'keep me.csv' AND size = 12",
                 (long long)id);
        assert_int_equal(h_db_int(&srv, sql), 1);
    }
}

static void test_intake__add_buttons_rerender_without_storing(void **state)
{
    static const kv more_item[] = {{"add_item", "1"}, {NULL, NULL}};
    static const kv more_rows[] = {{"add_rows", "0"}, {NULL, NULL}};
    char *before = h_db_digest(&srv);
    h_resp r;

    (void)state;
    post_urlencoded(&r, &ann, more_item);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "name=\"items[1].kind\""));
    assert_non_null(strstr(r.body, "value=\"loyalty_members\""));
    assert_null(strstr(r.body, "error-summary"));
    h_resp_free(&r);
    post_urlencoded(&r, &ann, more_rows);
    assert_int_equal(r.status, 200);
    /* 2 filled rows + 1 blank + 3 more */
    assert_non_null(strstr(r.body, "name=\"items[0].columns[5].name\""));
    assert_null(strstr(r.body, "name=\"items[0].columns[6].name\""));
    h_resp_free(&r);
    h_unchanged(&srv, before, NULL);
    free(before);
}

/* Hostile text is escaped on the request page; Markdown is safe. */
static void test_intake__request_page_escapes(void **state)
{
    static const kv ov[] = {
        {"title", "<script>alert('t')</script>"},
        {"summary", "**bold** <img src=x onerror=alert(1)> "
                    "[click](javascript:alert(2)) <script>alert(3)</script>"},
        {"items[0].description", "\"><svg onload=alert(4)>"},
        {"items[0].notes", "<iframe src=//evil></iframe>"},
        {NULL, NULL}};
    h_resp r;
    int64_t id;
    char path[64];

    (void)state;
    post_urlencoded(&r, &ann, ov);
    id = created_id(&r);
    h_resp_free(&r);
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get_expect(
        &srv, &ann, path, 200, "!<script>alert", "!<img src=x", "!onerror",
        "!<svg", "!<iframe", "!javascript:", "&lt;script&gt;alert(&#39;t&#39;)",
        "<strong>bold</strong>", "&quot;&gt;&lt;svg onload=alert(4)&gt;", NULL);
}

/* ---- the JSON API ------------------------------------------------------- */

static const char api_body[] =
    "{\"organisation\":\"acme\",\"instance\":\"acme-qa\",\"instances\":"
    "[\"acme-qa\"],\"project_manager\":\"pat@platform.example\","
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","
    "\"title\":\"Purchase history returns\",\"summary\":\"Returns too.\","
    "\"desired_date\":\"\",\"consent_related\":false,\"consent_note\":\"\","
    "\"items\":[{\"kind\":\"purchase_history\",\"table\":\"returns\","
    "\"description\":\"\",\"source\":\"json\",\"cadence\":\"hourly\","
    "\"expected_arrival\":\"\",\"late_after_minutes\":0,"
    "\"expected_day\":\"\",\"anomaly_low_pct\":0,\"anomaly_high_pct\":0,"
    "\"file_pattern\":"
    "\"\",\"campaign_dependency\":\"optional\",\"campaign_note\":\"\","
    "\"owner\":\"\",\"escalation\":\"\",\"examples\":\"\",\"notes\":\"\","
    "\"columns\":[{\"name\":\"return_reason\",\"type\":\"string(50)\","
    "\"nullable\":true,\"description\":\"Why\",\"example\":\"size\","
    "\"pii\":false,\"consent\":false,\"consent_channel\":\"\",\"action\":"
    "\"add\",\"rule\":\"\"}]}],\"status\":\"submitted\"}";

static void post_api(h_resp *r, const char *token, const char *key,
                     const char *json)
{
    char auth[200], idem[300];
    const char *hdrs[3] = {auth, key ? idem : NULL, NULL};

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key ? key : "");
    h_request(r, &srv, NULL, "POST", "/api/v1/requests", "application/json",
              json, strlen(json), hdrs);
}

static void test_intake__api_submission_stored_exactly(void **state)
{
    h_resp r;
    cJSON *j, *got;
    char loc[128], path[96];

    (void)state;
    post_api(&r, ann_token, NULL, api_body);
    if (r.status != 201)
        fail_msg("status %ld: %s", r.status, r.body);
    assert_true(h_resp_header(&r, "Location", loc, sizeof loc));
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    snprintf(path, sizeof path, "/api/v1/requests/%d",
             cJSON_GetObjectItem(j, "id")->valueint);
    assert_string_equal(loc, path);
    assert_string_equal(cJSON_GetObjectItem(j, "status")->valuestring,
                        "submitted");
    assert_non_null(cJSON_GetObjectItem(j, "created_at"));
    got = get_json(NULL, ann_token, path, 200);
    assert_true(cJSON_Compare(j, got, 1));
    expect_same_json(api_body, got);
    cJSON_Delete(j);
    cJSON_Delete(got);
    h_resp_free(&r);
    /* The cookie and CSRF header work too. */
    h_send_json(&r, &srv, &ann, NULL, "POST", "/api/v1/requests", api_body);
    assert_int_equal(r.status, 201);
    h_resp_free(&r);
    /* Without the CSRF header the cookie is not enough. */
    h_request(&r, &srv, &ann, "POST", "/api/v1/requests", "application/json",
              api_body, strlen(api_body), NULL);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
}

/* The 201 answer is, byte for byte, the GET of the stored request: with
 * several kinds of item, hostile text, fields left out and the project
 * manager's e-mail in another letter case than stored. */
static const char api_mixed[] =
    "{\"instance\":\"acme-qa\",\"project_manager\":\"Pat@Platform.Example\","
    "\"title\":\"<script>alert(1)</script> & \\\"quotes\\\" \\u00e9\","
    "\"summary\":\"line one\\nline two\\t'; DROP TABLE requests; --\","
    "\"items\":[{\"kind\":\"new_table\",\"table\":\"loyalty_members\","
    "\"description\":\"<b>bold</b> ]]> {{x}}\",\"source\":\"flat_file_csv\","
    "\"cadence\":\"daily\",\"expected_arrival\":\"05:00\","
    "\"late_after_minutes\":120,\"campaign_dependency\":\"required\","
    "\"campaign_note\":\"Wait.\",\"owner\":\"data@acme.example\","
    "\"columns\":[{\"name\":\"member_id\",\"type\":\"bigint\","
    "\"nullable\":false,\"primary_key\":true},{\"name\":\"amount\","
    "\"type\":\"decimal(12,2)\",\"description\":\"\\u2028 \\\\ x\","
    "\"example\":\"1.50\",\"pii\":true}]},"
    "{\"kind\":\"purchase_history\",\"table\":\"returns\",\"source\":"
    "\"json\",\"cadence\":\"hourly\",\"campaign_dependency\":\"optional\","
    "\"columns\":[{\"name\":\"return_reason\",\"type\":\"string(50)\","
    "\"description\":\"Why\"}]}]}";

/* Posts body as ann and checks that the 201 is byte for byte the GET of
 * the stored request; returns the answer, parsed. */
static cJSON *post_201_is_get(const char *body)
{
    h_resp r, g;
    char auth[200], path[96];
    const char *hdrs[2] = {auth, NULL};
    cJSON *j;

    post_api(&r, ann_token, NULL, body);
    if (r.status != 201)
        fail_msg("status %ld: %s", r.status, r.body);
    j = cJSON_Parse(r.body);
    assert_non_null(j);
    snprintf(path, sizeof path, "/api/v1/requests/%d",
             cJSON_GetObjectItem(j, "id")->valueint);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ann_token);
    h_request(&g, &srv, NULL, "GET", path, NULL, NULL, 0, hdrs);
    assert_int_equal(g.status, 200);
    if (strcmp(r.body, g.body))
        fail_msg("201:\n%s\nGET:\n%s", r.body, g.body);
    h_resp_free(&g);
    h_resp_free(&r);
    return j;
}

static void test_intake__api_201_is_the_stored_request(void **state)
{
    cJSON *j, *inst;

    (void)state;
    j = post_201_is_get(api_mixed);
    assert_string_equal(cJSON_GetObjectItem(j, "project_manager")->valuestring,
                        "pat@platform.example");
    cJSON_Delete(j);
    /* Two instances, the main one second: kept in the order given. */
    j = post_201_is_get(
        "{\"instance\":\"acme-qa\",\"instances\":[\"acme-prod\",\"acme-qa\"],"
        "\"project_manager\":\"pat@platform.example\",\"title\":\"T\","
        "\"summary\":\"S\",\"items\":[{\"kind\":\"purchase_history\","
        "\"table\":\"returns\",\"source\":\"json\",\"cadence\":"
        "\"hourly\",\"campaign_dependency\":\"optional\",\"columns\":"
        "[{\"name\":\"reason\",\"type\":\"string(50)\","
        "\"description\":\"Why\"}]}]}");
    inst = cJSON_GetObjectItem(j, "instances");
    assert_int_equal(cJSON_GetArraySize(inst), 2);
    assert_string_equal(cJSON_GetArrayItem(inst, 0)->valuestring, "acme-prod");
    cJSON_Delete(j);
}

static void test_intake__api_staff_derive_the_organisation(void **state)
{
    static const char body[] =
        "{\"instance\":\"globex-prod\",\"project_manager\":"
        "\"pat@platform.example\",\"title\":\"Globex feed\",\"summary\":"
        "\"x\",\"items\":[{\"kind\":\"new_table\",\"table\":\"feed\","
        "\"description\":\"d\",\"source\":\"api\",\"cadence\":\"daily\","
        "\"campaign_dependency\":\"optional\",\"columns\":[{\"name\":"
        "\"id\",\"type\":\"integer\"}]}]}";
    h_resp r;
    cJSON *j;

    (void)state;
    h_send_json(&r, &srv, &pat, NULL, "POST", "/api/v1/requests", body);
    if (r.status != 201)
        fail_msg("status %ld: %s", r.status, r.body);
    j = cJSON_Parse(r.body);
    assert_string_equal(cJSON_GetObjectItem(j, "organisation")->valuestring,
                        "globex");
    assert_string_equal(cJSON_GetObjectItem(j, "requester_name")->valuestring,
                        "Pat");
    cJSON_Delete(j);
    h_resp_free(&r);
    /* ops read but do not submit */
    h_send_json(&r, &srv, &oz, NULL, "POST", "/api/v1/requests", body);
    assert_int_equal(r.status, 403);
    h_resp_free(&r);
}

typedef struct api_bad {
    const char *what;
    const char *json;
    const char *field;
} api_bad;

static void test_intake__api_invalid_422_with_field(void **state)
{
    static const api_bad cases[] = {
        {"other organisation",
         "{\"organisation\":\"globex\",\"instance\":\"acme-qa\","
         "\"project_manager\":\"pat@platform.example\",\"title\":\"t\","
         "\"summary\":\"s\",\"items\":[{\"kind\":\"new_table\",\"table\":"
         "\"t1\",\"description\":\"d\",\"source\":\"api\",\"cadence\":"
         "\"daily\",\"campaign_dependency\":\"optional\",\"columns\":"
         "[{\"name\":\"id\",\"type\":\"integer\"}]}]}",
         "organisation"},
        {"no items",
         "{\"instance\":\"acme-qa\",\"project_manager\":"
         "\"pat@platform.example\",\"title\":\"t\",\"summary\":\"s\","
         "\"items\":[]}",
         "items"},
        {"fourth column a PostgreSQL system column",
         "{\"instance\":\"acme-qa\",\"project_manager\":"
         "\"pat@platform.example\",\"title\":\"t\",\"summary\":\"s\","
         "\"items\":[{\"kind\":\"add_columns\",\"table\":\"t2\",\"columns\":"
         "[{\"name\":\"a\",\"type\":\"text\"},{\"name\":\"b\",\"type\":"
         "\"text\"},{\"name\":\"c\",\"type\":\"text\"},{\"name\":\"ctid\","
         "\"type\":\"text\"}]}]}",
         "items[0].columns[3].name"},
        {"wrong JSON type", "{\"title\":5}", "title"},
        {"unknown key", "{\"titel\":\"x\"}", "titel"},
        {"trailing garbage", "{} x", ""},
    };
    char *before = h_db_digest(&srv);

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        h_resp r;
        cJSON *j, *e;
        int found = 0;
        post_api(&r, ann_token, NULL, cases[i].json);
        if (r.status != 422)
            fail_msg("%s: status %ld: %s", cases[i].what, r.status, r.body);
        j = cJSON_Parse(r.body);
        assert_non_null(j);
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "errors"))
        {
            const cJSON *f = cJSON_GetObjectItem(e, "field");
            assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "message")));
            if (cJSON_IsString(f) && !strcmp(f->valuestring, cases[i].field))
                found = 1;
        }
        if (!found)
            fail_msg("%s: no error on \"%s\": %s", cases[i].what,
                     cases[i].field, r.body);
        cJSON_Delete(j);
        h_resp_free(&r);
        h_unchanged(&srv, before, cases[i].what);
    }
    free(before);
}

static void test_intake__idempotency_key(void **state)
{
    h_resp r1, r2, r3;
    char *before;
    cJSON *a, *b;
    char *other;
    int64_t n0;

    (void)state;
    n0 = h_db_int(&srv, "SELECT count(*) FROM requests");
    post_api(&r1, ann_token, "retry-42", api_body);
    assert_int_equal(r1.status, 201);
    before = h_db_digest(&srv);
    post_api(&r2, ann_token, "retry-42", api_body);
    assert_int_equal(r2.status, 201); /* the stored request again */
    a = cJSON_Parse(r1.body);
    b = cJSON_Parse(r2.body);
    assert_int_equal(cJSON_GetObjectItem(a, "id")->valueint,
                     cJSON_GetObjectItem(b, "id")->valueint);
    assert_int_equal(h_db_int(&srv, "SELECT count(*) FROM requests"), n0 + 1);
    h_unchanged(&srv, before, NULL);
    /* same key, different body */
    other = strdup(api_body);
    memcpy(strstr(other, "Purchase history returns"), "Purchase History", 16);
    post_api(&r3, ann_token, "retry-42", other);
    assert_int_equal(r3.status, 409);
    assert_non_null(strstr(r3.body, "Idempotency-Key"));
    h_unchanged(&srv, before, NULL);
    free(before);
    free(other);
    cJSON_Delete(a);
    cJSON_Delete(b);
    h_resp_free(&r1);
    h_resp_free(&r2);
    h_resp_free(&r3);
}

/* ---- tenants, lists, roles ---------------------------------------------- */

static void test_intake__other_organisation_gets_404(void **state)
{
    static const char csv[] = "a\n1\n";
    const file files[] = {{"a.csv", csv, sizeof csv - 1}};
    h_resp r, missing;
    int64_t id, aid;
    char path[96], miss[96];
    cJSON *list;

    (void)state;
    post_multipart(&r, &ann, NULL, files, 1);
    id = created_id(&r);
    h_resp_free(&r);
    aid = h_db_int(&srv, "SELECT max(id) FROM attachments");

    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get(&r, &srv, &bob, path);
    h_get(&missing, &srv, &bob, "/requests/999999");
    assert_int_equal(r.status, 404);
    assert_int_equal(missing.status, 404);
    assert_string_equal(r.body, missing.body);
    h_resp_free(&r);
    h_resp_free(&missing);

    snprintf(path, sizeof path, "/api/v1/requests/%lld", (long long)id);
    h_get(&r, &srv, &bob, path);
    h_get(&missing, &srv, &bob, "/api/v1/requests/999999");
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, missing.body);
    h_resp_free(&r);
    h_resp_free(&missing);

    snprintf(path, sizeof path, "/requests/%lld/attachments/%lld",
             (long long)id, (long long)aid);
    snprintf(miss, sizeof miss, "/requests/%lld/attachments/999999",
             (long long)id);
    h_get(&r, &srv, &bob, path);
    h_get(&missing, &srv, &bob, miss);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, missing.body);
    h_resp_free(&r);
    h_resp_free(&missing);
    /* the attachment of request id is not reachable through another id */
    snprintf(path, sizeof path, "/requests/%lld/attachments/%lld",
             (long long)id + 1000, (long long)aid);
    h_get_expect(&srv, &ann, path, 404, NULL);

    /* lists: bob sees none of acme's, staff see all */
    list = get_json(&bob, NULL, "/api/v1/requests?per_page=100", 200);
    {
        cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(list, "requests"))
            assert_string_equal(
                cJSON_GetObjectItem(e, "organisation")->valuestring, "globex");
    }
    cJSON_Delete(list);
    list = get_json(&oz, NULL, "/api/v1/requests?per_page=2&page=1", 200);
    assert_true(cJSON_GetObjectItem(list, "total")->valueint >= 1);
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(list, "requests")) <= 2);
    cJSON_Delete(list);
    /* ops may read the page */
    snprintf(path, sizeof path, "/requests/%lld", (long long)id);
    h_get_expect(&srv, &oz, path, 200, NULL);
}

static void test_intake__list_filters(void **state)
{
    cJSON *l;

    (void)state;
    l = get_json(&ann, NULL, "/api/v1/requests?q=PURCHASE%20history", 200);
    assert_true(cJSON_GetObjectItem(l, "total")->valueint >= 1);
    cJSON_Delete(l);
    l = get_json(&ann, NULL, "/api/v1/requests?status=deployed", 200);
    assert_int_equal(cJSON_GetObjectItem(l, "total")->valueint, 0);
    cJSON_Delete(l);
    l = get_json(&ann, NULL, "/api/v1/requests?instance=acme-qa&per_page=1",
                 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(l, "requests")), 1);
    assert_true(cJSON_GetObjectItem(l, "pages")->valueint >= 1);
    cJSON_Delete(l);
    h_get_expect(&srv, &ann, "/api/v1/requests?per_page=1000", 422, "per_page",
                 NULL);
    h_get_expect(&srv, &ann, "/api/v1/requests?status=lost", 422, NULL);
}

/* ---- form definition and inference -------------------------------------- */

static void test_intake__form_definition_and_inference(void **state)
{
    static const char csv[] =
        "Member ID,Tier,E-mail opt in,Joined\n"
        "100045,gold,true,2024-01-03\n100046,silver,,2024-02-11\n";
    buf b = {0};
    h_resp r;
    cJSON *j, *cols;
    char csrf[120];
    const char *hdrs[2] = {csrf, NULL};

    (void)state;
    j = get_json(&ann, NULL, "/api/v1/form", 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "sections")), 2);
    cJSON_Delete(j);

    snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", ann.csrf);
    h_mp_file(&b, "file", "members.csv", 11, "text/csv", csv, sizeof csv - 1);
    h_post_multipart(&r, &srv, &ann, "/api/v1/infer-columns", &b, hdrs);
    if (r.status != 200)
        fail_msg("infer: %ld %s", r.status, r.body);
    j = cJSON_Parse(r.body);
    cols = cJSON_GetObjectItem(j, "columns");
    assert_int_equal(cJSON_GetArraySize(cols), 4);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cols, 0), "name")->valuestring,
        "member_id");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cols, 0), "original")
            ->valuestring,
        "Member ID");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cols, 3), "type")->valuestring,
        "date");
    assert_true(cJSON_IsTrue(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cols, 2), "nullable")));
    cJSON_Delete(j);
    h_resp_free(&r);

    h_request(&r, &srv, &ann, "POST", "/api/v1/infer-columns", "text/csv",
              "a;b\n1;x\n", 8, hdrs);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"delimiter\":\";\""));
    h_resp_free(&r);
    h_request(&r, &srv, &ann, "POST", "/api/v1/infer-columns", "text/csv",
              "a,\"b\n", 6, hdrs);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"field\":\"file\""));
    h_resp_free(&r);
    h_request(&r, &srv, &ann, "POST", "/api/v1/infer-columns",
              "application/xml", "<a/>", 4, hdrs);
    assert_int_equal(r.status, 415);
    h_resp_free(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_intake__form_page_renders_from_the_definition),
    cmocka_unit_test(test_intake__urlencoded_submission_stored_exactly),
    cmocka_unit_test(test_intake__multipart_with_attachment),
    cmocka_unit_test(test_intake__unicode_filename_download),
    cmocka_unit_test(test_intake__invalid_html_answers_422_and_writes_nothing),
    cmocka_unit_test(test_intake__bad_values_stay_visible),
    cmocka_unit_test(test_intake__bad_files_refused),
    cmocka_unit_test(test_intake__too_many_files),
    cmocka_unit_test(test_intake__files_kept_across_an_error),
    cmocka_unit_test(test_intake__add_buttons_rerender_without_storing),
    cmocka_unit_test(test_intake__request_page_escapes),
    cmocka_unit_test(test_intake__api_submission_stored_exactly),
    cmocka_unit_test(test_intake__api_201_is_the_stored_request),
    cmocka_unit_test(test_intake__api_staff_derive_the_organisation),
    cmocka_unit_test(test_intake__api_invalid_422_with_field),
    cmocka_unit_test(test_intake__idempotency_key),
    cmocka_unit_test(test_intake__other_organisation_gets_404),
    cmocka_unit_test(test_intake__list_filters),
    cmocka_unit_test(test_intake__form_definition_and_inference),
};

int main(void)
{
    return cmocka_run_group_tests(tests, up, h_group_down);
}
