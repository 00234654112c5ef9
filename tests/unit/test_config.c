/* test_config.c: the config reader, on the shipped file and hostile ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "path.h"

#include "support.h"

/* This run's folder as its real path, the way the reader resolves the
 * folder of a config file. */
static char tmp[PATH_MAX];

static int
setup(void **state)
{
	char dir[64];

	(void)state;
	if (support_dir_make(dir, sizeof dir, "test_config") == -1)
		return -1;
	return realpath(dir, tmp) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return support_dir_remove(tmp);
}

/* Writes len bytes (strlen when 0) to tmp/name; returns the path. */
static char *
write_file(const char *name, const char *text, size_t len)
{
	char *path;

	path = support_path(tmp, name);
	support_write(path, text, len == 0 ? strlen(text) : len, 0644);
	return path;
}

static void
make_dir(const char *name)
{
	char *path;

	path = support_path(tmp, name);
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
	free(path);
}

static void
assert_zeroed(const struct config *cfg)
{
	struct config zero;

	memset(&zero, 0, sizeof zero);
	assert_memory_equal(cfg, &zero, sizeof zero);
}

/* Paths are written plainly: dir/../x is the folder above's x. */
static void
assert_path(const char *got, const char *dir, const char *rel)
{
	char *want;

	want = path_join(dir, rel);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
}

static void
test_shipped_config(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	char dir[PATH_MAX], *url;

	(void)state;
	assert_non_null(realpath("conf", dir));
	if (config_load("conf/agent.conf", &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_path(cfg.path, dir, "agent.conf");
	assert_string_equal(cfg.dir, dir);
	assert_path(cfg.database, dir, "../var/agent.db");
	assert_string_equal(cfg.base_url, "http://127.0.0.1:8025");
	assert_string_equal(cfg.from, "mscagent@example.test");
	assert_string_equal(cfg.reply_address, "mscagent@example.test");
	assert_path(cfg.reply_key_file, dir, "../var/reply.key");
	assert_int_equal(cfg.support_addresses.n, 1);
	assert_string_equal(cfg.support_addresses.v[0], "support@example.test");
	assert_path(cfg.templates, dir, "../mailtemplates");
	assert_int_equal(cfg.approval_remind_days, 3);
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	assert_null(cfg.log_file);

	url = xasprintf("maildir:%.*s/var/mail", (int)(strrchr(dir, '/') - dir),
	    dir);
	assert_string_equal(cfg.out_url, url);
	free(url);
	assert_int_equal(cfg.out_starttls, STARTTLS_REQUIRED);
	assert_null(cfg.out_username);
	assert_null(cfg.out_password_file);
	assert_int_equal(cfg.out_retry_max, 8);
	assert_null(cfg.out_tls_ca_file);

	url = xasprintf("maildir:%.*s/var/mail/mscagent@example.test",
	    (int)(strrchr(dir, '/') - dir), dir);
	assert_string_equal(cfg.in_url, url);
	free(url);
	assert_int_equal(cfg.in_starttls, STARTTLS_REQUIRED);
	assert_null(cfg.in_username);
	assert_null(cfg.in_password_file);
	assert_null(cfg.in_tls_ca_file);
	assert_string_equal(cfg.processed_folder, "Processed");
	assert_int_equal(cfg.idle, 1);
	assert_int_equal(cfg.poll_seconds, 60);
	assert_int_equal(cfg.require_auth_results, 0);
	assert_null(cfg.trusted_authserv_id);
	assert_int_equal(cfg.keywords_approve.n, 0);
	assert_int_equal(cfg.keywords_reject.n, 0);

	assert_string_equal(cfg.listen_address, "127.0.0.1");
	assert_int_equal(cfg.listen_port, 8025);
	assert_int_equal(cfg.max_connections, 1024);
	assert_int_equal(cfg.listen_trusted_proxies.n, 0);

	assert_int_equal(cfg.nkeys, 1);
	assert_string_equal(cfg.keys[0].kid, "k1");
	assert_path(cfg.keys[0].path, dir, "../var/token.key");
	assert_int_equal(cfg.ttl_days, 30);
	assert_int_equal(cfg.remind_days, 3);
	assert_string_equal(cfg.issuer, "mscagent");
	config_free(&cfg);
	assert_zeroed(&cfg);
}

/* Every key of the shipped file is set there, none left to a default. */
static void
test_shipped_config_names_every_key(void **state)
{
	static const char *const keys[] = {
		"database", "base_url", "from", "reply_address",
		"reply_key_file", "support_addresses", "templates",
		"approval_remind_days", "log_level", "log_file", "url",
		"starttls", "username", "password_file", "retry_max",
		"tls_ca_file", "processed_folder", "idle", "poll_seconds",
		"require_auth_results", "trusted_authserv_id",
		"keywords_approve", "keywords_reject", "address", "port",
		"max_connections", "key_file", "ttl_days", "remind_days",
		"issuer", "# keys", "language",
	};
	char line[256];
	size_t i;
	FILE *fp;
	int found;

	(void)state;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		fp = fopen("conf/agent.conf", "r");
		assert_non_null(fp);
		found = 0;
		while (fgets(line, sizeof line, fp) != NULL)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0 &&
			    strncmp(line + strlen(keys[i]), " =", 2) == 0)
				found = 1;
		fclose(fp);
		if (!found)
			fail_msg("conf/agent.conf lacks \"%s =\"", keys[i]);
	}
}

/* The integration tests' template, filled in as tests/support/lib.sh does. */
static void
test_integration_template(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	struct buf b = { 0 };
	char line[512], *path, *p, *var;
	FILE *fp;

	(void)state;
	var = xasprintf("%s/var", tmp);
	fp = fopen("tests/data/agent-test.conf", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		for (p = line; *p != '\0'; p++) {
			if (strncmp(p, "@VAR@", 5) == 0) {
				buf_puts(&b, var);
				p += 4;
			} else if (strncmp(p, "@TOP@", 5) == 0) {
				buf_puts(&b, "/top");
				p += 4;
			} else
				buf_append(&b, p, 1);
		}
	}
	fclose(fp);
	path = write_file("agent-test.conf", b.data, 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_path(cfg.database, var, "agent.db");
	assert_string_equal(cfg.templates, "/top/mailtemplates");
	assert_int_equal(cfg.listen_port, 0);
	assert_path(cfg.keys[0].path, var, "token.key");
	assert_path(cfg.reply_key_file, var, "reply.key");
	config_free(&cfg);
	buf_clear(&b);
	free(path);
	free(var);
}

static void
check_defaults(const struct config *cfg)
{
	char *url;

	assert_string_equal(cfg->dir, tmp);
	assert_path(cfg->database, tmp, "var/agent.db");
	assert_path(cfg->reply_key_file, tmp, "var/reply.key");
	assert_path(cfg->templates, tmp, "mailtemplates");
	assert_string_equal(cfg->base_url, "http://127.0.0.1:8025");
	assert_string_equal(cfg->support_addresses.v[0],
	    "support@example.test");
	url = xasprintf("maildir:%s/var/mail", tmp);
	assert_string_equal(cfg->out_url, url);
	free(url);
	url = xasprintf("maildir:%s/var/mail/mscagent@example.test", tmp);
	assert_string_equal(cfg->in_url, url);
	free(url);
	assert_int_equal(cfg->out_retry_max, 8);
	assert_int_equal(cfg->poll_seconds, 60);
	assert_int_equal(cfg->idle, 1);
	assert_int_equal(cfg->listen_port, 8025);
	assert_int_equal(cfg->max_connections, 1024);
	assert_int_equal(cfg->nkeys, 1);
	assert_string_equal(cfg->keys[0].kid, "k1");
	assert_path(cfg->keys[0].path, tmp, "var/token.key");
	assert_int_equal(cfg->ttl_days, 30);
	assert_int_equal(cfg->remind_days, 3);
	assert_string_equal(cfg->issuer, "mscagent");
	assert_int_equal(cfg->log_level, LOG_LEVEL_INFO);
	assert_null(cfg->log_file);
}

static void
test_defaults(void **state)
{
	static const char *const texts[] = {
		"[agent]\n", "", "# nothing\n\n", "[tokens]\n[agent]\n",
		"\xef\xbb\xbf[agent]\r\n",
	};
	struct config cfg;
	struct err err = { 0 };
	char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		path = write_file("minimal.conf", texts[i], 0);
		if (config_load(path, &cfg, &err) == -1)
			fail_msg("case %zu: %s", i, err.msg);
		check_defaults(&cfg);
		assert_path(cfg.path, tmp, "minimal.conf");
		config_free(&cfg);
		free(path);
	}
}

