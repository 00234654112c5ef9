/*
 * cli_user.c: the console accounts' commands: user add, list, passwd,
 * role, del and reset-totp.  Each change is one transaction with its
 * audit row (user "cli"); a change refused for what the database holds
 * (a name taken, no such user, the last admin) is audited as refused.
 * A one-time password is printed once, alone on stdout, and kept
 * nowhere but as its hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli_impl.h"
#include "password.h"
#include "user.h"
#include "view.h"

#define ACTION_ADD		"user.add"
#define ACTION_PASSWD		"user.passwd"
#define ACTION_ROLE		"user.role"
#define ACTION_DEL		"user.del"
#define ACTION_RESET_TOTP	"user.reset-totp"

/*
 * Ends a change begun with store_begin.  Done (rc 0): its audit row
 * goes in the same transaction, which commits.  Refused: rolled back,
 * and the refusal audited on its own; a usage error never got here
 * and a database failure could not be audited anyway.
 */
static int
finish(struct cli *cli, int rc, const char *action, const char *target,
    const char *detail)
{
	struct audit_note a = { cli->now, USER_CLI, NULL, action, target,
	    "ok", detail };
	struct err e;

	if (rc == 0) {
		if (store_audit_add(cli->st, &a, &cli->err) == -1 ||
		    store_commit(cli->st, &cli->err) == -1) {
			store_rollback(cli->st);
			return -1;
		}
		return 0;
	}
	store_rollback(cli->st);
	if (cli->err.kind == ERR_INPUT || cli->err.kind == ERR_STATE) {
		a.outcome = "refused";
		a.detail = cli->err.msg;
		(void)store_audit_add(cli->st, &a, &e);
	}
	return -1;
}

/* The NAME operand of a command that takes it alone (and role's ROLE
 * when role is not NULL). */
static int
name_operand(struct cli *cli, int argc, char **argv, const char **name,
    const char **role)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int want = role != NULL ? 2 : 1;
	int c;

	*name = NULL;
	while ((c = cli_next_option(cli, argc, argv, ":", none)) != -1)
		if (c == '?')
			return -1;
	if (argc - optind != want)
		return cli_usage_error(cli, "needs %s", role != NULL ?
		    "a NAME and a ROLE" : "one NAME");
	*name = argv[optind];
	if (role != NULL)
		*role = argv[optind + 1];
	return user_name_check(*name, &cli->err);
}

/* A new one-time password and its hash, made before the transaction:
 * hashing takes a tenth of a second the write lock need not wait for. */
static char *
one_time_password(struct cli *cli, char hash[PASSWORD_HASH_MAX])
{
	char *otp;

	otp = password_generate();
	if (password_hash(otp, hash, &cli->err) == -1) {
		password_free(otp);
		return NULL;
	}
	return otp;
}

/*
 * Gives account name a new one-time password, adding the account with
 * role when add; the password is printed only once the change and its
 * audit row have committed.
 */
static int
set_one_time(struct cli *cli, const char *name, int add, enum user_role role)
{
	char hash[PASSWORD_HASH_MAX], detail[32];
	char *otp = NULL;
	int rc = -1;

	if ((otp = one_time_password(cli, hash)) == NULL)
		goto out;
	if (store_begin(cli->st, &cli->err) == -1)
		goto out;
	snprintf(detail, sizeof detail, "role %s", user_role_name(role));
	rc = add ? store_user_add(cli->st, name, role, hash, cli->now,
	    &cli->err) : store_user_set_password(cli->st, name, hash, 1,
	    cli->now, &cli->err);
	if (finish(cli, rc, add ? ACTION_ADD : ACTION_PASSWD, name, add ?
	    detail : "a new one-time password, sessions ended") == -1) {
		rc = -1;
		goto out;
	}
	printf("%s\n", otp);
out:
	password_wipe(hash, sizeof hash);
	password_free(otp);
	return rc;
}

