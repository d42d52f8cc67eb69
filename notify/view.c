/* view.c: turns an event payload (written by the modules that change
 * state; shape in notify_int.h's users) into a notify_view: cleaned plain
 * text for the headline, summary, note, fields and items, and safe
 * absolute links. The channel renderers (render_*.c) only escape. */
#include "notify_int.h"
#include "card.h"
#include "mem.h"
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_BYTES 600  /* titles, names, one-line values */
#define NOTE_MAX_BYTES 4000 /* free text (questions, reasons, comments) */
#define MAX_ITEMS      200  /* tables or digest entries kept */

size_t notify_utf8_fit(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return n;
    n = max;
    /* Back up over continuation bytes to the start of a character. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Length of the valid UTF-8 sequence at p (at most avail bytes), 0 when
 * it is invalid. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    size_t len;

    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xE0) == 0xC0)
        len = 2;
    else if ((p[0] & 0xF0) == 0xE0)
        len = 3;
    else if ((p[0] & 0xF8) == 0xF0)
        len = 4;
    else
        return 0;
    if (len > avail || !str_utf8_valid((const char *)p, len))
        return 0;
    return len;
}

char *notify_text_clean(const char *s, size_t max, int multiline)
{
    buf b = {0};
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t avail = strlen((const char *)p), cut;
    char *out, *t;

    while (*p) {
        size_t len = utf8_seq(p, avail);
        if (len == 0) {
            buf_puts(&b, "\xEF\xBF\xBD"); /* U+FFFD */
            len = 1;
        } else if (*p == '\r') {
            if (multiline)
                buf_putc(&b, '\n');
            else
                buf_putc(&b, ' ');
            if (p[1] == '\n') {
                len = 2;
            }
        } else if (*p == '\n') {
            buf_putc(&b, multiline ? '\n' : ' ');
        } else if (*p < 0x20 || *p == 0x7F) {
            buf_putc(&b, ' ');
        } else if (len == 2 && p[0] == 0xC2 && p[1] < 0xA0) {
            buf_putc(&b, ' '); /* C1 controls */
        } else if (len == 3 && p[0] == 0xE2 && p[1] == 0x80 &&
                   (p[2] == 0xA8 || p[2] == 0xA9)) {
            buf_putc(&b, multiline ? '\n' : ' '); /* U+2028, U+2029 */
        } else {
            buf_append(&b, p, len);
        }
        p += len;
        avail -= len;
    }
    out = str_trim_dup(buf_cstr(&b));
    buf_dispose(&b);
    if (strlen(out) > max) {
        cut = notify_utf8_fit(out, max >= 3 ? max - 3 : 0);
        t = xmalloc(cut + 4);
        memcpy(t, out, cut);
        memcpy(t + cut, "\xE2\x80\xA6", 4); /* "…" and the NUL */
        free(out);
        out = t;
    }
    return out;
}

char *notify_url_join(const char *base_url, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char safe[] = "-._~/?=&%:@!$'()*+,;#";
    buf b = {0};

    if (!base_url || !path || path[0] != '/' ||
        !(str_startswith(base_url, "https://") ||
          str_startswith(base_url, "http://")))
        return NULL;
    if (strlen(path) > 2000)
        return NULL;
    buf_puts(&b, base_url);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || (*p && strchr(safe, *p))) {
            buf_putc(&b, (char)*p);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(&b, enc, 3);
        }
    }
    return buf_detach(&b);
}

/* ---- payload access ---- */

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) && v->valuestring && *v->valuestring
               ? v->valuestring
               : NULL;
}

/* Cleaned one-line copy of o[key], NULL when absent or empty. */
static char *jline(const cJSON *o, const char *key)
{
    const char *s = jstr(o, key);
    char *c;

    if (!s)
        return NULL;
    c = notify_text_clean(s, LINE_MAX_BYTES, 0);
    if (!*c) {
        free(c);
        return NULL;
    }
    return c;
}

/* -1 when absent, else 0 or 1 (true, or a non-zero number). */
static int jbool(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    return -1;
}

static int64_t jint(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15)
        return (int64_t)v->valuedouble;
    return 0;
}

/* The strings of array o[key] joined by sep, cleaned, or NULL. */
static char *jjoin(const cJSON *o, const char *key, const char *sep)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key);
    const cJSON *v;
    buf b = {0};
    char *out;

    if (!cJSON_IsArray(arr))
        return NULL;
    cJSON_ArrayForEach(v, arr)
    {
        if (!cJSON_IsString(v) || !v->valuestring || !*v->valuestring)
            continue;
        if (b.len)
            buf_puts(&b, sep);
        buf_puts(&b, v->valuestring);
        if (b.len > LINE_MAX_BYTES)
            break;
    }
    if (!b.len)
        return NULL;
    out = notify_text_clean(buf_cstr(&b), LINE_MAX_BYTES, 0);
    buf_dispose(&b);
    return out;
}

