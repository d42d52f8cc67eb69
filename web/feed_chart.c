/* feed_chart.c: the arrival chart of a table's recent slots as inline
 * SVG (feed_chart.h). Integer geometry only, so the same slots give the
 * same bytes; colours come from app.css (.feed-chart .fc-*), so the dark
 * scheme needs nothing here. */
#include "feed_chart.h"
#include "str.h"

#include <string.h>

enum {
    COL = 12,    /* width of one slot */
    PAD = 4,     /* left and right margin */
    TOP = 4,     /* the time panel: y from TOP ... */
    SPAN = 30,   /* ... to TOP + SPAN */
    BASE = 56,   /* the rows panel's baseline */
    BAR_MAX = 16 /* the tallest bar */
};

static const char *const labels[] = {
    [FEED_WAITING] = "not due yet", [FEED_DUE] = "due",
    [FEED_ARRIVED] = "on time",     [FEED_ARRIVED_LATE] = "late",
    [FEED_MISSING] = "missing",     [FEED_FAILED] = "failed"};

const char *feed_state_label(feed_state st)
{
    return st >= FEED_WAITING && st <= FEED_FAILED ? labels[st] : "";
}

void feed_state_badge(buf *o, feed_state st)
{
    buf_puts(o, "<span class=\"badge feed-");
    buf_puts(o, domain_feed_state_name(st));
    buf_puts(o, "\">");
    buf_puts(o, feed_state_label(st));
    buf_puts(o, "</span>");
}

/* "days", "hours", "weeks", "months" by the slot length. */
static const char *period_plural(int64_t period)
{
    if (period > 0 && period <= 3600)
        return "hours";
    if (period >= 28 * 86400)
        return "months";
    if (period >= 7 * 86400)
        return "weeks";
    return "days";
}

/* The slot's name: its due date, with the time for slots shorter than a
 * day. */
static void slot_name(buf *o, const feed_past *p)
{
    char s[32];

    time_iso(s, sizeof s, p->slot.due_at);
    buf_append(o, s, 10);
    if (p->slot.end - p->slot.start < 86400) {
        buf_putc(o, ' ');
        buf_append(o, s + 11, 5);
        buf_puts(o, " UTC");
    }
}

/* "HH:MM UTC" of t, with its date when it is not the slot's due date. */
static void time_in_slot(buf *o, int64_t t, const feed_past *p)
{
    char s[32], d[32];

    time_iso(s, sizeof s, t);
    time_iso(d, sizeof d, p->slot.due_at);
    if (strncmp(s, d, 10) != 0) {
        buf_append(o, s, 10);
        buf_putc(o, ' ');
    }
    buf_append(o, s + 11, 5);
    buf_puts(o, " UTC");
}

/* What slot p was, in words: "no record", or its state's label with
 * the arrival time and rows ("late, arrived 07:12 UTC, 1.2 M rows"). */
static void slot_words(buf *o, const feed_past *p)
{
    if (!p->known) {
        buf_puts(o, "no record");
        return;
    }
    buf_puts(o, feed_state_label(p->state));
    if (p->arrived_at) {
        buf_puts(o, p->state == FEED_FAILED ? ", reported " : ", arrived ");
        time_in_slot(o, p->arrived_at, p);
    }
    if (p->rows >= 0 && p->state != FEED_FAILED) {
        buf_puts(o, ", ");
        domain_feed_rows_text(o, p->rows);
    }
}

/* The summary that names the chart: "Arrivals of T, last 14 days: 11 on
 * time, 1 late, 1 missing; now: due". */
static void summary(buf *o, const char *table, const feed_past *s, size_t n)
{
    static const feed_state order[] = {FEED_ARRIVED, FEED_ARRIVED_LATE,
                                       FEED_MISSING, FEED_FAILED};
    const feed_past *cur = &s[n - 1];
    int count[FEED_FAILED + 1] = {0}, unknown = 0, first = 1;

    for (size_t k = 0; k + 1 < n; k++) {
        if (!s[k].known)
            unknown++;
        else if (s[k].state >= FEED_WAITING && s[k].state <= FEED_FAILED)
            count[s[k].state]++;
    }
    buf_puts(o, "Arrivals of ");
    buf_append_html(o, table);
    buf_appendf(o, ", last %zu %s: ", n,
                period_plural(cur->slot.end - cur->slot.start));
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        if (!count[order[i]])
            continue;
        buf_appendf(o, "%s%d %s", first ? "" : ", ", count[order[i]],
                    labels[order[i]]);
        first = 0;
    }
    if (unknown)
        buf_appendf(o, "%s%d with no record", first ? "" : ", ", unknown);
    else if (first)
        buf_puts(o, "no earlier slot");
    buf_puts(o, "; now: ");
    buf_puts(o, feed_state_label(cur->state));
}

/* y of an arrival offset (seconds after due) in the time panel
 * [lo, hi]. */
static int y_of(int64_t off, int64_t lo, int64_t hi)
{
    return TOP + (int)((off - lo) * SPAN / (hi - lo));
}

/* The hidden table of every slot, newest first. It is wrapped in the
 * hidden box: a table given .sr-only itself keeps the width of its
 * content (width and overflow do not apply to tables) and widens a phone's
 * page. */
