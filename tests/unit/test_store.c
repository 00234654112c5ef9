/* test_store.c: the store on a real database: an SQLite file, or with
 * MSCAGENT_TEST_PG a PostgreSQL database (support_db.h).  One contract
 * for both engines; the tests of what only SQLite has (its files, its
 * PRAGMAs, its migrations from version 1) skip on PostgreSQL. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <sqlite3.h>

#include "date.h"
#include "store.h"
#include "store_bulk.h"

#include "support.h"
#include "support_db.h"

struct fixture {
	char		 dir[64];
	char		 path[SUPPORT_DB_MAX];
	struct store	*st;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err err;

	assert_non_null(f);
	assert_int_equal(support_dir_make(f->dir, sizeof f->dir, "test_store"),
	    0);
	assert_int_equal(support_db_make(f->path, sizeof f->path, f->dir), 0);
	assert_int_equal(store_open(f->path, &f->st, &err), 0);
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
	free(f);
	return 0;
}

static void
sample_tenant(struct tenant *t, const char *name)
{
	tenant_init(t);
	t->name = strdup(name);
	t->customer_admin = strdup("admin@customer.test");
	t->msp_admin = strdup("msp@provider.test");
	t->edition = strdup("enterprise");
	t->workloads = WORKLOAD_BIT(WORKLOAD_M365) |
	    WORKLOAD_BIT(WORKLOAD_ENDPOINTS);
	assert_int_equal(date_parse("2027-03-01", &t->expires[WORKLOAD_M365]), 0);
	assert_int_equal(date_parse("2031-01-01",
	    &t->expires[WORKLOAD_ENDPOINTS]), 0);
}

static int64_t
add_tenant(struct store *st, const char *name)
{
	struct tenant t;
	struct err err;
	int64_t id;

	sample_tenant(&t, name);
	assert_int_equal(store_tenant_add(st, &t, 1000, &id, &err), 0);
	tenant_clear(&t);
	return id;
}

static int
pragma_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	int v;

	if (support_pg() != NULL)
		return (int)support_pg_int(path, sql);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static void
test_schema_and_pragmas(void **state)
{
	struct fixture *f = *state;
	struct store *again;
	struct err err;
	sqlite3 *db;

	SUPPORT_SQLITE_ONLY();

	assert_int_equal(pragma_int(f->path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_true(store_ping(f->st));
	/* Opening again is a no-op upgrade. */
	assert_int_equal(store_open(f->path, &again, &err), 0);
	store_close(again);
	/* A newer schema is refused, not damaged. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, &again, &err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "newer"));
	assert_int_equal(pragma_int(f->path, "PRAGMA user_version"), 99);
}

static void
test_open_failure(void **state)
{
	struct store *st;
	struct err err;

	SUPPORT_SQLITE_ONLY();

	(void)state;
	assert_int_equal(store_open("/nonexistent/dir/agent.db", &st, &err),
	    -1);
	assert_null(st);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/agent.db"));
}

/* A new database and its WAL are private whatever the umask; an
 * existing file keeps its mode. */
