/* compose.c: a workflow mail, from its kind and tenant to MIME bytes. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "brand.h"
#include "catalog.h"
#include "compose.h"
#include "date.h"
#include "mime.h"
#include "replykey.h"

/* The name shown when [agent] from gives none: today's neutral one. */
#define FROM_NAME "MSC migration"

char *
compose_link(const struct config *cfg, const char *token)
{
	return xasprintf("%s/verify?token=%s", cfg->base_url, token);
}

static void
set_licences(struct tmpl_vars *v, const struct tenant *t)
{
	struct tmpl_vars *item;
	int w;

	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)))
			continue;
		item = tmpl_vars_item(v, "licences");
		tmpl_vars_set_msgid(item, "workload", workload_title(w));
		tmpl_vars_set_date(item, "expires", t->expires[w]);
		if (t->after[w] == DATE_NONE)
			tmpl_vars_set(item, "after", "-");
		else
			tmpl_vars_set_date(item, "after", t->after[w]);
	}
}

/* The keyword a clarification asks for when it is not the customer
 * admin's answer (expect_approval): support's, in English as the CLI. */
static const char *
expected_answer(enum tenant_state state)
{
	switch (state) {
	case STATE_TOKEN_EXPIRED:
		return "RETRIGGER";
	case STATE_FINALIZING:
		return "FINALIZE";
	default:
		return NULL;
	}
}

static void
set_kind_vars(struct tmpl_vars *v, const struct compose_input *in,
    const struct config *cfg)
{
	const struct tenant *t = in->tenant;
	char *link;

	if (in->token != NULL && in->token->token != NULL) {
		link = compose_link(cfg, in->token->token);
		tmpl_vars_set(v, "link", link);
		free(link);
		tmpl_vars_set_time(v, "link_expires", in->token->expires_at);
		tmpl_vars_set_date(v, "link_expires_date",
		    date_of_time((time_t)in->token->expires_at));
	}
	tmpl_vars_set(v, "plan", in->plan);
	tmpl_vars_set(v, "expected", expected_answer(t->state));
	tmpl_vars_set(v, "expect_approval",
	    expected_answer(t->state) == NULL ? "yes" : "");
	/* A receipt follows the answer: the state says which it was. */
	if (in->kind == MAIL_APPROVAL_RECEIPT) {
		int approved = t->state != STATE_REJECTED;

		tmpl_vars_set(v, approved ? "approved" : "rejected", "yes");
		tmpl_vars_set_msgid(v, "decision", approved ? N_("APPROVE") :
		    N_("REJECT"));
		/* TRANSLATORS: in "Received: you {decision_word} the move
		 * of {customer}". */
		tmpl_vars_set_msgid(v, "decision_word", approved ?
		    N_("approved") : N_("rejected"));
	}
	if (in->failed != NULL) {
		tmpl_vars_set(v, "failed_kind",
		    fsm_mail_kind_name(in->failed->kind));
		tmpl_vars_set(v, "failed_to", in->failed->recipient);
		tmpl_vars_set(v, "failed_reason", in->failed_reason);
	}
	tmpl_vars_set(v, "reason", in->reason);
	tmpl_vars_set(v, "reply_from", in->reply_from);
	tmpl_vars_set(v, "account", in->account);
	tmpl_vars_set_time(v, "asked_at", t->state_since);
}

/* Support reads the agent's language; everyone else the tenant's. */
static const char *
language_of(const struct compose_input *in, const struct config *cfg)
{
	size_t i;

	if (in->role == ROLE_SUPPORT)
		return NULL;
	for (i = 0; in->role == ROLE_SENDER && i < cfg->support_addresses.n;
	    i++)
		if (addr_equal(cfg->support_addresses.v[i], in->to))
			return NULL;
	return in->tenant->language;
}

static struct tmpl_vars *
make_vars(const struct compose_input *in, const struct config *cfg,
    const char *reply_to)
{
	const struct tenant *t = in->tenant;
	struct tmpl_vars *v;
	char *workloads;

	v = tmpl_vars_new();
	tmpl_vars_set_language(v, language_of(in, cfg));
	tmpl_vars_set(v, "customer", t->name);
	tmpl_vars_setf(v, "tenant_id", "%lld", (long long)t->id);
	/* The words a reply answers with, as the mail asks for them. */
	tmpl_vars_set_msgid(v, "approve_word", N_("APPROVE"));
	tmpl_vars_set_msgid(v, "reject_word", N_("REJECT"));
	tmpl_vars_set(v, "edition", t->edition);
	workloads = workloads_format(t->workloads, ", ");
	tmpl_vars_set(v, "workloads", workloads);
	free(workloads);
	tmpl_vars_set(v, "customer_admin", t->customer_admin);
	tmpl_vars_set(v, "msp_admin", t->msp_admin);
	tmpl_vars_set(v, "state", fsm_state_name(t->state));
	tmpl_vars_set(v, "reply_to", reply_to);
	tmpl_vars_set(v, "support", cfg->support_addresses.n ?
	    cfg->support_addresses.v[0] : "");
	tmpl_vars_set(v, "to_support", in->role == ROLE_SUPPORT ? "yes" : "");
	tmpl_vars_set_time(v, "now", in->now);
	set_licences(v, t);
	set_kind_vars(v, in, cfg);
	return v;
}

