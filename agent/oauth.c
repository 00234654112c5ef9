/* oauth.c: OAuth2 token requests, the device flow and RS256 assertions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "keyfile.h"
#include "oauth.h"

#define GRANT_JWT_URN	"urn:ietf:params:oauth:grant-type:jwt-bearer"
#define GRANT_DEVICE_URN "urn:ietf:params:oauth:grant-type:device_code"
#define DESCRIPTION_MAX	300	/* of a provider's error, in messages */
#define KEY_FILE_MAX	(16 * 1024)
#define CONNECT_TIMEOUT	15
#define CODE_MAX	512	/* a device or user code */

/* ---- reading answers ---- */

/* A token as RFC 6750 allows it: visible ASCII, no blanks or quotes. */
static int
token_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > OAUTH_TOKEN_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

/* A string member, or NULL when missing or not a string. */
static const char *
member_string(json_t *obj, const char *name, size_t *len)
{
	json_t *v = json_object_get(obj, name);

	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

/*
 * A number of seconds: an integer, or digits in a string (Microsoft's
 * older endpoints send "3599").  0 when missing; -1 when unusable.
 */
static int64_t
member_seconds(json_t *obj, const char *name)
{
	json_t *v = json_object_get(obj, name);
	const char *s;
	int64_t n = 0;

	if (v == NULL)
		return 0;
	if (json_is_integer(v))
		n = (int64_t)json_integer_value(v);
	else if (json_is_string(v)) {
		s = json_string_value(v);
		if (*s == '\0' || strlen(s) > 10)
			return -1;
		for (; *s != '\0'; s++) {
			if (*s < '0' || *s > '9')
				return -1;
			n = n * 10 + (*s - '0');
		}
	} else
		return -1;
	return n >= 1 && n <= OAUTH_LIFETIME_MAX ? n : -1;
}

/* The body as a JSON object, or NULL with err set. */
static json_t *
parse_object(const char *body, size_t len, struct err *err)
{
	json_error_t jerr;
	json_t *root;

	if (len > OAUTH_BODY_MAX) {
		err_set(err, ERR_RUNTIME, "the answer is larger than %d bytes",
		    OAUTH_BODY_MAX);
		return NULL;
	}
	/* NUL inside a string is refused (no JSON_ALLOW_NUL). */
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		err_set(err, ERR_RUNTIME, "the answer is not a JSON object");
		return NULL;
	}
	return root;
}

/* An RFC 6749 §5.2 error answer: its status and a message with the
 * provider's code and description. */
static enum oauth_status
error_answer(long http_status, const char *body, size_t len, struct err *err)
{
	const char *code = NULL, *desc = NULL;
	enum oauth_status status;
	char *safe_code, *safe_desc;
	json_t *root = NULL;
	struct err ignored;

	if (http_status == 429 || http_status >= 500 || http_status < 400) {
		err_set(err, ERR_RUNTIME, "HTTP %ld", http_status);
		return OAUTH_TEMPORARY;
	}
	if ((root = parse_object(body, len, &ignored)) != NULL) {
		code = member_string(root, "error", NULL);
		desc = member_string(root, "error_description", NULL);
	}
	if (code == NULL || *code == '\0') {
		err_set(err, ERR_RUNTIME, "HTTP %ld, no OAuth2 error code",
		    http_status);
		json_decref(root);
		return OAUTH_REFUSED;
	}
	if (strcmp(code, "invalid_grant") == 0)
		status = OAUTH_REAUTH;
	else if (strcmp(code, "authorization_pending") == 0)
		status = OAUTH_PENDING;
	else if (strcmp(code, "slow_down") == 0)
		status = OAUTH_SLOW_DOWN;
	else if (strcmp(code, "temporarily_unavailable") == 0)
		status = OAUTH_TEMPORARY;
	else
		status = OAUTH_REFUSED;
	safe_code = text_printable(code, 64);
	safe_desc = desc != NULL ? text_printable(desc, DESCRIPTION_MAX) : NULL;
	err_set(err, ERR_RUNTIME, "%s%s%s", safe_code, safe_desc ? ": " : "",
	    safe_desc ? safe_desc : "");
	free(safe_code);
	free(safe_desc);
	json_decref(root);
	return status;
}

enum oauth_status
oauth_parse_token(long http_status, const char *body, size_t len,
    struct oauth_token *tok, struct err *err)
{
	const char *access, *refresh, *type;
	size_t alen = 0, rlen = 0;
	int64_t expires_in;
	json_t *root;

