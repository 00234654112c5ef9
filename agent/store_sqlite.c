/* store_sqlite.c: the SQLite engine of the store (store_impl.h): a
 * database file, its schema and its migrations, statements, and the
 * log's syncs and checkpoints. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_impl.h"
#include "store_outbox_sql.h"

#define LITE_AUTOCHECKPOINT	1000	/* pages; SQLite's default */
#define LITE_CACHE_KIB		"-1024"	/* negative: KiB, not pages */
/* In bulk, a batch's changed pages stay in memory until its commit,
 * rather than spilling to the log half-made, and the pages the batches
 * share are read once per pass: this holds a full batch's changes
 * (docs/performance.md).  More only costs page faults to fill. */
#define LITE_BULK_CACHE_KIB	"-16384"

/* The connection, and what the log's syncs and checkpoints use. */
struct lite_conn {
	sqlite3		*db;
	char		*log_path;	/* the WAL file; NULL: in memory */
	char		*path;		/* the database file, or NULL */
	sqlite3		*checkpoint_db;	/* lite_checkpoint_passive's */
};

struct lite_stmt {
	struct db_stmt	 base;
	sqlite3_stmt	*s;
};

static sqlite3 *
lite_db(struct store *st)
{
	return ((struct lite_conn *)st->conn)->db;
}

static sqlite3_stmt *
lite_s(struct db_stmt *stmt)
{
	return ((struct lite_stmt *)stmt)->s;
}

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
	/*
	 * 6: the outbox indexes what is looked for by status, the queue
	 * and the failures, and not the sent mails, the bulk, which are
	 * found by tenant or by id.  A delivery then takes its mail out of
	 * one index instead of moving it within outbox_due: its commit
	 * writes two pages to the log, not three.  And a claim walks the
	 * queue in id order and stops at its batch, where it read every
	 * queued mail's entry and sorted them.
	 */
	"DROP INDEX outbox_due;"
	"CREATE INDEX outbox_queued ON outbox(id) WHERE status = 'queued';"
	"CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'failed';",
};

/* ---- statements ---- */

static const char *
lite_errmsg(struct store *st)
{
	return sqlite3_errmsg(lite_db(st));
}

static int
lite_unique_violation(struct store *st)
{
	return sqlite3_extended_errcode(lite_db(st)) ==
	    SQLITE_CONSTRAINT_UNIQUE;
}

static int64_t
lite_changes(struct store *st)
{
	return sqlite3_changes(lite_db(st));
}

static int64_t
lite_total_changes(struct store *st)
{
	sqlite3 *db = lite_db(st);

	/* Out of its transaction (a full disk, an I/O error), SQLite
	 * rolled all of it back. */
	return sqlite3_get_autocommit(db) ? -1 : sqlite3_total_changes64(db);
}

