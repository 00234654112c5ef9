/* test_inmail.c: parsing incoming mail: headers, bodies, bounces, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inmail.h"

#include "support.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define HDRS "From: Jane Doe <jane@customer.test>\r\n" \
	"To: mscagent+12.0123456789abcdef0123@example.test\r\n" \
	"Subject: Re: Approval needed\r\n" \
	"Message-ID: <reply-1@customer.test>\r\n" \
	"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n"
#define MIME "MIME-Version: 1.0\r\n"
#define TEXT_PLAIN "Content-Type: text/plain; charset=utf-8\r\n"

/*
 * Parses from an exact-size heap copy (no NUL after it, so a read past
 * the end shows under ASan), and wipes the copy before freeing it: the
 * result must borrow nothing from the raw bytes.
 */
static int
parse_n(const char *raw, size_t len, const char *authserv,
    struct inmail *m, enum inmail_auth *auth, struct err *err)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, raw, len);
	rc = inmail_parse(copy, len, authserv, m, auth, err);
	memset(copy, 'X', len);
	free(copy);
	return rc;
}

static void
parse_ok(const char *raw, struct inmail *m)
{
	enum inmail_auth auth;
	struct err err = { 0 };

	if (parse_n(raw, strlen(raw), NULL, m, &auth, &err) != 0)
		fail_msg("refused: %s\n---\n%.300s", err.msg, raw);
}

/* Parses and checks the refusal; returns the reason's message. */
static void
parse_refused(const char *raw, size_t len, const char *why)
{
	struct inmail m, zero;
	enum inmail_auth auth = INMAIL_AUTH_PASS;
	struct err err = { 0 };

	if (parse_n(raw, len, "mx.example.test", &m, &auth, &err) != -1)
		fail_msg("accepted a hostile message of %zu bytes", len);
	assert_int_equal(err.kind, ERR_INPUT);
	if (strstr(err.msg, why) == NULL)
		fail_msg("reason '%s' does not say '%s'", err.msg, why);
	memset(&zero, 0, sizeof zero);
	assert_memory_equal(&m, &zero, sizeof m);
	assert_int_equal(auth, INMAIL_AUTH_NONE);
	inmail_clear(&m);
}

static char *
joined(const struct strvec *sv)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < sv->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", sv->v[i]);
	return buf_release(&b);
}

/* ---- ids ---- */

struct id_case {
	const char	*headers;
	const char	*message_id;
	const char	*in_reply_to;	/* NULL: absent */
	const char	*references;	/* joined by spaces */
};

static const struct id_case id_cases[] = {
	{ "Message-ID: <a@x.test>\r\n", "a@x.test", NULL, "" },
	{ "", "", NULL, "" },
	{ "Message-ID: abc@def.test\r\n", "abc@def.test", NULL, "" },
	{ "Message-ID: <>\r\n", "", NULL, "" },
	{ "Message-ID: <a\x01" "b@x.test>\r\n", "", NULL, "" },
	{ "Message-ID: <a\x7f" "b@x.test>\r\n", "", NULL, "" },
	{ "Message-ID: <CAF=+x_y/Z@mail.gmail.com>\r\n",
	  "CAF=+x_y/Z@mail.gmail.com", NULL, "" },
	{ "Message-ID: <m\xc3\xa9@x.test>\r\n", "m\xc3\xa9@x.test", NULL, "" },
	{ "Message-ID: <m\xe9@x.test>\r\n", "", NULL, "" },
	{ "Message-ID: <a@x.test>\r\nMessage-ID: <b@x.test>\r\n", "a@x.test",
	  NULL, "" },
	{ "In-Reply-To: <p@x.test>\r\n", "", "p@x.test", "" },
	{ "In-Reply-To: <p@x.test> (Jane's message of Monday)\r\n", "",
	  "p@x.test", "" },
	{ "In-Reply-To: <bad\x01@x.test> <ok@x.test>\r\n", "", "ok@x.test",
	  "" },
	{ "In-Reply-To: garbage\r\n", "", NULL, "" },
	{ "References: <r1@x.test> <r2@x.test>\r\n <r3@x.test>\r\n", "", NULL,
	  "r1@x.test r2@x.test r3@x.test" },
	{ "References: <r1@x.test>,\r\n\t<r2@x.test>\r\n", "", NULL,
	  "r1@x.test r2@x.test" },
	{ "References: <r1@x.test> junk <r2@x.test>\r\n", "", NULL,
	  "r1@x.test r2@x.test" },
	{ "References: <r1@x.test> <r\x02@x.test> <r3@x.test>\r\n", "", NULL,
	  "r1@x.test r3@x.test" },
};

static void
test_ids(void **state)
{
	struct inmail m;
	char *raw, *refs;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(id_cases); i++) {
		raw = xasprintf("From: a@b.test\r\n%s\r\nbody\r\n",
		    id_cases[i].headers);
		parse_ok(raw, &m);
		refs = joined(&m.references);
		assert_string_equal(m.message_id, id_cases[i].message_id);
		support_assert_string(m.in_reply_to, id_cases[i].in_reply_to);
		assert_string_equal(refs, id_cases[i].references);
		free(refs);
		free(raw);
		inmail_clear(&m);
	}
}

/* A Message-ID of n bytes in all. */
static void
check_id_length(size_t n, int kept)
{
	struct inmail m;
	struct buf b = { 0 };
	size_t i;

	buf_puts(&b, "From: a@b.test\r\nMessage-ID: <");
	for (i = 0; i + 7 < n; i++)
		buf_puts(&b, "i");
	buf_puts(&b, "@x.test>\r\n\r\nbody\r\n");
	parse_ok(b.data, &m);
	assert_int_equal(strlen(m.message_id), kept ? n : 0);
	inmail_clear(&m);
	buf_clear(&b);
}

static void
test_id_length(void **state)
{
	(void)state;
	check_id_length(INMAIL_ID_MAX, 1);
	check_id_length(INMAIL_ID_MAX + 1, 0);
}

/* n References; the newest INMAIL_REFS_MAX are kept, oldest first. */
static void
check_references(int n)
{
	struct inmail m;
	struct buf b = { 0 };
	int i, first;

	buf_puts(&b, "From: a@b.test\r\nReferences:");
	for (i = 0; i < n; i++)
		buf_printf(&b, " <ref%d@x.test>\r\n", i);
	buf_puts(&b, "\r\nbody\r\n");
	parse_ok(b.data, &m);
	first = n > INMAIL_REFS_MAX ? n - INMAIL_REFS_MAX : 0;
	assert_int_equal(m.references.n, n - first);
	for (i = first; i < n; i++) {
		char want[32];

		snprintf(want, sizeof want, "ref%d@x.test", i);
		assert_string_equal(m.references.v[i - first], want);
	}
	inmail_clear(&m);
	buf_clear(&b);
}

static void
test_references_cap(void **state)
{
	(void)state;
	check_references(1);
	check_references(INMAIL_REFS_MAX);
	check_references(INMAIL_REFS_MAX + 1);
	check_references(1000);
}

/* ---- addresses ---- */

struct addr_case {
	const char	*headers;
	const char	*from;		/* NULL: none */
	const char	*to;		/* To and Cc joined by spaces */
};

