/* fsm.c: the migration workflow as one table of rules (SPEC §1). */
#include <string.h>

#include "fsm.h"

#define SAME STATE_COUNT	/* a rule that keeps the state */
#define ANY_WORKFLOW 0

struct rule {
	enum tenant_state	from;
	enum fsm_event		event;
	int			workflow;	/* 1, 2 or ANY_WORKFLOW */
	enum tenant_state	to;		/* or SAME */
	unsigned		actions;
	struct fsm_mail		mails[FSM_MAILS_MAX];
	size_t			nmails;
};

/*
 * The whole process.  A pair that is not here is refused.  Cancel is
 * handled apart: it applies to every state that is not final.
 */
static const struct rule rules[] = {
	{ STATE_NEW, EVENT_START, ANY_WORKFLOW, STATE_AWAITING_APPROVAL,
	  FSM_CLEAR_BLOCKED,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } }, 1 },
	{ STATE_BLOCKED, EVENT_START, ANY_WORKFLOW, STATE_AWAITING_APPROVAL,
	  FSM_CLEAR_BLOCKED,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } }, 1 },
	{ STATE_NEW, EVENT_PREFLIGHT_FAIL, ANY_WORKFLOW, STATE_BLOCKED,
	  FSM_SET_BLOCKED, { { 0, 0 } }, 0 },
	{ STATE_BLOCKED, EVENT_PREFLIGHT_FAIL, ANY_WORKFLOW, STATE_BLOCKED,
	  FSM_SET_BLOCKED, { { 0, 0 } }, 0 },

	/* The receipt tells whoever answered that the answer was read. */
	{ STATE_AWAITING_APPROVAL, EVENT_APPROVE, ANY_WORKFLOW,
	  STATE_AWAITING_VERIFICATION, FSM_ISSUE_TOKEN,
	  { { MAIL_VERIFICATION, ROLE_MSP_ADMIN },
	    { MAIL_APPROVAL_RECEIPT, ROLE_CUSTOMER_ADMIN } }, 2 },
	{ STATE_AWAITING_APPROVAL, EVENT_REJECT, ANY_WORKFLOW, STATE_REJECTED,
	  0,
	  { { MAIL_REJECTED, ROLE_MSP_ADMIN },
	    { MAIL_REJECTED, ROLE_SUPPORT },
	    { MAIL_APPROVAL_RECEIPT, ROLE_CUSTOMER_ADMIN } }, 3 },

	/* Replies are expected only where someone was asked to answer. */
	{ STATE_AWAITING_APPROVAL, EVENT_UNCLEAR, ANY_WORKFLOW, SAME, 0,
	  { { MAIL_CLARIFICATION, ROLE_SENDER } }, 1 },
	{ STATE_TOKEN_EXPIRED, EVENT_UNCLEAR, ANY_WORKFLOW, SAME, 0,
	  { { MAIL_CLARIFICATION, ROLE_SENDER } }, 1 },
	{ STATE_FINALIZING, EVENT_UNCLEAR, ANY_WORKFLOW, SAME, 0,
	  { { MAIL_CLARIFICATION, ROLE_SENDER } }, 1 },

	{ STATE_AWAITING_VERIFICATION, EVENT_VERIFY, 2, STATE_COMPLETED,
	  FSM_SET_PLAN | FSM_APPLY_LICENCES,
	  { { MAIL_COMPLETED, ROLE_MSP_ADMIN } }, 1 },
	{ STATE_AWAITING_VERIFICATION, EVENT_VERIFY, 1, STATE_FINALIZING,
	  FSM_SET_PLAN,
	  { { MAIL_FINALIZATION_REQUEST, ROLE_SUPPORT },
	    { MAIL_VERIFIED, ROLE_MSP_ADMIN } }, 2 },
	{ STATE_FINALIZING, EVENT_FINALIZE, ANY_WORKFLOW, STATE_COMPLETED,
	  FSM_APPLY_LICENCES,
	  { { MAIL_COMPLETED, ROLE_MSP_ADMIN } }, 1 },

	{ STATE_AWAITING_VERIFICATION, EVENT_EXPIRE, ANY_WORKFLOW,
	  STATE_TOKEN_EXPIRED, 0,
	  { { MAIL_TOKEN_EXPIRED, ROLE_MSP_ADMIN },
	    { MAIL_TOKEN_EXPIRED, ROLE_SUPPORT } }, 2 },
	{ STATE_TOKEN_EXPIRED, EVENT_RETRIGGER, ANY_WORKFLOW,
	  STATE_AWAITING_APPROVAL, FSM_NEW_GENERATION,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } }, 1 },
	{ STATE_REJECTED, EVENT_RETRIGGER, ANY_WORKFLOW,
	  STATE_AWAITING_APPROVAL, FSM_NEW_GENERATION,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } }, 1 },

	{ STATE_AWAITING_APPROVAL, EVENT_REMIND_APPROVAL, ANY_WORKFLOW, SAME,
	  0, { { MAIL_APPROVAL_REMINDER, ROLE_CUSTOMER_ADMIN } }, 1 },
	{ STATE_AWAITING_VERIFICATION, EVENT_REMIND_VERIFICATION, ANY_WORKFLOW,
	  SAME, 0, { { MAIL_VERIFICATION_REMINDER, ROLE_MSP_ADMIN } }, 1 },
};

