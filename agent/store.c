/* store.c: the SQLite database: schema, transactions and every query. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "date.h"
#include "store.h"

/*
 * Prepared statements are kept for the connection's life: preparing one
 * costs more than running it (a fifth of a reply's work).  A statement
 * is known by the address of its SQL text, which is always a literal.
 */
#define STORE_STMT_CACHE 64
#define STORE_AUTOCHECKPOINT 1000	/* pages; SQLite's default */
#define STORE_CACHE_KIB	"-1024"		/* negative: KiB, not pages */
/* In bulk, a batch's changed pages stay in memory until its commit,
 * rather than spilling to the log half-made, and the pages the batches
 * share are read once per pass: a batch of 500 replies changes some
 * 8 MB.  More only costs page faults to fill. */
#define STORE_BULK_CACHE_KIB	"-16384"

struct cached_stmt {
	const char	*sql;
	sqlite3_stmt	*stmt;
	int		 busy;	/* handed out, not yet released */
};

struct store {
	sqlite3			*db;
	int			 in_tx;
	int			 in_batch;	/* store_begin makes savepoints */
	char			*log_path;	/* the WAL file; NULL: in memory */
	char			*path;		/* the database file, or NULL */
	sqlite3			*aside;		/* store_checkpoint_aside's */
	struct cached_stmt	 cache[STORE_STMT_CACHE];
};

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
};

#define STORE_CLAIM_LIMIT_SQL "100"

#define TENANT_COLUMNS \
	"id, name, customer_admin, msp_admin, workloads, edition, suspended, " \
	"state, plan_id, generation, blocked_reasons, created_at, state_since"

static int
db_fail(struct store *st, struct err *err, const char *what)
{
	err_set(err, ERR_RUNTIME, "database: %s: %s", what,
	    sqlite3_errmsg(st->db));
	return -1;
}

static int
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
static void
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

static void
bind_text_or_null(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
}

/* A row id, or SQL NULL for 0 (no plan, no tenant). */
static void
bind_id_or_null(sqlite3_stmt *stmt, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(stmt, i, id);
	else
		sqlite3_bind_null(stmt, i);
}

/* A copy of a text column, or NULL for SQL NULL. */
static char *
column_strdup(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s;

	s = sqlite3_column_text(stmt, i);
	return s == NULL ? NULL : xstrdup((const char *)s);
}

/* Runs a statement that returns no rows. */
static int
step_done(struct store *st, sqlite3_stmt *stmt, struct err *err)
{
	int rc;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "step");
	return 0;
}

static int
exec(struct store *st, const char *sql, struct err *err)
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

static int
user_version(struct store *st, int *version, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "PRAGMA user_version", &stmt, err) == -1)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		db_fail(st, err, "reading the schema version");
		goto out;
	}
	*version = sqlite3_column_int(stmt, 0);
	rc = 0;
out:
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
		if (exec(st, migrations[i], err) == -1)
			goto fail;
	if (version != target) {
		/* PRAGMA takes no bound parameters; target is ours. */
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", target);
		if (exec(st, sql, err) == -1)
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
	 * own): a queued mail of some 5 KB then fits in its row, not in a
	 * page of its own with the rest spilled to a second, and the log
	 * of a batch has half as many frames.  Larger pages cost more CPU
	 * than they save: each is copied whole into a savepoint's journal
	 * and shifted whole on an insert.
	 */
	if (exec(st, "PRAGMA page_size = 8192;"
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
	    exec(st, "PRAGMA foreign_keys = ON", err) == -1)
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
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		sqlite3_finalize(st->cache[i].stmt);
	sqlite3_close_v2(st->db);
	sqlite3_close_v2(st->aside);
	free(st->log_path);
	free(st->path);
	free(st);
}

