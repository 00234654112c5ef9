/* test_mime.c: composes mails with mime.c and parses them back with libetpan. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <libetpan/libetpan.h>

#include "mime.h"
#include "mime_ref.h"
#include "mime_write.h"

#define SUBJECT_UTF8	"Approval needed: M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 " \
			"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe \xf0\x9f\x9a\x80"
#define NAME_UTF8	"M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 " \
			"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe \xf0\x9f\x9a\x80"
#define ROCKET		"\xf0\x9f\x9a\x80"
#define A_UMLAUT	"\xc3\xa4"
#define KABU		"\xe6\xa0\xaa"	/* a CJK character, 3 bytes */
#define DATE_MAX	INT64_C(253402300799)
#define LINE_MAX_5322	998
#define HEADER_LINE_MAX	78
#define BODY_LINE_MAX	76

static const char *const base_refs[] = { "root@cust.test", "r2@cust.test" };
static const char *const base_extra[] = {
	"Auto-Submitted", "auto-generated",
	"X-Auto-Response-Suppress", "OOF, AutoReply",
};

static struct mime_mail
base_mail(void)
{
	struct mime_mail m;

	memset(&m, 0, sizeof m);
	m.from_name = NAME_UTF8;
	m.from = "agent@msp.test";
	m.to = "admin@cust.test";
	m.reply_to = "agent+k1AbC-9@msp.test";
	m.subject = SUBJECT_UTF8;
	m.message_id = "k1.0123456789abcdef0123456789abcdef@msp.test";
	m.in_reply_to = "CAF=x+y_z@mail.cust.test";
	m.references = base_refs;
	m.nreferences = 2;
	m.date = 1764324000;
	m.text = "Hello,\n\nplease reply APPROVE.\n";
	m.html = "<p>Hello,</p>\n<p>please reply <b>APPROVE</b>.</p>\n";
	m.extra_headers = base_extra;
	m.nextra = 2;
	return m;
}

/* s repeated n times, then tail; caller frees. */
static char *
repeat(const char *s, size_t n, const char *tail)
{
	size_t len = strlen(s), i;
	char *out;

	out = malloc(len * n + strlen(tail) + 1);
	assert_non_null(out);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	strcpy(out + n * len, tail);
	return out;
}

