/* store_bulk.c: one transaction for many changes, and getting the log
 * to disk and into the database while a pass goes on, through the
 * engine (store_impl.h). */
#include "store_bulk.h"
#include "store_impl.h"

static int
batch_begin(struct store *st, int steps, struct err *err)
{
	if (db_exec(st, st->eng->begin, err) == -1)
		return -1;
	st->in_batch = steps;
	st->spoiled = 0;
	return 0;
}

int
store_batch_begin(struct store *st, struct err *err)
{
	return batch_begin(st, BATCH_STEPS, err);
}

int
store_batch_try(struct store *st, struct err *err)
{
	return batch_begin(st, st->eng->total_changes != NULL ? BATCH_TRY :
	    BATCH_STEPS, err);
}

int
store_batch_commit(struct store *st, struct err *err)
{
	struct err ignored;
	int rc;

	store_rollback(st);	/* a step left open is not part of it */
	if (st->spoiled) {
		store_batch_rollback(st);
		return STORE_BATCH_AGAIN;
	}
	st->in_batch = 0;
	if ((rc = db_exec(st, st->eng->commit, err)) == -1) {
		(void)db_exec(st, st->eng->rollback, &ignored);
		pending_lines_drop(st, 0);
	} else
		pending_lines_write(st);
	return rc;
}

void
store_batch_rollback(struct store *st)
{
	struct err ignored;

	store_rollback(st);
	if (st->in_batch)
		(void)db_exec(st, st->eng->rollback, &ignored);
	st->in_batch = 0;
	st->spoiled = 0;
	pending_lines_drop(st, 0);
}

void
store_bulk(struct store *st, int on)
{
	st->eng->bulk(st, on);
}

int
store_sync(struct store *st, struct err *err)
{
	return st->eng->sync(st, err);
}

void
store_checkpoint(struct store *st)
{
	st->eng->checkpoint(st);
}

void
store_checkpoint_passive(struct store *st)
{
	st->eng->checkpoint_passive(st);
}
