/* ceremony.c: dealerless Pedersen/Feldman DKG and threshold decryption. */
#include "ceremony.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "aead.h"
#include "err.h"
#include "group.h"
#include "hash.h"
#include "sign.h"
#include "util.h"

#define ED_LEN 32
#define SIG_LEN 64
#define STATE_MAGIC "TKS2"
#define STATE_MAGIC_V1 "TKS1"
#define SHARE_INFO "tally share"
#define SEALED_LEN (GROUP_SCALAR_LEN + AEAD_TAG_LEN)
/* "TKS2" || u32be index, n, k || k scalars || transport || seed ||
 * contribution */
#define STATE_LEN(k) (16 + ((size_t)(k) + 1) * GROUP_SCALAR_LEN + ED_LEN + \
	CEREMONY_CONTRIBUTION_LEN)

struct points {
	EC_POINT **p;
	size_t n;
};

static void
u32be(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

static uint32_t
get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
points_free(struct points *pts)
{
	size_t i;

	if (pts->p != NULL)
		for (i = 0; i < pts->n; i++)
			group_point_free(pts->p[i]);
	free(pts->p);
	pts->p = NULL;
	pts->n = 0;
}

static int
points_alloc(struct points *pts, size_t n)
{
	size_t i;

	pts->n = 0;
	if ((pts->p = calloc(n ? n : 1, sizeof(*pts->p))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		pts->n = i + 1;
		if ((pts->p[i] = group_point_new()) == NULL) {
			points_free(pts);
			return TALLY_ERR_NOMEM;
		}
	}
	return 0;
}

/* Strictly decode n 33-byte points. */
static int
points_decode(struct points *pts, const ProtobufCBinaryData *b, size_t n)
{
	size_t i;
	int ret;

	if ((ret = points_alloc(pts, n)) != 0)
		return ret;
	for (i = 0; i < n; i++)
		if ((ret = group_point_decode(pts->p[i], b[i].data,
		    b[i].len)) != 0) {
			points_free(pts);
			return ret;
		}
	return 0;
}

/* ------------------------------------------------------------ helpers */

/* Pack m into a fresh buffer. */
static int
pack_alloc(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);

	if ((*out = calloc(1, n ? n : 1)) == NULL)
		return TALLY_ERR_NOMEM;
	*len = protobuf_c_message_pack(m, *out);
	return 0;
}

/* Refuse unknown fields, trailing or non-canonical bytes: a message must
 * re-pack to exactly the bytes it came from. */
static int
canonical(const ProtobufCMessage *m, const uint8_t *p, size_t len)
{
	uint8_t *q;
	size_t n;
	int ret;

	if (m->n_unknown_fields != 0)
		return TALLY_ERR_DECODE;
	if ((ret = pack_alloc(m, &q, &n)) != 0)
		return ret;
	ret = (n == len && memcmp(p, q, n) == 0) ? 0 : TALLY_ERR_DECODE;
	free(q);
	return ret;
}

int
ceremony_check_params(uint32_t n, uint32_t k)
{
	if (k < 1 || k > n || n > CEREMONY_MAX_TRUSTEES)
		return TALLY_ERR_INVALID_ARG;
	return 0;
}

int
ceremony_id(uint8_t out[CEREMONY_ID_LEN], const Tally__TrusteePublic **pubs,
    uint32_t n, uint32_t k)
{
	struct hash_ctx h;
	uint32_t i;
	int ret;

	if ((ret = ceremony_check_params(n, k)) != 0)
		return ret;
	for (i = 0; i < n; i++)
		if (pubs[i]->index != i + 1 ||
		    pubs[i]->contribution.len != CEREMONY_CONTRIBUTION_LEN)
			return TALLY_ERR_CEREMONY;
	if ((ret = hash_init(&h, "ceremony", 0)) != 0)
		return ret;
	if ((ret = hash_add_u32(&h, n)) == 0)
		ret = hash_add_u32(&h, k);
	for (i = 0; i < n && ret == 0; i++)
		ret = hash_add(&h, pubs[i]->contribution.data,
		    CEREMONY_CONTRIBUTION_LEN);
	if (ret != 0) {
		hash_abort(&h);
		return ret;
	}
	return hash_final(&h, out);
}

int
ceremony_fingerprint(char *out, size_t outlen, const uint8_t *p, size_t len)
{
	struct hash_part part = {p, len};
	uint8_t h[32];
	char b32[64];
	size_t i, o = 0;
	int ret;

	if (outlen < CEREMONY_FINGERPRINT_LEN + 1)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = hash_tagged(h, "fingerprint", &part, 1)) != 0)
		return ret;
	(void)util_base32(b32, h, 10);	/* 80 bits: 16 characters */
	for (i = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = b32[i];
	}
	out[o] = '\0';
	return 0;
}

/* The id a public part's proofs are bound to before the ceremony id
 * exists: H("ceremony-part", u32 n, u32 k, contribution). */
static int
part_id(uint8_t out[CEREMONY_ID_LEN], uint32_t n, uint32_t k,
    const uint8_t contribution[CEREMONY_CONTRIBUTION_LEN])
{
	uint8_t nb[4], kb[4];
	struct hash_part parts[3] = {{nb, 4}, {kb, 4},
	    {contribution, CEREMONY_CONTRIBUTION_LEN}};

	u32be(nb, n);
	u32be(kb, k);
	return hash_tagged(out, "ceremony-part", parts, 3);
}

struct bind_buf {
	uint8_t id[CEREMONY_ID_LEN];
	uint8_t subject[4];
	struct proof_bind bind;
};

static int
bind_make(struct bind_buf *b, uint32_t n, uint32_t k,
    const uint8_t contribution[CEREMONY_CONTRIBUTION_LEN], uint32_t trustee,
    uint32_t kind, uint32_t index)
{
	int ret;

	if ((ret = part_id(b->id, n, k, contribution)) != 0)
		return ret;
	u32be(b->subject, trustee);
	b->bind.election_hash = b->id;
	b->bind.subject = b->subject;
	b->bind.subject_len = 4;
	b->bind.kind = kind;
	b->bind.contest = 0;
	b->bind.index = index;
	return 0;
}

/* ------------------------------------------------------- trustee state */

