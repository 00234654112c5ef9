/* test_mailhdr.c: header values split, unquoted and judged, on the
 * edges the mail readers' own tests do not reach. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "inmail.h"
#include "mailhdr.h"
#include "util.h"

struct split_row {
	const char	*value;
	const char	*parts[4];
};

static const struct split_row split_rows[] = {
	{ "a;b;c", { "a", "b", "c", NULL } },
	{ "a=\"x;y\";b", { "a=\"x;y\"", "b", NULL } },
	{ "a=\"x\\\";y\";b", { "a=\"x\\\";y\"", "b", NULL } },
	{ "a=\"x\\\\\";b", { "a=\"x\\\\\"", "b", NULL } },
	{ "a=\"x\\", { "a=\"x\\", NULL } },	/* cut after a backslash */
	{ "a\\;b", { "a\\", "b", NULL } },	/* no escape outside quotes */
	{ "", { "", NULL } },
	{ ";", { "", "", NULL } },
};

static void
test_split(void **state)
{
	char *copy, *s, *part;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof split_rows / sizeof *split_rows; i++) {
		copy = s = xstrdup(split_rows[i].value);
		for (k = 0; (part = mailhdr_split(&s, ';')) != NULL; k++) {
			if (split_rows[i].parts[k] == NULL ||
			    strcmp(part, split_rows[i].parts[k]) != 0)
				fail_msg("'%s' part %zu: '%s'",
				    split_rows[i].value, k, part);
		}
		if (split_rows[i].parts[k] != NULL)
			fail_msg("'%s': %zu parts", split_rows[i].value, k);
		assert_null(mailhdr_split(&s, ';'));	/* and stays done */
		free(copy);
	}
}

struct unquote_row {
	const char	*value, *unquoted;
};

static const struct unquote_row unquote_rows[] = {
	{ "\"pass\"", "pass" },
	{ "\"\"", "" },
	{ "\"", "\"" },
	{ "\"open", "\"open" },
	{ "close\"", "close\"" },
	{ "bare", "bare" },
	{ "", "" },
};

static void
test_unquote(void **state)
{
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof unquote_rows / sizeof *unquote_rows; i++) {
		s = xstrdup(unquote_rows[i].value);
		mailhdr_unquote(s);
		assert_string_equal(s, unquote_rows[i].unquoted);
		free(s);
	}
}

struct id_row {
	const char	*id;
	int		 ok;
};

static void
test_id_ok(void **state)
{
	static const struct id_row rows[] = {
		{ "m42@agent.test", 1 },
		{ "\xc3\xa9@x", 1 },
		{ "", 0 },
		{ "a b@x", 0 },
		{ "a\tb@x", 0 },
		{ "a\x7f@x", 0 },
		{ "a<b@x", 0 },
		{ "a>b@x", 0 },
		{ "a\xff@x", 0 },
	};
	char *big;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++)
		if (mailhdr_id_ok(rows[i].id) != rows[i].ok)
			fail_msg("'%s'", rows[i].id);
	big = malloc(INMAIL_ID_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', INMAIL_ID_MAX + 1);
	big[INMAIL_ID_MAX] = '\0';
	assert_true(mailhdr_id_ok(big));		/* at the limit */
	big[INMAIL_ID_MAX] = 'a';
	big[INMAIL_ID_MAX + 1] = '\0';
	assert_false(mailhdr_id_ok(big));	/* one past */
	free(big);
}

/* No fields at all: nothing found, and the cursor stays. */
static void
test_next_without_fields(void **state)
{
	clistiter *at = NULL;

	(void)state;
	assert_null(mailhdr_next(NULL, "Auto-Submitted", &at));
	assert_null(at);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_unquote),
		cmocka_unit_test(test_id_ok),
		cmocka_unit_test(test_next_without_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
