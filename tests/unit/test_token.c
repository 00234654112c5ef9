/*
 * test_token.c: issuing and verifying verification tokens, and every
 * attack on them we know of, with hostile tokens built by hand (GnuTLS
 * HMAC and base64) so that libjwt's own leniency cannot hide a hole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <jansson.h>

#include "token.h"

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])

#define ISSUER		"https://msp.example"
#define NOW		INT64_C(1700000000)
#define TTL_DAYS	30
#define EXP		(NOW + TTL_DAYS * 86400)	/* 1702592000 */
#define JTI		"0123456789abcdef0123456789abcdef"

#define HDR		"{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"
/* The claims token_issue would write for tenant 7, generation 3. */
#define BASE_PAYLOAD	"{\"aud\":\"mscagent-verify\",\"email\":\"admin@msp.example\"," \
			"\"exp\":1702592000,\"gen\":3,\"iat\":1700000000," \
			"\"iss\":\"https://msp.example\",\"jti\":\"" JTI "\",\"sub\":\"7\"}"

/* How a forged token is signed. */
enum sig {
	SIG_HS256,	/* HMAC-SHA256 with key K (the ring's k1) */
	SIG_HS384,	/* HMAC-SHA384 with K */
	SIG_HS512,	/* HMAC-SHA512 with K */
	SIG_OTHER_KEY,	/* HMAC-SHA256 with another 32-byte key */
	SIG_EMPTY_KEY,	/* HMAC-SHA256 with an empty key */
	SIG_NONE,	/* no signature: "h.p." */
};

static const unsigned char key_k1[32] = "0123456789abcdefghijklmnopqrstu";
static const unsigned char key_other[32] = "UTSRQPONMLKJIHGFEDCBA9876543210";

static void
key_set(struct token_key *k, const char *kid, const unsigned char *key,
    size_t len)
{
	memset(k, 0, sizeof *k);
	snprintf(k->kid, sizeof k->kid, "%s", kid);
	memcpy(k->key, key, len);
	k->len = len;
}

/* A ring of one key, k1 = K. */
static void
ring_k1(struct token_keyring *kr)
{
	memset(kr, 0, sizeof *kr);
	key_set(&kr->keys[0], "k1", key_k1, sizeof key_k1);
	kr->n = 1;
}

/* base64url without padding; caller frees. */
static char *
b64url(const void *data, size_t len)
{
	gnutls_datum_t in, out;
	char *s;
	size_t i, n = 0;

	in.data = (unsigned char *)(uintptr_t)data;
	in.size = (unsigned int)len;
	if (len == 0)
		return strdup("");
	assert_int_equal(gnutls_base64_encode2(&in, &out), 0);
	s = malloc(out.size + 1);
	assert_non_null(s);
	for (i = 0; i < out.size; i++) {
		if (out.data[i] == '=')
			break;
		if (out.data[i] == '+')
			s[n++] = '-';
		else if (out.data[i] == '/')
			s[n++] = '_';
		else
			s[n++] = (char)out.data[i];
	}
	s[n] = '\0';
	gnutls_free(out.data);
	return s;
}

/*
 * header.payload.signature from the raw JSON texts, the signature an
 * HMAC with alg and key, or empty when alg is GNUTLS_MAC_NULL; caller
 * frees.
 */
static char *
sign_with(const char *header, const char *payload,
    gnutls_mac_algorithm_t alg, const unsigned char *key, size_t keylen)
{
	unsigned char mac[64];
	char *h, *p, *input, *s, *token;

	h = b64url(header, strlen(header));
	p = b64url(payload, strlen(payload));
	assert_true(asprintf(&input, "%s.%s", h, p) > 0);
	if (alg == GNUTLS_MAC_NULL)
		s = strdup("");
	else {
		assert_int_equal(gnutls_hmac_fast(alg, key, keylen, input,
		    strlen(input), mac), 0);
		s = b64url(mac, gnutls_hmac_get_len(alg));
	}
	assert_true(asprintf(&token, "%s.%s", input, s) > 0);
	free(h);
	free(p);
	free(input);
	free(s);
	return token;
}

static char *
forge(const char *header, const char *payload, enum sig sig)
{
	switch (sig) {
	case SIG_HS256:
		return sign_with(header, payload, GNUTLS_MAC_SHA256, key_k1,
		    sizeof key_k1);
	case SIG_HS384:
		return sign_with(header, payload, GNUTLS_MAC_SHA384, key_k1,
		    sizeof key_k1);
	case SIG_HS512:
		return sign_with(header, payload, GNUTLS_MAC_SHA512, key_k1,
		    sizeof key_k1);
	case SIG_OTHER_KEY:
		return sign_with(header, payload, GNUTLS_MAC_SHA256,
		    key_other, sizeof key_other);
	case SIG_EMPTY_KEY:
		return sign_with(header, payload, GNUTLS_MAC_SHA256, key_k1, 0);
	case SIG_NONE:
		break;
	}
	return sign_with(header, payload, GNUTLS_MAC_NULL, NULL, 0);
}

/*
 * BASE_PAYLOAD with patch merged in (a null value deletes the claim);
 * caller frees.  JSON_ALLOW_NUL lets a patch carry \u0000.
 */
static char *
patched(const char *patch)
{
	json_t *base, *p;
	const char *k;
	json_t *v;
	char *text;

	base = json_loads(BASE_PAYLOAD, 0, NULL);
	assert_non_null(base);
	if (patch != NULL) {
		p = json_loads(patch, JSON_ALLOW_NUL, NULL);
		assert_non_null(p);
		json_object_foreach(p, k, v) {
			if (json_is_null(v))
				json_object_del(base, k);
			else
				json_object_set(base, k, v);
		}
		json_decref(p);
	}
	text = json_dumps(base, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(text);
	json_decref(base);
	return text;
}

static void
check_status(const char *name, const char *token, int64_t now,
    enum token_status want)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	enum token_status st;

	ring_k1(&kr);
	err_clear(&err);
	memset(&c, 0xaa, sizeof c);
	st = token_verify(&kr, ISSUER, token, now, &c, &err);
	if (st != want)
		fail_msg("%s: status %d, want %d (%s)", name, st, want,
		    err.msg);
	if (st == TOKEN_INVALID) {
		if (err.kind != ERR_INPUT || err.msg[0] == '\0')
			fail_msg("%s: no reason given", name);
		/* Claims of a refused token are not left half-filled. */
		assert_int_equal(c.sub, 0);
		assert_string_equal(c.email, "");
		assert_string_equal(c.kid, "");
	} else {
		assert_true(c.sub > 0);
		assert_string_equal(c.kid, "k1");
	}
}

/* ------------------------------------------------------------------ */

