/* cli_workflow.c: the commands that move tenants on or deliver, read
 * and time their mail: start, the support events, flush, sweep, poll,
 * and run, the agent itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_impl.h"
#include "inbox_pass.h"
#include "log.h"
#include "outbox.h"
#include "run.h"
#include "sweep.h"
#include "tenant.h"
#include "transport.h"
#include "workflow.h"

/* ---- workflow events ---- */

/* Worst outcome wins: runtime over state over input. */
static int
worse(int a, int b)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return rank[b] > rank[a] ? b : a;
}

/*
 * What a tenant in each state is doing, for the refusal that says what
 * to do instead: "is waiting for the customer admin's reply since T".
 */
static const struct {
	const char	*what;
	const char	*when;		/* before the time */
} state_words[STATE_COUNT] = {
	[STATE_NEW] = { "is new, registered", "on" },
	[STATE_BLOCKED] = { "was blocked by the preflight", "on" },
	[STATE_AWAITING_APPROVAL] = {
	  "is waiting for the customer admin's reply", "since" },
	[STATE_AWAITING_VERIFICATION] = {
	  "is waiting for the MSP admin to confirm a plan on the "
	  "verification page",
	  "since" },
	[STATE_FINALIZING] = { "is waiting for support to finalize", "since" },
	[STATE_COMPLETED] = { "was completed", "on" },
	[STATE_REJECTED] = { "was rejected by the customer admin", "on" },
	[STATE_TOKEN_EXPIRED] = { "had its verification link expire", "on" },
	[STATE_CANCELLED] = { "was cancelled", "on" },
};

/* The commands a person may run on a tenant, in the order offered. */
static const struct {
	enum fsm_event	 event;
	const char	*command;
	const char	*after_id;	/* what the command needs besides */
} next_commands[] = {
	{ EVENT_START, "start", "" },
	{ EVENT_APPROVE, "approve", "" },
	{ EVENT_REJECT, "reject", "" },
	{ EVENT_VERIFY, "verify", " --plan PLAN" },
	{ EVENT_FINALIZE, "finalize", "" },
	{ EVENT_RETRIGGER, "retrigger", "" },
	{ EVENT_CANCEL, "cancel", "" },
};

#define NNEXT (sizeof next_commands / sizeof next_commands[0])

/* "'approve 3', 'reject 3' or 'cancel 3'": what applies to t now. */
static void
next_steps(struct buf *b, const struct tenant *t)
{
	size_t i, n = 0, k = 0;

	if (t->state == STATE_BLOCKED) {
		buf_printf(b, "'tenant edit %lld ...' to fix the data, then "
		    "'start %lld'", (long long)t->id, (long long)t->id);
		return;
	}
	for (i = 0; i < NNEXT; i++)
		n += fsm_applies(t->state, next_commands[i].event,
		    tenant_workflow(t));
	for (i = 0; i < NNEXT; i++) {
		if (!fsm_applies(t->state, next_commands[i].event,
		    tenant_workflow(t)))
			continue;
		if (k > 0)
			buf_puts(b, k == n - 1 ? " or " : ", ");
		buf_printf(b, "'%s %lld%s'", next_commands[i].command,
		    (long long)t->id, next_commands[i].after_id);
		k++;
	}
}

/*
 * Rewrites a refusal (ERR_STATE) into what the tenant is doing and what
 * may be run next: "tenant 3 is waiting for the customer admin's reply
 * since 2026-12-07 10:00 UTC, so 'start' does not apply; next: 'approve
 * 3', 'reject 3' or 'cancel 3'".  Keeps err when the tenant cannot be
 * read.
 */
static void
explain_refusal(struct cli *cli, int64_t id, enum fsm_event event,
    struct err *err)
{
	struct tenant t;
	struct err load_err;
	struct buf b = { 0 };
	char when[CLI_AUTH_TIME_LEN];

	tenant_init(&t);
	if (err->kind != ERR_STATE ||
	    store_tenant_get(cli->st, id, &t, &load_err) == -1)
		goto out;
	cli_auth_time(t.state_since, when);
	buf_printf(&b, "tenant %lld %s %s %s", (long long)id,
	    state_words[t.state].what, state_words[t.state].when, when);
	if (t.state == STATE_BLOCKED && t.blocked_reasons.n > 0)
		buf_printf(&b, " (%s%s)", t.blocked_reasons.v[0],
		    t.blocked_reasons.n > 1 ? ", and more" : "");
	if (fsm_is_final(t.state)) {
		buf_printf(&b, "; %s is final, nothing more applies",
		    fsm_state_name(t.state));
		if (t.state == STATE_CANCELLED)
			buf_puts(&b, " (to migrate it, register it again "
			    "with 'tenant add')");
	} else {
		buf_printf(&b, ", so '%s' does not apply; next: ",
		    fsm_event_name(event));
		next_steps(&b, &t);
	}
	err_set(err, ERR_STATE, "%s", b.data);
out:
	buf_clear(&b);
	tenant_clear(&t);
}

