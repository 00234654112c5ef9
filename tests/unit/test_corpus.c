/* test_corpus.c: real-world reply shapes through inmail and the reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inmail.h"
#include "reply.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define CORPUS		"tests/data/mail"
#define MANIFEST	CORPUS "/expected.tsv"
#define ANSWERED	CORPUS "/answered-approval-request.txt"
#define AUTHSERV	"mx.example.test"
#define ROWS_MAX	256
#define FILE_MAX	(1024 * 1024)	/* bytes of one committed .eml */

struct row {
	char	*file;
	char	*expected;
	char	*note;
};

struct corpus {
	struct row	 rows[ROWS_MAX];
	size_t		 n;
	char		*answered;
};

/* Reads a whole file; caller frees.  NULL when it cannot. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *data;
	size_t n;

	fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	data = xmalloc(FILE_MAX + 1);
	n = fread(data, 1, FILE_MAX + 1, fp);
	fclose(fp);
	if (n > FILE_MAX) {
		free(data);
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}

static char *
corpus_path(const char *file)
{
	return xasprintf("%s/%s", CORPUS, file);
}

/* One line "file<TAB>expected<TAB>note"; '#' lines are comments. */
static void
add_row(struct corpus *c, char *line)
{
	char *file, *expected;

	file = strsep(&line, "\t");
	expected = strsep(&line, "\t");
	if (expected == NULL || line == NULL || *file == '\0')
		fail_msg("manifest line without three fields: %s", file);
	if (c->n == ROWS_MAX)
		fail_msg("more than %d manifest rows", ROWS_MAX);
	c->rows[c->n].file = xstrdup(file);
	c->rows[c->n].expected = xstrdup(expected);
	c->rows[c->n].note = xstrdup(line);
	c->n++;
}

static int
setup(void **state)
{
	struct corpus *c = xcalloc(1, sizeof *c);
	char *text, *p, *line;
	size_t len;

	text = slurp(MANIFEST, &len);
	assert_non_null(text);
	p = text;
	while (p != NULL) {
		line = strsep(&p, "\n");
		if (*line != '\0' && *line != '#')
			add_row(c, line);
	}
	free(text);
	c->answered = slurp(ANSWERED, &len);
	assert_non_null(c->answered);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct corpus *c = *state;
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->rows[i].file);
		free(c->rows[i].expected);
		free(c->rows[i].note);
	}
	free(c->answered);
	free(c);
	return 0;
}

static const struct row *
find_row(const struct corpus *c, const char *file)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->rows[i].file, file) == 0)
			return &c->rows[i];
	return NULL;
}

/* ---- the manifest itself ---- */

/* The shapes the corpus must hold, whatever else is added. */
static const char *const required[] = {
	"gmail-approve.eml", "outlook-html-only-approve.eml", "owa-reject.eml",
	"apple-mail-approve.eml", "thunderbird-bottom-posted-approve.eml",
	"iphone-approve.eml", "top-posted-german-attribution-reject.eml",
	"french-approve.eml", "quoted-both-keywords-empty-reply.eml",
	"lowercase-approved-dot.eml", "reject-bang.eml", "not-approved.eml",
	"question.eml", "empty-reply.eml", "latin1-qp-approve.eml",
	"windows1252-approve.eml", "koi8r-reject.eml", "iso2022jp-approve.eml",
	"shift-jis-approve.eml", "gb2312-approve.eml", "big5-approve.eml",
	"base64-utf8-approve.eml", "out-of-office.eml",
	"ooo-precedence-bulk.eml", "ooo-x-autoreply.eml",
	"empty-return-path.eml", "dsn-bounce.eml",
	"keyword-in-forwarded-message.eml", "signature-keyword.eml",
	"extra-keyword-genehmigt.eml", "finalize-support.eml",
	"retrigger-support.eml", "broken-base64.eml", "unknown-charset.eml",
	"nul-bytes.eml",
};

static const char *const verdicts[] = {
	"approve", "reject", "retrigger", "finalize", "unclear", "auto", "dsn",
	"refused",
};

