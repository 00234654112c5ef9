/*
 * test_oauth.c: the OAuth2 client's readers of token and device answers,
 * on the shapes Microsoft and Google send and on hostile ones, and the
 * RS256 assertion of a service account, checked with GnuTLS against the
 * public half of a key made here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "oauth.h"

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])

#define NOW		INT64_C(1780000000)
#define ISS		"mailer@project-42.iam.gserviceaccount.com"
#define SUB		"agent@example.test"
#define AUD		"https://oauth2.googleapis.com/token"
#define SCOPE		"https://mail.google.com/"

/* A well-formed Microsoft answer less its last member, for variants. */
#define MS_HEAD		"{\"token_type\":\"Bearer\",\"scope\":\"https://" \
			"outlook.office.com/IMAP.AccessAsUser.All\"," \
			"\"ext_expires_in\":3599,"

/*
 * Asserts that s is safe to log and show: valid UTF-8 without C0, DEL
 * or C1 control characters.
 */
static void
assert_printable(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	assert_true(utf8_valid(s, strlen(s)));
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fail_msg("control byte 0x%02x in \"%s\"", *p, s);
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			fail_msg("C1 control in \"%s\"", s);
	}
}

static void
assert_token_empty(const struct oauth_token *tok)
{
	assert_null(tok->access_token);
	assert_null(tok->refresh_token);
	assert_int_equal(tok->expires_in, 0);
}

static void
assert_device_empty(const struct oauth_device *dev)
{
	assert_null(dev->device_code);
	assert_null(dev->user_code);
	assert_null(dev->verification_uri);
	assert_null(dev->message);
	assert_int_equal(dev->expires_in, 0);
	assert_int_equal(dev->interval, 0);
}

/* ---- token answers ---- */

struct token_row {
	const char		*name;
	long			 http;
	const char		*body;
	size_t			 len;		/* 0: strlen(body) */
	enum oauth_status	 want;
	const char		*access;	/* OAUTH_OK: what comes out */
	const char		*refresh;	/* NULL: none */
	int64_t			 expires_in;
	const char		*msg;		/* otherwise: in err.msg */
};

