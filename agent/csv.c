/*
 * csv.c: a strict RFC 4180 reader for the tenant import, one record at a
 * time, as a byte state machine over a 64 KiB fread buffer.
 *
 * Choices the header leaves open:
 * - Lines and columns are 1-based.  A line ends at LF only: a CR inside
 *   quotes is data and starts no line.  The column counts characters
 *   (UTF-8 code points, that is bytes that are not continuation bytes),
 *   because users look the position up in an editor; the skipped BOM is
 *   not counted.  An error at a line break names the column just past the
 *   line's last character.
 * - Bytes inside quotes are kept exactly as in the file: CRLF stays CRLF,
 *   a lone CR stays a CR.  Nothing is normalised or trimmed.
 * - Strict quoting: a field is quoted only when its first byte is '"', so
 *   ` "a"` is an error (quote inside an unquoted field) and so is `"a" `
 *   (text after a closing quote).
 * - A line holding only `""` is a record with one empty field, not a
 *   blank line; only a line with no bytes at all (LF or CRLF) is skipped.
 * - Where errors point: an unterminated quote names the opening quote; a
 *   record with too many fields names the separator that would open field
 *   CSV_FIELDS_MAX + 1; an over-long field names its byte
 *   CSV_FIELD_MAX + 1.
 * - Invalid UTF-8 passes through; the caller checks fields with text_check.
 * - A read error of the stream is ERR_RUNTIME, not ERR_INPUT.
 * - *line is set only when a record is returned.  After an error every
 *   further call repeats it; after the end every call returns 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

#define CSV_BUF_SIZE	(64 * 1024)
#define CSV_EOF		(-1)

enum csv_state {
	CSV_RECORD_START,	/* nothing of a record yet: blank lines skip */
	CSV_FIELD_START,	/* after a separator, or the record's first
				   byte */
	CSV_UNQUOTED,
	CSV_QUOTED,
	CSV_QUOTED_QUOTE,	/* a quote in a quoted field: closes or doubles */
};

/* What one byte did: more to read, a whole record, the end, an error. */
enum csv_step {
	STEP_MORE,
	STEP_RECORD,
	STEP_END,
	STEP_ERROR,
};

enum csv_status {
	CSV_READING,
	CSV_DONE,
	CSV_FAILED,
};

struct csv_reader {
	FILE		*fp;
	unsigned char	 buf[CSV_BUF_SIZE];
	size_t		 pos;		/* next unread byte in buf */
	size_t		 len;		/* bytes held in buf */
	int		 eof;		/* fread has nothing more */
	int		 bom_checked;	/* and the separator chosen */
	char		 sep;		/* ',', ';' or '\t' */
	size_t		 line;		/* position of the byte read last */
	size_t		 col;
	int		 after_lf;	/* the byte read last was LF */
	enum csv_state	 state;
	size_t		 rec_line;	/* where the current record starts */
	size_t		 quote_line;	/* where the open quote is */
	size_t		 quote_col;
	char		 field[CSV_FIELD_MAX + 1];
	size_t		 flen;
	enum csv_status	 status;
	struct err	 failure;	/* repeated once status is CSV_FAILED */
};

struct csv_reader *
csv_open(FILE *fp)
{
	struct csv_reader *r;

	r = xcalloc(1, sizeof *r);
	r->fp = fp;
	r->after_lf = 1;	/* so the first byte moves to line 1 */
	r->state = CSV_RECORD_START;
	r->status = CSV_READING;
	return r;
}

void
csv_free(struct csv_reader *r)
{
	free(r);
}

/* Makes at least want bytes readable in buf, unless the input ends first. */
static void
fill(struct csv_reader *r, size_t want)
{
	size_t n;

	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	while (r->len < want && !r->eof) {
		n = fread(r->buf + r->len, 1, sizeof r->buf - r->len, r->fp);
		if (n == 0)
			r->eof = 1;
		r->len += n;
	}
}

/*
 * The separator is the one the first line (the header) holds most of,
 * outside quotes: ',' unless there are more ';' (what Excel writes where
 * the comma is the decimal separator) or tabs (a copy from a
 * spreadsheet).  A tie keeps ','.  The header's names hold none of them,
 * so its count is the column count less one.
 */