	memset(tok, 0, sizeof *tok);
	if (http_status != 200)
		return error_answer(http_status, body, len, err);
	if ((root = parse_object(body, len, err)) == NULL)
		return OAUTH_TEMPORARY;
	access = member_string(root, "access_token", &alen);
	refresh = member_string(root, "refresh_token", &rlen);
	type = json_object_get(root, "token_type") == NULL ? "Bearer" :
	    member_string(root, "token_type", NULL);
	expires_in = member_seconds(root, "expires_in");
	if (access == NULL || !token_ok(access, alen))
		err_set(err, ERR_RUNTIME, "the answer has no usable "
		    "access_token");
	else if (json_object_get(root, "refresh_token") != NULL &&
	    (refresh == NULL || !token_ok(refresh, rlen)))
		err_set(err, ERR_RUNTIME, "the answer's refresh_token is not "
		    "a token");
	else if (type == NULL || ascii_casecmp(type, "bearer") != 0)
		err_set(err, ERR_RUNTIME, "token_type is not Bearer");
	else if (expires_in < 0)
		err_set(err, ERR_RUNTIME, "expires_in is not a number of "
		    "seconds between 1 and %d", OAUTH_LIFETIME_MAX);
	else {
		tok->access_token = xstrndup(access, alen);
		tok->refresh_token = refresh ? xstrndup(refresh, rlen) : NULL;
		tok->expires_in = expires_in ? expires_in :
		    OAUTH_LIFETIME_DEFAULT;
		json_decref(root);
		return OAUTH_OK;
	}
	json_decref(root);
	return OAUTH_TEMPORARY;
}

/* A code or URL of a device answer: printable, not too long. */
static char *
device_text(json_t *root, const char *name)
{
	const char *s = member_string(root, name, NULL);
	struct err ignored;

	if (s == NULL || text_check(name, s, CODE_MAX, 0, &ignored) == -1)
		return NULL;
	return xstrdup(s);
}

enum oauth_status
oauth_parse_device(long http_status, const char *body, size_t len,
    struct oauth_device *dev, struct err *err)
{
	const char *message;
	json_t *root;

	memset(dev, 0, sizeof *dev);
	if (http_status != 200)
		return error_answer(http_status, body, len, err);
	if ((root = parse_object(body, len, err)) == NULL)
		return OAUTH_TEMPORARY;
	dev->device_code = device_text(root, "device_code");
	dev->user_code = device_text(root, "user_code");
	/* Google calls it verification_url. */
	dev->verification_uri = device_text(root, "verification_uri");
	if (dev->verification_uri == NULL)
		dev->verification_uri = device_text(root, "verification_url");
	dev->expires_in = member_seconds(root, "expires_in");
	dev->interval = member_seconds(root, "interval");
	message = member_string(root, "message", NULL);
	if (message != NULL)
		dev->message = text_printable(message, DESCRIPTION_MAX);
	json_decref(root);
	if (dev->device_code == NULL || dev->user_code == NULL ||
	    dev->verification_uri == NULL || dev->expires_in <= 0 ||
	    dev->interval < 0 || !token_ok(dev->device_code,
	    strlen(dev->device_code))) {
		oauth_device_clear(dev);
		err_set(err, ERR_RUNTIME, "the device authorization answer "
		    "lacks a usable device_code, user_code, verification_uri, "
		    "expires_in or interval");
		return OAUTH_TEMPORARY;
	}
	if (dev->interval == 0)
		dev->interval = 5;	/* RFC 8628 §3.2 */
	return OAUTH_OK;
}

/* ---- asking ---- */

struct answer {
	struct buf	body;
	int		too_large;
};

static size_t
take_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct answer *a = arg;
	size_t n = size * nmemb;

	if (a->body.len + n > OAUTH_BODY_MAX) {
		a->too_large = 1;
		return 0;	/* curl stops: CURLE_WRITE_ERROR */
	}
	buf_append(&a->body, data, n);
	return n;
}

/* Adds "name=value" to a form, both escaped. */
static void
form_add(struct buf *form, const char *name, const char *value)
{
	char *v = curl_easy_escape(NULL, value, 0);

	buf_printf(form, "%s%s=%s", form->len ? "&" : "", name, v ? v : "");
	curl_free(v);
}

/*
 * POSTs form to url and reads the answer.  Only http(s), no redirects:
 * the form holds secrets.  Returns -1 (err set, OAUTH_TEMPORARY) when
 * no answer came.
 */
