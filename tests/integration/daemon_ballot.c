/*
 * daemon_ballot.c: ballot-level helper of the tallyd integration tests.
 *
 *   daemon_ballot cast SERVER CA CERT KEY VOTE CARD MUTATION
 *       Make a ballot for VOTE with CARD (through tallyctl's castlib),
 *       change it as MUTATION says, send it, print "code=N" (and a second
 *       line for "again"). Mutations, each re-signed by the credential so
 *       that exactly one check fails: none, sig (flip a signature bit),
 *       point (selection 0 not on the curve), proof (flip a response
 *       scalar), vote (another vote id), shape (drop a selection), again
 *       (send the same bytes twice: a second line "code=N", and a third,
 *       "receipt differs", when both were answered 0 with receipts of
 *       other indexes or leaves, or the second does not verify),
 *       keep=FILE (none, and the ballot's bytes saved in FILE), resend=FILE
 *       (send FILE's bytes, made by keep=, instead of a new ballot; CARD
 *       is not read; prints "code=N index=I" when answered 0 with a
 *       receipt that verifies).
 *   daemon_ballot burst SERVER CA CERT KEY VOTE CARDS_DIR FIRST MUTATION...
 *       One ballot per MUTATION (as for cast; none, sig, point, proof),
 *       from the cards FIRST, FIRST+1, ... of CARDS_DIR
 *       (card-NNNNNN.txt), all sent on one connection before any answer
 *       is read, so that they queue together at the frontend's workers
 *       (which check a vote's queued casts as one batch); then prints
 *       "code=N" per ballot, in the order sent, with " receipt does not
 *       verify" when 0 came without a good receipt.
 *   daemon_ballot challenge SERVER CA CERT KEY VOTE CARD ATTACK [CARD2]
 *       Benaloh attacks by a terminal (docs/record/challenge.md). Make a
 *       ballot for VOTE with CARD and keep what opens it, then: "cast-spoiled"
 *       challenges it and then casts those very bytes; "spoil-cast" casts it
 *       and then submits its opening; "lie" submits an opening with the
 *       first mark flipped; "twice" challenges it twice; "within" casts
 *       it with a selection's ciphertext also in another selection (the
 *       same randomness, proofs made again: the terminal knows it).
 *       With CARD2, a ballot of CARD2 made of this ballot's selection
 *       ciphertexts (docs/design.md §5, replay): "copy-cast" casts it,
 *       then CARD2's with those ciphertexts and their very proofs;
 *       "reuse-spoiled" challenges it, then casts CARD2's with those
 *       ciphertexts and fresh proofs from the published randomness;
 *       "reuse-cast" casts it, then CARD2's as in reuse-spoiled (only the
 *       terminal that made it knows that randomness); "spoil-reused"
 *       casts it, then challenges CARD2's as in reuse-cast, opened with
 *       its randomness. Prints "code=N" per request.
 *   daemon_ballot inlog LOG RECEIPTS_DIR
 *       Every receipt's tracking code is the leaf at its index in LOG:
 *       prints "ok N".
 *   daemon_ballot share SERVER CA CERT KEY VOTE CEREMONY_DIR INDEX [wrong]
 *       As a trustee: fetch the closed vote, make trustee INDEX's share
 *       from its secret in CEREMONY_DIR, submit it, print "code=N" (and
 *       the server's message on stderr). With "wrong" the last bit of the
 *       first sum's proof response is flipped: a well-formed share whose
 *       proof does not hold.
 *   daemon_ballot tally SERVER CA CERT KEY VOTE
 *       Ask for the tally; print "code=N", then the results JSON.
 *   daemon_ballot record SERVER CA CERT KEY VOTE OUT
 *       Download the record with get_record, chunk by chunk, into OUT;
 *       prints the number of chunks.
 *   daemon_ballot decrypt LOG CEREMONY_DIR EXPECT.json
 *       Make the decryption shares of trustees 1 and 2 over LOG's
 *       aggregate, count, and compare every contest's totals and write-ins
 *       with EXPECT (tallyctl simulate --expect): prints "ok".
 *   daemon_ballot fork LOG OUT N...
 *       Write OUT: LOG's first two records (VoteCreated, PollsOpened) and
 *       its N-th ballots (from 0), re-chained: a fork for attack 1.
 *   daemon_ballot liar LOG CERT KEY
 *       A tally host that lies about the joint key (issue 10, attack 2):
 *       answers every GetVote with LOG's VoteCreated whose joint key is
 *       xG for a random x it knows, and whose H_E is recomputed over that
 *       lie. Prints "PORT HEX" (its port on 127.0.0.1 and the lying H_E),
 *       then serves one connection after another until killed.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "castlib.h"
#include "ceremony.h"
#include "count.h"
#include "credential.h"
#include "err.h"
#include "group.h"
#include "log.h"
#include "proof.h"
#include "sign.h"
#include "util.h"
#include "votectx.h"

static void __attribute__((noreturn))
die(const char *what, int err)
{
	fprintf(stderr, "daemon_ballot: %s: %s\n", what, tally_errname(err));
	exit(2);
}

/* Re-sign body with the card's credential after a change. */
static void
resign(Tally__Ballot *b, Tally__BallotBody *body, const uint8_t seed[32],
    const char *vote)
{
	uint8_t sk[32], pk[32];

	free(b->body.data);
	b->body.len = tally__ballot_body__get_packed_size(body);
	if ((b->body.data = calloc(1, b->body.len + 1)) == NULL)
		die("calloc", TALLY_ERR_NOMEM);
	tally__ballot_body__pack(body, b->body.data);
	if (credential_derive(sk, pk, seed, vote) != 0 ||
	    ed25519_sign(b->signature.data, sk, b->body.data, b->body.len) != 0)
		die("sign", TALLY_ERR_CRYPTO);
	OPENSSL_cleanse(sk, sizeof(sk));
}

