/* console_view.c: the console's pages that only show, and their CSV. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "console_impl.h"
#include "csvout.h"
#include "date.h"
#include "view.h"

#define VIEW_PAGE_ROWS		50	/* rows of a list page */
#define VIEW_DASHBOARD_ROWS	10	/* rows of each list on the dashboard */
#define VIEW_LINK_DAYS		7	/* a link "about to expire" */
#define VIEW_EXPORT_MAX		100000	/* rows of one CSV export */
#define VIEW_TIMELINE_MAX	STORE_PAGE_MAX	/* replies on a tenant page */

/* ---- what every page here uses ---- */

static void
set_date(struct tmpl_vars *v, const char *name, int32_t day)
{
	char s[DATE_STR_LEN];

	date_format(day, s);
	tmpl_vars_set(v, name, day == DATE_NONE ? "" : s);
}

/* Appends s percent-encoded, for a query string. */
static void
put_query_value(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_append(b, (const char *)p, 1);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/* base with the fields that are set (name, value pairs, NULL-ended). */
static char *
path_with(const char *base, ...)
{
	struct buf b = { 0 };
	const char *name, *value;
	va_list ap;
	int first = 1;

	buf_puts(&b, base);
	va_start(ap, base);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (value == NULL || *value == '\0')
			continue;
		buf_puts(&b, first ? "?" : "&");
		buf_puts(&b, name);
		buf_puts(&b, "=");
		put_query_value(&b, value);
		first = 0;
	}
	va_end(ap);
	return buf_release(&b);
}

static void
set_path(struct tmpl_vars *v, const char *name, char *path)
{
	tmpl_vars_set(v, name, path);
	free(path);
}

/* The page asked for, from 1; its first row. */
static size_t
page_offset(const struct console_call *c, int64_t *page)
{
	*page = console_param_id(c, "page");
	if (*page < 1 || *page > 1000000)
		*page = 1;
	return (size_t)(*page - 1) * VIEW_PAGE_ROWS;
}

/*
 * "51-100 of 730", and the paths of the pages before and after: base
 * with the filter's fields (name, value pairs, NULL-ended) and page.
 */
static void
set_paging(struct tmpl_vars *v, int64_t page, size_t shown, int64_t total,
    const char *base, const char *f1, const char *v1, const char *f2,
    const char *v2)
{
	char number[24];
	int64_t first = (page - 1) * VIEW_PAGE_ROWS;

	tmpl_vars_setf(v, "total", "%" PRId64, total);
	if (shown > 0)
		tmpl_vars_setf(v, "range", "%" PRId64 "-%" PRId64 " of %"
		    PRId64, first + 1, first + (int64_t)shown, total);
	else
		tmpl_vars_set(v, "range", total > 0 ? "no rows on this page" :
		    "none");
	if (page > 1) {
		snprintf(number, sizeof number, "%" PRId64, page - 1);
		set_path(v, "prev_path", path_with(base, f1, v1, f2, v2,
		    "page", page - 1 > 1 ? number : NULL, (char *)NULL));
	}
	if (first + (int64_t)shown < total) {
		snprintf(number, sizeof number, "%" PRId64, page + 1);
		set_path(v, "next_path", path_with(base, f1, v1, f2, v2,
		    "page", number, (char *)NULL));
	}
}

/* The state named s, -1 for none or "" ("all"), -2 for a wrong one. */
static int
state_param(const char *s)
{
	int state;

	if (s == NULL || *s == '\0')
		return -1;
	state = fsm_state_from_name(s);
	return state < 0 ? -2 : state;
}

static int
not_found(struct console_call *c, const char *text)
{
	console_message(c, 404, "Not found", text);
	return 0;
}

static int
bad_search(struct console_call *c)
{
	console_message(c, 400, "Bad request", "The search is longer than "
	    "the list takes.");
	return 0;
}

static int
bad_filter(struct console_call *c)
{
	console_message(c, 400, "Bad request", "The filter names no state, "
	    "status or outcome this console knows.");
	return 0;
}

/* ---- the dashboard ---- */

static enum chart_tone
state_tone(enum tenant_state s)
{
	switch (s) {
	case STATE_AWAITING_APPROVAL:
	case STATE_AWAITING_VERIFICATION:
	case STATE_FINALIZING:
		return CHART_WAITING;
	case STATE_COMPLETED:
		return CHART_DONE;
	case STATE_BLOCKED:
	case STATE_REJECTED:
	case STATE_TOKEN_EXPIRED:
		return CHART_PROBLEM;
	case STATE_CANCELLED:
		return CHART_ENDED;
	default:
		return CHART_NEUTRAL;
	}
}

/* counts[s] = the tenants in state s, from the same tally /metrics
 * shows; *total their sum. */
