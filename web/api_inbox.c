/* api_inbox.c: the inbox and watches JSON API (/api/v1/inbox,
 * /api/v1/inbox/read, /api/v1/inbox/settings, /api/v1/watches). Each
 * handler parses, makes one use case call of domain/inbox_cases.h (which
 * keeps a client to its own organisation) and renders; the items are
 * worded by notify_event_text as every channel words them. Something the
 * user may not see answers 404 with the same body as something missing,
 * naming nothing of it. The document of this API is
 * web/static/openapi.json; the pages are page_inbox.c. */
#include "web_int.h"
#include "domain.h"
#include "form.h"
#include "inbox_cases.h"
#include "mem.h"
#include "notify.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 200 /* items of one page of GET /api/v1/inbox */

static domain_actor actor(const web_req *req)
{
    return domain_actor_of(&req->user);
}

/* ---- reading the inbox ------------------------------------------------- */

/* The payload's member key as a JSON string of a local path ("/x", never
 * "//host" or anything else), or null. */
static cJSON *local_url(const cJSON *payload, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(payload, key);

    if (cJSON_IsString(v) && str_local_path_ok(v->valuestring))
        return cJSON_CreateString(v->valuestring);
    return cJSON_CreateNull();
}

/* The table an item is about, {"instance", "name"}, from the payload's
 * "table" object (registry.changed), or null. */
static cJSON *item_table(const cJSON *payload)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(payload, "table");
    const cJSON *inst = cJSON_GetObjectItemCaseSensitive(t, "instance");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
    cJSON *o;

    if (!cJSON_IsString(inst) || !cJSON_IsString(name))
        return cJSON_CreateNull();
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "instance", inst->valuestring);
    cJSON_AddStringToObject(o, "name", name->valuestring);
    return o;
}

/* One item as the API shows it. */
static cJSON *item_json(const registry_inbox_item *it)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *payload = cJSON_Parse(it->payload ? it->payload : "");
    char *headline = NULL, *summary = NULL, number[32];

    notify_event_text(it->event, it->payload, &headline, &summary);
    cJSON_AddNumberToObject(o, "id", (double)it->id);
    cJSON_AddStringToObject(o, "event", it->event);
    cJSON_AddStringToObject(o, "reason", it->reason);
    web_json_add_time(o, "created_at", it->created_at);
    cJSON_AddBoolToObject(o, "read", it->read_at != 0);
    if (it->read_at)
        web_json_add_time(o, "read_at", it->read_at);
    else
        cJSON_AddNullToObject(o, "read_at");
    if (it->request_id) {
        snprintf(number, sizeof number, "CR-%lld", (long long)it->request_id);
        cJSON_AddStringToObject(o, "request", number);
    } else {
        cJSON_AddNullToObject(o, "request");
    }
    cJSON_AddItemToObject(o, "table", item_table(payload));
    cJSON_AddStringToObject(o, "headline", headline ? headline : "");
    cJSON_AddStringToObject(o, "summary", summary ? summary : "");
    cJSON_AddItemToObject(o, "url", local_url(payload, "url"));
    cJSON_Delete(payload);
    free(headline);
    free(summary);
    return o;
}

/* The query of GET /api/v1/inbox. */
typedef struct list_query {
    int unread_only;
    int64_t before_id;
    int limit;     /* 0: the store's default */
    int limit_set; /* given in the query: kept in "next" */
} list_query;

/* Parses the query into q; every problem goes to fe. */
static void list_query_parse(list_query *q, web_req *req, form_errors *fe)
{
    const char *unread = web_query(req, "unread");
    const char *before = web_query(req, "before");
    const char *limit = web_query(req, "limit");

    memset(q, 0, sizeof *q);
    if (unread && *unread) {
        if (!strcmp(unread, "1") || !strcmp(unread, "true"))
            q->unread_only = 1;
        else if (strcmp(unread, "0") && strcmp(unread, "false"))
            form_errors_add(fe, "unread", "is 1 (unread items only) or 0");
    }
    if (before && *before &&
        (str_to_i64(&q->before_id, before) < 0 || q->before_id <= 0))
        form_errors_add(fe, "before", "is the id of an inbox item");
    if (limit && *limit) {
        if (str_to_int(&q->limit, limit, 1, LIST_MAX) < 0)
            form_errors_add(fe, "limit", "is a whole number from 1 to %d",
                            LIST_MAX);
        q->limit_set = 1;
    }
}