static void
mutate(Tally__Ballot *b, const char *how, const uint8_t seed[32],
    const char *vote)
{
	Tally__BallotBody *body;
	char *orig_id;

	if (strcmp(how, "sig") == 0) {
		b->signature.data[10] ^= 0x01;
		return;
	}
	if (strcmp(how, "none") == 0 || strcmp(how, "again") == 0 ||
	    strncmp(how, "keep=", 5) == 0 || strncmp(how, "resend=", 7) == 0)
		return;
	if ((body = tally__ballot_body__unpack(NULL, b->body.len,
	    b->body.data)) == NULL)
		die("unpack", TALLY_ERR_DECODE);
	orig_id = body->vote_id;
	if (strcmp(how, "point") == 0)
		memset(body->selections[0]->a.data + 1, 0xff, 32);
	else if (strcmp(how, "proof") == 0)
		body->selection_proofs[0]->v[0].data[31] ^= 0x01;
	else if (strcmp(how, "vote") == 0)
		body->vote_id = "nosuch";
	else if (strcmp(how, "shape") == 0)
		body->n_selections--;
	else
		die(how, TALLY_ERR_INVALID_ARG);
	resign(b, body, seed, vote);
	body->vote_id = orig_id;	/* the literal is not ours to free */
	if (strcmp(how, "shape") == 0)
		body->n_selections++;
	tally__ballot_body__free_unpacked(body, NULL);
}

static struct ctl_conn *connect_as(char **av);

/* Connect as av[0..3] with the terminals' pins (daemon_lib.sh's PINS, as
 * tallyctl --config) and fetch vote av[4]. */
static struct ctl_conn *
connect_terminal(char **av, struct cast_vote *v)
{
	struct ctl_conn *c;
	char err[256];
	int ret;

	ctl_global.config = getenv("PINS");
	if ((ret = ctl_opts_load(&ctl_global, err, sizeof(err))) != 0)
		die(err, ret);
	c = connect_as(av);
	if ((ret = cast_vote_fetch(c, av[4], NULL, v, err, sizeof(err))) != 0)
		die(err, ret);
	return c;
}

static int
cmd_cast_one(char **av)
{
	struct cast_vote v;
	struct ctl_conn *c;
	Tally__Request req;
	Tally__CastRequest cr;
	Tally__Ballot *b;
	Tally__Response *resp;
	uint8_t seed[32], *marks, *bytes, first_leaf[HASH_LEN];
	uint64_t first_index = 0;
	size_t len;
	int ret, rounds, i;

	c = connect_terminal(av, &v);
	marks = NULL;
	memset(seed, 0, sizeof(seed));
	if (strncmp(av[6], "resend=", 7) == 0) {
		if ((ret = util_read_file(av[6] + 7, 1u << 24, &bytes,
		    &len)) != 0)
			die(av[6] + 7, ret);
	} else {
		if ((ret = credential_card_load(seed, av[5])) != 0)
			die(av[5], ret);
		if ((marks = calloc(v.ctx.m->nsel + 1, 1)) == NULL)
			die("calloc", TALLY_ERR_NOMEM);
		marks[0] = 1;
		if ((ret = cast_make(&v, seed, marks, NULL, &bytes,
		    &len)) != 0)
			die("make", ret);
	}
	if ((ret = cast_request(&req, &cr, &b, bytes, len)) != 0)
		die("make", ret);
	mutate(b, av[6], seed, av[4]);
	if (strncmp(av[6], "keep=", 5) == 0 && (ret = util_write_file(av[6] +
	    5, bytes, len, 0600, 0)) != 0)
		die(av[6] + 5, ret);
	rounds = strcmp(av[6], "again") == 0 ? 2 : 1;
	for (i = 0; i < rounds; i++) {
		resp = NULL;
		ret = ctl_call(c, &req, &resp);
		if (resp == NULL)
			die("no response", ret);
		printf("code=%d", (int)resp->code);
		if (resp->code == 0 && (resp->cast == NULL ||
		    resp->cast->receipt == NULL ||
		    cast_receipt_check(&v, resp->cast->receipt) != 0))
			printf(" receipt does not verify");
		else if (resp->code == 0 && strncmp(av[6], "resend=", 7) == 0)
			printf(" index=%llu", (unsigned long long)
			    resp->cast->receipt->index);
		printf("\n");
		if (resp->code == 0 && i == 0) {
			first_index = resp->cast->receipt->index;
			memcpy(first_leaf, resp->cast->receipt->leaf_hash.data,
			    sizeof(first_leaf));
		} else if (resp->code == 0 && i == 1 && (first_index !=
		    resp->cast->receipt->index ||
		    resp->cast->receipt->leaf_hash.len != HASH_LEN ||
		    memcmp(first_leaf, resp->cast->receipt->leaf_hash.data,
		    HASH_LEN) != 0))
			printf("receipt differs\n");
		tally__response__free_unpacked(resp, NULL);
	}
	tally__ballot__free_unpacked(b, NULL);
	free(bytes);
	free(marks);
	cast_vote_clear(&v);
	ctl_close(c);
	return 0;
}

#define BURST_MAX	64

