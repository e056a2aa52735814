/*
 * pfcount - count packets on a device through libpfring.
 *
 *   pfcount -i DEV [-c CLUSTER] [-t TYPE] [-f BPF] [-n COUNT] [-s SECONDS] [-v]
 *   pfcount -i DEV -I
 *
 * Prints a line per second (packets/s, Mbit/s, drops) and totals at exit.
 * Stops on SIGINT/SIGTERM, after COUNT packets or after SECONDS.
 * -I prints what the kernel says about DEV's interface (driver, RX
 * channels, link speed, XDP features, AF_XDP zero copy) and exits.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfring.h"

#define SNAPLEN 128 /* counting needs only hdr->len; -v shows a few header bytes */

static pfring *ring;
static atomic_ulong n_pkts, n_bytes;
static unsigned long max_pkts;
static int verbose;
static atomic_int done;

static void usage(void)
{
	fprintf(stderr,
		"usage: pfcount -i DEV [-c CLUSTER] [-t TYPE] [-f BPF] [-n COUNT] [-s SECONDS] [-v]\n"
		"       pfcount -i DEV -I   (the interface's driver, channels, speed, XDP features)\n"
		"  TYPE: per_flow (default), round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple,\n"
		"        ip_5_tuple, ip_with_dup_tuple, inner_flow, inner_2_tuple, inner_4_tuple,\n"
		"        inner_5_tuple, inner_tcp_5_tuple, inner_ip_5_tuple\n");
	exit(2);
}

/* The kernel's names of the XDP feature bits (NETDEV_XDP_ACT_*). */
static const struct {
	uint64_t bit;
	const char *name;
} xdp_feature_names[] = {
	{ PFRING_XDP_BASIC, "basic" },
	{ PFRING_XDP_REDIRECT, "redirect" },
	{ PFRING_XDP_NDO_XMIT, "ndo-xmit" },
	{ PFRING_XDP_XSK_ZEROCOPY, "xsk-zerocopy" },
	{ PFRING_XDP_HW_OFFLOAD, "hw-offload" },
	{ PFRING_XDP_RX_SG, "rx-sg" },
	{ PFRING_XDP_NDO_XMIT_SG, "ndo-xmit-sg" },
};

/* -I: the facts of the interface DEV names (its first device). */
static int print_device_facts(const char *dev)
{
	struct pfring_device_name dn;
	pfring_device_facts f;
	char err[PFRING_ERRBUF_SIZE];

	if (pfring_parse_device_name(dev, &dn, err, sizeof(err)) < 0) {
		fprintf(stderr, "pfcount: %s\n", err);
		return 2;
	}
	if (dn.zc_cluster_id != 0) {
		fprintf(stderr, "pfcount: %s: a ZC cluster queue is not a network interface\n", dev);
		return 2;
	}
	if (pfring_get_device_facts(dn.devices[0], &f, err, sizeof(err)) < 0) {
		fprintf(stderr, "pfcount: %s\n", err);
		return 1;
	}
	printf("interface: %s\n", dn.devices[0]);
	printf("driver: %s\n", f.driver[0] ? f.driver : "none");
	if (f.channels_known)
		printf("rx channels: %u (rx %u of %u, combined %u of %u)\n", f.rx_channels,
		       f.rx_only, f.rx_only_max, f.combined, f.combined_max);
	else
		printf("rx channels: unknown (no ethtool channels)\n");
	if (f.speed_mbps)
		printf("speed: %u Mb/s\n", f.speed_mbps);
	else
		printf("speed: unknown\n");
	if (f.xdp_features_known) {
		uint64_t rest = f.xdp_features;
		printf("xdp features:");
		for (size_t i = 0; i < sizeof(xdp_feature_names) / sizeof(xdp_feature_names[0]); i++) {
			if (rest & xdp_feature_names[i].bit) {
				printf(" %s", xdp_feature_names[i].name);
				rest &= ~xdp_feature_names[i].bit;
			}
		}
		if (rest)
			printf(" 0x%" PRIx64, rest);
		if (f.xdp_features == 0)
			printf(" none");
		printf("\n");
		printf("af_xdp zero copy: %s", f.xsk_zero_copy ? "yes" : "no");
		if (f.xsk_zero_copy)
			printf(" (%u segments per frame)", f.xdp_zc_max_segs);
		printf("\n");
	} else {
		printf("xdp features: unknown (kernel without the netdev netlink family)\n");
		printf("af_xdp zero copy: unknown\n");
	}
	return 0;
}

static unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "pfcount: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_packet(const struct pfring_pkthdr *h, const u_char *p, const u_char *user)
{
	(void)user;
	unsigned long n = atomic_fetch_add_explicit(&n_pkts, 1, memory_order_relaxed) + 1;
	atomic_fetch_add_explicit(&n_bytes, h->len, memory_order_relaxed);
	if (verbose) {
		printf("%ld.%06ld len %u caplen %u %s if %d hash 0x%08x",
		       (long)h->ts.tv_sec, (long)h->ts.tv_usec, h->len, h->caplen,
		       h->extended_hdr.rx_direction ? "rx" : "tx",
		       h->extended_hdr.if_index, h->extended_hdr.pkt_hash);
		for (uint32_t i = 0; i < h->caplen && i < 34; i++)
			printf("%s%02x", i ? "" : " ", p[i]);
		putchar('\n');
	}
	if (max_pkts && n >= max_pkts)
		pfring_breakloop(ring);
}

struct ticker_args {
	double start;
	unsigned long seconds;
	sigset_t sigs;
};

/*
 * Signals are blocked everywhere and taken here with sigtimedwait, so the
 * break happens from an ordinary thread, not inside a signal handler; the
 * same wait paces the per-second line.
 */
static void *ticker(void *arg)
{
	struct ticker_args *a = arg;
	unsigned long last_pkts = 0, last_bytes = 0;
	uint64_t last_drop = 0;
	double last = a->start;
	while (!atomic_load(&done)) {
		struct timespec to = { 1, 0 };
		int sig = sigtimedwait(&a->sigs, NULL, &to);
		if (sig == SIGINT || sig == SIGTERM) {
			pfring_breakloop(ring);
			break;
		}
		if (atomic_load(&done))
			break;
		double t = now_s();
		unsigned long p = atomic_load(&n_pkts), b = atomic_load(&n_bytes);
		pfring_stat st = { 0 };
		pfring_stats(ring, &st);
		double dt = t - last > 0 ? t - last : 1;
		printf("%.0fs: %.0f pkts/s %.3f Mbit/s, dropped %" PRIu64 " (total %" PRIu64 ")\n",
		       t - a->start, (double)(p - last_pkts) / dt,
		       (double)(b - last_bytes) * 8 / dt / 1e6, st.drop - last_drop, st.drop);
		fflush(stdout);
		last_pkts = p;
		last_bytes = b;
		last_drop = st.drop;
		last = t;
		if (a->seconds && t - a->start >= (double)a->seconds) {
			pfring_breakloop(ring);
			break;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *filter = NULL, *type_name = NULL;
	unsigned long cluster = 0, seconds = 0;
	int c, info = 0;
	while ((c = getopt(argc, argv, "i:c:t:f:n:s:vIh")) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 'c': cluster = parse_num(optarg, "cluster id (-c)"); break;
		case 't': type_name = optarg; break;
		case 'f': filter = optarg; break;
		case 'n': max_pkts = parse_num(optarg, "count (-n)"); break;
		case 's': seconds = parse_num(optarg, "seconds (-s)"); break;
		case 'v': verbose = 1; break;
		case 'I': info = 1; break;
		default: usage();
		}
	}
	if (!dev || optind != argc)
		usage();
	if (info) {
		if (cluster || type_name || filter || max_pkts || seconds || verbose) {
			fprintf(stderr, "pfcount: -I takes no option but -i\n");
			return 2;
		}
		return print_device_facts(dev);
	}
	cluster_type type = cluster_per_flow;
	if (type_name) {
		/* The names the config files and PFRING_CLUSTER_TYPE take. */
		int t = pfring_cluster_type_from_name(type_name);

		if (t < 0) {
			fprintf(stderr, "pfcount: unknown cluster type '%s'\n", type_name);
			return 2;
		}
		type = (cluster_type)t;
		if (!cluster) {
			fprintf(stderr, "pfcount: -t needs a cluster id (-c)\n");
			return 2;
		}
	}

	/* Before any thread exists, so every thread inherits the mask. */
	struct ticker_args targs = { .seconds = seconds };
	sigemptyset(&targs.sigs);
	sigaddset(&targs.sigs, SIGINT);
	sigaddset(&targs.sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &targs.sigs, NULL);

	char err[PFRING_ERRBUF_SIZE] = "";
	ring = pfring_open_err(dev, SNAPLEN, PF_RING_PROMISC | PF_RING_LONG_HEADER, err, sizeof(err));
	if (!ring) {
		fprintf(stderr, "pfcount: %s: %s\n", dev, err[0] ? err : "cannot open");
		return 1;
	}
	pfring_set_application_name(ring, "pfcount");
	int rc;
	if (cluster && (rc = pfring_set_cluster(ring, (u_int)cluster, type)) < 0) {
		fprintf(stderr, "pfcount: cluster %lu: %s (%d)\n", cluster, pfring_last_error(ring), rc);
		pfring_close(ring);
		return 1;
	}
	if (filter && (rc = pfring_set_bpf_filter(ring, (char *)filter)) < 0) {
		fprintf(stderr, "pfcount: filter '%s': %s (%d)\n", filter, pfring_last_error(ring), rc);
		pfring_close(ring);
		return 1;
	}
	if ((rc = pfring_enable_ring(ring)) < 0) {
		fprintf(stderr, "pfcount: enable %s: %s (%d)\n", dev, pfring_last_error(ring), rc);
		pfring_close(ring);
		return 1;
	}
	fprintf(stderr, "pfcount: capturing on %s (engine %s)\n", dev, pfring_get_engine_name(ring));

	targs.start = now_s();
	pthread_t tid;
	if ((rc = pthread_create(&tid, NULL, ticker, &targs)) != 0) {
		fprintf(stderr, "pfcount: pthread_create: %s\n", strerror(rc));
		pfring_close(ring);
		return 1;
	}
	rc = pfring_loop(ring, on_packet, NULL, 1);
	atomic_store(&done, 1);
	/* Wake the ticker if it is still waiting; the signal stays blocked, so harmless. */
	pthread_kill(tid, SIGTERM);
	pthread_join(tid, NULL);

	double dur = now_s() - targs.start;
	pfring_stat st = { 0 };
	int srv = pfring_stats(ring, &st);
	unsigned long p = atomic_load(&n_pkts), b = atomic_load(&n_bytes);
	printf("Total: %lu packets, %lu bytes in %.2f s (%.0f pkts/s, %.3f Mbit/s)\n",
	       p, b, dur, dur > 0 ? (double)p / dur : 0, dur > 0 ? (double)b * 8 / dur / 1e6 : 0);
	if (srv >= 0)
		/* The engine's mode too: for AF_XDP, the bind mode granted. */
		printf("Ring: %" PRIu64 " received, %" PRIu64 " dropped (engine %s)\n", st.recv,
		       st.drop, pfring_get_engine_name(ring));
	pfring_close(ring);
	if (rc < 0) {
		fprintf(stderr, "pfcount: pfring_loop failed (%d)\n", rc);
		return 1;
	}
	return 0;
}
