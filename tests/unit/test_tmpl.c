/*
 * test_tmpl.c: the template engine, read back the way a mail client
 * would: the HTML part parsed again with libxml2, the text part checked
 * line by line.  Fixtures are in tests/data/templates, the real mails in
 * mailtemplates.
 *
 * Everything a test allocates is held in a struct held that the teardown
 * frees, so that a failing test reports its failure and not a leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "tmpl.h"
#include "support.h"

#define FIXTURES	"tests/data/templates"
#define REAL		"mailtemplates"
#define TEXT_COLUMNS	72
#define ACTION_WITHIN	300	/* first characters of the text part */
#define LINE_BUF	1024
#define CUSTOMER	"M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 " \
			"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe " \
			"\xf0\x9f\x9a\x80"
#define LINK		"https://msc.example.test/verify?token=aaa.bbb.ccc"
#define REPLY_TO	"agent+7.0123456789abcdef0123@msp.test"
#define THREADS		4
#define ROUNDS		200
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- what a test holds ---- */

#define HELD_STRINGS 4

struct held {
	struct tmpl_set		*set;
	struct tmpl_vars	*vars;
	struct tmpl_out		 out;
	htmlDocPtr		 doc;
	char			*str[HELD_STRINGS];
	char			 scratch[64];	/* to remove, or "" */
};

static int
held_setup(void **state)
{
	*state = xcalloc(1, sizeof(struct held));
	return 0;
}

/* Frees what one round of a table-driven test made; keeps the set. */
static void
held_round(struct held *h)
{
	size_t i;

	tmpl_vars_free(h->vars);
	h->vars = NULL;
	tmpl_out_clear(&h->out);
	xmlFreeDoc(h->doc);
	h->doc = NULL;
	for (i = 0; i < HELD_STRINGS; i++) {
		free(h->str[i]);
		h->str[i] = NULL;
	}
}

static int
held_teardown(void **state)
{
	struct held *h = *state;
	int rc = 0;

	held_round(h);
	tmpl_set_free(h->set);
	if (h->scratch[0] != '\0')
		rc = support_dir_remove(h->scratch);
	free(h);
	return rc;
}

static void
use_set(struct held *h, const char *dir)
{
	tmpl_set_free(h->set);
	h->set = tmpl_set_new(dir);
}

/* Fresh variables for the next round. */
static struct tmpl_vars *
new_vars(struct held *h)
{
	held_round(h);
	h->vars = tmpl_vars_new();
	return h->vars;
}

/* Keeps s until the round ends and returns it. */
static char *
hold(struct held *h, char *s)
{
	size_t i;

	for (i = 0; i < HELD_STRINGS; i++)
		if (h->str[i] == NULL)
			return h->str[i] = s;
	free(s);
	fail_msg("more than %d strings held", HELD_STRINGS);
	return NULL;
}

/* ---- rendering ---- */

static void
render(struct held *h, const char *name)
{
	struct err err;

	tmpl_out_clear(&h->out);
	xmlFreeDoc(h->doc);
	h->doc = NULL;
	err_clear(&err);
	if (tmpl_render(h->set, name, h->vars, &h->out, &err) != 0)
		fail_msg("tmpl_render %s: %s", name, err.msg);
	assert_non_null(h->out.subject);
	assert_non_null(h->out.html);
	assert_non_null(h->out.text);
	assert_int_equal(strlen(h->out.html), h->out.html_len);
}

/* Renders a fixture with one variable x. */
static void
render_x(struct held *h, const char *name, const char *x)
{
	use_set(h, FIXTURES);
	tmpl_vars_set(new_vars(h), "x", x);
	render(h, name);
}

/* Refused with ERR_RUNTIME and nothing left in the output. */
static void
render_refused(struct held *h, const char *name, struct err *err)
{
	struct tmpl_out out;

	if (h->vars == NULL)
		h->vars = tmpl_vars_new();
	err_clear(err);
	memset(&out, 0x5a, sizeof out);
	if (tmpl_render(h->set, name, h->vars, &out, err) == 0) {
		tmpl_out_clear(&out);
		fail_msg("template '%s' rendered", name);
	}
	assert_int_equal(err->kind, ERR_RUNTIME);
	assert_true(err->msg[0] != '\0');
	assert_null(out.subject);
	assert_null(out.html);
	assert_null(out.text);
}

/* Parses the HTML part back, as a mail client would. */
static htmlDocPtr
parse(struct held *h)
{
	xmlFreeDoc(h->doc);
	h->doc = htmlReadMemory(h->out.html, (int)h->out.html_len, NULL,
	    "UTF-8", HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING);
	assert_non_null(h->doc);
	assert_non_null(xmlDocGetRootElement(h->doc));
	return h->doc;
}

/* ---- reading the parsed HTML ---- */

/* 1 when n has this id, or this class when written ".x". */
static int
has_id(xmlNodePtr n, const char *id)
{
	const char *attr = id[0] == '.' ? "class" : "id";
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	int match;

	match = v != NULL &&
	    strcmp((const char *)v, id[0] == '.' ? id + 1 : id) == 0;
	xmlFree(v);
	return match;
}

static xmlNodePtr
find_id(xmlNodePtr n, const char *id)
{
	xmlNodePtr found;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && has_id(n, id))
			return n;
		if ((found = find_id(n->children, id)) != NULL)
			return found;
	}
	return NULL;
}

static xmlNodePtr
find_name(xmlNodePtr n, const char *name)
{
	xmlNodePtr found;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)n->name, name) == 0)
			return n;
		if ((found = find_name(n->children, name)) != NULL)
			return found;
	}
	return NULL;
}

/* Elements named name (any when NULL) with id (any when NULL). */
static size_t
count_where(xmlNodePtr n, const char *name, const char *id)
{
	size_t count = 0;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && (name == NULL ||
		    strcasecmp((const char *)n->name, name) == 0) &&
		    (id == NULL || has_id(n, id)))
			count++;
		count += count_where(n->children, name, id);
	}
	return count;
}

static size_t
count_elements(htmlDocPtr doc, const char *name)
{
	return count_where(doc->children, name, NULL);
}

static size_t
count_ids(htmlDocPtr doc, const char *id)
{
	return count_where(doc->children, NULL, id);
}

/* Attributes named data-*, anywhere in the tree. */
static size_t
count_data_attrs(xmlNodePtr n)
{
	xmlAttrPtr a;
	size_t count = 0;

	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (a = n->properties; a != NULL; a = a->next)
			if (strncasecmp((const char *)a->name, "data-", 5) == 0)
				count++;
		count += count_data_attrs(n->children);
	}
	return count;
}

static size_t
count_attrs(xmlNodePtr n)
{
	xmlAttrPtr a;
	size_t count = 0;

	for (a = n->properties; a != NULL; a = a->next)
		count++;
	return count;
}

/* The text content of n, copied into buf (cut to fit). */
static const char *
content_of(xmlNodePtr n, char *buf, size_t size)
{
	xmlChar *c;

	assert_non_null(n);
	c = xmlNodeGetContent(n);
	snprintf(buf, size, "%s", c ? (const char *)c : "");
	xmlFree(c);
	return buf;
}

static void
assert_id_content(htmlDocPtr doc, const char *id, const char *expected)
{
	char buf[LINE_BUF];

	assert_string_equal(content_of(find_id(doc->children, id), buf,
	    sizeof buf), expected);
}

static void
assert_title(htmlDocPtr doc, const char *expected)
{
	char buf[LINE_BUF];

	assert_string_equal(content_of(find_name(doc->children, "title"),
	    buf, sizeof buf), expected);
}

/* The attribute into buf; 0 when it is absent. */
static int
attr_of(htmlDocPtr doc, const char *id, const char *name, char *buf,
    size_t size)
{
	xmlNodePtr n = find_id(doc->children, id);
	xmlChar *v;

	assert_non_null(n);
	v = xmlGetProp(n, (const xmlChar *)name);
	snprintf(buf, size, "%s", v ? (const char *)v : "");
	xmlFree(v);
	return v != NULL;
}

