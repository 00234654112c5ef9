/* test_tenant.c: tenant and plan input checks, the preflight, eligibility. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "tenant.h"

#define HYB	WORKLOAD_BIT(WORKLOAD_HYBRID)
#define M365	WORKLOAD_BIT(WORKLOAD_M365)
#define GWS	WORKLOAD_BIT(WORKLOAD_GWS)
#define END	WORKLOAD_BIT(WORKLOAD_ENDPOINTS)

#define ROCKET	"\xf0\x9f\x9a\x80"	/* U+1F680, 4 bytes */
#define KANJI	"\xe6\xa0\xaa"		/* U+682A, 3 bytes */

/* Returns n copies of the string unit followed by tail; caller frees. */
static char *
repeat(const char *unit, size_t n, const char *tail)
{
	size_t len, i;
	char *s;

	len = strlen(unit);
	s = malloc(len * n + strlen(tail) + 1);
	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	strcpy(s + len * n, tail);
	return s;
}

/* A tenant that passes everything; the strings are the caller's to free
 * with tenant_clear. */
static void
good_tenant(struct tenant *t)
{
	tenant_init(t);
	t->name = strdup("Example Ltd");
	t->edition = strdup("enterprise");
	t->customer_admin = strdup("admin@customer.test");
	t->msp_admin = strdup("ops@msp.test");
	t->workloads = M365 | END;
	assert_int_equal(date_parse("2027-03-01", &t->expires[WORKLOAD_M365]),
	    0);
}

static void
set(char **field, const char *value)
{
	free(*field);
	*field = value != NULL ? strdup(value) : NULL;
}

static void
test_init_clear(void **state)
{
	struct tenant t;
	struct plan p;
	int w;

	(void)state;
	memset(&t, 0xa5, sizeof t);
	tenant_init(&t);
	assert_null(t.name);
	assert_null(t.customer_admin);
	assert_null(t.msp_admin);
	assert_null(t.edition);
	assert_int_equal(t.id, 0);
	assert_int_equal(t.workloads, 0);
	assert_int_equal(t.suspended, 0);
	assert_int_equal(t.state, STATE_NEW);
	assert_int_equal(t.plan_id, 0);
	assert_int_equal(t.generation, 0);
	assert_int_equal(t.blocked_reasons.n, 0);
	assert_null(t.blocked_reasons.v);
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		assert_int_equal(t.expires[w], DATE_NONE);
		assert_int_equal(t.after[w], DATE_NONE);
	}

	/* Clearing frees everything (the leak checker watches) and twice
	 * is harmless. */
	good_tenant(&t);
	strvec_push(&t.blocked_reasons, "a reason");
	tenant_clear(&t);
	assert_null(t.name);
	assert_int_equal(t.blocked_reasons.n, 0);
	assert_int_equal(t.expires[WORKLOAD_M365], DATE_NONE);
	tenant_clear(&t);

	memset(&p, 0, sizeof p);
	p.name = strdup("Gold");
	p.edition = strdup("enterprise");
	p.products = M365;
	plan_clear(&p);
	assert_null(p.name);
	assert_null(p.edition);
	assert_int_equal(p.products, 0);
	plan_clear(&p);
}

/* One field changed from the good tenant, and what check_input says. */
struct input_case {
	const char	*name;
	const char	*edition;
	const char	*customer_admin;
	const char	*msp_admin;
	unsigned	 workloads;
	unsigned	 licensed;	/* workloads given an expiry */
	const char	*error;		/* NULL: accepted */
};

#define GOOD_NAME	"Example Ltd"
#define GOOD_ED		"enterprise"
#define GOOD_CA		"admin@customer.test"
#define GOOD_MSP	"ops@msp.test"

