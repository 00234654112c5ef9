/* quote.c: where a reply's own text ends and what it quotes begins. */
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "util.h"
#include "words.h"

#define ATTRIB_LINES_MAX	3	/* lines an attribution wraps over */
#define ATTRIB_MAX		512	/* bytes of one attribution */
#define HEADER_BLOCK_MIN	3	/* Outlook header lines that cut */
#define COPY_MIN_WORDS		6	/* words of a copy of the answered mail */
#define COPY_RESYNC		8	/* words skipped to find the copy again */
#define COPY_BUDGET		(4 * 1024 * 1024)	/* word compares */

/* The reply cut into lines, in place; a quoted line is not own text. */
struct lines {
	char	 *text;
	char	**v;
	int	 *quoted;
	size_t	  n;
};

#define FULLWIDTH_COLON	"\xef\xbc\x9a"	/* ： */

/* First words of "On ... wrote:" in en, de, fr, es, it, nl, pt (ja
 * writes no spaces: see japanese_attribution). */
static const char *const attrib_openers[] = {
	"on", "am", "le", "el", "il", "op", "em", NULL
};

static const char *const attrib_verbs[] = {
	"wrote", "writes", "schrieb", "geschrieben", "écrit", "escribió",
	"escribio", "scritto", "schreef", "geschreven", "escreveu", NULL
};

/* Outlook's header names, in the same languages. */
static const char *const header_names[] = {
	"from", "sent", "to", "cc", "bcc", "subject", "date", "reply-to",
	"von", "gesendet", "an", "betreff", "datum", "kopie",
	"de", "envoyé", "à", "a", "objet", "cci",
	"enviado", "enviada", "para", "asunto", "fecha", "cco",
	"da", "inviato", "oggetto", "data", "ccn",
	"van", "verzonden", "aan", "onderwerp", "assunto",
	"\xe5\xb7\xae\xe5\x87\xba\xe4\xba\xba",		/* 差出人 */
	"\xe9\x80\x81\xe4\xbf\xa1\xe6\x97\xa5\xe6\x99\x82",	/* 送信日時 */
	"\xe5\xae\x9b\xe5\x85\x88",			/* 宛先 */
	"\xe4\xbb\xb6\xe5\x90\x8d",			/* 件名 */
	NULL
};

/* Lines a mail client adds under the reply: everything from them is cut. */
static const char *const client_lines[] = {
	"sent from my ", "sent from outlook", "sent from mail for windows",
	"sent from yahoo mail", "get outlook for ", "begin forwarded message",
	"von meinem ", "gesendet von meinem ", "gesendet von outlook",
	"envoyé de mon ", "envoyé depuis ", "obtenir outlook pour ",
	"enviado desde mi ", "enviado desde outlook", "obtener outlook para ",
	"inviato da ", "scarica outlook per ",
	"verzonden vanaf ", "verstuurd vanaf ", "outlook voor ",
	"enviado do meu ", "obter o outlook para ",
	"iphone\xe3\x81\x8b\xe3\x82\x89\xe9\x80\x81\xe4\xbf\xa1",	/* iPhoneから送信 */
	"ipad\xe3\x81\x8b\xe3\x82\x89\xe9\x80\x81\xe4\xbf\xa1",	/* iPadから送信 */
	NULL
};

/* Length of s without the white space at its end. */
static size_t
trimmed_len(const char *s)
{
	size_t len = 0, i, n;

	for (i = 0; s[i] != '\0'; i += n) {
		if ((n = words_space_len(s + i)) == 0) {
			n = 1;
			len = i + 1;
		}
	}
	return len;
}

static int
is_blank(const char *s)
{
	return *words_skip_space(s) == '\0';
}

/* ---- preparing the text ---- */

/* Appends the code point at s (valid or not) as clean UTF-8. */
static size_t
append_clean(struct buf *b, const char *s, size_t avail)
{
	unsigned char c = (unsigned char)s[0];
	size_t n;

	if (c == '\r') {
		buf_puts(b, "\n");
		return avail > 1 && s[1] == '\n' ? 2 : 1;
	}
	if (c == '\n' || c == '\t') {
		buf_append(b, s, 1);
		return 1;
	}
	if (c < 0x20 || c == 0x7f) {
		buf_puts(b, " ");
		return 1;
	}
	n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n > avail || !utf8_valid(s, n)) {
		buf_puts(b, "\xef\xbf\xbd");
		return 1;
	}
	if (n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0)
		buf_puts(b, " ");	/* C1 controls */
	else
		buf_append(b, s, n);
	return n;
}

/* Bytes at s that stay as they are: printable ASCII, LF and tab. */
static size_t
plain_run(const char *s, size_t avail)
{
	size_t n;

	for (n = 0; n < avail; n++)
		if ((s[n] < 0x20 || s[n] > 0x7e) && s[n] != '\n' &&
		    s[n] != '\t')
			break;
	return n;
}

