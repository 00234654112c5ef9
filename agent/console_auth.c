/* console_auth.c: signing in and out, the account and its second factor, the users. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_impl.h"
#include "password.h"
#include "qrsvg.h"
#include "totp.h"

/*
 * Failed sign-ins slow down: after THROTTLE_FREE_ACCOUNT failures in a
 * row for one account, or THROTTLE_FREE_ADDRESS from one address within
 * THROTTLE_WINDOW, the next try waits 2, 4, 8... seconds after the last
 * failure, THROTTLE_MAX at most.  An address gets more free tries: an
 * office shares one.  The failures of an address are counted from the
 * audit, which has them anyway, so they outlive a restart and every
 * thread sees them.
 */
#define THROTTLE_FREE_ACCOUNT	5
#define THROTTLE_FREE_ADDRESS	10
#define THROTTLE_WINDOW		(15 * 60)
#define THROTTLE_MAX		(15 * 60)

/* Said for every failed sign-in, whatever failed: the name, the
 * password, the code, or the wait. */
#define SIGNIN_FAILED	"Name or password is wrong, or there were too many " \
			"tries: wait a minute and try again."
#define CODE_FAILED	"The code is wrong, or there were too many tries: " \
			"wait a minute and try again."

#define ISSUER		"MSC migration console"

/* ---- throttling ---- */

/* Seconds to wait after failures in a row, free of them free. */
static int64_t
throttle_delay(int64_t failures, int64_t free)
{
	int64_t over = failures - free + 1;

	if (over <= 0)
		return 0;
	if (over >= 10)
		return THROTTLE_MAX;
	return (int64_t)1 << over < THROTTLE_MAX ? (int64_t)1 << over :
	    THROTTLE_MAX;
}

/* 1 when the client's address has failed too often of late, 0 if not,
 * -1 with c->err. */
static int
address_throttled(struct console_call *c)
{
	int64_t n, last;

	if (store_audit_failed_signins(c->st, c->req->client,
	    c->now - THROTTLE_WINDOW, &n, &last, &c->err) == -1)
		return -1;
	return c->now < last + throttle_delay(n, THROTTLE_FREE_ADDRESS);
}

/* Counts a failure against account u (and, by its audit row, against
 * the address). */
static int
signin_failed(struct console_call *c, const struct console_user *u,
    const char *target, const char *detail)
{
	if (u != NULL && store_user_signin_failed(c->st, u->id, c->now +
	    throttle_delay(u->failed_signins + 1, THROTTLE_FREE_ACCOUNT),
	    &c->err) == -1)
		return -1;
	return console_audit(c, "signin", target, "failed", detail);
}

/* ---- pages ---- */

static int
login_page(struct console_call *c, unsigned status, int code_step,
    const char *error)
{
	struct tmpl_vars *v = console_vars(c);

	/* The header is for the signed in; a pending sign-in is not yet. */
	if (code_step) {
		tmpl_vars_set(v, "user", "");
		tmpl_vars_set(v, "code_step", "yes");
	}
	tmpl_vars_set(v, "error", error);
	return console_page(c, status, "console_login", v);
}

/* ---- signing in ---- */

/*
 * A hash to check a password against when the name is unknown, so that
 * such a sign-in takes as long as one with a wrong password.
 */
static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy_hash(void)
{
	struct err err;
	char *p = password_generate();

	if (password_hash(p, dummy_hash, &err) == -1)
		dummy_hash[0] = '\0';
	password_free(p);
}

/* Signs user u in: a new session (the cookie's id changes at every
 * sign-in), the failures forgotten, the audit told. */
static int
signed_in(struct console_call *c, struct console_user *u, int64_t step,
    const char *detail)
{
	if (store_user_signin_ok(c->st, u->id, step, &c->err) == -1)
		return -1;
	if (console_session_start(c, u->id, 0) == -1)
		return -1;
	user_clear(&c->user);
	c->user = *u;
	memset(u, 0, sizeof *u);
	if (console_audit(c, "signin", c->user.name, "ok", detail) == -1)
		return -1;
	console_redirect(c, "/");
	return 0;
}