static const struct input_case input_cases[] = {
	{ GOOD_NAME, GOOD_ED, GOOD_CA, GOOD_MSP, M365 | END, M365, NULL },
	/* Names may hold any Unicode. */
	{ "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 \xe6\xa0\xaa\xe5\xbc\x8f"
	  "\xe4\xbc\x9a\xe7\xa4\xbe " ROCKET, GOOD_ED, GOOD_CA, GOOD_MSP,
	  M365, 0, NULL },
	{ "\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9 \xd8\xa7\xd9\x84\xd8\xa7\xd8\xae"
	  "\xd8\xaa\xd8\xa8\xd8\xa7\xd8\xb1", GOOD_ED, GOOD_CA, GOOD_MSP,
	  M365, 0, NULL },					/* Arabic */
	{ "\xd7\x97\xd7\x91\xd7\xa8\xd7\xaa \xd7\x91\xd7\x93\xd7\x99\xd7\xa7"
	  "\xd7\x94 Ltd", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0, NULL },
	{ ROCKET "\xf0\x9f\x8e\x89", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  NULL },
	{ "O'Brien \"Quotes\" <Ltd> & Co; DROP TABLE", GOOD_ED, GOOD_CA,
	  GOOD_MSP, M365, 0, NULL },
	{ "", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0, "name is empty" },
	{ NULL, GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0, "name is empty" },
	{ "\r", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name contains a control character (U+000D)" },
	{ "a\nb", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name contains a control character (U+000A)" },
	{ "a\tb", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name contains a control character (U+0009)" },
	{ "\x01", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name contains a control character (U+0001)" },
	{ "a\x7f", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name contains a control character (U+007F)" },
	{ "a\xc2\x85", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name contains a control character (U+0085)" },
	{ "\xff", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name is not valid UTF-8" },
	{ "\xc0\xaf", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name is not valid UTF-8" },
	{ "\xed\xa0\x80", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name is not valid UTF-8" },
	{ "abc\xe6\xa0", GOOD_ED, GOOD_CA, GOOD_MSP, M365, 0,
	  "name is not valid UTF-8" },			/* cut short */

	{ GOOD_NAME, "", GOOD_CA, GOOD_MSP, M365, 0, "edition is empty" },
	{ GOOD_NAME, NULL, GOOD_CA, GOOD_MSP, M365, 0, "edition is empty" },
	{ GOOD_NAME, "ent\nerprise", GOOD_CA, GOOD_MSP, M365, 0,
	  "edition contains a control character (U+000A)" },
	{ GOOD_NAME, "\xff", GOOD_CA, GOOD_MSP, M365, 0,
	  "edition is not valid UTF-8" },

	/* Address syntax waits for the preflight; text rules do not. */
	{ GOOD_NAME, GOOD_ED, "not an address", "x@y", M365, 0, NULL },
	{ GOOD_NAME, GOOD_ED, "", GOOD_MSP, M365, 0,
	  "customer admin address is empty" },
	{ GOOD_NAME, GOOD_ED, NULL, GOOD_MSP, M365, 0,
	  "customer admin address is empty" },
	{ GOOD_NAME, GOOD_ED, "a@x.test\r\nBcc: e@v.test", GOOD_MSP, M365, 0,
	  "customer admin address contains a control character (U+000D)" },
	{ GOOD_NAME, GOOD_ED, "a\xff@x.test", GOOD_MSP, M365, 0,
	  "customer admin address is not valid UTF-8" },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, "", M365, 0,
	  "MSP admin address is empty" },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, "m@x.test\n", M365, 0,
	  "MSP admin address contains a control character (U+000A)" },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, "m\xc2\x9b@x.test", M365, 0,
	  "MSP admin address contains a control character (U+009B)" },

	/* Licences only for the tenant's workloads. */
	{ GOOD_NAME, GOOD_ED, GOOD_CA, GOOD_MSP, WORKLOAD_ALL, WORKLOAD_ALL,
	  NULL },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, GOOD_MSP, 0, 0, NULL },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, GOOD_MSP, M365, M365 | GWS,
	  "licence for 'gws' but the tenant has no gws workload" },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, GOOD_MSP, 0, HYB,
	  "licence for 'hybrid' but the tenant has no hybrid workload" },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, GOOD_MSP, M365 | GWS, END,
	  "licence for 'endpoints' but the tenant has no endpoints workload" },
	{ GOOD_NAME, GOOD_ED, GOOD_CA, GOOD_MSP, M365 | 0x40, 0,
	  "workloads include an unknown value" },

	/* The first problem is the one reported. */
	{ "", "", "", "", 0, GWS, "name is empty" },
	{ GOOD_NAME, "", "", "", 0, GWS, "edition is empty" },
};

static void
fill(struct tenant *t, const struct input_case *c)
{
	int w;

	tenant_init(t);
	set(&t->name, c->name);
	set(&t->edition, c->edition);
	set(&t->customer_admin, c->customer_admin);
	set(&t->msp_admin, c->msp_admin);
	t->workloads = c->workloads;
	for (w = 0; w < WORKLOAD_COUNT; w++)
		if (c->licensed & WORKLOAD_BIT(w))
			t->expires[w] = date_from_civil(2027, 1, 31);
}

static void
test_check_input(void **state)
{
	const struct input_case *c;
	struct tenant t;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof input_cases / sizeof input_cases[0]; i++) {
		c = &input_cases[i];
		fill(&t, c);
		err_clear(&err);
		if (c->error == NULL) {
			if (tenant_check_input(&t, &err) != 0)
				fail_msg("row %zu refused: %s", i, err.msg);
		} else {
			assert_int_equal(tenant_check_input(&t, &err), -1);
			assert_int_equal(err.kind, ERR_INPUT);
			if (strcmp(err.msg, c->error) != 0)
				fail_msg("row %zu: '%s', not '%s'", i, err.msg,
				    c->error);
		}
		tenant_clear(&t);
	}
}

/* Each limit, at the limit and one byte over. */
static void
test_check_input_limits(void **state)
{
	static const struct {
		const char	*unit;
		size_t		 count;
		const char	*tail;
		int		 field;	/* name, edition, customer, msp */
		const char	*error;
	} cases[] = {
		{ "a", 256, "", 0, NULL },
		{ "a", 257, "", 0,
		  "name is too long (257 bytes, at most 256)" },
		{ ROCKET, 64, "", 0, NULL },
		{ ROCKET, 64, "a", 0,
		  "name is too long (257 bytes, at most 256)" },
		{ KANJI, 85, "a", 0, NULL },
		{ KANJI, 86, "", 0,
		  "name is too long (258 bytes, at most 256)" },
		{ "e", 64, "", 1, NULL },
		{ "e", 65, "", 1,
		  "edition is too long (65 bytes, at most 64)" },
		{ "c", 313, "@x.test", 2, NULL },
		{ "c", 314, "@x.test", 2, "customer admin address is too "
		  "long (321 bytes, at most 320)" },
		{ "m", 313, "@x.test", 3, NULL },
		{ "m", 314, "@x.test", 3, "MSP admin address is too long "
		  "(321 bytes, at most 320)" },
	};
	struct tenant t;
	struct err err;
	char **field;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		good_tenant(&t);
		field = cases[i].field == 0 ? &t.name :
		    cases[i].field == 1 ? &t.edition :
		    cases[i].field == 2 ? &t.customer_admin : &t.msp_admin;
		free(*field);
		*field = repeat(cases[i].unit, cases[i].count, cases[i].tail);
		err_clear(&err);
		if (cases[i].error == NULL)
			assert_int_equal(tenant_check_input(&t, &err), 0);
		else {
			assert_int_equal(tenant_check_input(&t, &err), -1);
			assert_string_equal(err.msg, cases[i].error);
		}
		tenant_clear(&t);
	}
}

