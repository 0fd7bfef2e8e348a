/*
 * workers.h: a pool of verification threads feeding an event loop.
 *
 * The loop submits jobs; a worker runs job->run off the loop; the finished
 * job comes back to the loop, where job->done runs. The loop therefore
 * never waits for a proof check. The frontend's pool wakes its libevent
 * loop (workers_start); the ledger's wakes its poll loop through a pipe
 * (workers_new with its own wake, then workers_finish on the loop).
 */
#ifndef TALLYD_WORKERS_H
#define TALLYD_WORKERS_H

#include <stddef.h>
#include <sys/queue.h>

struct event_base;
struct workers;

struct job {
	TAILQ_ENTRY(job) entry;
	void	(*run)(struct job *);	/* on a worker thread */
	void	(*done)(struct job *);	/* on the event loop */
	void	*arg;
	/*
	 * Optional: several queued jobs at once. A worker that takes a job
	 * with run_many also takes the queued jobs with the same run_many
	 * and batch_key (its share of them: at most WORKERS_BATCH_MAX, and
	 * no more than the queue divided among the workers, so none idles)
	 * and runs run_many on them instead of run on each. Only jobs
	 * already waiting are taken: a batch never waits for more, so at
	 * light load it is one job and adds no latency.
	 */
	void	(*run_many)(struct job **, size_t);
	const void *batch_key;
};

#define WORKERS_BATCH_MAX	16

/* One per online CPU. glibc reads /sys for it: call before the sandbox. */
unsigned int workers_default(void);
/* n threads (0: workers_default()); wake(arg) is called on a worker thread
 * after each job has finished: it must make the loop call workers_finish.
 * NULL on failure. */
struct workers *workers_new(unsigned int n, void (*wake)(void *), void *arg);
/* On the loop: job->done of every job finished so far. */
void workers_finish(struct workers *w);
/* workers_new whose wake makes an event of base active, and that event's
 * callback is workers_finish. */
struct workers *workers_start(struct event_base *base, unsigned int n);
void workers_submit(struct workers *w, struct job *job);
/* Jobs submitted and not yet done. */
unsigned int workers_busy(const struct workers *w);
unsigned int workers_count(const struct workers *w);

#endif
