/* test_proxy.c: trusted proxies and the client behind them, on real
 * chains and on hostile X-Forwarded-For headers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

struct net_row {
	const char	*text;
	const char	*normal;	/* NULL: refused */
};

static const struct net_row net_rows[] = {
	{ "127.0.0.1", "127.0.0.1" },
	{ "::1", "::1" },
	{ "::0001", "::1" },
	{ "2001:DB8:0:0::1", "2001:db8::1" },
	{ "10.0.0.0/8", "10.0.0.0/8" },
	{ "10.0.0.0/32", "10.0.0.0" },		/* the whole address */
	{ "0.0.0.0/0", "0.0.0.0/0" },
	{ "192.168.4.0/22", "192.168.4.0/22" },
	{ "FD00::/8", "fd00::/8" },
	{ "2001:db8::/128", "2001:db8::" },
	{ "::/0", "::/0" },
	{ "10.0.0.1/8", NULL },			/* host bits set */
	{ "192.168.5.0/22", NULL },
	{ "fd00::1/8", NULL },
	{ "10.0.0.0/33", NULL },
	{ "::/129", NULL },
	{ "10.0.0.0/", NULL },
	{ "10.0.0.0/+8", NULL },
	{ "10.0.0.0/ 8", NULL },
	{ "10.0.0.0/8x", NULL },
	{ "10.0.0.0/0008", NULL },
	{ "10.0.0.0/8/8", NULL },
	{ "", NULL },
	{ "localhost", NULL },
	{ "10.0.0", NULL },
	{ "10.0.0.256", NULL },
	{ " 10.0.0.1", NULL },
	{ "1.2.3.4:80", NULL },
	{ "[::1]", NULL },
	{ "1111:2222:3333:4444:5555:6666:7777:8888:9999", NULL },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/", NULL },
};

static void
test_net_normal(void **state)
{
	char out[PROXY_NET_MAX];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof net_rows / sizeof *net_rows; i++) {
		strcpy(out, "untouched");
		rc = proxy_net_normal(net_rows[i].text, out);
		if (net_rows[i].normal == NULL && rc != -1)
			fail_msg("'%s' taken as %s", net_rows[i].text, out);
		if (net_rows[i].normal != NULL && (rc != 0 ||
		    strcmp(out, net_rows[i].normal) != 0))
			fail_msg("'%s': %d '%s'", net_rows[i].text, rc, out);
	}
}

struct trusted_row {
	const char	*address;
	int		 trusted;
};

/* Against 127.0.0.1, 10.0.0.0/8, 192.168.4.0/22, fd00::/8, ::1. */
static const struct trusted_row trusted_rows[] = {
	{ "127.0.0.1", 1 },
	{ "127.0.0.2", 0 },
	{ "10.0.0.1", 1 },
	{ "10.255.255.255", 1 },
	{ "11.0.0.0", 0 },
	{ "9.255.255.255", 0 },
	{ "192.168.4.0", 1 },
	{ "192.168.7.255", 1 },
	{ "192.168.8.0", 0 },
	{ "192.168.3.255", 0 },
	{ "fd12::1", 1 },
	{ "fe00::1", 0 },
	{ "::1", 1 },
	{ "::2", 0 },
	{ "::ffff:127.0.0.1", 0 },	/* another family: not the same */
	{ "", 0 },
	{ "junk", 0 },
};

static void
trusted_list(struct strvec *sv)
{
	static const char *const nets[] = {
		"127.0.0.1", "10.0.0.0/8", "192.168.4.0/22", "fd00::/8",
		"::1",
	};
	size_t i;

	for (i = 0; i < sizeof nets / sizeof *nets; i++)
		strvec_push(sv, nets[i]);
}

static void
test_trusted(void **state)
{
	struct strvec trusted = { 0 }, none = { 0 };
	size_t i;

	(void)state;
	trusted_list(&trusted);
	for (i = 0; i < sizeof trusted_rows / sizeof *trusted_rows; i++) {
		if (proxy_trusted(&trusted, trusted_rows[i].address) !=
		    trusted_rows[i].trusted)
			fail_msg("%s", trusted_rows[i].address);
		assert_int_equal(proxy_trusted(&none,
		    trusted_rows[i].address), 0);
	}
	strvec_clear(&trusted);
}

struct client_row {
	const char	*peer, *forwarded, *client;
};

