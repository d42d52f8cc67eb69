/* attachment.h: the rules for a file attached to a change request or a
 * comment: which kinds are accepted (by extension), the size limit, the
 * name it is stored under, and content sniffing (an executable, a script
 * or a web page is refused whatever its name says; a file must look like
 * its kind). Pure functions, no I/O; implemented in attachment.c, used by
 * web/ for the form's uploads and the comments' files. */
#ifndef DOCKET_FORMS_ATTACHMENT_H
#define DOCKET_FORMS_ATTACHMENT_H

#include "err.h"

#include <stddef.h>

/* The name a file is stored under: the part after the last '/' or '\',
 * refused (NULL, ERR_INVALID in err) with control characters or invalid
 * UTF-8, with bidi controls and invisible format characters removed (a
 * right-to-left override makes "\u202Eexe.csv" show as "vsc.exe"),
 * refused when nothing usable is left, and cut to FORM_MAX_SHORT code
 * points (the base is cut, an extension of up to 16 bytes kept). Caller
 * frees. */
char *form_file_name_clean(const char *name, errmsg *err);

/* 1 when the bytes start like a program or a script (PE, ELF, Mach-O,
 * "#!", WebAssembly), else 0. */
int form_file_looks_executable(const unsigned char *d, size_t n);

/* 1 when a browser could render the bytes as a page: they start with '<'
 * (after a UTF-8 BOM and white space), or an HTML, SVG or XML tag appears
 * in the first 4 KiB; else 0. */
int form_file_looks_like_markup(const unsigned char *d, size_t n);

/* Checks one file: its name (form_file_name_clean), its extension (CSV,
 * TSV, TXT, JSON, Parquet, XLSX, PDF), its size (at most
 * FORM_MAX_ATTACHMENT) and its content (not executable, not markup; text
 * kinds valid UTF-8 without NUL, JSON starting with { or [, PDF, Parquet
 * and XLSX with their magic numbers). Returns 0 with *out_name (the clean
 * name) and *out_type (the content type of the kind) as heap copies the
 * caller frees, or ERR_INVALID / ERR_TOOBIG with a message for the user
 * in err (nothing is allocated then). */
int form_file_check(char **out_name, char **out_type, const char *name,
                    const unsigned char *data, size_t len, errmsg *err);

#endif