static int
cmd_burst(int ac, char **av)
{
	struct cast_vote v;
	struct ctl_conn *c;
	Tally__Request req[BURST_MAX];
	Tally__CastRequest cr[BURST_MAX];
	Tally__Ballot *b[BURST_MAX];
	Tally__Response *resp;
	uint8_t seed[32], *marks, *bytes[BURST_MAX];
	uint64_t id[BURST_MAX];
	uint32_t first;
	size_t len, n = (size_t)ac - 7, i, k;
	char card[4096];
	int ret, code[BURST_MAX], seen[BURST_MAX];

	if (n == 0 || n > BURST_MAX ||
	    util_parse_u32(av[6], 1, 999999 - BURST_MAX, &first) != 0)
		die("burst: arguments", TALLY_ERR_INVALID_ARG);
	c = connect_terminal(av, &v);
	if ((marks = calloc(v.ctx.m->nsel + 1, 1)) == NULL)
		die("calloc", TALLY_ERR_NOMEM);
	marks[0] = 1;
	for (i = 0; i < n; i++) {
		snprintf(card, sizeof(card), "%s/card-%06u.txt", av[5],
		    first + (uint32_t)i);
		if ((ret = credential_card_load(seed, card)) != 0)
			die(card, ret);
		if ((ret = cast_make(&v, seed, marks, NULL, &bytes[i],
		    &len)) != 0 ||
		    (ret = cast_request(&req[i], &cr[i], &b[i], bytes[i],
		    len)) != 0)
			die("make", ret);
		mutate(b[i], av[7 + i], seed, av[4]);
		OPENSSL_cleanse(seed, sizeof(seed));
	}
	for (i = 0; i < n; i++)
		if ((ret = ctl_send(c, &req[i], &id[i])) != 0)
			die("send", ret);
	memset(seen, 0, sizeof(seen));
	for (k = 0; k < n; k++) {
		resp = NULL;
		if ((ret = ctl_recv(c, &resp)) != 0)
			die("recv", ret);
		for (i = 0; i < n && (seen[i] || id[i] != resp->id); i++)
			;
		if (i == n)
			die("an answer to no request", TALLY_ERR_PROTOCOL);
		seen[i] = 1;
		code[i] = (int)resp->code;
		if (resp->code == 0 && (resp->cast == NULL ||
		    resp->cast->receipt == NULL ||
		    cast_receipt_check(&v, resp->cast->receipt) != 0))
			code[i] = -1;
		tally__response__free_unpacked(resp, NULL);
	}
	for (i = 0; i < n; i++) {
		if (code[i] == -1)
			printf("code=0 receipt does not verify\n");
		else
			printf("code=%d\n", code[i]);
		tally__ballot__free_unpacked(b[i], NULL);
		free(bytes[i]);
	}
	free(marks);
	cast_vote_clear(&v);
	ctl_close(c);
	return 0;
}

static void
call_print(struct ctl_conn *c, Tally__Request *req)
{
	Tally__Response *resp = NULL;
	int ret;

	ret = ctl_call(c, req, &resp);
	if (resp == NULL)
		die("no response", ret);
	printf("code=%d\n", (int)resp->code);
	tally__response__free_unpacked(resp, NULL);
}

/*
 * Prove body's selections again for body's own credential, from their
 * marks and randomness r (32-byte scalars): the selection and constraint
 * proofs, made into sp[nsel] and cp[ncon] (range_proof_clear them) and
 * pointed at by body (put the unpacked ones back before freeing it).
 */
static void
reprove(Tally__BallotBody *body, const struct ballot_ctx *bc,
    const uint8_t *marks, uint8_t (*r)[32], Tally__RangeProof *sp,
    Tally__RangeProof *cp)
{
	const struct manifest *m = bc->m;
	const struct manifest_constraint *con;
	struct elgamal_ct *ct, sum;
	struct proof_bind b = {
		.election_hash = bc->election_hash,
		.subject = body->credential.data,
		.subject_len = 32,
	};
	BIGNUM **rb, *rs;
	size_t i, j;
	uint64_t val;

	if ((ct = calloc(m->nsel + 1, sizeof(*ct))) == NULL ||
	    (rb = calloc(m->nsel + 1, sizeof(*rb))) == NULL ||
	    (rs = group_scalar_new()) == NULL || elgamal_ct_init(&sum) != 0)
		die("calloc", TALLY_ERR_NOMEM);
	for (i = 0; i < m->nsel; i++) {
		const Tally__Ciphertext *c = body->selections[i];

		if ((rb[i] = group_scalar_new()) == NULL ||
		    group_scalar_decode(rb[i], r[i], 32) != 0 ||
		    elgamal_ct_init(&ct[i]) != 0 ||
		    elgamal_ct_decode(&ct[i], c->a.data, c->a.len, c->b.data,
		    c->b.len) != 0)
			die("reprove: decode", TALLY_ERR_DECODE);
		b.kind = PROOF_SELECTION;
		b.contest = m->sel[i].contest;
		b.index = (uint32_t)i;
		if (range_proof_prove(&sp[i], bc->joint_key, &ct[i], marks[i],
		    rb[i], 1, &b) != 0)
			die("reprove: selection", TALLY_ERR_CRYPTO);
		body->selection_proofs[i] = &sp[i];
	}
	for (i = 0; i < m->ncon; i++) {
		con = &m->con[i];
		BN_zero(rs);
		val = 0;
		if (elgamal_ct_copy(&sum, &ct[con->sel[0]]) != 0)
			die("reprove: sum", TALLY_ERR_NOMEM);
		for (j = 0; j < con->nsel; j++) {
			val += marks[con->sel[j]];
			if (group_scalar_add(rs, rs, rb[con->sel[j]]) != 0 ||
			    (j > 0 && elgamal_add(&sum, &sum,
			    &ct[con->sel[j]]) != 0))
				die("reprove: sum", TALLY_ERR_NOMEM);
		}
		b.kind = PROOF_CONSTRAINT;
		b.contest = con->contest;
		b.index = (uint32_t)i;
		if (range_proof_prove(&cp[i], bc->joint_key, &sum, val, rs,
		    con->max, &b) != 0)
			die("reprove: constraint", TALLY_ERR_CRYPTO);
		body->constraint_proofs[i] = &cp[i];
	}
	for (i = 0; i < m->nsel; i++) {
		elgamal_ct_clear(&ct[i]);
		group_scalar_free(rb[i]);
	}
	elgamal_ct_clear(&sum);
	group_scalar_free(rs);
	free(ct);
	free(rb);
}

/* The replay attacks of cmd_attack (see the header): ballot A (abytes,
 * opened by sec) was made with card X (seed_a); the forged ballot is
 * card2's, or for "within" X's own. */
