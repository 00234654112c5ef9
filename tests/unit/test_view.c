/* test_view.c: the JSON documents of SPEC §2 and the text the CLI prints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "view.h"

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])

#define HYB	WORKLOAD_BIT(WORKLOAD_HYBRID)
#define M365	WORKLOAD_BIT(WORKLOAD_M365)
#define GWS	WORKLOAD_BIT(WORKLOAD_GWS)
#define END	WORKLOAD_BIT(WORKLOAD_ENDPOINTS)

#define KANJI4	"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe" /* 株式会社 */
#define GRIN	"\xf0\x9f\x98\x80"	/* U+1F600, wide */
#define ROCKET	"\xf0\x9f\x9a\x80"	/* U+1F680, wide */
#define COMBINE	"\xcc\x81"		/* U+0301 combining acute */

#define T_ISSUED	1795860000	/* 2026-11-28T10:00:00Z */
#define T_LATER		1795860309	/* 2026-11-28T10:05:09Z */
#define T_EXPIRES	1798452000	/* 2026-12-28T10:00:00Z */

/* ---- building what is shown ---- */

static int32_t
day(const char *s)
{
	int32_t d;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

/* The tenant of SPEC §2's example; caller frees with tenant_clear. */
static void
make_tenant(struct tenant *t, const char *name)
{
	tenant_init(t);
	t->id = 7;
	t->name = xstrdup(name);
	t->customer_admin = xstrdup("a@x.test");
	t->msp_admin = xstrdup("m@y.test");
	t->edition = xstrdup("enterprise");
	t->workloads = M365 | END;
	t->state = STATE_AWAITING_APPROVAL;
	t->expires[WORKLOAD_M365] = day("2027-03-01");
	t->after[WORKLOAD_ENDPOINTS] = day("2028-03-01");
}

static void
make_plan(struct plan *p)
{
	p->id = 3;
	p->name = xstrdup("Gold");
	p->edition = xstrdup("enterprise");
	p->products = END | M365 | GWS;
}

/* Two history rows and two mails, with everything a document shows. */
struct extras {
	struct plan		 plan;
	struct token_info	 token;
	struct history_entry	*history;
	struct outbox_entry	*mails;
	struct tenant_extra	 x;
};

static void
make_extras(struct extras *e)
{
	struct history_entry *h;
	struct outbox_entry *m;

	memset(e, 0, sizeof *e);
	make_plan(&e->plan);
	e->token.generation = 2;
	e->token.issued_at = T_ISSUED;
	e->token.expires_at = T_EXPIRES;
	h = e->history = xcalloc(2, sizeof *h);
	h[0].at = T_ISSUED;
	h[0].from = STATE_NEW;
	h[0].to = STATE_BLOCKED;
	h[0].actor = xstrdup("cli");
	h[0].detail = xstrdup("preflight: no workloads");
	h[1].at = T_LATER;
	h[1].from = STATE_BLOCKED;
	h[1].to = STATE_AWAITING_APPROVAL;
	h[1].actor = xstrdup("a@x.test");
	h[1].detail = xstrdup("");
	m = e->mails = xcalloc(2, sizeof *m);
	m[0].kind = MAIL_APPROVAL_REQUEST;
	m[0].recipient = xstrdup("a@x.test");
	m[0].status = MAIL_STATUS_SENT;
	m[0].message_id = xstrdup("1.abc@agent.test");	/* stored without <> */
	m[0].attempts = 1;
	m[1].kind = MAIL_DELIVERY_FAILED;
	m[1].recipient = xstrdup("m@y.test");
	m[1].status = MAIL_STATUS_FAILED;
	m[1].attempts = 5;
	m[1].last_error = xstrdup("550 5.1.1 no such user");
	e->x.plan = &e->plan;
	e->x.token = &e->token;
	e->x.with_history = 1;
	e->x.history = e->history;
	e->x.nhistory = 2;
	e->x.with_mails = 1;
	e->x.mails = e->mails;
	e->x.nmails = 2;
}

static void
free_extras(struct extras *e)
{
	plan_clear(&e->plan);
	store_history_free(e->history, 2);
	store_outbox_free(e->mails, 2);
}

/* Output written to a FILE, as one string: caller frees. */
struct capture {
	FILE	*fp;
	char	*text;
	size_t	 len;
};

static void
capture_start(struct capture *c)
{
	c->text = NULL;
	c->fp = open_memstream(&c->text, &c->len);
	assert_non_null(c->fp);
}

static char *
capture_end(struct capture *c)
{
	assert_int_equal(fclose(c->fp), 0);
	assert_non_null(c->text);
	return c->text;
}

/* ---- JSON ---- */

static const char *const tenant_keys[] = {
	"id", "name", "state", "workflow", "restricted", "customer_admin",
	"msp_admin", "edition", "workloads", "suspended", "language", "plan",
	"blocked_reasons", "licenses", "token", "history", "mails",
};

/* The object's keys are exactly keys[0..n), in that order. */
static void
assert_keys(json_t *o, const char *const *keys, size_t n)
{
	void *it;
	size_t i = 0;

	assert_true(json_is_object(o));
	for (it = json_object_iter(o); it != NULL;
	    it = json_object_iter_next(o, it)) {
		assert_true(i < n);
		assert_string_equal(json_object_iter_key(it), keys[i]);
		i++;
	}
	assert_int_equal(i, n);
}

static void
assert_str(json_t *o, const char *key, const char *expected)
{
	json_t *v = json_object_get(o, key);

	print_message("key %s\n", key);
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), expected);
}

