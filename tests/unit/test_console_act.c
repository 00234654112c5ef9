/* test_console_act.c: the console's actions, one tenant or many, and the import. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console_impl.h"
#include "console_listener.h"
#include "workflow.h"

#include "agent_fixture.h"

#define NOW		1796126400	/* 2026-12-01T12:00:00Z */
#define PARAMS_MAX	700
#define ACT_BULK_TEST	501	/* one over the console's cap */
#define HEADER	"name,customer_admin,msp_admin,workloads,edition,licenses," \
		"suspended\n"

struct fixture {
	struct agent_fixture	 ag;
	struct console		 con;
	int			 queued;	/* calls of con.queued */
	int64_t			 plan_gws;	/* eligible for the tenants */
	int64_t			 plan_other;	/* another edition */
	struct console_param	 params[PARAMS_MAX];
	size_t			 nparams;
	struct console_request	 req;
	struct console_response	 res;
	const char		*upload;
	size_t			 upload_len;
};

static void
count_queued(void *arg)
{
	(*(int *)arg)++;
}

static int64_t
add_plan(struct fixture *f, const char *name, const char *edition,
    unsigned products)
{
	struct plan p = { 0 };
	struct err err;
	int64_t id;

	p.name = strdup(name);
	p.edition = strdup(edition);
	p.products = products;
	assert_int_equal(store_plan_add(f->ag.st, &p, 0, &id, &err), 0);
	plan_clear(&p);
	return id;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	agent_fixture_open(&f->ag, "test_console_act");
	f->ag.cfg.console_base_url = strdup("https://console.msp.test");
	f->con.mail = &f->ag.ctx;
	f->con.queued = count_queued;
	f->con.queued_arg = &f->queued;
	f->plan_gws = add_plan(f, "Enterprise all", "enterprise",
	    WORKLOAD_ALL);
	f->plan_other = add_plan(f, "Standard", "standard", WORKLOAD_ALL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	console_response_clear(&f->res);
	agent_fixture_close(&f->ag);
	free(f);
	return 0;
}

/* ---- making requests ---- */

static void
form_reset(struct fixture *f)
{
	f->nparams = 0;
	f->upload = NULL;
	f->upload_len = 0;
}

static void
field(struct fixture *f, const char *name, const char *value)
{
	assert_true(f->nparams < PARAMS_MAX);
	f->params[f->nparams].name = name;
	f->params[f->nparams].value = value;
	f->params[f->nparams].len = strlen(value);
	f->nparams++;
}

/* The form fields as name, value pairs up to a NULL name. */
static void
fields(struct fixture *f, va_list ap)
{
	const char *name, *value;

	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		field(f, name, value);
	}
}

/* Calls handler as user alice, an operator, with the form so far. */
static unsigned
call(struct fixture *f, const char *path, int64_t id,
    int (*handler)(struct console_call *), const char *action)
{
	struct console_call c;
	int rc;

	console_response_clear(&f->res);
	memset(&f->req, 0, sizeof f->req);
	f->req.method = "POST";
	f->req.path = path;
	f->req.params = f->params;
	f->req.nparams = f->nparams;
	f->req.client = "192.0.2.7";
	f->req.upload = f->upload;
	f->req.upload_len = f->upload_len;
	memset(&c, 0, sizeof c);
	c.con = &f->con;
	c.st = f->ag.st;
	c.req = &f->req;
	c.now = NOW;
	c.res = &f->res;
	c.user.id = 1;
	c.user.name = strdup("alice");
	c.user.role = ROLE_OPERATOR;
	c.csrf = strdup("csrf-token");
	c.ids[0] = id;
	rc = handler != NULL ? handler(&c) : console_tenant_act_post(&c,
	    action);
	if (rc == -1)
		fail_msg("%s: %s", path, c.err.msg);
	user_clear(&c.user);
	free(c.csrf);
	return f->res.status;
}

/* POST /tenants/ID/ACTION with the fields given. */
static unsigned
act(struct fixture *f, int64_t id, const char *action, ...)
{
	va_list ap;

	form_reset(f);
	field(f, "csrf", "csrf-token");
	va_start(ap, action);
	fields(f, ap);
	va_end(ap);
	return call(f, "/tenants/#/action", id, NULL, action);
}

static unsigned
bulk(struct fixture *f, ...)
{
	va_list ap;

	form_reset(f);
	va_start(ap, f);
	fields(f, ap);
	va_end(ap);
	return call(f, "/tenants/bulk", 0, console_bulk_post, NULL);
}

static void
assert_body_has(const struct fixture *f, const char *text)
{
	const char *body = f->res.body ? f->res.body : "(none)";
	const char *main = strstr(body, "<main");

	if (f->res.body == NULL || strstr(f->res.body, text) == NULL)
		fail_msg("no \"%s\" in %u: %s", text, f->res.status,
		    main ? main : body);
}

static void
assert_body_lacks(const struct fixture *f, const char *text)
{
	if (f->res.body != NULL && strstr(f->res.body, text) != NULL)
		fail_msg("\"%s\" in %s", text, f->res.body);
}

/* ---- what the store holds ---- */

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

static size_t
mails_of(struct fixture *f, int64_t id)
{
	struct outbox_entry *o;
	struct err err;
	size_t n;

	assert_int_equal(store_outbox_list(f->ag.st, id, &o, &n, &err), 0);
	store_outbox_free(o, n);
	return n;
}

