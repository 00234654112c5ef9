/*
 * oauth.h: the OAuth2 client of the mail accounts' sign-in.  It asks a
 * token endpoint for an access token by one of three grants (RFC 6749
 * refresh_token and client_credentials, RFC 7523 jwt_bearer with an
 * RS256 assertion) and runs the device authorization flow (RFC 8628).
 * It keeps nothing: mailauth.c stores the tokens and decides when to
 * ask.  No token ever appears in an error message.
 */
#ifndef MSCAGENT_OAUTH_H
#define MSCAGENT_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "util.h"

/*
 * Limits on what a token endpoint may answer.  Real answers are a few
 * KiB (a Microsoft access token is some 2.5 KB); the rest is a server
 * gone wrong or hostile, and is refused before it is parsed.
 */
#define OAUTH_BODY_MAX		(64 * 1024)
#define OAUTH_TOKEN_MAX		(16 * 1024)
#define OAUTH_LIFETIME_DEFAULT	3600		/* no expires_in given */
#define OAUTH_LIFETIME_MAX	(366 * 86400)
#define OAUTH_ASSERTION_LIFETIME 3600		/* Google's limit */
#define OAUTH_TIMEOUT		30		/* seconds, whole request */

enum oauth_status {
	OAUTH_OK,
	OAUTH_PENDING,		/* device flow: not signed in yet */
	OAUTH_SLOW_DOWN,	/* device flow: ask less often */
	OAUTH_REAUTH,		/* invalid_grant: only a new sign-in helps */
	OAUTH_REFUSED,		/* any other refusal: client, scope, ... */
	OAUTH_TEMPORARY,	/* 5xx, 429, unreachable, a garbled answer */
};

struct oauth_token {
	char	*access_token;
	char	*refresh_token;	/* NULL: none came (the old one stays) */
	int64_t	 expires_in;	/* seconds */
};

struct oauth_device {
	char	*device_code;
	char	*user_code;
	char	*verification_uri;
	char	*message;	/* the provider's own words; may be NULL */
	int64_t	 expires_in;
	int64_t	 interval;	/* seconds between polls */
};

/*
 * Reads a token endpoint's answer: its HTTP status and len bytes of
 * body.  OAUTH_OK fills *tok (free with oauth_token_clear); any other
 * status leaves it empty and says in err what the provider answered
 * (its error code and description) or what was wrong with the answer.
 * Touches nothing else: the fuzzer calls it directly.
 */
enum oauth_status oauth_parse_token(long http_status, const char *body,
	    size_t len, struct oauth_token *tok, struct err *);
/* The same for a device authorization answer. */
enum oauth_status oauth_parse_device(long http_status, const char *body,
	    size_t len, struct oauth_device *dev, struct err *);

/*
 * Asks for an access token for user (the mailbox) by the account's
 * grant; refresh_token is the stored one, for that grant.  Reads the
 * client secret and the service account's key from their files.
 */
enum oauth_status oauth_request(const struct config_oauth *, const char *user,
	    const char *refresh_token, int64_t now, struct oauth_token *,
	    struct err *);

/* Starts the device flow at the account's device URL. */
enum oauth_status oauth_device_start(const struct config_oauth *,
	    struct oauth_device *, struct err *);
/* Asks once whether the person has signed in. */
enum oauth_status oauth_device_poll(const struct config_oauth *,
	    const char *device_code, struct oauth_token *, struct err *);

/*
 * The RS256 assertion of a service account: iss the client (its
 * e-mail), sub the mailbox, aud the token URL, valid for
 * OAUTH_ASSERTION_LIFETIME from now.  pem is the private key.
 */
int	 oauth_assertion(const char *pem, size_t pem_len, const char *iss,
	    const char *sub, const char *aud, const char *scope, int64_t now,
	    char **assertion, struct err *);

void	 oauth_token_clear(struct oauth_token *);
void	 oauth_device_clear(struct oauth_device *);

#endif
