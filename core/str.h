/* str.h: small string helpers shared by every module: UTF-8 checks,
 * trimming, case-insensitive comparison, strict number parsing, time. */
#ifndef DOCKET_STR_H
#define DOCKET_STR_H

#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF); 0 otherwise. */
int str_utf8_valid(const char *s, size_t n);
/* The UTF-8 sequence at s, of which n > 0 bytes may be read: its length
 * (1 to 4) when it is one well-formed character, else minus the length of
 * its maximal ill-formed subpart (Unicode 3.9, "U+FFFD substitution of
 * maximal subparts": the bytes one U+FFFD replaces, as browsers decode).
 * Never reads past the first byte that cannot continue the sequence, so a
 * NUL-terminated string may pass n = 4. */
int str_utf8_next(const char *s, size_t n);
/* Length in bytes of the invisible format character starting at s (bidi
 * embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069,
 * marks U+200E, U+200F and U+061C, zero-width characters U+200B-U+200D,
 * U+2060-U+2064 and U+FEFF, line and paragraph separators U+2028/U+2029,
 * and the other default-ignorable format controls U+180E, U+206A-U+206F,
 * U+FFF9-U+FFFB), or 0 when s starts with anything else. */
size_t str_format_char_len(const char *s);
/* Copy of s without the characters str_format_char_len finds (so a name
 * shows as the bytes it has: "\u202Eexe.csv" does not display as
 * "vsc.exe"). Caller frees. */
char *str_strip_format_dup(const char *s);
/* Number of code points in a valid UTF-8 string. */
size_t str_utf8_len(const char *s);
/* 1 when s has a byte below 0x20 other than TAB, LF and CR. */
int str_has_ctl(const char *s);
/* Case-insensitive ASCII compare (like strcasecmp, locale free). */
int str_casecmp(const char *a, const char *b);
int str_ncasecmp(const char *a, const char *b, size_t n);
/* 1 when s starts with prefix. */
int str_startswith(const char *s, const char *prefix);
/* Copy of s without leading and trailing ASCII space; caller frees. */
char *str_trim_dup(const char *s);
/* Strict base-10 parse of a whole string into *out; 0 or ERR_INVALID. */
int str_to_i64(int64_t *out, const char *s);
int str_to_int(int *out, const char *s, int min, int max);
/* Lower-cases ASCII letters in place; returns s. */
char *str_lower(char *s);
/* src (NULL: "") into dst, cut to size - 1 bytes as snprintf would;
 * returns 1 when the result was cut. */
int str_copy(char *dst, size_t size, const char *src);
/* Levenshtein distance between a and b (bytes), capped at max+1. */
int str_edit_distance(const char *a, const char *b, int max);
/* 1 when s may follow a sign-in or go into a Location header as a path on
 * this site that no browser reads as another site: it starts with exactly
 * one '/' (not "//" or "/\\"), and has no byte below 0x21, no DEL, no byte
 * above 0x7E and no backslash anywhere. Its path part (before '?' or '#')
 * is also percent-decoded repeatedly (up to four rounds): an escape that
 * decodes to '/', '\\', a control character or a space refuses it, as does
 * one still left after the last round; in the query and fragment an escape
 * that decodes to a control character refuses it. 0 otherwise (NULL, "",
 * longer than 4 KiB). The single check behind web_redirect and "next". */
int str_local_path_ok(const char *s);

/* Wall clock in seconds and in microseconds since the epoch. */
int64_t time_now(void);
int64_t time_now_us(void);
/* Monotonic clock in microseconds. */
int64_t time_mono_us(void);
/* UTC ISO 8601 text "2026-03-03T14:00:00Z" for t; out has 21+ bytes. */
void time_iso(char *out, size_t size, int64_t t);
/* UTC date "2026-03-03". */
void time_date(char *out, size_t size, int64_t t);
/* Parse "YYYY-MM-DD" (UTC midnight) or "YYYY-MM-DDTHH:MM:SSZ";
 * 0 or ERR_INVALID. */
int time_parse_iso(int64_t *out, const char *s);
/* The value of one hexadecimal digit (either case), or -1. */
int str_hexval(int c);
/* "HH:MM" (24-hour, exactly five characters) to minutes after midnight in
 * *out; ERR_INVALID otherwise (no sign, no spaces, no 24:00). */
int time_parse_hhmm(int *out, const char *s);

#endif
