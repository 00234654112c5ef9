/* test_html.c: HTML as text, quotes marked with "> ": as the reply
 * reader gets it (flags 0), and laid out for a person (HTML_TEXT_*). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#include "html.h"
#include "util.h"

struct row {
	const char	*name;
	const char	*html;
	const char	*want;
};

static const struct row rows[] = {
	{ "paragraphs", "<p>Hello</p><p>World</p>", "Hello\nWorld" },
	{ "br", "a<br>b", "a\nb" },
	{ "two br make an empty line", "a<br><br>b", "a\n\nb" },
	{ "div", "<div>APPROVE</div><div>thanks</div>", "APPROVE\nthanks" },
	{ "headings", "<h1>T</h1>x<h6>u</h6>", "T\nx\nu" },
	{ "list", "<ul><li>one</li><li>two</li></ul>", "one\ntwo" },
	{ "table cells and rows",
	  "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	  "a b\nc" },
	{ "white space collapses", "<p>  Hello \n\t world  </p>",
	  "Hello world" },
	{ "inline markup joins", "<b>APP</b>ROVE", "APPROVE" },
	{ "inline markup keeps spaces", "<b>APPROVE</b> <i>now</i>",
	  "APPROVE now" },
	{ "pre keeps lines", "<pre>a\nb\n</pre>c", "a\nb\nc" },
	{ "nbsp is a space", "a&nbsp;&nbsp;b", "a b" },
	{ "other characters of NBSP's first byte are text",
	  "a \xc2\xa9 \xc2\xbb b", "a \xc2\xa9 \xc2\xbb b" },
	{ "form feed and CR are white space", "a\f\r\nb", "a b" },
	{ "nbsp at line start", "<p>&nbsp;APPROVE&nbsp;</p>", "APPROVE" },
	{ "raw nbsp", "a\xc2\xa0" "b", "a b" },
	{ "entities", "&lt;x&gt; &amp; &eacute; &#233; &#x263A;",
	  "<x> & \xc3\xa9 \xc3\xa9 \xe2\x98\xba" },
	{ "unknown entity stays", "a &bogus; b", "a &bogus; b" },
	{ "script, style, head dropped",
	  "<html><head><title>T</title><style>p{color:red}</style></head>"
	  "<body><script>alert('APPROVE')</script>Hi<noscript>x</noscript>"
	  "</body></html>", "Hi" },
	{ "comment dropped", "a<!-- APPROVE -->b", "ab" },
	{ "blockquote", "<div>APPROVE</div><blockquote>Reply with REJECT"
	  "</blockquote>", "APPROVE\n> Reply with REJECT" },
	{ "blockquote levels",
	  "<blockquote>a<blockquote>b</blockquote>c</blockquote>d",
	  "> a\n> > b\n> c\nd" },
	{ "empty quoted line", "<blockquote>a<br><br>b</blockquote>",
	  "> a\n>\n> b" },
	{ "gmail",
	  "<div dir=\"ltr\">APPROVE</div><br><div class=\"gmail_quote\">"
	  "<div dir=\"ltr\" class=\"gmail_attr\">On Mon, 3 Mar 2025 at 10:00,"
	  " Agent &lt;<a href=\"mailto:a@x.test\">a@x.test</a>&gt; wrote:<br>"
	  "</div><blockquote class=\"gmail_quote\" style=\"margin:0px\">"
	  "Reply with APPROVE or REJECT</blockquote></div>",
	  "APPROVE\n\n> On Mon, 3 Mar 2025 at 10:00, Agent <a@x.test> wrote:\n"
	  "> > Reply with APPROVE or REJECT" },
	{ "gmail_quote among classes",
	  "<p>REJECT</p><div class=\"x gmail_quote gmail_quote_container\">"
	  "APPROVE</div>", "REJECT\n> APPROVE" },
	{ "class name must match whole",
	  "<div class=\"gmail_quoted_not\">APPROVE</div>", "APPROVE" },
	{ "outlook appendonsend",
	  "<div>REJECT</div><div id=\"appendonsend\"></div>"
	  "<hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">"
	  "<div id=\"divRplyFwdMsg\" dir=\"ltr\"><font face=\"Calibri\">"
	  "<b>From:</b> Agent<br><b>Sent:</b> Monday<br></font></div>"
	  "<div>Reply with APPROVE or REJECT</div>",
	  "REJECT\n> From: Agent\n> Sent: Monday\n"
	  "> Reply with APPROVE or REJECT" },
	{ "outlook divRplyFwdMsg alone",
	  "<p>APPROVE</p><div id=\"divRplyFwdMsg\"><b>From:</b> x</div>"
	  "<p>REJECT</p>", "APPROVE\n> From: x\n> REJECT" },
	{ "outlook stopSpelling",
	  "APPROVE<hr id=\"stopSpelling\">REJECT", "APPROVE\n> REJECT" },
	{ "outlook marker inside a wrapper quotes what follows",
	  "<div class=\"WordSection1\"><p>APPROVE</p>"
	  "<div id=\"appendonsend\"></div></div><p>quoted</p>",
	  "APPROVE\n> quoted" },
	{ "outlook marker adds to blockquote levels",
	  "<div id=\"appendonsend\"></div><blockquote>x</blockquote>",
	  "> > x" },
	{ "yahoo", "APPROVE<div class=\"yahoo_quoted\">REJECT</div>",
	  "APPROVE\n> REJECT" },
	{ "thunderbird bottom-posted",
	  "<div class=\"moz-cite-prefix\">On 3/3/25 10:00, Agent wrote:<br>"
	  "</div><blockquote type=\"cite\">Reply</blockquote><p>APPROVE</p>",
	  "On 3/3/25 10:00, Agent wrote:\n> Reply\nAPPROVE" },
	{ "misnested end tag: the rest stays quoted",
	  "<blockquote>q1<div>q2</blockquote>after", "> q1\n> q2after" },
	{ "unclosed blockquote", "<blockquote>APPROVE", "> APPROVE" },
	{ "stray end tags", "</blockquote></div>APPROVE</p>", "APPROVE" },
	{ "plain text", "just text", "just text" },
	{ "only markup", "<p></p><div><br></div>", "" },
	/* libxml2 drops "<<<" as broken tags and keeps the rest as text. */
	{ "garbage", "<<<>>>&&&;;;<", ">>>&&&;;;<" },
	{ "bad UTF-8 becomes U+FFFD", "caf\xe9 ok",
	  "caf\xef\xbf\xbd ok" },
	{ "bad UTF-8 in a tag name", "<p\xff>x</p>", "x" },
};

