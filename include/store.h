/*
 * store.h: the one module that talks to SQLite.
 *
 * It owns the schema (versioned with PRAGMA user_version, created or
 * upgraded on open), opens every connection the same way (WAL, a busy
 * timeout, foreign keys on) and binds every value.  A state change is
 * made in one BEGIN IMMEDIATE transaction by workflow.c: store_begin,
 * reads, store_tenant_transition (guarded by the state the caller saw),
 * store_history_add, store_outbox_queue, store_commit.  One connection per
 * thread; a struct store is not shared.  Past store_open, no call opens
 * a transaction of its own: each runs in the caller's, or alone when none
 * is open.  A pass over many changes at once (the inbox's) adds the calls
 * of store_bulk.h.
 *
 * Errors: a missing row is ERR_INPUT ("no tenant 7"), a lost race is
 * ERR_STATE, anything SQLite says is ERR_RUNTIME with its message.
 */
#ifndef MSCAGENT_STORE_H
#define MSCAGENT_STORE_H

#include <stdint.h>

#include "outcome.h"
#include "tenant.h"
#include "user.h"

#define STORE_SCHEMA_VERSION	6
#define STORE_BUSY_TIMEOUT_MS	10000

struct store;

struct history_entry {
	int64_t			 at;
	enum tenant_state	 from;
	enum tenant_state	 to;
	char			*actor;
	char			*detail;
};

struct outbox_entry {
	int64_t		 id;
	int64_t		 tenant_id;
	enum mail_kind	 kind;
	char		*recipient;
	enum mail_status	 status;
	char		*message_id;	/* NULL until composed */
	int		 attempts;
	char		*last_error;	/* NULL when none */
	int64_t		 created_at;
	int64_t		 generation;	/* the tenant's when queued */
	char		*subject;
	int64_t		 next_attempt_at;
	int64_t		 sent_at;	/* 0 until sent */
	char		*message;	/* the RFC 5322 bytes, when loaded */
	size_t		 message_len;
};

/* A tenant's current verification token (SPEC §4). */
struct token_info {
	int64_t		 generation;	/* the tenant's, always set */
	int64_t		 issued_at;	/* 0: none issued in this generation */
	int64_t		 expires_at;
	char		*jti;
	char		*token;		/* the JWT, for links in reminders */
	char		*recipient;
};

/*
 * Opens the database target names ([agent] database) and brings its
 * schema to STORE_SCHEMA_VERSION: an SQLite file (created when missing,
 * mode 0600) or a libpq URI.  A database newer than this binary is
 * refused.  Caller frees with store_close.
 */
int	 store_open(const char *target, struct store **, struct err *);
/* SQLite's process-wide settings: once, before any store_open or
 * thread. */
void	 store_init(void);
void	 store_close(struct store *);
/* 1 when a database target ([agent] database) is a libpq URI
 * (postgresql://...), 0 when it is an SQLite path. */
int	 store_target_is_uri(const char *target);
/* The engine behind st: "sqlite" or "postgresql". */
const char *store_engine_name(const struct store *);
/* The schema version the database had when store_open found it: 0 for
 * a new one, below STORE_SCHEMA_VERSION for one it upgraded. */
int	 store_schema_found(const struct store *);

/* BEGIN IMMEDIATE: waits up to the busy timeout for other writers. */
int	 store_begin(struct store *, struct err *);
int	 store_commit(struct store *, struct err *);
/* Safe to call when no transaction is open. */
void	 store_rollback(struct store *);
/*
 * A log line (log.h, at level info) that tells of what the open
 * transaction changes: written once that transaction commits, or,
 * inside a batch (store_bulk.h), once the batch does; a rollback of the
 * transaction, the step or the batch drops it with the changes.  Outside
 * a transaction it is written at once.
 */
void	 store_log_at_commit(struct store *, const char *component,
	    const char *fmt, ...) PRINTF_LIKE(3, 4);
/* BEGIN (deferred): one consistent snapshot for several reads; end it
 * with store_rollback. */
int	 store_begin_read(struct store *, struct err *);
/* A number that changes when another connection commits (SQLite's
 * data_version; on PostgreSQL, when any agent changes the outbox, which
 * is what the deliverers wait for): cheap enough to ask every second.
 * -1 on failure. */
