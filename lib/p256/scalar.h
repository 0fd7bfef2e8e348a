/*
 * scalar.h: arithmetic modulo the P-256 group order q on four 64-bit limbs
 * (least significant first), for the terminal's provers and the verifiers'
 * proof batches alike (lib/p256/scalar.c).
 *
 * CONSTANT TIME: no branch and no memory index depends on a value, so the
 * encryption randomness, the marks and the proofs' nonces and simulated
 * branches may go through it. Every input is below q (the caller's
 * contract: values made here, or drawn by group_scalar_random_limbs), and
 * every output is.
 */
#ifndef TALLY_P256_SCALAR_H
#define TALLY_P256_SCALAR_H

#include <stdint.h>

/* r = a + b, a - b, a b (mod q); r may alias an operand. */
void p256_sc_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
void p256_sc_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
void p256_sc_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
/* r = -a (mod q), 0 for 0; r may alias a. */
void p256_sc_neg(uint64_t r[4], const uint64_t a[4]);
/* r = v (mod q) for v < 2^64 */
void p256_sc_set_u64(uint64_t r[4], uint64_t v);
/* r = mask ? a : b, mask all ones or zero */
void p256_sc_select(uint64_t r[4], uint64_t mask, const uint64_t a[4],
    const uint64_t b[4]);
/* 32 big-endian bytes */
void p256_sc_to_be(uint8_t out[32], const uint64_t a[4]);
/* From 32 big-endian bytes; returns all ones when the value is in
 * [0, q - 1] (r then holds it), else 0 (r then holds the bytes unreduced). */
uint64_t p256_sc_from_be(uint64_t r[4], const uint8_t in[32]);

#endif
