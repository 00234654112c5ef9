/*
 * tmpl.h: mails and pages from HTML templates, filled through libxml2's
 * DOM so that every value is escaped by construction.
 *
 * A template is an HTML file NAME.html in the templates folder.  Values
 * go in through attributes, never by pasting text:
 *   data-var="x"      the element's content becomes the text of x
 *   data-href="x"     href becomes x (http, https or mailto only)
 *   data-value="x"    the value attribute becomes x (form fields)
 *   data-path="x"     a path of this site ("/tenants/7", not "//host"):
 *                     the action of a <form>, else the href
 *   data-mailto="W"   href becomes a mailto: link to the reply address
 *                     (var reply_to) with subject "Re: <subject>" and W
 *                     as the first line of the body
 *   data-if="x"       the element is kept only when x is set and not ""
 *   data-unless="x"   the element is kept only when x is empty
 *   data-each="list"  the element is repeated for each item of list
 *   data-selected="x" the boolean attribute selected (or checked, with
 *   data-checked="x"  data-checked) is there only when x is set and
 *                     not "": an <option> that shows the current choice
 *   data-style-P="x"  adds "P:x" to the element's style when x is a
 *                     colour #rrggbb (P is a CSS property, a-z and
 *                     '-'), else nothing: no other value ever reaches
 *                     CSS text
 *   data-svg="x"      the element's content becomes the SVG drawing x,
 *                     when x was set by tmpl_vars_set_svg (else it is
 *                     left empty): only SVG elements and attributes
 *                     that draw are copied (no script, style, link or
 *                     URL), so an SVG made by the agent (a QR code, a
 *                     chart) can be inline in a page
 * The subject is the content of <meta name="subject" content="...">,
 * where {x} stands for the value of x (control characters in values
 * become spaces, so no value can break a header line).  The text part is
 * made from the filled document by html.h (HTML_TEXT_MAIL): paragraphs,
 * lists, tables and links kept readable, lines wrapped at 72 columns.
 * Values are made valid UTF-8 when set; data-var on a <script> or
 * <style> is ignored (their content is written unescaped).
 *
 * Renders do not copy the tree: each template, put in its layout and
 * its language, is compiled once into the markup libxml2 would write
 * and the places values go (tmpl_compile.h), and a render writes the
 * HTML and the text part from that, the same bytes as the filled tree
 * gives; a template the compiler does not handle is filled as a tree.
 *
 * Languages: the templates are written in English, and a catalog
 * (catalog.h) in the folder's po/, one LANG.po per language, translates
 * their words (translate.h says what a string is): the subject, the
 * text, and values set as msgids, dates or times.  A render is in the
 * language of its variables' tag, by lang_fallback, else in the set's
 * default language, else in English; <html lang> says which.
 */
#ifndef MSCAGENT_TMPL_H
#define MSCAGENT_TMPL_H

#include "lang.h"
#include "util.h"

#define TMPL_FILE_MAX	(256 * 1024)	/* bytes of one template */
#define TMPL_OUTPUT_MAX	(512 * 1024)	/* bytes of one rendered part,
					   under MIME_BODY_MAX */
#define TMPL_NAME_MAX	64
#define TMPL_VALUE_MAX	(64 * 1024)	/* bytes of one value */
#define TMPL_NESTING_MAX 64		/* elements inside each other, html
					   included: the walks recurse */

struct tmpl_vars;
struct tmpl_set;

struct tmpl_vars *tmpl_vars_new(void);
void	 tmpl_vars_free(struct tmpl_vars *);
/* Copies name and value; a NULL value counts as empty. */
void	 tmpl_vars_set(struct tmpl_vars *, const char *name, const char *value);
/* Sets name to an SVG drawing the agent made, for data-svg; elsewhere
 * it is text like any value.  A later tmpl_vars_set makes it text. */
void	 tmpl_vars_set_svg(struct tmpl_vars *, const char *name,
	    const char *svg);
