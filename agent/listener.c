/* listener.c: libmicrohttpd glue for web.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "listener.h"
#include "log.h"
#include "page_cache.h"
#include "tally.h"

/* Sent with every answer, errors included (SPEC §5); each listener adds
 * its own Referrer-Policy. */
static const char *const security_headers[][2] = {
	{ "Content-Security-Policy", "default-src 'none'; style-src "
	    "'unsafe-inline'; img-src 'self'; form-action 'self'; "
	    "base-uri 'none'; frame-ancestors 'none'" },
	{ "Cache-Control", "no-store" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
};

struct listener {
	struct listener_core	 core;
	struct web		*web;
	/* Behind trusted proxies: the clients counted here, connections
	 * of the peers that are not proxies, requests in flight of the
	 * clients the proxies name.  NULL without trusted proxies. */
	const struct strvec	*trusted;
	struct tally		*tally;
	unsigned		 per_client;
};

/* A connection's socket context when its peer is counted. */
static int counted_peer;

/* One request, from its request line to its completion. */
struct request {
	size_t			  uri_len;	/* as sent */
	int			  started;	/* answer() has seen it */
	struct MHD_PostProcessor *pp;
	struct buf		  token;
	struct buf		  plan;
	int			  has_token, has_plan;
	int			  malformed;
	int			  not_form;	/* a POST body of another type */
	size_t			  body_len;
	char			  client[PROXY_ADDRESS_MAX];
	int			  counted;	/* client is in the tally */
};

/* ---- the connection pool ---- */

int
listener_pool_open(struct listener_pool *p, const char *path,
    struct err *err)
{
	size_t i;

	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	for (i = 0; i < LISTENER_THREADS; i++) {
		if (store_open(path, &p->st[i], err) == -1)
			return -1;
		p->kept[i] = page_cache_new();
	}
	return 0;
}

void
listener_pool_close(struct listener_pool *p)
{
	size_t i;

	for (i = 0; i < LISTENER_THREADS; i++) {
		store_close(p->st[i]);
		page_cache_free(p->kept[i]);
	}
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
}

size_t
listener_pool_take(struct listener_pool *p)
{
	size_t i;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (i = 0; i < LISTENER_THREADS; i++)
			if (!p->busy[i]) {
				p->busy[i] = 1;
				pthread_mutex_unlock(&p->lock);
				return i;
			}
		pthread_cond_wait(&p->freed, &p->lock);
	}
}

void
listener_pool_give(struct listener_pool *p, size_t i)
{
	pthread_mutex_lock(&p->lock);
	p->busy[i] = 0;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/* ---- parameters ---- */

/* Appends a piece of a parameter's value; a second value of the same
 * name, a NUL or an overlong value makes the request malformed. */
static void
param_piece(struct request *rq, struct buf *b, int *seen, uint64_t off,
    const char *data, size_t size)
{
	if (off == 0 && *seen)
		rq->malformed = 1;
	*seen = 1;
	if (memchr(data, '\0', size) != NULL ||
	    b->len + size > WEB_PARAM_MAX)
		rq->malformed = 1;
	else if (size > 0)
		buf_append(b, data, size);
}

static enum MHD_Result
form_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct request *rq = cls;

	(void)kind, (void)filename, (void)content_type;
	(void)transfer_encoding;
	if (strcmp(key, "token") == 0)
		param_piece(rq, &rq->token, &rq->has_token, off, data, size);
	else if (strcmp(key, "plan") == 0)
		param_piece(rq, &rq->plan, &rq->has_plan, off, data, size);
	return MHD_YES;
}

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_len, const char *value, size_t value_len)
{
	struct request *rq = cls;

	(void)kind;
	if (key_len == 5 && memcmp(key, "token", 5) == 0)
		param_piece(rq, &rq->token, &rq->has_token, 0,
		    value ? value : "", value ? value_len : 0);
	return MHD_YES;
}

/* ---- answers ---- */

/* 1 when extra sets name itself (Cache-Control for the logo, say). */
static int
overridden(const char *name, const char *const extra[][2], size_t nextra)
{
	size_t i;

	for (i = 0; i < nextra; i++)
		if (extra[i][1] != NULL && strcmp(extra[i][0], name) == 0)
			return 1;
	return 0;
}

