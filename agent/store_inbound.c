/* store_inbound.c: what was read from the inbox (each message once,
 * where the reader stands in a mailbox) and the mail accounts' sign-in. */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* ---- inbound ---- */

int
store_inbound_seen(struct store *st, const char *message_id,
    const char *digest, int *seen, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int64_t one;
	int rc;

	if (prepare(st, "SELECT 1 FROM inbound WHERE message_id = ?1 AND "
	    "digest = ?2", &stmt, err) == -1)
		return -1;
	db_bind_text(stmt, 1, message_id);
	db_bind_text(stmt, 2, digest);
	rc = step_int64(st, stmt, "reading what was handled", &one, seen, err);
	release(st, stmt);
	return rc;
}

int
store_mailbox_get(struct store *st, const char *mailbox, uint32_t *uidvalidity,
    uint32_t *last_uid, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1, step;

	*uidvalidity = *last_uid = 0;
	if (prepare(st, "SELECT uidvalidity, last_uid FROM mailbox_state "
	    "WHERE mailbox = ?1", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, mailbox);
	step = db_step(stmt);
	if (step == DB_ROW) {
		*uidvalidity = (uint32_t)db_column_int64(stmt, 0);
		*last_uid = (uint32_t)db_column_int64(stmt, 1);
	} else if (step != DB_DONE) {
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
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO mailbox_state (mailbox, uidvalidity, "
	    "last_uid) VALUES (?1, ?2, ?3) ON CONFLICT (mailbox) DO UPDATE "
	    "SET last_uid = CASE WHEN mailbox_state.uidvalidity = "
	    "excluded.uidvalidity AND mailbox_state.last_uid > "
	    "excluded.last_uid THEN mailbox_state.last_uid "
	    "ELSE excluded.last_uid END, "
	    "uidvalidity = excluded.uidvalidity", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, mailbox);
	db_bind_int64(stmt, 2, uidvalidity);
	db_bind_int64(stmt, 3, last_uid);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

int
store_inbound_add(struct store *st, const struct inbound_note *note,
    int64_t now, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO inbound (message_id, digest, received_at, "
	    "sender, tenant_id, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7)", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, note->message_id);
	db_bind_text(stmt, 2, note->digest);
	db_bind_int64(stmt, 3, now);
	bind_text_or_null(stmt, 4, note->sender);
	bind_id_or_null(stmt, 5, note->tenant_id);
	db_bind_static(stmt, 6, outcome_inbound_name(note->outcome));
	db_bind_text(stmt, 7, note->detail ? note->detail : "");
	if (db_step(stmt) != DB_DONE) {
		if (db_unique_violation(st))
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


/* ---- mail accounts' sign-in ---- */

#define AUTH_COLUMNS \
	"account, identity, state, refresh_token, access_token, expires_at, " \
	"refreshed_at, last_error, failures, retry_at, lease_until, " \
	"leased_by, notified"

int
store_auth_get(struct store *st, const char *account,
    struct mail_auth_row *a, int *found, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int step, rc = -1;

	memset(a, 0, sizeof *a);
	*found = 0;
	if (prepare(st, "SELECT " AUTH_COLUMNS " FROM mail_auth "
	    "WHERE account = ?1", &stmt, err) == -1)
		return -1;
	db_bind_text(stmt, 1, account);
	step = db_step(stmt);
	if (step == DB_ROW) {
		a->account = column_strdup(stmt, 0);
		a->identity = column_strdup(stmt, 1);
		a->state = column_strdup(stmt, 2);
		a->refresh_token = column_strdup(stmt, 3);
		a->access_token = column_strdup(stmt, 4);
		a->expires_at = db_column_int64(stmt, 5);
		a->refreshed_at = db_column_int64(stmt, 6);
		a->last_error = column_strdup(stmt, 7);
		a->failures = db_column_int64(stmt, 8);
		a->retry_at = db_column_int64(stmt, 9);
		a->lease_until = db_column_int64(stmt, 10);
		a->leased_by = db_column_int64(stmt, 11);
		a->notified = db_column_int(stmt, 12);
		*found = 1;
		rc = 0;
	} else if (step == DB_DONE)
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
	struct db_stmt *stmt = NULL;
	int rc;

	/* An upsert both engines read alike (no INSERT OR REPLACE). */
	if (prepare(st, "INSERT INTO mail_auth (" AUTH_COLUMNS
	    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
	    "ON CONFLICT (account) DO UPDATE SET identity = excluded.identity, "
	    "state = excluded.state, refresh_token = excluded.refresh_token, "
	    "access_token = excluded.access_token, "
	    "expires_at = excluded.expires_at, "
	    "refreshed_at = excluded.refreshed_at, "
	    "last_error = excluded.last_error, failures = excluded.failures, "
	    "retry_at = excluded.retry_at, lease_until = excluded.lease_until, "
	    "leased_by = excluded.leased_by, notified = excluded.notified",
	    &stmt, err) == -1)
		return -1;
	db_bind_text(stmt, 1, a->account);
	db_bind_text(stmt, 2, a->identity);
	db_bind_text(stmt, 3, a->state);
	bind_text_or_null(stmt, 4, a->refresh_token);
	bind_text_or_null(stmt, 5, a->access_token);
	db_bind_int64(stmt, 6, a->expires_at);
	db_bind_int64(stmt, 7, a->refreshed_at);
	bind_text_or_null(stmt, 8, a->last_error);
	db_bind_int64(stmt, 9, a->failures);
	db_bind_int64(stmt, 10, a->retry_at);
	db_bind_int64(stmt, 11, a->lease_until);
	db_bind_int64(stmt, 12, a->leased_by);
	db_bind_int64(stmt, 13, a->notified);
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


/* ---- the console's pages of messages read ---- */

/*
 * ?1 outcome, ?2 tenant (each NULL: any), ?3 1: only those that need a
 * look, whose names are ?6 to ?13.  The filter that narrows most leads,
 * as a plain equality, so that its index is used: a tenant's
 * (inbound_by_tenant), an outcome's or those needing a look
 * (inbound_by_outcome).  A count, then the rows, for each.
 */
#define INBOUND_REST \
	"(?1 IS NULL OR outcome = ?1) AND (?2 IS NULL OR tenant_id = ?2) " \
	"AND (?3 = 0 OR outcome IN (?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13))"
#define INBOUND_COLUMNS \
	"id, received_at, message_id, sender, tenant_id, outcome, detail"
#define INBOUND_PAGE(lead) { \
	"SELECT count(*) FROM inbound WHERE " lead " AND " INBOUND_REST, \
	"SELECT " INBOUND_COLUMNS " FROM inbound WHERE " lead " AND " \
	INBOUND_REST " ORDER BY id DESC LIMIT ?4 OFFSET ?5" }

enum inbound_lead { LEAD_TENANT, LEAD_OUTCOME, LEAD_LOOK, LEAD_NONE };

static const char *const inbound_page_sql[][2] = {
	[LEAD_TENANT] = INBOUND_PAGE("tenant_id = ?2"),
	[LEAD_OUTCOME] = INBOUND_PAGE("outcome = ?1"),
	[LEAD_LOOK] = INBOUND_PAGE("outcome IN (?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13)"),
	[LEAD_NONE] = INBOUND_PAGE("1 = 1"),
};

static enum inbound_lead
inbound_lead(const struct inbound_filter *f)
{
	if (f->tenant_id > 0)
		return LEAD_TENANT;
	if (f->outcome >= 0)
		return LEAD_OUTCOME;
	return f->needs_look ? LEAD_LOOK : LEAD_NONE;
}

/* Read as unclear, or set aside: someone should look at them. */
static const enum inbound_outcome needs_look[] = {
	INBOUND_UNCLEAR, INBOUND_STALE, INBOUND_NOT_ALLOWED,
	INBOUND_NOT_APPLICABLE, INBOUND_STRANGER, INBOUND_AUTH_FAILED,
	INBOUND_UNMATCHED, INBOUND_REFUSED,
};

static void
bind_inbound_filter(struct db_stmt *stmt, const struct inbound_filter *f)
{
	size_t i;

	bind_text_or_null(stmt, 1, f->outcome >= 0 ?
	    outcome_inbound_name(f->outcome) : NULL);
	bind_id_or_null(stmt, 2, f->tenant_id);
	db_bind_int64(stmt, 3, f->needs_look ? 1 : 0);
	for (i = 0; i < sizeof needs_look / sizeof needs_look[0]; i++)
		db_bind_static(stmt, 6 + (int)i,
		    outcome_inbound_name(needs_look[i]));
}

static int
inbound_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct inbound_entry *e = elem;
	int o;

	(void)err;
	e->id = db_column_int64(stmt, 0);
	e->received_at = db_column_int64(stmt, 1);
	e->message_id = column_strdup(stmt, 2);
	e->sender = column_strdup(stmt, 3);
	if (e->sender == NULL)
		e->sender = xstrdup("");
	e->tenant_id = db_column_int64(stmt, 4);
	o = outcome_inbound_from_name(db_column_text(stmt,
	    5));
	/* A name this binary does not know shows as "unknown". */
	e->outcome = o >= 0 ? (enum inbound_outcome)o : INBOUND_OUTCOME_COUNT;
	e->detail = column_strdup(stmt, 6);
	return 0;
}

static void
inbound_unfill(void *elem)
{
	struct inbound_entry *e = elem;

	free(e->message_id);
	free(e->sender);
	free(e->detail);
}

static const struct row_kind inbound_rows = {
	sizeof(struct inbound_entry), inbound_fill, inbound_unfill
};

int
store_inbound_page(struct store *st, const struct inbound_filter *f,
    struct inbound_entry **entries, size_t *n, int64_t *total,
    struct err *err)
{
	struct db_stmt *count = NULL, *rows = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	*total = 0;
	if (prepare(st, inbound_page_sql[inbound_lead(f)][0], &count,
	    err) == -1 ||
	    prepare(st, inbound_page_sql[inbound_lead(f)][1], &rows, err) == -1)
		goto out;
	bind_inbound_filter(count, f);
	bind_inbound_filter(rows, f);
	rc = collect_page(st, count, rows, &inbound_rows, "messages", f->offset,
	    f->limit, &list, n, total, err);
out:
	release(st, count);
	release(st, rows);
	*entries = list;
	return rc;
}

void
store_inbound_free(struct inbound_entry *entries, size_t n)
{
	free_rows(&inbound_rows, entries, n);
}
