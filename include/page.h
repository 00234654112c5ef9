/*
 * page.h: the listener's HTML pages, filled from templates in the
 * templates folder (page_*.html), so every value is escaped by
 * construction.  No HTTP and no database here: the caller loads what a
 * page shows.
 */
#ifndef MSCAGENT_PAGE_H
#define MSCAGENT_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "store.h"
#include "tmpl.h"

struct page {
	char	*html;
	size_t	 len;
};

/* What the verification form shows. */
struct page_form {
	const struct tenant	*tenant;
	const struct plan	*plans;		/* the eligible ones */
	size_t			 nplans;
	const char		*token;
	int64_t			 expires_at;
	const char		*message;	/* an error to show (a msgid),
						   or NULL */
};

/* What the status page shows. */
struct page_status {
	const struct tenant		*tenant;
	const char			*plan;	/* name, or NULL */
	const struct history_entry	*history;
	size_t				 nhistory;
};

/* Each returns 0 with *p filled (free with page_clear), or -1 with
 * ERR_RUNTIME when the template is missing or broken. */
int	 page_form(struct tmpl_set *, const struct page_form *, struct page *,
	    struct err *);
int	 page_status(struct tmpl_set *, const struct page_status *,
	    struct page *, struct err *);
/* The 410 pages: a's status is ACCESS_EXPIRED or ACCESS_SUPERSEDED. */
int	 page_gone(struct tmpl_set *, const struct access *a,
	    const char *support, struct page *, struct err *);
/* A page with a title and one paragraph (403, 404, 413, 500, ...), in
 * language (NULL: the default); title and text are msgids (N_()). */
int	 page_message(struct tmpl_set *, const char *language,
	    const char *title, const char *text, struct page *,
	    struct err *);
void	 page_clear(struct page *);

#endif
