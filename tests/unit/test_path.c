/* test_path.c: relative paths joined to the config's folder, plainly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "path.h"

static const struct {
	const char	*dir;
	const char	*p;
	const char	*want;
} cases[] = {
	{ "/srv/app/conf", "../var/agent.db", "/srv/app/var/agent.db" },
	{ "/srv/app/conf", "agent.db", "/srv/app/conf/agent.db" },
	{ "/srv/app/conf", "./db//x.db", "/srv/app/conf/db/x.db" },
	{ "/srv/app/conf", "../../x", "/srv/x" },
	{ "/srv/app/conf", "../../../../x", "/x" },	/* never above / */
	{ "/srv/app/conf/", "../var", "/srv/app/var" },
	{ "/", "var/x", "/var/x" },
	{ "/", "../x", "/x" },
	{ "/srv/app/conf", "..", "/srv/app" },
	{ "/srv/app/conf", ".", "/srv/app/conf" },
	{ "/srv/app/conf", "", "/srv/app/conf" },
	/* After a folder of p, ".." stays: that folder may be a link. */
	{ "/srv/app/conf", "link/../x", "/srv/app/conf/link/../x" },
	{ "/srv/app/conf", "/abs/../x", "/abs/../x" },	/* absolute: as is */
	{ "/srv/app/conf", "../var/mail/a@b.test", "/srv/app/var/mail/a@b.test" },
};

static void
test_join(void **state)
{
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = path_join(cases[i].dir, cases[i].p);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