/* ---- building ---- */

typedef struct req_info {
    int64_t id;
    char *number; /* "CR-12", or "#12", or "Request" */
    char *title;
    char *status;
    char *org;
    char *instances; /* instance, or the instances joined */
    char *requester;
    char *consent_note;
    int consent; /* -1 unknown */
} req_info;

static void req_read(req_info *r, const cJSON *o)
{
    char tmp[32];

    memset(r, 0, sizeof *r);
    r->id = jint(o, "id");
    r->number = jline(o, "number");
    if (!r->number) {
        if (r->id)
            snprintf(tmp, sizeof tmp, "#%lld", (long long)r->id);
        else
            snprintf(tmp, sizeof tmp, "Request");
        r->number = xstrdup(tmp);
    }
    r->title = jline(o, "title");
    r->status = jline(o, "status");
    r->org = jline(o, "organisation");
    r->instances = jjoin(o, "instances", ", ");
    if (!r->instances)
        r->instances = jline(o, "instance");
    r->requester = jline(o, "requester_name");
    r->consent_note = jline(o, "consent_note");
    r->consent = jbool(o, "consent_related");
}

static void req_dispose(req_info *r)
{
    xfree_all(r->number, r->title, r->status, r->org, r->instances,
              r->requester, r->consent_note);
}

static void add_field(notify_view *v, const char *label, char *value)
{
    if (!value || !*value || v->nfields >= NOTIFY_MAX_FIELDS) {
        free(value);
        return;
    }
    v->fields[v->nfields].label = label;
    v->fields[v->nfields].value = value;
    v->nfields++;
}

static void add_item(notify_view *v, char *title, char *detail, char *url)
{
    xgrow(&v->items, &v->items_cap, v->nitems + 1, sizeof *v->items);
    v->items[v->nitems].title = title;
    v->items[v->nitems].detail = detail ? detail : xstrdup("");
    v->items[v->nitems].url = url;
    v->nitems++;
}

/* Items, and the Tables / Campaign dependency fields, from "tables". */
static void read_tables(notify_view *v, const cJSON *payload,
                        const char *base_url, int *any_consent,
                        char **out_names)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(payload, "tables");
    const cJSON *t;
    buf names = {0}, deps = {0};
    size_t n = 0;

    *any_consent = 0;
    *out_names = NULL;
    if (!cJSON_IsArray(arr))
        return;
    cJSON_ArrayForEach(t, arr)
    {
        char *table, *inst, *changes, *url = NULL;
        buf title = {0}, detail = {0}, dep = {0};
        int consent;

        if (!cJSON_IsObject(t) || n >= MAX_ITEMS)
            continue;
        table = jline(t, "table");
        if (!table)
            continue;
        n++;
        inst = jline(t, "instance");
        changes = jjoin(t, "changes", ", ");
        card_dep_message(&dep,
                         card_dep_named(jstr(t, "campaign_dependency"))->dep);
        consent = jbool(t, "consent");
        if (consent == 1)
            *any_consent = 1;
        if (inst) {
            buf_puts(&title, inst);
            buf_puts(&title, " / ");
        }
        buf_puts(&title, table);
        if (changes)
            buf_puts(&detail, changes);
        if (dep.len) {
            buf_puts(&detail, detail.len ? " · campaigns: " : "campaigns: ");
            buf_puts(&detail, buf_cstr(&dep));
        }
        if (consent == 1)
            buf_puts(&detail,
                     detail.len ? " · consent-relevant" : "consent-relevant");
        url = notify_url_join(base_url, jstr(t, "url"));
        if (names.len)
            buf_puts(&names, ", ");
        buf_puts(&names, table);
        if (dep.len) {
            if (deps.len)
                buf_putc(&deps, '\n');
            buf_puts(&deps, table);
            buf_puts(&deps, ": ");
            buf_puts(&deps, buf_cstr(&dep));
        }
        add_item(v, notify_text_clean(buf_cstr(&title), LINE_MAX_BYTES, 0),
                 notify_text_clean(buf_cstr(&detail), LINE_MAX_BYTES * 2, 0),
                 url);
        buf_dispose(&title);
        buf_dispose(&detail);
        buf_dispose(&dep);
        free(table);
        free(inst);
        free(changes);
    }
    if (names.len)
        *out_names = notify_text_clean(buf_cstr(&names), 1500, 0);
    if (deps.len)
        add_field(v, "Campaign dependency",
                  notify_text_clean(buf_cstr(&deps), 1500, 1));
    buf_dispose(&names);
    buf_dispose(&deps);
}

