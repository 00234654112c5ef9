/* sweep.c: reminders and expiry, decided from stored times. */
#include <stdlib.h>
#include <string.h>

#include "sweep.h"
#include "workflow.h"

static const struct {
	enum store_timer	 timer;
	enum fsm_event		 event;
} timers[] = {
	/* Expiry first: a link that ran out needs no reminder. */
	{ TIMER_EXPIRE, EVENT_EXPIRE },
	{ TIMER_REMIND_VERIFICATION, EVENT_REMIND_VERIFICATION },
	{ TIMER_REMIND_APPROVAL, EVENT_REMIND_APPROVAL },
};

static size_t *
counter(struct sweep_report *rep, enum store_timer timer)
{
	switch (timer) {
	case TIMER_EXPIRE:
		return &rep->expired;
	case TIMER_REMIND_VERIFICATION:
		return &rep->verification_reminders;
	case TIMER_REMIND_APPROVAL:
	case TIMER_NONE:
		break;
	}
	return &rep->approval_reminders;
}

/* Fires one timer event at each tenant it is due for. */
static int
sweep_one(struct store *st, const struct compose_ctx *ctx, size_t t,
    int64_t now, FILE *out, struct sweep_report *rep, struct err *err)
{
	const struct config *cfg = ctx->cfg;
	struct workflow_event ev = { .actor = "timer" };
	struct workflow_outcome res;
	struct err one;
	int64_t *ids;
	size_t n, i;

	if (store_timer_due(st, timers[t].timer, now, cfg->approval_remind_days,
	    cfg->remind_days, 0, &ids, &n, err) == -1)
		return -1;
	ev.event = timers[t].event;
	ev.timer = timers[t].timer;
	for (i = 0; i < n; i++) {
		if (workflow_fire(st, ctx, ids[i], &ev, now, &res, &one) == -1) {
			/* Another sweep, a reply or a click got there first. */
			if (one.kind != ERR_STATE) {
				*err = one;
				free(ids);
				return -1;
			}
			continue;
		}
		if (out != NULL)
			workflow_print(out, ids[i], &res);
		(*counter(rep, timers[t].timer))++;
		workflow_outcome_clear(&res);
	}
	free(ids);
	return 0;
}

int
sweep_run(struct store *st, const struct compose_ctx *ctx, int64_t now,
    FILE *out, struct sweep_report *rep, struct err *err)
{
	size_t t;

	memset(rep, 0, sizeof *rep);
	for (t = 0; t < sizeof timers / sizeof timers[0]; t++)
		if (sweep_one(st, ctx, t, now, out, rep, err) == -1)
			return -1;
	if (workflow_auth_notice(st, ctx, now, &rep->auth_notices, err) == -1)
		return -1;
	if (out != NULL && rep->auth_notices > 0)
		fprintf(out, "sweep: support told that %zu mail account%s "
		    "need%s a new sign-in\n", rep->auth_notices,
		    rep->auth_notices == 1 ? "" : "s",
		    rep->auth_notices == 1 ? "s" : "");
	return 0;
}