static void
test_relative_paths(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	char cwd[PATH_MAX], *path, *sub, *url;

	(void)state;
	make_dir("sub");
	path = write_file("sub/rel.conf",
	    "[agent]\n"
	    "database = db/x.db\n"
	    "templates = /abs/templates\n"
	    "log_file = ../log/agent.log\n"
	    "[outbound]\n"
	    "url = maildir:out\n"
	    "username = u\n"
	    "password_file = secret/pw\n"
	    "[inbound]\n"
	    "url = maildir:/abs/in\n"
	    "tls_ca_file = ca.pem\n"
	    "[tokens]\n"
	    "keys = new:keys/new.key, old : /abs/old.key\n", 0);
	sub = xasprintf("%s/sub", tmp);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(tmp), 0);
	/* A relative path to the file still gives absolute paths. */
	if (config_load("sub/rel.conf", &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(cfg.dir, sub);
	assert_path(cfg.path, sub, "rel.conf");
	assert_path(cfg.database, sub, "db/x.db");
	assert_string_equal(cfg.templates, "/abs/templates");
	assert_path(cfg.log_file, sub, "../log/agent.log");
	url = xasprintf("maildir:%s/out", sub);
	assert_string_equal(cfg.out_url, url);
	free(url);
	/* The transports take the folder from the parsed URL. */
	assert_int_equal(cfg.outbound.scheme, URL_MAILDIR);
	assert_path(cfg.outbound.path, sub, "out");
	assert_int_equal(cfg.inbound.scheme, URL_MAILDIR);
	assert_string_equal(cfg.inbound.path, "/abs/in");
	assert_string_equal(cfg.out_username, "u");
	assert_path(cfg.out_password_file, sub, "secret/pw");
	assert_string_equal(cfg.in_url, "maildir:/abs/in");
	assert_path(cfg.in_tls_ca_file, sub, "ca.pem");
	assert_int_equal(cfg.nkeys, 2);
	assert_string_equal(cfg.keys[0].kid, "new");
	assert_path(cfg.keys[0].path, sub, "keys/new.key");
	assert_string_equal(cfg.keys[1].kid, "old");
	assert_string_equal(cfg.keys[1].path, "/abs/old.key");
	/* Keys the file leaves out resolve against its folder too. */
	assert_path(cfg.reply_key_file, sub, "var/reply.key");
	config_free(&cfg);
	assert_zeroed(&cfg);
	free(sub);
	free(path);
}

/* The mail servers' URLs, kept parsed beside their text. */
static void
test_url_parts(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	char *path;

	(void)state;
	path = write_file("parts.conf", "[outbound]\n"
	    "url = smtp://[2001:db8::25]:587\n[inbound]\n"
	    "url = imaps://mail.example.test\n", 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.outbound.scheme, URL_SMTP);
	assert_string_equal(cfg.outbound.host, "2001:db8::25");
	assert_int_equal(cfg.outbound.port, 587);
	assert_string_equal(cfg.out_url, "smtp://[2001:db8::25]:587");
	assert_int_equal(cfg.inbound.scheme, URL_IMAPS);
	assert_string_equal(cfg.inbound.host, "mail.example.test");
	assert_int_equal(cfg.inbound.port, 993);
	assert_string_equal(cfg.inbound.path, "INBOX");
	assert_string_equal(cfg.in_url, "imaps://mail.example.test/INBOX");
	config_free(&cfg);
	assert_zeroed(&cfg);
	free(path);
}

enum kind { STR, INT, VEC, KEY };

struct good_case {
	const char	*text;
	enum kind	 kind;
	size_t		 offset;	/* STR, INT: the field */
	const char	*want;		/* STR; VEC, KEY: "a|b|c" */
	int		 want_int;
};

#define F(field) offsetof(struct config, field)

static const struct good_case good_cases[] = {
	{ "[agent]\nbase_url = https://migrate.example.test/\n", STR,
	    F(base_url), "https://migrate.example.test", 0 },
	{ "[agent]\nbase_url = http://[::1]:8025/mscagent\n", STR,
	    F(base_url), "http://[::1]:8025/mscagent", 0 },
	{ "[agent]\nfrom = migrations+x@msp.example\n", STR, F(from),
	    "migrations+x@msp.example", 0 },
	{ "[agent]\nreply_address = r\xc3\xa9@\xc3\xa9.example ; note\n", STR,
	    F(reply_address), "r\xc3\xa9@\xc3\xa9.example", 0 },
	{ "[agent]\nsupport_addresses = a@x.test,b@y.test , c@z.test\n", VEC,
	    F(support_addresses), "a@x.test|b@y.test|c@z.test", 0 },
	{ "[agent]\nlog_level = debug\n", INT, F(log_level), NULL,
	    LOG_LEVEL_DEBUG },
	{ "[agent]\nlog_level = ERROR\n", INT, F(log_level), NULL,
	    LOG_LEVEL_ERROR },
	{ "[agent]\nlog_level = warn\n", INT, F(log_level), NULL,
	    LOG_LEVEL_WARN },
	{ "[agent]\nlog_file = /var/log/mscagent.log\n", STR, F(log_file),
	    "/var/log/mscagent.log", 0 },
	{ "[outbound]\nstarttls = optional\n", INT, F(out_starttls), NULL,
	    STARTTLS_OPTIONAL },
	{ "[inbound]\nstarttls = off\n", INT, F(in_starttls), NULL,
	    STARTTLS_OFF },
	{ "[outbound]\nurl = smtp://mail.example.test:587\n", STR, F(out_url),
	    "smtp://mail.example.test:587", 0 },
	{ "[outbound]\nurl = smtps://mail.example.test\n", STR, F(out_url),
	    "smtps://mail.example.test", 0 },
	{ "[outbound]\nurl = smtp://[2001:db8::1]:25\n", STR, F(out_url),
	    "smtp://[2001:db8::1]:25", 0 },
	{ "[outbound]\nurl = smtp://127.0.0.1:65535\n", STR, F(out_url),
	    "smtp://127.0.0.1:65535", 0 },
	{ "[inbound]\nurl = imaps://mail.example.test:993/INBOX\n", STR,
	    F(in_url), "imaps://mail.example.test:993/INBOX", 0 },
	{ "[inbound]\nurl = imap://mail.example.test\n", STR, F(in_url),
	    "imap://mail.example.test/INBOX", 0 },
	{ "[inbound]\nurl = imaps://[::1]:993/\n", STR, F(in_url),
	    "imaps://[::1]:993/INBOX", 0 },
	{ "[inbound]\nurl = imap://mx.test/Agent/Replies\n", STR, F(in_url),
	    "imap://mx.test/Agent/Replies", 0 },
	{ "[inbound]\nprocessed_folder = Done Mail\n", STR,
	    F(processed_folder), "Done Mail", 0 },
	{ "[inbound]\nrequire_auth_results = yes\n"
	    "trusted_authserv_id = mx.example.test\n", INT,
	    F(require_auth_results), NULL, 1 },
	{ "[inbound]\nkeywords_approve = GENEHMIGT, APPROUV\xc3\x89\n", VEC,
	    F(keywords_approve), "GENEHMIGT|APPROUV\xc3\x89", 0 },
	{ "[inbound]\nkeywords_reject = ABGELEHNT\n", VEC, F(keywords_reject),
	    "ABGELEHNT", 0 },
	{ "[inbound]\nkeywords_reject = 12345678901234567890123456789012\n",
	    VEC, F(keywords_reject), "12345678901234567890123456789012", 0 },
	{ "[listener]\naddress = ::1\n", STR, F(listen_address), "::1", 0 },
	{ "[listener]\naddress = 0.0.0.0\n", STR, F(listen_address),
	    "0.0.0.0", 0 },
	{ "[tokens]\nkeys = a.b_c-D:/k\n", KEY, 0, "a.b_c-D", 0 },
	{ "[tokens]\nkeys = k1:/a,k2:/a,k3:/a,k4:/a,k5:/a,k6:/a,k7:/a,k8:/a\n",
	    KEY, 0, "k1|k2|k3|k4|k5|k6|k7|k8", 0 },
	{ "[tokens]\nkeys = "
	    "1234567890123456789012345678901234567890123456789012345678901234"
	    ":/k\n", KEY, 0,
	    "1234567890123456789012345678901234567890123456789012345678901234",
	    0 },
	{ "[tokens]\nissuer = \xf0\x9f\x94\x91 keys \xe6\x97\xa5\n", STR,
	    F(issuer), "\xf0\x9f\x94\x91 keys \xe6\x97\xa5", 0 },
	{ "[tokens]\nttl_days = 1\nremind_days = 0\n", INT, F(ttl_days), NULL,
	    1 },
	{ "[tokens]\nttl_days = 30\nremind_days = 29\n", INT, F(remind_days),
	    NULL, 29 },
	/* Layout: indentation, CR LF, ':' for '=', comments, blank lines. */
	{ "  [tokens]\r\n\t  issuer = x\r\n", STR, F(issuer), "x", 0 },
	/* An indented line after a value is not its continuation. */
	{ "[tokens]\nissuer = a\n  ttl_days = 5\n", INT, F(ttl_days), NULL,
	    5 },
	{ "[agent]\nfrom = a@b.test\n\t[tokens]\n\tissuer = i\n", STR,
	    F(issuer), "i", 0 },
	{ "[tokens]\r\n  issuer   =   spaced out  \r\n", STR, F(issuer),
	    "spaced out", 0 },
	{ "[tokens]\nissuer: colon\n", STR, F(issuer), "colon", 0 },
	{ "; c\n# c\n[tokens] ; c\n\n  # c\nissuer = a # b\n", STR, F(issuer),
	    "a # b", 0 },
	{ "[agent]\n[tokens]\n[agent]\nfrom = a@b.test\n", STR, F(from),
	    "a@b.test", 0 },
};

static void
check_vec(const struct strvec *sv, const char *want)
{
	struct strvec parts = { 0 };
	const char *p, *bar;
	size_t i;

	for (p = want;; p = bar + 1) {
		bar = strchr(p, '|');
		if (bar == NULL) {
			strvec_push(&parts, p);
			break;
		}
		strvec_pushf(&parts, "%.*s", (int)(bar - p), p);
	}
	assert_int_equal(sv->n, parts.n);
	for (i = 0; i < sv->n; i++)
		assert_string_equal(sv->v[i], parts.v[i]);
	strvec_clear(&parts);
}

static void
check_good(const struct good_case *c, struct config *cfg)
{
	struct strvec kids = { 0 };
	size_t i;

	switch (c->kind) {
	case STR:
		assert_string_equal(*(char **)((char *)cfg + c->offset),
		    c->want);
		break;
	case INT:
		assert_int_equal(*(int *)((char *)cfg + c->offset),
		    c->want_int);
		break;
	case VEC:
		check_vec((struct strvec *)((char *)cfg + c->offset), c->want);
		break;
	case KEY:
		for (i = 0; i < cfg->nkeys; i++)
			strvec_push(&kids, cfg->keys[i].kid);
		check_vec(&kids, c->want);
		strvec_clear(&kids);
		break;
	}
}

static void
test_good_values(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	char *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
		path = write_file("good.conf", good_cases[i].text, 0);
		if (config_load(path, &cfg, &err) == -1)
			fail_msg("case %zu: %s", i, err.msg);
		check_good(&good_cases[i], &cfg);
		config_free(&cfg);
		free(path);
	}
}

static void
test_bools(void **state)
{
	static const struct {
		const char	*word;
		int		 want;
	} rows[] = {
		{ "yes", 1 }, { "YES", 1 }, { "true", 1 }, { "On", 1 },
		{ "1", 1 }, { "no", 0 }, { "No", 0 }, { "false", 0 },
		{ "off", 0 }, { "0", 0 },
	};
	struct config cfg;
	struct err err = { 0 };
	char *text, *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = xasprintf("[inbound]\nidle = %s\n", rows[i].word);
		path = write_file("bool.conf", text, 0);
		if (config_load(path, &cfg, &err) == -1)
			fail_msg("%s: %s", rows[i].word, err.msg);
		assert_int_equal(cfg.idle, rows[i].want);
		config_free(&cfg);
		free(path);
		free(text);
	}
}

/* Loads text, expects failure naming path:line, key and what. */
static void
expect_error(const char *name, const char *text, size_t len, int line,
    const char *key, const char *what)
{
	struct config cfg;
	struct err err = { 0 };
	char *path, *where;

	path = write_file("bad.conf", text, len);
	if (config_load(path, &cfg, &err) == 0)
		fail_msg("%s: loaded", name);
	assert_zeroed(&cfg);
	assert_int_equal(err.kind, ERR_INPUT);
	where = xasprintf("%s:%d: ", path, line);
	if (strncmp(err.msg, where, strlen(where)) != 0 ||
	    strstr(err.msg, key) == NULL || strstr(err.msg, what) == NULL)
		fail_msg("%s: got \"%s\", wanted \"%s\", \"%s\", \"%s\"", name,
		    err.msg, where, key, what);
	free(where);
	free(path);
}

struct bad_case {
	const char	*name;
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	int		 line;
	const char	*key;		/* must appear in the message */
	const char	*what;		/* and this too */
};

