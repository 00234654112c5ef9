/* catalog.c: gettext .po catalogs, read and looked up. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

/* gettext joins a context to its msgid with EOT. */
#define CONTEXT_GLUE	'\004'

struct entry {
	char	*key;		/* [ctxt EOT] msgid */
	char	*msgstr;
};

struct catalog {
	char		*tag;
	struct entry	*entries;	/* sorted by key */
	size_t		 n;
};

/* What one entry has read so far, and which string lines continue. */
struct po_entry {
	struct buf	 ctxt, id, str;
	int		 has_ctxt, has_id, has_str;
	int		 fuzzy;
	struct buf	*open;		/* where a "..." line goes */
};

struct po_reader {
	const char	*name;
	int		 flags;
	size_t		 line;
	struct catalog	*cat;
	struct err	*err;
};

static void
po_entry_clear(struct po_entry *e)
{
	buf_clear(&e->ctxt);
	buf_clear(&e->id);
	buf_clear(&e->str);
	memset(e, 0, sizeof *e);
}

static int
po_fail(struct po_reader *r, const char *what)
{
	err_set(r->err, ERR_INPUT, "%s:%zu: %s", r->name, r->line, what);
	return -1;
}

/* Appends the C string starting at s (at its opening quote) to b. */
static int
read_string(struct po_reader *r, const char *s, struct buf *b)
{
	static const char escapes[] = "n\nt\tr\r\"\"\\\\";
	const char *e;

	if (*s++ != '"')
		return po_fail(r, "a string in double quotes expected");
	for (; *s != '"'; s++) {
		if (*s == '\0')
			return po_fail(r, "a string without its closing quote");
		if (*s != '\\') {
			buf_append(b, s, 1);
			continue;
		}
		s++;
		for (e = escapes; *e != '\0' && *e != *s; e += 2)
			;
		if (*e == '\0' || *s == '\0')
			return po_fail(r, "an escape other than \\n \\t \\r "
			    "\\\" or \\\\");
		buf_append(b, e + 1, 1);
	}
	for (s++; *s == ' ' || *s == '\t' || *s == '\r'; s++)
		;
	if (*s != '\0')
		return po_fail(r, "text after a string's closing quote");
	return 0;
}

/* bsearch's: a key string against an entry. */
static int
key_cmp(const void *key, const void *entry)
{
	return strcmp(key, ((const struct entry *)entry)->key);
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key,
	    ((const struct entry *)b)->key);
}

/* Ends the entry read so far: kept when it is whole and translated. */
static int
po_finish(struct po_reader *r, struct po_entry *e)
{
	struct catalog *c = r->cat;
	struct entry *en;

	if (!e->has_id && !e->has_str && !e->has_ctxt)
		goto out;
	if (!e->has_id || !e->has_str)
		return po_fail(r, "an entry needs both msgid and msgstr");
	if (!utf8_valid(e->id.data ? e->id.data : "", e->id.len) ||
	    !utf8_valid(e->str.data ? e->str.data : "", e->str.len))
		return po_fail(r, "not UTF-8 (say charset=UTF-8 and save "
		    "as UTF-8)");
	/* The header (msgid ""), fuzzy and untranslated entries are not
	 * translations. */
	if (e->id.len == 0 || e->fuzzy || (e->str.len == 0 &&
	    !(r->flags & CATALOG_UNTRANSLATED)))
		goto out;
	if (c->n == CATALOG_ENTRIES_MAX)
		return po_fail(r, "too many entries");
	c->entries = xrealloc(c->entries, (c->n + 1) * sizeof *c->entries);
	en = &c->entries[c->n++];
	en->key = e->has_ctxt ? xasprintf("%s%c%s", e->ctxt.data ?
	    e->ctxt.data : "", CONTEXT_GLUE, e->id.data) :
	    xstrdup(e->id.data);
	en->msgstr = e->str.data ? buf_release(&e->str) : xstrdup("");
out:
	po_entry_clear(e);
	return 0;
}

/* Starts field kw (msgctxt, msgid, msgstr) of the entry. */
static int
po_keyword(struct po_reader *r, struct po_entry *e, const char *line)
{
	static const struct {
		const char	*kw;
		size_t		 off_buf, off_has;
	} fields[] = {
		{ "msgctxt ", offsetof(struct po_entry, ctxt),
		    offsetof(struct po_entry, has_ctxt) },
		{ "msgid ", offsetof(struct po_entry, id),
		    offsetof(struct po_entry, has_id) },
		{ "msgstr ", offsetof(struct po_entry, str),
		    offsetof(struct po_entry, has_str) },
	};
	size_t i, len;
	int *has;

	if (strncmp(line, "msgid_plural", 12) == 0 ||
	    strncmp(line, "msgstr[", 7) == 0)
		return po_fail(r, "plural forms are not used");
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		len = strlen(fields[i].kw);
		if (strncmp(line, fields[i].kw, len) != 0)
			continue;
		/* A msgctxt or msgid after a msgstr begins the next entry. */
		if (i < 2 && e->has_str && po_finish(r, e) == -1)
			return -1;
		has = (int *)((char *)e + fields[i].off_has);
		if (*has)
			return po_fail(r, "a field given twice in one entry");
		if (i == 2 && !e->has_id)
			return po_fail(r, "msgstr before its msgid");
		*has = 1;
		e->open = (struct buf *)((char *)e + fields[i].off_buf);
		return read_string(r, line + len, e->open);
	}
	return po_fail(r, "unknown keyword");
}

