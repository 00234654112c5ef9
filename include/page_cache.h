/*
 * page_cache.h: answers to GET /verify and /api/getDetails kept for the
 * link that asked, so that a link opened again (a mail scanner's storm,
 * every MSP admin clicking at once after a mass mailing) costs a lookup
 * instead of a token check, three queries and a render.
 *
 * Whether an answer may be kept, and until when, is web.c's to say
 * (web_response.keep_until): a page about a live link until the link
 * expires, a 410 until something changes, never a refusal.  What makes
 * a kept answer wrong is a change in the database, or a reload of the
 * templates and keys: each answer is kept with the database's version as
 * the connection that made it saw it (store_commit_version, which moves
 * when another connection commits; on PostgreSQL it cannot tell, and
 * nothing is kept) and the web's epoch (web_forget), and is not used
 * once either has moved.  A connection's own writes do not
 * move its version: whoever writes through it clears the cache
 * (page_cache_clear).
 *
 * A cache is used by one thread at a time (it goes with a connection of
 * the listener's pool); its memory is bounded by PAGE_CACHE_SLOTS
 * answers of at most PAGE_CACHE_BODY_MAX bytes.
 */
#ifndef MSCAGENT_PAGE_CACHE_H
#define MSCAGENT_PAGE_CACHE_H

#include <stdint.h>

#include "web.h"

#define PAGE_CACHE_SLOTS	256
#define PAGE_CACHE_BODY_MAX	(32 * 1024)

struct page_cache;

struct page_cache *page_cache_new(void);
void	 page_cache_free(struct page_cache *);

/* What an answer is kept under, and what it must still match. */
struct page_cache_key {
	const char	*path;
	const char	*token;
	int64_t		 version;	/* store_commit_version; -1: unknown */
	unsigned	 epoch;		/* web_epoch */
	int64_t		 now;
};

/* The answer kept for key, or NULL; it stays the cache's, and valid
 * until the next call on the cache. */
const struct web_response *page_cache_get(struct page_cache *,
	    const struct page_cache_key *);
/* Keeps a copy of res when res->keep_until says it may be kept and the
 * version is known; replaces what its slot held. */
void	 page_cache_put(struct page_cache *, const struct page_cache_key *,
	    const struct web_response *res);
void	 page_cache_clear(struct page_cache *);

#endif