static int
is_verdict(const char *s)
{
	size_t i;

	for (i = 0; i < NELEM(verdicts); i++)
		if (strcmp(s, verdicts[i]) == 0)
			return 1;
	return 0;
}

static void
test_manifest_rows(void **state)
{
	const struct corpus *c = *state;
	size_t i, j;

	for (i = 0; i < NELEM(required); i++)
		if (find_row(c, required[i]) == NULL)
			fail_msg("%s is not in the manifest", required[i]);
	for (i = 0; i < c->n; i++) {
		if (!is_verdict(c->rows[i].expected))
			fail_msg("%s: unknown verdict '%s'", c->rows[i].file,
			    c->rows[i].expected);
		if (*c->rows[i].note == '\0')
			fail_msg("%s: no note", c->rows[i].file);
		for (j = 0; j < i; j++)
			if (strcmp(c->rows[i].file, c->rows[j].file) == 0)
				fail_msg("%s: listed twice", c->rows[i].file);
	}
}

/* Every .eml in the folder is listed, and is small (the huge ones are
 * made at run time, never committed). */
static void
test_manifest_files(void **state)
{
	const struct corpus *c = *state;
	struct dirent *de;
	DIR *dir;
	char *path, *raw;
	size_t len, seen = 0;

	dir = opendir(CORPUS);
	assert_non_null(dir);
	for (de = readdir(dir); de != NULL; de = readdir(dir)) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 4, ".eml") != 0)
			continue;
		if (find_row(c, de->d_name) == NULL)
			fail_msg("%s is not in the manifest", de->d_name);
		path = corpus_path(de->d_name);
		raw = slurp(path, &len);
		if (raw == NULL)
			fail_msg("%s: unreadable or over %d bytes", path,
			    FILE_MAX);
		free(raw);
		free(path);
		seen++;
	}
	closedir(dir);
	assert_int_equal(seen, c->n);
}

/* ---- each row ---- */

static enum reply_command
command_of(const char *name)
{
	static const struct {
		const char		*name;
		enum reply_command	 command;
	} names[] = {
		{ "approve", REPLY_APPROVE }, { "reject", REPLY_REJECT },
		{ "retrigger", REPLY_RETRIGGER },
		{ "finalize", REPLY_FINALIZE },
		{ "unclear", REPLY_UNCLEAR },
	};
	size_t i;

	for (i = 0; i < NELEM(names); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].command;
	fail_msg("no command '%s'", name);
	return REPLY_UNCLEAR;
}

/* What every parsed message must look like, whatever it says. */
static int
looks_clean(const struct inmail *m, struct buf *why)
{
	const unsigned char *p;

	if (!utf8_valid(m->text, strlen(m->text)))
		buf_puts(why, " text is not UTF-8;");
	if (!utf8_valid(m->subject, strlen(m->subject)))
		buf_puts(why, " subject is not UTF-8;");
	for (p = (const unsigned char *)m->subject; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			buf_puts(why, " control character in the subject;");
			break;
		}
	if (strlen(m->digest) != 64)
		buf_puts(why, " no digest;");
	return why->len == 0;
}

/* The verdict for one parsed, non-refused message. */
static void
check_verdict(const struct row *r, const struct inmail *m,
    const char *answered, struct buf *why)
{
	struct strvec approve = { 0 };
	struct reply_keywords kw = { &approve, NULL };
	struct reply_verdict v;

	if (strcmp(r->expected, "auto") == 0) {
		if (!m->auto_reply || m->dsn)
			buf_printf(why, " auto_reply %d dsn %d;", m->auto_reply,
			    m->dsn);
		return;
	}
	if (strcmp(r->expected, "dsn") == 0) {
		if (!m->dsn || !m->auto_reply)
			buf_printf(why, " dsn %d auto_reply %d;", m->dsn,
			    m->auto_reply);
		return;
	}
	if (m->auto_reply || m->dsn)
		buf_printf(why, " taken for automatic (%s);",
		    m->auto_reason ? m->auto_reason : "dsn");
	strvec_push(&approve, "GENEHMIGT");
	reply_read(m->text, answered, &kw, &v);
	if (v.command != command_of(r->expected))
		buf_printf(why, " read as %s (%s), own text '%.80s';",
		    reply_command_name(v.command), v.why ? v.why : "",
		    v.own_text ? v.own_text : "");
	reply_verdict_clear(&v);
	strvec_clear(&approve);
}

