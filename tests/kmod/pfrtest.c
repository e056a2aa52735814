/*
 * pfrtest - tests of the pf_ring kernel module, run inside the QEMU guest.
 *
 *   pfrtest TEST [TX_IF RX_IF]
 *
 * Talks to the module through the raw ABI (common/pf_ring_abi.h), not
 * libpfring, and sends its own frames on TX_IF (a veth whose peer is RX_IF)
 * through AF_PACKET, so every count is known in advance.  Prints one
 * "ok: ..." or "FAIL: ..." line per check and exits 1 if any check failed.
 * Waits are on conditions (ring counters) with a deadline, never sleeps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf_ring_abi.h"
#include "pf_flow.h"

#define DEADLINE_MS 10000
#define FRAME_LEN 64

static const char *tx_if = "veth0";
static const char *rx_if = "veth1";
static int failures;

static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok: " : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

static void
check_u64(const char *what, uint64_t expected, uint64_t got)
{
	if (expected == got)
		check(1, "%s = %llu", what, (unsigned long long)expected);
	else
		check(0, "%s: expected %llu, got %llu", what,
		      (unsigned long long)expected, (unsigned long long)got);
}

/* setsockopt/getsockopt that must fail with exactly err. */
static void
check_errno(const char *what, int rc, int err)
{
	if (rc == -1 && errno == err)
		check(1, "%s -> %s", what, strerror(err));
	else if (rc == -1)
		check(0, "%s: expected %s, got %s", what, strerror(err), strerror(errno));
	else
		check(0, "%s: expected %s, got success", what, strerror(err));
}

static void
check_ok(const char *what, int rc)
{
	if (rc == 0)
		check(1, "%s", what);
	else
		check(0, "%s: %s", what, strerror(errno));
}

static void
die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------ */
/* Rings.                                                                    */

struct ring {
	int fd;
	uint8_t *map;
	struct pfr_ring_info info;
	struct pfr_ring_header *hdr;
};

static int
ring_socket(void)
{
	int fd = socket(PF_RING_FAMILY, SOCK_RAW, 0);

	if (fd < 0)
		die("socket(PF_RING)");
	return fd;
}

static int
ring_bind(int fd, const char *ifname)
{
	struct sockaddr_pfring sa;

	memset(&sa, 0, sizeof(sa));
	sa.family = PF_RING_FAMILY;
	snprintf(sa.ifname, sizeof(sa.ifname), "%s", ifname);
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

static int
set_u32(int fd, int opt, uint32_t v)
{
	return setsockopt(fd, SOL_PF_RING, opt, &v, sizeof(v));
}

static int
set_none(int fd, int opt)
{
	return setsockopt(fd, SOL_PF_RING, opt, NULL, 0);
}

/* Bound, ring set up and mapped, not yet enabled. */
static void
ring_open(struct ring *r, const char *ifname, uint32_t slots, uint32_t caplen)
{
	struct pfr_ring_req req = { .num_slots = slots, .caplen = caplen };
	socklen_t len = sizeof(r->info);

	r->fd = ring_socket();
	if (ring_bind(r->fd, ifname) < 0)
		die("bind");
	if (setsockopt(r->fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)) < 0)
		die("PFR_SO_RING");
	if (getsockopt(r->fd, SOL_PF_RING, PFR_SO_RING_INFO, &r->info, &len) < 0)
		die("PFR_SO_RING_INFO");
	r->map = mmap(NULL, r->info.mmap_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED)
		die("mmap");
	r->hdr = (struct pfr_ring_header *)r->map;
}

static void
ring_enable(struct ring *r)
{
	if (set_none(r->fd, PFR_SO_ENABLE) < 0)
		die("PFR_SO_ENABLE");
}

static void
ring_close(struct ring *r)
{
	munmap(r->map, r->info.mmap_bytes);
	close(r->fd);
}

static struct pfr_stats
ring_stats(struct ring *r)
{
	struct pfr_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(r->fd, SOL_PF_RING, PFR_SO_STATS, &st, &len) < 0)
		die("PFR_SO_STATS");
	return st;
}

/* Next slot or NULL; release with ring_done(). */
static struct pfr_slot_header *
ring_peek(struct ring *r)
{
	uint64_t ins = __atomic_load_n(&r->hdr->insert_idx, __ATOMIC_ACQUIRE);
	uint64_t rem = r->hdr->remove_idx;

	if (rem == ins)
		return NULL;
	return (struct pfr_slot_header *)(r->map + r->info.data_offset +
					  (rem % r->info.num_slots) * r->info.slot_size);
}

static void
ring_done(struct ring *r)
{
	__atomic_store_n(&r->hdr->remove_idx, r->hdr->remove_idx + 1, __ATOMIC_RELEASE);
}

