/* store_user.c: the operator console's accounts and the audit (part of
 * the store, store_impl.h). */
#include <stdlib.h>
#include <string.h>

#include "password.h"
#include "store_impl.h"

#define USER_COLUMNS \
	"id, name, role, password_hash, must_change_password, totp_secret, " \
	"totp_last_step, recovery_hashes, failed_signins, signin_not_before, " \
	"created_at, password_changed_at"

/* A role the schema's CHECK let in is always one of ours. */
static int
user_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct console_user *u = elem;
	const char *role;

	u->id = db_column_int64(stmt, 0);
	u->name = column_strdup(stmt, 1);
	role = db_column_text(stmt, 2);
	if (role == NULL || user_role_parse(role, &u->role, err) == -1) {
		err_set(err, ERR_RUNTIME, "database: user '%s' has no valid "
		    "role", u->name ? u->name : "?");
		return -1;
	}
	u->password_hash = column_strdup(stmt, 3);
	u->must_change_password = db_column_int(stmt, 4) != 0;
	u->totp_secret = column_strdup(stmt, 5);
	u->totp_last_step = db_column_int64(stmt, 6);
	u->recovery_hashes = column_strdup(stmt, 7);
	u->failed_signins = db_column_int(stmt, 8);
	u->signin_not_before = db_column_int64(stmt, 9);
	u->created_at = db_column_int64(stmt, 10);
	u->password_changed_at = db_column_int64(stmt, 11);
	return 0;
}

static void
user_unfill(void *elem)
{
	user_clear(elem);
}

static const struct row_kind user_rows = {
	sizeof(struct console_user), user_fill, user_unfill
};

/* ERR_INPUT for an account that is not there, by its name when the
 * caller had one, else by its number; returns -1. */
static int
no_user(const char *name, int64_t id, struct err *err)
{
	if (name != NULL)
		err_set(err, ERR_INPUT, "no user '%s'", name);
	else
		err_set(err, ERR_INPUT, "no user numbered %lld", (long long)id);
	return -1;
}

/* Runs a statement about one account (name, else id), which must
 * change its row. */
static int
update_user(struct store *st, struct db_stmt *stmt, const char *name,
    int64_t id, struct err *err)
{
	if (step_done(st, stmt, err) == -1)
		return -1;
	return db_changes(st) == 0 ? no_user(name, id, err) : 0;
}

/* The one account the bound query finds (name, else id, for the error
 * when there is none). */
static int
user_one(struct store *st, struct db_stmt *stmt, const char *name, int64_t id,
    struct console_user *u, struct err *err)
{
	int found;

	if (step_row(st, stmt, &user_rows, "reading a user", u, &found,
	    err) == -1)
		return -1;
	return found ? 0 : no_user(name, id, err);
}

/*
 * Runs sql (a literal, as prepare wants) with the integers ?1 and ?2:
 * the shape of every change to one account or session by number.
 * *changed, when not NULL, is how many rows it changed.
 */
static int
run_ints(struct store *st, const char *sql, int64_t a, int64_t b,
    int64_t *changed, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, sql, &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, a);
	db_bind_int64(stmt, 2, b);
	if (step_done(st, stmt, err) == -1)
		goto out;
	if (changed != NULL)
		*changed = db_changes(st);
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