static void read_digest(notify_view *v, const cJSON *payload,
                        const char *base_url)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(payload, "digest");
    const cJSON *o;

    if (!cJSON_IsArray(arr))
        return;
    cJSON_ArrayForEach(o, arr)
    {
        req_info r;
        buf title = {0}, detail = {0}, path = {0};
        char *url;

        if (!cJSON_IsObject(o) || v->nitems >= MAX_ITEMS)
            continue;
        req_read(&r, o);
        buf_puts(&title, r.number);
        if (r.title) {
            buf_puts(&title, ": ");
            buf_puts(&title, r.title);
        }
        if (r.status)
            buf_puts(&detail, r.status);
        if (r.instances) {
            buf_puts(&detail, detail.len ? " · " : "");
            buf_puts(&detail, r.instances);
        }
        if (r.consent == 1)
            buf_puts(&detail,
                     detail.len ? " · consent-related" : "consent-related");
        if (jstr(o, "url"))
            url = notify_url_join(base_url, jstr(o, "url"));
        else if (r.id) {
            buf_appendf(&path, "/requests/%lld", (long long)r.id);
            url = notify_url_join(base_url, buf_cstr(&path));
        } else {
            url = NULL;
        }
        add_item(v, notify_text_clean(buf_cstr(&title), LINE_MAX_BYTES, 0),
                 notify_text_clean(buf_cstr(&detail), LINE_MAX_BYTES, 0), url);
        buf_dispose(&title);
        buf_dispose(&detail);
        buf_dispose(&path);
        req_dispose(&r);
    }
}

/* What happened, as the headline's verb part and the summary's. */
typedef struct event_text {
    const char *event;
    const char *head_pre; /* headline: head_pre + number + head_post */
    const char *head_post;
    const char *summary; /* after the actor's name */
    const char *note_label;
} event_text;

static const event_text texts[] = {
    {"request.submitted", "New request ", "", "submitted a change request.",
     "Note"},
    {"request.updated", "", " updated", "updated the request.", "Note"},
    {"request.commented", "New comment on ", "", "commented on the request.",
     "Comment"},
    {"request.needs_info", "", " needs information",
     "asked for more information.", "Question"},
    {"request.answered", "", " answered", "answered the open question.",
     "Answer"},
    {"request.scheduled", "", " scheduled", "scheduled the request.", "Note"},
    {"request.deployed", "", " deployed", "deployed the request.", "Note"},
    {"request.rejected", "", " rejected", "rejected the request.", "Reason"},
    {"request.triaged", "", " triaged", "triaged the request.", "Note"},
    {"request.in_progress", "", " in progress", "started work on the request.",
     "Note"},
    {"request.withdrawn", "", " withdrawn", "withdrew the request.", "Reason"},
    {"registry.changed", "", "", "", "Reason"},
};

static const event_text *text_for(const char *event)
{
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (!strcmp(texts[i].event, event))
            return &texts[i];
    return NULL;
}

static void build_delivery_failed(notify_view *v, const cJSON *p, buf *head,
                                  buf *sum)
{
    char *channel = jline(p, "channel");
    char *failed = jline(p, "failed_event");
    int64_t attempts = jint(p, "attempts"), status = jint(p, "last_status");
    char num[32];

    buf_puts(head, "Notification delivery failed");
    if (channel) {
        buf_puts(head, " on channel ");
        buf_puts(head, channel);
    }
    buf_puts(sum, "A notification");
    if (failed) {
        buf_puts(sum, " (");
        buf_puts(sum, failed);
        buf_puts(sum, ")");
    }
    buf_puts(sum, " could not be delivered");
    if (channel) {
        buf_puts(sum, " to ");
        buf_puts(sum, channel);
    }
    buf_appendf(sum, " after %lld attempt%s.", (long long)attempts,
                attempts == 1 ? "" : "s");
    add_field(v, "Channel", channel);
    add_field(v, "Event", failed);
    if (status) {
        snprintf(num, sizeof num, "%lld", (long long)status);
        add_field(v, "Last status", xstrdup(num));
    }
    add_field(v, "Last error", jline(p, "last_error"));
    add_field(v, "Channel state", jline(p, "channel_state"));
}

/* What the parts of a view are built from. */
typedef struct view_src {
    const notify_event *ev;
    const cJSON *p;    /* the payload */
    const cJSON *reqo; /* its "request" member, or NULL */
    const char *base_url;
    const event_text *et; /* NULL for events without a text */
    req_info r;
    char *actor, *instance, *sprint_name, *deploy_at;
    char *table_names; /* set by view_fields */
} view_src;

static int is_event(const view_src *s, const char *event)
{
    return !strcmp(s->ev->event, event);
}

