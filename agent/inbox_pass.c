/* inbox_pass.c: the pass over the inbox, by batches, with its workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose_thread.h"
#include "inbox.h"
#include "inbox_pass.h"
#include "store_bulk.h"
#include "worker.h"

/* ---- batches ---- */

/* A batch read from the inbox, and how far handling it got. */
struct batch {
	size_t			 asked;		/* at most this many */
	struct inmsg		*msgs;
	size_t			 n;
	struct inbox_parsed	*parsed;
	size_t			 handled;	/* the first ones, committed */
	struct inbox_result	*res;
};

/*
 * The reader worker's share of a round, done while the caller's thread
 * handles a batch, so that the mail server works meanwhile: the batch
 * before is made durable and moved, and the one after is read.  The
 * reader and the fields below st belong to the worker from
 * worker_give to worker_wait; of the store it only uses store_sync.
 */
struct reader_step {
	struct store		*st;
	struct reader		*in;
	const struct config	*cfg;
	const struct batch	*moved;		/* handled before */
	const struct batch	*pending;	/* being handled now */
	int			 read_next;
	struct batch		 next;
	struct inbox_pass_times	 times;
	struct err		 err;
	int			 rc;
};

struct inbox_pass {
	struct store		*st;
	struct compose_thread	*composer;
	struct reader_step	 step;
	struct worker		 reader;	/* runs step */
	struct worker		 checkpointer;	/* store_checkpoint_passive */
};

static int
acted(enum inbound_outcome outcome)
{
	return outcome == INBOUND_APPROVE || outcome == INBOUND_REJECT ||
	    outcome == INBOUND_RETRIGGER || outcome == INBOUND_FINALIZE ||
	    outcome == INBOUND_BOUNCE;
}

/* Keeps where the reader stands, when it moved since last kept. */
static int
save_mark(struct store *st, struct reader *in, struct reader_mark *kept,
    struct err *err)
{
	if (in->mark_key == NULL ||
	    (in->mark.uidvalidity == kept->uidvalidity &&
	    in->mark.last_uid == kept->last_uid))
		return 0;
	if (store_mailbox_set(st, in->mark_key, in->mark.uidvalidity,
	    in->mark.last_uid, err) == -1)
		return -1;
	*kept = in->mark;
	return 0;
}

static void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; b->parsed != NULL && i < b->n; i++)
		inbox_parsed_clear(&b->parsed[i]);
	free(b->parsed);
	inmsg_free(b->msgs, b->n);
	free(b->res);
	memset(b, 0, sizeof *b);
}

/* Parses every message of b, dropping what an earlier parse left. */
static void
parse_batch(struct batch *b, const struct config *cfg)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		inbox_parsed_clear(&b->parsed[i]);
		inbox_parse(cfg, b->msgs[i].raw, b->msgs[i].len,
		    &b->parsed[i]);
	}
}

/*
 * How many to ask for after a batch of asked.  The first is small, so
 * that handling starts soon while the reader fetches the next; each
 * after is twice as large, up to INBOX_PASS_BATCH, so that reading the
 * next takes about as long as handling this one.
 */
static size_t
batch_after(size_t asked)
{
	if (asked == 0)
		return INBOX_PASS_FIRST_BATCH;
	return asked < INBOX_PASS_BATCH / 2 ? asked * 2 : INBOX_PASS_BATCH;
}

/* Reads and parses the next batch, past the one still pending (NULL:
 * none). */
static int
fetch_batch(struct reader *in, const struct config *cfg,
    const struct batch *pending, struct batch *b, struct inbox_pass_times *t,
    struct err *err)
{
	double start = monotonic_seconds();

	b->asked = batch_after(pending ? pending->asked : 0);
	if (in->fetch(in, pending ? pending->msgs : NULL, pending ?
	    pending->n : 0, b->asked, INMAIL_SIZE_MAX, &b->msgs, &b->n,
	    err) == -1)
		return -1;
	t->fetch += monotonic_seconds() - start;
	b->res = xcalloc(b->n + 1, sizeof *b->res);
	b->parsed = xcalloc(b->n + 1, sizeof *b->parsed);
	parse_batch(b, cfg);
	return 0;
}

/* Handles b's messages in order, each a step of its own; returns how
 * many went through (the first that fails stops it, err says why). */
static size_t
handle_steps(struct store *st, const struct compose_ctx *ctx,
    struct batch *b, int64_t now, struct inbox_pass_times *t,
    struct err *err)
{
	struct inbox_result *res = b->res;
	double start;
	size_t i;