/* Wait until the ring has seen (received + dropped) total packets. */
static int
wait_seen(struct ring *r, uint64_t total)
{
	uint64_t end = now_ms() + DEADLINE_MS;
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };

	for (;;) {
		struct pfr_stats st = ring_stats(r);

		if (st.received + st.dropped >= total)
			return 1;
		if (now_ms() >= end)
			return 0;
		/* Woken by the watermark; the timeout covers drops, which do not wake. */
		poll(&pfd, 1, 10);
	}
}

/* ------------------------------------------------------------------------ */
/* Traffic.                                                                  */

struct sender {
	int fd;
	int ifindex;
};

static void
sender_open(struct sender *s, const char *ifname)
{
	struct sockaddr_ll sll;

	s->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (s->fd < 0)
		die("socket(AF_PACKET)");
	s->ifindex = (int)if_nametoindex(ifname);
	if (s->ifindex == 0)
		die(ifname);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = s->ifindex;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind(AF_PACKET)");
}

static uint16_t
ip_csum(const uint8_t *p, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Flow k: UDP 10.0.(k>>8).(k&255):(10000+k) > 10.255.0.1:80, seq in the payload. */
static int
build_frame(uint8_t *f, unsigned int flow, uint32_t seq)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x0a };
	uint8_t *ip = f + 14, *udp = f + 34;
	uint16_t sport = (uint16_t)(10000 + flow);

	memset(f, 0, FRAME_LEN);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = 0;
	ip[3] = FRAME_LEN - 14;
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10;
	ip[14] = (uint8_t)(flow >> 8);
	ip[15] = (uint8_t)flow;
	ip[16] = 10;
	ip[17] = 255;
	ip[19] = 1;
	ip[10] = (uint8_t)(ip_csum(ip, 20) >> 8);
	ip[11] = (uint8_t)ip_csum(ip, 20);
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[3] = 80;
	udp[5] = FRAME_LEN - 34;
	memcpy(udp + 8, &seq, sizeof(seq));
	return FRAME_LEN;
}

static unsigned int
frame_flow(const uint8_t *f)
{
	return (unsigned int)(f[14 + 14] << 8 | f[14 + 15]);
}

/* n frames, frame i in flow i % flows. */
static void
send_flows(struct sender *s, unsigned int n, unsigned int flows)
{
	uint8_t f[FRAME_LEN];
	unsigned int i;

	for (i = 0; i < n; i++) {
		int len = build_frame(f, i % flows, i);

		while (send(s->fd, f, (size_t)len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN)
				die("send");
		}
	}
}

/* ------------------------------------------------------------------------ */
/* /proc.                                                                    */

/* The value of "Key : value" in the per-ring file of fd's ring. */
static long long
proc_ring_value(const char *ifname, const char *key)
{
	char pat[128], line[256];
	long long v = -1;
	glob_t g;
	FILE *fp;

	snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-%s.*", (int)getpid(), ifname);
	if (glob(pat, 0, NULL, &g) != 0 || g.gl_pathc != 1) {
		if (g.gl_pathc)
			globfree(&g);
		return -2;
	}
	fp = fopen(g.gl_pathv[0], "r");
	globfree(&g);
	if (fp == NULL)
		return -3;
	while (fgets(line, sizeof(line), fp)) {
		size_t kl = strlen(key);
		char *colon;

		if (strncmp(line, key, kl) != 0 || (line[kl] != ' ' && line[kl] != ':'))
			continue;
		colon = strchr(line, ':');
		if (colon)
			v = strtoll(colon + 1, NULL, 10);
	}
	fclose(fp);
	return v;
}

static int
proc_ring_has(const char *ifname, const char *text)
{
	char pat[128], line[256];
	int found = 0;
	glob_t g;
	FILE *fp;

	snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-%s.*", (int)getpid(), ifname);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	fp = g.gl_pathc == 1 ? fopen(g.gl_pathv[0], "r") : NULL;
	globfree(&g);
	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, text))
			found = 1;
	fclose(fp);
	return found;
}

/* ------------------------------------------------------------------------ */
/* Tests.                                                                    */

