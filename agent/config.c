/* config.c: reads and checks the agent's INI configuration (SPEC §6). */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "path.h"
#include "lang.h"
#include "proxy.h"
#include "store.h"

#define CONFIG_DEFAULT_KID	"k1"

enum config_type {
	CT_STRING,	/* any text; CF_OPTIONAL: empty means NULL */
	CT_TOKEN,	/* text without blanks */
	CT_PATH,	/* made absolute against the config's folder */
	CT_DATABASE,	/* a path as CT_PATH, or a libpq URI as it is */
	CT_BASE_URL,	/* http(s)://..., one trailing '/' dropped */
	CT_WEB_URL,	/* the same, its host and port checked by url.c;
			   CF_OPTIONAL: empty means NULL */
	CT_OUT_URL,	/* smtp://, smtps://, maildir:PATH (url.h) */
	CT_IN_URL,	/* imap://, imaps://, maildir:PATH (url.h) */
	CT_ADDR,	/* one addr-spec */
	CT_FROM,	/* an addr-spec or a name-addr: Name <addr-spec> */
	CT_TEXT,	/* one line shown to people; empty means NULL */
	CT_COLOR,	/* #rrggbb; empty means NULL */
	CT_LANG,	/* a BCP 47 tag (lang.h), stored normalized */
	CT_LOGO,	/* a PNG file, read at load; empty means none */
	CT_ADDR_LIST,	/* addr-specs separated by commas, at least one */
	CT_WORDS,	/* keywords separated by commas, maybe none */
	CT_INT,		/* a decimal number between min and max */
	CT_BOOL,	/* yes/no, true/false, on/off, 1/0 */
	CT_ENUM,	/* one of names[], stored as its index */
	CT_IP,		/* an IPv4 or IPv6 literal */
	CT_IP_LIST,	/* addresses and CIDR networks separated by commas,
			   maybe none (proxy.h) */
	CT_KEY_FILE,	/* the one token key, kid "k1" */
	CT_KEYS,	/* kid:path,kid:path */
};

#define CF_OPTIONAL	0x01	/* an empty value is allowed */

struct config_def {
	const char		*section;
	const char		*name;
	enum config_type	 type;
	size_t			 offset;	/* of its field */
	int			 min, max;	/* CT_INT */
	const char *const	*names;		/* CT_ENUM, NULL last */
	int			 flags;
	const char		*def;		/* NULL: no default */
};

#define OFF(field)	offsetof(struct config, field)

/* In the order of the enums in config.h and log.h (log.c accepts the
 * same level names). */
static const char *const starttls_names[] = {
	"required", "optional", "off", NULL
};
static const char *const log_level_names[] = {
	"error", "warn", "info", "debug", NULL
};
static const char *const auth_names[] = { "password", "oauth2", NULL };
static const char *const provider_names[] = {
	"microsoft", "google", "custom", NULL
};
static const char *const grant_names[] = {
	"refresh_token", "client_credentials", "jwt_bearer", NULL
};
static const char *const mechanism_names[] = { "xoauth2", "oauthbearer", NULL };

/* The sign-in keys of [outbound] and [inbound], alike for both. */
#define OAUTH_OFF(base, field) \
	((base) + offsetof(struct config_oauth, field))
#define OAUTH_DEFS(section, base) \
	{ section, "auth", CT_ENUM, OAUTH_OFF(base, auth), 0, 0, \
	    auth_names, 0, "password" }, \
	{ section, "oauth2_provider", CT_ENUM, OAUTH_OFF(base, provider), \
	    0, 0, provider_names, 0, "custom" }, \
	{ section, "oauth2_tenant", CT_TOKEN, OAUTH_OFF(base, tenant), \
	    0, 0, NULL, CF_OPTIONAL, "" }, \
	{ section, "oauth2_token_url", CT_TOKEN, \
	    OAUTH_OFF(base, token_url), 0, 0, NULL, CF_OPTIONAL, "" }, \
	{ section, "oauth2_device_url", CT_TOKEN, \
	    OAUTH_OFF(base, device_url), 0, 0, NULL, CF_OPTIONAL, "" }, \
	{ section, "oauth2_client_id", CT_TOKEN, \
	    OAUTH_OFF(base, client_id), 0, 0, NULL, CF_OPTIONAL, "" }, \
	{ section, "oauth2_client_secret_file", CT_PATH, \
	    OAUTH_OFF(base, client_secret_file), 0, 0, NULL, CF_OPTIONAL, \
	    "" }, \
	{ section, "oauth2_scope", CT_STRING, OAUTH_OFF(base, scope), \
	    0, 0, NULL, CF_OPTIONAL, "" }, \
	{ section, "oauth2_grant", CT_ENUM, OAUTH_OFF(base, grant), 0, 0, \
	    grant_names, 0, "refresh_token" }, \
	{ section, "oauth2_key_file", CT_PATH, OAUTH_OFF(base, key_file), \
	    0, 0, NULL, CF_OPTIONAL, "" }, \
	{ section, "oauth2_mechanism", CT_ENUM, \
	    OAUTH_OFF(base, mechanism), 0, 0, mechanism_names, 0, \
	    "xoauth2" }

/*
 * Every key the agent knows, with its type, bounds and default.  A
 * default is read exactly as a value in the file would be, so relative
 * paths in it resolve against the config file's folder too.
 *
 * [tokens] takes either key_file (one key, whose kid is "k1") or keys
 * ("kid:path,kid:path", the first signs and all verify), never both;
 * with neither, key_file's default applies.
 */
