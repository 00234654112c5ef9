/*
 * proxy.h: who the client is behind trusted reverse proxies.  Both
 * listeners ([listener] and [console] trusted_proxies) believe
 * X-Forwarded-For only from a peer in their list, so that a client
 * cannot name itself someone else, and walk it the way nginx's realip
 * module does.  Pure: strings in, strings out, no socket.
 *
 * A trusted proxy is an address or a network in CIDR form, IPv4 or
 * IPv6: "127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8".  Addresses are
 * kept and compared in inet_ntop's form.
 */
#ifndef MSCAGENT_PROXY_H
#define MSCAGENT_PROXY_H

#include "util.h"

/* An address in inet_ntop's form: IPv6's longest, and a NUL. */
#define PROXY_ADDRESS_MAX	46
/* A trusted proxy as written: the address and "/128". */
#define PROXY_NET_MAX		(PROXY_ADDRESS_MAX + 4)
/* Hops of X-Forwarded-For read at most, right to left: more trusted
 * proxies in a row than this is not a real chain. */
#define PROXY_HOPS_MAX		32

/*
 * A trusted proxy's entry in its normal form into out: the address as
 * inet_ntop writes it, and "/N" when a prefix shorter than the whole
 * address is given (host bits must be zero: "10.0.0.1/8" is a mistake).
 * 0, or -1 when s is not one.
 */
int	 proxy_net_normal(const char *s, char out[PROXY_NET_MAX]);

/* 1 when address (inet_ntop's form) is in one of the entries of
 * trusted (normal forms), else 0. */
int	 proxy_trusted(const struct strvec *trusted, const char *address);

/*
 * The client's address into out: peer's, unless peer is trusted; then
 * X-Forwarded-For (forwarded: its fields joined by commas; NULL: none)
 * read from the right, each trusted hop skipped, since the hops to its
 * right were added by proxies that are trusted; the first untrusted one
 * is the client (all trusted: the leftmost).  An entry that is not an
 * address ("unknown", a name, junk) where the walk reads, or more than
 * PROXY_HOPS_MAX hops, makes the whole header unbelievable: peer.
 * Blanks around an entry, an IPv4 ":port", "[v6]" and "[v6]:port"
 * are allowed.  What lies left of the client is never read.
 */
void	 proxy_client_address(const char *peer, const char *forwarded,
	    const struct strvec *trusted, char out[PROXY_ADDRESS_MAX]);

#endif