static size_t
history_of(struct fixture *f, int64_t id, char **actor, char **detail)
{
	struct history_entry *h;
	struct err err;
	size_t n;

	assert_int_equal(store_history_list(f->ag.st, id, &h, &n, &err), 0);
	if (actor != NULL)
		*actor = n ? strdup(h[n - 1].actor) : NULL;
	if (detail != NULL)
		*detail = n ? strdup(h[n - 1].detail) : NULL;
	store_history_free(h, n);
	return n;
}

/* The newest audit rows as "action target outcome" lines, newest
 * first; caller frees. */
static char *
audit_of(struct fixture *f, size_t limit)
{
	struct audit_entry *a;
	struct buf b = { 0 };
	struct err err;
	size_t n, i;

	assert_int_equal(store_audit_list(f->ag.st, 0, limit, &a, &n, &err),
	    0);
	buf_puts(&b, "");
	for (i = 0; i < n; i++) {
		assert_string_equal(a[i].user, "alice");
		assert_string_equal(a[i].address, "192.0.2.7");
		buf_printf(&b, "%s %s %s\n", a[i].action, a[i].target,
		    a[i].outcome);
	}
	store_audit_free(a, n);
	return buf_release(&b);
}

static void
assert_audit(struct fixture *f, size_t limit, const char *want)
{
	char *got = audit_of(f, limit);

	assert_string_equal(got, want);
	free(got);
}

static void
assert_last_audit_detail(struct fixture *f, const char *part)
{
	struct audit_entry *a;
	struct err err;
	size_t n;

	assert_int_equal(store_audit_list(f->ag.st, 0, 1, &a, &n, &err), 0);
	assert_int_equal(n, 1);
	if (strstr(a[0].detail, part) == NULL)
		fail_msg("audit detail \"%s\" lacks \"%s\"", a[0].detail, part);
	store_audit_free(a, 1);
}

static size_t
audit_count(struct fixture *f)
{
	struct audit_entry *a;
	struct err err;
	size_t n;

	assert_int_equal(store_audit_list(f->ag.st, 0, 10000, &a, &n, &err),
	    0);
	store_audit_free(a, n);
	return n;
}

static size_t
tenant_count(struct fixture *f)
{
	int64_t *ids;
	size_t n;
	struct err err;

	assert_int_equal(store_tenant_ids(f->ag.st, -1, &ids, &n, &err), 0);
	free(ids);
	return n;
}

/* Moves a tenant on as the CLI or a reply would. */
static void
fire(struct fixture *f, int64_t id, enum fsm_event event, const char *actor)
{
	struct workflow_event ev = { .event = event, .actor = actor };
	struct workflow_outcome out;
	char plan[24];
	struct err err;

	snprintf(plan, sizeof plan, "%lld", (long long)f->plan_gws);
	if (event == EVENT_VERIFY)
		ev.plan = plan;
	if (workflow_fire(f->ag.st, &f->ag.ctx, id, &ev, NOW - 60, &out,
	    &err) == -1)
		fail_msg("%s: %s", fsm_event_name(event), err.msg);
	workflow_outcome_clear(&out);
}

/* A Workflow 1 tenant (hybrid), which goes through finalizing. */
static int64_t
hybrid_tenant(struct fixture *f, const char *name)
{
	struct tenant t;
	struct err err;
	int64_t id;

	tenant_init(&t);
	t.name = strdup(name);
	t.customer_admin = strdup("it@hybrid.test");
	t.msp_admin = strdup("msp@provider.test");
	t.edition = strdup("enterprise");
	t.workloads = WORKLOAD_BIT(WORKLOAD_HYBRID) | WORKLOAD_BIT(WORKLOAD_GWS);
	assert_int_equal(store_tenant_add(f->ag.st, &t, 0, &id, &err), 0);
	tenant_clear(&t);
	return id;
}

/* ---- one tenant ---- */

/* Without confirm=yes the answer asks, with the same fields and the
 * reason's box; with it, the action is done once and the browser sent
 * to the tenant's page.  The same form again changes nothing. */
static void
test_confirm_then_act_once(void **state)
{
	struct fixture *f = *state;
	int64_t id = agent_fixture_tenant(&f->ag, "Müller & Söhne",
	    "it@mueller.test");
	char *actor, *detail;

	assert_int_equal(act(f, id, "start", "from_state", "new", NULL), 200);
	assert_body_has(f, "Confirm: Start");
	assert_body_has(f, "Müller &amp; Söhne");
	assert_body_has(f, "name=\"from_state\" value=\"new\"");
	assert_body_has(f, "name=\"confirm\" value=\"yes\"");
	assert_body_has(f, "name=\"reason\"");
	assert_body_has(f, "href=\"https://console.msp.test/tenants/1\"");
	assert_int_equal(state_of(f, id), STATE_NEW);
	assert_int_equal(audit_count(f), 0);

	assert_int_equal(act(f, id, "start", "from_state", "new", "reason",
	    "customer asked by phone", "confirm", "yes", NULL), 303);
	assert_string_equal(f->res.location, "/tenants/1?done=start");
	assert_int_equal(state_of(f, id), STATE_AWAITING_APPROVAL);
	assert_int_equal(mails_of(f, id), 1);
	assert_int_equal(f->queued, 1);
	assert_int_equal(history_of(f, id, &actor, &detail), 1);
	assert_string_equal(actor, "console:alice");
	assert_non_null(strstr(detail, "reason: customer asked by phone"));
	free(actor);
	free(detail);
	assert_audit(f, 10, "tenant.start tenant 1 ok\n");
	assert_last_audit_detail(f, "customer asked by phone");

	/* Back and send again: the tenant moved on, nothing more. */
	assert_int_equal(act(f, id, "start", "from_state", "new", "reason",
	    "customer asked by phone", "confirm", "yes", NULL), 409);
	assert_body_has(f, "awaiting_approval");
	assert_body_has(f, "console:alice");
	assert_int_equal(mails_of(f, id), 1);
	assert_int_equal(history_of(f, id, NULL, NULL), 1);
	assert_int_equal(f->queued, 1);
	assert_audit(f, 10, "tenant.start tenant 1 refused\n"
	    "tenant.start tenant 1 ok\n");
}