static void
test_round_trip(void **state)
{
	struct token_keyring kr;
	struct token_claims issued, got;
	struct err err;
	char *token = NULL;

	(void)state;
	ring_k1(&kr);
	assert_int_equal(token_issue(&kr, ISSUER, 7, 3, "admin@msp.example",
	    NOW, TTL_DAYS, &issued, &token, &err), 0);
	assert_non_null(token);
	assert_true(strlen(token) <= TOKEN_MAX_LEN);
	assert_int_equal(issued.iat, NOW);
	assert_int_equal(issued.exp, EXP);
	assert_string_equal(issued.kid, "k1");

	assert_int_equal(token_verify(&kr, ISSUER, token, NOW, &got, &err),
	    TOKEN_VALID);
	assert_string_equal(got.iss, ISSUER);
	assert_string_equal(got.email, "admin@msp.example");
	assert_int_equal(got.sub, 7);
	assert_int_equal(got.gen, 3);
	assert_string_equal(got.jti, issued.jti);
	assert_int_equal(got.iat, NOW);
	assert_int_equal(got.exp, EXP);
	assert_string_equal(got.kid, "k1");
	assert_memory_equal(&got, &issued, sizeof got);

	/* Another issuer's agent does not accept it. */
	assert_int_equal(token_verify(&kr, "https://other.example", token,
	    NOW, &got, &err), TOKEN_INVALID);
	free(token);
}

/* The header and payload issued are exactly those SPEC §4 names. */
static void
test_issued_shape(void **state)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char *token = NULL, *h, *want, *payload, *patch;

	(void)state;
	ring_k1(&kr);
	assert_int_equal(token_issue(&kr, ISSUER, 7, 3, "admin@msp.example",
	    NOW, TTL_DAYS, &c, &token, &err), 0);
	h = b64url(HDR, strlen(HDR));
	assert_int_equal(strncmp(token, h, strlen(h)), 0);
	assert_int_equal(token[strlen(h)], '.');
	/* Same claims and jti by hand: the whole token is byte-identical. */
	assert_true(asprintf(&patch, "{\"jti\":\"%s\"}", c.jti) > 0);
	payload = patched(patch);
	want = forge(HDR, payload, SIG_HS256);
	assert_string_equal(token, want);
	free(payload);
	free(patch);
	free(want);
	free(h);
	free(token);
}

static void
test_jti_fresh(void **state)
{
	struct token_keyring kr;
	struct token_claims a, b;
	struct err err;
	char *ta = NULL, *tb = NULL;
	size_t i;

	(void)state;
	ring_k1(&kr);
	assert_int_equal(token_issue(&kr, ISSUER, 7, 3, "a@msp.example", NOW,
	    TTL_DAYS, &a, &ta, &err), 0);
	assert_int_equal(token_issue(&kr, ISSUER, 7, 3, "a@msp.example", NOW,
	    TTL_DAYS, &b, &tb, &err), 0);
	assert_string_not_equal(a.jti, b.jti);
	assert_string_not_equal(ta, tb);
	assert_int_equal(strlen(a.jti), TOKEN_JTI_LEN);
	for (i = 0; i < TOKEN_JTI_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", a.jti[i]));
	free(ta);
	free(tb);
}

static void
test_expiry(void **state)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char *token = NULL;

	(void)state;
	ring_k1(&kr);
	assert_int_equal(token_issue(&kr, ISSUER, 7, 3, "admin@msp.example",
	    NOW, TTL_DAYS, &c, &token, &err), 0);
	check_status("at exp - 1", token, EXP - 1, TOKEN_VALID);
	check_status("at exp", token, EXP, TOKEN_EXPIRED);
	check_status("at exp + 1", token, EXP + 1, TOKEN_EXPIRED);
	check_status("a year late", token, EXP + 365 * 86400, TOKEN_EXPIRED);
	/* An expired token still tells when it ran out. */
	memset(&c, 0, sizeof c);
	assert_int_equal(token_verify(&kr, ISSUER, token, EXP + 1, &c, &err),
	    TOKEN_EXPIRED);
	assert_int_equal(c.exp, EXP);
	assert_int_equal(c.sub, 7);
	assert_int_equal(c.gen, 3);
	free(token);
}

static void
test_key_rotation(void **state)
{
	struct token_keyring old, rotated, retired;
	struct token_claims c;
	struct err err;
	char *t_old = NULL, *t_new = NULL;
	static const unsigned char key_k2[32] = "another key of 32 bytes, rotate";

	(void)state;
	ring_k1(&old);
	assert_int_equal(token_issue(&old, ISSUER, 7, 3, "a@msp.example", NOW,
	    TTL_DAYS, &c, &t_old, &err), 0);

	/* Rotation: k2 signs now, k1 still verifies. */
	memset(&rotated, 0, sizeof rotated);
	key_set(&rotated.keys[0], "k2", key_k2, sizeof key_k2);
	key_set(&rotated.keys[1], "k1", key_k1, sizeof key_k1);
	rotated.n = 2;
	assert_int_equal(token_verify(&rotated, ISSUER, t_old, NOW, &c, &err),
	    TOKEN_VALID);
	assert_string_equal(c.kid, "k1");
	assert_int_equal(token_issue(&rotated, ISSUER, 7, 3, "a@msp.example",
	    NOW, TTL_DAYS, &c, &t_new, &err), 0);
	assert_string_equal(c.kid, "k2");
	assert_int_equal(token_verify(&rotated, ISSUER, t_new, NOW, &c, &err),
	    TOKEN_VALID);
	assert_string_equal(c.kid, "k2");
	/* The old ring never knew k2. */
	assert_int_equal(token_verify(&old, ISSUER, t_new, NOW, &c, &err),
	    TOKEN_INVALID);

	/* k1 retired: its tokens stop working. */
	memset(&retired, 0, sizeof retired);
	key_set(&retired.keys[0], "k2", key_k2, sizeof key_k2);
	retired.n = 1;
	assert_int_equal(token_verify(&retired, ISSUER, t_old, NOW, &c, &err),
	    TOKEN_INVALID);
	/* k1's name on k2's key: the name alone opens nothing. */
	key_set(&retired.keys[0], "k1", key_k2, sizeof key_k2);
	assert_int_equal(token_verify(&retired, ISSUER, t_old, NOW, &c, &err),
	    TOKEN_INVALID);
	/* A key past n is not in the ring. */
	rotated.n = 1;
	assert_int_equal(token_verify(&rotated, ISSUER, t_old, NOW, &c, &err),
	    TOKEN_INVALID);
	free(t_old);
	free(t_new);
}

/* ------------------------------------------------------------------ */
/* Hand-built tokens: header text, a patch to the claims, a signature. */

