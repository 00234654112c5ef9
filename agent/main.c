/* main.c: mscagent's entry point. */
#include <signal.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	int rc;

	/* A write to a peer that closed must be an error, not a death. */
	signal(SIGPIPE, SIG_IGN);
	/* Libraries that keep global state set it up before any thread. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	rc = cli_main(argc, argv);
	xmlCleanupParser();
	curl_global_cleanup();
	return rc;
}
