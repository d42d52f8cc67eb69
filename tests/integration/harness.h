/* harness.h: helpers for integration tests: start the real `docket serve`
 * on a free loopback port with a temporary database, talk to it with
 * libcurl, run CLI commands against the same database, and inspect the
 * database. Use with cmocka. DOCKET_BIN and TEST_TMP come from ctest. */
#ifndef DOCKET_HARNESS_H
#define DOCKET_HARNESS_H

#include "buf.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct h_server {
    pid_t pid;
    int port;
    char dir[512]; /* temporary directory of this server */
    char db[600];  /* its database */
    char config[600];
    char url[64];            /* http://127.0.0.1:PORT */
    char admin_password[64]; /* printed at first run */
    char log[600];           /* stderr of the server */
} h_server;

typedef struct h_resp {
    long status;
    char *body;
    size_t len;
    char *headers; /* raw header block, CRLF separated */
} h_resp;

typedef struct h_session {
    char cookie[300]; /* "name=value" for the Cookie header */
    char csrf[65];
} h_session;

/* A fresh directory under TEST_TMP (or /tmp), removed by h_server_stop. */
void h_tmpdir(char *out, size_t size, const char *name);
/* Starts the server; extra_config is INI text appended to the config file
 * (NULL for none). Aborts the test on failure. */
void h_server_start(h_server *s, const char *extra_config);
/* Starts it again on the same database (after a stop or a kill). */
void h_server_restart(h_server *s);
/* SIGTERM, waits; returns the exit status (0 for a clean stop). */
int h_server_stop(h_server *s);
/* SIGKILL, no cleanup. */
void h_server_kill(h_server *s);
/* Removes the server's directory. */
void h_server_cleanup(h_server *s);

/* Runs `docket --config CONFIG ARGS...` (NULL-terminated) with stdin_text
 * on standard input; returns the exit status; *out gets stdout+stderr
 * (caller frees) when out is not NULL. */
int h_docket(h_server *s, const char *stdin_text, char **out, ...);

/* Starts `docket --config CONFIG ARGS...` (NULL-terminated) with stdout
 * and stderr going to the file out; returns its pid (the caller waits). */
pid_t h_spawn(h_server *s, const char *out, ...);

/* One HTTP request. headers is a NULL-terminated list of "Name: value"
 * (may be NULL). sess (may be NULL) adds its cookie; with with_csrf, the
 * CSRF header too. Never follows redirects. */
void h_request(h_resp *r, h_server *s, h_session *sess, const char *method,
               const char *path, const char *content_type, const char *body,
               size_t len, const char *const *headers);
#define h_get(r, s, sess, path)                                                \
    h_request(r, s, sess, "GET", path, NULL, NULL, 0, NULL)
/* GETs path (with sess's cookie; sess may be NULL) and fails the test
 * unless the answer has status want and its body holds each string of
 * the NULL-terminated list; a string that starts with '!' must not be in
 * the body (what follows the '!'). */
void h_get_expect(h_server *s, h_session *sess, const char *path, long want,
                  ...);
/* POST of application/x-www-form-urlencoded body; the session's CSRF
 * token is appended as csrf=... when sess is not NULL. */
void h_post_form(h_resp *r, h_server *s, h_session *sess, const char *path,
                 const char *body);
/* POST/PUT of JSON with the session cookie and X-CSRF-Token, or with a
 * bearer token when token is not NULL. */
void h_send_json(h_resp *r, h_server *s, h_session *sess, const char *token,
                 const char *method, const char *path, const char *json);
void h_resp_free(h_resp *r);
/* Value of a response header (case-insensitive), copied into out. Returns
 * 1 when present. */
int h_resp_header(const h_resp *r, const char *name, char *out, size_t size);

/* multipart/form-data bodies: parts with the boundary H_BOUNDARY. */
#define H_BOUNDARY  "----dockettestboundary7MA4YWxkTrZu0gW"
#define H_MULTIPART "multipart/form-data; boundary=" H_BOUNDARY
/* A text part. */
void h_mp_field(buf *b, const char *name, const char *value);
/* A file part: filename is namelen bytes (it may hold any byte), the
 * content len bytes of data. */
void h_mp_file(buf *b, const char *name, const char *filename, size_t namelen,
               const char *type, const void *data, size_t len);
/* Ends the body b (the closing boundary), POSTs it to path with the
 * session's cookie (sess may be NULL) and headers (as for h_request, may
 * be NULL), and disposes of b. */
void h_post_multipart(h_resp *r, h_server *s, h_session *sess, const char *path,
                      buf *b, const char *const *headers);

/* A field of an application/x-www-form-urlencoded body ('&' before all
 * but the first), name and value URL-encoded. */
void h_form_field(buf *b, const char *name, const char *value);
/* A minimal valid submission of acme-qa with pat as its PM: title,
 * summary and one new table `table` (source api, daily, optional) with
 * the columns member_id (bigint) and `column` (string(20); none when
 * column is NULL); as form
 * fields, each written with field (h_mp_field or h_form_field), or as the
 * JSON of the API. */
void h_minimal_fields(buf *b, void (*field)(buf *, const char *, const char *),
                      const char *title, const char *summary, const char *table,
                      const char *column);
void h_minimal_json(buf *b, const char *title, const char *summary,
                    const char *table, const char *column);

/* The form page at path as a browser has it: the pre-session cookie it
 * set (pre->cookie, "name=value") and the token of its hidden "csrf"
 * field (pre->csrf; "" when none). */
