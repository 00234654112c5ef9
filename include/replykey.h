/*
 * replykey.h: the reply key (SPEC §3) that ties a reply to the tenant,
 * the mail and its recipient.  It travels in the local part of the reply
 * address ("agent+KEY@domain") and of the Message-ID, and is an HMAC
 * under the server's secret, so nobody without the secret can make one.
 *
 * A key reads "<mail id>.<20 hex digits>": the mail id says which outbox
 * row to load; the digits are the first 80 bits of
 * HMAC-SHA256(secret, "mscagent-reply-v1", tenant, mail, recipient,
 * generation), checked against that row.  Lower case only, so a server
 * that folds the local part's case does not break it.
 */
#ifndef MSCAGENT_REPLYKEY_H
#define MSCAGENT_REPLYKEY_H

#include <stddef.h>
#include <stdint.h>

#define REPLYKEY_ID_DIGITS_MAX 18	/* of the mail id: any 18 digits
					   fit an int64_t */
#define REPLYKEY_MAC_HEX 20
#define REPLYKEY_MAX	48	/* with the NUL; more than the longest
				   key, 18 + 1 + 20 bytes */

/* Writes the key into out (REPLYKEY_MAX bytes).  Returns 0, or -1 when
 * the secret is empty or HMAC fails. */
int	 replykey_make(const unsigned char *secret, size_t secret_len,
	    int64_t tenant, int64_t mail, const char *recipient,
	    int64_t generation, char *out);

/* Reads the mail id out of a key; returns 0, or -1 when the key is not
 * of the form above. */
int	 replykey_parse(const char *key, int64_t *mail);

/* 1 when key is the one replykey_make gives for these values (compared
 * in constant time), else 0. */
int	 replykey_check(const unsigned char *secret, size_t secret_len,
	    const char *key, int64_t tenant, int64_t mail,
	    const char *recipient, int64_t generation);

/*
 * Finds a key in an address "local+KEY@domain" (or a Message-ID
 * "KEY.random@domain"): copies the candidate into key (REPLYKEY_MAX
 * bytes) and returns 0, or -1 when there is none.  The caller still has
 * to check it.
 */
int	 replykey_from_address(const char *addr, char *key);
int	 replykey_from_message_id(const char *id, char *key);

/* Returns "local+KEY@domain" for the reply address; caller frees. */
char	*replykey_address(const char *reply_address, const char *key);

#endif
