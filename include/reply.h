/*
 * reply.h: what a person wrote in a reply, and the one command it holds
 * (SPEC §3).  Pure: text in, verdict out.
 *
 * The reply's own text is what is left after cutting every quoted part:
 * lines starting with '>', attribution lines ("On ... wrote:", also
 * wrapped over two or three lines, in English, German, French, Spanish,
 * Italian, Dutch and Portuguese), Outlook's "-----Original Message-----"
 * and header blocks of three or more "From:/Sent:/To:/Subject:" lines (in
 * the same languages), the "________________________________" separator,
 * a "-- " signature and everything after it, "Sent from my iPhone" /
 * "Get Outlook for iOS" lines, and any trailing block that repeats the
 * text of the mail being answered.  HTML replies are turned into text
 * first (html.h), with quoted parts marked as '>' lines.
 */
#ifndef MSCAGENT_REPLY_H
#define MSCAGENT_REPLY_H

#include "util.h"

#define REPLY_TEXT_MAX		(256 * 1024)	/* bytes of text looked at */
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

/* Cuts the quoted parts; returns the own text, caller frees. */
char	*reply_own_text(const char *text, const char *answered);

/*
 * 1 when own text (as cut without the answered mail) has words enough
 * to end in a copy of the answered mail; 0 means that reading the reply
 * again with the answered text would change nothing, so that text need
 * not be looked up.
 */
int	 reply_may_hold_copy(const char *own_text);

void	 reply_verdict_clear(struct reply_verdict *);
const char *reply_command_name(enum reply_command);

#endif