static const char *state_names[STATE_COUNT] = {
	[STATE_NEW] = "new",
	[STATE_BLOCKED] = "blocked",
	[STATE_AWAITING_APPROVAL] = "awaiting_approval",
	[STATE_AWAITING_VERIFICATION] = "awaiting_verification",
	[STATE_FINALIZING] = "finalizing",
	[STATE_COMPLETED] = "completed",
	[STATE_REJECTED] = "rejected",
	[STATE_TOKEN_EXPIRED] = "token_expired",
	[STATE_CANCELLED] = "cancelled",
};

static const char *event_names[EVENT_COUNT] = {
	[EVENT_START] = "start",
	[EVENT_PREFLIGHT_FAIL] = "preflight_fail",
	[EVENT_APPROVE] = "approve",
	[EVENT_REJECT] = "reject",
	[EVENT_UNCLEAR] = "unclear",
	[EVENT_VERIFY] = "verify",
	[EVENT_FINALIZE] = "finalize",
	[EVENT_EXPIRE] = "expire",
	[EVENT_RETRIGGER] = "retrigger",
	[EVENT_CANCEL] = "cancel",
	[EVENT_REMIND_APPROVAL] = "remind_approval",
	[EVENT_REMIND_VERIFICATION] = "remind_verification",
};

static const char *mail_kind_names[MAIL_KIND_COUNT] = {
	[MAIL_APPROVAL_REQUEST] = "approval_request",
	[MAIL_APPROVAL_REMINDER] = "approval_reminder",
	[MAIL_APPROVAL_RECEIPT] = "approval_receipt",
	[MAIL_CLARIFICATION] = "clarification",
	[MAIL_VERIFICATION] = "verification",
	[MAIL_VERIFICATION_REMINDER] = "verification_reminder",
	[MAIL_TOKEN_EXPIRED] = "token_expired",
	[MAIL_REJECTED] = "rejected",
	[MAIL_VERIFIED] = "verified",
	[MAIL_FINALIZATION_REQUEST] = "finalization_request",
	[MAIL_COMPLETED] = "completed",
	[MAIL_DELIVERY_FAILED] = "delivery_failed",
	[MAIL_UNEXPECTED_REPLY] = "unexpected_reply",
	[MAIL_MAILBOX_AUTH_FAILED] = "mailbox_auth_failed",
};

static const char *role_names[] = {
	[ROLE_CUSTOMER_ADMIN] = "customer_admin",
	[ROLE_MSP_ADMIN] = "msp_admin",
	[ROLE_SUPPORT] = "support",
	[ROLE_SENDER] = "sender",
};

/* Where an event can apply, for the refusal message. */
static void
refuse(enum tenant_state state, enum fsm_event event, struct err *err)
{
	if (fsm_is_final(state))
		err_set(err, ERR_STATE, "the tenant is %s, which is final",
		    state_names[state]);
	else
		err_set(err, ERR_STATE,
		    "'%s' does not apply to a tenant in state %s",
		    event_names[event], state_names[state]);
}

int
fsm_step(enum tenant_state state, enum fsm_event event, int workflow,
    struct fsm_result *res, struct err *err)
{
	const struct rule *r;
	size_t i;

	memset(res, 0, sizeof *res);
	if ((unsigned)state >= STATE_COUNT || (unsigned)event >= EVENT_COUNT) {
		err_set(err, ERR_STATE, "unknown state or event");
		return -1;
	}
	if (event == EVENT_CANCEL) {
		if (fsm_is_final(state)) {
			refuse(state, event, err);
			return -1;
		}
		res->next = STATE_CANCELLED;
		return 0;
	}
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		r = &rules[i];
		if (r->from != state || r->event != event)
			continue;
		if (r->workflow != ANY_WORKFLOW && r->workflow != workflow)
			continue;
		res->next = r->to == SAME ? state : r->to;
		res->actions = r->actions;
		res->nmails = r->nmails;
		memcpy(res->mails, r->mails, sizeof res->mails);
		return 0;
	}
	refuse(state, event, err);
	return -1;
}

int
fsm_is_final(enum tenant_state state)
{
	return state == STATE_COMPLETED || state == STATE_CANCELLED;
}

int
fsm_is_restricted(enum tenant_state state)
{
	return state == STATE_AWAITING_APPROVAL ||
	    state == STATE_AWAITING_VERIFICATION || state == STATE_FINALIZING;
}

const char *
fsm_state_name(enum tenant_state state)
{
	if ((unsigned)state >= STATE_COUNT)
		return "unknown";
	return state_names[state];
}

int
fsm_state_from_name(const char *name)
{
	int i;

	for (i = 0; i < STATE_COUNT; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

const char *
fsm_event_name(enum fsm_event event)
{
	if ((unsigned)event >= EVENT_COUNT)
		return "unknown";
	return event_names[event];
}

const char *
fsm_mail_kind_name(enum mail_kind kind)
{
	if ((unsigned)kind >= MAIL_KIND_COUNT)
		return "unknown";
	return mail_kind_names[kind];
}

int
fsm_mail_kind_from_name(const char *name)
{
	int i;

	for (i = 0; i < MAIL_KIND_COUNT; i++)
		if (strcmp(mail_kind_names[i], name) == 0)
			return i;
	return -1;
}

const char *
fsm_role_name(enum mail_role role)
{
	if ((unsigned)role >= sizeof role_names / sizeof role_names[0])
		return "unknown";
	return role_names[role];
}

int
fsm_applies(enum tenant_state state, enum fsm_event event, int workflow)
{
	struct fsm_result res;
	struct err err;

	return fsm_step(state, event, workflow, &res, &err) == 0;
}
