/*
 * support_db.h: the database a unit test runs on.  By default a new
 * SQLite file in the test's folder; with MSCAGENT_TEST_PG set to the
 * socket folder of a PostgreSQL server (tests/support/pg.sh), a new,
 * empty database on it, so that the same tests check both engines
 * against one contract.  Include after support.h.
 */
#ifndef MSCAGENT_SUPPORT_DB_H
#define MSCAGENT_SUPPORT_DB_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#define SUPPORT_DB_MAX	192	/* bytes of a database's path or URI */

/* The PostgreSQL server's socket folder, or NULL: SQLite. */
static inline const char *
support_pg(void)
{
	const char *s = getenv("MSCAGENT_TEST_PG");

	return s != NULL && *s != '\0' ? s : NULL;
}

/* Runs sql on the PostgreSQL database at uri: 0 or -1. */
static inline int
support_pg_exec(const char *uri, const char *sql)
{
	PGconn *c;
	PGresult *r;
	int rc;

	c = PQconnectdb(uri);
	r = PQexec(c, sql);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
	if (rc == -1)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* The first column of the first row sql gives, as an integer; -1 when
 * there is none. */
static inline long long
support_pg_int(const char *uri, const char *sql)
{
	PGconn *c;
	PGresult *r;
	long long v = -1;

	c = PQconnectdb(uri);
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

/* Runs sql on the test's database at path, from a connection of its
 * own, whichever the engine: 0 or -1, with the error on stderr. */
static inline int
support_db_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	if (support_pg() != NULL)
		return support_pg_exec(path, sql);
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK ? 0 : -1;
	if (rc == -1)
		fprintf(stderr, "%s: %s\n", sql, msg);
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

/*
 * Fills path (size bytes) with the database of the test whose folder
 * is dir (from support_dir_make): dir/agent.db, or on PostgreSQL a new
 * schema, named after dir (which is unique), in the database
 * "mscagent" that tests/support/pg.sh makes: a schema costs a
 * millisecond where a database costs half a second.  0 or -1.
 */
static inline int
support_db_make(char *path, size_t size, const char *dir)
{
	const char *sock = support_pg(), *base;
	char name[64], admin[256], sql[128];
	size_t i;
	int n;

	if (sock == NULL) {
		n = snprintf(path, size, "%s/agent.db", dir);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	base = strrchr(dir, '/');
	base = base != NULL ? base + 1 : dir;
	for (i = 0; base[i] != '\0' && i + 1 < sizeof name; i++)
		name[i] = isalnum((unsigned char)base[i]) ?
		    (char)tolower((unsigned char)base[i]) : '_';
	name[i] = '\0';
	snprintf(admin, sizeof admin, "postgresql:///mscagent?host=%s&"
	    "user=mscagent", sock);
	snprintf(sql, sizeof sql, "CREATE SCHEMA \"%s\"", name);
	if (support_pg_exec(admin, sql) == -1)
		return -1;
	n = snprintf(path, size, "postgresql:///mscagent?host=%s&"
	    "user=mscagent&options=-csearch_path%%3D%s%%2Cpublic", sock, name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Drops what support_db_make made on PostgreSQL (SQLite's file goes
 * with the folder). */
static inline void
support_db_drop(const char *path)
{
	const char *sock = support_pg(), *name;
	char admin[256], sql[128];

	if (sock == NULL || (name = strstr(path, "%3D")) == NULL)
		return;
	name += 3;
	snprintf(admin, sizeof admin, "postgresql:///mscagent?host=%s&"
	    "user=mscagent", sock);
	snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS \"%.*s\" CASCADE",
	    (int)strcspn(name, "%"), name);
	(void)support_pg_exec(admin, sql);
}

/* Skips a test that checks what only SQLite has (its files, PRAGMAs). */
#define SUPPORT_SQLITE_ONLY() do {					\
	if (support_pg() != NULL)					\
		skip();							\
} while (0)

#endif
