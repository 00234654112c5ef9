/* tmpl.c: HTML templates filled through libxml2. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/uri.h>
#include <libxml/xmlsave.h>

#include "catalog.h"
#include "date.h"
#include "html.h"
#include "lang.h"
#include "tmpl.h"
#include "tmpl_compile.h"
#include "tmpl_impl.h"
#include "translate.h"

/* The language the templates are written in. */
#define SOURCE_LANGUAGE	"en"

/* What a value holds; all but text are made text by each render. */
enum var_kind {
	VAR_TEXT,
	VAR_SVG,	/* set by tmpl_vars_set_svg */
	VAR_MSGID,	/* English words, translated */
	VAR_DATE,	/* a day number, written in the language */
	VAR_TIME,	/* a timestamp, the same */
};

struct tmpl_var {
	char		*name;
	uint32_t	 hash;		/* of name: most compares end there */
	char		*value;
	enum var_kind	 kind;
};

struct tmpl_list {
	char			 *name;
	struct tmpl_vars	**items;
	size_t			  n;
};

struct tmpl_vars {
	const struct tmpl_vars	*parent;
	char			*language;	/* tag, or NULL: the default */
	struct tmpl_var		*vars;
	size_t			 nvars, cap;
	struct tmpl_list	*lists;
	size_t			 nlists;
};

struct tmpl_cached {
	char		*name;
	htmlDocPtr	 doc;
};

/*
 * A ready template compiled (tmpl_compile.h), with what a render needs
 * besides.  Renders use it outside the lock, so each holds a reference
 * (refs, under the set's lock) and a reload only lets go of the set's.
 */
struct tmpl_fast {
	struct tmpl_prog	*prog;
	const struct catalog	*cat;
	char			*subject;	/* the pattern, or NULL */
	int			 in_layout;
	unsigned int		 refs;
};

/* A template already put in its layout, with its subject pattern taken
 * out: what each rendering copies and fills, or renders compiled. */
struct tmpl_ready {
	char		*name;
	const struct catalog *cat;	/* its language; NULL: English */
	htmlDocPtr	 doc;
	char		*subject;	/* <meta name="subject">, or NULL */
	int		 in_layout;
	struct tmpl_fast *fast;		/* NULL: filled as a tree */
};

struct tmpl_set {
	char			*dir;
	pthread_mutex_t		 lock;
	struct tmpl_cached	*cache;
	size_t			 ncache;
	struct tmpl_ready	*ready;
	size_t			 nready;
	struct tmpl_vars	*globals;	/* under every render's; may be
						   NULL */
	char			*language;	/* the default tag */
	struct catalog		**catalogs;	/* read on first use */
	size_t			 ncatalogs;
	int			 catalogs_read;
	struct err		 catalogs_err;	/* why one was not read */
	/* Catalogs a reload replaced: a render or a caller may still hold
	 * their words, and reloads are rare and small. */
	struct catalog		**retired;
	size_t			 nretired;
	int			 no_compile;	/* tmpl_set_compiled(set, 0) */
};

/* ---- variables ---- */

struct tmpl_vars *
tmpl_vars_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_vars));
}

void
tmpl_vars_free(struct tmpl_vars *v)
{
	size_t i, j;

	if (v == NULL)
		return;
	for (i = 0; i < v->nvars; i++) {
		free(v->vars[i].name);
		free(v->vars[i].value);
	}
	for (i = 0; i < v->nlists; i++) {
		for (j = 0; j < v->lists[i].n; j++)
			tmpl_vars_free(v->lists[i].items[j]);
		free(v->lists[i].items);
		free(v->lists[i].name);
	}
	free(v->vars);
	free(v->lists);
	free(v->language);
	free(v);
}

/* FNV-1a: names are short, and a render looks up dozens of them. */
static uint32_t
name_hash(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static void
set_var(struct tmpl_vars *v, const char *name, const char *value,
    enum var_kind kind)
{
	uint32_t hash = name_hash(name);
	char *clean;
	size_t i;

	/* Whatever a value holds, the output stays valid UTF-8 text. */
	clean = text_printable(value ? value : "", TMPL_VALUE_MAX);
	for (i = 0; i < v->nvars; i++)
		if (v->vars[i].hash == hash &&
		    strcmp(v->vars[i].name, name) == 0) {
			free(v->vars[i].value);
			v->vars[i].value = clean;
			v->vars[i].kind = kind;
			return;
		}
	if (v->nvars == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 32;
		v->vars = xrealloc(v->vars, v->cap * sizeof *v->vars);
	}
	v->vars[v->nvars].name = xstrdup(name);
	v->vars[v->nvars].hash = hash;
	v->vars[v->nvars].value = clean;
	v->vars[v->nvars].kind = kind;
	v->nvars++;
}

void
tmpl_vars_set(struct tmpl_vars *v, const char *name, const char *value)
{
	set_var(v, name, value, VAR_TEXT);
}

void
tmpl_vars_set_svg(struct tmpl_vars *v, const char *name, const char *svg)
{
	set_var(v, name, svg, VAR_SVG);
}

void
tmpl_vars_set_msgid(struct tmpl_vars *v, const char *name, const char *msgid)
{
	set_var(v, name, msgid, VAR_MSGID);
}

void
tmpl_vars_set_date(struct tmpl_vars *v, const char *name, int32_t day)
{
	char n[16];

	if (day == DATE_NONE) {
		set_var(v, name, "", VAR_TEXT);
		return;
	}
	(void)snprintf(n, sizeof n, "%ld", (long)day);
	set_var(v, name, n, VAR_DATE);
}

void
tmpl_vars_set_time(struct tmpl_vars *v, const char *name, int64_t t)
{
	char n[24];

	(void)snprintf(n, sizeof n, "%lld", (long long)t);
	set_var(v, name, n, VAR_TIME);
}

void
tmpl_vars_set_language(struct tmpl_vars *v, const char *tag)
{
	free(v->language);
	v->language = tag != NULL && *tag != '\0' ? xstrdup(tag) : NULL;
}

void
tmpl_vars_setf(struct tmpl_vars *v, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *value;

	va_start(ap, fmt);
	value = xvasprintf(fmt, ap);
	va_end(ap);
	tmpl_vars_set(v, name, value);
	free(value);
}

struct tmpl_vars *
tmpl_vars_item(struct tmpl_vars *v, const char *list)
{
	struct tmpl_list *l = NULL;
	struct tmpl_vars *item;
	size_t i;

	for (i = 0; i < v->nlists; i++)
		if (strcmp(v->lists[i].name, list) == 0)
			l = &v->lists[i];
	if (l == NULL) {
		v->lists = xrealloc(v->lists, (v->nlists + 1) * sizeof *v->lists);
		l = &v->lists[v->nlists++];
		l->name = xstrdup(list);
		l->items = NULL;
		l->n = 0;
	}
	item = tmpl_vars_new();
	item->parent = v;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): items are pointers */
	l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
	l->items[l->n++] = item;
	return item;
}

