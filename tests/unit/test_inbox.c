/*
 * test_inbox.c: a pass over a Maildir inbox of several batches, on a real
 * SQLite file: every message handled once, each batch moved after its
 * commit while the next is read, and a message seen before only moved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inbox.h"
#include "maildir.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */
#define COUNT	(2 * INBOX_BATCH + 1)	/* three batches, the last of one */

struct fixture {
	struct agent_fixture ag;
	char		 box[96];	/* the inbox, a Maildir */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err err;

	agent_fixture_open(&f->ag, "test_inbox");
	snprintf(f->box, sizeof f->box, "%s/inbox", f->ag.dir);
	assert_int_equal(maildir_create(f->box, &err), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	agent_fixture_close(&f->ag);
	free(f);
	return 0;
}

/* Mail from a stranger that answers nothing: recorded and moved. */
static void
deliver(const struct fixture *f, const char *sub, int i)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s/%d.%06d.test", f->box, sub,
	    1700000000 + i, i);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "From: someone@elsewhere.test\r\nTo: agent@msp.test\r\n"
	    "Message-ID: <%d@elsewhere.test>\r\nSubject: hello %d\r\n\r\n"
	    "APPROVE\r\n", i, i);
	fclose(fp);
}

static size_t
files_in(const struct fixture *f, const char *sub)
{
	char path[128];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof path, "%s/%s", f->box, sub);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static size_t
lines_in(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static void
poll_once(struct fixture *f, struct inbox_report *rep, size_t *lines)
{
	struct reader *in;
	struct err err;
	char *log = NULL;
	size_t loglen = 0;
	FILE *fp;

	in = maildir_reader_new(f->box, &err);
	assert_non_null(in);
	fp = open_memstream(&log, &loglen);
	assert_non_null(fp);
	if (inbox_poll(f->ag.st, &f->ag.ctx, in, NOW, fp, rep, &err) == -1)
		fail_msg("poll: %s", err.msg);
	fclose(fp);
	*lines = lines_in(log);
	free(log);
	in->close(in);
}

static void
test_batches(void **state)
{
	struct fixture *f = *state;
	struct inbox_report rep;
	size_t lines;
	int i;

	for (i = 0; i < COUNT; i++)
		deliver(f, "new", i);
	poll_once(f, &rep, &lines);
	assert_int_equal(rep.handled, COUNT);
	assert_int_equal(rep.duplicates, 0);
	assert_int_equal(rep.acted, 0);
	assert_int_equal(lines, COUNT);
	assert_int_equal(files_in(f, "new"), 0);
	assert_int_equal(files_in(f, "cur"), COUNT);
	/* Nothing new: nothing read. */
	poll_once(f, &rep, &lines);
	assert_int_equal(rep.handled, 0);
	assert_int_equal(lines, 0);
}

/* Back in new/ (a crash between the commit and the move): only moved. */
static void
test_seen_before(void **state)
{
	struct fixture *f = *state;
	struct inbox_report rep;
	size_t lines;
	int i;

	for (i = 0; i < INBOX_BATCH + 2; i++)
		deliver(f, "new", i);
	poll_once(f, &rep, &lines);
	assert_int_equal(rep.handled, INBOX_BATCH + 2);
	deliver(f, "new", 3);
	deliver(f, "new", INBOX_BATCH + 1);
	deliver(f, "new", INBOX_BATCH + 2);	/* and one that is new */
	poll_once(f, &rep, &lines);
	assert_int_equal(rep.handled, 3);
	assert_int_equal(rep.duplicates, 2);
	assert_int_equal(files_in(f, "new"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seen_before, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