int64_t	 store_data_version(struct store *);
/* A number that changes whenever another connection commits anything,
 * for what is kept of the database's content (page_cache.h); -1 when
 * the engine cannot tell (PostgreSQL hears only the outbox's notices),
 * and nothing must then be kept. */
int64_t	 store_commit_version(struct store *);
/* The SQLite library's version, or the PostgreSQL server's ("15.18"),
 * into buf. */
void	 store_server_version(struct store *, char *buf, size_t len);
/*
 * Several agents on one database (README, "Running on PostgreSQL"):
 *
 * store_holder is the number this connection claims mails under
 * (store_outbox_claim's holder): on SQLite the process id, on
 * PostgreSQL the server process of this connection, which changes when
 * a lost session is opened again (and so lets go of what the old one
 * held).  store_holder_alive says whether a holder still lives: the
 * process on this machine, or the session on the server, which ends as
 * soon as its agent dies.
 */
int64_t	 store_holder(struct store *);
int	 store_holder_alive(struct store *, int64_t holder);
/*
 * A lock named name, across every agent on the database, held by this
 * connection until store_unlock or until the connection ends (its agent
 * dies): *held says whether it got it, without waiting.  SQLite always
 * holds it: one file is one machine, and processes on it take turns on
 * its write lock.  Taking a lock this connection holds again is a no-op.
 */
int	 store_lock(struct store *, const char *name, int *held, struct err *);
void	 store_unlock(struct store *, const char *name);
/* 1 when the database answers a trivial query. */
int	 store_ping(struct store *);

/* Plans.  A name already taken is an ERR_INPUT error. */
int	 store_plan_add(struct store *, const struct plan *, int64_t now,
	    int64_t *id, struct err *);
/* Fills *plans (caller frees with store_plans_free) in id order. */
int	 store_plan_list(struct store *, struct plan **plans, size_t *n,
	    struct err *);
void	 store_plans_free(struct plan *, size_t);
/* Finds a plan by id (when key is all digits) or by name. */
int	 store_plan_find(struct store *, const char *key, struct plan *,
	    struct err *);
int	 store_plan_get(struct store *, int64_t id, struct plan *,
	    struct err *);

/* Tenants.  Adds the tenant with its licences in state new. */
int	 store_tenant_add(struct store *, const struct tenant *, int64_t now,
	    int64_t *id, struct err *);
/* Loads every field and licence; caller frees with tenant_clear. */
int	 store_tenant_get(struct store *, int64_t id, struct tenant *,
	    struct err *);
/* Replaces the registered fields (name, addresses, workloads, edition,
 * suspended, licences) of a tenant still in the given state. */
int	 store_tenant_update(struct store *, const struct tenant *,
	    struct err *);
/*
 * Calls fn for each tenant in id order (only those in state when state
 * >= 0), stopping early when fn returns non-zero.  The tenant passed is
 * freed after fn returns.
 */
int	 store_tenant_each(struct store *, int state,
	    int (*fn)(const struct tenant *, void *), void *arg, struct err *);
/* The ids of the tenants in state (all when state < 0); caller frees. */
int	 store_tenant_ids(struct store *, int state, int64_t **ids, size_t *n,
	    struct err *);

/*
 * The console's lists come a page at a time: offset rows skipped, at
 * most limit (up to STORE_PAGE_MAX) returned, and *total the rows that
 * match, so that a page can say "51-100 of 730".
 */
#define STORE_PAGE_MAX		500

/* Which tenants a page lists. */
struct tenant_filter {
	int		 state;		/* < 0: any */
	const char	*q;		/* NULL or "": any; else an id, or a
					   part of the name or of either
					   address (ASCII case ignored) */
	size_t		 offset;
	size_t		 limit;
};

/* In id order, with their licences; free with store_tenants_free. */
int	 store_tenant_page(struct store *, const struct tenant_filter *,
	    struct tenant **, size_t *n, int64_t *total, struct err *);
void	 store_tenants_free(struct tenant *, size_t);

/* The tenants someone must answer for, as the console's dashboard
 * shows them. */
enum store_waiting {
	WAITING_APPROVAL,	/* awaiting_approval since at or before
				   limit_at: the reminder went unanswered */
	WAITING_LINK,		/* awaiting_verification, their link
				   expiring at or before limit_at */
	WAITING_BLOCKED,	/* blocked by the preflight (limit_at
				   unused) */
};

struct tenant_due {
	int64_t	 id;
	char	*name;
	int64_t	 at;		/* since when (approval, blocked), or when
				   the link expires */
};

