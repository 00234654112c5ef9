/* mailauth.c: fresh access tokens for the mail accounts, once each. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mailauth.h"

#define LEASE_WAIT_MS	100

struct mailauth {
	const struct config	*cfg;
	enum mailauth_account	 account;
	struct store		*st;
	char			*identity;
	char			*token;		/* the one handed out */
};

const char *
mailauth_account_name(enum mailauth_account a)
{
	return a == MAILAUTH_INBOUND ? "inbound" : "outbound";
}

const struct config_oauth *
mailauth_settings(const struct config *cfg, enum mailauth_account a)
{
	return a == MAILAUTH_INBOUND ? &cfg->in_oauth : &cfg->out_oauth;
}

const char *
mailauth_username(const struct config *cfg, enum mailauth_account a)
{
	return a == MAILAUTH_INBOUND ? cfg->in_username : cfg->out_username;
}

/* Whose tokens these are: another client, user or endpoint in the
 * config means the stored ones no longer apply. */
static char *
identity_of(const struct config *cfg, enum mailauth_account a)
{
	const struct config_oauth *o = mailauth_settings(cfg, a);

	return xasprintf("%s %s %s %s", config_grant_name(o->grant),
	    o->token_url, o->client_id, mailauth_username(cfg, a));
}

static void
replace(char **field, const char *value)
{
	if (*field != NULL)
		explicit_bzero(*field, strlen(*field));
	free(*field);
	*field = value != NULL ? xstrdup(value) : NULL;
}

/*
 * Reads the account's row inside a transaction: a missing one, or one
 * of another identity, starts afresh as needs_login.
 */
static int
load_row(struct store *st, const struct config *cfg, enum mailauth_account a,
    struct mail_auth_row *row, struct err *err)
{
	char *identity = identity_of(cfg, a);
	int found;

	if (store_auth_get(st, mailauth_account_name(a), row, &found,
	    err) == -1) {
		free(identity);
		return -1;
	}
	if (!found || strcmp(row->identity, identity) != 0) {
		store_auth_clear(row);
		row->account = xstrdup(mailauth_account_name(a));
		row->state = xstrdup("needs_login");
	}
	free(row->identity);
	row->identity = identity;
	return 0;
}

int
mailauth_status(struct store *st, const struct config *cfg,
    enum mailauth_account a, struct mail_auth_row *row, struct err *err)
{
	/* One SELECT: in or out of the caller's transaction. */
	return load_row(st, cfg, a, row, err);
}

struct mailauth *
mailauth_new(const struct config *cfg, enum mailauth_account a,
    struct err *err)
{
	struct mailauth *ma;

	ma = xcalloc(1, sizeof *ma);
	ma->cfg = cfg;
	ma->account = a;
	ma->identity = identity_of(cfg, a);
	if (store_open(cfg->database, &ma->st, err) == -1) {
		mailauth_free(ma);
		return NULL;
	}
	return ma;
}

void
mailauth_free(struct mailauth *ma)
{
	if (ma == NULL)
		return;
	store_close(ma->st);
	replace(&ma->token, NULL);
	free(ma->identity);
	free(ma);
}

int64_t
mailauth_margin(int64_t life)
{
	life /= MAILAUTH_AHEAD_SHARE;
	return life < MAILAUTH_AHEAD_MAX ? life : MAILAUTH_AHEAD_MAX;
}

static int
fresh(const struct mail_auth_row *row, int64_t now, const char *refused)
{
	return row->access_token != NULL && row->expires_at - now >
	    mailauth_margin(row->expires_at - row->refreshed_at) &&
	    (refused == NULL || strcmp(row->access_token, refused) != 0);
}

/* Still accepted by the server, if no longer fresh. */
static int
alive(const struct mail_auth_row *row, int64_t now, const char *refused)
{
	return row->access_token != NULL && row->expires_at > now &&
	    (refused == NULL || strcmp(row->access_token, refused) != 0);
}