/* ---- percent-encoding ---- */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Undoes %XX in s[0..len) into out.  strict: anything but unreserved
 * characters and escapes left raw is a failure (a query value of a
 * mailto: link, where &, #, ? and spaces would change its meaning).
 */
static const char *
pct_decode(const char *s, size_t len, int strict, char *out, size_t size)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!*'()@";
	size_t i, o = 0;
	int hi, lo;

	assert_true(len < size);
	for (i = 0; i < len; i++, o++) {
		if (s[i] != '%') {
			if (strict && strchr(plain, s[i]) == NULL)
				fail_msg("'%c' left raw in '%.*s'", s[i],
				    (int)len, s);
			out[o] = s[i];
			continue;
		}
		hi = i + 1 < len ? hex_value(s[i + 1]) : -1;
		lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
		if (hi < 0 || lo < 0)
			fail_msg("bad escape in '%.*s'", (int)len, s);
		out[o] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

/* ---- the shape of every text part ---- */

/* Code points in s[0..len). */
static size_t
chars_in(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static size_t
width_of(const char *s, size_t len)
{
	char buf[LINE_BUF];

	assert_true(len < sizeof buf);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return utf8_width(buf);
}

/*
 * One line: at most TEXT_COLUMNS unless it is a single word (after a
 * list marker), no trailing white space, and not broken too early: the
 * first word of the next line of the same paragraph would not have fitted.
 * Table rows (padded with runs of spaces) are their own lines, and so is
 * a list item, so they are left out of that last check.
 */
static void
check_line(const char *line, size_t len, const char *next, size_t nextlen)
{
	size_t w = width_of(line, len), skip = 0, word;

	if (len >= 4 && strncmp(line, "  - ", 4) == 0)
		skip = 4;
	if (w > TEXT_COLUMNS && memchr(line + skip, ' ', len - skip) != NULL)
		fail_msg("line over %d columns: '%.*s'", TEXT_COLUMNS,
		    (int)len, line);
	if (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		fail_msg("trailing white space: '%.*s'", (int)len, line);
	if (len == 0 || nextlen == 0 || memmem(line, len, "  ", 2) != NULL ||
	    memmem(next, nextlen, "  ", 2) != NULL)
		return;
	for (word = 0; word < nextlen && next[word] != ' '; word++)
		;
	if (w + 1 + width_of(next, word) <= TEXT_COLUMNS)
		fail_msg("'%.*s' would have fitted on '%.*s'", (int)word, next,
		    (int)len, line);
}

/* Line lengths, white space, the single final newline. */
static void
check_text_shape(const char *text)
{
	const char *line, *nl, *next;
	size_t len = strlen(text);

	assert_true(utf8_valid(text, len));
	assert_true(len >= 1);
	assert_int_equal(text[len - 1], '\n');
	if (len >= 2)
		assert_true(text[len - 2] != '\n');
	assert_true(text[0] != '\n');
	assert_null(strchr(text, '\r'));
	assert_null(strchr(text, '\t'));
	assert_null(strstr(text, "\n\n\n"));
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		next = nl + 1;
		check_line(line, (size_t)(nl - line), next,
		    *next ? (size_t)(strchr(next, '\n') - next) : 0);
	}
}

/* ---- escaping by construction ---- */

static const char *const hostile_values[] = {
	"<script>alert(1)</script>",
	"\"><img src=x onerror=alert(1)>",
	"Tom & Jerry &amp; &lt;",
	"]]>",
	"<!--",
	"--><script>alert(1)</script><!--",
	"</p></body></html><script>alert(1)</script>",
	"'single' \"double\" `back`",
	"&#60;script&#62;",
	CUSTOMER,
};

static void
test_var_is_text(void **state)
{
	struct held *h = *state;
	size_t i;

	for (i = 0; i < NELEM(hostile_values); i++) {
		render_x(h, "escape", hostile_values[i]);
		parse(h);
		assert_id_content(h->doc, "v", hostile_values[i]);
		assert_int_equal(count_elements(h->doc, "script"), 0);
		assert_int_equal(count_elements(h->doc, "img"), 0);
		/* the template's own markup in the element is replaced */
		assert_int_equal(count_elements(h->doc, "b"), 0);
		assert_int_equal(count_elements(h->doc, "p"), 1);
		assert_int_equal(count_attrs(find_id(h->doc->children, "v")),
		    1);
		assert_int_equal(count_data_attrs(h->doc->children), 0);
		assert_non_null(strstr(h->out.text, hostile_values[i]));
		check_text_shape(h->out.text);
	}
}

struct href_case {
	const char	*url;
	int		 kept;
};

static const struct href_case href_cases[] = {
	{ "https://example.test/a?b=1&c=2#frag", 1 },
	{ "http://example.test/", 1 },
	{ "mailto:someone@example.test", 1 },
	{ "https://example.test/\"><script>alert(1)</script>", 1 },
	{ "https://example.test/?q='x'\"y\" onclick=\"alert(1)", 1 },
	{ "javascript:alert(1)", 0 },
	{ "JavaScript:alert(1)", 0 },
	{ " javascript:alert(1)", 0 },
	{ "java\tscript:alert(1)", 0 },
	{ "data:text/html,<script>alert(1)</script>", 0 },
	{ "vbscript:msgbox(1)", 0 },
	{ "//evil.test/x", 0 },
	{ "ftp://example.test/", 0 },
	{ "", 0 },
};

/*
 * A kept URL reads back as itself once the percent-escapes the HTML
 * writer adds to href are undone, and brings no attribute of its own.
 */
static void
test_href(void **state)
{
	struct held *h = *state;
	char href[LINE_BUF], decoded[LINE_BUF];
	xmlNodePtr a;
	size_t i;
	int kept;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(href_cases); i++) {
		tmpl_vars_set(new_vars(h), "url", href_cases[i].url);
		render(h, "escape");
		parse(h);
		kept = attr_of(h->doc, "h", "href", href, sizeof href);
		if (kept != href_cases[i].kept)
			fail_msg("'%s': href %s", href_cases[i].url,
			    kept ? href : "absent");
		if (kept)
			assert_string_equal(pct_decode(href, strlen(href), 0,
			    decoded, sizeof decoded), href_cases[i].url);
		a = find_id(h->doc->children, "h");
		assert_int_equal(count_attrs(a), 1 + (size_t)kept);
		assert_int_equal(count_elements(h->doc, "script"), 0);
		assert_int_equal(count_data_attrs(h->doc->children), 0);
		assert_id_content(h->doc, "h", "the link");
	}
}

/* data-path: a path of this site, never another host or scheme. */
static const struct {
	const char	*path;
	int		 kept;
} path_cases[] = {
	{ "/tenants/7", 1 },
	{ "/tenants?state=new&q=a%20b", 1 },
	{ "/", 1 },
	{ "//evil.test/x", 0 },
	{ "/\\evil.test", 0 },
	{ "https://evil.test/", 0 },
	{ "javascript:alert(1)", 0 },
	{ "tenants/7", 0 },
	{ "", 0 },
};

static void
test_path(void **state)
{
	struct held *h = *state;
	char got[LINE_BUF];
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(path_cases); i++) {
		tmpl_vars_set(new_vars(h), "path", path_cases[i].path);
		render(h, "agent_made");
		parse(h);
		if (attr_of(h->doc, "p", "href", got, sizeof got) !=
		    path_cases[i].kept)
			fail_msg("'%s': href", path_cases[i].path);
		/* A form's path is its action. */
		if (attr_of(h->doc, "f", "action", got, sizeof got) !=
		    path_cases[i].kept)
			fail_msg("'%s': action", path_cases[i].path);
		if (path_cases[i].kept)
			assert_string_equal(got, path_cases[i].path);
		assert_int_equal(count_data_attrs(h->doc->children), 0);
	}
}

/* Drawings the agent makes go in as SVG, through a filter that keeps
 * what draws and drops what could run, load or link. */
static const char *const hostile_svgs[] = {
	"<svg><script>alert(1)</script><rect width=\"1\"/></svg>",
	"<svg onload=\"alert(1)\"><rect width=\"1\" onclick=\"x()\"/></svg>",
	"<svg><a href=\"javascript:alert(1)\"><circle r=\"1\"/></a>"
	    "<rect width=\"1\"/></svg>",
	"<svg><foreignObject><img src=\"x\" onerror=\"alert(1)\"/>"
	    "</foreignObject><rect width=\"1\"/></svg>",
	"<svg xmlns:xlink=\"http://www.w3.org/1999/xlink\"><rect "
	    "xlink:href=\"https://evil.test/\" width=\"1\"/></svg>",
	"<svg><style>*{background:url(https://evil.test/)}</style>"
	    "<rect width=\"1\" style=\"fill:url(https://evil.test/)\"/></svg>",
	"<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<svg><text>&x;</text><rect width=\"1\"/></svg>",
};

static void
test_svg(void **state)
{
	static const char drawing[] = "<svg xmlns=\"http://www.w3.org/2000/"
	    "svg\" viewBox=\"0 0 29 29\" width=\"116\" height=\"116\">"
	    "<rect width=\"29\" height=\"29\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"M4 4h7v1h-7z\"/></svg>";
	struct held *h = *state;
	char buf[LINE_BUF];
	size_t i;

	use_set(h, FIXTURES);
	tmpl_vars_set_svg(new_vars(h), "pic", drawing);
	tmpl_vars_set(h->vars, "show_text", "yes");
	render(h, "svg");
	parse(h);
	assert_int_equal(count_elements(h->doc, "svg"), 1);
	assert_int_equal(count_elements(h->doc, "path"), 1);
	assert_int_equal(count_elements(h->doc, "b"), 0);
	assert_int_equal(attr_of(h->doc, "s", "id", buf, sizeof buf), 1);
	assert_int_equal(count_data_attrs(h->doc->children), 0);
	/* Elsewhere the same value is text. */
	assert_id_content(h->doc, "t", drawing);

	for (i = 0; i < NELEM(hostile_svgs); i++) {
		tmpl_vars_set_svg(new_vars(h), "pic", hostile_svgs[i]);
		render(h, "svg");
		parse(h);
		if (count_elements(h->doc, "rect") != 1)
			fail_msg("%s: the drawing is gone", hostile_svgs[i]);
		assert_int_equal(count_elements(h->doc, "script"), 0);
		assert_int_equal(count_elements(h->doc, "a"), 0);
		assert_int_equal(count_elements(h->doc, "img"), 0);
		assert_int_equal(count_elements(h->doc, "foreignObject") +
		    count_elements(h->doc, "foreignobject"), 0);
		assert_int_equal(count_elements(h->doc, "style"), 0);
		assert_null(strstr(h->out.html, "onload"));
		assert_null(strstr(h->out.html, "onclick"));
		assert_null(strstr(h->out.html, "evil.test\" w"));
		assert_null(strstr(h->out.html, "href"));
		assert_null(strstr(h->out.html, "style=\"fill"));
		assert_null(strstr(h->out.html, "root:"));
	}

	/* A value set as text never becomes markup, nor does a broken SVG. */
	tmpl_vars_set(new_vars(h), "pic", drawing);
	render(h, "svg");
	parse(h);
	assert_int_equal(count_elements(h->doc, "svg"), 0);
	assert_id_content(h->doc, "s", "");
	tmpl_vars_set_svg(new_vars(h), "pic", "<svg><rect width=\"1\"");
	render(h, "svg");
	parse(h);
	assert_int_equal(count_elements(h->doc, "rect"), 0);
	/* A later tmpl_vars_set makes it text again. */
	tmpl_vars_set_svg(new_vars(h), "pic", drawing);
	tmpl_vars_set(h->vars, "pic", drawing);
	render(h, "svg");
	parse(h);
	assert_int_equal(count_elements(h->doc, "svg"), 0);
}

/* A subject breaking out of <title>, which is escaped text too. */
static void
test_title_escaped(void **state)
{
	static const char *const values[] = {
		"</title><script>alert(1)</script>",
		"a & b < c > d \" e",
	};
	struct held *h = *state;
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(values); i++) {
		tmpl_vars_set(new_vars(h), "name", values[i]);
		render(h, "subject");
		assert_non_null(strstr(h->out.subject, values[i]));
		parse(h);
		assert_title(h->doc, h->out.subject);
		assert_int_equal(count_elements(h->doc, "script"), 0);
		assert_id_content(h->doc, "body", "BODY");
	}
}

/*
 * A value put into an element whose content HTML does not escape
 * (<style>, <script>) must not be able to close that element either:
 * the template is refused, or the value stays inside.
 */
static void
test_raw_text_elements(void **state)
{
	static const char *const values[] = {
		"</style><script>alert(1)</script>",
		"</script><img src=x onerror=alert(1)>",
	};
	struct held *h = *state;
	struct err err;
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(values); i++) {
		tmpl_vars_set(new_vars(h), "x", values[i]);
		err_clear(&err);
		if (tmpl_render(h->set, "style_var", h->vars, &h->out,
		    &err) != 0) {
			assert_int_equal(err.kind, ERR_RUNTIME);
			continue;
		}
		parse(h);
		assert_int_equal(count_elements(h->doc, "img"), 0);
		assert_true(count_elements(h->doc, "script") <= 1);
		assert_int_equal(count_elements(h->doc, "style"), 1);
		assert_id_content(h->doc, "body", "BODY");
	}
}