int
store_begin(struct store *st, struct err *err)
{
	if (exec(st, st->in_batch ? "SAVEPOINT step" : "BEGIN IMMEDIATE",
	    err) == -1)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_begin_read(struct store *st, struct err *err)
{
	if (exec(st, "BEGIN", err) == -1)
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st, struct err *err)
{
	if (exec(st, st->in_batch ? "RELEASE step" : "COMMIT", err) == -1) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = 0;
	return 0;
}

int
store_batch_begin(struct store *st, struct err *err)
{
	if (exec(st, "BEGIN IMMEDIATE", err) == -1)
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
	if ((rc = exec(st, "COMMIT", err)) == -1)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

void
store_batch_rollback(struct store *st)
{
	store_rollback(st);
	if (st->in_batch)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_batch = 0;
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
store_checkpoint_aside(struct store *st)
{
	if (st->path == NULL)
		return;		/* in memory: no log */
	/* A read finds the log: before one, a checkpoint does nothing. */
	if (st->aside == NULL && (sqlite3_open_v2(st->path, &st->aside,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(st->aside, "PRAGMA schema_version", NULL, NULL,
	    NULL) != SQLITE_OK)) {
		sqlite3_close_v2(st->aside);
		st->aside = NULL;
		return;
	}
	sqlite3_wal_checkpoint_v2(st->aside, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
}

void
store_rollback(struct store *st)
{
	if (st->in_tx)
		sqlite3_exec(st->db, st->in_batch ?
		    "ROLLBACK TO step; RELEASE step" : "ROLLBACK", NULL, NULL,
		    NULL);
	st->in_tx = 0;
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

/* ---- plans ---- */

int
store_plan_add(struct store *st, const struct plan *p, int64_t now,
    int64_t *id, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	char *products = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO plans (name, edition, products, created_at)"
	    " VALUES (?1, ?2, ?3, ?4)", &stmt, err) == -1)
		goto out;
	products = workloads_format(p->products, ",");
	sqlite3_bind_text(stmt, 1, p->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, p->edition, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, products, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, now);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(st->db) ==
		    SQLITE_CONSTRAINT_UNIQUE)
			err_set(err, ERR_INPUT, "a plan named '%s' exists "
			    "already", p->name);
		else
			db_fail(st, err, "adding a plan");
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	rc = 0;
out:
	free(products);
	release(st, stmt);
	return rc;
}

static int
plan_from_row(sqlite3_stmt *stmt, struct plan *p, struct err *err)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(stmt, 0);
	p->name = column_strdup(stmt, 1);
	p->edition = column_strdup(stmt, 2);
	if (workloads_parse((const char *)sqlite3_column_text(stmt, 3),
	    &p->products, err) == -1) {
		err_prefix(err, "database: plan %lld", (long long)p->id);
		err->kind = ERR_RUNTIME;
		return -1;
	}
	return 0;
}

int
store_plan_list(struct store *st, struct plan **plans, size_t *n,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct plan *list = NULL;
	size_t count = 0;
	int rc = -1, step;

	if (prepare(st, "SELECT id, name, edition, products FROM plans "
	    "ORDER BY id", &stmt, err) == -1)
		goto out;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (count + 1) * sizeof *list);
		if (plan_from_row(stmt, &list[count++], err) == -1)
			goto out;
	}
	if (step != SQLITE_DONE) {
		db_fail(st, err, "listing plans");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	if (rc == -1) {
		store_plans_free(list, count);
		list = NULL;
		count = 0;
	}
	*plans = list;
	*n = count;
	return rc;
}

void
store_plans_free(struct plan *plans, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		plan_clear(&plans[i]);
	free(plans);
}

static int
is_all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Reads the one plan a prepared query with its key bound returns. */
static int
plan_one(struct store *st, sqlite3_stmt *stmt, const char *shown,
    struct plan *p, struct err *err)
{
	int step;

	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		err_set(err, ERR_INPUT, "no plan '%s'", shown);
		return -1;
	}
	if (step != SQLITE_ROW)
		return db_fail(st, err, "reading a plan");
	return plan_from_row(stmt, p, err);
}

int
store_plan_find(struct store *st, const char *key, struct plan *p,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	memset(p, 0, sizeof *p);
	if (prepare(st, is_all_digits(key) ?
	    "SELECT id, name, edition, products FROM plans WHERE id = ?1" :
	    "SELECT id, name, edition, products FROM plans WHERE name = ?1",
	    &stmt, err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
	rc = plan_one(st, stmt, key, p, err);
out:
	release(st, stmt);
	return rc;
}

int
store_plan_get(struct store *st, int64_t id, struct plan *p, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	char shown[24];
	int rc = -1;

	memset(p, 0, sizeof *p);
	if (prepare(st, "SELECT id, name, edition, products FROM plans "
	    "WHERE id = ?1", &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	snprintf(shown, sizeof shown, "%lld", (long long)id);
	rc = plan_one(st, stmt, shown, p, err);
out:
	release(st, stmt);
	return rc;
}

/* ---- tenants ---- */

static char *
reasons_join(const struct strvec *reasons)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < reasons->n; i++) {
		if (i > 0)
			buf_puts(&b, "\n");
		buf_puts(&b, reasons->v[i]);
	}
	return buf_release(&b);
}

static void
reasons_split(const char *joined, struct strvec *reasons)
{
	const char *p, *nl;
	char *one;

	for (p = joined; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		one = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		strvec_push(reasons, one);
		free(one);
	}
}

static int
licences_write(struct store *st, const struct tenant *t, struct err *err)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	char expires[DATE_STR_LEN], after[DATE_STR_LEN];
	int rc = -1, w;

	if (prepare(st, "DELETE FROM licences WHERE tenant_id = ?1", &del,
	    err) == -1 ||
	    prepare(st, "INSERT INTO licences (tenant_id, workload, expires, "
	    "after_migration) VALUES (?1, ?2, ?3, ?4)", &ins, err) == -1)
		goto out;
	sqlite3_bind_int64(del, 1, t->id);
	if (step_done(st, del, err) == -1)
		goto out;
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)) &&
		    t->expires[w] == DATE_NONE)
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, t->id);
		sqlite3_bind_text(ins, 2, workload_name(w), -1, SQLITE_STATIC);
		date_format(t->expires[w], expires);
		date_format(t->after[w], after);
		bind_text_or_null(ins, 3,
		    t->expires[w] == DATE_NONE ? NULL : expires);
		bind_text_or_null(ins, 4,
		    t->after[w] == DATE_NONE ? NULL : after);
		if (step_done(st, ins, err) == -1)
			goto out;
	}
	rc = 0;
out:
	release(st, del);
	release(st, ins);
	return rc;
}

/* 1 when the stored value is the date d (NULL for none). */
static int
same_date(const unsigned char *stored, int32_t d)
{
	char day[DATE_STR_LEN];

	if (d == DATE_NONE)
		return stored == NULL;
	date_format(d, day);
	return stored != NULL && strcmp((const char *)stored, day) == 0;
}

