/*
 * run.h: `mscagent run`, the agent as one process (SPEC §2).
 *
 * Eight threads (LISTENER_THREADS being 2), ten with the console, all
 * started at start-up and joined at the end; libcurl may add a short-lived one of its own to
 * look up the SMTP server's name.  A thread that uses the database
 * opens its own connection:
 *   - main: waits for signals and runs the sweep every
 *     RUN_SWEEP_SECONDS;
 *   - the deliverer: the outbox, right after a transition and when a
 *     retry is due;
 *   - the reader: the inbox, waiting in IDLE or looking every
 *     poll_seconds (new/ of a Maildir each second), then running a
 *     pass; it owns an inbox_pass, and so the pass's three threads
 *     (inbox_pass.h): the reader worker, which moves the batch before
 *     and fetches the next, the checkpoint worker, which copies the
 *     log into the database from the reader's store's second
 *     connection, and the composer, which makes the queued messages;
 *   - the listener: LISTENER_THREADS of libmicrohttpd's;
 *   - the console, when [console] port is not 0: LISTENER_THREADS more
 *     (console_listener.h).
 * SIGTERM and SIGINT stop the taking of new work, let what is in flight
 * finish and return; SIGHUP reloads the templates and reopens the log
 * file.
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
/* An agent whose mailbox another agent reads (on PostgreSQL) looks
 * this often whether it should take over. */
#define RUN_STANDBY_SECONDS	5
#define RUN_BACKOFF_FIRST	2
#define RUN_BACKOFF_MAX		300

/* Told once the listener is bound and every thread runs, with the port
 * it got: what "listening" may truthfully be said after. */
typedef void run_ready_fn(unsigned port, void *arg);

/* Runs until SIGTERM or SIGINT; ready (may be NULL) is called once it
 * has started.  Returns 0, or -1 with err when the agent cannot start
 * (database, port, keys), ready then never called. */
int	 run_agent(const struct compose_ctx *, run_ready_fn *ready,
	    void *ready_arg, struct err *);

#endif
