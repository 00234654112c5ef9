/*
 * inmail.h: one incoming message, parsed with libetpan into what the
 * inbox decides on (SPEC §3).  Pure: bytes in, facts out.  What makes a
 * mail automatic is autoreply.h's, bounces are bounce.h's, the verdict
 * of Authentication-Results is authres.h's; inmail_parse asks them.
 *
 * Limits: INMAIL_SIZE_MAX bytes, INMAIL_DEPTH_MAX levels of nested
 * multiparts, INMAIL_PARTS_MAX parts, INMAIL_HEADER_MAX bytes in one
 * header field, INMAIL_COMMENT_DEPTH_MAX nested comments in one field,
 * INMAIL_RCPTS_MAX addresses in To and Cc.  A message over a limit, or
 * that does not parse, is refused with the reason, and nothing else.
 * Ids over INMAIL_ID_MAX bytes are dropped; of more than INMAIL_REFS_MAX
 * References the newest are kept.
 */
#ifndef MSCAGENT_INMAIL_H
#define MSCAGENT_INMAIL_H

#include <stddef.h>

#include "util.h"

#define INMAIL_SIZE_MAX		(10 * 1024 * 1024) /* a reply with a
					   screenshot; the agent wants text */
#define INMAIL_DEPTH_MAX	16	/* multiparts in multiparts: mail
					   clients nest 3 or 4 */
#define INMAIL_PARTS_MAX	256	/* parts, and Content-Type fields */
#define INMAIL_HEADER_MAX	(64 * 1024) /* one field with its folded
					   lines: 65 times RFC 5322's line */
#define INMAIL_REFS_MAX		64	/* References kept, the newest: a
					   thread of the agent's is shorter */
/*
 * libetpan parses comments and nested MIME parts recursively: 200,000
 * '(' in one header, or 100,000 nested multiparts, overflow the stack
 * (checked with libetpan 1.9.4).  The raw bytes are checked for both
 * before libetpan sees them.
 */
#define INMAIL_COMMENT_DEPTH_MAX 64	/* '(' open in one header field */
#define INMAIL_ID_MAX		512	/* bytes of one Message-ID: twice
					   RFC 5322's line, a longer one is
					   no id of ours */
#define INMAIL_RCPTS_MAX	100	/* addresses in To and Cc: RFC 5321
					   servers must take 100, and a reply
					   to the agent names a handful */

enum inmail_auth {
	INMAIL_AUTH_NONE = 0,	/* no header from the trusted authserv-id */
	INMAIL_AUTH_PASS,	/* dmarc=pass, or dkim=pass aligned with From */
	INMAIL_AUTH_FAIL,	/* a verdict from it, but not a pass */
};

struct inmail {
	char		*message_id;	/* without <>; "" when absent */
	char		*in_reply_to;	/* without <>; NULL when absent */
	struct strvec	 references;	/* without <>, oldest first */
	char		*from;		/* the From addr-spec; NULL: none */
	struct strvec	 to;		/* the To and Cc addr-specs */
	char		*subject;	/* decoded, one line */
	char		*text;		/* the body as UTF-8 text (text/plain,
					   else HTML made text) */
	int		 auto_reply;	/* RFC 3834 and friends: never answer */
	char		*auto_reason;	/* which header said so */
	int		 dsn;		/* multipart/report delivery-status */
	char		*dsn_original_id;	/* the bounced mail's Message-ID */
	char		*dsn_status;	/* e.g. "5.1.1 (user unknown)" */
	char		 digest[65];	/* SHA-256 of the whole message, hex */
};

/*
 * Parses raw (len bytes).  authserv_id names the Authentication-Results
 * header to trust (NULL: ignore them all), and *auth gets its verdict.
 * Returns 0 with *m filled (free with inmail_clear), or -1 with an
 * ERR_INPUT reason (too large, too deep, unparsable).
 */
int	 inmail_parse(const char *raw, size_t len, const char *authserv_id,
	    struct inmail *m, enum inmail_auth *auth, struct err *);
void	 inmail_clear(struct inmail *);

/* The SHA-256 of raw, in lowercase hex: how a message is told from
 * another that has the same Message-ID. */
void	 inmail_digest(const char *raw, size_t len, char hex[65]);

#endif