struct act_row {
	const char		*action;
	const char		*from;		/* the tenant is brought here */
	enum tenant_state	 to;
	size_t			 mails;		/* queued by the action */
	int			 hybrid;
};

static const struct act_row act_rows[] = {
	{ "start", "new", STATE_AWAITING_APPROVAL, 1, 0 },
	{ "approve", "awaiting_approval", STATE_AWAITING_VERIFICATION, 2, 0 },
	{ "reject", "awaiting_approval", STATE_REJECTED, 3, 0 },
	{ "retrigger", "rejected", STATE_AWAITING_APPROVAL, 1, 0 },
	{ "verify", "awaiting_verification", STATE_COMPLETED, 1, 0 },
	{ "verify", "awaiting_verification", STATE_FINALIZING, 2, 1 },
	{ "finalize", "finalizing", STATE_COMPLETED, 1, 1 },
	{ "cancel", "awaiting_verification", STATE_CANCELLED, 0, 0 },
	{ "cancel", "new", STATE_CANCELLED, 0, 0 },
};

/* Brings a new tenant to state by the events the CLI and replies fire. */
static void
bring_to(struct fixture *f, int64_t id, const char *state)
{
	if (strcmp(state, "new") == 0)
		return;
	fire(f, id, EVENT_START, "cli");
	if (strcmp(state, "awaiting_approval") == 0)
		return;
	if (strcmp(state, "rejected") == 0) {
		fire(f, id, EVENT_REJECT, "mail");
		return;
	}
	fire(f, id, EVENT_APPROVE, "mail");
	if (strcmp(state, "awaiting_verification") == 0)
		return;
	fire(f, id, EVENT_VERIFY, "web");
	assert_string_equal(fsm_state_name(state_of(f, id)), state);
}

/* Every action in a state that allows it: through the workflow, the
 * console's actor and the reason in the history, its mails queued and
 * delivery woken once. */
static void
test_every_action(void **state)
{
	struct fixture *f = *state;
	const struct act_row *r;
	char plan[24], *actor, *detail, *want;
	size_t i, before, queued;
	int64_t id;

	snprintf(plan, sizeof plan, "%lld", (long long)f->plan_gws);
	for (i = 0; i < sizeof act_rows / sizeof act_rows[0]; i++) {
		r = &act_rows[i];
		print_message("%s from %s\n", r->action, r->from);
		id = r->hybrid ? hybrid_tenant(f, "Hybrid") :
		    agent_fixture_tenant(&f->ag, "Cloud", "it@cloud.test");
		bring_to(f, id, r->from);
		before = mails_of(f, id);
		queued = (size_t)f->queued;
		assert_int_equal(act(f, id, r->action, "from_state", r->from,
		    "reason", "ticket 4711", "plan", plan, "confirm", "yes",
		    NULL), 303);
		assert_int_equal(state_of(f, id), r->to);
		assert_int_equal(mails_of(f, id) - before, r->mails);
		assert_int_equal((size_t)f->queued - queued, r->mails ? 1 : 0);
		history_of(f, id, &actor, &detail);
		assert_string_equal(actor, "console:alice");
		assert_non_null(strstr(detail, "reason: ticket 4711"));
		free(actor);
		free(detail);
		want = xasprintf("tenant.%s tenant %lld ok\n", r->action,
		    (long long)id);
		assert_audit(f, 1, want);
		free(want);
	}
}

/* An action the state does not allow, or asked from a state the tenant
 * has left: 409, and nothing changes. */
static void
test_refused_by_state(void **state)
{
	struct fixture *f = *state;
	int64_t id = agent_fixture_tenant(&f->ag, "Acme", "it@acme.test");
	size_t i;
	static const char *const not_now[] = {
		"finalize", "retrigger", "approve", "reject", "verify",
	};

	for (i = 0; i < sizeof not_now / sizeof not_now[0]; i++) {
		assert_int_equal(act(f, id, not_now[i], "from_state", "new",
		    "reason", "why not", "confirm", "yes", NULL), 409);
		assert_body_has(f, "Not possible now");
	}
	assert_int_equal(state_of(f, id), STATE_NEW);
	assert_int_equal(mails_of(f, id), 0);
	assert_int_equal(history_of(f, id, NULL, NULL), 0);
	assert_audit(f, 1, "tenant.verify tenant 1 refused\n");
	assert_int_equal(audit_count(f), 5);

	/* The page said new; a reply started it meanwhile. */
	fire(f, id, EVENT_START, "cli");
	fire(f, id, EVENT_APPROVE, "mail");
	assert_int_equal(act(f, id, "cancel", "from_state", "new", NULL), 409);
	assert_body_has(f, "The tenant has moved on");
	assert_body_has(f, "<strong>awaiting_verification</strong>");
	assert_body_has(f, "awaiting_approval -&gt; awaiting_verification");
	assert_body_has(f, "mail");
	assert_int_equal(state_of(f, id), STATE_AWAITING_VERIFICATION);
	assert_int_equal(audit_count(f), 5);	/* only asked: not audited */
	assert_int_equal(act(f, id, "cancel", "from_state", "new", "reason",
	    "x", "confirm", "yes", NULL), 409);
	assert_int_equal(state_of(f, id), STATE_AWAITING_VERIFICATION);
	assert_audit(f, 1, "tenant.cancel tenant 1 refused\n");

	/* No such tenant. */
	assert_int_equal(act(f, 99, "cancel", "from_state", "new", NULL), 404);
}

