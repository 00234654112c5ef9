/* store_outbox.c: the outbox: queueing mails, claiming them for
 * delivery, recording how it went, and finding and counting them. */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

#include "store_outbox_sql.h"

/* Prepares sql and binds the statuses it names. */
static int
prepare_outbox(struct store *st, const char *sql, struct db_stmt **stmt,
    struct err *err)
{
	static const struct {
		int			at;
		enum mail_status	status;
	} params[] = {
		{ 7, MAIL_STATUS_QUEUED },
		{ 8, MAIL_STATUS_SENT },
		{ 9, MAIL_STATUS_FAILED },
	};
	int count;
	size_t i;

	if (prepare(st, sql, stmt, err) == -1)
		return -1;
	count = db_param_count(*stmt);
	for (i = 0; i < sizeof params / sizeof params[0]; i++)
		if (params[i].at <= count)
			db_bind_static(*stmt, params[i].at,
			    outcome_mail_name(params[i].status));
	return 0;
}

/* ---- outbox ---- */

int
store_outbox_next_id(struct store *st, int64_t *id, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc;

	if (prepare(st, st->eng->sql->outbox_next_id, &stmt, err) == -1)
		return -1;
	rc = step_int64(st, stmt, "reading the outbox", id, NULL, err);
	release(st, stmt);
	return rc;
}

int
store_outbox_queue(struct store *st, const struct outbox_new *o,
    struct err *err)
{
	struct db_stmt *row = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO outbox (id, tenant_id, kind, recipient, "
	    "generation, created_at, next_attempt_at, message_id, subject) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)", &row, err) == -1)
		goto out;
	db_bind_int64(row, 1, o->id);
	if (o->tenant_id != 0)
		db_bind_int64(row, 2, o->tenant_id);
	else
		db_bind_null(row, 2);	/* about no tenant */
	db_bind_static(row, 3, fsm_mail_kind_name(o->kind));
	db_bind_text(row, 4, o->recipient);
	db_bind_int64(row, 5, o->generation);
	db_bind_int64(row, 6, o->now);
	db_bind_text(row, 7, o->message_id);
	db_bind_text(row, 8, o->subject);
	if (step_done(st, row, err) == -1 || (o->message != NULL &&
	    store_outbox_message(st, o->id, o->message, o->message_len,
	    err) == -1))
		goto out;
	rc = 0;
out:
	release(st, row);
	return rc;
}

int
store_outbox_message(struct store *st, int64_t id, const char *message,
    size_t len, struct err *err)
{
	struct db_stmt *body = NULL;
	int rc;

	if (prepare(st, "INSERT INTO outbox_messages (outbox_id, message) "
	    "VALUES (?1, ?2)", &body, err) == -1)
		return -1;
	db_bind_int64(body, 1, id);
	db_bind_blob(body, 2, message, len);
	rc = step_done(st, body, err);
	release(st, body);
	return rc;
}


/* Reads the columns of OUTBOX_COLUMNS, in that order. */
static int
outbox_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct outbox_entry *o = elem;

	(void)err;
	o->id = db_column_int64(stmt, 0);
	o->tenant_id = db_column_int64(stmt, 1);
	o->kind = fsm_mail_kind_from_name(
	    db_column_text(stmt, 2));
	o->recipient = column_strdup(stmt, 3);
	/* The schema's CHECK admits only the names outcome.c knows. */
	o->status = outcome_mail_from_name(
	    db_column_text(stmt, 4));
	o->message_id = column_strdup(stmt, 5);
	o->attempts = db_column_int(stmt, 6);
	o->last_error = column_strdup(stmt, 7);
	o->created_at = db_column_int64(stmt, 8);
	o->generation = db_column_int64(stmt, 9);
	o->subject = column_strdup(stmt, 10);
	o->next_attempt_at = db_column_int64(stmt, 11);
	o->sent_at = db_column_int64(stmt, 12);
	return 0;
}

/* The same and the message, the column after them. */
static int
outbox_fill_message(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct outbox_entry *o = elem;
	const void *blob;

	outbox_fill(stmt, o, err);
	blob = db_column_blob(stmt, 13, &o->message_len);
	if (blob != NULL)
		o->message = xstrndup(blob, o->message_len);
	return 0;
}

static void
outbox_unfill(void *elem)
{
	store_outbox_entry_clear(elem);
}

