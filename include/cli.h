/*
 * cli.h: the command line of SPEC §2.  Parses the global options, loads
 * the configuration, runs one command from its table and maps the error
 * kind to the exit code (0 success, 1 usage or invalid input, 2 runtime
 * failure, 3 not in the right state).  Errors go to stderr as one line.
 */
#ifndef MSCAGENT_CLI_H
#define MSCAGENT_CLI_H

#define MSCAGENT_VERSION "0.1.0"

/* Returns the process exit code. */
int	 cli_main(int argc, char **argv);

#endif
