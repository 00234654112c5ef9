/*
 * outbox.h: delivering the mails the workflow queued.
 *
 * Each mail was composed, with its Message-ID, in the transaction that
 * queued it; delivery only hands the stored bytes to the transport, so a
 * retry sends the very same message.  Mails are claimed for a while
 * before sending, so two deliverers never send one mail twice.  A mail
 * refused for now is retried with exponential backoff, up to retry_max
 * attempts; one refused for good is marked failed and support is told
 * (workflow_delivery_failed).  When the server cannot be reached the
 * pass stops and the mails wait, uncounted.
 */
#ifndef MSCAGENT_OUTBOX_H
#define MSCAGENT_OUTBOX_H

#include <signal.h>
#include <stdio.h>

#include "compose.h"
#include "store.h"

#define OUTBOX_BATCH		100
#define OUTBOX_LEASE		300	/* seconds a claim holds a mail */
#define OUTBOX_BACKOFF_FIRST	60	/* seconds before the first retry */
#define OUTBOX_BACKOFF_MAX	(6 * 3600)

struct outbox_report {
	size_t	 sent;
	size_t	 retry;		/* refused for now, will be retried */
	size_t	 failed;
	size_t	 waiting;	/* not tried: the server was down */
	int	 down;		/* the pass stopped on an unreachable server */
	char	 down_reason[512];
};

/*
 * Delivers what is due at now (with all, every queued mail, also those
 * waiting for a retry), writing one line per mail to log (NULL: none).
 * When *stop becomes non-zero (stop may be NULL), the mail being sent is
 * finished and recorded, and the rest are let go for the next pass.
 * Returns 0 with *report filled, even when the server was down (see
 * report->down); -1 only for a database or configuration failure.
 */
int	 outbox_flush(struct store *, const struct compose_ctx *, int all,
	    int64_t now, const volatile sig_atomic_t *stop, FILE *log,
	    struct outbox_report *, struct err *);

/* Seconds to wait after the given number of attempts. */
int64_t	 outbox_backoff(int attempts);

#endif