static int
state_counts(struct console_call *c, int64_t counts[STATE_COUNT],
    int64_t *total)
{
	struct store_count *tally;
	size_t n, i;
	int s;

	memset(counts, 0, STATE_COUNT * sizeof counts[0]);
	*total = 0;
	if (store_tally(c->st, TALLY_TENANT_STATE, &tally, &n, &c->err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((s = fsm_state_from_name(tally[i].key)) >= 0)
			counts[s] = tally[i].n;
		*total += tally[i].n;
	}
	store_counts_free(tally, n);
	return 0;
}

static void
dashboard_states(struct tmpl_vars *v, const int64_t counts[STATE_COUNT],
    int64_t total)
{
	struct chart_bar bars[STATE_COUNT];
	struct tmpl_vars *item;
	struct err err;
	char *svg;
	int s;

	for (s = 0; s < STATE_COUNT; s++) {
		item = tmpl_vars_item(v, "states");
		tmpl_vars_set(item, "state", fsm_state_name(s));
		tmpl_vars_setf(item, "count", "%" PRId64, counts[s]);
		set_path(item, "state_path", path_with("/tenants", "state",
		    fsm_state_name(s), (char *)NULL));
		bars[s].label = fsm_state_name(s);
		bars[s].value = counts[s];
		bars[s].tone = state_tone(s);
	}
	tmpl_vars_setf(v, "tenants", "%" PRId64, total);
	tmpl_vars_setf(v, "completed", "%" PRId64, counts[STATE_COMPLETED]);
	tmpl_vars_setf(v, "percent", "%" PRId64, total > 0 ?
	    counts[STATE_COMPLETED] * 100 / total : 0);
	svg = chart_bars_svg("Tenants by state", bars, STATE_COUNT, &err);
	tmpl_vars_set_svg(v, "chart", svg);
	free(svg);
}

/* One list of tenants waiting on someone: name_list, name_total. */
static int
dashboard_waiting(struct console_call *c, struct tmpl_vars *v,
    enum store_waiting what, int64_t limit_at, const char *name)
{
	struct tenant_due *due;
	struct tmpl_vars *item;
	char key[48];
	size_t n, i;
	int64_t total;

	if (store_tenant_waiting(c->st, what, limit_at, VIEW_DASHBOARD_ROWS,
	    &due, &n, &total, &c->err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		item = tmpl_vars_item(v, name);
		tmpl_vars_setf(item, "id", "%" PRId64, due[i].id);
		tmpl_vars_set(item, "name", due[i].name);
		tmpl_vars_setf(item, "path", "/tenants/%" PRId64, due[i].id);
		console_set_time(item, "at", due[i].at);
	}
	snprintf(key, sizeof key, "%s_total", name);
	tmpl_vars_setf(v, key, "%" PRId64, total);
	snprintf(key, sizeof key, "%s_any", name);
	tmpl_vars_set(v, key, total > 0 ? "yes" : "");
	snprintf(key, sizeof key, "%s_more", name);
	tmpl_vars_set(v, key, total > (int64_t)n ? "yes" : "");
	store_due_free(due, n);
	return 0;
}

static void
mail_item(struct tmpl_vars *item, const struct outbox_entry *m)
{
	tmpl_vars_setf(item, "mail_id", "%" PRId64, m->id);
	tmpl_vars_set(item, "kind", fsm_mail_kind_name(m->kind));
	tmpl_vars_set(item, "to", m->recipient);
	tmpl_vars_set(item, "status", outcome_mail_name(m->status));
	tmpl_vars_set(item, "failed", m->status == MAIL_STATUS_FAILED ?
	    "yes" : "");
	tmpl_vars_setf(item, "attempts", "%d", m->attempts);
	tmpl_vars_set(item, "last_error", m->last_error);
	tmpl_vars_set(item, "subject", m->subject);
	console_set_time(item, "at", m->created_at);
	console_set_time(item, "sent_at", m->sent_at);
	if (m->tenant_id > 0) {
		tmpl_vars_setf(item, "tenant_id", "%" PRId64, m->tenant_id);
		tmpl_vars_setf(item, "tenant_path", "/tenants/%" PRId64,
		    m->tenant_id);
		tmpl_vars_setf(item, "raw_path", "/tenants/%" PRId64
		    "/mails/%" PRId64 "/raw", m->tenant_id, m->id);
	}
}

static void
reply_item(struct tmpl_vars *item, const struct inbound_entry *e)
{
	struct tmpl_vars *line;
	const char *p, *semi;
	char *one;

	tmpl_vars_setf(item, "reply_id", "%" PRId64, e->id);
	console_set_time(item, "at", e->received_at);
	tmpl_vars_set(item, "sender", e->sender);
	tmpl_vars_set(item, "message_id", e->message_id);
	tmpl_vars_set(item, "outcome", outcome_inbound_name(e->outcome));
	tmpl_vars_set(item, "detail", e->detail);
	/* The inbox writes how it read a message as "; "-separated steps:
	 * matched by, sender check, authentication, keyword and text. */
	for (p = e->detail; p != NULL && *p != '\0'; p = semi ? semi + 2 :
	    NULL) {
		semi = strstr(p, "; ");
		one = xstrndup(p, semi ? (size_t)(semi - p) : strlen(p));
		line = tmpl_vars_item(item, "read");
		tmpl_vars_set(line, "step", one);
		free(one);
	}
	if (e->tenant_id > 0) {
		tmpl_vars_setf(item, "tenant_id", "%" PRId64, e->tenant_id);
		tmpl_vars_setf(item, "tenant_path", "/tenants/%" PRId64,
		    e->tenant_id);
	}
}

static int
dashboard_mails(struct console_call *c, struct tmpl_vars *v)
{
	struct outbox_filter f = { .status = MAIL_STATUS_FAILED, .kind = -1,
	    .limit = VIEW_DASHBOARD_ROWS };
	struct outbox_entry *m;
	size_t n, i;
	int64_t total;

	if (store_outbox_page(c->st, &f, &m, &n, &total, &c->err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		mail_item(tmpl_vars_item(v, "failed_mails"), &m[i]);
	tmpl_vars_setf(v, "failed_mails_total", "%" PRId64, total);
	tmpl_vars_set(v, "failed_mails_any", total > 0 ? "yes" : "");
	tmpl_vars_set(v, "failed_mails_more", total > (int64_t)n ? "yes" : "");
	store_outbox_free(m, n);
	return 0;
}

static int
dashboard_replies(struct console_call *c, struct tmpl_vars *v)
{
	struct inbound_filter f = { .outcome = -1, .needs_look = 1,
	    .limit = VIEW_DASHBOARD_ROWS };
	struct inbound_entry *e;
	size_t n, i;
	int64_t total;

	if (store_inbound_page(c->st, &f, &e, &n, &total, &c->err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		reply_item(tmpl_vars_item(v, "odd_replies"), &e[i]);
	tmpl_vars_setf(v, "odd_replies_total", "%" PRId64, total);
	tmpl_vars_set(v, "odd_replies_any", total > 0 ? "yes" : "");
	tmpl_vars_set(v, "odd_replies_more", total > (int64_t)n ? "yes" : "");
	store_inbound_free(e, n);
	return 0;
}

int
console_dashboard_get(struct console_call *c)
{
	int64_t counts[STATE_COUNT], total;
	int remind = c->con->mail->cfg->approval_remind_days;
	struct tmpl_vars *v = console_vars(c);

	/* Reminders off: an approval is late after the default's 3 days. */
	if (remind <= 0)
		remind = 3;
	if (state_counts(c, counts, &total) == -1 ||
	    dashboard_waiting(c, v, WAITING_APPROVAL,
	    c->now - (int64_t)remind * 86400, "late_approvals") == -1 ||
	    dashboard_waiting(c, v, WAITING_LINK,
	    c->now + VIEW_LINK_DAYS * 86400, "expiring_links") == -1 ||
	    dashboard_waiting(c, v, WAITING_BLOCKED, 0, "blocked") == -1 ||
	    dashboard_mails(c, v) == -1 || dashboard_replies(c, v) == -1) {
		tmpl_vars_free(v);
		return -1;
	}
	dashboard_states(v, counts, total);
	tmpl_vars_setf(v, "remind_days", "%d", remind);
	console_set_time(v, "now", c->now);
	return console_page(c, 200, "console_dashboard", v);
}

/* ---- tenants ---- */

/* A tab per state, and "all", each with its count. */
static void
tenant_tabs(struct tmpl_vars *v, const int64_t counts[STATE_COUNT],
    int64_t total, int state, const char *q)
{
	struct tmpl_vars *item;
	int s;

	item = tmpl_vars_item(v, "tabs");
	tmpl_vars_set(item, "label", "all");
	tmpl_vars_setf(item, "count", "%" PRId64, total);
	tmpl_vars_set(item, "on", state < 0 ? "yes" : "");
	set_path(item, "tab_path", path_with("/tenants", "q", q,
	    (char *)NULL));
	for (s = 0; s < STATE_COUNT; s++) {
		item = tmpl_vars_item(v, "tabs");
		tmpl_vars_set(item, "label", fsm_state_name(s));
		tmpl_vars_setf(item, "count", "%" PRId64, counts[s]);
		tmpl_vars_set(item, "on", s == state ? "yes" : "");
		set_path(item, "tab_path", path_with("/tenants", "state",
		    fsm_state_name(s), "q", q, (char *)NULL));
	}
}

static void
tenant_row(struct tmpl_vars *item, const struct tenant *t)
{
	char *workloads;

	tmpl_vars_setf(item, "id", "%" PRId64, t->id);
	tmpl_vars_setf(item, "path", "/tenants/%" PRId64, t->id);
	tmpl_vars_set(item, "name", t->name);
	tmpl_vars_set(item, "state", fsm_state_name(t->state));
	tmpl_vars_setf(item, "workflow", "%d", tenant_workflow(t));
	tmpl_vars_set(item, "customer_admin", t->customer_admin);
	tmpl_vars_set(item, "msp_admin", t->msp_admin);
	tmpl_vars_set(item, "edition", t->edition);
	workloads = workloads_format(t->workloads, ", ");
	tmpl_vars_set(item, "workloads", workloads);
	free(workloads);
	console_set_time(item, "since", t->state_since);
}

int
console_tenants_get(struct console_call *c)
{
	struct tenant_filter f = { 0 };
	int64_t counts[STATE_COUNT], all, total, page;
	const char *state = console_param(c, "state");
	struct tmpl_vars *v;
	struct tenant *list;
	size_t n, i;

	if ((f.state = state_param(state)) == -2)
		return bad_filter(c);
	if (console_param_search(c, &f.q) == -1)
		return bad_search(c);
	f.offset = page_offset(c, &page);
	f.limit = VIEW_PAGE_ROWS;
	if (state_counts(c, counts, &all) == -1 ||
	    store_tenant_page(c->st, &f, &list, &n, &total, &c->err) == -1)
		return -1;
	v = console_vars(c);
	tenant_tabs(v, counts, all, f.state, f.q);
	for (i = 0; i < n; i++)
		tenant_row(tmpl_vars_item(v, "rows"), &list[i]);
	store_tenants_free(list, n);
	tmpl_vars_set(v, "state", f.state >= 0 ? fsm_state_name(f.state) : "");
	tmpl_vars_set(v, "q", f.q);
	tmpl_vars_set(v, "has_rows", n > 0 ? "yes" : "");
	set_path(v, "csv_path", path_with("/tenants.csv", "state",
	    f.state >= 0 ? fsm_state_name(f.state) : NULL, "q", f.q,
	    (char *)NULL));
	set_paging(v, page, n, total, "/tenants", "state", f.state >= 0 ?
	    fsm_state_name(f.state) : NULL, "q", f.q);
	return console_page(c, 200, "console_tenants", v);
}

/* "m365=2027-01-31;endpoints=2028-01-31", as tenant import reads. */
static char *
licences_field(const struct tenant *t, int after)
{
	struct buf b = { 0 };
	char day[DATE_STR_LEN];
	int32_t d;
	int w;

	buf_puts(&b, "");
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		d = after ? t->after[w] : t->expires[w];
		if (d == DATE_NONE)
			continue;
		date_format(d, day);
		buf_printf(&b, "%s%s=%s", b.len > 0 ? ";" : "",
		    workload_name(w), day);
	}
	return buf_release(&b);
}

static void
tenant_csv_row(struct buf *b, const struct tenant *t)
{
	char id[24], wf[4], since[TIMESTAMP_STR_LEN];
	char *workloads, *licences, *after;

	snprintf(id, sizeof id, "%" PRId64, t->id);
	snprintf(wf, sizeof wf, "%d", tenant_workflow(t));
	timestamp_format((time_t)t->state_since, since);
	workloads = workloads_format(t->workloads, ";");
	licences = licences_field(t, 0);
	after = licences_field(t, 1);
	{
		const char *fields[] = { id, t->name, fsm_state_name(t->state),
		    wf, fsm_is_restricted(t->state) ? "yes" : "no",
		    t->customer_admin, t->msp_admin, t->edition, workloads,
		    t->suspended ? "yes" : "no", licences, after, since };

		csvout_record(b, fields, sizeof fields / sizeof fields[0]);
	}
	free(workloads);
	free(licences);
	free(after);
}

static const char *const tenant_csv_header[] = {
	"id", "name", "state", "workflow", "restricted", "customer_admin",
	"msp_admin", "edition", "workloads", "suspended", "licenses",
	"licenses_after_migration", "state_since",
};

/* Every row the filter matches, a store page at a time. */
static int
tenants_csv(struct console_call *c, struct tenant_filter *f, struct buf *b,
    int64_t *rows)
{
	struct tenant *list;
	int64_t total;
	size_t n, i;

	csvout_record(b, tenant_csv_header, sizeof tenant_csv_header /
	    sizeof tenant_csv_header[0]);
	*rows = 0;
	f->limit = STORE_PAGE_MAX;
	do {
		if (store_tenant_page(c->st, f, &list, &n, &total,
		    &c->err) == -1)
			return -1;
		for (i = 0; i < n; i++)
			tenant_csv_row(b, &list[i]);
		store_tenants_free(list, n);
		*rows += (int64_t)n;
		f->offset += n;
	} while (n == STORE_PAGE_MAX && *rows < VIEW_EXPORT_MAX);
	return 0;
}

/* The answer is a file to save, and the export is in the audit. */
static int
send_csv(struct console_call *c, struct buf *b, const char *filename,
    const char *action, const char *detail)
{
	size_t len = b->len;

	if (console_audit(c, action, NULL, "ok", detail) == -1) {
		buf_clear(b);
		return -1;
	}
	console_body(c, 200, CONSOLE_CSV, buf_release(b), len);
	free(c->res->filename);
	c->res->filename = xstrdup(filename);
	return 0;
}

int
console_tenants_csv_get(struct console_call *c)
{
	struct tenant_filter f = { 0 };
	struct buf b = { 0 };
	char *detail;
	int64_t rows;
	int rc;

	if ((f.state = state_param(console_param(c, "state"))) == -2)
		return bad_filter(c);
	if (console_param_search(c, &f.q) == -1)
		return bad_search(c);
	/* One snapshot: pages read apart would miss or repeat a tenant
	 * that changes meanwhile. */
	if (store_begin_read(c->st, &c->err) == -1)
		return -1;
	rc = tenants_csv(c, &f, &b, &rows);
	store_rollback(c->st);
	if (rc == -1) {
		buf_clear(&b);
		return -1;
	}
	detail = xasprintf("%" PRId64 " rows; state %s; search \"%s\"", rows,
	    f.state >= 0 ? fsm_state_name(f.state) : "any", f.q ? f.q : "");
	rc = send_csv(c, &b, "tenants.csv", "tenants.export", detail);
	free(detail);
	return rc;
}

/* ---- one tenant ---- */

/* What the tenant page shows besides the tenant row. */
struct tenant_view {
	struct tenant		 t;
	struct plan		 plan;		/* id 0: none chosen */
	struct token_info	 token;
	struct history_entry	*history;
	size_t			 nhistory;
	struct outbox_entry	*mails;
	size_t			 nmails;
	struct inbound_entry	*replies;
	size_t			 nreplies;
	struct plan		*plans;
	size_t			 nplans;
};

static void
tenant_view_clear(struct tenant_view *tv)
{
	tenant_clear(&tv->t);
	plan_clear(&tv->plan);
	store_token_clear(&tv->token);
	store_history_free(tv->history, tv->nhistory);
	store_outbox_free(tv->mails, tv->nmails);
	store_inbound_free(tv->replies, tv->nreplies);
	store_plans_free(tv->plans, tv->nplans);
}

/* 1 loaded, 0 no such tenant, -1 with c->err. */
static int
tenant_view_load(struct console_call *c, struct tenant_view *tv)
{
	struct inbound_filter rf = { .outcome = -1, .tenant_id = c->ids[0],
	    .limit = VIEW_TIMELINE_MAX };
	int64_t total;
	struct err err;

	memset(tv, 0, sizeof *tv);
	tenant_init(&tv->t);
	if (store_tenant_get(c->st, c->ids[0], &tv->t, &err) == -1) {
		if (err.kind == ERR_INPUT)
			return 0;
		c->err = err;
		return -1;
	}
	if ((tv->t.plan_id > 0 && store_plan_get(c->st, tv->t.plan_id,
	    &tv->plan, &c->err) == -1) ||
	    store_token_get(c->st, tv->t.id, &tv->token, &c->err) == -1 ||
	    store_history_list(c->st, tv->t.id, &tv->history, &tv->nhistory,
	    &c->err) == -1 ||
	    store_outbox_list(c->st, tv->t.id, &tv->mails, &tv->nmails,
	    &c->err) == -1 ||
	    store_inbound_page(c->st, &rf, &tv->replies, &tv->nreplies, &total,
	    &c->err) == -1 ||
	    store_plan_list(c->st, &tv->plans, &tv->nplans, &c->err) == -1)
		return -1;
	return 1;
}

static void
tenant_fields(struct tmpl_vars *v, const struct tenant_view *tv, int64_t now)
{
	const struct tenant *t = &tv->t;
	struct tmpl_vars *item;
	char *workloads;
	size_t i;
	int w;

	tmpl_vars_setf(v, "id", "%" PRId64, t->id);
	tmpl_vars_set(v, "name", t->name);
	tmpl_vars_set(v, "state", fsm_state_name(t->state));
	tmpl_vars_set(v, "restricted", fsm_is_restricted(t->state) ? "yes" :
	    "");
	console_set_time(v, "since", t->state_since);
	console_set_time(v, "created", t->created_at);
	tmpl_vars_setf(v, "workflow", "%d", tenant_workflow(t));
	tmpl_vars_set(v, "customer_admin", t->customer_admin);
	tmpl_vars_set(v, "msp_admin", t->msp_admin);
	tmpl_vars_set(v, "edition", t->edition);
	workloads = workloads_format(t->workloads, ", ");
	tmpl_vars_set(v, "workloads", workloads);
	free(workloads);
	tmpl_vars_set(v, "suspended", t->suspended ? "yes" : "no");
	tmpl_vars_set(v, "plan", tv->plan.id > 0 ? tv->plan.name : "");
	for (i = 0; i < t->blocked_reasons.n; i++)
		tmpl_vars_set(tmpl_vars_item(v, "reasons"), "reason",
		    t->blocked_reasons.v[i]);
	tmpl_vars_set(v, "blocked", t->blocked_reasons.n > 0 ? "yes" : "");
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)) &&
		    t->expires[w] == DATE_NONE)
			continue;
		item = tmpl_vars_item(v, "licences");
		tmpl_vars_set(item, "workload", workload_title(w));
		set_date(item, "expires", t->expires[w]);
		set_date(item, "after", t->after[w]);
	}
	/* The link's expiry, never the token: a page may be seen over a
	 * shoulder or kept in a browser's history. */
	if (tv->token.issued_at > 0) {
		tmpl_vars_setf(v, "link_generation", "%" PRId64,
		    tv->token.generation);
		console_set_time(v, "link_expires", tv->token.expires_at);
		console_set_time(v, "link_issued", tv->token.issued_at);
		tmpl_vars_set(v, "link_to", tv->token.recipient);
		tmpl_vars_set(v, "link_expired",
		    tv->token.expires_at <= now ? "yes" : "");
	}
}

/* The actions the state allows, each a form posting to
 * /tenants/ID/ACTION with from_state (console_act.c handles them). */
static void
tenant_action_forms(struct tmpl_vars *v, const struct tenant_view *tv)
{
	const struct tenant *t = &tv->t;
	const struct console_action *a;
	struct tmpl_vars *item, *opt;
	size_t i, p, n = 0;

	for (i = 0; i < CONSOLE_ACTIONS; i++) {
		a = &console_actions[i];
		if (a->label == NULL || !fsm_applies(t->state, a->event,
		    tenant_workflow(t)))
			continue;
		item = tmpl_vars_item(v, "actions");
		n++;
		tmpl_vars_set(item, "action", a->name);
		tmpl_vars_set(item, "label", a->label);
		tmpl_vars_set(item, "danger", a->danger ? "yes" : "");
		tmpl_vars_setf(item, "action_path", "/tenants/%" PRId64 "/%s",
		    t->id, a->name);
		if (a->event != EVENT_VERIFY)
			continue;
		tmpl_vars_set(item, "verify", "yes");
		for (p = 0; p < tv->nplans; p++) {
			if (!plan_is_eligible(&tv->plans[p], t))
				continue;
			opt = tmpl_vars_item(item, "plans");
			tmpl_vars_setf(opt, "plan_id", "%" PRId64,
			    tv->plans[p].id);
			tmpl_vars_set(opt, "plan_name", tv->plans[p].name);
		}
	}
	tmpl_vars_set(v, "has_actions", n > 0 ? "yes" : "");
	tmpl_vars_set(v, "from_state", fsm_state_name(t->state));
	tmpl_vars_setf(v, "resend_path", "/tenants/%" PRId64 "/resend", t->id);
}

/* One entry of the timeline, in time order with the others. */
struct moment {
	int64_t	 at;
	int	 what;		/* 0 history, 1 mail, 2 reply */
	size_t	 i;
};

static int
moment_cmp(const void *a, const void *b)
{
	const struct moment *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->what != y->what)
		return x->what - y->what;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void
history_item(struct tmpl_vars *item, const struct history_entry *h)
{
	console_set_time(item, "at", h->at);
	tmpl_vars_set(item, "is_state", "yes");
	tmpl_vars_set(item, "from", fsm_state_name(h->from));
	tmpl_vars_set(item, "to", fsm_state_name(h->to));
	tmpl_vars_set(item, "actor", h->actor);
	tmpl_vars_set(item, "detail", h->detail);
}

/* History, mails and replies in one list, oldest first. */
static void
tenant_timeline(struct tmpl_vars *v, const struct tenant_view *tv,
    int operator)
{
	struct moment *m;
	struct tmpl_vars *item;
	size_t n = 0, i;

	m = xcalloc(tv->nhistory + tv->nmails + tv->nreplies + 1, sizeof *m);
	for (i = 0; i < tv->nhistory; i++)
		m[n++] = (struct moment){ tv->history[i].at, 0, i };
	for (i = 0; i < tv->nmails; i++)
		m[n++] = (struct moment){ tv->mails[i].created_at, 1, i };
	for (i = 0; i < tv->nreplies; i++)
		m[n++] = (struct moment){ tv->replies[i].received_at, 2, i };
	qsort(m, n, sizeof *m, moment_cmp);
	for (i = 0; i < n; i++) {
		item = tmpl_vars_item(v, "timeline");
		if (m[i].what == 0)
			history_item(item, &tv->history[m[i].i]);
		else if (m[i].what == 1) {
			mail_item(item, &tv->mails[m[i].i]);
			tmpl_vars_set(item, "is_mail", "yes");
			/* Only a failed mail is sent again (console_act.c). */
			tmpl_vars_set(item, "resendable", operator &&
			    tv->mails[m[i].i].status == MAIL_STATUS_FAILED ?
			    "yes" : "");
		} else {
			reply_item(item, &tv->replies[m[i].i]);
			tmpl_vars_set(item, "is_reply", "yes");
		}
	}
	free(m);
}

int
console_tenant_get(struct console_call *c)
{
	struct tenant_view tv;
	struct tmpl_vars *v;
	int rc;

	if ((rc = tenant_view_load(c, &tv)) != 1) {
		tenant_view_clear(&tv);
		return rc == 0 ? not_found(c, "There is no such tenant.") : -1;
	}
	v = console_vars(c);
	tenant_fields(v, &tv, c->now);
	tenant_action_forms(v, &tv);
	tenant_timeline(v, &tv, c->user.role >= ROLE_OPERATOR);
	tenant_view_clear(&tv);
	return console_page(c, 200, "console_tenant", v);
}

int
console_mail_raw_get(struct console_call *c)
{
	struct outbox_entry m;
	struct err err;
	char *target, *body;
	size_t len;
	int rc;

	memset(&m, 0, sizeof m);
	if (store_outbox_get(c->st, c->ids[1], &m, &err) == -1) {
		if (err.kind != ERR_INPUT) {
			c->err = err;
			return -1;
		}
		return not_found(c, "There is no such mail.");
	}
	/* A mail is shown under its own tenant only: a path naming
	 * another tenant finds nothing. */
	if (m.tenant_id != c->ids[0] || m.message == NULL) {
		store_outbox_entry_clear(&m);
		return not_found(c, m.tenant_id != c->ids[0] ?
		    "There is no such mail." : "This mail is not composed "
		    "yet.");
	}
	target = xasprintf("tenant %" PRId64 " mail %" PRId64, c->ids[0],
	    c->ids[1]);
	rc = console_audit(c, "mail.raw", target, "ok",
	    fsm_mail_kind_name(m.kind));
	free(target);
	if (rc == 0) {
		len = m.message_len;
		body = m.message;
		m.message = NULL;
		console_body(c, 200, CONSOLE_TEXT, body, len);
	}
	store_outbox_entry_clear(&m);
	return rc;
}

/* ---- outbox and inbox ---- */

int
console_outbox_get(struct console_call *c)
{
	struct outbox_filter f = { .status = -1, .kind = -1,
	    .limit = VIEW_PAGE_ROWS };
	const char *status = console_param(c, "status");
	const char *kind = console_param(c, "kind");
	struct outbox_entry *m;
	struct tmpl_vars *v, *item;
	int64_t total, page;
	size_t n, i;
	int s;

	if ((status != NULL && *status != '\0' &&
	    (f.status = outcome_mail_from_name(status)) < 0) ||
	    (kind != NULL && *kind != '\0' &&
	    (f.kind = fsm_mail_kind_from_name(kind)) < 0))
		return bad_filter(c);
	f.tenant_id = console_param_id(c, "tenant");
	f.offset = page_offset(c, &page);
	if (store_outbox_page(c->st, &f, &m, &n, &total, &c->err) == -1)
		return -1;
	v = console_vars(c);
	for (i = 0; i < n; i++)
		mail_item(tmpl_vars_item(v, "mails"), &m[i]);
	store_outbox_free(m, n);
	for (s = 0; s < MAIL_STATUS_COUNT; s++) {
		item = tmpl_vars_item(v, "statuses");
		tmpl_vars_set(item, "status", outcome_mail_name(s));
		tmpl_vars_set(item, "on", s == f.status ? "yes" : "");
		set_path(item, "status_path", path_with("/outbox", "status",
		    outcome_mail_name(s), "kind", kind, (char *)NULL));
	}
	for (s = 0; s < MAIL_KIND_COUNT; s++) {
		item = tmpl_vars_item(v, "kinds");
		tmpl_vars_set(item, "kind", fsm_mail_kind_name(s));
		tmpl_vars_set(item, "selected", s == f.kind ? "yes" : "");
	}
	tmpl_vars_set(v, "status", f.status >= 0 ? status : "");
	tmpl_vars_set(v, "all_on", f.status < 0 ? "yes" : "");
	set_path(v, "all_path", path_with("/outbox", "kind", kind,
	    (char *)NULL));
	tmpl_vars_set(v, "has_rows", n > 0 ? "yes" : "");
	set_paging(v, page, n, total, "/outbox", "status", status, "kind",
	    kind);
	return console_page(c, 200, "console_outbox", v);
}

int
console_inbox_get(struct console_call *c)
{
	struct inbound_filter f = { .outcome = -1, .limit = VIEW_PAGE_ROWS };
	const char *outcome = console_param(c, "outcome");
	struct inbound_entry *e;
	struct tmpl_vars *v, *item;
	int64_t total, page;
	size_t n, i;
	int o;

	if (outcome != NULL && *outcome != '\0' &&
	    (f.outcome = outcome_inbound_from_name(outcome)) < 0)
		return bad_filter(c);
	f.needs_look = console_param_yes(c, "look");
	f.tenant_id = console_param_id(c, "tenant");
	f.offset = page_offset(c, &page);
	if (store_inbound_page(c->st, &f, &e, &n, &total, &c->err) == -1)
		return -1;
	v = console_vars(c);
	for (i = 0; i < n; i++)
		reply_item(tmpl_vars_item(v, "replies"), &e[i]);
	store_inbound_free(e, n);
	/* INBOUND_NONE is never stored, nor INBOUND_DUPLICATE. */
	for (o = INBOUND_APPROVE; o < INBOUND_DUPLICATE; o++) {
		item = tmpl_vars_item(v, "outcomes");
		tmpl_vars_set(item, "outcome", outcome_inbound_name(o));
		tmpl_vars_set(item, "on", o == f.outcome ? "yes" : "");
		set_path(item, "outcome_path", path_with("/inbox", "outcome",
		    outcome_inbound_name(o), (char *)NULL));
	}
	tmpl_vars_set(v, "all_on", f.outcome < 0 && !f.needs_look ? "yes" :
	    "");
	tmpl_vars_set(v, "look_on", f.needs_look ? "yes" : "");
	tmpl_vars_set(v, "has_rows", n > 0 ? "yes" : "");
	set_paging(v, page, n, total, "/inbox", "outcome", f.outcome >= 0 ?
	    outcome : NULL, "look", f.needs_look ? "yes" : NULL);
	return console_page(c, 200, "console_inbox", v);
}

/* ---- plans ---- */

int
console_plans_get(struct console_call *c)
{
	struct tmpl_vars *v, *item;
	struct plan *plans;
	char *products;
	size_t n, i;

	if (store_plan_list(c->st, &plans, &n, &c->err) == -1)
		return -1;
	v = console_vars(c);
	for (i = 0; i < n; i++) {
		item = tmpl_vars_item(v, "plans");
		tmpl_vars_setf(item, "id", "%" PRId64, plans[i].id);
		tmpl_vars_set(item, "name", plans[i].name);
		tmpl_vars_set(item, "edition", plans[i].edition);
		products = workloads_format(plans[i].products, ", ");
		tmpl_vars_set(item, "products", products);
		free(products);
	}
	tmpl_vars_set(v, "has_rows", n > 0 ? "yes" : "");
	store_plans_free(plans, n);
	return console_page(c, 200, "console_plans", v);
}

/* ---- the audit ---- */

static void
audit_item(struct tmpl_vars *item, const struct audit_entry *a)
{
	tmpl_vars_setf(item, "id", "%" PRId64, a->id);
	console_set_time(item, "at", a->at);
	tmpl_vars_set(item, "user", a->user);
	tmpl_vars_set(item, "address", a->address);
	tmpl_vars_set(item, "action", a->action);
	tmpl_vars_set(item, "target", a->target);
	tmpl_vars_set(item, "outcome", a->outcome);
	tmpl_vars_set(item, "not_ok", strcmp(a->outcome, "ok") != 0 ? "yes" :
	    "");
	tmpl_vars_set(item, "detail", a->detail);
}

/* Pages of the audit go back from a row (before=ID): rows are only
 * ever added, so a page never shifts under the reader. */
int
console_audit_get(struct console_call *c)
{
	int64_t before = console_param_id(c, "before");
	struct audit_entry *a;
	struct tmpl_vars *v;
	char number[24];
	size_t n, i;

	if (store_audit_list(c->st, before, VIEW_PAGE_ROWS + 1, &a, &n,
	    &c->err) == -1)
		return -1;
	v = console_vars(c);
	for (i = 0; i < n && i < VIEW_PAGE_ROWS; i++)
		audit_item(tmpl_vars_item(v, "entries"), &a[i]);
	if (n > VIEW_PAGE_ROWS) {
		snprintf(number, sizeof number, "%" PRId64,
		    a[VIEW_PAGE_ROWS - 1].id);
		set_path(v, "older_path", path_with("/audit", "before", number,
		    (char *)NULL));
	}
	if (before > 0)
		tmpl_vars_set(v, "newest_path", "/audit");
	tmpl_vars_set(v, "has_rows", n > 0 ? "yes" : "");
	store_audit_free(a, n);
	return console_page(c, 200, "console_audit", v);
}

static const char *const audit_csv_header[] = {
	"id", "at", "user", "address", "action", "target", "outcome", "detail",
};

static int
audit_csv(struct console_call *c, struct buf *b, int64_t *rows)
{
	struct audit_entry *a;
	char id[24], at[TIMESTAMP_STR_LEN];
	int64_t before = 0;
	size_t n, i;

	csvout_record(b, audit_csv_header, sizeof audit_csv_header /
	    sizeof audit_csv_header[0]);
	*rows = 0;
	do {
		if (store_audit_list(c->st, before, STORE_PAGE_MAX, &a, &n,
		    &c->err) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			const char *fields[] = { id, at, a[i].user,
			    a[i].address, a[i].action, a[i].target,
			    a[i].outcome, a[i].detail };

			snprintf(id, sizeof id, "%" PRId64, a[i].id);
			timestamp_format((time_t)a[i].at, at);
			csvout_record(b, fields, sizeof fields /
			    sizeof fields[0]);
			before = a[i].id;
		}
		store_audit_free(a, n);
		*rows += (int64_t)n;
	} while (n == STORE_PAGE_MAX && *rows < VIEW_EXPORT_MAX);
	return 0;
}

int
console_audit_csv_get(struct console_call *c)
{
	struct buf b = { 0 };
	char *detail;
	int64_t rows;
	int rc;

	if (store_begin_read(c->st, &c->err) == -1)
		return -1;
	rc = audit_csv(c, &b, &rows);
	store_rollback(c->st);
	if (rc == -1) {
		buf_clear(&b);
		return -1;
	}
	detail = xasprintf("%" PRId64 " rows", rows);
	rc = send_csv(c, &b, "audit.csv", "audit.export", detail);
	free(detail);
	return rc;
}
