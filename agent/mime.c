/* mime.c: composes one outgoing mail as RFC 5322 + MIME bytes with libetpan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <libetpan/libetpan.h>

#include "addr.h"
#include "date.h"
#include "lang.h"
#include "mime.h"

#define PLAIN_WORD_MAX	60	/* longer words are encoded so that they fold */
#define QP_LINE_MAX	76	/* RFC 2045, the soft break's '=' included */
#define BASE64_SHARE	30	/* percent of non-ASCII bytes that picks base64 */
#define DATE_MAX	INT64_C(253402300799)	/* 9999-12-31T23:59:59Z */
#define SECONDS_PER_DAY	86400
#define BOUNDARY_LEN	35	/* "=_", 32 hex digits, NUL */
#define WHY_MAX		128

/* One body as libetpan gets it. */
struct body {
	char	*data;		/* QP already, or CRLF text for libetpan's base64 */
	size_t	 len;
	int	 encoding;	/* MAILMIME_MECHANISM_* */
	int	 encoded;	/* 1 when data is QP already */
};

/* Headers the composer writes itself; an extra header may not repeat one. */
static const char *const own_headers[] = {
	"Date", "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject",
	"Message-ID", "In-Reply-To", "References", "MIME-Version", NULL
};

/*
 * libetpan reports running out of memory as a NULL or an error code; like
 * the x* wrappers, that is fatal, which also spares every builder below a
 * half-owned cleanup path.
 */
static void
need(int ok)
{
	if (ok)
		return;
	fputs("mscagent: out of memory\n", stderr);
	exit(2);
}

void
mime_random_hex(char *buf)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];
	size_t i;

	/* Predictable IDs or boundaries are worse than stopping. */
	if (gnutls_rnd(GNUTLS_RND_RANDOM, raw, sizeof raw) != 0) {
		fputs("mscagent: the random generator failed\n", stderr);
		exit(2);
	}
	for (i = 0; i < sizeof raw; i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	buf[2 * sizeof raw] = '\0';
}

static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

