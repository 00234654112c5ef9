/*
 * agent_fixture.h: what the tests that move tenants through the workflow
 * share: a real SQLite file in a folder of its own, a config, fixed keys
 * and the shipped templates, together as a compose_ctx, and the log in a
 * file of that folder.  Included by one test program each, after
 * cmocka.h; its folder comes from support.h.
 */
#ifndef MSCAGENT_AGENT_FIXTURE_H
#define MSCAGENT_AGENT_FIXTURE_H

#include "compose.h"
#include "log.h"
#include "store.h"

#include "support.h"
#include "support_db.h"

struct agent_fixture {
	char		 dir[64];
	char		 path[SUPPORT_DB_MAX];	/* the database */
	char		 log[96];	/* the log */
	struct store	*st;
	struct config	 cfg;
	struct keyring	 keys;
	struct compose_ctx ctx;
};

/* Opens everything in a new folder /tmp/NAME.XXXXXX. */
static void
agent_fixture_open(struct agent_fixture *ag, const char *name)
{
	struct err err;

	assert_int_equal(support_dir_make(ag->dir, sizeof ag->dir, name), 0);
	assert_int_equal(support_db_make(ag->path, sizeof ag->path, ag->dir),
	    0);
	assert_int_equal(store_open(ag->path, &ag->st, &err), 0);
	snprintf(ag->log, sizeof ag->log, "%s/agent.log", ag->dir);
	assert_int_equal(log_open("info", ag->log, &err), 0);
	strvec_push(&ag->cfg.support_addresses, "support@msp.test");
	ag->cfg.ttl_days = 30;
	ag->cfg.issuer = strdup("mscagent");
	ag->cfg.from = strdup("agent@msp.test");
	ag->cfg.reply_address = strdup("agent@msp.test");
	ag->cfg.base_url = strdup("https://agent.msp.test");
	memset(ag->keys.reply, 7, 32);
	ag->keys.reply_len = 32;
	strcpy(ag->keys.tokens.keys[0].kid, "k1");
	memset(ag->keys.tokens.keys[0].key, 9, 32);
	ag->keys.tokens.keys[0].len = 32;
	ag->keys.tokens.n = 1;
	ag->ctx.cfg = &ag->cfg;
	ag->ctx.keys = &ag->keys;
	ag->ctx.templates = tmpl_set_new("mailtemplates");
}

/* What was logged since the last call, each line without its time
 * stamp; caller frees. */
static inline char *
agent_fixture_logged(struct agent_fixture *ag)
{
	struct buf b = { 0 };
	char *text, *line, *next, *space;

	text = support_read(ag->log);
	assert_int_equal(truncate(ag->log, 0), 0);
	buf_puts(&b, "");
	for (line = text; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		assert_non_null(next);
		*next++ = '\0';
		space = strchr(line, ' ');
		assert_non_null(space);
		buf_printf(&b, "%s\n", space + 1);
	}
	free(text);
	return buf_release(&b);
}

/* What was logged since the last look is want (agent_fixture_logged). */
static inline void
agent_fixture_assert_logged(struct agent_fixture *ag, const char *want)
{
	char *logged = agent_fixture_logged(ag);

	assert_string_equal(logged, want);
	free(logged);
}

/* Adds a tenant with Google Workspace on the enterprise edition, the MSP
 * admin msp@provider.test; returns its id. */
static inline int64_t
agent_fixture_tenant(struct agent_fixture *ag, const char *name,
    const char *customer_admin)
{
	struct tenant t;
	struct err err;
	int64_t id;

	tenant_init(&t);
	t.name = strdup(name);
	t.customer_admin = strdup(customer_admin);
	t.msp_admin = strdup("msp@provider.test");
	t.edition = strdup("enterprise");
	t.workloads = WORKLOAD_BIT(WORKLOAD_GWS);
	assert_int_equal(store_tenant_add(ag->st, &t, 0, &id, &err), 0);
	tenant_clear(&t);
	return id;
}

/*
 * The shipped templates, but for NAME.html, which parses but nests past
 * TMPL_NESTING_MAX: its subject is made, its body refused.  Caller frees.
 */
static inline struct tmpl_set *
agent_fixture_broken(struct agent_fixture *ag, const char *name)
{
	char cmd[256], path[160];
	FILE *fp;
	int i;

	snprintf(cmd, sizeof cmd, "cp -r mailtemplates %s/broken", ag->dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof path, "%s/broken/%s.html", ag->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("<html><head><meta name=\"subject\" content=\"Deep\"></head>"
	    "<body>", fp);
	for (i = 0; i <= TMPL_NESTING_MAX; i++)
		fputs("<div>", fp);
	fputs("deep</body></html>", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/broken", ag->dir);
	return tmpl_set_new(path);
}

/* Closes everything and removes the folder. */
static void
agent_fixture_close(struct agent_fixture *ag)
{
	log_close();
	store_close(ag->st);
	support_db_drop(ag->path);
	tmpl_set_free(ag->ctx.templates);
	config_free(&ag->cfg);
	assert_int_equal(support_dir_remove(ag->dir), 0);
}

#endif
