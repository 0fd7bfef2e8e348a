/* workers.c: a fixed pool of pthreads handing results back to a loop. */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

TAILQ_HEAD(jobq, job);

struct workers {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct jobq	 todo;
	struct jobq	 finished;
	void		(*wake)(void *);
	void		*wake_arg;
	struct event	*ev_done;	/* workers_start's */
	unsigned int	 busy;		/* loop thread only */
	unsigned int	 n;
};

static int
workers_same(const struct job *a, const struct job *b)
{
	return a->run_many == b->run_many && a->batch_key == b->batch_key;
}

/* Take job's batch out of the queue into many[] (job first): this worker's
 * share of the queued jobs like it. mu held. */
static size_t
workers_take(struct workers *w, struct job *job, struct job **many)
{
	struct job *j, *next;
	size_t like = 1, want, n = 1;

	many[0] = job;
	TAILQ_FOREACH(j, &w->todo, entry)
		like += workers_same(j, job);
	want = (like + w->n - 1) / w->n;
	if (want > WORKERS_BATCH_MAX)
		want = WORKERS_BATCH_MAX;
	for (j = TAILQ_FIRST(&w->todo); j != NULL && n < want; j = next) {
		next = TAILQ_NEXT(j, entry);
		if (!workers_same(j, job))
			continue;
		TAILQ_REMOVE(&w->todo, j, entry);
		many[n++] = j;
	}
	return n;
}

static void *
workers_thread(void *arg)
{
	struct workers *w = arg;
	struct job *job, *many[WORKERS_BATCH_MAX];
	size_t i, n;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while ((job = TAILQ_FIRST(&w->todo)) == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		TAILQ_REMOVE(&w->todo, job, entry);
		n = job->run_many != NULL ? workers_take(w, job, many) : 1;
		pthread_mutex_unlock(&w->lock);
		if (job->run_many != NULL)
			job->run_many(many, n);
		else
			job->run(job);
		pthread_mutex_lock(&w->lock);
		if (job->run_many != NULL)
			for (i = 0; i < n; i++)
				TAILQ_INSERT_TAIL(&w->finished, many[i],
				    entry);
		else
			TAILQ_INSERT_TAIL(&w->finished, job, entry);
		pthread_mutex_unlock(&w->lock);
		w->wake(w->wake_arg);
	}
	return NULL;
}

void
workers_finish(struct workers *w)
{
	struct jobq done = TAILQ_HEAD_INITIALIZER(done);
	struct job *job;

	pthread_mutex_lock(&w->lock);
	TAILQ_CONCAT(&done, &w->finished, entry);
	pthread_mutex_unlock(&w->lock);
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		w->busy--;
		job->done(job);
	}
}

unsigned int
workers_default(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus > 0 && cpus < 256 ? (unsigned int)cpus : 1;
}

static void
workers_drain(evutil_socket_t fd, short what, void *arg)
{
	workers_finish(arg);
}

static void
workers_wake_event(void *arg)
{
	struct workers *w = arg;

	event_active(w->ev_done, EV_READ, 0);
}

/* The pool without its threads. */
static struct workers *
workers_alloc(unsigned int n, void (*wake)(void *), void *arg)
{
	struct workers *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	TAILQ_INIT(&w->todo);
	TAILQ_INIT(&w->finished);
	w->n = n != 0 ? n : workers_default();
	w->wake = wake;
	w->wake_arg = arg;
	return w;
}

static struct workers *
workers_spawn(struct workers *w)
{
	pthread_t t;
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		if (pthread_create(&t, NULL, workers_thread, w) != 0)
			return NULL;
		pthread_detach(t);
	}
	return w;
}

struct workers *
workers_new(unsigned int n, void (*wake)(void *), void *arg)
{
	struct workers *w;

	if ((w = workers_alloc(n, wake, arg)) == NULL)
		return NULL;
	return workers_spawn(w);
}

struct workers *
workers_start(struct event_base *base, unsigned int n)
{
	struct workers *w;

	if ((w = workers_alloc(n, workers_wake_event, NULL)) == NULL)
		return NULL;
	w->wake_arg = w;
	if ((w->ev_done = event_new(base, -1, 0, workers_drain, w)) == NULL)
		return NULL;
	return workers_spawn(w);
}

void
workers_submit(struct workers *w, struct job *job)
{
	w->busy++;
	pthread_mutex_lock(&w->lock);
	TAILQ_INSERT_TAIL(&w->todo, job, entry);
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

unsigned int
workers_busy(const struct workers *w)
{
	return w->busy;
}

unsigned int
workers_count(const struct workers *w)
{
	return w->n;
}
