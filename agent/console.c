/* console.c: the operator console's routes, and the guards before them. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "console_impl.h"
#include "date.h"
#include "log.h"

/*
 * need says who may: ROLE_VIEWER and up need a session (and an account
 * with its password changed and, when required, a second factor);
 * NEED_NOBODY is the sign-in page.  A POST needs need_post.
 */
#define NEED_NOBODY	(-1)

struct route {
	const char	*path;		/* "#" stands for a number */
	int		 need_get;
	int		 need_post;
	int		(*get)(struct console_call *);
	int		(*post)(struct console_call *);
	const char	*action;	/* POST /tenants/ID/ACTION */
	int		 while_enrolling; /* open before the account is set */
};

#define VIEW(p, h)	{ p, ROLE_VIEWER, 0, h, NULL, NULL, 0 }
#define ACT(a)		{ "/tenants/#/" a, 0, ROLE_OPERATOR, NULL, NULL, a, 0 }

static const struct route routes[] = {
	{ "/login", NEED_NOBODY, NEED_NOBODY, console_login_get,
	    console_login_post, NULL, 1 },
	{ "/logout", 0, ROLE_VIEWER, NULL, console_logout_post, NULL, 1 },
	{ "/account", ROLE_VIEWER, ROLE_VIEWER, console_account_get,
	    console_account_post, NULL, 1 },
	{ "/users", ROLE_ADMIN, ROLE_ADMIN, console_users_get,
	    console_users_post, NULL, 0 },
	VIEW("/", console_dashboard_get),
	VIEW("/tenants", console_tenants_get),
	VIEW("/tenants.csv", console_tenants_csv_get),
	VIEW("/tenants/#", console_tenant_get),
	VIEW("/tenants/#/mails/#/raw", console_mail_raw_get),
	VIEW("/outbox", console_outbox_get),
	VIEW("/inbox", console_inbox_get),
	VIEW("/plans", console_plans_get),
	VIEW("/audit", console_audit_get),
	VIEW("/audit.csv", console_audit_csv_get),
	{ "/tenants/bulk", 0, ROLE_OPERATOR, NULL, console_bulk_post, NULL,
	    0 },
	{ "/import", ROLE_OPERATOR, ROLE_OPERATOR, console_import_get,
	    console_import_post, NULL, 0 },
	ACT("start"),
	ACT("retrigger"),
	ACT("finalize"),
	ACT("cancel"),
	ACT("approve"),
	ACT("reject"),
	ACT("verify"),
	ACT("resend"),
};

/* ---- matching a path ---- */

/* Reads a number of 1 to 18 digits, not starting with 0, at *s. */
static int
read_id(const char **s, int64_t *id)
{
	const char *p = *s;
	int64_t v = 0;
	int n = 0;

	if (*p == '0')
		return -1;
	while (*p >= '0' && *p <= '9' && n < 18) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || (*p >= '0' && *p <= '9'))
		return -1;
	*s = p;
	*id = v;
	return 0;
}

static int
match(const char *pattern, const char *path, int64_t ids[2])
{
	size_t n = 0;

	while (*pattern != '\0') {
		if (*pattern == '#') {
			if (n == 2 || read_id(&path, &ids[n]) == -1)
				return 0;
			n++;
			pattern++;
		} else if (*pattern++ != *path++)
			return 0;
	}
	return *path == '\0';
}

static const struct route *
find_route(const char *path, int64_t ids[2])
{
	size_t i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (match(routes[i].path, path, ids))
			return &routes[i];
	return NULL;
}

/* ---- what every handler uses ---- */

const char *
console_param(const struct console_call *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->req->nparams; i++)
		if (strcmp(c->req->params[i].name, name) == 0)
			return c->req->params[i].value;
	return NULL;
}

int64_t
console_parse_id(const char *s)
{
	int64_t id;

	if (s == NULL || read_id(&s, &id) == -1 || *s != '\0')
		return 0;
	return id;
}

int64_t
console_param_id(const struct console_call *c, const char *name)
{
	return console_parse_id(console_param(c, name));
}

