/* harness.c: see harness.h. */
#include "harness.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static const char *bin(void)
{
    const char *b = getenv("DOCKET_BIN");

    if (!b) {
        fprintf(stderr, "DOCKET_BIN is not set (run through ctest)\n");
        abort();
    }
    return b;
}

void h_tmpdir(char *out, size_t size, const char *name)
{
    const char *base = getenv("TEST_TMP");
    char tmpl[512];

    if (!base)
        base = "/tmp";
    mkdir(base, 0755);
    snprintf(tmpl, sizeof tmpl, "%s/%s-XXXXXX", base, name);
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmpl, strerror(errno));
        abort();
    }
    snprintf(out, size, "%s", tmpl);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    if (fread(data, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    data[n] = '\0';
    fclose(f);
    return data;
}

static void spawn(h_server *s)
{
    char out[700], listen[64], slash = 0;
    int port = 0;
    pid_t pid;

    snprintf(out, sizeof out, "%s/stdout", s->dir);
    unlink(out);
    snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
    pid = fork();
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int n = open("/dev/null", O_RDONLY);
        dup2(n, 0);
        dup2(o, 1);
        dup2(e, 2);
        execl(bin(), bin(), "--config", s->config, "serve", "--listen", listen,
              (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    /* Wait for the "serving http://..." line. */
    for (int i = 0; i < 3000; i++) { /* 30 s: a loaded machine */
        char *text = slurp(out);
        char *p = text ? strstr(text, "serving http") : NULL;
        char *pw = text ? strstr(text, "one-time password ") : NULL;
        /* (its line whole: the newline after the password read too) */
        if (pw && !s->admin_password[0] &&
            (sscanf(pw + 18, "%63s%c", s->admin_password, &slash) != 2 ||
             slash != '\n'))
            s->admin_password[0] = '\0';
        /* the whole address, up to the "/" after the port: a read while
           the server writes the line can see only part of the port */
        if (p &&
            sscanf(p, "serving http://127.0.0.1:%d%c", &port, &slash) == 2 &&
            slash == '/') {
            s->port = port;
            snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
            free(text);
            return;
        }
        free(text);
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            char *log = slurp(s->log);
            fprintf(stderr, "server exited early:\n%s\n", log ? log : "");
            free(log);
            fail_msg("docket serve did not start");
        }
        usleep(10000);
    }
    fail_msg("docket serve did not print its URL in 10 s");
}

/* After a request could not reach s: on stderr, whether its server still
 * runs or how it ended, and the end of its log (the test's failure then
 * says why, also when the server's directory is gone afterwards). */
static void server_post_mortem(h_server *s)
{
    char *log = slurp(s->log);
    int status;

    if (s->pid > 0 && waitpid(s->pid, &status, WNOHANG) == s->pid) {
        fprintf(stderr, "the server (pid %d) had ended %s %d\n", (int)s->pid,
                WIFSIGNALED(status) ? "by signal" : "with status",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        s->pid = 0;
    } else if (s->pid > 0) {
        fprintf(stderr, "the server (pid %d) still runs\n", (int)s->pid);
    }
    if (log) {
        size_t n = strlen(log);
        fprintf(stderr, "the end of its log:\n%s\n",
                n > 6000 ? log + n - 6000 : log);
        free(log);
    }
}

void h_server_start(h_server *s, const char *extra_config)
{
    FILE *f;

    memset(s, 0, sizeof *s);
    h_tmpdir(s->dir, sizeof s->dir, "docket");
    snprintf(s->db, sizeof s->db, "%s/docket.db", s->dir);
    snprintf(s->config, sizeof s->config, "%s/docket.ini", s->dir);
    snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
    f = fopen(s->config, "w");
    assert_non_null(f);
    fprintf(f, "[server]\ndb = %s\nlisten = 127.0.0.1:0\nlog_level = info\n",
            s->db);
    if (extra_config)
        fputs(extra_config, f);
    fclose(f);
    spawn(s);
}

void h_server_restart(h_server *s)
{
    spawn(s); /* same port */
}

int h_server_stop(h_server *s)
{
    int status = -1;

    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 3000; i++) { /* 30 s: a loaded machine */
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        }
        usleep(10000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return 124;
}

void h_server_kill(h_server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

void h_server_cleanup(h_server *s)
{
    char cmd[700];

    h_server_kill(s);
    if (getenv("KEEP_TEST_TMP"))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", s->dir);
}

/* argv of `docket --config CONFIG` and the words of ap (up to a NULL). */
static void docket_argv(const char **argv, int max, h_server *s, va_list ap)
{
    int argc = 0;

    argv[argc++] = bin();
    argv[argc++] = "--config";
    argv[argc++] = s->config;
    for (const char *a; (a = va_arg(ap, const char *)) && argc < max - 1;)
        argv[argc++] = a;
    argv[argc] = NULL;
}

pid_t h_spawn(h_server *s, const char *out, ...)
{
    const char *argv[40];
    va_list ap;
    pid_t pid;

    va_start(ap, out);
    docket_argv(argv, 40, s, ap);
    va_end(ap);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int n = open("/dev/null", O_RDONLY);
        dup2(n, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(bin(), (char *const *)argv);
        _exit(127);
    }
    return pid;
}

int h_docket(h_server *s, const char *stdin_text, char **out, ...)
{
    const char *argv[40];
    int in[2], outp[2], status;
    va_list ap;
    pid_t pid;
    char chunk[4096];
    size_t len = 0, cap = 0;
    char *text = NULL;
    ssize_t n;

    va_start(ap, out);
    docket_argv(argv, 40, s, ap);
    va_end(ap);
    if (pipe(in) < 0 || pipe(outp) < 0)
        abort();
    pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        dup2(outp[1], 2);
        close(in[1]);
        close(outp[0]);
        execv(bin(), (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    if (stdin_text && write(in[1], stdin_text, strlen(stdin_text)) < 0)
        perror("write");
    close(in[1]);
    while ((n = read(outp[0], chunk, sizeof chunk)) > 0) {
        if (len + (size_t)n + 1 > cap) {
            cap = (len + (size_t)n + 1) * 2;
            text = realloc(text, cap);
        }
        memcpy(text + len, chunk, (size_t)n);
        len += (size_t)n;
    }
    close(outp[0]);
    if (!text)
        text = calloc(1, 1);
    text[len] = '\0';
    waitpid(pid, &status, 0);
    if (out)
        *out = text;
    else
        free(text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

typedef struct growbuf {
    char *data;
    size_t len;
} growbuf;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    growbuf *g = ud;
    size_t add = size * n;

    g->data = realloc(g->data, g->len + add + 1);
    memcpy(g->data + g->len, p, add);
    g->len += add;
    g->data[g->len] = '\0';
    return add;
}

void h_request(h_resp *r, h_server *s, h_session *sess, const char *method,
               const char *path, const char *content_type, const char *body,
               size_t len, const char *const *headers)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    growbuf b = {0}, h = {0};
    char url[2048], line[400];
    CURLcode rc;

    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s%s", s->url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (content_type) {
        snprintf(line, sizeof line, "Content-Type: %s", content_type);
        hl = curl_slist_append(hl, line);
    } else if (body) {
        hl = curl_slist_append(hl, "Content-Type:");
    }
    hl = curl_slist_append(hl, "Expect:");
    if (sess && sess->cookie[0]) {
        snprintf(line, sizeof line, "Cookie: %s", sess->cookie);
        hl = curl_slist_append(hl, line);
    }
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        server_post_mortem(s);
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = b.data ? b.data : calloc(1, 1);
    r->len = b.len;
    r->headers = h.data ? h.data : calloc(1, 1);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
}

void h_post_form(h_resp *r, h_server *s, h_session *sess, const char *path,
                 const char *body)
{
    char *full;
    size_t n = strlen(body) + 100;

    full = malloc(n);
    if (sess && sess->csrf[0])
        snprintf(full, n, "%s%scsrf=%s", body, *body ? "&" : "", sess->csrf);
    else
        snprintf(full, n, "%s", body);
    h_request(r, s, sess, "POST", path, "application/x-www-form-urlencoded",
              full, strlen(full), NULL);
    free(full);
}

void h_send_json(h_resp *r, h_server *s, h_session *sess, const char *token,
                 const char *method, const char *path, const char *json)
{
    char auth[200], csrf[120];
    const char *hdrs[3] = {NULL, NULL, NULL};

    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hdrs[0] = auth;
    } else if (sess) {
        snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", sess->csrf);
        hdrs[0] = csrf;
    }
    h_request(r, s, token ? NULL : sess, method, path, "application/json", json,
              json ? strlen(json) : 0, hdrs);
}

void h_mp_field(buf *b, const char *name, const char *value)
{
    buf_puts(b, "--" H_BOUNDARY "\r\nContent-Disposition: form-data; name=\"");
    buf_puts(b, name);
    buf_puts(b, "\"\r\n\r\n");
    buf_puts(b, value);
    buf_puts(b, "\r\n");
}

void h_mp_file(buf *b, const char *name, const char *filename, size_t namelen,
               const char *type, const void *data, size_t len)
{
    buf_puts(b, "--" H_BOUNDARY "\r\nContent-Disposition: form-data; name=\"");
    buf_puts(b, name);
    buf_puts(b, "\"; filename=\"");
    buf_append(b, filename, namelen);
    buf_puts(b, "\"\r\nContent-Type: ");
    buf_puts(b, type);
    buf_puts(b, "\r\n\r\n");
    buf_append(b, data, len);
    buf_puts(b, "\r\n");
}

void h_post_multipart(h_resp *r, h_server *s, h_session *sess, const char *path,
                      buf *b, const char *const *headers)
{
    buf_puts(b, "--" H_BOUNDARY "--\r\n");
    assert_int_equal(buf_error(b), 0);
    h_request(r, s, sess, "POST", path, H_MULTIPART, buf_cstr(b), b->len,
              headers);
    buf_dispose(b);
}

void h_form_field(buf *b, const char *name, const char *value)
{
    if (b->len)
        buf_putc(b, '&');
    buf_append_url(b, name);
    buf_putc(b, '=');
    buf_append_url(b, value);
}

void h_minimal_fields(buf *b, void (*field)(buf *, const char *, const char *),
                      const char *title, const char *summary, const char *table,
                      const char *column)
{
    const char *const f[][2] = {{"instance", "acme-qa"},
                                {"project_manager", "pat@platform.example"},
                                {"title", title},
                                {"summary", summary},
                                {"items[0].kind", "new_table"},
                                {"items[0].table", table},
                                {"items[0].description", "d"},
                                {"items[0].source", "api"},
                                {"items[0].cadence", "daily"},
                                {"items[0].campaign_dependency", "optional"},
                                {"items[0].columns[0].name", "member_id"},
                                {"items[0].columns[0].type", "bigint"},
                                {"items[0].columns[1].name", column},
                                {"items[0].columns[1].type", "string(20)"}};
    size_t n = sizeof f / sizeof *f - (column ? 0 : 2);

    for (size_t i = 0; i < n; i++)
        field(b, f[i][0], f[i][1]);
}

void h_minimal_json(buf *b, const char *title, const char *summary,
                    const char *table, const char *column)
{
    cJSON *j = cJSON_CreateObject(), *items, *item, *cols, *col;
    char *text;

    cJSON_AddStringToObject(j, "instance", "acme-qa");
    cJSON_AddStringToObject(j, "project_manager", "pat@platform.example");
    cJSON_AddStringToObject(j, "title", title);
    cJSON_AddStringToObject(j, "summary", summary);
    items = cJSON_AddArrayToObject(j, "items");
    item = cJSON_CreateObject();
    cJSON_AddItemToArray(items, item);
    cJSON_AddStringToObject(item, "kind", "new_table");
    cJSON_AddStringToObject(item, "table", table);
    cJSON_AddStringToObject(item, "description", "d");
    cJSON_AddStringToObject(item, "source", "api");
    cJSON_AddStringToObject(item, "cadence", "daily");
    cJSON_AddStringToObject(item, "campaign_dependency", "optional");
    cols = cJSON_AddArrayToObject(item, "columns");
    for (int i = 0; i < (column ? 2 : 1); i++) {
        col = cJSON_CreateObject();
        cJSON_AddItemToArray(cols, col);
        cJSON_AddStringToObject(col, "name", i ? column : "member_id");
        cJSON_AddStringToObject(col, "type", i ? "string(20)" : "bigint");
    }
    text = cJSON_PrintUnformatted(j);
    assert_non_null(text);
    buf_puts(b, text);
    free(text);
    cJSON_Delete(j);
}

void h_get_expect(h_server *s, h_session *sess, const char *path, long want,
                  ...)
{
    h_resp r;
    va_list ap;

    h_get(&r, s, sess, path);
    if (r.status != want)
        fail_msg("GET %s: %ld, wanted %ld: %.500s", path, r.status, want,
                 r.body);
    va_start(ap, want);
    for (const char *x = va_arg(ap, const char *); x;
         x = va_arg(ap, const char *)) {
        if (x[0] == '!' && strstr(r.body, x + 1))
            fail_msg("GET %s shows \"%s\": %.500s", path, x + 1, r.body);
        if (x[0] != '!' && !strstr(r.body, x))
            fail_msg("GET %s does not show \"%s\": %.500s", path, x, r.body);
    }
    va_end(ap);
    h_resp_free(&r);
}

void h_resp_free(h_resp *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

int h_resp_header(const h_resp *r, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    const char *p = r->headers;

    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
        if (linelen > n && !strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)(linelen - (size_t)(v - p)), v);
            return 1;
        }
        p = eol ? eol + 2 : NULL;
    }
    return 0;
}

static int find_csrf(const char *html, char *out)
{
    const char *p = strstr(html, "name=\"csrf\" value=\"");

    if (!p)
        return 0;
    p += strlen("name=\"csrf\" value=\"");
    if (strlen(p) < 64)
        return 0;
    memcpy(out, p, 64);
    out[64] = '\0';
    return 1;
}

/* The pre-session cookie ("...docket_pre=...") a form page set, if any. */
static void presession_cookie(const h_resp *r, char *out, size_t size)
{
    const char *p = r->headers;

    out[0] = '\0';
    while (p && (p = strstr(p, "\nSet-Cookie:")) != NULL) {
        const char *v = p + strlen("\nSet-Cookie:");
        size_t n;
        while (*v == ' ')
            v++;
        n = strcspn(v, "=;\r\n");
        if (n >= 10 && !strncmp(v + n - 10, "docket_pre", 10)) {
            snprintf(out, size, "%.*s", (int)strcspn(v, ";\r\n"), v);
            return;
        }
        p = v;
    }
}

void h_form_get(h_session *pre, h_server *s, const char *path)
{
    h_resp r;

    memset(pre, 0, sizeof *pre);
    h_get(&r, s, NULL, path);
    assert_int_equal(r.status, 200);
    presession_cookie(&r, pre->cookie, sizeof pre->cookie);
    if (!find_csrf(r.body, pre->csrf))
        pre->csrf[0] = '\0';
    h_resp_free(&r);
}

void h_browser_post(h_resp *r, h_server *s, const char *form_path,
                    const char *path, const char *body)
{
    h_session pre;
    char origin[120], *full;
    const char *hdrs[] = {origin, NULL};
    size_t n = strlen(body) + sizeof pre.csrf + 8;

    h_form_get(&pre, s, form_path);
    full = malloc(n);
    assert_non_null(full);
    snprintf(full, n, "%s&csrf=%s", body, pre.csrf);
    snprintf(origin, sizeof origin, "Origin: %s", s->url);
    h_request(r, s, &pre, "POST", path, "application/x-www-form-urlencoded",
              full, strlen(full), hdrs);
    free(full);
}

void h_concrete_path(char *out, size_t size, const char *pattern)
{
    size_t j = 0;

    for (const char *p = pattern; *p && j + 16 < size;) {
        if (*p == '{') {
            const char *v = p[1] == '*' ? "app.css" : "1";
            const char *close = strchr(p, '}');
            j += (size_t)snprintf(out + j, size - j, "%s", v);
            p = close ? close + 1 : p + strlen(p);
        } else {
            out[j++] = *p++;
        }
    }
    out[j] = '\0';
}

long h_signin(h_session *sess, h_server *s, const char *email,
              const char *password)
{
    h_resp r;
    char body[1300], cookie[400];
    long status;

    memset(sess, 0, sizeof *sess);
    snprintf(body, sizeof body, "email=%s&password=", h_urlenc(email));
    strncat(body, h_urlenc(password), sizeof body - strlen(body) - 1);
    h_browser_post(&r, s, "/signin", "/signin", body);
    status = r.status;
    if (status == 303 &&
        h_resp_header(&r, "Set-Cookie", cookie, sizeof cookie)) {
        size_t n = strcspn(cookie, ";");
        snprintf(sess->cookie, sizeof sess->cookie, "%.*s", (int)n, cookie);
    }
    h_resp_free(&r);
    if (status != 303)
        return status;
    h_get(&r, s, sess, "/account");
    if (!find_csrf(r.body, sess->csrf))
        fail_msg("no CSRF token on /account after sign-in");
    h_resp_free(&r);
    return status;
}

void h_user(h_server *s, const char *email, const char *name, const char *role,
            const char *org, const char *password)
{
    char pw[300], *out = NULL;
    int rc;

    snprintf(pw, sizeof pw, "%s\n", password);
    if (org)
        rc = h_docket(s, pw, &out, "user", "add", "--email", email, "--name",
                      name, "--role", role, "--org", org, "--password-stdin",
                      NULL);
    else
        rc = h_docket(s, pw, &out, "user", "add", "--email", email, "--name",
                      name, "--role", role, "--password-stdin", NULL);
    if (rc != 0)
        fail_msg("docket user add %s failed (%d): %s", email, rc, out);
    free(out);
}

int64_t h_db_int(h_server *s, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s", s->db);
    sqlite3_busy_timeout(db, 30000);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    switch (sqlite3_step(st)) {
    case SQLITE_ROW: v = sqlite3_column_int64(st, 0); break;
    case SQLITE_DONE: break;
    default: fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

void h_db_exec(h_server *s, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;

    if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        fail_msg("open %s", s->db);
    sqlite3_busy_timeout(db, 30000);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(db);
}

char *h_db_digest(h_server *s)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL;
    uint64_t hsum = 1469598103934665603ULL;
    int64_t rows = 0;
    char *out = malloc(64);

    if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s", s->db);
    sqlite3_busy_timeout(db, 30000);
    /* Sessions and tokens record their last use and the audit log records
       refusals: those may change on any request, so they are left out. */
    sqlite3_prepare_v2(db,
                       "SELECT name FROM sqlite_master WHERE type='table'"
                       " AND name NOT LIKE 'sqlite_%' AND name NOT IN"
                       " ('sessions','api_tokens','audit_log')"
                       " AND name NOT LIKE 'search_fts_%' ORDER BY name",
                       -1, &tables, NULL);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[300];
        sqlite3_stmt *st = NULL;
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1",
                 sqlite3_column_text(tables, 0));
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
            continue;
        while (sqlite3_step(st) == SQLITE_ROW) {
            rows++;
            for (int i = 0; i < sqlite3_column_count(st); i++) {
                const unsigned char *v = sqlite3_column_blob(st, i);
                int n = sqlite3_column_bytes(st, i);
                for (int k = 0; k < n; k++)
                    hsum = (hsum ^ v[k]) * 1099511628211ULL;
                hsum = (hsum ^ 0xff) * 1099511628211ULL;
            }
        }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
    snprintf(out, 64, "%lld:%016llx", (long long)rows,
             (unsigned long long)hsum);
    return out;
}

char *h_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096], *data = NULL;
    size_t n, size = 0;

    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        data = realloc(data, size + n + 1);
        assert_non_null(data);
        memcpy(data + size, chunk, n);
        size += n;
    }
    if (ferror(f))
        fail_msg("cannot read %s", path);
    fclose(f);
    if (!data)
        data = calloc(1, 1);
    assert_non_null(data);
    data[size] = '\0';
    if (len)
        *len = size;
    return data;
}

