/* tmpl_compile.c: ready templates compiled into fixed markup and the
 * places values go, rendered without a tree (tmpl_compile.h). */
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/uri.h>

#include "html.h"
#include "tmpl_compile.h"
#include "tmpl_impl.h"

/* Attributes of one element, as written and as added by its data-*:
 * a template has a handful. */
#define ATTRS_MAX	32
#define STYLE_PREFIX	"data-style-"

enum cnode_kind {
	C_TEXT,
	C_LITERAL,	/* a comment, the content of <style>: written as
			   it is, no text */
	C_ELEMENT,
};

/* An attribute of the template, written as libxml2 writes it. */
struct cattr {
	char	*name;
	char	*literal;	/* " name=\"value\"", escaped */
	char	*raw;		/* the value; "" when it has none */
};

/* data-style-PROP="var", in the order of the attributes. */
struct cstyle {
	char	*attr;		/* data-style-PROP */
	char	*var;
};

struct cnode {
	enum cnode_kind	 kind;
	char		*html;		/* C_TEXT, C_LITERAL: as written */
	char		*text;		/* C_TEXT: the content */

	/* C_ELEMENT */
	char		*name;
	int		 info;		/* an HTML element libxml2 knows */
	int		 isinline;
	int		 empty;		/* never any content (<br>, <img>) */
	int		 short_end;	/* with nothing in it, written without
					   an end tag (saveEndTag) */
	int		 self_p;	/* p, pre, param...: libxml2 puts no
					   line break inside */
	int		 parent_ok;	/* it has a parent, not one of those:
					   line breaks may follow it */
	int		 title;		/* the first <title>: the subject */
	int		 skipped;	/* the text part leaves it out */
	int		 cell;		/* <td>, <th> */
	int		 link;		/* <a> */
	int		 head;		/* <head> */
	struct html_el	 el;
	char		*id, *classes;	/* what el points to */
	struct cattr	*attrs;
	size_t		 nattrs;
	/* What its data-each, data-if, ... name, NULL when it has none;
	 * data-mailto's is its word. */
	char		*each, *if_var, *unless_var, *var, *href, *path;
	char		*value, *selected, *checked, *mailto;
	struct cstyle	*styles;
	size_t		 nstyles;
	struct cnode	*kids;
	size_t		 nkids;
};

struct tmpl_prog {
	char		*doctype;	/* "<!DOCTYPE html>\n", or "" */
	struct cnode	 root;		/* <html> */
};

/* ---- compiling ---- */

static char *
prop_of(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = xstrdup((const char *)v);
	xmlFree(v);
	return copy;
}

/* Node n as libxml2's HTML writer writes it (no line break after). */
static char *
dumped(htmlDocPtr doc, xmlNodePtr n)
{
	xmlBufferPtr b;
	xmlOutputBufferPtr out;
	char *s;

	b = xmlBufferCreate();
	out = xmlOutputBufferCreateBuffer(b, NULL);
	htmlNodeDumpFormatOutput(out, doc, n, NULL, 1);
	(void)xmlOutputBufferClose(out);
	s = xstrndup((const char *)xmlBufferContent(b),
	    (size_t)xmlBufferLength(b));
	xmlBufferFree(b);
	return s;
}

static int
is_directive(const char *name)
{
	static const char *const known[] = {
		"data-each", "data-if", "data-unless", "data-var",
		"data-href", "data-path", "data-value", "data-selected",
		"data-checked", "data-mailto",
	};
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(name, known[i]) == 0)
			return 1;
	return strncmp(name, STYLE_PREFIX, strlen(STYLE_PREFIX)) == 0;
}

static char **
directive_slot(struct cnode *c, const char *name)
{
	if (strcmp(name, "data-each") == 0)
		return &c->each;
	if (strcmp(name, "data-if") == 0)
		return &c->if_var;
	if (strcmp(name, "data-unless") == 0)
		return &c->unless_var;
	if (strcmp(name, "data-var") == 0)
		return &c->var;
	if (strcmp(name, "data-href") == 0)
		return &c->href;
	if (strcmp(name, "data-path") == 0)
		return &c->path;
	if (strcmp(name, "data-value") == 0)
		return &c->value;
	if (strcmp(name, "data-selected") == 0)
		return &c->selected;
	if (strcmp(name, "data-checked") == 0)
		return &c->checked;
	if (strcmp(name, "data-mailto") == 0)
		return &c->mailto;
	return NULL;
}

