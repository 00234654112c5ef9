/* imap.c: the IMAP reader, through libetpan, with the certificate checked. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "imap_stream.h"
#include "keyfile.h"
#include "mailauth.h"
#include "transport.h"

#define IMAP_TIMEOUT	30	/* seconds for connect and every reply */
#define IMAP_CHAIN_MAX	16	/* certificates looked at */
#define IMAP_IDLE_RENEW	(10 * 60)	/* RFC 2177: well before 29 min */
#define WAIT_SLICE_MS	500	/* how often a wait looks at *stop */

struct imap_reader {
	struct reader		 base;	/* first: the reader is cast to this */
	const struct config	*cfg;
	char			*host;	/* copies of cfg's inbound URL */
	uint16_t		 port;
	int			 implicit_tls;
	char			*mailbox;
	char			*key;	/* the mark's: user, server, mailbox */
	mailimap		*s;	/* NULL until connected */
	uint32_t		 fetched_validity;	/* of the last fetch */
	uint32_t		 hole;	/* lowest UID it asked for and did
					   not get; 0: none */
	struct mailauth		*auth;	/* auth = oauth2; else NULL */
	int64_t			 session_until;	/* sign in again by then
						   (monotonic ms); 0: never */
	int			 token_refused;	/* the server ended the
						   session for its token */
};

static void
set_sni(struct mailstream_ssl_context *ctx, void *host)
{
	mailstream_ssl_set_server_name(ctx, host);
}

/*
 * libetpan accepts any certificate: check the chain against the system
 * CAs (or tls_ca_file) and the host name before anything is sent.
 */
static int
verify_peer(struct imap_reader *r, struct err *err)
{
	gnutls_x509_crt_t crts[IMAP_CHAIN_MAX];
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st host = { GNUTLS_DT_DNS_HOSTNAME,
	    (unsigned char *)r->host, 0 };
	const char *ca = r->cfg->in_tls_ca_file;
	unsigned int status = 1, n = 0, i;
	carray *chain;
	int rc = -1;

	chain = mailstream_get_certificate_chain(r->s->imap_stream);
	for (i = 0; chain != NULL && i < carray_count(chain) &&
	    n < IMAP_CHAIN_MAX; i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = { (unsigned char *)der->str,
		    (unsigned int)der->len };

		if (gnutls_x509_crt_init(&crts[n]) < 0)
			break;
		if (gnutls_x509_crt_import(crts[n], &d,
		    GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[n]);
			break;
		}
		n++;
	}
	if (n > 0 && gnutls_x509_trust_list_init(&tl, 0) == 0 &&
	    (ca ? gnutls_x509_trust_list_add_trust_file(tl, ca, NULL,
	    GNUTLS_X509_FMT_PEM, 0, 0) : gnutls_x509_trust_list_add_system_trust(
	    tl, 0, 0)) > 0 &&
	    gnutls_x509_trust_list_verify_crt2(tl, crts, n, &host, 1, 0,
	    &status, NULL) == 0 && status == 0)
		rc = 0;
	else
		err_set(err, ERR_RUNTIME, "IMAP server %s: certificate not "
		    "trusted for this host name (checked against %s)", r->host,
		    ca ? ca : "the system CAs");
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return rc;
}

static void
disconnect(struct imap_reader *r)
{
	if (r->s == NULL)
		return;
	mailimap_logout(r->s);
	mailimap_free(r->s);
	r->s = NULL;
}

/* Exchange ends a session whose token expired, IDLE or not: "* BYE
 * Session invalidated - AccessTokenExpired". */
static void
note_expiry(struct imap_reader *r)
{
	if (r->auth != NULL && r->s != NULL && r->s->imap_response != NULL &&
	    strstr(r->s->imap_response, "AccessTokenExpired") != NULL)
		r->token_refused = 1;
}

static int
imap_fail(struct imap_reader *r, const char *what, int code, struct err *err)
{
	note_expiry(r);
	err_set(err, ERR_RUNTIME, "IMAP %s:%u: %s failed (%d%s%s)", r->host,
	    (unsigned)r->port, what, code, r->s && r->s->imap_response ? ": " :
	    "", r->s && r->s->imap_response ? r->s->imap_response : "");
	/* A broken stream cannot be reused: start afresh next time. */
	if (r->s != NULL) {
		mailimap_free(r->s);
		r->s = NULL;
	}
	return -1;
}