/* Up to limit of them, the longest waiting first, and how many there
 * are; free with store_due_free. */
int	 store_tenant_waiting(struct store *, enum store_waiting,
	    int64_t limit_at, size_t limit, struct tenant_due **, size_t *n,
	    int64_t *total, struct err *);
void	 store_due_free(struct tenant_due *, size_t);

/*
 * Moves a tenant from the state the caller read (t->state is the new
 * state, expected the old one) and stores plan, generation, blocked
 * reasons and licences after migration with it.  Returns -1 with
 * ERR_STATE when the tenant is no longer in the expected state.
 */
int	 store_tenant_transition(struct store *, const struct tenant *,
	    enum tenant_state expected, int64_t now, struct err *);

/* The newest token of the tenant's current generation; free with
 * store_token_clear. */
int	 store_token_get(struct store *, int64_t tenant_id, struct token_info *,
	    struct err *);
void	 store_token_clear(struct token_info *);
/* Finds the token with this jti: 1 with its tenant and generation,
 * 0 when no token has it, -1 for the database. */
int	 store_token_find(struct store *, const char *jti, int64_t *tenant_id,
	    int64_t *generation, struct err *);
/* Records an issued token. */
int	 store_token_add(struct store *, int64_t tenant_id, int64_t generation,
	    const char *jti, const char *recipient, const char *token,
	    int64_t issued_at, int64_t expires_at, struct err *);

/* What the clock makes happen (SPEC §1.5; the sweep). */
enum store_timer {
	TIMER_NONE = 0,
	TIMER_REMIND_APPROVAL,
	TIMER_REMIND_VERIFICATION,
	TIMER_EXPIRE,
};

/*
 * The ids of the tenants timer is due for at now (only tenant_id when it
 * is not 0), from stored times alone, so a late or repeated sweep does
 * each thing once.  Caller frees *ids.
 */
int	 store_timer_due(struct store *, enum store_timer, int64_t now,
	    int approval_remind_days, int remind_days, int64_t tenant_id,
	    int64_t **ids, size_t *n, struct err *);

/* One message read from the inbox, and what was made of it. */
struct inbound_note {
	const char	*message_id;	/* "" when the message had none */
	const char	*digest;	/* SHA-256 of the raw message, hex */
	const char	*sender;	/* may be NULL */
	int64_t		 tenant_id;	/* 0: matched no tenant */
	enum inbound_outcome	 outcome;
	const char	*detail;
};

/* *seen = 1 when this message (Message-ID and digest) was handled. */
int	 store_inbound_seen(struct store *, const char *message_id,
	    const char *digest, int *seen, struct err *);
/* A message read, as the console lists it. */
struct inbound_entry {
	int64_t			 id;
	int64_t			 received_at;
	char			*message_id;	/* "" when it had none */
	char			*sender;	/* "" when unknown */
	int64_t			 tenant_id;	/* 0: matched none */
	enum inbound_outcome	 outcome;
	char			*detail;	/* how it was read */
};

/* Which messages a page lists. */
struct inbound_filter {
	int		 outcome;	/* < 0: any */
	int		 needs_look;	/* only those read as unclear or set
					   aside: stale, not allowed, not
					   applicable, a stranger's, failing
					   authentication, unmatched,
					   refused */
	int64_t		 tenant_id;	/* 0: any */
	size_t		 offset;
	size_t		 limit;
};

/* Newest first; free with store_inbound_free. */
int	 store_inbound_page(struct store *, const struct inbound_filter *,
	    struct inbound_entry **, size_t *n, int64_t *total, struct err *);
void	 store_inbound_free(struct inbound_entry *, size_t);
/* Records a handled message; ERR_STATE when it was recorded before. */
int	 store_inbound_add(struct store *, const struct inbound_note *,
	    int64_t now, struct err *);
/*
 * Where the inbox reader stands in a mailbox (keyed by its URL): the
 * IMAP UIDVALIDITY and the highest UID done with; zeros when none is
 * kept.  Set keeps the higher last_uid under the same UIDVALIDITY (two
 * readers never move it back) and starts afresh under a new one.
 */
int	 store_mailbox_get(struct store *, const char *mailbox,
	    uint32_t *uidvalidity, uint32_t *last_uid, struct err *);
