/*
 * catalog.h: the agent's words in other languages, from gettext .po
 * files a translator works on (one per language, LANG.po).  The source
 * language is English: the templates and the C strings marked N_() are
 * the msgids, and a language without a catalog is shown in English.
 *
 * Only what the agent needs of the .po format is read: comments, the
 * "fuzzy" flag (a fuzzy entry is skipped, as msgfmt does), msgctxt,
 * msgid and msgstr, each a C string that may continue on the lines
 * after it.  Plural forms are refused: no text of the agent has one.
 * An entry with an empty msgstr is not translated yet.  Pure.
 */
#ifndef MSCAGENT_CATALOG_H
#define MSCAGENT_CATALOG_H

#include <stddef.h>

#include "util.h"

#define CATALOG_FILE_MAX	(1024 * 1024)	/* bytes of one .po file */
#define CATALOG_ENTRIES_MAX	4096
#define CATALOG_MARKERS_MAX	64	/* placeholders in one string */

/* Marks a string literal as a msgid (xgettext -kN_), where the
 * translation is looked up later by whoever shows it. */
#define N_(s) (s)
/* The same in a context, for words that could mean two things
 * (xgettext -kNC_:1c,2). */
#define NC_(ctxt, s) (s)

struct catalog;

/* catalog_parse's flags. */
#define CATALOG_UNTRANSLATED	0x1	/* keep entries with an empty
					   msgstr: reading a .pot */

/*
 * Parses the .po text of language tag (a BCP 47 tag, normalized by the
 * caller); name is for errors ("de.po").  Returns the catalog, or NULL
 * with an ERR_INPUT error "NAME:LINE: what".
 */
struct catalog *catalog_parse(const char *tag, const char *text, size_t len,
	    const char *name, int flags, struct err *);
void	 catalog_free(struct catalog *);

/* The catalog's language tag. */
const char *catalog_tag(const struct catalog *);

/* The translation of msgid in context ctxt (NULL: none), or NULL when
 * the catalog (which may be NULL) has none. */
const char *catalog_find(const struct catalog *, const char *ctxt,
	    const char *msgid);
/* The translation, or msgid itself. */
const char *catalog_get(const struct catalog *, const char *ctxt,
	    const char *msgid);

/* Calls fn for each entry, in msgid order; for the tests. */
void	 catalog_each(const struct catalog *,
	    void (*fn)(const char *ctxt, const char *msgid,
	    const char *msgstr, void *), void *arg);

/*
 * The placeholders of a string, which a translation must keep: {name}
 * for a value, and <tag>, </tag> and <tag/> for the elements around
 * words.  Fills out with them, sorted; returns -1 when there are more
 * than CATALOG_MARKERS_MAX.
 */
int	 catalog_markers(const char *s, struct strvec *out);
/* Bytes of the placeholder s starts with, or 0. */
size_t	 catalog_marker_len(const char *s);
/* 1 when msgstr has the same placeholders as msgid, in any order. */
int	 catalog_same_markers(const char *msgid, const char *msgstr);

#endif
