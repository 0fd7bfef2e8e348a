/* ballot.c: ballot encryption (terminal) and verification (daemon, auditor). */
#include "ballot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "group.h"
#include "hash.h"
#include "p256/scalar.h"
#include "pb.h"
#include "sign.h"
#include "util.h"
#include "writein.h"

/* ------------------------------------------------------------ H_E */

int
ballot_registry_check(const uint8_t *registry, size_t nreg)
{
	size_t i;

	for (i = 1; i < nreg; i++)
		if (memcmp(registry + 32 * (i - 1), registry + 32 * i, 32) >= 0)
			return TALLY_ERR_INVALID_ARG;
	return 0;
}

long
ballot_registry_find(const uint8_t *registry, size_t nreg,
    const uint8_t key[32])
{
	size_t lo = 0, hi = nreg, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(key, registry + 32 * mid, 32);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
ballot_registry_has(const uint8_t *registry, size_t nreg,
    const uint8_t key[32])
{
	return ballot_registry_find(registry, nreg, key) >= 0;
}

/* ----------------------------------------------------- binding */

static struct proof_bind
ballot_bind(const struct ballot_ctx *ctx, const uint8_t cred[32],
    uint32_t kind, uint32_t contest, uint32_t index)
{
	struct proof_bind b = {
		.election_hash = ctx->election_hash,
		.subject = cred,
		.subject_len = 32,
		.kind = kind,
		.contest = contest,
		.index = index,
	};
	return b;
}

/* Sum of the ciphertexts of a constraint's selections. */
static int
constraint_sum(struct elgamal_ct *sum, const struct manifest_constraint *con,
    const struct elgamal_ct *sel)
{
	size_t i;
	int ret;

	if ((ret = elgamal_ct_copy(sum, &sel[con->sel[0]])) != 0)
		return ret;
	for (i = 1; i < con->nsel; i++)
		if ((ret = elgamal_add(sum, sum, &sel[con->sel[i]])) != 0)
			return ret;
	return 0;
}

/* ------------------------------------------------------ encrypt */

/* Refuse marks that no valid ballot could prove. */
int
ballot_marks_check(const struct manifest *m, const uint8_t *marks,
    char *const *writeins)
{
	size_t i, j;
	uint32_t sum;

	for (i = 0; i < m->nsel; i++)
		if (marks[i] > 1)
			return TALLY_ERR_BAD_CHOICE;
	for (i = 0; i < m->ncon; i++) {
		sum = 0;
		for (j = 0; j < m->con[i].nsel; j++)
			sum += marks[m->con[i].sel[j]];
		if (sum > m->con[i].max)
			return TALLY_ERR_BAD_CHOICE;
	}
	/* A write-in name is only carried by a marked write-in slot. */
	for (i = 0; i < m->nsel; i++) {
		const struct manifest_selection *s = &m->sel[i];
		size_t slot;

		if (s->mark != MANIFEST_MARK_WRITEIN)
			continue;
		slot = m->contests[s->contest].wi_first + s->index;
		if (writeins != NULL && writeins[slot] != NULL && !marks[i])
			return TALLY_ERR_BAD_CHOICE;
	}
	return 0;
}

struct enc_state {
	Tally__BallotBody body;
	Tally__Ciphertext *cts;
	Tally__Ciphertext **ctp;
	Tally__RangeProof *sp, *cp;
	Tally__RangeProof **spp, **cpp;
	Tally__WriteIn *wi;
	Tally__WriteIn **wip;
	struct elgamal_ct *sel;
	BIGNUM **r;
	uint64_t (*rl)[4];	/* the randomness as limbs (enc_batched) */
	size_t nsel, ncon, nwi;
	uint8_t (*abuf)[2][33];
};

static void
enc_state_free(struct enc_state *st)
{
	size_t i;

	for (i = 0; st->sel != NULL && i < st->nsel; i++)
		elgamal_ct_clear(&st->sel[i]);
	for (i = 0; st->r != NULL && i < st->nsel; i++)
		group_scalar_free(st->r[i]);
	for (i = 0; st->sp != NULL && i < st->nsel; i++)
		range_proof_clear(&st->sp[i]);
	for (i = 0; st->cp != NULL && i < st->ncon; i++)
		range_proof_clear(&st->cp[i]);
	for (i = 0; st->wi != NULL && i < st->nwi; i++)
		writein_clear(&st->wi[i]);
	free(st->sel);
	free(st->r);
	if (st->rl != NULL)
		OPENSSL_clear_free(st->rl, (st->nsel + 1) * sizeof(*st->rl));
	free(st->cts);
	free(st->ctp);
	free(st->sp);
	free(st->spp);
	free(st->cp);
	free(st->cpp);
	free(st->wi);
	free(st->wip);
	free(st->abuf);
}

static int
enc_state_alloc(struct enc_state *st, const struct manifest *m)
{
	size_t i;

	st->nsel = m->nsel;
	st->ncon = m->ncon;
	st->nwi = m->nwriteins;
	st->sel = calloc(st->nsel, sizeof(*st->sel));
	st->r = calloc(st->nsel, sizeof(*st->r));
	st->cts = calloc(st->nsel, sizeof(*st->cts));
	st->ctp = calloc(st->nsel, sizeof(*st->ctp));
	st->sp = calloc(st->nsel, sizeof(*st->sp));
	st->spp = calloc(st->nsel, sizeof(*st->spp));
	st->cp = calloc(st->ncon, sizeof(*st->cp));
	st->cpp = calloc(st->ncon, sizeof(*st->cpp));
	st->wi = calloc(st->nwi + 1, sizeof(*st->wi));
	st->wip = calloc(st->nwi + 1, sizeof(*st->wip));
	st->abuf = calloc(st->nsel, sizeof(*st->abuf));
	if (!st->sel || !st->r || !st->cts || !st->ctp || !st->sp ||
	    !st->spp || (st->ncon && (!st->cp || !st->cpp)) || !st->wi ||
	    !st->wip || !st->abuf)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < st->nsel; i++) {
		tally__ciphertext__init(&st->cts[i]);
		tally__range_proof__init(&st->sp[i]);
		st->ctp[i] = &st->cts[i];
		st->spp[i] = &st->sp[i];
		if ((st->r[i] = group_scalar_new()) == NULL ||
		    elgamal_ct_init(&st->sel[i]) != 0)
			return TALLY_ERR_NOMEM;
	}
	for (i = 0; i < st->ncon; i++) {
		tally__range_proof__init(&st->cp[i]);
		st->cpp[i] = &st->cp[i];
	}
	for (i = 0; i < st->nwi; i++) {
		tally__write_in__init(&st->wi[i]);
		st->wip[i] = &st->wi[i];
	}
	return 0;
}