static const struct config_def defs[] = {
	{ "agent", "database", CT_DATABASE, OFF(database), 0, 0, NULL, 0,
	    "var/agent.db" },
	{ "agent", "base_url", CT_BASE_URL, OFF(base_url), 0, 0, NULL, 0,
	    "http://127.0.0.1:8025" },
	{ "agent", "from", CT_FROM, OFF(from), 0, 0, NULL, 0,
	    "mscagent@example.test" },
	{ "agent", "reply_address", CT_ADDR, OFF(reply_address), 0, 0, NULL, 0,
	    "mscagent@example.test" },
	{ "agent", "reply_key_file", CT_PATH, OFF(reply_key_file), 0, 0, NULL,
	    0, "var/reply.key" },
	{ "agent", "support_addresses", CT_ADDR_LIST, OFF(support_addresses),
	    0, 0, NULL, 0, "support@example.test" },
	{ "agent", "templates", CT_PATH, OFF(templates), 0, 0, NULL, 0,
	    "mailtemplates" },
	{ "agent", "approval_remind_days", CT_INT, OFF(approval_remind_days),
	    0, 365, NULL, 0, "3" },
	{ "agent", "log_level", CT_ENUM, OFF(log_level), 0, 0, log_level_names,
	    0, "info" },
	{ "agent", "log_file", CT_PATH, OFF(log_file), 0, 0, NULL, CF_OPTIONAL,
	    "" },
	{ "agent", "language", CT_LANG, OFF(language), 0, 0, NULL, 0, "en" },

	{ "outbound", "url", CT_OUT_URL, OFF(outbound), 0, 0, NULL, 0,
	    "maildir:var/mail" },
	{ "outbound", "starttls", CT_ENUM, OFF(out_starttls), 0, 0,
	    starttls_names, 0, "required" },
	{ "outbound", "username", CT_STRING, OFF(out_username), 0, 0, NULL,
	    CF_OPTIONAL, "" },
	{ "outbound", "password_file", CT_PATH, OFF(out_password_file), 0, 0,
	    NULL, CF_OPTIONAL, "" },
	{ "outbound", "retry_max", CT_INT, OFF(out_retry_max), 0, 100, NULL, 0,
	    "8" },
	{ "outbound", "tls_ca_file", CT_PATH, OFF(out_tls_ca_file), 0, 0, NULL,
	    CF_OPTIONAL, "" },
	OAUTH_DEFS("outbound", OFF(out_oauth)),

	{ "inbound", "url", CT_IN_URL, OFF(inbound), 0, 0, NULL, 0,
	    "maildir:var/mail/mscagent@example.test" },
	{ "inbound", "starttls", CT_ENUM, OFF(in_starttls), 0, 0,
	    starttls_names, 0, "required" },
	{ "inbound", "username", CT_STRING, OFF(in_username), 0, 0, NULL,
	    CF_OPTIONAL, "" },
	{ "inbound", "password_file", CT_PATH, OFF(in_password_file), 0, 0,
	    NULL, CF_OPTIONAL, "" },
	{ "inbound", "tls_ca_file", CT_PATH, OFF(in_tls_ca_file), 0, 0, NULL,
	    CF_OPTIONAL, "" },
	OAUTH_DEFS("inbound", OFF(in_oauth)),
	{ "inbound", "processed_folder", CT_STRING, OFF(processed_folder), 0, 0,
	    NULL, 0, "Processed" },
	{ "inbound", "idle", CT_BOOL, OFF(idle), 0, 0, NULL, 0, "yes" },
	{ "inbound", "poll_seconds", CT_INT, OFF(poll_seconds), 5, 3600, NULL,
	    0, "60" },
	{ "inbound", "require_auth_results", CT_BOOL, OFF(require_auth_results),
	    0, 0, NULL, 0, "no" },
	{ "inbound", "trusted_authserv_id", CT_TOKEN, OFF(trusted_authserv_id),
	    0, 0, NULL, CF_OPTIONAL, "" },
	{ "inbound", "keywords_approve", CT_WORDS, OFF(keywords_approve), 0, 0,
	    NULL, CF_OPTIONAL, "" },
	{ "inbound", "keywords_reject", CT_WORDS, OFF(keywords_reject), 0, 0,
	    NULL, CF_OPTIONAL, "" },

	{ "listener", "address", CT_IP, OFF(listen_address), 0, 0, NULL, 0,
	    "127.0.0.1" },
	{ "listener", "port", CT_INT, OFF(listen_port), 0, 65535, NULL, 0,
	    "8025" },
	{ "listener", "max_connections", CT_INT, OFF(max_connections), 1,
	    10000, NULL, 0, "1024" },
	{ "listener", "trusted_proxies", CT_IP_LIST,
	    OFF(listen_trusted_proxies), 0, 0, NULL, CF_OPTIONAL, "" },

	/* base_url's default comes from address and port (cross_check). */
	{ "console", "address", CT_IP, OFF(console_address), 0, 0, NULL, 0,
	    "127.0.0.1" },
	{ "console", "port", CT_INT, OFF(console_port), 0, 65535, NULL, 0,
	    "8026" },
	{ "console", "base_url", CT_WEB_URL, OFF(console_base_url), 0, 0, NULL,
	    CF_OPTIONAL, NULL },
	{ "console", "session_idle_minutes", CT_INT, OFF(console_idle_minutes),
	    1, 1440, NULL, 0, "30" },
	{ "console", "session_max_hours", CT_INT, OFF(console_max_hours), 1,
	    168, NULL, 0, "12" },
	{ "console", "require_totp", CT_BOOL, OFF(console_require_totp), 0, 0,
	    NULL, 0, "yes" },
	{ "console", "trusted_proxies", CT_IP_LIST,
	    OFF(console_trusted_proxies), 0, 0, NULL, CF_OPTIONAL, "" },

	{ "branding", "company", CT_TEXT, OFF(company), 0, 0, NULL,
	    CF_OPTIONAL, "" },
	{ "branding", "support_contact", CT_TEXT, OFF(support_contact), 0, 0,
	    NULL, CF_OPTIONAL, "" },
	{ "branding", "logo_file", CT_LOGO, OFF(logo_file), 0, 0, NULL,
	    CF_OPTIONAL, "" },
	{ "branding", "accent_color", CT_COLOR, OFF(accent_color), 0, 0, NULL,
	    CF_OPTIONAL, "" },

	{ "tokens", "key_file", CT_KEY_FILE, 0, 0, 0, NULL, 0,
	    "var/token.key" },
	{ "tokens", "keys", CT_KEYS, 0, 0, 0, NULL, 0, NULL },
	{ "tokens", "ttl_days", CT_INT, OFF(ttl_days), 1, 365, NULL, 0, "30" },
	{ "tokens", "remind_days", CT_INT, OFF(remind_days), 0, 364, NULL, 0,
	    "3" },
	{ "tokens", "issuer", CT_STRING, OFF(issuer), 0, 0, NULL, 0,
	    "mscagent" },
};

#define NDEFS	(sizeof defs / sizeof defs[0])

/* What the reader found wrong with the line inih is handling. */
#define LINE_TOO_LONG	0x01
#define LINE_BAD_TEXT	0x02

/*
 * Every error is reported, nearest the top of the file first.  The
 * reader keeps the ERRORS_KEPT nearest the top and counts the rest: one
 * struct err holds no more than a handful of lines anyway.
 */
#define ERRORS_KEPT	16

struct config_error {
	int	 line;			/* 0: the error has no line */
	char	 msg[ERR_MSG_MAX];
};

struct parse_state {
	const char	*path;		/* as given, for messages */
	struct config	*cfg;
	const char	*text;		/* the whole file */
	size_t		 text_len;
	size_t		 pos;		/* of the next line */
	int		 lineno;	/* the line inih is handling */
	int		 line_flags;	/* LINE_*; 0: reported */
	char		 line_why[ERR_MSG_MAX];
	int		 line_wants_pair; /* not blank, a comment or [section] */
	int		 line_claimed;	/* inih handed its key = value over */
	int		 bad_section;	/* the last [section] line was refused:
					   its keys are not looked at */
	int		 seen[NDEFS];	/* the line each key was on */
	int		 refused[NDEFS]; /* 1: the key's value was refused */
	struct config_error errors[ERRORS_KEPT]; /* by line */
	size_t		 nkept;
	size_t		 nerrors;	/* kept or not */
};

static void	 fail(struct parse_state *, const char *, ...)
		    PRINTF_LIKE(2, 3);
static int	 read_file(const char *, size_t, struct buf *, struct err *);

/*
 * Records an error at st->lineno, in line order after those already on
 * that line; past ERRORS_KEPT the one furthest down is only counted.
 */