static void
choose_separator(struct csv_reader *r)
{
	size_t commas = 0, semicolons = 0, tabs = 0, i;
	int quoted = 0;

	fill(r, sizeof r->buf);
	for (i = r->pos; i < r->len && (quoted || r->buf[i] != '\n'); i++) {
		if (r->buf[i] == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (r->buf[i] == ',')
			commas++;
		else if (r->buf[i] == ';')
			semicolons++;
		else if (r->buf[i] == '\t')
			tabs++;
	}
	r->sep = ',';
	if (semicolons > commas && semicolons >= tabs)
		r->sep = ';';
	else if (tabs > commas && tabs > semicolons)
		r->sep = '\t';
}

/* A BOM counts only as the very first bytes: later it is data. */
static void
skip_bom(struct csv_reader *r)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };

	r->bom_checked = 1;
	fill(r, sizeof bom);
	if (r->len - r->pos >= sizeof bom &&
	    memcmp(r->buf + r->pos, bom, sizeof bom) == 0)
		r->pos += sizeof bom;
	choose_separator(r);
}

static int
peek_byte(struct csv_reader *r)
{
	if (r->pos == r->len)
		fill(r, 1);
	if (r->pos == r->len)
		return CSV_EOF;
	return r->buf[r->pos];
}

/* Consumes one byte and moves line and col to it. */
static int
read_byte(struct csv_reader *r)
{
	int c;

	c = peek_byte(r);
	if (c == CSV_EOF)
		return CSV_EOF;
	r->pos++;
	if (r->after_lf) {
		r->line++;
		r->col = 0;
	}
	/* A continuation byte belongs to the character before it. */
	if ((c & 0xc0) != 0x80 || r->col == 0)
		r->col++;
	r->after_lf = c == '\n';
	return c;
}

/* Marks the reader failed and hands the caller its own copy. */
static enum csv_step
report(struct csv_reader *r, struct err *err)
{
	r->status = CSV_FAILED;
	if (err != NULL)
		*err = r->failure;
	return STEP_ERROR;
}

static enum csv_step
vfail_at(struct csv_reader *r, struct err *err, size_t line, size_t col,
    const char *fmt, va_list ap)
{
	char what[ERR_MSG_MAX];

	vsnprintf(what, sizeof what, fmt, ap);
	err_set(&r->failure, ERR_INPUT, "%zu: character %zu: %s", line, col,
	    what);
	return report(r, err);
}

static enum csv_step PRINTF_LIKE(5, 6)
fail_at(struct csv_reader *r, struct err *err, size_t line, size_t col,
    const char *fmt, ...)
{
	enum csv_step s;
	va_list ap;

	va_start(ap, fmt);
	s = vfail_at(r, err, line, col, fmt, ap);
	va_end(ap);
	return s;
}

/* Fails at the byte read last. */
static enum csv_step PRINTF_LIKE(3, 4)
fail(struct csv_reader *r, struct err *err, const char *fmt, ...)
{
	enum csv_step s;
	va_list ap;

	va_start(ap, fmt);
	s = vfail_at(r, err, r->line, r->col, fmt, ap);
	va_end(ap);
	return s;
}

static enum csv_step
fail_read(struct csv_reader *r, struct err *err)
{
	err_set(&r->failure, ERR_RUNTIME, "cannot read the CSV input: %s",
	    strerror(errno));
	return report(r, err);
}

static enum csv_step
field_add(struct csv_reader *r, int c, struct err *err)
{
	if (r->flen == CSV_FIELD_MAX)
		return fail(r, err, "field longer than %d bytes",
		    CSV_FIELD_MAX);
	r->field[r->flen++] = (char)c;
	return STEP_MORE;
}

static void
field_end(struct csv_reader *r, struct strvec *fields)
{
	r->field[r->flen] = '\0';
	strvec_push(fields, r->field);
	r->flen = 0;
}

/* A separator ends a field and promises one more. */
static enum csv_step
comma(struct csv_reader *r, struct strvec *fields, struct err *err)
{
	field_end(r, fields);
	if (fields->n == CSV_FIELDS_MAX)
		return fail(r, err, "more than %d fields in a record",
		    CSV_FIELDS_MAX);
	r->state = CSV_FIELD_START;
	return STEP_MORE;
}