enum MHD_Result
listener_queue(struct MHD_Connection *conn, unsigned status,
    const char *type, const char *body, size_t len,
    const char *const extra[][2], size_t nextra)
{
	struct MHD_Response *r;
	enum MHD_Result ok;
	size_t i;

	/* Only read, by MHD's copy (MHD_RESPMEM_MUST_COPY): the cast drops
	 * const for its void * parameter, through uintptr_t for -Wcast-qual.
	 * NOLINTNEXTLINE(performance-no-int-to-ptr) */
	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	ok = MHD_add_response_header(r, "Content-Type", type);
	for (i = 0; i < sizeof security_headers / sizeof *security_headers;
	    i++)
		if (!overridden(security_headers[i][0], extra, nextra))
			ok &= MHD_add_response_header(r,
			    security_headers[i][0], security_headers[i][1]);
	/* MHD refuses a value with CR or LF; then nothing is sent. */
	for (i = 0; i < nextra; i++)
		if (extra[i][1] != NULL)
			ok &= MHD_add_response_header(r, extra[i][0],
			    extra[i][1]);
	if (ok == MHD_YES)
		ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
send_answer(struct listener *l, struct MHD_Connection *conn,
    const struct web_response *res)
{
	const char *const extra[][2] = {
		{ "Referrer-Policy", "no-referrer" },	/* the token is in
							   the URL */
		{ "Location", res->location },
		{ "Allow", res->allow },
		{ "Cache-Control", res->cache },
	};
	enum MHD_Result ok;

	ok = listener_queue(conn, res->status, res->type, res->body, res->len,
	    extra, sizeof extra / sizeof *extra);
	if (ok == MHD_YES)
		web_count(l->web, res->status);
	return ok;
}

/* An answer the listener makes without web.c: a short plain text. */
static enum MHD_Result
send_plain(struct listener *l, struct MHD_Connection *conn, unsigned status,
    const char *text)
{
	struct web_response res = { 0 };

	res.status = status;
	res.type = "text/plain; charset=utf-8";
	/* Only read (see listener_queue).
	 * NOLINTNEXTLINE(performance-no-int-to-ptr) */
	res.body = (char *)(uintptr_t)text;
	res.len = strlen(text);
	return send_answer(l, conn, &res);
}

/*
 * The answer kept for a GET with a token on the connection of slot, or
 * NULL; key is filled for keeping the answer to come (its token NULL
 * when the request is not one whose answer is kept).
 */
static const struct web_response *
kept_answer(struct listener *l, size_t slot, const struct web_request *req,
    struct page_cache_key *key)
{
	memset(key, 0, sizeof *key);
	key->now = (int64_t)time(NULL);
	if ((strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) || req->token == NULL ||
	    req->malformed)
		return NULL;
	key->path = req->path;
	key->token = req->token;
	key->version = store_commit_version(l->core.pool.st[slot]);
	key->epoch = web_epoch(l->web);
	return page_cache_get(l->core.pool.kept[slot], key);
}

static enum MHD_Result
respond(struct listener *l, struct MHD_Connection *conn, const char *method,
    const char *url, struct request *rq)
{
	struct web_request req = { 0 };
	const struct web_response *kept;
	struct page_cache_key key;
	struct web_response res;
	enum MHD_Result ok;
	size_t slot;

	if (rq->body_len > WEB_BODY_MAX)
		return send_plain(l, conn, 413, "Request body too large.\n");
	if (rq->not_form)
		return send_plain(l, conn, 415, "Send the form as "
		    "application/x-www-form-urlencoded.\n");
	if (!web_wants_form(method, url))
		MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND,
		    query_arg, rq);
	req.method = method;
	req.path = url;
	req.token = rq->has_token ? (rq->token.data ? rq->token.data : "") :
	    NULL;
	req.plan = rq->has_plan ? (rq->plan.data ? rq->plan.data : "") : NULL;
	req.malformed = rq->malformed;
	req.accept_language = MHD_lookup_connection_value(conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	slot = listener_pool_take(&l->core.pool);
	if ((kept = kept_answer(l, slot, &req, &key)) != NULL) {
		ok = send_answer(l, conn, kept);
		listener_pool_give(&l->core.pool, slot);
		return ok;
	}
	web_handle(l->web, l->core.pool.st[slot], &req, key.now, &res);
	if (key.token != NULL)
		page_cache_put(l->core.pool.kept[slot], &key, &res);
	else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		/* It may have written through this connection, whose
		 * version does not move for its own commits. */
		page_cache_clear(l->core.pool.kept[slot]);
	listener_pool_give(&l->core.pool, slot);
	if (res.status >= 500)
		log_error("listener", "%s %s from %s answered %u", method, url,
		    rq->client, res.status);
	ok = send_answer(l, conn, &res);
	web_response_clear(&res);
	return ok;
}

/* The request line as sent, before libmicrohttpd splits off the query:
 * its length is kept in the request, made here. */
static void *
request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *rq;

	(void)cls, (void)conn;
	rq = xcalloc(1, sizeof *rq);
	rq->uri_len = strlen(uri);
	return rq;
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_len, const char *value, size_t value_len)
{
	size_t *n = cls;

	(void)kind, (void)key, (void)value;
	*n += key_len + value_len + 4;	/* ": " and CRLF */
	return MHD_YES;
}

