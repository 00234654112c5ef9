/* tally.c: connections counted per client address, under a lock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "tally.h"
#include "util.h"

struct slot {
	char		 address[PROXY_ADDRESS_MAX];
	unsigned	 n;		/* 0: free */
};

/*
 * A plain array, scanned: it holds at most a listener's connections
 * (max_connections), and a scan of a thousand short strings once per
 * connection or request costs far less than the request itself.
 */
struct tally {
	pthread_mutex_t	 lock;
	struct slot	*slots;
	unsigned	 nslots;
};

struct tally *
tally_new(unsigned slots)
{
	struct tally *t;

	t = xcalloc(1, sizeof *t);
	pthread_mutex_init(&t->lock, NULL);
	t->slots = xcalloc(slots > 0 ? slots : 1, sizeof *t->slots);
	t->nslots = slots > 0 ? slots : 1;
	return t;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->slots);
	free(t);
}

/* The slot counting address, or NULL; with the lock held. */
static struct slot *
find(struct tally *t, const char *address)
{
	unsigned i;

	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].n > 0 &&
		    strcmp(t->slots[i].address, address) == 0)
			return &t->slots[i];
	return NULL;
}

static struct slot *
free_slot(struct tally *t, const char *address)
{
	unsigned i;

	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].n == 0) {
			snprintf(t->slots[i].address,
			    sizeof t->slots[i].address, "%s", address);
			return &t->slots[i];
		}
	return NULL;
}

int
tally_add(struct tally *t, const char *address, unsigned limit)
{
	struct slot *s;
	int ok = 0;

	pthread_mutex_lock(&t->lock);
	s = find(t, address);
	if (s == NULL && limit > 0)
		s = free_slot(t, address);
	if (s != NULL && s->n < limit) {
		s->n++;
		ok = 1;
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

void
tally_remove(struct tally *t, const char *address)
{
	struct slot *s;

	pthread_mutex_lock(&t->lock);
	s = find(t, address);
	if (s != NULL)
		s->n--;
	pthread_mutex_unlock(&t->lock);
}

unsigned
tally_count(struct tally *t, const char *address)
{
	struct slot *s;
	unsigned n;

	pthread_mutex_lock(&t->lock);
	s = find(t, address);
	n = s != NULL ? s->n : 0;
	pthread_mutex_unlock(&t->lock);
	return n;
}
