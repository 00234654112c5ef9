/* test_access.c: verification links checked against a real database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "access.h"
#include "workflow.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */
#define DAY	86400

struct fixture {
	struct agent_fixture ag;
	int64_t		 a, b;		/* two tenants with links */
};

static void
fire(struct fixture *f, int64_t id, enum fsm_event event, int64_t at)
{
	struct workflow_event ev = { .event = event, .actor = "cli" };
	struct workflow_outcome out;
	struct err err;

	assert_int_equal(workflow_fire(f->ag.st, &f->ag.ctx, id, &ev, at, &out, &err),
	    0);
	workflow_outcome_clear(&out);
}

/* The tenant's current link, as mailed. */
static char *
link_of(struct fixture *f, int64_t id)
{
	struct token_info ti;
	struct err err;
	char *token;

	assert_int_equal(store_token_get(f->ag.st, id, &ti, &err), 0);
	assert_non_null(ti.token);
	token = strdup(ti.token);
	store_token_clear(&ti);
	return token;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	agent_fixture_open(&f->ag, "test_access");
	f->a = agent_fixture_tenant(&f->ag, "Alpha", "it@customer.test");
	f->b = agent_fixture_tenant(&f->ag, "Beta", "it@customer.test");
	fire(f, f->a, EVENT_START, NOW);
	fire(f, f->a, EVENT_APPROVE, NOW);
	fire(f, f->b, EVENT_START, NOW);
	fire(f, f->b, EVENT_APPROVE, NOW);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	agent_fixture_close(&f->ag);
	free(f);
	return 0;
}

static enum access_status
check(struct fixture *f, const char *token, int64_t at, struct access *a)
{
	struct err err;

	assert_int_equal(access_check(f->ag.st, &f->ag.keys.tokens, "mscagent",
	    token, at, a, &err), 0);
	return a->status;
}

static void
test_current_link(void **state)
{
	struct fixture *f = *state;
	struct access a;
	char *token = link_of(f, f->a);

	assert_int_equal(check(f, token, NOW + 1, &a), ACCESS_OK);
	assert_int_equal(a.tenant.id, f->a);
	assert_string_equal(a.tenant.name, "Alpha");
	assert_int_equal(a.tenant.state, STATE_AWAITING_VERIFICATION);
	access_clear(&a);
	/* Valid up to its last second, expired from exp on. */
	assert_int_equal(check(f, token, NOW + 30 * DAY - 1, &a), ACCESS_OK);
	access_clear(&a);
	assert_int_equal(check(f, token, NOW + 30 * DAY, &a), ACCESS_EXPIRED);
	assert_string_equal(a.tenant.name, "Alpha");
	access_clear(&a);
	free(token);
}

/*
 * A token signed with the right key for tenant sub in generation gen,
 * whose jti the agent stored for tenant owner in generation stored_gen
 * (owner 0: never stored).  Caller frees.
 */
static char *
signed_token(struct fixture *f, int64_t sub, int64_t gen, int64_t owner,
    int64_t stored_gen)
{
	struct token_claims c;
	struct err err;
	char *token;

	assert_int_equal(token_issue(&f->ag.keys.tokens, "mscagent", sub, gen,
	    "msp@provider.test", NOW, 30, &c, &token, &err), 0);
	if (owner != 0)
		assert_int_equal(store_token_add(f->ag.st, owner, stored_gen,
		    c.jti, "x@y.test", token, NOW, NOW + 30 * DAY, &err), 0);
	return token;
}

/* A token signed with the right key but never stored: a forgery by
 * someone holding the key, or a database restored from before. */
static void
test_unknown_jti(void **state)
{
	struct fixture *f = *state;
	struct access a;
	char *token = signed_token(f, f->a, 1, 0, 0);

	assert_int_equal(check(f, token, NOW + 1, &a), ACCESS_INVALID);
	assert_null(a.tenant.name);
	access_clear(&a);
	free(token);
}

/* A token for tenant A whose jti the agent stored for tenant B. */
static void
test_other_tenants_jti(void **state)
{
	struct fixture *f = *state;
	struct access a;
	char *token = signed_token(f, f->a, 1, f->b, 1);

	assert_int_equal(check(f, token, NOW + 1, &a), ACCESS_INVALID);
	access_clear(&a);
	free(token);
}

/* Stored as generation 1, but the token says 2 (ahead of the tenant):
 * refused, not taken as current. */
static void
test_generation_mismatch(void **state)
{
	struct fixture *f = *state;
	struct access a;
	char *token = signed_token(f, f->a, 2, f->a, 1);

	assert_int_equal(check(f, token, NOW + 1, &a), ACCESS_INVALID);
	access_clear(&a);
	free(token);
}

/* After expiry and a retrigger, the old link is superseded and says
 * so; the new approval's link is the one that works. */
static void
test_superseded(void **state)
{
	struct fixture *f = *state;
	struct access a;
	char *old = link_of(f, f->a), *new;

	fire(f, f->a, EVENT_EXPIRE, NOW + 30 * DAY);
	/* The sweep's expiry stands even before this clock reaches exp. */
	assert_int_equal(check(f, old, NOW + DAY, &a), ACCESS_EXPIRED);
	access_clear(&a);
	fire(f, f->a, EVENT_RETRIGGER, NOW + 31 * DAY);
	assert_int_equal(check(f, old, NOW + 31 * DAY, &a), ACCESS_SUPERSEDED);
	assert_int_equal(a.current.issued_at, 0);	/* none sent yet */
	access_clear(&a);
	fire(f, f->a, EVENT_APPROVE, NOW + 32 * DAY);
	new = link_of(f, f->a);
	assert_int_equal(check(f, old, NOW + 32 * DAY, &a), ACCESS_SUPERSEDED);
	assert_int_equal(a.current.issued_at, NOW + 32 * DAY);
	assert_string_equal(a.current.recipient, "msp@provider.test");
	access_clear(&a);
	assert_int_equal(check(f, new, NOW + 32 * DAY, &a), ACCESS_OK);
	assert_int_equal(a.claims.gen, 2);
	access_clear(&a);
	free(old);
	free(new);
}

static void
test_garbage(void **state)
{
	struct fixture *f = *state;
	static const char *const tokens[] = { "", "x", "a.b.c", "..",
	    "eyJhbGciOiJub25lIn0.e30.", };
	struct access a;
	size_t i;

	for (i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
		assert_int_equal(check(f, tokens[i], NOW, &a), ACCESS_INVALID);
		access_clear(&a);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_current_link, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_jti, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_other_tenants_jti, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_generation_mismatch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_superseded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