static int
po_line(struct po_reader *r, struct po_entry *e, const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '\r') {
		e->open = NULL;
		return e->has_str ? po_finish(r, e) : 0;
	}
	if (line[0] == '#') {
		if (e->has_str && po_finish(r, e) == -1)
			return -1;
		if (line[1] == ',' && strstr(line, "fuzzy") != NULL)
			e->fuzzy = 1;
		e->open = NULL;
		return 0;
	}
	if (line[0] == '"') {
		if (e->open == NULL)
			return po_fail(r, "a string line outside an entry");
		return read_string(r, line, e->open);
	}
	return po_keyword(r, e, line);
}

static int
has_duplicates(struct po_reader *r)
{
	size_t i;

	for (i = 1; i < r->cat->n; i++)
		if (strcmp(r->cat->entries[i - 1].key,
		    r->cat->entries[i].key) == 0) {
			r->line = 0;
			err_set(r->err, ERR_INPUT, "%s: msgid \"%.60s\" is "
			    "translated twice", r->name,
			    r->cat->entries[i].key);
			return 1;
		}
	return 0;
}

struct catalog *
catalog_parse(const char *tag, const char *text, size_t len,
    const char *name, int flags, struct err *err)
{
	struct po_reader r = { .name = name, .flags = flags, .err = err };
	struct po_entry e = { 0 };
	const char *p = text, *end = text + len, *nl;
	char *line;
	int rc = 0;

	r.cat = xcalloc(1, sizeof *r.cat);
	r.cat->tag = xstrdup(tag);
	if (len > CATALOG_FILE_MAX) {
		err_set(err, ERR_INPUT, "%s: over %d bytes", name,
		    CATALOG_FILE_MAX);
		goto fail;
	}
	if (memchr(text, '\0', len) != NULL) {
		err_set(err, ERR_INPUT, "%s: a NUL byte: not a .po file",
		    name);
		goto fail;
	}
	while (rc == 0 && p < end) {
		r.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		line = xstrndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		rc = po_line(&r, &e, line);
		free(line);
		p = nl ? nl + 1 : end;
	}
	if (rc == 0)
		rc = po_finish(&r, &e);
	po_entry_clear(&e);
	if (rc == -1)
		goto fail;
	if (r.cat->n > 1)
		qsort(r.cat->entries, r.cat->n, sizeof *r.cat->entries,
		    entry_cmp);
	if (has_duplicates(&r))
		goto fail;
	return r.cat;
fail:
	catalog_free(r.cat);
	return NULL;
}

void
catalog_free(struct catalog *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->entries[i].key);
		free(c->entries[i].msgstr);
	}
	free(c->entries);
	free(c->tag);
	free(c);
}

const char *
catalog_tag(const struct catalog *c)
{
	return c->tag;
}

const char *
catalog_find(const struct catalog *c, const char *ctxt, const char *msgid)
{
	const struct entry *found;
	char *joined = NULL;

	if (c == NULL || c->n == 0 || msgid == NULL)
		return NULL;
	if (ctxt != NULL)
		joined = xasprintf("%s%c%s", ctxt, CONTEXT_GLUE, msgid);
	found = bsearch(joined ? joined : msgid, c->entries, c->n,
	    sizeof *c->entries, key_cmp);
	free(joined);
	return found ? found->msgstr : NULL;
}

const char *
catalog_get(const struct catalog *c, const char *ctxt, const char *msgid)
{
	const char *s = catalog_find(c, ctxt, msgid);

	return s ? s : msgid;
}

void
catalog_each(const struct catalog *c, void (*fn)(const char *, const char *,
    const char *, void *), void *arg)
{
	const char *glue, *key;
	char *ctxt;
	size_t i;

	for (i = 0; i < c->n; i++) {
		key = c->entries[i].key;
		glue = strchr(key, CONTEXT_GLUE);
		ctxt = glue ? xstrndup(key, (size_t)(glue - key)) : NULL;
		fn(ctxt, glue ? glue + 1 : key, c->entries[i].msgstr, arg);
		free(ctxt);
	}
}

/* ---- placeholders ---- */

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* {x}, <x>, </x> or <x/>. */
size_t
catalog_marker_len(const char *s)
{
	size_t i = 1;

	if (s[0] != '{' && s[0] != '<')
		return 0;
	if (s[0] == '<' && s[1] == '/')
		i++;
	if (!is_name_char(s[i]))
		return 0;
	while (is_name_char(s[i]))
		i++;
	if (s[0] == '{')
		return s[i] == '}' ? i + 1 : 0;
	if (s[i] == '/' && s[1] != '/')
		i++;
	return s[i] == '>' ? i + 1 : 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
catalog_markers(const char *s, struct strvec *out)
{
	size_t len;

	for (; *s != '\0'; s++) {
		if ((len = catalog_marker_len(s)) == 0)
			continue;
		if (out->n == CATALOG_MARKERS_MAX)
			return -1;
		strvec_pushf(out, "%.*s", (int)len, s);
		s += len - 1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, str_cmp);
	return 0;
}

int
catalog_same_markers(const char *msgid, const char *msgstr)
{
	struct strvec a = { 0 }, b = { 0 };
	size_t i;
	int same;

	same = catalog_markers(msgid, &a) == 0 &&
	    catalog_markers(msgstr, &b) == 0 && a.n == b.n;
	for (i = 0; same && i < a.n; i++)
		same = strcmp(a.v[i], b.v[i]) == 0;
	strvec_clear(&a);
	strvec_clear(&b);
	return same;
}
