/* store.c: the store's common part: opening a database with its
 * engine (store_impl.h), transactions, the statement cache and the
 * metrics' counts.  The queries live in store_<subject>.c, each engine
 * in store_<engine>.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_impl.h"

int
db_fail(struct store *st, struct err *err, const char *what)
{
	err_set(err, ERR_RUNTIME, "database: %s: %s", what,
	    st->eng->errmsg(st));
	return -1;
}

int
db_exec(struct store *st, const char *sql, struct err *err)
{
	return st->eng->exec(st, sql, err);
}

int
db_unique_violation(struct store *st)
{
	return st->eng->unique_violation(st);
}

int64_t
db_changes(struct store *st)
{
	return st->eng->changes(st);
}

/* ---- statements, through their engine ---- */

int
db_param_count(struct db_stmt *s)
{
	return s->st->eng->param_count(s);
}

void
db_bind_int64(struct db_stmt *s, int i, int64_t v)
{
	s->st->eng->bind_int64(s, i, v);
}

void
db_bind_text(struct db_stmt *s, int i, const char *text)
{
	if (text == NULL)
		s->st->eng->bind_null(s, i);
	else
		s->st->eng->bind_text(s, i, text, 1);
}

void
db_bind_static(struct db_stmt *s, int i, const char *text)
{
	s->st->eng->bind_text(s, i, text, 0);
}

void
db_bind_blob(struct db_stmt *s, int i, const void *p, size_t len)
{
	s->st->eng->bind_blob(s, i, p, len);
}

void
db_bind_null(struct db_stmt *s, int i)
{
	s->st->eng->bind_null(s, i);
}

int
db_step(struct db_stmt *s)
{
	return s->st->eng->step(s);
}

void
db_reset(struct db_stmt *s)
{
	s->st->eng->reset(s);
}

int64_t
db_column_int64(struct db_stmt *s, int i)
{
	return s->st->eng->column_int64(s, i);
}

int
db_column_int(struct db_stmt *s, int i)
{
	return (int)s->st->eng->column_int64(s, i);
}

const char *
db_column_text(struct db_stmt *s, int i)
{
	return s->st->eng->column_text(s, i);
}

const void *
db_column_blob(struct db_stmt *s, int i, size_t *len)
{
	return s->st->eng->column_blob(s, i, len);
}

int
prepare(struct store *st, const char *sql, struct db_stmt **stmt,
    struct err *err)
{
	struct cached_stmt *c, *free_slot = NULL;
	size_t i;

	for (i = 0; i < STORE_STMT_CACHE; i++) {
		c = &st->cache[i];
		if (c->sql == sql && !c->busy) {
			c->busy = 1;
			*stmt = c->stmt;
			return 0;
		}
		if (c->sql == NULL && free_slot == NULL)
			free_slot = c;
	}
	if (st->eng->prepare(st, sql, stmt, err) == -1) {
		*stmt = NULL;
		return -1;
	}
	if (free_slot != NULL) {
		free_slot->sql = sql;
		free_slot->stmt = *stmt;
		free_slot->busy = 1;
	}
	return 0;
}

/* Done with a statement: a kept one is reset for next time. */
void
release(struct store *st, struct db_stmt *stmt)
{
	size_t i;

	if (stmt == NULL)
		return;
	for (i = 0; i < STORE_STMT_CACHE; i++)
		if (st->cache[i].stmt == stmt && st->cache[i].busy) {
			st->eng->reset(stmt);
			st->eng->clear_bindings(stmt);
			st->cache[i].busy = 0;
			return;
		}
	st->eng->finalize(stmt);
}

void
bind_text_or_null(struct db_stmt *stmt, int i, const char *s)
{
	db_bind_text(stmt, i, s);
}

/* A row id, or SQL NULL for 0 (no plan, no tenant). */
void
bind_id_or_null(struct db_stmt *stmt, int i, int64_t id)
{
	if (id > 0)
		db_bind_int64(stmt, i, id);
	else
		db_bind_null(stmt, i);
}

/* A copy of a text column, or NULL for SQL NULL. */
char *
column_strdup(struct db_stmt *stmt, int i)
{
	const char *s;

	s = db_column_text(stmt, i);
	return s == NULL ? NULL : xstrdup(s);
}

/* Runs a statement that returns no rows. */
int
step_done(struct store *st, struct db_stmt *stmt, struct err *err)
{
	if (db_step(stmt) != DB_DONE)
		return db_fail(st, err, "step");
	return 0;
}

/* Runs a statement for its one row, an integer; store_impl.h. */
int
step_int64(struct store *st, struct db_stmt *stmt, const char *what,
    int64_t *v, int *found, struct err *err)
{
	int step;

	step = db_step(stmt);
	if (found != NULL)
		*found = step == DB_ROW;
	if (step == DB_ROW)
		*v = db_column_int64(stmt, 0);
	else if (step != DB_DONE || found == NULL)
		return db_fail(st, err, what);
	return 0;
}

