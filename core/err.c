/* err.c: the errmsg helpers declared in err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int err_vset(errmsg *err, int code, const char *field, const char *fmt,
                    va_list ap)
{
    if (!err || err->code)
        return code;
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    return code;
}

int err_set(errmsg *err, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(err, code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int err_set_field(errmsg *err, int code, const char *field, const char *fmt,
                  ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(err, code, field, fmt, ap);
    va_end(ap);
    return code;
}

void err_clear(errmsg *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *err_name(int code)
{
    switch (code) {
    case 0: return "ok";
    case ERR_NOTFOUND: return "not found";
    case ERR_INVALID: return "invalid";
    case ERR_CONFLICT: return "conflict";
    case ERR_TOOBIG: return "too big";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_NOSPACE: return "out of space";
    case ERR_READONLY: return "read-only";
    case ERR_DB: return "database error";
    case ERR_NET: return "network error";
    default: return "internal error";
    }
}
