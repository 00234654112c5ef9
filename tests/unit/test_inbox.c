/*
 * test_inbox.c: passes over a Maildir inbox of several batches, on a real
 * SQLite file, all through one inbox_pass as the agent's reader thread
 * runs them: every message handled once, each batch moved after its
 * commit while the next is read, a message seen before only moved, and
 * after a failure of the reader worker nothing more moved until the next
 * pass.
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

#include "inbox_pass.h"
#include "maildir.h"
#include "workflow.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */
/* Six batches: four growing (32, 64, 128, 256), a full one and the last
 * of one. */
#define COUNT	(15 * INBOX_PASS_FIRST_BATCH + INBOX_PASS_BATCH + 1)
/* Two batches, both full: 32 and 64. */
#define TWO	(3 * INBOX_PASS_FIRST_BATCH)

struct fixture {
	struct agent_fixture ag;
	char		 box[96];	/* the inbox, a Maildir */
	struct inbox_pass *pass;	/* for every pass of a test */
};

/*
 * A Maildir reader whose fetch or done fails on its nth call (0: never),
 * counted from when flaky_wrap is called.  The pass calls them on its
 * reader worker as well as on its own thread, one at a time.
 */
static struct {
	int	(*fetch)(struct reader *, const struct inmsg *, size_t,
		    size_t, size_t, struct inmsg **, size_t *, struct err *);
	int	(*done)(struct reader *, const struct inmsg *, size_t,
		    struct err *);
	int	 fetches, fail_fetch;
	int	 dones, fail_done;
} flaky;

static int
flaky_fetch(struct reader *in, const struct inmsg *pending, size_t npending,
    size_t max, size_t max_size, struct inmsg **msgs, size_t *n,
    struct err *err)
{
	if (++flaky.fetches == flaky.fail_fetch) {
		err_set(err, ERR_RUNTIME, "test: the fetch fails");
		return -1;
	}
	return flaky.fetch(in, pending, npending, max, max_size, msgs, n,
	    err);
}

static int
flaky_done(struct reader *in, const struct inmsg *msgs, size_t n,
    struct err *err)
{
	if (++flaky.dones == flaky.fail_done) {
		err_set(err, ERR_RUNTIME, "test: the move fails");
		return -1;
	}
	return flaky.done(in, msgs, n, err);
}

static void
flaky_wrap(struct reader *in, int fail_fetch, int fail_done)
{
	memset(&flaky, 0, sizeof flaky);
	flaky.fetch = in->fetch;
	flaky.done = in->done;
	flaky.fail_fetch = fail_fetch;
	flaky.fail_done = fail_done;
	in->fetch = flaky_fetch;
	in->done = flaky_done;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err err;

	agent_fixture_open(&f->ag, "test_inbox");
	snprintf(f->box, sizeof f->box, "%s/inbox", f->ag.dir);
	assert_int_equal(maildir_create(f->box, &err), 0);
	f->pass = inbox_pass_new(f->ag.st);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	inbox_pass_free(f->pass);
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
poll_once(struct fixture *f, struct inbox_pass_report *rep, size_t *lines)
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
	if (inbox_pass_run(f->pass, &f->ag.ctx, in, NOW, fp, rep, &err) == -1)
		fail_msg("poll: %s", err.msg);
	fclose(fp);
	*lines = lines_in(log);
	free(log);
	in->close(in);
}

/*
 * A tenant waiting for approval from admin; reply_to gets the address
 * its request asks to be answered at.
 */
