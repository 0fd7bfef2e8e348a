/*
 * publication.h: the files of a publication folder, made from a verified
 * record. `tallyctl publish` writes them and `tallyctl verify DIR` makes
 * them again and compares, byte for byte, so what the folder says can only
 * be what the record says.
 *
 * A publication folder holds exactly: record.log (the vote's complete
 * record), results.json (the Result's results_json), announcement.txt and
 * results.html (announce.h, one language for both: zh or en; the page also
 * carries every ballot's tracking code for its offline 查验我的选票 box),
 * and challenged.json (every challenged ballot with what it contained,
 * docs/record/challenge.md). Nothing else.
 */
#ifndef TALLYCTL_PUBLICATION_H
#define TALLYCTL_PUBLICATION_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define PUB_RECORD	"record.log"
#define PUB_NRENDERED	4		/* results.json, announcement, html,
					 * challenged.json */

struct pub_file {
	const char	*name;
	char		*data;
	size_t		 len;
};

struct publication {
	const char	*lang;			/* "zh" or "en" */
	struct pub_file	 files[PUB_NRENDERED];
};

/*
 * What the folder lists of each ballot, collected while record_verify
 * checks the record: give pub_ballots_collect as record_opts.ballot with a
 * struct pub_ballots (pub_ballots_init first) as its argument, and use it
 * only when record_verify returned 0.
 */
struct pub_ballots {
	void	*rows;		/* json_t: [code, index, challenged, text] */
	void	*challenged;	/* json_t: challenged.json's list */
	int	 err;
};
int pub_ballots_init(struct pub_ballots *b);
void pub_ballots_clear(struct pub_ballots *b);
void pub_ballots_collect(void *arg, uint64_t index,
    const uint8_t tracking[32], const struct manifest *m,
    const struct challenge_open *open);

/*
 * Render the files of a publication in lang from the record at path that
 * record_verify accepted as complete (rep). Returns 0, or E_VERIFY (the
 * record has no manifest), E_DECODE (the outcome does not fit the
 * manifest), E_INVALID_ARG (lang), E_NOMEM, E_IO. Release with
 * publication_clear, also after a failure.
 */
int publication_render(struct publication *p, const char *path,
    const struct record_report *rep, const struct pub_ballots *b,
    const char *lang);
void publication_clear(struct publication *p);

/* The manifest of the record at path, from its first record (VoteCreated):
 * 0 with *m to manifest_free, E_VERIFY when the record does not start with
 * one, or the error of reading or parsing it. */
int pub_record_manifest(const char *path, struct manifest **m);

/* Whether name is one of the files a publication folder holds. */
int publication_is_file(const char *name);

#endif
