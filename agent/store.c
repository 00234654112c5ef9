/* store.c: the SQLite database: opening it, its schema, transactions,
 * the statement cache and the metrics' counts.  The queries live in
 * store_<subject>.c (store_impl.h lists them). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store_impl.h"

/*
 * Each entry upgrades the schema by one version; the index is the version
 * it produces minus one.  Never edit a shipped step: add one.
 */
#define OUTBOX_ALL_COLUMNS \
	"id, tenant_id, kind, recipient, status, message_id, attempts, " \
	"last_error, created_at, next_attempt_at, generation, subject, " \
	"sent_at, lease_until, claimed_by"

static const char *const migrations[] = {
	/* 1: plans, tenants, licences, history, outbox. */
	"CREATE TABLE plans ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  edition TEXT NOT NULL,"
	"  products TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE tenants ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  customer_admin TEXT NOT NULL,"
	"  msp_admin TEXT NOT NULL,"
	"  workloads TEXT NOT NULL,"
	"  edition TEXT NOT NULL,"
	"  suspended INTEGER NOT NULL CHECK (suspended IN (0, 1)),"
	"  state TEXT NOT NULL,"
	"  plan_id INTEGER REFERENCES plans(id),"
	"  generation INTEGER NOT NULL DEFAULT 1,"
	"  blocked_reasons TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  state_since INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX tenants_by_state ON tenants(state);"
	"CREATE TABLE licences ("
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  workload TEXT NOT NULL,"
	"  expires TEXT,"
	"  after_migration TEXT,"
	"  PRIMARY KEY (tenant_id, workload)"
	") STRICT;"
	"CREATE TABLE history ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  from_state TEXT NOT NULL,"
	"  to_state TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  detail TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX history_by_tenant ON history(tenant_id, id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (status IN ('queued', 'sent', 'failed')),"
	"  message_id TEXT UNIQUE,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  generation INTEGER NOT NULL,"
	"  subject TEXT,"
	"  sent_at INTEGER,"
	"  lease_until INTEGER NOT NULL DEFAULT 0,"
	"  claimed_by INTEGER NOT NULL DEFAULT 0"	/* pid of the holder */
	") STRICT;"
	"CREATE INDEX outbox_by_tenant ON outbox(tenant_id, id);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt_at);"
	/* Apart, so that a status change does not rewrite the message. */
	"CREATE TABLE outbox_messages ("
	"  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) "
	"    ON DELETE CASCADE,"
	"  message BLOB NOT NULL"
	") STRICT;"
	"CREATE TABLE tokens ("
	"  jti TEXT PRIMARY KEY,"
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  generation INTEGER NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  token TEXT NOT NULL,"
	"  issued_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX tokens_by_tenant ON tokens(tenant_id, generation);"
	/* Every message read, so each is handled once (SPEC §3). */
	"CREATE TABLE inbound ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  sender TEXT,"
	"  tenant_id INTEGER REFERENCES tenants(id) ON DELETE SET NULL,"
	"  outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  UNIQUE (message_id, digest)"
	") STRICT;"
	"CREATE INDEX inbound_by_sender ON inbound(sender, received_at);"
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL"
	") STRICT;",
	/*
	 * 2: a mail may be about no tenant (a mailbox that needs a new
	 * sign-in), and the OAuth2 state of each mail account.  SQLite
	 * cannot drop a NOT NULL, so the outbox is made anew; the store
	 * migrates with foreign keys off, so its messages stay.
	 */
	"CREATE TABLE outbox_new ("
	"  id INTEGER PRIMARY KEY,"
	"  tenant_id INTEGER REFERENCES tenants(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (status IN ('queued', 'sent', 'failed')),"
	"  message_id TEXT UNIQUE,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  generation INTEGER NOT NULL,"
	"  subject TEXT,"
	"  sent_at INTEGER,"
	"  lease_until INTEGER NOT NULL DEFAULT 0,"
	"  claimed_by INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"INSERT INTO outbox_new (" OUTBOX_ALL_COLUMNS ") "
	"  SELECT " OUTBOX_ALL_COLUMNS " FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_by_tenant ON outbox(tenant_id, id);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt_at);"
	/* One row per account: [inbound] and [outbound]. */
	"CREATE TABLE mail_auth ("
	"  account TEXT PRIMARY KEY,"
	"  identity TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  refresh_token TEXT,"
	"  access_token TEXT,"
	"  expires_at INTEGER NOT NULL DEFAULT 0,"
	"  refreshed_at INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  retry_at INTEGER NOT NULL DEFAULT 0,"
	"  lease_until INTEGER NOT NULL DEFAULT 0,"
	"  leased_by INTEGER NOT NULL DEFAULT 0,"
	"  notified INTEGER NOT NULL DEFAULT 0"
	") STRICT;",
	/*
	 * 3: the operator console's accounts, their sessions and the
	 * audit of who did what (store_user.c).  Names are unique without
	 * regard to case; a session is kept by the hash of its id alone.
	 * Audit rows are never changed or removed: triggers refuse it.
	 */
	"CREATE TABLE console_user ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),"
	"  password_hash TEXT NOT NULL,"
	"  must_change_password INTEGER NOT NULL DEFAULT 1"
	"    CHECK (must_change_password IN (0, 1)),"
	"  totp_secret TEXT,"
	"  totp_last_step INTEGER NOT NULL DEFAULT 0,"
	"  recovery_hashes TEXT NOT NULL DEFAULT '',"
	"  failed_signins INTEGER NOT NULL DEFAULT 0,"
	"  signin_not_before INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  password_changed_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE console_session ("
	"  id INTEGER PRIMARY KEY,"
	"  id_hash TEXT NOT NULL UNIQUE,"
	"  user_id INTEGER NOT NULL REFERENCES console_user(id) "
	"    ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen_at INTEGER NOT NULL,"
	"  address TEXT NOT NULL,"
	"  csrf_token TEXT NOT NULL"
	") STRICT;"
	"CREATE INDEX console_session_by_user ON console_session(user_id);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL,"
	"  target TEXT NOT NULL DEFAULT '',"
	"  outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT ''"
	") STRICT;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
	"  BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;",
	/*
	 * 4: the console.  It lists the messages read by tenant and by
	 * outcome, newest first (without these indexes every tenant page
	 * would read the whole inbound table); a session whose password
	 * was right but whose second factor is still to come (pending)
	 * opens nothing but the sign-in's second step; the failed sign-ins
	 * of an address are counted from the audit, by address and time.
	 */
	"CREATE INDEX inbound_by_tenant ON inbound(tenant_id, id);"
	"CREATE INDEX inbound_by_outcome ON inbound(outcome, id);"
	"ALTER TABLE console_session ADD COLUMN pending INTEGER NOT NULL "
	"  DEFAULT 0 CHECK (pending IN (0, 1));"
	"CREATE INDEX audit_by_address ON audit(address, at);",
	/*
	 * 5: a tenant's language (BCP 47, normalized by lang.c); NULL
	 * means [agent] language, so changing that default moves every
	 * tenant that never named its own.
	 */
	"ALTER TABLE tenants ADD COLUMN language TEXT "
	"  CHECK (language IS NULL OR length(language) BETWEEN 2 AND 35);",
};

