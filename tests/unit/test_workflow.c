/* test_workflow.c: transitions committed with their history and mails. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "date.h"
#include "store_bulk.h"
#include "workflow.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */

struct fixture {
	struct agent_fixture ag;
	int64_t		 saas_plan;
	int64_t		 full_plan;
};

static int64_t
add_plan(struct store *st, const char *name, unsigned products)
{
	char edition[] = "Enterprise";
	char *n = strdup(name);
	struct plan p = { 0 };
	struct err err;
	int64_t id;

	p.name = n;
	p.edition = edition;
	p.products = products;
	assert_int_equal(store_plan_add(st, &p, 0, &id, &err), 0);
	free(n);
	return id;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	agent_fixture_open(&f->ag, "test_workflow");
	strvec_push(&f->ag.cfg.support_addresses, "oncall@msp.test");
	f->saas_plan = add_plan(f->ag.st, "SaaS", WORKLOAD_SAAS);
	f->full_plan = add_plan(f->ag.st, "Full", WORKLOAD_ALL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	agent_fixture_close(&f->ag);
	free(f);
	return 0;
}

static int64_t
add_tenant(struct fixture *f, unsigned workloads, const char *customer,
    int suspended)
{
	struct tenant t;
	struct err err;
	int64_t id;

	tenant_init(&t);
	t.name = strdup("Müller & Söhne");
	t.customer_admin = strdup(customer);
	t.msp_admin = strdup("msp@provider.test");
	t.edition = strdup("enterprise");
	t.workloads = workloads;
	t.suspended = suspended;
	if (workloads & WORKLOAD_BIT(WORKLOAD_M365))
		t.expires[WORKLOAD_M365] = date_from_civil(2027, 3, 1);
	if (workloads & WORKLOAD_BIT(WORKLOAD_ENDPOINTS))
		t.expires[WORKLOAD_ENDPOINTS] = date_from_civil(2031, 1, 1);
	if (workloads & WORKLOAD_BIT(WORKLOAD_HYBRID))
		t.expires[WORKLOAD_HYBRID] = date_from_civil(2028, 6, 30);
	assert_int_equal(store_tenant_add(f->ag.st, &t, 0, &id, &err), 0);
	tenant_clear(&t);
	return id;
}

static int
fire(struct fixture *f, int64_t id, enum fsm_event event, const char *plan,
    struct err *err)
{
	struct workflow_event ev = { .event = event, .actor = "test",
	    .sender = "replier@x.test", .plan = plan };
	struct workflow_outcome out;
	int rc;

	rc = workflow_fire(f->ag.st, &f->ag.ctx, id, &ev, NOW, &out, err);
	workflow_outcome_clear(&out);
	return rc;
}

static enum tenant_state
state_of(struct fixture *f, int64_t id)
{
	struct tenant t;
	struct err err;
	enum tenant_state s;

	assert_int_equal(store_tenant_get(f->ag.st, id, &t, &err), 0);
	s = t.state;
	tenant_clear(&t);
	return s;
}

/* The queued mails as "kind:to,kind:to". */
static char *
mails_of(struct fixture *f, int64_t id)
{
	struct outbox_entry *o;
	struct buf b = { 0 };
	struct err err;
	size_t n, i;

	assert_int_equal(store_outbox_list(f->ag.st, id, &o, &n, &err), 0);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s:%s", i ? "," : "",
		    fsm_mail_kind_name(o[i].kind), o[i].recipient);
	store_outbox_free(o, n);
	return buf_release(&b);
}

static size_t
history_count(struct fixture *f, int64_t id)
{
	struct history_entry *h;
	struct err err;
	size_t n;

	assert_int_equal(store_history_list(f->ag.st, id, &h, &n, &err), 0);
	store_history_free(h, n);
	return n;
}

static void
test_preflight_blocks_with_every_reason(void **state)
{
	struct fixture *f = *state;
	struct workflow_event ev = { .event = EVENT_START, .actor = "cli" };
	struct workflow_outcome out;
	struct tenant t;
	struct err err;
	char *mails;
	int64_t id;

	id = add_tenant(f, 0, "no-at-sign", 1);
	assert_int_equal(workflow_fire(f->ag.st, &f->ag.ctx, id, &ev, NOW, &out,
	    &err), 0);
	assert_int_equal(out.to, STATE_BLOCKED);
	assert_int_equal(out.reasons.n, 3);
	workflow_outcome_clear(&out);
	assert_int_equal(store_tenant_get(f->ag.st, id, &t, &err), 0);
	assert_int_equal(t.blocked_reasons.n, 3);
	tenant_clear(&t);
	mails = mails_of(f, id);
	assert_string_equal(mails, "");
	free(mails);
	assert_int_equal(history_count(f, id), 1);
}

