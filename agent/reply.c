/* reply.c: a reply's own text, cut from what it quotes, and its command. */
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "util.h"

#define ATTRIB_LINES_MAX	3	/* lines an attribution wraps over */
#define ATTRIB_MAX		512	/* bytes of one attribution */
#define HEADER_BLOCK_MIN	3	/* Outlook header lines that cut */
#define COPY_MIN_WORDS		6	/* words of a copy of the answered mail */
#define COPY_RESYNC		8	/* words skipped to find the copy again */
#define COPY_BUDGET		(4 * 1024 * 1024)	/* word compares */
#define WHY_WORD_MAX		40	/* bytes of a word quoted in "why" */

/* The reply cut into lines, in place; a quoted line is not own text. */
struct lines {
	char	 *text;
	char	**v;
	int	 *quoted;
	size_t	  n;
};

/* One word of a text: where it is and on which line. */
struct word {
	const char	*p;
	size_t		 len;
	size_t		 line;
};

struct words {
	struct word	*v;
	size_t		 n;
	size_t		 cap;
};

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

/* First words of "On ... wrote:" in en, de, fr, es, it, nl, pt. */
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
	"van", "verzonden", "aan", "onderwerp", "assunto", NULL
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
	"enviado do meu ", "obter o outlook para ", NULL
};

static const char *const negations[] = {
	"not", "no", "don't", "dont", "cannot", "can't", "cant", "won't",
	"wont", "never", "nicht", "nein", "kein", "keine", "keinen", "keinem",
	"keiner", "keines", "niemals", "nie", "pas", "ne", "non", "jamais",
	"niet", "geen", "nee", "não", "nao", "nunca", NULL
};

/* ---- UTF-8 and case folding ---- */

/*
 * Decodes the code point at *s (before end) and moves *s past it.  A
 * malformed byte comes back as itself plus 0x110000, so it only ever
 * equals the same malformed byte.
 */
static uint32_t
next_cp(const char **s, const char *end)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t n, avail = (size_t)(end - *s), i;
	uint32_t c;

	n = p[0] < 0x80 ? 1 : p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (n > avail || !utf8_valid(*s, n)) {
		*s += 1;
		return 0x110000u + p[0];
	}
	if (n == 1)
		c = p[0];
	else
		c = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++)
		c = (c << 6) | (p[i] & 0x3f);
	*s += n;
	return c;
}

static uint32_t
fold_latin_ext_a(uint32_t c)
{
	if (c == 0x130)
		return 'i';
	if (c == 0x178)
		return 0xff;
	if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17f)
		return c;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return (c & 1) ? c + 1 : c;
	return (c & 1) ? c : c + 1;
}

/*
 * Simple lower-case folding for ASCII, Latin-1, Latin Extended-A, Greek
 * and Cyrillic: enough for keywords in European languages, with no
 * locale and no table from outside.
 */
static uint32_t
fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 0x20;
	if (c >= 0x100 && c <= 0x17f)
		return fold_latin_ext_a(c);
	if ((c >= 0x391 && c <= 0x3ab && c != 0x3a2))
		return c + 0x20;
	if (c == 0x3c2)
		return 0x3c3;
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	return c;
}

/* 1 when a[0..alen) and b[0..blen) are equal, case folded. */
static int
fold_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae && b < be)
		if (fold(next_cp(&a, ae)) != fold(next_cp(&b, be)))
			return 0;
	return a == ae && b == be;
}

/* 1 when word equals one of list (case folded). */
static int
fold_in(const char *const *list, const char *w, size_t len)
{
	for (; *list != NULL; list++)
		if (fold_eq(*list, strlen(*list), w, len))
			return 1;
	return 0;
}

/* Bytes s starts with that prefix, case folded; 0 when it does not. */
static size_t
fold_prefix(const char *s, const char *prefix)
{
	const char *p = s, *q = prefix, *se = s + strlen(s);
	const char *qe = prefix + strlen(prefix);

	while (q < qe) {
		if (p >= se || fold(next_cp(&p, se)) != fold(next_cp(&q, qe)))
			return 0;
	}
	return (size_t)(p - s);
}

/* Bytes of white space at s: ASCII, NBSP, narrow NBSP, ZWSP, BOM. */
static size_t
space_len(const char *s)
{
	static const char *const wide[] = {
		"\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x87", "\xe2\x80\x8b",
		"\xef\xbb\xbf", NULL
	};
	unsigned char c = (unsigned char)*s;
	size_t i;

	if (c == ' ' || c == '\t')
		return 1;
	/* Every wide space starts with one of these bytes. */
	if (c != 0xc2 && c != 0xe2 && c != 0xef)
		return 0;
	for (i = 0; wide[i] != NULL; i++)
		if (strncmp(s, wide[i], strlen(wide[i])) == 0)
			return strlen(wide[i]);
	return 0;
}

static const char *
skip_space(const char *s)
{
	size_t n;

	while ((n = space_len(s)) > 0)
		s += n;
	return s;
}

