/* html.c: HTML as text, with quoted parts marked by "> ", laid out for
 * the reply reader or for a person (html.h). */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "html.h"
#include "util.h"

/* The text made is at most this long; the reply reader looks at less. */
#define HTML_TEXT_MAX	HTML_INPUT_MAX

/* HTML_TEXT_COLUMNS: a row's first cell is a label this wide, the
 * others columns of this width. */
#define LABEL_WIDTH	20
#define CELL_WIDTH	12

struct writer {
	struct buf	 out;
	unsigned int	 flags;		/* HTML_TEXT_* */
	int		 level;		/* quote level of the open elements */
	int		 outlook;	/* past Outlook's quote marker */
	int		 bol;		/* at the beginning of a line */
	int		 space;		/* a space is owed before more text */
	int		 newlines;	/* line ends at the end of out */
	int		 blank;		/* a blank line is owed before more
					   text (HTML_TEXT_PARAGRAPHS) */
	int		 pre;		/* inside <pre>: keep line breaks */
	int		 full;		/* HTML_TEXT_MAX reached */
	size_t		 col;		/* columns of the current line */
	size_t		 word;		/* where the word being written
					   starts in out */
	int		 movable;	/* a space before it: wrap may move
					   it to the next line */
	const char	*bullet;	/* owed before the item's text */
	size_t		 cell[HTML_DEPTH_MAX];	/* column where the cell
						   open at that depth began */
};

static const char *const skipped[] = {
	"script", "style", "head", "title", "template", "noscript", NULL
};

/*
 * The block elements: each starts and ends a line.  BLOCK_PARAGRAPH ones
 * stand apart by a blank line with HTML_TEXT_PARAGRAPHS; BLOCK_LINE ones
 * are lines of a list or table, which keep together.
 */
enum block_kind {
	BLOCK_NONE = 0,
	BLOCK_PARAGRAPH,
	BLOCK_LINE,
};

struct block {
	const char	*name;
	enum block_kind	 kind;
};

static const struct block blocks[] = {
	{ "address", BLOCK_PARAGRAPH },	{ "article", BLOCK_PARAGRAPH },
	{ "aside", BLOCK_PARAGRAPH },	{ "blockquote", BLOCK_PARAGRAPH },
	{ "center", BLOCK_PARAGRAPH },	{ "dd", BLOCK_LINE },
	{ "div", BLOCK_PARAGRAPH },	{ "dl", BLOCK_PARAGRAPH },
	{ "dt", BLOCK_LINE },		{ "fieldset", BLOCK_PARAGRAPH },
	{ "figure", BLOCK_PARAGRAPH },	{ "footer", BLOCK_PARAGRAPH },
	{ "form", BLOCK_PARAGRAPH },	{ "h1", BLOCK_PARAGRAPH },
	{ "h2", BLOCK_PARAGRAPH },	{ "h3", BLOCK_PARAGRAPH },
	{ "h4", BLOCK_PARAGRAPH },	{ "h5", BLOCK_PARAGRAPH },
	{ "h6", BLOCK_PARAGRAPH },	{ "header", BLOCK_PARAGRAPH },
	{ "hr", BLOCK_PARAGRAPH },	{ "li", BLOCK_LINE },
	{ "main", BLOCK_PARAGRAPH },	{ "nav", BLOCK_PARAGRAPH },
	{ "ol", BLOCK_PARAGRAPH },	{ "p", BLOCK_PARAGRAPH },
	{ "pre", BLOCK_PARAGRAPH },	{ "section", BLOCK_PARAGRAPH },
	{ "table", BLOCK_PARAGRAPH },	{ "tbody", BLOCK_LINE },
	{ "tfoot", BLOCK_LINE },	{ "thead", BLOCK_LINE },
	{ "tr", BLOCK_LINE },		{ "ul", BLOCK_PARAGRAPH },
	{ NULL, BLOCK_NONE }
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

static int
block_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct block *)elem)->name);
}

/* blocks is sorted by name: each element of every text is looked up. */
static enum block_kind
block_kind(const char *name)
{
	const struct block *b;

	b = bsearch(name, blocks, sizeof blocks / sizeof blocks[0] - 1,
	    sizeof blocks[0], block_cmp);
	return b != NULL ? b->kind : BLOCK_NONE;
}

