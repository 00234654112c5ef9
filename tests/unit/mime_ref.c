/*
 * mime_ref.c: the mail as libetpan's tree and writer made it, with the
 * quoted-printable encoder that went with them: the reference that
 * mime_write.c's bytes are compared with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "date.h"
#include "mime_ref.h"

#define QP_LINE_MAX	76	/* RFC 2045, the soft break's '=' included */
#define BASE64_SHARE	30	/* percent of non-ASCII bytes that picks base64 */
#define SECONDS_PER_DAY	86400

/* One body as libetpan gets it. */
struct body {
	char	*data;		/* QP already, or CRLF text for libetpan's base64 */
	size_t	 len;
	int	 encoding;	/* MAILMIME_MECHANISM_* */
	int	 encoded;	/* 1 when data is QP already */
};

/* libetpan reports running out of memory as a NULL or an error code. */
static void
need(int ok)
{
	if (ok)
		return;
	fputs("mime_ref: out of memory\n", stderr);
	exit(2);
}

/* Length of the line break at s (LF, CRLF or a lone CR), or 0. */
static size_t
line_break(const char *s)
{
	if (s[0] == '\n')
		return 1;
	if (s[0] == '\r')
		return s[1] == '\n' ? 2 : 1;
	return 0;
}

/* Trailing white space is lost in transit, so it is encoded (RFC 2045). */
static int
qp_must_encode(const char *s)
{
	unsigned char c = (unsigned char)s[0];

	if (c == ' ' || c == '\t')
		return s[1] == '\0' || line_break(s + 1) > 0;
	return c == '=' || c < 0x20 || c > 0x7e;
}

/*
 * A line of a lone "." ends SMTP DATA when a transport forgets to
 * dot-stuff, and mbox writers mangle "From ": neither starts a line.
 */
static int
qp_risky_start(const char *s)
{
	return s[0] == '.' || strncmp(s, "From ", 5) == 0;
}

/*
 * Quoted-printable, written here because libetpan 1.9.4's encoder doubles
 * a space or tab before a line break ("a \n" came back as "a  \r\n").
 * Lines end in CRLF and take at most QP_LINE_MAX bytes.
 */
/* Bytes at s, at most max, that go out as they are, up to a line
 * break: what qp_must_encode and line_break let through.  Bounded, as
 * an HTML line may be far longer than the line it is cut into. */
static size_t
qp_plain_run(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (n = 0; n < max; n++) {
		if (p[n] > 0x20 && p[n] < 0x7f && p[n] != '=')
			continue;
		if ((p[n] == ' ' || p[n] == '\t') && p[n + 1] != '\0' &&
		    p[n + 1] != '\r' && p[n + 1] != '\n')
			continue;
		break;
	}
	return n;
}

static void
qp_encode(struct buf *out, const char *s)
{
	static const char digits[] = "0123456789ABCDEF";
	char hex[3];
	size_t col = 0, brk, n;
	int enc;

	while (*s != '\0') {
		brk = line_break(s);
		if (brk > 0) {
			buf_puts(out, "\r\n");
			col = 0;
			s += brk;
			continue;
		}
		/* Plain bytes that fit on the line go in one piece. */
		if (col > 0 || !qp_risky_start(s)) {
			n = qp_plain_run(s, QP_LINE_MAX - 1 - col);
			if (n > 0) {
				buf_append(out, s, n);
				col += n;
				s += n;
				continue;
			}
		}
		enc = qp_must_encode(s);
		if (col + (enc ? 3 : 1) > QP_LINE_MAX - 1) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		if (col == 0 && qp_risky_start(s))
			enc = 1;
		if (enc) {
			hex[0] = '=';
			hex[1] = digits[(unsigned char)*s >> 4];
			hex[2] = digits[(unsigned char)*s & 0x0f];
			buf_append(out, hex, 3);
			col += 3;
		} else {
			buf_append(out, s, 1);
			col++;
		}
		s++;
	}
}

/* Text for base64 must be in canonical form: CRLF line ends. */
static void
to_crlf(struct buf *out, const char *s)
{
	size_t n, brk;

	while (*s != '\0') {
		brk = line_break(s);
		if (brk > 0) {
			buf_puts(out, "\r\n");
			s += brk;
			continue;
		}
		n = strcspn(s, "\r\n");
		buf_append(out, s, n);
		s += n;
	}
}

/* QP grows each non-ASCII byte to three: CJK text is smaller in base64. */
static int
mostly_non_ascii(const char *s)
{
	size_t len, high = 0;

	for (len = 0; s[len] != '\0'; len++)
		if ((unsigned char)s[len] >= 0x80)
			high++;
	return high * 100 > len * BASE64_SHARE;
}