/* *same = 1 when the rows stored are the ones licences_write writes. */
static int
licences_same(struct store *st, const struct tenant *t, int *same,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *name;
	unsigned int want = 0, seen = 0;
	int rc = -1, step, w;

	*same = 1;
	for (w = 0; w < WORKLOAD_COUNT; w++)
		if ((t->workloads & WORKLOAD_BIT(w)) ||
		    t->expires[w] != DATE_NONE)
			want |= 1u << w;
	if (prepare(st, "SELECT workload, expires, after_migration "
	    "FROM licences WHERE tenant_id = ?1", &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, t->id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		w = name ? workload_from_name(name) : -1;
		if (w < 0 || (seen & (1u << w)) ||
		    !same_date(sqlite3_column_text(stmt, 1), t->expires[w]) ||
		    !same_date(sqlite3_column_text(stmt, 2), t->after[w]))
			*same = 0;
		else
			seen |= 1u << w;
	}
	if (step != SQLITE_DONE) {
		db_fail(st, err, "reading licences");
		goto out;
	}
	*same = *same && seen == want;
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

static int
licences_read(struct store *st, struct tenant *t, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *name, *expires, *after;
	int rc = -1, step, w;

	if (prepare(st, "SELECT workload, expires, after_migration "
	    "FROM licences WHERE tenant_id = ?1", &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, t->id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		expires = (const char *)sqlite3_column_text(stmt, 1);
		after = (const char *)sqlite3_column_text(stmt, 2);
		w = name ? workload_from_name(name) : -1;
		if (w < 0 ||
		    (expires && date_parse(expires, &t->expires[w]) == -1) ||
		    (after && date_parse(after, &t->after[w]) == -1)) {
			err_set(err, ERR_RUNTIME, "database: tenant %lld has "
			    "a damaged licence row", (long long)t->id);
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		db_fail(st, err, "reading licences");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

/* Reads the columns of TENANT_COLUMNS, in that order. */
static int
tenant_from_row(sqlite3_stmt *stmt, struct tenant *t, struct err *err)
{
	const char *workloads, *state;
	int s;

	tenant_init(t);
	t->id = sqlite3_column_int64(stmt, 0);
	t->name = column_strdup(stmt, 1);
	t->customer_admin = column_strdup(stmt, 2);
	t->msp_admin = column_strdup(stmt, 3);
	workloads = (const char *)sqlite3_column_text(stmt, 4);
	t->edition = column_strdup(stmt, 5);
	t->suspended = sqlite3_column_int(stmt, 6);
	state = (const char *)sqlite3_column_text(stmt, 7);
	t->plan_id = sqlite3_column_int64(stmt, 8);
	t->generation = sqlite3_column_int64(stmt, 9);
	reasons_split((const char *)sqlite3_column_text(stmt, 10),
	    &t->blocked_reasons);
	t->created_at = sqlite3_column_int64(stmt, 11);
	t->state_since = sqlite3_column_int64(stmt, 12);
	s = state ? fsm_state_from_name(state) : -1;
	if (s < 0 || workloads == NULL ||
	    workloads_parse(workloads, &t->workloads, err) == -1) {
		err_set(err, ERR_RUNTIME, "database: tenant %lld has a "
		    "damaged row", (long long)t->id);
		return -1;
	}
	t->state = s;
	return 0;
}

int
store_tenant_add(struct store *st, const struct tenant *t, int64_t now,
    int64_t *id, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct tenant copy;
	char *workloads = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO tenants (name, customer_admin, msp_admin,"
	    " workloads, edition, suspended, state, created_at, state_since)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'new', ?7, ?7)", &stmt, err) == -1)
		goto out;
	workloads = workloads_format(t->workloads, ",");
	sqlite3_bind_text(stmt, 1, t->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, t->customer_admin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, t->msp_admin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 4, workloads, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 5, t->edition, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(stmt, 6, t->suspended ? 1 : 0);
	sqlite3_bind_int64(stmt, 7, now);
	if (step_done(st, stmt, err) == -1)
		goto out;
	*id = sqlite3_last_insert_rowid(st->db);
	copy = *t;
	copy.id = *id;
	rc = licences_write(st, &copy, err);
out:
	free(workloads);
	release(st, stmt);
	return rc;
}

int
store_tenant_get(struct store *st, int64_t id, struct tenant *t,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	tenant_init(t);
	if (prepare(st, "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = ?1",
	    &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		err_set(err, ERR_INPUT, "no tenant %lld", (long long)id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		db_fail(st, err, "reading a tenant");
		goto out;
	}
	if (tenant_from_row(stmt, t, err) == -1 ||
	    licences_read(st, t, err) == -1)
		goto out;
	rc = 0;
out:
	release(st, stmt);
	if (rc == -1)
		tenant_clear(t);
	return rc;
}

int
store_tenant_update(struct store *st, const struct tenant *t,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	char *workloads = NULL;
	int rc = -1;

	if (prepare(st, "UPDATE tenants SET name = ?2, customer_admin = ?3, "
	    "msp_admin = ?4, workloads = ?5, edition = ?6, suspended = ?7 "
	    "WHERE id = ?1 AND state = ?8", &stmt, err) == -1)
		goto out;
	workloads = workloads_format(t->workloads, ",");
	sqlite3_bind_int64(stmt, 1, t->id);
	sqlite3_bind_text(stmt, 2, t->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, t->customer_admin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 4, t->msp_admin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 5, workloads, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 6, t->edition, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(stmt, 7, t->suspended ? 1 : 0);
	sqlite3_bind_text(stmt, 8, fsm_state_name(t->state), -1,
	    SQLITE_STATIC);
	if (step_done(st, stmt, err) == -1)
		goto out;
	if (sqlite3_changes(st->db) != 1) {
		err_set(err, ERR_STATE, "tenant %lld changed meanwhile",
		    (long long)t->id);
		goto out;
	}
	rc = licences_write(st, t, err);
out:
	free(workloads);
	release(st, stmt);
	return rc;
}

int
store_tenant_each(struct store *st, int state,
    int (*fn)(const struct tenant *, void *), void *arg, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct tenant t;
	int rc = -1, step, stop = 0;

	if (prepare(st, state < 0 ?
	    "SELECT " TENANT_COLUMNS " FROM tenants ORDER BY id" :
	    "SELECT " TENANT_COLUMNS " FROM tenants WHERE state = ?1 "
	    "ORDER BY id", &stmt, err) == -1)
		goto out;
	if (state >= 0)
		sqlite3_bind_text(stmt, 1, fsm_state_name(state), -1,
		    SQLITE_STATIC);
	while (!stop && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (tenant_from_row(stmt, &t, err) == -1 ||
		    licences_read(st, &t, err) == -1) {
			tenant_clear(&t);
			goto out;
		}
		stop = fn(&t, arg);
		tenant_clear(&t);
	}
	if (!stop && step != SQLITE_DONE) {
		db_fail(st, err, "listing tenants");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

/* Steps a prepared query and collects its first column; caller frees. */
static int
collect_ids(struct store *st, sqlite3_stmt *stmt, const char *what,
    int64_t **ids, size_t *n, struct err *err)
{
	int64_t *list = NULL;
	size_t count = 0;
	int step;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (count + 1) * sizeof *list);
		list[count++] = sqlite3_column_int64(stmt, 0);
	}
	if (step != SQLITE_DONE) {
		free(list);
		*ids = NULL;
		*n = 0;
		return db_fail(st, err, what);
	}
	*ids = list;
	*n = count;
	return 0;
}

int
store_tenant_ids(struct store *st, int state, int64_t **ids, size_t *n,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	*ids = NULL;
	*n = 0;
	if (prepare(st, state < 0 ?
	    "SELECT id FROM tenants ORDER BY id" :
	    "SELECT id FROM tenants WHERE state = ?1 ORDER BY id",
	    &stmt, err) == -1)
		goto out;
	if (state >= 0)
		sqlite3_bind_text(stmt, 1, fsm_state_name(state), -1,
		    SQLITE_STATIC);
	rc = collect_ids(st, stmt, "listing tenants", ids, n, err);
out:
	release(st, stmt);
	return rc;
}

int
store_tenant_transition(struct store *st, const struct tenant *t,
    enum tenant_state expected, int64_t now, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	char *reasons = NULL;
	int rc = -1, same;

	if (prepare(st, "UPDATE tenants SET state = ?2, plan_id = ?3, "
	    "generation = ?4, blocked_reasons = ?5, state_since = ?6 "
	    "WHERE id = ?1 AND state = ?7", &stmt, err) == -1)
		goto out;
	reasons = reasons_join(&t->blocked_reasons);
	sqlite3_bind_int64(stmt, 1, t->id);
	sqlite3_bind_text(stmt, 2, fsm_state_name(t->state), -1,
	    SQLITE_STATIC);
	bind_id_or_null(stmt, 3, t->plan_id);
	sqlite3_bind_int64(stmt, 4, t->generation);
	sqlite3_bind_text(stmt, 5, reasons, -1, SQLITE_TRANSIENT);
	/* A reminder or a clarification keeps the tenant where it was:
	 * state_since is when the state was entered. */
	sqlite3_bind_int64(stmt, 6, t->state == expected ? t->state_since : now);
	sqlite3_bind_text(stmt, 7, fsm_state_name(expected), -1,
	    SQLITE_STATIC);
	if (step_done(st, stmt, err) == -1)
		goto out;
	if (sqlite3_changes(st->db) != 1) {
		err_set(err, ERR_STATE, "tenant %lld is no longer %s",
		    (long long)t->id, fsm_state_name(expected));
		goto out;
	}
	/* Most transitions leave the licences as they are: rewriting
	 * them would add pages to every commit for nothing. */
	if (licences_same(st, t, &same, err) == -1)
		goto out;
	rc = same ? 0 : licences_write(st, t, err);
out:
	free(reasons);
	release(st, stmt);
	return rc;
}

int
store_token_get(struct store *st, int64_t tenant_id, struct token_info *ti,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	memset(ti, 0, sizeof *ti);
	/* The newest token of the tenant's current generation, if any. */
	if (prepare(st, "SELECT t.generation, k.issued_at, k.expires_at, "
	    "k.jti, k.token, k.recipient FROM tenants t LEFT JOIN tokens k "
	    "ON k.tenant_id = t.id AND k.generation = t.generation "
	    "WHERE t.id = ?1 ORDER BY k.issued_at DESC LIMIT 1", &stmt,
	    err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, tenant_id);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		err_set(err, ERR_INPUT, "no tenant %lld", (long long)tenant_id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		db_fail(st, err, "reading a token");
		goto out;
	}
	ti->generation = sqlite3_column_int64(stmt, 0);
	ti->issued_at = sqlite3_column_int64(stmt, 1);
	ti->expires_at = sqlite3_column_int64(stmt, 2);
	ti->jti = column_strdup(stmt, 3);
	ti->token = column_strdup(stmt, 4);
	ti->recipient = column_strdup(stmt, 5);
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_token_find(struct store *st, const char *jti, int64_t *tenant_id,
    int64_t *generation, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	if (prepare(st, "SELECT tenant_id, generation FROM tokens WHERE "
	    "jti = ?1", &stmt, err) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, jti, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		*tenant_id = sqlite3_column_int64(stmt, 0);
		*generation = sqlite3_column_int64(stmt, 1);
		rc = 1;
	} else if (step == SQLITE_DONE)
		rc = 0;
	else
		db_fail(st, err, "finding a token");
	release(st, stmt);
	return rc;
}

void
store_token_clear(struct token_info *ti)
{
	free(ti->jti);
	free(ti->token);
	free(ti->recipient);
	memset(ti, 0, sizeof *ti);
}

int
store_token_add(struct store *st, int64_t tenant_id, int64_t generation,
    const char *jti, const char *recipient, const char *token,
    int64_t issued_at, int64_t expires_at, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO tokens (jti, tenant_id, generation, "
	    "recipient, token, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7)", &stmt, err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, jti, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, tenant_id);
	sqlite3_bind_int64(stmt, 3, generation);
	sqlite3_bind_text(stmt, 4, recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 5, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 6, issued_at);
	sqlite3_bind_int64(stmt, 7, expires_at);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

/* ---- timers ---- */

/*
 * The tenants a timer event is due for at ?1 (only tenant ?4 when it is
 * not 0).  ?2 is approval_remind_days, ?3 remind_days, both in days; 0
 * turns that reminder off.  Each reminder is due once: once per stay in
 * awaiting_approval, once per token.
 */
/* The newest token of each tenant and generation. */
#define CURRENT_TOKEN \
	"(SELECT tenant_id, generation, MAX(expires_at) AS expires, " \
	"MAX(issued_at) AS issued FROM tokens GROUP BY tenant_id, generation)"

static const char *const timer_sql[] = {
	[TIMER_REMIND_APPROVAL] =
	"SELECT t.id FROM tenants t WHERE t.state = 'awaiting_approval' "
	"AND ?2 > 0 AND t.state_since + ?2 * 86400 <= ?1 "
	"AND (?4 = 0 OR t.id = ?4) AND NOT EXISTS (SELECT 1 FROM outbox o "
	"WHERE o.tenant_id = t.id AND o.kind = 'approval_reminder' "
	"AND o.created_at >= t.state_since) ORDER BY t.id",
	[TIMER_REMIND_VERIFICATION] =
	"SELECT t.id FROM tenants t JOIN " CURRENT_TOKEN " k "
	"ON k.tenant_id = t.id AND k.generation = t.generation "
	"WHERE t.state = 'awaiting_verification' AND ?3 > 0 "
	"AND (?4 = 0 OR t.id = ?4) AND k.expires - ?3 * 86400 <= ?1 "
	"AND k.expires > ?1 AND NOT EXISTS (SELECT 1 FROM outbox o "
	"WHERE o.tenant_id = t.id AND o.kind = 'verification_reminder' "
	"AND o.created_at >= k.issued) ORDER BY t.id",
	[TIMER_EXPIRE] =
	"SELECT t.id FROM tenants t JOIN " CURRENT_TOKEN " k "
	"ON k.tenant_id = t.id AND k.generation = t.generation "
	"WHERE t.state = 'awaiting_verification' AND (?4 = 0 OR t.id = ?4) "
	"AND k.expires <= ?1 ORDER BY t.id",
};

int
store_timer_due(struct store *st, enum store_timer timer, int64_t now,
    int approval_remind_days, int remind_days, int64_t tenant_id,
    int64_t **ids, size_t *n, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	*ids = NULL;
	*n = 0;
	if (prepare(st, timer_sql[timer], &stmt, err) == -1)
		goto out;
	/* A query ignores the values it does not use. */
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int(stmt, 2, approval_remind_days);
	sqlite3_bind_int(stmt, 3, remind_days);
	sqlite3_bind_int64(stmt, 4, tenant_id);
	rc = collect_ids(st, stmt, "finding what is due", ids, n, err);
out:
	release(st, stmt);
	return rc;
}

/* ---- inbound ---- */

int
store_inbound_seen(struct store *st, const char *message_id,
    const char *digest, int *seen, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	if (prepare(st, "SELECT 1 FROM inbound WHERE message_id = ?1 AND "
	    "digest = ?2", &stmt, err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, digest, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(st, err, "reading what was handled");
		goto out;
	}
	*seen = step == SQLITE_ROW;
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_mailbox_get(struct store *st, const char *mailbox, uint32_t *uidvalidity,
    uint32_t *last_uid, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	*uidvalidity = *last_uid = 0;
	if (prepare(st, "SELECT uidvalidity, last_uid FROM mailbox_state "
	    "WHERE mailbox = ?1", &stmt, err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, mailbox, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(stmt, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(stmt, 1);
	} else if (step != SQLITE_DONE) {
		db_fail(st, err, "reading the mailbox state");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_mailbox_set(struct store *st, const char *mailbox, uint32_t uidvalidity,
    uint32_t last_uid, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO mailbox_state (mailbox, uidvalidity, "
	    "last_uid) VALUES (?1, ?2, ?3) ON CONFLICT (mailbox) DO UPDATE "
	    "SET last_uid = CASE WHEN uidvalidity = excluded.uidvalidity "
	    "THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid "
	    "END, uidvalidity = excluded.uidvalidity", &stmt, err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, mailbox, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, uidvalidity);
	sqlite3_bind_int64(stmt, 3, last_uid);
	if (step_done(st, stmt, err) == -1)
		goto out;
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_inbound_add(struct store *st, const struct inbound_note *note,
    int64_t now, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO inbound (message_id, digest, received_at, "
	    "sender, tenant_id, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7)", &stmt, err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, note->message_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, note->digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, now);
	bind_text_or_null(stmt, 4, note->sender);
	bind_id_or_null(stmt, 5, note->tenant_id);
	sqlite3_bind_text(stmt, 6, note->outcome, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 7, note->detail ? note->detail : "", -1,
	    SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(st->db) ==
		    SQLITE_CONSTRAINT_UNIQUE)
			err_set(err, ERR_STATE, "message %s was handled already",
			    note->message_id);
		else
			db_fail(st, err, "recording a message");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_outbox_find(struct store *st, const char *message_id, int64_t *id,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	*id = 0;
	if (prepare(st, "SELECT id FROM outbox WHERE message_id = ?1", &stmt,
	    err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	else if (step != SQLITE_DONE) {
		db_fail(st, err, "finding a mail");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_outbox_count(struct store *st, enum mail_kind kind, int64_t tenant_id,
    const char *recipient, int64_t since, int *count, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "SELECT COUNT(*) FROM outbox WHERE kind = ?1 AND "
	    "created_at >= ?2 AND (?3 = 0 OR tenant_id = ?3) AND "
	    "(?4 IS NULL OR recipient = ?4)", &stmt, err) == -1)
		goto out;
	sqlite3_bind_text(stmt, 1, fsm_mail_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, since);
	sqlite3_bind_int64(stmt, 3, tenant_id);
	bind_text_or_null(stmt, 4, recipient);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		db_fail(st, err, "counting mails");
		goto out;
	}
	*count = sqlite3_column_int(stmt, 0);
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

/* ---- history ---- */

int
store_history_add(struct store *st, int64_t tenant_id, int64_t at,
    enum tenant_state from, enum tenant_state to, const char *actor,
    const char *detail, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO history (tenant_id, at, from_state, "
	    "to_state, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, tenant_id);
	sqlite3_bind_int64(stmt, 2, at);
	sqlite3_bind_text(stmt, 3, fsm_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, fsm_state_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 6, detail ? detail : "", -1, SQLITE_TRANSIENT);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

int
store_history_list(struct store *st, int64_t tenant_id,
    struct history_entry **entries, size_t *n, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct history_entry *list = NULL, *h;
	size_t count = 0;
	int rc = -1, step;

	if (prepare(st, "SELECT at, from_state, to_state, actor, detail "
	    "FROM history WHERE tenant_id = ?1 ORDER BY id", &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, tenant_id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (count + 1) * sizeof *list);
		h = &list[count++];
		h->at = sqlite3_column_int64(stmt, 0);
		h->from = fsm_state_from_name(
		    (const char *)sqlite3_column_text(stmt, 1));
		h->to = fsm_state_from_name(
		    (const char *)sqlite3_column_text(stmt, 2));
		h->actor = column_strdup(stmt, 3);
		h->detail = column_strdup(stmt, 4);
	}
	if (step != SQLITE_DONE) {
		db_fail(st, err, "reading the history");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	if (rc == -1) {
		store_history_free(list, count);
		list = NULL;
		count = 0;
	}
	*entries = list;
	*n = count;
	return rc;
}

void
store_history_free(struct history_entry *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].actor);
		free(list[i].detail);
	}
	free(list);
}

/* ---- outbox ---- */

int
store_outbox_next_id(struct store *st, int64_t *id, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "SELECT coalesce(max(id), 0) + 1 FROM outbox", &stmt,
	    err) == -1)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		db_fail(st, err, "reading the outbox");
		goto out;
	}
	*id = sqlite3_column_int64(stmt, 0);
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_outbox_queue(struct store *st, const struct outbox_new *o,
    struct err *err)
{
	sqlite3_stmt *row = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO outbox (id, tenant_id, kind, recipient, "
	    "generation, created_at, next_attempt_at, message_id, subject) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)", &row, err) == -1)
		goto out;
	sqlite3_bind_int64(row, 1, o->id);
	if (o->tenant_id != 0)
		sqlite3_bind_int64(row, 2, o->tenant_id);
	else
		sqlite3_bind_null(row, 2);	/* about no tenant */
	sqlite3_bind_text(row, 3, fsm_mail_kind_name(o->kind), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(row, 4, o->recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(row, 5, o->generation);
	sqlite3_bind_int64(row, 6, o->now);
	sqlite3_bind_text(row, 7, o->message_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(row, 8, o->subject, -1, SQLITE_TRANSIENT);
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
	sqlite3_stmt *body = NULL;
	int rc;

	if (prepare(st, "INSERT INTO outbox_messages (outbox_id, message) "
	    "VALUES (?1, ?2)", &body, err) == -1)
		return -1;
	sqlite3_bind_int64(body, 1, id);
	sqlite3_bind_blob(body, 2, message, (int)len, SQLITE_STATIC);
	rc = step_done(st, body, err);
	release(st, body);
	return rc;
}

#define OUTBOX_WITH_MESSAGE \
	"outbox LEFT JOIN outbox_messages ON outbox_id = outbox.id "

#define OUTBOX_COLUMNS \
	"id, tenant_id, kind, recipient, status, message_id, attempts, " \
	"last_error, created_at, generation, subject, next_attempt_at, sent_at"

static void
outbox_from_row(sqlite3_stmt *stmt, struct outbox_entry *o)
{
	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(stmt, 0);
	o->tenant_id = sqlite3_column_int64(stmt, 1);
	o->kind = fsm_mail_kind_from_name(
	    (const char *)sqlite3_column_text(stmt, 2));
	o->recipient = column_strdup(stmt, 3);
	o->status = column_strdup(stmt, 4);
	o->message_id = column_strdup(stmt, 5);
	o->attempts = sqlite3_column_int(stmt, 6);
	o->last_error = column_strdup(stmt, 7);
	o->created_at = sqlite3_column_int64(stmt, 8);
	o->generation = sqlite3_column_int64(stmt, 9);
	o->subject = column_strdup(stmt, 10);
	o->next_attempt_at = sqlite3_column_int64(stmt, 11);
	o->sent_at = sqlite3_column_int64(stmt, 12);
}

/* Runs a query of OUTBOX_COLUMNS rows (and the message when
 * with_message) with one integer parameter. */
static int
outbox_query(struct store *st, const char *sql, int64_t param,
    int64_t param2, int with_message, struct outbox_entry **entries,
    size_t *n, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	struct outbox_entry *list = NULL, *o;
	size_t count = 0;
	const void *blob;
	int rc = -1, step;

	if (prepare(st, sql, &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, param);
	sqlite3_bind_int64(stmt, 2, param2);	/* ignored when unused */
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (count + 1) * sizeof *list);
		o = &list[count++];
		outbox_from_row(stmt, o);
		if (with_message && (blob = sqlite3_column_blob(stmt, 13))) {
			o->message_len = (size_t)sqlite3_column_bytes(stmt, 13);
			o->message = xstrndup(blob, o->message_len);
		}
	}
	if (step != SQLITE_DONE) {
		db_fail(st, err, "reading the outbox");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	if (rc == -1) {
		store_outbox_free(list, count);
		list = NULL;
		count = 0;
	}
	*entries = list;
	*n = count;
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
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;

	if (prepare(st, "SELECT message_id FROM outbox WHERE tenant_id = ?1 "
	    "AND recipient = ?2 AND id < ?3 AND message_id IS NOT NULL "
	    "ORDER BY id", &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, tenant_id);
	sqlite3_bind_text(stmt, 2, recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, before_id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		strvec_push(ids, (const char *)sqlite3_column_text(stmt, 0));
	if (step != SQLITE_DONE) {
		db_fail(st, err, "reading a thread");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_outbox_claim(struct store *st, int64_t now, int all, int64_t after_id,
    int64_t lease, size_t limit, struct outbox_entry **entries, size_t *n,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	size_t i;
	int rc = -1;

	*entries = NULL;
	*n = 0;
	if (store_begin(st, err) == -1)
		return -1;
	/* Queued mails nobody holds; without all, only those due. */
	if (outbox_query(st, all ?
	    "SELECT " OUTBOX_COLUMNS ", message FROM " OUTBOX_WITH_MESSAGE
	    "WHERE status = 'queued' AND id > ?2 AND lease_until <= ?1 "
	    "ORDER BY id LIMIT " STORE_CLAIM_LIMIT_SQL :
	    "SELECT " OUTBOX_COLUMNS ", message FROM " OUTBOX_WITH_MESSAGE
	    "WHERE status = 'queued' AND id > ?2 AND next_attempt_at <= ?1 "
	    "AND lease_until <= ?1 ORDER BY id LIMIT " STORE_CLAIM_LIMIT_SQL,
	    now, after_id, 1, entries, n, err) == -1)
		goto out;
	while (*n > limit)
		store_outbox_entry_clear(&(*entries)[--(*n)]);
	if (prepare(st, "UPDATE outbox SET lease_until = ?2, claimed_by = ?3 "
	    "WHERE id = ?1", &stmt, err) == -1)
		goto out;
	for (i = 0; i < *n; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_int64(stmt, 1, (*entries)[i].id);
		sqlite3_bind_int64(stmt, 2, now + lease);
		sqlite3_bind_int64(stmt, 3, (int64_t)getpid());
		if (step_done(st, stmt, err) == -1)
			goto out;
	}
	rc = store_commit(st, err);
out:
	release(st, stmt);
	if (rc == -1) {
		store_rollback(st);
		store_outbox_free(*entries, *n);
		*entries = NULL;
		*n = 0;
	}
	return rc;
}

/* The processes holding claims at now. */
static int
claim_holders(struct store *st, int64_t now, int64_t **pids, size_t *n,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int step;

	*pids = NULL;
	*n = 0;
	if (prepare(st, "SELECT DISTINCT claimed_by FROM outbox WHERE status = "
	    "'queued' AND lease_until > ?1 AND claimed_by > 0", &stmt,
	    err) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		*pids = xrealloc(*pids, (*n + 1) * sizeof **pids);
		(*pids)[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	release(st, stmt);
	return step == SQLITE_DONE ? 0 : db_fail(st, err, "reading claims");
}

/* Frees pid's claims; *first is the lowest mail id it held (0: none). */
static int
release_claims(struct store *st, int64_t pid, int64_t *first,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "SELECT min(id) FROM outbox WHERE status = 'queued' "
	    "AND claimed_by = ?1", &stmt, err) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, pid);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		db_fail(st, err, "reading claims");
		goto out;
	}
	*first = sqlite3_column_int64(stmt, 0);
	release(st, stmt);
	stmt = NULL;
	if (prepare(st, "UPDATE outbox SET lease_until = 0, claimed_by = 0 "
	    "WHERE status = 'queued' AND claimed_by = ?1", &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, pid);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

int
store_outbox_release_orphans(struct store *st, int64_t now,
    int (*alive)(int64_t pid), int64_t **in_doubt, size_t *n,
    struct err *err)
{
	int64_t *pids = NULL, first;
	size_t npids = 0, i;
	int rc = -1;

	*in_doubt = NULL;
	*n = 0;
	if (store_begin(st, err) == -1)
		return -1;
	if (claim_holders(st, now, &pids, &npids, err) == -1)
		goto out;
	for (i = 0; i < npids; i++) {
		if (alive(pids[i]))
			continue;
		if (release_claims(st, pids[i], &first, err) == -1)
			goto out;
		if (first > 0) {
			*in_doubt = xrealloc(*in_doubt,
			    (*n + 1) * sizeof **in_doubt);
			(*in_doubt)[(*n)++] = first;
		}
	}
	rc = store_commit(st, err);
out:
	if (rc == -1) {
		store_rollback(st);
		free(*in_doubt);
		*in_doubt = NULL;
		*n = 0;
	}
	free(pids);
	return rc;
}

/*
 * Runs one UPDATE on outbox row ?1 with values ?2 ?3 (integers) and ?4
 * (text); a statement that uses fewer simply ignores the rest.
 */
static int
outbox_update(struct store *st, const char *sql, int64_t id, int64_t a,
    int64_t b, const char *text, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, sql, &stmt, err) == -1)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, a);
	sqlite3_bind_int64(stmt, 3, b);
	bind_text_or_null(stmt, 4, text);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

int
store_outbox_sent(struct store *st, int64_t id, int64_t now, struct err *err)
{
	return outbox_update(st, "UPDATE outbox SET status = 'sent', "
	    "attempts = attempts + 1, sent_at = ?2, last_error = NULL, "
	    "lease_until = 0 WHERE id = ?1", id, now,
	    0, NULL, err);
}

int
store_outbox_retry(struct store *st, int64_t id, int64_t next_attempt_at,
    int counted, const char *error, struct err *err)
{
	return outbox_update(st, "UPDATE outbox SET attempts = attempts + ?3, "
	    "next_attempt_at = ?2, last_error = ?4, lease_until = 0 "
	    "WHERE id = ?1", id, next_attempt_at, counted ? 1 : 0, error, err);
}

int
store_outbox_failed(struct store *st, int64_t id, const char *error,
    struct err *err)
{
	return outbox_update(st, "UPDATE outbox SET status = 'failed', "
	    "attempts = attempts + 1, last_error = ?4, lease_until = 0 "
	    "WHERE id = ?1", id, 0, 0, error, err);
}

void
store_outbox_entry_clear(struct outbox_entry *o)
{
	free(o->recipient);
	free(o->status);
	free(o->message_id);
	free(o->last_error);
	free(o->subject);
	free(o->message);
	memset(o, 0, sizeof *o);
}

void
store_outbox_free(struct outbox_entry *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_outbox_entry_clear(&list[i]);
	free(list);
}

/* ---- mail accounts' sign-in ---- */

#define AUTH_COLUMNS \
	"account, identity, state, refresh_token, access_token, expires_at, " \
	"refreshed_at, last_error, failures, retry_at, lease_until, " \
	"leased_by, notified"

int
store_auth_get(struct store *st, const char *account,
    struct mail_auth_row *a, int *found, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int step, rc = -1;

	memset(a, 0, sizeof *a);
	*found = 0;
	if (prepare(st, "SELECT " AUTH_COLUMNS " FROM mail_auth "
	    "WHERE account = ?1", &stmt, err) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, account, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		a->account = column_strdup(stmt, 0);
		a->identity = column_strdup(stmt, 1);
		a->state = column_strdup(stmt, 2);
		a->refresh_token = column_strdup(stmt, 3);
		a->access_token = column_strdup(stmt, 4);
		a->expires_at = sqlite3_column_int64(stmt, 5);
		a->refreshed_at = sqlite3_column_int64(stmt, 6);
		a->last_error = column_strdup(stmt, 7);
		a->failures = sqlite3_column_int64(stmt, 8);
		a->retry_at = sqlite3_column_int64(stmt, 9);
		a->lease_until = sqlite3_column_int64(stmt, 10);
		a->leased_by = sqlite3_column_int64(stmt, 11);
		a->notified = sqlite3_column_int(stmt, 12);
		*found = 1;
		rc = 0;
	} else if (step == SQLITE_DONE)
		rc = 0;
	else
		db_fail(st, err, "reading a mail account's sign-in");
	release(st, stmt);
	return rc;
}

int
store_auth_put(struct store *st, const struct mail_auth_row *a,
    struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (prepare(st, "INSERT OR REPLACE INTO mail_auth (" AUTH_COLUMNS
	    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	    &stmt, err) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, a->account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, a->identity, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, a->state, -1, SQLITE_TRANSIENT);
	bind_text_or_null(stmt, 4, a->refresh_token);
	bind_text_or_null(stmt, 5, a->access_token);
	sqlite3_bind_int64(stmt, 6, a->expires_at);
	sqlite3_bind_int64(stmt, 7, a->refreshed_at);
	bind_text_or_null(stmt, 8, a->last_error);
	sqlite3_bind_int64(stmt, 9, a->failures);
	sqlite3_bind_int64(stmt, 10, a->retry_at);
	sqlite3_bind_int64(stmt, 11, a->lease_until);
	sqlite3_bind_int64(stmt, 12, a->leased_by);
	sqlite3_bind_int(stmt, 13, a->notified);
	rc = step_done(st, stmt, err);
	release(st, stmt);
	return rc;
}

/* Tokens are wiped, not just freed: the row is a secret. */
static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
store_auth_clear(struct mail_auth_row *a)
{
	free(a->account);
	free(a->identity);
	free(a->state);
	free_secret(a->refresh_token);
	free_secret(a->access_token);
	free(a->last_error);
	memset(a, 0, sizeof *a);
}

/* ---- metrics ---- */

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
	int step;

	*counts = NULL;
	*n = 0;
	if (prepare(st, queries[what], &stmt, err) == -1)
		return -1;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		*counts = xrealloc(*counts, (*n + 1) * sizeof **counts);
		(*counts)[*n].key = column_strdup(stmt, 0);
		(*counts)[*n].n = sqlite3_column_int64(stmt, 1);
		(*n)++;
	}
	release(st, stmt);
	if (step != SQLITE_DONE) {
		store_counts_free(*counts, *n);
		*counts = NULL;
		*n = 0;
		return db_fail(st, err, "counting");
	}
	return 0;
}

void
store_counts_free(struct store_count *counts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(counts[i].key);
	free(counts);
}
