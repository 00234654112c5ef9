/* test_reply.c: a reply's own text and its command (SPEC §3). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "html.h"
#include "reply.h"
#include "util.h"

/* The text part of an approval request, as the agent sends it. */
#define ANSWERED \
	"Your provider asks to move Contoso Ltd to its Managed Services " \
	"Console.\n\n" \
	"Reply with APPROVE or REJECT as the first line of your answer, or " \
	"use a button:\n\n" \
	"APPROVE  REJECT\n\n" \
	"Customer  Contoso Ltd\n" \
	"Licence edition  enterprise\n" \
	"m365  licensed until 2027-03-01\n\n" \
	"What changes: your provider manages this account as a tenant of its " \
	"console. There is no downtime.\n\n" \
	"If you did not expect this mail, reply REJECT or contact your " \
	"provider.\n"

/* The same, as a client rewraps it at 40 columns, with a link added. */
#define ANSWERED_REWRAPPED \
	"Your provider asks to move Contoso Ltd\n" \
	"to its Managed Services Console.\n\n" \
	"Reply with APPROVE or REJECT as the\n" \
	"first line of your answer, or use a\n" \
	"button <https://msc.test/help>:\n\n" \
	"*APPROVE*  *REJECT*\n\n" \
	"Customer  Contoso Ltd\n" \
	"Licence edition  enterprise\n" \
	"m365  licensed until 2027-03-01\n\n" \
	"What changes: your provider manages\n" \
	"this account as a tenant of its\n" \
	"console. There is no downtime.\n\n" \
	"If you did not expect this mail, reply\n" \
	"REJECT or contact your provider.\n"

/* A notice to support whose first line starts with a keyword. */
#define NOTICE \
	"RETRIGGER to send Contoso Ltd a new approval request.\n" \
	"The verification link of Contoso Ltd expired on 2026-12-28.\n" \
	"Reply RETRIGGER as the first line to start again.\n"

#define GMAIL_ATTR \
	"On Mon, 3 Mar 2025 at 10:00, MSC Agent <reply+k1@agent.test> wrote:\n"

struct row {
	const char		*name;
	const char		*text;
	const char		*answered;
	enum reply_command	 want;
	const char		*why;	/* a part of v.why, or NULL */
};

