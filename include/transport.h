/*
 * transport.h: how a composed mail leaves the agent.  One small
 * interface with two implementations: SMTP through libcurl (smtp.c) and
 * the embedded Maildir default (maildir.c), which needs no server.
 */
#ifndef MSCAGENT_TRANSPORT_H
#define MSCAGENT_TRANSPORT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define TRANSPORT_REPLY_MAX 512	/* the server's answer kept for a mail */

enum send_status {
	SEND_OK,	/* accepted */
	SEND_RETRY,	/* refused for now (4xx): try this mail later */
	SEND_FAILED,	/* refused for good (5xx): the mail has failed */
	SEND_DOWN,	/* no server to talk to: stop, try everything later */
};

struct sender {
	/*
	 * Hands over one message for rcpt, with from as the envelope
	 * sender (where bounces go).  The server's answer, or what went
	 * wrong, is written to reply (TRANSPORT_REPLY_MAX bytes).
	 */
	enum send_status (*send)(struct sender *, const char *from,
	    const char *rcpt, const char *message, size_t len, char *reply);
	/* Reaches the server (greeting, TLS, AUTH) without sending mail,
	 * for `check`; what happened goes to reply. */
	enum send_status (*probe)(struct sender *, char *reply);
	/* Ends the session and frees the sender. */
	void	(*close)(struct sender *);
	/*
	 * Set by the caller, or NULL: asked once per send, before the
	 * first byte of the message's content leaves, and as early as the
	 * transport can while it waits (SMTP: once MAIL FROM is on its
	 * way; Maildir: before the message goes into new/).  Returns 0 to
	 * go on; -1 abandons the send, which then returns SEND_DOWN with
	 * nothing delivered.  The outbox records the mail before there
	 * (outbox.c).
	 */
	int	(*gate)(void *);
	void	 *gate_arg;
};

/* One message read from the inbox. */
struct inmsg {
	char	*raw;
	size_t	 len;
	char	*name;		/* how the reader finds it again, for logs */
	uint32_t uid;		/* IMAP UID; 0 for Maildir */
};

/*
 * Where a reader stands in its mailbox, kept by its user between runs
 * (an IMAP reader has one; a Maildir reader none): the mailbox's
 * UIDVALIDITY and the highest UID such that every message up to it is
 * done with.  When the server's UIDVALIDITY differs from the one kept,
 * the reader starts again from the first message: handled ones are
 * recognized (inbound records) and only moved.
 */
struct reader_mark {
	uint32_t	uidvalidity;	/* 0: none yet */
	uint32_t	last_uid;
};

struct reader {
	/*
	 * Reads what is new, oldest first, up to max messages (and, after
	 * the first, no more once they hold fetch_bytes), past the
	 * pending ones: what an earlier fetch returned and done has not
	 * yet moved (NULL, 0: none, read from the mark), so that the next
	 * batch can be read while one is being handled.  A message over
	 * max_size bytes is cut there (the parser refuses it).  Fills
	 * *msgs (free with inmsg_free).  Returns 0, or -1 when the mailbox
	 * cannot be read.  A connection found dropped is made again, once
	 * per call; the caller waits before it tries again.
	 */
	int	(*fetch)(struct reader *, const struct inmsg *pending,
		    size_t npending, size_t max, size_t max_size,
		    struct inmsg **msgs, size_t *n, struct err *);
	/*
	 * Marks handled messages seen and moves them out of the way: the
	 * first n of one fetch, in its order, fetches done in the order
	 * they were made.  Moves the mark past them.
	 */
	int	(*done)(struct reader *, const struct inmsg *, size_t,
		    struct err *);
	/*
	 * Waits until the mailbox may have new mail or `seconds` pass, or
	 * *stop becomes non-zero.  IMAP: IDLE when the server offers it and
	 * [inbound] idle = yes (re-issued at least every 10 minutes), else
	 * sleep; Maildir: polls the new/ folder.  Returns 1: look now, 0:
	 * timeout/stop, -1: connection lost (err says why; the next fetch
	 * reconnects).
	 */
	int	(*wait)(struct reader *, int seconds,
		    const volatile sig_atomic_t *stop, struct err *);
	void	(*close)(struct reader *);
	/* The mailbox the mark belongs to (its URL); NULL: no mark. */
	const char		*mark_key;
	struct reader_mark	 mark;
	size_t			 fetch_bytes;	/* READER_FETCH_BYTES */
};

/*
 * What one fetch may hold, whatever the message count: a pass holds two
 * batches, so its memory stays under twice this even when the inbox is
 * full of mail at the size limit.
 */
#define READER_FETCH_BYTES	((size_t)64 << 20)

void	 inmsg_free(struct inmsg *, size_t);

/* The reader for [inbound] url: maildir: or imap(s)://. */
struct reader *reader_new(const struct config *, struct err *);
struct reader *maildir_reader_new(const char *dir, struct err *);
struct reader *imap_reader_new(const struct config *, struct err *);

/* The sender for [outbound] url: maildir: or smtp(s)://.  Connects
 * lazily, on the first send, and keeps the connection for the next. */
struct sender *sender_new(const struct config *, struct err *);

struct sender *maildir_sender_new(const char *root, struct err *);
struct sender *smtp_sender_new(const struct config *, struct err *);

#endif
