/* test_chart.c: the bar chart as SVG: well-formed, escaped, in scale. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>

#include "chart.h"

/* Parses svg as XML: it must be one <svg> in the SVG namespace. */
static xmlDocPtr
parse(const char *svg)
{
	xmlDocPtr doc;
	xmlNodePtr root;

	doc = xmlReadMemory(svg, (int)strlen(svg), NULL, "UTF-8",
	    XML_PARSE_NONET);
	assert_non_null(doc);
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "svg");
	assert_non_null(root->ns);
	assert_string_equal((const char *)root->ns->href,
	    "http://www.w3.org/2000/svg");
	return doc;
}

/* The width of the rect of row i. */
static long
bar_width(xmlDocPtr doc, int i)
{
	xmlNodePtr n;
	xmlChar *w;
	long v;

	for (n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "rect") != 0 || i-- > 0)
			continue;
		w = xmlGetProp(n, (const xmlChar *)"width");
		v = strtol((const char *)w, NULL, 10);
		xmlFree(w);
		return v;
	}
	fail_msg("no rect %d", i);
	return -1;
}

static void
test_bars(void **state)
{
	const struct chart_bar bars[] = {
		{ "new", 40, CHART_NEUTRAL },
		{ "awaiting", 20, CHART_WAITING },
		{ "completed", 1, CHART_DONE },
		{ "cancelled", 0, CHART_ENDED },
		{ "odd", -5, CHART_PROBLEM },
	};
	struct err err;
	xmlDocPtr doc;
	char *svg;

	(void)state;
	svg = chart_bars_svg("Tenants by state", bars, 5, &err);
	assert_non_null(svg);
	doc = parse(svg);
	/* The largest fills the bar's width; the others in proportion, a
	 * small one still seen, none a negative one. */
	assert_int_equal(bar_width(doc, 0), 320);
	assert_int_equal(bar_width(doc, 1), 160);
	assert_int_equal(bar_width(doc, 2), 8);
	assert_int_equal(bar_width(doc, 3), 0);
	assert_int_equal(bar_width(doc, 4), 0);
	assert_non_null(strstr(svg, "<title>Tenants by state</title>"));
	assert_non_null(strstr(svg, ">40</text>"));
	assert_non_null(strstr(svg, "fill=\"#1a7f37\""));
	assert_null(strstr(svg, "script"));
	assert_null(strstr(svg, "href"));
	xmlFreeDoc(doc);
	free(svg);
}

static void
test_escaped(void **state)
{
	const struct chart_bar bars[] = {
		{ "<script>alert(1)</script> & \"x\"", 1, CHART_NEUTRAL },
		{ "\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9 \xf0\x9f\x9a\x80", 2,
		    CHART_DONE },
	};
	struct err err;
	xmlDocPtr doc;
	char *svg;

	(void)state;
	svg = chart_bars_svg("a < b", bars, 2, &err);
	assert_non_null(svg);
	doc = parse(svg);
	assert_null(strstr(svg, "<script"));
	assert_non_null(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&amp; &quot;x&quot;"));
	assert_non_null(strstr(svg, "\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9"));
	assert_non_null(strstr(svg, "<title>a &lt; b</title>"));
	xmlFreeDoc(doc);
	free(svg);
}

static void
test_limits(void **state)
{
	struct chart_bar bars[CHART_BARS_MAX + 1] = { { "x", 1, 0 } };
	struct err err;

	(void)state;
	assert_null(chart_bars_svg("t", bars, 0, &err));
	assert_int_equal(err.kind, ERR_INPUT);
	assert_null(chart_bars_svg("t", bars, CHART_BARS_MAX + 1, &err));
	assert_int_equal(err.kind, ERR_INPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