static const struct bad_case bad_cases[] = {
	{ "unknown section", "[agent]\n[bogus]\nx = 1\n", 0, 2, "[bogus]",
	    "unknown section" },
	{ "section case", "[Agent]\n", 0, 1, "[Agent]", "unknown section" },
	{ "empty section", "[]\n", 0, 1, "[]", "unknown section" },
	{ "text after section", "[agent] x\n", 0, 1, "[agent]",
	    "unexpected text" },
	{ "unknown key", "[agent]\nfoo = 1\n", 0, 2, "[agent] foo",
	    "unknown key" },
	{ "key of another section", "[agent]\nretry_max = 1\n", 0, 2,
	    "retry_max", "unknown key" },
	{ "key before section", "database = x\n[agent]\n", 0, 1, "database",
	    "not in any [section]" },
	{ "empty key name", "[agent]\n= x\n", 0, 2, "key name", "empty" },
	{ "no equals", "[agent]\njunk\n", 0, 2, "", "expected [section]" },
	{ "unclosed section", "[agent\nfrom = a@b.test\n", 0, 1, "",
	    "expected [section]" },
	{ "syntax error before a bad value", "[agent]\njunk\nport = x\n", 0, 2,
	    "", "expected [section]" },
	{ "bad value before a syntax error", "[listener]\nport = x\njunk\n", 0,
	    2, "port", "not a number" },
	{ "duplicate key", "[agent]\nlog_level = info\n\nlog_level = debug\n",
	    0, 4, "[agent] log_level", "duplicate key (first on line 2)" },
	{ "duplicate over sections", "[agent]\nfrom = a@b.test\n[outbound]\n"
	    "[agent]\nfrom = c@d.test\n", 0, 5, "from", "duplicate" },
	{ "the first error first", "[agent]\nbar = 2\nfoo = 1\n", 0, 2, "bar",
	    "unknown key" },
	{ "a line error before a rule's", "[tokens]\nttl_days = 3\n"
	    "[agent]\nfoo = 1\n", 0, 2, "[tokens] remind_days",
	    "less than ttl_days (3)" },
	{ "not a number", "[outbound]\nretry_max = abc\n", 0, 2,
	    "[outbound] retry_max", "not a number between 0 and 100" },
	{ "trailing junk", "[outbound]\nretry_max = 8x\n", 0, 2, "retry_max",
	    "not a number" },
	{ "plus sign", "[outbound]\nretry_max = +8\n", 0, 2, "retry_max",
	    "not a number" },
	{ "empty number", "[outbound]\nretry_max =\n", 0, 2, "retry_max",
	    "needs a value" },
	{ "huge number", "[listener]\nport = 99999999999999999999\n", 0, 2,
	    "port", "not a number between 0 and 65535" },
	{ "negative huge", "[listener]\nport = -2147483649\n", 0, 2, "port",
	    "not a number" },
	{ "bad enum", "[outbound]\nstarttls = maybe\n", 0, 2,
	    "[outbound] starttls", "required, optional, off" },
	{ "bad log level", "[agent]\nlog_level = verbose\n", 0, 2, "log_level",
	    "error, warn, info, debug" },
	{ "log level warning", "[agent]\nlog_level = warning\n", 0, 2,
	    "log_level", "error, warn, info, debug" },
	{ "log level trace", "[agent]\nlog_level = trace\n", 0, 2,
	    "log_level", "error, warn, info, debug" },
	{ "bad bool", "[inbound]\nidle = perhaps\n", 0, 2, "[inbound] idle",
	    "yes or no" },
	{ "bool 2", "[inbound]\nrequire_auth_results = 2\n", 0, 2,
	    "require_auth_results", "yes or no" },
	{ "address no at", "[agent]\nfrom = nobody\n", 0, 2, "[agent] from",
	    "not an e-mail address" },
	{ "address no dot", "[agent]\nfrom = a@localhost\n", 0, 2, "from",
	    "the domain needs a dot" },
	{ "address two ats", "[agent]\nreply_address = a@@b.test\n", 0, 2,
	    "reply_address", "not an e-mail address" },
	{ "address no local", "[agent]\nfrom = @b.test\n", 0, 2, "from",
	    "not an e-mail address" },
	{ "address space", "[agent]\nfrom = a b@c.test\n", 0, 2, "from",
	    "not an e-mail address" },
	{ "address angle", "[agent]\nfrom = <a@c.test\n", 0, 2, "from",
	    "'<' and '>' do not match" },
	{ "address dot end", "[agent]\nfrom = a@c.test.\n", 0, 2, "from",
	    "dot" },
	{ "address empty", "[agent]\nfrom =\n", 0, 2, "from",
	    "needs a value" },
	{ "address list bad", "[agent]\nsupport_addresses = s@x.test, bad\n",
	    0, 2, "support_addresses", "'bad' is not an e-mail address" },
	{ "address list hole",
	    "[agent]\nsupport_addresses = a@x.test,,b@y.test\n", 0, 2,
	    "support_addresses", "empty item" },
	{ "address list empty", "[agent]\nsupport_addresses =\n", 0, 2,
	    "support_addresses", "needs a value" },
	{ "address list long", "[agent]\nsupport_addresses = a@b.co,a@b.co,"
	    "a@b.co,a@b.co,a@b.co,a@b.co,a@b.co,a@b.co,a@b.co,a@b.co,a@b.co,"
	    "a@b.co,a@b.co,a@b.co,a@b.co,a@b.co,a@b.co\n", 0, 2,
	    "support_addresses", "more than 16" },
	{ "base_url scheme", "[agent]\nbase_url = ftp://x.test\n", 0, 2,
	    "base_url", "http:// or https://" },
	{ "base_url no host", "[agent]\nbase_url = http://\n", 0, 2,
	    "base_url", "no host" },
	{ "base_url slash only", "[agent]\nbase_url = https:///x\n", 0, 2,
	    "base_url", "no host" },
	{ "base_url space", "[agent]\nbase_url = http://x.test/a b\n", 0, 2,
	    "base_url", "blanks" },
	{ "base_url quote", "[agent]\nbase_url = http://x.test/\"a\n", 0, 2,
	    "base_url", "quotes" },
	{ "base_url query", "[agent]\nbase_url = http://x.test/?a=1\n", 0, 2,
	    "base_url", "?" },
	{ "outbound scheme", "[outbound]\nurl = http://mail.test\n", 0, 2,
	    "[outbound] url", "smtp://" },
	{ "outbound imap", "[outbound]\nurl = imap://mail.test\n", 0, 2,
	    "[outbound] url", "smtp://" },
	{ "inbound smtp", "[inbound]\nurl = smtp://mail.test\n", 0, 2,
	    "[inbound] url", "imap://" },
	{ "maildir empty", "[outbound]\nurl = maildir:\n", 0, 2, "url",
	    "needs a folder" },
	{ "url credentials", "[outbound]\nurl = smtp://u:pw@mail.test\n", 0, 2,
	    "url", "password_file" },
	{ "url port 0", "[outbound]\nurl = smtp://mail.test:0\n", 0, 2, "url",
	    "between 1 and 65535" },
	{ "url port big", "[outbound]\nurl = smtp://mail.test:65536\n", 0, 2,
	    "url", "between 1 and 65535" },
	{ "url port empty", "[outbound]\nurl = smtp://mail.test:\n", 0, 2,
	    "url", "port" },
	{ "url port junk", "[inbound]\nurl = imap://mail.test:14x/INBOX\n", 0,
	    2, "url", "port" },
	{ "url path", "[outbound]\nurl = smtp://mail.test/x\n", 0, 2, "url",
	    "no path" },
	{ "url no host", "[inbound]\nurl = imap://:143/INBOX\n", 0, 2, "url",
	    "host" },
	{ "url bad host", "[inbound]\nurl = imap://ma_il.test/INBOX\n", 0, 2,
	    "url", "host" },
	{ "url bad v6", "[inbound]\nurl = imap://[::g]/INBOX\n", 0, 2, "url",
	    "host" },
	{ "url v6 unclosed", "[outbound]\nurl = smtp://[::1\n", 0, 2, "url",
	    "host" },
	{ "listener host name", "[listener]\naddress = localhost\n", 0, 2,
	    "[listener] address", "IPv4 or IPv6" },
	{ "listener bad ipv4", "[listener]\naddress = 127.0.0.256\n", 0, 2,
	    "address", "IPv4 or IPv6" },
	{ "listener brackets", "[listener]\naddress = [::1]\n", 0, 2,
	    "address", "IPv4 or IPv6" },
	{ "keys and key_file", "[tokens]\nkey_file = a\nkeys = k1:a\n", 0, 3,
	    "[tokens] keys", "not both" },
	{ "key_file and keys", "[tokens]\nkeys = k1:a\n\nkey_file = a\n", 0, 4,
	    "[tokens] key_file", "not both" },
	{ "kid with space", "[tokens]\nkeys = k 1:a\n", 0, 2, "keys",
	    "key id" },
	{ "kid with slash", "[tokens]\nkeys = k/1:a\n", 0, 2, "keys",
	    "key id" },
	{ "kid non-ascii", "[tokens]\nkeys = k\xc3\xa9:a\n", 0, 2, "keys",
	    "key id" },
	{ "kid empty", "[tokens]\nkeys = :a\n", 0, 2, "keys", "key id" },
	{ "kid too long", "[tokens]\nkeys = "
	    "12345678901234567890123456789012345678901234567890123456789012345"
	    ":a\n", 0, 2, "keys", "1 to 64" },
	{ "key no path", "[tokens]\nkeys = k1\n", 0, 2, "keys",
	    "is not KID:PATH" },
	{ "key empty path", "[tokens]\nkeys = k1:\n", 0, 2, "keys",
	    "is not KID:PATH" },
	{ "keys empty", "[tokens]\nkeys =\n", 0, 2, "keys", "needs a value" },
	{ "keys hole", "[tokens]\nkeys = a:x,,b:y\n", 0, 2, "keys",
	    "empty item" },
	{ "duplicate kid", "[tokens]\nkeys = a:x, b:y, a:z\n", 0, 2, "keys",
	    "'a' given twice" },
	{ "too many keys", "[tokens]\n"
	    "keys = k1:/a,k2:/a,k3:/a,k4:/a,k5:/a,k6:/a,k7:/a,k8:/a,k9:/a\n", 0,
	    2, "keys", "more than 8 keys" },
	{ "remind equals ttl", "[tokens]\nttl_days = 10\nremind_days = 10\n", 0,
	    3, "[tokens] remind_days", "less than ttl_days (10)" },
	{ "remind over ttl", "[tokens]\nremind_days = 20\n\nttl_days = 5\n", 0,
	    2, "remind_days", "less than ttl_days (5)" },
	{ "ttl under default remind", "[tokens]\n\nttl_days = 3\n", 0, 3,
	    "remind_days", "less than ttl_days (3)" },
	{ "auth results without id", "[inbound]\nrequire_auth_results = yes\n",
	    0, 2, "trusted_authserv_id", "require_auth_results = yes" },
	{ "auth results empty id", "[inbound]\nrequire_auth_results = on\n"
	    "trusted_authserv_id =\n", 0, 3, "trusted_authserv_id",
	    "require_auth_results = yes" },
	{ "authserv id blank", "[inbound]\ntrusted_authserv_id = mx .test\n",
	    0, 2, "trusted_authserv_id", "blanks" },
	{ "outbound user no password", "[outbound]\nurl = smtp://m.test\n"
	    "username = agent\n", 0, 3, "[outbound] password_file",
	    "username" },
	{ "inbound user no password", "[inbound]\n\nusername = agent\n", 0, 3,
	    "[inbound] password_file", "username" },
	{ "keyword two words", "[inbound]\nkeywords_approve = JA BITTE\n", 0, 2,
	    "keywords_approve", "not one word" },
	{ "keyword too long", "[inbound]\nkeywords_reject = "
	    "123456789012345678901234567890123\n", 0, 2, "keywords_reject",
	    "longer than 32" },
	{ "keyword hole", "[inbound]\nkeywords_reject = A,\n", 0, 2,
	    "keywords_reject", "empty item" },
	{ "too many keywords", "[inbound]\nkeywords_reject = "
	    "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n", 0, 2, "keywords_reject",
	    "more than 16" },
	{ "bad UTF-8 value", "[tokens]\nissuer = caf\xc3\n", 0, 2,
	    "[tokens] issuer", "not valid UTF-8" },
	{ "overlong UTF-8", "[tokens]\nissuer = \xc0\xaf\n", 0, 2, "issuer",
	    "not valid UTF-8" },
	{ "surrogate", "[tokens]\nissuer = \xed\xa0\x80\n", 0, 2, "issuer",
	    "not valid UTF-8" },
	{ "control character", "[tokens]\nissuer = a\x01z\n", 0, 2,
	    "[tokens] issuer", "control character (U+0001)" },
	{ "escape", "[agent]\ntemplates = a\x1b[31m\n", 0, 2, "templates",
	    "control character" },
	{ "tab inside", "[tokens]\nissuer = a\tb\n", 0, 2, "issuer",
	    "control character (U+0009)" },
	{ "DEL", "[tokens]\nissuer = a\x7f\n", 0, 2, "issuer",
	    "control character (U+007F)" },
	{ "C1 control", "[tokens]\nissuer = a\xc2\x85z\n", 0, 2, "issuer",
	    "control character (U+0085)" },
	{ "NUL in value", "[tokens]\nissuer = a\0b\n", 22, 2, "",
	    "NUL byte" },
	{ "bad bytes in comment", "[agent]\n# caf\xe9\n", 0, 2, "",
	    "not valid UTF-8" },
	{ "bad bytes after value", "[agent]\nfrom = a@b.test ; \xff\n", 0, 2,
	    "", "not valid UTF-8" },
	{ "bad bytes and unknown key", "[agent]\nfoo = 1 ; \xff\n", 0, 2, "",
	    "not valid UTF-8" },
	{ "bad bytes in key", "[agent]\nfr\xffom = a@b.test\n", 0, 2, "",
	    "not valid UTF-8" },
	{ "bad bytes in section", "[ag\xffnt]\n", 0, 1, "", "not valid UTF-8" },
	{ "CR alone", "[agent]\nfrom = a@b.test\rissuer = x\n", 0, 2, "from",
	    "control character (U+000D)" },
	{ "error line after CRLF", "[agent]\r\n\r\nfoo = 1\r\n", 0, 3, "foo",
	    "unknown key" },
	{ "error line after BOM", "\xef\xbb\xbf[agent]\nfoo = 1\n", 0, 2,
	    "foo", "unknown key" },
	{ "unknown section after BOM", "\xef\xbb\xbf[nope]\n", 0, 1, "[nope]",
	    "unknown section" },
};

/* Loads text from several.conf, expects exactly want's lines ("%s" is
 * the file's path) and exit kind ERR_INPUT. */
static void
expect_errors(const char *text, const char *const *want, size_t n)
{
	struct config cfg;
	struct err err = { 0 };
	struct buf b = { 0 };
	char *path;
	size_t i;

	path = write_file("several.conf", text, 0);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_zeroed(&cfg);
	assert_int_equal(err.kind, ERR_INPUT);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s:%s", i ? "\n" : "", path, want[i]);
	assert_string_equal(err.msg, b.data);
	buf_clear(&b);
	free(path);
}

/* Every error at once, one a line, nearest the top first. */
static void
test_several_errors(void **state)
{
	static const char *const lines[] = {
		"2: [agent] foo: unknown key",
		"3: [agent] log_level: must be one of: error, warn, info, debug",
		"4: expected [section] or key = value",
		"6: [outbound] retry_max: not a number between 0 and 100",
		"7: [bogus]: unknown section",
	};
	static const char *const rules[] = {
		"2: [inbound] trusted_authserv_id: needed when "
		    "require_auth_results = yes",
		"3: [inbound] oauth2_scope: only with auth = oauth2",
		"4: [inbound] oauth2_client_id: only with auth = oauth2",
		"6: [tokens] issuer: needs a value",
		"8: [outbound] password_file: needed when username is set",
	};
	/* A refused value keeps its section's rules quiet: the url's error
	 * alone, not "password_file: needed" for the username too. */
	static const char *const quiet[] = {
		"2: [outbound] url: no user name or password in the URL: use "
		    "username and password_file",
		"5: [tokens] ttl_days: not a number between 1 and 365",
	};
	static const char *const unclosed[] = {
		"1: expected [section] or key = value",
		"4: [agent] x: unknown key",
	};

	(void)state;
	/* The keys of an unknown section are not errors of their own. */
	expect_errors("[agent]\nfoo = 1\nlog_level = loud\njunk\n"
	    "[outbound]\nretry_max = 101\n[bogus]\nx = 1\ny = 2\n", lines,
	    sizeof lines / sizeof lines[0]);
	/* Rules between keys, and a value, in line order whatever the
	 * order they are checked in. */
	expect_errors("[inbound]\nrequire_auth_results = yes\n"
	    "oauth2_scope = s\noauth2_client_id = c\n[tokens]\nissuer =\n"
	    "[outbound]\nusername = u\n", rules,
	    sizeof rules / sizeof rules[0]);
	expect_errors("[outbound]\nurl = smtp://u@mail.test\nusername = u\n"
	    "[tokens]\nttl_days = 0\nremind_days = 3\n", quiet,
	    sizeof quiet / sizeof quiet[0]);
	/* inih reads on in the last good section; the keys under a broken
	 * [section] line are not looked at. */
	expect_errors("[agent\nfrom = x\n[agent]\nx = 1\n", unclosed,
	    sizeof unclosed / sizeof unclosed[0]);
}