/* Whether c has a data-* that changes it. */
static int
has_data(const struct cnode *c)
{
	return c->each != NULL || c->if_var != NULL || c->unless_var != NULL ||
	    c->var != NULL || c->href != NULL || c->path != NULL ||
	    c->value != NULL || c->selected != NULL || c->checked != NULL ||
	    c->mailto != NULL || c->nstyles > 0;
}

/* What compiling needs besides the node. */
struct compiling {
	htmlDocPtr	 doc;
	int		 title_seen;	/* the first <title> is behind */
	int		 in_link;
	int		 in_each;
	int		 in_head;
};

static int compile_node(struct compiling *, struct cnode *, xmlNodePtr,
    int);

static int
compile_attrs(struct compiling *cc, struct cnode *c, xmlNodePtr n)
{
	xmlAttrPtr a;
	const char *name;
	char **slot;
	size_t nattrs = 0, nstyles = 0;

	for (a = n->properties; a != NULL; a = a->next)
		nattrs++;
	if (nattrs + 8 > ATTRS_MAX)
		return -1;
	c->attrs = xcalloc(nattrs + 1, sizeof *c->attrs);
	c->styles = xcalloc(nattrs + 1, sizeof *c->styles);
	for (a = n->properties; a != NULL; a = a->next) {
		name = (const char *)a->name;
		if (a->ns != NULL || strcmp(name, "data-svg") == 0)
			return -1;
		if (!is_directive(name)) {
			c->attrs[c->nattrs].name = xstrdup(name);
			c->attrs[c->nattrs].literal = dumped(cc->doc,
			    (xmlNodePtr)a);
			c->attrs[c->nattrs].raw = prop_of(n, name);
			c->nattrs++;
		} else if ((slot = directive_slot(c, name)) != NULL)
			*slot = prop_of(n, name);
		else {
			c->styles[nstyles].attr = xstrdup(name);
			c->styles[nstyles].var = prop_of(n, name);
			c->nstyles = ++nstyles;
		}
	}
	return 0;
}

static int
compile_element(struct compiling *cc, struct cnode *c, xmlNodePtr n,
    int depth)
{
	const htmlElemDesc *info;
	xmlNodePtr k;
	size_t i;
	int in_link = cc->in_link, in_each = cc->in_each;
	int in_head = cc->in_head;

	if (n->ns != NULL || n->nsDef != NULL ||
	    depth > TMPL_COMPILE_DEPTH_MAX)
		return -1;
	c->kind = C_ELEMENT;
	c->name = xstrdup((const char *)n->name);
	if ((info = htmlTagLookup(n->name)) != NULL) {
		c->info = 1;
		c->isinline = info->isinline != 0;
		c->empty = info->empty != 0;
		c->short_end = info->saveEndTag != 0 &&
		    strcmp(info->name, "html") != 0 &&
		    strcmp(info->name, "body") != 0;
	}
	c->self_p = c->name[0] == 'p';
	c->parent_ok = n->parent != NULL && n->parent->name != NULL &&
	    n->parent->name[0] != 'p';
	c->skipped = html_text_skips(c->name);
	c->cell = strcmp(c->name, "td") == 0 || strcmp(c->name, "th") == 0;
	c->link = strcmp(c->name, "a") == 0;
	if (compile_attrs(cc, c, n) == -1)
		return -1;
	c->id = prop_of(n, "id");
	c->classes = prop_of(n, "class");
	html_el_init(&c->el, c->name, c->id, c->classes);
	if (strcmp(c->name, "title") == 0 && !cc->title_seen) {
		cc->title_seen = 1;
		/* Filled before the rest, once: not in a copy, not with
		 * data-* of its own. */
		if (cc->in_each || has_data(c))
			return -1;
		c->title = 1;
	}
	/* An element that has no content: libxml2 writes none of what it
	 * holds, but the text part would. */
	if (c->empty && (n->children != NULL || c->var != NULL))
		return -1;
	if (c->link && cc->in_link)
		return -1;
	/* The writer's meta (tmpl_compile) is put in once, in the head
	 * as the template has it. */
	c->head = strcmp(c->name, "head") == 0;
	if ((cc->in_head || c->head || strcmp(c->name, "meta") == 0) &&
	    has_data(c))
		return -1;
	cc->in_link |= c->link;
	cc->in_each |= c->each != NULL;
	cc->in_head |= c->head;
	for (k = n->children; k != NULL; k = k->next)
		c->nkids++;
	c->kids = xcalloc(c->nkids + 1, sizeof *c->kids);
	for (i = 0, k = n->children; k != NULL; k = k->next, i++)
		if (compile_node(cc, &c->kids[i], k, depth + 1) == -1)
			return -1;
	cc->in_link = in_link;
	cc->in_each = in_each;
	cc->in_head = in_head;
	return 0;
}

