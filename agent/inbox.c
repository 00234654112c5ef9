/* inbox.c: match a reply to the mail it answers, check its sender, act once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "catalog.h"
#include "inbox.h"
#include "inmail.h"
#include "reply.h"
#include "replykey.h"
#include "workflow.h"

#define HOUR	3600
#define DAY	86400

/* One message on its way through the decision. */
struct decision {
	struct store			*st;
	const struct compose_ctx	*ctx;
	int64_t				 now;
	struct inmail			 m;
	enum inmail_auth		 auth;
	struct outbox_entry		 mail;		/* the mail it answers */
	const char			*matched_by;	/* "reply key", "thread" */
	char				 digest[65];
	struct buf			 why;		/* for the history */
	struct inbox_result		*res;
};

static void
set_result(struct decision *r, enum inbound_outcome outcome)
{
	r->res->outcome = outcome;
	snprintf(r->res->detail, sizeof r->res->detail, "%s",
	    r->why.data ? r->why.data : "");
}

/* Records an outcome that changes no state. */
static int
record_outcome(struct decision *r, enum inbound_outcome outcome,
    struct err *err)
{
	struct inbound_note note = {
		.message_id = r->m.message_id ? r->m.message_id : "",
		.digest = r->digest,
		.sender = r->m.from,
		.tenant_id = r->mail.tenant_id,
		.outcome = outcome,
		.detail = r->why.data ? r->why.data : "",
	};
	int tell;

	set_result(r, outcome);
	/* Someone answered who should not have: support wants to know. */
	tell = outcome == INBOUND_STRANGER || outcome == INBOUND_AUTH_FAILED;
	if (workflow_record(r->st, r->ctx, &note, "mail", tell, r->now,
	    err) == -1) {
		if (err->kind != ERR_STATE)
			return -1;
		r->res->duplicate = 1;	/* another reader was first */
	}
	return 0;
}

/* Loads the outbox mail a key names, if the key is really its key. */
static int
try_key(struct decision *r, const char *key, struct err *err)
{
	const struct keyring *keys = r->ctx->keys;
	struct outbox_entry o;
	int64_t id;

	if (replykey_parse(key, &id) == -1)
		return 0;
	if (store_outbox_head(r->st, id, &o, err) == -1)
		return err->kind == ERR_INPUT ? 0 : -1;
	if (!replykey_check(keys->reply, keys->reply_len, key, o.tenant_id,
	    o.id, o.recipient, o.generation)) {
		store_outbox_entry_clear(&o);
		return 0;
	}
	r->mail = o;
	return 1;
}

/* Finds the mail answered: a key in To/Cc, else the thread's ids. */
static int
match(struct decision *r, struct err *err)
{
	char key[REPLYKEY_MAX];
	const struct strvec *refs = &r->m.references;
	int64_t id;
	size_t i;
	int rc;

	for (i = 0; i < r->m.to.n; i++)
		if (replykey_from_address(r->m.to.v[i], key) == 0 &&
		    (rc = try_key(r, key, err)) != 0) {
			r->matched_by = "reply key";
			return rc;
		}
	/* Newest first: In-Reply-To, then References from the end. */
	for (i = 0; i <= refs->n; i++) {
		const char *ref = i == 0 ? r->m.in_reply_to :
		    refs->v[refs->n - i];

		if (ref == NULL)
			continue;
		if (replykey_from_message_id(ref, key) == 0 &&
		    (rc = try_key(r, key, err)) != 0) {
			r->matched_by = "thread";
			return rc;
		}
		if (store_outbox_find(r->st, ref, &id, err) == -1)
			return -1;
		if (id > 0 && store_outbox_head(r->st, id, &r->mail, err) == 0) {
			r->matched_by = "thread";
			return 1;
		}
	}
	return 0;
}

static int
is_support(const struct config *cfg, const char *addr)
{
	size_t i;

	for (i = 0; addr != NULL && i < cfg->support_addresses.n; i++)
		if (addr_equal(addr, cfg->support_addresses.v[i]))
			return 1;
	return 0;
}

/* The event a command means from this sender; EVENT_UNCLEAR otherwise. */
static enum fsm_event
event_for(enum reply_command cmd, int from_support)
{
	switch (cmd) {
	case REPLY_APPROVE:
		return from_support ? EVENT_UNCLEAR : EVENT_APPROVE;
	case REPLY_REJECT:
		return from_support ? EVENT_UNCLEAR : EVENT_REJECT;
	case REPLY_RETRIGGER:
		return from_support ? EVENT_RETRIGGER : EVENT_UNCLEAR;
	case REPLY_FINALIZE:
		return from_support ? EVENT_FINALIZE : EVENT_UNCLEAR;
	case REPLY_UNCLEAR:
		break;
	}
	return EVENT_UNCLEAR;
}

