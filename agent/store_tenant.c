/* store_tenant.c: the plans, the tenants and their licences. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "store_impl.h"

#define TENANT_COLUMNS \
	"id, name, customer_admin, msp_admin, workloads, edition, suspended, " \
	"state, plan_id, generation, blocked_reasons, created_at, state_since, " \
	"language"

/* ---- plans ---- */

int
store_plan_add(struct store *st, const struct plan *p, int64_t now,
    int64_t *id, struct err *err)
{
	struct db_stmt *stmt = NULL;
	char *products = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO plans (name, edition, products, created_at)"
	    " VALUES (?1, ?2, ?3, ?4) RETURNING id", &stmt, err) == -1)
		goto out;
	products = workloads_format(p->products, ",");
	db_bind_text(stmt, 1, p->name);
	db_bind_text(stmt, 2, p->edition);
	db_bind_text(stmt, 3, products);
	db_bind_int64(stmt, 4, now);
	if (db_step(stmt) != DB_ROW) {
		if (db_unique_violation(st))
			err_set(err, ERR_INPUT, "a plan named '%s' exists "
			    "already", p->name);
		else
			db_fail(st, err, "adding a plan");
		goto out;
	}
	*id = db_column_int64(stmt, 0);
	rc = 0;
out:
	free(products);
	release(st, stmt);
	return rc;
}

static int
plan_from_row(struct db_stmt *stmt, struct plan *p, struct err *err)
{
	memset(p, 0, sizeof *p);
	p->id = db_column_int64(stmt, 0);
	p->name = column_strdup(stmt, 1);
	p->edition = column_strdup(stmt, 2);
	if (workloads_parse(db_column_text(stmt, 3),
	    &p->products, err) == -1) {
		err_prefix(err, "database: plan %lld", (long long)p->id);
		err->kind = ERR_RUNTIME;
		return -1;
	}
	return 0;
}

static int
plan_fill(struct db_stmt *stmt, void *p, struct err *err)
{
	return plan_from_row(stmt, p, err);
}

static void
plan_unfill(void *p)
{
	plan_clear(p);
}

static const struct row_kind plan_rows = {
	sizeof(struct plan), plan_fill, plan_unfill
};

int
store_plan_list(struct store *st, struct plan **plans, size_t *n,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, "SELECT id, name, edition, products FROM plans "
	    "ORDER BY id", &stmt, err) == -1)
		goto out;
	rc = collect_rows(st, stmt, &plan_rows, "listing plans", &list, n,
	    err);
out:
	release(st, stmt);
	*plans = list;
	return rc;
}

void
store_plans_free(struct plan *plans, size_t n)
{
	free_rows(&plan_rows, plans, n);
}

static int
is_all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Reads the one plan a prepared query with its key bound returns. */
static int
plan_one(struct store *st, struct db_stmt *stmt, const char *shown,
    struct plan *p, struct err *err)
{
	int step;

	step = db_step(stmt);
	if (step == DB_DONE) {
		err_set(err, ERR_INPUT, "no plan '%s'", shown);
		return -1;
	}
	if (step != DB_ROW)
		return db_fail(st, err, "reading a plan");
	return plan_from_row(stmt, p, err);
}

int
store_plan_find(struct store *st, const char *key, struct plan *p,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1;

	memset(p, 0, sizeof *p);
	if (prepare(st, is_all_digits(key) ?
	    "SELECT id, name, edition, products FROM plans WHERE id = ?1" :
	    "SELECT id, name, edition, products FROM plans WHERE name = ?1",
	    &stmt, err) == -1)
		goto out;
	db_bind_text(stmt, 1, key);
	rc = plan_one(st, stmt, key, p, err);
out:
	release(st, stmt);
	return rc;
}