static const struct row_kind outbox_rows = {
	sizeof(struct outbox_entry), outbox_fill, outbox_unfill
};
static const struct row_kind outbox_rows_with_message = {
	sizeof(struct outbox_entry), outbox_fill_message, outbox_unfill
};

/* Runs a query of OUTBOX_COLUMNS rows (and the message when
 * with_message) with two integer parameters, ?1 and ?2. */
static int
outbox_query(struct store *st, const char *sql, int64_t param,
    int64_t param2, int with_message, struct outbox_entry **entries,
    size_t *n, struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare_outbox(st, sql, &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, param);
	db_bind_int64(stmt, 2, param2);	/* ignored when unused */
	rc = collect_rows(st, stmt, with_message ? &outbox_rows_with_message :
	    &outbox_rows, "reading the outbox", &list, n, err);
out:
	release(st, stmt);
	*entries = list;
	return rc;
}

int
store_outbox_list(struct store *st, int64_t tenant_id,
    struct outbox_entry **entries, size_t *n, struct err *err)
{
	return outbox_query(st, "SELECT " OUTBOX_COLUMNS " FROM outbox "
	    "WHERE tenant_id = ?1 ORDER BY id", tenant_id, 0, 0, entries, n, err);
}

static int
outbox_one(struct store *st, int64_t id, int with_message,
    struct outbox_entry *o, struct err *err)
{
	struct outbox_entry *list;
	size_t n;

	if (outbox_query(st, with_message ? "SELECT " OUTBOX_COLUMNS
	    ", message FROM " OUTBOX_WITH_MESSAGE "WHERE id = ?1" :
	    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id = ?1", id, 0,
	    with_message, &list, &n, err) == -1)
		return -1;
	if (n == 0) {
		free(list);
		err_set(err, ERR_INPUT, "no mail %lld", (long long)id);
		return -1;
	}
	*o = list[0];
	free(list);
	return 0;
}

int
store_outbox_get(struct store *st, int64_t id, struct outbox_entry *o,
    struct err *err)
{
	return outbox_one(st, id, 1, o, err);
}

int
store_outbox_head(struct store *st, int64_t id, struct outbox_entry *o,
    struct err *err)
{
	return outbox_one(st, id, 0, o, err);
}