/* A form without its state or reason is refused and changes nothing;
 * the confirmation asks again for the reason, keeping the rest. */
static void
test_bad_forms(void **state)
{
	struct fixture *f = *state;
	int64_t id = agent_fixture_tenant(&f->ag, "Acme", "it@acme.test");
	char *long_reason = support_repeat('x', 501);
	static const char *const bad_reasons[] = {
		"", "   ", "line\nbreak", "tab\there", "\xff\xfe",
	};
	size_t i;

	assert_int_equal(act(f, id, "start", "reason", "ok", "confirm", "yes",
	    NULL), 400);
	assert_int_equal(act(f, id, "start", "from_state", "nowhere",
	    "reason", "ok", "confirm", "yes", NULL), 400);
	assert_int_equal(act(f, id, "start", "from_state", "new", "confirm",
	    "yes", NULL), 400);
	assert_body_has(f, "Give a reason");
	assert_body_has(f, "name=\"from_state\" value=\"new\"");
	for (i = 0; i < sizeof bad_reasons / sizeof bad_reasons[0]; i++) {
		print_message("reason %zu\n", i);
		assert_int_equal(act(f, id, "start", "from_state", "new",
		    "reason", bad_reasons[i], "confirm", "yes", NULL), 400);
	}
	assert_int_equal(act(f, id, "start", "from_state", "new", "reason",
	    long_reason, "confirm", "yes", NULL), 400);
	long_reason[500] = '\0';
	assert_int_equal(state_of(f, id), STATE_NEW);
	assert_int_equal(mails_of(f, id), 0);
	assert_int_equal(f->queued, 0);
	/* 500 bytes is still a reason. */
	assert_int_equal(act(f, id, "start", "from_state", "new", "reason",
	    long_reason, "confirm", "yes", NULL), 303);
	free(long_reason);
}

/* verify takes an existing plan the tenant may have. */
static void
test_verify_plans(void **state)
{
	struct fixture *f = *state;
	int64_t id = agent_fixture_tenant(&f->ag, "Acme", "it@acme.test");
	char other[24], good[24];

	snprintf(other, sizeof other, "%lld", (long long)f->plan_other);
	snprintf(good, sizeof good, "%lld", (long long)f->plan_gws);
	bring_to(f, id, "awaiting_verification");
	assert_int_equal(act(f, id, "verify", "from_state",
	    "awaiting_verification", "reason", "r", "confirm", "yes", NULL),
	    422);
	assert_int_equal(act(f, id, "verify", "from_state",
	    "awaiting_verification", "plan", "77", "reason", "r", "confirm",
	    "yes", NULL), 422);
	assert_int_equal(act(f, id, "verify", "from_state",
	    "awaiting_verification", "plan", other, "reason", "r", "confirm",
	    "yes", NULL), 422);
	assert_body_has(f, "Plan Standard cannot be chosen");
	assert_int_equal(state_of(f, id), STATE_AWAITING_VERIFICATION);
	assert_audit(f, 1, "tenant.verify tenant 1 refused\n");

	assert_int_equal(act(f, id, "verify", "from_state",
	    "awaiting_verification", "plan", good, NULL), 200);
	assert_body_has(f, "<strong>Enterprise all</strong>");
	assert_body_has(f, "name=\"plan\" value=\"");
	assert_int_equal(act(f, id, "verify", "from_state",
	    "awaiting_verification", "plan", good, "reason", "by phone",
	    "confirm", "yes", NULL), 303);
	assert_int_equal(state_of(f, id), STATE_COMPLETED);
}

/* Only a failed mail of the tenant is sent again, and once. */
static void
test_resend(void **state)
{
	struct fixture *f = *state;
	int64_t id = agent_fixture_tenant(&f->ag, "Acme", "it@acme.test");
	int64_t other = agent_fixture_tenant(&f->ag, "Other", "it@other.test");
	struct outbox_entry mail;
	struct err err;
	char *detail;

	bring_to(f, id, "awaiting_approval");
	bring_to(f, other, "awaiting_approval");	/* its mail is 2 */
	assert_int_equal(act(f, id, "resend", "from_state", "awaiting_approval",
	    "mail", "1", "reason", "r", "confirm", "yes", NULL), 409);
	assert_body_has(f, "is queued, not failed");
	assert_int_equal(store_outbox_failed(f->ag.st, 1, "550 mailbox full",
	    &err), 0);
	assert_int_equal(act(f, id, "resend", "from_state", "awaiting_approval",
	    "mail", "2", "reason", "r", "confirm", "yes", NULL), 404);
	assert_int_equal(act(f, id, "resend", "from_state", "awaiting_approval",
	    "reason", "r", "confirm", "yes", NULL), 400);

	assert_int_equal(act(f, id, "resend", "from_state", "awaiting_approval",
	    "mail", "1", NULL), 200);
	assert_body_has(f, "550 mailbox full");
	assert_body_has(f, "name=\"mail\" value=\"1\"");
	assert_int_equal(act(f, id, "resend", "from_state", "awaiting_approval",
	    "mail", "1", "reason", "mailbox emptied", "confirm", "yes", NULL),
	    303);
	assert_int_equal(f->queued, 1);
	assert_int_equal(store_outbox_head(f->ag.st, 1, &mail, &err), 0);
	assert_int_equal(mail.status, MAIL_STATUS_QUEUED);
	store_outbox_entry_clear(&mail);
	assert_int_equal(mails_of(f, id), 1);	/* the same mail */
	history_of(f, id, NULL, &detail);
	assert_string_equal(detail, "approval_request to it@acme.test sent "
	    "again (mail 1); reason: mailbox emptied");
	free(detail);
	assert_audit(f, 1, "tenant.resend tenant 1 ok\n");

	/* The same form again: it is queued now. */
	assert_int_equal(act(f, id, "resend", "from_state", "awaiting_approval",
	    "mail", "1", "reason", "mailbox emptied", "confirm", "yes", NULL),
	    409);
	assert_int_equal(f->queued, 1);
	assert_int_equal(history_of(f, id, NULL, NULL), 2);
}