/* Bytes that are not UTF-8 never reach a mail part as they are. */
static void
test_bad_utf8_value(void **state)
{
	static const char *const values[] = {
		"ok\xff\xfe" "end",
		"cut \xe6\xa0",
		"overlong \xc0\xaf",
		"surrogate \xed\xa0\x80",
	};
	struct held *h = *state;
	struct err err;
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(values); i++) {
		tmpl_vars_set(new_vars(h), "name", values[i]);
		tmpl_vars_set(h->vars, "x", values[i]);
		err_clear(&err);
		if (tmpl_render(h->set, "escape", h->vars, &h->out,
		    &err) != 0) {
			assert_int_equal(err.kind, ERR_RUNTIME);
			continue;
		}
		assert_true(utf8_valid(h->out.html, h->out.html_len));
		assert_true(utf8_valid(h->out.text, strlen(h->out.text)));
		tmpl_out_clear(&h->out);
		if (tmpl_render(h->set, "subject", h->vars, &h->out,
		    &err) != 0) {
			assert_int_equal(err.kind, ERR_RUNTIME);
			continue;
		}
		assert_true(utf8_valid(h->out.subject,
		    strlen(h->out.subject)));
	}
}

/* ---- data-if, data-unless, data-each ---- */

struct cond_case {
	const char	*value;		/* NULL: see set_null */
	int		 set_null;	/* 1: set to NULL, 0: not set */
	int		 if_kept;
};

static const struct cond_case cond_cases[] = {
	{ "yes", 0, 1 },
	{ "0", 0, 1 },
	{ " ", 0, 1 },
	{ "", 0, 0 },
	{ NULL, 1, 0 },
	{ NULL, 0, 0 },
};

static void
test_if_unless(void **state)
{
	struct held *h = *state;
	size_t i;
	int kept;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(cond_cases); i++) {
		new_vars(h);
		if (cond_cases[i].value != NULL || cond_cases[i].set_null)
			tmpl_vars_set(h->vars, "x", cond_cases[i].value);
		render(h, "cond");
		parse(h);
		kept = cond_cases[i].if_kept;
		assert_int_equal(count_ids(h->doc, "if"), kept);
		assert_int_equal(count_ids(h->doc, "unless"), !kept);
		assert_int_equal(count_ids(h->doc, "always"), 1);
		assert_int_equal(strstr(h->out.text, "IF-KEPT") != NULL, kept);
		assert_int_equal(strstr(h->out.text, "UNLESS-KEPT") != NULL,
		    !kept);
		assert_int_equal(count_data_attrs(h->doc->children), 0);
	}
}

/* data-selected and data-checked: the attribute is there exactly when
 * data-if would keep the element, even where the template had it. */
static void
test_boolean_attrs(void **state)
{
	struct held *h = *state;
	size_t i;
	int on;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(cond_cases); i++) {
		new_vars(h);
		if (cond_cases[i].value != NULL || cond_cases[i].set_null)
			tmpl_vars_set(h->vars, "x", cond_cases[i].value);
		render(h, "boolean");
		parse(h);
		on = cond_cases[i].if_kept;
		assert_int_equal(xmlHasProp(find_id(h->doc->children, "opt"),
		    (const xmlChar *)"selected") != NULL, on);
		assert_int_equal(xmlHasProp(find_id(h->doc->children,
		    "preset"), (const xmlChar *)"selected") != NULL, on);
		assert_int_equal(xmlHasProp(find_id(h->doc->children, "box"),
		    (const xmlChar *)"checked") != NULL, on);
		assert_int_equal(count_data_attrs(h->doc->children), 0);
	}
}

/* The contents of the elements of a class, joined by ",". */
static void
join_class(xmlNodePtr n, const char *cls, char *buf, size_t size)
{
	char c[LINE_BUF];

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && has_id(n, cls)) {
			if (buf[0] != '\0')
				strncat(buf, ",", size - strlen(buf) - 1);
			strncat(buf, content_of(n, c, sizeof c),
			    size - strlen(buf) - 1);
		}
		join_class(n->children, cls, buf, size);
	}
}

static void
assert_joined(htmlDocPtr doc, const char *cls, const char *expected)
{
	char buf[LINE_BUF] = "";

	join_class(doc->children, cls, buf, sizeof buf);
	assert_string_equal(buf, expected);
}

struct each_case {
	size_t		 n;
	const char	*names;		/* the items' "name", joined */
	const char	*shared;	/* "shared" as each item sees it */
	const char	*flags;
	const char	*subs;
};

static const struct each_case each_cases[] = {
	{ 0, "", "", "", "" },
	{ 1, "item0", "parent", "", "" },
	{ 3, "item0,item1,item2", "parent,own1,parent", "FLAG", "s0,s1" },
};

/* n items; the second has its own "shared", the third a nested list. */
static void
each_vars(struct tmpl_vars *v, size_t n)
{
	struct tmpl_vars *item;
	size_t i;

	tmpl_vars_set(v, "shared", "parent");
	tmpl_vars_set(v, "name", "parent-name");
	tmpl_vars_set(v, "flag", "");
	for (i = 0; i < n; i++) {
		item = tmpl_vars_item(v, "items");
		tmpl_vars_setf(item, "name", "item%zu", i);
		if (i == 1)
			tmpl_vars_set(item, "shared", "own1");
		if (i != 2)
			continue;
		tmpl_vars_set(item, "flag", "yes");
		tmpl_vars_set(tmpl_vars_item(item, "subs"), "sub", "s0");
		tmpl_vars_set(tmpl_vars_item(item, "subs"), "sub", "s1");
	}
}

static void
test_each(void **state)
{
	struct held *h = *state;
	const struct each_case *c;
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(each_cases); i++) {
		c = &each_cases[i];
		each_vars(new_vars(h), c->n);
		render(h, "each");
		parse(h);
		assert_int_equal(count_ids(h->doc, ".item"), c->n);
		assert_joined(h->doc, ".name", c->names);
		assert_joined(h->doc, ".shared", c->shared);
		assert_joined(h->doc, ".flag", c->flags);
		assert_joined(h->doc, ".sub", c->subs);
		assert_int_equal(count_ids(h->doc, "list"), 1);
		assert_int_equal(count_ids(h->doc, "before"), 1);
		assert_int_equal(count_ids(h->doc, "after"), 1);
		assert_int_equal(count_data_attrs(h->doc->children), 0);
		assert_true(strstr(h->out.text, "BEFORE") <
		    strstr(h->out.text, "AFTER"));
		assert_null(strstr(h->out.text, "parent-name"));
	}
}

/* ---- data-mailto ---- */

/* mailto:<reply_to>?subject=<Re: subject>&body=<word>, strictly. */
static void
check_mailto(const char *href, const char *subject, const char *word)
{
	static const char prefix[] = "mailto:" REPLY_TO "?subject=";
	char decoded[LINE_BUF], expected[LINE_BUF];
	const char *q, *amp;

	if (strncmp(href, prefix, strlen(prefix)) != 0)
		fail_msg("href '%s'", href);
	q = href + strlen(prefix);
	amp = strchr(q, '&');
	assert_non_null(amp);
	assert_null(strchr(amp + 1, '&'));
	assert_null(strchr(q, '#'));
	assert_null(strchr(q, '?'));
	snprintf(expected, sizeof expected, "Re: %s", subject);
	assert_string_equal(pct_decode(q, (size_t)(amp - q), 1, decoded,
	    sizeof decoded), expected);
	assert_true(strncmp(amp, "&body=", 6) == 0);
	assert_string_equal(pct_decode(amp + 6, strlen(amp + 6), 1, decoded,
	    sizeof decoded), word);
}

static const char *const mailto_subjects[] = {
	"Approval needed: move ACME to the console",
	"Tom & Jerry",
	"Why? #1 & more",
	"a=b&body=DELETE&cc=evil@evil.test",
	"100% sure + plus",
	"\"quoted\" <angle> 'single'",
	CUSTOMER,
	"",
};

static void
test_mailto(void **state)
{
	struct held *h = *state;
	char href[LINE_BUF];
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(mailto_subjects); i++) {
		tmpl_vars_set(new_vars(h), "reply_to", REPLY_TO);
		tmpl_vars_set(h->vars, "s", mailto_subjects[i]);
		render(h, "mailto");
		assert_string_equal(h->out.subject, mailto_subjects[i]);
		parse(h);
		assert_true(attr_of(h->doc, "m", "href", href, sizeof href));
		check_mailto(href, mailto_subjects[i], "APPROVE");
		assert_id_content(h->doc, "m", "APPROVE");
		/* mailto: buttons are explained in words, not shown */
		assert_null(strstr(h->out.text, "mailto:"));
		assert_null(strstr(h->out.text, REPLY_TO));
	}
}

/* A button repeated by data-each quotes the same subject. */
static void
test_mailto_in_each(void **state)
{
	struct held *h = *state;
	char href[LINE_BUF];

	use_set(h, FIXTURES);
	tmpl_vars_set(new_vars(h), "reply_to", REPLY_TO);
	tmpl_vars_set(h->vars, "s", "Tom & Jerry");
	tmpl_vars_item(h->vars, "items");
	render(h, "mailto");
	parse(h);
	assert_true(attr_of(h->doc, ".im", "href", href, sizeof href));
	check_mailto(href, "Tom & Jerry", "REJECT");
}

/* ---- the subject ---- */

struct subject_case {
	const char	*name;
	const char	*x;
	const char	*expected;
};

static const struct subject_case subject_cases[] = {
	{ "World", "X", "Hello World: and X {unclosed" },
	{ "", "", "Hello : and  {unclosed" },
	{ "a\r\nBcc: x@evil.test", "y",
	    "Hello a  Bcc: x@evil.test: and y {unclosed" },
	{ "tab\there", "lf\nonly", "Hello tab here: and lf only {unclosed" },
	{ "nul\x01" "del\x7f" "esc\x1b", "cr\r",
	    "Hello nul del esc : and cr  {unclosed" },
	{ "{x}", "X", "Hello {x}: and X {unclosed" },
	{ "{name}", "{x}", "Hello {name}: and {x} {unclosed" },
	{ CUSTOMER, "X", "Hello " CUSTOMER ": and X {unclosed" },
};