static void
test_rows(void **state)
{
	size_t i;
	char *got;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = html_to_text(rows[i].html, strlen(rows[i].html), 0);
		if (strcmp(got, rows[i].want) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n",
			    rows[i].name, got, rows[i].want);
			failed++;
		}
		free(got);
	}
	assert_int_equal(failed, 0);
}

static void
test_empty(void **state)
{
	char *got;

	(void)state;
	got = html_to_text(NULL, 0, 0);
	assert_string_equal(got, "");
	free(got);
	got = html_to_text("", 0, 0);
	assert_string_equal(got, "");
	free(got);
	/* len wins over the string: nothing is read. */
	got = html_to_text("APPROVE", 0, 0);
	assert_string_equal(got, "");
	free(got);
	got = html_to_text("   ", 3, 0);
	assert_string_equal(got, "");
	free(got);
}

static void
test_len_is_respected(void **state)
{
	char *got;

	(void)state;
	got = html_to_text("APPROVE and more", 7, 0);
	assert_string_equal(got, "APPROVE");
	free(got);
}

static void
test_embedded_nul(void **state)
{
	static const char html[] = "AP\0PROVE";
	char *got;

	(void)state;
	got = html_to_text(html, sizeof html - 1, 0);
	assert_string_equal(got, "AP\xef\xbf\xbdPROVE");
	free(got);
}

