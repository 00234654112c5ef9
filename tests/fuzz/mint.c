/*
 * mint.c: writes the seeds that need the fuzz targets' secrets (fuzz.h):
 * tokens signed with the fixed keyring, and reply keys, addresses and
 * Message-IDs made with the fixed reply secret.  "make fuzz-seeds" runs
 * it into tests/fuzz/corpus/token and tests/fuzz/corpus/replykey.
 *
 *	mint TOKEN_DIR REPLYKEY_DIR
 */
#include <gnutls/gnutls.h>

#include "fuzz.h"

#include "replykey.h"

#define DAY	86400

static void
write_seed(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *fp;

	path = xasprintf("%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) == EOF) {
		perror(path);
		exit(2);
	}
	free(path);
}

static void
mint(const char *dir, const char *name, const struct token_keyring *kr,
    const char *issuer, int64_t sub, int64_t gen, const char *email,
    int64_t now, int ttl_days)
{
	struct token_claims c;
	struct err err;
	char *token;

	if (token_issue(kr, issuer, sub, gen, email, now, ttl_days, &c,
	    &token, &err) == -1) {
		fprintf(stderr, "mint: %s: %s\n", name, err.msg);
		exit(2);
	}
	write_seed(dir, name, token);
	free(token);
}

/* base64url without padding of a string; caller frees. */
static char *
b64url(const char *s)
{
	gnutls_datum_t in = { (unsigned char *)(uintptr_t)s,
	    (unsigned int)strlen(s) }, out = { NULL, 0 };
	char *r, *p;

	if (gnutls_base64_encode2(&in, &out) != 0)
		exit(2);
	r = xstrndup((const char *)out.data, out.size);
	gnutls_free(out.data);
	r[strcspn(r, "=")] = '\0';
	for (p = r; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	return r;
}

/* A token with alg "none" and no signature: must never pass. */
static void
alg_none(const char *dir)
{
	char *h, *p, *token;

	h = b64url("{\"alg\":\"none\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
	p = b64url("{\"aud\":\"mscagent-verify\",\"email\":\"ops@msp.example\","
	    "\"exp\":1782592000,\"gen\":3,\"iat\":1780000000,"
	    "\"iss\":\"mscagent\",\"jti\":\"0123456789abcdef0123456789abcdef\","
	    "\"sub\":\"7\"}");
	token = xasprintf("%s.%s.", h, p);
	write_seed(dir, "alg-none.tok", token);
	free(token);
	free(h);
	free(p);
}

static void
tokens(const char *dir)
{
	struct token_keyring kr, k2first, unknown;

	fuzz_keyring(&kr);
	k2first = kr;
	k2first.keys[0] = kr.keys[1];
	k2first.keys[1] = kr.keys[0];
	unknown = kr;
	snprintf(unknown.keys[0].kid, sizeof unknown.keys[0].kid, "k9");
	mint(dir, "valid-k1.tok", &kr, FUZZ_ISSUER, FUZZ_TENANT, FUZZ_GEN,
	    "ops@msp.example", FUZZ_NOW - 3600, 30);
	mint(dir, "valid-k2.tok", &k2first, FUZZ_ISSUER, FUZZ_TENANT,
	    FUZZ_GEN, "ops@msp.example", FUZZ_NOW - 3600, 30);
	mint(dir, "expired.tok", &kr, FUZZ_ISSUER, FUZZ_TENANT, FUZZ_GEN,
	    "ops@msp.example", FUZZ_NOW - 40 * DAY, 30);
	mint(dir, "issued-ahead.tok", &kr, FUZZ_ISSUER, FUZZ_TENANT, FUZZ_GEN,
	    "ops@msp.example", FUZZ_NOW + 3600, 30);
	mint(dir, "other-issuer.tok", &kr, "someone-else", FUZZ_TENANT,
	    FUZZ_GEN, "ops@msp.example", FUZZ_NOW - 3600, 30);
	mint(dir, "unknown-kid.tok", &unknown, FUZZ_ISSUER, FUZZ_TENANT,
	    FUZZ_GEN, "ops@msp.example", FUZZ_NOW - 3600, 30);
	mint(dir, "largest-ids.tok", &kr, FUZZ_ISSUER, INT64_MAX, INT64_MAX,
	    "ops@msp.example", FUZZ_NOW - 3600, 365);
	mint(dir, "utf8-email.tok", &kr, FUZZ_ISSUER, FUZZ_TENANT, FUZZ_GEN,
	    "m\xc3\xbcller@b\xc3\xbc" "cher.example", FUZZ_NOW - 3600, 1);
	alg_none(dir);
}

/* Writes before, the key for mail and recipient, and after. */
static void
replykey(const char *dir, const char *name, int64_t mail,
    const char *recipient, const char *before, const char *after)
{
	static unsigned char secret[32];
	char key[REPLYKEY_MAX], *text;

	fuzz_reply_secret(secret);
	if (replykey_make(secret, sizeof secret, FUZZ_TENANT, mail, recipient,
	    FUZZ_GEN, key) == -1)
		exit(2);
	text = xasprintf("%s%s%s", before, key, after);
	write_seed(dir, name, text);
	free(text);
}

static void
replykeys(const char *dir)
{
	replykey(dir, "key", 42, FUZZ_RECIPIENT, "", "");
	replykey(dir, "key-18-digits", 123456789012345678, FUZZ_RECIPIENT,
	    "", "");
	replykey(dir, "key-other-recipient", 42, "someone@else.example", "",
	    "");
	replykey(dir, "address", 42, FUZZ_RECIPIENT, "mscagent+",
	    "@example.test");
	replykey(dir, "address-two-plus", 42, FUZZ_RECIPIENT, "mscagent+x+",
	    "@example.test");
	replykey(dir, "message-id", 42, FUZZ_RECIPIENT, "",
	    ".9f86d081884c7d659a2feaa0c55ad015@example.test");
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mint TOKEN_DIR REPLYKEY_DIR\n");
		return 1;
	}
	tokens(argv[1]);
	replykeys(argv[2]);
	return 0;
}
