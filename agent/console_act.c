/* console_act.c: the console's actions on tenants, one or in bulk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_impl.h"
#include "date.h"
#include "workflow.h"

#define ACT_REASON_MAX		500	/* bytes of a reason */
#define ACT_BULK_MAX		500	/* tenants in one bulk action */
/* All matching tenants come as one page of the list's query. */
_Static_assert(ACT_BULK_MAX <= STORE_PAGE_MAX, "a bulk action is one page");

/* ---- the actions ---- */

/*
 * approve, reject and verify are what a reply or the verification page
 * would do, on that person's behalf; they take one tenant at a time.  In
 * the order of the tenant page's buttons.
 */
const struct console_action console_actions[CONSOLE_ACTIONS] = {
	{ "start", EVENT_START, 1, 0, "Start", "Start", "run the preflight "
	    "and, when it passes, send the approval request to the customer "
	    "admin" },
	{ "approve", EVENT_APPROVE, 0, 0, "Approve", "Approve for the "
	    "customer", "approve on the customer admin's behalf, as their "
	    "reply would: the verification link goes to the MSP admin" },
	{ "reject", EVENT_REJECT, 0, 1, "Reject", "Reject for the customer",
	    "reject on the customer admin's behalf, as their reply would: the "
	    "MSP admin and support are told" },
	{ "verify", EVENT_VERIFY, 0, 0, "Verify", "Verify with a plan",
	    "verify with the plan below on the MSP admin's behalf, as the "
	    "verification page would" },
	{ "finalize", EVENT_FINALIZE, 1, 0, "Finalize", "Finalize", "complete "
	    "the migration and send the completion mail to the MSP admin" },
	{ "retrigger", EVENT_RETRIGGER, 1, 0, "Retrigger", "Re-trigger the "
	    "approval", "start the approval again: every earlier link stops "
	    "working and a new approval request goes to the customer admin" },
	{ "cancel", EVENT_CANCEL, 1, 1, "Cancel", "Cancel the migration",
	    "cancel the migration; a cancelled tenant cannot be started "
	    "again" },
	{ "resend", EVENT_COUNT, 0, 0, "Send again", NULL, "send the failed "
	    "mail below again, as it was (the same Message-ID)" },
};

static const struct console_action *
find_action(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < CONSOLE_ACTIONS; i++)
		if (strcmp(console_actions[i].name, name) == 0)
			return &console_actions[i];
	return NULL;
}

/* 1 when the action may be taken in the tenant's state. */
static int
applies(const struct console_action *what, const struct tenant *t)
{
	if (what->event == EVENT_COUNT)
		return 1;	/* a mail may fail in any state */
	return fsm_applies(t->state, what->event, tenant_workflow(t));
}

/* A reason: text, not only spaces, within ACT_REASON_MAX. */
static int
reason_check(const char *reason, struct err *err)
{
	const char *p;

	if (reason == NULL)
		reason = "";
	if (text_check("reason", reason, ACT_REASON_MAX, 0, err) == -1)
		return -1;
	for (p = reason; *p == ' '; p++)
		;
	if (*p == '\0') {
		err_set(err, ERR_INPUT, "reason: empty");
		return -1;
	}
	return 0;
}

/* A link to a tenant's page (id 0: the list): a template takes only
 * absolute links. */
static char *
tenant_url(const struct console_call *c, int64_t id)
{
	const char *base = c->con->mail->cfg->console_base_url;

	if (id == 0)
		return xasprintf("%s/tenants", base ? base : "");
	return xasprintf("%s/tenants/%lld", base ? base : "", (long long)id);
}

/* ---- one tenant ---- */

/* One action on one tenant, as its form asked. */
struct act {
	const struct console_action	*what;
	int			 from;		/* state the page showed */
	const char		*reason;	/* NULL: none given */
	int			 confirm;	/* confirm=yes: act */
	struct tenant		 t;
	struct plan		 plan;		/* verify */
	struct outbox_entry	 mail;		/* resend */
	char			 target[32];	/* "tenant 7" */
	char			 audit_action[32]; /* "tenant.start" */
};

