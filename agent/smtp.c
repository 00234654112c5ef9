/* smtp.c: the SMTP transport, through libcurl, one connection per batch. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "keyfile.h"
#include "mailauth.h"
#include "transport.h"

#define SMTP_CONNECT_TIMEOUT	15	/* seconds */
#define SMTP_RESPONSE_TIMEOUT	60
#define SMTP_TRANSFER_TIMEOUT	300

struct upload {
	const char	*data;
	size_t		 len;
	size_t		 off;
	const struct sender *gated;	/* whose gate to ask before the first
					   byte; NULL: asked already */
	int		 held;		/* the gate said no */
};

struct smtp_sender {
	struct sender	 base;	/* first: the sender is cast to this */
	CURLM		*multi;		/* keeps the connection between mails */
	CURL		*curl;
	char		*password;
	struct mailauth	*auth;		/* auth = oauth2; else NULL */
	const char	*bearer;	/* the token curl holds, borrowed */
	int64_t		 bearer_until;	/* fresh until then */
	char		 errbuf[CURL_ERROR_SIZE];
	char		 last_reply[TRANSPORT_REPLY_MAX];
	char		 refusal[TRANSPORT_REPLY_MAX];	/* last 4xx/5xx */
	struct upload	 upload;
};

/* Asks the sender's gate once per mail; 0 to go on. */
static int
ask_gate(struct upload *u)
{
	const struct sender *out = u->gated;

	u->gated = NULL;
	if (out != NULL && out->gate != NULL && out->gate(out->gate_arg) == -1)
		u->held = 1;
	return u->held ? -1 : 0;
}

static size_t
read_upload(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n;

	/* curl asks for the content only after DATA's 354; the gate was
	 * asked already, unless the transfer never waited before. */
	if (ask_gate(u) == -1)
		return CURL_READFUNC_ABORT;
	n = u->len - u->off;
	if (n > size * nmemb)
		n = size * nmemb;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

/* Copies one reply line, without its line break. */
static void
keep_line(char *dst, const char *data, size_t size)
{
	size_t n;

	n = size < TRANSPORT_REPLY_MAX - 1 ? size : TRANSPORT_REPLY_MAX - 1;
	memcpy(dst, data, n);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == '\r'))
		n--;
	dst[n] = '\0';
}

/*
 * Keeps the server's last reply line, and its last refusal apart: after
 * a refused RCPT curl says QUIT, and "221 Bye" would hide the reason.
 * curl hands every reply line to the header callback; its debug
 * callback would see them too, but only with CURLOPT_VERBOSE, which
 * formats a line of text for every step of every transfer.
 */
static size_t
reply_line(char *data, size_t size, size_t nmemb, void *arg)
{
	struct smtp_sender *s = arg;
	size_t len = size * nmemb;

	if (len == 0)
		return 0;
	keep_line(s->last_reply, data, len);
	if (data[0] == '4' || data[0] == '5')
		keep_line(s->refusal, data, len);
	return len;
}

/* No CR, LF, spaces or brackets: curl writes addresses verbatim. */
static int
plain_address(const char *addr)
{
	return *addr != '\0' && strpbrk(addr, "\r\n <>\t") == NULL;
}

/* Connection-level failures: no mail of the batch can go now. */
static int
server_down(CURLcode rc)
{
	return rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
	    rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
	    rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
	    rc == CURLE_SSL_CACERT_BADFILE;
}

/*
 * Hands curl a fresh access token before a transfer (a kept connection
 * is signed in already and does not use it).  refused: the server just
 * turned down the last one, so a new one at once.
 */
static int
set_bearer(struct smtp_sender *s, int refused, char *reply)
{
	int64_t expires_at, now = (int64_t)time(NULL);
	struct err err;

	/* The one curl holds stays while it is fresh: no database look
	 * for each mail of a batch. */
	if (s->auth == NULL || (!refused && now < s->bearer_until))
		return 0;
	if (mailauth_token(s->auth, refused, &s->bearer, &expires_at,
	    &err) == -1) {
		s->bearer_until = 0;
		snprintf(reply, TRANSPORT_REPLY_MAX, "%s", err.msg);
		return -1;
	}
	s->bearer_until = expires_at - mailauth_margin(expires_at - now);
	curl_easy_setopt(s->curl, CURLOPT_XOAUTH2_BEARER, s->bearer);
	return 0;
}