static int
starttls(struct imap_reader *r, struct err *err)
{
	struct mailimap_capability_data *cap = NULL;
	int offered, rc;

	if (r->cfg->in_starttls == STARTTLS_OFF)
		return 0;
	/* The greeting's capabilities may be stale: ask. */
	if (mailimap_capability(r->s, &cap) == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(cap);
	offered = mailimap_has_extension(r->s, "STARTTLS");
	if (!offered) {
		if (r->cfg->in_starttls == STARTTLS_OPTIONAL &&
		    r->cfg->in_username == NULL)
			return 0;
		err_set(err, ERR_RUNTIME, "IMAP %s: the server offers no "
		    "STARTTLS (starttls = required, or a password to send)",
		    r->host);
		return -1;
	}
	rc = mailimap_socket_starttls_with_callback(r->s, set_sni, r->host);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(r, "STARTTLS", rc, err);
	return 1;
}

/*
 * AUTHENTICATE XOAUTH2 with a fresh token.  A refusal, or a session the
 * server ended for its token, gets one new token and one more try, not
 * a loop.  The session is to end before the token does: ahead of it by
 * the margin mailauth refreshes with.
 */
static int
login_oauth2(struct imap_reader *r, struct err *err)
{
	int64_t expires_at, left;
	const char *token;
	int rc = MAILIMAP_ERROR_LOGIN, refused, tries;

	refused = r->token_refused;
	r->token_refused = 0;
	for (tries = 0; tries < 2 && rc == MAILIMAP_ERROR_LOGIN; tries++) {
		if (mailauth_token(r->auth, refused, &token, &expires_at,
		    err) == -1)
			return -1;
		rc = mailimap_oauth2_authenticate(r->s, r->cfg->in_username,
		    token);
		refused = 1;
	}
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(r, "AUTHENTICATE XOAUTH2", rc, err);
	left = expires_at - (int64_t)time(NULL);
	left -= mailauth_margin(left);
	r->session_until = monotonic_ms() + (left > 1 ? left : 1) * 1000;
	return 0;
}

static int
login(struct imap_reader *r, struct err *err)
{
	char *password;
	int rc;

	if (r->auth != NULL)
		return login_oauth2(r, err);
	if (r->cfg->in_username == NULL)
		return 0;
	password = keyfile_read_password(r->cfg->in_password_file, err);
	if (password == NULL)
		return -1;
	rc = mailimap_login(r->s, r->cfg->in_username, password);
	explicit_bzero(password, strlen(password));
	free(password);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(r, "LOGIN", rc, err);
	return 0;
}

static int
connect_session(struct imap_reader *r, struct err *err)
{
	int rc, tls;

	r->s = mailimap_new(0, NULL);
	if (r->s == NULL) {
		err_set(err, ERR_RUNTIME, "out of memory");
		return -1;
	}
	mailimap_set_timeout(r->s, IMAP_TIMEOUT);
	rc = r->implicit_tls ?
	    mailimap_ssl_connect_with_callback(r->s, r->host, r->port,
	    set_sni, r->host) :
	    mailimap_socket_connect(r->s, r->host, r->port);
	if (rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED &&
	    rc != MAILIMAP_NO_ERROR_AUTHENTICATED)
		return imap_fail(r, "connect", rc, err);
	tls = r->implicit_tls;
	if (!tls && (tls = starttls(r, err)) == -1)
		goto fail;
	if (tls && verify_peer(r, err) == -1)
		goto fail;
	if (imap_stream_guard(r->s) == -1) {
		err_set(err, ERR_RUNTIME, "out of memory");
		goto fail;
	}
	if (login(r, err) == -1)
		goto fail;
	if ((rc = mailimap_select(r->s, r->mailbox)) != MAILIMAP_NO_ERROR)
		return imap_fail(r, "SELECT", rc, err);
	return 0;
fail:
	disconnect(r);
	return -1;
}

/* The item of type (MAILIMAP_MSG_ATT_UID, ...) the server sent for a
 * message, or NULL. */
static struct mailimap_msg_att_static *
msg_item(struct mailimap_msg_att *msg, int type)
{
	struct mailimap_msg_att_item *item;
	clistiter *a;

	for (a = clist_begin(msg->att_list); a != NULL; a = clist_next(a)) {
		item = clist_content(a);
		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static->att_type == type)
			return item->att_data.att_static;
	}
	return NULL;
}

