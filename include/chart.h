/*
 * chart.h: small charts drawn by the agent as SVG, for the console's
 * pages (a phone shows them as well as a desktop: they scale to the
 * width they are given).
 *
 * Pure: the caller passes the numbers.  The SVG holds shapes and text
 * only, no script, style sheet, link or external reference, so it
 * passes a Content-Security-Policy that allows nothing but the page,
 * and tmpl.h's data-svg takes it.  Labels are escaped as XML text.
 */
#ifndef MSCAGENT_CHART_H
#define MSCAGENT_CHART_H

#include <stdint.h>

#include "util.h"

#define CHART_BARS_MAX		32
#define CHART_LABEL_MAX		64	/* bytes of a label shown */

/* What a bar stands for, which gives its colour. */
enum chart_tone {
	CHART_NEUTRAL = 0,	/* not started */
	CHART_WAITING,		/* someone must answer */
	CHART_DONE,		/* finished well */
	CHART_PROBLEM,		/* needs support */
	CHART_ENDED,		/* finished otherwise */
};

struct chart_bar {
	const char	*label;
	int64_t		 value;		/* < 0 counts as 0 */
	enum chart_tone	 tone;
};

/*
 * A horizontal bar chart, one row per bar in the order given, each with
 * its label, a bar as long as its share of the largest value and the
 * value written after it; title is its accessible name (<title>).
 * Returns the SVG document as a string (caller frees), or NULL with
 * ERR_INPUT when n is 0 or over CHART_BARS_MAX.
 */
char	*chart_bars_svg(const char *title, const struct chart_bar *, size_t n,
	    struct err *);

#endif
