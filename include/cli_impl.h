/*
 * cli_impl.h: what the command line's files share, and nothing outside
 * them includes.  cli.c holds the command table, the global options,
 * the dispatch and the helpers below; each handler lives in the file of
 * its subject:
 *
 *   cli_help.c      help: the usage, a group's or a command's help,
 *                   the man page, the errors for a command typed wrong
 *   cli_check.c     init and check (key files, templates, database,
 *                   OAuth2 tokens, the mail servers)
 *   cli_tenant.c    plan and tenant commands, tenant import
 *   cli_workflow.c  start, the support events, flush, sweep, poll, run
 *   cli_auth.c      auth login and auth status
 *   cli_user.c      the console accounts: user add, list, passwd,
 *                   role, del and reset-totp
 *
 * A handler gets its command's arguments with argv[0] its name (the
 * group word, "tenant" say, already dropped), returns 0 or -1 with
 * cli->err set; cli.c prints the error and maps its kind to the exit
 * code.  A handler that has printed its own error lines leaves
 * cli->err.msg empty.  Handlers keep the cmd_ prefix of the table's
 * entries, whichever file they are in.
 */
#ifndef MSCAGENT_CLI_IMPL_H
#define MSCAGENT_CLI_IMPL_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "compose.h"
#include "config.h"
#include "date.h"
#include "keyfile.h"
#include "mailauth.h"
#include "store.h"
#include "util.h"

/* Everything a command may use; cli.c opens and frees all of it. */
struct cli {
	struct config		 cfg;
	struct store		*st;	/* for commands that need it */
	struct keyring		 keys;
	struct compose_ctx	 mail;	/* for commands that queue mail */
	struct err		 err;
	int64_t			 now;
};

/*
 * One row of cli.c's command table: what dispatches the command, and
 * what help, the usage errors and the man page say of it.
 */
struct cli_command {
	const char	*group;		/* "tenant", "plan", ... or NULL */
	const char	*name;
	const char	*usage;		/* the synopsis, after "mscagent " */
	int		(*run)(struct cli *, int, char **);
	unsigned	 needs;		/* cli.c's NEED_* */
	const char	*summary;	/* one line: what it does */
};

/* The table, in the order help lists it. */
const struct cli_command *cli_commands(size_t *n);

/* ---- helpers (cli.c) ---- */

/* Records a usage error that names the command's usage; returns -1. */
int	 cli_usage_error(struct cli *, const char *fmt, ...)
	    PRINTF_LIKE(2, 3);

/* The usage error "COMMAND takes no arguments" when argv holds more
 * than its first `first` entries (its name, its options); else 0. */
int	 cli_no_arguments(struct cli *, int argc, int first);

/* A tenant id (a positive decimal number) into *id; -1 with ERR_INPUT. */
int	 cli_parse_id(struct cli *, const char *s, int64_t *id);

/*
 * getopt_long over a command's own arguments (argv[0] is its name):
 * the option's value, -1 at the end, or '?' after recording a usage
 * error.  Its operands start at optind afterwards.
 */
int	 cli_next_option(struct cli *, int argc, char **argv,
	    const char *shortopts, const struct option *longopts);

/* Reads --json, and --state into *state when state is not NULL. */
int	 cli_json_flag(struct cli *, int argc, char **argv, int *json,
	    const char **state);

/* Reads --all, the only option of start and flush. */
int	 cli_all_flag(struct cli *, int argc, char **argv, int *all);

/* ---- help (cli_help.c) ---- */

/* The whole usage: every command with its summary, the workloads, the
 * states and the exit codes. */
void	 cli_help_all(FILE *);
/* A group's commands with their summaries; -1 when there is no such
 * group. */
int	 cli_help_group(FILE *, const char *group);
/* One command: its summary and its usage. */
void	 cli_help_command(FILE *, const struct cli_command *);
/* The man page mscagent(8), in roff, from the same table. */
void	 cli_help_man(FILE *);
/* 1 when word is a group of commands ("tenant"), else 0. */
int	 cli_is_group(const char *word);

/*
 * `help [--man | GROUP | COMMAND...]`, run without a config: prints to
 * stdout and returns 0, or returns -1 with err set (ERR_INPUT) for a
 * command that does not exist, with a suggestion.
 */
int	 cli_help_run(int argc, char **argv, struct err *);

/*
 * The error for a command line whose first words name no command:
 * "unknown command 'tenat'; did you mean 'tenant'?", or for a group
 * without its command "'tenant' needs a command: add, edit, ...".
 * Always ERR_INPUT.
 */
void	 cli_help_unknown(int argc, char **argv, struct err *);

/* ---- for check's sign-in lines (cli_auth.c) ---- */

/* A timestamp as "2026-12-28 10:00 UTC", or "-" for 0. */
#define CLI_AUTH_TIME_LEN	(TIMESTAMP_STR_LEN + 4)
void	 cli_auth_time(int64_t t, char out[CLI_AUTH_TIME_LEN]);

/* Obtains an access token through a token source of its own, as the
 * transports will: 0 with *expires_at, or -1 with err. */
int	 cli_auth_token(const struct config *, enum mailauth_account,
	    int64_t *expires_at, struct err *);

/* ---- the handlers ---- */

/* cli_check.c */
int	 cmd_init(struct cli *, int, char **);
int	 cmd_check(struct cli *, int, char **);

/* cli_tenant.c */
int	 cmd_plan_add(struct cli *, int, char **);
int	 cmd_plan_list(struct cli *, int, char **);
int	 cmd_tenant_add(struct cli *, int, char **);
int	 cmd_tenant_edit(struct cli *, int, char **);
int	 cmd_tenant_import(struct cli *, int, char **);
int	 cmd_tenant_list(struct cli *, int, char **);
int	 cmd_tenant_show(struct cli *, int, char **);

/* cli_workflow.c */
int	 cmd_start(struct cli *, int, char **);
int	 cmd_event(struct cli *, int, char **);
int	 cmd_flush(struct cli *, int, char **);
int	 cmd_sweep(struct cli *, int, char **);
int	 cmd_poll(struct cli *, int, char **);
int	 cmd_run(struct cli *, int, char **);

/* cli_auth.c */
int	 cmd_auth_login(struct cli *, int, char **);
int	 cmd_auth_status(struct cli *, int, char **);

/* cli_user.c */
int	 cmd_user_add(struct cli *, int, char **);
int	 cmd_user_list(struct cli *, int, char **);
int	 cmd_user_passwd(struct cli *, int, char **);
int	 cmd_user_role(struct cli *, int, char **);
int	 cmd_user_del(struct cli *, int, char **);
int	 cmd_user_reset_totp(struct cli *, int, char **);

/* cli_db.c */
int	 cmd_db_copy(struct cli *, int, char **);

#endif