static const struct row rows[] = {
	/* Keywords, case and punctuation. */
	{ "approve", "APPROVE", NULL, REPLY_APPROVE, "keyword APPROVE" },
	{ "lowercase", "approve", NULL, REPLY_APPROVE, NULL },
	{ "approved with a dot", "Approved.", NULL, REPLY_APPROVE,
	  "keyword Approved" },
	{ "reject with a bang", "REJECT!", NULL, REPLY_REJECT, NULL },
	{ "colon", "APPROVE:", NULL, REPLY_APPROVE, NULL },
	{ "comma and more words", "Approve, thanks Anna", NULL,
	  REPLY_APPROVE, NULL },
	{ "markdown bold", "**APPROVE**", NULL, REPLY_APPROVE, NULL },
	{ "underscores", "_approved_.", NULL, REPLY_APPROVE, NULL },
	{ "declined", "Declined", NULL, REPLY_REJECT, NULL },
	{ "decline", "decline.", NULL, REPLY_REJECT, NULL },
	{ "rejected", "rejected", NULL, REPLY_REJECT, NULL },
	{ "retrigger", "RETRIGGER", NULL, REPLY_RETRIGGER, NULL },
	{ "finalise", "finalise", NULL, REPLY_FINALIZE, NULL },
	{ "finalize", "Finalize.", NULL, REPLY_FINALIZE, NULL },
	{ "blank lines first", "\n\n   APPROVE   \n\nThanks,\nAnna", NULL,
	  REPLY_APPROVE, NULL },
	{ "only the first line counts", "APPROVE\nI do not approve REJECT?",
	  NULL, REPLY_APPROVE, NULL },
	{ "nbsp around", "\xc2\xa0" "APPROVE\xc2\xa0", NULL, REPLY_APPROVE,
	  NULL },
	{ "blank lines first", "\n \n\xc2\xa0\n\tAPPROVE", NULL,
	  REPLY_APPROVE, NULL },
	/* Unclear. */
	{ "question mark", "Approve?", NULL, REPLY_UNCLEAR,
	  "a question mark on the first line" },
	{ "question later on the line", "APPROVE, or should I wait?", NULL,
	  REPLY_UNCLEAR, "question mark" },
	{ "spanish question mark", "\xc2\xbf" "APPROVE", NULL, REPLY_UNCLEAR,
	  "question mark" },
	{ "fullwidth question mark", "APPROVE\xef\xbc\x9f", NULL,
	  REPLY_UNCLEAR, "question mark" },
	{ "not approved", "not approved", NULL, REPLY_UNCLEAR,
	  "a negation: 'not'" },
	{ "NOT APPROVE", "NOT APPROVE", NULL, REPLY_UNCLEAR, "negation" },
	{ "can't approve", "can't approve", NULL, REPLY_UNCLEAR,
	  "a negation: 'can't'" },
	{ "typographic apostrophe", "APPROVE \xe2\x80\x94 don\xe2\x80\x99t",
	  NULL, REPLY_UNCLEAR, "negation" },
	{ "I do not approve", "I do not approve", NULL, REPLY_UNCLEAR,
	  "negation" },
	{ "negation after the keyword", "APPROVE, no wait", NULL,
	  REPLY_UNCLEAR, "a negation: 'no'" },
	{ "cannot", "Approve cannot be done", NULL, REPLY_UNCLEAR,
	  "negation" },
	{ "german nicht", "Genehmigt nicht", NULL, REPLY_UNCLEAR,
	  "'nicht'" },
	{ "french ne pas", "APPROVE ne pas", NULL, REPLY_UNCLEAR,
	  "negation" },
	{ "french elision", "APPROVE n'approuve", NULL, REPLY_UNCLEAR,
	  "negation" },
	{ "french elision, typographic", "APPROVE n\xe2\x80\x99" "approuve",
	  NULL, REPLY_UNCLEAR, "negation" },
	{ "isn't, typographic", "APPROVE isn\xe2\x80\x99t", NULL,
	  REPLY_UNCLEAR, "negation" },
	{ "a lone n' is no elision", "APPROVE n'", NULL, REPLY_APPROVE,
	  NULL },
	{ "portuguese nao", "APPROVE N\xc3\x83O", NULL, REPLY_UNCLEAR,
	  "negation" },
	{ "dutch niet", "APPROVE niet", NULL, REPLY_UNCLEAR, "negation" },
	{ "i approve: first word rule", "I approve", NULL, REPLY_UNCLEAR,
	  "'I' is not a keyword" },
	{ "both keywords", "APPROVE REJECT", NULL, REPLY_UNCLEAR,
	  "both APPROVE and REJECT" },
	{ "approve or reject", "approve or reject.", NULL, REPLY_UNCLEAR,
	  "both APPROVE and REJECT" },
	{ "two commands of support", "FINALIZE retrigger", NULL,
	  REPLY_UNCLEAR, "both FINALIZE and RETRIGGER" },
	{ "same keyword twice is fine", "APPROVE approved", NULL,
	  REPLY_APPROVE, NULL },
	{ "not a keyword", "Hello", NULL, REPLY_UNCLEAR,
	  "'Hello' is not a keyword" },
	{ "greeting first", "Hi,\nAPPROVE", NULL, REPLY_UNCLEAR,
	  "'Hi' is not a keyword" },
	{ "slash", "APPROVE/REJECT", NULL, REPLY_UNCLEAR, "not a keyword" },
	/* A rejection may give its reason; an approval may not hedge. */
	{ "reject with a reason", "REJECT - we are not ready yet", NULL,
	  REPLY_REJECT, "keyword REJECT" },
	{ "declined, nicht jetzt", "Declined, nicht jetzt.", NULL,
	  REPLY_REJECT, "keyword Declined" },
	{ "approve, not yet", "APPROVE, not yet", NULL, REPLY_UNCLEAR,
	  "a negation: 'not'" },
	{ "keyword glued", "APPROVEX", NULL, REPLY_UNCLEAR, "not a keyword" },
	{ "in parentheses", "(APPROVE)", NULL, REPLY_UNCLEAR,
	  "not a keyword" },
	{ "empty", "", NULL, REPLY_UNCLEAR, "no text of its own" },
	{ "blank", "  \n\t\n\xc2\xa0\n", NULL, REPLY_UNCLEAR,
	  "no text of its own" },
	/* Keywords from the config. */
	{ "extra GENEHMIGT", "GENEHMIGT", NULL, REPLY_APPROVE,
	  "keyword GENEHMIGT" },
	{ "extra lowercase", "genehmigt.", NULL, REPLY_APPROVE, NULL },
	{ "extra reject", "Abgelehnt!", NULL, REPLY_REJECT, NULL },
	{ "extra accented upper", "APPROUV\xc3\x89", NULL, REPLY_APPROVE,
	  NULL },
	{ "extra accented lower", "approuv\xc3\xa9", NULL, REPLY_APPROVE,
	  NULL },
	{ "extra accent missing", "approuve", NULL, REPLY_UNCLEAR, NULL },
	{ "extra cyrillic", "\xd0\x9e\xd0\x94\xd0\x9e\xd0\x91\xd0\xa0\xd0\x95"
	  "\xd0\x9d\xd0\x9e", NULL, REPLY_APPROVE, NULL },
	{ "extra polish", "ODRZUCI\xc5\x81", NULL, REPLY_REJECT, NULL },
	{ "extra both", "GENEHMIGT abgelehnt", NULL, REPLY_UNCLEAR,
	  "both APPROVE and REJECT" },
	/* Top-posted: Gmail, in every language. */
	{ "gmail", "APPROVE\n\n" GMAIL_ATTR "\n> Reply with APPROVE or REJECT\n",
	  NULL, REPLY_APPROVE, NULL },
	{ "gmail, nothing written", "\n" GMAIL_ATTR
	  "> Reply with APPROVE or REJECT\n> APPROVE\n", NULL, REPLY_UNCLEAR,
	  "no text of its own" },
	{ "gmail attribution over two lines",
	  "REJECT\n\nOn Mon, 3 Mar 2025 at 10:00, MSC Migration Agent <\n"
	  "reply+abc@agent.test> wrote:\n> APPROVE\n", NULL, REPLY_REJECT,
	  NULL },
	{ "two-line attribution, nothing written",
	  "On Mon, 3 Mar 2025 at 10:00, MSC Migration Agent <\n"
	  "reply+abc@agent.test> wrote:\n> APPROVE\n", NULL, REPLY_UNCLEAR,
	  "no text of its own" },
	{ "three-line attribution, unmarked quote",
	  "On Mon, 3 Mar 2025 at 10:00,\nMSC Migration Agent\n"
	  "<reply@agent.test> wrote:\n\nAPPROVE\n", NULL, REPLY_UNCLEAR,
	  "no text of its own" },
	{ "german", "Genehmigt\n\nAm Mo., 3. M\xc3\xa4rz 2025 um 10:00 Uhr "
	  "schrieb Agent <a@x.test>:\n> Reply with APPROVE or REJECT", NULL,
	  REPLY_APPROVE, NULL },
	{ "german, unmarked quote", "Am Mo., 3. M\xc3\xa4rz 2025 um 10:00 "
	  "Uhr schrieb Agent <a@x.test>:\nAPPROVE\n", NULL, REPLY_UNCLEAR,
	  "no text" },
	{ "german, hat geschrieben", "Am 03.03.2025 um 10:00 hat Agent "
	  "geschrieben:\nAPPROVE\n", NULL, REPLY_UNCLEAR, "no text" },
	{ "french", "Le lun. 3 mars 2025 \xc3\xa0 10:00, Agent <a@x.test> a "
	  "\xc3\xa9" "crit :\nAPPROVE\n", NULL, REPLY_UNCLEAR, "no text" },
	{ "french, reply above", "REJECT\n\nLe lun. 3 mars 2025 \xc3\xa0 "
	  "10:00, Agent <a@x.test> a \xc3\xa9" "crit\xc2\xa0:\n> APPROVE",
	  NULL, REPLY_REJECT, NULL },
	{ "spanish", "El lun, 3 mar 2025 a las 10:00, Agent (<a@x.test>) "
	  "escribi\xc3\xb3:\nAPPROVE", NULL, REPLY_UNCLEAR, "no text" },
	{ "italian", "Il giorno lun 3 mar 2025 alle ore 10:00 Agent "
	  "<a@x.test> ha scritto:\nREJECT", NULL, REPLY_UNCLEAR, "no text" },
	{ "dutch", "Op ma 3 mrt 2025 om 10:00 schreef Agent <a@x.test>:\n"
	  "APPROVE", NULL, REPLY_UNCLEAR, "no text" },
	{ "portuguese", "Em seg., 3 de mar. de 2025 \xc3\xa0s 10:00, Agent "
	  "<a@x.test> escreveu:\nAPPROVE", NULL, REPLY_UNCLEAR, "no text" },
	{ "thunderbird name form, bottom-posted",
	  "Agent wrote:\n> APPROVE or REJECT\n\nAPPROVE", NULL, REPLY_APPROVE,
	  NULL },
	{ "german name form, nothing written", "Agent schrieb:\n> REJECT\n",
	  NULL, REPLY_UNCLEAR, "no text" },
	{ "name form needs a quote after it", "Agent wrote:\nAPPROVE", NULL,
	  REPLY_UNCLEAR, "'Agent' is not a keyword" },
	/* Outlook. */
	{ "original message", "APPROVE\n\n-----Original Message-----\n"
	  "From: Agent\nSent: Monday\nTo: x\nSubject: Approval\n\n"
	  "Reply with APPROVE or REJECT", NULL, REPLY_APPROVE, NULL },
	{ "original message first", "-----Original Message-----\nREJECT",
	  NULL, REPLY_UNCLEAR, "no text" },
	{ "german original message", "-----Urspr\xc3\xbcngliche "
	  "Nachricht-----\nAPPROVE", NULL, REPLY_UNCLEAR, "no text" },
	{ "underscore separator", "________________________________\n"
	  "From: Agent <a@x.test>\nSent: Monday, March 3, 2025 10:00 AM\n"
	  "To: Anna\nSubject: Approval needed\n\nAPPROVE or REJECT", NULL,
	  REPLY_UNCLEAR, "no text" },
	{ "header block, english", "From: Agent <a@x.test>\nSent: Monday, "
	  "March 3, 2025 10:00\nTo: anna@c.test\nSubject: Approval needed\n\n"
	  "APPROVE\n", NULL, REPLY_UNCLEAR, "no text" },
	{ "header block, german", "Von: Agent\nGesendet: Montag, 3. M\xc3\xa4"
	  "rz 2025 10:00\nAn: anna\nBetreff: Genehmigung\n\nAPPROVE", NULL,
	  REPLY_UNCLEAR, "no text" },
	{ "header block, french", "De : Agent\nEnvoy\xc3\xa9 : lundi 3 mars "
	  "2025 10:00\n\xc3\x80 : anna\nObjet : Approbation\n\nAPPROVE", NULL,
	  REPLY_UNCLEAR, "no text" },
	{ "header block, spanish", "De: Agent\nEnviado: lunes\nPara: anna\n"
	  "Asunto: Aprobaci\xc3\xb3n\n\nREJECT", NULL, REPLY_UNCLEAR,
	  "no text" },
	{ "header block, italian", "Da: Agent\nInviato: luned\xc3\xac\n"
	  "A: anna\nOggetto: Approvazione\n\nAPPROVE", NULL, REPLY_UNCLEAR,
	  "no text" },
	{ "header block, dutch", "Van: Agent\nVerzonden: maandag\nAan: anna\n"
	  "Onderwerp: Goedkeuring\n\nAPPROVE", NULL, REPLY_UNCLEAR, "no text" },
	{ "header block, portuguese", "De: Agent\nEnviada: segunda-feira\n"
	  "Para: anna\nAssunto: Aprova\xc3\xa7\xc3\xa3o\n\nAPPROVE", NULL,
	  REPLY_UNCLEAR, "no text" },
	{ "header block in bold, below the reply", "REJECT\n\n*From:* Agent\n"
	  "*Sent:* Monday\n*To:* anna\n*Subject:* x\n\nAPPROVE", NULL,
	  REPLY_REJECT, NULL },
	/* Signatures and what clients add. */
	{ "signature first", "-- \nAPPROVE", NULL, REPLY_UNCLEAR, "no text" },
	{ "signature with a keyword", "REJECT\n-- \nAnna\nAPPROVE everything",
	  NULL, REPLY_REJECT, NULL },
	{ "iphone, nothing written", "Sent from my iPhone\n\n> On 3 Mar 2025,"
	  " at 10:00, Agent <a@x.test> wrote:\n> APPROVE", NULL, REPLY_UNCLEAR,
	  "no text" },
	{ "iphone", "APPROVE\n\nSent from my iPhone\n\nOn 3 Mar 2025, at "
	  "10:00, Agent <a@x.test> wrote:\n\nReply with APPROVE or REJECT",
	  NULL, REPLY_APPROVE, NULL },
	{ "outlook mobile", "Get Outlook for iOS\nAPPROVE", NULL,
	  REPLY_UNCLEAR, "no text" },
	{ "german iphone", "Von meinem iPhone gesendet\nAPPROVE", NULL,
	  REPLY_UNCLEAR, "no text" },
	/* '>' quotes anywhere. */
	{ "only a quote with both keywords", "> Reply with APPROVE or REJECT\n"
	  "> APPROVE\n", NULL, REPLY_UNCLEAR, "no text of its own" },
	{ "bottom-posted", GMAIL_ATTR "> Reply with APPROVE or REJECT\n"
	  "> as the first line.\n\nREJECT\n", NULL, REPLY_REJECT, NULL },
	{ "interleaved", "> Do you approve?\nAPPROVE\n> Anything else?\nno",
	  NULL, REPLY_APPROVE, NULL },
	{ "indented quote", "  > APPROVE\nREJECT", NULL, REPLY_REJECT, NULL },
	{ "html made text", "APPROVE\n> " GMAIL_ATTR "> > REJECT", NULL,
	  REPLY_APPROVE, NULL },
	/* Line ends and bytes. */
	{ "crlf", "APPROVE\r\n\r\nOn Mon, 3 Mar 2025, Agent <a@x.test> wrote:"
	  "\r\n> REJECT\r\n", NULL, REPLY_APPROVE, NULL },
	{ "crlf blank lines", "\r\n\r\nREJECT\r\n", NULL, REPLY_REJECT, NULL },
	{ "lone cr", "\rAPPROVE\r> REJECT", NULL, REPLY_APPROVE, NULL },
	{ "crlf signature", "REJECT\r\n-- \r\nAPPROVE", NULL, REPLY_REJECT,
	  NULL },
	{ "bad utf-8 first", "\xff\xfe" "APPROVE", NULL, REPLY_UNCLEAR,
	  "not a keyword" },
	{ "bad utf-8 glued", "APPROVE\xc3", NULL, REPLY_UNCLEAR,
	  "not a keyword" },
	{ "bad utf-8 later", "APPROVE \xff\xc0\x80", NULL, REPLY_APPROVE,
	  NULL },
	{ "control character", "APPROVE\x01", NULL, REPLY_APPROVE, NULL },
	{ "escape sequence", "\x1b[31mAPPROVE", NULL, REPLY_UNCLEAR,
	  "not a keyword" },
	/* A copy of the answered mail that no client marked. */
	{ "copy below the reply", "REJECT\n\n" ANSWERED, ANSWERED,
	  REPLY_REJECT, NULL },
	{ "only the copy", NOTICE, NOTICE, REPLY_UNCLEAR,
	  "no text of its own" },
	{ "only the copy, answered unknown", NOTICE, NULL, REPLY_RETRIGGER,
	  NULL },
	{ "only the copy, quoted marks in answered", NOTICE,
	  "> RETRIGGER to send Contoso Ltd a new approval request.\n"
	  "> The verification link of Contoso Ltd expired on 2026-12-28.\n"
	  "> Reply RETRIGGER as the first line to start again.\n",
	  REPLY_UNCLEAR, "no text" },
	{ "copy rewrapped with a link", "\n" ANSWERED_REWRAPPED, ANSWERED,
	  REPLY_UNCLEAR, "no text" },
	{ "the end of the copy is enough", "REJECT\n"
	  "If you did not expect this mail, reply REJECT or contact your "
	  "provider.\n", ANSWERED, REPLY_REJECT, NULL },
	{ "the command is never part of the copy", "APPROVE\n" NOTICE,
	  NOTICE, REPLY_APPROVE, NULL },
	{ "a reply the same as the mail is all copy", "APPROVE\n" NOTICE,
	  "APPROVE\n\n" NOTICE, REPLY_UNCLEAR, "no text" },
	{ "a short reply the mail also holds", "APPROVE", ANSWERED,
	  REPLY_APPROVE, NULL },
	{ "gmail with the copy", "FINALIZE\n\n" GMAIL_ATTR "> " NOTICE,
	  NOTICE, REPLY_FINALIZE, NULL },
	/* The words of the shipped languages, as their mails ask, and the
	 * negations of each: a negated word is never an answer. */
	{ "de", "Genehmigt", NULL, REPLY_APPROVE, NULL },
	{ "de negated", "Nicht genehmigt", NULL, REPLY_UNCLEAR,
	  "a negation: 'Nicht'" },
	{ "de reject", "ABGELEHNT.", NULL, REPLY_REJECT, NULL },
	{ "de with its attribution", "GENEHMIGT\n\nAm Mo., 7. Dez. 2026 um "
	  "10:00 Uhr schrieb MSC <reply+k1@agent.test>:\n> ABGELEHNT",
	  NULL, REPLY_APPROVE, NULL },
	{ "fr", "APPROUV\xc3\x89", NULL, REPLY_APPROVE, NULL },
	{ "fr negated", "Pas approuv\xc3\xa9", NULL, REPLY_UNCLEAR, NULL },
	{ "fr reject", "refus\xc3\xa9", NULL, REPLY_REJECT, NULL },
	{ "fr with its attribution", "Approuv\xc3\xa9\n\nLe lun. 7 d\xc3\xa9"
	  "c. 2026 \xc3\xa0 10:00, MSC <reply+k1@agent.test> a \xc3\xa9"
	  "crit :\n> REFUS\xc3\x89", NULL, REPLY_APPROVE, NULL },
	{ "es", "Aprobar", NULL, REPLY_APPROVE, NULL },
	{ "es negated", "No aprobar", NULL, REPLY_UNCLEAR, NULL },
	{ "es reject", "RECHAZAR", NULL, REPLY_REJECT, NULL },
	{ "it", "approvato", NULL, REPLY_APPROVE, NULL },
	{ "it negated", "Non approvato", NULL, REPLY_UNCLEAR, NULL },
	{ "it reject", "RIFIUTATO", NULL, REPLY_REJECT, NULL },
	{ "nl", "Goedgekeurd", NULL, REPLY_APPROVE, NULL },
	{ "nl negated", "Niet goedgekeurd", NULL, REPLY_UNCLEAR, NULL },
	{ "nl reject", "afgewezen", NULL, REPLY_REJECT, NULL },
	{ "pt", "APROVADO", NULL, REPLY_APPROVE, NULL },
	{ "pt negated", "N\xc3\xa3o aprovado", NULL, REPLY_UNCLEAR, NULL },
	{ "pt reject", "Rejeitado", NULL, REPLY_REJECT, NULL },
	{ "ja", "\xe6\x89\xbf\xe8\xaa\x8d", NULL, REPLY_APPROVE,
	  NULL },					/* 承認 */
	{ "ja reject", "\xe6\x8b\x92\xe5\x90\xa6", NULL, REPLY_REJECT,
	  NULL },					/* 拒否 */
	{ "ja negated is another word", "\xe6\x89\xbf\xe8\xaa\x8d\xe3\x81"
	  "\x97\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93", NULL,
	  REPLY_UNCLEAR, NULL },			/* 承認しません */
	{ "ja with gmail's attribution", "\xe6\x89\xbf\xe8\xaa\x8d\n\n"
	  "2026\xe5\xb9\xb4" "12\xe6\x9c\x88" "7\xe6\x97\xa5(\xe6\x9c\x88) "
	  "10:00 MSC <reply+k1@agent.test>:\n\n> \xe6\x8b\x92\xe5\x90\xa6",
	  NULL, REPLY_APPROVE, NULL },
};