const char *h_source(const char *rel)
{
    static char slots[4][1024];
    static int next;
    char *o = slots[next++ % 4];
    const char *top = getenv("TEST_SOURCE_DIR");

    snprintf(o, sizeof slots[0], "%s/%s", top ? top : ".", rel);
    return o;
}

void h_unchanged(h_server *s, const char *before, const char *what)
{
    char *after = h_db_digest(s);

    if (strcmp(before, after) != 0)
        fail_msg("%s: the database changed (%s, now %s)",
                 what ? what : "nothing may be written", before, after);
    free(after);
}

const char *h_urlenc(const char *s)
{
    static char slots[4][2048];
    static int next;
    char *o = slots[next++ % 4];
    size_t j = 0;

    for (; *s && j + 4 < sizeof slots[0]; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            o[j++] = (char)c;
        } else {
            snprintf(o + j, 4, "%%%02X", c);
            j += 3;
        }
    }
    o[j] = '\0';
    return o;
}

/* ---- the usual world ---------------------------------------------------- */

static const struct {
    const char *name, *org, *env, *dialect;
} usual_instances[] = {{"acme-qa", "acme", "qa", "postgres"},
                       {"acme-prod", "acme", "production", "postgres"},
                       {"globex-prod", "globex", "production", "snowflake"}};

