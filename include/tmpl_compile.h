/*
 * tmpl_compile.h: a ready template compiled once into what each render
 * writes.
 *
 * Filling a copy of the template's tree and having libxml2 write it out
 * cost most of a mail's rendering: the copy, the fill, the writer and
 * freeing the copy, for a few dozen values in a few kilobytes of fixed
 * markup.  A compiled template keeps that markup as libxml2 wrote it
 * (attributes, text, comments) and the places values go, and a render
 * walks it once, writing the HTML and feeding the text part (html.h)
 * together, with libxml2's escaping and line breaks.
 *
 * tmpl.c's tree stays the reference: a template that uses what the
 * compiler does not handle (data-svg, markup nested deeper than
 * TMPL_COMPILE_DEPTH_MAX, ...) is not compiled and is filled as a tree,
 * and tests/unit/test_tmpl_fast.c renders every shipped template both
 * ways and compares the bytes.
 */
#ifndef MSCAGENT_TMPL_COMPILE_H
#define MSCAGENT_TMPL_COMPILE_H

#include <libxml/HTMLparser.h>

#include "util.h"

#define TMPL_COMPILE_DEPTH_MAX	48	/* elements inside each other;
					   under TMPL_NESTING_MAX, so a
					   compiled render is never too deep */

struct tmpl_prog;
struct tmpl_scope;

/* A ready template compiled, or NULL when something in it is left to
 * the tree.  ready is the caller's, unchanged; the program keeps
 * nothing of it. */
struct tmpl_prog *tmpl_compile(htmlDocPtr ready);
void	 tmpl_prog_free(struct tmpl_prog *);

/*
 * Renders prog in scope: its HTML appended to html, and, when text is
 * not NULL, its text part (html_doc_text's, HTML_TEXT_MAIL) put in
 * *text (caller frees).  title is the text of the first <title>, NULL
 * to leave it as it is; subject is what data-mailto answers.
 */
void	 tmpl_prog_run(const struct tmpl_prog *, const struct tmpl_scope *,
	    const char *title, const char *subject, struct buf *html,
	    char **text);

#endif
