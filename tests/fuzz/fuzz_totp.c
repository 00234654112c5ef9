/*
 * fuzz_totp.c: base32 text as a stored TOTP secret or a typed one
 * (totp.c).  What decodes encodes back to the same text, in upper case
 * and without padding; what is refused leaves nothing behind; and the
 * input, taken as a code, is checked without harm.
 */
#include "fuzz.h"

#include "totp.h"

/* The text as totp_base32_encode writes it: upper case, no '='. */
static char *
canonical(const char *text)
{
	size_t i, n = strlen(text);
	char *c;

	while (n > 0 && text[n - 1] == '=')
		n--;
	c = xstrndup(text, n);
	for (i = 0; i < n; i++)
		if (c[i] >= 'a' && c[i] <= 'z')
			c[i] = (char)(c[i] - 'a' + 'A');
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char key[TOTP_SECRET_MAX];
	struct err err;
	char *text, *back, *want;
	int64_t step = 0;
	size_t len = 1;

	text = fuzz_string(data, size);
	if (totp_base32_decode(text, key, sizeof key, &len, &err) == 0) {
		fuzz_require(len <= sizeof key, "the secret fits");
		back = totp_base32_encode(key, len);
		want = canonical(text);
		fuzz_require(strcmp(back, want) == 0,
		    "a secret read encodes back to its text");
		free(want);
		free(back);
		(void)totp_verify(key, len, text, FUZZ_NOW, 0, &step);
	} else {
		fuzz_require(len == 0, "a refused secret is empty");
		fuzz_require(err.kind == ERR_INPUT, "a refusal is ERR_INPUT");
	}
	free(text);
	return 0;
}
