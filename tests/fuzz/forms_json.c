/* forms_json.c: libFuzzer target for form_parse_json, form_validate and
 * the JSON round trip (forms/parse.c, forms/validate.c). Any input must
 * parse or fail cleanly; whatever parses must survive to_json and back. */
#include "parse.h"
#include "validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    form_request r, back;
    form_errors fe = {0};
    cJSON *j;
    char *text;

    if (form_parse_json(&r, (const char *)data, size, &fe) == 0) {
        form_validate(&r, NULL, &fe);
        j = form_request_to_json(&r);
        text = cJSON_PrintUnformatted(j);
        form_errors_dispose(&fe);
        if (form_parse_json(&back, text, strlen(text), &fe) != 0 ||
            !form_request_equal(&r, &back))
            abort();
        form_request_dispose(&back);
        cJSON_free(text);
        cJSON_Delete(j);
    }
    form_request_dispose(&r);
    form_errors_dispose(&fe);
    return 0;
}
