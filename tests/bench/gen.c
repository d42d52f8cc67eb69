/* gen.c: the benchmark data set. Creates a fresh docket database with
 * registry_open (so the schema is the real one), adds organisations,
 * instances, users and API tokens through the registry API, then writes
 * registry tables, columns, history and change requests directly with
 * SQLite in big transactions (the FTS triggers fire as in production).
 * Writes what the wrk scripts need into OUTDIR: tables.txt, words.txt,
 * ops_token.txt, client_tokens.txt, gate.txt. Used by tests/bench/run.sh.
 *
 *   bench_gen --db PATH --out DIR [--scale X] [--tables-per-instance N]
 *             [--columns N] [--requests N] [--gate-tables N]
 *
 * Scale 1: 50 organisations, 100 instances, 10,000 tables, 200,000
 * columns, 20,000 requests; --scale 10 gives 100,000 tables and
 * 2,000,000 columns. Besides, for the gate case, organisation "feeds"
 * with instance feeds-prod: 500 tracked tables (--gate-tables; nine in
 * ten daily, one in ten hourly, two in three required) and 14 days of
 * their arrivals up to 12:00 UTC of the day of generation (a few late,
 * failed and reloaded, or missing); gate.txt names the instance and that
 * moment. Deterministic: the same arguments give the same data (tokens
 * aside; the arrivals are relative to the day of generation). */
#include "registry.h"
#include "requests.h"
#include "str.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NORGS 50
#define NINST (NORGS * 2)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    uint64_t x = rng_state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 2685821657736338717ULL;
}

