/* outbox.c: deliver queued mails once each, with retries and backoff. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox.h"
#include "replykey.h"
#include "transport.h"
#include "workflow.h"

struct sender *
sender_new(const struct config *cfg, struct err *err)
{
	switch (cfg->outbound.scheme) {
	case URL_MAILDIR:
		return maildir_sender_new(cfg->outbound.path, err);
	case URL_SMTP:
	case URL_SMTPS:
		return smtp_sender_new(cfg, err);
	default:
		err_set(err, ERR_INPUT, "[outbound] url: not smtp://, smtps:// "
		    "or maildir:");
		return NULL;
	}
}

int64_t
outbox_backoff(int attempts)
{
	int64_t wait = OUTBOX_BACKOFF_FIRST;

	while (attempts-- > 1 && wait < OUTBOX_BACKOFF_MAX)
		wait *= 2;
	return wait < OUTBOX_BACKOFF_MAX ? wait : OUTBOX_BACKOFF_MAX;
}

/* Bounces go to the reply address with the mail's key: they come back
 * to the agent and say which mail failed. */
static char *
envelope_from(const struct config *cfg, const struct outbox_entry *m)
{
	char key[REPLYKEY_MAX];

	if (m->message_id != NULL &&
	    replykey_from_message_id(m->message_id, key) == 0)
		return replykey_address(cfg->reply_address, key);
	return xstrdup(cfg->reply_address);
}

static void
log_mail(FILE *log, const struct outbox_entry *m, const char *what,
    const char *reply)
{
	if (log == NULL)
		return;
	fprintf(log, "mail %lld: %s %s to %s (tenant %lld): %s\n",
	    (long long)m->id, what, fsm_mail_kind_name(m->kind), m->recipient,
	    (long long)m->tenant_id, reply);
}

/* Records one delivery's outcome; returns -1 only for the database. */
static int
record_delivery(struct store *st, const struct compose_ctx *ctx,
    const struct outbox_entry *m, enum send_status status, const char *reply,
    int64_t now, FILE *log, struct outbox_report *rep, struct err *err)
{
	int attempts = m->attempts + 1;
	char *why;
	int rc;

	switch (status) {
	case SEND_OK:
		rep->sent++;
		log_mail(log, m, outcome_mail_name(MAIL_STATUS_SENT), reply);
		return store_outbox_sent(st, m->id, now, err);
	case SEND_RETRY:
		if (attempts < ctx->cfg->out_retry_max) {
			rep->retry++;
			log_mail(log, m, "will retry", reply);
			return store_outbox_retry(st, m->id,
			    now + outbox_backoff(attempts), 1, reply, err);
		}
		why = xasprintf("gave up after %d attempts: %s", attempts,
		    reply);
		rep->failed++;
		log_mail(log, m, outcome_mail_name(MAIL_STATUS_FAILED), why);
		rc = workflow_delivery_failed(st, ctx, m->id, why, now, err);
		free(why);
		return rc;
	case SEND_FAILED:
		rep->failed++;
		log_mail(log, m, outcome_mail_name(MAIL_STATUS_FAILED), reply);
		return workflow_delivery_failed(st, ctx, m->id, reply, now,
		    err);
	case SEND_DOWN:
		break;
	}
	/* Nobody to blame but the connection: wait, but do not count. */
	rep->waiting++;
	return store_outbox_retry(st, m->id, now + OUTBOX_BACKOFF_FIRST, 0,
	    reply, err);
}

/*
 * A mail's outcome is a commit of its own, so that a crash sends at
 * most one mail again.  Made between one mail's end of data and the next
 * MAIL FROM, it cost flush a fifth of its time: it is kept in hand
 * instead, and made by the gate (transport.h), which the transport asks
 * while the next mail's envelope is on the wire and always before its
 * content.  A mail still reaches the server only once the one before is
 * recorded.
 *
 * The gate also checks that the claims are still this session's
 * (PostgreSQL: once it was lost and opened again, another agent may
 * already have taken them over; sending one more could send it twice).
 */
struct flight {
	struct store		*st;
	int64_t			 holder;
	const struct compose_ctx *ctx;
	int64_t			 now;
	FILE			*log;
	struct outbox_report	*rep;
	/* the delivery in hand, not yet recorded; m is NULL when none */
	const struct outbox_entry *m;
	enum send_status	 status;
	char			 reply[TRANSPORT_REPLY_MAX];
	/* once a record failed, nothing more may be sent */
	int			 failed;
	struct err		 failure;
};

/* Records the delivery in hand, if any: the store is free for the next
 * step, and every mail sent so far is recorded. */
static int
record_in_hand(struct flight *f, struct err *err)
{
	const struct outbox_entry *m = f->m;

	f->m = NULL;
	if (m != NULL && !f->failed && record_delivery(f->st, f->ctx, m,
	    f->status, f->reply, f->now, f->log, f->rep, &f->failure) == -1)
		f->failed = 1;
	if (f->failed) {
		if (err != NULL)
			*err = f->failure;
		return -1;
	}
	if (store_holder(f->st) != f->holder) {
		err_set(err, ERR_RUNTIME, "database session lost; its "
		    "claimed mails are left to the next claim");
		return -1;
	}
	return 0;
}

static int
content_gate(void *arg)
{
	return record_in_hand(arg, NULL);
}

