/* stream.c: the writes of the mixed-workload cases of tests/bench/run.sh,
 * a paced client that runs beside wrk in its own process. Open loop, on
 * a fixed schedule: write k is sent at start + k / rate whether or not
 * the earlier ones have been answered (libcurl's multi interface, up to
 * 64 in flight), so the stream lands at its rate however slow the server
 * is. Stops on SIGTERM or SIGINT (after the writes in flight) and prints
 * one line,
 * "BENCH_STREAM {json}": writes, errors, achieved rate and the writes'
 * own latency (p50, p99, max).
 *
 *   bench_stream --url BASE --data DIR MODE [--rate R | --every S]
 *                [--tag T] [--skip N] [--count N] [--out FILE]
 *
 *   submit    POST /api/v1/requests of the submit case's shape (a new
 *             table with 20 columns, a client of each organisation in
 *             turn), --rate R per second
 *   deploy    POST /api/v1/requests/{id}/transitions {"to": "deployed"}
 *             as a PM, one request of DIR/deploys.txt (made by prepare)
 *             per tick, from line --skip on; --every S seconds
 *   edit      POST /tables/{i}/{t}/edit: the runbook note of a random
 *             table of DIR/tables.txt, with a reason, as ops; --every S
 *   prepare   submits --count add_columns requests (one new column on a
 *             random table of a production instance), triages them and
 *             schedules them into the current sprint, as the deploy
 *             stream needs them; writes "id instance table" lines to
 *             --out (not paced, not timed)
 *
 * DIR holds what bench_gen wrote (tables.txt, ops_token.txt,
 * client_tokens.txt) and pm_token.txt (run.sh creates it with `docket
 * token create`). */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXLAT 200000

typedef struct client {
    char token[128], inst[128], pm[128];
} client;

static volatile sig_atomic_t stop;
static CURL *curl;
static char base[256], data[1024], tag[64] = "0";
static char ops_token[128], pm_token[128];
static client clients[64];
static int nclients;
static char **tables;
static int ntables;
static double lat[MAXLAT];
static int nlat, nerr;
static char body_in[1 << 16];
static size_t body_len;
static unsigned long long rng = 0x2545f4914f6cdd1dULL;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static unsigned rn(unsigned n)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (unsigned)((rng * 2685821657736338717ULL) >> 33) % n;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_stream: %s\n", what);
    exit(3);
}

static void read_line(const char *name, char *out, size_t size)
{
    char path[1200];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", data, name);
    f = fopen(path, "r");
    if (!f || !fgets(out, (int)size, f))
        die(path);
    out[strcspn(out, "\r\n")] = '\0';
    fclose(f);
}

static void load(void)
{
    char path[1200], line[512];
    FILE *f;
    int cap = 0;

    read_line("ops_token.txt", ops_token, sizeof ops_token);
    snprintf(path, sizeof path, "%s/client_tokens.txt", data);
    if (!(f = fopen(path, "r")))
        die(path);
    while (nclients < 64 && fgets(line, sizeof line, f)) {
        client *c = &clients[nclients];
        if (sscanf(line, "%127s %127s %127s", c->token, c->inst, c->pm) == 3)
            nclients++;
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/tables.txt", data);
    if (!(f = fopen(path, "r")))
        die(path);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (ntables == cap) {
            cap = cap ? cap * 2 : 4096;
            tables = realloc(tables, (size_t)cap * sizeof *tables);
            if (!tables)
                die("out of memory");
        }
        tables[ntables++] = strdup(line);
    }
    fclose(f);
    if (!nclients || !ntables)
        die("no clients or tables in the data directory");
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    size_t len = size * n;
    (void)ctx;
    if (body_len + len < sizeof body_in) {
        memcpy(body_in + body_len, p, len);
        body_len += len;
        body_in[body_len] = '\0';
    }
    return len;
}

/* One request; the HTTP status (0 on a transport error). */
static long http(const char *method, const char *path, const char *token,
                 const char *ctype, const char *body)
{
    char url[1200], auth[200], ct[100];
    struct curl_slist *h = NULL;
    long code = 0;

    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    h = curl_slist_append(h, auth);
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        h = curl_slist_append(h, ct);
    }
    body_len = 0;
    body_in[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    return code;
}

/* The submit case's body (tests/bench/submit.lua): a new table with 20
 * columns and a unique name. */
