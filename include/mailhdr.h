/*
 * mailhdr.h: the values of a received mail's header fields, as the
 * readers of auto-replies, bounces and Authentication-Results need them:
 * comments dropped, split outside quoted strings, cut short to be shown.
 * Pure string work, plus a look-up in libetpan's list of fields.
 */
#ifndef MSCAGENT_MAILHDR_H
#define MSCAGENT_MAILHDR_H

#include <stddef.h>

#include <libetpan/libetpan.h>

#define MAILHDR_SHOWN_MAX	200	/* bytes of a value shown */

/*
 * A copy of a structured header value with every comment and every run
 * of white space (folding too) made one space, no space around '=',
 * and quoted strings kept as they are.  Caller frees.
 */
char	*mailhdr_uncomment(const char *value);

/* Like strsep(3) with one separator, but never inside a quoted string. */
char	*mailhdr_split(char **sp, char sep);

/* The first word of a structured value, lowercase; caller frees. */
char	*mailhdr_first_word(const char *value);

/* Drops the quotes around a whole value, in place. */
void	 mailhdr_unquote(char *s);

/* A header value fit to show: one line, printable, at most max bytes,
 * white space collapsed.  Caller frees. */
char	*mailhdr_shown(const char *value, size_t max);

/*
 * The value of the next optional field named name (any case) after *at
 * (NULL: from the first field), with *at moved to it; NULL when there is
 * none.  fields may be NULL.
 */
const char *mailhdr_next(const struct mailimf_fields *fields,
	    const char *name, clistiter **at);

/* 1 when id (a Message-ID without <>) is fit to store: 1 to
 * INMAIL_ID_MAX bytes of UTF-8, no spaces, controls or angle brackets. */
int	 mailhdr_id_ok(const char *id);

#endif
