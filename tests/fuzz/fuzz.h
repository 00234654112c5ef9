/*
 * fuzz.h: what the fuzz targets share.  Each tests/fuzz/fuzz_NAME.c
 * defines LLVMFuzzerTestOneInput; libFuzzer (clang) or tests/fuzz/replay.c
 * (gcc, for the test suite) calls it with one input at a time.
 *
 * A target aborts when an invariant the module's header promises does not
 * hold, so a wrong answer is a finding as much as a crash is.
 */
#ifndef MSCAGENT_FUZZ_H
#define MSCAGENT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"
#include "util.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The fixed secrets of the targets and of tests/fuzz/mint.c. */
#define FUZZ_ISSUER	"mscagent"
#define FUZZ_NOW	1780000000	/* 2026-05-28, any fixed time */
#define FUZZ_TENANT	7
#define FUZZ_GEN	3
#define FUZZ_RECIPIENT	"it@mueller.example"

/* Stops with a message when an invariant does not hold: libFuzzer
 * keeps the input as a crash. */
static inline void
fuzz_require(int holds, const char *what)
{
	if (!holds) {
		fprintf(stderr, "fuzz: invariant does not hold: %s\n", what);
		abort();
	}
}

/* A NUL-terminated copy of the input; caller frees. */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The reply-key secret: 32 bytes, 0x01 to 0x20. */
static inline void
fuzz_reply_secret(unsigned char secret[32])
{
	size_t i;

	for (i = 0; i < 32; i++)
		secret[i] = (unsigned char)(i + 1);
}

/* Two token keys, "k1" (signs) and "k2", of 32 and 48 bytes. */
static inline void
fuzz_keyring(struct token_keyring *kr)
{
	size_t i;

	memset(kr, 0, sizeof *kr);
	kr->n = 2;
	snprintf(kr->keys[0].kid, sizeof kr->keys[0].kid, "k1");
	for (i = 0; i < 32; i++)
		kr->keys[0].key[i] = (unsigned char)(0xa0 + i);
	kr->keys[0].len = 32;
	snprintf(kr->keys[1].kid, sizeof kr->keys[1].kid, "k2");
	for (i = 0; i < 48; i++)
		kr->keys[1].key[i] = (unsigned char)(0x30 + i);
	kr->keys[1].len = 48;
}

#endif
