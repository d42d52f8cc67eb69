/* cmd_catalog.c: the registry on the command line: `docket lookup` (the
 * 3 a.m. rules card, local read-only or remote through the API),
 * `docket tables`, `docket import` (data-dictionary CSV) and `docket demo`
 * (a small realistic world in a fresh database). `docket export` is in
 * export.c. The data work is in registry/catalog.c. */
#include "app.h"
#include "buf.h"
#include "catalog.h"
#include "http.h"
#include "mem.h"
#include "parse.h"
#include "requests.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- terminal output ---------------------------------------------------- */

typedef struct term {
    FILE *f;
    int color;
} term;

/* Text from the registry, with control characters (escape sequences!)
 * replaced so a description cannot drive the terminal. */
static void tput(term *t, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            fputc('?', t->f);
        else
            fputc(c, t->f);
    }
}

static void tstyle(term *t, const char *sgr)
{
    if (t->color)
        fprintf(t->f, "\033[%sm", sgr);
}

static const char *js(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

static int jb(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static long long ji(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static void label(term *t, const char *l)
{
    tstyle(t, "1");
    fprintf(t->f, "%-12s", l);
    tstyle(t, "0");
}

/* The rules card: campaign dependency first, then arrival, source, owner,
 * consent, runbook, last change and the columns. */
static void print_card(term *t, const cJSON *tb)
{
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(tb, "rules");
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(tb, "columns");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(tb, "last_change");
    const char *dep = js(rules, "campaign_dependency");
    const cJSON *c;
    int ncons = 0, npii = 0, ncols = 0;

    if (!strcmp(dep, "required")) {
        tstyle(t, "1;31");
        fputs("REQUIRED: hold campaigns if the file is missing", t->f);
    } else if (!strcmp(dep, "optional")) {
        tstyle(t, "1;32");
        fputs("OPTIONAL: campaigns may run without it", t->f);
    } else {
        tstyle(t, "1;33");
        fputs("NOT STATED: ask the owner before running campaigns without "
              "it",
              t->f);
    }
    tstyle(t, "0");
    fputc('\n', t->f);
    if (*js(rules, "campaign_note")) {
        fputs("  ", t->f);
        tput(t, js(rules, "campaign_note"));
        fputc('\n', t->f);
    }
    fputc('\n', t->f);
    tstyle(t, "1");
    tput(t, js(tb, "table"));
    tstyle(t, "0");
    fputs("  (", t->f);
    tput(t, js(tb, "instance"));
    fputs(" · ", t->f);
    tput(t, js(tb, "environment"));
    fputs(" · ", t->f);
    tput(t, js(tb, "organisation"));
    fputs(")", t->f);
    if (strcmp(js(tb, "status"), "active")) {
        fputs(" ", t->f);
        tstyle(t, "1;33");
        tput(t, js(tb, "status"));
        tstyle(t, "0");
    }
    fputc('\n', t->f);
    if (*js(tb, "description")) {
        tput(t, js(tb, "description"));
        fputc('\n', t->f);
    }
    label(t, "Expected");
    if (*js(rules, "expected_arrival")) {
        tput(t, js(rules, "expected_arrival"));
        fputs(" UTC", t->f);
        if (ji(rules, "late_after_minutes") > 0) {
            fputs(", missing after ", t->f);
            tput(t, js(rules, "missing_after"));
        }
    } else {
        fputs("no arrival time recorded", t->f);
    }
    if (*js(rules, "cadence")) {
        fputs(" (", t->f);
        tput(t, js(rules, "cadence"));
        fputs(")", t->f);
    }
    fputc('\n', t->f);
    label(t, "Source");
    tput(t, *js(rules, "source") ? js(rules, "source") : "-");
    if (*js(rules, "file_pattern")) {
        fputs("  ", t->f);
        tput(t, js(rules, "file_pattern"));
    }
    fputc('\n', t->f);
    label(t, "Owner");
    tput(t, *js(rules, "owner") ? js(rules, "owner") : "-");
    fputc('\n', t->f);
    label(t, "Escalation");
    tput(t, *js(rules, "escalation") ? js(rules, "escalation") : "-");
    fputc('\n', t->f);
    cJSON_ArrayForEach(c, cols)
    {
        if (!strcmp(js(c, "status"), "retired"))
            continue;
        ncols++;
        ncons += jb(c, "consent");
        npii += jb(c, "pii");
    }
    label(t, "Consent");
    if (jb(rules, "consent_relevant") || ncons)
        fprintf(t->f, "consent-relevant (%d consent column%s)", ncons,
                ncons == 1 ? "" : "s");
    else
        fputs("not consent-relevant", t->f);
    if (npii)
        fprintf(t->f, " · PII in %d column%s", npii, npii == 1 ? "" : "s");
    fputc('\n', t->f);
    label(t, "Last change");
    if (cJSON_IsObject(last)) {
        char d[11];
        str_copy(d, sizeof d, js(last, "at"));
        fputs(d, t->f);
        if (ji(last, "request") > 0)
            fprintf(t->f, " CR-%lld", ji(last, "request"));
        else {
            fputs(" ", t->f);
            tput(t, js(last, "reason"));
        }
        fputs(" (", t->f);
        if (*js(last, "column")) {
            tput(t, js(last, "column"));
            fputs(": ", t->f);
        }
        tput(t, js(last, "field"));
        fputs(")", t->f);
    } else {
        fputs("-", t->f);
    }
    fputc('\n', t->f);
    if (*js(rules, "runbook")) {
        const char *p = js(rules, "runbook");
        label(t, "Runbook");
        fputc('\n', t->f);
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            char *line = xstrndup(p, n);
            fputs("  ", t->f);
            tput(t, line);
            fputc('\n', t->f);
            free(line);
            p += n + (nl ? 1 : 0);
        }
    }
    fprintf(t->f, "\n");
    tstyle(t, "1");
    fprintf(t->f, "Columns (%d)", ncols);
    tstyle(t, "0");
    fputc('\n', t->f);
    cJSON_ArrayForEach(c, cols)
    {
        const char *st = js(c, "status");
        if (!strcmp(st, "retired"))
            continue;
        fputs("  ", t->f);
        tput(t, js(c, "name"));
        for (size_t k = strlen(js(c, "name")); k < 28; k++)
            fputc(' ', t->f);
        fputc(' ', t->f);
        tput(t, js(c, "type"));
        for (size_t k = strlen(js(c, "type")); k < 18; k++)
            fputc(' ', t->f);
        if (jb(c, "primary_key"))
            fputs(" PK", t->f);
        if (!jb(c, "nullable"))
            fputs(" not-null", t->f);
        if (jb(c, "pii")) {
            fputs(" ", t->f);
            tstyle(t, "35");
            fputs("PII", t->f);
            tstyle(t, "0");
        }
        if (jb(c, "consent")) {
            fputs(" ", t->f);
            tstyle(t, "36");
            fputs("consent", t->f);
            if (*js(c, "consent_channel")) {
                fputc(':', t->f);
                tput(t, js(c, "consent_channel"));
            }
            tstyle(t, "0");
        }
        if (strcmp(st, "active")) {
            fputs(" [", t->f);
            tput(t, st);
            fputs("]", t->f);
        }
        if (ji(c, "added_by_request") > 0)
            fprintf(t->f, " (CR-%lld)", ji(c, "added_by_request"));
        fputc('\n', t->f);
    }
    fputs("\nDetails: ", t->f);
    tput(t, js(tb, "url"));
    fputc('\n', t->f);
}

/* ---- lookup ------------------------------------------------------------- */

typedef struct cand {
    char *instance, *environment, *table, *dependency;
    int exact;
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
    int similar; /* suggestions by spelling, not matches */
} cands;

static void cand_add(cands *cs, const char *instance, const char *env,
                     const char *table, const char *dep, int exact)
{
    xgrow(&cs->v, &cs->cap, cs->n + 1, sizeof *cs->v);
    cs->v[cs->n].instance = xstrdup(instance);
    cs->v[cs->n].environment = xstrdup(env);
    cs->v[cs->n].table = xstrdup(table);
    cs->v[cs->n].dependency = xstrdup(dep);
    cs->v[cs->n].exact = exact;
    cs->n++;
}

static void cands_dispose(cands *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->v[i].instance);
        free(cs->v[i].environment);
        free(cs->v[i].table);
        free(cs->v[i].dependency);
    }
    free(cs->v);
    memset(cs, 0, sizeof *cs);
}

