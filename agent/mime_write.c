/* mime_write.c: writes a checked mail's RFC 5322 + MIME bytes in one pass. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "mime_write.h"

#define FOLD_COL	72	/* libetpan folds a header before this column */
#define PARAM_COL	78	/* and a Content-Type parameter past this one */
#define QP_LINE_MAX	76	/* RFC 2045, the soft break's '=' included */
#define QP_TEXT_MAX	(QP_LINE_MAX - 1)	/* bytes before the '=' */
#define B64_GROUPS	19	/* 76 characters a line, RFC 2045 */
#define B64_PAD		64	/* '=' in b64_digits */
#define BASE64_SHARE	30	/* percent of non-ASCII bytes that picks base64 */
#define SECONDS_PER_DAY	86400
#define HEAD_ROOM	1536	/* the fixed lines: names, types, boundaries */

/* The message as it grows, and the column its last line has reached. */
struct out {
	struct buf	 b;
	size_t		 col;
};

/*
 * What each byte of a text body is to the quoted-printable encoder:
 * '0' the end (NUL), 'B' a line break (CR, LF), 'E' encoded as =XX ('=',
 * other controls, DEL, 8-bit), 'b' white space (as it is unless a line
 * ends after it), 'p' the rest of printable ASCII (as it is).
 */
static const char qp_map[256] =
    "0EEEEEEEEbBEEBEE" "EEEEEEEEEEEEEEEE"	/* 0x00 */
    "bppppppppppppppp" "pppppppppppppEpp"	/* 0x20: ' ', '=' */
    "pppppppppppppppp" "pppppppppppppppp"	/* 0x40 */
    "pppppppppppppppp" "pppppppppppppppE"	/* 0x60: DEL */
    "EEEEEEEEEEEEEEEE" "EEEEEEEEEEEEEEEE"	/* 0x80 */
    "EEEEEEEEEEEEEEEE" "EEEEEEEEEEEEEEEE"
    "EEEEEEEEEEEEEEEE" "EEEEEEEEEEEEEEEE"
    "EEEEEEEEEEEEEEEE" "EEEEEEEEEEEEEEEE";