/* Exact counts, per-flow counts, contents, and the per-ring /proc file. */
static void
test_capture(void)
{
	const unsigned int n = 1000, flows = 10;
	unsigned int per_flow[10] = { 0 }, i, got = 0, bad = 0;
	struct pfr_slot_header *sh;
	struct sender s;
	struct ring r;
	struct pfr_stats st;

	ring_open(&r, rx_if, 4096, 128);
	check_ok("appname", setsockopt(r.fd, SOL_PF_RING, PFR_SO_APPNAME, "kmodtest", 8));
	ring_enable(&r);
	sender_open(&s, tx_if);
	send_flows(&s, n, flows);
	check(wait_seen(&r, n), "ring saw %u packets within the deadline", n);
	while ((sh = ring_peek(&r)) != NULL) {
		const uint8_t *f = (const uint8_t *)(sh + 1);
		uint32_t seq;

		memcpy(&seq, f + 42, sizeof(seq));
		if (sh->caplen != FRAME_LEN || sh->len != FRAME_LEN || seq != got ||
		    frame_flow(f) != got % flows || (sh->flags & PFR_SLOT_TX) ||
		    sh->hash != pf_flow_hash_packet(f, sh->caplen, PF_FLOW_PER_FLOW))
			bad++;
		if (frame_flow(f) < flows)
			per_flow[frame_flow(f)]++;
		got++;
		ring_done(&r);
	}
	check_u64("packets read from the ring", n, got);
	check_u64("frames out of order, wrong length, or wrong hash", 0, bad);
	for (i = 0; i < flows; i++)
		if (per_flow[i] != n / flows)
			break;
	check(i == flows, "each of %u flows has %u packets", flows, n / flows);
	st = ring_stats(&r);
	check_u64("stats received", n, st.received);
	check_u64("stats dropped", 0, st.dropped);
	check_u64("/proc Tot Packets", n, (uint64_t)proc_ring_value(rx_if, "Tot Packets"));
	check_u64("/proc Tot Pkt Lost", 0, (uint64_t)proc_ring_value(rx_if, "Tot Pkt Lost"));
	check_u64("/proc Tot Insert", n, (uint64_t)proc_ring_value(rx_if, "Tot Insert"));
	check_u64("/proc Tot Read", n, (uint64_t)proc_ring_value(rx_if, "Tot Read"));
	check_u64("/proc Num Slots", 4096, (uint64_t)proc_ring_value(rx_if, "Num Slots"));
	check(proc_ring_has(rx_if, "Appl. Name         : kmodtest"), "/proc shows the app name");
	check(proc_ring_has(rx_if, "Bound Device(s)    : veth1"), "/proc shows the device");
	ring_close(&r);
	check(proc_ring_value(rx_if, "Tot Packets") == -2, "/proc file removed on close");
	close(s.fd);
}

/* A ring that is never read: exactly num_slots kept, the rest dropped. */
static void
test_overflow(void)
{
	const unsigned int n = 5000;
	struct sender s;
	struct ring r;
	struct pfr_stats st;
	uint64_t slots;

	ring_open(&r, rx_if, 1, 64);
	slots = r.info.num_slots;
	printf("info: ring has %llu slots (min_num_slots applies)\n", (unsigned long long)slots);
	ring_enable(&r);
	sender_open(&s, tx_if);
	send_flows(&s, n, 7);
	check(wait_seen(&r, n), "ring saw %u packets within the deadline", n);
	st = ring_stats(&r);
	check_u64("received (== slots)", slots, st.received);
	check_u64("dropped (== sent - slots)", n - slots, st.dropped);
	check_u64("received + dropped == sent", n, st.received + st.dropped);
	check_u64("header page received", slots, r.hdr->received);
	check_u64("header page dropped", n - slots, r.hdr->dropped);
	check_u64("/proc Tot Pkt Lost", n - slots, (uint64_t)proc_ring_value(rx_if, "Tot Pkt Lost"));
	check_u64("/proc Tot Insert", slots, (uint64_t)proc_ring_value(rx_if, "Tot Insert"));
	check_u64("/proc Tot Read", 0, (uint64_t)proc_ring_value(rx_if, "Tot Read"));
	/* Free ten slots: exactly ten more fit. */
	__atomic_store_n(&r.hdr->remove_idx, 10, __ATOMIC_RELEASE);
	send_flows(&s, 20, 7);
	check(wait_seen(&r, n + 20), "ring saw 20 more");
	st = ring_stats(&r);
	check_u64("received after freeing 10 slots", slots + 10, st.received);
	check_u64("dropped after freeing 10 slots", n - slots + 10, st.dropped);
	/* A corrupt remove index from user space must not break the kernel. */
	r.hdr->remove_idx = ~0ull;
	send_flows(&s, 5, 7);
	check(wait_seen(&r, n + 25), "ring saw 5 more with a bogus remove index");
	st = ring_stats(&r);
	check_u64("bogus remove index: all 5 dropped", n - slots + 15, st.dropped);
	ring_close(&r);
	close(s.fd);
}

