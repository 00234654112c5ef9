/* store_pg.c: the PostgreSQL engine of the store (store_impl.h), over
 * libpq: a connection from a URI, the schema, statements prepared on
 * the server, and the notices that wake another agent's deliverer. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_impl.h"
#include "store_outbox_sql.h"

#define PG_ERR_MAX		512	/* bytes of a server's message kept */
#define PG_INT_LEN		24	/* an int64_t in decimal, and a NUL */
#define PG_PARAM_MAX		64	/* ?64 is the highest a query uses */
#define PG_TEXT_OID		25
#define PG_INT8_OID		20
#define PG_BYTEA_OID		17
#define PG_SQLSTATE_UNIQUE	"23505"
#define PG_SQLSTATE_UNTYPED	"42P18"	/* indeterminate_datatype */
#define PG_SQLSTATE_AMBIGUOUS	"42P08"	/* ambiguous_parameter */

/*
 * Every write transaction of every agent takes this lock first, so that
 * writers take turns as they do on one SQLite file (BEGIN IMMEDIATE):
 * what a transaction reads and then writes stays true until it commits,
 * whichever agent runs it.  Readers never wait for it.  The number is
 * the store's own: "mscA" in ASCII, in the first of the two keys.
 */
#define PG_WRITE_LOCK		"pg_advisory_xact_lock(1836278593, 1)"

/* The first key of every lock of store_lock, the second the name's
 * hash; at most PG_LOCKS names held at once. */
#define PG_LOCK_CLASS		"1836278593"
#define PG_LOCKS		8

/*
 * Every session tells the server to look for its client after 10
 * seconds of silence, every 5 s, 3 times: a session whose agent's
 * machine is gone ends within half a minute, and with it its locks and
 * its claims' holder (README, "Running on PostgreSQL").
 */
#define PG_SESSION_SETUP \
	"SET application_name = 'mscagent'; " \
	"SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; " \
	"SET tcp_keepalives_count = 3"

/* The channel a commit that changed the outbox is told on. */
#define PG_OUTBOX_CHANNEL	"mscagent_outbox"

struct pg_conn {
	PGconn		*pg;
	unsigned	 generation;	/* of the session: bumped on reconnect */
	unsigned	 next_name;	/* for statement names */
	int		 listening;	/* LISTEN issued in this session */
	char		*locks[PG_LOCKS];	/* held in this session */
	int64_t		 notices;	/* outbox notices received so far */
	int64_t		 changes;
	int		 untyped;	/* the last PREPARE's, untyped_param */
	char		 sqlstate[6];
	char		 errmsg[PG_ERR_MAX];
};

struct pg_stmt {
	struct db_stmt	 base;
	char		*sql;		/* translated: $1, $2, ... */
	char		 name[16];
	unsigned	 generation;	/* the session it was prepared in */
	int		 nparams;
	Oid		 types[PG_PARAM_MAX];
	const char	*values[PG_PARAM_MAX];
	char		*owned[PG_PARAM_MAX];	/* copies, freed on clear */
	char		 ints[PG_PARAM_MAX][PG_INT_LEN];
	int		 lengths[PG_PARAM_MAX];
	int		 formats[PG_PARAM_MAX];
	PGresult	*res;
	int		 row;		/* the current one; -1 before the first */
	unsigned char	*blob;		/* the last bytea column read */
};

static struct pg_conn *
conn_of(struct store *st)
{
	return st->conn;
}

static struct pg_stmt *
pg_stmt_of(struct db_stmt *stmt)
{
	return (struct pg_stmt *)stmt;
}

/* Keeps the server's message (one line) and its SQLSTATE. */
static void
keep_error(struct pg_conn *c, const PGresult *res)
{
	const char *msg, *state;
	size_t len;

	msg = res != NULL ? PQresultErrorMessage(res) : "";
	if (msg == NULL || *msg == '\0')
		msg = PQerrorMessage(c->pg);
	snprintf(c->errmsg, sizeof c->errmsg, "%s", msg);
	len = strcspn(c->errmsg, "\n");
	c->errmsg[len] = '\0';
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
}

static void quiet(void *, const char *);

