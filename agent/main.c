/* main.c: mscagent's entry point. */
#include <signal.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	/* A write to a peer that closed must be an error, not a death. */
	signal(SIGPIPE, SIG_IGN);
	return cli_main(argc, argv);
}
