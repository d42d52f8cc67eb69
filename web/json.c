/* json.c: the pieces of the JSON API's documents that several handlers
 * write the same way (see web_int.h). */
#include "web_int.h"
#include "str.h"

#include <assert.h>
#include <stdio.h>

void web_json_add_time(cJSON *o, const char *key, int64_t t)
{
    char iso[32];

    assert(o && key);
    time_iso(iso, sizeof iso, t);
    cJSON_AddStringToObject(o, key, iso);
}

void web_json_strings(cJSON *o, const char *const *kv, size_t n)
{
    assert(o && kv);
    for (size_t i = 0; i < n; i++)
        cJSON_AddStringToObject(o, kv[2 * i], kv[2 * i + 1]);
}

void web_json_request_head(cJSON *o, int64_t id, const char *title,
                           const char *status, const char *organisation)
{
    char number[32];

    assert(o && title && status && organisation);
    snprintf(number, sizeof number, "CR-%lld", (long long)id);
    cJSON_AddNumberToObject(o, "id", (double)id);
    cJSON_AddStringToObject(o, "number", number);
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddStringToObject(o, "organisation", organisation);
}