static void
fail(struct parse_state *st, const char *fmt, ...)
{
	struct config_error *e;
	va_list ap;
	size_t pos;

	st->nerrors++;
	pos = st->nkept;
	while (pos > 0 && st->errors[pos - 1].line > st->lineno)
		pos--;
	if (pos == ERRORS_KEPT)
		return;
	if (st->nkept < ERRORS_KEPT)
		st->nkept++;
	memmove(&st->errors[pos + 1], &st->errors[pos],
	    (st->nkept - 1 - pos) * sizeof st->errors[0]);
	e = &st->errors[pos];
	e->line = st->lineno;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

static int
failed_at(const struct parse_state *st, int line)
{
	size_t i;

	for (i = 0; i < st->nkept; i++)
		if (st->errors[i].line == line)
			return 1;
	return 0;
}

static char **
field_str(struct config *cfg, const struct config_def *d)
{
	return (char **)((char *)cfg + d->offset);
}

static int *
field_int(struct config *cfg, const struct config_def *d)
{
	return (int *)((char *)cfg + d->offset);
}

static struct url *
field_url(struct config *cfg, const struct config_def *d)
{
	return (struct url *)((char *)cfg + d->offset);
}

static struct strvec *
field_strvec(struct config *cfg, const struct config_def *d)
{
	return (struct strvec *)((char *)cfg + d->offset);
}

static int
def_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (strcmp(defs[i].section, section) == 0 &&
		    strcmp(defs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
section_known(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (strlen(defs[i].section) == len &&
		    memcmp(defs[i].section, name, len) == 0)
			return 1;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ASCII only: key ids and tenants are not localised. */
static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Written plainly, so that logs and errors show var/agent.db, not
 * conf/../var/agent.db. */
static char *
resolve_path(const char *dir, const char *p)
{
	return path_join(dir, p);
}

/*
 * Splits "a, b ,c" into trimmed items.  An empty value gives no items;
 * an empty item or more than max of them is an error naming "what".
 */
static int
split_list(const char *value, size_t max, const char *what,
    struct strvec *out, struct err *err)
{
	const char *p, *end, *comma;
	char *item;

	if (*value == '\0')
		return 0;
	for (p = value;; p = comma + 1) {
		comma = strchr(p, ',');
		end = comma ? comma : p + strlen(p);
		while (p < end && is_blank(*p))
			p++;
		while (end > p && is_blank(end[-1]))
			end--;
		if (p == end) {
			err_set(err, ERR_INPUT, "an empty item in the list");
			return -1;
		}
		if (out->n == max) {
			err_set(err, ERR_INPUT, "more than %zu %s", max, what);
			return -1;
		}
		item = xstrndup(p, (size_t)(end - p));
		strvec_push(out, item);
		free(item);
		if (comma == NULL)
			return 0;
	}
}

static int
has_blank(const char *s)
{
	return strpbrk(s, " \t") != NULL;
}

/*
 * A plain sanity check, not RFC 5322: one '@', a local part, a domain
 * with a dot, and nothing that could end an address inside a header.
 */
static int
check_addr(const char *s, struct err *err)
{
	const char *at, *domain;

	at = strchr(s, '@');
	if (strlen(s) > CONFIG_ADDR_MAX ||
	    strpbrk(s, " \t<>()[],;:\"\\") != NULL || at == NULL ||
	    strchr(at + 1, '@') != NULL || at == s) {
		err_set(err, ERR_INPUT, "'%s' is not an e-mail address", s);
		return -1;
	}
	domain = at + 1;
	if (strchr(domain, '.') == NULL || domain[0] == '.' ||
	    domain[strlen(domain) - 1] == '.' || strstr(domain, "..")) {
		err_set(err, ERR_INPUT, "'%s' is not an e-mail address "
		    "(the domain needs a dot)", s);
		return -1;
	}
	return 0;
}

static int
set_addr_list(struct strvec *sv, const char *value, struct err *err)
{
	size_t i;

	if (split_list(value, CONFIG_ADDRS_MAX, "addresses", sv, err) == -1)
		return -1;
	for (i = 0; i < sv->n; i++)
		if (check_addr(sv->v[i], err) == -1)
			return -1;
	return 0;
}

static int
set_words(struct strvec *sv, const char *value, struct err *err)
{
	size_t i;

	if (split_list(value, CONFIG_KEYWORDS_MAX, "keywords", sv, err) == -1)
		return -1;
	for (i = 0; i < sv->n; i++) {
		if (has_blank(sv->v[i])) {
			err_set(err, ERR_INPUT, "'%s' is not one word",
			    sv->v[i]);
			return -1;
		}
		if (strlen(sv->v[i]) > CONFIG_KEYWORD_MAX) {
			err_set(err, ERR_INPUT, "'%s' is longer than %d bytes",
			    sv->v[i], CONFIG_KEYWORD_MAX);
			return -1;
		}
	}
	return 0;
}

static int
set_int(int *field, const char *value, int min, int max, struct err *err)
{
	const char *p = value;
	char *end;
	long v;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9' || strlen(p) > 10)
		goto bad;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*field = (int)v;
	return 0;
bad:
	err_set(err, ERR_INPUT, "not a number between %d and %d", min, max);
	return -1;
}

static int
set_bool(int *field, const char *value, struct err *err)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (ascii_casecmp(value, yes[i]) == 0) {
			*field = 1;
			return 0;
		}
		if (ascii_casecmp(value, no[i]) == 0) {
			*field = 0;
			return 0;
		}
	}
	err_set(err, ERR_INPUT, "must be yes or no");
	return -1;
}

static int
set_enum(int *field, const char *value, const char *const *names,
    struct err *err)
{
	struct buf list = { 0 };
	int i;

	for (i = 0; names[i] != NULL; i++) {
		if (ascii_casecmp(value, names[i]) == 0) {
			*field = i;
			return 0;
		}
	}
	for (i = 0; names[i] != NULL; i++)
		buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
	err_set(err, ERR_INPUT, "must be one of: %s", list.data);
	buf_clear(&list);
	return -1;
}

static int
set_ip(char **field, const char *value, struct err *err)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, value, addr) != 1 &&
	    inet_pton(AF_INET6, value, addr) != 1) {
		err_set(err, ERR_INPUT, "'%s' is not an IPv4 or IPv6 address",
		    value);
		return -1;
	}
	*field = xstrdup(value);
	return 0;
}

static int
set_base_url(char **field, const char *value, struct err *err)
{
	const char *host;
	size_t len;

	if (strncmp(value, "http://", 7) == 0)
		host = value + 7;
	else if (strncmp(value, "https://", 8) == 0)
		host = value + 8;
	else {
		err_set(err, ERR_INPUT, "must start with http:// or https://");
		return -1;
	}
	if (strpbrk(value, " \t\"'<>\\`?#") != NULL) {
		err_set(err, ERR_INPUT, "must not contain blanks, quotes, "
		    "<, >, \\, `, ? or #");
		return -1;
	}
	if (*host == '\0' || *host == '/') {
		err_set(err, ERR_INPUT, "has no host name");
		return -1;
	}
	len = strlen(value);
	if (value[len - 1] == '/')
		len--;
	*field = xstrndup(value, len);
	return 0;
}

/*
 * A base URL whose host and port url.c reads as well: a console link
 * with a bad port or host would only fail when someone follows it.
 */
static int
set_web_url(char **field, const char *value, struct err *err)
{
	struct url u;

	if (*value == '\0')
		return 0;	/* the default, made in check_console */
	if (set_base_url(field, value, err) == -1)
		return -1;
	if (url_parse(&u, *field, URL_WEB, NULL, err) == -1) {
		free(*field);
		*field = NULL;
		return -1;
	}
	url_clear(&u);
	return 0;
}

/* Kept in proxy.h's normal form, so that "::0001" and "::1" compare
 * equal to an address a listener reads off a socket. */