/* What a reply that fires event is recorded as. */
static enum inbound_outcome
outcome_for(enum fsm_event event)
{
	switch (event) {
	case EVENT_APPROVE:
		return INBOUND_APPROVE;
	case EVENT_REJECT:
		return INBOUND_REJECT;
	case EVENT_RETRIGGER:
		return INBOUND_RETRIGGER;
	case EVENT_FINALIZE:
		return INBOUND_FINALIZE;
	default:
		return INBOUND_UNCLEAR;
	}
}

/* A clarification at most once an hour per tenant, ten a day per sender. */
static int
may_clarify(struct decision *r, struct err *err)
{
	int per_tenant, per_sender;

	if (store_outbox_count(r->st, MAIL_CLARIFICATION, r->mail.tenant_id,
	    NULL, r->now - HOUR, &per_tenant, err) == -1 ||
	    store_outbox_count(r->st, MAIL_CLARIFICATION, 0, r->m.from,
	    r->now - DAY, &per_sender, err) == -1)
		return -1;
	return per_tenant < INBOX_CLARIFY_PER_TENANT_HOUR &&
	    per_sender < INBOX_CLARIFY_PER_SENDER_DAY;
}

/* The text part of the mail being answered, to cut a copy of it. */
static char *
answered_text(struct store *st, int64_t id)
{
	struct outbox_entry o;
	struct inmail sent;
	enum inmail_auth auth;
	struct err err;
	char *text = NULL;

	if (store_outbox_get(st, id, &o, &err) == -1)
		return NULL;
	if (o.message != NULL && inmail_parse(o.message, o.message_len, NULL,
	    &sent, &auth, &err) == 0) {
		text = sent.text ? xstrdup(sent.text) : NULL;
		inmail_clear(&sent);
	}
	store_outbox_entry_clear(&o);
	return text;
}

/*
 * Reads the reply; the mail it answers is parsed only when the reply
 * has text enough to end in a copy of it, which is rare and dear.
 */
static void
read_reply(struct decision *r, const struct reply_keywords *kw,
    struct reply_verdict *v)
{
	const char *text = r->m.text ? r->m.text : "";
	char *answered;

	reply_read(text, NULL, kw, v);
	if (!reply_may_hold_copy(v->own_text) ||
	    (answered = answered_text(r->st, r->mail.id)) == NULL)
		return;
	reply_verdict_clear(v);
	reply_read(text, answered, kw, v);
	free(answered);
}

/*
 * Whether this reply may still act: it must answer a mail of the
 * tenant's current generation (a retrigger ends every earlier exchange,
 * as it ends every earlier link), and only the tenant's customer admin
 * approves or rejects, whichever of our mails they answer.  Returns 1,
 * 0 when the reply was recorded as not allowed, -1 for the database.
 */
static int
may_act(struct decision *r, const struct tenant *t, enum fsm_event event,
    struct err *err)
{
	int rc = 1;

	if (r->mail.generation != t->generation) {
		buf_printf(&r->why, "; not applied: it answers a mail of an "
		    "earlier approval (generation %lld, now %lld)",
		    (long long)r->mail.generation, (long long)t->generation);
		rc = record_outcome(r, INBOUND_STALE, err) == -1 ? -1 : 0;
	} else if ((event == EVENT_APPROVE || event == EVENT_REJECT) &&
	    !addr_equal(r->m.from, t->customer_admin)) {
		buf_printf(&r->why, "; not applied: only the customer admin "
		    "%s approves or rejects", t->customer_admin);
		rc = record_outcome(r, INBOUND_NOT_ALLOWED, err) == -1 ? -1 : 0;
	}
	return rc;
}

/*
 * The words that answer: the configured ones, and the words of the
 * tenant's language that its mails ask for (and its buttons carry).
 */
static void
words_for(const struct decision *r, const struct tenant *t,
    struct strvec *approve, struct strvec *reject)
{
	const struct config *cfg = r->ctx->cfg;
	size_t i;