int
console_param_search(const struct console_call *c, const char **q)
{
	*q = console_param(c, "q");
	if (*q != NULL && strlen(*q) > CONSOLE_SEARCH_MAX) {
		*q = NULL;
		return -1;
	}
	return 0;
}

int
console_param_yes(const struct console_call *c, const char *name)
{
	const char *s = console_param(c, name);

	return s != NULL && strcmp(s, "yes") == 0;
}

char *
console_actor(const struct console_call *c)
{
	return xasprintf("console:%s", c->user.name ? c->user.name : "");
}

struct tmpl_vars *
console_vars(const struct console_call *c)
{
	struct tmpl_vars *v = tmpl_vars_new();
	int signed_in = c->user.id > 0;

	/* The operators' pages are in English, whatever the customers'
	 * mails are in: their words are no catalog's. */
	tmpl_vars_set_language(v, "en");
	tmpl_vars_set(v, "user", signed_in ? c->user.name : "");
	tmpl_vars_set(v, "role", signed_in ? user_role_name(c->user.role) :
	    "");
	tmpl_vars_set(v, "csrf", c->csrf ? c->csrf : "");
	tmpl_vars_set(v, "is_operator", signed_in &&
	    c->user.role >= ROLE_OPERATOR ? "yes" : "");
	tmpl_vars_set(v, "is_admin", signed_in &&
	    c->user.role >= ROLE_ADMIN ? "yes" : "");
	return v;
}

void
console_set_time(struct tmpl_vars *v, const char *name, int64_t t)
{
	char shown[TIMESTAMP_SHOWN_LEN];

	tmpl_vars_set(v, name, t > 0 ? timestamp_shown((time_t)t, shown) : "");
}

void
console_body(struct console_call *c, unsigned status, const char *type,
    char *body, size_t len)
{
	free(c->res->body);
	c->res->status = status;
	c->res->type = type;
	c->res->body = body;
	c->res->len = len;
}

int
console_page(struct console_call *c, unsigned status, const char *name,
    struct tmpl_vars *v)
{
	char *html;
	size_t len;
	int rc;

	rc = tmpl_render_page(c->con->mail->templates, name, v, &html, &len,
	    &c->err);
	tmpl_vars_free(v);
	if (rc == -1)
		return -1;
	console_body(c, status, CONSOLE_HTML, html, len);
	return 0;
}

void
console_message(struct console_call *c, unsigned status, const char *title,
    const char *text)
{
	struct tmpl_vars *v = console_vars(c);
	char *s;

	tmpl_vars_set(v, "title", title);
	tmpl_vars_set(v, "text", text);
	if (console_page(c, status, "console_message", v) == 0)
		return;
	/* No template to say it with: plain text still says it. */
	s = xasprintf("%s\n%s\n", title, text);
	console_body(c, status, CONSOLE_TEXT, s, strlen(s));
}

void
console_redirect(struct console_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(c->res->location);
	c->res->location = xvasprintf(fmt, ap);
	va_end(ap);
	console_body(c, 303, CONSOLE_TEXT, xstrdup(""), 0);
}

int
console_audit(struct console_call *c, const char *action, const char *target,
    const char *outcome, const char *detail)
{
	struct audit_note note = {
		.at = c->now,
		.user = c->user.id > 0 ? c->user.name : "",
		.address = c->req->client,
		.action = action,
		.target = target,
		.outcome = outcome,
		.detail = detail,
	};

	return store_audit_add(c->st, &note, &c->err);
}

/* The answer stands without its audit row: the action happened (or was
 * refused) either way, and saying so matters more than the row. */
void
console_audit_logged(struct console_call *c, const char *action,
    const char *target, const char *outcome, const char *detail)
{
	struct err saved = c->err;

	if (console_audit(c, action, target, outcome, detail) == -1)
		log_error("console", "audit of %s %s: %s", action,
		    target ? target : "", c->err.msg);
	c->err = saved;
}

/* ---- the guards ---- */