static int64_t
backoff(int64_t failures)
{
	int64_t wait = MAILAUTH_BACKOFF_FIRST;

	while (failures-- > 1 && wait < MAILAUTH_BACKOFF_MAX)
		wait *= 2;
	return wait < MAILAUTH_BACKOFF_MAX ? wait : MAILAUTH_BACKOFF_MAX;
}

/* What to run, for an account that needs a person. */
static void
need_login(struct mailauth *ma, const struct mail_auth_row *row,
    struct err *err)
{
	const char *name = mailauth_account_name(ma->account);

	if (strcmp(row->state, "needs_reauth") == 0)
		err_set(err, ERR_RUNTIME, "[%s] OAuth2: the provider refused "
		    "the refresh token (%s); sign in again with 'mscagent auth "
		    "login %s'", name, row->last_error ? row->last_error :
		    "invalid_grant", name);
	else
		err_set(err, ERR_RUNTIME, "[%s] OAuth2: not signed in yet; run "
		    "'mscagent auth login %s'", name, name);
}

enum step {
	STEP_DONE,	/* a token is in row */
	STEP_FAIL,	/* err says why */
	STEP_WAIT,	/* another process is asking: look again soon */
	STEP_ASK,	/* the lease is ours: ask the endpoint */
};

/* Decides, from the row, whether to use, wait, ask or give up. */
static enum step
decide(struct mailauth *ma, struct mail_auth_row *row, int64_t now,
    const char *refused, struct err *err)
{
	const struct config_oauth *o = mailauth_settings(ma->cfg, ma->account);

	if (fresh(row, now, refused))
		return STEP_DONE;
	if (o->grant == GRANT_REFRESH_TOKEN && row->refresh_token == NULL) {
		need_login(ma, row, err);
		return STEP_FAIL;
	}
	if (row->retry_at > now) {
		if (alive(row, now, refused))
			return STEP_DONE;
		err_set(err, ERR_RUNTIME, "[%s] OAuth2: %s (next try in %lld "
		    "s)", mailauth_account_name(ma->account), row->last_error ?
		    row->last_error : "failed", (long long)(row->retry_at - now));
		return STEP_FAIL;
	}
	/* The holder is a process, or on PostgreSQL a session, which any
	 * agent on the database can tell is alive (store.h). */
	if (row->lease_until > now && row->leased_by != store_holder(ma->st) &&
	    store_holder_alive(ma->st, row->leased_by))
		return STEP_WAIT;
	row->lease_until = now + MAILAUTH_LEASE;
	row->leased_by = store_holder(ma->st);
	return STEP_ASK;
}

/* Puts what the endpoint answered into the row; the lease ends with it. */
static void
apply_answer(struct mailauth *ma, struct mail_auth_row *row,
    enum oauth_status status, const struct oauth_token *tok, int64_t now,
    const struct err *why)
{
	const char *name = mailauth_account_name(ma->account);

	row->lease_until = 0;
	row->leased_by = 0;
	if (status == OAUTH_OK) {
		replace(&row->access_token, tok->access_token);
		if (tok->refresh_token != NULL)	/* rotated: the old is spent */
			replace(&row->refresh_token, tok->refresh_token);
		row->expires_at = now + tok->expires_in;
		row->refreshed_at = now;
		row->failures = 0;
		row->retry_at = 0;
		row->notified = 0;
		replace(&row->state, "ok");
		replace(&row->last_error, NULL);
		return;
	}
	replace(&row->last_error, why->msg);
	if (status == OAUTH_REAUTH &&
	    mailauth_settings(ma->cfg, ma->account)->grant ==
	    GRANT_REFRESH_TOKEN) {
		if (strcmp(row->state, "needs_reauth") != 0)
			log_error("auth", "[%s] needs a new sign-in: %s", name,
			    why->msg);
		replace(&row->state, "needs_reauth");
		replace(&row->refresh_token, NULL);
		replace(&row->access_token, NULL);
		return;
	}
	/* Temporary, or a refusal that a changed config must mend: the
	 * refresh token stays, and the next try waits longer. */
	row->failures++;
	row->retry_at = now + backoff(row->failures);
	if (!alive(row, now, NULL))
		replace(&row->state, "error");
	log_warn("auth", "[%s] no new access token: %s", name, why->msg);
}