static int
set_ip_list(struct strvec *sv, const char *value, struct err *err)
{
	struct strvec items = { 0 };
	char text[PROXY_NET_MAX];
	size_t i;
	int rc = -1;

	if (split_list(value, CONFIG_PROXIES_MAX, "addresses", &items,
	    err) == -1)
		goto out;
	for (i = 0; i < items.n; i++) {
		if (proxy_net_normal(items.v[i], text) == -1) {
			err_set(err, ERR_INPUT, strchr(items.v[i], '/') ?
			    "'%s' is not a network: ADDRESS/BITS, host bits "
			    "zero" : "'%s' is not an IPv4 or IPv6 address",
			    items.v[i]);
			strvec_clear(sv);
			goto out;
		}
		strvec_push(sv, text);
	}
	rc = 0;
out:
	strvec_clear(&items);
	return rc;
}

static int
check_kid(const char *kid, size_t len, struct err *err)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_alnum(kid[i]) && strchr("._-", kid[i]) == NULL)
			break;
	if (len == 0 || len > CONFIG_KID_MAX || i < len) {
		err_set(err, ERR_INPUT, "a key id must be 1 to %d of "
		    "A-Z a-z 0-9 . _ -", CONFIG_KID_MAX);
		return -1;
	}
	return 0;
}

static int
add_key(struct config *cfg, const char *item, struct err *err)
{
	const char *colon, *path;
	size_t i, klen;

	colon = strchr(item, ':');
	path = colon ? colon + 1 : "";
	while (is_blank(*path))
		path++;
	if (*path == '\0') {
		err_set(err, ERR_INPUT, "'%s' is not KID:PATH", item);
		return -1;
	}
	klen = (size_t)(colon - item);
	while (klen > 0 && is_blank(item[klen - 1]))
		klen--;
	if (check_kid(item, klen, err) == -1)
		return -1;
	for (i = 0; i < cfg->nkeys; i++)
		if (strlen(cfg->keys[i].kid) == klen &&
		    memcmp(cfg->keys[i].kid, item, klen) == 0) {
			err_set(err, ERR_INPUT, "key id '%.*s' given twice",
			    (int)klen, item);
			return -1;
		}
	cfg->keys[cfg->nkeys].kid = xstrndup(item, klen);
	cfg->keys[cfg->nkeys].path = resolve_path(cfg->dir, path);
	cfg->nkeys++;
	return 0;
}

static int
set_keys(struct config *cfg, const char *value, struct err *err)
{
	struct strvec items = { 0 };
	size_t i;
	int rc = -1;

	if (split_list(value, CONFIG_KEYS_MAX, "keys", &items, err) == -1)
		goto out;
	for (i = 0; i < items.n; i++)
		if (add_key(cfg, items.v[i], err) == -1)
			goto out;
	rc = 0;
out:
	strvec_clear(&items);
	return rc;
}

static void
set_key_file(struct config *cfg, const char *value)
{
	cfg->keys[0].kid = xstrdup(CONFIG_DEFAULT_KID);
	cfg->keys[0].path = resolve_path(cfg->dir, value);
	cfg->nkeys = 1;
}

/* Everything inside a quoted display name, its backslash escapes undone. */
static const char *
unquote(const char *p, struct buf *name)
{
	for (p++; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		buf_append(name, p, 1);
	}
	return *p == '"' ? p + 1 : NULL;
}

/*
 * The display name before '<': quoted whole, or plain text without
 * quotes or brackets.  Returns where '<' is, or NULL with the reason.
 */
static const char *
read_display_name(const char *value, struct buf *name, struct err *err)
{
	const char *p = value, *lt;

	if (*p == '"') {
		p = unquote(p, name);
		if (p == NULL) {
			err_set(err, ERR_INPUT, "the display name's quotes "
			    "are not closed");
			return NULL;
		}
		while (is_blank(*p))
			p++;
		if (*p != '<') {
			err_set(err, ERR_INPUT, "a quoted display name must "
			    "be followed by <address>");
			return NULL;
		}
		return p;
	}
	lt = strchr(p, '<');
	if (lt == NULL)
		lt = p + strlen(p);
	if (memchr(p, '"', (size_t)(lt - p)) != NULL) {
		err_set(err, ERR_INPUT, "quotes must enclose the whole "
		    "display name");
		return NULL;
	}
	if (memchr(p, '>', (size_t)(lt - p)) != NULL || *lt == '\0') {
		err_set(err, ERR_INPUT, "'<' and '>' do not match");
		return NULL;
	}
	while (lt > p && is_blank(lt[-1]))
		lt--;
	buf_append(name, p, (size_t)(lt - p));
	return strchr(lt, '<');
}

/*
 * [agent] from: "addr", "<addr>", "Name <addr>" or "\"Name, Inc.\" <addr>".
 * The address is kept alone, for the envelope (SMTP MAIL FROM) and the
 * Message-ID's domain; the name apart, for mime.c to quote or encode.
 * The line itself holds no control characters and is valid UTF-8.
 */
static int
set_from(struct config *cfg, const char *value, struct err *err)
{
	struct buf name = { 0 };
	const char *lt, *gt;
	char *addr = NULL;
	int rc = -1;

	if (strpbrk(value, "<>\"") == NULL) {
		if (check_addr(value, err) == -1)
			return -1;
		cfg->from = xstrdup(value);
		return 0;
	}
	if ((lt = read_display_name(value, &name, err)) == NULL)
		goto out;
	gt = strchr(lt, '>');
	if (gt == NULL || gt[1] != '\0' ||
	    memchr(lt + 1, '<', (size_t)(gt - lt - 1)) != NULL) {
		err_set(err, ERR_INPUT, gt != NULL && gt[1] != '\0' ?
		    "nothing may follow the address's '>'" :
		    "'<' and '>' do not match");
		goto out;
	}
	addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	if (check_addr(addr, err) == -1)
		goto out;
	buf_puts(&name, "");
	if (text_check("the display name", name.data, CONFIG_NAME_MAX, 1,
	    err) == -1)
		goto out;
	cfg->from = addr;
	addr = NULL;
	if (name.len > 0)
		cfg->from_name = buf_release(&name);
	rc = 0;
out:
	buf_clear(&name);
	free(addr);
	return rc;
}

/* #rrggbb, kept in lower case so that pages and mails compare alike. */
static int
set_color(char **field, const char *value, struct err *err)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	size_t i;
	char *c;

	if (*value == '\0')
		return 0;
	if (strlen(value) != 7 || value[0] != '#' ||
	    strspn(value + 1, hex) != 6) {
		err_set(err, ERR_INPUT, "'%s' is not a colour as #rrggbb",
		    value);
		return -1;
	}
	c = xstrdup(value);
	for (i = 1; i < 7; i++)
		if (c[i] >= 'A' && c[i] <= 'F')
			c[i] = (char)(c[i] - 'A' + 'a');
	*field = c;
	return 0;
}

/*
 * The logo is read once, at load: it goes inside every mail, and a file
 * that is missing, too big or not a PNG should stop the start, not a
 * mail.  Only the signature is checked: the bytes are never decoded
 * here, only passed on as image/png.
 */
static int
set_logo(struct config *cfg, const char *value, struct err *err)
{
	static const char png_sig[] = "\x89PNG\r\n\x1a\n";
	struct buf b = { 0 };
	char *path;

	if (*value == '\0')
		return 0;
	path = resolve_path(cfg->dir, value);
	if (read_file(path, CONFIG_LOGO_MAX, &b, err) == -1)
		goto bad;
	if (b.len < sizeof png_sig - 1 ||
	    memcmp(b.data, png_sig, sizeof png_sig - 1) != 0) {
		err_set(err, ERR_INPUT, "%s: not a PNG image", path);
		goto bad;
	}
	cfg->logo_file = path;
	cfg->logo_len = b.len;
	cfg->logo = (unsigned char *)buf_release(&b);
	return 0;
bad:
	buf_clear(&b);
	free(path);
	return -1;
}