static void
test_cluster_type(uint32_t type, const char *name, unsigned int n, unsigned int flows)
{
	enum { M = 3 };
	struct ring r[M];
	unsigned int got[M] = { 0 }, wrong = 0, split = 0, total = 0, i, k;
	int member_of[256];
	struct pfr_cluster_req req = { .cluster_id = 7 + type, .cluster_type = type };
	struct pfr_slot_header *sh;
	struct sender s;

	for (k = 0; k < 256; k++)
		member_of[k] = -1;
	for (i = 0; i < M; i++) {
		ring_open(&r[i], rx_if, 4096, 128);
		if (setsockopt(r[i].fd, SOL_PF_RING, PFR_SO_CLUSTER, &req, sizeof(req)) < 0)
			die("PFR_SO_CLUSTER");
		ring_enable(&r[i]);
	}
	sender_open(&s, tx_if);
	send_flows(&s, n, flows);
	for (i = 0; i < M; i++) {
		uint64_t end = now_ms() + DEADLINE_MS;

		/* Wait for the total over all members. */
		while (total < n && now_ms() < end) {
			total = 0;
			for (k = 0; k < M; k++)
				total += (unsigned int)ring_stats(&r[k]).received;
			if (total < n) {
				struct pollfd pfd = { .fd = r[0].fd, .events = POLLIN };

				poll(&pfd, 1, 10);
			}
		}
		while ((sh = ring_peek(&r[i])) != NULL) {
			const uint8_t *f = (const uint8_t *)(sh + 1);
			unsigned int fl = frame_flow(f);

			if (type != PF_FLOW_ROUND_ROBIN &&
			    pf_flow_hash_packet(f, sh->caplen, (int)type) % M != i)
				wrong++;
			if (fl < 256) {
				if (member_of[fl] >= 0 && member_of[fl] != (int)i)
					split++;
				member_of[fl] = (int)i;
			}
			got[i]++;
			ring_done(&r[i]);
		}
	}
	check_u64("cluster packets in all members", n, (uint64_t)got[0] + got[1] + got[2]);
	printf("info: %s members got %u %u %u\n", name, got[0], got[1], got[2]);
	if (type == PF_FLOW_ROUND_ROBIN) {
		for (i = 0; i < M; i++)
			check_u64("round_robin: member share", n / M, got[i]);
	} else {
		check_u64("packets on a member other than pf_flow_hash % 3", 0, wrong);
		check_u64("flows split over members", 0, split);
		for (i = 0; i < M; i++)
			check(got[i] > 0, "%s: member %u got traffic", name, i);
	}
	for (i = 0; i < M; i++)
		ring_close(&r[i]);
	close(s.fd);
}

static void
test_cluster(void)
{
	test_cluster_type(PF_FLOW_PER_FLOW, "per_flow", 3000, 30);
	test_cluster_type(PF_FLOW_5_TUPLE, "5_tuple", 3000, 30);
	test_cluster_type(PF_FLOW_2_TUPLE, "2_tuple", 3000, 30);
	test_cluster_type(PF_FLOW_ROUND_ROBIN, "round_robin", 300, 7);
}

/* Classic BPF: accept flow 3 only (source address 10.0.0.3), snap 60 bytes. */
static void
test_bpf_and_sampling(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 26),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0a000003, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 60),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = 4, .filter = insns };
	struct pfr_slot_header *sh;
	unsigned int got = 0, bad = 0;
	struct sender s;
	struct ring r;

	ring_open(&r, rx_if, 4096, 128);
	check_ok("attach BPF", setsockopt(r.fd, SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog, sizeof(prog)));
	ring_enable(&r);
	sender_open(&s, tx_if);
	send_flows(&s, 1000, 10);
	/* 100 pass; a later marker proves nothing else is still in flight. */
	check(wait_seen(&r, 100), "BPF: 100 packets within the deadline");
	while ((sh = ring_peek(&r)) != NULL) {
		if (frame_flow((const uint8_t *)(sh + 1)) != 3 || sh->caplen != 60 ||
		    sh->len != FRAME_LEN)
			bad++;
		got++;
		ring_done(&r);
	}
	check_u64("BPF: packets of flow 3 (of 1000 in 10 flows)", 100, got);
	check_u64("BPF: wrong flow or caplen != 60", 0, bad);
	check(proc_ring_has(rx_if, "BPF Filtering      : Enabled"), "/proc shows the filter");

	/* Sampling after the filter: 100 pass it, 1 in 10 of those is kept. */
	check_ok("sampling 10", set_u32(r.fd, PFR_SO_SAMPLING, 10));
	send_flows(&s, 1000, 10);
	check(wait_seen(&r, 110), "sampling: 10 more within the deadline");
	check_u64("/proc Sampling Rate", 10, (uint64_t)proc_ring_value(rx_if, "Sampling Rate"));
	check_ok("detach BPF", set_none(r.fd, PFR_SO_DETACH_BPF));
	check_errno("detach BPF again", set_none(r.fd, PFR_SO_DETACH_BPF), ENOENT);
	/* No filter now: 1 of 10 of all 1000. */
	send_flows(&s, 1000, 10);
	check(wait_seen(&r, 210), "sampling without filter: 100 more within the deadline");
	check_ok("sampling 1", set_u32(r.fd, PFR_SO_SAMPLING, 1));
	/* A marker batch proves nothing from earlier is still in flight. */
	send_flows(&s, 10, 10);
	check(wait_seen(&r, 220), "marker batch seen");
	check_u64("BPF 100 + sampled 10 + sampled 100 + 10", 220, ring_stats(&r).received);
	ring_close(&r);
	close(s.fd);
}