int
store_plan_get(struct store *st, int64_t id, struct plan *p, struct err *err)
{
	struct db_stmt *stmt = NULL;
	char shown[24];
	int rc = -1;

	memset(p, 0, sizeof *p);
	if (prepare(st, "SELECT id, name, edition, products FROM plans "
	    "WHERE id = ?1", &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, id);
	snprintf(shown, sizeof shown, "%lld", (long long)id);
	rc = plan_one(st, stmt, shown, p, err);
out:
	release(st, stmt);
	return rc;
}

/* ---- tenants ---- */

static char *
reasons_join(const struct strvec *reasons)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < reasons->n; i++) {
		if (i > 0)
			buf_puts(&b, "\n");
		buf_puts(&b, reasons->v[i]);
	}
	return buf_release(&b);
}

static void
reasons_split(const char *joined, struct strvec *reasons)
{
	const char *p, *nl;
	char *one;

	for (p = joined; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		one = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		strvec_push(reasons, one);
		free(one);
	}
}

static int
licences_write(struct store *st, const struct tenant *t, struct err *err)
{
	struct db_stmt *del = NULL, *ins = NULL;
	char expires[DATE_STR_LEN], after[DATE_STR_LEN];
	int rc = -1, w;

	if (prepare(st, "DELETE FROM licences WHERE tenant_id = ?1", &del,
	    err) == -1 ||
	    prepare(st, "INSERT INTO licences (tenant_id, workload, expires, "
	    "after_migration) VALUES (?1, ?2, ?3, ?4)", &ins, err) == -1)
		goto out;
	db_bind_int64(del, 1, t->id);
	if (step_done(st, del, err) == -1)
		goto out;
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (!(t->workloads & WORKLOAD_BIT(w)) &&
		    t->expires[w] == DATE_NONE)
			continue;
		db_reset(ins);
		db_bind_int64(ins, 1, t->id);
		db_bind_static(ins, 2, workload_name(w));
		date_format(t->expires[w], expires);
		date_format(t->after[w], after);
		bind_text_or_null(ins, 3,
		    t->expires[w] == DATE_NONE ? NULL : expires);
		bind_text_or_null(ins, 4,
		    t->after[w] == DATE_NONE ? NULL : after);
		if (step_done(st, ins, err) == -1)
			goto out;
	}
	rc = 0;
out:
	release(st, del);
	release(st, ins);
	return rc;
}

/* The licence rows of tenant id, prepared and bound; release it. */
static int
licences_query(struct store *st, int64_t id, struct db_stmt **stmt,
    struct err *err)
{
	if (prepare(st, "SELECT workload, expires, after_migration "
	    "FROM licences WHERE tenant_id = ?1", stmt, err) == -1)
		return -1;
	db_bind_int64(*stmt, 1, id);
	return 0;
}

/* 1 when the stored value is the date d (NULL for none). */
static int
same_date(const char *stored, int32_t d)
{
	char day[DATE_STR_LEN];

	if (d == DATE_NONE)
		return stored == NULL;
	date_format(d, day);
	return stored != NULL && strcmp(stored, day) == 0;
}

