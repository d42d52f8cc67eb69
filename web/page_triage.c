/* page_triage.c: what happens to a request after it was submitted, in
 * the browser and the API: the route table of the area, what its pages
 * share, and the migration of a request (the preview page, its downloads
 * and its JSON API; the choice of instance, dialect and format is
 * triage_migration_load of domain/triage_cases.h). The other pages are in
 * page_queue.c (the queue and its CSV), page_sprints.c (GET /, sprints,
 * the board and their API) and page_triage_actions.c (transitions,
 * priority, comments, edits and their JSON API); the use cases in
 * domain/triage_cases.h, the store in registry/triage.h. */
#include "page_triage_int.h"
#include "log.h"
#include "mem.h"
#include "migrate.h"
#include "str.h"

#ifdef HAVE_LIBZIP
#include <zip.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void triage_sprints_ensure(web_req *req)
{
    registry_sprint_rules rules;
    errmsg err = {0};

    registry_sprint_rules_from_config(&rules, req->cfg);
    if (registry_sprints_ensure(req->reg, &rules, time_now(), 2, &err) < 0)
        log_msg(LOG_WARN, "sprints: %s", err.msg);
}

void triage_days_ago(buf *o, int64_t t, int64_t now)
{
    int64_t d = (now - t) / 86400;

    if (d <= 0)
        buf_puts(o, "today");
    else
        buf_appendf(o, "%lld day%s", (long long)d, d == 1 ? "" : "s");
}

void triage_not_found(web_req *req)
{
    web_reply_error(req, 404, "There is no such request.");
}

int64_t triage_visible_id(web_req *req)
{
    domain_actor a = intake_actor(req);
    int64_t id = web_arg_id(req, 0);
    errmsg err = {0};
    int rc = triage_request_visible(req->reg, &a, id, &err);

    if (rc == ERR_NOTFOUND)
        triage_not_found(req);
    else if (rc < 0)
        web_reply_err(req, &err);
    return rc < 0 ? 0 : id;
}

void triage_request_numbers(buf *o, const char *ids)
{
    for (const char *p = ids; *p; p++) {
        if (*p == ',') {
            buf_puts(o, ", ");
            continue;
        }
        if (p == ids || p[-1] == ',')
            buf_puts(o, "CR-");
        if (*p >= '0' && *p <= '9')
            buf_putc(o, *p);
    }
}

void triage_table_li(void *ctx, const registry_sprint_table *t)
{
    triage_tables_ctx *c = ctx;
    buf *o = c->o;

    c->n++;
    buf_puts(o, "<li><a href=\"/tables/");
    buf_append_url(o, t->instance);
    buf_putc(o, '/');
    buf_append_url(o, t->table);
    buf_puts(o, "\"><code>");
    buf_append_html(o, t->table);
    buf_puts(o, "</code> on ");
    buf_append_html(o, t->instance);
    buf_puts(o, "</a> ");
    if (!strcmp(t->campaign_dependency, "required"))
        buf_puts(o, "<span class=\"badge required\">REQUIRED</span> ");
    else if (!strcmp(t->campaign_dependency, "optional"))
        buf_puts(o, "<span class=\"badge optional\">OPTIONAL</span> ");
    buf_puts(o, "<span class=\"muted\">");
    triage_request_numbers(o, t->requests);
    if (c->deployed && t->deployed_at) {
        buf_puts(o, ", deployed ");
        page_time(o, t->deployed_at);
    }
    buf_puts(o, "</span></li>");
}

/* ---- deploys ----------------------------------------------------------- */

/* The opening of a deploy form for instance name of request id. */
static void deploy_open(web_req *req, int64_t id, const char *name,
                        const char *cls)
{
    buf *o = &req->out;

    buf_appendf(o,
                "<form method=\"post\" action=\"/requests/%lld/transitions\" "
                "class=\"%s\">",
                (long long)id, cls);
    page_csrf_input(req);
    page_wrap(o,
              "<input type=\"hidden\" name=\"to\" value=\"deployed\">"
              "<input type=\"hidden\" name=\"instance\" value=\"",
              name, "\">");
}