void h_form_get(h_session *pre, h_server *s, const char *path);
/* What a browser sends to a session-less form route (sign-in, reset)
 * after showing form_path: body with "&csrf=" and the page's token, the
 * page's pre-session cookie and this server's Origin. */
void h_browser_post(h_resp *r, h_server *s, const char *form_path,
                    const char *path, const char *body);
/* Replaces the {x} parts of a route pattern with harmless values ("1",
 * or "app.css" for {*x}). */
void h_concrete_path(char *out, size_t size, const char *pattern);

/* Signs in; fills sess (cookie and CSRF token). Returns the HTTP status of
 * the sign-in POST (303 on success). */
long h_signin(h_session *sess, h_server *s, const char *email,
              const char *password);
/* Adds a user through the CLI (password given on stdin); aborts on
 * failure. org may be NULL. */
void h_user(h_server *s, const char *email, const char *name, const char *role,
            const char *org, const char *password);

/* ---- the usual world of the tests ---- */

/* Configuration of a webhook channel on a closed port with every
 * submission routed to it: each submission writes one outbox row that
 * stays pending (retried). */
#define H_CLOSED_HOOK_CONFIG                                                   \
    "[notify]\nallow_private = true\nallow_http = true\n"                      \
    "[channel.hook]\ntype = webhook\nurl = http://127.0.0.1:9/hook\n"          \
    "secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"                        \
    "[route]\nrequest.submitted = hook\n"

/* The password of the usual cast. */
#define H_PW "correct horse battery"

/* Sets up a started server from spec, a list of words separated by
 * spaces, in order:
 * - an organisation: "acme", "globex";
 * - one of the usual instances, its organisation added first when it is
 *   not there yet: "acme-qa" (qa, postgres), "acme-prod" (production,
 *   postgres), "globex-prod" (production, snowflake); a ":dialect" suffix
 *   changes the dialect ("acme-prod:mysql");
 * - one of the usual cast, added with the password H_PW: "ann"
 *   (ann@acme.example, client of acme), "bob" (bob@globex.example, client
 *   of globex), "pat" (pat@platform.example, pm), "oz"
 *   (oz@platform.example, ops), "ada" (ada@platform.example, admin); with
 *   a '+' suffix ("ann+") also signed in, into the next h_session * of
 *   the arguments.
 * Aborts the test on any failure (a sign-in must answer 303). */
void h_world(h_server *s, const char *spec, ...);
/* Runs `docket ARGS...` (NULL-terminated) and aborts the test, with its
 * output, unless it exits 0. */
void h_cli(h_server *s, ...);
/* Creates an API token for email with label; aborts unless `docket token
 * create` succeeds and prints a token ("dkt_..."), copied into out. */
void h_token(h_server *s, const char *email, const char *label, char *out,
             size_t size);
/* Writes csv (a data dictionary) to a file in the server's directory and
 * runs `docket import --instance instance` on it; aborts, with the
 * output, unless it exits 0. */
void h_import(h_server *s, const char *instance, const char *csv);
/* The id of the request a submission created: of a 201 with a JSON "id"
 * (the API) or of a 303 to /requests/{id} (the form). Aborts, showing the
 * answer, on anything else. */
int64_t h_created(const h_resp *r);
/* The group teardown of a test whose group setup set *state to its
 * h_server: stops it and removes its directory. */
int h_group_down(void **state);

/* The teardown of a test whose setup set *state to a calloc'd struct
 * that starts with its h_server: the server must stop cleanly (exit 0);
 * then its directory and the struct are freed. */
int h_test_down(void **state);

/* Runs a query returning one integer on the server's database (read-only
 * connection). */
int64_t h_db_int(h_server *s, const char *sql);
/* POSTs json with a bearer token and fails the test unless the status is
 * want; the reply goes to *out when out is not NULL (caller frees it with
 * h_resp_free), else it is freed. */
void h_post_json_expect(h_server *s, const char *token, const char *path,
                        const char *json, long want, h_resp *out);
/* The response cache's hit and miss counts from s's /healthz. */
void h_cache_counts(h_server *s, int64_t *hits, int64_t *misses);
/* Runs sql on the SQLite file at path (a live database of the drift and
 * adopt tests, not docket's own); fails the test on an error. */
void h_sqlite_exec(const char *path, const char *sql);
/* The text of the *.up.sql file `docket migrate` wrote into dir (the last
 * one read when there are several); fails the test when there is none.
 * Caller frees. */
char *h_up_file(const char *dir);
/* Runs SQL that changes the server's database (test set-up only, e.g. to
 * age a session). Aborts on error. */
void h_db_exec(h_server *s, const char *sql);
/* A digest of every row of every table (for "nothing was written"). The
 * caller frees it. */
char *h_db_digest(h_server *s);

/* Writes text to the file at path (replacing it); fails the test when it
 * cannot. */
void h_write(const char *path, const char *text);
/* The whole of the file at path, NUL-terminated, its size in *len when
 * len is not NULL; aborts the test when it cannot be read. Caller frees. */
char *h_read(const char *path, size_t *len);
/* The path of rel in the source tree (TEST_SOURCE_DIR, else "."), in a
 * static thread-unsafe buffer rotation (4 slots). */
const char *h_source(const char *rel);

/* Fails the test (naming what, may be NULL) unless the database digest
 * is still before (from h_db_digest): nothing was written. */
void h_unchanged(h_server *s, const char *before, const char *what);

/* URL-encodes s into a static thread-unsafe buffer rotation (4 slots). */
const char *h_urlenc(const char *s);

#endif