/*
 * Where a render looks a name up: the item being filled (or the
 * render's own variables), the items and variables around it up to the
 * render's own, then the set's globals.  Nothing is copied for a
 * render: a value set as a msgid, a date or a time is put in the
 * render's language when first looked up, and kept in shown until the
 * render ends.  The globals are shown as they were set.
 */
struct tmpl_shown {
	const struct tmpl_var	**var;
	char			**text;
	size_t			  n, cap;
};

static void
scope_init(struct tmpl_scope *s, const struct tmpl_set *set,
    const struct tmpl_vars *vars, const struct catalog *cat,
    struct tmpl_shown *shown)
{
	s->vars = vars;
	s->root = vars;
	s->globals = set->globals;
	s->cat = cat;
	s->shown = shown;
}

static void
shown_clear(struct tmpl_shown *sh)
{
	size_t i;

	for (i = 0; i < sh->n; i++)
		free(sh->text[i]);
	free(sh->text);
	free(sh->var);
	memset(sh, 0, sizeof *sh);
}

static const struct tmpl_var *
vars_find(const struct tmpl_vars *v, const char *name, uint32_t hash)
{
	size_t i;

	for (i = 0; i < v->nvars; i++)
		if (v->vars[i].hash == hash && strcmp(v->vars[i].name,
		    name) == 0)
			return &v->vars[i];
	return NULL;
}

/* The variable name stands for, or NULL; *global is 1 when it is one
 * of the globals (or of their items), shown as set. */
static const struct tmpl_var *
scope_var(const struct tmpl_scope *s, const char *name, int *global)
{
	const struct tmpl_vars *v;
	const struct tmpl_var *var;
	uint32_t hash = name_hash(name);

	*global = s->root == NULL;
	for (v = s->vars; v != NULL; v = v->parent) {
		if ((var = vars_find(v, name, hash)) != NULL)
			return var;
		if (v == s->root)
			break;
	}
	*global = 1;
	for (v = s->root != NULL ? s->globals : NULL; v != NULL; v = v->parent)
		if ((var = vars_find(v, name, hash)) != NULL)
			return var;
	return NULL;
}

/* The text of a value in the language of cat (NULL: English), made
 * valid text as tmpl_vars_set makes any value; NULL when it is text
 * already. */
static char *
shown_value(const struct tmpl_var *var, const struct catalog *cat)
{
	char *made, *clean;

	switch (var->kind) {
	case VAR_MSGID:
		return text_printable(catalog_get(cat, NULL, var->value),
		    TMPL_VALUE_MAX);
	case VAR_DATE:
		made = translate_date(cat, (int32_t)strtol(var->value, NULL,
		    10));
		break;
	case VAR_TIME:
		made = translate_time(cat, strtoll(var->value, NULL, 10));
		break;
	default:
		return NULL;
	}
	clean = text_printable(made, TMPL_VALUE_MAX);
	free(made);
	return clean;
}

/* The text var stands for in the render's language. */
static const char *
var_text(const struct tmpl_scope *s, const struct tmpl_var *var, int global)
{
	struct tmpl_shown *sh = s->shown;
	char *text;
	size_t i;

	if (global || var->kind == VAR_TEXT || var->kind == VAR_SVG)
		return var->value;
	for (i = 0; i < sh->n; i++)
		if (sh->var[i] == var)
			return sh->text[i];
	text = shown_value(var, s->cat);
	if (sh->n == sh->cap) {
		sh->cap = sh->cap ? sh->cap * 2 : 8;
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		sh->var = xrealloc(sh->var, sh->cap * sizeof *sh->var);
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		sh->text = xrealloc(sh->text, sh->cap * sizeof *sh->text);
	}
	sh->var[sh->n] = var;
	sh->text[sh->n] = text;
	sh->n++;
	return text;
}

/* The value of name, or NULL when no variable has that name. */
static const char *
lookup_opt(const struct tmpl_scope *s, const char *name)
{
	const struct tmpl_var *var;
	int global;

	if ((var = scope_var(s, name, &global)) == NULL)
		return NULL;
	return var_text(s, var, global);
}

/* The value of name when tmpl_vars_set_svg set it, else NULL. */
static const char *
lookup_svg(const struct tmpl_scope *s, const char *name)
{
	const struct tmpl_var *var;
	int global;

	var = scope_var(s, name, &global);
	return var != NULL && var->kind == VAR_SVG ? var->value : NULL;
}

static const char *
lookup(const struct tmpl_scope *s, const char *name)
{
	const char *value = lookup_opt(s, name);

	return value ? value : "";
}

static const struct tmpl_list *
vars_list(const struct tmpl_vars *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nlists; i++)
		if (strcmp(v->lists[i].name, name) == 0)
			return &v->lists[i];
	return NULL;
}

/* The list name stands for, or NULL; *global as scope_var says. */
static const struct tmpl_list *
scope_list(const struct tmpl_scope *s, const char *name, int *global)
{
	const struct tmpl_vars *v;
	const struct tmpl_list *l;

	*global = s->root == NULL;
	for (v = s->vars; v != NULL; v = v->parent) {
		if ((l = vars_list(v, name)) != NULL)
			return l;
		if (v == s->root)
			break;
	}
	*global = 1;
	for (v = s->root != NULL ? s->globals : NULL; v != NULL; v = v->parent)
		if ((l = vars_list(v, name)) != NULL)
			return l;
	return NULL;
}

/* The scope of an item of a list scope_list found. */
static void
scope_item(struct tmpl_scope *item, const struct tmpl_scope *s,
    const struct tmpl_vars *vars, int global)
{
	*item = *s;
	item->vars = vars;
	if (global) {
		item->root = NULL;
		item->globals = NULL;
	}
}

const char *
tmpl_scope_lookup(const struct tmpl_scope *s, const char *name)
{
	return lookup(s, name);
}

size_t
tmpl_scope_list(const struct tmpl_scope *s, const char *name,
    struct tmpl_items *items)
{
	items->list = scope_list(s, name, &items->global);
	return items->list != NULL ? items->list->n : 0;
}

void
tmpl_scope_item(struct tmpl_scope *item, const struct tmpl_scope *s,
    const struct tmpl_items *items, size_t i)
{
	scope_item(item, s, items->list->items[i], items->global);
}

/* ---- the template cache ---- */

struct tmpl_set *
tmpl_set_new(const char *dir)
{
	struct tmpl_set *set;

	set = xcalloc(1, sizeof *set);
	set->dir = xstrdup(dir);
	set->language = xstrdup(SOURCE_LANGUAGE);
	pthread_mutex_init(&set->lock, NULL);
	return set;
}