static void cand_hit(void *ctx, const registry_lookup_hit *h)
{
    cand_add(ctx, h->instance, h->environment, h->table, h->campaign_dependency,
             h->exact);
}

/* Where the data comes from: the database or a server. */
typedef struct source {
    registry *reg;   /* local */
    const char *url; /* remote base URL */
    const char *token;
} source;

/* Fetches path from the server; the body into out. Returns 0, or an exit
 * code after printing the problem. 404 gives 1. */
static int remote_get(buf *out, const source *s, const char *path)
{
    buf url = {0};
    errmsg err = {0};
    long status = 0;
    size_t n = strlen(s->url);
    int rc;

    buf_append(&url, s->url, n && s->url[n - 1] == '/' ? n - 1 : n);
    buf_puts(&url, path);
    rc = notify_http_get(out, &status, buf_cstr(&url), s->token, &err);
    buf_dispose(&url);
    if (rc < 0)
        return app_fail(EXIT_USAGE, "%s", err.msg);
    if (status == 401)
        return app_fail(EXIT_USAGE, "the server wants a valid token "
                                    "(--token or DOCKET_TOKEN)");
    if (status == 404)
        return 1;
    if (status != 200)
        return app_fail(EXIT_USAGE, "the server answered HTTP %ld", status);
    return 0;
}

