/*
 * listener.h: the HTTP listener of SPEC §5 on libmicrohttpd.  Only the
 * plumbing lives here — sockets, limits, headers, form decoding; what
 * each request gets is decided by web.c.
 *
 * Limits, so that a flood or a slow client cannot stop the agent:
 * [listener] max_connections in all, half of them from one address,
 * LISTENER_IDLE_SECONDS of silence, LISTENER_URI_MAX bytes of request
 * target (else 414), LISTENER_HEADER_MAX bytes of header fields (else
 * 431), WEB_BODY_MAX bytes of body (else 413), WEB_PARAM_MAX bytes of a
 * parameter (else the request is malformed: 403).
 */
#ifndef MSCAGENT_LISTENER_H
#define MSCAGENT_LISTENER_H

#include "config.h"
#include "web.h"

#define LISTENER_IDLE_SECONDS	10
#define LISTENER_THREADS	2	/* one per core of a small host */

/* The path and query string as sent: a link is "/verify?token=" and a
 * token of at most WEB_PARAM_MAX bytes, with room for what a mail
 * scanner adds. */
#define LISTENER_URI_MAX	(10 * 1024)
/* Header fields, each counted as "Name: value" CRLF: browsers send 1 or
 * 2 KiB, the common servers take 8 to 16 KiB per line. */
#define LISTENER_HEADER_MAX	(32 * 1024)
/*
 * libmicrohttpd's memory for one connection: the request target and the
 * headers at their limits and its own bookkeeping, so that the limits
 * above, not a full pool, answer an oversized request.
 */
#define LISTENER_MEMORY_MAX	(64 * 1024)
#define LISTENER_POST_BUFFER	4096	/* libmicrohttpd's form decoder: its
					   own pieces, not a limit */

struct listener;

/*
 * Opens a database connection per thread and starts listening on
 * [listener] address:port.  web must outlive the listener.  Returns the
 * listener, or NULL with ERR_RUNTIME (port taken, address not local...).
 */
struct listener *listener_start(const struct config *, struct web *,
	    struct err *);
/* The port listened on (the one chosen when the config says 0). */
unsigned listener_port(const struct listener *);
/* Stops taking connections, lets running requests end, frees it all. */
void	 listener_stop(struct listener *);

#endif
