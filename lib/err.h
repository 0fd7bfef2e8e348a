/*
 * err.h: the stable error codes of tally.
 *
 * Every fallible function returns 0 or a negative enum tally_err. The values
 * are part of the protocol (ErrorCode in proto/tally.proto is -tally_err) and
 * of the command-line contract: never renumber one, only append.
 */
#ifndef TALLY_ERR_H
#define TALLY_ERR_H

enum tally_err {
	TALLY_OK = 0,
	TALLY_ERR_NOMEM = -1,
	TALLY_ERR_INTERNAL = -2,
	TALLY_ERR_INVALID_ARG = -3,
	TALLY_ERR_IO = -4,
	TALLY_ERR_CRYPTO = -5,
	TALLY_ERR_TRUNCATED = -6,
	TALLY_ERR_TOO_LARGE = -7,
	TALLY_ERR_TRAILING = -8,
	TALLY_ERR_DECODE = -9,
	TALLY_ERR_BAD_POINT = -10,
	TALLY_ERR_BAD_SCALAR = -11,
	TALLY_ERR_BAD_PROOF = -12,
	TALLY_ERR_BAD_SIGNATURE = -13,
	TALLY_ERR_MANIFEST = -14,
	TALLY_ERR_BALLOT_SHAPE = -15,
	TALLY_ERR_BAD_CHOICE = -16,
	TALLY_ERR_DLOG_RANGE = -17,
	TALLY_ERR_VOTE_UNKNOWN = -18,
	TALLY_ERR_VOTE_NOT_OPEN = -19,
	TALLY_ERR_VOTE_STATE = -20,
	TALLY_ERR_VOTE_EXISTS = -21,
	TALLY_ERR_QUORUM = -22,
	TALLY_ERR_CRED_UNKNOWN = -23,
	TALLY_ERR_CRED_USED = -24,
	TALLY_ERR_REPLAY = -25,
	TALLY_ERR_ROLE = -26,
	TALLY_ERR_LOG_CORRUPT = -27,
	TALLY_ERR_LOG_FAILED = -28,
	TALLY_ERR_BAD_SHARE = -29,
	TALLY_ERR_SHARE_DUP = -30,
	TALLY_ERR_NEED_SHARES = -31,
	TALLY_ERR_CHECKSUM = -32,
	TALLY_ERR_PERM = -33,
	TALLY_ERR_EXISTS = -34,
	TALLY_ERR_NOT_FOUND = -35,
	TALLY_ERR_CONFIG = -36,
	TALLY_ERR_PROTOCOL = -37,
	TALLY_ERR_TIMEOUT = -38,
	TALLY_ERR_BUSY = -39,
	TALLY_ERR_VERIFY = -40,
	TALLY_ERR_VERSION = -41,
	TALLY_ERR_CEREMONY = -42,
	TALLY_ERR_RULES = -43,
	TALLY_ERR_STORAGE = -44,	/* the server cannot write its disk */
	TALLY_ERR_UNPINNED = -48,	/* no election hash pinned for the vote */
	TALLY_ERR_PIN_MISMATCH = -49,	/* the vote is not the one pinned */
	TALLY_ERR_FOREIGN = -50,	/* from another ceremony, not our own */
	TALLY_ERR_WITNESS = -51,	/* a witness set or cosignature refused */
	TALLY_ERR_FORK = -52,		/* two inconsistent states of one vote */
	TALLY_ERR_UNSEALED = -53,	/* not sealed and witnessed */
	TALLY_ERR_BAD_SHUFFLE = -54,	/* a shuffle's list or proof refused */
	TALLY_ERR_MIX_STATE = -55,	/* no shuffle now */
	TALLY_ERR_MIX_DUP = -56,	/* this scrutineer already shuffled */
	TALLY_ERR_MIX_STALE = -57,	/* not the next step of the mix */
	TALLY_ERR_REVEAL = -58,
	TALLY_ERR_SPOILED = -59,
	TALLY_ERR_ALREADY_CAST = -60,
	TALLY_ERR_NO_BALLOT = -61,
	TALLY_ERR_LOG_CHAIN = -64,
	TALLY_ERR_MIN_ = -65 /* one past the last code; not an error */
};

/* A human sentence for err ("bad proof"); never NULL. */
const char *tally_strerror(int err);

/* The stable symbolic code for err ("E_BAD_PROOF"); never NULL. */
const char *tally_errname(int err);

/* True when err is one of the codes above (a number between two codes that
 * names none is not). */
int tally_err_is_known(int err);

#endif