static void
assert_int(json_t *o, const char *key, json_int_t expected)
{
	json_t *v = json_object_get(o, key);

	print_message("key %s\n", key);
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), expected);
}

static void
assert_null_key(json_t *o, const char *key)
{
	print_message("key %s\n", key);
	assert_true(json_is_null(json_object_get(o, key)));
}

/* The array holds exactly the strings expected[0..n). */
static void
assert_strings(json_t *a, const char *const *expected, size_t n)
{
	size_t i;

	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), n);
	for (i = 0; i < n; i++) {
		assert_true(json_is_string(json_array_get(a, i)));
		assert_string_equal(json_string_value(json_array_get(a, i)),
		    expected[i]);
	}
}

static void
check_licences(json_t *lic)
{
	static const char *const lic_keys[] = { "expires", "after_migration" };
	json_t *w;

	assert_keys(lic, (const char *const[]){ "m365", "endpoints" }, 2);
	w = json_object_get(lic, "m365");
	assert_keys(w, lic_keys, 2);
	assert_str(w, "expires", "2027-03-01");
	assert_null_key(w, "after_migration");
	w = json_object_get(lic, "endpoints");
	assert_keys(w, lic_keys, 2);
	assert_null_key(w, "expires");
	assert_str(w, "after_migration", "2028-03-01");
}

static void
check_history(json_t *a)
{
	static const char *const keys[] = { "at", "from", "to", "actor",
	    "detail" };
	json_t *h;

	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 2);
	h = json_array_get(a, 0);
	assert_keys(h, keys, NROWS(keys));
	assert_str(h, "at", "2026-11-28T10:00:00Z");
	assert_str(h, "from", "new");
	assert_str(h, "to", "blocked");
	assert_str(h, "actor", "cli");
	assert_str(h, "detail", "preflight: no workloads");
	h = json_array_get(a, 1);
	assert_keys(h, keys, NROWS(keys));
	assert_str(h, "at", "2026-11-28T10:05:09Z");
	assert_str(h, "from", "blocked");
	assert_str(h, "to", "awaiting_approval");
	assert_str(h, "actor", "a@x.test");
	assert_str(h, "detail", "");
}

