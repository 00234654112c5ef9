/* test_import.c: licence and yes/no parsers, and the CSV import into a store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "import.h"

#include "support.h"

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])

#define NOW	1795000000	/* 2026-11-18, any fixed time */
#define HEADER	"name,customer_admin,msp_admin,workloads,edition,licenses," \
		"suspended\n"
#define KANJI	"\xe6\xa0\xaa"		/* U+682A */
#define ROCKET	"\xf0\x9f\x9a\x80"	/* U+1F680 */

/* ---- import_licences ---- */

struct licence_row {
	const char	*input;
	int		 rc;
	/* Expected dates after a success, "" for DATE_NONE, in workload
	 * order hybrid, m365, gws, endpoints. */
	const char	*dates[WORKLOAD_COUNT];
	const char	*in_msg;	/* part of the message, with rc -1 */
};

static const struct licence_row licence_rows[] = {
	{ "m365=2027-01-31;endpoints=2028-01-31", 0,
	    { "", "2027-01-31", "", "2028-01-31" }, NULL },
	{ "m365=2027-01-31,endpoints=2028-01-31", 0,
	    { "", "2027-01-31", "", "2028-01-31" }, NULL },
	{ "m365=2027-01-31 endpoints=2028-01-31", 0,
	    { "", "2027-01-31", "", "2028-01-31" }, NULL },
	{ " ;, m365=2027-01-31 ;;\tgws=2026-12-01 , ", 0,
	    { "", "2027-01-31", "2026-12-01", "" }, NULL },
	{ "hybrid=2028-02-29", 0, { "2028-02-29", "", "", "" }, NULL },
	{ "hybrid=2030-01-01;m365=2030-01-02;gws=2030-01-03;"
	    "endpoints=2030-01-04", 0,
	    { "2030-01-01", "2030-01-02", "2030-01-03", "2030-01-04" }, NULL },
	{ "", 0, { "", "", "", "" }, NULL },
	{ " ; , ", 0, { "", "", "", "" }, NULL },
	{ "m365=2027-01-31;m365=2028-01-31", -1, { 0 }, "twice" },
	{ "m365=2027-01-31;endpoints=2028-01-31;m365=2027-01-31", -1, { 0 },
	    "twice" },
	{ "teams=2027-01-31", -1, { 0 }, "unknown workload" },
	{ "m365x=2027-01-31", -1, { 0 }, "unknown workload" },
	{ "=2027-01-31", -1, { 0 }, "unknown workload" },
	{ "m365", -1, { 0 }, "WORKLOAD=YYYY-MM-DD" },
	{ "m365:2027-01-31", -1, { 0 }, "WORKLOAD=YYYY-MM-DD" },
	{ "m365=2027-02-29", -1, { 0 }, "date" },
	{ "m365=2027-13-01", -1, { 0 }, "date" },
	{ "m365=2027-1-31", -1, { 0 }, "date" },
	{ "m365=", -1, { 0 }, "date" },
	{ "m365=2027-01-31=", -1, { 0 }, "date" },
	{ "m365==2027-01-31", -1, { 0 }, "date" },
};

static void
test_licences(void **state)
{
	const struct licence_row *r;
	int32_t expires[WORKLOAD_COUNT], want;
	struct err err;
	size_t i;
	int w;

	(void)state;
	for (i = 0; i < NROWS(licence_rows); i++) {
		r = &licence_rows[i];
		print_message("row %zu: '%s'\n", i, r->input);
		for (w = 0; w < WORKLOAD_COUNT; w++)
			expires[w] = DATE_NONE;
		err_clear(&err);
		assert_int_equal(import_licences(r->input, expires, &err),
		    r->rc);
		if (r->rc == -1) {
			assert_int_equal(err.kind, ERR_INPUT);
			assert_non_null(strstr(err.msg, r->in_msg));
			continue;
		}
		for (w = 0; w < WORKLOAD_COUNT; w++) {
			want = DATE_NONE;
			if (r->dates[w][0] != '\0')
				assert_int_equal(date_parse(r->dates[w], &want),
				    0);
			assert_int_equal(expires[w], want);
		}
	}
}

/* Workloads not named keep the value they had. */
static void
test_licences_keep_others(void **state)
{
	int32_t expires[WORKLOAD_COUNT] = { 11, 22, 33, 44 };
	int32_t want;
	struct err err;

	(void)state;
	assert_int_equal(import_licences("gws=2027-05-05", expires, &err), 0);
	assert_int_equal(date_parse("2027-05-05", &want), 0);
	assert_int_equal(expires[WORKLOAD_HYBRID], 11);
	assert_int_equal(expires[WORKLOAD_M365], 22);
	assert_int_equal(expires[WORKLOAD_GWS], want);
	assert_int_equal(expires[WORKLOAD_ENDPOINTS], 44);
}

