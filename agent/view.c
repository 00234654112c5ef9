/* view.c: tenants, plans and console accounts as JSON documents and as
 * aligned text. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "view.h"

/* What [agent] language defaults to, for a view given no default. */
#define VIEW_DEFAULT_LANGUAGE	"en"

static json_t *
json_date(int32_t day)
{
	char s[DATE_STR_LEN];

	if (day == DATE_NONE)
		return json_null();
	date_format(day, s);
	return json_string(s);
}

static json_t *
json_time(int64_t t)
{
	char s[TIMESTAMP_STR_LEN];

	timestamp_format((time_t)t, s);
	return json_string(s);
}

static json_t *
json_string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
workloads_json(unsigned set)
{
	json_t *a = json_array();
	int w;

	for (w = 0; w < WORKLOAD_COUNT; w++)
		if (set & WORKLOAD_BIT(w))
			json_array_append_new(a, json_string(workload_name(w)));
	return a;
}

static json_t *
licences_json(const struct tenant *t)
{
	json_t *o = json_object();
	int w;

	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)) &&
		    t->expires[w] == DATE_NONE)
			continue;
		json_object_set_new(o, workload_name(w), json_pack("{s:o,s:o}",
		    "expires", json_date(t->expires[w]),
		    "after_migration", json_date(t->after[w])));
	}
	return o;
}

static json_t *
history_json(const struct history_entry *h, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o,s:s,s:s,s:s,s:s}",
		    "at", json_time(h[i].at),
		    "from", fsm_state_name(h[i].from),
		    "to", fsm_state_name(h[i].to),
		    "actor", h[i].actor, "detail", h[i].detail));
	return a;
}

static json_t *
mails_json(const struct outbox_entry *m, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:o,s:i,s:o}",
		    "kind", fsm_mail_kind_name(m[i].kind),
		    "to", m[i].recipient,
		    "status", outcome_mail_name(m[i].status),
		    "message_id", m[i].message_id ?
		    json_sprintf("<%s>", m[i].message_id) : json_null(),
		    "attempts", m[i].attempts,
		    "last_error", json_string_or_null(m[i].last_error)));
	return a;
}

json_t *
view_plan_json(const struct plan *p)
{
	return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)p->id,
	    "name", p->name, "edition", p->edition,
	    "products", workloads_json(p->products));
}

/* The tenant's own language, else the agent's, else the built-in one. */
static const char *
effective_language(const struct tenant *t, const struct tenant_extra *x)
{
	if (t->language != NULL)
		return t->language;
	if (x != NULL && x->language != NULL)
		return x->language;
	return VIEW_DEFAULT_LANGUAGE;
}

json_t *
view_tenant_json(const struct tenant *t, const struct tenant_extra *x)
{
	json_t *o, *reasons;
	size_t i;

	reasons = json_array();
	for (i = 0; i < t->blocked_reasons.n; i++)
		json_array_append_new(reasons,
		    json_string(t->blocked_reasons.v[i]));
	o = json_pack("{s:I,s:s,s:s,s:i,s:b,s:s,s:s,s:s,s:o,s:b}",
	    "id", (json_int_t)t->id, "name", t->name,
	    "state", fsm_state_name(t->state),
	    "workflow", tenant_workflow(t),
	    "restricted", fsm_is_restricted(t->state),
	    "customer_admin", t->customer_admin, "msp_admin", t->msp_admin,
	    "edition", t->edition, "workloads", workloads_json(t->workloads),
	    "suspended", t->suspended);
	json_object_set_new(o, "language",
	    json_string(effective_language(t, x)));
	json_object_set_new(o, "plan", x && x->plan ?
	    json_pack("{s:I,s:s}", "id", (json_int_t)x->plan->id,
	    "name", x->plan->name) : json_null());
	json_object_set_new(o, "blocked_reasons", reasons);
	json_object_set_new(o, "licenses", licences_json(t));
	json_object_set_new(o, "token", x && x->token && x->token->issued_at ?
	    json_pack("{s:I,s:o}", "generation", (json_int_t)x->token->generation,
	    "expires_at", json_time(x->token->expires_at)) : json_null());
	if (x && x->with_history)
		json_object_set_new(o, "history",
		    history_json(x->history, x->nhistory));
	if (x && x->with_mails)
		json_object_set_new(o, "mails", mails_json(x->mails, x->nmails));
	return o;
}