/* The body as it must come back: every line end CRLF.  Caller frees. */
static char *
crlf(const char *s)
{
	char *out, *p;

	out = malloc(2 * strlen(s) + 1);
	assert_non_null(out);
	for (p = out; *s != '\0'; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		if (*s == '\r' || *s == '\n') {
			*p++ = '\r';
			*p++ = '\n';
		} else
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

struct line_stats {
	size_t	 header_max;	/* longest line of the top header block */
	size_t	 body_max;	/* longest line after it */
};

/*
 * Every line ends in CRLF: no bare CR or LF, no NUL, none over 998.  No
 * body line ends in white space, which transports strip.
 */
static struct line_stats
check_lines(const char *s, size_t len)
{
	struct line_stats st = { 0, 0 };
	size_t i, start = 0, n;
	int in_header = 1;

	for (i = 0; i < len; i++) {
		assert_true(s[i] != '\0');
		assert_true(s[i] != '\n');
		if (s[i] != '\r')
			continue;
		assert_true(i + 1 < len && s[i + 1] == '\n');
		n = i - start;
		assert_true(n <= LINE_MAX_5322);
		if (in_header && n == 0)
			in_header = 0;
		else if (in_header && n > st.header_max)
			st.header_max = n;
		else if (!in_header && n > st.body_max)
			st.body_max = n;
		if (!in_header && n > 0)
			assert_true(s[i - 1] != ' ' && s[i - 1] != '\t');
		i++;
		start = i + 1;
	}
	assert_int_equal(start, len);
	return st;
}

struct parsed {
	char			*raw;	/* the tree points into it */
	size_t			 len;
	struct line_stats	 lines;
	struct mailmime		*mime;
	struct mailimf_fields	*fields;
	struct mailimf_single_fields f;
};

/*
 * The writer's bytes are libetpan's (mime_ref.c) for the same checked
 * mail and boundaries: every mail a test composes is compared.
 */
static void
same_as_libetpan(const struct mime_mail *m)
{
	struct mime_head h;
	struct err err;
	char *got, *want;
	size_t got_len, want_len;

	err_clear(&err);
	if (mime_head_init(&h, m, &err) != 0)
		fail_msg("mime_head_init: %s", err.msg);
	mime_write(&h, &got, &got_len);
	if (mime_ref_write(&h, &want, &want_len, &err) != 0)
		fail_msg("mime_ref_write: %s", err.msg);
	assert_int_equal(strlen(got), got_len);
	if (got_len != want_len || memcmp(got, want, got_len) != 0)
		fail_msg("not libetpan's bytes:\n--- libetpan\n%s\n--- "
		    "mime_write\n%s", want, got);
	free(got);
	free(want);
	mime_head_clear(&h);
}

static void
compose_parse(const struct mime_mail *m, struct parsed *p)
{
	struct err err;
	size_t idx = 0;

	same_as_libetpan(m);
	memset(p, 0, sizeof *p);
	err_clear(&err);
	if (mime_compose(m, &p->raw, &p->len, &err) != 0)
		fail_msg("mime_compose: %s", err.msg);
	assert_non_null(p->raw);
	assert_int_equal(strlen(p->raw), p->len);
	p->lines = check_lines(p->raw, p->len);
	assert_int_equal(mailmime_parse(p->raw, p->len, &idx, &p->mime),
	    MAILIMF_NO_ERROR);
	assert_int_equal(p->mime->mm_type, MAILMIME_MESSAGE);
	p->fields = p->mime->mm_data.mm_message.mm_fields;
	assert_non_null(p->fields);
	mailimf_single_fields_init(&p->f, p->fields);
}

static void
parsed_free(struct parsed *p)
{
	mailmime_free(p->mime);
	free(p->raw);
}

static void
refused(const struct mime_mail *m)
{
	struct err err;
	char *out = (char *)1;
	size_t len = 1;

	err_clear(&err);
	assert_int_equal(mime_compose(m, &out, &len, &err), -1);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_true(err.msg[0] != '\0');
	assert_null(out);
	assert_int_equal(len, 0);
}

/* RFC 2047 decoding as the inbound side does it; caller frees. */
static char *
decode(const char *raw)
{
	size_t idx = 0;
	char *out = NULL;

	assert_int_equal(mailmime_encoded_phrase_parse("utf-8", raw,
	    strlen(raw), &idx, "utf-8", &out), MAILIMF_NO_ERROR);
	assert_non_null(out);
	return out;
}

static void
assert_decodes_to(const char *raw, const char *expected)
{
	char *got;

	got = decode(raw);
	assert_string_equal(got, expected);
	free(got);
}

static const char *
optional_field(const struct parsed *p, const char *name)
{
	struct mailimf_optional_field *of;
	struct mailimf_field *fld;
	clistiter *it;

	for (it = clist_begin(p->fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		fld = clist_content(it);
		if (fld->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD)
			continue;
		of = fld->fld_data.fld_optional_field;
		if (strcasecmp(of->fld_name, name) == 0)
			return of->fld_value;
	}
	return NULL;
}

/* How many top-level header lines start with name (e.g. "Bcc:"). */
static int
header_count(const struct parsed *p, const char *name)
{
	const char *s = p->raw;
	size_t n = strlen(name);
	int count = 0;

	while (*s != '\0' && strncmp(s, "\r\n", 2) != 0) {
		if (strncasecmp(s, name, n) == 0)
			count++;
		s = strstr(s, "\r\n");
		assert_non_null(s);
		s += 2;
	}
	return count;
}

static struct mailmime *
alt_part(const struct parsed *p, int n)
{
	struct mailmime *alt;
	struct mailmime_content *ct;

	alt = p->mime->mm_data.mm_message.mm_msg_mime;
	assert_non_null(alt);
	assert_int_equal(alt->mm_type, MAILMIME_MULTIPLE);
	ct = alt->mm_content_type;
	assert_string_equal(ct->ct_subtype, "alternative");
	assert_int_equal(clist_count(alt->mm_data.mm_multipart.mm_mp_list), 2);
	return clist_nth_data(alt->mm_data.mm_multipart.mm_mp_list, n);
}

static const char *
boundary_of(const struct parsed *p)
{
	static char name[] = "boundary";	/* libetpan wants a char * */
	struct mailmime *alt;

	alt = p->mime->mm_data.mm_message.mm_msg_mime;
	return mailmime_content_param_get(alt->mm_content_type, name);
}

/* Checks one part's type and charset, and that it decodes to body (CRLF'd). */
static int
check_part(const struct parsed *p, int n, const char *subtype,
    const char *body)
{
	struct mailmime_single_fields sf;
	struct mailmime_data *d;
	struct mailmime *part;
	char *want, *out;
	size_t idx = 0, outlen;

	part = alt_part(p, n);
	assert_int_equal(part->mm_type, MAILMIME_SINGLE);
	assert_int_equal(part->mm_content_type->ct_type->tp_type,
	    MAILMIME_TYPE_DISCRETE_TYPE);
	assert_int_equal(part->mm_content_type->ct_type->tp_data.
	    tp_discrete_type->dt_type, MAILMIME_DISCRETE_TYPE_TEXT);
	assert_string_equal(part->mm_content_type->ct_subtype, subtype);
	mailmime_single_fields_init(&sf, part->mm_mime_fields,
	    part->mm_content_type);
	assert_non_null(sf.fld_content_charset);
	assert_string_equal(sf.fld_content_charset, "utf-8");
	assert_non_null(sf.fld_encoding);
	d = part->mm_data.mm_single;
	assert_int_equal(mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, sf.fld_encoding->enc_type,
	    &out, &outlen), MAILIMF_NO_ERROR);
	want = crlf(body);
	assert_int_equal(outlen, strlen(want));
	if (outlen > 0)
		assert_memory_equal(out, want, outlen);
	free(want);
	mmap_string_unref(out);
	return sf.fld_encoding->enc_type;
}

static const char *
msgid_nth(clist *l, int n)
{
	return clist_nth_data(l, n);
}

static void
test_roundtrip(void **state)
{
	struct mime_mail m = base_mail();
	struct mailimf_mailbox *mb;
	struct mailimf_date_time *dt;
	struct mailimf_address *ad;
	struct parsed p;

	(void)state;
	compose_parse(&m, &p);
	assert_non_null(p.f.fld_subject);
	assert_decodes_to(p.f.fld_subject->sbj_value, SUBJECT_UTF8);

	assert_non_null(p.f.fld_from);
	assert_int_equal(clist_count(p.f.fld_from->frm_mb_list->mb_list), 1);
	mb = clist_nth_data(p.f.fld_from->frm_mb_list->mb_list, 0);
	assert_string_equal(mb->mb_addr_spec, "agent@msp.test");
	assert_non_null(mb->mb_display_name);
	assert_decodes_to(mb->mb_display_name, NAME_UTF8);

	assert_non_null(p.f.fld_to);
	assert_int_equal(clist_count(p.f.fld_to->to_addr_list->ad_list), 1);
	ad = clist_nth_data(p.f.fld_to->to_addr_list->ad_list, 0);
	assert_int_equal(ad->ad_type, MAILIMF_ADDRESS_MAILBOX);
	assert_string_equal(ad->ad_data.ad_mailbox->mb_addr_spec,
	    "admin@cust.test");
	assert_null(ad->ad_data.ad_mailbox->mb_display_name);
	assert_non_null(p.f.fld_reply_to);
	ad = clist_nth_data(p.f.fld_reply_to->rt_addr_list->ad_list, 0);
	assert_string_equal(ad->ad_data.ad_mailbox->mb_addr_spec,
	    "agent+k1AbC-9@msp.test");
	assert_null(p.f.fld_cc);
	assert_null(p.f.fld_bcc);

	assert_string_equal(p.f.fld_message_id->mid_value, m.message_id);
	assert_int_equal(clist_count(p.f.fld_in_reply_to->mid_list), 1);
	assert_string_equal(msgid_nth(p.f.fld_in_reply_to->mid_list, 0),
	    "CAF=x+y_z@mail.cust.test");
	assert_int_equal(clist_count(p.f.fld_references->mid_list), 2);
	assert_string_equal(msgid_nth(p.f.fld_references->mid_list, 0),
	    "root@cust.test");
	assert_string_equal(msgid_nth(p.f.fld_references->mid_list, 1),
	    "r2@cust.test");

	dt = p.f.fld_orig_date->dt_date_time;
	assert_int_equal(dt->dt_year, 2025);
	assert_int_equal(dt->dt_month, 11);
	assert_int_equal(dt->dt_day, 28);
	assert_int_equal(dt->dt_hour, 10);
	assert_int_equal(dt->dt_min, 0);
	assert_int_equal(dt->dt_sec, 0);
	assert_int_equal(dt->dt_zone, 0);

	assert_string_equal(optional_field(&p, "Auto-Submitted"),
	    "auto-generated");
	assert_string_equal(optional_field(&p, "X-Auto-Response-Suppress"),
	    "OOF, AutoReply");
	assert_int_equal(header_count(&p, "MIME-Version: 1.0\r\n"), 1);
	assert_int_equal(header_count(&p, "Content-Type: multipart/"
	    "alternative;"), 1);

	check_part(&p, 0, "plain", m.text);
	check_part(&p, 1, "html", m.html);
	assert_true(p.lines.header_max <= HEADER_LINE_MAX);
	assert_true(p.lines.body_max <= BODY_LINE_MAX);
	parsed_free(&p);
}

/* Each header the composer writes appears exactly once. */
static void
test_header_once(void **state)
{
	static const char *const names[] = {
		"Date:", "From:", "To:", "Reply-To:", "Subject:",
		"Message-ID:", "In-Reply-To:", "References:", "MIME-Version:",
		"Content-Type:", "Auto-Submitted:", "X-Auto-Response-Suppress:",
	};
	struct mime_mail m = base_mail();
	struct parsed p;
	size_t i;

	(void)state;
	compose_parse(&m, &p);
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		assert_int_equal(header_count(&p, names[i]), 1);
	assert_int_equal(header_count(&p, "Bcc:"), 0);
	assert_int_equal(header_count(&p, "Cc:"), 0);
	parsed_free(&p);

	/* Optional ones are left out when absent. */
	m.reply_to = NULL;
	m.in_reply_to = NULL;
	m.nreferences = 0;
	m.references = NULL;
	m.nextra = 0;
	m.from_name = NULL;
	compose_parse(&m, &p);
	assert_int_equal(header_count(&p, "Reply-To:"), 0);
	assert_int_equal(header_count(&p, "In-Reply-To:"), 0);
	assert_int_equal(header_count(&p, "References:"), 0);
	assert_int_equal(header_count(&p, "Auto-Submitted:"), 0);
	assert_int_equal(header_count(&p, "From: agent@msp.test\r\n"), 1);
	parsed_free(&p);
}

static void
test_subjects(void **state)
{
	static const struct {
		const char	*unit;
		size_t		 count;
		const char	*tail;
	} rows[] = {
		{ SUBJECT_UTF8, 1, "" },
		{ "", 0, "" },
		{ "Approval needed: Acme, Inc.", 1, "" },
		{ "M\xc3\xbc" "ller ", 37, "S\xc3\xb6h" },	/* 300 bytes */
		{ KABU ROCKET A_UMLAUT " ", 30, "" },		/* 300 bytes */
		{ A_UMLAUT, 499, "" },				/* 998, the limit */
		{ "word ", 199, "last" },			/* 999: over */
		{ "a  b", 1, "" },
		{ " leading and trailing ", 1, "" },
		{ "=?UTF-8?B?SGk=?= looks encoded", 1, "" },
		{ "averyveryveryveryveryveryveryveryveryveryverylongwordthatcannotfold", 1, "" },
		{ "https://msc.example.test/verify?token=", 1,
		    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.abcdefghijklmnop" },
		{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 "
		  "\xe2\x80\x8f RTL", 1, "" },
	};
	struct mime_mail m = base_mail();
	struct parsed p;
	size_t i, len;
	char *s;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		s = repeat(rows[i].unit, rows[i].count, rows[i].tail);
		len = strlen(s);
		m.subject = s;
		if (len > MIME_SUBJECT_MAX) {
			refused(&m);
			free(s);
			continue;
		}
		compose_parse(&m, &p);
		if (len == 0)
			assert_int_equal(header_count(&p, "Subject: \r\n"), 1);
		else
			assert_decodes_to(p.f.fld_subject->sbj_value, s);
		assert_true(p.lines.header_max <= HEADER_LINE_MAX);
		parsed_free(&p);
		free(s);
	}
}

/* The 300-byte rows above must really be 300 bytes. */
static void
test_subject_sizes(void **state)
{
	char *s;

	(void)state;
	s = repeat("M\xc3\xbc" "ller ", 37, "S\xc3\xb6h");
	assert_int_equal(strlen(s), 300);
	free(s);
	s = repeat(KABU ROCKET A_UMLAUT " ", 30, "");
	assert_int_equal(strlen(s), 300);
	free(s);
	s = repeat(A_UMLAUT, 499, "");
	assert_int_equal(strlen(s), MIME_SUBJECT_MAX);
	free(s);
	s = repeat("word ", 199, "last");
	assert_int_equal(strlen(s), MIME_SUBJECT_MAX + 1);
	free(s);
}

/* CR, LF and TAB become spaces: they can never start a header. */
static void
test_subject_line_breaks(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} rows[] = {
		{ "Hi\r\nBcc: x@evil.test", "Hi  Bcc: x@evil.test" },
		{ "Hi\nBcc: x@evil.test", "Hi Bcc: x@evil.test" },
		{ "Hi\rBcc: x@evil.test", "Hi Bcc: x@evil.test" },
		{ "M\xc3\xbcller\r\nBcc: x@evil.test", "M\xc3\xbcller  Bcc: "
		    "x@evil.test" },
		{ "Tab\there", "Tab here" },
		{ "Subject line\n", "Subject line " },
		{ "\r\n\r\n", "    " },
	};
	struct mime_mail m = base_mail();
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m.subject = rows[i].in;
		compose_parse(&m, &p);
		assert_decodes_to(p.f.fld_subject->sbj_value, rows[i].out);
		assert_int_equal(header_count(&p, "Bcc:"), 0);
		assert_null(p.f.fld_bcc);
		assert_int_equal(header_count(&p, "Subject:"), 1);
		parsed_free(&p);
	}
}

