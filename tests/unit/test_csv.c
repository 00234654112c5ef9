/* test_csv.c: the RFC 4180 reader, from well-formed files to hostile bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv.h"
#include "util.h"

/*
 * One row: the input and what reading all of it gives, rendered as
 * "LINE:[field][field] LINE:[field]", CR and LF in a field shown as \r
 * and \n, and a failure as " ! message" after the records read before it.
 * len is for inputs holding a NUL byte; 0 means strlen.
 */
struct csv_case {
	const char	*name;
	const char	*input;
	size_t		 len;
	const char	*expect;
};

static const struct csv_case cases[] = {
	/* Well-formed. */
	{ "simple", "a,b,c\n", 0, "1:[a][b][c]" },
	{ "LF records", "a,b\nc,d\n", 0, "1:[a][b] 2:[c][d]" },
	{ "CRLF records", "a,b\r\nc,d\r\n", 0, "1:[a][b] 2:[c][d]" },
	{ "mixed CRLF and LF", "a\r\nb\nc\r\n", 0, "1:[a] 2:[b] 3:[c]" },
	{ "no newline at the end", "a,b\nc,d", 0, "1:[a][b] 2:[c][d]" },
	{ "one field, no newline", "a", 0, "1:[a]" },
	{ "quoted with commas", "\"Acme, Inc.\",x\n", 0,
	    "1:[Acme, Inc.][x]" },
	{ "doubled quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n", 0,
	    "1:[say \"hi\"][\"]" },
	{ "empty quoted field", "\"\",a\n", 0, "1:[][a]" },
	{ "a line of only \"\" is a record", "\"\"\n", 0, "1:[]" },
	{ "quoted, then EOF", "\"a\"", 0, "1:[a]" },
	{ "quoted, then CRLF", "\"a\"\r\n\"b\"", 0, "1:[a] 2:[b]" },
	{ "LF inside quotes", "\"a\nb\",c\nd\n", 0, "1:[a\\nb][c] 3:[d]" },
	{ "CRLF inside quotes is kept", "\"a\r\nb\"\r\nd\r\n", 0,
	    "1:[a\\r\\nb] 3:[d]" },
	{ "lone CR inside quotes is kept, no new line", "\"a\rb\"\nc\n", 0,
	    "1:[a\\rb] 2:[c]" },
	{ "several line breaks inside quotes", "x,\"1\n2\n\n3\"\ny\n", 0,
	    "1:[x][1\\n2\\n\\n3] 5:[y]" },
	{ "empty fields", ",,\n", 0, "1:[][][]" },
	{ "trailing comma", "a,b,\n", 0, "1:[a][b][]" },
	{ "trailing comma at EOF", "a,", 0, "1:[a][]" },
	{ "trailing comma after quotes", "\"a\",\r\n", 0, "1:[a][]" },
	{ "leading comma", ",a\n", 0, "1:[][a]" },
	{ "blank lines skipped", "\n\na\n\r\n\nb\n\n\n", 0, "3:[a] 6:[b]" },
	{ "empty input", "", 0, "" },
	{ "only line breaks", "\n\r\n\n", 0, "" },
	{ "spaces are data", " a , b \n", 0, "1:[ a ][ b ]" },
	{ "a line of spaces is a record", " \n", 0, "1:[ ]" },

	/* The separator: what the first line holds most of. */
	{ "semicolons (Excel in much of Europe)", "a;b;c\n1;\"x;y\";z,w\n", 0,
	    "1:[a][b][c] 2:[1][x;y][z,w]" },
	{ "tabs (a copy from a spreadsheet)", "a\tb\tc\n1\t2,3\t4;5\n", 0,
	    "1:[a][b][c] 2:[1][2,3][4;5]" },
	{ "semicolons after a BOM, CRLF", "\xef\xbb\xbf" "a;b\r\n1;2\r\n",
	    0, "1:[a][b] 2:[1][2]" },
	{ "a tie keeps the comma", "a,b;c\n", 0, "1:[a][b;c]" },
	{ "only the first line counts", "a,b\n1;2;3;4\n", 0,
	    "1:[a][b] 2:[1;2;3;4]" },
	{ "quoted separators do not count", "\"a;b;c\",d\n", 0,
	    "1:[a;b;c][d]" },
	{ "a quoted line break stays in the first line",
	    "\"a\n;;;\",b,c\n", 0, "1:[a\\n;;;][b][c]" },

	/* The BOM. */
	{ "BOM", "\xef\xbb\xbf" "name,x\r\n", 0, "1:[name][x]" },
	{ "BOM, quoted first field", "\xef\xbb\xbf" "\"a\"\n", 0, "1:[a]" },
	{ "BOM only", "\xef\xbb\xbf", 0, "" },
	{ "BOM and blank lines", "\xef\xbb\xbf" "\r\n\n", 0, "" },
	{ "BOM on line 2 is data", "a\n\xef\xbb\xbf" "b\n", 0,
	    "1:[a] 2:[\xef\xbb\xbf" "b]" },
	{ "second BOM is data", "\xef\xbb\xbf\xef\xbb\xbf" "a\n", 0,
	    "1:[\xef\xbb\xbf" "a]" },
	{ "partial BOM is data", "\xef\xbb" "a\n", 0, "1:[\xef\xbb" "a]" },
	{ "partial BOM alone", "\xef\xbb", 0, "1:[\xef\xbb]" },

	/* Names from everywhere; the reader does not judge bytes. */
	{ "CJK", "株式会社テスト,x\n", 0, "1:[株式会社テスト][x]" },
	{ "emoji and accents", "\"Café 🍰, Ltd\",👩‍💻\n", 0,
	    "1:[Café 🍰, Ltd][👩‍💻]" },
	{ "right to left", "שלום,مرحبا", 0, "1:[שלום][مرحبا]" },
	{ "invalid UTF-8 passes to the caller", "\xff\xfe,\xc0\x80\n", 0,
	    "1:[\xff\xfe][\xc0\x80]" },
	{ "control characters pass to the caller", "a\tb,\x01\x7f\n", 0,
	    "1:[a\tb][\x01\x7f]" },

	/* Unterminated quotes name the opening quote. */
	{ "unterminated quote", "a\n\"b,c\nd\n", 0,
	    "1:[a] ! 2: character 1: quoted field not closed before the "
	    "end of the file" },
	{ "unterminated quote mid-line", "x,é,\"b", 0,
	    "! 1: character 5: quoted field not closed before the end of "
	    "the file" },
	{ "unterminated after a doubled quote", "\"a\"\"", 0,
	    "! 1: character 1: quoted field not closed before the end of "
	    "the file" },

	/* Stray text around quotes. */
	{ "text after a closing quote", "\"a\"b,c\n", 0,
	    "! 1: character 4: text after a closing quote" },
	{ "space after a closing quote", "x,\"a\" ,c\n", 0,
	    "! 1: character 6: text after a closing quote" },
	{ "quote inside an unquoted field", "a\nab\"c\n", 0,
	    "1:[a] ! 2: character 3: quote inside an unquoted field" },
	{ "quote after a leading space", " \"a\"\n", 0,
	    "! 1: character 2: quote inside an unquoted field" },
	{ "quote at the end of an unquoted field", "a\"\n", 0,
	    "! 1: character 2: quote inside an unquoted field" },

	/* Columns count characters, lines count LF. */
	{ "column counts CJK as one", "株式\"\n", 0,
	    "! 1: character 3: quote inside an unquoted field" },
	{ "column counts emoji as one", "🍰é\"", 0,
	    "! 1: character 3: quote inside an unquoted field" },
	{ "column inside quotes with CJK", "\"日本\"x", 0,
	    "! 1: character 5: text after a closing quote" },
	{ "BOM is not a column", "\xef\xbb\xbf" "a\"", 0,
	    "! 1: character 2: quote inside an unquoted field" },
	{ "line after a quoted LF", "\"a\nbc\"x\n", 0,
	    "! 2: character 4: text after a closing quote" },
	{ "line after a quoted CRLF", "\"a\r\nb\"\r\nc\"\n", 0,
	    "1:[a\\r\\nb] ! 3: character 2: quote inside an unquoted field" },
	{ "lone CR inside quotes is a column", "\"a\rb\"x", 0,
	    "! 1: character 6: text after a closing quote" },
	{ "line after blank lines", "a\n\n\nb\"\n", 0,
	    "1:[a] ! 4: character 2: quote inside an unquoted field" },

	/* NUL bytes, anywhere. */
	{ "NUL in an unquoted field", "a\nb\0c\n", 6,
	    "1:[a] ! 2: character 2: NUL byte" },
	{ "NUL inside quotes", "\"a\0\"", 4, "! 1: character 3: NUL byte" },
	{ "NUL first", "\0", 1, "! 1: character 1: NUL byte" },
	{ "NUL after a closing quote", "\"a\"\0", 4,
	    "! 1: character 4: NUL byte" },
	{ "NUL on a blank line", "a\n\0\n", 4,
	    "1:[a] ! 2: character 1: NUL byte" },
	{ "NUL at the end", "a,b\n\0", 5, "1:[a][b] ! 2: character 1: NUL byte" },

	/* CR outside quotes only as CRLF. */
	{ "bare CR in a field", "a\rb\n", 0,
	    "! 1: character 2: bare CR (a CR not followed by LF)" },
	{ "bare CR at EOF", "a\r", 0,
	    "! 1: character 2: bare CR (a CR not followed by LF)" },
	{ "bare CR as a line", "a\n\rb\n", 0,
	    "1:[a] ! 2: character 1: bare CR (a CR not followed by LF)" },
	{ "bare CR after a closing quote", "\"a\"\rb", 0,
	    "! 1: character 4: bare CR (a CR not followed by LF)" },
	{ "CR CR LF", "a\r\r\n", 0,
	    "! 1: character 2: bare CR (a CR not followed by LF)" },
	{ "bare CR opening a field", "a,\r", 0,
	    "! 1: character 3: bare CR (a CR not followed by LF)" },
	{ "old Mac line ends", "a\rb\rc\r", 0,
	    "! 1: character 2: bare CR (a CR not followed by LF)" },
};