static int
is_cell(const xmlNode *n)
{
	return is_element(n, "td") || is_element(n, "th");
}

static int
is_cell_name(const char *name)
{
	return strcmp(name, "td") == 0 || strcmp(name, "th") == 0;
}

/* 1 when the space-separated class attribute holds one of list. */
static int
has_class(const char *classes, const char *const *list)
{
	char *copy, *tok, *save = NULL;
	int found = 0;

	copy = xstrdup(classes);
	for (tok = strtok_r(copy, " \t\r\n\f", &save); tok != NULL &&
	    !found; tok = strtok_r(NULL, " \t\r\n\f", &save))
		found = in_list(list, tok);
	free(copy);
	return found;
}

void
html_el_init(struct html_el *e, const char *name, const char *id,
    const char *classes)
{
	memset(e, 0, sizeof *e);
	e->name = name;
	e->quote = strcmp(name, "blockquote") == 0 ||
	    (classes != NULL && has_class(classes, quote_classes));
	e->outlook = id != NULL && in_list(outlook_ids, id);
}

int
html_text_skips(const char *name)
{
	return in_list(skipped, name);
}

/* An element of a tree as the writer sees it; its id and class are
 * looked at only when it has attributes at all. */
static void
tree_el(struct html_el *e, const xmlNode *n)
{
	const char *id = NULL, *classes = NULL;
	const xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->children == NULL || a->children->type != XML_TEXT_NODE ||
		    a->children->next != NULL)
			continue;
		if (strcmp((const char *)a->name, "id") == 0 && id == NULL)
			id = (const char *)a->children->content;
		else if (strcmp((const char *)a->name, "class") == 0 &&
		    classes == NULL)
			classes = (const char *)a->children->content;
	}
	html_el_init(e, (const char *)n->name, id, classes);
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

/* Drops the spaces that end out: table padding at the end of a line. */
static void
trim_spaces(struct writer *w)
{
	while (w->out.len > 0 && w->out.data[w->out.len - 1] == ' ')
		w->out.data[--w->out.len] = '\0';
}

static void
end_line(struct writer *w)
{
	if (!w->bol) {
		trim_spaces(w);
		put(w, "\n", 1);
		w->newlines = 1;
	}
	w->bol = 1;
	w->space = 0;
	w->col = 0;
}

/* An empty line, with the quote marks of its level. */
static void
empty_line(struct writer *w)
{
	put_prefix(w, 1);
	put(w, "\n", 1);
	w->newlines++;
}

/*
 * The blank line owed between paragraphs.  It is written only when more
 * follows, and before a quote's level changes, so that it takes the
 * lower level: no "> " line opens or closes a quote.
 */
static void
put_blank(struct writer *w)
{
	if (w->blank && w->newlines < 2)
		empty_line(w);
	w->blank = 0;
}

/* A block starts or ends: a new line, and a blank one around a
 * paragraph when asked; never at the top of the text. */
static void
block_break(struct writer *w, enum block_kind kind)
{
	end_line(w);
	if (kind == BLOCK_PARAGRAPH && (w->flags & HTML_TEXT_PARAGRAPHS) &&
	    w->out.len > 0)
		w->blank = 1;
}

/* A <br>: ends the line, or writes an empty one. */
static void
line_break(struct writer *w)
{
	if (w->bol) {
		put_blank(w);
		empty_line(w);
	}
	end_line(w);
}

/* Moves the word being written to a new line, the space before it
 * dropped. */
static void
wrap_word(struct writer *w)
{
	char *word;
	size_t len;

	len = w->out.len - w->word;
	word = xstrndup(w->out.data + w->word, len);
	w->out.len = w->word;
	w->out.data[w->out.len] = '\0';
	trim_spaces(w);
	put(w, "\n", 1);
	put_prefix(w, 0);
	w->col = (size_t)(w->level + w->outlook) * 2 + utf8_width_n(word, len);
	w->word = w->out.len;
	w->movable = 0;
	put(w, word, len);
	free(word);
}

/* One character (len bytes), after the quote marks, list bullet or
 * space it is owed. */
