/* cli.c: the command table of SPEC §2 and one handler per command. */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authcmd.h"
#include "cli.h"
#include "config.h"
#include "date.h"
#include "import.h"
#include "inbox.h"
#include "keyfile.h"
#include "outbox.h"
#include "store.h"
#include "sweep.h"
#include "tmpl.h"
#include "log.h"
#include "run.h"
#include "transport.h"
#include "view.h"
#include "workflow.h"

struct cli {
	struct config		 cfg;
	struct store		*st;
	struct keyring		 keys;
	struct compose_ctx	 mail;	/* for commands that queue mail */
	struct err		 err;
	int64_t			 now;
};

#define NEED_STORE	0x1
#define NEED_MAIL	0x2	/* keys and templates too */

struct command {
	const char	*group;		/* "tenant", "plan" or NULL */
	const char	*name;
	const char	*usage;
	int		(*run)(struct cli *, int, char **);
	unsigned	 needs;		/* NEED_* */
};

static int cmd_init(struct cli *, int, char **);
static int cmd_check(struct cli *, int, char **);
static int cmd_plan_add(struct cli *, int, char **);
static int cmd_plan_list(struct cli *, int, char **);
static int cmd_tenant_add(struct cli *, int, char **);
static int cmd_tenant_edit(struct cli *, int, char **);
static int cmd_tenant_import(struct cli *, int, char **);
static int cmd_tenant_list(struct cli *, int, char **);
static int cmd_tenant_show(struct cli *, int, char **);
static int cmd_start(struct cli *, int, char **);
static int cmd_event(struct cli *, int, char **);
static int cmd_flush(struct cli *, int, char **);
static int cmd_sweep(struct cli *, int, char **);
static int cmd_poll(struct cli *, int, char **);
static int cmd_run(struct cli *, int, char **);
static int cmd_auth_login(struct cli *, int, char **);
static int cmd_auth_status(struct cli *, int, char **);

static const struct command commands[] = {
	{ NULL, "init", "init", cmd_init, 0 },
	{ NULL, "check", "check", cmd_check, 0 },
	{ "plan", "add", "plan add NAME --edition E --products LIST",
	  cmd_plan_add, NEED_STORE },
	{ "plan", "list", "plan list [--json]", cmd_plan_list, NEED_STORE },
	{ "tenant", "add", "tenant add --name N --customer-admin EMAIL "
	  "--msp-admin EMAIL --workloads LIST --edition E "
	  "[--license W=YYYY-MM-DD]... [--suspended]", cmd_tenant_add,
	  NEED_STORE },
	{ "tenant", "edit", "tenant edit ID [--name N] [--customer-admin EMAIL]"
	  " [--msp-admin EMAIL] [--workloads LIST] [--edition E] "
	  "[--license W=YYYY-MM-DD]... [--suspended | --not-suspended]",
	  cmd_tenant_edit, NEED_STORE },
	{ "tenant", "import", "tenant import FILE.csv", cmd_tenant_import,
	  NEED_STORE },
	{ "tenant", "list", "tenant list [--state S] [--json]",
	  cmd_tenant_list, NEED_STORE },
	{ "tenant", "show", "tenant show ID [--json]", cmd_tenant_show,
	  NEED_STORE },
	{ NULL, "start", "start ID... | --all", cmd_start,
	  NEED_STORE | NEED_MAIL },
	{ NULL, "retrigger", "retrigger ID", cmd_event, NEED_STORE | NEED_MAIL },
	{ NULL, "finalize", "finalize ID", cmd_event, NEED_STORE | NEED_MAIL },
	{ NULL, "cancel", "cancel ID", cmd_event, NEED_STORE | NEED_MAIL },
	{ NULL, "approve", "approve ID (on the customer admin's behalf)",
	  cmd_event, NEED_STORE | NEED_MAIL },
	{ NULL, "reject", "reject ID (on the customer admin's behalf)",
	  cmd_event, NEED_STORE | NEED_MAIL },
	{ NULL, "verify", "verify ID --plan PLAN (on the MSP admin's behalf)",
	  cmd_event, NEED_STORE | NEED_MAIL },
	{ NULL, "flush", "flush [--all]", cmd_flush, NEED_STORE | NEED_MAIL },
	{ NULL, "sweep", "sweep", cmd_sweep, NEED_STORE | NEED_MAIL },
	{ NULL, "poll", "poll", cmd_poll, NEED_STORE | NEED_MAIL },
	{ NULL, "run", "run", cmd_run, NEED_STORE | NEED_MAIL },
	{ "auth", "login", "auth login inbound|outbound (OAuth2 first sign-in)",
	  cmd_auth_login, NEED_STORE },
	{ "auth", "status", "auth status [--json]", cmd_auth_status,
	  NEED_STORE },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *current;

static void
usage_all(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: mscagent [-c CONF] COMMAND ...\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %s\n", commands[i].usage);
}

static int
usage_error(struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Records a usage error and names the command's usage in it. */
static int
usage_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(&cli->err, ERR_INPUT, "%s (usage: mscagent %s)", what,
	    current ? current->usage : "[-c CONF] COMMAND ...");
	free(what);
	return -1;
}

static int
parse_id(struct cli *cli, const char *s, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v <= 0) {
		err_set(&cli->err, ERR_INPUT, "'%.40s' is not a tenant id", s);
		return -1;
	}
	*id = v;
	return 0;
}

