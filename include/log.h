/*
 * log.h: the agent's log, one line per event, to standard error or to a
 * file that logrotate may move away (SIGHUP reopens it).
 *
 * A line reads
 *	2026-11-28T10:00:00.123Z info listener message key=value ...
 * (UTC, milliseconds).  It is written with a single write(2), so lines
 * from several threads or processes never interleave, and it is at most
 * LOG_LINE_MAX bytes long, newline included; a longer one is cut at a
 * character boundary and ends in "...".  Control characters (C0, DEL, C1,
 * U+2028, U+2029) in the message become spaces and invalid UTF-8 a '?',
 * so text from outside (a mail subject) can never forge a line.  Values
 * that may hold spaces go through log_quote.
 *
 * Every function may be called from any thread.  Before log_open, or
 * after log_close, lines go to standard error at level info.
 */
#ifndef MSCAGENT_LOG_H
#define MSCAGENT_LOG_H

#include <stddef.h>

#include "util.h"

#define LOG_LINE_MAX	2048

/* In order of detail: a level shows its own lines and those above it. */
enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/*
 * Starts logging at level_name ("error", "warn", "info" or "debug", in
 * any case, as the config accepts them; NULL or "" means "info") to the
 * file at path (opened O_APPEND|O_CREAT, mode 0640), or to standard error
 * when path is NULL or "".  A file opened before is closed.  Returns 0,
 * or -1 with ERR_INPUT for an unknown level name or ERR_RUNTIME when the
 * file cannot be opened; the log is left as it was then.
 */
int	 log_open(const char *level_name, const char *path, struct err *);

/*
 * Opens the same path again, for SIGHUP after logrotate renamed the file;
 * a no-op on standard error.  Returns 0, or -1 with ERR_RUNTIME, and
 * then the log goes on to the file it had.
 */
int	 log_reopen(struct err *);

/* Closes the file; later lines go to standard error. */
void	 log_close(void);

/* 1 when lines of this level are written: guards costly debug output. */
int	 log_enabled(enum log_level);

/*
 * Writes one line if the level is enabled.  component names the part of
 * the agent ("listener", "inbox", ...; NULL gives "-").  Never fails:
 * when the log cannot be written there is nowhere to say so.
 */
void	 log_msg(enum log_level, const char *component, const char *fmt, ...)
	    PRINTF_LIKE(3, 4);

#define log_error(c, ...)	log_msg(LOG_LEVEL_ERROR, c, __VA_ARGS__)
#define log_warn(c, ...)	log_msg(LOG_LEVEL_WARN, c, __VA_ARGS__)
#define log_info(c, ...)	log_msg(LOG_LEVEL_INFO, c, __VA_ARGS__)
#define log_debug(c, ...)	log_msg(LOG_LEVEL_DEBUG, c, __VA_ARGS__)

/*
 * A value for "key=value": v itself when it is not empty and has no
 * space, '"', '=' or control character (those log_msg turns into spaces);
 * else a copy in buf (n bytes) between double quotes, with '"' and '\'
 * escaped by '\' and control characters written as \n, \r, \t or \u
 * and four hex digits.  A copy that does not fit is cut where no escape
 * or UTF-8 sequence is split, and still ends in '"'.  NULL, "" and a buf
 * shorter than 3 bytes give two double quotes (a static string).  The
 * result lives as long as v or buf.
 */
const char *log_quote(const char *v, char *buf, size_t n);

#endif
