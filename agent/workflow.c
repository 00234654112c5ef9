/* workflow.c: load a tenant, ask the core, commit the change and its mails. */
#include <stdlib.h>
#include <string.h>

#include "compose_thread.h"
#include "date.h"
#include "licence.h"
#include "mailauth.h"
#include "token.h"
#include "workflow.h"

#define SECONDS_PER_DAY 86400

/* What one transition knows while it queues its mails. */
struct transition {
	struct store			*st;
	const struct compose_ctx	*ctx;
	const struct workflow_event	*ev;
	struct tenant			 t;
	struct plan			 plan;		/* the tenant's, if any */
	struct token_info		 token;
	int64_t				 now;
	struct buf			 detail;	/* for the history */
	size_t				 nmails;
	size_t				 compose_mark;	/* at its start */
	const char			*account;	/* a mail account's */
};

static int
choose_plan(struct transition *tr, struct err *err)
{
	const char *key = tr->ev->plan;

	if (key == NULL) {
		err_set(err, ERR_INPUT, "no plan chosen");
		return -1;
	}
	if (store_plan_find(tr->st, key, &tr->plan, err) == -1)
		return -1;
	if (!plan_is_eligible(&tr->plan, &tr->t)) {
		err_set(err, ERR_INPUT, "plan '%s' is not eligible: it needs "
		    "edition '%s' and every workload of the tenant",
		    tr->plan.name, tr->t.edition);
		return -1;
	}
	tr->t.plan_id = tr->plan.id;
	return 0;
}

static int
issue_token(struct transition *tr, struct err *err)
{
	const struct config *cfg = tr->ctx->cfg;
	struct token_claims claims;
	char *jwt = NULL;
	int rc;

	if (token_issue(&tr->ctx->keys->tokens, cfg->issuer, tr->t.id,
	    tr->t.generation, tr->t.msp_admin, tr->now, cfg->ttl_days, &claims,
	    &jwt, err) == -1)
		return -1;
	rc = store_token_add(tr->st, tr->t.id, tr->t.generation, claims.jti,
	    tr->t.msp_admin, jwt, claims.iat, claims.exp, err);
	free(jwt);
	return rc;
}

/* Applies what the core asked for besides the state itself. */
static int
apply_actions(struct transition *tr, const struct fsm_result *res,
    const struct strvec *reasons, struct err *err)
{
	size_t i;

	if (res->actions & (FSM_CLEAR_BLOCKED | FSM_SET_BLOCKED))
		strvec_clear(&tr->t.blocked_reasons);
	if (res->actions & FSM_SET_BLOCKED)
		for (i = 0; i < reasons->n; i++)
			strvec_push(&tr->t.blocked_reasons, reasons->v[i]);
	if (res->actions & FSM_SET_PLAN && choose_plan(tr, err) == -1)
		return -1;
	if (res->actions & FSM_APPLY_LICENCES)
		licence_after_migration(tr->t.workloads, tr->t.expires,
		    date_of_time((time_t)tr->now), tr->t.after);
	if (res->actions & FSM_NEW_GENERATION)
		tr->t.generation++;
	return 0;
}

/* Queues one mail: the outbox row, then its composed message, which a
 * batch leaves to its composer. */
static int
queue_one(struct transition *tr, enum mail_kind kind, enum mail_role role,
    const char *to, const struct outbox_entry *failed, const char *reason,
    struct err *err)
{
	struct compose_input in;
	struct composed mail;
	struct outbox_new row;
	struct strvec thread = { 0 };
	int64_t id;
	int rc = -1;