static void
test_plan_check_input(void **state)
{
	static const struct {
		const char	*name;
		const char	*edition;
		unsigned	 products;
		const char	*error;
	} cases[] = {
		{ "Gold", "enterprise", M365, NULL },
		{ "Gold " ROCKET " \xe6\xa0\xaa", "enterprise", WORKLOAD_ALL,
		  NULL },
		{ "", "enterprise", M365, "name is empty" },
		{ NULL, "enterprise", M365, "name is empty" },
		{ "Go\nld", "enterprise", M365,
		  "name contains a control character (U+000A)" },
		{ "\xc0\xaf", "enterprise", M365, "name is not valid UTF-8" },
		{ "Gold", "", M365, "edition is empty" },
		{ "Gold", "\x1b[1m", M365,
		  "edition contains a control character (U+001B)" },
		{ "Gold", "enterprise", 0, "the plan has no products" },
		{ "Gold", "enterprise", 0x10,
		  "products include an unknown value" },
	};
	struct plan p;
	struct err err;
	char *longname;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&p, 0, sizeof p);
		p.name = cases[i].name ? strdup(cases[i].name) : NULL;
		p.edition = strdup(cases[i].edition);
		p.products = cases[i].products;
		err_clear(&err);
		if (cases[i].error == NULL)
			assert_int_equal(plan_check_input(&p, &err), 0);
		else {
			assert_int_equal(plan_check_input(&p, &err), -1);
			assert_int_equal(err.kind, ERR_INPUT);
			assert_string_equal(err.msg, cases[i].error);
		}
		plan_clear(&p);
	}

	memset(&p, 0, sizeof p);
	p.edition = strdup("enterprise");
	p.products = M365;
	p.name = repeat("n", 128, "");
	assert_int_equal(plan_check_input(&p, &err), 0);
	longname = repeat("n", 129, "");
	free(p.name);
	p.name = longname;
	assert_int_equal(plan_check_input(&p, &err), -1);
	assert_string_equal(err.msg,
	    "name is too long (129 bytes, at most 128)");
	plan_clear(&p);
}

