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

#endif
