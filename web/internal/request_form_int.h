/* request_form_int.h: what the files of the change-request form share:
 *   page_request_form.c      controls, labels, errors, the page and its
 *                            choices, raw values of fields that failed
 *   page_request_sections.c  the "About this request", "Changes" and
 *                            "Attachments" sections
 *   page_request_new.c       GET /requests/new, POST /requests, the files
 *                            of a submission
 * The form is rendered from the definition in forms/def.h; input names are
 * the API's field paths, so every validation error lands next to its
 * input. page_triage.c reuses the form through requests_int.h. */
#ifndef DOCKET_REQUEST_FORM_INT_H
#define DOCKET_REQUEST_FORM_INT_H

#include "requests_int.h"
#include "def.h"

#define BLANK_ROWS  3    /* column rows of a fresh item */
#define TABLE_NAMES 2000 /* entries of the table autocomplete */
#define MAX_KEPT    FORM_MAX_ATTACHMENTS

/* A file of the submission: new in this post or carried from the last
 * (hidden base64 fields). The bytes are owned. */
typedef struct kept_file {
    char *filename;
    char *content_type;
    unsigned char *data;
    size_t size;
} kept_file;

/* A number or type that did not parse is not in the request any more; the
 * user's text is found again among the posted fields so it can be shown
 * next to its error (rform_raw_values_find). */
typedef struct raw_value {
    char path[160];
    const char *value; /* borrowed from the request's fields */
} raw_value;

/* What the form offers (organisations, instances, PMs, tables). */
typedef struct opt_inst {
    char name[101];
    char org[201];
    char env[33];
} opt_inst;

typedef struct opt_pm {
    char email[256];
    char name[201];
} opt_pm;

typedef struct rform_choices {
    char (*orgs)[201];
    size_t norgs;
    opt_inst *insts;
    size_t ninsts;
    opt_pm *pms;
    size_t npms;
    char (*tables)[101];
    size_t ntables;
} rform_choices;

/* One rendering of the form. */
typedef struct rform_view {
    web_req *req;
    const form_request *r; /* NULL: blank */
    const form_errors *fe; /* NULL: none shown */
    const rform_choices *ch;
    const kept_file *files;
    size_t nfiles;
    long more_rows_item; /* item that gets BLANK_ROWS more rows, or -1 */
    int add_item;
    const char *submission_id;
    raw_value raw[32];
    size_t nraw;
    const intake_form_mode *mode; /* NULL: the new-request form */
} rform_view;

/* ---- page_request_form.c ---- */

/* The error shown for path, or NULL. */
const char *rform_err_of(const rform_view *v, const char *path);
/* data-kinds="new_table add_columns" for fields of some kinds only. */
void rform_kinds_attr(buf *o, const char *attr, unsigned kinds);
/* " Only for: New table, Activity history." */
void rform_kinds_note(buf *o, unsigned kinds);
/* ' name="value"' with value escaped; name is a literal attribute name. */
void rform_attr(buf *o, const char *name, const char *value);
/* aria-describedby / aria-invalid of an input with id path. */
void rform_described(buf *o, const char *path, const char *help,
                     const char *error);
/* The error paragraph of path (nothing when error is NULL). */
void rform_error_line(buf *o, const char *path, const char *error);
/* The help paragraph of field f at path, with extra text (may be NULL). */
void rform_help_line(buf *o, const char *path, const form_field *f,
                     const char *extra);
/* The "required" badge of f for an item of kind (-1: none). */
void rform_required_badge(buf *o, const form_field *f, int kind);
/* One control (no wrapper) for field f at path of obj. */
void rform_control(const rform_view *v, const char *path, const void *obj,
                   const form_field *f, const char *error, int with_help);
/* The same, named by the element with id labelledby (NULL: by its
 * <label for>): a column row's control is named "Type, row 2" by a
 * hidden label while a visible one reads "Type". */
void rform_control_labelled(const rform_view *v, const char *path,
                            const void *obj, const form_field *f,
                            const char *error, int with_help,
                            const char *labelledby);
/* A labelled field with help and error (request and item levels). */
void rform_field_block(const rform_view *v, const char *path, const void *obj,
                       const form_field *f, int kind);
/* The raw posted text of the fields of fe that failed to parse, at most
 * max into out; returns how many. */
size_t rform_raw_values_find(web_req *req, const form_errors *fe,
                             raw_value *out, size_t max);
/* Renders the form with the choices of the user; status 0 means 200. */
void rform_reply(rform_view *v, int status);

/* ---- page_request_sections.c ---- */

void rform_about_section(const rform_view *v, const form_section *s);
void rform_changes_section(const rform_view *v, const form_section *s);
void rform_files_section(const rform_view *v);

#endif