/*
 * A lost session (the server restarted, the network cut) is opened
 * again before the next statement: statements prepared in the old one
 * are prepared again as they are next used (their generation is old).
 * Only outside a transaction: one cut in the middle is lost whole, and
 * its caller retries as after any failed commit.
 */
static void
reconnect_if_lost(struct store *st)
{
	struct pg_conn *c = conn_of(st);

	if (PQstatus(c->pg) == CONNECTION_OK || st->in_tx || st->in_batch)
		return;
	PQreset(c->pg);
	if (PQstatus(c->pg) == CONNECTION_OK) {
		c->generation++;
		c->listening = 0;
		/* A session's locks end with it. */
		for (size_t i = 0; i < PG_LOCKS; i++) {
			free(c->locks[i]);
			c->locks[i] = NULL;
		}
		PQclear(PQexec(c->pg, PG_SESSION_SETUP));
		PQsetNoticeProcessor(c->pg, quiet, NULL);
	}
}

/* ---- statements ---- */

static const char *
pg_errmsg(struct store *st)
{
	return conn_of(st)->errmsg;
}

static int
pg_unique_violation(struct store *st)
{
	return strcmp(conn_of(st)->sqlstate, PG_SQLSTATE_UNIQUE) == 0;
}

static int64_t
pg_changes(struct store *st)
{
	return conn_of(st)->changes;
}

static int
pg_exec(struct store *st, const char *sql, struct err *err)
{
	struct pg_conn *c = conn_of(st);
	PGresult *res;
	int rc = 0;

	reconnect_if_lost(st);
	res = PQexec(c->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		keep_error(c, res);
		err_set(err, ERR_RUNTIME, "database: %s", c->errmsg);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/*
 * The shared SQL's ?N as PostgreSQL's $N, outside quotes; *nparams is
 * the highest N, and used[N - 1] says which appear.  -1 for an N above
 * PG_PARAM_MAX.
 */
static int
translate(const char *sql, char **out, int *nparams, int used[PG_PARAM_MAX])
{
	char *buf, *w, *end;
	const char *p;
	char quote = 0;
	long n;

	buf = xmalloc(strlen(sql) + 1);
	w = buf;
	*nparams = 0;
	for (p = sql; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
			n = strtol(p + 1, &end, 10);
			if (n < 1 || n > PG_PARAM_MAX) {
				free(buf);
				return -1;
			}
			used[n - 1] = 1;
			if (n > *nparams)
				*nparams = (int)n;
			w += sprintf(w, "$%ld", n);	/* never longer */
			p = end - 1;
			continue;
		}
		*w++ = *p;
	}
	*w = '\0';
	*out = buf;
	return 0;
}

/*
 * The parameter whose type the server could not tell from the query
 * (one only tested for NULL, say): its number, or 0.
 */
static int
untyped_param(const PGresult *res)
{
	const char *state, *msg, *at;
	long n;

	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (state == NULL || (strcmp(state, PG_SQLSTATE_UNTYPED) != 0 &&
	    strcmp(state, PG_SQLSTATE_AMBIGUOUS) != 0) || msg == NULL || (at = strrchr(msg, '$')) == NULL)
		return 0;
	n = strtol(at + 1, NULL, 10);
	return n >= 1 && n <= PG_PARAM_MAX ? (int)n : 0;
}

/*
 * One PREPARE.  A failed one would end the transaction it is in, so
 * inside one it is tried under a savepoint; this is once per statement
 * and session, as statements are kept.
 */
static int
try_prepare(struct store *st, struct pg_stmt *s)
{
	struct pg_conn *c = conn_of(st);
	int in_tx = st->in_tx || st->in_batch, rc = 0;
	PGresult *res;

	if (in_tx) {
		res = PQexec(c->pg, "SAVEPOINT mscagent_prepare");
		PQclear(res);
	}
	res = PQprepare(c->pg, s->name, s->sql, s->nparams, s->types);
	c->untyped = 0;
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		keep_error(c, res);
		c->untyped = untyped_param(res);
		rc = -1;
	}
	PQclear(res);
	if (in_tx) {
		res = PQexec(c->pg, rc == 0 ? "RELEASE mscagent_prepare" :
		    "ROLLBACK TO mscagent_prepare; RELEASE mscagent_prepare");
		PQclear(res);
	}
	return rc;
}