static void
render_field(struct buf *out, const char *s)
{
	buf_puts(out, "[");
	for (; *s != '\0'; s++) {
		if (*s == '\r')
			buf_puts(out, "\\r");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_append(out, s, 1);
	}
	buf_puts(out, "]");
}

/* Reads everything from fp and renders it as the table does; caller frees. */
static char *
read_all(FILE *fp, enum err_kind *kind)
{
	struct csv_reader *r;
	struct strvec fields = { 0 };
	struct buf out = { 0 };
	struct err err;
	size_t i, line;
	int rc;

	*kind = ERR_NONE;
	r = csv_open(fp);
	for (;;) {
		rc = csv_next(r, &fields, &line, &err);
		if (rc != 1)
			break;
		buf_printf(&out, "%s%zu:", out.len ? " " : "", line);
		for (i = 0; i < fields.n; i++)
			render_field(&out, fields.v[i]);
	}
	if (rc == -1) {
		buf_printf(&out, "%s! %s", out.len ? " " : "", err.msg);
		*kind = err.kind;
		assert_int_equal(fields.n, 0);
	}
	strvec_clear(&fields);
	csv_free(r);
	return buf_release(&out);
}

static FILE *
open_bytes(const char *s, size_t len)
{
	FILE *fp;

	/* fmemopen refuses a zero size; an empty file is a read-only /dev/null. */
	fp = len ? fmemopen((void *)(uintptr_t)s, len, "r") :
	    fopen("/dev/null", "r");
	assert_non_null(fp);
	return fp;
}