static const char hex_digits[] = "0123456789ABCDEF";
/* The 64 digits, then the padding: B64_PAD. */
static const char b64_digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
static const char *const day_names[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Of too many references, the thread's root and the newest ones stay. */
static int
ref_kept(size_t i, size_t n)
{
	return n <= MIME_REFS_MAX || i == 0 || i >= n - (MIME_REFS_MAX - 1);
}

/* Header text without line breaks. */
static void
put(struct out *o, const char *s, size_t n)
{
	buf_reserve(&o->b, n);
	memcpy(o->b.data + o->b.len, s, n);
	o->b.len += n;
	o->col += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_crlf(struct out *o)
{
	put(o, "\r\n", 2);
	o->col = 0;
}

static void
put_fold(struct out *o)
{
	put(o, "\r\n ", 3);
	o->col = 1;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * An unstructured value as libetpan folds it: runs of white space become
 * one space, or a fold before a word that would reach FOLD_COL.  A word
 * is never cut: mime.c's limits keep every line within 998 bytes (an
 * extra header's name and value, the longest, take 76 + 2 + 900).
 */
static void
put_words(struct out *o, const char *v)
{
	const char *w;
	int first = 1;

	for (;;) {
		while (is_blank(*v))
			v++;
		if (*v == '\0')
			return;
		for (w = v; *v != '\0' && !is_blank(*v); v++)
			;
		if (o->col + (size_t)(v - w) >= FOLD_COL)
			put_fold(o);
		else if (!first)
			put(o, " ", 1);
		first = 0;
		put(o, w, (size_t)(v - w));
	}
}

static void
put_field(struct out *o, const char *name, const char *value)
{
	put_str(o, name);
	put(o, ": ", 2);
	put_words(o, value);
	put_crlf(o);
}

/* A bare addr-spec, on a line of its own when it would reach FOLD_COL. */
static void
put_mailbox(struct out *o, const char *name, const char *addr)
{
	size_t len = strlen(addr);

	put_str(o, name);
	if (o->col + len >= FOLD_COL)
		put_fold(o);
	put(o, addr, len);
	put_crlf(o);
}

static void
put_id(struct out *o, const char *id, size_t len)
{
	put(o, "<", 1);
	put(o, id, len);
	put(o, ">", 1);
}

/* In-Reply-To and References: the first ID is never folded. */
static void
put_ids(struct out *o, const char *name, const char *const *ids, size_t n)
{
	size_t i, len;
	int first = 1;

	put_str(o, name);
	for (i = 0; i < n; i++) {
		if (!ref_kept(i, n))
			continue;
		len = strlen(ids[i]);
		if (!first && o->col + len >= FOLD_COL)
			put_fold(o);
		else if (!first)
			put(o, " ", 1);
		first = 0;
		put_id(o, ids[i], len);
	}
	put_crlf(o);
}

static char *
put_2digits(char *p, int v)
{
	*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* "Date: Fri, 28 Nov 2025 10:00:00 +0000", always in UTC. */
static void
put_date(struct out *o, int64_t t)
{
	char s[40], *p = s;
	int64_t secs;
	int32_t days;
	int year, month, day;

	days = date_of_time((time_t)t);
	secs = t - (int64_t)days * SECONDS_PER_DAY;
	date_to_civil(days, &year, &month, &day);
	memcpy(p, day_names[(days + 4) % 7], 3);	/* 1970-01-01: Thu */
	p += 3;
	*p++ = ',';
	*p++ = ' ';
	if (day >= 10)
		*p++ = (char)('0' + day / 10);
	*p++ = (char)('0' + day % 10);
	*p++ = ' ';
	memcpy(p, month_names[month - 1], 3);
	p += 3;
	*p++ = ' ';
	p = put_2digits(p, year / 100);	/* 1970 to 9999: four digits */
	p = put_2digits(p, year % 100);
	*p++ = ' ';
	p = put_2digits(p, (int)(secs / 3600));
	*p++ = ':';
	p = put_2digits(p, (int)(secs / 60 % 60));
	*p++ = ':';
	p = put_2digits(p, (int)(secs % 60));
	memcpy(p, " +0000", 6);
	p += 6;
	put(o, "Date: ", 6);
	put(o, s, (size_t)(p - s));
	put_crlf(o);
}

/* name="value", folded first when it would pass PARAM_COL. */
static void
put_param(struct out *o, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);

	put(o, "; ", 2);
	if (o->col > 1 && o->col + nlen + 1 + vlen > PARAM_COL)
		put_fold(o);
	put(o, name, nlen);
	put(o, "=\"", 2);
	put(o, value, vlen);
	put(o, "\"", 1);
	o->col -= 2;	/* libetpan leaves the quotes out of its count */
}

static void
put_content_type(struct out *o, const char *type, const char *param,
    const char *value)
{
	put(o, "Content-Type: ", 14);
	put_str(o, type);
	put_param(o, param, value);
	put_crlf(o);
}

static void
put_delimiter(struct out *o, const char *boundary, int close)
{
	put(o, "--", 2);
	put(o, boundary, MIME_BOUNDARY_LEN - 1);
	if (close)
		put(o, "--", 2);
	put_crlf(o);
}

static void
put_headers(struct out *o, const struct mime_head *h)
{
	const struct mime_mail *m = h->mail;
	size_t i;

	put_date(o, m->date);
	put_field(o, "From", h->from);
	if (m->reply_to != NULL)
		put_mailbox(o, "Reply-To: ", m->reply_to);
	put_mailbox(o, "To: ", m->to);
	put(o, "Message-ID: ", 12);
	put_id(o, m->message_id, strlen(m->message_id));
	put_crlf(o);
	if (m->in_reply_to != NULL)
		put_ids(o, "In-Reply-To: ", &m->in_reply_to, 1);
	if (m->nreferences > 0)
		put_ids(o, "References: ", m->references, m->nreferences);
	put_field(o, "Subject", h->subject);
	if (m->language != NULL)
		put_field(o, "Content-Language", m->language);
	for (i = 0; i < m->nextra; i++)
		put_field(o, m->extra_headers[2 * i],
		    m->extra_headers[2 * i + 1]);
	put(o, "MIME-Version: 1.0", 17);
	put_crlf(o);
}

/* QP grows each non-ASCII byte to three: CJK text is smaller in base64. */
static int
mostly_non_ascii(const char *s, size_t *lenp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, high = 0;

	for (len = 0; p[len] != '\0'; len++)
		high += p[len] >> 7;
	*lenp = len;
	return high * 100 > len * BASE64_SHARE;
}

/*
 * Room for len bytes of text encoded either way: at most three bytes for
 * each (=XX, or CRLF for a lone CR or LF), and a soft break ("=" CRLF)
 * after each line, which holds at least 73 bytes, so at least 25 of the
 * text's: three bytes for every 25 is less than len / 8.  Base64 takes
 * less: the text with CRLF line ends has at most 2 * len bytes, and 4
 * characters for each 3 of them, with a CRLF after each 76, stay under
 * 2.75 * len + 8.
 */
static size_t
body_room(size_t len)
{
	return 3 * len + len / 8 + 16;
}

/*
 * A line of a lone "." ends SMTP DATA when a transport forgets to
 * dot-stuff, and mbox writers mangle "From ": neither starts a line.
 */
static int
qp_risky_start(const unsigned char *s)
{
	return s[0] == '.' || (s[0] == 'F' && strncmp((const char *)s,
	    "From ", 5) == 0);
}

static char *
qp_hex(char *d, unsigned char c)
{
	*d++ = '=';
	*d++ = hex_digits[c >> 4];
	*d++ = hex_digits[c & 0x0f];
	return d;
}

/* A line end at d, a soft one ("=" CRLF) or not: returns the end. */
static char *
qp_line_end(char *d, int soft)
{
	if (soft)
		*d++ = '=';
	*d++ = '\r';
	*d++ = '\n';
	return d;
}

/* 1 when a line ends at s: a line break or the end of the text. */
static int
qp_line_ends(const unsigned char *s)
{
	return qp_map[*s] == '0' || qp_map[*s] == 'B';
}

/* Bytes at s that go out as they are, however long the line. */
static size_t
qp_plain_run(const unsigned char *s)
{
	size_t n;

	for (n = 0;; n++) {
		if (qp_map[s[n]] == 'p')
			continue;
		if (qp_map[s[n]] == 'b' && !qp_line_ends(s + n + 1))
			continue;
		return n;
	}
}

/*
 * A run of n plain bytes, cut into lines of QP_TEXT_MAX with soft breaks
 * ("=" CRLF); a line it starts may not start with "." or "From ".
 */
static char *
qp_put_run(char *d, const unsigned char *s, size_t n, size_t *col)
{
	size_t k;

	while (n > 0) {
		if (*col == QP_TEXT_MAX) {
			d = qp_line_end(d, 1);
			*col = 0;
		}
		if (*col == 0 && qp_risky_start(s)) {
			d = qp_hex(d, *s++);
			*col = 3;
			n--;
			continue;
		}
		k = QP_TEXT_MAX - *col < n ? QP_TEXT_MAX - *col : n;
		memcpy(d, s, k);
		d += k;
		s += k;
		*col += k;
		n -= k;
	}
	return d;
}

/*
 * Quoted-printable into d, which has room (body_room): lines end in CRLF
 * (from LF, CRLF or a lone CR) and take at most QP_LINE_MAX bytes, white
 * space before a line end is encoded, as it is lost in transit (RFC
 * 2045), and so are a "." or "From " that would start a line.  Plain
 * bytes are found by a table and copied in runs.  Returns the end.
 */
static char *
qp_encode(char *d, const unsigned char *s)
{
	size_t col = 0, n;

	for (;;) {
		n = qp_plain_run(s);
		d = qp_put_run(d, s, n, &col);
		s += n;
		if (qp_map[*s] == '0')
			return d;
		if (qp_map[*s] == 'B') {
			s += (s[0] == '\r' && s[1] == '\n') ? 2 : 1;
			d = qp_line_end(d, 0);
			col = 0;
			continue;
		}
		/* 'E', or white space a line end follows. */
		if (col + 3 > QP_TEXT_MAX) {
			d = qp_line_end(d, 1);
			col = 0;
		}
		d = qp_hex(d, *s++);
		col += 3;
	}
}

/* Base64 in lines of 76 characters, the last one shorter, each CRLF. */
static char *
b64_encode(char *d, const unsigned char *s, size_t len)
{
	size_t i, g;

	for (i = 0; i < len; i += 3) {
		g = (size_t)s[i] << 16;
		if (i + 1 < len)
			g |= (size_t)s[i + 1] << 8;
		if (i + 2 < len)
			g |= s[i + 2];
		*d++ = b64_digits[g >> 18];
		*d++ = b64_digits[(g >> 12) & 0x3f];
		*d++ = b64_digits[i + 1 < len ? (g >> 6) & 0x3f : B64_PAD];
		*d++ = b64_digits[i + 2 < len ? g & 0x3f : B64_PAD];
		if ((i / 3) % B64_GROUPS == B64_GROUPS - 1 || i + 3 >= len) {
			*d++ = '\r';
			*d++ = '\n';
		}
	}
	if (len == 0) {
		*d++ = '\r';
		*d++ = '\n';
	}
	return d;
}

/* Text for base64 must be in canonical form: CRLF line ends. */
static void
to_crlf(struct buf *out, const char *s, size_t len)
{
	size_t n;

	buf_reserve(out, 2 * len);
	while (*s != '\0') {
		if (*s == '\r' || *s == '\n') {
			s += (s[0] == '\r' && s[1] == '\n') ? 2 : 1;
			buf_append(out, "\r\n", 2);
			continue;
		}
		n = strcspn(s, "\r\n");
		buf_append(out, s, n);
		s += n;
	}
}

static void
put_b64(struct out *o, const unsigned char *s, size_t len)
{
	char *end;

	buf_reserve(&o->b, body_room(len));
	end = b64_encode(o->b.data + o->b.len, s, len);
	o->b.len = (size_t)(end - o->b.data);
	o->col = 0;
}

/* A text part: its headers, a blank line and the body, QP or base64. */
static void
put_text_part(struct out *o, const char *type, const char *text)
{
	struct buf crlf = { 0 };
	size_t len;
	char *end;

	put_content_type(o, type, "charset", "utf-8");
	if (mostly_non_ascii(text, &len)) {
		put_str(o, "Content-Transfer-Encoding: base64\r\n\r\n");
		to_crlf(&crlf, text, len);
		put_b64(o, (const unsigned char *)crlf.data, crlf.len);
		buf_clear(&crlf);
		return;
	}
	put_str(o, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	buf_reserve(&o->b, body_room(len));
	end = qp_encode(o->b.data + o->b.len, (const unsigned char *)text);
	o->b.len = (size_t)(end - o->b.data);
	o->col = 0;	/* the body's own last column is never looked at */
}

/*
 * The logo as an inline image/png part named by its Content-ID: the HTML
 * shows it as cid:..., so no client ever fetches an image from the
 * network.
 */
static void
put_logo_part(struct out *o, const struct mime_mail *m)
{
	put_str(o, "Content-Type: image/png\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-ID: <");
	put_str(o, m->logo_cid);
	put_str(o, ">\r\n"
	    "Content-Disposition: inline; filename=\"logo.png\"\r\n\r\n");
	put_b64(o, m->logo, m->logo_len);
}

/*
 * The HTML part, or with a logo a multipart/related of the HTML and the
 * logo it shows.  No type="text/html" parameter: readers take the first
 * part as the root without it (RFC 2387 §3.1).
 */
static void
put_html(struct out *o, const struct mime_head *h)
{
	const char *rel = h->rel_boundary;

	if (h->mail->logo == NULL) {
		put_text_part(o, "text/html", h->mail->html);
		return;
	}
	put_content_type(o, "multipart/related", "boundary", rel);
	put_crlf(o);
	put_delimiter(o, rel, 0);
	put_text_part(o, "text/html", h->mail->html);
	put_crlf(o);
	put_delimiter(o, rel, 0);
	put_logo_part(o, h->mail);
	put_crlf(o);
	put_delimiter(o, rel, 1);
}

/* Enough for the whole message, so that it is allocated once. */
static size_t
message_room(const struct mime_head *h)
{
	const struct mime_mail *m = h->mail;
	size_t n, i;

	n = HEAD_ROOM + 2 * (strlen(h->from) + strlen(h->subject)) +
	    strlen(m->to) + strlen(m->message_id);
	if (m->reply_to != NULL)
		n += strlen(m->reply_to);
	if (m->in_reply_to != NULL)
		n += strlen(m->in_reply_to);
	for (i = 0; i < m->nreferences; i++)
		n += strlen(m->references[i]) + 4;
	if (m->language != NULL)
		n += strlen(m->language);
	for (i = 0; i < 2 * m->nextra; i++)
		n += 2 * strlen(m->extra_headers[i]);
	n += body_room(strlen(m->text)) + body_room(strlen(m->html));
	if (m->logo != NULL)
		n += strlen(m->logo_cid) + body_room(m->logo_len);
	return n;
}

void
mime_write(const struct mime_head *h, char **out, size_t *outlen)
{
	struct out o = { { 0 }, 0 };
	const char *alt = h->alt_boundary;

	buf_reserve(&o.b, message_room(h));
	put_headers(&o, h);
	put_content_type(&o, "multipart/alternative", "boundary", alt);
	put_crlf(&o);
	put_delimiter(&o, alt, 0);
	put_text_part(&o, "text/plain", h->mail->text);
	put_crlf(&o);
	put_delimiter(&o, alt, 0);
	put_html(&o, h);
	put_crlf(&o);
	put_delimiter(&o, alt, 1);
	o.b.data[o.b.len] = '\0';
	*outlen = o.b.len;
	/* The room was for the worst case (every byte =XX): give back what
	 * a batch of queued mails would otherwise hold on to. */
	*out = xrealloc(buf_release(&o.b), *outlen + 1);
}
