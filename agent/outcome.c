/* outcome.c: the one table of names of each message outcome. */
#include <string.h>

#include "outcome.h"

static const char *const inbound_names[INBOUND_OUTCOME_COUNT] = {
	[INBOUND_NONE] = "",
	[INBOUND_APPROVE] = "approve",
	[INBOUND_REJECT] = "reject",
	[INBOUND_UNCLEAR] = "unclear",
	[INBOUND_RETRIGGER] = "retrigger",
	[INBOUND_FINALIZE] = "finalize",
	[INBOUND_STALE] = "stale",
	[INBOUND_NOT_ALLOWED] = "not_allowed",
	[INBOUND_NOT_APPLICABLE] = "not_applicable",
	[INBOUND_STRANGER] = "stranger",
	[INBOUND_AUTH_FAILED] = "auth_failed",
	[INBOUND_BOUNCE] = "bounce",
	[INBOUND_AUTO_REPLY] = "auto_reply",
	[INBOUND_UNMATCHED] = "unmatched",
	[INBOUND_REFUSED] = "refused",
	[INBOUND_DUPLICATE] = "duplicate",
};

static const char *const mail_names[MAIL_STATUS_COUNT] = {
	[MAIL_STATUS_QUEUED] = "queued",
	[MAIL_STATUS_SENT] = "sent",
	[MAIL_STATUS_FAILED] = "failed",
};

const char *
outcome_inbound_name(enum inbound_outcome outcome)
{
	if ((unsigned)outcome >= INBOUND_OUTCOME_COUNT)
		return "unknown";
	return inbound_names[outcome];
}

const char *
outcome_mail_name(enum mail_status status)
{
	if ((unsigned)status >= MAIL_STATUS_COUNT)
		return "unknown";
	return mail_names[status];
}

int
outcome_inbound_from_name(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < INBOUND_OUTCOME_COUNT; i++)
		if (strcmp(inbound_names[i], name) == 0)
			return i;
	return -1;
}

int
outcome_mail_from_name(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < MAIL_STATUS_COUNT; i++)
		if (strcmp(mail_names[i], name) == 0)
			return i;
	return -1;
}
