/* page.c: the listener's pages, from templates. */
#include <stdlib.h>
#include <string.h>

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

static void
set_time(struct tmpl_vars *v, const char *name, int64_t t)
{
	char shown[TIMESTAMP_SHOWN_LEN];

	tmpl_vars_set(v, name, timestamp_shown((time_t)t, shown));
}

static void
set_date(struct tmpl_vars *v, const char *name, int32_t day)
{
	char s[DATE_STR_LEN];

	date_format(day, s);
	tmpl_vars_set(v, name, day == DATE_NONE ? "" : s);
}

/* "Microsoft 365, Endpoints": the products as the licence rows beside
 * them name them, not as codes.  Caller frees. */
static char *
product_titles(unsigned set)
{
	struct buf b = { 0 };
	int w;

	buf_puts(&b, "");
	for (w = 0; w < WORKLOAD_COUNT; w++)
		if (set & WORKLOAD_BIT(w))
			buf_printf(&b, "%s%s", b.len ? ", " : "",
			    workload_title(w));
	return buf_release(&b);
}

static struct tmpl_vars *
tenant_vars(const struct tenant *t)
{
	struct tmpl_vars *v, *item;
	char *workloads;
	int w;

	v = tmpl_vars_new();
	tmpl_vars_set(v, "customer", t->name);
	tmpl_vars_set(v, "customer_admin", t->customer_admin);
	tmpl_vars_set(v, "edition", t->edition);
	workloads = product_titles(t->workloads);
	tmpl_vars_set(v, "workloads", workloads);
	free(workloads);
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)))
			continue;
		item = tmpl_vars_item(v, "licences");
		tmpl_vars_set(item, "workload", workload_title(w));
		set_date(item, "expires", t->expires[w]);
		set_date(item, "after", t->after[w]);
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
	v = tenant_vars(f->tenant);
	tmpl_vars_set(v, "token", f->token);
	tmpl_vars_set(v, "message", f->message);
	tmpl_vars_set(v, "has_plans", f->nplans > 0 ? "yes" : "");
	set_time(v, "link_expires", f->expires_at);
	for (i = 0; i < f->nplans; i++) {
		item = tmpl_vars_item(v, "plans");
		tmpl_vars_setf(item, "plan_id", "%lld",
		    (long long)f->plans[i].id);
		tmpl_vars_set(item, "plan_name", f->plans[i].name);
		products = product_titles(f->plans[i].products);
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
	[STATE_NEW] = { "Registered", "The migration has not started." },
	[STATE_BLOCKED] = { "Blocked", "The migration is blocked until "
	    "support fixes the tenant's details." },
	[STATE_AWAITING_APPROVAL] = { "Awaiting approval", "The customer "
	    "admin has been asked to approve again." },
	[STATE_AWAITING_VERIFICATION] = { "Approved, awaiting your "
	    "confirmation", "Pick a service plan and confirm." },
	[STATE_FINALIZING] = { "Confirmed, being finalized", "You confirmed "
	    "the plan. Support finalizes the hybrid migration; you will get "
	    "a mail when it is done." },
	[STATE_COMPLETED] = { "Completed", "The customer is now a tenant of "
	    "your Managed Services Console." },
	[STATE_REJECTED] = { "Rejected", "The customer admin rejected the "
	    "migration." },
	[STATE_TOKEN_EXPIRED] = { "Link expired", "Contact support to "
	    "re-trigger the approval." },
	[STATE_CANCELLED] = { "Cancelled", "Support cancelled the "
	    "migration." },
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
	[STATE_NEW] = "Registered",
	[STATE_BLOCKED] = "Blocked until support fixes the tenant's details",
	[STATE_AWAITING_APPROVAL] = "Customer admin asked to approve",
	[STATE_AWAITING_VERIFICATION] = "Approved by the customer admin",
	[STATE_FINALIZING] = "Plan confirmed; support finalizes",
	[STATE_COMPLETED] = "Completed",
	[STATE_REJECTED] = "Rejected by the customer admin",
	[STATE_TOKEN_EXPIRED] = "Link expired",
	[STATE_CANCELLED] = "Cancelled",
};

/* How it came about, in words: the channel, not a second subject. */
static const char *
actor_words(const char *actor)
{
	static const char *const words[][2] = {
		{ "cli", " (by support)" }, { "mail", " (by mail)" },
		{ "web", " (on this page)" }, { "import", " (by support)" },
	};
	size_t i;

	if (actor != NULL && strncmp(actor, "console:", 8) == 0)
		return " (by support)";
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
	v = tenant_vars(s->tenant);
	tmpl_vars_set(v, "state_title", state_title(s->tenant->state));
	tmpl_vars_set(v, "state_text", (unsigned)s->tenant->state < STATE_COUNT ?
	    state_texts[s->tenant->state].text : "");
	tmpl_vars_set(v, "plan", s->plan);
	for (i = 0; i < s->nhistory; i++) {
		/* Past the registration, a row that kept the state (an edit,
		 * a reply ignored) is no step of the migration. */
		if (i > 0 && s->history[i].from == s->history[i].to)
			continue;
		item = tmpl_vars_item(v, "timeline");
		set_time(item, "at", s->history[i].at);
		tmpl_vars_setf(item, "what", "%s%s",
		    (unsigned)s->history[i].to < STATE_COUNT ?
		    timeline_texts[s->history[i].to] : "?",
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
	tmpl_vars_set(v, "support", support);
	tmpl_vars_setf(v, "support_mailto", "mailto:%s", support);
	if (a->status == ACCESS_SUPERSEDED) {
		tmpl_vars_set(v, "title", "This link was replaced");
		if (a->current.issued_at != 0) {
			tmpl_vars_set(v, "superseded", "yes");
			set_time(v, "newer_at", a->current.issued_at);
			tmpl_vars_set(v, "newer_to", a->current.recipient);
		} else
			tmpl_vars_set(v, "superseded_no_link", "yes");
	} else {
		tmpl_vars_set(v, "title", "This link has expired");
		tmpl_vars_set(v, "expired", "yes");
		/* The sweep may have ended it before the token's exp. */
		set_time(v, "expired_at", a->tenant.state ==
		    STATE_TOKEN_EXPIRED && a->tenant.state_since < a->claims.exp ?
		    a->tenant.state_since : a->claims.exp);
	}
	return render(set, "page_gone", v, p, err);
}

int
page_message(struct tmpl_set *set, const char *title, const char *text,
    struct page *p, struct err *err)
{
	struct tmpl_vars *v;

	memset(p, 0, sizeof *p);
	v = tmpl_vars_new();
	tmpl_vars_set(v, "title", title);
	tmpl_vars_set(v, "text", text);
	return render(set, "page_message", v, p, err);
}

void
page_clear(struct page *p)
{
	free(p->html);
	memset(p, 0, sizeof *p);
}
