/* forms_fields.c: libFuzzer target for form_parse_fields (forms/parse.c).
 * The input is split into name=value pairs at '&' and the first '='. */
#include "parse.h"
#include "validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *end = s + size;
    form_kv kv[64];
    char *names[64];
    size_t n = 0;
    form_request r;
    form_errors fe = {0};

    while (s < end && n < 64) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(stop - s));
        const char *nend = eq ? eq : stop;
        names[n] = malloc((size_t)(nend - s) + 1);
        memcpy(names[n], s, (size_t)(nend - s));
        names[n][nend - s] = '\0';
        kv[n].name = names[n];
        kv[n].value = eq ? eq + 1 : stop;
        kv[n].len = eq ? (size_t)(stop - eq - 1) : 0;
        n++;
        s = stop + 1;
    }
    form_parse_fields(&r, kv, n, &fe);
    form_validate(&r, NULL, &fe);
    form_request_dispose(&r);
    form_errors_dispose(&fe);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    return 0;
}
