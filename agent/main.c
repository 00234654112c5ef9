/* main.c: mscagent's entry point. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "cli.h"
#include "util.h"

/*
 * Output that never reached its file (a full disk, say) is a failure,
 * else a script reading it would take a cut list for the whole.  A
 * reader that went away (EPIPE: `| head`) only stopped listening.
 */
static int
check_stdout(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	if (errno == EPIPE)
		return rc;
	fprintf(stderr, "mscagent: cannot write the output: %s\n",
	    strerror(errno));
	return rc == 0 ? ERR_RUNTIME : rc;
}

int
main(int argc, char **argv)
{
	int rc;

	/* A write to a peer that closed must be an error, not a death. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* Libraries that keep global state set it up before any thread. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	rc = cli_main(argc, argv);
	xmlCleanupParser();
	curl_global_cleanup();
	return check_stdout(rc);
}