int
ceremony_trustee_new(struct ceremony_trustee **out, uint32_t index,
    uint32_t n, uint32_t k)
{
	struct ceremony_trustee *t;
	uint32_t l;
	int ret;

	*out = NULL;
	if ((ret = ceremony_check_params(n, k)) != 0)
		return ret;
	if (index < 1 || index > n)
		return TALLY_ERR_INVALID_ARG;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->coef = calloc(k, sizeof(*t->coef))) == NULL) {
		free(t);
		return TALLY_ERR_NOMEM;
	}
	t->index = index;
	t->n = n;
	t->k = k;
	ret = TALLY_ERR_NOMEM;
	for (l = 0; l < k; l++)
		if ((t->coef[l] = group_scalar_new()) == NULL ||
		    (ret = group_scalar_random(t->coef[l])) != 0)
			goto out;
	if ((t->transport = group_scalar_new()) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = group_scalar_random(t->transport)) != 0)
		goto out;
	ret = RAND_priv_bytes(t->sign_seed, ED_LEN) == 1 &&
	    RAND_bytes(t->contribution, CEREMONY_CONTRIBUTION_LEN) == 1 ? 0 :
	    TALLY_ERR_CRYPTO;
out:
	if (ret != 0)
		ceremony_trustee_free(t);
	else
		*out = t;
	return ret;
}

void
ceremony_trustee_free(struct ceremony_trustee *t)
{
	uint32_t l;

	if (t == NULL)
		return;
	if (t->coef != NULL)
		for (l = 0; l < t->k; l++)
			group_scalar_free(t->coef[l]);
	free(t->coef);
	group_scalar_free(t->transport);
	OPENSSL_cleanse(t->sign_seed, sizeof(t->sign_seed));
	OPENSSL_cleanse(t->contribution, sizeof(t->contribution));
	free(t);
}

int
ceremony_trustee_encode(const struct ceremony_trustee *t, uint8_t **out,
    size_t *len)
{
	size_t n = STATE_LEN(t->k), off;
	uint8_t *p;
	uint32_t l;
	int ret = 0;

	if ((p = calloc(1, n)) == NULL)
		return TALLY_ERR_NOMEM;
	memcpy(p, STATE_MAGIC, 4);
	u32be(p + 4, t->index);
	u32be(p + 8, t->n);
	u32be(p + 12, t->k);
	off = 16;
	for (l = 0; l < t->k && ret == 0; l++, off += GROUP_SCALAR_LEN)
		ret = group_scalar_encode(p + off, t->coef[l]);
	if (ret == 0)
		ret = group_scalar_encode(p + off, t->transport);
	off += GROUP_SCALAR_LEN;
	memcpy(p + off, t->sign_seed, ED_LEN);
	memcpy(p + off + ED_LEN, t->contribution, CEREMONY_CONTRIBUTION_LEN);
	if (ret != 0) {
		util_freezero(p, n);
		return ret;
	}
	*out = p;
	*len = n;
	return 0;
}

