/*
 * workers.h: the frontend's pool of verification threads.
 *
 * The event loop submits jobs; a worker runs job->run off the loop; the
 * finished job comes back through an event made active on the loop, where
 * job->done runs. The loop therefore never waits for a proof check.
 */
#ifndef TALLYD_WORKERS_H
#define TALLYD_WORKERS_H

#include <sys/queue.h>

struct event_base;
struct workers;

struct job {
	TAILQ_ENTRY(job) entry;
	void	(*run)(struct job *);	/* on a worker thread */
	void	(*done)(struct job *);	/* on the event loop */
	void	*arg;
};

/* One per online CPU. glibc reads /sys for it: call before the sandbox. */
unsigned int workers_default(void);
/* n threads (0: workers_default()). NULL on failure. */
struct workers *workers_start(struct event_base *base, unsigned int n);
void workers_submit(struct workers *w, struct job *job);
/* Jobs submitted and not yet done. */
unsigned int workers_busy(const struct workers *w);
unsigned int workers_count(const struct workers *w);

#endif
