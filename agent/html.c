/* html.c: an HTML mail body as text, with quoted parts marked by "> ". */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html.h"
#include "util.h"

/* The text made is at most this long; the reply reader looks at less. */
#define HTML_TEXT_MAX	HTML_INPUT_MAX

struct writer {
	struct buf	 out;
	int		 level;		/* quote level of the open elements */
	int		 outlook;	/* past Outlook's quote marker */
	int		 bol;		/* at the beginning of a line */
	int		 space;		/* a space is owed before more text */
	int		 pre;		/* inside <pre>: keep line breaks */
	int		 full;		/* HTML_TEXT_MAX reached */
};

static const char *const skipped[] = {
	"script", "style", "head", "title", "template", "noscript", NULL
};

static const char *const blocks[] = {
	"address", "article", "aside", "blockquote", "center", "dd", "div",
	"dl", "dt", "fieldset", "figure", "footer", "form", "h1", "h2", "h3",
	"h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
	"pre", "section", "table", "tbody", "tfoot", "thead", "tr", "ul",
	NULL
};

/* Classes that hold the quoted mail (Gmail, Yahoo). */
static const char *const quote_classes[] = {
	"gmail_quote", "yahoo_quoted", NULL
};

/* Ids after which everything is the quoted mail (Outlook). */
static const char *const outlook_ids[] = {
	"appendonsend", "divRplyFwdMsg", "stopSpelling", "OLK_SRC_BODY_SECTION",
	"mail-editor-reference-message-container", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static int
is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

/* 1 when the space-separated class attribute holds one of list. */
static int
has_class(const xmlNode *n, const char *const *list)
{
	xmlChar *attr;
	char *tok, *save = NULL;
	int found = 0;

	if ((attr = xmlGetProp(n, (const xmlChar *)"class")) == NULL)
		return 0;
	for (tok = strtok_r((char *)attr, " \t\r\n\f", &save); tok != NULL &&
	    !found; tok = strtok_r(NULL, " \t\r\n\f", &save))
		found = in_list(list, tok);
	xmlFree(attr);
	return found;
}

static int
has_id(const xmlNode *n, const char *const *list)
{
	xmlChar *attr;
	int found;

	if ((attr = xmlGetProp(n, (const xmlChar *)"id")) == NULL)
		return 0;
	found = in_list(list, (const char *)attr);
	xmlFree(attr);
	return found;
}

static int
is_quote(const xmlNode *n)
{
	return is_element(n, "blockquote") ||
	    (n->type == XML_ELEMENT_NODE && has_class(n, quote_classes));
}

static void
put(struct writer *w, const char *s, size_t len)
{
	if (w->full || w->out.len + len > HTML_TEXT_MAX) {
		w->full = 1;
		return;
	}
	buf_append(&w->out, s, len);
}

/* The "> " marks of the current level; bare ones on an empty line. */
static void
put_prefix(struct writer *w, int empty)
{
	int i, level;

	level = w->level + w->outlook;
	for (i = 0; i < level; i++) {
		if (empty)
			put(w, i + 1 < level ? "> " : ">", i + 1 < level ? 2 : 1);
		else
			put(w, "> ", 2);
	}
}

static void
end_line(struct writer *w)
{
	if (!w->bol)
		put(w, "\n", 1);
	w->bol = 1;
	w->space = 0;
}

/* A <br>: ends the line, or writes an empty one. */
static void
line_break(struct writer *w)
{
	if (w->bol) {
		put_prefix(w, 1);
		put(w, "\n", 1);
	}
	end_line(w);
}

static void
put_char(struct writer *w, const char *s, size_t len)
{
	if (w->bol)
		put_prefix(w, 0);
	else if (w->space)
		put(w, " ", 1);
	put(w, s, len);
	w->bol = 0;
	w->space = 0;
}

/* Bytes of HTML white space at s (NBSP included), or 0. */
static size_t
space_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\n')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	return 0;
}

/* Text with its white space collapsed, as a browser shows it. */
static void
put_text(struct writer *w, const char *s)
{
	size_t n;

	while (*s != '\0' && !w->full) {
		if (w->pre && *s == '\n') {
			line_break(w);
			s++;
		} else if ((n = space_len(s)) > 0) {
			if (!w->bol)
				w->space = 1;
			s += n;
		} else {
			for (n = 1; (s[n] & 0xc0) == 0x80; n++)
				;
			put_char(w, s, n);
			s += n;
		}
	}
}

