/* compose_thread.c: a batch's messages, made on a second thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "compose_thread.h"

enum slot_state { SLOT_WAITING, SLOT_BUSY, SLOT_DONE, SLOT_FAILED };

/* One message to make, and once made, the message or why not. */
struct slot {
	int64_t			 id;
	struct compose_job	*job;
	enum slot_state		 state;
	struct composed		 mail;
	struct err		 err;
};

struct compose_thread {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* a job came, or stop */
	pthread_cond_t		 done;		/* a busy slot finished */
	struct slot		**slots;
	size_t			 n, cap;
	size_t			 next;		/* the first not taken */
	int			 stop;
	pthread_t		 thread;
	int			 threaded;
};

static void
slot_free(struct slot *s)
{
	compose_job_free(s->job);
	composed_clear(&s->mail);
	free(s);
}

/*
 * Makes the next waiting message, if any; called and returns with the
 * lock held.  The making itself runs unlocked, so the thread and the
 * batch's own thread each make one at a time, side by side.
 */
static int
make_next(struct compose_thread *c)
{
	struct slot *s;
	int rc;

	if (c->next == c->n)
		return 0;
	s = c->slots[c->next++];
	s->state = SLOT_BUSY;
	pthread_mutex_unlock(&c->lock);
	rc = compose_finish(s->job, &s->mail, &s->err);
	pthread_mutex_lock(&c->lock);
	s->state = rc == 0 ? SLOT_DONE : SLOT_FAILED;
	pthread_cond_broadcast(&c->done);
	return 1;
}

static void *
compose_thread_run(void *arg)
{
	struct compose_thread *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->stop)
		if (!make_next(c))
			pthread_cond_wait(&c->work, &c->lock);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct compose_thread *
compose_thread_new(void)
{
	struct compose_thread *c;

	c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->done, NULL);
	c->threaded = pthread_create(&c->thread, NULL, compose_thread_run,
	    c) == 0;
	return c;
}

/*
 * Frees the slots from mark on, with the lock held.  One the thread is
 * making is waited for first: a job points into its caller's context,
 * which may be gone once the caller has undone it.
 */
static void
drop_from(struct compose_thread *c, size_t mark)
{
	size_t i;

	for (i = mark; i < c->n; i++) {
		while (c->slots[i]->state == SLOT_BUSY)
			pthread_cond_wait(&c->done, &c->lock);
		slot_free(c->slots[i]);
	}
	if (c->n > mark)
		c->n = mark;
	if (c->next > mark)
		c->next = mark;
}

void
compose_thread_free(struct compose_thread *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->lock);
	if (c->threaded)
		pthread_join(c->thread, NULL);
	pthread_mutex_lock(&c->lock);
	drop_from(c, 0);
	pthread_mutex_unlock(&c->lock);
	free(c->slots);
	pthread_cond_destroy(&c->done);
	pthread_cond_destroy(&c->work);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void
compose_thread_add(struct compose_thread *c, int64_t id,
    struct compose_job *job)
{
	struct slot *s;

	s = xcalloc(1, sizeof *s);
	s->id = id;
	s->job = job;
	pthread_mutex_lock(&c->lock);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		/* Pointers, so that the slot the thread is making stays
		 * where it is when the array grows.
		 * NOLINTNEXTLINE(bugprone-sizeof-expression) */
		c->slots = xrealloc(c->slots, c->cap * sizeof *c->slots);
	}
	c->slots[c->n++] = s;
	pthread_cond_signal(&c->work);
	pthread_mutex_unlock(&c->lock);
}

size_t
compose_thread_count(struct compose_thread *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void
compose_thread_undo(struct compose_thread *c, size_t mark)
{
	pthread_mutex_lock(&c->lock);
	drop_from(c, mark);
	pthread_mutex_unlock(&c->lock);
}

/* Makes what is left alongside the thread; returns once all are made. */
static void
make_all(struct compose_thread *c)
{
	size_t i;

	pthread_mutex_lock(&c->lock);
	while (make_next(c))
		;
	for (i = 0; i < c->n; i++)
		while (c->slots[i]->state == SLOT_BUSY)
			pthread_cond_wait(&c->done, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

int
compose_thread_store(struct compose_thread *c, struct store *st,
    struct err *err)
{
	struct slot *s;
	size_t i;
	int rc = 0;

	make_all(c);
	/* Only this thread touches the slots now: all are made. */
	for (i = 0; rc == 0 && i < c->n; i++) {
		s = c->slots[i];
		if (s->state == SLOT_FAILED) {
			*err = s->err;
			rc = -1;
		} else
			rc = store_outbox_message(st, s->id, s->mail.message,
			    s->mail.len, err);
	}
	pthread_mutex_lock(&c->lock);
	drop_from(c, 0);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

int
compose_for_outbox(const struct compose_ctx *ctx,
    const struct compose_input *in, struct composed *out, struct err *err)
{
	struct compose_job *job;

	if (ctx->composer == NULL)
		return compose_mail(ctx, in, out, err);
	if ((job = compose_prepare(ctx, in, out, err)) == NULL)
		return -1;
	/* Added before its row goes in: a row that fails undoes the
	 * transaction, and the transaction's undo takes the job back. */
	compose_thread_add(ctx->composer, in->mail_id, job);
	return 0;
}

size_t
compose_mark(const struct compose_ctx *ctx)
{
	return ctx->composer != NULL ? compose_thread_count(ctx->composer) : 0;
}

void
compose_undo(const struct compose_ctx *ctx, size_t mark)
{
	if (ctx->composer != NULL)
		compose_thread_undo(ctx->composer, mark);
}