/* The first step: name and password. */
static int
password_step(struct console_call *c)
{
	const char *name = console_param(c, "name");
	const char *password = console_param(c, "password");
	struct console_user u = { 0 };
	struct err e;
	int known, rc = -1, throttled;

	if (name == NULL || password == NULL || user_name_check(name,
	    &e) == -1 || strlen(password) > PASSWORD_MAX) {
		if (console_audit(c, "signin", "", "failed", "not a name and "
		    "a password") == -1)
			return -1;
		return login_page(c, 403, 0, SIGNIN_FAILED);
	}
	if ((throttled = address_throttled(c)) == -1)
		return -1;
	known = store_user_get(c->st, name, &u, &e) == 0;
	if (!known && e.kind != ERR_INPUT) {
		c->err = e;
		return -1;
	}
	if (throttled || (known && c->now < u.signin_not_before)) {
		if (console_audit(c, "signin", name, "refused",
		    throttled ? "too many failures from the address" :
		    "too many failures of the account") == -1)
			goto out;
		rc = login_page(c, 403, 0, SIGNIN_FAILED);
		goto out;
	}
	if (!known) {
		pthread_once(&dummy_once, make_dummy_hash);
		(void)password_verify(dummy_hash, password);
		if (signin_failed(c, NULL, name, "no such account") == -1)
			goto out;
		rc = login_page(c, 403, 0, SIGNIN_FAILED);
		goto out;
	}
	if (!password_verify(u.password_hash, password)) {
		if (signin_failed(c, &u, name, "wrong password") == -1)
			goto out;
		rc = login_page(c, 403, 0, SIGNIN_FAILED);
		goto out;
	}
	if (u.totp_secret == NULL) {
		rc = signed_in(c, &u, 0, NULL);
		goto out;
	}
	/* The second step comes on a session that opens nothing else. */
	if (console_session_start(c, u.id, 1) == -1)
		goto out;
	console_redirect(c, "/login");
	rc = 0;
out:
	user_clear(&u);
	return rc;
}

/* Whether code is u's next TOTP code: 1 with its step, else 0. */
static int
totp_ok(const struct console_user *u, const char *code, int64_t now,
    int64_t *step)
{
	unsigned char key[TOTP_SECRET_MAX];
	struct err e;
	size_t len;
	int ok;

	if (u->totp_secret == NULL || totp_base32_decode(u->totp_secret, key,
	    sizeof key, &len, &e) == -1)
		return 0;
	ok = totp_verify(key, len, code, now, u->totp_last_step, step);
	password_wipe(key, sizeof key);
	return ok;
}

/* A recovery code as typed: its characters, and a few spaces or dashes
 * more than the shown form has. */
#define RECOVERY_TYPED_MAX	(PASSWORD_RECOVERY_SHOWN + 8)

/* What a store call refusing a code (ERR_STATE: used already, or not
 * one of the account's) means: 0, a wrong code; else -1 with c->err. */
static int
code_refused(struct console_call *c, const struct err *e)
{
	if (e->kind == ERR_STATE)
		return 0;
	c->err = *e;
	return -1;
}

/*
 * Takes code as u's second factor: 1 when it is a TOTP code not taken
 * before or one of its recovery codes (now used up), *how saying which;
 * 0 when it is neither; -1 with c->err.
 */
static int
second_factor(struct console_call *c, const struct console_user *u,
    const char *code, const char **how)
{
	char hash[PASSWORD_CODE_HASH_LEN];
	int64_t step = 0;
	struct err e;
	size_t len = code != NULL ? strlen(code) : 0;

	if (len == TOTP_DIGITS && totp_ok(u, code, c->now, &step)) {
		*how = "second factor: TOTP";
		/* The step is stored only if no other request took it. */
		if (store_user_signin_ok(c->st, u->id, step, &e) == -1)
			return code_refused(c, &e);
		return 1;
	}
	if (len < PASSWORD_RECOVERY_LEN || len > RECOVERY_TYPED_MAX)
		return 0;
	*how = "second factor: a recovery code";
	password_code_hash(code, hash);
	if (store_user_use_recovery(c->st, u->id, hash, &e) == -1)
		return code_refused(c, &e);
	return 1;
}

