/*
 * test_console_auth.c: the console's sessions, CSRF and origin checks,
 * throttling and the sign-in with its second factor, through
 * console_handle as the listener calls it; and the client's address
 * behind trusted proxies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console_impl.h"
#include "console_listener.h"
#include "password.h"
#include "totp.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */
#define BASE	"https://console.msp.test"
#define PASS	"correct horse battery"
#define OTP	"one-time-password-1"
#define NPARAMS	8

struct fixture {
	struct agent_fixture	 ag;
	struct console		 con;
};

/* A browser: its cookie and where it is. */
struct browser {
	char		 cookie[128];
	const char	*client;
	const char	*origin;	/* NULL: none sent */
	const char	*site;		/* Sec-Fetch-Site */
	char		 csrf[128];	/* of the last page that had one */
};

static void
add_user(struct fixture *f, const char *name, enum user_role role,
    const char *password)
{
	char hash[PASSWORD_HASH_MAX];
	struct err err;

	assert_int_equal(password_hash(password, hash, &err), 0);
	assert_int_equal(store_user_add(f->ag.st, name, role, hash, NOW, &err),
	    0);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err err;

	assert_int_equal(password_init(&err), 0);
	agent_fixture_open(&f->ag, "test_console_auth");
	f->ag.cfg.console_base_url = strdup(BASE);
	f->ag.cfg.console_idle_minutes = 30;
	f->ag.cfg.console_max_hours = 12;
	f->ag.cfg.console_require_totp = 1;
	f->con.mail = &f->ag.ctx;
	add_user(f, "alice", ROLE_ADMIN, OTP);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	agent_fixture_close(&f->ag);
	free(f);
	return 0;
}

/* Keeps what the answer says about the cookie and the CSRF token. */
static void
remember(struct browser *b, const struct console_response *res)
{
	const char *v, *end, *t;
	size_t len;

	if (res->set_cookie != NULL) {
		v = res->set_cookie + strlen(CONSOLE_COOKIE "=");
		end = strchr(v, ';');
		len = (size_t)(end - v);
		assert_true(len < sizeof b->cookie);
		memcpy(b->cookie, v, len);
		b->cookie[len] = '\0';
	}
	if (res->body != NULL && (t = strstr(res->body,
	    "name=\"csrf\" value=\"")) != NULL) {
		t += strlen("name=\"csrf\" value=\"");
		end = strchr(t, '"');
		len = (size_t)(end - t);
		assert_true(len < sizeof b->csrf);
		memcpy(b->csrf, t, len);
		b->csrf[len] = '\0';
	}
}

/*
 * method path at time now from browser b, with form fields as name,
 * value pairs ending in NULL; the caller clears *res.
 */
static void
ask(struct fixture *f, struct browser *b, int64_t now, const char *method,
    const char *path, struct console_response *res, ...)
{
	struct console_param params[NPARAMS];
	struct console_request req = { 0 };
	va_list ap;
	size_t n = 0;

	va_start(ap, res);
	while ((params[n].name = va_arg(ap, const char *)) != NULL) {
		params[n].value = va_arg(ap, const char *);
		params[n].len = strlen(params[n].value);
		assert_true(++n < NPARAMS);
	}
	va_end(ap);
	req.method = method;
	req.path = path;
	req.params = params;
	req.nparams = n;
	req.session = b->cookie[0] ? b->cookie : NULL;
	req.origin = b->origin;
	req.fetch_site = b->site;
	req.client = b->client ? b->client : "192.0.2.1";
	console_handle(&f->con, f->ag.st, &req, now, res);
	remember(b, res);
}

static void
assert_redirect(const struct console_response *res, const char *to)
{
	if (res->status != 303 || res->location == NULL ||
	    strcmp(res->location, to) != 0)
		fail_msg("wanted 303 to %s, got %u to %s", to, res->status,
		    res->location ? res->location : "nowhere");
}

static int64_t
sql_int(struct fixture *f, const char *name, const char *column)
{
	struct console_user u;
	struct err err;
	int64_t v;

	assert_int_equal(store_user_get(f->ag.st, name, &u, &err), 0);
	v = strcmp(column, "failed") == 0 ? u.failed_signins :
	    strcmp(column, "must_change") == 0 ? u.must_change_password :
	    strcmp(column, "totp") == 0 ? u.totp_secret != NULL :
	    (int64_t)u.role;
	user_clear(&u);
	return v;
}