/* 1 for an operator or function that does not take the types given. */
static int
is_type_error(const char *sqlstate)
{
	return strcmp(sqlstate, "42883") == 0 ||	/* undefined_function */
	    strcmp(sqlstate, "42804") == 0;		/* datatype_mismatch */
}

/*
 * Prepares s on the server under its name, in the current session.  A
 * parameter the server cannot type is text, as SQLite, which has no
 * types to tell, would take it.
 */
static int
server_prepare(struct store *st, struct pg_stmt *s)
{
	struct pg_conn *c = conn_of(st);
	int n, tries, last = 0;

	for (tries = 0; tries <= 2 * s->nparams; tries++) {
		if (try_prepare(st, s) == 0) {
			s->generation = c->generation;
			return 0;
		}
		n = c->untyped;
		if (n > 0 && n <= s->nparams && s->types[n - 1] == 0) {
			s->types[n - 1] = PG_TEXT_OID;
			last = n;
		} else if (last > 0 && s->types[last - 1] == PG_TEXT_OID &&
		    is_type_error(c->sqlstate))
			/* Text did not fit where it is compared: a number. */
			s->types[last - 1] = PG_INT8_OID;
		else
			return -1;
	}
	return -1;
}

static int
pg_prepare(struct store *st, const char *sql, struct db_stmt **out,
    struct err *err)
{
	struct pg_conn *c = conn_of(st);
	int used[PG_PARAM_MAX] = { 0 };
	struct pg_stmt *s;
	int i;

	s = xcalloc(1, sizeof *s);
	s->base.st = st;
	s->row = -1;
	if (translate(sql, &s->sql, &s->nparams, used) == -1) {
		free(s);
		err_set(err, ERR_RUNTIME, "database: too many parameters");
		return -1;
	}
	/* A parameter the query never names still needs a type. */
	for (i = 0; i < s->nparams; i++)
		s->types[i] = used[i] ? 0 : PG_TEXT_OID;
	snprintf(s->name, sizeof s->name, "m%u", c->next_name++);
	reconnect_if_lost(st);
	if (server_prepare(st, s) == -1) {
		free(s->sql);
		free(s);
		return db_fail(st, err, "prepare");
	}
	*out = &s->base;
	return 0;
}

static void
pg_reset(struct db_stmt *stmt)
{
	struct pg_stmt *s = pg_stmt_of(stmt);

	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	PQfreemem(s->blob);
	s->blob = NULL;
}

static void
pg_clear_bindings(struct db_stmt *stmt)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	int i;

	for (i = 0; i < s->nparams; i++) {
		free(s->owned[i]);
		s->owned[i] = NULL;
		s->values[i] = NULL;
		s->lengths[i] = 0;
		s->formats[i] = 0;
	}
}

static void
pg_finalize(struct db_stmt *stmt)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	struct pg_conn *c = conn_of(stmt->st);
	char sql[48];
	PGresult *res;

	pg_reset(stmt);
	pg_clear_bindings(stmt);
	/* Closing the session drops them all at once. */
	if (!stmt->st->closing && s->generation == c->generation &&
	    PQstatus(c->pg) == CONNECTION_OK) {
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		res = PQexec(c->pg, sql);
		PQclear(res);
	}
	free(s->sql);
	free(s);
}

static int
pg_param_count(struct db_stmt *stmt)
{
	return pg_stmt_of(stmt)->nparams;
}

/* Parameter i (from 1) of s, or NULL past its last: ignored. */
static int
slot(struct pg_stmt *s, int i)
{
	if (i < 1 || i > s->nparams)
		return -1;
	free(s->owned[i - 1]);
	s->owned[i - 1] = NULL;
	s->formats[i - 1] = 0;
	s->lengths[i - 1] = 0;
	return i - 1;
}

static void
pg_bind_int64(struct db_stmt *stmt, int i, int64_t v)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	int k;

	if ((k = slot(s, i)) == -1)
		return;
	snprintf(s->ints[k], sizeof s->ints[k], "%" PRId64, v);
	s->values[k] = s->ints[k];
}