/*
 * Runs one transfer.  The gate is asked as soon as the first command is
 * on its way (MAIL FROM on a kept connection), so that what it does (the
 * outbox records the mail before) overlaps the server's answer instead
 * of following it; a gate that says no ends the transfer there, before
 * any content.  curl's multi interface is what hands back control while
 * a transfer waits; curl_easy_perform would keep it to the end.
 */
static CURLcode
perform(struct smtp_sender *s, const char *message, size_t len)
{
	CURLcode rc = CURLE_OK;
	CURLMcode mc;
	CURLMsg *done;
	int running = 1, left;

	s->upload.data = message;
	s->upload.len = len;
	s->upload.off = 0;
	s->upload.gated = &s->base;
	s->upload.held = 0;
	s->errbuf[0] = '\0';
	s->last_reply[0] = '\0';
	s->refusal[0] = '\0';
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &s->upload);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	if ((mc = curl_multi_add_handle(s->multi, s->curl)) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	while (mc == CURLM_OK) {
		mc = curl_multi_perform(s->multi, &running);
		if (!running || mc != CURLM_OK)
			break;
		if (ask_gate(&s->upload) == -1) {
			rc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		mc = curl_multi_wait(s->multi, NULL, 0, 1000, NULL);
	}
	while ((done = curl_multi_info_read(s->multi, &left)) != NULL)
		if (done->msg == CURLMSG_DONE && done->easy_handle == s->curl)
			rc = done->data.result;
	if (mc != CURLM_OK && rc == CURLE_OK)
		rc = CURLE_OUT_OF_MEMORY;
	/* Mid-transfer (the gate said no), this closes the connection. */
	curl_multi_remove_handle(s->multi, s->curl);
	return rc;
}

static enum send_status
smtp_send(struct sender *base, const char *from, const char *rcpt,
    const char *message, size_t len, char *reply)
{
	struct smtp_sender *s = (struct smtp_sender *)base;
	struct curl_slist *rcpts = NULL;
	char *mail_from, *to;
	enum send_status status;
	long code = 0;
	CURLcode rc;

	if (!plain_address(from) || !plain_address(rcpt)) {
		snprintf(reply, TRANSPORT_REPLY_MAX, "address refused: not a "
		    "plain addr-spec");
		return SEND_FAILED;
	}
	if (set_bearer(s, 0, reply) == -1)
		return SEND_DOWN;
	mail_from = xasprintf("<%s>", from);
	to = xasprintf("<%s>", rcpt);
	rcpts = curl_slist_append(NULL, to);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpts);
	rc = perform(s, message, len);
	if (rc == CURLE_LOGIN_DENIED && s->auth != NULL &&
	    set_bearer(s, 1, reply) == 0) {
		/* The server no longer takes the token: once with a new
		 * one, on a new connection. */
		curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 1L);
		rc = perform(s, message, len);
		curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 0L);
	}
	if (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR) {
		/* A kept connection the server had closed: once more, anew. */
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code == 0) {
			curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 1L);
			rc = perform(s, message, len);
			curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 0L);
		}
	}
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	if (s->upload.held) {
		/* Ended before the content: the server keeps nothing. */
		snprintf(reply, TRANSPORT_REPLY_MAX, "held back before "
		    "its content");
		status = SEND_DOWN;
		goto out;
	}
	if (rc == CURLE_OK)
		status = SEND_OK;
	else if (server_down(rc) || code < 400)
		status = SEND_DOWN;
	else
		status = code >= 500 ? SEND_FAILED : SEND_RETRY;
	if (rc == CURLE_OK && s->last_reply[0])
		snprintf(reply, TRANSPORT_REPLY_MAX, "%s", s->last_reply);
	else if (code >= 400 && s->refusal[0])
		snprintf(reply, TRANSPORT_REPLY_MAX, "%s", s->refusal);
	else
		snprintf(reply, TRANSPORT_REPLY_MAX, "%s", s->errbuf[0] ?
		    s->errbuf : curl_easy_strerror(rc));
