/* attachment.c: the rules for an attached file: accepted kinds, size,
 * stored name and content sniffing (contracts in attachment.h). The
 * uploads themselves are read by web/upload.c and checked here by
 * web/page_request_files.c and web/page_triage.c. */
#include "attachment.h"
#include "form.h"
#include "buf.h"
#include "mem.h"
#include "str.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct file_kind {
    const char *ext;
    const char *type;
    int text; /* 1: must be UTF-8 text */
} file_kind;

static const file_kind file_kinds[] = {
    {"csv", "text/csv", 1},
    {"tsv", "text/tab-separated-values", 1},
    {"txt", "text/plain", 1},
    {"json", "application/json", 1},
    {"parquet", "application/vnd.apache.parquet", 0},
    {"xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 0},
    {"pdf", "application/pdf", 0}};

static int has_prefix(const unsigned char *d, size_t n, const char *p,
                      size_t pn)
{
    return n >= pn && !memcmp(d, p, pn);
}

int form_file_looks_executable(const unsigned char *d, size_t n)
{
    static const char *const magic[] = {"MZ",
                                        "\177ELF",
                                        "#!",
                                        "\xfe\xed\xfa\xce",
                                        "\xfe\xed\xfa\xcf",
                                        "\xce\xfa\xed\xfe",
                                        "\xcf\xfa\xed\xfe",
                                        "\xca\xfe\xba\xbe",
                                        "\0asm"};
    static const size_t len[] = {2, 4, 2, 4, 4, 4, 4, 4, 4};

    assert(d || !n);
    for (size_t i = 0; i < sizeof magic / sizeof *magic; i++)
        if (has_prefix(d, n, magic[i], len[i]))
            return 1;
    return 0;
}

/* Index of the first byte after a UTF-8 BOM and white space. */
static size_t skip_bom_space(const unsigned char *d, size_t n)
{
    size_t i = has_prefix(d, n, "\xef\xbb\xbf", 3) ? 3 : 0;

    while (i < n &&
           (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    return i;
}

int form_file_looks_like_markup(const unsigned char *d, size_t n)
{
    static const char *const tags[] = {
        "<!doctype", "<html",   "<script", "<svg", "<?xml", "<head", "<body",
        "<iframe",   "<object", "<embed",  "<!--", "<img",  "<a "};
    size_t i = skip_bom_space(d, n), lim = n < 4096 ? n : 4096;

    assert(d || !n);
    if (i < n && d[i] == '<')
        return 1;
    for (size_t k = 0; k < lim; k++) {
        if (d[k] != '<')
            continue;
        for (size_t t = 0; t < sizeof tags / sizeof *tags; t++) {
            size_t tl = strlen(tags[t]);
            if (k + tl <= lim &&
                !str_ncasecmp((const char *)d + k, tags[t], tl))
                return 1;
        }
    }
    return 0;
}

/* clean (n bytes, more than FORM_MAX_SHORT code points) cut to
 * FORM_MAX_SHORT code points, the extension kept. Frees clean. */
static char *name_cut(char *clean, size_t n)
{
    const char *ext = strrchr(clean, '.'), *p = clean;
    size_t keep, k = 0;
    buf b = {0};

    if (!ext || strlen(ext) > 16)
        ext = clean + n;
    keep = FORM_MAX_SHORT - str_utf8_len(ext);
    while (p < ext && k < keep) {
        p++;
        while (p < ext && ((unsigned char)*p & 0xc0) == 0x80)
            p++;
        k++;
    }
    buf_append(&b, clean, (size_t)(p - clean));
    buf_puts(&b, ext);
    free(clean);
    return buf_detach(&b);
}

char *form_file_name_clean(const char *name, errmsg *err)
{
    const char *base = name;
    char *clean;
    size_t n;

    assert(name);
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    if (!str_utf8_valid(base, strlen(base)) || str_has_ctl(base) ||
        strchr(base, '\t') || strchr(base, '\r') || strchr(base, '\n')) {
        err_set(err, ERR_INVALID,
                "a file name has control characters or invalid UTF-8");
        return NULL;
    }
    clean = str_strip_format_dup(base);
    n = strlen(clean);
    if (!n || !strcmp(clean, ".") || !strcmp(clean, "..")) {
        err_set(err, ERR_INVALID, "a file has no usable name");
        free(clean);
        return NULL;
    }
    if (str_utf8_len(clean) <= FORM_MAX_SHORT)
        return clean;
    return name_cut(clean, n);
}

/* The kind of a clean name by its extension; NULL when not accepted. */
static const file_kind *kind_of(const char *clean)
{
    const char *dot = strrchr(clean, '.');
    char ext[16];

    if (!dot || strlen(dot + 1) >= sizeof ext)
        return NULL;
    str_copy(ext, sizeof ext, dot + 1);
    str_lower(ext);
    for (size_t i = 0; i < sizeof file_kinds / sizeof *file_kinds; i++)
        if (!strcmp(ext, file_kinds[i].ext))
            return &file_kinds[i];
    return NULL;
}

/* 1 when the bytes look like a file of kind fk (beyond not being a
 * program or a page); text kinds are checked by the caller. */
static int content_fits(const file_kind *fk, const unsigned char *d, size_t n)
{
    if (!strcmp(fk->ext, "json")) {
        size_t i = skip_bom_space(d, n);
        return i < n && (d[i] == '{' || d[i] == '[');
    }
    if (!strcmp(fk->ext, "pdf"))
        return has_prefix(d, n, "%PDF-", 5);
    if (!strcmp(fk->ext, "parquet"))
        return n >= 8 && has_prefix(d, n, "PAR1", 4) &&
               !memcmp(d + n - 4, "PAR1", 4);
    if (!strcmp(fk->ext, "xlsx"))
        return has_prefix(d, n, "PK\x03\x04", 4);
    return 1;
}

int form_file_check(char **out_name, char **out_type, const char *name,
                    const unsigned char *d, size_t n, errmsg *err)
{
    char *clean = form_file_name_clean(name, err);
    const file_kind *fk;
    int rc;

    assert(out_name && out_type && (d || !n));
    if (!clean)
        return ERR_INVALID;
    fk = kind_of(clean);
    if (!fk) {
        rc = err_set(err, ERR_INVALID,
                     "%.100s: only CSV, TSV, JSON, Parquet, XLSX, PDF and TXT "
                     "files are accepted",
                     clean);
        goto fail;
    }
    if (n > FORM_MAX_ATTACHMENT) {
        rc = err_set(err, ERR_TOOBIG, "%.100s is larger than 10 MiB", clean);
        goto fail;
    }
    if (form_file_looks_executable(d, n) || form_file_looks_like_markup(d, n)) {
        rc = err_set(err, ERR_INVALID,
                     "%.100s looks like a program or a web page, not a .%s "
                     "file",
                     clean, fk->ext);
        goto fail;
    }
    if (fk->text &&
        ((n && memchr(d, '\0', n)) || !str_utf8_valid((const char *)d, n))) {
        rc = err_set(err, ERR_INVALID, "%.100s is not UTF-8 text", clean);
        goto fail;
    }
    if (!content_fits(fk, d, n)) {
        rc = err_set(err, ERR_INVALID, "%.100s does not look like a .%s file",
                     clean, fk->ext);
        goto fail;
    }
    *out_name = clean;
    *out_type = xstrdup(fk->type);
    return 0;
fail:
    free(clean);
    return rc;
}
