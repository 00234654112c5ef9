/* test_console_view.c: the console's pages that only show, and their CSV,
 * for tenants in every kind of state, with hostile names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console_impl.h"
#include "view.h"
#include "workflow.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */
#define DAY	86400

/* Names that must come out as text everywhere. */
#define MARKUP	"<b>Bold</b> & \"Co\" <script>alert(1)</script>"
#define RTL	"\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9 \xe2\x80\xae\xf0\x9f\x9a\x80"
#define FORMULA	"=HYPERLINK(\"http://evil.test\",\"x\")"

struct fixture {
	struct agent_fixture	 ag;
	struct console		 con;
	int64_t			 fresh;		/* new */
	int64_t			 markup;	/* awaiting_approval, late */
	int64_t			 rtl;		/* awaiting_verification */
	int64_t			 formula;	/* blocked */
	int64_t			 done;		/* completed */
	int64_t			 plan;
};

static void
fire(struct fixture *f, int64_t id, enum fsm_event event, const char *plan,
    int64_t at)
{
	struct workflow_event ev = { .event = event, .actor = "cli",
	    .plan = plan };
	struct workflow_outcome out;
	struct err err;

	if (workflow_fire(f->ag.st, &f->ag.ctx, id, &ev, at, &out, &err) != 0)
		fail_msg("tenant %lld, %s: %s", (long long)id,
		    fsm_event_name(event), err.msg);
	workflow_outcome_clear(&out);
}

