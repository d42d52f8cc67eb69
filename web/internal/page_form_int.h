/* page_form_int.h: the small forms of the administration and account
 * pages (page_admin.c, page_accounts.c) shown fresh or again after a
 * refused post. Shown again, a form has the error summary at the top of
 * the page (a link to the input in error), the error next to its input
 * (aria-invalid, aria-describedby) and every value typed back in its
 * input, escaped; password inputs are never filled in. The classes are
 * those of the change-request form (.error-summary, .field-error).
 *
 * One problem is shown at a time: the first one the use case found
 * (an errmsg, whose field names the input). */
#ifndef DOCKET_PAGE_FORM_INT_H
#define DOCKET_PAGE_FORM_INT_H

#include "web_int.h"

/* A form of a page. */
typedef struct page_form {
    web_req *req;
    /* The problem of the post this form is shown again after, or NULL
       when the form is fresh (or another form of the page was posted). */
    const errmsg *err;
    /* Pairs of field name and input id where they differ ("name",
       "org-name"), NULL-terminated; NULL when every input's id is its
       name. */
    const char *const *ids;
} page_form;

/* The error summary of f (nothing when f has no problem): a box with the
 * problem, linked to its input when the problem names a field. */
void page_form_summary(const page_form *f);

/* The value to show in the text input name: the posted one when f is
 * shown again, else fresh (may be NULL: none). */
const char *page_form_value(const page_form *f, const char *name,
                            const char *fresh);

/* The problem of input name, or NULL. */
const char *page_form_error(const page_form *f, const char *name);

/* An input's attributes id, name and, when its problem is shown, the
 * aria-invalid and aria-describedby pointing at the error line; help_id
 * (may be NULL) is the id of its help text. */
void page_form_attrs(const page_form *f, const char *name, const char *help_id);

/* The value attribute of text input name (page_form_value, escaped;
 * nothing when there is no value). */
void page_form_value_attr(const page_form *f, const char *name,
                          const char *fresh);

/* <label for="ID">label</label> of input name (label is HTML). */
void page_form_label(const page_form *f, const char *name, const char *label);

/* The error line of input name, after the input (nothing when it has no
 * problem). */
void page_form_error_line(const page_form *f, const char *name);

/* A whole text field of form f: <div class="field">, label (HTML), the
 * <input> with attrs (HTML: type, required, limits...) and its value
 * (page_form_value of fresh), help (HTML, may be NULL; its id is
 * "<id>-help") and the error line. An input with type="password" in
 * attrs never gets a value. */
void page_form_input(const page_form *f, const char *name, const char *label,
                     const char *attrs, const char *fresh, const char *help);

/* A <select> of input name with options value/label pairs (n pairs; a
 * NULL label shows the value), the posted value chosen when f is shown
 * again, else fresh (may be NULL). */
void page_form_select(const page_form *f, const char *name,
                      const char *const *options, size_t n, const char *fresh);

#endif