/* Headline and summary of a request event. */
static void request_text(const view_src *s, buf *head, buf *sum)
{
    const req_info *r = &s->r;

    if (s->et) {
        buf_puts(head, s->et->head_pre);
        buf_puts(head, r->number);
        buf_puts(head, s->et->head_post);
    } else {
        buf_puts(head, r->number);
        buf_puts(head, ": ");
        buf_puts(head, s->ev->event);
    }
    if (is_event(s, "request.deployed") && s->instance) {
        buf_puts(head, " to ");
        buf_puts(head, s->instance);
    }
    if (is_event(s, "request.scheduled") && s->sprint_name) {
        buf_puts(head, " for ");
        buf_puts(head, s->sprint_name);
    }
    if (r->title) {
        buf_puts(head, ": ");
        buf_puts(head, r->title);
    }
    if (is_event(s, "request.submitted"))
        buf_puts(sum, r->requester ? r->requester
                                   : (s->actor ? s->actor : "Someone"));
    else
        buf_puts(sum, s->actor ? s->actor : "Someone");
    if (is_event(s, "request.submitted") && r->org) {
        buf_puts(sum, " (");
        buf_puts(sum, r->org);
        buf_puts(sum, ")");
    }
    buf_putc(sum, ' ');
    buf_puts(sum, s->et ? s->et->summary : "changed the request.");
    if (is_event(s, "request.deployed"))
        buf_puts(sum, " The rules of the tables below changed in this "
                      "deploy.");
}

static void digest_text(const view_src *s, buf *head, buf *sum)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(s->p, "digest");
    int n = cJSON_IsArray(d) ? cJSON_GetArraySize(d) : 0;

    buf_appendf(head, "Deploy digest: %d request%s deployed", n,
                n == 1 ? "" : "s");
    if (s->instance) {
        buf_puts(head, " to ");
        buf_puts(head, s->instance);
    }
    buf_appendf(sum, "%d change request%s went live", n, n == 1 ? "" : "s");
    if (s->sprint_name) {
        buf_puts(sum, " in ");
        buf_puts(sum, s->sprint_name);
    }
    buf_puts(sum, ".");
}

/* The "fields" of a registry.changed payload by their labels on the
 * form ("Runbook note, Campaign note"), or NULL when there are none. */
static char *field_labels(const cJSON *p, const char *column)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(p, "fields");
    const cJSON *f;
    buf b = {0};
    char *out;

    cJSON_ArrayForEach(f, arr)
    {
        if (!cJSON_IsString(f))
            continue;
        if (b.len)
            buf_puts(&b, ", ");
        buf_puts(&b, card_field_label(column, f->valuestring));
    }
    out = b.len ? notify_text_clean(buf_cstr(&b), LINE_MAX_BYTES, 0) : NULL;
    buf_dispose(&b);
    return out;
}

/* A registry edit: which table (and column) of which instance, by whom,
 * which fields; the reason is the note. */
static void changed_text(notify_view *v, const view_src *s, buf *head, buf *sum)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(s->p, "table");
    char *table = jline(t, "name"), *inst = jline(t, "instance");
    char *column = jline(s->p, "column");
    char *fields = field_labels(s->p, column);

    buf_puts(head, "Rules of ");
    buf_puts(head, table ? table : "a table");
    if (column) {
        buf_putc(head, '.');
        buf_puts(head, column);
    }
    if (inst) {
        buf_puts(head, " on ");
        buf_puts(head, inst);
    }
    buf_puts(head, " changed");
    buf_puts(sum, s->actor ? s->actor : "Someone");
    buf_puts(sum, " edited the registry");
    if (fields) {
        buf_puts(sum, ": ");
        buf_puts(sum, fields);
    }
    buf_puts(sum, ".");
    add_field(v, "Instance", inst);
    add_field(v, "Table", table);
    add_field(v, "Column", column);
    add_field(v, "Fields", fields);
}

/* One user's daily digest of unread inbox items: each item worded as
 * its own message would be. */
static void inbox_digest_text(notify_view *v, const view_src *s, buf *head,
                              buf *sum)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s->p, "items");
    const cJSON *o;
    int64_t count = jint(s->p, "count");

    buf_appendf(head, "%lld unread item%s in your docket inbox",
                (long long)count, count == 1 ? "" : "s");
    buf_puts(sum, "What happened since your last digest");
    if (count > cJSON_GetArraySize(items))
        buf_appendf(sum, " (the newest %d below)", cJSON_GetArraySize(items));
    buf_puts(sum, ".");
    cJSON_ArrayForEach(o, items)
    {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "payload");
        notify_event sub = {0};
        notify_view iv;
        char *url;

        if (!cJSON_IsObject(p) || !jstr(o, "event") || v->nitems >= MAX_ITEMS)
            continue;
        sub.uid = "";
        sub.event = jstr(o, "event");
        sub.payload = p;
        notify_view_build(&iv, &sub, s->base_url);
        url = iv.url;
        iv.url = NULL;
        add_item(v, xstrdup(iv.headline), xstrdup(iv.summary), url);
        notify_view_dispose(&iv);
    }
}

/* ---- tonight's feeds (feed.missing, .failed, .recovered, .anomaly) ---- */