static void
check_mails(json_t *a)
{
	static const char *const keys[] = { "kind", "to", "status",
	    "message_id", "attempts", "last_error" };
	json_t *m;

	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 2);
	m = json_array_get(a, 0);
	assert_keys(m, keys, NROWS(keys));
	assert_str(m, "kind", "approval_request");
	assert_str(m, "to", "a@x.test");
	assert_str(m, "status", "sent");
	assert_str(m, "message_id", "<1.abc@agent.test>");
	assert_int(m, "attempts", 1);
	assert_null_key(m, "last_error");
	m = json_array_get(a, 1);
	assert_keys(m, keys, NROWS(keys));
	assert_str(m, "kind", "delivery_failed");
	assert_str(m, "status", "failed");
	assert_null_key(m, "message_id");
	assert_int(m, "attempts", 5);
	assert_str(m, "last_error", "550 5.1.1 no such user");
}

/* Every key of SPEC §2, in order, with its type and value. */
static void
test_tenant_json_full(void **state)
{
	static const char *const workloads[] = { "m365", "endpoints" };
	static const char *const reasons[] = { "customer admin address is "
	    "not valid", "suspended" };
	struct extras e;
	struct tenant t;
	json_t *j, *plan, *token;

	(void)state;
	make_tenant(&t, "Example Ltd");
	strvec_push(&t.blocked_reasons, reasons[0]);
	strvec_push(&t.blocked_reasons, reasons[1]);
	make_extras(&e);
	j = view_tenant_json(&t, &e.x);
	assert_non_null(j);
	assert_keys(j, tenant_keys, NROWS(tenant_keys));
	assert_int(j, "id", 7);
	assert_str(j, "name", "Example Ltd");
	assert_str(j, "state", "awaiting_approval");
	assert_int(j, "workflow", 2);
	assert_true(json_is_true(json_object_get(j, "restricted")));
	assert_str(j, "customer_admin", "a@x.test");
	assert_str(j, "msp_admin", "m@y.test");
	assert_str(j, "edition", "enterprise");
	assert_strings(json_object_get(j, "workloads"), workloads, 2);
	assert_true(json_is_false(json_object_get(j, "suspended")));
	plan = json_object_get(j, "plan");
	assert_keys(plan, (const char *const[]){ "id", "name" }, 2);
	assert_int(plan, "id", 3);
	assert_str(plan, "name", "Gold");
	assert_strings(json_object_get(j, "blocked_reasons"), reasons, 2);
	check_licences(json_object_get(j, "licenses"));
	token = json_object_get(j, "token");
	assert_keys(token, (const char *const[]){ "generation", "expires_at" },
	    2);
	assert_int(token, "generation", 2);
	assert_str(token, "expires_at", "2026-12-28T10:00:00Z");
	check_history(json_object_get(j, "history"));
	check_mails(json_object_get(j, "mails"));
	json_decref(j);
	free_extras(&e);
	tenant_clear(&t);
}

/* Without history and mails the keys are left out; nulls where empty. */
static void
test_tenant_json_short(void **state)
{
	struct tenant_extra x = { 0 };
	struct token_info none = { .generation = 5, .issued_at = 0 };
	struct tenant t;
	json_t *j;
	int round;

	(void)state;
	make_tenant(&t, "Example Ltd");
	t.suspended = 1;
	for (round = 0; round < 3; round++) {
		print_message("round %d\n", round);
		/* No extra at all; then an empty one; then an unissued token. */
		if (round == 2)
			x.token = &none;
		j = view_tenant_json(&t, round == 0 ? NULL : &x);
		assert_non_null(j);
		assert_keys(j, tenant_keys, NROWS(tenant_keys) - 2);
		assert_null_key(j, "plan");
		assert_null_key(j, "token");
		assert_true(json_is_true(json_object_get(j, "suspended")));
		assert_int_equal(json_array_size(json_object_get(j,
		    "blocked_reasons")), 0);
		assert_true(json_is_array(json_object_get(j,
		    "blocked_reasons")));
		json_decref(j);
	}
	tenant_clear(&t);
}