static void
test_subject(void **state)
{
	struct held *h = *state;
	const struct subject_case *c;
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(subject_cases); i++) {
		c = &subject_cases[i];
		tmpl_vars_set(new_vars(h), "name", c->name);
		tmpl_vars_set(h->vars, "x", c->x);
		render(h, "subject");
		assert_string_equal(h->out.subject, c->expected);
		parse(h);
		assert_title(h->doc, c->expected);
		/* the subject's meta element is used up */
		assert_null(strstr(h->out.html, "name=\"subject\""));
		assert_null(strstr(h->out.text, "Hello"));
	}
}

/* A name the variables do not have stays as written. */
static void
test_subject_unknown(void **state)
{
	struct held *h = *state;

	render_x(h, "subject_unknown", "X");
	assert_string_equal(h->out.subject,
	    "Keep {unknown}, {} and {UPPER} but fill X");
}

/* The subject with each run of spaces made one; held. */
static const char *
squeezed(struct held *h, const char *s)
{
	char *out = hold(h, xcalloc(1, strlen(s) + 1)), *o = out;

	for (; *s != '\0'; s++)
		if (*s != ' ' || o == out || o[-1] != ' ')
			*o++ = *s;
	return out;
}

/* C1 controls too: NEL (U+0085) is a line break to some readers. */
static void
test_subject_c1(void **state)
{
	struct held *h = *state;
	const unsigned char *p;

	use_set(h, FIXTURES);
	tmpl_vars_set(new_vars(h), "name", "");
	tmpl_vars_set(h->vars, "x", "nel\xc2\x85" "csi\xc2\x9b" "end");
	render(h, "subject");
	assert_true(utf8_valid(h->out.subject, strlen(h->out.subject)));
	for (p = (const unsigned char *)h->out.subject; *p; p++)
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fail_msg("C1 control U+00%02X left in '%s'", p[1],
			    h->out.subject);
	assert_string_equal(squeezed(h, h->out.subject),
	    "Hello : and nel csi end {unclosed");
}

/* No control character at all, whatever byte a value holds: each one
 * becomes a space, so the subject is as long as with a space. */
static void
test_subject_one_line(void **state)
{
	struct held *h = *state;
	const unsigned char *p;
	size_t expected;
	char value[2];
	int c;

	use_set(h, FIXTURES);
	tmpl_vars_set(new_vars(h), "name", " ");
	render(h, "subject");
	expected = strlen(h->out.subject);
	for (c = 1; c < 0x80; c++) {
		if (c >= 0x20 && c < 0x7f)
			continue;
		value[0] = (char)c;
		value[1] = '\0';
		tmpl_vars_set(new_vars(h), "name", value);
		render(h, "subject");
		for (p = (const unsigned char *)h->out.subject; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				fail_msg("control 0x%02x left in subject", *p);
		assert_int_equal(strlen(h->out.subject), expected);
	}
}

static void
test_no_subject(void **state)
{
	struct held *h = *state;

	render_x(h, "cond", "x");
	assert_string_equal(h->out.subject, "");
}

/* ---- layouts ---- */

static int
is_inside(xmlNodePtr n, xmlNodePtr outer)
{
	for (; n != NULL; n = n->parent)
		if (n == outer)
			return 1;
	return 0;
}

static void
test_layout(void **state)
{
	struct held *h = *state;
	xmlNodePtr slot;
	const char *text;

	render_x(h, "content", "A & <b>B</b>");
	assert_string_equal(h->out.subject, "Layout A & <b>B</b>");
	parse(h);
	assert_title(h->doc, "Layout A & <b>B</b>");
	slot = find_id(h->doc->children, "slot");
	assert_non_null(slot);
	assert_true(is_inside(find_id(h->doc->children, "c"), slot));
	assert_true(is_inside(find_id(h->doc->children, "c2"), slot));
	assert_id_content(h->doc, "c", "A & <b>B</b>");
	assert_int_equal(count_ids(h->doc, "top"), 1);
	assert_int_equal(count_ids(h->doc, "footer"), 1);
	assert_int_equal(count_elements(h->doc, "body"), 1);
	assert_int_equal(count_elements(h->doc, "b"), 0);
	assert_int_equal(count_data_attrs(h->doc->children), 0);
	text = h->out.text;
	assert_non_null(strstr(text, "FRAME-TOP"));
	assert_non_null(strstr(text, "A & <b>B</b>"));
	assert_true(strstr(text, "A & <b>B</b>") < strstr(text, "CONTENT-TWO"));
	assert_true(strstr(text, "CONTENT-TWO") < strstr(text, "FRAME-FOOTER"));
	assert_null(strstr(text, "FRAME-TITLE"));
	check_text_shape(text);
}

struct layout_error {
	const char	*name;
	const char	*in_msg;
};

static const struct layout_error layout_errors[] = {
	{ "uses_noslot", "slot" },
	{ "uses_missing", "no_such_layout.html" },
	{ "uses_badlayout", "../templates/frame" },
};

static void
test_layout_errors(void **state)
{
	struct held *h = *state;
	struct err err;
	size_t i;

	use_set(h, FIXTURES);
	for (i = 0; i < NELEM(layout_errors); i++) {
		render_refused(h, layout_errors[i].name, &err);
		if (strstr(err.msg, layout_errors[i].in_msg) == NULL)
			fail_msg("%s: '%s' does not say '%s'",
			    layout_errors[i].name, err.msg,
			    layout_errors[i].in_msg);
	}
}

/* ---- names, files and limits ---- */

static void
test_missing_template(void **state)
{
	struct held *h = *state;
	struct err err;

	use_set(h, FIXTURES);
	render_refused(h, "no_such_template", &err);
	assert_non_null(strstr(err.msg, "no_such_template.html"));
	assert_int_equal(tmpl_check(h->set, "no_such_template", &err), 0);
	assert_non_null(strstr(err.msg, "no_such_template.html"));
	/* a missing folder is the same */
	use_set(h, "tests/data/no_such_folder");
	render_refused(h, "cond", &err);
	assert_non_null(strstr(err.msg, "cond.html"));
}

/* A scratch folder with a sub folder, removed by the teardown. */
static void
scratch_open(struct held *h, char *sub, size_t size)
{
	char *path;

	assert_int_equal(support_dir_make(h->scratch, sizeof h->scratch,
	    "test_tmpl"), 0);
	path = support_path(h->scratch, "sub");
	assert_true(strlen(path) < size);
	strcpy(sub, path);
	free(path);
	assert_int_equal(mkdir(sub, 0700), 0);
}

/* Writes head, pad bytes 'a', tail into dir/name. */
static void
scratch_file(const char *dir, const char *name, const char *head,
    size_t pad, const char *tail)
{
	struct buf b = { 0 };
	char *path;
	size_t i;

	buf_puts(&b, head);
	for (i = 0; i < pad; i++)
		buf_puts(&b, "a");
	buf_puts(&b, tail);
	path = support_path(dir, name);
	support_write(path, b.data, b.len, 0600);
	free(path);
	buf_clear(&b);
}

static void
scratch_html(const char *dir, const char *name)
{
	scratch_file(dir, name, "<html><body><p>SCRATCH</p></body></html>",
	    0, "");
}

/* Every refused name has a file it would reach if it were used. */
static void
test_invalid_names(void **state)
{
	struct held *h = *state;
	char sub[128], n64[TMPL_NAME_MAX + 1], n65[TMPL_NAME_MAX + 2];
	char f64[TMPL_NAME_MAX + 8], f65[TMPL_NAME_MAX + 8];
	const char *names[] = { "../passwd", "../sub/ok", "A", "", n65,
	    "ok.html", "ok/", "ok\n", "./ok", "-ok", "ok ok", "ok\\x",
	    "OK", "\xc3\xb6k" };
	struct err err;
	size_t i;

	memset(n64, 'a', TMPL_NAME_MAX);
	n64[TMPL_NAME_MAX] = '\0';
	memset(n65, 'a', TMPL_NAME_MAX + 1);
	n65[TMPL_NAME_MAX + 1] = '\0';
	snprintf(f64, sizeof f64, "%s.html", n64);
	snprintf(f65, sizeof f65, "%s.html", n65);
	scratch_open(h, sub, sizeof sub);
	scratch_html(h->scratch, "passwd.html");
	scratch_html(sub, "ok.html");
	scratch_html(sub, "A.html");
	scratch_html(sub, "OK.html");
	scratch_html(sub, ".html");
	scratch_html(sub, "-ok.html");
	scratch_html(sub, "\xc3\xb6k.html");
	scratch_html(sub, f64);
	scratch_html(sub, f65);
	use_set(h, sub);
	assert_int_equal(tmpl_check(h->set, "ok", &err), 1);
	assert_int_equal(tmpl_check(h->set, n64, &err), 1);
	for (i = 0; i < NELEM(names); i++) {
		render_refused(h, names[i], &err);
		assert_int_equal(tmpl_check(h->set, names[i], &err), 0);
		assert_true(err.msg[0] != '\0');
	}
}

/* TMPL_FILE_MAX bytes are read; one more is refused. */
static void
test_file_size(void **state)
{
	static const char head[] = "<html><body><p id=\"p\">BIG</p><!--";
	static const char tail[] = "--></body></html>";
	size_t fixed = sizeof head - 1 + sizeof tail - 1;
	struct held *h = *state;
	char sub[128];
	struct err err;

	scratch_open(h, sub, sizeof sub);
	scratch_file(sub, "at_max.html", head, TMPL_FILE_MAX - fixed, tail);
	scratch_file(sub, "over_max.html", head, TMPL_FILE_MAX - fixed + 1,
	    tail);
	use_set(h, sub);
	new_vars(h);
	render(h, "at_max");
	assert_string_equal(h->out.text, "BIG\n");
	render_refused(h, "over_max", &err);
	assert_non_null(strstr(err.msg, "over_max.html"));
	assert_int_equal(tmpl_check(h->set, "over_max", &err), 0);
}

/*
 * A rendering over TMPL_OUTPUT_MAX is refused, not cut.  '&' is five
 * bytes of HTML and one of text: the HTML goes over the limit alone.
 */
static void
test_output_size(void **state)
{
	struct held *h = *state;
	struct err err;
	char amps[1001];
	size_t i;

	memset(amps, '&', 1000);
	amps[1000] = '\0';
	use_set(h, FIXTURES);
	new_vars(h);
	for (i = 0; i < TMPL_OUTPUT_MAX / 5000 + 10; i++)
		tmpl_vars_set(tmpl_vars_item(h->vars, "items"), "name", amps);
	render_refused(h, "each", &err);
	assert_non_null(strstr(err.msg, "each"));
	/* the same template well under the limit renders */
	new_vars(h);
	for (i = 0; i < TMPL_OUTPUT_MAX / 5000 / 2; i++)
		tmpl_vars_set(tmpl_vars_item(h->vars, "items"), "name", amps);
	render(h, "each");
	assert_true(h->out.html_len > TMPL_OUTPUT_MAX / 2);
	assert_true(h->out.html_len < TMPL_OUTPUT_MAX);
}

/* The one-item-per-value template of the exact size tests. */
static const char items_html[] = "<html><body><ul><li data-each=\"items\" "
    "data-var=\"v\"></li></ul></body></html>";

/* Renders items_html with n values of len bytes and a last of last. */
static int
render_items(struct held *h, size_t n, size_t len, size_t last)
{
	struct err err;
	char *v;
	size_t i;

	new_vars(h);
	v = xmalloc(len > last ? len + 1 : last + 1);
	for (i = 0; i <= n; i++) {
		memset(v, 'a', i < n ? len : last);
		v[i < n ? len : last] = '\0';
		tmpl_vars_set(tmpl_vars_item(h->vars, "items"), "v", v);
	}
	free(v);
	tmpl_out_clear(&h->out);
	return tmpl_render(h->set, "items", h->vars, &h->out, &err);
}

/* An HTML part of exactly TMPL_OUTPUT_MAX bytes renders; one more is
 * refused, not cut. */
static void
test_output_size_exact(void **state)
{
	struct held *h = *state;
	size_t n = TMPL_OUTPUT_MAX / TMPL_VALUE_MAX, base, step, last;
	char sub[128], *want;
	struct err err;

	scratch_open(h, sub, sizeof sub);
	scratch_file(sub, "items.html", items_html, 0, "");
	use_set(h, sub);
	/* What n full values and an empty last one make, and what one
	 * byte of value adds. */
	assert_int_equal(render_items(h, n - 1, TMPL_VALUE_MAX, 0), 0);
	base = h->out.html_len;
	assert_int_equal(render_items(h, n - 1, TMPL_VALUE_MAX, 1), 0);
	step = h->out.html_len - base;
	assert_int_equal(step, 1);
	last = TMPL_OUTPUT_MAX - base;
	assert_true(last > 0 && last <= TMPL_VALUE_MAX);
	assert_int_equal(render_items(h, n - 1, TMPL_VALUE_MAX, last), 0);
	assert_int_equal(h->out.html_len, TMPL_OUTPUT_MAX);
	assert_true(strlen(h->out.text) < TMPL_OUTPUT_MAX);
	assert_int_equal(render_items(h, n - 1, TMPL_VALUE_MAX, last + 1),
	    -1);
	render_refused(h, "items", &err);
	want = xasprintf("over %d bytes", TMPL_OUTPUT_MAX);
	assert_non_null(strstr(err.msg, want));
	free(want);
}

/* A value of TMPL_VALUE_MAX bytes is shown whole; a longer one is cut
 * there and marked "...". */
static void
test_value_limit(void **state)
{
	struct held *h = *state;
	size_t base;
	char sub[128];

	scratch_open(h, sub, sizeof sub);
	scratch_file(sub, "items.html", items_html, 0, "");
	use_set(h, sub);
	assert_int_equal(render_items(h, 0, 0, 0), 0);
	base = h->out.html_len;
	assert_int_equal(render_items(h, 0, 0, TMPL_VALUE_MAX), 0);
	assert_int_equal(h->out.html_len, base + TMPL_VALUE_MAX);
	assert_null(strstr(h->out.html, "a..."));
	assert_int_equal(render_items(h, 0, 0, TMPL_VALUE_MAX + 1), 0);
	assert_int_equal(h->out.html_len, base + TMPL_VALUE_MAX + 3);
	assert_non_null(strstr(h->out.html, "a..."));
}

/* Elements TMPL_NESTING_MAX deep, html included, render; one more
 * level is refused with the limit. */
static void
test_nesting_limit(void **state)
{
	struct held *h = *state;
	struct buf b = { 0 };
	char sub[128], *want;
	struct err err;
	int divs, i;

	scratch_open(h, sub, sizeof sub);
	for (divs = TMPL_NESTING_MAX - 3; divs <= TMPL_NESTING_MAX - 2;
	    divs++) {
		buf_clear(&b);
		buf_puts(&b, "<html><body>");
		for (i = 0; i < divs; i++)
			buf_puts(&b, "<div>");
		buf_puts(&b, "<p id=\"x\" data-var=\"x\">X</p>");
		for (i = 0; i < divs; i++)
			buf_puts(&b, "</div>");
		buf_puts(&b, "</body></html>");
		scratch_file(sub, divs == TMPL_NESTING_MAX - 3 ? "at.html" :
		    "over.html", b.data, 0, "");
	}
	buf_clear(&b);
	use_set(h, sub);
	tmpl_vars_set(new_vars(h), "x", "VALUE");
	render(h, "at");
	parse(h);
	assert_id_content(h->doc, "x", "VALUE");
	render_refused(h, "over", &err);
	want = xasprintf("nested more than %d deep", TMPL_NESTING_MAX);
	assert_non_null(strstr(err.msg, want));
	free(want);
}

struct check_case {
	const char	*dir;
	const char	*name;
	int		 ok;
};

static const struct check_case check_cases[] = {
	{ FIXTURES, "cond", 1 },
	{ FIXTURES, "frame", 1 },
	{ REAL, "layout", 1 },
	{ REAL, "approval_request", 1 },
	{ FIXTURES, "empty", 0 },
	{ FIXTURES, "no_such_template", 0 },
	{ FIXTURES, "Cond", 0 },
	{ FIXTURES, "../templates/cond", 0 },
	{ FIXTURES, "", 0 },
	{ "tests/data/no_such_folder", "cond", 0 },
};

static void
test_check(void **state)
{
	struct held *h = *state;
	struct err err;
	size_t i;

	for (i = 0; i < NELEM(check_cases); i++) {
		use_set(h, check_cases[i].dir);
		err_clear(&err);
		assert_int_equal(tmpl_check(h->set, check_cases[i].name, &err),
		    check_cases[i].ok);
		assert_int_equal(err.msg[0] == '\0', check_cases[i].ok);
		/* asked twice: the cache answers the same */
		assert_int_equal(tmpl_check(h->set, check_cases[i].name, &err),
		    check_cases[i].ok);
	}
}

/* A hostile, deeply nested template: filled, or refused; never half. */
static void
test_deep_template(void **state)
{
	struct held *h = *state;
	struct err err;

	use_set(h, FIXTURES);
	tmpl_vars_set(new_vars(h), "x", "VALUE");
	err_clear(&err);
	if (tmpl_render(h->set, "deep", h->vars, &h->out, &err) != 0) {
		assert_int_equal(err.kind, ERR_RUNTIME);
		return;
	}
	parse(h);
	assert_id_content(h->doc, "shallow", "VALUE");
	assert_id_content(h->doc, "deep", "VALUE");
	assert_int_equal(count_data_attrs(h->doc->children), 0);
}

/* ---- the text part ---- */

static const char text_expected[] =
    "First paragraph, spread over lines.\n"
    "\n"
    "Second paragraph with nbsp.\n"
    "\n"
    "  - one\n"
    "  - two bold words\n"
    "\n"
    "Label                value one\n"
    "A much longer label here v2\n"
    "Head                 Before      After\n"
    "\n"
    "See the page <https://example.test/page> or write to us.\n"
    "\n"
    "https://example.test/same\n"
    "\n"
    "Last line.\n";

static void
test_text(void **state)
{
	struct held *h = *state;

	render_x(h, "text", "");
	assert_string_equal(h->out.text, text_expected);
	assert_null(strstr(h->out.text, "HIDDEN"));
	assert_null(strstr(h->out.text, "mailto"));
	assert_null(strstr(h->out.text, "\xc2\xa0"));
	check_text_shape(h->out.text);
}

/* Words of every length, CJK, a word longer than a line. */
static char *
long_paragraph(void)
{
	static const char *const words[] = { "a", "bb", "ccc", "dddd",
	    "eeeeeeeeeeeeeee", "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a",
	    "M\xc3\xbcller", "\xf0\x9f\x9a\x80", "word,", "(x)" };
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < 400; i++) {
		buf_puts(&b, words[(i * 7) % NELEM(words)]);
		buf_puts(&b, i % 13 == 0 ? "\t\n \xc2\xa0" : " ");
		if (i == 150)
			buf_puts(&b, "Averyveryveryveryveryveryveryveryveryvery"
			    "veryveryveryveryveryverylongword ");
	}
	return buf_release(&b);
}

