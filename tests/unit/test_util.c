/* test_util.c: errors, string lists, buffers, UTF-8 and text checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#include "support.h"

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])

#define KANJI	"\xe6\xa0\xaa"		/* U+682A, 3 bytes, wide */
#define ROCKET	"\xf0\x9f\x9a\x80"	/* U+1F680, 4 bytes, wide */
#define E_ACUTE	"\xc3\xa9"		/* U+00E9, 2 bytes */
#define COMBINE	"\xcc\x81"		/* U+0301 combining acute */

static void
test_err_set(void **state)
{
	struct err err;

	(void)state;
	err_clear(&err);
	err_set(&err, ERR_STATE, "tenant %d is %s", 7, "cancelled");
	assert_int_equal(err.kind, ERR_STATE);
	assert_string_equal(err.msg, "tenant 7 is cancelled");
	err_set(NULL, ERR_INPUT, "ignored %s", "quietly");
	err_clear(&err);
	assert_int_equal(err.kind, ERR_NONE);
	assert_string_equal(err.msg, "");
	err_clear(NULL);
}

/*
 * A message longer than ERR_MSG_MAX is cut to ERR_MSG_MAX - 1 bytes.  The
 * struct is on the heap so that ASan sees a write past its end.
 */
static void
test_err_set_truncates(void **state)
{
	struct err *err;
	char *long_text;

	(void)state;
	err = malloc(sizeof *err);
	assert_non_null(err);
	long_text = support_repeat('x', ERR_MSG_MAX * 3);
	err_set(err, ERR_RUNTIME, "<%s>", long_text);
	assert_int_equal(err->kind, ERR_RUNTIME);
	assert_int_equal(strlen(err->msg), ERR_MSG_MAX - 1);
	assert_int_equal(err->msg[0], '<');
	assert_int_equal(err->msg[ERR_MSG_MAX - 2], 'x');

	/* Exactly ERR_MSG_MAX - 1 bytes fit whole. */
	long_text[ERR_MSG_MAX - 1] = '\0';
	err_set(err, ERR_RUNTIME, "%s", long_text);
	assert_string_equal(err->msg, long_text);
	free(long_text);
	free(err);
}

static void
test_err_prefix(void **state)
{
	struct err err;

	(void)state;
	err_set(&err, ERR_INPUT, "bad date");
	err_prefix(&err, "line %d", 12);
	assert_string_equal(err.msg, "line 12: bad date");
	err_prefix(&err, "%s", "file.csv");
	assert_string_equal(err.msg, "file.csv: line 12: bad date");
	assert_int_equal(err.kind, ERR_INPUT);
	err_prefix(NULL, "ignored");
}

/* A prefix on a full message keeps the prefix and cuts the end. */
static void
test_err_prefix_truncates(void **state)
{
	struct err *err;
	char *long_text;

	(void)state;
	err = malloc(sizeof *err);
	assert_non_null(err);
	long_text = support_repeat('y', ERR_MSG_MAX - 1);
	err_set(err, ERR_INPUT, "%s", long_text);
	err_prefix(err, "column %d", 3);
	assert_int_equal(strlen(err->msg), ERR_MSG_MAX - 1);
	assert_memory_equal(err->msg, "column 3: yyy", 13);
	assert_int_equal(err->kind, ERR_INPUT);

	/* A prefix longer than the buffer on its own. */
	long_text[ERR_MSG_MAX - 2] = 'z';
	err_set(err, ERR_INPUT, "short");
	err_prefix(err, "%s%s", long_text, long_text);
	assert_int_equal(strlen(err->msg), ERR_MSG_MAX - 1);
	assert_int_equal(err->msg[0], 'y');
	free(long_text);
	free(err);
}

static void
test_strvec(void **state)
{
	struct strvec sv = { 0 };
	char source[16];
	size_t i;

	(void)state;
	/* More than the first allocation, to make it grow. */
	for (i = 0; i < 37; i++) {
		snprintf(source, sizeof source, "item %zu", i);
		strvec_push(&sv, source);
		/* The list keeps its own copy. */
		memset(source, '#', sizeof source - 1);
	}
	assert_int_equal(sv.n, 37);
	assert_true(sv.cap >= sv.n);
	for (i = 0; i < 37; i++) {
		snprintf(source, sizeof source, "item %zu", i);
		assert_string_equal(sv.v[i], source);
	}
	strvec_pushf(&sv, "%s=%d", "answer", 42);
	strvec_push(&sv, "");
	assert_int_equal(sv.n, 39);
	assert_string_equal(sv.v[37], "answer=42");
	assert_string_equal(sv.v[38], "");
	strvec_clear(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
	assert_int_equal(sv.cap, 0);
	/* Clearing twice and reusing after a clear are both fine. */
	strvec_clear(&sv);
	strvec_push(&sv, "again");
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0], "again");
	strvec_clear(&sv);
}

