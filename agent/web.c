/* web.c: the answers of the listener (SPEC §5). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "access.h"
#include "brand.h"
#include "catalog.h"
#include "fsm.h"
#include "mailauth.h"
#include "log.h"
#include "page.h"
#include "util.h"
#include "view.h"
#include "web.h"
#include "workflow.h"

#define TYPE_HTML	"text/html; charset=utf-8"
#define TYPE_JSON	"application/json"
#define TYPE_METRICS	"text/plain; version=0.0.4; charset=utf-8"

/* One request being answered. */
struct call {
	struct web			*web;
	struct store			*st;
	const struct web_request	*req;
	int64_t				 now;
	struct web_response		*res;
	struct err			 err;
	/* The tenant's language once the link names one, for pages that
	 * do not show the tenant; "": the default. */
	char				 language[LANG_TAG_MAX + 1];
};

static void
set_body(struct web_response *res, unsigned status, const char *type,
    char *body, size_t len)
{
	free(res->body);
	res->status = status;
	res->type = type;
	res->body = body;
	res->len = len;
	res->keep_until = 0;	/* a new answer: its maker says */
}

static void
message(struct call *c, unsigned status, const char *title, const char *text)
{
	struct page p;
	struct err err;

	/* No tenant to go by: the language the browser asks for. */
	if (c->language[0] == '\0' && c->req->accept_language != NULL)
		(void)tmpl_accept_language(c->web->mail->templates,
		    c->req->accept_language, c->language);
	if (page_message(c->web->mail->templates, c->language, title, text,
	    &p, &err) == -1) {
		/* No template to say it with: plain text still says it. */
		char *s = xasprintf("%s\n%s\n", title, text);
		set_body(c->res, status, "text/plain; charset=utf-8", s,
		    strlen(s));
		return;
	}
	set_body(c->res, status, TYPE_HTML, p.html, p.len);
}

static void
server_error(struct call *c)
{
	message(c, 500, N_("Something went wrong"), N_("The migration agent "
	    "could not answer just now. Please try again in a few minutes."));
}

/*
 * A link refused: the person is told what to do (most such links were
 * cut or rewrapped by a mail program), and the log why, for support —
 * never the token, which would let anyone with the log use it.
 */
static void
forbidden(struct call *c, const char *why)
{
	log_info("web", "link refused: %s", why);
	if (c->web->mail->cfg->support_contact != NULL)
		message(c, 403, N_("This link does not work"), N_("The link "
		    "is incomplete or was changed on its way: a mail program "
		    "may have cut it or broken it over two lines. Open the "
		    "complete link from the newest mail about this migration. "
		    "If it still does not work, write to the support contact "
		    "below."));
	else
		message(c, 403, N_("This link does not work"), N_("The link "
		    "is incomplete or was changed on its way: a mail program "
		    "may have cut it or broken it over two lines. Open the "
		    "complete link from the newest mail about this migration. "
		    "If it still does not work, contact your managed-service "
		    "provider."));
}

/* Why a request's link is refused before it is read (no token in it,
 * or its parameters are not ones a link of the agent has). */
static const char *
request_fault(const struct call *c)
{
	if (c->req->malformed)
		return "malformed request (a parameter repeated, cut or "
		    "too long)";
	if (c->req->token == NULL)
		return "no token in the request";
	return NULL;
}

static void
json_answer(struct call *c, unsigned status, json_t *doc)
{
	char *s;

	s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (s == NULL) {
		server_error(c);
		return;
	}
	set_body(c->res, status, TYPE_JSON, s, strlen(s));
}

static int
page_answer(struct call *c, unsigned status, int rc, struct page *p)
{
	if (rc == -1)
		return -1;
	set_body(c->res, status, TYPE_HTML, p->html, p->len);
	return 0;
}

/* ---- the verification page ---- */