static int64_t
awaiting(struct fixture *f, const char *admin, char *reply_to, size_t size)
{
	struct workflow_event ev = { .event = EVENT_START, .actor = "test" };
	struct workflow_outcome out;
	struct outbox_entry *o, mail;
	struct err err;
	const char *at;
	int64_t id;
	size_t n;

	id = agent_fixture_tenant(&f->ag, "Kunde GmbH", admin);
	assert_int_equal(workflow_fire(f->ag.st, &f->ag.ctx, id, &ev, NOW,
	    &out, &err), 0);
	workflow_outcome_clear(&out);
	assert_int_equal(store_outbox_list(f->ag.st, id, &o, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_outbox_get(f->ag.st, o[0].id, &mail, &err), 0);
	at = strstr(mail.message, "\r\nReply-To: ");
	assert_non_null(at);
	at += strlen("\r\nReply-To: ");
	snprintf(reply_to, size, "%.*s", (int)strcspn(at, "\r"), at);
	store_outbox_entry_clear(&mail);
	store_outbox_free(o, n);
	return id;
}

/* The mails of tenant id are want ("kind,kind"), each with its message. */
static void
assert_mails(struct fixture *f, int64_t id, const char *want)
{
	struct outbox_entry *o, mail;
	struct buf b = { 0 };
	struct err err;
	size_t n, i;

	assert_int_equal(store_outbox_list(f->ag.st, id, &o, &n, &err), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(store_outbox_get(f->ag.st, o[i].id, &mail,
		    &err), 0);
		assert_non_null(mail.message);
		store_outbox_entry_clear(&mail);
		buf_printf(&b, "%s%s", i ? "," : "",
		    fsm_mail_kind_name(o[i].kind));
	}
	store_outbox_free(o, n);
	assert_string_equal(b.data != NULL ? b.data : "", want);
	buf_clear(&b);
}

/* The log says since it was last read that tenant id was approved by
 * admin, and nothing else. */
static void
assert_approval_logged(struct fixture *f, int64_t id, const char *admin)
{
	char want[256];

	snprintf(want, sizeof want, "info workflow tenant %lld: "
	    "awaiting_approval -> awaiting_verification (mail, approve from "
	    "%s)\n", (long long)id, admin);
	agent_fixture_assert_logged(&f->ag, want);
}

/* A reply from admin to the request that went to reply_to, as the
 * maildir's nth message. */
static void
reply(struct fixture *f, int n, const char *admin, const char *reply_to)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof path, "%s/new/%d.%06d.test", f->box,
	    1700000000 + n, n);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "From: %s\r\nTo: %s\r\nMessage-ID: <r%d@customer.test>\r\n"
	    "Subject: Re: move\r\n\r\nAPPROVE\r\n", admin, reply_to, n);
	fclose(fp);
}

static void
test_batches(void **state)
{
	struct fixture *f = *state;
	struct inbox_pass_report rep;
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
	struct inbox_pass_report rep;
	size_t lines;
	int i;

	for (i = 0; i < INBOX_PASS_BATCH + 2; i++)
		deliver(f, "new", i);
	poll_once(f, &rep, &lines);
	assert_int_equal(rep.handled, INBOX_PASS_BATCH + 2);
	deliver(f, "new", 3);
	deliver(f, "new", INBOX_PASS_BATCH + 1);
	deliver(f, "new", INBOX_PASS_BATCH + 2);	/* and a new one */
	poll_once(f, &rep, &lines);
	assert_int_equal(rep.handled, 3);
	assert_int_equal(rep.duplicates, 2);
	assert_int_equal(files_in(f, "new"), 0);
}

/*
 * A mail whose message cannot be made once its step was released: the
 * batch is done again with each message made in its step, so the
 * messages before it are kept and it stops the pass, nothing half done
 * (nor logged: a transition is logged once, when its batch commits).
 */
