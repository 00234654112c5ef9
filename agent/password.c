/* password.c: console passwords, one-time passwords and recovery codes,
 * on libsodium. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "password.h"

/*
 * Argon2id at libsodium's INTERACTIVE limits: two passes over 64 MiB,
 * some 0.1 s on one core.  A sign-in waits for it, and the listener's
 * threads may each run one at once, so MODERATE's 256 MiB and 0.7 s
 * would cost too much on a small host; the throttling of failed
 * sign-ins, not the hash, is what stops guessing online.  A hash made
 * with other limits still verifies: they are written in it.
 */
#define PASSWORD_OPSLIMIT	crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PASSWORD_MEMLIMIT	crypto_pwhash_MEMLIMIT_INTERACTIVE

/* No 0, O, 1, l or I: a person copies these from a screen. */
static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";

#define ALPHABET_LEN	((uint32_t)(sizeof alphabet - 1))

int
password_init(struct err *err)
{
	if (sodium_init() < 0) {
		err_set(err, ERR_RUNTIME, "libsodium cannot start (no source "
		    "of random numbers?)");
		return -1;
	}
	return 0;
}

int
password_hash(const char *password, char out[PASSWORD_HASH_MAX],
    struct err *err)
{
	size_t len = strlen(password);

	/* Checked once here: the hash must fit the caller's buffer. */
	_Static_assert(crypto_pwhash_STRBYTES <= PASSWORD_HASH_MAX,
	    "PASSWORD_HASH_MAX is too small for libsodium's hash");
	if (len > PASSWORD_MAX) {
		err_set(err, ERR_INPUT, "the password is longer than %d "
		    "bytes", PASSWORD_MAX);
		return -1;
	}
	memset(out, 0, PASSWORD_HASH_MAX);
	if (crypto_pwhash_str(out, password, len, PASSWORD_OPSLIMIT,
	    PASSWORD_MEMLIMIT) != 0) {
		err_set(err, ERR_RUNTIME, "hashing the password: out of "
		    "memory");
		return -1;
	}
	return 0;
}

int
password_verify(const char *hash, const char *password)
{
	size_t len = strlen(password);

	if (len > PASSWORD_MAX || strlen(hash) >= crypto_pwhash_STRBYTES)
		return 0;
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

int
password_check_new(const char *password, struct err *err)
{
	if (strlen(password) < PASSWORD_MIN) {
		err_set(err, ERR_INPUT, "the password must be at least %d "
		    "characters long", PASSWORD_MIN);
		return -1;
	}
	return text_check("the password", password, PASSWORD_MAX, 0, err);
}

/* len characters of the alphabet into out, then a NUL. */
static void
random_chars(char *out, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = alphabet[randombytes_uniform(ALPHABET_LEN)];
	out[len] = '\0';
}

char *
password_generate(void)
{
	char *p;

	p = xmalloc(PASSWORD_OTP_LEN + 1);
	random_chars(p, PASSWORD_OTP_LEN);
	return p;
}

void
password_recovery_codes(struct strvec *codes, struct strvec *hashes)
{
	char raw[PASSWORD_RECOVERY_LEN + 1];
	char shown[PASSWORD_RECOVERY_SHOWN + 1];
	char hash[PASSWORD_CODE_HASH_LEN];
	size_t i, j, k;

	for (i = 0; i < PASSWORD_RECOVERY_COUNT; i++) {
		random_chars(raw, PASSWORD_RECOVERY_LEN);
		for (j = 0, k = 0; j < PASSWORD_RECOVERY_LEN; j++) {
			if (j > 0 && j % 4 == 0)
				shown[k++] = '-';
			shown[k++] = raw[j];
		}
		shown[k] = '\0';
		password_code_hash(raw, hash);
		strvec_push(codes, shown);
		strvec_push(hashes, hash);
	}
	password_wipe(raw, sizeof raw);
	password_wipe(shown, sizeof shown);
}

void
password_code_hash(const char *code, char out[PASSWORD_CODE_HASH_LEN])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	char c;

	/* As typed: "ABCD efgh-jkmn" is "abcdefghjkmn". */
	crypto_hash_sha256_init(&h);
	for (; *code != '\0'; code++) {
		c = *code;
		if (c == '-' || c == ' ' || c == '\t')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		crypto_hash_sha256_update(&h, (const unsigned char *)&c, 1);
	}
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(out, PASSWORD_CODE_HASH_LEN, digest, sizeof digest);
	password_wipe(&h, sizeof h);
}

int
password_hash_equal(const char *a, const char *b)
{
	if (strlen(a) != PASSWORD_CODE_HASH_LEN - 1 ||
	    strlen(b) != PASSWORD_CODE_HASH_LEN - 1)
		return 0;
	return sodium_memcmp(a, b, PASSWORD_CODE_HASH_LEN - 1) == 0;
}

void
password_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

void
password_wipe(void *buf, size_t len)
{
	sodium_memzero(buf, len);
}

void
password_free(char *s)
{
	if (s == NULL)
		return;
	password_wipe(s, strlen(s));
	free(s);
}
