/* test_log.c: the log's line format, levels, quoting, cuts and files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#include "support.h"

#define NROWS(a)	(sizeof (a) / sizeof (a)[0])
#define TS_RE		"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:" \
			"[0-9]{2}\\.[0-9]{3}Z"
#define TS_LEN		24	/* "2026-11-28T10:00:00.123Z" */

/* The test's own folder under /tmp, made by setup, removed by teardown. */
struct fixture {
	char	 dir[64];
	char	*log;		/* dir/agent.log */
};

static int
setup(void **state)
{
	struct fixture *f;

	f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	if (support_dir_make(f->dir, sizeof f->dir, "test_log") == -1) {
		free(f);
		return -1;
	}
	f->log = xasprintf("%s/agent.log", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	log_close();
	rc = support_dir_remove(f->dir);
	free(f->log);
	free(f);
	return rc;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static int
matches(const char *s, const char *re)
{
	regex_t rx;
	int rc;

	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&rx, s, 0, NULL, 0);
	regfree(&rx);
	return rc == 0;
}

/* Empties the fixture's log file for the next row. */
static void
empty_log(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(truncate(f->log, 0), 0);
}

/* Opens the fixture's log file at level; fails the test on error. */
static void
open_log(void **state, const char *level)
{
	struct fixture *f = *state;
	struct err err = { 0 };

	assert_int_equal(log_open(level, f->log, &err), 0);
}

/* Closes the log and returns what the fixture's file holds; caller frees. */
static char *
close_and_read(void **state)
{
	struct fixture *f = *state;

	log_close();
	return support_read(f->log);
}

static void
test_line_format(void **state)
{
	struct tm tm = { 0 };
	char *text;
	time_t before, logged;

	before = time(NULL);
	open_log(state, "info");
	log_info("listener", "message key=%s n=%d", "value", 42);
	text = close_and_read(state);
	assert_true(matches(text,
	    "^" TS_RE " info listener message key=value n=42\n$"));
	/* UTC and now: the stamp reads back within a second or two. */
	assert_non_null(strptime(text, "%Y-%m-%dT%H:%M:%S", &tm));
	logged = timegm(&tm);
	assert_true(logged >= before - 1 && logged <= time(NULL) + 1);
	free(text);
}

static void
test_level_and_component_words(void **state)
{
	static const struct {
		enum log_level	 level;
		const char	*component;
		const char	*words;
	} rows[] = {
		{ LOG_LEVEL_ERROR, "inbox", " error inbox x\n" },
		{ LOG_LEVEL_WARN, "outbox", " warn outbox x\n" },
		{ LOG_LEVEL_INFO, "main", " info main x\n" },
		{ LOG_LEVEL_DEBUG, "listener", " debug listener x\n" },
		{ LOG_LEVEL_INFO, NULL, " info - x\n" },
		{ LOG_LEVEL_INFO, "in\nbox", " info in box x\n" },
		{ LOG_LEVEL_INFO, "a-very-long-component-name-that-goes-on",
		    " info a-very-long-component-name-that- x\n" },
	};
	char *text;
	size_t i;

	for (i = 0; i < NROWS(rows); i++) {
		open_log(state, "debug");
		log_msg(rows[i].level, rows[i].component, "x");
		text = close_and_read(state);
		assert_string_equal(text + TS_LEN, rows[i].words);
		free(text);
		empty_log(state);
	}
}

/* Every configured level against every line level. */
static void
test_level_filter(void **state)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	char *text;
	int conf, lvl;

	for (conf = 0; conf < 4; conf++) {
		open_log(state, names[conf]);
		for (lvl = 0; lvl < 4; lvl++) {
			assert_int_equal(log_enabled((enum log_level)lvl),
			    lvl <= conf);
			log_msg((enum log_level)lvl, "t", "%d.%d", conf, lvl);
		}
		assert_false(log_enabled((enum log_level)-1));
		assert_false(log_enabled((enum log_level)4));
		text = close_and_read(state);
		assert_int_equal(count_lines(text), (size_t)conf + 1);
		for (lvl = 0; lvl < 4; lvl++) {
			char want[32];

			snprintf(want, sizeof want, " %d.%d\n", conf, lvl);
			assert_int_equal(strstr(text, want) != NULL, lvl <= conf);
		}
		free(text);
		empty_log(state);
	}
}

