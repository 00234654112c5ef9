/*
 * tmpl_impl.h: what tmpl.c shares with its compiled renderer
 * (tmpl_compile.h) and with no one else: how a render looks names up,
 * and the rules that both ways of filling a template apply alike, so
 * that they cannot drift apart.
 */
#ifndef MSCAGENT_TMPL_IMPL_H
#define MSCAGENT_TMPL_IMPL_H

#include <stddef.h>

#include "tmpl.h"

struct catalog;
struct tmpl_list;
struct tmpl_shown;

/*
 * Where a render looks a name up: the item being filled (or the
 * render's own variables), the items and variables around it up to the
 * render's own, then the set's globals.  Scopes live on the stack of a
 * render; shown holds what the render put in its language.
 */
struct tmpl_scope {
	const struct tmpl_vars	*vars;		/* innermost */
	const struct tmpl_vars	*root;		/* the render's own; NULL: vars
						   is an item of the globals */
	const struct tmpl_vars	*globals;	/* may be NULL */
	const struct catalog	*cat;		/* the render's language */
	struct tmpl_shown	*shown;		/* shared by a render's scopes */
};

/* A list as data-each sees it. */
struct tmpl_items {
	const struct tmpl_list	*list;		/* NULL: no such list */
	int			 global;	/* one of the globals' */
};

/* The value of name, "" when no variable has that name; it lives as
 * long as the render. */
const char *tmpl_scope_lookup(const struct tmpl_scope *, const char *name);
/* The number of items of list name, which *items then stands for. */
size_t	 tmpl_scope_list(const struct tmpl_scope *, const char *name,
	    struct tmpl_items *items);
/* The scope of item i of items, inside s. */
void	 tmpl_scope_item(struct tmpl_scope *item, const struct tmpl_scope *s,
	    const struct tmpl_items *items, size_t i);

/* data-href takes only these urls (http, https, mailto). */
int	 tmpl_safe_url(const char *);
/* data-path takes only a path of this site. */
int	 tmpl_safe_path(const char *);
/* data-style-PROP="x": the style attribute style (NULL: none) with
 * "PROP:value" added, or NULL when value (x's) is not a colour #rrggbb
 * or PROP not a property.  Caller frees. */
char	*tmpl_style_with(const char *style, const char *prop,
	    const char *value);
/* data-mailto="word": the href of the button, a reply to subject with
 * word first.  Caller frees. */
char	*tmpl_mailto(const struct tmpl_scope *, const char *subject,
	    const char *word);
/* 1 for an element whose content is written unescaped (script, style):
 * data-var leaves it alone. */
int	 tmpl_raw_text(const char *name);

/* Whether the set compiles its templates (the default), for the tests
 * that compare both ways: off, every render fills a tree.  Forgets the
 * templates read, as tmpl_set_reload. */
void	 tmpl_set_compiled(struct tmpl_set *, int on);
/* 1 when renders of name in the language of tag are compiled. */
int	 tmpl_compiled(struct tmpl_set *, const char *name, const char *tag);

#endif
