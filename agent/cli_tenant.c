/* cli_tenant.c: the plan and tenant commands, and the CSV import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <jansson.h>

#include "cli_impl.h"
#include "date.h"
#include "fsm.h"
#include "import.h"
#include "tenant.h"
#include "view.h"
#include "workload.h"

/* ---- plans ---- */

int
cmd_plan_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "edition", required_argument, NULL, 'e' },
		{ "products", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct plan p = { 0 };
	const char *edition = NULL, *products = NULL;
	int64_t id;
	int c, rc = -1;

	while ((c = cli_next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'e')
			edition = optarg;
		else
			products = optarg;
	}
	if (optind != argc - 1 || edition == NULL || products == NULL)
		return cli_usage_error(cli, "plan add needs a NAME, --edition "
		    "and --products");
	p.name = xstrdup(argv[optind]);
	p.edition = xstrdup(edition);
	if (workloads_parse(products, &p.products, &cli->err) == -1)
		goto out;
	if (plan_check_input(&p, &cli->err) == -1)
		goto out;
	if (store_plan_add(cli->st, &p, cli->now, &id, &cli->err) == -1)
		goto out;
	printf("%lld\n", (long long)id);
	rc = 0;
out:
	plan_clear(&p);
	return rc;
}

int
cmd_plan_list(struct cli *cli, int argc, char **argv)
{
	struct plan *plans = NULL;
	json_t *a;
	size_t n = 0, i;
	int json;

	if (cli_json_flag(cli, argc, argv, &json, NULL) == -1)
		return -1;
	if (cli_no_arguments(cli, argc, optind) == -1)
		return -1;
	if (store_plan_list(cli->st, &plans, &n, &cli->err) == -1)
		return -1;
	if (json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, view_plan_json(&plans[i]));
		view_print_json(stdout, a);
		json_decref(a);
	} else {
		view_plan_row(stdout, NULL);
		for (i = 0; i < n; i++)
			view_plan_row(stdout, &plans[i]);
	}
	store_plans_free(plans, n);
	return 0;
}

/* ---- tenants ---- */

/* The options add and edit share; each is applied to t as it comes. */
static const struct option tenant_opts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "customer-admin", required_argument, NULL, 'c' },
	{ "msp-admin", required_argument, NULL, 'm' },
	{ "workloads", required_argument, NULL, 'w' },
	{ "edition", required_argument, NULL, 'e' },
	{ "license", required_argument, NULL, 'l' },
	{ "licence", required_argument, NULL, 'l' },
	{ "suspended", no_argument, NULL, 's' },
	{ "not-suspended", no_argument, NULL, 'S' },
	{ "language", required_argument, NULL, 'L' },
	{ NULL, 0, NULL, 0 },
};

