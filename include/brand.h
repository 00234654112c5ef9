/*
 * brand.h: the MSP's own name and look ([branding], SPEC §7) as the
 * template variables every mail and page may show, and where the logo
 * is found: inside a mail by its Content-ID, on the listener at a fixed
 * path.  Pure: the logo was read with the config.
 *
 * The variables: company, support_contact, support_href (a link for the
 * contact when it is an http(s) URL or an address, else unset),
 * accent_color (#rrggbb, for data-style-*), has_logo and has_header
 * ("yes" when there is a logo or a company to show above the content).
 */
#ifndef MSCAGENT_BRAND_H
#define MSCAGENT_BRAND_H

#include "config.h"
#include "tmpl.h"

/* The logo's Content-ID in a mail (without <>), as layout.html's
 * <img src="cid:..."> names it. */
#define BRAND_LOGO_CID		"logo@mscagent.invalid"
/* The logo on the public listener, as page_layout.html names it. */
#define BRAND_LOGO_PATH		"/logo.png"

/*
 * The branding variables for tmpl_set_globals: caller frees.  NULL when
 * no [branding] key is set, so that mails and pages keep today's
 * neutral look byte for byte.
 */
struct tmpl_vars *brand_vars(const struct config *);

#endif