/* More errors than one message holds: the first ones, then a count. */
static void
test_many_errors(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	struct buf b = { 0 };
	char *path, *want, *line, *next, *tail;
	size_t i, n = 0, more;

	(void)state;
	buf_puts(&b, "[agent]\n");
	for (i = 0; i < 500; i++)
		buf_printf(&b, "unknown%zu = 1\n", i);
	path = write_file("many.conf", b.data, 0);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_zeroed(&cfg);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_true(strlen(err.msg) < ERR_MSG_MAX - 1);
	for (line = err.msg; (next = strchr(line, '\n')) != NULL;
	    line = next + 1) {
		want = xasprintf("%s:%zu: [agent] unknown%zu: unknown key",
		    path, n + 2, n);
		assert_int_equal((size_t)(next - line), strlen(want));
		assert_memory_equal(line, want, strlen(want));
		free(want);
		n++;
	}
	assert_true(n >= 2);
	more = 500 - n;
	tail = xasprintf("%s: and %zu more errors", path, more);
	assert_string_equal(line, tail);
	free(tail);
	free(path);

	/* One error more than were shown: the last needs no room for a
	 * count, so it is shown too, or counted as "1 more error". */
	buf_clear(&b);
	buf_puts(&b, "[agent]\n");
	for (i = 0; i <= n; i++)
		buf_printf(&b, "unknown%zu = 1\n", i);
	path = write_file("many.conf", b.data, 0);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	tail = xasprintf("\n%s: and 1 more error", path);
	want = xasprintf("%s:%zu: [agent] unknown%zu: unknown key", path,
	    n + 2, n);
	line = strrchr(err.msg, '\n');
	assert_non_null(line);
	if (strcmp(line, tail) != 0 && strcmp(line + 1, want) != 0)
		fail_msg("%zu errors: %s", n + 1, err.msg);
	free(want);
	free(tail);
	free(path);
	buf_clear(&b);
}

static void
test_bad_values(void **state)
{
	const struct bad_case *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		c = &bad_cases[i];
		expect_error(c->name, c->text, c->len, c->line, c->key,
		    c->what);
	}
}

/*
 * starttls = off with a username: a clear-text login, allowed only to
 * this host.  "pw" is in the test folder (the file is not read here).
 */
static void
test_clear_login(void **state)
{
	static const struct {
		const char	*section;
		const char	*url;
		const char	*starttls;
		const char	*username;	/* "": none */
		int		 ok;
	} rows[] = {
		{ "inbound", "imap://mail.example.test/INBOX", "off", "a", 0 },
		{ "inbound", "imap://192.0.2.7:143", "off", "a", 0 },
		{ "inbound", "imap://[2001:db8::1]/INBOX", "off", "a", 0 },
		{ "inbound", "imap://128.0.0.1/INBOX", "off", "a", 0 },
		{ "inbound", "imap://localhost.example.test", "off", "a", 0 },
		{ "inbound", "imap://127.0.0.1:1143/INBOX", "off", "a", 1 },
		{ "inbound", "imap://127.255.0.9/INBOX", "off", "a", 1 },
		{ "inbound", "imap://[::1]:1143/INBOX", "off", "a", 1 },
		{ "inbound", "imap://localhost/INBOX", "off", "a", 1 },
		{ "inbound", "imap://LocalHost:143", "off", "a", 1 },
		{ "inbound", "imap://mail.example.test", "required", "a", 1 },
		{ "inbound", "imap://mail.example.test", "optional", "a", 1 },
		{ "inbound", "imaps://mail.example.test", "off", "a", 1 },
		{ "inbound", "imap://mail.example.test", "off", "", 1 },
		{ "outbound", "smtp://relay.example.test:587", "off", "a", 0 },
		{ "outbound", "smtp://[2001:db8::25]", "off", "a", 0 },
		{ "outbound", "smtp://127.0.0.1:2525", "off", "a", 1 },
		{ "outbound", "smtp://[::1]:2525", "off", "a", 1 },
		{ "outbound", "smtp://localhost:2525", "off", "a", 1 },
		{ "outbound", "smtp://relay.example.test", "required", "a", 1 },
		{ "outbound", "smtps://relay.example.test", "off", "a", 1 },
		{ "outbound", "smtp://relay.example.test", "off", "", 1 },
	};
	struct config cfg;
	struct err err = { 0 };
	char *text, *path, *what;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = xasprintf("[%s]\nurl = %s\nstarttls = %s\n"
		    "username = %s\npassword_file = pw\n", rows[i].section,
		    rows[i].url, rows[i].starttls, rows[i].username);
		if (!rows[i].ok) {
			what = xasprintf("use %s or starttls = required",
			    strcmp(rows[i].section, "inbound") == 0 ?
			    "imaps://" : "smtps://");
			expect_error(rows[i].url, text, 0, 3, "starttls: off "
			    "with a username is only for a server on this "
			    "host", what);
			free(what);
			free(text);
			continue;
		}
		path = write_file("login.conf", text, 0);
		if (config_load(path, &cfg, &err) == -1)
			fail_msg("%s: %s", rows[i].url, err.msg);
		config_free(&cfg);
		free(path);
		free(text);
	}
	/* The error names the starttls line, wherever it is. */
	expect_error("starttls last", "[inbound]\n"
	    "username = a\nurl = imap://mail.example.test\n"
	    "password_file = pw\n\nstarttls = off\n", 0, 6,
	    "[inbound] starttls", "imaps://");
}

/* ---- OAuth2 sign-in ---- */

#define CLIENT		"00000000-1111-2222-3333-444444444444"
#define MS_LOGIN	"https://login.microsoftonline.com/"
#define MS_TENANT	"contoso.onmicrosoft.com"
#define MS_SCOPE_IMAP	"https://outlook.office.com/IMAP.AccessAsUser.All " \
			"offline_access"
#define MS_SCOPE_SMTP	"https://outlook.office.com/SMTP.Send offline_access"
#define MS_SCOPE_APP	"https://outlook.office365.com/.default"
#define GOOGLE_TOKEN	"https://oauth2.googleapis.com/token"
#define GOOGLE_SCOPE	"https://mail.google.com/"

/*
 * What an account with auth = oauth2 needs besides its provider's keys,
 * on lines 1 to 5 (auth on line 4): the next line is 6.
 */
#define IN_OAUTH	"[inbound]\n" \
			"url = imaps://outlook.office365.com/INBOX\n" \
			"username = agent@contoso.example\nauth = oauth2\n" \
			"oauth2_client_id = " CLIENT "\n"
#define OUT_OAUTH	"[outbound]\nurl = smtp://smtp.office365.com:587\n" \
			"username = agent@contoso.example\nauth = oauth2\n" \
			"oauth2_client_id = " CLIENT "\n"
#define MS		"oauth2_provider = microsoft\noauth2_tenant = " \
			MS_TENANT "\n"
#define GOOGLE		"oauth2_provider = google\n"

/* secret and key: NULL for none, a relative path is in tmp. */
struct oauth_case {
	const char		*name;
	const char		*text;
	int			 inbound;
	enum oauth_provider	 provider;
	enum oauth_grant	 grant;
	enum oauth_mechanism	 mechanism;
	const char		*token_url;
	const char		*device_url;	/* NULL: none */
	const char		*scope;
	const char		*secret;
	const char		*key;
};

static const struct oauth_case oauth_cases[] = {
	{ "microsoft, inbound", IN_OAUTH MS, 1, OAUTH_MICROSOFT,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/token",
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/devicecode", MS_SCOPE_IMAP, NULL,
	    NULL },
	{ "microsoft, outbound", OUT_OAUTH MS, 0, OAUTH_MICROSOFT,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/token",
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/devicecode", MS_SCOPE_SMTP, NULL,
	    NULL },
	{ "microsoft, a directory id", OUT_OAUTH "oauth2_provider = microsoft\n"
	    "oauth2_tenant = 9188040d-6c67-4c5b-b112-36a304b66dad\n", 0,
	    OAUTH_MICROSOFT, GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    MS_LOGIN "9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token",
	    MS_LOGIN "9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/"
	    "devicecode", MS_SCOPE_SMTP, NULL, NULL },
	{ "microsoft, a confidential client", IN_OAUTH MS
	    "oauth2_client_secret_file = secret/client\n", 1, OAUTH_MICROSOFT,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/token",
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/devicecode", MS_SCOPE_IMAP,
	    "secret/client", NULL },
	{ "microsoft, app-only, inbound", IN_OAUTH MS
	    "oauth2_grant = client_credentials\n"
	    "oauth2_client_secret_file = secret/client\n", 1, OAUTH_MICROSOFT,
	    GRANT_CLIENT_CREDENTIALS, MECH_XOAUTH2,
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/token",
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/devicecode", MS_SCOPE_APP,
	    "secret/client", NULL },
	{ "microsoft, app-only, outbound", OUT_OAUTH MS
	    "oauth2_grant = client_credentials\n"
	    "oauth2_client_secret_file = /etc/mscagent/out.secret\n", 0,
	    OAUTH_MICROSOFT, GRANT_CLIENT_CREDENTIALS, MECH_XOAUTH2,
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/token",
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/devicecode", MS_SCOPE_APP,
	    "/etc/mscagent/out.secret", NULL },
	{ "microsoft, oauthbearer for SMTP", OUT_OAUTH MS
	    "oauth2_mechanism = oauthbearer\n", 0, OAUTH_MICROSOFT,
	    GRANT_REFRESH_TOKEN, MECH_OAUTHBEARER,
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/token",
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/devicecode", MS_SCOPE_SMTP, NULL,
	    NULL },
	{ "microsoft, scope given", IN_OAUTH MS "oauth2_scope = "
	    "https://outlook.office.com/IMAP.AccessAsUser.All\n", 1,
	    OAUTH_MICROSOFT, GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/token",
	    MS_LOGIN MS_TENANT "/oauth2/v2.0/devicecode",
	    "https://outlook.office.com/IMAP.AccessAsUser.All", NULL, NULL },
	{ "microsoft, URLs given", IN_OAUTH MS "oauth2_token_url = "
	    "https://login.microsoftonline.us/c.example/oauth2/v2.0/token\n"
	    "oauth2_device_url = https://login.microsoftonline.us/c.example/"
	    "oauth2/v2.0/devicecode\n", 1, OAUTH_MICROSOFT,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    "https://login.microsoftonline.us/c.example/oauth2/v2.0/token",
	    "https://login.microsoftonline.us/c.example/oauth2/v2.0/devicecode",
	    MS_SCOPE_IMAP, NULL, NULL },
	{ "microsoft, token URL and scope given, no tenant", IN_OAUTH
	    "oauth2_provider = microsoft\noauth2_token_url = "
	    "https://login.example.test/t/token\noauth2_scope = imap\n", 1,
	    OAUTH_MICROSOFT, GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    "https://login.example.test/t/token", NULL, "imap", NULL, NULL },
	{ "google, inbound", IN_OAUTH GOOGLE, 1, OAUTH_GOOGLE,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2, GOOGLE_TOKEN, NULL, GOOGLE_SCOPE,
	    NULL, NULL },
	{ "google, outbound with a secret", OUT_OAUTH GOOGLE
	    "oauth2_client_secret_file = google.secret\n", 0, OAUTH_GOOGLE,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2, GOOGLE_TOKEN, NULL, GOOGLE_SCOPE,
	    "google.secret", NULL },
	{ "google, a key file makes jwt_bearer", IN_OAUTH GOOGLE
	    "oauth2_key_file = keys/sa.pem\n", 1, OAUTH_GOOGLE,
	    GRANT_JWT_BEARER, MECH_XOAUTH2, GOOGLE_TOKEN, NULL, GOOGLE_SCOPE,
	    NULL, "keys/sa.pem" },
	{ "google, jwt_bearer named", OUT_OAUTH GOOGLE
	    "oauth2_grant = jwt_bearer\noauth2_key_file = /k/sa.pem\n", 0,
	    OAUTH_GOOGLE, GRANT_JWT_BEARER, MECH_XOAUTH2, GOOGLE_TOKEN, NULL,
	    GOOGLE_SCOPE, NULL, "/k/sa.pem" },
	{ "google, URL and scope given", IN_OAUTH GOOGLE
	    "oauth2_token_url = https://oauth2.example.test/token\n"
	    "oauth2_scope = https://mail.google.com/ email\n", 1, OAUTH_GOOGLE,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    "https://oauth2.example.test/token", NULL,
	    "https://mail.google.com/ email", NULL, NULL },
	{ "custom", IN_OAUTH "oauth2_provider = custom\noauth2_token_url = "
	    "https://idp.example.test/realms/m/protocol/openid-connect/token\n"
	    "oauth2_device_url = https://idp.example.test:8443/device\n"
	    "oauth2_scope = imap offline_access\n", 1, OAUTH_CUSTOM,
	    GRANT_REFRESH_TOKEN, MECH_XOAUTH2,
	    "https://idp.example.test/realms/m/protocol/openid-connect/token",
	    "https://idp.example.test:8443/device", "imap offline_access", NULL,
	    NULL },
	{ "custom by default", OUT_OAUTH
	    "oauth2_token_url = https://[2001:db8::1]/token\n"
	    "oauth2_scope = smtp\n", 0, OAUTH_CUSTOM, GRANT_REFRESH_TOKEN,
	    MECH_XOAUTH2, "https://[2001:db8::1]/token", NULL, "smtp", NULL,
	    NULL },
	{ "custom on 127.0.0.1", IN_OAUTH
	    "oauth2_token_url = http://127.0.0.1:8080/token\n"
	    "oauth2_device_url = http://[::1]:8080/device\n"
	    "oauth2_scope = s\n", 1, OAUTH_CUSTOM, GRANT_REFRESH_TOKEN,
	    MECH_XOAUTH2, "http://127.0.0.1:8080/token",
	    "http://[::1]:8080/device", "s", NULL, NULL },
	{ "custom on localhost", OUT_OAUTH
	    "oauth2_token_url = http://LocalHost/token?x=1\n"
	    "oauth2_scope = s\n", 0, OAUTH_CUSTOM, GRANT_REFRESH_TOKEN,
	    MECH_XOAUTH2, "http://LocalHost/token?x=1", NULL, "s", NULL, NULL },
	{ "custom, client_credentials", OUT_OAUTH
	    "oauth2_token_url = https://idp.example.test/token\n"
	    "oauth2_scope = s\noauth2_grant = client_credentials\n"
	    "oauth2_client_secret_file = s.secret\n", 0, OAUTH_CUSTOM,
	    GRANT_CLIENT_CREDENTIALS, MECH_XOAUTH2,
	    "https://idp.example.test/token", NULL, "s", "s.secret", NULL },
	{ "custom, jwt_bearer", IN_OAUTH
	    "oauth2_token_url = https://idp.example.test/token\n"
	    "oauth2_scope = s\noauth2_key_file = k.pem\n", 1, OAUTH_CUSTOM,
	    GRANT_JWT_BEARER, MECH_XOAUTH2, "https://idp.example.test/token",
	    NULL, "s", NULL, "k.pem" },
	{ "names in any case", "[outbound]\nurl = smtps://smtp.gmail.com\n"
	    "username = a@b.test\nauth = OAuth2\n"
	    "oauth2_client_id = " CLIENT "\noauth2_provider = Google\n"
	    "oauth2_grant = REFRESH_TOKEN\n"
	    "oauth2_mechanism = OAuthBearer\n", 0, OAUTH_GOOGLE,
	    GRANT_REFRESH_TOKEN, MECH_OAUTHBEARER, GOOGLE_TOKEN, NULL,
	    GOOGLE_SCOPE, NULL, NULL },
};