/* The second step: a TOTP code, or a recovery code, on the pending
 * session. */
static int
code_step(struct console_call *c)
{
	struct console_user u;
	const char *how = NULL;
	int throttled, ok, rc;

	if ((rc = console_session_load_pending(c)) != 1) {
		if (rc == -1)
			return -1;
		return login_page(c, 403, 0, "That sign-in took too long. "
		    "Sign in again.");
	}
	if (!console_csrf_ok(c))
		return login_page(c, 403, 0, "Sign in again.");
	if ((throttled = address_throttled(c)) == -1)
		return -1;
	rc = -1;
	u = c->user;
	memset(&c->user, 0, sizeof c->user);
	if (throttled || c->now < u.signin_not_before) {
		if (console_audit(c, "signin", u.name, "refused", "too many "
		    "failures") == -1)
			goto out;
		rc = login_page(c, 403, 1, CODE_FAILED);
		goto out;
	}
	if ((ok = second_factor(c, &u, console_param(c, "code"), &how)) == -1)
		goto out;
	if (ok) {
		if (console_session_end(c) == 0)
			rc = signed_in(c, &u, 0, how);
		goto out;
	}
	if (signin_failed(c, &u, u.name, "wrong second factor") == -1)
		goto out;
	rc = login_page(c, 403, 1, CODE_FAILED);
out:
	user_clear(&u);
	return rc;
}

int
console_login_get(struct console_call *c)
{
	int rc;

	if ((rc = console_session_load(c)) == 1) {
		console_redirect(c, "/");
		return 0;
	}
	if (rc == -1 || (rc = console_session_load_pending(c)) == -1)
		return -1;
	return login_page(c, 200, rc == 1, NULL);
}

int
console_login_post(struct console_call *c)
{
	/* No session yet, so no CSRF token: a form posted from another
	 * site must not sign the browser in to an account of its own. */
	if (!console_same_origin(c)) {
		console_message(c, 403, "Refused", "This form was not sent "
		    "from this console's page.");
		return 0;
	}
	if (console_param(c, "code") != NULL)
		return code_step(c);
	return password_step(c);
}

int
console_logout_post(struct console_call *c)
{
	if (console_audit(c, "signout", c->user.name, "ok", NULL) == -1 ||
	    console_session_end(c) == -1)
		return -1;
	console_redirect(c, "/login");
	return 0;
}

/* ---- the account ---- */

