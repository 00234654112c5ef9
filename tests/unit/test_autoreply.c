/* test_autoreply.c: which mails a machine sent (RFC 3834), header by
 * header, as libetpan's MIME reader and its RFC 5322 reader give them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "autoreply.h"

struct row {
	const char	*headers;	/* CRLF-separated fields */
	const char	*report_type;	/* the body's, or NULL */
	const char	*reason;	/* NULL: a person's mail */
};

static const struct row rows[] = {
	{ "Subject: hi\r\n", NULL, NULL },
	{ "Auto-Submitted: auto-replied\r\n", NULL,
	  "Auto-Submitted: auto-replied" },
	{ "Auto-Submitted: No\r\n", NULL, NULL },
	{ "Auto-Submitted: no (a person)\r\n", NULL, NULL },
	{ "Auto-Submitted: no\r\nAuto-Submitted: auto-generated\r\n", NULL,
	  "Auto-Submitted: auto-generated" },
	{ "X-Autoreply: yes\r\n", NULL, "X-Autoreply: yes" },
	{ "X-Autorespond: on vacation\r\n", NULL,
	  "X-Autorespond: on vacation" },
	{ "Precedence: bulk\r\n", NULL, "Precedence: bulk" },
	{ "Precedence: JUNK\r\n", NULL, "Precedence: JUNK" },
	{ "Precedence: list\r\n", NULL, "Precedence: list" },
	{ "Precedence: first-class\r\n", NULL, NULL },
	{ "Return-Path: <>\r\n", NULL, "Return-Path: <>" },
	{ "Return-Path: < >\r\n", NULL, "Return-Path: < >" },
	{ "Return-Path: <> (bounce)\r\n", NULL, "Return-Path: <> (bounce)" },
	{ "Return-Path: <it@cust.test>\r\n", NULL, NULL },
	/* The first sign in the table's order wins. */
	{ "Precedence: bulk\r\nAuto-Submitted: auto-replied\r\n", NULL,
	  "Auto-Submitted: auto-replied" },
	/* A report body without any sign in the headers. */
	{ "Subject: Undelivered\r\n", "delivery-status",
	  "Content-Type: multipart/report; report-type=delivery-status" },
	{ "Auto-Submitted: auto-replied\r\n", "delivery-status",
	  "Auto-Submitted: auto-replied" },
};

/* The fields as mailmime_parse leaves them: all optional fields.  The
 * tree points into msg, which must outlive it. */
static struct mailmime *
parse_mime(const char *headers, char *msg, size_t size)
{
	struct mailmime *mime = NULL;
	size_t idx = 0;

	assert_true((size_t)snprintf(msg, size, "%s\r\nbody\r\n", headers) <
	    size);
	assert_int_equal(mailmime_parse(msg, strlen(msg), &idx, &mime),
	    MAILIMF_NO_ERROR);
	return mime;
}

static void
check(const char *headers, const struct mailimf_fields *fields,
    const char *report_type, const char *want)
{
	char *why = autoreply_reason(fields, report_type);

	if (want == NULL && why != NULL)
		fail_msg("'%s': %s", headers, why);
	if (want != NULL && (why == NULL || strcmp(why, want) != 0))
		fail_msg("'%s': %s, not %s", headers, why ? why : "-", want);
	free(why);
}

static void
test_mime_fields(void **state)
{
	struct mailmime *mime;
	char msg[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++) {
		mime = parse_mime(rows[i].headers, msg, sizeof msg);
		check(rows[i].headers, mime->mm_data.mm_message.mm_fields,
		    rows[i].report_type, rows[i].reason);
		mailmime_free(mime);
	}
	check("no fields", NULL, NULL, NULL);
	check("no fields", NULL, "disposition-notification",
	    "Content-Type: multipart/report; "
	    "report-type=disposition-notification");
}

/* libetpan's RFC 5322 reader types Return-Path: an empty path is an
 * automatic mail there too, a path with an address is not. */
static const struct row typed_rows[] = {
	{ "Return-Path: <>\r\n", NULL, "Return-Path: <>" },
	{ "Return-Path: <it@cust.test>\r\n", NULL, NULL },
	{ "Subject: hi\r\nReturn-Path: <it@cust.test>\r\n", NULL, NULL },
};

static void
test_typed_fields(void **state)
{
	struct mailimf_fields *fields;
	size_t i, idx;

	(void)state;
	for (i = 0; i < sizeof typed_rows / sizeof *typed_rows; i++) {
		idx = 0;
		fields = NULL;
		assert_int_equal(mailimf_fields_parse(typed_rows[i].headers,
		    strlen(typed_rows[i].headers), &idx, &fields),
		    MAILIMF_NO_ERROR);
		check(typed_rows[i].headers, fields, typed_rows[i].report_type,
		    typed_rows[i].reason);
		mailimf_fields_free(fields);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime_fields),
		cmocka_unit_test(test_typed_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
