/* inmail.c: incoming mail parsed with libetpan into what the inbox needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libetpan/libetpan.h>

#include "addr.h"
#include "html.h"
#include "inmail.h"

#define VALUE_SHOWN_MAX		200	/* bytes of a value shown */
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

/* 1 when p (at a line start) begins a Content-Type field. */
static int
is_content_type(const char *p, const char *end)
{
	static const char name[] = "content-type";
	size_t i;

	if ((size_t)(end - p) < sizeof name - 1)
		return 0;
	for (i = 0; i < sizeof name - 1; i++)
		if ((p[i] | 0x20) != name[i])
			return 0;
	return 1;
}

/*
 * Counts the Content-Type fields (every nested part needs one) and the
 * depth of '(' in each field, folded lines included.  Counting every
 * '(' and ')' outside quoted-pairs, quoted strings too, never gives less
 * than the real comment depth.
 */
static int
nesting_ok(const char *raw, size_t len, int count_types, struct err *err)
{
	const char *p, *end = raw + len;
	size_t types = 0;
	int depth = 0;

	for (p = raw; p < end; p++) {
		if (p == raw || p[-1] == '\n') {
			if (*p != ' ' && *p != '\t')
				depth = 0;
			if (count_types && is_content_type(p, end))
				types++;
		}
		if (*p == '\\' && p + 1 < end && p[1] == ')')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		if (types > INMAIL_PARTS_MAX) {
			err_set(err, ERR_INPUT, "more than %d Content-Type "
			    "header fields", INMAIL_PARTS_MAX);
			return -1;
		}
		if (depth > INMAIL_COMMENT_DEPTH_MAX) {
			err_set(err, ERR_INPUT, "parentheses nested more than "
			    "%d deep", INMAIL_COMMENT_DEPTH_MAX);
			return -1;
		}
	}
	return 0;
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
	return nesting_ok(raw, len, 1, err);
}

/* ---- the MIME tree ---- */

/* A Content-Type parameter's value; NULL when absent. */
static const char *
param(const struct mailmime_content *ct, const char *name)
{
	clistiter *it;
	struct mailmime_parameter *p;

	if (ct == NULL)
		return NULL;
	for (it = clist_begin(ct->ct_parameters); it != NULL;
	    it = clist_next(it)) {
		p = clist_content(it);
		if (ascii_casecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

static int
is_text(const struct mailmime_content *ct, const char *subtype)
{
	if (ct == NULL)
		return strcmp(subtype, "plain") == 0;
	return ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	    ct->ct_type->tp_data.tp_discrete_type->dt_type ==
	    MAILMIME_DISCRETE_TYPE_TEXT &&
	    ascii_casecmp(ct->ct_subtype, subtype) == 0;
}

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

	if (f->forwarded || is_attachment(part))
		return;
	if (w->plain == NULL && is_text(part->mm_content_type, "plain"))
		w->plain = part;
	else if (w->html == NULL && is_text(part->mm_content_type, "html"))
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

/* Undoes the transfer encoding of a leaf; caller frees. */
static char *
part_bytes(struct mailmime *part, size_t *len)
{
	struct mailmime_data *d = part->mm_data.mm_single;
	char *out = NULL, *copy;
	size_t idx = 0, outlen = 0;
	int enc;

	*len = 0;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return xstrdup("");
	enc = d->dt_encoded ? d->dt_encoding : MAILMIME_MECHANISM_8BIT;
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, enc, &out, &outlen) !=
	    MAILIMF_NO_ERROR)
		return xstrdup("");
	copy = xmalloc(outlen + 1);
	memcpy(copy, out, outlen);
	copy[outlen] = '\0';
	mmap_string_unref(out);
	*len = outlen;
	return copy;
}

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
	const char *cs = param(part->mm_content_type, "charset");
	char *bytes, *text;
	size_t len;

	bytes = part_bytes(part, &len);
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
	text = html_to_text(html, strlen(html));
	free(html);
	if (text == NULL)
		return xstrdup("");
	clean = clean_text(text, strlen(text));
	free(text);
	return clean;
}

/* ---- header values ---- */

/*
 * A copy of a structured header value with every comment and every run
 * of white space (folding too) made one space, no space around '=',
 * and quoted strings kept as they are.  Caller frees.
 */