static const struct addr_case addr_cases[] = {
	{ "From: Jane Doe <jane@customer.test>\r\n", "jane@customer.test", "" },
	{ "From: jane@customer.test\r\n", "jane@customer.test", "" },
	{ "From: jane@customer.test (Jane Doe)\r\n", "jane@customer.test", "" },
	{ "From: =?utf-8?q?J=C3=BCrgen?= <j@x.test>\r\n", "j@x.test", "" },
	{ "From: \"Doe, J\" <a@b.test>, c@d.test\r\n", "a@b.test", "" },
	{ "From: not an address\r\n", NULL, "" },
	{ "From: undisclosed-recipients:;\r\n", NULL, "" },
	{ "From: Group: a@b.test, c@d.test;\r\n", NULL, "" },
	{ "From: <>\r\n", NULL, "" },
	{ "", NULL, "" },
	{ "From: a@b.test\r\nTo: A <a@x.test>, B <b@y.test>\r\n"
	  "Cc: c@z.test\r\n", "a@b.test", "a@x.test b@y.test c@z.test" },
	{ "From: a@b.test\r\nTo: Team: a@x.test, b@x.test;\r\n", "a@b.test",
	  "a@x.test b@x.test" },
	{ "From: a@b.test\r\nTo: undisclosed-recipients:;\r\n", "a@b.test",
	  "" },
	{ "From: a@b.test\r\nTo: nobody, c@z.test\r\n", "a@b.test",
	  "c@z.test" },
	{ "From: a@b.test\r\nTo: mscagent+12.0123456789abcdef0123@example.test"
	  "\r\n", "a@b.test", "mscagent+12.0123456789abcdef0123@example.test" },
};

static void
test_addresses(void **state)
{
	struct inmail m;
	char *raw, *to;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(addr_cases); i++) {
		raw = xasprintf("%s\r\nbody\r\n", addr_cases[i].headers);
		parse_ok(raw, &m);
		to = joined(&m.to);
		support_assert_string(m.from, addr_cases[i].from);
		assert_string_equal(to, addr_cases[i].to);
		free(to);
		free(raw);
		inmail_clear(&m);
	}
}

/* n addresses, half in To and half in Cc, one a group member. */
static char *
many_recipients(int n)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "From: a@b.test\r\nTo: team: r0@x.test;");
	for (i = 1; i < n / 2; i++)
		buf_printf(&b, ",\r\n r%d@x.test", i);
	buf_puts(&b, "\r\nCc: ");
	for (i = n / 2; i < n; i++)
		buf_printf(&b, "%s\"R %d\" <r%d@x.test>", i > n / 2 ?
		    ",\r\n " : "", i, i);
	buf_puts(&b, "\r\n\r\nAPPROVE\r\n");
	return buf_release(&b);
}

static void
test_recipients_limit(void **state)
{
	struct inmail m;
	char *raw, *last;

	(void)state;
	raw = many_recipients(INMAIL_RCPTS_MAX);
	parse_ok(raw, &m);
	assert_int_equal(m.to.n, INMAIL_RCPTS_MAX);
	last = xasprintf("r%d@x.test", INMAIL_RCPTS_MAX - 1);
	assert_string_equal(m.to.v[INMAIL_RCPTS_MAX - 1], last);
	free(last);
	inmail_clear(&m);
	free(raw);
	raw = many_recipients(INMAIL_RCPTS_MAX + 1);
	last = xasprintf("more than %d addresses in To and Cc",
	    INMAIL_RCPTS_MAX);
	parse_refused(raw, strlen(raw), last);
	free(last);
	free(raw);
	/* Addresses that are not addr-specs are dropped, not counted. */
	raw = many_recipients(INMAIL_RCPTS_MAX);
	last = strstr(raw, "\r\nCc: ");
	memcpy(last + 2, "Xx", 2);
	parse_ok(raw, &m);
	assert_int_equal(m.to.n, INMAIL_RCPTS_MAX / 2);
	inmail_clear(&m);
	free(raw);
}

/* ---- subject ---- */

struct subject_case {
	const char	*raw;		/* NULL: no Subject header */
	const char	*want;
};

static const struct subject_case subject_cases[] = {
	{ "Re: Approval needed", "Re: Approval needed" },
	{ NULL, "" },
	{ "", "" },
	{ "=?UTF-8?B?w5xiZXJwcsO8ZnVuZw==?=",
	  "\xc3\x9c" "berpr\xc3\xbc" "fung" },
	{ "=?ISO-8859-1?Q?Gr=FC=DFe?=", "Gr\xc3\xbc\xc3\x9f" "e" },
	{ "Re: =?utf-8?q?a?=\r\n =?utf-8?q?b?=", "Re: ab" },
	{ "Re: long\r\n\tfolded   subject", "Re: long folded subject" },
	{ "=?utf-8?q?a=0D=0ABcc:_x@y.test?=", "a Bcc: x@y.test" },
	{ "=?utf-8?q?tab=09and=1Bescape?=", "tab and escape" },
	{ "Gr\xc3\xbc\xc3\x9f" "e", "Gr\xc3\xbc\xc3\x9f" "e" },
	{ "Gr\xfc\xdf" "e", "Gr\xc3\xbc\xc3\x9f" "e" },
	{ "=?koi8-r?B?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
	  "\xd1\x82" },
	{ "=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=", "\xe5\xb1\xb1\xe7\x94\xb0" },
	{ "=?gb2312?B?xOO6ww==?=", "\xe4\xbd\xa0\xe5\xa5\xbd" },
	{ "  Re: spaced  ", "Re: spaced" },
};

static void
test_subject(void **state)
{
	struct inmail m;
	char *raw;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(subject_cases); i++) {
		if (subject_cases[i].raw == NULL)
			raw = xstrdup("From: a@b.test\r\n\r\nbody\r\n");
		else
			raw = xasprintf("From: a@b.test\r\nSubject: %s\r\n\r\n"
			    "body\r\n", subject_cases[i].raw);
		parse_ok(raw, &m);
		assert_string_equal(m.subject, subject_cases[i].want);
		free(raw);
		inmail_clear(&m);
	}
}

/* Broken encoded words never fail and never give control characters. */
static const char *const odd_subjects[] = {
	"=?x-unknown?q?abc?=",
	"=?utf-8?b?!!!not base64?=",
	"=?utf-8?q?=FF=FE=00=01?=",
	"=?utf-8?q?unterminated",
	"=?=?=?=?",
	"\xff\xfe\x80\x81",
	"=?utf-8*en?q?lang?=",
	"=?utf-16?b?AEEAQgBD?=",
};

static void
test_subject_hostile(void **state)
{
	struct inmail m;
	const unsigned char *p;
	char *raw;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(odd_subjects); i++) {
		raw = xasprintf("From: a@b.test\r\nSubject: %s\r\n\r\nbody\r\n",
		    odd_subjects[i]);
		parse_ok(raw, &m);
		assert_true(utf8_valid(m.subject, strlen(m.subject)));
		for (p = (const unsigned char *)m.subject; *p != '\0'; p++)
			assert_true(*p >= 0x20 && *p != 0x7f);
		free(raw);
		inmail_clear(&m);
	}
}

/* ---- body charsets and transfer encodings ---- */

struct charset_case {
	const char	*charset;	/* NULL: no charset parameter */
	const char	*cte;		/* NULL: none */
	const char	*body;
	size_t		 body_len;	/* 0: strlen(body) */
	const char	*want;
};