static void submit_body(char *out, size_t size, const client *c,
                        const char *name)
{
    static const char *const types[] = {
        "bigint",    "string(255)",   "string(50)", "boolean", "date",
        "timestamp", "decimal(12,2)", "integer",    "text"};
    size_t len;

    len = (size_t)snprintf(
        out, size,
        "{\"instance\":\"%s\",\"project_manager\":\"%s\",\"title\":\"New "
        "feed %s\",\"summary\":\"A new daily feed for the loyalty team.\","
        "\"consent_related\":false,\"consent_note\":\"\",\"desired_date\":"
        "\"\",\"items\":[{\"kind\":\"new_table\",\"table\":\"%s\","
        "\"description\":\"Daily loyalty feed.\",\"source\":"
        "\"flat_file_csv\",\"cadence\":\"daily\",\"expected_arrival\":"
        "\"06:00\",\"late_after_minutes\":60,\"file_pattern\":\"%s_YYYYMMDD"
        ".csv\",\"campaign_dependency\":\"optional\",\"campaign_note\":\"\","
        "\"owner\":\"loyalty@example.com\",\"escalation\":\"\",\"examples\":"
        "\"\",\"notes\":\"\",\"columns\":[",
        c->inst, c->pm, name, name, name);
    for (int i = 1; i <= 20 && len < size; i++)
        len += (size_t)snprintf(
            out + len, size - len,
            "%s{\"name\":\"attribute_%02d\",\"type\":\"%s\",\"nullable\":%s,"
            "\"primary_key\":%s,\"description\":\"Attribute %d of the feed, "
            "as delivered in the daily file.\",\"example\":\"%d\",\"pii\":%s,"
            "\"consent\":false,\"consent_channel\":\"\",\"action\":\"add\","
            "\"rule\":\"\"}",
            i > 1 ? "," : "", i, i == 1 ? "bigint" : types[i % 9],
            i == 1 ? "false" : "true", i == 1 ? "true" : "false", i, i * 17,
            i % 7 == 0 ? "true" : "false");
    if (len < size)
        snprintf(out + len, size - len, "]}]}");
}

/* A write in flight (the paced loop keeps up to MAXFLIGHT). */
#define MAXFLIGHT 64
typedef struct job {
    CURL *h;
    struct curl_slist *hdr;
    char body[16384];
    long want; /* the expected status; 303 for an edit's redirect */
    double started;
} job;

/* Fills j for write k of the stream: what write_one would send. -1 when
 * there is nothing to send (deploys.txt ran out). */
static int write_make(job *j, const char *mode, long k, FILE *deploys)
{
    char path[600], line[600], url[1200], auth[200];
    const char *token = ops_token, *ctype = "application/json";

    if (!strcmp(mode, "submit")) {
        const client *c = &clients[k % nclients];
        char name[128];
        snprintf(name, sizeof name, "stream_%s_%ld", tag, k);
        submit_body(j->body, sizeof j->body, c, name);
        snprintf(path, sizeof path, "/api/v1/requests");
        token = c->token;
        j->want = 201;
    } else if (!strcmp(mode, "deploy")) {
        char inst[256], tbl[256];
        long id;
        if (!fgets(line, sizeof line, deploys) ||
            sscanf(line, "%ld %255s %255s", &id, inst, tbl) != 3) {
            fprintf(stderr, "bench_stream: deploys.txt ran out\n");
            return -1;
        }
        snprintf(path, sizeof path, "/api/v1/requests/%ld/transitions", id);
        snprintf(j->body, sizeof j->body,
                 "{\"to\":\"deployed\",\"instance\":\"%s\",\"note\":\"bench "
                 "deploy\"}",
                 inst);
        token = pm_token;
        j->want = 200;
    } else {
        /* edit: the runbook note, which ops may edit */
        const char *t = tables[rn((unsigned)ntables)];
        const char *slash = strchr(t, '/');
        if (!slash)
            return -1;
        snprintf(path, sizeof path, "/tables/%.*s/%s/edit", (int)(slash - t), t,
                 slash + 1);
        snprintf(j->body, sizeof j->body,
                 "runbook=Night+shift%%3A+rerun+the+load+%s-%ld%%2C+then+"
                 "call+the+owner.&reason=bench+edit+%s-%ld",
                 tag, k, tag, k);
        ctype = "application/x-www-form-urlencoded";
        j->want = 303;
    }
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    j->hdr = curl_slist_append(NULL, auth);
    snprintf(line, sizeof line, "Content-Type: %s", ctype);
    j->hdr = curl_slist_append(j->hdr, line);
    j->h = curl_easy_init();
    if (!j->h)
        die("libcurl");
    curl_easy_setopt(j->h, CURLOPT_URL, url);
    curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->hdr);
    curl_easy_setopt(j->h, CURLOPT_POSTFIELDS, j->body);
    curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(j->h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(j->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
    return 0;
}

/* Records a finished write: its latency, and an error unless it
 * answered j->want (a 3xx for an edit: any redirect back to the card). */
static void write_done(job *j, CURLcode rc, double now)
{
    long code = 0;

    if (rc == CURLE_OK)
        curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &code);
    if (!(code == j->want || (j->want == 303 && code >= 300 && code < 400)))
        nerr++;
    if (nlat < MAXLAT)
        lat[nlat++] = (now - j->started) * 1000.0;
    curl_slist_free_all(j->hdr);
    curl_easy_cleanup(j->h);
    free(j);
}

