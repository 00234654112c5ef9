/*
 * lang.h: language tags (BCP 47) as a tenant and the agent carry them,
 * and the fallback from a tag to a language the agent has.  Only the
 * common well-formed subset is taken: a language of 2 or 3 letters, then
 * optionally a script of 4 letters, a region of 2 letters or 3 digits,
 * and variants (5 to 8 letters or digits, or 4 starting with a digit).
 * Extensions, private use and grandfathered tags are refused: nothing
 * the agent says would differ by them.  Pure.
 */
#ifndef MSCAGENT_LANG_H
#define MSCAGENT_LANG_H

#include <stddef.h>

#include "util.h"

/* Bytes of a tag, without the NUL: enough for language, script, region
 * and a couple of variants (e.g. "sl-Latn-IT-rozaj-biske-1994" is 27). */
#define LANG_TAG_MAX	35

/*
 * Checks tag and writes it case-normalized into out (language lower,
 * Script title, REGION upper, variants lower).  Returns 0, or -1 with an
 * ERR_INPUT error naming what is wrong; out is then an empty string.
 */
int	 lang_normalize(const char *tag, char out[LANG_TAG_MAX + 1],
	    struct err *);

/* 1 when tag is in the subset above (in any case), else 0. */
int	 lang_is_valid(const char *tag);

/*
 * The language to use for tag among the n available ones: tag itself,
 * else tag with its last subtag dropped, and so on ("de-AT" -> "de"),
 * comparing without regard to case; when none is available, def.
 * Returns an element of available, or def; tag may be NULL.
 */
const char *lang_fallback(const char *tag, const char *const *available,
	    size_t n, const char *def);

/*
 * The language an HTTP Accept-Language header (RFC 9110 §12.5.4) asks
 * for among the n available ones: the tags in the order of their
 * weights (q, 1 when absent; q=0 refuses), each by lang_fallback; NULL
 * when none is available or the header says nothing usable.  Malformed
 * entries are skipped; at most LANG_ACCEPT_MAX entries are read.
 */
#define LANG_ACCEPT_MAX	16
const char *lang_accept(const char *header, const char *const *available,
	    size_t n);

#endif
