/* test_addr.c: address syntax with its reasons, limits, and comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#include "support.h"

struct valid_case {
	const char	*in;
	const char	*why;	/* NULL: valid */
};

#define NO_IPV4 "the domain's IP literal is not a valid IPv4 address"
#define NO_IPV6 "the domain's IP literal is not a valid IPv6 address"
#define NAME_FORM "contains '<' or '>': give the address alone, without a name"
#define INVISIBLE(cp) "contains an invisible or unusual space character (U+" \
		cp ")"

static const struct valid_case cases[] = {
	/* Valid. */
	{ "a@x.test", NULL },
	{ "A@X.TEST", NULL },
	{ "user+tag@example.com", NULL },
	{ "user+tag+more@example.com", NULL },
	{ "first.last@example.co.uk", NULL },
	{ "o'brien@x.test", NULL },
	{ "!#$%&'*+-/=?^_`{|}~@x.test", NULL },
	{ "a@x-y.test", NULL },
	{ "a@x--y.test", NULL },
	{ "a@123.test", NULL },
	{ "a@x.xn--p1ai", NULL },
	{ "a@a.b.c.d.e.example", NULL },
	{ "\"john doe\"@x.test", NULL },
	{ "\"a@b\"@x.test", NULL },
	{ "\"a\\\"b\"@x.test", NULL },
	{ "\"\\\\\"@x.test", NULL },
	{ "\"(),:;<>[]\"@x.test", NULL },
	{ "\" \"@x.test", NULL },
	{ "user@[192.0.2.1]", NULL },
	{ "user@[255.255.255.255]", NULL },
	{ "user@[IPv6:2001:db8::1]", NULL },
	{ "user@[ipv6:::1]", NULL },
	{ "user@[IPv6:::ffff:192.0.2.1]", NULL },
	{ "user@b\xc3\xbc" "cher.example", NULL },		/* bücher */
	{ "m\xc3\xbcller@b\xc3\xbc" "cher.example", NULL },
	/* CJK */
	{ "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf"
	  "\xe5\x91\x8a", NULL },
	{ "\xf0\x9f\x98\x80@x.test", NULL },			/* emoji */
	{ "\"m\xc3\xbcller x\"@x.test", NULL },

	/* The address as a whole. */
	{ "", "the address is empty" },
	{ "a\r\n@x.test", "contains a control character" },
	{ "a@x.test\r\nBcc: evil@y.test", "contains a control character" },
	{ "a@x.test\n", "contains a control character" },
	{ "\"a\tb\"@x.test", "contains a control character" },
	{ "\"a\rb\"@x.test", "contains a control character" },
	{ "a\x7f@x.test", "contains a control character" },
	{ "a\x01@x.test", "contains a control character" },
	{ "a\xc2\x85@x.test", "contains a control character" },	/* C1 NEL */
	{ "\"a\xc2\x9b\"@x.test", "contains a control character" },
	{ "a\xff@x.test", "is not valid UTF-8" },
	{ "a@b\xc3.test", "is not valid UTF-8" },
	{ "\xc0\xaf@x.test", "is not valid UTF-8" },		/* overlong */
	{ "\xed\xa0\x80@x.test", "is not valid UTF-8" },	/* surrogate */
	{ "a@x.test\xf4\x90\x80\x80", "is not valid UTF-8" },	/* > U+10FFFF */
	{ "a\xc2\xa0@x.test", INVISIBLE("00A0") },
	{ "a@x\xe2\x80\xaetest.com", INVISIBLE("202E") },
	{ "a\xe2\x80\x8b@x.test", INVISIBLE("200B") },
	{ "a@x.test\xef\xbb\xbf", INVISIBLE("FEFF") },
	{ "\"a\xe3\x80\x80\"@x.test", INVISIBLE("3000") },
	{ "a b@x.test", "contains a space" },
	{ " a@x.test", "contains a space" },
	{ "a@x.test ", "contains a space" },
	{ "a@x .test", "contains a space" },
	{ "ax.test", "no '@'" },
	{ "a", "no '@'" },
	{ "a@b@x.test", "contains more than one '@'" },
	{ "a@@x.test", "contains more than one '@'" },
	{ "\"a\"@b@x.test", "contains more than one '@'" },
	{ "Bob <b@x.test>", NAME_FORM },
	{ "<b@x.test>", NAME_FORM },
	{ "\"Bob\" <b@x.test>",
	  "the local part has text after its closing quote" },

	/* The local part. */
	{ "@x.test", "the local part is empty" },
	{ "\"\"@x.test", "the local part is empty" },
	{ ".a@x.test", "the local part starts with a dot" },
	{ "a.@x.test", "the local part ends with a dot" },
	{ ".@x.test", "the local part starts with a dot" },
	{ "a..b@x.test", "the local part has two dots in a row" },
	{ "a(comment)@x.test", "the local part contains '('" },
	{ "a,b@x.test", "the local part contains ','" },
	{ "a\"b@x.test", "the local part contains '\"'" },
	{ "a\\b@x.test", "the local part contains '\\'" },
	{ "a[b]@x.test", "the local part contains '['" },
	{ "a:b@x.test", "the local part contains ':'" },
	{ "a;b@x.test", "the local part contains ';'" },
	{ "\"unclosed@x.test", "the local part has no closing quote" },
	{ "\"a\\\"@x.test", "the local part has no closing quote" },
	{ "\"a\"b@x.test", "the local part has text after its closing quote" },
	{ "\"a\"", "no '@'" },
	{ "\"\\\xc3\xa9\"@x.test",
	  "the local part escapes a character that is not ASCII" },

	/* The domain. */
	{ "a@", "the domain is empty" },
	{ "a@b", "the domain has no dot" },
	{ "a@localhost", "the domain has no dot" },
	{ "a@b\xc3\xbc" "cher", "the domain has no dot" },
	{ "a@.x.test", "the domain starts with a dot" },
	{ "a@.", "the domain starts with a dot" },
	{ "a@x.test.", "the domain ends with a dot" },
	{ "a@x..test", "the domain has two dots in a row" },
	{ "a@-x.test", "the domain label '-x' starts with '-'" },
	{ "a@x-.test", "the domain label 'x-' ends with '-'" },
	{ "a@x.test-", "the domain label 'test-' ends with '-'" },
	{ "a@-.test", "the domain label '-' starts with '-'" },
	{ "a@b\xc3\xbc-.test",
	  "the domain label 'b\xc3\xbc-' ends with '-'" },
	{ "a@x_y.test", "the domain contains '_'" },
	{ "a@x!.test", "the domain contains '!'" },
	{ "a@x.test>", "the domain contains '>'" },
	{ "a@x/y.test", "the domain contains '/'" },
	{ "a@1.2.3.4", "the domain's last label '4' is all digits" },
	{ "a@x.123", "the domain's last label '123' is all digits" },
	{ "a@[300.1.1.1]", NO_IPV4 },
	{ "a@[1.2.3]", NO_IPV4 },
	{ "a@[1.2.3.4.5]", NO_IPV4 },
	{ "a@[192.0.2.01]", NO_IPV4 },
	{ "a@[]", NO_IPV4 },
	{ "a@[x.test]", NO_IPV4 },
	{ "a@[2001:db8::1]", NO_IPV4 },		/* no IPv6: tag */
	{ "a@[IPv6:2001:db8::g]", NO_IPV6 },
	{ "a@[IPv6:192.0.2.1]", NO_IPV6 },
	{ "a@[IPv6:]", NO_IPV6 },	/* nothing after the tag */
	{ "a@[IPv6:1:2:3:4:5:6:7:8:9]", NO_IPV6 },
	{ "a@[IPv6:fe80::1%eth0]", NO_IPV6 },
	{ "a@[192.0.2.1", "the domain's IP literal has no closing ']'" },
	{ "a@[", "the domain's IP literal has no closing ']'" },
	{ "a@[1.2.3.4]x", "the domain's IP literal has no closing ']'" },
	{ "a@[1111111111111111111111111111111111111111111111111111111111111"
	  "1111]", "the domain's IP literal is too long" },
};

