/*
 * inbox_pass.h: the pass over the inbox, and the threads that run it.
 *
 * A pass reads what is new in the inbox by batches, has inbox.h decide
 * each message, commits each batch as one transaction (store_bulk.h),
 * makes the commits durable, and only then marks the batch's messages
 * seen, moves them and keeps the mark.  Nothing after a failure moves:
 * it stays in the inbox, and the next pass handles what was not
 * committed and only moves what was.
 *
 * The thread that calls inbox_pass_run handles the batches.  Beside it,
 * an inbox_pass owns three threads, each started once by inbox_pass_new
 * and joined by inbox_pass_free, and each handed its work under a lock:
 *   - the reader worker, which owns the reader, the batch before and
 *     the one after during a round: it makes the commits durable
 *     (store_sync), moves the batch before, and reads and parses the
 *     batch after while the caller's thread handles the one between;
 *   - the checkpoint worker, which after each commit copies the log
 *     into the database from the store's connection of its own
 *     (store_checkpoint_passive), waited for a round later;
 *   - the composer (compose_thread.h), which makes the messages of the mails
 *     the batch queues.
 * When a thread cannot be started, its work is done by the caller's
 * thread in its turn: the same work, only not overlapped.
 */
#ifndef MSCAGENT_INBOX_PASS_H
#define MSCAGENT_INBOX_PASS_H

#include <stdio.h>

#include "compose.h"
#include "store.h"
#include "transport.h"

/* Messages read and committed at once: the first batch of a pass, which
 * doubles up to the most. */
#define INBOX_PASS_FIRST_BATCH	32
#define INBOX_PASS_BATCH	500

/* Where a pass spent its time, in seconds (MSCAGENT_PROFILE). */
struct inbox_pass_times {
	double	 fetch;		/* reading from the mailbox */
	double	 parse;		/* digest, MIME, seen before? */
	double	 decide;	/* match, read, act, compose, but for: */
	double	 compose;	/* messages not made by the batch's end */
	double	 commit;
	double	 move;		/* sync, flag and move, keep the mark */
};

struct inbox_pass_report {
	size_t			 handled;
	size_t			 duplicates;
	size_t			 acted;		/* a state changed */
	struct inbox_pass_times	 times;
};

struct inbox_pass;

/*
 * Starts the pass's threads for passes over st, which must outlive the
 * returned object (free it before store_close).  Never fails: a thread
 * that cannot be started leaves its work to inbox_pass_run's caller.
 */
struct inbox_pass *inbox_pass_new(struct store *);
/* Stops and joins the threads; NULL is fine. */
void	 inbox_pass_free(struct inbox_pass *);

/*
 * One pass over the inbox in: reads what is new, handles each message (a
 * line to log for each, NULL: none), commits by batches, makes the
 * commits durable, marks the handled messages seen and moves them.
 * Returns 0, or -1 when the mailbox or the database fails (err; what
 * was not committed stays in the inbox for the next pass, which the
 * same object may run).  One pass at a time per object.
 */
int	 inbox_pass_run(struct inbox_pass *, const struct compose_ctx *,
	    struct reader *in, int64_t now, FILE *log,
	    struct inbox_pass_report *, struct err *);

#endif
