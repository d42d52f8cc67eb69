/* fixture.h: what the unit tests share (tests/unit/fixture.c, linked into
 * every unit test; not a test itself). Every helper fails the running
 * cmocka test when it cannot do its job, so a test never goes on with a
 * half-made fixture:
 *
 * - files: a temporary directory removed with all it holds, the files of
 *   tests/data, writing a small file;
 * - assertions: a buf's text, a JSON member by its path, a list of
 *   strings a predicate must accept or refuse;
 * - a temporary registry (ufx): opened and upgraded in a directory of its
 *   own, with routes to Slack channels, optionally the usual people
 *   (organisations acme and globex, their instances, a client of each, a
 *   PM, an ops user and an admin), a second connection to look at rows,
 *   and the request helpers (parse, store, submit);
 * - a loopback HTTP daemon for the code of web/ that reads a real
 *   libmicrohttpd connection. */
#ifndef DOCKET_UNIT_FIXTURE_H
#define DOCKET_UNIT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "config.h"
#include "form.h"
#include "registry.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <sqlite3.h>

/* The main() of a test file: initialises libsodium, then runs the cmocka
 * tests given, with up and down as the group's setup and teardown (or
 * NULL). */
#define UFX_MAIN_GROUP(up, down, ...)                                          \
    int main(void)                                                             \
    {                                                                          \
        const struct CMUnitTest tests_[] = {__VA_ARGS__};                      \
        if (sodium_init() < 0)                                                 \
            return 1;                                                          \
        return cmocka_run_group_tests(tests_, up, down);                       \
    }
#define UFX_MAIN(...) UFX_MAIN_GROUP(NULL, NULL, __VA_ARGS__)

/* ---- files ---------------------------------------------------------- */

/* Makes a new empty directory /tmp/docket-<tag>-XXXXXX into dir. */
void ufx_tmpdir(char *dir, size_t size, const char *tag);
/* Removes dir and everything below it (a missing dir is fine). */
void ufx_rmtree(const char *dir);
/* The whole file at path, NUL-terminated (free it), or NULL when it
 * cannot be read; *len gets its size when len is not NULL. */
char *ufx_slurp(const char *path, size_t *len);
/* The whole of tests/data/<rel>, NUL-terminated (free it); *len gets its
 * size when len is not NULL. */
char *ufx_read_data(const char *rel, size_t *len);
/* Writes text as the whole of the file at path. */
void ufx_write_file(const char *path, const char *text);

/* ---- assertions ----------------------------------------------------- */

/* b holds exactly the text want; b is then freed (empty, ready for the
 * next use). */
void ufx_buf_is(buf *b, const char *want);
/* text parsed as JSON; fails the test when it is not JSON. */
cJSON *ufx_json_parse(const char *text);
/* The member of o at path: names and array indexes separated by dots
 * ("rules.campaign_dependency", "columns.0.name"), matched exactly; fails
 * the test when there is none. */
const cJSON *ufx_json_at(const cJSON *o, const char *path);
/* The member at path is the string want / the number want / true. */
void ufx_json_str(const cJSON *o, const char *path, const char *want);
void ufx_json_int(const cJSON *o, const char *path, int64_t want);
void ufx_json_true(const cJSON *o, const char *path);
/* The member at path is an array (or object) of n members. */
void ufx_json_size(const cJSON *o, const char *path, int n);
/* pred(s) == want for every s of list[0..n); the failure names the
 * string. */
void ufx_each_is(int (*pred)(const char *), const char *const *list, size_t n,
                 int want);
#define UFX_NELEM(a) (sizeof(a) / sizeof *(a))

/* The ids a list handed to its callback, in order (the first
 * UFX_MAXIDS; n counts them all). */
#define UFX_MAXIDS 64
typedef struct ufx_ids {
    int64_t ids[UFX_MAXIDS];
    int n;
} ufx_ids;
void ufx_ids_add(ufx_ids *s, int64_t id);