static const struct {
    const char *key, *email, *name, *role, *org;
} usual_cast[] = {{"ann", "ann@acme.example", "Ann", "client", "acme"},
                  {"bob", "bob@globex.example", "Bob", "client", "globex"},
                  {"pat", "pat@platform.example", "Pat", "pm", NULL},
                  {"oz", "oz@platform.example", "Oz", "ops", NULL},
                  {"ada", "ada@platform.example", "Ada", "admin", NULL}};

#define NELEM(a) (sizeof(a) / sizeof *(a))

static void cli_argv(h_server *s, const char *const *argv)
{
    char *out = NULL;
    int rc;

    /* h_docket takes at most a dozen words here */
    rc = h_docket(s, NULL, &out, argv[0], argv[1], argv[2], argv[3], argv[4],
                  argv[5], argv[6], argv[7], argv[8], argv[9], argv[10],
                  argv[11], NULL);
    if (rc != 0)
        fail_msg("docket %s %s %s failed (%d): %s", argv[0],
                 argv[1] ? argv[1] : "", argv[1] && argv[2] ? argv[2] : "", rc,
                 out);
    free(out);
}

void h_cli(h_server *s, ...)
{
    const char *argv[13] = {0};
    va_list ap;
    int n = 0;

    va_start(ap, s);
    for (const char *a = va_arg(ap, const char *); a;
         a = va_arg(ap, const char *)) {
        if (n == 12)
            fail_msg("h_cli: more than 12 words");
        argv[n++] = a;
    }
    va_end(ap);
    cli_argv(s, argv);
}