int	 store_mailbox_set(struct store *, const char *mailbox,
	    uint32_t uidvalidity, uint32_t last_uid, struct err *);
/* The outbox mail with that Message-ID (without <>); *id = 0: none. */
int	 store_outbox_find(struct store *, const char *message_id, int64_t *id,
	    struct err *);
/* How many mails of kind were queued since then, for one tenant (0:
 * all) and one recipient (NULL: all). */
int	 store_outbox_count(struct store *, enum mail_kind, int64_t tenant_id,
	    const char *recipient, int64_t since, int *count, struct err *);

int	 store_history_add(struct store *, int64_t tenant_id, int64_t at,
	    enum tenant_state from, enum tenant_state to, const char *actor,
	    const char *detail, struct err *);
/* Oldest first; caller frees with store_history_free. */
int	 store_history_list(struct store *, int64_t tenant_id,
	    struct history_entry **, size_t *n, struct err *);
void	 store_history_free(struct history_entry *, size_t);

/*
 * The id the next queued mail gets (the one after the highest, as SQLite
 * itself picks), so that it can be composed, its reply key and
 * Message-ID made from the id, before it is queued.  Meaningful only
 * inside the transaction that queues it, which holds the write lock.
 */
int	 store_outbox_next_id(struct store *, int64_t *id, struct err *);
/* A composed mail to queue. */
struct outbox_new {
	int64_t		 id;		/* from store_outbox_next_id */
	int64_t		 tenant_id;
	enum mail_kind	 kind;
	const char	*recipient;
	int64_t		 generation;	/* the tenant's */
	int64_t		 now;		/* queued, and first due */
	const char	*message_id;	/* without <> */
	const char	*subject;
	const char	*message;	/* the RFC 5322 bytes; NULL: later */
	size_t		 message_len;
};

/* Queues one mail: the row and its message go in whole, so no index
 * entry is made twice.  A mail queued without its message gets it from
 * store_outbox_message in the same transaction (compose_thread.h). */
int	 store_outbox_queue(struct store *, const struct outbox_new *,
	    struct err *);
int	 store_outbox_message(struct store *, int64_t id, const char *message,
	    size_t len, struct err *);
/* One mail with its message; free with store_outbox_entry_clear. */
int	 store_outbox_get(struct store *, int64_t id, struct outbox_entry *,
	    struct err *);
/* The same without the message, which is most of its bytes. */
int	 store_outbox_head(struct store *, int64_t id, struct outbox_entry *,
	    struct err *);
/* Oldest first, without messages; free with store_outbox_free. */
int	 store_outbox_list(struct store *, int64_t tenant_id,
	    struct outbox_entry **, size_t *n, struct err *);
/* Which mails a page of the outbox lists. */
struct outbox_filter {
	int		 status;	/* enum mail_status; < 0: any */
	int		 kind;		/* enum mail_kind; < 0: any */
	int64_t		 tenant_id;	/* 0: any */
	size_t		 offset;
	size_t		 limit;
};

/* Newest first, without messages; free with store_outbox_free. */
int	 store_outbox_page(struct store *, const struct outbox_filter *,
	    struct outbox_entry **, size_t *n, int64_t *total, struct err *);
/* Appends the Message-IDs of the earlier mails of the tenant to
 * recipient (ids below before_id), oldest first. */
int	 store_outbox_thread(struct store *, int64_t tenant_id,
	    const char *recipient, int64_t before_id, struct strvec *ids,
	    struct err *);
/*
 * Takes up to limit (at most 100) queued mails above after_id, in id
 * order, that are due at now (all queued mails when all) and that nobody
 * holds, and holds them for holder (a non-zero number of the caller's
 * choosing) until now + lease, so two deliverers never send the same
 * mail.  Their messages are loaded.  Call it between store_begin and
 * store_commit: the transaction makes taking them whole.
 */
int	 store_outbox_claim(struct store *, int64_t now, int all,
	    int64_t after_id, int64_t lease, int64_t holder, size_t limit,
	    struct outbox_entry **, size_t *n, struct err *);
/* The holders of the claims still held at now; caller frees. */
int	 store_outbox_holders(struct store *, int64_t now, int64_t **holders,
	    size_t *n, struct err *);
/* Lets go of every queued mail holder holds, so the next claim takes
 * it; *first is the lowest id it held (0: none). */
int	 store_outbox_unclaim(struct store *, int64_t holder, int64_t *first,
	    struct err *);
