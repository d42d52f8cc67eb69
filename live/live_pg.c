/* live_pg.c: the schema of a PostgreSQL database through libpq. */
#include "live_int.h"

int live_read_pg(live_schema *out, const char *source, const char *red,
                 const live_options *opt, errmsg *err)
{
    (void)out;
    (void)source;
    (void)opt;
    return err_set(err, ERR_INVALID, "cannot read %.200s: not built yet", red);
}
