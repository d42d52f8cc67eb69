/* server_start.c: the daemon's start and stop: the listen address, the
 * TLS files, the libmicrohttpd options (poll, thread pool, limits,
 * timeouts, the unescape rule), warming the search index, and a stop that
 * lets in-flight requests and queued submissions finish. The request life
 * cycle is server.c. */
#include "web.h"
#include "web_int.h"
#include "server_int.h"
#include "buf.h"
#include "catalog.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* While a request's headers arrive the connection gets a shorter idle
 * timeout than between requests: a client that opens connections and
 * sends a few bytes now and then cannot keep them for the full idle
 * timeout. The first call of the access handler (headers complete) sets
 * the normal one again. */
static unsigned header_timeout(const config *cfg)
{
    return (unsigned)cfg->timeout < WEB_HEADER_TIMEOUT ? (unsigned)cfg->timeout
                                                       : WEB_HEADER_TIMEOUT;
}

static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    web_server *srv = cls;

    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                  header_timeout(srv->cfg));
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("http: %s", msg);
}

/* MHD's percent-decoding of paths and query values, except that "%00"
 * stays as it is: a decoded NUL would silently cut "/requests/1%00" to
 * "/requests/1" (and a query value at the NUL). */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *c, char *s)
{
    char *w = s;
    const char *r = s;

    (void)cls;
    (void)c;
    while (*r) {
        int hi = r[0] == '%' ? str_hexval(r[1]) : -1;
        int lo = hi >= 0 ? str_hexval(r[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* Starts building the search snapshots (registry_search_warm) so the
 * first searches find them; a database that cannot be opened here is
 * answered by the first request that needs it. Called once the daemon
 * listens: the builds run in the background, but starting them opens a
 * connection and waits for the builder threads a moment (20 ms; 145 ms
 * on a loaded machine), which the first requests need not wait for. */
static void index_warm(web_server *srv)
{
    registry *reg;
    errmsg err = {0};

    if (registry_open(&reg, srv->cfg->db, REGISTRY_NOCREATE, &err) < 0)
        return;
    registry_index_attach(reg, srv->index);
    registry_search_warm(reg);
    registry_close(reg);
}

/* Frees s and what it owns (the parts not made yet are NULL). The
 * writer is stopped first; the daemon must be stopped already. */
static void server_free(web_server *s)
{
    registry_writer_free(s->writer);
    web_cache_free(s->cache);
    registry_index_release(s->index);
    free(s->tls_cert);
    free(s->tls_key);
    free(s);
}

/* Parses cfg->listen into *ss (a numeric IPv4 or IPv6 address; the name
 * "localhost" is 127.0.0.1) and *port; adds MHD_USE_IPv6 to *flags for
 * an IPv6 address. */
static int listen_address(const config *cfg, struct sockaddr_storage *ss,
                          int *port, unsigned *flags, errmsg *err)
{
    char host[256];

    memset(ss, 0, sizeof *ss);
    if (cfg_listen_split(cfg, host, sizeof host, port) < 0)
        return err_set(err, ERR_INVALID, "bad listen address %s", cfg->listen);
    if (!strcmp(host, "localhost"))
        str_copy(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)*port);
    } else if (inet_pton(AF_INET6, host,
                         &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)*port);
        *flags |= MHD_USE_IPv6;
    } else {
        return err_set(err, ERR_INVALID,
                       "listen address must be a numeric IP address: %s", host);
    }
    return 0;
}

/* Reads the TLS certificate and key when cfg names them (then sets
 * srv->tls and adds MHD_USE_TLS to *flags). */
static int tls_load(web_server *srv, unsigned *flags, errmsg *err)
{
    const config *cfg = srv->cfg;

    if (!*cfg->tls_cert)
        return 0;
    srv->tls_cert = buf_read_file(cfg->tls_cert, NULL);
    srv->tls_key = buf_read_file(cfg->tls_key, NULL);
    if (!srv->tls_cert || !srv->tls_key)
        return err_set(err, ERR_INVALID,
                       "cannot read the TLS certificate or key");
    srv->tls = 1;
    *flags |= MHD_USE_TLS;
    return 0;
}

/* Starts the daemon listening on ss:port (srv->daemon NULL on failure). */
static void daemon_start(web_server *srv, struct sockaddr_storage *ss, int port,
                         unsigned flags)
{
    const config *cfg = srv->cfg;
    /* The certificate and key for HTTPS; without TLS only the end. */
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
        {MHD_OPTION_END, 0, NULL}};
    /* The connection memory limit is MHD's per-connection pool, which MHD
       zeroes after every request: 32 KiB (MHD's default) holds any sane
       header block, and 64 KiB cost ~8% of a cached reply's CPU. */
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, web_on_access, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->conn_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_NOTIFY_COMPLETED,
        web_on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, NULL, MHD_OPTION_ARRAY,
        srv->tls ? tls : tls + 2, MHD_OPTION_END);
}

int web_start(web_server **out, const config *cfg, errmsg *err)
{
    web_server *srv = xcalloc(1, sizeof *srv);
    struct sockaddr_storage ss;
    int port;
    /* poll(), not epoll: libmicrohttpd 0.9.75 registers connections
       edge-triggered and stops reading after a short read, so a peer
       that sent part of a request and closed in the same breath is never
       seen to close and holds its slot for the whole idle timeout (2,000
       such aborts filled the connection limit). poll() is level-triggered:
       MHD reads the end of the stream and frees the slot at once. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    const union MHD_DaemonInfo *di;
    int rc;

    rc = listen_address(cfg, &ss, &port, &flags, err);
    if (rc < 0) {
        free(srv);
        return rc;
    }
    srv->cfg = cfg;
    rc = tls_load(srv, &flags, err);
    if (rc < 0) {
        server_free(srv);
        return rc;
    }
    web_static_init();
    if (registry_writer_start(&srv->writer, cfg->db, err) < 0) {
        server_free(srv);
        return ERR_DB;
    }
    srv->cache = web_cache_new();
    srv->index = registry_index_new();
    daemon_start(srv, &ss, port, flags);
    if (!srv->daemon) {
        server_free(srv);
        return err_set(err, ERR_INVALID,
                       "cannot listen on %s (address in use or not "
                       "available?)",
                       cfg->listen);
    }
    index_warm(srv);
    di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : port;
    *out = srv;
    return 0;
}

int web_port(const web_server *s)
{
    return s->port;
}

void web_stop(web_server *s)
{
    int64_t until;

    if (!s)
        return;
    /* Stop accepting, then give in-flight requests time to finish. */
    MHD_quiesce_daemon(s->daemon);
    until = time_mono_us() + 5 * 1000000;
    while (time_mono_us() < until) {
        if (atomic_load(&s->inflight) == 0)
            break;
        usleep(10000);
    }
    /* Finish every queued submission: each suspended connection is
       resumed (MHD refuses to stop with suspended ones), and later ones
       are applied on their handler thread. Then let the replies go. */
    registry_writer_stop(s->writer);
    until = time_mono_us() + 1000000;
    while (time_mono_us() < until && atomic_load(&s->inflight) != 0)
        usleep(10000);
    MHD_stop_daemon(s->daemon);
    /* The threads are gone, their connections closed: the index's last
       references are this one and any build still running. */
    server_free(s);
}
