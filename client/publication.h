/*
 * publication.h: the files of a publication folder, made from a verified
 * record. `tallyctl publish` writes them and `tallyctl verify DIR` makes
 * them again and compares, byte for byte, so what the folder says can only
 * be what the record says.
 *
 * A publication folder holds exactly: record.log (the vote's complete
 * record), results.json (the Result's results_json), announcement.txt and
 * results.html (announce.h, one language for both: zh or en). Nothing else.
 */
#ifndef TALLYCTL_PUBLICATION_H
#define TALLYCTL_PUBLICATION_H

#include <stddef.h>

#include "record.h"

#define PUB_RECORD	"record.log"
#define PUB_NRENDERED	3		/* results.json, announcement, html */

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
 * Render the files of a publication in lang from the record at path that
 * record_verify accepted as complete (rep). Returns 0, or E_VERIFY (the
 * record has no manifest), E_DECODE (the outcome does not fit the
 * manifest), E_INVALID_ARG (lang), E_NOMEM, E_IO. Release with
 * publication_clear, also after a failure.
 */
int publication_render(struct publication *p, const char *path,
    const struct record_report *rep, const char *lang);
void publication_clear(struct publication *p);

/* Whether name is one of the files a publication folder holds. */
int publication_is_file(const char *name);

#endif
