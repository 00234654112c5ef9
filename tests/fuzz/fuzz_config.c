/*
 * fuzz_config.c: a configuration file's text (config.c, through
 * config_parse, which reads no file).  Relative paths resolve against
 * /tmp, which only has to exist.
 */
#include "fuzz.h"

#include "config.h"

#define PATH	"/tmp/mscagent-fuzz.conf"

/* What a config that loads always has (config.h, SPEC §6). */
static void
check_config(const struct config *cfg)
{
	size_t i;

	fuzz_require(cfg->database != NULL && *cfg->database == '/',
	    "an absolute database path");
	fuzz_require(cfg->base_url != NULL && cfg->from != NULL &&
	    cfg->reply_address != NULL && cfg->reply_key_file != NULL &&
	    cfg->templates != NULL && cfg->out_url != NULL &&
	    cfg->in_url != NULL && cfg->processed_folder != NULL &&
	    cfg->listen_address != NULL && cfg->issuer != NULL,
	    "every key without CF_OPTIONAL is set");
	fuzz_require(cfg->support_addresses.n >= 1,
	    "at least one support address");
	fuzz_require(cfg->nkeys >= 1 && cfg->nkeys <= CONFIG_KEYS_MAX,
	    "1 to CONFIG_KEYS_MAX token keys");
	for (i = 0; i < cfg->nkeys; i++)
		fuzz_require(cfg->keys[i].kid != NULL &&
		    cfg->keys[i].path != NULL && *cfg->keys[i].path == '/',
		    "a key has a kid and an absolute path");
	fuzz_require(cfg->ttl_days >= 1 && cfg->ttl_days <= 365 &&
	    cfg->remind_days < cfg->ttl_days, "ttl_days and remind_days");
	fuzz_require(!cfg->require_auth_results ||
	    cfg->trusted_authserv_id != NULL, "an authserv-id when required");
	fuzz_require(cfg->listen_port >= 0 && cfg->listen_port <= 65535,
	    "a port");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct err err = { 0 };
	const char *line;

	if (config_parse(PATH, (const char *)data, size, &cfg, &err) == 0) {
		check_config(&cfg);
		config_free(&cfg);
		return 0;
	}
	/* One error a line, each naming the file. */
	for (line = err.msg; line != NULL; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		fuzz_require(strncmp(line, PATH, strlen(PATH)) == 0,
		    "each error names the file");
	}
	return 0;
}