static void
pg_bind_text(struct db_stmt *stmt, int i, const char *text, int copy)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	int k;

	if ((k = slot(s, i)) == -1)
		return;
	if (copy)
		text = s->owned[k] = xstrdup(text);
	s->values[k] = text;
}

/* Binary: the bytes as they are, no escaping. */
static void
pg_bind_blob(struct db_stmt *stmt, int i, const void *p, size_t len)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	int k;

	if ((k = slot(s, i)) == -1)
		return;
	s->values[k] = p;
	s->lengths[k] = (int)len;
	s->formats[k] = 1;
}

static void
pg_bind_null(struct db_stmt *stmt, int i)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	int k;

	if ((k = slot(s, i)) == -1)
		return;
	s->values[k] = NULL;
}

/* Runs the statement, the first time it is stepped. */
static int
run(struct pg_stmt *s)
{
	struct store *st = s->base.st;
	struct pg_conn *c = conn_of(st);
	ExecStatusType status;
	const char *tuples;

	reconnect_if_lost(st);
	if (s->generation != c->generation && server_prepare(st, s) == -1)
		return DB_ERROR;
	s->res = PQexecPrepared(c->pg, s->name, s->nparams, s->values,
	    s->lengths, s->formats, 0);
	status = PQresultStatus(s->res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		keep_error(c, s->res);
		PQclear(s->res);
		s->res = NULL;
		return DB_ERROR;
	}
	tuples = PQcmdTuples(s->res);
	c->changes = *tuples != '\0' ? strtoll(tuples, NULL, 10) : 0;
	return DB_DONE;
}

static int
pg_step(struct db_stmt *stmt)
{
	struct pg_stmt *s = pg_stmt_of(stmt);

	if (s->res == NULL && run(s) == DB_ERROR)
		return DB_ERROR;
	PQfreemem(s->blob);
	s->blob = NULL;
	if (s->row + 1 < PQntuples(s->res)) {
		s->row++;
		return DB_ROW;
	}
	s->row = PQntuples(s->res);
	return DB_DONE;
}

static int
in_row(struct pg_stmt *s, int i)
{
	return s->res != NULL && s->row >= 0 && s->row < PQntuples(s->res) &&
	    i >= 0 && i < PQnfields(s->res) && !PQgetisnull(s->res, s->row, i);
}

