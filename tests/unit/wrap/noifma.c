/*
 * noifma.c: linked with -Wl,--wrap=p256_sqrt8_available into copies of
 * check_p256, check_proof and check_count (tests/CMakeLists.txt), so that
 * on a processor with AVX-512 IFMA the batched decoding's other path, one
 * fe.h square root a point, is tested too (a processor without IFMA only
 * ever takes that one).
 */
int __wrap_p256_sqrt8_available(void);

int
__wrap_p256_sqrt8_available(void)
{
	return 0;
}