/* The plans this tenant may pick (SPEC §1: same edition, every product). */
static int
eligible_plans(struct store *st, const struct tenant *t, struct plan **out,
    size_t *nout, struct err *err)
{
	struct plan *plans;
	size_t n, i;

	if (store_plan_list(st, &plans, &n, err) == -1)
		return -1;
	*nout = 0;
	for (i = 0; i < n; i++) {
		if (!plan_is_eligible(&plans[i], t))
			continue;
		if (*nout != i) {
			plan_clear(&plans[*nout]);
			plans[*nout] = plans[i];
			memset(&plans[i], 0, sizeof plans[i]);
		}
		(*nout)++;
	}
	*out = plans;
	/* The tail holds cleared or moved-from plans: free them now. */
	for (i = *nout; i < n; i++)
		plan_clear(&plans[i]);
	return 0;
}

static int
show_form(struct call *c, const struct access *a, unsigned status,
    const char *msg)
{
	struct page_form f = { 0 };
	struct page p;
	struct plan *plans = NULL;
	size_t n = 0;
	int rc;

	if (eligible_plans(c->st, &a->tenant, &plans, &n, &c->err) == -1)
		return -1;
	f.tenant = &a->tenant;
	f.plans = plans;
	f.nplans = n;
	f.token = c->req->token;
	f.expires_at = a->claims.exp;
	f.message = msg;
	rc = page_form(c->web->mail->templates, &f, &p, &c->err);
	store_plans_free(plans, n);
	return page_answer(c, status, rc, &p);
}

static int
show_status(struct call *c, const struct access *a)
{
	struct page_status s = { 0 };
	struct history_entry *h = NULL;
	struct plan plan;
	struct page p;
	size_t n = 0;
	int rc = -1;

	memset(&plan, 0, sizeof plan);
	if (a->tenant.plan_id > 0 &&
	    store_plan_get(c->st, a->tenant.plan_id, &plan, &c->err) == -1)
		goto out;
	if (store_history_list(c->st, a->tenant.id, &h, &n, &c->err) == -1)
		goto out;
	s.tenant = &a->tenant;
	s.plan = plan.name;
	s.history = h;
	s.nhistory = n;
	rc = page_answer(c, 200, page_status(c->web->mail->templates, &s, &p,
	    &c->err), &p);
out:
	store_history_free(h, n);
	plan_clear(&plan);
	return rc;
}

static int
show_gone(struct call *c, const struct access *a)
{
	const struct strvec *support = &c->web->mail->cfg->support_addresses;
	struct page p;

	if (page_answer(c, 410, page_gone(c->web->mail->templates, a,
	    support->n ? support->v[0] : "", &p, &c->err), &p) == -1)
		return -1;
	/* Gone stays gone until the database says otherwise. */
	c->res->keep_until = INT64_MAX;
	return 0;
}

/* Checks the link; 1 when a->status says what to show, 0 when the
 * answer (403) is already made, -1 for the database. */
static int
check_link(struct call *c, struct access *a)
{
	const char *fault = request_fault(c);

	if (fault != NULL) {
		forbidden(c, fault);
		return 0;
	}
	if (access_check(c->st, &c->web->mail->keys->tokens,
	    c->web->mail->cfg->issuer, c->req->token, c->now, a,
	    &c->err) == -1)
		return -1;
	if (a->status == ACCESS_INVALID) {
		forbidden(c, c->err.msg);
		err_clear(&c->err);
		return 0;
	}
	(void)snprintf(c->language, sizeof c->language, "%s",
	    a->tenant.language ? a->tenant.language : "");
	return 1;
}

static int
verify_get(struct call *c)
{
	struct access a;
	int rc;

	if ((rc = check_link(c, &a)) <= 0)
		return rc;
	if (a.status != ACCESS_OK)
		rc = show_gone(c, &a);
	else if (a.tenant.state == STATE_AWAITING_VERIFICATION)
		rc = show_form(c, &a, 200, NULL);
	else
		rc = show_status(c, &a);
	/* A live link's page holds until the link expires. */
	if (rc == 0 && a.status == ACCESS_OK)
		c->res->keep_until = a.claims.exp;
	access_clear(&a);
	return rc;
}