/* Two tabs confirm at once, each with a connection of its own, as two
 * listener threads would: one transition, one set of mails. */
struct tab {
	struct fixture		*f;
	struct store		*st;
	int64_t			 id;
	pthread_barrier_t	*go;
	unsigned		 status;
};

static void *
tab_run(void *arg)
{
	struct tab *tab = arg;
	struct console_param params[] = {
		{ "from_state", "new", 3 }, { "reason", "two tabs", 8 },
		{ "confirm", "yes", 3 },
	};
	struct console_request req = { .method = "POST", .path = "/t",
	    .params = params, .nparams = 3, .client = "192.0.2.7" };
	struct console_response res;
	struct console_call c;

	memset(&res, 0, sizeof res);
	memset(&c, 0, sizeof c);
	c.con = &tab->f->con;
	c.st = tab->st;
	c.req = &req;
	c.now = NOW;
	c.res = &res;
	c.user.id = 1;
	c.user.name = strdup("alice");
	c.user.role = ROLE_OPERATOR;
	c.ids[0] = tab->id;
	pthread_barrier_wait(tab->go);
	if (console_tenant_act_post(&c, "start") == 0)
		tab->status = res.status;
	user_clear(&c.user);
	console_response_clear(&res);
	return NULL;
}

static void
test_two_tabs(void **state)
{
	struct fixture *f = *state;
	struct tab tabs[2];
	pthread_t threads[2];
	pthread_barrier_t go;
	struct err err;
	int64_t id;
	int round, i, ok, moved;

	f->con.queued = NULL;	/* counted from two threads: not here */
	for (round = 0; round < 5; round++) {
		id = agent_fixture_tenant(&f->ag, "Raced", "it@race.test");
		pthread_barrier_init(&go, NULL, 2);
		for (i = 0; i < 2; i++) {
			tabs[i].f = f;
			tabs[i].id = id;
			tabs[i].go = &go;
			tabs[i].status = 0;
			assert_int_equal(store_open(f->ag.path, &tabs[i].st,
			    &err), 0);
			assert_int_equal(pthread_create(&threads[i], NULL,
			    tab_run, &tabs[i]), 0);
		}
		for (i = 0; i < 2; i++) {
			pthread_join(threads[i], NULL);
			store_close(tabs[i].st);
		}
		pthread_barrier_destroy(&go);
		ok = (tabs[0].status == 303) + (tabs[1].status == 303);
		moved = (tabs[0].status == 409) + (tabs[1].status == 409);
		assert_int_equal(ok, 1);
		assert_int_equal(moved, 1);
		assert_int_equal(mails_of(f, id), 1);
		assert_int_equal(history_of(f, id, NULL, NULL), 1);
	}
}

/* A whole migration: start and finalize clicked in the console, the
 * reply and the link done as today. */