static void
attack_replay(struct ctl_conn *c, const struct cast_vote *v, const char *how,
    const char *card2, Tally__Request *cast_a, Tally__Request *spoil_a,
    const uint8_t *abytes, size_t alen, const struct ballot_secrets *sec,
    const uint8_t seed_a[32])
{
	const struct manifest *m = v->ctx.m;
	Tally__BallotBody *ab, *body;
	Tally__Ciphertext **sels;
	Tally__RangeProof **sps, **cps, *sp, *cp;
	Tally__Request req;
	Tally__CastRequest cr;
	Tally__Request sreq;
	Tally__SpoilRequest ssr;
	Tally__SpoiledBallot *ssb;
	Tally__Ballot *fb, *a;
	struct ballot_secrets sec2;
	uint8_t seed[32], sk[32], pk[32], *bytes = NULL, *fbytes, (*r)[32];
	size_t len, i, j = 0, nsel = m->nsel, ncon = m->ncon;
	int within = strcmp(how, "within") == 0, ret;

	if ((r = calloc(nsel + 1, sizeof(*r))) == NULL ||
	    (sp = calloc(nsel + 1, sizeof(*sp))) == NULL ||
	    (cp = calloc(ncon + 1, sizeof(*cp))) == NULL ||
	    (sels = calloc(nsel + 1, sizeof(*sels))) == NULL ||
	    (sps = calloc(nsel + 1, sizeof(*sps))) == NULL ||
	    (cps = calloc(ncon + 1, sizeof(*cps))) == NULL)
		die("calloc", TALLY_ERR_NOMEM);
	memcpy(r, sec->r, nsel * sizeof(*r));
	if (within) {
		memcpy(seed, seed_a, sizeof(seed));
		if ((ret = cast_request(&req, &cr, &fb, abytes, alen)) != 0)
			die("unpack", ret);
	} else {
		if ((ret = credential_card_load(seed, card2)) != 0 ||
		    (ret = credential_derive(sk, pk, seed,
		    v->vc->vote_id)) != 0)
			die(card2, ret);
		if ((ret = ballot_encrypt_open(&bytes, &len, &v->ctx.bc, sk,
		    sec->marks, NULL, &sec2)) != 0 ||
		    (ret = cast_request(&req, &cr, &fb, bytes, len)) != 0)
			die("make", ret);
		OPENSSL_cleanse(sk, sizeof(sk));
	}
	if ((a = tally__ballot__unpack(NULL, alen, abytes)) == NULL ||
	    (ab = tally__ballot_body__unpack(NULL, a->body.len,
	    a->body.data)) == NULL)
		die("unpack", TALLY_ERR_DECODE);
	tally__ballot__free_unpacked(a, NULL);
	if ((body = tally__ballot_body__unpack(NULL, fb->body.len,
	    fb->body.data)) == NULL || body->n_selections != nsel ||
	    body->n_selection_proofs != nsel ||
	    body->n_constraint_proofs != ncon)
		die("unpack", TALLY_ERR_DECODE);
	memcpy(sels, body->selections, nsel * sizeof(*sels));
	memcpy(sps, body->selection_proofs, nsel * sizeof(*sps));
	memcpy(cps, body->constraint_proofs, ncon * sizeof(*cps));
	if (within) {
		/* two selections marked 0: the second takes the first's
		 * ciphertext and randomness (the marks stay as they were) */
		for (i = 0; i < nsel && sec->marks[i] != 0; i++)
			;
		for (j = i + 1; j < nsel && sec->marks[j] != 0; j++)
			;
		if (j >= nsel)
			die("within: two selections marked 0",
			    TALLY_ERR_INVALID_ARG);
		body->selections[j] = body->selections[i];
		memcpy(r[j], r[i], 32);
	} else
		for (i = 0; i < nsel; i++)
			body->selections[i] = ab->selections[i];
	if (strcmp(how, "copy-cast") == 0) {
		memcpy(body->selection_proofs, ab->selection_proofs,
		    nsel * sizeof(*sps));
		memcpy(body->constraint_proofs, ab->constraint_proofs,
		    ncon * sizeof(*cps));
	} else
		reprove(body, &v->ctx.bc, sec->marks, r, sp, cp);
	resign(fb, body, seed, v->vc->vote_id);
	if (strcmp(how, "reuse-spoiled") == 0)
		call_print(c, spoil_a);
	else if (!within)
		call_print(c, cast_a);
	if (strcmp(how, "spoil-reused") == 0) {
		/* challenged: opened with A's marks and randomness (its own
		 * write-ins' randomness stays) */
		memcpy(sec2.r, r, nsel * sizeof(*r));
		len = tally__ballot__get_packed_size(fb);
		if ((fbytes = calloc(1, len + 1)) == NULL)
			die("calloc", TALLY_ERR_NOMEM);
		tally__ballot__pack(fb, fbytes);
		if ((ret = cast_spoil_request(&sreq, &ssr, &ssb, fbytes, len,
		    &sec2)) != 0)
			die("spoil", ret);
		call_print(c, &sreq);
		tally__spoiled_ballot__free_unpacked(ssb, NULL);
		free(fbytes);
	} else
		call_print(c, &req);
	memcpy(body->selections, sels, nsel * sizeof(*sels));
	memcpy(body->selection_proofs, sps, nsel * sizeof(*sps));
	memcpy(body->constraint_proofs, cps, ncon * sizeof(*cps));
	tally__ballot_body__free_unpacked(body, NULL);
	tally__ballot_body__free_unpacked(ab, NULL);
	tally__ballot__free_unpacked(fb, NULL);
	if (strcmp(how, "copy-cast") != 0) {
		for (i = 0; i < nsel; i++)
			range_proof_clear(&sp[i]);
		for (i = 0; i < ncon; i++)
			range_proof_clear(&cp[i]);
	}
	if (!within)
		ballot_secrets_clear(&sec2);
	OPENSSL_cleanse(r, nsel * sizeof(*r));
	OPENSSL_cleanse(seed, sizeof(seed));
	free(r);
	free(sp);
	free(cp);
	free(sels);
	free(sps);
	free(cps);
	free(bytes);
}