static int find_candidates(cands *cs, const source *s, const char *q,
                           const char *instance)
{
    errmsg err = {0};

    if (s->reg) {
        int n = registry_lookup(s->reg, q, REGISTRY_LOOKUP_PREFIX, instance, 0,
                                50, cand_hit, cs, &err);
        if (n == 0)
            n = registry_lookup(s->reg, q, REGISTRY_LOOKUP_SUBSTRING, instance,
                                0, 50, cand_hit, cs, &err);
        if (n == 0) {
            n = registry_lookup_similar(s->reg, q, instance, 0, 3, 5, cand_hit,
                                        cs, &err);
            cs->similar = n > 0;
        }
        if (n < 0)
            return app_fail(EXIT_USAGE, "%s", err.msg);
        return 0;
    } else {
        buf path = {0}, body = {0};
        cJSON *arr, *h;
        int rc;
        buf_puts(&path, "/api/v1/lookup?limit=50&similar=1&q=");
        buf_append_url(&path, q);
        if (instance && *instance) {
            buf_puts(&path, "&instance=");
            buf_append_url(&path, instance);
        }
        rc = remote_get(&body, s, buf_cstr(&path));
        buf_dispose(&path);
        if (rc) {
            buf_dispose(&body);
            return rc == 1 ? app_fail(EXIT_USAGE, "no lookup API at %s", s->url)
                           : rc;
        }
        arr = cJSON_Parse(buf_cstr(&body));
        buf_dispose(&body);
        if (!cJSON_IsArray(arr)) {
            cJSON_Delete(arr);
            return app_fail(EXIT_USAGE, "the server's answer is not a list");
        }
        cJSON_ArrayForEach(h, arr)
        {
            cand_add(cs, js(h, "instance"), js(h, "environment"),
                     js(h, "table"), js(h, "campaign_dependency"),
                     jb(h, "exact"));
            if (jb(h, "similar"))
                cs->similar = 1;
        }
        cJSON_Delete(arr);
        return 0;
    }
}

/* The table JSON exactly as the API prints it (with the final "\n"). */
static int table_text(buf *out, const source *s, const char *instance,
                      const char *table)
{
    if (s->reg) {
        errmsg err = {0};
        cJSON *t = registry_table_json(s->reg, instance, table, &err);
        char *txt;
        if (!t)
            return app_fail(err.code == ERR_NOTFOUND ? 1 : EXIT_USAGE, "%s",
                            err.msg);
        txt = cJSON_PrintUnformatted(t);
        cJSON_Delete(t);
        buf_puts(out, txt);
        buf_putc(out, '\n');
        cJSON_free(txt);
        return 0;
    } else {
        buf path = {0};
        int rc;
        buf_puts(&path, "/api/v1/instances/");
        buf_append_url(&path, instance);
        buf_puts(&path, "/tables/");
        buf_append_url(&path, table);
        rc = remote_get(out, s, buf_cstr(&path));
        buf_dispose(&path);
        if (rc == 1)
            return app_fail(1, "no table %s in %s", table, instance);
        return rc;
    }
}

static int show(const source *s, const cand *c, int json, term *t)
{
    buf text = {0};
    int rc = table_text(&text, s, c->instance, c->table);

    if (rc == 0) {
        if (json) {
            fwrite(buf_cstr(&text), 1, text.len, stdout);
        } else {
            cJSON *tb = cJSON_Parse(buf_cstr(&text));
            if (!tb)
                rc = app_fail(EXIT_USAGE, "the table answer is not JSON");
            else
                print_card(t, tb);
            cJSON_Delete(tb);
        }
    }
    buf_dispose(&text);
    return rc;
}

static void list_candidates(FILE *f, const cands *cs, const char *head)
{
    fprintf(f, "%s\n", head);
    for (size_t i = 0; i < cs->n; i++) {
        term t = {f, 0};
        fputs("  ", f);
        tput(&t, cs->v[i].table);
        fputs("  (", f);
        tput(&t, cs->v[i].instance);
        fputs(", ", f);
        tput(&t, *cs->v[i].dependency ? cs->v[i].dependency : "not stated");
        fputs(")\n", f);
    }
}

/* docket lookup NAME [--instance I] [--json] [--url URL --token T]
 *
 * Exit codes: 0 shown (one match, or every exact match when several
 * tables match); 1 several matches and none exact (listed), or no match
 * (close names suggested); 2 errors (usage, database, server). */