static void
reply(struct fixture *f, int64_t id, enum inbound_outcome outcome,
    const char *sender, const char *detail, int64_t at)
{
	static int n;
	char mid[32];
	struct inbound_note note = { .digest = "d", .sender = sender,
	    .tenant_id = id, .outcome = outcome, .detail = detail };
	struct err err;

	snprintf(mid, sizeof mid, "m%d@x.test", ++n);
	note.message_id = mid;
	assert_int_equal(store_inbound_add(f->ag.st, &note, at, &err), 0);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char name[] = "Enterprise SaaS", edition[] = "enterprise";
	struct plan p = { .name = name, .edition = edition,
	    .products = WORKLOAD_BIT(WORKLOAD_GWS) };
	struct err err;

	agent_fixture_open(&f->ag, "test_console_view");
	f->ag.cfg.approval_remind_days = 3;
	f->con.mail = &f->ag.ctx;
	assert_int_equal(store_plan_add(f->ag.st, &p, 0, &f->plan, &err), 0);
	f->fresh = agent_fixture_tenant(&f->ag, "Alpha", "it@alpha.test");
	f->markup = agent_fixture_tenant(&f->ag, MARKUP, "it@markup.test");
	f->rtl = agent_fixture_tenant(&f->ag, RTL, "it@rtl.test");
	f->formula = agent_fixture_tenant(&f->ag, FORMULA, "not an address");
	f->done = agent_fixture_tenant(&f->ag, "Done GmbH", "it@done.test");
	fire(f, f->markup, EVENT_START, NULL, NOW - 5 * DAY);
	fire(f, f->rtl, EVENT_START, NULL, NOW - 40 * DAY);
	fire(f, f->rtl, EVENT_APPROVE, NULL, NOW - 27 * DAY);
	fire(f, f->formula, EVENT_START, NULL, NOW - DAY);
	fire(f, f->done, EVENT_START, NULL, NOW - 3 * DAY);
	fire(f, f->done, EVENT_APPROVE, NULL, NOW - 2 * DAY);
	fire(f, f->done, EVENT_VERIFY, "Enterprise SaaS", NOW - DAY);
	reply(f, f->markup, INBOUND_UNCLEAR, "it@markup.test", "reply to "
	    "approval_request (mail 1) matched by reply key; sender is the "
	    "recipient; read unclear: a question; text: \"<i>why?</i>\"",
	    NOW - 4 * DAY);
	reply(f, f->rtl, INBOUND_APPROVE, "it@rtl.test", "matched by reply "
	    "key; read approve", NOW - 27 * DAY);
	reply(f, 0, INBOUND_UNMATCHED, "who@else.test", "ignored: answers no "
	    "mail of ours", NOW - DAY);
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

/*
 * Calls handler as user (role) for path's ids and the query fields
 * (name, value pairs, NULL-ended); returns the body, which the caller
 * frees, and the status in *status.
 */
static char *
call(struct fixture *f, int (*handler)(struct console_call *),
    enum user_role role, int64_t id0, int64_t id1, unsigned *status,
    const char *type, ...)
{
	struct console_param params[8];
	struct console_request req = { .method = "GET", .path = "/",
	    .client = "192.0.2.7", .params = params };
	struct console_response res = { 0 };
	struct console_call c = { 0 };
	const char *name;
	char *body;
	va_list ap;

	va_start(ap, type);
	while ((name = va_arg(ap, const char *)) != NULL) {
		params[req.nparams].name = name;
		params[req.nparams].value = va_arg(ap, const char *);
		params[req.nparams].len = strlen(params[req.nparams].value);
		req.nparams++;
	}
	va_end(ap);
	c.con = &f->con;
	c.st = f->ag.st;
	c.req = &req;
	c.now = NOW;
	c.res = &res;
	c.user.id = 1;
	c.user.name = (char *)(uintptr_t)"alice";
	c.user.role = role;
	c.csrf = (char *)(uintptr_t)"csrf-token-1";
	c.ids[0] = id0;
	c.ids[1] = id1;
	if (handler(&c) != 0)
		fail_msg("handler failed: %s", c.err.msg);
	*status = res.status;
	if (type != NULL)
		assert_string_equal(res.type, type);
	body = res.body;
	res.body = NULL;
	console_response_clear(&res);
	return body;
}

static char *
get(struct fixture *f, int (*handler)(struct console_call *), int64_t id,
    unsigned want)
{
	unsigned status;
	char *body;

	body = call(f, handler, ROLE_OPERATOR, id, 0, &status, NULL,
	    (char *)NULL);
	assert_int_equal(status, want);
	return body;
}

static void
assert_has(const char *body, const char *what)
{
	if (strstr(body, what) == NULL)
		fail_msg("missing: %s", what);
}

static void
assert_lacks(const char *body, const char *what)
{
	if (strstr(body, what) != NULL)
		fail_msg("present: %s", what);
}

/* How many times what occurs in body. */
static int
count(const char *body, const char *what)
{
	int n = 0;

	for (; (body = strstr(body, what)) != NULL; body += strlen(what))
		n++;
	return n;
}

/* The audit's newest row. */
static void
last_audit(struct fixture *f, const char *action, const char *target)
{
	struct audit_entry *a;
	struct err err;
	size_t n;

	assert_int_equal(store_audit_list(f->ag.st, 0, 1, &a, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].action, action);
	assert_string_equal(a[0].target, target);
	assert_string_equal(a[0].user, "alice");
	assert_string_equal(a[0].address, "192.0.2.7");
	assert_string_equal(a[0].outcome, "ok");
	store_audit_free(a, n);
}

/* Counts the states as tenant list --json gives them. */
static int
count_state(const struct tenant *t, void *arg)
{
	int64_t *counts = arg;
	json_t *j;
	int s;

	j = view_tenant_json(t, NULL);
	s = fsm_state_from_name(json_string_value(json_object_get(j,
	    "state")));
	assert_true(s >= 0);
	counts[s]++;
	json_decref(j);
	return 0;
}

/* The dashboard's counts are the store's, which tenant list --json
 * shows: each state's row says as many as the JSON has. */
static void
test_dashboard_counts(void **state)
{
	struct fixture *f = *state;
	int64_t counts[STATE_COUNT] = { 0 };
	struct err err;
	char row[160];
	char *body;
	int s;

	assert_int_equal(store_tenant_each(f->ag.st, -1, count_state, counts,
	    &err), 0);
	body = get(f, console_dashboard_get, 0, 200);
	for (s = 0; s < STATE_COUNT; s++) {
		snprintf(row, sizeof row, "<a href=\"/tenants?state=%s\">%s</a>"
		    "</td>\n<td class=\"num\">%lld</td>", fsm_state_name(s),
		    fsm_state_name(s), (long long)counts[s]);
		assert_has(body, row);
	}
	assert_has(body, "<strong>1</strong> of <strong>5</strong> tenants "
	    "completed (<span>20</span>%)");
	/* The chart is inline SVG, drawn by the agent. */
	assert_has(body, "<svg viewBox=\"0 0 ");
	assert_has(body, "role=\"img\"");
	assert_has(body, "<title>Tenants by state</title>");
	free(body);
}

static void
test_dashboard_needs_someone(void **state)
{
	struct fixture *f = *state;
	char *body;

	body = get(f, console_dashboard_get, 0, 200);
	/* Started five days ago, the reminder is three: late. */
	assert_has(body, "Approvals unanswered past the reminder (<span>1"
	    "</span>)");
	assert_has(body, "&lt;b&gt;Bold&lt;/b&gt; &amp; \"Co\"");
	/* Approved 27 days ago: the 30-day link ends in three. */
	assert_has(body, "Links expiring within 7 days (<span>1</span>)");
	assert_has(body, "<a href=\"/tenants/3\">" RTL "</a>");
	assert_has(body, "Blocked by the preflight (<span>1</span>)");
	assert_has(body, "Failed mails (<span>0</span>)");
	/* The unclear reply and the unmatched one; not the approval. */
	assert_has(body, "Replies unclear or set aside (<span>2</span>)");
	assert_has(body, "who@else.test");
	assert_lacks(body, "<script>alert");
	free(body);
}

static void
test_tenants_list(void **state)
{
	struct fixture *f = *state;
	unsigned status;
	char *body;

	body = get(f, console_tenants_get, 0, 200);
	assert_has(body, "1-5 of 5");
	assert_has(body, "<span>all</span> (<span>5</span>)");
	assert_has(body, "<span>blocked</span> (<span>1</span>)");
	assert_has(body, "&lt;b&gt;Bold&lt;/b&gt;");
	assert_has(body, RTL);
	assert_lacks(body, "<b>Bold");
	/* An operator picks and acts on several. */
	assert_int_equal(count(body, "name=\"id\""), 5);
	assert_has(body, "action=\"/tenants/bulk\"");
	assert_has(body, "name=\"all_matching\"");
	assert_has(body, "value=\"csrf-token-1\"");
	free(body);

	/* A viewer sees the rows, and no way to act. */
	body = call(f, console_tenants_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_HTML, (char *)NULL);
	assert_int_equal(status, 200);
	assert_int_equal(count(body, "name=\"id\""), 0);
	assert_lacks(body, "name=\"reason\"");
	free(body);
}

static void
test_tenants_filters(void **state)
{
	static const struct {
		const char	*field, *value, *range, *has;
	} cases[] = {
		{ "state", "awaiting_verification", "1-1 of 1", RTL },
		{ "state", "completed", "1-1 of 1", "Done GmbH" },
		{ "q", "bold", "1-1 of 1", "&lt;b&gt;Bold" },
		{ "q", "it@done", "1-1 of 1", "Done GmbH" },
		{ "q", "4", "1-1 of 1", "HYPERLINK" },
		{ "q", "provider.test", "1-5 of 5", "Alpha" },
		{ "q", "%", "none", "No tenant matches." },
		{ "q", "_", "none", "No tenant matches." },
	};
	struct fixture *f = *state;
	unsigned status;
	size_t i;
	char *body, *long_q;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		body = call(f, console_tenants_get, ROLE_VIEWER, 0, 0, &status,
		    CONSOLE_HTML, cases[i].field, cases[i].value,
		    (char *)NULL);
		assert_int_equal(status, 200);
		if (strstr(body, cases[i].range) == NULL ||
		    strstr(body, cases[i].has) == NULL)
			fail_msg("%s=%s", cases[i].field, cases[i].value);
		free(body);
	}
	body = call(f, console_tenants_get, ROLE_VIEWER, 0, 0, &status, NULL,
	    "state", "sleeping", (char *)NULL);
	assert_int_equal(status, 400);
	free(body);

	/* A search past its limit is refused, by the list and its CSV. */
	long_q = support_repeat('a', CONSOLE_SEARCH_MAX + 1);
	body = call(f, console_tenants_get, ROLE_VIEWER, 0, 0, &status, NULL,
	    "q", long_q, (char *)NULL);
	assert_int_equal(status, 400);
	free(body);
	body = call(f, console_tenants_csv_get, ROLE_VIEWER, 0, 0, &status,
	    NULL, "q", long_q, (char *)NULL);
	assert_int_equal(status, 400);
	free(body);
	long_q[CONSOLE_SEARCH_MAX] = '\0';
	body = call(f, console_tenants_get, ROLE_VIEWER, 0, 0, &status, NULL,
	    "q", long_q, (char *)NULL);
	assert_int_equal(status, 200);
	free(body);
	free(long_q);
}

