/* micro.c: micro-benchmarks of the pure parts of docket, timed with
 * clock_gettime over N iterations: parsing and validating a 500-column
 * request, generating its migration in every dialect, and inferring the
 * columns of a 50 MB CSV sample. Prints one "BENCH_MICRO {json}" line per
 * benchmark (median and p99 of the iterations). Used by run.sh.
 *
 *   bench_micro [--csv-mb N] [--iterations N] */
#include "buf.h"
#include "infer.h"
#include "migrate.h"
#include "parse.h"
#include "validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOLS 500

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void report(const char *name, double *t, int n, const char *extra)
{
    qsort(t, (size_t)n, sizeof *t, dcmp);
    printf("BENCH_MICRO {\"name\": \"%s\", \"iterations\": %d, "
           "\"median_ms\": %.4f, \"p99_ms\": %.4f, \"min_ms\": %.4f%s%s}\n",
           name, n, t[n / 2], t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
           t[0], extra ? ", " : "", extra ? extra : "");
    fflush(stdout);
}

/* Registry stubs: no table or column exists. */
static int no_table(void *ctx, const char *instance, const char *table)
{
    return (void)ctx, (void)instance, (void)table, 0;
}

static int no_column(void *ctx, const char *instance, const char *table,
                     const char *column)
{
    return (void)ctx, (void)instance, (void)table, (void)column, 0;
}

/* What failed, with the first form error; the exit status 3. */
static int form_failed(const char *what, const form_errors *fe)
{
    fprintf(stderr, "bench_micro: %s: %s: %s\n", what,
            fe->n ? fe->errs[0].field : "", fe->n ? fe->errs[0].message : "?");
    return 3;
}

static void errors_reset(form_errors *fe)
{
    form_errors_dispose(fe);
    memset(fe, 0, sizeof *fe);
}

/* A new_table request with NCOLS columns, as the API receives it. */
static void request_json(buf *b)
{
    static const char *const types[] = {
        "bigint",    "string(255)",   "boolean", "date",
        "timestamp", "decimal(12,2)", "integer", "text"};

    buf_puts(b, "{\"organisation\":\"acme\",\"instance\":\"acme-prod\","
                "\"instances\":[\"acme-prod\"],\"project_manager\":"
                "\"pm@platform.example\",\"requester_name\":\"Ann\","
                "\"requester_email\":\"ann@acme.example\",\"title\":"
                "\"Wide customer profile\",\"summary\":\"Every attribute "
                "of the new CRM export.\",\"desired_date\":\"\","
                "\"consent_related\":true,\"consent_note\":\"opt-in "
                "columns\",\"items\":[{\"kind\":\"new_table\",\"table\":"
                "\"customer_profile_wide\",\"description\":\"Wide "
                "profile\",\"source\":\"flat_file_csv\",\"cadence\":"
                "\"daily\",\"expected_arrival\":\"05:00\","
                "\"late_after_minutes\":60,\"file_pattern\":"
                "\"profile_YYYYMMDD.csv\",\"campaign_dependency\":"
                "\"required\",\"campaign_note\":\"Hold sends.\",\"owner\":"
                "\"crm@acme.example\",\"escalation\":\"\",\"examples\":\"\","
                "\"notes\":\"\",\"columns\":[");
    for (int i = 0; i < NCOLS; i++) {
        buf_appendf(b,
                    "%s{\"name\":\"attribute_%03d\",\"type\":\"%s\","
                    "\"nullable\":%s,\"primary_key\":%s,\"description\":"
                    "\"Attribute %d of the profile\",\"example\":\"%d\","
                    "\"pii\":%s,\"consent\":%s,\"consent_channel\":\"%s\","
                    "\"action\":\"add\",\"rule\":\"\"}",
                    i ? "," : "", i, i == 0 ? "bigint" : types[i % 8],
                    i == 0 ? "false" : "true", i == 0 ? "true" : "false", i,
                    i * 7, i % 9 == 0 ? "true" : "false",
                    i % 50 == 0 ? "true" : "false", i % 50 == 0 ? "email" : "");
    }
    buf_puts(b, "]}]}");
}

/* About mb megabytes of CSV: 12 columns of mixed types. */
static void csv_sample(buf *b, size_t mb)
{
    size_t want = mb * 1024 * 1024;
    unsigned x = 12345;

    b->max = want + 4096;
    buf_puts(b, "customer_id,email,first_name,birth_date,signup_at,points,"
                "balance,opt_in,postal_code,country,last_order_at,notes\n");
    for (long row = 1; b->len + 300 < want && !buf_error(b); row++) {
        x = x * 1103515245u + 12345u;
        buf_appendf(b,
                    "%ld,user%ld@example.com,Name%u,19%02u-%02u-%02u,"
                    "2024-%02u-%02uT%02u:%02u:%02uZ,%u,%u.%02u,%s,%05u,GB,"
                    "2025-01-%02u %02u:%02u:00,\"note, with comma %u\"\n",
                    row, row, x % 1000, 50 + x % 50, 1 + x % 12, 1 + x % 28,
                    1 + x % 12, 1 + x % 28, x % 24, x % 60, (x >> 8) % 60,
                    x % 100000, x % 10000, x % 100, x % 2 ? "true" : "false",
                    x % 100000, 1 + x % 28, x % 24, x % 60, x % 1000);
    }
}

