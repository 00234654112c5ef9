/* page.c: the listener's pages, from templates. */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "date.h"
#include "fsm.h"
#include "page.h"
#include "workload.h"

static int
render(struct tmpl_set *set, const char *name, struct tmpl_vars *v,
    struct page *p, struct err *err)
{
	int rc;

	rc = tmpl_render_page(set, name, v, &p->html, &p->len, err);
	tmpl_vars_free(v);
	return rc;
}

/*
 * "Microsoft 365, Endpoints" in the page's language: the products as the
 * licence rows beside them name them, not as codes.  Caller frees.
 */
static char *
product_titles(struct tmpl_set *set, const char *language, unsigned products)
{
	struct buf b = { 0 };
	int w;

	buf_puts(&b, "");
	for (w = 0; w < WORKLOAD_COUNT; w++)
		if (products & WORKLOAD_BIT(w))
			buf_printf(&b, "%s%s", b.len ? ", " : "",
			    tmpl_translate(set, language, workload_title(w)));
	return buf_release(&b);
}

/* A page about tenant t is in its language. */
static struct tmpl_vars *
tenant_vars(struct tmpl_set *set, const struct tenant *t)
{
	struct tmpl_vars *v, *item;
	char *workloads;
	int w;

	v = tmpl_vars_new();
	tmpl_vars_set_language(v, t->language);
	tmpl_vars_set(v, "customer", t->name);
	tmpl_vars_set(v, "customer_admin", t->customer_admin);
	tmpl_vars_set(v, "edition", t->edition);
	workloads = product_titles(set, t->language, t->workloads);
	tmpl_vars_set(v, "workloads", workloads);
	free(workloads);
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)))
			continue;
		item = tmpl_vars_item(v, "licences");
		tmpl_vars_set_msgid(item, "workload", workload_title(w));
		tmpl_vars_set_date(item, "expires", t->expires[w]);
		tmpl_vars_set_date(item, "after", t->after[w]);
		tmpl_vars_set(item, "after_set",
		    t->after[w] == DATE_NONE ? "" : "yes");
	}
	return v;
}

int
page_form(struct tmpl_set *set, const struct page_form *f, struct page *p,
    struct err *err)
{
	struct tmpl_vars *v, *item;
	char *products;
	size_t i;

	memset(p, 0, sizeof *p);
	v = tenant_vars(set, f->tenant);
	tmpl_vars_set(v, "token", f->token);
	tmpl_vars_set_msgid(v, "message", f->message);
	tmpl_vars_set(v, "has_plans", f->nplans > 0 ? "yes" : "");
	tmpl_vars_set_time(v, "link_expires", f->expires_at);
	for (i = 0; i < f->nplans; i++) {
		item = tmpl_vars_item(v, "plans");
		tmpl_vars_setf(item, "plan_id", "%lld",
		    (long long)f->plans[i].id);
		tmpl_vars_set(item, "plan_name", f->plans[i].name);
		products = product_titles(set, f->tenant->language,
		    f->plans[i].products);
		tmpl_vars_set(item, "plan_products", products);
		free(products);
	}
	return render(set, "page_verify", v, p, err);
}

/* What each state means to the MSP admin looking at the link. */
static const struct {
	const char	*title;
	const char	*text;
} state_texts[STATE_COUNT] = {
	[STATE_NEW] = { N_("Registered"),
	    N_("The migration has not started.") },
	[STATE_BLOCKED] = { N_("Blocked"),
	    N_("The migration is blocked until support fixes the tenant's "
	    "details.") },
	[STATE_AWAITING_APPROVAL] = { N_("Awaiting approval"),
	    N_("The customer admin has been asked to approve again.") },
	[STATE_AWAITING_VERIFICATION] = {
	    N_("Approved, awaiting your confirmation"),
	    N_("Pick a service plan and confirm.") },
	[STATE_FINALIZING] = { N_("Confirmed, being finalized"),
	    N_("You confirmed the plan. Support finalizes the hybrid "
	    "migration; you will get a mail when it is done.") },
	[STATE_COMPLETED] = { N_("Completed"),
	    N_("The customer is now a tenant of your Managed Services "
	    "Console.") },
	[STATE_REJECTED] = { N_("Rejected"),
	    N_("The customer admin rejected the migration.") },
	[STATE_TOKEN_EXPIRED] = { N_("Link expired"),
	    N_("Contact support to re-trigger the approval.") },
	[STATE_CANCELLED] = { N_("Cancelled"),
	    N_("Support cancelled the migration.") },
};

static const char *
state_title(enum tenant_state s)
{
	return (unsigned)s < STATE_COUNT ? state_texts[s].title : "?";
}

