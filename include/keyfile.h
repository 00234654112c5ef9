/*
 * keyfile.h: the secret files of the agent (the reply-key secret and the
 * token keys, SPEC §4, and the mail server passwords): keys made with
 * GnuTLS's random generator, mode 0600; every one refused when it is a
 * symlink, not a regular file, or open to group or others.
 */
#ifndef MSCAGENT_KEYFILE_H
#define MSCAGENT_KEYFILE_H

#include <stddef.h>

#include "config.h"
#include "token.h"
#include "util.h"

#define KEYFILE_NEW_BYTES	32	/* 256 bits, HMAC-SHA256's block half */
#define KEYFILE_MIN_BYTES	32	/* TOKEN_KEY_MIN: no weaker key */
#define KEYFILE_MAX_BYTES	1024	/* TOKEN_KEY_MAX: a key, not a file
					   read by mistake */

/*
 * Creates a key file of KEYFILE_NEW_BYTES random bytes at path, with its
 * folder when missing.  An existing file is never touched: *created is
 * set to 0 then.  Returns 0, or -1 with ERR_RUNTIME.
 */
int	 keyfile_create(const char *path, int *created, struct err *);

/*
 * Reads a key: at least KEYFILE_MIN_BYTES, at most KEYFILE_MAX_BYTES, a
 * regular file not readable or writable by group or others.  Fills key
 * (KEYFILE_MAX_BYTES long) and *len.  Returns 0, or -1 saying why.
 */
int	 keyfile_read(const char *path, unsigned char *key, size_t *len,
	    struct err *);

/* Creates every missing folder of path's parent (like mkdir -p), mode
 * 0700: each holds secrets (keys, the database, mail with links). */
int	 mkdir_parents(const char *path, struct err *);

#define KEYFILE_PASSWORD_MAX	1024	/* bytes of a password file, its
					   line break included: far above
					   any server's limit */

/* A mail server password: the file's content without a final line
 * break; the file as private as a key file, at most
 * KEYFILE_PASSWORD_MAX bytes.  Caller frees (and should wipe). */
char	*keyfile_read_password(const char *path, struct err *);

/* Any other secret file (what names it in errors): as private, at most
 * max bytes, returned whole with its length and a NUL after it.
 * Caller wipes and frees. */
char	*keyfile_read_secret(const char *path, const char *what, size_t max,
	    size_t *len, struct err *);

/* Every secret the agent signs with, read once at start. */
struct keyring {
	unsigned char		reply[KEYFILE_MAX_BYTES];
	size_t			reply_len;
	struct token_keyring	tokens;		/* the first key signs */
};

/* Reads reply_key_file and every token key of the config.  Returns 0,
 * or -1 naming the file that is missing, too short or too open. */
int	 keyring_load(const struct config *, struct keyring *, struct err *);
/* Wipes the secrets. */
void	 keyring_clear(struct keyring *);

#endif