/* Collects UID and body of each fetched message. */
static void
take_fetched(clist *fetched, size_t max, size_t max_size,
    struct inmsg *list, size_t *count)
{
	struct mailimap_msg_att_static *uid, *body;
	struct mailimap_msg_att_body_section *sec;
	struct inmsg *m;
	clistiter *it;

	for (it = clist_begin(fetched); it && *count < max;
	    it = clist_next(it)) {
		uid = msg_item(clist_content(it), MAILIMAP_MSG_ATT_UID);
		body = msg_item(clist_content(it),
		    MAILIMAP_MSG_ATT_BODY_SECTION);
		if (uid == NULL || uid->att_data.att_uid == 0 || body == NULL ||
		    body->att_data.att_body_section->sec_body_part == NULL)
			continue;
		sec = body->att_data.att_body_section;
		m = &list[(*count)++];
		m->uid = uid->att_data.att_uid;
		m->len = sec->sec_length < max_size + 1 ? sec->sec_length :
		    max_size + 1;
		m->raw = xstrndup(sec->sec_body_part, m->len);
		m->name = xasprintf("uid %u", (unsigned)m->uid);
	}
}

/* The UIDVALIDITY of the selected mailbox; 0 when the server gave none. */
static uint32_t
uidvalidity(const struct imap_reader *r)
{
	return r->s->imap_selection_info != NULL ?
	    r->s->imap_selection_info->sel_uidvalidity : 0;
}

/*
 * A session that answers: the one kept when a NOOP goes through (it also
 * shows what arrived meanwhile), else a new one, once.
 */
static int
live_session(struct imap_reader *r, struct err *err)
{
	if (r->s != NULL && r->session_until != 0 &&
	    monotonic_ms() >= r->session_until)
		disconnect(r);	/* its token is about to end */
	if (r->s != NULL) {
		if (mailimap_noop(r->s) == MAILIMAP_NO_ERROR)
			return 0;
		/* Dropped (a server restart, an idle timeout, a token
		 * that expired): afresh. */
		note_expiry(r);
		mailimap_free(r->s);
		r->s = NULL;
	}
	return connect_session(r, err);
}

/*
 * A mailbox with another UIDVALIDITY than the mark's is another mailbox
 * (deleted and made again, restored): its UIDs say nothing about what
 * was done, so the mark starts again from the first message.
 */
static void
follow_validity(struct imap_reader *r)
{
	struct reader_mark *m = &r->base.mark;
	uint32_t v = uidvalidity(r);

	if (m->uidvalidity != v) {
		m->uidvalidity = v;
		m->last_uid = 0;
	}
	r->fetched_validity = v;
}

static int
by_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The first max UIDs after the mark and after, ascending; *n = 0: none. */
static int
new_uids(struct imap_reader *r, uint32_t after, size_t max, uint32_t **uids,
    size_t *n, struct err *err)
{
	struct mailimap_search_key *key;
	clist *found = NULL;
	clistiter *it;
	int rc;

	*uids = NULL;
	*n = 0;
	if (after == UINT32_MAX)
		return 0;
	key = mailimap_search_key_new_uid(mailimap_set_new_interval(after + 1,
	    0));
	rc = mailimap_uid_search(r->s, NULL, key, &found);
	mailimap_search_key_free(key);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(r, "UID SEARCH", rc, err);
	*uids = xcalloc(clist_count(found) + 1, sizeof **uids);
	/* "UID n:*" always matches the last message, even below n. */
	for (it = clist_begin(found); it != NULL; it = clist_next(it))
		if (*(uint32_t *)clist_content(it) > after)
			(*uids)[(*n)++] = *(uint32_t *)clist_content(it);
	mailimap_search_result_free(found);
	qsort(*uids, *n, sizeof **uids, by_uid);
	if (*n > max)
		*n = max;
	return 0;
}

/* UID FETCH of the UID and what, for n uids; *fetched is the server's
 * answer (free with mailimap_fetch_list_free). */
static int
fetch_uids(struct imap_reader *r, const uint32_t *uids, size_t n,
    struct mailimap_fetch_att *what, clist **fetched, struct err *err)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	size_t i;
	int rc;

	set = mailimap_set_new_empty();
	for (i = 0; i < n; i++)
		mailimap_set_add_single(set, uids[i]);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, what);
	rc = mailimap_uid_fetch(r->s, set, ft, fetched);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	return rc == MAILIMAP_NO_ERROR ? 0 : imap_fail(r, "UID FETCH", rc, err);
}