/*
 * The first QUOTE_TEXT_MAX bytes of text with LF line ends, malformed
 * UTF-8 as U+FFFD and control characters as spaces.  Caller frees.
 */
static char *
prepare(const char *text)
{
	struct buf b = { 0 };
	size_t len, i, n;

	len = strlen(text);
	if (len > QUOTE_TEXT_MAX) {
		len = QUOTE_TEXT_MAX;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; ) {
		n = plain_run(text + i, len - i);
		buf_append(&b, text + i, n);
		i += n;
		if (i < len)
			i += append_clean(&b, text + i, len - i);
	}
	/* U+FFFD is longer than the byte it replaces. */
	if (b.len > QUOTE_TEXT_MAX) {
		b.len = QUOTE_TEXT_MAX;
		while (b.len > 0 && ((unsigned char)b.data[b.len] & 0xc0) == 0x80)
			b.len--;
		b.data[b.len] = '\0';
	}
	return buf_release(&b);
}

static void
lines_split(struct lines *l, const char *text)
{
	char *p;
	size_t cap = 16;

	l->text = prepare(text);
	l->v = xcalloc(cap, sizeof *l->v);
	l->n = 0;
	for (p = l->text; p != NULL; ) {
		if (l->n == cap) {
			cap *= 2;
			l->v = xrealloc(l->v, cap * sizeof *l->v);
		}
		l->v[l->n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	l->quoted = xcalloc(l->n, sizeof *l->quoted);
}

static void
lines_clear(struct lines *l)
{
	free(l->text);
	free(l->v);
	free(l->quoted);
}

/* ---- the quote markers ---- */

static int
starts_quote(const char *s)
{
	return *words_skip_space(s) == '>';
}

/* "-- " (or "--" when a client dropped the space): a signature follows. */
static int
is_signature(const char *s)
{
	return strncmp(s, "--", 2) == 0 && trimmed_len(s) == 2;
}

static size_t
run_of(const char *s, char c)
{
	size_t n = 0;

	while (s[n] == c)
		n++;
	return n;
}

/* "-----Original Message-----" in any language, or a line of "____". */
static int
is_separator(const char *s)
{
	size_t len, lead, tail;

	s = words_skip_space(s);
	len = trimmed_len(s);
	if (len >= 10 && run_of(s, '_') == len)
		return 1;
	lead = run_of(s, '-');
	for (tail = 0; tail < len && s[len - 1 - tail] == '-'; tail++)
		;
	return lead >= 4 && tail >= 4 && lead + tail < len;
}

static int
is_client_line(const char *s)
{
	size_t i;

	s = words_skip_space(s);
	for (i = 0; client_lines[i] != NULL; i++)
		if (words_fold_prefix(s, client_lines[i]) > 0)
			return 1;
	return 0;
}

/* "From: x", "*Von:* x", "Envoyé : x": a header name, then a colon. */
static int
is_header_line(const char *s)
{
	size_t i, n;
	const char *p;

	s = words_skip_space(s);
	s += run_of(s, '*');
	for (i = 0; header_names[i] != NULL; i++) {
		if ((n = words_fold_prefix(s, header_names[i])) == 0)
			continue;
		p = s + n;
		p += run_of(p, '*');
		p = words_skip_space(p);
		p += run_of(p, '*');
		if (*p == ':' || strncmp(p, FULLWIDTH_COLON,
		    strlen(FULLWIDTH_COLON)) == 0)
			return 1;
	}
	return 0;
}

/* Lines in an Outlook header block starting at line i, 0 when none. */
static size_t
header_block(const struct lines *l, size_t i)
{
	size_t j, headers = 0;

	for (j = i; j < l->n && !l->quoted[j] && !is_blank(l->v[j]); j++) {
		if (is_header_line(l->v[j]))
			headers++;
		else if (j == i || words_space_len(l->v[j]) == 0)
			break;		/* not a header, nor one wrapped */
	}
	return headers >= HEADER_BLOCK_MIN ? j - i : 0;
}
/* 1 when s[0..len) ends with suffix. */
static int
ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/*
 * Japanese attributions, without spaces to split words at: Gmail's
 * "2026年12月7日(月) 10:00 山田太郎 <taro@example.jp>:", Apple Mail's
 * "...<taro@example.jp>のメール:" and Thunderbird's "...さんは書きました:".
 * One line, whose colon at the end may be ASCII or full-width.
 */
static int
japanese_attribution(const char *s)
{
	static const char year[] = "\xe5\xb9\xb4", month[] = "\xe6\x9c\x88",
	    day[] = "\xe6\x97\xa5";
	size_t len = trimmed_len(s);
	char *head;
	int ok;

	if (len == 0 || len > ATTRIB_MAX)
		return 0;
	if (ends_with(s, len, FULLWIDTH_COLON))
		len -= strlen(FULLWIDTH_COLON);
	else if (s[len - 1] == ':')
		len--;
	else
		return 0;
	head = xstrndup(s, len);
	ok = (strstr(head, year) && strstr(head, month) && strstr(head, day) &&
	    strchr(head, '@') && ends_with(head, strlen(head), ">")) ||
	    ends_with(head, strlen(head), "\xe3\x81\xae\xe3\x83\xa1\xe3\x83"
	    "\xbc\xe3\x83\xab") ||	/* のメール */
	    ends_with(head, strlen(head), "\xe6\x9b\xb8\xe3\x81\x8d\xe3\x81"
	    "\xbe\xe3\x81\x97\xe3\x81\x9f");	/* 書きました */
	free(head);
	return ok;
}

/*
 * 1 when s reads "On ... wrote:" (an opener, a verb, a colon at the end),
 * or with name_form "Name wrote:" (the verb last).
 */
static int
is_attribution_text(const char *s, int name_form)
{
	struct words w = { 0 };
	size_t len, k;
	int ok = 0;

	len = trimmed_len(s);
	if (len == 0 || len > ATTRIB_MAX)
		return 0;
	if (s[len - 1] != ':')
		return 0;
	words_add(&w, s, len - 1, 0);
	if (w.n < 2)
		goto out;
	if (name_form)
		ok = words_fold_in(attrib_verbs, w.v[w.n - 1].p,
		    w.v[w.n - 1].len);
	else if (words_fold_in(attrib_openers, w.v[0].p, w.v[0].len))
		for (k = 1; k < w.n && !ok; k++)
			ok = words_fold_in(attrib_verbs, w.v[k].p, w.v[k].len);
out:
	free(w.v);
	return ok;
}

/* The next line after i that is not blank is quoted. */
static int
quote_follows(const struct lines *l, size_t i)
{
	for (i++; i < l->n; i++)
		if (!is_blank(l->v[i]))
			return l->quoted[i];
	return 0;
}

/*
 * Lines (1 to ATTRIB_LINES_MAX) of an attribution starting at line i,
 * or 0.  *marked is 1 when a '>' quote follows it.
 */
static size_t
attribution(const struct lines *l, size_t i, int *marked)
{
	struct buf joined = { 0 };
	size_t k, found = 0;

	for (k = 0; k < ATTRIB_LINES_MAX && i + k < l->n && !found; k++) {
		if (l->quoted[i + k] || is_blank(l->v[i + k]))
			break;
		if (k > 0)
			buf_puts(&joined, " ");
		buf_puts(&joined, words_skip_space(l->v[i + k]));
		if (is_attribution_text(joined.data, 0) ||
		    (k == 0 && japanese_attribution(joined.data)))
			found = k + 1;
		else if (k == 0 && is_attribution_text(joined.data, 1) &&
		    quote_follows(l, i))
			found = 1;
	}
	buf_clear(&joined);
	*marked = found > 0 && quote_follows(l, i + found - 1);
	return found;
}

/*
 * Marks quoted lines, and returns the line where the rest is cut: a
 * signature, a separator, a client's line, an Outlook header block or
 * an attribution with no '>' quote after it.  An attribution followed
 * by a '>' quote only marks itself, so text below the quote still
 * counts (bottom-posting).
 */
static size_t
find_cut(struct lines *l)
{
	size_t i, k;
	int marked;

	for (i = 0; i < l->n; i++)
		l->quoted[i] = starts_quote(l->v[i]);
	for (i = 0; i < l->n; i++) {
		if (l->quoted[i] || is_blank(l->v[i]))
			continue;
		if (is_signature(l->v[i]) || is_separator(l->v[i]) ||
		    is_client_line(l->v[i]) || header_block(l, i) > 0)
			return i;
		if ((k = attribution(l, i, &marked)) == 0)
			continue;
		if (!marked)
			return i;
		while (k-- > 0)
			l->quoted[i++] = 1;
		i--;
	}
	return l->n;
}

/* ---- a trailing copy of the answered mail ---- */

static int
word_eq(const struct word *a, const struct word *b, long *budget)
{
	(*budget)--;
	return words_same(a, b);
}

/* Words equal going back from r[i] and a[j]. */
static size_t
run_back(const struct words *r, size_t i, const struct words *a, size_t j,
    long *budget)
{
	size_t n = 0;

	while (n <= i && n <= j && *budget > 0 &&
	    word_eq(&r->v[i - n], &a->v[j - n], budget))
		n++;
	return n;
}

/* The longest run of words ending at the reply's last word that the
 * answered mail holds; *aend gets where it ends there. */
static size_t
best_tail(const struct words *r, const struct words *a, size_t *aend,
    long *budget)
{
	size_t j, n, best = 0;

	for (j = a->n; j-- > 0 && *budget > 0; ) {
		n = run_back(r, r->n - 1, a, j, budget);
		if (n > best) {
			best = n;
			*aend = j;
		}
	}
	return best;
}

/* Finds the copy again after a difference: up to COPY_RESYNC words
 * skipped on either side, then three words equal. */
static int
resync(const struct words *r, size_t *i, const struct words *a, size_t *j,
    long *budget)
{
	size_t d, di, dj;

	for (d = 1; d <= 2 * COPY_RESYNC; d++) {
		for (di = 0; di <= d && di <= COPY_RESYNC; di++) {
			dj = d - di;
			if (dj > COPY_RESYNC || di > *i || dj > *j)
				continue;
			if (run_back(r, *i - di, a, *j - dj, budget) >= 3) {
				*i -= di;
				*j -= dj;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * The first reply word of a trailing block that repeats the answered
 * mail, word for word but for small differences, or r->n when there is
 * none: at least COPY_MIN_WORDS equal words, and at least half of the
 * block's words.
 */
static size_t
copy_start(const struct words *r, const struct words *a)
{
	long budget = COPY_BUDGET;
	size_t i, j, n, aend = 0, total, first, afirst;

	if (r->n == 0 || a->n == 0)
		return r->n;
	if ((total = best_tail(r, a, &aend, &budget)) == 0)
		return r->n;
	first = r->n - total;
	afirst = aend + 1 - total;
	while (first > 0 && afirst > 0) {
		i = first - 1;
		j = afirst - 1;
		if (!resync(r, &i, a, &j, &budget))
			break;
		n = run_back(r, i, a, j, &budget);
		total += n;
		first = i + 1 - n;
		afirst = j + 1 - n;
	}
	if (total < COPY_MIN_WORDS || 2 * total < r->n - first)
		return r->n;
	return first;
}

/* The words of the answered mail, without '>' marks. */
static void
answered_words(struct lines *a, struct words *w)
{
	const char *s;
	size_t i;

	for (i = 0; i < a->n; i++) {
		s = a->v[i];
		while (*(s = words_skip_space(s)) == '>')
			s++;
		words_add(w, s, strlen(s), i);
	}
}

/*
 * The line where a trailing copy of the answered mail starts, among the
 * own lines before cut; cut when there is none.  The copy starts at the
 * beginning of a line: a line half the user's, half the copy, stays.
 */
static size_t
copy_cut(const struct lines *l, size_t cut, const char *answered)
{
	struct lines a = { 0 };
	struct words r = { 0 }, w = { 0 };
	size_t i, first;

	for (i = 0; i < cut; i++)
		if (!l->quoted[i])
			words_add(&r, l->v[i], strlen(l->v[i]), i);
	/* Too few words to hold a copy: the answered mail is not read. */
	if (r.n < COPY_MIN_WORDS) {
		free(r.v);
		return cut;
	}
	lines_split(&a, answered);
	answered_words(&a, &w);
	first = copy_start(&r, &w);
	while (first > 0 && first < r.n &&
	    r.v[first - 1].line == r.v[first].line)
		first++;
	if (first < r.n)
		cut = r.v[first].line;
	free(r.v);
	free(w.v);
	lines_clear(&a);
	return cut;
}

/* The own lines before cut, right-trimmed, one blank line at most
 * between them, none around them. */
static char *
join_own(const struct lines *l, size_t cut)
{
	struct buf b = { 0 };
	size_t i;
	int started = 0, blank = 0;

	for (i = 0; i < cut; i++) {
		if (l->quoted[i])
			continue;
		if (is_blank(l->v[i])) {
			blank = started;
			continue;
		}
		if (started)
			buf_puts(&b, blank ? "\n\n" : "\n");
		buf_append(&b, l->v[i], trimmed_len(l->v[i]));
		started = 1;
		blank = 0;
	}
	return buf_release(&b);
}

char *
quote_own_text(const char *text, const char *answered)
{
	struct lines l = { 0 };
	size_t cut;
	char *own;

	lines_split(&l, text != NULL ? text : "");
	cut = find_cut(&l);
	if (answered != NULL)
		cut = copy_cut(&l, cut, answered);
	own = join_own(&l, cut);
	lines_clear(&l);
	return own;
}

int
quote_may_hold_copy(const char *own_text)
{
	struct words w = { 0 };
	const char *line, *end;
	size_t n;

	/* Counted as copy_cut counts them: line by line. */
	for (line = own_text; w.n < COPY_MIN_WORDS; line = end + 1) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		words_add(&w, line, (size_t)(end - line), 0);
		if (*end == '\0')
			break;
	}
	n = w.n;
	free(w.v);
	return n >= COPY_MIN_WORDS;
}
