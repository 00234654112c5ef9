/*
 * test_imap.c: the IMAP reader.  Without a server: the mark's key, and
 * what fetch and wait say when nothing answers.  Against the real
 * Dovecot, when tests/integration/imap.sh runs this program with
 * MSCAGENT_TEST_IMAP_CONF (an agent.conf reading its IMAP inbox),
 * MSCAGENT_TEST_APPEND (a command that appends a message to that inbox)
 * and MSCAGENT_TEST_RESTART (one that restarts the server): a wait
 * returns 1 soon after mail arrives, 0 when none does or when told to
 * stop, -1 when the server goes away, and the next fetch connects again.
 * Without those variables the live tests are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "transport.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- without a server ---- */

struct key_row {
	const char	*url;
	const char	*user;
	const char	*key;	/* NULL: url_parse refuses the URL */
};

static const struct key_row key_rows[] = {
	{ "imap://127.0.0.1:1143/INBOX", "agent",
	  "imap://agent@127.0.0.1:1143/INBOX" },
	{ "imaps://mail.test/Replies", "agent",
	  "imap://agent@mail.test:993/Replies" },
	{ "imap://mail.test", NULL, "imap://@mail.test:143/INBOX" },
	{ "imap://[::1]:2143/INBOX", "b", "imap://b@::1:2143/INBOX" },
	{ "imap://:143/INBOX", "agent", NULL },
	{ "imap://mail.test:0/INBOX", "agent", NULL },
	{ "imap://mail.test:65536/INBOX", "agent", NULL },
};

static void
test_mark_key(void **state)
{
	struct config cfg;
	struct reader *in;
	struct err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof key_rows / sizeof key_rows[0]; i++) {
		memset(&cfg, 0, sizeof cfg);
		if (url_parse(&cfg.inbound, key_rows[i].url, URL_INBOUND, NULL,
		    &err) == -1) {
			assert_null(key_rows[i].key);
			assert_int_equal(err.kind, ERR_INPUT);
			continue;
		}
		assert_non_null(key_rows[i].key);
		cfg.in_url = cfg.inbound.text;
		cfg.in_username = (char *)(uintptr_t)key_rows[i].user;
		in = imap_reader_new(&cfg, &err);
		assert_non_null(in);
		assert_string_equal(in->mark_key, key_rows[i].key);
		assert_int_equal(in->mark.uidvalidity, 0);
		in->close(in);
		url_clear(&cfg.inbound);
	}

	/* A config without an imap URL gets no IMAP reader. */
	memset(&cfg, 0, sizeof cfg);
	assert_int_equal(url_parse(&cfg.inbound, "maildir:/m", URL_INBOUND,
	    NULL, &err), 0);
	assert_null(imap_reader_new(&cfg, &err));
	assert_int_equal(err.kind, ERR_INPUT);
	url_clear(&cfg.inbound);
}

/* A port nothing listens on: fetch and wait fail at once, and say so. */
static void
test_no_server(void **state)
{
	volatile sig_atomic_t stop = 0;
	struct config cfg;
	struct reader *in;
	struct inmsg *msgs;
	struct err err;
	double start;
	size_t n;

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	assert_int_equal(url_parse(&cfg.inbound, "imap://127.0.0.1:1/INBOX",
	    URL_INBOUND, NULL, &err), 0);
	cfg.in_starttls = STARTTLS_OFF;
	cfg.idle = 1;
	in = imap_reader_new(&cfg, &err);
	assert_non_null(in);
	start = now();
	assert_int_equal(in->wait(in, 30, &stop, &err), -1);
	assert_true(now() - start < 10.0);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "127.0.0.1:1"));
	assert_int_equal(in->fetch(in, NULL, 0, 10, 1024, &msgs, &n, &err), -1);
	assert_non_null(strstr(err.msg, "connect"));
	in->close(in);
	url_clear(&cfg.inbound);
}

/* ---- against the real server ---- */

struct live {
	struct config	 cfg;
	struct reader	*in;
};

static int
live_setup(void **state)
{
	const char *conf = getenv("MSCAGENT_TEST_IMAP_CONF");
	struct live *l;
	struct err err;

	if (conf == NULL || getenv("MSCAGENT_TEST_APPEND") == NULL ||
	    getenv("MSCAGENT_TEST_RESTART") == NULL) {
		*state = NULL;
		return 0;
	}
	l = calloc(1, sizeof *l);
	assert_non_null(l);
	if (config_load(conf, &l->cfg, &err) == -1)
		fail_msg("%s", err.msg);
	l->in = imap_reader_new(&l->cfg, &err);
	assert_non_null(l->in);
	*state = l;
	return 0;
}

static int
live_teardown(void **state)
{
	struct live *l = *state;

	if (l == NULL)
		return 0;
	l->in->close(l->in);
	config_free(&l->cfg);
	free(l);
	return 0;
}

struct later {
	const char	*env;	/* the command to run */
	int		 ms;	/* after this long */
	int		 rc;
};

static void *
run_later(void *arg)
{
	struct later *w = arg;

	usleep((useconds_t)w->ms * 1000);
	w->rc = system(getenv(w->env));
	return NULL;
}

