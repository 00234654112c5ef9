/*
 * mailauth.h: the OAuth2 sign-in of the two mail accounts, [inbound]
 * and [outbound]: an access token that is fresh when a transport needs
 * one, obtained once however many processes ask at the same moment.
 *
 * Tokens live in the database (store.h, mail_auth), one row per
 * account, so the running agent and a CLI command share them and a
 * rotated refresh token survives a restart: every refresh token the
 * provider returns replaces the old one in the transaction that stores
 * the new access token.  A process that asks the token endpoint first
 * takes a lease on the row; another that needs a token meanwhile waits
 * for the lease and uses what it brought.
 *
 * States (auth status, check, /metrics): ok; needs_login (no refresh
 * token yet: run `auth login`); needs_reauth (the provider answered
 * invalid_grant: the consent was revoked, the password changed, the
 * refresh token expired or was reused; `auth login` again); error (the
 * last request failed, retried with backoff, the refresh token kept).
 */
#ifndef MSCAGENT_MAILAUTH_H
#define MSCAGENT_MAILAUTH_H

#include <stdint.h>

#include "config.h"
#include "oauth.h"
#include "store.h"

enum mailauth_account {
	MAILAUTH_INBOUND,
	MAILAUTH_OUTBOUND,
};

#define MAILAUTH_AHEAD_MAX	300	/* refresh this long before expiry, */
#define MAILAUTH_AHEAD_SHARE	5	/* or a fifth of a shorter life */
#define MAILAUTH_LEASE		(OAUTH_TIMEOUT + 10)
#define MAILAUTH_BACKOFF_FIRST	5	/* seconds after a first failure */
#define MAILAUTH_BACKOFF_MAX	900

struct mailauth;

/* How long before its end a token of that life is replaced:
 * MAILAUTH_AHEAD_MAX, or a share of a shorter life. */
int64_t	 mailauth_margin(int64_t life);

/* "inbound" or "outbound". */
const char *mailauth_account_name(enum mailauth_account);
/* The account's settings and mailbox address. */
const struct config_oauth *mailauth_settings(const struct config *,
	    enum mailauth_account);
const char *mailauth_username(const struct config *, enum mailauth_account);

/*
 * The token source of one account with auth = oauth2, on a database
 * connection of its own (it is used from the transport's thread).
 * NULL with err when the database cannot be opened.
 */
struct mailauth *mailauth_new(const struct config *, enum mailauth_account,
	    struct err *);
void	 mailauth_free(struct mailauth *);

/*
 * An access token with more than the refresh margin left: the stored
 * one, else a new one.  refused: the server just refused the token
 * this call last handed out, so unless another process has replaced it
 * meanwhile, a new one is asked for at once.  Returns 0 with *token
 * (borrowed until the next call) and *expires_at, or -1 with err
 * saying what to do.
 */
int	 mailauth_token(struct mailauth *, int refused, const char **token,
	    int64_t *expires_at, struct err *);

/*
 * Keeps what a first sign-in brought (auth login): the refresh token,
 * and the access token when one came (tok->access_token may be NULL).
 * The account is ok afterwards, and support may be told again.
 */
int	 mailauth_save_login(struct store *, const struct config *,
	    enum mailauth_account, const struct oauth_token *, int64_t now,
	    struct err *);

/*
 * The account's row for auth status and check, as stored; an account
 * never signed in, or signed in as another identity, reads as
 * needs_login.  Free with store_auth_clear.
 */
int	 mailauth_status(struct store *, const struct config *,
	    enum mailauth_account, struct mail_auth_row *, struct err *);

#endif