static void
see_page(struct call *c)
{
	/* Only a token that passed token_verify gets here: base64url and
	 * dots, nothing that needs escaping in a URL. */
	free(c->res->location);
	c->res->location = xasprintf("%s/verify?token=%s",
	    c->web->mail->cfg->base_url, c->req->token);
	message(c, 303, N_("Confirmed"), N_("Your choice is recorded."));
}

static int
all_digits(const char *s)
{
	if (*s == '\0' || strlen(s) > 18)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
confirm(struct call *c, const struct access *a)
{
	struct workflow_event ev = { 0 };
	struct workflow_outcome out;
	const char *plan = c->req->plan;

	if (plan == NULL || !all_digits(plan))
		return show_form(c, a, 422, N_("Pick one of the service plans "
		    "below, then confirm."));
	ev.event = EVENT_VERIFY;
	ev.actor = "web";
	ev.plan = plan;
	if (workflow_fire(c->st, c->web->mail, a->tenant.id, &ev, c->now,
	    &out, &c->err) == 0) {
		workflow_outcome_clear(&out);
		if (c->web->queued != NULL)
			c->web->queued(c->web->queued_arg);
		see_page(c);
		return 0;
	}
	if (c->err.kind == ERR_STATE) {		/* a second click, or two */
		see_page(c);
		return 0;
	}
	if (c->err.kind == ERR_INPUT)
		return show_form(c, a, 422, N_("That plan cannot be chosen "
		    "for this customer. Pick one of the plans below."));
	return -1;
}

static int
verify_post(struct call *c)
{
	struct access a;
	int rc;

	if ((rc = check_link(c, &a)) <= 0)
		return rc;
	if (a.status != ACCESS_OK)
		rc = show_gone(c, &a);
	else if (a.tenant.state != STATE_AWAITING_VERIFICATION) {
		see_page(c);		/* already confirmed: show the status */
		rc = 0;
	} else
		rc = confirm(c, &a);
	access_clear(&a);
	return rc;
}

/* ---- the API ---- */

static json_t *
details_json(const struct tenant *t, const struct plan *plans, size_t n)
{
	static const char *const keep[] = { "id", "name", "edition",
	    "workloads", "licenses", "state", "restricted", "language" };
	struct tenant_extra extra = { 0 };
	json_t *full, *tenant, *list;
	size_t i;

	full = view_tenant_json(t, &extra);
	tenant = json_object();
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		json_object_set(tenant, keep[i], json_object_get(full, keep[i]));
	json_decref(full);
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, view_plan_json(&plans[i]));
	return json_pack("{s:o, s:o}", "tenant", tenant, "eligible_plans",
	    list);
}

static int
get_details(struct call *c)
{
	struct access a;
	struct plan *plans = NULL;
	size_t n = 0;
	const char *fault = request_fault(c);
	int rc;

	if (fault != NULL) {
		log_info("web", "link refused: %s", fault);
		json_answer(c, 403, json_pack("{s:s}", "error", "forbidden"));
		return 0;
	}
	if (access_check(c->st, &c->web->mail->keys->tokens,
	    c->web->mail->cfg->issuer, c->req->token, c->now, &a,
	    &c->err) == -1)
		return -1;
	rc = 0;
	if (a.status == ACCESS_INVALID) {
		log_info("web", "link refused: %s", c->err.msg);
		err_clear(&c->err);
		json_answer(c, 403, json_pack("{s:s}", "error", "forbidden"));
	} else if (a.status != ACCESS_OK) {
		json_answer(c, 410, json_pack("{s:s}", "error",
		    access_status_name(a.status)));
		c->res->keep_until = c->res->status == 410 ? INT64_MAX : 0;
	} else if ((rc = eligible_plans(c->st, &a.tenant, &plans, &n,
	    &c->err)) == 0) {
		json_answer(c, 200, details_json(&a.tenant, plans, n));
		c->res->keep_until = c->res->status == 200 ? a.claims.exp : 0;
	}
	store_plans_free(plans, n);
	access_clear(&a);
	return rc;
}