static void
test_table(void **state)
{
	const struct csv_case *c;
	enum err_kind kind;
	size_t i, len;
	FILE *fp;
	char *got;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		len = c->len ? c->len : strlen(c->input);
		fp = open_bytes(c->input, len);
		got = read_all(fp, &kind);
		fclose(fp);
		if (strcmp(got, c->expect) != 0) {
			print_error("%s:\n  want %s\n  got  %s\n", c->name,
			    c->expect, got);
			failed++;
		} else if (strchr(c->expect, '!') != NULL && kind != ERR_INPUT) {
			print_error("%s: error kind %d\n", c->name, kind);
			failed++;
		}
		free(got);
	}
	assert_int_equal(failed, 0);
}

/* Reads all of s (NUL-terminated) and compares with expect. */
static void
check(const char *s, const char *expect)
{
	enum err_kind kind;
	FILE *fp;
	char *got;

	fp = open_bytes(s, strlen(s));
	got = read_all(fp, &kind);
	fclose(fp);
	assert_string_equal(got, expect);
	free(got);
}

static char *
repeat(const char *unit, size_t times)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < times; i++)
		buf_puts(&b, unit);
	return buf_release(&b);
}

/* Reads one record of s and returns its only field's length. */
static size_t
single_field_len(const char *s)
{
	struct csv_reader *r;
	struct strvec fields = { 0 };
	struct err err;
	size_t line, len;
	FILE *fp;

	fp = open_bytes(s, strlen(s));
	r = csv_open(fp);
	assert_int_equal(csv_next(r, &fields, &line, &err), 1);
	assert_int_equal(fields.n, 1);
	len = strlen(fields.v[0]);
	assert_int_equal(csv_next(r, &fields, &line, &err), 0);
	strvec_clear(&fields);
	csv_free(r);
	fclose(fp);
	return len;
}