static int
enc_selections(struct enc_state *st, const struct ballot_ctx *ctx,
    const uint8_t cred[32], const uint8_t *marks)
{
	const struct manifest *m = ctx->m;
	struct proof_bind b;
	size_t i;
	int ret;

	for (i = 0; i < m->nsel; i++) {
		if ((ret = elgamal_encrypt(&st->sel[i], st->r[i],
			 ctx->joint_key, marks[i])) != 0 ||
		    (ret = elgamal_ct_encode(st->abuf[i][0], st->abuf[i][1],
			 &st->sel[i])) != 0)
			return ret;
		st->cts[i].a.data = st->abuf[i][0];
		st->cts[i].a.len = 33;
		st->cts[i].b.data = st->abuf[i][1];
		st->cts[i].b.len = 33;
		b = ballot_bind(ctx, cred, PROOF_SELECTION, m->sel[i].contest,
		    (uint32_t)i);
		if ((ret = range_proof_prove(&st->sp[i], ctx->joint_key,
			 &st->sel[i], marks[i], st->r[i], 1, &b)) != 0)
			return ret;
	}
	return 0;
}

static int
enc_constraints(struct enc_state *st, const struct ballot_ctx *ctx,
    const uint8_t cred[32], const uint8_t *marks)
{
	const struct manifest *m = ctx->m;
	const struct manifest_constraint *con;
	struct elgamal_ct sum = {NULL, NULL};
	struct proof_bind b;
	BIGNUM *r = group_scalar_new();
	uint64_t v;
	size_t i, j;
	int ret = TALLY_ERR_NOMEM;

	if (r == NULL || (ret = elgamal_ct_init(&sum)) != 0)
		goto out;
	for (i = 0; i < m->ncon; i++) {
		con = &m->con[i];
		BN_zero(r);
		v = 0;
		for (j = 0; j < con->nsel; j++) {
			v += marks[con->sel[j]];
			if ((ret = group_scalar_add(r, r,
				 st->r[con->sel[j]])) != 0)
				goto out;
		}
		if ((ret = constraint_sum(&sum, con, st->sel)) != 0)
			goto out;
		b = ballot_bind(ctx, cred, PROOF_CONSTRAINT, con->contest,
		    (uint32_t)i);
		if ((ret = range_proof_prove(&st->cp[i], ctx->joint_key, &sum,
			 v, r, con->max, &b)) != 0)
			goto out;
	}
	ret = 0;
out:
	elgamal_ct_clear(&sum);
	group_scalar_free(r);
	return ret;
}