/* Checks one row; the reasons it fails go to why. */
static void
check_row(const struct row *r, const char *answered, struct buf *why)
{
	struct inmail m;
	enum inmail_auth auth;
	struct err err = { 0 };
	char *path, *raw;
	size_t len;
	int rc;

	path = corpus_path(r->file);
	raw = slurp(path, &len);
	free(path);
	if (raw == NULL) {
		buf_puts(why, " cannot read it;");
		return;
	}
	rc = inmail_parse(raw, len, AUTHSERV, &m, &auth, &err);
	free(raw);
	if (strcmp(r->expected, "refused") == 0) {
		if (rc != -1 || err.kind != ERR_INPUT)
			buf_puts(why, " was not refused;");
	} else if (rc == -1)
		buf_printf(why, " refused: %s;", err.msg);
	else if (looks_clean(&m, why))
		check_verdict(r, &m, answered, why);
	inmail_clear(&m);
}

static void
test_rows(void **state)
{
	const struct corpus *c = *state;
	struct buf why = { 0 };
	size_t i, failed = 0;

	for (i = 0; i < c->n; i++) {
		check_row(&c->rows[i], c->answered, &why);
		if (why.len > 0) {
			print_message("%s (expected %s):%s\n", c->rows[i].file,
			    c->rows[i].expected, why.data);
			failed++;
		}
		buf_clear(&why);
	}
	if (failed > 0)
		fail_msg("%zu of %zu corpus messages read wrong", failed, c->n);
}

/* ---- what some rows must hold besides their verdict ---- */

struct detail {
	const char	*file;
	const char	*text;		/* the body holds this */
	const char	*from;
	const char	*in_reply_to;
};

#define REQ_ID	"12.0123456789abcdef0123." \
	"a1b2c3d4e5f60718293a4b5c6d7e8f90@example.test"