static int
compile_node(struct compiling *cc, struct cnode *c, xmlNodePtr n, int depth)
{
	switch (n->type) {
	case XML_ELEMENT_NODE:
		return compile_element(cc, c, n, depth);
	case XML_TEXT_NODE:
		/* Text written unescaped is made only through the API. */
		if (n->content == NULL || (n->name != NULL &&
		    strcmp((const char *)n->name, "textnoenc") == 0))
			return -1;
		c->kind = C_TEXT;
		c->html = dumped(cc->doc, n);
		c->text = xstrdup((const char *)n->content);
		return 0;
	case XML_CDATA_SECTION_NODE:
		/* The content of <style> and <script>, written as it is.  The
		 * text of a link would count it; none has any. */
		if (cc->in_link)
			return -1;
		c->kind = C_LITERAL;
		c->html = dumped(cc->doc, n);
		return 0;
	case XML_COMMENT_NODE:
		c->kind = C_LITERAL;
		c->html = dumped(cc->doc, n);
		return 0;
	default:
		return -1;
	}
}

static void
cnode_clear(struct cnode *c)
{
	size_t i;

	for (i = 0; i < c->nkids; i++)
		cnode_clear(&c->kids[i]);
	free(c->kids);
	for (i = 0; i < c->nattrs; i++) {
		free(c->attrs[i].name);
		free(c->attrs[i].literal);
		free(c->attrs[i].raw);
	}
	free(c->attrs);
	for (i = 0; i < c->nstyles; i++) {
		free(c->styles[i].attr);
		free(c->styles[i].var);
	}
	free(c->styles);
	free(c->html);
	free(c->text);
	free(c->name);
	free(c->id);
	free(c->classes);
	free(c->each);
	free(c->if_var);
	free(c->unless_var);
	free(c->var);
	free(c->href);
	free(c->path);
	free(c->value);
	free(c->selected);
	free(c->checked);
	free(c->mailto);
}

void
tmpl_prog_free(struct tmpl_prog *p)
{
	if (p == NULL)
		return;
	cnode_clear(&p->root);
	free(p->doctype);
	free(p);
}

static struct tmpl_prog *compile_doc(htmlDocPtr);

/* "<!DOCTYPE html>\n" as libxml2 writes a doctype without ids. */
static int
compile_doctype(struct tmpl_prog *p, htmlDocPtr doc)
{
	xmlDtdPtr dtd = doc->intSubset;

	if (dtd == NULL) {
		p->doctype = xstrdup("");
		return 0;
	}
	if (dtd->ExternalID != NULL || dtd->SystemID != NULL ||
	    dtd->name == NULL)
		return -1;
	p->doctype = xasprintf("<!DOCTYPE %s>\n", (const char *)dtd->name);
	return 0;
}

/*
 * ready compiled.  libxml2's writer, asked for UTF-8, first puts a
 * <meta http-equiv="Content-Type"> in the head of the document it
 * writes (htmlSetMetaEncoding): the compiled form has it from a copy
 * treated the same way once.
 */
