/*
 * test_compose.c: every workflow mail composed from the real templates
 * and read back with libetpan, as the recipient's client and the inbound
 * side would read it: headers, reply key, Message-ID, threading and both
 * parts after undoing their transfer encoding.
 *
 * What a test allocates is held in its fixture, freed by the teardown,
 * so that a failing test reports its failure and not a leak.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "brand.h"
#include "compose.h"
#include "date.h"
#include "mime.h"
#include "replykey.h"

#define CUSTOMER	"M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 " \
			"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe " \
			"\xf0\x9f\x9a\x80"
#define FROM		"agent@msp.test"
#define FROM_DOMAIN	"msp.test"
#define REPLY_LOCAL	"reply"
#define REPLY_DOMAIN	"replies.msp.test"
#define BASE_URL	"https://msc.example.test"
#define CUSTOMER_ADMIN	"admin@customer.test"
#define MSP_ADMIN	"msp@partner.test"
#define SUPPORT		"support@msp.test"
#define TOKEN		"aaa.bbb.ccc"
#define LINK		BASE_URL "/verify?token=" TOKEN
#define NOW		INT64_C(1795860000) /* 2026-11-28 10:00Z */
#define EXPIRES		INT64_C(1798452000) /* 2026-12-28 10:00Z */
#define EXPIRES_SHOWN	"2026-12-28 10:00 UTC"
#define TENANT_ID	7
#define GENERATION	3
#define HEX_RANDOM	32
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define HELD_STRINGS	16

/* ---- the fixture ---- */

struct fx {
	struct config		 cfg;
	struct keyring		 keys;
	struct compose_ctx	 ctx;
	struct tenant		 t;
	struct token_info	 token;
	struct outbox_entry	 failed;
	struct compose_input	 in;
	struct strvec		 thread;

	/* the mail of the current round, read back */
	struct composed		 c;
	struct mailmime		*mime;
	struct mailimf_single_fields f;
	char			*text;		/* text/plain part */
	char			*html;		/* text/html part */
	htmlDocPtr		 doc;		/* html parsed again */
	char			*str[HELD_STRINGS];
};

static int
fx_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof *fx);
	struct tenant *t = &fx->t;

	fx->cfg.from = xstrdup(FROM);
	fx->cfg.reply_address = xstrdup(REPLY_LOCAL "@" REPLY_DOMAIN);
	fx->cfg.base_url = xstrdup(BASE_URL);
	strvec_push(&fx->cfg.support_addresses, SUPPORT);
	strvec_push(&fx->cfg.support_addresses, "oncall@msp.test");
	memset(fx->keys.reply, 0x5c, 32);
	fx->keys.reply_len = 32;
	strcpy(fx->keys.tokens.keys[0].kid, "k1");
	memset(fx->keys.tokens.keys[0].key, 0x36, 32);
	fx->keys.tokens.keys[0].len = 32;
	fx->keys.tokens.n = 1;
	fx->ctx.cfg = &fx->cfg;
	fx->ctx.keys = &fx->keys;
	fx->ctx.templates = tmpl_set_new("mailtemplates");

	tenant_init(t);
	t->id = TENANT_ID;
	t->generation = GENERATION;
	t->name = xstrdup(CUSTOMER);
	t->customer_admin = xstrdup(CUSTOMER_ADMIN);
	t->msp_admin = xstrdup(MSP_ADMIN);
	t->edition = xstrdup("enterprise");
	t->workloads = WORKLOAD_BIT(WORKLOAD_M365) |
	    WORKLOAD_BIT(WORKLOAD_ENDPOINTS);
	t->expires[WORKLOAD_M365] = date_from_civil(2027, 3, 1);
	t->expires[WORKLOAD_ENDPOINTS] = date_from_civil(2031, 1, 1);
	t->after[WORKLOAD_M365] = date_from_civil(2029, 11, 28);
	t->after[WORKLOAD_ENDPOINTS] = date_from_civil(2031, 1, 1);
	t->state = STATE_AWAITING_APPROVAL;
	t->state_since = NOW - 86400;

	fx->token.generation = GENERATION;
	fx->token.issued_at = NOW;
	fx->token.expires_at = EXPIRES;
	fx->token.jti = xstrdup("0123456789abcdef0123456789abcdef");
	fx->token.token = xstrdup(TOKEN);
	fx->token.recipient = xstrdup(MSP_ADMIN);

	fx->failed.id = 41;
	fx->failed.tenant_id = TENANT_ID;
	fx->failed.kind = MAIL_APPROVAL_REQUEST;
	fx->failed.recipient = xstrdup(CUSTOMER_ADMIN);
	fx->failed.generation = GENERATION;
	*state = fx;
	return 0;
}

/* Frees the mail of one round. */
static void
fx_round(struct fx *fx)
{
	size_t i;

	composed_clear(&fx->c);
	if (fx->mime != NULL)
		mailmime_free(fx->mime);
	fx->mime = NULL;
	free(fx->text);
	free(fx->html);
	fx->text = fx->html = NULL;
	xmlFreeDoc(fx->doc);
	fx->doc = NULL;
	for (i = 0; i < HELD_STRINGS; i++) {
		free(fx->str[i]);
		fx->str[i] = NULL;
	}
}

static int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	fx_round(fx);
	strvec_clear(&fx->thread);
	tmpl_set_free(fx->ctx.templates);
	config_free(&fx->cfg);
	tenant_clear(&fx->t);
	free(fx->token.jti);
	free(fx->token.token);
	free(fx->token.recipient);
	free(fx->failed.recipient);
	free(fx);
	return 0;
}