static long json_id(void)
{
    cJSON *j = cJSON_Parse(body_in);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    long v = cJSON_IsNumber(id) ? (long)id->valuedouble : -1;
    cJSON_Delete(j);
    return v;
}

/* The current sprint's id (the first one when none is current). */
static long current_sprint(void)
{
    cJSON *j, *s;
    long id = -1;

    if (http("GET", "/api/v1/sprints", pm_token, NULL, NULL) != 200)
        die("GET /api/v1/sprints failed");
    j = cJSON_Parse(body_in);
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(j, "sprints"))
    {
        const cJSON *i = cJSON_GetObjectItemCaseSensitive(s, "id");
        if (id < 0 ||
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "current")))
            id = cJSON_IsNumber(i) ? (long)i->valuedouble : id;
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "current")))
            break;
    }
    cJSON_Delete(j);
    if (id < 0)
        die("no sprint");
    return id;
}

static int prepare(int count, const char *out)
{
    FILE *f = fopen(out, "w");
    long sprint = current_sprint();
    char body[2048], path[200];

    if (!f)
        die(out);
    for (int k = 0; k < count; k++) {
        const char *t, *slash;
        const client *c = NULL;
        long id;
        /* a random table of a production instance, and its org's client */
        for (int tries = 0; !c && tries < 1000; tries++) {
            t = tables[rn((unsigned)ntables)];
            slash = strchr(t, '/');
            for (int i = 0; slash && i < nclients; i++)
                if (strlen(clients[i].inst) == (size_t)(slash - t) &&
                    !strncmp(t, clients[i].inst, (size_t)(slash - t)))
                    c = &clients[i];
        }
        if (!c)
            die("no table of a production instance in tables.txt");
        snprintf(body, sizeof body,
                 "{\"instance\":\"%s\",\"project_manager\":\"%s\",\"title\":"
                 "\"Add a column to %s\",\"summary\":\"One more attribute.\","
                 "\"consent_related\":false,\"items\":[{\"kind\":"
                 "\"add_columns\",\"table\":\"%s\",\"columns\":[{\"name\":"
                 "\"stream_%s_%d\",\"type\":\"string(50)\",\"description\":"
                 "\"Added while the night shift reads.\"}]}]}",
                 c->inst, c->pm, slash + 1, slash + 1, tag, k);
        if (http("POST", "/api/v1/requests", c->token, "application/json",
                 body) != 201 ||
            (id = json_id()) < 0) {
            fprintf(stderr, "bench_stream: prepare: %s\n", body_in);
            die("submitting a request to deploy failed");
        }
        snprintf(path, sizeof path, "/api/v1/requests/%ld/transitions", id);
        if (http("POST", path, pm_token, "application/json",
                 "{\"to\":\"triaged\"}") != 200)
            die("triage failed");
        snprintf(body, sizeof body, "{\"to\":\"scheduled\",\"sprint\":%ld}",
                 sprint);
        if (http("POST", path, pm_token, "application/json", body) != 200) {
            fprintf(stderr, "bench_stream: schedule: %s\n", body_in);
            die("scheduling failed");
        }
        fprintf(f, "%ld %s %s\n", id, c->inst, slash + 1);
    }
    return fclose(f) == 0 ? 0 : 3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double p)
{
    if (!nlat)
        return 0;
    return lat[(int)(p / 100.0 * (nlat - 1) + 0.5)];
}

