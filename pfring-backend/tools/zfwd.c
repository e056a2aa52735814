/*
 * zfwd - forward every packet of one ZC queue or interface to another ZC
 * queue or interface: an example of the pfring_zc.h API.
 *
 *   zfwd -i IN -o OUT [-n COUNT] [-s SECONDS] [-q QUEUE_LEN] [-b BUF_LEN]
 *        [-H auto|yes|no] [-G GROUP]
 *
 *   IN   zc:<cluster>@<queue>  a queue of a running cluster (zfwd is its consumer)
 *        IF                    an interface through libpfring (IF, pfring:IF, or
 *                              zc:IF for AF_XDP)
 *   OUT  zc:<cluster>[@0]      a one-queue cluster zfwd creates; readers use
 *                              zc:<cluster>@0 (tcpdump -i zc:<cluster>@0)
 *        IF                    an interface (sent through libpfring)
 *
 * What moves and what is copied:
 *   queue -> IF     each frame is sent straight from the queue's buffer;
 *                   zfwd copies nothing (the kernel's transmit does).
 *   IF -> queue     the receive fills a pool buffer (what a zero-copy NIC
 *                   driver does by DMA), and the queue takes that buffer by
 *                   swapping handles: the slot's old, consumed buffer comes
 *                   back and receives the next frame.  No buffer is ever
 *                   allocated, freed or copied again while forwarding.
 *   queue -> queue  two clusters never share memory (a buffer handle is an
 *                   index into its own cluster), so each frame is copied
 *                   once, straight into the output slot.
 *   IF -> IF        each frame is sent from the input ring where it lies.
 *
 * Losses: a queue input is never dropped by zfwd; a packet the output cannot
 * take stays in the input queue and is retried, so a slow output backs up
 * into that queue and its producer counts the drops.  An interface input
 * cannot wait: a full output queue drops the packet (counted by zfwd and by
 * the queue); a full interface is retried.
 *
 * Counters (every -s seconds, on SIGUSR1, at exit): received, forwarded,
 * dropped, and the output queue's own statistics.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfring.h"
#include "pfring_zc.h"

#define PROG "zfwd"
#define BURST 64
#define IDLE_POLL_MS 100
/* How long to wait before retrying an output that had no room. */
#define BACKOFF_NS 100000L

static volatile sig_atomic_t stop, dump;
/* The input ring, once open: a stop also ends its pfring_poll() at once
 * (a plain EINTR there is retried for the rest of the timeout). */
static pfring *volatile stop_ring;

static void on_signal(int sig)
{
	if (sig == SIGUSR1) {
		dump = 1;
	} else {
		stop = 1;
		if (stop_ring != NULL)
			pfring_breakloop(stop_ring);
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG " -i IN -o OUT [-n COUNT] [-s SECONDS] [-q QUEUE_LEN] [-b BUF_LEN]\n"
		"            [-H auto|yes|no] [-G GROUP]\n"
		"  IN:  zc:<cluster>@<queue> (a queue of a running cluster) or an interface\n"
		"  OUT: zc:<cluster>[@0] (a one-queue cluster zfwd creates) or an interface\n");
	exit(2);
}

static unsigned long number(const char *opt, const char *s, unsigned long min,
			    unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s < '0' || *s > '9' || v < min || v > max) {
		fprintf(stderr, PROG ": -%s %s: a number %lu..%lu expected\n", opt, s, min, max);
		exit(2);
	}
	return v;
}

/* What -i or -o names, as pfring_parse_device_name() reads it. */
struct endpoint {
	uint32_t cluster_id;	/* a queue of this ZC cluster; 0: an interface */
	int queue;		/* -1: none given ("zc:<cluster>", or all of an interface's) */
};

/*
 * Parse -opt name into *ep; exits with the reason on a name libpfring refuses.
 * "zc:<cluster>" without a queue is taken too (an output cluster zfwd creates):
 * the parser wants a queue, so it is asked about queue 0 of that cluster.
 */