/* RX/TX direction on the sending side, and TX through sendmsg. */
static void
test_direction_tx(void)
{
	struct ring both, rx, tx, in;
	struct sender s;
	uint8_t f[FRAME_LEN];
	unsigned int i, sent = 0;
	struct pfr_slot_header *sh;

	ring_open(&both, tx_if, 4096, 128);
	ring_open(&rx, tx_if, 4096, 128);
	ring_open(&tx, tx_if, 4096, 128);
	check_ok("direction rx", set_u32(rx.fd, PFR_SO_DIRECTION, PFR_DIR_RX_ONLY));
	check_ok("direction tx", set_u32(tx.fd, PFR_SO_DIRECTION, PFR_DIR_TX_ONLY));
	ring_enable(&both);
	ring_enable(&rx);
	ring_enable(&tx);
	sender_open(&s, tx_if);
	send_flows(&s, 500, 5);
	check(wait_seen(&both, 500) && wait_seen(&tx, 500), "TX rings saw 500");
	check_u64("RX+TX ring on the sender", 500, ring_stats(&both).received);
	check_u64("TX-only ring on the sender", 500, ring_stats(&tx).received);
	sh = ring_peek(&tx);
	check(sh && (sh->flags & PFR_SLOT_TX), "slot flagged as transmitted");

	/* sendmsg on a PF_RING socket: the peer receives exactly what we sent. */
	ring_open(&in, rx_if, 4096, 128);
	ring_enable(&in);
	for (i = 0; i < 200; i++) {
		int len = build_frame(f, i % 4, i);

		if (send(both.fd, f, (size_t)len, 0) == len)
			sent++;
	}
	check_u64("frames sent through the PF_RING socket", 200, sent);
	check(wait_seen(&in, 200), "peer saw 200 within the deadline");
	check_u64("peer ring received", 200, ring_stats(&in).received);
	check(wait_seen(&tx, 700), "TX-only ring saw our sendmsg frames");
	check_u64("RX-only ring on the sender (nothing comes back)", 0, ring_stats(&rx).received);
	/* As on the wire: the sender's own frames show as TX on its ring too. */
	check(wait_seen(&both, 700), "RX+TX sending ring saw its own 200 as TX");
	check_u64("RX+TX sending ring: 500 + its own 200", 700, ring_stats(&both).received);
	ring_close(&both);
	ring_close(&rx);
	ring_close(&tx);
	ring_close(&in);
	close(s.fd);
}

/* poll() wakes at the watermark, not before. */
static void
test_watermark(void)
{
	struct ring r;
	struct sender s;
	struct pollfd pfd;
	int rc;

	ring_open(&r, rx_if, 4096, 128);
	check_ok("watermark 50", set_u32(r.fd, PFR_SO_WATERMARK, 50));
	ring_enable(&r);
	sender_open(&s, tx_if);
	send_flows(&s, 49, 3);
	check(wait_seen(&r, 49), "49 packets in the ring");
	pfd.fd = r.fd;
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, 0);
	check(rc == 0, "poll with 49 < watermark 50: not readable (rc %d)", rc);
	send_flows(&s, 1, 3);
	rc = poll(&pfd, 1, DEADLINE_MS);
	check(rc == 1 && (pfd.revents & POLLIN), "poll at the watermark: readable (rc %d)", rc);
	check_ok("disable", set_none(r.fd, PFR_SO_DISABLE));
	send_flows(&s, 10, 3);
	/* Enable again and send a marker: the 10 sent while disabled never arrive. */
	ring_enable(&r);
	send_flows(&s, 1, 3);
	check(wait_seen(&r, 51), "marker after re-enable");
	check_u64("disabled ring skipped 10", 51, ring_stats(&r).received);
	ring_close(&r);
	close(s.fd);
}

