/* worker.c: a thread started once, handed one job at a time. */
#include <string.h>

#include "worker.h"

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->busy && !w->stop)
			pthread_cond_wait(&w->given, &w->lock);
		if (!w->busy)
			break;		/* stopped with nothing to do */
		pthread_mutex_unlock(&w->lock);
		w->job(w->arg);
		pthread_mutex_lock(&w->lock);
		w->busy = 0;
		pthread_cond_signal(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

void
worker_start(struct worker *w, void (*job)(void *), void *arg)
{
	memset(w, 0, sizeof *w);
	w->job = job;
	w->arg = arg;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->given, NULL);
	pthread_cond_init(&w->done, NULL);
	w->threaded = pthread_create(&w->thread, NULL, worker_main, w) == 0;
}

void
worker_give(struct worker *w)
{
	if (!w->threaded) {
		w->job(w->arg);
		return;
	}
	pthread_mutex_lock(&w->lock);
	w->busy = 1;
	pthread_cond_signal(&w->given);
	pthread_mutex_unlock(&w->lock);
}

void
worker_wait(struct worker *w)
{
	if (!w->threaded)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->busy)
		pthread_cond_wait(&w->done, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void
worker_stop(struct worker *w)
{
	if (w->threaded) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_signal(&w->given);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->given);
	pthread_mutex_destroy(&w->lock);
}