/* Repeats open n times, then text, then close n times. */
static char *
nested(const char *open, const char *close, int n, const char *text)
{
	struct buf b = { 0 };
	int i;

	for (i = 0; i < n; i++)
		buf_puts(&b, open);
	buf_puts(&b, text);
	for (i = 0; i < n; i++)
		buf_puts(&b, close);
	return buf_release(&b);
}

/* 1 when no line without a '>' mark holds word. */
static int
only_quoted(const char *text, const char *word)
{
	const char *line = text, *end;
	char *copy;
	int ok = 1;

	while (*line != '\0' && ok) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		copy = xstrndup(line, (size_t)(end - line));
		if (copy[0] != '>' && strstr(copy, word) != NULL)
			ok = 0;
		free(copy);
		line = *end ? end + 1 : end;
	}
	return ok;
}

static void
test_deep_nesting(void **state)
{
	char *html, *got;

	(void)state;
	html = nested("<div>", "</div>", 200, "X");
	got = html_to_text(html, strlen(html), 0);
	assert_string_equal(got, "X");
	free(got);
	free(html);

	/* Deeper than libxml2 goes: it stops, and nothing crashes. */
	html = nested("<div>", "</div>", 1000, "X");
	got = html_to_text(html, strlen(html), 0);
	assert_true(strlen(got) <= 1);
	free(got);
	free(html);

	html = nested("<div>", "</div>", 100000, "X");
	got = html_to_text(html, strlen(html), 0);
	assert_true(strlen(got) <= 1);
	free(got);
	free(html);
}

/* Text in the HTML_DEPTH_MAX-th element, html the first, is read; one
 * level deeper it is not (libxml2 itself gives up one level later). */
static void
test_depth_limit(void **state)
{
	char *divs, *html, *got;

	(void)state;
	divs = nested("<div>", "</div>", HTML_DEPTH_MAX - 2, "X");
	html = xasprintf("<html><body>%s</body></html>", divs);
	got = html_to_text(html, strlen(html), 0);
	assert_string_equal(got, "X");
	free(got);
	free(html);
	free(divs);
	divs = nested("<div>", "</div>", HTML_DEPTH_MAX - 1, "X");
	html = xasprintf("<html><body>%s</body></html>", divs);
	got = html_to_text(html, strlen(html), 0);
	assert_string_equal(got, "");
	free(got);
	free(html);
	free(divs);
}

static void
test_deep_quotes_stay_quoted(void **state)
{
	char *html, *got;
	int n;

	(void)state;
	for (n = 250; n <= 260; n++) {
		html = nested("<blockquote>", "</blockquote>", n, "APPROVE");
		got = html_to_text(html, strlen(html), 0);
		assert_true(only_quoted(got, "APPROVE"));
		free(got);
		free(html);
	}
	html = nested("<blockquote>", "</blockquote>", 3, "APPROVE");
	got = html_to_text(html, strlen(html), 0);
	assert_string_equal(got, "> > > APPROVE");
	free(got);
	free(html);
}

/* White space makes no text, so what is read shows past the limit. */
static void
test_input_limit(void **state)
{
	char *html, *got;

	(void)state;
	html = xmalloc(HTML_INPUT_MAX + 3);
	memset(html, ' ', HTML_INPUT_MAX);
	memcpy(html + HTML_INPUT_MAX, "YZ", 3);
	got = html_to_text(html, HTML_INPUT_MAX + 2, 0);
	assert_string_equal(got, "");
	free(got);
	/* At the limit exactly, all is read. */
	memcpy(html + HTML_INPUT_MAX - 2, "YZ", 2);
	got = html_to_text(html, HTML_INPUT_MAX, 0);
	assert_string_equal(got, "YZ");
	free(got);
	free(html);
}

/* Many empty lines deep in quotes: the text made stays bounded. */
static void
test_output_bounded(void **state)
{
	struct buf b = { 0 };
	char *inner, *html, *got;
	int i;

	(void)state;
	for (i = 0; i < 500000; i++)
		buf_puts(&b, "<br>");
	inner = buf_release(&b);
	html = nested("<blockquote>", "</blockquote>", 200, inner);
	got = html_to_text(html, strlen(html), 0);
	assert_true(strlen(got) <= HTML_INPUT_MAX);
	assert_true(only_quoted(got, ""));
	free(got);
	free(html);
	free(inner);
}

