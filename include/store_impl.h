/*
 * store_impl.h: what the store's own files share, and nobody else sees.
 *
 * The store is one module in several files, one per subject: store.c
 * (opening, transactions, the statement cache, the metrics),
 * store_bulk.c (one transaction for many changes, syncs and
 * checkpoints), store_tenant.c (plans, tenants and their licences),
 * store_history.c (history, verification tokens, timers),
 * store_outbox.c (the outbox queue and its claims), store_inbound.c
 * (messages read, mailbox positions, the mail accounts' sign-in) and
 * store_user.c (console accounts, sessions, the audit).  Everyone else
 * goes through store.h and store_bulk.h.
 *
 * Beneath them is the seam between the store and its database engine:
 * a struct store_engine, a table of what an engine does (connecting,
 * its schema, statements, transactions), with one implementation per
 * engine in a file of its own: store_sqlite.c (the only file that
 * includes <sqlite3.h>) and store_pg.c (the only one that includes
 * <libpq-fe.h>).  The queries are written once, in the SQL both
 * engines share, with numbered parameters (?1, ?2, ...); what they do
 * differently sits in the engine's files: the schema, the few queries
 * that need another wording (struct store_sql), locks and notices.
 *
 * A query prepares its statement with prepare (kept for the
 * connection's life, so a statement is prepared once), binds, steps and
 * hands it back with release in the same function.
 */
#ifndef MSCAGENT_STORE_IMPL_H
#define MSCAGENT_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

/*
 * Prepared statements are kept for the connection's life: preparing one
 * costs more than running it (docs/performance.md has the share of a
 * reply's work).  A statement is known by the address of its SQL text,
 * which is always a literal.
 */
#define STORE_STMT_CACHE	64

/* What db_step says. */
#define DB_ROW		1
#define DB_DONE		0
#define DB_ERROR	(-1)

/*
 * A prepared statement.  Each engine's own statement begins with this,
 * so that the db_* calls below find their engine through it.
 */
struct db_stmt {
	struct store	*st;
};

/* The queries that the engines word differently; each a literal. */
struct store_sql {
	const char	*outbox_next_id;	/* one row: the next id */
	/* store_outbox_claim's choice, ?1 now, ?2 after_id, OUTBOX_COLUMNS
	 * and the message: due ones, and all queued ones.  Unused when the
	 * engine takes (below). */
	const char	*outbox_claim_due;
	const char	*outbox_claim_all;
	/* Or, when the engine can, both at once, in one statement that
	 * claims and returns the rows: ?1 now, ?2 after_id, ?3 until
	 * when, ?4 the holder, ?5 how many at most; NULL when it cannot. */
	const char	*outbox_take_due;
	const char	*outbox_take_all;
	/* After rows were copied in with their ids (store_copy.c), so that
	 * the next ids come after them; NULL when the engine needs none. */
	const char	*after_copy;
};

/*
 * An engine.  Statements: bind indexes start at 1, column indexes at 0;
 * a bind past the statement's parameters is ignored; text and column
 * pointers last until the next step, reset or finalize.  A statement
 * whose parameters are not all bound binds SQL NULL for the rest.
 */
struct store_engine {
	const char	*name;		/* "sqlite", "postgresql" */
	/* Connects st to target and brings the schema up to date. */
	int		(*open)(struct store *, const char *target,
			    struct err *);
	/* Disconnects; statements are finalized already. */
	void		(*close)(struct store *);
	/* Runs SQL that needs no parameters and returns no rows. */
	int		(*exec)(struct store *, const char *sql, struct err *);
	/* The engine's message for the last failure. */
	const char	*(*errmsg)(struct store *);
	/* 1 when the last failure broke a UNIQUE constraint. */
	int		(*unique_violation)(struct store *);
	/* Rows the last INSERT, UPDATE or DELETE changed. */
	int64_t		(*changes)(struct store *);
	/* Rows changed since connecting, by statements that completed, or
	 * -1 when no transaction is open (the engine ended it on a
	 * failure); NULL when the engine cannot tell, which makes
	 * store_batch_try a store_batch_begin. */
	int64_t		(*total_changes)(struct store *);
	int		(*prepare)(struct store *, const char *sql,
			    struct db_stmt **, struct err *);
	/* Ready to step again from the start; bindings are kept. */
	void		(*reset)(struct db_stmt *);
	void		(*clear_bindings)(struct db_stmt *);
	void		(*finalize)(struct db_stmt *);
	int		(*param_count)(struct db_stmt *);
	void		(*bind_int64)(struct db_stmt *, int, int64_t);
	/* copy: 0 when s outlives the statement's next step. */
	void		(*bind_text)(struct db_stmt *, int, const char *s,
			    int copy);
	/* p must outlive the statement's next step. */
	void		(*bind_blob)(struct db_stmt *, int, const void *p,
			    size_t len);
	void		(*bind_null)(struct db_stmt *, int);
	/* DB_ROW, DB_DONE or DB_ERROR. */
	int		(*step)(struct db_stmt *);
	int64_t		(*column_int64)(struct db_stmt *, int);
	/* NULL for SQL NULL. */
	const char	*(*column_text)(struct db_stmt *, int);
	const void	*(*column_blob)(struct db_stmt *, int, size_t *len);
	/* What transactions are made of. */
	const char	*begin;		/* a write transaction */
	const char	*begin_read;	/* one snapshot for several reads */
	const char	*commit;
	const char	*rollback;
	/* store.h's store_data_version, store_commit_version (NULL:
	 * the engine cannot tell), store_ping and store_bulk.h. */
	int64_t		(*data_version)(struct store *);
	int64_t		(*commit_version)(struct store *);
	int		(*ping)(struct store *);
	int		(*sync)(struct store *, struct err *);
	void		(*bulk)(struct store *, int on);
	void		(*checkpoint)(struct store *);
	void		(*checkpoint_passive)(struct store *);
	/* store.h's holders and locks. */
	int64_t		(*holder)(struct store *);
	int		(*holder_alive)(struct store *, int64_t);
	int		(*lock)(struct store *, const char *, int *held,
			    struct err *);
	void		(*unlock)(struct store *, const char *);
	/* The library's or the server's version, for `check`. */
	void		(*server_version)(struct store *, char *buf,
			    size_t len);
	const struct store_sql	*sql;
};