static void parse_endpoint(const char *opt, const char *name, struct endpoint *ep)
{
	struct pfring_device_name dn;
	char err[PFRING_ERRBUF_SIZE], at_queue0[64];
	int n;

	if (pfring_parse_device_name(name, &dn, err, sizeof(err)) == 0) {
		ep->cluster_id = dn.zc_cluster_id;
		ep->queue = dn.queue;
		return;
	}
	n = snprintf(at_queue0, sizeof(at_queue0), "%s@0", name);
	if (dn.kind == pfring_name_zc && strchr(name, '@') == NULL &&
	    n > 0 && (size_t)n < sizeof(at_queue0) &&
	    pfring_parse_device_name(at_queue0, &dn, NULL, 0) == 0 && dn.zc_cluster_id != 0) {
		ep->cluster_id = dn.zc_cluster_id;
		ep->queue = -1;
		return;
	}
	/* The library's reason starts with the name (unless it is empty). */
	fprintf(stderr, PROG ": -%s%s%s\n", opt, *name != '\0' ? " " : ": ", err);
	exit(2);
}

struct fwd {
	/* input: exactly one of in_q, in_ring */
	pfring_zc_queue *in_q;
	pfring *in_ring;
	const char *in_name;
	/* output: exactly one of out_q (with its cluster), out_ring */
	pfring_zc_cluster *cluster;
	pfring_zc_queue *out_q;
	pfring *out_ring;
	const char *out_name;
	uint32_t out_id;
	pfring_zc_pkt_buff *spare;	/* IF -> queue: the buffer the next frame lands in */
	uint32_t buf_len;
	unsigned long long received, forwarded, dropped, limit;
};

static void backoff(void)
{
	struct timespec ts = { 0, BACKOFF_NS };

	nanosleep(&ts, NULL);
}

static int done(const struct fwd *f)
{
	return stop || (f->limit > 0 && f->forwarded >= f->limit);
}

static void print_stats(const struct fwd *f)
{
	pfring_zc_stat st;
	pfring_stat ps;

	printf(PROG ": received %llu forwarded %llu dropped %llu\n", f->received, f->forwarded,
	       f->dropped);
	if (f->in_q != NULL && pfring_zc_queue_stats(f->in_q, &st) == 0)
		printf(PROG ": input %s: consumed %llu, dropped by its producer %llu, queued %u\n",
		       f->in_name, (unsigned long long)st.recv, (unsigned long long)st.drop,
		       st.queued);
	if (f->in_ring != NULL && pfring_stats(f->in_ring, &ps) == 0)
		printf(PROG ": input %s: received %llu dropped %llu\n", f->in_name,
		       (unsigned long long)ps.recv, (unsigned long long)ps.drop);
	if (f->out_q != NULL && pfring_zc_queue_stats(f->out_q, &st) == 0)
		printf(PROG ": output zc:%u@0: sent %llu dropped %llu consumed %llu queued %u "
		       "consumer %d\n", f->out_id, (unsigned long long)st.sent,
		       (unsigned long long)st.drop, (unsigned long long)st.recv, st.queued,
		       (int)st.consumer);
	fflush(stdout);
}

/* Send one frame to the output interface, waiting for a transmit slot. */
static int send_to_ring(struct fwd *f, const u_char *pkt, uint32_t len, int flush)
{
	int rc;

	for (;;) {
		rc = pfring_send(f->out_ring, (char *)pkt, len, (uint8_t)flush);
		if (rc >= 0)
			return 0;
		if (rc != PF_RING_ERROR_NO_TX_SLOT_AVAILABLE) {
			fprintf(stderr, PROG ": sending to %s: %s\n", f->out_name,
				pfring_last_error(f->out_ring));
			return -1;
		}
		if (stop)
			return 1;
		backoff();
	}
}

