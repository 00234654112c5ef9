/* test_console.c: the console's routing and the guards before a page. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console.h"

#include "agent_fixture.h"

#define NOW	1796126400	/* 2026-12-01T12:00:00Z */

struct fixture {
	struct agent_fixture	 ag;
	struct console		 con;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	agent_fixture_open(&f->ag, "test_console");
	f->con.mail = &f->ag.ctx;
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

/* Answers method path with no session; the caller clears *res. */
static void
ask(struct fixture *f, const char *method, const char *path,
    struct console_response *res)
{
	struct console_request req = { .method = method, .path = path,
	    .client = "127.0.0.1" };

	console_handle(&f->con, f->ag.st, &req, NOW, res);
}

/* Paths no route takes, numbers included: ids are 1 to 18 digits with
 * no leading zero, and nothing may follow a route. */
static void
test_not_found(void **state)
{
	static const char *paths[] = {
		"/nothing", "/tenants/0", "/tenants/007", "/tenants/-1",
		"/tenants/1x", "/tenants/1234567890123456789",
		"/tenants/1/", "/tenants//mails/1/raw", "/tenants/1/mails/0/raw",
		"/tenants/1/explode", "/login/", "", "//", "/tenants.csv/1",
	};
	struct console_response res;
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		ask(*state, "GET", paths[i], &res);
		if (res.status != 404)
			fail_msg("%s: %u", paths[i], res.status);
		console_response_clear(&res);
	}
}

/* Without a session, a page sends the browser to the sign-in, and a
 * form is refused: nothing may change. */
static void
test_signed_out(void **state)
{
	static const char *gets[] = {
		"/", "/tenants", "/tenants.csv", "/tenants/12",
		"/tenants/12/mails/3/raw", "/outbox", "/inbox", "/plans",
		"/audit", "/audit.csv", "/account", "/users", "/import",
	};
	static const char *posts[] = {
		"/tenants/12/start", "/tenants/12/retrigger",
		"/tenants/12/finalize", "/tenants/12/cancel",
		"/tenants/12/approve", "/tenants/12/reject",
		"/tenants/12/verify", "/tenants/12/resend", "/tenants/bulk",
		"/import", "/account", "/users", "/logout",
	};
	struct console_response res;
	size_t i;

	for (i = 0; i < sizeof gets / sizeof gets[0]; i++) {
		ask(*state, "GET", gets[i], &res);
		if (res.status != 303 || strcmp(res.location, "/login") != 0)
			fail_msg("GET %s: %u", gets[i], res.status);
		console_response_clear(&res);
	}
	for (i = 0; i < sizeof posts / sizeof posts[0]; i++) {
		ask(*state, "POST", posts[i], &res);
		if (res.status != 403)
			fail_msg("POST %s: %u", posts[i], res.status);
		assert_null(res.location);
		console_response_clear(&res);
	}
}

static void
test_methods(void **state)
{
	static const struct {
		const char	*method, *path, *allow;
	} cases[] = {
		{ "PUT", "/", "GET, HEAD" },
		{ "POST", "/tenants", "GET, HEAD" },
		{ "DELETE", "/tenants/3", "GET, HEAD" },
		{ "GET", "/logout", "POST" },
		{ "GET", "/tenants/3/start", "POST" },
		{ "GET", "/tenants/bulk", "POST" },
		{ "PATCH", "/login", "GET, HEAD, POST" },
	};
	struct console_response res;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ask(*state, cases[i].method, cases[i].path, &res);
		assert_int_equal(res.status, 405);
		assert_string_equal(res.allow, cases[i].allow);
		console_response_clear(&res);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_not_found, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_signed_out, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_methods, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