static void
test_display_names(void **state)
{
	static const struct {
		const char	*name;
		int		 shown;	/* 0: no display name at all */
	} rows[] = {
		{ NULL, 0 },
		{ "", 0 },
		{ "Acme Support", 1 },
		{ "Acme, Inc. (migrations)", 1 },
		{ "Say \"hi\"", 1 },
		{ "back\\slash", 1 },
		{ "a  b", 1 },
		{ NAME_UTF8, 1 },
		{ "=?UTF-8?B?SGk=?=", 1 },
		{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\x8f", 1 },
		{ "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 "
		  "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe", 1 },
		{ "\"quoted\" & \\ <angles> (parens)", 1 },
	};
	struct mime_mail m = base_mail();
	struct mailimf_mailbox *mb;
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m.from_name = rows[i].name;
		compose_parse(&m, &p);
		mb = clist_nth_data(p.f.fld_from->frm_mb_list->mb_list, 0);
		assert_string_equal(mb->mb_addr_spec, "agent@msp.test");
		if (rows[i].shown) {
			assert_non_null(mb->mb_display_name);
			assert_decodes_to(mb->mb_display_name, rows[i].name);
		} else
			assert_null(mb->mb_display_name);
		assert_true(p.lines.header_max <= HEADER_LINE_MAX);
		parsed_free(&p);
	}
}

static void
test_display_name_limit(void **state)
{
	struct mime_mail m = base_mail();
	struct mailimf_mailbox *mb;
	struct parsed p;
	char *s;

	(void)state;
	s = repeat(KABU " ", 64, "");		/* 256 bytes */
	m.from_name = s;
	compose_parse(&m, &p);
	mb = clist_nth_data(p.f.fld_from->frm_mb_list->mb_list, 0);
	assert_decodes_to(mb->mb_display_name, s);
	assert_true(p.lines.header_max <= HEADER_LINE_MAX);
	parsed_free(&p);
	free(s);
	s = repeat(KABU " ", 64, "x");		/* 257 bytes */
	m.from_name = s;
	refused(&m);
	free(s);
}

static void
test_addresses_accepted(void **state)
{
	static const char *const rows[] = {
		"a@b.test",
		"first.last+tag@sub.example.test",
		"o'brien@cust.test",
		"\"john doe\"@cust.test",
		"user@[192.0.2.1]",
	};
	struct mime_mail m = base_mail();
	struct mailimf_address *ad;
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m.to = rows[i];
		compose_parse(&m, &p);
		ad = clist_nth_data(p.f.fld_to->to_addr_list->ad_list, 0);
		assert_int_equal(ad->ad_type, MAILIMF_ADDRESS_MAILBOX);
		assert_int_equal(clist_count(p.f.fld_to->to_addr_list->ad_list),
		    1);
		assert_int_equal(header_count(&p, "Bcc:"), 0);
		parsed_free(&p);
	}
}

enum field {
	F_FROM, F_TO, F_REPLY_TO, F_FROM_NAME, F_SUBJECT, F_MSGID, F_IRT,
	F_REF, F_XNAME, F_XVALUE, F_TEXT, F_HTML
};

struct hostile {
	enum field	 field;
	const char	*value;
};