/* Integers, and a comparison's t or f as 1 or 0, as SQLite gives. */
static int64_t
pg_column_int64(struct db_stmt *stmt, int i)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	const char *v;

	if (!in_row(s, i))
		return 0;
	v = PQgetvalue(s->res, s->row, i);
	if (*v == 't')
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *
pg_column_text(struct db_stmt *stmt, int i)
{
	struct pg_stmt *s = pg_stmt_of(stmt);

	if (!in_row(s, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static const void *
pg_column_blob(struct db_stmt *stmt, int i, size_t *len)
{
	struct pg_stmt *s = pg_stmt_of(stmt);
	const char *v;

	*len = 0;
	if (!in_row(s, i))
		return NULL;
	v = PQgetvalue(s->res, s->row, i);
	if (PQftype(s->res, i) != PG_BYTEA_OID) {
		*len = (size_t)PQgetlength(s->res, s->row, i);
		return v;
	}
	PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)v, len);
	return s->blob;
}

/* ---- the schema ---- */

/*
 * The schema at each version, as one step from the version before; the
 * first creates version STORE_SCHEMA_VERSION whole (the SQLite
 * migrations' sum), so a PostgreSQL database never was at 1 to 4.  The
 * tables and columns are SQLite's, with PostgreSQL's types: 64-bit
 * integers, bytea, citext for a name that ignores case.
 */
static const struct {
	int		 version;
	const char	*sql;
} pg_migrations[] = {
	{ 5,
	"CREATE EXTENSION IF NOT EXISTS citext;"
	"CREATE TABLE plans ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  edition TEXT NOT NULL,"
	"  products TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL);"
	"CREATE TABLE tenants ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  customer_admin TEXT NOT NULL,"
	"  msp_admin TEXT NOT NULL,"
	"  workloads TEXT NOT NULL,"
	"  edition TEXT NOT NULL,"
	"  suspended BIGINT NOT NULL CHECK (suspended IN (0, 1)),"
	"  state TEXT NOT NULL,"
	"  plan_id BIGINT REFERENCES plans(id),"
	"  generation BIGINT NOT NULL DEFAULT 1,"
	"  blocked_reasons TEXT NOT NULL DEFAULT '',"
	"  created_at BIGINT NOT NULL,"
	"  state_since BIGINT NOT NULL,"
	"  language TEXT"
	"    CHECK (language IS NULL OR length(language) BETWEEN 2 AND 35));"
	"CREATE INDEX tenants_by_state ON tenants(state);"
	"CREATE TABLE licences ("
	"  tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  workload TEXT NOT NULL,"
	"  expires TEXT,"
	"  after_migration TEXT,"
	"  PRIMARY KEY (tenant_id, workload));"
	"CREATE TABLE history ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  at BIGINT NOT NULL,"
	"  from_state TEXT NOT NULL,"
	"  to_state TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE INDEX history_by_tenant ON history(tenant_id, id);"
	"CREATE TABLE outbox ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  tenant_id BIGINT REFERENCES tenants(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (status IN ('queued', 'sent', 'failed')),"
	"  message_id TEXT UNIQUE,"
	"  attempts BIGINT NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created_at BIGINT NOT NULL,"
	"  next_attempt_at BIGINT NOT NULL,"
	"  generation BIGINT NOT NULL,"
	"  subject TEXT,"
	"  sent_at BIGINT,"
	"  lease_until BIGINT NOT NULL DEFAULT 0,"
	"  claimed_by BIGINT NOT NULL DEFAULT 0);"
	"CREATE INDEX outbox_by_tenant ON outbox(tenant_id, id);"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt_at);"
	"CREATE TABLE outbox_messages ("
	"  outbox_id BIGINT PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,"
	"  message BYTEA NOT NULL);"
	"CREATE TABLE tokens ("
	"  jti TEXT PRIMARY KEY,"
	"  tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
	"  generation BIGINT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  token TEXT NOT NULL,"
	"  issued_at BIGINT NOT NULL,"
	"  expires_at BIGINT NOT NULL);"
	"CREATE INDEX tokens_by_tenant ON tokens(tenant_id, generation);"
	"CREATE TABLE inbound ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  message_id TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  received_at BIGINT NOT NULL,"
	"  sender TEXT,"
	"  tenant_id BIGINT REFERENCES tenants(id) ON DELETE SET NULL,"
	"  outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  UNIQUE (message_id, digest));"
	"CREATE INDEX inbound_by_sender ON inbound(sender, received_at);"
	"CREATE INDEX inbound_by_tenant ON inbound(tenant_id, id);"
	"CREATE INDEX inbound_by_outcome ON inbound(outcome, id);"
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity BIGINT NOT NULL,"
	"  last_uid BIGINT NOT NULL);"
	"CREATE TABLE mail_auth ("
	"  account TEXT PRIMARY KEY,"
	"  identity TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  refresh_token TEXT,"
	"  access_token TEXT,"
	"  expires_at BIGINT NOT NULL DEFAULT 0,"
	"  refreshed_at BIGINT NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  failures BIGINT NOT NULL DEFAULT 0,"
	"  retry_at BIGINT NOT NULL DEFAULT 0,"
	"  lease_until BIGINT NOT NULL DEFAULT 0,"
	"  leased_by BIGINT NOT NULL DEFAULT 0,"
	"  notified BIGINT NOT NULL DEFAULT 0);"
	"CREATE TABLE console_user ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  name CITEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),"
	"  password_hash TEXT NOT NULL,"
	"  must_change_password BIGINT NOT NULL DEFAULT 1"
	"    CHECK (must_change_password IN (0, 1)),"
	"  totp_secret TEXT,"
	"  totp_last_step BIGINT NOT NULL DEFAULT 0,"
	"  recovery_hashes TEXT NOT NULL DEFAULT '',"
	"  failed_signins BIGINT NOT NULL DEFAULT 0,"
	"  signin_not_before BIGINT NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL,"
	"  password_changed_at BIGINT NOT NULL);"
	"CREATE TABLE console_session ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  id_hash TEXT NOT NULL UNIQUE,"
	"  user_id BIGINT NOT NULL REFERENCES console_user(id) "
	"    ON DELETE CASCADE,"
	"  created_at BIGINT NOT NULL,"
	"  last_seen_at BIGINT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  csrf_token TEXT NOT NULL,"
	"  pending BIGINT NOT NULL DEFAULT 0 CHECK (pending IN (0, 1)));"
	"CREATE INDEX console_session_by_user ON console_session(user_id);"
	"CREATE TABLE audit ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  at BIGINT NOT NULL,"
	"  \"user\" TEXT NOT NULL,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL,"
	"  target TEXT NOT NULL DEFAULT '',"
	"  outcome TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_by_address ON audit(address, at);"
	"CREATE FUNCTION mscagent_audit_append_only() RETURNS trigger "
	"  LANGUAGE plpgsql AS "
	"  $$BEGIN RAISE EXCEPTION 'audit rows are append-only'; END$$;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit "
	"  FOR EACH ROW EXECUTE FUNCTION mscagent_audit_append_only();"
	/* A wake-up for every agent's deliverer, sent on commit. */
	"CREATE FUNCTION mscagent_outbox_notify() RETURNS trigger "
	"  LANGUAGE plpgsql AS "
	"  $$BEGIN PERFORM pg_notify('" PG_OUTBOX_CHANNEL "', ''); "
	"  RETURN NULL; END$$;"
	"CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE OF status, "
	"  next_attempt_at, lease_until ON outbox "
	"  FOR EACH STATEMENT EXECUTE FUNCTION mscagent_outbox_notify();" },
	/*
	 * 6 changed SQLite's outbox indexes only.  PostgreSQL keeps
	 * outbox_due: a prepared statement may run a generic plan, which
	 * cannot tell that its status parameter is 'queued', and so could
	 * never use an index kept for queued mails alone.
	 */
	{ 6, "SELECT 1;" },
};

