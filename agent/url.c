/* url.c: parses a transport's or an OAuth2 endpoint's URL into its parts. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "url.h"

/* Each scheme the agent speaks; error messages list them in this order. */
static const struct scheme {
	enum url_scheme	 id;
	const char	*prefix;
	uint16_t	 port;		/* the default; 0: no host */
	const char	*form;		/* for "must be ..." */
} schemes[] = {
	{ URL_SMTP, "smtp://", 25, "smtp://HOST[:PORT]" },
	{ URL_SMTPS, "smtps://", 465, "smtps://HOST[:PORT]" },
	{ URL_IMAP, "imap://", 143, "imap://HOST[:PORT]/MAILBOX" },
	{ URL_IMAPS, "imaps://", 993, "imaps://HOST[:PORT]/MAILBOX" },
	{ URL_HTTPS, "https://", 443, "https://HOST[:PORT]/PATH" },
	{ URL_HTTP, "http://", 80, "http://HOST[:PORT]/PATH" },
	{ URL_MAILDIR, "maildir:", 0, "maildir:PATH" },
};

#define NSCHEMES	(sizeof schemes / sizeof schemes[0])

static const struct scheme *
find_scheme(const char *text, unsigned accept)
{
	size_t i;

	for (i = 0; i < NSCHEMES; i++)
		if ((accept & URL_ACCEPT(schemes[i].id)) != 0 &&
		    strncmp(text, schemes[i].prefix,
		    strlen(schemes[i].prefix)) == 0)
			return &schemes[i];
	return NULL;
}

int
url_has_scheme(const char *text, unsigned accept)
{
	return find_scheme(text, accept) != NULL;
}

/* "must be A, B or C" for the schemes in accept. */
static void
set_scheme_error(unsigned accept, struct err *err)
{
	struct buf list = { 0 };
	size_t i, n = 0, total = 0;

	for (i = 0; i < NSCHEMES; i++)
		if ((accept & URL_ACCEPT(schemes[i].id)) != 0)
			total++;
	for (i = 0; i < NSCHEMES; i++) {
		if ((accept & URL_ACCEPT(schemes[i].id)) == 0)
			continue;
		n++;
		buf_printf(&list, "%s%s", n == 1 ? "" : n == total ? " or " :
		    ", ", schemes[i].form);
	}
	err_set(err, ERR_INPUT, "must be %s", total ? list.data : "a URL");
	buf_clear(&list);
}

/* ASCII only: host names are not localised. */
static int
is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static int
parse_port(const char *p, size_t len, uint16_t *port, struct err *err)
{
	size_t i;
	long v = 0;

	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || i >= 5)
			goto bad;
		v = v * 10 + (p[i] - '0');
	}
	if (len > 0 && v >= 1 && v <= 65535) {
		*port = (uint16_t)v;
		return 0;
	}
bad:
	err_set(err, ERR_INPUT, "the port must be a number between 1 and "
	    "65535");
	return -1;
}

/* "host", "host:port", "[v6]" or "[v6]:port" (len bytes of s). */
static int
parse_authority(struct url *u, const char *s, size_t len, uint16_t port,
    struct err *err)
{
	char v6[INET6_ADDRSTRLEN];
	unsigned char addr[16];
	const char *close, *colon;
	size_t i, hlen;

	if (memchr(s, '@', len) != NULL) {
		err_set(err, ERR_INPUT, "no user name or password in the URL: "
		    "use username and password_file");
		return -1;
	}
	u->port = port;
	if (len > 0 && s[0] == '[') {
		close = memchr(s, ']', len);
		hlen = close ? (size_t)(close - s - 1) : 0;
		if (close == NULL || hlen == 0 || hlen >= sizeof v6)
			goto bad_host;
		memcpy(v6, s + 1, hlen);
		v6[hlen] = '\0';
		if (inet_pton(AF_INET6, v6, addr) != 1)
			goto bad_host;
		colon = close + 1;
		if (colon != s + len && *colon != ':')
			goto bad_host;
		u->host = xstrdup(v6);
	} else {
		colon = memchr(s, ':', len);
		hlen = colon ? (size_t)(colon - s) : len;
		if (hlen == 0 || hlen > URL_HOST_MAX)
			goto bad_host;
		for (i = 0; i < hlen; i++)
			if (!is_host_char(s[i]))
				goto bad_host;
		if (colon == NULL)
			colon = s + len;
		u->host = xstrndup(s, hlen);
	}
	if (colon == s + len)
		return 0;
	return parse_port(colon + 1, len - (size_t)(colon + 1 - s), &u->port,
	    err);
bad_host:
	err_set(err, ERR_INPUT, "the URL has no valid host name");
	return -1;
}

