/*
 * listener.h: the HTTP listener of SPEC §5 on libmicrohttpd.  Only the
 * plumbing lives here — sockets, limits, headers, form decoding; what
 * each request gets is decided by web.c.
 *
 * Limits, so that a flood or a slow client cannot stop the agent:
 * [listener] max_connections in all, half of them from one client (the
 * peer, or behind a trusted proxy the client X-Forwarded-For names),
 * LISTENER_IDLE_SECONDS of silence, LISTENER_URI_MAX bytes of request
 * target (else 414), LISTENER_HEADER_MAX bytes of header fields (else
 * 431), WEB_BODY_MAX bytes of body (else 413), WEB_PARAM_MAX bytes of a
 * parameter (else the request is malformed: 403).
 */
#ifndef MSCAGENT_LISTENER_H
#define MSCAGENT_LISTENER_H

#include <pthread.h>

#include <microhttpd.h>

#include "config.h"
#include "proxy.h"
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
/* Files the agent holds besides the listeners' connections: database
 * connections, the log, the listening and event sockets, the mail
 * transports, key and template files being read. */
#define LISTENER_FILES_OTHER	64
#define LISTENER_POST_BUFFER	4096	/* libmicrohttpd's form decoder: its
					   own pieces, not a limit */

struct listener;

/*
 * The plumbing the listeners share: the public one here, the console's
 * in console_listener.c.  Each has its own address, port, handlers and
 * database connections; the limits above and the security headers are
 * the same for both.
 */
struct listener_site {
	const char			*section;	/* "listener", "console":
							   its log lines and
							   errors */
	const char			*address;	/* an IP address */
	int				 port;		/* 0: any free one */
	int				 max_connections;
	MHD_AccessHandlerCallback	 answer;
	void				*(*request_line)(void *cls,
					    const char *uri,
					    struct MHD_Connection *);
	MHD_RequestCompletedCallback	 completed;
	/* Both NULL: libmicrohttpd limits connections per peer address.
	 * Else the site counts its clients itself (behind a proxy, every
	 * peer is the proxy): accept refuses a peer, notify hears of each
	 * connection opened and closed. */
	MHD_AcceptPolicyCallback	 accept;
	MHD_NotifyConnectionCallback	 notify;
	void				*cls;		/* the callbacks'
							   argument */
};

/* Connections one client may hold: half of max_connections. */
unsigned listener_per_client(int max_connections);
/*
 * The connections a listener may serve at once: max_connections, or
 * fewer when the open-file limit cannot hold them with the agent's
 * other files (raised to the hard limit first; lowered with a warning
 * naming section).  share: how many listeners divide the limit.
 */
int	 listener_connections(const char *section, int max_connections,
	    int share);

/* Starts libmicrohttpd for site with the limits above; NULL with
 * ERR_RUNTIME (the address is not one, or the port is taken). */
struct MHD_Daemon *listener_daemon(const struct listener_site *,
	    struct err *);
/* The port d listens on (see the port trap in the notes: port is what
 * the config asked for). */
unsigned listener_daemon_port(struct MHD_Daemon *d, int port);
/* 414 for a request target over LISTENER_URI_MAX (uri_len as sent),
 * 431 for header fields over LISTENER_HEADER_MAX, else 0. */
unsigned listener_check_request(struct MHD_Connection *, size_t uri_len);
/*
 * The client of conn into out (proxy.h): the peer's address, or the
 * one X-Forwarded-For names when the peer is in trusted.  Several
 * X-Forwarded-For fields count as one, joined in order (RFC 9110).
 */
void	 listener_client_address(struct MHD_Connection *,
	    const struct strvec *trusted, char out[PROXY_ADDRESS_MAX]);
/*
 * Queues an answer: body (copied), its type, the security headers of
 * SPEC §5 but Referrer-Policy, which each listener gives among the extra
 * (name, value) headers, those whose value is not NULL.  An extra
 * header named like a security header replaces it (Cache-Control).
 * MHD_NO when a value holds CR or LF, or MHD cannot queue it.
 */
enum MHD_Result listener_queue(struct MHD_Connection *, unsigned status,
	    const char *type, const char *body, size_t len,
	    const char *const extra[][2], size_t nextra);

struct page_cache;

/* Database connections, one per request in flight: each thread of
 * libmicrohttpd's pool takes one for a request, never sharing it, and
 * with it the answers kept from that connection (page_cache.h). */
struct listener_pool {
	pthread_mutex_t		 lock;
	pthread_cond_t		 freed;
	struct store		*st[LISTENER_THREADS];
	struct page_cache	*kept[LISTENER_THREADS];
	int			 busy[LISTENER_THREADS];
};

int	 listener_pool_open(struct listener_pool *, const char *path,
	    struct err *);
void	 listener_pool_close(struct listener_pool *);
/* A free connection's slot (waits for one); give it back when done. */
size_t	 listener_pool_take(struct listener_pool *);
void	 listener_pool_give(struct listener_pool *, size_t i);

/*
 * What every listener is made of: its daemon, its connections, the port
 * it got, and the flag that turns requests away while it stops.
 */
struct listener_core {
	struct MHD_Daemon	*daemon;
	struct listener_pool	 pool;
	unsigned		 port;
	int			 stopping;
};

/* Opens the connections to database, then listens for site; 0, or -1
 * with ERR_RUNTIME and nothing left open. */
int	 listener_core_open(struct listener_core *,
	    const struct listener_site *, const char *database, struct err *);
/* 1 once listener_core_close has begun: a new request is refused. */
int	 listener_core_stopping(struct listener_core *);
/* Stops taking connections, lets running requests end, closes the
 * connections. */
void	 listener_core_close(struct listener_core *);

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