/* getopt_long over a command's own arguments; argv[0] is its name. */
static int
next_option(struct cli *cli, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':') {
		if (optopt != 0 && c == ':')
			usage_error(cli, "option -%c needs a value", optopt);
		else if (c == ':')
			usage_error(cli, "option %s needs a value",
			    argv[optind - 1]);
		else if (optopt != 0)
			usage_error(cli, "unknown option -%c", optopt);
		else
			usage_error(cli, "unknown option %s", argv[optind - 1]);
		return '?';
	}
	return c;
}

static void
reset_options(void)
{
	optind = 0;	/* glibc: start over, including its own state */
}

/* ---- init ---- */

static int
init_key(const char *path)
{
	struct err err;
	int created;

	if (keyfile_create(path, &created, &err) == -1) {
		fprintf(stderr, "mscagent: %s\n", err.msg);
		return -1;
	}
	printf("%s key %s\n", created ? "created" : "kept   ", path);
	return 0;
}

static int
cmd_init(struct cli *cli, int argc, char **argv)
{
	size_t i;

	(void)argv;
	if (argc > 1)
		return usage_error(cli, "init takes no arguments");
	if (mkdir_parents(cli->cfg.database, &cli->err) == -1 ||
	    store_open(cli->cfg.database, &cli->st, &cli->err) == -1)
		return -1;
	printf("database %s (schema %d)\n", cli->cfg.database,
	    STORE_SCHEMA_VERSION);
	if (init_key(cli->cfg.reply_key_file) == -1) {
		err_set(&cli->err, ERR_RUNTIME, "init: the key files are not "
		    "all in place");
		return -1;
	}
	for (i = 0; i < cli->cfg.nkeys; i++)
		if (init_key(cli->cfg.keys[i].path) == -1) {
			err_set(&cli->err, ERR_RUNTIME, "init: the key files "
			    "are not all in place");
			return -1;
		}
	return 0;
}

/* ---- check ---- */

static int
check_line(int ok, const char *what, const char *detail)
{
	printf("%-5s %-10s %s\n", ok ? "ok" : "FAIL", what, detail);
	return ok ? 0 : 1;
}

static int
check_templates(struct cli *cli)
{
	struct tmpl_set *set;
	struct err err;
	char *line;
	int k, failed = 0;

	static const char *const frames[] = { "layout", "page_layout",
	    "page_verify", "page_status", "page_gone", "page_message" };
	size_t i;

	set = tmpl_set_new(cli->cfg.templates);
	for (i = 0; i < sizeof frames / sizeof frames[0]; i++)
		if (!tmpl_check(set, frames[i], &err))
			failed += check_line(0, "templates", err.msg);
	for (k = 0; k < MAIL_KIND_COUNT; k++)
		if (!tmpl_check(set, fsm_mail_kind_name(k), &err))
			failed += check_line(0, "templates", err.msg);
	tmpl_set_free(set);
	if (failed == 0) {
		line = xasprintf("%d mail and %zu page templates in %s",
		    MAIL_KIND_COUNT, sizeof frames / sizeof frames[0] - 1,
		    cli->cfg.templates);
		check_line(1, "templates", line);
		free(line);
	}
	return failed;
}