int
ceremony_trustee_decode(struct ceremony_trustee **out, const uint8_t *p,
    size_t len)
{
	struct ceremony_trustee *t = NULL;
	uint32_t index, n, k, l;
	size_t off = 16;
	int ret;

	*out = NULL;
	if (len < 16)
		return TALLY_ERR_TRUNCATED;
	if (memcmp(p, STATE_MAGIC_V1, 4) == 0)
		return TALLY_ERR_VERSION;	/* no contribution: start again */
	if (memcmp(p, STATE_MAGIC, 4) != 0)
		return TALLY_ERR_DECODE;
	index = get_u32be(p + 4);
	n = get_u32be(p + 8);
	k = get_u32be(p + 12);
	if (ceremony_check_params(n, k) != 0 || index < 1 || index > n)
		return TALLY_ERR_DECODE;
	if (len < STATE_LEN(k))
		return TALLY_ERR_TRUNCATED;
	if (len > STATE_LEN(k))
		return TALLY_ERR_TRAILING;
	if ((ret = ceremony_trustee_new(&t, index, n, k)) != 0)
		return ret;
	for (l = 0; l < k && ret == 0; l++, off += GROUP_SCALAR_LEN)
		ret = group_scalar_decode(t->coef[l], p + off,
		    GROUP_SCALAR_LEN);
	if (ret == 0)
		ret = group_scalar_decode(t->transport, p + off,
		    GROUP_SCALAR_LEN);
	off += GROUP_SCALAR_LEN;
	memcpy(t->sign_seed, p + off, ED_LEN);
	memcpy(t->contribution, p + off + ED_LEN, CEREMONY_CONTRIBUTION_LEN);
	if (ret != 0) {
		ceremony_trustee_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

/* --------------------------------------------------------- public part */

struct public_build {
	Tally__TrusteePublic msg;
	uint8_t (*cbuf)[GROUP_POINT_LEN];
	ProtobufCBinaryData *cm;
	Tally__SchnorrProof *pr;
	Tally__SchnorrProof **prp;
	Tally__SchnorrProof tproof;
	uint8_t tkey[GROUP_POINT_LEN];
	uint8_t skey[ED_LEN];
	uint8_t sig[SIG_LEN];
};

static void
public_build_clear(struct public_build *b, uint32_t k)
{
	uint32_t l;

	if (b->pr != NULL)
		for (l = 0; l < k; l++)
			schnorr_clear(&b->pr[l]);
	schnorr_clear(&b->tproof);
	free(b->cbuf);
	free(b->cm);
	free(b->pr);
	free(b->prp);
}

/* Commit to x with a Schnorr proof: buf = xG, pr proves knowledge of x. */
static int
commit_prove(uint8_t buf[GROUP_POINT_LEN], Tally__SchnorrProof *pr,
    const BIGNUM *x, const struct proof_bind *bind)
{
	EC_POINT *X;
	int ret;

	if ((X = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_mul_g(X, x)) == 0 &&
	    (ret = group_point_encode(buf, X)) == 0)
		ret = schnorr_prove(pr, x, X, bind);
	group_point_free(X);
	return ret;
}

static int
public_fill(struct public_build *b, const struct ceremony_trustee *t)
{
	struct bind_buf bb;
	uint32_t l, k = t->k;
	int ret;

	if ((b->cbuf = calloc(k, sizeof(*b->cbuf))) == NULL ||
	    (b->cm = calloc(k, sizeof(*b->cm))) == NULL ||
	    (b->pr = calloc(k, sizeof(*b->pr))) == NULL ||
	    (b->prp = calloc(k, sizeof(*b->prp))) == NULL)
		return TALLY_ERR_NOMEM;
	for (l = 0; l < k; l++) {
		tally__schnorr_proof__init(&b->pr[l]);
		if ((ret = bind_make(&bb, t->n, k, t->contribution, t->index,
		    PROOF_COEFFICIENT, l)) != 0 ||
		    (ret = commit_prove(b->cbuf[l], &b->pr[l], t->coef[l],
		    &bb.bind)) != 0)
			return ret;
		b->cm[l].data = b->cbuf[l];
		b->cm[l].len = GROUP_POINT_LEN;
		b->prp[l] = &b->pr[l];
	}
	if ((ret = bind_make(&bb, t->n, k, t->contribution, t->index,
	    PROOF_TRANSPORT, 0)) != 0 ||
	    (ret = commit_prove(b->tkey, &b->tproof, t->transport,
	    &bb.bind)) != 0)
		return ret;
	return ed25519_public_from_private(b->skey, t->sign_seed);
}

int
ceremony_public_make(const struct ceremony_trustee *t, const char *name,
    uint8_t **out, size_t *len)
{
	struct public_build b;
	uint8_t *unsigned_msg = NULL;
	size_t ulen;
	int ret;

	*out = NULL;
	if (name != NULL && strlen(name) > CEREMONY_NAME_MAX)
		return TALLY_ERR_TOO_LARGE;
	memset(&b, 0, sizeof(b));
	tally__trustee_public__init(&b.msg);
	tally__schnorr_proof__init(&b.tproof);
	if ((ret = public_fill(&b, t)) != 0)
		goto out;
	b.msg.index = t->index;
	b.msg.name = (char *)(name ? name : "");
	b.msg.transport_key = (ProtobufCBinaryData){GROUP_POINT_LEN, b.tkey};
	b.msg.signing_key = (ProtobufCBinaryData){ED_LEN, b.skey};
	b.msg.n_commitments = t->k;
	b.msg.commitments = b.cm;
	b.msg.n_proofs = t->k;
	b.msg.proofs = b.prp;
	b.msg.transport_proof = &b.tproof;
	b.msg.contribution = (ProtobufCBinaryData){CEREMONY_CONTRIBUTION_LEN,
	    (uint8_t *)t->contribution};
	if ((ret = pack_alloc(&b.msg.base, &unsigned_msg, &ulen)) != 0 ||
	    (ret = ed25519_sign(b.sig, t->sign_seed, unsigned_msg, ulen)) != 0)
		goto out;
	b.msg.signature = (ProtobufCBinaryData){SIG_LEN, b.sig};
	ret = pack_alloc(&b.msg.base, out, len);
out:
	free(unsigned_msg);
	public_build_clear(&b, t->k);
	return ret;
}

static int
schnorr_check(const ProtobufCBinaryData *Xb, const Tally__SchnorrProof *pr,
    const struct proof_bind *bind)
{
	EC_POINT *X;
	int ret;

	if (pr == NULL)
		return TALLY_ERR_DECODE;
	if ((X = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_point_decode(X, Xb->data, Xb->len)) == 0)
		ret = schnorr_verify(pr, X, bind);
	group_point_free(X);
	return ret;
}

/* Everything about an unpacked TrusteePublic except its canonical form. */
static int
public_verify(const Tally__TrusteePublic *pub, uint32_t n, uint32_t k,
    uint32_t want)
{
	Tally__TrusteePublic tmp;
	struct bind_buf bb;
	uint8_t *m = NULL;
	size_t mlen;
	uint32_t l;
	int ret;

	if (pub->index < 1 || pub->index > n ||
	    (want != 0 && pub->index != want) ||
	    (pub->name != NULL && strlen(pub->name) > CEREMONY_NAME_MAX) ||
	    pub->n_commitments != k || pub->n_proofs != k ||
	    pub->signing_key.len != ED_LEN ||
	    pub->contribution.len != CEREMONY_CONTRIBUTION_LEN)
		return TALLY_ERR_CEREMONY;
	for (l = 0; l < k; l++)
		if ((ret = bind_make(&bb, n, k, pub->contribution.data,
		    pub->index, PROOF_COEFFICIENT, l)) != 0 ||
		    (ret = schnorr_check(&pub->commitments[l], pub->proofs[l],
		    &bb.bind)) != 0)
			return ret;
	if ((ret = bind_make(&bb, n, k, pub->contribution.data, pub->index,
	    PROOF_TRANSPORT, 0)) != 0 ||
	    (ret = schnorr_check(&pub->transport_key, pub->transport_proof,
	    &bb.bind)) != 0)
		return ret;
	tmp = *pub;
	tmp.signature = (ProtobufCBinaryData){0, NULL};
	if ((ret = pack_alloc(&tmp.base, &m, &mlen)) != 0)
		return ret;
	ret = ed25519_verify(pub->signing_key.data, m, mlen,
	    pub->signature.data, pub->signature.len);
	free(m);
	return ret;
}

int
ceremony_public_open(Tally__TrusteePublic **out, const uint8_t *p,
    size_t len, uint32_t n, uint32_t k, uint32_t want_index)
{
	Tally__TrusteePublic *pub;
	int ret;

	*out = NULL;
	if ((ret = ceremony_check_params(n, k)) != 0)
		return ret;
	if (len > CEREMONY_MSG_MAX)
		return TALLY_ERR_TOO_LARGE;
	if ((pub = tally__trustee_public__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	if ((ret = canonical(&pub->base, p, len)) == 0)
		ret = public_verify(pub, n, k, want_index);
	if (ret != 0) {
		tally__trustee_public__free_unpacked(pub, NULL);
		return ret;
	}
	*out = pub;
	return 0;
}

/* -------------------------------------------------------------- shares */

int
ceremony_poly_eval(BIGNUM *out, const struct ceremony_trustee *t, uint32_t j)
{
	BIGNUM *x;
	uint32_t l;
	int ret;

	/* Horner: f(j) = (..(a_{k-1} j + a_{k-2}) j + ..) j + a_0. */
	if ((x = group_scalar_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_scalar_set_u64(x, j)) != 0 ||
	    BN_copy(out, t->coef[t->k - 1]) == NULL)
		goto out;
	for (l = t->k - 1; l > 0 && ret == 0; l--)
		if ((ret = group_scalar_mul(out, out, x)) == 0)
			ret = group_scalar_add(out, out, t->coef[l - 1]);
out:
	group_scalar_free(x);
	return ret;
}

/* The symmetric key and associated data of the share from -> to, given the
 * ECDH point Z = eT, the ephemeral E and the transport key T. */
static int
share_key(uint8_t key[AEAD_KEY_LEN], uint8_t aad[8],
    const uint8_t id[CEREMONY_ID_LEN], uint32_t from, uint32_t to,
    const EC_POINT *Z, const uint8_t *E, const uint8_t *T)
{
	uint8_t z[GROUP_POINT_LEN];
	uint8_t info[sizeof(SHARE_INFO) - 1 + 8 + 2 * GROUP_POINT_LEN], *q = info;
	int ret;

	u32be(aad, from);
	u32be(aad + 4, to);
	memcpy(q, SHARE_INFO, sizeof(SHARE_INFO) - 1);
	q += sizeof(SHARE_INFO) - 1;
	memcpy(q, aad, 8);
	memcpy(q + 8, E, GROUP_POINT_LEN);
	memcpy(q + 8 + GROUP_POINT_LEN, T, GROUP_POINT_LEN);
	if ((ret = group_point_encode(z, Z)) == 0)
		ret = aead_hkdf(key, AEAD_KEY_LEN, z, sizeof(z), id,
		    CEREMONY_ID_LEN, info, sizeof(info));
	OPENSSL_cleanse(z, sizeof(z));
	return ret;
}

struct seal_buf {
	uint8_t E[GROUP_POINT_LEN];
	uint8_t nonce[AEAD_NONCE_LEN];
	uint8_t sealed[SEALED_LEN];
	uint8_t sig[SIG_LEN];
	uint8_t s[GROUP_SCALAR_LEN];
	uint8_t key[AEAD_KEY_LEN];
	uint8_t aad[8];
};

/* Encrypt f_from(to) to the transport key T (encoded in to). */
static int
share_encrypt(struct seal_buf *sb, const struct ceremony_trustee *from,
    const Tally__TrusteePublic *to, const uint8_t id[CEREMONY_ID_LEN])
{
	EC_POINT *T = NULL, *E = NULL, *Z = NULL;
	BIGNUM *e = NULL, *s = NULL;
	int ret = TALLY_ERR_NOMEM;

	if ((T = group_point_new()) == NULL || (E = group_point_new()) == NULL ||
	    (Z = group_point_new()) == NULL || (e = group_scalar_new()) == NULL ||
	    (s = group_scalar_new()) == NULL)
		goto out;
	if ((ret = group_point_decode(T, to->transport_key.data,
	    to->transport_key.len)) != 0 ||
	    (ret = group_scalar_random(e)) != 0 ||
	    (ret = group_mul_g(E, e)) != 0 || (ret = group_mul(Z, T, e)) != 0 ||
	    (ret = group_point_encode(sb->E, E)) != 0 ||
	    (ret = share_key(sb->key, sb->aad, id, from->index, to->index, Z,
	    sb->E, to->transport_key.data)) != 0 ||
	    (ret = ceremony_poly_eval(s, from, to->index)) != 0 ||
	    (ret = group_scalar_encode(sb->s, s)) != 0)
		goto out;
	if (RAND_bytes(sb->nonce, sizeof(sb->nonce)) != 1) {
		ret = TALLY_ERR_CRYPTO;
		goto out;
	}
	ret = aead_seal(sb->sealed, sb->key, sb->nonce, sb->aad, 8, sb->s,
	    GROUP_SCALAR_LEN);
out:
	group_point_free(T);
	group_point_free(E);
	group_point_free(Z);
	group_scalar_free(e);
	group_scalar_free(s);
	return ret;
}

int
ceremony_share_seal(const struct ceremony_trustee *from,
    const Tally__TrusteePublic *to, const uint8_t id[CEREMONY_ID_LEN],
    uint8_t **out, size_t *len)
{
	Tally__EncryptedShare msg = TALLY__ENCRYPTED_SHARE__INIT;
	uint8_t idc[CEREMONY_ID_LEN];
	struct seal_buf sb;
	uint8_t *m = NULL;
	size_t mlen;
	int ret;

	*out = NULL;
	if (to->index < 1 || to->index > from->n || to->index == from->index ||
	    to->transport_key.len != GROUP_POINT_LEN)
		return TALLY_ERR_INVALID_ARG;
	memset(&sb, 0, sizeof(sb));
	if ((ret = share_encrypt(&sb, from, to, id)) != 0)
		goto out;
	memcpy(idc, id, sizeof(idc));
	msg.ceremony = (ProtobufCBinaryData){CEREMONY_ID_LEN, idc};
	msg.from = from->index;
	msg.to = to->index;
	msg.ephemeral = (ProtobufCBinaryData){GROUP_POINT_LEN, sb.E};
	msg.nonce = (ProtobufCBinaryData){AEAD_NONCE_LEN, sb.nonce};
	msg.sealed = (ProtobufCBinaryData){SEALED_LEN, sb.sealed};
	if ((ret = pack_alloc(&msg.base, &m, &mlen)) != 0 ||
	    (ret = ed25519_sign(sb.sig, from->sign_seed, m, mlen)) != 0)
		goto out;
	msg.signature = (ProtobufCBinaryData){SIG_LEN, sb.sig};
	ret = pack_alloc(&msg.base, out, len);
out:
	free(m);
	OPENSSL_cleanse(&sb, sizeof(sb));
	return ret;
}

int
ceremony_share_check(const BIGNUM *s, uint32_t j, const EC_POINT **C,
    size_t k)
{
	BIGNUM **pw = NULL, *jb = NULL;
	EC_POINT *lhs = NULL, *rhs = NULL;
	size_t l;
	int ret = TALLY_ERR_NOMEM;

	if (k < 1 || k > CEREMONY_MAX_TRUSTEES || j < 1)
		return TALLY_ERR_INVALID_ARG;
	if ((pw = calloc(k, sizeof(*pw))) == NULL ||
	    (jb = BN_new()) == NULL || (lhs = group_point_new()) == NULL ||
	    (rhs = group_point_new()) == NULL)
		goto out;
	for (l = 0; l < k; l++)
		if ((pw[l] = BN_new()) == NULL)
			goto out;
	if ((ret = group_scalar_set_u64(jb, j)) != 0 ||
	    (ret = group_scalar_set_u64(pw[0], 1)) != 0)
		goto out;
	for (l = 1; l < k; l++)
		if ((ret = group_scalar_mul(pw[l], pw[l - 1], jb)) != 0)
			goto out;
	if ((ret = group_mul_g(lhs, s)) != 0 ||
	    (ret = group_msm(rhs, NULL, k, C, (const BIGNUM **)pw)) != 0)
		goto out;
	ret = group_point_equal(lhs, rhs) ? 0 : TALLY_ERR_BAD_SHARE;
out:
	if (pw != NULL)
		for (l = 0; l < k; l++)
			BN_free(pw[l]);
	free(pw);
	BN_free(jb);
	group_point_free(lhs);
	group_point_free(rhs);
	return ret;
}

static int
share_signature_check(const Tally__EncryptedShare *msg,
    const Tally__TrusteePublic *from)
{
	Tally__EncryptedShare tmp = *msg;
	uint8_t *m;
	size_t mlen;
	int ret;

	tmp.signature = (ProtobufCBinaryData){0, NULL};
	if ((ret = pack_alloc(&tmp.base, &m, &mlen)) != 0)
		return ret;
	ret = ed25519_verify(from->signing_key.data, m, mlen,
	    msg->signature.data, msg->signature.len);
	free(m);
	return ret;
}

/* Decrypt the share of msg with me's transport secret into s. */
static int
share_decrypt(BIGNUM *s, const Tally__EncryptedShare *msg,
    const struct ceremony_trustee *me, const uint8_t id[CEREMONY_ID_LEN])
{
	EC_POINT *E = NULL, *T = NULL, *Z = NULL;
	uint8_t key[AEAD_KEY_LEN], aad[8], tb[GROUP_POINT_LEN];
	uint8_t pt[GROUP_SCALAR_LEN];
	int ret = TALLY_ERR_NOMEM;

	if (msg->ephemeral.len != GROUP_POINT_LEN ||
	    msg->nonce.len != AEAD_NONCE_LEN || msg->sealed.len != SEALED_LEN)
		return TALLY_ERR_DECODE;
	if ((E = group_point_new()) == NULL || (T = group_point_new()) == NULL ||
	    (Z = group_point_new()) == NULL)
		goto out;
	if ((ret = group_point_decode(E, msg->ephemeral.data,
	    msg->ephemeral.len)) != 0 ||
	    (ret = group_mul_g(T, me->transport)) != 0 ||
	    (ret = group_point_encode(tb, T)) != 0 ||
	    (ret = group_mul(Z, E, me->transport)) != 0 ||
	    (ret = share_key(key, aad, id, msg->from, msg->to, Z,
	    msg->ephemeral.data, tb)) != 0 ||
	    (ret = aead_open(pt, key, msg->nonce.data, aad, sizeof(aad),
	    msg->sealed.data, msg->sealed.len)) != 0)
		goto out;
	if (group_scalar_decode(s, pt, sizeof(pt)) != 0)
		ret = TALLY_ERR_BAD_SHARE;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(pt, sizeof(pt));
	group_point_free(E);
	group_point_free(T);
	group_point_free(Z);
	return ret;
}

int
ceremony_share_open(BIGNUM *share, const uint8_t *p, size_t len,
    const struct ceremony_trustee *me, const Tally__TrusteePublic *from,
    const uint8_t id[CEREMONY_ID_LEN])
{
	Tally__EncryptedShare *msg;
	struct points C = {NULL, 0};
	int ret;

	if (len > CEREMONY_MSG_MAX)
		return TALLY_ERR_TOO_LARGE;
	if (from->n_commitments != me->k)
		return TALLY_ERR_CEREMONY;
	if ((msg = tally__encrypted_share__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	if ((ret = canonical(&msg->base, p, len)) != 0)
		goto out;
	if (msg->from != from->index || msg->to != me->index) {
		ret = TALLY_ERR_CEREMONY;
		goto out;
	}
	if ((ret = share_signature_check(msg, from)) != 0)
		goto out;
	if (msg->ceremony.len != CEREMONY_ID_LEN ||
	    CRYPTO_memcmp(msg->ceremony.data, id, CEREMONY_ID_LEN) != 0) {
		ret = TALLY_ERR_FOREIGN;
		goto out;
	}
	if ((ret = share_decrypt(share, msg, me, id)) != 0 ||
	    (ret = points_decode(&C, from->commitments, me->k)) != 0)
		goto out;
	ret = ceremony_share_check(share, me->index, (const EC_POINT **)C.p,
	    me->k);
out:
	if (ret != 0)
		BN_clear(share);
	points_free(&C);
	tally__encrypted_share__free_unpacked(msg, NULL);
	return ret;
}

static int
point_is(const BIGNUM *x, const ProtobufCBinaryData *enc, EC_POINT *X)
{
	uint8_t buf[GROUP_POINT_LEN];
	int ret;

	if ((ret = group_mul_g(X, x)) != 0 ||
	    (ret = group_point_encode(buf, X)) != 0)
		return ret;
	return enc->len == GROUP_POINT_LEN &&
	    CRYPTO_memcmp(buf, enc->data, GROUP_POINT_LEN) == 0 ? 0 :
	    TALLY_ERR_FOREIGN;
}

int
ceremony_public_is_mine(const Tally__TrusteePublic *pub,
    const struct ceremony_trustee *t)
{
	uint8_t sk[ED_LEN];
	EC_POINT *X;
	uint32_t l;
	int ret;

	if (pub->index != t->index || pub->n_commitments != t->k ||
	    pub->contribution.len != CEREMONY_CONTRIBUTION_LEN ||
	    CRYPTO_memcmp(pub->contribution.data, t->contribution,
	    CEREMONY_CONTRIBUTION_LEN) != 0 || pub->signing_key.len != ED_LEN)
		return TALLY_ERR_FOREIGN;
	if ((ret = ed25519_public_from_private(sk, t->sign_seed)) != 0)
		return ret;
	if (CRYPTO_memcmp(sk, pub->signing_key.data, ED_LEN) != 0)
		return TALLY_ERR_FOREIGN;
	if ((X = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	ret = point_is(t->transport, &pub->transport_key, X);
	for (l = 0; l < t->k && ret == 0; l++)
		ret = point_is(t->coef[l], &pub->commitments[l], X);
	group_point_free(X);
	return ret;
}

int
ceremony_collect(BIGNUM *s, const struct ceremony_trustee *me,
    const Tally__TrusteePublic **pubs, const uint8_t **shares,
    const size_t *share_lens, uint32_t *culprit)
{
	uint8_t id[CEREMONY_ID_LEN];
	BIGNUM *x;
	uint32_t i;
	int ret = 0;

	*culprit = 0;
	if ((ret = ceremony_id(id, pubs, me->n, me->k)) != 0 ||
	    (ret = ceremony_public_is_mine(pubs[me->index - 1], me)) != 0)
		return ret;
	if ((x = group_scalar_new()) == NULL)
		return TALLY_ERR_NOMEM;
	BN_zero(s);
	for (i = 1; i <= me->n && ret == 0; i++) {
		if (pubs[i - 1]->index != i) {
			ret = TALLY_ERR_CEREMONY;
			*culprit = i;
		} else if (i == me->index)
			ret = ceremony_poly_eval(x, me, i);
		else if ((ret = ceremony_share_open(x, shares[i - 1],
		    share_lens[i - 1], me, pubs[i - 1], id)) != 0)
			*culprit = i;
		if (ret == 0)
			ret = group_scalar_add(s, s, x);
	}
	if (ret != 0)
		BN_clear(s);
	group_scalar_free(x);
	return ret;
}

/* ---------------------------------------------------------- transcript */

/* A_l = sum_i C_il; K = A_0; X_j = sum_l j^l A_l, encoded into
 * shares[j - 1] (n of them) and joint. */
static int
aggregate(const Tally__TrusteePublic **pubs, uint32_t n, uint32_t k,
    uint8_t (*shares)[GROUP_POINT_LEN], uint8_t joint[GROUP_POINT_LEN])
{
	struct points A = {NULL, 0}, C = {NULL, 0};
	BIGNUM **pw = NULL, *jb = NULL;
	EC_POINT *X = NULL;
	uint32_t i, l, j;
	int ret;

	if ((ret = points_alloc(&A, k)) != 0)
		return ret;
	for (i = 0; i < n && ret == 0; i++) {
		if (pubs[i]->n_commitments != k)
			ret = TALLY_ERR_CEREMONY;
		else if ((ret = points_decode(&C, pubs[i]->commitments, k)) == 0) {
			for (l = 0; l < k && ret == 0; l++)
				ret = group_add(A.p[l], A.p[l], C.p[l]);
			points_free(&C);
		}
	}
	if (ret != 0 || (ret = group_point_encode(joint, A.p[0])) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if ((pw = calloc(k, sizeof(*pw))) == NULL ||
	    (X = group_point_new()) == NULL)
		goto out;
	for (l = 0; l < k; l++)
		if ((pw[l] = BN_new()) == NULL)
			goto out;
	if ((jb = BN_new()) == NULL)
		goto out;
	ret = 0;
	for (j = 1; j <= n && ret == 0; j++) {
		if ((ret = group_scalar_set_u64(jb, j)) == 0)
			ret = group_scalar_set_u64(pw[0], 1);
		for (l = 1; l < k && ret == 0; l++)
			ret = group_scalar_mul(pw[l], pw[l - 1], jb);
		if (ret == 0)
			ret = group_msm(X, NULL, k, (const EC_POINT **)A.p,
			    (const BIGNUM **)pw);
		if (ret == 0)
			ret = group_point_encode(shares[j - 1], X);
	}
out:
	if (pw != NULL)
		for (l = 0; l < k; l++)
			BN_free(pw[l]);
	free(pw);
	BN_free(jb);
	group_point_free(X);
	points_free(&A);
	return ret;
}

int
ceremony_transcript_make(const Tally__TrusteePublic **pubs, uint32_t n,
    uint32_t k, uint8_t **out, size_t *len)
{
	Tally__CeremonyTranscript tr = TALLY__CEREMONY_TRANSCRIPT__INIT;
	uint8_t (*xs)[GROUP_POINT_LEN] = NULL, joint[GROUP_POINT_LEN];
	uint8_t id[CEREMONY_ID_LEN];
	ProtobufCBinaryData *ps = NULL;
	uint32_t i;
	int ret;

	*out = NULL;
	if ((ret = ceremony_check_params(n, k)) != 0)
		return ret;
	for (i = 0; i < n; i++)
		if (pubs[i]->index != i + 1)
			return TALLY_ERR_CEREMONY;
	if ((ret = ceremony_id(id, pubs, n, k)) != 0)
		return ret;
	if ((xs = calloc(n, sizeof(*xs))) == NULL ||
	    (ps = calloc(n, sizeof(*ps))) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = aggregate(pubs, n, k, xs, joint)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		ps[i] = (ProtobufCBinaryData){GROUP_POINT_LEN, xs[i]};
	tr.version = CEREMONY_VERSION;
	tr.trustees = n;
	tr.quorum = k;
	tr.n_members = n;
	tr.members = (Tally__TrusteePublic **)pubs;
	tr.n_public_shares = n;
	tr.public_shares = ps;
	tr.joint_key = (ProtobufCBinaryData){GROUP_POINT_LEN, joint};
	tr.ceremony = (ProtobufCBinaryData){CEREMONY_ID_LEN, id};
	ret = pack_alloc(&tr.base, out, len);
out:
	free(xs);
	free(ps);
	return ret;
}

static int
why_set(struct ceremony_why *why, int code, const char *check,
    uint32_t trustee, const char *reason)
{
	if (why != NULL) {
		why->check = check;
		why->trustee = trustee;
		why->reason = reason;
	}
	return code;
}

int
ceremony_transcript_digest(uint8_t out[32],
    const Tally__CeremonyTranscript *tr)
{
	Tally__CeremonyTranscript tmp = *tr;
	struct hash_part part;
	uint8_t *p;
	size_t len;
	int ret;

	tmp.n_signatures = 0;
	tmp.signatures = NULL;
	if ((ret = pack_alloc(&tmp.base, &p, &len)) != 0)
		return ret;
	part = (struct hash_part){p, len};
	ret = hash_tagged(out, "transcript", &part, 1);
	free(p);
	return ret;
}

/* Trustee i's (1..n) signature sig over the digest T. */
static int
signature_check(const Tally__CeremonyTranscript *tr, uint32_t i,
    const Tally__TranscriptSignature *sig, const uint8_t T[32])
{
	const Tally__TrusteePublic *pub = tr->members[i - 1];

	if (sig == NULL || sig->trustee != i)
		return TALLY_ERR_CEREMONY;
	return ed25519_verify(pub->signing_key.data, T, 32, sig->signature.data,
	    sig->signature.len);
}

/* Members, public shares, joint key, then the ceremony id; not the
 * signatures (the order of docs/record/checks.md). */
static int
transcript_body_verify(const Tally__CeremonyTranscript *tr,
    struct ceremony_why *why)
{
	uint8_t (*xs)[GROUP_POINT_LEN] = NULL, joint[GROUP_POINT_LEN];
	uint8_t id[CEREMONY_ID_LEN];
	uint32_t i, n = tr->trustees, k = tr->quorum;
	int ret;

	if (tr->version != CEREMONY_VERSION)
		return why_set(why, TALLY_ERR_VERSION, "transcript", 0,
		    "not a version 2 transcript");
	if ((ret = ceremony_check_params(n, k)) != 0 ||
	    tr->n_members != n || tr->n_public_shares != n ||
	    tr->joint_key.len != GROUP_POINT_LEN)
		return why_set(why, TALLY_ERR_CEREMONY, "transcript", 0,
		    "trustees, quorum, members or public shares do not agree");
	for (i = 0; i < n; i++)
		if ((ret = public_verify(tr->members[i], n, k, i + 1)) != 0)
			return why_set(why, ret, "transcript", i + 1,
			    "a member's public part does not check (proofs, "
			    "self-signature)");
	if ((xs = calloc(n, sizeof(*xs))) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = aggregate((const Tally__TrusteePublic **)tr->members, n, k,
	    xs, joint)) != 0)
		goto out;
	ret = why_set(why, TALLY_ERR_CEREMONY, "transcript", 0,
	    "the joint key is not the sum of the trustees' commitments");
	if (memcmp(joint, tr->joint_key.data, GROUP_POINT_LEN) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (tr->public_shares[i].len != GROUP_POINT_LEN ||
		    memcmp(xs[i], tr->public_shares[i].data,
		    GROUP_POINT_LEN) != 0) {
			ret = why_set(why, TALLY_ERR_CEREMONY, "transcript",
			    i + 1, "a public share is not the one the "
			    "commitments give");
			goto out;
		}
	if ((ret = ceremony_id(id, (const Tally__TrusteePublic **)tr->members,
	    n, k)) != 0) {
		ret = why_set(why, ret, "transcript", 0, "no ceremony id");
		goto out;
	}
	if (tr->ceremony.len != CEREMONY_ID_LEN ||
	    memcmp(id, tr->ceremony.data, CEREMONY_ID_LEN) != 0)
		ret = why_set(why, TALLY_ERR_CEREMONY, "ceremony-id", 0,
		    "the ceremony id is not H(\"ceremony\", n, k, "
		    "contributions)");
out:
	free(xs);
	return ret;
}

static int
transcript_verify(const Tally__CeremonyTranscript *tr, int want_signed,
    struct ceremony_why *why)
{
	uint8_t T[32];
	uint32_t i;
	int ret;

	if ((ret = transcript_body_verify(tr, why)) != 0)
		return ret;
	if (!want_signed)
		return tr->n_signatures == 0 ? 0 : why_set(why,
		    TALLY_ERR_CEREMONY, "transcript-signature", 0,
		    "already signed");
	if (tr->n_signatures != tr->trustees)
		return why_set(why, TALLY_ERR_CEREMONY, "transcript-signature",
		    0, "not one signature per trustee");
	if ((ret = ceremony_transcript_digest(T, tr)) != 0)
		return ret;
	for (i = 1; i <= tr->trustees; i++)
		if ((ret = signature_check(tr, i, tr->signatures[i - 1],
		    T)) != 0)
			return why_set(why, ret, "transcript-signature", i,
			    "a trustee's signature on the transcript does not "
			    "verify");
	return 0;
}

static int
transcript_unpack(Tally__CeremonyTranscript **out, const uint8_t *p,
    size_t len, int want_signed, struct ceremony_why *why)
{
	Tally__CeremonyTranscript *tr;
	int ret;

	*out = NULL;
	if (len > CEREMONY_MSG_MAX * 4)
		return why_set(why, TALLY_ERR_TOO_LARGE, "transcript", 0,
		    "too large");
	if ((tr = tally__ceremony_transcript__unpack(NULL, len, p)) == NULL)
		return why_set(why, TALLY_ERR_DECODE, "transcript", 0,
		    "does not decode");
	if ((ret = canonical(&tr->base, p, len)) != 0)
		ret = why_set(why, ret, "transcript", 0, "not canonical");
	else
		ret = transcript_verify(tr, want_signed, why);
	if (ret != 0) {
		tally__ceremony_transcript__free_unpacked(tr, NULL);
		return ret;
	}
	*out = tr;
	return 0;
}

int
ceremony_transcript_check(Tally__CeremonyTranscript **out, const uint8_t *p,
    size_t len, struct ceremony_why *why)
{
	return transcript_unpack(out, p, len, 1, why);
}

int
ceremony_transcript_open(Tally__CeremonyTranscript **out, const uint8_t *p,
    size_t len)
{
	return transcript_unpack(out, p, len, 1, NULL);
}

int
ceremony_transcript_sign(const struct ceremony_trustee *t, const uint8_t *p,
    size_t len, uint8_t **out, size_t *outlen)
{
	Tally__TranscriptSignature msg = TALLY__TRANSCRIPT_SIGNATURE__INIT;
	Tally__CeremonyTranscript *tr;
	uint8_t T[32], sig[SIG_LEN];
	int ret;

	*out = NULL;
	if ((ret = transcript_unpack(&tr, p, len, 0, NULL)) != 0)
		return ret;
	ret = TALLY_ERR_FOREIGN;
	if (tr->trustees != t->n || tr->quorum != t->k ||
	    (ret = ceremony_public_is_mine(tr->members[t->index - 1], t)) != 0)
		goto out;
	if ((ret = ceremony_transcript_digest(T, tr)) != 0 ||
	    (ret = ed25519_sign(sig, t->sign_seed, T, sizeof(T))) != 0)
		goto out;
	msg.trustee = t->index;
	msg.signature = (ProtobufCBinaryData){SIG_LEN, sig};
	ret = pack_alloc(&msg.base, out, outlen);
out:
	tally__ceremony_transcript__free_unpacked(tr, NULL);
	return ret;
}

int
ceremony_transcript_seal(const uint8_t *p, size_t len,
    const uint8_t **sigs, const size_t *siglens, uint32_t nsigs,
    uint8_t **out, size_t *outlen, uint32_t *culprit)
{
	Tally__CeremonyTranscript *tr;
	Tally__TranscriptSignature *sv[CEREMONY_MAX_TRUSTEES] = { NULL };
	uint8_t T[32];
	uint32_t i;
	int ret;

	*out = NULL;
	*culprit = 0;
	if ((ret = transcript_unpack(&tr, p, len, 0, NULL)) != 0)
		return ret;
	ret = TALLY_ERR_CEREMONY;
	if (nsigs != tr->trustees ||
	    (ret = ceremony_transcript_digest(T, tr)) != 0)
		goto out;
	for (i = 1; i <= nsigs && ret == 0; i++) {
		*culprit = i;
		if (siglens[i - 1] > 1024 || (sv[i - 1] =
		    tally__transcript_signature__unpack(NULL, siglens[i - 1],
		    sigs[i - 1])) == NULL)
			ret = TALLY_ERR_DECODE;
		else if ((ret = canonical(&sv[i - 1]->base, sigs[i - 1],
		    siglens[i - 1])) == 0)
			ret = signature_check(tr, i, sv[i - 1], T);
	}
	if (ret != 0)
		goto out;
	*culprit = 0;
	tr->n_signatures = nsigs;
	tr->signatures = sv;
	ret = pack_alloc(&tr->base, out, outlen);
	tr->n_signatures = 0;
	tr->signatures = NULL;
out:
	for (i = 0; i < CEREMONY_MAX_TRUSTEES; i++)
		if (sv[i] != NULL)
			tally__transcript_signature__free_unpacked(sv[i], NULL);
	tally__ceremony_transcript__free_unpacked(tr, NULL);
	return ret;
}

int
ceremony_joint_key(EC_POINT *K, const Tally__CeremonyTranscript *tr)
{
	return group_point_decode(K, tr->joint_key.data, tr->joint_key.len);
}

int
ceremony_public_share(EC_POINT *X, const Tally__CeremonyTranscript *tr,
    uint32_t i)
{
	if (i < 1 || i > tr->n_public_shares)
		return TALLY_ERR_INVALID_ARG;
	return group_point_decode(X, tr->public_shares[i - 1].data,
	    tr->public_shares[i - 1].len);
}

int
ceremony_secret_make(uint32_t index, const BIGNUM *s,
    const uint8_t transcript_hash[32], uint8_t **out, size_t *len)
{
	Tally__TrusteeSecret msg = TALLY__TRUSTEE_SECRET__INIT;
	uint8_t sb[GROUP_SCALAR_LEN], th[32];
	int ret;

	*out = NULL;
	if (index < 1 || index > CEREMONY_MAX_TRUSTEES)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = group_scalar_encode(sb, s)) != 0)
		return ret;
	memcpy(th, transcript_hash, sizeof(th));
	msg.version = CEREMONY_VERSION;
	msg.index = index;
	msg.share = (ProtobufCBinaryData){sizeof(sb), sb};
	msg.transcript_hash = (ProtobufCBinaryData){sizeof(th), th};
	ret = pack_alloc(&msg.base, out, len);
	OPENSSL_cleanse(sb, sizeof(sb));
	return ret;
}

int
ceremony_secret_open(uint32_t *index, BIGNUM *s, uint8_t transcript_hash[32],
    const uint8_t *p, size_t len)
{
	Tally__TrusteeSecret *msg;
	int ret;

	if (len > 1024)
		return TALLY_ERR_TOO_LARGE;
	if ((msg = tally__trustee_secret__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	if ((ret = canonical(&msg->base, p, len)) != 0)
		goto out;
	ret = TALLY_ERR_DECODE;
	if (msg->version != CEREMONY_VERSION)
		ret = TALLY_ERR_VERSION;
	else if (msg->index >= 1 && msg->index <= CEREMONY_MAX_TRUSTEES &&
	    msg->transcript_hash.len == 32 &&
	    (ret = group_scalar_decode(s, msg->share.data,
	    msg->share.len)) == 0) {
		*index = msg->index;
		memcpy(transcript_hash, msg->transcript_hash.data, 32);
	}
out:
	if (msg->share.data != NULL)
		OPENSSL_cleanse(msg->share.data, msg->share.len);
	tally__trustee_secret__free_unpacked(msg, NULL);
	return ret;
}

/* ---------------------------------------------------- threshold decrypt */

int
ceremony_partial_decrypt(EC_POINT *D, Tally__DleqProof *proof,
    const BIGNUM *s, const EC_POINT *A, const struct proof_bind *bind)
{
	EC_POINT *X;
	int ret;

	if ((X = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_mul_g(X, s)) == 0 && (ret = group_mul(D, A, s)) == 0)
		ret = dleq_prove(proof, s, A, X, D, bind);
	group_point_free(X);
	return ret;
}

int
ceremony_partial_verify(const Tally__DleqProof *proof, const EC_POINT *A,
    const EC_POINT *X, const EC_POINT *D, const struct proof_bind *bind)
{
	return dleq_verify(proof, A, X, D, bind);
}

static int
set_check(uint32_t i, const uint32_t *set, size_t k)
{
	size_t a, b;
	int found = 0;

	if (k < 1 || k > CEREMONY_MAX_TRUSTEES)
		return TALLY_ERR_INVALID_ARG;
	for (a = 0; a < k; a++) {
		if (set[a] == 0)
			return TALLY_ERR_INVALID_ARG;
		found |= set[a] == i;
		for (b = a + 1; b < k; b++)
			if (set[a] == set[b])
				return TALLY_ERR_SHARE_DUP;
	}
	return found ? 0 : TALLY_ERR_INVALID_ARG;
}

int
ceremony_lagrange(BIGNUM *out, uint32_t i, const uint32_t *set, size_t k)
{
	BIGNUM *num = NULL, *den = NULL, *x = NULL, *y = NULL;
	size_t a;
	int ret;

	if ((ret = set_check(i, set, k)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((num = BN_new()) == NULL || (den = BN_new()) == NULL ||
	    (x = BN_new()) == NULL || (y = BN_new()) == NULL)
		goto out;
	/* lambda_i = prod_{j != i} j / (j - i) mod q */
	if ((ret = group_scalar_set_u64(num, 1)) != 0 ||
	    (ret = group_scalar_set_u64(den, 1)) != 0 ||
	    (ret = group_scalar_set_u64(y, i)) != 0)
		goto out;
	for (a = 0; a < k && ret == 0; a++) {
		if (set[a] == i)
			continue;
		if ((ret = group_scalar_set_u64(x, set[a])) == 0 &&
		    (ret = group_scalar_mul(num, num, x)) == 0 &&
		    (ret = group_scalar_sub(x, x, y)) == 0)
			ret = group_scalar_mul(den, den, x);
	}
	if (ret == 0 && (ret = group_scalar_inv(den, den)) == 0)
		ret = group_scalar_mul(out, num, den);
out:
	BN_free(num);
	BN_free(den);
	BN_free(x);
	BN_free(y);
	return ret;
}

int
ceremony_combine(EC_POINT *out, const uint32_t *set, const EC_POINT **D,
    size_t k)
{
	BIGNUM **lam;
	size_t a;
	int ret = 0;

	if (k < 1 || k > CEREMONY_MAX_TRUSTEES)
		return TALLY_ERR_INVALID_ARG;
	if ((lam = calloc(k, sizeof(*lam))) == NULL)
		return TALLY_ERR_NOMEM;
	for (a = 0; a < k && ret == 0; a++)
		if ((lam[a] = BN_new()) == NULL)
			ret = TALLY_ERR_NOMEM;
		else
			ret = ceremony_lagrange(lam[a], set[a], set, k);
	if (ret == 0)
		ret = group_msm(out, NULL, k, D, (const BIGNUM **)lam);
	for (a = 0; a < k; a++)
		BN_free(lam[a]);
	free(lam);
	return ret;
}