static void
test_table(void **state)
{
	const struct valid_case *c;
	char why[128];
	size_t i;
	int ok;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		memset(why, 'x', sizeof why);
		ok = addr_valid(c->in, why, sizeof why);
		if (c->why == NULL) {
			if (!ok)
				fail_msg("'%s' refused: %s", c->in, why);
			assert_string_equal(why, "");
			assert_int_equal(addr_valid(c->in, NULL, 0), 1);
		} else {
			if (ok)
				fail_msg("'%s' accepted", c->in);
			if (strcmp(why, c->why) != 0)
				fail_msg("'%s': '%s', not '%s'", c->in, why,
				    c->why);
			assert_int_equal(addr_valid(c->in, NULL, 0), 0);
		}
	}
	assert_int_equal(addr_valid(NULL, why, sizeof why), 0);
	assert_string_equal(why, "the address is empty");
}

/* A domain of len bytes, labels of ADDR_LABEL_MAX bytes between dots. */
static char *
make_domain(size_t len)
{
	char *s;
	size_t i;

	s = support_repeat('d', len);
	for (i = ADDR_LABEL_MAX; i < len - 1; i += ADDR_LABEL_MAX + 1)
		s[i] = '.';
	return s;
}

static int
check_address(const char *local, const char *domain, char *why, size_t len)
{
	char *s;
	int ok;

	s = malloc(strlen(local) + strlen(domain) + 2);
	assert_non_null(s);
	strcpy(s, local);
	strcat(s, "@");
	strcat(s, domain);
	ok = addr_valid(s, why, len);
	free(s);
	return ok;
}