/* Every bad value is refused with its error; nothing crashes. */
static void
test_badopts(void)
{
	struct pfr_ring_req req;
	struct pfr_cluster_req creq;
	struct sockaddr_pfring sa;
	struct sock_filter bad_insn[] = { { 0xffff, 0, 0, 0 } };
	struct sock_fprog prog;
	char buf[128];
	socklen_t len;
	uint32_t v;
	void *m;
	int fd, fd2;

	errno = 0;
	check_errno("socket SOCK_DGRAM", socket(PF_RING_FAMILY, SOCK_DGRAM, 0), ESOCKTNOSUPPORT);
	check_errno("socket protocol 5", socket(PF_RING_FAMILY, SOCK_RAW, 5), EPROTONOSUPPORT);
	fd = ring_socket();

	memset(&creq, 0, sizeof(creq));
	creq.cluster_id = 1;
	check_errno("cluster before bind",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)), ENOTCONN);
	check_errno("enable before bind", set_none(fd, PFR_SO_ENABLE), ENOTCONN);
	check_errno("send unbound", (int)send(fd, buf, 60, 0), EDESTADDRREQ);
	len = sizeof(buf);
	check_errno("ring info before ring",
		    getsockopt(fd, SOL_PF_RING, PFR_SO_RING_INFO, buf, &len), ENOTCONN);
	check_errno("mmap before ring",
		    mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0, ENOTCONN);

	memset(&sa, 'x', sizeof(sa));
	sa.family = PF_RING_FAMILY;
	check_errno("bind unterminated name", bind(fd, (struct sockaddr *)&sa, sizeof(sa)), EINVAL);
	snprintf(sa.ifname, sizeof(sa.ifname), "%s", "nosuch0");
	check_errno("bind short address", bind(fd, (struct sockaddr *)&sa, 4), EINVAL);
	sa.family = AF_INET;
	check_errno("bind wrong family", bind(fd, (struct sockaddr *)&sa, sizeof(sa)), EINVAL);
	sa.family = PF_RING_FAMILY;
	check_errno("bind no such device", bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ENODEV);
	check_errno("bind empty name", ring_bind(fd, ""), EINVAL);
	check_ok("bind any", ring_bind(fd, "any"));
	check_errno("bind twice", ring_bind(fd, rx_if), EBUSY);
	check_errno("send on any", (int)send(fd, buf, 60, 0), EDESTADDRREQ);
	check_errno("enable without ring", set_none(fd, PFR_SO_ENABLE), ENOTCONN);

	req.num_slots = 0;
	req.caplen = 128;
	check_errno("0 slots", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)), EINVAL);
	req.num_slots = PF_RING_MAX_SLOTS + 1;
	check_errno("too many slots", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)), EINVAL);
	req.num_slots = PF_RING_MAX_SLOTS;
	req.caplen = PF_RING_MAX_CAPLEN;
	check_errno("ring over the byte limit",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)), EINVAL);
	req.num_slots = 16;
	req.caplen = 0;
	check_errno("caplen 0", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)), EINVAL);
	req.caplen = PF_RING_MAX_CAPLEN + 1;
	check_errno("caplen 65536", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)), EINVAL);
	req.caplen = 128;
	check_errno("ring req short", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, 4), EINVAL);
	check_errno("ring req NULL", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, NULL, sizeof(req)), EFAULT);
	check_ok("ring ok", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)));
	check_errno("ring twice", setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &req, sizeof(req)), EBUSY);
	len = sizeof(struct pfr_ring_info);
	if (getsockopt(fd, SOL_PF_RING, PFR_SO_RING_INFO, buf, &len) < 0)
		die("PFR_SO_RING_INFO");
	check_u64("ring info length", sizeof(struct pfr_ring_info), len);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	check_errno("mmap wrong size", m == MAP_FAILED ? -1 : 0, EINVAL);
	m = mmap(NULL, ((struct pfr_ring_info *)buf)->mmap_bytes, PROT_READ, MAP_SHARED, fd, 4096);
	check_errno("mmap at an offset", m == MAP_FAILED ? -1 : 0, EINVAL);

	check_errno("direction 3", set_u32(fd, PFR_SO_DIRECTION, 3), EINVAL);
	check_errno("direction short", setsockopt(fd, SOL_PF_RING, PFR_SO_DIRECTION, &v, 2), EINVAL);
	check_errno("direction NULL", setsockopt(fd, SOL_PF_RING, PFR_SO_DIRECTION, NULL, 4), EFAULT);
	check_errno("watermark 0", set_u32(fd, PFR_SO_WATERMARK, 0), EINVAL);
	check_errno("watermark > slots", set_u32(fd, PFR_SO_WATERMARK, 1u << 30), EINVAL);
	check_errno("sampling 0", set_u32(fd, PFR_SO_SAMPLING, 0), EINVAL);
	check_errno("sampling too big", set_u32(fd, PFR_SO_SAMPLING, PF_RING_MAX_SAMPLING + 1), EINVAL);
	check_errno("appname empty", setsockopt(fd, SOL_PF_RING, PFR_SO_APPNAME, "", 0), EINVAL);
	memset(buf, 'a', sizeof(buf));
	check_errno("appname 64 bytes",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_APPNAME, buf, PF_RING_APPNAME_MAX), EINVAL);
	check_errno("appname with newline", setsockopt(fd, SOL_PF_RING, PFR_SO_APPNAME, "a\nb", 3), EINVAL);
	check_ok("appname 63 bytes",
		 setsockopt(fd, SOL_PF_RING, PFR_SO_APPNAME, buf, PF_RING_APPNAME_MAX - 1));
	creq.cluster_id = 0;
	creq.cluster_type = 0;
	check_errno("cluster id 0", setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)), EINVAL);
	creq.cluster_id = PF_RING_MAX_CLUSTER_ID + 1;
	check_errno("cluster id 65536", setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)), EINVAL);
	creq.cluster_id = 99;
	creq.cluster_type = PFR_CLUSTER_TYPE_MAX + 1;
	check_errno("cluster type 6", setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)), EINVAL);
	check_errno("cluster short", setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, 4), EINVAL);
	check_errno("leave cluster not in one", set_none(fd, PFR_SO_LEAVE_CLUSTER), ENOENT);
	creq.cluster_type = 0;
	check_ok("join cluster 99", setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)));
	check_errno("join twice", setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)), EBUSY);
	fd2 = ring_socket();
	check_ok("bind any (2nd)", ring_bind(fd2, "any"));
	creq.cluster_type = 1;
	check_errno("join cluster 99 with another type",
		    setsockopt(fd2, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)), EINVAL);
	close(fd2);
	check_ok("leave cluster", set_none(fd, PFR_SO_LEAVE_CLUSTER));
	check_errno("enable with a value", setsockopt(fd, SOL_PF_RING, PFR_SO_ENABLE, &v, 4), EINVAL);

	prog.len = 0;
	prog.filter = bad_insn;
	check_errno("BPF 0 instructions", setsockopt(fd, SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog, sizeof(prog)), EINVAL);
	prog.len = PF_RING_MAX_BPF_INSNS + 1;
	check_errno("BPF too long", setsockopt(fd, SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog, sizeof(prog)), EINVAL);
	prog.len = 1;
	check_errno("BPF bad opcode", setsockopt(fd, SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog, sizeof(prog)), EINVAL);
	prog.filter = NULL;
	check_errno("BPF NULL program", setsockopt(fd, SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog, sizeof(prog)), EINVAL);
	prog.filter = (struct sock_filter *)8;
	check_errno("BPF bad pointer", setsockopt(fd, SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog, sizeof(prog)), EFAULT);
	check_errno("BPF short fprog", setsockopt(fd, SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog, 4), EINVAL);

	check_errno("unknown option 99", set_u32(fd, 99, 1), ENOPROTOOPT);
	check_errno("wrong level", setsockopt(fd, SOL_PF_RING + 1, PFR_SO_SAMPLING, &v, 4), ENOPROTOOPT);
	len = 4;
	check_errno("stats, short buffer", getsockopt(fd, SOL_PF_RING, PFR_SO_STATS, buf, &len), EINVAL);
	len = (socklen_t)-1;
	check_errno("stats, negative length", getsockopt(fd, SOL_PF_RING, PFR_SO_STATS, buf, &len), EINVAL);
	len = sizeof(buf);
	check_errno("getsockopt unknown", getsockopt(fd, SOL_PF_RING, 99, buf, &len), ENOPROTOOPT);
	len = sizeof(struct pfr_stats);
	check_errno("stats to a bad pointer",
		    getsockopt(fd, SOL_PF_RING, PFR_SO_STATS, (void *)8, &len), EFAULT);
	close(fd);
}

