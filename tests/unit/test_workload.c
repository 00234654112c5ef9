/* test_workload.c: workload names, lists parsed and formatted, the workflow. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define HYB	WORKLOAD_BIT(WORKLOAD_HYBRID)
#define M365	WORKLOAD_BIT(WORKLOAD_M365)
#define GWS	WORKLOAD_BIT(WORKLOAD_GWS)
#define END	WORKLOAD_BIT(WORKLOAD_ENDPOINTS)

static void
test_names(void **state)
{
	static const char *const want[WORKLOAD_COUNT] = {
		"hybrid", "m365", "gws", "endpoints"
	};
	int w;

	(void)state;
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		assert_string_equal(workload_name(w), want[w]);
		assert_int_equal(workload_from_name(want[w]), w);
	}
	assert_int_equal(workload_from_name("M365"), -1);	/* exact */
	assert_int_equal(workload_from_name("m36"), -1);
	assert_int_equal(workload_from_name("m3655"), -1);
	assert_int_equal(workload_from_name(""), -1);
	assert_int_equal(workload_from_name(NULL), -1);
	assert_string_equal(workload_name(WORKLOAD_COUNT), "unknown");
	assert_string_equal(workload_name((enum workload)-1), "unknown");
}

struct parse_case {
	const char	*in;
	unsigned	 set;
	const char	*error;		/* NULL: parses */
};

#define KNOWN " (known: hybrid, m365, gws, endpoints)"

static const struct parse_case parse_cases[] = {
	{ "", 0, NULL },
	{ "   ", 0, NULL },
	{ ",;, \t", 0, NULL },
	{ "m365", M365, NULL },
	{ "m365,endpoints", M365 | END, NULL },
	{ "endpoints,m365", M365 | END, NULL },
	{ "hybrid;gws", HYB | GWS, NULL },
	{ "hybrid m365\tgws,endpoints", WORKLOAD_ALL, NULL },
	{ " m365 , gws ", M365 | GWS, NULL },
	{ "m365,,gws", M365 | GWS, NULL },
	{ ",m365,", M365, NULL },
	{ "M365", M365, NULL },
	{ "HyBrId,GWS", HYB | GWS, NULL },
	{ "Endpoints", END, NULL },
	{ "m365,m365", 0, "workload 'm365' given twice" },
	{ "m365;M365", 0, "workload 'm365' given twice" },
	{ "gws endpoints Gws", 0, "workload 'gws' given twice" },
	{ "x", 0, "unknown workload 'x'" KNOWN },
	{ "m365,exchange", 0, "unknown workload 'exchange'" KNOWN },
	{ "m36", 0, "unknown workload 'm36'" KNOWN },
	{ "m3655", 0, "unknown workload 'm3655'" KNOWN },
	{ "m365.gws", 0, "unknown workload 'm365.gws'" KNOWN },
	{ "m365\n", 0, "unknown workload 'm365?'" KNOWN },
	{ "m365\r\ngws", 0, "unknown workload 'm365?\?gws'" KNOWN },
	{ "\x1b[31mred", 0, "unknown workload '?[31mred'" KNOWN },
	{ "gw\xc3\xa9", 0, "unknown workload 'gw?\?'" KNOWN },
	{ "\xff\xfe", 0, "unknown workload '?\?'" KNOWN },
	{ "m365\x7f", 0, "unknown workload 'm365?'" KNOWN },
	/* 33 bytes: cut to 32 and marked. */
	{ "abcdefghijklmnopqrstuvwxyz0123456", 0,
	  "unknown workload 'abcdefghijklmnopqrstuvwxyz012345...'" KNOWN },
	/* Exactly 32 bytes: shown whole. */
	{ "abcdefghijklmnopqrstuvwxyz012345", 0,
	  "unknown workload 'abcdefghijklmnopqrstuvwxyz012345'" KNOWN },
};

static void
test_parse(void **state)
{
	const struct parse_case *c;
	struct err err;
	unsigned set;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		c = &parse_cases[i];
		err_clear(&err);
		set = 0xdead;
		if (c->error == NULL) {
			if (workloads_parse(c->in, &set, &err) != 0)
				fail_msg("'%s': %s", c->in, err.msg);
			assert_int_equal(set, c->set);
		} else {
			assert_int_equal(workloads_parse(c->in, &set, &err),
			    -1);
			assert_int_equal(err.kind, ERR_INPUT);
			assert_string_equal(err.msg, c->error);
			assert_int_equal(set, 0xdead);	/* left alone */
		}
	}
}

/* A huge hostile list: the message stays short. */
static void
test_parse_long(void **state)
{
	struct err err;
	unsigned set;
	char *s;

	(void)state;
	s = malloc(100001);
	assert_non_null(s);
	memset(s, 'a', 100000);
	s[100000] = '\0';
	assert_int_equal(workloads_parse(s, &set, &err), -1);
	assert_true(strlen(err.msg) < 120);
	free(s);
	assert_int_equal(workloads_parse(NULL, &set, &err), 0);
	assert_int_equal(set, 0);
}

struct format_case {
	unsigned	 set;
	const char	*sep;
	const char	*out;
};

static const struct format_case format_cases[] = {
	{ 0, ",", "" },
	{ M365, ",", "m365" },
	{ END | M365, ",", "m365,endpoints" },
	{ WORKLOAD_ALL, ",", "hybrid,m365,gws,endpoints" },
	{ WORKLOAD_ALL, ", ", "hybrid, m365, gws, endpoints" },
	{ HYB | END, " and ", "hybrid and endpoints" },
	{ GWS | 0x100, ",", "gws" },		/* unknown bits ignored */
	{ M365 | GWS, NULL, "m365,gws" },
};

static void
test_format(void **state)
{
	const struct format_case *c;
	struct err err;
	unsigned set;
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
		c = &format_cases[i];
		s = workloads_format(c->set, c->sep);
		assert_string_equal(s, c->out);
		/* What is formatted with ',' parses back. */
		if (c->sep != NULL && strcmp(c->sep, ",") == 0) {
			assert_int_equal(workloads_parse(s, &set, &err), 0);
			assert_int_equal(set, c->set & WORKLOAD_ALL);
		}
		free(s);
	}
}

/* Every subset survives format and parse. */
static void
test_format_parse_all_sets(void **state)
{
	struct err err;
	unsigned set, back;
	char *s;

	(void)state;
	for (set = 0; set <= WORKLOAD_ALL; set++) {
		s = workloads_format(set, ";");
		assert_int_equal(workloads_parse(s, &back, &err), 0);
		assert_int_equal(back, set);
		free(s);
	}
}

static void
test_workflow(void **state)
{
	static const struct {
		unsigned	set;
		int		workflow;
	} cases[] = {
		{ 0, 2 },
		{ HYB, 1 },
		{ M365, 2 },
		{ GWS, 2 },
		{ END, 2 },
		{ M365 | GWS | END, 2 },
		{ HYB | M365, 1 },
		{ WORKLOAD_ALL, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(workloads_workflow(cases[i].set),
		    cases[i].workflow);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_parse_all_sets),
		cmocka_unit_test(test_workflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
