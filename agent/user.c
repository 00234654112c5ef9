/* user.c: console account roles, names and the last-admin rule. */
#include <stdlib.h>
#include <string.h>

#include "password.h"
#include "user.h"

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_VIEWER] = "viewer",
	[ROLE_OPERATOR] = "operator",
	[ROLE_ADMIN] = "admin",
};

const char *
user_role_name(enum user_role role)
{
	if ((int)role < 0 || (int)role >= ROLE_COUNT)
		return "unknown";
	return role_names[role];
}

int
user_role_parse(const char *name, enum user_role *role, struct err *err)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0) {
			*role = (enum user_role)i;
			return 0;
		}
	err_set(err, ERR_INPUT, "'%.40s' is not a role: viewer, operator or "
	    "admin", name);
	return -1;
}

static int
name_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '.' || c == '_' || c == '-' || c == '@');
}

int
user_name_check(const char *name, struct err *err)
{
	size_t i, len = strlen(name);

	for (i = 0; i < len; i++)
		if (!name_char(name[i], i == 0))
			break;
	if (len == 0 || len > USER_NAME_MAX || i < len) {
		err_set(err, ERR_INPUT, "'%.40s' is not an account name: 1 to "
		    "%d of a-z A-Z 0-9 . _ - @, starting with a letter or a "
		    "digit", name, USER_NAME_MAX);
		return -1;
	}
	if (ascii_casecmp(name, USER_CLI) == 0) {
		err_set(err, ERR_INPUT, "'%s' names the command line in the "
		    "audit; choose another name", name);
		return -1;
	}
	return 0;
}

int
user_keeps_an_admin(enum user_role from, int to, int64_t admins)
{
	if (from != ROLE_ADMIN || to == ROLE_ADMIN)
		return 1;
	return admins > 1;
}

int
user_keep_an_admin(const struct console_user *u, int to, int64_t admins,
    struct err *err)
{
	if (user_keeps_an_admin(u->role, to, admins))
		return 0;
	err_set(err, ERR_STATE, "'%s' is the last admin: make another "
	    "account admin first", u->name);
	return -1;
}

void
user_clear(struct console_user *u)
{
	if (u == NULL)
		return;
	free(u->name);
	password_free(u->password_hash);
	password_free(u->totp_secret);
	free(u->recovery_hashes);
	memset(u, 0, sizeof *u);
}