int cmd_lookup(app_args *a)
{
    static const char u[] =
        "docket lookup NAME [--instance I] [--json] [--url URL --token T]";
    const char *instance = app_opt(a, "--instance");
    const char *url = app_opt(a, "--url");
    const char *token = app_opt(a, "--token");
    int json = app_flag(a, "--json");
    int n = app_positionals(a, u);
    source s = {0};
    cands cs = {0};
    term t = {stdout, 0};
    int rc = 0, nexact = 0;
    const char *q;

    if (n != 1)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    q = a->argv[1];
    if (!url)
        url = getenv("DOCKET_URL");
    if (!token)
        token = getenv("DOCKET_TOKEN");
    t.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if (url && *url) {
        s.url = url;
        s.token = token;
    } else if (!(s.reg = app_open_db(REGISTRY_READONLY))) {
        return EXIT_USAGE;
    }
    if ((rc = find_candidates(&cs, &s, q, instance)) != 0)
        goto done;
    if (cs.n == 0 || cs.similar) {
        fprintf(stderr, "docket: no table named like \"%s\"", q);
        if (instance)
            fprintf(stderr, " in %s", instance);
        fputs("\n", stderr);
        if (cs.n)
            list_candidates(stderr, &cs, "did you mean:");
        rc = 1;
        goto done;
    }
    for (size_t i = 0; i < cs.n; i++)
        nexact += cs.v[i].exact;
    if (cs.n == 1) {
        rc = show(&s, &cs.v[0], json, &t);
    } else if (nexact) {
        int shown = 0;
        for (size_t i = 0; i < cs.n && rc == 0; i++) {
            if (!cs.v[i].exact)
                continue;
            if (shown++ && !json)
                fputs("\n────────────────────────────────────────\n\n", stdout);
            rc = show(&s, &cs.v[i], json, &t);
        }
        if (rc == 0 && (size_t)nexact < cs.n) {
            cands others = {0};
            for (size_t i = 0; i < cs.n; i++)
                if (!cs.v[i].exact)
                    cand_add(&others, cs.v[i].instance, cs.v[i].environment,
                             cs.v[i].table, cs.v[i].dependency, 0);
            list_candidates(stderr, &others, "also matching:");
            cands_dispose(&others);
        }
    } else {
        list_candidates(stderr, &cs,
                        "several tables match; name one exactly (or use "
                        "--instance):");
        rc = 1;
    }
done:
    cands_dispose(&cs);
    registry_close(s.reg);
    return rc;
}

/* ---- tables ------------------------------------------------------------- */

static void table_line(void *ctx, const registry_table_row *r)
{
    term *t = ctx;
    char miss[8] = "";

    if (r->late_after_minutes > 0 && strlen(r->expected_arrival) == 5) {
        int m = ((r->expected_arrival[0] - '0') * 10 +
                 (r->expected_arrival[1] - '0')) *
                    60 +
                (r->expected_arrival[3] - '0') * 10 +
                (r->expected_arrival[4] - '0') + r->late_after_minutes;
        m %= 24 * 60;
        snprintf(miss, sizeof miss, "%02d:%02d", m / 60, m % 60);
    }
    fprintf(t->f, "%-14.14s %-30.30s ", r->instance, r->name);
    if (!strcmp(r->campaign_dependency, "required")) {
        tstyle(t, "1;31");
        fputs("REQUIRED  ", t->f);
    } else if (!strcmp(r->campaign_dependency, "optional")) {
        tstyle(t, "32");
        fputs("OPTIONAL  ", t->f);
    } else {
        fputs("-         ", t->f);
    }
    tstyle(t, "0");
    fprintf(t->f, "%-6s %-6s %-8s %-4s ",
            *r->expected_arrival ? r->expected_arrival : "-",
            *miss ? miss : "-", r->consent_relevant ? "consent" : "",
            r->has_pii ? "PII" : "");
    tput(t, r->owner);
    if (strcmp(r->status, "active")) {
        fputs(" [", t->f);
        tput(t, r->status);
        fputs("]", t->f);
    }
    fputc('\n', t->f);
}

/* docket tables [--instance I] [--required] [--consent] */
int cmd_tables(app_args *a)
{
    static const char u[] = "docket tables [--instance I] [--required] "
                            "[--consent] [--pii]";
    registry_table_filter f = {0};
    term t = {stdout, 0};
    errmsg err = {0};
    registry *reg;
    int64_t total = 0;
    int rc = 0;

    f.instance = app_opt(a, "--instance");
    f.dependency = app_flag(a, "--required") ? "required" : NULL;
    f.consent = app_flag(a, "--consent");
    f.pii = app_flag(a, "--pii");
    f.sort = "instance";
    if (app_positionals(a, u) != 0)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    t.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if (!(reg = app_open_db(REGISTRY_READONLY)))
        return EXIT_USAGE;
    printf("%-14s %-30s %-9s %-6s %-6s %-8s %-4s %s\n", "INSTANCE", "TABLE",
           "CAMPAIGNS", "AT", "LATE", "CONSENT", "PII", "OWNER");
    if (registry_table_list(reg, &f, table_line, &t, &total, &err) < 0)
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
    else
        printf("%lld table%s\n", (long long)total, total == 1 ? "" : "s");
    registry_close(reg);
    return rc;
}