static void
test_buf(void **state)
{
	struct buf b = { 0 };
	char *big, *s;

	(void)state;
	buf_append(&b, "ab\0cd", 5);	/* bytes, NUL included */
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "ab\0cd", 6);
	buf_clear(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);

	buf_puts(&b, "id=");
	buf_printf(&b, "%d, name=%s", 7, "x");
	buf_append(&b, "!!!", 1);
	assert_string_equal(b.data, "id=7, name=x!");
	assert_int_equal(b.len, strlen("id=7, name=x!"));

	/* Well past the first allocation. */
	big = support_repeat('q', 5000);
	buf_puts(&b, big);
	assert_int_equal(b.len, 13 + 5000);
	assert_int_equal(b.data[b.len], '\0');
	assert_true(b.cap > b.len);
	s = buf_release(&b);
	assert_int_equal(strlen(s), 13 + 5000);
	assert_string_equal(s + 13, big);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(s);
	free(big);
}

static void
test_buf_release_empty(void **state)
{
	struct buf b = { 0 };
	char *s;

	(void)state;
	s = buf_release(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	/* Empty but allocated. */
	buf_append(&b, "", 0);
	s = buf_release(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void
test_xalloc(void **state)
{
	char *s;

	(void)state;
	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = xasprintf("%s-%03d", "t", 5);
	assert_string_equal(s, "t-005");
	free(s);
	s = xstrdup("");
	assert_string_equal(s, "");
	free(s);
}

/* Formatted on the stack when it fits, else again on the heap: both
 * sides of that edge, and far past it. */
static void
test_xasprintf_lengths(void **state)
{
	static const size_t lens[] = { 0, 254, 255, 256, 257, 10000 };
	char *fill, *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		fill = xmalloc(lens[i] + 1);
		memset(fill, 'x', lens[i]);
		fill[lens[i]] = '\0';
		s = xasprintf("%s", fill);
		assert_int_equal(strlen(s), lens[i]);
		assert_string_equal(s, fill);
		free(s);
		s = xasprintf("<%s>", fill);
		assert_int_equal(strlen(s), lens[i] + 2);
		assert_int_equal(s[lens[i] + 1], '>');
		free(s);
		free(fill);
	}
}

struct bytes_row {
	const char	*s;
	size_t		 len;
	int		 valid;
};

#define ROW(lit, v)	{ lit, sizeof lit - 1, v }

static const struct bytes_row utf8_rows[] = {
	ROW("", 1),
	ROW("plain ASCII ~", 1),
	ROW("\x7f", 1),
	ROW("a\0b", 1),			/* NUL is valid UTF-8 */
	ROW(E_ACUTE, 1),
	ROW("\xc2\x80", 1),		/* smallest 2-byte */
	ROW("\xdf\xbf", 1),		/* largest 2-byte */
	ROW(KANJI, 1),
	ROW("\xe0\xa0\x80", 1),		/* smallest 3-byte */
	ROW("\xef\xbf\xbf", 1),		/* U+FFFF */
	ROW("\xed\x9f\xbf", 1),		/* U+D7FF, just below surrogates */
	ROW("\xee\x80\x80", 1),		/* U+E000, just above */
	ROW(ROCKET, 1),
	ROW("\xf0\x90\x80\x80", 1),	/* smallest 4-byte */
	ROW("\xf4\x8f\xbf\xbf", 1),	/* U+10FFFF */
	ROW("a" E_ACUTE KANJI ROCKET "z", 1),
	ROW("\xc0\xaf", 0),		/* overlong '/' */
	ROW("\xc1\xbf", 0),		/* overlong */
	ROW("\xe0\x80\xaf", 0),		/* overlong '/' */
	ROW("\xe0\x9f\xbf", 0),		/* overlong U+07FF */
	ROW("\xf0\x80\x80\xaf", 0),	/* overlong '/' */
	ROW("\xf0\x8f\xbf\xbf", 0),	/* overlong U+FFFF */
	ROW("\xed\xa0\x80", 0),		/* U+D800 */
	ROW("\xed\xbf\xbf", 0),		/* U+DFFF */
	ROW("\xf4\x90\x80\x80", 0),	/* U+110000 */
	ROW("\xf5\x80\x80\x80", 0),
	ROW("\xf8\x88\x80\x80\x80", 0),	/* 5-byte form */
	ROW("\xfe", 0),
	ROW("\xff", 0),
	ROW("\xc3", 0),			/* truncated 2-byte */
	ROW("\xe6\xa0", 0),		/* truncated 3-byte */
	ROW("\xf0\x9f\x9a", 0),		/* truncated 4-byte */
	ROW("ab\xe6\xa0", 0),		/* truncated at the end */
	ROW("\xe6\xa0z", 0),		/* ASCII in place of continuation */
	ROW("\x80", 0),			/* lone continuation */
	ROW("\xbf", 0),
	ROW("a\x80z", 0),
	ROW(E_ACUTE "\xa9", 0),		/* one continuation too many */
};

static void
test_utf8_valid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(utf8_rows); i++) {
		print_message("row %zu\n", i);
		assert_int_equal(utf8_valid(utf8_rows[i].s, utf8_rows[i].len),
		    utf8_rows[i].valid);
	}
}

