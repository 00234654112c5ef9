/* import.c: tenants from a CSV file, all or nothing; shared value parsers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "date.h"
#include "import.h"
#include "suggest.h"

enum column {
	COL_NAME,
	COL_CUSTOMER_ADMIN,
	COL_MSP_ADMIN,
	COL_WORKLOADS,
	COL_EDITION,
	COL_LICENSES,
	COL_SUSPENDED,
	COL_LANGUAGE,
	COL_COUNT,
};

static const struct {
	const char	*name;
	int		 required;
} columns[COL_COUNT] = {
	[COL_NAME] = { "name", 1 },
	[COL_CUSTOMER_ADMIN] = { "customer_admin", 1 },
	[COL_MSP_ADMIN] = { "msp_admin", 1 },
	[COL_WORKLOADS] = { "workloads", 1 },
	[COL_EDITION] = { "edition", 1 },
	[COL_LICENSES] = { "licenses", 0 },
	[COL_SUSPENDED] = { "suspended", 0 },
	[COL_LANGUAGE] = { "language", 0 },
};

static int
is_separator(char c)
{
	return c == ';' || c == ',' || c == ' ' || c == '\t';
}

/* Parses one "workload=YYYY-MM-DD" item into expires[]. */
static int
licence_item(const char *item, int32_t expires[WORKLOAD_COUNT],
    unsigned *seen, struct err *err)
{
	const char *eq;
	char *name;
	int w;

	eq = strchr(item, '=');
	if (eq == NULL) {
		err_set(err, ERR_INPUT, "licence '%.40s' is not WORKLOAD="
		    "YYYY-MM-DD", item);
		return -1;
	}
	name = xstrndup(item, (size_t)(eq - item));
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	w = workload_from_name(name);
	free(name);
	if (w < 0) {
		err_set(err, ERR_INPUT, "licence '%.40s' names an unknown "
		    "workload (known: hybrid, m365, gws, endpoints)", item);
		return -1;
	}
	if (*seen & WORKLOAD_BIT(w)) {
		err_set(err, ERR_INPUT, "licence for %s given twice",
		    workload_name(w));
		return -1;
	}
	if (date_parse(eq + 1, &expires[w]) == -1) {
		err_set(err, ERR_INPUT, "licence '%.40s' has no valid date "
		    "(YYYY-MM-DD)", item);
		return -1;
	}
	*seen |= WORKLOAD_BIT(w);
	return 0;
}

int
import_licences(const char *list, int32_t expires[WORKLOAD_COUNT],
    struct err *err)
{
	const char *p, *end;
	unsigned seen = 0;
	char *item;
	int rc;

