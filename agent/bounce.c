/* bounce.c: delivery status notifications (RFC 3464) for the agent's mails. */
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "bounce.h"
#include "mailhdr.h"
#include "mailpart.h"
#include "util.h"

/* 1 when ct is message/SUBTYPE. */
static int
is_message(const struct mailmime_content *ct, const char *subtype)
{
	return mailpart_is_type(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE, subtype);
}

char *
bounce_report_type(const struct mailmime *body)
{
	const char *value;
	char *rt;

	if (body == NULL || body->mm_type != MAILMIME_MULTIPLE ||
	    !mailpart_is_type(body->mm_content_type,
	    MAILMIME_COMPOSITE_TYPE_MULTIPART, "report"))
		return NULL;
	value = mailpart_param(body->mm_content_type, "report-type");
	rt = mailhdr_first_word(value != NULL ? value : "");
	mailhdr_unquote(rt);
	return rt;
}

/* The Message-ID in a header block; NULL when none. */
static char *
message_id_of(struct mailimf_fields *fields)
{
	struct mailimf_single_fields sf;

	if (fields == NULL)
		return NULL;
	mailimf_single_fields_init(&sf, fields);
	if (sf.fld_message_id == NULL ||
	    !mailhdr_id_ok(sf.fld_message_id->mid_value))
		return NULL;
	return xstrdup(sf.fld_message_id->mid_value);
}

/* The original's headers sent as a leaf (text/rfc822-headers, or an
 * encoded message/rfc822): parsed after the same depth check. */
static char *
message_id_in_leaf(struct mailmime *part)
{
	struct mailimf_fields *fields = NULL;
	char *bytes, *id = NULL;
	size_t len, idx = 0;

	bytes = mailpart_bytes(part, &len);
	if (mailpart_nesting_ok(bytes, len, 0, NULL) == 0 &&
	    mailimf_fields_parse(bytes, len, &idx, &fields) ==
	    MAILIMF_NO_ERROR) {
		id = message_id_of(fields);
		mailimf_fields_free(fields);
	}
	free(bytes);
	return id;
}

static char *
original_id_in(struct mailmime *part)
{
	const struct mailmime_content *ct = part->mm_content_type;

	if (part->mm_type == MAILMIME_MESSAGE)
		return message_id_of(part->mm_data.mm_message.mm_fields);
	if (part->mm_type != MAILMIME_SINGLE)
		return NULL;
	if (mailpart_is_text(ct, "rfc822-headers") ||
	    is_message(ct, "rfc822-headers") || is_message(ct, "rfc822") ||
	    is_message(ct, "global") || is_message(ct, "global-headers"))
		return message_id_in_leaf(part);
	return NULL;
}

/* "5.1.1 (550 5.1.1 <x@y>: User unknown)" from one recipient block. */
static char *
status_of(const struct mailimf_fields *fields)
{
	clistiter *a = NULL, *b = NULL;
	const char *status, *diag;
	char *s, *d, *out;

	status = mailhdr_next(fields, "Status", &a);
	if (status == NULL)
		return NULL;
	s = mailhdr_shown(status, MAILHDR_SHOWN_MAX);
	diag = mailhdr_next(fields, "Diagnostic-Code", &b);
	if (diag == NULL)
		return s;
	if (strchr(diag, ';') != NULL)
		diag = strchr(diag, ';') + 1;
	d = mailhdr_shown(diag, MAILHDR_SHOWN_MAX);
	out = *d != '\0' ? xasprintf("%s (%s)", s, d) : xstrdup(s);
	free(s);
	free(d);
	return out;
}

/* The first Status (and its Diagnostic-Code) of the report's blocks. */
static char *
dsn_status_in(struct mailmime *part)
{
	struct mailimf_fields *fields;
	char *bytes, *status = NULL;
	size_t len, idx = 0;

	bytes = mailpart_bytes(part, &len);
	if (mailpart_nesting_ok(bytes, len, 0, NULL) == -1)
		len = 0;
	while (status == NULL && idx < len) {
		fields = NULL;
		if (mailimf_optional_fields_parse(bytes, len, &idx, &fields) !=
		    MAILIMF_NO_ERROR)
			break;
		status = status_of(fields);
		mailimf_fields_free(fields);
		if (mailimf_crlf_parse(bytes, len, &idx) != MAILIMF_NO_ERROR)
			break;
	}
	free(bytes);
	return status;
}

int
bounce_read(struct mailmime *body, const char *report_type,
    char **original_id, char **status)
{
	clistiter *it;
	struct mailmime *part;
	const struct mailmime_content *ct;

	*original_id = NULL;
	*status = NULL;
	if (report_type == NULL || strcmp(report_type, "delivery-status") != 0)
		return 0;
	for (it = clist_begin(body->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_next(it)) {
		part = clist_content(it);
		ct = part->mm_content_type;
		if (*status == NULL && part->mm_type == MAILMIME_SINGLE &&
		    (is_message(ct, "delivery-status") ||
		    is_message(ct, "global-delivery-status")))
			*status = dsn_status_in(part);
		else if (*original_id == NULL)
			*original_id = original_id_in(part);
	}
	return 1;
}
