/*
 * cli.c: the command table of SPEC §2, the global options, the dispatch
 * and the helpers the handlers share (cli_impl.h says which file holds
 * which command).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "brand.h"
#include "cli.h"
#include "cli_impl.h"
#include "config.h"
#include "keyfile.h"
#include "log.h"
#include "store.h"
#include "tmpl.h"

#define NEED_STORE	0x1
#define NEED_MAIL	0x2	/* keys and templates too */
#define NEED_LOG	0x4	/* the log, for the transitions they make */
/* What the commands that may move tenants need. */
#define NEED_MOVE	(NEED_STORE | NEED_MAIL | NEED_LOG)

struct command {
	const char	*group;		/* "tenant", "plan", ... or NULL */
	const char	*name;
	const char	*usage;
	int		(*run)(struct cli *, int, char **);
	unsigned	 needs;		/* NEED_* */
};

static const struct command commands[] = {
	{ NULL, "init", "init", cmd_init, 0 },
	{ NULL, "check", "check", cmd_check, 0 },
	{ "plan", "add", "plan add NAME --edition E --products LIST",
	  cmd_plan_add, NEED_STORE },
	{ "plan", "list", "plan list [--json]", cmd_plan_list, NEED_STORE },
	{ "tenant", "add", "tenant add --name N --customer-admin EMAIL "
	  "--msp-admin EMAIL --workloads LIST --edition E "
	  "[--license W=YYYY-MM-DD]... [--suspended] [--language TAG]",
	  cmd_tenant_add,
	  NEED_STORE },
	{ "tenant", "edit", "tenant edit ID [--name N] [--customer-admin EMAIL]"
	  " [--msp-admin EMAIL] [--workloads LIST] [--edition E] "
	  "[--license W=YYYY-MM-DD]... [--suspended | --not-suspended] "
	  "[--language TAG]", cmd_tenant_edit, NEED_STORE },
	{ "tenant", "import", "tenant import FILE.csv", cmd_tenant_import,
	  NEED_STORE },
	{ "tenant", "list", "tenant list [--state S] [--json]",
	  cmd_tenant_list, NEED_STORE },
	{ "tenant", "show", "tenant show ID [--json]", cmd_tenant_show,
	  NEED_STORE },
	{ NULL, "start", "start ID... | --all", cmd_start, NEED_MOVE },
	{ NULL, "retrigger", "retrigger ID", cmd_event, NEED_MOVE },
	{ NULL, "finalize", "finalize ID", cmd_event, NEED_MOVE },
	{ NULL, "cancel", "cancel ID", cmd_event, NEED_MOVE },
	{ NULL, "approve", "approve ID (on the customer admin's behalf)",
	  cmd_event, NEED_MOVE },
	{ NULL, "reject", "reject ID (on the customer admin's behalf)",
	  cmd_event, NEED_MOVE },
	{ NULL, "verify", "verify ID --plan PLAN (on the MSP admin's behalf)",
	  cmd_event, NEED_MOVE },
	{ NULL, "flush", "flush [--all]", cmd_flush, NEED_MOVE },
	{ NULL, "sweep", "sweep", cmd_sweep, NEED_MOVE },
	{ NULL, "poll", "poll", cmd_poll, NEED_MOVE },
	{ NULL, "run", "run", cmd_run, NEED_STORE | NEED_MAIL },
	{ "auth", "login", "auth login inbound|outbound (OAuth2 first sign-in)",
	  cmd_auth_login, NEED_STORE },
	{ "auth", "status", "auth status [--json]", cmd_auth_status,
	  NEED_STORE },
	{ "user", "add", "user add NAME --role viewer|operator|admin",
	  cmd_user_add, NEED_STORE },
	{ "user", "list", "user list [--json]", cmd_user_list, NEED_STORE },
	{ "user", "passwd", "user passwd NAME", cmd_user_passwd,
	  NEED_STORE },
	{ "user", "role", "user role NAME viewer|operator|admin",
	  cmd_user_role, NEED_STORE },
	{ "user", "del", "user del NAME", cmd_user_del, NEED_STORE },
	{ "user", "reset-totp", "user reset-totp NAME", cmd_user_reset_totp,
	  NEED_STORE },
	{ "db", "copy", "db copy --to URI (into an empty PostgreSQL database)",
	  cmd_db_copy, NEED_STORE },
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

/* Records a usage error and names the command's usage in it. */
int
cli_usage_error(struct cli *cli, const char *fmt, ...)
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

int
cli_parse_id(struct cli *cli, const char *s, int64_t *id)
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
int
cli_next_option(struct cli *cli, int argc, char **argv,
    const char *shortopts, const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':') {
		if (optopt != 0 && c == ':')
			cli_usage_error(cli, "option -%c needs a value",
			    optopt);
		else if (c == ':')
			cli_usage_error(cli, "option %s needs a value",
			    argv[optind - 1]);
		else if (optopt != 0)
			cli_usage_error(cli, "unknown option -%c", optopt);
		else
			cli_usage_error(cli, "unknown option %s",
			    argv[optind - 1]);
		return '?';
	}
	return c;
}

