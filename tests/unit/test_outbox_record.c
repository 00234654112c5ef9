/* test_outbox_record.c: records given to the recorder's thread. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "outbox_record.h"

struct record {
	int		 fail;
	int		 done;
	pthread_t	 thread;	/* where it ran */
};

static int
record(void *arg, struct err *err)
{
	struct record *r = arg;

	r->thread = pthread_self();
	r->done = 1;
	if (r->fail) {
		err_set(err, ERR_RUNTIME, "database is locked");
		return -1;
	}
	return 0;
}

/* A record is done, on the recorder's thread, once waited for; with
 * nothing given, a wait returns at once. */
static void
test_records(void **state)
{
	struct recorder *rec = recorder_new();
	struct record r[3];
	struct err err;
	int i;

	(void)state;
	memset(r, 0, sizeof r);
	assert_int_equal(recorder_wait(rec, &err), 0);
	for (i = 0; i < 3; i++) {
		recorder_give(rec, record, &r[i]);
		assert_int_equal(recorder_wait(rec, &err), 0);
		assert_int_equal(r[i].done, 1);
		assert_false(pthread_equal(r[i].thread, pthread_self()));
	}
	assert_int_equal(recorder_wait(rec, &err), 0);
	recorder_free(rec);
	recorder_free(NULL);
}

/* Once a record failed, every wait fails, with its reason: nothing may
 * go out after a mail whose outcome was not kept. */
static void
test_failure_stays(void **state)
{
	struct recorder *rec = recorder_new();
	struct record bad = { .fail = 1 }, good = { 0 };
	struct err err;

	(void)state;
	recorder_give(rec, record, &bad);
	memset(&err, 0, sizeof err);
	assert_int_equal(recorder_wait(rec, &err), -1);
	assert_string_equal(err.msg, "database is locked");
	assert_int_equal(recorder_wait(rec, NULL), -1);
	recorder_give(rec, record, &good);
	memset(&err, 0, sizeof err);
	assert_int_equal(recorder_wait(rec, &err), -1);
	assert_int_equal(good.done, 1);
	assert_string_equal(err.msg, "database is locked");
	recorder_free(rec);
}

/* A record given and never waited for is done before recorder_free
 * returns. */
static void
test_free_waits(void **state)
{
	struct recorder *rec = recorder_new();
	struct record r = { 0 };

	(void)state;
	recorder_give(rec, record, &r);
	recorder_free(rec);
	assert_int_equal(r.done, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_failure_stays),
		cmocka_unit_test(test_free_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