/* The name a slot encrypts (normalised, "" for none; free with
 * writein_name_free), or the error as enc_writein returns it. */
static int
enc_writein_name(char **out, const char *name)
{
	char *norm = NULL;
	int ret;

	*out = NULL;
	if (name == NULL)
		name = "";
	if ((ret = manifest_name_normalize(name, strlen(name), &norm)) != 0)
		return ret == TALLY_ERR_DECODE ? TALLY_ERR_INVALID_ARG : ret;
	if (norm[0] == '\0' && name[0] != '\0') {
		free(norm);
		return TALLY_ERR_BAD_CHOICE;
	}
	*out = norm;
	return 0;
}

static void
writein_name_free(char *norm)
{
	if (norm == NULL)
		return;
	OPENSSL_cleanse(norm, strlen(norm));
	free(norm);
}

/*
 * The selections and the constraints with every point computed at once by
 * the fixed-base tables of G and K (p256_comb_mul): first the randomness,
 * nonces and simulated branches of every proof and the products to
 * compute, then all the products together, then the challenges and
 * responses. A constraint's ciphertext, the sum of its selections', is
 * computed from the sums of their randomness and marks (r_sum G,
 * r_sum K + v G), the same points; the write-ins' points too
 * (writein_encrypt_begin/end). The scalars are limbs modulo q
 * (p256/scalar.h, constant time); a selection's randomness is kept in
 * st->rl. P256_COMB_EXCEPTIONAL when the tables met an exceptional
 * addition (negligible): the caller starts again without them.
 */
