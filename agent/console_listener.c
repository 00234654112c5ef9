/* console_listener.c: libmicrohttpd glue for the operator console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console_listener.h"
#include "listener.h"
#include "log.h"
#include "proxy.h"

/*
 * Not the public listener's no-referrer: with it, a browser sends
 * "Origin: null" with every form, and the console could not tell its
 * own forms from another site's.  The console's URLs hold no secret, and
 * other sites still learn nothing.
 */
#define REFERRER_POLICY	"same-origin"

struct console_listener {
	struct listener_core	 core;
	struct console		*con;
	const struct config	*cfg;
};

/* A field being read: its name and the value so far. */
struct field {
	char		*name;
	struct buf	 value;
};

/* One request, from its request line to its completion. */
struct request {
	size_t			  uri_len;	/* as sent */
	int			  started;
	struct MHD_PostProcessor *pp;
	struct field		 *fields;
	size_t			  nfields;
	struct buf		  upload;
	int			  has_upload;
	int			  malformed;
	int			  not_form;
	size_t			  body_len;
};

/* ---- fields ---- */

/* Appends a piece of a field; a new field when off is 0. */
static void
field_piece(struct request *rq, const char *key, uint64_t off,
    const char *data, size_t size)
{
	struct field *f;

	if (off == 0 || rq->nfields == 0) {
		if (rq->nfields == CONSOLE_PARAMS_MAX) {
			rq->malformed = 1;
			return;
		}
		rq->fields = xrealloc(rq->fields, (rq->nfields + 1) *
		    sizeof *rq->fields);
		f = &rq->fields[rq->nfields++];
		f->name = xstrdup(key);
		memset(&f->value, 0, sizeof f->value);
	}
	f = &rq->fields[rq->nfields - 1];
	if (size > 0 && (memchr(data, '\0', size) != NULL ||
	    f->value.len + size > CONSOLE_PARAM_MAX))
		rq->malformed = 1;
	else if (size > 0)
		buf_append(&f->value, data, size);
}

/* The file of a multipart form: one, of CONSOLE_UPLOAD_MAX at most. */
static void
upload_piece(struct request *rq, uint64_t off, const char *data,
    size_t size)
{
	if (off == 0 && rq->has_upload)
		rq->malformed = 1;
	rq->has_upload = 1;
	if (rq->upload.len + size > CONSOLE_UPLOAD_MAX)
		rq->malformed = 1;
	else if (size > 0)
		buf_append(&rq->upload, data, size);
}

static enum MHD_Result
form_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct request *rq = cls;

	(void)kind, (void)content_type, (void)transfer_encoding;
	if (filename != NULL)
		upload_piece(rq, off, data, size);
	else
		field_piece(rq, key, off, data, size);
	return MHD_YES;
}

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_len, const char *value, size_t value_len)
{
	struct request *rq = cls;

	(void)kind;
	if (strlen(key) != key_len)
		rq->malformed = 1;
	else
		field_piece(rq, key, 0, value ? value : "",
		    value ? value_len : 0);
	return MHD_YES;
}

/* ---- answers ---- */

