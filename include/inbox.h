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
 */
#ifndef MSCAGENT_INBOX_H
#define MSCAGENT_INBOX_H

#include <stdio.h>

#include "compose.h"
#include "inmail.h"
#include "store.h"
#include "transport.h"

#define INBOX_CLARIFY_PER_TENANT_HOUR	1
#define INBOX_CLARIFY_PER_SENDER_DAY	10

struct inbox_result {
	enum inbound_outcome outcome;	/* INBOUND_NONE until decided */
	char	detail[512];	/* one line for the log */
	int	duplicate;	/* handled before: only move it */
	double	parse_seconds;	/* of the time it took, for inbox_times */
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

#define INBOX_BATCH	500	/* messages read and committed at once */
#define INBOX_FIRST_BATCH 32	/* the first batch of a pass, which
				   doubles up to INBOX_BATCH */

/* Where a pass spent its time, in seconds (MSCAGENT_PROFILE). */
struct inbox_times {
	double	 fetch;		/* reading from the mailbox */
	double	 parse;		/* digest, MIME, seen before? */
	double	 decide;	/* match, read, act, compose, but for: */
	double	 compose;	/* messages not made by the batch's end */
	double	 commit;
	double	 move;		/* sync, flag and move, keep the mark */
};

struct inbox_report {
	size_t			 handled;
	size_t			 duplicates;
	size_t			 acted;		/* a state changed */
	struct inbox_times	 times;
};

/*
 * One pass over the inbox: reads what is new, handles each message (a
 * line to log for each, NULL: none), then makes the commits durable,
 * marks the handled ones seen and moves them.  It goes by batches, each
 * one transaction; while one is handled, a thread of the pass moves the
 * one before and reads the one after, another makes the messages of the
 * mails it queues (composer.h), and after each commit a third copies
 * the log into the database.  Returns 0, or -1 when the mailbox
 * or the database fails (what was not committed stays in the inbox for
 * the next pass).
 */
int	 inbox_poll(struct store *, const struct compose_ctx *,
	    struct reader *, int64_t now, FILE *log, struct inbox_report *,
	    struct err *);

#endif
