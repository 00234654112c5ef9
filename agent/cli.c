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
#include "suggest.h"
#include "tmpl.h"

#define NEED_STORE	0x1
#define NEED_MAIL	0x2	/* keys and templates too */
#define NEED_LOG	0x4	/* the log, for the transitions they make */
/* What the commands that may move tenants need. */
#define NEED_MOVE	(NEED_STORE | NEED_MAIL | NEED_LOG)

#define CLI_OPTIONS_MAX	32	/* long options of one command */

/*
 * Every command, in the order help lists them.  The summary is the last
 * field, so a row without one still builds (help then shows its usage
 * alone).
 */
static const struct cli_command commands[] = {
	{ NULL, "init", "init", cmd_init, 0,
	  "create or upgrade the database; create missing key files" },
	{ NULL, "check", "check", cmd_check, 0,
	  "validate the config and key files, reach the mail servers" },
	{ "plan", "add", "plan add NAME --edition E --products LIST",
	  cmd_plan_add, NEED_STORE, "add a service plan; print its id" },
	{ "plan", "list", "plan list [--json]", cmd_plan_list, NEED_STORE,
	  "list the service plans" },
	{ "tenant", "add", "tenant add --name N --customer-admin EMAIL "
	  "--msp-admin EMAIL --workloads LIST --edition E "
	  "[--license W=YYYY-MM-DD]... [--suspended] [--language TAG]",
	  cmd_tenant_add,
	  NEED_STORE, "register a tenant; print its id" },
	{ "tenant", "edit", "tenant edit ID [--name N] [--customer-admin EMAIL]"
	  " [--msp-admin EMAIL] [--workloads LIST] [--edition E] "
	  "[--license W=YYYY-MM-DD]... [--suspended | --not-suspended] "
	  "[--language TAG]", cmd_tenant_edit, NEED_STORE,
	  "fix a tenant's data while nothing is in flight" },
	{ "tenant", "import", "tenant import FILE.csv", cmd_tenant_import,
	  NEED_STORE, "register many tenants from a CSV file, all or nothing" },
	{ "tenant", "list", "tenant list [--state S] [--json]",
	  cmd_tenant_list, NEED_STORE,
	  "list the tenants with their state and restriction" },
	{ "tenant", "show", "tenant show ID [--json]", cmd_tenant_show,
	  NEED_STORE, "show a tenant: state, licences, history, mails" },
	{ NULL, "start", "start ID... | --all", cmd_start, NEED_MOVE,
	  "run the preflight and mail the approval request" },
	{ NULL, "retrigger", "retrigger ID", cmd_event, NEED_MOVE,
	  "ask for approval again after an expired link or a rejection" },
	{ NULL, "finalize", "finalize ID", cmd_event, NEED_MOVE,
	  "complete a verified hybrid (Workflow 1) migration" },
	{ NULL, "cancel", "cancel ID", cmd_event, NEED_MOVE,
	  "cancel a migration that is not completed" },
	{ NULL, "approve", "approve ID", cmd_event, NEED_MOVE,
	  "record the customer admin's approval, given another way" },
	{ NULL, "reject", "reject ID", cmd_event, NEED_MOVE,
	  "record the customer admin's refusal, given another way" },
	{ NULL, "verify", "verify ID --plan PLAN", cmd_event, NEED_MOVE,
	  "confirm a plan on the MSP admin's behalf" },
	{ NULL, "flush", "flush [--all]", cmd_flush, NEED_MOVE,
	  "deliver the queued mails that are due (--all: also retries)" },
	{ NULL, "sweep", "sweep", cmd_sweep, NEED_MOVE,
	  "send the reminders and expire the links that are due" },
	{ NULL, "poll", "poll", cmd_poll, NEED_MOVE,
	  "read the inbox once" },
	{ NULL, "run", "run", cmd_run, NEED_STORE | NEED_MAIL,
	  "run the agent: listener, inbox, outbox and timers" },
	{ "auth", "login", "auth login inbound|outbound", cmd_auth_login,
	  NEED_STORE, "sign a mailbox account in with OAuth2, the first time" },
	{ "auth", "status", "auth status [--json]", cmd_auth_status,
	  NEED_STORE, "show the mailbox accounts' OAuth2 sign-ins" },
	{ "user", "add", "user add NAME --role viewer|operator|admin",
	  cmd_user_add, NEED_STORE,
	  "add a console account; print its one-time password" },
	{ "user", "list", "user list [--json]", cmd_user_list, NEED_STORE,
	  "list the console accounts" },
	{ "user", "passwd", "user passwd NAME", cmd_user_passwd,
	  NEED_STORE, "give a console account a new one-time password" },
	{ "user", "role", "user role NAME viewer|operator|admin",
	  cmd_user_role, NEED_STORE, "change a console account's role" },
	{ "user", "del", "user del NAME", cmd_user_del, NEED_STORE,
	  "delete a console account" },
	{ "user", "reset-totp", "user reset-totp NAME", cmd_user_reset_totp,
	  NEED_STORE, "make a console account enrol its TOTP again" },
	{ "db", "copy", "db copy --to URI", cmd_db_copy, NEED_STORE,
	  "copy the SQLite database into an empty PostgreSQL one" },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

const struct cli_command *
cli_commands(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

static const struct cli_command *current;

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

/* "unknown option --al; did you mean --all?" when one is close. */
static void
unknown_option(struct cli *cli, const char *arg, const struct option *longopts)
{
	const char *names[CLI_OPTIONS_MAX], *best;
	char word[SUGGEST_WORD_MAX + 1];
	size_t n = 0;

	for (; longopts->name != NULL && n < CLI_OPTIONS_MAX; longopts++)
		names[n++] = longopts->name;
	/* "--al=x": the name alone */
	snprintf(word, sizeof word, "%.*s", (int)strcspn(arg + 2, "="),
	    arg + 2);
	best = strncmp(arg, "--", 2) == 0 ? suggest_closest(word, names, n) :
	    NULL;
	if (best != NULL)
		cli_usage_error(cli, "unknown option %.40s; did you mean --%s?",
		    arg, best);
	else
		cli_usage_error(cli, "unknown option %.40s", arg);
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
			unknown_option(cli, argv[optind - 1], longopts);
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

static const struct cli_command *
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
	tmpl_set_language(cli->mail.templates, cli->cfg.language);
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
			cli_help_all(stdout);
			return 0;
		}
		if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("mscagent %s\n", MSCAGENT_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "-c") == 0 && i + 1 >= argc) {
			fprintf(stderr, "mscagent: option -c needs a value "
			    "(usage: mscagent [-c CONF] COMMAND ...)\n");
			return ERR_INPUT;
		}
		if (strcmp(argv[i], "-c") != 0) {
			fprintf(stderr, "mscagent: unknown option %.40s (usage: "
			    "mscagent [-c CONF] COMMAND ...; see 'mscagent "
			    "help')\n", argv[i]);
			return ERR_INPUT;
		}
		*conf = argv[++i];
	}
	if (i >= argc) {
		cli_help_all(stderr);
		return ERR_INPUT;
	}
	*first = i;
	return -1;
}