static void
test_tenants_paging(void **state)
{
	struct fixture *f = *state;
	unsigned status;
	char name[32];
	char *body;
	int i;

	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof name, "Many %d", i);
		agent_fixture_tenant(&f->ag, name, "it@many.test");
	}
	body = get(f, console_tenants_get, 0, 200);
	assert_has(body, "1-50 of 65");
	assert_has(body, "href=\"/tenants?page=2\"");
	assert_lacks(body, "Previous page");
	free(body);
	body = call(f, console_tenants_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_HTML, "page", "2", "q", "many", (char *)NULL);
	assert_has(body, "51-60 of 60");
	assert_has(body, "href=\"/tenants?q=many\"");
	assert_lacks(body, "Next page");
	assert_has(body, "Many 59");
	assert_lacks(body, ">Many 49<");
	free(body);
}

static void
test_tenants_csv(void **state)
{
	struct fixture *f = *state;
	unsigned status;
	char *body;

	body = call(f, console_tenants_csv_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_CSV, (char *)NULL);
	assert_int_equal(status, 200);
	assert_has(body, "id,name,state,workflow,restricted,customer_admin,"
	    "msp_admin,edition,workloads,suspended,licenses,"
	    "licenses_after_migration,state_since\r\n");
	assert_has(body, "\r\n1,Alpha,new,2,no,it@alpha.test,"
	    "msp@provider.test,enterprise,gws,no,,,");
	/* Quoted, quotes doubled, markup as it is: CSV is not HTML. */
	assert_has(body, "\r\n2,\"<b>Bold</b> & \"\"Co\"\" "
	    "<script>alert(1)</script>\",awaiting_approval,");
	assert_has(body, "\r\n3," RTL ",awaiting_verification,");
	/* A formula is text in a spreadsheet; so is an address that
	 * starts like one. */
	assert_has(body, "\r\n4,\"'=HYPERLINK(\"\"http://evil.test\"\",");
	assert_int_equal(count(body, "\r\n"), 6);
	free(body);
	last_audit(f, "tenants.export", "");

	body = call(f, console_tenants_csv_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_CSV, "state", "blocked", (char *)NULL);
	assert_int_equal(count(body, "\r\n"), 2);
	free(body);
}

