/*
 * comb_exceptional.c: linked with -Wl,--wrap=p256_comb_mul into a copy of
 * check_ballot (tests/CMakeLists.txt): every batch of the fixed-base
 * tables reports the exceptional case (two equal x coordinates met, of
 * negligible probability with real scalars), so every ballot, write-ins
 * included, takes the fallback that encrypts it again with OpenSSL only;
 * check_ballot's tests then check that those ballots verify, decrypt to
 * their marks and open with the randomness returned.
 */
#include <stddef.h>
#include <stdint.h>

#include "p256/p256.h"

int __wrap_p256_comb_mul(uint8_t (*out)[33], size_t n,
    const struct p256_comb_term (*terms)[2]);

int
__wrap_p256_comb_mul(uint8_t (*out)[33], size_t n,
    const struct p256_comb_term (*terms)[2])
{
	(void)out;
	(void)n;
	(void)terms;
	return P256_COMB_EXCEPTIONAL;
}
