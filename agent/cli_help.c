/*
 * cli_help.c: what the command line says about itself — the usage, a
 * group's and a command's help, the man page mscagent(8) and the
 * one-line error for a command typed wrong — all from cli.c's table, so
 * that none of them can forget a command.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_impl.h"
#include "fsm.h"
#include "suggest.h"
#include "workload.h"

#define HELP_NAME_WIDTH	18	/* "user reset-totp", then two spaces */
#define HELP_WORDS_MAX	64	/* candidates for a suggestion */

static const char *const exit_codes[][2] = {
	{ "0", "success" },
	{ "1", "usage or invalid input (also: a start the preflight blocked)" },
	{ "2", "runtime failure: database, files, mail server" },
	{ "3", "the action does not apply in the tenant's current state" },
};

#define NEXIT_CODES (sizeof exit_codes / sizeof exit_codes[0])

/* "tenant add", or "start": the words that name the command. */
static void
command_words(const struct cli_command *c, char *out, size_t len)
{
	if (c->group != NULL)
		snprintf(out, len, "%s %s", c->group, c->name);
	else
		snprintf(out, len, "%s", c->name);
}

static void
command_line(FILE *fp, const struct cli_command *c)
{
	char words[64];

	command_words(c, words, sizeof words);
	fprintf(fp, "  %-*s %s\n", HELP_NAME_WIDTH - 2, words,
	    c->summary != NULL ? c->summary : c->usage);
}

/* "hybrid, m365, gws, endpoints", or the states likewise. */
static void
workload_list(FILE *fp)
{
	int w;

	for (w = 0; w < WORKLOAD_COUNT; w++)
		fprintf(fp, "%s%s", w ? ", " : "", workload_name(w));
}

static void
state_list(FILE *fp)
{
	int s;

	for (s = 0; s < STATE_COUNT; s++)
		fprintf(fp, "%s%s", s ? ", " : "", fsm_state_name(s));
}

void
cli_help_all(FILE *fp)
{
	const struct cli_command *cmds;
	size_t n, i;

	cmds = cli_commands(&n);
	fprintf(fp, "usage: mscagent [-c CONF] COMMAND [ARG...]\n\n"
	    "Moves an MSP's customers into the Managed Services Console, "
	    "driven by mail.\n\ncommands:\n");
	for (i = 0; i < n; i++)
		command_line(fp, &cmds[i]);
	fprintf(fp, "  %-*s %s\n", HELP_NAME_WIDTH - 2, "help [COMMAND]",
	    "this help, or one command's usage");
	fprintf(fp, "\nworkloads: ");
	workload_list(fp);
	fprintf(fp, "\nstates:    ");
	state_list(fp);
	fprintf(fp, "\nexit codes:\n");
	for (i = 0; i < NEXIT_CODES; i++)
		fprintf(fp, "  %s  %s\n", exit_codes[i][0], exit_codes[i][1]);
	fprintf(fp, "\nCONF is conf/agent.conf when it exists, else "
	    "$MSCAGENT_CONF.\n'mscagent help COMMAND' (or 'mscagent COMMAND "
	    "--help') shows a command's usage;\n'man 8 mscagent' has them "
	    "all.\n");
}

int
cli_is_group(const char *word)
{
	const struct cli_command *cmds;
	size_t n, i;

	cmds = cli_commands(&n);
	for (i = 0; i < n; i++)
		if (cmds[i].group != NULL && strcmp(cmds[i].group, word) == 0)
			return 1;
	return 0;
}

int
cli_help_group(FILE *fp, const char *group)
{
	const struct cli_command *cmds;
	size_t n, i;

	if (!cli_is_group(group))
		return -1;
	cmds = cli_commands(&n);
	fprintf(fp, "usage: mscagent %s COMMAND ...\n\ncommands:\n", group);
	for (i = 0; i < n; i++)
		if (cmds[i].group != NULL && strcmp(cmds[i].group, group) == 0)
			command_line(fp, &cmds[i]);
	fprintf(fp, "\n'mscagent help %s COMMAND' shows a command's usage.\n",
	    group);
	return 0;
}

void
cli_help_command(FILE *fp, const struct cli_command *c)
{
	char words[64];

	command_words(c, words, sizeof words);
	fprintf(fp, "usage: mscagent [-c CONF] %s\n", c->usage);
	if (c->summary != NULL)
		fprintf(fp, "\n%s: %s\n", words, c->summary);
}