/* The length argument is obeyed: a cut inside a sequence is invalid. */
static void
test_utf8_valid_len(void **state)
{
	(void)state;
	assert_int_equal(utf8_valid(KANJI, 2), 0);
	assert_int_equal(utf8_valid(KANJI, 3), 1);
	assert_int_equal(utf8_valid("ok\xff", 2), 1);
	assert_int_equal(utf8_valid(ROCKET, 0), 1);
}

struct count_row {
	const char	*s;
	size_t		 expected;
};

static const struct count_row length_rows[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ E_ACUTE, 1 },
	{ KANJI KANJI, 2 },
	{ ROCKET, 1 },
	{ "e" COMBINE, 2 },
	{ "a" E_ACUTE KANJI ROCKET, 4 },
};

static void
test_utf8_length(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(length_rows); i++) {
		print_message("row %zu: %s\n", i, length_rows[i].s);
		assert_int_equal(utf8_length(length_rows[i].s),
		    length_rows[i].expected);
	}
}

static const struct count_row width_rows[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ E_ACUTE, 1 },
	{ KANJI, 2 },
	{ "\xe4\xb8\xad\xe6\x96\x87", 4 },	/* 中文 */
	{ "\xea\xb0\x80", 2 },			/* 가, Hangul */
	{ "\xef\xbc\xa1", 2 },			/* fullwidth A */
	{ ROCKET, 2 },
	{ "\xf0\x9f\x98\x80", 2 },		/* U+1F600 grinning face */
	{ "\xf0\x9f\xa4\x96", 2 },		/* U+1F916 robot */
	{ "\xf0\x9f\xa9\xb0", 2 },		/* U+1FA70 ballet shoes */
	{ "\xe2\x9a\xa1", 2 },			/* U+26A1 high voltage */
	{ "e" COMBINE, 1 },
	{ COMBINE, 0 },
	{ "\xe2\x80\x8b", 0 },			/* zero width space */
	{ "a" KANJI ROCKET "b", 6 },
	{ "Acme " KANJI " Ltd", 11 },
};

/* Every row is tried; each wrong one is named before failing. */
static void
test_utf8_width(void **state)
{
	size_t i, got, wrong = 0;

	(void)state;
	for (i = 0; i < NROWS(width_rows); i++) {
		got = utf8_width(width_rows[i].s);
		if (got == width_rows[i].expected)
			continue;
		print_error("row %zu: '%s' is %zu columns wide, expected %zu\n",
		    i, width_rows[i].s, got, width_rows[i].expected);
		wrong++;
	}
	assert_int_equal(wrong, 0);
}

struct text_row {
	const char	*s;
	size_t		 max;
	int		 allow_empty;
	int		 rc;
	const char	*in_msg;	/* part of the message, with rc -1 */
};

static const struct text_row text_rows[] = {
	{ "", 10, 1, 0, NULL },
	{ "", 10, 0, -1, "empty" },
	{ "Acme", 4, 0, 0, NULL },		/* max bytes */
	{ "Acme!", 4, 0, -1, "too long" },	/* max + 1 */
	{ KANJI, 3, 0, 0, NULL },		/* max counts bytes */
	{ KANJI, 2, 0, -1, "too long" },
	{ "a" ROCKET, 5, 0, 0, NULL },
	{ "caf" E_ACUTE " " KANJI, 64, 0, 0, NULL },
	{ "a\rb", 64, 0, -1, "U+000D" },
	{ "a\nb", 64, 0, -1, "U+000A" },
	{ "a\tb", 64, 0, -1, "U+0009" },
	{ "\x01", 64, 0, -1, "U+0001" },
	{ "\x1b[31m", 64, 0, -1, "U+001B" },
	{ "a\x7f", 64, 0, -1, "U+007F" },
	{ "a\xc2\x85", 64, 0, -1, "U+0085" },	/* C1 NEL */
	{ "\xc2\x9f", 64, 0, -1, "U+009F" },
	{ "\xc2\xa0", 64, 0, 0, NULL },		/* NBSP is not C1 */
	{ "a\xffz", 64, 0, -1, "UTF-8" },
	{ "\xc0\xaf", 64, 0, -1, "UTF-8" },
	{ "\xed\xa0\x80", 64, 0, -1, "UTF-8" },
	{ "ab\xe6\xa0", 64, 0, -1, "UTF-8" },
	{ "\x80", 64, 1, -1, "UTF-8" },
};