int
db_fail(struct store *st, struct err *err, const char *what)
{
	err_set(err, ERR_RUNTIME, "database: %s: %s", what,
	    sqlite3_errmsg(st->db));
	return -1;
}

int
prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
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
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK) {
		*stmt = NULL;
		return db_fail(st, err, "prepare");
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
release(struct store *st, sqlite3_stmt *stmt)
{
	size_t i;

	if (stmt == NULL)
		return;
	for (i = 0; i < STORE_STMT_CACHE; i++)
		if (st->cache[i].stmt == stmt && st->cache[i].busy) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			st->cache[i].busy = 0;
			return;
		}
	sqlite3_finalize(stmt);
}

void
bind_text_or_null(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

/* A row id, or SQL NULL for 0 (no plan, no tenant). */
void
bind_id_or_null(sqlite3_stmt *stmt, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(stmt, i, id);
	else
		sqlite3_bind_null(stmt, i);
}

/* A copy of a text column, or NULL for SQL NULL. */
char *
column_strdup(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s;

	s = sqlite3_column_text(stmt, i);
	return s == NULL ? NULL : xstrdup((const char *)s);
}

/* Runs a statement that returns no rows. */
int
step_done(struct store *st, sqlite3_stmt *stmt, struct err *err)
{
	int rc;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "step");
	return 0;
}