static void
test_text_wrap(void **state)
{
	struct held *h = *state;
	const char *para, *url, *text;

	use_set(h, FIXTURES);
	new_vars(h);
	para = hold(h, long_paragraph());
	url = hold(h, xasprintf("https://example.test/%0100d", 7));
	tmpl_vars_set(h->vars, "long", para);
	tmpl_vars_set(h->vars, "item", para);
	tmpl_vars_set(h->vars, "url", url);
	render(h, "wrap");
	text = h->out.text;
	check_text_shape(text);
	assert_non_null(strstr(text, "\nAveryvery"));
	assert_non_null(strstr(text, "\n  - "));
	assert_non_null(strstr(text, url));
	assert_true(strstr(text, "the long link") < strstr(text, url));
	assert_null(strstr(text, "\xc2\xa0"));
}

/* An empty list item leaves nothing behind for what follows. */
static void
test_text_empty_item(void **state)
{
	struct held *h = *state;

	render_x(h, "emptyli", "");
	assert_string_equal(h->out.text, "After the list.\n");
}

static void
test_text_small(void **state)
{
	struct held *h = *state;

	render_x(h, "cond", "");
	assert_string_equal(h->out.text, "UNLESS-KEPT\n\nALWAYS\n");
}

/* ---- the real mail templates ---- */

#define ACTIONS_MAX 6

struct real_case {
	const char	*kind;
	const char	*to_support;
	const char	*actions[ACTIONS_MAX]; /* in order, near the top */
	const char	*absent[3];
	int		 nocase;
};