/* ---- the man page ---- */

/* Text for roff: a backslash doubled, a minus as \-, a line that would
 * start with a control character escaped. */
static void
roff_text(FILE *fp, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", fp);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", fp);
		else if (*s == '-')
			fputs("\\-", fp);
		else
			fputc(*s, fp);
	}
}

/* A summary as a sentence: a capital first, a full stop last. */
static void
roff_sentence(FILE *fp, const char *s)
{
	if (*s >= 'a' && *s <= 'z') {
		fputc(*s - 'a' + 'A', fp);
		s++;
	}
	roff_text(fp, s);
	fprintf(fp, ".\n");
}

static void
man_commands(FILE *fp)
{
	const struct cli_command *cmds;
	size_t n, i;

	cmds = cli_commands(&n);
	fprintf(fp, ".SH COMMANDS\n");
	for (i = 0; i < n; i++) {
		fprintf(fp, ".TP\n.B ");
		roff_text(fp, cmds[i].usage);
		fputc('\n', fp);
		roff_sentence(fp, cmds[i].summary != NULL ?
		    cmds[i].summary : "");
	}
	fprintf(fp, ".TP\n.B help \\fR[\\fICOMMAND\\fR]\n");
	fprintf(fp, "The usage, with every command; or one command's.\n");
}

static void
man_lists(FILE *fp)
{
	size_t i;

	fprintf(fp, ".SH WORKLOADS\n");
	workload_list(fp);
	fprintf(fp, ".\nIn lists (\\fB\\-\\-workloads\\fR, "
	    "\\fB\\-\\-products\\fR) separated by commas.\n");
	fprintf(fp, ".SH STATES\n");
	state_list(fp);
	fprintf(fp, ".\n.SH EXIT STATUS\n");
	for (i = 0; i < NEXIT_CODES; i++) {
		fprintf(fp, ".TP\n.B %s\n", exit_codes[i][0]);
		roff_sentence(fp, exit_codes[i][1]);
	}
}

void
cli_help_man(FILE *fp)
{
	fprintf(fp, ".\\\" Generated by 'mscagent help --man' from its command "
	    "table; do not edit.\n");
	fprintf(fp, ".TH MSCAGENT 8 \"\" \"mscagent %s\" "
	    "\"System Manager's Manual\"\n", MSCAGENT_VERSION);
	fprintf(fp, ".SH NAME\nmscagent \\- migrate an MSP's customers into "
	    "the Managed Services Console by mail\n");
	fprintf(fp, ".SH SYNOPSIS\n.B mscagent\n[\\fB\\-c\\fR \\fICONF\\fR]\n"
	    ".I COMMAND\n[\\fIARG\\fR...]\n");
	fprintf(fp, ".SH DESCRIPTION\n.B mscagent\nmoves a managed-service "
	    "provider's customers into a Managed Services Console as "
	    "tenants, and drives each migration through mail: it asks the "
	    "customer admin for approval, mails the MSP admin a signed "
	    "verification link, and tells support what needs finalizing.\n"
	    ".B mscagent run\nis the agent; the other commands register "
	    "tenants and act on them, and may run while it does.\n");
	fprintf(fp, ".SH OPTIONS\n.TP\n.BI \\-c \" CONF\"\nThe "
	    "configuration file; without it, conf/agent.conf when it "
	    "exists in the current folder, else the file named by "
	    "\\fB$MSCAGENT_CONF\\fR.\n.TP\n.B \\-\\-help\nAfter a command: "
	    "its usage.  Alone: the usage of every command.\n.TP\n"
	    ".B \\-\\-version\nThe version.\n");
	man_commands(fp);
	man_lists(fp);
	fprintf(fp, ".SH ENVIRONMENT\n.TP\n.B MSCAGENT_CONF\nThe "
	    "configuration file, when there is no \\fB\\-c\\fR and no "
	    "conf/agent.conf.\n");
	fprintf(fp, ".SH FILES\n.TP\n.I agent.conf\nThe configuration "
	    "(INI): [agent], [outbound], [inbound], [listener], [tokens], "
	    "[console], [branding].\n");
	fprintf(fp, ".SH SEE ALSO\nThe README of the source tree, and its "
	    "docs/walkthrough.md: one migration from start to end.\n");
}

/* ---- help and commands typed wrong ---- */