/* ---- import ------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    buf b = {0};
    char chunk[65536];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    if (f != stdin)
        fclose(f);
    *len = b.len;
    return buf_detach(&b);
}

/* docket import --instance NAME FILE.csv [--user EMAIL] */
int cmd_import(app_args *a)
{
    static const char u[] =
        "docket import --instance NAME FILE.csv [--user EMAIL]\n"
        "  CSV header (any order; table and column required): table, column,"
        " type, nullable, primary_key, description, example, pii, consent,"
        " consent_channel, rule, column_status, campaign_dependency,"
        " campaign_note, expected_arrival, late_after_minutes, source,"
        " cadence, file_pattern, owner, escalation, table_description,"
        " runbook, table_kind, table_status, consent_relevant";
    const char *instance = app_opt(a, "--instance");
    const char *email = app_opt(a, "--user");
    registry_import_report rep = {0};
    registry_user user = {0};
    errmsg err = {0};
    registry *reg = NULL;
    char *data = NULL;
    size_t len = 0;
    int rc = 0;

    if (app_flag(a, "--help")) {
        printf("usage: %s\n", u);
        return 0;
    }
    if (app_positionals(a, u) != 1 || !instance)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    data = read_all(a->argv[1], &len);
    if (!data)
        return app_fail(EXIT_USAGE, "cannot read %s", a->argv[1]);
    if (!(reg = app_open_db(REGISTRY_NOCREATE))) {
        free(data);
        return EXIT_USAGE;
    }
    if (email && registry_user_find(reg, &user, email, &err) < 0) {
        rc = app_fail(EXIT_USAGE, "%s", err.msg);
        goto done;
    }
    rc = registry_import_csv(reg, &rep, instance, data, len, user.id, &err);
    if (rc < 0) {
        for (size_t i = 0; i < rep.nproblems; i++) {
            const registry_import_problem *p = &rep.problems[i];
            fprintf(stderr, "%s:%d", a->argv[1], p->line);
            if (*p->field)
                fprintf(stderr, ": %s", p->field);
            fprintf(stderr, ": %s\n", p->message);
        }
        rc = app_fail(err.code == ERR_INVALID || err.code == ERR_NOTFOUND
                          ? EXIT_USAGE
                          : EXIT_RUNTIME,
                      "%s", err.msg);
        goto done;
    }
    registry_audit(reg, user.id, email ? email : "cli", "registry.import",
                   instance, a->argv[1], "local");
    printf("imported %d record%s into %s: %d table%s created, %d updated; "
           "%d column%s added, %d updated\n",
           rep.records, rep.records == 1 ? "" : "s", instance,
           rep.tables_created, rep.tables_created == 1 ? "" : "s",
           rep.tables_updated, rep.columns_added,
           rep.columns_added == 1 ? "" : "s", rep.columns_updated);
done:
    registry_import_report_dispose(&rep);
    registry_close(reg);
    free(data);
    return rc;
}

/* ---- demo --------------------------------------------------------------- */