struct forged_row {
	const char		*name;
	const char		*header;
	const char		*patch;		/* merged into BASE_PAYLOAD */
	const char		*raw;		/* or the whole payload text */
	enum sig		 sig;
	enum token_status	 want;
};

static const struct forged_row forged_rows[] = {
	{ "well-formed", HDR, NULL, NULL, SIG_HS256, TOKEN_VALID },

	/* The algorithm. */
	{ "alg none, no signature",
	  "{\"alg\":\"none\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_NONE, TOKEN_INVALID },
	{ "alg none, HS256 signature",
	  "{\"alg\":\"none\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "alg NONE, no signature",
	  "{\"alg\":\"NONE\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_NONE, TOKEN_INVALID },
	{ "alg NONE, HS256 signature",
	  "{\"alg\":\"NONE\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "alg hs256",
	  "{\"alg\":\"hs256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "alg HS384 with K",
	  "{\"alg\":\"HS384\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS384, TOKEN_INVALID },
	{ "alg HS512 with K",
	  "{\"alg\":\"HS512\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS512, TOKEN_INVALID },
	{ "HS256 header, HS512 signature", HDR, NULL, NULL, SIG_HS512,
	  TOKEN_INVALID },
	{ "alg RS256 with an HMAC signature",
	  "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "alg missing", "{\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "alg as an array",
	  "{\"alg\":[\"HS256\"],\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "duplicate alg, none then HS256",
	  "{\"alg\":\"none\",\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "duplicate alg, the second escaped",
	  "{\"alg\":\"HS256\",\"a\\u006cg\":\"none\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "wrong key", HDR, NULL, NULL, SIG_OTHER_KEY, TOKEN_INVALID },
	{ "empty key", HDR, NULL, NULL, SIG_EMPTY_KEY, TOKEN_INVALID },
	{ "no signature", HDR, NULL, NULL, SIG_NONE, TOKEN_INVALID },

	/* The rest of the header. */
	{ "typ jwt", "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"jwt\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "typ JWS", "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWS\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "typ missing", "{\"alg\":\"HS256\",\"kid\":\"k1\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "kid unknown", "{\"alg\":\"HS256\",\"kid\":\"k9\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "kid missing", "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "kid empty", "{\"alg\":\"HS256\",\"kid\":\"\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "kid a number", "{\"alg\":\"HS256\",\"kid\":1,\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "kid a path",
	  "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "kid k1 then NUL",
	  "{\"alg\":\"HS256\",\"kid\":\"k1\\u0000\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "kid k1 with a space", "{\"alg\":\"HS256\",\"kid\":\"k1 \",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "kid an escape sequence",
	  "{\"alg\":\"HS256\",\"kid\":\"\\u001b[2J\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "kid k1 written with an escape (the same string)",
	  "{\"alg\":\"HS256\",\"kid\":\"k\\u0031\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_VALID },
	{ "kid K1", "{\"alg\":\"HS256\",\"kid\":\"K1\",\"typ\":\"JWT\"}",
	  NULL, NULL, SIG_HS256, TOKEN_INVALID },
	{ "extra jku header",
	  "{\"alg\":\"HS256\",\"jku\":\"https://evil.example/k\","
	  "\"kid\":\"k1\",\"typ\":\"JWT\"}", NULL, NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "header an array", "[\"HS256\",\"k1\",\"JWT\"]", NULL, NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "header not JSON", "alg=HS256", NULL, NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "header in spaced JSON",
	  "{ \"alg\" : \"HS256\", \"kid\" : \"k1\", \"typ\" : \"JWT\" }",
	  NULL, NULL, SIG_HS256, TOKEN_VALID },

	/* The payload as a whole. */
	{ "payload an array", HDR, NULL, "[" BASE_PAYLOAD "]", SIG_HS256,
	  TOKEN_INVALID },
	{ "payload a string", HDR, NULL, "\"sub\"", SIG_HS256,
	  TOKEN_INVALID },
	{ "payload empty object", HDR, NULL, "{}", SIG_HS256, TOKEN_INVALID },
	{ "payload not JSON", HDR, NULL, "sub=7", SIG_HS256, TOKEN_INVALID },
	{ "payload empty", HDR, NULL, "", SIG_HS256, TOKEN_INVALID },
	{ "payload object then junk", HDR, NULL, BASE_PAYLOAD "x", SIG_HS256,
	  TOKEN_INVALID },
	{ "duplicate exp", HDR, NULL,
	  "{\"aud\":\"mscagent-verify\",\"email\":\"admin@msp.example\","
	  "\"exp\":1,\"exp\":1702592000,\"gen\":3,\"iat\":1700000000,"
	  "\"iss\":\"https://msp.example\",\"jti\":\"" JTI "\",\"sub\":\"7\"}",
	  SIG_HS256, TOKEN_INVALID },
	{ "non-UTF-8 in the email", HDR, NULL,
	  "{\"aud\":\"mscagent-verify\",\"email\":\"admin\xff@msp.example\","
	  "\"exp\":1702592000,\"gen\":3,\"iat\":1700000000,"
	  "\"iss\":\"https://msp.example\",\"jti\":\"" JTI "\",\"sub\":\"7\"}",
	  SIG_HS256, TOKEN_INVALID },
	{ "an unknown claim is ignored", HDR, "{\"note\":\"hi\"}", NULL,
	  SIG_HS256, TOKEN_VALID },

	/* aud and iss. */
	{ "aud wrong", HDR, "{\"aud\":\"mscagent-verifyx\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "aud upper case", HDR, "{\"aud\":\"MSCAGENT-VERIFY\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "aud an array", HDR, "{\"aud\":[\"mscagent-verify\"]}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "aud missing", HDR, "{\"aud\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "aud with NUL", HDR, "{\"aud\":\"mscagent-verify\\u0000\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "iss wrong", HDR, "{\"iss\":\"https://evil.example\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "iss missing", HDR, "{\"iss\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "iss with NUL", HDR, "{\"iss\":\"https://msp.example\\u0000x\"}",
	  NULL, SIG_HS256, TOKEN_INVALID },
	{ "iss a prefix", HDR, "{\"iss\":\"https://msp.exampl\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },

	/* Times: now is NOW. */
	{ "exp a string", HDR, "{\"exp\":\"1702592000\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "exp a float", HDR, "{\"exp\":1702592000.0}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "exp in e notation", HDR, NULL,
	  "{\"aud\":\"mscagent-verify\",\"email\":\"admin@msp.example\","
	  "\"exp\":1.702592e9,\"gen\":3,\"iat\":1700000000,"
	  "\"iss\":\"https://msp.example\",\"jti\":\"" JTI "\",\"sub\":\"7\"}",
	  SIG_HS256, TOKEN_INVALID },
	{ "exp missing", HDR, "{\"exp\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "exp past 2^63", HDR, NULL,
	  "{\"aud\":\"mscagent-verify\",\"email\":\"admin@msp.example\","
	  "\"exp\":9223372036854775808,\"gen\":3,\"iat\":1700000000,"
	  "\"iss\":\"https://msp.example\",\"jti\":\"" JTI "\",\"sub\":\"7\"}",
	  SIG_HS256, TOKEN_INVALID },
	{ "exp one second ago", HDR, "{\"exp\":1699999999,\"iat\":1699990000}",
	  NULL, SIG_HS256, TOKEN_EXPIRED },
	{ "exp now", HDR, "{\"exp\":1700000000,\"iat\":1699990000}", NULL,
	  SIG_HS256, TOKEN_EXPIRED },
	{ "exp in one second", HDR, "{\"exp\":1700000001}", NULL, SIG_HS256,
	  TOKEN_VALID },
	{ "expired and wrong aud", HDR,
	  "{\"exp\":1699999999,\"iat\":1699990000,\"aud\":\"x\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "expired and wrong key", HDR,
	  "{\"exp\":1699999999,\"iat\":1699990000}", NULL, SIG_OTHER_KEY,
	  TOKEN_INVALID },
	{ "expired and gen 0", HDR,
	  "{\"exp\":1699999999,\"iat\":1699990000,\"gen\":0}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "iat 60 s ahead (skew)", HDR, "{\"iat\":1700000060}", NULL,
	  SIG_HS256, TOKEN_VALID },
	{ "iat 61 s ahead", HDR, "{\"iat\":1700000061}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "iat a day ahead", HDR, "{\"iat\":1700086400}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "iat missing", HDR, "{\"iat\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "iat a string", HDR, "{\"iat\":\"1700000000\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "iat negative", HDR, "{\"iat\":-1}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "iat after exp", HDR, "{\"iat\":1700000000,\"exp\":1699999999}",
	  NULL, SIG_HS256, TOKEN_INVALID },
	{ "nbf in the future", HDR, "{\"nbf\":1700000001}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "nbf now", HDR, "{\"nbf\":1700000000}", NULL, SIG_HS256,
	  TOKEN_VALID },
	{ "nbf a string", HDR, "{\"nbf\":\"0\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },

	/* sub: the tenant id as a decimal string. */
	{ "sub an integer", HDR, "{\"sub\":7}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub leading zero", HDR, "{\"sub\":\"07\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub plus sign", HDR, "{\"sub\":\"+7\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub negative", HDR, "{\"sub\":\"-7\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub zero", HDR, "{\"sub\":\"0\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub trailing space", HDR, "{\"sub\":\"7 \"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub with NUL", HDR, "{\"sub\":\"7\\u00001\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub empty", HDR, "{\"sub\":\"\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub not a number", HDR, "{\"sub\":\"seven\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "sub 2^63 - 1", HDR, "{\"sub\":\"9223372036854775807\"}", NULL,
	  SIG_HS256, TOKEN_VALID },
	{ "sub 2^63", HDR, "{\"sub\":\"9223372036854775808\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "sub 20 digits", HDR, "{\"sub\":\"10000000000000000000\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "sub missing", HDR, "{\"sub\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },

	/* gen. */
	{ "gen 0", HDR, "{\"gen\":0}", NULL, SIG_HS256, TOKEN_INVALID },
	{ "gen negative", HDR, "{\"gen\":-3}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "gen a string", HDR, "{\"gen\":\"3\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "gen a float", HDR, "{\"gen\":3.0}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "gen missing", HDR, "{\"gen\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },

	/* jti. */
	{ "jti 31 hex", HDR, "{\"jti\":\"0123456789abcdef0123456789abcde\"}",
	  NULL, SIG_HS256, TOKEN_INVALID },
	{ "jti 33 hex",
	  HDR, "{\"jti\":\"0123456789abcdef0123456789abcdef0\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "jti upper case",
	  HDR, "{\"jti\":\"0123456789ABCDEF0123456789abcdef\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "jti not hex",
	  HDR, "{\"jti\":\"0123456789abcdefg123456789abcdef\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "jti with NUL",
	  HDR, "{\"jti\":\"0123456789abcdef\\u000023456789abcdef\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "jti a number", HDR, "{\"jti\":12345}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "jti missing", HDR, "{\"jti\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },

	/* email. */
	{ "email missing", HDR, "{\"email\":null}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "email a number", HDR, "{\"email\":1}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "email empty", HDR, "{\"email\":\"\"}", NULL, SIG_HS256,
	  TOKEN_INVALID },
	{ "email with a newline", HDR, "{\"email\":\"a@b.example\\nBcc: x\"}",
	  NULL, SIG_HS256, TOKEN_INVALID },
	{ "email with NUL", HDR, "{\"email\":\"a@b.example\\u0000x\"}", NULL,
	  SIG_HS256, TOKEN_INVALID },
	{ "email in Unicode", HDR, "{\"email\":\"j\\u00f6rg@m\\u00fcller.example\"}",
	  NULL, SIG_HS256, TOKEN_VALID },
	/* Text whose base64url has '-' and '_' in every alignment: they
	 * are the two characters base64url does not share with base64. */
	{ "payload with - and _", HDR, "{\"email\":\"?>>>?@msp.example\"}",
	  NULL, SIG_HS256, TOKEN_VALID },
	{ "payload with - and _, shifted", HDR,
	  "{\"email\":\"x?>>>?~?>@msp.example\"}", NULL, SIG_HS256,
	  TOKEN_VALID },
	{ "payload with - and _, shifted twice", HDR,
	  "{\"email\":\"xy?~?~?>>>@msp.example\"}", NULL, SIG_HS256,
	  TOKEN_VALID },
	/* A kid longer than any key's may have: no key is looked for. */
	{ "kid of 65 bytes", "{\"alg\":\"HS256\",\"kid\":\""
	  "k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k"
	  "\",\"typ\":\"JWT\"}", NULL, NULL, SIG_HS256, TOKEN_INVALID },
};

static void
test_forged(void **state)
{
	const struct forged_row *r;
	char *payload, *token;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(forged_rows); i++) {
		r = &forged_rows[i];
		payload = r->raw != NULL ? strdup(r->raw) : patched(r->patch);
		token = forge(r->header, payload, r->sig);
		check_status(r->name, token, NOW, r->want);
		free(payload);
		free(token);
	}
}

/* The reason for the log quotes nothing the attacker wrote. */
static void
test_reason_quotes_nothing(void **state)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char *token;

	(void)state;
	ring_k1(&kr);
	token = forge("{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\","
	    "\"typ\":\"JWT\"}", BASE_PAYLOAD, SIG_HS256);
	assert_int_equal(token_verify(&kr, ISSUER, token, NOW, &c, &err),
	    TOKEN_INVALID);
	assert_null(strstr(err.msg, "passwd"));
	assert_non_null(strstr(err.msg, "kid"));
	free(token);
}

/* A key too short to trust does not verify even when the kid matches. */
static void
test_short_ring_key(void **state)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char *token;

	(void)state;
	ring_k1(&kr);
	kr.keys[0].len = TOKEN_KEY_MIN - 1;	/* K cut to its first 31 bytes */
	token = sign_with(HDR, BASE_PAYLOAD, GNUTLS_MAC_SHA256, key_k1,
	    TOKEN_KEY_MIN - 1);
	assert_int_equal(token_verify(&kr, ISSUER, token, NOW, &c, &err),
	    TOKEN_INVALID);
	free(token);
}

/* ------------------------------------------------------------------ */
/* Damage to a good token: every one-character change, every cut. */

static char *
good_token(void)
{
	return forge(HDR, BASE_PAYLOAD, SIG_HS256);
}

static void
test_every_char_changed(void **state)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *t = good_token();
	char name[64];
	const char *p;
	size_t i, len = strlen(t);
	char saved;

	(void)state;
	check_status("unchanged", t, NOW, TOKEN_VALID);
	for (i = 0; i < len; i++) {
		if (t[i] == '.')
			continue;
		saved = t[i];
		/* The next letter of the alphabet: changes at least one bit,
		 * and in the last character of a part only the bits that
		 * base64url ignores, unless it is refused. */
		p = strchr(alphabet, saved);
		assert_non_null(p);
		t[i] = p[1] != '\0' ? p[1] : alphabet[0];
		snprintf(name, sizeof name, "char %zu changed", i);
		check_status(name, t, NOW, TOKEN_INVALID);
		t[i] = saved;
	}
	free(t);
}

static void
test_every_cut(void **state)
{
	char *t = good_token();
	char *cut;
	char name[64];
	size_t i, len = strlen(t);

	(void)state;
	cut = malloc(len + 1);
	assert_non_null(cut);
	/* Every prefix, the empty one included. */
	for (i = 0; i < len; i++) {
		memcpy(cut, t, i);
		cut[i] = '\0';
		snprintf(name, sizeof name, "first %zu chars", i);
		check_status(name, cut, NOW, TOKEN_INVALID);
	}
	/* Every single character taken out, wherever it is. */
	for (i = 0; i < len; i++) {
		memcpy(cut, t, i);
		memcpy(cut + i, t + i + 1, len - i);
		snprintf(name, sizeof name, "char %zu removed", i);
		check_status(name, cut, NOW, TOKEN_INVALID);
	}
	free(cut);
	free(t);
}

struct wrap_row {
	const char	*name;
	const char	*before;
	const char	*after;
	int		 drop_sig;	/* cut the token after the second dot */
};

static const struct wrap_row wrap_rows[] = {
	{ "padding on the signature", "", "=", 0 },
	{ "double padding", "", "==", 0 },
	{ "a fourth part", "", ".e30", 0 },
	{ "a trailing dot", "", ".", 0 },
	{ "a leading dot", ".", "", 0 },
	{ "a leading space", " ", "", 0 },
	{ "a trailing newline", "", "\n", 0 },
	{ "a trailing CR LF", "", "\r\n", 0 },
	{ "Bearer prefix", "Bearer ", "", 0 },
	{ "a byte 0xff", "", "\xff", 0 },
	{ "a leading 0xff", "\xff", "", 0 },
	{ "valid UTF-8 but not ASCII", "", "\xc3\xa9", 0 },
	{ "standard base64 '+'", "", "+", 0 },
	{ "signature dropped", "", "", 1 },
	{ "two parts", "", "", 2 },
};

static void
test_wrapped(void **state)
{
	char *t = good_token();
	char *w, *dot;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(wrap_rows); i++) {
		assert_true(asprintf(&w, "%s%s%s", wrap_rows[i].before, t,
		    wrap_rows[i].after) > 0);
		if (wrap_rows[i].drop_sig != 0) {
			dot = strrchr(w, '.');
			/* 1: keep "h.p."; 2: keep "h.p". */
			dot[wrap_rows[i].drop_sig == 1 ? 1 : 0] = '\0';
		}
		check_status(wrap_rows[i].name, w, NOW, TOKEN_INVALID);
		free(w);
	}
	free(t);
}

/* Padding inside the header part, then a correct signature over it. */
static void
test_padded_header_resigned(void **state)
{
	char *token;

	(void)state;
	/* The header is 38 bytes, 51 characters: one '=' short of 52. */
	token = sign_with(HDR, BASE_PAYLOAD, GNUTLS_MAC_SHA256, key_k1,
	    sizeof key_k1);
	check_status("as forged", token, NOW, TOKEN_VALID);
	free(token);
	{
		unsigned char mac[32];
		char *h, *p, *in, *s;

		h = b64url(HDR, strlen(HDR));
		p = b64url(BASE_PAYLOAD, strlen(BASE_PAYLOAD));
		assert_true(asprintf(&in, "%s=.%s", h, p) > 0);
		assert_int_equal(gnutls_hmac_fast(GNUTLS_MAC_SHA256, key_k1,
		    sizeof key_k1, in, strlen(in), mac), 0);
		s = b64url(mac, sizeof mac);
		assert_true(asprintf(&token, "%s.%s", in, s) > 0);
		free(h);
		free(p);
		free(in);
		free(s);
	}
	check_status("header with '='", token, NOW, TOKEN_INVALID);
	free(token);
}

struct text_row {
	const char	*name;
	const char	*token;
};

static const struct text_row text_rows[] = {
	{ "empty", "" },
	{ "one dot", "." },
	{ "two dots", ".." },
	{ "three dots", "..." },
	{ "words", "not a token" },
	{ "three junk parts", "AAAA.BBBB.CCCC" },
	{ "base64 with stray bits", "QR.QR.QR" },
	{ "one char parts", "A.A.A" },
	{ "non-UTF-8", "\xc0\xaf.\xc0\xaf.\xc0\xaf" },
};

static void
test_junk(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(text_rows); i++)
		check_status(text_rows[i].name, text_rows[i].token, NOW,
		    TOKEN_INVALID);
}

/* ------------------------------------------------------------------ */
/* Size: TOKEN_MAX_LEN is allowed, one byte more is refused unread. */

/*
 * A correctly signed token of exactly len characters, padded with an
 * unknown claim.  The header is written with or without one space so
 * that every length can be reached (a base64url part is never 4n + 1
 * long).  Caller frees.
 */
static char *
forge_of_length(size_t len)
{
	static const char *headers[] = {
		HDR,
		"{\"alg\":\"HS256\", \"kid\":\"k1\",\"typ\":\"JWT\"}",
	};
	char *pad, *patch, *payload, *token;
	size_t h, n;

	for (h = 0; h < NROWS(headers); h++) {
		/* Each pad byte adds 4/3 characters; the rest is < 400. */
		for (n = len * 3 / 4 - 400; n < len * 3 / 4; n++) {
			pad = malloc(n + 1);
			assert_non_null(pad);
			memset(pad, 'x', n);
			pad[n] = '\0';
			assert_true(asprintf(&patch, "{\"pad\":\"%s\"}", pad) > 0);
			payload = patched(patch);
			token = forge(headers[h], payload, SIG_HS256);
			free(pad);
			free(patch);
			free(payload);
			if (strlen(token) == len)
				return token;
			free(token);
		}
	}
	fail_msg("no token of length %zu", len);
	return NULL;
}

static void
test_size_limit(void **state)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char *t, *big;

	(void)state;
	ring_k1(&kr);
	t = forge_of_length(TOKEN_MAX_LEN);
	check_status("exactly TOKEN_MAX_LEN", t, NOW, TOKEN_VALID);
	/* The same token with a byte changed is refused, not a crash. */
	t[TOKEN_MAX_LEN - 1] = t[TOKEN_MAX_LEN - 1] == 'A' ? 'B' : 'A';
	check_status("TOKEN_MAX_LEN, damaged", t, NOW, TOKEN_INVALID);
	free(t);

	t = forge_of_length(TOKEN_MAX_LEN + 1);
	assert_int_equal(token_verify(&kr, ISSUER, t, NOW, &c, &err),
	    TOKEN_INVALID);
	assert_non_null(strstr(err.msg, "longer than"));
	free(t);

	/* Junk at the limit and far past it. */
	big = malloc(1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, 'A', 1024 * 1024);
	big[1024 * 1024] = '\0';
	big[100] = '.';
	big[200] = '.';
	check_status("1 MiB", big, NOW, TOKEN_INVALID);
	big[TOKEN_MAX_LEN] = '\0';
	check_status("TOKEN_MAX_LEN of junk", big, NOW, TOKEN_INVALID);
	free(big);
}

/* ------------------------------------------------------------------ */
/* Arguments. */

static void
test_verify_arguments(void **state)
{
	struct token_keyring kr, bad;
	struct token_claims c;
	struct err err;
	char *t = good_token();
	char long_issuer[TOKEN_ISS_MAX + 2];

	(void)state;
	ring_k1(&kr);
	assert_int_equal(token_verify(NULL, ISSUER, t, NOW, &c, &err),
	    TOKEN_INVALID);
	assert_int_equal(token_verify(&kr, NULL, t, NOW, &c, &err),
	    TOKEN_INVALID);
	assert_int_equal(token_verify(&kr, "", t, NOW, &c, &err),
	    TOKEN_INVALID);
	assert_int_equal(token_verify(&kr, ISSUER, NULL, NOW, &c, &err),
	    TOKEN_INVALID);
	memset(long_issuer, 'i', sizeof long_issuer - 1);
	long_issuer[sizeof long_issuer - 1] = '\0';
	assert_int_equal(token_verify(&kr, long_issuer, t, NOW, &c, &err),
	    TOKEN_INVALID);
	/* An empty ring, and a count past the array, find nothing wrong. */
	memset(&bad, 0, sizeof bad);
	assert_int_equal(token_verify(&bad, ISSUER, t, NOW, &c, &err),
	    TOKEN_INVALID);
	bad = kr;
	bad.n = 1000;
	assert_int_equal(token_verify(&bad, ISSUER, t, NOW, &c, &err),
	    TOKEN_VALID);
	free(t);
}

struct issue_row {
	const char	*name;
	size_t		 keylen;	/* of keys[0] */
	const char	*kid;
	size_t		 nkeys;
	const char	*issuer;
	int64_t		 sub;
	int64_t		 gen;
	const char	*email;
	int64_t		 now;
	int		 ttl_days;
	int		 ok;
};

#define OK_ARGS	ISSUER, 7, 3, "admin@msp.example", NOW, TTL_DAYS

static const struct issue_row issue_rows[] = {
	{ "32-byte key", 32, "k1", 1, OK_ARGS, 1 },
	{ "31-byte key", 31, "k1", 1, OK_ARGS, 0 },
	{ "1-byte key", 1, "k1", 1, OK_ARGS, 0 },
	{ "empty key", 0, "k1", 1, OK_ARGS, 0 },
	{ "1024-byte key", 1024, "k1", 1, OK_ARGS, 1 },
	{ "1025-byte key", 1025, "k1", 1, OK_ARGS, 0 },
	{ "empty kid", 32, "", 1, OK_ARGS, 0 },
	{ "64-byte kid", 32,
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", 1,
	  OK_ARGS, 1 },
	{ "no keys", 32, "k1", 0, OK_ARGS, 0 },
	{ "n past the array", 32, "k1", TOKEN_KEYS_MAX + 1, OK_ARGS, 0 },
	{ "no issuer", 32, "k1", 1, NULL, 7, 3, "a@b.example", NOW, 30, 0 },
	{ "empty issuer", 32, "k1", 1, "", 7, 3, "a@b.example", NOW, 30, 0 },
	{ "issuer with a newline", 32, "k1", 1, "a\nb", 7, 3, "a@b.example",
	  NOW, 30, 0 },
	{ "no email", 32, "k1", 1, ISSUER, 7, 3, NULL, NOW, 30, 0 },
	{ "email not UTF-8", 32, "k1", 1, ISSUER, 7, 3, "a\xff@b.example", NOW,
	  30, 0 },
	{ "email with CR", 32, "k1", 1, ISSUER, 7, 3, "a@b.example\r", NOW,
	  30, 0 },
	{ "sub 0", 32, "k1", 1, ISSUER, 0, 3, "a@b.example", NOW, 30, 0 },
	{ "sub negative", 32, "k1", 1, ISSUER, -7, 3, "a@b.example", NOW, 30,
	  0 },
	{ "sub largest", 32, "k1", 1, ISSUER, INT64_MAX, 3, "a@b.example",
	  NOW, 30, 1 },
	{ "gen 0", 32, "k1", 1, ISSUER, 7, 0, "a@b.example", NOW, 30, 0 },
	{ "gen negative", 32, "k1", 1, ISSUER, 7, -1, "a@b.example", NOW, 30,
	  0 },
	{ "ttl 0", 32, "k1", 1, ISSUER, 7, 3, "a@b.example", NOW, 0, 0 },
	{ "ttl 1", 32, "k1", 1, ISSUER, 7, 3, "a@b.example", NOW, 1, 1 },
	{ "ttl 365", 32, "k1", 1, ISSUER, 7, 3, "a@b.example", NOW, 365, 1 },
	{ "ttl 366", 32, "k1", 1, ISSUER, 7, 3, "a@b.example", NOW, 366, 0 },
	{ "now negative", 32, "k1", 1, ISSUER, 7, 3, "a@b.example", -1, 30,
	  0 },
	{ "now near the end of time", 32, "k1", 1, ISSUER, 7, 3,
	  "a@b.example", INT64_MAX - 86400, 30, 0 },
};

static void
test_issue_arguments(void **state)
{
	static unsigned char keybytes[TOKEN_KEY_MAX];
	const struct issue_row *r;
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char *token;
	size_t i;
	int rc;

	(void)state;
	memset(keybytes, 0x5a, sizeof keybytes);
	for (i = 0; i < NROWS(issue_rows); i++) {
		r = &issue_rows[i];
		memset(&kr, 0, sizeof kr);
		snprintf(kr.keys[0].kid, sizeof kr.keys[0].kid, "%s", r->kid);
		memcpy(kr.keys[0].key, keybytes, sizeof kr.keys[0].key);
		kr.keys[0].len = r->keylen;
		kr.n = r->nkeys;
		err_clear(&err);
		token = (char *)1;
		rc = token_issue(&kr, r->issuer, r->sub, r->gen, r->email,
		    r->now, r->ttl_days, &c, &token, &err);
		if ((rc == 0) != r->ok)
			fail_msg("%s: rc %d (%s)", r->name, rc, err.msg);
		if (rc == -1) {
			assert_null(token);
			assert_int_equal(err.kind, ERR_INPUT);
			assert_string_equal(c.jti, "");
			continue;
		}
		/* What was issued verifies, at the boundaries too. */
		assert_int_equal(token_verify(&kr, r->issuer, token, r->now,
		    &c, &err), TOKEN_VALID);
		assert_int_equal(c.sub, r->sub);
		assert_int_equal(c.exp, r->now + r->ttl_days * INT64_C(86400));
		free(token);
	}
	assert_int_equal(token_issue(NULL, ISSUER, 7, 3, "a@b.example", NOW,
	    30, &c, &token, &err), -1);
	assert_null(token);
}

/* A string of n bytes: 'a's then "@b.example"; caller frees. */
static char *
email_of(size_t n)
{
	static const char domain[] = "@b.example";
	char *s;

	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, 'a', n);
	memcpy(s + n - strlen(domain), domain, strlen(domain));
	s[n] = '\0';
	return s;
}

static void
test_lengths(void **state)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char issuer[TOKEN_ISS_MAX + 2];
	char *email, *patch, *payload, *token;
	size_t n;

	(void)state;
	ring_k1(&kr);
	for (n = TOKEN_EMAIL_MAX; n <= TOKEN_EMAIL_MAX + 1; n++) {
		email = email_of(n);
		assert_true(asprintf(&patch, "{\"email\":\"%s\"}", email) > 0);
		payload = patched(patch);
		token = forge(HDR, payload, SIG_HS256);
		check_status(n == TOKEN_EMAIL_MAX ? "longest email" :
		    "email one byte too long", token, NOW,
		    n == TOKEN_EMAIL_MAX ? TOKEN_VALID : TOKEN_INVALID);
		free(token);
		assert_int_equal(token_issue(&kr, ISSUER, 7, 3, email, NOW,
		    TTL_DAYS, &c, &token, &err), n == TOKEN_EMAIL_MAX ? 0 : -1);
		if (token != NULL) {
			assert_int_equal(token_verify(&kr, ISSUER, token, NOW,
			    &c, &err), TOKEN_VALID);
			assert_string_equal(c.email, email);
		}
		free(token);
		free(payload);
		free(patch);
		free(email);
	}

	memset(issuer, 'i', sizeof issuer);
	issuer[TOKEN_ISS_MAX] = '\0';
	assert_int_equal(token_issue(&kr, issuer, 7, 3, "a@b.example", NOW,
	    TTL_DAYS, &c, &token, &err), 0);
	assert_int_equal(token_verify(&kr, issuer, token, NOW, &c, &err),
	    TOKEN_VALID);
	assert_string_equal(c.iss, issuer);
	free(token);
	issuer[TOKEN_ISS_MAX] = 'i';
	issuer[TOKEN_ISS_MAX + 1] = '\0';
	assert_int_equal(token_issue(&kr, issuer, 7, 3, "a@b.example", NOW,
	    TTL_DAYS, &c, &token, &err), -1);
}

/* ------------------------------------------------------------------ */
/* Issuing at the edges of what the claims may hold. */

/* n bytes of s over and over (ASCII only, so no character is cut). */
static char *
cycled(const char *s, size_t n)
{
	char *out;
	size_t i, len = strlen(s);

	out = malloc(n + 1);
	assert_non_null(out);
	for (i = 0; i < n; i++)
		out[i] = s[i % len];
	out[n] = '\0';
	return out;
}

#define LATEST	(INT64_MAX - (int64_t)TOKEN_TTL_DAYS_MAX * 86400)

struct edge_row {
	const char	*name;
	const char	*kid;
	unsigned char	 key0;		/* key bytes: key0, key0 + 1, ... */
	size_t		 keylen;
	const char	*issuer;
	size_t		 iss_len;	/* 0: issuer as it is; else cycled */
	int64_t		 sub;
	int64_t		 gen;
	const char	*email;
	size_t		 email_len;	/* 0: email as it is; else cycled */
	int64_t		 now;
	int		 ttl_days;
};

static const struct edge_row edge_rows[] = {
	{ "plain", "k1", 'a', 32, ISSUER, 0, 7, 3, "admin@msp.example", 0,
	  NOW, TTL_DAYS },
	{ "longest issuer", "k1", 'a', 32, "https://msp.example/",
	  TOKEN_ISS_MAX, 7, 3, "admin@msp.example", 0, NOW, TTL_DAYS },
	{ "issuer with quotes, backslashes and a query", "k1", 'a', 32,
	  "https://msp.example/\"a\\b\"/c?d=e&f=<g>", 0, 7, 3,
	  "admin@msp.example", 0, NOW, TTL_DAYS },
	{ "email with a +tag", "k1", 'a', 32, ISSUER, 0, 7, 3,
	  "first.last+migration-2026@sub.msp.example", 0, NOW, TTL_DAYS },
	{ "email with every printable edge", "k1", 'a', 32, ISSUER, 0, 7, 3,
	  "o'brien+x/y=z{a}|~!#$%&*^`?\"q\\ @msp.example", 0, NOW, TTL_DAYS },
	{ "longest email, escapes throughout", "k1", 'a', 32, ISSUER, 0, 7, 3,
	  "a+t\"\\/@m.example", TOKEN_EMAIL_MAX, NOW, TTL_DAYS },
	{ "email in UTF-8", "k1", 'a', 32, ISSUER, 0, 7, 3,
	  "j\xc3\xb6rg+\xe2\x82\xac@b\xc3\xbc" "cher.example", 0, NOW,
	  TTL_DAYS },
	{ "largest sub and gen, exp at INT64_MAX", "k1", 'a', 32, ISSUER, 0,
	  INT64_MAX, INT64_MAX, "admin@msp.example", 0, LATEST,
	  TOKEN_TTL_DAYS_MAX },
	{ "smallest sub, gen, time and ttl", "k1", 'a', 32, ISSUER, 0, 1, 1,
	  "a@b", 0, 0, 1 },
	{ "ten-digit values", "k1", 'a', 32, ISSUER, 0, 4294967296, 2147483648,
	  "admin@msp.example", 0, 4102444800, 90 },
	{ "longest kid, longest key", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkk.", 'x', TOKEN_KEY_MAX, ISSUER, 0, 7, 3,
	  "admin@msp.example", 0, NOW, TTL_DAYS },
	{ "rotation kid, 33-byte key", "2026-12.rotation_b", 0x80, 33, ISSUER,
	  0, 7, 3, "admin@msp.example", 0, NOW, TTL_DAYS },
	{ "key of one HMAC block, NUL bytes in it", "k0", 0, 64, ISSUER, 0, 7,
	  3, "admin@msp.example", 0, NOW, TTL_DAYS },
	{ "key one byte over an HMAC block", "k65", 0xf0, 65, ISSUER, 0, 7, 3,
	  "admin@msp.example", 0, NOW, TTL_DAYS },
	{ "kid with a quote and a backslash", "k\"1\\", 'a', 32, ISSUER, 0, 7,
	  3, "admin@msp.example", 0, NOW, TTL_DAYS },
};

static void
edge_ring(struct token_keyring *kr, const struct edge_row *r)
{
	size_t i;

	memset(kr, 0, sizeof *kr);
	snprintf(kr->keys[0].kid, sizeof kr->keys[0].kid, "%s", r->kid);
	for (i = 0; i < r->keylen; i++)
		kr->keys[0].key[i] = (unsigned char)(r->key0 + i);
	kr->keys[0].len = r->keylen;
	kr->n = 1;
}

/*
 * Every row is issued and verifies, giving back exactly the claims it
 * was issued with: escapes, UTF-8 and the largest numbers survive.
 */
static void
test_issue_edges(void **state)
{
	const struct edge_row *r;
	struct token_keyring kr;
	struct token_claims c, got;
	struct err err;
	char *issuer, *email, *token;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(edge_rows); i++) {
		r = &edge_rows[i];
		edge_ring(&kr, r);
		issuer = r->iss_len > 0 ? cycled(r->issuer, r->iss_len) :
		    strdup(r->issuer);
		email = r->email_len > 0 ? cycled(r->email, r->email_len) :
		    strdup(r->email);
		assert_non_null(issuer);
		assert_non_null(email);
		err_clear(&err);
		token = NULL;
		if (token_issue(&kr, issuer, r->sub, r->gen, email, r->now,
		    r->ttl_days, &c, &token, &err) == -1)
			fail_msg("%s: not issued (%s)", r->name, err.msg);
		if (token_verify(&kr, issuer, token, r->now, &got, &err) !=
		    TOKEN_VALID)
			fail_msg("%s: does not verify (%s)", r->name, err.msg);
		assert_memory_equal(&got, &c, sizeof got);
		assert_string_equal(got.email, email);
		free(token);
		free(email);
		free(issuer);
	}
}

/*
 * A kid that is not UTF-8 cannot be written in JSON: token_issue
 * refuses it as a failure to sign, and hands out no token.
 */
static void
test_kid_not_utf8(void **state)
{
	struct token_keyring kr;
	struct token_claims c;
	struct err err;
	char *token = (char *)1;

	(void)state;
	ring_k1(&kr);
	snprintf(kr.keys[0].kid, sizeof kr.keys[0].kid, "k\xff");
	err_clear(&err);
	assert_int_equal(token_issue(&kr, ISSUER, 7, 3, "admin@msp.example",
	    NOW, TTL_DAYS, &c, &token, &err), -1);
	assert_null(token);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "cannot sign"));
	assert_string_equal(c.jti, "");
}

/*
 * What is issued with key A does not verify under key B of the same
 * kid, and a signature with one character changed is refused.
 */
static void
test_issued_signature_binds(void **state)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct token_keyring a, b;
	struct token_claims c;
	struct err err;
	char *token = NULL, *sig;
	const char *p;
	size_t at[3], i;
	char saved;

	(void)state;
	ring_k1(&a);
	assert_int_equal(token_issue(&a, ISSUER, 7, 3, "admin@msp.example",
	    NOW, TTL_DAYS, &c, &token, &err), 0);
	check_status("issued", token, NOW, TOKEN_VALID);
	memset(&b, 0, sizeof b);
	key_set(&b.keys[0], "k1", key_other, sizeof key_other);
	b.n = 1;
	assert_int_equal(token_verify(&b, ISSUER, token, NOW, &c, &err),
	    TOKEN_INVALID);

	sig = strrchr(token, '.') + 1;
	assert_int_equal(strlen(sig), 43);	/* 32 bytes, unpadded */
	/* The first, a middle and the last character of the signature. */
	at[0] = 0;
	at[1] = 21;
	at[2] = 42;
	for (i = 0; i < NROWS(at); i++) {
		saved = sig[at[i]];
		p = strchr(alphabet, saved);
		assert_non_null(p);
		sig[at[i]] = p[1] != '\0' ? p[1] : alphabet[0];
		check_status("signature changed", token, NOW, TOKEN_INVALID);
		sig[at[i]] = saved;
	}
	check_status("signature restored", token, NOW, TOKEN_VALID);
	free(token);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_issued_shape),
		cmocka_unit_test(test_jti_fresh),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_key_rotation),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_reason_quotes_nothing),
		cmocka_unit_test(test_short_ring_key),
		cmocka_unit_test(test_every_char_changed),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_wrapped),
		cmocka_unit_test(test_padded_header_resigned),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_verify_arguments),
		cmocka_unit_test(test_issue_arguments),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_issue_edges),
		cmocka_unit_test(test_kid_not_utf8),
		cmocka_unit_test(test_issued_signature_binds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