static int
cmd_attack(char **av)
{
	struct cast_vote v;
	struct ctl_conn *c;
	struct ballot_secrets sec;
	Tally__Request cast, spoil;
	Tally__CastRequest cr;
	Tally__SpoilRequest sr;
	Tally__Ballot *b;
	Tally__SpoiledBallot *sb;
	uint8_t seed[32], sk[32], pk[32], *marks, *bytes;
	size_t len;
	int ret;

	c = connect_terminal(av, &v);
	if ((ret = credential_card_load(seed, av[5])) != 0 ||
	    (ret = credential_derive(sk, pk, seed, av[4])) != 0)
		die(av[5], ret);
	if ((marks = calloc(v.ctx.m->nsel + 1, 1)) == NULL)
		die("calloc", TALLY_ERR_NOMEM);
	marks[0] = 1;
	if ((ret = ballot_encrypt_open(&bytes, &len, &v.ctx.bc, sk, marks, NULL,
	    &sec)) != 0 || (ret = cast_request(&cast, &cr, &b, bytes,
	    len)) != 0 || (ret = cast_spoil_request(&spoil, &sr, &sb, bytes,
	    len, &sec)) != 0)
		die("make", ret);
	if (strcmp(av[6], "cast-spoiled") == 0) {
		call_print(c, &spoil);
		call_print(c, &cast);
	} else if (strcmp(av[6], "spoil-cast") == 0) {
		call_print(c, &cast);
		call_print(c, &spoil);
	} else if (strcmp(av[6], "lie") == 0) {
		sb->marks.data[0] ^= 1;
		call_print(c, &spoil);
	} else if (strcmp(av[6], "twice") == 0) {
		call_print(c, &spoil);
		call_print(c, &spoil);
	} else if (strcmp(av[6], "within") == 0 || (av[7] != NULL &&
	    (strcmp(av[6], "copy-cast") == 0 ||
	    strcmp(av[6], "reuse-spoiled") == 0 ||
	    strcmp(av[6], "reuse-cast") == 0 ||
	    strcmp(av[6], "spoil-reused") == 0)))
		attack_replay(c, &v, av[6], av[7], &cast, &spoil, bytes, len,
		    &sec, seed);
	else
		die(av[6], TALLY_ERR_INVALID_ARG);
	tally__ballot__free_unpacked(b, NULL);
	tally__spoiled_ballot__free_unpacked(sb, NULL);
	ballot_secrets_clear(&sec);
	free(bytes);
	free(marks);
	cast_vote_clear(&v);
	ctl_close(c);
	return 0;
}

/* ------------------------------------------------------------- the log */

struct logview {
	Tally__LogRecord	**rec;
	uint8_t			(*leaf)[32];
	size_t			 n;
};

static void
log_load(const char *path, struct logview *lv)
{
	struct log_reader *r;
	struct log_entry e;
	uint8_t *buf;
	char err[256];
	int ret;

	memset(lv, 0, sizeof(*lv));
	if ((ret = log_reader_open(path, &r, err, sizeof(err))) != 0)
		die(err, ret);
	while ((ret = log_reader_next(r, &e)) == 1) {
		lv->rec = reallocarray(lv->rec, lv->n + 1, sizeof(*lv->rec));
		lv->leaf = reallocarray(lv->leaf, lv->n + 1, 32);
		if (lv->rec == NULL || lv->leaf == NULL ||
		    (buf = malloc(e.len + 1)) == NULL)
			die("alloc", TALLY_ERR_NOMEM);
		memcpy(buf, e.payload, e.len);
		lv->rec[lv->n] = tally__log_record__unpack(NULL, e.len, buf);
		memcpy(lv->leaf[lv->n], e.leaf_hash, 32);
		free(buf);
		lv->n++;
	}
	if (ret < 0)
		die(err, ret);
	log_reader_free(r);
}

static void
log_unload(struct logview *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++)
		tally__log_record__free_unpacked(lv->rec[i], NULL);
	free(lv->rec);
	free(lv->leaf);
}

static int
cmd_inlog(char **av)
{
	struct logview lv;
	struct dirent *de;
	DIR *d;
	uint8_t *p;
	size_t len, n = 0;
	char path[4096];
	Tally__Receipt *rc;

	log_load(av[0], &lv);
	if ((d = opendir(av[1])) == NULL)
		die(av[1], TALLY_ERR_NOT_FOUND);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", av[1], de->d_name);
		if (util_read_file(path, 1 << 20, &p, &len) != 0 ||
		    (rc = tally__receipt__unpack(NULL, len, p)) == NULL)
			die(path, TALLY_ERR_DECODE);
		if (rc->index >= lv.n || rc->leaf_hash.len != 32 ||
		    memcmp(rc->leaf_hash.data, lv.leaf[rc->index], 32) != 0 ||
		    (lv.rec[rc->index]->body_case !=
		    TALLY__LOG_RECORD__BODY_BALLOT &&
		    lv.rec[rc->index]->body_case !=
		    TALLY__LOG_RECORD__BODY_SPOILED)) {
			printf("missing %s\n", de->d_name);
			return 1;
		}
		tally__receipt__free_unpacked(rc, NULL);
		free(p);
		n++;
	}
	closedir(d);
	log_unload(&lv);
	printf("ok %zu\n", n);
	return 0;
}

/* ------------------------------------------------------------ decrypt */

static Tally__DecryptionShare *
share_of(const struct count_input *in, const char *cdir, int i)
{
	Tally__DecryptionShare *sh;
	uint8_t *p, th[32];
	size_t len;
	uint32_t index;
	BIGNUM *s = BN_secure_new();
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/private-%d/share.pb", cdir, i);
	if ((ret = util_read_file(path, 1 << 16, &p, &len)) != 0 ||
	    (ret = ceremony_secret_open(&index, s, th, p, len)) != 0 ||
	    (ret = count_share_make(&sh, in, index, s)) != 0)
		die(path, ret);
	BN_clear_free(s);
	util_freezero(p, len);
	return sh;
}