/* The size the server gives each of the n messages of uids, in order;
 * 0 where it gave none. */
static int
sizes_of(struct imap_reader *r, const uint32_t *uids, size_t n,
    uint32_t *sizes, struct err *err)
{
	struct mailimap_msg_att_static *uid, *size;
	clist *fetched = NULL;
	clistiter *it;
	uint32_t *at;

	if (fetch_uids(r, uids, n, mailimap_fetch_att_new_rfc822_size(),
	    &fetched, err) == -1)
		return -1;
	memset(sizes, 0, n * sizeof *sizes);
	for (it = clist_begin(fetched); it != NULL; it = clist_next(it)) {
		uid = msg_item(clist_content(it), MAILIMAP_MSG_ATT_UID);
		size = msg_item(clist_content(it),
		    MAILIMAP_MSG_ATT_RFC822_SIZE);
		if (uid == NULL || size == NULL)
			continue;
		at = bsearch(&uid->att_data.att_uid, uids, n, sizeof *uids,
		    by_uid);
		if (at != NULL)
			sizes[at - uids] = size->att_data.att_rfc822_size;
	}
	mailimap_fetch_list_free(fetched);
	return 0;
}

/* Keeps the first UIDs whose messages fit in fetch_bytes (each counted
 * up to the size it is cut at), and always the first. */
static int
fit_fetch_bytes(struct imap_reader *r, const uint32_t *uids, size_t *n,
    size_t max_size, struct err *err)
{
	uint32_t *sizes;
	size_t i, bytes = 0;

	sizes = xcalloc(*n, sizeof *sizes);
	if (sizes_of(r, uids, *n, sizes, err) == -1) {
		free(sizes);
		return -1;
	}
	for (i = 0; i < *n && (i == 0 || bytes < r->base.fetch_bytes); i++)
		bytes += sizes[i] < max_size + 1 ? sizes[i] : max_size + 1;
	*n = i;
	free(sizes);
	return 0;
}

static int
msg_by_uid(const void *a, const void *b)
{
	const struct inmsg *x = a, *y = b;

	return by_uid(&x->uid, &y->uid);
}

/* The lowest UID asked for that did not come back; 0: all came. */
static uint32_t
first_missing(const uint32_t *uids, size_t nuids, const struct inmsg *msgs,
    size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < nuids; i++) {
		while (j < n && msgs[j].uid < uids[i])
			j++;
		if (j == n || msgs[j].uid != uids[i])
			return uids[i];
	}
	return 0;
}

/*
 * Handled mail is moved away, and the mark is past what was done, so a
 * pass reads the first max messages after the mark; a message left
 * behind by a crash is found handled and only moved.
 */
static int
imap_fetch(struct reader *base, const struct inmsg *pending, size_t npending,
    size_t max, size_t max_size, struct inmsg **msgs, size_t *n,
    struct err *err)
{
	struct imap_reader *r = (struct imap_reader *)base;
	clist *fetched = NULL;
	uint32_t *uids = NULL, after, hole;
	size_t nuids, count = 0;

	*msgs = NULL;
	*n = 0;
	if (live_session(r, err) == -1)
		return -1;
	follow_validity(r);
	if (max == 0)
		return 0;
	after = r->base.mark.last_uid;
	if (npending == 0)
		r->hole = 0;	/* read from the mark: holes are asked again */
	else if (pending[npending - 1].uid > after)
		after = pending[npending - 1].uid;
	if (new_uids(r, after, max, &uids, &nuids, err) == -1)
		return -1;
	if (nuids == 0) {
		free(uids);
		return 0;
	}
	if (fit_fetch_bytes(r, uids, &nuids, max_size, err) == -1) {
		free(uids);
		return -1;
	}
	/* BODY.PEEK[]: reading does not set \Seen; done() does.  Only one
	 * byte past max_size comes over: enough to show it was cut. */
	if (fetch_uids(r, uids, nuids,
	    mailimap_fetch_att_new_body_peek_section_partial(
	    mailimap_section_new(NULL), 0, (uint32_t)max_size + 1), &fetched,
	    err) == -1) {
		free(uids);
		return -1;
	}
	*msgs = xcalloc(clist_count(fetched) + 1, sizeof **msgs);
	take_fetched(fetched, max, max_size, *msgs, &count);
	mailimap_fetch_list_free(fetched);
	/* Oldest first, whatever order the server answered in. */
	qsort(*msgs, count, sizeof **msgs, msg_by_uid);
	/* The mark stops below the lowest hole until it is asked again. */
	hole = first_missing(uids, nuids, *msgs, count);
	if (r->hole == 0 || (hole != 0 && hole < r->hole))
		r->hole = hole;
	free(uids);
	*n = count;
	return 0;
}

