/*
 * store_outbox_sql.h: the outbox's SQL that store_outbox.c and the
 * engines' claim queries (struct store_sql) share.  Only the store's
 * own files include it.
 */
#ifndef MSCAGENT_STORE_OUTBOX_SQL_H
#define MSCAGENT_STORE_OUTBOX_SQL_H

#define STORE_CLAIM_LIMIT_SQL "100"
#define STORE_CLAIM_MAX		100	/* the same, as a number */

/*
 * The statuses are parameters in the SQL, so that their names come from
 * outcome.c alone; prepare_outbox binds them.  Above any other
 * parameter a statement here uses.
 */
#define SQL_QUEUED	"?7"
#define SQL_SENT	"?8"
#define SQL_FAILED	"?9"

#define OUTBOX_WITH_MESSAGE \
	"outbox LEFT JOIN outbox_messages ON outbox_id = outbox.id "

#define OUTBOX_COLUMNS \
	"id, tenant_id, kind, recipient, status, message_id, attempts, " \
	"last_error, created_at, generation, subject, next_attempt_at, sent_at"

/*
 * Queued mails above ?2 that nobody holds at ?1, due ones or all.  The
 * batch's ids are chosen first, so that only their messages are read:
 * joined before the LIMIT, SQLite read the message of every queued mail
 * to sort them by id, and each batch of a long queue paid for all the
 * rest.  SQLite walks outbox_queued in id order and stops at the batch.
 */
#define OUTBOX_CLAIM(due) \
	"SELECT " OUTBOX_COLUMNS ", message FROM " OUTBOX_WITH_MESSAGE \
	"WHERE outbox.id IN (SELECT id FROM outbox WHERE status = " \
	SQL_QUEUED " AND id > ?2 " due "AND lease_until <= ?1 " \
	"ORDER BY id LIMIT " STORE_CLAIM_LIMIT_SQL ") ORDER BY outbox.id"
#define OUTBOX_CLAIM_ALL	OUTBOX_CLAIM("")
#define OUTBOX_CLAIM_DUE	OUTBOX_CLAIM("AND next_attempt_at <= ?1 ")

#endif