/* ---- import_bool ---- */

struct bool_row {
	const char	*input;
	int		 rc;
	int		 value;
};

static const struct bool_row bool_rows[] = {
	{ "yes", 0, 1 }, { "YES", 0, 1 }, { "Yes", 0, 1 },
	{ "true", 0, 1 }, { "TRUE", 0, 1 }, { "tRuE", 0, 1 },
	{ "1", 0, 1 }, { "y", 0, 1 }, { "Y", 0, 1 },
	{ "no", 0, 0 }, { "NO", 0, 0 }, { "No", 0, 0 },
	{ "false", 0, 0 }, { "FALSE", 0, 0 }, { "False", 0, 0 },
	{ "0", 0, 0 }, { "n", 0, 0 }, { "N", 0, 0 }, { "", 0, 0 },
	{ "maybe", -1, 0 }, { "MAYBE", -1, 0 }, { "2", -1, 0 },
	{ "yes ", -1, 0 }, { " no", -1, 0 }, { "yess", -1, 0 },
	{ "ye", -1, 0 }, { "on", -1, 0 }, { "off", -1, 0 },
	{ "-1", -1, 0 }, { "\xc3\xbd", -1, 0 },
};

static void
test_bool(void **state)
{
	struct err err;
	size_t i;
	int value;

	(void)state;
	for (i = 0; i < NROWS(bool_rows); i++) {
		print_message("row %zu: '%s'\n", i, bool_rows[i].input);
		value = 7;
		err_clear(&err);
		assert_int_equal(import_bool(bool_rows[i].input, &value, &err),
		    bool_rows[i].rc);
		if (bool_rows[i].rc == 0) {
			assert_int_equal(value, bool_rows[i].value);
			continue;
		}
		assert_int_equal(value, 7);	/* untouched */
		assert_int_equal(err.kind, ERR_INPUT);
		assert_non_null(strstr(err.msg, "yes or no"));
	}
}

/* ---- import_csv ---- */

/* A folder under /tmp holding the database and the CSV files. */
struct fixture {
	char		 dir[64];
	char		*csv;		/* dir/in.csv */
	struct store	*st;
	struct strvec	 problems;
	size_t		 count;
	int64_t		 first_id;
	struct err	 err;
};

static int
setup(void **state)
{
	struct fixture *f;
	struct err err;
	char *db;
	int rc;

	f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	if (support_dir_make(f->dir, sizeof f->dir, "test_import") == -1) {
		free(f);
		return -1;
	}
	f->csv = support_path(f->dir, "in.csv");
	db = support_path(f->dir, "agent.db");
	rc = store_open(db, &f->st, &err);
	free(db);
	if (rc == -1)
		print_error("store_open: %s\n", err.msg);
	*state = f;
	return rc;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	if (f->st != NULL)
		store_close(f->st);
	strvec_clear(&f->problems);
	rc = support_dir_remove(f->dir);
	free(f->csv);
	free(f);
	return rc;
}

static void
write_csv(struct fixture *f, const char *text)
{
	support_write(f->csv, text, strlen(text), 0644);
}

/* Imports f->csv without progress, resetting the results first. */
static int
run_import(struct fixture *f)
{
	strvec_clear(&f->problems);
	err_clear(&f->err);
	f->count = 99;
	f->first_id = 99;
	return import_csv(f->st, f->csv, NOW, NULL, NULL, &f->count,
	    &f->first_id, &f->problems, &f->err);
}

static size_t
tenant_count(struct fixture *f)
{
	struct err err;
	int64_t *ids = NULL;
	size_t n = 0;

	assert_int_equal(store_tenant_ids(f->st, -1, &ids, &n, &err), 0);
	free(ids);
	return n;
}

static void
assert_date(int32_t day, const char *expected)
{
	char s[DATE_STR_LEN];

	if (expected == NULL) {
		assert_int_equal(day, DATE_NONE);
		return;
	}
	date_format(day, s);
	assert_string_equal(s, expected);
}

static const char good_csv[] =
    HEADER
    "Acme Ltd,admin@acme.test,ops@msp.test,m365;endpoints,enterprise,"
    "m365=2027-01-31;endpoints=2028-01-31,no\n"
    "\"" KANJI ROCKET ", \"\"Tokyo\"\"\",a@b.test,ops@msp.test,hybrid,"
    "standard,,YES\n"
    "Gamma,g@g.test,ops@msp.test,gws,enterprise,gws=2028-02-29,\n";

