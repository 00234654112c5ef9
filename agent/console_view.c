/* console_view.c: the console's pages that only show, and their CSV. */
#include "console_impl.h"

static int
not_yet(struct console_call *c)
{
	console_message(c, 501, "Not yet", "This page is not built yet.");
	return 0;
}

int
console_dashboard_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_tenants_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_tenants_csv_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_tenant_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_mail_raw_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_outbox_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_inbox_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_plans_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_audit_get(struct console_call *c)
{
	return not_yet(c);
}

int
console_audit_csv_get(struct console_call *c)
{
	return not_yet(c);
}