static unsigned rn(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* Zipf-like pick: small indexes are much more frequent. */
static unsigned rz(unsigned n)
{
    unsigned a = rn(n), b = rn(n);
    return a < b ? a : b;
}

static const char *const domains[] = {
    "customer",  "email",   "sms",        "push",         "web",
    "app",       "loyalty", "store",      "product",      "order",
    "campaign",  "consent", "preference", "survey",       "ticket",
    "ad",        "social",  "payment",    "subscription", "catalog",
    "inventory", "return",  "coupon",     "referral",     "session",
    "device",    "address", "household",  "segment",      "score",
    "wishlist",  "cart",    "review",     "shipment",     "invoice",
    "member",    "partner", "promo",      "newsletter",   "event"};
static const char *const entities[] = {
    "events",    "attributes",   "history",     "snapshot",   "opens",
    "clicks",    "bounces",      "sends",       "visits",     "purchases",
    "returns",   "lines",        "items",       "profiles",   "scores",
    "status",    "optins",       "optouts",     "balances",   "transactions",
    "responses", "impressions",  "conversions", "views",      "logins",
    "signups",   "unsubscribes", "complaints",  "deliveries", "feedback"};
static const char *const suffixes[] = {"",     "_daily", "_hourly", "_v2",
                                       "_raw", "_agg",   "_hist",   "_latest"};
static const char *const col_words[] = {
    "customer", "email",    "phone",    "first",    "last",     "name",
    "birth",    "postal",   "city",     "country",  "gender",   "language",
    "store",    "order",    "product",  "sku",      "price",    "amount",
    "currency", "discount", "tax",      "channel",  "campaign", "segment",
    "score",    "tier",     "points",   "balance",  "status",   "source",
    "device",   "browser",  "region",   "category", "brand",    "quantity",
    "opt",      "consent",  "click",    "open",     "visit",    "session",
    "referrer", "coupon",   "return",   "reason",   "payment",  "method",
    "shipping", "carrier",  "delivery", "survey",   "rating",   "review"};
static const char *const col_suffixes[] = {
    "_id",     "_code", "_at",   "_date", "_flag", "_count",
    "_amount", "_name", "_type", "_key",  "",      "_total"};
/* Words of descriptions, notes and runbooks (the search vocabulary). */
static const char *const words[] = {
    "daily",      "file",        "customer",    "profile",
    "attributes", "loyalty",     "program",     "points",
    "balance",    "email",       "opens",       "clicks",
    "bounces",    "delivered",   "campaign",    "audience",
    "segment",    "consent",     "opt",         "preference",
    "purchase",   "history",     "order",       "lines",
    "returns",    "refund",      "store",       "online",
    "mobile",     "app",         "push",        "notification",
    "sms",        "message",     "web",         "visit",
    "session",    "page",        "view",        "product",
    "catalog",    "price",       "discount",    "coupon",
    "promotion",  "inventory",   "stock",       "warehouse",
    "shipment",   "carrier",     "tracking",    "invoice",
    "payment",    "card",        "token",       "subscription",
    "renewal",    "churn",       "score",       "model",
    "prediction", "lifetime",    "value",       "household",
    "address",    "postal",      "validated",   "deduplicated",
    "merged",     "source",      "system",      "crm",
    "erp",        "pos",         "ecommerce",   "platform",
    "export",     "snapshot",    "incremental", "full",
    "load",       "sftp",        "bucket",      "partner",
    "agency",     "vendor",      "survey",      "response",
    "rating",     "review",      "feedback",    "complaint",
    "ticket",     "support",     "agent",       "channel",
    "region",     "country",     "language",    "currency",
    "timezone",   "utc",         "midnight",    "morning",
    "batch",      "late",        "missing",     "hold",
    "sends",      "suppression", "unsubscribe", "gdpr",
    "ccpa",       "retention",   "deletion",    "pii",
    "hashed",     "encrypted",   "masked",      "analytics",
    "reporting",  "dashboard",   "finance",     "marketing",
    "sales",      "service",     "team",        "owner",
    "escalate",   "oncall",      "rerun",       "backfill",
    "reload",     "check",       "folder",      "drop",
    "arrival",    "window",      "threshold",   "alert",
    "weekly",     "monthly",     "quarterly",   "yearly",
    "seasonal",   "holiday",     "black",       "friday",
    "winter",     "summer",      "member",      "tier",
    "gold",       "silver",      "bronze",      "referral",
    "reward",     "redemption",  "earned",      "expired",
    "wishlist",   "cart",        "abandoned",   "checkout",
    "conversion", "attribution", "impression",  "click",
    "spend",      "budget"};
static const char *const types[] = {
    "bigint", "string(255)", "string(50)",    "string(20)", "boolean",
    "date",   "timestamp",   "decimal(12,2)", "integer",    "text"};
static const char *const sources[] = {
    "snowflake_share", "flat_file_csv", "json", "parquet", "database", "api"};
static const char *const cadences[] = {"daily", "hourly", "weekly", "monthly",
                                       "ad_hoc"};
static const char *const open_statuses[] = {
    "submitted", "triaged", "needs_info", "scheduled", "in_progress"};
static const char *const item_kinds[] = {
    "new_table", "add_columns", "customer_attributes", "activity_history",
    "purchase_history"};

#define N(a) (sizeof a / sizeof *a)

static sqlite3 *db;

static void die(const char *what)
{
    fprintf(stderr, "bench_gen: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(3);
}

static void exec(const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_gen: %s: %s\n", sql, msg ? msg : "?");
        exit(3);
    }
}

/* The search rows of the requests inserted since the last flush, as
 * registry_commit writes them (schema step 16): before each COMMIT of
 * requests. */
static void search_flush(void)
{
    exec(REGISTRY_SEARCH_FLUSH_SQL);
    exec(REGISTRY_SEARCH_CLEAR_SQL);
}

static sqlite3_stmt *prep(const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql);
    return st;
}

