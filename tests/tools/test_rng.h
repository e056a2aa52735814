/*
 * test_rng.h - the pseudo-random sequence the test and bench generators
 * share: xorshift64*, seeded by the caller through rng_state, so every run
 * writes the same bytes.
 */
#ifndef TEST_RNG_H
#define TEST_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

#endif /* TEST_RNG_H */
