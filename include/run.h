/*
 * run.h: `mscagent run`, the agent as one process (SPEC §2).
 *
 * Three threads besides the listener's: the inbox reader (IDLE, or a
 * look every poll_seconds; new/ of a Maildir is watched each second), the deliverer (right after a transition and
 * when a retry is due) and the main thread, which waits for signals and
 * runs the sweep every RUN_SWEEP_SECONDS.  SIGTERM and SIGINT stop the
 * taking of new work, let what is in flight finish and return;
 * SIGHUP reloads the templates and reopens the log file.
 *
 * A mail server that is down is retried with backoff (RUN_BACKOFF_FIRST
 * doubling up to RUN_BACKOFF_MAX seconds) and logged once when it goes
 * away and once when it is back.
 */
#ifndef MSCAGENT_RUN_H
#define MSCAGENT_RUN_H

#include "compose.h"

#define RUN_SWEEP_SECONDS	60
#define RUN_DELIVER_SECONDS	30	/* look for due retries this often */
#define RUN_BACKOFF_FIRST	2
#define RUN_BACKOFF_MAX		300

/* Runs until SIGTERM or SIGINT.  Returns 0, or -1 with err when the
 * agent cannot start (database, port, keys). */
int	 run_agent(const struct compose_ctx *, struct err *);

#endif