/* The demo's data dictionary (imported into both instances). */
static const char demo_csv[] =
    "table,column,type,nullable,primary_key,description,example,pii,consent,"
    "consent_channel,campaign_dependency,campaign_note,expected_arrival,"
    "late_after_minutes,source,cadence,file_pattern,owner,escalation,"
    "table_description,runbook\n"
    "customers,customer_id,bigint,no,yes,Customer number,100045,,,,required,"
    "Every campaign selects from customers: hold all sends if the file is "
    "missing.,05:00,120,flat_file_csv,daily,customers_YYYYMMDD.csv,"
    "crm-data@acme.example,+44 20 7946 0001 (CRM on-call),"
    "One row per customer with contact details and segments.,"
    "\"1. Check the SFTP drop folder for today's file.\n2. If it is missing "
    "after 07:00 UTC, page the CRM on-call.\n3. **Do not** start campaigns "
    "on yesterday's data.\"\n"
    "customers,email,string(255),yes,,E-mail address,ann@example.com,yes,,,"
    ",,,,,,,,,,\n"
    "customers,first_name,string(100),yes,,First name,Ann,yes,,,,,,,,,,,,,\n"
    "customers,postcode,string(10),yes,,Postal code,SW1A 1AA,yes,,,,,,,,,,,,,"
    "\n"
    "customers,segment,string(20),yes,,Value segment,gold,,,,,,,,,,,,,,\n"
    "customers,lifetime_value,\"decimal(10,2)\",yes,,Sum of purchases,"
    "1520.50,,,,,,,,,,,,,,\n"
    "purchases,purchase_id,bigint,no,yes,Receipt number,88001234,,,,required,"
    "Purchase-triggered journeys wait for this file.,06:00,90,"
    "snowflake_share,daily,,sales-data@acme.example,"
    "sales-oncall@acme.example,One row per till receipt or web order.,"
    "Share refreshes at 05:30 UTC. If late: check the Snowflake task "
    "history.\n"
    "purchases,customer_id,bigint,yes,,Buyer (null for guests),100045,,,,,"
    ",,,,,,,,,\n"
    "purchases,purchased_at,timestamp with time zone,no,,Time of purchase,"
    "2026-03-02T14:05:00Z,,,,,,,,,,,,,,\n"
    "purchases,total_amount,\"decimal(12,2)\",no,,Total incl. VAT,59.90,,,,,,"
    ",,,,,,,,\n"
    "purchases,store_id,integer,yes,,Store (null for web),12,,,,,,,,,,,,,,\n"
    "purchase_items,purchase_id,bigint,no,yes,Receipt number,88001234,,,,"
    "optional,Only basket-level recommendations use it.,06:30,120,"
    "snowflake_share,daily,,sales-data@acme.example,,Lines of each purchase."
    ",\n"
    "purchase_items,line_no,integer,no,yes,Line on the receipt,1,,,,,,,,,,,,"
    ",,\n"
    "purchase_items,product_id,bigint,no,,Product,501234,,,,,,,,,,,,,,\n"
    "purchase_items,quantity,integer,no,,Quantity,2,,,,,,,,,,,,,,\n"
    "email_events,event_id,string(36),no,yes,Event UUID,"
    "8f0c7a9e-1b2c-4d5e-9f00-123456789abc,,,,optional,Reporting only.,"
    "03:00,240,json,hourly,email_events_*.json,"
    "marketing-ops@platform.example,,Opens clicks bounces from the e-mail "
    "service.,\n"
    "email_events,customer_id,bigint,yes,,Recipient,100045,,,,,,,,,,,,,,\n"
    "email_events,event_type,string(20),no,,\"open, click, bounce\",open,,,"
    ",,,,,,,,,,,\n"
    "email_events,occurred_at,timestamp with time zone,no,,When,"
    "2026-03-02T09:00:00Z,,,,,,,,,,,,,,\n"
    "sms_events,event_id,string(36),no,yes,Event UUID,,,,,optional,,04:00,"
    "240,json,hourly,sms_events_*.json,marketing-ops@platform.example,,"
    "Delivery receipts from the SMS gateway.,\n"
    "sms_events,phone_number,string(20),yes,,Recipient number,+447700900123"
    ",yes,,,,,,,,,,,,,\n"
    "sms_events,status,string(20),no,,\"delivered, failed\",delivered,,,,,,,"
    ",,,,,,,\n"
    "consent_preferences,customer_id,bigint,no,yes,Customer,100045,,,,"
    "required,No consent file means no sends: campaigns must wait.,04:30,60,"
    "flat_file_csv,daily,consent_YYYYMMDD.csv,privacy@acme.example,"
    "dpo@acme.example,Opt-in and opt-out state per channel.,"
    "Never use a stale consent file. Escalate to the DPO after 05:30 UTC.\n"
    "consent_preferences,email_opt_in,boolean,no,,E-mail marketing opt-in,"
    "true,,yes,email,,,,,,,,,,,\n"
    "consent_preferences,updated_at,timestamp with time zone,no,,Last "
    "change,2026-03-01T10:00:00Z,,,,,,,,,,,,,,\n"
    "loyalty_members,member_id,bigint,no,yes,Member number,700123,,,,"
    "required,Tier-based campaigns must wait for this file.,05:00,120,"
    "flat_file_csv,daily,loyalty_members_YYYYMMDD.csv,"
    "loyalty@acme.example,,One row per loyalty member.,\n"
    "loyalty_members,customer_id,bigint,no,,Customer,100045,,,,,,,,,,,,,,\n"
    "loyalty_members,tier,string(20),yes,,\"gold, silver or bronze\",gold,,,"
    ",,,,,,,,,,,\n"
    "loyalty_members,loyalty_email_opt_in,boolean,yes,,Opted in to loyalty "
    "e-mails,true,,yes,email,,,,,,,,,,,\n"
    "stores,store_id,integer,no,yes,Store number,12,,,,optional,"
    "Reference data: yesterday's copy is fine.,,,flat_file_csv,weekly,"
    "stores.csv,retail-ops@acme.example,,Store master data.,\n"
    "stores,name,string(100),no,,Store name,Oxford Street,,,,,,,,,,,,,,\n"
    "stores,region,string(50),yes,,Region,London,,,,,,,,,,,,,,\n"
    "products,product_id,bigint,no,yes,Product number,501234,,,,optional,"
    "Reference data.,02:00,360,snowflake_share,daily,,"
    "merch-data@acme.example,,Product catalogue.,\n"
    "products,name,string(200),no,,Product name,Trail runner,,,,,,,,,,,,,,\n"
    "products,category,string(50),yes,,Category,shoes,,,,,,,,,,,,,,\n"
    "web_sessions,session_id,string(64),no,yes,Session,s-9f8e7d,,,,optional"
    ",Browse-abandonment only.,07:00,180,json,hourly,web_sessions_*.json,"
    "web-analytics@acme.example,,Web sessions from the analytics tag.,\n"
    "web_sessions,customer_id,bigint,yes,,Signed-in customer,100045,,,,,,,"
    ",,,,,,,\n"
    "web_sessions,ip_address,string(45),yes,,Client IP,203.0.113.7,yes,,,,"
    ",,,,,,,,,\n"
    "campaign_responses,response_id,bigint,no,yes,Response,1,,,,optional,,"
    "08:00,240,flat_file_csv,daily,responses_YYYYMMDD.csv,"
    "marketing-ops@platform.example,,Responses attributed to campaigns.,\n"
    "campaign_responses,campaign_code,string(20),no,,Campaign,SPRING26,,,,"
    ",,,,,,,,,,\n"
    "campaign_responses,customer_id,bigint,no,,Customer,100045,,,,,,,,,,,,"
    ",,\n"
    "unsubscribes,customer_id,bigint,no,yes,Customer,100045,,,,required,"
    "Unsubscribes must be applied before any send.,04:00,30,flat_file_csv,"
    "daily,unsubscribes_YYYYMMDD.csv,privacy@acme.example,"
    "dpo@acme.example,Opt-outs from every channel.,"
    "\"Legal requirement: if this file is late, **stop all sends** and "
    "call the DPO.\"\n"
    "unsubscribes,channel,string(20),no,yes,Channel,email,,yes,email,,,,,,,"
    ",,,,\n"
    "unsubscribes,unsubscribed_at,timestamp with time zone,no,,When,"
    "2026-03-01T18:22:00Z,,,,,,,,,,,,,,\n";