unsigned
listener_check_request(struct MHD_Connection *conn, size_t uri_len)
{
	size_t headers = 0;

	if (uri_len > LISTENER_URI_MAX)
		return 414;
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, count_header,
	    &headers);
	if (headers > LISTENER_HEADER_MAX)
		return 431;
	return 0;
}

/* The peer's address of conn, in inet_ntop's form ("" when unknown). */
static void
peer_of(const struct sockaddr *sa, char out[PROXY_ADDRESS_MAX])
{
	out[0] = '\0';
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, out, PROXY_ADDRESS_MAX);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, out, PROXY_ADDRESS_MAX);
}

static const struct sockaddr *
peer_sockaddr(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info;

	info = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return info != NULL ? info->client_addr : NULL;
}

/* 1 when conn comes from a trusted proxy: its clients are counted per
 * request, by the address the proxy names. */
static int
proxied(struct listener *l, struct MHD_Connection *conn)
{
	char peer[PROXY_ADDRESS_MAX];

	peer_of(peer_sockaddr(conn), peer);
	return proxy_trusted(l->trusted, peer);
}

static enum MHD_Result
forwarded_field(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_len, const char *value, size_t value_len)
{
	struct buf *b = cls;

	(void)kind;
	if (key_len != 15 || strncasecmp(key, "X-Forwarded-For", 15) != 0)
		return MHD_YES;
	if (b->len > 0)
		buf_puts(b, ",");
	if (value != NULL)
		buf_append(b, value, value_len);
	return MHD_YES;
}

void
listener_client_address(struct MHD_Connection *conn,
    const struct strvec *trusted, char out[PROXY_ADDRESS_MAX])
{
	char peer[PROXY_ADDRESS_MAX];
	struct buf fwd = { 0 };

	peer_of(peer_sockaddr(conn), peer);
	/* The headers are read only when they can be believed. */
	if (trusted != NULL && proxy_trusted(trusted, peer))
		MHD_get_connection_values_n(conn, MHD_HEADER_KIND,
		    forwarded_field, &fwd);
	proxy_client_address(peer, fwd.data, trusted, out);
	buf_clear(&fwd);
}

/* The request line and headers are in: checks them, readies the form. */
static enum MHD_Result
start(struct listener *l, struct MHD_Connection *conn, const char *method,
    const char *url, struct request *rq)
{
	unsigned refused;

	rq->started = 1;
	listener_client_address(conn, l->trusted, rq->client);
	if (l->tally != NULL && proxied(l, conn)) {
		if (!tally_add(l->tally, rq->client, l->per_client)) {
			log_warn("listener", "too many connections from %s",
			    rq->client);
			return send_plain(l, conn, 503, "Too many connections "
			    "from your address.\n");
		}
		rq->counted = 1;
	}
	if ((refused = listener_check_request(conn, rq->uri_len)) == 414)
		return send_plain(l, conn, 414, "Request URI too long.\n");
	if (refused == 431)
		return send_plain(l, conn, 431, "Request headers too large.\n");
	if (web_wants_form(method, url) && (rq->pp =
	    MHD_create_post_processor(conn, LISTENER_POST_BUFFER, form_field,
	    rq)) == NULL)
		rq->not_form = 1;
	return MHD_YES;
}

/* A new connection: a proxy's always (its clients are counted once
 * their requests name them), another peer's while it holds fewer than
 * its share. */
