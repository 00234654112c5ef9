/*
 * words.h: words of mail text as people write them, for the quote cutter
 * (quote.h) and the command reader (reply.h): white space of every width
 * mail clients put in (NBSP, narrow NBSP, figure space, ZWSP, BOM), and
 * comparison with simple case folding for ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic, with no locale.  Malformed UTF-8 only
 * ever equals the same bytes.  Pure.
 */
#ifndef MSCAGENT_WORDS_H
#define MSCAGENT_WORDS_H

#include <stddef.h>

/* One word of a text: where it is and on which line. */
struct word {
	const char	*p;
	size_t		 len;
	size_t		 line;
};

/* A growing list of words pointing into a text the caller keeps; free
 * v when done. */
struct words {
	struct word	*v;
	size_t		 n;
	size_t		 cap;
};

/* Bytes of white space at s, or 0. */
size_t	 words_space_len(const char *s);
/* s past the white space it starts with. */
const char *words_skip_space(const char *s);

/* Adds the words of s[0..len), split at white space, as on line. */
void	 words_add(struct words *, const char *s, size_t len, size_t line);

/* 1 when a[0..alen) and b[0..blen) are equal, case folded. */
int	 words_fold_eq(const char *a, size_t alen, const char *b,
	    size_t blen);
/* 1 when w[0..len) equals one of list (NULL-terminated), case folded. */
int	 words_fold_in(const char *const *list, const char *w, size_t len);
/* Bytes of s that match prefix, case folded; 0 when s does not start
 * with it. */
size_t	 words_fold_prefix(const char *s, const char *prefix);

/* 1 when two words are equal, case folded, without the '*' and '_'
 * some clients put around bold text. */
int	 words_same(const struct word *a, const struct word *b);

#endif
