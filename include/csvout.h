/*
 * csvout.h: CSV for export (RFC 4180), made safe to open in a
 * spreadsheet.  csv.h reads the files operators import; this writes the
 * ones the console gives out.
 *
 * Each value is first made printable text (text_printable: invalid
 * UTF-8 becomes '?', control characters, tab, CR and LF included, a
 * space), so a record is always one line.  A field is quoted when it
 * holds a comma or a quote (quotes doubled); records end with CRLF.  A
 * field a spreadsheet would take for a formula (its first character
 * that is not a space is =, +, - or @; a tab or CR there became a space)
 * gets a leading apostrophe, which spreadsheets show as text (OWASP's
 * advice on CSV injection): a customer's name never runs as a formula
 * in the operator's spreadsheet.
 */
#ifndef MSCAGENT_CSVOUT_H
#define MSCAGENT_CSVOUT_H

#include "util.h"

#define CSVOUT_FIELD_MAX	(64 * 1024)	/* bytes of one field kept */

/* Appends one field, with the comma before it unless first. */
void	 csvout_field(struct buf *, const char *value, int first);
/* Ends the record begun with csvout_field. */
void	 csvout_end(struct buf *);
/* Appends a whole record of n fields and its CRLF. */
void	 csvout_record(struct buf *, const char *const *fields, size_t n);

#endif
