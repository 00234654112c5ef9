/* mime.c: checks one outgoing mail's values and composes its bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "addr.h"
#include "lang.h"
#include "mime.h"
#include "mime_write.h"

#define PLAIN_WORD_MAX	60	/* longer words are encoded so that they fold */
#define DATE_MAX	INT64_C(253402300799)	/* 9999-12-31T23:59:59Z */
#define WHY_MAX		128

/* Headers the composer writes itself; an extra header may not repeat one. */
static const char *const own_headers[] = {
	"Date", "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject",
	"Message-ID", "In-Reply-To", "References", "MIME-Version", NULL
};

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
 * A value written as it is and unfolded back to exactly itself: the
 * writer folds at spaces and squeezes runs of them (mime_write.c), and a
 * long word would make a line it cannot fold.
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
	if (gnutls_base64_encode2(&in, &enc) != 0) {
		fputs("mscagent: out of memory\n", stderr);
		exit(2);
	}
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
 * encoded-words, which must not be quoted: clients do not decode
 * encoded-words inside quotes.  So From is written as a list of words,
 * not as a mailbox whose name a writer would quote whole.
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

/*
 * "=_" can appear in neither quoted-printable nor base64, so a boundary
 * made of it and hex digits cannot collide with an encoded body.
 */
static void
make_boundary(char *bnd)
{
	bnd[0] = '=';
	bnd[1] = '_';
	mime_random_hex(bnd + 2);
}

int
mime_head_init(struct mime_head *h, const struct mime_mail *m,
    struct err *err)
{
	char *flat;

	memset(h, 0, sizeof *h);
	if (check_mail(m, err) == -1)
		return -1;
	flat = flat_subject(m->subject);
	if (text_check("subject", flat, MIME_SUBJECT_MAX, 1, err) == -1) {
		free(flat);
		return -1;
	}
	h->mail = m;
	h->subject = encode_words(flat, 0);
	free(flat);
	h->from = from_value(m);
	make_boundary(h->alt_boundary);
	/* Drawn only with a logo, so that a mail without one takes no more
	 * randomness than it needs. */
	if (m->logo != NULL)
		make_boundary(h->rel_boundary);
	return 0;
}

void
mime_head_clear(struct mime_head *h)
{
	free(h->from);
	free(h->subject);
	memset(h, 0, sizeof *h);
}

int
mime_compose(const struct mime_mail *m, char **out, size_t *outlen,
    struct err *err)
{
	struct mime_head h;

	*out = NULL;
	*outlen = 0;
	if (mime_head_init(&h, m, err) == -1)
		return -1;
	mime_write(&h, out, outlen);
	mime_head_clear(&h);
	return 0;
}
