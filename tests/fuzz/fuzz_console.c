/*
 * fuzz_console.c: the console's request handling (console.c and the
 * pages behind it) — what a request's method, path, cookie, origin
 * headers and fields make of a real database with an admin signed in.
 * libmicrohttpd has already split and decoded the request by then;
 * everything after is ours.
 *
 * An input is "METHOD PATH\nCOOKIE\nORIGIN\nSEC-FETCH-SITE\n" and then
 * one "name=value" field a line (missing lines: absent).  "@SESSION@"
 * in COOKIE stands for the admin's live session, "@CSRF@" in a value
 * for its CSRF token, so the pages behind the guards are reached.  The
 * admin and her session are put back after every input.
 */
#include <unistd.h>

#include <sodium.h>

#include "console.h"
#include "fuzz.h"
#include "password.h"

#define SESSION	"fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzzfuz"	/* 43 */
#define CSRF	"csrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsr"
#define FIELDS	32

static struct {
	char		 dir[64];
	char		 db[96];
	struct store	*st;
	struct config	 cfg;
	struct keyring	 keys;
	struct compose_ctx ctx;
	struct console	 con;
	char		 hash[PASSWORD_HASH_MAX];
	char		 id_hash[crypto_hash_sha256_BYTES * 2 + 1];
} fx;

static void
fixture_end(void)
{
	char path[128];

	store_close(fx.st);
	tmpl_set_free(fx.ctx.templates);
	config_free(&fx.cfg);
	snprintf(path, sizeof path, "%s-wal", fx.db);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", fx.db);
	unlink(path);
	unlink(fx.db);
	rmdir(fx.dir);
}

/* The admin, without a pending change or second factor, and her
 * session, as they were before the input. */
static void
restore(void)
{
	struct console_session s;
	struct console_user u;
	struct err err;
	int64_t id;
	int found;

	if (store_user_get(fx.st, "alice", &u, &err) == -1) {
		fuzz_require(store_user_add(fx.st, "alice", ROLE_ADMIN,
		    fx.hash, FUZZ_NOW, &err) == 0, "the admin comes back");
		fuzz_require(store_user_get(fx.st, "alice", &u, &err) == 0,
		    "the admin is there");
	}
	if (u.must_change_password || u.role != ROLE_ADMIN)
		fuzz_require(store_user_set_password(fx.st, "alice", fx.hash, 0,
		    FUZZ_NOW, &err) == 0 && store_user_set_role(fx.st, "alice",
		    ROLE_ADMIN, &err) == 0, "the admin is set up");
	fuzz_require(store_session_find(fx.st, fx.id_hash, &s, &found,
	    &err) == 0, "the session is read");
	store_session_clear(&s);
	if (!found)
		fuzz_require(store_session_add(fx.st, fx.id_hash, u.id,
		    FUZZ_NOW, "192.0.2.1", CSRF, 0, &id, &err) == 0,
		    "the session comes back");
	user_clear(&u);
}

static void
fixture(void)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	struct err err;

	fuzz_require(password_init(&err) == 0, "libsodium starts");
	snprintf(fx.dir, sizeof fx.dir, "/tmp/fuzz_console.XXXXXX");
	fuzz_require(mkdtemp(fx.dir) != NULL, "a temporary folder");
	snprintf(fx.db, sizeof fx.db, "%s/agent.db", fx.dir);
	fuzz_require(store_open(fx.db, &fx.st, &err) == 0, "the store opens");
	strvec_push(&fx.cfg.support_addresses, "support@msp.example");
	fx.cfg.ttl_days = 30;
	fx.cfg.issuer = xstrdup(FUZZ_ISSUER);
	fx.cfg.from = xstrdup("agent@msp.example");
	fx.cfg.reply_address = xstrdup("agent@msp.example");
	fx.cfg.base_url = xstrdup("https://agent.msp.example");
	fx.cfg.console_base_url = xstrdup("https://console.msp.example");
	fx.cfg.console_idle_minutes = 30;
	fx.cfg.console_max_hours = 12;
	fuzz_reply_secret(fx.keys.reply);
	fx.keys.reply_len = 32;
	fuzz_keyring(&fx.keys.tokens);
	fx.ctx.cfg = &fx.cfg;
	fx.ctx.keys = &fx.keys;
	fx.ctx.templates = tmpl_set_new("mailtemplates");
	fx.con.mail = &fx.ctx;
	fuzz_require(password_hash("correct horse battery", fx.hash,
	    &err) == 0, "a password hash");
	crypto_hash_sha256(h, (const unsigned char *)SESSION,
	    strlen(SESSION));
	sodium_bin2hex(fx.id_hash, sizeof fx.id_hash, h, sizeof h);
	atexit(fixture_end);
}

