/*
 * zbalance - read one or more interfaces through libpfring (any engine) and
 * distribute the packets into the queues of a ZC cluster, where pcap
 * programs read them as zc:<cluster>@<queue>.
 *
 * -i zc:IF[@QUEUE] reads RX queue QUEUE (default: every RX queue) of IF with
 * AF_XDP sockets whose UMEM is the cluster's buffer memory: the kernel receives
 * straight into cluster buffers (zero copy where the driver has it, one
 * kernel copy on veth and other copy-mode drivers) and the balancer only
 * moves buffer indexes; per-flow hashes come from our XDP program.
 *
 *   zbalance -i IF[,IF...]|zc:IF[@Q] [-i ...] -c CLUSTER -n QUEUES
 *            [-m hash|rr|fanout] [-t TYPE (a flow cluster type, pfring-config(7))]
 *            [-q QUEUE_LEN] [-b BUF_LEN] [-g CORE] [-G GROUP] [-H auto|yes|no]
 *            [-s SECONDS]
 *
 * Per-flow hashing uses the same flow hash as the packet engine's kernel
 * cluster, so a flow lands on the queue index that would be its member
 * index there.  A queue whose consumer is slow or gone drops its own
 * packets only; the counts are printed per queue (every -s seconds, on
 * SIGUSR1 and at exit).
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfring.h"
#include "pfring_zc.h"

/* An AF_XDP input as pfring_zc_open_xdp_input() takes it: "IF[@QUEUE]". */
#define XDP_DEV_SIZE (PFRING_DEVICE_NAME_SIZE + sizeof("@2147483647"))

static volatile sig_atomic_t stop, dump;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		stop = 1;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: zbalance -i IF[,IF...]|zc:IF[@Q] [-i ...] -c CLUSTER -n QUEUES\n"
		"                [-m hash|rr|fanout] [-t per_flow|2_tuple|4_tuple|5_tuple|tcp_5_tuple|\n"
		"                 inner_flow|inner_2_tuple|...|ip_5_tuple|ip_with_dup_tuple]\n"
		"                [-q QUEUE_LEN] [-b BUF_LEN] [-g CORE] [-G GROUP] [-H auto|yes|no]\n"
		"                [-s SECONDS]\n");
	exit(2);
}

static unsigned long
number(const char *opt, const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '\0' || v < min || v > max) {
		fprintf(stderr, "zbalance: -%s %s: a number %lu..%lu expected\n", opt, s, min, max);
		exit(2);
	}
	return v;
}

/*
 * -i name: 1 when it is an AF_XDP input ("zc:<interface>[@<queue>]"), with
 * what pfring_zc_open_xdp_input() takes in xdp_dev; 0 for a ring input
 * (interfaces, and "zc:<cluster>@<queue>": a queue of another cluster).
 * Exits with libpfring's reason on a name it refuses.
 */
static int
parse_input(const char *name, char *xdp_dev, size_t len)
{
	struct pfring_device_name dn;
	char err[PFRING_ERRBUF_SIZE];

	if (pfring_parse_device_name(name, &dn, err, sizeof(err)) != 0) {
		/* The reason starts with the name (unless it is empty). */
		fprintf(stderr, "zbalance: -i%s%s\n", *name != '\0' ? " " : ": ", err);
		exit(2);
	}
	if (dn.kind != pfring_name_zc || dn.zc_cluster_id != 0)
		return 0;
	if (dn.queue < 0)
		snprintf(xdp_dev, len, "%s", dn.devices[0]);
	else
		snprintf(xdp_dev, len, "%s@%d", dn.devices[0], dn.queue);
	return 1;
}

