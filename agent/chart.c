/* chart.c: the console's charts, drawn as SVG from numbers alone. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

/* The drawing's own units; the viewBox scales them to the page. */
#define ROW_H		26
#define BAR_H		18
#define LABEL_W		180
#define BAR_W		320
#define VALUE_W		70
#define WIDTH		(LABEL_W + BAR_W + VALUE_W)

static const char *const tone_colors[] = {
	[CHART_NEUTRAL] = "#8c959f",
	[CHART_WAITING] = "#0969da",
	[CHART_DONE] = "#1a7f37",
	[CHART_PROBLEM] = "#cf222e",
	[CHART_ENDED] = "#6e7781",
};

/* Appends s as XML text (also safe inside an attribute's quotes). */
static void
put_text(struct buf *b, const char *s)
{
	char *clean;
	const char *p;

	clean = text_printable(s ? s : "", CHART_LABEL_MAX);
	for (p = clean; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		default:
			buf_append(b, p, 1);
		}
	}
	free(clean);
}

static const char *
tone_color(enum chart_tone tone)
{
	return (unsigned)tone < sizeof tone_colors / sizeof tone_colors[0] ?
	    tone_colors[tone] : tone_colors[CHART_NEUTRAL];
}

/* A bar's length: its share of the largest, at least a sliver when it
 * is not 0, so that one tenant among thousands still shows. */
static int64_t
bar_length(int64_t value, int64_t max)
{
	int64_t w;

	if (value <= 0 || max <= 0)
		return 0;
	w = (int64_t)((double)value / (double)max * BAR_W);
	return w < 2 ? 2 : w;
}

static void
put_bar(struct buf *b, const struct chart_bar *bar, size_t row, int64_t max)
{
	int64_t value = bar->value < 0 ? 0 : bar->value;
	int64_t y = (int64_t)row * ROW_H, w = bar_length(value, max);

	buf_printf(b, "<text x=\"%d\" y=\"%" PRId64 "\" text-anchor=\"end\">",
	    LABEL_W - 8, y + ROW_H / 2 + 5);
	put_text(b, bar->label);
	buf_puts(b, "</text>");
	buf_printf(b, "<rect x=\"%d\" y=\"%" PRId64 "\" width=\"%" PRId64
	    "\" height=\"%d\" rx=\"3\" fill=\"%s\"/>", LABEL_W,
	    y + (ROW_H - BAR_H) / 2, w, BAR_H, tone_color(bar->tone));
	buf_printf(b, "<text x=\"%" PRId64 "\" y=\"%" PRId64 "\">%" PRId64
	    "</text>", LABEL_W + w + 6, y + ROW_H / 2 + 5, value);
}

char *
chart_bars_svg(const char *title, const struct chart_bar *bars, size_t n,
    struct err *err)
{
	struct buf b = { 0 };
	int64_t max = 0;
	size_t i;

	if (n == 0 || n > CHART_BARS_MAX) {
		err_set(err, ERR_INPUT, "a chart has 1 to %d bars",
		    CHART_BARS_MAX);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\" "
	    "role=\"img\" font-family=\"system-ui, sans-serif\" "
	    "font-size=\"13\" fill=\"#1f2328\"><title>", WIDTH, n * ROW_H,
	    WIDTH, n * ROW_H);
	put_text(&b, title);
	buf_puts(&b, "</title>");
	for (i = 0; i < n; i++)
		put_bar(&b, &bars[i], i, max);
	buf_puts(&b, "</svg>");
	return buf_release(&b);
}