/* *same = 1 when the rows stored are the ones licences_write writes. */
static int
licences_same(struct store *st, const struct tenant *t, int *same,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	const char *name;
	unsigned int want = 0, seen = 0;
	int rc = -1, step, w;

	*same = 1;
	for (w = 0; w < WORKLOAD_COUNT; w++)
		if ((t->workloads & WORKLOAD_BIT(w)) ||
		    t->expires[w] != DATE_NONE)
			want |= 1u << w;
	if (licences_query(st, t->id, &stmt, err) == -1)
		goto out;
	while ((step = db_step(stmt)) == DB_ROW) {
		name = db_column_text(stmt, 0);
		w = name ? workload_from_name(name) : -1;
		if (w < 0 || (seen & (1u << w)) ||
		    !same_date(db_column_text(stmt, 1), t->expires[w]) ||
		    !same_date(db_column_text(stmt, 2), t->after[w]))
			*same = 0;
		else
			seen |= 1u << w;
	}
	if (step != DB_DONE) {
		db_fail(st, err, "reading licences");
		goto out;
	}
	*same = *same && seen == want;
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

static int
licences_read(struct store *st, struct tenant *t, struct err *err)
{
	struct db_stmt *stmt = NULL;
	const char *name, *expires, *after;
	int rc = -1, step, w;

	if (licences_query(st, t->id, &stmt, err) == -1)
		goto out;
	while ((step = db_step(stmt)) == DB_ROW) {
		name = db_column_text(stmt, 0);
		expires = db_column_text(stmt, 1);
		after = db_column_text(stmt, 2);
		w = name ? workload_from_name(name) : -1;
		if (w < 0 ||
		    (expires && date_parse(expires, &t->expires[w]) == -1) ||
		    (after && date_parse(after, &t->after[w]) == -1)) {
			err_set(err, ERR_RUNTIME, "database: tenant %lld has "
			    "a damaged licence row", (long long)t->id);
			goto out;
		}
	}
	if (step != DB_DONE) {
		db_fail(st, err, "reading licences");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

/* Reads the columns of TENANT_COLUMNS, in that order. */
static int
tenant_from_row(struct db_stmt *stmt, struct tenant *t, struct err *err)
{
	const char *workloads, *state;
	int s;

	tenant_init(t);
	t->id = db_column_int64(stmt, 0);
	t->name = column_strdup(stmt, 1);
	t->customer_admin = column_strdup(stmt, 2);
	t->msp_admin = column_strdup(stmt, 3);
	workloads = db_column_text(stmt, 4);
	t->edition = column_strdup(stmt, 5);
	t->suspended = db_column_int(stmt, 6);
	state = db_column_text(stmt, 7);
	t->plan_id = db_column_int64(stmt, 8);
	t->generation = db_column_int64(stmt, 9);
	reasons_split(db_column_text(stmt, 10),
	    &t->blocked_reasons);
	t->created_at = db_column_int64(stmt, 11);
	t->state_since = db_column_int64(stmt, 12);
	t->language = column_strdup(stmt, 13);
	s = state ? fsm_state_from_name(state) : -1;
	if (s < 0 || workloads == NULL ||
	    workloads_parse(workloads, &t->workloads, err) == -1) {
		err_set(err, ERR_RUNTIME, "database: tenant %lld has a "
		    "damaged row", (long long)t->id);
		return -1;
	}
	t->state = s;
	return 0;
}

int
store_tenant_add(struct store *st, const struct tenant *t, int64_t now,
    int64_t *id, struct err *err)
{
	struct db_stmt *stmt = NULL;
	struct tenant copy;
	char *workloads = NULL;
	int rc = -1;

	if (prepare(st, "INSERT INTO tenants (name, customer_admin, msp_admin,"
	    " workloads, edition, suspended, state, created_at, state_since,"
	    " language) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'new', ?7, ?7, ?8)"
	    " RETURNING id", &stmt, err) == -1)
		goto out;
	workloads = workloads_format(t->workloads, ",");
	db_bind_text(stmt, 1, t->name);
	db_bind_text(stmt, 2, t->customer_admin);
	db_bind_text(stmt, 3, t->msp_admin);
	db_bind_text(stmt, 4, workloads);
	db_bind_text(stmt, 5, t->edition);
	db_bind_int64(stmt, 6, t->suspended ? 1 : 0);
	db_bind_int64(stmt, 7, now);
	db_bind_text(stmt, 8, t->language);
	if (step_int64(st, stmt, "adding a tenant", id, NULL, err) == -1)
		goto out;
	copy = *t;
	copy.id = *id;
	rc = licences_write(st, &copy, err);
out:
	free(workloads);
	release(st, stmt);
	return rc;
}

int
store_tenant_get(struct store *st, int64_t id, struct tenant *t,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	int rc = -1, step;

	tenant_init(t);
	if (prepare(st, "SELECT " TENANT_COLUMNS " FROM tenants WHERE id = ?1",
	    &stmt, err) == -1)
		goto out;
	db_bind_int64(stmt, 1, id);
	step = db_step(stmt);
	if (step == DB_DONE) {
		err_set(err, ERR_INPUT, "no tenant %lld", (long long)id);
		goto out;
	}
	if (step != DB_ROW) {
		db_fail(st, err, "reading a tenant");
		goto out;
	}
	if (tenant_from_row(stmt, t, err) == -1 ||
	    licences_read(st, t, err) == -1)
		goto out;
	rc = 0;
out:
	release(st, stmt);
	if (rc == -1)
		tenant_clear(t);
	return rc;
}

int
store_tenant_update(struct store *st, const struct tenant *t,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	char *workloads = NULL;
	int rc = -1;

	if (prepare(st, "UPDATE tenants SET name = ?2, customer_admin = ?3, "
	    "msp_admin = ?4, workloads = ?5, edition = ?6, suspended = ?7, "
	    "language = ?9 WHERE id = ?1 AND state = ?8", &stmt, err) == -1)
		goto out;
	workloads = workloads_format(t->workloads, ",");
	db_bind_int64(stmt, 1, t->id);
	db_bind_text(stmt, 2, t->name);
	db_bind_text(stmt, 3, t->customer_admin);
	db_bind_text(stmt, 4, t->msp_admin);
	db_bind_text(stmt, 5, workloads);
	db_bind_text(stmt, 6, t->edition);
	db_bind_int64(stmt, 7, t->suspended ? 1 : 0);
	db_bind_static(stmt, 8, fsm_state_name(t->state));
	db_bind_text(stmt, 9, t->language);
	if (step_done(st, stmt, err) == -1)
		goto out;
	if (db_changes(st) != 1) {
		err_set(err, ERR_STATE, "tenant %lld changed meanwhile",
		    (long long)t->id);
		goto out;
	}
	rc = licences_write(st, t, err);
out:
	free(workloads);
	release(st, stmt);
	return rc;
}

int
store_tenant_each(struct store *st, int state,
    int (*fn)(const struct tenant *, void *), void *arg, struct err *err)
{
	struct db_stmt *stmt = NULL;
	struct tenant t;
	int rc = -1, step, stop = 0;

	if (prepare(st, state < 0 ?
	    "SELECT " TENANT_COLUMNS " FROM tenants ORDER BY id" :
	    "SELECT " TENANT_COLUMNS " FROM tenants WHERE state = ?1 "
	    "ORDER BY id", &stmt, err) == -1)
		goto out;
	if (state >= 0)
		db_bind_static(stmt, 1, fsm_state_name(state));
	while (!stop && (step = db_step(stmt)) == DB_ROW) {
		if (tenant_from_row(stmt, &t, err) == -1 ||
		    licences_read(st, &t, err) == -1) {
			tenant_clear(&t);
			goto out;
		}
		stop = fn(&t, arg);
		tenant_clear(&t);
	}
	if (!stop && step != DB_DONE) {
		db_fail(st, err, "listing tenants");
		goto out;
	}
	rc = 0;
out:
	release(st, stmt);
	return rc;
}

int
store_tenant_ids(struct store *st, int state, int64_t **ids, size_t *n,
    struct err *err)
{
	struct db_stmt *stmt = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	if (prepare(st, state < 0 ?
	    "SELECT id FROM tenants ORDER BY id" :
	    "SELECT id FROM tenants WHERE state = ?1 ORDER BY id",
	    &stmt, err) == -1)
		goto out;
	if (state >= 0)
		db_bind_static(stmt, 1, fsm_state_name(state));
	rc = collect_rows(st, stmt, &int64_rows, "listing tenants", &list, n,
	    err);
out:
	release(st, stmt);
	*ids = list;
	return rc;
}

int
store_tenant_transition(struct store *st, const struct tenant *t,
    enum tenant_state expected, int64_t now, struct err *err)
{
	struct db_stmt *stmt = NULL;
	char *reasons = NULL;
	int rc = -1, same;

	if (prepare(st, "UPDATE tenants SET state = ?2, plan_id = ?3, "
	    "generation = ?4, blocked_reasons = ?5, state_since = ?6 "
	    "WHERE id = ?1 AND state = ?7", &stmt, err) == -1)
		goto out;
	reasons = reasons_join(&t->blocked_reasons);
	db_bind_int64(stmt, 1, t->id);
	db_bind_static(stmt, 2, fsm_state_name(t->state));
	bind_id_or_null(stmt, 3, t->plan_id);
	db_bind_int64(stmt, 4, t->generation);
	db_bind_text(stmt, 5, reasons);
	/* A reminder or a clarification keeps the tenant where it was:
	 * state_since is when the state was entered. */
	db_bind_int64(stmt, 6, t->state == expected ? t->state_since : now);
	db_bind_static(stmt, 7, fsm_state_name(expected));
	if (step_done(st, stmt, err) == -1)
		goto out;
	if (db_changes(st) != 1) {
		err_set(err, ERR_STATE, "tenant %lld is no longer %s",
		    (long long)t->id, fsm_state_name(expected));
		goto out;
	}
	/* Most transitions leave the licences as they are: rewriting
	 * them would add pages to every commit for nothing. */
	if (licences_same(st, t, &same, err) == -1)
		goto out;
	rc = same ? 0 : licences_write(st, t, err);
out:
	free(reasons);
	release(st, stmt);
	return rc;
}

/* ---- the console's pages of tenants ---- */

/*
 * ?1 the state (NULL: any), ?2 a LIKE pattern (NULL: any), ?3 an id
 * (-1: none).  Two texts, so that a state uses tenants_by_state.
 */
#define PAGE_WHERE_SEARCH \
	"(?2 IS NULL OR id = ?3 OR lower(name) LIKE ?2 ESCAPE '\\' " \
	"OR lower(customer_admin) LIKE ?2 ESCAPE '\\' " \
	"OR lower(msp_admin) LIKE ?2 ESCAPE '\\')"

static const char *const page_sql[2][2] = {
	{ "SELECT count(*) FROM tenants WHERE ?1 IS NULL AND "
	  PAGE_WHERE_SEARCH,
	  "SELECT " TENANT_COLUMNS " FROM tenants WHERE ?1 IS NULL AND "
	  PAGE_WHERE_SEARCH " ORDER BY id LIMIT ?4 OFFSET ?5" },
	{ "SELECT count(*) FROM tenants WHERE state = ?1 AND "
	  PAGE_WHERE_SEARCH,
	  "SELECT " TENANT_COLUMNS " FROM tenants WHERE state = ?1 AND "
	  PAGE_WHERE_SEARCH " ORDER BY id LIMIT ?4 OFFSET ?5" },
};

/* "%q%" with LIKE's own characters taken literally, in ASCII lower
 * case: it is matched against lower(column), the same in both engines
 * (SQLite's LIKE ignores ASCII case, PostgreSQL's does not). */
static char *
like_pattern(const char *q)
{
	struct buf b = { 0 };
	char c;

	buf_puts(&b, "%");
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			buf_puts(&b, "\\");
		c = *q;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c | 0x20);	/* ASCII's lower case */
		buf_append(&b, &c, 1);
	}
	buf_puts(&b, "%");
	return buf_release(&b);
}

static void
bind_filter(struct db_stmt *stmt, const struct tenant_filter *f,
    const char *pattern)
{
	long long id = -1;

	if (f->state >= 0)
		db_bind_static(stmt, 1, fsm_state_name(f->state));
	else
		db_bind_null(stmt, 1);
	bind_text_or_null(stmt, 2, pattern);
	if (pattern != NULL && is_all_digits(f->q) && strlen(f->q) <= 18)
		id = strtoll(f->q, NULL, 10);
	db_bind_int64(stmt, 3, id);
}

static int
tenant_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	return tenant_from_row(stmt, elem, err);
}