/* An attachment's name, kept to characters no header can trip on. */
static char *
disposition(const char *filename)
{
	char *safe = xstrdup(filename), *p, *d;

	for (p = safe; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_'))
			*p = '_';
	d = xasprintf("attachment; filename=\"%s\"", safe);
	free(safe);
	return d;
}

static enum MHD_Result
send_answer(struct MHD_Connection *conn, const struct console_response *res)
{
	char *attach = res->filename ? disposition(res->filename) : NULL;
	const char *const extra[][2] = {
		{ "Referrer-Policy", REFERRER_POLICY },
		{ "Location", res->location },
		{ "Set-Cookie", res->set_cookie },
		{ "Allow", res->allow },
		{ "Content-Disposition", attach },
	};
	enum MHD_Result ok;

	ok = listener_queue(conn, res->status, res->type, res->body, res->len,
	    extra, sizeof extra / sizeof *extra);
	free(attach);
	return ok;
}

static enum MHD_Result
send_plain(struct MHD_Connection *conn, unsigned status, const char *text)
{
	static const char *const extra[][2] = {
		{ "Referrer-Policy", REFERRER_POLICY },
	};

	return listener_queue(conn, status, "text/plain; charset=utf-8", text,
	    strlen(text), extra, 1);
}

static enum MHD_Result
respond(struct console_listener *l, struct MHD_Connection *conn,
    const char *method, const char *url, struct request *rq)
{
	struct console_request req = { 0 };
	struct console_response res;
	struct console_param *params;
	char client[PROXY_ADDRESS_MAX];
	enum MHD_Result ok;
	size_t i, slot;

	if (rq->body_len > CONSOLE_BODY_MAX)
		return send_plain(conn, 413, "Request body too large.\n");
	if (rq->not_form)
		return send_plain(conn, 415, "Send a form: "
		    "application/x-www-form-urlencoded or "
		    "multipart/form-data.\n");
	params = xcalloc(rq->nfields + 1, sizeof *params);
	for (i = 0; i < rq->nfields; i++) {
		params[i].name = rq->fields[i].name;
		params[i].value = rq->fields[i].value.data ?
		    rq->fields[i].value.data : "";
		params[i].len = rq->fields[i].value.len;
	}
	listener_client_address(conn, &l->cfg->console_trusted_proxies,
	    client);
	req.method = method;
	req.path = url;
	req.params = params;
	req.nparams = rq->nfields;
	req.upload = rq->has_upload ? (rq->upload.data ? rq->upload.data :
	    "") : NULL;
	req.upload_len = rq->upload.len;
	req.session = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
	    CONSOLE_COOKIE);
	req.origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Origin");
	req.fetch_site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Sec-Fetch-Site");
	req.client = client;
	req.malformed = rq->malformed;
	slot = listener_pool_take(&l->core.pool);
	console_handle(l->con, l->core.pool.st[slot], &req, (int64_t)time(NULL),
	    &res);
	listener_pool_give(&l->core.pool, slot);
	if (res.status >= 500)
		log_error("console", "%s %s answered %u", method, url,
		    res.status);
	ok = send_answer(conn, &res);
	console_response_clear(&res);
	free(params);
	return ok;
}

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
start(struct MHD_Connection *conn, const char *method, struct request *rq)
{
	unsigned refused;

	rq->started = 1;
	if ((refused = listener_check_request(conn, rq->uri_len)) != 0)
		return send_plain(conn, refused, refused == 414 ?
		    "Request URI too long.\n" : "Request headers too large.\n");
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, query_arg,
	    rq);
	if (strcmp(method, "POST") == 0 && (rq->pp =
	    MHD_create_post_processor(conn, LISTENER_POST_BUFFER, form_field,
	    rq)) == NULL)
		rq->not_form = 1;
	return MHD_YES;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct console_listener *l = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (listener_core_stopping(&l->core))
		return MHD_NO;
	if (rq == NULL) {	/* request_line() is always called first */
		rq = xcalloc(1, sizeof *rq);
		*con_cls = rq;
	}
	if (!rq->started)
		return start(conn, method, rq);
	if (*upload_data_size > 0) {
		/* Counted before anything is kept: libmicrohttpd has no
		 * body limit. */
		rq->body_len += *upload_data_size;
		if (rq->body_len <= CONSOLE_BODY_MAX && rq->pp != NULL)
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
	struct request *rq = *con_cls;
	size_t i;

	(void)cls, (void)conn, (void)toe;
	if (rq == NULL)
		return;
	if (rq->pp != NULL)
		MHD_destroy_post_processor(rq->pp);
	for (i = 0; i < rq->nfields; i++) {
		free(rq->fields[i].name);
		/* Passwords pass through here. */
		if (rq->fields[i].value.data != NULL)
			memset(rq->fields[i].value.data, 0,
			    rq->fields[i].value.len);
		buf_clear(&rq->fields[i].value);
	}
	free(rq->fields);
	buf_clear(&rq->upload);
	free(rq);
	*con_cls = NULL;
}

/* ---- starting and stopping ---- */

struct console_listener *
console_listener_start(const struct config *cfg, struct console *con,
    struct err *err)
{
	struct console_listener *l;
	struct listener_site site = {
		.section = "console",
		.address = cfg->console_address,
		.port = cfg->console_port,
		.max_connections = listener_connections("console",
		    cfg->max_connections, 2),
		.answer = answer,
		.request_line = request_line,
		.completed = completed,
	};

	l = xcalloc(1, sizeof *l);
	l->con = con;
	l->cfg = cfg;
	site.cls = l;
	if (listener_core_open(&l->core, &site, cfg->database, err) == -1) {
		free(l);
		return NULL;
	}
	return l;
}

unsigned
console_listener_port(const struct console_listener *l)
{
	return l->core.port;
}

void
console_listener_stop(struct console_listener *l)
{
	if (l == NULL)
		return;
	listener_core_close(&l->core);
	free(l);
}