	for (i = 0; i < b->n; i++) {
		start = monotonic_seconds();
		if (inbox_handle(st, ctx, &b->parsed[i], now, &res[i],
		    err) == -1)
			break;
		t->parse += res[i].parse_seconds;
		t->decide += monotonic_seconds() - start - res[i].parse_seconds;
	}
	return i;
}

/*
 * Handles a batch in one transaction, each message a step of its own:
 * those after one that fails stay for the next pass (err says why).
 * The composer makes the messages of the mails queued meanwhile, and
 * is empty again on return.  Returns store_batch_commit's answer.
 */
static int
run_batch(struct store *st, const struct compose_ctx *ctx,
    struct compose_thread *composer, struct batch *b, int tried, int64_t now,
    struct inbox_pass_times *t, struct err *err)
{
	struct compose_ctx deferred = *ctx;
	struct err lost;
	double start;
	size_t n;
	int rc;

	deferred.composer = composer;
	if ((tried ? store_batch_try(st, err) : store_batch_begin(st, err)) ==
	    -1)
		return -1;
	n = handle_steps(st, &deferred, b, now, t, err);
	start = monotonic_seconds();
	if (compose_thread_store(composer, st, &lost) == -1) {
		/*
		 * A message could not be made after its step was released.
		 * The batch once more, each message made in its own step,
		 * so that the one that fails stops the batch where it is.
		 */
		store_batch_rollback(st);
		parse_batch(b, ctx->cfg);	/* handling took the first */
		if (store_batch_begin(st, err) == -1)
			return -1;
		n = handle_steps(st, ctx, b, now, t, err);
	}
	t->compose += monotonic_seconds() - start;
	start = monotonic_seconds();
	if ((rc = store_batch_commit(st, n < b->n ? NULL : err)) == 0)
		b->handled = n;
	t->commit += monotonic_seconds() - start;
	return rc;
}

/*
 * Tried first without a savepoint per message: only a message that
 * fails after it wrote, which is rare, makes it run again with them.
 */
static void
handle_batch(struct store *st, const struct compose_ctx *ctx,
    struct compose_thread *composer, struct batch *b, int64_t now,
    struct inbox_pass_times *t, struct err *err)
{
	if (run_batch(st, ctx, composer, b, 1, now, t, err) ==
	    STORE_BATCH_AGAIN) {
		parse_batch(b, ctx->cfg);
		(void)run_batch(st, ctx, composer, b, 0, now, t, err);
	}
}

/*
 * Moved only once committed and durable: a crash before this leaves
 * them in the inbox, and the next pass finds them handled and moves
 * them.
 */
static int
move_batch(struct store *st, struct reader *in, const struct batch *b,
    struct inbox_pass_times *t, struct err *err)
{
	double start = monotonic_seconds();

	if (b->handled > 0 && (store_sync(st, err) == -1 ||
	    in->done(in, b->msgs, b->handled, err) == -1))
		return -1;
	t->move += monotonic_seconds() - start;
	return 0;
}

static void
report(const struct batch *b, FILE *log, struct inbox_pass_report *rep)
{
	const struct inbox_result *res = b->res;
	size_t i;

	for (i = 0; i < b->handled; i++) {
		if (log != NULL)
			fprintf(log, "message %s: %s%s%s\n", b->msgs[i].name,
			    outcome_inbound_name(res[i].outcome),
			    res[i].detail[0] ? ": " : "",
			    res[i].detail);
		rep->handled++;
		rep->duplicates += res[i].duplicate;
		rep->acted += acted(res[i].outcome);
	}
}

/* ---- the workers' jobs ---- */

static void
reader_step_run(void *arg)
{
	struct reader_step *s = arg;

	s->rc = move_batch(s->st, s->in, s->moved, &s->times, &s->err);
	if (s->rc == 0 && s->read_next)
		s->rc = fetch_batch(s->in, s->cfg, s->pending, &s->next,
		    &s->times, &s->err);
}

/* The reader worker moves moved and, unless pending was the inbox's
 * last, reads the batch after it. */
static void
reader_step_give(struct inbox_pass *p, struct reader *in,
    const struct config *cfg, const struct batch *moved,
    const struct batch *pending)
{
	struct reader_step *s = &p->step;

	s->in = in;
	s->cfg = cfg;
	s->moved = moved;
	s->pending = pending;
	s->read_next = pending->n == pending->asked;
	memset(&s->next, 0, sizeof s->next);
	memset(&s->times, 0, sizeof s->times);
	s->rc = 0;
	worker_give(&p->reader);
}