static void
test_field_max(void **state)
{
	char *x, *in;

	(void)state;
	x = repeat("x", CSV_FIELD_MAX);
	in = xasprintf("%s\n", x);
	assert_int_equal(single_field_len(in), CSV_FIELD_MAX);
	free(in);
	in = xasprintf("\"%s\"\r\n", x);
	assert_int_equal(single_field_len(in), CSV_FIELD_MAX);
	free(in);
	/* A doubled quote is one byte of the field. */
	in = xasprintf("\"%s\"\"\"", x + 1);
	assert_int_equal(single_field_len(in), CSV_FIELD_MAX);
	free(in);
	free(x);
}

static void
test_field_max_plus_one(void **state)
{
	char *x, *in, *want;

	(void)state;
	x = repeat("x", CSV_FIELD_MAX);
	in = xasprintf("%sy\n", x);
	want = xasprintf("! 1: character %d: field longer than %d bytes",
	    CSV_FIELD_MAX + 1, CSV_FIELD_MAX);
	check(in, want);
	free(in);
	free(want);

	/* In quotes, on line 2, the extra byte a doubled quote. */
	in = xasprintf("a\n\"%s\"\"\"\n", x);
	want = xasprintf("1:[a] ! 2: character %d: field longer than %d "
	    "bytes", CSV_FIELD_MAX + 3, CSV_FIELD_MAX);
	check(in, want);
	free(in);
	free(want);

	/* The extra byte a line break inside quotes. */
	in = xasprintf("\"%s\nz\"", x);
	want = xasprintf("! 1: character %d: field longer than %d bytes",
	    CSV_FIELD_MAX + 2, CSV_FIELD_MAX);
	check(in, want);
	free(in);
	free(want);
	free(x);
}

/* The limit is in bytes, the column in characters. */
static void
test_field_max_multibyte(void **state)
{
	char *emoji, *in, *want;

	(void)state;
	emoji = repeat("🍰", CSV_FIELD_MAX / 4);
	assert_int_equal(single_field_len(emoji), CSV_FIELD_MAX);
	in = xasprintf("%sé", emoji);
	want = xasprintf("! 1: character %d: field longer than %d bytes",
	    CSV_FIELD_MAX / 4 + 1, CSV_FIELD_MAX);
	check(in, want);
	free(in);
	free(want);
	free(emoji);
}

/* Reads one record of s and returns how many fields it has. */
static size_t
field_count(const char *s)
{
	struct csv_reader *r;
	struct strvec fields = { 0 };
	struct err err;
	size_t line, n;
	FILE *fp;

	fp = open_bytes(s, strlen(s));
	r = csv_open(fp);
	assert_int_equal(csv_next(r, &fields, &line, &err), 1);
	n = fields.n;
	strvec_clear(&fields);
	csv_free(r);
	fclose(fp);
	return n;
}

