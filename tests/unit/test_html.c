/* test_html.c: HTML mail bodies as text, quotes marked with "> ". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
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