int main(int argc, char **argv)
{
    int iters = 50, csv_mb = 50;
    buf json = {0}, csv = {0};
    form_request r;
    form_errors fe = {0};
    form_context ctx = {0};
    static const char *const insts[] = {"acme-prod"};
    static const char *const pms[] = {"pm@platform.example"};
    double *t;
    int rc;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--csv-mb"))
            csv_mb = (int)strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--iterations"))
            iters = (int)strtol(argv[i + 1], NULL, 10);
    }
    if (iters < 3)
        iters = 3;
    t = calloc((size_t)iters, sizeof *t);
    if (!t)
        return 3;
    json.max = 64u * 1024 * 1024;
    request_json(&json);
    ctx.instances = insts;
    ctx.ninstances = 1;
    ctx.project_managers = pms;
    ctx.nproject_managers = 1;
    ctx.require_requester = 1;
    ctx.table_exists = no_table;
    ctx.column_exists = no_column;

    /* Parsing the JSON body of a 500-column request. */
    for (int i = 0; i < iters; i++) {
        double a = now_ms();
        memset(&r, 0, sizeof r);
        rc = form_parse_json(&r, buf_cstr(&json), json.len, &fe);
        t[i] = now_ms() - a;
        if (rc < 0)
            return form_failed("parse", &fe);
        errors_reset(&fe);
        if (i + 1 < iters)
            form_request_dispose(&r);
    }
    report("parse_500_columns", t, iters, "\"columns\": 500");

    /* Validation of the parsed request (registry callbacks are stubs). */
    for (int i = 0; i < iters; i++) {
        double a = now_ms();
        rc = form_validate(&r, &ctx, &fe);
        t[i] = now_ms() - a;
        if (rc < 0)
            return form_failed("validate", &fe);
        errors_reset(&fe);
    }
    report("validate_500_columns", t, iters, "\"columns\": 500");

    /* Migration generation in every dialect (plain format), and every
       dialect x format at once. */
    r.created_at = 1767225600;
    r.id = 42;
    for (int d = 0; d < SQL_NDIALECTS; d++) {
        char name[64];
        for (int i = 0; i < iters; i++) {
            migrate_result res = {0};
            migrate_options opt = {"https://docket.example", 1767225600, NULL};
            errmsg err = {0};
            double a = now_ms();
            rc = migrate_generate(&res, &r, (sql_dialect)d, MIGRATE_PLAIN, &opt,
                                  &err);
            t[i] = now_ms() - a;
            if (rc < 0) {
                fprintf(stderr, "bench_micro: migrate %s: %s\n",
                        sql_dialect_name((sql_dialect)d), err.msg);
                return 3;
            }
            migrate_result_dispose(&res);
        }
        snprintf(name, sizeof name, "migrate_500_columns_%s",
                 sql_dialect_name((sql_dialect)d));
        report(name, t, iters, "\"columns\": 500");
    }
    for (int i = 0; i < iters; i++) {
        double a = now_ms();
        for (int d = 0; d < SQL_NDIALECTS; d++)
            for (int f = 0; f < MIGRATE_NFORMATS; f++) {
                migrate_result res = {0};
                migrate_options opt = {NULL, 0, NULL};
                errmsg err = {0};
                if (migrate_generate(&res, &r, (sql_dialect)d,
                                     (migrate_format)f, &opt, &err) < 0) {
                    fprintf(stderr, "bench_micro: migrate: %s\n", err.msg);
                    return 3;
                }
                migrate_result_dispose(&res);
            }
        t[i] = now_ms() - a;
    }
    report("migrate_500_columns_all_dialects_formats", t, iters,
           "\"columns\": 500");
    form_request_dispose(&r);

    /* CSV inference on a large sample. */
    csv_sample(&csv, (size_t)csv_mb);
    if (buf_error(&csv))
        return 3;
    {
        int n = iters < 5 ? iters : 5;
        char extra[128];
        for (int i = 0; i < n; i++) {
            form_inferred inf;
            errmsg err = {0};
            double a = now_ms();
            rc = form_infer_columns(&inf, buf_cstr(&csv), csv.len, &err);
            t[i] = now_ms() - a;
            if (rc < 0) {
                fprintf(stderr, "bench_micro: infer: %s\n", err.msg);
                return 3;
            }
            form_inferred_dispose(&inf);
        }
        qsort(t, (size_t)n, sizeof *t, dcmp);
        snprintf(extra, sizeof extra, "\"bytes\": %zu, \"mb_per_s\": %.1f",
                 csv.len,
                 (double)csv.len / (1024.0 * 1024.0) / (t[n / 2] / 1e3));
        report("infer_csv", t, n, extra);
    }
    buf_dispose(&json);
    buf_dispose(&csv);
    free(t);
    return 0;
}