/* "acme-qa (QA) and acme-stage (staging)". */
static void ahead_words(buf *o, const registry_request_instance *list,
                        const size_t *ahead, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        const registry_request_instance *ri = &list[ahead[i]];
        if (i)
            buf_puts(o, i + 1 == m ? " and " : ", ");
        buf_append_html(o, ri->name);
        buf_puts(o, " (");
        buf_append_html(o, registry_environment_label(ri->environment));
        buf_puts(o, ")");
    }
}

/* A deploy that goes ahead of QA or staging: the reason is required. */
static void deploy_ahead_form(web_req *req, int64_t id,
                              const registry_request_instance *list, size_t k,
                              const size_t *ahead, size_t m)
{
    buf *o = &req->out;
    const registry_request_instance *ri = &list[k];

    deploy_open(req, id, ri->name, "stack deploy-ahead");
    buf_appendf(o, "<div class=\"field\"><label for=\"reason-%zu\">", k);
    page_wrap(o, "Reason to deploy ", ri->name, " first");
    buf_appendf(o, "</label><p class=\"help\" id=\"reason-%zu-help\">", k);
    ahead_words(o, list, ahead, m);
    buf_puts(o, m == 1 ? " is" : " are");
    buf_puts(o, " not deployed yet. The reason is kept in the timeline.</p>");
    buf_appendf(
        o,
        "<textarea id=\"reason-%zu\" name=\"reason\" rows=\"2\" "
        "maxlength=\"%d\" required aria-describedby=\"reason-%zu-help\">"
        "</textarea></div><div class=\"actions\"><button "
        "class=\"button danger\" type=\"submit\">",
        k, FORM_MAX_TEXT, k);
    page_wrap(o, "Deployed to ", ri->name, " first");
    buf_puts(o, "</button></div></form>");
}

void triage_deploy_forms(web_req *req, int64_t id,
                         const registry_request_instance *list, size_t n)
{
    buf *o = &req->out;
    size_t *ahead = xcalloc(n ? n : 1, sizeof *ahead);
    int row = 0; /* a row of buttons is open */

    buf_puts(o, "<div><h3>Deploy</h3><p class=\"help\">Deploying applies "
                "the request to that instance's registry. Deploy in this "
                "order: QA, then staging, then production.</p>");
    /* In deploy order: buttons in rows, a deploy ahead of QA as a form
       of its own between them. */
    for (size_t k = 0; k < n; k++) {
        size_t m = registry_deploy_ahead(list, n, k, ahead);
        if (list[k].deployed_at)
            continue;
        if (m) {
            if (row)
                buf_puts(o, "</div>");
            row = 0;
            deploy_ahead_form(req, id, list, k, ahead, m);
            continue;
        }
        if (!row)
            buf_puts(o, "<div class=\"actions\">");
        row = 1;
        deploy_open(req, id, list[k].name, "inline");
        page_wrap(o,
                  "<button class=\"button primary\" type=\"submit\" "
                  "data-confirm=\"Mark it deployed to ",
                  list[k].name, " and update that registry?\">Deployed to ");
        buf_append_html(o, list[k].name);
        page_wrap(o, " (", registry_environment_label(list[k].environment),
                  ")</button></form>");
    }
    buf_puts(o, row ? "</div></div>" : "</div>");
    free(ahead);
}

/* ---- migrations -------------------------------------------------------- */

/* Loads request id and its migration for the query's instance, dialect
 * and format. Replies and returns -1 on failure. */
static int mig_load(web_req *req, triage_migration *m, int64_t id)
{
    domain_actor a = intake_actor(req);
    triage_migration_query q = {
        web_query(req, "instance"), web_query(req, "dialect"),
        web_query(req, "format"), req->cfg ? req->cfg->base_url : NULL};
    errmsg err = {0};

    if (triage_migration_load(req->reg, &a, id, &q, m, &err) < 0) {
        web_reply_err(req, &err);
        return -1;
    }
    return 0;
}