/* One look at the row in a write transaction. */
static enum step
look(struct mailauth *ma, struct mail_auth_row *row, int64_t now,
    const char *refused, struct err *err)
{
	enum step step;

	if (store_begin(ma->st, err) == -1)
		return STEP_FAIL;
	if (load_row(ma->st, ma->cfg, ma->account, row, err) == -1)
		goto fail;
	step = decide(ma, row, now, refused, err);
	if (step == STEP_ASK && store_auth_put(ma->st, row, err) == -1)
		goto fail;
	if (store_commit(ma->st, err) == -1)
		goto fail;
	return step;
fail:
	store_rollback(ma->st);
	return STEP_FAIL;
}

/* Asks the endpoint and stores the answer under the lease. */
static int
ask(struct mailauth *ma, struct mail_auth_row *row, struct err *err)
{
	const struct config_oauth *o = mailauth_settings(ma->cfg, ma->account);
	struct oauth_token tok;
	enum oauth_status status;
	struct err why;
	int64_t now = (int64_t)time(NULL);
	int rc = -1;

	status = oauth_request(o, mailauth_username(ma->cfg, ma->account),
	    row->refresh_token, now, &tok, &why);
	if (store_begin(ma->st, err) == -1)
		goto out;
	apply_answer(ma, row, status, &tok, now, &why);
	if (store_auth_put(ma->st, row, err) == -1 ||
	    store_commit(ma->st, err) == -1) {
		store_rollback(ma->st);
		goto out;
	}
	if (status == OAUTH_OK || alive(row, now, NULL))
		rc = 0;
	else if (strcmp(row->state, "needs_reauth") == 0)
		need_login(ma, row, err);
	else
		err_set(err, ERR_RUNTIME, "[%s] OAuth2: %s",
		    mailauth_account_name(ma->account), why.msg);
out:
	oauth_token_clear(&tok);
	return rc;
}

int
mailauth_token(struct mailauth *ma, int refused_last, const char **token,
    int64_t *expires_at, struct err *err)
{
	const char *refused = refused_last ? ma->token : NULL;
	struct mail_auth_row row;
	enum step step;
	int rc = -1;

	memset(&row, 0, sizeof row);
	for (;;) {
		store_auth_clear(&row);
		step = look(ma, &row, (int64_t)time(NULL), refused, err);
		if (step != STEP_WAIT)
			break;
		poll(NULL, 0, LEASE_WAIT_MS);
	}
	if (step == STEP_FAIL || (step == STEP_ASK && ask(ma, &row, err) == -1))
		goto out;
	replace(&ma->token, row.access_token);
	*token = ma->token;
	*expires_at = row.expires_at;
	rc = 0;
out:
	store_auth_clear(&row);
	return rc;
}

int
mailauth_save_login(struct store *st, const struct config *cfg,
    enum mailauth_account a, const struct oauth_token *tok, int64_t now,
    struct err *err)
{
	struct mail_auth_row row;
	int rc = -1;

	memset(&row, 0, sizeof row);
	if (store_begin(st, err) == -1)
		return -1;
	if (load_row(st, cfg, a, &row, err) == -1)
		goto out;
	replace(&row.refresh_token, tok->refresh_token);
	replace(&row.access_token, tok->access_token);
	row.expires_at = tok->access_token != NULL ? now + tok->expires_in : 0;
	row.refreshed_at = tok->access_token != NULL ? now : 0;
	row.failures = 0;
	row.retry_at = 0;
	row.lease_until = 0;
	row.leased_by = 0;
	row.notified = 0;
	replace(&row.state, "ok");
	replace(&row.last_error, NULL);
	if (store_auth_put(st, &row, err) == -1 || store_commit(st, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		store_rollback(st);
	store_auth_clear(&row);
	return rc;
}
