/* test_totp.c: RFC 6238 codes, RFC 4648 base32, the otpauth:// URI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "totp.h"

/* RFC 6238 appendix B's SHA-1 seed: the 20 ASCII bytes "1234...90". */
static const unsigned char seed[] = "12345678901234567890";
#define SEED_LEN	20

/*
 * Appendix B's SHA-1 rows, 8 digits as printed there; the 6-digit code
 * is the same number modulo 10^6, as the RFC's own truncation makes it.
 */
static const struct {
	int64_t		 time;
	const char	*eight;
	const char	*six;
} rfc6238[] = {
	{ 59, "94287082", "287082" },
	{ 1111111109, "07081804", "081804" },
	{ 1111111111, "14050471", "050471" },
	{ 1234567890, "89005924", "005924" },
	{ 2000000000, "69279037", "279037" },
	{ 20000000000LL, "65353130", "353130" },
};

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])

static void
test_rfc6238_vectors(void **state)
{
	char text[16];
	struct err err;
	uint32_t code;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rfc6238); i++) {
		assert_int_equal(totp_code(seed, SEED_LEN,
		    totp_step(rfc6238[i].time), 8, &code, &err), 0);
		snprintf(text, sizeof text, "%08u", code);
		assert_string_equal(text, rfc6238[i].eight);
		assert_int_equal(totp_code(seed, SEED_LEN,
		    totp_step(rfc6238[i].time), TOTP_DIGITS, &code, &err), 0);
		snprintf(text, sizeof text, "%0*u", TOTP_DIGITS, code);
		assert_string_equal(text, rfc6238[i].six);
	}
	assert_int_equal(totp_code(seed, SEED_LEN, 1, 5, &code, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(totp_code(seed, SEED_LEN, 1, 9, &code, &err), -1);
}

static void
test_step(void **state)
{
	(void)state;
	assert_int_equal(totp_step(0), 0);
	assert_int_equal(totp_step(29), 0);
	assert_int_equal(totp_step(30), 1);
	assert_int_equal(totp_step(59), 1);
	assert_int_equal(totp_step(-5), 0);
	assert_int_equal(totp_step(1111111109), 37037036);
}

static void
test_verify_window(void **state)
{
	const int64_t t = 1111111111;	/* step 37037037 */
	int64_t step = -1;

	(void)state;
	/* 1111111109 is the step before: inside the window. */
	assert_true(totp_verify(seed, SEED_LEN, "081804", t, 0, &step));
	assert_int_equal(step, 37037036);
	assert_true(totp_verify(seed, SEED_LEN, "050471", t, 0, &step));
	assert_int_equal(step, 37037037);
	/* One step ahead: a fast clock. */
	assert_true(totp_verify(seed, SEED_LEN, "050471", t - 30, 0, &step));
	assert_int_equal(step, 37037037);
	/* Two steps off: refused either way. */
	assert_false(totp_verify(seed, SEED_LEN, "050471", t + 60, 0, &step));
	assert_false(totp_verify(seed, SEED_LEN, "050471", t - 60, 0, &step));
	/* Wrong codes and malformed ones. */
	assert_false(totp_verify(seed, SEED_LEN, "050472", t, 0, &step));
	assert_false(totp_verify(seed, SEED_LEN, "14050471", t, 0, &step));
	assert_false(totp_verify(seed, SEED_LEN, "05047", t, 0, &step));
	assert_false(totp_verify(seed, SEED_LEN, "05047a", t, 0, &step));
	assert_false(totp_verify(seed, SEED_LEN, " 050471", t, 0, &step));
	assert_false(totp_verify(seed, SEED_LEN, "050471 ", t, 0, &step));
	assert_false(totp_verify(seed, SEED_LEN, "", t, 0, &step));
	/* Another key. */
	assert_false(totp_verify((const unsigned char *)"another key 20 bytes",
	    SEED_LEN, "050471", t, 0, &step));
	/* At time 59 (step 1) the window reaches step 0 but not -1. */
	assert_true(totp_verify(seed, SEED_LEN, "287082", 59, 0, &step));
	assert_int_equal(step, 1);
}

static void
test_verify_once(void **state)
{
	const int64_t t = 1111111111;
	int64_t last = 0, step;
	char next[8];
	struct err err;
	uint32_t code;

	(void)state;
	assert_true(totp_verify(seed, SEED_LEN, "050471", t, last, &step));
	last = step;
	/* The same code again, even a second later: refused. */
	assert_false(totp_verify(seed, SEED_LEN, "050471", t + 1, last,
	    &step));
	/* An earlier step's code, still inside the window: refused too. */
	assert_false(totp_verify(seed, SEED_LEN, "081804", t, last, &step));
	/* The next step's code is taken, once. */
	assert_int_equal(totp_code(seed, SEED_LEN, last + 1, TOTP_DIGITS,
	    &code, &err), 0);
	snprintf(next, sizeof next, "%06u", code);
	assert_true(totp_verify(seed, SEED_LEN, next, t + 30, last, &step));
	assert_int_equal(step, last + 1);
	last = step;
	assert_false(totp_verify(seed, SEED_LEN, next, t + 30, last, &step));
}

/* RFC 4648 §10, padding dropped as totp_base32_encode writes it. */
static const struct {
	const char	*data;
	const char	*text;
	const char	*padded;
} rfc4648[] = {
	{ "", "", "" },
	{ "f", "MY", "MY======" },
	{ "fo", "MZXQ", "MZXQ====" },
	{ "foo", "MZXW6", "MZXW6===" },
	{ "foob", "MZXW6YQ", "MZXW6YQ=" },
	{ "fooba", "MZXW6YTB", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI", "MZXW6YTBOI======" },
};

static void
test_base32_vectors(void **state)
{
	unsigned char out[16];
	struct err err;
	size_t i, len;
	char *text;

	(void)state;
	for (i = 0; i < NROWS(rfc4648); i++) {
		text = totp_base32_encode((const unsigned char *)rfc4648[i].data,
		    strlen(rfc4648[i].data));
		assert_string_equal(text, rfc4648[i].text);
		free(text);
		assert_int_equal(totp_base32_decode(rfc4648[i].text, out,
		    sizeof out, &len, &err), 0);
		assert_int_equal(len, strlen(rfc4648[i].data));
		assert_memory_equal(out, rfc4648[i].data, len);
		assert_int_equal(totp_base32_decode(rfc4648[i].padded, out,
		    sizeof out, &len, &err), 0);
		assert_int_equal(len, strlen(rfc4648[i].data));
		assert_memory_equal(out, rfc4648[i].data, len);
	}
	/* Lower case reads the same. */
	assert_int_equal(totp_base32_decode("mzxw6ytboi", out, sizeof out,
	    &len, &err), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "foobar", 6);
}

static void
test_base32_refused(void **state)
{
	static const char *const bad[] = {
		"M",		/* 1 character: no byte */
		"MZX",		/* 3 */
		"MZXW6Y",	/* 6 */
		"MZ",		/* bits left over that are not zero */
		"MZXW6YTB1",	/* 1 is not in the alphabet */
		"MZXW 6YTB",
		"MZXW6YTB0",
		"MY=",		/* padding that does not fill the group */
		"=======",
		"MY======MY",
		"MZXW6YTB========",
	};
	unsigned char out[16];
	struct err err;
	size_t i, len;

	(void)state;
	for (i = 0; i < NROWS(bad); i++) {
		if (totp_base32_decode(bad[i], out, sizeof out, &len,
		    &err) != -1)
			fail_msg("'%s' was read", bad[i]);
		assert_int_equal(err.kind, ERR_INPUT);
		assert_int_equal(len, 0);
	}
	/* Longer than the room given. */
	assert_int_equal(totp_base32_decode("MZXW6YTBOI", out, 5, &len, &err),
	    -1);
	assert_int_equal(len, 0);
}

static void
test_base32_round_trip(void **state)
{
	unsigned char key[TOTP_SECRET_MAX], back[TOTP_SECRET_MAX];
	struct err err;
	size_t n, i, len;
	char *text;

	(void)state;
	for (i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof key; n++) {
		text = totp_base32_encode(key, n);
		assert_int_equal(strlen(text), (n * 8 + 4) / 5);
		assert_int_equal(totp_base32_decode(text, back, sizeof back,
		    &len, &err), 0);
		assert_int_equal(len, n);
		assert_memory_equal(back, key, n);
		free(text);
	}
}

static void
test_uri(void **state)
{
	struct err err;
	char *uri;

	(void)state;
	uri = totp_uri("mscagent", "alice", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
	    &err);
	assert_string_equal(uri, "otpauth://totp/mscagent:alice?"
	    "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=mscagent"
	    "&period=30&digits=6&algorithm=SHA1");
	free(uri);
	/* Blanks, reserved characters and UTF-8 are percent-encoded. */
	uri = totp_uri("ACME MSP & Co", "j\xc3\xbcrgen@acme.example:x",
	    "MZXW6", &err);
	assert_string_equal(uri, "otpauth://totp/ACME%20MSP%20%26%20Co:"
	    "j%C3%BCrgen%40acme.example%3Ax?secret=MZXW6&issuer="
	    "ACME%20MSP%20%26%20Co&period=30&digits=6&algorithm=SHA1");
	free(uri);
	assert_null(totp_uri("", "alice", "MZXW6", &err));
	assert_int_equal(err.kind, ERR_INPUT);
	assert_null(totp_uri("mscagent", "al\nice", "MZXW6", &err));
	assert_null(totp_uri("mscagent", "alice", "mzxw6", &err));
	assert_null(totp_uri("mscagent", "alice", "MZXW6=", &err));
	assert_null(totp_uri("mscagent", "alice", "", &err));
	assert_null(totp_uri("mscagent", "alice", "MZ&X", &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_verify_window),
		cmocka_unit_test(test_verify_once),
		cmocka_unit_test(test_base32_vectors),
		cmocka_unit_test(test_base32_refused),
		cmocka_unit_test(test_base32_round_trip),
		cmocka_unit_test(test_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
