/*
 * fuzz_replykey.c: a reply key, or an address or Message-ID that may hold
 * one, as the inbox meets them (replykey.c).  Only the key replykey_make
 * gives may check, and a key put in the reply address comes back out.
 */
#include "fuzz.h"

#include "replykey.h"

#define REPLY_ADDRESS	"mscagent@example.test"

/*
 * A candidate key (found: one replykey_from_* handed out, which must
 * parse): it checks exactly when it is the one made.
 */
static void
check_key(const unsigned char *secret, size_t len, const char *key,
    int found)
{
	char want[REPLYKEY_MAX], back[REPLYKEY_MAX], *addr;
	int64_t mail;
	int ok;

	if (replykey_parse(key, &mail) == -1) {
		fuzz_require(!found, "a key found parses");
		return;
	}
	fuzz_require(mail > 0, "a mail id above 0");
	fuzz_require(strlen(key) < REPLYKEY_MAX, "a key fits");
	ok = replykey_check(secret, len, key, FUZZ_TENANT, mail,
	    FUZZ_RECIPIENT, FUZZ_GEN);
	fuzz_require(replykey_make(secret, len, FUZZ_TENANT, mail,
	    FUZZ_RECIPIENT, FUZZ_GEN, want) == 0, "a key is made");
	fuzz_require(ok == (strcmp(key, want) == 0),
	    "only the key made checks");
	fuzz_require(replykey_check(secret, len, want, FUZZ_TENANT, mail,
	    FUZZ_RECIPIENT, FUZZ_GEN) == 1, "the key made checks");
	addr = replykey_address(REPLY_ADDRESS, key);
	fuzz_require(replykey_from_address(addr, back) == 0 &&
	    strcmp(back, key) == 0, "a key comes back out of its address");
	free(addr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char secret[32];
	char key[REPLYKEY_MAX], *s;

	fuzz_reply_secret(secret);
	s = fuzz_string(data, size);
	check_key(secret, sizeof secret, s, 0);
	if (replykey_from_address(s, key) == 0)
		check_key(secret, sizeof secret, key, 1);
	if (replykey_from_message_id(s, key) == 0)
		check_key(secret, sizeof secret, key, 1);
	free(s);
	return 0;
}