#define PG_MIGRATIONS	(sizeof pg_migrations / sizeof pg_migrations[0])

/* The schema's version: 0 when it has none yet. */
static int
schema_version(struct store *st, int *version, struct err *err)
{
	struct db_stmt *stmt = NULL;
	int64_t v = 0;
	int found, rc;

	if (pg_exec(st, "CREATE TABLE IF NOT EXISTS mscagent_schema ("
	    "  version BIGINT NOT NULL)", err) == -1)
		return -1;
	if (prepare(st, "SELECT max(version) FROM mscagent_schema", &stmt,
	    err) == -1)
		return -1;
	rc = step_int64(st, stmt, "reading the schema version", &v, &found,
	    err);
	release(st, stmt);
	*version = (int)v;
	return rc;
}

/* Brings the schema up to date in one transaction; agents starting at
 * once take turns on the write lock, and the second finds it done. */
static int
pg_migrate(struct store *st, struct err *err)
{
	char sql[96];
	int version = 0;
	size_t i;

	if (store_begin(st, err) == -1)
		return -1;
	if (schema_version(st, &version, err) == -1)
		goto fail;
	st->schema_found = version;
	if (version > pg_migrations[PG_MIGRATIONS - 1].version) {
		err_set(err, ERR_RUNTIME, "database: schema version %d is newer "
		    "than this mscagent (%d); upgrade mscagent", version,
		    pg_migrations[PG_MIGRATIONS - 1].version);
		goto fail;
	}
	for (i = 0; i < PG_MIGRATIONS; i++) {
		if (pg_migrations[i].version <= version)
			continue;
		if (pg_exec(st, pg_migrations[i].sql, err) == -1)
			goto fail;
		snprintf(sql, sizeof sql, "INSERT INTO mscagent_schema (version) "
		    "VALUES (%d)", pg_migrations[i].version);
		if (pg_exec(st, sql, err) == -1)
			goto fail;
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

/* ---- connecting ---- */

/* Notices (a CREATE ... IF NOT EXISTS that found it) are not news. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * The URI must not hold a password: a config is read by many and
 * copied about.  libpq reads one from the password file named by the
 * URI's passfile, by PGPASSFILE, or ~/.pgpass.
 */
static int
refuse_password(const char *uri, struct err *err)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	int rc = 0;

	opts = PQconninfoParse(uri, &msg);
	if (opts == NULL) {
		err_set(err, ERR_INPUT, "database %s: %s", uri,
		    msg ? msg : "not a connection URI");
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0') {
			err_set(err, ERR_INPUT, "database: the URI holds a "
			    "password; put it in a password file (passfile= "
			    "in the URI, or PGPASSFILE) instead");
			rc = -1;
		}
	PQconninfoFree(opts);
	return rc;
}

static int
pg_open(struct store *st, const char *uri, struct err *err)
{
	struct pg_conn *c;
	size_t len;

	if (refuse_password(uri, err) == -1)
		return -1;
	c = xcalloc(1, sizeof *c);
	st->conn = c;
	c->pg = PQconnectdb(uri);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		snprintf(c->errmsg, sizeof c->errmsg, "%s",
		    PQerrorMessage(c->pg));
		len = strcspn(c->errmsg, "\n");
		c->errmsg[len] = '\0';
		err_set(err, ERR_RUNTIME, "database: %s", c->errmsg);
		return -1;
	}
	PQsetNoticeProcessor(c->pg, quiet, NULL);
	if (pg_exec(st, PG_SESSION_SETUP, err) == -1)
		return -1;
	return pg_migrate(st, err);
}