/*
 * Queue input.  The burst's buffers stay where they are while they are
 * forwarded; only the ones the output took are given back, so the rest is
 * received again on the next call.  Returns packets forwarded, -1 on error.
 */
static int from_queue(struct fwd *f)
{
	pfring_zc_pkt_buff *b[BURST];
	struct timespec ts;
	pfring_zc_stat st;
	uint32_t room = BURST, caplen, in_buf_len = pfring_zc_queue_buf_len(f->in_q);
	int n, i, rc;

	n = pfring_zc_recv_pkt_burst(f->in_q, b, BURST, 0);
	if (n <= 0)
		return n;
	if (f->limit > 0 && (unsigned long long)n > f->limit - f->forwarded)
		n = (int)(f->limit - f->forwarded);
	if (f->out_q != NULL) {
		/* Take only what fits: a refused send would count as the queue's drop. */
		pfring_zc_queue_stats(f->out_q, &st);
		room = pfring_zc_queue_len(f->out_q) - st.queued;
	}
	for (i = 0; i < n; i++) {
		/* Read once and bounded: the input's memory is shared. */
		caplen = __atomic_load_n(&b[i]->caplen, __ATOMIC_RELAXED);
		if (caplen > in_buf_len)
			caplen = in_buf_len;
		if (f->out_q != NULL) {
			if ((uint32_t)i == room)
				break;
			/* The input queue was attached with nanosecond stamps. */
			ts.tv_sec = (time_t)b[i]->ts_sec;
			ts.tv_nsec = (long)b[i]->ts_frac;
			/* Different clusters: the one copy, into the slot itself. */
			if (pfring_zc_send_copy(f->out_q, pfring_zc_pkt_data(b[i]), caplen,
						b[i]->len, &ts, b[i]->hash, 0) != 1)
				break;
		} else {
			/* In place: the frame leaves from the queue's buffer. */
			rc = send_to_ring(f, pfring_zc_pkt_data(b[i]), caplen, i + 1 == n);
			if (rc < 0) {
				pfring_zc_recv_release(f->in_q, (uint32_t)i);
				return -1;
			}
			if (rc > 0)
				break;
		}
	}
	pfring_zc_recv_release(f->in_q, (uint32_t)i);
	if (f->out_q != NULL)
		pfring_zc_sync_queue(f->out_q);
	f->received += (unsigned long long)i;
	f->forwarded += (unsigned long long)i;
	if (i < n)
		backoff();	/* the output is full: let its consumer catch up */
	return i;
}

/* Interface input: up to BURST frames.  Returns frames received, -1 on error. */
static int from_ring(struct fwd *f)
{
	struct pfring_pkthdr h;
	u_char *pkt;
	uint32_t len;
	int n, rc;

	for (n = 0; n < BURST && !done(f); n++) {
		rc = pfring_recv(f->in_ring, &pkt, 0, &h, 0);
		if (rc < 0) {
			fprintf(stderr, PROG ": reading %s: %s\n", f->in_name,
				pfring_last_error(f->in_ring));
			return -1;
		}
		if (rc == 0)
			break;
		f->received++;
		if (f->out_ring != NULL) {
			rc = send_to_ring(f, pkt, h.caplen, 1);
			if (rc < 0)
				return -1;
			if (rc == 0)
				f->forwarded++;
			continue;
		}
		/* The receive: the frame lands in the buffer zfwd holds. */
		len = h.caplen < f->buf_len ? h.caplen : f->buf_len;
		memcpy(pfring_zc_pkt_data(f->spare), pkt, len);
		f->spare->caplen = len;
		f->spare->len = h.len;
		f->spare->hash = 0;
		f->spare->flags = PFRING_ZC_BUF_NSEC;	/* nanoseconds: see the open */
		f->spare->ts_sec = (int64_t)h.ts.tv_sec;
		f->spare->ts_frac = (int64_t)h.ts.tv_usec;
		/* The swap: the queue keeps this buffer and hands back its slot's old one. */
		if (pfring_zc_send_pkt(f->out_q, &f->spare, 0) == 1)
			f->forwarded++;
		else
			f->dropped++;
	}
	if (f->out_q != NULL && n > 0)
		pfring_zc_sync_queue(f->out_q);
	return n;
}

