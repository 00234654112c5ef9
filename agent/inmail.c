/*
 * inmail.c: incoming mail parsed with libetpan into what the inbox needs:
 * the limits on the raw bytes, the MIME walk to the body text, the ids,
 * addresses and subject; auto-replies, bounces and Authentication-Results
 * are read by autoreply.c, bounce.c and authres.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libetpan/libetpan.h>

#include "addr.h"
#include "authres.h"
#include "autoreply.h"
#include "bounce.h"
#include "html.h"
#include "inmail.h"
#include "mailhdr.h"
#include "mailpart.h"

#define SUBJECT_MAX		INMAIL_HEADER_MAX

/* A node of the MIME tree still to visit. */
struct frame {
	struct mailmime	*mime;
	int		 level;		/* containers around it */
	int		 forwarded;	/* inside a message/rfc822 */
};

/* What the walk over the MIME tree found. */
struct walk {
	struct mailmime	*plain;	/* the first inline text/plain */
	struct mailmime	*html;	/* the first inline text/html */
	size_t		 parts;
};

/* ---- limits on the raw bytes ---- */

/*
 * Each field of the top header block, with its folded lines, must fit in
 * INMAIL_HEADER_MAX bytes.  The block ends at the first empty line, or
 * at a line that is no field (no ':'), where libetpan's body starts too.
 */
static int
header_fields_ok(const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len, *eol;
	size_t line, field = 0;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		line = (size_t)(eol - p);
		if (line > 0 && p[line - 1] == '\r')
			line--;
		if (line == 0 || (*p != ' ' && *p != '\t' &&
		    memchr(p, ':', line) == NULL))
			break;
		if (*p == ' ' || *p == '\t')
			field += line + 2;
		else
			field = line;
		if (field > INMAIL_HEADER_MAX)
			return 0;
		p = eol + 1;
	}
	return 1;
}

static int
check_raw(const char *raw, size_t len, struct err *err)
{
	if (len == 0) {
		err_set(err, ERR_INPUT, "empty message");
		return -1;
	}
	if (len > INMAIL_SIZE_MAX) {
		err_set(err, ERR_INPUT, "the message has %zu bytes, more than "
		    "%d", len, INMAIL_SIZE_MAX);
		return -1;
	}
	if (!header_fields_ok(raw, len)) {
		err_set(err, ERR_INPUT, "a header field is longer than %d "
		    "bytes", INMAIL_HEADER_MAX);
		return -1;
	}
	return mailpart_nesting_ok(raw, len, 1, err);
}

/* ---- the MIME tree ---- */

static int
is_attachment(struct mailmime *part)
{
	struct mailmime_single_fields sf;

	mailmime_single_fields_init(&sf, part->mm_mime_fields,
	    part->mm_content_type);
	return sf.fld_disposition != NULL &&
	    sf.fld_disposition->dsp_type->dsp_type ==
	    MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
}

/* Notes a leaf as the body text, unless a better one came first. */
static void
visit_single(struct walk *w, const struct frame *f)
{
	struct mailmime *part = f->mime;
	const struct mailmime_content *ct = part->mm_content_type;

	if (f->forwarded || is_attachment(part))
		return;
	if (w->plain == NULL && mailpart_is_text(ct, "plain"))
		w->plain = part;
	else if (w->html == NULL && mailpart_is_text(ct, "html"))
		w->html = part;
}

static int
push(struct frame *stack, size_t *n, struct walk *w,
    const struct frame *f, struct err *err)
{
	if (f->level > INMAIL_DEPTH_MAX) {
		err_set(err, ERR_INPUT, "MIME parts nested more than %d deep",
		    INMAIL_DEPTH_MAX);
		return -1;
	}
	w->parts++;
	if (w->parts > INMAIL_PARTS_MAX) {
		err_set(err, ERR_INPUT, "more than %d MIME parts",
		    INMAIL_PARTS_MAX);
		return -1;
	}
	stack[(*n)++] = *f;
	return 0;
}

