/* test_outcome.c: the names of message outcomes, as stored and shown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "outcome.h"

/*
 * Every name written out, because the database, the log and /metrics
 * hold them: renaming one is a migration, not a refactor.
 */
static const struct {
	enum inbound_outcome	 outcome;
	const char		*name;
} inbound_rows[] = {
	{ INBOUND_NONE, "" },
	{ INBOUND_APPROVE, "approve" },
	{ INBOUND_REJECT, "reject" },
	{ INBOUND_UNCLEAR, "unclear" },
	{ INBOUND_RETRIGGER, "retrigger" },
	{ INBOUND_FINALIZE, "finalize" },
	{ INBOUND_STALE, "stale" },
	{ INBOUND_NOT_ALLOWED, "not_allowed" },
	{ INBOUND_NOT_APPLICABLE, "not_applicable" },
	{ INBOUND_STRANGER, "stranger" },
	{ INBOUND_AUTH_FAILED, "auth_failed" },
	{ INBOUND_BOUNCE, "bounce" },
	{ INBOUND_AUTO_REPLY, "auto_reply" },
	{ INBOUND_UNMATCHED, "unmatched" },
	{ INBOUND_REFUSED, "refused" },
	{ INBOUND_DUPLICATE, "duplicate" },
};

/* The names the schema's CHECK on outbox.status admits. */
static const struct {
	enum mail_status	 status;
	const char		*name;
} mail_rows[] = {
	{ MAIL_STATUS_QUEUED, "queued" },
	{ MAIL_STATUS_SENT, "sent" },
	{ MAIL_STATUS_FAILED, "failed" },
};

static void
test_inbound_names(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(sizeof inbound_rows / sizeof inbound_rows[0],
	    INBOUND_OUTCOME_COUNT);
	for (i = 0; i < sizeof inbound_rows / sizeof inbound_rows[0]; i++) {
		assert_string_equal(outcome_inbound_name(
		    inbound_rows[i].outcome), inbound_rows[i].name);
		assert_int_equal(outcome_inbound_from_name(
		    inbound_rows[i].name), inbound_rows[i].outcome);
	}
	assert_string_equal(outcome_inbound_name(INBOUND_OUTCOME_COUNT),
	    "unknown");
	assert_int_equal(outcome_inbound_from_name("Approve"), -1);
	assert_int_equal(outcome_inbound_from_name("unknown"), -1);
	assert_int_equal(outcome_inbound_from_name(NULL), -1);
}

static void
test_mail_names(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(sizeof mail_rows / sizeof mail_rows[0],
	    MAIL_STATUS_COUNT);
	for (i = 0; i < sizeof mail_rows / sizeof mail_rows[0]; i++) {
		assert_string_equal(outcome_mail_name(mail_rows[i].status),
		    mail_rows[i].name);
		assert_int_equal(outcome_mail_from_name(mail_rows[i].name),
		    mail_rows[i].status);
	}
	assert_string_equal(outcome_mail_name(MAIL_STATUS_COUNT), "unknown");
	assert_int_equal(outcome_mail_from_name("Sent"), -1);
	assert_int_equal(outcome_mail_from_name(""), -1);
	assert_int_equal(outcome_mail_from_name(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbound_names),
		cmocka_unit_test(test_mail_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
