/*
 * addr.h: e-mail address checks (RFC 5321/5322 addr-spec), used by the
 * preflight, the config and every place an address enters a mail header
 * or an SMTP command.
 */
#ifndef MSCAGENT_ADDR_H
#define MSCAGENT_ADDR_H

#include "util.h"

/* RFC 5321 §4.5.3.1: the sizes every server must take, and no more. */
#define ADDR_LOCAL_MAX	64
#define ADDR_DOMAIN_MAX	255
#define ADDR_LABEL_MAX	63	/* RFC 1035 */
#define ADDR_MAX	254	/* a path of 256 less its brackets */

/*
 * Checks that s is one addr-spec: a dot-atom or quoted-string local part
 * (plus-tags allowed), '@', and a domain that is either a dot-atom of at
 * least two labels (letters, digits, hyphens, and UTF-8 for IDN; no
 * label over 63 bytes, none starting or ending with '-') or an IP literal
 * ("[192.0.2.1]" or "[IPv6:...]").  No spaces or control characters
 * outside quotes, no CR/LF/NUL anywhere, the length limits above.
 * Returns 1 when valid; else 0, with the reason in why (why_len bytes,
 * e.g. "the domain has no dot").
 */
int	 addr_valid(const char *s, char *why, size_t why_len);

/*
 * Compares two addresses as the inbound side needs: the local part
 * exactly, the domain without case.  Returns 1 when they are the same.
 */
int	 addr_equal(const char *, const char *);

#endif