static int
healthz(struct call *c)
{
	int up = store_ping(c->st);

	json_answer(c, up ? 200 : 503, json_pack("{s:s}", "status",
	    up ? "ok" : "unavailable"));
	return 0;
}

/* Browsers ask for it on every page; there is none, and no error. */
static int
favicon(struct call *c)
{
	set_body(c->res, 204, "image/x-icon", NULL, 0);
	return 0;
}

/*
 * [branding] logo_file, read with the config: pages show it from here
 * (a mail carries its own copy).  It changes only with a restart, so a
 * browser may keep it for a day; without a logo there is no page here.
 */
static int
logo(struct call *c)
{
	const struct config *cfg = c->web->mail->cfg;
	char *body;

	if (cfg->logo == NULL) {
		message(c, 404, N_("Not found"), N_("There is no page here."));
		return 0;
	}
	body = xmalloc(cfg->logo_len);
	memcpy(body, cfg->logo, cfg->logo_len);
	set_body(c->res, 200, "image/png", body, cfg->logo_len);
	c->res->cache = WEB_LOGO_CACHE;
	return 0;
}

/* ---- metrics ---- */

/* A label value in Prometheus' text format: \, " and newline escaped. */
static void
label(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_append(b, v, 1);
	}
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(struct buf *b, const char *name, const char *key, const char *value,
    uint64_t n)
{
	buf_printf(b, "%s{%s=\"", name, key);
	label(b, value);
	buf_printf(b, "\"} %llu\n", (unsigned long long)n);
}

static int
tally(struct call *c, struct buf *b, enum store_tally what,
    const char *name, const char *key, const char *const *known, size_t nk)
{
	struct store_count *counts;
	size_t n, i, j;
	uint64_t v;

	if (store_tally(c->st, what, &counts, &n, &c->err) == -1)
		return -1;
	/* Known values first, zero included, so a series never vanishes. */
	for (i = 0; i < nk; i++) {
		for (v = 0, j = 0; j < n; j++)
			if (strcmp(counts[j].key, known[i]) == 0)
				v = (uint64_t)counts[j].n;
		sample(b, name, key, known[i], v);
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < nk && strcmp(counts[j].key, known[i]) != 0; i++)
			;
		if (i == nk)
			sample(b, name, key, counts[j].key,
			    (uint64_t)counts[j].n);
	}
	store_counts_free(counts, n);
	return 0;
}

/* Each OAuth2 account's state: 1 for the one it is in, 0 for the rest. */
static int
auth_states(struct call *c, struct buf *b)
{
	static const char *const states[] = {
		"ok", "needs_login", "needs_reauth", "error",
	};
	const struct config *cfg = c->web->mail->cfg;
	struct mail_auth_row row;
	const char *name;
	size_t i;
	int a;

	family(b, "mscagent_mailbox_auth", "gauge", "Mail accounts signed in "
	    "with OAuth2, by state.");
	for (a = MAILAUTH_INBOUND; a <= MAILAUTH_OUTBOUND; a++) {
		if (mailauth_settings(cfg, a)->auth != AUTH_OAUTH2)
			continue;
		if (mailauth_status(c->st, cfg, a, &row, &c->err) == -1)
			return -1;
		name = mailauth_account_name(a);
		for (i = 0; i < sizeof states / sizeof states[0]; i++)
			buf_printf(b, "mscagent_mailbox_auth{account=\"%s\","
			    "state=\"%s\"} %d\n", name, states[i],
			    strcmp(row.state, states[i]) == 0);
		store_auth_clear(&row);
	}
	return 0;
}

