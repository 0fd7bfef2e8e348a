/* cast.c: tallyctl cast VOTE --card CARD --ballot CHOICES.json. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "castlib.h"
#include "ceremony.h"
#include "challenge.h"
#include "checkpoint.h"
#include "credential.h"
#include "err.h"
#include "group.h"
#include "merkle.h"
#include "util.h"

int
cast_vote_fetch(struct ctl_conn *c, const char *vote_id, const char *pin,
    struct cast_vote *v, char *err, size_t errlen)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetVoteRequest gv = TALLY__GET_VOTE_REQUEST__INIT;
	struct vote_ctx_error why;
	const Tally__VoteCreated *vc;
	uint8_t want[32];
	int ret;

	memset(v, 0, sizeof(*v));
	/* A terminal encrypts only to the vote the officials announced:
	 * without its H_E there is nothing to hold the server to. */
	if (pin == NULL && (pin = ctl_pin_of(&ctl_global, vote_id)) == NULL) {
		snprintf(err, errlen, "vote %s: no election hash pinned; pass "
		    "--election-hash HEX (printed by 'tallyctl vote create' "
		    "and handed out by the officials) or add "
		    "'election_hash %s HEX' to the terminal's configuration",
		    vote_id, vote_id);
		return TALLY_ERR_UNPINNED;
	}
	gv.vote_id = (char *)vote_id;
	req.body_case = TALLY__REQUEST__BODY_GET_VOTE;
	req.get_vote = &gv;
	if ((ret = ctl_call(c, &req, &v->resp)) != 0) {
		snprintf(err, errlen, "%s", v->resp && v->resp->message ?
		    v->resp->message : tally_strerror(ret));
		return ret;
	}
	if (v->resp->get_vote == NULL || (vc = v->resp->get_vote->vote) ==
	    NULL || vc->vote_id == NULL || strcmp(vc->vote_id, vote_id) != 0) {
		snprintf(err, errlen, "the server sent no usable vote");
		return TALLY_ERR_PROTOCOL;
	}
	v->vc = vc;
	/* Every check, the joint key recomputed from the trustees'
	 * commitments: never encrypt to a key the server merely names. */
	if ((ret = vote_ctx_init(&v->ctx, vc, &why)) != 0) {
		snprintf(err, errlen, "the server's vote %s does not check "
		    "(%s): %s", vote_id, why.check, why.reason);
		return ret;
	}
	if (util_unhex(want, 32, pin) != 0) {
		snprintf(err, errlen, "the pinned election hash of vote %s is "
		    "not 64 hex digits", vote_id);
		return TALLY_ERR_INVALID_ARG;
	}
	if (CRYPTO_memcmp(v->ctx.election_hash, want, 32) != 0) {
		snprintf(err, errlen, "election hash mismatch: the server's "
		    "vote %s is not the one pinned; encrypt nothing and call "
		    "the presiding official", vote_id);
		return TALLY_ERR_PIN_MISMATCH;
	}
	err[0] = '\0';
	return 0;
}

void
cast_vote_clear(struct cast_vote *v)
{
	if (v->resp != NULL)
		tally__response__free_unpacked(v->resp, NULL);
	vote_ctx_clear(&v->ctx);
	memset(v, 0, sizeof(*v));
}

int
cast_make(const struct cast_vote *v, const uint8_t seed[32],
    const uint8_t *marks, char *const *writeins, uint8_t **out,
    size_t *outlen)
{
	uint8_t sk[32], pk[32];
	int ret;

	if ((ret = credential_derive(sk, pk, seed, v->vc->vote_id)) != 0)
		return ret;
	ret = ballot_encrypt(out, outlen, &v->ctx.bc, sk, marks, writeins);
	OPENSSL_cleanse(sk, sizeof(sk));
	return ret;
}

