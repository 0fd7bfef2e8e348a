/* fe_check.c: the role table and the frontend's cheap checks. */
#include "fe_check.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "pb.h"

#define B(x)	(1u << TALLY__REQUEST__BODY_##x)

/* Auditors too present a certificate (role auditor); they are read-only. */
static const struct {
	enum tally_role	role;
	uint32_t	allowed;	/* bit per Tally__Request__BodyCase */
	int		large;		/* gets max_large_frame */
} role_table[] = {
	{ ROLE_TERMINAL, B(CAST) | B(SPOIL) | B(STATUS) | B(GET_VOTE), 0 },
	{ ROLE_OFFICIAL, B(CREATE_VOTE) | B(OPEN_VOTE) | B(CLOSE_VOTE) |
	    B(STATUS) | B(TALLY) | B(GET_RECORD) | B(GET_VOTE), 1 },
	/* Scrutineers download and verify the record before they decrypt,
	 * and a share with many write-in points outgrows a terminal's frame. */
	{ ROLE_TRUSTEE, B(GET_VOTE) | B(SUBMIT_SHARE) | B(SUBMIT_SHUFFLE) |
	    B(STATUS) | B(GET_RECORD) | B(ADD_COSIGNATURE), 1 },
	/* Auditors only ask, and as witnesses hand in cosignatures: their
	 * requests are small. */
	{ ROLE_AUDITOR, B(STATUS) | B(GET_RECORD) | B(GET_VOTE) |
	    B(ADD_COSIGNATURE), 0 },
};
#define NROLES (sizeof(role_table) / sizeof(role_table[0]))

int
fe_role_may(enum tally_role role, Tally__Request__BodyCase body)
{
	size_t i;

	if ((unsigned int)body >= 32)
		return 0;
	for (i = 0; i < NROLES; i++)
		if (role_table[i].role == role)
			return (role_table[i].allowed & (1u << body)) != 0;
	return 0;
}

uint32_t
fe_role_frame_limit(const struct config *cfg, enum tally_role role)
{
	size_t i;

	for (i = 0; i < NROLES; i++)
		if (role_table[i].role == role && role_table[i].large)
			return cfg->max_large_frame;
	return cfg->max_frame;
}

int
fe_check_frame(const struct config *cfg, enum tally_role role,
    const uint8_t *p, size_t len, uint64_t *id, char *msg, size_t msglen)
{
	uint32_t body;
	int ret;

	/* Field 2 of a Request is its id. */
	if ((ret = pb_peek_oneof(&tally__request__descriptor, p, len,
	    &body, 2, id)) != 0) {
		*id = 0;
		snprintf(msg, msglen, "request does not decode");
		return ret;
	}
	if (body != 0 && !fe_role_may(role, (Tally__Request__BodyCase)body)) {
		snprintf(msg, msglen, "role %s may not send this request",
		    role_name(role));
		return TALLY_ERR_ROLE;
	}
	if (len > cfg->max_frame && body != TALLY__REQUEST__BODY_CREATE_VOTE &&
	    body != TALLY__REQUEST__BODY_SUBMIT_SHARE &&
	    body != TALLY__REQUEST__BODY_SUBMIT_SHUFFLE) {
		snprintf(msg, msglen, "request over the frame limit");
		return TALLY_ERR_TOO_LARGE;
	}
	if ((ret = pb_scan(&tally__request__descriptor, p, len,
	    FE_MAX_FIELDS(len))) != 0) {
		snprintf(msg, msglen, ret == TALLY_ERR_TOO_LARGE ?
		    "request holds too many entries" :
		    "request does not decode");
		return ret;
	}
	return 0;
}

