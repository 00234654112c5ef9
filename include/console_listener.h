/*
 * console_listener.h: the operator console's own listener ([console]
 * address and port), on the plumbing of listener.h: the same limits on
 * connections, request targets and headers, the same security headers.
 * What differs is the body: a form, or a CSV file of up to
 * CONSOLE_UPLOAD_MAX bytes for /import (413 past CONSOLE_BODY_MAX), and
 * what each request gets, decided by console.c.
 *
 * A field is at most CONSOLE_PARAM_MAX bytes, a request has at most
 * CONSOLE_PARAMS_MAX fields (the tenants of a bulk action), and none
 * holds a NUL; else the request is malformed (400).
 */
#ifndef MSCAGENT_CONSOLE_LISTENER_H
#define MSCAGENT_CONSOLE_LISTENER_H

#include "config.h"
#include "console.h"

#define CONSOLE_UPLOAD_MAX	(4 * 1024 * 1024)
#define CONSOLE_BODY_MAX	(CONSOLE_UPLOAD_MAX + 64 * 1024) /* the
						   file, its part's headers
						   and the other fields */
#define CONSOLE_PARAMS_MAX	10000

/* An address in inet_ntop's form: IPv6's longest, and a NUL. */
#define CONSOLE_ADDRESS_MAX	46

struct console_listener;

/*
 * Opens a database connection per thread and starts listening on
 * [console] address:port.  con must outlive the listener.  Returns the
 * listener, or NULL with ERR_RUNTIME.
 */
struct console_listener *console_listener_start(const struct config *,
	    struct console *, struct err *);
unsigned console_listener_port(const struct console_listener *);
/* Stops taking connections, lets running requests end, frees it all;
 * NULL is fine. */
void	 console_listener_stop(struct console_listener *);

/*
 * The client's address into out (CONSOLE_ADDRESS_MAX bytes): peer's,
 * unless peer is one of trusted; then the rightmost address of
 * forwarded (the X-Forwarded-For fields, joined by commas; NULL: none)
 * that is not trusted itself, since the hops to its right were added
 * by proxies that are.  An entry that is not an address stops the
 * walk at the hop before it.
 */
void	 console_client_address(const char *peer, const char *forwarded,
	    const struct strvec *trusted, char out[CONSOLE_ADDRESS_MAX]);

#endif