static void
sign_in(struct fixture *f, struct browser *b, int64_t now, const char *name,
    const char *password, unsigned want)
{
	struct console_response res;

	ask(f, b, now, "POST", "/login", &res, "name", name, "password",
	    password, NULL);
	if (res.status != want)
		fail_msg("sign-in of %s: %u, wanted %u", name, res.status,
		    want);
	console_response_clear(&res);
}

/* The code of secret (base32) for the step of t. */
static void
code_of(const char *secret, int64_t t, char out[TOTP_DIGITS + 1])
{
	unsigned char key[TOTP_SECRET_MAX];
	struct err err;
	uint32_t code;
	size_t len;

	assert_int_equal(totp_base32_decode(secret, key, sizeof key, &len,
	    &err), 0);
	assert_int_equal(totp_code(key, len, totp_step(t), TOTP_DIGITS, &code,
	    &err), 0);
	snprintf(out, TOTP_DIGITS + 1, "%0*u", TOTP_DIGITS, code);
}

/* The text between the first after and the next "<" of body. */
static void
text_after(const char *body, const char *after, char *out, size_t size)
{
	const char *p = strstr(body, after), *end;

	assert_non_null(p);
	p += strlen(after);
	end = strchr(p, '<');
	assert_true((size_t)(end - p) < size);
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
}

/* Signs alice in with her one-time password, changes it to PASS and
 * enrolls TOTP; the secret into secret, a recovery code into rc. */
static void
set_up_alice(struct fixture *f, struct browser *b, char secret[64],
    char rc[32])
{
	struct console_response res;
	char code[TOTP_DIGITS + 1];

	sign_in(f, b, NOW, "alice", OTP, 303);
	ask(f, b, NOW, "GET", "/", &res, NULL);
	assert_redirect(&res, "/account");
	console_response_clear(&res);
	ask(f, b, NOW, "GET", "/account", &res, NULL);
	assert_non_null(strstr(res.body, "Choose your password"));
	console_response_clear(&res);
	ask(f, b, NOW, "POST", "/account", &res, "csrf", b->csrf, "do",
	    "password", "current", OTP, "new", PASS, "repeat", PASS, NULL);
	assert_redirect(&res, "/account?done=password");
	assert_non_null(res.set_cookie);
	console_response_clear(&res);
	assert_int_equal(sql_int(f, "alice", "must_change"), 0);

	ask(f, b, NOW, "GET", "/account", &res, NULL);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "<svg"));
	assert_non_null(strstr(res.body, "otpauth://totp/"));
	text_after(res.body, "<code class=\"secret\">", secret, 64);
	console_response_clear(&res);
	code_of(secret, NOW, code);
	ask(f, b, NOW, "POST", "/account", &res, "csrf", b->csrf, "do", "totp",
	    "secret", secret, "code", code, NULL);
	assert_int_equal(res.status, 200);
	text_after(res.body, "<li><code>", rc, 32);
	assert_int_equal(strlen(rc), PASSWORD_RECOVERY_SHOWN);
	console_response_clear(&res);
	assert_int_equal(sql_int(f, "alice", "totp"), 1);
}

static void
sign_out(struct fixture *f, struct browser *b, int64_t now)
{
	struct console_response res;

	ask(f, b, now, "GET", "/account", &res, NULL);
	console_response_clear(&res);
	ask(f, b, now, "POST", "/logout", &res, "csrf", b->csrf, NULL);
	assert_redirect(&res, "/login");
	assert_non_null(strstr(res.set_cookie, "Max-Age=0"));
	console_response_clear(&res);
	b->cookie[0] = '\0';
}

/* Password, then code: the status of the code's answer. */
static unsigned
second_step(struct fixture *f, struct browser *b, int64_t now,
    const char *code)
{
	struct console_response res;
	unsigned status;

	sign_in(f, b, now, "alice", PASS, 303);
	ask(f, b, now, "GET", "/", &res, NULL);
	assert_redirect(&res, "/login");	/* pending opens nothing */
	console_response_clear(&res);
	ask(f, b, now, "GET", "/login", &res, NULL);
	assert_non_null(strstr(res.body, "authenticator app"));
	console_response_clear(&res);
	ask(f, b, now, "POST", "/login", &res, "csrf", b->csrf, "code", code,
	    NULL);
	status = res.status;
	console_response_clear(&res);
	return status;
}