	for (i = 0; i < cfg->keywords_approve.n; i++)
		strvec_push(approve, cfg->keywords_approve.v[i]);
	for (i = 0; i < cfg->keywords_reject.n; i++)
		strvec_push(reject, cfg->keywords_reject.v[i]);
	strvec_push(approve, tmpl_translate(r->ctx->templates, t->language,
	    N_("APPROVE")));
	strvec_push(reject, tmpl_translate(r->ctx->templates, t->language,
	    N_("REJECT")));
}

static int
act(struct decision *r, struct err *err)
{
	const struct config *cfg = r->ctx->cfg;
	struct strvec approve = { 0 }, reject = { 0 };
	struct reply_keywords kw = { &approve, &reject };
	struct reply_verdict v = { 0 };
	struct workflow_event ev = { 0 };
	struct workflow_outcome out;
	struct inbound_note note = { 0 };
	struct tenant t;
	char *text;
	int from_support, may, rc = -1;

	if (store_tenant_get(r->st, r->mail.tenant_id, &t, err) == -1)
		return -1;
	from_support = is_support(cfg, r->m.from);
	words_for(r, &t, &approve, &reject);
	read_reply(r, &kw, &v);
	ev.event = event_for(v.command, from_support);
	text = text_printable(v.own_text ? v.own_text : "", 120);
	buf_printf(&r->why, "; read %s: %s; text: \"%s\"",
	    reply_command_name(v.command), v.why ? v.why : "", text);
	free(text);
	if ((may = may_act(r, &t, ev.event, err)) <= 0) {
		rc = may;
		goto out;
	}
	if (ev.event == EVENT_UNCLEAR) {
		if ((may = may_clarify(r, err)) == -1)
			goto out;
		if (!may) {
			buf_puts(&r->why, "; no clarification: sent one lately");
			rc = record_outcome(r, INBOUND_UNCLEAR, err);
			goto out;
		}
	}
	note.message_id = r->m.message_id ? r->m.message_id : "";
	note.digest = r->digest;
	note.sender = r->m.from;
	note.tenant_id = r->mail.tenant_id;
	note.outcome = outcome_for(ev.event);
	note.detail = r->why.data;
	ev.actor = "mail";
	ev.detail = r->why.data;
	ev.sender = r->m.from;
	ev.in_reply_to = r->m.message_id && *r->m.message_id ?
	    r->m.message_id : NULL;
	ev.note = &note;
	if (workflow_fire(r->st, r->ctx, r->mail.tenant_id, &ev, r->now, &out,
	    err) == 0) {
		set_result(r, note.outcome);
		workflow_outcome_clear(&out);
		rc = 0;
	} else if (err->kind == ERR_STATE) {
		/* APPROVE twice, or too late: recorded, nothing changes. */
		buf_printf(&r->why, "; not applied: %s", err->msg);
		rc = record_outcome(r, INBOUND_NOT_APPLICABLE, err);
	}
out:
	reply_verdict_clear(&v);
	strvec_clear(&approve);
	strvec_clear(&reject);
	tenant_clear(&t);
	return rc;
}

/* Sender and authentication; returns 1 when the reply may act. */
static int
trusted(struct decision *r, struct err *err)
{
	const struct config *cfg = r->ctx->cfg;
	int from_support = is_support(cfg, r->m.from);
	int to_support = is_support(cfg, r->mail.recipient);

	if (r->m.from == NULL || (!addr_equal(r->m.from, r->mail.recipient) &&
	    !(to_support && from_support))) {
		buf_printf(&r->why, "; ignored: from %s, but the mail went to "
		    "%s", r->m.from ? r->m.from : "nobody", r->mail.recipient);
		return record_outcome(r, INBOUND_STRANGER, err) == -1 ? -1 : 0;
	}
	buf_printf(&r->why, "; sender is the recipient");
	if (cfg->require_auth_results) {
		if (r->auth != INMAIL_AUTH_PASS) {
			buf_printf(&r->why, "; ignored: no passing "
			    "Authentication-Results from %s",
			    cfg->trusted_authserv_id);
			return record_outcome(r, INBOUND_AUTH_FAILED,
			    err) == -1 ? -1 : 0;
		}
		buf_puts(&r->why, "; authenticated (dmarc or aligned dkim)");
	}
	return 1;
}

/* A bounce of one of our mails: that delivery failed. */
static int
bounce(struct decision *r, struct err *err)
{
	char *reason;
	int rc;

	reason = xasprintf("bounced: %s", r->m.dsn_status ?
	    r->m.dsn_status : "delivery failed");
	rc = workflow_delivery_failed(r->st, r->ctx, r->mail.id, reason,
	    r->now, err);
	free(reason);
	if (rc == -1 && err->kind != ERR_INPUT)
		return -1;
	buf_printf(&r->why, "bounce of %s to %s",
	    fsm_mail_kind_name(r->mail.kind), r->mail.recipient);
	return record_outcome(r, INBOUND_BOUNCE, err);
}

