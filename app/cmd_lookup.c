/* cmd_lookup.c: `docket lookup NAME`: the 3 a.m. rules card on the
 * terminal (domain/card.h's CARD_TERMINAL), read from the database
 * (read-only) or from a server through the API (--url, --token). */
#include "app.h"
#include "buf.h"
#include "card.h"
#include "catalog.h"
#include "feeds_cases.h"
#include "http.h"
#include "mem.h"
#include "str.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct term {
    FILE *f;
    int color;
} term;

/* A string member of a lookup hit, "" when absent. */
static const char *member(const cJSON *o, const char *key)
{
    const char *v =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

    return v ? v : "";
}

/* ---- lookup ------------------------------------------------------------- */

typedef struct cand {
    char *instance, *environment, *table, *dependency;
    char *today; /* "Today: ..." from the server's lookup, NULL: none */
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
    cs->v[cs->n].today = NULL;
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
        free(cs->v[i].today);
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
            const char *today =
                member(cJSON_GetObjectItemCaseSensitive(h, "today"), "text");
            cand_add(
                cs, member(h, "instance"), member(h, "environment"),
                member(h, "table"), member(h, "campaign_dependency"),
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "exact")));
            if (*today)
                cs->v[cs->n - 1].today = xstrdup(today);
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "similar")))
                cs->similar = 1;
        }
        cJSON_Delete(arr);
        return 0;
    }
}

/* The card of instance/table: from the database, or the table API's
 * answer (also kept as text in json when json is not NULL: what the API
 * prints, with the final "\n"). 0 or an exit code after printing the
 * problem. */
static int local_card(registry_card *c, buf *json, const source *s,
                      const char *instance, const char *table)
{
    errmsg err = {0};
    cJSON *t;
    char *txt;

    if (registry_table_card(s->reg, c, instance, table, 0, &err) < 0)
        return app_fail(err.code == ERR_NOTFOUND ? 1 : EXIT_USAGE, "%s",
                        err.msg);
    if (!json)
        return 0;
    t = registry_card_json(c);
    txt = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    buf_puts(json, txt);
    buf_putc(json, '\n');
    cJSON_free(txt);
    return 0;
}

static int remote_card(registry_card *c, buf *json, const source *s,
                       const char *instance, const char *table)
{
    buf path = {0}, text = {0};
    cJSON *doc;
    int rc;

    buf_puts(&path, "/api/v1/instances/");
    buf_append_url(&path, instance);
    buf_puts(&path, "/tables/");
    buf_append_url(&path, table);
    rc = remote_get(&text, s, buf_cstr(&path));
    buf_dispose(&path);
    if (rc == 1)
        rc = app_fail(1, "no table %s in %s", table, instance);
    if (rc == 0 && json)
        buf_append(json, buf_cstr(&text), text.len);
    if (rc == 0 && !json) {
        doc = cJSON_Parse(buf_cstr(&text));
        if (card_from_json(c, doc) < 0)
            rc = app_fail(EXIT_USAGE, "the table answer is not JSON");
        cJSON_Delete(doc);
    }
    buf_dispose(&text);
    return rc;
}

/* The base of "Details:" links: the server asked (--url), else the
 * configured base_url when one was set (not the one derived from listen),
 * else none (the path). */
static const char *details_base(const source *s, buf *tmp)
{
    const char *b = app_config.base_url;

    if (s->url) {
        size_t n = strlen(s->url);
        buf_append(tmp, s->url, n && s->url[n - 1] == '/' ? n - 1 : n);
        return buf_cstr(tmp);
    }
    if (!b || !*b || !app_config.listen)
        return NULL;
    buf_puts(tmp, app_config.tls_cert && *app_config.tls_cert ? "https://"
                                                              : "http://");
    buf_puts(tmp, app_config.listen);
    return strcmp(b, buf_cstr(tmp)) ? b : NULL;
}

/* "Today: ..." of instance/table in the local database into out (the
 * command line acts as the database's operator); nothing when it cannot
 * be read. */
static void local_today(buf *out, registry *reg, const char *instance,
                        const char *table)
{
    domain_actor who = {0};
    domain_feed_history h;
    feed_today td;
    errmsg err = {0};
    int64_t at = time_now();

    who.role = ROLE_ADMIN;
    if (domain_feed_table_history(reg, &who, instance, table, at, 1, &h, &err) <
        0)
        return;
    memset(&td, 0, sizeof td);
    if (h.tracked)
        td = domain_feed_today_of(&h.now);
    domain_feed_today_text(out, &td, at);
    domain_feed_history_dispose(&h);
}

/* Shows candidate c: its card on the terminal t, with today's state of
 * its file beside the campaign dependency, or with json the table JSON
 * exactly as the API prints it. */
static int show(const source *s, const cand *c, int json, const term *t)
{
    registry_card card = {0};
    buf text = {0}, base = {0}, today = {0};
    int rc =
        s->reg
            ? local_card(&card, json ? &text : NULL, s, c->instance, c->table)
            : remote_card(&card, json ? &text : NULL, s, c->instance, c->table);

    if (rc == 0 && !json) {
        card_opts opt = {0};
        opt.color = t->color;
        opt.base_url = details_base(s, &base);
        if (s->reg)
            local_today(&today, s->reg, c->instance, c->table);
        else if (c->today)
            buf_puts(&today, c->today);
        opt.today = today.len ? buf_cstr(&today) : NULL;
        card_write(&text, &card, CARD_TERMINAL, &opt);
    }
    if (rc == 0)
        fwrite(buf_cstr(&text), 1, text.len, t->f);
    registry_card_free(&card);
    buf_dispose(&text);
    buf_dispose(&base);
    buf_dispose(&today);
    return rc;
}

