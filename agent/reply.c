/* reply.c: the one command a reply's own text holds. */
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "reply.h"
#include "util.h"
#include "words.h"

#define WHY_WORD_MAX		40	/* bytes of a word quoted in "why" */

struct keyword {
	const char		*word;
	enum reply_command	 command;
};

static const struct keyword builtin[] = {
	{ "APPROVE", REPLY_APPROVE }, { "APPROVED", REPLY_APPROVE },
	{ "REJECT", REPLY_REJECT }, { "REJECTED", REPLY_REJECT },
	{ "DECLINE", REPLY_REJECT }, { "DECLINED", REPLY_REJECT },
	{ "RETRIGGER", REPLY_RETRIGGER },
	{ "FINALIZE", REPLY_FINALIZE }, { "FINALISE", REPLY_FINALIZE },
	{ NULL, REPLY_UNCLEAR }
};
static const char *const negations[] = {
	"not", "no", "don't", "dont", "cannot", "can't", "cant", "won't",
	"wont", "never", "nicht", "nein", "kein", "keine", "keinen", "keinem",
	"keiner", "keines", "niemals", "nie", "pas", "ne", "non", "jamais",
	"niet", "geen", "nee", "não", "nao", "nunca", NULL
};

/* ---- the command ---- */

static const char *const command_names[] = {
	"unclear", "approve", "reject", "retrigger", "finalize"
};

static const char *const command_words[] = {
	"", "APPROVE", "REJECT", "RETRIGGER", "FINALIZE"
};

const char *
reply_command_name(enum reply_command c)
{
	if ((unsigned)c >= sizeof command_names / sizeof command_names[0])
		return "unclear";
	return command_names[c];
}

static enum reply_command
extra_command(const struct strvec *sv, enum reply_command c,
    const char *w, size_t len)
{
	size_t i;

	if (sv == NULL)
		return REPLY_UNCLEAR;
	for (i = 0; i < sv->n; i++)
		if (words_fold_eq(sv->v[i], strlen(sv->v[i]), w, len))
			return c;
	return REPLY_UNCLEAR;
}

/* The command a word means, case folded; REPLY_UNCLEAR for none. */
static enum reply_command
keyword_command(const char *w, size_t len, const struct reply_keywords *kw)
{
	enum reply_command c;
	size_t i;

	if (len == 0 || len > REPLY_KEYWORD_MAX)
		return REPLY_UNCLEAR;
	for (i = 0; builtin[i].word != NULL; i++)
		if (words_fold_eq(builtin[i].word, strlen(builtin[i].word), w,
		    len))
			return builtin[i].command;
	if (kw == NULL)
		return REPLY_UNCLEAR;
	c = extra_command(kw->approve, REPLY_APPROVE, w, len);
	if (c == REPLY_UNCLEAR)
		c = extra_command(kw->reject, REPLY_REJECT, w, len);
	return c;
}

/* The command word without trailing ".!:," and the "*" or "_" of bold. */
static void
strip_command_word(const char **p, size_t *len)
{
	while (*len > 0 && (**p == '*' || **p == '_')) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && strchr(".!:,*_", (*p)[*len - 1]) != NULL)
		(*len)--;
}

/* Bytes of punctuation (ASCII, or a typographic quote) at s, or 0. */
static size_t
punct_at(const char *s, size_t len)
{
	static const char *const quotes[] = {
		"\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x98", "\xe2\x80\x99",
		"\xe2\x80\x9e", "\xc2\xab", "\xc2\xbb", NULL
	};
	size_t i, n;

	if (strchr("\"'()[]{}<>.,;:!?*_-", s[0]) != NULL)
		return 1;
	for (i = 0; quotes[i] != NULL; i++) {
		n = strlen(quotes[i]);
		if (n <= len && memcmp(s, quotes[i], n) == 0)
			return n;
	}
	return 0;
}

/* Bytes of punctuation ending s[0..len), or 0. */
static size_t
punct_before(const char *s, size_t len)
{
	size_t n;

	for (n = 1; n <= 3 && n <= len; n++)
		if (punct_at(s + len - n, n) == n)
			return n;
	return 0;
}

/* A word of the line without the punctuation around it. */
static void
strip_punct(const char **p, size_t *len)
{
	size_t n;

	while (*len > 0 && (n = punct_at(*p, *len)) > 0) {
		*p += n;
		*len -= n;
	}
	while (*len > 0 && (n = punct_before(*p, *len)) > 0)
		*len -= n;
}

static int
ends_with(const char *p, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && words_fold_eq(p + len - n, n, suffix, n);
}

