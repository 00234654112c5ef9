/*
 * test_compose_thread.c: the messages of a batch's mails made on the second
 * thread, on a real SQLite file: the same mails as when made in the
 * step, none for a step undone, and a failure that leaves nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compose_thread.h"
#include "store_bulk.h"
#include "workflow.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */

struct fixture {
	struct agent_fixture	 ag;
	struct compose_thread	*composer;
	struct compose_ctx	 deferred;	/* ag.ctx, with the composer */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	agent_fixture_open(&f->ag, "test_compose_thread");
	f->composer = compose_thread_new();
	f->deferred = f->ag.ctx;
	f->deferred.composer = f->composer;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	compose_thread_free(f->composer);
	agent_fixture_close(&f->ag);
	free(f);
	return 0;
}

/* Names of one length, so that their mails have one length too. */
static int64_t
add_tenant(struct fixture *f, char letter)
{
	char name[] = "Kunde ?", admin[] = "?@customer.test";

	name[6] = admin[0] = letter;
	return agent_fixture_tenant(&f->ag, name, admin);
}

static int
fire(struct fixture *f, const struct compose_ctx *ctx, int64_t id,
    enum fsm_event event, const struct inbound_note *note, struct err *err)
{
	struct workflow_event ev = { .event = event, .actor = "test",
	    .sender = "replier@x.test", .note = note };
	struct workflow_outcome out;
	int rc;

	rc = workflow_fire(f->ag.st, ctx, id, &ev, NOW, &out, err);
	workflow_outcome_clear(&out);
	return rc;
}

/* The only mail of tenant id, with its message (NULL when it has
 * none); n: how many it has. */
static void
mail_of(struct fixture *f, int64_t id, struct outbox_entry *mail, size_t *n)
{
	struct outbox_entry *o;
	struct err err;

	assert_int_equal(store_outbox_list(f->ag.st, id, &o, n, &err), 0);
	memset(mail, 0, sizeof *mail);
	if (*n > 0)
		assert_int_equal(store_outbox_get(f->ag.st, o[0].id, mail,
		    &err), 0);
	store_outbox_free(o, *n);
}

static void
assert_has(const struct outbox_entry *mail, const char *header,
    const char *value)
{
	char *line = xasprintf("\r\n%s: %s\r\n", header, value);

	assert_non_null(memmem(mail->message, mail->message_len, line,
	    strlen(line)));
	free(line);
}

/* Made on the thread, a mail is the one the step would have made. */
static void
test_same_mail(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry now, deferred;
	struct err err;
	char *msgid;
	int64_t a, b;
	size_t n;

	a = add_tenant(f, 'A');
	b = add_tenant(f, 'B');
	assert_int_equal(fire(f, &f->ag.ctx, a, EVENT_START, NULL, &err), 0);
	assert_int_equal(store_batch_begin(f->ag.st, &err), 0);
	assert_int_equal(fire(f, &f->deferred, b, EVENT_START, NULL, &err), 0);
	assert_int_equal(compose_thread_count(f->composer), 1);
	/* The row is queued, its message still to come. */
	mail_of(f, b, &deferred, &n);
	assert_int_equal(n, 1);
	assert_null(deferred.message);
	store_outbox_entry_clear(&deferred);
	assert_int_equal(compose_thread_store(f->composer, f->ag.st, &err), 0);
	assert_int_equal(compose_thread_count(f->composer), 0);
	assert_int_equal(store_batch_commit(f->ag.st, &err), 0);

	mail_of(f, a, &now, &n);
	mail_of(f, b, &deferred, &n);
	assert_non_null(deferred.message);
	assert_int_equal(deferred.message_len, now.message_len);
	msgid = xasprintf("<%s>", deferred.message_id);
	assert_has(&deferred, "Message-ID", msgid);
	assert_has(&deferred, "Subject", deferred.subject);
	assert_has(&deferred, "To", "B@customer.test");
	assert_string_equal(deferred.subject, "Approval needed: move Kunde B to "
	    "the Managed Services Console");
	free(msgid);
	store_outbox_entry_clear(&now);
	store_outbox_entry_clear(&deferred);
}

/* A step undone takes back the messages it left to make. */
static void
test_undone(void **state)
{
	struct fixture *f = *state;
	struct inbound_note note = { .message_id = "<1@x.test>",
	    .digest = "00", .sender = "A@customer.test",
	    .outcome = INBOUND_APPROVE,
	    .detail = "" };
	struct compose_ctx *gone;
	struct outbox_entry mail;
	struct err err;
	int64_t a, b;
	size_t mark, n;
	int i;

	a = add_tenant(f, 'A');
	b = add_tenant(f, 'B');
	assert_int_equal(fire(f, &f->ag.ctx, a, EVENT_START, NULL, &err), 0);
	note.tenant_id = a;
	assert_int_equal(store_begin(f->ag.st, &err), 0);
	assert_int_equal(store_inbound_add(f->ag.st, &note, NOW, &err), 0);
	assert_int_equal(store_commit(f->ag.st, &err), 0);

	assert_int_equal(store_batch_begin(f->ag.st, &err), 0);
	assert_int_equal(fire(f, &f->deferred, b, EVENT_START, NULL, &err), 0);
	/* Its two mails queued, then the message found recorded before:
	 * the step is rolled back, and its mails with it. */
	assert_int_equal(fire(f, &f->deferred, a, EVENT_APPROVE, &note, &err),
	    -1);
	assert_int_equal(err.kind, ERR_STATE);
	assert_int_equal(compose_thread_count(f->composer), 1);
	/* Dropped whether or not the thread has started on them; once
	 * undone, nothing uses the context they were queued in, which
	 * may be gone (a batch's lives on its caller's stack). */
	for (i = 0; i < 200; i++) {
		gone = xmalloc(sizeof *gone);
		*gone = f->deferred;
		mark = compose_thread_count(f->composer);
		assert_int_equal(fire(f, gone, add_tenant(f, 'C'),
		    EVENT_START, NULL, &err), 0);
		compose_thread_undo(f->composer, mark);
		memset(gone, 0xa5, sizeof *gone);
		free(gone);
		assert_int_equal(compose_thread_count(f->composer), 1);
	}
	assert_int_equal(compose_thread_store(f->composer, f->ag.st, &err), 0);
	mail_of(f, b, &mail, &n);
	assert_non_null(mail.message);
	store_outbox_entry_clear(&mail);
	store_batch_rollback(f->ag.st);
	mail_of(f, b, &mail, &n);
	assert_int_equal(n, 0);
}

/* A message that cannot be made fails the store, and is not kept. */
static void
test_cannot_make(void **state)
{
	struct fixture *f = *state;
	struct outbox_entry mail;
	struct err err;
	int64_t a;
	size_t n;

	f->deferred.templates = agent_fixture_broken(&f->ag, "approval_request");
	a = add_tenant(f, 'A');
	assert_int_equal(store_batch_begin(f->ag.st, &err), 0);
	assert_int_equal(fire(f, &f->deferred, a, EVENT_START, NULL, &err), 0);
	assert_int_equal(compose_thread_store(f->composer, f->ag.st, &err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "nested more than"));
	assert_int_equal(compose_thread_count(f->composer), 0);
	store_batch_rollback(f->ag.st);
	mail_of(f, a, &mail, &n);
	assert_int_equal(n, 0);
	tmpl_set_free(f->deferred.templates);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_mail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cannot_make, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
