/* access.c: a verification link checked against the database. */
#include <string.h>

#include "access.h"

/* Refuses the link; reason (for the log) replaces err's message. */
static int
invalid(struct access *a, struct err *err, const char *reason)
{
	tenant_clear(&a->tenant);
	store_token_clear(&a->current);
	tenant_init(&a->tenant);
	memset(&a->claims, 0, sizeof a->claims);
	a->status = ACCESS_INVALID;
	if (reason != NULL)
		err_set(err, ERR_INPUT, "%s", reason);
	return 0;
}

/* The database part, inside one read snapshot. */
static int
check_stored(struct store *st, struct access *a, struct err *err)
{
	int64_t tenant_id, generation;
	int found;

	found = store_token_find(st, a->claims.jti, &tenant_id, &generation,
	    err);
	if (found == -1)
		return -1;
	/* A jti the agent never stored, or stored for another tenant or
	 * generation than the token names, is a forgery with a good key. */
	if (found == 0)
		return invalid(a, err, "unknown jti");
	if (tenant_id != a->claims.sub || generation != a->claims.gen)
		return invalid(a, err, "jti of another tenant or generation");
	if (store_tenant_get(st, tenant_id, &a->tenant, err) == -1)
		return err->kind == ERR_INPUT ? invalid(a, err, "no tenant") : -1;
	if (store_token_get(st, tenant_id, &a->current, err) == -1)
		return -1;
	if (a->claims.gen > a->tenant.generation)
		return invalid(a, err, "generation ahead of the tenant's");
	if (a->claims.gen < a->tenant.generation)
		a->status = ACCESS_SUPERSEDED;
	/* The sweep decides expiry from stored times; its word stands even
	 * if this clock says the link has a few seconds left. */
	else if (a->tenant.state == STATE_TOKEN_EXPIRED)
		a->status = ACCESS_EXPIRED;
	return 0;
}

int
access_check(struct store *st, const struct token_keyring *keys,
    const char *issuer, const char *token, int64_t now, struct access *a,
    struct err *err)
{
	enum token_status ts;
	int rc;

	memset(a, 0, sizeof *a);
	tenant_init(&a->tenant);
	ts = token_verify(keys, issuer, token, now, &a->claims, err);
	if (ts == TOKEN_INVALID)
		return invalid(a, err, NULL);
	a->status = ts == TOKEN_VALID ? ACCESS_OK : ACCESS_EXPIRED;
	if (store_begin_read(st, err) == -1)
		return -1;
	rc = check_stored(st, a, err);
	store_rollback(st);
	if (rc == -1)
		access_clear(a);
	return rc;
}

void
access_clear(struct access *a)
{
	tenant_clear(&a->tenant);
	store_token_clear(&a->current);
	memset(a, 0, sizeof *a);
}

const char *
access_status_name(enum access_status s)
{
	static const char *const names[] = {
		[ACCESS_OK] = "ok",
		[ACCESS_EXPIRED] = "expired",
		[ACCESS_SUPERSEDED] = "superseded",
		[ACCESS_INVALID] = "invalid",
	};

	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}