static const struct cli_command *
find(const char *group, const char *name)
{
	const struct cli_command *cmds;
	size_t n, i;

	cmds = cli_commands(&n);
	for (i = 0; i < n; i++) {
		if ((group == NULL) != (cmds[i].group == NULL))
			continue;
		if (group != NULL && strcmp(cmds[i].group, group) != 0)
			continue;
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	}
	return NULL;
}

/* The first words of every command (groups once), and "help". */
static size_t
first_words(const char *words[HELP_WORDS_MAX])
{
	const struct cli_command *cmds;
	size_t n, i, k = 0, j;
	const char *w;

	cmds = cli_commands(&n);
	for (i = 0; i < n && k < HELP_WORDS_MAX - 1; i++) {
		w = cmds[i].group != NULL ? cmds[i].group : cmds[i].name;
		for (j = 0; j < k && strcmp(words[j], w) != 0; j++)
			;
		if (j == k)
			words[k++] = w;
	}
	words[k++] = "help";
	return k;
}

/* The group's commands, as "add, edit, import" into out. */
static size_t
group_words(const char *group, const char *words[HELP_WORDS_MAX])
{
	const struct cli_command *cmds;
	size_t n, i, k = 0;

	cmds = cli_commands(&n);
	for (i = 0; i < n && k < HELP_WORDS_MAX; i++)
		if (cmds[i].group != NULL && strcmp(cmds[i].group, group) == 0)
			words[k++] = cmds[i].name;
	return k;
}

static void
join(char *out, size_t len, const char *const *words, size_t n)
{
	size_t i, used = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		w = snprintf(out + used, len - used, "%s%s", i ? ", " : "",
		    words[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* A group named without its command, or with one it does not have. */
static void
unknown_in_group(int argc, char **argv, struct err *err)
{
	const char *words[HELP_WORDS_MAX], *best;
	char list[256];
	size_t k;

	k = group_words(argv[0], words);
	join(list, sizeof list, words, k);
	if (argc < 2) {
		err_set(err, ERR_INPUT, "'%s' needs a command: %s (see "
		    "'mscagent help %s')", argv[0], list, argv[0]);
		return;
	}
	best = suggest_closest(argv[1], words, k);
	if (best != NULL)
		err_set(err, ERR_INPUT, "unknown command '%s %.40s'; did you "
		    "mean '%s %s'?", argv[0], argv[1], argv[0], best);
	else
		err_set(err, ERR_INPUT, "unknown command '%s %.40s' (%s "
		    "commands: %s)", argv[0], argv[1], argv[0], list);
}

void
cli_help_unknown(int argc, char **argv, struct err *err)
{
	const char *words[HELP_WORDS_MAX], *best;
	size_t k;

	if (cli_is_group(argv[0])) {
		unknown_in_group(argc, argv, err);
		return;
	}
	k = first_words(words);
	best = suggest_closest(argv[0], words, k);
	if (best != NULL)
		err_set(err, ERR_INPUT, "unknown command '%.40s'; did you mean "
		    "'%s'?", argv[0], best);
	else
		err_set(err, ERR_INPUT, "unknown command '%.40s' (see "
		    "'mscagent help')", argv[0]);
}

int
cli_help_run(int argc, char **argv, struct err *err)
{
	const struct cli_command *c = NULL;

	if (argc == 1) {
		cli_help_all(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--man") == 0) {
		cli_help_man(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "help") == 0) {
		printf("usage: mscagent help [--man | COMMAND]\n\nhelp: the "
		    "usage of every command, one command's, or the man page "
		    "in roff\n");
		return 0;
	}
	if (argc > 3) {
		err_set(err, ERR_INPUT, "help takes one command (usage: "
		    "mscagent help [--man | COMMAND])");
		return -1;
	}
	if (cli_is_group(argv[1])) {
		if (argc == 2)
			return cli_help_group(stdout, argv[1]);
		c = find(argv[1], argv[2]);
	} else if (argc == 3) {
		err_set(err, ERR_INPUT, "'%.40s' is not a group of commands "
		    "(usage: mscagent help [--man | COMMAND])", argv[1]);
		return -1;
	} else
		c = find(NULL, argv[1]);
	if (c == NULL) {
		cli_help_unknown(argc - 1, argv + 1, err);
		return -1;
	}
	cli_help_command(stdout, c);
	return 0;
}