/* The preflight, with what each row changes from the good tenant. */
struct preflight_case {
	const char	*customer_admin;
	const char	*msp_admin;
	int		 suspended;
	unsigned	 workloads;
	const char	*reasons[5];
};

#define CA_BAD "customer admin address "
#define MSP_BAD "MSP admin address "

static const struct preflight_case preflight_cases[] = {
	{ GOOD_CA, GOOD_MSP, 0, M365, { NULL } },
	{ "x@y", GOOD_MSP, 0, M365,
	  { CA_BAD "'x@y' is invalid: the domain has no dot", NULL } },
	{ GOOD_CA, "m@", 0, M365,
	  { MSP_BAD "'m@' is invalid: the domain is empty", NULL } },
	{ GOOD_CA, GOOD_MSP, 1, M365, { "the customer is suspended", NULL } },
	{ GOOD_CA, GOOD_MSP, 0, 0, { "no workloads", NULL } },
	{ NULL, "", 0, M365,
	  { "the customer admin address is missing",
	    "the MSP admin address is missing", NULL } },
	/* Everything at once, in a fixed order. */
	{ "Bob <b@x.test>", "ops@msp", 1, 0,
	  { CA_BAD "'Bob <b@x.test>' is invalid: contains '<' or '>': give "
	    "the address alone, without a name",
	    MSP_BAD "'ops@msp' is invalid: the domain has no dot",
	    "the customer is suspended", "no workloads", NULL } },
	/* What is quoted is made safe to show. */
	{ "a@x.test\r\nBcc: e@v.test", GOOD_MSP, 0, M365,
	  { CA_BAD "'a@x.test?\?Bcc: e@v.test' is invalid: contains a "
	    "control character", NULL } },
	{ "a@x\xe2\x80\xaetset.com", GOOD_MSP, 0, M365,
	  { CA_BAD "'a@x?tset.com' is invalid: contains an invisible or "
	    "unusual space character (U+202E)", NULL } },
	{ "a\xff\xfe@x.test", GOOD_MSP, 0, M365,
	  { CA_BAD "'a?\?@x.test' is invalid: is not valid UTF-8", NULL } },
	{ "a\xc2\x85@x.test", GOOD_MSP, 0, M365,
	  { CA_BAD "'a?@x.test' is invalid: contains a control character",
	    NULL } },
	{ "m\xc3\xbcller@b\xc3\xbc" "cher", GOOD_MSP, 0, M365,
	  { CA_BAD "'m\xc3\xbcller@b\xc3\xbc" "cher' is invalid: the domain "
	    "has no dot", NULL } },
	{ GOOD_CA, "a@[300.1.1.1]", 0, HYB,
	  { MSP_BAD "'a@[300.1.1.1]' is invalid: the domain's IP literal is "
	    "not a valid IPv4 address", NULL } },
	{ GOOD_CA, "a@[IPv6:2001:db8::1]", 0, HYB, { NULL } },
};