static const struct reply_keywords *
keywords(void)
{
	static struct strvec approve, reject;
	static struct reply_keywords kw;

	if (approve.n == 0) {
		strvec_push(&approve, "GENEHMIGT");
		strvec_push(&approve, "approuv\xc3\xa9");
		strvec_push(&approve, "\xd0\xbe\xd0\xb4\xd0\xbe\xd0\xb1\xd1\x80"
		    "\xd0\xb5\xd0\xbd\xd0\xbe");	/* одобрено */
		strvec_push(&approve, "zatwierdzam");
		strvec_push(&approve, "APROBAR");
		strvec_push(&approve, "APPROVATO");
		strvec_push(&approve, "GOEDGEKEURD");
		strvec_push(&approve, "APROVADO");
		strvec_push(&approve, "\xe6\x89\xbf\xe8\xaa\x8d");
		strvec_push(&reject, "abgelehnt");
		strvec_push(&reject, "REFUS\xc3\x89");
		strvec_push(&reject, "RECHAZAR");
		strvec_push(&reject, "RIFIUTATO");
		strvec_push(&reject, "AFGEWEZEN");
		strvec_push(&reject, "REJEITADO");
		strvec_push(&reject, "\xe6\x8b\x92\xe5\x90\xa6");
		strvec_push(&reject, "odrzuci\xc5\x82");	/* odrzucił */
		kw.approve = &approve;
		kw.reject = &reject;
	}
	return &kw;
}