static void
replace(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Reads the tenant options into t; *given collects which were seen. */
#define SEEN_MAX 16

/* One --license option; a workload named by an earlier one is refused. */
static int
licence_option(struct cli *cli, const char *value,
    int32_t expires[WORKLOAD_COUNT])
{
	int32_t given[WORKLOAD_COUNT];
	int w;

	for (w = 0; w < WORKLOAD_COUNT; w++)
		given[w] = DATE_NONE;
	if (import_licences(value, given, &cli->err) == -1)
		return -1;
	for (w = 0; w < WORKLOAD_COUNT; w++) {
		if (given[w] == DATE_NONE)
			continue;
		if (expires[w] != DATE_NONE) {
			err_set(&cli->err, ERR_INPUT, "licence for %s given "
			    "twice", workload_name(w));
			return -1;
		}
		expires[w] = given[w];
	}
	return 0;
}

static int
tenant_options(struct cli *cli, int argc, char **argv, struct tenant *t,
    char seen[SEEN_MAX])
{
	size_t nseen = 0;
	int c, cleared_licences = 0;

	while ((c = cli_next_option(cli, argc, argv, ":", tenant_opts)) != -1) {
		if (c == '?')
			return -1;
		if (nseen < SEEN_MAX - 1 && strchr(seen, c) == NULL)
			seen[nseen++] = (char)c;
		seen[nseen] = '\0';
		switch (c) {
		case 'n':
			replace(&t->name, optarg);
			break;
		case 'c':
			replace(&t->customer_admin, optarg);
			break;
		case 'm':
			replace(&t->msp_admin, optarg);
			break;
		case 'w':
			if (workloads_parse(optarg, &t->workloads,
			    &cli->err) == -1)
				return -1;
			break;
		case 'e':
			replace(&t->edition, optarg);
			break;
		case 'l':
			/* Licences given on an edit replace the old ones. */
			if (!cleared_licences) {
				for (int w = 0; w < WORKLOAD_COUNT; w++)
					t->expires[w] = DATE_NONE;
				cleared_licences = 1;
			}
			if (licence_option(cli, optarg, t->expires) == -1)
				return -1;
			break;
		case 's':
		case 'S':
			t->suspended = c == 's';
			break;
		case 'L':
			if (tenant_set_language(t, optarg, &cli->err) == -1) {
				err_prefix(&cli->err, "--language");
				return -1;
			}
			break;
		}
	}
	return 0;
}

/*
 * Data the preflight will refuse is still registered (start blocks it
 * and tenant edit fixes it), but said at once, on stderr, with the
 * preflight's own words: "mscagent: warning: customer admin address
 * 'x' is invalid: no '@' (start will block tenant 3; fix it with
 * 'tenant edit 3')".  where is "" or "FILE:LINE: ".
 */
static void
warn_preflight(const struct tenant *t, int64_t id, const char *where)
{
	struct strvec reasons = { 0 };
	size_t i;

	tenant_preflight(t, &reasons);
	for (i = 0; i < reasons.n; i++)
		fprintf(stderr, "mscagent: warning: %s%s (start will block "
		    "tenant %lld; fix it with 'tenant edit %lld')\n", where,
		    reasons.v[i], (long long)id, (long long)id);
	strvec_clear(&reasons);
}

int
cmd_tenant_add(struct cli *cli, int argc, char **argv)
{
	struct tenant t;
	char given[SEEN_MAX] = "";
	const char *need = "ncmwe", *p;
	int64_t id;
	int rc = -1;

	tenant_init(&t);
	if (tenant_options(cli, argc, argv, &t, given) == -1)
		goto out;
	if (optind != argc) {
		cli_usage_error(cli, "unexpected argument '%.40s'",
		    argv[optind]);
		goto out;
	}
	for (p = need; *p; p++)
		if (strchr(given, *p) == NULL) {
			cli_usage_error(cli, "tenant add needs --name, "
			    "--customer-admin, --msp-admin, --workloads and "
			    "--edition");
			goto out;
		}
	if (tenant_check_input(&t, &cli->err) == -1)
		goto out;
	if (store_begin(cli->st, &cli->err) == -1)
		goto out;
	if (store_tenant_add(cli->st, &t, cli->now, &id, &cli->err) == -1 ||
	    store_history_add(cli->st, id, cli->now, STATE_NEW, STATE_NEW,
	    "cli", "registered", &cli->err) == -1 ||
	    store_commit(cli->st, &cli->err) == -1) {
		store_rollback(cli->st);
		goto out;
	}
	printf("%lld\n", (long long)id);
	warn_preflight(&t, id, "");
	rc = 0;
out:
	tenant_clear(&t);
	return rc;
}

/* Registered data may change only while nothing is in flight. */
static int
editable(enum tenant_state s)
{
	return s == STATE_NEW || s == STATE_BLOCKED || s == STATE_REJECTED ||
	    s == STATE_TOKEN_EXPIRED;
}

int
cmd_tenant_edit(struct cli *cli, int argc, char **argv)
{
	struct tenant t;
	char given[SEEN_MAX] = "";
	int64_t id;
	int rc = -1;

	tenant_init(&t);
	if (argc < 2 || argv[1][0] == '-') {
		cli_usage_error(cli, "tenant edit needs an ID");
		goto out;
	}
	if (cli_parse_id(cli, argv[1], &id) == -1)
		goto out;
	if (store_begin(cli->st, &cli->err) == -1)
		goto out;
	if (store_tenant_get(cli->st, id, &t, &cli->err) == -1)
		goto fail;
	if (!editable(t.state)) {
		err_set(&cli->err, ERR_STATE, "tenant %lld is %s: its data can "
		    "change only in new, blocked, rejected or token_expired "
		    "(cancel it first)", (long long)id,
		    fsm_state_name(t.state));
		goto fail;
	}
	if (tenant_options(cli, argc - 1, argv + 1, &t, given) == -1)
		goto fail;
	if (optind != argc - 1 || *given == '\0') {
		cli_usage_error(cli, "tenant edit needs at least one field to "
		    "change");
		goto fail;
	}
	if (tenant_check_input(&t, &cli->err) == -1 ||
	    store_tenant_update(cli->st, &t, &cli->err) == -1 ||
	    store_history_add(cli->st, id, cli->now, t.state, t.state, "cli",
	    "edited", &cli->err) == -1 ||
	    store_commit(cli->st, &cli->err) == -1)
		goto fail;
	printf("tenant %lld updated\n", (long long)id);
	warn_preflight(&t, id, "");
	rc = 0;
	goto out;
fail:
	store_rollback(cli->st);
out:
	tenant_clear(&t);
	return rc;
}

static void
import_progress(size_t rows, void *arg)
{
	(void)arg;
	fprintf(stderr, "\rimporting: %zu rows", rows);
}

/* What warn_imported() walks: the ids just imported, and how many
 * warnings were said. */
struct import_warnings {
	struct cli	*cli;
	int64_t		 first;
	int64_t		 last;
	size_t		 told;	/* tenants warned about */
	size_t		 more;	/* beyond IMPORT_WARNINGS_MAX */
};

#define IMPORT_WARNINGS_MAX	20	/* tenants, as for the problems */

/* "FILE:LINE: " from the history's "registered from FILE line LINE". */
static char *
import_where(struct cli *cli, int64_t id)
{
	struct history_entry *h = NULL;
	size_t n = 0;
	const char *from = "registered from ", *line;
	char *where = NULL;
	struct err err;

	if (store_history_list(cli->st, id, &h, &n, &err) == 0 && n > 0 &&
	    strncmp(h[0].detail, from, strlen(from)) == 0) {
		line = strstr(h[0].detail, " line ");
		if (line != NULL)
			where = xasprintf("%.*s:%s: ", (int)(line -
			    h[0].detail - strlen(from)), h[0].detail +
			    strlen(from), line + 6);
	}
	store_history_free(h, n);
	return where != NULL ? where : xstrdup("");
}

static int
warn_imported_one(const struct tenant *t, void *arg)
{
	struct import_warnings *w = arg;
	char *where;

	if (t->id < w->first || t->id > w->last ||
	    tenant_preflight(t, NULL) == 0)
		return 0;
	if (w->told >= IMPORT_WARNINGS_MAX) {
		w->more++;
		return 0;
	}
	where = import_where(w->cli, t->id);
	warn_preflight(t, t->id, where);
	free(where);
	w->told++;
	return 0;
}

/* The preflight's warnings for the tenants just imported (all new). */
static int
warn_imported(struct cli *cli, int64_t first, size_t count)
{
	struct import_warnings w = { cli, first,
	    first + (int64_t)count - 1, 0, 0 };

	if (store_tenant_each(cli->st, STATE_NEW, warn_imported_one, &w,
	    &cli->err) == -1)
		return -1;
	if (w.more > 0)
		fprintf(stderr, "mscagent: warning: and %zu more tenants that "
		    "start will block\n", w.more);
	return 0;
}

int
cmd_tenant_import(struct cli *cli, int argc, char **argv)
{
	struct strvec problems = { 0 };
	int64_t first;
	size_t count, i;
	int tty, rc;

	if (argc != 2)
		return cli_usage_error(cli, "tenant import needs one FILE");
	tty = isatty(STDERR_FILENO);
	rc = import_csv(cli->st, argv[1], cli->now,
	    tty ? import_progress : NULL, NULL, &count, &first, &problems,
	    &cli->err);
	if (tty)
		fprintf(stderr, "\r\033[K");
	/* One problem is one line; several are listed, then counted. */
	if (problems.n == 1) {
		fprintf(stderr, "mscagent: %s (nothing imported)\n",
		    problems.v[0]);
		cli->err.msg[0] = '\0';
	} else
		for (i = 0; i < problems.n; i++)
			fprintf(stderr, "mscagent: %s\n", problems.v[i]);
	strvec_clear(&problems);
	if (rc == -1)
		return -1;
	printf("imported %zu tenant%s (ids %lld-%lld)\n", count,
	    count == 1 ? "" : "s", (long long)first,
	    (long long)(first + (int64_t)count - 1));
	return warn_imported(cli, first, count);
}

static int
print_tenant_row(const struct tenant *t, void *arg)
{
	const size_t *columns = arg;

	view_tenant_row_fit(stdout, t, *columns);
	return 0;
}

/*
 * The terminal's width when stdout is one, else 0: names are cut only
 * for a person's screen, never in a pipe or a file, where a script
 * wants them whole.
 */
static size_t
terminal_columns(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO) ||
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == -1)
		return 0;
	return ws.ws_col;
}

