/*
 * worker.h: a thread started once and handed one job at a time, so that
 * the caller's thread works on while the job runs.
 *
 * The lock is the hand-off: what the job reads was written before
 * worker_give, and what it writes is read after worker_wait.  Between
 * the two, the job's data belongs to the worker.  When the thread
 * cannot be started, worker_give runs the job itself: the same work,
 * only not overlapped.
 */
#ifndef MSCAGENT_WORKER_H
#define MSCAGENT_WORKER_H

#include <pthread.h>

struct worker {
	void		(*job)(void *);
	void		 *arg;
	pthread_mutex_t	  lock;
	pthread_cond_t	  given;	/* a job came, or stop */
	pthread_cond_t	  done;		/* the job given is done */
	int		  busy;		/* given and not done */
	int		  stop;
	pthread_t	  thread;
	int		  threaded;
};

/* Starts the thread that runs job(arg) each time it is given. */
void	worker_start(struct worker *, void (*job)(void *), void *arg);
/* Hands over the job; the one given before must have been waited for. */
void	worker_give(struct worker *);
/* Returns once the job given last is done; at once when none is. */
void	worker_wait(struct worker *);
/* Lets a job in hand finish, then joins the thread. */
void	worker_stop(struct worker *);

#endif
