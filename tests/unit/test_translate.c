/*
 * test_translate.c: a template's strings out (the msgids) and back in
 * (a translation moving its placeholders), translations refused for the
 * placeholders they lose, and dates and times as each language writes
 * them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>

#include "catalog.h"
#include "date.h"
#include "support.h"
#include "translate.h"

static htmlDocPtr
parse_html(const char *html)
{
	htmlDocPtr doc;

	doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NOBLANKS);
	assert_non_null(doc);
	return doc;
}

/* The <body>'s content as HTML, for comparing. */
static char *
body_of(htmlDocPtr doc)
{
	xmlNodePtr n = xmlDocGetRootElement(doc);
	xmlBufferPtr b;
	struct buf out = { 0 };

	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "body") == 0)
			break;
	assert_non_null(n);
	buf_puts(&out, "");
	for (n = n->children; n != NULL; n = n->next) {
		b = xmlBufferCreate();
		htmlNodeDump(b, doc, n);
		buf_puts(&out, (const char *)xmlBufferContent(b));
		xmlBufferFree(b);
	}
	return buf_release(&out);
}

static void
collect(const char *msgid, void *arg)
{
	strvec_push(arg, msgid);
}

struct strings_row {
	const char	*html;
	const char	*msgids[4];
};

static void
test_strings(void **state)
{
	static const struct strings_row rows[] = {
		{ "<p>Hello <span data-var=\"name\"></span>, welcome.</p>",
		  { "Hello {name}, welcome." } },
		{ "<p>\n  Reply   with\n<strong>APPROVE</strong>\n</p>",
		  { "Reply with <strong>APPROVE</strong>" } },
		{ "<p>a<br>b</p>", { "a<br/>b" } },
		/* Only elements with words of their own; nbsp is layout. */
		{ "<table><tr><td>Edition</td><td data-var=\"e\"></td></tr>"
		  "</table>", { "Edition" } },
		{ "<p><a data-var=\"x\"></a>&nbsp;<a>Go</a></p>", { "Go" } },
		{ "<td><span data-if=\"x\">until <b data-var=\"x\"></b></span>"
		  "<span data-unless=\"x\">never</span></td>",
		  { "until {x}", "never" } },
		/* Nothing to translate: placeholders and punctuation. */
		{ "<p>(<span data-var=\"x\"></span>)</p><p>-</p>", { NULL } },
		/* Code is not words. */
		{ "<style>p{color:red}</style><script>x()</script>",
		  { NULL } },
		/* Attributes people read, and a button's word. */
		{ "<img alt=\"Logo of us\" src=\"x\"><a data-mailto=\"APPROVE\" "
		  "data-var=\"w\"></a><input placeholder=\"Name\" title=\"\">",
		  { "Logo of us", "APPROVE", "Name" } },
		{ "<meta name=\"subject\" content=\"Hello {customer}\">"
		  "<meta name=\"subject\" content=\"{title}\">",
		  { "Hello {customer}" } },
		/* Tabs and carriage returns are white space like any. */
		{ "<p>\tTabs\r\nand\tCR\r</p>", { "Tabs and CR" } },
		{ "<p>\t<span data-var=\"x\"></span>\r\n</p>", { NULL } },
		/* Words are letters, of any script; digits are not. */
		{ "<img alt=\"12 - 3\"><img alt=\"9Z\">"
		  "<img alt=\"\xc3\x9c" "ber\">", { "9Z", "\xc3\x9c" "ber" } },
		/* Only a <meta> named subject, with content, is one. */
		{ "<meta name=\"subject\"><meta content=\"Words\">"
		  "<meta name=\"description\" content=\"Words\">", { NULL } },
	};
	struct strvec got = { 0 };
	htmlDocPtr doc;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		doc = parse_html(rows[i].html);
		translate_strings((xmlNodePtr)doc, collect, &got);
		for (k = 0; rows[i].msgids[k] != NULL; k++) {
			if (k >= got.n)
				fail_msg("row %zu: no '%s'", i,
				    rows[i].msgids[k]);
			support_assert_string(got.v[k], rows[i].msgids[k]);
		}
		if (got.n != k)
			fail_msg("row %zu: %zu strings, not %zu ('%s')", i,
			    got.n, k, got.v[k]);
		strvec_clear(&got);
		xmlFreeDoc(doc);
	}
}

