/* test_suggest.c: edit distances and "did you mean ...?" picks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "suggest.h"

struct distance_case {
	const char	*a;
	const char	*b;
	size_t		 d;
};

static const struct distance_case distance_cases[] = {
	{ "", "", 0 },
	{ "tenant", "tenant", 0 },
	{ "tenat", "tenant", 1 },		/* a letter left out */
	{ "tennant", "tenant", 1 },		/* one too many */
	{ "tenatn", "tenant", 1 },		/* two swapped */
	{ "lst", "list", 1 },
	{ "Name", "name", 0 },			/* ASCII case ignored */
	{ "strat", "start", 1 },
	{ "", "run", 3 },
	{ "abc", "xyz", 3 },
	{ "customer-admn", "customer_admin", 2 },
};

static void
test_distance(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof distance_cases / sizeof distance_cases[0]; i++) {
		const struct distance_case *c = &distance_cases[i];

		assert_int_equal(suggest_distance(c->a, c->b), c->d);
		assert_int_equal(suggest_distance(c->b, c->a), c->d);
	}
}

static void
test_long_words(void **state)
{
	char longw[SUGGEST_WORD_MAX + 2];

	(void)state;
	memset(longw, 'a', sizeof longw - 1);
	longw[sizeof longw - 1] = '\0';
	assert_int_equal(suggest_distance(longw, "a"), SUGGEST_WORD_MAX + 1);
	longw[SUGGEST_WORD_MAX] = '\0';		/* exactly the limit */
	assert_int_equal(suggest_distance(longw, longw), 0);
}

static const char *const commands[] = {
	"init", "check", "plan", "tenant", NULL, "start", "retrigger",
	"finalize", "cancel", "run", "poll", "flush", "sweep", "help",
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

struct closest_case {
	const char	*word;
	const char	*want;		/* NULL: no suggestion */
};

static const struct closest_case closest_cases[] = {
	{ "tenat", "tenant" },
	{ "tennant", "tenant" },
	{ "TENANT", "tenant" },		/* the case is the only slip */
	{ "strat", "start" },
	{ "fluhs", "flush" },
	{ "rn", "run" },
	{ "finalise", "finalize" },
	{ "tenant", NULL },		/* itself: nothing to suggest */
	{ "xyzzy", NULL },
	{ "", NULL },
	{ "ab", NULL },			/* short words: one edit at most */
	{ "retriggerer", "retrigger" },
	{ "reeetriggerrr", NULL },
};

static void
test_closest(void **state)
{
	size_t i;
	const char *got;

	(void)state;
	for (i = 0; i < sizeof closest_cases / sizeof closest_cases[0]; i++) {
		got = suggest_closest(closest_cases[i].word, commands,
		    NCOMMANDS);
		if (closest_cases[i].want == NULL)
			assert_null(got);
		else {
			assert_non_null(got);
			assert_string_equal(got, closest_cases[i].want);
		}
	}
	assert_null(suggest_closest("tenat", NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_closest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
