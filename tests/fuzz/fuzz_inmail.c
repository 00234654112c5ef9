/*
 * fuzz_inmail.c: one inbound message as the inbox reads it, all but the
 * database: parse it (inmail.c, with html.c for HTML-only bodies), find
 * a reply key in its addresses and ids and check it (replykey.c), compare
 * the sender, and read the reply's own text and command (reply.c).
 */
#include "fuzz.h"

#include "addr.h"
#include "inmail.h"
#include "reply.h"
#include "replykey.h"

#define AUTHSERV	"mx.example.test"

/* The text part of the mail being answered: a trailing copy is cut. */
static const char answered[] =
    "Your provider asks to move Contoso Pharma GmbH to its Managed "
    "Services\nConsole.\n\nReply with APPROVE or REJECT as the first line "
    "of your answer, or use a\nbutton:\n\nAPPROVE REJECT\n\n"
    "Customer             Contoso Pharma GmbH\n"
    "Licence edition      enterprise\n"
    "If you did not expect this mail, reply REJECT or contact your "
    "provider.\n";

/* A value fit to log and show: UTF-8 without control characters. */
static int
printable(const char *s, size_t max)
{
	struct err err;

	return s != NULL && text_check("value", s, max, 1, &err) == 0;
}

/* What inmail.h promises of a parsed message. */
static void
check_message(const struct inmail *m, enum inmail_auth auth)
{
	size_t i;

	fuzz_require(m->message_id != NULL, "a Message-ID, maybe \"\"");
	fuzz_require(printable(m->subject, INMAIL_HEADER_MAX + 6),
	    "the subject is one printable line");
	fuzz_require(m->text != NULL && utf8_valid(m->text, strlen(m->text)) &&
	    strchr(m->text, '\r') == NULL, "the text is UTF-8 with LF ends");
	fuzz_require(m->from == NULL || addr_valid(m->from, NULL, 0),
	    "From is an addr-spec");
	for (i = 0; i < m->to.n; i++)
		fuzz_require(addr_valid(m->to.v[i], NULL, 0),
		    "To and Cc are addr-specs");
	fuzz_require(!m->auto_reply || printable(m->auto_reason, 1024),
	    "an auto-reply says why, printably");
	fuzz_require(m->dsn_status == NULL || printable(m->dsn_status, 1024),
	    "a bounce's status is printable");
	fuzz_require(strlen(m->digest) == 64, "a SHA-256 digest");
	fuzz_require(auth == INMAIL_AUTH_NONE || auth == INMAIL_AUTH_PASS ||
	    auth == INMAIL_AUTH_FAIL, "a known verdict");
	fuzz_require(m->references.n <= INMAIL_REFS_MAX,
	    "References are capped");
}

/* A key found is of the right shape, and only the real one checks. */
static void
check_key(const char *key)
{
	static unsigned char secret[32];
	char want[REPLYKEY_MAX];
	int64_t mail;
	int ok;

	fuzz_reply_secret(secret);
	fuzz_require(strlen(key) < REPLYKEY_MAX, "a key fits");
	fuzz_require(replykey_parse(key, &mail) == 0 && mail > 0,
	    "a key found parses");
	ok = replykey_check(secret, sizeof secret, key, FUZZ_TENANT, mail,
	    FUZZ_RECIPIENT, FUZZ_GEN);
	fuzz_require(replykey_make(secret, sizeof secret, FUZZ_TENANT, mail,
	    FUZZ_RECIPIENT, FUZZ_GEN, want) == 0, "a key is made");
	fuzz_require(ok == (strcmp(want, key) == 0),
	    "only the key made checks");
}

static void
match_keys(const struct inmail *m)
{
	char key[REPLYKEY_MAX];
	size_t i;

	for (i = 0; i < m->to.n; i++)
		if (replykey_from_address(m->to.v[i], key) == 0)
			check_key(key);
	if (m->in_reply_to != NULL &&
	    replykey_from_message_id(m->in_reply_to, key) == 0)
		check_key(key);
	for (i = 0; i < m->references.n; i++)
		if (replykey_from_message_id(m->references.v[i], key) == 0)
			check_key(key);
	if (m->dsn_original_id != NULL &&
	    replykey_from_message_id(m->dsn_original_id, key) == 0)
		check_key(key);
	if (m->from != NULL)
		(void)addr_equal(m->from, FUZZ_RECIPIENT);
}

static void
read_reply(const struct inmail *m)
{
	static char genehmigt[] = "genehmigt", ok[] = "OK";
	static char abgelehnt[] = "abgelehnt";
	static char *approve_words[] = { genehmigt, ok };
	static char *reject_words[] = { abgelehnt };
	struct strvec approve = { approve_words, 2, 2 };
	struct strvec reject = { reject_words, 1, 1 };
	struct reply_keywords kw = { &approve, &reject };
	struct reply_verdict v;
	char *shown;

	reply_read(m->text, answered, &kw, &v);
	fuzz_require(v.own_text != NULL && v.line != NULL && v.why != NULL,
	    "a verdict is whole");
	fuzz_require(utf8_valid(v.own_text, strlen(v.own_text)) &&
	    strchr(v.own_text, '\r') == NULL, "the own text is UTF-8, LF");
	fuzz_require(*v.own_text != '\n' && (*v.own_text == '\0' ||
	    v.own_text[strlen(v.own_text) - 1] != '\n'),
	    "no blank line around the own text");
	fuzz_require(strchr(v.line, '\n') == NULL, "the line is one line");
	fuzz_require(printable(v.why, 1024), "why is printable");
	fuzz_require(strlen(v.own_text) <= REPLY_TEXT_MAX,
	    "the own text is capped");
	fuzz_require(v.command >= REPLY_UNCLEAR && v.command <= REPLY_FINALIZE,
	    "a known command");
	fuzz_require(v.command == REPLY_UNCLEAR || *v.line != '\0',
	    "a command comes from a line");
	shown = text_printable(v.own_text, 120);
	fuzz_require(printable(shown, 120 + 6), "text_printable's promise");
	free(shown);
	reply_verdict_clear(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inmail m;
	enum inmail_auth auth;
	struct err err;

	if (inmail_parse((const char *)data, size, AUTHSERV, &m, &auth,
	    &err) == -1) {
		fuzz_require(err.kind == ERR_INPUT, "a refusal is ERR_INPUT");
		return 0;
	}
	check_message(&m, auth);
	match_keys(&m);
	read_reply(&m);
	inmail_clear(&m);
	return 0;
}
