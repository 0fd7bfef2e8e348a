/*
 * trustee.c: tallyctl trustee mix|decrypt VOTE --share FILE
 *
 * A scrutineer's part of the count. The scrutineer does not take the
 * daemon's word for what to decrypt: it downloads the record, verifies it
 * (every ballot's proofs, the chain, the checkpoints, the aggregate), then
 * computes its partial decryptions of the verified aggregate and write-in
 * material only, with proofs, and submits them. A daemon that asked it to
 * decrypt a single ballot would have to forge a record that verifies.
 *
 * Before the shares, at least k scrutineers each shuffle the write-in list
 * (`mix`, lib/mixnet.h): the scrutineer verifies the record, including
 * every earlier shuffle, re-encrypts and permutes the current list with a
 * proof of shuffle and submits it. The shares then cover the last list.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ceremony.h"
#include "count.h"
#include "err.h"
#include "group.h"
#include "log.h"
#include "manifest.h"
#include "mixnet.h"
#include "record.h"
#include "tallyctl.h"
#include "util.h"
#include "votectx.h"

/* What the share is computed over, copied out of the verified record. */
struct tr_vote {
	struct vote_ctx ctx;
	uint8_t transcript_hash[32];
	uint64_t present, issued;
	Tally__Aggregate *agg;
	struct count_item *items;
	size_t nitems, cap;
	struct mixnet mx;		/* from the Aggregate on */
};

static void
tr_vote_clear(struct tr_vote *v)
{
	vote_ctx_clear(&v->ctx);
	if (v->agg != NULL)
		tally__aggregate__free_unpacked(v->agg, NULL);
	free(v->items);
	mixnet_clear(&v->mx);
	memset(v, 0, sizeof(*v));
}

static int
tr_created(struct tr_vote *v, const Tally__VoteCreated *vc)
{
	int ret;

	if (v->ctx.m != NULL)
		return TALLY_ERR_VERIFY;
	if ((ret = vote_ctx_init(&v->ctx, vc, NULL)) != 0)
		return ret;
	return ceremony_transcript_digest(v->transcript_hash, v->ctx.tr);
}

static int
tr_ballot(struct tr_vote *v, const Tally__Ballot *b)
{
	size_t w = v->ctx.m->nwriteins;
	struct count_item *n;

	if (w == 0)
		return 0;
	if (v->nitems + w > v->cap) {
		v->cap = (v->cap + w) * 2;
		if ((n = reallocarray(v->items, v->cap, sizeof(*n))) == NULL)
			return TALLY_ERR_NOMEM;
		v->items = n;
	}
	v->nitems += w;
	return count_items_from_ballot(v->items + v->nitems - w, v->ctx.m, b);
}