/* Adds org unless it is there already. */
static void world_org(h_server *s, const char *org)
{
    char sql[200];

    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM organisations WHERE name = '%s'", org);
    if (h_db_int(s, sql) == 0)
        h_cli(s, "org", "add", org, NULL);
}

static int world_instance(h_server *s, const char *word)
{
    char name[64];
    const char *colon = strchr(word, ':');

    snprintf(name, sizeof name, "%.*s",
             (int)(colon ? (size_t)(colon - word) : strlen(word)), word);
    for (size_t i = 0; i < NELEM(usual_instances); i++) {
        if (strcmp(name, usual_instances[i].name) != 0)
            continue;
        world_org(s, usual_instances[i].org);
        h_cli(s, "instance", "add", usual_instances[i].org, name, "--env",
              usual_instances[i].env, "--dialect",
              colon ? colon + 1 : usual_instances[i].dialect, NULL);
        return 1;
    }
    return 0;
}

static int world_person(h_server *s, const char *word, va_list *ap)
{
    size_t n = strlen(word);
    int signin = n > 0 && word[n - 1] == '+';

    for (size_t i = 0; i < NELEM(usual_cast); i++) {
        if (strncmp(word, usual_cast[i].key, n - (size_t)signin) != 0 ||
            usual_cast[i].key[n - (size_t)signin] != '\0')
            continue;
        h_user(s, usual_cast[i].email, usual_cast[i].name, usual_cast[i].role,
               usual_cast[i].org, H_PW);
        if (signin) {
            h_session *sess = va_arg(*ap, h_session *);
            long st = h_signin(sess, s, usual_cast[i].email, H_PW);
            if (st != 303)
                fail_msg("sign-in of %s: %ld", usual_cast[i].email, st);
        }
        return 1;
    }
    return 0;
}

