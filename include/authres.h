/*
 * authres.h: what the mail server the agent trusts says about a received
 * mail's sender, read from its Authentication-Results header fields
 * (RFC 8601).  Only fields whose authserv-id is the trusted one count:
 * anyone can add the others.  A pass is dmarc=pass (unless it names
 * another header.from), or dkim=pass whose header.d or header.i is the
 * From domain.  Pure.
 */
#ifndef MSCAGENT_AUTHRES_H
#define MSCAGENT_AUTHRES_H

#include "inmail.h"

struct mailimf_fields;

/*
 * The verdict of the fields (NULL: none) from authserv_id (NULL or "":
 * trust none, INMAIL_AUTH_NONE) on a mail From from (an addr-spec, NULL
 * when it has none): INMAIL_AUTH_PASS when one of them holds a pass,
 * INMAIL_AUTH_FAIL when they hold none, INMAIL_AUTH_NONE when there is
 * no such field.
 */
enum inmail_auth authres_verdict(const struct mailimf_fields *fields,
	    const char *authserv_id, const char *from);

#endif
