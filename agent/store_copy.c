/* store_copy.c: copying a whole database into an empty one (`db copy`),
 * table by table, parents before children, each row as it is. */
#include <stdio.h>

#include "store_copy.h"
#include "store_impl.h"

/*
 * Each table with its columns, the same in both engines' schemas.  The
 * SQL is made of literals (the statement cache knows a statement by its
 * text's address).  Values travel as text, which each engine reads
 * into the column's type, but for the one binary column, blob.
 */
struct copy_table {
	const char	*name;
	const char	*select;
	const char	*insert;
	const char	*count;
	int		 ncols;
	int		 blob;		/* the bytea/BLOB column, or -1 */
};

#define COPY_TABLE(name, cols, params, n, blob) \
	{ name, "SELECT " cols " FROM " name, \
	  "INSERT INTO " name " (" cols ") VALUES (" params ")", \
	  "SELECT count(*) FROM " name, n, blob }

#define P2	"?1, ?2"
#define P3	P2 ", ?3"
#define P4	P3 ", ?4"
#define P5	P4 ", ?5"
#define P7	P5 ", ?6, ?7"
#define P8	P7 ", ?8"
#define P12	P8 ", ?9, ?10, ?11, ?12"
#define P13	P12 ", ?13"
#define P14	P13 ", ?14"
#define P15	P14 ", ?15"

static const struct copy_table tables[STORE_COPY_TABLES] = {
	COPY_TABLE("plans", "id, name, edition, products, created_at", P5, 5,
	    -1),
	COPY_TABLE("tenants", "id, name, customer_admin, msp_admin, workloads, "
	    "edition, suspended, state, plan_id, generation, blocked_reasons, "
	    "created_at, state_since, language", P14, 14, -1),
	COPY_TABLE("licences", "tenant_id, workload, expires, after_migration",
	    P4, 4, -1),
	COPY_TABLE("history", "id, tenant_id, at, from_state, to_state, actor, "
	    "detail", P7, 7, -1),
	COPY_TABLE("outbox", "id, tenant_id, kind, recipient, status, "
	    "message_id, attempts, last_error, created_at, next_attempt_at, "
	    "generation, subject, sent_at, lease_until, claimed_by", P15, 15,
	    -1),
	COPY_TABLE("outbox_messages", "outbox_id, message", P2, 2, 1),
	COPY_TABLE("tokens", "jti, tenant_id, generation, recipient, token, "
	    "issued_at, expires_at", P7, 7, -1),
	COPY_TABLE("inbound", "id, message_id, digest, received_at, sender, "
	    "tenant_id, outcome, detail", P8, 8, -1),
	COPY_TABLE("mailbox_state", "mailbox, uidvalidity, last_uid", P3, 3,
	    -1),
	COPY_TABLE("mail_auth", "account, identity, state, refresh_token, "
	    "access_token, expires_at, refreshed_at, last_error, failures, "
	    "retry_at, lease_until, leased_by, notified", P13, 13, -1),
	COPY_TABLE("console_user", "id, name, role, password_hash, "
	    "must_change_password, totp_secret, totp_last_step, "
	    "recovery_hashes, failed_signins, signin_not_before, created_at, "
	    "password_changed_at", P12, 12, -1),
	COPY_TABLE("console_session", "id, id_hash, user_id, created_at, "
	    "last_seen_at, address, csrf_token, pending", P8, 8, -1),
	COPY_TABLE("audit", "id, at, \"user\", address, action, target, "
	    "outcome, detail", P8, 8, -1),
};

static int
count_rows(struct store *st, const struct copy_table *t, int64_t *n,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc;

	if (prepare(st, t->count, &stmt, err) == -1)
		return -1;
	rc = step_int64(st, stmt, "counting rows", n, NULL, err);
	release(st, stmt);
	return rc;
}

/* One row of sel into ins, column by column. */
static void
bind_row(struct db_stmt *sel, struct db_stmt *ins, const struct copy_table *t)
{
	const void *blob;
	size_t len;
	int i;

	for (i = 0; i < t->ncols; i++) {
		if (i == t->blob) {
			blob = db_column_blob(sel, i, &len);
			if (blob == NULL)
				db_bind_null(ins, i + 1);
			else
				db_bind_blob(ins, i + 1, blob, len);
		} else
			db_bind_text(ins, i + 1, db_column_text(sel, i));
	}
}

static int
copy_table(struct store *from, struct store *to, const struct copy_table *t,
    struct err *err)
{
	struct db_stmt *sel = NULL, *ins = NULL;
	int rc = -1, step;

	if (prepare(from, t->select, &sel, err) == -1 ||
	    prepare(to, t->insert, &ins, err) == -1)
		goto out;
	while ((step = db_step(sel)) == DB_ROW) {
		bind_row(sel, ins, t);
		if (step_done(to, ins, err) == -1) {
			err_prefix(err, "copying %s", t->name);
			goto out;
		}
		db_reset(ins);
	}
	if (step != DB_DONE) {
		db_fail(from, err, "reading the database copied");
		goto out;
	}
	rc = 0;
out:
	release(from, sel);
	release(to, ins);
	return rc;
}

/* Every table of to is empty. */
static int
check_empty(struct store *to, struct err *err)
{
	int64_t n;
	size_t i;

	for (i = 0; i < STORE_COPY_TABLES; i++) {
		if (count_rows(to, &tables[i], &n, err) == -1)
			return -1;
		if (n != 0) {
			err_set(err, ERR_STATE, "the database copied into is "
			    "not empty: %s has %lld rows", tables[i].name,
			    (long long)n);
			return -1;
		}
	}
	return 0;
}

static int
copy_all(struct store *from, struct store *to, struct err *err)
{
	size_t i;

	if (store_begin_read(from, err) == -1)
		return -1;
	if (store_begin(to, err) == -1)
		goto fail;
	if (check_empty(to, err) == -1)
		goto fail;
	for (i = 0; i < STORE_COPY_TABLES; i++)
		if (copy_table(from, to, &tables[i], err) == -1)
			goto fail;
	/* Ids were copied as they were: new ones start past them. */
	if (to->eng->sql->after_copy != NULL &&
	    db_exec(to, to->eng->sql->after_copy, err) == -1)
		goto fail;
	if (store_commit(to, err) == -1)
		goto fail;
	store_rollback(from);
	return 0;
fail:
	store_rollback(to);
	store_rollback(from);
	return -1;
}

int
store_copy(struct store *from, struct store *to,
    struct store_copy_count counts[STORE_COPY_TABLES], struct err *err)
{
	size_t i;

	if (copy_all(from, to, err) == -1)
		return -1;
	for (i = 0; i < STORE_COPY_TABLES; i++) {
		counts[i].table = tables[i].name;
		if (count_rows(from, &tables[i], &counts[i].from, err) == -1 ||
		    count_rows(to, &tables[i], &counts[i].to, err) == -1)
			return -1;
	}
	for (i = 0; i < STORE_COPY_TABLES; i++)
		if (counts[i].from != counts[i].to) {
			err_set(err, ERR_RUNTIME, "copy: %s has %lld rows here "
			    "and %lld there", counts[i].table,
			    (long long)counts[i].from, (long long)counts[i].to);
			return -1;
		}
	return 0;
}