static void
free_keywords(void)
{
	const struct reply_keywords *kw = keywords();

	strvec_clear((struct strvec *)(uintptr_t)kw->approve);
	strvec_clear((struct strvec *)(uintptr_t)kw->reject);
}

static int
check_row(const struct row *r)
{
	struct reply_verdict v;
	int ok;

	reply_read(r->text, r->answered, keywords(), &v);
	ok = v.command == r->want && v.own_text != NULL && v.line != NULL &&
	    v.why != NULL && (r->why == NULL || strstr(v.why, r->why) != NULL);
	if (!ok)
		print_error("%s: got %s (%s), want %s (%s); own text \"%s\"\n",
		    r->name, reply_command_name(v.command), v.why,
		    reply_command_name(r->want), r->why ? r->why : "",
		    v.own_text);
	reply_verdict_clear(&v);
	return ok;
}

static void
test_rows(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		failed += !check_row(&rows[i]);
	assert_int_equal(failed, 0);
	assert_true(sizeof rows / sizeof rows[0] >= 60);
}

struct own_row {
	const char	*name;
	const char	*text;
	const char	*answered;
	const char	*want;
};

static const struct own_row own_rows[] = {
	/* Japanese clients: no spaces, full-width colons. */
	{ "ja gmail attribution", "x\n2026\xe5\xb9\xb4" "12\xe6\x9c\x88"
	  "7\xe6\x97\xa5 10:00 A <a@b.jp>:\ny", NULL, "x" },
	{ "ja apple attribution", "x\n2026/12/07 10:00\xe3\x80\x81" "A <a@b.jp>"
	  "\xe3\x81\xae\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab:\n> y",
	  NULL, "x" },
	{ "ja thunderbird, full-width colon", "x\nA \xe3\x81\x95\xe3\x82\x93"
	  "\xe3\x81\xaf\xe6\x9b\xb8\xe3\x81\x8d\xe3\x81\xbe\xe3\x81\x97"
	  "\xe3\x81\x9f\xef\xbc\x9a\ny", NULL, "x" },
	{ "ja a date alone stays", "x\n2026\xe5\xb9\xb4" "12\xe6\x9c\x88"
	  "7\xe6\x97\xa5:\ny", NULL, "x\n2026\xe5\xb9\xb4" "12\xe6\x9c\x88"
	  "7\xe6\x97\xa5:\ny" },
	{ "ja outlook headers", "x\n\xe5\xb7\xae\xe5\x87\xba\xe4\xba\xba: a\n"
	  "\xe9\x80\x81\xe4\xbf\xa1\xe6\x97\xa5\xe6\x99\x82: b\n"
	  "\xe5\xae\x9b\xe5\x85\x88\xef\xbc\x9a c\n"
	  "\xe4\xbb\xb6\xe5\x90\x8d: d\ny", NULL, "x" },
	{ "ja iphone", "x\niPhone\xe3\x81\x8b\xe3\x82\x89\xe9\x80\x81"
	  "\xe4\xbf\xa1\ny", NULL, "x" },
	{ "attribution and quote cut", "APPROVE\n\n" GMAIL_ATTR "> x", NULL,
	  "APPROVE" },
	{ "blank lines squeezed, ends trimmed", "\n\nHi  \n\n\n\nAPPROVE  \n\n",
	  NULL, "Hi\n\nAPPROVE" },
	{ "quotes anywhere", "> a\nb\n> c\nd", NULL, "b\nd" },
	{ "two header lines stay", "x\nFrom: a\nTo: b\ny", NULL,
	  "x\nFrom: a\nTo: b\ny" },
	{ "three header lines cut", "x\nFrom: a\nTo: b\nSubject: c\ny", NULL,
	  "x" },
	{ "wrapped header line", "x\n\nFrom: a\nTo: b;\n  c\nSubject: d\n"
	  "body", NULL, "x" },
	{ "signature without its space", "x\n--\ny", NULL, "x" },
	{ "dashes in text stay", "x -- y\n---\nz", NULL, "x -- y\n---\nz" },
	{ "underscores", "x\n__________\ny", NULL, "x" },
	{ "nine underscores stay", "x\n_________\ny", NULL,
	  "x\n_________\ny" },
	{ "gmail forward", "x\n---------- Forwarded message ---------\ny",
	  NULL, "x" },
	{ "crlf", "APPROVE\r\nok\r\n", NULL, "APPROVE\nok" },
	{ "controls become spaces", "A\x01" "B\x7f" "C\xc2\x85" "D", NULL,
	  "A B C D" },
	{ "bad utf-8 becomes U+FFFD", "A\xff" "B", NULL,
	  "A\xef\xbf\xbd" "B" },
	{ "copy cut, own lines kept", "REJECT\nthanks\n\n" ANSWERED, ANSWERED,
	  "REJECT\nthanks" },
	{ "rewrapped copy cut", "REJECT\n" ANSWERED_REWRAPPED, ANSWERED,
	  "REJECT" },
	{ "a line half own, half copy stays", "REJECT Your provider asks to "
	  "move Contoso Ltd\nto its Managed Services Console.\n", ANSWERED,
	  "REJECT Your provider asks to move Contoso Ltd" },
	{ "too short to be a copy", "REJECT\ncontact your provider.",
	  ANSWERED, "REJECT\ncontact your provider." },
	{ "a different text is no copy", "REJECT\n" ANSWERED,
	  "Something else entirely, nothing like it at all.", "REJECT\n"
	  "Your provider asks to move Contoso Ltd to its Managed Services "
	  "Console.\n\nReply with APPROVE or REJECT as the first line of "
	  "your answer, or use a button:\n\nAPPROVE  REJECT\n\nCustomer  "
	  "Contoso Ltd\nLicence edition  enterprise\nm365  licensed until "
	  "2027-03-01\n\nWhat changes: your provider manages this account "
	  "as a tenant of its console. There is no downtime.\n\nIf you did "
	  "not expect this mail, reply REJECT or contact your provider." },
	{ "null text", NULL, NULL, "" },
};