static void
test_tenant_page(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry *m;
	size_t n;
	struct token_info ti;
	struct err err;
	unsigned status;
	char *body;

	/* A failed mail may be sent again; one sent or queued may not. */
	assert_int_equal(store_outbox_list(f->ag.st, f->rtl, &m, &n, &err), 0);
	assert_true(n >= 3);
	assert_int_equal(store_outbox_failed(f->ag.st, m[n - 1].id,
	    "550 no such user", &err), 0);
	assert_int_equal(store_outbox_sent(f->ag.st, m[n - 2].id, NOW, &err),
	    0);
	store_outbox_free(m, n);
	/* The console stays English whatever the customers read. */
	tmpl_set_language(f->ag.ctx.templates, "de");
	body = get(f, console_tenant_get, f->rtl, 200);
	assert_has(body, "<html lang=\"en\">");
	assert_has(body, "<bdi>" RTL "</bdi>");
	assert_has(body, "awaiting_verification");
	assert_has(body, "restricted");
	/* The link's expiry, never the link. */
	assert_has(body, "expires</span> <span class=\"date\">2026-12-04 "
	    "12:00 UTC</span>");
	assert_int_equal(store_token_get(f->ag.st, f->rtl, &ti, &err), 0);
	assert_lacks(body, ti.token);
	assert_lacks(body, ti.jti);
	store_token_clear(&ti);
	/* What the state allows, with the plans that fit. */
	assert_has(body, "action=\"/tenants/3/verify\"");
	assert_has(body, "<option value=\"1\">Enterprise SaaS</option>");
	assert_has(body, "action=\"/tenants/3/cancel\"");
	assert_lacks(body, "/tenants/3/start\"");
	assert_lacks(body, "/tenants/3/finalize\"");
	assert_has(body, "name=\"from_state\" value=\"awaiting_verification\"");
	/* The timeline: history, mails with a raw view, the reply read. */
	assert_has(body, "awaiting_approval</span> \xe2\x86\x92 <strong>"
	    "awaiting_verification");
	assert_has(body, "mail <strong>verification</strong>");
	assert_has(body, "href=\"/tenants/3/mails/");
	assert_has(body, "<li>matched by reply key</li>");
	assert_int_equal(count(body, "action=\"/tenants/3/resend\""), 1);
	assert_has(body, "name=\"mail\"");
	free(body);

	/* A viewer sees no forms. */
	body = call(f, console_tenant_get, ROLE_VIEWER, f->rtl, 0, &status,
	    CONSOLE_HTML, (char *)NULL);
	assert_lacks(body, "<form method=\"post\" action=\"/tenants/3");
	assert_lacks(body, "name=\"reason\"");
	free(body);

	body = get(f, console_tenant_get, f->markup, 200);
	assert_has(body, "&lt;b&gt;Bold&lt;/b&gt;");
	assert_lacks(body, "<script>alert");
	assert_has(body, "&lt;i&gt;why?&lt;/i&gt;");
	free(body);

	body = get(f, console_tenant_get, f->formula, 200);
	assert_has(body, "Blocked because");
	assert_has(body, "action=\"/tenants/4/start\"");
	free(body);

	body = get(f, console_tenant_get, f->done, 200);
	assert_has(body, "Nothing applies to a tenant in this state.");
	assert_has(body, "Enterprise SaaS");
	free(body);

	body = get(f, console_tenant_get, 999, 404);
	free(body);
}