static int wait_input(struct fwd *f)
{
	struct pollfd pfd;

	if (f->in_ring != NULL) {
		if (pfring_poll(f->in_ring, IDLE_POLL_MS) < 0) {
			fprintf(stderr, PROG ": waiting on %s: %s\n", f->in_name,
				pfring_last_error(f->in_ring));
			return -1;
		}
		return 0;
	}
	/* The empty receive armed the wake-up: the fd turns readable on the next packet. */
	pfd.fd = pfring_zc_queue_fd(f->in_q);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, IDLE_POLL_MS) < 0 && errno != EINTR) {
		fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pfring_zc_cluster_opts copts = { .group = (gid_t)-1 };
	struct fwd f;
	struct sigaction sa;
	struct group *gr;
	struct timespec t0, t;
	const char *in = NULL, *out = NULL;
	struct endpoint in_ep, out_ep;
	unsigned long interval = 0;
	int opt, in_is_q, out_is_q, n, rc = 0;
	char err[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&f, 0, sizeof(f));
	while ((opt = getopt(argc, argv, "i:o:n:s:q:b:H:G:h")) != -1) {
		switch (opt) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'n': f.limit = number("n", optarg, 1, ~0ul); break;
		case 's': interval = number("s", optarg, 0, 86400); break;
		case 'q': copts.queue_len = (uint32_t)number("q", optarg, 2, 1u << 24); break;
		case 'b': copts.buf_len = (uint32_t)number("b", optarg, 64, 65536); break;
		case 'H':
			if (strcmp(optarg, "auto") == 0)
				copts.hugepages = PFRING_ZC_HUGEPAGES_AUTO;
			else if (strcmp(optarg, "yes") == 0)
				copts.hugepages = PFRING_ZC_HUGEPAGES_REQUIRE;
			else if (strcmp(optarg, "no") == 0)
				copts.hugepages = PFRING_ZC_HUGEPAGES_NEVER;
			else {
				fprintf(stderr, PROG ": -H %s: auto, yes or no expected\n", optarg);
				return 2;
			}
			break;
		case 'G':
			gr = getgrnam(optarg);
			if (gr == NULL) {
				fprintf(stderr, PROG ": -G %s: no such group\n", optarg);
				return 2;
			}
			copts.group = gr->gr_gid;
			break;
		default: usage();
		}
	}
	if (in == NULL || out == NULL || optind != argc)
		usage();
	parse_endpoint("i", in, &in_ep);
	parse_endpoint("o", out, &out_ep);
	in_is_q = in_ep.cluster_id != 0;
	out_is_q = out_ep.cluster_id != 0;
	f.out_id = out_ep.cluster_id;
	if (in_is_q && in_ep.queue < 0) {
		fprintf(stderr, PROG ": -i %s: which queue? (zc:%u@<queue>)\n", in,
			in_ep.cluster_id);
		return 2;
	}
	if (out_is_q && out_ep.queue > 0) {
		fprintf(stderr, PROG ": -o %s: zfwd creates cluster %u with one queue: "
			"write zc:%u@0 (or zc:%u)\n", out, f.out_id, f.out_id, f.out_id);
		return 2;
	}
	if (!out_is_q && (copts.queue_len || copts.buf_len || copts.group != (gid_t)-1)) {
		fprintf(stderr, PROG ": -q, -b and -G shape the output cluster: -o %s is an "
			"interface\n", out);
		return 2;
	}
	f.in_name = in;
	f.out_name = out;

	if (in_is_q) {
		f.in_q = pfring_zc_ipc_attach_queue(in_ep.cluster_id, (uint32_t)in_ep.queue, err,
						    sizeof(err));
		if (f.in_q == NULL) {
			fprintf(stderr, PROG ": -i %s: %s\n", in, err);
			return 1;
		}
	} else {
		/* As given: libpfring takes IF, pfring:IF and zc:IF (AF_XDP) alike.
		 * Nanosecond stamps, kept in the queue buffers as zbalance keeps them. */
		f.in_ring = pfring_open_err(in, PF_RING_DEFAULT_CAPLEN,
					    PF_RING_PROMISC | PF_RING_IMMEDIATE |
					    PF_RING_NANO_TIMESTAMP, err, sizeof(err));
		if (f.in_ring == NULL || pfring_enable_ring(f.in_ring) < 0) {
			fprintf(stderr, PROG ": -i %s: %s\n", in,
				f.in_ring ? pfring_last_error(f.in_ring) : err);
			rc = 1;
			goto out;
		}
	}
	if (out_is_q) {
		f.cluster = pfring_zc_create_cluster(f.out_id, 1, &copts, err,
						     sizeof(err));
		if (f.cluster == NULL) {
			fprintf(stderr, PROG ": -o %s: %s\n", out, err);
			rc = 1;
			goto out;
		}
		f.out_q = pfring_zc_cluster_queue(f.cluster, 0);
		f.buf_len = copts.buf_len ? copts.buf_len : PFRING_ZC_DEFAULT_BUFLEN;
		printf(PROG ": %s\n", pfring_zc_cluster_memory_info(f.cluster));
		if (f.in_ring != NULL) {
			f.spare = pfring_zc_get_packet_handle(f.cluster);
			if (f.spare == NULL) {
				fprintf(stderr, PROG ": -o %s: no free buffer in the pool\n", out);
				rc = 1;
				goto out;
			}
		}
	} else {
		f.out_ring = pfring_open_err(out, PF_RING_DEFAULT_CAPLEN, PF_RING_TX_ONLY, err,
					     sizeof(err));
		if (f.out_ring == NULL || pfring_enable_ring(f.out_ring) < 0) {
			fprintf(stderr, PROG ": -o %s: %s\n", out,
				f.out_ring ? pfring_last_error(f.out_ring) : err);
			rc = 1;
			goto out;
		}
	}

	stop_ring = f.in_ring;
	/* No SA_RESTART: a blocking call returns and the loop looks at stop. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	printf(PROG ": %s -> %s%s: %s\n", in, out, out_is_q && out_ep.queue < 0 ? "@0" : "",
	       in_is_q && out_is_q ? "one copy per packet (two clusters never share buffers)" :
	       in_is_q ? "in place (sent from the queue's buffers, no copy in zfwd)" :
	       out_is_q ? "received into a pool buffer, queued by buffer handle swap" :
	       "in place (sent from the input ring, no copy in zfwd)");
	printf(PROG ": running\n");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done(&f)) {
		n = f.in_q != NULL ? from_queue(&f) : from_ring(&f);
		if (n < 0) {
			rc = 1;
			break;
		}
		if (n == 0 && wait_input(&f) < 0) {
			rc = 1;
			break;
		}
		if (dump) {
			dump = 0;
			print_stats(&f);
		}
		if (interval > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((unsigned long)(t.tv_sec - t0.tv_sec) >= interval) {
				t0 = t;
				print_stats(&f);
			}
		}
	}
	print_stats(&f);
out:
	if (f.spare != NULL)
		pfring_zc_release_packet_handle(f.cluster, f.spare);
	if (f.cluster != NULL)
		pfring_zc_destroy_cluster(f.cluster);
	if (f.out_ring != NULL)
		pfring_close(f.out_ring);
	if (f.in_ring != NULL)
		pfring_close(f.in_ring);
	if (f.in_q != NULL)
		pfring_zc_ipc_detach_queue(f.in_q);
	return rc;
}