void h_world(h_server *s, const char *spec, ...)
{
    va_list ap;
    char word[64];
    const char *p = spec;

    va_start(ap, spec);
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n == 0) {
            p++;
            continue;
        }
        if (n >= sizeof word)
            fail_msg("h_world: word too long in \"%s\"", spec);
        memcpy(word, p, n);
        word[n] = '\0';
        p += n;
        if (!strcmp(word, "acme") || !strcmp(word, "globex"))
            h_cli(s, "org", "add", word, NULL);
        else if (!world_instance(s, word) && !world_person(s, word, &ap))
            fail_msg("h_world: unknown word \"%s\"", word);
    }
    va_end(ap);
}

void h_token(h_server *s, const char *email, const char *label, char *out,
             size_t size)
{
    char *text = NULL, fmt[16];
    int rc;

    rc = h_docket(s, NULL, &text, "token", "create", "--email", email,
                  "--label", label, NULL);
    if (rc != 0)
        fail_msg("docket token create %s failed (%d): %s", email, rc, text);
    snprintf(fmt, sizeof fmt, "%%%zus", size - 1);
    if (sscanf(text, fmt, out) != 1 || strncmp(out, "dkt_", 4) != 0)
        fail_msg("docket token create %s printed no token: %s", email, text);
    free(text);
}