static void
tenant_unfill(void *elem)
{
	tenant_clear(elem);
}

static const struct row_kind tenant_rows = {
	sizeof(struct tenant), tenant_fill, tenant_unfill
};

int
store_tenant_page(struct store *st, const struct tenant_filter *f,
    struct tenant **tenants, size_t *n, int64_t *total, struct err *err)
{
	struct db_stmt *count = NULL, *rows = NULL;
	const char *const *sql = page_sql[f->state >= 0];
	char *pattern = NULL;
	void *list = NULL;
	size_t i;
	int rc = -1;

	*n = 0;
	*total = 0;
	if (f->q != NULL && *f->q != '\0')
		pattern = like_pattern(f->q);
	if (prepare(st, sql[0], &count, err) == -1 ||
	    prepare(st, sql[1], &rows, err) == -1)
		goto out;
	bind_filter(count, f, pattern);
	bind_filter(rows, f, pattern);
	if (collect_page(st, count, rows, &tenant_rows, "tenants", f->offset,
	    f->limit, &list, n, total, err) == -1)
		goto out;
	for (i = 0; i < *n; i++)
		if (licences_read(st, &((struct tenant *)list)[i], err) == -1)
			goto out;
	rc = 0;
out:
	release(st, count);
	release(st, rows);
	free(pattern);
	if (rc == -1) {
		store_tenants_free(list, *n);
		list = NULL;
		*n = 0;
	}
	*tenants = list;
	return rc;
}

