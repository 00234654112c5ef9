/* translate.c: a template's strings, out to a catalog and back in. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "translate.h"

#define NESTING_MAX	32	/* elements open inside one string */

/* The attributes that are words a person reads. */
static const char *const word_attributes[] = {
	"alt", "title", "aria-label", "placeholder", "data-mailto", NULL
};

/* One element of a string, as its placeholder stands for it. */
enum marker_kind { MARK_VALUE, MARK_OPEN, MARK_EMPTY, MARK_CLOSE };

struct original {
	enum marker_kind	 kind;
	char			*name;	/* value or element name */
	xmlNodePtr		 node;
	int			 used;
};

struct originals {
	struct original	*v;
	size_t		 n;
};

static int
is_element(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE;
}

static int
is_text(xmlNodePtr n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

/* Their content is code, not words. */
static int
is_code(xmlNodePtr n)
{
	return strcmp((const char *)n->name, "script") == 0 ||
	    strcmp((const char *)n->name, "style") == 0;
}

/* White space, the no-break space included (&nbsp; between buttons is
 * layout, not words). */
static size_t
space_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	return 0;
}

static int
has_own_words(xmlNodePtr n)
{
	const char *s;
	size_t len;

	for (n = n->children; n != NULL; n = n->next) {
		if (!is_text(n) || n->content == NULL)
			continue;
		for (s = (const char *)n->content; *s != '\0'; s += len)
			if ((len = space_len(s)) == 0)
				return 1;
	}
	return 0;
}

/* The value name of an element that only shows a value, else NULL. */
static char *
value_only(xmlNodePtr n)
{
	if (n->children != NULL)
		return NULL;
	return (char *)xmlGetProp(n, (const xmlChar *)"data-var");
}

static void
write_children(xmlNodePtr parent, struct buf *b)
{
	xmlNodePtr n;
	char *value;

	for (n = parent->children; n != NULL; n = n->next) {
		if (is_text(n) && n->content != NULL)
			buf_puts(b, (const char *)n->content);
		if (!is_element(n))
			continue;
		if ((value = value_only(n)) != NULL) {
			buf_printf(b, "{%s}", value);
			xmlFree(value);
		} else if (n->children == NULL)
			buf_printf(b, "<%s/>", (const char *)n->name);
		else {
			buf_printf(b, "<%s>", (const char *)n->name);
			write_children(n, b);
			buf_printf(b, "</%s>", (const char *)n->name);
		}
	}
}

/* s with each run of ASCII white space made one space, and trimmed. */
static char *
single_spaced(const char *s)
{
	struct buf b = { 0 };
	int space = 0;

	buf_puts(&b, "");
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_puts(&b, " ");
		space = 0;
		buf_append(&b, s, 1);
	}
	return buf_release(&b);
}

static char *
msgid_of(xmlNodePtr n)
{
	struct buf b = { 0 };
	char *msgid;

	buf_puts(&b, "");
	write_children(n, &b);
	msgid = single_spaced(b.data);
	buf_clear(&b);
	return msgid;
}

/* ---- a translation back into elements ---- */

static void
add_original(struct originals *o, enum marker_kind kind, const char *name,
    xmlNodePtr node)
{
	o->v = xrealloc(o->v, (o->n + 1) * sizeof *o->v);
	o->v[o->n].kind = kind;
	o->v[o->n].name = xstrdup(name);
	o->v[o->n].node = node;
	o->v[o->n].used = 0;
	o->n++;
}

/* The elements of a string, in the order write_children names them. */
static void
collect_originals(xmlNodePtr parent, struct originals *o)
{
	xmlNodePtr n;
	char *value;

	for (n = parent->children; n != NULL; n = n->next) {
		if (!is_element(n))
			continue;
		if ((value = value_only(n)) != NULL) {
			add_original(o, MARK_VALUE, value, n);
			xmlFree(value);
		} else if (n->children == NULL)
			add_original(o, MARK_EMPTY, (const char *)n->name, n);
		else {
			add_original(o, MARK_OPEN, (const char *)n->name, n);
			collect_originals(n, o);
		}
	}
}

static void
originals_clear(struct originals *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->v[i].name);
	free(o->v);
}

/* The first unused element for a placeholder, marked used; or NULL. */
static xmlNodePtr
take_original(struct originals *o, enum marker_kind kind, const char *name,
    size_t len)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (!o->v[i].used && o->v[i].kind == kind &&
		    strlen(o->v[i].name) == len &&
		    strncmp(o->v[i].name, name, len) == 0) {
			o->v[i].used = 1;
			return o->v[i].node;
		}
	return NULL;
}

static enum marker_kind
marker_kind(const char *m, size_t len)
{
	if (m[0] == '{')
		return MARK_VALUE;
	if (m[1] == '/')
		return MARK_CLOSE;
	return m[len - 2] == '/' ? MARK_EMPTY : MARK_OPEN;
}