static void
test_text_check(void **state)
{
	const struct text_row *r;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(text_rows); i++) {
		r = &text_rows[i];
		print_message("row %zu\n", i);
		err_clear(&err);
		assert_int_equal(text_check("the widget", r->s, r->max,
		    r->allow_empty, &err), r->rc);
		if (r->rc == 0) {
			assert_int_equal(err.kind, ERR_NONE);
			continue;
		}
		assert_int_equal(err.kind, ERR_INPUT);
		assert_non_null(strstr(err.msg, "the widget"));
		assert_non_null(strstr(err.msg, r->in_msg));
	}
}

/* A value far over the limit is refused by length, whatever it holds. */
static void
test_text_check_long(void **state)
{
	struct err err;
	char *s;

	(void)state;
	s = support_repeat('a', 100000);
	assert_int_equal(text_check("name", s, 256, 0, &err), -1);
	assert_non_null(strstr(err.msg, "name is too long"));
	assert_non_null(strstr(err.msg, "100000"));
	s[256] = '\0';
	assert_int_equal(text_check("name", s, 256, 0, &err), 0);
	free(s);
}

struct cmp_row {
	const char	*a;
	const char	*b;
	int		 sign;
};

static const struct cmp_row cmp_rows[] = {
	{ "", "", 0 },
	{ "abc", "abc", 0 },
	{ "ABC", "abc", 0 },
	{ "Example.TEST", "example.test", 0 },
	{ "approve", "APPROVE", 0 },
	{ "a", "b", -1 },
	{ "B", "a", 1 },
	{ "ab", "abc", -1 },
	{ "abc", "AB", 1 },
	{ "", "a", -1 },
	{ "[", "{", -1 },			/* not folded: '[' < 'a' */
	{ "@", "`", -1 },
	{ "\xc3\x89", "\xc3\xa9", -1 },		/* É and é: no folding */
	{ "a\xff", "A\xff", 0 },
};

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Whatever goes in, valid printable UTF-8 comes out, cut at max bytes
 * (a character is never split) with "..." when something was left. */
static void
test_text_printable(void **state)
{
	static const struct {
		const char	*in;
		size_t		 max;
		const char	*out;
	} rows[] = {
		{ "plain text", 64, "plain text" },
		{ "", 64, "" },
		{ "tab\there\r\nnext", 64, "tab here  next" },
		{ "del\x7f and C1 \xc2\x85", 64, "del  and C1  " },
		{ "M\xc3\xbcller & S\xc3\xb6hne", 64, "M\xc3\xbcller & S\xc3\xb6hne" },
		{ "bad \xff\xfe bytes", 64, "bad ?? bytes" },
		{ "cut \xc3", 64, "cut ?" },
		{ "0123456789", 10, "0123456789" },	/* exactly max */
		{ "0123456789x", 10, "0123456789..." },	/* max + 1 */
		{ "abc\xc3\xa9" "def", 4, "abc\xc3\xa9..." },	/* whole char */
		{ "\xe6\x97\xa5\xe6\x9c\xac", 3, "\xe6\x97\xa5..." },
	};
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		out = text_printable(rows[i].in, rows[i].max);
		assert_string_equal(out, rows[i].out);
		assert_true(utf8_valid(out, strlen(out)));
		free(out);
	}
}

static void
test_ascii_casecmp(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(cmp_rows); i++) {
		print_message("row %zu: '%s' '%s'\n", i, cmp_rows[i].a,
		    cmp_rows[i].b);
		assert_int_equal(sign(ascii_casecmp(cmp_rows[i].a,
		    cmp_rows[i].b)), cmp_rows[i].sign);
		assert_int_equal(sign(ascii_casecmp(cmp_rows[i].b,
		    cmp_rows[i].a)), -cmp_rows[i].sign);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_err_set_truncates),
		cmocka_unit_test(test_err_prefix),
		cmocka_unit_test(test_err_prefix_truncates),
		cmocka_unit_test(test_strvec),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_buf_release_empty),
		cmocka_unit_test(test_xalloc),
		cmocka_unit_test(test_xasprintf_lengths),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_valid_len),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_utf8_width),
		cmocka_unit_test(test_text_check),
		cmocka_unit_test(test_text_check_long),
		cmocka_unit_test(test_text_printable),
		cmocka_unit_test(test_ascii_casecmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