static void
test_signin_flow(void **state)
{
	struct fixture *f = *state;
	struct browser b = { 0 };
	struct console_response res;
	char secret[64], rc[32], code[TOTP_DIGITS + 1];

	set_up_alice(f, &b, secret, rc);
	ask(f, &b, NOW, "GET", "/account", &res, NULL);
	assert_int_equal(res.status, 200);
	assert_null(strstr(res.body, rc));	/* shown once */
	console_response_clear(&res);
	sign_out(f, &b, NOW);

	/* The enrolment's code is used: the next step's is not. */
	code_of(secret, NOW, code);
	assert_int_equal(second_step(f, &b, NOW + 10, code), 403);
	code_of(secret, NOW + 30, code);
	assert_int_equal(second_step(f, &b, NOW + 31, code), 303);
	ask(f, &b, NOW + 31, "GET", "/account", &res, NULL);
	assert_int_equal(res.status, 200);
	console_response_clear(&res);
	sign_out(f, &b, NOW + 32);
	assert_int_equal(second_step(f, &b, NOW + 33, code), 403);

	/* A recovery code, once. */
	assert_int_equal(second_step(f, &b, NOW + 40, rc), 303);
	sign_out(f, &b, NOW + 41);
	assert_int_equal(second_step(f, &b, NOW + 42, rc), 403);
}

static void
test_pending_expires(void **state)
{
	struct fixture *f = *state;
	struct browser b = { 0 };
	char secret[64], rc[32], code[TOTP_DIGITS + 1];
	int64_t later = NOW + CONSOLE_PENDING_SECONDS + 60;
	struct console_response res;

	set_up_alice(f, &b, secret, rc);
	sign_out(f, &b, NOW);
	sign_in(f, &b, NOW + 30, "alice", PASS, 303);
	ask(f, &b, NOW + 30, "GET", "/login", &res, NULL);
	console_response_clear(&res);
	code_of(secret, later, code);
	ask(f, &b, later, "POST", "/login", &res, "csrf", b.csrf, "code",
	    code, NULL);
	assert_int_equal(res.status, 403);
	assert_non_null(strstr(res.body, "took too long"));
	console_response_clear(&res);
}

static void
test_cookie(void **state)
{
	struct fixture *f = *state;
	struct browser b = { 0 };
	struct console_response res;
	char first[128];

	ask(f, &b, NOW, "POST", "/login", &res, "name", "alice", "password",
	    OTP, NULL);
	assert_non_null(res.set_cookie);
	assert_non_null(strstr(res.set_cookie, "; Path=/; HttpOnly; "
	    "SameSite=Lax; Secure"));
	console_response_clear(&res);
	/* A new id at every sign-in. */
	strcpy(first, b.cookie);
	sign_in(f, &b, NOW, "alice", OTP, 303);
	assert_string_not_equal(first, b.cookie);
	assert_int_equal(strlen(b.cookie), 43);
}

struct origin_case {
	const char	*csrf;		/* "ok": the session's */
	const char	*origin;
	const char	*site;
	int		 allowed;
};

static const struct origin_case origin_cases[] = {
	{ "ok", NULL, NULL, 1 },
	{ "ok", BASE, "same-origin", 1 },
	{ "ok", "https://CONSOLE.msp.test", NULL, 1 },
	{ NULL, BASE, "same-origin", 0 },
	{ "", BASE, "same-origin", 0 },
	{ "wrong", BASE, "same-origin", 0 },
	{ "ok", "https://evil.test", NULL, 0 },
	{ "ok", "http://console.msp.test", NULL, 0 },
	{ "ok", "https://console.msp.test:444", NULL, 0 },
	{ "ok", "https://console.msp.test.evil.test", NULL, 0 },
	{ "ok", "null", NULL, 0 },
	{ "ok", BASE, "cross-site", 0 },
	{ "ok", BASE, "same-site", 0 },
	{ "ok", NULL, "none", 0 },
};