static int
check_database(struct cli *cli)
{
	struct stat sb;
	struct err err;
	char *line;

	if (access(cli->cfg.database, F_OK) == -1) {
		line = xasprintf("no database at %s (run 'mscagent init')",
		    cli->cfg.database);
		check_line(0, "database", line);
		free(line);
		return 1;
	}
	if (store_open(cli->cfg.database, &cli->st, &err) == -1 ||
	    !store_ping(cli->st))
		return check_line(0, "database", err.msg);
	if (stat(cli->cfg.database, &sb) == 0 &&
	    (sb.st_mode & (S_IRWXG | S_IRWXO))) {
		/* It holds every live link (SPEC §4). */
		line = xasprintf("%s: mode %03o lets group or others read it; "
		    "run chmod 600 %s", cli->cfg.database,
		    (unsigned)(sb.st_mode & 0777), cli->cfg.database);
		check_line(0, "database", line);
		free(line);
		return 1;
	}
	line = xasprintf("%s (schema %d)", cli->cfg.database,
	    STORE_SCHEMA_VERSION);
	check_line(1, "database", line);
	free(line);
	return 0;
}

/* A token for each OAuth2 account, before its server is tried. */
static int
check_auth(struct cli *cli)
{
	static const enum mailauth_account accounts[] = {
		MAILAUTH_OUTBOUND, MAILAUTH_INBOUND,
	};
	struct err err;
	char *detail, *what;
	size_t i;
	int failed = 0, ok;

	for (i = 0; i < 2; i++) {
		if (mailauth_settings(&cli->cfg, accounts[i])->auth !=
		    AUTH_OAUTH2)
			continue;
		what = xasprintf("%s-auth", mailauth_account_name(accounts[i]));
		ok = authcmd_check(&cli->cfg, accounts[i], &detail, &err) == 0;
		failed += check_line(ok, what, ok ? detail : err.msg);
		free(detail);
		free(what);
	}
	return failed;
}

static int
check_servers(struct cli *cli)
{
	char reply[TRANSPORT_REPLY_MAX], *line;
	struct inmsg *msgs;
	struct sender *out;
	struct reader *in;
	struct err err;
	size_t n;
	int failed = 0, ok;

	if ((out = sender_new(&cli->cfg, &err)) == NULL)
		failed += check_line(0, "outbound", err.msg);
	else {
		ok = out->probe(out, reply) == SEND_OK;
		line = xasprintf("%s: %s", cli->cfg.out_url, reply);
		failed += check_line(ok, "outbound", line);
		free(line);
		out->close(out);
	}
	if ((in = reader_new(&cli->cfg, &err)) == NULL)
		return failed + check_line(0, "inbound", err.msg);
	/* Reading nothing still connects, checks TLS and logs in. */
	ok = in->fetch(in, NULL, 0, 0, 0, &msgs, &n, &err) == 0;
	if (ok)
		inmsg_free(msgs, n);
	line = xasprintf("%s: %s", cli->cfg.in_url, ok ? "reachable" : err.msg);
	failed += check_line(ok, "inbound", line);
	free(line);
	in->close(in);
	return failed;
}

/* Reads a password file as the transports will: private, not too long. */
static int
password_ok(const char *user, const char *path, struct err *err)
{
	char *password;

	if (user == NULL)
		return 1;
	password = keyfile_read_password(path, err);
	if (password == NULL)
		return 0;
	explicit_bzero(password, strlen(password));
	free(password);
	return 1;
}

/* The keys and the mail server passwords: one line for all secrets. */
static int
check_secrets(struct cli *cli)
{
	const struct config *cfg = &cli->cfg;
	struct keyring keys;
	struct err err;
	int ok;

	ok = keyring_load(cfg, &keys, &err) == 0 &&
	    password_ok(cfg->out_oauth.auth == AUTH_PASSWORD ?
	    cfg->out_username : NULL, cfg->out_password_file, &err) &&
	    password_ok(cfg->in_oauth.auth == AUTH_PASSWORD ?
	    cfg->in_username : NULL, cfg->in_password_file, &err);
	keyring_clear(&keys);
	return check_line(ok, "keys", ok ? "present, private, long enough" :
	    err.msg);
}