static void
test_made_too_late(void **state)
{
	struct fixture *f = *state;
	struct tmpl_set *shipped = f->ag.ctx.templates;
	struct inbox_pass_report rep;
	struct reader *in;
	struct err err;
	char reply_to[128];
	int64_t id;

	id = awaiting(f, "admin@customer.test", reply_to, sizeof reply_to);
	free(agent_fixture_logged(&f->ag));
	deliver(f, "new", 0);	/* a stranger's: no mail */
	reply(f, 1, "admin@customer.test", reply_to);

	f->ag.ctx.templates = agent_fixture_broken(&f->ag, "approval_receipt");
	in = maildir_reader_new(f->box, &err);
	assert_non_null(in);
	assert_int_equal(inbox_pass_run(f->pass, &f->ag.ctx, in, NOW, NULL,
	    &rep, &err), -1);
	in->close(in);
	assert_non_null(strstr(err.msg, "nested more than"));
	assert_int_equal(rep.handled, 1);
	assert_int_equal(files_in(f, "cur"), 1);
	assert_int_equal(files_in(f, "new"), 1);
	assert_mails(f, id, "approval_request");
	agent_fixture_assert_logged(&f->ag, "");

	/* Mended, the next pass acts on the reply. */
	tmpl_set_free(f->ag.ctx.templates);
	f->ag.ctx.templates = shipped;
	in = maildir_reader_new(f->box, &err);
	assert_non_null(in);
	assert_int_equal(inbox_pass_run(f->pass, &f->ag.ctx, in, NOW, NULL,
	    &rep, &err), 0);
	in->close(in);
	assert_int_equal(rep.acted, 1);
	assert_mails(f, id, "approval_request,verification,approval_receipt");
	assert_approval_logged(f, id, "admin@customer.test");
}

/*
 * One pass over the inbox through a flaky reader: returns the pass's
 * result, with its error's message in why.
 */
static int
poll_flaky(struct fixture *f, int fail_fetch, int fail_done,
    struct inbox_pass_report *rep, char *why, size_t size)
{
	struct reader *in;
	struct err err;
	int rc;

	in = maildir_reader_new(f->box, &err);
	assert_non_null(in);
	flaky_wrap(in, fail_fetch, fail_done);
	err.msg[0] = '\0';
	rc = inbox_pass_run(f->pass, &f->ag.ctx, in, NOW, NULL, rep, &err);
	snprintf(why, size, "%s", rc == -1 ? err.msg : "");
	in->close(in);
	return rc;
}

/* The database refuses the history row of a reply from tenant id. */
static void
refuse_history(struct fixture *f, int64_t id)
{
	char sql[512];

	if (support_pg() != NULL)
		snprintf(sql, sizeof sql, "CREATE FUNCTION refuse() RETURNS "
		    "trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION "
		    "'test: history refused'; END$$; CREATE TRIGGER refuse "
		    "BEFORE INSERT ON history FOR EACH ROW WHEN "
		    "(NEW.tenant_id = %lld AND NEW.actor = 'mail') EXECUTE "
		    "FUNCTION refuse()", (long long)id);
	else
		snprintf(sql, sizeof sql, "CREATE TRIGGER refuse BEFORE INSERT "
		    "ON history WHEN NEW.tenant_id = %lld AND NEW.actor = "
		    "'mail' BEGIN SELECT RAISE(ABORT, 'test: history "
		    "refused'); END", (long long)id);
	assert_int_equal(support_db_exec(f->ag.path, sql), 0);
}

/*
 * A reply whose step fails after it wrote (its tenant's row, its mails'
 * rows; then its history): the replies before it are kept, it and those
 * after it stay for the next pass, nothing of it done nor logged.  A
 * batch is tried without a savepoint per reply, so this is the one case
 * where the batch runs again with them.
 */