/* A CR outside quotes is only allowed as the first half of CRLF. */
static enum csv_step
crlf(struct csv_reader *r, struct err *err)
{
	if (peek_byte(r) != '\n')
		return fail(r, err, "bare CR (a CR not followed by LF)");
	read_byte(r);
	return STEP_MORE;
}

/* c is LF, CR or the end: the record is complete. */
static enum csv_step
record_end(struct csv_reader *r, int c, struct strvec *fields,
    struct err *err)
{
	if (c == '\r' && crlf(r, err) == STEP_ERROR)
		return STEP_ERROR;
	field_end(r, fields);
	r->state = CSV_RECORD_START;
	return STEP_RECORD;
}

static int
is_record_end(int c)
{
	return c == '\n' || c == '\r' || c == CSV_EOF;
}

static enum csv_step
step_field_start(struct csv_reader *r, int c, struct strvec *fields,
    struct err *err)
{
	if (c == '"') {
		r->quote_line = r->line;
		r->quote_col = r->col;
		r->state = CSV_QUOTED;
		return STEP_MORE;
	}
	if (c == r->sep)
		return comma(r, fields, err);
	if (is_record_end(c))
		return record_end(r, c, fields, err);
	r->state = CSV_UNQUOTED;
	return field_add(r, c, err);
}

/* Skips blank lines; the first other byte starts the record. */
static enum csv_step
step_record_start(struct csv_reader *r, int c, struct strvec *fields,
    struct err *err)
{
	if (c == CSV_EOF) {
		r->status = CSV_DONE;
		return STEP_END;
	}
	if (c == '\n')
		return STEP_MORE;
	if (c == '\r')
		return crlf(r, err);
	r->rec_line = r->line;
	r->state = CSV_FIELD_START;
	return step_field_start(r, c, fields, err);
}

static enum csv_step
step_unquoted(struct csv_reader *r, int c, struct strvec *fields,
    struct err *err)
{
	if (c == r->sep)
		return comma(r, fields, err);
	if (is_record_end(c))
		return record_end(r, c, fields, err);
	if (c == '"')
		return fail(r, err, "quote inside an unquoted field");
	return field_add(r, c, err);
}

static enum csv_step
step_quoted(struct csv_reader *r, int c, struct err *err)
{
	if (c == CSV_EOF)
		return fail_at(r, err, r->quote_line, r->quote_col,
		    "quoted field not closed before the end of the file");
	if (c == '"') {
		r->state = CSV_QUOTED_QUOTE;
		return STEP_MORE;
	}
	return field_add(r, c, err);
}

static enum csv_step
step_quoted_quote(struct csv_reader *r, int c, struct strvec *fields,
    struct err *err)
{
	if (c == '"') {
		r->state = CSV_QUOTED;
		return field_add(r, c, err);
	}
	if (c == r->sep)
		return comma(r, fields, err);
	if (is_record_end(c))
		return record_end(r, c, fields, err);
	return fail(r, err, "text after a closing quote");
}

static enum csv_step
step(struct csv_reader *r, int c, struct strvec *fields, struct err *err)
{
	if (c == '\0')
		return fail(r, err, "NUL byte");
	if (c == CSV_EOF && ferror(r->fp))
		return fail_read(r, err);
	switch (r->state) {
	case CSV_RECORD_START:
		return step_record_start(r, c, fields, err);
	case CSV_FIELD_START:
		return step_field_start(r, c, fields, err);
	case CSV_UNQUOTED:
		return step_unquoted(r, c, fields, err);
	case CSV_QUOTED:
		return step_quoted(r, c, err);
	case CSV_QUOTED_QUOTE:
		return step_quoted_quote(r, c, fields, err);
	}
	abort();
}

int
csv_next(struct csv_reader *r, struct strvec *fields, size_t *line,
    struct err *err)
{
	enum csv_step s;

	strvec_clear(fields);
	if (r->status == CSV_FAILED) {
		report(r, err);
		return -1;
	}
	if (r->status == CSV_DONE)
		return 0;
	if (!r->bom_checked)
		skip_bom(r);
	do
		s = step(r, read_byte(r), fields, err);
	while (s == STEP_MORE);
	if (s == STEP_ERROR) {
		strvec_clear(fields);
		return -1;
	}
	if (s == STEP_END)
		return 0;
	*line = r->rec_line;
	return 1;
}
