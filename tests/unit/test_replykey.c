/* test_replykey.c: reply keys are made, found and checked, and not forged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replykey.h"
#include "util.h"

static const unsigned char secret[32] = "0123456789abcdef0123456789abcde";

static void
test_make_and_check(void **state)
{
	char key[REPLYKEY_MAX], other[REPLYKEY_MAX];
	unsigned char flipped[sizeof secret];
	int64_t mail;

	(void)state;
	assert_int_equal(replykey_make(secret, sizeof secret, 7, 42,
	    "a@x.test", 1, key), 0);
	assert_int_equal(strlen(key), 3 + REPLYKEY_MAC_HEX);
	assert_int_equal(strncmp(key, "42.", 3), 0);
	assert_int_equal(replykey_parse(key, &mail), 0);
	assert_int_equal(mail, 42);
	assert_true(replykey_check(secret, sizeof secret, key, 7, 42,
	    "a@x.test", 1));
	/* Every field is covered by the MAC. */
	assert_false(replykey_check(secret, sizeof secret, key, 8, 42,
	    "a@x.test", 1));
	assert_false(replykey_check(secret, sizeof secret, key, 7, 43,
	    "a@x.test", 1));
	assert_false(replykey_check(secret, sizeof secret, key, 7, 42,
	    "b@x.test", 1));
	assert_false(replykey_check(secret, sizeof secret, key, 7, 42,
	    "a@x.test", 2));
	memcpy(flipped, secret, sizeof secret);
	flipped[31] ^= 1;
	assert_false(replykey_check(flipped, sizeof flipped, key, 7, 42,
	    "a@x.test", 1));
	/* Same inputs, same key; another secret, another key. */
	assert_int_equal(replykey_make(secret, sizeof secret, 7, 42,
	    "a@x.test", 1, other), 0);
	assert_string_equal(key, other);
	assert_int_equal(replykey_make((const unsigned char *)"another secret"
	    " of 32 bytes....", 32, 7, 42, "a@x.test", 1, other), 0);
	assert_string_not_equal(key, other);
	assert_int_equal(replykey_make(secret, 0, 7, 42, "a@x.test", 1, other),
	    -1);
}

static void
test_one_changed_character_is_refused(void **state)
{
	char key[REPLYKEY_MAX], forged[REPLYKEY_MAX];
	size_t i;

	(void)state;
	assert_int_equal(replykey_make(secret, sizeof secret, 7, 42,
	    "a@x.test", 1, key), 0);
	for (i = 0; i < strlen(key); i++) {
		if (key[i] == '.')
			continue;
		strcpy(forged, key);
		forged[i] = forged[i] == '0' ? '1' : '0';
		assert_false(replykey_check(secret, sizeof secret, forged, 7,
		    42, "a@x.test", 1));
	}
	forged[0] = '\0';
	assert_false(replykey_check(secret, sizeof secret, forged, 7, 42,
	    "a@x.test", 1));
	strcpy(forged, key);
	strcat(forged, "0");
	assert_false(replykey_check(secret, sizeof secret, forged, 7, 42,
	    "a@x.test", 1));
}

static void
test_parse_refuses_junk(void **state)
{
	static const char *bad[] = {
		"", ".", "42", "42.", "x.0123456789abcdef0123",
		"42.0123456789abcdef012", "42.0123456789abcdef01234",
		"42.0123456789ABCDEF0123", "0.0123456789abcdef0123",
		"-1.0123456789abcdef0123", "42.0123456789abcdef012g",
		"9999999999999999999.0123456789abcdef0123",
		"42..0123456789abcdef012",
	};
	int64_t mail;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (replykey_parse(bad[i], &mail) != -1)
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(replykey_parse("42.0123456789abcdef0123", &mail), 0);
}

/* A mail id of REPLYKEY_ID_DIGITS_MAX digits is read; one more is not,
 * in a key, an address or a Message-ID. */
static void
test_id_digits_limit(void **state)
{
	static const char mac[] = "0123456789abcdef0123";
	char digits[REPLYKEY_ID_DIGITS_MAX + 2], found[REPLYKEY_MAX];
	char *key, *addr, *id;
	int64_t mail;
	int over;

	(void)state;
	for (over = 0; over <= 1; over++) {
		memset(digits, '9', REPLYKEY_ID_DIGITS_MAX + over);
		digits[REPLYKEY_ID_DIGITS_MAX + over] = '\0';
		key = xasprintf("%s.%s", digits, mac);
		addr = xasprintf("agent+%s@example.test", key);
		id = xasprintf("%s.00112233445566778899aabbccddeeff@x.test",
		    key);
		assert_int_equal(replykey_parse(key, &mail), over ? -1 : 0);
		assert_int_equal(replykey_from_address(addr, found),
		    over ? -1 : 0);
		assert_int_equal(replykey_from_message_id(id, found),
		    over ? -1 : 0);
		if (!over) {
			assert_int_equal(mail, 999999999999999999LL);
			assert_string_equal(found, key);
		}
		free(id);
		free(addr);
		free(key);
	}
}