/* Sends one claimed batch; stops at the first unreachable server.  Each
 * mail's outcome is recorded while the next one's envelope goes out. */
static int
deliver_batch(struct flight *f, struct sender *out,
    struct outbox_entry *batch, size_t n, const volatile sig_atomic_t *stop,
    struct err *err)
{
	struct outbox_report *rep = f->rep;
	char reply[TRANSPORT_REPLY_MAX];
	enum send_status status;
	char *from;
	size_t i;

	for (i = 0; i < n; i++) {
		if (rep->down || (stop != NULL && *stop)) {
			/* Not tried: released for the next pass, as it was. */
			if (record_in_hand(f, err) == -1)
				return -1;
			rep->waiting++;
			if (store_outbox_retry(f->st, batch[i].id,
			    batch[i].next_attempt_at, 0, batch[i].last_error,
			    err) == -1)
				return -1;
			continue;
		}
		from = envelope_from(f->ctx->cfg, &batch[i]);
		status = out->send(out, from, batch[i].recipient,
		    batch[i].message, batch[i].message_len, reply);
		free(from);
		if (record_in_hand(f, err) == -1)
			return -1;
		if (status == SEND_DOWN) {
			rep->down = 1;
			snprintf(rep->down_reason, sizeof rep->down_reason,
			    "%s", reply);
		}
		f->m = &batch[i];
		f->status = status;
		memcpy(f->reply, reply, sizeof f->reply);
	}
	return record_in_hand(f, err);
}

/* The next batch of due mails, held by this process, in a transaction
 * of its own. */
static int
claim(struct store *st, int64_t now, int all, int64_t after_id,
    struct outbox_entry **batch, size_t *n, struct err *err)
{
	*batch = NULL;
	*n = 0;
	if (store_begin(st, err) == -1)
		return -1;
	if (store_outbox_claim(st, now, all, after_id, OUTBOX_LEASE,
	    store_holder(st), OUTBOX_BATCH, batch, n, err) == -1) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, err) == -1) {
		store_outbox_free(*batch, *n);
		*batch = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/*
 * Mails a deliverer held when it was killed go out now, not when its
 * lease ends.  A deliverer sends its claimed mails in id order and
 * records each before the next, so only the lowest unsent id of each
 * dead holder may have reached the server already: those are logged in
 * doubt, and sent again under the same Message-ID.
 */
static int
release_orphans(struct store *st, int64_t now, FILE *log, struct err *err)
{
	int64_t *holders = NULL, *in_doubt = NULL, first;
	size_t nholders = 0, n = 0, i;
	int rc = -1;

	if (store_begin(st, err) == -1)
		return -1;
	if (store_outbox_holders(st, now, &holders, &nholders, err) == -1)
		goto out;
	in_doubt = xcalloc(nholders + 1, sizeof *in_doubt);
	for (i = 0; i < nholders; i++) {
		if (store_holder_alive(st, holders[i]))
			continue;
		if (store_outbox_unclaim(st, holders[i], &first, err) == -1)
			goto out;
		if (first > 0)
			in_doubt[n++] = first;
	}
	rc = store_commit(st, err);
	for (i = 0; rc == 0 && log != NULL && i < n; i++)
		fprintf(log, "mail %lld: in doubt, the process sending it died; "
		    "sending it again under the same Message-ID\n",
		    (long long)in_doubt[i]);
out:
	if (rc == -1)
		store_rollback(st);
	free(holders);
	free(in_doubt);
	return rc;
}

int
outbox_flush(struct store *st, const struct compose_ctx *ctx, int all,
    int64_t now, const volatile sig_atomic_t *stop, FILE *log,
    struct outbox_report *rep, struct err *err)
{
	struct flight f = { .st = st, .ctx = ctx, .now = now, .log = log,
	    .rep = rep };
	struct outbox_entry *batch = NULL;
	struct sender *out = NULL;
	int64_t after_id = 0;
	size_t n = 0;
	int rc = -1;

	memset(rep, 0, sizeof *rep);
	if (release_orphans(st, now, log, err) == -1)
		return -1;
	/* In id order from where the last batch ended: each mail is
	 * considered once per flush, even one released for a retry. */
	while (!rep->down && (stop == NULL || !*stop)) {
		f.holder = store_holder(st);
		if (claim(st, now, all, after_id, &batch, &n, err) == -1)
			goto out;
		if (n == 0)
			break;
		after_id = batch[n - 1].id;
		if (out == NULL) {
			if ((out = sender_new(ctx->cfg, err)) == NULL)
				goto out;
			out->gate = content_gate;
			out->gate_arg = &f;
		}
		if (deliver_batch(&f, out, batch, n, stop, err) == -1)
			goto out;
		store_outbox_free(batch, n);
		batch = NULL;
		n = 0;
	}
	rc = 0;
out:
	/* Let go of what this pass held but did not get to, unless the
	 * session that held it is gone (deliver_batch). */
	for (size_t i = 0; batch != NULL && store_holder(st) == f.holder &&
	    i < n; i++)
		store_outbox_retry(st, batch[i].id, batch[i].next_attempt_at, 0,
		    batch[i].last_error, NULL);
	store_outbox_free(batch, n);
	if (out != NULL)
		out->close(out);
	return rc;
}