static void
put_char(struct writer *w, const char *s, size_t len)
{
	if (w->bol) {
		put_blank(w);
		put_prefix(w, 0);
		w->col = (size_t)(w->level + w->outlook) * 2;
		if (w->bullet != NULL) {
			put(w, w->bullet, strlen(w->bullet));
			w->col += utf8_width(w->bullet);
			w->bullet = NULL;
		}
		w->word = w->out.len;
		w->movable = 0;
	} else if (w->space) {
		put(w, " ", 1);
		w->col++;
		w->word = w->out.len;
		w->movable = 1;
	}
	put(w, s, len);
	w->col += utf8_width_n(s, len);
	w->bol = 0;
	w->space = 0;
	w->newlines = 0;
	if ((w->flags & HTML_TEXT_WRAP) && w->movable && !w->pre &&
	    w->col > HTML_TEXT_WIDTH)
		wrap_word(w);
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

/* Bytes of the UTF-8 character at s. */
static size_t
char_len(const char *s)
{
	size_t n;

	for (n = 1; (s[n] & 0xc0) == 0x80; n++)
		;
	return n;
}

/* Bytes of the run of printable ASCII at s, white space excluded. */
static size_t
ascii_run(const char *s)
{
	size_t n;

	for (n = 0; (unsigned char)s[n] > 0x20 && (unsigned char)s[n] < 0x7f;
	    n++)
		;
	return n;
}

/*
 * The characters of a word after its first, at once: what put_char
 * would do one by one, since only the first of a word can be owed a
 * space or a line's start, and a wrap moves the whole word however
 * much of it had been written.  One column each.
 */
static void
put_rest(struct writer *w, const char *s, size_t len)
{
	if (w->out.len + len > HTML_TEXT_MAX) {
		for (; len > 0; s++, len--)
			put_char(w, s, 1);
		return;
	}
	buf_append(&w->out, s, len);
	w->col += len;
	if ((w->flags & HTML_TEXT_WRAP) && w->movable && !w->pre &&
	    w->col > HTML_TEXT_WIDTH)
		wrap_word(w);
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
		} else if ((n = ascii_run(s)) > 1) {
			put_char(w, s, 1);
			if (!w->full)
				put_rest(w, s + 1, n - 1);
			s += n;
		} else {
			n = char_len(s);
			put_char(w, s, n);
			s += n;
		}
	}
}

/* Text written as one word, white space and all: a link's url. */
static void
put_word(struct writer *w, const char *s)
{
	size_t n;

	for (; *s != '\0' && !w->full; s += n) {
		n = char_len(s);
		put_char(w, s, n);
	}
}

/* HTML_TEXT_LINKS: " <url>" after a web link's text, unless the text
 * is the url already; a mailto: link is a button, explained in words. */
static void
put_link(struct writer *w, const char *href, const char *label)
{
	char *shown;

	if (href != NULL && strncmp(href, "mailto:", 7) != 0 &&
	    label != NULL && strcmp(label, href) != 0) {
		shown = xasprintf("<%s>", href);
		w->space = 1;
		put_word(w, shown);
		free(shown);
	}
}

/* 1 when cell is the first cell of its row. */
static int
first_cell(const xmlNode *cell)
{
	for (cell = cell->prev; cell != NULL; cell = cell->prev)
		if (is_cell(cell))
			return 0;
	return 1;
}

