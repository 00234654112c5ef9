/*
 * authcmd.h: the `auth` commands and the sign-in lines of `check`, for
 * the mail accounts with auth = oauth2 (mailauth.h keeps their tokens).
 */
#ifndef MSCAGENT_AUTHCMD_H
#define MSCAGENT_AUTHCMD_H

#include <stdio.h>

#include "config.h"
#include "mailauth.h"
#include "store.h"

/* "inbound" or "outbound" into *a; -1 with err for anything else. */
int	 authcmd_account(const char *name, enum mailauth_account *a,
	    struct err *);

/*
 * auth login: the first sign-in of account.  With a refresh_token
 * grant, the device flow when a device URL is known (the URL and code
 * go to out, and it waits for the person), else one refresh token read
 * from in; then an access token is obtained with what was stored, so a
 * token that does not work is found now.  Other grants only obtain an
 * access token.
 */
int	 authcmd_login(struct store *, const struct config *,
	    enum mailauth_account, FILE *in, FILE *out, struct err *);

/* auth status: one line (or JSON object) per account. */
int	 authcmd_status(struct store *, const struct config *, int json,
	    FILE *out, struct err *);

/*
 * For check: obtains an access token for the account (from the store,
 * or the endpoint when due).  0 with *detail (caller frees) saying
 * until when it is valid; -1 with err.
 */
int	 authcmd_check(const struct config *, enum mailauth_account,
	    char **detail, struct err *);

#endif