static void
reset_options(void)
{
	optind = 0;	/* glibc: start over, including its own state */
}

int
cli_no_arguments(struct cli *cli, int argc, int first)
{
	if (argc == first)
		return 0;
	if (current->group != NULL)
		return cli_usage_error(cli, "%s %s takes no arguments",
		    current->group, current->name);
	return cli_usage_error(cli, "%s takes no arguments", current->name);
}

int
cli_json_flag(struct cli *cli, int argc, char **argv, int *json,
    const char **state)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*json = 0;
	while ((c = cli_next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		if (c == 'j')
			*json = 1;
		else if (state == NULL)
			return cli_usage_error(cli, "unknown option --state");
		else
			*state = optarg;
	}
	return 0;
}

int
cli_all_flag(struct cli *cli, int argc, char **argv, int *all)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*all = 0;
	while ((c = cli_next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		*all = 1;
	}
	return 0;
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
	if (!store_target_is_uri(cli->cfg.database) &&
	    access(cli->cfg.database, F_OK) == -1) {
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
	/* Mails and pages alike show the MSP's branding. */
	tmpl_set_globals(cli->mail.templates, brand_vars(&cli->cfg));
	return 0;
}

/*
 * The log of a command that may move tenants: each transition it makes
 * is logged by workflow.c, so with a log file it joins the agent's lines
 * there.  Without one the log is standard error, which then shows only
 * warnings and errors: the command's own answer on stdout already says
 * what moved.
 */
static int
open_log(struct cli *cli)
{
	enum log_level level = cli->cfg.log_level;

	if ((cli->cfg.log_file == NULL || *cli->cfg.log_file == '\0') &&
	    level > LOG_LEVEL_WARN)
		level = LOG_LEVEL_WARN;
	return log_open(config_log_level_name(level), cli->cfg.log_file,
	    &cli->err);
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

/* "mscagent: " before each line: a config may have several errors. */
static void
print_error(const char *msg)
{
	const char *nl;

	for (; *msg != '\0'; msg = nl + 1) {
		nl = strchr(msg, '\n');
		fprintf(stderr, "mscagent: %.*s\n", nl ? (int)(nl - msg) :
		    (int)strlen(msg), msg);
		if (nl == NULL)
			break;
	}
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
	if (cmd->needs & NEED_LOG && open_log(&cli) == -1)
		goto out;
	rc = cmd->run(&cli, argc - consumed, argv + consumed);
out:
	if (rc == -1 && cli.err.msg[0] != '\0')
		print_error(cli.err.msg);
	store_close(cli.st);
	log_close();
	tmpl_set_free(cli.mail.templates);
	keyring_clear(&cli.keys);
	config_free(&cli.cfg);
	if (rc == 0)
		return 0;
	return cli.err.kind != ERR_NONE ? (int)cli.err.kind : ERR_RUNTIME;
}