static int
move_set(struct imap_reader *r, struct mailimap_set *set, struct err *err)
{
	const char *to = r->cfg->processed_folder;
	int rc;

	if (mailimap_has_extension(r->s, "MOVE")) {
		rc = mailimap_uid_move(r->s, set, to);
		if (rc != MAILIMAP_NO_ERROR && r->s->imap_response_info &&
		    r->s->imap_response_info->rsp_trycreate) {
			mailimap_create(r->s, to);
			rc = mailimap_uid_move(r->s, set, to);
		}
		return rc == MAILIMAP_NO_ERROR ? 0 :
		    imap_fail(r, "UID MOVE", rc, err);
	}
	/* No MOVE: copy, flag deleted, expunge just these. */
	rc = mailimap_uid_copy(r->s, set, to);
	if (rc != MAILIMAP_NO_ERROR && r->s->imap_response_info &&
	    r->s->imap_response_info->rsp_trycreate) {
		mailimap_create(r->s, to);
		rc = mailimap_uid_copy(r->s, set, to);
	}
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(r, "UID COPY", rc, err);
	{
		struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
		struct mailimap_store_att_flags *sf;

		mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
		sf = mailimap_store_att_flags_new_add_flags_silent(fl);
		rc = mailimap_uid_store(r->s, set, sf);
		mailimap_store_att_flags_free(sf);
	}
	if (rc == MAILIMAP_NO_ERROR)
		rc = mailimap_has_uidplus(r->s) ?
		    mailimap_uid_expunge(r->s, set) : mailimap_expunge(r->s);
	return rc == MAILIMAP_NO_ERROR ? 0 : imap_fail(r, "EXPUNGE", rc, err);
}

/* Past the first n of the last fetch, but never past a message it
 * asked for and did not get. */
static void
advance_mark(struct imap_reader *r, const struct inmsg *msgs, size_t n)
{
	uint32_t last = msgs[n - 1].uid;

	if (r->hole != 0 && r->hole <= last)
		last = r->hole - 1;
	if (last > r->base.mark.last_uid)
		r->base.mark.last_uid = last;
}

/* \Seen, then moved to processed_folder, all in one set. */
static int
imap_done(struct reader *base, const struct inmsg *msgs, size_t n,
    struct err *err)
{
	struct imap_reader *r = (struct imap_reader *)base;
	struct mailimap_flag_list *fl;
	struct mailimap_store_att_flags *sf;
	struct mailimap_set *set;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	if (r->s == NULL && connect_session(r, err) == -1)
		return -1;
	/* UIDs are only names within one UIDVALIDITY. */
	if (uidvalidity(r) != r->fetched_validity) {
		err_set(err, ERR_RUNTIME, "IMAP %s: mailbox %s changed "
		    "(UIDVALIDITY %u, was %u): its messages are read again",
		    r->host, r->mailbox, (unsigned)uidvalidity(r),
		    (unsigned)r->fetched_validity);
		return -1;
	}
	set = mailimap_set_new_empty();
	for (i = 0; i < n; i++)
		mailimap_set_add_single(set, msgs[i].uid);
	fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	rc = mailimap_uid_store(r->s, set, sf);
	mailimap_store_att_flags_free(sf);
	if (rc != MAILIMAP_NO_ERROR)
		rc = imap_fail(r, "UID STORE", rc, err);
	else
		rc = move_set(r, set, err);
	mailimap_set_free(set);
	if (rc == 0)
		advance_mark(r, msgs, n);
	return rc;
}

/* ---- waiting ---- */

static int
stopped(const volatile sig_atomic_t *stop)
{
	return stop != NULL && *stop != 0;
}

/* Sleeps until end, a slice at a time; 0 either way. */
static int
sleep_wait(int64_t end, const volatile sig_atomic_t *stop)
{
	while (!stopped(stop) && monotonic_ms() < end)
		poll(NULL, 0, WAIT_SLICE_MS);
	return 0;
}