/* Empty lists are asked for: the keys are there, as empty arrays. */
static void
test_tenant_json_empty_lists(void **state)
{
	struct tenant_extra x = { 0 };
	struct tenant t;
	json_t *j;

	(void)state;
	make_tenant(&t, "Example Ltd");
	x.with_history = 1;
	x.with_mails = 1;
	j = view_tenant_json(&t, &x);
	assert_keys(j, tenant_keys, NROWS(tenant_keys));
	assert_true(json_is_array(json_object_get(j, "history")));
	assert_int_equal(json_array_size(json_object_get(j, "history")), 0);
	assert_true(json_is_array(json_object_get(j, "mails")));
	assert_int_equal(json_array_size(json_object_get(j, "mails")), 0);
	json_decref(j);
	tenant_clear(&t);
}

struct workloads_row {
	unsigned	 set;
	int		 workflow;
	const char	*names[WORKLOAD_COUNT];
	size_t		 n;
};

static const struct workloads_row workloads_rows[] = {
	{ 0, 2, { NULL }, 0 },
	{ HYB, 1, { "hybrid" }, 1 },
	{ END | M365, 2, { "m365", "endpoints" }, 2 },
	{ END | GWS | M365 | HYB, 1,
	    { "hybrid", "m365", "gws", "endpoints" }, 4 },
	{ END | GWS, 2, { "gws", "endpoints" }, 2 },
};

/* Workloads come in table order, and licences follow them. */
static void
test_tenant_json_workloads(void **state)
{
	const struct workloads_row *r;
	struct tenant t;
	json_t *j, *lic;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(workloads_rows); i++) {
		r = &workloads_rows[i];
		print_message("row %zu\n", i);
		make_tenant(&t, "W");
		t.workloads = r->set;
		t.expires[WORKLOAD_M365] = DATE_NONE;
		t.after[WORKLOAD_ENDPOINTS] = DATE_NONE;
		j = view_tenant_json(&t, NULL);
		assert_strings(json_object_get(j, "workloads"), r->names, r->n);
		assert_int(j, "workflow", r->workflow);
		lic = json_object_get(j, "licenses");
		assert_keys(lic, r->names, r->n);
		json_decref(j);
		tenant_clear(&t);
	}
}

struct state_row {
	enum tenant_state	 state;
	const char		*name;
	int			 restricted;
};

static const struct state_row state_rows[] = {
	{ STATE_NEW, "new", 0 },
	{ STATE_BLOCKED, "blocked", 0 },
	{ STATE_AWAITING_APPROVAL, "awaiting_approval", 1 },
	{ STATE_AWAITING_VERIFICATION, "awaiting_verification", 1 },
	{ STATE_FINALIZING, "finalizing", 1 },
	{ STATE_COMPLETED, "completed", 0 },
	{ STATE_REJECTED, "rejected", 0 },
	{ STATE_TOKEN_EXPIRED, "token_expired", 0 },
	{ STATE_CANCELLED, "cancelled", 0 },
};

static void
test_tenant_json_states(void **state)
{
	struct tenant t;
	json_t *j;
	size_t i;

	(void)state;
	assert_int_equal(NROWS(state_rows), STATE_COUNT);
	for (i = 0; i < NROWS(state_rows); i++) {
		make_tenant(&t, "S");
		t.state = state_rows[i].state;
		j = view_tenant_json(&t, NULL);
		assert_str(j, "state", state_rows[i].name);
		assert_true(json_is_boolean(json_object_get(j, "restricted")));
		assert_int_equal(json_is_true(json_object_get(j, "restricted")),
		    state_rows[i].restricted);
		json_decref(j);
		tenant_clear(&t);
	}
}