/* Hostile bytes of every kind: no crash, valid UTF-8 out. */
static void
test_random_bytes(void **state)
{
	static const char *const bits[] = {
		"<blockquote>", "</blockquote>", "<div>", "</div>", "<br>",
		"<p>", "&nbsp;", "&#0;", "&#xD800;", "&#x110000;", "\xff",
		"\xc3", "APPROVE", " ", "\n", "<div id=\"appendonsend\">",
		"<script>", "</script>", "<pre>", "</pre>", "<!--", "-->",
		"<![CDATA[", "]]>", "<td>", "<", ">", "&", "\"", "<a href='",
	};
	uint32_t seed = 12345;
	struct buf b = { 0 };
	char *html, *got;
	int round, i;

	(void)state;
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < 40; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&b, bits[(seed >> 16) %
			    (sizeof bits / sizeof bits[0])]);
		}
		html = buf_release(&b);
		got = html_to_text(html, strlen(html), 0);
		assert_true(utf8_valid(got, strlen(got)));
		free(got);
		free(html);
	}
}

/* ---- the one list of block elements ---- */

struct block_row {
	const char	*html;
	const char	*lines;		/* flags 0 */
	const char	*paragraphs;	/* HTML_TEXT_PARAGRAPHS */
};

/* Each element of the list, written out here so that a change to the
 * list shows; "x" and "z" stand around it. */
static const struct block_row block_rows[] = {
#define PARAGRAPH(e) { "x<" e ">y</" e ">z", "x\ny\nz", "x\n\ny\n\nz" }
	PARAGRAPH("address"), PARAGRAPH("article"), PARAGRAPH("aside"),
	PARAGRAPH("center"), PARAGRAPH("div"), PARAGRAPH("dl"),
	PARAGRAPH("fieldset"), PARAGRAPH("figure"), PARAGRAPH("footer"),
	PARAGRAPH("form"), PARAGRAPH("h1"), PARAGRAPH("h2"), PARAGRAPH("h3"),
	PARAGRAPH("h4"), PARAGRAPH("h5"), PARAGRAPH("h6"),
	PARAGRAPH("header"), PARAGRAPH("main"), PARAGRAPH("nav"),
	PARAGRAPH("ol"), PARAGRAPH("p"), PARAGRAPH("pre"),
	PARAGRAPH("section"), PARAGRAPH("ul"),
#undef PARAGRAPH
	{ "x<blockquote>y</blockquote>z", "x\n> y\nz", "x\n\n> y\n\nz" },
	{ "x<hr>z", "x\nz", "x\n\nz" },
	{ "x<table><tr><td>y</td></tr></table>z", "x\ny\nz", "x\n\ny\n\nz" },
	/* the lines of a list or a table keep together */
	{ "<dl><dt>t</dt><dd>d</dd><dt>u</dt></dl>", "t\nd\nu", "t\nd\nu" },
	{ "<ul><li>a</li><li>b</li></ul>", "a\nb", "a\nb" },
	{ "<table><thead><tr><td>h</td></tr></thead><tbody><tr><td>b</td>"
	  "</tr><tr><td>c</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot>"
	  "</table>", "h\nb\nc\nf", "h\nb\nc\nf" },
	/* and inline elements are not blocks */
	{ "x<span>y</span><b>z</b><a href=\"#\">w</a><code>v</code>"
	  "<strong>u</strong><label>t</label>", "xyzwvut", "xyzwvut" },
};

static void
test_blocks(void **state)
{
	const struct block_row *r;
	size_t i;
	char *got;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof block_rows / sizeof block_rows[0]; i++) {
		r = &block_rows[i];
		got = html_to_text(r->html, strlen(r->html), 0);
		if (strcmp(got, r->lines) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n", r->html,
			    got, r->lines);
			failed++;
		}
		free(got);
		got = html_to_text(r->html, strlen(r->html),
		    HTML_TEXT_PARAGRAPHS);
		if (strcmp(got, r->paragraphs) != 0) {
			print_error("%s (paragraphs): got \"%s\", want \"%s\"\n",
			    r->html, got, r->paragraphs);
			failed++;
		}
		free(got);
	}
	assert_int_equal(failed, 0);
}