static enum MHD_Result
accept_peer(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct listener *l = cls;
	char peer[PROXY_ADDRESS_MAX];

	(void)len;
	peer_of(sa, peer);
	if (proxy_trusted(l->trusted, peer) ||
	    tally_count(l->tally, peer) < l->per_client)
		return MHD_YES;
	log_warn("listener", "too many connections from %s", peer);
	return MHD_NO;
}

/*
 * Counts a peer that is not a proxy for as long as its connection is
 * open.  Counted here rather than in accept_peer, which may accept a
 * connection libmicrohttpd then fails to open and never reports closed;
 * two threads accepting at once may let a peer one past its share.
 */
static void
notify_connection(void *cls, struct MHD_Connection *conn, void **socket_cls,
    enum MHD_ConnectionNotificationCode toe)
{
	struct listener *l = cls;
	char peer[PROXY_ADDRESS_MAX];

	peer_of(peer_sockaddr(conn), peer);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if (!proxy_trusted(l->trusted, peer) &&
		    tally_add(l->tally, peer, (unsigned)-1))
			*socket_cls = &counted_peer;
	} else if (*socket_cls == &counted_peer) {
		tally_remove(l->tally, peer);
		*socket_cls = NULL;
	}
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct listener *l = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (listener_core_stopping(&l->core))
		return MHD_NO;
	if (rq == NULL) {	/* request_line() is always called first */
		rq = xcalloc(1, sizeof *rq);
		*con_cls = rq;
	}
	if (!rq->started)
		return start(l, conn, method, url, rq);
	if (*upload_data_size > 0) {
		/* Counted before anything is kept: the body limit is ours,
		 * libmicrohttpd has none. */
		rq->body_len += *upload_data_size;
		if (rq->body_len <= WEB_BODY_MAX && rq->pp != NULL)
			MHD_post_process(rq->pp, upload_data,
			    *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return respond(l, conn, method, url, rq);
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct listener *l = cls;
	struct request *rq = *con_cls;

	(void)conn, (void)toe;
	if (rq == NULL)
		return;
	if (rq->counted)
		tally_remove(l->tally, rq->client);
	if (rq->pp != NULL)
		MHD_destroy_post_processor(rq->pp);
	buf_clear(&rq->token);
	buf_clear(&rq->plan);
	free(rq);
	*con_cls = NULL;
}

/* ---- starting and stopping ---- */

static int
local_address(const char *section, const char *address, int port,
    struct sockaddr_storage *ss, socklen_t *len, struct err *err)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof *in4;
		return 0;
	}
	if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof *in6;
		return 0;
	}
	err_set(err, ERR_RUNTIME, "[%s] address %s is not an IP address",
	    section, address);
	return -1;
}

static void mhd_log(void *, const char *, va_list) PRINTF_LIKE(2, 0);

/*
 * While a daemon starts, libmicrohttpd's complaint ("Failed to bind to
 * port 8025: Address already in use") is the cause of the error
 * listener_daemon returns, kept here rather than logged apart before it;
 * the daemon starts on the calling thread, so the buffer is its own.
 */
static __thread char *starting;

#define MHD_LINE_MAX	512

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	const char *component = cls;
	char line[MHD_LINE_MAX];
	size_t len;

	vsnprintf(line, sizeof line, fmt, ap);
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '.'))
		line[--len] = '\0';
	if (starting != NULL) {
		if (*starting == '\0')
			snprintf(starting, MHD_LINE_MAX, "%s", line);
		return;
	}
	log_warn(component, "%s", line);
}

struct MHD_Daemon *
listener_daemon(const struct listener_site *site, struct err *err)
{
	struct MHD_Daemon *d;
	struct sockaddr_storage ss;
	socklen_t sslen;
	unsigned per_address;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	char why[MHD_LINE_MAX] = "";

	if (local_address(site->section, site->address, site->port, &ss,
	    &sslen, err) == -1)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* 0: no limit of libmicrohttpd's, the site counts (accept). */
	per_address = site->accept != NULL ? 0 :
	    listener_per_client(site->max_connections);
	/* NOLINTBEGIN(performance-no-int-to-ptr): MHD takes the section's
	 * name as its logger's closure, only read. */
	starting = why;
	d = MHD_start_daemon(flags, (uint16_t)site->port, site->accept,
	    site->cls, site->answer, site->cls,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
	    (void *)(uintptr_t)site->section,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)LISTENER_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)site->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LISTENER_IDLE_SECONDS,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LISTENER_MEMORY_MAX,
	    MHD_OPTION_URI_LOG_CALLBACK, site->request_line, site->cls,
	    MHD_OPTION_NOTIFY_COMPLETED, site->completed, site->cls,
	    MHD_OPTION_NOTIFY_CONNECTION, site->notify, site->cls,
	    MHD_OPTION_END);
	/* NOLINTEND(performance-no-int-to-ptr) */
	starting = NULL;
	if (d == NULL && strstr(why, "in use") != NULL)
		err_set(err, ERR_RUNTIME, "cannot listen on %s:%d for [%s]: "
		    "the port is taken (another mscagent running? else set "
		    "another [%s] port)", site->address, site->port,
		    site->section, site->section);
	else if (d == NULL)
		err_set(err, ERR_RUNTIME, "cannot listen on %s:%d for [%s]: "
		    "%s", site->address, site->port, site->section,
		    *why != '\0' ? why : "not an address of this host?");
	return d;
}