/* Keeps s until the round ends. */
static char *
hold(struct fx *fx, char *s)
{
	size_t i;

	for (i = 0; i < HELD_STRINGS; i++)
		if (fx->str[i] == NULL)
			return fx->str[i] = s;
	free(s);
	fail_msg("more than %d strings held", HELD_STRINGS);
	return NULL;
}

static void
set_name(struct fx *fx, const char *name)
{
	free(fx->t.name);
	fx->t.name = xstrdup(name);
}

/* A mail of kind to the address of role; the rest as most mails are. */
static struct compose_input *
input(struct fx *fx, enum mail_kind kind, enum mail_role role,
    const char *to)
{
	memset(&fx->in, 0, sizeof fx->in);
	fx->in.tenant = &fx->t;
	fx->in.kind = kind;
	fx->in.role = role;
	fx->in.to = to;
	fx->in.mail_id = 100 + (int64_t)kind;
	fx->in.now = NOW;
	fx->in.token = &fx->token;
	fx->in.plan = "Gold Plan";
	if (kind == MAIL_DELIVERY_FAILED) {
		fx->in.failed = &fx->failed;
		fx->in.failed_reason = "550 5.1.1 mailbox unknown";
	}
	if (kind == MAIL_UNEXPECTED_REPLY) {
		fx->in.reason = "from mallory@evil.test, not the recipient";
		fx->in.reply_from = "mallory@evil.test";
	}
	if (kind == MAIL_MAILBOX_AUTH_FAILED) {
		fx->in.account = "inbound";
		fx->in.reason = "invalid_grant: AADSTS70000";
	}
	return &fx->in;
}

/* ---- reading the message back ---- */

static struct mailimf_fields *
fields_of(struct fx *fx)
{
	return fx->mime->mm_data.mm_message.mm_fields;
}

/* RFC 2047 decoding as the inbound side does it; held. */
static const char *
decode(struct fx *fx, const char *raw)
{
	size_t idx = 0;
	char *out = NULL;

	assert_int_equal(mailmime_encoded_phrase_parse("utf-8", raw,
	    strlen(raw), &idx, "utf-8", &out), MAILIMF_NO_ERROR);
	assert_non_null(out);
	return hold(fx, out);
}

/* The value of an optional header (Auto-Submitted, ...), and how many
 * there are. */
static const char *
optional(struct fx *fx, const char *name, size_t *count)
{
	clistiter *it;
	struct mailimf_field *fld;
	struct mailimf_optional_field *of;
	const char *value = NULL;

	*count = 0;
	for (it = clist_begin(fields_of(fx)->fld_list); it != NULL;
	    it = clist_next(it)) {
		fld = clist_content(it);
		if (fld->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD)
			continue;
		of = fld->fld_data.fld_optional_field;
		if (strcasecmp(of->fld_name, name) == 0) {
			value = of->fld_value;
			(*count)++;
		}
	}
	return value;
}

static size_t
count_fields(struct fx *fx, int type)
{
	clistiter *it;
	struct mailimf_field *fld;
	size_t n = 0;

	for (it = clist_begin(fields_of(fx)->fld_list); it != NULL;
	    it = clist_next(it)) {
		fld = clist_content(it);
		if (fld->fld_type == type)
			n++;
	}
	return n;
}

/* Undoes the transfer encoding of one part; caller frees. */
static char *
part_body(struct mailmime *part, const char *subtype)
{
	struct mailmime_single_fields sf;
	struct mailmime_data *d;
	size_t idx = 0, outlen = 0;
	char *out = NULL, *copy;
	int enc;

	assert_int_equal(part->mm_type, MAILMIME_SINGLE);
	assert_non_null(part->mm_content_type);
	assert_int_equal(part->mm_content_type->ct_type->tp_type,
	    MAILMIME_TYPE_DISCRETE_TYPE);
	assert_int_equal(part->mm_content_type->ct_type->tp_data.
	    tp_discrete_type->dt_type, MAILMIME_DISCRETE_TYPE_TEXT);
	assert_int_equal(strcasecmp(part->mm_content_type->ct_subtype,
	    subtype), 0);
	mailmime_single_fields_init(&sf, part->mm_mime_fields,
	    part->mm_content_type);
	assert_non_null(sf.fld_content_charset);
	assert_int_equal(strcasecmp(sf.fld_content_charset, "utf-8"), 0);
	enc = sf.fld_encoding ? sf.fld_encoding->enc_type :
	    MAILMIME_MECHANISM_7BIT;
	d = part->mm_data.mm_single;
	assert_int_equal(mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, enc, &out, &outlen),
	    MAILIMF_NO_ERROR);
	copy = xstrndup(out, outlen);
	mmap_string_unref(out);
	assert_int_equal(strlen(copy), outlen);
	assert_true(utf8_valid(copy, outlen));
	return copy;
}

/* multipart/alternative: text/plain then text/html, decoded. */
static void
read_parts(struct fx *fx)
{
	struct mailmime *alt = fx->mime->mm_data.mm_message.mm_msg_mime;
	struct mailmime *html;
	clist *list;

	assert_non_null(alt);
	assert_int_equal(alt->mm_type, MAILMIME_MULTIPLE);
	assert_int_equal(strcasecmp(alt->mm_content_type->ct_subtype,
	    "alternative"), 0);
	list = alt->mm_data.mm_multipart.mm_mp_list;
	assert_int_equal(clist_count(list), 2);
	fx->text = part_body(clist_nth_data(list, 0), "plain");
	html = clist_nth_data(list, 1);
	/* With a logo: related { html, image }. */
	if (html->mm_type == MAILMIME_MULTIPLE)
		html = clist_nth_data(html->mm_data.mm_multipart.mm_mp_list, 0);
	fx->html = part_body(html, "html");
	fx->doc = htmlReadMemory(fx->html, (int)strlen(fx->html), NULL,
	    "UTF-8", HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING);
	assert_non_null(fx->doc);
	assert_non_null(xmlDocGetRootElement(fx->doc));
}