int
store_outbox_thread(struct store *st, int64_t tenant_id, const char *recipient,
    int64_t before_id, struct strvec *ids, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1, step;

	if (prepare(st, "SELECT message_id FROM outbox WHERE tenant_id = ?1 "
	    "AND recipient = ?2 AND id < ?3 AND message_id IS NOT NULL "
	    "ORDER BY id", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, tenant_id);
	db_bind_text(stmt, 2, recipient);
	db_bind_int64(stmt, 3, before_id);
	while ((step = db_step(stmt)) == DB_ROW)
		strvec_push(ids, db_column_text(stmt, 0));
	if (step != DB_DONE) {
		db_fail(st, err, "reading a thread");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

/* ---- claims ---- */

/* A claim in one statement (struct store_sql's outbox_take_*): one
 * round trip to a server instead of one per mail. */
static int
outbox_take(struct store *st, const char *sql, int64_t now, int64_t after_id,
    int64_t until, int64_t holder, size_t limit, struct outbox_entry **entries,
    size_t *n, struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare_outbox(st, sql, &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, now);
	db_bind_int64(stmt, 2, after_id);
	db_bind_int64(stmt, 3, until);
	db_bind_int64(stmt, 4, holder);
	db_bind_int64(stmt, 5, (int64_t)(limit < STORE_CLAIM_MAX ? limit :
	    STORE_CLAIM_MAX));
	rc = collect_rows(st, stmt, &outbox_rows_with_message,
	    "claiming mails", &list, n, err);
out:
	release(st, stmt);
	*entries = list;
	return rc;
}

int
store_outbox_claim(struct store *st, int64_t now, int all, int64_t after_id,
    int64_t lease, int64_t holder, size_t limit, struct outbox_entry **entries,
    size_t *n, struct err *err)
{
	const char *take = all ? st->eng->sql->outbox_take_all :
	    st->eng->sql->outbox_take_due;
	struct db_stmt *stmt = NULL;
	size_t i;
	int rc = -1;

	if (take != NULL)
		return outbox_take(st, take, now, after_id, now + lease, holder,
		    limit, entries, n, err);

	/* Queued mails nobody holds; without all, only those due.  The
	 * engine words it (store_outbox_sql.h). */
	if (outbox_query(st, all ? st->eng->sql->outbox_claim_all :
	    st->eng->sql->outbox_claim_due, now, after_id, 1, entries, n,
	    err) == -1)
		return -1;
	while (*n > limit)
		store_outbox_entry_clear(&(*entries)[--(*n)]);
	if (prepare(st, "UPDATE outbox SET lease_until = ?2, claimed_by = ?3 "
	    "WHERE id = ?1", &stmt, err) == -1)
		goto out;
	for (i = 0; i < *n; i++) {
		db_reset(stmt);
		db_bind_int64(stmt, 1, (*entries)[i].id);
		db_bind_int64(stmt, 2, now + lease);
		db_bind_int64(stmt, 3, holder);
		if (step_done(st, stmt, err) == -1)
			goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	if (rc == -1) {
		store_outbox_free(*entries, *n);
		*entries = NULL;
		*n = 0;
	}
	return rc;
}

int
store_outbox_holders(struct store *st, int64_t now, int64_t **holders,
    size_t *n, struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare_outbox(st, "SELECT DISTINCT claimed_by FROM outbox "
	    "WHERE status = " SQL_QUEUED " AND lease_until > ?1 "
	    "AND claimed_by > 0", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, now);
	rc = collect_rows(st, stmt, &int64_rows, "reading claims", &list, n,
	    err);
out:
	release(st, stmt);
	*holders = list;
	return rc;
}

int
store_outbox_unclaim(struct store *st, int64_t holder, int64_t *first,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	*first = 0;
	if (prepare_outbox(st, "SELECT min(id) FROM outbox "
	    "WHERE status = " SQL_QUEUED " AND claimed_by = ?1", &stmt,
	    err) == -1)
		return -1;
	db_bind_int64(stmt, 1, holder);
	if (step_int64(st, stmt, "reading claims", first, NULL, err) == -1)
		goto out;
	release(st, stmt);
	stmt = NULL;
	if (prepare_outbox(st, "UPDATE outbox SET lease_until = 0, "
	    "claimed_by = 0 WHERE status = " SQL_QUEUED " AND claimed_by = ?1",
	    &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, holder);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

/* ---- delivery outcomes ---- */

/*
 * Runs one UPDATE on outbox row ?1 with values ?2 ?3 (integers) and ?4
 * (text); a statement that uses fewer simply ignores the rest.
 */
static int
outbox_update(struct store *st, const char *sql, int64_t id, int64_t a,
    int64_t b, const char *text, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare_outbox(st, sql, &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, id);
	db_bind_int64(stmt, 2, a);
	db_bind_int64(stmt, 3, b);
	bind_text_or_null(stmt, 4, text);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

int
store_outbox_sent(struct store *st, int64_t id, int64_t now, struct err *err)
{
	return outbox_update(st, "UPDATE outbox SET status = " SQL_SENT ", "
	    "attempts = attempts + 1, sent_at = ?2, last_error = NULL, "
	    "lease_until = 0 WHERE id = ?1", id, now,
	    0, NULL, err);
}

/*
 * Let go of, holder and all: a mail its deliverer still named as held
 * would be the one a later pass logs in doubt when that deliverer dies,
 * although its outcome was known (store_outbox_unclaim).
 */
int
store_outbox_retry(struct store *st, int64_t id, int64_t next_attempt_at,
    int counted, const char *error, struct err *err)
{
	return outbox_update(st, "UPDATE outbox SET attempts = attempts + ?3, "
	    "next_attempt_at = ?2, last_error = ?4, lease_until = 0, "
	    "claimed_by = 0 WHERE id = ?1", id, next_attempt_at,
	    counted ? 1 : 0, error, err);
}

int
store_outbox_failed(struct store *st, int64_t id, const char *error,
    struct err *err)
{
	return outbox_update(st, "UPDATE outbox SET status = " SQL_FAILED ", "
	    "attempts = attempts + 1, last_error = ?4, lease_until = 0 "
	    "WHERE id = ?1", id, 0, 0, error, err);
}

/*
 * Only a failed mail goes back, in one statement: of two operators who
 * ask at once, the second finds it queued already.
 */
int
store_outbox_requeue(struct store *st, int64_t id, int64_t now,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare_outbox(st, "UPDATE outbox SET status = " SQL_QUEUED ", "
	    "attempts = 0, next_attempt_at = ?2, last_error = NULL, "
	    "lease_until = 0, claimed_by = 0 WHERE id = ?1 AND status = "
	    SQL_FAILED, &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, id);
	db_bind_int64(stmt, 2, now);
	if (step_done(st, stmt, err) == -1)
		goto out;
	if (db_changes(st) != 1) {
		err_set(err, ERR_STATE, "mail %lld has not failed", (long long)id);
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

void
store_outbox_entry_clear(struct outbox_entry *o)
{
	free(o->recipient);
	free(o->message_id);
	free(o->last_error);
	free(o->subject);
	free(o->message);
	memset(o, 0, sizeof *o);
}

void
store_outbox_free(struct outbox_entry *list, size_t n)
{
	free_rows(&outbox_rows, list, n);
}


/* ---- finding and counting ---- */

int
store_outbox_find(struct store *st, const char *message_id, int64_t *id,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc, found;

	*id = 0;
	if (prepare(st, "SELECT id FROM outbox WHERE message_id = ?1", &stmt,
	    err) == -1)
		return -1;
	db_bind_text(stmt, 1, message_id);
	rc = step_int64(st, stmt, "finding a mail", id, &found, err);
	release(st, stmt);
	return rc;
}

int
store_outbox_count(struct store *st, enum mail_kind kind, int64_t tenant_id,
    const char *recipient, int64_t since, int *count, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int64_t v;
	int rc;

	if (prepare(st, "SELECT COUNT(*) FROM outbox WHERE kind = ?1 AND "
	    "created_at >= ?2 AND (?3 = 0 OR tenant_id = ?3) AND "
	    "(?4 IS NULL OR recipient = ?4)", &stmt, err) == -1)
		return -1;
	db_bind_static(stmt, 1, fsm_mail_kind_name(kind));
	db_bind_int64(stmt, 2, since);
	db_bind_int64(stmt, 3, tenant_id);
	bind_text_or_null(stmt, 4, recipient);
	rc = step_int64(st, stmt, "counting mails", &v, NULL, err);
	if (rc == 0)
		*count = (int)v;
	release(st, stmt);
	return rc;
}


/* ---- the console's pages of mails ---- */

/*
 * ?1 status, ?2 kind, ?3 tenant (each NULL: any).  A tenant, else a
 * status, leads as a plain equality, so that outbox_by_tenant or the
 * status's index is used (SQLite: outbox_queued or outbox_failed, the
 * sent mails read by id; PostgreSQL: outbox_due).  A count, then the
 * rows, newest first.
 */
#define OUTBOX_REST \
	"(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR kind = ?2) " \
	"AND (?3 IS NULL OR tenant_id = ?3)"
#define OUTBOX_PAGE(lead) { \
	"SELECT count(*) FROM outbox WHERE " lead " AND " OUTBOX_REST, \
	"SELECT " OUTBOX_COLUMNS " FROM outbox WHERE " lead " AND " \
	OUTBOX_REST " ORDER BY id DESC LIMIT ?4 OFFSET ?5" }

static const char *const outbox_page_sql[][2] = {
	OUTBOX_PAGE("tenant_id = ?3"),
	OUTBOX_PAGE("status = ?1"),
	OUTBOX_PAGE("1 = 1"),
};

static void
bind_outbox_filter(struct db_stmt *stmt, const struct outbox_filter *f)
{
	bind_text_or_null(stmt, 1, f->status >= 0 ?
	    outcome_mail_name(f->status) : NULL);
	bind_text_or_null(stmt, 2, f->kind >= 0 ?
	    fsm_mail_kind_name(f->kind) : NULL);
	bind_id_or_null(stmt, 3, f->tenant_id);
}

int
store_outbox_page(struct store *st, const struct outbox_filter *f,
    struct outbox_entry **entries, size_t *n, int64_t *total,
    struct err *err)
{
	struct db_stmt *count = NULL, *rows = NULL;
	const char *const *sql;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	*total = 0;
	sql = outbox_page_sql[f->tenant_id > 0 ? 0 : f->status >= 0 ? 1 : 2];
	if (prepare(st, sql[0], &count, err) == -1 ||
	    prepare(st, sql[1], &rows, err) == -1)
		goto out;
	bind_outbox_filter(count, f);
	bind_outbox_filter(rows, f);
	rc = collect_page(st, count, rows, &outbox_rows, "mails", f->offset,
	    f->limit, &list, n, total, err);
out:
	release(st, count);
	release(st, rows);
	*entries = list;
	return rc;
}