static void
test_own_text(void **state)
{
	size_t i;
	char *got;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof own_rows / sizeof own_rows[0]; i++) {
		got = quote_own_text(own_rows[i].text, own_rows[i].answered);
		if (strcmp(got, own_rows[i].want) != 0) {
			print_error("%s: got \"%s\", want \"%s\"\n",
			    own_rows[i].name, got, own_rows[i].want);
			failed++;
		}
		free(got);
	}
	assert_int_equal(failed, 0);
}

static void
test_verdict_fields(void **state)
{
	struct reply_verdict v;

	(void)state;
	reply_read("\n  Approved.  now \n\nsecond\n> quoted", NULL, NULL, &v);
	assert_int_equal(v.command, REPLY_APPROVE);
	assert_string_equal(v.line, "Approved.  now");
	assert_string_equal(v.own_text, "  Approved.  now\n\nsecond");
	assert_string_equal(v.why, "keyword Approved");
	reply_verdict_clear(&v);
	assert_null(v.own_text);
	assert_null(v.line);
	assert_null(v.why);
	reply_verdict_clear(&v);
	reply_verdict_clear(NULL);

	reply_read("Hello,", NULL, NULL, &v);
	assert_string_equal(v.why, "'Hello' is not a keyword");
	reply_verdict_clear(&v);

	reply_read(NULL, NULL, NULL, &v);
	assert_int_equal(v.command, REPLY_UNCLEAR);
	assert_string_equal(v.own_text, "");
	assert_string_equal(v.line, "");
	assert_string_equal(v.why, "no text of its own");
	reply_verdict_clear(&v);
}