static int
is_get(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Signed in, but the password is still the one-time one, or a second
 * factor is required and not enrolled: only the account page opens. */
static int
enrolling(const struct console_call *c)
{
	return c->user.must_change_password ||
	    (c->con->mail->cfg->console_require_totp &&
	    c->user.totp_secret == NULL);
}

/*
 * A form of a signed-in user refused before its handler: the answer,
 * and a row of the audit, as every refused action has one.  0, or -1
 * with c->err.
 */
static int
refuse_post(struct console_call *c, const char *title, const char *text,
    const char *why)
{
	console_message(c, 403, title, text);
	return console_audit(c, "post", c->req->path, "refused", why);
}

/* 1 when c may go on to the handler; 0 when the answer is set; -1 with
 * c->err. */
static int
guard(struct console_call *c, const struct route *r, int need)
{
	int get = is_get(c->req->method);

	if (c->req->malformed) {
		console_message(c, 400, "Bad request", "The request could "
		    "not be read.");
		return 0;
	}
	if (need == NEED_NOBODY)
		return 1;
	if (c->user.id <= 0) {
		if (get)
			console_redirect(c, "/login");
		else
			console_message(c, 403, "Signed out", "Your session "
			    "has ended. Sign in again; nothing was changed.");
		return 0;
	}
	if (!get && !console_post_allowed(c))
		return refuse_post(c, "Refused", "This form was not sent "
		    "from this console's page. Nothing was changed.",
		    "no CSRF token of the session, or another origin");
	if ((int)c->user.role < need) {
		if (!get)
			return refuse_post(c, "Not allowed", "Your role may "
			    "not do this.", user_role_name(c->user.role));
		console_message(c, 403, "Not allowed", "Your role may not do "
		    "this.");
		return 0;
	}
	if (enrolling(c) && !r->while_enrolling) {
		if (get)
			console_redirect(c, "/account");
		else
			console_message(c, 403, "Finish setting up", "Set "
			    "your password and second factor first.");
		return 0;
	}
	return 1;
}

/* The handler for the request's method, or NULL (with *need set). */
static int
pick(const struct route *r, const char *method, int *need,
    int (**handler)(struct console_call *))
{
	if (is_get(method) && r->get != NULL) {
		*need = r->need_get;
		*handler = r->get;
		return 1;
	}
	if (strcmp(method, "POST") == 0 && (r->post != NULL ||
	    r->action != NULL)) {
		*need = r->need_post;
		*handler = r->post;
		return 1;
	}
	return 0;
}

void
console_handle(struct console *con, struct store *st,
    const struct console_request *req, int64_t now,
    struct console_response *res)
{
	struct console_call c;
	const struct route *r;
	int (*handler)(struct console_call *) = NULL;
	int need, rc;

	memset(res, 0, sizeof *res);
	memset(&c, 0, sizeof c);
	c.con = con;
	c.st = st;
	c.req = req;
	c.now = now;
	c.res = res;
	if ((r = find_route(req->path, c.ids)) == NULL) {
		console_message(&c, 404, "Not found", "There is no page here.");
		goto out;
	}
	if (!pick(r, req->method, &need, &handler)) {
		res->allow = r->get == NULL ? "POST" : r->post || r->action ?
		    "GET, HEAD, POST" : "GET, HEAD";
		console_message(&c, 405, "Method not allowed", "This page does "
		    "not take that kind of request.");
		goto out;
	}
	if (need != NEED_NOBODY && console_session_load(&c) == -1)
		goto fail;
	/* The guard's 0 and a handler's 0 both mean answered. */
	if ((rc = guard(&c, r, need)) == 1)
		rc = handler != NULL ? handler(&c) :
		    console_tenant_act_post(&c, r->action);
	if (rc == 0)
		goto out;
fail:
	log_error("console", "%s %s: %s", req->method, req->path, c.err.msg);
	console_message(&c, 500, "Something went wrong", "The console could "
	    "not answer just now. Nothing more was changed; try again.");
out:
	console_call_clear(&c);
}

void
console_response_clear(struct console_response *res)
{
	free(res->body);
	free(res->location);
	free(res->set_cookie);
	free(res->filename);
	memset(res, 0, sizeof *res);
}