unsigned
listener_per_client(int max_connections)
{
	return max_connections > 1 ? (unsigned)max_connections / 2 : 1;
}

int
listener_connections(const char *section, int max_connections, int share)
{
	struct rlimit rl;
	rlim_t want;
	int fit;

	want = (rlim_t)max_connections * (rlim_t)share + LISTENER_FILES_OTHER;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return max_connections;
	/* Raising the soft limit up to the hard one needs no privilege. */
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 && getrlimit(RLIMIT_NOFILE,
	    &rl) == -1)
		return max_connections;
	if (rl.rlim_cur >= want)
		return max_connections;
	fit = rl.rlim_cur > LISTENER_FILES_OTHER + (rlim_t)share ?
	    (int)((rl.rlim_cur - LISTENER_FILES_OTHER) / (rlim_t)share) : 1;
	log_warn(section, "max_connections %d lowered to %d: the open-file "
	    "limit is %llu (raise it, e.g. LimitNOFILE= in the unit)",
	    max_connections, fit, (unsigned long long)rl.rlim_cur);
	return fit;
}

unsigned
listener_daemon_port(struct MHD_Daemon *d, int port)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	return info != NULL ? info->port : (unsigned)port;
}

int
listener_core_open(struct listener_core *core,
    const struct listener_site *site, const char *database, struct err *err)
{
	if (listener_pool_open(&core->pool, database, err) == -1)
		return -1;
	if ((core->daemon = listener_daemon(site, err)) == NULL) {
		listener_pool_close(&core->pool);
		return -1;
	}
	core->port = listener_daemon_port(core->daemon, site->port);
	return 0;
}

int
listener_core_stopping(struct listener_core *core)
{
	return __atomic_load_n(&core->stopping, __ATOMIC_ACQUIRE);
}

void
listener_core_close(struct listener_core *core)
{
	__atomic_store_n(&core->stopping, 1, __ATOMIC_RELEASE);
	MHD_stop_daemon(core->daemon);
	listener_pool_close(&core->pool);
}

struct listener *
listener_start(const struct config *cfg, struct web *web, struct err *err)
{
	struct listener *l;
	struct listener_site site = {
		.section = "listener",
		.address = cfg->listen_address,
		.port = cfg->listen_port,
		.answer = answer,
		.request_line = request_line,
		.completed = completed,
	};

	/* The console, when on, has as many of its own. */
	site.max_connections = listener_connections("listener",
	    cfg->max_connections, cfg->console_port > 0 ? 2 : 1);
	l = xcalloc(1, sizeof *l);
	l->web = web;
	l->trusted = &cfg->listen_trusted_proxies;
	l->per_client = listener_per_client(site.max_connections);
	if (cfg->listen_trusted_proxies.n > 0) {
		/* A slot per connection, and one per accepting thread for
		 * the peers counted past their share (notify_connection). */
		l->tally = tally_new((unsigned)site.max_connections +
		    LISTENER_THREADS);
		site.accept = accept_peer;
		site.notify = notify_connection;
	}
	site.cls = l;
	if (listener_core_open(&l->core, &site, cfg->database, err) == -1) {
		tally_free(l->tally);
		free(l);
		return NULL;
	}
	return l;
}

unsigned
listener_port(const struct listener *l)
{
	return l->core.port;
}

void
listener_stop(struct listener *l)
{
	if (l == NULL)
		return;
	listener_core_close(&l->core);
	tally_free(l->tally);
	free(l);
}