static char *
uncomment(const char *v)
{
	struct buf b = { 0 };
	int depth = 0, quoted = 0, space = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0' && (quoted || depth > 0)) {
			if (quoted)
				buf_append(&b, v, 2);
			v++;
		} else if (quoted) {
			buf_append(&b, v, 1);
			quoted = *v != '"';
		} else if (*v == '(') {
			depth++;
			space = 1;
		} else if (*v == ')' && depth > 0)
			depth--;
		else if (depth > 0)
			continue;
		else if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
			space = 1;
		else {
			if (*v == '=' ||
			    (b.len > 0 && b.data[b.len - 1] == '='))
				space = 0;
			if (space && b.len > 0)
				buf_append(&b, " ", 1);
			space = 0;
			buf_append(&b, v, 1);
			quoted = *v == '"';
		}
	}
	return buf_release(&b);
}

/* Like strsep(3) with one separator, but never inside a quoted string. */
static char *
split(char **sp, char sep)
{
	char *s = *sp, *p;
	int quoted = 0;

	if (s == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++) {
		if (quoted && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == sep && !quoted) {
			*p = '\0';
			*sp = p + 1;
			return s;
		}
	}
	*sp = NULL;
	return s;
}

/* The first word of a structured value, lowercase; caller frees. */
static char *
first_word(const char *value)
{
	char *s = uncomment(value), *p;

	p = s + strspn(s, " ");
	memmove(s, p, strlen(p) + 1);
	s[strcspn(s, " ;")] = '\0';
	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	return s;
}

/* Drops the quotes around a whole value. */
static void
unquote(char *s)
{
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		memmove(s, s + 1, len - 2);
		s[len - 2] = '\0';
	}
}

/* A header value fit to show: one line, printable, cut short. */
static char *
shown(const char *value, size_t max)
{
	char *s = text_printable(value, max), *r, *w;

	for (r = w = s; *r != '\0'; r++)
		if (*r != ' ' || (w > s && w[-1] != ' '))
			*w++ = *r;
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	return s;
}

/*
 * The value of the next optional field named name after *at (NULL: from
 * the first field); NULL when there is none.
 */
static const char *
next_value(const struct mailimf_fields *fields, const char *name,
    clistiter **at)
{
	clistiter *it;
	struct mailimf_field *f;

	if (fields == NULL)
		return NULL;
	it = *at != NULL ? clist_next(*at) : clist_begin(fields->fld_list);
	for (; it != NULL; it = clist_next(it)) {
		f = clist_content(it);
		if (f->fld_type == MAILIMF_FIELD_OPTIONAL_FIELD &&
		    ascii_casecmp(f->fld_data.fld_optional_field->fld_name,
		    name) == 0) {
			*at = it;
			return f->fld_data.fld_optional_field->fld_value;
		}
	}
	return NULL;
}

/* ---- ids, addresses, subject ---- */