static int
cmd_decrypt(char **av)
{
	struct logview lv;
	struct count_input in;
	struct count_result *res;
	struct manifest *m;
	struct count_item *items;
	Tally__DecryptionShare *sh[2];
	Tally__VoteCreated *vc;
	json_t *got, *want, *gc, *wc;
	json_error_t je;
	size_t i, nb = 0, j;
	char err[256];
	int ret;

	log_load(av[0], &lv);
	vc = lv.rec[0]->vote_created;
	if ((ret = manifest_parse(&m, vc->manifest.data, vc->manifest.len,
	    err, sizeof(err))) != 0)
		die(err, ret);
	memset(&in, 0, sizeof(in));
	in.m = m;
	in.tr = vc->transcript;
	in.election_hash = vc->election_hash.data;
	if ((items = calloc(lv.n * (m->nwriteins + 1) + 1, sizeof(*items))) ==
	    NULL)
		die("calloc", TALLY_ERR_NOMEM);
	for (i = 0; i < lv.n; i++) {
		Tally__LogRecord *r = lv.rec[i];

		if (r->body_case == TALLY__LOG_RECORD__BODY_POLLS_OPENED) {
			in.present = r->polls_opened->present;
			in.issued = r->polls_opened->issued;
		} else if (r->body_case == TALLY__LOG_RECORD__BODY_AGGREGATE)
			in.agg = r->aggregate;
		else if (r->body_case == TALLY__LOG_RECORD__BODY_BALLOT &&
		    (ret = count_items_from_ballot(items + nb * m->nwriteins,
		    m, r->ballot)) == 0)
			nb++;
		else if (r->body_case == TALLY__LOG_RECORD__BODY_BALLOT)
			die("items", ret);
	}
	if (in.agg == NULL)
		die("no aggregate in the log", TALLY_ERR_VOTE_STATE);
	in.items = items;
	in.nitems = nb * m->nwriteins;
	sh[0] = share_of(&in, av[1], 1);
	sh[1] = share_of(&in, av[1], 2);
	if ((ret = count_tally(&res, &in, (const Tally__DecryptionShare *
	    const *)sh, 2, NULL, err, sizeof(err))) != 0)
		die(err, ret);
	if ((got = json_loadb(res->json, res->jsonlen, 0, &je)) == NULL ||
	    (want = json_load_file(av[2], 0, &je)) == NULL)
		die("json", TALLY_ERR_DECODE);
	for (i = 0; i < json_array_size(json_object_get(want, "contests"));
	    i++) {
		wc = json_array_get(json_object_get(want, "contests"), i);
		gc = NULL;
		for (j = 0; j < json_array_size(json_object_get(got,
		    "contests")); j++) {
			json_t *x = json_array_get(json_object_get(got,
			    "contests"), j);

			if (json_equal(json_object_get(x, "id"),
			    json_object_get(wc, "id")))
				gc = x;
		}
		if (gc == NULL || !json_equal(json_object_get(gc, "totals"),
		    json_object_get(wc, "totals")) ||
		    (json_object_get(wc, "writeins") != NULL &&
		    !json_equal(json_object_get(gc, "writeins"),
		    json_object_get(wc, "writeins")))) {
			printf("mismatch in contest %zu\ngot: %s\n", i,
			    res->json);
			return 1;
		}
	}
	if (json_integer_value(json_object_get(want, "cast")) != (json_int_t)nb) {
		printf("mismatch: %zu ballots in the log\n", nb);
		return 1;
	}
	json_decref(got);
	json_decref(want);
	count_result_free(res);
	count_share_free(sh[0]);
	count_share_free(sh[1]);
	free(items);
	manifest_free(m);
	log_unload(&lv);
	printf("ok\n");
	return 0;
}

static struct ctl_conn *
connect_as(char **av)
{
	struct ctl_conn *c;
	char err[256];
	int ret;

	ctl_global.server = av[0];
	ctl_global.ca = av[1];
	ctl_global.cert = av[2];
	ctl_global.key = av[3];
	if ((ret = ctl_connect(&ctl_global, &c, err, sizeof(err))) != 0)
		die(err, ret);
	return c;
}