static int
parse_maildir(struct url *u, const char *folder, const char *dir,
    struct err *err)
{
	if (*folder == '\0') {
		err_set(err, ERR_INPUT, "maildir: needs a folder");
		return -1;
	}
	if (folder[0] == '/')
		u->path = xstrdup(folder);
	else if (dir == NULL) {
		err_set(err, ERR_INPUT, "maildir: needs an absolute folder");
		return -1;
	} else
		u->path = path_join(dir, folder);
	u->text = xasprintf("maildir:%s", u->path);
	return 0;
}

/* The mailbox defaults to INBOX: "imap://host" reads "imap://host/INBOX". */
static int
parse_imap(struct url *u, const char *text, const char *rest, uint16_t port,
    struct err *err)
{
	const char *slash;
	size_t alen;

	slash = strchr(rest, '/');
	alen = slash ? (size_t)(slash - rest) : strlen(rest);
	if (parse_authority(u, rest, alen, port, err) == -1)
		return -1;
	if (slash == NULL || slash[1] == '\0') {
		u->path = xstrdup("INBOX");
		u->text = xasprintf("%.*s/INBOX", (int)(rest + alen - text),
		    text);
	} else {
		u->path = xstrdup(slash + 1);
		u->text = xstrdup(text);
	}
	return 0;
}

static int
parse_smtp(struct url *u, const char *text, const char *rest, uint16_t port,
    struct err *err)
{
	if (strchr(rest, '/') != NULL) {
		err_set(err, ERR_INPUT, "an smtp URL has no path");
		return -1;
	}
	if (parse_authority(u, rest, strlen(rest), port, err) == -1)
		return -1;
	u->text = xstrdup(text);
	return 0;
}

/* The secrets an OAuth2 endpoint gets travel in it: nothing that could
 * end the URL early or be read two ways. */
static int
parse_http(struct url *u, const char *text, const char *rest, uint16_t port,
    struct err *err)
{
	size_t alen;

	if (strpbrk(text, " \t\"'<>\\`") != NULL) {
		err_set(err, ERR_INPUT, "not a URL");
		return -1;
	}
	alen = strcspn(rest, "/?#");
	if (parse_authority(u, rest, alen, port, err) == -1)
		return -1;
	u->path = xstrdup(rest + alen);
	u->text = xstrdup(text);
	return 0;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

int
url_parse(struct url *u, const char *text, unsigned accept, const char *dir,
    struct err *err)
{
	const struct scheme *sc;
	const char *rest;
	int rc = -1;

	memset(u, 0, sizeof *u);
	if (strlen(text) > URL_MAX) {
		err_set(err, ERR_INPUT, "the URL is longer than %d bytes",
		    URL_MAX);
		return -1;
	}
	sc = find_scheme(text, accept);
	if (sc == NULL) {
		set_scheme_error(accept, err);
		return -1;
	}
	if (has_control(text)) {
		err_set(err, ERR_INPUT, "the URL contains a control character");
		return -1;
	}
	rest = text + strlen(sc->prefix);
	switch (sc->id) {
	case URL_MAILDIR:
		rc = parse_maildir(u, rest, dir, err);
		break;
	case URL_SMTP:
	case URL_SMTPS:
		rc = parse_smtp(u, text, rest, sc->port, err);
		break;
	case URL_IMAP:
	case URL_IMAPS:
		rc = parse_imap(u, text, rest, sc->port, err);
		break;
	case URL_HTTP:
	case URL_HTTPS:
		rc = parse_http(u, text, rest, sc->port, err);
		break;
	case URL_NONE:
		break;
	}
	if (rc == -1) {
		url_clear(u);
		return -1;
	}
	u->scheme = sc->id;
	return 0;
}

int
url_is_loopback(const struct url *u)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (u->host == NULL)
		return 0;
	if (ascii_casecmp(u->host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, u->host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, u->host, &a6) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&a6);
}

void
url_clear(struct url *u)
{
	if (u == NULL)
		return;
	free(u->text);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof *u);
}
