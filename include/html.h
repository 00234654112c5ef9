/*
 * html.h: HTML as text, through libxml2's HTML parser, with its
 * structure kept: block elements and line breaks become line breaks,
 * and every quoted part — <blockquote>, Gmail's div.gmail_quote,
 * Outlook's div#appendonsend / div#divRplyFwdMsg and what follows them —
 * becomes lines starting with "> ".
 *
 * It has two readers.  The reply reader (inmail.c, then quote.c and
 * reply.c) reads a person's HTML mail line by line: it gets their words
 * and their line breaks and nothing else (flags 0).  The text part of
 * the agent's own mails (tmpl.c) is for a person reading it: it gets
 * the layout of HTML_TEXT_MAIL, each flag below one part of it.
 */
#ifndef MSCAGENT_HTML_H
#define MSCAGENT_HTML_H

#include <stddef.h>

#include <libxml/tree.h>

#define HTML_INPUT_MAX	(4 * 1024 * 1024)	/* bytes parsed: a mail's
						   whole HTML, far above */
#define HTML_DEPTH_MAX	256			/* elements walked deep,
						   html the first: what
						   libxml2 2.9 parses */
#define HTML_TEXT_WIDTH	72			/* columns of a wrapped
						   line (HTML_TEXT_WRAP) */

/* The layout a person reading the text wants; none of it is in what the
 * sender wrote, so the reply reader asks for none of it. */
#define HTML_TEXT_PARAGRAPHS	0x01	/* a blank line around paragraphs,
					   headings, lists and tables */
#define HTML_TEXT_WRAP		0x02	/* lines wrapped at HTML_TEXT_WIDTH
					   (<pre> is never wrapped) */
#define HTML_TEXT_BULLETS	0x04	/* a list item starts with "  - " */
#define HTML_TEXT_LINKS		0x08	/* a web link's text is followed by
					   <url> (not mailto:, nor a link
					   whose text is its url) */
#define HTML_TEXT_COLUMNS	0x10	/* table cells padded to columns */
#define HTML_TEXT_RULES		0x20	/* <hr> is a line "----" */
#define HTML_TEXT_MAIL		0x3f	/* all of them: a mail's text part */

/* Converts UTF-8 HTML to text with flags (HTML_TEXT_*): no line break at
 * the end.  Caller frees.  Never fails: what cannot be parsed gives "". */
char	*html_to_text(const char *html, size_t len, unsigned int flags);

/* The same for a document parsed already (a filled template). */
char	*html_doc_text(const xmlDoc *doc, unsigned int flags);

/*
 * The same layout fed by a walk of the caller's own, for a document
 * that is never a tree (tmpl_compile.h): the walk html_doc_text makes,
 * as calls.  Elements are opened and closed in document order, <html>
 * at depth 0; an element html_text_skips names is not opened, nor is
 * anything inside it, nor anything 256 (HTML_DEPTH_MAX) deep.
 */
struct html_text;

/* An element as the layout sees it (html_el_init fills it). */
struct html_el {
	const char	*name;
	int		 quote;		/* <blockquote>, or a quote's class */
	int		 outlook;	/* an id after which all is quoted */
	int		 first_cell;	/* <td>, <th>: first of its row */
	const char	*href;		/* <a>, when closed: href, or NULL */
	const char	*label;		/* <a>, when closed: its text */
};

/* name, id and classes are the element's (NULL: no such attribute);
 * the struct keeps pointers to them. */
void	 html_el_init(struct html_el *, const char *name, const char *id,
	    const char *classes);
int	 html_text_skips(const char *name);
struct html_text *html_text_new(unsigned int flags);
void	 html_text_open(struct html_text *, const struct html_el *,
	    int depth);
/* Text as a text node holds it (entities decoded). */
void	 html_text_chars(struct html_text *, const char *);
void	 html_text_close(struct html_text *, const struct html_el *,
	    int depth);
/* Frees the writer and returns the text, as html_doc_text: caller frees. */
char	*html_text_end(struct html_text *);

#endif