static int
post_form(const char *url, const struct buf *form, long *http_status,
    struct answer *a, struct err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers;
	CURLcode rc;
	CURL *curl;

	memset(a, 0, sizeof *a);
	*http_status = 0;
	if ((curl = curl_easy_init()) == NULL) {
		err_set(err, ERR_RUNTIME, "cannot start libcurl");
		return -1;
	}
	headers = curl_slist_append(NULL, "Accept: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form->data ? form->data : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)form->len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, take_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)OAUTH_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "mscagent");
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, http_status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (a->too_large) {
		err_set(err, ERR_RUNTIME, "the answer is larger than %d bytes",
		    OAUTH_BODY_MAX);
		return -1;
	}
	if (rc != CURLE_OK) {
		err_set(err, ERR_RUNTIME, "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

/* Adds client_secret when the account has one (a confidential client). */
static int
add_client(struct buf *form, const struct config_oauth *o, struct err *err)
{
	char *secret;

	form_add(form, "client_id", o->client_id);
	if (o->client_secret_file == NULL)
		return 0;
	secret = keyfile_read_password(o->client_secret_file, err);
	if (secret == NULL)
		return -1;
	form_add(form, "client_secret", secret);
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return 0;
}

/* Reads the service account's key and signs an assertion for user. */
static int
add_assertion(struct buf *form, const struct config_oauth *o,
    const char *user, int64_t now, struct err *err)
{
	char *pem, *assertion;
	size_t len;
	int rc;

	pem = keyfile_read_secret(o->key_file, "key file", KEY_FILE_MAX, &len,
	    err);
	if (pem == NULL)
		return -1;
	rc = oauth_assertion(pem, len, o->client_id, user, o->token_url,
	    o->scope, now, &assertion, err);
	explicit_bzero(pem, len);
	free(pem);
	if (rc == -1)
		return -1;
	form_add(form, "grant_type", GRANT_JWT_URN);
	form_add(form, "assertion", assertion);
	free(assertion);
	return 0;
}

/* Posts form to url and reads a token answer; says which URL in err. */
static enum oauth_status
ask(const char *url, struct buf *form, struct oauth_token *tok,
    struct err *err)
{
	enum oauth_status status;
	struct answer a;
	long http_status;

	memset(tok, 0, sizeof *tok);
	if (post_form(url, form, &http_status, &a, err) == -1)
		status = OAUTH_TEMPORARY;
	else
		status = oauth_parse_token(http_status, a.body.data ?
		    a.body.data : "", a.body.len, tok, err);
	if (status != OAUTH_OK)
		err_prefix(err, "token endpoint %s", url);
	if (a.body.data != NULL)
		explicit_bzero(a.body.data, a.body.len);
	buf_clear(&a.body);
	if (form->data != NULL)
		explicit_bzero(form->data, form->len);
	buf_clear(form);
	return status;
}

enum oauth_status
oauth_request(const struct config_oauth *o, const char *user,
    const char *refresh_token, int64_t now, struct oauth_token *tok,
    struct err *err)
{
	struct buf form = { 0 };

	memset(tok, 0, sizeof *tok);
	switch (o->grant) {
	case GRANT_REFRESH_TOKEN:
		if (refresh_token == NULL) {
			err_set(err, ERR_RUNTIME, "no refresh token");
			return OAUTH_REAUTH;
		}
		form_add(&form, "grant_type", "refresh_token");
		form_add(&form, "refresh_token", refresh_token);
		if (add_client(&form, o, err) == -1)
			goto local;
		break;
	case GRANT_CLIENT_CREDENTIALS:
		form_add(&form, "grant_type", "client_credentials");
		if (add_client(&form, o, err) == -1)
			goto local;
		break;
	case GRANT_JWT_BEARER:
		if (add_assertion(&form, o, user, now, err) == -1)
			goto local;
		break;
	}
	/* Always: Microsoft refuses a refresh without one (AADSTS900144). */
	form_add(&form, "scope", o->scope);
	return ask(o->token_url, &form, tok, err);
local:
	/* A secret file that cannot be read: nothing was asked. */
	if (form.data != NULL)
		explicit_bzero(form.data, form.len);
	buf_clear(&form);
	return OAUTH_REFUSED;
}

enum oauth_status
oauth_device_start(const struct config_oauth *o, struct oauth_device *dev,
    struct err *err)
{
	enum oauth_status status;
	struct buf form = { 0 };
	struct answer a;
	long http_status;

	memset(dev, 0, sizeof *dev);
	form_add(&form, "client_id", o->client_id);
	form_add(&form, "scope", o->scope);
	if (post_form(o->device_url, &form, &http_status, &a, err) == -1)
		status = OAUTH_TEMPORARY;
	else
		status = oauth_parse_device(http_status, a.body.data ?
		    a.body.data : "", a.body.len, dev, err);
	if (status != OAUTH_OK)
		err_prefix(err, "device endpoint %s", o->device_url);
	buf_clear(&a.body);
	buf_clear(&form);
	return status;
}

enum oauth_status
oauth_device_poll(const struct config_oauth *o, const char *device_code,
    struct oauth_token *tok, struct err *err)
{
	struct buf form = { 0 };

	form_add(&form, "grant_type", GRANT_DEVICE_URN);
	form_add(&form, "device_code", device_code);
	if (add_client(&form, o, err) == -1) {
		buf_clear(&form);
		memset(tok, 0, sizeof *tok);
		return OAUTH_REFUSED;
	}
	return ask(o->token_url, &form, tok, err);
}

/* ---- RS256 assertions ---- */

/* base64url without padding (RFC 7515 §2), through GnuTLS's base64. */
static char *
base64url(const void *data, size_t len)
{
	gnutls_datum_t in, out = { NULL, 0 };
	char *s;
	size_t i, n = 0;
	int rc;

	/* GnuTLS takes a datum of mutable bytes: a copy. */
	in.data = xmalloc(len + 1);
	in.size = (unsigned int)len;
	memcpy(in.data, data, len);
	rc = gnutls_base64_encode2(&in, &out);
	free(in.data);
	if (rc != 0)
		return NULL;
	s = xmalloc(out.size + 1);
	for (i = 0; i < out.size; i++) {
		char c = (char)out.data[i];

		if (c == '=' || c == '\n' || c == '\r')
			continue;
		s[n++] = (char)(c == '+' ? '-' : c == '/' ? '_' : c);
	}
	s[n] = '\0';
	gnutls_free(out.data);
	return s;
}

/* "header.claims", both base64url JSON; NULL when JSON fails. */
static char *
signing_input(const char *iss, const char *sub, const char *aud,
    const char *scope, int64_t now)
{
	json_t *claims;
	char *json, *head, *body, *input = NULL;

	claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", iss,
	    "sub", sub, "aud", aud, "scope", scope, "iat", (json_int_t)now,
	    "exp", (json_int_t)now + OAUTH_ASSERTION_LIFETIME);
	json = claims ? json_dumps(claims, JSON_COMPACT) : NULL;
	json_decref(claims);
	if (json == NULL)
		return NULL;
	head = base64url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", 27);
	body = base64url(json, strlen(json));
	if (head != NULL && body != NULL)
		input = xasprintf("%s.%s", head, body);
	free(json);
	free(head);
	free(body);
	return input;
}

int
oauth_assertion(const char *pem, size_t pem_len, const char *iss,
    const char *sub, const char *aud, const char *scope, int64_t now,
    char **assertion, struct err *err)
{
	gnutls_datum_t key, data, sig = { NULL, 0 };
	gnutls_privkey_t pk = NULL;
	char *input = NULL, *sig64 = NULL;
	int rc = -1;

	*assertion = NULL;
	key.data = xmalloc(pem_len + 1);
	key.size = (unsigned int)pem_len;
	memcpy(key.data, pem, pem_len);
	if (gnutls_privkey_init(&pk) != 0 ||
	    gnutls_privkey_import_x509_raw(pk, &key, GNUTLS_X509_FMT_PEM,
	    NULL, 0) != 0) {
		err_set(err, ERR_INPUT, "the service account key is not a PEM "
		    "private key");
		goto out;
	}
	if (gnutls_privkey_get_pk_algorithm(pk, NULL) != GNUTLS_PK_RSA) {
		err_set(err, ERR_INPUT, "the service account key is not an "
		    "RSA key (RS256 needs one)");
		goto out;
	}
	if ((input = signing_input(iss, sub, aud, scope, now)) == NULL) {
		err_set(err, ERR_RUNTIME, "cannot make the assertion");
		goto out;
	}
	data.data = (unsigned char *)input;
	data.size = (unsigned int)strlen(input);
	if (gnutls_privkey_sign_data(pk, GNUTLS_DIG_SHA256, 0, &data,
	    &sig) != 0 || (sig64 = base64url(sig.data, sig.size)) == NULL) {
		err_set(err, ERR_RUNTIME, "cannot sign the assertion");
		goto out;
	}
	*assertion = xasprintf("%s.%s", input, sig64);
	rc = 0;
out:
	explicit_bzero(key.data, pem_len);
	free(key.data);
	gnutls_free(sig.data);
	gnutls_privkey_deinit(pk);
	free(input);
	free(sig64);
	return rc;
}

void
oauth_token_clear(struct oauth_token *tok)
{
	if (tok->access_token != NULL) {
		explicit_bzero(tok->access_token, strlen(tok->access_token));
		free(tok->access_token);
	}
	if (tok->refresh_token != NULL) {
		explicit_bzero(tok->refresh_token, strlen(tok->refresh_token));
		free(tok->refresh_token);
	}
	memset(tok, 0, sizeof *tok);
}

void
oauth_device_clear(struct oauth_device *dev)
{
	free(dev->device_code);
	free(dev->user_code);
	free(dev->verification_uri);
	free(dev->message);
	memset(dev, 0, sizeof *dev);
}