static void
body_prepare(struct body *b, const char *text)
{
	struct buf out = { 0 };

	/* Room for the text and its soft breaks and CRLFs, grown once. */
	buf_reserve(&out, strlen(text) / 8 * 9 + 64);
	if (mostly_non_ascii(text)) {
		to_crlf(&out, text);
		b->encoding = MAILMIME_MECHANISM_BASE64;
		b->encoded = 0;
	} else {
		qp_encode(&out, text);
		b->encoding = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
		b->encoded = 1;
	}
	b->len = out.len;
	b->data = buf_release(&out);
}

static struct mailimf_date_time *
make_date(int64_t t)
{
	struct mailimf_date_time *dt;
	int64_t secs;
	int32_t days;
	int year, month, day;

	days = date_of_time((time_t)t);
	secs = t - (int64_t)days * SECONDS_PER_DAY;
	date_to_civil(days, &year, &month, &day);
	dt = mailimf_date_time_new(day, month, year, (int)(secs / 3600),
	    (int)(secs / 60 % 60), (int)(secs % 60), 0);
	need(dt != NULL);
	return dt;
}

/* Takes value over; libetpan frees both strings with the fields. */
static void
add_custom(struct mailimf_fields *f, const char *name, char *value)
{
	struct mailimf_field *field;

	field = mailimf_field_new_custom(xstrdup(name), value);
	need(field != NULL);
	need(mailimf_fields_add(f, field) == MAILIMF_NO_ERROR);
}

static struct mailimf_address_list *
address_list(const char *addr)
{
	struct mailimf_address_list *l;

	l = mailimf_address_list_new_empty();
	need(l != NULL);
	need(mailimf_address_list_add_mb(l, NULL, xstrdup(addr)) ==
	    MAILIMF_NO_ERROR);
	return l;
}

static void
id_append(clist *l, const char *id)
{
	need(clist_append(l, xstrdup(id)) == 0);
}

/* Of too many references, the thread's root and the newest ones stay. */
static clist *
references_list(const struct mime_mail *m)
{
	clist *l;
	size_t i, n = m->nreferences;

	l = clist_new();
	need(l != NULL);
	for (i = 0; i < n; i++)
		if (n <= MIME_REFS_MAX || i == 0 || i >= n - (MIME_REFS_MAX - 1))
			id_append(l, m->references[i]);
	return l;
}

static struct mailimf_fields *
build_fields(const struct mime_mail *m, const char *from,
    const char *subject)
{
	struct mailimf_fields *f;
	struct mailimf_address_list *reply_to = NULL;
	clist *irt = NULL, *refs = NULL;
	size_t i;

	f = mailimf_fields_new_empty();
	need(f != NULL);
	need(mailimf_fields_add_data(f, make_date(m->date), NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL) == MAILIMF_NO_ERROR);
	add_custom(f, "From", xstrdup(from));
	if (m->reply_to != NULL)
		reply_to = address_list(m->reply_to);
	if (m->in_reply_to != NULL) {
		irt = clist_new();
		need(irt != NULL);
		id_append(irt, m->in_reply_to);
	}
	if (m->nreferences > 0)
		refs = references_list(m);
	need(mailimf_fields_add_data(f, NULL, NULL, NULL, reply_to,
	    address_list(m->to), NULL, NULL, xstrdup(m->message_id), irt, refs,
	    xstrdup(subject)) == MAILIMF_NO_ERROR);
	if (m->language != NULL)
		add_custom(f, "Content-Language", xstrdup(m->language));
	for (i = 0; i < m->nextra; i++)
		add_custom(f, m->extra_headers[2 * i],
		    xstrdup(m->extra_headers[2 * i + 1]));
	return f;
}

static void
add_param(struct mailmime_content *ct, const char *name, const char *value)
{
	struct mailmime_parameter *p;

	p = mailmime_parameter_new(xstrdup(name), xstrdup(value));
	need(p != NULL);
	need(clist_append(ct->ct_parameters, p) == 0);
}

/* The part borrows b->data: it must outlive the write. */
static struct mailmime *
text_part(const char *type, const struct body *b)
{
	struct mailmime_content *ct;
	struct mailmime_fields *mf;
	struct mailmime *part;

	ct = mailmime_content_new_with_str(type);
	need(ct != NULL && ct->ct_parameters != NULL);
	add_param(ct, "charset", "utf-8");
	mf = mailmime_fields_new_encoding(b->encoding);
	need(mf != NULL);
	part = mailmime_new_empty(ct, mf);
	need(part != NULL);
	part->mm_data.mm_single = mailmime_data_new(MAILMIME_DATA_TEXT,
	    b->encoding, b->encoded, b->data, b->len, NULL);
	need(part->mm_data.mm_single != NULL);
	return part;
}

/*
 * Not mailmime_multiple_new or mailmime_new_empty: they append a second
 * boundary parameter of their own, made from the unseeded random().
 */
