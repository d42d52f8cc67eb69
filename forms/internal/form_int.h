/* form_int.h: helpers shared by the files of forms/ only (field paths,
 * field access through the definition table). Never used outside forms/. */
#ifndef DOCKET_FORM_INT_H
#define DOCKET_FORM_INT_H

#include "def.h"

#include <stddef.h>
#include <stdint.h>

/* A parsed field path: "title", "items[3].table",
 * "items[3].columns[2].name", or a template with "[]" (indices SIZE_MAX). */
typedef struct form_path {
    const form_field *field;
    size_t item;   /* SIZE_MAX for request fields and templates */
    size_t column; /* SIZE_MAX unless a column field */
} form_path;

/* Parses s[0..len). Returns 0; ERR_NOTFOUND when s is no field of the
 * form and does not start with "items["; ERR_INVALID when it starts with
 * "items[" but is malformed or names an unknown key; ERR_TOOBIG when an
 * index is >= item_limit or col_limit. */
int form_path_parse(form_path *out, const char *s, size_t len,
                    size_t item_limit, size_t col_limit);
/* Writes f's name with the indices filled in ("items[2].columns[0].name"). */
void form_path_format(char *out, size_t size, const form_field *f, size_t item,
                      size_t column);
/* Position of f in the table of form_def_fields(). */
size_t form_def_index(const form_field *f);
/* msg (an errmsg's text) made a sentence in place, as every message of
 * the form is: a capital first, a full stop last. Returns msg. */
const char *form_sentence(char *msg);

/* parse.c, for parse_fields.c: a key or field name made safe to quote in
 * a message (printable ASCII only, at most 40 bytes); the check of the
 * bytes of a string value at path (no NUL bytes, valid UTF-8): 1, or 0
 * after adding the error to fe. */
void form_safe_name(char *out, size_t size, const char *s, size_t len);
int form_text_ok(const char *path, const char *s, size_t len, form_errors *fe);

/* Where f's value lives inside obj (a form_request, form_item or
 * form_column, matching f->level). */
static inline void *form_field_ptr(void *obj, const form_field *f)
{
    return (char *)obj + f->offset;
}
static inline const void *form_field_cptr(const void *obj, const form_field *f)
{
    return (const char *)obj + f->offset;
}

/* 1 when f applies to items of kind k (request fields always apply). */
static inline int form_field_applies(const form_field *f, int kind)
{
    return f->level == FORM_LEVEL_REQUEST ||
           (f->kinds & FORM_KIND_BIT(kind)) != 0;
}

/* Sets every NULL string of obj at level to "" and leaves the rest. */
void form_obj_fill_empty(void *obj, form_level level);

/* Sets the value of f in obj to its default (frees a string). */
void form_obj_clear_field(void *obj, const form_field *f);

/* 1 when f's value in obj differs from its default. */
int form_obj_field_set(const void *obj, const form_field *f);

#endif
