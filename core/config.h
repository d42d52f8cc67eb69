/* config.h: docket's configuration. Defaults, then the INI file (inih),
 * then DOCKET_* environment variables, then command-line flags: each later
 * source overrides the earlier ones. The loaded config is one of the two
 * globals and is never written after the server's threads start. */
#ifndef DOCKET_CONFIG_H
#define DOCKET_CONFIG_H

#include "err.h"

#include <stddef.h>

/* One key = value pair of a [channel.NAME] section. */
typedef struct cfg_pair {
    char *key;
    char *value; /* ${VAR} and ${file:PATH} already expanded */
} cfg_pair;

/* A notification channel: [channel.NAME] with at least type = ... */
typedef struct cfg_channel {
    char *name;
    char *type; /* slack, teams, email, pagerduty, webhook */
    cfg_pair *pairs;
    size_t npairs;
    size_t cap;
} cfg_channel;

/* An entry of [route]: event = channel, channel, ... */
typedef struct cfg_route {
    char *event;
    char **channels;
    size_t nchannels;
} cfg_route;

typedef struct config {
    /* [server] */
    char *listen;             /* ADDR:PORT, default 127.0.0.1:8080 */
    char *db;                 /* database path, default docket.db */
    char *base_url;           /* links in messages; default from listen */
    int threads;              /* HTTP worker threads, default 2 */
    long max_body;            /* bytes of a request body, default 100 MiB */
    int conn_limit;           /* open connections, default 1000 */
    int per_ip_limit;         /* connections per address, default 0 (off) */
    int timeout;              /* idle connection timeout, seconds, default 30 */
    int request_deadline;     /* seconds a request may take, default 60 */
    int session_idle_minutes; /* default 30 */
    int session_lifetime_hours; /* default 12 */
    char *trusted_proxy;        /* address whose user header is trusted */
    char *trusted_user_header;  /* default X-Forwarded-User */
    int behind_https_proxy;     /* 1: cookies are Secure */
    char *tls_cert, *tls_key;   /* PEM files; both set: serve HTTPS */
    char *log_level;            /* debug, info, warn, error */
    char *export_dir;           /* periodic HTML export, "" when off */
    int export_every;           /* seconds; 0 off */
    int read_only;              /* serve lookups only, never write */
    int min_free_mb;   /* /healthz is degraded below this free space, MiB;
                          default 64, 0 off */
    int wal_limit_mb;  /* the WAL is checkpointed and restarted once it
                          passes this, MiB; default 40 (SQLite's commit
                          checkpoint used to run every 10,000 pages) */
    int checkpoint_ms; /* without a commit for this long, the rest of the
                          WAL is checkpointed; default 500 */
    /* [sprints] */
    int sprint_days;    /* default 14 */
    int deploy_weekday; /* 0 = Sunday ... 6; default 2 (Tuesday) */
    char *deploy_time;  /* HH:MM UTC, default 10:00 */
    /* [notify] */
    int retry_window_hours;  /* default 24 */
    int allow_private;       /* allow private/loopback targets; default 0 */
    int allow_http;          /* allow plain http:// webhooks; default 0 */
    char *inbox_email;       /* the e-mail channel of "also e-mail me": after
                                cfg_finish the channel's name, or "" for none
                                (unset: the first e-mail channel; "none") */
    char *inbox_digest_time; /* HH:MM UTC of the daily inbox digest,
                                default 07:00 */
    /* [feeds] */
    int feeds_keep_days; /* arrivals are pruned after this many days;
                            default 400 */
    cfg_channel *channels;
    size_t nchannels;
    cfg_route *routes;
    size_t nroutes;
    struct cfg_instance *instances; /* [instance.NAME] sections */
    size_t ninstances;
} config;

/* Fills c with the defaults. */
void cfg_init(config *c);
/* Frees everything c owns. */
void cfg_dispose(config *c);
/* Reads an INI file. Unknown sections or keys, bad values and
 * unexpandable ${...} are ERR_INVALID with the file and line named. */
int cfg_load_file(config *c, const char *path, errmsg *err);
/* Applies DOCKET_* variables (DOCKET_LISTEN, DOCKET_DB, ...: the
 * [server]/[sprints]/[notify]/[feeds] key in upper case) from the
 * environment. */
int cfg_load_env(config *c, errmsg *err);
/* Sets one setting, as the file would; section is "server", "sprints",
 * "notify", "feeds", "route", "channel.NAME" or "instance.NAME". */
int cfg_set(config *c, const char *section, const char *key, const char *value,
            errmsg *err);
/* Checks cross-field rules (e.g. both TLS files or neither); fills
 * derived defaults such as base_url. */
int cfg_finish(config *c, errmsg *err);
/* Expands ${VAR} and ${file:PATH} in value; caller frees *out. */
int cfg_expand(char **out, const char *value, errmsg *err);
/* The value of key in channel ch, or NULL. */
const char *cfg_channel_get(const cfg_channel *ch, const char *key);
const cfg_channel *cfg_channel_find(const config *c, const char *name);
const cfg_route *cfg_route_find(const config *c, const char *event);
/* Splits "host:port" of c->listen; 0 or ERR_INVALID. */
int cfg_listen_split(const config *c, char *host, size_t hostsize, int *port);

/* [instance.NAME]: settings of one instance (its name as in the
 * registry, compared in any case). */
typedef struct cfg_instance {
    char *name;
    char *drift_source;        /* drift_source = postgres://..., mysql://...,
                                  sqlite:PATH, csv:FILE; ${VAR} and ${file:PATH}
                                  expanded; NULL when not set */
    int drift_every;           /* drift_every = 6h: seconds between background
                                  drift checks (30s..30d; "s", "m", "h", "d" or
                                  plain seconds); 0 when not set */
    char *dbt_schema;          /* dbt_schema = raw_acme: the schema of the dbt
                                  source (docket export --format dbt); NULL when
                                  not set (then the instance name) */
    char *dbt_loaded_at_field; /* dbt_loaded_at_field = _loaded_at: the
                                  column or SQL expression dbt source
                                  freshness reads; NULL when not set
                                  (then "_loaded_at") */
    int dbt_config;            /* dbt_config = yes: freshness,
                                  loaded_at_field and meta written inside
                                  config: (dbt 1.10 and later, Fusion);
                                  0 (default): as properties (dbt 1.8+) */
} cfg_instance;

/* The [instance.NAME] settings of name (any case), or NULL. */
const cfg_instance *cfg_instance_find(const config *c, const char *name);
/* A duration "90", "90s", "15m", "6h", "1d" in seconds into *out; 0 or
 * ERR_INVALID (without a message). */
int cfg_duration_parse(int *out, const char *s);

/* The global config used by the running program (set by app/). */
extern const config *g_config;

#endif
