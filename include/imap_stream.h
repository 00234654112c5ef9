/*
 * imap_stream.h: an IMAP session's stream on which the server hanging
 * up is an error.
 *
 * libetpan reads a literal (a message's "{n}" and its n bytes) until it
 * has all n, and takes a read of no bytes as nothing yet.  Its TLS stream
 * reads the end of the connection as an error, but its plain socket
 * reads it as no bytes: a server on a plain connection that hangs up in
 * the middle of a message (it crashed, or found the message shorter than
 * it had said) leaves it reading the closed socket over and over, at
 * full speed and for ever.  The guard wraps the session's low-level
 * stream, whichever it is, so that the end of the stream reads as an
 * error, which the command then returns like any lost connection.
 */
#ifndef MSCAGENT_IMAP_STREAM_H
#define MSCAGENT_IMAP_STREAM_H

#include <libetpan/libetpan.h>

/*
 * Guards s's stream.  Call it once the stream is final: STARTTLS
 * replaces it.  Returns 0, or -1 when out of memory (s is unchanged).
 */
int	imap_stream_guard(mailimap *s);

#endif
