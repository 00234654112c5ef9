/* console_session.c: the console's sessions, their cookie and CSRF token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "console_impl.h"
#include "password.h"

/* 32 random bytes, as base64url without padding: 43 characters. */
#define SECRET_BYTES	32
#define SECRET_TEXT	sodium_base64_ENCODED_LEN(SECRET_BYTES, \
			    sodium_base64_VARIANT_URLSAFE_NO_PADDING)
#define HASH_TEXT	(crypto_hash_sha256_BYTES * 2 + 1)

/* A new random secret: a session id or a CSRF token; caller frees. */
static char *
new_secret(void)
{
	unsigned char raw[SECRET_BYTES];
	char *text = xmalloc(SECRET_TEXT);

	password_random(raw, sizeof raw);
	sodium_bin2base64(text, SECRET_TEXT, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	password_wipe(raw, sizeof raw);
	return text;
}

/* The hex SHA-256 of a session id: all the database keeps of it.  The
 * id is exact, unlike a recovery code, so it is hashed as sent. */
static void
id_hash(const char *id, char out[HASH_TEXT])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)id, strlen(id));
	sodium_bin2hex(out, HASH_TEXT, h, sizeof h);
}

/* Whether the cookie's value could be one of ours: anything else is not
 * looked up at all. */
static int
plausible_id(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != SECRET_TEXT - 1)
		return 0;
	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		    id[i] == '_'))
			return 0;
	return 1;
}

/* Whether session s, of a pending sign-in or not, is still alive. */
static int
alive(const struct console_call *c, const struct console_session *s)
{
	const struct config *cfg = c->con->mail->cfg;

	if (s->pending)
		return c->now - s->created_at <= CONSOLE_PENDING_SECONDS;
	return c->now - s->last_seen_at <=
	    (int64_t)cfg->console_idle_minutes * 60 &&
	    c->now - s->created_at <= (int64_t)cfg->console_max_hours * 3600;
}

/*
 * The request's session, if alive and pending as asked: 1 with c's
 * user, session and token set, 0 when there is none (a dead one is
 * removed), -1 with c->err.
 */
static int
load(struct console_call *c, int pending)
{
	struct console_session s;
	char hash[HASH_TEXT];
	int found, ended, rc = -1;

	if (!plausible_id(c->req->session))
		return 0;
	id_hash(c->req->session, hash);
	if (store_session_find(c->st, hash, &s, &found, &c->err) == -1)
		return -1;
	if (!found || s.pending != pending) {
		rc = 0;
		goto out;
	}
	if (!alive(c, &s)) {
		rc = store_session_delete(c->st, s.id, 0, &ended, &c->err);
		goto out;
	}
	if (store_user_get_id(c->st, s.user_id, &c->user, &c->err) == -1)
		goto out;
	if (!pending && store_session_touch(c->st, s.id, c->now,
	    &c->err) == -1)
		goto out;
	c->session_id = s.id;
	c->csrf = s.csrf_token;
	s.csrf_token = NULL;
	rc = 1;
out:
	store_session_clear(&s);
	return rc;
}

int
console_session_load(struct console_call *c)
{
	return load(c, 0);
}

int
console_session_load_pending(struct console_call *c)
{
	return load(c, 1);
}

/* The cookie for value (NULL: one that ends the session at once). */
static char *
cookie(const struct console_call *c, const char *value)
{
	const char *base = c->con->mail->cfg->console_base_url;
	int secure = base != NULL && strncmp(base, "https://", 8) == 0;

	return xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	    CONSOLE_COOKIE, value ? value : "", value ? "" : "; Max-Age=0",
	    secure ? "; Secure" : "");
}

int
console_session_start(struct console_call *c, int64_t user_id, int pending)
{
	const struct config *cfg = c->con->mail->cfg;
	char hash[HASH_TEXT];
	char *id, *csrf;
	int64_t sid;
	int rc = -1;

	/* The dead sessions go now: a sign-in is rare enough. */
	if (store_session_prune(c->st, c->now - CONSOLE_PENDING_SECONDS,
	    c->now - (int64_t)cfg->console_idle_minutes * 60,
	    c->now - (int64_t)cfg->console_max_hours * 3600, &c->err) == -1)
		return -1;
	id = new_secret();
	csrf = new_secret();
	id_hash(id, hash);
	if (store_session_add(c->st, hash, user_id, c->now, c->req->client,
	    csrf, pending, &sid, &c->err) == -1)
		goto out;
	free(c->res->set_cookie);
	c->res->set_cookie = cookie(c, id);
	free(c->csrf);
	c->csrf = csrf;
	csrf = NULL;
	c->session_id = sid;
	rc = 0;
out:
	password_free(id);
	password_free(csrf);
	return rc;
}

int
console_session_end(struct console_call *c)
{
	int ended;

	free(c->res->set_cookie);
	c->res->set_cookie = cookie(c, NULL);
	if (c->session_id == 0)
		return 0;
	if (store_session_delete(c->st, c->session_id, 0, &ended,
	    &c->err) == -1)
		return -1;
	c->session_id = 0;
	return 0;
}

/* The length of url's origin: scheme://host[:port], up to the path. */
static size_t
origin_len(const char *url)
{
	const char *host = strstr(url, "://");
	const char *slash;

	if (host == NULL)
		return strlen(url);
	slash = strchr(host + 3, '/');
	return slash ? (size_t)(slash - url) : strlen(url);
}

int
console_same_origin(const struct console_call *c)
{
	const char *base = c->con->mail->cfg->console_base_url;
	const char *site = c->req->fetch_site, *origin = c->req->origin;
	size_t len;

	/* A browser says where a request comes from; tools such as curl
	 * say nothing, and then the CSRF token alone stands guard. */
	if (site != NULL && strcmp(site, "same-origin") != 0)
		return 0;
	if (origin == NULL)
		return 1;
	if (base == NULL)
		return 0;
	len = origin_len(base);
	return strlen(origin) == len && strncasecmp(origin, base, len) == 0;
}

int
console_csrf_ok(const struct console_call *c)
{
	const char *sent = console_param(c, "csrf");
	size_t len;

	if (c->csrf == NULL || sent == NULL)
		return 0;
	len = strlen(c->csrf);
	if (len == 0 || strlen(sent) != len)
		return 0;
	return sodium_memcmp(sent, c->csrf, len) == 0;
}

int
console_post_allowed(const struct console_call *c)
{
	return console_csrf_ok(c) && console_same_origin(c);
}

void
console_call_clear(struct console_call *c)
{
	user_clear(&c->user);
	free(c->csrf);
	c->csrf = NULL;
}