/* A very long first word is named only in part. */
static void
test_why_is_short(void **state)
{
	struct reply_verdict v;
	char text[1000];

	(void)state;
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	reply_read(text, NULL, NULL, &v);
	assert_int_equal(v.command, REPLY_UNCLEAR);
	assert_true(strlen(v.why) < 80);
	reply_verdict_clear(&v);
}

static void
test_no_config_keywords(void **state)
{
	struct reply_keywords none = { NULL, NULL };
	struct reply_verdict v;

	(void)state;
	reply_read("GENEHMIGT", NULL, NULL, &v);
	assert_int_equal(v.command, REPLY_UNCLEAR);
	reply_verdict_clear(&v);
	reply_read("GENEHMIGT", NULL, &none, &v);
	assert_int_equal(v.command, REPLY_UNCLEAR);
	reply_verdict_clear(&v);
	reply_read("approve", NULL, &none, &v);
	assert_int_equal(v.command, REPLY_APPROVE);
	reply_verdict_clear(&v);
}

/* A configured word longer than REPLY_KEYWORD_MAX never matches. */
static void
test_keyword_limit(void **state)
{
	struct strvec approve = { 0 };
	struct reply_keywords kw = { &approve, NULL };
	struct reply_verdict v;
	char word[REPLY_KEYWORD_MAX + 2];

	(void)state;
	memset(word, 'k', REPLY_KEYWORD_MAX);
	word[REPLY_KEYWORD_MAX] = '\0';
	strvec_push(&approve, word);
	reply_read(word, NULL, &kw, &v);
	assert_int_equal(v.command, REPLY_APPROVE);
	reply_verdict_clear(&v);

	word[REPLY_KEYWORD_MAX] = 'k';
	word[REPLY_KEYWORD_MAX + 1] = '\0';
	strvec_push(&approve, word);
	reply_read(word, NULL, &kw, &v);
	assert_int_equal(v.command, REPLY_UNCLEAR);
	reply_verdict_clear(&v);
	strvec_clear(&approve);
}