/* Requests of the demo: JSON as the API takes it, with what happens. */
static const struct {
    const char *json;
    const char *status;
    const char *deployed[2]; /* instances deployed to, in order */
} demo_requests[] = {
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-qa\",\"acme-prod\"],\"project_manager\":"
     "\"pm@platform.example\",\"requester_name\":\"Casey Client\","
     "\"requester_email\":\"client@acme.example\",\"title\":\"SMS opt-in "
     "on consent preferences\",\"summary\":\"We start SMS campaigns in "
     "April and need the SMS opt-in state.\",\"consent_related\":true,"
     "\"consent_note\":\"Opt-in collected at checkout.\",\"items\":[{"
     "\"kind\":\"add_columns\",\"table\":\"consent_preferences\","
     "\"columns\":[{\"name\":\"sms_opt_in\",\"type\":\"boolean\","
     "\"nullable\":true,\"description\":\"SMS marketing opt-in\","
     "\"example\":\"false\",\"consent\":true,\"consent_channel\":\"sms\"}]}"
     "]}",
     "deployed",
     {"acme-qa", "acme-prod"}},
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-qa\",\"acme-prod\"],\"project_manager\":"
     "\"pm@platform.example\",\"requester_name\":\"Casey Client\","
     "\"requester_email\":\"client@acme.example\",\"title\":\"Loyalty tier "
     "on customers\",\"summary\":\"Copy the loyalty tier to customers and "
     "widen lifetime value.\",\"items\":[{\"kind\":\"customer_attributes\","
     "\"table\":\"customers\",\"columns\":[{\"name\":\"loyalty_tier\","
     "\"action\":\"add\",\"type\":\"string(20)\",\"description\":\"Copied "
     "from loyalty_members\",\"example\":\"gold\"},{\"name\":"
     "\"lifetime_value\",\"action\":\"change\",\"type\":\"decimal(12,2)\","
     "\"rule\":\"Sum of purchases over 5 years\"}]}]}",
     "in_progress",
     {"acme-qa", NULL}},
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-prod\"],\"project_manager\":\"pm@platform.example\","
     "\"requester_name\":\"Casey Client\",\"requester_email\":"
     "\"client@acme.example\",\"title\":\"Device type on web sessions\","
     "\"summary\":\"For mobile-first journeys.\",\"items\":[{\"kind\":"
     "\"add_columns\",\"table\":\"web_sessions\",\"columns\":[{\"name\":"
     "\"device_type\",\"type\":\"string(20)\",\"description\":\"mobile, "
     "tablet or desktop\",\"example\":\"mobile\"}]}]}",
     "submitted",
     {NULL, NULL}},
    {"{\"organisation\":\"acme\",\"instance\":\"acme-prod\",\"instances\":"
     "[\"acme-qa\",\"acme-prod\"],\"project_manager\":"
     "\"pm@platform.example\",\"requester_name\":\"Casey Client\","
     "\"requester_email\":\"client@acme.example\",\"title\":\"Store "
     "opening hours\",\"summary\":\"Local campaigns mention opening "
     "hours.\",\"items\":[{\"kind\":\"new_table\",\"table\":\"store_hours\","
     "\"description\":\"Opening hours per store and weekday.\","
     "\"primary_key\":\"store_id, weekday\",\"source\":\"flat_file_csv\","
     "\"cadence\":\"weekly\",\"expected_arrival\":\"06:00\","
     "\"late_after_minutes\":240,\"file_pattern\":\"store_hours.csv\","
     "\"campaign_dependency\":\"optional\",\"campaign_note\":\"Campaigns "
     "fall back to 'see website'.\",\"owner\":\"retail-ops@acme.example\","
     "\"columns\":[{\"name\":\"store_id\",\"type\":\"integer\","
     "\"nullable\":false,\"primary_key\":true,\"description\":\"Store\"},"
     "{\"name\":\"weekday\",\"type\":\"integer\",\"nullable\":false,"
     "\"primary_key\":true,\"description\":\"1 = Monday\"},{\"name\":"
     "\"opens_at\",\"type\":\"string(5)\",\"description\":\"HH:MM local\"}"
     "]}]}",
     "scheduled",
     {NULL, NULL}},
};

