/*
 * access.h: what a verification link gives access to.  The token alone
 * (token.h) proves the agent signed it; this checks it against the
 * database too (SPEC §4): its jti must be one the agent stored for that
 * tenant, and its generation the tenant's current one, so a retrigger
 * ends every older link.
 */
#ifndef MSCAGENT_ACCESS_H
#define MSCAGENT_ACCESS_H

#include <stdint.h>

#include "store.h"
#include "token.h"

enum access_status {
	ACCESS_OK,		/* the tenant's current link, not expired */
	ACCESS_EXPIRED,		/* the current link, past its exp */
	ACCESS_SUPERSEDED,	/* a link of an older generation */
	ACCESS_INVALID,		/* anything else: say nothing more */
};

struct access {
	enum access_status	 status;
	struct token_claims	 claims;	/* OK, EXPIRED, SUPERSEDED */
	struct tenant		 tenant;	/* OK, EXPIRED, SUPERSEDED */
	struct token_info	 current;	/* the tenant's newest link:
						   when and to whom it went */
};

/*
 * Checks token at time now with the keys and issuer given.  Reads in
 * one snapshot; changes nothing.  Returns 0 with *a filled (free with
 * access_clear) — a refused link is a status, not an error; why it was
 * refused is in err for the log — or -1 with ERR_RUNTIME for the
 * database.
 */
int	 access_check(struct store *, const struct token_keyring *,
	    const char *issuer, const char *token, int64_t now,
	    struct access *a, struct err *);
void	 access_clear(struct access *);

const char *access_status_name(enum access_status);

#endif