/* Sessions end when the account's secrets change hands. */
static int
end_sessions(struct store *st, const char *name, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "DELETE FROM console_session WHERE user_id = "
	    "(SELECT id FROM console_user WHERE name = ?1)", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, name);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_add(struct store *st, const char *name, enum user_role role,
    const char *password_hash, int64_t now, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO console_user (name, role, password_hash, "
	    "must_change_password, created_at, password_changed_at) "
	    "VALUES (?1, ?2, ?3, 1, ?4, ?4)", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, name);
	db_bind_static(stmt, 2, user_role_name(role));
	db_bind_text(stmt, 3, password_hash);
	db_bind_int64(stmt, 4, now);
	if (db_step(stmt) != DB_DONE) {
		if (db_unique_violation(st))
			err_set(err, ERR_INPUT, "a user named '%s' exists "
			    "already", name);
		else
			db_fail(st, err, "adding a user");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_user_get(struct store *st, const char *name, struct console_user *u,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	memset(u, 0, sizeof *u);
	if (prepare(st, "SELECT " USER_COLUMNS " FROM console_user "
	    "WHERE name = ?1", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, name);
	rc = user_one(st, stmt, name, 0, u, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_list(struct store *st, struct console_user **users, size_t *n,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, "SELECT " USER_COLUMNS " FROM console_user "
	    "ORDER BY name, id", &stmt, err) == -1)
		goto out;
	rc = collect_rows(st, stmt, &user_rows, "listing users", &list, n,
	    err);
out:
	release(st, stmt);
	*users = list;
	return rc;
}

void
store_users_free(struct console_user *users, size_t n)
{
	free_rows(&user_rows, users, n);
}

int
store_user_count(struct store *st, enum user_role role, int64_t *n,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "SELECT count(*) FROM console_user WHERE role = ?1",
	    &stmt, err) == -1)
		goto out;
	db_bind_static(stmt, 1, user_role_name(role));
	rc = step_int64(st, stmt, "counting users", n, NULL, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_set_role(struct store *st, const char *name, enum user_role role,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "UPDATE console_user SET role = ?2 WHERE name = ?1",
	    &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, name);
	db_bind_static(stmt, 2, user_role_name(role));
	rc = update_user(st, stmt, name, 0, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_set_password(struct store *st, const char *name,
    const char *password_hash, int must_change, int64_t now,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "UPDATE console_user SET password_hash = ?2, "
	    "must_change_password = ?3, password_changed_at = ?4, "
	    "failed_signins = 0, signin_not_before = 0 WHERE name = ?1",
	    &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, name);
	db_bind_text(stmt, 2, password_hash);
	db_bind_int64(stmt, 3, must_change != 0);
	db_bind_int64(stmt, 4, now);
	if (update_user(st, stmt, name, 0, err) == -1)
		goto out;
	rc = end_sessions(st, name, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_delete(struct store *st, const char *name, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	/* The sessions go by the foreign key's ON DELETE CASCADE. */
	if (prepare(st, "DELETE FROM console_user WHERE name = ?1", &stmt,
	    err) == -1)
		goto out;
	db_bind_text(stmt, 1, name);
	rc = update_user(st, stmt, name, 0, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_reset_totp(struct store *st, const char *name, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "UPDATE console_user SET totp_secret = NULL, "
	    "totp_last_step = 0, recovery_hashes = '' WHERE name = ?1", &stmt,
	    err) == -1)
		goto out;
	db_bind_text(stmt, 1, name);
	if (update_user(st, stmt, name, 0, err) == -1)
		goto out;
	rc = end_sessions(st, name, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_get_id(struct store *st, int64_t id, struct console_user *u,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	memset(u, 0, sizeof *u);
	if (prepare(st, "SELECT " USER_COLUMNS " FROM console_user "
	    "WHERE id = ?1", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, id);
	rc = user_one(st, stmt, NULL, id, u, err);
out:
	release(st, stmt);
	return rc;
}

int
store_user_signin_failed(struct store *st, int64_t id, int64_t not_before,
    struct err *err)
{
	int64_t n;

	if (run_ints(st, "UPDATE console_user SET failed_signins = "
	    "failed_signins + 1, signin_not_before = ?2 WHERE id = ?1", id,
	    not_before, &n, err) == -1)
		return -1;
	return n == 0 ? no_user(NULL, id, err) : 0;
}

int
store_user_signin_ok(struct store *st, int64_t id, int64_t step,
    struct err *err)
{
	int64_t n;

	/* Compare-and-set: of two requests with one code, one wins. */
	if (run_ints(st, "UPDATE console_user SET failed_signins = 0, "
	    "signin_not_before = 0, totp_last_step = CASE WHEN "
	    "totp_last_step > ?2 THEN totp_last_step ELSE ?2 END "
	    "WHERE id = ?1 AND (?2 = 0 OR totp_last_step < ?2)", id, step, &n,
	    err) == -1)
		return -1;
	if (n > 0)
		return 0;
	if (step <= 0)
		return no_user(NULL, id, err);
	err_set(err, ERR_STATE, "that code was used already");
	return -1;
}

int
store_user_set_totp(struct store *st, int64_t id, const char *secret,
    int64_t step, const char *recovery_hashes, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "UPDATE console_user SET totp_secret = ?2, "
	    "totp_last_step = ?3, recovery_hashes = ?4 WHERE id = ?1", &stmt,
	    err) == -1)
		goto out;
	db_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, secret);
	db_bind_int64(stmt, 3, step);
	db_bind_text(stmt, 4, recovery_hashes);
	rc = update_user(st, stmt, NULL, id, err);
out:
	release(st, stmt);
	return rc;
}

/* hashes without the word hash; NULL when it is not one of them. */
static char *
without_word(const char *hashes, const char *hash)
{
	struct buf b = { 0 };
	const char *p = hashes, *end;
	char word[PASSWORD_CODE_HASH_LEN];
	size_t len;
	int found = 0;

	while (*p != '\0') {
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == sizeof word - 1) {
			memcpy(word, p, len);
			word[len] = '\0';
		} else
			word[0] = '\0';
		if (!found && password_hash_equal(word, hash))
			found = 1;
		else if (end > p) {
			if (b.len > 0)
				buf_append(&b, " ", 1);
			buf_append(&b, p, (size_t)(end - p));
		}
		p = *end == ' ' ? end + 1 : end;
	}
	if (!found) {
		buf_clear(&b);
		return NULL;
	}
	return b.data ? b.data : xstrdup("");
}

int
store_user_use_recovery(struct store *st, int64_t id, const char *hash,
    struct err *err)
{
	struct console_user u;
	struct db_stmt *stmt = NULL;
	char *left = NULL;
	int rc = -1;

	if (store_user_get_id(st, id, &u, err) == -1)
		return -1;
	if ((left = without_word(u.recovery_hashes ? u.recovery_hashes : "",
	    hash)) == NULL) {
		err_set(err, ERR_STATE, "not a recovery code of this account");
		goto out;
	}
	/* Compare-and-set: two sign-ins with one code cannot both win. */
	if (prepare(st, "UPDATE console_user SET recovery_hashes = ?2 "
	    "WHERE id = ?1 AND recovery_hashes = ?3", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, id);
	db_bind_text(stmt, 2, left);
	db_bind_text(stmt, 3, u.recovery_hashes);
	if (step_done(st, stmt, err) == -1)
		goto out;
	if (db_changes(st) == 0) {
		err_set(err, ERR_STATE, "the recovery code was just used");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	free(left);
	user_clear(&u);
	return rc;
}

/* ---- the sessions ---- */

#define SESSION_COLUMNS \
	"id, user_id, created_at, last_seen_at, address, csrf_token, pending"

static int
session_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct console_session *s = elem;

	(void)err;
	s->id = db_column_int64(stmt, 0);
	s->user_id = db_column_int64(stmt, 1);
	s->created_at = db_column_int64(stmt, 2);
	s->last_seen_at = db_column_int64(stmt, 3);
	s->address = column_strdup(stmt, 4);
	s->csrf_token = column_strdup(stmt, 5);
	s->pending = db_column_int(stmt, 6) != 0;
	return 0;
}

static void
session_unfill(void *elem)
{
	store_session_clear(elem);
}

static const struct row_kind session_rows = {
	sizeof(struct console_session), session_fill, session_unfill
};

int
store_session_add(struct store *st, const char *id_hash, int64_t user_id,
    int64_t now, const char *address, const char *csrf_token, int pending,
    int64_t *id, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO console_session (id_hash, user_id, "
	    "created_at, last_seen_at, address, csrf_token, pending) "
	    "VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6) RETURNING id", &stmt,
	    err) == -1)
		goto out;
	db_bind_text(stmt, 1, id_hash);
	db_bind_int64(stmt, 2, user_id);
	db_bind_int64(stmt, 3, now);
	db_bind_text(stmt, 4, address ? address : "");
	db_bind_text(stmt, 5, csrf_token);
	db_bind_int64(stmt, 6, pending != 0);
	if (step_int64(st, stmt, "adding a session", id, NULL, err) == -1)
		goto out;
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_session_prune(struct store *st, int64_t pending_before,
    int64_t seen_before, int64_t created_before, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "DELETE FROM console_session WHERE (pending = 1 AND "
	    "created_at < ?1) OR (pending = 0 AND (last_seen_at < ?2 OR "
	    "created_at < ?3))", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, pending_before);
	db_bind_int64(stmt, 2, seen_before);
	db_bind_int64(stmt, 3, created_before);
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

int
store_session_find(struct store *st, const char *id_hash,
    struct console_session *s, int *found, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	memset(s, 0, sizeof *s);
	*found = 0;
	if (prepare(st, "SELECT " SESSION_COLUMNS " FROM console_session "
	    "WHERE id_hash = ?1", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, id_hash);
	rc = step_row(st, stmt, &session_rows, "reading a session", s, found,
	    err);
out:
	release(st, stmt);
	return rc;
}

int
store_session_touch(struct store *st, int64_t id, int64_t now,
    struct err *err)
{
	return run_ints(st, "UPDATE console_session SET last_seen_at = ?2 "
	    "WHERE id = ?1 AND last_seen_at < ?2", id, now, NULL, err);
}

int
store_session_delete(struct store *st, int64_t id, int64_t user_id,
    int *ended, struct err *err)
{
	int64_t n = 0;
	int rc;

	rc = run_ints(st, "DELETE FROM console_session WHERE id = ?1 "
	    "AND (?2 = 0 OR user_id = ?2)", id, user_id, &n, err);
	*ended = n > 0;
	return rc;
}

int
store_session_delete_user(struct store *st, int64_t user_id, int64_t keep,
    int64_t *n, struct err *err)
{
	*n = 0;
	return run_ints(st, "DELETE FROM console_session WHERE user_id = ?1 "
	    "AND id != ?2", user_id, keep, n, err);
}

int
store_session_list(struct store *st, int64_t user_id,
    struct console_session **sessions, size_t *n, struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, "SELECT " SESSION_COLUMNS " FROM console_session "
	    "WHERE user_id = ?1 AND pending = 0 ORDER BY last_seen_at DESC, "
	    "id DESC", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, user_id);
	rc = collect_rows(st, stmt, &session_rows, "listing sessions", &list,
	    n, err);
out:
	release(st, stmt);
	*sessions = list;
	return rc;
}

void
store_session_clear(struct console_session *s)
{
	if (s == NULL)
		return;
	free(s->address);
	free(s->csrf_token);
	memset(s, 0, sizeof *s);
}

void
store_sessions_free(struct console_session *sessions, size_t n)
{
	free_rows(&session_rows, sessions, n);
}

/* ---- the audit ---- */

int
store_audit_add(struct store *st, const struct audit_note *a,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO audit (at, \"user\", address, action, target, "
	    "outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &stmt,
	    err) == -1)
		goto out;
	db_bind_int64(stmt, 1, a->at);
	db_bind_text(stmt, 2, a->user);
	db_bind_text(stmt, 3, a->address ? a->address : "");
	db_bind_text(stmt, 4, a->action);
	db_bind_text(stmt, 5, a->target ? a->target : "");
	db_bind_text(stmt, 6, a->outcome);
	db_bind_text(stmt, 7, a->detail ? a->detail : "");
	rc = step_done(st, stmt, err);
out:
	release(st, stmt);
	return rc;
}

static int
audit_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct audit_entry *a = elem;

	(void)err;
	a->id = db_column_int64(stmt, 0);
	a->at = db_column_int64(stmt, 1);
	a->user = column_strdup(stmt, 2);
	a->address = column_strdup(stmt, 3);
	a->action = column_strdup(stmt, 4);
	a->target = column_strdup(stmt, 5);
	a->outcome = column_strdup(stmt, 6);
	a->detail = column_strdup(stmt, 7);
	return 0;
}

static void
audit_unfill(void *elem)
{
	struct audit_entry *a = elem;

	free(a->user);
	free(a->address);
	free(a->action);
	free(a->target);
	free(a->outcome);
	free(a->detail);
}

static const struct row_kind audit_rows = {
	sizeof(struct audit_entry), audit_fill, audit_unfill
};

int
store_audit_list(struct store *st, int64_t before_id, size_t limit,
    struct audit_entry **entries, size_t *n, struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, "SELECT id, at, \"user\", address, action, target, "
	    "outcome, detail FROM audit WHERE ?1 <= 0 OR id < ?1 "
	    "ORDER BY id DESC LIMIT ?2", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, before_id);
	db_bind_int64(stmt, 2, (int64_t)limit);
	rc = collect_rows(st, stmt, &audit_rows, "listing the audit", &list, n,
	    err);
out:
	release(st, stmt);
	*entries = list;
	return rc;
}

void
store_audit_free(struct audit_entry *entries, size_t n)
{
	free_rows(&audit_rows, entries, n);
}

int
store_audit_failed_signins(struct store *st, const char *address,
    int64_t since, int64_t *n, int64_t *last, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	if (prepare(st, "SELECT count(*), coalesce(max(at), 0) FROM audit "
	    "WHERE address = ?1 AND at >= ?2 AND action = 'signin' AND "
	    "outcome = 'failed'", &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, address ? address : "");
	db_bind_int64(stmt, 2, since);
	if (db_step(stmt) != DB_ROW) {
		db_fail(st, err, "counting failed sign-ins");
		goto out;
	}
	*n = db_column_int64(stmt, 0);
	*last = db_column_int64(stmt, 1);
	rc = 0;
out:
	release(st, stmt);
	return rc;
}