/* A bounce names the bounced mail by its Message-ID, or comes back to
 * the keyed envelope sender. */
static int
match_bounce(struct decision *r, struct err *err)
{
	char key[REPLYKEY_MAX];
	const char *id = r->m.dsn_original_id;
	int64_t mail;
	int rc;

	if (id != NULL && replykey_from_message_id(id, key) == 0 &&
	    (rc = try_key(r, key, err)) != 0)
		return rc;
	if (id != NULL) {
		if (store_outbox_find(r->st, id, &mail, err) == -1)
			return -1;
		if (mail > 0)
			return store_outbox_head(r->st, mail, &r->mail, err) == 0 ?
			    1 : -1;
	}
	return match(r, err);
}

static int
decide(struct decision *r, struct err *err)
{
	int rc;

	if (r->m.dsn) {
		if ((rc = match_bounce(r, err)) == -1)
			return -1;
		if (rc == 1)
			return bounce(r, err);
		buf_puts(&r->why, "ignored: a bounce for no mail of ours");
		return record_outcome(r, INBOUND_AUTO_REPLY, err);
	}
	if ((rc = match(r, err)) == -1)
		return -1;
	if (rc == 0) {
		buf_printf(&r->why, "ignored: answers no mail of ours (from %s)",
		    r->m.from ? r->m.from : "nobody");
		return record_outcome(r, INBOUND_UNMATCHED, err);
	}
	buf_printf(&r->why, "reply to %s (mail %lld) matched by %s",
	    fsm_mail_kind_name(r->mail.kind), (long long)r->mail.id,
	    r->matched_by);
	if (r->m.auto_reply) {
		buf_printf(&r->why, "; ignored: an automatic reply (%s)",
		    r->m.auto_reason ? r->m.auto_reason : "");
		return record_outcome(r, INBOUND_AUTO_REPLY, err);
	}
	if ((rc = trusted(r, err)) != 1)
		return rc;
	return act(r, err);
}

void
inbox_parse(const struct config *cfg, const char *raw, size_t len,
    struct inbox_parsed *p)
{
	double start = monotonic_seconds();

	memset(p, 0, sizeof *p);
	p->ok = inmail_parse(raw, len, cfg->require_auth_results ?
	    cfg->trusted_authserv_id : NULL, &p->m, &p->auth, &p->why) == 0;
	if (p->ok)
		memcpy(p->digest, p->m.digest, sizeof p->digest);
	else
		inmail_digest(raw, len, p->digest);
	p->seconds = monotonic_seconds() - start;
}

void
inbox_parsed_clear(struct inbox_parsed *p)
{
	inmail_clear(&p->m);
}

int
inbox_handle(struct store *st, const struct compose_ctx *ctx,
    struct inbox_parsed *p, int64_t now, struct inbox_result *res,
    struct err *err)
{
	struct decision r;
	double start = monotonic_seconds();
	int seen, rc = -1;

	memset(&r, 0, sizeof r);
	memset(res, 0, sizeof *res);
	r.st = st;
	r.ctx = ctx;
	r.now = now;
	r.res = res;
	r.m = p->m;	/* taken: p keeps nothing to free */
	memset(&p->m, 0, sizeof p->m);
	r.auth = p->auth;
	memcpy(r.digest, p->digest, sizeof r.digest);
	/* Handled before (we died between the commit and the move): only
	 * move it.  Server-made Message-IDs repeat, hence the digest. */
	if (store_inbound_seen(st, p->ok && r.m.message_id ?
	    r.m.message_id : "", r.digest, &seen, err) == -1)
		goto out;
	res->parse_seconds = p->seconds + monotonic_seconds() - start;
	if (seen) {
		res->duplicate = 1;
		res->outcome = INBOUND_DUPLICATE;
		rc = 0;
	} else if (!p->ok) {
		buf_printf(&r.why, "set aside: %s", p->why.msg);
		rc = record_outcome(&r, INBOUND_REFUSED, err);
	} else
		rc = decide(&r, err);
out:
	inmail_clear(&r.m);
	store_outbox_entry_clear(&r.mail);
	buf_clear(&r.why);
	return rc;
}