static const struct real_case real_cases[] = {
	{ "approval_request", "", { "Reply with APPROVE or REJECT" },
	    { NULL }, 0 },
	{ "approval_reminder", "", { "Reply with APPROVE or REJECT" },
	    { NULL }, 0 },
	{ "approval_receipt", "", { "Nothing more is needed" },
	    { "REJECT" }, 0 },
	{ "clarification", "", { "APPROVE or REJECT" }, { NULL }, 0 },
	{ "verification", "", { "Open the verification page" },
	    { NULL }, 0 },
	{ "verification_reminder", "", { "Open the verification page" },
	    { NULL }, 0 },
	{ "token_expired", "yes", { "RETRIGGER" },
	    { "contact support" }, 0 },
	{ "token_expired", "", { "contact support" }, { "RETRIGGER" }, 1 },
	{ "rejected", "yes", { "RETRIGGER" }, { NULL }, 0 },
	{ "rejected", "", { "No action is needed" }, { "RETRIGGER" }, 0 },
	{ "verified", "", { "support finalizes" }, { NULL }, 0 },
	{ "finalization_request", "yes", { "FINALIZE" }, { NULL }, 0 },
	{ "completed", "", { "Log in to the MSC", "Customers",
	    "Search for " CUSTOMER, "Access Tenant Console",
	    "Cloud Services Agreement" }, { NULL }, 0 },
	{ "delivery_failed", "yes", { "approval_request",
	    "admin@customer.test", "550 5.1.1 mailbox unknown" },
	    { NULL }, 0 },
	{ "unexpected_reply", "yes", { "was ignored",
	    "mallory@evil.test", "not from the recipient" }, { NULL }, 0 },
};

/* Every variable the workflow gives a mail. */
static void
real_vars(struct tmpl_vars *v, const char *to_support)
{
	static const char *const pairs[] = {
		"customer", CUSTOMER,
		"tenant_id", "7",
		"edition", "enterprise",
		"workloads", "m365, endpoints",
		"customer_admin", "admin@customer.test",
		"msp_admin", "msp@partner.test",
		"state", "awaiting_approval",
		"reply_to", REPLY_TO,
		"support", "support@msp.test",
		"now", "2026-11-28 10:00 UTC",
		"asked_at", "2026-11-20 09:30 UTC",
		"link", LINK,
		"link_expires", "2026-12-28 10:00 UTC",
		"link_expires_date", "2026-12-28",
		"plan", "Gold Plan",
		"expected", "EXPECTED-WORD",
		"expect_approval", "yes",
		"approve_word", "APPROVE",
		"reject_word", "REJECT",
		"approved", "yes",
		"decision", "APPROVE",
		"decision_word", "approved",
		"failed_kind", "approval_request",
		"failed_to", "admin@customer.test",
		"failed_reason", "550 5.1.1 mailbox unknown",
		"reply_from", "mallory@evil.test",
		"reason", "not from the recipient",
	};
	struct tmpl_vars *item;
	size_t i;

	for (i = 0; i < NELEM(pairs); i += 2)
		tmpl_vars_set(v, pairs[i], pairs[i + 1]);
	tmpl_vars_set(v, "to_support", to_support);
	item = tmpl_vars_item(v, "licences");
	tmpl_vars_set(item, "workload", "Microsoft 365");
	tmpl_vars_set(item, "expires", "2027-03-01");
	tmpl_vars_set(item, "after", "2029-11-28");
	item = tmpl_vars_item(v, "licences");
	tmpl_vars_set(item, "workload", "Endpoints");
	tmpl_vars_set(item, "expires", "2031-01-01");
	tmpl_vars_set(item, "after", "2029-11-28");
}

/* Every http(s) URL in the HTML is the link variable; no resources. */
static void
check_urls(const char *html)
{
	const char *p;

	for (p = html; (p = strcasestr(p, "http")) != NULL; p += 4)
		if ((strncasecmp(p, "https:", 6) == 0 ||
		    strncasecmp(p, "http:", 5) == 0) &&
		    strncmp(p, LINK, strlen(LINK)) != 0)
			fail_msg("resource '%.60s'", p);
	assert_null(strcasestr(html, "<script"));
	assert_null(strcasestr(html, "<img"));
	assert_null(strcasestr(html, "<link"));
	assert_null(strcasestr(html, "<iframe"));
	assert_null(strcasestr(html, "<object"));
	assert_null(strcasestr(html, "url("));
	assert_null(strcasestr(html, "src="));
}

/*
 * The text with each run of spaces and newlines made one space, so that
 * a phrase is found even where a line was wrapped; at[i] is where the
 * i-th byte came from.
 */
struct flat {
	char	*s;
	size_t	*at;
};

static void
flatten(struct held *h, const char *text, struct flat *f)
{
	size_t i, o = 0;
	int space = 0;

	f->s = hold(h, xcalloc(1, strlen(text) + 1));
	f->at = (size_t *)(void *)hold(h, xcalloc(strlen(text) + 1,
	    sizeof *f->at));
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == '\n' || text[i] == ' ') {
			space = 1;
			continue;
		}
		if (space && o > 0) {
			f->at[o] = i - 1;
			f->s[o++] = ' ';
		}
		space = 0;
		f->at[o] = i;
		f->s[o++] = text[i];
	}
	f->at[o] = i;
}

/* Characters of text up to the end of needle; -1 when not found. */
static long
phrase_end(const char *text, const struct flat *f, const char *needle,
    int nocase)
{
	const char *hit;
	size_t end;

	hit = nocase ? strcasestr(f->s, needle) : strstr(f->s, needle);
	if (hit == NULL)
		return -1;
	end = f->at[(size_t)(hit - f->s) + strlen(needle) - 1] + 1;
	return (long)chars_in(text, end);
}

/*
 * Each action is in the text, in order, and the absent phrases are not.
 * Returns how many actions end after ACTION_WITHIN characters (said on
 * stderr), so that one late phrase does not hide the other kinds.
 */
static int
check_actions(struct held *h, const struct real_case *c, const char *text)
{
	struct flat f;
	long end, last = 0;
	size_t i;
	int late = 0;

	flatten(h, text, &f);
	for (i = 0; i < ACTIONS_MAX && c->actions[i] != NULL; i++) {
		end = phrase_end(text, &f, c->actions[i], c->nocase);
		if (end < 0)
			fail_msg("%s: no '%s' in:\n%s", c->kind, c->actions[i],
			    text);
		if (end > ACTION_WITHIN) {
			fprintf(stderr, "%s: '%s' ends at %ld, after the first "
			    "%d characters of:\n%s", c->kind, c->actions[i],
			    end, ACTION_WITHIN, text);
			late++;
		}
		if (end < last)
			fail_msg("%s: '%s' out of order", c->kind,
			    c->actions[i]);
		last = end;
	}
	for (i = 0; i < NELEM(c->absent) && c->absent[i] != NULL; i++)
		if (strcasestr(f.s, c->absent[i]) != NULL)
			fail_msg("%s: '%s' should not be in:\n%s", c->kind,
			    c->absent[i], text);
	assert_non_null(strstr(f.s, CUSTOMER));
	return late;
}

static int
check_real(struct held *h, const struct real_case *c)
{
	char all[8192];

	assert_true(h->out.subject[0] != '\0');
	assert_non_null(strstr(h->out.subject, CUSTOMER));
	assert_true(utf8_valid(h->out.html, h->out.html_len));
	check_urls(h->out.html);
	parse(h);
	assert_int_equal(count_data_attrs(h->doc->children), 0);
	assert_int_equal(count_elements(h->doc, "script"), 0);
	assert_int_equal(count_elements(h->doc, "img"), 0);
	assert_int_equal(count_elements(h->doc, "title"), 1);
	assert_title(h->doc, h->out.subject);
	content_of(find_name(h->doc->children, "body"), all, sizeof all);
	assert_non_null(strstr(all, CUSTOMER));
	assert_null(strstr(h->out.text, "<span"));
	assert_null(strstr(h->out.text, "{"));
	check_text_shape(h->out.text);
	return check_actions(h, c, h->out.text);
}

static void
test_real_templates(void **state)
{
	struct held *h = *state;
	const struct real_case *c;
	size_t i;
	int late = 0;

	use_set(h, REAL);
	for (i = 0; i < NELEM(real_cases); i++) {
		c = &real_cases[i];
		real_vars(new_vars(h), c->to_support);
		render(h, c->kind);
		late += check_real(h, c);
	}
	assert_int_equal(late, 0);
}

/* Every kind has a case above. */
static void
test_real_kinds_covered(void **state)
{
	static const char *const kinds[] = { "approval_request",
	    "approval_reminder", "approval_receipt", "clarification",
	    "verification", "verification_reminder", "token_expired",
	    "rejected", "verified", "finalization_request", "completed",
	    "delivery_failed", "unexpected_reply" };
	struct held *h = *state;
	struct err err;
	size_t i, j;
	int found;

	use_set(h, REAL);
	for (i = 0; i < NELEM(kinds); i++) {
		found = 0;
		for (j = 0; j < NELEM(real_cases); j++)
			found |= strcmp(real_cases[j].kind, kinds[i]) == 0;
		assert_true(found);
		assert_int_equal(tmpl_check(h->set, kinds[i], &err), 1);
	}
}

/* Each <a> is a mailto: button whose body is its own label. */
static void
check_buttons(xmlNodePtr n, const char *subject)
{
	char href[LINE_BUF], label[LINE_BUF];
	xmlChar *v;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "a") == 0) {
			v = xmlGetProp(n, (const xmlChar *)"href");
			snprintf(href, sizeof href, "%s", v ? (char *)v : "");
			xmlFree(v);
			check_mailto(href, subject, content_of(n, label,
			    sizeof label));
		}
		check_buttons(n->children, subject);
	}
}

/* The parts of the real mails that depend on a variable. */
static void
test_real_details(void **state)
{
	struct held *h = *state;
	const char *text;

	use_set(h, REAL);
	real_vars(new_vars(h), "");
	render(h, "verification");
	assert_non_null(strstr(h->out.text, "<" LINK ">"));
	assert_non_null(strstr(h->out.text, "2026-12-28 10:00 UTC"));
	parse(h);
	assert_int_equal(count_elements(h->doc, "a"), 1);
	assert_non_null(strstr(h->out.html, "href=\"" LINK "\""));
	render(h, "completed");
	text = h->out.text;
	assert_non_null(strstr(text, "\n  - Log in to the MSC.\n"));
	assert_non_null(strstr(text, "\n  - Accept the Cloud Services "
	    "Agreement.\n"));
	assert_non_null(strstr(text, "\nProduct              Before      "
	    "After\n"));
	assert_non_null(strstr(text, "\nMicrosoft 365        2027-03-01  "
	    "2029-11-28\n"));
	assert_non_null(strstr(text, "\nEndpoints            2031-01-01  "
	    "2029-11-28\n"));
	assert_non_null(strstr(text, "Gold Plan"));
	render(h, "approval_request");
	parse(h);
	assert_int_equal(count_elements(h->doc, "a"), 2);
	check_buttons(h->doc->children, h->out.subject);
	assert_null(strstr(h->out.text, "mailto:"));
	assert_non_null(strstr(h->out.text, "\nMicrosoft 365        licensed "
	    "until 2027-03-01\n"));
}