static void
test_version(void)
{
	struct pfr_version v;
	socklen_t len = sizeof(v);
	int fd = ring_socket();

	check_ok("PFR_SO_VERSION", getsockopt(fd, SOL_PF_RING, PFR_SO_VERSION, &v, &len));
	check_u64("module ABI version", PF_RING_ABI_VERSION, v.abi_version);
	check(strcmp(v.version, PF_RING_MODULE_VERSION) == 0, "module version '%s'", v.version);
	close(fd);
}

/* Quick mode (module loaded with quick_mode=1): one ring per interface. */
static void
test_quick(void)
{
	int a = ring_socket(), b = ring_socket();

	check_ok("first ring on the interface", ring_bind(a, rx_if));
	check_errno("second ring on the same interface", ring_bind(b, rx_if), EBUSY);
	check_ok("a ring on the other interface", ring_bind(b, tx_if));
	close(a);
	close(b);
}

/* One IPv4 fragment of datagram id 0x4242: off8 in 8-byte units, plen payload bytes. */
static int
build_fragment(uint8_t *f, unsigned int off8, unsigned int plen, int more)
{
	uint8_t *ip = f + 14;
	uint16_t fo = (uint16_t)(off8 | (more ? 0x2000 : 0)), c;

	build_frame(f, 5, 0);
	ip[2] = (uint8_t)((20 + plen) >> 8);
	ip[3] = (uint8_t)(20 + plen);
	ip[4] = 0x42;
	ip[5] = 0x42;
	ip[6] = (uint8_t)(fo >> 8);
	ip[7] = (uint8_t)fo;
	ip[10] = 0;
	ip[11] = 0;
	c = ip_csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	memset(f + 34, 0x5a, plen);
	return (int)(34 + plen);
}

