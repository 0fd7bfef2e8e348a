/*
 * manifest.h: one vote's manifest (docs/design.md §5, §11), parsed strictly
 * from JSON and compiled to the flat list of 0/1 selections and the constraints
 * (a set of selections and a maximum L) that every ballot proves.
 *
 * Promises: a manifest that parses is within every limit below, has unique
 * ids, known kinds and settings, and the compiled lists are in a fixed order
 * that the ballot, the daemon, the rules and the auditors all share:
 *   contests in manifest order; inside a contest
 *   - election (S seats, c candidates, w write-in slots):
 *       for_1, against_1, for_2, against_2, ..., for_c, against_c,
 *       writein_1, ..., writein_w;
 *       constraints: for_i + against_i <= 1 for i = 1..c (in order), then
 *       sum for_i + sum writein_j <= S (always emitted, even when slack);
 *   - project, mode approve: approve_1..approve_M; constraint sum <= N;
 *   - project, mode for_against: for_1, against_1, ..., for_M, against_M;
 *       constraints for_p + against_p <= 1 each, then sum for_p <= N;
 *   - motion: for, against; constraint for + against <= 1.
 * Write-in slots are also numbered globally across contests (wi_first).
 * Nothing here is secret; every error leaves *out NULL and writes a
 * one-line human message (naming the offending contest, option or key) to err.
 */
#ifndef TALLY_MANIFEST_H
#define TALLY_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#define MANIFEST_JSON_MAX	(256 * 1024)	/* bytes of manifest JSON */
#define MANIFEST_CHOICES_MAX	(64 * 1024)	/* bytes of choices JSON */
#define MANIFEST_ID_MAX		64	/* bytes, [a-z0-9_-], non-empty */
#define MANIFEST_TEXT_MAX	256	/* bytes of UTF-8 in a title or name */
#define MANIFEST_CONTESTS_MAX	64
#define MANIFEST_OPTIONS_MAX	256	/* per contest; also caps seats, choose */
#define MANIFEST_SELECTIONS_MAX	1024	/* over the whole vote */
#define MANIFEST_MEMBERS_MAX	10000000	/* members, registered (dlog bound) */
#define MANIFEST_WRITEIN_MAX	60	/* bytes of UTF-8 in a write-in name */
#define MANIFEST_FRACTION_MAX	1000	/* numerator, denominator of fractions */

enum manifest_body {
	MANIFEST_BODY_CONGRESS = 0,
	MANIFEST_BODY_STANDING_COMMITTEE,
	MANIFEST_BODY_CONSTITUENCY
};

enum manifest_kind {
	MANIFEST_KIND_ELECTION = 0,
	MANIFEST_KIND_PROJECT,
	MANIFEST_KIND_MOTION
};

enum manifest_mode {
	MANIFEST_MODE_APPROVE = 0,
	MANIFEST_MODE_FOR_AGAINST
};

enum manifest_threshold {
	MANIFEST_THRESHOLD_MAJORITY = 0,
	MANIFEST_THRESHOLD_TWO_THIRDS
};

enum manifest_tie {
	MANIFEST_TIE_RUNOFF = 0,
	MANIFEST_TIE_PRESIDIUM
};

enum manifest_mark {
	MANIFEST_MARK_FOR = 0,
	MANIFEST_MARK_AGAINST,
	MANIFEST_MARK_APPROVE,
	MANIFEST_MARK_WRITEIN
};

/*
 * The settings of docs/counting.md. The manifest's "rules" object sets them
 * for the whole vote; a contest may override the ones that apply to its kind with a
 * key of the same name directly in the contest object.
 */
struct manifest_rules {
	int		void_empty_writein;	/* election; default 1 */
	uint32_t	runoff_min_num;		/* election, constituency, */
	uint32_t	runoff_min_den;		/* another round; 1/3 */
	int		another_round;		/* election: 另行选举; default 0 */
	int		require_majority;	/* project approve; default 0 */
	enum manifest_tie tie;			/* project; default runoff */
	enum manifest_threshold threshold;	/* motion; default majority */
	int		show_not_voted;		/* motion; default 1 */
};

struct manifest_option {
	char	*id;
	char	*name;
};

struct manifest_contest {
	char			*id;
	char			*title;
	enum manifest_kind	 kind;
	uint32_t		 seats;	/* election S; project choose N; motion 1 */
	enum manifest_mode	 mode;	/* project only; approve otherwise */
	uint32_t		 writein_slots;	/* election only; else 0 */
	struct manifest_option	*options;
	size_t			 noptions;	/* motion: exactly 1 */
	struct manifest_rules	 rules;		/* effective for this contest */
	size_t			 sel_first, nsel;	/* range in manifest.sel */
	size_t			 con_first, ncon;	/* range in manifest.con */
	size_t			 wi_first;	/* first global write-in slot */
};

struct manifest_selection {
	uint32_t		contest;	/* index in manifest.contests */
	uint32_t		index;	/* option index, or write-in slot in contest */
	enum manifest_mark	mark;
};