/* A language tag, kept as lang_normalize() writes it. */
static int
set_lang(char **field, const char *value, struct err *err)
{
	char tag[LANG_TAG_MAX + 1];

	if (lang_normalize(value, tag, err) == -1)
		return -1;
	*field = xstrdup(tag);
	return 0;
}

static int
set_string(char **field, const struct config_def *d, const char *value,
    const char *dir, struct err *err)
{
	if (d->type == CT_TOKEN && has_blank(value)) {
		err_set(err, ERR_INPUT, "must not contain blanks");
		return -1;
	}
	if (d->type == CT_ADDR && check_addr(value, err) == -1)
		return -1;
	if (*value == '\0')
		*field = NULL;
	else if (d->type == CT_PATH || (d->type == CT_DATABASE &&
	    !store_target_is_uri(value)))
		*field = resolve_path(dir, value);
	else
		*field = xstrdup(value);
	return 0;
}

/* Converts one value into its field; the field is still empty. */
static int
set_value(struct config *cfg, const struct config_def *d, const char *value,
    struct err *err)
{
	if (*value == '\0' && !(d->flags & CF_OPTIONAL)) {
		err_set(err, ERR_INPUT, "needs a value");
		return -1;
	}
	switch (d->type) {
	case CT_STRING:
	case CT_TOKEN:
	case CT_PATH:
	case CT_DATABASE:
	case CT_ADDR:
		return set_string(field_str(cfg, d), d, value, cfg->dir, err);
	case CT_FROM:
		return set_from(cfg, value, err);
	case CT_TEXT:
		if (text_check("the text", value, CONFIG_BRAND_TEXT_MAX, 1,
		    err) == -1)
			return -1;
		return set_string(field_str(cfg, d), d, value, cfg->dir, err);
	case CT_COLOR:
		return set_color(field_str(cfg, d), value, err);
	case CT_LANG:
		return set_lang(field_str(cfg, d), value, err);
	case CT_LOGO:
		return set_logo(cfg, value, err);
	case CT_BASE_URL:
		return set_base_url(field_str(cfg, d), value, err);
	case CT_WEB_URL:
		return set_web_url(field_str(cfg, d), value, err);
	case CT_OUT_URL:
		return url_parse(field_url(cfg, d), value, URL_OUTBOUND,
		    cfg->dir, err);
	case CT_IN_URL:
		return url_parse(field_url(cfg, d), value, URL_INBOUND,
		    cfg->dir, err);
	case CT_ADDR_LIST:
		return set_addr_list(field_strvec(cfg, d), value, err);
	case CT_WORDS:
		return set_words(field_strvec(cfg, d), value, err);
	case CT_INT:
		return set_int(field_int(cfg, d), value, d->min, d->max, err);
	case CT_BOOL:
		return set_bool(field_int(cfg, d), value, err);
	case CT_ENUM:
		return set_enum(field_int(cfg, d), value, d->names, err);
	case CT_IP:
		return set_ip(field_str(cfg, d), value, err);
	case CT_IP_LIST:
		return set_ip_list(field_strvec(cfg, d), value, err);
	case CT_KEY_FILE:
		set_key_file(cfg, value);
		return 0;
	case CT_KEYS:
		return set_keys(cfg, value, err);
	}
	return 0;
}

/* key_file and keys name the token keys two ways: only one may be used. */
static int
keys_conflict(const struct parse_state *st, const struct config_def *d)
{
	int other;

	if (d->type == CT_KEYS)
		other = def_index("tokens", "key_file");
	else if (d->type == CT_KEY_FILE)
		other = def_index("tokens", "keys");
	else
		return 0;
	return st->seen[other] != 0;
}

/*
 * Called by inih for each "key = value" line.  The reader has already
 * looked at the raw line; a problem it found is reported here when it
 * can name the key, else by settle_line() once inih moves on.
 */
static int
handle_pair(void *user, const char *section, const char *name,
    const char *value)
{
	struct parse_state *st = user;
	const struct config_def *d;
	struct err e;
	int i;

	/* Errors are recorded, never returned: inih goes on either way, and
	 * its own return then names only lines it could not read. */
	st->line_claimed = 1;
	if (text_check("the key name", name, CONFIG_LINE_MAX, 0, &e) == -1) {
		if (st->line_flags == 0)
			fail(st, "%s", e.msg);
		return 1;
	}
	if (st->line_flags & LINE_TOO_LONG) {
		st->line_flags = 0;
		fail(st, "[%s] %s: the line is longer than %d bytes", section,
		    name, CONFIG_LINE_MAX);
		return 1;
	}
	if (text_check("the value", value, CONFIG_LINE_MAX, 1, &e) == -1) {
		st->line_flags = 0;
		fail(st, "[%s] %s: %s", section, name, e.msg);
		return 1;
	}
	if (st->line_flags != 0)
		return 1;	/* the bad bytes are in a comment */
	if (st->bad_section)
		return 1;	/* its [section] line has the error */
	if (*section == '\0') {
		fail(st, "%s: the key is not in any [section]", name);
		return 1;
	}
	if (!section_known(section, strlen(section)))
		return 1;	/* as bad_section, when inih took the line */
	i = def_index(section, name);
	if (i < 0) {
		fail(st, "[%s] %s: unknown key", section, name);
		return 1;
	}
	d = &defs[i];
	if (st->seen[i] != 0) {
		fail(st, "[%s] %s: duplicate key (first on line %d)", section,
		    name, st->seen[i]);
		return 1;
	}
	st->seen[i] = st->lineno;
	if (keys_conflict(st, d)) {
		st->refused[i] = 1;
		fail(st, "[%s] %s: use either key_file or keys, not both",
		    section, name);
		return 1;
	}
	if (set_value(st->cfg, d, value, &e) == -1) {
		st->refused[i] = 1;
		fail(st, "[%s] %s: %s", section, name, e.msg);
	}
	return 1;
}

/*
 * Reports what the reader found on a line no handler call claimed, and
 * a line that should have been "key = value" and was not (inih's own
 * return names only the first such line).
 */
static void
settle_line(struct parse_state *st)
{
	if (st->line_flags & LINE_TOO_LONG)
		fail(st, "the line is longer than %d bytes", CONFIG_LINE_MAX);
	else if (st->line_flags & LINE_BAD_TEXT)
		fail(st, "%s", st->line_why);
	else if (st->line_wants_pair && !st->line_claimed)
		fail(st, "expected [section] or key = value");
	st->line_flags = 0;
	st->line_wants_pair = 0;
	st->line_claimed = 0;
}

/*
 * A "[name]" line: the name must be known, and nothing may follow.  The
 * keys below a refused one are not looked at: each would be one more
 * error that only repeats this one.
 */
static void
check_section(struct parse_state *st, const char *line, size_t len)
{
	const char *close, *p, *end = line + len;

	close = memchr(line, ']', len);
	st->bad_section = 1;
	if (close == NULL) {
		fail(st, "expected [section] or key = value");
		return;
	}
	if (!section_known(line + 1, (size_t)(close - line - 1))) {
		fail(st, "[%.*s]: unknown section", (int)(close - line - 1),
		    line + 1);
		return;
	}
	st->bad_section = 0;
	for (p = close + 1; p < end && is_blank(*p); p++)
		continue;
	if (p < end && *p != ';' && *p != '#')
		fail(st, "[%.*s]: unexpected text after the section name",
		    (int)(close - line - 1), line + 1);
}