static const struct detail details[] = {
	{ "gmail-approve.eml", "APPROVE\n\nOn Mon, Nov 30, 2026 at 10:00"
	  "\xe2\x80\xaf" "AM MSC Migration <\n", "jane.doe.contoso@gmail.com",
	  REQ_ID },
	{ "outlook-html-only-approve.eml", "Approve",
	  "jane.doe@contoso-pharma.test", REQ_ID },
	{ "outlook-html-only-approve.eml", "\n> From: MSC Migration", NULL,
	  NULL },
	{ "owa-reject.eml", "REJECT\n\nWe will look at the move again next "
	  "quarter.\n", NULL, REQ_ID },
	{ "iphone-approve.eml", "> \xef\xbb\xbfYour provider asks", NULL,
	  NULL },
	{ "french-approve.eml", "Marie Lef\xc3\xa8vre\nDirectrice",
	  "marie.lefevre@contoso-pharma.test", NULL },
	{ "latin1-qp-approve.eml", "c'est d\xc3\xa9j\xc3\xa0 valid\xc3\xa9 par "
	  "la direction. \xc3\x80 bient\xc3\xb4t.", NULL, NULL },
	{ "windows1252-approve.eml", "\xe2\x80\x9eGo ahead\xe2\x80\x9c "
	  "\xe2\x80\x93 the \xe2\x82\xac 1,200", NULL, NULL },
	{ "koi8r-reject.eml", "REJECT\n\n\xd0\x9c\xd1\x8b \xd0\xbf\xd0\xbe"
	  "\xd0\xba\xd0\xb0 \xd0\xbd\xd0\xb5 \xd0\xb3\xd0\xbe\xd1\x82\xd0\xbe"
	  "\xd0\xb2\xd1\x8b", "ivan.petrov@contoso-pharma.test", NULL },
	{ "iso2022jp-approve.eml", "\xe3\x82\x88\xe3\x82\x8d\xe3\x81\x97\xe3"
	  "\x81\x8f\xe3\x81\x8a\xe9\xa1\x98\xe3\x81\x84\xe3\x81\x84\xe3\x81"
	  "\x9f\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x99\xe3\x80\x82\n\xe5\xb1\xb1"
	  "\xe7\x94\xb0", NULL, NULL },
	{ "shift-jis-approve.eml", "\xe6\x89\xbf\xe8\xaa\x8d\xe3\x81\x97\xe3"
	  "\x81\xbe\xe3\x81\x99\xe3\x80\x82", NULL, NULL },
	{ "gb2312-approve.eml", "\xe5\x90\x8c\xe6\x84\x8f\xe8\xbf\x81\xe7\xa7"
	  "\xbb\xef\xbc\x8c\xe8\xb0\xa2\xe8\xb0\xa2\xe3\x80\x82", NULL, NULL },
	{ "big5-approve.eml", "\xe5\x90\x8c\xe6\x84\x8f\xe8\xbd\x89\xe7\xa7"
	  "\xbb\xef\xbc\x8c\xe8\xac\x9d\xe8\xac\x9d\xe3\x80\x82", NULL, NULL },
	{ "base64-utf8-approve.eml", "Viele Gr\xc3\xbc\xc3\x9f" "e "
	  "\xf0\x9f\x91\x8d", NULL, NULL },
	{ "unknown-charset.eml", "c'est d\xc3\xa9j\xc3\xa0 valid\xc3\xa9.",
	  NULL, NULL },
	{ "nul-bytes.eml", "APPROVE\n\nThanks, Jane\n", NULL, NULL },
	{ "thunderbird-bottom-posted-approve.eml", "\n\nAPPROVE\n\nGo ahead",
	  "bob.admin@fabrikam.test", REQ_ID },
};

static void
test_details(void **state)
{
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *path, *raw;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(details); i++) {
		path = corpus_path(details[i].file);
		raw = slurp(path, &len);
		assert_non_null(raw);
		assert_int_equal(inmail_parse(raw, len, NULL, &m, &auth, &err),
		    0);
		if (strstr(m.text, details[i].text) == NULL)
			fail_msg("%s: no '%s' in '%.300s'", path,
			    details[i].text, m.text);
		if (details[i].from != NULL)
			assert_string_equal(m.from, details[i].from);
		if (details[i].in_reply_to != NULL)
			assert_string_equal(m.in_reply_to,
			    details[i].in_reply_to);
		inmail_clear(&m);
		free(raw);
		free(path);
	}
}

/* The bounce names the mail that bounced and why. */
static void
test_bounce(void **state)
{
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *raw;
	size_t len;

	(void)state;
	raw = slurp(CORPUS "/dsn-bounce.eml", &len);
	assert_non_null(raw);
	assert_int_equal(inmail_parse(raw, len, NULL, &m, &auth, &err), 0);
	assert_string_equal(m.dsn_original_id, "12.0123456789abcdef0123."
	    "00112233445566778899aabbccddeeff@example.test");
	assert_string_equal(m.dsn_status, "5.1.1 (550 5.1.1 "
	    "<nobody@contoso-pharma.test>: Recipient address rejected: User "
	    "unknown in virtual mailbox table)");
	assert_string_equal(m.auto_reason, "Auto-Submitted: auto-replied");
	inmail_clear(&m);
	free(raw);
}

/* The auto-replies say which header gave them away. */
static void
test_auto_reasons(void **state)
{
	static const struct {
		const char	*file;
		const char	*reason;
	} rows[] = {
		{ "out-of-office.eml", "Auto-Submitted: auto-replied" },
		{ "ooo-precedence-bulk.eml", "Precedence: bulk" },
		{ "ooo-x-autoreply.eml", "X-Autoreply: yes" },
		{ "empty-return-path.eml", "Return-Path: <>" },
	};
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *path, *raw;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		path = corpus_path(rows[i].file);
		raw = slurp(path, &len);
		assert_non_null(raw);
		assert_int_equal(inmail_parse(raw, len, NULL, &m, &auth, &err),
		    0);
		assert_non_null(m.auto_reason);
		assert_string_equal(m.auto_reason, rows[i].reason);
		inmail_clear(&m);
		free(raw);
		free(path);
	}
}

