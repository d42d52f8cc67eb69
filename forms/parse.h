/* parse.h: reading a change request from the public JSON API shape or from
 * the fields of the HTML form, and writing it back as JSON. No I/O: web/
 * reads the body and decodes the form first. Validation of the values is
 * separate (validate.h); parsing only checks what the structs cannot hold
 * (types, shapes, encodings, limits). */
#ifndef DOCKET_FORM_PARSE_H
#define DOCKET_FORM_PARSE_H

#include "form.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* One decoded field of the HTML form (urlencoded or multipart). value has
 * len bytes and need not be NUL-terminated. */
typedef struct form_kv {
    const char *name;
    const char *value;
    size_t len;
} form_kv;

/* Reads the API JSON shape (see GET /api/v1/form) from json[0..len).
 *
 * *out is always initialised: on success it holds the request; on
 * ERR_INVALID it holds whatever could be read (bad values left at their
 * defaults) so the caller may still run form_validate() to report every
 * problem at once. The caller disposes *out with form_request_dispose() in
 * both cases. Strings are never NULL ("" when absent). Column defaults:
 * nullable true, action "add", everything else false/"".
 *
 * Every problem is appended to fe with its field path ("" for the body as
 * a whole): invalid JSON (with line and column), trailing garbage, nesting
 * deeper than FORM_MAX_DEPTH (refused before cJSON parses), NUL bytes
 * (raw or \u0000), invalid UTF-8 or control characters in a value,
 * duplicate keys, unknown keys, wrong JSON types, numbers out of range or
 * not whole, unknown kinds/actions/types, more than FORM_MAX_ITEMS items,
 * FORM_MAX_COLUMNS columns or FORM_MAX_INSTANCES instances. null counts as
 * absent. The read-only keys written by form_request_to_json() ("id",
 * "number", "status", "created_at", "updated_at", "attachments",
 * "old_type") are accepted so its output parses back; web/ must overwrite
 * or ignore them on submission.
 *
 * Returns 0, or ERR_INVALID when fe got at least one error. */
int form_parse_json(form_request *out, const char *json, size_t len,
                    form_errors *fe);

/* Reads the HTML form's fields, named exactly like the API's error paths:
 * "title", "consent_related", "instances" (may repeat),
 * "items[0].kind", "items[0].columns[2].nullable", ...
 *
 * - Booleans: "on", "1", "yes", "true" are true; "", "0", "no", "off",
 *   "false" are false; an absent checkbox is false (so an unticked
 *   "nullable" box means NOT NULL: render it ticked by default).
 * - Indices may have gaps (rows removed in the page); items and columns
 *   are compacted in index order, and every error path uses the compacted
 *   index, so re-render the form from *out. An index >= FORM_MAX_ITEMS or
 *   >= FORM_MAX_COLUMNS is an error, never an allocation.
 * - A column row whose values are all empty/false, and an item with no
 *   kind and nothing else, are dropped (blank template rows).
 * - Values of item/column fields that do not apply to the item's kind are
 *   cleared (hidden inputs of other kinds), unlike the JSON API where
 *   validation reports them.
 * - Single-line values are trimmed of surrounding white space.
 * - Names that are no field of the form and do not start with "items["
 *   (CSRF token, submit button) are ignored; an unknown key inside
 *   items[...] is an error. A single-valued field given twice, NUL bytes
 *   and invalid UTF-8 are errors naming the field.
 *
 * *out and the return value as for form_parse_json(). */
int form_parse_fields(form_request *out, const form_kv *kv, size_t n,
                      form_errors *fe);

/* The request in the API JSON shape, plus "id" and "number" ("CR-123")
 * when id is set, "status" when set, "created_at"/"updated_at" (ISO 8601
 * UTC) when set, and attachment metadata. Item fields that do not apply to
 * the item's kind are written only when set. form_parse_json() of the
 * result gives back an equal request (attachments aside). Caller owns the
 * result (cJSON_Delete). */
cJSON *form_request_to_json(const form_request *r);

/* 1 when a and b hold the same values (attachments compared by name, type
 * and size). For tests and change detection. */
int form_request_equal(const form_request *a, const form_request *b);

#endif