/* The next line of *s (cut at '\n'), or NULL when none is left. */
static char *
next_line(char **s)
{
	char *line = *s, *nl;

	if (line == NULL)
		return NULL;
	if ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		*s = nl + 1;
	} else
		*s = NULL;
	return line;
}

/* s with each pattern replaced by with; caller frees. */
static char *
expand(const char *s, const char *pattern, const char *with)
{
	struct buf b = { 0 };
	const char *at;

	while ((at = strstr(s, pattern)) != NULL) {
		buf_append(&b, s, (size_t)(at - s));
		buf_puts(&b, with);
		s = at + strlen(pattern);
	}
	buf_puts(&b, s);
	return buf_release(&b);
}

/* What console.h promises of every answer. */
static void
check(const struct console_request *req, const struct console_response *res,
    int has_csrf)
{
	fuzz_require(res->status >= 200 && res->status < 600, "a status");
	fuzz_require(res->type != NULL, "a Content-Type");
	fuzz_require(res->status == 303 || res->len > 0, "a body");
	fuzz_require(res->status != 303 || (res->location != NULL &&
	    res->location[0] == '/' && res->location[1] != '/'),
	    "303 goes to a path of the console");
	fuzz_require(res->location == NULL ||
	    strpbrk(res->location, "\r\n") == NULL, "no CR/LF in Location");
	fuzz_require(res->set_cookie == NULL ||
	    strpbrk(res->set_cookie, "\r\n") == NULL, "no CR/LF in a cookie");
	fuzz_require(res->status != 405 || res->allow != NULL, "405: Allow");
	/* Without the token, no form but the sign-in's gets through. */
	if (strcmp(req->method, "POST") == 0 && !has_csrf &&
	    strcmp(req->path, "/login") != 0)
		fuzz_require(res->status == 400 || res->status == 403 ||
		    res->status == 404 || res->status == 405,
		    "a POST without the token is refused");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console_param params[FIELDS];
	struct console_request req = { 0 };
	struct console_response res;
	char *input, *rest, *line, *sp, *eq, *cookie = NULL;
	char *values[FIELDS];
	size_t n = 0, i;
	int has_csrf = 0;

	if (fx.st == NULL)
		fixture();
	restore();
	input = fuzz_string(data, size);
	rest = input;
	line = next_line(&rest);
	if ((sp = strchr(line, ' ')) != NULL) {
		*sp = '\0';
		req.path = sp + 1;
	} else
		req.path = "/";
	req.method = line;
	if ((line = next_line(&rest)) != NULL && *line != '\0')
		req.session = cookie = expand(line, "@SESSION@", SESSION);
	if ((line = next_line(&rest)) != NULL && *line != '\0')
		req.origin = line;
	if ((line = next_line(&rest)) != NULL && *line != '\0')
		req.fetch_site = line;
	while (n < FIELDS && (line = next_line(&rest)) != NULL) {
		if ((eq = strchr(line, '=')) != NULL)
			*eq++ = '\0';
		params[n].name = line;
		values[n] = expand(eq ? eq : "", "@CSRF@", CSRF);
		params[n].value = values[n];
		params[n].len = strlen(values[n]);
		if (strcmp(line, "csrf") == 0 && strcmp(values[n], CSRF) == 0)
			has_csrf = 1;
		n++;
	}
	req.params = params;
	req.nparams = n;
	req.client = "192.0.2.1";
	console_handle(&fx.con, fx.st, &req, FUZZ_NOW + 60, &res);
	check(&req, &res, has_csrf);
	console_response_clear(&res);
	for (i = 0; i < n; i++)
		free(values[i]);
	free(cookie);
	free(input);
	return 0;
}