static void
test_fields_max(void **state)
{
	char *commas, *in;

	(void)state;
	commas = repeat("a,", CSV_FIELDS_MAX - 1);
	in = xasprintf("%sa\n", commas);
	assert_int_equal(field_count(in), CSV_FIELDS_MAX);
	free(in);
	free(commas);
	/* Empty fields count too. */
	commas = repeat(",", CSV_FIELDS_MAX - 1);
	assert_int_equal(field_count(commas), CSV_FIELDS_MAX);
	free(commas);
	commas = repeat("\"q\",", CSV_FIELDS_MAX - 1);
	in = xasprintf("%s\"q\"\r\n", commas);
	assert_int_equal(field_count(in), CSV_FIELDS_MAX);
	free(in);
	free(commas);
}

/* The error names the comma that would open one field too many. */
static void
test_fields_max_plus_one(void **state)
{
	char *commas, *in, *want;

	(void)state;
	commas = repeat("a,", CSV_FIELDS_MAX);
	in = xasprintf("%sa\n", commas);
	want = xasprintf("! 1: character %d: more than %d fields in a record",
	    2 * CSV_FIELDS_MAX, CSV_FIELDS_MAX);
	check(in, want);
	free(in);
	free(want);
	free(commas);

	/* A trailing comma after the last allowed field is one too many. */
	commas = repeat(",", CSV_FIELDS_MAX);
	in = xasprintf("x\n%s\n", commas);
	want = xasprintf("1:[x] ! 2: character %d: more than %d fields in "
	    "a record", CSV_FIELDS_MAX, CSV_FIELDS_MAX);
	check(in, want);
	free(in);
	free(want);
	free(commas);
}

/* The fields are cleared first; the end and errors repeat. */
static void
test_calls_after_the_end(void **state)
{
	struct csv_reader *r;
	struct strvec fields = { 0 };
	struct err err;
	size_t line = 99;
	FILE *fp;

	(void)state;
	fp = open_bytes("a,b\n", 4);
	r = csv_open(fp);
	strvec_push(&fields, "stale");
	assert_int_equal(csv_next(r, &fields, &line, &err), 1);
	assert_int_equal(fields.n, 2);
	assert_string_equal(fields.v[0], "a");
	assert_int_equal(line, 1);
	assert_int_equal(csv_next(r, &fields, &line, &err), 0);
	assert_int_equal(fields.n, 0);
	assert_int_equal(csv_next(r, &fields, &line, &err), 0);
	csv_free(r);
	fclose(fp);
	csv_free(NULL);
}

