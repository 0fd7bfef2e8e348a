/*
 * rules.h: the counting rules of docs/counting.md (计票规则) as pure functions over
 * decrypted totals: no crypto, no I/O. The same inputs always give the same
 * outcome and the same results.json bytes, so auditors can recount.
 *
 * Promises: every contest outcome carries the stable code of the rule that
 * decided it and the votes that rule needed (each language words it on its
 * own, lib/announce.c); a round with cast > issued (or, for a constituency,
 * cast not more than half of registered) is void with the code of its
 * reason; totals that no
 * ballot could have produced (over a constraint, more write-in names than
 * marked slots) are refused with TALLY_ERR_RULES rather than counted.
 * docs/rules.md lists the decisions where docs/counting.md leaves room.
 */
#ifndef TALLY_RULES_H
#define TALLY_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

enum rules_result {
	RULES_ELECTED = 0,
	RULES_RUNOFF_REQUIRED,
	RULES_SHORTFALL,
	RULES_CHOSEN,
	RULES_PASSED,
	RULES_FAILED,
	RULES_VOID
};

/*
 * The rule that decided a contest: a stable code in results.json
 * (docs/rules.md "Rule codes"). The base of "members" is all members (a
 * congress or standing committee), of "cast" the ballots cast (a
 * constituency).
 */
enum rules_rule {
	RULES_RULE_VOID = 0,		/* "void": the round is void */
	RULES_RULE_MAJORITY_MEMBERS,	/* "majority-of-members" */
	RULES_RULE_MAJORITY_CAST,	/* "majority-of-cast" */
	RULES_RULE_TWO_THIRDS_MEMBERS,	/* "two-thirds-of-members" */
	RULES_RULE_TWO_THIRDS_CAST,	/* "two-thirds-of-cast" */
	RULES_RULE_FRACTION_CAST,	/* "fraction-of-cast": another round */
	RULES_RULE_MOST			/* "most": projects, no threshold */
};

/* Why a round is void: a stable code in results.json. */
enum rules_void {
	RULES_VOID_NONE = 0,		/* valid: null in results.json */
	RULES_VOID_OVER_ISSUED,		/* "over-issued": cast > issued */
	RULES_VOID_TURNOUT		/* "turnout": cast <= registered / 2 */
};

/* One decrypted write-in name with its votes: a name may repeat (the rules
 * merge equal names after normalisation). */
struct rules_writein_in {
	uint32_t	 contest;	/* index in manifest.contests */
	const char	*name;		/* UTF-8, as decrypted */
	uint64_t	 votes;
};

struct rules_input {
	uint64_t	present, issued, cast;
	const uint64_t	*totals;	/* manifest.nsel sums, one per selection */
	const struct rules_writein_in *writeins;
	size_t		nwriteins;
};

struct rules_option_total {
	uint64_t	 votes_for;	/* 赞成, or approvals (mode approve) */
	uint64_t	 against;	/* 0 in mode approve */
	uint64_t	 abstain;	/* valid - for - against; 0 in mode approve */
};

struct rules_writein_total {
	char		*name;		/* normalised */
	uint64_t	 votes;
};

/* A winner or a tied place: a listed option or a merged write-in. */
struct rules_ref {
	int		 is_writein;
	uint32_t	 index;	/* into options, or into the contest's writeins */
};

struct rules_contest {
	enum rules_result	 result;
	struct rules_option_total *totals;	/* noptions entries */
	size_t			 ntotals;
	struct rules_writein_total *writeins;	/* votes desc, then name */
	size_t			 nwriteins;
	struct rules_ref	*elected;	/* rank order */
	size_t			 nelected;
	struct rules_ref	*runoff;	/* tied at the cut-off (tie runoff) */
	size_t			 nrunoff;
	struct rules_ref	*undecided;	/* tied, presidium decides */
	size_t			 nundecided;
	uint32_t		 seats_left;	/* places not filled this round */
	uint64_t		 threshold;	/* votes needed; 0 when void */
	uint64_t		 not_voted;	/* motion: present - cast */
	enum rules_rule		 rule;
};

struct rules_outcome {
	int			 valid;
	enum rules_void		 void_reason;
	uint64_t		 members, present, issued, cast;
	uint64_t		 valid_ballots, invalid_ballots;
	struct rules_contest	*contests;	/* manifest.ncontests */
	size_t			 ncontests;
};

/*
 * Opening the polls: congress needs present >= ceil(2N/3), a standing
 * committee present > N/2; a constituency has no quorum to open (its
 * validity is counted at the end). Returns 0, TALLY_ERR_QUORUM (message
 * with the numbers in err) or TALLY_ERR_INVALID_ARG (present > members).
 */
int rules_quorum_check(const struct manifest *m, uint64_t present, char *err,
    size_t errlen);

/* "More than half" of n: floor(n/2) + 1. "Two thirds or more": ceil(2n/3). */
uint64_t rules_majority(uint64_t n);
uint64_t rules_two_thirds(uint64_t n);

/*
 * Apply the rules. *out is owned by the caller (rules_outcome_free).
 * Returns 0, TALLY_ERR_RULES (impossible totals; message in err),
 * TALLY_ERR_INVALID_ARG (a write-in for a contest that has no slots, a bad
 * contest index, invalid UTF-8 in a name) or TALLY_ERR_NOMEM.
 */
int rules_count(struct rules_outcome **out, const struct manifest *m,
    const struct rules_input *in, char *err, size_t errlen);

/* NULL-safe. */
void rules_outcome_free(struct rules_outcome *o);

/* "elected", "runoff_required", ... as in results.json. */
const char *rules_result_name(enum rules_result r);

/* The codes of results.json ("?" for a value out of range); the parsers
 * return 0, or TALLY_ERR_DECODE for a name that is not a code. */
const char *rules_rule_name(enum rules_rule r);
const char *rules_void_name(enum rules_void v);
int rules_rule_parse(const char *name, enum rules_rule *r);
int rules_void_parse(const char *name, enum rules_void *v);

/*
 * results.json (docs/design.md §11): compact, UTF-8, keys in the fixed order
 * documented in docs/rules.md, no trailing newline. *json is a
 * NUL-terminated string owned by the caller (free), *len without the NUL.
 */
int rules_outcome_to_json(const struct manifest *m,
    const struct rules_outcome *o, char **json, size_t *len);

#endif