static void
act_init(struct act *a)
{
	memset(a, 0, sizeof *a);
	tenant_init(&a->t);
}

static void
act_clear(struct act *a)
{
	tenant_clear(&a->t);
	plan_clear(&a->plan);
	store_outbox_entry_clear(&a->mail);
}

/* Audits an attempt to act that was refused. */
static void
audit_refused(struct console_call *c, const struct act *a, const char *why)
{
	char *detail;

	if (!a->confirm)
		return;		/* only asked what would happen */
	detail = xasprintf("%s; reason: %s", why, a->reason ? a->reason : "");
	console_audit_logged(c, a->audit_action, a->target, "refused", detail);
	free(detail);
}

/* Answers status with a message; audited when it was an attempt. */
static int
refuse(struct console_call *c, const struct act *a, unsigned status,
    const char *title, const char *text)
{
	audit_refused(c, a, text);
	console_message(c, status, title, text);
	return 0;
}

/* The 409 page: the tenant is not where the page that asked saw it. */
static int
changed(struct console_call *c, const struct act *a)
{
	struct history_entry *h = NULL;
	struct tmpl_vars *v;
	char when[TIMESTAMP_SHOWN_LEN], *url, *why;
	size_t n = 0;

	if (store_history_list(c->st, a->t.id, &h, &n, &c->err) == -1)
		return -1;
	why = xasprintf("the tenant is %s, no longer %s",
	    fsm_state_name(a->t.state), fsm_state_name(a->from));
	audit_refused(c, a, why);
	free(why);
	v = console_vars(c);
	url = tenant_url(c, a->t.id);
	tmpl_vars_set(v, "action_title", a->what->title);
	tmpl_vars_setf(v, "id", "%lld", (long long)a->t.id);
	tmpl_vars_set(v, "name", a->t.name);
	tmpl_vars_set(v, "tenant_url", url);
	tmpl_vars_set(v, "expected", fsm_state_name(a->from));
	tmpl_vars_set(v, "state", fsm_state_name(a->t.state));
	if (n > 0) {
		tmpl_vars_set(v, "last_at", timestamp_shown(h[n - 1].at,
		    when));
		tmpl_vars_set(v, "last_actor", h[n - 1].actor);
		tmpl_vars_setf(v, "last_move", "%s -> %s",
		    fsm_state_name(h[n - 1].from), fsm_state_name(h[n - 1].to));
		tmpl_vars_set(v, "last_detail", h[n - 1].detail);
	}
	free(url);
	store_history_free(h, n);
	return console_page(c, 409, "console_changed", v);
}

/* verify: the plan the form names, eligible for the tenant. */
static int
load_plan(struct console_call *c, struct act *a)
{
	int64_t id = console_param_id(c, "plan");
	char *text;
	int rc;

	if (id == 0)
		return refuse(c, a, 422, "Choose a plan", "Verify needs one of "
		    "the eligible plans. Nothing was changed.");
	if (store_plan_get(c->st, id, &a->plan, &c->err) == -1) {
		if (c->err.kind != ERR_INPUT)
			return -1;
		return refuse(c, a, 422, "No such plan", "That plan does not "
		    "exist (any more). Nothing was changed.");
	}
	if (plan_is_eligible(&a->plan, &a->t))
		return 1;
	text = xasprintf("Plan %s cannot be chosen for this tenant: it needs "
	    "edition %s and every workload of the tenant. Nothing was changed.",
	    a->plan.name, a->t.edition);
	rc = refuse(c, a, 422, "Plan not eligible", text);
	free(text);
	return rc;
}