/* The display width of s (UTF-8 continuation bytes take no column). */
static size_t text_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* The candidates under head, one a line: "  customers  (acme-prod,
 * REQUIRED)", numbered ("  1) customers ...") when numbered is set. */
static void list_candidates(FILE *f, const cands *cs, const char *head,
                            int numbered)
{
    size_t wname = 0;

    fprintf(f, "%s\n", head);
    for (size_t i = 0; i < cs->n; i++)
        if (text_width(cs->v[i].table) > wname)
            wname = text_width(cs->v[i].table);
    for (size_t i = 0; i < cs->n; i++) {
        buf line = {0};
        buf_puts(&line, "  ");
        if (numbered)
            buf_appendf(&line, "%*zu) ", cs->n >= 10 ? 2 : 1, i + 1);
        card_term_text(&line, cs->v[i].table);
        for (size_t k = numbered ? text_width(cs->v[i].table) : wname;
             k < wname; k++)
            buf_putc(&line, ' ');
        buf_puts(&line, "  (");
        card_term_text(&line, cs->v[i].instance);
        buf_puts(&line, ", ");
        buf_puts(&line, card_dep_named(cs->v[i].dependency)->badge);
        buf_puts(&line, ")\n");
        fputs(buf_cstr(&line), f);
        buf_dispose(&line);
    }
}

/* The candidate chosen by its number on line (1..n), or -1 for anything
 * else. */
static int choice_of(const char *line, size_t n)
{
    char *end;
    long v;

    while (*line == ' ' || *line == '\t')
        line++;
    v = strtol(line, &end, 10);
    if (end == line)
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
        end++;
    if (*end || v < 1 || (size_t)v > n)
        return -1;
    return (int)v - 1;
}

/* On a terminal: the candidates numbered under head and "Choose 1-N:"
 * until a number in range is typed. The index chosen, or -1 when the
 * person gives none (an empty line, q, end of input). */
static int choose(const cands *cs, const char *head)
{
    char line[64];

    list_candidates(stdout, cs, head, 1);
    printf("Choose 1-%zu (Enter to cancel): ", cs->n);
    for (;;) {
        int k;
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin)) {
            putchar('\n');
            return -1;
        }
        if (line[0] == '\n' || line[0] == 'q' || line[0] == 'Q')
            return -1;
        k = choice_of(line, cs->n);
        if (k >= 0) {
            putchar('\n');
            return k;
        }
        printf("Choose a number from 1 to %zu (Enter to cancel): ", cs->n);
    }
}

/* docket lookup NAME [--instance I] [--json] [--url URL --token T]
 *
 * On a terminal (standard input and output both), several matches with
 * none exact, or close names of a misspelling, are offered as a numbered
 * choice and the chosen card is shown; elsewhere (a pipe, --json) they
 * are listed on standard error.
 *
 * Exit codes: 0 shown (one match, every exact match when several tables
 * match, or the one chosen); 1 several matches and none exact (listed,
 * or no choice made), or no match (close names suggested); 2 errors
 * (usage, database, server). */
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
    int rc = 0, nexact = 0, tty, k;
    const char *q;

    if (n != 1)
        return app_fail(EXIT_USAGE, "usage: %s", u);
    if (instance && !*instance)
        return app_fail(EXIT_USAGE,
                        "--instance needs the name of an instance; leave it "
                        "out to look in every instance");
    q = a->argv[1];
    if (!url)
        url = getenv("DOCKET_URL");
    if (!token)
        token = getenv("DOCKET_TOKEN");
    t.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if (url && *url) {
        s.url = url;
        s.token = token;
    } else {
        s.reg = app_open_db(REGISTRY_READONLY);
        if (!s.reg)
            return EXIT_USAGE;
    }
    rc = find_candidates(&cs, &s, q, instance);
    if (rc != 0)
        goto done;
    tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !json;
    if (cs.n == 0 || cs.similar) {
        buf head = {0};
        buf_puts(&head, "no table named like \"");
        card_term_text(&head, q);
        buf_puts(&head, "\"");
        if (instance) {
            buf_puts(&head, " in ");
            card_term_text(&head, instance);
        }
        if (cs.n && tty) {
            /* A misspelling: the close names to choose from. */
            buf_puts(&head, "; did you mean:");
            k = choose(&cs, buf_cstr(&head));
            rc = k >= 0 ? show(&s, &cs.v[k], json, &t) : 1;
        } else {
            fprintf(stderr, "docket: %s\n", buf_cstr(&head));
            if (cs.n)
                list_candidates(stderr, &cs, "did you mean:", 0);
            rc = 1;
        }
        buf_dispose(&head);
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
            list_candidates(stderr, &others, "also matching:", 0);
            cands_dispose(&others);
        }
    } else if (tty) {
        /* Several names and none exact, on a terminal: a numbered
           choice. */
        k = choose(&cs, "several tables match:");
        rc = k >= 0 ? show(&s, &cs.v[k], json, &t) : 1;
    } else {
        list_candidates(stderr, &cs,
                        "several tables match; name one exactly (or use "
                        "--instance):",
                        0);
        rc = 1;
    }
done:
    cands_dispose(&cs);
    registry_close(s.reg);
    return rc;
}