static void
test_level_names(void **state)
{
	static const struct {
		const char	*name;
		int		 rc;
		enum log_level	 level;
	} rows[] = {
		{ NULL, 0, LOG_LEVEL_INFO },
		{ "", 0, LOG_LEVEL_INFO },
		{ "error", 0, LOG_LEVEL_ERROR },
		{ "warn", 0, LOG_LEVEL_WARN },
		{ "info", 0, LOG_LEVEL_INFO },
		{ "debug", 0, LOG_LEVEL_DEBUG },
		{ "DEBUG", 0, LOG_LEVEL_DEBUG },
		{ "Warn", 0, LOG_LEVEL_WARN },
		{ "warning", -1, 0 },
		{ "verbose", -1, 0 },
		{ "trace", -1, 0 },
		{ "inf", -1, 0 },
		{ "info ", -1, 0 },
		{ " info", -1, 0 },
		{ "debug\n", -1, 0 },
		{ "errors", -1, 0 },
		{ "0", -1, 0 },
		{ "d\xc3\xa9" "bug", -1, 0 },
	};
	struct fixture *f = *state;
	struct err err;
	size_t i;
	int rc;

	for (i = 0; i < NROWS(rows); i++) {
		/* A refused name leaves the level as it was (error here). */
		open_log(state, "error");
		err_clear(&err);
		rc = log_open(rows[i].name, f->log, &err);
		assert_int_equal(rc, rows[i].rc);
		if (rc == 0) {
			assert_true(log_enabled(rows[i].level));
			assert_int_equal(log_enabled(rows[i].level + 1), 0);
		} else {
			assert_int_equal(err.kind, ERR_INPUT);
			assert_non_null(strstr(err.msg, "error, warn, info, debug"));
			assert_false(log_enabled(LOG_LEVEL_WARN));
		}
		log_close();
	}
}

/* Text from outside cannot break the line or drive a terminal. */
static void
test_control_characters(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} rows[] = {
		{ "a\nb", "a b" },
		{ "a\r\nb", "a  b" },
		{ "tab\there", "tab here" },
		{ "\x1b[31mred", " [31mred" },
		{ "bell\a", "bell " },
		{ "del\x7f", "del " },
		{ "nel\xc2\x85x", "nel x" },
		{ "csi\xc2\x9bx", "csi x" },
		{ "ls\xe2\x80\xa8x", "ls x" },
		{ "ps\xe2\x80\xa9x", "ps x" },
		{ "bad\xffx", "bad?x" },
		{ "overlong\xc0\xafx", "overlong??x" },
		{ "surrogate\xed\xa0\x80x", "surrogate???x" },
		{ "cut\xe6\x97", "cut??" },
		{ "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 "
		    "\xe6\xa0\xaa\xe5\xbc\x8f \xf0\x9f\x9a\x80",
		  "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 "
		    "\xe6\xa0\xaa\xe5\xbc\x8f \xf0\x9f\x9a\x80" },
		{ "Re: hi\n2026-01-01T00:00:00.000Z error inbox forged",
		  "Re: hi 2026-01-01T00:00:00.000Z error inbox forged" },
	};
	char *text, *want;
	size_t i;

	for (i = 0; i < NROWS(rows); i++) {
		open_log(state, "info");
		log_info("inbox", "subject %s.", rows[i].in);
		text = close_and_read(state);
		want = xasprintf(" info inbox subject %s.\n", rows[i].out);
		assert_int_equal(count_lines(text), 1);
		assert_string_equal(text + TS_LEN, want);
		free(want);
		free(text);
		empty_log(state);
	}
}

static void
test_nul_byte(void **state)
{
	char *text;

	open_log(state, "info");
	log_info("c", "a%cb", '\0');
	text = close_and_read(state);
	assert_string_equal(text + TS_LEN, " info c a b\n");
	free(text);
}

