/*
 * fuzz_oauth.c: what a token endpoint may answer (oauth.c), read by
 * oauth_parse_token or oauth_parse_device with no network.
 *
 * The first byte of an input picks the HTTP status, its low three bits
 * (mod 5) one of 200, 400, 401, 429 and 500, and the parser, bit 3 the
 * device answer's; the rest is the body, handed over without a NUL after
 * it.  So "0{...}" is a token answer with status 200, "1{...}" one with
 * 400, "8{...}" a device answer with 200.
 */
#include "fuzz.h"
#include "oauth.h"

static const long statuses[] = { 200, 400, 401, 429, 500 };

/* A token as oauth.h hands it out: visible ASCII, no quote or
 * backslash, at most OAUTH_TOKEN_MAX bytes. */
static int
is_token(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > OAUTH_TOKEN_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

/* Text safe to log and show: UTF-8 without C0, DEL or C1 controls. */
static int
is_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!utf8_valid(s, strlen(s)))
		return 0;
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 0;
	return 1;
}

/* What every refusal promises, whichever parser made it. */
static void
check_refusal(long http, enum oauth_status st, const struct err *err)
{
	fuzz_require(st != OAUTH_OK, "a refusal is not OAUTH_OK");
	fuzz_require(st >= OAUTH_PENDING && st <= OAUTH_TEMPORARY,
	    "a known status");
	fuzz_require(err->kind == ERR_RUNTIME, "a refusal is ERR_RUNTIME");
	fuzz_require(err->msg[0] != '\0', "a refusal says why");
	fuzz_require(is_printable(err->msg), "the message is printable");
	if (http == 429 || http >= 500)
		fuzz_require(st == OAUTH_TEMPORARY,
		    "429 and 5xx are temporary");
	if (http == 200)
		fuzz_require(st == OAUTH_TEMPORARY,
		    "a bad 200 answer is temporary");
}

static void
token(long http, const char *body, size_t len)
{
	struct oauth_token tok;
	struct err err = { 0 };
	enum oauth_status st;

	st = oauth_parse_token(http, body, len, &tok, &err);
	if (st != OAUTH_OK) {
		check_refusal(http, st, &err);
		fuzz_require(tok.access_token == NULL &&
		    tok.refresh_token == NULL && tok.expires_in == 0,
		    "a refused answer leaves the token empty");
		return;
	}
	fuzz_require(http == 200, "only a 200 answer brings a token");
	fuzz_require(len <= OAUTH_BODY_MAX, "no body above OAUTH_BODY_MAX");
	fuzz_require(tok.access_token != NULL &&
	    is_token(tok.access_token), "the access token is a token");
	fuzz_require(tok.refresh_token == NULL ||
	    is_token(tok.refresh_token), "the refresh token is a token");
	fuzz_require(tok.expires_in >= 1 &&
	    tok.expires_in <= OAUTH_LIFETIME_MAX, "a lifetime in bounds");
	oauth_token_clear(&tok);
	fuzz_require(tok.access_token == NULL && tok.refresh_token == NULL,
	    "clearing empties the token");
}

static void
device(long http, const char *body, size_t len)
{
	struct oauth_device dev;
	struct err err = { 0 };
	enum oauth_status st;

	st = oauth_parse_device(http, body, len, &dev, &err);
	if (st != OAUTH_OK) {
		check_refusal(http, st, &err);
		fuzz_require(dev.device_code == NULL && dev.user_code == NULL &&
		    dev.verification_uri == NULL && dev.message == NULL &&
		    dev.expires_in == 0 && dev.interval == 0,
		    "a refused answer leaves the device empty");
		return;
	}
	fuzz_require(http == 200, "only a 200 answer starts the flow");
	fuzz_require(dev.device_code != NULL && is_token(dev.device_code),
	    "the device code is a token");
	fuzz_require(dev.user_code != NULL && *dev.user_code != '\0' &&
	    is_printable(dev.user_code), "the user code is printable");
	fuzz_require(dev.verification_uri != NULL &&
	    *dev.verification_uri != '\0' &&
	    is_printable(dev.verification_uri), "the URI is printable");
	fuzz_require(dev.message == NULL || is_printable(dev.message),
	    "the message is printable");
	fuzz_require(dev.expires_in >= 1 &&
	    dev.expires_in <= OAUTH_LIFETIME_MAX, "a lifetime in bounds");
	fuzz_require(dev.interval >= 1 && dev.interval <= OAUTH_LIFETIME_MAX,
	    "an interval in bounds");
	oauth_device_clear(&dev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body;
	long http;

	if (size == 0)
		return 0;
	http = statuses[(data[0] & 7) % 5];
	body = (const char *)data + 1;
	if (data[0] & 8)
		device(http, body, size - 1);
	else
		token(http, body, size - 1);
	return 0;
}