static void
test_found_in_addresses(void **state)
{
	char key[REPLYKEY_MAX], found[REPLYKEY_MAX];
	char *addr;

	(void)state;
	assert_int_equal(replykey_make(secret, sizeof secret, 7, 42,
	    "a@x.test", 1, key), 0);
	addr = replykey_address("agent@example.test", key);
	assert_int_equal(strncmp(addr, "agent+42.", 9), 0);
	assert_int_equal(replykey_from_address(addr, found), 0);
	assert_string_equal(found, key);
	free(addr);
	/* A reply address with a tag of its own keeps working. */
	addr = replykey_address("agent+migrations@example.test", key);
	assert_int_equal(replykey_from_address(addr, found), 0);
	assert_string_equal(found, key);
	free(addr);
	assert_int_equal(replykey_from_address("agent@example.test", found),
	    -1);
	assert_int_equal(replykey_from_address("agent+junk@example.test",
	    found), -1);
	assert_int_equal(replykey_from_address("no-at-sign+42.x", found), -1);
	/* Upper-cased by a server on the way back. */
	addr = xasprintf("AGENT+%s@EXAMPLE.TEST", key);
	for (char *p = addr + 6; *p != '@'; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(replykey_from_address(addr, found), 0);
	assert_string_equal(found, key);
	free(addr);
}

static void
test_found_in_message_ids(void **state)
{
	char key[REPLYKEY_MAX], found[REPLYKEY_MAX];
	char *id;

	(void)state;
	assert_int_equal(replykey_make(secret, sizeof secret, 7, 42,
	    "a@x.test", 1, key), 0);
	id = xasprintf("%s.00112233445566778899aabbccddeeff@example.test", key);
	assert_int_equal(replykey_from_message_id(id, found), 0);
	assert_string_equal(found, key);
	free(id);
	assert_int_equal(replykey_from_message_id("CAF=abc@mail.gmail.com",
	    found), -1);
	assert_int_equal(replykey_from_message_id("1.2.3@x", found), -1);
}

/* Keys already sent must keep verifying: the exact bytes of a key
 * for given inputs never change. */
struct known_row {
	int64_t		 tenant, mail, generation;
	const char	*recipient;
	const char	*key;
};

static const struct known_row known_rows[] = {
	{ 7, 42, 1, "a@x.test", "42.62e73e7a416bfdf8355e" },
	{ -3, 900000000000000000LL, 9, "M\xc3\xbcller@b.test",
	  "900000000000000000.47eca994f401bd1d9e5e" },
};

static void
test_known_keys(void **state)
{
	char key[REPLYKEY_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof known_rows / sizeof *known_rows; i++) {
		assert_int_equal(replykey_make(secret, sizeof secret,
		    known_rows[i].tenant, known_rows[i].mail,
		    known_rows[i].recipient, known_rows[i].generation, key), 0);
		assert_string_equal(key, known_rows[i].key);
	}
	/* No recipient or no secret: no key, and none checks. */
	assert_int_equal(replykey_make(secret, sizeof secret, 7, 42, NULL, 1,
	    key), -1);
	assert_false(replykey_check(secret, 0, "42.62e73e7a416bfdf8355e", 7,
	    42, "a@x.test", 1));
	assert_false(replykey_check(secret, sizeof secret,
	    "42.62e73e7a416bfdf8355e0", 7, 42, "a@x.test", 1));
}

/* Where a key is looked for, and what is not one. */
struct found_row {
	const char	*text;
	int		 in_address;	/* else a Message-ID */
	int		 found;
};

static const struct found_row found_rows[] = {
	{ "agent+42.62e73e7a416bfdf8355e@x.test", 1, 1 },
	{ "agent+42.62E73E7A416BFDF8355E@x.test", 1, 1 },
	{ "agent+@x.test", 1, 0 },			/* an empty tag */
	{ "agent+4242424242424242424242424242424242424242424242424242"
	  "@x.test", 1, 0 },				/* too long */
	{ "agent+42.62e73e7a416bfdf8355e", 1, 0 },	/* no domain */
	{ "42.62e73e7a416bfdf8355e.rnd@x.test", 0, 1 },
	{ "42@x.test", 0, 0 },				/* no dot */
	{ "42.62e73e7a416bfdf8355e@x", 0, 0 },		/* one dot */
	{ ".62e73e7a416bfdf8355e.rnd@x", 0, 0 },
	{ "42424242424242424242424242424242424242424242424242.a.b@x", 0,
	  0 },
};

static void
test_found_rows(void **state)
{
	char key[REPLYKEY_MAX];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof found_rows / sizeof *found_rows; i++) {
		rc = found_rows[i].in_address ?
		    replykey_from_address(found_rows[i].text, key) :
		    replykey_from_message_id(found_rows[i].text, key);
		if ((rc == 0) != found_rows[i].found)
			fail_msg("%s", found_rows[i].text);
		if (rc == 0)
			assert_string_equal(key, "42.62e73e7a416bfdf8355e");
	}
}

/* The reply address: a tag after the local part, or after all of it
 * when it has no domain (a bare local part in the config). */
static void
test_address_without_domain(void **state)
{
	char *addr;

	(void)state;
	addr = replykey_address("agent", "42.abc");
	assert_string_equal(addr, "agent+42.abc");
	free(addr);
	addr = replykey_address("a@b@x.test", "1.f");
	assert_string_equal(addr, "a@b+1.f@x.test");
	free(addr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_and_check),
		cmocka_unit_test(test_one_changed_character_is_refused),
		cmocka_unit_test(test_parse_refuses_junk),
		cmocka_unit_test(test_id_digits_limit),
		cmocka_unit_test(test_found_in_addresses),
		cmocka_unit_test(test_found_in_message_ids),
		cmocka_unit_test(test_known_keys),
		cmocka_unit_test(test_found_rows),
		cmocka_unit_test(test_address_without_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