/* The reason a check gives: "<what> is longer than <limit> bytes". */
static void
assert_why(const char *why, const char *what, int limit)
{
	char want[128];

	snprintf(want, sizeof want, "%s is longer than %d bytes", what,
	    limit);
	assert_string_equal(why, want);
}

/* Each length limit at the limit and one past it. */
static void
test_limits(void **state)
{
	/* The longest domain that fits the whole address's limit. */
	const size_t dmax = ADDR_MAX - ADDR_LOCAL_MAX - 1;
	char *lmax, *lover, *labmax, *labover, *qmax, *qover, *dfit, *dpast;
	char *dmaxd, *dover;
	char why[128];

	(void)state;
	lmax = support_repeat('l', ADDR_LOCAL_MAX);
	lover = support_repeat('l', ADDR_LOCAL_MAX + 1);
	qmax = support_repeat(' ', ADDR_LOCAL_MAX);
	qmax[0] = qmax[ADDR_LOCAL_MAX - 1] = '"';
	qover = support_repeat(' ', ADDR_LOCAL_MAX + 1);
	qover[0] = qover[ADDR_LOCAL_MAX] = '"';
	labmax = support_repeat('x', ADDR_LABEL_MAX + 5);
	memcpy(labmax + ADDR_LABEL_MAX, ".test", 5);
	labover = support_repeat('x', ADDR_LABEL_MAX + 1 + 5);
	memcpy(labover + ADDR_LABEL_MAX + 1, ".test", 5);
	dfit = make_domain(dmax);
	dpast = make_domain(dmax + 1);
	dmaxd = make_domain(ADDR_DOMAIN_MAX);
	dover = make_domain(ADDR_DOMAIN_MAX + 1);

	assert_int_equal(check_address(lmax, "x.test", why, sizeof why), 1);
	assert_int_equal(check_address(lover, "x.test", why, sizeof why), 0);
	assert_why(why, "the local part", ADDR_LOCAL_MAX);
	assert_int_equal(check_address(qmax, "x.test", why, sizeof why), 1);
	assert_int_equal(check_address(qover, "x.test", why, sizeof why), 0);
	assert_why(why, "the local part", ADDR_LOCAL_MAX);
	assert_int_equal(check_address("a", labmax, why, sizeof why), 1);
	assert_int_equal(check_address("a", labover, why, sizeof why), 0);
	assert_why(why, "a domain label", ADDR_LABEL_MAX);
	/* The longest local part and domain that fit in ADDR_MAX. */
	assert_int_equal(check_address(lmax, dfit, why, sizeof why), 1);
	assert_int_equal(check_address(lmax, dpast, why, sizeof why), 0);
	assert_why(why, "the address", ADDR_MAX);
	assert_int_equal(check_address("a", dmaxd, why, sizeof why), 0);
	assert_why(why, "the address", ADDR_MAX);
	assert_int_equal(check_address("a", dover, why, sizeof why), 0);
	assert_why(why, "the domain", ADDR_DOMAIN_MAX);

	free(lmax);
	free(lover);
	free(qmax);
	free(qover);
	free(labmax);
	free(labover);
	free(dfit);
	free(dpast);
	free(dmaxd);
	free(dover);
}