/* "next": the page after the last item, or null. */
static void add_next(cJSON *root, const list_query *q, int more,
                     const registry_inbox_item *last)
{
    char next[128];

    if (!more || !last) {
        cJSON_AddNullToObject(root, "next");
        return;
    }
    snprintf(next, sizeof next, "/api/v1/inbox?before=%lld%s",
             (long long)last->id, q->unread_only ? "&unread=1" : "");
    if (q->limit_set)
        snprintf(next + strlen(next), sizeof next - strlen(next), "&limit=%d",
                 q->limit);
    cJSON_AddStringToObject(root, "next", next);
}

/* GET /api/v1/inbox?unread=1&before=ID&limit=N */
static void api_inbox_list(web_req *req)
{
    domain_actor a = actor(req);
    list_query q;
    form_errors fe = {0};
    registry_inbox_item *items = NULL;
    size_t n = 0;
    int more = 0;
    int64_t unread = 0;
    errmsg err = {0};
    cJSON *root, *arr;

    list_query_parse(&q, req, &fe);
    if (fe.n) {
        web_reply_errors(req, &fe);
        form_errors_dispose(&fe);
        return;
    }
    if (domain_inbox_list(req->reg, &a, q.unread_only, q.before_id, q.limit,
                          &items, &n, &more, &err) < 0 ||
        domain_inbox_unread(req->reg, &a, 0, &unread, &err) < 0) {
        registry_inbox_items_free(items, n);
        web_reply_err(req, &err);
        return;
    }
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "unread", (double)unread);
    arr = cJSON_AddArrayToObject(root, "items");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, item_json(&items[i]));
    add_next(root, &q, more, n ? &items[n - 1] : NULL);
    registry_inbox_items_free(items, n);
    web_reply_json(req, 200, root);
}

/* ---- marking read ------------------------------------------------------ */

/* The body of POST /api/v1/inbox/read. */
typedef struct mark_input {
    int64_t *ids; /* owned */
    size_t n;
    int all;
    int64_t up_to;
    int read;
} mark_input;

/* Problems of body that are not about its fields' values: not an object,
 * unknown members. */
static void check_keys(form_errors *fe, const cJSON *body,
                       const char *const *known, size_t n)
{
    const cJSON *v;

    if (!cJSON_IsObject(body)) {
        form_errors_add(fe, "", "send a JSON object");
        return;
    }
    cJSON_ArrayForEach(v, body)
    {
        size_t i = 0;
        while (i < n && strcmp(v->string, known[i]) != 0)
            i++;
        if (i == n)
            form_errors_add(fe, v->string, "is not a field of this request");
    }
}

/* A positive whole number (an item id). */
static int is_id(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 1e15 &&
           v->valuedouble == (double)(int64_t)v->valuedouble;
}

/* The member key of body as a boolean into *out (left as it is when
 * absent). */
static void json_bool(int *out, form_errors *fe, const cJSON *body,
                      const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);

    if (!v)
        return;
    if (!cJSON_IsBool(v))
        form_errors_add(fe, key, "is true or false");
    else
        *out = cJSON_IsTrue(v);
}

/* "ids": an array of item ids. */
static void mark_ids(mark_input *in, form_errors *fe, const cJSON *body)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(body, "ids");
    const cJSON *v;
    size_t i = 0;

    if (!ids)
        return;
    if (!cJSON_IsArray(ids)) {
        form_errors_add(fe, "ids", "is a list of inbox item ids");
        return;
    }
    in->ids = xcalloc((size_t)cJSON_GetArraySize(ids) + 1, sizeof *in->ids);
    cJSON_ArrayForEach(v, ids)
    {
        if (!is_id(v)) {
            char field[32];
            snprintf(field, sizeof field, "ids[%zu]", i);
            form_errors_add(fe, field, "is the id of an inbox item");
        } else {
            in->ids[in->n++] = (int64_t)v->valuedouble;
        }
        i++;
    }
}