/* A line of exactly LOG_LINE_MAX bytes stays whole; one more is cut. */
static void
test_cut_at_max(void **state)
{
	static const struct {
		size_t	 extra;		/* message bytes beyond a full line */
		int	 cut;
	} rows[] = {
		{ 0, 0 }, { 1, 1 }, { 2, 1 }, { 10000, 1 },
	};
	/* Everything of a line but its message: stamp, " info c ", "\n". */
	const size_t frame = TS_LEN + strlen(" info c ") + 1;
	char *msg, *text;
	size_t i, len;

	for (i = 0; i < NROWS(rows); i++) {
		len = LOG_LINE_MAX - frame + rows[i].extra;
		msg = xmalloc(len + 1);
		memset(msg, 'x', len);
		msg[len] = '\0';
		open_log(state, "info");
		log_info("c", "%s", msg);
		text = close_and_read(state);
		assert_int_equal(strlen(text), LOG_LINE_MAX);
		assert_int_equal(count_lines(text), 1);
		assert_int_equal(strcmp(text + LOG_LINE_MAX - 4, "...\n") == 0,
		    rows[i].cut);
		free(msg);
		free(text);
		empty_log(state);
	}
}

/* Whatever the cut point, no UTF-8 sequence is split. */
static void
test_cut_keeps_utf8_whole(void **state)
{
	struct buf msg = { 0 };
	char *text;
	size_t shift, len, i;

	for (shift = 0; shift < 4; shift++) {
		buf_clear(&msg);
		for (i = 0; i < shift; i++)
			buf_puts(&msg, "a");
		for (i = 0; i < LOG_LINE_MAX; i++)
			buf_puts(&msg, i % 2 ? "\xe2\x82\xac" : "\xf0\x9f\x9a\x80");
		open_log(state, "info");
		log_info("c", "%s", msg.data);
		text = close_and_read(state);
		len = strlen(text);
		assert_true(len <= LOG_LINE_MAX && len >= LOG_LINE_MAX - 3);
		assert_true(utf8_valid(text, len));
		assert_null(strchr(text, '?'));
		assert_string_equal(text + len - 4, "...\n");
		free(text);
		empty_log(state);
	}
	buf_clear(&msg);
}

static void
test_quote(void **state)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*out;
		int		 same;	/* the input itself comes back */
	} rows[] = {
		{ "plain", 64, "plain", 1 },
		{ "it@mueller.example", 64, "it@mueller.example", 1 },
		{ "M\xc3\xbcller", 64, "M\xc3\xbcller", 1 },
		{ "back\\slash", 64, "back\\slash", 1 },
		{ "bad\xff", 64, "bad\xff", 1 },
		{ "a", 1, "\"\"", 0 },
		{ "", 64, "\"\"", 0 },
		{ NULL, 64, "\"\"", 0 },
		{ "a b", 64, "\"a b\"", 0 },
		{ "a\"b", 64, "\"a\\\"b\"", 0 },
		{ "k=v", 64, "\"k=v\"", 0 },
		{ "a\\ b", 64, "\"a\\\\ b\"", 0 },
		{ "a\nb", 64, "\"a\\nb\"", 0 },
		{ "a\tb\r", 64, "\"a\\tb\\r\"", 0 },
		{ "x\x01", 64, "\"x\\u0001\"", 0 },
		{ "x\x1b", 64, "\"x\\u001B\"", 0 },
		{ "x\x7f", 64, "\"x\\u007F\"", 0 },
		{ "x\xc2\x85", 64, "\"x\\u0085\"", 0 },
		{ "x\xe2\x80\xa8", 64, "\"x\\u2028\"", 0 },
		{ "M\xc3\xbcller & S\xc3\xb6hne", 64,
		    "\"M\xc3\xbcller & S\xc3\xb6hne\"", 0 },
		/* Cut to fit, always closed, never inside an escape or
		 * a character. */
		{ "a b", 6, "\"a b\"", 0 },
		{ "a b", 5, "\"a \"", 0 },
		{ "a b", 3, "\"\"", 0 },
		{ "a b", 2, "\"\"", 0 },
		{ "hello world", 8, "\"hello\"", 0 },
		{ "ab\"c d", 6, "\"ab\"", 0 },
		{ "ab\"c d", 7, "\"ab\\\"\"", 0 },
		{ "a \xe6\xa0\xaa", 6, "\"a \"", 0 },
		{ "a \xe6\xa0\xaa", 7, "\"a \"", 0 },
		{ "a \xe6\xa0\xaa", 8, "\"a \xe6\xa0\xaa\"", 0 },
		{ "a\x01", 9, "\"a\"", 0 },
		{ "a\x01", 10, "\"a\\u0001\"", 0 },
	};
	char buf[64];
	const char *q;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(rows); i++) {
		memset(buf, '#', sizeof buf);
		q = log_quote(rows[i].in, buf, rows[i].n);
		assert_string_equal(q, rows[i].out);
		assert_int_equal(q == rows[i].in, rows[i].same);
		assert_true(strlen(q) < rows[i].n || q != buf);
		/* Nothing written past the n bytes given. */
		if (rows[i].n < sizeof buf)
			assert_int_equal(buf[rows[i].n], '#');
	}
}