static void
print_stats(pfring_zc_cluster *c, pfring **in, char **names, int n_in,
	    const pfring_zc_worker_stat *ws)
{
	pfring_xdp_stat xs;
	pfring_zc_stat st;
	pfring_stat ps;
	uint32_t i;
	int k;

	for (k = 0; k < n_in; k++) {
		if (pfring_stats(in[k], &ps) != 0)
			continue;
		/* AF_XDP: the kernel's counters too (dropped: each lost frame once, zbalance(1)). */
		if (pfring_get_xdp_stats(in[k], &xs) == 0)
			printf("input %s (rx_dropped %llu rx_ring_full %llu fill_ring_empty %llu"
			       " invalid_descs %llu)", names[k], (unsigned long long)xs.rx_dropped,
			       (unsigned long long)xs.rx_ring_full,
			       (unsigned long long)xs.rx_fill_ring_empty_descs,
			       (unsigned long long)xs.rx_invalid_descs);
		else
			printf("input %s", names[k]);
		printf(": received %llu dropped %llu\n", (unsigned long long)ps.recv,
		       (unsigned long long)ps.drop);
	}
	printf("balancer: packets %llu filtered %llu\n", (unsigned long long)ws->in,
	       (unsigned long long)ws->filtered);
	for (i = 0; i < pfring_zc_cluster_queues(c); i++) {
		pfring_zc_queue_stats(pfring_zc_cluster_queue(c, i), &st);
		printf("queue %u: sent %llu dropped %llu consumed %llu queued %u consumer %d"
		       " bad %llu\n", i, (unsigned long long)st.sent, (unsigned long long)st.drop,
		       (unsigned long long)st.recv, st.queued, (int)st.consumer,
		       (unsigned long long)st.bad);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct pfring_zc_cluster_opts copts = { .group = (gid_t)-1 };
	struct pfring_zc_worker_opts wopts = { .mode = pfring_zc_balance,
					       .hash_type = cluster_per_flow, .core = -1 };
	char *ifs[PFRING_ZC_MAX_INPUTS];
	/* AF_XDP inputs: "IF[@QUEUE]"; "" for a ring input */
	char xdp_dev[PFRING_ZC_MAX_INPUTS][XDP_DEV_SIZE];
	const char *mode = "hash";
	pfring *in[PFRING_ZC_MAX_INPUTS];
	pfring_zc_queue *out[PFRING_ZC_MAX_QUEUES];
	pfring_zc_cluster *c;
	pfring_zc_worker *w;
	pfring_zc_worker_stat ws;
	struct sigaction sa;
	struct group *gr;
	char err[512];
	unsigned long id = 0, nq = 0, interval = 0, ticks = 0;
	int n_if = 0, n_xdp = 0, opt, k, t, rc = 0;
	uint32_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "i:c:n:m:t:q:b:g:G:H:s:h")) != -1) {
		switch (opt) {
		case 'i':
			if (n_if == PFRING_ZC_MAX_INPUTS) {
				fprintf(stderr, "zbalance: at most %d -i\n", PFRING_ZC_MAX_INPUTS);
				return 2;
			}
			if (parse_input(optarg, xdp_dev[n_if], sizeof(xdp_dev[n_if])))
				n_xdp++;
			else
				xdp_dev[n_if][0] = '\0';
			ifs[n_if++] = optarg;
			break;
		case 'c': id = number("c", optarg, 1, PF_RING_MAX_CLUSTER_ID); break;
		case 'n': nq = number("n", optarg, 1, PFRING_ZC_MAX_QUEUES); break;
		case 'm': mode = optarg; break;
		case 't':
			t = pfring_cluster_type_from_name(optarg);
			if (t < 0 || t == cluster_round_robin) {
				fprintf(stderr, "zbalance: -t %s: unknown hash type "
					"(a flow type of pfring-config(7), not round_robin)\n", optarg);
				return 2;
			}
			wopts.hash_type = (cluster_type)t;
			break;
		case 'q': copts.queue_len = (uint32_t)number("q", optarg, 2, 1u << 24); break;
		case 'b': copts.buf_len = (uint32_t)number("b", optarg, 64, 65536); break;
		case 'g': wopts.core = (int)number("g", optarg, 0, 4095); break;
		case 'G':
			gr = getgrnam(optarg);
			if (gr == NULL) {
				fprintf(stderr, "zbalance: -G %s: no such group\n", optarg);
				return 2;
			}
			copts.group = gr->gr_gid;
			break;
		case 'H':
			if (strcmp(optarg, "auto") == 0)
				copts.hugepages = PFRING_ZC_HUGEPAGES_AUTO;
			else if (strcmp(optarg, "yes") == 0)
				copts.hugepages = PFRING_ZC_HUGEPAGES_REQUIRE;
			else if (strcmp(optarg, "no") == 0)
				copts.hugepages = PFRING_ZC_HUGEPAGES_NEVER;
			else
				usage();
			break;
		case 's': interval = number("s", optarg, 0, 86400); break;
		default: usage();
		}
	}
	if (n_if == 0 || id == 0 || nq == 0 || optind != argc)
		usage();
	if (strcmp(mode, "hash") == 0) {
		wopts.mode = pfring_zc_balance;
	} else if (strcmp(mode, "rr") == 0) {
		wopts.mode = pfring_zc_balance;
		wopts.hash_type = cluster_round_robin;
	} else if (strcmp(mode, "fanout") == 0) {
		wopts.mode = pfring_zc_fanout;
	} else {
		fprintf(stderr, "zbalance: -m %s: hash, rr or fanout expected\n", mode);
		return 2;
	}

	for (k = 0; k < n_if; k++) {
		in[k] = NULL;
		if (xdp_dev[k][0] != '\0')
			continue;	/* opened on the cluster's memory, below */
		/* Nanosecond stamps: the queue buffers keep them. */
		in[k] = pfring_open_err(ifs[k], PF_RING_DEFAULT_CAPLEN,
					PF_RING_PROMISC | PF_RING_IMMEDIATE | PF_RING_NANO_TIMESTAMP,
					err, sizeof(err));
		if (in[k] == NULL) {
			fprintf(stderr, "zbalance: %s: %s\n", ifs[k], err);
			return 1;
		}
	}
	/* Each AF_XDP input keeps its fill ring's worth of pool buffers. */
	if (n_xdp > 0)
		copts.extra_bufs = 64 + (uint32_t)n_xdp * PFRING_ZC_XDP_INPUT_BUFS;
	c = pfring_zc_create_cluster((uint32_t)id, (uint32_t)nq, &copts, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "zbalance: %s\n", err);
		return 1;
	}
	for (k = 0; k < n_if; k++) {
		if (in[k] != NULL)
			continue;
		in[k] = pfring_zc_open_xdp_input(c, xdp_dev[k], err, sizeof(err));
		if (in[k] == NULL) {
			fprintf(stderr, "zbalance: %s: %s\n", ifs[k], err);
			for (k = 0; k < n_if; k++)
				if (in[k] != NULL)
					pfring_close(in[k]);
			pfring_zc_destroy_cluster(c);
			return 1;
		}
	}
	printf("zbalance: %s\n", pfring_zc_cluster_memory_info(c));
	for (i = 0; i < nq; i++)
		out[i] = pfring_zc_cluster_queue(c, i);
	w = pfring_zc_run_balancer(in, n_if, out, (uint32_t)nq, &wopts, err, sizeof(err));
	if (w == NULL) {
		fprintf(stderr, "zbalance: %s\n", err);
		for (k = 0; k < n_if; k++)
			pfring_close(in[k]);
		pfring_zc_destroy_cluster(c);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	for (k = 0; k < n_if; k++)
		printf("zbalance: input %s (engine %s)\n", ifs[k], pfring_get_engine_name(in[k]));
	printf("zbalance: cluster %lu: %lu queues of %u, %s%s%s; consumers: zc:%lu@0..%lu\n",
	       id, nq, pfring_zc_queue_len(out[0]),
	       wopts.mode == pfring_zc_fanout ? "fan-out" :
	       wopts.hash_type == cluster_round_robin ? "round robin" : "per-flow hash (",
	       wopts.mode == pfring_zc_balance && wopts.hash_type != cluster_round_robin ?
	       pfring_cluster_type_name(wopts.hash_type) : "",
	       wopts.mode == pfring_zc_balance && wopts.hash_type != cluster_round_robin ?
	       ")" : "", id, nq - 1);
	printf("zbalance: running\n");

	while (!stop) {
		usleep(100000);
		pfring_zc_worker_stats(w, &ws);
		if (ws.failed) {
			fprintf(stderr, "zbalance: %s\n", ws.error);
			rc = 1;
			break;
		}
		if (dump) {
			dump = 0;
			print_stats(c, in, ifs, n_if, &ws);
		}
		if (interval > 0 && ++ticks >= interval * 10) {
			ticks = 0;
			print_stats(c, in, ifs, n_if, &ws);
		}
	}
	pfring_zc_kill_worker(w, &ws);
	print_stats(c, in, ifs, n_if, &ws);
	/* Inputs first: an AF_XDP socket's UMEM is the cluster's memory. */
	for (k = 0; k < n_if; k++)
		pfring_close(in[k]);
	pfring_zc_destroy_cluster(c);
	return rc;
}