static void
set_field(struct mime_mail *m, const struct hostile *h, const char **one,
    const char **pair)
{
	switch (h->field) {
	case F_FROM:		m->from = h->value; break;
	case F_TO:		m->to = h->value; break;
	case F_REPLY_TO:	m->reply_to = h->value; break;
	case F_FROM_NAME:	m->from_name = h->value; break;
	case F_SUBJECT:		m->subject = h->value; break;
	case F_MSGID:		m->message_id = h->value; break;
	case F_IRT:		m->in_reply_to = h->value; break;
	case F_REF:
		one[0] = h->value;
		m->references = one;
		m->nreferences = 1;
		break;
	case F_XNAME:
	case F_XVALUE:
		pair[0] = h->field == F_XNAME ? h->value : "X-Ok";
		pair[1] = h->field == F_XVALUE ? h->value : "ok";
		m->extra_headers = pair;
		m->nextra = 1;
		break;
	case F_TEXT:		m->text = h->value; break;
	case F_HTML:		m->html = h->value; break;
	}
}

static void
test_hostile(void **state)
{
	static const struct hostile rows[] = {
		{ F_TO, "Evil\r\nBcc: x@evil.test" },
		{ F_TO, "a@b.test\r\nBcc: x@evil.test" },
		{ F_TO, "a@b.test\nBcc: x@evil.test" },
		{ F_TO, "a@b.test\r" },
		{ F_TO, "\"x\" <a@b.test>" },
		{ F_TO, "<a@b.test>" },
		{ F_TO, "a@b.test, c@d.test" },
		{ F_TO, "\"a,b\"@cust.test" },
		{ F_TO, "\"a<b\"@cust.test" },
		{ F_TO, "a b@cust.test" },
		{ F_TO, "a@b.test (comment)" },
		{ F_TO, "a@b.test\xff" },
		{ F_TO, "a@b.test\t" },
		{ F_TO, "" },
		{ F_TO, NULL },
		{ F_TO, "no-at-sign" },
		{ F_TO, "a@localhost" },
		{ F_TO, "group: a@b.test;" },
		{ F_FROM, "\"a b\"@msp.test" },
		{ F_FROM, "agent@msp.test\r\nBcc: x@evil.test" },
		{ F_FROM, NULL },
		{ F_REPLY_TO, "agent@msp.test>\r\nBcc: x@evil.test" },
		{ F_REPLY_TO, "x" },
		{ F_FROM_NAME, "Evil\r\nBcc: x@evil.test" },
		{ F_FROM_NAME, "Evil\nBcc: x@evil.test" },
		{ F_FROM_NAME, "bad \xc3" },
		{ F_FROM_NAME, "del\x7f" },
		{ F_FROM_NAME, "c1 \xc2\x85" },
		{ F_FROM_NAME, "tab\there" },
		{ F_SUBJECT, "bad \xff utf8" },
		{ F_SUBJECT, "overlong \xc0\xaf" },
		{ F_SUBJECT, "surrogate \xed\xa0\x80" },
		{ F_SUBJECT, "cut \xf0\x9f\x9a" },
		{ F_SUBJECT, "control \x01" },
		{ F_SUBJECT, "escape \x1b[31m" },
		{ F_SUBJECT, NULL },
		{ F_MSGID, "a@b.test>\r\nBcc: x@evil.test" },
		{ F_MSGID, "<a@b.test>" },
		{ F_MSGID, "a b@c.test" },
		{ F_MSGID, "a@b@c.test" },
		{ F_MSGID, "no-at" },
		{ F_MSGID, "@b.test" },
		{ F_MSGID, "a@" },
		{ F_MSGID, "" },
		{ F_MSGID, NULL },
		{ F_MSGID, "a(b)@c.test" },
		{ F_MSGID, "\xc3\xbc@c.test" },
		{ F_IRT, "x@y.test>\r\nBcc: e@evil.test" },
		{ F_IRT, "x@y.test> <z@w.test" },
		{ F_REF, "x@y.test z@w.test" },
		{ F_REF, "x@y.test\n" },
		{ F_REF, NULL },
		{ F_XNAME, "X-Bad:Name" },
		{ F_XNAME, "X Bad" },
		{ F_XNAME, "X-Bad\r\nBcc" },
		{ F_XNAME, "" },
		{ F_XNAME, NULL },
		{ F_XNAME, "X-\xc3\x89vil" },
		{ F_XNAME, "Bcc" },
		{ F_XNAME, "bcc" },
		{ F_XNAME, "Subject" },
		{ F_XNAME, "From" },
		{ F_XNAME, "Content-Type" },
		{ F_XNAME, "content-transfer-encoding" },
		{ F_XNAME, "MIME-Version" },
		{ F_XVALUE, "v\r\nBcc: x@evil.test" },
		{ F_XVALUE, "v\nx" },
		{ F_XVALUE, "v\rx" },
		{ F_XVALUE, "tab\there" },
		{ F_XVALUE, "caf\xc3\xa9" },
		{ F_XVALUE, NULL },
		{ F_TEXT, "bad \xc3\x28" },
		{ F_TEXT, "bad \xff" },
		{ F_TEXT, NULL },
		{ F_HTML, "<p>\xed\xa0\x80</p>" },
		{ F_HTML, NULL },
	};
	const char *one[1], *pair[2];
	struct mime_mail m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m = base_mail();
		set_field(&m, &rows[i], one, pair);
		refused(&m);
	}
}

/* The same rows with a harmless value compose: the refusals are not noise. */
static void
test_hostile_controls(void **state)
{
	static const struct hostile rows[] = {
		{ F_TO, "x@evil.test" },
		{ F_FROM, "agent@msp.test" },
		{ F_REPLY_TO, "agent@msp.test" },
		{ F_FROM_NAME, "Evil Bcc: x@evil.test" },
		{ F_SUBJECT, "escape [31m" },
		{ F_MSGID, "a.b-c@b.test" },
		{ F_IRT, "x@y.test" },
		{ F_REF, "x@y.test" },
		{ F_XNAME, "X-Good-Name2" },
		{ F_XVALUE, "v Bcc: x@evil.test" },
		{ F_TEXT, "fine \xc3\xa9" },
		{ F_HTML, "<p>fine</p>" },
	};
	const char *one[1], *pair[2];
	struct mime_mail m;
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m = base_mail();
		set_field(&m, &rows[i], one, pair);
		compose_parse(&m, &p);
		assert_int_equal(header_count(&p, "Bcc:"), 0);
		parsed_free(&p);
	}
}

static void
test_dates(void **state)
{
	static const struct {
		int64_t		 t;
		const char	*line;	/* NULL: refused */
	} rows[] = {
		{ 0, "Date: Thu, 1 Jan 1970 00:00:00 +0000\r\n" },
		{ 1764324000, "Date: Fri, 28 Nov 2025 10:00:00 +0000\r\n" },
		{ 951782400, "Date: Tue, 29 Feb 2000 00:00:00 +0000\r\n" },
		{ 1764324000 + 3600 * 13 + 60 * 59 + 7,
		    "Date: Fri, 28 Nov 2025 23:59:07 +0000\r\n" },
		{ DATE_MAX, "Date: Fri, 31 Dec 9999 23:59:59 +0000\r\n" },
		{ -1, NULL },
		{ DATE_MAX + 1, NULL },
		{ INT64_MIN, NULL },
		{ INT64_MAX, NULL },
	};
	struct mime_mail m = base_mail();
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m.date = rows[i].t;
		if (rows[i].line == NULL) {
			refused(&m);
			continue;
		}
		compose_parse(&m, &p);
		assert_int_equal(header_count(&p, rows[i].line), 1);
		parsed_free(&p);
	}
}

