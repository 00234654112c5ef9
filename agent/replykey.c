/* replykey.c: HMAC reply keys that tie a reply to a mail the agent sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "replykey.h"
#include "util.h"

#define REPLYKEY_CONTEXT "mscagent-reply-v1"

/* The bytes the MAC covers: the fields separated by NULs, so no two
 * different field lists give the same input.  Out of memory is fatal
 * here as everywhere (util.h), not a key that silently fails. */
static char *
mac_input(int64_t tenant, int64_t mail, const char *recipient,
    int64_t generation, size_t *len)
{
	struct buf b = { 0 };

	buf_puts(&b, REPLYKEY_CONTEXT);
	buf_append(&b, "", 1);
	buf_printf(&b, "%lld", (long long)tenant);
	buf_append(&b, "", 1);
	buf_printf(&b, "%lld", (long long)mail);
	buf_append(&b, "", 1);
	buf_puts(&b, recipient);
	buf_append(&b, "", 1);
	buf_printf(&b, "%lld", (long long)generation);
	*len = b.len;
	return buf_release(&b);
}

static int
mac_hex(const unsigned char *secret, size_t secret_len, int64_t tenant,
    int64_t mail, const char *recipient, int64_t generation,
    char hex[REPLYKEY_MAC_HEX + 1])
{
	unsigned char digest[32];
	static const char digits[] = "0123456789abcdef";
	char *input;
	size_t len, i;
	int rc;

	if (secret_len == 0 || recipient == NULL)
		return -1;
	input = mac_input(tenant, mail, recipient, generation, &len);
	rc = gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, secret_len, input,
	    len, digest);
	free(input);
	if (rc != 0)
		return -1;
	for (i = 0; i < REPLYKEY_MAC_HEX / 2; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0x0f];
	}
	hex[REPLYKEY_MAC_HEX] = '\0';
	return 0;
}

int
replykey_make(const unsigned char *secret, size_t secret_len, int64_t tenant,
    int64_t mail, const char *recipient, int64_t generation, char *out)
{
	char hex[REPLYKEY_MAC_HEX + 1];

	if (mac_hex(secret, secret_len, tenant, mail, recipient, generation,
	    hex) == -1)
		return -1;
	snprintf(out, REPLYKEY_MAX, "%lld.%s", (long long)mail, hex);
	return 0;
}

int
replykey_parse(const char *key, int64_t *mail)
{
	const char *p, *dot;
	long long v = 0;
	size_t i;

	dot = strchr(key, '.');
	if (dot == NULL || dot == key || dot - key > REPLYKEY_ID_DIGITS_MAX)
		return -1;
	for (p = key; p < dot; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	for (i = 1; i <= REPLYKEY_MAC_HEX; i++)
		if (strchr("0123456789abcdef", dot[i]) == NULL || dot[i] == '\0')
			return -1;
	if (dot[REPLYKEY_MAC_HEX + 1] != '\0' || v <= 0)
		return -1;
	*mail = v;
	return 0;
}

int
replykey_check(const unsigned char *secret, size_t secret_len,
    const char *key, int64_t tenant, int64_t mail, const char *recipient,
    int64_t generation)
{
	char want[REPLYKEY_MAX];
	unsigned char diff = 0;
	size_t i, len;

	if (replykey_make(secret, secret_len, tenant, mail, recipient,
	    generation, want) == -1)
		return 0;
	len = strlen(want);
	if (strlen(key) != len)
		return 0;
	for (i = 0; i < len; i++)
		diff |= (unsigned char)(want[i] ^ key[i]);
	return diff == 0;
}

/* Copies s[0..len) into key when it has the shape of a key. */
static int
take_candidate(const char *s, size_t len, char *key)
{
	int64_t mail;

	if (len == 0 || len >= REPLYKEY_MAX)
		return -1;
	memcpy(key, s, len);
	key[len] = '\0';
	/* Some servers fold the local part to upper case. */
	for (size_t i = 0; i < len; i++)
		if (key[i] >= 'A' && key[i] <= 'F')
			key[i] = (char)(key[i] - 'A' + 'a');
	return replykey_parse(key, &mail);
}

int
replykey_from_address(const char *addr, char *key)
{
	const char *plus, *at;

	at = strrchr(addr, '@');
	if (at == NULL)
		return -1;
	plus = memrchr(addr, '+', (size_t)(at - addr));
	if (plus == NULL)
		return -1;
	return take_candidate(plus + 1, (size_t)(at - plus - 1), key);
}

int
replykey_from_message_id(const char *id, char *key)
{
	const char *dot;

	/* "<mail>.<mac>.<random>@domain": the key is up to the second dot. */
	dot = strchr(id, '.');
	if (dot == NULL)
		return -1;
	dot = strchr(dot + 1, '.');
	if (dot == NULL)
		return -1;
	return take_candidate(id, (size_t)(dot - id), key);
}

char *
replykey_address(const char *reply_address, const char *key)
{
	const char *at;

	at = strrchr(reply_address, '@');
	if (at == NULL)
		return xasprintf("%s+%s", reply_address, key);
	return xasprintf("%.*s+%s%s", (int)(at - reply_address), reply_address,
	    key, at);
}