static const struct charset_case charset_cases[] = {
	{ "utf-8", "8bit", "Gr\xc3\xbc\xc3\x9f" "e", 0,
	  "Gr\xc3\xbc\xc3\x9f" "e" },
	{ "\"UTF-8\"", "8bit", "caf\xc3\xa9", 0, "caf\xc3\xa9" },
	{ "utf8", NULL, "caf\xc3\xa9", 0, "caf\xc3\xa9" },
	{ "utf-8", "8bit", "caf\xe9!", 0, "caf?!" },
	{ NULL, NULL, "caf\xc3\xa9", 0, "caf\xc3\xa9" },
	{ NULL, "8bit", "caf\xe9", 0, "caf\xc3\xa9" },
	{ NULL, "8bit", "\x80 5", 0, "\xe2\x82\xac 5" },
	{ "us-ascii", "8bit", "caf\xc3\xa9", 0, "caf\xc3\xa9" },
	{ "US-ASCII", "8bit", "caf\xe9", 0, "caf\xc3\xa9" },
	{ "us-ascii", "7bit", "plain", 0, "plain" },
	{ "iso-8859-1", "8bit", "caf\xe9", 0, "caf\xc3\xa9" },
	{ "ISO-8859-1", "quoted-printable", "d=E9j=E0 vu", 0,
	  "d\xc3\xa9j\xc3\xa0 vu" },
	{ "iso-8859-1", "8bit", "\x80", 0, "\xe2\x82\xac" },
	{ "latin1", "8bit", "\xe9", 0, "\xc3\xa9" },
	{ "iso-8859-2", "8bit", "\xb1\xe6", 0, "\xc4\x85\xc4\x87" },
	{ "iso-8859-15", "8bit", "\xa4", 0, "\xe2\x82\xac" },
	{ "windows-1250", "8bit", "\x9a\xe8", 0, "\xc5\xa1\xc4\x8d" },
	{ "windows-1252", "quoted-printable", "=80=93x=94", 0,
	  "\xe2\x82\xac\xe2\x80\x9cx\xe2\x80\x9d" },
	{ "cp1252", "8bit", "\x80", 0, "\xe2\x82\xac" },
	{ "koi8-r", "8bit", "\xf0\xd2\xc9\xd7\xc5\xd4", 0,
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82" },
	{ "iso-2022-jp", "7bit", "\x1b$B$3$s$K$A$O\x1b(B", 0,
	  "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf" },
	{ "shift_jis", "8bit", "\x82\xb1\x82\xf1", 0,
	  "\xe3\x81\x93\xe3\x82\x93" },
	{ "Shift_JIS", "base64", "grGC8Q==", 0, "\xe3\x81\x93\xe3\x82\x93" },
	{ "gb2312", "8bit", "\xc4\xe3\xba\xc3", 0, "\xe4\xbd\xa0\xe5\xa5\xbd" },
	{ "gbk", "8bit", "\xc4\xe3\xba\xc3", 0, "\xe4\xbd\xa0\xe5\xa5\xbd" },
	{ "big5", "8bit", "\xa7\x41\xa6\x6e", 0, "\xe4\xbd\xa0\xe5\xa5\xbd" },
	{ "x-unknown-cs", "8bit", "caf\xc3\xa9", 0, "caf\xc3\xa9" },
	{ "unknown-8bit", "8bit", "caf\xe9", 0, "caf\xc3\xa9" },
	{ "", "8bit", "caf\xe9", 0, "caf\xc3\xa9" },
	{ "utf-8", "base64", "QVBQUk9WRQ0KDQpUaGFua3M=", 0,
	  "APPROVE\n\nThanks" },
	{ "utf-8", "BASE64", "QVBQ\r\nUk9W\r\nRQ==", 0, "APPROVE" },
	{ "utf-8", "quoted-printable", "soft=\r\nbreak =3D=\r\n", 0,
	  "softbreak =" },
	{ "utf-8", "x-unknown-cte", "as is", 0, "as is" },
	{ "utf-8", "8bit", "a\r\nb\rc\n", 0, "a\nb\nc\n" },
	{ "utf-8", "8bit", "a\0b\0\0c", 6, "abc" },
	{ "utf-8", "base64", "YQBi", 0, "ab" },
	{ "utf-16", "base64", "//5BAEIA", 0, "AB" },
};

static char *
charset_mail(const struct charset_case *c, size_t *len)
{
	struct buf b = { 0 };

	buf_puts(&b, HDRS MIME "Content-Type: text/plain");
	if (c->charset != NULL)
		buf_printf(&b, "; charset=%s", c->charset);
	buf_puts(&b, "\r\n");
	if (c->cte != NULL)
		buf_printf(&b, "Content-Transfer-Encoding: %s\r\n", c->cte);
	buf_puts(&b, "\r\n");
	buf_append(&b, c->body, c->body_len ? c->body_len : strlen(c->body));
	*len = b.len;
	return buf_release(&b);
}

static void
test_charsets(void **state)
{
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *raw;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(charset_cases); i++) {
		raw = charset_mail(&charset_cases[i], &len);
		assert_int_equal(parse_n(raw, len, NULL, &m, &auth, &err), 0);
		if (strcmp(m.text, charset_cases[i].want) != 0)
			fail_msg("row %zu: got '%s', want '%s'", i, m.text,
			    charset_cases[i].want);
		free(raw);
		inmail_clear(&m);
	}
}

/* Garbage in any charset comes out as valid UTF-8 without NUL. */
static void
test_charset_garbage(void **state)
{
	static const char *const charsets[] = { "utf-8", "iso-2022-jp",
	    "shift_jis", "big5", "gb2312", "koi8-r", "windows-1252",
	    "us-ascii", "x-nonsense", "utf-16", "utf-7" };
	static const char junk[] = "\xff\x1b$B\xfe\x80\x00\x81\x1b(B\xc3z";
	struct charset_case c;
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *raw;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(charsets); i++) {
		c.charset = charsets[i];
		c.cte = "8bit";
		c.body = junk;
		c.body_len = sizeof junk - 1;
		raw = charset_mail(&c, &len);
		assert_int_equal(parse_n(raw, len, NULL, &m, &auth, &err), 0);
		assert_true(utf8_valid(m.text, strlen(m.text)));
		free(raw);
		inmail_clear(&m);
	}
}

/* ---- which part is the body ---- */

struct body_case {
	const char	*name;
	const char	*raw;
	const char	*want;		/* the text, or a part of it */
	int		 exact;
};