static void
test_csv_good(void **state)
{
	struct fixture *f = *state;
	struct history_entry *h = NULL;
	struct tenant t;
	struct err err;
	char *detail;
	size_t nh;

	write_csv(f, good_csv);
	assert_int_equal(run_import(f), 0);
	assert_int_equal(f->count, 3);
	assert_int_equal(f->problems.n, 0);
	assert_int_equal(tenant_count(f), 3);

	assert_int_equal(store_tenant_get(f->st, f->first_id, &t, &err), 0);
	assert_string_equal(t.name, "Acme Ltd");
	assert_string_equal(t.customer_admin, "admin@acme.test");
	assert_string_equal(t.msp_admin, "ops@msp.test");
	assert_string_equal(t.edition, "enterprise");
	assert_int_equal(t.workloads, WORKLOAD_BIT(WORKLOAD_M365) |
	    WORKLOAD_BIT(WORKLOAD_ENDPOINTS));
	assert_int_equal(t.state, STATE_NEW);
	assert_int_equal(t.suspended, 0);
	assert_date(t.expires[WORKLOAD_HYBRID], NULL);
	assert_date(t.expires[WORKLOAD_M365], "2027-01-31");
	assert_date(t.expires[WORKLOAD_GWS], NULL);
	assert_date(t.expires[WORKLOAD_ENDPOINTS], "2028-01-31");
	tenant_clear(&t);

	assert_int_equal(store_history_list(f->st, f->first_id, &h, &nh, &err),
	    0);
	assert_int_equal(nh, 1);
	assert_string_equal(h[0].actor, "import");
	assert_int_equal(h[0].at, NOW);
	detail = xasprintf("registered from %s line 2", f->csv);
	assert_string_equal(h[0].detail, detail);
	free(detail);
	store_history_free(h, nh);

	/* Quoted comma and quotes, and the bytes of the name, survive. */
	assert_int_equal(store_tenant_get(f->st, f->first_id + 1, &t, &err), 0);
	assert_string_equal(t.name, KANJI ROCKET ", \"Tokyo\"");
	assert_int_equal(t.suspended, 1);
	assert_int_equal(t.workloads, WORKLOAD_BIT(WORKLOAD_HYBRID));
	tenant_clear(&t);

	assert_int_equal(store_tenant_get(f->st, f->first_id + 2, &t, &err), 0);
	assert_date(t.expires[WORKLOAD_GWS], "2028-02-29");
	assert_int_equal(t.suspended, 0);
	tenant_clear(&t);
}

/* A second import's first_id follows the first's tenants. */
static void
test_csv_first_id(void **state)
{
	struct fixture *f = *state;
	int64_t first;

	write_csv(f, good_csv);
	assert_int_equal(run_import(f), 0);
	first = f->first_id;
	assert_true(first > 0);
	assert_int_equal(run_import(f), 0);
	assert_int_equal(f->count, 3);
	assert_int_equal(f->first_id, first + 3);
	assert_int_equal(tenant_count(f), 6);
}

/* Columns in any order; licenses and suspended may be left out. */
static void
test_csv_optional_columns(void **state)
{
	struct fixture *f = *state;
	struct tenant t;
	struct err err;

	write_csv(f, "edition,msp_admin,workloads,customer_admin,name\r\n"
	    "basic,m@x.test,gws,c@x.test,Delta\r\n");
	assert_int_equal(run_import(f), 0);
	assert_int_equal(f->count, 1);
	assert_int_equal(store_tenant_get(f->st, f->first_id, &t, &err), 0);
	assert_string_equal(t.name, "Delta");
	assert_string_equal(t.edition, "basic");
	assert_string_equal(t.customer_admin, "c@x.test");
	assert_string_equal(t.msp_admin, "m@x.test");
	assert_int_equal(t.workloads, WORKLOAD_BIT(WORKLOAD_GWS));
	assert_int_equal(t.suspended, 0);
	assert_date(t.expires[WORKLOAD_GWS], NULL);
	assert_null(t.language);
	tenant_clear(&t);
}

/* The optional language column: normalized, empty for the default, a
 * bad tag named by line and column with the others' problems. */
