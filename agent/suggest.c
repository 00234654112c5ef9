/*
 * suggest.c: the closest of a few known words to one typed wrong, for the
 * one-line errors that end in "did you mean ...?".
 */
#include <string.h>

#include "suggest.h"

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * The optimal string alignment distance over three rows of the table:
 * the words are short (SUGGEST_WORD_MAX), so the rows live on the stack.
 */
size_t
suggest_distance(const char *a, const char *b)
{
	size_t rows[3][SUGGEST_WORD_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, cost, d;
	size_t *prev2, *prev, *cur;

	if (la > SUGGEST_WORD_MAX || lb > SUGGEST_WORD_MAX)
		return SUGGEST_WORD_MAX + 1;
	prev2 = rows[0];
	prev = rows[1];
	cur = rows[2];
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			cost = lower((unsigned char)a[i - 1]) !=
			    lower((unsigned char)b[j - 1]);
			d = min3(prev[j] + 1, cur[j - 1] + 1,
			    prev[j - 1] + cost);
			if (i > 1 && j > 1 &&
			    lower((unsigned char)a[i - 1]) ==
			    lower((unsigned char)b[j - 2]) &&
			    lower((unsigned char)a[i - 2]) ==
			    lower((unsigned char)b[j - 1]) &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		/* Rotate: the row two back becomes the next to fill. */
		{
			size_t *t = prev2;

			prev2 = prev;
			prev = cur;
			cur = t;
		}
	}
	return prev[lb];
}

const char *
suggest_closest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t i, d, best_d, limit;

	limit = strlen(word) <= 4 ? 1 : 2;
	best_d = limit + 1;
	for (i = 0; i < n; i++) {
		if (candidates[i] == NULL)
			continue;
		d = suggest_distance(word, candidates[i]);
		if (d == 0 && strcmp(word, candidates[i]) == 0)
			continue;
		if (d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