/* HTML_TEXT_COLUMNS: pads the cell that began at column start. */
static void
pad_cell(struct writer *w, int first, size_t start)
{
	size_t end = start + (first ? LABEL_WIDTH : CELL_WIDTH);

	while (w->col > 0 && w->col < end && !w->full) {
		put(w, " ", 1);
		w->col++;
	}
	w->space = 1;
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

/* Opens an element, depth elements deep. */
static void
enter(struct writer *w, const struct html_el *e, int depth)
{
	const char *name = e->name;
	enum block_kind kind;

	if (e->outlook) {
		end_line(w);
		put_blank(w);
		w->outlook = 1;
	}
	if ((kind = block_kind(name)) != BLOCK_NONE)
		block_break(w, kind);
	else if (strcmp(name, "br") == 0)
		line_break(w);
	else if (is_cell_name(name)) {
		w->cell[depth] = w->col;
		w->space = !w->bol;
	}
	if (e->quote) {
		put_blank(w);
		w->level++;
	}
	if (strcmp(name, "pre") == 0)
		w->pre++;
	if (strcmp(name, "li") == 0 && (w->flags & HTML_TEXT_BULLETS))
		w->bullet = "  - ";
	if (strcmp(name, "hr") == 0 && (w->flags & HTML_TEXT_RULES))
		put_text(w, "----");
}

/* Closes an element, depth elements deep. */
static void
leave(struct writer *w, const struct html_el *e, int depth)
{
	const char *name = e->name;
	enum block_kind kind;

	if (strcmp(name, "a") == 0 && (w->flags & HTML_TEXT_LINKS))
		put_link(w, e->href, e->label);
	if (is_cell_name(name) && (w->flags & HTML_TEXT_COLUMNS))
		pad_cell(w, e->first_cell, w->cell[depth]);
	if (strcmp(name, "li") == 0)
		w->bullet = NULL;	/* an empty item writes nothing */
	if ((kind = block_kind(name)) != BLOCK_NONE)
		block_break(w, kind);
	if (e->quote)
		w->level--;
	if (strcmp(name, "pre") == 0)
		w->pre--;
}

static void
tree_enter(struct writer *w, const xmlNode *n, int depth)
{
	struct html_el e;

	if (n->type == XML_TEXT_NODE) {
		put_text(w, (const char *)n->content);
		return;
	}
	tree_el(&e, n);
	enter(w, &e, depth);
}

static void
tree_leave(struct writer *w, const xmlNode *n, int depth)
{
	struct html_el e;
	xmlChar *href = NULL, *label = NULL;

	if (n->type != XML_ELEMENT_NODE)
		return;
	tree_el(&e, n);
	if (strcmp(e.name, "a") == 0 && (w->flags & HTML_TEXT_LINKS)) {
		href = xmlGetProp(n, (const xmlChar *)"href");
		label = xmlNodeGetContent(n);
		e.href = (const char *)href;
		e.label = (const char *)label;
	}
	if (is_cell(n))
		e.first_cell = first_cell(n);
	leave(w, &e, depth);
	xmlFree(label);
	xmlFree(href);
}

/*
 * Walks the tree in document order without recursion, through the
 * parent links, so no markup can exhaust the stack.
 */
static void
walk(struct writer *w, const xmlNode *root)
{
	const xmlNode *n = root;
	int depth = 0;

	while (!w->full) {
		if (walked(n, depth)) {
			tree_enter(w, n, depth);
			if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
				n = n->children;
				depth++;
				continue;
			}
			tree_leave(w, n, depth);
		}
		while (n != root && n->next == NULL) {
			n = n->parent;
			depth--;
			tree_leave(w, n, depth);
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

struct html_text {
	struct writer	 w;
};

struct html_text *
html_text_new(unsigned int flags)
{
	struct html_text *t;

	t = xcalloc(1, sizeof *t);
	t->w.bol = 1;
	t->w.flags = flags;
	return t;
}

void
html_text_open(struct html_text *t, const struct html_el *e, int depth)
{
	if (!t->w.full)
		enter(&t->w, e, depth);
}

void
html_text_chars(struct html_text *t, const char *s)
{
	if (!t->w.full)
		put_text(&t->w, s);
}

void
html_text_close(struct html_text *t, const struct html_el *e, int depth)
{
	if (!t->w.full)
		leave(&t->w, e, depth);
}

char *
html_text_end(struct html_text *t)
{
	char *text;

	trim_end(&t->w.out);
	text = buf_release(&t->w.out);
	free(t);
	return text;
}

char *
html_doc_text(const xmlDoc *doc, unsigned int flags)
{
	struct writer w = { .bol = 1 };
	const xmlNode *root;

	w.flags = flags;
	if (doc != NULL && (root = xmlDocGetRootElement(doc)) != NULL)
		walk(&w, root);
	trim_end(&w.out);
	return buf_release(&w.out);
}

/*
 * Known limits of libxml2's error recovery, kept on purpose: an end tag
 * that does not match (<blockquote>q<div>r</blockquote>after) is
 * ignored, so "after" stays inside the quote and comes out quoted; and
 * markup nested deeper than 256 elements stops the parse, so the text
 * after it is lost.  Both can only hide own text, never show a quote.
 */
char *
html_to_text(const char *html, size_t len, unsigned int flags)
{
	htmlDocPtr doc;
	char *src, *text;

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
	text = html_doc_text(doc, flags);
	xmlFreeDoc(doc);
	return text;
}