static void
test_mail_raw(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry *m;
	struct err err;
	unsigned status;
	char target[64];
	size_t n;
	char *body;

	assert_int_equal(store_outbox_list(f->ag.st, f->markup, &m, &n, &err),
	    0);
	assert_true(n >= 1);
	body = call(f, console_mail_raw_get, ROLE_VIEWER, f->markup, m[0].id,
	    &status, CONSOLE_TEXT, (char *)NULL);
	assert_int_equal(status, 200);
	assert_has(body, "Message-ID: <");
	assert_has(body, "Subject: ");
	free(body);
	snprintf(target, sizeof target, "tenant %lld mail %lld",
	    (long long)f->markup, (long long)m[0].id);
	last_audit(f, "mail.raw", target);

	/* Under another tenant, or none at all: not found, not audited. */
	body = call(f, console_mail_raw_get, ROLE_VIEWER, f->rtl, m[0].id,
	    &status, CONSOLE_HTML, (char *)NULL);
	assert_int_equal(status, 404);
	free(body);
	body = call(f, console_mail_raw_get, ROLE_VIEWER, f->markup, 999,
	    &status, CONSOLE_HTML, (char *)NULL);
	assert_int_equal(status, 404);
	free(body);
	last_audit(f, "mail.raw", target);
	store_outbox_free(m, n);
}