/* ---- lists of rows ---- */

#define ROWS_FIRST	8	/* elements; the list doubles from there */

int
collect_rows(struct store *st, struct db_stmt *stmt, const struct row_kind *kind,
    const char *what, void **list, size_t *n, struct err *err)
{
	char *rows = NULL;
	size_t count = 0, cap = 0;
	int step;

	*list = NULL;
	*n = 0;
	while ((step = db_step(stmt)) == DB_ROW) {
		if (count == cap) {
			cap = cap == 0 ? ROWS_FIRST : cap * 2;
			rows = xrealloc(rows, cap * kind->size);
		}
		memset(rows + count * kind->size, 0, kind->size);
		/* Counted before it is filled: a half-made one is cleared. */
		if (kind->fill(stmt, rows + count++ * kind->size, err) == -1)
			goto fail;
	}
	if (step != DB_DONE) {
		db_fail(st, err, what);
		goto fail;
	}
	*list = rows;
	*n = count;
	return 0;
fail:
	free_rows(kind, rows, count);
	return -1;
}

void
free_rows(const struct row_kind *kind, void *list, size_t n)
{
	char *rows = list;
	size_t i;

	for (i = 0; kind->clear != NULL && i < n; i++)
		kind->clear(rows + i * kind->size);
	free(list);
}

int
step_row(struct store *st, struct db_stmt *stmt, const struct row_kind *kind,
    const char *what, void *elem, int *found, struct err *err)
{
	int step;

	*found = 0;
	memset(elem, 0, kind->size);
	step = db_step(stmt);
	if (step == DB_DONE)
		return 0;
	if (step != DB_ROW)
		return db_fail(st, err, what);
	if (kind->fill(stmt, elem, err) == -1) {
		if (kind->clear != NULL)
			kind->clear(elem);
		return -1;
	}
	*found = 1;
	return 0;
}

int
collect_page(struct store *st, struct db_stmt *count, struct db_stmt *rows,
    const struct row_kind *kind, const char *noun, size_t offset,
    size_t limit, void **list, size_t *n, int64_t *total, struct err *err)
{
	char what[STORE_WHAT_MAX];

	*list = NULL;
	*n = 0;
	*total = 0;
	if (offset > INT64_MAX)
		offset = INT64_MAX;
	db_bind_int64(rows, PAGE_LIMIT_PARAM,
	    (int64_t)(limit < STORE_PAGE_MAX ? limit : STORE_PAGE_MAX));
	db_bind_int64(rows, PAGE_OFFSET_PARAM, (int64_t)offset);
	snprintf(what, sizeof what, "counting %s", noun);
	if (step_int64(st, count, what, total, NULL, err) == -1)
		return -1;
	snprintf(what, sizeof what, "listing %s", noun);
	return collect_rows(st, rows, kind, what, list, n, err);
}

static int
int64_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	(void)err;
	*(int64_t *)elem = db_column_int64(stmt, 0);
	return 0;
}

const struct row_kind int64_rows = { sizeof(int64_t), int64_fill, NULL };

/* ---- opening ---- */

/* 1 when the database target is a libpq URI rather than a path. */
int
store_target_is_uri(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 ||
	    strncmp(target, "postgres://", 11) == 0;
}

/* The engine a database target names: a libpq URI, or an SQLite
 * path. */
static const struct store_engine *
engine_for(const char *target)
{
	return store_target_is_uri(target) ? &store_pg : &store_sqlite;
}

const char *
store_engine_name(const struct store *st)
{
	return st->eng->name;
}

int
store_schema_found(const struct store *st)
{
	return st->schema_found;
}

int
store_open(const char *target, struct store **out, struct err *err)
{
	struct store *st;

	*out = NULL;
	st = xcalloc(1, sizeof *st);
	st->eng = engine_for(target);
	if (st->eng->open(st, target, err) == -1) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_rollback(st);
	pending_lines_drop(st, 0);
	st->closing = 1;
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		if (st->cache[i].stmt != NULL)
			st->eng->finalize(st->cache[i].stmt);
	st->eng->close(st);
	free(st);
}

/*
 * A step of a batch that is tried (store_bulk.h) has no savepoint: it
 * can be undone only when it changed no row.  Anything else spoils the
 * batch, and every step after fails, so that nothing more is done in it.
 */
static int
spoil(struct store *st, struct err *err)
{
	st->spoiled = 1;
	if (err != NULL)
		err_set(err, ERR_RUNTIME, "database: a change failed after it "
		    "wrote: its batch is run again");
	return -1;
}

