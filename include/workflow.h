/*
 * workflow.h: the only way a tenant changes state.
 *
 * workflow_fire loads the tenant inside one BEGIN IMMEDIATE transaction,
 * runs the preflight when the event is a start, asks the pure core
 * (fsm.c) what the event does, and commits the new state, the history
 * row and the mails to queue together.  A second identical event finds
 * the state already moved and is refused with ERR_STATE, so a repeated
 * reply, a second click or a concurrent CLI call changes nothing.
 * With a composer in the context (compose_thread.h) each mail's message is
 * left to it; a transition undone takes back the ones it left.
 *
 * Each transition is logged here, whoever fired it, as one line
 * "tenant 7: awaiting_approval -> awaiting_verification (mail, approve
 * from a@b.test)": actor, then the event, the sender of a reply and the
 * plan chosen.  The line is written once the transaction commits, or the
 * batch holding it (store_bulk.h); never for one rolled back.
 */
#ifndef MSCAGENT_WORKFLOW_H
#define MSCAGENT_WORKFLOW_H

#include <stdint.h>
#include <stdio.h>

#include "compose.h"
#include "store.h"

#define WORKFLOW_ACTOR_MAX	128
#define WORKFLOW_DETAIL_MAX	1024

struct workflow_event {
	enum fsm_event	 event;		/* EVENT_START runs the preflight */
	const char	*actor;		/* "cli", "mail", "web", "timer",
					   "console:NAME" */
	const char	*detail;	/* NULL: one made from the event */
	const char	*reason;	/* a person's why (the console's),
					   added to the detail; NULL: none */
	const char	*sender;	/* the address a reply came from, for
					   mails to ROLE_SENDER */
	const char	*plan;		/* EVENT_VERIFY: plan id or name */
	const char	*in_reply_to;	/* Message-ID of the reply, if any */
	const struct inbound_note *note; /* the message that caused it,
					   recorded in the same transaction */
	enum store_timer timer;		/* when not TIMER_NONE: fire only if
					   still due, checked in the
					   transaction */
};

struct workflow_outcome {
	enum tenant_state	 from;
	enum tenant_state	 to;
	struct strvec		 reasons;	/* preflight failures */
	size_t			 nmails;	/* mails queued */
};

/*
 * Fires ev at tenant id at time now.  Returns 0 with *out filled (free
 * its reasons with workflow_outcome_clear), or -1: ERR_INPUT for an
 * unknown tenant or a plan that is not eligible, ERR_STATE when the event
 * does not apply in the tenant's state, ERR_RUNTIME for the database.
 * Nothing is written on failure.
 */
int	 workflow_fire(struct store *, const struct compose_ctx *, int64_t id,
	    const struct workflow_event *, int64_t now,
	    struct workflow_outcome *out, struct err *);

/*
 * Records that mail_id could not be delivered (reason: the server's
 * answer): the mail becomes failed, the tenant's history says so, and
 * support gets one delivery_failed mail — never for a failed
 * delivery_failed mail.  One transaction.
 */
int	 workflow_delivery_failed(struct store *, const struct compose_ctx *,
	    int64_t mail_id, const char *reason, int64_t now, struct err *);

/*
 * Records a message that changes no state (an auto-reply, a stranger, a
 * command that does not apply): the inbound row and, when it matched a
 * tenant, a history row saying why it was read that way; with tell,
 * support gets an unexpected_reply mail (at most one a day per tenant).
 * One transaction; ERR_STATE when the message was recorded before.
 */
int	 workflow_record(struct store *, const struct compose_ctx *,
	    const struct inbound_note *, const char *actor, int tell,
	    int64_t now, struct err *);

/*
 * Sends a failed mail of tenant_id again, as it was (same Message-ID):
 * it is queued anew and the tenant's history says who asked and why.
 * One transaction.  ERR_INPUT when the tenant has no such mail, ERR_STATE
 * when the mail has not failed (or was put back meanwhile) or belongs to
 * an earlier generation, whose links and replies no longer count.
 */
int	 workflow_resend(struct store *, int64_t tenant_id, int64_t mail_id,
	    const char *actor, const char *reason, int64_t now, struct err *);

void	 workflow_outcome_clear(struct workflow_outcome *);

/*
 * Tells support, once, that a mail account needs a new OAuth2 sign-in
 * (mailauth.h): for each account in needs_reauth and not yet told, one
 * mailbox_auth_failed mail, about no tenant, to every support address,
 * queued in the transaction that marks the account told.  Only while
 * the outbound account can send; when it is the one refused, the log,
 * check, auth status and /metrics say so.  *told: accounts told.
 */
int	 workflow_auth_notice(struct store *, const struct compose_ctx *,
	    int64_t now, size_t *told, struct err *);

/* The CLI's answer for a transition, like "tenant 7: a -> b (2 mails
 * queued)" and a line per preflight failure; not a log line. */
void	 workflow_print(FILE *, int64_t id, const struct workflow_outcome *);

#endif
