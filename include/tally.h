/*
 * tally.h: connections counted per client address, shared by the
 * threads of a listener, so that one client cannot take every
 * connection the listener serves.  libmicrohttpd counts per socket
 * peer only; behind a reverse proxy every peer is the proxy, and the
 * listener counts the clients it names here instead (listener.c).
 */
#ifndef MSCAGENT_TALLY_H
#define MSCAGENT_TALLY_H

struct tally;

/* A tally for at most slots addresses counted at once; caller frees
 * with tally_free (NULL is fine). */
struct tally	*tally_new(unsigned slots);
void		 tally_free(struct tally *);
/* Counts one more for address when fewer than limit are counted and
 * a slot is free: 1; else 0, nothing counted. */
int		 tally_add(struct tally *, const char *address,
		    unsigned limit);
/* One fewer for address, counted before by tally_add. */
void		 tally_remove(struct tally *, const char *address);
/* How many are counted for address. */
unsigned	 tally_count(struct tally *, const char *address);

#endif
