/* proxy.c: the client's address behind trusted reverse proxies. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

/* An address in binary: its family's length in bytes (4 or 16). */
struct ip {
	unsigned char	 b[sizeof(struct in6_addr)];
	size_t		 len;
};

/* Reads a whole address (s, len bytes) into ip; -1 when it is not one. */
static int
ip_parse(const char *s, size_t len, struct ip *ip)
{
	char text[PROXY_ADDRESS_MAX];

	if (len == 0 || len >= sizeof text)
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, ip->b) == 1) {
		ip->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, ip->b) == 1) {
		ip->len = 16;
		return 0;
	}
	return -1;
}

/* inet_ntop's form of ip: cannot fail with room for the longest. */
static void
ip_text(const struct ip *ip, char out[PROXY_ADDRESS_MAX])
{
	inet_ntop(ip->len == 4 ? AF_INET : AF_INET6, ip->b, out,
	    PROXY_ADDRESS_MAX);
}

/* "ADDR" or "ADDR/N" into ip and its prefix; -1 when it is neither. */
static int
net_parse(const char *s, struct ip *ip, unsigned *prefix)
{
	const char *slash = strchr(s, '/');
	char *end;
	long n;

	if (ip_parse(s, slash ? (size_t)(slash - s) : strlen(s), ip) == -1)
		return -1;
	*prefix = (unsigned)ip->len * 8;
	if (slash == NULL)
		return 0;
	/* Digits only: strtol would take blanks, signs and "0x". */
	if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
		return -1;
	n = strtol(slash + 1, &end, 10);
	if (*end != '\0' || n > (long)ip->len * 8)
		return -1;
	*prefix = (unsigned)n;
	return 0;
}

/* 1 when the first prefix bits of a and b are the same. */
static int
same_prefix(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	unsigned char mask;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* 1 when every bit of ip after the first prefix is zero. */
static int
host_bits_zero(const struct ip *ip, unsigned prefix)
{
	unsigned char keep;
	size_t i;

	for (i = 0; i < ip->len; i++) {
		if (i * 8 >= prefix)
			keep = 0;
		else if (i * 8 + 8 > prefix)
			keep = (unsigned char)(0xff << (8 - (prefix - i * 8)));
		else
			continue;
		if ((ip->b[i] & (unsigned char)~keep) != 0)
			return 0;
	}
	return 1;
}

int
proxy_net_normal(const char *s, char out[PROXY_NET_MAX])
{
	char text[PROXY_ADDRESS_MAX];
	struct ip ip;
	unsigned prefix;

	if (net_parse(s, &ip, &prefix) == -1)
		return -1;
	/* Host bits set: the writer meant another network, or one host. */
	if (!host_bits_zero(&ip, prefix))
		return -1;
	ip_text(&ip, text);
	if (prefix == ip.len * 8)
		snprintf(out, PROXY_NET_MAX, "%s", text);
	else
		snprintf(out, PROXY_NET_MAX, "%s/%u", text, prefix);
	return 0;
}

int
proxy_trusted(const struct strvec *trusted, const char *address)
{
	struct ip a, net;
	unsigned prefix;
	size_t i;

	if (ip_parse(address, strlen(address), &a) == -1)
		return 0;
	for (i = 0; i < trusted->n; i++)
		if (net_parse(trusted->v[i], &net, &prefix) == 0 &&
		    net.len == a.len && same_prefix(net.b, a.b, prefix))
			return 1;
	return 0;
}

/* 1 when s (len bytes) is a TCP port: 1 to 5 digits. */
static int
port_digits(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 5)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * One entry of X-Forwarded-For (s, len bytes) into out in inet_ntop's
 * form: blanks around it, "[v6]", "[v6]:port" and "v4:port" allowed
 * (some proxies add the client's port); -1 for anything else.
 */
static int
hop_address(const char *s, size_t len, char out[PROXY_ADDRESS_MAX])
{
	const char *colon, *close;
	struct ip ip;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len > 0 && *s == '[') {
		close = memchr(s, ']', len);
		if (close == NULL || (close + 1 != s + len && (close[1] != ':' ||
		    !port_digits(close + 2, (size_t)(s + len - close - 2)))))
			return -1;
		s++;
		len = (size_t)(close - s);
		if (memchr(s, ':', len) == NULL)
			return -1;	/* "[1.2.3.4]" */
	} else if ((colon = memchr(s, ':', len)) != NULL &&
	    memchr(colon + 1, ':', (size_t)(s + len - colon - 1)) == NULL) {
		/* One colon: IPv4 and a port (IPv6 has at least two). */
		if (!port_digits(colon + 1, (size_t)(s + len - colon - 1)))
			return -1;
		len = (size_t)(colon - s);
		if (memchr(s, '.', len) == NULL)
			return -1;
	}
	if (ip_parse(s, len, &ip) == -1)
		return -1;
	ip_text(&ip, out);
	return 0;
}

void
proxy_client_address(const char *peer, const char *forwarded,
    const struct strvec *trusted, char out[PROXY_ADDRESS_MAX])
{
	char hop[PROXY_ADDRESS_MAX], client[PROXY_ADDRESS_MAX];
	const char *end, *comma;
	size_t hops = 0;

	snprintf(out, PROXY_ADDRESS_MAX, "%s", peer);
	if (forwarded == NULL || !proxy_trusted(trusted, peer))
		return;
	snprintf(client, sizeof client, "%s", peer);
	end = forwarded + strlen(forwarded);
	while (end > forwarded) {
		for (comma = end; comma > forwarded && comma[-1] != ','; comma--)
			;
		if (++hops > PROXY_HOPS_MAX ||
		    hop_address(comma, (size_t)(end - comma), hop) == -1)
			return;		/* out is still the peer */
		memcpy(client, hop, sizeof hop);
		if (!proxy_trusted(trusted, hop))
			break;
		end = comma > forwarded ? comma - 1 : forwarded;
	}
	memcpy(out, client, sizeof client);
}