static int is_feed_event(const char *event)
{
    return !strcmp(event, "feed.missing") || !strcmp(event, "feed.failed") ||
           !strcmp(event, "feed.recovered") || !strcmp(event, "feed.anomaly");
}

/* An ISO time of the payload as "2026-03-03 04:00 UTC", or NULL. */
static char *feed_when(const cJSON *o, const char *key)
{
    const char *iso = jstr(o, key);
    char out[40];
    int64_t t;
    time_t tt;
    struct tm tm;

    if (!iso || time_parse_iso(&t, iso) < 0)
        return NULL;
    tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) ||
        !strftime(out, sizeof out, "%Y-%m-%d %H:%M UTC", &tm))
        return NULL;
    return xstrdup(out);
}

/* "1,234,567 rows" (or "1 row") for a count of the payload, or NULL. */
static char *feed_rows(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    char digits[32];
    buf b = {0};
    size_t n;

    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= 1e15)
        return NULL;
    snprintf(digits, sizeof digits, "%.0f", v->valuedouble);
    n = strlen(digits);
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf_putc(&b, ',');
        buf_putc(&b, digits[i]);
    }
    buf_puts(&b, !strcmp(digits, "1") ? " row" : " rows");
    return buf_detach(&b);
}

/* The words of a feed alert: headline, summary, the fields (the campaign
 * rule and the escalation contact first), the runbook as the note and
 * what PagerDuty needs (a trigger, or a resolve with the same key). */
static void feed_text(notify_view *v, const view_src *s, buf *head, buf *sum)
{
    const cJSON *p = s->p, *t = cJSON_GetObjectItemCaseSensitive(p, "table");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "arrival");
    const cJSON *an = cJSON_GetObjectItemCaseSensitive(p, "anomaly");
    const char *ev = s->ev->event;
    char *table = jline(t, "name"), *inst = jline(p, "instance");
    char *rule = jline(p, "campaign_rule"), *due = feed_when(p, "due_at");
    char *missing = feed_when(p, "missing_at"),
         *arrived = feed_when(a, "arrived_at");
    char *rows = feed_rows(a, "rows"), *msg = jline(a, "message");
    const char *tn = table ? table : "a table";
    char *median = NULL, *esc;
    int required = jstr(p, "campaign_dependency") &&
                   !strcmp(jstr(p, "campaign_dependency"), "required");

    if (!rule)
        rule = xstrdup(required ? "REQUIRED: hold campaigns"
                                : "optional: campaigns may run");
    if (!strcmp(ev, "feed.missing")) {
        buf_puts(head, "Missing: ");
        buf_puts(sum, "The file of ");
        buf_puts(sum, tn);
        if (due) {
            buf_puts(sum, " due ");
            buf_puts(sum, due);
        }
        buf_puts(sum, " has not arrived");
        if (missing) {
            buf_puts(sum, "; its grace period ended at ");
            buf_puts(sum, missing);
        }
        buf_puts(sum, ". ");
        buf_puts(sum, rule);
        buf_puts(sum, ".");
    } else if (!strcmp(ev, "feed.failed")) {
        buf_puts(head, "Load failed: ");
        buf_puts(sum, "The load of ");
        buf_puts(sum, tn);
        if (due) {
            buf_puts(sum, " due ");
            buf_puts(sum, due);
        }
        buf_puts(sum, " failed");
        if (arrived) {
            buf_puts(sum, " at ");
            buf_puts(sum, arrived);
        }
        if (msg) {
            buf_puts(sum, ": ");
            buf_puts(sum, msg);
        }
        buf_puts(sum, ". ");
        buf_puts(sum, rule);
        buf_puts(sum, ".");
    } else if (!strcmp(ev, "feed.recovered")) {
        buf_puts(head, "Arrived after the alert: ");
        buf_puts(sum, "The file of ");
        buf_puts(sum, tn);
        if (due) {
            buf_puts(sum, " due ");
            buf_puts(sum, due);
        }
        buf_puts(sum, " arrived");
        if (arrived) {
            buf_puts(sum, " at ");
            buf_puts(sum, arrived);
        }
        if (rows) {
            buf_puts(sum, " (");
            buf_puts(sum, rows);
            buf_puts(sum, ")");
        }
        buf_puts(sum, required ? ". Campaigns held for it may run (it is "
                                 "REQUIRED: hold campaigns while it is "
                                 "missing)."
                               : ". It is optional: campaigns may run.");
    } else {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(an, "median_rows");
        const char *dir = jstr(an, "direction");
        int64_t pct =
            jint(an, dir && !strcmp(dir, "above") ? "high_pct" : "low_pct");
        if (cJSON_IsNumber(m)) {
            cJSON *tmp = cJSON_CreateObject();
            cJSON_AddNumberToObject(tmp, "n", m->valuedouble);
            median = feed_rows(tmp, "n");
            cJSON_Delete(tmp);
        }
        buf_puts(head, "Row count anomaly: ");
        buf_puts(sum, "The file of ");
        buf_puts(sum, tn);
        if (due) {
            buf_puts(sum, " due ");
            buf_puts(sum, due);
        }
        buf_puts(sum, " arrived with ");
        buf_puts(sum, rows ? rows : "an unknown number of rows");
        buf_appendf(sum,
                    ", %s %lld %% of the median of the last %lld "
                    "arrivals",
                    dir && !strcmp(dir, "above") ? "above" : "below",
                    (long long)pct, (long long)jint(an, "arrivals"));
        if (median) {
            buf_puts(sum, " (");
            buf_puts(sum, median);
            buf_puts(sum, ")");
        }
        buf_puts(sum, ". ");
        buf_puts(sum, rule);
        buf_puts(sum, ".");
    }
    buf_puts(head, tn);
    if (inst) {
        buf_puts(head, " on ");
        buf_puts(head, inst);
    }
    /* the order a 3 a.m. reader needs; Slack shows at most 10 */
    add_field(v, "Campaign rule", xstrdup(rule));
    esc = jline(p, "escalation");
    add_field(v, "Escalation", esc ? esc : xstrdup("none on the rules card"));
    add_field(v, "Instance", inst);
    add_field(v, "Table", table);
    add_field(v, "Due", due);
    if (!strcmp(ev, "feed.missing"))
        add_field(v, "Missing since", missing);
    else
        free(missing);
    add_field(v, strcmp(ev, "feed.failed") ? "Arrived" : "Failed at", arrived);
    add_field(v, "Rows", rows);
    add_field(v, "Median", median);
    add_field(v, "Message", msg);
    add_field(v, "Campaign note", jline(p, "campaign_note"));
    add_field(v, "Organisation", jline(p, "organisation"));
    v->note_label = "Runbook";
    free(v->note);
    v->note = notify_text_clean(jstr(p, "runbook") ? jstr(p, "runbook")
                                                   : "none on the rules card",
                                NOTE_MAX_BYTES, 1);
    /* PagerDuty: one incident per slot of a table, resolved when the
       file comes; an anomaly is a warning of its own */
    v->pd_dedup_key = jstr(p, "dedup_key")
                          ? notify_text_clean(jstr(p, "dedup_key"), 255, 0)
                          : NULL;
    if (!strcmp(ev, "feed.recovered")) {
        v->pd_action = "resolve";
        v->pd_severity = "info";
    } else {
        v->pd_action = "trigger";
        v->pd_severity =
            !strcmp(ev, "feed.anomaly") || !required ? "warning" : "error";
    }
    free(rule);
}