/* free(*p) and *p = a copy of v. */
void ufx_set(char **p, const char *v);

/* ---- a temporary registry ------------------------------------------- */

typedef struct ufx {
    char dir[256];  /* the fixture's own directory */
    char path[300]; /* dir/docket.db */
    config cfg;     /* channels and routes (ufx_route) */
    registry *reg;  /* the registry under test */
    sqlite3 *db;    /* a second connection (ufx_int, ufx_text, ufx_exec) */
    int64_t org_a;  /* acme */
    int64_t org_b;  /* globex */
    int64_t client_a, client_b, pm, ops, admin; /* user ids (ufx_people) */
} ufx;

/* A registry opened and upgraded in a new directory (tag names it). */
ufx *ufx_open(const char *tag);
/* The usual people: organisations acme and globex; instances acme-qa
 * (qa) and acme-prod (production) on postgres and globex-prod
 * (production) on globex_dialect; users ann@acme.example "Ann" (client of
 * acme), bob@globex.example "Bob" (client of globex), pm@platform.example
 * "Pat" (pm), ops@platform.example "Oz" (ops), admin@platform.example
 * "Ada" (admin), none with a password. */
void ufx_people(ufx *f, const char *globex_dialect);
/* Routes event to channels ("a, b"), each a Slack channel, and hands
 * the routes to the registry (registry_routes_set). */
void ufx_route(ufx *f, const char *event, const char *channels);
/* Closes and removes all of it. */
void ufx_close(ufx *f);
/* A cmocka teardown for a state that is a ufx. */
int ufx_teardown(void **state);

/* The first column of the first row of sql on the second connection: as
 * an integer (-1 without a row), as text (a copy, NULL without a row or
 * for NULL). ufx_exec runs sql there and fails the test on an error. */
int64_t ufx_int(ufx *f, const char *sql);
char *ufx_text(ufx *f, const char *sql);
void ufx_exec(ufx *f, const char *sql);

/* ---- requests ------------------------------------------------------- */

/* The JSON of a request of acme for acme-prod, by Ann, titled title, with
 * the items given (the inside of the JSON array). */
#define UFX_REQUEST(title, items)                                              \
    "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","                   \
    "\"requester_name\":\"Ann\",\"requester_email\":\"ann@acme.example\","     \
    "\"title\":\"" title "\",\"summary\":\"s\",\"items\":[" items "]}"

/* Parses json into r; fails the test with the first error. */
void ufx_parse(form_request *r, const char *json);
/* Stores r as user (named name; 0 and NULL for none) and sets r->id;
 * fails the test when the insert fails. */
int64_t ufx_store(ufx *f, form_request *r, int64_t user, const char *name);
/* ufx_parse and ufx_store of json; the request's id. */
int64_t ufx_submit(ufx *f, const char *json, int64_t user, const char *name);

/* Imports the registry CSV csv into instance inst as the PM; fails the
 * test with the first problem when the import fails. */
void ufx_import(ufx *f, const char *inst, const char *csv);

/* ---- a loopback HTTP daemon ----------------------------------------- */

struct MHD_Connection;
/* Called on the daemon's thread once a request's body is in. */
typedef void ufx_http_fn(struct MHD_Connection *conn, const char *url,
                         const char *method, const char *body, size_t len);
/* Starts the daemon on a free port of 127.0.0.1; fn sees each request,
 * the client gets 200 "ok". */
void ufx_http_start(ufx_http_fn *fn);
void ufx_http_stop(void);
int ufx_http_port(void);
/* Frees what a web_req built in a test owns: path, content_type, args,
 * body, out and the reply headers. */
struct web_req;
void ufx_req_dispose(struct web_req *req);
/* Sends "method path" with Host 127.0.0.1:<port>, the headers given
 * ("Name: value\r\n" each, or NULL) and the body, and waits for the
 * answer; fails the test unless it is 200. */
void ufx_http(const char *method, const char *path, const char *headers,
              const char *body, size_t len);

#endif