static void
test_boundary(void **state)
{
	char hex[33], *text, *html, *b1;
	struct mime_mail m = base_mail();
	struct parsed p, q;
	const char *b, *s;
	int count;

	(void)state;
	/* Bodies full of delimiter look-alikes. */
	mime_random_hex(hex);
	text = malloc(256);
	html = malloc(256);
	assert_non_null(text);
	assert_non_null(html);
	snprintf(text, 256, "--=_%s\n--=_%s--\n--\n-- \nsig\n", hex, hex);
	snprintf(html, 256, "<p>--=_%s</p>\n--%s\n", hex, hex);
	m.text = text;
	m.html = html;
	compose_parse(&m, &p);
	b = boundary_of(&p);
	assert_non_null(b);
	assert_int_equal(strlen(b), 34);
	assert_memory_equal(b, "=_", 2);
	assert_int_equal(strspn(b + 2, "0123456789abcdef"), 32);
	assert_null(strstr(text, b));
	assert_null(strstr(html, b));
	/* Two delimiters and the close, nothing more. */
	count = 0;
	for (s = strstr(p.raw, b); s != NULL; s = strstr(s + 1, b))
		count++;
	assert_int_equal(count, 4);	/* the Content-Type parameter too */
	/* One boundary parameter: libetpan's helpers add a second one. */
	count = 0;
	for (s = strstr(p.raw, "boundary="); s != NULL;
	    s = strstr(s + 1, "boundary="))
		count++;
	assert_int_equal(count, 1);
	assert_non_null(strstr(p.raw, b));
	check_part(&p, 0, "plain", text);
	check_part(&p, 1, "html", html);
	b1 = strdup(b);
	assert_non_null(b1);

	/* A second mail gets another boundary. */
	compose_parse(&m, &q);
	assert_string_not_equal(boundary_of(&q), b1);
	free(b1);
	parsed_free(&q);
	parsed_free(&p);
	free(text);
	free(html);
}

/* No output line is a lone "." or starts with "From ". */
static void
check_risky_lines(const struct parsed *p)
{
	const char *s = p->raw;

	for (;;) {
		assert_false(strncmp(s, ".\r\n", 3) == 0);
		assert_false(strncmp(s, "From ", 5) == 0);
		s = strstr(s, "\r\n");
		if (s == NULL)
			break;
		s += 2;
	}
}

static void
test_risky_lines(void **state)
{
	static const char *const bodies[] = {
		"From here on\n.\n..\n.x\nFrom\nFrom: x\n",
		".",
		"From ",
		"ok\n.",
		KABU KABU KABU KABU "\nFrom " KABU KABU "\n.\n" KABU,
	};
	struct mime_mail m = base_mail();
	struct parsed p;
	size_t i;
	char *line;

	(void)state;
	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		m.text = bodies[i];
		m.html = bodies[i];
		compose_parse(&m, &p);
		check_risky_lines(&p);
		check_part(&p, 0, "plain", bodies[i]);
		check_part(&p, 1, "html", bodies[i]);
		parsed_free(&p);
	}
	/* After a soft line break too. */
	line = repeat("x", 75, "From .");
	m.text = line;
	compose_parse(&m, &p);
	check_risky_lines(&p);
	check_part(&p, 0, "plain", line);
	parsed_free(&p);
	free(line);
}

/* libetpan 1.9.4's own QP encoder doubles these spaces. */
static void
test_whitespace_and_line_ends(void **state)
{
	static const char *const bodies[] = {
		"a \nb\t\n \n\t\nend ",
		"trailing  \r\nspaces\t \r\n",
		"lone\rcr\r\rend\r",
		"mixed\r\nends\nand\rcr",
		"",
		"\n",
		"=3D is not =\n=\n",
		"\x01\x02\x1b[0m\x7f control bytes",
		"\xc2\xa0non-breaking spaces here\xc2\xa0\n",
	};
	struct mime_mail m = base_mail();
	struct parsed p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		m.text = bodies[i];
		m.html = bodies[i];
		compose_parse(&m, &p);
		assert_int_equal(check_part(&p, 0, "plain", bodies[i]),
		    MAILMIME_MECHANISM_QUOTED_PRINTABLE);
		check_part(&p, 1, "html", bodies[i]);
		assert_true(p.lines.body_max <= BODY_LINE_MAX);
		parsed_free(&p);
	}
}

static void
test_encoding_choice(void **state)
{
	static const struct {
		const char	*unit;
		size_t		 count;
		size_t		 nascii;	/* 'a' bytes after the units */
		int		 mechanism;
	} rows[] = {
		{ "Please reply APPROVE to migrate.\n", 20, 0,
		    MAILMIME_MECHANISM_QUOTED_PRINTABLE },
		{ "M\xc3\xbcller & S\xc3\xb6hne GmbH\n", 20, 0,
		    MAILMIME_MECHANISM_QUOTED_PRINTABLE },
		{ KABU KABU KABU KABU "\xe3\x80\x82\n", 50, 0,
		    MAILMIME_MECHANISM_BASE64 },
		{ ROCKET, 100, 0, MAILMIME_MECHANISM_BASE64 },
		/* 30 of 100 bytes is not more than 30%: QP. */
		{ KABU, 10, 70, MAILMIME_MECHANISM_QUOTED_PRINTABLE },
		/* 30 of 99: base64. */
		{ KABU, 10, 69, MAILMIME_MECHANISM_BASE64 },
		{ "", 0, 0, MAILMIME_MECHANISM_QUOTED_PRINTABLE },
	};
	struct mime_mail m = base_mail();
	struct parsed p;
	size_t i;
	char *ascii, *body;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		ascii = repeat("a", rows[i].nascii, "");
		body = repeat(rows[i].unit, rows[i].count, ascii);
		free(ascii);
		m.text = body;
		compose_parse(&m, &p);
		assert_int_equal(check_part(&p, 0, "plain", body),
		    rows[i].mechanism);
		assert_true(p.lines.body_max <= BODY_LINE_MAX);
		parsed_free(&p);
		free(body);
	}
}

