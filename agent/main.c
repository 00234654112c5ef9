/* main.c: mscagent's entry point. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "cli.h"
#include "password.h"
#include "store.h"
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

/*
 * A poll allocates and frees buffers of tens of kilobytes for every
 * mail, on three threads.  With glibc's defaults the top of a heap goes
 * back to the kernel once 128 KiB of it are free, and larger buffers
 * are mapped afresh, so the same memory is faulted in again and again:
 * 15,000 page faults in a poll of 5,000 replies, 9,000 with these.  Up
 * to 64 MiB left free is what the next batch uses anyway.
 */
static void
tune_malloc(void)
{
	(void)mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	(void)mallopt(M_TOP_PAD, 8 * 1024 * 1024);
	(void)mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
}

int
main(int argc, char **argv)
{
	struct err err;
	int rc;

	tune_malloc();

	/* A write to a peer that closed must be an error, not a death. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* Libraries that keep global state set it up before any thread. */
	if (password_init(&err) == -1) {
		fprintf(stderr, "mscagent: %s\n", err.msg);
		return ERR_RUNTIME;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	store_init();
	rc = cli_main(argc, argv);
	xmlCleanupParser();
	curl_global_cleanup();
	return check_stdout(rc);
}