/* Length of s without the white space at its end. */
static size_t
trimmed_len(const char *s)
{
	size_t len = 0, i, n;

	for (i = 0; s[i] != '\0'; i += n) {
		if ((n = space_len(s + i)) == 0) {
			n = 1;
			len = i + 1;
		}
	}
	return len;
}

static int
is_blank(const char *s)
{
	return *skip_space(s) == '\0';
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
 * The first REPLY_TEXT_MAX bytes of text with LF line ends, malformed
 * UTF-8 as U+FFFD and control characters as spaces.  Caller frees.
 */
static char *
prepare(const char *text)
{
	struct buf b = { 0 };
	size_t len, i, n;

	len = strlen(text);
	if (len > REPLY_TEXT_MAX) {
		len = REPLY_TEXT_MAX;
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
	if (b.len > REPLY_TEXT_MAX) {
		b.len = REPLY_TEXT_MAX;
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
	return *skip_space(s) == '>';
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

	s = skip_space(s);
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

	s = skip_space(s);
	for (i = 0; client_lines[i] != NULL; i++)
		if (fold_prefix(s, client_lines[i]) > 0)
			return 1;
	return 0;
}

/* "From: x", "*Von:* x", "Envoyé : x": a header name, then a colon. */
static int
is_header_line(const char *s)
{
	size_t i, n;
	const char *p;

	s = skip_space(s);
	s += run_of(s, '*');
	for (i = 0; header_names[i] != NULL; i++) {
		if ((n = fold_prefix(s, header_names[i])) == 0)
			continue;
		p = s + n;
		p += run_of(p, '*');
		p = skip_space(p);
		p += run_of(p, '*');
		if (*p == ':')
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
		else if (j == i || space_len(l->v[j]) == 0)
			break;		/* not a header, nor one wrapped */
	}
	return headers >= HEADER_BLOCK_MIN ? j - i : 0;
}

/* Splits s[0..len) into words at white space. */
static void
words_add(struct words *w, const char *s, size_t len, size_t line)
{
	const char *end = s + len, *start;
	size_t n;

	while (s < end) {
		if ((n = space_len(s)) > 0) {
			s += n;
			continue;
		}
		for (start = s; s < end && space_len(s) == 0; s++)
			;
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 32;
			w->v = xrealloc(w->v, w->cap * sizeof *w->v);
		}
		w->v[w->n].p = start;
		w->v[w->n].len = (size_t)(s - start);
		w->v[w->n].line = line;
		w->n++;
	}
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
	if (len == 0 || len > ATTRIB_MAX || s[len - 1] != ':')
		return 0;
	words_add(&w, s, len - 1, 0);
	if (w.n < 2)
		goto out;
	if (name_form)
		ok = fold_in(attrib_verbs, w.v[w.n - 1].p, w.v[w.n - 1].len);
	else if (fold_in(attrib_openers, w.v[0].p, w.v[0].len))
		for (k = 1; k < w.n && !ok; k++)
			ok = fold_in(attrib_verbs, w.v[k].p, w.v[k].len);
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
		buf_puts(&joined, skip_space(l->v[i + k]));
		if (is_attribution_text(joined.data, 0))
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

/* A word without the '*' and '_' some clients put around bold text. */
static void
word_core(const struct word *w, const char **p, size_t *len)
{
	*p = w->p;
	*len = w->len;
	while (*len > 0 && (**p == '*' || **p == '_')) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && ((*p)[*len - 1] == '*' || (*p)[*len - 1] == '_'))
		(*len)--;
}

static int
word_eq(const struct word *a, const struct word *b, long *budget)
{
	const char *ap, *bp;
	size_t alen, blen;

	(*budget)--;
	word_core(a, &ap, &alen);
	word_core(b, &bp, &blen);
	return fold_eq(ap, alen, bp, blen);
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
		while (*(s = skip_space(s)) == '>')
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
reply_own_text(const char *text, const char *answered)
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
reply_may_hold_copy(const char *own_text)
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
		if (fold_eq(sv->v[i], strlen(sv->v[i]), w, len))
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
		if (fold_eq(builtin[i].word, strlen(builtin[i].word), w, len))
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

	return len >= n && fold_eq(p + len - n, n, suffix, n);
}

/* "not", "nicht", "can't", "isn’t", "n'approuve": a negation. */
static int
is_negation(const char *p, size_t len)
{
	if (fold_in(negations, p, len))
		return 1;
	if (ends_with(p, len, "n't") || ends_with(p, len, "n\xe2\x80\x99t"))
		return 1;
	return len > 2 && (fold_prefix(p, "n'") > 0 ||
	    fold_prefix(p, "n\xe2\x80\x99") > 0);
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

	own = skip_space(own);
	while (*own == '\n')
		own = skip_space(own + 1);
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
	v->own_text = reply_own_text(text, answered);
	v->line = first_line(v->own_text);
	if (*v->line == '\0')
		v->why = xstrdup("no text of its own");
	else
		read_line(v->line, kw, v);
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
