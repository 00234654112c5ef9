/* test_tally.c: connections counted per client, their limits and slots. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tally.h"

/* One step on a tally of three slots: add (limit > 0) or remove, then
 * what address holds. */
struct step {
	const char	*address;
	unsigned	 limit;		/* 0: remove */
	int		 added;
	unsigned	 count;
};

static const struct step steps[] = {
	{ "192.0.2.1", 2, 1, 1 },
	{ "192.0.2.1", 2, 1, 2 },
	{ "192.0.2.1", 2, 0, 2 },	/* at its limit */
	{ "192.0.2.1", 3, 1, 3 },	/* a higher one */
	{ "2001:db8::1", 1, 1, 1 },
	{ "2001:db8::1", 1, 0, 1 },
	{ "198.51.100.1", 5, 1, 1 },	/* the last free slot */
	{ "198.51.100.2", 5, 0, 0 },	/* none left */
	{ "198.51.100.1", 0, 0, 0 },	/* its slot is free again */
	{ "198.51.100.2", 5, 1, 1 },
	{ "192.0.2.1", 0, 0, 2 },
	{ "192.0.2.1", 2, 0, 2 },	/* at the first limit again */
	{ "192.0.2.1", 0, 0, 1 },
	{ "192.0.2.1", 2, 1, 2 },
	{ "203.0.113.1", 0, 0, 0 },	/* never counted */
	{ "203.0.113.1", 0, 0, 0 },
};

static void
test_steps(void **state)
{
	struct tally *t;
	size_t i;

	(void)state;
	t = tally_new(3);
	for (i = 0; i < sizeof steps / sizeof *steps; i++) {
		if (steps[i].limit == 0)
			tally_remove(t, steps[i].address);
		else if (tally_add(t, steps[i].address, steps[i].limit) !=
		    steps[i].added)
			fail_msg("step %zu: %s", i, steps[i].address);
		if (tally_count(t, steps[i].address) != steps[i].count)
			fail_msg("step %zu: %s counts %u", i,
			    steps[i].address,
			    tally_count(t, steps[i].address));
	}
	/* A limit of 0 counts nothing, even with slots free. */
	assert_int_equal(tally_add(t, "203.0.113.2", 0), 0);
	assert_int_equal(tally_count(t, "203.0.113.2"), 0);
	tally_free(t);
	t = tally_new(0);	/* still one slot */
	assert_int_equal(tally_add(t, "192.0.2.1", 1), 1);
	tally_free(t);
	tally_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