static void
test_large_body(void **state)
{
	struct mime_mail m = base_mail();
	struct parsed p;
	char *text, *html, *line;

	(void)state;
	/* 100 KB of lines, and one 5000-byte line with no break. */
	line = repeat("0123456789", 500, "\n");
	text = repeat("The quick brown fox jumps over the lazy dog. \n", 2300,
	    line);
	html = repeat("<p>" KABU KABU KABU "</p>\n", 6000, "");
	assert_true(strlen(text) > 100000);
	assert_true(strlen(html) > 100000);
	m.text = text;
	m.html = html;
	compose_parse(&m, &p);
	assert_int_equal(check_part(&p, 0, "plain", text),
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	assert_int_equal(check_part(&p, 1, "html", html),
	    MAILMIME_MECHANISM_BASE64);
	assert_true(p.lines.body_max <= BODY_LINE_MAX);
	parsed_free(&p);
	free(text);
	free(html);
	free(line);
}

static void
test_body_limit(void **state)
{
	struct mime_mail m = base_mail();
	struct parsed p;
	char *body;

	(void)state;
	body = repeat("x", MIME_BODY_MAX, "");
	m.html = body;
	compose_parse(&m, &p);
	check_part(&p, 1, "html", body);
	parsed_free(&p);
	free(body);
	body = repeat("x", MIME_BODY_MAX, "y");
	m.html = body;
	refused(&m);
	m.html = "<p>ok</p>";
	m.text = body;
	refused(&m);
	free(body);
}

static void
test_references_limit(void **state)
{
	static const struct {
		size_t	 n;
		size_t	 kept;
		size_t	 second;	/* index of the second one kept */
	} rows[] = {
		{ 1, 1, 0 },
		{ MIME_REFS_MAX - 1, MIME_REFS_MAX - 1, 1 },
		{ MIME_REFS_MAX, MIME_REFS_MAX, 1 },
		{ MIME_REFS_MAX + 1, MIME_REFS_MAX, 2 },
		{ 100, MIME_REFS_MAX, 100 - MIME_REFS_MAX + 1 },
	};
	char ids[100][32], want[32];
	const char *refs[100];
	struct mime_mail m = base_mail();
	struct parsed p;
	clist *l;
	size_t i, j;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(ids[i], sizeof ids[i], "ref%zu@cust.test", i);
		refs[i] = ids[i];
	}
	m.references = refs;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m.nreferences = rows[i].n;
		compose_parse(&m, &p);
		l = p.f.fld_references->mid_list;
		assert_int_equal(clist_count(l), rows[i].kept);
		assert_string_equal(msgid_nth(l, 0), "ref0@cust.test");
		if (rows[i].kept > 1) {
			snprintf(want, sizeof want, "ref%zu@cust.test",
			    rows[i].second);
			assert_string_equal(msgid_nth(l, 1), want);
		}
		/* The newest is always last. */
		j = rows[i].n - 1;
		snprintf(want, sizeof want, "ref%zu@cust.test", j);
		assert_string_equal(msgid_nth(l, (int)rows[i].kept - 1), want);
		assert_true(p.lines.header_max <= HEADER_LINE_MAX);
		parsed_free(&p);
	}
}

static void
test_extra_limits(void **state)
{
	const char *pairs[2 * (MIME_EXTRA_MAX + 1)];
	char names[MIME_EXTRA_MAX + 1][16];
	struct mime_mail m = base_mail();
	struct parsed p;
	char *name, *value;
	size_t i;

	(void)state;
	for (i = 0; i <= MIME_EXTRA_MAX; i++) {
		snprintf(names[i], sizeof names[i], "X-Extra-%zu", i);
		pairs[2 * i] = names[i];
		pairs[2 * i + 1] = "value";
	}
	m.extra_headers = pairs;
	m.nextra = MIME_EXTRA_MAX;
	compose_parse(&m, &p);
	assert_string_equal(optional_field(&p, "X-Extra-15"), "value");
	parsed_free(&p);
	m.nextra = MIME_EXTRA_MAX + 1;
	refused(&m);

	name = repeat("X", MIME_HEADER_NAME_MAX, "");
	value = repeat("v", MIME_HEADER_VALUE_MAX, "");
	pairs[0] = name;
	pairs[1] = value;
	m.nextra = 1;
	compose_parse(&m, &p);
	/* The value is folded onto a line of its own: unfold it. */
	assert_string_equal(optional_field(&p, name) + strspn(optional_field(&p,
	    name), "\r\n "), value);
	parsed_free(&p);
	free(name);
	free(value);

	name = repeat("X", MIME_HEADER_NAME_MAX + 1, "");
	pairs[0] = name;
	pairs[1] = "v";
	refused(&m);
	free(name);
	value = repeat("v", MIME_HEADER_VALUE_MAX + 1, "");
	pairs[0] = "X-Ok";
	pairs[1] = value;
	refused(&m);
	free(value);
}

static void
test_msgid_valid(void **state)
{
	static const struct {
		const char	*id;
		int		 valid;
	} rows[] = {
		{ "k1.0123456789abcdef@msp.test", 1 },
		{ "CAF=x+y_z/!#$%&'*?^`{|}~-@mail.test", 1 },
		{ "a@b", 1 },
		{ "a..b@c.test", 1 },
		{ NULL, 0 },
		{ "", 0 },
		{ "a", 0 },
		{ "@b", 0 },
		{ "a@", 0 },
		{ "a@b@c", 0 },
		{ "<a@b>", 0 },
		{ "a b@c", 0 },
		{ "a@b c", 0 },
		{ "a\r\n@b", 0 },
		{ "a\"b\"@c", 0 },
		{ "a(b)@c", 0 },
		{ "a,b@c", 0 },
		{ "a@[192.0.2.1]", 0 },
		{ "\xc3\xbc@c", 0 },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_int_equal(mime_msgid_valid(rows[i].id), rows[i].valid);
	s = repeat("a", MIME_MSGID_MAX - 2, "@b");
	assert_int_equal(mime_msgid_valid(s), 1);
	free(s);
	s = repeat("a", MIME_MSGID_MAX - 1, "@b");
	assert_int_equal(mime_msgid_valid(s), 0);
	free(s);
}

static void
test_random_hex(void **state)
{
	char a[34], b[34];

	(void)state;
	memset(a, '#', sizeof a);
	mime_random_hex(a);
	mime_random_hex(b);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_int_equal(a[33], '#');
	assert_string_not_equal(a, b);
}

static void
test_encode_words_table(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} rows[] = {
		{ "", "" },
		{ "Approval needed", "Approval needed" },
		{ "Tom & Jerry, Inc. (x) <y>", "Tom & Jerry, Inc. (x) <y>" },
		{ "a  b", "=?UTF-8?B?YSAgYg==?=" },
		{ " lead", "=?UTF-8?B?IGxlYWQ=?=" },
		{ "trail ", "=?UTF-8?B?dHJhaWwg?=" },
		{ "=?UTF-8?B?SGk=?=", "=?UTF-8?B?PT9VVEYtOD9CP1NHaz0/PQ==?=" },
		{ "M\xc3\xbcller", "=?UTF-8?B?TcO8bGxlcg==?=" },
		{ "tab\there", "=?UTF-8?B?dGFiCWhlcmU=?=" },
		/* 60 bytes in a word stay, 61 are encoded. */
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh?= "
		  "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQ==?=" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = mime_encode_words(rows[i].in);
		assert_string_equal(got, rows[i].out);
		free(got);
	}
}

/*
 * Splits an encoded value into its words, checks each (syntax, at most
 * 75 characters, at most 45 whole UTF-8 bytes) and returns their sizes.
 */
static size_t
word_sizes(const char *enc, const char *in, size_t *sizes, size_t max)
{
	gnutls_datum_t b64, raw;
	const char *p = enc, *end;
	size_t n = 0, off = 0;

	for (;;) {
		assert_memory_equal(p, "=?UTF-8?B?", 10);
		end = strstr(p + 10, "?=");
		assert_non_null(end);
		assert_true((size_t)(end + 2 - p) <= 75);
		b64.data = (unsigned char *)(uintptr_t)(p + 10);
		b64.size = (unsigned)(end - (p + 10));
		assert_int_equal(gnutls_base64_decode2(&b64, &raw), 0);
		assert_true(raw.size <= MIME_WORD_IN_MAX);
		assert_true(utf8_valid((const char *)raw.data, raw.size));
		assert_memory_equal(raw.data, in + off, raw.size);
		off += raw.size;
		assert_true(n < max);
		sizes[n++] = raw.size;
		gnutls_free(raw.data);
		p = end + 2;
		if (*p == '\0')
			break;
		assert_int_equal(*p, ' ');
		p++;
	}
	assert_int_equal(off, strlen(in));
	return n;
}