static int
fire(struct cli *cli, int64_t id, const struct workflow_event *ev,
    int *exit_code)
{
	struct workflow_outcome out;
	struct err err;

	if (workflow_fire(cli->st, &cli->mail, id, ev, cli->now, &out,
	    &err) == -1) {
		explain_refusal(cli, id, ev->event, &err);
		fprintf(stderr, "mscagent: %s\n", err.msg);
		*exit_code = worse(*exit_code, err.kind);
		cli->err = err;
		return -1;
	}
	workflow_print(stdout, id, &out);
	if (out.to == STATE_BLOCKED)
		*exit_code = worse(*exit_code, ERR_INPUT);
	workflow_outcome_clear(&out);
	return 0;
}

/* Each tenant is a transaction of its own: one failure stops no other. */
static int
start_ids(struct cli *cli, const int64_t *ids, size_t n)
{
	struct workflow_event ev = { .event = EVENT_START, .actor = "cli" };
	int exit_code = 0;
	size_t i;

	for (i = 0; i < n; i++)
		fire(cli, ids[i], &ev, &exit_code);
	if (exit_code != 0) {
		/* Already printed, one line per tenant. */
		cli->err.kind = exit_code;
		cli->err.msg[0] = '\0';
		return -1;
	}
	return 0;
}

/* start --all: every new tenant, then every blocked one (its data may
 * have been fixed).  *ids (caller frees) is set even on failure. */
static int
all_ids(struct cli *cli, int64_t **ids, size_t *n)
{
	int64_t *blocked = NULL;
	size_t nblocked = 0, i;
	int rc = -1;

	*ids = NULL;
	*n = 0;
	if (store_tenant_ids(cli->st, STATE_NEW, ids, n, &cli->err) == -1 ||
	    store_tenant_ids(cli->st, STATE_BLOCKED, &blocked, &nblocked,
	    &cli->err) == -1)
		goto out;
	*ids = xrealloc(*ids, (*n + nblocked) * sizeof **ids);
	for (i = 0; i < nblocked; i++)
		(*ids)[(*n)++] = blocked[i];
	if (*n == 0)
		printf("no tenant is new or blocked\n");
	rc = 0;
out:
	free(blocked);
	return rc;
}

/* The tenant ids named on the command line; *ids (caller frees) is set
 * even on failure. */
static int
given_ids(struct cli *cli, int argc, char **argv, int64_t **ids, size_t *n)
{
	size_t i;

	*n = (size_t)argc;
	*ids = xcalloc(*n, sizeof **ids);
	for (i = 0; i < *n; i++)
		if (cli_parse_id(cli, argv[i], &(*ids)[i]) == -1)
			return -1;
	return 0;
}

int
cmd_start(struct cli *cli, int argc, char **argv)
{
	int64_t *ids;
	size_t n;
	int all, rc;

	if (cli_all_flag(cli, argc, argv, &all) == -1)
		return -1;
	if (all == (optind < argc))
		return cli_usage_error(cli, "start needs tenant IDs or --all");
	if (all)
		rc = all_ids(cli, &ids, &n);
	else
		rc = given_ids(cli, argc - optind, argv + optind, &ids, &n);
	if (rc == 0)
		rc = start_ids(cli, ids, n);
	free(ids);
	return rc;
}

int
cmd_event(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char	*name;
		enum fsm_event	 event;
	} events[] = {
		{ "retrigger", EVENT_RETRIGGER }, { "finalize", EVENT_FINALIZE },
		{ "cancel", EVENT_CANCEL }, { "approve", EVENT_APPROVE },
		{ "reject", EVENT_REJECT }, { "verify", EVENT_VERIFY },
	};
	struct workflow_event ev = { 0 };
	int64_t id;
	size_t i;
	int c, exit_code = 0;

	for (i = 0; i < sizeof events / sizeof events[0]; i++)
		if (strcmp(events[i].name, argv[0]) == 0)
			ev.event = events[i].event;
	ev.actor = "cli";
	while ((c = cli_next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		if (ev.event != EVENT_VERIFY)
			return cli_usage_error(cli, "only verify takes --plan");
		ev.plan = optarg;
	}
	if (optind != argc - 1)
		return cli_usage_error(cli, "%s needs one tenant ID", argv[0]);
	if (ev.event == EVENT_VERIFY && ev.plan == NULL)
		return cli_usage_error(cli, "verify needs --plan");
	if (cli_parse_id(cli, argv[optind], &id) == -1)
		return -1;
	if (fire(cli, id, &ev, &exit_code) == -1) {
		cli->err.msg[0] = '\0';	/* already printed */
		return -1;
	}
	return 0;
}

