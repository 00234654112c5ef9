/*
 * store_impl.h: what the store's own files share, and nobody else sees.
 *
 * The store is one module in several files, one per subject: store.c
 * (opening, the schema, transactions, the statement cache, the metrics),
 * store_bulk.c (one transaction for many changes, syncs and
 * checkpoints), store_tenant.c (plans, tenants and their licences),
 * store_history.c (history, verification tokens, timers),
 * store_outbox.c (the outbox queue and its claims), store_inbound.c
 * (messages read, mailbox positions, the mail accounts' sign-in) and
 * store_user.c (console accounts, sessions, the audit).  Only
 * these include <sqlite3.h>; everyone else goes through store.h and
 * store_bulk.h.
 *
 * A query prepares its statement with prepare (kept for the
 * connection's life, so a statement is prepared once), binds, steps and
 * hands it back with release in the same function.
 */
#ifndef MSCAGENT_STORE_IMPL_H
#define MSCAGENT_STORE_IMPL_H

#include <stddef.h>

#include <sqlite3.h>

#include "store.h"

/*
 * Prepared statements are kept for the connection's life: preparing one
 * costs more than running it (docs/performance.md has the share of a
 * reply's work).  A statement is known by the address of its SQL text,
 * which is always a literal.
 */
#define STORE_STMT_CACHE	64
#define STORE_AUTOCHECKPOINT	1000	/* pages; SQLite's default */
#define STORE_CACHE_KIB		"-1024"	/* negative: KiB, not pages */

struct cached_stmt {
	const char	*sql;
	sqlite3_stmt	*stmt;
	int		 busy;	/* handed out, not yet released */
};

/*
 * The log lines a transaction wrote with store_log_at_commit, held until
 * it commits: components[i] names the part of the agent lines[i] is
 * from.  Inside a batch, the lines of the steps released so far come
 * before step, those of the step still open after it.
 */
struct pending_lines {
	struct strvec	 components;
	struct strvec	 lines;
	size_t		 step;
};

struct store {
	sqlite3			*db;
	int			 in_tx;
	int			 in_batch;	/* store_begin makes savepoints */
	struct pending_lines	 pending;	/* log lines until commit */
	char			*log_path;	/* the WAL file; NULL: in memory */
	char			*path;		/* the database file, or NULL */
	sqlite3			*checkpoint_db;	/* store_checkpoint_passive's */
	struct cached_stmt	 cache[STORE_STMT_CACHE];
};

/* Writes the lines held for the commit that just succeeded, then
 * forgets them. */
void	 pending_lines_write(struct store *);
/* Forgets the held lines past the first keep (0: all of them). */
void	 pending_lines_drop(struct store *, size_t keep);

/* Sets err to ERR_RUNTIME with what and SQLite's message; returns -1. */
int	 db_fail(struct store *, struct err *, const char *what);
/* Runs SQL that needs no parameters (pragmas, BEGIN, ...). */
int	 db_exec(struct store *, const char *sql, struct err *);
/* A kept statement for sql (a literal), or a new one when all 64 slots
 * are taken; hand it back with release. */
int	 prepare(struct store *, const char *sql, sqlite3_stmt **,
	    struct err *);
/* Done with a statement: a kept one is reset for next time; NULL-safe. */
void	 release(struct store *, sqlite3_stmt *);
/* Runs a statement that returns no rows. */
int	 step_done(struct store *, sqlite3_stmt *, struct err *);
/*
 * Runs a statement for its one row and puts its first column, an
 * integer, in *v.  With found, no row is not an error: *found says
 * whether there was one, and *v is left as it was when not.  Without
 * found, a missing row fails like a database error; what names the
 * query in err.
 */
int	 step_int64(struct store *, sqlite3_stmt *, const char *what,
	    int64_t *v, int *found, struct err *);
/* A copy of a text column, or NULL for SQL NULL; caller frees. */
char	*column_strdup(sqlite3_stmt *, int i);
void	 bind_text_or_null(sqlite3_stmt *, int i, const char *);
/* A row id, or SQL NULL for 0 (no plan, no tenant). */
void	 bind_id_or_null(sqlite3_stmt *, int i, int64_t id);

/*
 * What a list of rows is made of: elements of size bytes, each filled
 * from one row by fill (-1 with err set for a damaged row) and undone by
 * clear (NULL: nothing to free), which must also take an element fill
 * left half made or never touched (all zeros).
 */
struct row_kind {
	size_t	  size;
	int	(*fill)(sqlite3_stmt *, void *elem, struct err *);
	void	(*clear)(void *elem);
};

/*
 * Steps the bound statement to its end and fills *list with one element
 * per row, in the query's order (NULL when none; caller clears each
 * element, then frees the list).  On failure nothing is kept: *list is
 * NULL, *n 0, and err says why (what names the query).  The caller
 * still releases the statement.
 */
int	 collect_rows(struct store *, sqlite3_stmt *,
	    const struct row_kind *, const char *what, void **list,
	    size_t *n, struct err *);
/* Rows whose first column is an integer (ids, holders): int64_t each. */
extern const struct row_kind int64_rows;
/* Clears each of the n elements of a list of kind, then frees it;
 * NULL-safe.  What every store_*_free of a list does. */
void	 free_rows(const struct row_kind *, void *list, size_t n);

/*
 * Runs a statement for at most one row and fills elem (size bytes of
 * kind, zeroed first) from it: *found says whether there was one.  A
 * damaged row fails with elem cleared; the caller says what a missing
 * row means and still releases the statement.
 */
int	 step_row(struct store *, sqlite3_stmt *, const struct row_kind *,
	    const char *what, void *elem, int *found, struct err *);

/*
 * The console's pages (store.h, STORE_PAGE_MAX): count, bound, says how
 * many rows match in all (*total); rows, bound but for its LIMIT ?4 and
 * OFFSET ?5, then gives at most STORE_PAGE_MAX of them from offset, as
 * collect_rows does.  noun names the rows in err ("counting tenants",
 * "listing tenants").  The caller releases both statements.
 */
#define PAGE_LIMIT_PARAM	4
#define PAGE_OFFSET_PARAM	5
#define STORE_WHAT_MAX		64	/* bytes of what a query is, in err */
int	 collect_page(struct store *, sqlite3_stmt *count, sqlite3_stmt *rows,
	    const struct row_kind *, const char *noun, size_t offset,
	    size_t limit, void **list, size_t *n, int64_t *total,
	    struct err *);

#endif