/* ---- each flag of the mail layout ---- */

struct flag_row {
	const char	*name;
	unsigned int	 flags;
	const char	*html;
	const char	*want;
};

/* 70 and 75 columns of words. */
#define COLS70	"aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff " \
		"ggggggggg"
#define COLS75	COLS70 " hhhh"

static const struct flag_row flag_rows[] = {
	/* HTML_TEXT_PARAGRAPHS */
	{ "blank line between paragraphs", HTML_TEXT_PARAGRAPHS,
	  "<p>a</p><p>b</p><h2>c</h2>d", "a\n\nb\n\nc\n\nd" },
	{ "no blank line at the top or the end", HTML_TEXT_PARAGRAPHS,
	  "<div><p>a</p></div><p></p>", "a" },
	{ "a list stands apart, its items do not", HTML_TEXT_PARAGRAPHS,
	  "<p>x</p><ul><li>a</li><li>b</li></ul>y", "x\n\na\nb\n\ny" },
	{ "br inside a paragraph", HTML_TEXT_PARAGRAPHS,
	  "<p>a<br>b<br><br>c</p>", "a\nb\n\nc" },
	{ "blank lines in a quote take the outer level",
	  HTML_TEXT_PARAGRAPHS, "<p>before</p><blockquote><p>q1</p>"
	  "<p>q2</p></blockquote><p>after</p>",
	  "before\n\n> q1\n>\n> q2\n\nafter" },
	{ "outlook marker after a paragraph", HTML_TEXT_PARAGRAPHS,
	  "<p>APPROVE</p><div id=\"divRplyFwdMsg\">From: x</div>",
	  "APPROVE\n\n> From: x" },
	/* HTML_TEXT_WRAP */
	{ "a line of 72 columns stays", HTML_TEXT_WRAP,
	  "<p>" COLS70 " h</p>", COLS70 " h" },
	{ "the word past 72 columns goes to the next line", HTML_TEXT_WRAP,
	  "<p>" COLS75 " i</p>", COLS70 "\nhhhh i" },
	{ "not without the flag", 0, "<p>" COLS75 "</p>", COLS75 },
	{ "a word longer than a line stays whole", HTML_TEXT_WRAP,
	  "x " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaa y", "x\n"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaa\ny" },
	{ "a word over inline markup moves whole", HTML_TEXT_WRAP,
	  COLS70 " <b>hh</b>hh", COLS70 "\nhhhh" },
	{ "wide characters count two columns", HTML_TEXT_WRAP,
	  "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff "
	  "gggggggg \xe6\xa0\xaa\xe5\xbc\x8f",
	  "aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff "
	  "gggggggg\n\xe6\xa0\xaa\xe5\xbc\x8f" },
	{ "a wrapped quote keeps its marks", HTML_TEXT_WRAP,
	  "<blockquote>" COLS75 "</blockquote>", "> " COLS70 "\n> hhhh" },
	{ "pre is not wrapped", HTML_TEXT_WRAP, "<pre>" COLS75 "</pre>",
	  COLS75 },
	/* HTML_TEXT_BULLETS */
	{ "list items", HTML_TEXT_BULLETS,
	  "<ul><li>one</li><li>two <b>bold</b></li></ul><ol><li>x</li></ol>",
	  "  - one\n  - two bold\n  - x" },
	{ "an empty item writes nothing", HTML_TEXT_BULLETS,
	  "<ul><li></li><li>a</li></ul>b", "  - a\nb" },
	{ "a wrapped item goes on at the margin",
	  HTML_TEXT_BULLETS | HTML_TEXT_WRAP, "<ul><li>" COLS70 "</li></ul>",
	  "  - aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff\n"
	  "ggggggggg" },
	/* HTML_TEXT_LINKS */
	{ "a web link shows its url", HTML_TEXT_LINKS,
	  "See <a href=\"https://x.test/p\">the page</a>.",
	  "See the page <https://x.test/p>." },
	{ "a mailto: link does not", HTML_TEXT_LINKS,
	  "<a href=\"mailto:a@x.test?subject=Re\">APPROVE</a>", "APPROVE" },
	{ "nor a link whose text is its url", HTML_TEXT_LINKS,
	  "<a href=\"https://x.test/\">https://x.test/</a>",
	  "https://x.test/" },
	{ "nor a link without href", HTML_TEXT_LINKS, "<a name=\"x\">a</a>",
	  "a" },
	{ "a long url goes on a line of its own",
	  HTML_TEXT_LINKS | HTML_TEXT_WRAP,
	  "<a href=\"https://x.test/" COLS70 "\">go</a> on",
	  "go\n<https://x.test/" COLS70 ">\non" },
	/* HTML_TEXT_COLUMNS */
	{ "cells padded: a label of 20 columns, then 12",
	  HTML_TEXT_COLUMNS, "<table><tr><td>Label</td><td>value</td>"
	  "<td>x</td></tr><tr><th>A</th><th>B</th></tr></table>",
	  "Label                value       x\nA                    B" },
	{ "a cell wider than its column", HTML_TEXT_COLUMNS,
	  "<table><tr><td>A much longer label here</td><td>v</td></tr>"
	  "</table>", "A much longer label here v" },
	{ "an empty first cell is not padded", HTML_TEXT_COLUMNS,
	  "<table><tr><td></td><td>v</td></tr></table>", "v" },
	/* HTML_TEXT_RULES */
	{ "hr is a rule", HTML_TEXT_RULES, "a<hr>b", "a\n----\nb" },
	{ "hr between paragraphs", HTML_TEXT_RULES | HTML_TEXT_PARAGRAPHS,
	  "<p>a</p><hr><p>b</p>", "a\n\n----\n\nb" },
	/* all of them, and none */
	{ "a mail", HTML_TEXT_MAIL,
	  "<h1>Title</h1><ul><li><a href=\"https://x.test/\">site</a></li>"
	  "</ul><table><tr><td>k</td><td>v</td></tr></table><hr>",
	  "Title\n\n  - site <https://x.test/>\n\nk                    v\n\n"
	  "----" },
	{ "the reply reader gets none of it", 0,
	  "<h1>Title</h1><ul><li><a href=\"https://x.test/\">site</a></li>"
	  "</ul><table><tr><td>k</td><td>v</td></tr></table><hr>",
	  "Title\nsite\nk v" },
};

