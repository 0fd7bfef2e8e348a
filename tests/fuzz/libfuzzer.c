/* libfuzzer.c: the libFuzzer entry point over a target's fuzz_main. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	return fuzz_main(data, len);
}
