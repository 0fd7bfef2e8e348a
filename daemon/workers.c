/* workers.c: a fixed pool of pthreads feeding results back to libevent. */
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
	struct event	*ev_done;
	unsigned int	 busy;		/* loop thread only */
	unsigned int	 n;
};

static void *
workers_thread(void *arg)
{
	struct workers *w = arg;
	struct job *job;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while ((job = TAILQ_FIRST(&w->todo)) == NULL)
			pthread_cond_wait(&w->cond, &w->lock);
		TAILQ_REMOVE(&w->todo, job, entry);
		pthread_mutex_unlock(&w->lock);
		job->run(job);
		pthread_mutex_lock(&w->lock);
		TAILQ_INSERT_TAIL(&w->finished, job, entry);
		pthread_mutex_unlock(&w->lock);
		event_active(w->ev_done, EV_READ, 0);
	}
	return NULL;
}

static void
workers_drain(evutil_socket_t fd, short what, void *arg)
{
	struct workers *w = arg;
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

struct workers *
workers_start(struct event_base *base, unsigned int n)
{
	struct workers *w;
	pthread_t t;
	unsigned int i;

	if (n == 0)
		n = workers_default();
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	TAILQ_INIT(&w->todo);
	TAILQ_INIT(&w->finished);
	w->n = n;
	if ((w->ev_done = event_new(base, -1, 0, workers_drain, w)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, workers_thread, w) != 0)
			return NULL;
		pthread_detach(t);
	}
	return w;
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
