/* console_session.c: the console's sessions, their cookie and CSRF token. */
#include <stdlib.h>
#include <string.h>

#include "console_impl.h"

int
console_session_load(struct console_call *c)
{
	(void)c;
	return 0;	/* not yet: nobody is signed in */
}

int
console_post_allowed(const struct console_call *c)
{
	(void)c;
	return 0;
}

void
console_call_clear(struct console_call *c)
{
	user_clear(&c->user);
	free(c->csrf);
	c->csrf = NULL;
}