/* Every refused POST leaves the password as it was. */
static void
test_csrf_and_origin(void **state)
{
	struct fixture *f = *state;
	struct browser b = { 0 };
	struct console_response res;
	char token[128];
	size_t i;

	sign_in(f, &b, NOW, "alice", OTP, 303);
	ask(f, &b, NOW, "GET", "/account", &res, NULL);
	console_response_clear(&res);
	strcpy(token, b.csrf);
	for (i = 0; i < sizeof origin_cases / sizeof *origin_cases; i++) {
		const struct origin_case *oc = &origin_cases[i];
		const char *sent = oc->csrf == NULL ? NULL :
		    strcmp(oc->csrf, "ok") == 0 ? token : oc->csrf;

		b.origin = oc->origin;
		b.site = oc->site;
		/* A wrong new password: an allowed POST gets 422, a refused
		 * one 403, and neither changes anything. */
		if (sent != NULL)
			ask(f, &b, NOW, "POST", "/account", &res, "csrf", sent,
			    "do", "password", "current", OTP, "new", "short",
			    "repeat", "short", NULL);
		else
			ask(f, &b, NOW, "POST", "/account", &res, "do",
			    "password", "current", OTP, "new", "short",
			    "repeat", "short", NULL);
		if (res.status != (oc->allowed ? 422u : 403u))
			fail_msg("case %zu: %u", i, res.status);
		console_response_clear(&res);
		assert_int_equal(sql_int(f, "alice", "must_change"), 1);
	}
	/* The sign-in form has no token yet: its origin is checked. */
	b.cookie[0] = '\0';
	b.origin = "https://evil.test";
	b.site = "cross-site";
	ask(f, &b, NOW, "POST", "/login", &res, "name", "alice", "password",
	    OTP, NULL);
	assert_int_equal(res.status, 403);
	assert_null(res.set_cookie);
	console_response_clear(&res);
}

static void
test_session_limits(void **state)
{
	struct fixture *f = *state;
	struct browser b = { 0 };
	struct console_response res;
	int64_t t;

	sign_in(f, &b, NOW, "alice", OTP, 303);
	/* Seen every 29 minutes, it lives up to 12 hours. */
	for (t = NOW; t <= NOW + 12 * 3600; t += 29 * 60) {
		ask(f, &b, t, "GET", "/account", &res, NULL);
		if (res.status != 200)
			fail_msg("at +%lld s: %u", (long long)(t - NOW),
			    res.status);
		console_response_clear(&res);
	}
	ask(f, &b, NOW + 12 * 3600 + 1, "GET", "/account", &res, NULL);
	assert_redirect(&res, "/login");
	console_response_clear(&res);

	sign_in(f, &b, NOW, "alice", OTP, 303);
	ask(f, &b, NOW + 30 * 60 + 1, "GET", "/account", &res, NULL);
	assert_redirect(&res, "/login");
	console_response_clear(&res);
	/* Gone from the table, not just refused. */
	ask(f, &b, NOW + 60, "GET", "/account", &res, NULL);
	assert_redirect(&res, "/login");
	console_response_clear(&res);
}

static void
test_throttle_account(void **state)
{
	struct fixture *f = *state;
	struct browser b = { .client = "192.0.2.7" };
	struct console_response res;
	int i;

	for (i = 0; i < 5; i++)
		sign_in(f, &b, NOW, "alice", "not the password", 403);
	assert_int_equal(sql_int(f, "alice", "failed"), 5);
	/* Now even the right one waits, unchecked and uncounted. */
	ask(f, &b, NOW + 1, "POST", "/login", &res, "name", "alice",
	    "password", OTP, NULL);
	assert_int_equal(res.status, 403);
	assert_non_null(strstr(res.body, "Name or password is wrong"));
	console_response_clear(&res);
	assert_int_equal(sql_int(f, "alice", "failed"), 5);
	sign_in(f, &b, NOW + 3, "alice", OTP, 303);
	assert_int_equal(sql_int(f, "alice", "failed"), 0);
}

static void
test_throttle_address(void **state)
{
	struct fixture *f = *state;
	struct browser b = { .client = "198.51.100.7" };
	struct browser other = { .client = "198.51.100.8" };
	char name[32];
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "ghost%d", i);
		sign_in(f, &b, NOW, name, "guess", 403);
	}
	sign_in(f, &b, NOW + 1, "alice", OTP, 403);
	sign_in(f, &other, NOW + 1, "alice", OTP, 303);
	/* The wait ends, and the window forgets. */
	sign_in(f, &b, NOW + 3, "alice", OTP, 303);
}

