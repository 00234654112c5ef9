/*
 * compose_thread.h: the messages of a batch's mails, made on a thread of
 * their own while the batch's decisions go on.
 *
 * Rendering a template and writing its MIME message is most of what a
 * decision costs, and it needs neither the database nor the decision's
 * state.  So inside a batch (store_batch_begin) the workflow queues a
 * mail's outbox row at once, with its Message-ID and subject, and hands
 * the rest to this thread; compose_thread_store puts every message in
 * before the batch commits, so a committed mail always has its message.
 */
#ifndef MSCAGENT_COMPOSE_THREAD_H
#define MSCAGENT_COMPOSE_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include "compose.h"

struct compose_thread;

/* Starts the thread; without one, compose_thread_store does all the work. */
struct compose_thread *compose_thread_new(void);
void	 compose_thread_free(struct compose_thread *);

/* Takes job, the message of outbox row id: the composer owns it now. */
void	 compose_thread_add(struct compose_thread *, int64_t id,
	    struct compose_job *);
/* How many jobs were added since the last compose_thread_store: a mark. */
size_t	 compose_thread_count(struct compose_thread *);
/* Drops the jobs added after mark, whose rows a rollback undid; one the
 * thread is making is waited for, so that none is in use on return. */
void	 compose_thread_undo(struct compose_thread *, size_t mark);
/*
 * Composes what the thread has not taken, waits for the rest, and stores
 * each message in the open transaction, in the order added; then starts
 * empty.  Returns 0, or -1 when a message could not be made or stored
 * (err), in which case the transaction must be rolled back.
 */
int	 compose_thread_store(struct compose_thread *, struct store *,
	    struct err *);

/*
 * The one way a mail is composed for its outbox row (in->mail_id): all
 * of it at once, or, inside a batch (ctx->composer), what the row holds
 * (out->message stays NULL) with the message left to the composer.
 * Returns 0 with *out filled (free with composed_clear), or -1.
 */
int	 compose_for_outbox(const struct compose_ctx *,
	    const struct compose_input *, struct composed *out, struct err *);
/* Where the mails composed so far end (0 outside a batch), and undoing
 * those composed after it, when their transaction is rolled back. */
size_t	 compose_mark(const struct compose_ctx *);
void	 compose_undo(const struct compose_ctx *, size_t mark);

#endif
