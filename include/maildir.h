/*
 * maildir.h: the embedded Maildir transport (SPEC §3).  Outbound, a mail
 * for user+tag@domain goes to ROOT/user@domain/new/, written whole to
 * tmp/ first and renamed, so no reader ever sees a partial file.
 */
#ifndef MSCAGENT_MAILDIR_H
#define MSCAGENT_MAILDIR_H

#include <stddef.h>

#include "util.h"

/*
 * The folder name for a recipient: the address with any +tag dropped.
 * Returns NULL (and why) when the address cannot name a folder safely
 * (a '/', a leading '.', control characters).  Caller frees.
 */
char	*maildir_folder_for(const char *rcpt, struct err *);

/* Creates dir/{tmp,new,cur} (and dir) when missing. */
int	 maildir_create(const char *dir, struct err *);

/*
 * Writes message into the Maildir dir: tmp/NAME, fsync, rename to
 * new/NAME, with a name no other delivery can take.  Returns 0, or -1
 * with ERR_RUNTIME.
 */
int	 maildir_deliver(const char *dir, const char *message, size_t len,
	    struct err *);

#endif
