/* test_fsm.c: every state x event x workflow of the workflow core. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fsm.h"

#define NO (-1)		/* refused */

/*
 * expect[state][event] for Workflow 2 and Workflow 1, written out in full
 * so that a change to the table in fsm.c has to be made here too.
 */
struct expect_row {
	enum tenant_state	state;
	int			w2[EVENT_COUNT];
	int			w1[EVENT_COUNT];
};

#define N  STATE_NEW
#define B  STATE_BLOCKED
#define AA STATE_AWAITING_APPROVAL
#define AV STATE_AWAITING_VERIFICATION
#define FI STATE_FINALIZING
#define CO STATE_COMPLETED
#define RE STATE_REJECTED
#define TE STATE_TOKEN_EXPIRED
#define CA STATE_CANCELLED

/* Event order: start preflight_fail approve reject unclear verify finalize
 * expire retrigger cancel remind_approval remind_verification. */
static const struct expect_row expect[] = {
	{ N,  { AA, B,  NO, NO, NO, NO, NO, NO, NO, CA, NO, NO },
	      { AA, B,  NO, NO, NO, NO, NO, NO, NO, CA, NO, NO } },
	{ B,  { AA, B,  NO, NO, NO, NO, NO, NO, NO, CA, NO, NO },
	      { AA, B,  NO, NO, NO, NO, NO, NO, NO, CA, NO, NO } },
	{ AA, { NO, NO, AV, RE, AA, NO, NO, NO, NO, CA, AA, NO },
	      { NO, NO, AV, RE, AA, NO, NO, NO, NO, CA, AA, NO } },
	{ AV, { NO, NO, NO, NO, NO, CO, NO, TE, NO, CA, NO, AV },
	      { NO, NO, NO, NO, NO, FI, NO, TE, NO, CA, NO, AV } },
	{ FI, { NO, NO, NO, NO, FI, NO, CO, NO, NO, CA, NO, NO },
	      { NO, NO, NO, NO, FI, NO, CO, NO, NO, CA, NO, NO } },
	{ CO, { NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO },
	      { NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO } },
	{ RE, { NO, NO, NO, NO, NO, NO, NO, NO, AA, CA, NO, NO },
	      { NO, NO, NO, NO, NO, NO, NO, NO, AA, CA, NO, NO } },
	{ TE, { NO, NO, NO, NO, TE, NO, NO, NO, AA, CA, NO, NO },
	      { NO, NO, NO, NO, TE, NO, NO, NO, AA, CA, NO, NO } },
	{ CA, { NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO },
	      { NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO } },
};

static void
test_every_pair(void **state)
{
	struct fsm_result res;
	struct err err;
	size_t i;
	int e, w, want, rc;

	(void)state;
	assert_int_equal(sizeof expect / sizeof expect[0], STATE_COUNT);
	for (i = 0; i < STATE_COUNT; i++) {
		assert_int_equal(expect[i].state, i);
		for (e = 0; e < EVENT_COUNT; e++) {
			for (w = 1; w <= 2; w++) {
				want = w == 1 ? expect[i].w1[e] : expect[i].w2[e];
				err_clear(&err);
				rc = fsm_step(i, e, w, &res, &err);
				/* The console's buttons ask the same table. */
				assert_int_equal(fsm_applies(i, e, w),
				    want != NO);
				if (want == NO) {
					assert_int_equal(rc, -1);
					assert_int_equal(err.kind, ERR_STATE);
					assert_true(strlen(err.msg) > 0);
				} else {
					if (rc != 0)
						fail_msg("%s/%s/w%d refused: %s",
						    fsm_state_name(i),
						    fsm_event_name(e), w, err.msg);
					assert_int_equal(res.next, want);
				}
			}
		}
	}
}

/* The mails and actions of each legal transition. */
struct mail_case {
	enum tenant_state	state;
	enum fsm_event		event;
	int			workflow;
	unsigned		actions;
	size_t			nmails;
	struct fsm_mail		mails[FSM_MAILS_MAX];
};

