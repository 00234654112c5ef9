/* test_bounce.c: reports about the agent's mails, part by part: which
 * mail bounced and why, in the shapes servers send them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "bounce.h"

#define REPORT(type) \
	"From: MAILER-DAEMON@x.test\r\nMIME-Version: 1.0\r\n" \
	"Content-Type: multipart/report; report-type=" type "; " \
	"boundary=\"B\"\r\n\r\n" \
	"--B\r\nContent-Type: text/plain\r\n\r\nYour mail bounced.\r\n"
#define PART(type, body) "--B\r\nContent-Type: " type "\r\n\r\n" body "\r\n"
#define END "--B--\r\n"
#define DSN "Reporting-MTA: dns; mx.x.test\r\n\r\n" \
	"Final-Recipient: rfc822; it@cust.test\r\nAction: failed\r\n" \
	"Status: 5.1.1\r\n" \
	"Diagnostic-Code: smtp; 550 5.1.1 <it@cust.test>: User unknown\r\n"
#define ORIGINAL "Message-ID: <m42@agent.test>\r\nSubject: hi\r\n\r\nbody\r\n"

struct row {
	const char	*what;
	const char	*mail;
	const char	*report_type;	/* NULL: no report */
	int		 read;		/* bounce_read */
	const char	*original_id, *status;
};

static const struct row rows[] = {
	{ "a DSN with the original", REPORT("delivery-status")
	  PART("message/delivery-status", DSN)
	  PART("message/rfc822", ORIGINAL) END,
	  "delivery-status", 1, "m42@agent.test",
	  "5.1.1 (550 5.1.1 <it@cust.test>: User unknown)" },
	{ "the headers only, as text", REPORT("\"Delivery-Status\"")
	  PART("message/delivery-status", DSN)
	  PART("text/rfc822-headers", ORIGINAL) END,
	  "delivery-status", 1, "m42@agent.test",
	  "5.1.1 (550 5.1.1 <it@cust.test>: User unknown)" },
	{ "the headers only, as a message", REPORT("delivery-status")
	  PART("message/rfc822-headers", ORIGINAL)
	  PART("message/delivery-status", DSN) END,
	  "delivery-status", 1, "m42@agent.test",
	  "5.1.1 (550 5.1.1 <it@cust.test>: User unknown)" },
	{ "internationalised (RFC 6533)", REPORT("delivery-status")
	  PART("message/global-delivery-status",
	  "Reporting-MTA: dns; mx\r\n\r\nStatus: 4.2.2\r\n")
	  PART("message/global-headers", ORIGINAL) END,
	  "delivery-status", 1, "m42@agent.test", "4.2.2" },
	{ "message/global", REPORT("delivery-status")
	  PART("message/global", ORIGINAL) END,
	  "delivery-status", 1, "m42@agent.test", NULL },
	{ "a diagnostic without a type", REPORT("delivery-status")
	  PART("message/delivery-status",
	  "Reporting-MTA: dns; mx\r\n\r\nStatus: 5.0.0\r\n"
	  "Diagnostic-Code: mailbox full\r\n") END,
	  "delivery-status", 1, NULL, "5.0.0 (mailbox full)" },
	{ "an empty diagnostic", REPORT("delivery-status")
	  PART("message/delivery-status",
	  "Reporting-MTA: dns; mx\r\n\r\nStatus: 5.0.0\r\n"
	  "Diagnostic-Code: smtp;\r\n") END,
	  "delivery-status", 1, NULL, "5.0.0" },
	{ "no status in any block", REPORT("delivery-status")
	  PART("message/delivery-status",
	  "Reporting-MTA: dns; mx\r\n\r\nAction: failed\r\n") END,
	  "delivery-status", 1, NULL, NULL },
	{ "the first of two reports and two originals",
	  REPORT("delivery-status")
	  PART("message/delivery-status",
	  "Reporting-MTA: dns; mx\r\n\r\nStatus: 5.1.2\r\n")
	  PART("message/delivery-status", DSN)
	  PART("message/rfc822", ORIGINAL)
	  PART("message/rfc822", "Message-ID: <other@agent.test>\r\n\r\nx")
	  END,
	  "delivery-status", 1, "m42@agent.test", "5.1.2" },
	{ "an original without a usable Message-ID", REPORT("delivery-status")
	  PART("message/rfc822", "Subject: no id\r\n\r\nbody")
	  PART("text/rfc822-headers", "Subject: none\r\n") END,
	  "delivery-status", 1, NULL, NULL },
	{ "an original nested in a multipart", REPORT("delivery-status")
	  "--B\r\nContent-Type: multipart/mixed; boundary=\"C\"\r\n\r\n"
	  "--C\r\nContent-Type: text/plain\r\n\r\n" ORIGINAL "--C--\r\n"
	  END,
	  "delivery-status", 1, NULL, NULL },
	{ "another part type", REPORT("delivery-status")
	  PART("application/octet-stream", ORIGINAL) END,
	  "delivery-status", 1, NULL, NULL },
	{ "a read receipt", REPORT("disposition-notification")
	  PART("message/disposition-notification",
	  "Disposition: manual-action/MDN-sent-manually; displayed\r\n")
	  END, "disposition-notification", 0, NULL, NULL },
	{ "a report without a type",
	  "Content-Type: multipart/report; boundary=\"B\"\r\n\r\n"
	  PART("message/delivery-status", DSN) END, "", 0, NULL, NULL },
	{ "a mixed multipart",
	  "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
	  PART("message/delivery-status", DSN) END, NULL, 0, NULL, NULL },
	{ "one part", "Content-Type: text/plain\r\n\r\nhello\r\n", NULL, 0,
	  NULL, NULL },
};

static void
expect(const char *what, const char *field, const char *got,
    const char *want)
{
	if ((want == NULL) != (got == NULL) ||
	    (want != NULL && strcmp(got, want) != 0))
		fail_msg("%s: %s '%s', not '%s'", what, field,
		    got ? got : "(none)", want ? want : "(none)");
}

static void
test_rows(void **state)
{
	struct mailmime *mime, *body;
	char *type, *id, *status;
	size_t i, idx;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++) {
		idx = 0;
		mime = NULL;
		assert_int_equal(mailmime_parse(rows[i].mail,
		    strlen(rows[i].mail), &idx, &mime), MAILIMF_NO_ERROR);
		body = mime->mm_data.mm_message.mm_msg_mime;
		type = bounce_report_type(body);
		expect(rows[i].what, "report type", type, rows[i].report_type);
		if (bounce_read(body, type, &id, &status) != rows[i].read)
			fail_msg("%s: read", rows[i].what);
		expect(rows[i].what, "original", id, rows[i].original_id);
		expect(rows[i].what, "status", status, rows[i].status);
		free(type);
		free(id);
		free(status);
		mailmime_free(mime);
	}
	assert_null(bounce_report_type(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
