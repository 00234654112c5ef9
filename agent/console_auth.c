/* console_auth.c: signing in and out, the account and its second factor, the users. */
#include "console_impl.h"

static int
not_yet(struct console_call *c)
{
	console_message(c, 501, "Not yet", "This page is not built yet.");
	return 0;
}

int
console_login_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_login_post(struct console_call *c)
{
	return not_yet(c);
}

int
console_logout_post(struct console_call *c)
{
	return not_yet(c);
}

int
console_account_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_account_post(struct console_call *c)
{
	return not_yet(c);
}

int
console_users_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_users_post(struct console_call *c)
{
	return not_yet(c);
}
