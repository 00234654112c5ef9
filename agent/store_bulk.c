/* store_bulk.c: one transaction for many changes, and getting the log
 * to disk and into the database while a pass goes on. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "store_bulk.h"
#include "store_impl.h"

/* In bulk, a batch's changed pages stay in memory until its commit,
 * rather than spilling to the log half-made, and the pages the batches
 * share are read once per pass: this holds a full batch's changes
 * (docs/performance.md).  More only costs page faults to fill. */
#define STORE_BULK_CACHE_KIB	"-16384"

int
store_batch_begin(struct store *st, struct err *err)
{
	if (db_exec(st, "BEGIN IMMEDIATE", err) == -1)
		return -1;
	st->in_batch = 1;
	return 0;
}

int
store_batch_commit(struct store *st, struct err *err)
{
	int rc;

	store_rollback(st);	/* a step left open is not part of it */
	st->in_batch = 0;
	if ((rc = db_exec(st, "COMMIT", err)) == -1) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		pending_lines_drop(st, 0);
	} else
		pending_lines_write(st);
	return rc;
}

void
store_batch_rollback(struct store *st)
{
	store_rollback(st);
	if (st->in_batch)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_batch = 0;
	pending_lines_drop(st, 0);
}

void
store_bulk(struct store *st, int on)
{
	sqlite3_wal_autocheckpoint(st->db, on ? 0 : STORE_AUTOCHECKPOINT);
	/* Lowering the size gives the pages back at once. */
	sqlite3_exec(st->db, on ? "PRAGMA cache_size = " STORE_BULK_CACHE_KIB :
	    "PRAGMA cache_size = " STORE_CACHE_KIB, NULL, NULL, NULL);
}

/* fdatasync of the log itself, which holds every commit: cheaper than
 * a checkpoint, which also copies pages and syncs the database.  Only
 * the path kept at open is used, never the connection. */
int
store_sync(struct store *st, struct err *err)
{
	int fd, rc = 0;

	if (st->log_path == NULL)
		return 0;	/* in memory */
	fd = open(st->log_path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno != ENOENT)
		rc = -1;
	if (fd != -1 && fdatasync(fd) == -1)
		rc = -1;
	if (rc == -1)
		err_set(err, ERR_RUNTIME, "database: cannot sync %s: %s",
		    st->log_path, strerror(errno));
	if (fd != -1)
		close(fd);
	return rc;
}

void
store_checkpoint(struct store *st)
{
	/* Passive: never waits for readers. */
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
}

void
store_checkpoint_passive(struct store *st)
{
	sqlite3 **db = &st->checkpoint_db;

	if (st->path == NULL)
		return;		/* in memory: no log */
	/* A read finds the log: before one, a checkpoint does nothing. */
	if (*db == NULL && (sqlite3_open_v2(st->path, db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(*db, "PRAGMA schema_version", NULL, NULL,
	    NULL) != SQLITE_OK)) {
		sqlite3_close_v2(*db);
		*db = NULL;
		return;
	}
	sqlite3_wal_checkpoint_v2(*db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
	    NULL);
}

