/*
 * sqrt8.h: a^((p + 1) / 4) mod p for up to sixteen elements at once with
 * AVX-512 IFMA (sqrt8.c), for lib/p256 only.
 */
#ifndef TALLY_P256_SQRT8_H
#define TALLY_P256_SQRT8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when p256_sqrt8 can run on this processor (asked once). */
int p256_sqrt8_available(void);
/* r[i] = a[i]^((p + 1) / 4) mod p for i < n (n <= 16, more are ignored;
 * past 8, two registers' chains run side by side at little extra time):
 * plain values (not Montgomery form), four 64-bit limbs least significant
 * first; a[i] < p; r[i] <= p (p only for a[i] = 0). Only when
 * p256_sqrt8_available(). */
void p256_sqrt8(uint64_t (*r)[4], const uint64_t (*a)[4], size_t n);

#endif
