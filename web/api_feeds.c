/* api_feeds.c: tonight's feeds in the JSON API. POST /api/v1/arrivals
 * (the loading job reports a file) and GET /api/v1/instances/{i}/gate
 * (may campaigns run?). Each handler parses, makes one use case call of
 * domain/feeds_cases.h and renders; an instance or table the caller may
 * not see answers exactly as a missing one. The document of this API is
 * web/static/openapi.json. */
#include "web_int.h"
#include "cache.h"
#include "page_catalog_int.h"
#include "domain.h"
#include "feeds_cases.h"
#include "form.h"
#include "str.h"

#include <stdio.h>
#include <string.h>

/* A whole number member >= 0 into *out (left alone when absent). */
static void json_count(int64_t *out, form_errors *fe, const cJSON *body,
                       const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);

    if (!v || cJSON_IsNull(v))
        return;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9e15 ||
        v->valuedouble != (double)(int64_t)v->valuedouble) {
        form_errors_add(fe, key, "is a whole number, 0 or more");
        return;
    }
    *out = (int64_t)v->valuedouble;
}

/* A string member into *out (left alone when absent or null). */
static void json_text(const char **out, form_errors *fe, const cJSON *body,
                      const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);

    if (!v || cJSON_IsNull(v))
        return;
    if (!cJSON_IsString(v))
        form_errors_add(fe, key, "is text");
    else
        *out = v->valuestring;
}

/* The body of POST /api/v1/arrivals into in; problems go to fe. */
static void arrival_parse(domain_arrival_input *in, form_errors *fe,
                          const cJSON *body)
{
    static const char *const known[] = {"instance", "table",     "file",
                                        "rows",     "bytes",     "status",
                                        "message",  "arrived_at"};
    const char *at = NULL, *status = NULL;
    const cJSON *v;

    memset(in, 0, sizeof *in);
    in->rows = in->bytes = -1;
    if (!cJSON_IsObject(body)) {
        form_errors_add(fe, "", "send a JSON object");
        return;
    }
    cJSON_ArrayForEach(v, body)
    {
        size_t i = 0;
        while (i < sizeof known / sizeof *known && strcmp(v->string, known[i]))
            i++;
        if (i == sizeof known / sizeof *known)
            form_errors_add(fe, v->string, "is not a field of this request");
    }
    json_text(&in->instance, fe, body, "instance");
    json_text(&in->table, fe, body, "table");
    json_text(&in->file, fe, body, "file");
    json_text(&in->message, fe, body, "message");
    json_count(&in->rows, fe, body, "rows");
    json_count(&in->bytes, fe, body, "bytes");
    json_text(&status, fe, body, "status");
    json_text(&at, fe, body, "arrived_at");
    if (!in->instance || !*in->instance)
        form_errors_add(fe, "instance", "names the instance");
    if (!in->table || !*in->table)
        form_errors_add(fe, "table", "names the table");
    if (status && !strcmp(status, "failed"))
        in->failed = 1;
    else if (status && strcmp(status, "ok"))
        form_errors_add(fe, "status", "is \"ok\" or \"failed\"");
    if (at && (time_parse_iso(&in->arrived_at, at) < 0 || in->arrived_at <= 0))
        form_errors_add(fe, "arrived_at",
                        "is a UTC time in ISO 8601 (2026-03-03T04:52:00Z)");
}

/* POST /api/v1/arrivals */
static void api_arrival_post(web_req *req)
{
    domain_actor a = domain_actor_of(&req->user);
    cJSON *body = web_json_body_or_reply(req);
    domain_arrival_input in;
    registry_arrival out;
    form_errors fe = {0};
    errmsg err = {0};
    int created = 0;

    if (!body)
        return;
    arrival_parse(&in, &fe, body);
    if (fe.n) {
        web_reply_errors(req, &fe);
        form_errors_dispose(&fe);
        cJSON_Delete(body);
        return;
    }
    if (domain_arrival_report(req->reg, &a, &in, &out, &created, &err) < 0) {
        /* an instance or table the body names that does not exist (or is
           another organisation's) is a mistake in the body */
        if (err.code == ERR_NOTFOUND)
            err.code = ERR_INVALID;
        web_reply_err(req, &err);
        cJSON_Delete(body); /* in points into it until here */
        return;
    }
    cJSON_Delete(body);
    web_reply_json(req, created ? 201 : 200, domain_arrival_json(&out));
}

