/*
 * mime.h: composes one outgoing mail as RFC 5322 + MIME bytes (SPEC §3):
 * mime.c checks and encodes the values, mime_write.c writes the bytes.
 *
 * The message is multipart/alternative with a text/plain part and then a
 * text/html part, both UTF-8; with a logo, the HTML part and the logo
 * (image/png, base64, inline, with a Content-ID) are a multipart/related
 * in place of the HTML part alone.  The text parts are each
 * quoted-printable or, when more than 30% of their bytes are not ASCII,
 * base64.  Lines end in CRLF and stay within
 * RFC 5322's limits.  Non-ASCII subjects and display names become RFC 2047
 * encoded-words.  Every value is checked first: none can add a header or
 * a MIME part.  The module is pure: the date comes in, and the only
 * randomness (the boundary, Message-ID suffixes) comes from gnutls_rnd.
 */
#ifndef MSCAGENT_MIME_H
#define MSCAGENT_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define MIME_SUBJECT_MAX	998	/* bytes of UTF-8 before encoding */
#define MIME_REFS_MAX		20	/* References kept, newest last */
#define MIME_NAME_MAX		256	/* display name, bytes of UTF-8 */
#define MIME_MSGID_MAX		250	/* a Message-ID without <> */
#define MIME_BODY_MAX		(1024 * 1024)	/* each part, bytes */
#define MIME_EXTRA_MAX		16	/* extra headers */
#define MIME_HEADER_NAME_MAX	76
#define MIME_HEADER_VALUE_MAX	900	/* one word of it still fits a line */
#define MIME_WORD_IN_MAX	45	/* input bytes per encoded-word */
#define MIME_FIRST_WORD_IN_MAX	36	/* the first: it shares its line */
#define MIME_LOGO_MAX		(64 * 1024)	/* bytes of the inline image */

struct mime_mail {
	const char	 *from_name;	/* display name, UTF-8, may be NULL */
	const char	 *from;		/* addr-spec */
	const char	 *to;		/* addr-spec */
	const char	 *reply_to;	/* addr-spec, may be NULL */
	const char	 *subject;	/* UTF-8 */
	const char	 *message_id;	/* without <>, e.g. "k1.abc@example.test" */
	const char	 *in_reply_to;	/* without <>, may be NULL */
	const char *const *references;	/* without <>, oldest first */
	size_t		  nreferences;
	int64_t		  date;		/* unix time, written in UTC (+0000) */
	const char	 *text;		/* text/plain body, UTF-8, LF line ends */
	const char	 *html;		/* text/html body, UTF-8 */
	const char *const *extra_headers; /* "Name", "value" pairs: */
	size_t		  nextra;	/* [2*i] and [2*i+1] */
	const unsigned char *logo;	/* a PNG the HTML shows as
					   cid:logo_cid; NULL: none */
	size_t		  logo_len;	/* at most MIME_LOGO_MAX */
	const char	 *logo_cid;	/* its Content-ID, without <> */
	const char	 *language;	/* Content-Language, a BCP 47 tag
					   (lang.h); NULL: none */
};

/*
 * Composes the message into *out (NUL-terminated, *outlen bytes without
 * the NUL): caller frees *out.  Returns 0, or -1 with ERR_INPUT and
 * nothing in *out when a value is refused:
 * - an address that is not one plain addr-spec (addr_valid), or holds
 *   '<', '>' or ','; the From address also no space;
 * - a display name over MIME_NAME_MAX bytes or with a control character;
 * - a subject over MIME_SUBJECT_MAX bytes or with a control character
 *   other than CR, LF and TAB, which become spaces (they cannot break the
 *   header, and a template's subject may well end in a newline);
 * - a Message-ID, In-Reply-To or reference that mime_msgid_valid refuses;
 * - an extra header whose name is not letters, digits and '-', names a
 *   header the composer writes itself (From, Subject, Content-Type, ...),
 *   or whose value is not printable ASCII; more than MIME_EXTRA_MAX;
 * - a body that is NULL, over MIME_BODY_MAX bytes or not valid UTF-8;
 * - invalid UTF-8 anywhere, a date before 1970 or after 9999;
 * - a logo that is empty or over MIME_LOGO_MAX bytes, or whose
 *   Content-ID mime_msgid_valid refuses;
 * - a language that lang_is_valid refuses.
 * Body line ends (LF, CRLF or a lone CR) all become CRLF.  Of more than
 * MIME_REFS_MAX references, the first (the thread's root) and the newest
 * ones are kept.  Fails for no other reason: running out of memory is
 * fatal.
 */
int	 mime_compose(const struct mime_mail *, char **out, size_t *outlen,
	    struct err *);

/*
 * RFC 2047 for an unstructured header value: returns the value as is when
 * it is "plain" (printable ASCII, single spaces between words, none at
 * either end, no word over 60 bytes, no "=?"), so that it goes out and
 * unfolds to exactly itself; else =?UTF-8?B?...?= words of at most
 * MIME_WORD_IN_MAX input bytes each, cut on UTF-8 character boundaries,
 * joined by single spaces.  utf8 should be valid UTF-8.  Caller frees.
 */
char	*mime_encode_words(const char *utf8);

/*
 * A fresh random Message-ID local part suffix: 32 lower-case hex
 * characters (128 bits from gnutls_rnd) and a NUL, written into buf.
 * A failing random generator is fatal, like running out of memory.
 */
void	 mime_random_hex(char *buf33);

/*
 * 1 when s can be written as a Message-ID (without <>): at most
 * MIME_MSGID_MAX bytes, one '@' with text on both sides, and only
 * atext (RFC 5322) and '.' characters.  Callers check inbound IDs with
 * it before putting them into In-Reply-To or References.
 */
int	 mime_msgid_valid(const char *s);

#endif
