/*
 * fsm.h: the migration workflow as a pure state machine (SPEC §1).
 *
 * (state, event) -> the next state, what the shell must do (issue a
 * token, store the plan, ...) and the mails to queue, each to a role that
 * the shell turns into addresses.  No I/O, no clock, no database: the one
 * table in fsm.c is the whole process, and its tests cover every pair.
 */
#ifndef MSCAGENT_FSM_H
#define MSCAGENT_FSM_H

#include "util.h"

enum tenant_state {
	STATE_NEW = 0,
	STATE_BLOCKED,
	STATE_AWAITING_APPROVAL,
	STATE_AWAITING_VERIFICATION,
	STATE_FINALIZING,
	STATE_COMPLETED,
	STATE_REJECTED,
	STATE_TOKEN_EXPIRED,
	STATE_CANCELLED,
	STATE_COUNT,
};

enum fsm_event {
	EVENT_START = 0,	/* start, preflight passed */
	EVENT_PREFLIGHT_FAIL,	/* start, preflight failed */
	EVENT_APPROVE,		/* customer admin replied APPROVE */
	EVENT_REJECT,		/* customer admin replied REJECT */
	EVENT_UNCLEAR,		/* a reply the agent could not read */
	EVENT_VERIFY,		/* MSP admin confirmed a plan */
	EVENT_FINALIZE,		/* support finalized (Workflow 1) */
	EVENT_EXPIRE,		/* the verification token ran out */
	EVENT_RETRIGGER,	/* support restarted the approval */
	EVENT_CANCEL,
	EVENT_REMIND_APPROVAL,
	EVENT_REMIND_VERIFICATION,
	EVENT_COUNT,
};

enum mail_kind {
	MAIL_APPROVAL_REQUEST = 0,
	MAIL_APPROVAL_REMINDER,
	MAIL_APPROVAL_RECEIPT,
	MAIL_CLARIFICATION,
	MAIL_VERIFICATION,
	MAIL_VERIFICATION_REMINDER,
	MAIL_TOKEN_EXPIRED,
	MAIL_REJECTED,
	MAIL_VERIFIED,
	MAIL_FINALIZATION_REQUEST,
	MAIL_COMPLETED,
	MAIL_DELIVERY_FAILED,
	MAIL_UNEXPECTED_REPLY,	/* to support: a reply was ignored */
	MAIL_MAILBOX_AUTH_FAILED, /* to support: about no tenant, a mail
				   account needs a new OAuth2 sign-in */
	MAIL_KIND_COUNT,
};

/* Who a mail goes to; the shell maps a role to addresses. */
enum mail_role {
	ROLE_CUSTOMER_ADMIN,
	ROLE_MSP_ADMIN,
	ROLE_SUPPORT,		/* every address in support_addresses */
	ROLE_SENDER,		/* whoever sent the reply being answered */
};

/* What the shell must do besides moving the state. */
#define FSM_ISSUE_TOKEN		0x01	/* a new verification token */
#define FSM_NEW_GENERATION	0x02	/* every earlier token stops working */
#define FSM_SET_PLAN		0x04	/* store the plan the admin chose */
#define FSM_APPLY_LICENCES	0x08	/* compute licences after migration */
#define FSM_CLEAR_BLOCKED	0x10	/* forget earlier preflight reasons */
#define FSM_SET_BLOCKED		0x20	/* store the preflight reasons */

#define FSM_MAILS_MAX 4

struct fsm_mail {
	enum mail_kind	kind;
	enum mail_role	to;
};

struct fsm_result {
	enum tenant_state	next;
	unsigned		actions;	/* FSM_* flags */
	size_t			nmails;
	struct fsm_mail		mails[FSM_MAILS_MAX];
};

/*
 * Decides what event does to a tenant in state, for the given workflow
 * (1: hybrid, 2: SaaS/endpoints only).  Returns 0 and fills *res, or -1
 * with an ERR_STATE error saying why the event does not apply.
 */
int	 fsm_step(enum tenant_state state, enum fsm_event event, int workflow,
	    struct fsm_result *res, struct err *);

/* 1 when event applies to a tenant in state under workflow (fsm_step
 * would accept it), else 0: what the console offers as buttons. */
int	 fsm_applies(enum tenant_state state, enum fsm_event event,
	    int workflow);
/* Final states accept nothing but are never an error to read. */
int	 fsm_is_final(enum tenant_state);
/* Restricted while the migration runs (SPEC §1). */
int	 fsm_is_restricted(enum tenant_state);

const char *fsm_state_name(enum tenant_state);
/* Returns the state for a name, or -1. */
int	 fsm_state_from_name(const char *);
const char *fsm_event_name(enum fsm_event);
const char *fsm_mail_kind_name(enum mail_kind);
int	 fsm_mail_kind_from_name(const char *);
const char *fsm_role_name(enum mail_role);

#endif
