/*
 * gen - the benchmark's traffic generator: a fixed number of 64-byte frames
 * (60 bytes plus the FCS the wire would add) at a target rate.
 *
 *   gen -i IFACE -n COUNT [-r PPS] [-b BATCH] [-f FLOWS]
 *   gen -w FILE -n COUNT [-f FLOWS]       write the same frames as a pcap file
 *
 * Live: one AF_PACKET socket with PACKET_QDISC_BYPASS, frames handed over in
 * sendmmsg() batches.  -r 0 (the default) sends as fast as it can; otherwise
 * the sender keeps to the schedule "frame k leaves at start + k / PPS",
 * sleeping when ahead and catching up in full batches when behind.  Frames
 * are IPv4/UDP 10.0.0.1:(10000 + k % FLOWS) > 10.0.0.2:9 with the frame
 * number k in the payload.  Prints "sent N in S s (P pps)" on stderr.
 *
 * File: a little-endian microsecond pcap file, linktype Ethernet, snaplen
 * 262144, written without libpcap; timestamps 1 us apart.
 *
 * No libpcap, no libpfring: the code under test never shapes the load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN 60u
#define MAX_BATCH 256u
#define PORT_BASE 10000u

static const uint8_t DST_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0xbe, 0x02 };
static const uint8_t SRC_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0xbe, 0x01 };

static void
fail(const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen -i IFACE -n COUNT [-r PPS] [-b BATCH] [-f FLOWS]\n"
			"       gen -w FILE -n COUNT [-f FLOWS]\n");
	exit(2);
}

static unsigned long long
number(const char *s, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max) {
		fprintf(stderr, "gen: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static uint16_t
ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The template: everything but the source port and the frame number. */
static void
frame_template(uint8_t *f)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t csum;

	memset(f, 0, FRAME_LEN);
	memcpy(f, DST_MAC, 6);
	memcpy(f + 6, SRC_MAC, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	ip[0] = 0x45;
	ip[2] = 0;
	ip[3] = FRAME_LEN - 14;
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10; ip[15] = 1;	/* 10.0.0.1 */
	ip[16] = 10; ip[19] = 2;	/* 10.0.0.2 */
	csum = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(csum >> 8);
	ip[11] = (uint8_t)csum;
	udp[3] = 9;
	udp[4] = 0;
	udp[5] = FRAME_LEN - 14 - 20;
	/* UDP checksum 0: none. */
}

static void
frame_stamp(uint8_t *f, unsigned long long k, unsigned int flows)
{
	uint8_t *udp = f + 34;
	unsigned int port = PORT_BASE + (unsigned int)(k % flows);
	int i;

	udp[0] = (uint8_t)(port >> 8);
	udp[1] = (uint8_t)port;
	for (i = 0; i < 8; i++)
		udp[8 + i] = (uint8_t)(k >> (56 - 8 * i));
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static int
write_file(const char *path, unsigned long long count, unsigned int flows)
{
	uint8_t hdr[24], rec[16 + FRAME_LEN];
	unsigned long long k;
	FILE *f;

	f = fopen(path, "wb");
	if (f == NULL)
		fail(path);
	memset(hdr, 0, sizeof(hdr));
	put32(hdr, 0xa1b2c3d4u);
	hdr[4] = 2;		/* version 2.4 */
	hdr[6] = 4;
	put32(hdr + 16, 262144);
	put32(hdr + 20, 1);	/* Ethernet */
	if (fwrite(hdr, sizeof(hdr), 1, f) != 1)
		fail(path);
	frame_template(rec + 16);
	for (k = 0; k < count; k++) {
		unsigned long long us = 1000000ull + k;

		put32(rec, (uint32_t)(1700000000ull + us / 1000000ull));
		put32(rec + 4, (uint32_t)(us % 1000000ull));
		put32(rec + 8, FRAME_LEN);
		put32(rec + 12, FRAME_LEN);
		frame_stamp(rec + 16, k, flows);
		if (fwrite(rec, sizeof(rec), 1, f) != 1)
			fail(path);
	}
	if (fclose(f) != 0)
		fail(path);
	return 0;
}

static unsigned long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void
sleep_until(unsigned long long t)
{
	unsigned long long n = now_ns();
	struct timespec ts;

	/* Sleep for the bulk, spin the last 60 us: sleeps overshoot. */
	if (t > n + 60000) {
		unsigned long long d = t - n - 60000;

		ts.tv_sec = (time_t)(d / 1000000000ull);
		ts.tv_nsec = (long)(d % 1000000000ull);
		nanosleep(&ts, NULL);
	}
	while (now_ns() < t)
		;
}

int
main(int argc, char **argv)
{
	static uint8_t frames[MAX_BATCH][FRAME_LEN];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_ll sll;
	const char *ifname = NULL, *file = NULL;
	unsigned long long count = 0, pps = 0, sent = 0, t0, t1, stalled_since = 0;
	unsigned int batch = 32, flows = 64, i;
	int opt, fd, one = 1;

	while ((opt = getopt(argc, argv, "i:w:n:r:b:f:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'w': file = optarg; break;
		case 'n': count = number(optarg, 1ull << 40); break;
		case 'r': pps = number(optarg, 100000000ull); break;
		case 'b': batch = (unsigned int)number(optarg, MAX_BATCH); break;
		case 'f': flows = (unsigned int)number(optarg, 50000); break;
		default: usage();
		}
	}
	if (optind != argc || (ifname == NULL) == (file == NULL) || batch == 0 || flows == 0)
		usage();
	if (file != NULL)
		return write_file(file, count, flows);

	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: receives nothing */
	if (fd < 0)
		fail("AF_PACKET socket");
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		fail("PACKET_QDISC_BYPASS");
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0)
		fail(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		fail("bind");

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < MAX_BATCH; i++) {
		frame_template(frames[i]);
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = now_ns();
	while (sent < count) {
		unsigned int n = batch, base = 0;
		int rc;

		if (count - sent < n)
			n = (unsigned int)(count - sent);
		if (pps != 0)
			sleep_until(t0 + (sent * 1000000000ull) / pps);
		for (i = 0; i < n; i++)
			frame_stamp(frames[i], sent + i, flows);
		while (base < n) {
			rc = sendmmsg(fd, msgs + base, n - base, 0);
			if (rc < 0) {
				if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
					fail("sendmmsg");
				if (stalled_since == 0)
					stalled_since = now_ns();
				else if (now_ns() - stalled_since > 10000000000ull) {
					fprintf(stderr, "gen: the device took nothing for 10 s\n");
					return 1;
				}
				continue;
			}
			stalled_since = 0;
			base += (unsigned int)rc;
		}
		sent += n;
	}
	t1 = now_ns();
	fprintf(stderr, "sent %llu in %.3f s (%.0f pps)\n", sent, (double)(t1 - t0) / 1e9,
		t1 > t0 ? (double)sent * 1e9 / (double)(t1 - t0) : 0.0);
	close(fd);
	return 0;
}