int
cast_request(Tally__Request *req, Tally__CastRequest *cr,
    Tally__Ballot **ballot, const uint8_t *p, size_t len)
{
	if ((*ballot = tally__ballot__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	tally__request__init(req);
	tally__cast_request__init(cr);
	cr->ballot = *ballot;
	req->body_case = TALLY__REQUEST__BODY_CAST;
	req->cast = cr;
	return 0;
}

int
cast_receipt_check(const struct cast_vote *v, const Tally__Receipt *r)
{
	struct checkpoint cp;
	uint8_t path[MERKLE_MAX_PATH][HASH_LEN];
	size_t i;

	if (r->checkpoint == NULL || strcmp(r->vote_id, v->vc->vote_id) != 0 ||
	    r->leaf_hash.len != HASH_LEN || r->n_inclusion > MERKLE_MAX_PATH ||
	    checkpoint_from_proto(&cp, r->checkpoint) != 0)
		return TALLY_ERR_DECODE;
	if (checkpoint_verify(&cp, v->vc->vote_id, v->vc->ledger_key.data) !=
	    0)
		return TALLY_ERR_BAD_SIGNATURE;
	for (i = 0; i < r->n_inclusion; i++) {
		if (r->inclusion[i].len != HASH_LEN)
			return TALLY_ERR_DECODE;
		memcpy(path[i], r->inclusion[i].data, HASH_LEN);
	}
	return merkle_verify_inclusion(r->leaf_hash.data, r->index, cp.size,
	    (const uint8_t (*)[HASH_LEN])path, r->n_inclusion, cp.root);
}

int
cast_receipt_save(const Tally__Receipt *r, const char *path)
{
	size_t n = tally__receipt__get_packed_size(r);
	uint8_t *buf;
	int ret;

	if ((buf = calloc(1, n + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	tally__receipt__pack(r, buf);
	ret = util_write_file(path, buf, n, 0644, 1);
	free(buf);
	return ret;
}

void
cast_tracking_code(char *out, size_t outlen, const uint8_t leaf[32])
{
	char b32[64];
	size_t i, n, o = 0;

	n = util_base32(b32, leaf, 32);
	for (i = 0; i < n && o + 2 < outlen; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = b32[i];
	}
	out[o] = '\0';
}

/* ------------------------------------------------------------ the command */

struct cast_args {
	const char	*vote, *card, *choices, *receipt, *pin;
	int		 challenge;
};

static int
cast_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl cast VOTE --card CARD --ballot CHOICES.json "
	    "[--receipt FILE] [--election-hash HEX] [--challenge]\n"
	    "  Encrypt the choices with the card's credential, print the "
	    "ballot's tracking\n  code, submit the ballot, check and save "
	    "the receipt (default\n  receipt-VOTE-INDEX.pb). With "
	    "--challenge the ballot is not cast but opened\n  and recorded "
	    "as challenged (docs/record/challenge.md); the card stays "
	    "unused.\n"
	    "  The vote's election hash must be pinned: --election-hash, or "
	    "'election_hash VOTE HEX'\n  in the configuration.\n");
	return code;
}

static int
cast_parse(int argc, char **argv, struct cast_args *a)
{
	static const struct option longopts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ "ballot", required_argument, NULL, 'b' },
		{ "receipt", required_argument, NULL, 'r' },
		{ "election-hash", required_argument, NULL, 'e' },
		{ "challenge", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "c:b:r:e:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c': a->card = optarg; break;
		case 'b': a->choices = optarg; break;
		case 'r': a->receipt = optarg; break;
		case 'e': a->pin = optarg; break;
		case 'C': a->challenge = 1; break;
		case 'h': exit(cast_usage(stdout, 0));
		default: return -1;
		}
	}
	if (argc - optind != 1 || a->card == NULL || a->choices == NULL)
		return -1;
	a->vote = argv[optind];
	return 0;
}

/* Marks and write-ins from the choices file. */
static int
cast_choices(const struct cast_vote *v, const char *path, uint8_t **marks,
    char ***names)
{
	uint8_t *json;
	size_t len;
	char err[256];
	int ret;

	if ((ret = util_read_file(path, MANIFEST_CHOICES_MAX, &json, &len)) !=
	    0)
		return ctl_error(ret, "%s: %s", path, tally_strerror(ret));
	if ((*marks = calloc(v->ctx.m->nsel + 1, 1)) == NULL)
		ret = TALLY_ERR_NOMEM;
	else
		ret = manifest_choices(v->ctx.m, json, len, *marks, names, err,
		    sizeof(err));
	free(json);
	if (ret != 0)
		return ctl_error(ret, "%s: %s", path, ret ==
		    TALLY_ERR_BAD_CHOICE ? err : tally_strerror(ret));
	return 0;
}

static int
cast_report(const struct cast_vote *v, const Tally__Receipt *r,
    const char *path, int challenged)
{
	char code[96], def[128];
	int ret;

	if ((ret = cast_receipt_check(v, r)) != 0)
		return ctl_error(ret, "the receipt does not check: %s",
		    tally_strerror(ret));
	if (path == NULL) {
		snprintf(def, sizeof(def), "receipt-%s-%llu.pb", r->vote_id,
		    (unsigned long long)r->index);
		path = def;
	}
	if ((ret = cast_receipt_save(r, path)) != 0)
		return ctl_error(ret, "%s: %s", path, tally_strerror(ret));
	cast_tracking_code(code, sizeof(code), r->leaf_hash.data);
	printf("vote %s: %s recorded at index %llu\n"
	    "record leaf %s\nreceipt saved to %s\n", r->vote_id, challenged ?
	    "challenged ballot (opened, never counted; the card is unused)" :
	    "ballot", (unsigned long long)r->index, code, path);
	return 0;
}

int
cast_spoil_request(Tally__Request *req, Tally__SpoilRequest *sr,
    Tally__SpoiledBallot **sb, const uint8_t *p, size_t len,
    const struct ballot_secrets *sec)
{
	uint8_t *buf = NULL;
	size_t n;
	int ret;

	if ((ret = challenge_make(&buf, &n, p, len, sec)) != 0)
		return ret;
	*sb = tally__spoiled_ballot__unpack(NULL, n, buf);
	util_freezero(buf, n);
	if (*sb == NULL)
		return TALLY_ERR_DECODE;
	tally__request__init(req);
	tally__spoil_request__init(sr);
	sr->spoiled = *sb;
	req->body_case = TALLY__REQUEST__BODY_SPOIL;
	req->spoil = sr;
	return 0;
}

/* Print the tracking code of serialized ballot p, before it is sent. */
static int
cast_print_tracking(const uint8_t *p, size_t len)
{
	Tally__Ballot *b;
	uint8_t t[BALLOT_TRACKING_LEN];
	char code[96];
	int ret;

	if ((b = tally__ballot__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	ret = ballot_tracking_code(t, b);
	tally__ballot__free_unpacked(b, NULL);
	if (ret != 0)
		return ret;
	cast_tracking_code(code, sizeof(code), t);
	printf("tracking code %s\n", code);
	fflush(stdout);
	return 0;
}

/* Submit the ballot, or its opening when challenged; *receipt points into
 * *resp. */
static int
cast_submit_one(struct ctl_conn *c, const struct cast_args *a,
    const uint8_t *bytes, size_t blen, const struct ballot_secrets *sec,
    Tally__Response **resp, const Tally__Receipt **receipt)
{
	Tally__Request req;
	Tally__CastRequest cr;
	Tally__SpoilRequest sr;
	Tally__Ballot *ballot = NULL;
	Tally__SpoiledBallot *sb = NULL;
	int ret;

	*receipt = NULL;
	ret = a->challenge ? cast_spoil_request(&req, &sr, &sb, bytes, blen,
	    sec) : cast_request(&req, &cr, &ballot, bytes, blen);
	if (ret != 0) {
		ret = ctl_error(ret, "cannot make the ballot: %s",
		    tally_strerror(ret));
		goto out;
	}
	if ((ret = ctl_call(c, &req, resp)) == 0)
		*receipt = a->challenge ? ((*resp)->spoil != NULL ?
		    (*resp)->spoil->receipt : NULL) : ((*resp)->cast != NULL ?
		    (*resp)->cast->receipt : NULL);
	if (ret != 0 || *receipt == NULL)
		ret = ctl_call_error(ret ? ret : TALLY_ERR_PROTOCOL, *resp,
		    a->challenge ? "challenge" : "cast");
out:
	if (ballot != NULL)
		tally__ballot__free_unpacked(ballot, NULL);
	if (sb != NULL)
		tally__spoiled_ballot__free_unpacked(sb, NULL);
	return ret;
}

int
cmd_cast(int argc, char **argv)
{
	struct cast_args a;
	struct cast_vote v;
	struct ctl_conn *c;
	struct ballot_secrets sec;
	Tally__Response *resp = NULL;
	const Tally__Receipt *receipt;
	uint8_t seed[32], sk[32], pk[32], *marks = NULL, *bytes = NULL;
	char **names = NULL, err[256];
	size_t blen = 0;
	int ret = 1;

	memset(&v, 0, sizeof(v));
	memset(&sec, 0, sizeof(sec));
	if (cast_parse(argc, argv, &a) != 0)
		return cast_usage(stderr, 1);
	if ((ret = credential_card_load(seed, a.card)) != 0)
		return ctl_error(ret, "%s: %s", a.card, tally_strerror(ret));
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL)
		return 1;
	if ((ret = cast_vote_fetch(c, a.vote, a.pin, &v, err,
	    sizeof(err))) != 0) {
		ret = ctl_error(ret, "%s", err);
		goto out;
	}
	if ((ret = cast_choices(&v, a.choices, &marks, &names)) != 0)
		goto out;
	if ((ret = credential_derive(sk, pk, seed, v.vc->vote_id)) != 0 ||
	    (ret = ballot_encrypt_open(&bytes, &blen, &v.ctx.bc, sk, marks, names,
	    &sec)) != 0 || (ret = cast_print_tracking(bytes, blen)) != 0) {
		ret = ctl_error(ret, "cannot make the ballot: %s",
		    tally_strerror(ret));
		goto out;
	}
	if ((ret = cast_submit_one(c, &a, bytes, blen, &sec, &resp,
	    &receipt)) != 0)
		goto out;
	ret = cast_report(&v, receipt, a.receipt, a.challenge);
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(sk, sizeof(sk));
	ballot_secrets_clear(&sec);
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	if (v.ctx.m != NULL && names != NULL)
		manifest_writein_names_free(v.ctx.m, names);
	free(marks);
	free(bytes);
	cast_vote_clear(&v);
	ctl_close(c);
	return ret;
}
