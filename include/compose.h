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

struct compose_thread;

/* What composing needs that does not change from mail to mail. */
struct compose_ctx {
	const struct config	*cfg;
	const struct keyring	*keys;
	struct tmpl_set		*templates;
	/* The batch's composer (compose_thread.h), inside a batch's
	 * transaction; NULL: each message is made at once. */
	struct compose_thread	*composer;
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
	const char			*account;	/* for mailbox_auth_failed */
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

/*
 * compose_mail in two halves.  compose_prepare decides all the outbox
 * row holds (reply key, Message-ID, subject: *out has them, not the
 * message) and keeps the rest of what the mail needs, copied, in the
 * job it returns (NULL on failure); the job borrows the context, which
 * must outlive it.  compose_finish makes the message (out->message,
 * out->len) from the job alone: it touches neither the store nor the
 * input, and runs on any thread.
 */
struct compose_job;
struct compose_job *compose_prepare(const struct compose_ctx *,
	    const struct compose_input *, struct composed *out, struct err *);
int	 compose_finish(const struct compose_job *, struct composed *out,
	    struct err *);
void	 compose_job_free(struct compose_job *);

/* The verification link for a token: base_url/verify?token=T. Caller
 * frees. */
char	*compose_link(const struct config *, const char *token);

#endif