	memset(&in, 0, sizeof in);
	memset(&mail, 0, sizeof mail);
	memset(&row, 0, sizeof row);
	/* Composed first, under the id it will have: the row then goes in
	 * whole, with its Message-ID. */
	if (store_outbox_next_id(tr->st, &id, err) == -1 ||
	    store_outbox_thread(tr->st, tr->t.id, to, id, &thread, err) == -1)
		goto out;
	in.tenant = &tr->t;
	in.kind = kind;
	in.role = role;
	in.to = to;
	in.mail_id = id;
	in.now = tr->now;
	in.token = tr->token.issued_at ? &tr->token : NULL;
	in.plan = tr->plan.name;
	in.in_reply_to = role == ROLE_SENDER || (tr->ev->sender &&
	    strcmp(tr->ev->sender, to) == 0) ? tr->ev->in_reply_to : NULL;
	in.thread = &thread;
	in.failed = failed;
	in.failed_reason = reason;
	in.reason = reason;
	in.reply_from = tr->ev->sender;
	in.account = tr->account;
	if (compose_for_outbox(tr->ctx, &in, &mail, err) == -1)
		goto out;
	row.id = id;
	row.tenant_id = tr->t.id;
	row.kind = kind;
	row.recipient = to;
	row.generation = tr->t.generation;
	row.now = tr->now;
	row.message_id = mail.message_id;
	row.subject = mail.subject;
	row.message = mail.message;
	row.message_len = mail.len;
	if (store_outbox_queue(tr->st, &row, err) == -1)
		goto out;
	buf_printf(&tr->detail, "%s %s to %s", tr->nmails ? "," : "; mails:",
	    fsm_mail_kind_name(kind), to);
	tr->nmails++;
	rc = 0;
out:
	composed_clear(&mail);
	strvec_clear(&thread);
	return rc;
}

/* Queues each mail the core asked for, one row per address. */
static int
queue_mails(struct transition *tr, const struct fsm_result *res,
    struct err *err)
{
	const struct strvec *support = &tr->ctx->cfg->support_addresses;
	const struct fsm_mail *m;
	const char *to;
	size_t i, j;

	for (i = 0; i < res->nmails; i++) {
		m = &res->mails[i];
		if (m->to == ROLE_SUPPORT) {
			for (j = 0; j < support->n; j++)
				if (queue_one(tr, m->kind, m->to, support->v[j],
				    NULL, NULL, err) == -1)
					return -1;
			continue;
		}
		to = m->to == ROLE_CUSTOMER_ADMIN ? tr->t.customer_admin :
		    m->to == ROLE_MSP_ADMIN ? tr->t.msp_admin : tr->ev->sender;
		if (to == NULL) {
			err_set(err, ERR_INPUT, "%s has no recipient",
			    fsm_mail_kind_name(m->kind));
			return -1;
		}
		if (queue_one(tr, m->kind, m->to, to, NULL, NULL, err) == -1)
			return -1;
	}
	return 0;
}

static void
describe(struct buf *detail, const struct workflow_event *ev,
    const struct strvec *reasons)
{
	size_t i;

	if (ev->detail != NULL) {
		buf_puts(detail, ev->detail);
		return;
	}
	buf_puts(detail, fsm_event_name(ev->event));
	if (ev->event == EVENT_START && reasons->n == 0)
		buf_puts(detail, ": preflight passed");
	for (i = 0; i < reasons->n; i++)
		buf_printf(detail, "%s%s", i ? "; " : ": preflight failed: ",
		    reasons->v[i]);
	if (ev->sender != NULL)
		buf_printf(detail, " (from %s)", ev->sender);
	if (ev->reason != NULL)
		buf_printf(detail, "; reason: %s", ev->reason);
}

/*
 * The transition's log line, written once its transaction (or the
 * inbox's batch holding it) commits: "tenant 7: awaiting_approval ->
 * awaiting_verification (mail, approve from a@b.test)".  The why is
 * short; the history has the whole detail.
 */
static void
log_transition(struct transition *tr, enum tenant_state from,
    const struct fsm_result *res)
{
	const struct workflow_event *ev = tr->ev;
	struct buf why = { 0 };

	buf_puts(&why, fsm_event_name(ev->event));
	if (ev->sender != NULL)
		buf_printf(&why, " from %s", ev->sender);
	if (res->actions & FSM_SET_PLAN)
		buf_printf(&why, " with plan %s", tr->plan.name);
	store_log_at_commit(tr->st, "workflow", "tenant %lld: %s -> %s (%s, %s)",
	    (long long)tr->t.id, fsm_state_name(from),
	    fsm_state_name(tr->t.state), ev->actor ? ev->actor : "-",
	    why.data);
	buf_clear(&why);
}

/* Loads what the mails of this transition will show. */
static int
load_context(struct transition *tr, struct err *err)
{
	if (tr->t.plan_id > 0 && tr->plan.name == NULL &&
	    store_plan_get(tr->st, tr->t.plan_id, &tr->plan, err) == -1)
		return -1;
	return store_token_get(tr->st, tr->t.id, &tr->token, err);
}