static void
test_encode_words_cutting(void **state)
{
	static const struct {
		const char	*head;
		const char	*unit;
		size_t		 count;
		size_t		 sizes[4];
	} rows[] = {
		/* The first word holds at most 36 bytes, the others 45. */
		{ "", A_UMLAUT, 1, { 2 } },
		{ "a", A_UMLAUT, 22, { 35, 10 } },		/* 45 */
		{ "ab", A_UMLAUT, 22, { 36, 10 } },		/* 46 */
		{ "", A_UMLAUT, 23, { 36, 10 } },		/* 46 */
		{ "", ROCKET, 11, { 36, 8 } },
		{ "a", ROCKET, 11, { 33, 12 } },
		{ "", ROCKET, 12, { 36, 12 } },
		{ "ab", ROCKET, 11, { 34, 12 } },
		{ "abc", ROCKET, 11, { 35, 12 } },
		{ "", KABU, 15, { 36, 9 } },
		{ "", KABU, 16, { 36, 12 } },
		{ "a", KABU, 15, { 34, 12 } },
		{ "", ROCKET, 24, { 36, 44, 16 } },
	};
	size_t i, j, n, sizes[8];
	char *in, *enc;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		in = repeat(rows[i].unit, rows[i].count, "");
		enc = malloc(strlen(rows[i].head) + strlen(in) + 1);
		assert_non_null(enc);
		strcpy(enc, rows[i].head);
		strcat(enc, in);
		free(in);
		in = enc;
		enc = mime_encode_words(in);
		n = word_sizes(enc, in, sizes, 8);
		assert_true(n <= 4);
		for (j = 0; j < n; j++)
			assert_int_equal(sizes[j], rows[i].sizes[j]);
		assert_true(n == 4 || rows[i].sizes[n] == 0);
		free(enc);
		free(in);
	}
}

/* A long subject of long words still folds to lines of at most 78. */
static void
test_header_line_lengths(void **state)
{
	struct mime_mail m = base_mail();
	struct parsed p;
	char *subject, *name;

	(void)state;
	subject = repeat(ROCKET KABU A_UMLAUT "x", 98, "");	/* 980 bytes */
	name = repeat(ROCKET, 64, "");				/* 256 bytes */
	m.subject = subject;
	m.from_name = name;
	compose_parse(&m, &p);
	assert_decodes_to(p.f.fld_subject->sbj_value, subject);
	assert_true(p.lines.header_max <= HEADER_LINE_MAX);
	parsed_free(&p);
	free(subject);
	free(name);
}

/*
 * A long Unicode name in the From header: several encoded-words, none
 * over RFC 2047's 75 characters, and read back exactly.
 */
static void
test_display_name_words(void **state)
{
	struct mime_mail m = base_mail();
	struct mailimf_mailbox *mb;
	struct parsed p;
	const char *from, *end, *w, *e;
	char *name;
	size_t words = 0;

	(void)state;
	name = repeat("M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 "
	    "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe ", 6, "GmbH");
	m.from_name = name;
	compose_parse(&m, &p);
	mb = clist_nth_data(p.f.fld_from->frm_mb_list->mb_list, 0);
	assert_string_equal(mb->mb_addr_spec, "agent@msp.test");
	assert_decodes_to(mb->mb_display_name, name);
	from = strstr(p.raw, "\r\nFrom: ");
	assert_non_null(from);
	end = strstr(from + 2, ">\r\n");
	assert_non_null(end);
	for (w = strstr(from, "=?"); w != NULL && w < end;
	    w = strstr(e, "=?")) {
		e = strstr(w + 2, "?=");
		assert_non_null(e);
		e += 2;
		assert_true(e - w <= 75);
		assert_true(strncmp(w, "=?UTF-8?B?", 10) == 0);
		words++;
	}
	assert_true(words >= 3);
	assert_true(p.lines.header_max <= HEADER_LINE_MAX);
	parsed_free(&p);
	free(name);
}

/* A PNG-like logo of n bytes: the signature, then every byte value. */
static unsigned char *
make_logo(size_t n)
{
	static const unsigned char sig[] = "\x89PNG\r\n\x1a\n";
	unsigned char *b = xmalloc(n);
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = i < 8 ? sig[i] : (unsigned char)(i * 7);
	return b;
}

/*
 * With a logo: alternative { text/plain, related { text/html, image/png } },
 * the image inline, base64, with the Content-ID the HTML names.
 */
static void
test_logo_part(void **state)
{
	struct mime_mail m = base_mail();
	struct mailmime_single_fields sf;
	struct mailmime *rel, *html, *img;
	struct mailmime_data *d;
	struct parsed p;
	unsigned char *logo;
	char *out;
	size_t idx = 0, outlen;

	(void)state;
	logo = make_logo(5000);
	m.html = "<p><img src=\"cid:logo@mscagent.invalid\" alt=\"\"></p>\n";
	m.logo = logo;
	m.logo_len = 5000;
	m.logo_cid = "logo@mscagent.invalid";
	compose_parse(&m, &p);
	rel = alt_part(&p, 1);
	assert_int_equal(rel->mm_type, MAILMIME_MULTIPLE);
	assert_string_equal(rel->mm_content_type->ct_subtype, "related");
	assert_int_equal(clist_count(rel->mm_data.mm_multipart.mm_mp_list), 2);
	html = clist_nth_data(rel->mm_data.mm_multipart.mm_mp_list, 0);
	assert_string_equal(html->mm_content_type->ct_subtype, "html");
	img = clist_nth_data(rel->mm_data.mm_multipart.mm_mp_list, 1);
	assert_int_equal(img->mm_type, MAILMIME_SINGLE);
	assert_int_equal(img->mm_content_type->ct_type->tp_data.
	    tp_discrete_type->dt_type, MAILMIME_DISCRETE_TYPE_IMAGE);
	assert_string_equal(img->mm_content_type->ct_subtype, "png");
	mailmime_single_fields_init(&sf, img->mm_mime_fields,
	    img->mm_content_type);
	assert_non_null(sf.fld_id);
	assert_string_equal(sf.fld_id, "logo@mscagent.invalid");
	assert_non_null(sf.fld_disposition);
	assert_int_equal(sf.fld_disposition->dsp_type->dsp_type,
	    MAILMIME_DISPOSITION_TYPE_INLINE);
	assert_int_equal(sf.fld_encoding->enc_type, MAILMIME_MECHANISM_BASE64);
	d = img->mm_data.mm_single;
	assert_int_equal(mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, MAILMIME_MECHANISM_BASE64,
	    &out, &outlen), MAILIMF_NO_ERROR);
	assert_int_equal(outlen, 5000);
	assert_memory_equal(out, logo, 5000);
	mmap_string_unref(out);
	assert_non_null(strstr(p.raw, "Content-ID: <logo@mscagent.invalid>"));
	assert_true(p.lines.body_max <= 78);
	parsed_free(&p);
	free(logo);
}

static void
test_logo_refused(void **state)
{
	struct mime_mail m = base_mail();
	unsigned char *logo;
	struct parsed p;

	(void)state;
	logo = make_logo(MIME_LOGO_MAX + 1);
	m.logo = logo;
	m.logo_cid = "logo@mscagent.invalid";
	m.logo_len = 0;
	refused(&m);
	m.logo_len = MIME_LOGO_MAX + 1;
	refused(&m);
	m.logo_len = 100;
	m.logo_cid = NULL;
	refused(&m);
	m.logo_cid = "logo>\r\nBcc: x@evil.test";
	refused(&m);
	m.logo_cid = "a b@c";
	refused(&m);
	m.logo_len = MIME_LOGO_MAX;
	m.logo_cid = "logo@mscagent.invalid";
	compose_parse(&m, &p);
	parsed_free(&p);
	free(logo);
}