static const struct body_case body_cases[] = {
	{ "no MIME headers", "From: a@b.test\r\n\r\nAPPROVE\r\n", "APPROVE\n",
	  1 },
	{ "no headers at all", "APPROVE\r\n", "APPROVE\n", 1 },
	{ "alternative: text wins", HDRS MIME
	  "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPLAIN\r\n"
	  "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML</p>\r\n"
	  "--b--\r\n", "PLAIN", 1 },
	{ "alternative: html first, text still wins", HDRS MIME
	  "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: text/html\r\n\r\n<p>HTML</p>\r\n"
	  "--b\r\nContent-Type: text/plain\r\n\r\nPLAIN\r\n--b--\r\n",
	  "PLAIN", 1 },
	{ "html only", HDRS MIME "Content-Type: text/html; charset=utf-8\r\n"
	  "\r\n<html><body><p>Approve</p><script>x()</script>"
	  "<blockquote>Reply with REJECT</blockquote></body></html>\r\n",
	  "Approve", 0 },
	{ "html in latin-1", HDRS MIME
	  "Content-Type: text/html; charset=iso-8859-1\r\n"
	  "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	  "<p>d=E9j=E0</p>\r\n", "d\xc3\xa9j\xc3\xa0", 0 },
	{ "attachment skipped", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment;"
	  " filename=\"notes.txt\"\r\n\r\nATTACHED\r\n"
	  "--b\r\nContent-Type: text/plain\r\nContent-Disposition: inline\r\n"
	  "\r\nINLINE\r\n--b--\r\n", "INLINE", 1 },
	{ "only an attachment", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: text/plain\r\nContent-Disposition: ATTACHMENT"
	  "\r\n\r\nATTACHED\r\n--b--\r\n", "", 1 },
	{ "text after an image", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64"
	  "\r\n\r\niVBORw0KGgo=\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	  "AFTER\r\n--b--\r\n", "AFTER", 1 },
	{ "nested alternative in mixed", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
	  "--o\r\nContent-Type: multipart/alternative; boundary=\"i\"\r\n\r\n"
	  "--i\r\nContent-Type: text/plain\r\n\r\nNESTED\r\n"
	  "--i\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--i--\r\n"
	  "--o\r\nContent-Type: text/plain\r\n\r\nSECOND\r\n--o--\r\n",
	  "NESTED", 1 },
	{ "a forwarded message is not the reply's text", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.test\r\n"
	  "Subject: fw\r\n\r\nAPPROVE\r\n--b--\r\n", "", 1 },
	{ "own text before a forwarded message", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: text/plain\r\n\r\nFYI\r\n"
	  "--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.test\r\n"
	  "\r\nAPPROVE\r\n--b--\r\n", "FYI", 1 },
	{ "own text after a forwarded message", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.test\r\n"
	  "\r\nAPPROVE\r\n"
	  "--b\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--b--\r\n", "FYI", 1 },
	{ "image only", HDRS MIME "Content-Type: image/jpeg\r\n\r\nxxxx\r\n",
	  "", 1 },
	{ "multipart without boundary", HDRS MIME
	  "Content-Type: multipart/mixed\r\n\r\nAPPROVE\r\n", "", 1 },
	{ "missing close delimiter", HDRS MIME
	  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	  "--b\r\nContent-Type: text/plain\r\n\r\nUNCLOSED\r\n", "UNCLOSED",
	  0 },
	{ "broken base64", HDRS MIME TEXT_PLAIN
	  "Content-Transfer-Encoding: base64\r\n\r\n"
	  "QVBQ*UK9@@WRQ=\r\n=====\r\n!!!!\r\nQQ\r\n", "", 0 },
	{ "text/plain labelled base64", HDRS MIME TEXT_PLAIN
	  "Content-Transfer-Encoding: base64\r\n\r\nAPPROVE\r\n", "", 0 },
	{ "broken quoted-printable", HDRS MIME TEXT_PLAIN
	  "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	  "APPROVE =ZZ =\r\n=4", "APPROVE ", 0 },
	{ "LF only", "From: a@b.test\nContent-Type: text/plain\n\nline1\n"
	  "line2\n", "line1\nline2\n", 1 },
};

static void
test_body_choice(void **state)
{
	struct inmail m;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(body_cases); i++) {
		parse_ok(body_cases[i].raw, &m);
		assert_non_null(m.text);
		assert_true(utf8_valid(m.text, strlen(m.text)));
		if (body_cases[i].exact ?
		    strcmp(m.text, body_cases[i].want) != 0 :
		    strstr(m.text, body_cases[i].want) == NULL)
			fail_msg("%s: got '%s', want '%s'", body_cases[i].name,
			    m.text, body_cases[i].want);
		inmail_clear(&m);
	}
}

/* HTML made text: the markup and the script are gone, the quote is
 * marked for the reply reader. */
static void
test_html_body(void **state)
{
	struct inmail m;

	(void)state;
	parse_ok(body_cases[4].raw, &m);
	assert_null(strchr(m.text, '<'));
	assert_null(strstr(m.text, "x()"));
	assert_non_null(strstr(m.text, "> Reply with REJECT"));
	inmail_clear(&m);
}

/* ---- auto-replies ---- */

struct auto_case {
	const char	*headers;
	const char	*reason;	/* NULL: not an auto-reply */
};

static const struct auto_case auto_cases[] = {
	{ "", NULL },
	{ "Auto-Submitted: no\r\n", NULL },
	{ "Auto-Submitted: No (a person wrote this)\r\n", NULL },
	{ "Auto-Submitted: (comment) no\r\n", NULL },
	{ "Auto-Submitted: auto-replied\r\n", "Auto-Submitted: auto-replied" },
	{ "Auto-Submitted: auto-replied (vacation)\r\n",
	  "Auto-Submitted: auto-replied (vacation)" },
	{ "Auto-Submitted: auto-generated\r\n",
	  "Auto-Submitted: auto-generated" },
	{ "AUTO-SUBMITTED:   Auto-Replied  \r\n",
	  "Auto-Submitted: Auto-Replied" },
	{ "Auto-Submitted: auto-notified; owner-email=\"x@y.test\"\r\n",
	  "Auto-Submitted: auto-notified; owner-email=\"x@y.test\"" },
	{ "Auto-Submitted: no\r\nAuto-Submitted: auto-replied\r\n",
	  "Auto-Submitted: auto-replied" },
	{ "Auto-Submitted: auto-replied\r\n\x01\r\n",
	  "Auto-Submitted: auto-replied" },
	{ "X-Autoreply: yes\r\n", "X-Autoreply: yes" },
	{ "X-AutoReply: YES\r\n", "X-Autoreply: YES" },
	{ "X-Autorespond: vacation\r\n", "X-Autorespond: vacation" },
	{ "Precedence: bulk\r\n", "Precedence: bulk" },
	{ "Precedence: junk\r\n", "Precedence: junk" },
	{ "Precedence: list\r\n", "Precedence: list" },
	{ "Precedence: Bulk (mailing list)\r\n",
	  "Precedence: Bulk (mailing list)" },
	{ "Precedence: first-class\r\n", NULL },
	{ "Precedence: normal\r\n", NULL },
	{ "Return-Path: <>\r\n", "Return-Path: <>" },
	{ "Return-Path:<>\r\n", "Return-Path: <>" },
	{ "Return-Path: < >\r\n", "Return-Path: < >" },
	{ "Return-Path: <> (bounce)\r\n", "Return-Path: <> (bounce)" },
	{ "Return-Path: <jane@customer.test>\r\n", NULL },
	{ "X-Auto-Response-Suppress: All\r\n", NULL },
	{ "X-Auto-Response-Suppress: OOF, AutoReply\r\n", NULL },
	{ "Precedence: bulk\r\nAuto-Submitted: auto-replied\r\n",
	  "Auto-Submitted: auto-replied" },
	{ "Subject: Auto-Submitted: auto-replied\r\n", NULL },
	{ "X-Autoreply-Note: yes\r\n", NULL },
};

static void
test_auto_reply(void **state)
{
	struct inmail m;
	char *raw;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(auto_cases); i++) {
		raw = xasprintf("From: a@b.test\r\n%s\r\nAPPROVE\r\n",
		    auto_cases[i].headers);
		parse_ok(raw, &m);
		if (m.auto_reply != (auto_cases[i].reason != NULL))
			fail_msg("row %zu: auto_reply %d", i, m.auto_reply);
		support_assert_string(m.auto_reason, auto_cases[i].reason);
		assert_int_equal(m.dsn, 0);
		free(raw);
		inmail_clear(&m);
	}
}

/* A hostile value in the reason is made printable and cut short. */
static void
test_auto_reason_printable(void **state)
{
	struct inmail m;
	struct buf b = { 0 };
	int i;

	(void)state;
	buf_puts(&b, "From: a@b.test\r\nAuto-Submitted: auto-replied \x1b[31m");
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "\r\n\r\nbody\r\n");
	parse_ok(b.data, &m);
	assert_true(m.auto_reply);
	assert_null(strchr(m.auto_reason, '\x1b'));
	assert_true(strlen(m.auto_reason) < 300);
	inmail_clear(&m);
	buf_clear(&b);
}