static void
test_outbox(void **state)
{
	struct fixture *f = *state;
	struct err err;
	unsigned status;
	char *body;

	assert_int_equal(store_outbox_failed(f->ag.st, 1, "550 <no> such "
	    "user", &err), 0);
	body = get(f, console_outbox_get, 0, 200);
	assert_has(body, "of 8");
	assert_has(body, "550 &lt;no&gt; such user");
	free(body);
	body = call(f, console_outbox_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_HTML, "status", "failed", (char *)NULL);
	assert_has(body, "1-1 of 1");
	assert_has(body, "<span class=\"bad\">failed</span>");
	free(body);
	body = call(f, console_outbox_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_HTML, "kind", "completed", (char *)NULL);
	assert_has(body, "1-1 of 1");
	free(body);
	body = call(f, console_outbox_get, ROLE_VIEWER, 0, 0, &status, NULL,
	    "status", "lost", (char *)NULL);
	assert_int_equal(status, 400);
	free(body);
	/* The dashboard counts it now. */
	body = get(f, console_dashboard_get, 0, 200);
	assert_has(body, "Failed mails (<span>1</span>)");
	free(body);
}

static void
test_inbox(void **state)
{
	struct fixture *f = *state;
	unsigned status;
	char *body;

	body = get(f, console_inbox_get, 0, 200);
	assert_has(body, "1-3 of 3");
	assert_has(body, "<li>text: \"&lt;i&gt;why?&lt;/i&gt;\"</li>");
	free(body);
	body = call(f, console_inbox_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_HTML, "outcome", "approve", (char *)NULL);
	assert_has(body, "1-1 of 1");
	assert_has(body, "it@rtl.test");
	free(body);
	body = call(f, console_inbox_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_HTML, "look", "yes", (char *)NULL);
	assert_has(body, "1-2 of 2");
	assert_lacks(body, "it@rtl.test");
	free(body);
	body = call(f, console_inbox_get, ROLE_VIEWER, 0, 0, &status, NULL,
	    "outcome", "maybe", (char *)NULL);
	assert_int_equal(status, 400);
	free(body);
}

static void
test_plans(void **state)
{
	struct fixture *f = *state;
	char *body;

	body = get(f, console_plans_get, 0, 200);
	assert_has(body, "<td>Enterprise SaaS</td>");
	assert_has(body, "<td>gws</td>");
	free(body);
}

static void
test_audit(void **state)
{
	struct fixture *f = *state;
	struct audit_note note = { .at = NOW, .user = MARKUP,
	    .address = "192.0.2.9", .action = "signin", .outcome = "refused",
	    .detail = "@SUM(A1:A9)" };
	struct err err;
	unsigned status;
	char *body;
	int i;

	for (i = 0; i < 55; i++)
		assert_int_equal(store_audit_add(f->ag.st, &note, &err), 0);
	body = get(f, console_audit_get, 0, 200);
	assert_has(body, "&lt;b&gt;Bold");
	assert_has(body, "<span class=\"bad\">refused</span>");
	assert_has(body, "href=\"/audit?before=6\"");
	assert_int_equal(count(body, "<td>signin</td>"), 50);
	free(body);
	body = call(f, console_audit_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_HTML, "before", "6", (char *)NULL);
	assert_int_equal(count(body, "<td>signin</td>"), 5);
	assert_lacks(body, "Older");
	free(body);

	body = call(f, console_audit_csv_get, ROLE_VIEWER, 0, 0, &status,
	    CONSOLE_CSV, (char *)NULL);
	assert_has(body, "id,at,user,address,action,target,outcome,detail\r\n");
	assert_has(body, ",signin,,refused,\"'@SUM(A1:A9)\"\r\n");
	assert_int_equal(count(body, "\r\n"), 56);
	free(body);
	last_audit(f, "audit.export", "");
}

int
main(void)
{
#define T(t)	cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_dashboard_counts),
		T(test_dashboard_needs_someone),
		T(test_tenants_list),
		T(test_tenants_filters),
		T(test_tenants_paging),
		T(test_tenants_csv),
		T(test_tenant_page),
		T(test_mail_raw),
		T(test_outbox),
		T(test_inbox),
		T(test_plans),
		T(test_audit),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
