/*
 * fuzz_web.c: the listener's input handling (web.c) — what a request's
 * method, path, token and plan make of a real database with one tenant
 * waiting for its MSP admin.  libmicrohttpd has already split and
 * decoded the request by then; everything after is ours.
 *
 * An input is "METHOD PATH\nTOKEN\nPLAN" (missing lines: absent
 * parameters).  "@TOKEN@" in TOKEN stands for the tenant's real link,
 * so mutations of a valid token are reached.  A POST with the real token
 * and the plan's id completes the tenant once; later inputs see the
 * status page.
 */
#include <unistd.h>

#include "fuzz.h"
#include "web.h"
#include "workflow.h"

static struct {
	char		 dir[64];
	char		 db[96];
	struct store	*st;
	struct config	 cfg;
	struct keyring	 keys;
	struct compose_ctx ctx;
	struct web	 web;
	char		*token;
} fx;

static void
fixture_end(void)
{
	char path[128];

	store_close(fx.st);
	tmpl_set_free(fx.ctx.templates);
	config_free(&fx.cfg);
	free(fx.token);
	snprintf(path, sizeof path, "%s-wal", fx.db);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", fx.db);
	unlink(path);
	unlink(fx.db);
	rmdir(fx.dir);
}

static void
fire(int64_t id, enum fsm_event event)
{
	struct workflow_event ev = { .event = event, .actor = "cli" };
	struct workflow_outcome out;
	struct err err;

	fuzz_require(workflow_fire(fx.st, &fx.ctx, id, &ev, FUZZ_NOW, &out,
	    &err) == 0, "the fixture's transitions fire");
	workflow_outcome_clear(&out);
}

static void
fixture(void)
{
	struct tenant t;
	struct plan p = { 0 };
	struct token_info ti;
	struct err err;
	int64_t id;

	snprintf(fx.dir, sizeof fx.dir, "/tmp/fuzz_web.XXXXXX");
	fuzz_require(mkdtemp(fx.dir) != NULL, "a temporary folder");
	snprintf(fx.db, sizeof fx.db, "%s/agent.db", fx.dir);
	fuzz_require(store_open(fx.db, &fx.st, &err) == 0, "the store opens");
	strvec_push(&fx.cfg.support_addresses, "support@msp.example");
	fx.cfg.ttl_days = 30;
	fx.cfg.issuer = xstrdup(FUZZ_ISSUER);
	fx.cfg.from = xstrdup("agent@msp.example");
	fx.cfg.reply_address = xstrdup("agent@msp.example");
	fx.cfg.base_url = xstrdup("https://agent.msp.example");
	fuzz_reply_secret(fx.keys.reply);
	fx.keys.reply_len = 32;
	fuzz_keyring(&fx.keys.tokens);
	fx.ctx.cfg = &fx.cfg;
	fx.ctx.keys = &fx.keys;
	fx.ctx.templates = tmpl_set_new("mailtemplates");
	fx.web.mail = &fx.ctx;
	p.name = xstrdup("Std");
	p.edition = xstrdup("enterprise");
	p.products = WORKLOAD_BIT(WORKLOAD_M365);
	fuzz_require(store_plan_add(fx.st, &p, 0, &id, &err) == 0, "a plan");
	plan_clear(&p);
	tenant_init(&t);
	t.name = xstrdup("<b>Müller</b> & Söhne");
	t.customer_admin = xstrdup(FUZZ_RECIPIENT);
	t.msp_admin = xstrdup("ops@msp.example");
	t.edition = xstrdup("enterprise");
	t.workloads = WORKLOAD_BIT(WORKLOAD_M365);
	fuzz_require(store_tenant_add(fx.st, &t, 0, &id, &err) == 0,
	    "a tenant");
	tenant_clear(&t);
	fire(id, EVENT_START);
	fire(id, EVENT_APPROVE);
	fuzz_require(store_token_get(fx.st, id, &ti, &err) == 0 &&
	    ti.token != NULL, "the tenant has a link");
	fx.token = xstrdup(ti.token);
	store_token_clear(&ti);
	atexit(fixture_end);
}

/* The next line of *s (cut at '\n'), or NULL when none is left. */
static char *
next_line(char **s)
{
	char *line = *s, *nl;

	if (line == NULL)
		return NULL;
	if ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		*s = nl + 1;
	} else
		*s = NULL;
	return line;
}

/* TOKEN with each "@TOKEN@" replaced by the real link; caller frees. */
static char *
expand(const char *token)
{
	struct buf b = { 0 };
	const char *at;

	while ((at = strstr(token, "@TOKEN@")) != NULL) {
		buf_append(&b, token, (size_t)(at - token));
		buf_puts(&b, fx.token);
		token = at + 7;
	}
	buf_puts(&b, token);
	return buf_release(&b);
}

/* What web.h and SPEC §5 promise of every answer. */
static void
check(const struct web_request *req, const struct web_response *res)
{
	fuzz_require(res->status >= 200 && res->status < 600, "a status");
	fuzz_require(res->type != NULL, "a Content-Type");
	fuzz_require(res->status == 204 || res->len > 0, "a body");
	fuzz_require(res->status != 303 || res->location != NULL,
	    "303 has a Location");
	fuzz_require(res->location == NULL ||
	    strpbrk(res->location, "\r\n") == NULL, "no CR/LF in Location");
	fuzz_require(res->status != 405 || res->allow != NULL, "405: Allow");
	if (strcmp(req->method, "GET") == 0 && res->status == 200 &&
	    strcmp(req->path, "/verify") == 0)
		fuzz_require(strstr(res->body, "<b>M") == NULL,
		    "the tenant's name is escaped");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_request req = { 0 };
	struct web_response res;
	char *input, *rest, *line, *sp, *token = NULL;

	if (fx.st == NULL)
		fixture();
	input = fuzz_string(data, size);
	rest = input;
	line = next_line(&rest);
	if ((sp = strchr(line, ' ')) != NULL) {
		*sp = '\0';
		req.path = sp + 1;
	} else
		req.path = "/verify";
	req.method = line;
	if ((line = next_line(&rest)) != NULL)
		req.token = token = expand(line);
	req.plan = next_line(&rest);
	req.malformed = token != NULL && strlen(token) > WEB_PARAM_MAX;
	web_handle(&fx.web, fx.st, &req, FUZZ_NOW + 60, &res);
	check(&req, &res);
	web_response_clear(&res);
	free(token);
	free(input);
	return 0;
}