	for (p = list; *p != '\0'; p = end) {
		while (is_separator(*p))
			p++;
		if (*p == '\0')
			break;
		for (end = p; *end != '\0' && !is_separator(*end); end++)
			;
		item = xstrndup(p, (size_t)(end - p));
		rc = licence_item(item, expires, &seen, err);
		free(item);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
import_bool(const char *s, int *value, struct err *err)
{
	static const char *yes[] = { "yes", "true", "1", "y" };
	static const char *no[] = { "no", "false", "0", "n", "" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (ascii_casecmp(s, yes[i]) == 0) {
			*value = 1;
			return 0;
		}
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		if (ascii_casecmp(s, no[i]) == 0) {
			*value = 0;
			return 0;
		}
	err_set(err, ERR_INPUT, "'%.20s' is not yes or no", s);
	return -1;
}

/* Where each column is in the file, from the header row. */
struct layout {
	int	index[COL_COUNT];	/* -1: absent */
	size_t	nfields;
};

/*
 * A header name as the table spells it: spaces around dropped, ASCII
 * case ignored, ' ' and '-' read as '_' ("Customer Admin" is
 * customer_admin), as a spreadsheet's user writes it.  Caller frees.
 */
static char *
header_name(const char *s)
{
	size_t len;
	char *n, *p;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	n = xstrndup(s, len);
	for (p = n; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p == ' ' || *p == '-')
			*p = '_';
	}
	return n;
}

static void
unknown_column(size_t i, const char *name, struct err *err)
{
	const char *names[COL_COUNT], *best;
	int c;

	for (c = 0; c < COL_COUNT; c++)
		names[c] = columns[c].name;
	best = suggest_closest(name, names, COL_COUNT);
	if (best != NULL)
		err_set(err, ERR_INPUT, "column %zu: unknown column '%.40s'; "
		    "did you mean '%s'?", i + 1, name, best);
	else
		err_set(err, ERR_INPUT, "column %zu: unknown column '%.40s' "
		    "(expected name, customer_admin, msp_admin, workloads, "
		    "edition, licenses, suspended, language, separated by "
		    "',', ';' or tabs)", i + 1, name);
}

static int
column_of(const char *field)
{
	char *name;
	int c;

	name = header_name(field);
	for (c = 0; c < COL_COUNT; c++)
		if (strcmp(name, columns[c].name) == 0)
			break;
	free(name);
	return c;
}

static int
read_header(const struct strvec *fields, struct layout *lay, struct err *err)
{
	size_t i;
	int c;

	for (c = 0; c < COL_COUNT; c++)
		lay->index[c] = -1;
	lay->nfields = fields->n;
	for (i = 0; i < fields->n; i++) {
		c = column_of(fields->v[i]);
		if (c == COL_COUNT) {
			unknown_column(i, fields->v[i], err);
			return -1;
		}
		if (lay->index[c] >= 0) {
			err_set(err, ERR_INPUT, "column %zu: column '%s' "
			    "appears twice", i + 1, columns[c].name);
			return -1;
		}
		lay->index[c] = (int)i;
	}
	for (c = 0; c < COL_COUNT; c++)
		if (columns[c].required && lay->index[c] < 0) {
			err_set(err, ERR_INPUT, "the header has no '%s' column",
			    columns[c].name);
			return -1;
		}
	return 0;
}

static const char *
field(const struct strvec *fields, const struct layout *lay, enum column c)
{
	return lay->index[c] < 0 ? "" : fields->v[lay->index[c]];
}

/* Checks one column's value into t; on failure names the column. */
static int
read_column(const struct strvec *fields, const struct layout *lay,
    enum column c, struct tenant *t, struct err *err)
{
	const char *v = field(fields, lay, c);
	int rc = 0;

	switch (c) {
	case COL_NAME:
		rc = text_check("name", v, TENANT_NAME_MAX, 0, err);
		t->name = xstrdup(v);
		break;
	case COL_CUSTOMER_ADMIN:
		rc = text_check("address", v, TENANT_EMAIL_MAX, 0, err);
		t->customer_admin = xstrdup(v);
		break;
	case COL_MSP_ADMIN:
		rc = text_check("address", v, TENANT_EMAIL_MAX, 0, err);
		t->msp_admin = xstrdup(v);
		break;
	case COL_WORKLOADS:
		rc = workloads_parse(v, &t->workloads, err);
		break;
	case COL_EDITION:
		rc = text_check("edition", v, TENANT_EDITION_MAX, 0, err);
		t->edition = xstrdup(v);
		break;
	case COL_LICENSES:
		rc = import_licences(v, t->expires, err);
		break;
	case COL_SUSPENDED:
		rc = import_bool(v, &t->suspended, err);
		break;
	case COL_LANGUAGE:
		/* Empty: the tenant takes [agent] language. */
		if (*v != '\0')
			rc = tenant_set_language(t, v, err);
		break;
	case COL_COUNT:
		break;
	}
	if (rc == -1)
		err_prefix(err, "column %d (%s)", lay->index[c] + 1,
		    columns[c].name);
	return rc;
}

static int
read_row(const struct strvec *fields, const struct layout *lay,
    struct tenant *t, struct err *err)
{
	int c;

	if (fields->n != lay->nfields) {
		err_set(err, ERR_INPUT, "%zu fields, but the header has %zu",
		    fields->n, lay->nfields);
		return -1;
	}
	for (c = 0; c < COL_COUNT; c++)
		if (read_column(fields, lay, c, t, err) == -1)
			return -1;
	if (tenant_check_input(t, err) == -1) {
		err_prefix(err, "column %d (licenses)",
		    lay->index[COL_LICENSES] + 1);
		return -1;
	}
	return 0;
}

static int
add_row(struct store *st, const struct tenant *t, const char *path,
    size_t line, int64_t now, int64_t *id, struct err *err)
{
	char *detail;
	int rc;

	if (store_tenant_add(st, t, now, id, err) == -1)
		return -1;
	detail = xasprintf("registered from %s line %zu", path, line);
	rc = store_history_add(st, *id, now, STATE_NEW, STATE_NEW, "import",
	    detail, err);
	free(detail);
	return rc;
}

/*
 * Reads every row; stops adding at the first problem but keeps checking.
 * Without a store (st NULL) it only checks.
 */
static int
import_rows(struct store *st, struct csv_reader *csv, const char *path,
    int64_t now, import_progress_fn *progress, void *progress_arg,
    size_t *count, int64_t *first_id, struct strvec *problems,
    struct err *err)
{
	struct strvec fields = { 0 };
	struct layout lay;
	struct tenant t;
	struct err row_err;
	size_t line, rows = 0;
	int64_t id = 0;
	int rc;

	rc = csv_next(csv, &fields, &line, err);
	if (rc == 0)
		err_set(err, ERR_INPUT, "the file is empty (no header)");
	if (rc != 1 || read_header(&fields, &lay, err) == -1) {
		/* The problem is said once, in the list; the summary counts. */
		strvec_pushf(problems, "%s:%zu: %s", path, rc == 1 ? line : 1,
		    err->msg);
		err_set(err, err->kind, "%s: nothing imported (1 problem)",
		    path);
		strvec_clear(&fields);
		return -1;
	}
	while ((rc = csv_next(csv, &fields, &line, &row_err)) == 1) {
		if (++rows > IMPORT_ROWS_MAX) {
			err_set(&row_err, ERR_INPUT, "%zu: more than %d rows",
			    line, IMPORT_ROWS_MAX);
			rc = -1;
			break;
		}
		tenant_init(&t);
		if (read_row(&fields, &lay, &t, &row_err) == -1)
			strvec_pushf(problems, "%s:%zu: %s", path, line,
			    row_err.msg);
		else if (problems->n == 0 && st != NULL &&
		    add_row(st, &t, path, line, now, &id, err) == -1) {
			tenant_clear(&t);
			strvec_clear(&fields);
			return -1;
		} else if (problems->n == 0 && *count == 0)
			*first_id = id;
		if (problems->n == 0)
			(*count)++;
		tenant_clear(&t);
		if (progress && rows % IMPORT_PROGRESS_EVERY == 0)
			progress(rows, progress_arg);
		if (problems->n >= IMPORT_ERRORS_MAX)
			break;
	}
	if (rc == -1)	/* the reader's "LINE: column N: what" */
		strvec_pushf(problems, "%s:%s", path, row_err.msg);
	strvec_clear(&fields);
	if (problems->n > 0) {
		err_set(err, ERR_INPUT, "%s: nothing imported (%zu problem%s%s)",
		    path, problems->n, problems->n == 1 ? "" : "s",
		    problems->n >= IMPORT_ERRORS_MAX ? ", stopped looking" : "");
		return -1;
	}
	if (rows == 0) {
		err_set(err, ERR_INPUT, "%s: no rows after the header", path);
		return -1;
	}
	return 0;
}

int
import_into(struct store *st, FILE *fp, const char *name, int64_t now,
    import_progress_fn *progress, void *progress_arg, size_t *count,
    int64_t *first_id, struct strvec *problems, struct err *err)
{
	struct csv_reader *csv;
	int rc;

	*count = 0;
	*first_id = 0;
	csv = csv_open(fp);
	rc = import_rows(st, csv, name, now, progress, progress_arg, count,
	    first_id, problems, err);
	csv_free(csv);
	if (rc == -1)
		*count = 0;
	return rc;
}

int
import_stream(struct store *st, FILE *fp, const char *name, int64_t now,
    import_progress_fn *progress, void *progress_arg, size_t *count,
    int64_t *first_id, struct strvec *problems, struct err *err)
{
	*count = 0;
	*first_id = 0;
	if (store_begin(st, err) == -1)
		return -1;
	if (import_into(st, fp, name, now, progress, progress_arg, count,
	    first_id, problems, err) == -1 || store_commit(st, err) == -1) {
		store_rollback(st);
		*count = 0;
		return -1;
	}
	return 0;
}

int
import_csv(struct store *st, const char *path, int64_t now,
    import_progress_fn *progress, void *progress_arg, size_t *count,
    int64_t *first_id, struct strvec *problems, struct err *err)
{
	FILE *fp;
	int rc;

	*count = 0;
	*first_id = 0;
	fp = fopen(path, "rb");
	if (fp == NULL) {
		err_set(err, ERR_INPUT, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = import_stream(st, fp, path, now, progress, progress_arg, count,
	    first_id, problems, err);
	(void)fclose(fp);	/* read only: nothing to lose */
	return rc;
}

int
import_check(FILE *fp, const char *name, size_t *rows,
    struct strvec *problems, struct err *err)
{
	struct csv_reader *csv;
	int64_t first_id;
	int rc;

	*rows = 0;
	csv = csv_open(fp);
	rc = import_rows(NULL, csv, name, 0, NULL, NULL, rows, &first_id,
	    problems, err);
	csv_free(csv);
	if (rc == -1)
		*rows = 0;
	return rc;
}