static void step(sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die(sqlite3_sql(st));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static void bt(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void bi(sqlite3_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, v);
}

/* n words of the vocabulary, space separated, into out. */
static void sentence(char *out, size_t size, int n)
{
    size_t len = 0;

    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *w = words[rz(N(words))];
        int k = snprintf(out + len, size - len, "%s%s", i ? " " : "", w);
        if (k < 0 || (size_t)k >= size - len)
            break;
        len += (size_t)k;
    }
    if (len + 2 < size) {
        out[len] = '.';
        out[len + 1] = '\0';
    }
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

static void hhmm(char *out, size_t size)
{
    snprintf(out, size, "%02u:%02u", rn(24), rn(4) * 15);
}

typedef struct inst {
    int64_t id, org_id;
    char name[64];
    int ntables;
    int64_t first_table; /* reg_tables ids are consecutive per instance */
    char (*tnames)[64];
} inst;

static int usage(void)
{
    fputs("usage: bench_gen --db PATH --out DIR [--scale X] "
          "[--tables-per-instance N] [--columns N] [--requests N] "
          "[--gate-tables N]\n",
          stderr);
    return 2;
}

/* The gate case: ngate tracked tables of instance gate_inst (ids from
 * *tid on) and 14 days of their arrivals up to `at`, as a loading job
 * reports them. Returns the number of arrivals. */
static int64_t gate_data(int64_t gate_inst, int64_t *tid, int ngate, int64_t at)
{
    sqlite3_stmt *ti =
        prep("INSERT INTO reg_tables(id, instance_id, name, description, kind,"
             " source, cadence, expected_arrival, late_after_minutes,"
             " file_pattern, campaign_dependency, campaign_note,"
             " consent_relevant, owner, escalation, runbook, status,"
             " created_by_request, created_at, updated_at) VALUES (?1, ?2, ?3,"
             " ?4, 'new_table', 'flat_file_csv', ?5, ?6, ?7, ?8, ?9, ?10, 0,"
             " ?11, ?12, ?13, 'active', NULL, ?14, ?14)");
    sqlite3_stmt *ai = prep(
        "INSERT INTO arrivals(instance_id, table_id, file, rows, bytes,"
        " arrived_at, status, message, reported_by, created_at) VALUES (?1,"
        " ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?6)");
    int64_t day0 = at - at % 86400, narr = 0;

    exec("BEGIN");
    for (int i = 0; i < ngate; i++) {
        int hourly = i % 10 == 0;
        int64_t id = (*tid)++, base_rows = 1000 + (int64_t)rn(2000000);
        int64_t minute = hourly ? rn(60) : rn(10) * 60 + rn(4) * 15;
        int64_t grace = 30 + (int64_t)rn(4) * 30; /* minutes */
        char name[64], expected[8], desc[200], note[300], runbook[600],
            owner[80], esc[80], pattern[120];

        if (hourly && grace > 30)
            grace = 30;
        snprintf(name, sizeof name, "feed_%03d", i);
        snprintf(expected, sizeof expected, "%02d:%02d",
                 (int)(minute / 60) % 24, (int)(minute % 60));
        sentence(desc, sizeof desc, 6 + (int)rn(6));
        sentence(note, sizeof note, rn(3) ? 6 + (int)rn(8) : 0);
        sentence(runbook, sizeof runbook, 15 + (int)rn(25));
        snprintf(owner, sizeof owner, "data-feed-%03d@feeds.example", i);
        snprintf(esc, sizeof esc, "+44 20 7946 %04u (on-call)", rn(10000));
        snprintf(pattern, sizeof pattern, "%s_YYYYMMDD.csv.gz", name);
        bi(ti, 1, id);
        bi(ti, 2, gate_inst);
        bt(ti, 3, name);
        bt(ti, 4, desc);
        bt(ti, 5, hourly ? "hourly" : "daily");
        bt(ti, 6, expected);
        bi(ti, 7, grace);
        bt(ti, 8, pattern);
        bt(ti, 9, i % 3 ? "required" : "optional");
        bt(ti, 10, note);
        bt(ti, 11, owner);
        bt(ti, 12, esc);
        bt(ti, 13, runbook);
        bi(ti, 14, day0 - 400 * 86400);
        step(ti);
        /* slots: one a day (daily) or 24 (hourly), oldest first */
        for (int64_t s = day0 - 13 * 86400; s <= at;
             s += hourly ? 3600 : 86400) {
            int64_t due = s + (hourly ? minute % 60 : minute) * 60;
            unsigned luck = rn(100);
            int64_t t = due - 20 * 60 + (int64_t)rn(20 * 60 + grace * 30);
            char file[120], ymdh[32];
            if (luck < 2) /* missing */
                continue;
            if (luck < 5) /* late */
                t = due + grace * 60 + (int64_t)rn(3 * 3600);
            if (t > at)
                continue;
            time_iso(ymdh, sizeof ymdh, due);
            for (int k = 0; k < (luck >= 5 && luck < 8 ? 2 : 1); k++) {
                int failed = luck >= 5 && luck < 8 && k == 0;
                int64_t rows = base_rows - base_rows / 10 +
                               (int64_t)rn((unsigned)(base_rows / 5 + 1));
                if (k == 1 && (t += 40 * 60) > at)
                    break;
                snprintf(file, sizeof file, "%s_%.13s%s.csv.gz", name, ymdh,
                         k ? "_reload" : "");
                bi(ai, 1, gate_inst);
                bi(ai, 2, id);
                bt(ai, 3, file);
                bi(ai, 4, failed ? -1 : rows);
                bi(ai, 5, failed ? -1 : rows * 118);
                bi(ai, 6, t);
                bt(ai, 7, failed ? "failed" : "ok");
                bt(ai, 8,
                   failed ? "checksum mismatch: the file ends in the middle "
                            "of a record; ask the sender for a new copy"
                          : "");
                step(ai);
                narr++;
            }
        }
    }
    exec("COMMIT");
    sqlite3_finalize(ti);
    sqlite3_finalize(ai);
    return narr;
}

int main(int argc, char **argv)
{
    const char *dbpath = NULL, *outdir = NULL;
    double scale = 1.0;
    int tpi = 0, ncols = 20, nreq = 0, ngate = 500;
    registry *reg = NULL;
    errmsg err = {0};
    inst insts[NINST];
    int64_t pm_ids[4], ops_id = 0, client_ids[NORGS];
    char path[4096], ops_token[80], client_tokens[NORGS][80];
    int64_t now = time_now(), t0 = now - 2 * 365 * 86400;
    int64_t total_tables = 0, total_columns = 0, total_hist = 0;
    int64_t gate_inst = 0, gate_at = now - now % 86400 + 12 * 3600;
    int64_t gate_arrivals = 0, next_tid = 0;
    FILE *f;
    struct timespec ta, tb;

    clock_gettime(CLOCK_MONOTONIC, &ta);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage();
        if (!strcmp(a, "--db"))
            dbpath = v;
        else if (!strcmp(a, "--out"))
            outdir = v;
        else if (!strcmp(a, "--scale"))
            scale = strtod(v, NULL);
        else if (!strcmp(a, "--tables-per-instance"))
            tpi = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--columns"))
            ncols = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--requests"))
            nreq = (int)strtol(v, NULL, 10);
        else if (!strcmp(a, "--gate-tables"))
            ngate = (int)strtol(v, NULL, 10);
        else
            return usage();
        i++;
    }
    if (!dbpath || !outdir || scale <= 0 || ncols < 1 || ngate < 0 ||
        ngate > 1000)
        return usage();
    if (!tpi)
        tpi = (int)(100 * scale + 0.5);
    if (!nreq)
        nreq = (int)(20000 * scale + 0.5);
    if (tpi < 1 || tpi > (int)(N(domains) * N(entities) * N(suffixes)))
        return usage();
    remove(dbpath);
    snprintf(path, sizeof path, "%s-wal", dbpath);
    remove(path);
    snprintf(path, sizeof path, "%s-shm", dbpath);
    remove(path);

    /* Accounts through the real API. */
    if (registry_open(&reg, dbpath, 0, &err) < 0)
        goto fail;
    if (registry_begin(reg, &err) < 0)
        goto fail;
    for (int o = 0; o < NORGS; o++) {
        char org[16], email[128], name[64];
        int64_t oid;
        snprintf(org, sizeof org, "org%02d", o);
        if (registry_org_add(reg, &oid, org, &err) < 0)
            goto fail;
        for (int k = 0; k < 2; k++) {
            inst *in = &insts[o * 2 + k];
            memset(in, 0, sizeof *in);
            snprintf(in->name, sizeof in->name, "%s-%s", org,
                     k ? "prod" : "qa");
            in->org_id = oid;
            if (registry_instance_add(reg, &in->id, org, in->name,
                                      k ? "production" : "qa",
                                      o % 3 == 0   ? "snowflake"
                                      : o % 3 == 1 ? "postgres"
                                                   : "mysql",
                                      &err) < 0)
                goto fail;
        }
        snprintf(email, sizeof email, "client@%s.example", org);
        snprintf(name, sizeof name, "Client of %s", org);
        if (registry_user_add(reg, &client_ids[o], email, name, "client", org,
                              NULL, &err) < 0)
            goto fail;
        if (registry_token_create(reg, client_tokens[o], NULL, client_ids[o],
                                  "bench", &err) < 0)
            goto fail;
    }
    for (int p = 0; p < 4; p++) {
        char email[64], name[64];
        snprintf(email, sizeof email, "pm%d@platform.example", p);
        snprintf(name, sizeof name, "Project manager %d", p);
        if (registry_user_add(reg, &pm_ids[p], email, name, "pm", NULL, NULL,
                              &err) < 0)
            goto fail;
    }
    /* The gate case's organisation and instance, after the others so
       their ids are as before. */
    if (registry_org_add(reg, NULL, "feeds", &err) < 0 ||
        registry_instance_add(reg, &gate_inst, "feeds", "feeds-prod",
                              "production", "postgres", &err) < 0)
        goto fail;
    if (registry_user_add(reg, &ops_id, "ops@platform.example", "Night ops",
                          "ops", NULL, NULL, &err) < 0 ||
        registry_token_create(reg, ops_token, NULL, ops_id, "bench", &err) < 0)
        goto fail;
    if (registry_commit(reg, &err) < 0)
        goto fail;
    registry_close(reg);
    reg = NULL;

    /* Bulk rows straight into SQLite: one connection, big transactions,
       no fsync (the benchmark reopens the file with synchronous=FULL). */
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die("open");
    exec("PRAGMA synchronous = OFF");
    exec("PRAGMA cache_size = -262144");
    exec("PRAGMA foreign_keys = OFF");

    {
        sqlite3_stmt *ti = prep(
            "INSERT INTO reg_tables(id, instance_id, name, description, kind,"
            " source, cadence, expected_arrival, late_after_minutes,"
            " file_pattern, campaign_dependency, campaign_note,"
            " consent_relevant, owner, escalation, runbook, status,"
            " created_by_request, created_at, updated_at) VALUES (?1, ?2, ?3,"
            " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
            " NULL, ?18, ?19)");
        sqlite3_stmt *ci = prep(
            "INSERT INTO reg_columns(table_id, position, name, type,"
            " nullable, primary_key, description, example, pii, consent,"
            " consent_channel, rule, status, created_by_request, created_at,"
            " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
            " ?11, ?12, ?13, NULL, ?14, ?14)");
        sqlite3_stmt *hi = prep(
            "INSERT INTO registry_history(instance_id, table_id, column_id,"
            " table_name, column_name, field, old_value, new_value,"
            " request_id, user_id, reason, created_at) VALUES (?1, ?2, ?3,"
            " ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10, ?11)");
        int64_t tid = 1;

        for (int k = 0; k < NINST; k++) {
            inst *in = &insts[k];
            unsigned nd = N(domains), ne = N(entities), ns = N(suffixes);
            unsigned combos = nd * ne * ns;
            /* A per-instance permutation walk over the name space:
               start + i * step (mod combos) with step coprime to it. */
            unsigned start = rn(combos), stepv = 7919;
            in->ntables = tpi;
            in->first_table = tid;
            in->tnames = calloc((size_t)tpi, sizeof *in->tnames);
            if (!in->tnames)
                die("out of memory");
            exec("BEGIN");
            for (int t = 0; t < tpi; t++, tid++) {
                unsigned c = (start + (unsigned)t * stepv) % combos;
                char *tn = in->tnames[t];
                char desc[400], note[300], runbook[600], owner[80], esc[80],
                    arrival[8], pattern[120], used[64][48];
                int64_t created = t0 + (int64_t)rn(300 * 86400);
                int64_t updated = created + (int64_t)rn(300 * 86400);
                int nused = 0;
                snprintf(tn, 64, "%s_%s%s", domains[c / (ne * ns)],
                         entities[(c / ns) % ne], suffixes[c % ns]);
                sentence(desc, sizeof desc, 8 + (int)rn(10));
                sentence(note, sizeof note, rn(3) ? 6 + (int)rn(8) : 0);
                sentence(runbook, sizeof runbook, rn(2) ? 15 + (int)rn(25) : 0);
                snprintf(owner, sizeof owner, "data-%s@%s.example",
                         domains[c / (ne * ns)], in->name);
                snprintf(esc, sizeof esc, "+44 20 7946 %04u (on-call)",
                         rn(10000));
                hhmm(arrival, sizeof arrival);
                snprintf(pattern, sizeof pattern, "%s_YYYYMMDD.csv.gz", tn);
                bi(ti, 1, tid);
                bi(ti, 2, in->id);
                bt(ti, 3, tn);
                bt(ti, 4, desc);
                bt(ti, 5, item_kinds[rn(N(item_kinds))]);
                bt(ti, 6, sources[rn(N(sources))]);
                bt(ti, 7, cadences[rz(N(cadences))]);
                bt(ti, 8, arrival);
                bi(ti, 9, rn(4) * 60);
                bt(ti, 10, pattern);
                bt(ti, 11, rn(5) == 0 ? "" : rn(2) ? "required" : "optional");
                bt(ti, 12, note);
                bi(ti, 13, rn(6) == 0);
                bt(ti, 14, owner);
                bt(ti, 15, esc);
                bt(ti, 16, runbook);
                bt(ti, 17, rn(30) ? "active" : "deprecated");
                bi(ti, 18, created);
                bi(ti, 19, updated);
                step(ti);
                bi(hi, 1, in->id);
                bi(hi, 2, tid);
                sqlite3_bind_null(hi, 3);
                bt(hi, 4, tn);
                bt(hi, 5, "");
                bt(hi, 6, "table");
                sqlite3_bind_null(hi, 7);
                bt(hi, 8, "created");
                bi(hi, 9, pm_ids[rn(4)]);
                bt(hi, 10, "import");
                bi(hi, 11, created);
                step(hi);
                total_hist++;
                for (int col = 0; col < ncols; col++) {
                    char cn[48], cdesc[300], example[64], rule[200];
                    const char *type =
                        col == 0 ? "bigint" : types[rz(N(types))];
                    int dup;
                    int64_t cid;
                    do {
                        if (col == 0)
                            snprintf(cn, sizeof cn, "%s_id",
                                     domains[c / (ne * ns)]);
                        else
                            snprintf(cn, sizeof cn, "%s%s",
                                     col_words[rn(N(col_words))],
                                     col_suffixes[rn(N(col_suffixes))]);
                        dup = 0;
                        for (int u = 0; u < nused; u++)
                            if (!strcmp(used[u], cn))
                                dup = 1;
                        if (dup && nused >= 48) {
                            snprintf(cn, sizeof cn, "attribute_%d", col);
                            dup = 0;
                        }
                    } while (dup);
                    if (nused < 48)
                        str_copy(used[nused++], sizeof used[0], cn);
                    sentence(cdesc, sizeof cdesc, 4 + (int)rn(9));
                    snprintf(example, sizeof example, "%u", rn(1000000));
                    sentence(rule, sizeof rule, rn(5) == 0 ? 5 : 0);
                    bi(ci, 1, tid);
                    bi(ci, 2, col + 1);
                    bt(ci, 3, cn);
                    bt(ci, 4, type);
                    bi(ci, 5, col != 0);
                    bi(ci, 6, col == 0);
                    bt(ci, 7, cdesc);
                    bt(ci, 8, example);
                    bi(ci, 9, rn(8) == 0);
                    bi(ci, 10, rn(15) == 0);
                    bt(ci, 11, rn(15) == 0 ? "email" : "");
                    bt(ci, 12, rule);
                    bt(ci, 13, rn(40) ? "active" : "deprecated");
                    bi(ci, 14, created);
                    step(ci);
                    cid = sqlite3_last_insert_rowid(db);
                    total_columns++;
                    bi(hi, 1, in->id);
                    bi(hi, 2, tid);
                    bi(hi, 3, cid);
                    bt(hi, 4, tn);
                    bt(hi, 5, cn);
                    bt(hi, 6, "column");
                    sqlite3_bind_null(hi, 7);
                    bt(hi, 8, type);
                    bi(hi, 9, pm_ids[rn(4)]);
                    bt(hi, 10, "import");
                    bi(hi, 11, created);
                    step(hi);
                    total_hist++;
                }
                /* A few later rule changes. */
                for (unsigned ch = rn(4); ch > 0; ch--) {
                    char oldv[8], newv[8];
                    hhmm(oldv, sizeof oldv);
                    hhmm(newv, sizeof newv);
                    bi(hi, 1, in->id);
                    bi(hi, 2, tid);
                    sqlite3_bind_null(hi, 3);
                    bt(hi, 4, tn);
                    bt(hi, 5, "");
                    bt(hi, 6, "expected_arrival");
                    bt(hi, 7, oldv);
                    bt(hi, 8, newv);
                    bi(hi, 9, pm_ids[rn(4)]);
                    bt(hi, 10, "file moved to another batch");
                    bi(hi, 11, created + (int64_t)rn(300 * 86400));
                    step(hi);
                    total_hist++;
                }
                total_tables++;
            }
            exec("COMMIT");
        }
        sqlite3_finalize(ti);
        sqlite3_finalize(ci);
        sqlite3_finalize(hi);
        next_tid = tid;
    }

    /* Change requests: mostly deployed, some open; one or two items each,
       on existing tables (add columns) or new names. */
    {
        sqlite3_stmt *ri = prep(
            "INSERT INTO requests(id, org_id, instance_id, requester_id,"
            " requester_name, requester_email, pm_id, title, summary,"
            " consent_related, status, priority, created_at, updated_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
            " ?14)");
        sqlite3_stmt *rii = prep(
            "INSERT INTO request_instances(request_id, instance_id, position,"
            " deployed_at, deployed_by) VALUES (?1, ?2, ?3, ?4, ?5)");
        sqlite3_stmt *ii = prep(
            "INSERT INTO request_items(request_id, position, kind,"
            " table_name, description, source, cadence, expected_arrival,"
            " campaign_dependency, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
            " ?8, ?9, ?10)");
        sqlite3_stmt *ici =
            prep("INSERT INTO item_columns(item_id, position, name, type,"
                 " nullable, description, example, pii, consent, action) VALUES"
                 " (?1, ?2, ?3, ?4, 1, ?5, '', ?6, 0, 'add')");
        sqlite3_stmt *ei = prep(
            "INSERT INTO request_events(request_id, user_id, from_status,"
            " to_status, instance_id, note, created_at) VALUES (?1, ?2, ?3,"
            " ?4, ?5, '', ?6)");

        exec("BEGIN");
        for (int r = 1; r <= nreq; r++) {
            int o = rn(NORGS);
            inst *in = &insts[o * 2 + 1], *qa = &insts[o * 2];
            int open = rn(10) == 0;
            const char *status =
                open ? open_statuses[rn(N(open_statuses))] : "deployed";
            int64_t created = t0 + (int64_t)rn(700 * 86400);
            int64_t updated = created + (int64_t)rn(20 * 86400);
            int nitems = 1 + (rn(3) == 0);
            char title[200], summary[400];
            int64_t item_id;
            sentence(title, sizeof title, 4 + (int)rn(4));
            title[strlen(title) - 1] = '\0';
            sentence(summary, sizeof summary, 12 + (int)rn(20));
            bi(ri, 1, r);
            bi(ri, 2, in->org_id);
            bi(ri, 3, in->id);
            bi(ri, 4, client_ids[o]);
            bt(ri, 5, "Client");
            bt(ri, 6, "client@example.example");
            bi(ri, 7, pm_ids[rn(4)]);
            bt(ri, 8, title);
            bt(ri, 9, summary);
            bi(ri, 10, rn(8) == 0);
            bt(ri, 11, status);
            bi(ri, 12, rn(3));
            bi(ri, 13, created);
            bi(ri, 14, updated);
            step(ri);
            bi(rii, 1, r);
            bi(rii, 2, qa->id);
            bi(rii, 3, 0);
            bi(rii, 4, open ? 0 : updated);
            bi(rii, 5, pm_ids[0]);
            step(rii);
            bi(rii, 1, r);
            bi(rii, 2, in->id);
            bi(rii, 3, 1);
            bi(rii, 4, open ? 0 : updated);
            bi(rii, 5, pm_ids[0]);
            step(rii);
            for (int it = 0; it < nitems; it++) {
                int existing = rn(3) != 0;
                char tn[64], desc[300];
                if (existing)
                    str_copy(tn, sizeof tn,
                             in->tnames[rn((unsigned)in->ntables)]);
                else
                    snprintf(tn, sizeof tn, "new_feed_%d_%d", r, it);
                sentence(desc, sizeof desc, 6 + (int)rn(8));
                bi(ii, 1, r);
                bi(ii, 2, it);
                bt(ii, 3, existing ? "add_columns" : "new_table");
                bt(ii, 4, tn);
                bt(ii, 5, desc);
                bt(ii, 6, sources[rn(N(sources))]);
                bt(ii, 7, cadences[rz(N(cadences))]);
                bt(ii, 8, "06:00");
                bt(ii, 9, rn(2) ? "required" : "optional");
                bt(ii, 10, "");
                step(ii);
                item_id = sqlite3_last_insert_rowid(db);
                for (int c = 0, nc = 2 + (int)rn(6); c < nc; c++) {
                    char cn[64], cd[200];
                    snprintf(cn, sizeof cn, "%s_r%d_%d",
                             col_words[rn(N(col_words))], r, c);
                    sentence(cd, sizeof cd, 4 + (int)rn(6));
                    bi(ici, 1, item_id);
                    bi(ici, 2, c);
                    bt(ici, 3, cn);
                    bt(ici, 4, types[rz(N(types))]);
                    bt(ici, 5, cd);
                    bi(ici, 6, rn(8) == 0);
                    step(ici);
                }
            }
            {
                static const char *const flow[] = {"submitted", "triaged",
                                                   "scheduled", "in_progress",
                                                   "deployed"};
                const char *from = "";
                size_t nflow = open ? 2 : N(flow);
                for (size_t s = 0; s < nflow; s++) {
                    const char *to = s == 0 ? "submitted"
                                     : open ? status
                                            : flow[s];
                    if (s > 0 && !strcmp(to, "submitted"))
                        break;
                    bi(ei, 1, r);
                    bi(ei, 2, s ? pm_ids[0] : client_ids[o]);
                    bt(ei, 3, from);
                    bt(ei, 4, to);
                    sqlite3_bind_null(ei, 5);
                    bi(ei, 6, created + (int64_t)s * 3600);
                    step(ei);
                    from = to;
                }
            }
            if (r % 5000 == 0) {
                search_flush();
                exec("COMMIT");
                exec("BEGIN");
            }
        }
        search_flush();
        exec("COMMIT");
        sqlite3_finalize(ri);
        sqlite3_finalize(rii);
        sqlite3_finalize(ii);
        sqlite3_finalize(ici);
        sqlite3_finalize(ei);
    }
    /* Last, so that the random numbers of everything above stay as they
       were before the gate case existed. */
    gate_arrivals = gate_data(gate_inst, &next_tid, ngate, gate_at);
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
    exec("ANALYZE");
    sqlite3_close(db);
    db = NULL;

    /* What the wrk scripts read. */
    snprintf(path, sizeof path, "%s/tables.txt", outdir);
    f = fopen(path, "w");
    if (!f)
        die(path);
    for (int k = 0; k < NINST; k++)
        for (int t = 0; t < insts[k].ntables; t++)
            fprintf(f, "%s/%s\n", insts[k].name, insts[k].tnames[t]);
    fclose(f);
    snprintf(path, sizeof path, "%s/words.txt", outdir);
    f = fopen(path, "w");
    if (!f)
        die(path);
    for (size_t w = 0; w < N(words); w++)
        fprintf(f, "%s\n", words[w]);
    fclose(f);
    snprintf(path, sizeof path, "%s/ops_token.txt", outdir);
    f = fopen(path, "w");
    if (!f)
        die(path);
    fprintf(f, "%s\n", ops_token);
    fclose(f);
    snprintf(path, sizeof path, "%s/gate.txt", outdir);
    f = fopen(path, "w");
    if (!f)
        die(path);
    {
        char iso[32];
        time_iso(iso, sizeof iso, gate_at);
        fprintf(f, "feeds-prod %s\n", iso);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/client_tokens.txt", outdir);
    f = fopen(path, "w");
    if (!f)
        die(path);
    for (int o = 0; o < NORGS; o++)
        fprintf(f, "%s %s pm%d@platform.example org%02d\n", client_tokens[o],
                insts[o * 2 + 1].name, o % 4, o);
    fclose(f);
    for (int k = 0; k < NINST; k++)
        free(insts[k].tnames);
    clock_gettime(CLOCK_MONOTONIC, &tb);
    printf("{\"organisations\": %d, \"instances\": %d, \"tables\": %lld, "
           "\"columns\": %lld, \"history\": %lld, \"requests\": %d, "
           "\"gate_tables\": %d, \"gate_arrivals\": %lld, "
           "\"seconds\": %.2f}\n",
           NORGS, NINST, (long long)total_tables, (long long)total_columns,
           (long long)total_hist, nreq, ngate, (long long)gate_arrivals,
           (double)(tb.tv_sec - ta.tv_sec) +
               (double)(tb.tv_nsec - ta.tv_nsec) / 1e9);
    return 0;
fail:
    fprintf(stderr, "bench_gen: %s\n", err.msg);
    registry_close(reg);
    return 3;
}
