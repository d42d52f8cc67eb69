/* err.h: error codes and the caller-owned message buffer used by every
 * module. Functions that can fail return 0 or a negative ERR_* and record a
 * human-readable message in an errmsg (the first message wins). */
#ifndef DOCKET_ERR_H
#define DOCKET_ERR_H

enum {
    ERR_NOTFOUND = -1,  /* expected: a missing object (users may see it) */
    ERR_INVALID = -2,   /* expected: bad input (users may see it) */
    ERR_CONFLICT = -3,  /* expected: state does not allow it */
    ERR_TOOBIG = -4,    /* expected: a size limit */
    ERR_FORBIDDEN = -5, /* expected: not allowed for this user */
    ERR_NOSPACE = -6,   /* expected: out of disk space, nothing was saved */
    ERR_READONLY = -7,  /* expected: the database cannot be written (a
                           read-only server, or a read-only file) */
    ERR_DB = -10,       /* only logged */
    ERR_NET = -11,      /* only logged */
    ERR_INTERNAL = -12  /* only logged */
};

typedef struct errmsg {
    int code;        /* first ERR_* recorded, 0 if none */
    char msg[256];   /* human-readable, NUL-terminated */
    char field[128]; /* the input field concerned, "" if none */
} errmsg;

/* Record an error unless one is already recorded. Returns code, so callers
 * can write `return err_set(err, ERR_INVALID, "...")`. err may be NULL. */
int err_set(errmsg *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like err_set, and also names the input field the error is about. */
int err_set_field(errmsg *err, int code, const char *field, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/* Forget any recorded error. */
void err_clear(errmsg *err);

/* A short name for a code ("not found", "invalid", ...). */
const char *err_name(int code);

#endif