static void mig_query(buf *b, const triage_migration *m, const char *extra)
{
    buf_puts(b, "?instance=");
    buf_append_url(b, m->instance);
    buf_puts(b, "&dialect=");
    buf_puts(b, sql_dialect_name(m->dialect));
    buf_puts(b, "&format=");
    buf_puts(b, migrate_format_name(m->format));
    if (extra)
        buf_puts(b, extra);
}

static const char *dialect_name(int d)
{
    return sql_dialect_name((sql_dialect)d);
}

static const char *format_name(int f)
{
    return migrate_format_name((migrate_format)f);
}

/* A <select> field of the n values of an enum, current selected. */
static void enum_select(buf *o, const char *id, const char *label, int n,
                        int current, const char *(*name_of)(int))
{
    buf_appendf(o,
                "<div class=\"field\"><label for=\"m-%s\">%s</label><select "
                "id=\"m-%s\" name=\"%s\">",
                id, label, id, id);
    for (int v = 0; v < n; v++)
        buf_appendf(o, "<option value=\"%s\"%s>%s</option>", name_of(v),
                    v == current ? " selected" : "", name_of(v));
    buf_puts(o, "</select></div>");
}

/* The lint warnings and the files of m with their download links. */
static void mig_results_html(buf *o, const triage_migration *m, int64_t id)
{
    buf q = {0};

    if (m->res.nwarnings) {
        buf_puts(o, "<section class=\"alert warning\" id=\"warnings\"><h2>"
                    "Check before you run it</h2><ul>");
        for (size_t i = 0; i < m->res.nwarnings; i++) {
            buf_puts(o, "<li><code>");
            buf_puts(o, migrate_lint_name(m->res.warnings[i].rule));
            buf_puts(o, "</code> ");
            buf_append_html(o, m->res.warnings[i].message);
            buf_puts(o, "</li>");
        }
        buf_puts(o, "</ul></section>");
    } else {
        buf_puts(o, "<p class=\"alert success\">No lint warnings.</p>");
    }
    for (size_t i = 0; i < m->res.nfiles; i++) {
        buf_reset(&q);
        mig_query(&q, m, "&file=");
        buf_append_url(&q, m->res.files[i].name);
        buf_puts(o, "<section class=\"card\"><div class=\"page-head\"><h2>"
                    "<code>");
        buf_append_html_ident(o, m->res.files[i].name);
        buf_appendf(o,
                    "</code></h2><div class=\"actions\"><a "
                    "class=\"button small\" href=\"/requests/%lld/"
                    "migrations/download",
                    (long long)id);
        buf_append_html(o, buf_cstr(&q));
        buf_puts(o, "\" download>Download</a></div></div><pre "
                    "class=\"sql\" tabindex=\"0\"><code>");
        buf_append_html(o, m->res.files[i].content);
        buf_puts(o, "</code></pre></section>");
    }
    buf_dispose(&q);
}

/* GET /requests/{id}/migrations */
void page_migrations(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    buf *o = &req->out;
    buf q = {0};
    char title[64];
    triage_migration m;

    if (mig_load(req, &m, id) < 0) {
        triage_migration_dispose(&m);
        return;
    }
    snprintf(title, sizeof title, "Migration of CR-%lld", (long long)id);
    page_begin(req, title);
    buf_appendf(o,
                "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a "
                "href=\"/requests/%lld\">CR-%lld</a></nav><h1>",
                (long long)id, (long long)id);
    buf_append_html(o, title);
    buf_appendf(o,
                "</h1><form method=\"get\" action=\"/requests/%lld/"
                "migrations\" class=\"toolbar grid-form\" "
                "aria-label=\"Migration options\"><div class=\"field\">"
                "<label for=\"m-instance\">Instance</label><select "
                "id=\"m-instance\" name=\"instance\">",
                (long long)id);
    for (size_t i = 0; i < m.ninsts; i++) {
        buf_puts(o, "<option value=\"");
        buf_append_html(o, m.insts[i].name);
        buf_puts(o, "\"");
        if (!strcmp(m.insts[i].name, m.instance))
            buf_puts(o, " selected");
        buf_puts(o, ">");
        buf_append_html(o, m.insts[i].name);
        buf_puts(o, " (");
        buf_append_html(o, m.insts[i].environment);
        buf_puts(o, ", ");
        buf_append_html(o, m.insts[i].dialect);
        buf_puts(o, ")</option>");
    }
    buf_puts(o, "</select></div>");
    enum_select(o, "dialect", "Dialect", SQL_NDIALECTS, (int)m.dialect,
                dialect_name);
    enum_select(o, "format", "File format", MIGRATE_NFORMATS, (int)m.format,
                format_name);
    buf_puts(o, "<div class=\"actions\"><button "
                "class=\"button primary\" type=\"submit\">Show</button>");
#ifdef HAVE_LIBZIP
    buf_appendf(o,
                " <a class=\"button\" href=\"/requests/%lld/migrations/"
                "download",
                (long long)id);
    mig_query(&q, &m, "&zip=1");
    buf_append_html(o, buf_cstr(&q));
    buf_puts(o, "\" download>Download all (.zip)</a>");
#endif
    buf_puts(o, "</div></form>");
    mig_results_html(o, &m, id);
    buf_dispose(&q);
    page_end(req);
    triage_migration_dispose(&m);
}