void
store_tenants_free(struct tenant *tenants, size_t n)
{
	free_rows(&tenant_rows, tenants, n);
}

/* ---- who must answer ---- */

/* The newest token of each tenant's current generation. */
#define LINK_EXPIRES \
	"(SELECT max(k.expires_at) FROM tokens k WHERE k.tenant_id = t.id " \
	"AND k.generation = t.generation)"

/* ?1 limit_at, then the page (collect_page); a count, then the rows,
 * for each. */
static const char *const waiting_sql[][2] = {
	[WAITING_APPROVAL] = {
	  "SELECT count(*) FROM tenants t WHERE state = 'awaiting_approval' "
	  "AND state_since <= ?1",
	  "SELECT id, name, state_since FROM tenants t "
	  "WHERE state = 'awaiting_approval' AND state_since <= ?1 "
	  "ORDER BY state_since, id LIMIT ?4 OFFSET ?5" },
	[WAITING_LINK] = {
	  "SELECT count(*) FROM tenants t WHERE state = "
	  "'awaiting_verification' AND " LINK_EXPIRES " <= ?1",
	  /* A subquery, so that WHERE may name e in either engine. */
	  "SELECT id, name, e FROM (SELECT id, name, state, " LINK_EXPIRES
	  " AS e FROM tenants t) w "
	  "WHERE state = 'awaiting_verification' AND e <= ?1 "
	  "ORDER BY e, id LIMIT ?4 OFFSET ?5" },
	[WAITING_BLOCKED] = {
	  "SELECT count(*) FROM tenants t WHERE state = 'blocked'",
	  "SELECT id, name, state_since FROM tenants t WHERE state = 'blocked' "
	  "ORDER BY state_since, id LIMIT ?4 OFFSET ?5" },
};

