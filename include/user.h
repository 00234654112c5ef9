/*
 * user.h: the operator console's accounts (pure core): roles and their
 * names, the rule for account names, the account as the store keeps it,
 * and the rule that keeps an administrator.
 *
 * Accounts are made on the command line (`mscagent user ...`, so that
 * the first one can be), and the console signs them in.  A password is
 * only ever kept as its Argon2id hash (password.h); a one-time password
 * must be changed at the next sign-in.
 */
#ifndef MSCAGENT_USER_H
#define MSCAGENT_USER_H

#include <stdint.h>

#include "util.h"

/* In order of what each may do: every role may do what those before it
 * may. */
enum user_role {
	ROLE_VIEWER,
	ROLE_OPERATOR,
	ROLE_ADMIN,
};

#define ROLE_COUNT	3

/* An account name: 1 to USER_NAME_MAX of a-z A-Z 0-9 . _ - @, starting
 * with a letter or a digit; no two differ only in case. */
#define USER_NAME_MAX	64

/* Who the audit names for what the command line did; no account may
 * take the name. */
#define USER_CLI	"cli"

struct console_user {
	int64_t		 id;
	char		*name;
	enum user_role	 role;
	char		*password_hash;	/* Argon2id, password.h */
	int		 must_change_password;
	char		*totp_secret;	/* base32; NULL: not enrolled */
	int64_t		 totp_last_step; /* of the last code accepted */
	char		*recovery_hashes; /* space-separated; "" when none */
	int		 failed_signins; /* in a row */
	int64_t		 signin_not_before; /* throttled until then */
	int64_t		 created_at;
	int64_t		 password_changed_at;
};

/* "viewer", "operator", "admin"; "unknown" out of range. */
const char *user_role_name(enum user_role);

/* The role named name (exactly, lower case) into *role; -1 with
 * ERR_INPUT naming the roles. */
int	 user_role_parse(const char *name, enum user_role *role,
	    struct err *);

/* 0 when name is a valid account name, else -1 with ERR_INPUT. */
int	 user_name_check(const char *name, struct err *);

/*
 * Whether a change leaves an administrator: taking user (now of role
 * from) to role to (-1: deleting the account), with admins accounts
 * holding the admin role now.  1 when allowed, 0 when it would remove
 * the last one (nobody could then manage accounts in the console).
 */
int	 user_keeps_an_admin(enum user_role from, int to, int64_t admins);
/* As user_keeps_an_admin for account u: 0, or -1 with ERR_STATE and
 * the words the CLI and the console both show. */
int	 user_keep_an_admin(const struct console_user *u, int to,
	    int64_t admins, struct err *);

/* Frees the strings and empties *u; NULL is fine. */
void	 user_clear(struct console_user *);

#endif
