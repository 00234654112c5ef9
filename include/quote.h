/*
 * quote.h: where a reply's own text ends (SPEC §3).  Pure: text in, the
 * person's own text out.
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
#ifndef MSCAGENT_QUOTE_H
#define MSCAGENT_QUOTE_H

#define QUOTE_TEXT_MAX		(256 * 1024)	/* bytes of text looked at */

/*
 * The own text of text (UTF-8, LF or CRLF; NULL counts as "") written in
 * answer to a mail whose text part was answered (NULL when unknown):
 * right-trimmed lines, one blank line at most between them, none around
 * them.  Caller frees.
 */
char	*quote_own_text(const char *text, const char *answered);

/*
 * 1 when own text (as cut without the answered mail) has words enough
 * to end in a copy of the answered mail; 0 means that cutting again
 * with the answered text would change nothing, so that text need not
 * be looked up.
 */
int	 quote_may_hold_copy(const char *own_text);

#endif