static void
pg_close(struct store *st)
{
	struct pg_conn *c = st->conn;

	if (c == NULL)
		return;
	for (size_t i = 0; i < PG_LOCKS; i++)
		free(c->locks[i]);
	PQfinish(c->pg);
	free(c);
	st->conn = NULL;
}

/*
 * A number that changes when any agent commits a change to the outbox:
 * the count of the notices received on the outbox's channel, read
 * without a round trip to the server.  The first call listens.
 */
static int64_t
pg_data_version(struct store *st)
{
	struct pg_conn *c = conn_of(st);
	struct err err;
	PGnotify *n;

	reconnect_if_lost(st);
	if (!c->listening) {
		if (pg_exec(st, "LISTEN " PG_OUTBOX_CHANNEL, &err) == -1)
			return -1;
		c->listening = 1;
		c->notices++;	/* a new session may have missed some */
	}
	if (PQconsumeInput(c->pg) == 0)
		return -1;
	while ((n = PQnotifies(c->pg)) != NULL) {
		c->notices++;
		PQfreemem(n);
	}
	return c->notices;
}

static int
pg_ping(struct store *st)
{
	struct err err;

	return pg_exec(st, "SELECT 1", &err) == 0;
}

/* A commit is durable when it returns: nothing more to do. */
static int
pg_sync(struct store *st, struct err *err)
{
	(void)st;
	(void)err;
	return 0;
}

static void
pg_nothing(struct store *st)
{
	(void)st;
}

static void
pg_bulk(struct store *st, int on)
{
	(void)st;
	(void)on;
}

/* The server process of this session: gone when its agent is. */
static int64_t
pg_holder(struct store *st)
{
	reconnect_if_lost(st);
	return PQbackendPID(conn_of(st)->pg);
}

static int
pg_holder_alive(struct store *st, int64_t holder)
{
	struct db_stmt *stmt = NULL;
	struct err err;
	int64_t n = 1;

	/* In doubt (the query failed), alive: its lease still ends. */
	if (prepare(st, "SELECT count(*) FROM pg_stat_activity "
	    "WHERE pid = ?1", &stmt, &err) == 0) {
		db_bind_int64(stmt, 1, holder);
		(void)step_int64(st, stmt, "reading sessions", &n, NULL, &err);
	}
	release(st, stmt);
	return n > 0;
}

/* The slot of name among the locks held, or of a free one (want_free),
 * or -1. */
static int
lock_slot(struct pg_conn *c, const char *name, int want_free)
{
	int i;

	for (i = 0; i < PG_LOCKS; i++)
		if (want_free ? c->locks[i] == NULL :
		    c->locks[i] != NULL && strcmp(c->locks[i], name) == 0)
			return i;
	return -1;
}