/* Runs a statement for its one row, an integer; store_impl.h. */
int
step_int64(struct store *st, sqlite3_stmt *stmt, const char *what,
    int64_t *v, int *found, struct err *err)
{
	int step;

	step = sqlite3_step(stmt);
	if (found != NULL)
		*found = step == SQLITE_ROW;
	if (step == SQLITE_ROW)
		*v = sqlite3_column_int64(stmt, 0);
	else if (step != SQLITE_DONE || found == NULL)
		return db_fail(st, err, what);
	return 0;
}

int
db_exec(struct store *st, const char *sql, struct err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, ERR_RUNTIME, "database: %s",
		    msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* ---- lists of rows ---- */

#define ROWS_FIRST	8	/* elements; the list doubles from there */

int
collect_rows(struct store *st, sqlite3_stmt *stmt, const struct row_kind *kind,
    const char *what, void **list, size_t *n, struct err *err)
{
	char *rows = NULL;
	size_t count = 0, cap = 0;
	int step;

	*list = NULL;
	*n = 0;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap == 0 ? ROWS_FIRST : cap * 2;
			rows = xrealloc(rows, cap * kind->size);
		}
		memset(rows + count * kind->size, 0, kind->size);
		/* Counted before it is filled: a half-made one is cleared. */
		if (kind->fill(stmt, rows + count++ * kind->size, err) == -1)
			goto fail;
	}
	if (step != SQLITE_DONE) {
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
step_row(struct store *st, sqlite3_stmt *stmt, const struct row_kind *kind,
    const char *what, void *elem, int *found, struct err *err)
{
	int step;

	*found = 0;
	memset(elem, 0, kind->size);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
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
collect_page(struct store *st, sqlite3_stmt *count, sqlite3_stmt *rows,
    const struct row_kind *kind, const char *noun, size_t offset,
    size_t limit, void **list, size_t *n, int64_t *total, struct err *err)
{
	char what[STORE_WHAT_MAX];

	*list = NULL;
	*n = 0;
	*total = 0;
	if (offset > INT64_MAX)
		offset = INT64_MAX;
	sqlite3_bind_int64(rows, PAGE_LIMIT_PARAM,
	    (sqlite3_int64)(limit < STORE_PAGE_MAX ? limit : STORE_PAGE_MAX));
	sqlite3_bind_int64(rows, PAGE_OFFSET_PARAM, (sqlite3_int64)offset);
	snprintf(what, sizeof what, "counting %s", noun);
	if (step_int64(st, count, what, total, NULL, err) == -1)
		return -1;
	snprintf(what, sizeof what, "listing %s", noun);
	return collect_rows(st, rows, kind, what, list, n, err);
}

static int
int64_fill(sqlite3_stmt *stmt, void *elem, struct err *err)
{
	(void)err;
	*(int64_t *)elem = sqlite3_column_int64(stmt, 0);
	return 0;
}

const struct row_kind int64_rows = { sizeof(int64_t), int64_fill, NULL };

static int
user_version(struct store *st, int *version, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int64_t v;
	int rc;

	if (prepare(st, "PRAGMA user_version", &stmt, err) == -1)
		return -1;
	rc = step_int64(st, stmt, "reading the schema version", &v, NULL, err);
	if (rc == 0)
		*version = (int)v;
	release(st, stmt);
	return rc;
}

/* Brings the schema up to date in one transaction. */
static int
migrate(struct store *st, struct err *err)
{
	int version, target, i;
	char sql[64];

	target = (int)(sizeof migrations / sizeof migrations[0]);
	if (store_begin(st, err) == -1)
		return -1;
	if (user_version(st, &version, err) == -1)
		goto fail;
	if (version > target) {
		err_set(err, ERR_RUNTIME, "database: schema version %d is newer "
		    "than this mscagent (%d); upgrade mscagent", version, target);
		goto fail;
	}
	for (i = version; i < target; i++)
		if (db_exec(st, migrations[i], err) == -1)
			goto fail;
	if (version != target) {
		/* PRAGMA takes no bound parameters; target is ours. */
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", target);
		if (db_exec(st, sql, err) == -1)
			goto fail;
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

/*
 * Creates a missing database file with mode 0600 before SQLite opens it
 * (it would use the umask, 0644 under the usual 022): the file holds
 * every live link.  SQLite gives its -wal and -shm files the same mode.
 * An existing file is left as it is; `mscagent check` reports one open
 * to others.
 */
static int
create_private(const char *path, struct err *err)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno != EEXIST) {
		err_set(err, ERR_RUNTIME, "database %s: cannot create: %s",
		    path, strerror(errno));
		return -1;
	}
	if (fd != -1)
		close(fd);
	return 0;
}

/*
 * SQLite keeps statistics of its memory unless told not to, behind a
 * process-wide mutex taken on every allocation; the agent never reads
 * them.
 */
void
store_init(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
store_open(const char *path, struct store **out, struct err *err)
{
	struct store *st;
	const char *db;

	*out = NULL;
	if (strcmp(path, ":memory:") != 0 && create_private(path, err) == -1)
		return -1;
	st = xcalloc(1, sizeof *st);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err_set(err, ERR_RUNTIME, "database %s: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(st->db, 1);
	/*
	 * 8 KiB pages, for a new database only (an existing one keeps its
	 * own): a typical queued mail then fits in its row, not in a page
	 * of its own with the rest spilled to a second, and the log of a
	 * batch has fewer frames.  Larger pages cost more CPU than they
	 * save: each is copied whole into a savepoint's journal and
	 * shifted whole on an insert.  docs/performance.md has the sizes.
	 */
	if (db_exec(st, "PRAGMA page_size = 8192;"
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"
	    /* 1 MiB of page cache per connection, not 2: the agent keeps
	     * several open, and the operating system caches the file too. */
	    "PRAGMA cache_size = " STORE_CACHE_KIB ";"
	    /* A batch's savepoints journal in memory, not in a file. */
	    "PRAGMA temp_store = MEMORY;", err) == -1) {
		err_prefix(err, "%s", path);
		goto fail;
	}
	/* Foreign keys only once migrated: a step that makes a table
	 * anew drops the old one, which would take its children along. */
	if (migrate(st, err) == -1 ||
	    db_exec(st, "PRAGMA foreign_keys = ON", err) == -1)
		goto fail;
	db = sqlite3_db_filename(st->db, "main");
	if (db != NULL && *db != '\0') {
		st->log_path = xasprintf("%s-wal", db);
		st->path = xstrdup(db);
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_rollback(st);
	pending_lines_drop(st, 0);
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		sqlite3_finalize(st->cache[i].stmt);
	sqlite3_close_v2(st->db);
	sqlite3_close_v2(st->checkpoint_db);
	free(st->log_path);
	free(st->path);
	free(st);
}

int
store_begin(struct store *st, struct err *err)
{
	if (db_exec(st, st->in_batch ? "SAVEPOINT step" : "BEGIN IMMEDIATE",
	    err) == -1)
		return -1;
	st->in_tx = 1;
	st->pending.step = st->pending.lines.n;
	return 0;
}

int
store_begin_read(struct store *st, struct err *err)
{
	if (db_exec(st, "BEGIN", err) == -1)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st, struct err *err)
{
	if (db_exec(st, st->in_batch ? "RELEASE step" : "COMMIT", err) == -1) {
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
	if (st->in_tx) {
		sqlite3_exec(st->db, st->in_batch ?
		    "ROLLBACK TO step; RELEASE step" : "ROLLBACK", NULL, NULL,
		    NULL);
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
	sqlite3_stmt *stmt = NULL;
	struct err err;
	int64_t v = -1;

	if (prepare(st, "PRAGMA data_version", &stmt, &err) == -1)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	release(st, stmt);
	return v;
}

int
store_ping(struct store *st)
{
	return sqlite3_exec(st->db, "SELECT 1", NULL, NULL, NULL) == SQLITE_OK;
}

/* ---- metrics ---- */

static int
count_fill(sqlite3_stmt *stmt, void *elem, struct err *err)
{
	struct store_count *c = elem;

	(void)err;
	c->key = column_strdup(stmt, 0);
	c->n = sqlite3_column_int64(stmt, 1);
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
	sqlite3_stmt *stmt = NULL;
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

