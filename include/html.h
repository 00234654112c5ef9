/*
 * html.h: HTML mail bodies as text, through libxml2's HTML parser, with
 * their structure kept: paragraphs and line breaks become line breaks,
 * and every quoted part — <blockquote>, Gmail's div.gmail_quote,
 * Outlook's div#appendonsend / div#divRplyFwdMsg and what follows them —
 * becomes lines starting with "> ", so the reply reader can cut it.
 */
#ifndef MSCAGENT_HTML_H
#define MSCAGENT_HTML_H

#include <stddef.h>

#define HTML_INPUT_MAX	(4 * 1024 * 1024)	/* bytes parsed: a mail's
						   whole HTML, far above */
#define HTML_DEPTH_MAX	256			/* elements walked deep,
						   html the first: what
						   libxml2 2.9 parses */

/* Converts UTF-8 HTML to text; caller frees.  Never fails: what cannot
 * be parsed gives "". */
char	*html_to_text(const char *html, size_t len);

#endif