/* ---- bounces ---- */

#define ORIG_ID "12.0123456789abcdef0123.00112233445566778899aabbccddeeff" \
	"@example.test"

#define DSN_HEAD "Return-Path: <>\r\n" \
	"From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\n" \
	"To: mscagent+12.0123456789abcdef0123@example.test\r\n" \
	"Subject: Undelivered Mail Returned to Sender\r\n" \
	"Message-Id: <20261130100003.4Q2@mx.example.test>\r\n" MIME

#define DSN_NOTE "--B\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" \
	"This is the mail system at host mx.example.test.\r\n\r\n"

#define DSN_STATUS_PART "--B\r\nContent-Type: message/delivery-status\r\n" \
	"\r\nReporting-MTA: dns; mx.example.test\r\n" \
	"Arrival-Date: Mon, 30 Nov 2026 10:00:01 +0000 (UTC)\r\n\r\n" \
	"Final-Recipient: rfc822; nobody@customer.test\r\n" \
	"Action: failed\r\nStatus: 5.1.1\r\n" \
	"Remote-MTA: dns; mx.customer.test\r\n" \
	"Diagnostic-Code: smtp; 550 5.1.1 <nobody@customer.test>: " \
	"Recipient\r\n" \
	"    address rejected: User unknown\r\n\r\n"

#define DSN_ORIG_RFC822 "--B\r\nContent-Type: message/rfc822\r\n\r\n" \
	"From: MSC Migration <mscagent@example.test>\r\n" \
	"Message-ID: <" ORIG_ID ">\r\nSubject: Approval needed\r\n\r\n" \
	"Reply with APPROVE or REJECT\r\n"

#define DSN_STATUS "5.1.1 (550 5.1.1 <nobody@customer.test>: Recipient " \
	"address rejected: User unknown)"

struct dsn_case {
	const char	*name;
	const char	*raw;
	int		 dsn;
	const char	*original;	/* NULL: none found */
	const char	*status;	/* NULL: none found */
	const char	*reason;
};

static const struct dsn_case dsn_cases[] = {
	{ "Postfix with message/rfc822", DSN_HEAD
	  "Content-Type: multipart/report; report-type=delivery-status;\r\n"
	  "\tboundary=\"B\"\r\n\r\n" DSN_NOTE DSN_STATUS_PART DSN_ORIG_RFC822
	  "--B--\r\n", 1, ORIG_ID, DSN_STATUS, "Return-Path: <>" },
	{ "text/rfc822-headers, quoted report-type, no other sign",
	  "From: postmaster@mx.example.test\r\n" MIME
	  "Content-Type: multipart/report; report-type=\"Delivery-Status\";"
	  " boundary=\"B\"\r\n\r\n" DSN_NOTE DSN_STATUS_PART
	  "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
	  "From: mscagent@example.test\r\nMessage-ID: <" ORIG_ID ">\r\n"
	  "Subject: x\r\n\r\n--B--\r\n", 1, ORIG_ID, DSN_STATUS,
	  "Content-Type: multipart/report; report-type=delivery-status" },
	{ "base64 parts, no Diagnostic-Code",
	  "From: postmaster@mx.example.test\r\n" MIME
	  "Content-Type: multipart/report; report-type=delivery-status; "
	  "boundary=B\r\n\r\n" DSN_NOTE
	  "--B\r\nContent-Type: message/delivery-status\r\n"
	  "Content-Transfer-Encoding: base64\r\n\r\n"
	  /* "Reporting-MTA: dns; x\r\n\r\nStatus: 5.2.2\r\n" */
	  "UmVwb3J0aW5nLU1UQTogZG5zOyB4DQoNClN0YXR1czogNS4yLjINCg==\r\n"
	  "--B\r\nContent-Type: message/rfc822\r\n"
	  "Content-Transfer-Encoding: base64\r\n\r\n"
	  /* "Message-ID: <o@x.test>\r\n\r\nbody\r\n" */
	  "TWVzc2FnZS1JRDogPG9AeC50ZXN0Pg0KDQpib2R5DQo=\r\n"
	  "--B--\r\n", 1, "o@x.test", "5.2.2",
	  "Content-Type: multipart/report; report-type=delivery-status" },
	{ "no original, no status part",
	  "From: postmaster@mx.example.test\r\n" MIME
	  "Content-Type: multipart/report; report-type=delivery-status; "
	  "boundary=B\r\n\r\n" DSN_NOTE "--B--\r\n", 1, NULL, NULL,
	  "Content-Type: multipart/report; report-type=delivery-status" },
	{ "read receipt: a report, not a bounce",
	  "From: jane@customer.test\r\n" MIME
	  "Content-Type: multipart/report; "
	  "report-type=disposition-notification; boundary=B\r\n\r\n"
	  "--B\r\nContent-Type: text/plain\r\n\r\nRead.\r\n"
	  "--B\r\nContent-Type: message/disposition-notification\r\n\r\n"
	  "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
	  "--B--\r\n", 0, NULL, NULL,
	  "Content-Type: multipart/report; "
	  "report-type=disposition-notification" },
	{ "delivery-status not at the top is no bounce",
	  "From: jane@customer.test\r\n" MIME
	  "Content-Type: multipart/mixed; boundary=O\r\n\r\n"
	  "--O\r\nContent-Type: text/plain\r\n\r\nFYI, a bounce\r\n"
	  "--O\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.test\r\n"
	  "Content-Type: multipart/report; report-type=delivery-status; "
	  "boundary=B\r\n\r\n" DSN_STATUS_PART "--B--\r\n--O--\r\n",
	  0, NULL, NULL, NULL },
	{ "deep parentheses in an encoded status part",
	  "From: postmaster@mx.example.test\r\n" MIME
	  "Content-Type: multipart/report; report-type=delivery-status; "
	  "boundary=B\r\n\r\n"
	  "--B\r\nContent-Type: message/delivery-status\r\n"
	  "Content-Transfer-Encoding: base64\r\n\r\n"
	  /* "Status: " and 96 '(' */
	  "U3RhdHVzOiAoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo"
	  "KCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCg="
	  "\r\n--B--\r\n", 1, NULL, NULL,
	  "Content-Type: multipart/report; report-type=delivery-status" },
};

static void
test_dsn(void **state)
{
	struct inmail m;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(dsn_cases); i++) {
		parse_ok(dsn_cases[i].raw, &m);
		if (m.dsn != dsn_cases[i].dsn)
			fail_msg("%s: dsn %d", dsn_cases[i].name, m.dsn);
		assert_int_equal(m.auto_reply, dsn_cases[i].reason != NULL);
		support_assert_string(m.auto_reason, dsn_cases[i].reason);
		support_assert_string(m.dsn_original_id, dsn_cases[i].original);
		support_assert_string(m.dsn_status, dsn_cases[i].status);
		inmail_clear(&m);
	}
}