static struct mailmime *
multipart(const char *type, const char *boundary)
{
	struct mailmime_content *ct;
	struct mailmime_fields *mf;
	struct mailmime *mp;
	clist *parts;

	ct = mailmime_content_new_with_str(type);
	need(ct != NULL && ct->ct_parameters != NULL);
	add_param(ct, "boundary", boundary);
	mf = mailmime_fields_new_empty();
	parts = clist_new();
	need(mf != NULL && parts != NULL);
	mp = mailmime_new(MAILMIME_MULTIPLE, NULL, 0, mf, ct, NULL, NULL, NULL,
	    parts, NULL, NULL);
	need(mp != NULL);
	return mp;
}

/*
 * The logo as an inline image/png part, base64 written by libetpan,
 * named by its Content-ID: the HTML shows it as cid:..., so no client
 * ever fetches an image from the network.  The part borrows the bytes.
 */
static struct mailmime *
logo_part(const struct mime_mail *m)
{
	struct mailmime_content *ct;
	struct mailmime_disposition *disp;
	struct mailmime_mechanism *enc;
	struct mailmime_fields *mf;
	struct mailmime *part;

	ct = mailmime_content_new_with_str("image/png");
	need(ct != NULL);
	enc = mailmime_mechanism_new(MAILMIME_MECHANISM_BASE64, NULL);
	disp = mailmime_disposition_new_with_data(
	    MAILMIME_DISPOSITION_TYPE_INLINE, xstrdup("logo.png"), NULL, NULL,
	    NULL, (size_t)-1);
	need(enc != NULL && disp != NULL);
	mf = mailmime_fields_new_with_data(enc, xstrdup(m->logo_cid), NULL,
	    disp, NULL);
	need(mf != NULL);
	part = mailmime_new_empty(ct, mf);
	need(part != NULL);
	part->mm_data.mm_single = mailmime_data_new(MAILMIME_DATA_TEXT,
	    MAILMIME_MECHANISM_BASE64, 0, (const char *)m->logo, m->logo_len,
	    NULL);
	need(part->mm_data.mm_single != NULL);
	return part;
}

/* The HTML part, or with a logo the HTML and the logo it shows. */
static struct mailmime *
html_with_logo(const struct mime_mail *m, const struct body *html,
    const char *boundary)
{
	struct mailmime *rel;

	if (m->logo == NULL)
		return text_part("text/html", html);
	/* No type="text/html" parameter: libetpan would fold the line
	 * after a "; " and leave a trailing blank in the body, which
	 * transports strip; readers take the first part as the root
	 * without it (RFC 2387 §3.1). */
	rel = multipart("multipart/related", boundary);
	need(mailmime_smart_add_part(rel, text_part("text/html", html)) ==
	    MAILIMF_NO_ERROR);
	need(mailmime_smart_add_part(rel, logo_part(m)) == MAILIMF_NO_ERROR);
	return rel;
}

static struct mailmime *
build_message(const struct mime_head *h, const struct body *text,
    const struct body *html)
{
	struct mailmime *msg, *alt;

	msg = mailmime_new_message_data(NULL);
	need(msg != NULL);
	mailmime_set_imf_fields(msg, build_fields(h->mail, h->from,
	    h->subject));
	alt = multipart("multipart/alternative", h->alt_boundary);
	need(mailmime_smart_add_part(msg, alt) == MAILIMF_NO_ERROR);
	need(mailmime_smart_add_part(alt, text_part("text/plain", text)) ==
	    MAILIMF_NO_ERROR);
	need(mailmime_smart_add_part(alt, html_with_logo(h->mail, html,
	    h->rel_boundary)) == MAILIMF_NO_ERROR);
	return msg;
}

static int
write_message(struct mailmime *msg, char **out, size_t *outlen,
    struct err *err)
{
	MMAPString *s;
	int col = 0, r;

	s = mmap_string_new("");
	need(s != NULL);
	r = mailmime_write_mem(s, &col, msg);
	if (r != MAILIMF_NO_ERROR) {
		mmap_string_free(s);
		err_set(err, ERR_RUNTIME, "cannot write the message "
		    "(libetpan error %d)", r);
		return -1;
	}
	*out = xstrndup(s->str, s->len);
	*outlen = s->len;
	mmap_string_free(s);
	return 0;
}


int
mime_ref_write(const struct mime_head *h, char **out, size_t *outlen,
    struct err *err)
{
	struct body text = { 0 }, html = { 0 };
	struct mailmime *msg;
	int rc;

	*out = NULL;
	*outlen = 0;
	body_prepare(&text, h->mail->text);
	body_prepare(&html, h->mail->html);
	msg = build_message(h, &text, &html);
	rc = write_message(msg, out, outlen, err);
	/* The tree borrows the bodies: free it first. */
	mailmime_free(msg);
	free(text.data);
	free(html.data);
	return rc;
}