void
tmpl_set_language(struct tmpl_set *set, const char *tag)
{
	free(set->language);
	set->language = xstrdup(tag != NULL && *tag != '\0' ? tag :
	    SOURCE_LANGUAGE);
}

/* Lets go of one reference to f; the caller holds set->lock. */
static void
fast_release(struct tmpl_fast *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	tmpl_prog_free(f->prog);
	free(f->subject);
	free(f);
}

static void
drop_cache(struct tmpl_set *set)
{
	size_t i;

	for (i = 0; i < set->ncache; i++) {
		free(set->cache[i].name);
		xmlFreeDoc(set->cache[i].doc);
	}
	free(set->cache);
	set->cache = NULL;
	set->ncache = 0;
	for (i = 0; i < set->nready; i++) {
		free(set->ready[i].name);
		xmlFreeDoc(set->ready[i].doc);
		free(set->ready[i].subject);
		fast_release(set->ready[i].fast);
	}
	free(set->ready);
	set->ready = NULL;
	set->nready = 0;
	/* Put aside, not freed: see struct tmpl_set.
	 * NOLINTNEXTLINE(bugprone-sizeof-expression): items are pointers */
	set->retired = xrealloc(set->retired, sizeof *set->retired *
	    (set->nretired + set->ncatalogs));
	for (i = 0; i < set->ncatalogs; i++)
		set->retired[set->nretired++] = set->catalogs[i];
	free(set->catalogs);
	set->catalogs = NULL;
	set->ncatalogs = 0;
	set->catalogs_read = 0;
}

void
tmpl_set_reload(struct tmpl_set *set)
{
	pthread_mutex_lock(&set->lock);
	drop_cache(set);
	pthread_mutex_unlock(&set->lock);
}

void
tmpl_set_globals(struct tmpl_set *set, struct tmpl_vars *globals)
{
	tmpl_vars_free(set->globals);
	set->globals = globals;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	drop_cache(set);
	for (i = 0; i < set->nretired; i++)
		catalog_free(set->retired[i]);
	free(set->retired);
	tmpl_vars_free(set->globals);
	pthread_mutex_destroy(&set->lock);
	free(set->language);
	free(set->dir);
	free(set);
}

static int
valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > TMPL_NAME_MAX)
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

/* The file at path, of at most max bytes; what names it in errors. */
static char *
read_file(const char *what, const char *path, size_t max, size_t *len,
    struct err *err)
{
	FILE *fp;
	char *data;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		err_set(err, ERR_RUNTIME, "%s %s: %s", what, path,
		    strerror(errno));
		return NULL;
	}
	data = xmalloc(max + 1);
	*len = fread(data, 1, max + 1, fp);
	(void)fclose(fp);	/* read only: nothing to lose */
	if (*len > max) {
		err_set(err, ERR_RUNTIME, "%s %s: larger than %zu bytes",
		    what, path, max);
		free(data);
		return NULL;
	}
	return data;
}

static htmlDocPtr
parse_template(const char *dir, const char *name, struct err *err)
{
	htmlDocPtr doc;
	char *path, *data;
	size_t len;

	path = xasprintf("%s/%s.html", dir, name);
	data = read_file("template", path, TMPL_FILE_MAX, &len, err);
	if (data == NULL) {
		free(path);
		return NULL;
	}
	doc = htmlReadMemory(data, (int)len, NULL, "UTF-8", HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NOBLANKS);
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		err_set(err, ERR_RUNTIME, "template %s: not HTML", path);
		xmlFreeDoc(doc);
		doc = NULL;
	}
	free(data);
	free(path);
	return doc;
}

/* The parsed template, read on first use; the caller holds set->lock
 * and copies it before changing anything. */
static htmlDocPtr
parsed_template(struct tmpl_set *set, const char *name, struct err *err)
{
	htmlDocPtr parsed;
	size_t i;

	if (!valid_name(name)) {
		err_set(err, ERR_RUNTIME, "template name '%.64s' is not valid",
		    name);
		return NULL;
	}
	for (i = 0; i < set->ncache; i++)
		if (strcmp(set->cache[i].name, name) == 0)
			return set->cache[i].doc;
	if ((parsed = parse_template(set->dir, name, err)) == NULL)
		return NULL;
	set->cache = xrealloc(set->cache,
	    (set->ncache + 1) * sizeof *set->cache);
	set->cache[set->ncache].name = xstrdup(name);
	set->cache[set->ncache].doc = parsed;
	set->ncache++;
	return parsed;
}

/* A private copy of the parsed template, to fill. */
static htmlDocPtr
template_copy(struct tmpl_set *set, const char *name, struct err *err)
{
	htmlDocPtr doc;

	pthread_mutex_lock(&set->lock);
	doc = parsed_template(set, name, err);
	if (doc != NULL)
		doc = xmlCopyDoc(doc, 1);
	pthread_mutex_unlock(&set->lock);
	return doc;
}

int
tmpl_check(struct tmpl_set *set, const char *name, struct err *err)
{
	htmlDocPtr doc;

	doc = template_copy(set, name, err);
	if (doc == NULL)
		return 0;
	xmlFreeDoc(doc);
	return 1;
}

/* ---- languages ---- */

/* The tag a catalog file is for ("fr-CA.po" -> "fr-CA"), or 0. */
static int
catalog_file_tag(const char *file, char tag[LANG_TAG_MAX + 1])
{
	size_t len = strlen(file);
	struct err err;
	char *stem;
	int ok;

	if (len < 4 || strcmp(file + len - 3, ".po") != 0)
		return 0;
	stem = xstrndup(file, len - 3);
	ok = lang_normalize(stem, tag, &err) == 0;
	free(stem);
	return ok;
}

static struct catalog *
read_catalog(const char *dir, const char *file, const char *tag,
    struct err *err)
{
	struct catalog *cat = NULL;
	char *path, *data;
	size_t len;

	path = xasprintf("%s/%s", dir, file);
	if ((data = read_file("catalog", path, CATALOG_FILE_MAX, &len,
	    err)) != NULL)
		cat = catalog_parse(tag, data, len, path, 0, err);
	free(data);
	free(path);
	return cat;
}

static int
catalog_cmp(const void *a, const void *b)
{
	return strcmp(catalog_tag(*(struct catalog *const *)a),
	    catalog_tag(*(struct catalog *const *)b));
}

/*
 * Reads the catalogs of the templates folder's po/ once; the caller
 * holds set->lock.  A catalog that cannot be read is left out (its
 * language falls back, tmpl_check_languages says why): one broken
 * file must not stop every mail.
 */