/* The human part of a bounce is its text. */
static void
test_dsn_text(void **state)
{
	struct inmail m;

	(void)state;
	parse_ok(dsn_cases[0].raw, &m);
	assert_string_equal(m.text,
	    "This is the mail system at host mx.example.test.\n");
	assert_string_equal(m.from, "MAILER-DAEMON@mx.example.test");
	inmail_clear(&m);
}

/* ---- Authentication-Results ---- */

#define AS "mx.example.test"

struct auth_case {
	const char		*authserv;
	const char		*headers;	/* besides From */
	enum inmail_auth	 want;
};

static const struct auth_case auth_cases[] = {
	{ NULL, "Authentication-Results: mx.example.test; dmarc=pass\r\n",
	  INMAIL_AUTH_NONE },
	{ "", "Authentication-Results: mx.example.test; dmarc=pass\r\n",
	  INMAIL_AUTH_NONE },
	{ AS, "", INMAIL_AUTH_NONE },
	{ AS, "Authentication-Results: mx.example.test; dmarc=pass "
	  "header.from=customer.test\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dmarc=pass\r\n",
	  INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: MX.Example.TEST; DMARC=PASS\r\n",
	  INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test 1; dmarc=pass\r\n",
	  INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test;\r\n\tspf=pass "
	  "smtp.mailfrom=customer.test;\r\n\tdkim=pass (2048-bit key; "
	  "unprotected) header.d=customer.test header.i=@customer.test "
	  "header.b=\"aB1+/=\";\r\n\tdmarc=fail\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.d=customer.test\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.d=Customer.Test\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.i=@customer.test\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.i=jane@customer.test\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.d=\"customer.test\"\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dkim = pass "
	  "header.d = customer.test\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; dkim/1=pass "
	  "header.d=customer.test\r\n", INMAIL_AUTH_PASS },
	{ AS, "Authentication-Results: mx.example.test; spf=pass\r\n"
	  "Authentication-Results: mx.example.test; dmarc=pass\r\n",
	  INMAIL_AUTH_PASS },
	/* Not aligned, not a pass. */
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.d=mail.customer.test\r\n", INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.d=evil.test header.i=@evil.test\r\n", INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass "
	  "header.d=customer.test.evil.test\r\n", INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dkim=pass\r\n",
	  INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dmarc=pass "
	  "header.from=evil.test\r\n", INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dkim=fail "
	  "header.d=customer.test; dmarc=fail\r\n", INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dmarc=passed\r\n",
	  INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; none\r\n",
	  INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test\r\n",
	  INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; spf=pass "
	  "smtp.mailfrom=customer.test\r\n", INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dkim=fail "
	  "(dmarc=pass) header.d=customer.test\r\n", INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test; dkim=neutral "
	  "reason=\"x; dmarc=pass\"\r\n", INMAIL_AUTH_FAIL },
	/* Forged: another authserv-id, alone or beside a trusted fail. */
	{ AS, "Authentication-Results: evil.test; dmarc=pass\r\n",
	  INMAIL_AUTH_NONE },
	{ AS, "Authentication-Results: evil.test; dmarc=pass\r\n"
	  "Authentication-Results: mx.example.test; dmarc=fail\r\n",
	  INMAIL_AUTH_FAIL },
	{ AS, "Authentication-Results: mx.example.test.evil.test; "
	  "dmarc=pass\r\n", INMAIL_AUTH_NONE },
	{ AS, "Authentication-Results: x.mx.example.test; dmarc=pass\r\n",
	  INMAIL_AUTH_NONE },
	{ AS, "Authentication-Results: mx.example.tes; dmarc=pass\r\n",
	  INMAIL_AUTH_NONE },
	{ AS, "Authentication-Results: (mx.example.test) evil.test; "
	  "dmarc=pass\r\n", INMAIL_AUTH_NONE },
	{ AS, "Authentication-Results: dmarc=pass\r\n", INMAIL_AUTH_NONE },
	{ AS, "Authentication-Results: dkim=none (message not signed)\r\n"
	  " header.d=none;dmarc=none action=none header.from=customer.test;"
	  "\r\n", INMAIL_AUTH_NONE },
	{ AS, "X-Authentication-Results: mx.example.test; dmarc=pass\r\n",
	  INMAIL_AUTH_NONE },
	{ AS, "ARC-Authentication-Results: i=1; mx.example.test; "
	  "dmarc=pass\r\n", INMAIL_AUTH_NONE },
};

static void
test_auth_results(void **state)
{
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *raw;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(auth_cases); i++) {
		raw = xasprintf("From: Jane <jane@customer.test>\r\n%s\r\n"
		    "APPROVE\r\n", auth_cases[i].headers);
		assert_int_equal(parse_n(raw, strlen(raw),
		    auth_cases[i].authserv, &m, &auth, &err), 0);
		if (auth != auth_cases[i].want)
			fail_msg("row %zu: got %d, want %d: %s", i, auth,
			    auth_cases[i].want, auth_cases[i].headers);
		free(raw);
		inmail_clear(&m);
	}
}

/* Without a usable From no dkim signature is aligned. */
static void
test_auth_no_from(void **state)
{
	static const char raw[] = "Authentication-Results: mx.example.test;"
	    " dkim=pass header.d=customer.test\r\n\r\nAPPROVE\r\n";
	struct inmail m;
	enum inmail_auth auth;
	struct err err;

	(void)state;
	assert_int_equal(parse_n(raw, sizeof raw - 1, AS, &m, &auth, &err), 0);
	assert_null(m.from);
	assert_int_equal(auth, INMAIL_AUTH_FAIL);
	inmail_clear(&m);
}

/* ---- digest ---- */