/* "not", "nicht", "can't", "isn’t", "n'approuve": a negation. */
static int
is_negation(const char *p, size_t len)
{
	if (words_fold_in(negations, p, len))
		return 1;
	if (ends_with(p, len, "n't") || ends_with(p, len, "n\xe2\x80\x99t"))
		return 1;
	return len > 2 && (words_fold_prefix(p, "n'") > 0 ||
	    words_fold_prefix(p, "n\xe2\x80\x99") > 0);
}

static char *
quoted_word(const char *p, size_t len)
{
	char *w, *printable;

	w = xstrndup(p, len);
	printable = text_printable(w, WHY_WORD_MAX);
	free(w);
	return printable;
}

/*
 * Why the line is unclear, or NULL.  A negation after REJECT is its
 * reason ("REJECT - we are not ready"), and reading too much into it
 * could only turn a refusal into something else; after any other
 * keyword it makes the line unclear.
 */
static char *
line_doubt(const struct words *w, const struct reply_keywords *kw,
    enum reply_command first)
{
	enum reply_command c, seen = REPLY_UNCLEAR;
	const char *p;
	char *word, *why;
	size_t i, len;

	for (i = 0; i < w->n; i++) {
		p = w->v[i].p;
		len = w->v[i].len;
		strip_punct(&p, &len);
		if (len > 0 && first != REPLY_REJECT && is_negation(p, len)) {
			word = quoted_word(p, len);
			why = xasprintf("a negation: '%s'", word);
			free(word);
			return why;
		}
		c = keyword_command(p, len, kw);
		if (c != REPLY_UNCLEAR && seen != REPLY_UNCLEAR && c != seen)
			return xasprintf("both %s and %s", command_words[seen],
			    command_words[c]);
		if (c != REPLY_UNCLEAR)
			seen = c;
	}
	return NULL;
}

static int
has_question_mark(const char *line)
{
	return strchr(line, '?') != NULL ||
	    strstr(line, "\xef\xbc\x9f") != NULL ||	/* fullwidth */
	    strstr(line, "\xc2\xbf") != NULL;		/* Spanish opening */
}

/* The first line of own that is not blank, trimmed; "" when none. */
static char *
first_line(const char *own)
{
	const char *end;

	own = words_skip_space(own);
	while (*own == '\n')
		own = words_skip_space(own + 1);
	end = strchr(own, '\n');
	if (end == NULL)
		end = own + strlen(own);
	return xstrndup(own, (size_t)(end - own));
}

/* Reads the command of one line that is not blank. */
static void
read_line(const char *line, const struct reply_keywords *kw,
    struct reply_verdict *v)
{
	struct words w = { 0 };
	const char *p;
	char *word;
	size_t len;

	words_add(&w, line, strlen(line), 0);
	/* first_line gives a line that does not start with white space, so
	 * there is a word; the guard keeps it so if that ever changes. */
	if (w.n == 0) {
		v->why = xstrdup("no text of its own");
		goto out;
	}
	if (has_question_mark(line)) {
		v->why = xstrdup("a question mark on the first line");
		goto out;
	}
	p = w.v[0].p;
	len = w.v[0].len;
	strip_command_word(&p, &len);
	v->command = keyword_command(p, len, kw);
	if ((v->why = line_doubt(&w, kw, v->command)) != NULL) {
		v->command = REPLY_UNCLEAR;
		goto out;
	}
	if (len == 0) {
		p = w.v[0].p;
		len = w.v[0].len;
	}
	word = quoted_word(p, len);
	if (v->command == REPLY_UNCLEAR)
		v->why = xasprintf("'%s' is not a keyword", word);
	else
		v->why = xasprintf("keyword %s", word);
	free(word);
out:
	free(w.v);
}

/*
 * The command is the first word of the first line of the own text, so
 * "I approve" is unclear: the first word is "I".  The whole line is
 * unclear with a '?' anywhere, a negation anywhere but after REJECT
 * ("not", "nicht", "can't", "n'approuve", ...), or words of two
 * different commands.
 * The word may end in ".!:," and be wrapped in '*' or '_' (bold).
 */
void
reply_read(const char *text, const char *answered,
    const struct reply_keywords *kw, struct reply_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->command = REPLY_UNCLEAR;
	v->own_text = quote_own_text(text, answered);
	v->line = first_line(v->own_text);
	if (*v->line == '\0')
		v->why = xstrdup("no text of its own");
	else
		read_line(v->line, kw, v);
}

int
reply_may_hold_copy(const char *own_text)
{
	return quote_may_hold_copy(own_text);
}

void
reply_verdict_clear(struct reply_verdict *v)
{
	if (v == NULL)
		return;
	free(v->own_text);
	free(v->line);
	free(v->why);
	memset(v, 0, sizeof *v);
}