static int
lite_exec(struct store *st, const char *sql, struct err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(lite_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, ERR_RUNTIME, "database: %s",
		    msg ? msg : sqlite3_errmsg(lite_db(st)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
lite_prepare(struct store *st, const char *sql, struct db_stmt **out,
    struct err *err)
{
	struct lite_stmt *ls;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(lite_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, "prepare");
	ls = xcalloc(1, sizeof *ls);
	ls->base.st = st;
	ls->s = s;
	*out = &ls->base;
	return 0;
}

static void
lite_reset(struct db_stmt *stmt)
{
	sqlite3_reset(lite_s(stmt));
}

static void
lite_clear_bindings(struct db_stmt *stmt)
{
	sqlite3_clear_bindings(lite_s(stmt));
}

static void
lite_finalize(struct db_stmt *stmt)
{
	sqlite3_finalize(lite_s(stmt));
	free(stmt);
}

static int
lite_param_count(struct db_stmt *stmt)
{
	return sqlite3_bind_parameter_count(lite_s(stmt));
}

static void
lite_bind_int64(struct db_stmt *stmt, int i, int64_t v)
{
	sqlite3_bind_int64(lite_s(stmt), i, v);
}

static void
lite_bind_text(struct db_stmt *stmt, int i, const char *s, int copy)
{
	sqlite3_bind_text(lite_s(stmt), i, s, -1,
	    copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

static void
lite_bind_blob(struct db_stmt *stmt, int i, const void *p, size_t len)
{
	sqlite3_bind_blob64(lite_s(stmt), i, p, len, SQLITE_STATIC);
}

static void
lite_bind_null(struct db_stmt *stmt, int i)
{
	sqlite3_bind_null(lite_s(stmt), i);
}

static int
lite_step(struct db_stmt *stmt)
{
	switch (sqlite3_step(lite_s(stmt))) {
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
		return DB_DONE;
	default:
		return DB_ERROR;
	}
}

static int64_t
lite_column_int64(struct db_stmt *stmt, int i)
{
	return sqlite3_column_int64(lite_s(stmt), i);
}

static const char *
lite_column_text(struct db_stmt *stmt, int i)
{
	return (const char *)sqlite3_column_text(lite_s(stmt), i);
}

static const void *
lite_column_blob(struct db_stmt *stmt, int i, size_t *len)
{
	const void *p;

	p = sqlite3_column_blob(lite_s(stmt), i);
	*len = p == NULL ? 0 : (size_t)sqlite3_column_bytes(lite_s(stmt), i);
	return p;
}

/* ---- the schema ---- */

static int
user_version(struct store *st, int *version, struct err *err)
{
	struct db_stmt *stmt = NULL;
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
	int version = 0, target, i;
	char sql[64];

	target = (int)(sizeof migrations / sizeof migrations[0]);
	if (store_begin(st, err) == -1)
		return -1;
	if (user_version(st, &version, err) == -1)
		goto fail;
	st->schema_found = version;
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
store_sqlite_init(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* ---- connecting ---- */

static int
lite_open(struct store *st, const char *path, struct err *err)
{
	struct lite_conn *c;
	const char *db;

	if (strcmp(path, ":memory:") != 0 && create_private(path, err) == -1)
		return -1;
	c = xcalloc(1, sizeof *c);
	st->conn = c;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		err_set(err, ERR_RUNTIME, "database %s: %s", path,
		    c->db ? sqlite3_errmsg(c->db) : "cannot open");
		return -1;
	}
	sqlite3_busy_timeout(c->db, STORE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(c->db, 1);
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
	    "PRAGMA cache_size = " LITE_CACHE_KIB ";"
	    /* A batch's savepoints journal in memory, not in a file. */
	    "PRAGMA temp_store = MEMORY;", err) == -1) {
		err_prefix(err, "%s", path);
		return -1;
	}
	/* Foreign keys only once migrated: a step that makes a table
	 * anew drops the old one, which would take its children along. */
	if (migrate(st, err) == -1 ||
	    db_exec(st, "PRAGMA foreign_keys = ON", err) == -1)
		return -1;
	db = sqlite3_db_filename(c->db, "main");
	if (db != NULL && *db != '\0') {
		c->log_path = xasprintf("%s-wal", db);
		c->path = xstrdup(db);
	}
	return 0;
}

static void
lite_close(struct store *st)
{
	struct lite_conn *c = st->conn;

	if (c == NULL)
		return;
	sqlite3_close_v2(c->db);
	sqlite3_close_v2(c->checkpoint_db);
	free(c->log_path);
	free(c->path);
	free(c);
	st->conn = NULL;
}

static int64_t
lite_data_version(struct store *st)
{
	struct db_stmt *stmt = NULL;
	struct err err;
	int64_t v = -1;

	if (prepare(st, "PRAGMA data_version", &stmt, &err) == -1)
		return -1;
	if (db_step(stmt) == DB_ROW)
		v = db_column_int64(stmt, 0);
	release(st, stmt);
	return v;
}

static int
lite_ping(struct store *st)
{
	return sqlite3_exec(lite_db(st), "SELECT 1", NULL, NULL, NULL) ==
	    SQLITE_OK;
}

/* ---- the log, for store_bulk.h ---- */

static void
lite_bulk(struct store *st, int on)
{
	sqlite3_wal_autocheckpoint(lite_db(st), on ? 0 : LITE_AUTOCHECKPOINT);
	/* Lowering the size gives the pages back at once. */
	sqlite3_exec(lite_db(st), on ?
	    "PRAGMA cache_size = " LITE_BULK_CACHE_KIB :
	    "PRAGMA cache_size = " LITE_CACHE_KIB, NULL, NULL, NULL);
}

/* fdatasync of the log itself, which holds every commit: cheaper than
 * a checkpoint, which also copies pages and syncs the database.  Only
 * the path kept at open is used, never the connection. */
static int
lite_sync(struct store *st, struct err *err)
{
	struct lite_conn *c = st->conn;
	int fd, rc = 0;

	if (c->log_path == NULL)
		return 0;	/* in memory */
	fd = open(c->log_path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno != ENOENT)
		rc = -1;
	if (fd != -1 && fdatasync(fd) == -1)
		rc = -1;
	if (rc == -1)
		err_set(err, ERR_RUNTIME, "database: cannot sync %s: %s",
		    c->log_path, strerror(errno));
	if (fd != -1)
		close(fd);
	return rc;
}

static void
lite_checkpoint(struct store *st)
{
	/* Passive: never waits for readers. */
	sqlite3_wal_checkpoint_v2(lite_db(st), NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
}

static void
lite_checkpoint_passive(struct store *st)
{
	struct lite_conn *c = st->conn;
	sqlite3 **db = &c->checkpoint_db;

	if (c->path == NULL)
		return;		/* in memory: no log */
	/* A read finds the log: before one, a checkpoint does nothing. */
	if (*db == NULL && (sqlite3_open_v2(c->path, db,
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

static void
lite_server_version(struct store *st, char *buf, size_t len)
{
	(void)st;
	snprintf(buf, len, "%s", sqlite3_libversion());
}

/* One machine: a holder is a process of it. */
static int64_t
lite_holder(struct store *st)
{
	(void)st;
	return (int64_t)getpid();
}

static int
lite_holder_alive(struct store *st, int64_t holder)
{
	(void)st;
	return pid_alive(holder);
}

/* Processes on one file take turns on its write lock: nothing more to
 * hold. */
static int
lite_lock(struct store *st, const char *name, int *held, struct err *err)
{
	(void)st;
	(void)name;
	(void)err;
	*held = 1;
	return 0;
}

static void
lite_unlock(struct store *st, const char *name)
{
	(void)st;
	(void)name;
}

static const struct store_sql lite_sql = {
	/* The one after the highest, as SQLite itself picks: the
	 * transaction holds the only write lock. */
	.outbox_next_id = "SELECT coalesce(max(id), 0) + 1 FROM outbox",
	/* The claim's transaction holds the only write lock. */
	.outbox_claim_due = OUTBOX_CLAIM_DUE,
	.outbox_claim_all = OUTBOX_CLAIM_ALL,
};

const struct store_engine store_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.exec = lite_exec,
	.errmsg = lite_errmsg,
	.unique_violation = lite_unique_violation,
	.changes = lite_changes,
	.total_changes = lite_total_changes,
	.prepare = lite_prepare,
	.reset = lite_reset,
	.clear_bindings = lite_clear_bindings,
	.finalize = lite_finalize,
	.param_count = lite_param_count,
	.bind_int64 = lite_bind_int64,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.bind_null = lite_bind_null,
	.step = lite_step,
	.column_int64 = lite_column_int64,
	.column_text = lite_column_text,
	.column_blob = lite_column_blob,
	.begin = "BEGIN IMMEDIATE",
	.begin_read = "BEGIN",
	.commit = "COMMIT",
	.rollback = "ROLLBACK",
	.data_version = lite_data_version,
	.commit_version = lite_data_version,	/* moves on every commit */
	.ping = lite_ping,
	.sync = lite_sync,
	.bulk = lite_bulk,
	.checkpoint = lite_checkpoint,
	.checkpoint_passive = lite_checkpoint_passive,
	.holder = lite_holder,
	.holder_alive = lite_holder_alive,
	.lock = lite_lock,
	.unlock = lite_unlock,
	.server_version = lite_server_version,
	.sql = &lite_sql,
};