static void
test_digest(void **state)
{
	struct inmail a, b;

	(void)state;
	parse_ok("abc", &a);
	assert_string_equal(a.digest, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	inmail_clear(&a);
	parse_ok(HDRS "\r\nAPPROVE\r\n", &a);
	parse_ok(HDRS "\r\nAPPROVE\r\n\r\n", &b);
	assert_int_equal(strlen(a.digest), 64);
	assert_string_not_equal(a.digest, b.digest);
	assert_string_equal(a.message_id, b.message_id);
	inmail_clear(&a);
	inmail_clear(&b);
}

/* ---- limits ---- */

static void
test_empty(void **state)
{
	(void)state;
	parse_refused("", 0, "empty");
}

/* A message of exactly len bytes: headers, then lines of 'x'. */
static char *
sized_mail(size_t len)
{
	static const char head[] = HDRS "\r\n";
	char *raw = malloc(len);
	size_t i;

	assert_non_null(raw);
	memcpy(raw, head, sizeof head - 1);
	for (i = sizeof head - 1; i < len; i++)
		raw[i] = i % 78 == 76 ? '\r' : i % 78 == 77 ? '\n' : 'x';
	return raw;
}

static void
test_size_limit(void **state)
{
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *raw;

	(void)state;
	raw = sized_mail(INMAIL_SIZE_MAX);
	assert_int_equal(parse_n(raw, INMAIL_SIZE_MAX, NULL, &m, &auth, &err),
	    0);
	assert_true(strlen(m.text) > INMAIL_SIZE_MAX / 2);
	inmail_clear(&m);
	free(raw);
	raw = sized_mail(INMAIL_SIZE_MAX + 1);
	parse_refused(raw, INMAIL_SIZE_MAX + 1, "bytes");
	free(raw);
	raw = sized_mail(20 * 1024 * 1024);
	parse_refused(raw, 20 * 1024 * 1024, "bytes");
	free(raw);
}

/* A header field of n bytes (name, value and folding), then a body. */
static char *
long_header(size_t n, int folded)
{
	struct buf b = { 0 };
	size_t field = 9;

	buf_puts(&b, "From: a@b.test\r\nSubject: ");
	while (field < n) {
		if (folded && field % 60 == 0 && n - field > 3) {
			buf_puts(&b, "\r\n ");
			field += 3;
		} else {
			buf_puts(&b, "s");
			field++;
		}
	}
	buf_puts(&b, "\r\nTo: c@d.test\r\n\r\nbody\r\n");
	return buf_release(&b);
}

static void
test_header_limit(void **state)
{
	struct inmail m;
	char *raw;

	(void)state;
	raw = long_header(INMAIL_HEADER_MAX, 0);
	parse_ok(raw, &m);
	assert_int_equal(strlen(m.subject), INMAIL_HEADER_MAX - 9);
	assert_int_equal(m.to.n, 1);
	inmail_clear(&m);
	free(raw);
	raw = long_header(INMAIL_HEADER_MAX + 1, 0);
	parse_refused(raw, strlen(raw), "header field");
	free(raw);
	raw = long_header(INMAIL_HEADER_MAX - 100, 1);
	parse_ok(raw, &m);
	inmail_clear(&m);
	free(raw);
	raw = long_header(INMAIL_HEADER_MAX + 100, 1);
	parse_refused(raw, strlen(raw), "header field");
	free(raw);
	raw = long_header(1024 * 1024, 0);
	parse_refused(raw, strlen(raw), "header field");
	free(raw);
}

/* Long lines in the body are not header lines. */
static void
test_long_body_line(void **state)
{
	struct inmail m;
	char *raw;
	size_t head;

	(void)state;
	raw = long_header(1024 * 1024, 0);
	head = strlen("From: a@b.test\r\n");
	raw[head] = '\r';
	raw[head + 1] = '\n';
	parse_ok(raw, &m);
	assert_true(strlen(m.text) > 1024 * 1000);
	inmail_clear(&m);
	free(raw);
	/* No header at all: the long first line is the body's. */
	raw = xmalloc(1024 * 1024 + 3);
	memset(raw, 's', 1024 * 1024);
	memcpy(raw + 1024 * 1024, "\r\n", 3);
	parse_ok(raw, &m);
	assert_null(m.from);
	assert_int_equal(strlen(m.text), 1024 * 1024 + 1);
	inmail_clear(&m);
	free(raw);
}

/* n multiparts, each inside the one before; the text is in the last. */
static char *
nested_multipart(int n)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, HDRS MIME
	    "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
	for (i = 0; i < n; i++) {
		buf_printf(&b, "--b%d\r\n", i);
		if (i + 1 < n)
			buf_printf(&b, "Content-Type: multipart/mixed; "
			    "boundary=\"b%d\"\r\n\r\n", i + 1);
		else
			buf_puts(&b,
			    "Content-Type: text/plain\r\n\r\nDEEP\r\n");
	}
	for (i = n - 1; i >= 0; i--)
		buf_printf(&b, "--b%d--\r\n", i);
	return buf_release(&b);
}

/* n message/rfc822 parts, each inside the one before. */
static char *
nested_messages(int n)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "From: a@b.test\r\n" MIME "Content-Type: multipart/mixed; "
	    "boundary=\"o\"\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\n"
	    "OWN\r\n--o\r\n");
	for (i = 0; i < n; i++)
		buf_puts(&b, "Content-Type: message/rfc822\r\n\r\n"
		    "Subject: fw\r\n");
	buf_puts(&b, "\r\ninner\r\n--o--\r\n");
	return buf_release(&b);
}

static void
test_depth_limit(void **state)
{
	struct inmail m;
	char *raw;

	(void)state;
	raw = nested_multipart(INMAIL_DEPTH_MAX);
	parse_ok(raw, &m);
	assert_string_equal(m.text, "DEEP");
	inmail_clear(&m);
	free(raw);
	raw = nested_multipart(INMAIL_DEPTH_MAX + 1);
	parse_refused(raw, strlen(raw), "nested more than");
	free(raw);
	raw = nested_messages(INMAIL_DEPTH_MAX - 1);
	parse_ok(raw, &m);
	assert_string_equal(m.text, "OWN");
	inmail_clear(&m);
	free(raw);
	raw = nested_messages(INMAIL_DEPTH_MAX);
	parse_refused(raw, strlen(raw), "nested more than");
	free(raw);
}

/* Far deeper than libetpan's recursion survives: refused before. */
static void
test_depth_hostile(void **state)
{
	char *raw;

	(void)state;
	raw = nested_multipart(1000);
	parse_refused(raw, strlen(raw), "Content-Type");
	free(raw);
	raw = nested_multipart(100000);
	parse_refused(raw, strlen(raw), "Content-Type");
	free(raw);
	raw = nested_messages(100000);
	parse_refused(raw, strlen(raw), "Content-Type");
	free(raw);
}

/* A multipart with n parts, each with its own Content-Type or none. */
static char *
wide_multipart(int n, int typed)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "From: a@b.test\r\n" MIME
	    "Content-Type: multipart/mixed; boundary=\"w\"\r\n\r\n");
	for (i = 0; i < n; i++)
		buf_printf(&b, "--w\r\n%s\r\npart %d\r\n",
		    typed ? "Content-Type: text/plain\r\n" : "", i);
	buf_puts(&b, "--w--\r\n");
	return buf_release(&b);
}

static void
test_parts_limit(void **state)
{
	struct inmail m;
	char *raw;

	(void)state;
	/* The multipart counts as a part too. */
	raw = wide_multipart(INMAIL_PARTS_MAX - 1, 1);
	parse_ok(raw, &m);
	assert_string_equal(m.text, "part 0");
	inmail_clear(&m);
	free(raw);
	raw = wide_multipart(INMAIL_PARTS_MAX, 1);
	parse_refused(raw, strlen(raw), "more than");
	free(raw);
	raw = wide_multipart(INMAIL_PARTS_MAX - 1, 0);
	parse_ok(raw, &m);
	inmail_clear(&m);
	free(raw);
	raw = wide_multipart(INMAIL_PARTS_MAX, 0);
	parse_refused(raw, strlen(raw), "MIME parts");
	free(raw);
	raw = wide_multipart(100000, 0);
	parse_refused(raw, strlen(raw), "MIME parts");
	free(raw);
}

/* Content-Type lines are counted before parsing, wherever they are. */
static void
test_content_type_lines(void **state)
{
	struct inmail m;
	struct buf b = { 0 };
	int i;

	(void)state;
	buf_puts(&b, "From: a@b.test\r\nContent-Type: text/plain\r\n\r\n");
	for (i = 0; i < INMAIL_PARTS_MAX - 1; i++)
		buf_puts(&b, "content-type: quoted\r\n");
	parse_ok(b.data, &m);
	inmail_clear(&m);
	buf_puts(&b, "CONTENT-TYPE: one more\r\n");
	parse_refused(b.data, b.len, "Content-Type");
	buf_clear(&b);
}

/* A From header with n nested comments. */
static char *
deep_comment(int n, const char *sep)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "From: ");
	for (i = 0; i < n; i++) {
		buf_puts(&b, "(");
		if (i % 50 == 49)
			buf_puts(&b, sep);
	}
	buf_puts(&b, "c");
	for (i = 0; i < n; i++)
		buf_puts(&b, ")");
	buf_puts(&b, " jane@customer.test\r\n\r\nbody\r\n");
	return buf_release(&b);
}

