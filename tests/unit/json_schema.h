/* json_schema.h: the tests' JSON-schema validator, to check docket's
 * exports against the schemas their standards publish (ODCS, dbt), and
 * YAML read as the JSON those schemas describe.
 *
 * The validator reads the schema itself and applies its keywords: type,
 * enum, const, required, properties, patternProperties,
 * additionalProperties, propertyNames, minProperties,
 * unevaluatedProperties, items, minItems, maxItems, uniqueItems, $ref
 * (JSON pointers into the same document), allOf, anyOf, oneOf, not,
 * if/then/else, pattern, format (date-time, date, uri, int32, int64,
 * uint64, float, double), minimum, exclusiveMinimum, maximum,
 * deprecated (a deprecated key is an error). Annotations (title,
 * description, default, examples, $comment, readOnly, ...) are read
 * past. A keyword it does not know, a $ref outside the document or a
 * pattern POSIX cannot read (lookaround, back references) fails the
 * test with a message: a check it cannot make never passes. */
#ifndef DOCKET_TEST_JSON_SCHEMA_H
#define DOCKET_TEST_JSON_SCHEMA_H

#include <cjson/cJSON.h>

/* What a document breaks: one line per error, "$.path: what". */
typedef struct jsch_errors {
    char msg[4096];
    int n;
} jsch_errors;

/* The errors of doc against schema (its root document), "" when doc is
 * valid; e is cleared first. */
const char *jsch_validate(const cJSON *schema, const cJSON *doc,
                          jsch_errors *e);

/* The YAML text as JSON: plain scalars resolved as YAML 1.2's core
 * schema reads them, quoted and block scalars as strings. ambiguous (if
 * not NULL) counts plain scalars a YAML 1.1 reader would take for
 * something else than what YAML 1.2 reads. Fails the test when text is
 * not one YAML document. */
cJSON *jsch_yaml_json(const char *text, int *ambiguous);

/* 1 when string s matches the POSIX extended regex re (compiled once). */
int jsch_re_match(const char *re, const char *s);

/* Frees the compiled patterns (call in a teardown). */
void jsch_cleanup(void);

#endif
