/*
 * util.h: the small things every module of mscagent shares.
 *
 * Memory: the caller keeps what it passes; returned pointers are borrowed
 * unless the comment says "caller frees".  Out of memory is fatal (the x*
 * wrappers print and exit 2); bad input from outside never is.
 *
 * Errors: functions return 0 on success and -1 on failure, filling a
 * struct err that the caller owns.  Predicates return 1 or 0.  Only the CLI
 * and the daemon print errors; the kind maps to the CLI's exit code.
 */
#ifndef MSCAGENT_UTIL_H
#define MSCAGENT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* The kinds double as the CLI's exit codes (SPEC §2). */
enum err_kind {
	ERR_NONE = 0,
	ERR_INPUT = 1,		/* usage or invalid input */
	ERR_RUNTIME = 2,	/* database, server, file system */
	ERR_STATE = 3,		/* the action does not apply in this state */
};

#define ERR_MSG_MAX 512

struct err {
	enum err_kind	 kind;
	char		 msg[ERR_MSG_MAX];
};

/* Sets kind and message; a message that does not fit is cut short. */
void	 err_set(struct err *, enum err_kind, const char *, ...)
	    PRINTF_LIKE(3, 4);
/* Puts "prefix: " in front of the message already there. */
void	 err_prefix(struct err *, const char *, ...) PRINTF_LIKE(2, 3);
void	 err_clear(struct err *);

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* Caller frees. */
char	*xasprintf(const char *, ...) PRINTF_LIKE(1, 2);
char	*xvasprintf(const char *, va_list) PRINTF_LIKE(1, 0);

/* A growable list of strings; the list owns its strings. */
struct strvec {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

void	 strvec_push(struct strvec *, const char *);
void	 strvec_pushf(struct strvec *, const char *, ...) PRINTF_LIKE(2, 3);
/* Frees the strings and the array; the struct itself is the caller's. */
void	 strvec_clear(struct strvec *);

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* Room for extra more bytes, so that appending them does not grow it. */
void	 buf_reserve(struct buf *, size_t extra);
void	 buf_append(struct buf *, const char *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_printf(struct buf *, const char *, ...) PRINTF_LIKE(2, 3);
/* Returns the string and leaves the buffer empty: caller frees. */
char	*buf_release(struct buf *);
void	 buf_clear(struct buf *);

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
int	 utf8_valid(const char *, size_t);
/* Number of code points in a valid UTF-8 string. */
size_t	 utf8_length(const char *);
/* Columns a valid UTF-8 string takes on a terminal (wide CJK and emoji
 * count 2, combining marks 0). */
size_t	 utf8_width(const char *);
/* The same for the first len bytes. */
size_t	 utf8_width_n(const char *, size_t len);

/*
 * Checks one text value from outside: well-formed UTF-8, no control
 * characters (C0, DEL, C1), at most max bytes, and not empty unless
 * allow_empty.  On failure the message names the value as "what".
 */
int	 text_check(const char *what, const char *s, size_t max,
	    int allow_empty, struct err *);

/*
 * A copy of text from outside that is safe to store, log and show:
 * invalid UTF-8 becomes '?' and control characters (C0, DEL, C1) a
 * space, and it is cut after about max bytes with "...".  Caller frees.
 */
char	*text_printable(const char *, size_t max);

/* ASCII-only case folding compare, for keywords and domains. */
int	 ascii_casecmp(const char *, const char *);

/* 1 when a process with this pid runs (ours or not): whether a claim
 * or lease a process holds by its pid still has a holder. */
int	 pid_alive(int64_t pid);

/* Milliseconds on the monotonic clock, for deadlines and waits; only
 * differences between two readings mean anything. */
int64_t	 monotonic_ms(void);
/* The same in seconds, to the nanosecond: for timing what takes less. */
double	 monotonic_seconds(void);

#endif