/* GET /api/v1/instances/{i}/gate?at=ISO: cached (cache.c) under the
 * instance, the moment and what the gate is built from
 * (domain_gate_version: its tables' rules and the arrivals), the version
 * of the entry being the second asked for when no ?at= is given (a newer
 * second replaces the entry); sent gzip as stored to clients that take
 * it. */
static void api_gate_get(web_req *req)
{
    domain_actor a = domain_actor_of(&req->user);
    const char *at_s = web_query(req, "at");
    domain_gate_result g;
    domain_gate_key k;
    errmsg err = {0};
    int64_t at = 0, ver, org = 0;
    int gzip = cat_accepts_gzip(req), hit;
    char key[128];

    if (at_s && *at_s && (time_parse_iso(&at, at_s) < 0 || at <= 0)) {
        form_errors fe = {0};
        form_errors_add(&fe, "at",
                        "is a UTC time in ISO 8601 (2026-03-03T04:52:00Z)");
        web_reply_errors(req, &fe);
        form_errors_dispose(&fe);
        return;
    }
    if (domain_gate_version(req->reg, &a, req->args[0], &k, &err) < 0) {
        web_reply_err(req, &err);
        return;
    }
    /* the moment is part of the answer ("at"); without ?at= it is now,
       and the entry of the instance's "now" moves on with the clock */
    ver = at ? 0 : time_now();
    snprintf(key, sizeof key, "%lld\x1f%lld\x1f%lld\x1f%lld",
             (long long)k.instance_id, (long long)at, (long long)k.ver,
             (long long)k.arrivals);
    if (!at)
        at = ver;
    web_header_add(req, "Vary", "Accept-Encoding");
    buf_reset(&req->out);
    hit = gzip ? web_cache_get_stored(req->cache, &req->out, &org, CACHE_GATE,
                                      req->args[0], key, 0, ver)
               : web_cache_get(req->cache, &req->out, &org, CACHE_GATE,
                               req->args[0], key, 0, ver);
    if (!hit) {
        if (domain_gate(req->reg, &a, req->args[0], at, &g, &err) < 0) {
            web_reply_err(req, &err);
            return;
        }
        /* written straight into the reply: the gate of 500 tables is some
           160 KB, and going through cJSON cost half its time */
        domain_gate_json_write(&req->out, &g);
        buf_putc(&req->out, '\n');
        domain_gate_dispose(&g);
        if (buf_error(&req->out)) {
            buf_reset(&req->out);
            err_set(&err, ERR_INTERNAL, "the answer is too large");
            web_reply_err(req, &err);
            return;
        }
        web_cache_put(req->cache, CACHE_GATE, req->args[0], key, 0, ver, 0,
                      buf_cstr(&req->out), req->out.len);
        /* the first answer is sent as built, plain */
        gzip = 0;
    }
    if (gzip)
        web_header_add(req, "Content-Encoding", "gzip");
    web_reply_type(req, 200, "application/json");
}

/* Who may report arrivals and read gates: pm, ops, admin and service
 * accounts; clients read their own organisation's gate too. */
#define FEEDS_GATE_ROLES (ROLE_FEEDS | ROLE_CLIENT)

const web_route web_routes_feeds[] = {
    {"POST", "/api/v1/arrivals", ROLE_FEEDS, WEB_JSON | WEB_RAWBODY,
     api_arrival_post},
    {"GET", "/api/v1/instances/{instance}/gate", FEEDS_GATE_ROLES, WEB_JSON,
     api_gate_get},
    {NULL, NULL, 0, 0, NULL}};