static int
metrics(struct call *c)
{
	/* In the order the series have always been shown: by name. */
	const char *const statuses[] = {
		outcome_mail_name(MAIL_STATUS_FAILED),
		outcome_mail_name(MAIL_STATUS_QUEUED),
		outcome_mail_name(MAIL_STATUS_SENT),
	};
	const char *states[STATE_COUNT];
	struct buf b = { 0 };
	char code[16];
	uint64_t n;
	int i, rc = -1;

	for (i = 0; i < STATE_COUNT; i++)
		states[i] = fsm_state_name(i);
	if (store_begin_read(c->st, &c->err) == -1)
		return -1;
	family(&b, "mscagent_tenants", "gauge", "Tenants by state.");
	if (tally(c, &b, TALLY_TENANT_STATE, "mscagent_tenants", "state",
	    states, STATE_COUNT) == -1)
		goto out;
	family(&b, "mscagent_mails", "gauge", "Mails in the outbox by status.");
	if (tally(c, &b, TALLY_MAIL_STATUS, "mscagent_mails", "status",
	    statuses, sizeof statuses / sizeof statuses[0]) == -1)
		goto out;
	family(&b, "mscagent_replies_total", "counter",
	    "Inbound messages read, by outcome.");
	if (tally(c, &b, TALLY_REPLY_OUTCOME, "mscagent_replies_total",
	    "outcome", NULL, 0) == -1)
		goto out;
	if (auth_states(c, &b) == -1)
		goto out;
	family(&b, "mscagent_http_requests_total", "counter",
	    "HTTP requests answered, by status code.");
	for (i = 100; i < WEB_STATUS_MAX; i++) {
		n = __atomic_load_n(&c->web->answers[i], __ATOMIC_RELAXED);
		if (n == 0)
			continue;
		snprintf(code, sizeof code, "%d", i);
		sample(&b, "mscagent_http_requests_total", "code", code, n);
	}
	n = b.len;
	set_body(c->res, 200, TYPE_METRICS, buf_release(&b), n);
	rc = 0;
out:
	store_rollback(c->st);
	buf_clear(&b);
	return rc;
}

/* ---- routing ---- */

struct route {
	const char	*path;
	const char	*allow;
	int		(*get)(struct call *);
	int		(*post)(struct call *);
};

static const struct route routes[] = {
	{ "/verify", "GET, HEAD, POST", verify_get, verify_post },
	{ "/api/getDetails", "GET, HEAD", get_details, NULL },
	{ "/healthz", "GET, HEAD", healthz, NULL },
	{ "/metrics", "GET, HEAD", metrics, NULL },
	{ "/favicon.ico", "GET, HEAD", favicon, NULL },
	{ BRAND_LOGO_PATH, "GET, HEAD", logo, NULL },
};

static const struct route *
find_route(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(routes[i].path, path) == 0)
			return &routes[i];
	return NULL;
}

int
web_wants_form(const char *method, const char *path)
{
	return strcmp(method, "POST") == 0 && strcmp(path, "/verify") == 0;
}

void
web_handle(struct web *web, struct store *st, const struct web_request *req,
    int64_t now, struct web_response *res)
{
	struct call c = { .web = web, .st = st, .req = req, .now = now,
	    .res = res };
	const struct route *r;
	int (*handler)(struct call *) = NULL;

	memset(res, 0, sizeof *res);
	if ((r = find_route(req->path)) == NULL) {
		message(&c, 404, N_("Not found"), N_("There is no page here."));
		return;
	}
	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		handler = r->get;
	else if (strcmp(req->method, "POST") == 0)
		handler = r->post;
	if (handler == NULL) {
		res->allow = r->allow;
		message(&c, 405, N_("Method not allowed"), N_("This page does "
		    "not take that kind of request."));
		return;
	}
	if (handler(&c) == -1)
		server_error(&c);
}

void
web_response_clear(struct web_response *res)
{
	free(res->body);
	free(res->location);
	memset(res, 0, sizeof *res);
}

unsigned
web_epoch(struct web *web)
{
	return __atomic_load_n(&web->epoch, __ATOMIC_RELAXED);
}

void
web_forget(struct web *web)
{
	__atomic_fetch_add(&web->epoch, 1, __ATOMIC_RELAXED);
}

void
web_count(struct web *web, unsigned status)
{
	if (status < WEB_STATUS_MAX)
		__atomic_fetch_add(&web->answers[status], 1, __ATOMIC_RELAXED);
}