/* A path of the file: absolute as it is, else under tmp. */
static void
assert_opt_path(const char *got, const char *want)
{
	if (want == NULL || *want == '/')
		support_assert_string(got, want);
	else
		assert_path(got, tmp, want);
}

/* An account left to password sign-in: no OAuth2 setting at all. */
static void
assert_password(const struct config_oauth *o)
{
	assert_int_equal(o->auth, AUTH_PASSWORD);
	assert_null(o->tenant);
	assert_null(o->token_url);
	assert_null(o->device_url);
	assert_null(o->client_id);
	assert_null(o->client_secret_file);
	assert_null(o->scope);
	assert_null(o->key_file);
}

static void
check_oauth_case(const struct oauth_case *c)
{
	const struct config_oauth *o;
	struct config cfg;
	struct err err = { 0 };
	char *path;

	path = write_file("oauth.conf", c->text, 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s: %s", c->name, err.msg);
	o = c->inbound ? &cfg.in_oauth : &cfg.out_oauth;
	assert_int_equal(o->auth, AUTH_OAUTH2);
	assert_int_equal(o->provider, c->provider);
	assert_int_equal(o->grant, c->grant);
	assert_int_equal(o->mechanism, c->mechanism);
	assert_string_equal(o->client_id, CLIENT);
	support_assert_string(o->token_url, c->token_url);
	support_assert_string(o->device_url, c->device_url);
	support_assert_string(o->scope, c->scope);
	assert_opt_path(o->client_secret_file, c->secret);
	assert_opt_path(o->key_file, c->key);
	/* The other account keeps its password sign-in. */
	assert_password(c->inbound ? &cfg.out_oauth : &cfg.in_oauth);
	config_free(&cfg);
	assert_zeroed(&cfg);
	free(path);
}

static void
test_oauth_settings(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof oauth_cases / sizeof oauth_cases[0]; i++)
		check_oauth_case(&oauth_cases[i]);
}

/* Both accounts at once, each with its own provider; and the default. */
static void
test_oauth_both_accounts(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	char *path;

	(void)state;
	path = write_file("both.conf", IN_OAUTH MS OUT_OAUTH GOOGLE
	    "oauth2_key_file = sa.pem\n", 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.in_oauth.provider, OAUTH_MICROSOFT);
	assert_string_equal(cfg.in_oauth.tenant, MS_TENANT);
	assert_string_equal(cfg.in_oauth.scope, MS_SCOPE_IMAP);
	assert_null(cfg.in_oauth.key_file);
	assert_int_equal(cfg.out_oauth.provider, OAUTH_GOOGLE);
	assert_null(cfg.out_oauth.tenant);
	assert_int_equal(cfg.out_oauth.grant, GRANT_JWT_BEARER);
	assert_string_equal(cfg.out_oauth.token_url, GOOGLE_TOKEN);
	assert_path(cfg.out_oauth.key_file, tmp, "sa.pem");
	/* Neither needs a password file. */
	assert_null(cfg.in_password_file);
	assert_null(cfg.out_password_file);
	config_free(&cfg);
	assert_zeroed(&cfg);
	free(path);

	path = write_file("none.conf", "[outbound]\nauth = password\n", 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_password(&cfg.out_oauth);
	assert_password(&cfg.in_oauth);
	assert_int_equal(cfg.out_oauth.grant, GRANT_REFRESH_TOKEN);
	assert_int_equal(cfg.out_oauth.mechanism, MECH_XOAUTH2);
	assert_int_equal(cfg.out_oauth.provider, OAUTH_CUSTOM);
	config_free(&cfg);
	free(path);

	assert_string_equal(config_grant_name(GRANT_REFRESH_TOKEN),
	    "refresh_token");
	assert_string_equal(config_grant_name(GRANT_CLIENT_CREDENTIALS),
	    "client_credentials");
	assert_string_equal(config_grant_name(GRANT_JWT_BEARER), "jwt_bearer");
	assert_string_equal(config_grant_name((enum oauth_grant)9), "unknown");
}

static const struct bad_case oauth_bad_cases[] = {
	/* OAuth2 keys with a password sign-in. */
	{ "client id with a password", "[inbound]\n"
	    "url = imaps://mx.example.test\nusername = a@b.test\n"
	    "password_file = pw\noauth2_client_id = " CLIENT "\n", 0, 5,
	    "[inbound] oauth2_client_id", "only with auth = oauth2" },
	{ "scope with auth = password", "[outbound]\nauth = password\n\n"
	    "oauth2_scope = a b\n", 0, 4, "[outbound] oauth2_scope",
	    "only with auth = oauth2" },
	{ "mechanism with a password", "[outbound]\n"
	    "oauth2_mechanism = xoauth2\n", 0, 2, "[outbound] oauth2_mechanism",
	    "only with auth = oauth2" },
	/* What auth = oauth2 needs. */
	{ "oauth2 on maildir, inbound", "[inbound]\nusername = a@b.test\n"
	    "auth = oauth2\noauth2_client_id = c\n" GOOGLE, 0, 3,
	    "[inbound] auth",
	    "oauth2 needs a mail server (url = imaps://...)" },
	{ "oauth2 on maildir, outbound", "[outbound]\nurl = maildir:out\n"
	    "username = a@b.test\n\nauth = oauth2\noauth2_client_id = c\n"
	    GOOGLE, 0, 5, "[outbound] auth",
	    "oauth2 needs a mail server (url = smtps://...)" },
	{ "no username", "[inbound]\nurl = imaps://imap.gmail.com\n"
	    "auth = oauth2\noauth2_client_id = c\n" GOOGLE, 0, 3,
	    "[inbound] username", "needed with auth = oauth2 (the mailbox "
	    "address)" },
	{ "a password file", IN_OAUTH GOOGLE "password_file = pw\n", 0, 7,
	    "[inbound] password_file",
	    "not used with auth = oauth2; remove it" },
	{ "no client id", "[outbound]\nurl = smtp://smtp.gmail.com:587\n"
	    "username = a@b.test\n\nauth = oauth2\n" GOOGLE, 0, 5,
	    "[outbound] oauth2_client_id", "needed with auth = oauth2" },
	{ "empty client id", "[outbound]\nurl = smtp://smtp.gmail.com:587\n"
	    "username = a@b.test\nauth = oauth2\noauth2_client_id =\n" GOOGLE,
	    0, 5, "[outbound] oauth2_client_id", "needed with auth = oauth2" },
	{ "client id with a blank", "[inbound]\noauth2_client_id = a b\n", 0, 2,
	    "[inbound] oauth2_client_id", "must not contain blanks" },
	{ "oauth2 in [agent]", "[agent]\nauth = oauth2\n", 0, 2, "[agent] auth",
	    "unknown key" },
	/* The token and device URLs. */
	{ "http token URL", IN_OAUTH
	    "oauth2_token_url = http://idp.example.test/token\n"
	    "oauth2_scope = s\n", 0, 6, "[inbound] oauth2_token_url",
	    "must start with https:// (http:// only to this host" },
	{ "http to a name like loopback", IN_OAUTH
	    "oauth2_token_url = http://127.0.0.1.example.test/token\n"
	    "oauth2_scope = s\n", 0, 6, "[inbound] oauth2_token_url",
	    "http:// only to this host" },
	{ "http to localhost's namesake", OUT_OAUTH "oauth2_scope = s\n"
	    "oauth2_token_url = http://localhost.example.test/token\n", 0, 7,
	    "[outbound] oauth2_token_url", "http:// only to this host" },
	{ "http to 128.0.0.1", IN_OAUTH "oauth2_scope = s\n"
	    "oauth2_token_url = http://128.0.0.1/token\n", 0, 7,
	    "oauth2_token_url", "http:// only to this host" },
	{ "http device URL", IN_OAUTH MS
	    "oauth2_device_url = http://login.example.test/device\n", 0, 8,
	    "[inbound] oauth2_device_url", "http:// only to this host" },
	{ "ftp token URL", IN_OAUTH
	    "oauth2_token_url = ftp://idp.example.test/token\n"
	    "oauth2_scope = s\n", 0, 6, "[inbound] oauth2_token_url",
	    "must start with https://" },
	{ "no scheme", IN_OAUTH GOOGLE
	    "oauth2_token_url = oauth2.googleapis.com/token\n", 0, 7,
	    "[inbound] oauth2_token_url", "must start with https://" },
	{ "user in the token URL", IN_OAUTH
	    "oauth2_token_url = https://client@idp.example.test/token\n"
	    "oauth2_scope = s\n", 0, 6, "[inbound] oauth2_token_url",
	    "no user name or password in the URL" },
	{ "password in the token URL", OUT_OAUTH MS
	    "oauth2_token_url = https://c:secret@login.example.test/token\n",
	    0, 8, "[outbound] oauth2_token_url",
	    "no user name or password in the URL" },
	{ "quote in the token URL", IN_OAUTH
	    "oauth2_token_url = https://idp.example.test/\"token\n"
	    "oauth2_scope = s\n", 0, 6, "[inbound] oauth2_token_url",
	    "not a URL" },
	{ "blank in the token URL", IN_OAUTH
	    "oauth2_token_url = https://idp.example.test/ token\n", 0, 6,
	    "[inbound] oauth2_token_url", "must not contain blanks" },
	{ "no host in the token URL", IN_OAUTH
	    "oauth2_token_url = https:///token\noauth2_scope = s\n", 0, 6,
	    "[inbound] oauth2_token_url", "no valid host name" },
	{ "port 0 in the token URL", IN_OAUTH
	    "oauth2_token_url = https://idp.example.test:0/token\n"
	    "oauth2_scope = s\n", 0, 6, "[inbound] oauth2_token_url",
	    "between 1 and 65535" },
	/* Presets. */
	{ "tenant with a slash", IN_OAUTH "oauth2_provider = microsoft\n"
	    "oauth2_tenant = a/b\n", 0, 7, "[inbound] oauth2_tenant",
	    "must be a directory id or a domain" },
	{ "tenant with a query", OUT_OAUTH "oauth2_provider = microsoft\n"
	    "oauth2_tenant = common?x=1\n", 0, 7, "[outbound] oauth2_tenant",
	    "must be a directory id or a domain" },
	{ "tenant too long", IN_OAUTH "oauth2_provider = microsoft\n"
	    "oauth2_tenant = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\n", 0, 7, "[inbound] oauth2_tenant",
	    "must be a directory id or a domain" },
	{ "tenant with a blank", IN_OAUTH "oauth2_provider = microsoft\n"
	    "oauth2_tenant = a b\n", 0, 7, "[inbound] oauth2_tenant",
	    "must not contain blanks" },
	{ "microsoft without a tenant", IN_OAUTH
	    "oauth2_provider = microsoft\n", 0, 4, "[inbound] oauth2_tenant",
	    "needed with oauth2_provider = microsoft" },
	{ "custom without a token URL", IN_OAUTH "oauth2_scope = s\n", 0, 4,
	    "[inbound] oauth2_token_url",
	    "needed with oauth2_provider = custom" },
	{ "custom without a scope", OUT_OAUTH "oauth2_provider = custom\n"
	    "oauth2_token_url = https://idp.example.test/token\n", 0, 4,
	    "[outbound] oauth2_scope", "needed with oauth2_provider = custom" },
	/* Grants. */
	{ "jwt_bearer without a key", IN_OAUTH GOOGLE
	    "oauth2_grant = jwt_bearer\n", 0, 4, "[inbound] oauth2_key_file",
	    "needed with oauth2_grant = jwt_bearer" },
	{ "a key with refresh_token", IN_OAUTH GOOGLE
	    "oauth2_grant = refresh_token\noauth2_key_file = sa.pem\n", 0, 8,
	    "[inbound] oauth2_key_file",
	    "only with oauth2_grant = jwt_bearer" },
	{ "a key with client_credentials", OUT_OAUTH MS
	    "oauth2_grant = client_credentials\n"
	    "oauth2_client_secret_file = s\noauth2_key_file = sa.pem\n", 0, 10,
	    "[outbound] oauth2_key_file",
	    "only with oauth2_grant = jwt_bearer" },
	{ "client_credentials without a secret", IN_OAUTH MS
	    "oauth2_grant = client_credentials\n", 0, 4,
	    "[inbound] oauth2_client_secret_file",
	    "needed with oauth2_grant = client_credentials" },
	{ "jwt_bearer with microsoft", IN_OAUTH MS "oauth2_key_file = sa.pem\n"
	    "oauth2_grant = jwt_bearer\n", 0, 9, "[inbound] oauth2_grant",
	    "jwt_bearer is for Google service accounts" },
	{ "a key with microsoft", OUT_OAUTH MS "oauth2_key_file = sa.pem\n", 0,
	    4, "[outbound] oauth2_grant",
	    "Microsoft's app-only sign-in is client_credentials" },
	{ "client_credentials with google", OUT_OAUTH GOOGLE
	    "oauth2_client_secret_file = s\n"
	    "oauth2_grant = client_credentials\n", 0, 8,
	    "[outbound] oauth2_grant", "Google has no client_credentials" },
	{ "oauthbearer for IMAP", IN_OAUTH GOOGLE
	    "oauth2_mechanism = oauthbearer\n", 0, 7,
	    "[inbound] oauth2_mechanism", "IMAP signs in with xoauth2 only" },
	/* Names. */
	{ "unknown auth", "[outbound]\nauth = kerberos\n", 0, 2,
	    "[outbound] auth", "must be one of: password, oauth2" },
	{ "empty auth", "[inbound]\nauth =\n", 0, 2, "[inbound] auth",
	    "needs a value" },
	{ "unknown provider", IN_OAUTH "oauth2_provider = azure\n", 0, 6,
	    "[inbound] oauth2_provider",
	    "must be one of: microsoft, google, custom" },
	{ "unknown grant", OUT_OAUTH "oauth2_grant = password\n", 0, 6,
	    "[outbound] oauth2_grant",
	    "must be one of: refresh_token, client_credentials, jwt_bearer" },
	{ "device grant", OUT_OAUTH "oauth2_grant = device_code\n", 0, 6,
	    "[outbound] oauth2_grant", "must be one of:" },
	{ "unknown mechanism", OUT_OAUTH "oauth2_mechanism = plain\n", 0, 6,
	    "[outbound] oauth2_mechanism",
	    "must be one of: xoauth2, oauthbearer" },
	{ "duplicate provider", IN_OAUTH GOOGLE GOOGLE, 0, 7,
	    "[inbound] oauth2_provider", "duplicate key (first on line 6)" },
};

static void
test_oauth_errors(void **state)
{
	const struct bad_case *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof oauth_bad_cases / sizeof oauth_bad_cases[0];
	    i++) {
		c = &oauth_bad_cases[i];
		expect_error(c->name, c->text, c->len, c->line, c->key,
		    c->what);
	}
}