static int
add_sessions(struct console_call *c, struct tmpl_vars *v)
{
	struct console_session *s = NULL;
	struct tmpl_vars *item;
	size_t i, n;

	if (store_session_list(c->st, c->user.id, &s, &n, &c->err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		item = tmpl_vars_item(v, "sessions");
		tmpl_vars_setf(item, "session_id", "%lld", (long long)s[i].id);
		console_set_time(item, "created", s[i].created_at);
		console_set_time(item, "last_seen", s[i].last_seen_at);
		tmpl_vars_set(item, "address", s[i].address);
		tmpl_vars_set(item, "this", s[i].id == c->session_id ? "yes" :
		    "");
	}
	if (n > 1)
		tmpl_vars_set(v, "others", "yes");
	store_sessions_free(s, n);
	return 0;
}

/* Recovery codes left: the words of the stored list. */
static size_t
recovery_left(const char *hashes)
{
	size_t n = 0;
	const char *p;

	for (p = hashes ? hashes : ""; *p != '\0'; p++)
		if (*p != ' ' && (p[1] == ' ' || p[1] == '\0'))
			n++;
	return n;
}

/* What enrolling shows: the secret as text, as an otpauth URI and as
 * its QR code; secret NULL makes a new one. */
static int
add_enrolment(struct console_call *c, struct tmpl_vars *v,
    const char *secret)
{
	unsigned char key[TOTP_SECRET_LEN];
	char *made = NULL, *uri = NULL, *svg = NULL;
	int rc = -1;

	if (secret == NULL) {
		password_random(key, sizeof key);
		secret = made = totp_base32_encode(key, sizeof key);
		password_wipe(key, sizeof key);
	}
	if ((uri = totp_uri(ISSUER, c->user.name, secret, &c->err)) == NULL ||
	    (svg = qrsvg_make(uri, &c->err)) == NULL)
		goto out;
	tmpl_vars_set(v, "enrol", "yes");
	tmpl_vars_set(v, "totp_secret", secret);
	tmpl_vars_set(v, "totp_uri", uri);
	tmpl_vars_set_svg(v, "totp_qr", svg);
	rc = 0;
out:
	password_free(made);
	password_free(uri);
	free(svg);
	return rc;
}

/*
 * The account page: the forced change of a one-time password first,
 * then the second factor's enrolment, then the password and sessions.
 * secret: the enrolment to show again (a wrong code); codes: recovery
 * codes to show, once.
 */
static int
account_page(struct console_call *c, unsigned status, const char *error,
    const char *secret, const struct strvec *codes)
{
	struct tmpl_vars *v = console_vars(c);
	const char *done = console_param(c, "done");
	size_t i;

	tmpl_vars_set(v, "error", error);
	if (done != NULL && strcmp(done, "password") == 0)
		tmpl_vars_set(v, "done_text", "Your password is changed.");
	else if (done != NULL && strcmp(done, "sessions") == 0)
		tmpl_vars_set(v, "done_text", "Your other sessions have ended.");
	if (c->user.must_change_password) {
		tmpl_vars_set(v, "must_change", "yes");
		return console_page(c, status, "console_account", v);
	}
	if (codes != NULL) {
		tmpl_vars_set(v, "recovery", "yes");
		for (i = 0; i < codes->n; i++)
			tmpl_vars_set(tmpl_vars_item(v, "codes"), "code",
			    codes->v[i]);
	}
	if (c->user.totp_secret == NULL) {
		if (c->con->mail->cfg->console_require_totp)
			tmpl_vars_set(v, "totp_required", "yes");
		if (add_enrolment(c, v, secret) == -1)
			goto fail;
	} else
		tmpl_vars_setf(v, "recovery_left", "%zu",
		    recovery_left(c->user.recovery_hashes));
	if (add_sessions(c, v) == -1)
		goto fail;
	return console_page(c, status, "console_account", v);
fail:
	tmpl_vars_free(v);
	return -1;
}

int
console_account_get(struct console_call *c)
{
	return account_page(c, 200, NULL, NULL, NULL);
}

/* A new password for oneself; a one-time one must be changed. */
static int
change_password(struct console_call *c)
{
	const char *current = console_param(c, "current");
	const char *fresh = console_param(c, "new");
	const char *again = console_param(c, "repeat");
	char hash[PASSWORD_HASH_MAX];
	struct err e;
	int rc = -1;

	if (current == NULL || fresh == NULL || again == NULL)
		return account_page(c, 422, "Fill in every field.", NULL,
		    NULL);
	if (c->now < c->user.signin_not_before ||
	    !password_verify(c->user.password_hash, current)) {
		if (signin_failed(c, &c->user, c->user.name, "wrong current "
		    "password at a change") == -1)
			return -1;
		return account_page(c, 422, "The current password is wrong.",
		    NULL, NULL);
	}
	if (strcmp(fresh, again) != 0)
		return account_page(c, 422, "The new passwords differ.", NULL,
		    NULL);
	if (strcmp(fresh, current) == 0)
		return account_page(c, 422, "Choose a password other than the "
		    "current one.", NULL, NULL);
	if (password_check_new(fresh, &e) == -1)
		return account_page(c, 422, e.msg, NULL, NULL);
	if (password_hash(fresh, hash, &c->err) == -1)
		return -1;
	/* Every session of the account ends, this one too: a new one
	 * follows, with a new id. */
	if (store_user_set_password(c->st, c->user.name, hash, 0, c->now,
	    &c->err) == -1 ||
	    console_session_start(c, c->user.id, 0) == -1 ||
	    console_audit(c, "password.change", c->user.name, "ok",
	    "other sessions ended") == -1)
		goto out;
	console_redirect(c, "/account?done=password");
	rc = 0;
out:
	password_wipe(hash, sizeof hash);
	return rc;
}

/* Confirms the secret the page showed with a code of it, then shows the
 * recovery codes, once. */
static int
enrol_totp(struct console_call *c)
{
	const char *secret = console_param(c, "secret");
	const char *code = console_param(c, "code");
	unsigned char key[TOTP_SECRET_MAX];
	struct strvec codes = { 0 }, hashes = { 0 };
	struct buf joined = { 0 };
	char *canonical = NULL;
	int64_t step;
	size_t len, i;
	struct err e;
	int rc = -1;

	if (c->user.totp_secret != NULL)
		return account_page(c, 409, "A second factor is set up "
		    "already.", NULL, NULL);
	if (secret == NULL || totp_base32_decode(secret, key, sizeof key,
	    &len, &e) == -1 || len != TOTP_SECRET_LEN)
		return account_page(c, 422, "Start again from this page.",
		    NULL, NULL);
	if (code == NULL || !totp_verify(key, len, code, c->now, 0, &step)) {
		password_wipe(key, sizeof key);
		return account_page(c, 422, "The code is wrong: check the "
		    "time on your phone and type the code it shows now.",
		    secret, NULL);
	}
	password_recovery_codes(&codes, &hashes);
	for (i = 0; i < hashes.n; i++) {
		if (i > 0)
			buf_puts(&joined, " ");
		buf_puts(&joined, hashes.v[i]);
	}
	/* Kept as the agent writes it, whatever case the form sent. */
	canonical = totp_base32_encode(key, len);
	password_wipe(key, sizeof key);
	if (store_user_set_totp(c->st, c->user.id, canonical, step,
	    joined.data, &c->err) == -1 ||
	    console_audit(c, "totp.enroll", c->user.name, "ok", NULL) == -1)
		goto out;
	free(c->user.totp_secret);
	c->user.totp_secret = canonical;
	canonical = NULL;
	free(c->user.recovery_hashes);
	c->user.recovery_hashes = xstrdup(joined.data);
	rc = account_page(c, 200, NULL, NULL, &codes);
out:
	for (i = 0; i < codes.n; i++)
		password_wipe(codes.v[i], strlen(codes.v[i]));
	strvec_clear(&codes);
	strvec_clear(&hashes);
	buf_clear(&joined);
	password_free(canonical);
	return rc;
}

static int
end_sessions(struct console_call *c)
{
	int64_t id = console_param_id(c, "session");
	int64_t n;
	int ended;

	if (id == 0) {
		if (store_session_delete_user(c->st, c->user.id,
		    c->session_id, &n, &c->err) == -1 ||
		    console_audit(c, "session.end", c->user.name, "ok",
		    "every other session") == -1)
			return -1;
	} else if (id != c->session_id) {
		if (store_session_delete(c->st, id, c->user.id, &ended,
		    &c->err) == -1 ||
		    console_audit(c, "session.end", c->user.name, ended ? "ok" :
		    "refused", "one session") == -1)
			return -1;
	}
	console_redirect(c, "/account?done=sessions");
	return 0;
}

int
console_account_post(struct console_call *c)
{
	const char *what = console_param(c, "do");

	if (what != NULL && strcmp(what, "password") == 0)
		return change_password(c);
	/* Until the one-time password is changed, nothing else. */
	if (c->user.must_change_password)
		return account_page(c, 403, "Change your password first.",
		    NULL, NULL);
	if (what != NULL && strcmp(what, "totp") == 0)
		return enrol_totp(c);
	if (what != NULL && strcmp(what, "end_sessions") == 0)
		return end_sessions(c);
	console_message(c, 400, "Bad request", "The form asked for nothing "
	    "this page does.");
	return 0;
}

/* ---- the users (admin) ---- */

/* The choices of the account's role, its own one selected. */
static void
role_options(struct tmpl_vars *item, enum user_role current)
{
	struct tmpl_vars *option;
	int r;

	for (r = 0; r < ROLE_COUNT; r++) {
		option = tmpl_vars_item(item, "roles");
		tmpl_vars_set(option, "option", user_role_name(r));
		tmpl_vars_set(option, "selected", r == (int)current ? "yes" :
		    "");
	}
}

/*
 * Whether done, from the query of the redirect after a change, is
 * "ACTION NAME" as change_user makes it: a link from elsewhere cannot
 * put words of its own on the page.
 */
static int
done_known(const char *done)
{
	static const char *const actions[] = {
		"user.role ", "user.reset-totp ", "user.end-sessions ",
		"user.del ",
	};
	struct err e;
	size_t i, len;

	if (done == NULL)
		return 0;
	for (i = 0; i < sizeof actions / sizeof *actions; i++) {
		len = strlen(actions[i]);
		if (strncmp(done, actions[i], len) == 0)
			return user_name_check(done + len, &e) == 0;
	}
	return 0;
}

static int
users_page(struct console_call *c, unsigned status, const char *error,
    const char *name, const char *otp)
{
	struct tmpl_vars *v = console_vars(c), *item;
	struct console_user *u = NULL;
	const char *done = console_param(c, "done");
	size_t i, n;

	if (store_user_list(c->st, &u, &n, &c->err) == -1) {
		tmpl_vars_free(v);
		return -1;
	}
	tmpl_vars_set(v, "error", error);
	if (otp != NULL) {
		tmpl_vars_set(v, "otp", otp);
		tmpl_vars_set(v, "otp_user", name);
	}
	if (done_known(done))
		tmpl_vars_setf(v, "done_text", "Done: %s.", done);
	for (i = 0; i < n; i++) {
		item = tmpl_vars_item(v, "users");
		tmpl_vars_set(item, "name", u[i].name);
		tmpl_vars_set(item, "user_role", user_role_name(u[i].role));
		role_options(item, u[i].role);
		tmpl_vars_set(item, "totp", u[i].totp_secret ? "on" : "not yet");
		tmpl_vars_set(item, "must_change", u[i].must_change_password ?
		    "yes" : "");
		tmpl_vars_setf(item, "failed", "%d", u[i].failed_signins);
		console_set_time(item, "created", u[i].created_at);
	}
	store_users_free(u, n);
	return console_page(c, status, "console_users", v);
}

/* A change refused for what the database holds: rolled back, audited
 * as refused, and the page says why. */
static int
refused(struct console_call *c, const char *action, const char *name)
{
	char msg[ERR_MSG_MAX];

	store_rollback(c->st);
	snprintf(msg, sizeof msg, "%s", c->err.msg);
	err_clear(&c->err);
	if (console_audit(c, action, name, "refused", msg) == -1)
		return -1;
	return users_page(c, 409, msg, NULL, NULL);
}

/* Ends a change begun with store_begin: its audit row in the same
 * transaction. */
static int
commit(struct console_call *c, int rc, const char *action, const char *name,
    const char *detail)
{
	if (rc == -1) {
		if (c->err.kind == ERR_INPUT || c->err.kind == ERR_STATE)
			return refused(c, action, name);
		store_rollback(c->st);
		return -1;
	}
	if (console_audit(c, action, name, "ok", detail) == -1 ||
	    store_commit(c->st, &c->err) == -1) {
		store_rollback(c->st);
		return -1;
	}
	return 0;
}

/* ERR_STATE when the change would leave no admin (to -1: deleting). */
static int
keep_an_admin(struct console_call *c, const struct console_user *u, int to)
{
	int64_t admins;

	if (store_user_count(c->st, ROLE_ADMIN, &admins, &c->err) == -1)
		return -1;
	return user_keep_an_admin(u, to, admins, &c->err);
}

/* A new one-time password (hashed before the transaction: hashing
 * takes a while the write lock need not wait for). */
static int
set_one_time(struct console_call *c, const char *name, int add,
    enum user_role role)
{
	char hash[PASSWORD_HASH_MAX], detail[32];
	char *otp;
	int rc;

	otp = password_generate();
	if (password_hash(otp, hash, &c->err) == -1 ||
	    store_begin(c->st, &c->err) == -1) {
		password_free(otp);
		return -1;
	}
	snprintf(detail, sizeof detail, "role %s", user_role_name(role));
	rc = add ? store_user_add(c->st, name, role, hash, c->now, &c->err) :
	    store_user_set_password(c->st, name, hash, 1, c->now, &c->err);
	password_wipe(hash, sizeof hash);
	/* Refused (a name taken, no such user): commit made the page. */
	if (commit(c, rc, add ? "user.add" : "user.passwd", name, add ?
	    detail : "a new one-time password, sessions ended") == -1 ||
	    rc == -1) {
		password_free(otp);
		return rc == -1 && c->res->status != 0 ? 0 : -1;
	}
	rc = users_page(c, 200, NULL, name, otp);
	password_free(otp);
	return rc;
}

/* Role, TOTP reset, sessions or deletion of account name. */
static int
change_user(struct console_call *c, const char *what, const char *name)
{
	struct console_user u = { 0 };
	const char *role_name = console_param(c, "role");
	const char *action;
	enum user_role role = ROLE_VIEWER;
	char detail[64] = "";
	int64_t n;
	int rc;

	if (strcmp(what, "role") == 0) {
		action = "user.role";
		if (role_name == NULL || user_role_parse(role_name, &role,
		    &c->err) == -1)
			return users_page(c, 422, "Pick a role.", NULL, NULL);
	} else if (strcmp(what, "reset_totp") == 0)
		action = "user.reset-totp";
	else if (strcmp(what, "end_sessions") == 0)
		action = "user.end-sessions";
	else
		action = "user.del";
	if (store_begin(c->st, &c->err) == -1)
		return -1;
	rc = store_user_get(c->st, name, &u, &c->err);
	if (rc == 0 && strcmp(what, "role") == 0) {
		snprintf(detail, sizeof detail, "%s -> %s",
		    user_role_name(u.role), user_role_name(role));
		rc = keep_an_admin(c, &u, (int)role) == -1 ? -1 :
		    store_user_set_role(c->st, name, role, &c->err);
	} else if (rc == 0 && strcmp(what, "reset_totp") == 0)
		rc = store_user_reset_totp(c->st, name, &c->err);
	else if (rc == 0 && strcmp(what, "end_sessions") == 0) {
		/* An admin's own session stays: "sign out" ends that. */
		rc = store_session_delete_user(c->st, u.id, u.id == c->user.id ?
		    c->session_id : 0, &n, &c->err);
		snprintf(detail, sizeof detail, "%lld ended", (long long)n);
	} else if (rc == 0)
		rc = keep_an_admin(c, &u, -1) == -1 ? -1 :
		    store_user_delete(c->st, name, &c->err);
	user_clear(&u);
	if (commit(c, rc, action, name, detail) == -1)
		return -1;
	if (rc == -1)
		return 0;	/* refused: commit made the page */
	console_redirect(c, "/users?done=%s+%s", action, name);
	return 0;
}

int
console_users_get(struct console_call *c)
{
	return users_page(c, 200, NULL, NULL, NULL);
}

int
console_users_post(struct console_call *c)
{
	const char *what = console_param(c, "do");
	const char *name = console_param(c, "name");
	const char *role_name = console_param(c, "role");
	enum user_role role;
	struct err e;

	if (what == NULL || name == NULL || user_name_check(name, &e) == -1)
		return users_page(c, 422, "Give an account name: letters, "
		    "digits, '.', '_', '-' or '@'.", NULL, NULL);
	if (strcmp(what, "add") == 0) {
		if (role_name == NULL || user_role_parse(role_name, &role,
		    &e) == -1)
			return users_page(c, 422, "Pick a role.", NULL, NULL);
		return set_one_time(c, name, 1, role);
	}
	if (strcmp(what, "password") == 0)
		return set_one_time(c, name, 0, ROLE_VIEWER);
	if (strcmp(what, "role") == 0 || strcmp(what, "reset_totp") == 0 ||
	    strcmp(what, "end_sessions") == 0 || strcmp(what, "delete") == 0)
		return change_user(c, what, name);
	console_message(c, 400, "Bad request", "The form asked for nothing "
	    "this page does.");
	return 0;
}