static void
test_workflow2_to_completed(void **state)
{
	struct fixture *f = *state;
	struct token_info ti;
	struct tenant t;
	struct err err;
	char *mails;
	int64_t id;

	id = add_tenant(f, WORKLOAD_BIT(WORKLOAD_M365) |
	    WORKLOAD_BIT(WORKLOAD_ENDPOINTS), "admin@customer.test", 0);
	assert_int_equal(fire(f, id, EVENT_START, NULL, &err), 0);
	assert_int_equal(fire(f, id, EVENT_START, NULL, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_int_equal(fire(f, id, EVENT_APPROVE, NULL, &err), 0);
	assert_int_equal(store_token_get(f->ag.st, id, &ti, &err), 0);
	assert_int_equal(ti.issued_at, NOW);
	assert_int_equal(ti.expires_at, NOW + 30 * 86400);
	assert_string_equal(ti.recipient, "msp@provider.test");
	store_token_clear(&ti);
	assert_int_equal(fire(f, id, EVENT_VERIFY, "SaaS", &err), 0);
	assert_int_equal(state_of(f, id), STATE_COMPLETED);
	mails = mails_of(f, id);
	assert_string_equal(mails, "approval_request:admin@customer.test,"
	    "verification:msp@provider.test,"
	    "approval_receipt:admin@customer.test,"
	    "completed:msp@provider.test");
	free(mails);
	assert_int_equal(store_tenant_get(f->ag.st, id, &t, &err), 0);
	assert_int_equal(t.plan_id, f->saas_plan);
	/* SPEC §1: completed 2026-12-01, capped three years later. */
	assert_int_equal(t.after[WORKLOAD_M365], date_from_civil(2029, 12, 1));
	assert_int_equal(t.after[WORKLOAD_ENDPOINTS],
	    date_from_civil(2029, 12, 1));
	tenant_clear(&t);
	assert_int_equal(history_count(f, id), 3);
}

static void
test_workflow1_through_finalizing(void **state)
{
	struct fixture *f = *state;
	struct err err;
	char *mails;
	int64_t id;

	id = add_tenant(f, WORKLOAD_BIT(WORKLOAD_HYBRID) |
	    WORKLOAD_BIT(WORKLOAD_M365), "admin@customer.test", 0);
	assert_int_equal(fire(f, id, EVENT_START, NULL, &err), 0);
	assert_int_equal(fire(f, id, EVENT_APPROVE, NULL, &err), 0);
	/* The SaaS plan lacks hybrid: refused, nothing changes. */
	assert_int_equal(fire(f, id, EVENT_VERIFY, "SaaS", &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(state_of(f, id), STATE_AWAITING_VERIFICATION);
	assert_int_equal(fire(f, id, EVENT_VERIFY, "no such plan", &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(fire(f, id, EVENT_VERIFY, NULL, &err), -1);
	assert_int_equal(history_count(f, id), 2);
	assert_int_equal(fire(f, id, EVENT_VERIFY, "Full", &err), 0);
	assert_int_equal(state_of(f, id), STATE_FINALIZING);
	assert_int_equal(fire(f, id, EVENT_FINALIZE, NULL, &err), 0);
	assert_int_equal(state_of(f, id), STATE_COMPLETED);
	mails = mails_of(f, id);
	assert_string_equal(mails, "approval_request:admin@customer.test,"
	    "verification:msp@provider.test,"
	    "approval_receipt:admin@customer.test,"
	    "finalization_request:support@msp.test,"
	    "finalization_request:oncall@msp.test,"
	    "verified:msp@provider.test,completed:msp@provider.test");
	free(mails);
}

static void
test_reject_retrigger_and_unclear(void **state)
{
	struct fixture *f = *state;
	struct token_info ti;
	struct err err;
	char *mails;
	int64_t id;

	id = add_tenant(f, WORKLOAD_BIT(WORKLOAD_GWS), "admin@customer.test",
	    0);
	assert_int_equal(fire(f, id, EVENT_START, NULL, &err), 0);
	assert_int_equal(fire(f, id, EVENT_UNCLEAR, NULL, &err), 0);
	assert_int_equal(state_of(f, id), STATE_AWAITING_APPROVAL);
	assert_int_equal(fire(f, id, EVENT_REJECT, NULL, &err), 0);
	assert_int_equal(fire(f, id, EVENT_RETRIGGER, NULL, &err), 0);
	assert_int_equal(store_token_get(f->ag.st, id, &ti, &err), 0);
	assert_int_equal(ti.generation, 2);
	assert_int_equal(ti.issued_at, 0);
	store_token_clear(&ti);
	mails = mails_of(f, id);
	assert_string_equal(mails, "approval_request:admin@customer.test,"
	    "clarification:replier@x.test,"
	    "rejected:msp@provider.test,rejected:support@msp.test,"
	    "rejected:oncall@msp.test,approval_receipt:admin@customer.test,"
	    "approval_request:admin@customer.test");
	free(mails);
	assert_int_equal(fire(f, id, EVENT_CANCEL, NULL, &err), 0);
	assert_int_equal(fire(f, id, EVENT_CANCEL, NULL, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_non_null(strstr(err.msg, "tenant 1"));
}

/* Whoever fires it, a transition is one line in one format. */
static void
test_each_path_logs_one_line(void **state)
{
	static const struct {
		enum fsm_event	 event;
		const char	*actor;
		const char	*sender;
		const char	*plan;
		const char	*line;
	} rows[] = {
		{ EVENT_START, "cli", NULL, NULL,
		  "new -> awaiting_approval (cli, start)" },
		{ EVENT_APPROVE, "mail", "admin@customer.test", NULL,
		  "awaiting_approval -> awaiting_verification "
		  "(mail, approve from admin@customer.test)" },
		{ EVENT_REMIND_VERIFICATION, "timer", NULL, NULL,
		  "awaiting_verification -> awaiting_verification "
		  "(timer, remind_verification)" },
		{ EVENT_EXPIRE, "timer", NULL, NULL,
		  "awaiting_verification -> token_expired (timer, expire)" },
		{ EVENT_RETRIGGER, "mail", "support@msp.test", NULL,
		  "token_expired -> awaiting_approval "
		  "(mail, retrigger from support@msp.test)" },
		{ EVENT_APPROVE, "cli", NULL, NULL,
		  "awaiting_approval -> awaiting_verification (cli, approve)" },
		{ EVENT_VERIFY, "web", NULL, "SaaS",
		  "awaiting_verification -> completed "
		  "(web, verify with plan SaaS)" },
	};
	struct fixture *f = *state;
	struct workflow_event ev;
	struct workflow_outcome out;
	struct err err;
	char want[256];
	int64_t id;
	size_t i;

	id = add_tenant(f, WORKLOAD_BIT(WORKLOAD_M365), "admin@customer.test",
	    0);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&ev, 0, sizeof ev);
		ev.event = rows[i].event;
		ev.actor = rows[i].actor;
		ev.sender = rows[i].sender;
		ev.plan = rows[i].plan;
		assert_int_equal(workflow_fire(f->ag.st, &f->ag.ctx, id, &ev,
		    NOW, &out, &err), 0);
		workflow_outcome_clear(&out);
		snprintf(want, sizeof want, "info workflow tenant %lld: %s\n",
		    (long long)id, rows[i].line);
		agent_fixture_assert_logged(&f->ag, want);
	}
}

/* A transition refused or undone is not logged. */
static void
test_refused_transition_logs_nothing(void **state)
{
	struct fixture *f = *state;
	struct err err;
	int64_t id;

	id = add_tenant(f, WORKLOAD_BIT(WORKLOAD_HYBRID), "admin@customer.test",
	    0);
	assert_int_equal(fire(f, id, EVENT_START, NULL, &err), 0);
	assert_int_equal(fire(f, id, EVENT_APPROVE, NULL, &err), 0);
	free(agent_fixture_logged(&f->ag));
	assert_int_equal(fire(f, id, EVENT_APPROVE, NULL, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	agent_fixture_assert_logged(&f->ag, "");
	/* Undone half way, after the state changed: no plan fits. */
	assert_int_equal(fire(f, id, EVENT_VERIFY, "SaaS", &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	agent_fixture_assert_logged(&f->ag, "");
	assert_int_equal(fire(f, 42, EVENT_START, NULL, &err), -1);
	agent_fixture_assert_logged(&f->ag, "");
	assert_int_equal(state_of(f, id), STATE_AWAITING_VERIFICATION);
}

/*
 * Inside a batch (the inbox's), a released step is not committed yet:
 * its line waits for the batch, and goes with it when the batch is
 * rolled back (to be redone step by step); a step undone drops its own.
 */
static void
test_batch_logs_at_its_commit(void **state)
{
	struct fixture *f = *state;
	struct err err;
	char want[256];
	int64_t a, b;

	a = add_tenant(f, WORKLOAD_BIT(WORKLOAD_GWS), "a@customer.test", 0);
	b = add_tenant(f, WORKLOAD_BIT(WORKLOAD_GWS), "b@customer.test", 0);
	assert_int_equal(store_batch_begin(f->ag.st, &err), 0);
	assert_int_equal(fire(f, a, EVENT_START, NULL, &err), 0);
	assert_int_equal(fire(f, a, EVENT_START, NULL, &err), -1);
	agent_fixture_assert_logged(&f->ag, "");
	store_batch_rollback(f->ag.st);
	agent_fixture_assert_logged(&f->ag, "");
	assert_int_equal(state_of(f, a), STATE_NEW);

	/* Redone: one line for each transition the batch commits. */
	assert_int_equal(store_batch_begin(f->ag.st, &err), 0);
	assert_int_equal(fire(f, a, EVENT_START, NULL, &err), 0);
	assert_int_equal(store_begin(f->ag.st, &err), 0);
	store_log_at_commit(f->ag.st, "workflow", "a step undone");
	store_rollback(f->ag.st);
	assert_int_equal(fire(f, b, EVENT_START, NULL, &err), 0);
	agent_fixture_assert_logged(&f->ag, "");
	assert_int_equal(store_batch_commit(f->ag.st, &err), 0);
	snprintf(want, sizeof want,
	    "info workflow tenant %lld: new -> awaiting_approval "
	    "(test, start from replier@x.test)\n"
	    "info workflow tenant %lld: new -> awaiting_approval "
	    "(test, start from replier@x.test)\n", (long long)a,
	    (long long)b);
	agent_fixture_assert_logged(&f->ag, want);
}

/* A person's reason joins the detail made from the event; a failed
 * mail goes again once, for its own tenant, of the current generation. */
static void
test_reason_and_resend(void **state)
{
	struct fixture *f = *state;
	struct workflow_event ev = { .event = EVENT_START,
	    .actor = "console:alice", .reason = "customer asked" };
	struct workflow_outcome out;
	struct history_entry *h;
	struct outbox_entry mail;
	struct err err;
	int64_t id, other;
	size_t n;

	id = add_tenant(f, WORKLOAD_BIT(WORKLOAD_GWS), "it@customer.test", 0);
	other = add_tenant(f, WORKLOAD_BIT(WORKLOAD_GWS), "b@customer.test", 0);
	assert_int_equal(workflow_fire(f->ag.st, &f->ag.ctx, id, &ev, NOW,
	    &out, &err), 0);
	workflow_outcome_clear(&out);
	assert_int_equal(store_history_list(f->ag.st, id, &h, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].actor, "console:alice");
	assert_string_equal(h[0].detail, "start: preflight passed; reason: "
	    "customer asked; mails: approval_request to it@customer.test");
	store_history_free(h, n);

	/* Mail 1 is queued: nothing to send again. */
	assert_int_equal(workflow_resend(f->ag.st, id, 1, "console:alice",
	    "bounced", NOW, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_int_equal(store_outbox_failed(f->ag.st, 1, "550 no", &err), 0);
	assert_int_equal(workflow_resend(f->ag.st, other, 1, "console:alice",
	    "bounced", NOW, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(workflow_resend(f->ag.st, id, 1, "console:alice",
	    "mailbox fixed", NOW + 5, &err), 0);
	assert_int_equal(workflow_resend(f->ag.st, id, 1, "console:alice",
	    "mailbox fixed", NOW + 5, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_int_equal(store_outbox_head(f->ag.st, 1, &mail, &err), 0);
	assert_int_equal(mail.status, MAIL_STATUS_QUEUED);
	assert_int_equal(mail.next_attempt_at, NOW + 5);
	store_outbox_entry_clear(&mail);
	assert_int_equal(store_history_list(f->ag.st, id, &h, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[1].from, STATE_AWAITING_APPROVAL);
	assert_int_equal(h[1].to, STATE_AWAITING_APPROVAL);
	assert_string_equal(h[1].detail, "approval_request to it@customer.test "
	    "sent again (mail 1); reason: mailbox fixed");
	store_history_free(h, n);
	free(agent_fixture_logged(&f->ag));

	/* After a retrigger the old request's reply no longer counts. */
	assert_int_equal(store_outbox_failed(f->ag.st, 1, "550 no", &err), 0);
	assert_int_equal(fire(f, id, EVENT_REJECT, NULL, &err), 0);
	assert_int_equal(fire(f, id, EVENT_RETRIGGER, NULL, &err), 0);
	assert_int_equal(workflow_resend(f->ag.st, id, 1, "console:alice",
	    "again", NOW, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
}

static void
test_unknown_tenant(void **state)
{
	struct fixture *f = *state;
	struct err err;

	assert_int_equal(fire(f, 42, EVENT_START, NULL, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(err.msg, "no tenant 42");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_preflight_blocks_with_every_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_workflow2_to_completed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_workflow1_through_finalizing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_reject_retrigger_and_unclear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reason_and_resend, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_tenant,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_path_logs_one_line,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_refused_transition_logs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_logs_at_its_commit,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