static void
test_fails_after_writing(void **state)
{
	struct fixture *f = *state;
	struct inbox_pass_report rep;
	char to_a[128], to_b[128], to_c[128], why[256];
	int64_t a, b, c;

	a = awaiting(f, "a@customer.test", to_a, sizeof to_a);
	b = awaiting(f, "b@customer.test", to_b, sizeof to_b);
	c = awaiting(f, "c@customer.test", to_c, sizeof to_c);
	free(agent_fixture_logged(&f->ag));
	reply(f, 1, "a@customer.test", to_a);
	reply(f, 2, "b@customer.test", to_b);
	reply(f, 3, "c@customer.test", to_c);
	refuse_history(f, b);

	assert_int_equal(poll_flaky(f, 0, 0, &rep, why, sizeof why), -1);
	assert_non_null(strstr(why, "test: history refused"));
	assert_int_equal(rep.handled, 1);
	assert_int_equal(rep.acted, 1);
	assert_int_equal(files_in(f, "cur"), 1);
	assert_int_equal(files_in(f, "new"), 2);
	assert_mails(f, b, "approval_request");
	assert_approval_logged(f, a, "a@customer.test");

	/* Mended, the next pass acts on the other two, once each. */
	assert_int_equal(support_db_exec(f->ag.path, support_pg() != NULL ?
	    "DROP TRIGGER refuse ON history" : "DROP TRIGGER refuse"), 0);
	assert_int_equal(poll_flaky(f, 0, 0, &rep, why, sizeof why), 0);
	assert_int_equal(rep.handled, 2);
	assert_int_equal(rep.acted, 2);
	assert_int_equal(files_in(f, "cur"), 3);
	assert_mails(f, b, "approval_request,verification,approval_receipt");
	assert_mails(f, c, "approval_request,verification,approval_receipt");
}

/*
 * The reader worker cannot read the second batch: the first is
 * committed but, as nothing after a failure moves, left in the inbox;
 * the next pass through the same workers finds it handled and moves it.
 */
static void
test_fetch_fails(void **state)
{
	struct fixture *f = *state;
	struct inbox_pass_report rep;
	char why[256];
	int i;

	for (i = 0; i < TWO; i++)
		deliver(f, "new", i);
	assert_int_equal(poll_flaky(f, 2, 0, &rep, why, sizeof why), -1);
	assert_string_equal(why, "test: the fetch fails");
	assert_int_equal(rep.handled, INBOX_PASS_FIRST_BATCH);
	assert_int_equal(files_in(f, "cur"), 0);
	assert_int_equal(files_in(f, "new"), TWO);

	assert_int_equal(poll_flaky(f, 0, 0, &rep, why, sizeof why), 0);
	assert_int_equal(rep.handled, TWO);
	assert_int_equal(rep.duplicates, INBOX_PASS_FIRST_BATCH);
	assert_int_equal(files_in(f, "cur"), TWO);
	assert_int_equal(files_in(f, "new"), 0);
}

/*
 * The reader worker cannot move the first batch while the second is
 * handled: both are committed, neither moves, and the next pass moves
 * them as seen before.
 */
static void
test_move_fails(void **state)
{
	struct fixture *f = *state;
	struct inbox_pass_report rep;
	char why[256];
	int i;

	for (i = 0; i < TWO; i++)
		deliver(f, "new", i);
	assert_int_equal(poll_flaky(f, 0, 1, &rep, why, sizeof why), -1);
	assert_string_equal(why, "test: the move fails");
	assert_int_equal(rep.handled, TWO);
	assert_int_equal(files_in(f, "cur"), 0);

	assert_int_equal(poll_flaky(f, 0, 0, &rep, why, sizeof why), 0);
	assert_int_equal(rep.handled, TWO);
	assert_int_equal(rep.duplicates, TWO);
	assert_int_equal(files_in(f, "cur"), TWO);
	assert_int_equal(files_in(f, "new"), 0);
}

/* Workers started and stopped without a pass, and a pass of nothing. */
static void
test_no_pass(void **state)
{
	struct fixture *f = *state;
	struct inbox_pass_report rep;
	struct inbox_pass *p;
	size_t lines;

	p = inbox_pass_new(f->ag.st);
	inbox_pass_free(p);
	inbox_pass_free(NULL);
	poll_once(f, &rep, &lines);
	assert_int_equal(rep.handled, 0);
	assert_int_equal(lines, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seen_before, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_made_too_late, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fails_after_writing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_move_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_pass, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