/* resend: the form's mail, the tenant's, failed, of its generation. */
static int
load_mail(struct console_call *c, struct act *a)
{
	int64_t id = console_param_id(c, "mail");
	char *text;
	int rc;

	if (id == 0)
		return refuse(c, a, 400, "Which mail?", "The form did not say "
		    "which mail to send again. Nothing was changed.");
	if (store_outbox_head(c->st, id, &a->mail, &c->err) == -1) {
		if (c->err.kind != ERR_INPUT)
			return -1;
		a->mail.tenant_id = 0;
	}
	if (a->mail.tenant_id != a->t.id)
		return refuse(c, a, 404, "No such mail", "This tenant has no "
		    "such mail. Nothing was changed.");
	if (a->mail.status == MAIL_STATUS_FAILED &&
	    a->mail.generation == a->t.generation)
		return 1;
	if (a->mail.status != MAIL_STATUS_FAILED)
		text = xasprintf("Mail %lld is %s, not failed: there is nothing "
		    "to send again. Nothing was changed.", (long long)id,
		    outcome_mail_name(a->mail.status));
	else
		text = xasprintf("Mail %lld is from an earlier round of the "
		    "migration; its link and reply no longer count. Nothing "
		    "was changed.", (long long)id);
	rc = refuse(c, a, 409, "Not sent again", text);
	free(text);
	return rc;
}

/* Reads the form and the tenant: 1 to go on, 0 answered, -1 failed. */
static int
act_prepare(struct console_call *c, const char *name, struct act *a)
{
	const char *from = console_param(c, "from_state");
	char *text;
	int rc;

	a->what = find_action(name);
	a->confirm = console_param_yes(c, "confirm");
	a->reason = console_param(c, "reason");
	snprintf(a->target, sizeof a->target, "tenant %lld",
	    (long long)c->ids[0]);
	snprintf(a->audit_action, sizeof a->audit_action, "tenant.%s", name);
	if (a->what == NULL) {
		console_message(c, 404, "Not found", "There is no such action.");
		return 0;
	}
	if (from == NULL || (a->from = fsm_state_from_name(from)) < 0)
		return refuse(c, a, 400, "Open the tenant's page again", "The "
		    "form did not say which state the tenant was in when you "
		    "chose. Nothing was changed.");
	if (store_tenant_get(c->st, c->ids[0], &a->t, &c->err) == -1) {
		if (c->err.kind != ERR_INPUT)
			return -1;
		return refuse(c, a, 404, "No such tenant", "There is no such "
		    "tenant. Nothing was changed.");
	}
	if ((int)a->t.state != a->from)
		return changed(c, a) == -1 ? -1 : 0;
	if (!applies(a->what, &a->t)) {
		text = xasprintf("%s does not apply to a tenant that is %s. "
		    "Nothing was changed.", a->what->title,
		    fsm_state_name(a->t.state));
		rc = refuse(c, a, 409, "Not possible now", text);
		free(text);
		return rc;
	}
	if (a->what->event == EVENT_VERIFY)
		return load_plan(c, a);
	if (a->what->event == EVENT_COUNT)
		return load_mail(c, a);
	return 1;
}

/* The page that asks before acting: the same fields, and confirm=yes. */
static int
confirm_one(struct console_call *c, const struct act *a, unsigned status,
    const char *message)
{
	struct tmpl_vars *v = console_vars(c);
	char *url = tenant_url(c, a->t.id);
	int rc;

	tmpl_vars_set(v, "single", "yes");
	tmpl_vars_set(v, "action_title", a->what->title);
	tmpl_vars_set(v, "says", a->what->says);
	tmpl_vars_set(v, "danger", a->what->danger ? "yes" : "");
	tmpl_vars_setf(v, "id", "%lld", (long long)a->t.id);
	tmpl_vars_set(v, "name", a->t.name);
	tmpl_vars_set(v, "state", fsm_state_name(a->t.state));
	tmpl_vars_set(v, "from_state", fsm_state_name(a->t.state));
	tmpl_vars_set(v, "tenant_url", url);
	tmpl_vars_set(v, "back_url", url);
	tmpl_vars_set(v, "reason", a->reason);
	tmpl_vars_set(v, "message", message);
	if (a->plan.id > 0) {
		tmpl_vars_setf(v, "plan", "%lld", (long long)a->plan.id);
		tmpl_vars_set(v, "plan_name", a->plan.name);
	}
	if (a->mail.id > 0) {
		tmpl_vars_setf(v, "mail", "%lld", (long long)a->mail.id);
		tmpl_vars_setf(v, "mail_desc", "%s to %s (mail %lld): %s",
		    fsm_mail_kind_name(a->mail.kind), a->mail.recipient,
		    (long long)a->mail.id, a->mail.last_error ?
		    a->mail.last_error : "failed");
	}
	rc = console_page(c, status, "console_confirm", v);
	free(url);
	return rc;
}