/* Composes and parses; the mail stays in fx until the next round. */
static void
compose(struct fx *fx)
{
	struct err err;
	size_t idx = 0;

	fx_round(fx);
	err_clear(&err);
	if (compose_mail(&fx->ctx, &fx->in, &fx->c, &err) != 0)
		fail_msg("compose_mail %s: %s",
		    fsm_mail_kind_name(fx->in.kind), err.msg);
	assert_non_null(fx->c.message);
	assert_int_equal(strlen(fx->c.message), fx->c.len);
	assert_non_null(fx->c.message_id);
	assert_non_null(fx->c.subject);
	assert_int_equal(mailmime_parse(fx->c.message, fx->c.len, &idx,
	    &fx->mime), MAILIMF_NO_ERROR);
	assert_int_equal(fx->mime->mm_type, MAILMIME_MESSAGE);
	assert_non_null(fields_of(fx));
	mailimf_single_fields_init(&fx->f, fields_of(fx));
	read_parts(fx);
}

/* The text part with line breaks and runs of spaces made one space, so
 * that a value is found where the text was wrapped; held. */
static const char *
flat_text(struct fx *fx)
{
	char *out = xcalloc(1, strlen(fx->text) + 1), *o = out;
	const char *s;
	int space = 0;

	for (s = fx->text; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\r' || *s == '\n') {
			space = 1;
			continue;
		}
		if (space && o > out)
			*o++ = ' ';
		space = 0;
		*o++ = *s;
	}
	return hold(fx, out);
}

/* The text of the HTML body as a reader sees it; held. */
static const char *
html_text(struct fx *fx)
{
	xmlNodePtr root = xmlDocGetRootElement(fx->doc);
	xmlChar *c = xmlNodeGetContent(root);
	char *copy = xstrdup(c ? (const char *)c : "");

	xmlFree(c);
	return hold(fx, copy);
}

static size_t
count_elements(xmlNodePtr n, const char *name)
{
	size_t count = 0;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)n->name, name) == 0)
			count++;
		count += count_elements(n->children, name);
	}
	return count;
}

/* 1 when some <a> has exactly this href. */
static int
has_href(xmlNodePtr n, const char *href)
{
	xmlChar *v;
	int found = 0;

	for (; n != NULL && !found; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)n->name, "a") == 0) {
			v = xmlGetProp(n, (const xmlChar *)"href");
			found = v != NULL && strcmp((const char *)v, href) == 0;
			xmlFree(v);
		}
		if (!found)
			found = has_href(n->children, href);
	}
	return found;
}

/* ---- the checks every mail passes ---- */

/* What a mail is about: its tenant, or the mail account of a notice
 * about no tenant. */
static const char *
named(const struct fx *fx)
{
	return fx->in.kind == MAIL_MAILBOX_AUTH_FAILED ? fx->in.account :
	    fx->t.name;
}

static void
check_subject(struct fx *fx)
{
	const char *subject;

	assert_non_null(fx->f.fld_subject);
	subject = decode(fx, fx->f.fld_subject->sbj_value);
	assert_string_equal(subject, fx->c.subject);
	assert_non_null(strstr(subject, named(fx)));
	assert_null(strpbrk(subject, "\r\n"));
}

static void
check_from_to(struct fx *fx)
{
	struct mailimf_mailbox *mb;
	struct mailimf_address *ad;

	assert_non_null(fx->f.fld_from);
	assert_int_equal(clist_count(fx->f.fld_from->frm_mb_list->mb_list), 1);
	mb = clist_nth_data(fx->f.fld_from->frm_mb_list->mb_list, 0);
	assert_string_equal(mb->mb_addr_spec, FROM);
	assert_non_null(mb->mb_display_name);
	assert_string_equal(decode(fx, mb->mb_display_name), "MSC migration");
	assert_non_null(fx->f.fld_to);
	assert_int_equal(clist_count(fx->f.fld_to->to_addr_list->ad_list), 1);
	ad = clist_nth_data(fx->f.fld_to->to_addr_list->ad_list, 0);
	assert_int_equal(ad->ad_type, MAILIMF_ADDRESS_MAILBOX);
	assert_string_equal(ad->ad_data.ad_mailbox->mb_addr_spec, fx->in.to);
	assert_int_equal(count_fields(fx, MAILIMF_FIELD_CC), 0);
	assert_int_equal(count_fields(fx, MAILIMF_FIELD_BCC), 0);
}

/* The key in Reply-To: "reply+KEY@domain"; held. */
static const char *
reply_key(struct fx *fx)
{
	static const char prefix[] = REPLY_LOCAL "+";
	static const char suffix[] = "@" REPLY_DOMAIN;
	struct mailimf_address *ad;
	const char *addr;
	size_t len;

	assert_non_null(fx->f.fld_reply_to);
	assert_int_equal(clist_count(fx->f.fld_reply_to->rt_addr_list->ad_list),
	    1);
	ad = clist_nth_data(fx->f.fld_reply_to->rt_addr_list->ad_list, 0);
	assert_int_equal(ad->ad_type, MAILIMF_ADDRESS_MAILBOX);
	addr = ad->ad_data.ad_mailbox->mb_addr_spec;
	len = strlen(addr);
	assert_true(len > sizeof prefix + sizeof suffix);
	assert_int_equal(strncmp(addr, prefix, sizeof prefix - 1), 0);
	assert_string_equal(addr + len - (sizeof suffix - 1), suffix);
	return hold(fx, xstrndup(addr + sizeof prefix - 1,
	    len - (sizeof prefix - 1) - (sizeof suffix - 1)));
}