int main(int argc, char **argv)
{
    const char *mode = NULL, *out = NULL;
    double rate = 0, t0, elapsed;
    CURLM *multi;
    int inflight = 0;
    long skip = 0;
    int count = 0;
    FILE *deploys = NULL;
    struct sigaction sa;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--url") && v)
            snprintf(base, sizeof base, "%s", argv[++i]);
        else if (!strcmp(a, "--data") && v)
            snprintf(data, sizeof data, "%s", argv[++i]);
        else if (!strcmp(a, "--rate") && v)
            rate = atof(argv[++i]);
        else if (!strcmp(a, "--every") && v)
            rate = 1.0 / atof(argv[++i]);
        else if (!strcmp(a, "--tag") && v)
            snprintf(tag, sizeof tag, "%s", argv[++i]);
        else if (!strcmp(a, "--skip") && v)
            skip = atol(argv[++i]);
        else if (!strcmp(a, "--count") && v)
            count = atoi(argv[++i]);
        else if (!strcmp(a, "--out") && v)
            out = argv[++i];
        else if (!mode && a[0] != '-')
            mode = a;
        else
            mode = NULL, i = argc;
    }
    if (!mode || !*base || !*data ||
        (strcmp(mode, "submit") && strcmp(mode, "deploy") &&
         strcmp(mode, "edit") && strcmp(mode, "prepare")) ||
        (!strcmp(mode, "prepare") ? count < 1 || !out : !(rate > 0))) {
        fputs("usage: bench_stream --url BASE --data DIR "
              "submit|deploy|edit|prepare [--rate R | --every S] [--tag T] "
              "[--skip N] [--count N --out FILE]\n",
              stderr);
        return 2;
    }
    for (const char *p = tag; *p; p++)
        rng = rng * 31 + (unsigned char)*p;
    load();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
        !(curl = curl_easy_init()))
        die("libcurl");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (!strcmp(mode, "deploy") || !strcmp(mode, "prepare"))
        read_line("pm_token.txt", pm_token, sizeof pm_token);
    if (!strcmp(mode, "prepare"))
        return prepare(count, out);
    if (!strcmp(mode, "deploy")) {
        char path[1200], line[600];
        snprintf(path, sizeof path, "%s/deploys.txt", data);
        if (!(deploys = fopen(path, "r")))
            die(path);
        for (long i = 0; i < skip; i++)
            if (!fgets(line, sizeof line, deploys))
                break;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    /* Open loop: write k starts at t0 + k / rate whatever the earlier
       ones do (up to MAXFLIGHT at once; a late start goes at once), so a
       slow server does not slow the stream down. */
    multi = curl_multi_init();
    if (!multi)
        die("libcurl");
    t0 = now_s();
    for (long k = 0;;) {
        double now = now_s(), due = t0 + (double)k / rate;
        int running = 0, left;
        CURLMsg *msg;

        while (!stop && now >= due && inflight < MAXFLIGHT) {
            job *j = calloc(1, sizeof *j);
            if (!j)
                die("out of memory");
            if (write_make(j, mode, k, deploys) < 0) {
                free(j);
                nerr++;
                stop = 1;
                break;
            }
            j->started = now;
            curl_multi_add_handle(multi, j->h);
            inflight++;
            due = t0 + (double)++k / rate;
        }
        if (stop && !inflight)
            break;
        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &left))) {
            job *j = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            curl_multi_remove_handle(multi, msg->easy_handle);
            write_done(j, msg->data.result, now_s());
            inflight--;
        }
        {
            double w = stop ? 0.05 : due - now_s();
            int ms = w <= 0 ? 0 : w > 0.05 ? 50 : (int)(w * 1000) + 1;
            curl_multi_poll(multi, NULL, 0, ms, NULL);
        }
    }
    curl_multi_cleanup(multi);
    elapsed = now_s() - t0;
    {
        int n = nlat;
        double max = 0;
        qsort(lat, (size_t)nlat, sizeof *lat, cmp);
        if (nlat)
            max = lat[nlat - 1];
        printf("BENCH_STREAM {\"mode\": \"%s\", \"writes\": %d, \"errors\": "
               "%d, \"seconds\": %.3f, \"rate\": %.2f, \"p50_ms\": %.3f, "
               "\"p99_ms\": %.3f, \"max_ms\": %.3f}\n",
               mode, n, nerr, elapsed, elapsed > 0 ? n / elapsed : 0.0, pct(50),
               pct(99), max);
    }
    if (deploys)
        fclose(deploys);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return 0;
}