/* "KEY.RANDOM@domain-of-from": unguessable, and it carries the key. */
static char *
make_message_id(const struct config *cfg, const char *key)
{
	char random[33];
	const char *at;

	mime_random_hex(random);
	at = strrchr(cfg->from, '@');
	return xasprintf("%s.%s@%s", key, random, at ? at + 1 : "localhost");
}

/* What compose_prepare decided, all owned: the input is not kept. */
struct compose_job {
	const struct compose_ctx *ctx;
	enum mail_kind		 kind;
	struct tmpl_vars	*vars;
	char			*to;
	char			*reply_to;
	char			*message_id;
	char			*subject;
	char			*parent;	/* In-Reply-To, or NULL */
	struct strvec		 refs;		/* References */
	int64_t			 date;
};

/* In-Reply-To: the reply being answered, else the last mail to them. */
static const char *
parent_of(const struct compose_input *in)
{
	if (in->in_reply_to != NULL)
		return in->in_reply_to;
	if (in->thread != NULL && in->thread->n > 0)
		return in->thread->v[in->thread->n - 1];
	return NULL;
}

/* References: the thread and the reply answered; mime keeps the root
 * and the newest when there are too many. */
static void
set_threading(struct compose_job *job, const struct compose_input *in)
{
	const char *parent = parent_of(in);
	size_t i;

	job->parent = parent ? xstrdup(parent) : NULL;
	for (i = 0; in->thread != NULL && i < in->thread->n; i++)
		strvec_push(&job->refs, in->thread->v[i]);
	if (in->in_reply_to != NULL)
		strvec_push(&job->refs, in->in_reply_to);
}

struct compose_job *
compose_prepare(const struct compose_ctx *ctx, const struct compose_input *in,
    struct composed *out, struct err *err)
{
	struct compose_job *job;
	char key[REPLYKEY_MAX];

	memset(out, 0, sizeof *out);
	if (replykey_make(ctx->keys->reply, ctx->keys->reply_len,
	    in->tenant->id, in->mail_id, in->to, in->tenant->generation,
	    key) == -1) {
		err_set(err, ERR_RUNTIME, "cannot make a reply key");
		return NULL;
	}
	job = xcalloc(1, sizeof *job);
	job->ctx = ctx;
	job->kind = in->kind;
	job->to = xstrdup(in->to);
	job->reply_to = replykey_address(ctx->cfg->reply_address, key);
	job->vars = make_vars(in, ctx->cfg, job->reply_to);
	job->message_id = make_message_id(ctx->cfg, key);
	job->date = in->now;
	set_threading(job, in);
	if (tmpl_subject(ctx->templates, fsm_mail_kind_name(in->kind),
	    job->vars, &job->subject, err) == -1) {
		compose_job_free(job);
		return NULL;
	}
	out->message_id = xstrdup(job->message_id);
	out->subject = xstrdup(job->subject);
	return job;
}

int
compose_finish(const struct compose_job *job, struct composed *out,
    struct err *err)
{
	const struct compose_ctx *ctx = job->ctx;
	struct tmpl_out body;
	static const char *const extra[] = {
		"Auto-Submitted", "auto-generated",
		"X-Auto-Response-Suppress", "OOF, AutoReply",
	};
	struct mime_mail m;
	int rc;

	if (tmpl_render(ctx->templates, fsm_mail_kind_name(job->kind),
	    job->vars, &body, err) == -1)
		return -1;
	memset(&m, 0, sizeof m);
	m.from_name = ctx->cfg->from_name ? ctx->cfg->from_name : FROM_NAME;
	m.from = ctx->cfg->from;
	m.to = job->to;
	m.reply_to = job->reply_to;
	m.subject = job->subject;
	m.message_id = job->message_id;
	m.in_reply_to = job->parent;
	m.references = (const char *const *)job->refs.v;
	m.nreferences = job->refs.n;
	m.date = job->date;
	m.text = body.text;
	m.html = body.html;
	m.extra_headers = extra;
	m.nextra = sizeof extra / sizeof extra[0] / 2;
	/* layout.html shows it as cid:BRAND_LOGO_CID when has_logo is set. */
	m.logo = ctx->cfg->logo;
	m.logo_len = ctx->cfg->logo_len;
	m.logo_cid = BRAND_LOGO_CID;
	m.language = body.language;
	rc = mime_compose(&m, &out->message, &out->len, err);
	tmpl_out_clear(&body);
	return rc;
}

void
compose_job_free(struct compose_job *job)
{
	if (job == NULL)
		return;
	tmpl_vars_free(job->vars);
	free(job->to);
	free(job->reply_to);
	free(job->message_id);
	free(job->subject);
	free(job->parent);
	strvec_clear(&job->refs);
	free(job);
}

int
compose_mail(const struct compose_ctx *ctx, const struct compose_input *in,
    struct composed *out, struct err *err)
{
	struct compose_job *job;
	int rc = -1;

	if ((job = compose_prepare(ctx, in, out, err)) == NULL)
		return -1;
	if (compose_finish(job, out, err) == -1)
		composed_clear(out);
	else
		rc = 0;
	compose_job_free(job);
	return rc;
}

void
composed_clear(struct composed *c)
{
	free(c->message);
	free(c->message_id);
	free(c->subject);
	memset(c, 0, sizeof *c);
}