struct tmpl_prog *
tmpl_compile(htmlDocPtr ready)
{
	struct tmpl_prog *p;
	htmlDocPtr doc;

	if ((doc = xmlCopyDoc(ready, 1)) == NULL)
		return NULL;
	(void)htmlSetMetaEncoding(doc, (const xmlChar *)"UTF-8");
	p = compile_doc(doc);
	xmlFreeDoc(doc);
	return p;
}

static struct tmpl_prog *
compile_doc(htmlDocPtr doc)
{
	struct compiling cc = { .doc = doc };
	struct tmpl_prog *p;
	xmlNodePtr n, root = NULL;

	/* The doctype and <html>, nothing else, at the top. */
	for (n = doc->children; n != NULL; n = n->next) {
		if (n->type == XML_DTD_NODE)
			continue;
		if (n->type != XML_ELEMENT_NODE || root != NULL)
			return NULL;
		root = n;
	}
	if (root == NULL)
		return NULL;
	p = xcalloc(1, sizeof *p);
	/* <html> with a data-* of its own is left to the tree. */
	if (compile_doctype(p, doc) == -1 ||
	    compile_node(&cc, &p->root, root, 0) == -1 ||
	    has_data(&p->root)) {
		tmpl_prog_free(p);
		return NULL;
	}
	return p;
}

/* ---- rendering ---- */

/* An element's attributes as a render leaves them: the template's in
 * their order, then those its data-* added, in the order they were
 * first set, as xmlSetProp and xmlUnsetProp leave a tree's. */
struct rattr {
	const char	*name;
	const char	*literal;	/* as written; NULL: value changed */
	const char	*value;		/* raw */
};

struct rattrs {
	struct rattr	 a[ATTRS_MAX];
	size_t		 n;
	char		*owned[ATTRS_MAX];	/* values made for it */
	size_t		 nowned;
};

/* One node as it comes out: an element kept, or one copy of it per
 * item of its data-each, each in its own scope. */
struct inst {
	const struct cnode	*node;
	struct tmpl_scope	 scope;
};

struct run {
	struct buf		*html;
	struct html_text	*text;		/* NULL: HTML only */
	const char		*title;
	const char		*subject;
	int			 skip;		/* inside an element the text
						   part leaves out */
	int			 in_link;
	struct buf		 label;		/* the text of the <a> open */
	struct inst		*insts;		/* a stack: the children of
						   each element being written */
	size_t			 ninsts, cap;
};

static void
rattrs_set(struct rattrs *ra, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < ra->n; i++)
		if (strcmp(ra->a[i].name, name) == 0) {
			ra->a[i].literal = NULL;
			ra->a[i].value = value;
			return;
		}
	/* compile_attrs left room for every attribute a data-* adds. */
	ra->a[ra->n].name = name;
	ra->a[ra->n].literal = NULL;
	ra->a[ra->n].value = value;
	ra->n++;
}

static void
rattrs_unset(struct rattrs *ra, const char *name)
{
	size_t i;

	for (i = 0; i < ra->n; i++)
		if (strcmp(ra->a[i].name, name) == 0) {
			memmove(&ra->a[i], &ra->a[i + 1],
			    (ra->n - i - 1) * sizeof ra->a[0]);
			ra->n--;
			return;
		}
}

static const char *
rattrs_get(const struct rattrs *ra, const char *name)
{
	size_t i;

	for (i = 0; i < ra->n; i++)
		if (strcmp(ra->a[i].name, name) == 0)
			return ra->a[i].value;
	return NULL;
}

static const char *
rattrs_own(struct rattrs *ra, char *s)
{
	ra->owned[ra->nowned++] = s;
	return s;
}

static void
rattrs_free(struct rattrs *ra)
{
	size_t i;

	for (i = 0; i < ra->nowned; i++)
		free(ra->owned[i]);
}