/* Waits for the reader worker; returns 0 with the batch it read in
 * *next (empty when none), or -1 with err. */
static int
reader_step_wait(struct inbox_pass *p, struct batch *next,
    struct inbox_pass_times *t, struct err *err)
{
	struct reader_step *s = &p->step;

	worker_wait(&p->reader);
	t->fetch += s->times.fetch;
	t->move += s->times.move;
	if (s->rc == -1) {
		*err = s->err;
		batch_clear(&s->next);
		return -1;
	}
	*next = s->next;
	memset(&s->next, 0, sizeof s->next);	/* *next owns it now */
	return 0;
}

/*
 * The log copied into the database beside the rounds, so that a pass
 * does not end with copying all of it: given after each commit, so
 * that no round waits for it, and waited for before the next is given,
 * a round later.
 */
static void
checkpoint_run(void *st)
{
	store_checkpoint_passive(st);
}

static void
checkpoint_give(struct inbox_pass *p)
{
	worker_wait(&p->checkpointer);
	worker_give(&p->checkpointer);
}

/* ---- the pass ---- */

struct inbox_pass *
inbox_pass_new(struct store *st)
{
	struct inbox_pass *p;

	p = xcalloc(1, sizeof *p);
	p->st = st;
	p->step.st = st;
	p->composer = compose_thread_new();
	worker_start(&p->reader, reader_step_run, &p->step);
	worker_start(&p->checkpointer, checkpoint_run, st);
	return p;
}

void
inbox_pass_free(struct inbox_pass *p)
{
	if (p == NULL)
		return;
	worker_stop(&p->reader);
	worker_stop(&p->checkpointer);
	compose_thread_free(p->composer);
	free(p);
}

/* Starts where the last run, of this process or another, left. */
static int
load_mark(struct store *st, struct reader *in, struct reader_mark *kept,
    struct err *err)
{
	if (in->mark_key == NULL)
		return 0;
	if (store_mailbox_get(st, in->mark_key, &kept->uidvalidity,
	    &kept->last_uid, err) == -1)
		return -1;
	in->mark = *kept;
	return 0;
}

int
inbox_pass_run(struct inbox_pass *p, const struct compose_ctx *ctx,
    struct reader *in, int64_t now, FILE *log, struct inbox_pass_report *rep,
    struct err *err)
{
	struct reader_mark kept = { 0, 0 };
	struct batch moved = { 0 }, cur = { 0 }, next;
	struct store *st = p->st;
	int rc = -1, stopped;

	memset(rep, 0, sizeof *rep);
	if (load_mark(st, in, &kept, err) == -1)
		return -1;
	store_bulk(st, 1);
	if (fetch_batch(in, ctx->cfg, NULL, &cur, &rep->times, err) == -1)
		goto out;
	/* Each round handles one batch while the reader worker moves the
	 * one before and reads the one after. */
	while (cur.n > 0) {
		reader_step_give(p, in, ctx->cfg, &moved, &cur);
		handle_batch(st, ctx, p->composer, &cur, now, &rep->times,
		    err);
		checkpoint_give(p);
		report(&cur, log, rep);
		if (reader_step_wait(p, &next, &rep->times, err) == -1)
			goto out;	/* nothing after what failed moves */
		batch_clear(&moved);
		moved = cur;
		cur = next;
		if (save_mark(st, in, &kept, err) == -1)
			goto out;
		if (moved.handled < moved.n)
			break;	/* err says why */
	}
	batch_clear(&cur);	/* read past a failure: the next pass */
	stopped = moved.handled < moved.n;
	if (move_batch(st, in, &moved, &rep->times, stopped ? NULL : err) ==
	    -1 || save_mark(st, in, &kept, stopped ? NULL : err) == -1)
		goto out;
	rc = stopped ? -1 : 0;
out:
	worker_wait(&p->checkpointer);
	store_checkpoint(st);
	store_bulk(st, 0);
	batch_clear(&moved);
	batch_clear(&cur);
	return rc;
}

/* The pass is what reads the inbox, so the reader is chosen here. */
struct reader *
reader_new(const struct config *cfg, struct err *err)
{
	switch (cfg->inbound.scheme) {
	case URL_MAILDIR:
		return maildir_reader_new(cfg->inbound.path, err);
	case URL_IMAP:
	case URL_IMAPS:
		return imap_reader_new(cfg, err);
	default:
		err_set(err, ERR_INPUT, "[inbound] url: not imap://, imaps:// "
		    "or maildir:");
		return NULL;
	}
}
