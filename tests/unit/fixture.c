/* fixture.c: the shared helpers of the unit tests (see fixture.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "fixture.h"

#include "mem.h"
#include "parse.h"
#include "catalog.h"
#include "requests.h"
#include "web_int.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- files ---------------------------------------------------------- */

void ufx_tmpdir(char *dir, size_t size, const char *tag)
{
    snprintf(dir, size, "/tmp/docket-%s-XXXXXX", tag);
    if (!mkdtemp(dir))
        fail_msg("mkdtemp %s failed", dir);
}

static int remove_one(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

void ufx_rmtree(const char *dir)
{
    if (access(dir, F_OK) == 0 &&
        nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fail_msg("could not remove %s", dir);
}

char *ufx_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    buf b = {0};
    char chunk[4096];
    size_t n;

    if (!fp)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, n);
    fclose(fp);
    if (len)
        *len = b.len;
    return buf_detach(&b);
}

char *ufx_read_data(const char *rel, size_t *len)
{
    char path[512];
    char *data;

    snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, rel);
    data = ufx_slurp(path, len);
    if (!data)
        fail_msg("cannot read %s", path);
    return data;
}

void ufx_write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    if (!fp)
        fail_msg("cannot write %s", path);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* ---- assertions ----------------------------------------------------- */

void ufx_buf_is(buf *b, const char *want)
{
    assert_string_equal(buf_cstr(b), want);
    buf_dispose(b);
}

cJSON *ufx_json_parse(const char *text)
{
    cJSON *j = cJSON_Parse(text ? text : "");

    if (!j)
        fail_msg("not JSON: %.80s", text ? text : "(null)");
    return j;
}

const cJSON *ufx_json_at(const cJSON *o, const char *path)
{
    char part[128];
    const char *p = path;

    while (o && *p) {
        size_t n = strcspn(p, ".");
        char *end;
        long i;

        snprintf(part, sizeof part, "%.*s", (int)n, p);
        i = strtol(part, &end, 10);
        if (cJSON_IsArray(o) && *part && !*end)
            o = cJSON_GetArrayItem(o, (int)i);
        else
            o = cJSON_GetObjectItemCaseSensitive(o, part);
        p += n + (p[n] == '.');
    }
    if (!o)
        fail_msg("no JSON member %s", path);
    return o;
}

void ufx_json_str(const cJSON *o, const char *path, const char *want)
{
    const cJSON *v = ufx_json_at(o, path);

    if (!cJSON_IsString(v))
        fail_msg("JSON member %s is not a string", path);
    assert_string_equal(v->valuestring, want);
}

void ufx_json_int(const cJSON *o, const char *path, int64_t want)
{
    const cJSON *v = ufx_json_at(o, path);

    if (!cJSON_IsNumber(v))
        fail_msg("JSON member %s is not a number", path);
    assert_int_equal((int64_t)v->valuedouble, want);
}

void ufx_json_true(const cJSON *o, const char *path)
{
    if (!cJSON_IsTrue(ufx_json_at(o, path)))
        fail_msg("JSON member %s is not true", path);
}

void ufx_json_size(const cJSON *o, const char *path, int n)
{
    assert_int_equal(cJSON_GetArraySize(ufx_json_at(o, path)), n);
}

void ufx_each_is(int (*pred)(const char *), const char *const *list, size_t n,
                 int want)
{
    for (size_t i = 0; i < n; i++) {
        int got = pred(list[i]);
        if (got != want)
            fail_msg("\"%s\" (item %zu) gave %d, not %d", list[i], i, got,
                     want);
    }
}

void ufx_ids_add(ufx_ids *s, int64_t id)
{
    if (s->n < UFX_MAXIDS)
        s->ids[s->n] = id;
    s->n++;
}

void ufx_set(char **p, const char *v)
{
    free(*p);
    *p = xstrdup(v);
}

/* ---- a temporary registry ------------------------------------------- */