/* ---- delivery ---- */

int
cmd_flush(struct cli *cli, int argc, char **argv)
{
	struct outbox_report rep;
	int all;

	if (cli_all_flag(cli, argc, argv, &all) == -1 ||
	    cli_no_arguments(cli, argc, optind) == -1)
		return -1;
	if (outbox_flush(cli->st, &cli->mail, all, cli->now, NULL, stdout, &rep,
	    &cli->err) == -1)
		return -1;
	printf("flush: %zu sent, %zu to retry, %zu failed, %zu waiting\n",
	    rep.sent, rep.retry, rep.failed, rep.waiting);
	if (rep.down) {
		err_set(&cli->err, ERR_RUNTIME, "the mail server cannot be "
		    "reached, mails stay queued: %s", rep.down_reason);
		return -1;
	}
	return 0;
}

int
cmd_sweep(struct cli *cli, int argc, char **argv)
{
	struct sweep_report rep;

	(void)argv;
	if (cli_no_arguments(cli, argc, 1) == -1)
		return -1;
	if (sweep_run(cli->st, &cli->mail, cli->now, stdout, &rep,
	    &cli->err) == -1)
		return -1;
	printf("sweep: %zu expired, %zu verification reminder%s, %zu "
	    "approval reminder%s\n", rep.expired, rep.verification_reminders,
	    rep.verification_reminders == 1 ? "" : "s",
	    rep.approval_reminders, rep.approval_reminders == 1 ? "" : "s");
	return 0;
}

int
cmd_poll(struct cli *cli, int argc, char **argv)
{
	struct inbox_pass_report rep;
	struct inbox_pass *pass;
	struct reader *in;
	int rc;

	(void)argv;
	if (cli_no_arguments(cli, argc, 1) == -1)
		return -1;
	if ((in = reader_new(&cli->cfg, &cli->err)) == NULL)
		return -1;
	pass = inbox_pass_new(cli->st);
	rc = inbox_pass_run(pass, &cli->mail, in, cli->now, stdout, &rep,
	    &cli->err);
	inbox_pass_free(pass);
	in->close(in);
	printf("poll: %zu read, %zu acted on, %zu seen before\n", rep.handled,
	    rep.acted, rep.duplicates);
	/* Where the time went, for measuring (bench/poll.sh). */
	if (getenv("MSCAGENT_PROFILE") != NULL)
		fprintf(stderr, "poll: fetch %.3f s, parse %.3f s, decide %.3f "
		    "s, compose %.3f s, commit %.3f s, move %.3f s\n",
		    rep.times.fetch, rep.times.parse, rep.times.decide,
		    rep.times.compose, rep.times.commit, rep.times.move);
	return rc;
}

/* ---- the agent ---- */

/* Where mail goes and comes from, for the start-up lines. */
static const char *
mail_place(const struct url *u)
{
	return u->scheme == URL_MAILDIR ? u->path : u->text;
}

/* Said once the port is bound: before, "listening" could be untrue
 * (another agent holding the port). */
static void
say_started(unsigned port, void *arg)
{
	struct cli *cli = arg;

	printf("mscagent %s: verification pages at %s/verify (listening on "
	    "%s:%u)\n", MSCAGENT_VERSION, cli->cfg.base_url,
	    cli->cfg.listen_address, port);
	printf("mscagent: mail out to %s, replies read from %s\n",
	    mail_place(&cli->cfg.outbound), mail_place(&cli->cfg.inbound));
	(void)fflush(stdout);	/* main checks stdout at exit */
}

int
cmd_run(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (cli_no_arguments(cli, argc, 1) == -1)
		return -1;
	if (log_open(config_log_level_name(cli->cfg.log_level),
	    cli->cfg.log_file, &cli->err) == -1)
		return -1;
	/* The database stays open in each thread, not here. */
	store_close(cli->st);
	cli->st = NULL;
	if (run_agent(&cli->mail, say_started, cli, &cli->err) == -1)
		return -1;
	log_close();
	return 0;
}

