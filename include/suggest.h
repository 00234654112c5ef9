/*
 * suggest.h: "did you mean ...?" for a word typed wrong — a command, an
 * option, a CSV column.  Pure: compares bytes, ignoring ASCII case.
 */
#ifndef MSCAGENT_SUGGEST_H
#define MSCAGENT_SUGGEST_H

#include <stddef.h>

#define SUGGEST_WORD_MAX	64	/* longer words get no suggestion */

/*
 * The edit distance between a and b (insertions, deletions,
 * substitutions and swaps of two neighbours, ASCII case ignored), or
 * SUGGEST_WORD_MAX + 1 when either is longer than SUGGEST_WORD_MAX.
 */
size_t	 suggest_distance(const char *a, const char *b);

/*
 * The candidate closest to word, when it is close enough to be what was
 * meant: at most one edit for words of up to four bytes, two for longer
 * ones, and never the word itself.  NULL when none is; the first of
 * equally close ones wins.  NULL entries of candidates are skipped.
 */
const char *suggest_closest(const char *word, const char *const *candidates,
	    size_t n);

#endif
