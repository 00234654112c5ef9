/* test_licence.c: the licence rule applied when a migration completes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "date.h"
#include "licence.h"

#define HYB	WORKLOAD_BIT(WORKLOAD_HYBRID)
#define M365	WORKLOAD_BIT(WORKLOAD_M365)
#define GWS	WORKLOAD_BIT(WORKLOAD_GWS)
#define END	WORKLOAD_BIT(WORKLOAD_ENDPOINTS)

/* Dates as text, in workload order (hybrid, m365, gws, endpoints); NULL
 * is DATE_NONE. */
struct licence_case {
	const char	*what;
	unsigned	 workloads;
	const char	*before[WORKLOAD_COUNT];
	const char	*completed;
	const char	*after[WORKLOAD_COUNT];
};

static const struct licence_case cases[] = {
	{ "the SPEC example", M365 | END,
	  { NULL, "2027-03-01", NULL, "2031-01-01" }, "2026-12-01",
	  { NULL, "2029-12-01", NULL, "2029-12-01" } },
	{ "latest below the cap is kept", M365 | GWS,
	  { NULL, "2027-03-01", "2028-06-30", NULL }, "2026-12-01",
	  { NULL, "2028-06-30", "2028-06-30", NULL } },
	{ "exactly the cap", M365,
	  { NULL, "2029-12-01", NULL, NULL }, "2026-12-01",
	  { NULL, "2029-12-01", NULL, NULL } },
	{ "one day over the cap", M365,
	  { NULL, "2029-12-02", NULL, NULL }, "2026-12-01",
	  { NULL, "2029-12-01", NULL, NULL } },
	{ "hybrid keeps its own, even past the cap", HYB | M365,
	  { "2035-01-01", "2027-03-01", NULL, NULL }, "2026-12-01",
	  { "2035-01-01", "2027-03-01", NULL, NULL } },
	{ "hybrid without a licence stays without", HYB | GWS,
	  { NULL, NULL, "2027-03-01", NULL }, "2026-12-01",
	  { NULL, NULL, "2027-03-01", NULL } },
	{ "hybrid's date does not count for SaaS", HYB | END,
	  { "2029-01-01", NULL, NULL, "2027-01-01" }, "2026-12-01",
	  { "2029-01-01", NULL, NULL, "2027-01-01" } },
	{ "a SaaS workload without a licence gets the merged date",
	  M365 | GWS | END,
	  { NULL, "2027-03-01", NULL, "2028-01-31" }, "2026-12-01",
	  { NULL, "2028-01-31", "2028-01-31", "2028-01-31" } },
	{ "no SaaS licence at all", M365 | END,
	  { NULL, NULL, NULL, NULL }, "2026-12-01",
	  { NULL, NULL, NULL, NULL } },
	{ "29 February clamps", M365,
	  { NULL, "2040-01-01", NULL, NULL }, "2028-02-29",
	  { NULL, "2031-02-28", NULL, NULL } },
	{ "29 February of another leap year", GWS,
	  { NULL, NULL, "2040-01-01", NULL }, "2024-02-29",
	  { NULL, NULL, "2027-02-28", NULL } },
	{ "workloads outside the set get none and do not count", M365,
	  { "2030-01-01", "2027-01-01", "2029-01-01", "2029-06-01" },
	  "2026-12-01",
	  { NULL, "2027-01-01", NULL, NULL } },
	{ "an expiry already past is still the latest", M365 | END,
	  { NULL, "2025-01-01", NULL, "2026-06-30" }, "2026-12-01",
	  { NULL, "2026-06-30", NULL, "2026-06-30" } },
	{ "no workloads", 0,
	  { "2027-01-01", "2027-01-01", "2027-01-01", "2027-01-01" },
	  "2026-12-01",
	  { NULL, NULL, NULL, NULL } },
	{ "every workload", WORKLOAD_ALL,
	  { "2026-01-01", "2027-01-01", "2030-01-01", "2028-01-01" },
	  "2026-12-01",
	  { "2026-01-01", "2029-12-01", "2029-12-01", "2029-12-01" } },
};

static int32_t
day(const char *s)
{
	int32_t d;

	if (s == NULL)
		return DATE_NONE;
	if (date_parse(s, &d) != 0)
		fail_msg("bad date in the table: %s", s);
	return d;
}

static void
test_table(void **state)
{
	const struct licence_case *c;
	int32_t before[WORKLOAD_COUNT], after[WORKLOAD_COUNT];
	char got[DATE_STR_LEN];
	size_t i;
	int w;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		for (w = 0; w < WORKLOAD_COUNT; w++) {
			before[w] = day(c->before[w]);
			after[w] = 12345;	/* must be overwritten */
		}
		licence_after_migration(c->workloads, before,
		    day(c->completed), after);
		for (w = 0; w < WORKLOAD_COUNT; w++) {
			if (after[w] == day(c->after[w]))
				continue;
			if (after[w] == DATE_NONE)
				strcpy(got, "none");
			else
				date_format(after[w], got);
			fail_msg("%s: %s is %s, not %s", c->what,
			    workload_name(w), got,
			    c->after[w] ? c->after[w] : "none");
		}
	}
}

/* before[] is only read: the same array may not change. */
static void
test_before_untouched(void **state)
{
	int32_t before[WORKLOAD_COUNT], copy[WORKLOAD_COUNT];
	int32_t after[WORKLOAD_COUNT];

	(void)state;
	before[WORKLOAD_HYBRID] = day("2030-01-01");
	before[WORKLOAD_M365] = day("2035-01-01");
	before[WORKLOAD_GWS] = DATE_NONE;
	before[WORKLOAD_ENDPOINTS] = day("2027-01-01");
	memcpy(copy, before, sizeof copy);
	licence_after_migration(WORKLOAD_ALL, before, day("2026-12-01"),
	    after);
	assert_memory_equal(before, copy, sizeof copy);
	assert_int_equal(after[WORKLOAD_GWS], day("2029-12-01"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_before_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
