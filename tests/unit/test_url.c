/* test_url.c: the URL parser, on good URLs of each scheme and hostile ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

#define ANY	(URL_OUTBOUND | URL_INBOUND | URL_WEB)

struct good_row {
	const char	*text;
	enum url_scheme	 scheme;
	const char	*host;		/* NULL: none */
	unsigned	 port;
	const char	*path;		/* NULL: none */
	const char	*full;		/* url.text; NULL: text as given */
};

static const struct good_row good_rows[] = {
	{ "maildir:/var/mail", URL_MAILDIR, NULL, 0, "/var/mail", NULL },
	{ "maildir:var/mail", URL_MAILDIR, NULL, 0, "/etc/agent/var/mail",
	  "maildir:/etc/agent/var/mail" },
	{ "maildir:../m a", URL_MAILDIR, NULL, 0, "/etc/m a",
	  "maildir:/etc/m a" },
	{ "smtp://relay.example.test", URL_SMTP, "relay.example.test", 25,
	  NULL, NULL },
	{ "smtp://relay.example.test:587", URL_SMTP, "relay.example.test", 587,
	  NULL, NULL },
	{ "smtps://relay.example.test", URL_SMTPS, "relay.example.test", 465,
	  NULL, NULL },
	{ "smtps://10.0.0.1:1", URL_SMTPS, "10.0.0.1", 1, NULL, NULL },
	{ "smtp://[::1]:2525", URL_SMTP, "::1", 2525, NULL, NULL },
	{ "smtp://[2001:db8::25]", URL_SMTP, "2001:db8::25", 25, NULL, NULL },
	{ "imap://mail.test", URL_IMAP, "mail.test", 143, "INBOX",
	  "imap://mail.test/INBOX" },
	{ "imap://mail.test/", URL_IMAP, "mail.test", 143, "INBOX",
	  "imap://mail.test/INBOX" },
	{ "imap://mail.test:1143", URL_IMAP, "mail.test", 1143, "INBOX",
	  "imap://mail.test:1143/INBOX" },
	{ "imaps://mail.test/Replies", URL_IMAPS, "mail.test", 993, "Replies",
	  NULL },
	{ "imaps://[::ffff:192.0.2.1]:65535/Sent Items", URL_IMAPS,
	  "::ffff:192.0.2.1", 65535, "Sent Items", NULL },
	{ "imap://MAIL-1.test/a/b", URL_IMAP, "MAIL-1.test", 143, "a/b", NULL },
	{ "https://login.example.test/t/token", URL_HTTPS, "login.example.test",
	  443, "/t/token", NULL },
	{ "https://idp.test:8443", URL_HTTPS, "idp.test", 8443, "", NULL },
	{ "http://127.0.0.1:8080/token?x=1", URL_HTTP, "127.0.0.1", 8080,
	  "/token?x=1", NULL },
	{ "http://[::1]?x", URL_HTTP, "::1", 80, "?x", NULL },
	{ "https://h.test#f", URL_HTTPS, "h.test", 443, "#f", NULL },
};

static void
test_good(void **state)
{
	const struct good_row *r;
	struct url u;
	struct err err = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good_rows / sizeof good_rows[0]; i++) {
		r = &good_rows[i];
		if (url_parse(&u, r->text, ANY, "/etc/agent", &err) == -1)
			fail_msg("%s: %s", r->text, err.msg);
		assert_int_equal(u.scheme, r->scheme);
		if (r->host == NULL)
			assert_null(u.host);
		else
			assert_string_equal(u.host, r->host);
		assert_int_equal(u.port, r->port);
		if (r->path == NULL)
			assert_null(u.path);
		else
			assert_string_equal(u.path, r->path);
		assert_string_equal(u.text, r->full ? r->full : r->text);
		url_clear(&u);
		assert_null(u.text);
		assert_int_equal(u.scheme, URL_NONE);
	}
}

struct bad_row {
	const char	*text;
	unsigned	 accept;
	const char	*what;		/* in the message */
};