static const char po[] =
    "msgid \"Hello {name}, welcome.\"\n"
    "msgstr \"Willkommen, {name}.\"\n"
    "msgid \"Reply with <strong>{a}</strong> or <strong>{b}</strong>\"\n"
    "msgstr \"Antworten Sie mit <strong>{a}</strong> oder "
    "<strong>{b}</strong>\"\n"
    "msgid \"From <a>{x}</a> to <em>{y}</em>\"\n"
    "msgstr \"<em>{y}</em> ← <a>{x}</a>\"\n"
    "msgid \"Dropped {name} here\"\n"
    "msgstr \"Weg\"\n"
    "msgid \"Added here\"\n"
    "msgstr \"Dazu {name}\"\n"
    "msgid \"Bad <b>nesting</b> here\"\n"
    "msgstr \"Falsch <b>verschachtelt</i> hier\"\n"
    "msgid \"Open <b>tag</b> here\"\n"
    "msgstr \"Offen <b>Tag hier\"\n"
    "msgid \"Close </b> here\"\n"
    "msgstr \"Zu </b> hier\"\n"
    "msgid \"Text < and > }\"\n"
    "msgstr \"Text < und > } <3\"\n"
    "msgid \"Looks like {braces}\"\n"
    "msgstr \"Sieht aus wie {braces}\"\n"
    "msgid \"APPROVE\"\n"
    "msgstr \"GENEHMIGT\"\n"
    "msgid \"Logo\"\n"
    "msgstr \"Firmenzeichen\"\n"
    "msgid \"a<br/>b\"\n"
    "msgstr \"b<br/>a\"\n";

struct back_row {
	const char	*html;
	const char	*want;
};

static void
test_back_in(void **state)
{
	static const struct back_row rows[] = {
		{ "<p class=\"k\">Hello <span class=\"v\" data-var=\"name\">"
		  "</span>, welcome.</p>",
		  "<p class=\"k\">Willkommen, <span class=\"v\" "
		  "data-var=\"name\"></span>.</p>" },
		{ "<p>Reply with <strong><i data-var=\"a\"></i></strong> or "
		  "<strong><i data-var=\"b\"></i></strong></p>",
		  "<p>Antworten Sie mit <strong><i data-var=\"a\"></i>"
		  "</strong> oder <strong><i data-var=\"b\"></i></strong>"
		  "</p>" },
		/* Moved: each element keeps its attributes. */
		{ "<p>From <a href=\"h\"><b data-var=\"x\"></b></a> to <em "
		  "class=\"e\"><b data-var=\"y\"></b></em></p>",
		  "<p><em class=\"e\"><b data-var=\"y\"></b></em> \xe2\x86\x90 "
		  "<a href=\"h\"><b data-var=\"x\"></b></a></p>" },
		{ "<p>a<br>b</p>", "<p>b<br>a</p>" },
		/* Refused: the English stays. */
		{ "<p>Dropped <b data-var=\"name\"></b> here</p>",
		  "<p>Dropped <b data-var=\"name\"></b> here</p>" },
		{ "<p>Added here</p>", "<p>Added here</p>" },
		{ "<p>Bad <b>nesting</b> here</p>",
		  "<p>Bad <b>nesting</b> here</p>" },
		{ "<p>Open <b>tag</b> here</p>",
		  "<p>Open <b>tag</b> here</p>" },
		/* Angles and braces that are no placeholder are text... */
		{ "<p>Text &lt; and &gt; }</p>",
		  "<p>Text &lt; und &gt; } &lt;3</p>" },
		/* ...but {x} in a template's text reads as a value that no
		 * element shows: such a string keeps its English. */
		{ "<p>Looks like {braces}</p>", "<p>Looks like {braces}</p>" },
		/* Attributes and a button's word. */
		{ "<p><img alt=\"Logo\" src=\"l\"><a data-mailto=\"APPROVE\" "
		  "data-var=\"w\"></a></p>",
		  "<p><img alt=\"Firmenzeichen\" src=\"l\"><a "
		  "data-mailto=\"GENEHMIGT\" data-var=\"w\"></a></p>" },
		{ "<p>No translation</p>", "<p>No translation</p>" },
		{ "<p><img alt=\"Not in the catalog\" src=\"l\"></p>",
		  "<p><img alt=\"Not in the catalog\" src=\"l\"></p>" },
		{ "<div><script>Logo</script></div>",
		  "<div><script>Logo</script></div>" },
	};
	struct catalog *cat;
	struct err err;
	htmlDocPtr doc;
	char *got;
	size_t i;

	(void)state;
	cat = catalog_parse("de", po, strlen(po), "de.po", 0, &err);
	assert_non_null(cat);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		doc = parse_html(rows[i].html);
		translate_tree((xmlNodePtr)doc, cat);
		got = body_of(doc);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu:\n got %s\nwant %s", i, got,
			    rows[i].want);
		free(got);
		xmlFreeDoc(doc);
	}
	/* No catalog: English, untouched. */
	doc = parse_html(rows[0].html);
	translate_tree((xmlNodePtr)doc, NULL);
	got = body_of(doc);
	assert_string_equal(got, rows[0].html);
	free(got);
	xmlFreeDoc(doc);
	catalog_free(cat);
}