static void mark_parse(mark_input *in, form_errors *fe, const cJSON *body)
{
    static const char *const known[] = {"ids", "all", "up_to", "read"};
    const cJSON *up_to = cJSON_GetObjectItemCaseSensitive(body, "up_to");

    memset(in, 0, sizeof *in);
    in->read = 1;
    check_keys(fe, body, known, sizeof known / sizeof *known);
    if (fe->n)
        return;
    mark_ids(in, fe, body);
    json_bool(&in->all, fe, body, "all");
    json_bool(&in->read, fe, body, "read");
    if (up_to && !cJSON_IsNull(up_to)) {
        if (!is_id(up_to))
            form_errors_add(fe, "up_to", "is the id of an inbox item");
        else if (!in->all)
            form_errors_add(fe, "up_to", "goes with \"all\": true");
        else
            in->up_to = (int64_t)up_to->valuedouble;
    }
    if (in->all && cJSON_GetObjectItemCaseSensitive(body, "ids"))
        form_errors_add(fe, "ids", "send ids or \"all\": true, not both");
}

/* POST /api/v1/inbox/read {"ids": [..]} or {"all": true, "up_to": ID},
 * with "read": false to mark unread. */
static void api_inbox_read(web_req *req)
{
    domain_actor a = actor(req);
    cJSON *body = web_json_body_or_reply(req), *root;
    form_errors fe = {0};
    mark_input in;
    int64_t changed = 0, unread = 0;
    errmsg err = {0};

    if (!body)
        return;
    mark_parse(&in, &fe, body);
    cJSON_Delete(body);
    if (fe.n) {
        web_reply_errors(req, &fe);
        goto done;
    }
    if (domain_inbox_mark(req->reg, &a, in.ids, in.n, in.all, in.up_to, in.read,
                          &changed, &err) < 0 ||
        domain_inbox_unread(req->reg, &a, 0, &unread, &err) < 0) {
        web_reply_err(req, &err);
        goto done;
    }
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "changed", (double)changed);
    cJSON_AddNumberToObject(root, "unread", (double)unread);
    web_reply_json(req, 200, root);
done:
    form_errors_dispose(&fe);
    free(in.ids);
}

/* ---- watches ----------------------------------------------------------- */

/* The reply to a failed watch call: a request or table the user may not
 * see is answered exactly as a missing one, in words that name nothing of
 * it (not even what the path said). */
static void watch_err(web_req *req, registry_watch_kind kind, const errmsg *err)
{
    if (err->code == ERR_NOTFOUND)
        web_reply_error(req, 404,
                        kind == WATCH_REQUEST ? "There is no such request."
                                              : "There is no such table.");
    else
        web_reply_err(req, err);
}

/* GET, PUT or DELETE of the watch of ref. */
static void watch_answer(web_req *req, registry_watch_kind kind,
                         const char *ref)
{
    domain_actor a = actor(req);
    int put = !strcmp(req->method, "PUT"), del = !strcmp(req->method, "DELETE");
    int watching = 0, changed = 0, rc;
    errmsg err = {0};
    cJSON *root;

    /* Even stopping needs something the user may see: another
       organisation's request is 404 for every method. */
    rc = domain_watching(req->reg, &a, kind, ref, &watching, &err);
    if (rc == 0 && (put || del)) {
        rc = domain_watch(req->reg, &a, kind, ref, put, &changed, &err);
        watching = put;
    }
    if (rc < 0) {
        watch_err(req, kind, &err);
        return;
    }
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "kind", registry_watch_kind_name(kind));
    cJSON_AddStringToObject(root, "ref", ref);
    cJSON_AddBoolToObject(root, "watching", watching);
    if (put || del)
        cJSON_AddBoolToObject(root, "changed", changed);
    web_reply_json(req, 200, root);
}

/* /api/v1/watches/request/{id}: "12" or "CR-12". */
static void api_watch_request(web_req *req)
{
    int64_t id = domain_request_number(req->args[0]);
    char shown[32];

    if (!id) {
        /* Not a request number: no such request either. */
        web_reply_error(req, 404, "There is no such request.");
        return;
    }
    snprintf(shown, sizeof shown, "CR-%lld", (long long)id);
    watch_answer(req, WATCH_REQUEST, shown);
}

/* /api/v1/watches/table/{instance}/{table} */
static void api_watch_table(web_req *req)
{
    buf ref = {0};

    buf_puts(&ref, req->args[0]);
    buf_putc(&ref, '/');
    buf_puts(&ref, req->args[1]);
    watch_answer(req, WATCH_TABLE, buf_cstr(&ref));
    buf_dispose(&ref);
}