/* An id fit to store: no spaces or control characters, UTF-8. */
static int
id_ok(const char *id)
{
	const unsigned char *p;
	size_t len = strlen(id);

	if (len == 0 || len > INMAIL_ID_MAX || !utf8_valid(id, len))
		return 0;
	for (p = (const unsigned char *)id; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return 0;
	return 1;
}

/* The References that are fit, the newest INMAIL_REFS_MAX of them. */
static void
read_references(struct inmail *m, clist *ids)
{
	clistiter *it;
	size_t ok = 0, skip;

	for (it = clist_begin(ids); it != NULL; it = clist_next(it))
		ok += id_ok(clist_content(it));
	skip = ok > INMAIL_REFS_MAX ? ok - INMAIL_REFS_MAX : 0;
	for (it = clist_begin(ids); it != NULL; it = clist_next(it)) {
		if (!id_ok(clist_content(it)))
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
	    id_ok(sf->fld_message_id->mid_value))
		m->message_id = xstrdup(sf->fld_message_id->mid_value);
	else
		m->message_id = xstrdup("");
	if (sf->fld_in_reply_to != NULL)
		for (it = clist_begin(sf->fld_in_reply_to->mid_list);
		    it != NULL && m->in_reply_to == NULL; it = clist_next(it))
			if (id_ok(clist_content(it)))
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
		return shown(raw, SUBJECT_MAX);
	if (mailmime_encoded_phrase_parse(raw_cs, raw, strlen(raw), &idx,
	    "utf-8", &out) != MAILIMF_NO_ERROR || out == NULL)
		return shown(raw, SUBJECT_MAX);
	s = shown(out, SUBJECT_MAX);
	free(out);
	return s;
}

/* ---- auto-replies ---- */

/* RFC 3834: any Auto-Submitted but "no"; the X- ones alike. */
static int
says_not_no(const char *value)
{
	char *w = first_word(value);
	int yes = strcmp(w, "no") != 0;

	free(w);
	return yes;
}

static int
says_bulk(const char *value)
{
	char *w = first_word(value);
	int yes = strcmp(w, "bulk") == 0 || strcmp(w, "junk") == 0 ||
	    strcmp(w, "list") == 0;

	free(w);
	return yes;
}

/* "<>", also with spaces or comments in it: a bounce or an auto-reply. */
static int
says_null_path(const char *value)
{
	char *s = uncomment(value), *p, *q;
	int yes;

	for (p = q = s; *p != '\0'; p++)
		if (*p != ' ')
			*q++ = *p;
	*q = '\0';
	yes = strcmp(s, "<>") == 0;
	free(s);
	return yes;
}

static const struct auto_sign {
	const char	*name;
	int		(*says)(const char *);
} auto_signs[] = {
	{ "Auto-Submitted",	says_not_no },
	{ "X-Autoreply",	says_not_no },
	{ "X-Autorespond",	says_not_no },
	{ "Precedence",		says_bulk },
	{ "Return-Path",	says_null_path },
};

static void
set_auto(struct inmail *m, const char *name, const char *value)
{
	char *v = shown(value, VALUE_SHOWN_MAX);

	m->auto_reply = 1;
	m->auto_reason = xasprintf("%s: %s", name, v);
	free(v);
}

/*
 * A Return-Path libetpan parsed as such, empty when it has no address.
 * mailmime_parse leaves Return-Path an optional field (checked above);
 * this catches a libetpan that parses it fully.
 */
static int
has_null_return_path(const struct mailimf_fields *fields)
{
	clistiter *it;
	struct mailimf_field *f;
	struct mailimf_path *path;

	for (it = clist_begin(fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		f = clist_content(it);
		if (f->fld_type != MAILIMF_FIELD_RETURN_PATH)
			continue;
		path = f->fld_data.fld_return_path->ret_path;
		if (path == NULL || path->pt_addr_spec == NULL ||
		    *path->pt_addr_spec == '\0')
			return 1;
	}
	return 0;
}

/* The first value of the sign's header that says "automatic". */
static const char *
sign_value(const struct mailimf_fields *fields, const struct auto_sign *sign)
{
	clistiter *at = NULL;
	const char *v;

	for (;;) {
		v = next_value(fields, sign->name, &at);
		if (v == NULL || sign->says(v))
			return v;
	}
}

static void
read_auto(struct inmail *m, const struct mailimf_fields *fields)
{
	const char *v;
	size_t i;

	if (fields == NULL)
		return;
	for (i = 0; i < sizeof auto_signs / sizeof auto_signs[0]; i++) {
		v = sign_value(fields, &auto_signs[i]);
		if (v != NULL) {
			set_auto(m, auto_signs[i].name, v);
			return;
		}
	}
	if (has_null_return_path(fields))
		set_auto(m, "Return-Path", "<>");
}

/* ---- delivery status notifications (RFC 3464) ---- */

static int
is_type(const struct mailmime_content *ct, int composite,
    const char *subtype)
{
	int t;

	if (ct == NULL || ct->ct_type->tp_type != MAILMIME_TYPE_COMPOSITE_TYPE)
		return 0;
	t = ct->ct_type->tp_data.tp_composite_type->ct_type;
	return t == composite && ascii_casecmp(ct->ct_subtype, subtype) == 0;
}

/* The report-type of a multipart/report body, lowercase; NULL when the
 * body is no report.  Caller frees. */
static char *
report_type(const struct mailmime *body)
{
	const char *value;
	char *rt;

	if (body == NULL || body->mm_type != MAILMIME_MULTIPLE ||
	    !is_type(body->mm_content_type, MAILMIME_COMPOSITE_TYPE_MULTIPART,
	    "report"))
		return NULL;
	value = param(body->mm_content_type, "report-type");
	rt = first_word(value != NULL ? value : "");
	unquote(rt);
	return rt;
}

/* The Message-ID in a header block; NULL when none. */
static char *
message_id_of(struct mailimf_fields *fields)
{
	struct mailimf_single_fields sf;

	if (fields == NULL)
		return NULL;
	mailimf_single_fields_init(&sf, fields);
	if (sf.fld_message_id == NULL || !id_ok(sf.fld_message_id->mid_value))
		return NULL;
	return xstrdup(sf.fld_message_id->mid_value);
}

/* The original's headers sent as a leaf (text/rfc822-headers, or an
 * encoded message/rfc822): parsed after the same depth check. */
static char *
message_id_in_leaf(struct mailmime *part)
{
	struct mailimf_fields *fields = NULL;
	char *bytes, *id = NULL;
	size_t len, idx = 0;

	bytes = part_bytes(part, &len);
	if (nesting_ok(bytes, len, 0, NULL) == 0 &&
	    mailimf_fields_parse(bytes, len, &idx, &fields) ==
	    MAILIMF_NO_ERROR) {
		id = message_id_of(fields);
		mailimf_fields_free(fields);
	}
	free(bytes);
	return id;
}

static char *
original_id(struct mailmime *part)
{
	const struct mailmime_content *ct = part->mm_content_type;

	if (part->mm_type == MAILMIME_MESSAGE)
		return message_id_of(part->mm_data.mm_message.mm_fields);
	if (part->mm_type != MAILMIME_SINGLE)
		return NULL;
	if (is_text(ct, "rfc822-headers") ||
	    is_type(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE, "rfc822-headers") ||
	    is_type(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE, "rfc822") ||
	    is_type(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE, "global") ||
	    is_type(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE, "global-headers"))
		return message_id_in_leaf(part);
	return NULL;
}

/* "5.1.1 (550 5.1.1 <x@y>: User unknown)" from one recipient block. */
static char *
status_of(const struct mailimf_fields *fields)
{
	clistiter *a = NULL, *b = NULL;
	const char *status, *diag;
	char *s, *d, *out;

	status = next_value(fields, "Status", &a);
	if (status == NULL)
		return NULL;
	s = shown(status, VALUE_SHOWN_MAX);
	diag = next_value(fields, "Diagnostic-Code", &b);
	if (diag == NULL)
		return s;
	if (strchr(diag, ';') != NULL)
		diag = strchr(diag, ';') + 1;
	d = shown(diag, VALUE_SHOWN_MAX);
	out = *d != '\0' ? xasprintf("%s (%s)", s, d) : xstrdup(s);
	free(s);
	free(d);
	return out;
}

/* The first Status (and its Diagnostic-Code) of the report's blocks. */
static char *
dsn_status_in(struct mailmime *part)
{
	struct mailimf_fields *fields;
	char *bytes, *status = NULL;
	size_t len, idx = 0;

	bytes = part_bytes(part, &len);
	if (nesting_ok(bytes, len, 0, NULL) == -1)
		len = 0;
	while (status == NULL && idx < len) {
		fields = NULL;
		if (mailimf_optional_fields_parse(bytes, len, &idx, &fields) !=
		    MAILIMF_NO_ERROR)
			break;
		status = status_of(fields);
		mailimf_fields_free(fields);
		if (mailimf_crlf_parse(bytes, len, &idx) != MAILIMF_NO_ERROR)
			break;
	}
	free(bytes);
	return status;
}

static void
read_dsn_parts(struct inmail *m, struct mailmime *body)
{
	clistiter *it;
	struct mailmime *part;
	const struct mailmime_content *ct;

	for (it = clist_begin(body->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_next(it)) {
		part = clist_content(it);
		ct = part->mm_content_type;
		if (m->dsn_status == NULL && part->mm_type == MAILMIME_SINGLE &&
		    (is_type(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE,
		    "delivery-status") || is_type(ct,
		    MAILMIME_COMPOSITE_TYPE_MESSAGE, "global-delivery-status")))
			m->dsn_status = dsn_status_in(part);
		else if (m->dsn_original_id == NULL)
			m->dsn_original_id = original_id(part);
	}
}

/*
 * Every multipart/report (a bounce, a read receipt) is an automatic
 * answer; a delivery-status one is a bounce as well.
 */
static void
read_report(struct inmail *m, struct mailmime *body)
{
	char *rt, *why;

	rt = report_type(body);
	if (rt == NULL)
		return;
	if (!m->auto_reply) {
		why = xasprintf("multipart/report; report-type=%s", rt);
		set_auto(m, "Content-Type", why);
		free(why);
	}
	if (strcmp(rt, "delivery-status") == 0) {
		m->dsn = 1;
		read_dsn_parts(m, body);
	}
	free(rt);
}

/* ---- Authentication-Results (RFC 8601) ---- */

static const char *
domain_of(const char *addr)
{
	const char *at;

	if (addr == NULL)
		return NULL;
	at = strrchr(addr, '@');
	return at != NULL ? at + 1 : addr;
}

static int
same_domain(const char *a, const char *b)
{
	return a != NULL && b != NULL && *a != '\0' && ascii_casecmp(a, b) == 0;
}

/*
 * One result ("dkim=pass header.d=x.test ..."): 1 when it is a dmarc
 * pass, or a dkim pass whose header.d or header.i is the From domain.
 */
static int
result_passes(char *res, const char *from_domain)
{
	char *method, *result, *key, *value;
	int dkim, dmarc, aligned = 0, other_from = 0;

	method = split(&res, ' ');
	result = strchr(method, '=');
	if (result == NULL || ascii_casecmp(result + 1, "pass") != 0)
		return 0;
	method[strcspn(method, "/=")] = '\0';
	dkim = ascii_casecmp(method, "dkim") == 0;
	dmarc = ascii_casecmp(method, "dmarc") == 0;
	while (res != NULL) {
		key = split(&res, ' ');
		value = strchr(key, '=');
		if (value == NULL)
			continue;
		*value++ = '\0';
		unquote(value);
		if (ascii_casecmp(key, "header.d") == 0 ||
		    ascii_casecmp(key, "header.i") == 0)
			aligned |= same_domain(domain_of(value), from_domain);
		else if (ascii_casecmp(key, "header.from") == 0)
			other_from |= !same_domain(value, from_domain);
	}
	return (dmarc && !other_from) || (dkim && aligned);
}

/*
 * One header: -1 when another server wrote it (ignored), else 1 when it
 * holds a pass, 0 when not.
 */
static int
auth_header(const char *value, const char *authserv_id,
    const char *from_domain)
{
	char *copy = uncomment(value), *rest = copy, *id, *res;
	int pass = 0;

	id = split(&rest, ';');
	id += strspn(id, " ");
	id[strcspn(id, " ")] = '\0';
	if (ascii_casecmp(id, authserv_id) != 0) {
		free(copy);
		return -1;
	}
	while (rest != NULL) {
		res = split(&rest, ';');
		res += strspn(res, " ");
		pass |= result_passes(res, from_domain);
	}
	free(copy);
	return pass;
}

static enum inmail_auth
read_auth(const struct mailimf_fields *fields, const char *authserv_id,
    const char *from)
{
	clistiter *at = NULL;
	const char *v;
	enum inmail_auth verdict = INMAIL_AUTH_NONE;
	int r;

	if (authserv_id == NULL || *authserv_id == '\0')
		return INMAIL_AUTH_NONE;
	for (;;) {
		v = next_value(fields, "Authentication-Results", &at);
		if (v == NULL)
			break;
		r = auth_header(v, authserv_id, domain_of(from));
		if (r == 1)
			return INMAIL_AUTH_PASS;
		if (r == 0)
			verdict = INMAIL_AUTH_FAIL;
	}
	return verdict;
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
	read_auto(m, fields);
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
	read_report(m, mime->mm_data.mm_message.mm_msg_mime);
	*auth = read_auth(fields, authserv_id, m->from);
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
