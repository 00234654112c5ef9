/*
 * translate.h: a template's words, as translatable strings and back
 * (tmpl.h's part of catalog.h).
 *
 * A string is the content of an element that holds words of its own
 * (a <p>, a <td>, a <button>, ...), the elements inside it written as
 * placeholders a translator moves with the words:
 *   {x}           an element that only shows the value x (data-var)
 *   <b>...</b>    any other element with content, by its name
 *   <br/>         an element without content
 * white space made single spaces.  "Reply with <strong>{word}</strong>
 * as the first line" is one string; a translation brings the same
 * placeholders in the order its language needs.  Elements of one name,
 * and values of one name, keep their order.  Besides contents, the
 * alt, title, aria-label and placeholder attributes are strings, and
 * so is the word of a data-mailto button.
 *
 * A translation that does not bring back the placeholders it should
 * is not used: the element keeps its English.  Pure (libxml2 trees).
 */
#ifndef MSCAGENT_TRANSLATE_H
#define MSCAGENT_TRANSLATE_H

#include <stdint.h>

#include <libxml/tree.h>

#include "catalog.h"

/* Translates the strings of the tree under root (in place). */
void	 translate_tree(xmlNodePtr root, const struct catalog *);

/*
 * A day number (date.h) and a timestamp as the language of cat (NULL:
 * English) writes them, by its "date format" and "time format" strings
 * ({day} {dd} {month} {mm} {year}; {date} {time}) and its month names.
 * Times are in UTC and say so.  Caller frees.
 */
char	*translate_date(const struct catalog *, int32_t day);
char	*translate_time(const struct catalog *, int64_t t);

/* Calls fn with each string of the tree under root, in document order
 * (repeats included), for extracting the msgids. */
void	 translate_strings(xmlNodePtr root,
	    void (*fn)(const char *msgid, void *), void *arg);

#endif