void	 tmpl_vars_setf(struct tmpl_vars *, const char *name,
	    const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Sets name to English words (a msgid, marked N_() for extraction),
 * shown in the render's language. */
void	 tmpl_vars_set_msgid(struct tmpl_vars *, const char *name,
	    const char *msgid);
/* Sets name to a day (date.h; DATE_NONE: "") or a timestamp, written
 * the way the render's language writes them, the time with its zone. */
void	 tmpl_vars_set_date(struct tmpl_vars *, const char *name,
	    int32_t day);
void	 tmpl_vars_set_time(struct tmpl_vars *, const char *name, int64_t t);
/* The language (a BCP 47 tag) to render in; NULL or "": the default. */
void	 tmpl_vars_set_language(struct tmpl_vars *, const char *tag);
/* Adds one item to the list named list and returns its variables
 * (owned by vars); names not found in an item are looked up in vars. */
struct tmpl_vars *tmpl_vars_item(struct tmpl_vars *, const char *list);

/*
 * Opens the templates folder.  Templates are read when first used and
 * kept; tmpl_set_free drops them.  Safe to share between threads.
 */
struct tmpl_set *tmpl_set_new(const char *dir);
void	 tmpl_set_free(struct tmpl_set *);
/*
 * Variables every render of the set can use, looked up after the
 * render's own (the MSP's branding, say).  Takes globals over: freed
 * with the set, or by the next call.  Call before the set is shared
 * between threads: renders read the globals without the lock.
 */
void	 tmpl_set_globals(struct tmpl_set *, struct tmpl_vars *globals);
/* The language of renders whose variables name none, or one the set
 * has no catalog for ([agent] language); the set starts with "en".
 * Call before the set is shared between threads, as tmpl_set_globals. */
void	 tmpl_set_language(struct tmpl_set *, const char *tag);
/* Forgets every template read, so the next use reads them again
 * (SIGHUP); renders already running keep their copies. */
void	 tmpl_set_reload(struct tmpl_set *);

/*
 * The languages the set renders in, English first, pushed onto tags.
 * Returns 0, or -1 when a catalog could not be read (err says which and
 * why; its language falls back, tags has the others).
 */
int	 tmpl_languages(struct tmpl_set *, struct strvec *tags, struct err *);
/* The language a render for tag is in, written into out. */
void	 tmpl_language(struct tmpl_set *, const char *tag,
	    char out[LANG_TAG_MAX + 1]);
/* The language an Accept-Language header asks for among the set's
 * (lang_accept), written into out; 0 with out "" when none. */
int	 tmpl_accept_language(struct tmpl_set *, const char *header,
	    char out[LANG_TAG_MAX + 1]);
/* msgid in the language of tag; the string lives as long as the set. */
const char *tmpl_translate(struct tmpl_set *, const char *tag,
	    const char *msgid);

/* 1 when NAME.html exists and parses, else 0 with the reason in err. */
int	 tmpl_check(struct tmpl_set *, const char *name, struct err *);

struct tmpl_out {
	char	*subject;	/* one line; "" when the template has none */
	char	*html;
	size_t	 html_len;
	char	*text;
	char	 language[LANG_TAG_MAX + 1];	/* the tag it is in */
};

/*
 * Renders template name with vars.  Returns 0 with *out filled (free
 * with tmpl_out_clear), or -1: ERR_RUNTIME for a missing or broken
 * template or an output over TMPL_OUTPUT_MAX.
 */
int	 tmpl_render(struct tmpl_set *, const char *name,
	    const struct tmpl_vars *, struct tmpl_out *, struct err *);
void	 tmpl_out_clear(struct tmpl_out *);

/* The subject tmpl_render would give, without rendering the rest:
 * *subject is the caller's.  Same errors as tmpl_render. */
int	 tmpl_subject(struct tmpl_set *, const char *name,
	    const struct tmpl_vars *, char **subject, struct err *);

/* Renders a web page: the HTML alone, no subject and no text part.
 * *html is the caller's; same errors as tmpl_render. */
int	 tmpl_render_page(struct tmpl_set *, const char *name,
	    const struct tmpl_vars *, char **html, size_t *len, struct err *);

#endif