static const char *const unicode_names[] = {
	KANJI4,
	KANJI4 " " ROCKET,
	"Caf" "e" COMBINE " " GRIN,
	"\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9",		/* Arabic */
	"\xe2\x80\xae" "RTL override",			/* U+202E */
	"line\xe2\x80\xa8" "sep",			/* U+2028 */
	"\xef\xbb\xbf" "BOM inside",
};

/* Names reach json_dumps byte for byte, not as \u escapes. */
static void
test_tenant_json_unicode(void **state)
{
	struct tenant t;
	json_t *j, *back;
	char *dump, *expected;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(unicode_names); i++) {
		print_message("name %zu: %s\n", i, unicode_names[i]);
		make_tenant(&t, unicode_names[i]);
		j = view_tenant_json(&t, NULL);
		assert_non_null(j);
		dump = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		assert_non_null(dump);
		expected = xasprintf("\"name\":\"%s\"", unicode_names[i]);
		assert_non_null(strstr(dump, expected));
		back = json_loads(dump, 0, NULL);
		assert_non_null(back);
		assert_str(back, "name", unicode_names[i]);
		json_decref(back);
		free(expected);
		free(dump);
		json_decref(j);
		tenant_clear(&t);
	}
}

/* Quotes, backslashes and slashes are escaped and come back the same. */
static void
test_tenant_json_escapes(void **state)
{
	static const char name[] = "A \"quoted\" \\ name </script>";
	struct capture c;
	struct tenant t;
	json_t *j, *back;
	char *text;

	(void)state;
	make_tenant(&t, name);
	j = view_tenant_json(&t, NULL);
	capture_start(&c);
	view_print_json(c.fp, j);
	text = capture_end(&c);
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_non_null(strstr(text, "A \\\"quoted\\\" \\\\ name"));
	back = json_loads(text, 0, NULL);
	assert_non_null(back);
	assert_str(back, "name", name);
	assert_true(json_equal(back, j));
	json_decref(back);
	json_decref(j);
	free(text);
	tenant_clear(&t);
}

/* view_print_json keeps the keys in the document's order. */
static void
test_print_json_order(void **state)
{
	struct capture c;
	struct extras e;
	struct tenant t;
	json_t *j;
	char *text, *key;
	const char *at, *last;
	size_t i;

	(void)state;
	make_tenant(&t, KANJI4);
	make_extras(&e);
	j = view_tenant_json(&t, &e.x);
	capture_start(&c);
	view_print_json(c.fp, j);
	text = capture_end(&c);
	assert_non_null(strstr(text, "\"name\": \"" KANJI4 "\""));
	last = text;
	for (i = 0; i < NROWS(tenant_keys); i++) {
		key = xasprintf("\n  \"%s\":", tenant_keys[i]);
		at = strstr(text, key);
		print_message("%s\n", tenant_keys[i]);
		assert_non_null(at);
		assert_true(at > last || i == 0);
		last = at;
		free(key);
	}
	json_decref(j);
	free(text);
	free_extras(&e);
	tenant_clear(&t);
}

static void
test_plan_json(void **state)
{
	static const char *const keys[] = { "id", "name", "edition",
	    "products" };
	static const char *const products[] = { "m365", "gws", "endpoints" };
	struct plan p;
	json_t *j;

	(void)state;
	make_plan(&p);
	j = view_plan_json(&p);
	assert_keys(j, keys, NROWS(keys));
	assert_int(j, "id", 3);
	assert_str(j, "name", "Gold");
	assert_str(j, "edition", "enterprise");
	assert_strings(json_object_get(j, "products"), products, 3);
	json_decref(j);
	plan_clear(&p);
}

/* ---- text ---- */

#define ROW_FORMAT	"%-6s %-22s %-3s %-10s %-26s %s\n"
#define NAME_COLUMN	(6 + 1 + 22 + 1 + 3 + 1 + 10 + 1 + 26 + 1)