static void
test_csv_language(void **state)
{
	static const char *const expected[] = {
		":4: column 3 (language): language tag",
		":6: column 3 (language): a language tag holds only",
	};
	static const char *const stored[] = { "de-AT", NULL, "fr-CA" };
	struct fixture *f = *state;
	struct tenant t;
	struct err err;
	char *prefix;
	size_t i;

	write_csv(f, "name,edition,language,customer_admin,msp_admin,"
	    "workloads\n"
	    "Eins,std,de-at,a@x.test,m@x.test,m365\n"
	    "Zwei,std,,a@x.test,m@x.test,m365\n"
	    "Drei,std,deutsch,a@x.test,m@x.test,m365\n"
	    "Quatre,std,fr-CA,a@x.test,m@x.test,m365\n"
	    "Cinq,std,fr_CA,a@x.test,m@x.test,m365\n");
	assert_int_equal(run_import(f), -1);
	assert_int_equal(f->count, 0);
	assert_int_equal(f->problems.n, NROWS(expected));
	for (i = 0; i < NROWS(expected); i++) {
		prefix = xasprintf("%s%s", f->csv, expected[i]);
		print_message("%s\n", f->problems.v[i]);
		assert_memory_equal(f->problems.v[i], prefix, strlen(prefix));
		free(prefix);
	}
	assert_int_equal(tenant_count(f), 0);

	write_csv(f, "name,edition,language,customer_admin,msp_admin,"
	    "workloads\n"
	    "Eins,std,de-at,a@x.test,m@x.test,m365\n"
	    "Zwei,std,,a@x.test,m@x.test,m365\n"
	    "Quatre,std,fr-CA,a@x.test,m@x.test,m365\n");
	assert_int_equal(run_import(f), 0);
	assert_int_equal(f->count, 3);
	for (i = 0; i < NROWS(stored); i++) {
		assert_int_equal(store_tenant_get(f->st, f->first_id +
		    (int64_t)i, &t, &err), 0);
		if (stored[i] == NULL)
			assert_null(t.language);
		else
			assert_string_equal(t.language, stored[i]);
		tenant_clear(&t);
	}
}

/* What Excel writes: a BOM, CRLF, quoted fields holding commas, and a
 * UTF-8 name. */
static void
test_csv_bom_crlf(void **state)
{
	struct fixture *f = *state;
	struct tenant t;
	struct err err;

	write_csv(f, "\xef\xbb\xbf" "name,customer_admin,msp_admin,workloads,"
	    "edition,licenses,suspended\r\n"
	    "Caf\xc3\xa9 " KANJI ",a@x.test,m@x.test,\"m365,gws\",std,"
	    "\"gws=2027-06-30,m365=2027-07-31\",No\r\n");
	assert_int_equal(run_import(f), 0);
	assert_int_equal(f->count, 1);
	assert_int_equal(store_tenant_get(f->st, f->first_id, &t, &err), 0);
	assert_string_equal(t.name, "Caf\xc3\xa9 " KANJI);
	assert_int_equal(t.workloads, WORKLOAD_BIT(WORKLOAD_M365) |
	    WORKLOAD_BIT(WORKLOAD_GWS));
	assert_date(t.expires[WORKLOAD_GWS], "2027-06-30");
	assert_date(t.expires[WORKLOAD_M365], "2027-07-31");
	tenant_clear(&t);
}

/*
 * Several bad rows between good ones, with the columns in another order
 * so that the column numbers are the file's: one problem per bad row,
 * and nothing stored.
 */
static void
test_csv_bad_rows(void **state)
{
	static const char *expected[] = {
		":3: column 3 (workloads): ",
		":5: column 7 (suspended): ",
		":6: column 6 (licenses): ",
		":7: column 2 (name): ",
		":8: column 1 (edition): ",
		":9: column 4 (customer_admin): ",
		":10: column 6 (licenses): licence for 'endpoints'",
	};
	struct fixture *f = *state;
	char *prefix;
	size_t i;

	write_csv(f,
	    "edition,name,workloads,customer_admin,msp_admin,licenses,"
	    "suspended\n"
	    "std,Good One,m365,a@x.test,m@x.test,,no\n"
	    "std,Bad Workload,m365;teams,a@x.test,m@x.test,,no\n"
	    "std,Good Two,gws,a@x.test,m@x.test,,no\n"
	    "std,Bad Bool,gws,a@x.test,m@x.test,,maybe\n"
	    "std,Bad Date,m365,a@x.test,m@x.test,m365=2027-02-29,no\n"
	    "std,,m365,a@x.test,m@x.test,,no\n"
	    "st\x7f" "d,Bad Edition,m365,a@x.test,m@x.test,,no\n"
	    "std,Bad Admin,m365,,m@x.test,,no\n"
	    "std,No Workload,m365,a@x.test,m@x.test,endpoints=2028-01-31,\n"
	    "std,Good Three,gws,a@x.test,m@x.test,,no\n");
	assert_int_equal(run_import(f), -1);
	assert_int_equal(f->err.kind, ERR_INPUT);
	assert_int_equal(f->count, 0);
	assert_non_null(strstr(f->err.msg, "nothing imported"));
	assert_int_equal(f->problems.n, NROWS(expected));
	for (i = 0; i < NROWS(expected); i++) {
		prefix = xasprintf("%s%s", f->csv, expected[i]);
		print_message("%s\n", f->problems.v[i]);
		assert_memory_equal(f->problems.v[i], prefix, strlen(prefix));
		free(prefix);
	}
	assert_int_equal(tenant_count(f), 0);
}