static void
test_viewer_and_admin(void **state)
{
	struct fixture *f = *state;
	struct browser v = { 0 };
	struct console_response res;
	struct audit_entry *a;
	struct err err;
	struct console_user u;
	size_t n;

	f->ag.cfg.console_require_totp = 0;
	add_user(f, "val", ROLE_VIEWER, OTP);
	sign_in(f, &v, NOW, "val", OTP, 303);
	ask(f, &v, NOW, "GET", "/account", &res, NULL);
	console_response_clear(&res);
	ask(f, &v, NOW, "POST", "/users", &res, "csrf", v.csrf, "do", "role",
	    "name", "val", "role", "admin", NULL);
	assert_int_equal(res.status, 403);
	console_response_clear(&res);
	assert_int_equal(sql_int(f, "val", "role"), ROLE_VIEWER);
	/* The refusal is in the audit, as any refused action. */
	assert_int_equal(store_audit_list(f->ag.st, 0, 1, &a, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].user, "val");
	assert_string_equal(a[0].action, "post");
	assert_string_equal(a[0].target, "/users");
	assert_string_equal(a[0].outcome, "refused");
	assert_string_equal(a[0].detail, "viewer");
	store_audit_free(a, n);
	ask(f, &v, NOW, "GET", "/users", &res, NULL);
	assert_int_equal(res.status, 403);
	console_response_clear(&res);
	assert_int_equal(store_user_get(f->ag.st, "mallory", &u, &err), -1);
}

/* The role form of name's row starts at its current role: the one
 * option selected in that row's <select>. */
static void
assert_role_shown(const char *body, const char *name, const char *role)
{
	char *row = xasprintf("value=\"role\"><input type=\"hidden\" "
	    "name=\"name\" value=\"%s\">", name);
	char *want = xasprintf("<option value=\"%s\" selected>", role);
	const char *p = strstr(body, row), *end, *sel, *again;

	if (p == NULL)
		fail_msg("no role form for %s in %s", name, body);
	end = strstr(p, "</select>");
	assert_non_null(end);
	sel = strstr(p, want);
	again = sel ? strstr(sel + strlen(want), " selected") : NULL;
	if (sel == NULL || sel > end || (again != NULL && again < end))
		fail_msg("%s's role is not shown as %s: %.*s", name, role,
		    (int)(end - p), p);
	free(row);
	free(want);
}

static void
test_users_admin(void **state)
{
	struct fixture *f = *state;
	struct browser a = { 0 };
	struct console_response res;

	f->ag.cfg.console_require_totp = 0;
	sign_in(f, &a, NOW, "alice", OTP, 303);
	ask(f, &a, NOW, "GET", "/account", &res, NULL);
	console_response_clear(&res);
	ask(f, &a, NOW, "POST", "/account", &res, "csrf", a.csrf, "do",
	    "password", "current", OTP, "new", PASS, "repeat", PASS, NULL);
	console_response_clear(&res);
	ask(f, &a, NOW, "GET", "/users", &res, NULL);
	assert_int_equal(res.status, 200);
	console_response_clear(&res);
	ask(f, &a, NOW, "POST", "/users", &res, "csrf", a.csrf, "do", "add",
	    "name", "bob", "role", "operator", NULL);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "One-time password for"));
	console_response_clear(&res);
	assert_int_equal(sql_int(f, "bob", "role"), ROLE_OPERATOR);
	ask(f, &a, NOW, "GET", "/users", &res, NULL);
	assert_role_shown(res.body, "alice", "admin");
	assert_role_shown(res.body, "bob", "operator");
	console_response_clear(&res);
	ask(f, &a, NOW, "POST", "/users", &res, "csrf", a.csrf, "do", "add",
	    "name", "BOB", "role", "viewer", NULL);
	assert_int_equal(res.status, 409);
	console_response_clear(&res);
	ask(f, &a, NOW, "POST", "/users", &res, "csrf", a.csrf, "do", "role",
	    "name", "alice", "role", "viewer", NULL);
	assert_int_equal(res.status, 409);	/* the last admin */
	console_response_clear(&res);
	ask(f, &a, NOW, "POST", "/users", &res, "csrf", a.csrf, "do", "role",
	    "name", "bob", "role", "admin", NULL);
	assert_redirect(&res, "/users?done=user.role+bob");
	console_response_clear(&res);
	ask(f, &a, NOW, "POST", "/users", &res, "csrf", a.csrf, "do",
	    "delete", "name", "bob", NULL);
	assert_int_equal(res.status, 303);
	console_response_clear(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signin_flow, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pending_expires, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csrf_and_origin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_session_limits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_throttle_account, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_throttle_address, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_viewer_and_admin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_users_admin, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