/*
 * 1 when n is walked at all: text, or an element not skipped.  libxml2
 * 2.9 itself stops parsing 256 levels deep; the depth check keeps the
 * walk bounded whatever the library does.
 */
static int
walked(const xmlNode *n, int depth)
{
	if (n->type == XML_TEXT_NODE)
		return 1;
	return n->type == XML_ELEMENT_NODE && depth < HTML_DEPTH_MAX &&
	    !in_list(skipped, (const char *)n->name);
}

/* Opens a walked node. */
static void
enter(struct writer *w, const xmlNode *n)
{
	const char *name = (const char *)n->name;

	if (n->type == XML_TEXT_NODE) {
		put_text(w, (const char *)n->content);
		return;
	}
	if (has_id(n, outlook_ids)) {
		end_line(w);
		w->outlook = 1;
	}
	if (in_list(blocks, name))
		end_line(w);
	else if (strcmp(name, "br") == 0)
		line_break(w);
	else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		w->space = !w->bol;
	if (is_quote(n))
		w->level++;
	if (strcmp(name, "pre") == 0)
		w->pre++;
}

/* Closes a walked node. */
static void
leave(struct writer *w, const xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return;
	if (in_list(blocks, (const char *)n->name))
		end_line(w);
	if (is_quote(n))
		w->level--;
	if (is_element(n, "pre"))
		w->pre--;
}

/*
 * Walks the tree in document order without recursion, through the
 * parent links, so no markup can exhaust the stack.
 */
static void
walk(struct writer *w, xmlNode *root)
{
	xmlNode *n = root;
	int depth = 0;

	while (!w->full) {
		if (walked(n, depth)) {
			enter(w, n);
			if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
				n = n->children;
				depth++;
				continue;
			}
			leave(w, n);
		}
		while (n != root && n->next == NULL) {
			n = n->parent;
			depth--;
			leave(w, n);
		}
		if (n == root)
			break;
		n = n->next;
	}
}

/*
 * A copy where each byte that is not part of well-formed UTF-8, and each
 * NUL, is U+FFFD, so libxml2 never falls back to Latin-1 half way.
 */
static char *
utf8_repaired(const char *s, size_t len)
{
	static const char fffd[] = "\xef\xbf\xbd";
	struct buf b = { 0 };
	size_t i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		if ((unsigned char)s[i] >= 0xc0)
			n = (unsigned char)s[i] >= 0xf0 ? 4 :
			    (unsigned char)s[i] >= 0xe0 ? 3 : 2;
		if (n > len - i || !utf8_valid(s + i, n) || s[i] == '\0') {
			buf_append(&b, fffd, 3);
			n = 1;
		} else
			buf_append(&b, s + i, n);
	}
	return buf_release(&b);
}

/* Drops the line break the last block left, and trailing space. */
static void
trim_end(struct buf *b)
{
	while (b->len > 0 && (b->data[b->len - 1] == '\n' ||
	    b->data[b->len - 1] == ' '))
		b->data[--b->len] = '\0';
}

/*
 * Known limits of libxml2's error recovery, kept on purpose: an end tag
 * that does not match (<blockquote>q<div>r</blockquote>after) is
 * ignored, so "after" stays inside the quote and comes out quoted; and
 * markup nested deeper than 256 elements stops the parse, so the text
 * after it is lost.  Both can only hide own text, never show a quote.
 */
char *
html_to_text(const char *html, size_t len)
{
	struct writer w = { .bol = 1 };
	htmlDocPtr doc = NULL;
	xmlNode *root;
	char *src;

	if (html == NULL || len == 0)
		return xstrdup("");
	if (len > HTML_INPUT_MAX)
		len = HTML_INPUT_MAX;
	src = utf8_repaired(html, len);
	doc = htmlReadMemory(src, (int)strlen(src), NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	free(src);
	if (doc == NULL)
		return xstrdup("");
	if ((root = xmlDocGetRootElement(doc)) != NULL)
		walk(&w, root);
	xmlFreeDoc(doc);
	trim_end(&w.out);
	return buf_release(&w.out);
}