out:
	curl_slist_free_all(rcpts);
	free(mail_from);
	free(to);
	return status;
}

static enum send_status
smtp_probe(struct sender *base, char *reply)
{
	struct smtp_sender *s = (struct smtp_sender *)base;
	CURLcode rc;

	if (set_bearer(s, 0, reply) == -1)
		return SEND_DOWN;
	/* Up to and including AUTH, then nothing. */
	curl_easy_setopt(s->curl, CURLOPT_CONNECT_ONLY, 1L);
	rc = perform(s, "", 0);
	curl_easy_setopt(s->curl, CURLOPT_CONNECT_ONLY, 0L);
	curl_easy_setopt(s->curl, CURLOPT_FRESH_CONNECT, 1L);
	if (rc == CURLE_OK) {
		snprintf(reply, TRANSPORT_REPLY_MAX, "%s", s->last_reply);
		return SEND_OK;
	}
	snprintf(reply, TRANSPORT_REPLY_MAX, "%s", s->refusal[0] ?
	    s->refusal : s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
	return SEND_DOWN;
}

static void
smtp_close(struct sender *base)
{
	struct smtp_sender *s = (struct smtp_sender *)base;

	/* The connection is the multi's: it says QUIT. */
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	mailauth_free(s->auth);
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s);
}

static void
set_tls(struct smtp_sender *s, const struct config *cfg)
{
	/* smtps:// is TLS from the start; smtp:// upgrades as configured.
	 * Never CURLUSESSL_TRY with a password: it would go in clear. */
	if (cfg->outbound.scheme == URL_SMTP)
		curl_easy_setopt(s->curl, CURLOPT_USE_SSL,
		    cfg->out_starttls == STARTTLS_REQUIRED ||
		    cfg->out_username != NULL ? (long)CURLUSESSL_ALL :
		    cfg->out_starttls == STARTTLS_OPTIONAL ?
		    (long)CURLUSESSL_TRY : (long)CURLUSESSL_NONE);
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->out_tls_ca_file != NULL)
		curl_easy_setopt(s->curl, CURLOPT_CAINFO, cfg->out_tls_ca_file);
}

struct sender *
smtp_sender_new(const struct config *cfg, struct err *err)
{
	struct smtp_sender *s;

	s = xcalloc(1, sizeof *s);
	s->base.send = smtp_send;
	s->base.probe = smtp_probe;
	s->base.close = smtp_close;
	s->multi = curl_multi_init();
	s->curl = curl_easy_init();
	if (s->multi == NULL || s->curl == NULL) {
		err_set(err, ERR_RUNTIME, "cannot start libcurl");
		smtp_close(&s->base);
		return NULL;
	}
	if (cfg->out_oauth.auth == AUTH_OAUTH2) {
		s->auth = mailauth_new(cfg, MAILAUTH_OUTBOUND, err);
		if (s->auth == NULL) {
			smtp_close(&s->base);
			return NULL;
		}
		/* No CURLOPT_SASL_IR: the token goes after the 334, for a
		 * long one breaks the servers' command line limits. */
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, cfg->out_username);
		curl_easy_setopt(s->curl, CURLOPT_LOGIN_OPTIONS,
		    cfg->out_oauth.mechanism == MECH_OAUTHBEARER ?
		    "AUTH=OAUTHBEARER" : "AUTH=XOAUTH2");
	} else if (cfg->out_username != NULL) {
		s->password = keyfile_read_password(cfg->out_password_file, err);
		if (s->password == NULL) {
			smtp_close(&s->base);
			return NULL;
		}
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, cfg->out_username);
		curl_easy_setopt(s->curl, CURLOPT_PASSWORD, s->password);
	}
	curl_easy_setopt(s->curl, CURLOPT_URL, cfg->outbound.text);
	set_tls(s, cfg);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT,
	    (long)SMTP_CONNECT_TIMEOUT);
	curl_easy_setopt(s->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
	    (long)SMTP_RESPONSE_TIMEOUT);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, (long)SMTP_TRANSFER_TIMEOUT);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->curl, CURLOPT_HEADERFUNCTION, reply_line);
	curl_easy_setopt(s->curl, CURLOPT_HEADERDATA, s);
	return &s->base;
}