static void
read_catalogs(struct tmpl_set *set)
{
	char tag[LANG_TAG_MAX + 1];
	struct catalog *cat;
	struct dirent *de;
	char *dir;
	DIR *d;

	if (set->catalogs_read)
		return;
	set->catalogs_read = 1;
	err_clear(&set->catalogs_err);
	dir = xasprintf("%s/po", set->dir);
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!catalog_file_tag(de->d_name, tag) ||
		    strcmp(tag, SOURCE_LANGUAGE) == 0)
			continue;
		if ((cat = read_catalog(dir, de->d_name, tag,
		    &set->catalogs_err)) == NULL)
			continue;
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		set->catalogs = xrealloc(set->catalogs, sizeof *set->catalogs *
		    (set->ncatalogs + 1));
		set->catalogs[set->ncatalogs++] = cat;
	}
	(void)closedir(d);
	free(dir);
	if (set->ncatalogs > 1)
		/* NOLINTNEXTLINE(bugprone-sizeof-expression): pointers */
		qsort(set->catalogs, set->ncatalogs, sizeof *set->catalogs,
		    catalog_cmp);
}

/* The tags the set writes, English first (set->ncatalogs + 1 of them,
 * the array the caller's to free); the caller holds set->lock. */
static const char **
language_tags(struct tmpl_set *set)
{
	const char **tags;
	size_t i;

	read_catalogs(set);
	tags = xcalloc(set->ncatalogs + 1, sizeof *tags);
	tags[0] = SOURCE_LANGUAGE;
	for (i = 0; i < set->ncatalogs; i++)
		tags[i + 1] = catalog_tag(set->catalogs[i]);
	return tags;
}

/* The catalog for tag, NULL for English, by lang_fallback from tag and
 * then from the default; the caller holds set->lock. */
static const struct catalog *
pick_catalog(struct tmpl_set *set, const char *tag)
{
	const char **tags = language_tags(set);
	const char *picked;
	size_t i;

	picked = lang_fallback(tag, tags, set->ncatalogs + 1, NULL);
	if (picked == NULL)
		picked = lang_fallback(set->language, tags,
		    set->ncatalogs + 1, SOURCE_LANGUAGE);
	free(tags);
	for (i = 0; i < set->ncatalogs; i++)
		if (picked == catalog_tag(set->catalogs[i]))
			return set->catalogs[i];
	return NULL;
}

static const char *
tag_of(const struct catalog *cat)
{
	return cat ? catalog_tag(cat) : SOURCE_LANGUAGE;
}

void
tmpl_language(struct tmpl_set *set, const char *tag,
    char out[LANG_TAG_MAX + 1])
{
	pthread_mutex_lock(&set->lock);
	(void)snprintf(out, LANG_TAG_MAX + 1, "%s",
	    tag_of(pick_catalog(set, tag)));
	pthread_mutex_unlock(&set->lock);
}

int
tmpl_accept_language(struct tmpl_set *set, const char *header,
    char out[LANG_TAG_MAX + 1])
{
	const char **tags;
	const char *found;

	pthread_mutex_lock(&set->lock);
	tags = language_tags(set);
	found = lang_accept(header, tags, set->ncatalogs + 1);
	(void)snprintf(out, LANG_TAG_MAX + 1, "%s", found ? found : "");
	free(tags);
	pthread_mutex_unlock(&set->lock);
	return found != NULL;
}

const char *
tmpl_translate(struct tmpl_set *set, const char *tag, const char *msgid)
{
	const char *s;

	pthread_mutex_lock(&set->lock);
	s = catalog_get(pick_catalog(set, tag), NULL, msgid);
	pthread_mutex_unlock(&set->lock);
	return s;
}

int
tmpl_languages(struct tmpl_set *set, struct strvec *tags, struct err *err)
{
	size_t i;
	int rc;

	pthread_mutex_lock(&set->lock);
	read_catalogs(set);
	strvec_push(tags, SOURCE_LANGUAGE);
	for (i = 0; i < set->ncatalogs; i++)
		strvec_push(tags, catalog_tag(set->catalogs[i]));
	rc = set->catalogs_err.kind == ERR_NONE ? 0 : -1;
	*err = set->catalogs_err;
	pthread_mutex_unlock(&set->lock);
	return rc;
}

/* ---- filling ---- */

static char *
attr(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static void
set_text(xmlNodePtr n, const char *value)
{
	xmlNodePtr child, next;

	for (child = n->children; child != NULL; child = next) {
		next = child->next;
		xmlUnlinkNode(child);
		xmlFreeNode(child);
	}
	/* A text node: the writer escapes it, nothing in it is parsed. */
	xmlAddChild(n, xmlNewDocText(n->doc, (const xmlChar *)value));
}

int
tmpl_safe_url(const char *url)
{
	return strncmp(url, "https://", 8) == 0 ||
	    strncmp(url, "http://", 7) == 0 || strncmp(url, "mailto:", 7) == 0;
}

static char *
uri_escape(const char *s)
{
	xmlChar *e;
	char *copy;

	e = xmlURIEscapeStr((const xmlChar *)s, (const xmlChar *)"");
	copy = xstrdup(e ? (const char *)e : "");
	xmlFree(e);
	return copy;
}

/* A path of this site: one slash, then not a second one nor a
 * backslash (browsers read "//host" and "/\\host" as another host). */
int
tmpl_safe_path(const char *path)
{
	return path[0] == '/' && path[1] != '/' && path[1] != '\\' &&
	    strpbrk(path, "\r\n\t") == NULL;
}

/* data-path: the href of a link, the action of a form. */
static void
set_path(xmlNodePtr n, const char *path)
{
	if (!tmpl_safe_path(path))
		return;
	xmlSetProp(n, (const xmlChar *)(strcmp((const char *)n->name,
	    "form") == 0 ? "action" : "href"), (const xmlChar *)path);
}

/* What filling one document needs besides the variables. */
struct render {
	const char	*subject;	/* for mailto: buttons */
	int		 too_deep;	/* past TMPL_NESTING_MAX */
};

char *
tmpl_mailto(const struct tmpl_scope *vars, const char *subject,
    const char *word)
{
	char *escaped, *body, *href;

	escaped = uri_escape(subject);
	body = uri_escape(word);
	href = xasprintf("mailto:%s?subject=Re%%3A%%20%s&body=%s",
	    lookup(vars, "reply_to"), escaped, body);
	free(body);
	free(escaped);
	return href;
}

static void
set_mailto(xmlNodePtr n, const char *word, const struct tmpl_scope *vars,
    const struct render *r)
{
	char *href;

	href = tmpl_mailto(vars, r->subject, word);
	xmlSetProp(n, (const xmlChar *)"href", (const xmlChar *)href);
	free(href);
}

/* ---- inline SVG ---- */

/*
 * What an SVG the agent draws (a QR code, a chart) is made of.  Only
 * these elements and attributes are copied into a page, whoever made
 * the SVG: none runs a script, loads anything or takes a URL.
 */
static const char *const svg_elements[] = {
	"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline",
	"polygon", "text", "tspan", "title", "desc",
};
static const char *const svg_attributes[] = {
	"width", "height", "viewBox", "preserveAspectRatio", "role",
	"aria-label", "class", "fill", "fill-opacity", "fill-rule", "stroke",
	"stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
	"stroke-dasharray", "opacity", "d", "x", "y", "dx", "dy", "x1", "y1",
	"x2", "y2", "cx", "cy", "r", "rx", "ry", "points", "transform",
	"font-size", "font-family", "font-weight", "text-anchor",
	"dominant-baseline", "shape-rendering",
};

static int
in_list(const char *const *list, size_t n, const xmlChar *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], (const char *)name) == 0)
			return 1;
	return 0;
}

