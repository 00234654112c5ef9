/*
 * outcome.h: what became of a message, as the agent records and prints
 * it: an inbound one the inbox read, an outbound one in the outbox.
 * Each enum has one table of names (outcome.c); the names are what the
 * database holds and what the log, the CLI and /metrics show.
 */
#ifndef MSCAGENT_OUTCOME_H
#define MSCAGENT_OUTCOME_H

enum inbound_outcome {
	INBOUND_NONE = 0,	/* not decided yet: the name is empty */
	INBOUND_APPROVE,	/* the reply fired its event */
	INBOUND_REJECT,
	INBOUND_UNCLEAR,
	INBOUND_RETRIGGER,
	INBOUND_FINALIZE,
	INBOUND_STALE,		/* answers a mail of an older approval */
	INBOUND_NOT_ALLOWED,	/* only the customer admin approves */
	INBOUND_NOT_APPLICABLE,	/* the state takes no such event */
	INBOUND_STRANGER,	/* from someone the mail did not go to */
	INBOUND_AUTH_FAILED,	/* no passing Authentication-Results */
	INBOUND_BOUNCE,		/* one of our mails bounced */
	INBOUND_AUTO_REPLY,
	INBOUND_UNMATCHED,	/* answers no mail of ours */
	INBOUND_REFUSED,	/* could not be parsed: set aside */
	INBOUND_DUPLICATE,	/* handled before; never stored */
	INBOUND_OUTCOME_COUNT,
};

enum mail_status {
	MAIL_STATUS_QUEUED = 0,
	MAIL_STATUS_SENT,
	MAIL_STATUS_FAILED,
	MAIL_STATUS_COUNT,
};

/* The name of an outcome, "unknown" for a value out of range. */
const char *outcome_inbound_name(enum inbound_outcome);
const char *outcome_mail_name(enum mail_status);
/* Returns the outcome or status for a name, or -1 (NULL too). */
int	 outcome_inbound_from_name(const char *);
int	 outcome_mail_from_name(const char *);

#endif