/* ---- threads ---- */

#define RACES 50	/* fresh sets whose cache the threads fill at once */

static const char *const kind_names[] = { "approval_request",
    "approval_reminder", "approval_receipt", "clarification",
    "verification", "verification_reminder", "token_expired", "rejected",
    "verified", "finalization_request", "completed", "delivery_failed" };

struct worker {
	pthread_t		 thread;
	struct tmpl_set		*set;
	const struct tmpl_vars	*vars;
	const struct tmpl_out	*expected;	/* one per name */
	size_t			 nnames;	/* 1: the first only */
	size_t			 first;	/* where it starts */
	int			 rounds;
	pthread_barrier_t	*start;		/* all begin at once */
	int			 failures;
};

static int
same_out(const struct tmpl_out *a, const struct tmpl_out *b)
{
	return strcmp(a->subject, b->subject) == 0 &&
	    a->html_len == b->html_len &&
	    memcmp(a->html, b->html, a->html_len) == 0 &&
	    strcmp(a->text, b->text) == 0;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct tmpl_out out;
	struct err err;
	size_t i, k;
	int r;

	pthread_barrier_wait(w->start);
	for (r = 0; r < w->rounds; r++)
		for (i = 0; i < w->nnames; i++) {
			k = (w->first + i) % w->nnames;
			if (tmpl_render(w->set, kind_names[k], w->vars, &out,
			    &err) != 0) {
				w->failures++;
				continue;
			}
			if (!same_out(&out, &w->expected[k]))
				w->failures++;
			tmpl_out_clear(&out);
		}
	return NULL;
}

/* Runs THREADS workers on set; returns the failures they counted. */
static int
run_workers(struct tmpl_set *set, const struct tmpl_vars *vars,
    const struct tmpl_out *expected, size_t nnames, int rounds)
{
	struct worker w[THREADS];
	pthread_barrier_t start;
	int i, started = 0, failures = 0;

	assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].set = set;
		w[i].vars = vars;
		w[i].expected = expected;
		w[i].nnames = nnames;
		w[i].first = (size_t)i * 3;
		w[i].rounds = rounds;
		w[i].start = &start;
		if (pthread_create(&w[i].thread, NULL, worker_run, &w[i]) != 0)
			break;
		started++;
	}
	/* a thread that did not start would leave the others waiting */
	if (started < THREADS)
		fail_msg("pthread_create failed after %d threads", started);
	for (i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		failures += w[i].failures;
	}
	pthread_barrier_destroy(&start);
	return failures;
}

/* One template, THREADS threads, ROUNDS renders each, all identical. */
static void
test_threads(void **state)
{
	struct held *h = *state;

	use_set(h, REAL);
	real_vars(new_vars(h), "");
	render(h, "approval_request");
	/* a fresh set: the threads race to fill its cache */
	use_set(h, REAL);
	assert_int_equal(run_workers(h->set, h->vars, &h->out, 1, ROUNDS), 0);
}

/* Every kind at once into empty caches, over and over. */
static void
test_threads_cache(void **state)
{
	struct held *h = *state;
	struct tmpl_out expected[NELEM(kind_names)];
	struct err err;
	size_t k;
	int r, failures = 0;

	memset(expected, 0, sizeof expected);
	use_set(h, REAL);
	real_vars(new_vars(h), "");
	for (k = 0; k < NELEM(kind_names); k++)
		if (tmpl_render(h->set, kind_names[k], h->vars, &expected[k],
		    &err) != 0)
			failures++;
	for (r = 0; r < RACES && failures == 0; r++) {
		use_set(h, REAL);
		failures += run_workers(h->set, h->vars, expected,
		    NELEM(kind_names), 1);
	}
	for (k = 0; k < NELEM(kind_names); k++)
		tmpl_out_clear(&expected[k]);
	assert_int_equal(failures, 0);
}

/* The style attribute of the element with id is want ("": none). */
static void
assert_style(struct held *h, const char *id, const char *want)
{
	xmlChar *v;

	v = xmlGetProp(find_id(h->doc->children, id),
	    (const xmlChar *)"style");
	assert_string_equal(v ? (const char *)v : "", want);
	xmlFree(v);
}

/* data-style-P: a colour #rrggbb reaches the style, nothing else does. */
static void
test_style_colors(void **state)
{
	static const struct {
		const char	*value;		/* NULL: not set */
		int		 applied;
	} rows[] = {
		{ "#1a2B3c", 1 }, { "#000000", 1 }, { NULL, 0 }, { "", 0 },
		{ "red", 0 }, { "#123", 0 }, { "#1234567", 0 },
		{ "#12345g", 0 }, { "#123456;x", 0 },
		{ "#123456\"><script>", 0 }, { "url(x)", 0 },
		{ "expression(alert(1))", 0 },
	};
	struct held *h = *state;
	char sub[128], *want;
	size_t i;

	scratch_open(h, sub, sizeof sub);
	scratch_file(sub, "style.html", "<html><body>"
	    "<p id=\"a\" style=\"color:#000\" data-style-border-color=\"c\">A</p>"
	    "<p id=\"b\" data-style-color=\"c\">B</p>"
	    "<p id=\"c\" style=\"margin:0;\" data-style-background-color=\"c\">"
	    "C</p></body></html>", 0, "");
	use_set(h, sub);
	for (i = 0; i < NELEM(rows); i++) {
		new_vars(h);
		if (rows[i].value != NULL)
			tmpl_vars_set(h->vars, "c", rows[i].value);
		render(h, "style");
		parse(h);
		assert_int_equal(count_data_attrs(h->doc->children), 0);
		if (!rows[i].applied) {
			assert_style(h, "a", "color:#000");
			assert_style(h, "b", "");
			assert_style(h, "c", "margin:0;");
			continue;
		}
		want = xasprintf("color:#000;border-color:%s", rows[i].value);
		assert_style(h, "a", want);
		free(want);
		want = xasprintf("color:%s", rows[i].value);
		assert_style(h, "b", want);
		free(want);
		want = xasprintf("margin:0;background-color:%s", rows[i].value);
		assert_style(h, "c", want);
		free(want);
	}
}

/* The subject line: {name} filled, what is not a name kept, every
 * control character of a value (C0, DEL, C1) a space, one line. */
static void
test_subject_rows(void **state)
{
	static const struct {
		const char	*pattern;
		const char	*x;		/* NULL: not set */
		const char	*subject;
	} rows[] = {
		{ "a {x} b", "y", "a y b" },
		{ "{x}", "t\tu\x7fv\xc2\x85w\xc2\xa0z\xc2\x9f.",
		  "t u v w\xc2\xa0z ." },
		{ "{x}", "line\r\nbreak", "line  break" },
		{ "{}", "y", "{}" },
		{ "{x", "y", "{x" },
		{ "{x} {unknown}", "y", "y {unknown}" },
		{ "{x}", NULL, "{x}" },
		{ "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
		  "y",
		  "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}" },
		{ "\xc3\xa9t\xc3\xa9 {x}", "\xc3\xa9", "\xc3\xa9t\xc3\xa9 \xc3\xa9" },
	};
	struct held *h = *state;
	char sub[128], name[16], *page;
	size_t i;

	scratch_open(h, sub, sizeof sub);
	for (i = 0; i < NELEM(rows); i++) {
		snprintf(name, sizeof name, "s%zu.html", i);
		page = xasprintf("<html><head><meta name=\"subject\" "
		    "content=\"%s\"></head><body><p>x</p></body></html>",
		    rows[i].pattern);
		scratch_file(sub, name, page, 0, "");
		free(page);
	}
	use_set(h, sub);
	for (i = 0; i < NELEM(rows); i++) {
		new_vars(h);
		if (rows[i].x != NULL)
			tmpl_vars_set(h->vars, "x", rows[i].x);
		snprintf(name, sizeof name, "s%zu", i);
		render(h, name);
		if (strcmp(h->out.subject, rows[i].subject) != 0)
			fail_msg("'%s': '%s'", rows[i].pattern, h->out.subject);
	}
}

/* data-style-P with P not a property as templates write them (letters
 * and '-'; HTML makes names lower case): dropped, whatever the value. */
static void
test_style_bad_property(void **state)
{
	struct held *h = *state;
	char sub[128];

	scratch_open(h, sub, sizeof sub);
	scratch_file(sub, "style.html", "<html><body>"
	    "<p id=\"a\" data-style-color2=\"c\">A</p>"
	    "<p id=\"b\" data-style-=\"c\">B</p>"
	    "<p id=\"c\" data-style-co_lor=\"c\" data-style-color=\"c\">C</p>"
	    "</body></html>", 0, "");
	use_set(h, sub);
	tmpl_vars_set(new_vars(h), "c", "#123456");
	render(h, "style");
	parse(h);
	assert_int_equal(count_data_attrs(h->doc->children), 0);
	assert_style(h, "a", "");
	assert_style(h, "b", "");
	assert_style(h, "c", "color:#123456");
}

/* The languages a set can write: the source's, then one per catalog,
 * as the shipped templates have them. */
static void
test_languages(void **state)
{
	static const char *const shipped[] = {
		"en", "de", "es", "fr", "it", "ja", "nl", "pt",
	};
	struct held *h = *state;
	struct strvec tags = { 0 };
	struct err err;
	size_t i, j;

	use_set(h, "mailtemplates");
	err_clear(&err);
	assert_int_equal(tmpl_languages(h->set, &tags, &err), 0);
	assert_int_equal(tags.n, NELEM(shipped));
	assert_string_equal(tags.v[0], "en");
	for (i = 0; i < NELEM(shipped); i++) {
		for (j = 0; j < tags.n; j++)
			if (strcmp(tags.v[j], shipped[i]) == 0)
				break;
		if (j == tags.n)
			fail_msg("%s missing", shipped[i]);
	}
	strvec_clear(&tags);
	/* A folder without catalogs: the source language alone. */
	use_set(h, FIXTURES);
	assert_int_equal(tmpl_languages(h->set, &tags, &err), 0);
	assert_int_equal(tags.n, 1);
	assert_string_equal(tags.v[0], "en");
	strvec_clear(&tags);
}

/*
 * A set's catalogs as a render finds them: a broken one left out (its
 * language falls back, tmpl_languages says why), files that are not
 * catalogs ignored, the language by tag, by default and by
 * Accept-Language, values that are words translated, and the catalogs
 * read again after a reload.
 */
