/*
 * compose.h: one mail of the workflow, from its kind and the tenant to
 * the finished RFC 5322 message the outbox stores and delivers.
 *
 * It picks the template of the kind, fills it with the tenant's data,
 * makes the reply key and the Message-ID, threads the mail after the
 * earlier ones to the same person, and composes the MIME message.
 */
#ifndef MSCAGENT_COMPOSE_H
#define MSCAGENT_COMPOSE_H

#include "config.h"
#include "keyfile.h"
#include "store.h"
#include "tmpl.h"

/* What composing needs that does not change from mail to mail. */
struct compose_ctx {
	const struct config	*cfg;
	const struct keyring	*keys;
	struct tmpl_set		*templates;
};

/* One mail to compose; the pointers are borrowed. */
struct compose_input {
	const struct tenant		*tenant;
	enum mail_kind			 kind;
	enum mail_role			 role;
	const char			*to;
	int64_t				 mail_id;	/* its outbox row */
	int64_t				 now;
	const struct token_info		*token;		/* NULL: no link */
	const char			*plan;		/* plan name, or NULL */
	const char			*in_reply_to;	/* a reply being answered */
	const struct strvec		*thread;	/* earlier Message-IDs */
	const struct outbox_entry	*failed;	/* for delivery_failed */
	const char			*failed_reason;
	const char			*reason;	/* for unexpected_reply */
	const char			*reply_from;
};

struct composed {
	char	*message;
	size_t	 len;
	char	*message_id;	/* without <> */
	char	*subject;
};

/* Returns 0 with *out filled (free with composed_clear), or -1. */
int	 compose_mail(const struct compose_ctx *, const struct compose_input *,
	    struct composed *out, struct err *);
void	 composed_clear(struct composed *);

/* The verification link for a token: base_url/verify?token=T. Caller
 * frees. */
char	*compose_link(const struct config *, const char *token);

#endif