void h_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        fail_msg("cannot write %s", path);
}

void h_import(h_server *s, const char *instance, const char *csv)
{
    char path[700];

    snprintf(path, sizeof path, "%s/%s.csv", s->dir, instance);
    h_write(path, csv);
    h_cli(s, "import", "--instance", instance, path, NULL);
}

int h_test_down(void **state)
{
    h_server *s = *state;

    assert_int_equal(h_server_stop(s), 0);
    h_server_cleanup(s);
    free(s);
    return 0;
}

int64_t h_created(const h_resp *r)
{
    char loc[256];
    long long id = 0;
    cJSON *j, *v;

    if (r->status == 201) {
        j = cJSON_Parse(r->body);
        v = cJSON_GetObjectItemCaseSensitive(j, "id");
        if (cJSON_IsNumber(v))
            id = (long long)v->valuedouble;
        cJSON_Delete(j);
    } else if (r->status == 303 &&
               h_resp_header(r, "Location", loc, sizeof loc)) {
        if (sscanf(loc, "/requests/%lld", &id) != 1)
            id = 0;
    }
    if (id <= 0)
        fail_msg("no request created: %ld %.3000s", r->status,
                 r->body ? r->body : "");
    return id;
}

int h_group_down(void **state)
{
    h_server *s = *state;

    h_server_stop(s);
    h_server_cleanup(s);
    return 0;
}

