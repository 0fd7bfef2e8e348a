/* check_checkpoint.c: checkpoint digests, signatures bound to the vote,
 * every field flipped, and the proto conversion's length checks. */
#include <string.h>

#include "checkpoint.h"
#include "err.h"
#include "testutil.h"
#include "util.h"

static void
make(struct checkpoint *cp, uint8_t sk[32], uint8_t pk[32])
{
	ck_assert_int_eq(ed25519_keygen(sk, pk), 0);
	memset(cp, 0, sizeof(*cp));
	cp->size = 1234567;
	memset(cp->root, 0x11, HASH_LEN);
	memset(cp->head, 0x22, HASH_LEN);
	ck_assert_int_eq(checkpoint_sign(cp, "vote-1", sk), 0);
}

/* The digest is H("checkpoint", vote_id, u64be size, root, head): check
 * it against the framing computed by hand. */
START_TEST(test_digest_framing)
{
	uint8_t root[HASH_LEN], head[HASH_LEN], a[HASH_LEN], b[HASH_LEN];
	uint8_t size_be[8] = {0, 0, 0, 0, 0, 0x12, 0xd6, 0x87};
	struct hash_part parts[4];

	memset(root, 0x11, HASH_LEN);
	memset(head, 0x22, HASH_LEN);
	parts[0] = (struct hash_part){"vote-1", 6};
	parts[1] = (struct hash_part){size_be, 8};
	parts[2] = (struct hash_part){root, HASH_LEN};
	parts[3] = (struct hash_part){head, HASH_LEN};
	ck_assert_int_eq(hash_tagged(a, "checkpoint", parts, 4), 0);
	ck_assert_int_eq(checkpoint_digest(b, "vote-1", 1234567, root, head),
	    0);
	ck_assert_mem_eq(a, b, HASH_LEN);
}
END_TEST

START_TEST(test_sign_verify_flips)
{
	struct checkpoint cp, x;
	uint8_t sk[32], pk[32];
	size_t i;

	make(&cp, sk, pk);
	ck_assert_int_eq(checkpoint_verify(&cp, "vote-1", pk), 0);
	ck_assert_int_eq(checkpoint_verify(&cp, "vote-2", pk),
	    TALLY_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(checkpoint_verify(&cp, "vote-1x", pk),
	    TALLY_ERR_BAD_SIGNATURE);
	for (i = 0; i < 64; i++) {
		x = cp;
		x.size ^= (uint64_t)1 << i;
		ck_assert_int_eq(checkpoint_verify(&x, "vote-1", pk),
		    TALLY_ERR_BAD_SIGNATURE);
	}
	for (i = 0; i < HASH_LEN * 8; i++) {
		x = cp;
		x.root[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_ne(checkpoint_verify(&x, "vote-1", pk), 0);
		x = cp;
		x.head[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_ne(checkpoint_verify(&x, "vote-1", pk), 0);
	}
	for (i = 0; i < ED25519_SIG_LEN * 8; i++) {
		x = cp;
		x.sig[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_ne(checkpoint_verify(&x, "vote-1", pk), 0);
	}
	pk[0] ^= 1;
	ck_assert_int_ne(checkpoint_verify(&cp, "vote-1", pk), 0);
}
END_TEST

START_TEST(test_proto_roundtrip)
{
	struct checkpoint cp, back;
	Tally__Checkpoint m, *dec;
	uint8_t sk[32], pk[32], buf[256];
	size_t len;

	make(&cp, sk, pk);
	checkpoint_to_proto(&cp, &m);
	len = tally__checkpoint__pack(&m, buf);
	dec = tally__checkpoint__unpack(NULL, len, buf);
	ck_assert_ptr_nonnull(dec);
	ck_assert_int_eq(checkpoint_from_proto(&back, dec), 0);
	ck_assert_int_eq(memcmp(&back, &cp, sizeof(cp)), 0);
	ck_assert_int_eq(checkpoint_verify(&back, "vote-1", pk), 0);
	dec->root.len--;
	ck_assert_int_eq(checkpoint_from_proto(&back, dec), TALLY_ERR_DECODE);
	dec->root.len++;
	dec->chain_head.len++;
	ck_assert_int_eq(checkpoint_from_proto(&back, dec), TALLY_ERR_DECODE);
	dec->chain_head.len--;
	dec->signature.len = 0;
	ck_assert_int_eq(checkpoint_from_proto(&back, dec), TALLY_ERR_DECODE);
	tally__checkpoint__free_unpacked(dec, NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("checkpoint");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_digest_framing);
	tcase_add_test(tc, test_sign_verify_flips);
	tcase_add_test(tc, test_proto_roundtrip);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