static int demo_user(registry *reg, int64_t *out_id, const char *email,
                     const char *name, const char *role, const char *org)
{
    char password[33];
    errmsg err = {0};

    registry_random_hex(password, 10);
    if (registry_user_add(reg, out_id, email, name, role, org, password, &err) <
        0)
        return app_fail(EXIT_RUNTIME, "%s", err.msg);
    printf("  %-26s %-7s password %s\n", email, role, password);
    return 0;
}

/* docket --db FILE demo: a small realistic world in a FRESH database. */
int cmd_demo(app_args *a)
{
    static const char u[] = "docket --db FILE demo";
    static const char *const instances[] = {"acme-qa", "acme-prod"};
    registry *reg;
    errmsg err = {0};
    int64_t client_id = 0, pm_id = 0, id;
    int rc = 0;

    if (app_positionals(a, u) != 0)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    if (!(reg = app_open_db(0)))
        return EXIT_USAGE;
    if (!registry_is_empty(reg)) {
        registry_close(reg);
        return app_fail(EXIT_USAGE,
                        "%s already holds data: the demo needs a fresh "
                        "database (docket --db new.db demo)",
                        app_config.db);
    }
    if (registry_org_add(reg, NULL, "acme", &err) < 0 ||
        registry_instance_add(reg, NULL, "acme", "acme-qa", "qa", "postgres",
                              &err) < 0 ||
        registry_instance_add(reg, NULL, "acme", "acme-prod", "production",
                              "postgres", &err) < 0) {
        rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
        goto done;
    }
    printf("demo: organisation acme, instances acme-qa (qa) and acme-prod "
           "(production)\ndemo: users (passwords are shown only now):\n");
    if ((rc = demo_user(reg, &client_id, "client@acme.example", "Casey Client",
                        "client", "acme")) ||
        (rc = demo_user(reg, &pm_id, "pm@platform.example", "Pat Manager", "pm",
                        NULL)) ||
        (rc = demo_user(reg, &id, "ops@platform.example", "Olu Ops", "ops",
                        NULL)) ||
        (rc = demo_user(reg, &id, "admin@platform.example", "Ada Admin",
                        "admin", NULL)))
        goto done;
    for (size_t i = 0; i < 2; i++) {
        registry_import_report rep = {0};
        if (registry_import_csv(reg, &rep, instances[i], demo_csv,
                                sizeof demo_csv - 1, pm_id, &err) < 0) {
            for (size_t k = 0; k < rep.nproblems; k++)
                fprintf(stderr, "demo data line %d: %s: %s\n",
                        rep.problems[k].line, rep.problems[k].field,
                        rep.problems[k].message);
            registry_import_report_dispose(&rep);
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
            goto done;
        }
        printf("demo: %s: %d tables, %d columns\n", instances[i],
               rep.tables_created, rep.columns_added);
        registry_import_report_dispose(&rep);
    }
    for (size_t i = 0; i < sizeof demo_requests / sizeof *demo_requests; i++) {
        form_request r;
        form_errors fe = {0};
        registry_submit sub = {client_id, "Casey Client", NULL};
        int64_t rid = 0;
        form_parse_json(&r, demo_requests[i].json,
                        strlen(demo_requests[i].json), &fe);
        if (fe.n) {
            rc = app_fail(EXIT_RUNTIME, "demo request %zu: %s: %s", i,
                          fe.errs[0].field, fe.errs[0].message);
            form_errors_dispose(&fe);
            form_request_dispose(&r);
            goto done;
        }
        form_errors_dispose(&fe);
        if (registry_request_insert(reg, &rid, NULL, &r, &sub, &err) < 0) {
            form_request_dispose(&r);
            rc = app_fail(EXIT_RUNTIME, "demo request %zu: %s", i, err.msg);
            goto done;
        }
        r.id = rid;
        if (registry_begin(reg, &err) < 0) {
            form_request_dispose(&r);
            rc = app_fail(EXIT_RUNTIME, "%s", err.msg);
            goto done;
        }
        for (size_t k = 0; k < 2 && demo_requests[i].deployed[k]; k++)
            if (registry_request_apply(reg, &r, demo_requests[i].deployed[k],
                                       pm_id, &err) < 0 ||
                registry_demo_request_status(reg, rid, demo_requests[i].status,
                                             demo_requests[i].deployed[k],
                                             time_now(), &err) < 0)
                break;
        if (!err.code && !demo_requests[i].deployed[0])
            registry_demo_request_status(reg, rid, demo_requests[i].status,
                                         NULL, time_now(), &err);
        if (err.code || registry_commit(reg, &err) < 0) {
            registry_rollback(reg);
            form_request_dispose(&r);
            rc = app_fail(EXIT_RUNTIME, "demo request %zu: %s", i, err.msg);
            goto done;
        }
        printf("demo: CR-%lld %s (%s)\n", (long long)rid, r.title,
               demo_requests[i].status);
        form_request_dispose(&r);
    }
    registry_audit(reg, 0, "cli", "demo.create", app_config.db, "", "local");
    printf("demo: ready. Start it with: docket --db %s serve\n", app_config.db);
done:
    registry_close(reg);
    return rc;
}
