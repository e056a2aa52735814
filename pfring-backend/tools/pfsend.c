/*
 * pfsend - send test flows through libpfring (pfring_send).
 *
 *   pfsend -i DEV -n COUNT [-f FLOWS] [-l LEN] [-r PPS] [-p udp|tcp] [-b FLOW_BASE]
 *
 * The same packets as tests/tools/flowgen: packet i belongs to flow
 * FLOW_BASE + (i % FLOWS); flow k is 10.0.(k>>8).(k&255):(10000+k) >
 * 10.255.0.1:80, UDP (payload fills LEN) or TCP SYN (padded to LEN), from
 * 02:00:00:00:00:0a to 02:00:00:00:00:0b, with correct checksums.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfring.h"

#define FLOW_PORT_BASE 10000u
#define MAX_FLOW_INDEX (65535u - FLOW_PORT_BASE)
#define MAX_FRAME 9216u
#define SEND_STALL_S 10.0 /* no TX slot for this long: give up */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: pfsend -i DEV -n COUNT [-f FLOWS] [-l LEN] [-r PPS] "
		"[-p udp|tcp] [-b FLOW_BASE]\n");
	exit(2);
}

static unsigned long parse_num(const char *s, const char *what, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "pfsend: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void build(uint8_t *buf, size_t len, int tcp, unsigned long k, unsigned long seq)
{
	static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	memset(buf, 0, len);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	put16(buf + 12, 0x0800);
	uint8_t *ip = buf + 14, *l4 = ip + 20;
	size_t l4len = tcp ? 20 : len - 14 - 20;
	uint32_t sip = (10u << 24) | ((uint32_t)(k >> 8) << 8) | (uint32_t)(k & 255);
	uint32_t dip = (10u << 24) | (255u << 16) | 1u;
	ip[0] = 0x45;
	put16(ip + 2, (uint32_t)(20 + l4len));
	put16(ip + 4, (uint32_t)(seq & 0xffff));
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = tcp ? 6 : 17;
	put32(ip + 12, sip);
	put32(ip + 16, dip);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	put16(l4, FLOW_PORT_BASE + (uint32_t)k);
	put16(l4 + 2, 80);
	if (tcp) {
		put32(l4 + 4, (uint32_t)seq);
		l4[12] = 5 << 4;
		l4[13] = 0x02;
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint32_t)l4len);
		uint8_t tag[16] = { 'F', 'L', 'O', 'W', 'G', 'E', 'N', 0 };
		put32(tag + 8, (uint32_t)k);
		put32(tag + 12, (uint32_t)seq);
		size_t room = l4len - 8;
		memcpy(l4 + 8, tag, room < sizeof(tag) ? room : sizeof(tag));
	}
	uint8_t pseudo[12];
	put32(pseudo, sip);
	put32(pseudo + 4, dip);
	pseudo[8] = 0;
	pseudo[9] = ip[9];
	put16(pseudo + 10, (uint32_t)l4len);
	uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), l4, l4len));
	if (!tcp && c == 0)
		c = 0xffff;
	put16(l4 + (tcp ? 16 : 6), c);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	nanosleep(&ts, NULL); /* an early wake-up from a signal is fine */
}

int main(int argc, char **argv)
{
	const char *dev = NULL;
	unsigned long count = 0, flows = 1, len = 64, pps = 0, base = 0;
	int tcp = 0, have_count = 0, c;
	while ((c = getopt(argc, argv, "i:n:f:l:r:p:b:h")) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 'n': count = parse_num(optarg, "count (-n)", (unsigned long)-1); have_count = 1; break;
		case 'f': flows = parse_num(optarg, "flows (-f)", MAX_FLOW_INDEX + 1); break;
		case 'l': len = parse_num(optarg, "length (-l)", MAX_FRAME); break;
		case 'r': pps = parse_num(optarg, "rate (-r)", 100000000); break;
		case 'b': base = parse_num(optarg, "flow base (-b)", MAX_FLOW_INDEX); break;
		case 'p':
			if (strcmp(optarg, "udp") == 0)
				tcp = 0;
			else if (strcmp(optarg, "tcp") == 0)
				tcp = 1;
			else
				usage();
			break;
		default: usage();
		}
	}
	if (!dev || !have_count || optind != argc)
		usage();
	if (flows == 0 || base + flows - 1 > MAX_FLOW_INDEX) {
		fprintf(stderr, "pfsend: flows must be 1.. and base + flows within the port range\n");
		return 2;
	}
	unsigned long min = tcp ? 54 : 42;
	if (len < min) {
		fprintf(stderr, "pfsend: length (-l) must be at least %lu\n", min);
		return 2;
	}

	char err[PFRING_ERRBUF_SIZE] = "";
	pfring *ring = pfring_open_err(dev, (uint32_t)len, PF_RING_TX_ONLY, err, sizeof(err));
	if (!ring) {
		fprintf(stderr, "pfsend: %s: %s\n", dev, err[0] ? err : "cannot open");
		return 1;
	}
	pfring_set_application_name(ring, "pfsend");
	int rc = pfring_enable_ring(ring);
	if (rc < 0) {
		fprintf(stderr, "pfsend: enable %s: %s (%d)\n", dev, pfring_last_error(ring), rc);
		pfring_close(ring);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	static uint8_t buf[MAX_FRAME];
	unsigned long sent = 0;
	int status = 0;
	double start = now_s();
	for (unsigned long i = 0; i < count && !stop; i++) {
		build(buf, len, tcp, base + i % flows, i);
		if (pps) {
			double due = start + (double)i / (double)pps, t = now_s();
			if (due > t)
				sleep_s(due - t);
		}
		double stall = 0;
		for (;;) {
			/* Flush with the last packet so nothing stays queued at exit. */
			rc = pfring_send(ring, (char *)buf, (u_int)len, i + 1 == count);
			if (rc >= 0)
				break;
			if (rc != PF_RING_ERROR_NO_TX_SLOT_AVAILABLE || stop) {
				fprintf(stderr, "pfsend: send packet %lu: %s (%d)\n", i,
					pfring_last_error(ring), rc);
				status = 1;
				goto out;
			}
			double t = now_s();
			if (stall == 0)
				stall = t;
			else if (t - stall > SEND_STALL_S) {
				fprintf(stderr, "pfsend: no TX slot for %.0f s\n", SEND_STALL_S);
				status = 1;
				goto out;
			}
			sleep_s(0.0001);
		}
		sent++;
	}
out:;
	double dur = now_s() - start;
	printf("Sent %lu packets (%lu bytes) in %.2f s: %.0f pkts/s\n", sent, sent * len, dur,
	       dur > 0 ? (double)sent / dur : 0);
	pfring_close(ring);
	return status;
}
