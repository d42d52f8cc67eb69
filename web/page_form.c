/* page_form.c: the small forms of the administration and account pages
 * shown again after a refused post (page_form_int.h). */
#include "page_form_int.h"

#include <string.h>

/* The id of the input of field name. */
static const char *input_id(const page_form *f, const char *name)
{
    for (const char *const *p = f->ids; p && p[0]; p += 2)
        if (!strcmp(p[0], name))
            return p[1];
    return name;
}

/* msg as a sentence: its first letter upper case and a full stop at the
 * end when it has no closing punctuation ("e-mail is required" reads
 * "E-mail is required."; the command line shows the lower-case form
 * after "docket: "). Escaped. */
static void sentence(buf *o, const char *msg)
{
    size_t n = strlen(msg);

    if (!n)
        return;
    if (msg[0] >= 'a' && msg[0] <= 'z') {
        buf_putc(o, (char)(msg[0] - 'a' + 'A'));
        msg++;
        n--;
    }
    buf_append_html(o, msg);
    if (n && !strchr(".!?", msg[n - 1]))
        buf_putc(o, '.');
}

void page_form_summary(const page_form *f)
{
    buf *o = &f->req->out;

    if (!f->err)
        return;
    buf_puts(o, "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\" "
                "id=\"error-summary\"><h2>Please correct this problem</h2>"
                "<p>Nothing was saved yet.</p><ul><li>");
    if (f->err->field[0]) {
        buf_puts(o, "<a href=\"#");
        buf_append_html(o, input_id(f, f->err->field));
        buf_puts(o, "\">");
        sentence(o, f->err->msg);
        buf_puts(o, "</a>");
    } else {
        sentence(o, f->err->msg);
    }
    buf_puts(o, "</li></ul></div>");
}

const char *page_form_value(const page_form *f, const char *name,
                            const char *fresh)
{
    const char *v;

    if (!f->err)
        return fresh;
    v = web_field_get(f->req, name);
    return v ? v : "";
}

const char *page_form_error(const page_form *f, const char *name)
{
    if (!f->err || strcmp(f->err->field, name) != 0)
        return NULL;
    return f->err->msg;
}

void page_form_attrs(const page_form *f, const char *name, const char *help_id)
{
    buf *o = &f->req->out;
    const char *id = input_id(f, name);
    int bad = page_form_error(f, name) != NULL;

    buf_puts(o, " id=\"");
    buf_append_html(o, id);
    buf_puts(o, "\" name=\"");
    buf_append_html(o, name);
    buf_puts(o, "\"");
    if (!bad && !help_id)
        return;
    buf_puts(o, " aria-describedby=\"");
    if (bad) {
        buf_puts(o, "err-");
        buf_append_html(o, id);
        if (help_id)
            buf_putc(o, ' ');
    }
    if (help_id)
        buf_append_html(o, help_id);
    buf_puts(o, "\"");
    if (bad)
        buf_puts(o, " aria-invalid=\"true\"");
}

void page_form_value_attr(const page_form *f, const char *name,
                          const char *fresh)
{
    const char *v = page_form_value(f, name, fresh);

    if (!v || !*v)
        return;
    buf_puts(&f->req->out, " value=\"");
    buf_append_html(&f->req->out, v);
    buf_puts(&f->req->out, "\"");
}

void page_form_label(const page_form *f, const char *name, const char *label)
{
    buf *o = &f->req->out;

    buf_puts(o, "<label for=\"");
    buf_append_html(o, input_id(f, name));
    buf_puts(o, "\">");
    buf_puts(o, label);
    buf_puts(o, "</label>");
}

void page_form_error_line(const page_form *f, const char *name)
{
    buf *o = &f->req->out;
    const char *msg = page_form_error(f, name);

    if (!msg)
        return;
    buf_puts(o, "<p class=\"field-error\" id=\"err-");
    buf_append_html(o, input_id(f, name));
    buf_puts(o, "\"><span class=\"sr-only\">Error: </span>");
    sentence(o, msg);
    buf_puts(o, "</p>");
}

void page_form_input(const page_form *f, const char *name, const char *label,
                     const char *attrs, const char *fresh, const char *help)
{
    buf *o = &f->req->out;
    buf help_id = {0};

    if (help) {
        buf_puts(&help_id, input_id(f, name));
        buf_puts(&help_id, "-help");
    }
    buf_puts(o, "<div class=\"field\">");
    page_form_label(f, name, label);
    buf_puts(o, "<input");
    page_form_attrs(f, name, help ? buf_cstr(&help_id) : NULL);
    if (attrs && *attrs) {
        buf_putc(o, ' ');
        buf_puts(o, attrs);
    }
    if (!attrs || !strstr(attrs, "type=\"password\""))
        page_form_value_attr(f, name, fresh);
    buf_puts(o, ">");
    if (help) {
        buf_puts(o, "<p class=\"help\" id=\"");
        buf_append_html(o, buf_cstr(&help_id));
        buf_puts(o, "\">");
        buf_puts(o, help);
        buf_puts(o, "</p>");
    }
    page_form_error_line(f, name);
    buf_puts(o, "</div>");
    buf_dispose(&help_id);
}

void page_form_select(const page_form *f, const char *name,
                      const char *const *options, size_t n, const char *fresh)
{
    buf *o = &f->req->out;
    const char *chosen = page_form_value(f, name, fresh);

    buf_puts(o, "<select");
    page_form_attrs(f, name, NULL);
    buf_puts(o, ">");
    for (size_t i = 0; i < n; i++)
        web_option(o, options[2 * i],
                   options[2 * i + 1] ? options[2 * i + 1] : options[2 * i],
                   chosen);
    buf_puts(o, "</select>");
}