static int
pg_lock(struct store *st, const char *name, int *held, struct err *err)
{
	struct pg_conn *c = conn_of(st);
	struct db_stmt *stmt = NULL;
	int64_t got = 0;
	int slot, rc;

	*held = 0;
	reconnect_if_lost(st);
	if (lock_slot(c, name, 0) != -1) {
		*held = 1;
		return 0;
	}
	if ((slot = lock_slot(c, name, 1)) == -1) {
		err_set(err, ERR_RUNTIME, "database: too many locks held");
		return -1;
	}
	if (prepare(st, "SELECT pg_try_advisory_lock(" PG_LOCK_CLASS
	    ", hashtext(?1))", &stmt, err) == -1)
		return -1;
	db_bind_text(stmt, 1, name);
	rc = step_int64(st, stmt, "taking a lock", &got, NULL, err);
	release(st, stmt);
	if (rc == 0 && got) {
		c->locks[slot] = xstrdup(name);
		*held = 1;
	}
	return rc;
}

static void
pg_unlock(struct store *st, const char *name)
{
	struct pg_conn *c = conn_of(st);
	struct db_stmt *stmt = NULL;
	struct err err;
	int64_t done;
	int slot;

	if ((slot = lock_slot(c, name, 0)) == -1)
		return;
	free(c->locks[slot]);
	c->locks[slot] = NULL;
	if (prepare(st, "SELECT pg_advisory_unlock(" PG_LOCK_CLASS
	    ", hashtext(?1))", &stmt, &err) == -1)
		return;
	db_bind_text(stmt, 1, name);
	(void)step_int64(st, stmt, "letting go of a lock", &done, NULL, &err);
	release(st, stmt);
}

static void
pg_server_version(struct store *st, char *buf, size_t len)
{
	int v;

	v = PQserverVersion(conn_of(st)->pg);
	snprintf(buf, len, "%d.%d", v / 10000, v % 10000);
}

/*
 * A claim in one statement: the rows are locked (passing over those
 * another claim is taking), held, and returned with their messages.
 */
#define PG_OUTBOX_TAKE(due) \
	"WITH c AS (UPDATE outbox SET lease_until = ?3, claimed_by = ?4 " \
	"WHERE id IN (SELECT id FROM outbox WHERE status = " SQL_QUEUED \
	" AND id > ?2 " due "AND lease_until <= ?1 ORDER BY id LIMIT ?5 " \
	"FOR UPDATE SKIP LOCKED) RETURNING " OUTBOX_COLUMNS ") " \
	"SELECT c.*, m.message FROM c LEFT JOIN outbox_messages m " \
	"ON m.outbox_id = c.id ORDER BY c.id"

static const struct store_sql pg_sql = {
	/* Agents queue at once: the sequence gives each its own. */
	.outbox_next_id = "SELECT nextval(pg_get_serial_sequence('outbox', "
	    "'id'))",
	/* Claims and returns in one statement; rows another agent's claim
	 * is taking are passed over, not waited for. */
	.outbox_take_due = PG_OUTBOX_TAKE("AND next_attempt_at <= ?1 "),
	.outbox_take_all = PG_OUTBOX_TAKE(""),
	/* Each identity column's sequence past the highest id copied. */
	.after_copy = "DO $$DECLARE r record; BEGIN "
	    "FOR r IN SELECT table_name, column_name "
	    "FROM information_schema.columns WHERE is_identity = 'YES' "
	    "AND table_schema = current_schema() LOOP "
	    "EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), "
	    "coalesce((SELECT max(%I) FROM %I), 0) + 1, false)', "
	    "r.table_name, r.column_name, r.column_name, r.table_name); "
	    "END LOOP; END$$",
};

const struct store_engine store_pg = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.errmsg = pg_errmsg,
	.unique_violation = pg_unique_violation,
	.changes = pg_changes,
	.prepare = pg_prepare,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.finalize = pg_finalize,
	.param_count = pg_param_count,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.begin = "BEGIN; SELECT " PG_WRITE_LOCK,
	.begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ",
	.commit = "COMMIT",
	.rollback = "ROLLBACK",
	.data_version = pg_data_version,
	.ping = pg_ping,
	.sync = pg_sync,
	.bulk = pg_bulk,
	.checkpoint = pg_nothing,
	.checkpoint_passive = pg_nothing,
	.holder = pg_holder,
	.holder_alive = pg_holder_alive,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.server_version = pg_server_version,
	.sql = &pg_sql,
};