/* The data-style-* of c in order, as tmpl.c's set_style_colors. */
static void
apply_styles(struct rattrs *ra, const struct cnode *c,
    const struct tmpl_scope *s)
{
	const char *style;
	char *made;
	size_t i;

	for (i = 0; i < c->nstyles; i++) {
		style = rattrs_get(ra, "style");
		made = tmpl_style_with(style, c->styles[i].attr +
		    strlen(STYLE_PREFIX), tmpl_scope_lookup(s,
		    c->styles[i].var));
		if (made != NULL)
			rattrs_set(ra, "style", rattrs_own(ra, made));
	}
}

/* The attributes of c filled in scope s, in the order of tmpl.c's
 * render_element. */
static void
fill_attrs(struct rattrs *ra, const struct cnode *c,
    const struct tmpl_scope *s, const char *subject)
{
	const char *v;
	size_t i;

	ra->n = 0;
	ra->nowned = 0;
	for (i = 0; i < c->nattrs; i++) {
		ra->a[i].name = c->attrs[i].name;
		ra->a[i].literal = c->attrs[i].literal;
		ra->a[i].value = c->attrs[i].raw;
	}
	ra->n = c->nattrs;
	if (c->href != NULL && tmpl_safe_url(v = tmpl_scope_lookup(s,
	    c->href)))
		rattrs_set(ra, "href", v);
	if (c->path != NULL && tmpl_safe_path(v = tmpl_scope_lookup(s,
	    c->path)))
		rattrs_set(ra, strcmp(c->name, "form") == 0 ? "action" :
		    "href", v);
	if (c->value != NULL)
		rattrs_set(ra, "value", tmpl_scope_lookup(s, c->value));
	if (c->selected != NULL) {
		if (*tmpl_scope_lookup(s, c->selected) != '\0')
			rattrs_set(ra, "selected", "selected");
		else
			rattrs_unset(ra, "selected");
	}
	if (c->checked != NULL) {
		if (*tmpl_scope_lookup(s, c->checked) != '\0')
			rattrs_set(ra, "checked", "checked");
		else
			rattrs_unset(ra, "checked");
	}
	apply_styles(ra, c, s);
	if (c->mailto != NULL)
		rattrs_set(ra, "href", rattrs_own(ra, tmpl_mailto(s, subject,
		    c->mailto)));
}

/*
 * Text as libxml2 escapes it for HTML (xmlEncodeEntitiesReentrant):
 * <, > and &, control characters but tab and line ends dropped.  In
 * an attribute, "<!--...-->" and "&{...}" pass as they are.
 */
static void
put_escaped(struct buf *b, const char *s, int attr)
{
	const char *p, *end;

	for (p = s; *p != '\0'; ) {
		for (s = p; (unsigned char)*p >= 0x20 && *p != '<' &&
		    *p != '>' && *p != '&'; p++)
			;
		if (p > s)
			buf_append(b, s, (size_t)(p - s));
		if (*p == '\0')
			break;
		if (*p == '<') {
			if (attr && strncmp(p, "<!--", 4) == 0 &&
			    (end = strstr(p, "-->")) != NULL) {
				buf_append(b, p, (size_t)(end - p) + 3);
				p = end + 3;
				continue;
			}
			buf_append(b, "&lt;", 4);
		} else if (*p == '>')
			buf_append(b, "&gt;", 4);
		else if (*p == '&') {
			if (attr && p[1] == '{' &&
			    (end = strchr(p, '}')) != NULL) {
				buf_append(b, p, (size_t)(end - p) + 1);
				p = end + 1;
				continue;
			}
			buf_append(b, "&amp;", 5);
		} else if (*p == '\t' || *p == '\n' || *p == '\r')
			buf_append(b, p, 1);
		p++;
	}
}

/* A value in quotes as xmlBufWriteQuotedString puts it. */
static void
put_quoted(struct buf *b, const char *s)
{
	const char *p;

	if (strchr(s, '"') == NULL) {
		buf_append(b, "\"", 1);
		buf_puts(b, s);
		buf_append(b, "\"", 1);
	} else if (strchr(s, '\'') == NULL) {
		buf_append(b, "'", 1);
		buf_puts(b, s);
		buf_append(b, "'", 1);
	} else {
		buf_append(b, "\"", 1);
		for (p = s; *p != '\0'; p++)
			if (*p == '"')
				buf_append(b, "&quot;", 6);
			else
				buf_append(b, p, 1);
		buf_append(b, "\"", 1);
	}
}

