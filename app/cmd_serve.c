/* cmd_serve.c: `docket serve`. Checks that the database can be written
 * (or opens it read-only with --read-only), opens (creating) it, creates
 * the first admin on first run, starts the checkpointer, notifications and
 * the web server, and stops cleanly on SIGINT/SIGTERM whenever they come
 * (main() blocked them before anything else): in-flight requests finish
 * and the database closes. */
#include "app.h"
#include "inbox.h"
#include "accounts.h"
#include "catalog.h"
#include "drift_cases.h"
#include "feed_alerts.h"
#include "log.h"
#include "notify.h"
#include "storage.h"
#include "str.h"
#include "triage.h"
#include "web.h"

#include <pthread.h>
#ifdef __GLIBC__
#include "mem.h"
#include <malloc.h>
#endif
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int app_finish_config(void);

static const char serve_usage[] =
    "docket serve [--listen ADDR:PORT] [--db PATH] [--config FILE] "
    "[--tls-cert FILE --tls-key FILE] [--threads N] "
    "[--export-every 1h --export-dir DIR] [--read-only]";

static int first_admin(registry *reg)
{
    static const domain_actor first_run = {.role = ROLE_ADMIN,
                                           .email = "docket"};
    char password[21];
    domain_user_new in = {
        "admin@docket.local", "Administrator", "admin", NULL, password, 1};
    errmsg err = {0};

    if (registry_user_count(reg) != 0)
        return 0;
    app_random_password(password, sizeof password);
    if (domain_user_create(reg, &first_run, &in, "local", NULL, &err) < 0)
        return app_fail(EXIT_RUNTIME, "cannot create the first admin: %s",
                        err.msg);
    printf("docket: first run: created admin@docket.local with one-time "
           "password %s\n"
           "docket: sign in with it and choose a new password (it is not "
           "shown again)\n",
           password);
    fflush(stdout);
    return 0;
}

/* The daily inbox digests due now (notify.inbox_digest_time); the number
 * written, 0 on a failure (logged). */
static int inbox_tick(registry *reg)
{
    errmsg err = {0};
    int minutes = 0, n = 0;

    if (time_parse_hhmm(&minutes, app_config.inbox_digest_time) < 0)
        return 0;
    if (registry_inbox_digest(reg, time_now(), minutes / 60, minutes % 60, &n,
                              &err) < 0) {
        log_warn("inbox digest: %s", err.msg);
        return 0;
    }
    return n;
}

/* The feed alerts due now (domain/feed_alerts.h) and the pruning of old
 * arrivals; the number raised, 0 on a failure (logged: the next minute
 * goes on from there). */
static int feeds_tick(registry *reg)
{
    domain_feeds_tick_result r;
    errmsg err = {0};
    int rc = domain_feeds_tick(reg, time_now(), app_config.feeds_keep_days, &r,
                               &err);
    int n = (int)r.n;

    if (rc < 0)
        log_warn("feed alerts: %s", err.msg);
    if (r.n || r.pruned_arrivals)
        log_info("feed alerts: raised %d, pruned %lld arrivals", n,
                 (long long)r.pruned_arrivals);
    else
        log_debug("feed alerts: nothing due");
    domain_feeds_tick_dispose(&r);
    return n;
}

/* The background drift check (drift_every of [instance.NAME] with a
 * drift_source): at most one instance per tick, the first whose last
 * kept report (its checked_at, so a restart does not check early) is
 * older than drift_every. A failure is kept as a failed report and
 * logged. Returns the number of new findings announced. */
static int drift_tick(registry *reg)
{
    domain_actor system = {.role = ROLE_ADMIN};
    int64_t now = time_now();

    for (size_t i = 0; i < app_config.ninstances; i++) {
        const cfg_instance *ci = &app_config.instances[i];
        domain_drift_request rq = {0};
        registry_drift_report r = {0};
        registry_instance in;
        errmsg err = {0};
        int nnew = 0, rc;

        if (!ci->drift_source || !*ci->drift_source || ci->drift_every <= 0 ||
            registry_instance_get(reg, &in, ci->name, NULL) < 0)
            continue;
        rc = registry_drift_load(reg, &r, in.id, NULL);
        if (rc == 0 && now - r.checked_at < ci->drift_every) {
            registry_drift_report_dispose(&r);
            continue;
        }
        registry_drift_report_dispose(&r);
        rq.instance = in.name;
        rq.source = ci->drift_source;
        rq.store = 1;
        rc = domain_drift_check(reg, &system, &rq, &r, &nnew, &err);
        if (rc < 0)
            log_warn("drift of %s: %s", in.name, err.msg);
        else
            log_info("drift of %s: %d table(s) compared, %zu finding(s), "
                     "%d new",
                     in.name, r.tables_compared, r.nfindings, nnew);
        registry_drift_report_dispose(&r);
        return nnew;
    }
    return 0;
}