static void
test_command_names(void **state)
{
	(void)state;
	assert_string_equal(reply_command_name(REPLY_UNCLEAR), "unclear");
	assert_string_equal(reply_command_name(REPLY_APPROVE), "approve");
	assert_string_equal(reply_command_name(REPLY_REJECT), "reject");
	assert_string_equal(reply_command_name(REPLY_RETRIGGER), "retrigger");
	assert_string_equal(reply_command_name(REPLY_FINALIZE), "finalize");
	assert_string_equal(reply_command_name((enum reply_command)99),
	    "unclear");
}

/* Text up to REPLY_TEXT_MAX is read; a byte more is not. */
static void
test_text_limit(void **state)
{
	struct reply_verdict v;
	char *text;
	size_t n;

	(void)state;
	text = xmalloc(REPLY_TEXT_MAX + 2);
	n = REPLY_TEXT_MAX - strlen("APPROVE");
	memset(text, '\n', n);
	strcpy(text + n, "APPROVE");
	reply_read(text, NULL, NULL, &v);
	assert_int_equal(v.command, REPLY_APPROVE);
	reply_verdict_clear(&v);

	memset(text, '\n', n + 1);
	strcpy(text + n + 1, "APPROVE");
	reply_read(text, NULL, NULL, &v);
	assert_int_equal(v.command, REPLY_UNCLEAR);
	assert_string_equal(v.why, "'APPROV' is not a keyword");
	reply_verdict_clear(&v);

	/* A character cut by the limit is dropped, not made U+FFFD. */
	memset(text, 'a', REPLY_TEXT_MAX - 1);
	strcpy(text + REPLY_TEXT_MAX - 1, "\xc3\xa9");
	reply_read(text, NULL, NULL, &v);
	assert_int_equal(strlen(v.own_text), REPLY_TEXT_MAX - 1);
	reply_verdict_clear(&v);
	free(text);
}

/* A megabyte of each shape is read in bounded time and memory. */
static void
test_one_megabyte(void **state)
{
	static const char *const fills[] = {
		"x", "\n", "> q\n", "a ", "On ", "From: x\n", "\xff",
		"APPROVE REJECT\n",
	};
	struct reply_verdict v;
	size_t i, k, len = 1024 * 1024, n;
	char *text;

	(void)state;
	text = xmalloc(len + 16);
	for (k = 0; k < sizeof fills / sizeof fills[0]; k++) {
		strcpy(text, "APPROVE\n");
		n = strlen(fills[k]);
		for (i = strlen(text); i + n < len; i += n)
			memcpy(text + i, fills[k], n);
		text[i] = '\0';
		reply_read(text, text, NULL, &v);
		assert_true(strlen(v.own_text) <= REPLY_TEXT_MAX);
		assert_true(utf8_valid(v.own_text, strlen(v.own_text)));
		reply_verdict_clear(&v);
	}
	free(text);
}

struct copy_row {
	const char	*own;
	int		 want;
};

static const struct copy_row copy_rows[] = {
	{ "", 0 },
	{ "APPROVE", 0 },
	{ "one two three four five", 0 },
	{ "one two three four five six", 1 },
	{ "one two three\nfour five six", 1 },
	{ "one two three\n\nfour five", 0 },
	{ "  one\xc2\xa0two \t three  ", 0 },
	{ "a\xc2\xa0" "b\xc2\xa0" "c\xe2\x80\x8b" "d e f", 1 },
	{ "glued\nlines\ncount\nas\nwords\nalone", 1 },
	{ "\n\n\n\n\n\n\n", 0 },
};

static void
test_may_hold_copy(void **state)
{
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof copy_rows / sizeof copy_rows[0]; i++)
		if (reply_may_hold_copy(copy_rows[i].own) != copy_rows[i].want) {
			print_error("\"%s\": want %d\n", copy_rows[i].own,
			    copy_rows[i].want);
			failed++;
		}
	assert_int_equal(failed, 0);
}

/* Where the predicate says no, the answered text changes nothing. */
static int
copy_check(const char *text, const char *answered)
{
	char *alone, *with;
	int ok;

	alone = quote_own_text(text, NULL);
	with = quote_own_text(text, answered);
	ok = reply_may_hold_copy(alone) || strcmp(alone, with) == 0;
	if (!ok)
		print_error("\"%s\": \"%s\" without the answered mail, "
		    "\"%s\" with it\n", text, alone, with);
	free(alone);
	free(with);
	return ok;
}