/*
 * 1 when the server said something within ms: on the socket, or read
 * already into libetpan's buffer with the IDLE continuation.
 */
static int
server_spoke(struct imap_reader *r, int ms)
{
	struct pollfd pfd;

	if (r->s->imap_stream != NULL && r->s->imap_stream->read_buffer_len > 0)
		return 1;
	pfd.fd = mailimap_idle_get_fd(r->s);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, ms) == -1)
		return errno != EINTR;	/* IDLE DONE tells what is wrong */
	return pfd.revents != 0;	/* data, hang-up or error alike */
}

/*
 * One IDLE, until the server speaks, end passes (or the renewal time),
 * or *stop; then DONE.  Returns 1 when the server spoke, 0 when not, -1
 * when the connection is gone.
 */
static int
idle_once(struct imap_reader *r, int64_t end, const volatile sig_atomic_t *stop,
    struct err *err)
{
	int64_t until = monotonic_ms() + IMAP_IDLE_RENEW * 1000;
	int rc, spoke = 0;

	if (until > end)
		until = end;
	/* Out of IDLE before the token ends: the next look signs in anew. */
	if (r->session_until != 0 && until > r->session_until)
		until = r->session_until;
	if ((rc = mailimap_idle(r->s)) != MAILIMAP_NO_ERROR)
		return imap_fail(r, "IDLE", rc, err);
	while (!spoke && !stopped(stop) && monotonic_ms() < until)
		spoke = server_spoke(r, WAIT_SLICE_MS);
	/* DONE reads what the server said, or finds it gone. */
	if ((rc = mailimap_idle_done(r->s)) != MAILIMAP_NO_ERROR)
		return imap_fail(r, "IDLE (connection lost)", rc, err);
	return spoke;
}

static int
imap_wait(struct reader *base, int seconds, const volatile sig_atomic_t *stop,
    struct err *err)
{
	struct imap_reader *r = (struct imap_reader *)base;
	int64_t end = monotonic_ms() + (int64_t)seconds * 1000;
	int rc = 0;

	if (r->s == NULL && connect_session(r, err) == -1)
		return -1;
	if (!r->cfg->idle || !mailimap_has_idle(r->s))
		return sleep_wait(end, stop);
	while (rc == 0 && !stopped(stop) && monotonic_ms() < end) {
		if (r->session_until != 0 && monotonic_ms() >= r->session_until)
			return 1;	/* look now, in a new session */
		rc = idle_once(r, end, stop, err);
	}
	return rc;
}

static void
imap_close(struct reader *base)
{
	struct imap_reader *r = (struct imap_reader *)base;

	disconnect(r);
	mailauth_free(r->auth);
	free(r->host);
	free(r->mailbox);
	free(r->key);
	free(r);
}

struct reader *
imap_reader_new(const struct config *cfg, struct err *err)
{
	struct imap_reader *r;

	r = xcalloc(1, sizeof *r);
	r->base.fetch = imap_fetch;
	r->base.done = imap_done;
	r->base.wait = imap_wait;
	r->base.close = imap_close;
	r->base.fetch_bytes = READER_FETCH_BYTES;
	r->cfg = cfg;
	/* config.c parsed the URL: host and mailbox are never NULL here. */
	if (cfg->inbound.scheme != URL_IMAP &&
	    cfg->inbound.scheme != URL_IMAPS) {
		err_set(err, ERR_INPUT, "[inbound] url: not imap:// or "
		    "imaps://");
		imap_close(&r->base);
		return NULL;
	}
	r->host = xstrdup(cfg->inbound.host);
	r->port = cfg->inbound.port;
	r->implicit_tls = cfg->inbound.scheme == URL_IMAPS;
	r->mailbox = xstrdup(cfg->inbound.path);
	if (cfg->in_oauth.auth == AUTH_OAUTH2) {
		r->auth = mailauth_new(cfg, MAILAUTH_INBOUND, err);
		if (r->auth == NULL) {
			imap_close(&r->base);
			return NULL;
		}
	}
	/* The user is part of the name: two accounts' INBOXes on one
	 * server may even share a UIDVALIDITY. */
	r->key = xasprintf("imap://%s@%s:%u/%s", cfg->in_username ?
	    cfg->in_username : "", r->host, (unsigned)r->port, r->mailbox);
	r->base.mark_key = r->key;
	return &r->base;
}
