/* pending.c: a frontend request's life and its one release function. */
#include "pending.h"

#include <stdlib.h>

#include "err.h"

struct pending *
pending_new(struct frontend *fe, pending_complete_fn complete)
{
	struct pending *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->fe = fe;
	p->owner = PENDING_ASKER;
	p->complete = complete;
	return p;
}

static void
pending_free(struct pending *p)
{
	if (p->req != NULL)
		tally__request__free_unpacked(p->req, NULL);
	free(p->out);
	free(p);
}

void
pending_release(struct pending *p)
{
	if (p == NULL)
		return;
	if (p->owner != PENDING_ASKER) {
		/* A stage still holds p: it frees p when it is done. */
		p->complete = NULL;
		p->s = NULL;
		return;
	}
	pending_free(p);
}

int
pending_back(struct pending *p)
{
	p->owner = PENDING_ASKER;
	if (p->complete == NULL) {
		pending_free(p);
		return 0;
	}
	return !p->done;
}

void
pending_answer(struct pending *p, const Tally__Response *resp)
{
	p->owner = PENDING_ASKER;
	if (p->complete == NULL)
		pending_free(p);
	else
		p->complete(p, resp);
}

void
pending_fail(struct pending *p, int err, const char *msg)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;

	resp.code = (Tally__ErrorCode)-err;
	resp.message = (char *)(msg != NULL ? msg : tally_strerror(err));
	pending_answer(p, &resp);
}
