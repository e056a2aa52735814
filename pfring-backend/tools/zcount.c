/*
 * zcount - count the packets of a ZC queue or device and print the rate.
 *
 *   zcount -i zc:<cluster>@<queue> | zc:<interface>[@<queue>] [-s SECONDS] [-n COUNT] [-v]
 *
 * Reads through libpfring, so it shows what any libpfring program would
 * get, engine and (for AF_XDP) bind mode included.  Stops on SIGINT or
 * after COUNT packets and prints the totals.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfring.h"

static volatile sig_atomic_t stop;
static pfring *ring;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
	if (ring != NULL)
		pfring_breakloop(ring);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct pfring_pkthdr hdr;
	struct sigaction sa;
	const char *dev = NULL;
	unsigned long long pkts = 0, bytes = 0, last_pkts = 0, limit = 0;
	double interval = 1.0, start, last, t;
	pfring_stat st;
	char err[512];
	u_char *pkt;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "i:s:n:")) != -1) {
		switch (opt) {
		case 'i': dev = optarg; break;
		case 's': interval = strtod(optarg, NULL); break;
		case 'n': limit = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: zcount -i zc:<cluster>@<queue>|zc:<if>[@<queue>] "
				"[-s SECONDS] [-n COUNT]\n");
			return 2;
		}
	}
	if (dev == NULL || interval <= 0) {
		fprintf(stderr, "usage: zcount -i zc:<cluster>@<queue>|zc:<if>[@<queue>] "
			"[-s SECONDS] [-n COUNT]\n");
		return 2;
	}
	/*
	 * Before the open, so a signal at any time ends the count (a shell
	 * starts background jobs with SIGINT ignored).  No SA_RESTART: a
	 * blocking call returns EINTR and the loop looks at stop; the handler
	 * also breaks the library's own wait.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ring = pfring_open_err(dev, PF_RING_DEFAULT_CAPLEN, PF_RING_PROMISC, err, sizeof(err));
	if (ring == NULL) {
		fprintf(stderr, "zcount: %s\n", err);
		return 1;
	}
	if (pfring_enable_ring(ring) < 0) {
		fprintf(stderr, "zcount: %s\n", pfring_last_error(ring));
		pfring_close(ring);
		return 1;
	}
	printf("zcount: %s: engine %s\n", dev, pfring_get_engine_name(ring));
	start = last = now_s();
	while (!stop && (limit == 0 || pkts < limit)) {
		rc = pfring_recv(ring, &pkt, 0, &hdr, 0);
		if (rc < 0) {
			fprintf(stderr, "zcount: %s\n", pfring_last_error(ring));
			break;
		}
		if (rc == 1) {
			pkts++;
			bytes += hdr.len;
		} else if (pfring_poll(ring, 100) < 0) {
			fprintf(stderr, "zcount: %s\n", pfring_last_error(ring));
			break;
		}
		t = now_s();
		if (t - last >= interval) {
			printf("zcount: %llu packets, %.0f pkt/s\n", pkts,
			       (double)(pkts - last_pkts) / (t - last));
			last = t;
			last_pkts = pkts;
		}
	}
	t = now_s() - start;
	memset(&st, 0, sizeof(st));
	pfring_stats(ring, &st);
	/* The engine's mode too: for AF_XDP, the bind mode granted. */
	printf("zcount: total %llu packets %llu bytes in %.2f s (%.0f pkt/s); dropped %llu "
	       "(engine %s)\n", pkts, bytes, t, t > 0 ? (double)pkts / t : 0.0,
	       (unsigned long long)st.drop, pfring_get_engine_name(ring));
	pfring_close(ring);
	return 0;
}