static void
test_comment_depth(void **state)
{
	struct inmail m;
	char *raw;

	(void)state;
	raw = deep_comment(INMAIL_COMMENT_DEPTH_MAX, "");
	parse_ok(raw, &m);
	assert_string_equal(m.from, "jane@customer.test");
	inmail_clear(&m);
	free(raw);
	raw = deep_comment(INMAIL_COMMENT_DEPTH_MAX + 1, "");
	parse_refused(raw, strlen(raw), "parentheses");
	free(raw);
	raw = deep_comment(INMAIL_COMMENT_DEPTH_MAX + 1, "\r\n ");
	parse_refused(raw, strlen(raw), "parentheses");
	free(raw);
	raw = deep_comment(300000, "");
	parse_refused(raw, strlen(raw), "");
	free(raw);
	/* Escaped ')' close nothing. */
	raw = xasprintf("From: ((((%s jane@customer.test\r\n\r\nx\r\n",
	    "\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)\\)"
	    "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((");
	parse_refused(raw, strlen(raw), "parentheses");
	free(raw);
}

/*
 * A part's header is not held to INMAIL_HEADER_MAX, so only the depth
 * count stands between 300,000 '(' and libetpan's recursion.
 */
static void
test_comment_depth_in_part(void **state)
{
	struct buf b = { 0 };
	int i;

	(void)state;
	buf_puts(&b, "From: a@b.test\r\n" MIME "Content-Type: multipart/mixed;"
	    " boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; "
	    "charset=");
	for (i = 0; i < 300000; i++)
		buf_puts(&b, "(");
	buf_puts(&b, "\r\n\r\nAPPROVE\r\n--b--\r\n");
	parse_refused(b.data, b.len, "parentheses");
	buf_clear(&b);
}

/* Each field starts from zero, and so does each body line. */
static void
test_comment_depth_per_field(void **state)
{
	struct inmail m;
	struct buf b = { 0 };
	int i;

	(void)state;
	buf_puts(&b, "From: a@b.test\r\n");
	for (i = 0; i < 100; i++)
		buf_puts(&b, "X-Note: (((((((((((((((((((((((((((((((((((((((("
		    "\r\n");
	buf_puts(&b, "\r\n");
	for (i = 0; i < 100; i++)
		buf_puts(&b, ":-( ((((((((((((((((((((((((((((((((((((\r\n");
	parse_ok(b.data, &m);
	inmail_clear(&m);
	buf_clear(&b);
}

/* ---- hostile bytes ---- */

static void
test_nul_bytes(void **state)
{
	static const char raw[] = "From: a@b.test\r\nSubject: Re: x\0y\r\n"
	    "X-Mailer: Broken\0Mailer\r\nContent-Type: text/plain\r\n\r\n"
	    "APPROVE\r\n\0\0\0\r\nThanks, J\0ane\r\n";
	struct inmail m;
	enum inmail_auth auth;
	struct err err;

	(void)state;
	assert_int_equal(parse_n(raw, sizeof raw - 1, NULL, &m, &auth, &err),
	    0);
	assert_string_equal(m.text, "APPROVE\n\nThanks, Jane\n");
	assert_string_equal(m.from, "a@b.test");
	assert_true(utf8_valid(m.subject, strlen(m.subject)));
	inmail_clear(&m);
}

/* Every string out is valid UTF-8; the subject has no controls. */
static void
check_clean(const struct inmail *m)
{
	const unsigned char *p;
	size_t i;

	assert_non_null(m->message_id);
	assert_non_null(m->subject);
	assert_non_null(m->text);
	assert_true(utf8_valid(m->text, strlen(m->text)));
	assert_true(utf8_valid(m->subject, strlen(m->subject)));
	for (p = (const unsigned char *)m->subject; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
	for (p = (const unsigned char *)m->message_id; *p != '\0'; p++)
		assert_true(*p > 0x20 && *p != 0x7f);
	for (i = 0; i < m->references.n; i++)
		assert_null(strpbrk(m->references.v[i], " \t\r\n<>"));
	if (m->auto_reason != NULL)
		assert_true(utf8_valid(m->auto_reason, strlen(m->auto_reason)));
	if (m->dsn_status != NULL)
		assert_null(strpbrk(m->dsn_status, "\r\n\t"));
}

/*
 * Mutated messages (a fixed pseudo-random sequence): libetpan's parser
 * and ours must neither crash nor let bad bytes through.
 */
static void
test_mutations(void **state)
{
	static const char *const seeds[] = {
		DSN_HEAD "Content-Type: multipart/report; "
		"report-type=delivery-status; boundary=\"B\"\r\n\r\n"
		DSN_NOTE DSN_STATUS_PART DSN_ORIG_RFC822 "--B--\r\n",
		HDRS MIME "Content-Type: multipart/alternative; boundary=b\r\n"
		"Authentication-Results: mx.example.test; dkim=pass "
		"header.d=customer.test (x; y) \"q;\"\r\n\r\n"
		"--b\r\nContent-Type: text/plain; charset=iso-2022-jp\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
		"APPROVE =1B$B$3=\r\n--b\r\nContent-Type: text/html\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\nPHA+aGk8L3A+\r\n"
		"--b--\r\n",
	};
	static const char specials[] = "()<>\"\\;:=-\r\n\t \0\x80\xff@";
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *buf;
	uint32_t rnd = 12345;
	size_t s, len, k, at;
	int i;

	(void)state;
	for (i = 0; i < 4000; i++) {
		s = (size_t)i % NELEM(seeds);
		len = strlen(seeds[s]);
		buf = xstrdup(seeds[s]);
		for (k = 0; k < 1 + (size_t)i % 8; k++) {
			rnd = rnd * 1103515245u + 12345u;
			at = (rnd >> 8) % len;
			rnd = rnd * 1103515245u + 12345u;
			buf[at] = specials[(rnd >> 8) % (sizeof specials - 1)];
		}
		if (parse_n(buf, len, AS, &m, &auth, &err) == 0)
			check_clean(&m);
		else
			assert_int_equal(err.kind, ERR_INPUT);
		inmail_clear(&m);
		free(buf);
	}
}

/* inmail_clear is safe twice and on a cleared struct. */
static void
test_clear_twice(void **state)
{
	struct inmail m;

	(void)state;
	parse_ok(dsn_cases[0].raw, &m);
	inmail_clear(&m);
	inmail_clear(&m);
	assert_null(m.text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_id_length),
		cmocka_unit_test(test_references_cap),
		cmocka_unit_test(test_recipients_limit),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_subject_hostile),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_charset_garbage),
		cmocka_unit_test(test_body_choice),
		cmocka_unit_test(test_html_body),
		cmocka_unit_test(test_auto_reply),
		cmocka_unit_test(test_auto_reason_printable),
		cmocka_unit_test(test_dsn),
		cmocka_unit_test(test_dsn_text),
		cmocka_unit_test(test_auth_results),
		cmocka_unit_test(test_auth_no_from),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_header_limit),
		cmocka_unit_test(test_long_body_line),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_depth_hostile),
		cmocka_unit_test(test_parts_limit),
		cmocka_unit_test(test_content_type_lines),
		cmocka_unit_test(test_comment_depth),
		cmocka_unit_test(test_comment_depth_in_part),
		cmocka_unit_test(test_comment_depth_per_field),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_clear_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