/* Copies the allowed part of node n under to (in to's document). */
static void
svg_copy(xmlNodePtr to, xmlNodePtr n, int depth)
{
	xmlNodePtr el, child;
	xmlAttrPtr a;
	xmlChar *v;

	if (depth > TMPL_NESTING_MAX)
		return;
	if (n->type == XML_TEXT_NODE) {
		xmlAddChild(to, xmlNewDocText(to->doc, n->content));
		return;
	}
	if (n->type != XML_ELEMENT_NODE || !in_list(svg_elements,
	    sizeof svg_elements / sizeof *svg_elements, n->name))
		return;
	el = xmlNewDocNode(to->doc, NULL, n->name, NULL);
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || !in_list(svg_attributes,
		    sizeof svg_attributes / sizeof *svg_attributes, a->name))
			continue;
		v = xmlNodeGetContent((xmlNodePtr)a);
		xmlSetProp(el, a->name, v ? v : (const xmlChar *)"");
		xmlFree(v);
	}
	xmlAddChild(to, el);
	for (child = n->children; child != NULL; child = child->next)
		svg_copy(el, child, depth + 1);
}

/*
 * Puts svg (from tmpl_vars_set_svg) in place of n's content: parsed as
 * XML without entities or network, and copied through the lists above.
 * An SVG that does not parse leaves n empty.
 */
static void
set_svg(xmlNodePtr n, const char *svg)
{
	xmlDocPtr doc;
	xmlNodePtr root;

	set_text(n, "");
	doc = xmlReadMemory(svg, (int)strlen(svg), NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return;
	root = xmlDocGetRootElement(doc);
	if (root != NULL && strcmp((const char *)root->name, "svg") == 0)
		svg_copy(n, root, 0);
	xmlFreeDoc(doc);
}

/* Their content is written unescaped: a value there could add markup. */
int
tmpl_raw_text(const char *name)
{
	return strcmp(name, "script") == 0 || strcmp(name, "style") == 0;
}

/* Evaluates data-if / data-unless; returns 0 when n must go. */
static int
keep_element(xmlNodePtr n, const struct tmpl_scope *vars)
{
	char *v;
	int keep = 1;

	if ((v = attr(n, "data-if")) != NULL) {
		xmlUnsetProp(n, (const xmlChar *)"data-if");
		keep = *lookup(vars, v) != '\0';
		xmlFree(v);
	}
	if (keep && (v = attr(n, "data-unless")) != NULL) {
		xmlUnsetProp(n, (const xmlChar *)"data-unless");
		keep = *lookup(vars, v) == '\0';
		xmlFree(v);
	}
	return keep;
}

/*
 * HTML's boolean attributes mean "on" by being there at all, whatever
 * their value, so a value cannot switch one off: data-selected="x"
 * makes selected present only when x is set and not "", as data-if
 * keeps an element.
 */
static const char *const boolean_attrs[][2] = {
	{ "data-selected", "selected" },
	{ "data-checked", "checked" },
};

static void
set_boolean_attrs(xmlNodePtr n, const struct tmpl_scope *vars)
{
	const xmlChar *name;
	char *v;
	size_t i;

	for (i = 0; i < sizeof boolean_attrs / sizeof boolean_attrs[0]; i++) {
		if ((v = attr(n, boolean_attrs[i][0])) == NULL)
			continue;
		name = (const xmlChar *)boolean_attrs[i][1];
		if (*lookup(vars, v) != '\0')
			xmlSetProp(n, name, name);
		else
			xmlUnsetProp(n, name);
		xmlUnsetProp(n, (const xmlChar *)boolean_attrs[i][0]);
		xmlFree(v);
	}
}

#define STYLE_PREFIX	"data-style-"

/* "#rrggbb": the one shape a value may have inside a style attribute. */
static int
is_hex_color(const char *s)
{
	return strlen(s) == 7 && s[0] == '#' &&
	    strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

/* A CSS property name as a template writes it: a-z and '-'. */
static int
is_css_property(const char *s)
{
	return *s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz-") ==
	    strlen(s);
}

/*
 * data-style-PROP="x" adds "PROP:x" to the style attribute when x is a
 * colour #rrggbb, and nothing otherwise: a value is never pasted into
 * CSS text unless it cannot be anything but a colour.
 */
char *
tmpl_style_with(const char *style, const char *prop, const char *value)
{
	if (!is_css_property(prop) || !is_hex_color(value))
		return NULL;
	return xasprintf("%s%s%s:%s", style ? style : "",
	    style && *style && style[strlen(style) - 1] != ';' ? ";" : "",
	    prop, value);
}

static void
set_style_colors(xmlNodePtr n, const struct tmpl_scope *vars)
{
	xmlAttrPtr a;
	char *name, *v, *style, *made;

	for (;;) {
		for (a = n->properties; a != NULL; a = a->next)
			if (strncmp((const char *)a->name, STYLE_PREFIX,
			    strlen(STYLE_PREFIX)) == 0)
				break;
		if (a == NULL)
			break;
		name = xstrdup((const char *)a->name);
		v = attr(n, name);
		style = attr(n, "style");
		made = tmpl_style_with(style, name + strlen(STYLE_PREFIX),
		    lookup(vars, v));
		if (made != NULL)
			xmlSetProp(n, (const xmlChar *)"style",
			    (const xmlChar *)made);
		free(made);
		xmlFree(style);
		xmlUnsetProp(n, (const xmlChar *)name);
		xmlFree(v);
		free(name);
	}
}

static void render_children(xmlNodePtr, const struct tmpl_scope *,
    struct render *, int);

/* Whether n has a data-* attribute: most elements have none, and a
 * look at each name once spares looking up every one of them. */
static int
has_data_attr(xmlNodePtr n)
{
	xmlAttrPtr a;

	for (a = n->properties; a != NULL; a = a->next)
		if (strncmp((const char *)a->name, "data-", 5) == 0)
			return 1;
	return 0;
}

/* Fills one element; returns 0 when it must be removed. */
static int
render_element(xmlNodePtr n, const struct tmpl_scope *vars, struct render *r,
    int depth)
{
	const char *svg;
	char *v;

	if (!keep_element(n, vars))
		return 0;
	if ((v = attr(n, "data-var")) != NULL) {
		if (!tmpl_raw_text((const char *)n->name))
			set_text(n, lookup(vars, v));
		xmlUnsetProp(n, (const xmlChar *)"data-var");
		xmlFree(v);
	}
	if ((v = attr(n, "data-svg")) != NULL) {
		svg = lookup_svg(vars, v);
		set_svg(n, svg ? svg : "");
		xmlUnsetProp(n, (const xmlChar *)"data-svg");
		xmlFree(v);
	}
	if ((v = attr(n, "data-href")) != NULL) {
		if (tmpl_safe_url(lookup(vars, v)))
			xmlSetProp(n, (const xmlChar *)"href",
			    (const xmlChar *)lookup(vars, v));
		xmlUnsetProp(n, (const xmlChar *)"data-href");
		xmlFree(v);
	}
	if ((v = attr(n, "data-path")) != NULL) {
		set_path(n, lookup(vars, v));
		xmlUnsetProp(n, (const xmlChar *)"data-path");
		xmlFree(v);
	}
	if ((v = attr(n, "data-value")) != NULL) {
		xmlSetProp(n, (const xmlChar *)"value",
		    (const xmlChar *)lookup(vars, v));
		xmlUnsetProp(n, (const xmlChar *)"data-value");
		xmlFree(v);
	}
	set_boolean_attrs(n, vars);
	set_style_colors(n, vars);
	if ((v = attr(n, "data-mailto")) != NULL) {
		set_mailto(n, v, vars, r);
		xmlUnsetProp(n, (const xmlChar *)"data-mailto");
		xmlFree(v);
	}
	render_children(n, vars, r, depth + 1);
	return 1;
}

/* Replaces an element carrying data-each by one copy per item. */
static void
render_each(xmlNodePtr n, const char *list, const struct tmpl_scope *vars,
    struct render *r, int depth)
{
	const struct tmpl_list *l;
	struct tmpl_scope item;
	xmlNodePtr copy;
	size_t i;
	int global;

	xmlUnsetProp(n, (const xmlChar *)"data-each");
	l = scope_list(vars, list, &global);
	for (i = 0; l != NULL && i < l->n; i++) {
		copy = xmlDocCopyNode(n, n->doc, 1);
		xmlAddPrevSibling(n, copy);
		scope_item(&item, vars, l->items[i], global);
		if (!render_element(copy, &item, r, depth)) {
			xmlUnlinkNode(copy);
			xmlFreeNode(copy);
		}
	}
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

static void
render_children(xmlNodePtr parent, const struct tmpl_scope *vars,
    struct render *r, int depth)
{
	xmlNodePtr n, next;
	char *list;

	if (depth > TMPL_NESTING_MAX) {
		r->too_deep = 1;
		return;
	}
	for (n = parent->children; n != NULL; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!has_data_attr(n))
			render_children(n, vars, r, depth + 1);
		else if ((list = attr(n, "data-each")) != NULL) {
			render_each(n, list, vars, r, depth);
			xmlFree(list);
		} else if (!render_element(n, vars, r, depth)) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
}

static int
is_element(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr
find_element(xmlNodePtr n, const char *name)
{
	xmlNodePtr found;

	for (; n != NULL; n = n->next) {
		if (is_element(n, name))
			return n;
		if ((found = find_element(n->children, name)) != NULL)
			return found;
	}
	return NULL;
}

static xmlNodePtr
find_slot(xmlNodePtr n)
{
	xmlNodePtr found;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    xmlHasProp(n, (const xmlChar *)"data-slot"))
			return n;
		if ((found = find_slot(n->children)) != NULL)
			return found;
	}
	return NULL;
}

/* The value with every control character (C0, DEL, C1) made a space:
 * values are valid UTF-8 already (tmpl_vars_set). */
static void
append_one_line(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			buf_puts(b, " ");
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			buf_puts(b, " ");
			p++;
		} else
			buf_append(b, (const char *)p, 1);
	}
}