static void
test_preflight(void **state)
{
	const struct preflight_case *c;
	struct strvec reasons = { 0 };
	struct tenant t;
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof preflight_cases / sizeof preflight_cases[0];
	    i++) {
		c = &preflight_cases[i];
		good_tenant(&t);
		set(&t.customer_admin, c->customer_admin);
		set(&t.msp_admin, c->msp_admin);
		t.suspended = c->suspended;
		t.workloads = c->workloads;
		for (n = 0; c->reasons[n] != NULL; n++)
			;
		assert_int_equal(tenant_preflight(&t, &reasons), n);
		assert_int_equal(reasons.n, n);
		for (j = 0; j < n; j++)
			if (strcmp(reasons.v[j], c->reasons[j]) != 0)
				fail_msg("row %zu: '%s', not '%s'", i,
				    reasons.v[j], c->reasons[j]);
		/* Without a list it still counts. */
		assert_int_equal(tenant_preflight(&t, NULL), n);
		strvec_clear(&reasons);
		tenant_clear(&t);
	}
}

/* A name of spaces alone names no one: the preflight says so, first. */
static void
test_preflight_blank_name(void **state)
{
	static const struct {
		const char	*name;
		size_t		 reasons;
	} cases[] = {
		{ "", 1 }, { " ", 1 }, { " \t  ", 1 },
		{ "\xc2\xa0", 1 },			/* U+00A0 */
		{ "\xe3\x80\x80 \xe2\x80\x83", 1 },	/* U+3000, U+2003 */
		{ "\xe2\x80\xaf", 1 },		/* U+202F */
		{ " A ", 0 }, { "\xc3\xa9", 0 }, { "\xe2\x80\x94", 0 },
		{ "\xe3\x80", 0 },			/* cut short: not a space */
		{ "\xe2\x80", 0 },
	};
	struct strvec reasons = { 0 };
	struct tenant t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		good_tenant(&t);
		set(&t.name, cases[i].name);
		t.suspended = 1;
		assert_int_equal(tenant_preflight(&t, &reasons),
		    cases[i].reasons + 1);
		if (cases[i].reasons)
			assert_string_equal(reasons.v[0], "the name is blank");
		strvec_clear(&reasons);
		tenant_clear(&t);
	}
}

/* Reasons are appended to what the list holds; quoted addresses are cut. */
static void
test_preflight_append_and_cut(void **state)
{
	struct strvec reasons = { 0 };
	struct tenant t;
	char *want;

	(void)state;
	good_tenant(&t);
	strvec_push(&reasons, "earlier");
	free(t.customer_admin);
	t.customer_admin = repeat("a", 300, "");
	assert_int_equal(tenant_preflight(&t, &reasons), 1);
	assert_int_equal(reasons.n, 2);
	assert_string_equal(reasons.v[0], "earlier");
	want = repeat("a", 80, "...' is invalid: no '@'");
	assert_string_equal(reasons.v[1] + strlen(CA_BAD "'"), want);
	free(want);
	strvec_clear(&reasons);

	/* 79 bytes and then a 2-byte character: cut before it, not in it. */
	free(t.customer_admin);
	t.customer_admin = repeat("a.", 39, "a\xc3\xbc\xc3\xbc_");
	t.customer_admin[0] = 'b';
	t.customer_admin[1] = '@';
	assert_int_equal(tenant_preflight(&t, &reasons), 1);
	want = repeat("a.", 39, "a...' is invalid: the domain contains '_'");
	want[0] = 'b';
	want[1] = '@';
	assert_string_equal(reasons.v[0] + strlen(CA_BAD "'"), want);
	free(want);
	strvec_clear(&reasons);

	/* Exactly 80 bytes: shown whole. */
	free(t.customer_admin);
	t.customer_admin = repeat("a", 77, "@xy");
	assert_int_equal(tenant_preflight(&t, &reasons), 1);
	want = repeat("a", 77, "@xy' is invalid: the local part is longer "
	    "than 64 bytes");
	assert_string_equal(reasons.v[0] + strlen(CA_BAD "'"), want);
	free(want);
	strvec_clear(&reasons);
	tenant_clear(&t);
}

/* How a refused address is quoted in its reason: what a terminal or a
 * page would show differently from what it is becomes '?'. */
struct shown_case {
	const char	*addr;
	const char	*shown;
};