static void
test_may_hold_copy_rows(void **state)
{
	static const char *const short_replies[] = {
		"APPROVE\n" ANSWERED, "APPROVE", "REJECT\nno",
		"REJECT\ncontact your provider.", "reply REJECT or contact",
		"\n\nREJECT  or contact your\n", "APPROVE\n\n" GMAIL_ATTR
		"> " ANSWERED,
	};
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (rows[i].answered != NULL)
			failed += !copy_check(rows[i].text, rows[i].answered);
	for (i = 0; i < sizeof own_rows / sizeof own_rows[0]; i++)
		if (own_rows[i].answered != NULL)
			failed += !copy_check(own_rows[i].text,
			    own_rows[i].answered);
	for (i = 0; i < sizeof short_replies / sizeof short_replies[0]; i++)
		failed += !copy_check(short_replies[i], ANSWERED);
	assert_int_equal(failed, 0);
}

/* The worst case for finding a copy: every word is the same. */
static void
test_copy_search_bounded(void **state)
{
	struct reply_verdict v;
	clock_t start;
	char *text;
	size_t i;

	(void)state;
	text = xmalloc(REPLY_TEXT_MAX + 1);
	for (i = 0; i + 2 <= REPLY_TEXT_MAX; i += 2)
		memcpy(text + i, i % 80 == 78 ? "a\n" : "a ", 2);
	text[i] = '\0';
	start = clock();
	reply_read(text, text, NULL, &v);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 20.0);
	reply_verdict_clear(&v);
	free(text);
}

/* HTML replies from real clients, made text first. */
struct html_row {
	const char		*name;
	const char		*html;
	enum reply_command	 want;
};

static const struct html_row html_rows[] = {
	{ "gmail", "<div dir=\"ltr\">Approve</div><br><div class=\"gmail_quote\">"
	  "<div dir=\"ltr\" class=\"gmail_attr\">On Mon, 3 Mar 2025 at 10:00, "
	  "Agent &lt;a@x.test&gt; wrote:<br></div><blockquote class=\"gmail_quote"
	  "\">Reply with APPROVE or REJECT</blockquote></div>", REPLY_APPROVE },
	{ "gmail, nothing written", "<div dir=\"ltr\"><br></div><div class=\""
	  "gmail_quote\"><blockquote>REJECT</blockquote></div>", REPLY_UNCLEAR },
	{ "outlook", "<html><body><div class=\"elementToProof\">REJECT</div>"
	  "<div id=\"appendonsend\"></div><hr><div id=\"divRplyFwdMsg\"><b>"
	  "From:</b> Agent<br><b>Sent:</b> Monday</div><div>APPROVE</div>"
	  "</body></html>", REPLY_REJECT },
	{ "outlook, nothing written", "<div id=\"appendonsend\"></div><div>"
	  "APPROVE</div>", REPLY_UNCLEAR },
	{ "apple mail", "<html><body dir=\"auto\">Approved!<br><br><div dir="
	  "\"ltr\">Sent from my iPhone</div><blockquote type=\"cite\">On 3 Mar "
	  "2025, at 10:00, Agent wrote:<br><div>REJECT</div></blockquote>"
	  "</body></html>", REPLY_APPROVE },
	{ "thunderbird bottom-posted", "<div class=\"moz-cite-prefix\">On "
	  "3/3/25 10:00, Agent wrote:<br></div><blockquote type=\"cite\">"
	  "Reply with APPROVE or REJECT</blockquote><p>REJECT</p>",
	  REPLY_REJECT },
	{ "misnested: own text lost, never the quote", "<blockquote>APPROVE"
	  "<div>x</blockquote>REJECT", REPLY_UNCLEAR },
};

static void
test_html_replies(void **state)
{
	struct reply_verdict v;
	size_t i;
	char *text;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof html_rows / sizeof html_rows[0]; i++) {
		text = html_to_text(html_rows[i].html,
		    strlen(html_rows[i].html), 0);
		reply_read(text, NULL, NULL, &v);
		if (v.command != html_rows[i].want) {
			print_error("%s: got %s (%s) from \"%s\"\n",
			    html_rows[i].name, reply_command_name(v.command),
			    v.why, text);
			failed++;
		}
		reply_verdict_clear(&v);
		free(text);
	}
	assert_int_equal(failed, 0);
}

/* Hostile bytes of every kind: no crash, valid UTF-8 out. */
static void
test_random_bytes(void **state)
{
	static const char *const bits[] = {
		"APPROVE", "REJECT", " ", "\n", "\r\n", "> ", "On ", " wrote:",
		"From: ", "Sent: ", "To: ", "-- \n", "-----", "\xff", "\xc3",
		"\xe2\x80", "\xc2\xa0", "?", "not ", "*", "_", ".", "\t",
		"\x01", "Am ", "schrieb", ":", "\xc3\xa9", "Sent from my ",
	};
	uint32_t seed = 4242;
	struct buf b = { 0 };
	struct reply_verdict v;
	char *text, *answered;
	int round, i;

	(void)state;
	for (round = 0; round < 3000; round++) {
		for (i = 0; i < 30; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&b, bits[(seed >> 16) %
			    (sizeof bits / sizeof bits[0])]);
		}
		text = buf_release(&b);
		answered = round % 2 ? text + strlen(text) / 2 : NULL;
		reply_read(text, answered, keywords(), &v);
		assert_true(utf8_valid(v.own_text, strlen(v.own_text)));
		assert_true(utf8_valid(v.line, strlen(v.line)));
		assert_non_null(v.why);
		reply_verdict_clear(&v);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_own_text),
		cmocka_unit_test(test_verdict_fields),
		cmocka_unit_test(test_why_is_short),
		cmocka_unit_test(test_no_config_keywords),
		cmocka_unit_test(test_keyword_limit),
		cmocka_unit_test(test_command_names),
		cmocka_unit_test(test_text_limit),
		cmocka_unit_test(test_one_megabyte),
		cmocka_unit_test(test_copy_search_bounded),
		cmocka_unit_test(test_may_hold_copy),
		cmocka_unit_test(test_may_hold_copy_rows),
		cmocka_unit_test(test_html_replies),
		cmocka_unit_test(test_random_bytes),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free_keywords();
	return rc;
}