static void content_disposition(web_req *req, const char *name)
{
    buf cd = {0};

    buf_puts(&cd, "attachment; filename=\"");
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        buf_putc(&cd, c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
                              c == ';' || c == '%'
                          ? '_'
                          : (char)c);
    }
    buf_puts(&cd, "\"; filename*=UTF-8''");
    buf_append_url(&cd, name);
    web_header_add(req, "Content-Disposition", buf_cstr(&cd));
    buf_dispose(&cd);
}

#ifdef HAVE_LIBZIP
/* The files as a zip archive built in memory; 0 or -1. */
static int zip_build(buf *out, const migrate_result *res)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    zip_int64_t size;
    int rc = -1;

    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src)
        goto done;
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_source_free(src);
        goto done;
    }
    zip_source_keep(src);
    for (size_t i = 0; i < res->nfiles; i++) {
        zip_source_t *fs = zip_source_buffer(za, res->files[i].content,
                                             strlen(res->files[i].content), 0);
        if (!fs || zip_file_add(za, res->files[i].name, fs,
                                ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(fs);
            zip_discard(za);
            zip_source_free(src);
            goto done;
        }
    }
    if (zip_close(za) < 0) {
        zip_discard(za);
        zip_source_free(src);
        goto done;
    }
    if (zip_source_open(src) < 0) {
        zip_source_free(src);
        goto done;
    }
    zip_source_seek(src, 0, SEEK_END);
    size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    if (size > 0) {
        char chunk[8192];
        zip_int64_t n;
        while ((n = zip_source_read(src, chunk, sizeof chunk)) > 0)
            buf_append(out, chunk, (size_t)n);
    }
    zip_source_close(src);
    zip_source_free(src);
    rc = size > 0 ? 0 : -1;
done:
    zip_error_fini(&ze);
    return rc;
}
#endif

