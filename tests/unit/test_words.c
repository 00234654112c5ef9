/* test_words.c: white space of every width, and words compared with
 * case folded, script by script. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "words.h"

struct eq_row {
	const char	*a, *b;
	int		 equal;
};

static const struct eq_row eq_rows[] = {
	{ "APPROVE", "approve", 1 },
	{ "approve", "approved", 0 },
	{ "approved", "approve", 0 },
	{ "", "", 1 },
	/* Latin-1: À..Þ but the multiplication sign. */
	{ "\xc3\x80PROUV\xc3\x89", "\xc3\xa0prouv\xc3\xa9", 1 },	/* ÀÉ */
	{ "\xc3\x9e", "\xc3\xbe", 1 },			/* Þ þ */
	{ "\xc3\x97", "\xc3\xb7", 0 },			/* × ÷ */
	{ "\xc3\x97", "\xc3\x97", 1 },
	/* Latin Extended-A: pairs upper even, lower odd... */
	{ "\xc4\x80", "\xc4\x81", 1 },			/* Ā ā */
	{ "\xc5\xa0", "\xc5\xa1", 1 },			/* Š š */
	{ "\xc5\x81", "\xc5\x82", 1 },			/* Ł ł: odd upper */
	{ "\xc5\xbd", "\xc5\xbe", 1 },			/* Ž ž */
	{ "\xc4\xb9", "\xc4\xba", 1 },			/* Ĺ ĺ */
	{ "\xc5\x88", "\xc5\x87", 1 },			/* ň Ň */
	{ "\xc4\xb0", "i", 1 },				/* İ i */
	{ "\xc5\xb8", "\xc3\xbf", 1 },			/* Ÿ ÿ */
	{ "\xc4\xb1", "i", 0 },				/* ı is not i */
	{ "\xc4\xb1", "I", 0 },
	{ "\xc4\xb8", "\xc4\xb9", 0 },			/* ĸ: no case */
	{ "\xc5\x89", "\xc5\x8a", 0 },			/* ŉ */
	{ "\xc5\xbf", "s", 0 },				/* ſ */
	{ "\xc5\xbf", "\xc5\xbf", 1 },
	/* Greek, final sigma as sigma. */
	{ "\xce\x91\xce\xa0\xce\x9f", "\xce\xb1\xcf\x80\xce\xbf", 1 },
	{ "\xce\xa3", "\xcf\x82", 1 },			/* Σ ς */
	{ "\xcf\x82", "\xcf\x83", 1 },			/* ς σ */
	{ "\xce\xab", "\xcf\x8b", 1 },			/* Ϋ ϋ */
	/* Cyrillic, both blocks of capitals. */
	{ "\xd0\x94\xd0\x90", "\xd0\xb4\xd0\xb0", 1 },	/* ДА да */
	{ "\xd0\x81", "\xd1\x91", 1 },			/* Ё ё */
	{ "\xd0\x8f", "\xd1\x9f", 1 },			/* Џ џ */
	{ "\xd1\x90", "\xd1\x90", 1 },
	/* Beyond: compared as they are. */
	{ "\xe4\xb8\x80", "\xe4\xb8\x80", 1 },
	{ "\xef\xbc\xa1", "\xef\xbd\x81", 0 },		/* fullwidth A a */
	/* Malformed bytes only ever equal themselves. */
	{ "\xff", "\xff", 1 },
	{ "\xff", "\xfe", 0 },
	{ "\xc3", "\xc3", 1 },				/* cut short */
	{ "\xc3", "\xc3\x80", 0 },
	{ "a\xe2\x80", "a\xe2\x80", 1 },
	{ "\xc0\x80", "\x00", 0 },			/* overlong NUL */
};

static void
test_fold_eq(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof eq_rows / sizeof *eq_rows; i++)
		if (words_fold_eq(eq_rows[i].a, strlen(eq_rows[i].a),
		    eq_rows[i].b, strlen(eq_rows[i].b)) != eq_rows[i].equal)
			fail_msg("row %zu: '%s' '%s'", i, eq_rows[i].a,
			    eq_rows[i].b);
}