/* What append_tenant_json() needs: the array, and the default language. */
struct tenant_list {
	json_t			*a;
	struct tenant_extra	 x;
};

static int
append_tenant_json(const struct tenant *t, void *arg)
{
	struct tenant_list *l = arg;

	json_array_append_new(l->a, view_tenant_json(t, &l->x));
	return 0;
}

int
cmd_tenant_list(struct cli *cli, int argc, char **argv)
{
	const char *state_name = NULL;
	struct tenant_list l = { 0 };
	size_t columns;
	int json, state = -1, rc;

	if (cli_json_flag(cli, argc, argv, &json, &state_name) == -1)
		return -1;
	if (cli_no_arguments(cli, argc, optind) == -1)
		return -1;
	if (state_name != NULL &&
	    (state = fsm_state_from_name(state_name)) < 0)
		return cli_usage_error(cli, "unknown state '%.40s'",
		    state_name);
	if (!json) {
		columns = terminal_columns();
		view_tenant_row(stdout, NULL);
		return store_tenant_each(cli->st, state, print_tenant_row,
		    &columns, &cli->err);
	}
	l.a = json_array();
	l.x.language = cli->cfg.language;
	rc = store_tenant_each(cli->st, state, append_tenant_json, &l,
	    &cli->err);
	if (rc == 0)
		view_print_json(stdout, l.a);
	json_decref(l.a);
	return rc;
}