/* What a bad value is shows after the column. */
struct value_row {
	const char	*row;		/* one row under HEADER */
	const char	*problem;	/* after "FILE:2: " */
};

static const struct value_row value_rows[] = {
	{ "A\tB,a@x.test,m@x.test,m365,std,,",
	    "column 1 (name): name contains a control character (U+0009)" },
	{ "A\xc2\x85" "B,a@x.test,m@x.test,m365,std,,",
	    "column 1 (name): name contains a control character (U+0085)" },
	{ "A\xff,a@x.test,m@x.test,m365,std,,",
	    "column 1 (name): name is not valid UTF-8" },
	{ "A,a@x.test,,m365,std,,",
	    "column 3 (msp_admin): address is empty" },
	{ "A,a@x.test,m@x.test,m365,std,m365=2027-01-31;m365=2027-02-01,",
	    "column 6 (licenses): licence for m365 given twice" },
	{ "A,a@x.test,m@x.test,m365,std,office=2027-01-31,",
	    "column 6 (licenses): licence 'office=2027-01-31' names an "
	    "unknown workload" },
	{ "A,a@x.test,m@x.test,gws,std,gws,",
	    "column 6 (licenses): licence 'gws' is not WORKLOAD=YYYY-MM-DD" },
	{ "A,a@x.test,m@x.test,m365,std,,sometimes",
	    "column 7 (suspended): 'sometimes' is not yes or no" },
	{ "A,a@x.test,m@x.test,m365,,,",
	    "column 5 (edition): edition is empty" },
	{ "A,a@x.test,m@x.test,m365,std,,,",
	    "8 fields, but the header has 7" },
	{ "A,a@x.test,m@x.test,m365",
	    "4 fields, but the header has 7" },
	{ "A", "1 fields, but the header has 7" },
};

static void
test_csv_bad_values(void **state)
{
	struct fixture *f = *state;
	char *text, *expected;
	size_t i;

	for (i = 0; i < NROWS(value_rows); i++) {
		text = xasprintf(HEADER "%s\n", value_rows[i].row);
		write_csv(f, text);
		free(text);
		assert_int_equal(run_import(f), -1);
		assert_int_equal(f->problems.n, 1);
		print_message("%s\n", f->problems.v[0]);
		expected = xasprintf("%s:2: %s", f->csv, value_rows[i].problem);
		assert_memory_equal(f->problems.v[0], expected,
		    strlen(expected));
		free(expected);
		assert_int_equal(tenant_count(f), 0);
	}
}

/* A name of TENANT_NAME_MAX bytes is taken, one more byte is not. */
static void
test_csv_name_limit(void **state)
{
	struct fixture *f = *state;
	char name[TENANT_NAME_MAX + 2], *text;

	memset(name, 'n', sizeof name - 1);
	name[TENANT_NAME_MAX + 1] = '\0';
	text = xasprintf(HEADER "%s,a@x.test,m@x.test,m365,std,,\n", name);
	write_csv(f, text);
	free(text);
	assert_int_equal(run_import(f), -1);
	assert_int_equal(f->problems.n, 1);
	assert_non_null(strstr(f->problems.v[0],
	    ":2: column 1 (name): name is too long"));

	name[TENANT_NAME_MAX] = '\0';
	text = xasprintf(HEADER "%s,a@x.test,m@x.test,m365,std,,\n", name);
	write_csv(f, text);
	free(text);
	assert_int_equal(run_import(f), 0);
	assert_int_equal(f->count, 1);
}

struct header_row {
	const char	*text;
	const char	*problem;	/* after "FILE:"; NULL: none listed */
	const char	*in_err;	/* part of err's message */
};

