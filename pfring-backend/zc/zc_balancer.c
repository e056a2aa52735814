/*
 * zc_balancer.c - the balancer / fan-out worker: one thread reads libpfring
 * rings and copies each packet straight into the slot of the queue(s) it
 * goes to.  It never waits for a consumer: a full queue is a drop counted on
 * that queue.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pf_flow.h"
#include "pf_ring.h"
#include "zc_internal.h"

#define BURST 256
#define IDLE_POLL_MS 200

struct pfring_zc_worker {
	pfring *in[PF_MAX_DEVICES];
	int n_in;
	pfring_zc_queue *out[PFRING_ZC_MAX_QUEUES];
	uint32_t n_out;
	struct pfring_zc_worker_opts o;
	uint32_t rr;
	uint64_t dirty;               /* bit per output queued to since the last sync */
	pthread_t thread;
	int stop_fd;
	volatile int stop;
	uint64_t pkts_in;
	uint64_t filtered;
	int failed;
	char error[256];
};

static void
deliver(struct pfring_zc_worker *w, uint32_t qi, const struct pf_pcap_hdr *h, const u_char *pkt,
	const struct timespec *ts)
{
	pfring_zc_send_copy(w->out[qi], pkt, h->caplen, h->len, ts, 0, 0);
	w->dirty |= 1ull << qi;
}

static void
on_packet(u_char *user, const struct pf_pcap_hdr *h, const u_char *pkt)
{
	struct pfring_zc_worker *w = (struct pfring_zc_worker *)user;
	struct timespec ts;
	uint64_t mask;
	int64_t r;
	uint32_t i;

	w->pkts_in++;
	/* Inputs are opened with nanosecond timestamps. */
	ts.tv_sec = h->ts.tv_sec;
	ts.tv_nsec = h->ts.tv_usec;
	if (w->o.mode == pfring_zc_fanout) {
		mask = w->o.func ? (uint64_t)w->o.func(pkt, h->caplen, w->n_out, w->o.user) :
			~0ull;
		for (i = 0; i < w->n_out; i++)
			if (mask & (1ull << i))
				deliver(w, i, h, pkt, &ts);
		if ((mask & ((w->n_out >= 64 ? 0 : 1ull << w->n_out) - 1)) == 0)
			w->filtered++;
		return;
	}
	if (w->o.func != NULL)
		r = w->o.func(pkt, h->caplen, w->n_out, w->o.user);
	else if (w->n_out == 1)
		/* Any hash or turn is >= 0 and lands on queue 0: skip computing it. */
		r = 0;
	else if (w->o.hash_type == cluster_round_robin)
		r = w->rr++;
	else
		/* The same member the packet engine's cluster picks. */
		r = pf_flow_hash_packet(pkt, h->caplen, (int)w->o.hash_type);
	if (r < 0) {
		w->filtered++;
		return;
	}
	deliver(w, (uint32_t)((uint64_t)r % w->n_out), h, pkt, &ts);
}

static void
sync_dirty(struct pfring_zc_worker *w)
{
	uint32_t i;

	for (i = 0; i < w->n_out && w->dirty; i++) {
		if (w->dirty & (1ull << i)) {
			pfring_zc_sync_queue(w->out[i]);
			w->dirty &= ~(1ull << i);
		}
	}
}

