/* err.c: names and sentences for the stable error codes. */
#include "err.h"

#include <stddef.h>

struct err_entry {
	const char *name;
	const char *text;
};

static const struct err_entry err_table[] = {
	{"OK", "success"},
	{"E_NOMEM", "out of memory"},
	{"E_INTERNAL", "internal error"},
	{"E_INVALID_ARG", "invalid argument"},
	{"E_IO", "input/output error"},
	{"E_CRYPTO", "cryptographic library failure"},
	{"E_TRUNCATED", "input truncated"},
	{"E_TOO_LARGE", "input too large"},
	{"E_TRAILING", "trailing bytes after input"},
	{"E_DECODE", "malformed message"},
	{"E_BAD_POINT", "invalid curve point"},
	{"E_BAD_SCALAR", "invalid scalar"},
	{"E_BAD_PROOF", "proof does not verify"},
	{"E_BAD_SIGNATURE", "signature does not verify"},
	{"E_MANIFEST", "invalid manifest"},
	{"E_BALLOT_SHAPE", "ballot does not match the manifest"},
	{"E_BAD_CHOICE", "invalid ballot choices"},
	{"E_DLOG_RANGE", "total out of the decryptable range"},
	{"E_VOTE_UNKNOWN", "unknown vote"},
	{"E_VOTE_NOT_OPEN", "vote is not open"},
	{"E_VOTE_STATE", "not allowed in the vote's current state"},
	{"E_VOTE_EXISTS", "vote already exists"},
	{"E_QUORUM", "quorum not reached"},
	{"E_CRED_UNKNOWN", "credential not in the registry"},
	{"E_CRED_USED", "credential already used in this vote"},
	{"E_REPLAY", "ballot already submitted"},
	{"E_ROLE", "not permitted for this role"},
	{"E_LOG_CORRUPT", "log corrupt"},
	{"E_LOG_FAILED", "log failed; intake stopped"},
	{"E_BAD_SHARE", "invalid decryption share"},
	{"E_SHARE_DUP", "decryption share already recorded"},
	{"E_NEED_SHARES", "not enough decryption shares"},
	{"E_CHECKSUM", "checksum mismatch"},
	{"E_PERM", "insecure file permissions"},
	{"E_EXISTS", "already exists"},
	{"E_NOT_FOUND", "not found"},
	{"E_CONFIG", "invalid configuration"},
	{"E_PROTOCOL", "protocol error"},
	{"E_TIMEOUT", "timed out"},
	{"E_BUSY", "server busy"},
	{"E_VERIFY", "verification failed"},
	{"E_VERSION", "unsupported version"},
	{"E_CEREMONY", "key ceremony error"},
	{"E_RULES", "counting rules error"},
	{"E_STORAGE", "the server cannot write to its disk; nothing was "
	    "recorded"},
	[-TALLY_ERR_REVEAL] = {"E_REVEAL", "the opened ballot does not "
	    "re-encrypt to the committed one"},
	[-TALLY_ERR_SPOILED] = {"E_SPOILED", "this ballot was challenged and "
	    "can never be cast"},
	[-TALLY_ERR_ALREADY_CAST] = {"E_ALREADY_CAST", "this ballot was cast "
	    "and cannot be challenged"},
	[-TALLY_ERR_NO_BALLOT] = {"E_NO_BALLOT", "no ballot with this tracking "
	    "code"},
	[-TALLY_ERR_UNPINNED] = {"E_UNPINNED", "election hash not pinned"},
	[-TALLY_ERR_PIN_MISMATCH] = {"E_PIN_MISMATCH",
	    "not the vote whose election hash is pinned"},
	[-TALLY_ERR_FOREIGN] = {"E_FOREIGN", "from another ceremony"},
	[-TALLY_ERR_WITNESS] = {"E_WITNESS", "witness cosignature refused"},
	[-TALLY_ERR_FORK] = {"E_FORK",
	    "two inconsistent states of one vote (fork)"},
	[-TALLY_ERR_UNSEALED] = {"E_UNSEALED",
	    "the vote is not sealed and witnessed"},
	[-TALLY_ERR_LOG_CHAIN] = {"E_LOG_CHAIN", "log hash chain broken"},
	[-TALLY_ERR_BAD_SHUFFLE] = {"E_BAD_SHUFFLE",
	    "shuffle refused: its list or its proof of shuffle is wrong"},
	[-TALLY_ERR_MIX_STATE] = {"E_MIX_STATE",
	    "no shuffle now (no write-in list, or decryption has begun)"},
	[-TALLY_ERR_MIX_DUP] = {"E_MIX_DUP",
	    "this scrutineer already shuffled the write-ins"},
	[-TALLY_ERR_MIX_STALE] = {"E_MIX_STALE",
	    "not the next step: shuffle the current write-in list"},
};

int
tally_err_is_known(int err)
{
	return err <= 0 && err > TALLY_ERR_MIN_ &&
	    err_table[-err].name != NULL;
}

const char *
tally_strerror(int err)
{
	if (!tally_err_is_known(err))
		return "unknown error";
	return err_table[-err].text;
}

const char *
tally_errname(int err)
{
	if (!tally_err_is_known(err))
		return "E_UNKNOWN";
	return err_table[-err].name;
}

_Static_assert(sizeof(err_table) / sizeof(err_table[0]) == -TALLY_ERR_MIN_,
    "the table reaches the last code");
