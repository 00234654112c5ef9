/*
 * csv.h: an RFC 4180 reader for the tenant import (SPEC §2).
 *
 * Reads records one at a time from a stream: fields separated by ',' —
 * or by ';' or a tab, when the first line holds more of those than of
 * commas (Excel's CSV in much of Europe, a copy from a spreadsheet) —
 * records by CRLF or LF, fields optionally in double quotes (a quote
 * inside doubled, line breaks allowed inside quotes).  A UTF-8 BOM at
 * the start is skipped.  Every error names the line and the column
 * (1-based; the line is the one where the bad byte is).
 */
#ifndef MSCAGENT_CSV_H
#define MSCAGENT_CSV_H

#include <stdio.h>

#include "util.h"

#define CSV_FIELD_MAX	4096	/* bytes in one field */
#define CSV_FIELDS_MAX	64	/* fields in one record */

struct csv_reader;

/* Reads from fp, which the caller keeps and closes.  Caller frees with
 * csv_free. */
struct csv_reader *csv_open(FILE *fp);
void	 csv_free(struct csv_reader *);

/*
 * Reads the next record into *fields (cleared first; the strings are
 * NUL-terminated, and a field holding a NUL byte is an error).  Returns 1
 * for a record, 0 at the end of the input, -1 on an ERR_INPUT error like
 * "12: character 7: quote inside an unquoted field" (line 12).  Blank lines are
 * skipped.  *line is set to the line the record starts on.
 */
int	 csv_next(struct csv_reader *, struct strvec *fields, size_t *line,
	    struct err *);

#endif