static const struct header_row header_rows[] = {
	{ "name,customer_admin,msp_admin,workloads,edition,colour\n"
	    "A,a@x.test,m@x.test,m365,std,red\n",
	    "1: column 6: unknown column 'colour' (expected name, "
	    "customer_admin, msp_admin, workloads, edition, licenses, "
	    "suspended, language, separated by ',', ';' or tabs)",
	    "nothing imported (1 problem)" },
	/* Names are matched without regard to case, so this is twice. */
	{ "name,customer_admin,msp_admin,workloads,edition,Name\n"
	    "A,a@x.test,m@x.test,m365,std,B\n",
	    "1: column 6: column 'name' appears twice", "(1 problem)" },
	{ "name,customer_admin,msp_admin,workloads,edition,licenses,name\n"
	    "A,a@x.test,m@x.test,m365,std,,B\n",
	    "1: column 7: column 'name' appears twice", "(1 problem)" },
	{ "name,customer_admin,msp_admin,workloads,licenses\n"
	    "A,a@x.test,m@x.test,m365,\n",
	    "1: the header has no 'edition' column", "(1 problem)" },
	{ "customer_admin,msp_admin,workloads,edition\n"
	    "a@x.test,m@x.test,m365,std\n",
	    "1: the header has no 'name' column", "(1 problem)" },
	{ "name,customer_admn,msp_admin,workloads,edition\n"
	    "A,a@x.test,m@x.test,m365,std\n",
	    "1: column 2: unknown column 'customer_admn'; did you mean "
	    "'customer_admin'?", "(1 problem)" },
	/* Semicolons in a comma file's header are only a strange name. */
	{ "name;customer_admin,msp_admin,workloads,edition\n"
	    "A,a@x.test,m@x.test,m365,std\n",
	    "1: column 1: unknown column 'name;customer_admin'", "(1 problem)" },
	{ "", "1: the file is empty (no header)", "(1 problem)" },
	{ "\n\n", "1: the file is empty (no header)", "(1 problem)" },
	{ HEADER, NULL, "no rows after the header" },
	{ HEADER "\n\n", NULL, "no rows after the header" },
};

static void
test_csv_header(void **state)
{
	struct fixture *f = *state;
	const struct header_row *r;
	char *expected;
	size_t i;

	for (i = 0; i < NROWS(header_rows); i++) {
		r = &header_rows[i];
		print_message("row %zu\n", i);
		write_csv(f, r->text);
		assert_int_equal(run_import(f), -1);
		assert_int_equal(f->err.kind, ERR_INPUT);
		assert_int_equal(f->count, 0);
		print_message("%s\n", f->err.msg);
		assert_non_null(strstr(f->err.msg, r->in_err));
		if (r->problem == NULL) {
			assert_int_equal(f->problems.n, 0);
			continue;
		}
		assert_int_equal(f->problems.n, 1);
		expected = xasprintf("%s:%s", f->csv, r->problem);
		assert_memory_equal(f->problems.v[0], expected,
		    strlen(expected));
		free(expected);
	}
	assert_int_equal(tenant_count(f), 0);
}

/*
 * What a spreadsheet writes: Excel's CSV where the comma is the decimal
 * separator (';', a licences list in quotes), a copy as tab-separated
 * text, headers in its own case and words.
 */
static void
test_csv_spreadsheet(void **state)
{
	static const char *const files[] = {
		"\xef\xbb\xbfName;Customer_Admin;MSP_Admin;Workloads;Edition;"
		"Licenses\r\n"
		"A;a@x.test;m@x.test;m365,gws;std;\"m365=2027-01-31;"
		"gws=2027-02-28\"\r\n",
		"name\tcustomer admin\tmsp-admin\tworkloads\tedition\t"
		"licenses\n"
		"A\ta@x.test\tm@x.test\tm365,gws\tstd\tm365=2027-01-31;"
		"gws=2027-02-28\n",
		" name , customer_admin , msp_admin , workloads , edition , "
		"licenses\n"
		"A,a@x.test,m@x.test,m365 gws,std,m365=2027-01-31;"
		"gws=2027-02-28\n",
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < NROWS(files); i++) {
		print_message("file %zu\n", i);
		write_csv(f, files[i]);
		assert_int_equal(run_import(f), 0);
		assert_int_equal(f->count, 1);
		assert_int_equal(f->problems.n, 0);
	}
	assert_int_equal(tenant_count(f), 3);
}