/* Expands {x} in the subject pattern; an unknown {x} is left as is.  A
 * template without a pattern has the subject "". */
static char *
expand_subject(const char *pattern, const struct tmpl_scope *vars)
{
	struct buf b = { 0 };
	const char *p, *close;
	char name[TMPL_NAME_MAX + 1];
	size_t len;

	if (pattern == NULL)
		return xstrdup("");
	for (p = pattern; *p; p++) {
		close = *p == '{' ? strchr(p, '}') : NULL;
		len = close ? (size_t)(close - p - 1) : 0;
		if (close == NULL || len == 0 || len > TMPL_NAME_MAX) {
			append_one_line(&b, (char[2]){ *p, '\0' });
			continue;
		}
		memcpy(name, p + 1, len);
		name[len] = '\0';
		if (lookup_opt(vars, name) == NULL)
			buf_append(&b, p, len + 2);	/* not ours: kept */
		else
			append_one_line(&b, lookup(vars, name));
		p = close;
	}
	return buf_release(&b);
}

/* Takes <meta name="subject"> out of doc: its pattern, or NULL. */
static char *
take_subject(htmlDocPtr doc)
{
	xmlNodePtr n;
	char *name, *content, *pattern = NULL;

	for (n = find_element(doc->children, "meta"); n != NULL;
	    n = n->next) {
		if (!is_element(n, "meta"))
			continue;
		name = attr(n, "name");
		content = attr(n, "content");
		if (name && content && strcmp(name, "subject") == 0)
			pattern = xstrdup(content);
		xmlFree(name);
		xmlFree(content);
		if (pattern) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
			break;
		}
	}
	return pattern;
}

/* The text part: the filled document laid out for a person, ending
 * with a line break as a text/plain body does. */
static char *
text_of(htmlDocPtr doc)
{
	struct buf b = { 0 };
	char *text;

	text = html_doc_text(doc, HTML_TEXT_MAIL);
	buf_puts(&b, text);
	buf_puts(&b, "\n");
	free(text);
	return buf_release(&b);
}

/* Writes the document as HTML in UTF-8 (no entities for non-ASCII). */
static int
dump_html(htmlDocPtr doc, char **html, size_t *len)
{
	xmlBufferPtr b;
	xmlSaveCtxtPtr save;
	int rc = -1;

	*html = NULL;
	b = xmlBufferCreate();
	save = xmlSaveToBuffer(b, "UTF-8", XML_SAVE_AS_HTML |
	    XML_SAVE_NO_DECL | XML_SAVE_FORMAT);
	/* libxml2 fails these only when memory runs out or the encoding
	 * is unknown, and UTF-8 is built in: never seen in a test. */
	if (save != NULL && xmlSaveDoc(save, doc) >= 0 &&
	    xmlSaveClose(save) >= 0) {
		save = NULL;
		*len = (size_t)xmlBufferLength(b);
		*html = xstrndup((const char *)xmlBufferContent(b), *len);
		rc = *len > 0 ? 0 : -1;
	}
	if (save != NULL)
		xmlSaveClose(save);
	xmlBufferFree(b);
	return rc;
}