/* The attributes libxml2 writes as URIs. */
static int
is_uri_attr(const char *element, const char *name)
{
	return strcasecmp(name, "href") == 0 ||
	    strcasecmp(name, "action") == 0 || strcasecmp(name, "src") == 0 ||
	    (strcasecmp(name, "name") == 0 && strcasecmp(element, "a") == 0);
}

/* An attribute a render set, as htmlAttrDumpOutput writes it. */
static void
put_attr(struct buf *b, const char *element, const char *name,
    const char *value)
{
	struct buf enc = { 0 };
	const char *v;
	xmlChar *escaped;

	buf_append(b, " ", 1);
	buf_puts(b, name);
	if (htmlIsBooleanAttr((const xmlChar *)name))
		return;
	buf_append(b, "=", 1);
	buf_reserve(&enc, strlen(value) + 1);
	enc.data[0] = '\0';
	put_escaped(&enc, value, 1);
	if (!is_uri_attr(element, name)) {
		put_quoted(b, enc.data);
		buf_clear(&enc);
		return;
	}
	for (v = enc.data; *v == ' ' || *v == '\t' || *v == '\n' ||
	    *v == '\r'; v++)
		;
	escaped = xmlURIEscapeStr((const xmlChar *)v,
	    (const xmlChar *)"@/:=?;#%&,+<>");
	put_quoted(b, escaped != NULL ? (const char *)escaped : enc.data);
	xmlFree(escaped);
	buf_clear(&enc);
}

static void
push(struct run *r, const struct cnode *node, const struct tmpl_scope *s)
{
	if (r->ninsts == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->insts = xrealloc(r->insts, r->cap * sizeof *r->insts);
	}
	r->insts[r->ninsts].node = node;
	r->insts[r->ninsts].scope = *s;
	r->ninsts++;
}

/* data-if and data-unless, as tmpl.c's keep_element. */
static int
kept(const struct cnode *c, const struct tmpl_scope *s)
{
	if (c->if_var != NULL && *tmpl_scope_lookup(s, c->if_var) == '\0')
		return 0;
	return c->unless_var == NULL ||
	    *tmpl_scope_lookup(s, c->unless_var) == '\0';
}

/* Pushes what node c comes out as in scope s: itself, nothing, or one
 * copy per item of its list. */
static void
expand(struct run *r, const struct cnode *c, const struct tmpl_scope *s)
{
	struct tmpl_items items;
	struct tmpl_scope item;
	size_t i, n;

	if (c->kind != C_ELEMENT) {
		push(r, c, s);
		return;
	}
	if (c->each == NULL) {
		if (kept(c, s))
			push(r, c, s);
		return;
	}
	n = tmpl_scope_list(s, c->each, &items);
	for (i = 0; i < n; i++) {
		tmpl_scope_item(&item, s, &items, i);
		if (kept(c, &item))
			push(r, c, &item);
	}
}

static void
put_text(struct run *r, const char *html, const char *text)
{
	if (html != NULL)
		buf_puts(r->html, html);
	else
		put_escaped(r->html, text, 0);
	/* A comment, the content of <style>: markup only, no text. */
	if (text == NULL)
		return;
	if (r->in_link)
		buf_puts(&r->label, text);
	if (r->text != NULL && r->skip == 0)
		html_text_chars(r->text, text);
}

static void write_element(struct run *, const struct inst *, int, int,
    int);

/* A line break between two nodes, as libxml2's formatting writes one
 * after an element that is not inline, unless text follows. */
static int
breaks_after(const struct cnode *c, const struct inst *next)
{
	return c->info && !c->isinline && next != NULL &&
	    next->node->kind != C_TEXT && c->parent_ok;
}

