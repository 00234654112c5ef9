/* csvout.c: CSV records for export, quoted and kept from spreadsheet
 * formulas. */
#include <stdlib.h>
#include <string.h>

#include "csvout.h"

/* A spreadsheet evaluates a cell starting with one of these, and some
 * skip the spaces before it. */
static int
looks_like_formula(const char *s)
{
	s += strspn(s, " ");
	return *s != '\0' && strchr("=+-@", *s) != NULL;
}

void
csvout_field(struct buf *b, const char *value, int first)
{
	const char *p, *quote;
	char *clean;
	int formula;

	clean = text_printable(value ? value : "", CSVOUT_FIELD_MAX);
	formula = looks_like_formula(clean);
	if (!first)
		buf_puts(b, ",");
	if (!formula && strpbrk(clean, ",\"") == NULL) {
		buf_puts(b, clean);
		free(clean);
		return;
	}
	buf_puts(b, formula ? "\"'" : "\"");
	for (p = clean; (quote = strchr(p, '"')) != NULL; p = quote + 1) {
		buf_append(b, p, (size_t)(quote - p));
		buf_puts(b, "\"\"");
	}
	buf_puts(b, p);
	buf_puts(b, "\"");
	free(clean);
}

void
csvout_end(struct buf *b)
{
	buf_puts(b, "\r\n");
}

void
csvout_record(struct buf *b, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csvout_field(b, fields[i], i == 0);
	csvout_end(b);
}