/* What rebuilding a string has open: the elements made so far. */
struct builder {
	xmlDocPtr	 doc;
	xmlNodePtr	 open[NESTING_MAX + 1];	/* [0] holds the string */
	size_t		 depth;
};

static int
build_marker(struct builder *bl, struct originals *o, const char *m,
    size_t len)
{
	enum marker_kind kind = marker_kind(m, len);
	const char *name = m + (kind == MARK_CLOSE ? 2 : 1);
	size_t name_len = len - (kind == MARK_CLOSE || kind == MARK_EMPTY ?
	    3 : 2);
	xmlNodePtr orig, copy;

	if (kind == MARK_CLOSE) {
		if (bl->depth == 0 || strlen((const char *)bl->open[bl->depth]->
		    name) != name_len || strncmp((const char *)bl->open[bl->
		    depth]->name, name, name_len) != 0)
			return -1;
		bl->depth--;
		return 0;
	}
	if ((orig = take_original(o, kind, name, name_len)) == NULL)
		return -1;
	/* An element with content is copied without it: the translation
	 * brings the content. */
	copy = xmlDocCopyNode(orig, bl->doc, kind == MARK_OPEN ? 2 : 1);
	xmlAddChild(bl->open[bl->depth], copy);
	if (kind == MARK_OPEN) {
		if (bl->depth == NESTING_MAX)
			return -1;
		bl->open[++bl->depth] = copy;
	}
	return 0;
}

/* The elements of msgstr under a new holder, or NULL when it does not
 * bring back each element of the original once, properly nested. */
static xmlNodePtr
build(xmlNodePtr unit, const char *msgstr)
{
	struct builder bl = { .doc = unit->doc };
	struct originals o = { 0 };
	const char *s, *text;
	size_t len, i;
	int ok = 1;

	collect_originals(unit, &o);
	bl.open[0] = xmlNewDocNode(unit->doc, NULL, (const xmlChar *)"span",
	    NULL);
	for (s = text = msgstr; ok; s++) {
		len = *s == '\0' ? 0 : catalog_marker_len(s);
		if (*s != '\0' && len == 0)
			continue;
		if (s > text)
			xmlAddChild(bl.open[bl.depth], xmlNewDocTextLen(bl.doc,
			    (const xmlChar *)text, (int)(s - text)));
		if (*s == '\0')
			break;
		ok = build_marker(&bl, &o, s, len) == 0;
		s += len - 1;
		text = s + 1;
	}
	for (i = 0; ok && i < o.n; i++)
		ok = o.v[i].used;
	originals_clear(&o);
	if (!ok || bl.depth != 0) {
		xmlFreeNode(bl.open[0]);
		return NULL;
	}
	return bl.open[0];
}

static void
replace_children(xmlNodePtr n, xmlNodePtr holder)
{
	xmlNodePtr c, next;

	for (c = n->children; c != NULL; c = next) {
		next = c->next;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	for (c = holder->children; c != NULL; c = next) {
		next = c->next;
		xmlUnlinkNode(c);
		xmlAddChild(n, c);
	}
	xmlFreeNode(holder);
}

/* ---- walking a template ---- */

struct walk {
	const struct catalog	*cat;	/* translating; NULL: extracting */
	void			(*fn)(const char *, void *);
	void			*arg;
};

/* Whether s has words outside its placeholders: "{title}" and "-" have
 * nothing to translate. */
static int
has_words(const char *s)
{
	size_t len;

	for (; *s != '\0'; s++) {
		if ((len = catalog_marker_len(s)) > 0)
			s += len - 1;
		else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (unsigned char)*s >= 0x80)
			return 1;
	}
	return 0;
}

static void
walk_attributes(xmlNodePtr n, const struct walk *w)
{
	const char *msgstr;
	char *value;
	size_t i;

	for (i = 0; word_attributes[i] != NULL; i++) {
		value = (char *)xmlGetProp(n, (const xmlChar *)
		    word_attributes[i]);
		if (value != NULL && has_words(value)) {
			if (w->cat == NULL)
				w->fn(value, w->arg);
			else if ((msgstr = catalog_find(w->cat, NULL,
			    value)) != NULL)
				xmlSetProp(n, (const xmlChar *)
				    word_attributes[i],
				    (const xmlChar *)msgstr);
		}
		xmlFree(value);
	}
}

/* The subject, still in its <meta>, when extracting. */
static void
walk_subject(xmlNodePtr n, const struct walk *w)
{
	char *name, *content;

	if (w->cat != NULL || strcmp((const char *)n->name, "meta") != 0)
		return;
	name = (char *)xmlGetProp(n, (const xmlChar *)"name");
	content = (char *)xmlGetProp(n, (const xmlChar *)"content");
	if (name != NULL && content != NULL && strcmp(name, "subject") == 0 &&
	    has_words(content))
		w->fn(content, w->arg);
	xmlFree(name);
	xmlFree(content);
}

