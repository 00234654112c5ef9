/*
 * totp.h: time-based one-time passwords (RFC 6238) for the console's
 * second factor, and what enrolling one needs: the secret in base32
 * (RFC 4648, without padding) and the otpauth:// URI an authenticator
 * app reads from a QR code (Google's Key Uri Format).
 *
 * Pure: no I/O and no clock; the caller passes the time.  HMAC-SHA1, a
 * step of TOTP_STEP seconds and TOTP_DIGITS digits: what every
 * authenticator app does by default.  "Each code accepted once" is
 * kept by the caller: it stores the step of the last accepted code and
 * passes it back, and no code of that step or an earlier one is taken.
 */
#ifndef MSCAGENT_TOTP_H
#define MSCAGENT_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define TOTP_STEP	30	/* seconds */
#define TOTP_DIGITS	6
#define TOTP_WINDOW	1	/* steps either side of now: clock skew */

/* A new secret's length: 160 bits, as RFC 4226 recommends for SHA-1. */
#define TOTP_SECRET_LEN	20
/* A secret of at most TOTP_SECRET_MAX bytes is read back. */
#define TOTP_SECRET_MAX	64
/* Longest issuer and account name put in a URI. */
#define TOTP_LABEL_MAX	128

/* The step a time falls in: now / TOTP_STEP (0 before 1970). */
int64_t	 totp_step(int64_t now);

/*
 * The code of step for key (len bytes), digits 6 to 8 long, into *code
 * (print it with "%0*u", digits).  -1 with ERR_RUNTIME when GnuTLS
 * cannot compute the HMAC, ERR_INPUT for digits out of range.
 */
int	 totp_code(const unsigned char *key, size_t len, int64_t step,
	    int digits, uint32_t *code, struct err *);

/*
 * Whether code (exactly TOTP_DIGITS ASCII digits) is key's code for a
 * step within TOTP_WINDOW of now's and after last_step, the step of the
 * last code accepted (0: none yet).  1 with the code's step in *step,
 * to be stored as the new last_step; 0 otherwise.
 */
int	 totp_verify(const unsigned char *key, size_t len, const char *code,
	    int64_t now, int64_t last_step, int64_t *step);

/* The base32 form of len bytes, upper case, no padding; caller frees. */
char	*totp_base32_encode(const unsigned char *, size_t len);

/*
 * Reads base32 text (either case; '=' padding at the end allowed) into
 * out (max bytes), its length in *len.  -1 with ERR_INPUT for any other
 * character, a length no encoding has, bits left over that are not
 * zero, or more than max bytes.
 */
int	 totp_base32_decode(const char *text, unsigned char *out, size_t max,
	    size_t *len, struct err *);

/*
 * otpauth://totp/ISSUER:NAME?secret=SECRET&issuer=ISSUER&period=30
 * &digits=6&algorithm=SHA1, issuer and name percent-encoded (each at
 * most TOTP_LABEL_MAX bytes and without control characters, else NULL
 * with ERR_INPUT).  secret is the base32 text.  Caller frees.
 */
char	*totp_uri(const char *issuer, const char *name, const char *secret,
	    struct err *);

#endif