static const struct shown_case shown_cases[] = {
	{ "a\xe2\x80\x8b@x", "a?@x" },			/* ZWSP */
	{ "a\xe2\x80\x8f@x", "a?@x" },			/* RLM */
	{ "a\xe2\x80\x8a@x", "a\xe2\x80\x8a@x" },	/* hair space: seen */
	{ "a\xe2\x80\xa8@x", "a?@x" },			/* line separator */
	{ "a\xe2\x80\xae@x", "a?@x" },			/* RLO */
	{ "a\xe2\x80\xaf@x", "a\xe2\x80\xaf@x" },	/* narrow NBSP */
	{ "a\xe2\x80\xa7@x", "a\xe2\x80\xa7@x" },	/* hyphenation point */
	{ "a\xe2\x81\xa6@x", "a?@x" },			/* LRI */
	{ "a\xe2\x81\xa9@x", "a?@x" },			/* PDI */
	{ "a\xe2\x81\xa5@x", "a\xe2\x81\xa5@x" },
	{ "a\xe2\x81\xaa@x", "a\xe2\x81\xaa@x" },
	{ "a\xe2\x82\xac@x", "a\xe2\x82\xac@x" },	/* euro sign */
	{ "a\xe3\x80\x80@x", "a\xe3\x80\x80@x" },
	{ "a\xc2\xa9@x", "a\xc2\xa9@x" },		/* copyright sign */
	{ "a\xf0\x9f\x98\x80@x", "a\xf0\x9f\x98\x80@x" }, /* emoji */
	{ "a\xf5\x80\x80\x80@x", "a?\?\?\?@x" },	/* past U+10FFFF */
	{ "a\xc0\xae@x", "a?\?@x" },			/* overlong */
	{ "a\x7f@x", "a?@x" },
	{ "a\x01@x", "a?@x" },
	{ "a@x\xe2\x80", "a@x?\?" },			/* cut short */
	{ "a@x\xf0\x9f\x98", "a@x?\?\?" },
};

static void
test_preflight_shown(void **state)
{
	struct strvec reasons = { 0 };
	struct tenant t;
	const char *start, *end;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof shown_cases / sizeof *shown_cases; i++) {
		good_tenant(&t);
		set(&t.customer_admin, shown_cases[i].addr);
		assert_int_equal(tenant_preflight(&t, &reasons), 1);
		start = reasons.v[0] + strlen(CA_BAD "'");
		end = strstr(start, "' is invalid: ");
		assert_non_null(end);
		if ((size_t)(end - start) != strlen(shown_cases[i].shown) ||
		    memcmp(start, shown_cases[i].shown,
		    (size_t)(end - start)) != 0)
			fail_msg("row %zu: %s", i, reasons.v[0]);
		strvec_clear(&reasons);
		tenant_clear(&t);
	}
}

struct eligible_case {
	const char	*plan_edition;
	unsigned	 products;
	const char	*tenant_edition;
	unsigned	 workloads;
	int		 eligible;
};

static const struct eligible_case eligible_cases[] = {
	{ "enterprise", M365, "enterprise", M365, 1 },
	{ "Enterprise", M365, "ENTERPRISE", M365, 1 },
	{ "enterprise", M365 | END, "enterprise", M365 | END, 1 },
	{ "enterprise", WORKLOAD_ALL, "enterprise", M365 | END, 1 },
	{ "enterprise", WORKLOAD_ALL, "enterprise", HYB, 1 },
	{ "enterprise", M365, "enterprise", M365 | END, 0 },
	{ "enterprise", GWS | END, "enterprise", M365 | END, 0 },
	{ "enterprise", GWS, "enterprise", M365, 0 },
	{ "enterprise", M365 | GWS | END, "enterprise", HYB | M365, 0 },
	{ "enterprise", WORKLOAD_ALL, "enterprise", 0, 0 },
	{ "enterprise", 0, "enterprise", 0, 0 },
	{ "standard", M365, "enterprise", M365, 0 },
	{ "enterprise ", M365, "enterprise", M365, 0 },
	{ "enterprise", M365, "enterpris", M365, 0 },
	{ "", M365, "", M365, 1 },
	/* Only ASCII folds: É and é differ. */
	{ "\xc3\x89" "dition", M365, "\xc3\xa9" "dition", M365, 0 },
	{ "\xc3\xa9" "dition", M365, "\xc3\xa9" "DITION", M365, 1 },
	{ NULL, M365, "enterprise", M365, 0 },
	{ "enterprise", M365, NULL, M365, 0 },
};