/* enable_ip_defrag=1: two fragments reach the ring as one datagram. */
static void
test_defrag(void)
{
	struct pfr_slot_header *sh;
	struct sender s;
	struct ring in;
	uint8_t f[FRAME_LEN + 64];
	int len;

	ring_open(&in, rx_if, 64, 256);
	ring_enable(&in);
	sender_open(&s, tx_if);
	len = build_fragment(f, 0, 24, 1);
	if (send(s.fd, f, (size_t)len, 0) != len)
		die("send fragment 1");
	len = build_fragment(f, 3, 16, 0);
	if (send(s.fd, f, (size_t)len, 0) != len)
		die("send fragment 2");
	/* A plain frame after them: once it is in, the datagram was handled. */
	send_flows(&s, 1, 1);
	check(wait_seen(&in, 2), "reassembled datagram and marker seen");
	check_u64("ring received (1 datagram + 1 marker)", 2, ring_stats(&in).received);
	sh = ring_peek(&in);
	if (sh) {
		const uint8_t *ip = (const uint8_t *)(sh + 1) + 14;

		check_u64("reassembled length: 14 + 20 + 40", 74, sh->len);
		check_u64("reassembled IP total length", 60, (uint64_t)(ip[2] << 8 | ip[3]));
		check_u64("no fragment bits left", 0, (uint64_t)((ip[6] << 8 | ip[7]) & 0x3fff));
	}
	ring_close(&in);
	close(s.fd);
}

/* enable_tx_capture=0: a TX-only ring sees nothing. */
static void
test_notx(void)
{
	struct ring r, in;
	struct sender s;

	ring_open(&r, tx_if, 64, 128);
	ring_open(&in, rx_if, 64, 128);
	ring_enable(&r);
	ring_enable(&in);
	sender_open(&s, tx_if);
	send_flows(&s, 100, 4);
	check(wait_seen(&in, 100), "peer saw 100");
	check_u64("sender-side ring with enable_tx_capture=0", 0, ring_stats(&r).received);
	check_u64("ring size with min_num_slots=64 and 64 asked", 64, r.info.num_slots);
	ring_close(&r);
	ring_close(&in);
	close(s.fd);
}

/* Holds a ring open until stdin closes: for the unload-while-open check. */
static void
test_hold(void)
{
	struct ring r;
	char c;

	ring_open(&r, rx_if, 64, 64);
	ring_enable(&r);
	printf("holding\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	ring_close(&r);
}

/* The interface goes away under a bound ring: poll reports an error. */
static void
test_devgone(const char *ifname)
{
	struct ring r;
	struct pollfd pfd;
	char c;
	int rc;

	ring_open(&r, ifname, 64, 64);
	ring_enable(&r);
	printf("holding\n");
	fflush(stdout);
	/* The caller deletes the interface, then writes a byte. */
	if (read(0, &c, 1) != 1)
		die("read");
	pfd.fd = r.fd;
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, 0);
	check(rc == 1 && (pfd.revents & POLLERR), "poll after the device went away: POLLERR");
	check_errno("enable after the device went away", set_none(r.fd, PFR_SO_ENABLE), ENETDOWN);
	check(proc_ring_has(ifname, "(gone)"), "/proc marks the device gone");
	ring_close(&r);
}

int
main(int argc, char **argv)
{
	const char *t = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 3) {
		tx_if = argv[2];
		rx_if = argv[3];
	}
	if (!strcmp(t, "version"))
		test_version();
	else if (!strcmp(t, "capture"))
		test_capture();
	else if (!strcmp(t, "overflow"))
		test_overflow();
	else if (!strcmp(t, "cluster"))
		test_cluster();
	else if (!strcmp(t, "bpf"))
		test_bpf_and_sampling();
	else if (!strcmp(t, "direction"))
		test_direction_tx();
	else if (!strcmp(t, "watermark"))
		test_watermark();
	else if (!strcmp(t, "badopts"))
		test_badopts();
	else if (!strcmp(t, "quick"))
		test_quick();
	else if (!strcmp(t, "notx"))
		test_notx();
	else if (!strcmp(t, "defrag"))
		test_defrag();
	else if (!strcmp(t, "hold"))
		test_hold();
	else if (!strcmp(t, "devgone") && argc > 2)
		test_devgone(argv[2]);
	else {
		fprintf(stderr, "usage: pfrtest version|capture|overflow|cluster|bpf|direction|"
			"watermark|badopts|quick|notx|defrag|hold|devgone IF [TX_IF RX_IF]\n");
		return 2;
	}
	return failures ? 1 : 0;
}