static void *
worker_main(void *arg)
{
	struct pfring_zc_worker *w = arg;
	struct pollfd pfd[PF_MAX_DEVICES + 1];
	int i, n, total;
	uint64_t junk;

	if (w->o.core >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->o.core, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
			snprintf(w->error, sizeof(w->error), "cannot pin the worker to core %d",
				 w->o.core);
			w->failed = 1;
			return NULL;
		}
	}
	while (!w->stop) {
		total = 0;
		for (i = 0; i < w->n_in; i++) {
			n = pf_ring_burst(w->in[i], BURST, on_packet, (u_char *)w);
			if (n < 0) {
				snprintf(w->error, sizeof(w->error), "reading %s: %s",
					 w->in[i]->devs.devices[0], pfring_last_error(w->in[i]));
				w->failed = 1;
				sync_dirty(w);
				return NULL;
			}
			total += n;
		}
		sync_dirty(w);
		if (total > 0)
			continue;
		for (i = 0; i < w->n_in; i++) {
			pfd[i].fd = pfring_get_selectable_fd(w->in[i]);
			pfd[i].events = POLLIN;
		}
		pfd[w->n_in].fd = w->stop_fd;
		pfd[w->n_in].events = POLLIN;
		if (poll(pfd, (nfds_t)w->n_in + 1, IDLE_POLL_MS) < 0 && errno != EINTR) {
			snprintf(w->error, sizeof(w->error), "poll: %s", strerror(errno));
			w->failed = 1;
			return NULL;
		}
	}
	if (read(w->stop_fd, &junk, sizeof(junk)) < 0) {
	}
	return NULL;
}

pfring_zc_worker *
pfring_zc_run_balancer(pfring **inputs, int n_inputs, pfring_zc_queue **outputs,
		       uint32_t n_outputs, const struct pfring_zc_worker_opts *opts,
		       char *err, size_t errlen)
{
	struct pfring_zc_worker *w;
	uint32_t i;
	int k, rc;

	if (inputs == NULL || n_inputs <= 0 || n_inputs > PF_MAX_DEVICES || outputs == NULL ||
	    n_outputs == 0 || n_outputs > PFRING_ZC_MAX_QUEUES || opts == NULL) {
		snprintf(err, errlen, "balancer: 1..%d inputs and 1..%d outputs needed",
			 PF_MAX_DEVICES, PFRING_ZC_MAX_QUEUES);
		return NULL;
	}
	if (opts->mode == pfring_zc_balance && opts->func == NULL &&
	    pf_cluster_type_name(opts->hash_type) == NULL) {
		snprintf(err, errlen, "balancer: unknown hash type %d", (int)opts->hash_type);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->o = *opts;
	w->n_in = n_inputs;
	w->n_out = n_outputs;
	for (k = 0; k < n_inputs; k++)
		w->in[k] = inputs[k];
	for (i = 0; i < n_outputs; i++) {
		if (outputs[i] == NULL || outputs[i]->consumer) {
			snprintf(err, errlen, "balancer: output %u is not a producer queue", i);
			free(w);
			return NULL;
		}
		w->out[i] = outputs[i];
	}
	for (k = 0; k < n_inputs; k++) {
		if (pfring_enable_ring(inputs[k]) < 0) {
			snprintf(err, errlen, "balancer: %s", pfring_last_error(inputs[k]));
			free(w);
			return NULL;
		}
	}
	w->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(w);
		return NULL;
	}
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "balancer thread: %s", strerror(rc));
		close(w->stop_fd);
		free(w);
		return NULL;
	}
	return w;
}

void
pfring_zc_worker_stats(pfring_zc_worker *w, pfring_zc_worker_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->in = __atomic_load_n(&w->pkts_in, __ATOMIC_RELAXED);
	st->filtered = __atomic_load_n(&w->filtered, __ATOMIC_RELAXED);
	st->failed = __atomic_load_n(&w->failed, __ATOMIC_ACQUIRE);
	if (st->failed)
		snprintf(st->error, sizeof(st->error), "%s", w->error);
}

void
pfring_zc_kill_worker(pfring_zc_worker *w, pfring_zc_worker_stat *final)
{
	uint64_t one = 1;

	if (w == NULL)
		return;
	w->stop = 1;
	if (write(w->stop_fd, &one, sizeof(one)) < 0) {
	}
	pthread_join(w->thread, NULL);
	if (final != NULL)
		pfring_zc_worker_stats(w, final);
	close(w->stop_fd);
	free(w);
}