static int
tr_aggregate(struct tr_vote *v, const Tally__Aggregate *a)
{
	uint8_t *p;
	size_t len = tally__aggregate__get_packed_size(a);

	if ((p = calloc(1, len + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	tally__aggregate__pack(a, p);
	v->agg = tally__aggregate__unpack(NULL, len, p);
	free(p);
	return v->agg != NULL ? 0 : TALLY_ERR_NOMEM;
}

/* Read the (verified) record into v. */
static int
tr_read(const char *path, struct tr_vote *v)
{
	struct log_reader *r = NULL;
	struct log_entry e;
	char err[256];
	int ret;

	if ((ret = log_reader_open(path, &r, err, sizeof(err))) != 0)
		return ret;
	while ((ret = log_reader_next(r, &e)) == 1) {
		switch (e.rec->body_case) {
		case TALLY__LOG_RECORD__BODY_VOTE_CREATED:
			ret = tr_created(v, e.rec->vote_created);
			break;
		case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
			v->present = e.rec->polls_opened->present;
			v->issued = e.rec->polls_opened->issued;
			break;
		case TALLY__LOG_RECORD__BODY_BALLOT:
			ret = v->ctx.m ? tr_ballot(v, e.rec->ballot)
				   : TALLY_ERR_VERIFY;
			break;
		case TALLY__LOG_RECORD__BODY_AGGREGATE:
			if (v->ctx.m == NULL) {
				ret = TALLY_ERR_VERIFY;
				break;
			}
			if ((ret = tr_aggregate(v, e.rec->aggregate)) == 0)
				ret = mixnet_init(&v->mx, v->items, v->nitems,
				    v->ctx.m, v->ctx.K, v->ctx.election_hash,
				    v->ctx.tr);
			break;
		case TALLY__LOG_RECORD__BODY_SHUFFLE:
			/* verified by record_verify: decode only */
			ret = v->agg ? mixnet_apply(&v->mx, e.rec->shuffle,
			    NULL) : TALLY_ERR_VERIFY;
			break;
		default:
			break;
		}
		if (ret < 0)
			break;
	}
	log_reader_free(r);
	return ret < 0 ? ret : 0;
}

/* Fetch and verify the record into a private temporary folder; rep says
 * what was verified (the seal, its cosignatures). */
static int
tr_fetch_verified(struct ctl_conn *c, const char *vote, char *dir,
    char *path, size_t pathlen, struct tr_vote *v, struct record_report *rep)
{
	struct record_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.allow_incomplete = 1;
	if (mkdtemp(dir) == NULL)
		return ctl_error(TALLY_ERR_IO, "%s: %s", dir, strerror(errno)),
		       TALLY_ERR_IO;
	snprintf(path, pathlen, "%s/record.log", dir);
	if ((ret = ctl_fetch_record(c, vote, path)) != 0)
		return ret;
	if ((ret = record_verify(path, &o, rep)) != 0) {
		ctl_error(ret, "the record of %s does not verify: record %llu: "
		    "%s: %s; nothing decrypted", vote,
		    (unsigned long long)rep->index, rep->check, rep->reason);
		return ret;
	}
	if (strcmp(rep->vote_id, vote) != 0)
		return ctl_error(TALLY_ERR_VERIFY, "the server sent the record "
		    "of vote %s for %s; nothing decrypted", rep->vote_id,
		    vote), TALLY_ERR_VERIFY;
	if ((ret = tr_read(path, v)) != 0)
		return ctl_error(ret, "reading the record"), ret;
	if (v->agg == NULL)
		return ctl_error(TALLY_ERR_VOTE_STATE, "vote %s is not closed: "
		    "nothing to decrypt", vote), TALLY_ERR_VOTE_STATE;
	return 0;
}

/* --sealed SIZE:ROOT: the size in decimal, then at least 32 of the
 * root's 64 hex digits (a prefix, '-' and spaces ignored). */
static int
tr_parse_sealed(const char *arg, uint64_t *size, char *hex, size_t *nhex)
{
	char num[24];
	const char *colon = strchr(arg, ':'), *p;
	size_t n = 0;

	if (colon == NULL || (size_t)(colon - arg) >= sizeof(num))
		return TALLY_ERR_INVALID_ARG;
	memcpy(num, arg, (size_t)(colon - arg));
	num[colon - arg] = '\0';
	if (util_parse_u64(num, 1, UINT64_MAX, size) != 0)
		return TALLY_ERR_INVALID_ARG;
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (n == 64 || strchr("0123456789abcdefABCDEF", *p) == NULL)
			return TALLY_ERR_INVALID_ARG;
		hex[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	}
	hex[n] = '\0';
	*nhex = n;
	return n >= 32 ? 0 : TALLY_ERR_INVALID_ARG;
}

/*
 * Decrypt only the sealed, witnessed state of the vote asked for
 * (docs/record/witness.md): the record's seal cosigned by the quorum of
 * the vote's witnesses, or, for a vote without witnesses, equal to the
 * size and root read out in the hall (--sealed); never more ballots than
 * were issued. The sealed state is what this scrutineer's folder then
 * remembers: a second, different one for the same vote is a fork.
 */
static int
tr_check_sealed(const struct record_report *rep, const char *vote,
    const char *sealed, const char *statedir)
{
	char hex[65], want[65], file[4096], line[128], *old = NULL;
	uint64_t size = 0;
	size_t nhex = 0, len;
	int ret;

	if (rep->seal_size == 0)
		return ctl_error(TALLY_ERR_VOTE_STATE, "vote %s is not closed: "
		    "nothing to decrypt", vote), TALLY_ERR_VOTE_STATE;
	util_hex(hex, rep->seal_root, 32);
	if (rep->ballots > rep->issued)
		return ctl_error(TALLY_ERR_RULES, "vote %s: %llu ballots for "
		    "%llu issued: the round is void (RULES.md) and nothing is "
		    "decrypted", vote, (unsigned long long)rep->ballots,
		    (unsigned long long)rep->issued), TALLY_ERR_RULES;
	if (sealed != NULL && tr_parse_sealed(sealed, &size, want,
	    &nhex) != 0)
		return ctl_error(TALLY_ERR_INVALID_ARG, "--sealed %s: expected "
		    "SIZE:ROOT, the size and at least 32 hex digits of the "
		    "root read out at closing", sealed), TALLY_ERR_INVALID_ARG;
	if (sealed != NULL && (size != rep->seal_size ||
	    strncmp(want, hex, nhex) != 0))
		return ctl_error(TALLY_ERR_FORK, "vote %s: the server's sealed "
		    "log is %llu:%s, not %s as read out in the hall: a fork; "
		    "nothing decrypted", vote,
		    (unsigned long long)rep->seal_size, hex, sealed),
		    TALLY_ERR_FORK;
	if (rep->witness_quorum > 0 && rep->seal_cosigned <
	    rep->witness_quorum)
		return ctl_error(TALLY_ERR_UNSEALED, "vote %s: the sealed log "
		    "%llu:%s carries %u of the %u witness cosignatures needed; "
		    "nothing decrypted (wait for the witnesses)", vote,
		    (unsigned long long)rep->seal_size, hex,
		    rep->seal_cosigned, rep->witness_quorum),
		    TALLY_ERR_UNSEALED;
	if (rep->witness_quorum == 0 && sealed == NULL)
		return ctl_error(TALLY_ERR_UNSEALED, "vote %s has no witnesses: "
		    "give the sealed size and root read out at closing "
		    "(--sealed SIZE:ROOT); nothing decrypted", vote),
		    TALLY_ERR_UNSEALED;
	/* This scrutineer's memory of what it decrypted. */
	if ((size_t)snprintf(file, sizeof(file), "%s/sealed-%s", statedir,
	    vote) >= sizeof(file))
		return ctl_error(TALLY_ERR_INVALID_ARG, "--state: path too "
		    "long"), TALLY_ERR_INVALID_ARG;
	snprintf(line, sizeof(line), "%llu:%s\n",
	    (unsigned long long)rep->seal_size, hex);
	ret = util_read_file(file, 256, (uint8_t **)&old, &len);
	if (ret == 0) {
		ret = strcmp(old, line) == 0 ? 0 : TALLY_ERR_FORK;
		if (ret != 0)
			ctl_error(ret, "vote %s: this scrutineer decrypted the "
			    "sealed log %.*s before (%s); now asked for %llu:%s: "
			    "two states of one vote, refused", vote,
			    (int)strcspn(old, "\n"), old, file,
			    (unsigned long long)rep->seal_size, hex);
		free(old);
		return ret;
	}
	if (ret != TALLY_ERR_NOT_FOUND)
		return ctl_error(ret, "%s: %s", file, tally_strerror(ret)),
		    ret;
	if ((ret = util_write_file(file, line, strlen(line), 0600, 1)) != 0)
		return ctl_error(ret, "cannot write %s: %s", file,
		    tally_strerror(ret)), ret;
	return 0;
}

static int
tr_load_secret(const char *file, uint32_t *index, BIGNUM *s, uint8_t th[32])
{
	uint8_t *p = NULL;
	size_t len = 0;
	int ret;

	if ((ret = util_check_private(file)) != 0)
		return ctl_error(ret, "%s: %s", file, ret == TALLY_ERR_PERM ?
		    "readable by others; refusing to use it (chmod 600)" :
		    "cannot read"), ret;
	if ((ret = util_read_file(file, 64 * 1024, &p, &len)) != 0 ||
	    (ret = ceremony_secret_open(index, s, th, p, len)) != 0)
		ctl_error(ret, "%s: not a scrutineer's share file", file);
	util_freezero(p, len);
	return ret;
}

static int
tr_submit(struct ctl_conn *c, const char *vote, Tally__DecryptionShare *sh)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__SubmitShareRequest ss = TALLY__SUBMIT_SHARE_REQUEST__INIT;

	ss.vote_id = (char *)vote;
	ss.share = sh;
	req.body_case = TALLY__REQUEST__BODY_SUBMIT_SHARE;
	req.submit_share = &ss;
	return ctl_call_ack(c, &req, "submit_share");
}

static int
tr_decrypt(const char *vote, const char *file, const char *sealed,
    const char *statedir)
{
	struct record_report rep;
	struct tr_vote v;
	struct count_input in;
	Tally__DecryptionShare *sh = NULL;
	struct ctl_conn *c = NULL;
	BIGNUM *s = group_scalar_new();
	uint8_t th[32];
	uint32_t index = 0;
	char dir[] = "/tmp/tally-trustee-XXXXXX", path[64] = "";
	int ret = TALLY_ERR_NOMEM;

	memset(&v, 0, sizeof(v));
	memset(&rep, 0, sizeof(rep));
	if (s == NULL || (ret = tr_load_secret(file, &index, s, th)) != 0)
		goto out;
	ret = TALLY_ERR_IO;
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL ||
	    (ret = tr_fetch_verified(c, vote, dir, path, sizeof(path),
		 &v, &rep)) != 0)
		goto out;
	if (CRYPTO_memcmp(th, v.transcript_hash, 32) != 0) {
		ret = ctl_error(TALLY_ERR_BAD_SHARE, "%s belongs to another "
		    "ceremony than vote %s", file, vote);
		ret = TALLY_ERR_BAD_SHARE;
		goto out;
	}
	if ((ret = tr_check_sealed(&rep, vote, sealed, statedir)) != 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.m = v.ctx.m;
	in.tr = v.ctx.tr;
	in.election_hash = v.ctx.election_hash;
	in.present = v.present;
	in.issued = v.issued;
	in.agg = v.agg;
	in.items = v.items;
	in.nitems = v.nitems;
	in.mixed = mixnet_output(&v.mx);
	if (v.mx.cur.n > 0 && v.mx.steps < v.ctx.tr->quorum) {
		ret = TALLY_ERR_MIX_STATE;
		ctl_error(ret, "the write-ins of %s were shuffled %u times; %u "
		    "scrutineers must shuffle them first (tallyctl trustee mix)",
		    vote, v.mx.steps, v.ctx.tr->quorum);
		goto out;
	}
	if ((ret = count_share_make(&sh, &in, index, s)) != 0) {
		ctl_error(ret, "computing the share of scrutineer %u", index);
		goto out;
	}
	if ((ret = tr_submit(c, vote, sh)) != 0)
		goto out;
	printf("scrutineer %u: share for %s recorded (%zu totals, %zu write-in "
	    "points, each with its proof)\n", index, vote, sh->n_sums,
	    sh->n_writeins);
out:
	if (path[0] != '\0') {	/* set once the folder exists */
		unlink(path);
		rmdir(dir);
	}
	count_share_free(sh);
	group_scalar_free(s);
	tr_vote_clear(&v);
	record_report_clear(&rep);
	ctl_close(c);
	return ret;
}

static int
tr_submit_shuffle(struct ctl_conn *c, const char *vote, Tally__Shuffle *sh)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__SubmitShuffleRequest ss = TALLY__SUBMIT_SHUFFLE_REQUEST__INIT;

	ss.vote_id = (char *)vote;
	ss.shuffle = sh;
	req.body_case = TALLY__REQUEST__BODY_SUBMIT_SHUFFLE;
	req.submit_shuffle = &ss;
	return ctl_call_ack(c, &req, "submit_shuffle");
}

static int
tr_mix(const char *vote, const char *file)
{
	struct record_report rep;
	struct tr_vote v;
	Tally__Shuffle sh = TALLY__SHUFFLE__INIT;
	struct mix_list out;
	struct ctl_conn *c = NULL;
	BIGNUM *s = group_scalar_new();
	uint8_t th[32];
	uint32_t index = 0;
	char dir[] = "/tmp/tally-trustee-XXXXXX", path[64] = "";
	int ret = TALLY_ERR_NOMEM;

	memset(&v, 0, sizeof(v));
	memset(&rep, 0, sizeof(rep));
	memset(&out, 0, sizeof(out));
	if (s == NULL || (ret = tr_load_secret(file, &index, s, th)) != 0)
		goto out;
	ret = TALLY_ERR_IO;
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL ||
	    (ret = tr_fetch_verified(c, vote, dir, path, sizeof(path),
		 &v, &rep)) != 0)
		goto out;
	if (CRYPTO_memcmp(th, v.transcript_hash, 32) != 0) {
		ret = TALLY_ERR_BAD_SHARE;
		ctl_error(ret, "%s belongs to another ceremony than vote %s",
		    file, vote);
		goto out;
	}
	if (v.mx.cur.n == 0) {
		/* no ballot or no write-in slot: nothing to unlink */
		printf("scrutineer %u: vote %s has no write-in list; nothing "
		    "to shuffle\n", index, vote);
		ret = 0;
		goto out;
	}
	if ((ret = mixnet_make(&sh, &out, &v.mx, index, s)) != 0) {
		if (ret == TALLY_ERR_MIX_DUP)
			ctl_error(ret, "scrutineer %u already shuffled the "
			    "write-ins of %s", index, vote);
		else
			ctl_error(ret, "shuffling as scrutineer %u", index);
		goto out;
	}
	if ((ret = tr_submit_shuffle(c, vote, &sh)) != 0)
		goto out;
	printf("scrutineer %u: shuffle %u of the write-ins of %s recorded "
	    "(%zu tuples of %zu ciphertexts, with its proof)\n", index,
	    sh.step, vote, out.n, out.w);
out:
	if (path[0] != '\0') {
		unlink(path);
		rmdir(dir);
	}
	record_report_clear(&rep);
	mixnet_shuffle_clear(&sh);
	mix_list_clear(&out);
	group_scalar_free(s);
	tr_vote_clear(&v);
	ctl_close(c);
	return ret;
}