/* GET /requests/{id}/migrations/download?...&file=NAME | &zip=1 */
void page_migrations_download(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    const char *file = web_query(req, "file");
    const char *zip = web_query(req, "zip");
    char name[96];
    triage_migration m;

    if (mig_load(req, &m, id) < 0) {
        triage_migration_dispose(&m);
        return;
    }
    buf_reset(&req->out);
    if (zip && !strcmp(zip, "1")) {
#ifdef HAVE_LIBZIP
        if (zip_build(&req->out, &m.res) < 0) {
            errmsg err = {0};
            err_set(&err, ERR_INTERNAL, "zip archive failed");
            buf_reset(&req->out);
            web_reply_err(req, &err);
            triage_migration_dispose(&m);
            return;
        }
        snprintf(name, sizeof name, "cr-%lld-%s-%s-%s.zip", (long long)id,
                 m.instance, sql_dialect_name(m.dialect),
                 migrate_format_name(m.format));
        content_disposition(req, name);
        web_reply_type(req, 200, "application/zip");
#else
        (void)name;
        web_reply_error(req, 404,
                        "This docket was built without zip "
                        "support.");
#endif
        triage_migration_dispose(&m);
        return;
    }
    for (size_t i = 0; file && i < m.res.nfiles; i++) {
        if (strcmp(m.res.files[i].name, file) != 0)
            continue;
        buf_puts(&req->out, m.res.files[i].content);
        content_disposition(req, m.res.files[i].name);
        web_header_add(req, "X-Content-Type-Options", "nosniff");
        web_reply_type(req, 200, "application/sql; charset=utf-8");
        triage_migration_dispose(&m);
        return;
    }
    web_reply_error(req, 404, "There is no such file in this migration.");
    triage_migration_dispose(&m);
}
/* GET /api/v1/requests/{id}/migrations?instance=&dialect=&format= */
void api_migrations(web_req *req)
{
    int64_t id = web_arg_id(req, 0);
    cJSON *root, *files, *warns;
    triage_migration m;

    if (mig_load(req, &m, id) < 0) {
        triage_migration_dispose(&m);
        return;
    }
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "request", (double)id);
    cJSON_AddStringToObject(root, "instance", m.instance);
    cJSON_AddStringToObject(root, "dialect", sql_dialect_name(m.dialect));
    cJSON_AddStringToObject(root, "format", migrate_format_name(m.format));
    files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < m.res.nfiles; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m.res.files[i].name);
        cJSON_AddStringToObject(o, "content", m.res.files[i].content);
        cJSON_AddItemToArray(files, o);
    }
    warns = cJSON_AddArrayToObject(root, "warnings");
    for (size_t i = 0; i < m.res.nwarnings; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule",
                                migrate_lint_name(m.res.warnings[i].rule));
        if (m.res.warnings[i].item >= 0)
            cJSON_AddNumberToObject(o, "item", m.res.warnings[i].item);
        else
            cJSON_AddNullToObject(o, "item");
        if (m.res.warnings[i].column >= 0)
            cJSON_AddNumberToObject(o, "column", m.res.warnings[i].column);
        else
            cJSON_AddNullToObject(o, "column");
        cJSON_AddStringToObject(o, "message", m.res.warnings[i].message);
        cJSON_AddItemToArray(warns, o);
    }
    triage_migration_dispose(&m);
    web_reply_json(req, 200, root);
}

const web_route web_routes_triage[] = {
    {"GET", "/requests", ROLE_USER, 0, page_queue},
    {"GET", "/requests.csv", ROLE_USER, 0, page_queue_csv},
    {"POST", "/requests/{id}/transitions", ROLE_USER, 0, page_transition},
    {"POST", "/requests/{id}/plan", ROLE_USER, 0, page_plan},
    {"POST", "/requests/{id}/comments", ROLE_USER, 0, page_comment},
    {"GET", "/requests/{id}/edit", ROLE_AUTHOR, 0, page_edit_form},
    {"POST", "/requests/{id}/edit", ROLE_AUTHOR, 0, page_edit},
    {"GET", "/requests/{id}/migrations", ROLE_USER, 0, page_migrations},
    {"GET", "/requests/{id}/migrations/download", ROLE_USER, 0,
     page_migrations_download},
    {"GET", "/sprints", ROLE_STAFF, 0, page_sprints},
    {"GET", "/sprints/{id}", ROLE_STAFF, 0, page_sprint_board},
    {"POST", "/api/v1/requests/{id}/transitions", ROLE_USER,
     WEB_JSON | WEB_RAWBODY, api_transition},
    {"GET", "/api/v1/requests/{id}/comments", ROLE_USER, WEB_JSON,
     api_comments_list},
    {"POST", "/api/v1/requests/{id}/comments", ROLE_USER,
     WEB_JSON | WEB_RAWBODY, api_comments_add},
    {"GET", "/api/v1/requests/{id}/migrations", ROLE_USER, WEB_JSON,
     api_migrations},
    {"GET", "/api/v1/sprints", ROLE_STAFF, WEB_JSON, api_sprints_list},
    {"GET", "/api/v1/sprints/{id}", ROLE_STAFF, WEB_JSON, api_sprint_get},
    {NULL, NULL, 0, 0, NULL}};
