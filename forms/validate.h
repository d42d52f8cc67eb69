/* validate.h: the rules a change request must meet before it is stored,
 * and the identifier checks migrations/ reuses for lint. Pure functions:
 * what needs the registry goes through callbacks in form_context. */
#ifndef DOCKET_FORM_VALIDATE_H
#define DOCKET_FORM_VALIDATE_H

#include "form.h"

#include <stddef.h>

/* What validation needs to know about the world. All-zero is valid and
 * checks nothing beyond the request itself. */
typedef struct form_context {
    /* Instance names of the request's organisation. NULL: names are not
     * checked against a list; non-NULL with ninstances 0: none allowed.
     * The request's instance and instances[] are resolved against this
     * list before any registry lookup: a name not in it (another
     * organisation's instance or a made-up one alike) gets only its
     * "is not an instance of your organisation" error, and the callbacks
     * below are never asked about it. */
    const char *const *instances;
    size_t ninstances;
    /* The SQL dialect (a sql_dialect of core/dialect.h) of each entry of
     * instances, in the same order; NULL: not known. A table or column
     * name is refused only where a dialect of the request's own
     * instances cannot take it even quoted (sql_unusable); when the
     * dialects are not known, every dialect counts. Reserved words are
     * never refused: docket quotes every name, and the migration lint
     * warns. */
    const int *instance_dialects;
    /* E-mails of the project managers one may choose; NULL: any syntactically
     * valid e-mail. */
    const char *const *project_managers;
    size_t nproject_managers;
    /* 1: organisation, requester_name and requester_email must be set (the
     * server sets this after filling them from the account). */
    int require_requester;
    /* "YYYY-MM-DD" of today; when set, desired_date may not be earlier. */
    const char *today;
    /* Registry lookups; each returns 1 (exists), 0 (does not) or a
     * negative ERR_* (lookup failed: form_validate stops and returns it).
     * instance is always an entry of instances (when that is set), as
     * spelled there. NULL: the registry checks are skipped. */
    int (*table_exists)(void *cb_ctx, const char *instance, const char *table);
    int (*column_exists)(void *cb_ctx, const char *instance, const char *table,
                         const char *column);
    void *cb_ctx;
} form_context;

/* Checks r against every rule of the form and appends each problem to fe
 * with its field path ("title", "items[1].columns[3].name") and a message
 * a client can act on. fe may already hold parse errors: a field that has
 * one gets no second message. ctx may be NULL.
 *
 * Returns 0 when fe is empty at the end, ERR_INVALID when it is not, or
 * the negative code of a failed registry lookup. */
int form_validate(const form_request *r, const form_context *ctx,
                  form_errors *fe);

/* Sorts fe (stably) into the order of the form's fields, as a person
 * reads them: a problem of the whole request ("") first, then the
 * request's fields in the order of the definition ("instances[2]" with
 * "instances"), then "items", then each change in turn: its fields, its
 * column list ("items[0].columns"), its column rows one after the other
 * with their fields in order, and the fields shown after the columns;
 * "attachments" last. form_validate returns its problems sorted; callers
 * that add more (the files, the organisation) sort again before showing
 * them. */
void form_errors_sort(form_errors *fe);

/* Checks the spelling of a table or column name: ASCII letters, digits
 * and _, not starting with a digit, at most FORM_MAX_IDENT bytes.
 * Non-ASCII (including letters that merely look Latin, such as Cyrillic
 * "а") is refused. Reserved words pass: docket quotes every name in every
 * dialect, which the real-database test proves for every word of every
 * dialect's table; the migration lint warns about them, and form_validate
 * refuses what a dialect of the request cannot take even quoted
 * (sql_unusable). Returns 0, or ERR_INVALID with a message in msg (a
 * suggestion where one helps). msg may be NULL. */
int form_ident_check(const char *name, char *msg, size_t msgsize);

/* Two names to use instead of word, as "word_value or word_name" (in
 * lower case): suffixes, so no English grammar is needed, never a
 * reserved word or a name any dialect refuses, cut to FORM_MAX_IDENT. */
void form_ident_suggest(char *out, size_t size, const char *word);

/* The dialects in which word (any case) is reserved, as a static string
 * such as "PostgreSQL, MySQL/MariaDB", or NULL when it is reserved in
 * none. The dialects and their one reserved-word table (the same one the
 * migration lint uses) are in core/dialect.h. */
const char *form_reserved_in(const char *word);

/* Normalises the line ends of s in place: CR LF and a lone CR become LF
 * (browsers send a textarea's lines as CR LF; spreadsheets and old Macs
 * write lone CRs). The one rule for every multi-line text docket keeps:
 * the form, the JSON API, registry edits and the CSV import. s NULL is
 * fine. Returns s. */
char *form_text_lf(char *s);

/* 1 when s looks like an e-mail address: one "@", a local part of
 * printable ASCII without spaces, a domain of letters, digits, "-" and
 * dots with at least one dot, no empty labels. */
int form_email_valid(const char *s);
/* 1 when s is a real calendar date "YYYY-MM-DD" (years 1900..9999). */
int form_date_valid(const char *s);
/* 1 when s is "HH:MM" from 00:00 to 23:59. */
int form_time_valid(const char *s);

/* The day of a weekly or monthly feed (expected_day). A weekday is
 * "mon".."sun", also the full name, any case: 0 (Monday) .. 6 (Sunday),
 * -1 for anything else. A day of the month is "1".."31" (a leading zero
 * allowed) or "last" (any case): 1..31, 32 for "last", -1 else. */
int form_weekday(const char *s);
int form_month_day(const char *s);
#define FORM_MONTH_LAST 32

/* The rule of expected_day for a table of this cadence: for "weekly" a
 * weekday, for "monthly" a day of the month, both required; for any other
 * cadence it must be empty (only weekly and monthly feeds have a day).
 * Writes the stored spelling into out ("mon".."sun", "1".."31", "last" or
 * "") and returns 0, or returns ERR_INVALID with a message a person can act
 * on in msg (naming expected_day). out and msg may be NULL. */
int form_expected_day(char *out, size_t outsize, const char *cadence,
                      const char *day, char *msg, size_t msgsize);

/* The row anomaly thresholds in percent of the median: low 0..100, high 0
 * or 100..FORM_ANOMALY_HIGH_MAX (0 turns that side off). 0 or ERR_INVALID
 * with a message in msg (may be NULL). */
#define FORM_ANOMALY_LOW_DEFAULT  50
#define FORM_ANOMALY_HIGH_DEFAULT 200
#define FORM_ANOMALY_HIGH_MAX     100000
int form_anomaly_low_check(long long pct, char *msg, size_t msgsize);
int form_anomaly_high_check(long long pct, char *msg, size_t msgsize);

#endif
