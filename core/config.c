/* config.c: loading and merging configuration (see config.h). INI parsing
 * is inih's; this file maps keys onto the config struct through one table
 * so the file, the environment and flags share the same validation. */
#include "config.h"
#include "buf.h"
#include "mem.h"
#include "str.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const config *g_config;

enum { T_STR, T_INT, T_BOOL, T_WEEKDAY, T_SIZE };

typedef struct setting {
    const char *section;
    const char *key;
    int type;
    size_t offset;
    long min, max;
} setting;

#define S(sec, key, type, field, min, max)                                     \
    {                                                                          \
        sec, key, type, offsetof(config, field), min, max                      \
    }

static const setting settings[] = {
    S("server", "listen", T_STR, listen, 0, 0),
    S("server", "db", T_STR, db, 0, 0),
    S("server", "base_url", T_STR, base_url, 0, 0),
    S("server", "threads", T_INT, threads, 1, 64),
    S("server", "max_body", T_SIZE, max_body, 1024, 1L << 30),
    S("server", "connection_limit", T_INT, conn_limit, 1, 100000),
    S("server", "per_ip_limit", T_INT, per_ip_limit, 0, 100000),
    S("server", "timeout", T_INT, timeout, 1, 3600),
    S("server", "request_deadline", T_INT, request_deadline, 1, 3600),
    S("server", "session_idle_minutes", T_INT, session_idle_minutes, 1, 10080),
    S("server", "session_lifetime_hours", T_INT, session_lifetime_hours, 1,
      720),
    S("server", "trusted_proxy", T_STR, trusted_proxy, 0, 0),
    S("server", "trusted_user_header", T_STR, trusted_user_header, 0, 0),
    S("server", "behind_https_proxy", T_BOOL, behind_https_proxy, 0, 1),
    S("server", "tls_cert", T_STR, tls_cert, 0, 0),
    S("server", "tls_key", T_STR, tls_key, 0, 0),
    S("server", "log_level", T_STR, log_level, 0, 0),
    S("server", "export_dir", T_STR, export_dir, 0, 0),
    S("server", "export_every", T_INT, export_every, 0, 86400 * 7),
    S("server", "read_only", T_BOOL, read_only, 0, 1),
    S("server", "min_free_mb", T_INT, min_free_mb, 0, 1 << 20),
    S("server", "wal_limit_mb", T_INT, wal_limit_mb, 1, 4096),
    S("server", "checkpoint_ms", T_INT, checkpoint_ms, 10, 60000),
    S("sprints", "length_days", T_INT, sprint_days, 1, 90),
    S("sprints", "deploy_weekday", T_WEEKDAY, deploy_weekday, 0, 6),
    S("sprints", "deploy_time", T_STR, deploy_time, 0, 0),
    S("notify", "retry_window_hours", T_INT, retry_window_hours, 1, 24 * 30),
    S("notify", "allow_private", T_BOOL, allow_private, 0, 1),
    S("notify", "allow_http", T_BOOL, allow_http, 0, 1),
    S("notify", "inbox_email", T_STR, inbox_email, 0, 0),
    S("notify", "inbox_digest_time", T_STR, inbox_digest_time, 0, 0),
    S("feeds", "keep_days", T_INT, feeds_keep_days, 1, 36500),
};

static const char *weekdays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                 "thursday", "friday", "saturday"};

static void set_str(char **field, const char *v)
{
    free(*field);
    *field = xstrdup(v);
}

void cfg_init(config *c)
{
    memset(c, 0, sizeof *c);
    set_str(&c->listen, "127.0.0.1:8080");
    set_str(&c->db, "docket.db");
    set_str(&c->base_url, "");
    c->threads = 2;
    /* Five 10 MiB attachments carried base64-encoded through a form that
       had errors still fit. */
    c->max_body = 100L * 1024 * 1024;
    c->conn_limit = 1000;
    c->per_ip_limit = 0;
    c->timeout = 30;
    c->request_deadline = 60;
    c->session_idle_minutes = 30;
    c->session_lifetime_hours = 12;
    set_str(&c->trusted_proxy, "");
    set_str(&c->trusted_user_header, "X-Forwarded-User");
    set_str(&c->tls_cert, "");
    set_str(&c->tls_key, "");
    set_str(&c->log_level, "info");
    set_str(&c->export_dir, "");
    c->min_free_mb = 64;
    c->wal_limit_mb = 40;
    c->checkpoint_ms = 500;
    c->sprint_days = 14;
    c->deploy_weekday = 2;
    set_str(&c->deploy_time, "10:00");
    c->retry_window_hours = 24;
    set_str(&c->inbox_email, "");
    set_str(&c->inbox_digest_time, "07:00");
    c->feeds_keep_days = 400;
}