/* Pushes a multipart's children last first, to visit them in order. */
static int
push_children(struct frame *stack, size_t *n, struct walk *w,
    const struct frame *parent, struct err *err)
{
	clistiter *it;
	struct frame f = { NULL, parent->level + 1, parent->forwarded };

	for (it = clist_end(parent->mime->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_previous(it)) {
		f.mime = clist_content(it);
		if (push(stack, n, w, &f, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * Visits every part below the message without recursion, counting
 * parts and levels; the body of a forwarded message/rfc822 counts but is
 * never taken as the reply's own text.
 */
static int
walk_tree(struct mailmime *msg, struct walk *w, struct err *err)
{
	struct frame stack[INMAIL_PARTS_MAX + 1], f;
	size_t n = 0;

	memset(w, 0, sizeof *w);
	f.mime = msg->mm_data.mm_message.mm_msg_mime;
	f.level = 0;
	f.forwarded = 0;
	if (f.mime != NULL && push(stack, &n, w, &f, err) == -1)
		return -1;
	while (n > 0) {
		f = stack[--n];
		if (f.mime->mm_type == MAILMIME_SINGLE)
			visit_single(w, &f);
		else if (f.mime->mm_type == MAILMIME_MULTIPLE) {
			if (push_children(stack, &n, w, &f, err) == -1)
				return -1;
		} else if (f.mime->mm_type == MAILMIME_MESSAGE &&
		    f.mime->mm_data.mm_message.mm_msg_mime != NULL) {
			f.mime = f.mime->mm_data.mm_message.mm_msg_mime;
			f.level++;
			f.forwarded = 1;
			if (push(stack, &n, w, &f, err) == -1)
				return -1;
		}
	}
	return 0;
}

/* ---- text: transfer encoding, charset, cleaning ---- */

/* Bytes of the valid UTF-8 character at p, or 0. */
static size_t
utf8_char(const char *p, size_t left)
{
	size_t n;

	for (n = 1; n <= 4 && n <= left; n++)
		if (utf8_valid(p, n))
			return n;
	return 0;
}

/* Bytes from s that need no change: ASCII other than NUL and CR. */
static size_t
plain_run(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != '\0' && s[n] != '\r' &&
	    (unsigned char)s[n] < 0x80)
		n++;
	return n;
}

/* Appends the clean form of what starts at s; returns the bytes used. */
static size_t
clean_step(struct buf *b, const char *s, size_t left)
{
	size_t n;

	n = plain_run(s, left);
	if (n > 0) {
		buf_append(b, s, n);
		return n;
	}
	if (*s == '\0')
		return 1;
	if (*s == '\r') {
		buf_append(b, "\n", 1);
		return left > 1 && s[1] == '\n' ? 2 : 1;
	}
	n = utf8_char(s, left);
	if (n > 0) {
		buf_append(b, s, n);
		return n;
	}
	buf_append(b, "?", 1);
	return 1;
}

/*
 * A copy as clean UTF-8 text: NUL bytes dropped, CRLF and lone CR made
 * LF, invalid bytes made '?'.  Caller frees.
 */
static char *
clean_text(const char *s, size_t len)
{
	struct buf b = { 0 };
	size_t i = 0;

	while (i < len)
		i += clean_step(&b, s + i, len - i);
	return buf_release(&b);
}

/* 1 for the labels that say nothing about 8-bit bytes. */
/* 1 when cs is one of names (a NULL-terminated list), in any case. */
static int
label_in(const char *cs, const char *const *names)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (ascii_casecmp(cs, names[i]) == 0)
			return 1;
	return 0;
}

static int
is_ascii_label(const char *cs)
{
	static const char *const names[] = { "us-ascii", "ascii",
	    "ansi_x3.4-1968", "iso646-us", "us", NULL };

	return label_in(cs, names);
}

/* 1 for the Latin-1 labels: read as Windows-1252, as browsers do. */
static int
is_latin1_label(const char *cs)
{
	static const char *const names[] = { "iso-8859-1", "iso8859-1",
	    "iso_8859-1", "latin1", "l1", "cp819", NULL };

	return label_in(cs, names);
}

/* Converts with charconv; -1 when it cannot (unknown charset). */
static int
convert(const char *cs, const char *s, size_t len, char **out)
{
	char *u = NULL;
	size_t ulen = 0;

	if (charconv_buffer("utf-8", cs, s, len, &u, &ulen) !=
	    MAIL_CHARCONV_NO_ERROR || u == NULL)
		return -1;
	*out = clean_text(u, ulen);
	charconv_buffer_free(u);
	return 0;
}

/*
 * Text in the declared charset as UTF-8; caller frees.  Declared UTF-8
 * keeps its valid characters.  Undeclared, ASCII-labelled or unknown:
 * valid UTF-8 stays, anything else is read as Windows-1252.
 */
static char *
to_utf8(const char *s, size_t len, const char *charset)
{
	char *out = NULL;

	if (charset != NULL && (ascii_casecmp(charset, "utf-8") == 0 ||
	    ascii_casecmp(charset, "utf8") == 0))
		return clean_text(s, len);
	if (charset == NULL || *charset == '\0' || is_ascii_label(charset)) {
		if (utf8_valid(s, len))
			return clean_text(s, len);
		charset = "windows-1252";
	}
	if (is_latin1_label(charset))
		charset = "windows-1252";
	if (convert(charset, s, len, &out) == 0)
		return out;
	if (utf8_valid(s, len) ||
	    convert("windows-1252", s, len, &out) == -1)
		return clean_text(s, len);
	return out;
}

/* A leaf's text as clean UTF-8; caller frees. */
static char *
part_text(struct mailmime *part)
{
	const char *cs = mailpart_param(part->mm_content_type, "charset");
	char *bytes, *text;
	size_t len;

	bytes = mailpart_bytes(part, &len);
	text = to_utf8(bytes, len, cs);
	free(bytes);
	return text;
}

/* The body: the text/plain part, else the HTML one made text. */
static char *
body_text(const struct walk *w)
{
	char *html, *text, *clean;

	if (w->plain != NULL)
		return part_text(w->plain);
	if (w->html == NULL)
		return xstrdup("");
	html = part_text(w->html);
	text = html_to_text(html, strlen(html), 0);
	free(html);
	if (text == NULL)
		return xstrdup("");
	clean = clean_text(text, strlen(text));
	free(text);
	return clean;
}


/* The References that are fit, the newest INMAIL_REFS_MAX of them. */
static void
read_references(struct inmail *m, clist *ids)
{
	clistiter *it;
	size_t ok = 0, skip;

	for (it = clist_begin(ids); it != NULL; it = clist_next(it))
		ok += mailhdr_id_ok(clist_content(it));
	skip = ok > INMAIL_REFS_MAX ? ok - INMAIL_REFS_MAX : 0;
	for (it = clist_begin(ids); it != NULL; it = clist_next(it)) {
		if (!mailhdr_id_ok(clist_content(it)))
			continue;
		if (skip > 0)
			skip--;
		else
			strvec_push(&m->references, clist_content(it));
	}
}

static void
read_ids(struct inmail *m, const struct mailimf_single_fields *sf)
{
	clistiter *it;

	if (sf->fld_message_id != NULL &&
	    mailhdr_id_ok(sf->fld_message_id->mid_value))
		m->message_id = xstrdup(sf->fld_message_id->mid_value);
	else
		m->message_id = xstrdup("");
	if (sf->fld_in_reply_to != NULL)
		for (it = clist_begin(sf->fld_in_reply_to->mid_list);
		    it != NULL && m->in_reply_to == NULL; it = clist_next(it))
			if (mailhdr_id_ok(clist_content(it)))
				m->in_reply_to = xstrdup(clist_content(it));
	if (sf->fld_references != NULL)
		read_references(m, sf->fld_references->mid_list);
}

static int
addr_ok(const char *a)
{
	return a != NULL && addr_valid(a, NULL, 0);
}

static void
push_mailboxes(struct strvec *sv, struct mailimf_mailbox_list *l)
{
	clistiter *it;
	struct mailimf_mailbox *mb;

	if (l == NULL)
		return;
	for (it = clist_begin(l->mb_list); it != NULL; it = clist_next(it)) {
		mb = clist_content(it);
		if (addr_ok(mb->mb_addr_spec))
			strvec_push(sv, mb->mb_addr_spec);
	}
}

static void
push_addresses(struct strvec *sv, struct mailimf_address_list *l)
{
	clistiter *it;
	struct mailimf_address *a;

	if (l == NULL)
		return;
	for (it = clist_begin(l->ad_list); it != NULL; it = clist_next(it)) {
		a = clist_content(it);
		if (a->ad_type == MAILIMF_ADDRESS_MAILBOX &&
		    addr_ok(a->ad_data.ad_mailbox->mb_addr_spec))
			strvec_push(sv, a->ad_data.ad_mailbox->mb_addr_spec);
		else if (a->ad_type == MAILIMF_ADDRESS_GROUP)
			push_mailboxes(sv, a->ad_data.ad_group->grp_mb_list);
	}
}

static void
read_addresses(struct inmail *m, const struct mailimf_single_fields *sf)
{
	struct mailimf_mailbox *mb;
	clistiter *it;

	if (sf->fld_from != NULL && sf->fld_from->frm_mb_list != NULL) {
		it = clist_begin(sf->fld_from->frm_mb_list->mb_list);
		mb = it != NULL ? clist_content(it) : NULL;
		if (mb != NULL && addr_ok(mb->mb_addr_spec))
			m->from = xstrdup(mb->mb_addr_spec);
	}
	if (sf->fld_to != NULL)
		push_addresses(&m->to, sf->fld_to->to_addr_list);
	if (sf->fld_cc != NULL)
		push_addresses(&m->to, sf->fld_cc->cc_addr_list);
}

/*
 * RFC 2047 decoded, one printable line.  Raw 8-bit bytes are read as
 * UTF-8 when they are valid UTF-8, else as Windows-1252.
 */
static char *
decode_subject(const char *raw)
{
	const char *raw_cs;
	char *out = NULL, *s;
	size_t idx = 0;

	raw_cs = utf8_valid(raw, strlen(raw)) ? "utf-8" : "windows-1252";
	/* No encoded word and already UTF-8: nothing to decode, and
	 * libetpan's decoder would open a converter for it all the same. */
	if (strstr(raw, "=?") == NULL && strcmp(raw_cs, "utf-8") == 0)
		return mailhdr_shown(raw, SUBJECT_MAX);
	if (mailmime_encoded_phrase_parse(raw_cs, raw, strlen(raw), &idx,
	    "utf-8", &out) != MAILIMF_NO_ERROR || out == NULL)
		return mailhdr_shown(raw, SUBJECT_MAX);
	s = mailhdr_shown(out, SUBJECT_MAX);
	free(out);
	return s;
}

/* ---- the message ---- */

void
inmail_digest(const char *raw, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[32];
	size_t i;

	gnutls_hash_fast(GNUTLS_DIG_SHA256, raw, len, d);
	for (i = 0; i < sizeof d; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0x0f];
	}
	hex[2 * sizeof d] = '\0';
}

static void
read_headers(struct inmail *m, struct mailimf_fields *fields)
{
	struct mailimf_single_fields sf;

	memset(&sf, 0, sizeof sf);
	if (fields != NULL)
		mailimf_single_fields_init(&sf, fields);
	read_ids(m, &sf);
	read_addresses(m, &sf);
	m->subject = sf.fld_subject != NULL ?
	    decode_subject(sf.fld_subject->sbj_value) : xstrdup("");
}

/*
 * Every multipart/report (a bounce, a read receipt) is an automatic
 * answer; a delivery-status one is a bounce as well.
 */
static void
read_automatic(struct inmail *m, struct mailmime *mime)
{
	struct mailmime *body = mime->mm_data.mm_message.mm_msg_mime;
	char *rt;

	rt = bounce_report_type(body);
	m->auto_reason = autoreply_reason(mime->mm_data.mm_message.mm_fields,
	    rt);
	m->auto_reply = m->auto_reason != NULL;
	m->dsn = bounce_read(body, rt, &m->dsn_original_id, &m->dsn_status);
	free(rt);
}

/*
 * libetpan's tree points into the buffer it parsed.  It parses a private
 * copy with a NUL after it: libetpan 1.9.4's quoted-printable decoder
 * reads one byte past a part that ends in a cut-off "=X" escape.
 */
static struct mailmime *
parse_mime(const char *raw, size_t len, char **copy, struct err *err)
{
	struct mailmime *mime = NULL;
	size_t idx = 0;
	int r;

	*copy = xmalloc(len + 1);
	memcpy(*copy, raw, len);
	(*copy)[len] = '\0';
	r = mailmime_parse(*copy, len, &idx, &mime);
	if (r == MAILIMF_NO_ERROR && mime != NULL &&
	    mime->mm_type == MAILMIME_MESSAGE)
		return mime;
	err_set(err, ERR_INPUT, "the message does not parse (libetpan error "
	    "%d)", r);
	if (mime != NULL)
		mailmime_free(mime);
	free(*copy);
	*copy = NULL;
	return NULL;
}

int
inmail_parse(const char *raw, size_t len, const char *authserv_id,
    struct inmail *m, enum inmail_auth *auth, struct err *err)
{
	struct mailmime *mime;
	struct mailimf_fields *fields;
	struct walk w;
	char *copy = NULL;
	int rc = -1;

	memset(m, 0, sizeof *m);
	*auth = INMAIL_AUTH_NONE;
	if (check_raw(raw, len, err) == -1)
		return -1;
	mime = parse_mime(raw, len, &copy, err);
	if (mime == NULL)
		return -1;
	if (walk_tree(mime, &w, err) == -1)
		goto out;
	fields = mime->mm_data.mm_message.mm_fields;
	read_headers(m, fields);
	if (m->to.n > INMAIL_RCPTS_MAX) {
		err_set(err, ERR_INPUT, "more than %d addresses in To and Cc",
		    INMAIL_RCPTS_MAX);
		inmail_clear(m);
		goto out;
	}
	m->text = body_text(&w);
	read_automatic(m, mime);
	*auth = authres_verdict(fields, authserv_id, m->from);
	inmail_digest(raw, len, m->digest);
	rc = 0;
out:
	mailmime_free(mime);
	free(copy);
	return rc;
}

void
inmail_clear(struct inmail *m)
{
	free(m->message_id);
	free(m->in_reply_to);
	strvec_clear(&m->references);
	free(m->from);
	strvec_clear(&m->to);
	free(m->subject);
	free(m->text);
	free(m->auto_reason);
	free(m->dsn_original_id);
	free(m->dsn_status);
	memset(m, 0, sizeof *m);
}
