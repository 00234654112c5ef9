/*
 * test_page_cache.c: an answer is given again only for the same link, the
 * same database version and epoch, and before it expires; what may not
 * be kept is not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_cache.h"

#define NOW	1780000000
#define TOKEN	"eyJh.eyJz.sig"

static struct web_response
answer(unsigned status, const char *body, int64_t keep_until)
{
	struct web_response res = { 0 };

	res.status = status;
	res.type = "text/html; charset=utf-8";
	res.body = (char *)(uintptr_t)body;
	res.len = strlen(body);
	res.keep_until = keep_until;
	return res;
}

static struct page_cache_key
key(const char *path, const char *token, int64_t version, unsigned epoch,
    int64_t now)
{
	struct page_cache_key k = { path, token, version, epoch, now };

	return k;
}

struct row {
	const char	*why;
	struct page_cache_key	 ask;
	int		 found;
};

static void
test_when_given_again(void **state)
{
	const struct row rows[] = {
		{ "the same link, nothing changed",
		  key("/verify", TOKEN, 7, 1, NOW + 10), 1 },
		{ "HEAD asks the same",
		  key("/verify", TOKEN, 7, 1, NOW + 99), 1 },
		{ "another link", key("/verify", TOKEN "x", 7, 1, NOW), 0 },
		{ "another path", key("/api/getDetails", TOKEN, 7, 1, NOW),
		  0 },
		{ "the version unknown", key("/verify", TOKEN, -1, 1, NOW),
		  0 },
		{ "the link expired", key("/verify", TOKEN, 7, 1, NOW + 100),
		  0 },
	};
	struct web_response res = answer(200, "<p>form</p>", NOW + 100);
	struct page_cache *c = page_cache_new();
	struct page_cache_key put = key("/verify", TOKEN, 7, 1, NOW);
	const struct web_response *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		page_cache_put(c, &put, &res);
		got = page_cache_get(c, &rows[i].ask);
		if ((got != NULL) != rows[i].found)
			fail_msg("%s: %s", rows[i].why, got ? "found" :
			    "not found");
		if (got == NULL)
			continue;
		assert_int_equal(got->status, 200);
		assert_string_equal(got->type, res.type);
		assert_int_equal(got->len, res.len);
		assert_memory_equal(got->body, res.body, res.len);
		assert_ptr_not_equal(got->body, res.body);	/* a copy */
	}
	page_cache_free(c);
}

/* A moved version or epoch drops the answer for good. */
static void
test_changes(void **state)
{
	struct web_response res = answer(410, "<p>gone</p>", INT64_MAX);
	struct page_cache *c = page_cache_new();
	struct page_cache_key k = key("/verify", TOKEN, 7, 1, NOW);

	(void)state;
	page_cache_put(c, &k, &res);
	k.version = 8;
	assert_null(page_cache_get(c, &k));
	k.version = 7;
	assert_null(page_cache_get(c, &k));	/* dropped, not hidden */
	page_cache_put(c, &k, &res);
	k.epoch = 2;
	assert_null(page_cache_get(c, &k));
	k.epoch = 1;
	assert_null(page_cache_get(c, &k));
	page_cache_put(c, &k, &res);
	page_cache_clear(c);
	assert_null(page_cache_get(c, &k));
	page_cache_free(c);
}

/* What may not be kept: no keep_until, a past one, a redirect, an
 * unknown version, a body over the limit. */
static void
test_not_kept(void **state)
{
	struct page_cache *c = page_cache_new();
	struct page_cache_key k = key("/verify", TOKEN, 7, 1, NOW);
	struct web_response res;
	char *big;

	(void)state;
	res = answer(403, "<p>no</p>", 0);
	page_cache_put(c, &k, &res);
	assert_null(page_cache_get(c, &k));
	res = answer(200, "<p>old</p>", NOW);
	page_cache_put(c, &k, &res);
	assert_null(page_cache_get(c, &k));
	res = answer(303, "<p>see</p>", NOW + 100);
	res.location = (char *)(uintptr_t)"https://x/verify";
	page_cache_put(c, &k, &res);
	assert_null(page_cache_get(c, &k));
	res = answer(200, "<p>form</p>", NOW + 100);
	k.version = -1;
	page_cache_put(c, &k, &res);
	k.version = 7;
	assert_null(page_cache_get(c, &k));
	big = calloc(1, PAGE_CACHE_BODY_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', PAGE_CACHE_BODY_MAX + 1);
	res = answer(200, big, NOW + 100);
	page_cache_put(c, &k, &res);
	assert_null(page_cache_get(c, &k));
	free(big);
	page_cache_free(c);
}

/* Many links: each answer is its own link's, whatever slot it shares. */
static void
test_many_links(void **state)
{
	struct page_cache *c = page_cache_new();
	struct page_cache_key k = key("/verify", NULL, 7, 1, NOW);
	const struct web_response *got;
	struct web_response res;
	char token[32], body[32];
	int i, found = 0;

	(void)state;
	for (i = 0; i < 4 * PAGE_CACHE_SLOTS; i++) {
		snprintf(token, sizeof token, "t%d", i);
		snprintf(body, sizeof body, "b%d", i);
		k.token = token;
		res = answer(200, body, NOW + 100);
		page_cache_put(c, &k, &res);
	}
	for (i = 0; i < 4 * PAGE_CACHE_SLOTS; i++) {
		snprintf(token, sizeof token, "t%d", i);
		snprintf(body, sizeof body, "b%d", i);
		k.token = token;
		if ((got = page_cache_get(c, &k)) == NULL)
			continue;
		assert_string_equal(got->body, body);
		found++;
	}
	assert_true(found > 0 && found <= PAGE_CACHE_SLOTS);
	page_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_when_given_again),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_not_kept),
		cmocka_unit_test(test_many_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