/* A quoted value reads back as one field of one line. */
static void
test_quote_in_line(void **state)
{
	char buf[128], *text;

	open_log(state, "info");
	log_info("inbox", "mail from=%s subject=%s",
	    log_quote("a@b.example", buf, sizeof buf), log_quote(
	    "x\n2026-01-01T00:00:00.000Z error inbox k=v", buf, sizeof buf));
	text = close_and_read(state);
	assert_string_equal(text + TS_LEN, " info inbox mail from=a@b.example "
	    "subject=\"x\\n2026-01-01T00:00:00.000Z error inbox k=v\"\n");
	free(text);
}

static void
test_file_mode_and_append(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char *text;
	mode_t old;

	old = umask(022);
	open_log(state, "info");
	umask(old);
	assert_int_equal(stat(f->log, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	log_info("c", "one");
	log_close();
	open_log(state, "info");
	log_info("c", "two");
	text = close_and_read(state);
	assert_true(matches(text, "^" TS_RE " info c one\n" TS_RE
	    " info c two\n$"));
	free(text);
}

static void
test_open_failure_keeps_log(void **state)
{
	static const char *const bad[] = {
		"/nonexistent-dir/agent.log",
		"/tmp",
	};
	struct fixture *f = *state;
	struct err err;
	char *text;
	size_t i;

	open_log(state, "warn");
	for (i = 0; i < NROWS(bad); i++) {
		err_clear(&err);
		assert_int_equal(log_open("debug", bad[i], &err), -1);
		assert_int_equal(err.kind, ERR_RUNTIME);
		assert_non_null(strstr(err.msg, bad[i]));
	}
	/* Still the first file, still at its level. */
	assert_false(log_enabled(LOG_LEVEL_INFO));
	log_warn("c", "kept");
	text = close_and_read(state);
	assert_true(matches(text, "^" TS_RE " warn c kept\n$"));
	free(text);
	(void)f;
}

/* logrotate renames the file, then SIGHUP makes the agent reopen it. */
static void
test_reopen_after_rename(void **state)
{
	struct fixture *f = *state;
	struct err err = { 0 };
	char *old, *text;

	old = xasprintf("%s.1", f->log);
	open_log(state, "info");
	log_info("c", "one");
	assert_int_equal(rename(f->log, old), 0);
	log_info("c", "two");		/* still the renamed file */
	assert_int_equal(log_reopen(&err), 0);
	log_info("c", "three");
	log_close();
	text = support_read(old);
	assert_true(matches(text, "^" TS_RE " info c one\n" TS_RE
	    " info c two\n$"));
	free(text);
	text = support_read(f->log);
	assert_true(matches(text, "^" TS_RE " info c three\n$"));
	free(text);
	free(old);
}

/* When the path cannot be opened again the log goes on where it was. */
static void
test_reopen_failure(void **state)
{
	struct fixture *f = *state;
	struct err err = { 0 };
	char *sub, *path, *moved, *text;

	sub = xasprintf("%s/sub", f->dir);
	path = xasprintf("%s/agent.log", sub);
	moved = xasprintf("%s/gone", f->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(log_open("info", path, &err), 0);
	log_info("c", "one");
	assert_int_equal(rename(sub, moved), 0);
	assert_int_equal(log_reopen(&err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, path));
	log_info("c", "two");
	log_close();
	free(path);
	path = xasprintf("%s/agent.log", moved);
	text = support_read(path);
	assert_true(matches(text, "^" TS_RE " info c one\n" TS_RE
	    " info c two\n$"));
	free(text);
	free(moved);
	free(path);
	free(sub);
}

/* Runs fn with standard error sent to file; returns what it wrote. */
static char *
capture_stderr(const char *file, void (*fn)(void))
{
	int saved, fd;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved != -1 && fd != -1);
	dup2(fd, STDERR_FILENO);
	close(fd);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	return support_read(file);
}

static void
log_to_stderr(void)
{
	struct err err = { 0 };

	log_info("c", "before open");
	assert_int_equal(log_open("debug", "", &err), 0);
	log_debug("c", "empty path");
	assert_int_equal(log_reopen(&err), 0);
	log_debug("c", "after reopen");
	log_close();
	log_debug("c", "after close");	/* still debug: not shown */
	log_info("c", "after close");
}

static void
test_stderr(void **state)
{
	struct fixture *f = *state;
	char *file, *text;

	file = xasprintf("%s/stderr", f->dir);
	text = capture_stderr(file, log_to_stderr);
	assert_true(matches(text,
	    "^" TS_RE " info c before open\n"
	    TS_RE " debug c empty path\n"
	    TS_RE " debug c after reopen\n"
	    TS_RE " debug c after close\n"
	    TS_RE " info c after close\n$"));
	free(text);
	free(file);
}

static void
test_errno_kept(void **state)
{
	open_log(state, "info");
	errno = ENOENT;
	log_info("c", "x");
	assert_int_equal(errno, ENOENT);
	log_close();
}

#define WRITERS		4
#define WRITER_LINES	300
#define ROTATIONS	20
#define WRITER_PAD	1499

static void *
writer(void *arg)
{
	char pad[WRITER_PAD + 1];
	int id = (int)(intptr_t)arg, i;

	memset(pad, 'a' + id, sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	for (i = 0; i < WRITER_LINES; i++)
		log_info("t", "writer=%d line=%d %s end", id, i, pad);
	return NULL;
}

/* 1 when line is one whole line of a writer, whose number and line
 * number go to *id and *seq (the stamp is checked elsewhere; a regular
 * expression here is slow under valgrind). */
static int
writer_line(const char *line, int *id, int *seq)
{
	const char *pad;
	size_t i;
	int n = 0;

	if (strlen(line) < TS_LEN || sscanf(line + TS_LEN,
	    " info t writer=%d line=%d %n", id, seq, &n) != 2 || n == 0 ||
	    *id < 0 || *id >= WRITERS || *seq < 0 || *seq >= WRITER_LINES)
		return 0;
	pad = line + TS_LEN + n;
	for (i = 0; i < WRITER_PAD; i++)
		if (pad[i] != 'a' + *id)
			return 0;
	return strcmp(pad + WRITER_PAD, " end") == 0;
}

/* Lines from several threads, while the file is rotated under them,
 * come out whole and none is lost. */
static void
test_threads_and_rotation(void **state)
{
	static char seen[WRITERS][WRITER_LINES];
	struct fixture *f = *state;
	pthread_t t[WRITERS];
	struct err err = { 0 };
	char *text, *line, *next, *name;
	size_t total = 0;
	int i, id, seq;

	open_log(state, "info");
	for (i = 0; i < WRITERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer,
		    (void *)(intptr_t)i), 0);
	for (i = 0; i < ROTATIONS; i++) {
		name = xasprintf("%s.%d", f->log, i);
		assert_int_equal(rename(f->log, name), 0);
		assert_int_equal(log_reopen(&err), 0);
		free(name);
	}
	for (i = 0; i < WRITERS; i++)
		pthread_join(t[i], NULL);
	log_close();
	for (i = 0; i <= ROTATIONS; i++) {
		name = i < ROTATIONS ? xasprintf("%s.%d", f->log, i) :
		    xstrdup(f->log);
		text = support_read(name);
		for (line = text; *line != '\0'; line = next + 1) {
			next = strchr(line, '\n');
			assert_non_null(next);
			*next = '\0';
			assert_true(writer_line(line, &id, &seq));
			assert_false(seen[id][seq]);
			seen[id][seq] = 1;
			total++;
		}
		free(text);
		free(name);
	}
	assert_int_equal(total, WRITERS * WRITER_LINES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_line_format),
		T(test_level_and_component_words),
		T(test_level_filter),
		T(test_level_names),
		T(test_control_characters),
		T(test_nul_byte),
		T(test_cut_at_max),
		T(test_cut_keeps_utf8_whole),
		T(test_quote),
		T(test_quote_in_line),
		T(test_file_mode_and_append),
		T(test_open_failure_keeps_log),
		T(test_reopen_after_rename),
		T(test_reopen_failure),
		T(test_stderr),
		T(test_errno_kept),
		T(test_threads_and_rotation),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