static int
due_fill(struct db_stmt *stmt, void *elem, struct err *err)
{
	struct tenant_due *d = elem;

	(void)err;
	d->id = db_column_int64(stmt, 0);
	d->name = column_strdup(stmt, 1);
	d->at = db_column_int64(stmt, 2);
	return 0;
}

static void
due_unfill(void *elem)
{
	free(((struct tenant_due *)elem)->name);
}

static const struct row_kind due_rows = {
	sizeof(struct tenant_due), due_fill, due_unfill
};

int
store_tenant_waiting(struct store *st, enum store_waiting what,
    int64_t limit_at, size_t limit, struct tenant_due **due, size_t *n,
    int64_t *total, struct err *err)
{
	struct db_stmt *count = NULL, *rows = NULL;
	void *list = NULL;
	int rc = -1;

	*n = 0;
	*total = 0;
	if (prepare(st, waiting_sql[what][0], &count, err) == -1 ||
	    prepare(st, waiting_sql[what][1], &rows, err) == -1)
		goto out;
	/* A query ignores the values it does not use. */
	db_bind_int64(count, 1, limit_at);
	db_bind_int64(rows, 1, limit_at);
	rc = collect_page(st, count, rows, &due_rows, "who waits", 0, limit,
	    &list, n, total, err);
out:
	release(st, count);
	release(st, rows);
	*due = list;
	return rc;
}

void
store_due_free(struct tenant_due *due, size_t n)
{
	free_rows(&due_rows, due, n);
}
