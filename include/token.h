/*
 * token.h: the verification tokens of SPEC §4, a thin wrapper around
 * libjwt that pins the algorithm to HS256 and checks every claim, since
 * libjwt itself checks none.  Pure: no clock (now is passed in), no files
 * (keys are passed in as bytes; keyfile.h reads them), no database (the
 * caller compares jti and gen with the tenant's).
 *
 * A token is header.payload.signature in base64url without padding:
 *   header  {"alg":"HS256","kid":"<kid>","typ":"JWT"}
 *   payload {"aud":"mscagent-verify","email":"<MSP admin>","exp":<int>,
 *            "gen":<int>,"iat":<int>,"iss":"<issuer>","jti":"<32 hex>",
 *            "sub":"<tenant id>"}
 * sub is the tenant id as a decimal string ("7"), because RFC 7519 makes
 * sub a string; it is parsed strictly (no sign, no leading zero).
 */
#ifndef MSCAGENT_TOKEN_H
#define MSCAGENT_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define TOKEN_MAX_LEN		8192	/* longer tokens are refused unparsed */
#define TOKEN_KEYS_MAX		8
#define TOKEN_KID_MAX		64
#define TOKEN_KEY_MIN		32	/* bytes; shorter keys are refused */
#define TOKEN_KEY_MAX		1024
#define TOKEN_JTI_LEN		32	/* lowercase hex of 128 random bits */
#define TOKEN_ISS_MAX		255	/* above any issuer a config line can hold */
#define TOKEN_EMAIL_MAX		320
#define TOKEN_TTL_DAYS_MAX	365
#define TOKEN_CLOCK_SKEW	60	/* seconds an iat may be ahead of now */
#define TOKEN_AUDIENCE		"mscagent-verify"

struct token_key {
	char		 kid[TOKEN_KID_MAX + 1];
	unsigned char	 key[TOKEN_KEY_MAX];
	size_t		 len;
};

/* keys[0] signs; every key verifies the tokens that name its kid. */
struct token_keyring {
	struct token_key keys[TOKEN_KEYS_MAX];
	size_t		 n;
};

struct token_claims {
	char		 iss[TOKEN_ISS_MAX + 1];
	char		 email[TOKEN_EMAIL_MAX + 1];
	int64_t		 sub;		/* tenant id */
	int64_t		 gen;		/* the tenant's token generation */
	char		 jti[TOKEN_JTI_LEN + 1];
	int64_t		 iat;
	int64_t		 exp;
	char		 kid[TOKEN_KID_MAX + 1];	/* the key that signed */
};

/*
 * Issues a token for tenant sub (> 0) at generation gen (> 0) for the MSP
 * admin email, issued at now and valid ttl_days (1..TOKEN_TTL_DAYS_MAX)
 * days, signed with keys[0], which must be TOKEN_KEY_MIN bytes or more.
 * Fills *claims, with a fresh random jti for the caller to store, and
 * *token (caller frees); neither pointer may be NULL.  Returns 0, or -1
 * with ERR_INPUT for bad arguments and ERR_RUNTIME when libjwt or the
 * random generator fails.
 */
int	 token_issue(const struct token_keyring *, const char *issuer,
	    int64_t sub, int64_t gen, const char *email, int64_t now,
	    int ttl_days, struct token_claims *claims, char **token,
	    struct err *);

enum token_status {
	TOKEN_VALID,
	TOKEN_EXPIRED,
	TOKEN_INVALID,
};

/*
 * Verifies token at time now: shape and size, a header of exactly alg
 * "HS256", typ "JWT" and a kid found in the keyring (exact compare), the
 * signature (libjwt), and the claims: aud, iss equal to issuer, integer
 * exp, iat no more than TOKEN_CLOCK_SKEW ahead of now and before exp,
 * sub and gen above 0, a well-formed jti, an email, and no nbf after now.
 * Duplicate JSON keys and non-canonical base64url are refused.
 *
 * Returns TOKEN_VALID with *claims filled; TOKEN_EXPIRED when everything
 * else is right but exp <= now, with *claims filled (to show the date);
 * TOKEN_INVALID otherwise, with *claims zeroed and the reason in err for
 * the log only (never shown to the client; it quotes nothing from the
 * token).  A NULL keyring, issuer or token is TOKEN_INVALID; claims may
 * not be NULL.  Checking jti and gen against the tenant is the caller's
 * job.
 */
enum token_status token_verify(const struct token_keyring *,
	    const char *issuer, const char *token, int64_t now,
	    struct token_claims *claims, struct err *);

#endif
