/*
 * password.h: the console accounts' secrets, on libsodium: passwords
 * hashed with Argon2id, one-time passwords and recovery codes drawn
 * from its CSPRNG, and the hash that keeps recovery codes (and other
 * random secrets, such as session ids) out of the database.
 *
 * No function here logs or keeps a secret it is given; the caller wipes
 * what it holds with password_wipe once done with it.
 */
#ifndef MSCAGENT_PASSWORD_H
#define MSCAGENT_PASSWORD_H

#include <stddef.h>

#include "util.h"

/*
 * Limits.  A password up to PASSWORD_MAX bytes: a passphrase fits,
 * while hashing cost stays flat.  A new password is at least
 * PASSWORD_MIN bytes.  A stored hash (libsodium's crypto_pwhash_STRBYTES,
 * NUL included) fits in PASSWORD_HASH_MAX.
 */
#define PASSWORD_MIN		12
#define PASSWORD_MAX		256
#define PASSWORD_HASH_MAX	128

/*
 * A one-time password: PASSWORD_OTP_LEN characters of an alphabet
 * without the look-alikes 0/O, 1/l/I (31 symbols: some 99 bits).
 */
#define PASSWORD_OTP_LEN	20

/*
 * Recovery codes: PASSWORD_RECOVERY_COUNT of them, each
 * PASSWORD_RECOVERY_LEN characters of the same alphabet (some 79 bits),
 * shown as four groups of four ("abcd-efgh-jkmn-pqrs").
 */
#define PASSWORD_RECOVERY_COUNT	10
#define PASSWORD_RECOVERY_LEN	16
#define PASSWORD_RECOVERY_SHOWN	(PASSWORD_RECOVERY_LEN + 3)

/* The hex SHA-256 of a code, NUL included. */
#define PASSWORD_CODE_HASH_LEN	65

/* libsodium's global set-up: once at start-up, before any thread. */
int	 password_init(struct err *);

/*
 * Hashes password with Argon2id into out (PASSWORD_HASH_MAX bytes), in
 * libsodium's self-describing string ("$argon2id$v=19$m=...").  Fails
 * with ERR_INPUT for a password longer than PASSWORD_MAX, ERR_RUNTIME
 * when the memory the hash needs cannot be had.
 */
int	 password_hash(const char *password, char out[PASSWORD_HASH_MAX],
	    struct err *);

/* 1 when password matches hash (from password_hash), else 0. */
int	 password_verify(const char *hash, const char *password);

/* A password a person may choose: PASSWORD_MIN to PASSWORD_MAX bytes
 * of UTF-8 without control characters; -1 with ERR_INPUT saying why. */
int	 password_check_new(const char *password, struct err *);

/* A new one-time password, PASSWORD_OTP_LEN characters; caller frees
 * with password_free. */
char	*password_generate(void);

/*
 * PASSWORD_RECOVERY_COUNT new recovery codes, as shown to the person,
 * appended to codes; the hashes to store, in the same order, appended
 * to hashes.
 */
void	 password_recovery_codes(struct strvec *codes, struct strvec *hashes);

/*
 * The hex SHA-256 of a random secret, into out: a recovery code (read
 * as typed: case, blanks and '-' do not count) or a session id.  Such a
 * secret is long and random, so a fast hash keeps it as safe as
 * Argon2id would, and a sign-in need not try ten slow hashes.
 */
void	 password_code_hash(const char *code,
	    char out[PASSWORD_CODE_HASH_LEN]);

/* 1 when the hashes a and b (hex, as above) are equal; in constant
 * time. */
int	 password_hash_equal(const char *a, const char *b);

/* len random bytes from libsodium's CSPRNG (a TOTP secret, say). */
void	 password_random(void *buf, size_t len);

/* Overwrites len bytes in a way the compiler keeps. */
void	 password_wipe(void *buf, size_t len);

/* Wipes and frees a secret string; NULL is fine. */
void	 password_free(char *);

#endif