static void
test_whole_migration(void **state)
{
	struct fixture *f = *state;
	int64_t id = hybrid_tenant(f, "Hybrid GmbH");
	struct history_entry *h;
	struct err err;
	size_t n;

	assert_int_equal(act(f, id, "start", "from_state", "new", "reason",
	    "kick-off call", "confirm", "yes", NULL), 303);
	fire(f, id, EVENT_APPROVE, "mail");
	fire(f, id, EVENT_VERIFY, "web");
	assert_int_equal(state_of(f, id), STATE_FINALIZING);
	assert_int_equal(act(f, id, "finalize", "from_state", "finalizing",
	    "reason", "checked the MSC", "confirm", "yes", NULL), 303);
	assert_int_equal(state_of(f, id), STATE_COMPLETED);
	assert_int_equal(store_history_list(f->ag.st, id, &h, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(h[0].actor, "console:alice");
	assert_string_equal(h[1].actor, "mail");
	assert_string_equal(h[2].actor, "web");
	assert_string_equal(h[3].actor, "console:alice");
	store_history_free(h, n);
	/* approval request; verification and receipt; finalization request
	 * and verified; completed. */
	assert_int_equal(mails_of(f, id), 6);
	assert_int_equal(f->queued, 2);
}

/* ---- many tenants ---- */

static void
test_bulk_mixed(void **state)
{
	struct fixture *f = *state;
	int64_t a = agent_fixture_tenant(&f->ag, "Alpha", "it@alpha.test");
	int64_t b = agent_fixture_tenant(&f->ag, "Beta", "it@beta.test");
	int64_t c = agent_fixture_tenant(&f->ag, "Gamma", "it@gamma.test");
	int64_t d = agent_fixture_tenant(&f->ag, "Delta", "it@delta.test");

	(void)a;
	bring_to(f, b, "awaiting_approval");
	assert_int_equal(bulk(f, "action", "start", "id", "1", "id", "2",
	    "id", "3", "id", "4", "id", "99", "id", "3", NULL), 200);
	assert_body_has(f, "Confirm: Start");
	assert_body_has(f, "<td>Gamma</td>");
	assert_body_has(f, "name=\"seen\" value=\"4:new\"");
	assert_body_has(f, "(no such tenant)");
	assert_int_equal(state_of(f, c), STATE_NEW);

	/* Delta was started by someone else after the confirmation. */
	fire(f, d, EVENT_START, "cli");
	assert_int_equal(bulk(f, "action", "start", "reason", "wave 1",
	    "confirm", "yes", "id", "1", "seen", "1:new", "id", "2", "seen",
	    "2:awaiting_approval", "id", "3", "seen", "3:new", "id", "4",
	    "seen", "4:new", "id", "99", NULL), 200);
	assert_body_has(f, "2 done, 3 not done.");
	assert_body_has(f, "not in that state");
	assert_body_has(f, "unknown");
	assert_body_has(f, "changed");
	assert_int_equal(state_of(f, 1), STATE_AWAITING_APPROVAL);
	assert_int_equal(state_of(f, 3), STATE_AWAITING_APPROVAL);
	assert_int_equal(mails_of(f, 2), 1);
	assert_int_equal(mails_of(f, 4), 1);
	assert_int_equal(f->queued, 1);
	assert_audit(f, 6, "bulk.start 5 tenants refused\n"
	    "tenant.start tenant 99 refused\n"
	    "tenant.start tenant 4 refused\n"
	    "tenant.start tenant 3 ok\n"
	    "tenant.start tenant 2 refused\n"
	    "tenant.start tenant 1 ok\n");
	assert_last_audit_detail(f, "2 ok, 3 not done; reason: wave 1");

	/* The same form again: nothing more. */
	assert_int_equal(bulk(f, "action", "start", "reason", "wave 1",
	    "confirm", "yes", "id", "1", "seen", "1:new", "id", "3", "seen",
	    "3:new", NULL), 200);
	assert_body_has(f, "0 done, 2 not done.");
	assert_int_equal(mails_of(f, 1), 1);
	assert_int_equal(f->queued, 1);
}

static void
test_bulk_refusals(void **state)
{
	struct fixture *f = *state;
	char ids[ACT_BULK_TEST][8];
	size_t i;

	agent_fixture_tenant(&f->ag, "Alpha", "it@alpha.test");
	assert_int_equal(bulk(f, "action", "approve", "id", "1", NULL), 400);
	assert_int_equal(bulk(f, "id", "1", NULL), 400);
	assert_int_equal(bulk(f, "action", "start", NULL), 400);
	assert_int_equal(bulk(f, "action", "start", "id", "x1", NULL), 400);
	assert_int_equal(bulk(f, "action", "start", "id", "1", "confirm",
	    "yes", NULL), 400);		/* no reason */
	assert_body_has(f, "Give a reason");
	assert_int_equal(state_of(f, 1), STATE_NEW);

	/* The cap: 501 checked. */
	form_reset(f);
	field(f, "action", "cancel");
	for (i = 0; i < ACT_BULK_TEST; i++) {
		snprintf(ids[i], sizeof ids[i], "%zu", i + 1);
		field(f, "id", ids[i]);
	}
	assert_int_equal(call(f, "/tenants/bulk", 0, console_bulk_post, NULL),
	    400);
	assert_body_has(f, "501 tenants were chosen");
	assert_int_equal(audit_count(f), 0);
}

/* all_matching: what the list's filter shows now, listed by number on
 * the confirmation; over the cap it is refused. */
static void
test_bulk_all_matching(void **state)
{
	struct fixture *f = *state;
	struct err err;
	char name[32], *long_q;
	int i;

	agent_fixture_tenant(&f->ag, "Acme North", "it@north.test");
	agent_fixture_tenant(&f->ag, "ACME South", "it@south.test");
	agent_fixture_tenant(&f->ag, "Other", "it@acme-partner.test");
	agent_fixture_tenant(&f->ag, "Zeta", "it@zeta.test");
	bring_to(f, 2, "awaiting_approval");
	assert_int_equal(bulk(f, "action", "start", "all_matching", "yes",
	    "state", "new", "q", "acme", NULL), 200);
	assert_body_has(f, "Acme North");
	assert_body_has(f, "<td>Other</td>");	/* by its address */
	assert_body_lacks(f, "ACME South");	/* not new */
	assert_body_lacks(f, "Zeta");
	assert_body_has(f, "name=\"id\" value=\"1\"");
	assert_body_has(f, "name=\"id\" value=\"3\"");
	assert_body_has(f, "match the filter (state new, search");
	assert_body_lacks(f, "name=\"all_matching\"");
	assert_int_equal(bulk(f, "action", "start", "all_matching", "yes",
	    "state", "bogus", NULL), 400);
	long_q = support_repeat('a', CONSOLE_SEARCH_MAX + 1);
	assert_int_equal(bulk(f, "action", "start", "all_matching", "yes",
	    "q", long_q, NULL), 400);
	assert_body_has(f, "Search too long");
	free(long_q);

	assert_int_equal(store_begin(f->ag.st, &err), 0);
	for (i = 0; i < ACT_BULK_TEST; i++) {
		snprintf(name, sizeof name, "Bulk %d", i);
		agent_fixture_tenant(&f->ag, name, "it@bulk.test");
	}
	assert_int_equal(store_commit(f->ag.st, &err), 0);
	assert_int_equal(bulk(f, "action", "cancel", "all_matching", "yes",
	    "q", "bulk", NULL), 400);
	assert_body_has(f, "501 tenants were chosen");
	assert_int_equal(bulk(f, "action", "cancel", "all_matching", "yes",
	    "q", "Bulk 49", NULL), 200);	/* 49, 490 to 499 */
	assert_body_has(f, "11 tenants");
}

/* The ids a confirmation lists, in the order of its form. */
static size_t
confirmed_ids(const struct fixture *f, int64_t *ids, size_t max)
{
	static const char key[] = "name=\"id\" value=\"";
	const char *p = f->res.body;
	size_t n = 0;

	while (p != NULL && (p = strstr(p, key)) != NULL) {
		p += sizeof key - 1;
		assert_true(n < max);
		ids[n++] = strtoll(p, NULL, 10);
	}
	return n;
}

/*
 * all_matching acts on exactly the rows the list shows for the same
 * filter: a number, a part of a name or address in any ASCII case, and
 * LIKE's own characters taken literally.
 */
static void
test_bulk_all_matching_is_the_list(void **state)
{
	static const struct {
		int		 state;
		const char	*q;
	} rows[] = {
		{ -1, "4" }, { -1, "04" }, { -1, "m\xc3\xbcller" },
		{ -1, "M\xc3\x9cLLER" }, { -1, "M\xc3\xbcLLER" },
		{ -1, "IT@MUELLER" }, { -1, "provider" }, { -1, "50%" },
		{ -1, "a_b" }, { -1, "\\" }, { STATE_NEW, "acme" },
		{ STATE_AWAITING_APPROVAL, "" },
	};
	struct fixture *f = *state;
	struct tenant_filter tf;
	struct tenant *listed;
	int64_t ids[16], total;
	struct err err;
	size_t i, j, n, nids, shown = 0;

	agent_fixture_tenant(&f->ag, "M\xc3\xbcller & S\xc3\xb6hne",
	    "it@mueller.test");
	agent_fixture_tenant(&f->ag, "Acme 50% off", "it@acme.test");
	agent_fixture_tenant(&f->ag, "AxB Acme", "it@axb.test");
	agent_fixture_tenant(&f->ag, "a_b \\ Acme", "it@ab.test");
	bring_to(f, 3, "awaiting_approval");
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&tf, 0, sizeof tf);
		tf.state = rows[i].state;
		tf.q = rows[i].q;
		tf.limit = STORE_PAGE_MAX;
		assert_int_equal(store_tenant_page(f->ag.st, &tf, &listed, &n,
		    &total, &err), 0);
		bulk(f, "action", "cancel", "all_matching", "yes", "state",
		    rows[i].state < 0 ? "" : fsm_state_name(rows[i].state),
		    "q", rows[i].q, NULL);
		nids = n == 0 ? 0 : confirmed_ids(f, ids, 16);
		if (nids != n)
			fail_msg("row %zu (%s): %zu listed, %zu confirmed", i,
			    rows[i].q, n, nids);
		for (j = 0; j < n; j++)
			assert_int_equal(ids[j], listed[j].id);
		shown += n;
		store_tenants_free(listed, n);
	}
	assert_true(shown >= 10);	/* most filters match some */
}