/* A CSV syntax error after good rows: nothing stored, the line named. */
static void
test_csv_syntax_error(void **state)
{
	struct fixture *f = *state;

	write_csv(f, HEADER
	    "A,a@x.test,m@x.test,m365,std,,\n"
	    "B \"quoted\",a@x.test,m@x.test,m365,std,,\n");
	assert_int_equal(run_import(f), -1);
	assert_int_equal(f->problems.n, 1);
	print_message("%s\n", f->problems.v[0]);
	assert_non_null(strstr(f->problems.v[0], f->csv));
	assert_non_null(strstr(f->problems.v[0], ":3: character"));
	assert_int_equal(tenant_count(f), 0);
}

/* Past IMPORT_ERRORS_MAX problems the import stops looking. */
static void
test_csv_too_many_problems(void **state)
{
	struct fixture *f = *state;
	struct buf b = { 0 };
	char *text;
	int i;

	buf_puts(&b, HEADER);
	for (i = 0; i < IMPORT_ERRORS_MAX + 5; i++)
		buf_printf(&b, "T%d,a@x.test,m@x.test,teams,std,,\n", i);
	text = buf_release(&b);
	write_csv(f, text);
	free(text);
	assert_int_equal(run_import(f), -1);
	assert_int_equal(f->problems.n, IMPORT_ERRORS_MAX);
	assert_non_null(strstr(f->err.msg, "stopped looking"));
	assert_int_equal(tenant_count(f), 0);
}

/* IMPORT_ROWS_MAX rows are read; one more stops the import, naming the
 * line (header and blank lines do not count). */
static void
test_rows_limit(void **state)
{
	struct strvec problems = { 0 };
	struct err err;
	size_t rows;
	char *want;
	FILE *fp;
	int i;

	(void)state;
	fp = tmpfile();
	assert_non_null(fp);
	fputs(HEADER "\n", fp);
	for (i = 0; i < IMPORT_ROWS_MAX; i++)
		fprintf(fp, "T%d,a@x.test,m@x.test,m365,std,,\n", i);
	rewind(fp);
	assert_int_equal(import_check(fp, "max.csv", &rows, &problems, &err),
	    0);
	assert_int_equal(rows, IMPORT_ROWS_MAX);
	assert_int_equal(problems.n, 0);
	fseek(fp, 0, SEEK_END);
	fputs("One More,a@x.test,m@x.test,m365,std,,\n", fp);
	rewind(fp);
	assert_int_equal(import_check(fp, "max.csv", &rows, &problems, &err),
	    -1);
	assert_int_equal(rows, 0);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_int_equal(problems.n, 1);
	want = xasprintf("max.csv:%d: more than %d rows", IMPORT_ROWS_MAX + 3,
	    IMPORT_ROWS_MAX);
	assert_string_equal(problems.v[0], want);
	free(want);
	strvec_clear(&problems);
	fclose(fp);
}

/* A failed import leaves earlier tenants and a usable store. */
static void
test_csv_rollback_keeps_store(void **state)
{
	struct fixture *f = *state;

	write_csv(f, good_csv);
	assert_int_equal(run_import(f), 0);
	write_csv(f, HEADER
	    "New One,a@x.test,m@x.test,m365,std,,\n"
	    "Bad,a@x.test,m@x.test,m365,std,,perhaps\n");
	assert_int_equal(run_import(f), -1);
	assert_int_equal(tenant_count(f), 3);
	write_csv(f, good_csv);
	assert_int_equal(run_import(f), 0);
	assert_int_equal(tenant_count(f), 6);
}

static void
test_csv_missing_file(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_import(f), -1);
	assert_int_equal(f->err.kind, ERR_INPUT);
	assert_non_null(strstr(f->err.msg, f->csv));
	assert_int_equal(f->count, 0);
	assert_int_equal(tenant_count(f), 0);
}

struct progress_log {
	size_t	calls;
	size_t	rows[8];
};

static void
progress(size_t rows, void *arg)
{
	struct progress_log *log = arg;

	if (log->calls < 8)
		log->rows[log->calls] = rows;
	log->calls++;
}

static void
test_csv_progress(void **state)
{
	struct fixture *f = *state;
	struct progress_log log = { 0 };
	struct buf b = { 0 };
	char *text;
	int i;

	buf_puts(&b, HEADER);
	for (i = 0; i < 1200; i++)
		buf_printf(&b, "Tenant %d,a%d@x.test,m@x.test,m365,std,"
		    "m365=2027-01-31,no\n", i, i);
	text = buf_release(&b);
	write_csv(f, text);
	free(text);
	strvec_clear(&f->problems);
	assert_int_equal(import_csv(f->st, f->csv, NOW, progress, &log,
	    &f->count, &f->first_id, &f->problems, &f->err), 0);
	assert_int_equal(f->count, 1200);
	assert_int_equal(log.calls, 2);
	assert_int_equal(log.rows[0], IMPORT_PROGRESS_EVERY);
	assert_int_equal(log.rows[1], 2 * IMPORT_PROGRESS_EVERY);
	assert_int_equal(tenant_count(f), 1200);
}