static int
cmd_share(char **av)
{
	struct ctl_conn *c = connect_as(av);
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetVoteRequest gq = TALLY__GET_VOTE_REQUEST__INIT;
	Tally__SubmitShareRequest ss = TALLY__SUBMIT_SHARE_REQUEST__INIT;
	Tally__Response *gv = NULL, *resp = NULL;
	Tally__GetVoteResponse *g;
	Tally__DecryptionShare *sh;
	struct count_input in;
	struct count_item *items;
	struct manifest *m;
	uint8_t *p, th[32];
	size_t len, i, nitems;
	uint32_t index;
	BIGNUM *s = BN_secure_new();
	char path[4096];
	int ret;

	gq.vote_id = av[4];
	req.body_case = TALLY__REQUEST__BODY_GET_VOTE;
	req.get_vote = &gq;
	if ((ret = ctl_call(c, &req, &gv)) != 0 ||
	    (g = gv->get_vote) == NULL || g->aggregate == NULL)
		die("get_vote", ret ? ret : TALLY_ERR_VOTE_STATE);
	if ((ret = manifest_parse(&m, g->vote->manifest.data,
	    g->vote->manifest.len, NULL, 0)) != 0)
		die("manifest", ret);
	nitems = g->n_writein_points / COUNT_ITEM_CTS;
	/* Once tallied the ledger keeps no write-in list (issue 16) and
	 * sends none: fill it with the first sum's a, a valid point, so
	 * that a well-formed share reaches the ledger's state check. */
	if (nitems == 0 && g->aggregate->n_sums > 0)
		nitems = g->aggregate->ballots * m->nwriteins;
	if ((items = calloc(nitems + 1, sizeof(*items))) == NULL)
		die("calloc", TALLY_ERR_NOMEM);
	/* a shares only the first point a of each ciphertext */
	for (i = 0; i < COUNT_ITEM_CTS * nitems; i++) {
		const ProtobufCBinaryData *a = g->n_writein_points > 0 ?
		    &g->writein_points[i] : &g->aggregate->sums[0]->a;

		if (a->len != 33)
			die("writein_points", TALLY_ERR_DECODE);
		memcpy(items[i / COUNT_ITEM_CTS].ct[i % COUNT_ITEM_CTS],
		    a->data, 33);
	}
	memset(&in, 0, sizeof(in));
	in.m = m;
	in.tr = g->vote->transcript;
	in.election_hash = g->vote->election_hash.data;
	in.agg = g->aggregate;
	in.items = items;
	in.nitems = nitems;
	snprintf(path, sizeof(path), "%s/private-%s/share.pb", av[5], av[6]);
	if ((ret = util_read_file(path, 1 << 16, &p, &len)) != 0 ||
	    (ret = ceremony_secret_open(&index, s, th, p, len)) != 0 ||
	    (ret = count_share_make(&sh, &in, index, s)) != 0)
		die(path, ret);
	if (av[7] != NULL && (strcmp(av[7], "wrong") != 0 ||
	    sh->n_sum_proofs == 0 || sh->sum_proofs[0]->v.len != 32))
		die(av[7], TALLY_ERR_INVALID_ARG);
	if (av[7] != NULL)
		sh->sum_proofs[0]->v.data[31] ^= 0x01;
	ss.vote_id = av[4];
	ss.share = sh;
	tally__request__init(&req);
	req.body_case = TALLY__REQUEST__BODY_SUBMIT_SHARE;
	req.submit_share = &ss;
	ret = ctl_call(c, &req, &resp);
	if (resp == NULL)
		die("submit_share", ret);
	printf("code=%d\n", (int)resp->code);
	if (resp->code != 0)
		fprintf(stderr, "%s\n", resp->message);
	tally__response__free_unpacked(resp, NULL);
	tally__response__free_unpacked(gv, NULL);
	count_share_free(sh);
	BN_clear_free(s);
	manifest_free(m);
	free(items);
	util_freezero(p, len);
	ctl_close(c);
	return 0;
}

static int
cmd_tally(char **av)
{
	struct ctl_conn *c = connect_as(av);
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__TallyRequest tq = TALLY__TALLY_REQUEST__INIT;
	Tally__Response *resp = NULL;
	int ret;

	tq.vote_id = av[4];
	req.body_case = TALLY__REQUEST__BODY_TALLY;
	req.tally = &tq;
	ret = ctl_call(c, &req, &resp);
	if (resp == NULL)
		die("tally", ret);
	printf("code=%d\n", (int)resp->code);
	if (resp->code == 0 && resp->tally != NULL &&
	    resp->tally->result != NULL)
		printf("%.*s\n", (int)resp->tally->result->results_json.len,
		    (char *)resp->tally->result->results_json.data);
	else
		fprintf(stderr, "%s\n", resp->message);
	tally__response__free_unpacked(resp, NULL);
	ctl_close(c);
	return 0;
}

static int
cmd_record(char **av)
{
	struct ctl_conn *c = connect_as(av);
	Tally__Request req;
	Tally__GetRecordRequest gr;
	Tally__Response *resp;
	uint64_t off = 0;
	FILE *f;
	int ret, n = 0, done = 0;

	if ((f = fopen(av[5], "wb")) == NULL)
		die(av[5], TALLY_ERR_IO);
	while (!done) {
		tally__request__init(&req);
		tally__get_record_request__init(&gr);
		gr.vote_id = av[4];
		gr.offset = off;
		req.body_case = TALLY__REQUEST__BODY_GET_RECORD;
		req.get_record = &gr;
		resp = NULL;
		if ((ret = ctl_call(c, &req, &resp)) != 0 ||
		    resp->get_record == NULL)
			die("get_record", ret ? ret : TALLY_ERR_PROTOCOL);
		fwrite(resp->get_record->chunk.data, 1,
		    resp->get_record->chunk.len, f);
		if (resp->get_record->next_offset != off +
		    resp->get_record->chunk.len)
			die("next_offset", TALLY_ERR_PROTOCOL);
		off = resp->get_record->next_offset;
		done = resp->get_record->done;
		tally__response__free_unpacked(resp, NULL);
		n++;
	}
	fclose(f);
	printf("%d\n", n);
	ctl_close(c);
	return 0;
}

/* ------------------------------------------------------------- liar */

static Tally__VoteCreated *
liar_vote(const char *path, uint8_t he[32])
{
	struct log_reader *r = NULL;
	struct log_entry e;
	Tally__VoteCreated *vc;
	BIGNUM *x = group_scalar_new();
	EC_POINT *X = group_point_new();
	uint8_t *buf;
	size_t len;
	char err[256];
	int ret;

	if ((ret = log_reader_open(path, &r, err, sizeof(err))) != 0)
		die(err, ret);
	if (log_reader_next(r, &e) != 1 || e.rec->vote_created == NULL)
		die("no VoteCreated", TALLY_ERR_DECODE);
	len = tally__vote_created__get_packed_size(e.rec->vote_created);
	if ((buf = calloc(1, len + 1)) == NULL)
		die("calloc", TALLY_ERR_NOMEM);
	tally__vote_created__pack(e.rec->vote_created, buf);
	vc = tally__vote_created__unpack(NULL, len, buf);
	free(buf);
	log_reader_free(r);
	if (vc == NULL || vc->transcript == NULL ||
	    vc->transcript->joint_key.len != 33 || vc->election_hash.len != 32)
		die("VoteCreated", TALLY_ERR_DECODE);
	if (x == NULL || X == NULL || group_scalar_random(x) != 0 ||
	    group_mul_g(X, x) != 0 ||
	    group_point_encode(vc->transcript->joint_key.data, X) != 0)
		die("xG", TALLY_ERR_CRYPTO);
	if ((ret = vote_election_hash(he, vc)) != 0)
		die("H_E", ret);
	memcpy(vc->election_hash.data, he, 32);
	group_scalar_free(x);
	group_point_free(X);
	return vc;
}