static const struct client_row client_rows[] = {
	/* No proxy, or one not trusted: the header is the client's own
	 * words, never believed. */
	{ "192.0.2.1", NULL, "192.0.2.1" },
	{ "192.0.2.1", "203.0.113.9", "192.0.2.1" },
	{ "2001:db8::7", "203.0.113.9", "2001:db8::7" },
	{ "127.0.0.1", NULL, "127.0.0.1" },
	/* Through trusted proxies. */
	{ "127.0.0.1", "203.0.113.9", "203.0.113.9" },
	{ "127.0.0.1", "1.1.1.1, 203.0.113.9", "203.0.113.9" },
	{ "127.0.0.1", "203.0.113.9,10.0.0.2", "203.0.113.9" },
	{ "127.0.0.1", "203.0.113.9, 10.0.0.2 , 127.0.0.1", "203.0.113.9" },
	{ "127.0.0.1", "203.0.113.9,\t10.9.8.7", "203.0.113.9" },
	{ "10.1.2.3", "203.0.113.9", "203.0.113.9" },	/* in 10.0.0.0/8 */
	{ "::1", "2001:DB8::1", "2001:db8::1" },
	{ "fd00::5", "203.0.113.9, fd00::6", "203.0.113.9" },
	{ "127.0.0.1", "10.0.0.2", "10.0.0.2" },	/* all trusted */
	{ "127.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3" },
	/* What is left of the client is never read: a client may put
	 * anything there. */
	{ "127.0.0.1", "junk, 203.0.113.9", "203.0.113.9" },
	{ "127.0.0.1", "127.0.0.1, 203.0.113.9", "203.0.113.9" },
	{ "127.0.0.1", ", 203.0.113.9", "203.0.113.9" },
	/* Ports and brackets, as some proxies write them. */
	{ "127.0.0.1", "203.0.113.9:51234", "203.0.113.9" },
	{ "127.0.0.1", "[2001:db8::9]:443", "2001:db8::9" },
	{ "127.0.0.1", "[2001:db8::9]", "2001:db8::9" },
	{ "127.0.0.1", "203.0.113.9, [::1]:8080", "203.0.113.9" },
	/* Not an address where the walk reads: the peer. */
	{ "127.0.0.1", "203.0.113.9, junk", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9, junk, 10.0.0.2", "127.0.0.1" },
	{ "127.0.0.1", "unknown", "127.0.0.1" },
	{ "127.0.0.1", "proxy.example", "127.0.0.1" },
	{ "127.0.0.1", "", "127.0.0.1" },
	{ "127.0.0.1", " ", "127.0.0.1" },
	{ "127.0.0.1", ",,,", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9,", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9:", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9:123456", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9:8x", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9 203.0.113.8", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9;by=x", "127.0.0.1" },
	{ "127.0.0.1", "for=203.0.113.9", "127.0.0.1" },	/* RFC 7239 */
	{ "127.0.0.1", "\"203.0.113.9\"", "127.0.0.1" },
	{ "127.0.0.1", "[203.0.113.9]", "127.0.0.1" },
	{ "127.0.0.1", "[2001:db8::9", "127.0.0.1" },
	{ "127.0.0.1", "[2001:db8::9]x", "127.0.0.1" },
	{ "127.0.0.1", "[2001:db8::9]:", "127.0.0.1" },
	{ "127.0.0.1", "2001:db8::9:443x", "127.0.0.1" },
	{ "127.0.0.1", "1:2", "127.0.0.1" },
	{ "127.0.0.1", "203.0.113.9\r\nX-Evil: 1", "127.0.0.1" },
	{ "127.0.0.1", "0x7f.1", "127.0.0.1" },
	{ "127.0.0.1", "2130706433", "127.0.0.1" },
};

static void
test_client_address(void **state)
{
	struct strvec trusted = { 0 };
	char out[PROXY_ADDRESS_MAX];
	size_t i;

	(void)state;
	trusted_list(&trusted);
	strvec_push(&trusted, "10.0.0.2");
	for (i = 0; i < sizeof client_rows / sizeof *client_rows; i++) {
		proxy_client_address(client_rows[i].peer,
		    client_rows[i].forwarded, &trusted, out);
		if (strcmp(out, client_rows[i].client) != 0)
			fail_msg("%s via '%s': %s", client_rows[i].peer,
			    client_rows[i].forwarded ?
			    client_rows[i].forwarded : "-", out);
	}
	strvec_clear(&trusted);
}

/* A header of a thousand trusted hops, one of a megabyte of commas and
 * one of a very long entry: the peer, quickly, without overflowing. */
static void
test_huge_headers(void **state)
{
	struct strvec trusted = { 0 };
	struct buf b = { 0 };
	char out[PROXY_ADDRESS_MAX];
	char *big;
	size_t i;

	(void)state;
	trusted_list(&trusted);
	buf_puts(&b, "203.0.113.9");
	for (i = 0; i < 1000; i++)
		buf_puts(&b, ", 10.0.0.1");
	proxy_client_address("127.0.0.1", b.data, &trusted, out);
	assert_string_equal(out, "127.0.0.1");

	/* Exactly PROXY_HOPS_MAX hops are still read. */
	buf_clear(&b);
	buf_puts(&b, "203.0.113.9");
	for (i = 1; i < PROXY_HOPS_MAX; i++)
		buf_puts(&b, ",10.0.0.1");
	proxy_client_address("127.0.0.1", b.data, &trusted, out);
	assert_string_equal(out, "203.0.113.9");
	buf_clear(&b);

	big = malloc(1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, ',', 1024 * 1024);
	big[1024 * 1024] = '\0';
	proxy_client_address("127.0.0.1", big, &trusted, out);
	assert_string_equal(out, "127.0.0.1");
	memset(big, '1', 1024 * 1024);
	proxy_client_address("127.0.0.1", big, &trusted, out);
	assert_string_equal(out, "127.0.0.1");
	memset(big, ' ', 1024 * 1024);
	memcpy(big + 1024 * 1024 - 12, "203.0.113.9 ", 12);
	proxy_client_address("127.0.0.1", big, &trusted, out);
	assert_string_equal(out, "203.0.113.9");
	free(big);
	strvec_clear(&trusted);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_normal),
		cmocka_unit_test(test_trusted),
		cmocka_unit_test(test_client_address),
		cmocka_unit_test(test_huge_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