static void
walk_string(xmlNodePtr n, const struct walk *w)
{
	const char *msgstr;
	xmlNodePtr holder;
	char *msgid;

	msgid = msgid_of(n);
	if (!has_words(msgid))
		goto out;	/* "{title}", "-": nothing to translate */
	if (w->cat == NULL)
		w->fn(msgid, w->arg);
	else if ((msgstr = catalog_find(w->cat, NULL, msgid)) != NULL &&
	    (holder = build(n, msgstr)) != NULL)
		replace_children(n, holder);
out:
	free(msgid);
}

/* The attributes of the elements inside a string. */
static void
walk_inner_attributes(xmlNodePtr parent, const struct walk *w)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next)
		if (is_element(n)) {
			walk_attributes(n, w);
			walk_inner_attributes(n, w);
		}
}

static void
walk(xmlNodePtr parent, const struct walk *w)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next) {
		if (!is_element(n) || is_code(n))
			continue;
		walk_attributes(n, w);
		walk_subject(n, w);
		if (has_own_words(n)) {
			walk_string(n, w);
			walk_inner_attributes(n, w);
		} else
			walk(n, w);
	}
}

void
translate_tree(xmlNodePtr root, const struct catalog *cat)
{
	struct walk w = { .cat = cat };

	if (cat != NULL)
		walk(root, &w);
}

void
translate_strings(xmlNodePtr root, void (*fn)(const char *, void *),
    void *arg)
{
	struct walk w = { .fn = fn, .arg = arg };

	walk(root, &w);
}

/* ---- dates ---- */

static const char *const month_names[12] = {
	NC_("month", "January"), NC_("month", "February"),
	NC_("month", "March"), NC_("month", "April"), NC_("month", "May"),
	NC_("month", "June"), NC_("month", "July"),
	NC_("month", "August"), NC_("month", "September"),
	NC_("month", "October"), NC_("month", "November"),
	NC_("month", "December"),
};

/* Writes format with each {name} of the list replaced by its value;
 * other text and unknown names are kept. */
static char *
expand(const char *format, const char *const names[], const char *const
    values[], size_t n)
{
	struct buf b = { 0 };
	const char *p;
	size_t i, len;

	buf_puts(&b, "");
	for (p = format; *p != '\0'; p++) {
		for (i = 0; *p == '{' && i < n; i++) {
			len = strlen(names[i]);
			if (strncmp(p + 1, names[i], len) == 0 &&
			    p[len + 1] == '}')
				break;
		}
		if (*p != '{' || i == n) {
			buf_append(&b, p, 1);
			continue;
		}
		buf_puts(&b, values[i]);
		p += strlen(names[i]) + 1;
	}
	return buf_release(&b);
}

char *
translate_date(const struct catalog *cat, int32_t day)
{
	static const char *const names[] = { "day", "dd", "month", "mm",
	    "year" };
	char d[4], dd[4], mm[4], year[8];
	const char *values[5], *day_shown;
	int y, m, dn;

	date_to_civil(day, &y, &m, &dn);
	(void)snprintf(d, sizeof d, "%d", dn % 100);
	(void)snprintf(dd, sizeof dd, "%02d", dn % 100);
	(void)snprintf(mm, sizeof mm, "%02d", m % 100);
	(void)snprintf(year, sizeof year, "%d", y % 100000);
	/* TRANSLATORS: {day} on the first of a month: French writes
	 * "1er janvier", Italian "1º gennaio"; other days are digits. */
	day_shown = dn == 1 ? catalog_get(cat, "first of the month",
	    NC_("first of the month", "1")) : d;
	values[0] = day_shown;
	values[1] = dd;
	values[2] = catalog_get(cat, "month", month_names[(m + 11) % 12]);
	values[3] = mm;
	values[4] = year;
	/* TRANSLATORS: {day} 1-31, {dd} 01-31, {month} the month's name,
	 * {mm} 01-12, {year}; e.g. "{day}. {month} {year}". */
	return expand(catalog_get(cat, "date format", NC_("date format",
	    "{year}-{mm}-{dd}")), names, values, 5);
}

char *
translate_time(const struct catalog *cat, int64_t t)
{
	static const char *const names[] = { "date", "time" };
	const char *values[2];
	char hm[8], *date, *shown;
	int64_t secs;

	secs = ((t % 86400) + 86400) % 86400;
	(void)snprintf(hm, sizeof hm, "%02d:%02d", (int)(secs / 3600),
	    (int)(secs / 60 % 60));
	date = translate_date(cat, date_of_time((time_t)t));
	values[0] = date;
	values[1] = hm;
	/* TRANSLATORS: {date} as the date format writes it, {time} HH:MM
	 * on a 24-hour clock, in UTC: keep the zone. */
	shown = expand(catalog_get(cat, "time format", NC_("time format",
	    "{date} {time} UTC")), names, values, 2);
	free(date);
	return shown;
}
