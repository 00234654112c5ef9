/* words.c: words of mail text, compared as people mean them. */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "words.h"

/*
 * Decodes the code point at *s (before end) and moves *s past it.  A
 * malformed byte comes back as itself plus 0x110000, so it only ever
 * equals the same malformed byte.
 */
static uint32_t
next_cp(const char **s, const char *end)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t n, avail = (size_t)(end - *s), i;
	uint32_t c;

	n = p[0] < 0x80 ? 1 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (n > avail || !utf8_valid(*s, n)) {
		*s += 1;
		return 0x110000u + p[0];
	}
	if (n == 1)
		c = p[0];
	else
		c = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++)
		c = (c << 6) | (p[i] & 0x3f);
	*s += n;
	return c;
}

static uint32_t
fold_latin_ext_a(uint32_t c)
{
	if (c == 0x130)
		return 'i';
	if (c == 0x178)
		return 0xff;
	if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17f)
		return c;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return (c & 1) ? c + 1 : c;
	return (c & 1) ? c : c + 1;
}

/*
 * Simple lower-case folding for ASCII, Latin-1, Latin Extended-A, Greek
 * and Cyrillic: enough for keywords in European languages, with no
 * locale and no table from outside.
 */
static uint32_t
fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 0x20;
	if (c >= 0x100 && c <= 0x17f)
		return fold_latin_ext_a(c);
	if ((c >= 0x391 && c <= 0x3ab && c != 0x3a2))
		return c + 0x20;
	if (c == 0x3c2)
		return 0x3c3;
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	return c;
}

/* 1 when a[0..alen) and b[0..blen) are equal, case folded. */
int
words_fold_eq(const char *a, size_t alen, const char *b,
    size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae && b < be)
		if (fold(next_cp(&a, ae)) != fold(next_cp(&b, be)))
			return 0;
	return a == ae && b == be;
}

/* 1 when word equals one of list (case folded). */
int
words_fold_in(const char *const *list, const char *w, size_t len)
{
	for (; *list != NULL; list++)
		if (words_fold_eq(*list, strlen(*list), w, len))
			return 1;
	return 0;
}

/* Bytes s starts with that prefix, case folded; 0 when it does not. */
size_t
words_fold_prefix(const char *s, const char *prefix)
{
	const char *p = s, *q = prefix, *se = s + strlen(s);
	const char *qe = prefix + strlen(prefix);

	while (q < qe) {
		if (p >= se || fold(next_cp(&p, se)) != fold(next_cp(&q, qe)))
			return 0;
	}
	return (size_t)(p - s);
}

/* Bytes of white space at s: ASCII, NBSP, narrow NBSP, ZWSP, BOM. */
size_t
words_space_len(const char *s)
{
	static const char *const wide[] = {
		"\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x87", "\xe2\x80\x8b",
		"\xef\xbb\xbf", NULL
	};
	unsigned char c = (unsigned char)*s;
	size_t i;

	if (c == ' ' || c == '\t')
		return 1;
	/* Every wide space starts with one of these bytes. */
	if (c != 0xc2 && c != 0xe2 && c != 0xef)
		return 0;
	for (i = 0; wide[i] != NULL; i++)
		if (strncmp(s, wide[i], strlen(wide[i])) == 0)
			return strlen(wide[i]);
	return 0;
}

const char *
words_skip_space(const char *s)
{
	size_t n;

	while ((n = words_space_len(s)) > 0)
		s += n;
	return s;
}

/* Splits s[0..len) into words at white space. */
void
words_add(struct words *w, const char *s, size_t len, size_t line)
{
	const char *end = s + len, *start;
	size_t n;

	while (s < end) {
		if ((n = words_space_len(s)) > 0) {
			s += n;
			continue;
		}
		for (start = s; s < end && words_space_len(s) == 0; s++)
			;
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 32;
			w->v = xrealloc(w->v, w->cap * sizeof *w->v);
		}
		w->v[w->n].p = start;
		w->v[w->n].len = (size_t)(s - start);
		w->v[w->n].line = line;
		w->n++;
	}
}

/* A word without the '*' and '_' some clients put around bold text. */
static void
word_core(const struct word *w, const char **p, size_t *len)
{
	*p = w->p;
	*len = w->len;
	while (*len > 0 && (**p == '*' || **p == '_')) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && ((*p)[*len - 1] == '*' || (*p)[*len - 1] == '_'))
		(*len)--;
}

int
words_same(const struct word *a, const struct word *b)
{
	const char *ap, *bp;
	size_t alen, blen;

	word_core(a, &ap, &alen);
	word_core(b, &bp, &blen);
	return words_fold_eq(ap, alen, bp, blen);
}