/* Vote ids are short printable names: letters, digits, '-', '_', '.'. */
static int
vote_id_ok(const char *id, int may_be_empty)
{
	size_t n = strlen(id), i;

	if (n == 0)
		return may_be_empty;
	if (n > 64 || id[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.'))
			return 0;
	}
	return 1;
}

static const char *
request_vote_id(const Tally__Request *r)
{
	switch (r->body_case) {
	case TALLY__REQUEST__BODY_OPEN_VOTE:
		return r->open_vote->vote_id;
	case TALLY__REQUEST__BODY_CLOSE_VOTE:
		return r->close_vote->vote_id;
	case TALLY__REQUEST__BODY_STATUS:
		return r->status->vote_id;
	case TALLY__REQUEST__BODY_GET_VOTE:
		return r->get_vote->vote_id;
	case TALLY__REQUEST__BODY_SUBMIT_SHARE:
		return r->submit_share->vote_id;
	case TALLY__REQUEST__BODY_SUBMIT_SHUFFLE:
		return r->submit_shuffle->vote_id;
	case TALLY__REQUEST__BODY_TALLY:
		return r->tally->vote_id;
	case TALLY__REQUEST__BODY_GET_RECORD:
		return r->get_record->vote_id;
	case TALLY__REQUEST__BODY_ADD_COSIGNATURE:
		return r->add_cosignature->vote_id;
	default:
		return NULL;
	}
}

static int
validate_create(const Tally__CreateVoteRequest *c, char *msg, size_t len)
{
	size_t i;

	if (c->manifest.len == 0 || c->transcript == NULL) {
		snprintf(msg, len, "manifest and transcript are required");
		return TALLY_ERR_INVALID_ARG;
	}
	if (c->n_registry == 0) {
		snprintf(msg, len, "empty credential registry");
		return TALLY_ERR_INVALID_ARG;
	}
	for (i = 0; i < c->n_registry; i++)
		if (c->registry[i].len != 32) {
			snprintf(msg, len, "registry key %zu is not 32 bytes",
			    i);
			return TALLY_ERR_INVALID_ARG;
		}
	return 0;
}

static int
validate_cast(const Tally__CastRequest *c, char *msg, size_t len)
{
	if (c->ballot == NULL || c->ballot->body.len == 0 ||
	    c->ballot->signature.len != 64) {
		snprintf(msg, len, "ballot needs a body and a 64-byte "
		    "signature");
		return TALLY_ERR_BALLOT_SHAPE;
	}
	return 0;
}

static int
validate_spoil(const Tally__SpoilRequest *sp, char *msg, size_t len)
{
	const Tally__SpoiledBallot *s = sp->spoiled;

	if (s == NULL || s->ballot == NULL || s->ballot->body.len == 0 ||
	    s->ballot->signature.len != 64) {
		snprintf(msg, len, "a challenged ballot needs the ballot, a "
		    "body and a 64-byte signature");
		return TALLY_ERR_BALLOT_SHAPE;
	}
	return 0;
}

/* Cheap checks, on the event loop: sizes, names, presence. */
int
fe_check_request(const Tally__Request *req, char *msg, size_t msglen)
{
	const char *id = request_vote_id(req);
	int empty_ok = req->body_case == TALLY__REQUEST__BODY_STATUS;

	if (id != NULL && !vote_id_ok(id, empty_ok)) {
		snprintf(msg, msglen, "bad vote id");
		return TALLY_ERR_INVALID_ARG;
	}
	switch (req->body_case) {
	case TALLY__REQUEST__BODY_CREATE_VOTE:
		return validate_create(req->create_vote, msg, msglen);
	case TALLY__REQUEST__BODY_CAST:
		return validate_cast(req->cast, msg, msglen);
	case TALLY__REQUEST__BODY_SPOIL:
		return validate_spoil(req->spoil, msg, msglen);
	case TALLY__REQUEST__BODY_ADD_COSIGNATURE:
		if (req->add_cosignature->cosignature == NULL) {
			snprintf(msg, msglen, "cosignature missing");
			return TALLY_ERR_INVALID_ARG;
		}
		return 0;
	case TALLY__REQUEST__BODY_SUBMIT_SHARE:
		if (req->submit_share->share == NULL) {
			snprintf(msg, msglen, "share missing");
			return TALLY_ERR_INVALID_ARG;
		}
		return 0;
	case TALLY__REQUEST__BODY_SUBMIT_SHUFFLE:
		if (req->submit_shuffle->shuffle == NULL ||
		    req->submit_shuffle->shuffle->proof == NULL) {
			snprintf(msg, msglen, "shuffle missing");
			return TALLY_ERR_INVALID_ARG;
		}
		return 0;
	default:
		return 0;
	}
}