extern const struct store_engine store_sqlite;
extern const struct store_engine store_pg;
/* SQLite's process-wide settings, for store_init. */
void	 store_sqlite_init(void);

struct cached_stmt {
	const char	*sql;
	struct db_stmt	*stmt;
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

/*
 * A batch's steps (store_bulk.h): each a savepoint, or, tried first,
 * nothing but a count of the rows changed when it began.
 */
#define BATCH_STEPS	1
#define BATCH_TRY	2

struct store {
	const struct store_engine *eng;
	void			*conn;		/* the engine's own */
	int			 in_tx;
	int			 in_batch;	/* BATCH_STEPS or BATCH_TRY */
	int			 spoiled;	/* BATCH_TRY: to be run again */
	int64_t			 step_changes;	/* BATCH_TRY: when the step began */
	int			 closing;	/* in store_close */
	int			 schema_found;	/* the version open found */
	struct pending_lines	 pending;	/* log lines until commit */
	struct cached_stmt	 cache[STORE_STMT_CACHE];
};

/* Writes the lines held for the commit that just succeeded, then
 * forgets them. */
void	 pending_lines_write(struct store *);
/* Forgets the held lines past the first keep (0: all of them). */
void	 pending_lines_drop(struct store *, size_t keep);

/* Sets err to ERR_RUNTIME with what and the engine's message; returns
 * -1. */
int	 db_fail(struct store *, struct err *, const char *what);
/* Runs SQL that needs no parameters (pragmas, BEGIN, ...). */
int	 db_exec(struct store *, const char *sql, struct err *);
/* 1 when the last failure broke a UNIQUE constraint. */
int	 db_unique_violation(struct store *);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t	 db_changes(struct store *);

/* The engine's statement calls (struct store_engine says what they
 * mean).  db_bind_text copies s; db_bind_static does not, for text
 * that outlives the step (names from a table). */
int	 db_param_count(struct db_stmt *);
void	 db_bind_int64(struct db_stmt *, int i, int64_t v);
void	 db_bind_text(struct db_stmt *, int i, const char *text);
void	 db_bind_static(struct db_stmt *, int i, const char *text);
void	 db_bind_blob(struct db_stmt *, int i, const void *p, size_t len);
void	 db_bind_null(struct db_stmt *, int i);
int	 db_step(struct db_stmt *);
void	 db_reset(struct db_stmt *);
int64_t	 db_column_int64(struct db_stmt *, int i);
int	 db_column_int(struct db_stmt *, int i);
const char *db_column_text(struct db_stmt *, int i);
const void *db_column_blob(struct db_stmt *, int i, size_t *len);

/* A kept statement for sql (a literal), or a new one when all 64 slots
 * are taken; hand it back with release. */
int	 prepare(struct store *, const char *sql, struct db_stmt **,
	    struct err *);
/* Done with a statement: a kept one is reset for next time; NULL-safe. */
void	 release(struct store *, struct db_stmt *);
/* Runs a statement that returns no rows. */
int	 step_done(struct store *, struct db_stmt *, struct err *);
/*
 * Runs a statement for its one row and puts its first column, an
 * integer, in *v.  With found, no row is not an error: *found says
 * whether there was one, and *v is left as it was when not.  Without
 * found, a missing row fails like a database error; what names the
 * query in err.
 */
int	 step_int64(struct store *, struct db_stmt *, const char *what,
	    int64_t *v, int *found, struct err *);
/* A copy of a text column, or NULL for SQL NULL; caller frees. */
char	*column_strdup(struct db_stmt *, int i);
void	 bind_text_or_null(struct db_stmt *, int i, const char *);
/* A row id, or SQL NULL for 0 (no plan, no tenant). */
void	 bind_id_or_null(struct db_stmt *, int i, int64_t id);

/*
 * What a list of rows is made of: elements of size bytes, each filled
 * from one row by fill (-1 with err set for a damaged row) and undone by
 * clear (NULL: nothing to free), which must also take an element fill
 * left half made or never touched (all zeros).
 */
struct row_kind {
	size_t	  size;
	int	(*fill)(struct db_stmt *, void *elem, struct err *);
	void	(*clear)(void *elem);
};

/*
 * Steps the bound statement to its end and fills *list with one element
 * per row, in the query's order (NULL when none; caller clears each
 * element, then frees the list).  On failure nothing is kept: *list is
 * NULL, *n 0, and err says why (what names the query).  The caller
 * still releases the statement.
 */
int	 collect_rows(struct store *, struct db_stmt *,
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
int	 step_row(struct store *, struct db_stmt *, const struct row_kind *,
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
int	 collect_page(struct store *, struct db_stmt *count, struct db_stmt *rows,
	    const struct row_kind *, const char *noun, size_t offset,
	    size_t limit, void **list, size_t *n, int64_t *total,
	    struct err *);

#endif