/* Every number at min-1, min, min+1, max-1, max and max+1. */
static void
test_int_bounds(void **state)
{
	static const struct {
		const char	*section;
		const char	*key;
		int		 min, max;
		size_t		 offset;
		const char	*extra;	/* keeps cross-checks quiet */
	} rows[] = {
		{ "agent", "approval_remind_days", 0, 365,
		    F(approval_remind_days), "" },
		{ "outbound", "retry_max", 0, 100, F(out_retry_max), "" },
		{ "inbound", "poll_seconds", 5, 3600, F(poll_seconds), "" },
		{ "listener", "port", 0, 65535, F(listen_port), "" },
		{ "listener", "max_connections", 1, 10000, F(max_connections),
		    "" },
		{ "tokens", "ttl_days", 1, 365, F(ttl_days),
		    "remind_days = 0\n" },
		{ "tokens", "remind_days", 0, 364, F(remind_days),
		    "ttl_days = 365\n" },
	};
	struct config cfg;
	struct err err = { 0 };
	char *text, *path, *what;
	size_t i;
	int d, v, ok;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		what = xasprintf("not a number between %d and %d",
		    rows[i].min, rows[i].max);
		for (d = -1; d <= 4; d++) {
			v = d <= 1 ? rows[i].min + d : rows[i].max + d - 3;
			ok = v >= rows[i].min && v <= rows[i].max;
			text = xasprintf("[%s]\n%s%s = %d\n", rows[i].section,
			    rows[i].extra, rows[i].key, v);
			if (!ok) {
				expect_error(rows[i].key, text, 0,
				    *rows[i].extra ? 3 : 2, rows[i].key, what);
				free(text);
				continue;
			}
			path = write_file("int.conf", text, 0);
			if (config_load(path, &cfg, &err) == -1)
				fail_msg("%s = %d: %s", rows[i].key, v,
				    err.msg);
			assert_int_equal(*(int *)((char *)&cfg +
			    rows[i].offset), v);
			config_free(&cfg);
			free(path);
			free(text);
		}
		free(what);
	}
}

/* inih would split a long line in two; the reader must refuse it. */
static void
test_long_lines(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	struct buf b = { 0 };
	char *path, *what;
	size_t n;

	(void)state;
	what = xasprintf("longer than %d bytes", CONFIG_LINE_MAX);
	/* "issuer = " is 9 bytes: CONFIG_LINE_MAX in all is the longest. */
	buf_puts(&b, "[tokens]\nissuer = ");
	for (n = 9; n < CONFIG_LINE_MAX; n++)
		buf_puts(&b, "x");
	buf_puts(&b, "\r\n");
	path = write_file("long.conf", b.data, 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%d bytes: %s", CONFIG_LINE_MAX, err.msg);
	assert_int_equal(strlen(cfg.issuer), CONFIG_LINE_MAX - 9);
	config_free(&cfg);
	free(path);

	b.len -= 2;
	buf_puts(&b, "y\n");
	expect_error("one byte more", b.data, 0, 2, "[tokens] issuer", what);

	/* A tail that looks like a key must not be read as one. */
	buf_clear(&b);
	buf_puts(&b, "[agent]\ntemplates = /");
	for (n = 0; n < 300; n++)
		buf_puts(&b, "d");
	buf_puts(&b, "database = /tmp/evil.db\n");
	expect_error("split line", b.data, 0, 2, "[agent] templates", what);

	buf_clear(&b);
	buf_puts(&b, "[agent]\n\n# ");
	for (n = 0; n < 10000; n++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "\nfoo = 1\n");
	expect_error("long comment", b.data, 0, 3, "", what);

	buf_clear(&b);
	buf_puts(&b, "[");
	for (n = 0; n < 250; n++)
		buf_puts(&b, "s");
	buf_puts(&b, "]\n");
	expect_error("long section", b.data, 0, 1, "", what);
	buf_clear(&b);
	free(what);
}

/* A list of n items "<prefix><i>", comma separated. */
static char *
list_of(size_t n, const char *prefix, const char *suffix)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s%zu%s", i ? "," : "", prefix, i, suffix);
	return buf_release(&b);
}

/* Text "<head><value>\n" for values at a limit and one past it. */
static void
expect_limit(const char *head, const char *at, const char *over,
    const char *key, const char *what)
{
	struct config cfg;
	struct err err = { 0 };
	char *text, *path;

	text = xasprintf("%s%s\n", head, at);
	path = write_file("limit.conf", text, 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s at the limit: %s", key, err.msg);
	config_free(&cfg);
	free(path);
	free(text);
	text = xasprintf("%s%s\n", head, over);
	expect_error(key, text, 0, 2, key, what);
	free(text);
}

/* Each limit on a value, at the limit and one past it. */
static void
test_value_limits(void **state)
{
	static const struct {
		const char	*head;
		const char	*key;
		int		 max;
		const char	*prefix, *suffix; /* list items; NULL: one
						     word of max bytes */
		const char	*before, *after;  /* the error: "before
						     max after" */
	} rows[] = {
		{ "[agent]\nsupport_addresses = ", "support_addresses",
		  CONFIG_ADDRS_MAX, "s", "@x.co", "more than", "addresses" },
		{ "[inbound]\nkeywords_approve = ", "keywords_approve",
		  CONFIG_KEYWORDS_MAX, "k", "", "more than", "keywords" },
		{ "[tokens]\nkeys = ", "[tokens] keys", CONFIG_KEYS_MAX, "k",
		  ":/a", "more than", "keys" },
		{ "[tokens]\nkeys = ", "[tokens] keys", CONFIG_KID_MAX, NULL,
		  ":/a", "1 to", "of" },
		{ "[inbound]\nkeywords_reject = ", "keywords_reject",
		  CONFIG_KEYWORD_MAX, NULL, "", "longer than", "bytes" },
	};
	char *at, *over, *what;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (rows[i].prefix != NULL) {
			at = list_of(rows[i].max, rows[i].prefix,
			    rows[i].suffix);
			over = list_of(rows[i].max + 1, rows[i].prefix,
			    rows[i].suffix);
		} else {
			at = xasprintf("%0*d%s", rows[i].max, 0,
			    rows[i].suffix);
			over = xasprintf("%0*d%s", rows[i].max + 1, 0,
			    rows[i].suffix);
		}
		what = xasprintf("%s %d %s", rows[i].before, rows[i].max,
		    rows[i].after);
		expect_limit(rows[i].head, at, over, rows[i].key, what);
		free(what);
		free(over);
		free(at);
	}
}

static void
test_unreadable(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	struct buf b = { 0 };
	char *path, *want;
	size_t n;

	(void)state;
	path = xasprintf("%s/missing.conf", tmp);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_zeroed(&cfg);
	want = xasprintf("%s: cannot read: No such file or directory", path);
	assert_string_equal(err.msg, want);
	free(want);
	free(path);

	make_dir("adir");
	path = xasprintf("%s/adir", tmp);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_zeroed(&cfg);
	want = xasprintf("%s: cannot read: Is a directory", path);
	assert_string_equal(err.msg, want);
	free(want);
	free(path);

	for (n = 0; n < 1000; n++)
		buf_puts(&b, "# a comment line that is seventy bytes long, "
		    "more or less, padding\n");
	path = write_file("huge.conf", b.data, 0);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_zeroed(&cfg);
	assert_non_null(strstr(err.msg, "larger than"));
	free(path);
	buf_clear(&b);
}