/* Fires the action through the same functions as the CLI and mail. */
static int
act_fire(struct console_call *c, const struct act *a, size_t *nmails,
    struct err *err)
{
	struct workflow_event ev = { 0 };
	struct workflow_outcome out;
	char plan[24];
	char *actor = console_actor(c);
	int rc;

	*nmails = 0;
	if (a->what->event == EVENT_COUNT) {
		rc = workflow_resend(c->st, a->t.id, a->mail.id, actor,
		    a->reason, c->now, err);
		*nmails = rc == 0;
		free(actor);
		return rc;
	}
	ev.event = a->what->event;
	ev.actor = actor;
	ev.reason = a->reason;
	if (a->plan.id > 0) {
		snprintf(plan, sizeof plan, "%lld", (long long)a->plan.id);
		ev.plan = plan;
	}
	rc = workflow_fire(c->st, c->con->mail, a->t.id, &ev, c->now, &out,
	    err);
	if (rc == 0)
		*nmails = out.nmails;
	workflow_outcome_clear(&out);
	free(actor);
	return rc;
}

static void
deliver_now(struct console_call *c, size_t nmails)
{
	if (nmails > 0 && c->con->queued != NULL)
		c->con->queued(c->con->queued_arg);
}

/* Acts, once: a second form finds the tenant moved on (ERR_STATE). */
static int
act_do(struct console_call *c, struct act *a)
{
	struct err err;
	size_t nmails;
	int64_t id = a->t.id;

	if (act_fire(c, a, &nmails, &err) == 0) {
		deliver_now(c, nmails);
		console_audit_logged(c, a->audit_action, a->target, "ok", a->reason);
		console_redirect(c, "/tenants/%lld?done=%s", (long long)id,
		    a->what->name);
		return 0;
	}
	if (err.kind == ERR_STATE && a->what->event != EVENT_COUNT) {
		/* Another tab, person or reply was first. */
		tenant_clear(&a->t);
		if (store_tenant_get(c->st, id, &a->t, &c->err) == -1)
			return -1;
		return changed(c, a);
	}
	if (err.kind == ERR_STATE || err.kind == ERR_INPUT)
		return refuse(c, a, err.kind == ERR_STATE ? 409 : 422,
		    "Nothing was changed", err.msg);
	console_audit_logged(c, a->audit_action, a->target, "failed", err.msg);
	c->err = err;
	return -1;
}

int
console_tenant_act_post(struct console_call *c, const char *action)
{
	struct act a;
	struct err err;
	char *text;
	int rc;

	act_init(&a);
	rc = act_prepare(c, action, &a);
	if (rc == 1 && !a.confirm)
		rc = confirm_one(c, &a, 200, NULL);
	else if (rc == 1 && reason_check(a.reason, &err) == -1) {
		audit_refused(c, &a, "no valid reason given");
		text = xasprintf("Give a reason of up to %d bytes, without "
		    "line breaks (%s). Nothing was changed yet.",
		    ACT_REASON_MAX, err.msg);
		rc = confirm_one(c, &a, 400, text);
		free(text);
	} else if (rc == 1)
		rc = act_do(c, &a);
	act_clear(&a);
	return rc == -1 ? -1 : 0;
}

/* ---- many tenants ---- */

struct bulk_item {
	int64_t	 id;
	int	 seen;		/* its state on the confirmation; -1: none */
};

struct bulk {
	const struct console_action	*what;
	const char		*reason;
	int			 confirm;
	struct bulk_item	*items;
	size_t			 n;
	size_t			 matched;	/* all_matching: how many */
	char			*filter;	/* all_matching: what it was */
	int			 state;		/* all_matching: -1 any */
	const char		*q;
};

static void
bulk_clear(struct bulk *b)
{
	free(b->items);
	free(b->filter);
}

