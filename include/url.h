/*
 * url.h: a transport's or an OAuth2 endpoint's URL, parsed once.
 *
 * The config reads [outbound] url, [inbound] url and the OAuth2 token
 * and device URLs through url_parse; the transports then switch on the
 * scheme and take host, port and path from the struct, never from the
 * text again.  The forms are few and strict: maildir:PATH,
 * smtp[s]://HOST[:PORT], imap[s]://HOST[:PORT][/MAILBOX] and
 * http[s]://HOST[:PORT][/PATH].  HOST is a name of A-Z a-z 0-9 . - or
 * an IPv6 literal in brackets; a user name or password in the URL is
 * refused (the config has keys for those).
 *
 * The caller keeps what it passes; a struct url owns its strings until
 * url_clear.
 */
#ifndef MSCAGENT_URL_H
#define MSCAGENT_URL_H

#include <stdint.h>

#include "util.h"

enum url_scheme {
	URL_NONE,	/* not parsed */
	URL_MAILDIR,	/* maildir:PATH, the embedded transport */
	URL_SMTP,	/* smtp://, STARTTLS as configured; port 25 */
	URL_SMTPS,	/* smtps://, TLS from the start; port 465 */
	URL_IMAP,	/* imap://, port 143 */
	URL_IMAPS,	/* imaps://, port 993 */
	URL_HTTP,	/* http://, port 80 */
	URL_HTTPS,	/* https://, port 443 */
};

/* Sets of schemes, for url_parse's accept. */
#define URL_ACCEPT(scheme)	(1u << (scheme))
#define URL_OUTBOUND	(URL_ACCEPT(URL_SMTP) | URL_ACCEPT(URL_SMTPS) | \
			URL_ACCEPT(URL_MAILDIR))
#define URL_INBOUND	(URL_ACCEPT(URL_IMAP) | URL_ACCEPT(URL_IMAPS) | \
			URL_ACCEPT(URL_MAILDIR))
#define URL_WEB		(URL_ACCEPT(URL_HTTPS) | URL_ACCEPT(URL_HTTP))

/*
 * Limits: a whole URL (a config line is shorter; an OAuth2 preset with
 * its tenant is not much longer), and a host name (RFC 1035's 253).
 */
#define URL_MAX		1024
#define URL_HOST_MAX	253

struct url {
	enum url_scheme	 scheme;
	char		*text;	/* the whole URL, maildir's folder made
				   absolute and imap's mailbox spelt out */
	char		*host;	/* without brackets; NULL for maildir */
	uint16_t	 port;	/* as given, else the scheme's; 0: maildir */
	char		*path;	/* maildir: the absolute folder; imap: the
				   mailbox (INBOX when none); http: from the
				   first '/', '?' or '#' on, maybe ""; smtp:
				   NULL */
};

/*
 * Parses text, which must have one of the schemes in accept (a set of
 * URL_ACCEPT bits), into *u.  A relative maildir: folder resolves
 * against dir, which is absolute; with dir NULL it is refused.  Returns
 * 0, or -1 with ERR_INPUT and a message that fits after "[section] url: "
 * ("must be smtp://HOST[:PORT], smtps://HOST[:PORT] or maildir:PATH",
 * "the port must be a number between 1 and 65535") and *u empty.
 */
int	 url_parse(struct url *u, const char *text, unsigned accept,
	    const char *dir, struct err *);

/* 1 when text starts with one of the schemes in accept, else 0. */
int	 url_has_scheme(const char *text, unsigned accept);

/*
 * 1 when the URL's host is this machine: 127.0.0.0/8, ::1 or localhost
 * (in any case), where a clear-text login never leaves it; else 0.
 */
int	 url_is_loopback(const struct url *);

/* Frees the strings and empties *u; NULL and an empty url are fine. */
void	 url_clear(struct url *);

#endif
