/*
 * fuzz_token.c: a verification token (token.c) against a fixed keyring.
 *
 * Random bytes almost never carry a good signature, and the claims are
 * only read after it; so besides a whole token ("eyJ..."), an input may
 * be "P" and a payload, or "H" and a header, that the target encodes and
 * signs with key k1 itself before token_verify sees the token.
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "fuzz.h"

#define HEADER_K1	"{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"
#define PAYLOAD_GOOD	"{\"aud\":\"mscagent-verify\"," \
			"\"email\":\"ops@msp.example\",\"exp\":1782592000," \
			"\"gen\":3,\"iat\":1780000000,\"iss\":\"mscagent\"," \
			"\"jti\":\"0123456789abcdef0123456789abcdef\"," \
			"\"sub\":\"7\"}"

/* Appends data in base64url without padding. */
static void
b64url(struct buf *b, const void *data, size_t len)
{
	gnutls_datum_t in = { (unsigned char *)(uintptr_t)data,
	    (unsigned int)len }, out = { NULL, 0 };
	size_t i;

	fuzz_require(gnutls_base64_encode2(&in, &out) == 0, "base64 encodes");
	for (i = 0; i < out.size && out.data[i] != '='; i++) {
		if (out.data[i] == '+')
			buf_append(b, "-", 1);
		else if (out.data[i] == '/')
			buf_append(b, "_", 1);
		else
			buf_append(b, (const char *)&out.data[i], 1);
	}
	gnutls_free(out.data);
}

/* header.payload.signature, signed with kr's k1; caller frees. */
static char *
signed_token(const struct token_keyring *kr, const void *header,
    size_t hlen, const void *payload, size_t plen)
{
	struct buf b = { 0 };
	unsigned char mac[32];

	b64url(&b, header, hlen);
	buf_append(&b, ".", 1);
	b64url(&b, payload, plen);
	fuzz_require(gnutls_hmac_fast(GNUTLS_MAC_SHA256, kr->keys[0].key,
	    kr->keys[0].len, b.data, b.len, mac) == 0, "HMAC works");
	buf_append(&b, ".", 1);
	b64url(&b, mac, sizeof mac);
	return buf_release(&b);
}

/* What token.h promises of each answer. */
static void
check_answer(enum token_status st, const struct token_claims *c,
    const struct err *err)
{
	static const struct token_claims zero;

	if (st == TOKEN_INVALID) {
		fuzz_require(memcmp(c, &zero, sizeof zero) == 0,
		    "an invalid token leaves the claims zeroed");
		fuzz_require(err->kind == ERR_INPUT, "a refusal is ERR_INPUT");
		return;
	}
	fuzz_require(st == TOKEN_VALID || st == TOKEN_EXPIRED,
	    "a known status");
	fuzz_require(c->sub > 0 && c->gen > 0, "sub and gen above 0");
	fuzz_require(c->iat >= 0 && c->exp > c->iat, "iat before exp");
	fuzz_require(c->iat - TOKEN_CLOCK_SKEW <= FUZZ_NOW, "iat not ahead");
	fuzz_require((st == TOKEN_VALID) == (c->exp > FUZZ_NOW),
	    "expired exactly when exp <= now");
	fuzz_require(strlen(c->jti) == TOKEN_JTI_LEN &&
	    strspn(c->jti, "0123456789abcdef") == TOKEN_JTI_LEN,
	    "jti is 32 lowercase hex digits");
	fuzz_require(*c->email != '\0' && utf8_valid(c->email,
	    strlen(c->email)), "an email");
	fuzz_require(strcmp(c->iss, FUZZ_ISSUER) == 0, "our issuer");
	fuzz_require(strcmp(c->kid, "k1") == 0 || strcmp(c->kid, "k2") == 0,
	    "one of our kids");
}

static void
verify(const struct token_keyring *kr, const char *token)
{
	struct token_claims c;
	struct err err = { 0 };
	enum token_status st;

	st = token_verify(kr, FUZZ_ISSUER, token, FUZZ_NOW, &c, &err);
	check_answer(st, &c, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct token_keyring kr;
	char *token;

	if (kr.n == 0)
		fuzz_keyring(&kr);
	if (size > 0 && data[0] == 'P')
		token = signed_token(&kr, HEADER_K1, strlen(HEADER_K1),
		    data + 1, size - 1);
	else if (size > 0 && data[0] == 'H')
		token = signed_token(&kr, data + 1, size - 1, PAYLOAD_GOOD,
		    strlen(PAYLOAD_GOOD));
	else
		token = fuzz_string(data, size);
	verify(&kr, token);
	free(token);
	return 0;
}