static int
enc_batched(struct enc_state *st, const struct ballot_ctx *ctx,
    const uint8_t cred[32], const uint8_t *marks, char *const *writeins,
    struct ballot_secrets *sec, const struct p256_comb *kt,
    const uint8_t kb[33])
{
	const struct manifest *m = ctx->m;
	const struct p256_comb *gt = p256_comb_generator();
	struct p256_comb_term (*terms)[2] = NULL;
	uint8_t (*enc)[GROUP_POINT_LEN] = NULL;
	struct range_pending **pend = NULL;
	struct writein_pending **wpend = NULL;
	uint64_t rsum[4];
	size_t *at = NULL, np = m->nsel + m->ncon, nt = 0, i, j, k, kw, c;
	size_t slot;
	char *norm = NULL;
	struct group_rand rnd;
	struct proof_bind b;
	uint64_t v;
	int ret = TALLY_ERR_NOMEM;

	if (gt == NULL)
		return TALLY_ERR_NOMEM;
	group_rand_init(&rnd);
	/* per proof: a ciphertext (2 points), then its commitments and the
	 * products of its simulated branches */
	nt = (2 + PROOF_RANGE_TERMS(1)) * m->nsel;
	for (i = 0; i < m->ncon; i++)
		nt += 2 + PROOF_RANGE_TERMS(m->con[i].max);
	/* then the write-ins' */
	nt += WRITEIN_TERMS * m->nwriteins;
	if ((terms = calloc(nt, sizeof(*terms))) == NULL ||
	    (wpend = calloc(m->nwriteins + 1, sizeof(*wpend))) == NULL ||
	    (enc = calloc(nt, sizeof(*enc))) == NULL ||
	    (pend = calloc(np, sizeof(*pend))) == NULL ||
	    (at = calloc(np, sizeof(*at))) == NULL ||
	    (st->rl = calloc(m->nsel + 1, sizeof(*st->rl))) == NULL)
		goto out;
	for (i = 0, k = 0; i < np; i++) {
		const uint64_t *r;
		uint32_t max;

		if (i < m->nsel) {
			if ((ret = group_scalar_random_limbs(st->rl[i],
			    &rnd)) != 0)
				goto out;
			r = st->rl[i];
			v = marks[i];
			max = 1;
		} else {
			const struct manifest_constraint *con =
			    &m->con[i - m->nsel];

			memset(rsum, 0, sizeof(rsum));
			for (j = 0, v = 0; j < con->nsel; j++) {
				v += marks[con->sel[j]];
				p256_sc_add(rsum, rsum, st->rl[con->sel[j]]);
			}
			r = rsum;
			max = con->max;
		}
		/* a = rG, b = rK + vG */
		at[i] = k;
		terms[k][0].tab = gt;
		terms[k + 1][0].tab = kt;
		terms[k + 1][1].tab = gt;
		terms[k + 1][1].k[0] = v;
		/* by the public bound, not by v */
		terms[k + 1][1].small = max <= 16;
		memcpy(terms[k][0].k, r, 4 * sizeof(*r));
		memcpy(terms[k + 1][0].k, r, 4 * sizeof(*r));
		if ((ret = range_proof_begin(&pend[i],
		    i < m->nsel ? &st->sp[i] : &st->cp[i - m->nsel],
		    terms + k + 2, k + 2, gt, kt, v, r, max, &rnd)) != 0)
			goto out;
		k += 2 + PROOF_RANGE_TERMS(max);
	}
	/* write-in slot s at kw + WRITEIN_TERMS s */
	kw = k;
	for (c = 0; c < m->ncontests; c++) {
		for (j = 0; j < m->contests[c].writein_slots; j++) {
			slot = m->contests[c].wi_first + j;
			if ((ret = enc_writein_name(&norm, writeins != NULL ?
			    writeins[slot] : NULL)) != 0 ||
			    (ret = writein_encrypt_begin(&wpend[slot], norm,
			    terms + kw + WRITEIN_TERMS * slot, gt, kt,
			    &rnd)) != 0)
				goto out;
			if (sec != NULL && writeins != NULL &&
			    writeins[slot] != NULL)
				snprintf(sec->names[slot], WRITEIN_NAME_MAX + 1,
				    "%s", norm);
			writein_name_free(norm);
			norm = NULL;
		}
	}
	ret = p256_comb_mul(enc, nt, (const struct p256_comb_term(*)[2])terms);
	OPENSSL_cleanse(terms, nt * sizeof(*terms));
	if (ret != 0)
		goto out;
	for (i = 0; i < np; i++) {
		k = at[i];
		if (i < m->nsel) {
			memcpy(st->abuf[i][0], enc[k], GROUP_POINT_LEN);
			memcpy(st->abuf[i][1], enc[k + 1], GROUP_POINT_LEN);
			st->cts[i].a.data = st->abuf[i][0];
			st->cts[i].a.len = 33;
			st->cts[i].b.data = st->abuf[i][1];
			st->cts[i].b.len = 33;
			b = ballot_bind(ctx, cred, PROOF_SELECTION,
			    m->sel[i].contest, (uint32_t)i);
			ret = range_proof_end(&st->sp[i], pend[i], enc + k + 2,
			    kb, enc[k], enc[k + 1], &b);
		} else {
			j = i - m->nsel;
			b = ballot_bind(ctx, cred, PROOF_CONSTRAINT,
			    m->con[j].contest, (uint32_t)j);
			ret = range_proof_end(&st->cp[j], pend[i], enc + k + 2,
			    kb, enc[k], enc[k + 1], &b);
		}
		if (ret != 0)
			goto out;
	}
	for (c = 0; c < m->ncontests; c++) {
		for (j = 0; j < m->contests[c].writein_slots; j++) {
			slot = m->contests[c].wi_first + j;
			b = ballot_bind(ctx, cred, PROOF_WRITEIN, (uint32_t)c,
			    (uint32_t)slot);
			if ((ret = writein_encrypt_end(&st->wi[slot],
			    wpend[slot], (const uint8_t(*)[GROUP_POINT_LEN])
			    enc + kw + WRITEIN_TERMS * slot, &b,
			    sec != NULL ? sec->wr + WRITEIN_POINTS * slot :
			    NULL)) != 0)
				goto out;
		}
	}
	ret = 0;
out:
	writein_name_free(norm);
	for (i = 0; wpend != NULL && i < m->nwriteins; i++)
		writein_pending_free(wpend[i]);
	free(wpend);
	OPENSSL_cleanse(rsum, sizeof(rsum));
	if (terms != NULL)
		OPENSSL_clear_free(terms, nt * sizeof(*terms));
	/* past each proof's published t and u, its E_k = c_k (k - m) G,
	 * from which and the published c_k the mark would follow */
	if (enc != NULL)
		OPENSSL_clear_free(enc, nt * sizeof(*enc));
	for (i = 0; pend != NULL && i < np; i++)
		range_pending_free(pend[i]);
	free(pend);
	free(at);
	group_rand_clear(&rnd);
	return ret;
}