static const struct token_row token_rows[] = {
	/* What providers send. */
	{ "microsoft", 200, MS_HEAD "\"expires_in\":3599,"
	    "\"access_token\":\"eyJ0eXAiOiJKV1Qi.eyJhdWQi.c2ln-_~+/=\","
	    "\"refresh_token\":\"0.AXEA-rt_1.2~3\"}", 0, OAUTH_OK,
	    "eyJ0eXAiOiJKV1Qi.eyJhdWQi.c2ln-_~+/=", "0.AXEA-rt_1.2~3", 3599,
	    NULL },
	{ "google", 200, "{\"access_token\":\"ya29.a0AfH6SMB\","
	    "\"expires_in\":3599,\"scope\":\"https://mail.google.com/\","
	    "\"token_type\":\"Bearer\"}", 0, OAUTH_OK, "ya29.a0AfH6SMB", NULL,
	    3599, NULL },
	{ "bearer in lower case", 200, "{\"access_token\":\"a\","
	    "\"token_type\":\"bearer\",\"expires_in\":60}", 0, OAUTH_OK, "a",
	    NULL, 60, NULL },
	{ "BEARER", 200, "{\"access_token\":\"a\",\"token_type\":\"BEARER\","
	    "\"expires_in\":60}", 0, OAUTH_OK, "a", NULL, 60, NULL },
	{ "expires_in as a string", 200, "{\"access_token\":\"a\","
	    "\"token_type\":\"Bearer\",\"expires_in\":\"3599\"}", 0, OAUTH_OK,
	    "a", NULL, 3599, NULL },
	{ "no expires_in", 200, "{\"access_token\":\"a\","
	    "\"refresh_token\":\"r\",\"token_type\":\"Bearer\"}", 0, OAUTH_OK,
	    "a", "r", OAUTH_LIFETIME_DEFAULT, NULL },
	{ "no token_type", 200, "{\"access_token\":\"a\",\"expires_in\":1}", 0,
	    OAUTH_OK, "a", NULL, 1, NULL },
	{ "expires_in at the limit", 200, "{\"access_token\":\"a\","
	    "\"expires_in\":31622400}", 0, OAUTH_OK, "a", NULL,
	    OAUTH_LIFETIME_MAX, NULL },
	{ "expires_in as a long string", 200, "{\"access_token\":\"a\","
	    "\"expires_in\":\"0000003600\"}", 0, OAUTH_OK, "a", NULL, 3600,
	    NULL },
	{ "white space and unknown members", 200, " \r\n{ \"id_token\" : "
	    "\"x.y.z\", \"access_token\" : \"a\", \"x\" : [1, {\"y\": null}] "
	    "}\n", 0, OAUTH_OK, "a", NULL, OAUTH_LIFETIME_DEFAULT, NULL },

	/* Refusals (RFC 6749 §5.2, RFC 8628 §3.5). */
	{ "invalid_grant", 400, "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"AADSTS70008: The provided authorization "
	    "code or refresh token has expired due to inactivity.\","
	    "\"error_codes\":[70008]}", 0, OAUTH_REAUTH, NULL, NULL, 0,
	    "invalid_grant: AADSTS70008: The provided authorization code or "
	    "refresh token has expired due to inactivity." },
	{ "invalid_grant, Google", 400, "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"Token has been expired or revoked.\"}", 0,
	    OAUTH_REAUTH, NULL, NULL, 0,
	    "invalid_grant: Token has been expired or revoked." },
	{ "invalid_grant, no description", 400,
	    "{\"error\":\"invalid_grant\"}", 0, OAUTH_REAUTH, NULL, NULL, 0,
	    "invalid_grant" },
	{ "authorization_pending", 400, "{\"error\":\"authorization_pending\","
	    "\"error_description\":\"AADSTS70016: OAuth 2.0 device flow "
	    "error.\"}", 0, OAUTH_PENDING, NULL, NULL, 0,
	    "authorization_pending: AADSTS70016" },
	{ "slow_down", 400, "{\"error\":\"slow_down\"}", 0, OAUTH_SLOW_DOWN,
	    NULL, NULL, 0, "slow_down" },
	{ "temporarily_unavailable", 400,
	    "{\"error\":\"temporarily_unavailable\"}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "temporarily_unavailable" },
	{ "invalid_client", 401, "{\"error\":\"invalid_client\","
	    "\"error_description\":\"AADSTS7000215: Invalid client secret "
	    "provided.\"}", 0, OAUTH_REFUSED, NULL, NULL, 0,
	    "invalid_client: AADSTS7000215: Invalid client secret provided." },
	{ "invalid_scope", 400, "{\"error\":\"invalid_scope\","
	    "\"error_description\":\"AADSTS70011\"}", 0, OAUTH_REFUSED, NULL,
	    NULL, 0, "invalid_scope: AADSTS70011" },
	{ "unauthorized_client", 400, "{\"error\":\"unauthorized_client\"}", 0,
	    OAUTH_REFUSED, NULL, NULL, 0, "unauthorized_client" },
	{ "access_denied", 400, "{\"error\":\"access_denied\"}", 0,
	    OAUTH_REFUSED, NULL, NULL, 0, "access_denied" },
	{ "error code in another case", 400, "{\"error\":\"INVALID_GRANT\"}",
	    0, OAUTH_REFUSED, NULL, NULL, 0, "INVALID_GRANT" },
	{ "429", 429, "{\"error\":\"invalid_grant\"}", 0, OAUTH_TEMPORARY,
	    NULL, NULL, 0, "HTTP 429" },
	{ "500", 500, "<html>Internal error</html>", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "HTTP 500" },
	{ "503", 503, "", 0, OAUTH_TEMPORARY, NULL, NULL, 0, "HTTP 503" },
	{ "no status", 0, "", 0, OAUTH_TEMPORARY, NULL, NULL, 0, "HTTP 0" },
	{ "redirect", 302, "", 0, OAUTH_TEMPORARY, NULL, NULL, 0, "HTTP 302" },
	{ "201", 201, "{\"access_token\":\"a\"}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "HTTP 201" },
	{ "400 with HTML", 400, "<html><body>Bad Request</body></html>", 0,
	    OAUTH_REFUSED, NULL, NULL, 0, "HTTP 400, no OAuth2 error code" },
	{ "403 empty", 403, "", 0, OAUTH_REFUSED, NULL, NULL, 0,
	    "HTTP 403, no OAuth2 error code" },
	{ "error not a string", 400, "{\"error\":42}", 0, OAUTH_REFUSED, NULL,
	    NULL, 0, "no OAuth2 error code" },
	{ "error in an array", 400, "[{\"error\":\"invalid_grant\"}]", 0,
	    OAUTH_REFUSED, NULL, NULL, 0, "no OAuth2 error code" },
	{ "error twice", 400, "{\"error\":\"invalid_grant\","
	    "\"error\":\"invalid_client\"}", 0, OAUTH_REFUSED, NULL, NULL, 0,
	    "no OAuth2 error code" },

	/* Hostile or garbled answers with status 200. */
	{ "not JSON", 200, "<html>Sign in</html>", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "not a JSON object" },
	{ "empty body", 200, "", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "not a JSON object" },
	{ "a JSON array", 200, "[{\"access_token\":\"SECRET\"}]", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "not a JSON object" },
	{ "a JSON string", 200, "\"SECRET\"", 0, OAUTH_TEMPORARY, NULL, NULL,
	    0, "not a JSON object" },
	{ "truncated", 200, "{\"access_token\":\"SECRET\"", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "not a JSON object" },
	{ "trailing garbage", 200, "{\"access_token\":\"SECRET\"} x", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "not a JSON object" },
	{ "two objects", 200, "{\"access_token\":\"SECRET\"}{}", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "not a JSON object" },
	{ "missing access_token", 200, "{\"refresh_token\":\"SECRET\","
	    "\"expires_in\":3599}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "no usable access_token" },
	{ "access_token a number", 200, "{\"access_token\":12345}", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "no usable access_token" },
	{ "access_token null", 200, "{\"access_token\":null}", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "no usable access_token" },
	{ "access_token an object", 200, "{\"access_token\":{\"a\":1}}", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "no usable access_token" },
	{ "access_token empty", 200, "{\"access_token\":\"\"}", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "no usable access_token" },
	{ "access_token with a space", 200, "{\"access_token\":\"SECRET x\"}",
	    0, OAUTH_TEMPORARY, NULL, NULL, 0, "no usable access_token" },
	{ "access_token with a quote", 200,
	    "{\"access_token\":\"SECRET\\\"x\"}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "no usable access_token" },
	{ "access_token with a backslash", 200,
	    "{\"access_token\":\"SECRET\\\\x\"}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "no usable access_token" },
	{ "access_token with CR LF", 200,
	    "{\"access_token\":\"SECRET\\r\\nX-Evil: 1\"}", 0, OAUTH_TEMPORARY,
	    NULL, NULL, 0, "no usable access_token" },
	{ "access_token with a control", 200,
	    "{\"access_token\":\"SECRET\\u0001\"}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "no usable access_token" },
	{ "access_token with DEL", 200, "{\"access_token\":\"SECRET\\u007f\"}",
	    0, OAUTH_TEMPORARY, NULL, NULL, 0, "no usable access_token" },
	{ "access_token not ASCII", 200,
	    "{\"access_token\":\"SECRET\xc3\xa9\"}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "no usable access_token" },
	{ "\\u0000 in access_token", 200,
	    "{\"access_token\":\"SECRET\\u0000x\"}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "not a JSON object" },
	{ "\\u0000 in another member", 200, "{\"access_token\":\"SECRET\","
	    "\"scope\":\"a\\u0000b\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "not a JSON object" },
	{ "a NUL byte", 200, "{\"access_token\":\"SECRET\0x\"}", 27,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "not a JSON object" },
	{ "invalid UTF-8", 200, "{\"access_token\":\"SECRET\",\"x\":\"\xff\"}",
	    0, OAUTH_TEMPORARY, NULL, NULL, 0, "not a JSON object" },
	{ "lone surrogate", 200, "{\"access_token\":\"SECRET\","
	    "\"x\":\"\\ud800\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "not a JSON object" },
	{ "duplicate access_token", 200, "{\"access_token\":\"SECRET\","
	    "\"access_token\":\"b\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "not a JSON object" },
	{ "duplicate expires_in", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":1,\"expires_in\":2}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "not a JSON object" },
	{ "expires_in negative", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":-1}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in zero", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":0}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in a float", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":3599.5}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in 3600.0", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":3600.0}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in 12abc", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":\"12abc\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in an empty string", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":\"\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in \"-5\"", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":\"-5\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in \" 60\"", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":\" 60\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in \"0\"", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":\"0\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in over the limit", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":31622401}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in string over the limit", 200,
	    "{\"access_token\":\"SECRET\",\"expires_in\":\"9999999999\"}", 0,
	    OAUTH_TEMPORARY, NULL, NULL, 0, "expires_in" },
	{ "expires_in of 11 digits", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":\"00000000060\"}", 0, OAUTH_TEMPORARY, NULL, NULL,
	    0, "expires_in" },
	{ "expires_in beyond 64 bits", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":99999999999999999999}", 0, OAUTH_TEMPORARY, NULL,
	    NULL, 0, "not a JSON object" },
	{ "expires_in true", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":true}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "expires_in null", 200, "{\"access_token\":\"SECRET\","
	    "\"expires_in\":null}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "expires_in" },
	{ "token_type mac", 200, "{\"access_token\":\"SECRET\","
	    "\"token_type\":\"mac\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "token_type is not Bearer" },
	{ "token_type empty", 200, "{\"access_token\":\"SECRET\","
	    "\"token_type\":\"\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "token_type is not Bearer" },
	{ "token_type Bearer with a blank", 200, "{\"access_token\":\"SECRET\","
	    "\"token_type\":\"Bearer \"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "token_type is not Bearer" },
	{ "refresh_token a number", 200, "{\"access_token\":\"SECRET\","
	    "\"refresh_token\":12345}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "refresh_token is not a token" },
	{ "refresh_token null", 200, "{\"access_token\":\"SECRET\","
	    "\"refresh_token\":null}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "refresh_token is not a token" },
	{ "refresh_token empty", 200, "{\"access_token\":\"SECRET\","
	    "\"refresh_token\":\"\"}", 0, OAUTH_TEMPORARY, NULL, NULL, 0,
	    "refresh_token is not a token" },
	{ "refresh_token with a space", 200, "{\"access_token\":\"a\","
	    "\"refresh_token\":\"SECRET x\"}", 0, OAUTH_TEMPORARY, NULL, NULL,
	    0, "refresh_token is not a token" },
};

static void
check_token_row(const struct token_row *r)
{
	struct oauth_token tok;
	struct err err = { 0 };
	enum oauth_status got;
	size_t len = r->len ? r->len : strlen(r->body);

	memset(&tok, 0xa5, sizeof tok);	/* whatever the caller had */
	got = oauth_parse_token(r->http, r->body, len, &tok, &err);
	if (got != r->want)
		fail_msg("%s: status %d, wanted %d (%s)", r->name, got, r->want,
		    err.msg);
	if (r->want == OAUTH_OK) {
		assert_non_null(tok.access_token);
		assert_string_equal(tok.access_token, r->access);
		if (r->refresh == NULL)
			assert_null(tok.refresh_token);
		else {
			assert_non_null(tok.refresh_token);
			assert_string_equal(tok.refresh_token, r->refresh);
		}
		assert_int_equal(tok.expires_in, r->expires_in);
		oauth_token_clear(&tok);
		assert_token_empty(&tok);
		return;
	}
	assert_token_empty(&tok);
	assert_int_equal(err.kind, ERR_RUNTIME);
	if (strstr(err.msg, r->msg) == NULL)
		fail_msg("%s: got \"%s\", wanted \"%s\"", r->name, err.msg,
		    r->msg);
	assert_printable(err.msg);
	/* No token, good or bad, ever appears in a message. */
	if (strstr(err.msg, "SECRET") != NULL)
		fail_msg("%s: a token in \"%s\"", r->name, err.msg);
}

static void
test_token_answers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(token_rows); i++)
		check_token_row(&token_rows[i]);
}

/* Tokens at OAUTH_TOKEN_MAX and bodies at OAUTH_BODY_MAX, and one more. */
static void
test_token_limits(void **state)
{
	struct oauth_token tok;
	struct err err = { 0 };
	struct buf b = { 0 };
	char *token;
	size_t n;

	(void)state;
	token = xmalloc(OAUTH_TOKEN_MAX + 2);
	memset(token, 'A', OAUTH_TOKEN_MAX);
	token[OAUTH_TOKEN_MAX] = '\0';
	buf_printf(&b, "{\"access_token\":\"%s\",\"refresh_token\":\"%s\"}",
	    token, token);
	assert_int_equal(oauth_parse_token(200, b.data, b.len, &tok, &err),
	    OAUTH_OK);
	assert_int_equal(strlen(tok.access_token), OAUTH_TOKEN_MAX);
	assert_int_equal(strlen(tok.refresh_token), OAUTH_TOKEN_MAX);
	oauth_token_clear(&tok);
	buf_clear(&b);

	strcpy(token + OAUTH_TOKEN_MAX, "A");
	buf_printf(&b, "{\"access_token\":\"%s\"}", token);
	assert_int_equal(oauth_parse_token(200, b.data, b.len, &tok, &err),
	    OAUTH_TEMPORARY);
	assert_token_empty(&tok);
	assert_non_null(strstr(err.msg, "no usable access_token"));
	buf_clear(&b);
	buf_printf(&b, "{\"access_token\":\"a\",\"refresh_token\":\"%s\"}",
	    token);
	assert_int_equal(oauth_parse_token(200, b.data, b.len, &tok, &err),
	    OAUTH_TEMPORARY);
	assert_token_empty(&tok);
	assert_non_null(strstr(err.msg, "refresh_token"));
	buf_clear(&b);
	free(token);

	/* A good answer padded to exactly OAUTH_BODY_MAX bytes. */
	buf_puts(&b, "{\"access_token\":\"a\",\"pad\":\"");
	for (n = b.len; n < OAUTH_BODY_MAX - 2; n++)
		buf_puts(&b, "x");
	buf_puts(&b, "\"}");
	assert_int_equal(b.len, OAUTH_BODY_MAX);
	assert_int_equal(oauth_parse_token(200, b.data, b.len, &tok, &err),
	    OAUTH_OK);
	assert_string_equal(tok.access_token, "a");
	oauth_token_clear(&tok);
	/* One blank more is refused before it is parsed. */
	buf_puts(&b, " ");
	assert_int_equal(oauth_parse_token(200, b.data, b.len, &tok, &err),
	    OAUTH_TEMPORARY);
	assert_token_empty(&tok);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "larger than 65536 bytes"));
	buf_clear(&b);

	/* So is an error answer: its code is not read. */
	buf_puts(&b, "{\"error\":\"invalid_grant\",\"pad\":\"");
	for (n = b.len; n < OAUTH_BODY_MAX; n++)
		buf_puts(&b, "x");
	buf_puts(&b, "\"}");
	assert_int_equal(oauth_parse_token(400, b.data, b.len, &tok, &err),
	    OAUTH_REFUSED);
	assert_non_null(strstr(err.msg, "no OAuth2 error code"));
	buf_clear(&b);

	/* Deep nesting is refused, not a crash. */
	for (n = 0; n < 5000; n++)
		buf_puts(&b, "[");
	assert_int_equal(oauth_parse_token(200, b.data, b.len, &tok, &err),
	    OAUTH_TEMPORARY);
	assert_token_empty(&tok);
	buf_clear(&b);
}

/* The provider's words are shown as printable text, cut short. */
static void
test_error_text(void **state)
{
	static const struct {
		const char	*body;
		const char	*want;	/* err.msg */
	} rows[] = {
		{ "{\"error\":\"invalid_grant\",\"error_description\":"
		    "\"a\\u0001b\\u001b[31mc\\u007fd\\u0085e\\r\\nf\\tg\"}",
		    "invalid_grant: a b [31mc d e  f g" },
		{ "{\"error\":\"invalid\\nclient\\u0000\"}",
		    "HTTP 400, no OAuth2 error code" },
		{ "{\"error\":\"bad\\u009bcode\",\"error_description\":"
		    "\"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\x91\"}",
		    "bad code: caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\x91" },
		/* Raw bad UTF-8: not JSON, so no description at all. */
		{ "{\"error\":\"invalid_grant\",\"error_description\":"
		    "\"\xff\xfe\xc0\xaf\"}", "HTTP 400, no OAuth2 error code" },
		{ "{\"error\":\"invalid_grant\",\"error_description\":42}",
		    "invalid_grant" },
	};
	struct oauth_token tok;
	struct err err = { 0 };
	struct buf b = { 0 };
	size_t i, n, len;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		oauth_parse_token(400, rows[i].body, strlen(rows[i].body), &tok,
		    &err);
		assert_token_empty(&tok);
		assert_printable(err.msg);
		assert_string_equal(err.msg, rows[i].want);
	}

	/* A huge description is cut, and says so. */
	buf_puts(&b, "{\"error\":\"invalid_grant\",\"error_description\":\"");
	for (n = 0; n < 10000; n++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "\"}");
	assert_int_equal(oauth_parse_token(400, b.data, b.len, &tok, &err),
	    OAUTH_REAUTH);
	len = strlen(err.msg);
	assert_true(len > 200 && len < 400);
	assert_printable(err.msg);
	assert_memory_equal(err.msg, "invalid_grant: \xc3\xa9", 17);
	assert_string_equal(err.msg + len - 3, "...");
	buf_clear(&b);

	/* And so is a huge code. */
	buf_puts(&b, "{\"error\":\"");
	for (n = 0; n < 5000; n++)
		buf_puts(&b, "x");
	buf_puts(&b, "\",\"error_description\":\"d\"}");
	assert_int_equal(oauth_parse_token(401, b.data, b.len, &tok, &err),
	    OAUTH_REFUSED);
	assert_true(strlen(err.msg) < 100);
	assert_non_null(strstr(err.msg, "...: d"));
	buf_clear(&b);
}

/* The caller's struct is emptied first, whatever it held. */
static void
test_token_clear(void **state)
{
	static const char good[] = "{\"access_token\":\"a\","
	    "\"refresh_token\":\"r\"}";
	struct oauth_token tok;
	struct err err = { 0 };

	(void)state;
	memset(&tok, 0, sizeof tok);
	oauth_token_clear(&tok);
	assert_token_empty(&tok);
	assert_int_equal(oauth_parse_token(200, good, sizeof good - 1, &tok,
	    &err), OAUTH_OK);
	oauth_token_clear(&tok);
	assert_token_empty(&tok);
	oauth_token_clear(&tok);	/* twice is harmless */
	assert_token_empty(&tok);
}

/* ---- device authorization answers ---- */

#define MS_DEVICE	"{\"user_code\":\"GQVQJKEC\",\"device_code\":" \
			"\"DAQABAAEAAAD--DLA3VO7QrddgJg7Wevrg\"," \
			"\"verification_uri\":" \
			"\"https://microsoft.com/devicelogin\"," \
			"\"expires_in\":900,\"interval\":5," \
			"\"message\":\"To sign in, use a web browser to " \
			"open the page https://microsoft.com/devicelogin " \
			"and enter the code GQVQJKEC to authenticate.\"}"

struct device_row {
	const char		*name;
	long			 http;
	const char		*body;
	enum oauth_status	 want;
	const char		*device_code;	/* OAUTH_OK: what comes out */
	const char		*user_code;
	const char		*uri;
	const char		*message;	/* NULL: none */
	int64_t			 expires_in;
	int64_t			 interval;
	const char		*msg;		/* otherwise: in err.msg */
};

static const struct device_row device_rows[] = {
	{ "microsoft", 200, MS_DEVICE, OAUTH_OK,
	    "DAQABAAEAAAD--DLA3VO7QrddgJg7Wevrg", "GQVQJKEC",
	    "https://microsoft.com/devicelogin", "To sign in, use a web "
	    "browser to open the page https://microsoft.com/devicelogin and "
	    "enter the code GQVQJKEC to authenticate.", 900, 5, NULL },
	{ "google's verification_url", 200, "{\"device_code\":"
	    "\"AH-1Ng14kg9nXfiPm2vdYl\",\"user_code\":\"GQV-QJK-EC\","
	    "\"verification_url\":\"https://www.google.com/device\","
	    "\"expires_in\":1800,\"interval\":8}", OAUTH_OK,
	    "AH-1Ng14kg9nXfiPm2vdYl", "GQV-QJK-EC",
	    "https://www.google.com/device", NULL, 1800, 8, NULL },
	{ "both spellings", 200, "{\"device_code\":\"d\",\"user_code\":\"u\","
	    "\"verification_url\":\"https://b.example\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60}",
	    OAUTH_OK, "d", "u", "https://a.example", NULL, 60, 5, NULL },
	{ "no interval", 200, "{\"device_code\":\"d\",\"user_code\":\"u\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60}",
	    OAUTH_OK, "d", "u", "https://a.example", NULL, 60, 5, NULL },
	{ "numbers as strings", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":\"900\",\"interval\":\"10\"}", OAUTH_OK, "d", "u",
	    "https://a.example", NULL, 900, 10, NULL },
	{ "a message with controls", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":60,\"message\":\"go\\r\\nthere\\u001b[0m\"}",
	    OAUTH_OK, "d", "u", "https://a.example", "go  there [0m", 60, 5,
	    NULL },
	{ "a user code in UTF-8", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"\xc3\xa9t\xc3\xa9\",\"verification_uri\":"
	    "\"https://a.example\",\"expires_in\":60}", OAUTH_OK, "d",
	    "\xc3\xa9t\xc3\xa9", "https://a.example", NULL, 60, 5, NULL },

	/* Something missing or unusable. */
	{ "no device_code", 200, "{\"user_code\":\"u\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60}",
	    OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0, "device_code" },
	{ "no user_code", 200, "{\"device_code\":\"d\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60}",
	    OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0, "user_code" },
	{ "no verification_uri", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"u\",\"expires_in\":60,\"message\":\"m\"}",
	    OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0, "verification_uri" },
	{ "no expires_in", 200, "{\"device_code\":\"d\",\"user_code\":\"u\","
	    "\"verification_uri\":\"https://a.example\",\"message\":\"m\"}",
	    OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0, "expires_in" },
	{ "expires_in zero", 200, "{\"device_code\":\"d\",\"user_code\":\"u\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":0}",
	    OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0, "expires_in" },
	{ "expires_in a float", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":1.5}", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0,
	    0, "expires_in" },
	{ "interval negative", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":60,\"interval\":-5}", OAUTH_TEMPORARY, NULL, NULL,
	    NULL, NULL, 0, 0, "device authorization answer" },
	{ "interval not a number", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":60,\"interval\":\"5s\"}", OAUTH_TEMPORARY, NULL,
	    NULL, NULL, NULL, 0, 0, "device authorization answer" },
	{ "device_code a number", 200, "{\"device_code\":42,"
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":60}", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "device_code" },
	{ "device_code with a space", 200, "{\"device_code\":\"d d\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":60}", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "device_code" },
	{ "device_code not ASCII", 200, "{\"device_code\":\"d\xc3\xa9\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":60}", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "device_code" },
	{ "user_code empty", 200, "{\"device_code\":\"d\",\"user_code\":\"\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60}",
	    OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0, "user_code" },
	{ "user_code with an escape", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"\\u001b[2J\",\"verification_uri\":"
	    "\"https://a.example\",\"expires_in\":60}", OAUTH_TEMPORARY, NULL,
	    NULL, NULL, NULL, 0, 0, "user_code" },
	{ "verification_uri with CR LF", 200, "{\"device_code\":\"d\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a\\r\\nb\","
	    "\"expires_in\":60}", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "verification_uri" },
	{ "not JSON", 200, "device_code=d&user_code=u", OAUTH_TEMPORARY, NULL,
	    NULL, NULL, NULL, 0, 0, "not a JSON object" },
	{ "a JSON array", 200, "[" MS_DEVICE "]", OAUTH_TEMPORARY, NULL, NULL,
	    NULL, NULL, 0, 0, "not a JSON object" },
	{ "duplicate keys", 200, "{\"device_code\":\"d\",\"device_code\":\"e\","
	    "\"user_code\":\"u\",\"verification_uri\":\"https://a.example\","
	    "\"expires_in\":60}", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "not a JSON object" },

	/* Refusals. */
	{ "invalid_client", 401, "{\"error\":\"invalid_client\","
	    "\"error_description\":\"AADSTS7000218\"}", OAUTH_REFUSED, NULL,
	    NULL, NULL, NULL, 0, 0, "invalid_client: AADSTS7000218" },
	{ "invalid_scope", 400, "{\"error\":\"invalid_scope\"}", OAUTH_REFUSED,
	    NULL, NULL, NULL, NULL, 0, 0, "invalid_scope" },
	{ "invalid_grant", 400, "{\"error\":\"invalid_grant\"}", OAUTH_REAUTH,
	    NULL, NULL, NULL, NULL, 0, 0, "invalid_grant" },
	{ "429", 429, "", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "HTTP 429" },
	{ "500", 500, "{}", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "HTTP 500" },
	{ "503", 503, "", OAUTH_TEMPORARY, NULL, NULL, NULL, NULL, 0, 0,
	    "HTTP 503" },
	{ "400 with HTML", 400, "<html>400</html>", OAUTH_REFUSED, NULL, NULL,
	    NULL, NULL, 0, 0, "HTTP 400, no OAuth2 error code" },
};

static void
check_device_row(const struct device_row *r)
{
	struct oauth_device dev;
	struct err err = { 0 };
	enum oauth_status got;

	memset(&dev, 0xa5, sizeof dev);
	got = oauth_parse_device(r->http, r->body, strlen(r->body), &dev,
	    &err);
	if (got != r->want)
		fail_msg("%s: status %d, wanted %d (%s)", r->name, got, r->want,
		    err.msg);
	if (r->want != OAUTH_OK) {
		assert_device_empty(&dev);
		assert_int_equal(err.kind, ERR_RUNTIME);
		if (strstr(err.msg, r->msg) == NULL)
			fail_msg("%s: got \"%s\", wanted \"%s\"", r->name,
			    err.msg, r->msg);
		assert_printable(err.msg);
		return;
	}
	assert_string_equal(dev.device_code, r->device_code);
	assert_string_equal(dev.user_code, r->user_code);
	assert_string_equal(dev.verification_uri, r->uri);
	if (r->message == NULL)
		assert_null(dev.message);
	else {
		assert_non_null(dev.message);
		assert_string_equal(dev.message, r->message);
		assert_printable(dev.message);
	}
	assert_int_equal(dev.expires_in, r->expires_in);
	assert_int_equal(dev.interval, r->interval);
	oauth_device_clear(&dev);
	assert_device_empty(&dev);
}

static void
test_device_answers(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(device_rows); i++)
		check_device_row(&device_rows[i]);
}

/* Codes of 512 bytes, and one more; a huge message is cut. */
static void
test_device_limits(void **state)
{
	struct oauth_device dev;
	struct err err = { 0 };
	struct buf b = { 0 };
	char code[514];
	size_t n;

	(void)state;
	memset(code, 'C', 512);
	code[512] = '\0';
	buf_printf(&b, "{\"device_code\":\"%s\",\"user_code\":\"%s\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60,"
	    "\"message\":\"", code, code);
	for (n = 0; n < 5000; n++)
		buf_puts(&b, "m");
	buf_puts(&b, "\"}");
	assert_int_equal(oauth_parse_device(200, b.data, b.len, &dev, &err),
	    OAUTH_OK);
	assert_int_equal(strlen(dev.device_code), 512);
	assert_int_equal(strlen(dev.user_code), 512);
	assert_true(strlen(dev.message) < 400);
	assert_string_equal(dev.message + strlen(dev.message) - 3, "...");
	oauth_device_clear(&dev);
	buf_clear(&b);

	strcpy(code + 512, "C");
	buf_printf(&b, "{\"device_code\":\"d\",\"user_code\":\"%s\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60}",
	    code);
	assert_int_equal(oauth_parse_device(200, b.data, b.len, &dev, &err),
	    OAUTH_TEMPORARY);
	assert_device_empty(&dev);
	buf_clear(&b);
	buf_printf(&b, "{\"device_code\":\"%s\",\"user_code\":\"u\","
	    "\"verification_uri\":\"https://a.example\",\"expires_in\":60}",
	    code);
	assert_int_equal(oauth_parse_device(200, b.data, b.len, &dev, &err),
	    OAUTH_TEMPORARY);
	assert_device_empty(&dev);
	buf_clear(&b);

	memset(&dev, 0, sizeof dev);
	oauth_device_clear(&dev);
	assert_device_empty(&dev);
}

/* ---- RS256 assertions ---- */

struct keys {
	char			*rsa_pem;	/* PKCS #1 */
	size_t			 rsa_len;
	char			*rsa_pkcs8;	/* PKCS #8, as Google's JSON */
	size_t			 pkcs8_len;
	char			*ec_pem;
	size_t			 ec_len;
	gnutls_pubkey_t		 pub;		/* of the RSA key */
	gnutls_pubkey_t		 other;		/* of another RSA key */
};

static char *
export_pem(gnutls_x509_privkey_t key, int pkcs8, size_t *len)
{
	gnutls_datum_t out = { NULL, 0 };
	char *pem;

	if (pkcs8)
		assert_int_equal(gnutls_x509_privkey_export2_pkcs8(key,
		    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &out), 0);
	else
		assert_int_equal(gnutls_x509_privkey_export2(key,
		    GNUTLS_X509_FMT_PEM, &out), 0);
	pem = xstrndup((const char *)out.data, out.size);
	*len = out.size;
	gnutls_free(out.data);
	return pem;
}

/* A new key of algo and bits, and its public half when pub is given. */
static gnutls_x509_privkey_t
new_key(gnutls_pk_algorithm_t algo, unsigned int bits, gnutls_pubkey_t *pub)
{
	gnutls_x509_privkey_t key;
	gnutls_privkey_t pk;

	assert_int_equal(gnutls_x509_privkey_init(&key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(key, algo, bits, 0), 0);
	if (pub != NULL) {
		assert_int_equal(gnutls_privkey_init(&pk), 0);
		assert_int_equal(gnutls_privkey_import_x509(pk, key,
		    GNUTLS_PRIVKEY_IMPORT_COPY), 0);
		assert_int_equal(gnutls_pubkey_init(pub), 0);
		assert_int_equal(gnutls_pubkey_import_privkey(*pub, pk, 0, 0),
		    0);
		gnutls_privkey_deinit(pk);
	}
	return key;
}

static int
keys_setup(void **state)
{
	struct keys *k = xcalloc(1, sizeof *k);
	gnutls_x509_privkey_t key;

	key = new_key(GNUTLS_PK_RSA, 2048, &k->pub);
	k->rsa_pem = export_pem(key, 0, &k->rsa_len);
	k->rsa_pkcs8 = export_pem(key, 1, &k->pkcs8_len);
	gnutls_x509_privkey_deinit(key);
	key = new_key(GNUTLS_PK_RSA, 2048, &k->other);
	gnutls_x509_privkey_deinit(key);
	key = new_key(GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), NULL);
	k->ec_pem = export_pem(key, 1, &k->ec_len);
	gnutls_x509_privkey_deinit(key);
	*state = k;
	return 0;
}

static int
keys_teardown(void **state)
{
	struct keys *k = *state;

	free(k->rsa_pem);
	free(k->rsa_pkcs8);
	free(k->ec_pem);
	gnutls_pubkey_deinit(k->pub);
	gnutls_pubkey_deinit(k->other);
	free(k);
	return 0;
}

/* Decodes one base64url part (no padding); caller frees *out. */
static void
b64url_decode(const char *s, size_t len, gnutls_datum_t *out)
{
	gnutls_datum_t in;
	char *std;
	size_t i;

	std = xmalloc(len + 4);
	for (i = 0; i < len; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (i % 4 != 0)
		std[i++] = '=';
	in.data = (unsigned char *)std;
	in.size = (unsigned int)i;
	assert_int_equal(gnutls_base64_decode2(&in, out), 0);
	free(std);
}

/* The parts of a JWS in compact form. */
struct jws {
	json_t		*header;
	json_t		*claims;
	gnutls_datum_t	 input;		/* "header.claims", borrowed */
	gnutls_datum_t	 sig;		/* decoded; gnutls_free */
};

static void
jws_split(const char *a, struct jws *j)
{
	const char *dot1, *dot2;
	gnutls_datum_t part;
	json_error_t jerr;

	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_."), strlen(a));
	dot1 = strchr(a, '.');
	assert_non_null(dot1);
	dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	assert_null(strchr(dot2 + 1, '.'));
	assert_true(dot1 > a && dot2 > dot1 + 1 && dot2[1] != '\0');

	b64url_decode(a, (size_t)(dot1 - a), &part);
	j->header = json_loadb((const char *)part.data, part.size,
	    JSON_REJECT_DUPLICATES, &jerr);
	gnutls_free(part.data);
	b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &part);
	j->claims = json_loadb((const char *)part.data, part.size,
	    JSON_REJECT_DUPLICATES, &jerr);
	gnutls_free(part.data);
	assert_non_null(j->header);
	assert_non_null(j->claims);
	b64url_decode(dot2 + 1, strlen(dot2 + 1), &j->sig);
	j->input.data = (unsigned char *)(uintptr_t)a;
	j->input.size = (unsigned int)(dot2 - a);
}

static void
jws_clear(struct jws *j)
{
	json_decref(j->header);
	json_decref(j->claims);
	gnutls_free(j->sig.data);
	memset(j, 0, sizeof *j);
}

static const char *
claim_string(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static json_int_t
claim_int(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
check_assertion(const struct keys *k, const char *pem, size_t len,
    const char *sub)
{
	struct err err = { 0 };
	struct jws j;
	char *a = NULL;

	if (oauth_assertion(pem, len, ISS, sub, AUD, SCOPE, NOW, &a,
	    &err) == -1)
		fail_msg("%s", err.msg);
	assert_non_null(a);
	jws_split(a, &j);

	assert_int_equal(json_object_size(j.header), 2);
	assert_string_equal(claim_string(j.header, "alg"), "RS256");
	assert_string_equal(claim_string(j.header, "typ"), "JWT");
	assert_int_equal(json_object_size(j.claims), 6);
	assert_string_equal(claim_string(j.claims, "iss"), ISS);
	assert_string_equal(claim_string(j.claims, "sub"), sub);
	assert_string_equal(claim_string(j.claims, "aud"), AUD);
	assert_string_equal(claim_string(j.claims, "scope"), SCOPE);
	assert_int_equal(claim_int(j.claims, "iat"), NOW);
	assert_int_equal(claim_int(j.claims, "exp") -
	    claim_int(j.claims, "iat"), OAUTH_ASSERTION_LIFETIME);

	/* RSASSA-PKCS1-v1_5 with SHA-256 over "header.claims". */
	assert_int_equal(j.sig.size, 256);
	assert_true(gnutls_pubkey_verify_data2(k->pub, GNUTLS_SIGN_RSA_SHA256,
	    0, &j.input, &j.sig) >= 0);
	assert_true(gnutls_pubkey_verify_data2(k->other,
	    GNUTLS_SIGN_RSA_SHA256, 0, &j.input, &j.sig) < 0);
	/* Not PSS, nor another digest. */
	assert_true(gnutls_pubkey_verify_data2(k->pub, GNUTLS_SIGN_RSA_SHA384,
	    0, &j.input, &j.sig) < 0);
	/* A flipped byte of the signature or of the input fails. */
	j.sig.data[j.sig.size / 2] ^= 0x01;
	assert_int_equal(gnutls_pubkey_verify_data2(k->pub,
	    GNUTLS_SIGN_RSA_SHA256, 0, &j.input, &j.sig),
	    GNUTLS_E_PK_SIG_VERIFY_FAILED);
	j.sig.data[j.sig.size / 2] ^= 0x01;
	a[j.input.size - 2] ^= 0x01;
	assert_int_equal(gnutls_pubkey_verify_data2(k->pub,
	    GNUTLS_SIGN_RSA_SHA256, 0, &j.input, &j.sig),
	    GNUTLS_E_PK_SIG_VERIFY_FAILED);
	a[j.input.size - 2] ^= 0x01;
	assert_true(gnutls_pubkey_verify_data2(k->pub, GNUTLS_SIGN_RSA_SHA256,
	    0, &j.input, &j.sig) >= 0);
	jws_clear(&j);
	free(a);
}

static void
test_assertion(void **state)
{
	const struct keys *k = *state;

	check_assertion(k, k->rsa_pem, k->rsa_len, SUB);
	/* Google's JSON key file holds PKCS #8. */
	check_assertion(k, k->rsa_pkcs8, k->pkcs8_len, SUB);
	/* Claims are JSON-encoded, not pasted in. */
	check_assertion(k, k->rsa_pem, k->rsa_len,
	    "\"quoted\\\"}@example.test");
	check_assertion(k, k->rsa_pem, k->rsa_len,
	    "m\xc3\xbcller@example.test");
}

/* The same claims signed twice give the same assertion (PKCS #1 v1.5
 * is deterministic); another time, another one. */
static void
test_assertion_stable(void **state)
{
	const struct keys *k = *state;
	struct err err = { 0 };
	char *a, *b, *c;

	assert_int_equal(oauth_assertion(k->rsa_pem, k->rsa_len, ISS, SUB, AUD,
	    SCOPE, NOW, &a, &err), 0);
	assert_int_equal(oauth_assertion(k->rsa_pkcs8, k->pkcs8_len, ISS, SUB,
	    AUD, SCOPE, NOW, &b, &err), 0);
	assert_int_equal(oauth_assertion(k->rsa_pem, k->rsa_len, ISS, SUB, AUD,
	    SCOPE, NOW + 1, &c, &err), 0);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

static void
expect_key_refused(const char *name, const char *pem, size_t len,
    const char *what)
{
	static char sentinel;
	struct err err = { 0 };
	char *a = &sentinel;

	if (oauth_assertion(pem, len, ISS, SUB, AUD, SCOPE, NOW, &a,
	    &err) == 0)
		fail_msg("%s: signed", name);
	assert_null(a);
	assert_int_equal(err.kind, ERR_INPUT);
	if (strstr(err.msg, what) == NULL)
		fail_msg("%s: got \"%s\", wanted \"%s\"", name, err.msg, what);
}

static void
test_assertion_bad_keys(void **state)
{
	const struct keys *k = *state;
	static const char junk[] = "{\"type\":\"service_account\"}";
	static const char pub_pem[] = "-----BEGIN PUBLIC KEY-----\n"
	    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
	char *broken;

	expect_key_refused("not PEM", junk, sizeof junk - 1,
	    "not a PEM private key");
	expect_key_refused("empty", "", 0, "not a PEM private key");
	expect_key_refused("cut short", k->rsa_pem, k->rsa_len / 2,
	    "not a PEM private key");
	broken = xstrdup(k->rsa_pkcs8);
	assert_int_equal(strncmp(broken, "-----BEGIN PRIVATE KEY-----", 27), 0);
	memcpy(broken + 11, "PUBLIC  ", 8);
	expect_key_refused("another label", broken, k->pkcs8_len,
	    "not a PEM private key");
	free(broken);
	expect_key_refused("a public key", pub_pem, strlen(pub_pem),
	    "not a PEM private key");
	expect_key_refused("EC", k->ec_pem, k->ec_len,
	    "not an RSA key (RS256 needs one)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_answers),
		cmocka_unit_test(test_token_limits),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_token_clear),
		cmocka_unit_test(test_device_answers),
		cmocka_unit_test(test_device_limits),
		cmocka_unit_test(test_assertion),
		cmocka_unit_test(test_assertion_stable),
		cmocka_unit_test(test_assertion_bad_keys),
	};

	/* The keys are made once: RSA key generation takes a while. */
	return cmocka_run_group_tests(tests, keys_setup, keys_teardown);
}
