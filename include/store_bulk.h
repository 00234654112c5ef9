/*
 * store_bulk.h: the store's machinery for speed, apart from its
 * transactional interface (store.h).
 *
 * The inbox handles a pass of many replies.  One transaction per reply
 * would write the pages the replies share (the indexes, the tenants'
 * rows) to the log once per reply; so a pass runs as batches, each one
 * transaction in which every reply stands or falls whole (a savepoint
 * each, or, tried first, none).  Meanwhile the log is copied into the
 * database beside the pass, from a connection of its own, rather than
 * by SQLite's automatic checkpoints in the middle of a batch; and before
 * the handled mail is moved on the server, what was committed is made
 * durable with one sync of the log.  Nothing here changes what a
 * transaction means: a caller that never uses these gets the same
 * database, only slower.
 */
#ifndef MSCAGENT_STORE_BULK_H
#define MSCAGENT_STORE_BULK_H

#include "store.h"

/*
 * One transaction for many state changes: between these, store_begin,
 * store_commit and store_rollback make, release and undo a savepoint, so
 * each change still stands or falls whole, while the log gets the pages
 * they share once.  store_batch_commit commits every released change
 * (one left open is undone); on failure nothing of the batch is kept.
 */
int	 store_batch_begin(struct store *, struct err *);
/*
 * The same batch tried without the savepoints, which copy every page a
 * change writes (7% of a poll's instructions).  A change undone before
 * it changed a row is undone by doing nothing, as most are (a reply that
 * comes too late is refused before it writes).  One undone after it
 * wrote cannot be undone alone: it spoils the batch, store_begin fails
 * from then on, and store_batch_commit undoes the whole batch and
 * returns STORE_BATCH_AGAIN, for the caller to run it again from
 * store_batch_begin.  With an engine that cannot count changed rows
 * (PostgreSQL), this is store_batch_begin.
 */
int	 store_batch_try(struct store *, struct err *);
#define STORE_BATCH_AGAIN	(-2)
int	 store_batch_commit(struct store *, struct err *);
/* Undoes the whole batch, released changes too. */
void	 store_batch_rollback(struct store *);
/*
 * A commit survives the agent's crash at once, but a power cut only once
 * the log is synced (synchronous = NORMAL, which spares an fsync per
 * commit).  Before acting outside the database on what was committed,
 * such as moving the handled mail on the server, store_sync makes every
 * commit so far durable.  It syncs a file and touches no connection state,
 * so another thread may call it while this one goes on.
 */
int	 store_sync(struct store *, struct err *);
/*
 * Bulk work on (1) or off (0).  On: a page cache of 16 MiB, so that a
 * batch never spills and the pages batches share are read once, and no
 * automatic checkpoints (each a copy of the log into the database and two
 * fsyncs, every thousand pages of log).  A pass of many batches copies
 * the log with passive checkpoints, which never wait for readers: along
 * the way with store_checkpoint_passive and at its end with
 * store_checkpoint, so each page is copied once; off gives the cache
 * back.
 */
void	 store_bulk(struct store *, int on);
void	 store_checkpoint(struct store *);
/*
 * The same from a connection of the store's own, opened on first use:
 * it copies what is committed while this store's connection goes on
 * writing, so another thread may call it, like store_sync (one thread
 * at a time, and not once store_close runs).  Best effort: it never
 * waits, and a failure only leaves the copying to the next checkpoint.
 */
void	 store_checkpoint_passive(struct store *);

#endif