/* Adds id once; 0, or -1 past the cap (still counted in matched). */
static int
bulk_add(struct bulk *b, int64_t id, int seen)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->items[i].id == id)
			return 0;
	b->matched++;
	if (b->n == ACT_BULK_MAX)
		return -1;
	if (b->n == 0)
		b->items = xcalloc(ACT_BULK_MAX, sizeof *b->items);
	b->items[b->n].id = id;
	b->items[b->n].seen = seen;
	b->n++;
	return 0;
}

/* The checked tenants: every "id" field, then the states seen. */
static int
bulk_checked(struct console_call *c, struct bulk *b)
{
	const struct console_param *p;
	const char *colon;
	char digits[24];
	int64_t id;
	size_t i, j;
	int s;

	for (i = 0; i < c->req->nparams; i++) {
		p = &c->req->params[i];
		if (strcmp(p->name, "id") != 0)
			continue;
		if ((id = console_parse_id(p->value)) == 0)
			return -1;
		(void)bulk_add(b, id, -1);
	}
	/* "seen" is "ID:STATE", from the confirmation page. */
	for (i = 0; i < c->req->nparams; i++) {
		p = &c->req->params[i];
		if (strcmp(p->name, "seen") != 0)
			continue;
		colon = strchr(p->value, ':');
		if (colon == NULL || (size_t)(colon - p->value) >= sizeof digits)
			continue;
		memcpy(digits, p->value, (size_t)(colon - p->value));
		digits[colon - p->value] = '\0';
		id = console_parse_id(digits);
		s = fsm_state_from_name(colon + 1);
		for (j = 0; j < b->n && s >= 0; j++)
			if (b->items[j].id == id)
				b->items[j].seen = s;
	}
	return 0;
}

/*
 * The tenants the list shows for the filter, through the list's own
 * query, so that what is acted on is what was shown: up to the cap, and
 * how many match in all.
 */
