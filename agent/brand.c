/* brand.c: the [branding] keys as template variables. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "brand.h"

/* A contact people can click: a web page, or an address to write to. */
static void
set_support_href(struct tmpl_vars *v, const char *contact)
{
	char why[64];
	char *mailto;

	if (strncmp(contact, "https://", 8) == 0 ||
	    strncmp(contact, "http://", 7) == 0) {
		tmpl_vars_set(v, "support_href", contact);
		return;
	}
	if (addr_valid(contact, why, sizeof why)) {
		mailto = xasprintf("mailto:%s", contact);
		tmpl_vars_set(v, "support_href", mailto);
		free(mailto);
	}
}

struct tmpl_vars *
brand_vars(const struct config *cfg)
{
	struct tmpl_vars *v;

	if (cfg->company == NULL && cfg->support_contact == NULL &&
	    cfg->accent_color == NULL && cfg->logo == NULL)
		return NULL;
	v = tmpl_vars_new();
	tmpl_vars_set(v, "company", cfg->company);
	tmpl_vars_set(v, "support_contact", cfg->support_contact);
	if (cfg->support_contact != NULL)
		set_support_href(v, cfg->support_contact);
	tmpl_vars_set(v, "accent_color", cfg->accent_color);
	tmpl_vars_set(v, "has_logo", cfg->logo != NULL ? "yes" : "");
	tmpl_vars_set(v, "has_header",
	    cfg->logo != NULL || cfg->company != NULL ? "yes" : "");
	return v;
}