static void
test_eligibility(void **state)
{
	const struct eligible_case *c;
	struct tenant t;
	struct plan p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof eligible_cases / sizeof eligible_cases[0];
	    i++) {
		c = &eligible_cases[i];
		tenant_init(&t);
		memset(&p, 0, sizeof p);
		p.edition = c->plan_edition ? strdup(c->plan_edition) : NULL;
		p.products = c->products;
		t.edition = c->tenant_edition ? strdup(c->tenant_edition) :
		    NULL;
		t.workloads = c->workloads;
		if (plan_is_eligible(&p, &t) != c->eligible)
			fail_msg("row %zu", i);
		plan_clear(&p);
		tenant_clear(&t);
	}
}

/* Every pair of sets: a plan with all products serves every tenant that
 * has a workload, a plan serves its own set, and adding a workload the
 * plan lacks makes it ineligible. */
static void
test_eligibility_all_sets(void **state)
{
	struct tenant t;
	struct plan p;
	unsigned ws, ps;
	int w;

	(void)state;
	tenant_init(&t);
	t.edition = strdup("e");
	p.edition = strdup("E");
	p.name = NULL;
	for (ws = 1; ws <= WORKLOAD_ALL; ws++) {
		t.workloads = ws;
		p.products = WORKLOAD_ALL;
		assert_true(plan_is_eligible(&p, &t));
		p.products = ws;
		assert_true(plan_is_eligible(&p, &t));
		for (ps = 0; ps <= WORKLOAD_ALL; ps++)
			for (w = 0; w < WORKLOAD_COUNT; w++) {
				if (!(ws & WORKLOAD_BIT(w)) ||
				    (ps & WORKLOAD_BIT(w)))
					continue;
				p.products = ps;
				assert_false(plan_is_eligible(&p, &t));
			}
	}
	plan_clear(&p);
	tenant_clear(&t);
}

static void
test_workflow(void **state)
{
	struct tenant t;

	(void)state;
	tenant_init(&t);
	t.workloads = M365 | GWS | END;
	assert_int_equal(tenant_workflow(&t), 2);
	t.workloads = HYB | M365;
	assert_int_equal(tenant_workflow(&t), 1);
	t.workloads = HYB;
	assert_int_equal(tenant_workflow(&t), 1);
	t.workloads = 0;
	assert_int_equal(tenant_workflow(&t), 2);
	tenant_clear(&t);
}

/* The language is set normalized, and only a normalized one passes. */
static void
test_language(void **state)
{
	struct tenant t;
	struct err err = { 0 };

	(void)state;
	good_tenant(&t);
	assert_null(t.language);
	assert_int_equal(tenant_check_input(&t, &err), 0);
	assert_int_equal(tenant_set_language(&t, "PT-br", &err), 0);
	assert_string_equal(t.language, "pt-BR");
	assert_int_equal(tenant_check_input(&t, &err), 0);
	/* A bad tag leaves the old one. */
	assert_int_equal(tenant_set_language(&t, "portuguese", &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(t.language, "pt-BR");
	set(&t.language, "pt-br");
	assert_int_equal(tenant_check_input(&t, &err), -1);
	assert_non_null(strstr(err.msg, "'pt-BR'"));
	set(&t.language, "pt_BR");
	assert_int_equal(tenant_check_input(&t, &err), -1);
	/* An empty tag takes the language away: the agent's applies. */
	assert_int_equal(tenant_set_language(&t, "", &err), 0);
	assert_null(t.language);
	assert_int_equal(tenant_check_input(&t, &err), 0);
	tenant_clear(&t);
	assert_null(t.language);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_clear),
		cmocka_unit_test(test_language),
		cmocka_unit_test(test_check_input),
		cmocka_unit_test(test_check_input_limits),
		cmocka_unit_test(test_plan_check_input),
		cmocka_unit_test(test_preflight),
		cmocka_unit_test(test_preflight_blank_name),
		cmocka_unit_test(test_preflight_append_and_cut),
		cmocka_unit_test(test_preflight_shown),
		cmocka_unit_test(test_eligibility),
		cmocka_unit_test(test_eligibility_all_sets),
		cmocka_unit_test(test_workflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
