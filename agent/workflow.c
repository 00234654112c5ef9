/* workflow.c: load a tenant, ask the core, commit the change and its mails. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "licence.h"
#include "workflow.h"

#define SECONDS_PER_DAY 86400

/* Applies what the core asked for besides the state itself. */
static int
apply_actions(struct store *st, const struct config *cfg, struct tenant *t,
    const struct fsm_result *res, const struct workflow_event *ev,
    const struct strvec *reasons, int64_t now, struct err *err)
{
	struct plan plan;
	size_t i;

	if (res->actions & (FSM_CLEAR_BLOCKED | FSM_SET_BLOCKED))
		strvec_clear(&t->blocked_reasons);
	if (res->actions & FSM_SET_BLOCKED)
		for (i = 0; i < reasons->n; i++)
			strvec_push(&t->blocked_reasons, reasons->v[i]);
	if (res->actions & FSM_SET_PLAN) {
		if (ev->plan == NULL) {
			err_set(err, ERR_INPUT, "no plan chosen");
			return -1;
		}
		if (store_plan_find(st, ev->plan, &plan, err) == -1)
			return -1;
		if (!plan_is_eligible(&plan, t)) {
			err_set(err, ERR_INPUT, "plan '%s' is not eligible: "
			    "it needs edition '%s' and every workload of the "
			    "tenant", plan.name, t->edition);
			plan_clear(&plan);
			return -1;
		}
		t->plan_id = plan.id;
		plan_clear(&plan);
	}
	if (res->actions & FSM_APPLY_LICENCES)
		licence_after_migration(t->workloads, t->expires,
		    date_of_time((time_t)now), t->after);
	if (res->actions & FSM_NEW_GENERATION) {
		t->generation++;
		if (store_token_set(st, t->id, 0, 0, err) == -1)
			return -1;
	}
	if (res->actions & FSM_ISSUE_TOKEN &&
	    store_token_set(st, t->id, now,
	    now + (int64_t)cfg->ttl_days * SECONDS_PER_DAY, err) == -1)
		return -1;
	return 0;
}

/* Queues one mail and names it in the history detail. */
static int
queue_one(struct store *st, const struct tenant *t, enum mail_kind kind,
    const char *to, int64_t now, struct buf *detail, size_t *count,
    struct err *err)
{
	if (store_outbox_add(st, t->id, kind, to, now, NULL, err) == -1)
		return -1;
	buf_printf(detail, "%s %s to %s", *count ? "," : "; mails:",
	    fsm_mail_kind_name(kind), to);
	(*count)++;
	return 0;
}

/* Queues each mail the core asked for, one row per address. */
static int
queue_mails(struct store *st, const struct config *cfg,
    const struct tenant *t, const struct fsm_result *res,
    const struct workflow_event *ev, int64_t now, struct buf *detail,
    size_t *count, struct err *err)
{
	const struct fsm_mail *m;
	size_t i, j;
	const char *to;

	*count = 0;
	for (i = 0; i < res->nmails; i++) {
		m = &res->mails[i];
		if (m->to == ROLE_SUPPORT) {
			for (j = 0; j < cfg->support_addresses.n; j++) {
				if (queue_one(st, t, m->kind,
				    cfg->support_addresses.v[j], now, detail,
				    count, err) == -1)
					return -1;
			}
			continue;
		}
		to = m->to == ROLE_CUSTOMER_ADMIN ? t->customer_admin :
		    m->to == ROLE_MSP_ADMIN ? t->msp_admin : ev->sender;
		if (to == NULL) {
			err_set(err, ERR_INPUT, "%s has no recipient",
			    fsm_mail_kind_name(m->kind));
			return -1;
		}
		if (queue_one(st, t, m->kind, to, now, detail, count,
		    err) == -1)
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
}

int
workflow_fire(struct store *st, const struct config *cfg, int64_t id,
    const struct workflow_event *ev, int64_t now, struct workflow_outcome *out,
    struct err *err)
{
	struct tenant t;
	struct fsm_result res;
	struct buf detail = { 0 };
	enum fsm_event event = ev->event;
	int rc = -1;

	memset(out, 0, sizeof *out);
	tenant_init(&t);
	if (store_begin(st, err) == -1)
		goto out;
	if (store_tenant_get(st, id, &t, err) == -1)
		goto out;
	out->from = t.state;
	if (event == EVENT_START && (t.state == STATE_NEW ||
	    t.state == STATE_BLOCKED) &&
	    tenant_preflight(&t, &out->reasons) > 0)
		event = EVENT_PREFLIGHT_FAIL;
	if (fsm_step(t.state, event, tenant_workflow(&t), &res, err) == -1) {
		err_prefix(err, "tenant %lld", (long long)id);
		goto out;
	}
	t.state = res.next;
	if (apply_actions(st, cfg, &t, &res, ev, &out->reasons, now, err) == -1)
		goto out;
	if (store_tenant_transition(st, &t, out->from, now, err) == -1)
		goto out;
	describe(&detail, ev, &out->reasons);
	if (queue_mails(st, cfg, &t, &res, ev, now, &detail, &out->nmails,
	    err) == -1)
		goto out;
	if (store_history_add(st, id, now, out->from, t.state, ev->actor,
	    detail.data, err) == -1)
		goto out;
	if (store_commit(st, err) == -1)
		goto out;
	out->to = t.state;
	rc = 0;
out:
	if (rc == -1) {
		store_rollback(st);
		workflow_outcome_clear(out);
	}
	buf_clear(&detail);
	tenant_clear(&t);
	return rc;
}

void
workflow_outcome_clear(struct workflow_outcome *out)
{
	strvec_clear(&out->reasons);
}