void
view_print_json(FILE *fp, json_t *j)
{
	json_dumpf(j, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', fp);
}

/* Pads a UTF-8 string to width terminal columns. */
static void
print_padded(FILE *fp, const char *s, size_t width)
{
	size_t w;

	fputs(s, fp);
	for (w = utf8_width(s); w < width; w++)
		fputc(' ', fp);
}

static void
print_workloads(FILE *fp, unsigned set, size_t width)
{
	char *s;

	s = workloads_format(set, ",");
	print_padded(fp, *s ? s : "-", width);
	free(s);
}

/* Columns before NAME in a row of "tenant list". */
#define ROW_PREFIX_WIDTH	(6 + 1 + 22 + 1 + 3 + 1 + 10 + 1 + 26 + 1)
/* A name is never cut to fewer columns than this (what an 80-column
 * terminal leaves it): on a narrower terminal the line wraps, but the
 * name can still be read. */
#define ROW_NAME_MIN		8

/*
 * Writes s cut to at most width terminal columns, its end replaced by
 * "…" when cut; only whole characters are kept, and a wide one that
 * would cross the limit is left out.
 */
static void
print_cut(FILE *fp, const char *s, size_t width)
{
	size_t len = strlen(s), keep = 0, i;

	if (utf8_width(s) <= width) {
		fputs(s, fp);
		return;
	}
	for (i = 1; i <= len; i++) {
		if (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			continue;	/* inside a character */
		if (utf8_width_n(s, i) > width - 1)
			break;
		keep = i;
	}
	fprintf(fp, "%.*s\u2026", (int)keep, s);
}

void
view_tenant_row_fit(FILE *fp, const struct tenant *t, size_t columns)
{
	char id[26];
	size_t name_width = 0;

	if (t == NULL) {
		fprintf(fp, "%-6s %-22s %-3s %-10s %-26s %s\n", "ID", "STATE",
		    "WF", "RESTRICTED", "WORKLOADS", "NAME");
		return;
	}
	if (columns > 0)
		name_width = columns > ROW_PREFIX_WIDTH + ROW_NAME_MIN ?
		    columns - ROW_PREFIX_WIDTH : ROW_NAME_MIN;
	snprintf(id, sizeof id, "%lld", (long long)t->id);
	fprintf(fp, "%-6s %-22s %-3d %-10s ", id, fsm_state_name(t->state),
	    tenant_workflow(t), fsm_is_restricted(t->state) ? "yes" : "no");
	print_workloads(fp, t->workloads, 26);
	fputc(' ', fp);
	if (name_width > 0)
		print_cut(fp, t->name, name_width);
	else
		fputs(t->name, fp);
	fputc('\n', fp);
}

void
view_tenant_row(FILE *fp, const struct tenant *t)
{
	view_tenant_row_fit(fp, t, 0);
}

void
view_plan_row(FILE *fp, const struct plan *p)
{
	char id[26];

	if (p == NULL) {
		fprintf(fp, "%-6s %-16s %-26s %s\n", "ID", "EDITION",
		    "PRODUCTS", "NAME");
		return;
	}
	snprintf(id, sizeof id, "%lld", (long long)p->id);
	fprintf(fp, "%-6s ", id);
	print_padded(fp, p->edition, 16);
	fputc(' ', fp);
	print_workloads(fp, p->products, 26);
	fprintf(fp, " %s\n", p->name);
}

static void
field(FILE *fp, const char *label, const char *value)
{
	fprintf(fp, "%-16s%s\n", label, value);
}

static void
licences_text(FILE *fp, const struct tenant *t)
{
	char before[DATE_STR_LEN], after[DATE_STR_LEN];
	int w;

	fprintf(fp, "\n%-16s%-12s%s\n", "licences", "expires",
	    "after migration");
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)) &&
		    t->expires[w] == DATE_NONE)
			continue;
		date_format(t->expires[w], before);
		date_format(t->after[w], after);
		fprintf(fp, "  %-14s%-12s%s\n", workload_name(w),
		    t->expires[w] == DATE_NONE ? "-" : before,
		    t->after[w] == DATE_NONE ? "-" : after);
	}
}

