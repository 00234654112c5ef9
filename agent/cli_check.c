/* cli_check.c: init, and check with its one line per check. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_impl.h"
#include "fsm.h"
#include "inmail.h"
#include "mailauth.h"
#include "tmpl.h"
#include "transport.h"

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

int
cmd_init(struct cli *cli, int argc, char **argv)
{
	size_t i;

	(void)argv;
	if (cli_no_arguments(cli, argc, 1) == -1)
		return -1;
	if ((!store_target_is_uri(cli->cfg.database) &&
	    mkdir_parents(cli->cfg.database, &cli->err) == -1) ||
	    store_open(cli->cfg.database, &cli->st, &cli->err) == -1)
		return -1;
	printf("database %s (schema %d)\n", cli->cfg.database,
	    STORE_SCHEMA_VERSION);
	if (init_key(cli->cfg.reply_key_file) == -1)
		goto keys;
	for (i = 0; i < cli->cfg.nkeys; i++)
		if (init_key(cli->cfg.keys[i].path) == -1)
			goto keys;
	return 0;
keys:
	/* The key that failed is already named on stderr. */
	err_set(&cli->err, ERR_RUNTIME, "init: the key files are not all in "
	    "place");
	return -1;
}

/* ---- check ---- */

static int
check_line(int ok, const char *what, const char *detail)
{
	printf("%-5s %-10s %s\n", ok ? "ok" : "FAIL", what, detail);
	return ok ? 0 : 1;
}

/* The catalogs, and whether [agent] language is one of them. */
static int
check_languages(struct cli *cli, struct tmpl_set *set)
{
	char used[LANG_TAG_MAX + 1];
	struct strvec tags = { 0 };
	struct buf b = { 0 };
	struct err err;
	size_t i, len;
	int failed = 0;

	if (tmpl_languages(set, &tags, &err) == -1)
		failed += check_line(0, "languages", err.msg);
	tmpl_set_language(set, cli->cfg.language);
	tmpl_language(set, cli->cfg.language, used);
	len = strcspn(cli->cfg.language, "-");
	if (strlen(used) != len || strncmp(used, cli->cfg.language, len) != 0) {
		buf_printf(&b, "[agent] language %s: no catalog %s/po/%.*s.po; "
		    "support would read %s", cli->cfg.language,
		    cli->cfg.templates, (int)len, cli->cfg.language, used);
		failed += check_line(0, "languages", b.data);
		buf_clear(&b);
	}
	for (i = 0; i < tags.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", tags.v[i]);
	buf_printf(&b, "; default %s", used);
	if (failed == 0)
		check_line(1, "languages", b.data);
	buf_clear(&b);
	strvec_clear(&tags);
	return failed;
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
	failed += check_languages(cli, set);
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

/* What check says of a database that answers: where, which engine and
 * version, and whether the schema is current (or was just made so). */
static char *
database_line(struct cli *cli)
{
	char version[64];
	int found = store_schema_found(cli->st);

	store_server_version(cli->st, version, sizeof version);
	if (found == STORE_SCHEMA_VERSION)
		return xasprintf("%s (%s %s, schema %d, current)",
		    cli->cfg.database, store_engine_name(cli->st), version,
		    STORE_SCHEMA_VERSION);
	return xasprintf("%s (%s %s, schema %d, upgraded from %d now)",
	    cli->cfg.database, store_engine_name(cli->st), version,
	    STORE_SCHEMA_VERSION, found);
}

static int
check_database(struct cli *cli)
{
	struct stat sb;
	struct err err;
	char *line;

	if (!store_target_is_uri(cli->cfg.database) &&
	    access(cli->cfg.database, F_OK) == -1) {
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
	line = database_line(cli);
	check_line(1, "database", line);
	free(line);
	return 0;
}

/* An access token for account a: 0 with *detail (caller frees) saying
 * until when it is valid; -1 with err. */
static int
auth_token_detail(const struct config *cfg, enum mailauth_account a,
    char **detail, struct err *err)
{
	char until[CLI_AUTH_TIME_LEN];
	int64_t expires_at;

	*detail = NULL;
	if (cli_auth_token(cfg, a, &expires_at, err) == -1)
		return -1;
	cli_auth_time(expires_at, until);
	*detail = xasprintf("%s: access token valid until %s",
	    mailauth_username(cfg, a), until);
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
		ok = auth_token_detail(&cli->cfg, accounts[i], &detail,
		    &err) == 0;
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

int
cmd_check(struct cli *cli, int argc, char **argv)
{
	int failed = 0;

	(void)argv;
	if (cli_no_arguments(cli, argc, 1) == -1)
		return -1;
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