ufx *ufx_open(const char *tag)
{
    ufx *f = xcalloc(1, sizeof *f);
    errmsg err = {0};

    assert_true(sodium_init() >= 0);
    ufx_tmpdir(f->dir, sizeof f->dir, tag);
    snprintf(f->path, sizeof f->path, "%s/docket.db", f->dir);
    cfg_init(&f->cfg);
    if (registry_open(&f->reg, f->path, 0, &err) < 0)
        fail_msg("registry_open: %s", err.msg);
    assert_int_equal(sqlite3_open(f->path, &f->db), SQLITE_OK);
    sqlite3_busy_timeout(f->db, 5000);
    return f;
}

void ufx_people(ufx *f, const char *globex_dialect)
{
    static const struct {
        const char *email, *name, *role, *org;
        size_t at; /* offset of the id in ufx */
    } users[] = {
        {"ann@acme.example", "Ann", "client", "acme", offsetof(ufx, client_a)},
        {"bob@globex.example", "Bob", "client", "globex",
         offsetof(ufx, client_b)},
        {"pm@platform.example", "Pat", "pm", NULL, offsetof(ufx, pm)},
        {"ops@platform.example", "Oz", "ops", NULL, offsetof(ufx, ops)},
        {"admin@platform.example", "Ada", "admin", NULL, offsetof(ufx, admin)},
    };
    static const char *const instances[][4] = {
        {"acme", "acme-qa", "qa", "postgres"},
        {"acme", "acme-prod", "production", "postgres"},
        {"globex", "globex-prod", "production", NULL},
    };
    errmsg err = {0};

    if (registry_org_add(f->reg, &f->org_a, "acme", &err) < 0 ||
        registry_org_add(f->reg, &f->org_b, "globex", &err) < 0)
        fail_msg("organisations: %s", err.msg);
    for (size_t i = 0; i < UFX_NELEM(instances); i++) {
        const char *const *in = instances[i];
        if (registry_instance_add(f->reg, NULL, in[0], in[1], in[2],
                                  in[3] ? in[3] : globex_dialect, &err) < 0)
            fail_msg("instance %s: %s", in[1], err.msg);
    }
    for (size_t i = 0; i < UFX_NELEM(users); i++) {
        int64_t *id = (int64_t *)((char *)f + users[i].at);
        if (registry_user_add(f->reg, id, users[i].email, users[i].name,
                              users[i].role, users[i].org, NULL, &err) < 0)
            fail_msg("user %s: %s", users[i].email, err.msg);
    }
}

void ufx_route(ufx *f, const char *event, const char *channels)
{
    errmsg err = {0};
    char name[64], section[80];

    for (const char *p = channels; *p;) {
        size_t n = strcspn(p, ", ");
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        p += n;
        p += strspn(p, ", ");
        snprintf(section, sizeof section, "channel.%s", name);
        if (*name && !cfg_channel_find(&f->cfg, name) &&
            cfg_set(&f->cfg, section, "type", "slack", &err) < 0)
            fail_msg("channel %s: %s", name, err.msg);
    }
    if (cfg_set(&f->cfg, "route", event, channels, &err) < 0)
        fail_msg("route %s: %s", event, err.msg);
    registry_routes_set(f->cfg.routes, f->cfg.nroutes);
}

void ufx_close(ufx *f)
{
    if (!f)
        return;
    registry_routes_set(NULL, 0);
    sqlite3_close(f->db);
    registry_close(f->reg);
    cfg_dispose(&f->cfg);
    ufx_rmtree(f->dir);
    free(f);
}

int ufx_teardown(void **state)
{
    ufx_close(*state);
    *state = NULL;
    return 0;
}

static sqlite3_stmt *first_row(ufx *f, const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(f->db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(f->db));
    return st;
}

