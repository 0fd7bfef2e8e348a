/*
 * trustee.c: the trustees' ceremony in three phases, each run by one
 * trustee on its own machine, exchanging only the public files of CDIR:
 *
 *   CDIR/trustee-I.pub     TrusteePublic of trustee I (init)
 *   CDIR/share-I-J.pb      EncryptedShare from I to J (share)
 *   CDIR/signature-I.pb    TranscriptSignature of trustee I (finish)
 *   CDIR/transcript.pb     CeremonyTranscript with every signature (the
 *                          finish or seal that finds all n signatures)
 *
 * and keeping its secrets in CDIR/private-I/ (0700, never exchanged):
 *
 *   private-I/state        polynomial, transport and signing keys (0600)
 *   private-I/share.pb     TrusteeSecret: the final share s_I (0600)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ceremony.h"
#include "err.h"
#include "group.h"
#include "keys.h"
#include "util.h"

static const char usage_trustee[] =
    "usage: tally-keys trustee init|share|finish|seal --ceremony CDIR "
    "--index I [--of N --quorum K]\n"
    "  init:   make the own secrets (CDIR/private-I/) and publish\n"
    "          CDIR/trustee-I.pub (--of and --quorum required)\n"
    "  share:  needs every trustee-*.pub; writes CDIR/share-I-J.pb for all J\n"
    "  finish: needs every share-*-I.pb; checks them all, signs the\n"
    "          transcript (CDIR/signature-I.pb), writes\n"
    "          CDIR/private-I/share.pb, and CDIR/transcript.pb once every\n"
    "          trustee has signed\n"
    "  seal:   needs every signature-*.pb; writes CDIR/transcript.pb\n"
    "Each step prints fingerprints: read them aloud and compare.\n";
static const char usage_ceremony[] =
    "usage: tally-keys ceremony CDIR --trustees N --quorum K\n"
    "  Run init, share and finish for every trustee (tests and demos):\n"
    "  1 <= K <= N <= 64.\n";

struct tctx {
	const char *cdir;
	uint32_t index;
	struct ceremony_trustee *t;
	Tally__TrusteePublic *pubs[CEREMONY_MAX_TRUSTEES];
};

enum cfile { F_PRIVDIR, F_STATE, F_PUB, F_SHARE, F_SECRET, F_SIG };

static char *
cpath(const char *cdir, enum cfile f, uint32_t a, uint32_t b)
{
	char *p;
	int n = -1;

	switch (f) {
	case F_PRIVDIR:
		n = asprintf(&p, "%s/private-%u", cdir, a);
		break;
	case F_STATE:
		n = asprintf(&p, "%s/private-%u/state", cdir, a);
		break;
	case F_PUB:
		n = asprintf(&p, "%s/trustee-%u.pub", cdir, a);
		break;
	case F_SHARE:
		n = asprintf(&p, "%s/share-%u-%u.pb", cdir, a, b);
		break;
	case F_SECRET:
		n = asprintf(&p, "%s/private-%u/share.pb", cdir, a);
		break;
	case F_SIG:
		n = asprintf(&p, "%s/signature-%u.pb", cdir, a);
		break;
	}
	return n == -1 ? NULL : p;
}

static void
tctx_clear(struct tctx *c)
{
	uint32_t i;

	for (i = 0; i < CEREMONY_MAX_TRUSTEES; i++) {
		tally__trustee_public__free_unpacked(c->pubs[i], NULL);
		c->pubs[i] = NULL;
	}
	ceremony_trustee_free(c->t);
	c->t = NULL;
}

/* "LABEL XXXX-XXXX-XXXX-XXXX" for bytes p: what trustees read aloud. */
static void
print_fp(const char *label, const uint8_t *p, size_t len)
{
	char fp[CEREMONY_FINGERPRINT_LEN + 1];

	if (ceremony_fingerprint(fp, sizeof(fp), p, len) == 0)
		printf("%s %s\n", label, fp);
}

/* ---------------------------------------------------------------- init */