/*
 * Encrypt the name exactly as the count will compare it: NFC, spaces
 * trimmed (manifest_name_normalize), so that two spellings of one name
 * cannot be told apart once decrypted. A name of only spaces normalises to
 * nothing and is refused (E_BAD_CHOICE): "" is the one spelling of a
 * marked-but-empty slot (RULES.md step 6). An unused slot encrypts "".
 */
static int
enc_writein(Tally__WriteIn *w, const struct ballot_ctx *ctx,
    const char *name, const struct proof_bind *b, uint8_t (*r_out)[32],
    char *name_out)
{
	char *norm = NULL;
	int ret;

	if (name == NULL)
		return writein_encrypt_r(w, ctx->joint_key, "", b, r_out);
	if ((ret = enc_writein_name(&norm, name)) != 0)
		return ret;
	if ((ret = writein_encrypt_r(w, ctx->joint_key, norm, b,
	    r_out)) == 0 && name_out != NULL)
		snprintf(name_out, WRITEIN_NAME_MAX + 1, "%s", norm);
	writein_name_free(norm);
	return ret;
}

static int
enc_writeins(struct enc_state *st, const struct ballot_ctx *ctx,
    const uint8_t cred[32], char *const *writeins, struct ballot_secrets *sec)
{
	const struct manifest *m = ctx->m;
	struct proof_bind b;
	size_t c, s, slot;
	int ret;

	for (c = 0; c < m->ncontests; c++) {
		for (s = 0; s < m->contests[c].writein_slots; s++) {
			slot = m->contests[c].wi_first + s;
			b = ballot_bind(ctx, cred, PROOF_WRITEIN, (uint32_t)c,
			    (uint32_t)slot);
			if ((ret = enc_writein(&st->wi[slot], ctx,
			    writeins ? writeins[slot] : NULL, &b,
			    sec != NULL ? sec->wr + WRITEIN_POINTS * slot : NULL,
			    sec != NULL ? sec->names[slot] : NULL)) != 0)
				return ret;
		}
	}
	return 0;
}