/*
 * What happened when the tenant entered each state, for the timeline:
 * an event with its subject ("Approved by the customer admin"), where
 * the state's title would name the wrong person ("Awaiting approval by
 * support").
 */
static const char *const timeline_texts[STATE_COUNT] = {
	[STATE_NEW] = N_("Registered"),
	[STATE_BLOCKED] = N_("Blocked until support fixes the tenant's "
	    "details"),
	[STATE_AWAITING_APPROVAL] = N_("Customer admin asked to approve"),
	[STATE_AWAITING_VERIFICATION] = N_("Approved by the customer admin"),
	[STATE_FINALIZING] = N_("Plan confirmed; support finalizes"),
	[STATE_COMPLETED] = N_("Completed"),
	[STATE_REJECTED] = N_("Rejected by the customer admin"),
	[STATE_TOKEN_EXPIRED] = N_("Link expired"),
	[STATE_CANCELLED] = N_("Cancelled"),
};

/* How it came about, in words: the channel, not a second subject. */
static const char *
actor_words(const char *actor)
{
	static const char *const words[][2] = {
		{ "cli", N_("(by support)") }, { "mail", N_("(by mail)") },
		{ "web", N_("(on this page)") },
		{ "import", N_("(by support)") },
	};
	size_t i;

	if (actor != NULL && strncmp(actor, "console:", 8) == 0)
		return words[0][1];
	for (i = 0; actor != NULL && i < sizeof words / sizeof words[0]; i++)
		if (strcmp(actor, words[i][0]) == 0)
			return words[i][1];
	return "";
}

int
page_status(struct tmpl_set *set, const struct page_status *s,
    struct page *p, struct err *err)
{
	struct tmpl_vars *v, *item;
	size_t i;

	memset(p, 0, sizeof *p);
	v = tenant_vars(set, s->tenant);
	tmpl_vars_set_msgid(v, "state_title", state_title(s->tenant->state));
	tmpl_vars_set_msgid(v, "state_text",
	    (unsigned)s->tenant->state < STATE_COUNT ?
	    state_texts[s->tenant->state].text : "");
	tmpl_vars_set(v, "plan", s->plan);
	for (i = 0; i < s->nhistory; i++) {
		/* Past the registration, a row that kept the state (an edit,
		 * a reply ignored) is no step of the migration. */
		if (i > 0 && s->history[i].from == s->history[i].to)
			continue;
		item = tmpl_vars_item(v, "timeline");
		tmpl_vars_set_time(item, "at", s->history[i].at);
		tmpl_vars_set_msgid(item, "state",
		    (unsigned)s->history[i].to < STATE_COUNT ?
		    timeline_texts[s->history[i].to] : "?");
		tmpl_vars_set_msgid(item, "actor",
		    actor_words(s->history[i].actor));
	}
	return render(set, "page_status", v, p, err);
}

int
page_gone(struct tmpl_set *set, const struct access *a, const char *support,
    struct page *p, struct err *err)
{
	struct tmpl_vars *v;

	memset(p, 0, sizeof *p);
	v = tmpl_vars_new();
	tmpl_vars_set_language(v, a->tenant.language);
	tmpl_vars_set(v, "support", support);
	tmpl_vars_setf(v, "support_mailto", "mailto:%s", support);
	if (a->status == ACCESS_SUPERSEDED) {
		tmpl_vars_set_msgid(v, "title", N_("This link was replaced"));
		if (a->current.issued_at != 0) {
			tmpl_vars_set(v, "superseded", "yes");
			tmpl_vars_set_time(v, "newer_at",
			    a->current.issued_at);
			tmpl_vars_set(v, "newer_to", a->current.recipient);
		} else
			tmpl_vars_set(v, "superseded_no_link", "yes");
	} else {
		tmpl_vars_set_msgid(v, "title", N_("This link has expired"));
		tmpl_vars_set(v, "expired", "yes");
		/* The sweep may have ended it before the token's exp. */
		tmpl_vars_set_time(v, "expired_at", a->tenant.state ==
		    STATE_TOKEN_EXPIRED && a->tenant.state_since < a->claims.exp ?
		    a->tenant.state_since : a->claims.exp);
	}
	return render(set, "page_gone", v, p, err);
}

int
page_message(struct tmpl_set *set, const char *language, const char *title,
    const char *text, struct page *p, struct err *err)
{
	struct tmpl_vars *v;

	memset(p, 0, sizeof *p);
	v = tmpl_vars_new();
	tmpl_vars_set_language(v, language);
	tmpl_vars_set_msgid(v, "title", title);
	tmpl_vars_set_msgid(v, "text", text);
	return render(set, "page_message", v, p, err);
}

void
page_clear(struct page *p)
{
	free(p->html);
	memset(p, 0, sizeof *p);
}