static int
cmd_check(struct cli *cli, int argc, char **argv)
{
	int failed = 0;

	(void)argv;
	if (argc != 1)
		return usage_error(cli, "check takes no arguments");
	check_line(1, "config", cli->cfg.path);
	failed += check_secrets(cli);
	failed += check_templates(cli);
	failed += check_database(cli);
	if (cli->st != NULL)
		failed += check_auth(cli);
	failed += check_servers(cli);
	if (failed > 0) {
		err_set(&cli->err, ERR_RUNTIME, "check: %d problem%s", failed,
		    failed == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

/* ---- plans ---- */

static int
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

	while ((c = next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'e')
			edition = optarg;
		else
			products = optarg;
	}
	if (optind != argc - 1 || edition == NULL || products == NULL)
		return usage_error(cli, "plan add needs a NAME, --edition and "
		    "--products");
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

static int
json_flag(struct cli *cli, int argc, char **argv, int *json,
    const char **state)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*json = 0;
	while ((c = next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'j')
			*json = 1;
		else if (state == NULL)
			return usage_error(cli, "unknown option --state");
		else
			*state = optarg;
	}
	return 0;
}

static int
cmd_plan_list(struct cli *cli, int argc, char **argv)
{
	struct plan *plans = NULL;
	json_t *a;
	size_t n = 0, i;
	int json;

	if (json_flag(cli, argc, argv, &json, NULL) == -1)
		return -1;
	if (optind != argc)
		return usage_error(cli, "plan list takes no arguments");
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

	while ((c = next_option(cli, argc, argv, ":", tenant_opts)) != -1) {
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
		}
	}
	return 0;
}

static int
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
		usage_error(cli, "unexpected argument '%.40s'", argv[optind]);
		goto out;
	}
	for (p = need; *p; p++)
		if (strchr(given, *p) == NULL) {
			usage_error(cli, "tenant add needs --name, "
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

static int
cmd_tenant_edit(struct cli *cli, int argc, char **argv)
{
	struct tenant t;
	char given[SEEN_MAX] = "";
	int64_t id;
	int rc = -1;

	tenant_init(&t);
	if (argc < 2 || argv[1][0] == '-') {
		usage_error(cli, "tenant edit needs an ID");
		goto out;
	}
	if (parse_id(cli, argv[1], &id) == -1)
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
		usage_error(cli, "tenant edit needs at least one field to "
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

static int
cmd_tenant_import(struct cli *cli, int argc, char **argv)
{
	struct strvec problems = { 0 };
	int64_t first;
	size_t count, i;
	int tty, rc;

	if (argc != 2)
		return usage_error(cli, "tenant import needs one FILE");
	tty = isatty(STDERR_FILENO);
	rc = import_csv(cli->st, argv[1], cli->now,
	    tty ? import_progress : NULL, NULL, &count, &first, &problems,
	    &cli->err);
	if (tty)
		fprintf(stderr, "\r\033[K");
	for (i = 0; i < problems.n; i++)
		fprintf(stderr, "mscagent: %s\n", problems.v[i]);
	strvec_clear(&problems);
	if (rc == -1)
		return -1;
	printf("imported %zu tenant%s (ids %lld-%lld)\n", count,
	    count == 1 ? "" : "s", (long long)first,
	    (long long)(first + (int64_t)count - 1));
	return 0;
}

static int
print_tenant_row(const struct tenant *t, void *arg)
{
	(void)arg;
	view_tenant_row(stdout, t);
	return 0;
}

static int
append_tenant_json(const struct tenant *t, void *arg)
{
	json_array_append_new(arg, view_tenant_json(t, NULL));
	return 0;
}

static int
cmd_tenant_list(struct cli *cli, int argc, char **argv)
{
	const char *state_name = NULL;
	json_t *a;
	int json, state = -1, rc;

	if (json_flag(cli, argc, argv, &json, &state_name) == -1)
		return -1;
	if (optind != argc)
		return usage_error(cli, "tenant list takes no arguments");
	if (state_name != NULL &&
	    (state = fsm_state_from_name(state_name)) < 0)
		return usage_error(cli, "unknown state '%.40s'", state_name);
	if (!json) {
		view_tenant_row(stdout, NULL);
		return store_tenant_each(cli->st, state, print_tenant_row,
		    NULL, &cli->err);
	}
	a = json_array();
	rc = store_tenant_each(cli->st, state, append_tenant_json, a,
	    &cli->err);
	if (rc == 0)
		view_print_json(stdout, a);
	json_decref(a);
	return rc;
}

static int
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
	if (json_flag(cli, argc, argv, &json, NULL) == -1)
		goto out;
	if (optind != argc - 1) {
		usage_error(cli, "tenant show needs one ID");
		goto out;
	}
	if (parse_id(cli, argv[optind], &id) == -1 ||
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

/* ---- workflow events ---- */

/* Worst outcome wins: runtime over state over input. */
static int
worse(int a, int b)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return rank[b] > rank[a] ? b : a;
}

static int
fire(struct cli *cli, int64_t id, const struct workflow_event *ev,
    int *exit_code)
{
	struct workflow_outcome out;
	struct err err;

	if (workflow_fire(cli->st, &cli->mail, id, ev, cli->now, &out,
	    &err) == -1) {
		fprintf(stderr, "mscagent: %s\n", err.msg);
		*exit_code = worse(*exit_code, err.kind);
		cli->err = err;
		return -1;
	}
	workflow_print(stdout, id, &out);
	if (out.to == STATE_BLOCKED)
		*exit_code = worse(*exit_code, ERR_INPUT);
	workflow_outcome_clear(&out);
	return 0;
}

/* Each tenant is a transaction of its own: one failure stops no other. */
static int
start_ids(struct cli *cli, const int64_t *ids, size_t n)
{
	struct workflow_event ev = { .event = EVENT_START, .actor = "cli" };
	int exit_code = 0;
	size_t i;

	for (i = 0; i < n; i++)
		fire(cli, ids[i], &ev, &exit_code);
	if (exit_code != 0) {
		/* Already printed, one line per tenant. */
		cli->err.kind = exit_code;
		cli->err.msg[0] = '\0';
		return -1;
	}
	return 0;
}

static int
cmd_start(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t *ids = NULL, *blocked = NULL;
	size_t n = 0, nblocked = 0, i;
	int c, all = 0, rc = -1;

	while ((c = next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		all = 1;
	}
	if (all == (optind < argc))
		return usage_error(cli, "start needs tenant IDs or --all");
	if (all) {
		/* Blocked tenants are retried: their data may be fixed. */
		if (store_tenant_ids(cli->st, STATE_NEW, &ids, &n,
		    &cli->err) == -1 ||
		    store_tenant_ids(cli->st, STATE_BLOCKED, &blocked,
		    &nblocked, &cli->err) == -1)
			goto out;
		ids = xrealloc(ids, (n + nblocked) * sizeof *ids);
		for (i = 0; i < nblocked; i++)
			ids[n++] = blocked[i];
		if (n == 0)
			printf("no tenant is new or blocked\n");
	} else {
		n = (size_t)(argc - optind);
		ids = xcalloc(n, sizeof *ids);
		for (i = 0; i < n; i++)
			if (parse_id(cli, argv[optind + (int)i], &ids[i]) == -1)
				goto out;
	}
	rc = start_ids(cli, ids, n);
out:
	free(ids);
	free(blocked);
	return rc;
}

static int
cmd_event(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char	*name;
		enum fsm_event	 event;
	} events[] = {
		{ "retrigger", EVENT_RETRIGGER }, { "finalize", EVENT_FINALIZE },
		{ "cancel", EVENT_CANCEL }, { "approve", EVENT_APPROVE },
		{ "reject", EVENT_REJECT }, { "verify", EVENT_VERIFY },
	};
	struct workflow_event ev = { 0 };
	int64_t id;
	size_t i;
	int c, exit_code = 0;

	for (i = 0; i < sizeof events / sizeof events[0]; i++)
		if (strcmp(events[i].name, argv[0]) == 0)
			ev.event = events[i].event;
	ev.actor = "cli";
	while ((c = next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		if (ev.event != EVENT_VERIFY)
			return usage_error(cli, "only verify takes --plan");
		ev.plan = optarg;
	}
	if (optind != argc - 1)
		return usage_error(cli, "%s needs one tenant ID", argv[0]);
	if (ev.event == EVENT_VERIFY && ev.plan == NULL)
		return usage_error(cli, "verify needs --plan");
	if (parse_id(cli, argv[optind], &id) == -1)
		return -1;
	if (fire(cli, id, &ev, &exit_code) == -1) {
		cli->err.msg[0] = '\0';	/* already printed */
		return -1;
	}
	return 0;
}

/* ---- delivery ---- */

static int
cmd_flush(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct outbox_report rep;
	int c, all = 0;

	while ((c = next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		all = 1;
	}
	if (optind != argc)
		return usage_error(cli, "flush takes no arguments");
	if (outbox_flush(cli->st, &cli->mail, all, cli->now, NULL, stdout, &rep,
	    &cli->err) == -1)
		return -1;
	printf("flush: %zu sent, %zu to retry, %zu failed, %zu waiting\n",
	    rep.sent, rep.retry, rep.failed, rep.waiting);
	if (rep.down) {
		err_set(&cli->err, ERR_RUNTIME, "the mail server cannot be "
		    "reached, mails stay queued: %s", rep.down_reason);
		return -1;
	}
	return 0;
}

static int
cmd_sweep(struct cli *cli, int argc, char **argv)
{
	struct sweep_report rep;

	(void)argv;
	if (argc != 1)
		return usage_error(cli, "sweep takes no arguments");
	if (sweep_run(cli->st, &cli->mail, cli->now, stdout, &rep,
	    &cli->err) == -1)
		return -1;
	printf("sweep: %zu expired, %zu verification reminders, %zu approval "
	    "reminders\n", rep.expired, rep.verification_reminders,
	    rep.approval_reminders);
	return 0;
}

static int
cmd_poll(struct cli *cli, int argc, char **argv)
{
	struct inbox_report rep;
	struct reader *in;
	int rc;

	(void)argv;
	if (argc != 1)
		return usage_error(cli, "poll takes no arguments");
	if ((in = reader_new(&cli->cfg, &cli->err)) == NULL)
		return -1;
	rc = inbox_poll(cli->st, &cli->mail, in, cli->now, stdout, &rep,
	    &cli->err);
	in->close(in);
	printf("poll: %zu read, %zu acted on, %zu seen before\n", rep.handled,
	    rep.acted, rep.duplicates);
	/* Where the time went, for measuring (bench/poll.sh). */
	if (getenv("MSCAGENT_PROFILE") != NULL)
		fprintf(stderr, "poll: fetch %.3f s, parse %.3f s, decide %.3f "
		    "s, compose %.3f s, commit %.3f s, move %.3f s\n",
		    rep.times.fetch, rep.times.parse, rep.times.decide,
		    rep.times.compose, rep.times.commit, rep.times.move);
	return rc;
}

/* ---- the agent ---- */

/* Where mail goes and comes from, for the start-up lines. */
static const char *
mail_place(const char *url)
{
	return strncmp(url, "maildir:", 8) == 0 ? url + 8 : url;
}

static int
cmd_run(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return usage_error(cli, "run takes no arguments");
	if (log_open(config_log_level_name(cli->cfg.log_level),
	    cli->cfg.log_file, &cli->err) == -1)
		return -1;
	/* The database stays open in each thread, not here. */
	store_close(cli->st);
	cli->st = NULL;
	printf("mscagent %s: verification pages at %s/verify (listening on "
	    "%s:%d)\n", MSCAGENT_VERSION, cli->cfg.base_url,
	    cli->cfg.listen_address, cli->cfg.listen_port);
	printf("mscagent: mail out to %s, replies read from %s\n",
	    mail_place(cli->cfg.out_url), mail_place(cli->cfg.in_url));
	(void)fflush(stdout);	/* main checks stdout at exit */
	if (run_agent(&cli->mail, &cli->err) == -1)
		return -1;
	log_close();
	return 0;
}

/* ---- OAuth2 sign-in ---- */

static int
cmd_auth_login(struct cli *cli, int argc, char **argv)
{
	enum mailauth_account a;

	if (argc != 2)
		return usage_error(cli, "auth login takes one account");
	if (authcmd_account(argv[1], &a, &cli->err) == -1)
		return usage_error(cli, "%s", cli->err.msg);
	return authcmd_login(cli->st, &cli->cfg, a, stdin, stdout, &cli->err);
}

static int
cmd_auth_status(struct cli *cli, int argc, char **argv)
{
	int json;

	if (json_flag(cli, argc, argv, &json, NULL) == -1)
		return -1;
	if (optind != argc)
		return usage_error(cli, "auth status takes no arguments");
	return authcmd_status(cli->st, &cli->cfg, json, stdout, &cli->err);
}

/* ---- dispatch ---- */

static const struct command *
find_command(int argc, char **argv, int *consumed)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		if (commands[i].group == NULL) {
			if (strcmp(commands[i].name, argv[0]) == 0) {
				*consumed = 0;
				return &commands[i];
			}
		} else if (argc > 1 && strcmp(commands[i].group, argv[0]) == 0 &&
		    strcmp(commands[i].name, argv[1]) == 0) {
			*consumed = 1;
			return &commands[i];
		}
	}
	return NULL;
}

static int
open_store(struct cli *cli)
{
	if (access(cli->cfg.database, F_OK) == -1) {
		err_set(&cli->err, ERR_RUNTIME, "no database at %s (run "
		    "'mscagent init' first)", cli->cfg.database);
		return -1;
	}
	return store_open(cli->cfg.database, &cli->st, &cli->err);
}

/* Keys and templates, for commands whose transitions queue mail. */
static int
open_mail(struct cli *cli)
{
	if (keyring_load(&cli->cfg, &cli->keys, &cli->err) == -1)
		return -1;
	cli->mail.cfg = &cli->cfg;
	cli->mail.keys = &cli->keys;
	cli->mail.templates = tmpl_set_new(cli->cfg.templates);
	return 0;
}

static int
global_options(int argc, char **argv, const char **conf, int *first)
{
	int i;

	*conf = NULL;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage_all(stdout);
			return 0;
		}
		if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("mscagent %s\n", MSCAGENT_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "-c") != 0 || i + 1 >= argc) {
			fprintf(stderr, "mscagent: %s: unknown option or "
			    "missing value\n", argv[i]);
			usage_all(stderr);
			return ERR_INPUT;
		}
		*conf = argv[++i];
	}
	if (i >= argc) {
		usage_all(stderr);
		return ERR_INPUT;
	}
	*first = i;
	return -1;
}

int
cli_main(int argc, char **argv)
{
	struct cli cli;
	const struct command *cmd;
	const char *conf_arg, *path;
	int first, consumed, rc;

	memset(&cli, 0, sizeof cli);
	rc = global_options(argc, argv, &conf_arg, &first);
	if (rc >= 0)
		return rc;
	argc -= first;
	argv += first;
	cmd = find_command(argc, argv, &consumed);
	if (cmd == NULL) {
		fprintf(stderr, "mscagent: unknown command '%.40s%s%.40s'\n",
		    argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		usage_all(stderr);
		return ERR_INPUT;
	}
	current = cmd;
	cli.now = (int64_t)time(NULL);
	reset_options();
	rc = -1;
	if ((path = config_locate(conf_arg, &cli.err)) == NULL ||
	    config_load(path, &cli.cfg, &cli.err) == -1)
		goto out;
	if (cmd->needs & NEED_STORE && open_store(&cli) == -1)
		goto out;
	if (cmd->needs & NEED_MAIL && open_mail(&cli) == -1)
		goto out;
	rc = cmd->run(&cli, argc - consumed, argv + consumed);
out:
	if (rc == -1 && cli.err.msg[0] != '\0')
		fprintf(stderr, "mscagent: %s\n", cli.err.msg);
	store_close(cli.st);
	tmpl_set_free(cli.mail.templates);
	keyring_clear(&cli.keys);
	config_free(&cli.cfg);
	if (rc == 0)
		return 0;
	return cli.err.kind != ERR_NONE ? (int)cli.err.kind : ERR_RUNTIME;
}