/*
 * --help or -h among a command's own arguments (argv[0] is its name),
 * before a "--" that ends the options: its help, not the command.
 */
static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
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

static int
help(int argc, char **argv)
{
	struct err err = { 0 };

	if (cli_help_run(argc, argv, &err) == 0)
		return 0;
	print_error(err.msg);
	return err.kind;
}

/* A group's --help lists its commands; else one line, with a guess. */
static int
unknown_command(int argc, char **argv)
{
	struct err err = { 0 };

	if (argc > 1 && wants_help(argc, argv) &&
	    cli_help_group(stdout, argv[0]) == 0)
		return 0;
	cli_help_unknown(argc, argv, &err);
	print_error(err.msg);
	return err.kind;
}

int
cli_main(int argc, char **argv)
{
	struct cli cli;
	const struct cli_command *cmd;
	const char *conf_arg, *path;
	int first, consumed, rc;

	memset(&cli, 0, sizeof cli);
	rc = global_options(argc, argv, &conf_arg, &first);
	if (rc >= 0)
		return rc;
	argc -= first;
	argv += first;
	if (strcmp(argv[0], "help") == 0)
		return help(argc, argv);
	cmd = find_command(argc, argv, &consumed);
	if (cmd == NULL)
		return unknown_command(argc, argv);
	if (wants_help(argc - consumed, argv + consumed)) {
		cli_help_command(stdout, cmd);
		return 0;
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