/* A small fixed-seed generator: the same mails on every run. */
static uint32_t
next_rand(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* Pieces the generated bodies, subjects and names are made of. */
static const char *const body_pieces[] = {
	"From ", ".", "..", " ", "\t", "  ", "\n", "\r\n", "\r", "=", "=3D",
	"x", "Hello, world", "a\tb", "Gr" "\xc3\xbc\xc3\x9f" "e", A_UMLAUT,
	"\xc3\x9f", KABU, KABU KABU KABU, ROCKET, "<p>", "</p>\n",
	"<a href=\"https://msp.test/verify?t=abc.def\">link</a>",
	"0123456789012345678901234567890123456789012345678901234567890123456789",
	"\x01", "\x1b[0m", "\x7f", "\xc2\xa0", "?", "_", "~", "From", "F",
};
static const char *const word_pieces[] = {
	"Approval", "needed", "for", "M\xc3\xbcller", "S\xc3\xb6hne", "&", "GmbH",
	KABU KABU, ROCKET, "\xe2\x80\x94", "ACME,", "Inc.", "\"quoted\"",
	"back\\slash", "=?not?=", "a-very-long-word-that-goes-on-and-on-and-on-"
	"and-on-and-on-and-on-and-on", "(comment)", "x", "",
};

/* n random pieces of a table; caller frees. */
static char *
random_text(uint32_t *st, const char *const *pieces, size_t npieces,
    size_t n, const char *sep)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, sep);
		buf_puts(&b, pieces[next_rand(st) % npieces]);
	}
	return buf_release(&b);
}

/* Bytes as mime_compose's caller gets them, and each part decoded. */
static void
check_generated(const struct mime_mail *m)
{
	struct parsed p;

	compose_parse(m, &p);
	assert_true(p.lines.header_max <= LINE_MAX_5322);
	if (m->logo == NULL)
		check_part(&p, 1, "html", m->html);
	check_part(&p, 0, "plain", m->text);
	parsed_free(&p);
}

/*
 * Thousands of mails from random pieces: line ends of every kind, risky
 * line starts, white space at line ends, long lines, mostly non-ASCII
 * bodies (base64), folded subjects and names, references past
 * MIME_REFS_MAX, extra headers, logos and languages.  Each is written
 * byte for byte as libetpan wrote it, and parses back to its parts.
 */
static void
test_generated_mails(void **state)
{
	static const char *const langs[] = { "de", "ja-JP", "en-GB", "fr" };
	static const char *const extra[] = {
		"Auto-Submitted", "auto-generated",
		"X-Long", "a b c d e f g h i j k l m n o p q r s t u v w x y z "
		"aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq rr ss",
		"X-Spaces", "  leading   and  inner   spaces  ",
		"X-Word", "0123456789012345678901234567890123456789012345678901"
		"23456789012345678901234567890",
		"X-Empty", "",
	};
	const char *refs[MIME_REFS_MAX + 10];
	char ids[MIME_REFS_MAX + 10][40];
	uint32_t st = 0x9e3779b9;
	struct mime_mail m;
	unsigned char *logo;
	char *text, *html, *subject, *name;
	size_t i, k;

	(void)state;
	for (i = 0; i < MIME_REFS_MAX + 10; i++) {
		snprintf(ids[i], sizeof ids[i], "r%zu.%s@cust.test", i,
		    i % 3 == 0 ? "long-long-long-long" : "x");
		refs[i] = ids[i];
	}
	logo = make_logo(3000);
	for (k = 0; k < 2000; k++) {
		m = base_mail();
		text = random_text(&st, body_pieces, sizeof body_pieces /
		    sizeof body_pieces[0], next_rand(&st) % 200, "");
		html = random_text(&st, body_pieces, sizeof body_pieces /
		    sizeof body_pieces[0], next_rand(&st) % 400, "");
		subject = random_text(&st, word_pieces, sizeof word_pieces /
		    sizeof word_pieces[0], next_rand(&st) % 30,
		    k % 5 == 0 ? "\n" : " ");
		name = random_text(&st, word_pieces, sizeof word_pieces /
		    sizeof word_pieces[0], next_rand(&st) % 8, " ");
		if (strlen(name) > MIME_NAME_MAX)
			name[MIME_NAME_MAX] = '\0';
		m.text = text;
		m.html = html;
		m.subject = subject;
		m.from_name = k % 7 == 0 ? NULL : name;
		m.reply_to = k % 4 == 0 ? NULL :
		    "agent+a-rather-long-reply-key-0123456789-abcdef@msp.test";
		m.in_reply_to = k % 3 == 0 ? NULL : m.in_reply_to;
		m.references = refs;
		m.nreferences = next_rand(&st) % (MIME_REFS_MAX + 10);
		m.extra_headers = extra;
		m.nextra = next_rand(&st) % (sizeof extra / sizeof extra[0] / 2);
		m.language = k % 2 ? langs[k % 4] : NULL;
		if (k % 5 == 1) {
			m.logo = logo;
			m.logo_len = 1 + next_rand(&st) % 3000;
			m.logo_cid = "logo@mscagent.invalid";
		}
		m.date = (int64_t)(next_rand(&st) % 2000000000u) * 4;
		check_generated(&m);
		free(text);
		free(html);
		free(subject);
		free(name);
	}
	free(logo);
}

/* Long bodies: German, Japanese, one line of 100,000 bytes, CRLF. */
static void
test_generated_large(void **state)
{
	struct mime_mail m = base_mail();
	char *bodies[5];
	size_t i;

	(void)state;
	bodies[0] = repeat("Sehr geehrte Damen und Herren, bitte best"
	    A_UMLAUT "tigen Sie. \n", 2000, "");
	bodies[1] = repeat(KABU "\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe\r\n",
	    3000, "end");
	bodies[2] = repeat("x", 100000, " ");
	bodies[3] = repeat("a \r\n.\r\nFrom x\r\n", 5000, "");
	bodies[4] = repeat(A_UMLAUT "a ", 30000, "\n");
	for (i = 0; i < 5; i++) {
		m.text = bodies[i];
		m.html = bodies[(i + 1) % 5];
		check_generated(&m);
	}
	for (i = 0; i < 5; i++)
		free(bodies[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_header_once),
		cmocka_unit_test(test_subjects),
		cmocka_unit_test(test_subject_sizes),
		cmocka_unit_test(test_subject_line_breaks),
		cmocka_unit_test(test_display_names),
		cmocka_unit_test(test_display_name_limit),
		cmocka_unit_test(test_display_name_words),
		cmocka_unit_test(test_logo_part),
		cmocka_unit_test(test_logo_refused),
		cmocka_unit_test(test_addresses_accepted),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hostile_controls),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_risky_lines),
		cmocka_unit_test(test_whitespace_and_line_ends),
		cmocka_unit_test(test_encoding_choice),
		cmocka_unit_test(test_large_body),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_references_limit),
		cmocka_unit_test(test_extra_limits),
		cmocka_unit_test(test_msgid_valid),
		cmocka_unit_test(test_random_hex),
		cmocka_unit_test(test_encode_words_table),
		cmocka_unit_test(test_encode_words_cutting),
		cmocka_unit_test(test_header_line_lengths),
		cmocka_unit_test(test_generated_mails),
		cmocka_unit_test(test_generated_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