static int
enc_pack_signed(uint8_t **out, size_t *outlen, struct enc_state *st,
    EVP_PKEY *cred_key)
{
	Tally__Ballot ballot = TALLY__BALLOT__INIT;
	uint8_t sig[ED25519_SIG_LEN], *body = NULL, *buf = NULL;
	size_t blen, len;
	int ret = TALLY_ERR_NOMEM;

	blen = tally__ballot_body__get_packed_size(&st->body);
	if ((body = calloc(1, blen + 1)) == NULL)
		goto out;
	tally__ballot_body__pack(&st->body, body);
	if ((ret = ed25519_sign_key(sig, cred_key, body, blen)) != 0)
		goto out;
	ballot.body.data = body;
	ballot.body.len = blen;
	ballot.signature.data = sig;
	ballot.signature.len = sizeof(sig);
	len = tally__ballot__get_packed_size(&ballot);
	if ((buf = calloc(1, len + 1)) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	tally__ballot__pack(&ballot, buf);
	*out = buf;
	*outlen = len;
	ret = 0;
out:
	free(body);
	return ret;
}

void
ballot_secrets_clear(struct ballot_secrets *sec)
{
	if (sec == NULL)
		return;
	util_freezero(sec->marks, sec->nsel);
	util_freezero(sec->r, sec->nsel * sizeof(*sec->r));
	util_freezero(sec->wr, sec->nwi * WRITEIN_POINTS * sizeof(*sec->wr));
	util_freezero(sec->names, sec->nwi * sizeof(*sec->names));
	memset(sec, 0, sizeof(*sec));
}

static int
secrets_alloc(struct ballot_secrets *sec, const struct manifest *m,
    const uint8_t *marks, char *const *writeins)
{
	size_t i;

	memset(sec, 0, sizeof(*sec));
	sec->marks = calloc(m->nsel + 1, 1);
	sec->r = calloc(m->nsel + 1, sizeof(*sec->r));
	sec->wr = calloc(m->nwriteins * WRITEIN_POINTS + 1, sizeof(*sec->wr));
	sec->names = calloc(m->nwriteins + 1, sizeof(*sec->names));
	sec->nsel = m->nsel;
	sec->nwi = m->nwriteins;
	if (sec->marks == NULL || sec->r == NULL || sec->wr == NULL ||
	    sec->names == NULL)
		return TALLY_ERR_NOMEM;
	memcpy(sec->marks, marks, m->nsel);
	for (i = 0; writeins != NULL && i < m->nwriteins; i++)
		if (writeins[i] != NULL && strlen(writeins[i]) <=
		    WRITEIN_NAME_MAX)
			memcpy(sec->names[i], writeins[i],
			    strlen(writeins[i]));
	return 0;
}

static int
secrets_fill(struct ballot_secrets *sec, const struct enc_state *st)
{
	size_t i;
	int ret;

	for (i = 0; i < st->nsel; i++) {
		if (st->rl != NULL)
			p256_sc_to_be(sec->r[i], st->rl[i]);
		else if ((ret = group_scalar_encode(sec->r[i],
		    st->r[i])) != 0)
			return ret;
	}
	return 0;
}

int
ballot_encrypt(uint8_t **out, size_t *outlen, const struct ballot_ctx *ctx,
    const uint8_t cred_sk[32], const uint8_t *marks, char *const *writeins)
{
	return ballot_encrypt_open(out, outlen, ctx, cred_sk, marks, writeins,
	    NULL);
}

int
ballot_encrypt_open(uint8_t **out, size_t *outlen,
    const struct ballot_ctx *ctx, const uint8_t cred_sk[32],
    const uint8_t *marks, char *const *writeins, struct ballot_secrets *sec)
{
	const struct p256_comb *kt = NULL;
	struct enc_state st;
	uint8_t cred[32], kb[GROUP_POINT_LEN];
	EVP_PKEY *cred_key = NULL;
	int ret;

	*out = NULL;
	*outlen = 0;
	memset(&st, 0, sizeof(st));
	if (sec != NULL)
		memset(sec, 0, sizeof(*sec));
	if ((ret = ballot_marks_check(ctx->m, marks, writeins)) != 0)
		return ret;
	/* the credential's key, set up once for its public key and the
	 * signature */
	if ((ret = ed25519_key_new(&cred_key, cred, cred_sk)) != 0)
		return ret;
	if (sec != NULL && (ret = secrets_alloc(sec, ctx->m, marks,
	    writeins)) != 0)
		goto out;
	if ((ret = enc_state_alloc(&st, ctx->m)) != 0)
		goto out;
	if (!ctx->plain &&
	    group_point_encode(kb, ctx->joint_key) == 0 &&
	    (kt = p256_comb_cached(kb)) != NULL) {
		ret = enc_batched(&st, ctx, cred, marks, writeins, sec, kt,
		    kb);
		if (ret == P256_COMB_EXCEPTIONAL) {
			/* start again without the tables */
			enc_state_free(&st);
			memset(&st, 0, sizeof(st));
			if ((ret = enc_state_alloc(&st, ctx->m)) == 0)
				kt = NULL;
		}
		if (ret != 0)
			goto out;
	}
	if ((kt == NULL &&
	    ((ret = enc_selections(&st, ctx, cred, marks)) != 0 ||
	    (ret = enc_constraints(&st, ctx, cred, marks)) != 0 ||
	    (ret = enc_writeins(&st, ctx, cred, writeins, sec)) != 0)) ||
	    (sec != NULL && (ret = secrets_fill(sec, &st)) != 0))
		goto out;
	tally__ballot_body__init(&st.body);
	st.body.version = BALLOT_VERSION;
	st.body.vote_id = (char *)ctx->vote_id;
	st.body.election_hash.data = (uint8_t *)ctx->election_hash;
	st.body.election_hash.len = 32;
	st.body.credential.data = cred;
	st.body.credential.len = 32;
	st.body.n_selections = st.nsel;
	st.body.selections = st.ctp;
	st.body.n_selection_proofs = st.nsel;
	st.body.selection_proofs = st.spp;
	st.body.n_constraint_proofs = st.ncon;
	st.body.constraint_proofs = st.cpp;
	st.body.n_writeins = st.nwi;
	st.body.writeins = st.wip;
	ret = enc_pack_signed(out, outlen, &st, cred_key);
out:
	if (ret != 0)
		ballot_secrets_clear(sec);
	enc_state_free(&st);
	EVP_PKEY_free(cred_key);
	return ret;
}

int
ballot_tracking_code(uint8_t out[BALLOT_TRACKING_LEN], const Tally__Ballot *b)
{
	struct hash_part parts[2] = {
		{ b->body.data, b->body.len },
		{ b->signature.data, b->signature.len },
	};

	return hash_tagged(out, "tracking", parts, 2);
}

/* ------------------------------------------------------- verify */

void
ballot_info_clear(struct ballot_info *info)
{
	size_t i;

	if (info == NULL)
		return;
	for (i = 0; info->sel != NULL && i < info->nsel; i++)
		elgamal_ct_clear(&info->sel[i]);
	for (i = 0; info->wi != NULL &&
	    i < info->nwriteins * WRITEIN_POINTS; i++)
		elgamal_ct_clear(&info->wi[i]);
	free(info->sel);
	free(info->sel_a);
	free(info->wi);
	memset(info, 0, sizeof(*info));
}

/* Counts and sizes against the manifest, before any crypto. */
static int
body_shape(const Tally__BallotBody *body, const struct ballot_ctx *ctx)
{
	const struct manifest *m = ctx->m;
	size_t i;

	if (body->version != BALLOT_VERSION)
		return TALLY_ERR_VERSION;
	if (body->n_selections != m->nsel ||
	    body->n_selection_proofs != m->nsel ||
	    body->n_constraint_proofs != m->ncon ||
	    body->n_writeins != m->nwriteins ||
	    body->credential.len != 32 || body->election_hash.len != 32)
		return TALLY_ERR_BALLOT_SHAPE;
	for (i = 0; i < m->nsel; i++)
		if (body->selections[i] == NULL ||
		    body->selection_proofs[i] == NULL)
			return TALLY_ERR_BALLOT_SHAPE;
	for (i = 0; i < m->ncon; i++)
		if (body->constraint_proofs[i] == NULL)
			return TALLY_ERR_BALLOT_SHAPE;
	for (i = 0; i < m->nwriteins; i++)
		if (body->writeins[i] == NULL)
			return TALLY_ERR_BALLOT_SHAPE;
	if (body->vote_id == NULL || strcmp(body->vote_id, ctx->vote_id) != 0 ||
	    CRYPTO_memcmp(body->election_hash.data, ctx->election_hash, 32) != 0)
		return TALLY_ERR_VOTE_UNKNOWN;
	return 0;
}

static int
info_alloc(struct ballot_info *info, const struct manifest *m)
{
	size_t i;

	info->sel = calloc(m->nsel, sizeof(*info->sel));
	info->sel_a = calloc(m->nsel, sizeof(*info->sel_a));
	info->wi = calloc(m->nwriteins * WRITEIN_POINTS + 1,
	    sizeof(*info->wi));
	if (info->sel == NULL || info->sel_a == NULL || info->wi == NULL)
		return TALLY_ERR_NOMEM;
	info->nsel = m->nsel;
	info->nwriteins = m->nwriteins;
	for (i = 0; i < m->nsel; i++)
		if (elgamal_ct_init(&info->sel[i]) != 0)
			return TALLY_ERR_NOMEM;
	for (i = 0; i < m->nwriteins * WRITEIN_POINTS; i++)
		if (elgamal_ct_init(&info->wi[i]) != 0)
			return TALLY_ERR_NOMEM;
	return 0;
}

static int
decode_points(const Tally__BallotBody *body, struct ballot_info *info)
{
	const Tally__Ciphertext *ct;
	const Tally__WriteIn *w;
	size_t i;
	int ret;

	for (i = 0; i < info->nsel; i++) {
		ct = body->selections[i];
		if ((ret = elgamal_ct_decode(&info->sel[i], ct->a.data,
			 ct->a.len, ct->b.data, ct->b.len)) != 0)
			return ret;
		memcpy(info->sel_a[i], ct->a.data, 33);
	}
	for (i = 0; i < info->nwriteins; i++) {
		w = body->writeins[i];
		if ((ret = writein_decode(&info->wi[WRITEIN_POINTS * i],
		    w)) != 0)
			return ret;
	}
	return 0;
}

static int
check_proofs(const Tally__BallotBody *body, const struct ballot_ctx *ctx,
    const struct ballot_info *info, struct proof_batch *batch)
{
	const struct manifest *m = ctx->m;
	const uint8_t *cred = body->credential.data;
	struct elgamal_ct sum = {NULL, NULL};
	struct proof_bind b;
	size_t i, c, s, slot;
	int ret;

	for (i = 0; i < m->nsel; i++) {
		b = ballot_bind(ctx, cred, PROOF_SELECTION, m->sel[i].contest,
		    (uint32_t)i);
		if ((ret = proof_batch_add_range(batch,
			 body->selection_proofs[i], ctx->joint_key,
			 &info->sel[i], 1, &b)) != 0)
			return ret;
	}
	if ((ret = elgamal_ct_init(&sum)) != 0)
		return ret;
	for (i = 0; i < m->ncon; i++) {
		b = ballot_bind(ctx, cred, PROOF_CONSTRAINT, m->con[i].contest,
		    (uint32_t)i);
		if ((ret = constraint_sum(&sum, &m->con[i], info->sel)) != 0 ||
		    (ret = proof_batch_add_range(batch,
			 body->constraint_proofs[i], ctx->joint_key, &sum,
			 m->con[i].max, &b)) != 0)
			goto out;
	}
	for (c = 0; c < m->ncontests; c++) {
		for (s = 0; s < m->contests[c].writein_slots; s++) {
			slot = m->contests[c].wi_first + s;
			b = ballot_bind(ctx, cred, PROOF_WRITEIN, (uint32_t)c,
			    (uint32_t)slot);
			if ((ret = writein_batch_add(batch,
			    body->writeins[slot],
			    &info->wi[WRITEIN_POINTS * slot], &b)) != 0)
				goto out;
		}
	}
	ret = 0;
out:
	elgamal_ct_clear(&sum);
	return ret;
}

static int
verify_body(const Tally__Ballot *b, const Tally__BallotBody *body,
    const struct ballot_ctx *ctx, enum ballot_check what,
    struct proof_batch *batch, struct ballot_info *info)
{
	struct proof_batch *own = NULL;
	int ret;

	if ((ret = body_shape(body, ctx)) != 0)
		return ret;
	if (!ballot_registry_has(ctx->registry, ctx->nreg,
		body->credential.data))
		return TALLY_ERR_CRED_UNKNOWN;
	if ((ret = ed25519_verify(body->credential.data, b->body.data,
		 b->body.len, b->signature.data, b->signature.len)) != 0)
		return TALLY_ERR_BAD_SIGNATURE;
	if ((ret = info_alloc(info, ctx->m)) != 0 ||
	    (ret = decode_points(body, info)) != 0)
		return ret;
	memcpy(info->credential, body->credential.data, 32);
	if (what == BALLOT_CHECK_NO_PROOFS)
		return 0;
	if (batch == NULL) {
		if ((ret = proof_batch_new(&own)) != 0)
			return ret;
		batch = own;
	}
	ret = check_proofs(body, ctx, info, batch);
	if (ret == 0 && own != NULL)
		ret = proof_batch_verify(own);
	proof_batch_free(own);
	return ret;
}

int
ballot_verify(const Tally__Ballot *b, const struct ballot_ctx *ctx,
    enum ballot_check what, struct proof_batch *batch,
    struct ballot_info *info)
{
	ProtobufCMessage *pm = NULL;
	Tally__BallotBody *body;
	struct ballot_info local;
	int ret;

	memset(&local, 0, sizeof(local));
	if (b == NULL || b->body.len == 0)
		return TALLY_ERR_DECODE;
	if ((ret = pb_unpack_strict(&tally__ballot_body__descriptor,
		 b->body.data, b->body.len, BALLOT_BODY_MAX, &pm)) != 0)
		return ret;
	body = (Tally__BallotBody *)pm;
	ret = verify_body(b, body, ctx, what, batch, &local);
	tally__ballot_body__free_unpacked(body, NULL);
	if (ret != 0 || info == NULL) {
		ballot_info_clear(&local);
		return ret;
	}
	*info = local;
	return 0;
}

int
ballot_verify_bytes(const uint8_t *p, size_t len,
    const struct ballot_ctx *ctx, enum ballot_check what,
    struct proof_batch *batch, struct ballot_info *info)
{
	ProtobufCMessage *pm;
	Tally__Ballot *b;
	int ret;

	if ((ret = pb_unpack_strict(&tally__ballot__descriptor, p, len,
		 BALLOT_BODY_MAX + 128, &pm)) != 0)
		return ret;
	b = (Tally__Ballot *)pm;
	ret = ballot_verify(b, ctx, what, batch, info);
	tally__ballot__free_unpacked(b, NULL);
	return ret;
}
