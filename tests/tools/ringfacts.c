/*
 * ringfacts - the device-fact calls of a ring, for
 * tests/integration/netdev-facts.sh.
 *
 *   ringfacts DEV            pfring_open(DEV), then print
 *                            "rx channels: N" (pfring_get_num_rx_channels)
 *                            "speed: S" (pfring_get_interface_speed)
 *   ringfacts -m DEV TOTAL   pfring_open_multichannel(DEV), print
 *                            "opened: N" and "ready" once every ring is
 *                            enabled, read them all until TOTAL packets came
 *                            (or 20 s passed), print "ring I: COUNT" each.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pfring.h"

#define WAIT_S 20

static int one_ring(const char *dev)
{
	char err[PFRING_ERRBUF_SIZE];
	pfring *ring = pfring_open_err(dev, 128, PF_RING_PROMISC, err, sizeof(err));

	if (ring == NULL) {
		fprintf(stderr, "ringfacts: %s\n", err);
		return 1;
	}
	printf("rx channels: %u\n", pfring_get_num_rx_channels(ring));
	printf("speed: %u\n", pfring_get_interface_speed(ring));
	pfring_close(ring);
	return 0;
}

static int multichannel(const char *dev, unsigned long total)
{
	pfring *ring[MAX_NUM_RX_CHANNELS];
	unsigned long count[MAX_NUM_RX_CHANNELS] = { 0 }, got = 0;
	struct pollfd pfd[MAX_NUM_RX_CHANNELS];
	struct timespec start, now;
	unsigned int n, i;
	int rc = 0;

	n = pfring_open_multichannel(dev, 128, PF_RING_PROMISC | PF_RING_IMMEDIATE, ring);
	printf("opened: %u\n", n);
	if (n == 0)
		return 1;
	for (i = 0; i < n; i++) {
		if (pfring_enable_ring(ring[i]) < 0) {
			fprintf(stderr, "ringfacts: enable ring %u: %s\n", i, pfring_last_error(ring[i]));
			rc = 1;
			goto out;
		}
		pfd[i].fd = pfring_get_selectable_fd(ring[i]);
		pfd[i].events = POLLIN;
	}
	printf("ready\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (got < total) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= WAIT_S)
			break;
		if (poll(pfd, n, 100) < 0)
			break;
		for (i = 0; i < n; i++) {
			struct pfring_pkthdr hdr;
			u_char *pkt;

			while (pfring_recv(ring[i], &pkt, 0, &hdr, 0) > 0) {
				count[i]++;
				got++;
			}
		}
	}
	for (i = 0; i < n; i++)
		printf("ring %u: %lu\n", i, count[i]);
out:
	for (i = 0; i < n; i++)
		pfring_close(ring[i]);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2)
		return one_ring(argv[1]);
	if (argc == 4 && strcmp(argv[1], "-m") == 0)
		return multichannel(argv[2], strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: ringfacts DEV | ringfacts -m DEV TOTAL\n");
	return 2;
}