/* ---- the import ---- */

static unsigned
import_upload(struct fixture *f, const char *csv)
{
	form_reset(f);
	field(f, "csrf", "csrf-token");
	f->upload = csv;
	f->upload_len = strlen(csv);
	return call(f, "/import", 0, console_import_post, NULL);
}

/* The value of the first hidden field name after from in the body;
 * caller frees. */
static char *
hidden(const char *body, const char *name)
{
	char *key = xasprintf("name=\"%s\" value=\"", name);
	const char *p = strstr(body, key), *end;

	assert_non_null(p);
	p += strlen(key);
	end = strchr(p, '"');
	assert_non_null(end);
	free(key);
	return xstrndup(p, (size_t)(end - p));
}

static unsigned
import_confirm(struct fixture *f, const char *csv, const char *digest)
{
	form_reset(f);
	field(f, "csrf", "csrf-token");
	field(f, "confirm", "yes");
	field(f, "csv", csv);
	field(f, "digest", digest);
	return call(f, "/import", 0, console_import_post, NULL);
}

static void
test_import_problems(void **state)
{
	struct fixture *f = *state;
	static const char bad[] = HEADER
	    "Acme,it@acme.test,ops@msp.test,m365,enterprise,,no\n"
	    "Beta,it@beta.test,ops@msp.test,teams,enterprise,,no\n"
	    "Gamma,it@gamma.test,ops@msp.test,gws,enterprise,,maybe\n";

	assert_int_equal(import_upload(f, bad), 422);
	assert_body_has(f, "Problems: nothing will be imported");
	assert_body_has(f, "<td class=\"num\">3</td>\n<td>column 4 "
	    "(workloads)</td>\n<td>unknown workload 'teams'");
	assert_body_has(f, "<td class=\"num\">4</td>\n<td>column 7 "
	    "(suspended)</td>");
	assert_body_has(f, "<td>Acme</td>");		/* the preview */
	assert_body_has(f, "<th>customer_admin</th>");
	assert_body_lacks(f, "name=\"digest\"");
	assert_int_equal(tenant_count(f), 0);
	assert_int_equal(audit_count(f), 0);

	assert_int_equal(import_upload(f, "name,colour\n"), 422);
	assert_body_has(f, "unknown column");
	assert_int_equal(import_upload(f, HEADER), 422);
	f->upload = NULL;
	assert_int_equal(call(f, "/import", 0, console_import_post, NULL),
	    400);
	assert_int_equal(call(f, "/import", 0, console_import_get, NULL), 200);
	assert_body_has(f, "enctype=\"multipart/form-data\"");
	assert_body_has(f, "name=\"file\"");
	assert_int_equal(tenant_count(f), 0);
}