int64_t ufx_int(ufx *f, const char *sql)
{
    sqlite3_stmt *st = first_row(f, sql);
    int64_t v = -1;

    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

char *ufx_text(ufx *f, const char *sql)
{
    sqlite3_stmt *st = first_row(f, sql);
    char *v = NULL;

    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

void ufx_exec(ufx *f, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(f->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        char copy[300];
        snprintf(copy, sizeof copy, "%s", msg ? msg : "?");
        sqlite3_free(msg);
        fail_msg("%s: %s", sql, copy);
    }
}

/* ---- requests ------------------------------------------------------- */

void ufx_parse(form_request *r, const char *json)
{
    form_errors fe = {0};

    if (form_parse_json(r, json, strlen(json), &fe) != 0)
        fail_msg("%s: %s", fe.n ? fe.errs[0].field : "?",
                 fe.n ? fe.errs[0].message : "parse failed");
    form_errors_dispose(&fe);
}

int64_t ufx_store(ufx *f, form_request *r, int64_t user, const char *name)
{
    registry_submit s = {user, name, NULL};
    errmsg err = {0};
    int64_t id = 0;

    if (registry_request_insert(f->reg, &id, NULL, r, &s, &err) < 0)
        fail_msg("insert: %s", err.msg);
    r->id = id;
    return id;
}

int64_t ufx_submit(ufx *f, const char *json, int64_t user, const char *name)
{
    form_request r;
    int64_t id;

    ufx_parse(&r, json);
    id = ufx_store(f, &r, user, name);
    form_request_dispose(&r);
    return id;
}

void ufx_import(ufx *f, const char *inst, const char *csv)
{
    registry_import_report rep = {0};
    errmsg err = {0};

    if (registry_import_csv(f->reg, &rep, inst, csv, strlen(csv), f->pm, &err) <
        0)
        fail_msg("import: %s (%s)", err.msg,
                 rep.nproblems ? rep.problems[0].message : "");
    registry_import_report_dispose(&rep);
}

/* ---- a loopback HTTP daemon ----------------------------------------- */

static struct MHD_Daemon *daemon_;
static ufx_http_fn *handler;
static int port_;

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    buf *body = *con_cls;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    (void)cls;
    (void)version;
    if (!body) {
        *con_cls = xcalloc(1, sizeof(buf));
        return MHD_YES;
    }
    if (*upload_data_size) {
        buf_append(body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    handler(conn, url, method, buf_cstr(body), body->len);
    resp = MHD_create_response_from_buffer(2, "ok", MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    buf *body = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (body) {
        buf_dispose(body);
        free(body);
    }
    *con_cls = NULL;
}

void ufx_http_start(ufx_http_fn *fn)
{
    const union MHD_DaemonInfo *di;

    handler = fn;
    daemon_ = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_access, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, 600u, MHD_OPTION_END);
    assert_non_null(daemon_);
    di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    port_ = di->port;
}

void ufx_http_stop(void)
{
    MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}

int ufx_http_port(void)
{
    return port_;
}

void ufx_req_dispose(web_req *req)
{
    for (int i = 0; i < req->nargs; i++)
        free(req->args[i]);
    for (size_t i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->headers);
    buf_dispose(&req->out);
    buf_dispose(&req->body);
    free(req->content_type);
    free(req->path);
}

static void write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        assert_true(w > 0);
        p += w;
        len -= (size_t)w;
    }
}

void ufx_http(const char *method, const char *path, const char *headers,
              const char *body, size_t len)
{
    struct sockaddr_in sa = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char head[2048], answer[256];
    ssize_t n;

    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port_);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    snprintf(head, sizeof head,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%sContent-Length: %zu"
             "\r\nConnection: close\r\n\r\n",
             method, path, port_, headers ? headers : "", len);
    write_all(fd, head, strlen(head));
    write_all(fd, body ? body : "", len);
    n = read(fd, answer, sizeof answer - 1);
    assert_true(n > 0);
    answer[n] = '\0';
    close(fd);
    if (!strstr(answer, " 200 "))
        fail_msg("%s %s: the test server answered %.40s", method, path, answer);
}