/*
 * A template whose <body> says data-layout="NAME" is only the content:
 * it goes into the element of NAME.html marked data-slot, so that every
 * mail shares one frame and one set of styles.  Returns 1 when doc was
 * put in a layout, 0 when it has none; the caller holds set->lock.
 */
static int
wrap_in_layout(struct tmpl_set *set, htmlDocPtr *doc, struct err *err)
{
	htmlDocPtr outer;
	xmlNodePtr body, slot, n;
	char *layout;

	body = find_element((*doc)->children, "body");
	if (body == NULL || (layout = attr(body, "data-layout")) == NULL)
		return 0;
	outer = parsed_template(set, layout, err);
	xmlFree(layout);
	if (outer == NULL)
		return -1;
	outer = xmlCopyDoc(outer, 1);
	slot = find_slot(outer->children);
	if (slot == NULL) {
		err_set(err, ERR_RUNTIME, "layout template has no data-slot");
		xmlFreeDoc(outer);
		return -1;
	}
	xmlUnsetProp(slot, (const xmlChar *)"data-slot");
	for (n = body->children; n != NULL; n = n->next)
		xmlAddChild(slot, xmlDocCopyNode(n, outer, 1));
	xmlFreeDoc(*doc);
	*doc = outer;
	return 1;
}

/* Puts the document in the language of cat: its words, and the lang
 * of <html> that tells browsers and screen readers. */
static void
translate_doc(htmlDocPtr doc, char **subject, const struct catalog *cat)
{
	xmlNodePtr html;
	char *translated;

	translate_tree((xmlNodePtr)doc, cat);
	if (*subject != NULL) {
		translated = xstrdup(catalog_get(cat, NULL, *subject));
		free(*subject);
		*subject = translated;
	}
	if ((html = find_element(doc->children, "html")) != NULL)
		xmlSetProp(html, (const xmlChar *)"lang",
		    (const xmlChar *)tag_of(cat));
}

/* The compiled form of r, or NULL when the compiler leaves it to the
 * tree. */
static struct tmpl_fast *
fast_new(const struct tmpl_ready *r)
{
	struct tmpl_prog *prog;
	struct tmpl_fast *f;

	if ((prog = tmpl_compile(r->doc)) == NULL)
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->prog = prog;
	f->cat = r->cat;
	f->subject = r->subject ? xstrdup(r->subject) : NULL;
	f->in_layout = r->in_layout;
	f->refs = 1;
	return f;
}

/* Template name in its layout and in the language of cat, made once
 * and kept with the parsed templates; the caller holds set->lock. */
static struct tmpl_ready *
ready_template(struct tmpl_set *set, const char *name,
    const struct catalog *cat, struct err *err)
{
	struct tmpl_ready *r;
	htmlDocPtr doc;
	char *subject;
	size_t i;
	int wrapped;

	for (i = 0; i < set->nready; i++)
		if (set->ready[i].cat == cat &&
		    strcmp(set->ready[i].name, name) == 0)
			return &set->ready[i];
	if ((doc = parsed_template(set, name, err)) == NULL)
		return NULL;
	doc = xmlCopyDoc(doc, 1);
	subject = take_subject(doc);
	if ((wrapped = wrap_in_layout(set, &doc, err)) == -1) {
		free(subject);
		xmlFreeDoc(doc);
		return NULL;
	}
	translate_doc(doc, &subject, cat);
	set->ready = xrealloc(set->ready, (set->nready + 1) *
	    sizeof *set->ready);
	r = &set->ready[set->nready++];
	r->name = xstrdup(name);
	r->cat = cat;
	r->doc = doc;
	r->subject = subject;
	r->in_layout = wrapped;
	r->fast = set->no_compile ? NULL : fast_new(r);
	return r;
}

/* A copy of template name in its layout and in the language of tag,
 * its subject pattern, and the catalog of that language. */
static htmlDocPtr
ready_copy(struct tmpl_set *set, const char *name, const char *tag,
    char **pattern, int *in_layout, const struct catalog **cat,
    struct err *err)
{
	struct tmpl_ready *r;
	htmlDocPtr doc = NULL;

	*pattern = NULL;
	pthread_mutex_lock(&set->lock);
	*cat = pick_catalog(set, tag);
	if ((r = ready_template(set, name, *cat, err)) != NULL) {
		doc = xmlCopyDoc(r->doc, 1);
		*pattern = r->subject ? xstrdup(r->subject) : NULL;
		*in_layout = r->in_layout;
	}
	pthread_mutex_unlock(&set->lock);
	return doc;
}

/* The subject from its pattern, also put in <title>: a layout's title
 * is kept when the subject is empty. */
static char *
set_subject(htmlDocPtr doc, const char *pattern, int in_layout,
    const struct tmpl_scope *vars)
{
	xmlNodePtr title;
	char *subject;

	subject = expand_subject(pattern, vars);
	if (pattern != NULL && (!in_layout || *subject != '\0') &&
	    (title = find_element(doc->children, "title")) != NULL)
		set_text(title, subject);
	return subject;
}

int
tmpl_subject(struct tmpl_set *set, const char *name,
    const struct tmpl_vars *vars, char **subject, struct err *err)
{
	const struct catalog *cat;
	struct tmpl_ready *r;
	struct tmpl_shown shown = { 0 };
	struct tmpl_scope scope;
	char *pattern = NULL;

	*subject = NULL;
	pthread_mutex_lock(&set->lock);
	cat = pick_catalog(set, vars->language);
	if ((r = ready_template(set, name, cat, err)) != NULL &&
	    r->subject != NULL)
		pattern = xstrdup(r->subject);
	pthread_mutex_unlock(&set->lock);
	if (r == NULL)
		return -1;
	scope_init(&scope, set, vars, cat, &shown);
	*subject = expand_subject(pattern, &scope);
	shown_clear(&shown);
	free(pattern);
	return 0;
}

/* Copies template name in its layout and fills it with vars; *cat is
 * the language it was made in. */