static int
key_ok(struct fx *fx, const char *key)
{
	return replykey_check(fx->keys.reply, fx->keys.reply_len, key,
	    fx->t.id, fx->in.mail_id, fx->in.to, fx->t.generation);
}

/* Accepted as it is; refused with any one character changed. */
static void
check_reply_key(struct fx *fx, const char *key)
{
	char forged[REPLYKEY_MAX];
	size_t i, len = strlen(key);
	int64_t mail;

	assert_true(len < REPLYKEY_MAX);
	assert_int_equal(key_ok(fx, key), 1);
	assert_int_equal(replykey_parse(key, &mail), 0);
	assert_int_equal(mail, fx->in.mail_id);
	for (i = 0; i < len; i++) {
		strcpy(forged, key);
		forged[i] = forged[i] == '0' ? '1' : forged[i] == '.' ? '-' :
		    '0';
		if (key_ok(fx, forged))
			fail_msg("forged key '%s' accepted", forged);
	}
	/* and bound to this recipient, mail and generation */
	assert_int_equal(replykey_check(fx->keys.reply, fx->keys.reply_len,
	    key, fx->t.id, fx->in.mail_id, "other@customer.test",
	    fx->t.generation), 0);
	assert_int_equal(replykey_check(fx->keys.reply, fx->keys.reply_len,
	    key, fx->t.id, fx->in.mail_id, fx->in.to, fx->t.generation + 1),
	    0);
}

/* "KEY.<32 hex>@<from domain>", the same in the header and in c. */
static void
check_message_id(struct fx *fx, const char *key)
{
	const char *id, *rnd;
	size_t klen = strlen(key), i;

	assert_non_null(fx->f.fld_message_id);
	id = fx->f.fld_message_id->mid_value;
	assert_string_equal(id, fx->c.message_id);
	assert_int_equal(strncmp(id, key, klen), 0);
	assert_int_equal(id[klen], '.');
	rnd = id + klen + 1;
	for (i = 0; i < HEX_RANDOM; i++)
		if (strchr("0123456789abcdef", rnd[i]) == NULL ||
		    rnd[i] == '\0')
			fail_msg("Message-ID '%s': no %d hex digits after the "
			    "key", id, HEX_RANDOM);
	assert_string_equal(rnd + HEX_RANDOM, "@" FROM_DOMAIN);
}

static void
check_auto_headers(struct fx *fx)
{
	const char *v;
	size_t n;

	v = optional(fx, "Auto-Submitted", &n);
	assert_int_equal(n, 1);
	assert_string_equal(v, "auto-generated");
	v = optional(fx, "X-Auto-Response-Suppress", &n);
	assert_int_equal(n, 1);
	assert_string_equal(v, "OOF, AutoReply");
	optional(fx, "Bcc", &n);
	assert_int_equal(n, 0);
}

static void
check_date(struct fx *fx)
{
	struct mailimf_date_time *dt;

	assert_non_null(fx->f.fld_orig_date);
	dt = fx->f.fld_orig_date->dt_date_time;
	assert_int_equal(dt->dt_year, 2026);
	assert_int_equal(dt->dt_month, 11);
	assert_int_equal(dt->dt_day, 28);
	assert_int_equal(dt->dt_hour, 10);
	assert_int_equal(dt->dt_min, 0);
	assert_int_equal(dt->dt_zone, 0);
}

/* Both parts carry the name: the text as it is, the HTML as text. */
static void
check_parts(struct fx *fx)
{
	assert_non_null(strstr(flat_text(fx), named(fx)));
	assert_non_null(strstr(html_text(fx), named(fx)));
	assert_int_equal(count_elements(fx->doc->children, "script"), 0);
	assert_int_equal(count_elements(fx->doc->children, "img"), 0);
	assert_null(strstr(fx->html, "data-"));
}

static void
check_common(struct fx *fx)
{
	const char *key;

	check_subject(fx);
	check_from_to(fx);
	key = reply_key(fx);
	check_reply_key(fx, key);
	check_message_id(fx, key);
	check_auto_headers(fx);
	check_date(fx);
	check_parts(fx);
}

/* ---- every kind ---- */

struct kind_case {
	enum mail_kind		 kind;
	enum mail_role		 role;
	const char		*to;
	enum tenant_state	 state;		/* the tenant's then */
	const char		*shown;		/* in both parts */
	const char		*not_shown;	/* in neither */
};

