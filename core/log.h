/* log.h: one-line log records on standard error. The logger is one of the
 * two globals (with the config); it is safe to call from any thread. */
#ifndef DOCKET_LOG_H
#define DOCKET_LOG_H

#include <stdint.h>

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_QUIET };

/* Sets the lowest level written (LOG_INFO by default). */
void log_set_level(int level);
int log_get_level(void);
void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* One line per HTTP request: time, method, path, status, bytes,
 * microseconds, user ("-" when anonymous). The path is written with
 * control characters replaced so a request cannot forge log lines. */
void log_request(const char *method, const char *path, int status,
                 uint64_t bytes, int64_t usec, const char *user);

#endif