/* Flags a line that is too long, holds a NUL, bad UTF-8 or controls. */
static void
check_line(struct parse_state *st, const char *line, size_t len, size_t room)
{
	struct err e;
	char *copy;
	size_t i;

	if (len > CONFIG_LINE_MAX || len + 2 > room)
		st->line_flags |= LINE_TOO_LONG;
	if (memchr(line, '\0', len) != NULL) {
		st->line_flags |= LINE_BAD_TEXT;
		snprintf(st->line_why, sizeof st->line_why,
		    "the line contains a NUL byte");
		return;
	}
	copy = xstrndup(line, len);
	for (i = 0; i < len; i++)
		if (copy[i] == '\t')
			copy[i] = ' ';	/* a blank between tokens */
	if (text_check("the line", copy, len, 1, &e) == -1) {
		st->line_flags |= LINE_BAD_TEXT;
		snprintf(st->line_why, sizeof st->line_why, "%s", e.msg);
	}
	free(copy);
}

/*
 * inih's reader: hands over one line of the file per call, so that
 * inih's line numbers are ours, and looks at the whole raw line first.
 * Leading blanks are dropped, so that inih never takes an indented line
 * for the continuation of the previous value: every line stands alone.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	const char *line, *nl;
	size_t len, copy, room = num > 2 ? (size_t)num : 2;

	settle_line(st);
	if (st->pos >= st->text_len)
		return NULL;
	line = st->text + st->pos;
	nl = memchr(line, '\n', st->text_len - st->pos);
	len = nl ? (size_t)(nl - line) : st->text_len - st->pos;
	st->pos += nl ? len + 1 : len;
	st->lineno++;
	if (st->lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3, len -= 3;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	check_line(st, line, len, room);
	while (len > 0 && is_blank(*line))
		line++, len--;
	st->line_wants_pair = len > 0 && *line != ';' && *line != '#' &&
	    *line != '[';
	if (len > 0 && *line == '[' && st->line_flags == 0)
		check_section(st, line, len);
	else if (len > 0 && *line == '[')
		st->bad_section = 1;	/* settle_line says why */
	copy = len < room - 2 ? len : room - 2;
	memcpy(str, line, copy);
	str[copy] = '\n';
	str[copy + 1] = '\0';
	return str;
}

static void
fail_at(struct parse_state *st, int line, const char *msg)
{
	st->lineno = line;
	fail(st, "%s", msg);
}

static int
line_of(const struct parse_state *st, const char *section, const char *name)
{
	return st->seen[def_index(section, name)];
}

/*
 * starttls = off with a username on a plain URL sends the IMAP password
 * in clear (libcurl refuses to log in to SMTP without TLS, so there the
 * setting cannot hold): allowed only to a server on this host.
 */
static void
check_clear_login(struct parse_state *st, const char *section,
    const struct url *url, enum starttls_mode mode, const char *username,
    enum url_scheme plain, const char *tls)
{
	if (username == NULL || mode != STARTTLS_OFF || url->scheme != plain ||
	    url_is_loopback(url))
		return;
	/* off is never the default: the file has the line. */
	st->lineno = line_of(st, section, "starttls");
	fail(st, "[%s] starttls: off with a username is only for a server "
	    "on this host (127.0.0.0/8, ::1, localhost); use %s or "
	    "starttls = required", section, tls);
}

/* ---- OAuth2 sign-in ---- */

#define MS_LOGIN	"https://login.microsoftonline.com/"
#define MS_SCOPE_APP	"https://outlook.office365.com/.default"
#define MS_SCOPE_IMAP	"https://outlook.office.com/IMAP.AccessAsUser.All " \
			"offline_access"
#define MS_SCOPE_SMTP	"https://outlook.office.com/SMTP.Send offline_access"
#define GOOGLE_TOKEN	"https://oauth2.googleapis.com/token"
#define GOOGLE_SCOPE	"https://mail.google.com/"
#define TENANT_MAX	128

/* Fails at the line of section's key, or of its auth line when the key
 * was not in the file (a preset or a missing key). */
static void
fail_oauth(struct parse_state *st, const char *section, const char *key,
    const char *fmt, ...) PRINTF_LIKE(4, 5);

static void
fail_oauth(struct parse_state *st, const char *section, const char *key,
    const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;
	int line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	line = line_of(st, section, key);
	st->lineno = line ? line : line_of(st, section, "auth");
	fail(st, "[%s] %s: %s", section, key, msg);
}

/* https://HOST[:PORT]/..., or http:// to this host alone: the client
 * secret and the refresh token travel in it. */
static int
check_oauth_url(const char *text, struct err *err)
{
	struct url u;
	int plain;

	if (!url_has_scheme(text, URL_WEB)) {
		err_set(err, ERR_INPUT, "must start with https://");
		return -1;
	}
	if (url_parse(&u, text, URL_WEB, NULL, err) == -1)
		return -1;
	plain = u.scheme == URL_HTTP && !url_is_loopback(&u);
	url_clear(&u);
	if (plain) {
		err_set(err, ERR_INPUT, "must start with https:// (http:// "
		    "only to this host: 127.0.0.0/8, ::1, localhost)");
		return -1;
	}
	return 0;
}

/* A directory id or a domain: it goes into the preset URLs. */
static int
tenant_ok(const char *tenant)
{
	size_t i, len = strlen(tenant);

	for (i = 0; i < len; i++)
		if (!is_alnum(tenant[i]) && tenant[i] != '.' &&
		    tenant[i] != '-')
			return 0;
	return len > 0 && len <= TENANT_MAX;
}

static void
set_preset(char **field, char *value)
{
	if (*field == NULL)
		*field = value;
	else
		free(value);
}

/* Fills the provider's token and device URLs and scope where the file
 * left them out. */
static void
apply_presets(struct parse_state *st, const char *section,
    struct config_oauth *o, int inbound)
{
	switch (o->provider) {
	case OAUTH_MICROSOFT:
		/* The tenant fills the URLs; without one, both are given. */
		if (o->tenant != NULL && !tenant_ok(o->tenant))
			fail_oauth(st, section, "oauth2_tenant", "must be a "
			    "directory id or a domain");
		else if (o->tenant != NULL) {
			set_preset(&o->token_url, xasprintf(MS_LOGIN "%s/oauth2/"
			    "v2.0/token", o->tenant));
			set_preset(&o->device_url, xasprintf(MS_LOGIN "%s/"
			    "oauth2/v2.0/devicecode", o->tenant));
		} else if (o->token_url == NULL)
			fail_oauth(st, section, "oauth2_tenant", "needed with "
			    "oauth2_provider = microsoft (the directory id or "
			    "domain)");
		set_preset(&o->scope, xstrdup(o->grant ==
		    GRANT_CLIENT_CREDENTIALS ? MS_SCOPE_APP : inbound ?
		    MS_SCOPE_IMAP : MS_SCOPE_SMTP));
		break;
	case OAUTH_GOOGLE:
		/* Google's device flow does not grant Gmail's scope. */
		set_preset(&o->token_url, xstrdup(GOOGLE_TOKEN));
		set_preset(&o->scope, xstrdup(GOOGLE_SCOPE));
		break;
	case OAUTH_CUSTOM:
		if (o->token_url == NULL)
			fail_oauth(st, section, "oauth2_token_url", "needed "
			    "with oauth2_provider = custom");
		if (o->scope == NULL)
			fail_oauth(st, section, "oauth2_scope", "needed with "
			    "oauth2_provider = custom");
		break;
	}
}