/* ---- drift (registry.drift) ---------------------------------------- */

/* New differences between an instance's live database and its registry:
 * the instance, how many, the table, each finding as an item. */
static void drift_text(notify_view *v, const view_src *s, buf *head, buf *sum)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(s->p, "findings");
    const cJSON *f;
    char *inst = jline(s->p, "instance"), *table = jline(s->p, "table");
    int64_t n = jint(s->p, "new_findings");

    buf_appendf(head, "Drift: %lld new finding%s on ", (long long)n,
                n == 1 ? "" : "s");
    buf_puts(head, inst ? inst : "an instance");
    buf_puts(sum, "The live database of ");
    buf_puts(sum, inst ? inst : "an instance");
    buf_appendf(sum, " differs from its documentation in %lld new way%s",
                (long long)n, n == 1 ? "" : "s");
    if (table) {
        buf_puts(sum, " on table ");
        buf_puts(sum, table);
    } else {
        buf_puts(sum, " on tables the registry does not know");
    }
    buf_puts(sum, ". See the drift report.");
    add_field(v, "Instance", inst);
    add_field(v, "Table", table);
    add_field(v, "Organisation", jline(s->p, "organisation"));
    cJSON_ArrayForEach(f, arr)
    {
        buf t = {0}, d = {0};
        const char *col = jstr(f, "column");
        if (!cJSON_IsObject(f) || v->nitems >= MAX_ITEMS)
            continue;
        buf_puts(&t, jstr(f, "kind") ? jstr(f, "kind") : "finding");
        buf_puts(&t, ": ");
        buf_puts(&t, jstr(f, "table") ? jstr(f, "table") : "");
        if (col && *col) {
            buf_putc(&t, '.');
            buf_puts(&t, col);
        }
        buf_puts(&d, "registry: ");
        buf_puts(&d, jstr(f, "registry") && *jstr(f, "registry")
                         ? jstr(f, "registry")
                         : "none");
        buf_puts(&d, "; live: ");
        buf_puts(&d, jstr(f, "live") && *jstr(f, "live") ? jstr(f, "live")
                                                         : "none");
        add_item(v, notify_text_clean(buf_cstr(&t), LINE_MAX_BYTES, 0),
                 notify_text_clean(buf_cstr(&d), LINE_MAX_BYTES, 0), NULL);
        buf_dispose(&t);
        buf_dispose(&d);
    }
}