struct space_row {
	const char	*s;
	size_t		 len;
};

static const struct space_row space_rows[] = {
	{ " x", 1 },
	{ "\tx", 1 },
	{ "\xc2\xa0x", 2 },		/* NBSP */
	{ "\xe2\x80\xafx", 3 },		/* narrow NBSP */
	{ "\xe2\x80\x87x", 3 },		/* figure space */
	{ "\xe2\x80\x8bx", 3 },		/* ZWSP */
	{ "\xef\xbb\xbfx", 3 },		/* BOM */
	{ "\xc2\xa9x", 0 },		/* © shares NBSP's first byte */
	{ "\xe2\x80\x94x", 0 },		/* — */
	{ "\xef\xbc\xa1", 0 },
	{ "\xc2", 0 },			/* cut short */
	{ "x", 0 },
	{ "", 0 },
	{ "\n", 0 },			/* lines are the caller's */
};

static void
test_space(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof space_rows / sizeof *space_rows; i++)
		if (words_space_len(space_rows[i].s) != space_rows[i].len)
			fail_msg("row %zu", i);
	assert_string_equal(words_skip_space(" \xc2\xa0\t\xef\xbb\xbfok "),
	    "ok ");
	assert_string_equal(words_skip_space(""), "");
}

static void
test_add_and_same(void **state)
{
	static const char text[] = "\xc2\xa0*APPROVE*  \xe2\x80\x8b_ok_\t.";
	struct words w = { 0 };
	struct word approve = { "approve", 7, 0 }, ok = { "OK", 2, 0 };
	struct word stars = { "**", 2, 0 }, empty = { "", 0, 0 };
	size_t i;

	(void)state;
	words_add(&w, text, strlen(text), 3);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.v[0].len, 9);
	assert_memory_equal(w.v[0].p, "*APPROVE*", 9);
	assert_memory_equal(w.v[1].p, "_ok_", 4);
	assert_memory_equal(w.v[2].p, ".", 1);
	for (i = 0; i < w.n; i++)
		assert_int_equal(w.v[i].line, 3);
	assert_true(words_same(&w.v[0], &approve));
	assert_true(words_same(&w.v[1], &ok));
	assert_false(words_same(&w.v[0], &ok));
	assert_true(words_same(&stars, &empty));	/* only marks */
	/* Past 32 words the list grows. */
	for (i = 0; i < 40; i++)
		words_add(&w, "a b", 3, 4);
	assert_int_equal(w.n, 83);
	assert_int_equal(w.v[82].line, 4);
	free(w.v);
}

struct prefix_row {
	const char	*s, *prefix;
	size_t		 len;
};

static const struct prefix_row prefix_rows[] = {
	{ "On Monday, Anna wrote:", "on ", 3 },
	{ "\xc3\x80 propos", "\xc3\xa0 ", 3 },
	{ "Am", "am ", 0 },		/* s ends first */
	{ "Le lundi", "la ", 0 },
	{ "x", "", 0 },
	{ "\xff rest", "\xff", 1 },
};

static void
test_fold_prefix(void **state)
{
	static const char *const list[] = { "approve", "GENEHMIGT", NULL };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof prefix_rows / sizeof *prefix_rows; i++)
		if (words_fold_prefix(prefix_rows[i].s,
		    prefix_rows[i].prefix) != prefix_rows[i].len)
			fail_msg("row %zu", i);
	assert_true(words_fold_in(list, "Genehmigt", 9));
	assert_true(words_fold_in(list, "APPROVE", 7));
	assert_false(words_fold_in(list, "APPROVED", 8));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_eq),
		cmocka_unit_test(test_space),
		cmocka_unit_test(test_add_and_same),
		cmocka_unit_test(test_fold_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