static const char dates_de[] =
    "msgctxt \"month\"\nmsgid \"December\"\nmsgstr \"Dezember\"\n"
    "msgctxt \"month\"\nmsgid \"January\"\nmsgstr \"Januar\"\n"
    "msgctxt \"date format\"\nmsgid \"{year}-{mm}-{dd}\"\n"
    "msgstr \"{day}. {month} {year}\"\n"
    "msgctxt \"time format\"\nmsgid \"{date} {time} UTC\"\n"
    "msgstr \"{date}, {time} Uhr UTC\"\n";
static const char dates_ja[] =
    "msgctxt \"month\"\nmsgid \"December\"\nmsgstr \"12\xe6\x9c\x88\"\n"
    "msgctxt \"date format\"\nmsgid \"{year}-{mm}-{dd}\"\n"
    "msgstr \"{year}\xe5\xb9\xb4{month}{day}\xe6\x97\xa5\"\n";
static const char dates_fr[] =
    "msgctxt \"month\"\nmsgid \"January\"\nmsgstr \"janvier\"\n"
    "msgctxt \"first of the month\"\nmsgid \"1\"\nmsgstr \"1er\"\n"
    "msgctxt \"date format\"\nmsgid \"{year}-{mm}-{dd}\"\n"
    "msgstr \"{day} {month} {year}\"\n";
static const char dates_odd[] =
    "msgctxt \"date format\"\nmsgid \"{year}-{mm}-{dd}\"\n"
    "msgstr \"{dd}/{mm}/{year} {unknown} {day\"\n";

/* One date or time written by a catalog. */
struct date_row {
	int		 catalog;	/* index in test_dates' catalogs; -1:
					   none, English */
	int		 is_time;
	int64_t		 when;		/* a day number, or a timestamp */
	const char	*want;
};

#define DAY(y, m, d)		date_from_civil(y, m, d)
#define AT(y, m, d, s)		((int64_t)DAY(y, m, d) * 86400 + (s))

static void
test_dates(void **state)
{
	static const char *const sources[][2] = {
		{ "de", dates_de }, { "ja", dates_ja }, { "xx", dates_odd },
		{ "fr", dates_fr },
	};
	const struct date_row rows[] = {
		/* English is today's: ISO dates, times in UTC. */
		{ -1, 0, DAY(2026, 12, 28), "2026-12-28" },
		{ -1, 1, AT(2027, 1, 5, 32879), "2027-01-05 09:07 UTC" },
		{ 0, 0, DAY(2026, 12, 28), "28. Dezember 2026" },
		{ 0, 1, AT(2027, 1, 5, 32879), "5. Januar 2027, 09:07 Uhr UTC" },
		{ 1, 0, DAY(2026, 12, 28),
		  "2026\xe5\xb9\xb4" "12\xe6\x9c\x88" "28\xe6\x97\xa5" },
		/* A catalog without a time format keeps the English one. */
		{ 1, 1, AT(2026, 12, 28, 0), "2026\xe5\xb9\xb4" "12\xe6\x9c\x88"
		  "28\xe6\x97\xa5 00:00 UTC" },
		/* Unknown names stay as they are written. */
		{ 2, 0, DAY(1999, 3, 4), "04/03/1999 {unknown} {day" },
		/* The first of a month as the catalog writes it; other
		 * days, and catalogs without it, in digits. */
		{ 3, 0, DAY(2027, 1, 1), "1er janvier 2027" },
		{ 3, 0, DAY(2027, 1, 2), "2 janvier 2027" },
		{ 3, 0, DAY(2027, 1, 11), "11 janvier 2027" },
		{ 3, 0, DAY(2027, 1, 21), "21 janvier 2027" },
		{ 0, 0, DAY(2027, 1, 1), "1. Januar 2027" },
		{ -1, 0, DAY(2027, 1, 1), "2027-01-01" },
		{ 2, 0, DAY(2027, 1, 1), "01/01/2027 {unknown} {day" },
		/* Before 1970, the last second of a day. */
		{ -1, 1, -1, "1969-12-31 23:59 UTC" },
	};
	struct catalog *cats[sizeof sources / sizeof sources[0]];
	const struct catalog *cat;
	struct err err;
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof cats / sizeof cats[0]; i++) {
		cats[i] = catalog_parse(sources[i][0], sources[i][1],
		    strlen(sources[i][1]), "dates.po", 0, &err);
		assert_non_null(cats[i]);
	}
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		cat = rows[i].catalog < 0 ? NULL : cats[rows[i].catalog];
		s = rows[i].is_time ? translate_time(cat, rows[i].when) :
		    translate_date(cat, (int32_t)rows[i].when);
		if (strcmp(s, rows[i].want) != 0)
			fail_msg("row %zu: '%s', not '%s'", i, s, rows[i].want);
		free(s);
	}
	for (i = 0; i < sizeof cats / sizeof cats[0]; i++)
		catalog_free(cats[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_back_in),
		cmocka_unit_test(test_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