/* v->headline and v->summary. */
static void view_text(notify_view *v, view_src *s)
{
    buf head = {0}, sum = {0};

    if (is_event(s, "notify.test")) {
        char *channel = jline(s->p, "channel");
        buf_puts(&head, "docket test message");
        buf_puts(&sum, "This is a test message for channel ");
        buf_puts(&sum, channel ? channel : "?");
        buf_puts(&sum, ". If you can read it, notifications reach you.");
        free(channel);
    } else if (is_event(s, "account.reset")) {
        buf_puts(&head, "Reset your docket password");
        buf_puts(&sum, "Someone asked to reset the password of this docket "
                       "account. Open the link within 30 minutes to choose "
                       "a new password; it works once. If it was not you, "
                       "ignore this message.");
    } else if (is_event(s, "delivery.failed")) {
        build_delivery_failed(v, s->p, &head, &sum);
    } else if (is_event(s, "deploy.digest")) {
        digest_text(s, &head, &sum);
    } else if (is_event(s, "registry.changed")) {
        changed_text(v, s, &head, &sum);
    } else if (is_event(s, "inbox.digest")) {
        inbox_digest_text(v, s, &head, &sum);
    } else if (is_feed_event(s->ev->event)) {
        feed_text(v, s, &head, &sum);
    } else if (is_event(s, "registry.drift")) {
        drift_text(v, s, &head, &sum);
    } else {
        request_text(s, &head, &sum);
    }
    v->headline = notify_text_clean(buf_cstr(&head), LINE_MAX_BYTES, 0);
    v->summary = notify_text_clean(buf_cstr(&sum), LINE_MAX_BYTES * 2, 0);
    buf_dispose(&head);
    buf_dispose(&sum);
}

/* The Consent field: the request's flag and note, else the tables'. */
static char *consent_value(const req_info *r, int any_consent)
{
    buf tmp = {0};
    char *out = NULL;

    if (r->consent == 1) {
        buf_puts(&tmp, "Yes, consent-related");
        if (r->consent_note) {
            buf_puts(&tmp, ": ");
            buf_puts(&tmp, r->consent_note);
        }
    } else if (any_consent) {
        buf_puts(&tmp, "Yes, consent-relevant tables");
    } else if (r->consent == 0) {
        buf_puts(&tmp, "No");
    }
    if (tmp.len)
        out = notify_text_clean(buf_cstr(&tmp), 1500, 0);
    buf_dispose(&tmp);
    return out;
}

/* Fields: instance, tables, campaign dependency, consent, ... */
static void view_fields(notify_view *v, view_src *s)
{
    const req_info *r = &s->r;
    int any_consent = 0;

    add_field(v, "Organisation", r->org ? xstrdup(r->org) : NULL);
    add_field(v, "Instance", s->instance ? xstrdup(s->instance) : NULL);
    read_tables(v, s->p, s->base_url, &any_consent, &s->table_names);
    if (s->table_names) {
        /* Keep Tables before Campaign dependency. */
        notify_field dep = {0};
        if (v->nfields &&
            !strcmp(v->fields[v->nfields - 1].label, "Campaign dependency"))
            dep = v->fields[--v->nfields];
        add_field(v, "Tables", xstrdup(s->table_names));
        if (dep.value)
            add_field(v, dep.label, dep.value);
    }
    add_field(v, "Consent", consent_value(r, any_consent));
    if (s->sprint_name) {
        buf tmp = {0};
        buf_puts(&tmp, s->sprint_name);
        if (s->deploy_at) {
            buf_puts(&tmp, " (deploy ");
            buf_puts(&tmp, s->deploy_at);
            buf_puts(&tmp, ")");
        }
        add_field(v, "Sprint",
                  notify_text_clean(buf_cstr(&tmp), LINE_MAX_BYTES, 0));
        buf_dispose(&tmp);
    }
    add_field(v, "Requester", r->requester ? xstrdup(r->requester) : NULL);
    add_field(v, "Status", r->status ? xstrdup(r->status) : NULL);
    read_digest(v, s->p, s->base_url);
}

