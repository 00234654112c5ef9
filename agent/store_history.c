/* store_history.c: a tenant's history, its verification tokens, and
 * what the clock makes due. */
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

/* ---- history ---- */

int
store_history_add(struct store *st, int64_t tenant_id, int64_t at,
    enum tenant_state from, enum tenant_state to, const char *actor,
    const char *detail, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO history (tenant_id, at, from_state, "
	    "to_state, actor, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, tenant_id);
	db_bind_int64(stmt, 2, at);
	db_bind_static(stmt, 3, fsm_state_name(from));
	db_bind_static(stmt, 4, fsm_state_name(to));
	db_bind_text(stmt, 5, actor);
	db_bind_text(stmt, 6, detail ? detail : "");
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

static int
history_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct history_entry *h = elem;

	(void)err;
	h->at = db_column_int64(stmt, 0);
	h->from = fsm_state_from_name(
	    db_column_text(stmt, 1));
	h->to = fsm_state_from_name(
	    db_column_text(stmt, 2));
	h->actor = column_strdup(stmt, 3);
	h->detail = column_strdup(stmt, 4);
	return 0;
}

static void
history_unfill(void *elem)
{
	struct history_entry *h = elem;

	free(h->actor);
	free(h->detail);
}

static const struct row_kind history_rows = {
	sizeof(struct history_entry), history_fill, history_unfill
};

int
store_history_list(struct store *st, int64_t tenant_id,
    struct history_entry **entries, size_t *n, struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, "SELECT at, from_state, to_state, actor, detail "
	    "FROM history WHERE tenant_id = ?1 ORDER BY id", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, tenant_id);
	rc = collect_rows(st, stmt, &history_rows, "reading the history",
	    &list, n, err);
out:
	release(st, stmt);
	*entries = list;
	return rc;
}

void
store_history_free(struct history_entry *list, size_t n)
{
	free_rows(&history_rows, list, n);
}


/* ---- tokens ---- */

int
store_token_get(struct store *st, int64_t tenant_id, struct token_info *ti,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1, step;

	memset(ti, 0, sizeof *ti);
	/* The newest token of the tenant's current generation, if any. */
	if (prepare(st, "SELECT t.generation, k.issued_at, k.expires_at, "
	    "k.jti, k.token, k.recipient FROM tenants t LEFT JOIN tokens k "
	    "ON k.tenant_id = t.id AND k.generation = t.generation "
	    "WHERE t.id = ?1 ORDER BY k.issued_at DESC LIMIT 1", &stmt,
	    err) == -1)
		goto out;
	db_bind_int64(stmt, 1, tenant_id);
	step = db_step(stmt);
	if (step == DB_DONE) {
		err_set(err, ERR_INPUT, "no tenant %lld", (long long)tenant_id);
		goto out;
	}
	if (step != DB_ROW) {
		db_fail(st, err, "reading a token");
		goto out;
	}
	ti->generation = db_column_int64(stmt, 0);
	ti->issued_at = db_column_int64(stmt, 1);
	ti->expires_at = db_column_int64(stmt, 2);
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
	struct db_stmt *stmt = NULL;
	int rc = -1, step;

	if (prepare(st, "SELECT tenant_id, generation FROM tokens WHERE "
	    "jti = ?1", &stmt, err) == -1)
		return -1;
	db_bind_static(stmt, 1, jti);
	step = db_step(stmt);
	if (step == DB_ROW) {
		*tenant_id = db_column_int64(stmt, 0);
		*generation = db_column_int64(stmt, 1);
		rc = 1;
	} else if (step == DB_DONE)
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
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO tokens (jti, tenant_id, generation, "
	    "recipient, token, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7)", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, jti);
	db_bind_int64(stmt, 2, tenant_id);
	db_bind_int64(stmt, 3, generation);
	db_bind_text(stmt, 4, recipient);
	db_bind_text(stmt, 5, token);
	db_bind_int64(stmt, 6, issued_at);
	db_bind_int64(stmt, 7, expires_at);
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
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, timer_sql[timer], &stmt, err) == -1)
		goto out;
	/* A query ignores the values it does not use. */
	db_bind_int64(stmt, 1, now);
	db_bind_int64(stmt, 2, approval_remind_days);
	db_bind_int64(stmt, 3, remind_days);
	db_bind_int64(stmt, 4, tenant_id);
	rc = collect_rows(st, stmt, &int64_rows, "finding what is due", &list,
	    n, err);
out:
	release(st, stmt);
	*ids = list;
	return rc;
}

