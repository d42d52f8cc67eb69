/* feed_chart.h: the arrival chart of a table's recent slots as inline
 * SVG, drawn on the server (no script): per slot, when the file arrived
 * against its due time (a mark above or below the dashed due line; the
 * solid line is "missing after") and its rows (a bar below); missing and
 * failed slots are crosses, the current slot still due a hollow ring.
 * Shapes differ by state, so colour is never the only cue; the SVG is
 * named by a summary (role="img", aria-label and <title>) and followed
 * by a visually hidden table of every slot. The output depends only on
 * the arguments (tested byte for byte), every text is escaped. Used by
 * page_feeds.c (/feeds) and page_catalog_card.c (the rules card). */
#ifndef DOCKET_WEB_FEED_CHART_H
#define DOCKET_WEB_FEED_CHART_H

#include "buf.h"
#include "feeds_cases.h"

#include <stddef.h>
#include <stdint.h>

/* The chart of table's slots s[0..n) (oldest first, the current one
 * last, as domain_feed_past fills them), appended to o as <div
 * class="feed-chart">svg, hidden table</div>. Nothing for n 0. */
void feed_chart_svg(buf *o, const char *table, const feed_past *s, size_t n);

/* A state in words for people: "not due yet", "due", "on time",
 * "late", "missing", "failed". */
const char *feed_state_label(feed_state st);

/* <span class="badge feed-STATE">label</span> (the state's name in the
 * class, its label as text). */
void feed_state_badge(buf *o, feed_state st);

#endif
