/*
 * sweep.h: what the clock makes happen (SPEC §1.5): approval reminders
 * approval_remind_days after the request, verification reminders
 * remind_days before the link expires, and expiry at ttl_days.  Every
 * decision comes from stored times, and each event is checked again in
 * its own transaction, so a sweep that runs late, twice, or beside
 * another does each thing once.
 */
#ifndef MSCAGENT_SWEEP_H
#define MSCAGENT_SWEEP_H

#include <stdio.h>

#include "compose.h"
#include "store.h"

struct sweep_report {
	size_t	 expired;
	size_t	 approval_reminders;
	size_t	 verification_reminders;
	size_t	 auth_notices;	/* mail accounts support was told of */
};

/*
 * Runs one sweep at now.  Each transition is logged by workflow.c; out
 * (NULL: none) gets the CLI's answer, one line per transition (as
 * workflow_print) and one for the accounts support was told of.
 * Returns 0, or -1 for the database.
 */
int	 sweep_run(struct store *, const struct compose_ctx *, int64_t now,
	    FILE *out, struct sweep_report *, struct err *);

#endif