static void
test_new_file_private(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	struct stat sb;
	struct err err;
	char path[128], wal[136];
	mode_t mask;

	SUPPORT_SQLITE_ONLY();

	snprintf(path, sizeof path, "%s/new.db", f->dir);
	snprintf(wal, sizeof wal, "%s-wal", path);
	mask = umask(022);
	assert_int_equal(store_open(path, &st, &err), 0);
	add_tenant(st, "Private Ltd");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	store_close(st);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(store_open(path, &st, &err), 0);
	store_close(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	umask(mask);
}

static void
test_plans(void **state)
{
	struct fixture *f = *state;
	char saas[] = "Enterprise SaaS", unicode[] = "Ünïcode 計画";
	char edition[] = "enterprise";
	struct plan p = { 0 }, *list, found;
	struct err err;
	int64_t id1, id2, dup;
	size_t n;

	p.name = saas;
	p.edition = edition;
	p.products = WORKLOAD_SAAS;
	assert_int_equal(store_plan_add(f->st, &p, 1, &id1, &err), 0);
	p.name = unicode;
	p.products = WORKLOAD_ALL;
	assert_int_equal(store_plan_add(f->st, &p, 1, &id2, &err), 0);
	assert_int_equal(store_plan_add(f->st, &p, 1, &dup, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_non_null(strstr(err.msg, "exists"));

	assert_int_equal(store_plan_list(f->st, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].name, "Ünïcode 計画");
	assert_int_equal(list[0].products, WORKLOAD_SAAS);
	store_plans_free(list, n);

	assert_int_equal(store_plan_find(f->st, "2", &found, &err), 0);
	assert_int_equal(found.id, id2);
	plan_clear(&found);
	assert_int_equal(store_plan_find(f->st, "Enterprise SaaS", &found,
	    &err), 0);
	assert_int_equal(found.id, id1);
	plan_clear(&found);
	assert_int_equal(store_plan_find(f->st, "nope' OR '1'='1", &found,
	    &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
}

/* A list longer than the first allocation keeps every row in order;
 * one damaged row fails the whole list and leaves nothing to free. */
static void
test_list_grows_and_fails_whole(void **state)
{
	struct fixture *f = *state;
	char name[32], edition[] = "enterprise";
	struct plan p = { 0 }, *list;
	struct err err;
	int64_t id;
	size_t n, i;
	sqlite3 *db;

	p.name = name;
	p.edition = edition;
	p.products = WORKLOAD_SAAS;
	for (i = 1; i <= 20; i++) {
		snprintf(name, sizeof name, "plan %zu", i);
		assert_int_equal(store_plan_add(f->st, &p, 1, &id, &err), 0);
	}
	assert_int_equal(store_plan_list(f->st, &list, &n, &err), 0);
	assert_int_equal(n, 20);
	for (i = 0; i < n; i++)
		assert_int_equal(list[i].id, (int64_t)i + 1);
	assert_string_equal(list[19].name, "plan 20");
	store_plans_free(list, n);

	if (support_pg() != NULL)
		assert_int_equal(support_pg_exec(f->path, "UPDATE plans SET "
		    "products = 'no such' WHERE id = 12"), 0);
	else {
		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "UPDATE plans SET products = "
		    "'no such' WHERE id = 12", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	list = (struct plan *)&p;	/* must be overwritten */
	assert_int_equal(store_plan_list(f->st, &list, &n, &err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "plan 12"));
	assert_null(list);
	assert_int_equal(n, 0);
}

static void
test_tenant_round_trip(void **state)
{
	struct fixture *f = *state;
	struct tenant t;
	struct err err;
	int64_t id;

	id = add_tenant(f->st, "Müller & Söhne — 株式会社 🚀 \"; DROP TABLE x; --");
	assert_int_equal(store_tenant_get(f->st, id, &t, &err), 0);
	assert_string_equal(t.name,
	    "Müller & Söhne — 株式会社 🚀 \"; DROP TABLE x; --");
	assert_int_equal(t.state, STATE_NEW);
	assert_int_equal(t.generation, 1);
	assert_int_equal(t.workloads, WORKLOAD_BIT(WORKLOAD_M365) |
	    WORKLOAD_BIT(WORKLOAD_ENDPOINTS));
	assert_int_equal(t.expires[WORKLOAD_HYBRID], DATE_NONE);
	assert_int_equal(t.expires[WORKLOAD_M365],
	    date_from_civil(2027, 3, 1));
	assert_int_equal(t.after[WORKLOAD_M365], DATE_NONE);
	assert_int_equal(t.created_at, 1000);
	tenant_clear(&t);

	assert_int_equal(store_tenant_get(f->st, id + 1, &t, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_string_equal(err.msg, "no tenant 2");
}

static void
test_transition_is_guarded(void **state)
{
	struct fixture *f = *state;
	struct tenant t;
	struct err err;
	int64_t id;

	id = add_tenant(f->st, "Guarded");
	assert_int_equal(store_tenant_get(f->st, id, &t, &err), 0);
	t.state = STATE_BLOCKED;
	strvec_push(&t.blocked_reasons, "first reason");
	strvec_push(&t.blocked_reasons, "second reason");
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(store_tenant_transition(f->st, &t, STATE_NEW, 2000,
	    &err), 0);
	/* The same move again finds the state gone. */
	assert_int_equal(store_tenant_transition(f->st, &t, STATE_NEW, 2000,
	    &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_int_equal(store_commit(f->st, &err), 0);
	tenant_clear(&t);

	assert_int_equal(store_tenant_get(f->st, id, &t, &err), 0);
	assert_int_equal(t.state, STATE_BLOCKED);
	assert_int_equal(t.state_since, 2000);
	assert_int_equal(t.blocked_reasons.n, 2);
	assert_string_equal(t.blocked_reasons.v[1], "second reason");
	tenant_clear(&t);
}

/* How a transition changes the licences, if at all. */
struct licence_row {
	const char	*name;
	int		 workload;
	unsigned int	 workloads;	/* 0: as the sample has them */
	const char	*expires;	/* NULL: unchanged, "": none */
	const char	*after;		/* NULL: unchanged */
	int		 rows;		/* licence rows stored after it */
};

static const struct licence_row licence_rows[] = {
	{ "unchanged", WORKLOAD_M365, 0, NULL, NULL, 2 },
	{ "after migration set", WORKLOAD_M365, 0, NULL, "2028-01-01", 2 },
	{ "expiry moved", WORKLOAD_ENDPOINTS, 0, "2032-02-02", NULL, 2 },
	{ "expiry dropped, workload kept", WORKLOAD_M365, 0, "", NULL, 2 },
	{ "workload and expiry dropped", WORKLOAD_M365,
	  WORKLOAD_BIT(WORKLOAD_ENDPOINTS), "", NULL, 1 },
	{ "workload added without dates", WORKLOAD_GWS,
	  WORKLOAD_BIT(WORKLOAD_M365) | WORKLOAD_BIT(WORKLOAD_ENDPOINTS) |
	  WORKLOAD_BIT(WORKLOAD_GWS), NULL, NULL, 3 },
	{ "expiry for no workload", WORKLOAD_HYBRID, 0, "2029-09-09", NULL, 3 },
};

static int
licence_count(const char *path, int64_t id)
{
	char sql[96];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM licences WHERE "
	    "tenant_id = %lld", (long long)id);
	return pragma_int(path, sql);
}

static void
change_licence(struct tenant *t, const struct licence_row *r)
{
	if (r->workloads != 0)
		t->workloads = r->workloads;
	if (r->expires != NULL && *r->expires == '\0')
		t->expires[r->workload] = DATE_NONE;
	else if (r->expires != NULL)
		assert_int_equal(date_parse(r->expires,
		    &t->expires[r->workload]), 0);
	if (r->after != NULL)
		assert_int_equal(date_parse(r->after, &t->after[r->workload]),
		    0);
}

/* A transition stores the licences it is given, changed or not. */
static void
test_transition_licences(void **state)
{
	struct fixture *f = *state;
	const struct licence_row *r;
	struct tenant t, back;
	struct err err;
	int64_t id;
	size_t i;
	int w;

	for (i = 0; i < sizeof licence_rows / sizeof licence_rows[0]; i++) {
		r = &licence_rows[i];
		id = add_tenant(f->st, r->name);
		assert_int_equal(store_tenant_get(f->st, id, &t, &err), 0);
		change_licence(&t, r);
		t.state = STATE_AWAITING_APPROVAL;
		assert_int_equal(store_begin(f->st, &err), 0);
		assert_int_equal(store_tenant_transition(f->st, &t, STATE_NEW,
		    2000, &err), 0);
		assert_int_equal(store_commit(f->st, &err), 0);
		assert_int_equal(store_tenant_get(f->st, id, &back, &err), 0);
		for (w = 0; w < WORKLOAD_COUNT; w++) {
			assert_int_equal(back.expires[w], t.expires[w]);
			assert_int_equal(back.after[w], t.after[w]);
		}
		assert_int_equal(licence_count(f->path, id), r->rows);
		tenant_clear(&back);
		tenant_clear(&t);
	}
}

/* Each row sets a mark, then reads back what is kept. */
struct mark_row {
	const char	*mailbox;
	uint32_t	 validity, last;	/* set */
	uint32_t	 want_validity, want_last;
};

static const struct mark_row mark_rows[] = {
	{ "imap://a@h:143/INBOX", 7, 5, 7, 5 },
	{ "imap://a@h:143/INBOX", 7, 3, 7, 5 },	/* never back */
	{ "imap://a@h:143/INBOX", 7, 9, 7, 9 },
	{ "imap://a@h:143/INBOX", 8, 2, 8, 2 },	/* a new mailbox */
	{ "imap://a@h:143/INBOX", 7, 50, 7, 50 },
	{ "imap://b@h:143/INBOX", 7, 1, 7, 1 },	/* another account */
	{ "imap://a@h:143/INBOX", 7, UINT32_MAX, 7, UINT32_MAX },
};

static void
test_mailbox_mark(void **state)
{
	struct fixture *f = *state;
	uint32_t v, last;
	struct err err;
	size_t i;

	assert_int_equal(store_mailbox_get(f->st, "imap://none@h/INBOX", &v,
	    &last, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(last, 0);
	for (i = 0; i < sizeof mark_rows / sizeof mark_rows[0]; i++) {
		assert_int_equal(store_mailbox_set(f->st, mark_rows[i].mailbox,
		    mark_rows[i].validity, mark_rows[i].last, &err), 0);
		assert_int_equal(store_mailbox_get(f->st, mark_rows[i].mailbox,
		    &v, &last, &err), 0);
		assert_int_equal(v, mark_rows[i].want_validity);
		assert_int_equal(last, mark_rows[i].want_last);
	}
	/* The other account's mark is its own. */
	assert_int_equal(store_mailbox_get(f->st, "imap://b@h:143/INBOX", &v,
	    &last, &err), 0);
	assert_int_equal(last, 1);
}

/* After store_sync and store_checkpoint the log holds nothing a
 * checkpoint could still copy. */
static void
test_sync(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	struct err err;

	SUPPORT_SQLITE_ONLY();

	assert_int_equal(store_sync(f->st, &err), 0);	/* nothing new */
	add_tenant(f->st, "Synced");
	assert_int_equal(store_sync(f->st, &err), 0);
	store_checkpoint(f->st);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(PASSIVE)",
	    -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(stmt, 0), 0);	/* not busy */
	assert_int_equal(sqlite3_column_int(stmt, 1),
	    sqlite3_column_int(stmt, 2));	/* all copied already */
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/* Tenants another connection sees. */
static int
tenants_outside(const char *path)
{
	return pragma_int(path, "SELECT count(*) FROM tenants");
}

/* A step that adds tenant name and stands (in a batch: is released). */
static void
kept_step(struct fixture *f, const char *name)
{
	struct err err;

	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, name);
	assert_int_equal(store_commit(f->st, &err), 0);
}

/* In a batch each step stands or falls alone, and nothing is seen
 * outside before the batch commits. */
static void
test_batch(void **state)
{
	struct fixture *f = *state;
	struct err err;

	assert_int_equal(store_batch_begin(f->st, &err), 0);
	kept_step(f, "Kept");
	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, "Undone");
	store_rollback(f->st);
	kept_step(f, "Kept too");
	assert_int_equal(tenants_outside(f->path), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, "Left open");
	assert_int_equal(store_batch_commit(f->st, &err), 0);
	assert_int_equal(tenants_outside(f->path), 2);
	/* After the batch, transactions are whole again. */
	add_tenant(f->st, "Alone");
	assert_int_equal(tenants_outside(f->path), 3);
	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, "Rolled back");
	store_rollback(f->st);
	assert_int_equal(tenants_outside(f->path), 3);
}

/* A batch rolled back takes its released steps with it. */
static void
test_batch_rollback(void **state)
{
	struct fixture *f = *state;
	struct err err;

	add_tenant(f->st, "Before");
	assert_int_equal(store_batch_begin(f->st, &err), 0);
	kept_step(f, "Released");
	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, "Open");
	store_batch_rollback(f->st);
	assert_int_equal(tenants_outside(f->path), 1);
	/* And transactions are whole again. */
	add_tenant(f->st, "After");
	assert_int_equal(tenants_outside(f->path), 2);
}

/* Tried without savepoints: a step undone before it changed a row is
 * undone by doing nothing, and the batch goes on. */
static void
test_batch_tried(void **state)
{
	struct fixture *f = *state;
	struct err err;

	assert_int_equal(store_batch_try(f->st, &err), 0);
	kept_step(f, "Kept");
	assert_int_equal(store_begin(f->st, &err), 0);
	store_rollback(f->st);
	kept_step(f, "Kept too");
	assert_int_equal(tenants_outside(f->path), 0);
	assert_int_equal(store_batch_commit(f->st, &err), 0);
	assert_int_equal(tenants_outside(f->path), 2);
}

/*
 * A step undone after it wrote spoils the tried batch: no step begins
 * after it, and the batch's commit undoes all of it and asks for it to
 * be run again.  So does a step left open with a change.  (PostgreSQL
 * cannot count a step's changes: its batches are never tried.)
 */
static void
test_batch_tried_spoiled(void **state)
{
	struct fixture *f = *state;
	struct err err;

	SUPPORT_SQLITE_ONLY();

	add_tenant(f->st, "Before");
	assert_int_equal(store_batch_try(f->st, &err), 0);
	kept_step(f, "Released");
	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, "Undone");
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st, &err), -1);
	assert_non_null(strstr(err.msg, "its batch is run again"));
	assert_int_equal(store_batch_commit(f->st, &err), STORE_BATCH_AGAIN);
	assert_int_equal(tenants_outside(f->path), 1);
	/* Transactions are whole again. */
	add_tenant(f->st, "After");
	assert_int_equal(tenants_outside(f->path), 2);

	assert_int_equal(store_batch_try(f->st, &err), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, "Left open");
	assert_int_equal(store_batch_commit(f->st, &err), STORE_BATCH_AGAIN);
	assert_int_equal(tenants_outside(f->path), 2);
	/* A batch after a spoiled one is tried afresh. */
	assert_int_equal(store_batch_try(f->st, &err), 0);
	kept_step(f, "Afresh");
	assert_int_equal(store_batch_commit(f->st, &err), 0);
	assert_int_equal(tenants_outside(f->path), 3);
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void *
checkpoint_passive(void *st)
{
	store_checkpoint_passive(st);
	return NULL;
}

/* From another thread, while a batch is open: what was committed goes
 * into the database file, and the batch goes on. */
static void
test_checkpoint_passive(void **state)
{
	struct fixture *f = *state;
	struct err err;
	pthread_t thread;
	off_t before;
	char name[32];
	int i;

	SUPPORT_SQLITE_ONLY();

	store_bulk(f->st, 1);
	before = file_size(f->path);
	assert_int_equal(store_batch_begin(f->st, &err), 0);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "Tenant %d", i);
		kept_step(f, name);
	}
	assert_int_equal(store_batch_commit(f->st, &err), 0);
	assert_int_equal(file_size(f->path), before);	/* all in the log */
	assert_int_equal(store_batch_begin(f->st, &err), 0);
	kept_step(f, "Meanwhile");
	assert_int_equal(pthread_create(&thread, NULL, checkpoint_passive,
	    f->st), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_true(file_size(f->path) > before);
	assert_int_equal(store_batch_commit(f->st, &err), 0);
	assert_int_equal(tenants_outside(f->path), 201);
	store_bulk(f->st, 0);
}

static void
test_rollback_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	int64_t *ids;
	size_t n;
	struct err err;

	assert_int_equal(store_begin(f->st, &err), 0);
	add_tenant(f->st, "Gone");
	store_rollback(f->st);
	assert_int_equal(store_tenant_ids(f->st, -1, &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	free(ids);
	store_rollback(f->st);	/* harmless without a transaction */
}

static int
queue_mail_rc(struct store *st, int64_t mail, int64_t tenant,
    const char *message_id)
{
	struct outbox_new o = {
		.id = mail, .tenant_id = tenant, .kind = MAIL_APPROVAL_REQUEST,
		.recipient = "admin@customer.test", .generation = 1, .now = 7,
		.message_id = message_id, .subject = "Subject",
		.message = "raw\r\nbytes", .message_len = 10,
	};
	struct err err;

	return store_outbox_queue(st, &o, &err);
}

static void
queue_mail(struct store *st, int64_t mail, int64_t tenant,
    const char *message_id)
{
	assert_int_equal(queue_mail_rc(st, mail, tenant, message_id), 0);
}

/*
 * Claims: a held mail is not taken again until its holder lets go; the
 * store only records holders, and says which still hold at a time and
 * the lowest mail each held.
 */
static void
test_claims(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry *got;
	struct err err;
	int64_t id, *holders, first;
	size_t n;

	id = add_tenant(f->st, "Claimed");
	queue_mail(f->st, 1, id, "c1@x.test");
	queue_mail(f->st, 2, id, "c2@x.test");
	queue_mail(f->st, 3, id, "c3@x.test");

	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(store_outbox_claim(f->st, 10, 0, 0, 60, 111, 2, &got,
	    &n, &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].id, 1);
	assert_int_equal(got[1].id, 2);
	assert_int_equal(got[1].message_len, 10);
	store_outbox_free(got, n);
	assert_int_equal(store_outbox_claim(f->st, 10, 1, 0, 60, 222, 100, &got,
	    &n, &err), 0);
	assert_int_equal(n, 1);		/* 1 and 2 are held */
	assert_int_equal(got[0].id, 3);
	store_outbox_free(got, n);

	assert_int_equal(store_outbox_holders(f->st, 10, &holders, &n, &err),
	    0);
	assert_int_equal(n, 2);
	free(holders);
	assert_int_equal(store_outbox_holders(f->st, 70, &holders, &n, &err),
	    0);
	assert_int_equal(n, 0);		/* every lease has ended */
	free(holders);

	assert_int_equal(store_outbox_unclaim(f->st, 111, &first, &err), 0);
	assert_int_equal(first, 1);
	assert_int_equal(store_outbox_unclaim(f->st, 111, &first, &err), 0);
	assert_int_equal(first, 0);	/* holds nothing any more */
	assert_int_equal(store_outbox_claim(f->st, 10, 0, 0, 60, 333, 100, &got,
	    &n, &err), 0);
	assert_int_equal(n, 2);		/* 3 is still held */
	assert_int_equal(got[1].id, 2);
	store_outbox_free(got, n);
}

/* A mail put back for a retry is no longer its deliverer's: when that
 * deliverer dies, the mail in doubt is the lowest it still held. */
static void
test_retry_lets_go(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry *got;
	struct err err;
	int64_t id, first;
	size_t n;

	id = add_tenant(f->st, "Deferred");
	queue_mail(f->st, 1, id, "d1@x.test");
	queue_mail(f->st, 2, id, "d2@x.test");
	queue_mail(f->st, 3, id, "d3@x.test");
	assert_int_equal(store_outbox_claim(f->st, 10, 0, 0, 60, 111, 100, &got,
	    &n, &err), 0);
	assert_int_equal(n, 3);
	store_outbox_free(got, n);

	/* 1 was answered 451; 2 went out when the deliverer died. */
	assert_int_equal(store_outbox_retry(f->st, 1, 300, 1, "451 later",
	    &err), 0);
	assert_int_equal(store_outbox_unclaim(f->st, 111, &first, &err), 0);
	assert_int_equal(first, 2);
}

/* A failed mail goes back to the queue once; a queued or sent one, or
 * one already put back, does not. */
static void
test_requeue_only_failed(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry one;
	struct err err;
	int64_t id;

	id = add_tenant(f->st, "Again");
	queue_mail(f->st, 1, id, "r1@x.test");
	queue_mail(f->st, 2, id, "r2@x.test");
	assert_int_equal(store_outbox_requeue(f->st, 1, 50, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_int_equal(store_outbox_failed(f->st, 1, "550 no", &err), 0);
	assert_int_equal(store_outbox_sent(f->st, 2, 9, &err), 0);
	assert_int_equal(store_outbox_requeue(f->st, 2, 50, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);

	assert_int_equal(store_outbox_requeue(f->st, 1, 50, &err), 0);
	assert_int_equal(store_outbox_head(f->st, 1, &one, &err), 0);
	assert_int_equal(one.status, MAIL_STATUS_QUEUED);
	assert_int_equal(one.attempts, 0);
	assert_int_equal(one.next_attempt_at, 50);
	assert_null(one.last_error);
	assert_string_equal(one.message_id, "r1@x.test");	/* the same */
	store_outbox_entry_clear(&one);
	assert_int_equal(store_outbox_requeue(f->st, 1, 51, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_int_equal(store_outbox_requeue(f->st, 9, 51, &err), -1);
	assert_int_equal(err.kind, ERR_STATE);
}

static void
test_history_and_outbox(void **state)
{
	struct fixture *f = *state;
	struct history_entry *h;
	struct outbox_entry *o, one;
	struct err err;
	size_t n;
	int64_t id, mail;

	id = add_tenant(f->st, "Logged");
	assert_int_equal(store_history_add(f->st, id, 5, STATE_NEW,
	    STATE_AWAITING_APPROVAL, "cli", "start", &err), 0);
	assert_int_equal(store_history_add(f->st, id, 6,
	    STATE_AWAITING_APPROVAL, STATE_CANCELLED, "cli", NULL, &err), 0);
	assert_int_equal(store_history_list(f->st, id, &h, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].to, STATE_AWAITING_APPROVAL);
	assert_string_equal(h[1].detail, "");
	store_history_free(h, n);

	assert_int_equal(store_outbox_next_id(f->st, &mail, &err), 0);
	assert_int_equal(mail, 1);
	queue_mail(f->st, mail, id, "m1@x.test");
	assert_int_equal(store_outbox_next_id(f->st, &mail, &err), 0);
	assert_int_equal(mail, 2);
	mail = 1;
	/* An id taken is refused, and so is a Message-ID. */
	assert_int_equal(queue_mail_rc(f->st, 1, id, "m2@x.test"), -1);
	assert_int_equal(queue_mail_rc(f->st, 2, id, "m1@x.test"), -1);
	assert_int_equal(store_outbox_list(f->st, id, &o, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].kind, MAIL_APPROVAL_REQUEST);
	assert_int_equal(o[0].status, MAIL_STATUS_QUEUED);
	assert_string_equal(o[0].message_id, "m1@x.test");
	assert_int_equal(o[0].attempts, 0);
	assert_null(o[0].message);	/* lists leave the bytes out */
	store_outbox_free(o, n);

	/* One mail, with and without its bytes. */
	assert_int_equal(store_outbox_get(f->st, mail, &one, &err), 0);
	assert_int_equal(one.message_len, 10);
	assert_memory_equal(one.message, "raw\r\nbytes", 10);
	store_outbox_entry_clear(&one);
	assert_int_equal(store_outbox_head(f->st, mail, &one, &err), 0);
	assert_int_equal(one.id, mail);
	assert_string_equal(one.message_id, "m1@x.test");
	assert_string_equal(one.recipient, "admin@customer.test");
	assert_null(one.message);
	assert_int_equal(one.message_len, 0);
	store_outbox_entry_clear(&one);
	assert_int_equal(store_outbox_head(f->st, mail + 1, &one, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
}

static int
count_each(const struct tenant *t, void *arg)
{
	(void)t;
	return ++*(int *)arg == 2;	/* stop after two */
}

static void
test_each_and_ids(void **state)
{
	struct fixture *f = *state;
	struct err err;
	int64_t *ids;
	size_t n;
	int seen = 0;

	add_tenant(f->st, "a");
	add_tenant(f->st, "b");
	add_tenant(f->st, "c");
	assert_int_equal(store_tenant_each(f->st, -1, count_each, &seen,
	    &err), 0);
	assert_int_equal(seen, 2);
	assert_int_equal(store_tenant_ids(f->st, STATE_NEW, &ids, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[2], 3);
	free(ids);
	assert_int_equal(store_tenant_ids(f->st, STATE_COMPLETED, &ids, &n,
	    &err), 0);
	assert_int_equal(n, 0);
	free(ids);
}

static void
test_token(void **state)
{
	struct fixture *f = *state;
	struct token_info ti;
	struct err err;
	int64_t id;

	id = add_tenant(f->st, "Tokens");
	assert_int_equal(store_token_get(f->st, id, &ti, &err), 0);
	assert_int_equal(ti.generation, 1);
	assert_int_equal(ti.issued_at, 0);
	assert_null(ti.token);
	store_token_clear(&ti);
	assert_int_equal(store_token_add(f->st, id, 1, "jti-a", "m@x.test",
	    "tok.en.a", 10, 20, &err), 0);
	assert_int_equal(store_token_add(f->st, id, 1, "jti-b", "m@x.test",
	    "tok.en.b", 11, 21, &err), 0);
	/* The same jti twice is refused. */
	assert_int_equal(store_token_add(f->st, id, 1, "jti-a", "m@x.test",
	    "tok.en.c", 12, 22, &err), -1);
	assert_int_equal(store_token_get(f->st, id, &ti, &err), 0);
	assert_int_equal(ti.issued_at, 11);
	assert_int_equal(ti.expires_at, 21);
	assert_string_equal(ti.jti, "jti-b");
	assert_string_equal(ti.token, "tok.en.b");
	store_token_clear(&ti);
	/* Tokens of an older generation are not the current one. */
	assert_int_equal(store_token_add(f->st, id, 0, "jti-old", "m@x.test",
	    "tok.en.old", 99, 100, &err), 0);
	assert_int_equal(store_token_get(f->st, id, &ti, &err), 0);
	assert_string_equal(ti.jti, "jti-b");
	store_token_clear(&ti);
	assert_int_equal(store_token_get(f->st, 999, &ti, &err), -1);
}

/* ---- mail accounts' sign-in ---- */

static void
assert_auth_equal(const struct mail_auth_row *got,
    const struct mail_auth_row *want)
{
	support_assert_string(got->account, want->account);
	support_assert_string(got->identity, want->identity);
	support_assert_string(got->state, want->state);
	support_assert_string(got->refresh_token, want->refresh_token);
	support_assert_string(got->access_token, want->access_token);
	assert_int_equal(got->expires_at, want->expires_at);
	assert_int_equal(got->refreshed_at, want->refreshed_at);
	support_assert_string(got->last_error, want->last_error);
	assert_int_equal(got->failures, want->failures);
	assert_int_equal(got->retry_at, want->retry_at);
	assert_int_equal(got->lease_until, want->lease_until);
	assert_int_equal(got->leased_by, want->leased_by);
	assert_int_equal(got->notified, want->notified);
}

static void
assert_auth_empty(const struct mail_auth_row *a)
{
	static const struct mail_auth_row zero;

	assert_memory_equal(a, &zero, sizeof zero);
}

static void
test_auth_rows(void **state)
{
	struct fixture *f = *state;
	char account[] = "inbound", other[] = "outbound",
	    identity[] = "https://login.microsoftonline.com/contoso/oauth2/"
	    "v2.0/token 00000000-1111 agent@contoso.example",
	    ok[] = "ok", reauth[] = "needs_reauth",
	    refresh[] = "0.AXEAx7ZkJ9yEPEmg1rXmvK2Xk-Ur7cDbIyFJl4TiYmR2",
	    access[] = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln",
	    error[] = "invalid_grant: AADSTS70008: caf\xc3\xa9 \"'; --";
	struct mail_auth_row full = {
		.account = account, .identity = identity, .state = ok,
		.refresh_token = refresh, .access_token = access,
		.expires_at = INT64_C(1780003599),
		.refreshed_at = INT64_C(1780000000), .last_error = error,
		.failures = 3, .retry_at = INT64_C(1780000300),
		.lease_until = INT64_C(1780000040),
		.leased_by = INT64_C(1) << 40, .notified = 1,
	};
	struct mail_auth_row bare = {
		.account = account, .identity = identity, .state = reauth,
		.expires_at = INT64_MAX,
	};
	struct mail_auth_row got;
	struct store *again;
	struct err err;
	int found = -1;

	memset(&got, 0x5a, sizeof got);
	assert_int_equal(store_auth_get(f->st, account, &got, &found, &err),
	    0);
	assert_int_equal(found, 0);
	assert_auth_empty(&got);

	assert_int_equal(store_auth_put(f->st, &full, &err), 0);
	assert_int_equal(store_auth_get(f->st, account, &got, &found, &err),
	    0);
	assert_int_equal(found, 1);
	assert_auth_equal(&got, &full);
	store_auth_clear(&got);
	assert_auth_empty(&got);
	/* One row per account. */
	assert_int_equal(store_auth_get(f->st, other, &got, &found, &err), 0);
	assert_int_equal(found, 0);
	assert_auth_empty(&got);

	/* Putting again replaces the row whole, NULLs included. */
	assert_int_equal(store_auth_put(f->st, &bare, &err), 0);
	assert_int_equal(store_auth_get(f->st, account, &got, &found, &err),
	    0);
	assert_int_equal(found, 1);
	assert_auth_equal(&got, &bare);
	assert_null(got.refresh_token);
	assert_null(got.access_token);
	assert_null(got.last_error);
	store_auth_clear(&got);
	assert_int_equal(pragma_int(f->path, "SELECT count(*) FROM mail_auth"),
	    1);

	full.account = other;
	assert_int_equal(store_auth_put(f->st, &full, &err), 0);
	assert_int_equal(pragma_int(f->path, "SELECT count(*) FROM mail_auth"),
	    2);

	/* Another process, or the next run, reads the same rows. */
	assert_int_equal(store_open(f->path, &again, &err), 0);
	assert_int_equal(store_auth_get(again, account, &got, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_auth_equal(&got, &bare);
	store_auth_clear(&got);
	assert_int_equal(store_auth_get(again, other, &got, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_auth_equal(&got, &full);
	store_auth_clear(&got);
	store_close(again);

	/* A row without its identity or state is refused, not half kept. */
	bare.state = NULL;
	assert_int_equal(store_auth_put(f->st, &bare, &err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_int_equal(store_auth_get(f->st, account, &got, &found, &err),
	    0);
	assert_string_equal(got.state, reauth);
	store_auth_clear(&got);
	store_auth_clear(&got);		/* twice is harmless */
	assert_auth_empty(&got);
}

/*
 * Schema version 1 as it shipped: migrations[0] of store_sqlite.c, copied so
 * that an old database can be built here whatever the store does now.
 */
static const char schema_1[] =
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
	"  claimed_by INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	"CREATE INDEX outbox_by_tenant ON outbox(tenant_id, id);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt_at);"
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
	") STRICT;";

/* A tenant with a mail sent and one waiting to be retried, as a
 * version 1 agent left them. */
static const char rows_1[] =
	"INSERT INTO plans VALUES (1, 'Enterprise SaaS', 'enterprise',"
	"  'saas', 100);"
	"INSERT INTO tenants (id, name, customer_admin, msp_admin, workloads,"
	"  edition, suspended, state, plan_id, generation, created_at,"
	"  state_since) VALUES (7, 'M\xc3\xbcller GmbH', 'it@mueller.example',"
	"  'ops@msp.example', 'm365', 'enterprise', 0, 'awaiting_approval',"
	"  1, 2, 100, 200);"
	"INSERT INTO history (tenant_id, at, from_state, to_state, actor,"
	"  detail) VALUES (7, 200, 'new', 'awaiting_approval', 'cli', '');"
	"INSERT INTO outbox VALUES (1, 7, 'approval_request',"
	"  'it@mueller.example', 'sent', 'm1@msp.example', 1, NULL, 150, 150,"
	"  2, 'Please approve', 160, 0, 0);"
	"INSERT INTO outbox VALUES (2, 7, 'approval_reminder',"
	"  'it@mueller.example', 'queued', 'm2@msp.example', 2,"
	"  '451 4.7.1 try later', 170, 500, 2, 'Reminder', NULL, 600, 4242);"
	"INSERT INTO outbox_messages VALUES (1, CAST('first\r\nmail' AS BLOB));"
	"INSERT INTO outbox_messages VALUES (2, X'7365636f6e640d0a00ff');"
	"PRAGMA user_version = 1;";

/* Version 1 to 2: the outbox is made anew and keeps every row, its
 * messages too; a mail may then be about no tenant. */
static void
test_migrate_from_1(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry o;
	struct outbox_entry *list;
	struct tenant t;
	struct store *st;
	struct err err;
	char path[128], *sql;
	int64_t id;
	size_t n;

	SUPPORT_SQLITE_ONLY();

	snprintf(path, sizeof path, "%s/v1.db", f->dir);
	sql = xasprintf("%s%s", schema_1, rows_1);
	assert_int_equal(support_db_exec(path, sql), 0);
	free(sql);
	assert_int_equal(pragma_int(path, "PRAGMA user_version"), 1);

	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(pragma_int(path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM "
	    "sqlite_master WHERE name = 'outbox_new'"), 0);
	/* Since 6, the sent mails are in no index by status. */
	assert_int_equal(pragma_int(path, "SELECT group_concat(name, ' ') = "
	    "'outbox_by_tenant outbox_failed outbox_queued' FROM (SELECT "
	    "name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
	    "'outbox' AND sql IS NOT NULL ORDER BY name)"), 1);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM "
	    "pragma_foreign_key_list('outbox_messages') "
	    "WHERE \"table\" = 'outbox'"), 1);

	/* Both mails, every column, and their messages. */
	assert_int_equal(store_outbox_get(st, 1, &o, &err), 0);
	assert_int_equal(o.tenant_id, 7);
	assert_int_equal(o.kind, MAIL_APPROVAL_REQUEST);
	assert_int_equal(o.status, MAIL_STATUS_SENT);
	assert_string_equal(o.message_id, "m1@msp.example");
	assert_int_equal(o.sent_at, 160);
	assert_int_equal(o.message_len, 11);
	assert_memory_equal(o.message, "first\r\nmail", 11);
	store_outbox_entry_clear(&o);
	assert_int_equal(store_outbox_get(st, 2, &o, &err), 0);
	assert_int_equal(o.tenant_id, 7);
	assert_int_equal(o.kind, MAIL_APPROVAL_REMINDER);
	assert_string_equal(o.recipient, "it@mueller.example");
	assert_int_equal(o.status, MAIL_STATUS_QUEUED);
	assert_string_equal(o.message_id, "m2@msp.example");
	assert_int_equal(o.attempts, 2);
	assert_string_equal(o.last_error, "451 4.7.1 try later");
	assert_int_equal(o.created_at, 170);
	assert_int_equal(o.next_attempt_at, 500);
	assert_int_equal(o.generation, 2);
	assert_string_equal(o.subject, "Reminder");
	assert_int_equal(o.sent_at, 0);
	assert_int_equal(o.message_len, 10);
	assert_memory_equal(o.message, "second\r\n\0\xff", 10);
	store_outbox_entry_clear(&o);
	assert_int_equal(pragma_int(path, "SELECT lease_until * 10000 + "
	    "claimed_by FROM outbox WHERE id = 2"), 6004242);
	assert_int_equal(store_outbox_list(st, 7, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	store_outbox_free(list, n);
	assert_int_equal(store_tenant_get(st, 7, &t, &err), 0);
	assert_string_equal(t.name, "M\xc3\xbcller GmbH");
	assert_int_equal(t.generation, 2);
	tenant_clear(&t);

	/* A mail about no tenant, such as a mailbox needing a sign-in. */
	assert_int_equal(store_outbox_next_id(st, &id, &err), 0);
	assert_int_equal(id, 3);
	queue_mail(st, id, 0, "m3@msp.example");
	assert_int_equal(store_outbox_get(st, id, &o, &err), 0);
	assert_int_equal(o.tenant_id, 0);
	assert_string_equal(o.message_id, "m3@msp.example");
	assert_memory_equal(o.message, "raw\r\nbytes", 10);
	store_outbox_entry_clear(&o);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM outbox "
	    "WHERE tenant_id IS NULL"), 1);
	/* Foreign keys hold again once migrated: no mail for tenant 99. */
	assert_int_equal(queue_mail_rc(st, 4, 99, "m4@msp.example"), -1);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM outbox"), 3);

	/* A tenant deleted takes its mails and their messages along, and
	 * leaves the mail about no tenant. */
	assert_int_equal(support_db_exec(path, "PRAGMA foreign_keys = ON;"
	    "DELETE FROM tenants WHERE id = 7;"), 0);
	assert_int_equal(store_outbox_get(st, 1, &o, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(store_outbox_get(st, 2, &o, &err), -1);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM "
	    "outbox_messages"), 1);
	assert_int_equal(store_outbox_get(st, 3, &o, &err), 0);
	assert_int_equal(o.message_len, 10);
	store_outbox_entry_clear(&o);
	store_close(st);

	/* Opening it again changes nothing. */
	assert_int_equal(store_open(path, &st, &err), 0);
	assert_int_equal(pragma_int(path, "SELECT count(*) FROM outbox"), 1);
	store_close(st);
}

/* A tenant's language: stored as given, NULL meaning the default. */
static void
test_tenant_language(void **state)
{
	struct fixture *f = *state;
	struct tenant t;
	struct err err;
	int64_t id, plain;

	sample_tenant(&t, "Sprachen GmbH");
	assert_int_equal(tenant_set_language(&t, "de-at", &err), 0);
	assert_int_equal(store_tenant_add(f->st, &t, 1000, &id, &err), 0);
	tenant_clear(&t);
	plain = add_tenant(f->st, "Plain Ltd");

	assert_int_equal(store_tenant_get(f->st, id, &t, &err), 0);
	assert_string_equal(t.language, "de-AT");
	/* Cleared on an edit: back to the default. */
	free(t.language);
	t.language = NULL;
	assert_int_equal(store_tenant_update(f->st, &t, &err), 0);
	tenant_clear(&t);
	assert_int_equal(store_tenant_get(f->st, id, &t, &err), 0);
	assert_null(t.language);
	assert_int_equal(tenant_set_language(&t, "fr-CA", &err), 0);
	assert_int_equal(store_tenant_update(f->st, &t, &err), 0);
	tenant_clear(&t);
	assert_int_equal(store_tenant_get(f->st, id, &t, &err), 0);
	assert_string_equal(t.language, "fr-CA");
	tenant_clear(&t);

	assert_int_equal(store_tenant_get(f->st, plain, &t, &err), 0);
	assert_null(t.language);
	tenant_clear(&t);
	assert_int_equal(pragma_int(f->path, "SELECT count(*) FROM tenants "
	    "WHERE language IS NULL"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_and_pragmas,
		    setup, teardown),
		cmocka_unit_test(test_open_failure),
		cmocka_unit_test_setup_teardown(test_new_file_private,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_plans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_grows_and_fails_whole,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_round_trip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_is_guarded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_transition_licences,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_mark, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_rollback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch_tried, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch_tried_spoiled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_passive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_and_outbox,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_lets_go, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_requeue_only_failed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_each_and_ids,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tenant_language, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