static const struct kind_case kind_cases[] = {
	{ MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN,
	    STATE_AWAITING_APPROVAL, "Reply with APPROVE or REJECT", NULL },
	{ MAIL_APPROVAL_REMINDER, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN,
	    STATE_AWAITING_APPROVAL, "Reply with APPROVE or REJECT", NULL },
	{ MAIL_APPROVAL_RECEIPT, ROLE_SENDER, CUSTOMER_ADMIN,
	    STATE_AWAITING_VERIFICATION, "your answer, APPROVE,",
	    "The migration is stopped" },
	{ MAIL_APPROVAL_RECEIPT, ROLE_SENDER, CUSTOMER_ADMIN,
	    STATE_REJECTED, "your answer, REJECT,", "picks a service plan" },
	{ MAIL_CLARIFICATION, ROLE_SENDER, CUSTOMER_ADMIN,
	    STATE_AWAITING_APPROVAL, "only APPROVE or REJECT as", NULL },
	{ MAIL_CLARIFICATION, ROLE_SENDER, SUPPORT, STATE_TOKEN_EXPIRED,
	    "only RETRIGGER as", NULL },
	{ MAIL_CLARIFICATION, ROLE_SENDER, SUPPORT, STATE_FINALIZING,
	    "only FINALIZE as", NULL },
	{ MAIL_VERIFICATION, ROLE_MSP_ADMIN, MSP_ADMIN,
	    STATE_AWAITING_VERIFICATION, "Open the verification page", NULL },
	{ MAIL_VERIFICATION_REMINDER, ROLE_MSP_ADMIN, MSP_ADMIN,
	    STATE_AWAITING_VERIFICATION, "Open the verification page", NULL },
	{ MAIL_TOKEN_EXPIRED, ROLE_SUPPORT, SUPPORT, STATE_TOKEN_EXPIRED,
	    "RETRIGGER", "Contact support" },
	{ MAIL_TOKEN_EXPIRED, ROLE_MSP_ADMIN, MSP_ADMIN, STATE_TOKEN_EXPIRED,
	    "Contact support", "RETRIGGER" },
	{ MAIL_REJECTED, ROLE_SUPPORT, SUPPORT, STATE_REJECTED, "RETRIGGER",
	    NULL },
	{ MAIL_REJECTED, ROLE_MSP_ADMIN, MSP_ADMIN, STATE_REJECTED,
	    "No action is needed", "RETRIGGER" },
	{ MAIL_VERIFIED, ROLE_MSP_ADMIN, MSP_ADMIN, STATE_FINALIZING,
	    "support finalizes", NULL },
	{ MAIL_FINALIZATION_REQUEST, ROLE_SUPPORT, SUPPORT, STATE_FINALIZING,
	    "FINALIZE", NULL },
	{ MAIL_COMPLETED, ROLE_MSP_ADMIN, MSP_ADMIN, STATE_COMPLETED,
	    "Access Tenant Console", NULL },
	{ MAIL_DELIVERY_FAILED, ROLE_SUPPORT, SUPPORT, STATE_AWAITING_APPROVAL,
	    "550 5.1.1 mailbox unknown", NULL },
	{ MAIL_UNEXPECTED_REPLY, ROLE_SUPPORT, SUPPORT,
	    STATE_AWAITING_APPROVAL, "not the recipient", NULL },
	{ MAIL_MAILBOX_AUTH_FAILED, ROLE_SUPPORT, SUPPORT,
	    STATE_AWAITING_APPROVAL, "mscagent auth login inbound", NULL },
};

static void
check_kind_text(struct fx *fx, const struct kind_case *c)
{
	const char *flat = flat_text(fx), *html = html_text(fx);
	const char *kind = fsm_mail_kind_name(c->kind);

	if (strstr(flat, c->shown) == NULL)
		fail_msg("%s: no '%s' in the text part:\n%s", kind, c->shown,
		    fx->text);
	if (strstr(html, c->shown) == NULL)
		fail_msg("%s: no '%s' in the HTML part", kind, c->shown);
	if (c->not_shown != NULL && (strstr(flat, c->not_shown) != NULL ||
	    strstr(html, c->not_shown) != NULL))
		fail_msg("%s: '%s' should not be shown", kind, c->not_shown);
}

static void
test_every_kind(void **state)
{
	struct fx *fx = *state;
	const struct kind_case *c;
	size_t i;

	for (i = 0; i < NELEM(kind_cases); i++) {
		c = &kind_cases[i];
		fx->t.state = c->state;
		input(fx, c->kind, c->role, c->to);
		fx->in.mail_id = 100 + (int64_t)i;
		compose(fx);
		check_common(fx);
		check_kind_text(fx, c);
	}
}

/* Every kind has a row above. */
static void
test_every_kind_covered(void **state)
{
	size_t i, k;
	int found;

	(void)state;
	for (k = 0; k < MAIL_KIND_COUNT; k++) {
		found = 0;
		for (i = 0; i < NELEM(kind_cases); i++)
			found |= kind_cases[i].kind == (enum mail_kind)k;
		if (!found)
			fail_msg("no case for %s",
			    fsm_mail_kind_name((enum mail_kind)k));
	}
}

/* ---- threading ---- */

static size_t
clist_len(clist *l)
{
	return l ? (size_t)clist_count(l) : 0;
}

static const char *
nth_id(clist *l, size_t n)
{
	return clist_nth_data(l, (int)n);
}

struct thread_case {
	size_t		 earlier;	/* ids in the thread */
	const char	*in_reply_to;
	const char	*parent;	/* In-Reply-To expected, or NULL */
	size_t		 nrefs;
};

static const struct thread_case thread_cases[] = {
	{ 0, NULL, NULL, 0 },
	{ 2, NULL, "t1.x@msp.test", 2 },
	{ 2, "CAF=r+1_x@mail.customer.test", "CAF=r+1_x@mail.customer.test",
	    3 },
	{ 0, "r0@customer.test", "r0@customer.test", 1 },
	{ 1, NULL, "t0.x@msp.test", 1 },
};

static void
make_thread(struct fx *fx, size_t n)
{
	size_t i;

	strvec_clear(&fx->thread);
	for (i = 0; i < n; i++)
		strvec_pushf(&fx->thread, "t%zu.x@msp.test", i);
}