/* The link to the source of truth and its text. */
static void view_link(notify_view *v, const view_src *s)
{
    buf tmp = {0};

    if (jstr(s->p, "url")) {
        v->url = notify_url_join(s->base_url, jstr(s->p, "url"));
    } else if (s->r.id) {
        buf_appendf(&tmp, "/requests/%lld", (long long)s->r.id);
        v->url = notify_url_join(s->base_url, buf_cstr(&tmp));
    }
    buf_reset(&tmp);
    if (is_event(s, "delivery.failed"))
        buf_puts(&tmp, "Open deliveries in docket");
    else if (is_event(s, "notify.test"))
        buf_puts(&tmp, "Open channels in docket");
    else if (is_event(s, "registry.changed") || is_feed_event(s->ev->event))
        buf_puts(&tmp, "Open the rules card in docket");
    else if (is_event(s, "inbox.digest"))
        buf_puts(&tmp, "Open your inbox in docket");
    else if (is_event(s, "registry.drift"))
        buf_puts(&tmp, "Open the drift report in docket");
    else if (is_event(s, "deploy.digest") || !s->reqo)
        buf_puts(&tmp, "Open in docket");
    else {
        buf_puts(&tmp, "Open ");
        buf_puts(&tmp, s->r.number);
        buf_puts(&tmp, " in docket");
    }
    v->link_text = notify_text_clean(buf_cstr(&tmp), LINE_MAX_BYTES, 0);
    buf_dispose(&tmp);
}

/* PagerDuty: say which tables' rules changed. */
static void view_pd_summary(notify_view *v, const view_src *s)
{
    buf tmp = {0};

    if (is_event(s, "request.deployed") && s->table_names) {
        buf_puts(&tmp, strchr(s->table_names, ',') ? "Rules of tables "
                                                   : "Rules of table ");
        buf_puts(&tmp, s->table_names);
        buf_puts(&tmp, " changed in today's deploy");
        if (s->instance) {
            buf_puts(&tmp, " to ");
            buf_puts(&tmp, s->instance);
        }
        buf_puts(&tmp, " (");
        buf_puts(&tmp, s->r.number);
        if (s->r.title) {
            buf_puts(&tmp, ": ");
            buf_puts(&tmp, s->r.title);
        }
        buf_puts(&tmp, ")");
    } else if (is_feed_event(s->ev->event) && v->nfields &&
               !strcmp(v->fields[0].label, "Campaign rule")) {
        buf_puts(&tmp, v->headline);
        buf_puts(&tmp, " (");
        buf_puts(&tmp, v->fields[0].value);
        buf_puts(&tmp, ")");
    } else {
        buf_puts(&tmp, v->headline);
    }
    v->pd_summary = notify_text_clean(buf_cstr(&tmp), 1024, 0);
    buf_dispose(&tmp);
}

void notify_view_build(notify_view *v, const notify_event *ev,
                       const char *base_url)
{
    view_src s;
    const cJSON *sprint;

    memset(v, 0, sizeof *v);
    memset(&s, 0, sizeof s);
    s.ev = ev;
    s.p = ev->payload;
    s.base_url = base_url;
    s.reqo = cJSON_GetObjectItemCaseSensitive(s.p, "request");
    s.et = text_for(ev->event);
    s.actor = jline(s.p, "actor");
    s.instance = jline(s.p, "instance");
    req_read(&s.r, cJSON_IsObject(s.reqo) ? s.reqo : NULL);
    sprint = cJSON_GetObjectItemCaseSensitive(s.p, "sprint");
    if (cJSON_IsObject(sprint)) {
        s.sprint_name = jline(sprint, "name");
        s.deploy_at = jline(sprint, "deploy_at");
    }
    if (!s.instance && s.r.instances)
        s.instance = xstrdup(s.r.instances);
    v->note_label = s.et ? s.et->note_label : "Note";
    v->note = notify_text_clean(jstr(s.p, "note"), NOTE_MAX_BYTES, 1);
    view_text(v, &s);
    if (!is_event(&s, "delivery.failed") && !is_event(&s, "notify.test") &&
        !is_event(&s, "registry.changed") && !is_event(&s, "inbox.digest") &&
        !is_feed_event(ev->event))
        view_fields(v, &s);
    view_link(v, &s);
    view_pd_summary(v, &s);
    xfree_all(s.actor, s.instance, s.sprint_name, s.deploy_at, s.table_names);
    req_dispose(&s.r);
}

void notify_view_dispose(notify_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->nfields; i++)
        free(v->fields[i].value);
    for (size_t i = 0; i < v->nitems; i++)
        xfree_all(v->items[i].title, v->items[i].detail, v->items[i].url);
    xfree_all(v->headline, v->summary, v->note, v->items, v->url, v->link_text,
              v->pd_summary, v->pd_dedup_key);
    memset(v, 0, sizeof *v);
}

void notify_event_text(const char *event, const char *payload_json,
                       char **out_headline, char **out_summary)
{
    cJSON *p = cJSON_Parse(payload_json ? payload_json : "{}");
    notify_event ev = {0};
    notify_view v;

    if (!cJSON_IsObject(p)) {
        cJSON_Delete(p);
        p = cJSON_CreateObject();
    }
    ev.uid = "";
    ev.event = event ? event : "";
    ev.payload = p;
    notify_view_build(&v, &ev, "");
    *out_headline = v.headline ? v.headline : xstrdup("");
    *out_summary = v.summary ? v.summary : xstrdup("");
    v.headline = v.summary = NULL;
    notify_view_dispose(&v);
    cJSON_Delete(p);
}