/* Delivery outcomes; each releases the hold. */
int	 store_outbox_sent(struct store *, int64_t id, int64_t now,
	    struct err *);
/* Tries again at next_attempt_at; counted: the attempt reached the
 * server and counts towards retry_max. */
int	 store_outbox_retry(struct store *, int64_t id, int64_t next_attempt_at,
	    int counted, const char *error, struct err *);
int	 store_outbox_failed(struct store *, int64_t id, const char *error,
	    struct err *);
/* A failed mail queued again, due at now, its attempts counted anew;
 * ERR_STATE when it is not failed (sent, queued, or sent again by
 * someone else meanwhile). */
int	 store_outbox_requeue(struct store *, int64_t id, int64_t now,
	    struct err *);
void	 store_outbox_entry_clear(struct outbox_entry *);
void	 store_outbox_free(struct outbox_entry *, size_t);

/*
 * The OAuth2 state of one mail account ("inbound", "outbound"): what
 * mailauth.c keeps between runs and shares between processes.  identity
 * names whose tokens they are (token URL, client, user): tokens of
 * another identity are never used.  A lease (lease_until, leased_by: a
 * pid) says one process is asking the token endpoint.
 */
struct mail_auth_row {
	char		*account;
	char		*identity;
	char		*state;		/* ok, needs_login, needs_reauth, error */
	char		*refresh_token;	/* NULL: none */
	char		*access_token;	/* NULL: none */
	int64_t		 expires_at;	/* of the access token */
	int64_t		 refreshed_at;	/* when it was obtained */
	char		*last_error;	/* NULL: none */
	int64_t		 failures;	/* temporary ones in a row */
	int64_t		 retry_at;	/* not before, after a failure */
	int64_t		 lease_until;
	int64_t		 leased_by;
	int		 notified;	/* support was told of needs_reauth */
};

/* *found = 0 and an empty row when the account has none yet. */
int	 store_auth_get(struct store *, const char *account,
	    struct mail_auth_row *, int *found, struct err *);
/* Inserts or replaces the account's row whole. */
int	 store_auth_put(struct store *, const struct mail_auth_row *,
	    struct err *);
void	 store_auth_clear(struct mail_auth_row *);

/*
 * The operator console's accounts (user.h), in store_user.c.  A name is
 * found without regard to case; a missing one is ERR_INPUT ("no user
 * 'bob'"), a name taken (in any case) on add is ERR_INPUT too.
 */
int	 store_user_add(struct store *, const char *name, enum user_role,
	    const char *password_hash, int64_t now, struct err *);
/* Fills *u (free with user_clear). */
int	 store_user_get(struct store *, const char *name,
	    struct console_user *u, struct err *);
/* Every account, by name; free with store_users_free. */
int	 store_user_list(struct store *, struct console_user **, size_t *n,
	    struct err *);
void	 store_users_free(struct console_user *, size_t);
/* How many accounts hold role. */
int	 store_user_count(struct store *, enum user_role, int64_t *n,
	    struct err *);
int	 store_user_set_role(struct store *, const char *name, enum user_role,
	    struct err *);
/*
 * A new password hash; must_change: it is a one-time password.  Clears
 * the failed sign-ins and ends the account's sessions: whoever held
 * the old password is out.
 */
int	 store_user_set_password(struct store *, const char *name,
	    const char *password_hash, int must_change, int64_t now,
	    struct err *);
/* Removes the account and its sessions; its audit rows stay. */
int	 store_user_delete(struct store *, const char *name, struct err *);
/* Forgets the TOTP secret, its last step and the recovery codes, and
 * ends the sessions: the next sign-in enrolls anew. */
int	 store_user_reset_totp(struct store *, const char *name,
	    struct err *);

/* The account numbered id (fills *u: free with user_clear); ERR_INPUT
 * when there is none. */
int	 store_user_get_id(struct store *, int64_t id, struct console_user *u,
	    struct err *);
/*
 * A failed sign-in of the account: one more in a row, and no other
 * tried before not_before.  A good one clears both, and a code's step
 * (step > 0) becomes the last one accepted, so it is taken once: a step
 * not after the last one fails with ERR_STATE and changes nothing.
 */
int	 store_user_signin_failed(struct store *, int64_t id,
	    int64_t not_before, struct err *);
int	 store_user_signin_ok(struct store *, int64_t id, int64_t step,
	    struct err *);