static void slot_table(buf *o, const char *table, const feed_past *s, size_t n)
{
    buf_puts(o, "<div class=\"sr-only\"><table><caption>Arrivals of ");
    buf_append_html(o, table);
    buf_puts(o, "</caption><thead><tr><th scope=\"col\">Slot</th><th "
                "scope=\"col\">State</th><th scope=\"col\">Arrived</th><th "
                "scope=\"col\">Rows</th></tr></thead><tbody>");
    for (size_t k = n; k-- > 0;) {
        const feed_past *p = &s[k];
        buf_puts(o, "<tr><th scope=\"row\">");
        slot_name(o, p);
        buf_puts(o, "</th><td>");
        buf_puts(o, p->known ? feed_state_label(p->state) : "no record");
        buf_puts(o, "</td><td>");
        if (p->arrived_at)
            time_in_slot(o, p->arrived_at, p);
        else
            buf_puts(o, "—");
        buf_puts(o, "</td><td>");
        if (p->rows >= 0)
            domain_feed_rows_text(o, p->rows);
        else
            buf_puts(o, "—");
        buf_puts(o, "</td></tr>");
    }
    buf_puts(o, "</tbody></table></div>");
}

/* The mark of slot p centred at x. */
static void mark(buf *o, const feed_past *p, int x, int64_t lo, int64_t hi)
{
    int64_t off = p->arrived_at - p->slot.due_at;
    int y = p->arrived_at ? y_of(off, lo, hi) : TOP + SPAN;

    if (!p->known) {
        buf_appendf(o,
                    "<circle class=\"fc-none\" cx=\"%d\" cy=\"%d\" r=\"2\"/>",
                    x, BASE);
        return;
    }
    switch (p->state) {
    case FEED_ARRIVED:
        buf_appendf(o, "<circle class=\"fc-ok\" cx=\"%d\" cy=\"%d\" r=\"4\"/>",
                    x, y);
        break;
    case FEED_ARRIVED_LATE:
        buf_appendf(o,
                    "<rect class=\"fc-late\" x=\"%d\" y=\"%d\" width=\"8\" "
                    "height=\"8\"/>",
                    x - 4, y - 4);
        break;
    case FEED_MISSING:
    case FEED_FAILED:
        buf_appendf(o, "<path class=\"%s\" d=\"M%d %dL%d %dM%d %dL%d %d\"/>",
                    p->state == FEED_MISSING ? "fc-miss" : "fc-fail", x - 4,
                    y - 4, x + 4, y + 4, x + 4, y - 4, x - 4, y + 4);
        break;
    case FEED_WAITING:
    case FEED_DUE:
        buf_appendf(o,
                    "<circle class=\"fc-wait\" cx=\"%d\" cy=\"%d\" r=\"4\"/>",
                    x, y_of(0, lo, hi));
        break;
    }
}

void feed_chart_svg(buf *o, const char *table, const feed_past *s, size_t n)
{
    const feed_past *cur;
    int64_t lo = 0, hi, pad, maxrows = 0;
    int w;

    if (n == 0)
        return;
    cur = &s[n - 1];
    hi = cur->slot.missing_at - cur->slot.due_at;
    for (size_t k = 0; k < n; k++) {
        int64_t off = s[k].arrived_at - s[k].slot.due_at;
        if (!s[k].known || !s[k].arrived_at)
            continue;
        if (off < lo)
            lo = off;
        if (off > hi)
            hi = off;
        if (s[k].rows > maxrows && s[k].state != FEED_FAILED)
            maxrows = s[k].rows;
    }
    if (hi <= lo)
        hi = lo + 60;
    pad = (hi - lo) / 8 + 1;
    lo -= pad;
    hi += pad;
    w = 2 * PAD + (int)n * COL;
    buf_puts(o, "<div class=\"feed-chart\"><svg class=\"fc\" role=\"img\" "
                "aria-label=\"");
    summary(o, table, s, n);
    buf_appendf(o,
                "\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                "focusable=\"false\"><title>",
                w, BASE + 4, w * 2, (BASE + 4) * 2);
    summary(o, table, s, n);
    buf_puts(o, "</title>");
    /* the due line (dashed) and the missing-after line */
    buf_appendf(o,
                "<line class=\"fc-due\" x1=\"0\" y1=\"%d\" x2=\"%d\" "
                "y2=\"%d\"/><line class=\"fc-limit\" x1=\"0\" y1=\"%d\" "
                "x2=\"%d\" y2=\"%d\"/>",
                y_of(0, lo, hi), w, y_of(0, lo, hi),
                y_of(cur->slot.missing_at - cur->slot.due_at, lo, hi), w,
                y_of(cur->slot.missing_at - cur->slot.due_at, lo, hi));
    buf_appendf(o,
                "<line class=\"fc-base\" x1=\"0\" y1=\"%d\" x2=\"%d\" "
                "y2=\"%d\"/>",
                BASE, w, BASE);
    for (size_t k = 0; k < n; k++) {
        const feed_past *p = &s[k];
        int x = PAD + (int)k * COL + COL / 2;
        buf_puts(o, "<g><title>");
        slot_name(o, p);
        buf_puts(o, ": ");
        slot_words(o, p);
        buf_puts(o, "</title>");
        if (p->known && p->rows >= 0 && maxrows > 0 &&
            p->state != FEED_FAILED) {
            int h = (int)(p->rows * BAR_MAX / maxrows);
            if (h < 1)
                h = 1;
            buf_appendf(o,
                        "<rect class=\"fc-bar\" x=\"%d\" y=\"%d\" "
                        "width=\"8\" height=\"%d\"/>",
                        x - 4, BASE - h, h);
        }
        mark(o, p, x, lo, hi);
        buf_puts(o, "</g>");
    }
    buf_puts(o, "</svg>");
    slot_table(o, table, s, n);
    buf_puts(o, "</div>");
}
