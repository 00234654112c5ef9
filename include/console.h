/*
 * console.h: what the operator console answers (SPEC §7, [console]),
 * without HTTP plumbing.  The console's listener turns a libmicrohttpd
 * request into a console_request and the console_response back into an
 * answer; everything decided in between is here, so that it can be
 * tested and fuzzed without a socket.
 *
 * Every page but /login needs a session; every POST also needs the
 * session's CSRF token and a same-origin request; a viewer may only
 * look.  An action goes through the same workflow function as the
 * command line and the mail, so it happens once.
 */
#ifndef MSCAGENT_CONSOLE_H
#define MSCAGENT_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "compose.h"
#include "store.h"

#define CONSOLE_COOKIE		"mscagent_session"
#define CONSOLE_STATUS_MAX	600
/* Bytes of a CSV file the console imports (a bigger one: the CLI's
 * tenant import).  Its confirmation posts it again, base64, so a POST to
 * /import may take up to CONSOLE_IMPORT_POST_MAX bytes. */
#define CONSOLE_IMPORT_MAX	(256 * 1024)
#define CONSOLE_IMPORT_POST_MAX	(CONSOLE_IMPORT_MAX / 3 * 4 + 16 * 1024)
/* Bytes of one query or form field: a longer one makes the request
 * malformed, so a page never asks a browser to send one. */
#define CONSOLE_PARAM_MAX	(16 * 1024)

struct console {
	const struct compose_ctx *mail;		/* config, keys, templates */
	/* Called after an action queued mail, to deliver it now. */
	void			(*queued)(void *arg);
	void			 *queued_arg;
};

/* A query or form field, decoded; value holds len bytes and a NUL. */
struct console_param {
	const char	*name;
	const char	*value;
	size_t		 len;
};

struct console_request {
	const char			*method;	/* "GET", "POST", ... */
	const char			*path;
	const struct console_param	*params;	/* query, then form */
	size_t				 nparams;
	const char			*upload;	/* a file field's bytes
							   (the CSV of /import);
							   NULL: none */
	size_t				 upload_len;
	const char			*session;	/* the cookie's value */
	const char			*origin;	/* NULL: absent */
	const char			*fetch_site;	/* Sec-Fetch-Site */
	const char			*client;	/* the client's address
							   (trusted_proxies
							   applied) */
	int				 malformed;	/* a field cut by a NUL,
							   or over a limit */
};

struct console_response {
	unsigned	 status;
	const char	*type;		/* Content-Type */
	char		*body;
	size_t		 len;
	char		*location;	/* 303 */
	char		*set_cookie;	/* a Set-Cookie value, or NULL */
	char		*filename;	/* an attachment's name, or NULL */
	const char	*allow;		/* 405 */
};

/* Answers one request at time now; *res is always filled (free with
 * console_response_clear), a failure being a 500 page. */
void	 console_handle(struct console *, struct store *,
	    const struct console_request *, int64_t now,
	    struct console_response *);
void	 console_response_clear(struct console_response *);

#endif