static const struct mail_case mail_cases[] = {
	{ N, EVENT_START, 2, FSM_CLEAR_BLOCKED, 1,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } } },
	{ B, EVENT_START, 1, FSM_CLEAR_BLOCKED, 1,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } } },
	{ N, EVENT_PREFLIGHT_FAIL, 2, FSM_SET_BLOCKED, 0, { { 0, 0 } } },
	{ AA, EVENT_APPROVE, 2, FSM_ISSUE_TOKEN, 2,
	  { { MAIL_VERIFICATION, ROLE_MSP_ADMIN },
	    { MAIL_APPROVAL_RECEIPT, ROLE_CUSTOMER_ADMIN } } },
	{ AA, EVENT_REJECT, 1, 0, 3,
	  { { MAIL_REJECTED, ROLE_MSP_ADMIN }, { MAIL_REJECTED, ROLE_SUPPORT },
	    { MAIL_APPROVAL_RECEIPT, ROLE_CUSTOMER_ADMIN } } },
	{ AA, EVENT_UNCLEAR, 2, 0, 1,
	  { { MAIL_CLARIFICATION, ROLE_SENDER } } },
	{ AV, EVENT_VERIFY, 2, FSM_SET_PLAN | FSM_APPLY_LICENCES, 1,
	  { { MAIL_COMPLETED, ROLE_MSP_ADMIN } } },
	{ AV, EVENT_VERIFY, 1, FSM_SET_PLAN, 2,
	  { { MAIL_FINALIZATION_REQUEST, ROLE_SUPPORT },
	    { MAIL_VERIFIED, ROLE_MSP_ADMIN } } },
	{ FI, EVENT_FINALIZE, 1, FSM_APPLY_LICENCES, 1,
	  { { MAIL_COMPLETED, ROLE_MSP_ADMIN } } },
	{ AV, EVENT_EXPIRE, 2, 0, 2,
	  { { MAIL_TOKEN_EXPIRED, ROLE_MSP_ADMIN },
	    { MAIL_TOKEN_EXPIRED, ROLE_SUPPORT } } },
	{ TE, EVENT_RETRIGGER, 2, FSM_NEW_GENERATION, 1,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } } },
	{ RE, EVENT_RETRIGGER, 1, FSM_NEW_GENERATION, 1,
	  { { MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN } } },
	{ AA, EVENT_REMIND_APPROVAL, 2, 0, 1,
	  { { MAIL_APPROVAL_REMINDER, ROLE_CUSTOMER_ADMIN } } },
	{ AV, EVENT_REMIND_VERIFICATION, 1, 0, 1,
	  { { MAIL_VERIFICATION_REMINDER, ROLE_MSP_ADMIN } } },
	{ FI, EVENT_CANCEL, 1, 0, 0, { { 0, 0 } } },
};

static void
test_mails_and_actions(void **state)
{
	struct fsm_result res;
	struct err err;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof mail_cases / sizeof mail_cases[0]; i++) {
		const struct mail_case *c = &mail_cases[i];

		assert_int_equal(fsm_step(c->state, c->event, c->workflow,
		    &res, &err), 0);
		assert_int_equal(res.actions, c->actions);
		assert_int_equal(res.nmails, c->nmails);
		for (j = 0; j < c->nmails; j++) {
			assert_int_equal(res.mails[j].kind, c->mails[j].kind);
			assert_int_equal(res.mails[j].to, c->mails[j].to);
		}
	}
}

static void
test_refusal_messages(void **state)
{
	struct fsm_result res;
	struct err err;

	(void)state;
	assert_int_equal(fsm_step(CO, EVENT_CANCEL, 2, &res, &err), -1);
	assert_string_equal(err.msg, "the tenant is completed, which is final");
	assert_int_equal(fsm_step(N, EVENT_FINALIZE, 1, &res, &err), -1);
	assert_string_equal(err.msg,
	    "'finalize' does not apply to a tenant in state new");
	assert_int_equal(fsm_step(STATE_COUNT, EVENT_START, 1, &res, &err), -1);
	assert_int_equal(fsm_step(N, EVENT_COUNT, 1, &res, &err), -1);
	assert_int_equal(fsm_step(N, (enum fsm_event)-1, 1, &res, &err), -1);
}

static void
test_names_round_trip(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < STATE_COUNT; i++)
		assert_int_equal(fsm_state_from_name(fsm_state_name(i)), i);
	for (i = 0; i < MAIL_KIND_COUNT; i++)
		assert_int_equal(fsm_mail_kind_from_name(
		    fsm_mail_kind_name(i)), i);
	for (i = 0; i < EVENT_COUNT; i++)
		assert_string_not_equal(fsm_event_name(i), "unknown");
	assert_int_equal(fsm_state_from_name("Completed"), -1);
	assert_int_equal(fsm_state_from_name(""), -1);
	assert_int_equal(fsm_mail_kind_from_name("bogus"), -1);
	assert_string_equal(fsm_state_name(STATE_COUNT), "unknown");
	assert_string_equal(fsm_mail_kind_name(MAIL_KIND_COUNT), "unknown");
	assert_string_equal(fsm_event_name(EVENT_COUNT), "unknown");
	assert_string_equal(fsm_event_name((enum fsm_event)-1), "unknown");
	assert_string_equal(fsm_role_name(ROLE_CUSTOMER_ADMIN),
	    "customer_admin");
	assert_string_equal(fsm_role_name(ROLE_SENDER), "sender");
	assert_string_equal(fsm_role_name((enum mail_role)(ROLE_SENDER + 1)),
	    "unknown");
}

static void
test_restricted_and_final(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < STATE_COUNT; i++) {
		assert_int_equal(fsm_is_restricted(i),
		    i == AA || i == AV || i == FI);
		assert_int_equal(fsm_is_final(i), i == CO || i == CA);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_mails_and_actions),
		cmocka_unit_test(test_refusal_messages),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_restricted_and_final),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