int
cmd_user_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name, *role_name = NULL;
	enum user_role role;
	int c;

	while ((c = cli_next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		role_name = optarg;
	}
	if (optind != argc - 1 || role_name == NULL)
		return cli_usage_error(cli, "user add needs a NAME and --role");
	name = argv[optind];
	if (user_name_check(name, &cli->err) == -1 ||
	    user_role_parse(role_name, &role, &cli->err) == -1)
		return -1;
	return set_one_time(cli, name, 1, role);
}

int
cmd_user_list(struct cli *cli, int argc, char **argv)
{
	struct console_user *users = NULL;
	json_t *a;
	size_t n = 0, i;
	int json;

	if (cli_json_flag(cli, argc, argv, &json, NULL) == -1)
		return -1;
	if (cli_no_arguments(cli, argc, optind) == -1)
		return -1;
	if (store_user_list(cli->st, &users, &n, &cli->err) == -1)
		return -1;
	if (json) {
		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, view_user_json(&users[i]));
		view_print_json(stdout, a);
		json_decref(a);
	} else {
		view_user_row(stdout, NULL);
		for (i = 0; i < n; i++)
			view_user_row(stdout, &users[i]);
	}
	store_users_free(users, n);
	return 0;
}

int
cmd_user_passwd(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL;

	if (name_operand(cli, argc, argv, &name, NULL) == -1)
		return -1;
	return set_one_time(cli, name, 0, ROLE_VIEWER);
}

/* ERR_STATE when the change would leave no admin (to -1: deleting). */
static int
keep_an_admin(struct cli *cli, const struct console_user *u, int to)
{
	int64_t admins;

	if (store_user_count(cli->st, ROLE_ADMIN, &admins, &cli->err) == -1)
		return -1;
	return user_keep_an_admin(u, to, admins, &cli->err);
}

int
cmd_user_role(struct cli *cli, int argc, char **argv)
{
	struct console_user u = { 0 };
	const char *name = NULL, *role_name = NULL;
	enum user_role role;
	char detail[64];
	int rc;

	if (name_operand(cli, argc, argv, &name, &role_name) == -1 ||
	    user_role_parse(role_name, &role, &cli->err) == -1)
		return -1;
	if (store_begin(cli->st, &cli->err) == -1)
		return -1;
	rc = store_user_get(cli->st, name, &u, &cli->err);
	if (rc == 0) {
		snprintf(detail, sizeof detail, "%s -> %s",
		    user_role_name(u.role), user_role_name(role));
		rc = keep_an_admin(cli, &u, (int)role);
	}
	if (rc == 0)
		rc = store_user_set_role(cli->st, name, role, &cli->err);
	rc = finish(cli, rc, ACTION_ROLE, name, rc == 0 ? detail : NULL);
	user_clear(&u);
	return rc;
}

int
cmd_user_del(struct cli *cli, int argc, char **argv)
{
	struct console_user u = { 0 };
	const char *name = NULL;
	int rc;

	if (name_operand(cli, argc, argv, &name, NULL) == -1)
		return -1;
	if (store_begin(cli->st, &cli->err) == -1)
		return -1;
	rc = store_user_get(cli->st, name, &u, &cli->err);
	if (rc == 0)
		rc = keep_an_admin(cli, &u, -1);
	if (rc == 0)
		rc = store_user_delete(cli->st, name, &cli->err);
	rc = finish(cli, rc, ACTION_DEL, name, NULL);
	user_clear(&u);
	return rc;
}

int
cmd_user_reset_totp(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL;
	int rc;

	if (name_operand(cli, argc, argv, &name, NULL) == -1)
		return -1;
	if (store_begin(cli->st, &cli->err) == -1)
		return -1;
	rc = store_user_reset_totp(cli->st, name, &cli->err);
	return finish(cli, rc, ACTION_RESET_TOTP, name, "second factor and "
	    "recovery codes forgotten, sessions ended");
}