/* What each grant needs, and what only it may have. */
static void
check_grant(struct parse_state *st, const char *section,
    struct config_oauth *o)
{
	if (o->key_file != NULL && line_of(st, section, "oauth2_grant") == 0)
		o->grant = GRANT_JWT_BEARER;
	if (o->grant == GRANT_JWT_BEARER && o->key_file == NULL)
		fail_oauth(st, section, "oauth2_key_file", "needed with "
		    "oauth2_grant = jwt_bearer (the service account's PEM key)");
	if (o->grant != GRANT_JWT_BEARER && o->key_file != NULL)
		fail_oauth(st, section, "oauth2_key_file", "only with "
		    "oauth2_grant = jwt_bearer");
	if (o->grant == GRANT_CLIENT_CREDENTIALS &&
	    o->client_secret_file == NULL)
		fail_oauth(st, section, "oauth2_client_secret_file", "needed "
		    "with oauth2_grant = client_credentials");
	if (o->grant == GRANT_JWT_BEARER && o->provider == OAUTH_MICROSOFT)
		fail_oauth(st, section, "oauth2_grant", "jwt_bearer is for "
		    "Google service accounts; Microsoft's app-only sign-in "
		    "is client_credentials");
	if (o->grant == GRANT_CLIENT_CREDENTIALS &&
	    o->provider == OAUTH_GOOGLE)
		fail_oauth(st, section, "oauth2_grant", "Google has no "
		    "client_credentials for mail: use jwt_bearer with a "
		    "service account, or refresh_token");
}

/* With auth = password, each oauth2_* key is a mistake worth saying. */
static void
check_no_oauth(struct parse_state *st, const char *section)
{
	size_t i;

	for (i = 0; i < NDEFS; i++) {
		if (st->seen[i] == 0 || strcmp(defs[i].section, section) != 0 ||
		    strncmp(defs[i].name, "oauth2_", 7) != 0)
			continue;
		st->lineno = st->seen[i];
		fail(st, "[%s] %s: only with auth = oauth2", section,
		    defs[i].name);
	}
}

static void
check_oauth(struct parse_state *st, const char *section,
    const struct url *url, const char *username, const char *password_file,
    struct config_oauth *o, int inbound)
{
	struct err e;

	if (o->auth != AUTH_OAUTH2) {
		check_no_oauth(st, section);
		return;
	}
	if (url->scheme == URL_MAILDIR)
		fail_oauth(st, section, "auth", "oauth2 needs a mail server "
		    "(url = %s://...)", inbound ? "imaps" : "smtps");
	if (username == NULL)
		fail_oauth(st, section, "username", "needed with auth = oauth2 "
		    "(the mailbox address)");
	if (password_file != NULL)
		fail_oauth(st, section, "password_file", "not used with "
		    "auth = oauth2; remove it");
	if (o->client_id == NULL)
		fail_oauth(st, section, "oauth2_client_id", "needed with "
		    "auth = oauth2");
	if (inbound && o->mechanism == MECH_OAUTHBEARER)
		fail_oauth(st, section, "oauth2_mechanism", "IMAP signs in "
		    "with xoauth2 only");
	check_grant(st, section, o);
	apply_presets(st, section, o, inbound);
	if (o->token_url != NULL && check_oauth_url(o->token_url, &e) == -1)
		fail_oauth(st, section, "oauth2_token_url", "%s", e.msg);
	if (o->device_url != NULL && check_oauth_url(o->device_url, &e) == -1)
		fail_oauth(st, section, "oauth2_device_url", "%s", e.msg);
}

/*
 * 1 when no value of the section was refused.  The rules that tie its
 * keys together would otherwise see a key as missing that the file has,
 * and say the same error again in other words.
 */
static int
section_ok(const struct parse_state *st, const char *section)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (st->refused[i] && strcmp(defs[i].section, section) == 0)
			return 0;
	return 1;
}

/* Those of one mail account, [outbound] or [inbound]. */
static void
check_account(struct parse_state *st, const char *section, int inbound)
{
	struct config *cfg = st->cfg;
	const struct url *url = inbound ? &cfg->inbound : &cfg->outbound;
	const char *username = inbound ? cfg->in_username : cfg->out_username;
	const char *password_file = inbound ? cfg->in_password_file :
	    cfg->out_password_file;
	struct config_oauth *o = inbound ? &cfg->in_oauth : &cfg->out_oauth;

	check_oauth(st, section, url, username, password_file, o, inbound);
	if (username != NULL && password_file == NULL &&
	    o->auth == AUTH_PASSWORD) {
		st->lineno = line_of(st, section, "username");
		fail(st, "[%s] password_file: needed when username is set",
		    section);
	}
	check_clear_login(st, section, url, inbound ? cfg->in_starttls :
	    cfg->out_starttls, username, inbound ? URL_IMAP : URL_SMTP,
	    inbound ? "imaps://" : "smtps://");
}

/*
 * [console]: base_url defaults to where the console listens, and the
 * console and the listener cannot share an address and port.
 */
static void
check_console(struct parse_state *st)
{
	struct config *cfg = st->cfg;
	int line, v6;

	if (cfg->console_port == 0)
		return;
	if (cfg->console_base_url == NULL) {
		v6 = strchr(cfg->console_address, ':') != NULL;
		cfg->console_base_url = xasprintf("http://%s%s%s:%d",
		    v6 ? "[" : "", cfg->console_address, v6 ? "]" : "",
		    cfg->console_port);
	}
	if (cfg->console_port == cfg->listen_port &&
	    section_ok(st, "listener") &&
	    strcmp(cfg->console_address, cfg->listen_address) == 0) {
		line = line_of(st, "console", "port");
		st->lineno = line ? line : line_of(st, "listener", "port");
		fail(st, "[console] port: %d is the listener's too; give the "
		    "console another (0 = off)", cfg->console_port);
	}
	if (cfg->console_idle_minutes > cfg->console_max_hours * 60) {
		line = line_of(st, "console", "session_idle_minutes");
		st->lineno = line ? line : line_of(st, "console",
		    "session_max_hours");
		fail(st, "[console] session_idle_minutes: must not be longer "
		    "than session_max_hours (%d hours)",
		    cfg->console_max_hours);
	}
}

/*
 * The rules that tie one key to another, checked once all are known,
 * in each section whose values all read well.
 */
static void
cross_check(struct parse_state *st)
{
	struct config *cfg = st->cfg;
	int line;

	if (section_ok(st, "outbound"))
		check_account(st, "outbound", 0);
	if (section_ok(st, "inbound")) {
		check_account(st, "inbound", 1);
		if (cfg->require_auth_results &&
		    cfg->trusted_authserv_id == NULL) {
			line = line_of(st, "inbound", "trusted_authserv_id");
			fail_at(st, line ? line : line_of(st, "inbound",
			    "require_auth_results"), "[inbound] "
			    "trusted_authserv_id: needed when "
			    "require_auth_results = yes");
		}
	}
	if (section_ok(st, "tokens") && cfg->remind_days >= cfg->ttl_days) {
		line = line_of(st, "tokens", "remind_days");
		st->lineno = line ? line : line_of(st, "tokens", "ttl_days");
		fail(st, "[tokens] remind_days: must be less than ttl_days "
		    "(%d)", cfg->ttl_days);
	}
	if (section_ok(st, "console"))
		check_console(st);
}