/* import_stream reads from memory as import_csv from a file, and the
 * name it is given is where the history says the tenants came from. */
static void
test_stream_from_memory(void **state)
{
	static const char bad[] = HEADER "A,a@x.test,m@x.test,teams,std,,\n";
	struct fixture *f = *state;
	struct history_entry *h;
	struct err err;
	size_t n;
	FILE *fp;

	fp = fmemopen((void *)(uintptr_t)good_csv, strlen(good_csv), "rb");
	assert_non_null(fp);
	assert_int_equal(import_stream(f->st, fp, "console:alice", NOW, NULL,
	    NULL, &f->count, &f->first_id, &f->problems, &f->err), 0);
	fclose(fp);
	assert_int_equal(f->count, 3);
	assert_int_equal(tenant_count(f), 3);
	assert_int_equal(store_history_list(f->st, f->first_id, &h, &n, &err),
	    0);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].detail, "registered from console:alice line 2");
	store_history_free(h, n);

	/* A problem: nothing more is written. */
	fp = fmemopen((void *)(uintptr_t)bad, sizeof bad - 1, "rb");
	assert_non_null(fp);
	assert_int_equal(import_stream(f->st, fp, "up", NOW, NULL, NULL,
	    &f->count, &f->first_id, &f->problems, &f->err), -1);
	fclose(fp);
	assert_int_equal(f->count, 0);
	assert_int_equal(f->problems.n, 1);
	assert_memory_equal(f->problems.v[0], "up:2: column 4 (workloads)",
	    26);
	assert_int_equal(tenant_count(f), 3);
}

/* import_check reads as import_csv does, and needs no store. */
struct check_row {
	const char	*text;
	int		 rc;
	size_t		 rows;
	size_t		 problems;
	const char	*first;		/* start of problems.v[0], or NULL */
};

static const struct check_row check_rows[] = {
	{ good_csv, 0, 3, 0, NULL },
	{ "", -1, 0, 1, "mem.csv:1: the file is empty" },
	{ HEADER, -1, 0, 0, NULL },
	{ "name,colour\n", -1, 0, 1, "mem.csv:1: column 2: unknown column" },
	{ HEADER "A,a@x.test,m@x.test,m365,std,,\n"
	    "B,a@x.test,m@x.test,teams,std,,\n", -1, 0, 1,
	    "mem.csv:3: column 4 (workloads): " },
	{ HEADER "A,a@x.test,m@x.test,m365,std,,\n\"B", -1, 0, 1,
	    "mem.csv:3: character 1: quoted field not closed" },
};

static void
test_check(void **state)
{
	const struct check_row *r;
	struct strvec problems = { 0 };
	struct err err;
	size_t i, rows;
	FILE *fp;

	(void)state;
	for (i = 0; i < NROWS(check_rows); i++) {
		r = &check_rows[i];
		print_message("row %zu\n", i);
		fp = tmpfile();
		assert_non_null(fp);
		assert_int_equal(fwrite(r->text, 1, strlen(r->text), fp),
		    strlen(r->text));
		rewind(fp);
		rows = 99;
		assert_int_equal(import_check(fp, "mem.csv", &rows, &problems,
		    &err), r->rc);
		fclose(fp);
		assert_int_equal(rows, r->rows);
		assert_int_equal(problems.n, r->problems);
		if (r->first != NULL)
			assert_memory_equal(problems.v[0], r->first,
			    strlen(r->first));
		if (r->rc == -1)
			assert_int_equal(err.kind, ERR_INPUT);
		strvec_clear(&problems);
	}
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_licences),
		cmocka_unit_test(test_licences_keep_others),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_rows_limit),
		T(test_csv_good),
		T(test_csv_first_id),
		T(test_csv_optional_columns),
		T(test_csv_language),
		T(test_csv_bom_crlf),
		T(test_csv_bad_rows),
		T(test_csv_bad_values),
		T(test_csv_name_limit),
		T(test_csv_header),
		T(test_csv_spreadsheet),
		T(test_csv_syntax_error),
		T(test_csv_too_many_problems),
		T(test_csv_rollback_keeps_store),
		T(test_csv_missing_file),
		T(test_csv_progress),
		T(test_stream_from_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
