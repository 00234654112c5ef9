/* totp.c: RFC 6238 codes, base32 and the otpauth:// URI (pure). */
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "totp.h"

#define SHA1_LEN	20

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t
totp_step(int64_t now)
{
	return now < 0 ? 0 : now / TOTP_STEP;
}

int
totp_code(const unsigned char *key, size_t len, int64_t step, int digits,
    uint32_t *code, struct err *err)
{
	static const uint32_t pow10[] = { 1000000, 10000000, 100000000 };
	unsigned char msg[8], mac[SHA1_LEN];
	uint64_t counter = (uint64_t)step;
	uint32_t bin;
	int i, off;

	if (digits < 6 || digits > 8) {
		err_set(err, ERR_INPUT, "a code has 6 to 8 digits");
		return -1;
	}
	/* RFC 4226 §5.2: the counter, big-endian, is the message. */
	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA1, key, len, msg, sizeof msg,
	    mac) != 0) {
		err_set(err, ERR_RUNTIME, "HMAC-SHA1 failed");
		return -1;
	}
	/* Dynamic truncation (RFC 4226 §5.3). */
	off = mac[SHA1_LEN - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 | (uint32_t)mac[off + 3];
	*code = bin % pow10[digits - 6];
	return 0;
}

/* 1 when code is exactly TOTP_DIGITS digits, their value in *v. */
static int
read_code(const char *code, uint32_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < TOTP_DIGITS; i++) {
		if (code[i] < '0' || code[i] > '9')
			return 0;
		*v = *v * 10 + (uint32_t)(code[i] - '0');
	}
	return code[i] == '\0';
}

int
totp_verify(const unsigned char *key, size_t len, const char *code,
    int64_t now, int64_t last_step, int64_t *step)
{
	struct err err;
	uint32_t want, got;
	int64_t s, cur = totp_step(now);
	int found = 0;

	if (!read_code(code, &want))
		return 0;
	/* Every step of the window is computed, found or not, so the time
	 * taken says nothing of which one matched. */
	for (s = cur - TOTP_WINDOW; s <= cur + TOTP_WINDOW; s++) {
		if (s < 0 || totp_code(key, len, s, TOTP_DIGITS, &got,
		    &err) == -1)
			continue;
		if (!found && s > last_step && got == want) {
			found = 1;
			*step = s;
		}
	}
	return found;
}

char *
totp_base32_encode(const unsigned char *data, size_t len)
{
	struct buf b = { 0 };
	uint32_t acc = 0;
	int bits = 0;
	size_t i;

	buf_puts(&b, "");
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			buf_append(&b, &b32[(acc >> bits) & 0x1f], 1);
		}
	}
	if (bits > 0)
		buf_append(&b, &b32[(acc << (5 - bits)) & 0x1f], 1);
	return buf_release(&b);
}

static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
totp_base32_decode(const char *text, unsigned char *out, size_t max,
    size_t *len, struct err *err)
{
	size_t n, i, pad;
	uint32_t acc = 0;
	int bits = 0, v;

	*len = 0;
	n = strlen(text);
	for (pad = 0; pad < n && text[n - 1 - pad] == '='; pad++)
		continue;
	/* Padding, when there is any, fills the last group of eight. */
	if (pad > 0 && (n % 8 != 0 || pad > 6))
		goto bad;
	n -= pad;
	/* 1, 3 or 6 characters past a group of eight encode no byte. */
	if (n % 8 == 1 || n % 8 == 3 || n % 8 == 6)
		goto bad;
	for (i = 0; i < n; i++) {
		v = b32_value(text[i]);
		if (v < 0)
			goto bad;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (*len == max) {
				err_set(err, ERR_INPUT, "the secret is longer "
				    "than %zu bytes", max);
				*len = 0;
				return -1;
			}
			out[(*len)++] = (unsigned char)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0)
		goto bad;
	return 0;
bad:
	*len = 0;
	err_set(err, ERR_INPUT, "not base32 (RFC 4648)");
	return -1;
}

/* RFC 3986's unreserved characters stay; every other byte is %XX. */
static void
put_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;
	char esc[3];

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			buf_append(b, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 0x0f];
		buf_append(b, esc, 3);
	}
}

char *
totp_uri(const char *issuer, const char *name, const char *secret,
    struct err *err)
{
	struct buf b = { 0 };

	if (text_check("the issuer", issuer, TOTP_LABEL_MAX, 0, err) == -1 ||
	    text_check("the account name", name, TOTP_LABEL_MAX, 0,
	    err) == -1)
		return NULL;
	/* As totp_base32_encode writes it: it goes into the URI as is. */
	if (*secret == '\0' || strspn(secret, b32) != strlen(secret)) {
		err_set(err, ERR_INPUT, "the secret is not upper-case base32 "
		    "without padding");
		return NULL;
	}
	buf_puts(&b, "otpauth://totp/");
	put_encoded(&b, issuer);
	buf_puts(&b, ":");
	put_encoded(&b, name);
	buf_printf(&b, "?secret=%s&issuer=", secret);
	put_encoded(&b, issuer);
	buf_printf(&b, "&period=%d&digits=%d&algorithm=SHA1", TOTP_STEP,
	    TOTP_DIGITS);
	return buf_release(&b);
}