static void
test_flags(void **state)
{
	const struct flag_row *r;
	size_t i;
	char *got;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof flag_rows / sizeof flag_rows[0]; i++) {
		r = &flag_rows[i];
		got = html_to_text(r->html, strlen(r->html), r->flags);
		if (strcmp(got, r->want) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n", r->name,
			    got, r->want);
			failed++;
		}
		free(got);
	}
	assert_int_equal(failed, 0);
}

/* A document parsed already gives what its source gives. */
static void
test_doc_text(void **state)
{
	static const char html[] = "<p>a</p><ul><li>b</li></ul>";
	htmlDocPtr doc;
	char *from_doc, *from_html;

	(void)state;
	from_doc = html_doc_text(NULL, HTML_TEXT_MAIL);
	assert_string_equal(from_doc, "");
	free(from_doc);
	doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	assert_non_null(doc);
	from_doc = html_doc_text(doc, HTML_TEXT_MAIL);
	from_html = html_to_text(html, strlen(html), HTML_TEXT_MAIL);
	xmlFreeDoc(doc);
	assert_string_equal(from_doc, "a\n\n  - b");
	assert_string_equal(from_doc, from_html);
	free(from_doc);
	free(from_html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_doc_text),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_len_is_respected),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_deep_quotes_stay_quoted),
		cmocka_unit_test(test_input_limit),
		cmocka_unit_test(test_output_bounded),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