/* The children of c in scope s, between its tags. */
static void
write_children(struct run *r, const struct cnode *c,
    const struct tmpl_scope *s, int depth)
{
	size_t base = r->ninsts, top, i;
	struct inst in;
	int seen_cell = 0, many;

	for (i = 0; i < c->nkids; i++)
		expand(r, &c->kids[i], s);
	top = r->ninsts;
	if (top == base) {
		buf_puts(r->html, c->short_end ? ">" : "></");
		if (!c->short_end) {
			buf_puts(r->html, c->name);
			buf_puts(r->html, ">");
		}
		return;
	}
	many = top - base > 1;
	buf_puts(r->html, ">");
	if (c->info && !c->isinline && many && !c->self_p &&
	    r->insts[base].node->kind != C_TEXT)
		buf_puts(r->html, "\n");
	for (i = base; i < top; i++) {
		in = r->insts[i];
		if (in.node->kind != C_ELEMENT) {
			put_text(r, in.node->html, in.node->text);
			continue;
		}
		write_element(r, &in, depth + 1, !seen_cell, i + 1 < top &&
		    breaks_after(in.node, &r->insts[i + 1]));
		seen_cell |= in.node->cell;
	}
	if (c->info && !c->isinline && many && !c->self_p &&
	    r->insts[top - 1].node->kind != C_TEXT)
		buf_puts(r->html, "\n");
	r->ninsts = base;
	buf_puts(r->html, "</");
	buf_puts(r->html, c->name);
	buf_puts(r->html, ">");
}

/* The content of an element filled with one value (data-var, the
 * title): a single text node. */
static void
write_value(struct run *r, const struct cnode *c, const char *value)
{
	buf_puts(r->html, ">");
	put_text(r, NULL, value);
	buf_puts(r->html, "</");
	buf_puts(r->html, c->name);
	buf_puts(r->html, ">");
}

static void
write_element(struct run *r, const struct inst *in, int depth,
    int first_cell, int line_after)
{
	const struct cnode *c = in->node;
	const struct tmpl_scope *s = &in->scope;
	struct html_el el;
	struct rattrs ra;
	size_t i, label_at = 0;
	int link = 0;

	fill_attrs(&ra, c, s, r->subject);
	buf_puts(r->html, "<");
	buf_puts(r->html, c->name);
	for (i = 0; i < ra.n; i++)
		if (ra.a[i].literal != NULL)
			buf_puts(r->html, ra.a[i].literal);
		else
			put_attr(r->html, c->name, ra.a[i].name,
			    ra.a[i].value);
	if (c->skipped)
		r->skip++;
	else if (r->text != NULL && r->skip == 0)
		html_text_open(r->text, &c->el, depth);
	if (c->link) {
		r->in_link = link = 1;
		label_at = r->label.len;
	}
	if (c->empty)
		buf_puts(r->html, ">");
	else if (c->var != NULL && !tmpl_raw_text(c->name))
		write_value(r, c, tmpl_scope_lookup(s, c->var));
	else if (c->title && r->title != NULL)
		write_value(r, c, r->title);
	else
		write_children(r, c, s, depth);
	if (c->skipped)
		r->skip--;
	else if (r->text != NULL && r->skip == 0) {
		el = c->el;
		el.first_cell = first_cell;
		if (link) {
			el.href = rattrs_get(&ra, "href");
			el.label = r->label.data != NULL ?
			    r->label.data + label_at : "";
		}
		html_text_close(r->text, &el, depth);
	}
	if (link) {
		r->in_link = 0;
		r->label.len = label_at;
		if (r->label.data != NULL)
			r->label.data[label_at] = '\0';
	}
	if (line_after)
		buf_puts(r->html, "\n");
	rattrs_free(&ra);
}

void
tmpl_prog_run(const struct tmpl_prog *p, const struct tmpl_scope *s,
    const char *title, const char *subject, struct buf *html, char **text)
{
	struct run r = { 0 };
	struct inst root;

	r.html = html;
	r.title = title;
	r.subject = subject;
	if (text != NULL)
		r.text = html_text_new(HTML_TEXT_MAIL);
	buf_puts(html, p->doctype);
	root.node = &p->root;
	root.scope = *s;
	write_element(&r, &root, 0, 1, 0);
	buf_puts(html, "\n");
	if (text != NULL)
		*text = html_text_end(r.text);
	free(r.insts);
	buf_clear(&r.label);
}
