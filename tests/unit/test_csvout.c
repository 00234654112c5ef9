/* test_csvout.c: CSV written for export: quoting, and no formulas. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv.h"
#include "csvout.h"

struct field_case {
	const char	*in;
	const char	*out;
};

static const struct field_case cases[] = {
	{ "plain", "plain" },
	{ "", "" },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "two\r\nlines", "two  lines" },
	{ "tab\there", "tab here" },
	/* What a spreadsheet would run. */
	{ "=1+2", "\"'=1+2\"" },
	{ "+1", "\"'+1\"" },
	{ "-1", "\"'-1\"" },
	{ "@SUM(A1)", "\"'@SUM(A1)\"" },
	{ "\t=1", "\"' =1\"" },
	{ "\r=1", "\"' =1\"" },
	{ "  =1", "\"'  =1\"" },
	{ "=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
	/* Not at the start: harmless. */
	{ "a=b", "a=b" },
	{ "it@x.test", "it@x.test" },
	{ "<b>Bold</b>", "<b>Bold</b>" },
	{ "\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9 \xf0\x9f\x9a\x80",
	    "\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9 \xf0\x9f\x9a\x80" },
	{ "bad \xff byte", "bad ? byte" },
};

static void
test_fields(void **state)
{
	struct buf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_clear(&b);
		buf_puts(&b, "");
		csvout_field(&b, cases[i].in, 1);
		if (strcmp(b.data, cases[i].out) != 0)
			fail_msg("%s: got [%s], want [%s]", cases[i].in,
			    b.data, cases[i].out);
	}
	buf_clear(&b);
}

/* What csv.h reads back is each field as written, apostrophe and all. */
static void
test_read_back(void **state)
{
	const char *const row[] = { "1", "Acme, \"Inc\"", "=cmd|' /C calc'!A0" };
	struct strvec fields = { 0 };
	struct csv_reader *r;
	struct buf b = { 0 };
	struct err err;
	size_t line;
	FILE *fp;
	int i;

	(void)state;
	csvout_record(&b, row, 3);
	csvout_record(&b, row, 3);
	fp = fmemopen(b.data, b.len, "r");
	assert_non_null(fp);
	r = csv_open(fp);
	for (i = 0; i < 2; i++) {
		assert_int_equal(csv_next(r, &fields, &line, &err), 1);
		assert_int_equal(line, (size_t)i + 1);
		assert_int_equal(fields.n, 3);
		assert_string_equal(fields.v[0], "1");
		assert_string_equal(fields.v[1], "Acme, \"Inc\"");
		assert_string_equal(fields.v[2], "'=cmd|' /C calc'!A0");
	}
	assert_int_equal(csv_next(r, &fields, &line, &err), 0);
	csv_free(r);
	fclose(fp);
	strvec_clear(&fields);
	buf_clear(&b);
}

static void
test_empty_and_null(void **state)
{
	struct buf b = { 0 };

	(void)state;
	csvout_field(&b, NULL, 1);
	csvout_field(&b, "", 0);
	csvout_field(&b, "x", 0);
	csvout_end(&b);
	assert_string_equal(b.data, ",,x\r\n");
	buf_clear(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_empty_and_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
