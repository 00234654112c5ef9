/* console_act.c: the console's actions on tenants, one or in bulk, and the import. */
#include "console_impl.h"

static int
not_yet(struct console_call *c)
{
	console_message(c, 501, "Not yet", "This page is not built yet.");
	return 0;
}

int
console_tenant_act_post(struct console_call *c, const char *action)
{
	(void)action;
	return not_yet(c);
}

int
console_bulk_post(struct console_call *c)
{
	return not_yet(c);
}

int
console_import_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_import_post(struct console_call *c)
{
	return not_yet(c);
}
