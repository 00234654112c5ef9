/*
 * inbox.h: deciding what one incoming message means, and doing it once.
 *
 * A message counts only when it matches a mail the agent sent (the reply
 * key in an address first, then In-Reply-To/References), comes from the
 * person that mail went to (or a support address for support commands),
 * and, when required, carries a passing Authentication-Results from the
 * trusted server.  Its command then fires the workflow in the same
 * transaction that records the message as handled.  Auto-replies,
 * strangers and unmatched mail change nothing and are never answered;
 * a bounce marks the bounced mail failed.  Every outcome is recorded,
 * with the reason, in the tenant's history when a tenant is known.
 *
 * This is one message at a time, and starts no thread: inbox_parse may
 * run on any thread (a pass parses the next batch on its reader
 * worker), inbox_handle on the thread that owns the store.  Reading the
 * inbox by batches, and the threads that do it, are inbox_pass.h's.
 */
#ifndef MSCAGENT_INBOX_H
#define MSCAGENT_INBOX_H

#include "compose.h"
#include "inmail.h"
#include "store.h"

#define INBOX_CLARIFY_PER_TENANT_HOUR	1
#define INBOX_CLARIFY_PER_SENDER_DAY	10

struct inbox_result {
	enum inbound_outcome outcome;	/* INBOUND_NONE until decided */
	char	detail[512];	/* one line for the log */
	int	duplicate;	/* handled before: only move it */
	double	parse_seconds;	/* of the time it took, for the
				   pass's times (inbox_pass.h) */
};

/*
 * A message parsed, before the database is asked anything: the part a
 * pass does for the next batch while it handles this one.
 */
struct inbox_parsed {
	struct inmail		 m;
	enum inmail_auth	 auth;
	int			 ok;	/* 0: refused, why says why */
	struct err		 why;
	char			 digest[65];
	double			 seconds;
};

void	 inbox_parse(const struct config *, const char *raw, size_t len,
	    struct inbox_parsed *);
void	 inbox_parsed_clear(struct inbox_parsed *);

/*
 * Handles one parsed message, taking what it holds.  Returns 0 with *res
 * filled — also for mail that is refused or ignored, which is recorded
 * as handled — or -1 for a database failure, after which the message
 * must stay in the inbox.
 */
int	 inbox_handle(struct store *, const struct compose_ctx *,
	    struct inbox_parsed *, int64_t now, struct inbox_result *,
	    struct err *);

#endif
