/* forms_infer.c: libFuzzer target for form_infer_columns (forms/infer.c):
 * any bytes must give columns with valid names, or a clean error. */
#include "infer.h"
#include "validate.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    form_inferred inf;
    errmsg err = {0};

    if (form_infer_columns(&inf, (const char *)data, size, &err) == 0) {
        for (size_t i = 0; i < inf.ncolumns; i++)
            if (form_ident_check(inf.columns[i].name, NULL, 0) != 0)
                abort();
        cJSON_Delete(form_inferred_to_json(&inf));
        form_inferred_dispose(&inf);
    }
    return 0;
}