static void
test_tenant_row_header(void **state)
{
	struct capture c;
	char *text;

	(void)state;
	capture_start(&c);
	view_tenant_row(c.fp, NULL);
	text = capture_end(&c);
	assert_string_equal(text, "ID     STATE                  WF  "
	    "RESTRICTED WORKLOADS                  NAME\n");
	assert_int_equal(strstr(text, "NAME") - text, NAME_COLUMN);
	free(text);
}

struct row_row {
	int64_t			 id;
	enum tenant_state	 state;
	unsigned		 workloads;
	const char		*name;
	const char		*cells[5];	/* id .. workloads, as shown */
};

static const struct row_row row_rows[] = {
	{ 7, STATE_AWAITING_APPROVAL, M365 | END, KANJI4 ROCKET,
	    { "7", "awaiting_approval", "2", "yes", "m365,endpoints" } },
	{ 12, STATE_NEW, HYB | M365, GRIN " Acme",
	    { "12", "new", "1", "no", "hybrid,m365" } },
	{ 123456, STATE_AWAITING_VERIFICATION, HYB | M365 | GWS | END,
	    "e" COMBINE "cole",
	    { "123456", "awaiting_verification", "1", "yes",
	    "hybrid,m365,gws,endpoints" } },
	{ 3, STATE_FINALIZING, HYB, "Plain",
	    { "3", "finalizing", "1", "yes", "hybrid" } },
	{ 4, STATE_CANCELLED, 0, "Empty",
	    { "4", "cancelled", "2", "no", "-" } },
	{ 5, STATE_BLOCKED, GWS, "B",
	    { "5", "blocked", "2", "no", "gws" } },
};

/* Every row lines up with the header; the name starts in NAME's column. */
static void
test_tenant_rows(void **state)
{
	const struct row_row *r;
	struct capture c;
	struct tenant t;
	char *text, *expected;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(row_rows); i++) {
		r = &row_rows[i];
		print_message("row %zu\n", i);
		make_tenant(&t, r->name);
		t.id = r->id;
		t.state = r->state;
		t.workloads = r->workloads;
		capture_start(&c);
		view_tenant_row(c.fp, &t);
		text = capture_end(&c);
		expected = xasprintf(ROW_FORMAT, r->cells[0], r->cells[1],
		    r->cells[2], r->cells[3], r->cells[4], r->name);
		assert_string_equal(text, expected);
		assert_int_equal(strstr(text, r->name) - text, NAME_COLUMN);
		free(expected);
		free(text);
		tenant_clear(&t);
	}
}

struct plan_row {
	const char	*edition;
	size_t		 columns;	/* its width on a terminal */
	const char	*name;
};

static const struct plan_row plan_rows[] = {
	{ "enterprise", 10, "Gold" },
	{ KANJI4, 8, KANJI4 " " GRIN },
	{ "e" COMBINE "dition", 7, "Acute" },
	{ GRIN " pro", 6, "Grin" },
	{ ROCKET " pro", 6, "Rocket" },
};

/*
 * The edition is padded by terminal columns, so that PRODUCTS lines up
 * with the header however wide the characters before it are.
 */
static void
test_plan_rows(void **state)
{
	struct capture c;
	struct plan p;
	char *text, *expected;
	size_t i;

	(void)state;
	capture_start(&c);
	view_plan_row(c.fp, NULL);
	text = capture_end(&c);
	assert_string_equal(text, "ID     EDITION          PRODUCTS       "
	    "            NAME\n");
	free(text);
	for (i = 0; i < NROWS(plan_rows); i++) {
		print_message("row %zu: %s\n", i, plan_rows[i].edition);
		make_plan(&p);
		free(p.edition);
		free(p.name);
		p.edition = xstrdup(plan_rows[i].edition);
		p.name = xstrdup(plan_rows[i].name);
		capture_start(&c);
		view_plan_row(c.fp, &p);
		text = capture_end(&c);
		expected = xasprintf("3      %s%*s %-26s %s\n",
		    plan_rows[i].edition, (int)(16 - plan_rows[i].columns), "",
		    "m365,gws,endpoints", plan_rows[i].name);
		assert_string_equal(text, expected);
		free(expected);
		free(text);
		plan_clear(&p);
	}
}