void cfg_dispose(config *c)
{
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        if (settings[i].type == T_STR)
            free(*(char **)((char *)c + settings[i].offset));
    for (size_t i = 0; i < c->nchannels; i++) {
        cfg_channel *ch = &c->channels[i];
        for (size_t j = 0; j < ch->npairs; j++)
            xfree_all(ch->pairs[j].key, ch->pairs[j].value);
        xfree_all(ch->pairs, ch->name, ch->type);
    }
    free(c->channels);
    for (size_t i = 0; i < c->nroutes; i++) {
        xfree_strv(c->routes[i].channels, c->routes[i].nchannels);
        free(c->routes[i].event);
    }
    free(c->routes);
    for (size_t i = 0; i < c->ninstances; i++)
        xfree_all(c->instances[i].name, c->instances[i].drift_source,
                  c->instances[i].dbt_schema,
                  c->instances[i].dbt_loaded_at_field);
    free(c->instances);
    memset(c, 0, sizeof *c);
}

int cfg_expand(char **out, const char *value, errmsg *err)
{
    buf b = {0};
    const char *p = value;

    while (*p) {
        const char *end;
        char name[256];
        if (p[0] != '$' || p[1] != '{') {
            buf_putc(&b, *p++);
            continue;
        }
        end = strchr(p + 2, '}');
        if (!end || (size_t)(end - p - 2) >= sizeof name) {
            buf_dispose(&b);
            return err_set(err, ERR_INVALID, "unterminated ${ in \"%.60s\"",
                           value);
        }
        memcpy(name, p + 2, (size_t)(end - p - 2));
        name[end - p - 2] = '\0';
        if (str_startswith(name, "file:")) {
            FILE *f = fopen(name + 5, "rb");
            char chunk[4096];
            size_t n;
            if (!f) {
                buf_dispose(&b);
                return err_set(err, ERR_INVALID, "cannot read secret file %s",
                               name + 5);
            }
            while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                buf_append(&b, chunk, n);
            fclose(f);
            while (b.len &&
                   (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
                buf_truncate(&b, b.len - 1);
        } else {
            const char *v = getenv(name);
            if (!v) {
                buf_dispose(&b);
                return err_set(err, ERR_INVALID,
                               "environment variable %s is not set", name);
            }
            buf_puts(&b, v);
        }
        p = end + 1;
    }
    *out = buf_detach(&b);
    return 0;
}

static int parse_bool(int *out, const char *v)
{
    if (!str_casecmp(v, "1") || !str_casecmp(v, "true") ||
        !str_casecmp(v, "yes") || !str_casecmp(v, "on"))
        *out = 1;
    else if (!str_casecmp(v, "0") || !str_casecmp(v, "false") ||
             !str_casecmp(v, "no") || !str_casecmp(v, "off"))
        *out = 0;
    else
        return ERR_INVALID;
    return 0;
}

static int set_setting(config *c, const setting *s, const char *v, errmsg *err)
{
    void *field = (char *)c + s->offset;
    int64_t n;
    int b;

    switch (s->type) {
    case T_STR: set_str(field, v); return 0;
    case T_INT:
    case T_SIZE:
        if (str_to_i64(&n, v) < 0 || n < s->min || n > s->max)
            return err_set(err, ERR_INVALID,
                           "%s.%s must be a whole number from %ld to %ld",
                           s->section, s->key, s->min, s->max);
        if (s->type == T_INT)
            *(int *)field = (int)n;
        else
            *(long *)field = (long)n;
        return 0;
    case T_BOOL:
        if (parse_bool(&b, v) < 0)
            return err_set(err, ERR_INVALID, "%s.%s must be true or false",
                           s->section, s->key);
        *(int *)field = b;
        return 0;
    case T_WEEKDAY:
        for (int i = 0; i < 7; i++)
            if (!str_casecmp(v, weekdays[i]) ||
                !str_ncasecmp(v, weekdays[i], 3)) {
                if (strlen(v) == 3 || !str_casecmp(v, weekdays[i])) {
                    *(int *)field = i;
                    return 0;
                }
            }
        return err_set(err, ERR_INVALID,
                       "%s.%s must be a weekday such as tuesday", s->section,
                       s->key);
    }
    return err_set(err, ERR_INTERNAL, "bad setting type");
}

static cfg_channel *channel_get(config *c, const char *name)
{
    cfg_channel *ch;

    for (size_t i = 0; i < c->nchannels; i++)
        if (!strcmp(c->channels[i].name, name))
            return &c->channels[i];
    c->channels =
        xrealloc(c->channels, (c->nchannels + 1) * sizeof *c->channels);
    ch = &c->channels[c->nchannels++];
    memset(ch, 0, sizeof *ch);
    ch->name = xstrdup(name);
    return ch;
}

static int valid_name_chars(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

int cfg_duration_parse(int *out, const char *s)
{
    static const struct {
        char unit;
        long mult;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    char *end;
    long n, mult = 1;

    if (!s || *s < '0' || *s > '9')
        return ERR_INVALID;
    n = strtol(s, &end, 10);
    if (*end) {
        mult = 0;
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (*end == units[i].unit && !end[1])
                mult = units[i].mult;
    }
    if (!mult || n > 1000000 || n * mult > 86400L * 365)
        return ERR_INVALID;
    *out = (int)(n * mult);
    return 0;
}

const cfg_instance *cfg_instance_find(const config *c, const char *name)
{
    for (size_t i = 0; name && i < c->ninstances; i++)
        if (!str_casecmp(c->instances[i].name, name))
            return &c->instances[i];
    return NULL;
}

/* One key of [instance.NAME]. */
static int set_instance(config *c, const char *name, const char *key,
                        const char *v, errmsg *err)
{
    cfg_instance *in = (cfg_instance *)cfg_instance_find(c, name);
    int secs = 0, flag = 0;

    if (!*name || strlen(name) > 100 || !valid_name_chars(name))
        return err_set(err, ERR_INVALID, "bad instance name [instance.%.60s]",
                       name);
    if (strcmp(key, "drift_source") && strcmp(key, "drift_every") &&
        strcmp(key, "dbt_schema") && strcmp(key, "dbt_loaded_at_field") &&
        strcmp(key, "dbt_config"))
        return err_set(err, ERR_INVALID,
                       "unknown setting instance.%.60s.%.60s (drift_source, "
                       "drift_every, dbt_schema, dbt_loaded_at_field, "
                       "dbt_config)",
                       name, key);
    if (!strcmp(key, "dbt_config") && parse_bool(&flag, v) < 0)
        return err_set(err, ERR_INVALID,
                       "instance.%.60s.dbt_config: yes or no (got \"%.40s\")",
                       name, v);
    if (!strncmp(key, "dbt_", 4) && strcmp(key, "dbt_config") &&
        (!*v || strlen(v) > 500 || !str_utf8_valid(v, strlen(v)) ||
         strpbrk(v, "\r\n")))
        return err_set(err, ERR_INVALID,
                       "instance.%.60s.%.60s: one line of text, at most 500 "
                       "bytes",
                       name, key);
    if (!strcmp(key, "drift_every") &&
        (cfg_duration_parse(&secs, v) < 0 || secs < 30 || secs > 30 * 86400))
        return err_set(err, ERR_INVALID,
                       "instance.%.60s.drift_every: a duration from 30s to "
                       "30d, such as 6h (got \"%.40s\")",
                       name, v);
    if (!in) {
        c->instances =
            xrealloc(c->instances, (c->ninstances + 1) * sizeof *c->instances);
        in = &c->instances[c->ninstances++];
        memset(in, 0, sizeof *in);
        in->name = xstrdup(name);
    }
    if (!strcmp(key, "drift_every"))
        in->drift_every = secs;
    else if (!strcmp(key, "dbt_config"))
        in->dbt_config = flag;
    else if (!strcmp(key, "dbt_schema"))
        set_str(&in->dbt_schema, v);
    else if (!strcmp(key, "dbt_loaded_at_field"))
        set_str(&in->dbt_loaded_at_field, v);
    else
        set_str(&in->drift_source, v);
    return 0;
}

static int set_route(config *c, const char *event, const char *v, errmsg *err)
{
    cfg_route *r = NULL;
    char *copy, *p, *save;
    int rc;

    if (!valid_name(event))
        return err_set(err, ERR_INVALID, "bad event name in [route]: %.60s",
                       event);
    /* One user's digest goes to that user alone (notify.inbox_email). */
    if (!strcmp(event, "inbox.digest"))
        return err_set(err, ERR_INVALID,
                       "inbox.digest cannot be routed: it is e-mailed to "
                       "each user through notify.inbox_email");
    for (size_t i = 0; i < c->nroutes; i++)
        if (!strcmp(c->routes[i].event, event))
            r = &c->routes[i];
    if (!r) {
        c->routes = xrealloc(c->routes, (c->nroutes + 1) * sizeof *c->routes);
        r = &c->routes[c->nroutes++];
        memset(r, 0, sizeof *r);
        r->event = xstrdup(event);
    }
    for (size_t j = 0; j < r->nchannels; j++)
        free(r->channels[j]);
    r->nchannels = 0;
    copy = xstrdup(v);
    for (p = copy; *p;) {
        size_t n = strcspn(p, ", \t");
        if (n == 0) {
            p++;
            continue;
        }
        save = p + n;
        if (*save)
            *save++ = '\0';
        if (!valid_name(p)) {
            rc = err_set(err, ERR_INVALID, "bad channel name in [route]: %.60s",
                         p);
            free(copy);
            return rc;
        }
        r->channels =
            xrealloc(r->channels, (r->nchannels + 1) * sizeof *r->channels);
        r->channels[r->nchannels++] = xstrdup(p);
        p = save;
    }
    free(copy);
    return 0;
}

int cfg_set(config *c, const char *section, const char *key, const char *value,
            errmsg *err)
{
    char *v = NULL;
    int rc;

    rc = cfg_expand(&v, value, err);
    if (rc < 0)
        return rc;
    if (str_startswith(section, "channel.")) {
        const char *name = section + 8;
        cfg_channel *ch;
        if (!valid_name(name)) {
            rc = err_set(err, ERR_INVALID, "bad channel name [%.60s]", section);
            goto done;
        }
        ch = channel_get(c, name);
        if (!strcmp(key, "type")) {
            set_str(&ch->type, v);
        } else {
            size_t i;
            for (i = 0; i < ch->npairs; i++)
                if (!strcmp(ch->pairs[i].key, key))
                    break;
            if (i == ch->npairs) {
                xgrow(&ch->pairs, &ch->cap, ch->npairs + 1, sizeof *ch->pairs);
                ch->pairs[i].key = xstrdup(key);
                ch->pairs[i].value = NULL;
                ch->npairs++;
            }
            set_str(&ch->pairs[i].value, v);
        }
        goto done;
    }
    if (!strcmp(section, "route")) {
        rc = set_route(c, key, v, err);
        goto done;
    }
    if (str_startswith(section, "instance.")) {
        rc = set_instance(c, section + 9, key, v, err);
        goto done;
    }
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        if (!strcmp(settings[i].section, section) &&
            !strcmp(settings[i].key, key)) {
            rc = set_setting(c, &settings[i], v, err);
            goto done;
        }
    }
    rc = err_set(err, ERR_INVALID, "unknown setting %s.%s", section, key);
done:
    free(v);
    return rc;
}

typedef struct load_ctx {
    config *c;
    errmsg first; /* the first setting rejected */
} load_ctx;

/* inih stops at the first handler that returns 0 and reports its line. */
static int on_ini(void *user, const char *section, const char *name,
                  const char *value)
{
    load_ctx *ctx = user;

    return cfg_set(ctx->c, section, name, value, &ctx->first) == 0;
}

int cfg_load_file(config *c, const char *path, errmsg *err)
{
    load_ctx ctx = {c, {0}};
    FILE *f = fopen(path, "r");
    int rc;

    if (!f)
        return err_set(err, ERR_INVALID, "cannot open config file %s", path);
    rc = ini_parse_file(f, on_ini, &ctx);
    fclose(f);
    if (rc != 0) {
        if (rc > 0 && ctx.first.code)
            err_set(err, ERR_INVALID, "%s:%d: %s", path, rc, ctx.first.msg);
        else if (rc > 0)
            err_set(err, ERR_INVALID, "%s:%d: cannot parse this line", path,
                    rc);
        else
            err_set(err, ERR_INVALID, "cannot read config file %s", path);
        return ERR_INVALID;
    }
    return 0;
}

int cfg_load_env(config *c, errmsg *err)
{
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        char name[96];
        const char *v;
        snprintf(name, sizeof name, "DOCKET_%s", settings[i].key);
        for (char *p = name; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        v = getenv(name);
        if (v && cfg_set(c, settings[i].section, settings[i].key, v, err) < 0)
            return ERR_INVALID;
    }
    return 0;
}

int cfg_listen_split(const config *c, char *host, size_t hostsize, int *port)
{
    const char *colon = strrchr(c->listen, ':');
    size_t hl;

    if (!colon)
        return ERR_INVALID;
    hl = (size_t)(colon - c->listen);
    if (hl == 0 || hl >= hostsize)
        return ERR_INVALID;
    memcpy(host, c->listen, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    return str_to_int(port, colon + 1, 0, 65535);
}

/* notify.inbox_email: the e-mail channel named, the first e-mail channel
 * when unset, none with "none"; notify.inbox_digest_time HH:MM. */
static int inbox_finish(config *c, errmsg *err)
{
    const cfg_channel *ch;
    int minutes;

    if (time_parse_hhmm(&minutes, c->inbox_digest_time) < 0)
        return err_set(err, ERR_INVALID,
                       "notify.inbox_digest_time must be HH:MM (UTC)");
    if (!strcmp(c->inbox_email, "none")) {
        set_str(&c->inbox_email, "");
        return 0;
    }
    if (!*c->inbox_email) {
        for (size_t i = 0; i < c->nchannels; i++)
            if (c->channels[i].type && !strcmp(c->channels[i].type, "email")) {
                set_str(&c->inbox_email, c->channels[i].name);
                break;
            }
        return 0;
    }
    ch = cfg_channel_find(c, c->inbox_email);
    if (!ch || !ch->type || strcmp(ch->type, "email"))
        return err_set(err, ERR_INVALID,
                       "notify.inbox_email must name an e-mail channel "
                       "(or be none); %.60s is not one",
                       c->inbox_email);
    return 0;
}

int cfg_finish(config *c, errmsg *err)
{
    char host[256];
    int port;

    if (cfg_listen_split(c, host, sizeof host, &port) < 0)
        return err_set(err, ERR_INVALID,
                       "server.listen must be ADDR:PORT, such as "
                       "127.0.0.1:8080 (got \"%.60s\")",
                       c->listen);
    if (!*c->db)
        return err_set(err, ERR_INVALID, "server.db must not be empty");
    if (!*c->tls_cert != !*c->tls_key)
        return err_set(err, ERR_INVALID,
                       "server.tls_cert and server.tls_key go together");
    if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
        strcmp(c->log_level, "warn") && strcmp(c->log_level, "error"))
        return err_set(err, ERR_INVALID,
                       "server.log_level must be debug, info, warn or error");
    {
        int minutes;
        if (time_parse_hhmm(&minutes, c->deploy_time) < 0)
            return err_set(err, ERR_INVALID,
                           "sprints.deploy_time must be HH:MM (UTC)");
    }
    if (!*c->base_url) {
        buf b = {0};
        buf_puts(&b, *c->tls_cert ? "https://" : "http://");
        buf_puts(&b, c->listen);
        free(c->base_url);
        c->base_url = buf_detach(&b);
    }
    while (*c->base_url && c->base_url[strlen(c->base_url) - 1] == '/')
        c->base_url[strlen(c->base_url) - 1] = '\0';
    for (size_t i = 0; i < c->nchannels; i++)
        if (!c->channels[i].type)
            return err_set(err, ERR_INVALID, "[channel.%s] needs a type",
                           c->channels[i].name);
    for (size_t i = 0; i < c->nroutes; i++)
        for (size_t j = 0; j < c->routes[i].nchannels; j++)
            if (!cfg_channel_find(c, c->routes[i].channels[j]))
                return err_set(err, ERR_INVALID,
                               "[route] %s names unknown channel %s",
                               c->routes[i].event, c->routes[i].channels[j]);
    return inbox_finish(c, err);
}

const char *cfg_channel_get(const cfg_channel *ch, const char *key)
{
    for (size_t i = 0; i < ch->npairs; i++)
        if (!strcmp(ch->pairs[i].key, key))
            return ch->pairs[i].value;
    return NULL;
}

const cfg_channel *cfg_channel_find(const config *c, const char *name)
{
    for (size_t i = 0; i < c->nchannels; i++)
        if (!strcmp(c->channels[i].name, name))
            return &c->channels[i];
    return NULL;
}

const cfg_route *cfg_route_find(const config *c, const char *event)
{
    for (size_t i = 0; i < c->nroutes; i++)
        if (!strcmp(c->routes[i].event, event))
            return &c->routes[i];
    return NULL;
}