static void
check_thread(struct fx *fx, const struct thread_case *c)
{
	clist *refs = fx->f.fld_references ?
	    fx->f.fld_references->mid_list : NULL;
	clist *irt = fx->f.fld_in_reply_to ?
	    fx->f.fld_in_reply_to->mid_list : NULL;
	size_t i;

	if (c->parent == NULL) {
		assert_int_equal(clist_len(irt), 0);
		assert_int_equal(clist_len(refs), 0);
		return;
	}
	assert_int_equal(clist_len(irt), 1);
	assert_string_equal(nth_id(irt, 0), c->parent);
	assert_int_equal(clist_len(refs), c->nrefs);
	for (i = 0; i < c->earlier; i++)
		assert_string_equal(nth_id(refs, i), fx->thread.v[i]);
	/* the parent is always the newest reference */
	assert_string_equal(nth_id(refs, c->nrefs - 1), c->parent);
}

static void
test_threading(void **state)
{
	struct fx *fx = *state;
	const struct thread_case *c;
	size_t i;

	for (i = 0; i < NELEM(thread_cases); i++) {
		c = &thread_cases[i];
		make_thread(fx, c->earlier);
		input(fx, MAIL_APPROVAL_REMINDER, ROLE_CUSTOMER_ADMIN,
		    CUSTOMER_ADMIN);
		fx->in.thread = c->earlier > 0 ? &fx->thread : NULL;
		fx->in.in_reply_to = c->in_reply_to;
		compose(fx);
		check_common(fx);
		check_thread(fx, c);
	}
}

/*
 * A long thread: References is cut to MIME_REFS_MAX, keeping the root
 * (RFC 5322 3.6.4; mime.h keeps it too) and the newest ones.
 */