int
cmd_tenant_show(struct cli *cli, int argc, char **argv)
{
	struct tenant t;
	struct plan plan = { 0 };
	struct token_info token = { 0 };
	struct tenant_extra x = { 0 };
	struct history_entry *history = NULL;
	struct outbox_entry *mails = NULL;
	size_t nhistory = 0, nmails = 0;
	json_t *j;
	int64_t id;
	int json, rc = -1;

	tenant_init(&t);
	if (cli_json_flag(cli, argc, argv, &json, NULL) == -1)
		goto out;
	if (optind != argc - 1) {
		cli_usage_error(cli, "tenant show needs one ID");
		goto out;
	}
	if (cli_parse_id(cli, argv[optind], &id) == -1 ||
	    store_tenant_get(cli->st, id, &t, &cli->err) == -1 ||
	    store_token_get(cli->st, id, &token, &cli->err) == -1 ||
	    store_history_list(cli->st, id, &history, &nhistory,
	    &cli->err) == -1 ||
	    store_outbox_list(cli->st, id, &mails, &nmails, &cli->err) == -1)
		goto out;
	if (t.plan_id > 0) {
		if (store_plan_get(cli->st, t.plan_id, &plan, &cli->err) == -1)
			goto out;
		x.plan = &plan;
	}
	x.token = &token;
	x.language = cli->cfg.language;
	x.with_history = x.with_mails = 1;
	x.history = history;
	x.nhistory = nhistory;
	x.mails = mails;
	x.nmails = nmails;
	if (json) {
		j = view_tenant_json(&t, &x);
		view_print_json(stdout, j);
		json_decref(j);
	} else
		view_tenant_text(stdout, &t, &x);
	rc = 0;
out:
	store_history_free(history, nhistory);
	store_outbox_free(mails, nmails);
	store_token_clear(&token);
	plan_clear(&plan);
	tenant_clear(&t);
	return rc;
}