int
mime_msgid_valid(const char *s)
{
	const char *at;
	size_t len, i;

	if (s == NULL)
		return 0;
	len = strlen(s);
	at = strchr(s, '@');
	if (len == 0 || len > MIME_MSGID_MAX || at == NULL || at == s ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] != '@' && s[i] != '.' && !is_atext((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * A value libetpan writes and a reader unfolds back to exactly itself:
 * libetpan folds at spaces and squeezes runs of them, and a long word
 * would make a line it cannot fold.
 */
static int
is_plain(const char *s)
{
	const unsigned char *p;
	size_t word = 0;

	if (s[0] == ' ' || strstr(s, "=?") != NULL)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return 0;
		if (*p == ' ') {
			if (p[1] == ' ' || p[1] == '\0')
				return 0;
			word = 0;
		} else if (++word > PLAIN_WORD_MAX)
			return 0;
	}
	return 1;
}

/* Bytes of the next encoded-word: at most max, whole characters. */
static size_t
chunk_len(const char *s, size_t len, size_t max)
{
	size_t n;

	if (len <= max)
		return len;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n > 0 ? n : max;	/* not UTF-8: cut anyway */
}

static void
append_word(struct buf *b, const char *s, size_t n)
{
	unsigned char raw[MIME_WORD_IN_MAX];
	gnutls_datum_t in, enc;

	memcpy(raw, s, n);
	in.data = raw;
	in.size = (unsigned)n;
	need(gnutls_base64_encode2(&in, &enc) == 0);
	buf_printf(b, "%s=?UTF-8?B?%.*s?=", b->len > 0 ? " " : "",
	    (int)enc.size, (const char *)enc.data);
	gnutls_free(enc.data);
}

static char *
encode_words(const char *s, int force)
{
	struct buf b = { 0 };
	size_t len, n;

	if (!force && is_plain(s))
		return xstrdup(s);
	len = strlen(s);
	while (len > 0) {
		/* A shorter first word fits on the "Subject: " line itself:
		 * a value that starts with a fold is shown with a leading
		 * space by some readers. */
		n = chunk_len(s, len, b.len == 0 ? MIME_FIRST_WORD_IN_MAX :
		    MIME_WORD_IN_MAX);
		append_word(&b, s, n);
		s += n;
		len -= n;
	}
	return buf_release(&b);
}

char *
mime_encode_words(const char *utf8)
{
	return encode_words(utf8, 0);
}

static int
check_addr(const char *what, const char *s, int is_from, struct err *err)
{
	char why[WHY_MAX];

	if (s == NULL) {
		err_set(err, ERR_INPUT, "the %s address is missing", what);
		return -1;
	}
	if (!addr_valid(s, why, sizeof why)) {
		err_set(err, ERR_INPUT, "the %s address: %s", what, why);
		return -1;
	}
	/* Quoted local parts may hold these; in a header they invite trouble. */
	if (strpbrk(s, "<>,") != NULL) {
		err_set(err, ERR_INPUT, "the %s address contains '<', '>' or "
		    "','", what);
		return -1;
	}
	/* From goes out as a folded custom field: a space there could fold. */
	if (is_from && strchr(s, ' ') != NULL) {
		err_set(err, ERR_INPUT, "the %s address contains a space", what);
		return -1;
	}
	return 0;
}

static int
check_msgid(const char *what, const char *s, struct err *err)
{
	if (mime_msgid_valid(s))
		return 0;
	err_set(err, ERR_INPUT, "the %s is not a valid Message-ID", what);
	return -1;
}

static int
check_ids(const struct mime_mail *m, struct err *err)
{
	size_t i;

	if (check_msgid("Message-ID", m->message_id, err) == -1)
		return -1;
	if (m->in_reply_to != NULL &&
	    check_msgid("In-Reply-To", m->in_reply_to, err) == -1)
		return -1;
	if (m->nreferences > 0 && m->references == NULL) {
		err_set(err, ERR_INPUT, "the references are missing");
		return -1;
	}
	for (i = 0; i < m->nreferences; i++)
		if (check_msgid("reference", m->references[i], err) == -1)
			return -1;
	return 0;
}

static int
is_own_header(const char *name)
{
	size_t i;

	if (strncasecmp(name, "Content-", 8) == 0)
		return 1;
	for (i = 0; own_headers[i] != NULL; i++)
		if (ascii_casecmp(name, own_headers[i]) == 0)
			return 1;
	return 0;
}

static int
check_header_name(const char *name, struct err *err)
{
	size_t i, len;

	len = name != NULL ? strlen(name) : 0;
	if (len == 0 || len > MIME_HEADER_NAME_MAX) {
		err_set(err, ERR_INPUT, "an extra header name is empty or "
		    "longer than %d bytes", MIME_HEADER_NAME_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (name[i] != '-' && !(name[i] >= 'a' && name[i] <= 'z') &&
		    !(name[i] >= 'A' && name[i] <= 'Z') &&
		    !(name[i] >= '0' && name[i] <= '9')) {
			err_set(err, ERR_INPUT, "an extra header name may hold "
			    "only letters, digits and '-'");
			return -1;
		}
	}
	if (is_own_header(name)) {
		err_set(err, ERR_INPUT, "the header %s is written by the "
		    "composer, not as an extra header", name);
		return -1;
	}
	return 0;
}

/* Extra headers are protocol fields (Auto-Submitted...): ASCII only. */
static int
check_header_value(const char *name, const char *value, struct err *err)
{
	const unsigned char *p;

	if (value == NULL || strlen(value) > MIME_HEADER_VALUE_MAX) {
		err_set(err, ERR_INPUT, "the value of %s is missing or longer "
		    "than %d bytes", name, MIME_HEADER_VALUE_MAX);
		return -1;
	}
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			err_set(err, ERR_INPUT, "the value of %s is not "
			    "printable ASCII", name);
			return -1;
		}
	}
	return 0;
}

static int
check_extra(const struct mime_mail *m, struct err *err)
{
	size_t i;

	if (m->nextra > MIME_EXTRA_MAX ||
	    (m->nextra > 0 && m->extra_headers == NULL)) {
		err_set(err, ERR_INPUT, "too many or missing extra headers");
		return -1;
	}
	for (i = 0; i < m->nextra; i++) {
		if (check_header_name(m->extra_headers[2 * i], err) == -1 ||
		    check_header_value(m->extra_headers[2 * i],
		    m->extra_headers[2 * i + 1], err) == -1)
			return -1;
	}
	return 0;
}

static int
check_body(const char *what, const char *s, struct err *err)
{
	size_t len;

	if (s == NULL) {
		err_set(err, ERR_INPUT, "the %s is missing", what);
		return -1;
	}
	len = strlen(s);
	if (len > MIME_BODY_MAX) {
		err_set(err, ERR_INPUT, "the %s is too long (%zu bytes, at "
		    "most %d)", what, len, MIME_BODY_MAX);
		return -1;
	}
	if (!utf8_valid(s, len)) {
		err_set(err, ERR_INPUT, "the %s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

/* The Content-ID goes into a header between <>: a Message-ID's rules. */
static int
check_logo(const struct mime_mail *m, struct err *err)
{
	if (m->logo == NULL)
		return 0;
	if (m->logo_len == 0 || m->logo_len > MIME_LOGO_MAX) {
		err_set(err, ERR_INPUT, "the logo has %zu bytes (1 to %d)",
		    m->logo_len, MIME_LOGO_MAX);
		return -1;
	}
	if (m->logo_cid == NULL || !mime_msgid_valid(m->logo_cid)) {
		err_set(err, ERR_INPUT, "the logo's Content-ID is not valid");
		return -1;
	}
	return 0;
}

/* Everything but the subject, which is checked once flattened. */
static int
check_mail(const struct mime_mail *m, struct err *err)
{
	if (check_addr("from", m->from, 1, err) == -1 ||
	    check_addr("to", m->to, 0, err) == -1)
		return -1;
	if (m->reply_to != NULL &&
	    check_addr("reply-to", m->reply_to, 0, err) == -1)
		return -1;
	if (m->from_name != NULL && text_check("display name", m->from_name,
	    MIME_NAME_MAX, 1, err) == -1)
		return -1;
	if (m->subject == NULL) {
		err_set(err, ERR_INPUT, "the subject is missing");
		return -1;
	}
	if (m->date < 0 || m->date > DATE_MAX) {
		err_set(err, ERR_INPUT, "the date is out of range");
		return -1;
	}
	if (check_ids(m, err) == -1 || check_extra(m, err) == -1)
		return -1;
	if (m->language != NULL && !lang_is_valid(m->language)) {
		err_set(err, ERR_INPUT, "the language is not a BCP 47 tag");
		return -1;
	}
	if (check_body("text body", m->text, err) == -1 ||
	    check_body("html body", m->html, err) == -1)
		return -1;
	return check_logo(m, err);
}

/*
 * CR, LF and TAB in a subject become spaces: a template's subject line
 * may end in a newline, and a space can never start a new header.
 */
static char *
flat_subject(const char *s)
{
	char *copy, *p;

	copy = xstrdup(s);
	for (p = copy; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return copy;
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

/*
 * "=_" can appear in neither quoted-printable nor base64, so the boundary
 * cannot collide with an encoded body; the check on the bodies as given
 * is belt and braces.
 */
static void
make_boundary(char *bnd, const struct body *t, const struct body *h)
{
	do {
		bnd[0] = '=';
		bnd[1] = '_';
		mime_random_hex(bnd + 2);
	} while (memmem(t->data, t->len, bnd, BOUNDARY_LEN - 1) != NULL ||
	    memmem(h->data, h->len, bnd, BOUNDARY_LEN - 1) != NULL);
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

/* A quoted-string: '"' and '\\' become quoted-pairs. */
static char *
quoted_string(const char *s)
{
	struct buf b = { 0 };

	buf_puts(&b, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_puts(&b, "\\");
		buf_append(&b, s, 1);
	}
	buf_puts(&b, "\"");
	return buf_release(&b);
}

/* How each word of a display name goes out. */
enum word_kind {
	WORD_ATOM,	/* RFC 5322 atext: as it is */
	WORD_QUOTED,	/* other printable ASCII: in a quoted-string */
	WORD_ENCODED,	/* the rest: RFC 2047 encoded-words */
};

static enum word_kind
word_kind(const char *s, size_t n)
{
	enum word_kind k = WORD_ATOM;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return WORD_ENCODED;
		if (!is_atext((unsigned char)s[i]))
			k = WORD_QUOTED;
	}
	/* Never anything a reader could take for an encoded-word. */
	if (memmem(s, n, "=?", 2) != NULL)
		return WORD_ENCODED;
	return k;
}

/* Words [run, run + n) of one kind, as one quoted-string or encoded. */
static void
append_run(struct buf *b, enum word_kind kind, const char *run, size_t n)
{
	char *cut, *words;

	cut = xstrndup(run, n);
	if (kind == WORD_ATOM)
		words = xstrdup(cut);
	else if (kind == WORD_QUOTED)
		words = quoted_string(cut);
	else
		words = encode_words(cut, 1);
	buf_printf(b, "%s%s", b->len > 0 ? " " : "", words);
	free(words);
	free(cut);
}

/*
 * A display name that is not plain ASCII, as a phrase of atoms,
 * quoted-strings and encoded-words, each run of words of one kind
 * together.  Between two encoded-words RFC 2047 drops the space, where
 * some readers (Python's email package, policy.default) keep one; next
 * to an atom or a quoted-string every reader keeps it.  So the name
 * comes back exactly everywhere, unless a run of non-ASCII words is too
 * long for one encoded-word.  A name without single spaces between its
 * words is encoded whole.
 */
static char *
encode_phrase(const char *name)
{
	struct buf b = { 0 };
	const char *p = name, *end, *run = name;
	size_t len = strlen(name);
	enum word_kind kind, run_kind;

	if (name[0] == ' ' || name[len - 1] == ' ' ||
	    strstr(name, "  ") != NULL)
		return encode_words(name, 1);
	end = strchr(p, ' ');
	run_kind = word_kind(p, end ? (size_t)(end - p) : len);
	while (end != NULL) {
		p = end + 1;
		end = strchr(p, ' ');
		kind = word_kind(p, end ? (size_t)(end - p) : strlen(p));
		if (kind != run_kind || kind == WORD_ATOM) {
			append_run(&b, run_kind, run, (size_t)(p - 1 - run));
			run = p;
			run_kind = kind;
		}
	}
	append_run(&b, run_kind, run, (size_t)(name + len - run));
	return buf_release(&b);
}

/*
 * Plain names go out quoted, so that ',', '.' or '&' stay text and an
 * atom needs no rule of its own.  The rest become atoms and
 * encoded-words, which must not be quoted: that is why From is a custom
 * field, as libetpan's mailbox writer quotes any name holding a space,
 * and clients do not decode encoded-words inside quotes.
 */
static char *
from_value(const struct mime_mail *m)
{
	char *phrase, *v;

	if (m->from_name == NULL || m->from_name[0] == '\0')
		return xstrdup(m->from);
	if (is_plain(m->from_name))
		phrase = quoted_string(m->from_name);
	else
		phrase = encode_phrase(m->from_name);
	v = xasprintf("%s <%s>", phrase, m->from);
	free(phrase);
	return v;
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
build_fields(const struct mime_mail *m, const char *subject)
{
	struct mailimf_fields *f;
	struct mailimf_address_list *reply_to = NULL;
	clist *irt = NULL, *refs = NULL;
	size_t i;

	f = mailimf_fields_new_empty();
	need(f != NULL);
	need(mailimf_fields_add_data(f, make_date(m->date), NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL) == MAILIMF_NO_ERROR);
	add_custom(f, "From", from_value(m));
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
	    encode_words(subject, 0)) == MAILIMF_NO_ERROR);
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
build_message(const struct mime_mail *m, const char *subject,
    const struct body *text, const struct body *html,
    const char boundaries[2][BOUNDARY_LEN])
{
	struct mailmime *msg, *alt;

	msg = mailmime_new_message_data(NULL);
	need(msg != NULL);
	mailmime_set_imf_fields(msg, build_fields(m, subject));
	alt = multipart("multipart/alternative", boundaries[0]);
	need(mailmime_smart_add_part(msg, alt) == MAILIMF_NO_ERROR);
	need(mailmime_smart_add_part(alt, text_part("text/plain", text)) ==
	    MAILIMF_NO_ERROR);
	need(mailmime_smart_add_part(alt, html_with_logo(m, html,
	    boundaries[1])) == MAILIMF_NO_ERROR);
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
mime_compose(const struct mime_mail *m, char **out, size_t *outlen,
    struct err *err)
{
	struct body text = { 0 }, html = { 0 };
	struct mailmime *msg = NULL;
	char boundaries[2][BOUNDARY_LEN];
	char *subject = NULL;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (check_mail(m, err) == -1)
		return -1;
	subject = flat_subject(m->subject);
	if (text_check("subject", subject, MIME_SUBJECT_MAX, 1, err) == -1)
		goto out;
	body_prepare(&text, m->text);
	body_prepare(&html, m->html);
	make_boundary(boundaries[0], &text, &html);
	/* Drawn only with a logo, so that a mail without one takes as much
	 * randomness as before. */
	if (m->logo != NULL)
		make_boundary(boundaries[1], &text, &html);
	else
		boundaries[1][0] = '\0';
	msg = build_message(m, subject, &text, &html,
	    (const char (*)[BOUNDARY_LEN])boundaries);
	rc = write_message(msg, out, outlen, err);
out:
	/* The tree borrows the bodies: free it first. */
	if (msg != NULL)
		mailmime_free(msg);
	free(text.data);
	free(html.data);
	free(subject);
	return rc;
}