/* The clock: every minute (and at start) the upcoming sprints are created
 * and the deploy-day digest is written (registry/triage.c), the daily
 * inbox digests and the feed alerts due are written. Between the minutes
 * it wakes every TRIM_EVERY_S seconds to give memory back to the system
 * (mem_trim: glibc keeps free pages between chunks still in use, left by
 * a burst of connections, an index build or the cache's evictions; one
 * trim after the benchmark's cases gave back 10 MiB of 66 resident). */
#define TRIM_EVERY_S 10
static pthread_mutex_t tick_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tick_cv = PTHREAD_COND_INITIALIZER;
static int tick_stop;

/* posix_spawnp of file, with the usual signals: the serving threads block
 * SIGINT and SIGTERM (see cmd_serve), and a child would inherit that. */
static int spawn(pid_t *pid, const char *file, char *const argv[])
{
    extern char **environ;
    posix_spawnattr_t attr;
    sigset_t none;
    int rc;

    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    rc = posix_spawnp(pid, file, NULL, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    return rc;
}

/* The periodic offline export (--export-every): `docket export --format
 * html` run as a child process into DIR.new, then swapped into DIR so
 * readers never see a half-written export. */
static void export_now(void)
{
    const char *dir = app_config.export_dir;
    char fresh[4200], old[4200], self[4096];
    char *argv[] = {self,   "--db",  app_config.db, "export", "--format",
                    "html", "--out", fresh,         NULL};
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    pid_t pid;
    int status = 0;

    if (n <= 0)
        return;
    self[n] = '\0';
    snprintf(fresh, sizeof fresh, "%s.new", dir);
    snprintf(old, sizeof old, "%s.old", dir);
    if (spawn(&pid, self, argv) != 0) {
        log_warn("export: cannot start %s", self);
        return;
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        log_warn("export: docket export failed (status %d)", status);
        return;
    }
    /* Swap: DIR -> DIR.old, DIR.new -> DIR, then drop DIR.old. */
    (void)rename(dir, old);
    if (rename(fresh, dir) != 0) {
        log_warn("export: cannot move %s into place", fresh);
        (void)rename(old, dir);
        return;
    }
    {
        char *rm[] = {"rm", "-rf", old, NULL};
        if (spawn(&pid, "rm", rm) == 0)
            waitpid(pid, NULL, 0);
    }
    log_info("export: fresh HTML export in %s", dir);
}

/* The work of one minute of the clock. */
static void minute_tick(registry *reg, const registry_sprint_rules *rules,
                        int64_t *last_export)
{
    errmsg err = {0};
    int wrote = 0;

    if (registry_triage_tick(reg, rules, time_now(), &wrote, &err) < 0)
        log_warn("sprint clock: %s", err.msg);
    else if (wrote)
        notify_wake();
    if (inbox_tick(reg) > 0)
        notify_wake();
    if (feeds_tick(reg) > 0)
        notify_wake();
    if (drift_tick(reg) > 0)
        notify_wake();
    if (app_config.export_every > 0 && *app_config.export_dir &&
        time_now() - *last_export >= app_config.export_every) {
        *last_export = time_now();
        export_now();
    }
    /* The feed alerts read the arrivals of every tracked table: the pages
       this connection cached for that (up to SQLite's 2 MB) are not needed
       for another minute. */
    registry_release_memory(reg);
}

/* Two malloc arenas instead of glibc's default of up to eight per core:
 * each thread that meets another in an arena gets one of its own, and
 * each arena keeps its own free space and partly used pages, so seven
 * arenas (the two request threads, the writer, the checkpointer, the
 * clock, notifications, the search builds) kept 11.6 MiB resident beyond
 * what was in use after a short run of the benchmark's cases at scale 1
 * and a trim, two 2.7 MiB; the CPU per cached reply did not change
 * beyond the noise of a loaded machine. MALLOC_ARENA_MAX or
 * GLIBC_TUNABLES in the environment decide instead. Before any thread
 * starts. */
static void memory_arenas(void)
{
#ifdef __GLIBC__
    if (!getenv("MALLOC_ARENA_MAX") && !getenv("GLIBC_TUNABLES"))
        mallopt(M_ARENA_MAX, 2);
#endif
}

static void *tick_main(void *arg)
{
    registry *reg = arg;
    registry_sprint_rules rules;
    int64_t last_export = 0, next_minute = 0;

    registry_sprint_rules_from_config(&rules, &app_config);
    pthread_mutex_lock(&tick_mu);
    while (!tick_stop) {
        struct timespec ts;
        pthread_mutex_unlock(&tick_mu);
        if (time_mono_us() >= next_minute) {
            next_minute = time_mono_us() + 60 * 1000000LL;
            minute_tick(reg, &rules, &last_export);
        }
        mem_trim(); /* core/mem.h */
        pthread_mutex_lock(&tick_mu);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += TRIM_EVERY_S;
        if (!tick_stop)
            pthread_cond_timedwait(&tick_cv, &tick_mu, &ts);
    }
    pthread_mutex_unlock(&tick_mu);
    registry_close(reg);
    return NULL;
}

/* "1h", "30m", "900s" or "900" as a number of seconds in text. */
static int duration_seconds(char *out, size_t size, const char *v)
{
    char *end = NULL;
    long n = strtol(v, &end, 10);

    if (!end || end == v || n <= 0)
        return -1;
    if (!strcmp(end, "h"))
        n *= 3600;
    else if (!strcmp(end, "m"))
        n *= 60;
    else if (*end && strcmp(end, "s"))
        return -1;
    snprintf(out, size, "%ld", n);
    return 0;
}

/* A stop that arrived during start-up (before anything serves): the
 * server stops without starting its threads. */
static int stop_pending(const sigset_t *set)
{
    struct timespec now = {0, 0};
    int sig = sigtimedwait(set, NULL, &now);

    if (sig <= 0)
        return 0;
    log_info("signal %d during start-up: stopping", sig);
    printf("docket: stopped\n");
    return 1;
}

/* The flags of docket serve that set a [server] key. */
static const struct serve_flag {
    const char *flag;
    const char *key;
} serve_flags[] = {{"--listen", "listen"},
                   {"--tls-cert", "tls_cert"},
                   {"--tls-key", "tls_key"},
                   {"--threads", "threads"},
                   {"--export-dir", "export_dir"}};

/* Applies the command line of docket serve to app_config; 0 or the exit
 * code (after the message). */
static int serve_options(app_args *a)
{
    errmsg err = {0};
    const char *v;

    if (app_flag(a, "--read-only") &&
        cfg_set(&app_config, "server", "read_only", "true", &err) < 0)
        return app_fail(EXIT_USAGE, "--read-only: %s", err.msg);
    for (size_t i = 0; i < sizeof serve_flags / sizeof *serve_flags; i++) {
        v = app_opt(a, serve_flags[i].flag);
        if (v &&
            cfg_set(&app_config, "server", serve_flags[i].key, v, &err) < 0)
            return app_fail(EXIT_USAGE, "%s: %s", serve_flags[i].flag, err.msg);
    }
    v = app_opt(a, "--export-every");
    if (v) {
        char secs[32];
        if (duration_seconds(secs, sizeof secs, v) < 0 ||
            cfg_set(&app_config, "server", "export_every", secs, &err) < 0)
            return app_fail(EXIT_USAGE,
                            "--export-every takes a duration such as 1h, "
                            "30m or 900s");
    }
    if (app_positionals(a, serve_usage) != 0)
        return app_fail(EXIT_USAGE, "usage: %s", serve_usage);
    return 0;
}

/* Before serving: the configuration, a writable database (or read-only),
 * the serve lock (held for the life of the process) and the first admin
 * on first run. 0 or the exit code (after the message). */
static int serve_prepare(int *lock_fd)
{
    errmsg err = {0};
    registry *reg;
    int rc = app_finish_config(), read_only;

    if (rc != 0)
        return rc;
    read_only = app_config.read_only;
    if (notify_config_check(&app_config, &err) < 0)
        return app_fail(EXIT_USAGE, "%s", err.msg);
    /* A database that cannot be written is refused here, not found out
       at the first submission; --read-only serves it as it is. */
    registry_read_only_set(read_only);
    if (!read_only && registry_check_writable(app_config.db, &err) < 0)
        return app_fail(EXIT_USAGE,
                        "%s (docket serve --read-only serves lookups "
                        "without writing)",
                        err.msg);
    /* Held for the life of the process: docket restore refuses meanwhile. */
    if (registry_serve_lock(lock_fd, app_config.db, &err) < 0) {
        /* A read-only copy may sit where no lock file can be made. */
        if (!read_only || err.code == ERR_CONFLICT)
            return app_fail(EXIT_BUSY, "%s", err.msg);
        err_clear(&err);
    }
    reg = app_open_db(read_only ? REGISTRY_READONLY : 0);
    if (!reg)
        return EXIT_USAGE;
    /* The search index is the server's: web_start starts its build. */
    if (!read_only)
        rc = first_admin(reg);
    registry_close(reg);
    return rc;
}

int cmd_serve(app_args *a)
{
    pthread_t tick;
    registry *tick_reg = NULL;
    errmsg err = {0};
    web_server *srv = NULL;
    notify_ctx *nctx = NULL;
    sigset_t set;
    int sig = 0, rc = 0, lock_fd = -1, read_only;

    /* main() blocked SIGINT and SIGTERM before anything else; every thread
       started below inherits the mask, and this one collects them with
       sigwait, also when they arrived during start-up. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    memory_arenas();

    rc = serve_options(a);
    if (rc == 0)
        rc = serve_prepare(&lock_fd);
    if (rc != 0)
        return rc;
    read_only = app_config.read_only;

    if (stop_pending(&set))
        return 0;
    /* Read-only: no checkpointer, no notification worker, no sprint
       clock and (web_start) no writer thread. */
    if (!read_only && registry_checkpointer_start(
                          app_config.db, app_config.checkpoint_ms,
                          (int64_t)app_config.wal_limit_mb << 20, &err) < 0)
        return app_fail(EXIT_RUNTIME, "checkpointer: %s", err.msg);
    nctx = read_only ? NULL : notify_ctx_new(&app_config, app_config.db);
    if (nctx && notify_start(nctx, &err) < 0) {
        notify_ctx_free(nctx);
        registry_checkpointer_stop();
        return app_fail(EXIT_RUNTIME, "notifications: %s", err.msg);
    }
    if (web_start(&srv, &app_config, &err) < 0) {
        notify_ctx_free(nctx);
        registry_checkpointer_stop();
        return app_fail(EXIT_USAGE, "%s", err.msg);
    }
    {
        char host[256];
        int port;
        cfg_listen_split(&app_config, host, sizeof host, &port);
        printf("docket: serving %s://%s%s%s:%d/ (database %s%s)\n",
               *app_config.tls_cert ? "https" : "http",
               strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
               web_port(srv), app_config.db, read_only ? ", read-only" : "");
        fflush(stdout);
    }
    log_info("serving on %s, %d threads", app_config.listen,
             app_config.threads);
    if (!read_only)
        tick_reg = app_open_db(REGISTRY_NOCREATE);
    if (tick_reg && pthread_create(&tick, NULL, tick_main, tick_reg) != 0) {
        registry_close(tick_reg);
        tick_reg = NULL;
    }
    sigwait(&set, &sig);
    log_info("signal %d: finishing requests and stopping", sig);
    if (tick_reg) {
        pthread_mutex_lock(&tick_mu);
        tick_stop = 1;
        pthread_cond_signal(&tick_cv);
        pthread_mutex_unlock(&tick_mu);
        pthread_join(tick, NULL);
    }
    web_stop(srv);
    notify_ctx_free(nctx);
    registry_checkpointer_stop();
    log_info("stopped cleanly");
    printf("docket: stopped\n");
    return 0;
}
