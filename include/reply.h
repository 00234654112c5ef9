/*
 * reply.h: the one command a reply holds (SPEC §3).  Pure: text in,
 * verdict out.  The command is read from the reply's own text, what is
 * left when its quoted parts are cut (quote.h).
 */
#ifndef MSCAGENT_REPLY_H
#define MSCAGENT_REPLY_H

#include "quote.h"
#include "util.h"

#define REPLY_TEXT_MAX		QUOTE_TEXT_MAX	/* bytes of text looked at */
#define REPLY_KEYWORD_MAX	32		/* bytes of one keyword */

enum reply_command {
	REPLY_UNCLEAR = 0,	/* a '?', a negation, both keywords, no text */
	REPLY_APPROVE,
	REPLY_REJECT,
	REPLY_RETRIGGER,
	REPLY_FINALIZE,
};

/* The words that mean each command, besides the built-in ones:
 * APPROVE/APPROVED, REJECT/REJECTED/DECLINE, RETRIGGER, FINALIZE. */
struct reply_keywords {
	const struct strvec	*approve;	/* may be NULL */
	const struct strvec	*reject;	/* may be NULL */
};

struct reply_verdict {
	enum reply_command	 command;
	char			*own_text;	/* the trimmed text, for the
						   history; caller frees */
	char			*line;		/* the first non-empty line */
	char			*why;		/* why unclear, or the keyword */
};

/*
 * Reads text (UTF-8, LF or CRLF) written in answer to a mail whose text
 * part was answered (NULL when unknown).  Fills *v (free with
 * reply_verdict_clear).  Never fails: anything unreadable is unclear.
 */
void	 reply_read(const char *text, const char *answered,
	    const struct reply_keywords *, struct reply_verdict *v);

/*
 * 1 when reading the reply again with the answered text could give
 * another verdict: v->own_text (as read without it) has words enough to
 * end in a copy of the answered mail (quote_may_hold_copy).  0 means
 * the answered text need not be looked up.
 */
int	 reply_may_hold_copy(const char *own_text);

void	 reply_verdict_clear(struct reply_verdict *);
const char *reply_command_name(enum reply_command);

#endif