void h_post_json_expect(h_server *s, const char *token, const char *path,
                        const char *json, long want, h_resp *out)
{
    h_resp r;

    h_send_json(&r, s, NULL, token, "POST", path, json);
    if (r.status != want)
        fail_msg("%s %s: %ld, want %ld: %s", path, json, r.status, want,
                 r.body);
    if (out)
        *out = r;
    else
        h_resp_free(&r);
}

void h_sqlite_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

char *h_up_file(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1200];
    char *text = NULL;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".up.sql")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            free(text);
            text = h_read(path, NULL);
        }
    closedir(d);
    assert_non_null(text);
    return text;
}

void h_cache_counts(h_server *s, int64_t *hits, int64_t *misses)
{
    h_resp r;
    cJSON *doc, *c;

    h_request(&r, s, NULL, "GET", "/healthz", NULL, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    doc = cJSON_Parse(r.body);
    assert_non_null(doc);
    c = cJSON_GetObjectItemCaseSensitive(doc, "cache");
    assert_non_null(c);
    *hits = (int64_t)cJSON_GetObjectItemCaseSensitive(c, "hits")->valuedouble;
    *misses =
        (int64_t)cJSON_GetObjectItemCaseSensitive(c, "misses")->valuedouble;
    cJSON_Delete(doc);
    h_resp_free(&r);
}