static void
transition_init(struct transition *tr, struct store *st,
    const struct compose_ctx *ctx, const struct workflow_event *ev,
    int64_t now)
{
	memset(tr, 0, sizeof *tr);
	tenant_init(&tr->t);
	tr->st = st;
	tr->ctx = ctx;
	tr->ev = ev;
	tr->now = now;
	tr->compose_mark = compose_mark(ctx);
}

/* Undoes the transition: its rows, and the messages left to make. */
static void
transition_undo(struct transition *tr)
{
	store_rollback(tr->st);
	compose_undo(tr->ctx, tr->compose_mark);
}

static void
transition_clear(struct transition *tr)
{
	tenant_clear(&tr->t);
	plan_clear(&tr->plan);
	store_token_clear(&tr->token);
	buf_clear(&tr->detail);
}

/* A timer event fires only while it is due: two sweeps never both do. */
static int
still_due(struct transition *tr, struct err *err)
{
	const struct config *cfg = tr->ctx->cfg;
	int64_t *ids;
	size_t n;

	if (store_timer_due(tr->st, tr->ev->timer, tr->now,
	    cfg->approval_remind_days, cfg->remind_days, tr->t.id, &ids, &n,
	    err) == -1)
		return -1;
	free(ids);
	if (n == 0) {
		err_set(err, ERR_STATE, "tenant %lld: %s is no longer due",
		    (long long)tr->t.id, fsm_event_name(tr->ev->event));
		return -1;
	}
	return 0;
}

/* The core's step for ev, with the preflight deciding a start. */
static int
decide(struct transition *tr, struct workflow_outcome *out,
    struct fsm_result *res, struct err *err)
{
	enum fsm_event event = tr->ev->event;

	if (tr->ev->timer != TIMER_NONE && still_due(tr, err) == -1)
		return -1;
	if (event == EVENT_START && (tr->t.state == STATE_NEW ||
	    tr->t.state == STATE_BLOCKED) &&
	    tenant_preflight(&tr->t, &out->reasons) > 0)
		event = EVENT_PREFLIGHT_FAIL;
	if (fsm_step(tr->t.state, event, tenant_workflow(&tr->t), res,
	    err) == -1) {
		err_prefix(err, "tenant %lld", (long long)tr->t.id);
		return -1;
	}
	return 0;
}

int
workflow_fire(struct store *st, const struct compose_ctx *ctx, int64_t id,
    const struct workflow_event *ev, int64_t now, struct workflow_outcome *out,
    struct err *err)
{
	struct transition tr;
	struct fsm_result res;
	int rc = -1;

	memset(out, 0, sizeof *out);
	transition_init(&tr, st, ctx, ev, now);
	if (store_begin(st, err) == -1)
		goto out;
	if (store_tenant_get(st, id, &tr.t, err) == -1)
		goto out;
	out->from = tr.t.state;
	if (decide(&tr, out, &res, err) == -1)
		goto out;
	tr.t.state = res.next;
	if (apply_actions(&tr, &res, &out->reasons, err) == -1 ||
	    store_tenant_transition(st, &tr.t, out->from, now, err) == -1)
		goto out;
	if (res.actions & FSM_ISSUE_TOKEN && issue_token(&tr, err) == -1)
		goto out;
	if (load_context(&tr, err) == -1)
		goto out;
	describe(&tr.detail, ev, &out->reasons);
	if (queue_mails(&tr, &res, err) == -1 ||
	    store_history_add(st, id, now, out->from, tr.t.state, ev->actor,
	    tr.detail.data, err) == -1 ||
	    (ev->note != NULL && store_inbound_add(st, ev->note, now,
	    err) == -1))
		goto out;
	log_transition(&tr, out->from, &res);
	if (store_commit(st, err) == -1)
		goto out;
	out->to = tr.t.state;
	out->nmails = tr.nmails;
	rc = 0;
out:
	if (rc == -1) {
		transition_undo(&tr);
		workflow_outcome_clear(out);
	}
	transition_clear(&tr);
	return rc;
}