static int
tr_usage(FILE *f)
{
	fprintf(f, "usage: tallyctl trustee mix VOTE --share FILE\n"
	    "       tallyctl trustee decrypt VOTE --share FILE "
	    "[--sealed SIZE:ROOT] [--state DIR]\n"
	    "  mix: download and verify the record of the closed VOTE, then\n"
	    "  re-encrypt and permute its write-in list and submit it with a\n"
	    "  proof of shuffle (k scrutineers mix before anyone decrypts)\n"
	    "  decrypt: download and verify the record of the closed VOTE; once\n"
	    "  its sealed log is cosigned by the witnesses' quorum (or equals\n"
	    "  --sealed, read out at closing, for a vote without witnesses),\n"
	    "  submit this scrutineer's proven partial decryption of its\n"
	    "  totals and of the last shuffled write-in list. DIR (default: the\n"
	    "  share file's folder) remembers the sealed state decrypted:\n"
	    "  another one for VOTE is refused.\n");
	return f == stdout ? 0 : 2;
}

int
cmd_trustee(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "share", required_argument, NULL, 's' },
		{ "sealed", required_argument, NULL, 'S' },
		{ "state", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *share = NULL, *sealed = NULL, *statedir = NULL;
	char dirbuf[4096], *slash;
	int ch, mix;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0)
		return tr_usage(stdout);
	if (argc < 2 || (strcmp(argv[1], "decrypt") != 0 &&
	    strcmp(argv[1], "mix") != 0))
		return tr_usage(stderr);
	mix = strcmp(argv[1], "mix") == 0;
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			share = optarg;
			break;
		case 'S':
			sealed = optarg;
			break;
		case 'd':
			statedir = optarg;
			break;
		case 'h':
			return tr_usage(stdout);
		default:
			return tr_usage(stderr);
		}
	}
	if (argc - optind != 1 || share == NULL)
		return tr_usage(stderr);
	if (mix)
		return tr_mix(argv[optind], share) == 0 ? 0 : 1;
	if (statedir == NULL) {
		snprintf(dirbuf, sizeof(dirbuf), "%s", share);
		if ((slash = strrchr(dirbuf, '/')) == NULL)
			snprintf(dirbuf, sizeof(dirbuf), ".");
		else if (slash == dirbuf)
			dirbuf[1] = '\0';
		else
			*slash = '\0';
		statedir = dirbuf;
	}
	return tr_decrypt(argv[optind], share, sealed, statedir) == 0 ? 0 : 1;
}