static int
liar_read(SSL *ssl, uint8_t *p, size_t n)
{
	size_t got;

	while (n > 0) {
		if (SSL_read_ex(ssl, p, n, &got) != 1)
			return -1;
		p += got;
		n -= got;
	}
	return 0;
}

/* Answer requests on one connection until the peer goes away. */
static void
liar_serve(SSL *ssl, Tally__VoteCreated *vc)
{
	Tally__Request *req;
	Tally__Response resp;
	Tally__GetVoteResponse gv;
	uint8_t hdr[4], *buf;
	uint32_t n;
	size_t len, put;

	while (liar_read(ssl, hdr, 4) == 0) {
		n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
		    (uint32_t)hdr[2] << 8 | hdr[3];
		if (n > (1u << 20) || (buf = calloc(1, n + 1)) == NULL)
			return;
		req = liar_read(ssl, buf, n) == 0 ?
		    tally__request__unpack(NULL, n, buf) : NULL;
		free(buf);
		if (req == NULL)
			return;
		tally__response__init(&resp);
		tally__get_vote_response__init(&gv);
		resp.version = 1;
		resp.id = req->id;
		if (req->body_case == TALLY__REQUEST__BODY_GET_VOTE) {
			gv.vote = vc;
			resp.body_case = TALLY__RESPONSE__BODY_GET_VOTE;
			resp.get_vote = &gv;
		} else {
			resp.code = TALLY__ERROR_CODE__E_INTERNAL;
			resp.message = "a liar only answers get_vote";
		}
		tally__request__free_unpacked(req, NULL);
		len = tally__response__get_packed_size(&resp);
		if ((buf = calloc(1, len + 4)) == NULL)
			return;
		buf[0] = (uint8_t)(len >> 24);
		buf[1] = (uint8_t)(len >> 16);
		buf[2] = (uint8_t)(len >> 8);
		buf[3] = (uint8_t)len;
		tally__response__pack(&resp, buf + 4);
		put = SSL_write(ssl, buf, (int)(len + 4)) == (int)(len + 4);
		free(buf);
		if (!put)
			return;
	}
}

static int
cmd_liar(char **av)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	Tally__VoteCreated *vc;
	SSL_CTX *ctx;
	SSL *ssl;
	uint8_t he[32];
	char hex[65];
	int fd, c, one = 1;

	vc = liar_vote(av[0], he);
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, av[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, av[2], SSL_FILETYPE_PEM) != 1)
		die("TLS", TALLY_ERR_CRYPTO);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 16) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == -1)
		die("listen", TALLY_ERR_IO);
	util_hex(hex, he, 32);
	printf("%u %s\n", ntohs(sa.sin_port), hex);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	while ((c = accept(fd, NULL, NULL)) != -1) {
		if ((ssl = SSL_new(ctx)) != NULL && SSL_set_fd(ssl, c) == 1 &&
		    SSL_accept(ssl) == 1)
			liar_serve(ssl, vc);
		SSL_free(ssl);
		close(c);
	}
	die("accept", TALLY_ERR_IO);
}

/*
 * A forked log, as a dishonest tally host would write it with its own
 * ledger key (issue 10, attack 1): the real VoteCreated and PollsOpened
 * and the records at the given indices copied byte for byte, re-chained.
 * tallyd started on it recovers an open vote holding just those ballots.
 */
static int
cmd_fork(int ac, char **av)
{
	struct logview lv;
	struct log *out = NULL;
	struct log_opts o;
	struct log_result r;
	char err[256];
	uint64_t idx;
	int i;

	log_load(av[0], &lv);
	memset(&o, 0, sizeof(o));
	if (log_create(av[1], &o, &out, err, sizeof(err)) != 0)
		die(err, TALLY_ERR_IO);
	if (log_append(out, lv.rec[0], &r) != 0 ||
	    log_append(out, lv.rec[1], &r) != 0)
		die("append", TALLY_ERR_IO);
	for (i = 2; i < ac; i++) {
		uint64_t k, seen = 0;

		if (util_parse_u64(av[i], 0, lv.n, &idx) != 0)
			die(av[i], TALLY_ERR_INVALID_ARG);
		for (k = 2; k < lv.n; k++)
			if (lv.rec[k]->body_case ==
			    TALLY__LOG_RECORD__BODY_BALLOT && seen++ == idx)
				break;
		if (k == lv.n || log_append(out, lv.rec[k], &r) != 0)
			die("no such ballot", TALLY_ERR_INVALID_ARG);
	}
	log_close(out);
	log_unload(&lv);
	printf("ok %d\n", ac);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 8 && strcmp(argv[1], "record") == 0)
		return cmd_record(argv + 2);
	if ((argc == 9 || argc == 10) && strcmp(argv[1], "share") == 0)
		return cmd_share(argv + 2);
	if (argc == 7 && strcmp(argv[1], "tally") == 0)
		return cmd_tally(argv + 2);
	if (argc == 9 && strcmp(argv[1], "cast") == 0)
		return cmd_cast_one(argv + 2);
	if (argc >= 10 && strcmp(argv[1], "burst") == 0)
		return cmd_burst(argc - 2, argv + 2);
	if ((argc == 9 || argc == 10) && strcmp(argv[1], "challenge") == 0)
		return cmd_attack(argv + 2);
	if (argc == 4 && strcmp(argv[1], "inlog") == 0)
		return cmd_inlog(argv + 2);
	if (argc == 5 && strcmp(argv[1], "decrypt") == 0)
		return cmd_decrypt(argv + 2);
	if (argc == 5 && strcmp(argv[1], "liar") == 0)
		return cmd_liar(argv + 2);
	if (argc >= 5 && strcmp(argv[1], "fork") == 0)
		return cmd_fork(argc - 2, argv + 2);
	fprintf(stderr, "usage: see daemon_ballot.c\n");
	return 2;
}