static const struct bad_row bad_rows[] = {
	{ "", ANY, "must be" },
	{ "ftp://x.test", ANY, "must be smtp://HOST[:PORT], smtps://HOST[:PORT], "
	  "imap://HOST[:PORT]/MAILBOX, imaps://HOST[:PORT]/MAILBOX, "
	  "https://HOST[:PORT]/PATH, http://HOST[:PORT]/PATH or maildir:PATH" },
	{ "imap://mail.test", URL_OUTBOUND, "must be smtp://HOST[:PORT], "
	  "smtps://HOST[:PORT] or maildir:PATH" },
	{ "smtp://mail.test", URL_INBOUND, "must be imap://HOST[:PORT]/MAILBOX, "
	  "imaps://HOST[:PORT]/MAILBOX or maildir:PATH" },
	{ "maildir:/x", URL_WEB, "must be https://HOST[:PORT]/PATH or "
	  "http://HOST[:PORT]/PATH" },
	{ "SMTP://mail.test", ANY, "must be" },
	{ "smtp:/mail.test", ANY, "must be" },
	{ " smtp://mail.test", ANY, "must be" },
	{ "maildir:", ANY, "needs a folder" },
	/* Empty and bad hosts. */
	{ "smtp://", ANY, "no valid host" },
	{ "imap:///INBOX", ANY, "no valid host" },
	{ "imap://:143/INBOX", ANY, "no valid host" },
	{ "https:///x", ANY, "no valid host" },
	{ "smtp://ma_il.test", ANY, "no valid host" },
	{ "smtp://mail .test", ANY, "no valid host" },
	{ "smtp://mail.test ", ANY, "no valid host" },
	{ "imap://mail.test /INBOX", ANY, "no valid host" },
	{ "smtp://m\xc3\xa4il.test", ANY, "no valid host" },
	{ "smtp://[::1", ANY, "no valid host" },
	{ "smtp://[]", ANY, "no valid host" },
	{ "smtp://[::g]", ANY, "no valid host" },
	{ "smtp://[127.0.0.1]", ANY, "no valid host" },
	{ "smtp://[::1]x", ANY, "no valid host" },
	{ "smtp://[fe80::1%eth0]", ANY, "no valid host" },
	{ "smtp://::1:25", ANY, "no valid host" },
	{ "smtp://[1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb]",
	  ANY, "no valid host" },			/* too long for IPv6 */
	/* Bad ports. */
	{ "smtp://mail.test:", ANY, "the port must be a number between 1 and "
	  "65535" },
	{ "smtp://mail.test:0", ANY, "between 1 and 65535" },
	{ "smtp://mail.test:65536", ANY, "between 1 and 65535" },
	{ "smtp://mail.test:99999999999", ANY, "between 1 and 65535" },
	{ "smtp://mail.test:-1", ANY, "between 1 and 65535" },
	{ "smtp://mail.test:+25", ANY, "between 1 and 65535" },
	{ "smtp://mail.test:2 5", ANY, "between 1 and 65535" },
	{ "smtp://mail.test:25:26", ANY, "between 1 and 65535" },
	{ "imap://mail.test:14x/INBOX", ANY, "between 1 and 65535" },
	{ "smtp://[::1]:", ANY, "between 1 and 65535" },
	{ "https://h.test:0x50/", ANY, "between 1 and 65535" },
	/* A user or password in the URL. */
	{ "smtp://u:pw@mail.test", ANY, "use username and password_file" },
	{ "imaps://u@mail.test/INBOX", ANY, "no user name or password" },
	{ "https://u@idp.test/token", ANY, "no user name or password" },
	{ "smtp://@mail.test", ANY, "no user name or password" },
	/* Paths and blanks. */
	{ "smtp://mail.test/x", ANY, "an smtp URL has no path" },
	{ "smtps://mail.test/", ANY, "no path" },
	{ "https://idp.test/a b", ANY, "not a URL" },
	{ "https://idp.test/\"a", ANY, "not a URL" },
	{ "https://idp.test/<a>", ANY, "not a URL" },
	{ "http://idp.test/a\\b", ANY, "not a URL" },
	{ "imap://mail.test/IN\r\nBOX", ANY, "control character" },
	{ "maildir:/a\nb", ANY, "control character" },
	{ "maildir:/a\x7f" "b", ANY, "control character" },
	{ "smtp://mail.test", 0, "must be a URL" },	/* nothing accepted */
	{ "maildir:rel", ANY, "absolute" },	/* no dir: test_bad gives none */
};