/* One watch of GET /api/v1/watches. */
static void watch_row(void *ctx, const registry_watch *w)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "kind", registry_watch_kind_name(w->kind));
    cJSON_AddStringToObject(o, "ref", w->name);
    cJSON_AddStringToObject(o, "label", w->label);
    cJSON_AddStringToObject(o, "path", w->path);
    web_json_add_time(o, "created_at", w->created_at);
    cJSON_AddItemToArray(ctx, o);
}

/* GET /api/v1/watches: the user's watches, newest first (a client's of
 * its own organisation only). */
static void api_watch_list(web_req *req)
{
    domain_actor a = actor(req);
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(root, "watches");
    errmsg err = {0};

    if (domain_watch_list(req->reg, &a, watch_row, arr, &err) < 0) {
        cJSON_Delete(root);
        web_reply_err(req, &err);
        return;
    }
    web_reply_json(req, 200, root);
}

/* ---- the inbox e-mail setting ------------------------------------------ */

static void settings_reply(web_req *req, const char *email)
{
    cJSON *root = cJSON_CreateObject();

    cJSON_AddStringToObject(root, "email", *email ? email : "off");
    cJSON_AddBoolToObject(root, "email_available",
                          registry_inbox_channel() != NULL);
    web_reply_json(req, 200, root);
}

/* GET /api/v1/inbox/settings */
static void api_inbox_settings_get(web_req *req)
{
    settings_reply(req, req->user.inbox_email);
}

/* PUT /api/v1/inbox/settings {"email": "off" | "each" | "daily"} */
static void api_inbox_settings_put(web_req *req)
{
    static const char *const known[] = {"email"};
    domain_actor a = actor(req);
    cJSON *body = web_json_body_or_reply(req);
    const cJSON *email;
    form_errors fe = {0};
    errmsg err = {0};

    if (!body)
        return;
    check_keys(&fe, body, known, 1);
    email = cJSON_GetObjectItemCaseSensitive(body, "email");
    if (!fe.n && !cJSON_IsString(email))
        form_errors_add(&fe, "email", "is off, each or daily");
    if (fe.n)
        web_reply_errors(req, &fe);
    else if (domain_inbox_mail(req->reg, &a, email->valuestring, &err) < 0)
        web_reply_err(req, &err);
    else
        settings_reply(req, email->valuestring);
    form_errors_dispose(&fe);
    cJSON_Delete(body);
}

/* Every role signed in, by session (POST/PUT/DELETE with the CSRF
 * header, checked by the router) or by API token. Watches of another
 * kind than request and table have no route: 404. */
const web_route web_routes_inbox_api[] = {
    {"GET", "/api/v1/inbox", ROLE_USER, WEB_JSON, api_inbox_list},
    {"POST", "/api/v1/inbox/read", ROLE_USER, WEB_JSON | WEB_RAWBODY,
     api_inbox_read},
    {"GET", "/api/v1/inbox/settings", ROLE_USER, WEB_JSON,
     api_inbox_settings_get},
    {"PUT", "/api/v1/inbox/settings", ROLE_USER, WEB_JSON | WEB_RAWBODY,
     api_inbox_settings_put},
    {"GET", "/api/v1/watches", ROLE_USER, WEB_JSON, api_watch_list},
    {"GET", "/api/v1/watches/request/{id}", ROLE_USER, WEB_JSON,
     api_watch_request},
    {"PUT", "/api/v1/watches/request/{id}", ROLE_USER, WEB_JSON | WEB_RAWBODY,
     api_watch_request},
    {"DELETE", "/api/v1/watches/request/{id}", ROLE_USER,
     WEB_JSON | WEB_RAWBODY, api_watch_request},
    {"GET", "/api/v1/watches/table/{instance}/{table}", ROLE_USER, WEB_JSON,
     api_watch_table},
    {"PUT", "/api/v1/watches/table/{instance}/{table}", ROLE_USER,
     WEB_JSON | WEB_RAWBODY, api_watch_table},
    {"DELETE", "/api/v1/watches/table/{instance}/{table}", ROLE_USER,
     WEB_JSON | WEB_RAWBODY, api_watch_table},
    {NULL, NULL, 0, 0, NULL}};
