/* token.c: issuing and verifying the HS256 verification tokens (SPEC §4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <jansson.h>
#include <jwt.h>

#include "token.h"

#define DAY_SECONDS	86400
#define JTI_BYTES	(TOKEN_JTI_LEN / 2)
#define SUB_DIGITS_MAX	19	/* as many as INT64_MAX has */

/* One dot-separated part of a token, not NUL-terminated. */
struct segment {
	const char	*s;
	size_t		 len;
};

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 1 when v is a JSON string equal to want, not merely starting with it. */
static int
json_string_is(const json_t *v, const char *want)
{
	size_t len = strlen(want);

	return json_is_string(v) && json_string_length(v) == len &&
	    memcmp(json_string_value(v), want, len) == 0;
}

/*
 * 1 when v is a JSON string of 1..max bytes.  It holds no NUL: jansson
 * refuses "\u0000" unless given JSON_ALLOW_NUL, which we never pass.
 */
static int
json_plain_string(const json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) > 0 &&
	    json_string_length(v) <= max;
}

static int
kid_valid(const char *kid)
{
	size_t len = strnlen(kid, TOKEN_KID_MAX + 1);

	return len > 0 && len <= TOKEN_KID_MAX;
}

static int
key_usable(const struct token_key *k)
{
	return kid_valid(k->kid) && k->len >= TOKEN_KEY_MIN &&
	    k->len <= TOKEN_KEY_MAX;
}