static void
test_bad(void **state)
{
	const struct bad_row *r;
	struct url u;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
		r = &bad_rows[i];
		memset(&err, 0, sizeof err);
		if (url_parse(&u, r->text, r->accept, NULL, &err) == 0)
			fail_msg("%s: parsed", r->text);
		assert_int_equal(err.kind, ERR_INPUT);
		if (strstr(err.msg, r->what) == NULL)
			fail_msg("%s: got \"%s\", wanted \"%s\"", r->text,
			    err.msg, r->what);
		assert_int_equal(u.scheme, URL_NONE);
		assert_null(u.text);
		assert_null(u.host);
		assert_null(u.path);
	}
}

/* Hosts at the limits: 253 bytes of name, URL_MAX bytes in all. */
static void
test_lengths(void **state)
{
	struct url u;
	struct err err = { 0 };
	char host[URL_HOST_MAX + 2], *text;

	(void)state;
	memset(host, 'a', sizeof host - 1);
	host[URL_HOST_MAX] = '\0';
	text = xasprintf("smtp://%s:25", host);
	if (url_parse(&u, text, URL_OUTBOUND, NULL, &err) == -1)
		fail_msg("%s", err.msg);
	assert_int_equal(strlen(u.host), URL_HOST_MAX);
	url_clear(&u);
	free(text);

	host[URL_HOST_MAX] = 'a';
	host[URL_HOST_MAX + 1] = '\0';
	text = xasprintf("smtp://%s", host);
	assert_int_equal(url_parse(&u, text, URL_OUTBOUND, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "no valid host"));
	free(text);

	text = xmalloc(URL_MAX + 2);
	memcpy(text, "maildir:/", 9);
	memset(text + 9, 'd', URL_MAX - 9);
	text[URL_MAX] = '\0';
	if (url_parse(&u, text, URL_OUTBOUND, NULL, &err) == -1)
		fail_msg("%s", err.msg);
	assert_int_equal(strlen(u.path), URL_MAX - 8);
	url_clear(&u);
	text[URL_MAX] = 'd';
	text[URL_MAX + 1] = '\0';
	assert_int_equal(url_parse(&u, text, URL_OUTBOUND, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "longer than 1024 bytes"));
	free(text);
}

static void
test_has_scheme(void **state)
{
	(void)state;
	assert_int_equal(url_has_scheme("https://x", URL_WEB), 1);
	assert_int_equal(url_has_scheme("http://x", URL_WEB), 1);
	assert_int_equal(url_has_scheme("http:x", URL_WEB), 0);
	assert_int_equal(url_has_scheme("smtp://x", URL_WEB), 0);
	assert_int_equal(url_has_scheme("smtp://x", URL_OUTBOUND), 1);
	assert_int_equal(url_has_scheme("maildir:", URL_INBOUND), 1);
	assert_int_equal(url_has_scheme("imap://x", URL_OUTBOUND), 0);
	assert_int_equal(url_has_scheme("", URL_OUTBOUND), 0);
}

static void
test_loopback(void **state)
{
	static const struct {
		const char	*text;
		int		 loopback;
	} rows[] = {
		{ "imap://127.0.0.1:1143/INBOX", 1 },
		{ "imap://127.255.0.9", 1 },
		{ "imap://[::1]:1143", 1 },
		{ "imap://localhost", 1 },
		{ "smtp://LocalHost:25", 1 },
		{ "http://127.0.0.1:8080/token", 1 },
		{ "imap://128.0.0.1", 0 },
		{ "imap://126.255.255.255", 0 },
		{ "imap://127.1", 0 },
		{ "imap://localhost.example.test", 0 },
		{ "imap://[::2]", 0 },
		{ "imap://[::ffff:127.0.0.1]", 0 },
		{ "imap://mail.example.test", 0 },
		{ "maildir:/var/mail", 0 },
	};
	struct url u;
	struct err err = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (url_parse(&u, rows[i].text, ANY, NULL, &err) == -1)
			fail_msg("%s: %s", rows[i].text, err.msg);
		if (url_is_loopback(&u) != rows[i].loopback)
			fail_msg("%s: loopback %d", rows[i].text,
			    !rows[i].loopback);
		url_clear(&u);
	}
	/* A relative folder against the root: one slash, not two. */
	assert_int_equal(url_parse(&u, "maildir:var/mail", ANY, "/", &err), 0);
	assert_string_equal(u.path, "/var/mail");
	url_clear(&u);
	memset(&u, 0, sizeof u);
	assert_int_equal(url_is_loopback(&u), 0);
	url_clear(&u);
	url_clear(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_has_scheme),
		cmocka_unit_test(test_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