static void
apply_defaults(struct parse_state *st)
{
	struct err e;
	size_t i;

	st->lineno = 0;
	for (i = 0; i < NDEFS; i++) {
		if (st->seen[i] != 0 || defs[i].def == NULL)
			continue;
		if (defs[i].type == CT_KEY_FILE &&
		    line_of(st, "tokens", "keys") != 0)
			continue;
		if (set_value(st->cfg, &defs[i], defs[i].def, &e) == -1)
			fail(st, "[%s] %s: built-in default: %s",
			    defs[i].section, defs[i].name, e.msg);
	}
}

static int
read_file(const char *path, size_t max, struct buf *b, struct err *err)
{
	char chunk[4096];
	FILE *fp;
	size_t n;
	int rc = -1;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		err_set(err, ERR_RUNTIME, "%s: cannot read: %s", path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		n = fread(chunk, 1, sizeof chunk, fp);
		if (n == 0)
			break;
		if (b->len + n > max) {
			err_set(err, ERR_INPUT, "%s: larger than %zu bytes",
			    path, max);
			goto out;
		}
		buf_append(b, chunk, n);
	}
	if (ferror(fp)) {
		err_set(err, ERR_RUNTIME, "%s: cannot read: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	fclose(fp);
	return rc;
}

/* Sets cfg->dir to the real path of the file's folder, cfg->path below it. */
static int
set_location(struct config *cfg, const char *path, struct err *err)
{
	const char *slash, *base;
	char *folder;

	slash = strrchr(path, '/');
	if (slash == NULL)
		folder = xstrdup(".");
	else if (slash == path)
		folder = xstrdup("/");
	else
		folder = xstrndup(path, (size_t)(slash - path));
	base = slash ? slash + 1 : path;
	cfg->dir = realpath(folder, NULL);
	if (cfg->dir == NULL) {
		err_set(err, ERR_RUNTIME, "%s: cannot find the folder %s: %s",
		    path, folder, strerror(errno));
		free(folder);
		return -1;
	}
	free(folder);
	cfg->path = strcmp(cfg->dir, "/") == 0 ? xasprintf("/%s", base) :
	    xasprintf("%s/%s", cfg->dir, base);
	return 0;
}

/*
 * One line per error, nearest the top first: "FILE:LINE: what", or
 * "FILE: what" without a line.  Those that do not fit in the message
 * are counted on a last line, "FILE: and N more errors".
 */
static void
report(const struct parse_state *st, struct err *err)
{
	struct buf b = { 0 };
	char line[ERR_MSG_MAX];
	size_t i, need, tail;

	tail = strlen(st->path) + sizeof "\n: and 99999 more errors";
	for (i = 0; i < st->nkept; i++) {
		if (st->errors[i].line > 0)
			snprintf(line, sizeof line, "%s:%d: %s", st->path,
			    st->errors[i].line, st->errors[i].msg);
		else
			snprintf(line, sizeof line, "%s: %s", st->path,
			    st->errors[i].msg);
		need = b.len + (i > 0) + strlen(line) +
		    (i + 1 < st->nerrors ? tail : 0);
		if (i > 0 && need >= ERR_MSG_MAX)
			break;
		buf_printf(&b, "%s%s", i > 0 ? "\n" : "", line);
	}
	if (i < st->nerrors)
		buf_printf(&b, "\n%s: and %zu more error%s", st->path,
		    st->nerrors - i, st->nerrors - i == 1 ? "" : "s");
	err_set(err, ERR_INPUT, "%s", b.data);
	buf_clear(&b);
}

static int
parse_text(struct parse_state *st, struct err *err)
{
	int rc;

	rc = ini_parse_stream(read_line, st, handle_pair, st);
	settle_line(st);
	if (rc == -2) {
		err_set(err, ERR_RUNTIME, "%s: out of memory", st->path);
		return -1;
	}
	/* A line inih could not read that the reader did not foresee. */
	if (rc > 0 && !failed_at(st, rc)) {
		st->lineno = rc;
		fail(st, "expected [section] or key = value");
	}
	apply_defaults(st);
	cross_check(st);
	if (st->nerrors == 0)
		return 0;
	report(st, err);
	return -1;
}

int
config_parse(const char *path, const char *text, size_t len,
    struct config *cfg, struct err *err)
{
	struct parse_state *st = NULL;
	int rc = -1;

	memset(cfg, 0, sizeof *cfg);
	if (len > CONFIG_FILE_MAX) {
		err_set(err, ERR_INPUT, "%s: larger than %d bytes", path,
		    CONFIG_FILE_MAX);
		return -1;
	}
	if (set_location(cfg, path, err) == -1)
		goto out;
	st = xcalloc(1, sizeof *st);
	st->path = path;
	st->cfg = cfg;
	st->text = text != NULL ? text : "";
	st->text_len = text != NULL ? len : 0;
	rc = parse_text(st, err);
	if (rc == 0) {
		cfg->out_url = cfg->outbound.text;
		cfg->in_url = cfg->inbound.text;
	}
out:
	if (rc == -1)
		config_free(cfg);
	free(st);
	return rc;
}

int
config_load(const char *path, struct config *cfg, struct err *err)
{
	struct buf text = { 0 };
	int rc;

	memset(cfg, 0, sizeof *cfg);
	if (read_file(path, CONFIG_FILE_MAX, &text, err) == -1) {
		buf_clear(&text);
		return -1;
	}
	rc = config_parse(path, text.data, text.len, cfg, err);
	buf_clear(&text);
	return rc;
}

const char *
config_locate(const char *arg, struct err *err)
{
	const char *env;

	if (arg != NULL)
		return arg;
	if (access("conf/agent.conf", F_OK) == 0)
		return "conf/agent.conf";
	env = getenv("MSCAGENT_CONF");
	if (env != NULL && *env != '\0')
		return env;
	err_set(err, ERR_INPUT, "no configuration: conf/agent.conf not found "
	    "and MSCAGENT_CONF not set (use -c FILE)");
	return NULL;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NDEFS; i++) {
		switch (defs[i].type) {
		case CT_ADDR_LIST:
		case CT_WORDS:
		case CT_IP_LIST:
			strvec_clear(field_strvec(cfg, &defs[i]));
			break;
		case CT_INT:
		case CT_BOOL:
		case CT_ENUM:
		case CT_KEY_FILE:
		case CT_KEYS:
			break;
		case CT_OUT_URL:
		case CT_IN_URL:
			url_clear(field_url(cfg, &defs[i]));
			break;
		default:
			free(*field_str(cfg, &defs[i]));
			break;
		}
	}
	for (i = 0; i < cfg->nkeys; i++) {
		free(cfg->keys[i].kid);
		free(cfg->keys[i].path);
	}
	free(cfg->from_name);
	free(cfg->logo);
	free(cfg->path);
	free(cfg->dir);
	memset(cfg, 0, sizeof *cfg);
}

const char *
config_grant_name(enum oauth_grant grant)
{
	if ((int)grant < 0 || grant > GRANT_JWT_BEARER)
		return "unknown";
	return grant_names[grant];
}

const char *
config_log_level_name(enum log_level level)
{
	if ((int)level < 0 || level > LOG_LEVEL_DEBUG)
		return "unknown";
	return log_level_names[level];
}
