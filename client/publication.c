/*
 * publication.c: render the files of a publication folder from a verified
 * record (publication.h). Shared by publish, which writes them, and verify,
 * which compares them.
 */
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "err.h"
#include "log.h"
#include "manifest.h"
#include "publication.h"

static const char *const pub_names[PUB_NRENDERED] = {
	"results.json", "announcement.txt", "results.html"
};

/* The manifest of the record's first record (VoteCreated). */
static int
pub_manifest(const char *path, struct manifest **m)
{
	struct log_reader *r = NULL;
	struct log_entry e;
	char err[256];
	int ret;

	*m = NULL;
	if ((ret = log_reader_open(path, &r, err, sizeof(err))) != 0)
		return ret;
	ret = log_reader_next(r, &e);
	if (ret == 1 && e.rec != NULL &&
	    e.rec->body_case == TALLY__LOG_RECORD__BODY_VOTE_CREATED)
		ret = manifest_parse(m, e.rec->vote_created->manifest.data,
		    e.rec->vote_created->manifest.len, err, sizeof(err));
	else if (ret >= 0)
		ret = TALLY_ERR_VERIFY;
	log_reader_free(r);
	return ret;
}

int
publication_render(struct publication *p, const char *path,
    const struct record_report *rep, const char *lang)
{
	struct manifest *m = NULL;
	const uint8_t *json = (const uint8_t *)rep->outcome;
	int i, ret;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < PUB_NRENDERED; i++)
		p->files[i].name = pub_names[i];
	p->lang = lang;
	if (rep->outcome == NULL || !rep->complete)
		return TALLY_ERR_VOTE_STATE;
	if ((ret = pub_manifest(path, &m)) != 0)
		return ret;
	if ((p->files[0].data = malloc(rep->outcome_len + 1)) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	memcpy(p->files[0].data, rep->outcome, rep->outcome_len);
	p->files[0].data[rep->outcome_len] = '\0';
	p->files[0].len = rep->outcome_len;
	if ((ret = announce_text(&p->files[1].data, &p->files[1].len, m, json,
	    rep->outcome_len, lang)) != 0)
		goto out;
	ret = announce_html(&p->files[2].data, &p->files[2].len, m, json,
	    rep->outcome_len, lang);
out:
	manifest_free(m);
	return ret;
}

void
publication_clear(struct publication *p)
{
	int i;

	for (i = 0; i < PUB_NRENDERED; i++) {
		free(p->files[i].data);
		p->files[i].data = NULL;
		p->files[i].len = 0;
	}
}

int
publication_is_file(const char *name)
{
	int i;

	if (strcmp(name, PUB_RECORD) == 0)
		return 1;
	for (i = 0; i < PUB_NRENDERED; i++)
		if (strcmp(name, pub_names[i]) == 0)
			return 1;
	return 0;
}
