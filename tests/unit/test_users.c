/* test_users.c: console accounts and the audit in the store, the
 * account rules of user.c, and the schema's step to version 3. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store.h"
#include "support.h"
#include "support_db.h"
#include "user.h"

/* Stand-ins for Argon2id hashes: the store keeps them as text. */
#define HASH_A	"$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaC1h"
#define HASH_B	"$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaC1i"

struct fixture {
	char		 dir[64];
	char		*path;
	struct store	*st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err err;

	if (f == NULL || support_dir_make(f->dir, sizeof f->dir,
	    "test_users") == -1)
		return -1;
	f->path = calloc(1, SUPPORT_DB_MAX);
	if (f->path == NULL ||
	    support_db_make(f->path, SUPPORT_DB_MAX, f->dir) == -1 ||
	    store_open(f->path, &f->st, &err) == -1)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	support_db_drop(f->path);
	assert_int_equal(support_dir_remove(f->dir), 0);
	free(f->path);
	free(f);
	return 0;
}

/* raw_sql on PostgreSQL: a broken constraint, or a trigger's
 * exception, as SQLITE_CONSTRAINT. */
static int
pg_sql(const char *path, const char *sql, char **msg)
{
	const char *state;
	PGconn *c;
	PGresult *r;
	int rc = SQLITE_OK;

	c = PQconnectdb(path);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		rc = state != NULL && (strncmp(state, "23", 2) == 0 ||
		    strncmp(state, "P0", 2) == 0) ? SQLITE_CONSTRAINT :
		    SQLITE_ERROR;
	}
	if (msg != NULL)
		*msg = rc == SQLITE_OK ? NULL : xstrdup(PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* Runs SQL on a connection of its own: SQLite's answer code, and its
 * message in msg (caller frees) when msg is not NULL. */
static int
raw_sql(const char *path, const char *sql, char **msg)
{
	sqlite3 *db;
	char *m = NULL;
	int rc;

	if (support_pg() != NULL)
		return pg_sql(path, sql, msg);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	if (msg != NULL)
		*msg = m != NULL ? xstrdup(m) : NULL;
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	int64_t v;

	if (support_pg() != NULL)
		return support_pg_int(path, sql);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void
add(struct store *st, const char *name, enum user_role role)
{
	struct err err;

	if (store_user_add(st, name, role, HASH_A, 1000, &err) == -1)
		fail_msg("adding %s: %s", name, err.msg);
}

/* ---- the rules (user.c) ---- */

static void
test_names_and_roles(void **state)
{
	static const struct {
		const char	*name;
		int		 ok;
	} names[] = {
		{ "alice", 1 },
		{ "Alice.Smith", 1 },
		{ "ops-1_team@msp.example", 1 },
		{ "7th", 1 },
		{ "a", 1 },
		{ "", 0 },
		{ ".alice", 0 },
		{ "-alice", 0 },
		{ "@alice", 0 },
		{ "al ice", 0 },
		{ "al\tice", 0 },
		{ "al/ice", 0 },
		{ "al'ice", 0 },
		{ "j\xc3\xbcrgen", 0 },
		{ "cli", 0 },
		{ "CLI", 0 },
		{ "clio", 1 },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaa", 1 },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaa", 0 },
	};
	enum user_role role;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (user_name_check(names[i].name, &err) !=
		    (names[i].ok ? 0 : -1))
			fail_msg("name '%s'", names[i].name);
		if (!names[i].ok)
			assert_int_equal(err.kind, ERR_INPUT);
	}
	for (i = 0; i < ROLE_COUNT; i++) {
		assert_int_equal(user_role_parse(user_role_name(
		    (enum user_role)i), &role, &err), 0);
		assert_int_equal(role, i);
	}
	assert_string_equal(user_role_name(ROLE_VIEWER), "viewer");
	assert_string_equal(user_role_name(ROLE_OPERATOR), "operator");
	assert_string_equal(user_role_name(ROLE_ADMIN), "admin");
	assert_string_equal(user_role_name((enum user_role)7), "unknown");
	assert_int_equal(user_role_parse("Admin", &role, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_non_null(strstr(err.msg, "viewer, operator or admin"));
	assert_int_equal(user_role_parse("root", &role, &err), -1);
	assert_int_equal(user_role_parse("", &role, &err), -1);
}

static void
test_last_admin_rule(void **state)
{
	static const struct {
		enum user_role	 from;
		int		 to;	/* -1: deleted */
		int64_t		 admins;
		int		 ok;
	} rows[] = {
		{ ROLE_ADMIN, -1, 1, 0 },
		{ ROLE_ADMIN, ROLE_OPERATOR, 1, 0 },
		{ ROLE_ADMIN, ROLE_VIEWER, 1, 0 },
		{ ROLE_ADMIN, ROLE_ADMIN, 1, 1 },
		{ ROLE_ADMIN, -1, 2, 1 },
		{ ROLE_ADMIN, ROLE_VIEWER, 2, 1 },
		{ ROLE_OPERATOR, -1, 0, 1 },
		{ ROLE_VIEWER, ROLE_OPERATOR, 0, 1 },
		{ ROLE_VIEWER, ROLE_ADMIN, 0, 1 },
	};
	static char root[] = "root";
	struct console_user u = { 0 };
	struct err err;
	size_t i;

	(void)state;
	u.name = root;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (user_keeps_an_admin(rows[i].from, rows[i].to,
		    rows[i].admins) != rows[i].ok)
			fail_msg("row %zu", i);
		u.role = rows[i].from;
		err_clear(&err);
		if (user_keep_an_admin(&u, rows[i].to, rows[i].admins,
		    &err) != (rows[i].ok ? 0 : -1))
			fail_msg("row %zu: %s", i, err.msg);
		if (!rows[i].ok)
			assert_string_equal(err.msg, "'root' is the last "
			    "admin: make another account admin first");
	}
}

/* ---- accounts in the store ---- */

static void
test_add_get_list(void **state)
{
	struct fixture *f = *state;
	struct console_user u, *list;
	struct err err;
	int64_t n;
	size_t count;

	add(f->st, "bob", ROLE_VIEWER);
	assert_int_equal(store_user_add(f->st, "alice", ROLE_ADMIN, HASH_B,
	    2000, &err), 0);

	assert_int_equal(store_user_get(f->st, "alice", &u, &err), 0);
	assert_true(u.id > 0);
	assert_string_equal(u.name, "alice");
	assert_int_equal(u.role, ROLE_ADMIN);
	assert_string_equal(u.password_hash, HASH_B);
	assert_int_equal(u.must_change_password, 1);
	assert_null(u.totp_secret);
	assert_int_equal(u.totp_last_step, 0);
	assert_string_equal(u.recovery_hashes, "");
	assert_int_equal(u.failed_signins, 0);
	assert_int_equal(u.signin_not_before, 0);
	assert_int_equal(u.created_at, 2000);
	assert_int_equal(u.password_changed_at, 2000);
	user_clear(&u);
	user_clear(&u);
	user_clear(NULL);

	/* Found whatever the case. */
	assert_int_equal(store_user_get(f->st, "ALICE", &u, &err), 0);
	assert_string_equal(u.name, "alice");
	user_clear(&u);

	assert_int_equal(store_user_get(f->st, "carol", &u, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(err.msg, "no user 'carol'");
	assert_null(u.name);

	/* By name. */
	assert_int_equal(store_user_list(f->st, &list, &count, &err), 0);
	assert_int_equal(count, 2);
	assert_string_equal(list[0].name, "alice");
	assert_string_equal(list[1].name, "bob");
	assert_int_equal(list[1].role, ROLE_VIEWER);
	store_users_free(list, count);

	assert_int_equal(store_user_count(f->st, ROLE_ADMIN, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_user_count(f->st, ROLE_OPERATOR, &n, &err), 0);
	assert_int_equal(n, 0);
}

static void
test_duplicate_refused(void **state)
{
	struct fixture *f = *state;
	struct console_user *list;
	struct err err;
	size_t n;

	add(f->st, "alice", ROLE_ADMIN);
	assert_int_equal(store_user_add(f->st, "alice", ROLE_VIEWER, HASH_B,
	    1, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(err.msg, "a user named 'alice' exists already");
	/* A name differing only in case is the same name. */
	assert_int_equal(store_user_add(f->st, "Alice", ROLE_VIEWER, HASH_B,
	    1, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(store_user_list(f->st, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].role, ROLE_ADMIN);
	assert_string_equal(list[0].password_hash, HASH_A);
	store_users_free(list, n);
}

/* A session row as the console will write it. */
static void
add_session(const char *path, const char *name, const char *hash)
{
	char *sql;

	sql = xasprintf("INSERT INTO console_session (id_hash, user_id, "
	    "created_at, last_seen_at, address, csrf_token) SELECT '%s', id, "
	    "1, 1, '127.0.0.1', 'csrf' FROM console_user WHERE name = '%s'",
	    hash, name);
	assert_int_equal(raw_sql(path, sql, NULL), SQLITE_OK);
	free(sql);
}

static int64_t
sessions_of(const char *path, const char *name)
{
	char *sql;
	int64_t n;

	sql = xasprintf("SELECT count(*) FROM console_session WHERE user_id "
	    "IN (SELECT id FROM console_user WHERE name = '%s')", name);
	n = raw_int(path, sql);
	free(sql);
	return n;
}

static void
test_changes(void **state)
{
	struct fixture *f = *state;
	struct console_user u;
	struct err err;

	add(f->st, "alice", ROLE_ADMIN);
	add(f->st, "bob", ROLE_VIEWER);
	add_session(f->path, "alice", "s1");
	add_session(f->path, "bob", "s2");
	add_session(f->path, "bob", "s3");

	/* A role: the sessions stay. */
	assert_int_equal(store_user_set_role(f->st, "Bob", ROLE_OPERATOR,
	    &err), 0);
	assert_int_equal(store_user_get(f->st, "bob", &u, &err), 0);
	assert_int_equal(u.role, ROLE_OPERATOR);
	user_clear(&u);
	assert_int_equal(sessions_of(f->path, "bob"), 2);

	/* A password: the throttle and the sessions go. */
	assert_int_equal(raw_sql(f->path, "UPDATE console_user SET "
	    "failed_signins = 5, signin_not_before = 99 WHERE name = 'bob'",
	    NULL), SQLITE_OK);
	assert_int_equal(store_user_set_password(f->st, "bob", HASH_B, 0, 3000,
	    &err), 0);
	assert_int_equal(store_user_get(f->st, "bob", &u, &err), 0);
	assert_string_equal(u.password_hash, HASH_B);
	assert_int_equal(u.must_change_password, 0);
	assert_int_equal(u.password_changed_at, 3000);
	assert_int_equal(u.failed_signins, 0);
	assert_int_equal(u.signin_not_before, 0);
	user_clear(&u);
	assert_int_equal(sessions_of(f->path, "bob"), 0);
	assert_int_equal(sessions_of(f->path, "alice"), 1);
	assert_int_equal(store_user_set_password(f->st, "bob", HASH_A, 1, 3001,
	    &err), 0);
	assert_int_equal(store_user_get(f->st, "bob", &u, &err), 0);
	assert_int_equal(u.must_change_password, 1);
	user_clear(&u);

	/* TOTP: secret, step and recovery codes forgotten. */
	assert_int_equal(raw_sql(f->path, "UPDATE console_user SET "
	    "totp_secret = 'MZXW6YTBOI', totp_last_step = 42, "
	    "recovery_hashes = 'ab cd' WHERE name = 'alice'", NULL),
	    SQLITE_OK);
	assert_int_equal(store_user_get(f->st, "alice", &u, &err), 0);
	assert_string_equal(u.totp_secret, "MZXW6YTBOI");
	assert_int_equal(u.totp_last_step, 42);
	assert_string_equal(u.recovery_hashes, "ab cd");
	user_clear(&u);
	assert_int_equal(store_user_reset_totp(f->st, "alice", &err), 0);
	assert_int_equal(store_user_get(f->st, "alice", &u, &err), 0);
	assert_null(u.totp_secret);
	assert_int_equal(u.totp_last_step, 0);
	assert_string_equal(u.recovery_hashes, "");
	user_clear(&u);
	assert_int_equal(sessions_of(f->path, "alice"), 0);

	/* Deleting takes the sessions along. */
	add_session(f->path, "bob", "s4");
	assert_int_equal(store_user_delete(f->st, "bob", &err), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM "
	    "console_session"), 0);
	assert_int_equal(store_user_get(f->st, "bob", &u, &err), -1);
	/* The name is free again. */
	add(f->st, "bob", ROLE_VIEWER);
}

static void
test_unknown_user(void **state)
{
	struct fixture *f = *state;
	struct err err;

	add(f->st, "alice", ROLE_ADMIN);
	assert_int_equal(store_user_set_role(f->st, "zed", ROLE_ADMIN, &err),
	    -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(err.msg, "no user 'zed'");
	assert_int_equal(store_user_set_password(f->st, "zed", HASH_B, 1, 1,
	    &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(store_user_delete(f->st, "zed", &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(store_user_reset_totp(f->st, "zed", &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM console_user"),
	    1);
}

/* The schema refuses what no operation writes. */
static void
test_schema_checks(void **state)
{
	struct fixture *f = *state;

	SUPPORT_SQLITE_ONLY();

	assert_int_equal(raw_sql(f->path, "INSERT INTO console_user (name, "
	    "role, password_hash, created_at, password_changed_at) VALUES "
	    "('x', 'root', 'h', 1, 1)", NULL), SQLITE_CONSTRAINT);
	add(f->st, "alice", ROLE_ADMIN);
	assert_int_equal(raw_sql(f->path, "INSERT INTO console_session "
	    "(id_hash, user_id, created_at, last_seen_at, address, csrf_token) "
	    "VALUES ('h', 99, 1, 1, '', '')", NULL), SQLITE_OK);
	/* Off on a raw connection, foreign keys hold on the store's. */
	assert_int_equal(raw_sql(f->path, "PRAGMA foreign_keys = ON; "
	    "INSERT INTO console_session (id_hash, user_id, created_at, "
	    "last_seen_at, address, csrf_token) VALUES ('h2', 99, 1, 1, '', "
	    "'')", NULL), SQLITE_CONSTRAINT);
	add_session(f->path, "alice", "same");
	assert_int_equal(raw_sql(f->path, "INSERT INTO console_session "
	    "(id_hash, user_id, created_at, last_seen_at, address, csrf_token) "
	    "SELECT 'same', id, 1, 1, '', '' FROM console_user", NULL),
	    SQLITE_CONSTRAINT);
}

/* ---- the audit ---- */

static void
audit(struct store *st, int64_t at, const char *action, const char *target,
    const char *outcome)
{
	struct audit_note a = { at, USER_CLI, NULL, action, target, outcome,
	    NULL };
	struct err err;

	if (store_audit_add(st, &a, &err) == -1)
		fail_msg("%s", err.msg);
}

static void
test_audit_list(void **state)
{
	struct fixture *f = *state;
	struct audit_note full = { 50, "alice", "192.0.2.7", "signin", "alice",
	    "failed", "wrong password" };
	struct audit_entry *list;
	struct err err;
	int64_t before;
	size_t n;

	assert_int_equal(store_audit_list(f->st, 0, 10, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	audit(f->st, 10, "user.add", "alice", "ok");
	audit(f->st, 20, "user.role", "alice", "refused");
	assert_int_equal(store_audit_add(f->st, &full, &err), 0);

	/* Newest first. */
	assert_int_equal(store_audit_list(f->st, 0, 10, &list, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].at, 50);
	assert_string_equal(list[0].user, "alice");
	assert_string_equal(list[0].address, "192.0.2.7");
	assert_string_equal(list[0].action, "signin");
	assert_string_equal(list[0].target, "alice");
	assert_string_equal(list[0].outcome, "failed");
	assert_string_equal(list[0].detail, "wrong password");
	assert_int_equal(list[2].at, 10);
	assert_string_equal(list[2].user, "cli");
	assert_string_equal(list[2].address, "");
	assert_string_equal(list[2].detail, "");
	store_audit_free(list, n);

	/* A page at a time. */
	assert_int_equal(store_audit_list(f->st, 0, 2, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[1].at, 20);
	before = list[1].id;
	store_audit_free(list, n);
	assert_int_equal(store_audit_list(f->st, before, 2, &list, &n, &err),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].at, 10);
	store_audit_free(list, n);
}

static void
test_audit_append_only(void **state)
{
	struct fixture *f = *state;
	char *msg;

	audit(f->st, 10, "user.add", "alice", "ok");
	audit(f->st, 20, "user.del", "alice", "ok");
	assert_int_equal(raw_sql(f->path, "UPDATE audit SET outcome = "
	    "'refused' WHERE id = 1", &msg), SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "append-only"));
	free(msg);
	assert_int_equal(raw_sql(f->path, "DELETE FROM audit WHERE id = 2",
	    &msg), SQLITE_CONSTRAINT);
	assert_non_null(strstr(msg, "append-only"));
	free(msg);
	assert_int_equal(raw_sql(f->path, "DELETE FROM audit", NULL),
	    SQLITE_CONSTRAINT);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit "
	    "WHERE outcome = 'ok'"), 2);
	/* Deleting an account leaves its rows. */
	add(f->st, "alice", ROLE_ADMIN);
	add(f->st, "root2", ROLE_ADMIN);
	assert_int_equal(raw_sql(f->path, "DELETE FROM console_user WHERE "
	    "name = 'alice'", NULL), SQLITE_OK);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), 2);
}

/* ---- the schema's step from version 2 ---- */

/*
 * Version 3 only adds tables to version 2, so a version-2 database is
 * made from a new one without them.  Its rows must all be there after
 * the step, and the new tables work.
 */
static void
test_migrate_from_2(void **state)
{
	struct fixture *f = *state;
	struct plan p = { 0 };
	struct tenant t;
	struct console_user u;
	struct store *st;
	struct err err;
	char *path;
	int64_t plan_id, tenant_id;

	SUPPORT_SQLITE_ONLY();

	path = support_path(f->dir, "v2.db");
	assert_int_equal(store_open(path, &st, &err), 0);
	p.name = xstrdup("Gold");
	p.edition = xstrdup("enterprise");
	p.products = WORKLOAD_BIT(WORKLOAD_M365);
	assert_int_equal(store_plan_add(st, &p, 100, &plan_id, &err), 0);
	plan_clear(&p);
	tenant_init(&t);
	t.name = xstrdup("M\xc3\xbcller GmbH");
	t.customer_admin = xstrdup("it@mueller.example");
	t.msp_admin = xstrdup("msp@partner.example");
	t.edition = xstrdup("enterprise");
	t.workloads = WORKLOAD_BIT(WORKLOAD_M365);
	assert_int_equal(store_tenant_add(st, &t, 200, &tenant_id, &err), 0);
	tenant_clear(&t);
	assert_int_equal(store_history_add(st, tenant_id, 300, STATE_NEW,
	    STATE_NEW, "cli", "registered", &err), 0);
	store_close(st);
	assert_int_equal(raw_sql(path, "DROP TABLE audit; "
	    "DROP TABLE console_session; DROP TABLE console_user; "
	    "DROP INDEX inbound_by_tenant; DROP INDEX inbound_by_outcome; "
	    "ALTER TABLE tenants DROP COLUMN language; "
	    "DROP INDEX outbox_queued; DROP INDEX outbox_failed; "
	    "CREATE INDEX outbox_due ON outbox(status, next_attempt_at); "
	    "PRAGMA user_version = 2", NULL), SQLITE_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE name LIKE 'console%' OR name LIKE 'audit%'"), 0);

	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(raw_int(path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(STORE_SCHEMA_VERSION, 6);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'index' AND tbl_name = 'inbound' "
	    "AND name LIKE 'inbound_by_%'"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'trigger' AND tbl_name = 'audit'"), 2);
	/* 4: the pending mark of a session, the audit by address. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM "
	    "pragma_table_info('console_session') WHERE name = 'pending'"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE name = 'audit_by_address'"), 1);
	/* 5: a tenant's language, the default for those already there. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM tenants "
	    "WHERE language IS NULL"), 1);
	assert_int_equal(store_plan_get(st, plan_id, &p, &err), 0);
	assert_string_equal(p.name, "Gold");
	plan_clear(&p);
	assert_int_equal(store_tenant_get(st, tenant_id, &t, &err), 0);
	assert_string_equal(t.name, "M\xc3\xbcller GmbH");
	assert_int_equal(t.state, STATE_NEW);
	tenant_clear(&t);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM history"), 1);

	assert_int_equal(store_user_add(st, "alice", ROLE_ADMIN, HASH_A, 400,
	    &err), 0);
	assert_int_equal(store_user_get(st, "alice", &u, &err), 0);
	assert_int_equal(u.created_at, 400);
	user_clear(&u);
	audit(st, 400, "user.add", "alice", "ok");
	store_close(st);

	/* Opening again changes nothing. */
	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM audit"), 1);
	store_close(st);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_roles),
		cmocka_unit_test(test_last_admin_rule),
		cmocka_unit_test_setup_teardown(test_add_get_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_user, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_schema_checks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_append_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_2, setup,
		    teardown),
	};

	store_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