/* Fetches what is there and moves it away: the mailbox is empty. */
static size_t
drain(struct reader *in)
{
	struct inmsg *msgs;
	struct err err;
	size_t n;

	if (in->fetch(in, NULL, 0, 100, 1024 * 1024, &msgs, &n, &err) == -1)
		fail_msg("fetch: %s", err.msg);
	if (n > 0 && in->done(in, msgs, n, &err) == -1)
		fail_msg("done: %s", err.msg);
	inmsg_free(msgs, n);
	return n;
}

static void
test_live_wait(void **state)
{
	struct live *l = *state;
	struct later append = { "MSCAGENT_TEST_APPEND", 1000, -1 };
	volatile sig_atomic_t stop = 0;
	struct err err;
	pthread_t t;
	double start;
	int rc = -1, tries;

	if (l == NULL)
		skip();
	/* Nothing arrives: the wait ends when its time is up.  A mail the
	 * script sent earlier (a bounce Postfix makes on its own time) may
	 * still land in the first waits: it is taken away, and the wait
	 * tried again on the mailbox at rest. */
	for (tries = 0; tries < 5; tries++) {
		drain(l->in);
		start = now();
		if ((rc = l->in->wait(l->in, 2, &stop, &err)) == 0)
			break;
		assert_int_equal(rc, 1);
	}
	assert_int_equal(rc, 0);
	assert_true(now() - start >= 1.9);
	assert_true(now() - start < 6.0);
	/* Mail arrives a second into a long wait: it ends soon after. */
	start = now();
	assert_int_equal(pthread_create(&t, NULL, run_later, &append), 0);
	assert_int_equal(l->in->wait(l->in, 60, &stop, &err), 1);
	assert_true(now() - start < 10.0);
	pthread_join(t, NULL);
	assert_int_equal(append.rc, 0);
	assert_int_equal(drain(l->in), 1);
	/* Told to stop: it stops. */
	stop = 1;
	start = now();
	assert_int_equal(l->in->wait(l->in, 60, &stop, &err), 0);
	assert_true(now() - start < 3.0);
}

static void
test_live_restart(void **state)
{
	struct live *l = *state;
	struct later restart = { "MSCAGENT_TEST_RESTART", 1000, -1 };
	struct later append = { "MSCAGENT_TEST_APPEND", 0, -1 };
	volatile sig_atomic_t stop = 0;
	struct err err;
	pthread_t t;
	double start;

	if (l == NULL)
		skip();
	drain(l->in);
	start = now();
	assert_int_equal(pthread_create(&t, NULL, run_later, &restart), 0);
	assert_int_equal(l->in->wait(l->in, 60, &stop, &err), -1);
	assert_true(now() - start < 30.0);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "IDLE"));
	pthread_join(t, NULL);
	assert_int_equal(restart.rc, 0);
	/* The server is back: the next fetch connects again. */
	run_later(&append);
	assert_int_equal(append.rc, 0);
	assert_int_equal(drain(l->in), 1);
	/* A restart between two fetches: the kept session is found dead
	 * and made again within the one fetch. */
	restart.ms = 0;
	run_later(&restart);
	assert_int_equal(restart.rc, 0);
	run_later(&append);
	assert_int_equal(append.rc, 0);
	assert_int_equal(drain(l->in), 1);
}

/* A fetch past pending messages reads the ones after them, and stops
 * at fetch_bytes but always takes one. */
static void
test_live_pending(void **state)
{
	struct live *l = *state;
	struct later append = { "MSCAGENT_TEST_APPEND", 0, -1 };
	struct inmsg *first, *second;
	struct err err;
	size_t n1, n2, i;

	if (l == NULL)
		skip();
	drain(l->in);
	for (i = 0; i < 3; i++) {
		run_later(&append);
		assert_int_equal(append.rc, 0);
	}
	l->in->fetch_bytes = 1;
	assert_int_equal(l->in->fetch(l->in, NULL, 0, 100, 1024 * 1024,
	    &first, &n1, &err), 0);
	assert_int_equal(n1, 1);
	assert_int_equal(l->in->fetch(l->in, first, n1, 100, 1024 * 1024,
	    &second, &n2, &err), 0);
	assert_int_equal(n2, 1);
	assert_true(second[0].uid > first[0].uid);
	assert_int_equal(l->in->done(l->in, first, n1, &err), 0);
	assert_int_equal(l->in->done(l->in, second, n2, &err), 0);
	inmsg_free(first, n1);
	inmsg_free(second, n2);
	l->in->fetch_bytes = READER_FETCH_BYTES;
	assert_int_equal(drain(l->in), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_key),
		cmocka_unit_test(test_no_server),
		cmocka_unit_test_setup_teardown(test_live_wait, live_setup,
		    live_teardown),
		cmocka_unit_test_setup_teardown(test_live_restart, live_setup,
		    live_teardown),
		cmocka_unit_test_setup_teardown(test_live_pending, live_setup,
		    live_teardown),
	};

	/* As main does: a write to a closed connection is an error. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