static void
history_text(FILE *fp, const struct history_entry *h, size_t n)
{
	char at[TIMESTAMP_STR_LEN];
	size_t i;

	fprintf(fp, "\nhistory\n");
	for (i = 0; i < n; i++) {
		timestamp_format((time_t)h[i].at, at);
		/* A row that kept the state (registered, edited, a reply
		 * ignored) is no move: "new -> new" would read as one. */
		if (h[i].from == h[i].to)
			fprintf(fp, "  %s  %s  by %s", at,
			    fsm_state_name(h[i].to), h[i].actor);
		else
			fprintf(fp, "  %s  %s -> %s  by %s", at,
			    fsm_state_name(h[i].from),
			    fsm_state_name(h[i].to), h[i].actor);
		if (h[i].detail[0] != '\0')
			fprintf(fp, ": %s", h[i].detail);
		fputc('\n', fp);
	}
}

static void
mails_text(FILE *fp, const struct outbox_entry *m, size_t n)
{
	size_t i;

	fprintf(fp, "\nmails\n");
	if (n == 0)
		fprintf(fp, "  (none)\n");
	for (i = 0; i < n; i++) {
		fprintf(fp, "  %-22s %-7s attempts %d  to %s",
		    fsm_mail_kind_name(m[i].kind),
		    outcome_mail_name(m[i].status), m[i].attempts,
		    m[i].recipient);
		if (m[i].last_error != NULL)
			fprintf(fp, "  (%s)", m[i].last_error);
		fputc('\n', fp);
	}
}

void
view_tenant_text(FILE *fp, const struct tenant *t,
    const struct tenant_extra *x)
{
	char line[160], at[TIMESTAMP_STR_LEN];
	char *workloads;
	size_t i;

	fprintf(fp, "tenant %lld: %s\n", (long long)t->id, t->name);
	field(fp, "state", fsm_state_name(t->state));
	/* Always said, so a script or a person never reads its absence. */
	field(fp, "restricted", fsm_is_restricted(t->state) ? "yes (no user "
	    "or licence changes; backups and restores go on)" : "no");
	for (i = 0; i < t->blocked_reasons.n; i++)
		field(fp, i ? "" : "blocked because", t->blocked_reasons.v[i]);
	field(fp, "workflow", tenant_workflow(t) == 1 ?
	    "1 (hybrid: support finalizes)" : "2 (SaaS and endpoints only)");
	field(fp, "customer admin", t->customer_admin);
	field(fp, "MSP admin", t->msp_admin);
	field(fp, "edition", t->edition);
	workloads = workloads_format(t->workloads, ", ");
	field(fp, "workloads", *workloads ? workloads : "(none)");
	free(workloads);
	field(fp, "suspended", t->suspended ? "yes" : "no");
	snprintf(line, sizeof line, "%s%s", effective_language(t, x),
	    t->language == NULL ? " (the default)" : "");
	field(fp, "language", line);
	field(fp, "plan", x && x->plan ? x->plan->name : "(none chosen)");
	if (x && x->token && x->token->issued_at) {
		timestamp_format((time_t)x->token->expires_at, at);
		snprintf(line, sizeof line, "generation %lld, expires %s",
		    (long long)x->token->generation, at);
		field(fp, "token", line);
	}
	licences_text(fp, t);
	if (x && x->with_history)
		history_text(fp, x->history, x->nhistory);
	if (x && x->with_mails)
		mails_text(fp, x->mails, x->nmails);
}

json_t *
view_user_json(const struct console_user *u)
{
	return json_pack("{s:s,s:s,s:b,s:b,s:o}", "name", u->name,
	    "role", user_role_name(u->role),
	    "must_change_password", u->must_change_password,
	    "totp_enrolled", u->totp_secret != NULL,
	    "created_at", json_time(u->created_at));
}

void
view_user_row(FILE *fp, const struct console_user *u)
{
	char created[TIMESTAMP_STR_LEN];

	if (u == NULL) {
		fprintf(fp, "%-24s %-8s %-4s %-9s %s\n", "NAME", "ROLE", "TOTP",
		    "PASSWORD", "CREATED");
		return;
	}
	timestamp_format((time_t)u->created_at, created);
	fprintf(fp, "%-24s %-8s %-4s %-9s %s\n", u->name,
	    user_role_name(u->role), u->totp_secret != NULL ? "yes" : "no",
	    u->must_change_password ? "one-time" : "set", created);
}