int
store_begin(struct store *st, struct err *err)
{
	if (st->in_batch == BATCH_TRY) {
		if (st->spoiled ||
		    (st->step_changes = st->eng->total_changes(st)) == -1)
			return spoil(st, err);
	} else if (db_exec(st, st->in_batch ? "SAVEPOINT step" :
	    st->eng->begin, err) == -1)
		return -1;
	st->in_tx = 1;
	st->pending.step = st->pending.lines.n;
	return 0;
}

int
store_begin_read(struct store *st, struct err *err)
{
	if (db_exec(st, st->eng->begin_read, err) == -1)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st, struct err *err)
{
	int rc;

	if (st->in_batch == BATCH_TRY)
		/* The step stands while the batch's transaction does. */
		rc = st->eng->total_changes(st) == -1 ? spoil(st, err) : 0;
	else
		rc = db_exec(st, st->in_batch ? "RELEASE step" :
		    st->eng->commit, err);
	if (rc == -1) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	/* A released step is kept until its batch commits. */
	if (!st->in_batch)
		pending_lines_write(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	struct err ignored;

	if (st->in_tx) {
		if (st->in_batch == BATCH_TRY) {
			if (st->eng->total_changes(st) != st->step_changes)
				(void)spoil(st, NULL);
		} else if (st->in_batch)
			(void)db_exec(st, "ROLLBACK TO step; RELEASE step",
			    &ignored);
		else
			(void)db_exec(st, st->eng->rollback, &ignored);
		/* Inside a batch, only the open step's lines go. */
		pending_lines_drop(st, st->in_batch ? st->pending.step : 0);
	}
	st->in_tx = 0;
}

void
store_log_at_commit(struct store *st, const char *component,
    const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	strvec_push(&st->pending.components, component);
	strvec_push(&st->pending.lines, line);
	free(line);
	if (!st->in_tx && !st->in_batch)
		pending_lines_write(st);
}

void
pending_lines_write(struct store *st)
{
	struct pending_lines *pl = &st->pending;
	size_t i;

	for (i = 0; i < pl->lines.n; i++)
		log_info(pl->components.v[i], "%s", pl->lines.v[i]);
	pending_lines_drop(st, 0);
}

void
pending_lines_drop(struct store *st, size_t keep)
{
	struct pending_lines *pl = &st->pending;

	if (keep == 0) {
		strvec_clear(&pl->components);
		strvec_clear(&pl->lines);
	}
	while (pl->lines.n > keep) {
		pl->lines.n--;
		pl->components.n--;
		free(pl->lines.v[pl->lines.n]);
		free(pl->components.v[pl->components.n]);
	}
	pl->step = keep < pl->step ? keep : pl->step;
}

int64_t
store_data_version(struct store *st)
{
	return st->eng->data_version(st);
}

int64_t
store_commit_version(struct store *st)
{
	return st->eng->commit_version ? st->eng->commit_version(st) : -1;
}

int64_t
store_holder(struct store *st)
{
	return st->eng->holder(st);
}

int
store_holder_alive(struct store *st, int64_t holder)
{
	return st->eng->holder_alive(st, holder);
}

int
store_lock(struct store *st, const char *name, int *held, struct err *err)
{
	return st->eng->lock(st, name, held, err);
}

void
store_unlock(struct store *st, const char *name)
{
	st->eng->unlock(st, name);
}

void
store_server_version(struct store *st, char *buf, size_t len)
{
	st->eng->server_version(st, buf, len);
}

int
store_ping(struct store *st)
{
	return st->eng->ping(st);
}

/* ---- metrics ---- */

static int
count_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct store_count *c = elem;

	(void)err;
	c->key = column_strdup(stmt, 0);
	c->n = db_column_int64(stmt, 1);
	return 0;
}

static void
count_unfill(void *elem)
{
	free(((struct store_count *)elem)->key);
}

static const struct row_kind count_rows = {
	sizeof(struct store_count), count_fill, count_unfill
};

int
store_tally(struct store *st, enum store_tally what,
    struct store_count **counts, size_t *n, struct err *err)
{
	static const char *const queries[] = {
		[TALLY_TENANT_STATE] = "SELECT state, count(*) FROM tenants "
		    "GROUP BY state ORDER BY state",
		[TALLY_MAIL_STATUS] = "SELECT status, count(*) FROM outbox "
		    "GROUP BY status ORDER BY status",
		[TALLY_REPLY_OUTCOME] = "SELECT outcome, count(*) FROM inbound "
		    "GROUP BY outcome ORDER BY outcome",
	};
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, queries[what], &stmt, err) == -1)
		goto out;
	rc = collect_rows(st, stmt, &count_rows, "counting", &list, n, err);
out:
	release(st, stmt);
	*counts = list;
	return rc;
}

void
store_counts_free(struct store_count *counts, size_t n)
{
	free_rows(&count_rows, counts, n);
}


void
store_init(void)
{
	store_sqlite_init();
}