static void
test_catalogs(void **state)
{
	struct held *h = *state;
	struct strvec tags = { 0 };
	char sub[128], po[160], out[LANG_TAG_MAX + 1];
	struct err err;

	scratch_open(h, sub, sizeof sub);
	scratch_file(sub, "hi.html", "<html><head><meta name=\"subject\" "
	    "content=\"Hello {who}\"></head><body><p id=\"p\">Hello "
	    "<b data-var=\"who\"></b></p><p id=\"w\" data-var=\"w\"></p>"
	    "</body></html>", 0, "");
	snprintf(po, sizeof po, "%s/po", sub);
	assert_int_equal(mkdir(po, 0700), 0);
	scratch_file(po, "de.po", "msgid \"Hello {who}\"\nmsgstr \"Hallo "
	    "{who}\"\n\nmsgid \"Customer\"\nmsgstr \"Kunde\"\n", 0, "");
	scratch_file(po, "fr.po", "msgid \"Hello\"\n", 0, "");
	scratch_file(po, "xx_bad.po", "", 0, "");
	scratch_file(po, "notes.txt", "", 0, "");
	use_set(h, sub);
	err_clear(&err);
	assert_int_equal(tmpl_languages(h->set, &tags, &err), -1);
	assert_non_null(strstr(err.msg, "fr.po:1: an entry needs both"));
	assert_int_equal(tags.n, 2);
	assert_string_equal(tags.v[1], "de");
	strvec_clear(&tags);

	tmpl_language(h->set, "de-CH", out);
	assert_string_equal(out, "de");
	tmpl_language(h->set, "fr", out);
	assert_string_equal(out, "en");
	assert_int_equal(tmpl_accept_language(h->set, "fr, de;q=0.1", out),
	    1);
	assert_string_equal(out, "de");
	assert_int_equal(tmpl_accept_language(h->set, "fr", out), 0);
	assert_string_equal(out, "");
	assert_string_equal(tmpl_translate(h->set, "de", "Customer"), "Kunde");
	assert_string_equal(tmpl_translate(h->set, "fr", "Customer"),
	    "Customer");

	new_vars(h);
	tmpl_vars_set(h->vars, "who", "Anna");
	tmpl_vars_set_msgid(h->vars, "w", "Customer");
	tmpl_vars_set_language(h->vars, "de");
	render(h, "hi");
	assert_string_equal(h->out.subject, "Hallo Anna");
	assert_string_equal(h->out.language, "de");
	assert_non_null(strstr(h->out.html, "<p id=\"w\">Kunde</p>"));
	/* No tag: the set's default; one without a catalog: English. */
	tmpl_vars_set_language(h->vars, NULL);
	tmpl_set_language(h->set, "de-AT");
	render(h, "hi");
	assert_string_equal(h->out.language, "de");
	tmpl_set_language(h->set, "fr");
	render(h, "hi");
	assert_string_equal(h->out.language, "en");
	assert_string_equal(h->out.subject, "Hello Anna");
	/* Read again after a reload: the French catalog, mended. */
	scratch_file(po, "fr.po", "msgid \"Hello {who}\"\nmsgstr \"Bonjour "
	    "{who}\"\n", 0, "");
	tmpl_set_reload(h->set);
	render(h, "hi");
	assert_string_equal(h->out.language, "fr");
	assert_string_equal(h->out.subject, "Bonjour Anna");
	assert_int_equal(tmpl_languages(h->set, &tags, &err), 0);
	assert_int_equal(tags.n, 3);
	strvec_clear(&tags);
}

/* A set's globals come after a render's own variables, lists too. */
static void
test_globals(void **state)
{
	struct held *h = *state;
	struct tmpl_vars *g, *item;
	char sub[128], *subject;
	struct err err;

	scratch_open(h, sub, sizeof sub);
	scratch_file(sub, "g.html", "<html><head><meta name=\"subject\" "
	    "content=\"{g} {x}\"></head><body>"
	    "<p id=\"g\" data-var=\"g\"></p><p id=\"x\" data-var=\"x\"></p>"
	    "<ul><li data-each=\"l\" data-var=\"g\"></li></ul>"
	    "</body></html>", 0, "");
	use_set(h, sub);
	g = tmpl_vars_new();
	tmpl_vars_set(g, "g", "GLOBAL");
	tmpl_vars_set(g, "x", "global x");
	tmpl_set_globals(h->set, g);
	new_vars(h);
	tmpl_vars_set(h->vars, "x", "own x");
	item = tmpl_vars_item(h->vars, "l");
	tmpl_vars_set(item, "y", "1");
	render(h, "g");
	assert_string_equal(h->out.subject, "GLOBAL own x");
	assert_non_null(strstr(h->out.html, "<p id=\"g\">GLOBAL</p>"));
	assert_non_null(strstr(h->out.html, "<p id=\"x\">own x</p>"));
	assert_non_null(strstr(h->out.html, "<li>GLOBAL</li>"));
	err_clear(&err);
	assert_int_equal(tmpl_subject(h->set, "g", h->vars, &subject, &err), 0);
	assert_string_equal(subject, "GLOBAL own x");
	free(subject);
	/* The caller's variables are untouched: without globals, no g. */
	use_set(h, sub);
	render(h, "g");
	assert_string_equal(h->out.subject, "{g} own x");
}

/* The branding variables as brand.h names them, all empty. */
static struct tmpl_vars *
empty_brand(void)
{
	static const char *const names[] = {
		"company", "support_contact", "support_href", "accent_color",
		"has_logo", "has_header",
	};
	struct tmpl_vars *v = tmpl_vars_new();
	size_t i;

	for (i = 0; i < NELEM(names); i++)
		tmpl_vars_set(v, names[i], "");
	return v;
}

/*
 * Without branding the shipped layouts leave no trace of it: a mail and
 * a page come out byte for byte as without the branding variables.
 */
static void
test_layouts_unbranded(void **state)
{
	static const char *const names[] = {
		"approval_request", "verified", "delivery_failed",
	};
	struct held *h = *state;
	struct tmpl_out plain;
	char *page = NULL, *page2 = NULL;
	size_t i, len, len2;
	struct err err;

	for (i = 0; i < NELEM(names); i++) {
		use_set(h, "mailtemplates");
		new_vars(h);
		tmpl_vars_set(h->vars, "customer", "Contoso");
		render(h, names[i]);
		plain = h->out;
		memset(&h->out, 0, sizeof h->out);
		tmpl_set_globals(h->set, empty_brand());
		render(h, names[i]);
		assert_string_equal(h->out.html, plain.html);
		assert_string_equal(h->out.text, plain.text);
		assert_string_equal(h->out.subject, plain.subject);
		assert_null(strstr(plain.html, "cid:"));
		tmpl_out_clear(&plain);
	}
	use_set(h, "mailtemplates");
	err_clear(&err);
	assert_int_equal(tmpl_render_page(h->set, "page_message", h->vars,
	    &page, &len, &err), 0);
	tmpl_set_globals(h->set, empty_brand());
	assert_int_equal(tmpl_render_page(h->set, "page_message", h->vars,
	    &page2, &len2, &err), 0);
	assert_int_equal(len, len2);
	assert_string_equal(page, page2);
	assert_null(strstr(page, "logo.png"));
	free(page);
	free(page2);
}

/* With branding: the company, the support line, the colour and the logo
 * by cid: in the mail; the logo by its path on the pages. */
static void
test_layouts_branded(void **state)
{
	struct held *h = *state;
	struct tmpl_vars *g;
	char *page = NULL;
	size_t len;
	struct err err;

	use_set(h, "mailtemplates");
	g = tmpl_vars_new();
	tmpl_vars_set(g, "company", "M\xc3\xbcller & S\xc3\xb6hne <IT>");
	tmpl_vars_set(g, "support_contact", "help@muller.example");
	tmpl_vars_set(g, "support_href", "mailto:help@muller.example");
	tmpl_vars_set(g, "accent_color", "#1a2b3c");
	tmpl_vars_set(g, "has_logo", "yes");
	tmpl_vars_set(g, "has_header", "yes");
	tmpl_set_globals(h->set, g);
	new_vars(h);
	tmpl_vars_set(h->vars, "customer", "Contoso");
	render(h, "approval_request");
	assert_non_null(strstr(h->out.html,
	    "src=\"cid:logo@mscagent.invalid\""));
	assert_non_null(strstr(h->out.html,
	    "M\xc3\xbcller &amp; S\xc3\xb6hne &lt;IT&gt;"));
	assert_non_null(strstr(h->out.html, "color:#1a2b3c"));
	assert_non_null(strstr(h->out.html, "background-color:#1a2b3c"));
	assert_non_null(strstr(h->out.html,
	    "href=\"mailto:help@muller.example\""));
	assert_null(strstr(h->out.html, "your managed-service provider"));
	assert_non_null(strstr(h->out.text, "M\xc3\xbcller & S\xc3\xb6hne <IT>"));
	assert_non_null(strstr(h->out.text, "help@muller.example"));
	err_clear(&err);
	assert_int_equal(tmpl_render_page(h->set, "page_message", h->vars,
	    &page, &len, &err), 0);
	assert_non_null(strstr(page, "src=\"/logo.png\""));
	assert_non_null(strstr(page, "Support: <a href=\"mailto:"));
	assert_null(strstr(page, "cid:"));
	free(page);
}

#define T(f) cmocka_unit_test_setup_teardown(f, held_setup, held_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_var_is_text),
		T(test_href),
		T(test_path),
		T(test_svg),
		T(test_title_escaped),
		T(test_raw_text_elements),
		T(test_bad_utf8_value),
		T(test_if_unless),
		T(test_boolean_attrs),
		T(test_style_colors),
		T(test_globals),
		T(test_subject_rows),
		T(test_style_bad_property),
		T(test_languages),
		T(test_catalogs),
		T(test_layouts_unbranded),
		T(test_layouts_branded),
		T(test_each),
		T(test_mailto),
		T(test_mailto_in_each),
		T(test_subject),
		T(test_subject_unknown),
		T(test_subject_c1),
		T(test_subject_one_line),
		T(test_no_subject),
		T(test_layout),
		T(test_layout_errors),
		T(test_missing_template),
		T(test_invalid_names),
		T(test_file_size),
		T(test_output_size),
		T(test_output_size_exact),
		T(test_value_limit),
		T(test_nesting_limit),
		T(test_check),
		T(test_deep_template),
		T(test_text),
		T(test_text_wrap),
		T(test_text_empty_item),
		T(test_text_small),
		T(test_real_templates),
		T(test_real_kinds_covered),
		T(test_real_details),
		T(test_threads),
		T(test_threads_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