/* The text in memory reads as the same file would: paths, NULs, size. */
static void
test_parse_buffer(void **state)
{
	static const char text[] = "[agent]\ndatabase = db/a.db\n"
	    "[tokens]\nttl_days = 9\n";
	static const char nul[] = "[agent]\nlog_level = info\0x\n";
	struct config cfg;
	struct err err = { 0 };
	struct buf b = { 0 };
	char *path, *file, *want;
	size_t n;

	(void)state;
	path = xasprintf("%s/mem.conf", tmp);
	if (config_parse(path, text, sizeof text - 1, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.path, path);
	assert_path(cfg.database, tmp, "db/a.db");
	assert_int_equal(cfg.ttl_days, 9);
	config_free(&cfg);

	assert_int_equal(config_parse(path, NULL, 0, &cfg, &err), 0);
	assert_int_equal(cfg.ttl_days, 30);
	config_free(&cfg);

	assert_int_equal(config_parse(path, nul, sizeof nul - 1, &cfg, &err),
	    -1);
	assert_zeroed(&cfg);
	assert_non_null(strstr(err.msg, "mem.conf:2: the line contains a "
	    "NUL byte"));

	/* CONFIG_FILE_MAX bytes, in memory and in a file; then one more. */
	for (n = 0; n < CONFIG_FILE_MAX / 8; n++)
		buf_puts(&b, "#567890\n");
	assert_int_equal(b.len, CONFIG_FILE_MAX);
	assert_int_equal(config_parse(path, b.data, b.len, &cfg, &err), 0);
	config_free(&cfg);
	file = write_file("max.conf", b.data, b.len);
	if (config_load(file, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	config_free(&cfg);
	free(file);
	buf_puts(&b, "\n");
	want = xasprintf("larger than %d bytes", CONFIG_FILE_MAX);
	assert_int_equal(config_parse(path, b.data, b.len, &cfg, &err), -1);
	assert_zeroed(&cfg);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_non_null(strstr(err.msg, want));
	file = write_file("max.conf", b.data, b.len);
	assert_int_equal(config_load(file, &cfg, &err), -1);
	assert_zeroed(&cfg);
	assert_int_equal(err.kind, ERR_INPUT);
	assert_non_null(strstr(err.msg, want));
	free(file);
	free(want);
	buf_clear(&b);
	free(path);

	path = xasprintf("%s/no-such-folder/mem.conf", tmp);
	assert_int_equal(config_parse(path, text, sizeof text - 1, &cfg,
	    &err), -1);
	assert_zeroed(&cfg);
	assert_int_equal(err.kind, ERR_RUNTIME);
	free(path);
}

static void
expect_locate(const char *arg, const char *want)
{
	struct err err = { 0 };
	const char *got;

	got = config_locate(arg, &err);
	if (want == NULL) {
		assert_null(got);
		assert_int_equal(err.kind, ERR_INPUT);
		assert_string_equal(err.msg, "no configuration: "
		    "conf/agent.conf not found and MSCAGENT_CONF not set "
		    "(use -c FILE)");
	} else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
test_locate(void **state)
{
	char cwd[PATH_MAX], *dir, *path;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	make_dir("locate");
	dir = xasprintf("%s/locate", tmp);
	assert_int_equal(chdir(dir), 0);

	unsetenv("MSCAGENT_CONF");
	expect_locate(NULL, NULL);
	expect_locate("my.conf", "my.conf");
	setenv("MSCAGENT_CONF", "", 1);
	expect_locate(NULL, NULL);
	setenv("MSCAGENT_CONF", "/etc/mscagent/agent.conf", 1);
	expect_locate(NULL, "/etc/mscagent/agent.conf");
	expect_locate("my.conf", "my.conf");

	make_dir("locate/conf");
	path = write_file("locate/conf/agent.conf", "[agent]\n", 0);
	expect_locate(NULL, "conf/agent.conf");
	expect_locate("my.conf", "my.conf");
	unsetenv("MSCAGENT_CONF");
	expect_locate(NULL, "conf/agent.conf");

	assert_int_equal(chdir(cwd), 0);
	free(path);
	free(dir);
}

static void
test_free_and_names(void **state)
{
	struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	config_free(&cfg);
	config_free(&cfg);
	config_free(NULL);
	assert_zeroed(&cfg);
	assert_string_equal(config_log_level_name(LOG_LEVEL_ERROR), "error");
	assert_string_equal(config_log_level_name(LOG_LEVEL_WARN), "warn");
	assert_string_equal(config_log_level_name(LOG_LEVEL_INFO), "info");
	assert_string_equal(config_log_level_name(LOG_LEVEL_DEBUG), "debug");
	assert_string_equal(config_log_level_name((enum log_level)99),
	    "unknown");
}

/* ---- [console] ---- */

/* The shipped file names every [console] key, at its default. */
static void
test_console_shipped(void **state)
{
	static const char *const keys[] = {
		"address", "port", "base_url", "session_idle_minutes",
		"session_max_hours", "require_totp", "trusted_proxies",
	};
	struct config cfg;
	struct err err = { 0 };
	char line[256];
	size_t i;
	FILE *fp;
	int in_console = 0, found[7] = { 0 };

	(void)state;
	if (config_load("conf/agent.conf", &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.console_address, "127.0.0.1");
	assert_int_equal(cfg.console_port, 8026);
	assert_string_equal(cfg.console_base_url, "http://127.0.0.1:8026");
	assert_int_equal(cfg.console_idle_minutes, 30);
	assert_int_equal(cfg.console_max_hours, 12);
	assert_int_equal(cfg.console_require_totp, 1);
	assert_int_equal(cfg.console_trusted_proxies.n, 0);
	config_free(&cfg);

	fp = fopen("conf/agent.conf", "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		if (line[0] == '[')
			in_console = strncmp(line, "[console]", 9) == 0;
		for (i = 0; in_console && i < sizeof keys / sizeof keys[0];
		    i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0 &&
			    strncmp(line + strlen(keys[i]), " =", 2) == 0)
				found[i] = 1;
	}
	fclose(fp);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!found[i])
			fail_msg("conf/agent.conf's [console] lacks \"%s =\"",
			    keys[i]);
}

struct console_case {
	const char	*text;
	const char	*address;
	int		 port;
	const char	*base_url;	/* NULL: none */
	int		 idle, max, totp;
	const char	*proxies;	/* joined by '|' */
};

static const struct console_case console_good[] = {
	/* Defaults; base_url from address and port. */
	{ "[agent]\n", "127.0.0.1", 8026, "http://127.0.0.1:8026", 30, 12,
	  1, "" },
	{ "[console]\nbase_url =\n", "127.0.0.1", 8026,
	  "http://127.0.0.1:8026", 30, 12, 1, "" },
	{ "[console]\naddress = ::1\nport = 9000\n", "::1", 9000,
	  "http://[::1]:9000", 30, 12, 1, "" },
	{ "[console]\naddress = 0.0.0.0\nport = 1\n", "0.0.0.0", 1,
	  "http://0.0.0.0:1", 30, 12, 1, "" },
	/* Off: no base_url made, one given is kept. */
	{ "[console]\nport = 0\n", "127.0.0.1", 0, NULL, 30, 12, 1, "" },
	{ "[console]\nport = 0\nbase_url = https://c.example.test\n",
	  "127.0.0.1", 0, "https://c.example.test", 30, 12, 1, "" },
	/* A given base_url wins; one trailing '/' goes. */
	{ "[console]\nbase_url = https://console.example.test/\n",
	  "127.0.0.1", 8026, "https://console.example.test", 30, 12, 1, "" },
	{ "[console]\nbase_url = https://msp.example.test:8443/agent\n",
	  "127.0.0.1", 8026, "https://msp.example.test:8443/agent", 30, 12, 1,
	  "" },
	{ "[console]\nbase_url = http://[2001:db8::1]:8026\n", "127.0.0.1",
	  8026, "http://[2001:db8::1]:8026", 30, 12, 1, "" },
	/* Bounds, and yes/no spelt the other ways. */
	{ "[console]\nsession_idle_minutes = 1\nsession_max_hours = 1\n"
	  "require_totp = no\n", "127.0.0.1", 8026, "http://127.0.0.1:8026",
	  1, 1, 0, "" },
	{ "[console]\nsession_idle_minutes = 1440\nsession_max_hours = 168\n"
	  "require_totp = off\n", "127.0.0.1", 8026, "http://127.0.0.1:8026",
	  1440, 168, 0, "" },
	{ "[console]\nsession_idle_minutes = 60\nsession_max_hours = 1\n",
	  "127.0.0.1", 8026, "http://127.0.0.1:8026", 60, 1, 1, "" },
	{ "[console]\nrequire_totp = TRUE\n", "127.0.0.1", 8026,
	  "http://127.0.0.1:8026", 30, 12, 1, "" },
	/* Proxies, in inet_ntop's form. */
	{ "[console]\ntrusted_proxies = 127.0.0.1\n", "127.0.0.1", 8026,
	  "http://127.0.0.1:8026", 30, 12, 1, "127.0.0.1" },
	{ "[console]\ntrusted_proxies = 10.0.0.1 , ::0001,2001:DB8:0::1\n",
	  "127.0.0.1", 8026, "http://127.0.0.1:8026", 30, 12, 1,
	  "10.0.0.1|::1|2001:db8::1" },
	{ "[console]\ntrusted_proxies = 10.0.0.0/8, FD00::/8, ::1/128\n",
	  "127.0.0.1", 8026, "http://127.0.0.1:8026", 30, 12, 1,
	  "10.0.0.0/8|fd00::/8|::1" },
	/* The listener elsewhere: the same port on another address. */
	{ "[listener]\naddress = 127.0.0.2\nport = 8026\n", "127.0.0.1", 8026,
	  "http://127.0.0.1:8026", 30, 12, 1, "" },
};

static void
test_console_good(void **state)
{
	const struct console_case *c;
	struct config cfg;
	struct err err = { 0 };
	struct buf joined = { 0 };
	char *path;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof console_good / sizeof console_good[0]; i++) {
		c = &console_good[i];
		path = write_file("console.conf", c->text, 0);
		if (config_load(path, &cfg, &err) == -1)
			fail_msg("case %zu: %s", i, err.msg);
		assert_string_equal(cfg.console_address, c->address);
		assert_int_equal(cfg.console_port, c->port);
		if (c->base_url == NULL)
			assert_null(cfg.console_base_url);
		else
			assert_string_equal(cfg.console_base_url, c->base_url);
		assert_int_equal(cfg.console_idle_minutes, c->idle);
		assert_int_equal(cfg.console_max_hours, c->max);
		assert_int_equal(cfg.console_require_totp, c->totp);
		buf_puts(&joined, "");
		for (j = 0; j < cfg.console_trusted_proxies.n; j++)
			buf_printf(&joined, "%s%s", j ? "|" : "",
			    cfg.console_trusted_proxies.v[j]);
		assert_string_equal(joined.data, c->proxies);
		buf_clear(&joined);
		config_free(&cfg);
		assert_zeroed(&cfg);
		free(path);
	}
}

static void
test_console_bad(void **state)
{
	static const struct {
		const char	*name;
		const char	*text;
		int		 line;
		const char	*key;
		const char	*what;
	} rows[] = {
		{ "port too high", "[console]\nport = 65536\n", 2, "port",
		  "not a number between 0 and 65535" },
		{ "port negative", "[console]\n\nport = -1\n", 3, "port",
		  "between 0 and 65535" },
		{ "port not a number", "[console]\nport = 80x\n", 2, "port",
		  "not a number" },
		{ "address a name", "[console]\naddress = localhost\n", 2,
		  "[console] address", "not an IPv4 or IPv6 address" },
		{ "base_url scheme", "[console]\nbase_url = ftp://c.test\n", 2,
		  "[console] base_url", "must start with http:// or https://" },
		{ "base_url no host", "[console]\nbase_url = https://\n", 2,
		  "base_url", "has no host name" },
		{ "base_url bad port",
		  "[console]\nbase_url = http://c.test:99999\n", 2,
		  "base_url", "port" },
		{ "base_url bad host",
		  "[console]\nbase_url = http://c_test!/x\n", 2, "base_url",
		  "" },
		{ "base_url query", "[console]\nbase_url = http://c.test/?a\n",
		  2, "base_url", "must not contain" },
		{ "base_url blank", "[console]\nbase_url = http://c.test/a b\n",
		  2, "base_url", "must not contain" },
		{ "idle zero", "[console]\nsession_idle_minutes = 0\n", 2,
		  "session_idle_minutes", "between 1 and 1440" },
		{ "idle a day and more",
		  "[console]\nsession_idle_minutes = 1441\n", 2,
		  "session_idle_minutes", "between 1 and 1440" },
		{ "max zero", "[console]\nsession_max_hours = 0\n", 2,
		  "session_max_hours", "between 1 and 168" },
		{ "max over a week", "[console]\nsession_max_hours = 169\n", 2,
		  "session_max_hours", "between 1 and 168" },
		{ "max empty", "[console]\nsession_max_hours =\n", 2,
		  "session_max_hours", "needs a value" },
		{ "idle past max", "[console]\nsession_max_hours = 1\n"
		  "session_idle_minutes = 61\n", 3, "session_idle_minutes",
		  "must not be longer than session_max_hours (1 hours)" },
		{ "idle past the default max",
		  "[console]\nsession_idle_minutes = 721\n", 2,
		  "session_idle_minutes", "session_max_hours" },
		{ "totp maybe", "[console]\nrequire_totp = maybe\n", 2,
		  "require_totp", "must be yes or no" },
		{ "proxy host bits", "[console]\ntrusted_proxies = 10.0.0.1/8\n",
		  2, "trusted_proxies", "'10.0.0.1/8' is not a network: ADDRESS/BITS" },
		{ "listener proxy a name",
		  "[listener]\ntrusted_proxies = proxy.test\n", 2,
		  "trusted_proxies", "'proxy.test' is not an IPv4" },
		{ "proxy a name",
		  "[console]\ntrusted_proxies = 127.0.0.1, proxy.test\n", 2,
		  "trusted_proxies", "'proxy.test' is not an IPv4" },
		{ "proxy empty item",
		  "[console]\ntrusted_proxies = 127.0.0.1,,::1\n", 2,
		  "trusted_proxies", "an empty item" },
		{ "proxies too many", "[console]\ntrusted_proxies = 1.1.1.1,"
		  "1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,"
		  "1.1.1.9,1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,1.1.1.14,"
		  "1.1.1.15,1.1.1.16,1.1.1.17\n", 2, "trusted_proxies",
		  "more than 16 addresses" },
		{ "unknown key", "[console]\ncolour = blue\n", 2,
		  "[console] colour", "unknown key" },
		{ "duplicate key", "[console]\nport = 1\nport = 2\n", 3,
		  "[console] port", "duplicate key (first on line 2)" },
		{ "the listener's port", "[console]\nport = 8025\n", 2,
		  "[console] port", "8025 is the listener's too" },
		{ "the listener's port, set there",
		  "[listener]\nport = 9000\n[console]\nport = 9000\n", 4,
		  "[console] port", "9000 is the listener's too" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		expect_error(rows[i].name, rows[i].text, 0, rows[i].line,
		    rows[i].key, rows[i].what);
}

/* Every [console] error at once, each with its line. */
static void
test_console_several_errors(void **state)
{
	static const char *const lines[] = {
		"2: [console] port: not a number between 0 and 65535",
		"3: [console] base_url: must start with http:// or https://",
		"4: [console] session_idle_minutes: not a number between 1 "
		    "and 1440",
		"5: [console] require_totp: must be yes or no",
		"6: [console] trusted_proxies: 'x' is not an IPv4 or IPv6 "
		    "address",
	};

	(void)state;
	expect_errors("[console]\nport = 99999\nbase_url = c.test\n"
	    "session_idle_minutes = 0\nrequire_totp = sometimes\n"
	    "trusted_proxies = x\nsession_max_hours = 12\n", lines,
	    sizeof lines / sizeof lines[0]);
}

/* [agent] from: a bare address or a name-addr, the two kept apart. */
static void
test_from_name_addr(void **state)
{
	static const struct {
		const char	*value;
		const char	*addr;
		const char	*name;		/* NULL: none */
	} rows[] = {
		{ "a@b.test", "a@b.test", NULL },
		{ "<a@b.test>", "a@b.test", NULL },
		{ "Contoso Migrations <migrations@contoso.example>",
		  "migrations@contoso.example", "Contoso Migrations" },
		{ "Contoso<m@contoso.example>", "m@contoso.example", "Contoso" },
		{ "\"Contoso, Inc.\" <m@contoso.example>", "m@contoso.example",
		  "Contoso, Inc." },
		{ "\"A \\\"quoted\\\" \\\\ name\"   <m@c.example>", "m@c.example",
		  "A \"quoted\" \\ name" },
		{ "\"<Not> an address\" <m@c.example>", "m@c.example",
		  "<Not> an address" },
		{ "\"\" <m@c.example>", "m@c.example", NULL },
		{ "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 "
		  "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe <a@b.test>",
		  "a@b.test", "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 "
		  "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe" },
	};
	struct config cfg;
	struct err err = { 0 };
	char *path, *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = xasprintf("[agent]\nfrom = %s\n", rows[i].value);
		path = write_file("from.conf", text, 0);
		if (config_load(path, &cfg, &err) == -1)
			fail_msg("row %zu: %s", i, err.msg);
		assert_string_equal(cfg.from, rows[i].addr);
		if (rows[i].name == NULL)
			assert_null(cfg.from_name);
		else
			assert_string_equal(cfg.from_name, rows[i].name);
		config_free(&cfg);
		assert_zeroed(&cfg);
		free(path);
		free(text);
	}
}

static void
test_from_bad(void **state)
{
	static const struct {
		const char	*value;
		const char	*what;
	} rows[] = {
		{ "Name <a@b.test", "'<' and '>' do not match" },
		{ "Name a@b.test>", "'<' and '>' do not match" },
		{ "Name <a@b.test> tail", "nothing may follow" },
		{ "Name <<a@b.test>>", "nothing may follow" },
		{ "Name <a<b@c.test>", "'<' and '>' do not match" },
		{ "\"Name <a@b.test>", "quotes are not closed" },
		{ "\"Name\" a@b.test", "must be followed by <address>" },
		{ "Na\"me <a@b.test>", "quotes must enclose" },
		{ "Name <a b@c.test>", "is not an e-mail address" },
		{ "Name <a@nodot>", "the domain needs a dot" },
		{ "Name <>", "is not an e-mail address" },
		{ "Name", "is not an e-mail address" },
		{ "\"x\\\x01y\" <a@b.test>", "control" },
		{ "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxx\" <a@b.test>", "display name" },
	};
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = xasprintf("[agent]\n\nfrom = %s\n", rows[i].value);
		expect_error(rows[i].value, text, 0, 3, "[agent] from",
		    rows[i].what);
		free(text);
	}
}

/* A PNG's signature and a little more: all the reader looks at. */
static const char png_bytes[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

static void
test_branding(void **state)
{
	struct config cfg;
	struct err err = { 0 };
	char *path, *logo;

	(void)state;
	logo = write_file("logo.png", png_bytes, sizeof png_bytes - 1);
	path = write_file("brand.conf", "[branding]\n"
	    "company = Contoso Migrations \xe2\x80\x94 M\xc3\xbcller\n"
	    "support_contact = https://help.contoso.example/migrations\n"
	    "logo_file = logo.png\naccent_color = #1A2b3C\n", 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.company,
	    "Contoso Migrations \xe2\x80\x94 M\xc3\xbcller");
	assert_string_equal(cfg.support_contact,
	    "https://help.contoso.example/migrations");
	assert_string_equal(cfg.accent_color, "#1a2b3c");
	assert_string_equal(cfg.logo_file, logo);
	assert_int_equal(cfg.logo_len, sizeof png_bytes - 1);
	assert_memory_equal(cfg.logo, png_bytes, sizeof png_bytes - 1);
	config_free(&cfg);
	assert_zeroed(&cfg);
	free(path);

	/* Without the keys, the neutral look: nothing set. */
	path = write_file("brand.conf", "[branding]\ncompany =\n", 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_null(cfg.company);
	assert_null(cfg.support_contact);
	assert_null(cfg.accent_color);
	assert_null(cfg.logo_file);
	assert_null(cfg.logo);
	assert_int_equal(cfg.logo_len, 0);
	config_free(&cfg);
	free(path);
	free(logo);
}

static void
test_branding_bad(void **state)
{
	static const struct {
		const char	*text;
		const char	*key;
		const char	*what;
	} rows[] = {
		{ "accent_color = red", "accent_color", "not a colour" },
		{ "accent_color = #12345", "accent_color", "#rrggbb" },
		{ "accent_color = #1234567", "accent_color", "#rrggbb" },
		{ "accent_color = #12345g", "accent_color", "#rrggbb" },
		{ "accent_color = 123456;x", "accent_color", "#rrggbb" },
		{ "logo_file = missing.png", "logo_file", "cannot read" },
		{ "logo_file = notpng.png", "logo_file", "not a PNG image" },
		{ "logo_file = big.png", "logo_file", "larger than 65536" },
		{ "logo_file = .", "logo_file", "cannot read" },
		{ "company = \xc3(", "company", "UTF-8" },
		{ "company = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxx", "company", "120" },
		{ "support_contact = a\x7f", "support_contact", "control" },
		{ "colour = #123456", "[branding] colour", "unknown key" },
	};
	char *big, *text, *p;
	size_t i;

	(void)state;
	p = write_file("notpng.png", "GIF89a........", 0);
	free(p);
	big = xcalloc(1, CONFIG_LOGO_MAX + 1);
	memcpy(big, png_bytes, sizeof png_bytes - 1);
	p = write_file("big.png", big, CONFIG_LOGO_MAX + 1);
	free(p);
	free(big);
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = xasprintf("[branding]\n%s\n", rows[i].text);
		expect_error(rows[i].text, text, 0, 2, rows[i].key,
		    rows[i].what);
		free(text);
	}
}

/* Every [branding] and from error at once, each with its line. */
static void
test_branding_several_errors(void **state)
{
	const char *want[3];
	char *missing;

	(void)state;
	want[0] = "2: [agent] from: '<' and '>' do not match";
	want[1] = "4: [branding] accent_color: 'blue' is not a colour as "
	    "#rrggbb";
	missing = xasprintf("5: [branding] logo_file: %s/none.png: cannot "
	    "read: No such file or directory", tmp);
	want[2] = missing;
	expect_errors("[agent]\nfrom = Name <a@b.test\n[branding]\n"
	    "accent_color = blue\nlogo_file = none.png\n", want, 3);
	free(missing);
}

/* [agent] language: en unless given, normalized, refused with its line. */
static void
test_language(void **state)
{
	static const struct {
		const char	*value;
		const char	*stored;
	} good[] = {
		{ "de", "de" },
		{ "DE-at", "de-AT" },
		{ "zh-hant-tw", "zh-Hant-TW" },
		{ "es-419", "es-419" },
	};
	static const char *const bad[] = {
		"german", "de_AT", "de-", "en-x-private", "d", "de AT",
		"en-Latn-GB-abcde-fghij-klmno-pqrstuv",
	};
	struct config cfg;
	struct err err = { 0 };
	char *text, *path;
	size_t i;

	(void)state;
	if (config_load("conf/agent.conf", &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.language, "en");
	config_free(&cfg);
	path = write_file("lang.conf", "[agent]\n", 0);
	if (config_load(path, &cfg, &err) == -1)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.language, "en");
	config_free(&cfg);
	free(path);
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		text = xasprintf("[agent]\nlanguage = %s\n", good[i].value);
		path = write_file("lang.conf", text, 0);
		if (config_load(path, &cfg, &err) == -1)
			fail_msg("%s: %s", good[i].value, err.msg);
		assert_string_equal(cfg.language, good[i].stored);
		config_free(&cfg);
		free(path);
		free(text);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		text = xasprintf("[agent]\n\nlanguage = %s\n", bad[i]);
		expect_error(bad[i], text, 0, 3, "[agent] language",
		    "language tag");
		free(text);
	}
	expect_error("empty", "[agent]\nlanguage =\n", 0, 2,
	    "[agent] language", "needs a value");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_config),
		cmocka_unit_test(test_shipped_config_names_every_key),
		cmocka_unit_test(test_integration_template),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_url_parts),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_several_errors),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_int_bounds),
		cmocka_unit_test(test_clear_login),
		cmocka_unit_test(test_oauth_settings),
		cmocka_unit_test(test_oauth_both_accounts),
		cmocka_unit_test(test_oauth_errors),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_value_limits),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_parse_buffer),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_free_and_names),
		cmocka_unit_test(test_console_shipped),
		cmocka_unit_test(test_console_good),
		cmocka_unit_test(test_console_bad),
		cmocka_unit_test(test_console_several_errors),
		cmocka_unit_test(test_from_name_addr),
		cmocka_unit_test(test_from_bad),
		cmocka_unit_test(test_branding),
		cmocka_unit_test(test_branding_bad),
		cmocka_unit_test(test_branding_several_errors),
		cmocka_unit_test(test_language),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
