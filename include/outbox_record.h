/*
 * outbox_record.h: a delivery's outcome recorded on a thread of its own,
 * while the next mail's envelope goes out.
 *
 * Recording a mail as sent is a commit of its own (so that a crash
 * re-sends at most one mail): with SQLite about 100 µs of log writes and
 * file locks, with PostgreSQL a round trip.  It stood between each
 * mail's end of data and the next MAIL FROM, and cost flush a fifth of
 * its time (docs/performance.md).  The recorder commits it while the
 * next mail's MAIL, RCPT and DATA are on the wire.  The outbox's gate
 * (transport.h) waits for it before that mail's content leaves, so a
 * mail still reaches the server only once the one before is recorded:
 * a crash leaves at most one mail of a deliverer in doubt, as before.
 *
 * One record at a time: each is waited for before the next is given,
 * and the store is the recorder's from recorder_give to recorder_wait.
 */
#ifndef MSCAGENT_OUTBOX_RECORD_H
#define MSCAGENT_OUTBOX_RECORD_H

#include "util.h"

struct recorder;

/* Records; 0, or -1 with err.  Runs on the recorder's thread. */
typedef int (*record_fn)(void *arg, struct err *err);

/* Starts the thread; without one, recorder_give records at once. */
struct recorder *recorder_new(void);
/* Waits for the record in hand, then stops the thread. */
void	 recorder_free(struct recorder *);

/* Records through record(arg); the record before must have been
 * waited for. */
void	 recorder_give(struct recorder *, record_fn record, void *arg);
/*
 * Waits for the record given last (at once when there is none) and
 * returns 0, or -1 with err when a record failed: then every later
 * call fails too, for nothing may be sent after a mail whose outcome
 * could not be kept.
 */
int	 recorder_wait(struct recorder *, struct err *);

#endif