static void
test_import_confirm(void **state)
{
	struct fixture *f = *state;
	static const char good[] = HEADER
	    "Acme,it@acme.test,ops@msp.test,m365,enterprise,,no\n"
	    "\"Müller, \"\"Söhne\"\"\",it@m.test,ops@msp.test,gws,enterprise,"
	    "gws=2028-01-31,\n";
	char *csv, *digest, *forged;
	struct history_entry *h;
	struct err err;
	size_t n;

	assert_int_equal(import_upload(f, good), 200);
	assert_body_has(f, "<span>2</span> tenants are ready to import");
	assert_body_has(f, "<td>Müller, \"Söhne\"</td>");
	assert_int_equal(tenant_count(f), 0);
	csv = hidden(f->res.body, "csv");
	digest = hidden(f->res.body, "digest");

	/* Changed on the way: refused, nothing imported. */
	forged = strdup(csv);
	forged[strlen(forged) - 8] ^= 1;
	assert_int_equal(import_confirm(f, forged, digest), 400);
	assert_int_equal(import_confirm(f, csv, "00"), 400);
	assert_int_equal(tenant_count(f), 0);
	assert_audit(f, 1, "import  refused\n");

	assert_int_equal(import_confirm(f, csv, digest), 303);
	assert_string_equal(f->res.location, "/import?done=2");
	assert_int_equal(tenant_count(f), 2);
	assert_int_equal(store_history_list(f->ag.st, 2, &h, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].detail, "registered from console:alice "
	    "line 3");
	store_history_free(h, n);
	assert_last_audit_detail(f, "2 tenants (1 to 2), file ");

	/* Back and send again: imported once. */
	assert_int_equal(import_confirm(f, csv, digest), 409);
	assert_int_equal(tenant_count(f), 2);

	form_reset(f);
	field(f, "done", "2");
	assert_int_equal(call(f, "/import", 0, console_import_get, NULL), 200);
	assert_body_has(f, "<span>2</span> tenants imported.");
	free(forged);
	free(csv);
	free(digest);
}

/*
 * A file whose base64 is longer than one form field: the confirmation
 * carries it in fields the listener takes (CONSOLE_PARAM_MAX each), and
 * sent back field by field it imports.
 */
static void
test_import_large_confirm(void **state)
{
	enum { ROWS = 1500 };
	static const char key[] = "name=\"csv\" value=\"";
	struct fixture *f = *state;
	struct buf csv = { 0 };
	char *chunks[64], *digest;
	const char *p, *end;
	size_t n = 0, i;

	buf_puts(&csv, HEADER);
	for (i = 0; i < ROWS; i++)
		buf_printf(&csv, "Tenant %zu,it@t%zu.test,ops@msp.test,m365,"
		    "enterprise,,no\n", i, i);
	assert_true(csv.len / 3 * 4 > CONSOLE_PARAM_MAX);
	assert_int_equal(import_upload(f, csv.data), 200);
	for (p = f->res.body; (p = strstr(p, key)) != NULL; p = end) {
		p += sizeof key - 1;
		end = strchr(p, '"');
		assert_non_null(end);
		assert_true(n < 64);
		if ((size_t)(end - p) > CONSOLE_PARAM_MAX)
			fail_msg("a field of %zu bytes", (size_t)(end - p));
		chunks[n++] = xstrndup(p, (size_t)(end - p));
	}
	assert_true(n > 1);
	digest = hidden(f->res.body, "digest");
	form_reset(f);
	field(f, "csrf", "csrf-token");
	field(f, "confirm", "yes");
	for (i = 0; i < n; i++)
		field(f, "csv", chunks[i]);
	field(f, "digest", digest);
	assert_int_equal(call(f, "/import", 0, console_import_post, NULL),
	    303);
	assert_int_equal(tenant_count(f), ROWS);
	for (i = 0; i < n; i++)
		free(chunks[i]);
	free(digest);
	buf_clear(&csv);
}

/* A file over the limit is refused before it is read. */
static void
test_import_too_big(void **state)
{
	struct fixture *f = *state;
	char *big = support_repeat('a', CONSOLE_IMPORT_MAX + 1);

	assert_int_equal(import_upload(f, big), 413);
	free(big);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_confirm_then_act_once),
		T(test_every_action),
		T(test_refused_by_state),
		T(test_bad_forms),
		T(test_verify_plans),
		T(test_resend),
		T(test_two_tabs),
		T(test_whole_migration),
		T(test_bulk_mixed),
		T(test_bulk_refusals),
		T(test_bulk_all_matching),
		T(test_bulk_all_matching_is_the_list),
		T(test_import_problems),
		T(test_import_confirm),
		T(test_import_large_confirm),
		T(test_import_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