static int
trustee_init(const char *cdir, uint32_t index, uint32_t n, uint32_t k)
{
	struct ceremony_trustee *t = NULL;
	char *pdir = cpath(cdir, F_PRIVDIR, index, 0);
	char *sp = cpath(cdir, F_STATE, index, 0);
	char *pp = cpath(cdir, F_PUB, index, 0);
	uint8_t *st = NULL, *pub = NULL;
	size_t stl = 0, publ = 0;
	int ret, made = 0;

	if (pdir == NULL || sp == NULL || pp == NULL) {
		ret = keys_fail(TALLY_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (access(pp, F_OK) == 0 || access(sp, F_OK) == 0) {
		ret = keys_fail(TALLY_ERR_EXISTS, "trustee %u already ran init "
		    "in %s", index, cdir);
		goto out;
	}
	if ((ret = ceremony_trustee_new(&t, index, n, k)) != 0 ||
	    (ret = ceremony_trustee_encode(t, &st, &stl)) != 0 ||
	    (ret = ceremony_public_make(t, NULL, &pub, &publ)) != 0) {
		ret = keys_fail(ret, "cannot make trustee %u's keys", index);
		goto out;
	}
	if (mkdir(pdir, 0700) == -1 && errno != EEXIST) {
		ret = keys_fail(TALLY_ERR_IO, "cannot make %s", pdir);
		goto out;
	}
	made = 1;
	if ((ret = util_write_file(sp, st, stl, 0600, 1)) != 0) {
		ret = keys_fail(ret, "cannot write %s", sp);
		goto out;
	}
	if ((ret = util_write_file(pp, pub, publ, 0644, 1)) != 0) {
		unlink(sp);
		ret = keys_fail(ret, "cannot write %s", pp);
		goto out;
	}
	made = 0;
	printf("trustee %u: %s\n", index, pp);
	print_fp("  public part (read it aloud; every trustee checks it at "
	    "share)", pub, publ);
out:
	if (made)
		rmdir(pdir);
	if (st != NULL)
		util_freezero(st, stl);
	free(pub);
	ceremony_trustee_free(t);
	free(pdir);
	free(sp);
	free(pp);
	return ret;
}

/* ----------------------------------------------------- loading the rest */

/* The own state, checked against the --of/--quorum given (0: any). */
static int
load_state(struct tctx *c, uint32_t n, uint32_t k)
{
	char *sp = cpath(c->cdir, F_STATE, c->index, 0);
	uint8_t *p = NULL;
	size_t len = 0;
	int ret;

	if (sp == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	if (access(sp, F_OK) != 0)
		ret = keys_fail(TALLY_ERR_CEREMONY, "trustee %u has not run "
		    "init in %s (no %s)", c->index, c->cdir, sp);
	else if ((ret = util_check_private(sp)) != 0)
		ret = keys_fail(ret, "%s is readable by others", sp);
	else if ((ret = util_read_file(sp, 65536, &p, &len)) != 0 ||
	    (ret = ceremony_trustee_decode(&c->t, p, len)) != 0)
		ret = keys_fail(ret, "cannot read %s", sp);
	else if (c->t->index != c->index || (n != 0 && n != c->t->n) ||
	    (k != 0 && k != c->t->k))
		ret = keys_fail(TALLY_ERR_CEREMONY, "%s is for trustee %u of a "
		    "%u-of-%u ceremony", sp, c->t->index, c->t->k, c->t->n);
	if (p != NULL)
		util_freezero(p, len);
	free(sp);
	return ret;
}

static int
read_msg(const char *path, uint8_t **p, size_t *len)
{
	return util_read_file(path, CEREMONY_MSG_MAX, p, len);
}

/* Every trustee's public part, each checked; names the first bad one. */
static int
load_publics(struct tctx *c)
{
	uint8_t *p;
	size_t len;
	char *pp;
	uint32_t j;
	int ret = 0;

	for (j = 1; j <= c->t->n && ret == 0; j++) {
		if ((pp = cpath(c->cdir, F_PUB, j, 0)) == NULL)
			return keys_fail(TALLY_ERR_NOMEM, "out of memory");
		p = NULL;
		if (access(pp, F_OK) != 0)
			ret = keys_fail(TALLY_ERR_CEREMONY, "trustee %u has not "
			    "run init yet (no %s)", j, pp);
		else if ((ret = read_msg(pp, &p, &len)) != 0 ||
		    (ret = ceremony_public_open(&c->pubs[j - 1], p, len,
		    c->t->n, c->t->k, j)) != 0)
			ret = keys_fail(ret, "bad public part from trustee %u "
			    "(%s)", j, pp);
		free(p);
		free(pp);
	}
	return ret;
}

/* --------------------------------------------------------------- share */

static void
unlink_shares(const struct tctx *c, uint32_t upto)
{
	char *sp;
	uint32_t j;

	for (j = 1; j < upto; j++)
		if (j != c->index &&
		    (sp = cpath(c->cdir, F_SHARE, c->index, j)) != NULL) {
			unlink(sp);
			free(sp);
		}
}

/* The own part is the one in CDIR, the ceremony id of the set; print the
 * fingerprints that the trustees compare aloud. */
static int
ceremony_of(struct tctx *c, uint8_t id[CEREMONY_ID_LEN])
{
	const Tally__TrusteePublic **pubs =
	    (const Tally__TrusteePublic **)c->pubs;
	uint8_t *p;
	size_t len;
	uint32_t j;
	char label[64];
	int ret;

	if ((ret = ceremony_public_is_mine(pubs[c->index - 1], c->t)) != 0)
		return keys_fail(ret, "trustee %u: the public part trustee-%u.pub "
		    "in %s is not the one this trustee made (another "
		    "ceremony's?); stopping", c->index, c->index, c->cdir);
	if ((ret = ceremony_id(id, pubs, c->t->n, c->t->k)) != 0)
		return keys_fail(ret, "no ceremony id");
	print_fp("ceremony", id, CEREMONY_ID_LEN);
	for (j = 1; j <= c->t->n; j++) {
		len = tally__trustee_public__get_packed_size(pubs[j - 1]);
		if ((p = calloc(1, len + 1)) == NULL)
			return keys_fail(TALLY_ERR_NOMEM, "out of memory");
		tally__trustee_public__pack(pubs[j - 1], p);
		snprintf(label, sizeof(label), "  public part of trustee %u", j);
		print_fp(label, p, len);
		free(p);
	}
	return 0;
}

static int
write_shares(struct tctx *c)
{
	uint8_t *p, id[CEREMONY_ID_LEN];
	size_t len;
	char *sp;
	uint32_t j;
	int ret = 0;

	if ((ret = ceremony_of(c, id)) != 0)
		return ret;
	for (j = 1; j <= c->t->n && ret == 0; j++) {
		if (j == c->index)
			continue;
		if ((sp = cpath(c->cdir, F_SHARE, c->index, j)) == NULL)
			return keys_fail(TALLY_ERR_NOMEM, "out of memory");
		p = NULL;
		if ((ret = ceremony_share_seal(c->t, c->pubs[j - 1], id, &p,
		    &len)) != 0)
			ret = keys_fail(ret, "cannot encrypt the share for "
			    "trustee %u", j);
		else if ((ret = util_write_file(sp, p, len, 0644, 1)) != 0) {
			ret = keys_fail(ret, "cannot write %s", sp);
			unlink_shares(c, j);
		}
		free(p);
		free(sp);
	}
	return ret;
}

/* -------------------------------------------------------------- finish */

struct inbox {
	uint8_t *p[CEREMONY_MAX_TRUSTEES];
	size_t len[CEREMONY_MAX_TRUSTEES];
};

static void
inbox_clear(struct inbox *in)
{
	size_t i;

	for (i = 0; i < CEREMONY_MAX_TRUSTEES; i++)
		free(in->p[i]);
	memset(in, 0, sizeof(*in));
}

static int
load_inbox(const struct tctx *c, struct inbox *in)
{
	char *sp;
	uint32_t i;
	int ret = 0;

	for (i = 1; i <= c->t->n && ret == 0; i++) {
		if (i == c->index)
			continue;
		if ((sp = cpath(c->cdir, F_SHARE, i, c->index)) == NULL)
			return keys_fail(TALLY_ERR_NOMEM, "out of memory");
		if (access(sp, F_OK) != 0)
			ret = keys_fail(TALLY_ERR_CEREMONY, "trustee %u has not "
			    "run share yet (no %s)", i, sp);
		else if ((ret = read_msg(sp, &in->p[i - 1],
		    &in->len[i - 1])) != 0)
			ret = keys_fail(ret, "cannot read the share from "
			    "trustee %u (%s)", i, sp);
		free(sp);
	}
	return ret;
}

/* Write CDIR/transcript.pb, or check that the one there is identical. */
static int
put_transcript(const struct tctx *c, const uint8_t *tr, size_t len)
{
	char *tp = keys_path(c->cdir, "transcript.pb");
	uint8_t *old = NULL;
	size_t oldlen;
	int ret;

	if (tp == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	ret = util_write_file(tp, tr, len, 0644, 1);
	if (ret == TALLY_ERR_EXISTS) {
		if ((ret = util_read_file(tp, 4 * CEREMONY_MSG_MAX, &old,
		    &oldlen)) == 0 && (oldlen != len ||
		    memcmp(old, tr, len) != 0))
			ret = TALLY_ERR_CEREMONY;
		if (ret != 0)
			ret = keys_fail(ret, "%s differs from the transcript "
			    "trustee %u computed", tp, c->index);
	} else if (ret != 0)
		ret = keys_fail(ret, "cannot write %s", tp);
	if (ret == 0)
		printf("%s: signed by all %u trustees\n", tp, c->t->n);
	free(old);
	free(tp);
	return ret;
}

/* The unsigned transcript tr with every trustee's signature-J.pb, into
 * CDIR/transcript.pb. Missing signatures: E_NOT_FOUND, reported only when
 * need_all (seal; finish just says who is still to sign). */
static int
seal_transcript(const struct tctx *c, const uint8_t *tr, size_t trl,
    int need_all)
{
	uint8_t *sig[CEREMONY_MAX_TRUSTEES] = { NULL }, *out = NULL;
	size_t sigl[CEREMONY_MAX_TRUSTEES], outl;
	uint32_t j, culprit, missing = 0;
	char *sp;
	int ret = 0;

	for (j = 1; j <= c->t->n && ret == 0; j++) {
		if ((sp = cpath(c->cdir, F_SIG, j, 0)) == NULL)
			ret = keys_fail(TALLY_ERR_NOMEM, "out of memory");
		else if (access(sp, F_OK) != 0)
			missing++;
		else if ((ret = read_msg(sp, &sig[j - 1], &sigl[j - 1])) != 0)
			ret = keys_fail(ret, "cannot read %s", sp);
		free(sp);
	}
	if (ret == 0 && missing > 0) {
		ret = TALLY_ERR_NOT_FOUND;
		if (need_all)
			keys_fail(ret, "%u trustee(s) have not signed the "
			    "transcript yet (no signature-J.pb in %s)", missing,
			    c->cdir);
		else
			printf("transcript: %u signature(s) still to come; "
			    "then run 'tally-keys trustee seal'\n", missing);
	}
	if (ret == 0 && (ret = ceremony_transcript_seal(tr, trl,
	    (const uint8_t **)sig, sigl, c->t->n, &out, &outl,
	    &culprit)) != 0)
		ret = keys_fail(ret, "trustee %u's signature-%u.pb does not "
		    "sign this transcript (%s); stopping", culprit, culprit,
		    tally_strerror(ret));
	if (ret == 0)
		ret = put_transcript(c, out, outl);
	for (j = 0; j < CEREMONY_MAX_TRUSTEES; j++)
		free(sig[j]);
	free(out);
	return ret;
}

/* The unsigned transcript of the public parts, and its fingerprints. */
static int
make_transcript(const struct tctx *c, uint8_t **tr, size_t *trl,
    uint8_t T[32])
{
	Tally__CeremonyTranscript *t;
	int ret;

	if ((ret = ceremony_transcript_make(
	    (const Tally__TrusteePublic **)c->pubs, c->t->n, c->t->k, tr,
	    trl)) != 0)
		return keys_fail(ret, "cannot make the transcript");
	if ((t = tally__ceremony_transcript__unpack(NULL, *trl, *tr)) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	ret = ceremony_transcript_digest(T, t);
	tally__ceremony_transcript__free_unpacked(t, NULL);
	if (ret != 0)
		return keys_fail(ret, "cannot hash the transcript");
	print_fp("transcript (read it aloud: every trustee must hear the "
	    "same)", T, 32);
	return 0;
}

/* Everything after the shares checked: the own signature on the
 * transcript, the secret, then the signed transcript when complete. */
static int
finish_write(struct tctx *c, const BIGNUM *s)
{
	char *secp = cpath(c->cdir, F_SECRET, c->index, 0);
	char *sigp = cpath(c->cdir, F_SIG, c->index, 0);
	uint8_t *tr = NULL, *sec = NULL, *sig = NULL, T[32];
	size_t trl = 0, secl = 0, sigl = 0;
	int ret;

	if (secp == NULL || sigp == NULL) {
		ret = keys_fail(TALLY_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (access(secp, F_OK) == 0) {
		ret = keys_fail(TALLY_ERR_EXISTS, "trustee %u already ran "
		    "finish (%s)", c->index, secp);
		goto out;
	}
	if ((ret = make_transcript(c, &tr, &trl, T)) != 0)
		goto out;
	if ((ret = ceremony_transcript_sign(c->t, tr, trl, &sig,
	    &sigl)) != 0 || (ret = ceremony_secret_make(c->index, s, T, &sec,
	    &secl)) != 0) {
		ret = keys_fail(ret, "trustee %u cannot sign the transcript",
		    c->index);
		goto out;
	}
	if ((ret = util_write_file(sigp, sig, sigl, 0644, 1)) != 0) {
		ret = keys_fail(ret, "cannot write %s", sigp);
		goto out;
	}
	if ((ret = util_write_file(secp, sec, secl, 0600, 1)) != 0) {
		unlink(sigp);
		ret = keys_fail(ret, "cannot write %s", secp);
		goto out;
	}
	printf("trustee %u: %s, signed %s\n", c->index, secp, sigp);
	if ((ret = seal_transcript(c, tr, trl, 0)) == TALLY_ERR_NOT_FOUND)
		ret = 0;
out:
	if (sec != NULL)
		util_freezero(sec, secl);
	free(tr);
	free(sig);
	free(secp);
	free(sigp);
	return ret;
}

static int
trustee_seal(struct tctx *c)
{
	uint8_t *tr = NULL, id[CEREMONY_ID_LEN], T[32];
	size_t trl = 0;
	int ret;

	if ((ret = ceremony_of(c, id)) == 0 &&
	    (ret = make_transcript(c, &tr, &trl, T)) == 0)
		ret = seal_transcript(c, tr, trl, 1);
	free(tr);
	return ret;
}

static int
trustee_finish(struct tctx *c)
{
	struct inbox in;
	BIGNUM *s;
	uint32_t culprit = 0;
	int ret;

	memset(&in, 0, sizeof(in));
	if ((s = group_scalar_new()) == NULL)
		return keys_fail(TALLY_ERR_NOMEM, "out of memory");
	if ((ret = load_inbox(c, &in)) != 0)
		goto out;
	if ((ret = ceremony_collect(s, c->t,
	    (const Tally__TrusteePublic **)c->pubs, (const uint8_t **)in.p,
	    in.len, &culprit)) != 0) {
		if (culprit != 0 && ret == TALLY_ERR_FOREIGN)
			ret = keys_fail(ret, "the share trustee %u sent to "
			    "trustee %u is of another ceremony (a public part "
			    "or share replayed?); stopping", culprit, c->index);
		else if (culprit != 0)
			ret = keys_fail(ret, "the share trustee %u sent to "
			    "trustee %u is bad (%s); stopping", culprit,
			    c->index, tally_strerror(ret));
		else if (ret == TALLY_ERR_FOREIGN)
			ret = keys_fail(ret, "trustee %u: the public part "
			    "trustee-%u.pub in %s is not the one this trustee "
			    "made (another ceremony's?); stopping", c->index,
			    c->index, c->cdir);
		else
			ret = keys_fail(ret, "cannot combine the shares");
		goto out;
	}
	ret = finish_write(c, s);
out:
	inbox_clear(&in);
	group_scalar_free(s);
	return ret;
}

/* ------------------------------------------------------------- commands */

static int
trustee_phase(const char *phase, const char *cdir, uint32_t index,
    uint32_t n, uint32_t k)
{
	struct tctx c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.cdir = cdir;
	c.index = index;
	if ((ret = load_state(&c, n, k)) != 0 || (ret = load_publics(&c)) != 0)
		goto out;
	if (strcmp(phase, "share") == 0)
		ret = write_shares(&c);
	else if (strcmp(phase, "seal") == 0)
		ret = trustee_seal(&c);
	else
		ret = trustee_finish(&c);
out:
	tctx_clear(&c);
	return ret;
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out,
    const char *what)
{
	if (s == NULL) {
		*out = 0;
		return 0;
	}
	if (util_parse_u32(s, min, max, out) != 0)
		return keys_fail(TALLY_ERR_INVALID_ARG, "%s must be a number "
		    "in %u..%u, not %s", what, min, max, s);
	return 0;
}

int
cmd_trustee(int argc, char **argv)
{
	const char *cdir = NULL, *idx = NULL, *of = NULL, *quorum = NULL;
	struct keys_opt opts[] = {{"ceremony", &cdir}, {"index", &idx},
	    {"of", &of}, {"quorum", &quorum}};
	const char *phase = argc >= 2 ? argv[1] : "";
	uint32_t i, n, k;
	int ret;

	if (strcmp(phase, "--help") == 0) {
		fputs(usage_trustee, stdout);
		return 0;
	}
	if (strcmp(phase, "init") != 0 && strcmp(phase, "share") != 0 &&
	    strcmp(phase, "finish") != 0 && strcmp(phase, "seal") != 0)
		return keys_usage(usage_trustee, "expected init, share, finish "
		    "or seal");
	if ((ret = keys_parse(argc - 2, argv + 2, opts, 4, NULL, 0,
	    usage_trustee)) != 0)
		return ret < 0 ? 0 : ret;
	if (cdir == NULL || idx == NULL)
		return keys_usage(usage_trustee, "--ceremony and --index are "
		    "required");
	if (strcmp(phase, "init") == 0 && (of == NULL || quorum == NULL))
		return keys_usage(usage_trustee, "init needs --of and --quorum");
	if ((ret = parse_u32(of, 1, CEREMONY_MAX_TRUSTEES, &n, "--of")) ||
	    (ret = parse_u32(quorum, 1, CEREMONY_MAX_TRUSTEES, &k,
	    "--quorum")))
		return ret;
	if (n != 0 && k != 0 && ceremony_check_params(n, k) != 0)
		return keys_fail(TALLY_ERR_INVALID_ARG, "need 1 <= quorum <= "
		    "trustees <= %d, got quorum %u of %u", CEREMONY_MAX_TRUSTEES,
		    k, n);
	if ((ret = parse_u32(idx, 1, n ? n : CEREMONY_MAX_TRUSTEES, &i,
	    "--index")))
		return ret;
	if ((ret = keys_need_dir(cdir)) != 0)
		return keys_fail(ret, "no ceremony folder %s", cdir);
	if (strcmp(phase, "init") == 0)
		return trustee_init(cdir, i, n, k);
	return trustee_phase(phase, cdir, i, n, k);
}

int
cmd_ceremony(int argc, char **argv)
{
	const char *cdir = NULL, *tn = NULL, *tk = NULL;
	struct keys_opt opts[] = {{"trustees", &tn}, {"quorum", &tk}};
	uint32_t n, k, i;
	int ret;

	if ((ret = keys_parse(argc - 1, argv + 1, opts, 2, &cdir, 1,
	    usage_ceremony)) != 0)
		return ret < 0 ? 0 : ret;
	if (tn == NULL || tk == NULL)
		return keys_usage(usage_ceremony, "--trustees and --quorum are "
		    "required");
	if ((ret = parse_u32(tn, 1, CEREMONY_MAX_TRUSTEES, &n, "--trustees")) ||
	    (ret = parse_u32(tk, 1, CEREMONY_MAX_TRUSTEES, &k, "--quorum")))
		return ret;
	if (ceremony_check_params(n, k) != 0)
		return keys_fail(TALLY_ERR_INVALID_ARG, "need 1 <= quorum <= "
		    "trustees <= %d, got quorum %u of %u", CEREMONY_MAX_TRUSTEES,
		    k, n);
	if ((ret = keys_make_dir(cdir)) != 0)
		return keys_fail(ret, "cannot make folder %s", cdir);
	for (i = 1; i <= n; i++)
		if ((ret = trustee_init(cdir, i, n, k)) != 0)
			return ret;
	for (i = 1; i <= n; i++)
		if ((ret = trustee_phase("share", cdir, i, n, k)) != 0)
			return ret;
	for (i = 1; i <= n; i++)
		if ((ret = trustee_phase("finish", cdir, i, n, k)) != 0)
			return ret;
	/* the last finish sealed it; say so plainly for scripts */
	printf("%s/transcript.pb\n", cdir);
	return 0;
}
