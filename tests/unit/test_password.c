/* test_password.c: Argon2id hashes, one-time passwords, recovery codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "password.h"

static int
setup(void **state)
{
	struct err err;

	(void)state;
	return password_init(&err);
}

static int
in_alphabet(const char *s)
{
	return strspn(s, "23456789abcdefghjkmnpqrstuvwxyz") == strlen(s);
}

static void
test_hash_and_verify(void **state)
{
	char hash[PASSWORD_HASH_MAX], again[PASSWORD_HASH_MAX];
	struct err err;

	(void)state;
	assert_int_equal(password_hash("correct horse battery", hash, &err),
	    0);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_null(strstr(hash, "correct"));
	assert_true(password_verify(hash, "correct horse battery"));
	assert_false(password_verify(hash, "correct horse batterY"));
	assert_false(password_verify(hash, ""));
	assert_false(password_verify("not a hash", "correct horse battery"));
	assert_false(password_verify("", ""));
	/* Salted: the same password twice gives two hashes. */
	assert_int_equal(password_hash("correct horse battery", again, &err),
	    0);
	assert_string_not_equal(hash, again);
}

static void
test_hash_limits(void **state)
{
	char hash[PASSWORD_HASH_MAX], *longest;
	struct err err;

	(void)state;
	longest = malloc(PASSWORD_MAX + 2);
	memset(longest, 'x', PASSWORD_MAX + 1);
	longest[PASSWORD_MAX + 1] = '\0';
	assert_int_equal(password_hash(longest, hash, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	longest[PASSWORD_MAX] = '\0';
	assert_int_equal(password_hash(longest, hash, &err), 0);
	assert_true(password_verify(hash, longest));
	free(longest);
}

static void
test_check_new(void **state)
{
	static const struct {
		const char	*password;
		int		 ok;
	} rows[] = {
		{ "", 0 },
		{ "elevenchars", 0 },
		{ "twelve chars", 1 },
		{ "Fahrvergnügen!", 1 },
		{ "tab\there is bad", 0 },
		{ "new\nline is bad", 0 },
		{ "\xff\xfe not utf-8 at all", 0 },
	};
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (password_check_new(rows[i].password, &err) !=
		    (rows[i].ok ? 0 : -1))
			fail_msg("row %zu: %s", i, rows[i].password);
		if (!rows[i].ok)
			assert_int_equal(err.kind, ERR_INPUT);
	}
}

static void
test_generate(void **state)
{
	char *a, *b;

	(void)state;
	a = password_generate();
	b = password_generate();
	assert_int_equal(strlen(a), PASSWORD_OTP_LEN);
	assert_true(in_alphabet(a));
	assert_string_not_equal(a, b);
	password_free(a);
	password_free(b);
	password_free(NULL);
}

static void
test_recovery_codes(void **state)
{
	struct strvec codes = { 0 }, hashes = { 0 };
	char hash[PASSWORD_CODE_HASH_LEN], upper[64];
	size_t i, j;

	(void)state;
	password_recovery_codes(&codes, &hashes);
	assert_int_equal(codes.n, PASSWORD_RECOVERY_COUNT);
	assert_int_equal(hashes.n, PASSWORD_RECOVERY_COUNT);
	for (i = 0; i < codes.n; i++) {
		assert_int_equal(strlen(codes.v[i]), PASSWORD_RECOVERY_SHOWN);
		assert_int_equal(codes.v[i][4], '-');
		assert_int_equal(strlen(hashes.v[i]),
		    PASSWORD_CODE_HASH_LEN - 1);
		password_code_hash(codes.v[i], hash);
		assert_true(password_hash_equal(hash, hashes.v[i]));
		/* Typed in capitals, without dashes, with spaces. */
		for (j = 0; codes.v[i][j] != '\0'; j++)
			upper[j] = codes.v[i][j] == '-' ? ' ' :
			    (char)(codes.v[i][j] >= 'a' && codes.v[i][j] <= 'z' ?
			    codes.v[i][j] - 'a' + 'A' : codes.v[i][j]);
		upper[j] = '\0';
		password_code_hash(upper, hash);
		assert_true(password_hash_equal(hash, hashes.v[i]));
		for (j = 0; j < i; j++)
			assert_string_not_equal(codes.v[i], codes.v[j]);
	}
	password_code_hash("not-a-code", hash);
	for (i = 0; i < hashes.n; i++)
		assert_false(password_hash_equal(hash, hashes.v[i]));
	assert_false(password_hash_equal(hash, ""));
	assert_false(password_hash_equal("", ""));
	strvec_clear(&codes);
	strvec_clear(&hashes);
}

static void
test_code_hash_vector(void **state)
{
	char hash[PASSWORD_CODE_HASH_LEN];

	(void)state;
	/* SHA-256("abc"), FIPS 180-2's example, reached through the
	 * normalisation. */
	password_code_hash("A-b C", hash);
	assert_string_equal(hash, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_hash_limits),
		cmocka_unit_test(test_check_new),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_recovery_codes),
		cmocka_unit_test(test_code_hash_vector),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
