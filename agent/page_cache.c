/* page_cache.c: answers kept per link (see page_cache.h for when). */
#include <stdlib.h>
#include <string.h>

#include "page_cache.h"

struct kept {
	char			*path;		/* NULL: the slot is empty */
	char			*token;
	int64_t			 version;
	unsigned		 epoch;
	struct web_response	 res;		/* body owned */
};

struct page_cache {
	struct kept	 slots[PAGE_CACHE_SLOTS];
};

/* FNV-1a over the path and the token: a link has one slot, and a link
 * that takes another's slot only costs that one a render. */
static size_t
slot_of(const char *path, const char *token)
{
	uint64_t h = 1469598103934665603ULL;
	const char *s;

	for (s = path; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (s = token; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h % PAGE_CACHE_SLOTS);
}

static void
kept_clear(struct kept *k)
{
	free(k->path);
	free(k->token);
	free(k->res.body);
	memset(k, 0, sizeof *k);
}

struct page_cache *
page_cache_new(void)
{
	return xcalloc(1, sizeof(struct page_cache));
}

void
page_cache_free(struct page_cache *c)
{
	if (c == NULL)
		return;
	page_cache_clear(c);
	free(c);
}

void
page_cache_clear(struct page_cache *c)
{
	size_t i;

	for (i = 0; i < PAGE_CACHE_SLOTS; i++)
		if (c->slots[i].path != NULL)
			kept_clear(&c->slots[i]);
}

const struct web_response *
page_cache_get(struct page_cache *c, const struct page_cache_key *key)
{
	struct kept *k = &c->slots[slot_of(key->path, key->token)];

	if (k->path == NULL || key->version == -1)
		return NULL;
	if (k->version != key->version || k->epoch != key->epoch ||
	    key->now >= k->res.keep_until) {
		kept_clear(k);
		return NULL;
	}
	if (strcmp(k->token, key->token) != 0 ||
	    strcmp(k->path, key->path) != 0)
		return NULL;
	return &k->res;
}

void
page_cache_put(struct page_cache *c, const struct page_cache_key *key,
    const struct web_response *res)
{
	struct kept *k;

	if (res->keep_until <= key->now || key->version == -1 ||
	    res->len > PAGE_CACHE_BODY_MAX || res->location != NULL)
		return;
	k = &c->slots[slot_of(key->path, key->token)];
	kept_clear(k);
	k->path = xstrdup(key->path);
	k->token = xstrdup(key->token);
	k->version = key->version;
	k->epoch = key->epoch;
	k->res = *res;
	k->res.body = xmalloc(res->len + 1);
	memcpy(k->res.body, res->body, res->len);
	k->res.body[res->len] = '\0';
}