int
workflow_delivery_failed(struct store *st, const struct compose_ctx *ctx,
    int64_t mail_id, const char *reason, int64_t now, struct err *err)
{
	const struct strvec *support = &ctx->cfg->support_addresses;
	struct workflow_event ev = { 0 };
	struct outbox_entry mail;
	struct transition tr;
	size_t i;
	int rc = -1;

	memset(&mail, 0, sizeof mail);
	transition_init(&tr, st, ctx, &ev, now);
	if (store_begin(st, err) == -1)
		goto out;
	if (store_outbox_get(st, mail_id, &mail, err) == -1 ||
	    store_outbox_failed(st, mail_id, reason, err) == -1)
		goto out;
	if (mail.tenant_id == 0) {
		/* About no tenant (a notice to support): only marked. */
		rc = store_commit(st, err);
		goto out;
	}
	if (store_tenant_get(st, mail.tenant_id, &tr.t, err) == -1 ||
	    load_context(&tr, err) == -1)
		goto out;
	buf_printf(&tr.detail, "delivery of %s to %s failed: %s",
	    fsm_mail_kind_name(mail.kind), mail.recipient, reason);
	/* A notice about a failed notice would loop. */
	for (i = 0; mail.kind != MAIL_DELIVERY_FAILED && i < support->n; i++)
		if (queue_one(&tr, MAIL_DELIVERY_FAILED, ROLE_SUPPORT,
		    support->v[i], &mail, reason, err) == -1)
			goto out;
	if (store_history_add(st, tr.t.id, now, tr.t.state, tr.t.state,
	    "outbox", tr.detail.data, err) == -1 ||
	    store_commit(st, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		transition_undo(&tr);
	store_outbox_entry_clear(&mail);
	transition_clear(&tr);
	return rc;
}

/* The mail must be the tenant's, of its current generation: an earlier
 * one's link and reply key no longer work. */
static int
resend_check(const struct tenant *t, const struct outbox_entry *mail,
    struct err *err)
{
	if (mail->tenant_id != t->id) {
		err_set(err, ERR_INPUT, "tenant %lld has no mail %lld",
		    (long long)t->id, (long long)mail->id);
		return -1;
	}
	if (mail->generation != t->generation) {
		err_set(err, ERR_STATE, "mail %lld is from an earlier round of "
		    "the migration; its link and reply no longer count",
		    (long long)mail->id);
		return -1;
	}
	return 0;
}

int
workflow_resend(struct store *st, int64_t tenant_id, int64_t mail_id,
    const char *actor, const char *reason, int64_t now, struct err *err)
{
	struct outbox_entry mail;
	struct tenant t;
	struct buf detail = { 0 };
	int rc = -1;

	memset(&mail, 0, sizeof mail);
	tenant_init(&t);
	if (store_begin(st, err) == -1)
		goto out;
	if (store_tenant_get(st, tenant_id, &t, err) == -1 ||
	    store_outbox_head(st, mail_id, &mail, err) == -1 ||
	    resend_check(&t, &mail, err) == -1 ||
	    store_outbox_requeue(st, mail_id, now, err) == -1)
		goto out;
	buf_printf(&detail, "%s to %s sent again (mail %lld)",
	    fsm_mail_kind_name(mail.kind), mail.recipient, (long long)mail_id);
	if (reason != NULL)
		buf_printf(&detail, "; reason: %s", reason);
	if (store_history_add(st, t.id, now, t.state, t.state, actor,
	    detail.data, err) == -1)
		goto out;
	store_log_at_commit(st, "workflow", "tenant %lld: mail %lld (%s) queued "
	    "again (%s)", (long long)t.id, (long long)mail_id,
	    fsm_mail_kind_name(mail.kind), actor);
	rc = store_commit(st, err);
out:
	if (rc == -1)
		store_rollback(st);
	buf_clear(&detail);
	store_outbox_entry_clear(&mail);
	tenant_clear(&t);
	return rc;
}

/* Support hears of ignored replies about a tenant at most once a day. */
static int
tell_support(struct transition *tr, const char *reason, struct err *err)
{
	const struct strvec *support = &tr->ctx->cfg->support_addresses;
	size_t i;
	int told;

	if (store_outbox_count(tr->st, MAIL_UNEXPECTED_REPLY, tr->t.id, NULL,
	    tr->now - 86400, &told, err) == -1)
		return -1;
	for (i = 0; !told && i < support->n; i++)
		if (queue_one(tr, MAIL_UNEXPECTED_REPLY, ROLE_SUPPORT,
		    support->v[i], NULL, reason, err) == -1)
			return -1;
	return 0;
}

int
workflow_record(struct store *st, const struct compose_ctx *ctx,
    const struct inbound_note *note, const char *actor, int tell, int64_t now,
    struct err *err)
{
	struct workflow_event ev = { 0 };
	struct transition tr;
	int rc = -1;

	ev.sender = note->sender;
	transition_init(&tr, st, ctx, &ev, now);
	if (store_begin(st, err) == -1)
		goto out;
	if (note->tenant_id > 0 &&
	    (store_tenant_get(st, note->tenant_id, &tr.t, err) == -1 ||
	    store_history_add(st, tr.t.id, now, tr.t.state, tr.t.state, actor,
	    note->detail, err) == -1 ||
	    (tell && (load_context(&tr, err) == -1 ||
	    tell_support(&tr, note->detail, err) == -1))))
		goto out;
	if (store_inbound_add(st, note, now, err) == -1 ||
	    store_commit(st, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		transition_undo(&tr);
	transition_clear(&tr);
	return rc;
}

void
workflow_print(FILE *fp, int64_t id, const struct workflow_outcome *out)
{
	size_t i;

	fprintf(fp, "tenant %lld: %s -> %s", (long long)id,
	    fsm_state_name(out->from), fsm_state_name(out->to));
	if (out->nmails > 0)
		fprintf(fp, " (%zu mail%s queued)", out->nmails,
		    out->nmails == 1 ? "" : "s");
	fputc('\n', fp);
	for (i = 0; i < out->reasons.n; i++)
		fprintf(fp, "  blocked: %s\n", out->reasons.v[i]);
}

void
workflow_outcome_clear(struct workflow_outcome *out)
{
	strvec_clear(&out->reasons);
}

/* The outbound account can still send: a password, or signed in. */
static int
outbound_works(struct store *st, const struct config *cfg, struct err *err)
{
	struct mail_auth_row row;
	int works;

	if (cfg->out_oauth.auth != AUTH_OAUTH2)
		return 1;
	if (mailauth_status(st, cfg, MAILAUTH_OUTBOUND, &row, err) == -1)
		return -1;
	works = strcmp(row.state, "ok") == 0 || strcmp(row.state, "error") == 0;
	store_auth_clear(&row);
	return works;
}

/* One account: the mails and the mark in one transaction. */
static int
auth_notice(struct store *st, const struct compose_ctx *ctx,
    enum mailauth_account a, int64_t now, int *told, struct err *err)
{
	const struct strvec *support = &ctx->cfg->support_addresses;
	struct workflow_event ev = { 0 };
	struct mail_auth_row row;
	struct transition tr;
	size_t i;
	int works, rc = -1;

	*told = 0;
	memset(&row, 0, sizeof row);
	transition_init(&tr, st, ctx, &ev, now);
	tr.account = mailauth_account_name(a);
	if (store_begin(st, err) == -1)
		goto out;
	if (mailauth_status(st, ctx->cfg, a, &row, err) == -1 ||
	    (works = outbound_works(st, ctx->cfg, err)) == -1)
		goto out;
	if (strcmp(row.state, "needs_reauth") != 0 || row.notified ||
	    !works) {
		store_rollback(st);
		rc = 0;
		goto out;
	}
	for (i = 0; i < support->n; i++)
		if (queue_one(&tr, MAIL_MAILBOX_AUTH_FAILED, ROLE_SUPPORT,
		    support->v[i], NULL, row.last_error, err) == -1)
			goto out;
	row.notified = 1;
	if (store_auth_put(st, &row, err) == -1 || store_commit(st, err) == -1)
		goto out;
	*told = 1;
	rc = 0;
out:
	if (rc == -1)
		transition_undo(&tr);
	store_auth_clear(&row);
	transition_clear(&tr);
	return rc;
}

int
workflow_auth_notice(struct store *st, const struct compose_ctx *ctx,
    int64_t now, size_t *told, struct err *err)
{
	int a, one;

	*told = 0;
	for (a = MAILAUTH_INBOUND; a <= MAILAUTH_OUTBOUND; a++) {
		if (mailauth_settings(ctx->cfg, a)->auth != AUTH_OAUTH2)
			continue;
		if (auth_notice(st, ctx, a, now, &one, err) == -1)
			return -1;
		*told += (size_t)one;
	}
	return 0;
}
