/*
 * web.h: what the listener answers (SPEC §5), without HTTP plumbing.
 * listener.c turns a libmicrohttpd request into a web_request and the
 * web_response back into an answer; everything decided in between is
 * here, so it can be tested and fuzzed without a socket.
 *
 * GET and HEAD never change anything (mail scanners open every link);
 * POST /verify is the one request that moves a tenant, through
 * workflow_fire, so a repeated or concurrent POST changes nothing more.
 */
#ifndef MSCAGENT_WEB_H
#define MSCAGENT_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "compose.h"
#include "store.h"

#define WEB_BODY_MAX		(16 * 1024)	/* bytes of a request body: the
						   form holds a token and a
						   plan id */
#define WEB_PARAM_MAX		TOKEN_MAX_LEN	/* bytes of one parameter:
						   the longest is the token */
#define WEB_STATUS_MAX		600

struct web {
	const struct compose_ctx *mail;		/* config, keys, templates */
	/* Called after a transition queued mail, to deliver it now. */
	void			(*queued)(void *arg);
	void			 *queued_arg;
	/* Answers by status code, for /metrics; updated atomically. */
	uint64_t		  answers[WEB_STATUS_MAX];
	/* Moves when the templates or keys are read again, so that an
	 * answer kept from before (page_cache.h) is not used. */
	unsigned		  epoch;
};

struct web_request {
	const char	*method;	/* "GET", "HEAD", "POST", ... */
	const char	*path;
	const char	*token;		/* query (GET) or form (POST); NULL:
					   absent */
	const char	*plan;		/* form; NULL: absent */
	const char	*accept_language; /* the header; NULL: absent */
	int		 malformed;	/* a parameter was repeated, cut by a
					   NUL or over WEB_PARAM_MAX */
};

struct web_response {
	unsigned	 status;
	const char	*type;		/* Content-Type */
	char		*body;
	size_t		 len;
	char		*location;	/* 303 */
	const char	*allow;		/* 405 */
	const char	*cache;		/* Cache-Control; NULL: no-store */
	/* A GET's answer may be given again until then, as long as
	 * nothing changes (page_cache.h); 0: it may not. */
	int64_t		 keep_until;
};

/* How long a browser may keep the logo: it changes with a restart. */
#define WEB_LOGO_CACHE	"public, max-age=86400"

/* Answers one request at time now; *res is always filled (free with
 * web_response_clear), a failure being a 500 page. */
void	 web_handle(struct web *, struct store *, const struct web_request *,
	    int64_t now, struct web_response *res);
void	 web_response_clear(struct web_response *);

/* The epoch kept answers must match; web_forget moves it (SIGHUP). */
unsigned web_epoch(struct web *);
void	 web_forget(struct web *);

/* Counts one answer sent (also those the listener makes itself). */
void	 web_count(struct web *, unsigned status);

/* 1 when the request is a POST /verify, which needs a form body. */
int	 web_wants_form(const char *method, const char *path);

#endif
