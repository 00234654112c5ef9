/*
 * test_maildir.c: the Maildir reader: fetch, done and wait against a
 * real folder in /tmp.
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

#include "maildir.h"
#include "transport.h"

#include "support.h"

struct fixture {
	char		 dir[64];
	struct reader	*in;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err err;

	assert_int_equal(support_dir_make(f->dir, sizeof f->dir,
	    "test_maildir"), 0);
	f->in = maildir_reader_new(f->dir, &err);
	assert_non_null(f->in);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	f->in->close(f->in);
	assert_int_equal(support_dir_remove(f->dir), 0);
	free(f);
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Delivers one message into new/ as a server would (tmp/, then new/). */
static void
deliver(const char *dir, const char *name)
{
	static const char msg[] = "From: a@b.test\r\nSubject: x\r\n\r\n"
	    "APPROVE\r\n";
	char tmp[160], dst[160];

	assert_int_equal(maildir_create(dir, NULL), 0);
	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(dst, sizeof dst, "%s/new/%s", dir, name);
	support_write(tmp, msg, sizeof msg - 1, 0644);
	assert_int_equal(rename(tmp, dst), 0);
}

struct later {
	const char	*dir;
	int		 ms;
	volatile sig_atomic_t *stop;	/* NULL: deliver instead */
};

static void *
later(void *arg)
{
	struct later *l = arg;

	usleep((useconds_t)l->ms * 1000);
	if (l->stop != NULL)
		*l->stop = 1;
	else
		deliver(l->dir, "1700000000.later.test");
	return NULL;
}

static void
test_wait_timeout(void **state)
{
	struct fixture *f = *state;
	struct err err;
	double start;

	start = now();
	assert_int_equal(f->in->wait(f->in, 1, NULL, &err), 0);
	assert_true(now() - start >= 0.9);
	assert_true(now() - start < 3.0);
	/* No time at all: one look. */
	assert_int_equal(f->in->wait(f->in, 0, NULL, &err), 0);
}

static void
test_wait_sees_mail(void **state)
{
	struct fixture *f = *state;
	struct later l = { f->dir, 300, NULL };
	struct inmsg *msgs;
	struct err err;
	pthread_t t;
	double start;
	size_t n;

	start = now();
	assert_int_equal(pthread_create(&t, NULL, later, &l), 0);
	assert_int_equal(f->in->wait(f->in, 20, NULL, &err), 1);
	assert_true(now() - start < 5.0);
	pthread_join(t, NULL);
	/* Mail waiting already: at once. */
	start = now();
	assert_int_equal(f->in->wait(f->in, 20, NULL, &err), 1);
	assert_true(now() - start < 1.0);
	/* Once done with, new/ is empty and the wait times out. */
	assert_int_equal(f->in->fetch(f->in, NULL, 0, 10, 1024, &msgs, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(f->in->done(f->in, msgs, n, &err), 0);
	inmsg_free(msgs, n);
	assert_int_equal(f->in->wait(f->in, 0, NULL, &err), 0);
	/* A Maildir reader keeps no mark. */
	assert_null(f->in->mark_key);
}

/* A fetch past pending messages skips them, whatever their order in
 * new/, and the first n of either fetch can be done. */
static void
test_fetch_past_pending(void **state)
{
	struct fixture *f = *state;
	struct inmsg *first, *second, *third;
	size_t n1, n2, n3;
	struct err err;

	deliver(f->dir, "1700000001.a.test");
	deliver(f->dir, "1700000003.c.test");
	deliver(f->dir, "1700000004.d.test");
	assert_int_equal(f->in->fetch(f->in, NULL, 0, 2, 1024, &first, &n1,
	    &err), 0);
	assert_int_equal(n1, 2);
	assert_string_equal(first[1].name, "1700000003.c.test");
	/* One arrives that sorts among the pending ones. */
	deliver(f->dir, "1700000002.b.test");
	assert_int_equal(f->in->fetch(f->in, first, n1, 10, 1024, &second,
	    &n2, &err), 0);
	assert_int_equal(n2, 2);
	assert_string_equal(second[0].name, "1700000002.b.test");
	assert_string_equal(second[1].name, "1700000004.d.test");
	assert_int_equal(f->in->done(f->in, first, n1, &err), 0);
	assert_int_equal(f->in->done(f->in, second, 1, &err), 0);
	/* Read from the start again: only the one not done. */
	assert_int_equal(f->in->fetch(f->in, NULL, 0, 10, 1024, &third, &n3,
	    &err), 0);
	assert_int_equal(n3, 1);
	assert_string_equal(third[0].name, "1700000004.d.test");
	inmsg_free(first, n1);
	inmsg_free(second, n2);
	inmsg_free(third, n3);
}

/* A fetch stops once it holds fetch_bytes, but always takes one. */
static void
test_fetch_bytes(void **state)
{
	struct fixture *f = *state;
	static const char *names[] = { "1700000001.a.test",
	    "1700000002.b.test", "1700000003.c.test" };
	struct inmsg *msgs;
	struct err err;
	size_t n, i, one;

	for (i = 0; i < 3; i++)
		deliver(f->dir, names[i]);
	f->in->fetch_bytes = 1;
	assert_int_equal(f->in->fetch(f->in, NULL, 0, 10, 1024, &msgs, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	one = msgs[0].len;
	inmsg_free(msgs, n);
	f->in->fetch_bytes = one + 1;	/* two: the second starts below */
	assert_int_equal(f->in->fetch(f->in, NULL, 0, 10, 1024, &msgs, &n,
	    &err), 0);
	assert_int_equal(n, 2);
	inmsg_free(msgs, n);
	f->in->fetch_bytes = 2 * one;	/* two hold it exactly */
	assert_int_equal(f->in->fetch(f->in, NULL, 0, 10, 1024, &msgs, &n,
	    &err), 0);
	assert_int_equal(n, 2);
	inmsg_free(msgs, n);
	f->in->fetch_bytes = READER_FETCH_BYTES;
	assert_int_equal(f->in->fetch(f->in, NULL, 0, 10, 1024, &msgs, &n,
	    &err), 0);
	assert_int_equal(n, 3);
	inmsg_free(msgs, n);
}

static void
test_wait_stops(void **state)
{
	struct fixture *f = *state;
	volatile sig_atomic_t stop = 1;
	struct later l = { f->dir, 300, &stop };
	struct err err;
	pthread_t t;
	double start;

	start = now();
	assert_int_equal(f->in->wait(f->in, 20, &stop, &err), 0);
	assert_true(now() - start < 1.0);
	stop = 0;
	assert_int_equal(pthread_create(&t, NULL, later, &l), 0);
	assert_int_equal(f->in->wait(f->in, 20, &stop, &err), 0);
	assert_true(now() - start < 5.0);
	pthread_join(t, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wait_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wait_sees_mail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fetch_past_pending, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fetch_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wait_stops, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
