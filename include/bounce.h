/*
 * bounce.h: reports about the agent's mails (RFC 6522 multipart/report)
 * and the bounces among them (RFC 3464 delivery status): which mail
 * bounced, and the server's reason.  Pure: libetpan's tree in, facts out.
 */
#ifndef MSCAGENT_BOUNCE_H
#define MSCAGENT_BOUNCE_H

struct mailmime;

/* The report-type of a multipart/report body ("delivery-status",
 * "disposition-notification"), lowercase; NULL when body is NULL or no
 * report.  Caller frees. */
char	*bounce_report_type(const struct mailmime *body);

/*
 * Reads a report whose type (bounce_report_type) is "delivery-status":
 * returns 1 with *original_id the bounced mail's Message-ID (from its
 * message/rfc822 or headers part) and *status the first recipient's
 * Status with its Diagnostic-Code ("5.1.1 (user unknown)"), each NULL
 * when not found; caller frees both.  Returns 0, both NULL, for any
 * other report or none.
 */
int	 bounce_read(struct mailmime *body, const char *report_type,
	    char **original_id, char **status);

#endif