/* A long hostile string is refused quickly and without overflow. */
static void
test_huge(void **state)
{
	char why[128];
	char *s;

	(void)state;
	s = support_repeat('a', 1000000);
	s[500000] = '@';
	assert_int_equal(addr_valid(s, why, sizeof why), 0);
	assert_string_equal(why, "the local part is longer than 64 bytes");
	memset(s, '.', 500001);
	s[0] = 'a';
	s[1] = '@';
	assert_int_equal(addr_valid(s, why, sizeof why), 0);
	assert_string_equal(why, "the domain is longer than 255 bytes");
	free(s);
}

/* The reason is cut to the buffer, never in the middle of a character. */
static void
test_why_buffer(void **state)
{
	char why[64];

	(void)state;
	memset(why, 'x', sizeof why);
	assert_int_equal(addr_valid("a@b", why, 8), 0);
	assert_string_equal(why, "the dom");
	assert_int_equal(why[8], 'x');

	/* "the domain label 'b" is 19 bytes: 21 leaves room for half a 'ü'. */
	memset(why, 'x', sizeof why);
	assert_int_equal(addr_valid("a@b\xc3\xbc-.test", why, 21), 0);
	assert_string_equal(why, "the domain label 'b");
	memset(why, 'x', sizeof why);
	assert_int_equal(addr_valid("a@b\xc3\xbc-.test", why, 22), 0);
	assert_string_equal(why, "the domain label 'b\xc3\xbc");

	memset(why, 'x', sizeof why);
	assert_int_equal(addr_valid("a@b", why, 0), 0);
	assert_int_equal(why[0], 'x');
	assert_int_equal(addr_valid("a@b", why, 1), 0);
	assert_string_equal(why, "");
	assert_int_equal(addr_valid("a@b", NULL, 10), 0);
	assert_int_equal(addr_valid("a@b.test", NULL, 10), 1);
}

struct equal_case {
	const char	*a, *b;
	int		 equal;
};

static const struct equal_case equal_cases[] = {
	{ "a@x.test", "a@x.test", 1 },
	{ "a@X.TEST", "a@x.test", 1 },
	{ "a@x.Test", "a@X.tEST", 1 },
	{ "A@x.test", "a@x.test", 0 },		/* the local part exactly */
	{ "a+tag@x.test", "a@x.test", 0 },
	{ "a@x.test", "b@x.test", 0 },
	{ "a@x.test", "a@y.test", 0 },
	{ "a@x.test", "a@x.test.", 0 },
	{ "ab@x.test", "a@bx.test", 0 },	/* same bytes, other split */
	{ "\"a@b\"@x.test", "\"a@b\"@X.TEST", 1 },	/* the last '@' */
	{ "\"a@b\"@x.test", "\"a@c\"@x.test", 0 },
	{ "a@B\xc3\xbc" "cher.test", "a@b\xc3\xbc" "cher.test", 1 },
	{ "a@b\xc3\x9c" "cher.test", "a@b\xc3\xbc" "cher.test", 0 },
	{ "a", "a", 0 },			/* not addresses */
	{ "a@x.test", "a", 0 },
	{ "", "", 0 },
	{ "@", "@", 1 },
};

static void
test_equal(void **state)
{
	const struct equal_case *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof equal_cases / sizeof equal_cases[0]; i++) {
		c = &equal_cases[i];
		if (addr_equal(c->a, c->b) != c->equal)
			fail_msg("'%s' vs '%s'", c->a, c->b);
		assert_int_equal(addr_equal(c->b, c->a), c->equal);
	}
	assert_int_equal(addr_equal(NULL, "a@x.test"), 0);
	assert_int_equal(addr_equal("a@x.test", NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_why_buffer),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