/* Enrolls a second factor: its base32 secret, the step of the code
 * that confirmed it, and the recovery codes' hashes (space-separated). */
int	 store_user_set_totp(struct store *, int64_t id, const char *secret,
	    int64_t step, const char *recovery_hashes, struct err *);
/* The recovery hashes left once one is used; 0 when hash was still
 * there (and is now gone), -1 with ERR_STATE when it was not. */
int	 store_user_use_recovery(struct store *, int64_t id, const char *hash,
	    struct err *);

/*
 * The console's sessions.  Only the SHA-256 of a session id (hex) is
 * kept, so the database does not hold what a cookie holds.  A pending
 * session has had its password but not yet its second factor.
 */
struct console_session {
	int64_t	 id;
	int64_t	 user_id;
	int64_t	 created_at;
	int64_t	 last_seen_at;
	char	*address;
	char	*csrf_token;
	int	 pending;
};

int	 store_session_add(struct store *, const char *id_hash, int64_t user_id,
	    int64_t now, const char *address, const char *csrf_token,
	    int pending, int64_t *id, struct err *);
/* Removes the sessions that died: pending ones made before
 * pending_before, others last seen before seen_before or made before
 * created_before. */
int	 store_session_prune(struct store *, int64_t pending_before,
	    int64_t seen_before, int64_t created_before, struct err *);
/* The session of id_hash into *s (free with store_session_clear):
 * *found 0 when there is none. */
int	 store_session_find(struct store *, const char *id_hash,
	    struct console_session *s, int *found, struct err *);
int	 store_session_touch(struct store *, int64_t id, int64_t now,
	    struct err *);
/* Ends session id, only when it belongs to user_id (0: anybody's);
 * *ended says whether it did. */
int	 store_session_delete(struct store *, int64_t id, int64_t user_id,
	    int *ended, struct err *);
/* Ends every session of user_id but keep (0: all of them); *n of them. */
int	 store_session_delete_user(struct store *, int64_t user_id,
	    int64_t keep, int64_t *n, struct err *);
/* The sessions of user_id, newest first (pending ones left out); free
 * with store_sessions_free. */
int	 store_session_list(struct store *, int64_t user_id,
	    struct console_session **, size_t *n, struct err *);
void	 store_session_clear(struct console_session *);
void	 store_sessions_free(struct console_session *, size_t);

/* How many sign-ins failed from address at or after since, and when
 * the last of them was (0: none), from the audit. */
int	 store_audit_failed_signins(struct store *, const char *address,
	    int64_t since, int64_t *n, int64_t *last, struct err *);

/* One line of the audit: who did what, from where, to what, and how it
 * ended ("ok", "refused", "failed"). */
struct audit_note {
	int64_t		 at;
	const char	*user;		/* an account, or USER_CLI */
	const char	*address;	/* the client's; NULL: none (the CLI) */
	const char	*action;	/* "user.add", "signin", ... */
	const char	*target;	/* NULL: none */
	const char	*outcome;
	const char	*detail;	/* NULL: none */
};

struct audit_entry {
	int64_t	 id;
	int64_t	 at;
	char	*user;
	char	*address;	/* "" when none, as the others */
	char	*action;
	char	*target;
	char	*outcome;
	char	*detail;
};

/* Appends one row; rows are never changed or removed (the schema's
 * triggers refuse an UPDATE or DELETE). */
int	 store_audit_add(struct store *, const struct audit_note *,
	    struct err *);
/* Up to limit rows below before_id (0: from the newest), newest first;
 * free with store_audit_free. */
int	 store_audit_list(struct store *, int64_t before_id, size_t limit,
	    struct audit_entry **, size_t *n, struct err *);
void	 store_audit_free(struct audit_entry *, size_t);

/* How many rows share each value of a column, for the metrics. */
enum store_tally {
	TALLY_TENANT_STATE,	/* tenants by state */
	TALLY_MAIL_STATUS,	/* outbox by status */
	TALLY_REPLY_OUTCOME,	/* inbound messages by outcome */
};

struct store_count {
	char	*key;
	int64_t	 n;
};

/* Fills *counts (free with store_counts_free), ordered by key. */
int	 store_tally(struct store *, enum store_tally,
	    struct store_count **counts, size_t *n, struct err *);
void	 store_counts_free(struct store_count *, size_t);

#endif
