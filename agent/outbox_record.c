/* outbox_record.c: a delivery's outcome recorded on a thread of its own. */
#include <stdlib.h>

#include "outbox_record.h"
#include "worker.h"

struct recorder {
	struct worker	 worker;
	record_fn	 record;	/* the record in hand */
	void		*arg;
	int		 failed;	/* a record failed: err says why */
	struct err	 err;
};

static void
record_run(void *arg)
{
	struct recorder *r = arg;

	if (r->record(r->arg, &r->err) == -1)
		r->failed = 1;
}

struct recorder *
recorder_new(void)
{
	struct recorder *r;

	r = xcalloc(1, sizeof *r);
	worker_start(&r->worker, record_run, r);
	return r;
}

void
recorder_free(struct recorder *r)
{
	if (r == NULL)
		return;
	worker_stop(&r->worker);
	free(r);
}

void
recorder_give(struct recorder *r, record_fn record, void *arg)
{
	r->record = record;
	r->arg = arg;
	worker_give(&r->worker);
}

int
recorder_wait(struct recorder *r, struct err *err)
{
	worker_wait(&r->worker);
	if (r->failed) {
		if (err != NULL)
			*err = r->err;
		return -1;
	}
	return 0;
}