static htmlDocPtr
fill(struct tmpl_set *set, const char *name, const struct tmpl_vars *vars,
    char **subject, const struct catalog **cat, struct err *err)
{
	struct render r = { 0 };
	struct tmpl_shown shown = { 0 };
	struct tmpl_scope scope;
	htmlDocPtr doc;
	char *pattern;
	int in_layout;

	*subject = NULL;
	if ((doc = ready_copy(set, name, vars->language, &pattern, &in_layout,
	    cat, err)) == NULL)
		return NULL;
	scope_init(&scope, set, vars, *cat, &shown);
	*subject = set_subject(doc, pattern, in_layout, &scope);
	free(pattern);
	r.subject = *subject;
	render_children((xmlNodePtr)doc, &scope, &r, 0);
	shown_clear(&shown);
	if (r.too_deep) {
		err_set(err, ERR_RUNTIME, "template %s: elements nested more "
		    "than %d deep", name, TMPL_NESTING_MAX);
		goto fail;
	}
	return doc;
fail:
	free(*subject);
	*subject = NULL;
	xmlFreeDoc(doc);
	return NULL;
}

static int
dump_checked(htmlDocPtr doc, const char *name, char **html, size_t *len,
    struct err *err)
{
	if (dump_html(doc, html, len) == -1 || *len > TMPL_OUTPUT_MAX) {
		free(*html);
		*html = NULL;
		err_set(err, ERR_RUNTIME, "template %s: output empty or over %d "
		    "bytes", name, TMPL_OUTPUT_MAX);
		return -1;
	}
	return 0;
}

/*
 * The compiled form of template name in the language of tag, with a
 * reference the caller lets go of with fast_put.  NULL with *tree set
 * when it is filled as a tree, NULL alone on an error.
 */
static struct tmpl_fast *
fast_get(struct tmpl_set *set, const char *name, const char *tag,
    int *tree, struct err *err)
{
	struct tmpl_ready *r;
	struct tmpl_fast *f = NULL;

	*tree = 0;
	pthread_mutex_lock(&set->lock);
	if ((r = ready_template(set, name, pick_catalog(set, tag),
	    err)) != NULL) {
		if ((f = r->fast) != NULL)
			f->refs++;
		else
			*tree = 1;
	}
	pthread_mutex_unlock(&set->lock);
	return f;
}

static void
fast_put(struct tmpl_set *set, struct tmpl_fast *f)
{
	pthread_mutex_lock(&set->lock);
	fast_release(f);
	pthread_mutex_unlock(&set->lock);
}

/* A text/plain body ends with a line break, as text_of's. */
static void
line_ended(char **text)
{
	size_t len = strlen(*text);

	*text = xrealloc(*text, len + 2);
	memcpy(*text + len, "\n", 2);
}

/* Renders f as fill and dump_checked would, and the text part when
 * text is not NULL. */
static int
fast_render(struct tmpl_set *set, const struct tmpl_fast *f,
    const char *name, const struct tmpl_vars *vars, char **subject,
    char **html, size_t *len, char **text, struct err *err)
{
	struct tmpl_shown shown = { 0 };
	struct tmpl_scope scope;
	struct buf b = { 0 };
	const char *title;

	scope_init(&scope, set, vars, f->cat, &shown);
	*subject = expand_subject(f->subject, &scope);
	title = f->subject != NULL && (!f->in_layout || **subject != '\0') ?
	    *subject : NULL;
	tmpl_prog_run(f->prog, &scope, title, *subject, &b, text);
	shown_clear(&shown);
	if (text != NULL)
		line_ended(text);
	*len = b.len;
	*html = buf_release(&b);
	if (*len > TMPL_OUTPUT_MAX) {
		err_set(err, ERR_RUNTIME, "template %s: output empty or over %d "
		    "bytes", name, TMPL_OUTPUT_MAX);
		return -1;
	}
	return 0;
}

static int
render_fast(struct tmpl_set *set, struct tmpl_fast *f, const char *name,
    const struct tmpl_vars *vars, struct tmpl_out *out, struct err *err)
{
	int rc = -1;

	(void)snprintf(out->language, sizeof out->language, "%s",
	    tag_of(f->cat));
	if (fast_render(set, f, name, vars, &out->subject, &out->html,
	    &out->html_len, &out->text, err) == -1)
		goto out;
	if (strlen(out->text) > TMPL_OUTPUT_MAX) {
		err_set(err, ERR_RUNTIME, "template %s: text over %d bytes",
		    name, TMPL_OUTPUT_MAX);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		tmpl_out_clear(out);
	return rc;
}

int
tmpl_render(struct tmpl_set *set, const char *name,
    const struct tmpl_vars *vars, struct tmpl_out *out, struct err *err)
{
	const struct catalog *cat;
	struct tmpl_fast *f;
	htmlDocPtr doc;
	int rc = -1, tree;

	memset(out, 0, sizeof *out);
	if ((f = fast_get(set, name, vars->language, &tree, err)) != NULL) {
		rc = render_fast(set, f, name, vars, out, err);
		fast_put(set, f);
		return rc;
	}
	if (!tree)
		return -1;
	if ((doc = fill(set, name, vars, &out->subject, &cat, err)) == NULL)
		return -1;
	(void)snprintf(out->language, sizeof out->language, "%s",
	    tag_of(cat));
	if (dump_checked(doc, name, &out->html, &out->html_len, err) == -1)
		goto out;
	out->text = text_of(doc);
	if (strlen(out->text) > TMPL_OUTPUT_MAX) {
		err_set(err, ERR_RUNTIME, "template %s: text over %d bytes",
		    name, TMPL_OUTPUT_MAX);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		tmpl_out_clear(out);
	xmlFreeDoc(doc);
	return rc;
}

int
tmpl_render_page(struct tmpl_set *set, const char *name,
    const struct tmpl_vars *vars, char **html, size_t *len, struct err *err)
{
	htmlDocPtr doc;
	const struct catalog *cat;
	struct tmpl_fast *f;
	char *title;
	int rc, tree;

	*html = NULL;
	*len = 0;
	if ((f = fast_get(set, name, vars->language, &tree, err)) != NULL) {
		rc = fast_render(set, f, name, vars, &title, html, len, NULL,
		    err);
		fast_put(set, f);
		free(title);
		if (rc == -1) {
			free(*html);
			*html = NULL;
		}
		return rc;
	}
	if (!tree)
		return -1;
	if ((doc = fill(set, name, vars, &title, &cat, err)) == NULL)
		return -1;
	rc = dump_checked(doc, name, html, len, err);
	free(title);
	xmlFreeDoc(doc);
	return rc;
}

void
tmpl_out_clear(struct tmpl_out *out)
{
	free(out->subject);
	free(out->html);
	free(out->text);
	memset(out, 0, sizeof *out);
}

void
tmpl_set_compiled(struct tmpl_set *set, int on)
{
	pthread_mutex_lock(&set->lock);
	set->no_compile = !on;
	drop_cache(set);
	pthread_mutex_unlock(&set->lock);
}

int
tmpl_compiled(struct tmpl_set *set, const char *name, const char *tag)
{
	struct tmpl_fast *f;
	struct err err;
	int tree;

	if ((f = fast_get(set, name, tag, &tree, &err)) == NULL)
		return 0;
	fast_put(set, f);
	return 1;
}