struct manifest_constraint {
	uint32_t	contest;
	uint32_t	*sel;	/* global selection indices, ascending */
	size_t		nsel;
	uint32_t	max;	/* L: the sum of sel is in [0, L] */
};

struct manifest {
	char			*id;
	char			*title;
	enum manifest_body	 body;
	uint32_t		 members;	/* N_all, 应到 */
	uint32_t		 registered;	/* constituency only; else 0 */
	struct manifest_rules	 rules;		/* vote-wide */
	struct manifest_contest	*contests;
	size_t			 ncontests;
	struct manifest_selection *sel;
	size_t			 nsel;
	struct manifest_constraint *con;
	size_t			 ncon;
	size_t			 nwriteins;	/* write-in slots over all contests */
};

/*
 * Parse and compile json[len] (UTF-8, exactly one JSON object, nothing after
 * it). Returns 0, TALLY_ERR_MANIFEST (message in err), TALLY_ERR_TOO_LARGE
 * (len > MANIFEST_JSON_MAX) or TALLY_ERR_NOMEM. err may be NULL.
 *
 * Top-level keys: id, title, body, members, registered (constituency only,
 * required there), contests, rules (optional). Unknown keys are refused.
 * Contest keys: id, kind, title, options, and per kind
 *   election: seats, writein_slots (default seats; 0 disables; <= seats),
 *             void_empty_writein, runoff_min_fraction ("1/3"), another_round
 *   project:  choose (1..options), mode ("approve" | "for_against"),
 *             require_majority, tie ("runoff" | "presidium")
 *   motion:   threshold ("majority" | "two_thirds"), show_not_voted;
 *             options may be left out (then one option with the contest's
 *             id and title), otherwise exactly one.
 * Option names are unique within a contest after NFC and trimming.
 */
int manifest_parse(struct manifest **out, const uint8_t *json, size_t len,
    char *err, size_t errlen);

/* NULL-safe. */
void manifest_free(struct manifest *m);

/* The contest with this id, or NULL. */
const struct manifest_contest *manifest_contest_find(const struct manifest *m,
    const char *id);

/* The option index of id in c, or -1. */
int manifest_option_find(const struct manifest_contest *c, const char *id);

/*
 * The global selection index of (contest, option or write-in slot, mark),
 * or -1 when the contest has no such selection.
 */
long manifest_selection_index(const struct manifest *m, size_t contest,
    size_t index, enum manifest_mark mark);

/*
 * Map ballot choices (docs/design.md §11) to plaintext marks:
 *   { "CONTEST": { "for": [ids], "against": [ids], "approve": [ids],
 *                  "writein": [names] } }
 * a contest left out, or a key left out, is blank. Keys by kind: election
 * for/against/writein; project approve (mode approve) or for/against (mode
 * for_against); motion for/against with the motion's one option id.
 * marks[m->nsel] receives 0/1 per selection. *writein_names receives a
 * calloc'd array of m->nwriteins entries (global slot order): the name of a
 * used slot exactly as given (normalisation is for counting, rules.h), NULL
 * for an unused one; write-ins fill a contest's slots from the first. An
 * empty name is allowed (it counts for nobody) and occupies a slot.
 * Free it with manifest_writein_names_free.
 *
 * Returns 0, TALLY_ERR_BAD_CHOICE (message in err: unknown contest or option
 * id, a key that does not fit the contest, duplicate id, for and against the
 * same option, more for + write-ins than seats, more approvals or for than
 * choose, more write-ins than slots, write-in name over MANIFEST_WRITEIN_MAX
 * bytes or with control characters, a write-in equal to a listed candidate or
 * to another write-in after normalisation, wrong JSON types, trailing bytes),
 * TALLY_ERR_TOO_LARGE or TALLY_ERR_NOMEM. On error marks are zeroed and
 * *writein_names is NULL.
 */
int manifest_choices(const struct manifest *m, const uint8_t *json,
    size_t len, uint8_t *marks, char ***writein_names, char *err,
    size_t errlen);

/* Free the names array of manifest_choices; NULL-safe. */
void manifest_writein_names_free(const struct manifest *m, char **names);

/*
 * The form in which names are compared and counted: Unicode NFC, then
 * leading and trailing white space (ASCII and Unicode, e.g. U+3000) removed.
 * in[len] must be valid UTF-8. *out is a new NUL-terminated string owned by
 * the caller (may be ""). Returns 0, TALLY_ERR_DECODE (invalid UTF-8) or
 * TALLY_ERR_NOMEM.
 */
int manifest_name_normalize(const char *in, size_t len, char **out);

/* Names for messages and JSON: "congress", "election", "approve", ... */
const char *manifest_body_name(enum manifest_body b);
const char *manifest_kind_name(enum manifest_kind k);
const char *manifest_mode_name(enum manifest_mode mo);
const char *manifest_threshold_name(enum manifest_threshold t);
const char *manifest_mark_name(enum manifest_mark k);

#endif