/* The tenant as text; the caller frees the result. */
static char *
tenant_text(const struct tenant *t, const struct tenant_extra *x)
{
	struct capture c;

	capture_start(&c);
	view_tenant_text(c.fp, t, x);
	return capture_end(&c);
}

/* "restricted" is always said: yes while the migration runs, else no. */
static void
test_tenant_text_restricted(void **state)
{
	struct tenant t;
	char *text, *line;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(state_rows); i++) {
		print_message("%s\n", state_rows[i].name);
		make_tenant(&t, "Plain Name");
		t.state = state_rows[i].state;
		text = tenant_text(&t, NULL);
		line = xasprintf("\nstate           %s\nrestricted      %s",
		    state_rows[i].name, state_rows[i].restricted ?
		    "yes (no user or licence changes; backups and restores "
		    "go on)\n" : "no\n");
		assert_non_null(strstr(text, line));
		free(line);
		free(text);
		tenant_clear(&t);
	}
}

/* A history row that kept the state is shown as the state, not a move. */
static void
test_tenant_text_same_state(void **state)
{
	struct history_entry h = { 0 };
	struct tenant_extra x = { 0 };
	struct tenant t;
	char *text;

	(void)state;
	make_tenant(&t, "Plain Name");
	h.at = T_ISSUED;
	h.from = h.to = STATE_NEW;
	h.actor = xstrdup("cli");
	h.detail = xstrdup("registered");
	x.with_history = 1;
	x.history = &h;
	x.nhistory = 1;
	text = tenant_text(&t, &x);
	assert_non_null(strstr(text,
	    "\n  2026-11-28T10:00:00Z  new  by cli: registered\n"));
	assert_null(strstr(text, "new -> new"));
	free(text);
	free(h.actor);
	free(h.detail);
	tenant_clear(&t);
}

/* Lines that must appear, whole, in the full text of a tenant. */
static const char *const full_lines[] = {
	"tenant 7: " KANJI4 " " ROCKET "\n",
	"\nblocked because suspended\n",
	"\n                not a customer\n",
	"\nworkflow        2 (SaaS and endpoints only)\n",
	"\ncustomer admin  a@x.test\n",
	"\nMSP admin       m@y.test\n",
	"\nedition         enterprise\n",
	"\nworkloads       m365, endpoints\n",
	"\nsuspended       no\n",
	"\nplan            Gold\n",
	"\ntoken           generation 2, expires 2026-12-28T10:00:00Z\n",
	"\n\nlicences        expires     after migration\n",
	"\n  m365          2027-03-01  -\n",
	"\n  endpoints     -           2028-03-01\n",
	"\n\nhistory\n",
	"\n  2026-11-28T10:00:00Z  new -> blocked  by cli: preflight: no "
	    "workloads\n",
	"\n  2026-11-28T10:05:09Z  blocked -> awaiting_approval  by "
	    "a@x.test\n",
	"\n\nmails\n",
	"\n  approval_request       sent    attempts 1  to a@x.test\n",
	"\n  delivery_failed        failed  attempts 5  to m@y.test  "
	    "(550 5.1.1 no such user)\n",
};

