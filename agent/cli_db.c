/* cli_db.c: db copy, the configured database into an empty one. */
#include <stdio.h>

#include "cli_impl.h"
#include "store_copy.h"

int
cmd_db_copy(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_copy_count counts[STORE_COPY_TABLES];
	struct store *to = NULL;
	const char *uri = NULL;
	int c, rc = -1;
	size_t i;

	while ((c = cli_next_option(cli, argc, argv, ":", opts)) != -1) {
		if (c == '?')
			return -1;
		uri = optarg;
	}
	if (optind != argc || uri == NULL)
		return cli_usage_error(cli, "db copy needs --to URI");
	if (!store_target_is_uri(uri))
		return cli_usage_error(cli, "db copy: --to takes a "
		    "postgresql:// URI");
	if (store_open(uri, &to, &cli->err) == -1)
		return -1;
	if (store_copy(cli->st, to, counts, &cli->err) == -1)
		goto out;
	for (i = 0; i < STORE_COPY_TABLES; i++)
		printf("%-16s %8lld rows\n", counts[i].table,
		    (long long)counts[i].to);
	printf("copied into %s; the counts match\n", uri);
	rc = 0;
out:
	store_close(to);
	return rc;
}