static void
test_error_repeats(void **state)
{
	struct csv_reader *r;
	struct strvec fields = { 0 };
	struct err err;
	size_t line;
	FILE *fp;

	(void)state;
	fp = open_bytes("a\"b\nc\n", 6);
	r = csv_open(fp);
	assert_int_equal(csv_next(r, &fields, &line, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(err.msg,
	    "1: character 2: quote inside an unquoted field");
	err_clear(&err);
	strvec_push(&fields, "stale");
	assert_int_equal(csv_next(r, &fields, &line, &err), -1);
	assert_int_equal(fields.n, 0);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(err.msg,
	    "1: character 2: quote inside an unquoted field");
	csv_free(r);
	fclose(fp);
}

/* A stream that cannot be read is a runtime error, not bad input. */
static void
test_read_error(void **state)
{
	struct csv_reader *r;
	struct strvec fields = { 0 };
	struct err err;
	size_t line;
	char mem[16];
	FILE *fp;

	(void)state;
	fp = fmemopen(mem, sizeof mem, "w");
	assert_non_null(fp);
	r = csv_open(fp);
	assert_int_equal(csv_next(r, &fields, &line, &err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "cannot read the CSV input"));
	assert_int_equal(fields.n, 0);
	csv_free(r);
	fclose(fp);
}

/* Sixteen fields of 4095 bytes put the first CR as the buffer's last byte. */
static void
test_crlf_across_buffer_refill(void **state)
{
	struct buf in = { 0 };
	char *x, *bracketed, *fields, *want;
	size_t i;

	(void)state;
	x = repeat("a", 4095);
	for (i = 0; i < 16; i++)
		buf_printf(&in, "%s%s", i ? "," : "", x);
	assert_int_equal(in.len, 64 * 1024 - 1);
	buf_puts(&in, "\r\nb\r\n");
	bracketed = xasprintf("[%s]", x);
	fields = repeat(bracketed, 16);
	want = xasprintf("1:%s 2:[b]", fields);
	check(in.data, want);
	free(want);
	free(fields);
	free(bracketed);
	free(x);
	buf_clear(&in);
}

/*
 * Ten thousand rows of the import's shape, some quoted over two lines,
 * read back one by one with their line numbers.
 */
static void
test_ten_thousand_rows(void **state)
{
	struct csv_reader *r;
	struct strvec fields = { 0 };
	struct buf in = { 0 };
	struct err err;
	size_t i, line, want_line = 1;
	char *name;
	FILE *fp;
	int rc;

	(void)state;
	buf_puts(&in, "\xef\xbb\xbfname,customer_admin,msp_admin,workloads,"
	    "edition,licenses,suspended\r\n");
	for (i = 0; i < 10000; i++)
		buf_printf(&in, i % 100 ? "Tenant %zu,a%zu@x.test,m@y.test,"
		    "m365,enterprise,m365=2027-01-31,false\r\n" :
		    "\"Tenant %zu,\n株式会社\",a%zu@x.test,m@y.test,"
		    "\"m365;endpoints\",standard,,true\r\n", i, i);
	fp = open_bytes(in.data, in.len);
	r = csv_open(fp);
	assert_int_equal(csv_next(r, &fields, &line, &err), 1);
	assert_string_equal(fields.v[0], "name");
	for (i = 0; i < 10000; i++) {
		want_line += i == 0 || (i - 1) % 100 ? 1 : 2;
		rc = csv_next(r, &fields, &line, &err);
		assert_int_equal(rc, 1);
		assert_int_equal(line, want_line);
		assert_int_equal(fields.n, 7);
		name = xasprintf(i % 100 ? "Tenant %zu" :
		    "Tenant %zu,\n株式会社", i);
		assert_string_equal(fields.v[0], name);
		free(name);
	}
	assert_int_equal(csv_next(r, &fields, &line, &err), 0);
	assert_int_equal(line, want_line);
	strvec_clear(&fields);
	csv_free(r);
	fclose(fp);
	buf_clear(&in);
}

/* What Excel's "CSV UTF-8" export writes: BOM, CRLF, quotes as needed. */
static void
test_excel_fixture(void **state)
{
	FILE *fp;
	enum err_kind kind;
	char *got;

	(void)state;
	fp = fopen("tests/data/csv/excel-utf8-bom-crlf.csv", "r");
	if (fp == NULL)
		fail_msg("run from the top of the source tree (tests/run.sh "
		    "does)");
	got = read_all(fp, &kind);
	fclose(fp);
	assert_string_equal(got,
	    "1:[name][customer_admin][msp_admin][workloads][edition]"
	    "[licenses][suspended] "
	    "2:[Acme, Inc.][admin@acme.test][msp@partner.test][m365]"
	    "[enterprise][m365=2027-01-31][false] "
	    "3:[Müller \"GmbH\"][it@mueller.test][msp@partner.test]"
	    "[m365;endpoints][standard][m365=2027-01-31;endpoints=2028-01-31]"
	    "[true] "
	    "4:[株式会社テスト 🍰][admin@jp.test][msp@partner.test][endpoints]"
	    "[enterprise][][false] "
	    "5:[Two\\r\\nLines Ltd][a@two.test][msp@partner.test][m365]"
	    "[enterprise][][]");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_field_max),
		cmocka_unit_test(test_field_max_plus_one),
		cmocka_unit_test(test_field_max_multibyte),
		cmocka_unit_test(test_fields_max),
		cmocka_unit_test(test_fields_max_plus_one),
		cmocka_unit_test(test_calls_after_the_end),
		cmocka_unit_test(test_error_repeats),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_crlf_across_buffer_refill),
		cmocka_unit_test(test_ten_thousand_rows),
		cmocka_unit_test(test_excel_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