static void
test_tenant_text_full(void **state)
{
	struct extras e;
	struct tenant t;
	char *text;
	size_t i, missing = 0;

	(void)state;
	make_tenant(&t, KANJI4 " " ROCKET);
	strvec_push(&t.blocked_reasons, "suspended");
	strvec_push(&t.blocked_reasons, "not a customer");
	make_extras(&e);
	text = tenant_text(&t, &e.x);
	assert_memory_equal(text, full_lines[0], strlen(full_lines[0]));
	for (i = 0; i < NROWS(full_lines); i++) {
		if (strstr(text, full_lines[i]) != NULL)
			continue;
		print_error("missing line %zu: %s", i, full_lines[i]);
		missing++;
	}
	if (missing > 0)
		print_error("in:\n%s", text);
	assert_int_equal(missing, 0);
	free(text);
	free_extras(&e);
	tenant_clear(&t);
}

/* Without extras: no token, no plan, no history or mails sections. */
static void
test_tenant_text_short(void **state)
{
	struct tenant_extra x = { 0 };
	struct tenant t;
	char *text;

	(void)state;
	make_tenant(&t, "Plain");
	t.workloads = 0;
	t.expires[WORKLOAD_M365] = DATE_NONE;
	t.after[WORKLOAD_ENDPOINTS] = DATE_NONE;
	t.suspended = 1;
	text = tenant_text(&t, NULL);
	assert_non_null(strstr(text, "\nplan            (none chosen)\n"));
	assert_non_null(strstr(text, "\nworkloads       (none)\n"));
	assert_non_null(strstr(text, "\nsuspended       yes\n"));
	assert_null(strstr(text, "token"));
	assert_null(strstr(text, "blocked because"));
	assert_null(strstr(text, "history"));
	assert_null(strstr(text, "mails"));
	/* The licences table has its header and no rows. */
	assert_non_null(strstr(text, "after migration\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_null(strstr(strstr(text, "after migration\n") + 16, "  "));
	free(text);

	/* Asked-for but empty mails say so. */
	x.with_mails = 1;
	text = tenant_text(&t, &x);
	assert_non_null(strstr(text, "\n\nmails\n  (none)\n"));
	free(text);
	tenant_clear(&t);
}

/* "language": the tenant's own, else the agent's default, else en. */
static void
test_tenant_language(void **state)
{
	struct tenant_extra x = { 0 };
	struct tenant t;
	struct err err;
	json_t *j;
	char *text;

	(void)state;
	make_tenant(&t, "Sprachen GmbH");
	j = view_tenant_json(&t, NULL);
	assert_str(j, "language", "en");
	json_decref(j);
	x.language = "fr-CA";
	j = view_tenant_json(&t, &x);
	assert_str(j, "language", "fr-CA");
	json_decref(j);
	text = tenant_text(&t, &x);
	assert_non_null(strstr(text, "fr-CA (the default)\n"));
	free(text);

	assert_int_equal(tenant_set_language(&t, "de-at", &err), 0);
	j = view_tenant_json(&t, &x);
	assert_str(j, "language", "de-AT");
	json_decref(j);
	text = tenant_text(&t, &x);
	assert_non_null(strstr(text, "de-AT\n"));
	assert_null(strstr(text, "(the default)"));
	free(text);
	tenant_clear(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tenant_json_full),
		cmocka_unit_test(test_tenant_json_short),
		cmocka_unit_test(test_tenant_json_empty_lists),
		cmocka_unit_test(test_tenant_language),
		cmocka_unit_test(test_tenant_json_workloads),
		cmocka_unit_test(test_tenant_json_states),
		cmocka_unit_test(test_tenant_json_unicode),
		cmocka_unit_test(test_tenant_json_escapes),
		cmocka_unit_test(test_print_json_order),
		cmocka_unit_test(test_plan_json),
		cmocka_unit_test(test_tenant_row_header),
		cmocka_unit_test(test_tenant_rows),
		cmocka_unit_test(test_plan_rows),
		cmocka_unit_test(test_tenant_text_restricted),
		cmocka_unit_test(test_tenant_text_same_state),
		cmocka_unit_test(test_tenant_text_full),
		cmocka_unit_test(test_tenant_text_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