/* The key whose kid is exactly kid[0..len); never a path, only a name. */
static const struct token_key *
keyring_find(const struct token_keyring *kr, const char *kid, size_t len)
{
	size_t i;

	if (len == 0 || len > TOKEN_KID_MAX)
		return NULL;
	for (i = 0; i < kr->n && i < TOKEN_KEYS_MAX; i++) {
		if (strnlen(kr->keys[i].kid, TOKEN_KID_MAX + 1) == len &&
		    memcmp(kr->keys[i].kid, kid, len) == 0)
			return &kr->keys[i];
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Issuing */

static int
issue_check(const struct token_keyring *kr, const char *issuer, int64_t sub,
    int64_t gen, const char *email, int64_t now, int ttl_days,
    struct err *err)
{
	if (kr == NULL || kr->n == 0 || kr->n > TOKEN_KEYS_MAX) {
		err_set(err, ERR_INPUT, "token: no signing key");
		return -1;
	}
	if (!key_usable(&kr->keys[0])) {
		err_set(err, ERR_INPUT, "token: the signing key needs a kid "
		    "of 1 to %d bytes and %d to %d key bytes", TOKEN_KID_MAX,
		    TOKEN_KEY_MIN, TOKEN_KEY_MAX);
		return -1;
	}
	if (issuer == NULL || email == NULL) {
		err_set(err, ERR_INPUT, "token: issuer and email are required");
		return -1;
	}
	if (text_check("issuer", issuer, TOKEN_ISS_MAX, 0, err) == -1 ||
	    text_check("email", email, TOKEN_EMAIL_MAX, 0, err) == -1) {
		err_prefix(err, "token");
		return -1;
	}
	if (sub <= 0 || gen <= 0) {
		err_set(err, ERR_INPUT, "token: tenant id and generation "
		    "must be above 0");
		return -1;
	}
	if (ttl_days < 1 || ttl_days > TOKEN_TTL_DAYS_MAX) {
		err_set(err, ERR_INPUT, "token: ttl_days must be 1 to %d",
		    TOKEN_TTL_DAYS_MAX);
		return -1;
	}
	/* Keeps exp = now + ttl from overflowing. */
	if (now < 0 || now > INT64_MAX - (int64_t)TOKEN_TTL_DAYS_MAX *
	    DAY_SECONDS) {
		err_set(err, ERR_INPUT, "token: the time is out of range");
		return -1;
	}
	return 0;
}

static int
make_jti(char jti[TOKEN_JTI_LEN + 1], struct err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[JTI_BYTES];
	size_t i;

	if (gnutls_rnd(GNUTLS_RND_NONCE, raw, sizeof raw) != 0) {
		err_set(err, ERR_RUNTIME, "token: no random bytes");
		return -1;
	}
	for (i = 0; i < sizeof raw; i++) {
		jti[2 * i] = hex[raw[i] >> 4];
		jti[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	jti[TOKEN_JTI_LEN] = '\0';
	return 0;
}

/*
 * The claims go in one by one: a JSON text would only be parsed again.
 * libjwt takes integers as long, 64 bits on the LP64 systems built for.
 * On a fresh jwt_t with distinct names and non-NULL values each call
 * fails only when memory runs out, which no test can make happen; the
 * checks stay so that a libjwt that changes its mind refuses to sign
 * rather than signing fewer claims.  (make coverage counts these
 * branches, and those of sign() and make_jti(), as never taken.)
 */
static int
add_claims(jwt_t *jwt, const struct token_claims *c)
{
	char sub[32];

	snprintf(sub, sizeof sub, "%lld", (long long)c->sub);
	return jwt_add_grant(jwt, "iss", c->iss) == 0 &&
	    jwt_add_grant(jwt, "aud", TOKEN_AUDIENCE) == 0 &&
	    jwt_add_grant(jwt, "sub", sub) == 0 &&
	    jwt_add_grant(jwt, "email", c->email) == 0 &&
	    jwt_add_grant_int(jwt, "gen", (long)c->gen) == 0 &&
	    jwt_add_grant(jwt, "jti", c->jti) == 0 &&
	    jwt_add_grant_int(jwt, "iat", (long)c->iat) == 0 &&
	    jwt_add_grant_int(jwt, "exp", (long)c->exp) == 0 ? 0 : -1;
}

static char *
sign(const struct token_key *k, const struct token_claims *c)
{
	jwt_t *jwt = NULL;
	char *token = NULL;

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, k->key, (int)k->len) == 0 &&
	    jwt_add_header(jwt, "kid", k->kid) == 0 &&
	    add_claims(jwt, c) == 0)
		token = jwt_encode_str(jwt);
	jwt_free(jwt);
	return token;
}

int
token_issue(const struct token_keyring *kr, const char *issuer, int64_t sub,
    int64_t gen, const char *email, int64_t now, int ttl_days,
    struct token_claims *claims, char **token, struct err *err)
{
	int rc = -1;

	*token = NULL;
	memset(claims, 0, sizeof *claims);
	if (issue_check(kr, issuer, sub, gen, email, now, ttl_days, err) == -1)
		goto out;
	if (make_jti(claims->jti, err) == -1)
		goto out;
	/* Lengths were checked above, so these copies are whole. */
	snprintf(claims->iss, sizeof claims->iss, "%s", issuer);
	snprintf(claims->email, sizeof claims->email, "%s", email);
	snprintf(claims->kid, sizeof claims->kid, "%s", kr->keys[0].kid);
	claims->sub = sub;
	claims->gen = gen;
	claims->iat = now;
	claims->exp = now + (int64_t)ttl_days * DAY_SECONDS;
	*token = sign(&kr->keys[0], claims);
	if (*token == NULL) {
		err_set(err, ERR_RUNTIME, "token: libjwt cannot sign");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		memset(claims, 0, sizeof *claims);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Verifying: shape, header, signature, then the claims. */

/*
 * Splits token into its three parts, each non-empty and made only of the
 * base64url alphabet: this refuses padding, whitespace, a fourth part and
 * bytes that are not ASCII before any decoder sees them.
 */
static int
token_split(const char *token, struct segment seg[3], struct err *err)
{
	size_t len, i, n = 0, start = 0;

	len = strnlen(token, TOKEN_MAX_LEN + 1);
	if (len == 0 || len > TOKEN_MAX_LEN) {
		err_set(err, ERR_INPUT, "token: empty or longer than %d bytes",
		    TOKEN_MAX_LEN);
		return -1;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && token[i] != '.') {
			if (strchr(b64url_alphabet, token[i]) == NULL)
				goto bad;
			continue;
		}
		if (n == 3 || i == start)
			goto bad;
		seg[n].s = token + start;
		seg[n].len = i - start;
		n++;
		start = i + 1;
	}
	if (n == 3)
		return 0;
bad:
	err_set(err, ERR_INPUT, "token: not three base64url parts");
	return -1;
}

/* Decodes one part into *out (free with gnutls_free); 0 or -1. */
static int
b64url_decode(const struct segment *seg, gnutls_datum_t *out)
{
	gnutls_datum_t in;
	char *std;
	size_t i, padded;
	int rc;

	out->data = NULL;
	out->size = 0;
	padded = seg->len + (4 - seg->len % 4) % 4;
	std = xmalloc(padded);
	for (i = 0; i < padded; i++) {
		if (i >= seg->len)
			std[i] = '=';
		else if (seg->s[i] == '-')
			std[i] = '+';
		else if (seg->s[i] == '_')
			std[i] = '/';
		else
			std[i] = seg->s[i];
	}
	in.data = (unsigned char *)std;
	in.size = (unsigned int)padded;
	/* GnuTLS refuses a bad length and stray bits in the last character. */
	rc = gnutls_base64_decode2(&in, out);
	free(std);
	if (rc < 0) {
		out->data = NULL;
		return -1;
	}
	return 0;
}

/* The JSON object in a header or payload part, or NULL. */
static json_t *
segment_object(const struct segment *seg, const char *what, struct err *err)
{
	gnutls_datum_t raw;
	json_error_t jerr;
	json_t *obj = NULL;

	if (b64url_decode(seg, &raw) == -1) {
		err_set(err, ERR_INPUT, "token: %s is not base64url", what);
		return NULL;
	}
	/* Duplicate keys would let libjwt and us read different values. */
	obj = json_loadb((const char *)raw.data, raw.size,
	    JSON_REJECT_DUPLICATES, &jerr);
	gnutls_free(raw.data);
	if (!json_is_object(obj)) {
		err_set(err, ERR_INPUT, "token: %s is not one JSON object "
		    "with distinct keys", what);
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Checks the header and finds the key its kid names. */
static const struct token_key *
header_check(const struct token_keyring *kr, const json_t *h,
    struct err *err)
{
	const struct token_key *k;
	const json_t *kid;

	/* Exactly these three: no jku, jwk, x5u, crit or the like. */
	if (json_object_size(h) != 3 ||
	    !json_string_is(json_object_get(h, "alg"), "HS256") ||
	    !json_string_is(json_object_get(h, "typ"), "JWT")) {
		err_set(err, ERR_INPUT, "token: header is not alg HS256, "
		    "typ JWT and a kid");
		return NULL;
	}
	kid = json_object_get(h, "kid");
	if (!json_is_string(kid)) {
		err_set(err, ERR_INPUT, "token: header has no kid");
		return NULL;
	}
	k = keyring_find(kr, json_string_value(kid), json_string_length(kid));
	if (k == NULL) {
		err_set(err, ERR_INPUT, "token: unknown kid");
		return NULL;
	}
	if (!key_usable(k)) {
		err_set(err, ERR_INPUT, "token: key %s is not %d to %d bytes",
		    k->kid, TOKEN_KEY_MIN, TOKEN_KEY_MAX);
		return NULL;
	}
	return k;
}

/*
 * libjwt compares the signature in constant time.  It would also take
 * HS384, HS512 and "hs256"; header_check refused those already, and the
 * alg is pinned again here in case the two parsers ever disagree.
 */
static int
signature_check(const char *token, const struct token_key *k,
    struct err *err)
{
	jwt_t *jwt = NULL;
	int ok;

	ok = jwt_decode(&jwt, token, k->key, (int)k->len) == 0 &&
	    jwt_get_alg(jwt) == JWT_ALG_HS256;
	if (jwt != NULL)
		jwt_free(jwt);
	if (!ok) {
		err_set(err, ERR_INPUT, "token: signature does not verify");
		return -1;
	}
	return 0;
}

static int
claim_int(const json_t *p, const char *name, int64_t *v, struct err *err)
{
	const json_t *j = json_object_get(p, name);

	if (!json_is_integer(j)) {
		err_set(err, ERR_INPUT, "token: %s is not an integer", name);
		return -1;
	}
	*v = json_integer_value(j);
	return 0;
}

/* sub is the tenant id as a decimal string: digits, no leading zero. */
static int
claim_sub(const json_t *p, int64_t *sub, struct err *err)
{
	const json_t *j = json_object_get(p, "sub");
	const char *s;
	size_t len, i;

	if (!json_plain_string(j, SUB_DIGITS_MAX))
		goto bad;
	s = json_string_value(j);
	len = json_string_length(j);
	if (s[0] == '0')
		goto bad;
	*sub = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    *sub > (INT64_MAX - (s[i] - '0')) / 10)
			goto bad;
		*sub = *sub * 10 + (s[i] - '0');
	}
	return 0;
bad:
	err_set(err, ERR_INPUT, "token: sub is not a tenant id");
	return -1;
}

static int
claim_jti(const json_t *p, char jti[TOKEN_JTI_LEN + 1], struct err *err)
{
	const json_t *j = json_object_get(p, "jti");
	const char *s;
	size_t i;

	if (!json_plain_string(j, TOKEN_JTI_LEN) ||
	    json_string_length(j) != TOKEN_JTI_LEN)
		goto bad;
	s = json_string_value(j);
	for (i = 0; i < TOKEN_JTI_LEN; i++) {
		if (strchr("0123456789abcdef", s[i]) == NULL)
			goto bad;
	}
	memcpy(jti, s, TOKEN_JTI_LEN + 1);
	return 0;
bad:
	err_set(err, ERR_INPUT, "token: jti is not %d lowercase hex digits",
	    TOKEN_JTI_LEN);
	return -1;
}

static int
claim_email(const json_t *p, char email[TOKEN_EMAIL_MAX + 1],
    struct err *err)
{
	const json_t *j = json_object_get(p, "email");

	if (!json_plain_string(j, TOKEN_EMAIL_MAX) ||
	    text_check("email", json_string_value(j), TOKEN_EMAIL_MAX, 0,
	    err) == -1) {
		err_set(err, ERR_INPUT, "token: email is not a clean string");
		return -1;
	}
	memcpy(email, json_string_value(j), json_string_length(j) + 1);
	return 0;
}

/*
 * iat may be up to TOKEN_CLOCK_SKEW ahead of now (the issuing host's
 * clock may run ahead); nbf, which we never issue, may not be after now.
 * Sets *expired when exp <= now.
 */
static int
claim_times(const json_t *p, int64_t now, struct token_claims *c,
    int *expired, struct err *err)
{
	const json_t *nbf = json_object_get(p, "nbf");

	if (claim_int(p, "iat", &c->iat, err) == -1 ||
	    claim_int(p, "exp", &c->exp, err) == -1)
		return -1;
	if (c->iat < 0 || c->exp <= c->iat) {
		err_set(err, ERR_INPUT, "token: iat and exp out of order");
		return -1;
	}
	/* iat >= 0, so iat - skew cannot overflow. */
	if (c->iat - TOKEN_CLOCK_SKEW > now) {
		err_set(err, ERR_INPUT, "token: issued in the future");
		return -1;
	}
	if (nbf != NULL &&
	    (!json_is_integer(nbf) || json_integer_value(nbf) > now)) {
		err_set(err, ERR_INPUT, "token: not valid yet (nbf)");
		return -1;
	}
	*expired = c->exp <= now;
	return 0;
}

static int
claims_read(const json_t *p, const char *issuer, int64_t now,
    struct token_claims *c, int *expired, struct err *err)
{
	if (!json_string_is(json_object_get(p, "aud"), TOKEN_AUDIENCE)) {
		err_set(err, ERR_INPUT, "token: wrong aud");
		return -1;
	}
	if (!json_string_is(json_object_get(p, "iss"), issuer)) {
		err_set(err, ERR_INPUT, "token: wrong iss");
		return -1;
	}
	if (claim_sub(p, &c->sub, err) == -1 ||
	    claim_int(p, "gen", &c->gen, err) == -1 ||
	    claim_jti(p, c->jti, err) == -1 ||
	    claim_email(p, c->email, err) == -1 ||
	    claim_times(p, now, c, expired, err) == -1)
		return -1;
	if (c->gen <= 0) {
		err_set(err, ERR_INPUT, "token: gen is not above 0");
		return -1;
	}
	snprintf(c->iss, sizeof c->iss, "%s", issuer);
	return 0;
}

enum token_status
token_verify(const struct token_keyring *kr, const char *issuer,
    const char *token, int64_t now, struct token_claims *claims,
    struct err *err)
{
	struct segment seg[3];
	const struct token_key *k;
	json_t *header = NULL, *payload = NULL;
	enum token_status st = TOKEN_INVALID;
	int expired = 0;

	memset(claims, 0, sizeof *claims);
	if (kr == NULL || issuer == NULL || token == NULL ||
	    issuer[0] == '\0' ||
	    strnlen(issuer, TOKEN_ISS_MAX + 1) > TOKEN_ISS_MAX) {
		err_set(err, ERR_INPUT, "token: no token, keys or issuer");
		return TOKEN_INVALID;
	}
	if (token_split(token, seg, err) == -1)
		goto out;
	header = segment_object(&seg[0], "header", err);
	if (header == NULL)
		goto out;
	k = header_check(kr, header, err);
	if (k == NULL || signature_check(token, k, err) == -1)
		goto out;
	payload = segment_object(&seg[1], "payload", err);
	if (payload == NULL ||
	    claims_read(payload, issuer, now, claims, &expired, err) == -1)
		goto out;
	snprintf(claims->kid, sizeof claims->kid, "%s", k->kid);
	st = expired ? TOKEN_EXPIRED : TOKEN_VALID;
out:
	json_decref(header);
	json_decref(payload);
	if (st == TOKEN_INVALID)
		memset(claims, 0, sizeof *claims);
	return st;
}