/* Authentication-Results as the real servers write them. */
static void
test_auth(void **state)
{
	static const struct {
		const char		*file;
		const char		*authserv;
		enum inmail_auth	 want;
	} rows[] = {
		{ "gmail-approve.eml", AUTHSERV, INMAIL_AUTH_PASS },
		{ "gmail-approve.eml", "mx.other.test", INMAIL_AUTH_NONE },
		{ "gmail-approve.eml", NULL, INMAIL_AUTH_NONE },
		{ "outlook-html-only-approve.eml", AUTHSERV, INMAIL_AUTH_PASS },
		{ "outlook-html-only-approve.eml", "mx.other.test",
		  INMAIL_AUTH_NONE },
		{ "apple-mail-approve.eml", AUTHSERV, INMAIL_AUTH_NONE },
	};
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *path, *raw;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(rows); i++) {
		path = corpus_path(rows[i].file);
		raw = slurp(path, &len);
		assert_non_null(raw);
		assert_int_equal(inmail_parse(raw, len, rows[i].authserv, &m,
		    &auth, &err), 0);
		if (auth != rows[i].want)
			fail_msg("%s with %s: %d", rows[i].file,
			    rows[i].authserv ? rows[i].authserv : "NULL", auth);
		inmail_clear(&m);
		free(raw);
		free(path);
	}
}

/* ---- hostile shapes made at run time, too big to commit ---- */

static char *
huge_20mb(size_t *len)
{
	struct buf b = { 0 };

	buf_puts(&b, "From: a@b.test\r\nSubject: huge\r\n"
	    "Content-Type: text/plain\r\n\r\nAPPROVE\r\n");
	while (b.len < 20 * 1024 * 1024)
		buf_puts(&b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n");
	*len = b.len;
	return buf_release(&b);
}

static char *
nested_1000_multipart(size_t *len)
{
	struct buf b = { 0 };
	int i;

	buf_puts(&b, "From: a@b.test\r\nMIME-Version: 1.0\r\n");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"n%d\""
		    "\r\n\r\n--n%d\r\n", i, i);
	buf_puts(&b, "Content-Type: text/plain\r\n\r\nAPPROVE\r\n");
	for (i = 999; i >= 0; i--)
		buf_printf(&b, "--n%d--\r\n", i);
	*len = b.len;
	return buf_release(&b);
}

static char *
header_1mib(size_t *len)
{
	struct buf b = { 0 };

	buf_puts(&b, "From: a@b.test\r\nSubject: ");
	while (b.len < 1024 * 1024)
		buf_puts(&b, "approve approve approve approve ");
	buf_puts(&b, "\r\n\r\nAPPROVE\r\n");
	*len = b.len;
	return buf_release(&b);
}

static void
test_generated_hostile(void **state)
{
	static char *(*const makers[])(size_t *) = {
		huge_20mb, nested_1000_multipart, header_1mib,
	};
	struct inmail m;
	enum inmail_auth auth;
	struct err err;
	char *raw;
	size_t i, len;

	(void)state;
	for (i = 0; i < NELEM(makers); i++) {
		raw = makers[i](&len);
		err.kind = ERR_NONE;
		assert_int_equal(inmail_parse(raw, len, AUTHSERV, &m, &auth,
		    &err), -1);
		assert_int_equal(err.kind, ERR_INPUT);
		assert_null(m.text);
		free(raw);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_rows),
		cmocka_unit_test(test_manifest_files),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_details),
		cmocka_unit_test(test_bounce),
		cmocka_unit_test(test_auto_reasons),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_generated_hostile),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