static void
test_threading_long(void **state)
{
	struct fx *fx = *state;
	clist *refs;
	size_t n;

	make_thread(fx, 3 * MIME_REFS_MAX);
	input(fx, MAIL_APPROVAL_REMINDER, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	fx->in.thread = &fx->thread;
	fx->in.in_reply_to = "reply@customer.test";
	compose(fx);
	assert_non_null(fx->f.fld_references);
	refs = fx->f.fld_references->mid_list;
	n = clist_len(refs);
	assert_true(n <= MIME_REFS_MAX);
	assert_true(n >= 3);
	assert_string_equal(nth_id(refs, n - 1), "reply@customer.test");
	assert_string_equal(nth_id(refs, n - 2),
	    fx->thread.v[fx->thread.n - 1]);
	assert_string_equal(nth_id(refs, 0), fx->thread.v[0]);
}

/* ---- the verification link ---- */

static void
test_verification_link(void **state)
{
	static const enum mail_kind kinds[] = { MAIL_VERIFICATION,
	    MAIL_VERIFICATION_REMINDER };
	struct fx *fx = *state;
	size_t i;

	fx->t.state = STATE_AWAITING_VERIFICATION;
	for (i = 0; i < NELEM(kinds); i++) {
		input(fx, kinds[i], ROLE_MSP_ADMIN, MSP_ADMIN);
		compose(fx);
		check_common(fx);
		assert_non_null(strstr(flat_text(fx), "<" LINK ">"));
		assert_true(has_href(fx->doc->children, LINK));
		assert_non_null(strstr(flat_text(fx), EXPIRES_SHOWN));
		assert_non_null(strstr(html_text(fx), EXPIRES_SHOWN));
	}
	/* the reminder's subject says the day */
	assert_non_null(strstr(fx->c.subject, "2026-12-28"));
}

/* Without a token there is no link, and nothing that looks like one. */
static void
test_no_token(void **state)
{
	struct fx *fx = *state;

	fx->t.state = STATE_AWAITING_VERIFICATION;
	input(fx, MAIL_VERIFICATION, ROLE_MSP_ADMIN, MSP_ADMIN);
	fx->in.token = NULL;
	compose(fx);
	check_subject(fx);
	assert_null(strstr(fx->text, "verify?token="));
	assert_false(has_href(fx->doc->children, LINK));
	assert_null(strstr(fx->html, "href=\"\""));
}

struct link_case {
	const char	*base;
	const char	*token;
	const char	*expected;
};

static const struct link_case link_cases[] = {
	{ "https://msc.example.test", "aaa.bbb.ccc",
	    "https://msc.example.test/verify?token=aaa.bbb.ccc" },
	{ "http://127.0.0.1:8080", "x-y_z.1.2",
	    "http://127.0.0.1:8080/verify?token=x-y_z.1.2" },
	{ "https://msp.test/agent", "t",
	    "https://msp.test/agent/verify?token=t" },
};

static void
test_compose_link(void **state)
{
	struct fx *fx = *state;
	size_t i;
	char *link;

	for (i = 0; i < NELEM(link_cases); i++) {
		free(fx->cfg.base_url);
		fx->cfg.base_url = xstrdup(link_cases[i].base);
		link = hold(fx, compose_link(&fx->cfg, link_cases[i].token));
		assert_string_equal(link, link_cases[i].expected);
		fx_round(fx);
	}
}

/* ---- hostile names ---- */

/* No header line of the raw message starts with name. */
static void
assert_no_header_line(const char *message, const char *name)
{
	const char *end = strstr(message, "\r\n\r\n"), *line;

	assert_non_null(end);
	for (line = message; line < end; line = strstr(line, "\r\n") + 2)
		if (strncasecmp(line, name, strlen(name)) == 0)
			fail_msg("header line '%.40s'", line);
}

/*
 * A name with a line break, as stored if it ever got past the checks:
 * composed or refused, it never adds a header; the Subject keeps it on
 * one line.
 */
static void
test_name_header_injection(void **state)
{
	struct fx *fx = *state;
	struct err err;
	const char *subject;
	size_t idx = 0, n;

	set_name(fx, "Evil\r\nBcc: x@evil.test");
	input(fx, MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	err_clear(&err);
	if (compose_mail(&fx->ctx, &fx->in, &fx->c, &err) != 0) {
		assert_int_equal(err.kind, ERR_INPUT);
		assert_null(fx->c.message);
		return;
	}
	assert_no_header_line(fx->c.message, "Bcc");
	assert_no_header_line(fx->c.message, "Cc");
	assert_int_equal(mailmime_parse(fx->c.message, fx->c.len, &idx,
	    &fx->mime), MAILIMF_NO_ERROR);
	mailimf_single_fields_init(&fx->f, fields_of(fx));
	assert_int_equal(count_fields(fx, MAILIMF_FIELD_BCC), 0);
	assert_int_equal(count_fields(fx, MAILIMF_FIELD_CC), 0);
	optional(fx, "Bcc", &n);
	assert_int_equal(n, 0);
	assert_int_equal(clist_count(fx->f.fld_to->to_addr_list->ad_list), 1);
	subject = decode(fx, fx->f.fld_subject->sbj_value);
	assert_non_null(strstr(subject, "Evil  Bcc: x@evil.test"));
	assert_null(strpbrk(subject, "\r\n"));
}

struct hostile_case {
	const char	*name;
	const char	*in_html;	/* the raw HTML, escaped */
};

static const struct hostile_case hostile_cases[] = {
	{ "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "\"; DROP TABLE tenants; --", "\"; DROP TABLE tenants; --" },
	{ "\"><img src=x onerror=alert(1)>", "\"&gt;&lt;img src=x" },
	{ "=?UTF-8?B?QmNjOiB4?= =41", "=?UTF-8?B?QmNjOiB4?= =41" },
	{ "From nobody", "From nobody" },
	{ ".", "." },
};

/* Hostile but printable names: verbatim in the subject and text part,
 * text (never markup) in the HTML part, on every kind. */
static void
test_hostile_names(void **state)
{
	struct fx *fx = *state;
	const struct kind_case *k;
	size_t i, j;

	for (i = 0; i < NELEM(hostile_cases); i++) {
		set_name(fx, hostile_cases[i].name);
		for (j = 0; j < NELEM(kind_cases); j++) {
			k = &kind_cases[j];
			fx->t.state = k->state;
			input(fx, k->kind, k->role, k->to);
			compose(fx);
			check_common(fx);
			if (k->kind == MAIL_MAILBOX_AUTH_FAILED)
				continue;	/* names no tenant */
			assert_non_null(strstr(flat_text(fx),
			    hostile_cases[i].name));
			assert_non_null(strstr(fx->html,
			    hostile_cases[i].in_html));
		}
	}
}

/* ---- Message-IDs ---- */

/* Same input twice: the same key, other random digits. */
static void
test_message_ids_differ(void **state)
{
	struct fx *fx = *state;
	char first[MIME_MSGID_MAX + 1], key[REPLYKEY_MAX];
	size_t klen;

	input(fx, MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	compose(fx);
	snprintf(first, sizeof first, "%s", fx->c.message_id);
	snprintf(key, sizeof key, "%s", reply_key(fx));
	compose(fx);
	check_message_id(fx, key);
	assert_string_not_equal(first, fx->c.message_id);
	klen = strlen(key);
	assert_int_equal(strncmp(first, fx->c.message_id, klen + 1), 0);
	assert_true(strncmp(first + klen + 1, fx->c.message_id + klen + 1,
	    HEX_RANDOM) != 0);
}

/* The reply key follows the mail: another mail id, another key. */
static void
test_keys_per_mail(void **state)
{
	struct fx *fx = *state;
	char first[REPLYKEY_MAX];

	input(fx, MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	compose(fx);
	snprintf(first, sizeof first, "%s", reply_key(fx));
	fx->in.mail_id++;
	compose(fx);
	assert_string_not_equal(first, reply_key(fx));
	check_reply_key(fx, reply_key(fx));
}

/* A template that cannot be read fails the mail, with nothing left. */
static void
test_missing_templates(void **state)
{
	struct fx *fx = *state;
	struct err err;

	tmpl_set_free(fx->ctx.templates);
	fx->ctx.templates = tmpl_set_new("tests/data/no_such_folder");
	input(fx, MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	err_clear(&err);
	memset(&fx->c, 0x5a, sizeof fx->c);
	assert_int_equal(compose_mail(&fx->ctx, &fx->in, &fx->c, &err), -1);
	assert_int_equal(err.kind, ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "approval_request"));
	assert_null(fx->c.message);
	assert_null(fx->c.message_id);
	assert_null(fx->c.subject);
}

/* [agent] from's display name is the From header's, read back exactly;
 * the address and the Message-ID's domain stay the bare address's. */
static void
test_from_display_name(void **state)
{
	static const char name[] = "M\xc3\xbcller & S\xc3\xb6hne \xe2\x80\x94 "
	    "\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe";
	struct fx *fx = *state;
	struct mailimf_mailbox *mb;

	fx->cfg.from_name = xstrdup(name);
	input(fx, MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	compose(fx);
	mb = clist_nth_data(fx->f.fld_from->frm_mb_list->mb_list, 0);
	assert_string_equal(mb->mb_addr_spec, FROM);
	assert_string_equal(decode(fx, mb->mb_display_name), name);
	assert_non_null(strstr(fx->c.message, "From: =?UTF-8?B?"));
	assert_non_null(strstr(fx->c.message_id, strchr(FROM, '@')));
}

/* With [branding]: every kind shows the company and the support line,
 * and carries the logo inline, shown by cid:. */
static void
test_branding(void **state)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\nlogo";
	struct fx *fx = *state;
	struct mailmime *rel, *img;
	struct mailmime_single_fields sf;
	clist *list;
	int kind;

	fx->cfg.company = xstrdup("M\xc3\xbcller & S\xc3\xb6hne");
	fx->cfg.support_contact = xstrdup("https://help.muller.example/");
	fx->cfg.accent_color = xstrdup("#aa3300");
	fx->cfg.logo_len = sizeof png - 1;
	fx->cfg.logo = xmalloc(fx->cfg.logo_len);
	memcpy(fx->cfg.logo, png, fx->cfg.logo_len);
	tmpl_set_globals(fx->ctx.templates, brand_vars(&fx->cfg));
	for (kind = 0; kind < MAIL_KIND_COUNT; kind++) {
		input(fx, (enum mail_kind)kind, ROLE_CUSTOMER_ADMIN,
		    CUSTOMER_ADMIN);
		compose(fx);
		assert_non_null(strstr(fx->html,
		    "src=\"cid:" BRAND_LOGO_CID "\""));
		assert_non_null(strstr(fx->html, "color:#aa3300"));
		assert_non_null(strstr(flat_text(fx),
		    "M\xc3\xbcller & S\xc3\xb6hne"));
		assert_non_null(strstr(flat_text(fx),
		    "https://help.muller.example/"));
		list = fx->mime->mm_data.mm_message.mm_msg_mime->
		    mm_data.mm_multipart.mm_mp_list;
		rel = clist_nth_data(list, 1);
		assert_string_equal(rel->mm_content_type->ct_subtype,
		    "related");
		img = clist_nth_data(rel->mm_data.mm_multipart.mm_mp_list, 1);
		mailmime_single_fields_init(&sf, img->mm_mime_fields,
		    img->mm_content_type);
		assert_string_equal(sf.fld_id, BRAND_LOGO_CID);
	}
}

/* The mail's Content-Language, from its header block; held. */
static const char *
language_of(struct fx *fx)
{
	const char *h = strstr(fx->c.message, "\r\nContent-Language: ");
	const char *end, *again, *body = strstr(fx->c.message, "\r\n\r\n");

	if (h == NULL || h > body)
		return NULL;
	h += strlen("\r\nContent-Language: ");
	end = strstr(h, "\r\n");
	again = strstr(end, "\r\nContent-Language: ");
	assert_true(again == NULL || again > body);	/* one, at most */
	return hold(fx, xstrndup(h, (size_t)(end - h)));
}

/* A mail's language: the tenant's for its admins, the agent's for
 * support and for support's own replies, and what the mail says. */
static void
test_language(void **state)
{
	struct fx *fx = *state;

	fx->t.language = xstrdup("de-AT");
	input(fx, MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	compose(fx);
	assert_string_equal(language_of(fx), "de");
	assert_non_null(strstr(fx->c.subject, "Genehmigung"));
	assert_non_null(strstr(fx->html, "<html lang=\"de\">"));
	assert_non_null(strstr(flat_text(fx), "1. M\xc3\xa4rz 2027"));
	assert_non_null(strstr(fx->html, "body=GENEHMIGT"));
	assert_null(strstr(flat_text(fx), "APPROVE"));
	/* Support reads the agent's language, English by default. */
	input(fx, MAIL_FINALIZATION_REQUEST, ROLE_SUPPORT, SUPPORT);
	compose(fx);
	assert_string_equal(language_of(fx), "en");
	assert_non_null(strstr(fx->c.subject, "Finalize"));
	/* A clarification to whoever replied: support, or the admin. */
	input(fx, MAIL_CLARIFICATION, ROLE_SENDER, "oncall@msp.test");
	compose(fx);
	assert_string_equal(language_of(fx), "en");
	input(fx, MAIL_CLARIFICATION, ROLE_SENDER, CUSTOMER_ADMIN);
	compose(fx);
	assert_string_equal(language_of(fx), "de");
	assert_non_null(strstr(flat_text(fx), "GENEHMIGT"));
	/* [agent] language for support, and for a tag without a catalog. */
	tmpl_set_language(fx->ctx.templates, "fr");
	input(fx, MAIL_FINALIZATION_REQUEST, ROLE_SUPPORT, SUPPORT);
	compose(fx);
	assert_string_equal(language_of(fx), "fr");
	free(fx->t.language);
	fx->t.language = xstrdup("sv-SE");
	input(fx, MAIL_APPROVAL_REQUEST, ROLE_CUSTOMER_ADMIN, CUSTOMER_ADMIN);
	compose(fx);
	assert_string_equal(language_of(fx), "fr");
	assert_non_null(strstr(fx->html, "body=APPROUV"));
	/* An [agent] language without a catalog: English. */
	tmpl_set_language(fx->ctx.templates, "sv");
	compose(fx);
	assert_string_equal(language_of(fx), "en");
	assert_non_null(strstr(fx->c.subject, "Approval needed"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_every_kind),
		T(test_every_kind_covered),
		T(test_threading),
		T(test_threading_long),
		T(test_verification_link),
		T(test_no_token),
		T(test_compose_link),
		T(test_name_header_injection),
		T(test_hostile_names),
		T(test_message_ids_differ),
		T(test_keys_per_mail),
		T(test_missing_templates),
		T(test_from_display_name),
		T(test_branding),
		T(test_language),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
