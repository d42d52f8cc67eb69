/* log.c: the logger (see log.h). Each record is formatted into a local
 * buffer and written with one fputs so records from threads never mix. */
#include "log.h"
#include "str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int log_level = LOG_INFO;

void log_set_level(int level)
{
    log_level = level;
}

int log_get_level(void)
{
    return log_level;
}

static void clean(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            *s = '?';
}

void log_msg(int level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    char line[1024], msg[900], ts[32];
    va_list ap;

    if (level < log_level || level >= LOG_QUIET)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    clean(msg);
    time_iso(ts, sizeof ts, time_now());
    snprintf(line, sizeof line, "%s %s %s\n", ts, names[level], msg);
    fputs(line, stderr);
}

void log_request(const char *method, const char *path, int status,
                 uint64_t bytes, int64_t usec, const char *user)
{
    char line[1200], p[800], m[16], ts[32];

    if (LOG_INFO < log_level)
        return;
    str_copy(p, sizeof p, path);
    str_copy(m, sizeof m, method);
    clean(p);
    clean(m);
    time_iso(ts, sizeof ts, time_now());
    snprintf(line, sizeof line, "%s http %s %s %d %llu %lldus %s\n", ts, m, p,
             status, (unsigned long long)bytes, (long long)usec,
             user && *user ? user : "-");
    fputs(line, stderr);
}