static int
bulk_matching(struct console_call *c, struct bulk *b)
{
	struct tenant_filter f = { b->state, b->q, 0, ACT_BULK_MAX };
	struct tenant *tenants = NULL;
	int64_t total;
	size_t n, i;

	if (store_tenant_page(c->st, &f, &tenants, &n, &total, &c->err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		(void)bulk_add(b, tenants[i].id, (int)tenants[i].state);
	b->matched = (size_t)total;
	store_tenants_free(tenants, n);
	return 0;
}

/* Which tenants: 1 to go on, 0 answered, -1 failed. */
static int
bulk_targets(struct console_call *c, struct bulk *b)
{
	const char *state = console_param(c, "state");
	char *text;

	if (console_param_yes(c, "all_matching") && !b->confirm) {
		b->state = -1;
		if (console_param_search(c, &b->q) == -1) {
			console_message(c, 400, "Search too long", "The search "
			    "is longer than the list takes. Nothing was "
			    "changed.");
			return 0;
		}
		if (state != NULL && *state != '\0' &&
		    (b->state = fsm_state_from_name(state)) < 0) {
			console_message(c, 400, "Unknown state", "The filter "
			    "names no known state. Nothing was changed.");
			return 0;
		}
		b->filter = xasprintf("state %s, search \"%s\"", b->state < 0 ?
		    "any" : fsm_state_name(b->state), b->q ? b->q : "");
		if (bulk_matching(c, b) == -1)
			return -1;
	} else if (bulk_checked(c, b) == -1) {
		console_message(c, 400, "Bad form", "A tenant number in the form "
		    "is not one. Nothing was changed.");
		return 0;
	}
	if (b->matched > ACT_BULK_MAX) {
		text = xasprintf("%zu tenants were chosen; one bulk action takes "
		    "at most %d. Narrow the filter or check fewer tenants. "
		    "Nothing was changed.", b->matched, ACT_BULK_MAX);
		console_message(c, 400, "Too many tenants", text);
		free(text);
		return 0;
	}
	if (b->n == 0) {
		console_message(c, 400, "No tenant chosen", b->filter ? "No "
		    "tenant matches the filter. Nothing was changed." : "Check "
		    "at least one tenant. Nothing was changed.");
		return 0;
	}
	return 1;
}

/* The confirmation for many: each tenant with the state it is in now,
 * which the form carries back as "seen". */
static int
bulk_confirm(struct console_call *c, const struct bulk *b, unsigned status,
    const char *message)
{
	struct tmpl_vars *v = console_vars(c), *item;
	struct tenant t;
	struct err err;
	char *url = tenant_url(c, 0);
	size_t i;
	int rc = -1;

	for (i = 0; i < b->n; i++) {
		item = tmpl_vars_item(v, "tenants");
		tmpl_vars_setf(item, "id", "%lld", (long long)b->items[i].id);
		tenant_init(&t);
		if (store_tenant_get(c->st, b->items[i].id, &t, &err) == -1) {
			if (err.kind != ERR_INPUT) {
				c->err = err;
				tmpl_vars_free(v);
				goto out;
			}
			tmpl_vars_set(item, "name", "(no such tenant)");
			tmpl_vars_set(item, "state", "-");
			continue;
		}
		tmpl_vars_set(item, "name", t.name);
		tmpl_vars_set(item, "state", fsm_state_name(t.state));
		tmpl_vars_setf(item, "seen", "%lld:%s", (long long)t.id,
		    fsm_state_name(t.state));
		tenant_clear(&t);
	}
	tmpl_vars_set(v, "bulk", "yes");
	tmpl_vars_set(v, "action", b->what->name);
	tmpl_vars_set(v, "action_title", b->what->title);
	tmpl_vars_set(v, "says", b->what->says);
	tmpl_vars_set(v, "danger", b->what->danger ? "yes" : "");
	tmpl_vars_setf(v, "count", "%zu", b->n);
	if (b->filter != NULL)
		tmpl_vars_setf(v, "bulk_note", "The %zu tenants that match the "
		    "filter (%s) now; one that comes to match later is not "
		    "included.", b->n, b->filter);
	tmpl_vars_set(v, "back_url", url);
	tmpl_vars_set(v, "reason", b->reason);
	tmpl_vars_set(v, "message", message);
	rc = console_page(c, status, "console_confirm", v);
out:
	free(url);
	return rc;
}

/* What became of one tenant of a bulk action. */
struct bulk_result {
	const char	*outcome;	/* shown: ok, not in that state, ... */
	const char	*audited;	/* ok, refused, failed */
	char		*text;
	size_t		 nmails;
};

/* One tenant of a bulk action, in its own transaction: whatever became
 * of it is r's to say, so one failure never stops the others. */
static void
bulk_one(struct console_call *c, const struct bulk *b,
    const struct bulk_item *item, struct tenant *t, struct bulk_result *r)
{
	struct workflow_event ev = { 0 };
	struct workflow_outcome out;
	struct err err;
	char *actor;

	r->audited = "refused";
	if (store_tenant_get(c->st, item->id, t, &err) == -1) {
		r->outcome = err.kind == ERR_INPUT ? "unknown" : "failed";
		r->audited = err.kind == ERR_INPUT ? "refused" : "failed";
		r->text = xstrdup(err.kind == ERR_INPUT ? "no such tenant" :
		    err.msg);
		return;
	}
	if (item->seen >= 0 && (int)t->state != item->seen) {
		r->outcome = "changed";
		r->text = xasprintf("now %s, no longer %s", fsm_state_name(
		    t->state), fsm_state_name(item->seen));
		return;
	}
	actor = console_actor(c);
	ev.event = b->what->event;
	ev.actor = actor;
	ev.reason = b->reason;
	if (workflow_fire(c->st, c->con->mail, t->id, &ev, c->now, &out,
	    &err) == 0) {
		r->outcome = "ok";
		r->audited = "ok";
		r->text = xasprintf("%s -> %s, %zu mail%s queued",
		    fsm_state_name(out.from), fsm_state_name(out.to),
		    out.nmails, out.nmails == 1 ? "" : "s");
		r->nmails = out.nmails;
		workflow_outcome_clear(&out);
	} else if (err.kind == ERR_STATE) {
		r->outcome = "not in that state";
		r->text = xasprintf("%s does not apply while it is %s",
		    b->what->title, fsm_state_name(t->state));
	} else {
		r->outcome = err.kind == ERR_INPUT ? "refused" : "failed";
		r->audited = err.kind == ERR_INPUT ? "refused" : "failed";
		r->text = xstrdup(err.msg);
	}
	free(actor);
}

/* Each tenant in its own transaction, audited; then the bulk's row. */
static int
bulk_do(struct console_call *c, const struct bulk *b)
{
	struct tmpl_vars *v = console_vars(c), *item;
	struct bulk_result r;
	struct tenant t;
	char target[32], action[32], *detail, *url;
	size_t i, ok = 0, failed = 0, nmails = 0;

	snprintf(action, sizeof action, "tenant.%s", b->what->name);
	for (i = 0; i < b->n; i++) {
		memset(&r, 0, sizeof r);
		tenant_init(&t);
		bulk_one(c, b, &b->items[i], &t, &r);
		ok += strcmp(r.audited, "ok") == 0;
		failed += strcmp(r.audited, "failed") == 0;
		nmails += r.nmails;
		snprintf(target, sizeof target, "tenant %lld",
		    (long long)b->items[i].id);
		detail = xasprintf("bulk: %s%s%s; reason: %s", r.outcome,
		    strcmp(r.outcome, "ok") ? ": " : "",
		    strcmp(r.outcome, "ok") ? r.text : "", b->reason);
		console_audit_logged(c, action, target, r.audited, detail);
		free(detail);
		item = tmpl_vars_item(v, "results");
		url = tenant_url(c, b->items[i].id);
		tmpl_vars_setf(item, "id", "%lld", (long long)b->items[i].id);
		tmpl_vars_set(item, "url", url);
		tmpl_vars_set(item, "name", t.name ? t.name : "");
		tmpl_vars_set(item, "outcome", r.outcome);
		tmpl_vars_set(item, "text", r.text);
		free(url);
		free(r.text);
		tenant_clear(&t);
	}
	deliver_now(c, nmails);
	snprintf(action, sizeof action, "bulk.%s", b->what->name);
	snprintf(target, sizeof target, "%zu tenants", b->n);
	detail = xasprintf("%zu ok, %zu not done; reason: %s", ok, b->n - ok,
	    b->reason);
	console_audit_logged(c, action, target, failed ? "failed" : ok == b->n ? "ok" :
	    "refused", detail);
	free(detail);
	url = tenant_url(c, 0);
	tmpl_vars_set(v, "action_title", b->what->title);
	tmpl_vars_setf(v, "count", "%zu", b->n);
	tmpl_vars_setf(v, "summary", "%zu done, %zu not done.", ok, b->n - ok);
	tmpl_vars_set(v, "list_url", url);
	free(url);
	return console_page(c, 200, "console_bulk", v);
}

int
console_bulk_post(struct console_call *c)
{
	struct bulk b;
	struct err err;
	char *text;
	int rc;

	memset(&b, 0, sizeof b);
	b.what = find_action(console_param(c, "action"));
	b.reason = console_param(c, "reason");
	b.confirm = console_param_yes(c, "confirm");
	if (b.what == NULL || !b.what->bulk) {
		console_message(c, 400, "Choose an action", "Many tenants at "
		    "once can be started, retriggered, finalized or cancelled. "
		    "Nothing was changed.");
		return 0;
	}
	rc = bulk_targets(c, &b);
	if (rc == 1 && !b.confirm)
		rc = bulk_confirm(c, &b, 200, NULL);
	else if (rc == 1 && reason_check(b.reason, &err) == -1) {
		text = xasprintf("Give a reason of up to %d bytes, without "
		    "line breaks (%s). Nothing was changed yet.",
		    ACT_REASON_MAX, err.msg);
		rc = bulk_confirm(c, &b, 400, text);
		free(text);
	} else if (rc == 1)
		rc = bulk_do(c, &b);
	bulk_clear(&b);
	return rc == -1 ? -1 : 0;
}
