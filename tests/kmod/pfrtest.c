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
#include <grp.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pf_ring_abi.h"
#include "pf_flow.h"
#include "pfr_nl.h"

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

/* How many of this process's rings on ifname have text in their /proc
 * file; *rings: how many rings there are. */
static int
proc_rings_with(const char *ifname, const char *text, size_t *rings)
{
	char pat[128], line[256];
	int found = 0, hit;
	size_t i;
	glob_t g;
	FILE *fp;

	*rings = 0;
	snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-%s.*", (int)getpid(), ifname);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	*rings = g.gl_pathc;
	for (i = 0; i < g.gl_pathc; i++) {
		fp = fopen(g.gl_pathv[i], "r");
		if (fp == NULL)
			continue;
		hit = 0;
		while (fgets(line, sizeof(line), fp))
			if (strstr(line, text))
				hit = 1;
		found += hit;
		fclose(fp);
	}
	globfree(&g);
	return found;
}

/* The only ring of this process on ifname has text in its /proc file. */
static int
proc_ring_has(const char *ifname, const char *text)
{
	size_t rings;
	int found = proc_rings_with(ifname, text, &rings);

	return rings == 1 && found == 1;
}

/* Some ring of this process on ifname has text in its /proc file. */
static int
proc_some_ring_has(const char *ifname, const char *text)
{
	size_t rings;

	return proc_rings_with(ifname, text, &rings) > 0;
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

/*
 * ip_with_dup_tuple: each packet in the member of its source's hash, and in
 * the member of its destination's hash when that is another one.
 */
static void
test_cluster_dup(unsigned int n, unsigned int flows)
{
	enum { M = 3 };
	struct ring r[M];
	unsigned int got[M] = { 0 }, primary = 0, second = 0, want_second = 0, wrong = 0;
	unsigned int total = 0, want_total = 0, i, k;
	struct pfr_cluster_req req = { .cluster_id = 7 + PF_FLOW_IP_WITH_DUP_TUPLE,
				       .cluster_type = PF_FLOW_IP_WITH_DUP_TUPLE };
	struct pfr_slot_header *sh;
	struct sender s;

	for (i = 0; i < M; i++) {
		ring_open(&r[i], rx_if, 4096, 128);
		if (setsockopt(r[i].fd, SOL_PF_RING, PFR_SO_CLUSTER, &req, sizeof(req)) < 0)
			die("PFR_SO_CLUSTER ip_with_dup_tuple");
		ring_enable(&r[i]);
	}
	sender_open(&s, tx_if);
	send_flows(&s, n, flows);
	/* At least n copies, then until the count settles. */
	for (k = 0; k < 2; k++) {
		uint64_t end = now_ms() + (k ? 300 : DEADLINE_MS);
		unsigned int last = 0;

		do {
			struct pollfd pfd = { .fd = r[0].fd, .events = POLLIN };

			last = total;
			poll(&pfd, 1, 10);
			total = 0;
			for (i = 0; i < M; i++)
				total += (unsigned int)ring_stats(&r[i]).received;
		} while ((k == 0 ? total < n : total != last || total == 0) && now_ms() < end);
	}
	for (i = 0; i < M; i++) {
		while ((sh = ring_peek(&r[i])) != NULL) {
			const uint8_t *f = (const uint8_t *)(sh + 1);
			struct pf_flow fl;
			uint32_t h2 = 0, m1, m2;

			pf_flow_parse_buf(f, sh->caplen, &fl);
			m1 = pf_flow_hash(&fl, PF_FLOW_IP_WITH_DUP_TUPLE) % M;
			pf_flow_hash_dup(&fl, PF_FLOW_IP_WITH_DUP_TUPLE, &h2);
			m2 = h2 % M;
			if (i == m1) {
				primary++;
				want_second += m2 != m1;
			} else if (i == m2) {
				second++;
			} else {
				wrong++;
			}
			got[i]++;
			ring_done(&r[i]);
		}
	}
	want_total = n + want_second;
	printf("info: ip_with_dup_tuple members got %u %u %u\n", got[0], got[1], got[2]);
	check_u64("ip_with_dup_tuple: source's member got every packet", n, primary);
	check_u64("ip_with_dup_tuple: destination's member got those of another member",
		  want_second, second);
	check_u64("ip_with_dup_tuple: packets in neither endpoint's member", 0, wrong);
	check_u64("ip_with_dup_tuple: copies in all", want_total, (uint64_t)got[0] + got[1] + got[2]);
	check(want_second > 0, "ip_with_dup_tuple: some packets went to two members");
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
	test_cluster_type(PF_FLOW_INNER_5_TUPLE, "inner_5_tuple", 3000, 30);
	test_cluster_type(PF_FLOW_ROUND_ROBIN, "round_robin", 300, 7);
	test_cluster_dup(3000, 30);
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
	check_errno("cluster type 14", setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &creq, sizeof(creq)), EINVAL);
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

/* ------------------------------------------------------------------------ */
/* Namespaces, privileges, memory, devices going away.                       */

/* FILE holds the line TEXT exactly. */
static int
file_has_line(const char *path, const char *text)
{
	char line[256];
	FILE *fp = fopen(path, "r");
	int found = 0;

	if (fp == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(line, text);
	}
	fclose(fp);
	return found;
}

/* How many /proc/net/pf_ring/<pid>-<ifname>.* files this process sees. */
static size_t
proc_ring_files(int pid, const char *ifname)
{
	char pat[128];
	size_t n = 0;
	glob_t g;

	snprintf(pat, sizeof(pat), "/proc/net/pf_ring/%d-%s.*", pid, ifname);
	if (glob(pat, 0, NULL, &g) == 0)
		n = g.gl_pathc;
	globfree(&g);
	return n;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void
pipe_signal(int fd)
{
	if (write(fd, "x", 1) != 1)
		die("write(pipe)");
}

static int
pipe_wait(int fd)
{
	char c;

	return read(fd, &c, 1) == 1;
}

static int
join_cluster(int fd, uint32_t id, uint32_t type)
{
	struct pfr_cluster_req req = { .cluster_id = id, .cluster_type = type };

	return setsockopt(fd, SOL_PF_RING, PFR_SO_CLUSTER, &req, sizeof(req));
}

/* The child of test_netns: cluster 42 on lo of a namespace of its own. */
static void
netns_child(int ready, int go, int parent)
{
	struct ring k;
	struct sender s;

	check_ok("child: unshare(CLONE_NEWNET)", unshare(CLONE_NEWNET));
	check_ok("child: lo up", pfr_link_up("lo") ? -1 : 0);
	ring_open(&k, "lo", 64, 128);
	check_ok("child: direction RX only", set_u32(k.fd, PFR_SO_DIRECTION, PFR_DIR_RX_ONLY));
	check_ok("child: join cluster 42 (per_flow) on lo", join_cluster(k.fd, 42, PF_FLOW_PER_FLOW));
	ring_enable(&k);
	pipe_signal(ready);
	/* The parent's cluster 42 (round robin) exists now. */
	if (!pipe_wait(go))
		die("read(pipe)");
	check(file_has_line("/proc/net/pf_ring/info", "Total rings              : 1"),
	      "child: /proc/net/pf_ring/info counts the namespace's one ring");
	check_u64("child: its ring files", 1, proc_ring_files((int)getpid(), "lo"));
	check_u64("child: the parent's ring files", 0, proc_ring_files(parent, "veth1"));
	check(exists("/proc/net/pf_ring/dev/lo/info"), "child: dev/lo/info exists");
	check(!exists("/proc/net/pf_ring/dev/veth1"), "child: no dev/veth1 (another namespace)");
	check(proc_ring_has("lo", "Cluster Id         : 42"), "child: its ring is in cluster 42");
	sender_open(&s, "lo");
	send_flows(&s, 10, 3);
	check(wait_seen(&k, 10), "child: cluster 42 on lo saw the frames");
	check_u64("child: received on lo", 10, ring_stats(&k).received);
	close(s.fd);
	ring_close(&k);
	pipe_signal(ready);
}

/*
 * Clusters, rings and /proc/net/pf_ring are per network namespace: a child
 * in a namespace of its own joins cluster 42 (per_flow, on its lo) first,
 * then this process joins a cluster 42 of another type on veth1, and each
 * sees only its own ring and gets only its own traffic.
 */
static void
test_netns(void)
{
	int ready[2], go[2], status;
	struct ring p;
	struct sender s;
	pid_t pid;

	if (pipe(ready) < 0 || pipe(go) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int parent = (int)getppid();

		close(ready[0]);
		close(go[1]);
		netns_child(ready[1], go[0], parent);
		_exit(failures ? 1 : 0);
	}
	close(ready[1]);
	close(go[0]);
	check(pipe_wait(ready[0]), "child joined cluster 42 in its namespace");
	ring_open(&p, rx_if, 4096, 128);
	check_ok("join cluster 42 (round robin) here, with the child's cluster 42 per_flow",
		 join_cluster(p.fd, 42, PF_FLOW_ROUND_ROBIN));
	ring_enable(&p);
	pipe_signal(go[1]);
	check(pipe_wait(ready[0]), "child finished its checks");
	check(file_has_line("/proc/net/pf_ring/info", "Total rings              : 1"),
	      "/proc/net/pf_ring/info counts this namespace's one ring");
	check_u64("the child's ring files here", 0, proc_ring_files((int)pid, "lo"));
	check(proc_ring_has(rx_if, "Cluster Id         : 42"), "this ring is in cluster 42");
	sender_open(&s, tx_if);
	send_flows(&s, 30, 7);
	check(wait_seen(&p, 30), "cluster 42 here saw the frames");
	check_u64("received here (the only member of this cluster 42)", 30, ring_stats(&p).received);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child's checks passed");
	close(s.fd);
	ring_close(&p);
}

/*
 * Creating a ring takes CAP_NET_RAW of the initial user namespace: uid
 * 65534 in a user and network namespace of its own (where it has
 * CAP_NET_RAW, as AF_PACKET shows) gets EPERM.
 */
static void
test_userns(void)
{
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			die("setuid(65534)");
		check_ok("uid 65534: unshare(CLONE_NEWUSER | CLONE_NEWNET)",
			 unshare(CLONE_NEWUSER | CLONE_NEWNET));
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		check(fd >= 0, "uid 65534 in its namespaces: AF_PACKET socket (CAP_NET_RAW there)%s%s",
		      fd < 0 ? ": " : "", fd < 0 ? strerror(errno) : "");
		if (fd >= 0)
			close(fd);
		fd = socket(PF_RING_FAMILY, SOCK_RAW, 0);
		check_errno("uid 65534 in its namespaces: PF_RING socket", fd < 0 ? -1 : 0, EPERM);
		if (fd >= 0)
			close(fd);
		_exit(failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "unprivileged child's checks passed");
}

#define CG "/sys/fs/cgroup"
#define CG_TEST CG "/pfrtest"

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), rc = 0;

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		rc = -1;
	close(fd);
	return rc;
}

/* "KEY N" of a flat-keyed cgroup file, -1 if absent. */
static long long
cg_key(const char *file, const char *key)
{
	char path[128], line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), CG_TEST "/%s", file);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, kl) && line[kl] == ' ')
			v = strtoll(line + kl + 1, NULL, 10);
	fclose(fp);
	return v;
}

/* Memory statistics are flushed lazily: wait for the exact value. */
static int
wait_vmalloc(long long want)
{
	uint64_t end = now_ms() + DEADLINE_MS;

	while (cg_key("memory.stat", "vmalloc") != want) {
		if (now_ms() >= end)
			return 0;
		usleep(20000);
	}
	return 1;
}

/*
 * Ring memory is charged to the memory cgroup of the process that sets the
 * ring up: memory.stat's vmalloc grows by exactly the ring and shrinks back
 * at close; a ring larger than memory.max fails with ENOMEM and kills
 * nothing (memory.events oom_kill stays 0).
 */
static void
test_memcg(void)
{
	struct pfr_ring_req big = { .num_slots = 65536, .caplen = 1500 };
	long long v0, v1;
	char pid[32];
	struct ring r;
	int fd;

	if (!exists(CG "/cgroup.controllers"))
		die("cgroup2 is not mounted at " CG);
	if (write_file(CG "/cgroup.subtree_control", "+memory") < 0)
		die("enable the memory controller");
	if (mkdir(CG_TEST, 0755) < 0 && errno != EEXIST)
		die("mkdir " CG_TEST);
	if (write_file(CG_TEST "/memory.max", "67108864") < 0)
		die("memory.max");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write_file(CG_TEST "/cgroup.procs", pid) < 0)
		die("cgroup.procs");

	v0 = cg_key("memory.stat", "vmalloc");
	check(v0 >= 0, "memory.stat has vmalloc (%lld)", v0);
	ring_open(&r, rx_if, 16384, 1500);
	printf("info: ring of %llu bytes\n", (unsigned long long)r.info.mmap_bytes);
	check(r.info.mmap_bytes > 16 << 20, "the ring is over 16 MiB");
	v1 = v0 + (long long)r.info.mmap_bytes;
	check(wait_vmalloc(v1), "memory.stat vmalloc grew by the ring's bytes: %lld -> %lld",
	      v0, cg_key("memory.stat", "vmalloc"));
	ring_close(&r);
	check(wait_vmalloc(v0), "memory.stat vmalloc back to %lld after close (%lld)",
	      v0, cg_key("memory.stat", "vmalloc"));

	fd = ring_socket();
	check_errno("a ring over memory.max (64 MiB)",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_RING, &big, sizeof(big)), ENOMEM);
	close(fd);
	check_u64("memory.events oom_kill", 0, (uint64_t)cg_key("memory.events", "oom_kill"));
	check(wait_vmalloc(v0), "memory.stat vmalloc back to %lld after the failure", v0);

	if (write_file(CG "/cgroup.procs", pid) < 0)
		die("back to the root cgroup");
	if (rmdir(CG_TEST) < 0)
		die("rmdir " CG_TEST);
}

/* test_mmap_lock: a setsockopt() whose optval faults, and an mmap(). */
struct uffd_race {
	int fd;
	void *optval;
	size_t map_bytes;
	int set_rc, set_errno;
	atomic_int mapped;
};

static void *
uffd_setter(void *arg)
{
	struct uffd_race *u = arg;

	u->set_rc = setsockopt(u->fd, SOL_PF_RING, PFR_SO_APPNAME, u->optval, 8);
	u->set_errno = errno;
	return NULL;
}

static void *
uffd_mapper(void *arg)
{
	struct uffd_race *u = arg;
	void *p = mmap(NULL, u->map_bytes, PROT_READ, MAP_SHARED, u->fd, 0);

	if (p != MAP_FAILED)
		munmap(p, u->map_bytes);
	atomic_store(&u->mapped, p != MAP_FAILED ? 1 : -1);
	return NULL;
}

/*
 * mmap() of a ring must not wait for a configuration call: one whose optval
 * faults holds the ring's configuration lock and needs the mmap lock, which
 * mmap() holds.  The fault is held open with userfaultfd: mmap() in another
 * thread must complete meanwhile, then the fault is served and the
 * setsockopt() completes too.  (With the lock taken in mmap() the two
 * threads deadlock; the process exit below would undo it.)
 */
static void
test_mmap_lock(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_copy cp;
	struct uffd_msg msg;
	struct uffd_race u;
	struct ring r;
	pthread_t setter, mapper;
	long pg = sysconf(_SC_PAGESIZE);
	char *src;
	uint64_t end;
	int uffd;

	ring_open(&r, rx_if, 64, 64);
	memset(&u, 0, sizeof(u));
	u.fd = r.fd;
	u.map_bytes = r.info.mmap_bytes;
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) < 0)
		die("userfaultfd");
	u.optval = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u.optval == MAP_FAILED || src == MAP_FAILED)
		die("mmap");
	memcpy(src, "uffdtest", 8);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)u.optval;
	reg.range.len = (uint64_t)pg;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0)
		die("UFFDIO_REGISTER");
	if (pthread_create(&setter, NULL, uffd_setter, &u) != 0)
		die("pthread_create");
	/* The setter is now in the fault, inside setsockopt(). */
	if (read(uffd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		die("read(userfaultfd)");
	check(1, "setsockopt(PFR_SO_APPNAME) waits in a fault on its optval");
	if (pthread_create(&mapper, NULL, uffd_mapper, &u) != 0)
		die("pthread_create");
	end = now_ms() + 5000;
	while (!atomic_load(&u.mapped) && now_ms() < end)
		usleep(10000);
	if (atomic_load(&u.mapped) != 1) {
		check(0, "mmap of the ring completes while setsockopt waits in a fault (%s)",
		      atomic_load(&u.mapped) ? "failed" : "still blocked after 5 s");
		exit(1);
	}
	check(1, "mmap of the ring completes while setsockopt waits in a fault");
	memset(&cp, 0, sizeof(cp));
	cp.dst = (uintptr_t)u.optval;
	cp.src = (uintptr_t)src;
	cp.len = (uint64_t)pg;
	if (ioctl(uffd, UFFDIO_COPY, &cp) < 0)
		die("UFFDIO_COPY");
	pthread_join(setter, NULL);
	pthread_join(mapper, NULL);
	check_ok("setsockopt(PFR_SO_APPNAME) after the fault", u.set_rc == 0 ? 0 : (errno = u.set_errno, -1));
	check(proc_ring_has(rx_if, "Appl. Name         : uffdtest"), "/proc shows the name set");
	close(uffd);
	munmap(u.optval, (size_t)pg);
	munmap(src, (size_t)pg);
	ring_close(&r);
}

#define RE_RX "pfrre1"
#define RE_TX "pfrre0"

static void
veth_setup(int index)
{
	int err = pfr_nl_veth_add(RE_RX, RE_TX, index);

	if (err) {
		errno = -err;
		die("create the veth pair " RE_RX "/" RE_TX);
	}
	if (pfr_link_up(RE_RX) || pfr_link_up(RE_TX))
		die("veth up");
}

/* What poll() reports now for POLLIN | POLLOUT. */
static short
poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	if (poll(&pfd, 1, 0) < 0)
		die("poll");
	return pfd.revents;
}

/*
 * A device is deleted under a ring in cluster 42; a new device gets its
 * ifindex.  The old ring left its cluster when the device went (its
 * cluster 42 is gone), reports POLLERR | POLLHUP, refuses ENABLE, CLUSTER
 * and send with ENETDOWN, and gets nothing of the new device, whose new
 * cluster 42 gets everything.  A ring on "any" goes on.
 */
static void
test_devreuse(void)
{
	struct ring a, any, d;
	struct sender s;
	struct pfr_slot_header *sh;
	uint8_t f[FRAME_LEN];
	unsigned int drained = 0;
	int index;

	veth_setup(0);
	index = (int)if_nametoindex(RE_RX);
	printf("info: %s has ifindex %d\n", RE_RX, index);
	ring_open(&a, RE_RX, 64, 128);
	check_ok("old ring: join cluster 42", join_cluster(a.fd, 42, PF_FLOW_PER_FLOW));
	ring_enable(&a);
	ring_open(&any, "any", 4096, 128);
	check_ok("ring on any: RX only", set_u32(any.fd, PFR_SO_DIRECTION, PFR_DIR_RX_ONLY));
	ring_enable(&any);
	sender_open(&s, RE_TX);
	send_flows(&s, 10, 3);
	check(wait_seen(&a, 10), "old ring saw 10");
	check(wait_seen(&any, 10), "ring on any saw 10");
	while ((sh = ring_peek(&a)) != NULL) {
		drained++;
		ring_done(&a);
	}
	check_u64("old ring: frames read", 10, drained);
	close(s.fd);

	check_ok("delete the device", pfr_nl_link_del(index) ? -1 : 0);
	check_u64("old ring: poll revents", POLLERR | POLLHUP, (uint64_t)poll_now(a.fd));
	check_errno("old ring: leave cluster (left already)", set_none(a.fd, PFR_SO_LEAVE_CLUSTER),
		    ENOENT);
	check_errno("old ring: enable", set_none(a.fd, PFR_SO_ENABLE), ENETDOWN);
	check_errno("old ring: join cluster 42", join_cluster(a.fd, 42, PF_FLOW_PER_FLOW), ENETDOWN);
	build_frame(f, 0, 0);
	check_errno("old ring: send", (int)send(a.fd, f, FRAME_LEN, 0), ENETDOWN);
	check(proc_ring_has(RE_RX, "Cluster Id         : 0"), "old ring: /proc cluster id 0");
	check(proc_ring_has(RE_RX, "Active             : 0"), "old ring: /proc not active");
	check(proc_ring_has(RE_RX, "Bound Device(s)    : " RE_RX " (gone)"), "old ring: /proc (gone)");
	check(!exists("/proc/net/pf_ring/dev/" RE_RX), "dev/" RE_RX " removed");
	check_u64("ring on any: poll revents (its 10 frames queued, no error)", POLLIN,
		  (uint64_t)poll_now(any.fd));

	veth_setup(index);
	check_u64("the new device reuses the ifindex", (uint64_t)index, if_nametoindex(RE_RX));
	ring_open(&d, RE_RX, 4096, 128);
	check_ok("new ring: join cluster 42 (a new one)", join_cluster(d.fd, 42, PF_FLOW_PER_FLOW));
	ring_enable(&d);
	sender_open(&s, RE_TX);
	send_flows(&s, 100, 7);
	check(wait_seen(&d, 100), "new ring saw 100");
	check(wait_seen(&any, 110), "ring on any saw 110");
	check_u64("new ring: received (alone in the new cluster 42)", 100, ring_stats(&d).received);
	check_u64("old ring: received (none after the device went)", 10, ring_stats(&a).received);
	check_u64("old ring: dropped", 0, ring_stats(&a).dropped);
	check_u64("ring on any: received", 110, ring_stats(&any).received);
	close(s.fd);
	ring_close(&a);
	ring_close(&d);
	ring_close(&any);
	check_ok("delete the new device", pfr_nl_link_del(index) ? -1 : 0);
}

/* ------------------------------------------------------------------------ */
/* Filtering rules in the module.                                            */

/* Flow k as build_frame(), optionally reversed (ports and addresses swapped)
 * or with an 802.1Q tag of vid (vid > 0). */
static int
build_frame_ex(uint8_t *f, unsigned int flow, uint32_t seq, int reverse, unsigned int vid)
{
	uint8_t tmp[4];
	int len = build_frame(f, flow, seq);

	if (reverse) {
		uint8_t *ip = f + 14, *udp = f + 34;

		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		memcpy(tmp, udp, 2);
		memcpy(udp, udp + 2, 2);
		memcpy(udp + 2, tmp, 2);
	}
	if (vid) {
		memmove(f + 16, f + 12, (size_t)len - 12);
		f[12] = 0x81;
		f[13] = 0x00;
		f[14] = (uint8_t)(vid >> 8);
		f[15] = (uint8_t)vid;
		len += 4;
	}
	return len;
}

struct rules_env {
	struct ring r;		/* the ring with rules */
	struct ring w;		/* opened after r, no rules: when it has seen a
				 * packet, so has r (same handler call, list order) */
	struct sender s;
	uint64_t w_seen;
};

static void
drain(struct ring *r, unsigned int *per_flow, unsigned int *total)
{
	struct pfr_slot_header *sh;
	const uint8_t *f;

	while ((sh = ring_peek(r)) != NULL) {
		f = (const uint8_t *)(sh + 1);
		/* Reversed frames count under their flow too (source 10.255.0.1). */
		if (per_flow)
			per_flow[f[26] == 10 && f[27] == 0 ? frame_flow(f) % 16 :
				 (unsigned int)(f[32] << 8 | f[33]) % 16]++;
		(*total)++;
		ring_done(r);
	}
}

/* Send n frames over `flows` flows; returns how many r kept, per flow too. */
static unsigned int
rules_round(struct rules_env *e, unsigned int n, unsigned int flows, int reverse,
	    unsigned int vid, unsigned int *per_flow)
{
	uint8_t f[FRAME_LEN + 4];
	unsigned int i, kept = 0, wk = 0;

	if (per_flow)
		memset(per_flow, 0, 16 * sizeof(*per_flow));
	for (i = 0; i < n; i++) {
		int len = build_frame_ex(f, i % flows, i, reverse, vid);

		while (send(e->s.fd, f, (size_t)len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN)
				die("send");
		}
	}
	e->w_seen += n;
	if (!wait_seen(&e->w, e->w_seen))
		check(0, "the witness ring saw %llu packets within the deadline",
		      (unsigned long long)e->w_seen);
	drain(&e->w, NULL, &wk);
	drain(&e->r, per_flow, &kept);
	return kept;
}

static int
set_rules(int fd, const struct pf_rule *rules, unsigned int n)
{
	return setsockopt(fd, SOL_PF_RING, PFR_SO_SET_RULES, rules,
			  (socklen_t)(n * sizeof(*rules)));
}

static struct pf_rule
rule(uint16_t id, uint8_t action)
{
	struct pf_rule r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.action = action;
	return r;
}

static uint32_t
ip4(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	return (uint32_t)(a << 24 | b << 16 | c << 8 | d);
}

/* One rule "pass <field>" under policy drop: how many of 100 frames in 10 flows pass. */
static void
field_case(struct rules_env *e, const char *what, const struct pf_rule *pr, unsigned int vid,
	   unsigned int expect)
{
	char name[160];

	if (set_rules(e->r.fd, pr, 1) < 0) {
		check(0, "%s: PFR_SO_SET_RULES: %s", what, strerror(errno));
		return;
	}
	snprintf(name, sizeof(name), "field %s: packets kept of 100", what);
	check_u64(name, expect, rules_round(e, 100, 10, 0, vid, NULL));
}

static void
test_rule_fields(struct rules_env *e)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	static const uint8_t mac_x[6] = { 0x02, 0, 0, 0, 0, 0x0c };
	uint8_t f[FRAME_LEN];
	unsigned int even = 0, k;
	struct pf_rule r;

	check_ok("policy drop", set_u32(e->r.fd, PFR_SO_RULES_POLICY, PFR_POLICY_DROP));
	r = rule(1, PF_RULE_PASS); memcpy(r.src_mac, mac_a, 6);
	field_case(e, "src MAC match", &r, 0, 100);
	memcpy(r.src_mac, mac_x, 6);
	field_case(e, "src MAC miss", &r, 0, 0);
	r = rule(1, PF_RULE_PASS); memcpy(r.dst_mac, mac_b, 6);
	field_case(e, "dst MAC match", &r, 0, 100);
	memcpy(r.dst_mac, mac_a, 6);
	field_case(e, "dst MAC miss", &r, 0, 0);
	r = rule(1, PF_RULE_PASS); r.vlan_id = 7;
	field_case(e, "VLAN 7 on VLAN 7 frames", &r, 7, 100);
	field_case(e, "VLAN 7 on untagged frames", &r, 0, 0);
	r.vlan_id = 8;
	field_case(e, "VLAN 8 on VLAN 7 frames", &r, 7, 0);
	r = rule(1, PF_RULE_PASS); r.proto = 17;
	field_case(e, "proto udp", &r, 0, 100);
	r.proto = 6;
	field_case(e, "proto tcp", &r, 0, 0);
	r = rule(1, PF_RULE_PASS); r.ip_version = 4;
	field_case(e, "IPv4", &r, 0, 100);
	r.ip_version = 6;
	field_case(e, "IPv6", &r, 0, 0);
	r = rule(1, PF_RULE_PASS); r.src_ip[0] = ip4(10, 0, 0, 3); r.src_mask[0] = 0xffffffff;
	field_case(e, "src 10.0.0.3/32", &r, 0, 10);
	r.src_ip[0] = ip4(10, 0, 1, 0); r.src_mask[0] = 0xffffff00;
	field_case(e, "src 10.0.1.0/24", &r, 0, 0);
	r = rule(1, PF_RULE_PASS); r.dst_ip[0] = ip4(10, 255, 0, 0); r.dst_mask[0] = 0xffff0000;
	field_case(e, "dst 10.255.0.0/16", &r, 0, 100);
	r.dst_ip[0] = ip4(10, 254, 0, 0);
	field_case(e, "dst 10.254.0.0/16", &r, 0, 0);
	r = rule(1, PF_RULE_PASS); r.src_port_lo = 10002; r.src_port_hi = 10004;
	field_case(e, "src-port 10002-10004", &r, 0, 30);
	r.src_port_lo = 20000; r.src_port_hi = 20010;
	field_case(e, "src-port 20000-20010", &r, 0, 0);
	r = rule(1, PF_RULE_PASS); r.dst_port_lo = 80; r.dst_port_hi = 80;
	field_case(e, "dst-port 80", &r, 0, 100);
	r.dst_port_lo = 81; r.dst_port_hi = 90;
	field_case(e, "dst-port 81-90", &r, 0, 0);
	/* The payload starts with the frame's sequence number, then zeros. */
	r = rule(1, PF_RULE_PASS); r.pattern_len = 4; r.pattern[0] = 3;
	field_case(e, "payload 03 00 00 00 (frame 3 only)", &r, 0, 1);
	r.pattern[0] = 0xde; r.pattern[1] = 0xad;
	field_case(e, "payload de ad 00 00", &r, 0, 0);
	/* Balance: flow hash % 2 == id, with the shared hash. */
	for (k = 0; k < 10; k++) {
		int len = build_frame(f, k, 0);

		if (pf_flow_hash_packet(f, (pf_u32)len, PF_FLOW_PER_FLOW) % 2 == 0)
			even += 10;
	}
	r = rule(1, PF_RULE_PASS); r.balance_pool = 2; r.balance_id = 0;
	field_case(e, "balance 0 of 2 (shared hash)", &r, 0, even);
	r.balance_id = 1;
	field_case(e, "balance 1 of 2 (shared hash)", &r, 0, 100 - even);
	/* The rule's source is the packets' destination: only both ways match. */
	r = rule(1, PF_RULE_PASS); r.src_ip[0] = ip4(10, 255, 0, 1); r.src_mask[0] = 0xffffffff;
	field_case(e, "src 10.255.0.1 one way", &r, 0, 0);
	r.flags = PF_RULE_F_BIDIR;
	field_case(e, "src 10.255.0.1 bidirectional", &r, 0, 100);
}

static void
check_rule_stats(int fd, unsigned int n, const uint16_t *ids, const uint64_t *pkts)
{
	struct pfr_rule_stat st[PF_RULES_MAX];
	socklen_t len = sizeof(st);
	char what[64];
	unsigned int i;

	if (getsockopt(fd, SOL_PF_RING, PFR_SO_RULE_STATS, st, &len) < 0) {
		check(0, "PFR_SO_RULE_STATS: %s", strerror(errno));
		return;
	}
	check_u64("PFR_SO_RULE_STATS length", n * sizeof(st[0]), len);
	for (i = 0; i < n && i < len / sizeof(st[0]); i++) {
		snprintf(what, sizeof(what), "rule %u id", ids[i]);
		check_u64(what, ids[i], st[i].id);
		snprintf(what, sizeof(what), "rule %u packets", ids[i]);
		check_u64(what, pkts[i], st[i].packets);
		snprintf(what, sizeof(what), "rule %u bytes", ids[i]);
		check_u64(what, pkts[i] * FRAME_LEN, st[i].bytes);
	}
}

static void
test_rule_order(struct rules_env *e)
{
	struct pf_rule t[3];
	unsigned int per[16];
	uint16_t ids3[3] = { 1, 2, 3 }, ids2[2] = { 2, 3 };
	uint64_t c3[3] = { 100, 50, 20 }, c2[2] = { 100, 40 };

	/* No rule id carries over from the field tests: counters start at 0. */
	check_ok("empty rule table", set_rules(e->r.fd, NULL, 0));
	check_ok("policy drop", set_u32(e->r.fd, PFR_SO_RULES_POLICY, PFR_POLICY_DROP));
	/* count all and go on; drop flows 0-4; pass flows 3-6; default drop */
	t[0] = rule(1, PF_RULE_CONTINUE); t[0].src_port_lo = 10000; t[0].src_port_hi = 10009;
	t[1] = rule(2, PF_RULE_DROP); t[1].src_port_lo = 10000; t[1].src_port_hi = 10004;
	t[2] = rule(3, PF_RULE_PASS); t[2].src_port_lo = 10003; t[2].src_port_hi = 10006;
	check_ok("set 3 rules (continue, drop, pass)", set_rules(e->r.fd, t, 3));
	check_u64("continue 1, drop 2, pass 3, default drop: kept", 20,
		  rules_round(e, 100, 10, 0, 0, per));
	check(per[5] == 10 && per[6] == 10, "kept: flows 5 and 6, 10 each");
	check_rule_stats(e->r.fd, 3, ids3, c3);
	/* Rule 1 goes; 2 and 3 keep their counters and swap order by id. */
	t[0] = t[2]; t[0].id = 2;
	t[1].id = 3;
	check_ok("set rules (pass 2, drop 3)", set_rules(e->r.fd, t, 2));
	check_u64("pass 3-6 first, then drop 0-4: kept", 40, rules_round(e, 100, 10, 0, 0, per));
	check(per[3] == 10 && per[4] == 10 && per[5] == 10 && per[6] == 10,
	      "kept: flows 3 to 6, 10 each");
	/* Counters follow the id: id 2 was "drop 0-4" (50) and now passes
	 * flows 3-6 (+40); id 3 was "pass 3-6" (20) and now drops 0-2 (+30). */
	c2[0] = 50 + 40;
	c2[1] = 20 + 30;
	check_rule_stats(e->r.fd, 2, ids2, c2);
	check(proc_some_ring_has(rx_if, "Filtering Rules    : 2"), "/proc: 2 filtering rules");
	check(proc_some_ring_has(rx_if, "Default Policy     : drop"), "/proc: default drop");

	/* Default policy both ways, with no rule deciding. */
	check_ok("empty rule table", set_rules(e->r.fd, NULL, 0));
	check_u64("no rules, default drop", 0, rules_round(e, 100, 10, 0, 0, NULL));
	check_ok("policy accept", set_u32(e->r.fd, PFR_SO_RULES_POLICY, PFR_POLICY_ACCEPT));
	check_u64("no rules, default accept", 100, rules_round(e, 100, 10, 0, 0, NULL));
	t[0] = rule(1, PF_RULE_CONTINUE); t[0].proto = 17;
	check_ok("a continue rule only", set_rules(e->r.fd, t, 1));
	check_u64("continue rule, default accept", 100, rules_round(e, 100, 10, 0, 0, NULL));
	check_ok("policy drop", set_u32(e->r.fd, PFR_SO_RULES_POLICY, PFR_POLICY_DROP));
	check_u64("continue rule, default drop", 0, rules_round(e, 100, 10, 0, 0, NULL));
	check_ok("policy accept", set_u32(e->r.fd, PFR_SO_RULES_POLICY, PFR_POLICY_ACCEPT));
	check_ok("empty rule table", set_rules(e->r.fd, NULL, 0));
}

static int
hash_rule(int fd, int opt, unsigned int flow, uint8_t action, uint8_t flags, uint16_t id)
{
	struct pfr_hash_rule_req req;

	memset(&req, 0, sizeof(req));
	req.key.src_ip[0] = ip4(10, 0, flow >> 8, flow & 255);
	req.key.dst_ip[0] = ip4(10, 255, 0, 1);
	req.key.src_port = (uint16_t)(10000 + flow);
	req.key.dst_port = 80;
	req.key.proto = 17;
	req.rule.id = id;
	req.rule.action = action;
	req.rule.flags = flags;
	if (opt == PFR_SO_DEL_HASH_RULE)
		return setsockopt(fd, SOL_PF_RING, opt, &req.key, sizeof(req.key));
	return setsockopt(fd, SOL_PF_RING, opt, &req, sizeof(req));
}

static struct pfr_hash_rule_req
hash_stats(int fd, unsigned int flow)
{
	struct pfr_hash_rule_req req;
	socklen_t len = sizeof(req);

	memset(&req, 0, sizeof(req));
	req.key.src_ip[0] = ip4(10, 0, flow >> 8, flow & 255);
	req.key.dst_ip[0] = ip4(10, 255, 0, 1);
	req.key.src_port = (uint16_t)(10000 + flow);
	req.key.dst_port = 80;
	req.key.proto = 17;
	if (getsockopt(fd, SOL_PF_RING, PFR_SO_HASH_RULE_STATS, &req, &len) < 0) {
		check(0, "PFR_SO_HASH_RULE_STATS: %s", strerror(errno));
		memset(&req.rule, 0xff, sizeof(req.rule));
	}
	return req;
}

static struct pfr_rules_info
rules_info(int fd)
{
	struct pfr_rules_info info;
	socklen_t len = sizeof(info);

	memset(&info, 0xff, sizeof(info));
	if (getsockopt(fd, SOL_PF_RING, PFR_SO_RULES_INFO, &info, &len) < 0)
		check(0, "PFR_SO_RULES_INFO: %s", strerror(errno));
	return info;
}

static void
test_hash_rules(struct rules_env *e)
{
	struct pfr_hash_rule_req hs;
	unsigned int per[16];
	struct pf_rule t[1];
	int fd = e->r.fd;

	check_ok("hash drop flow 2, one way", hash_rule(fd, PFR_SO_ADD_HASH_RULE, 2, PF_RULE_DROP, 0, 5));
	check_u64("one-way hash drop: forward kept", 90, rules_round(e, 100, 10, 0, 0, per));
	check_u64("one-way hash drop: forward flow 2 kept", 0, per[2]);
	check_u64("one-way hash drop: reverse kept", 100, rules_round(e, 100, 10, 1, 0, per));
	hs = hash_stats(fd, 2);
	check_u64("hash rule id", 5, hs.rule.id);
	check_u64("hash rule packets (forward flow 2 only)", 10, hs.rule.packets);
	check_u64("hash rule bytes", 10 * FRAME_LEN, hs.rule.bytes);
	check(hs.rule.last_match_ns != 0, "hash rule last match recorded");
	check_ok("hash drop flow 2, both ways (replaces)",
		 hash_rule(fd, PFR_SO_ADD_HASH_RULE, 2, PF_RULE_DROP, PF_RULE_F_BIDIR, 6));
	check_u64("replacing keeps one hash rule", 1, rules_info(fd).n_hash_rules);
	check_u64("bidirectional hash drop: forward kept", 90, rules_round(e, 100, 10, 0, 0, per));
	check_u64("bidirectional hash drop: reverse kept", 90, rules_round(e, 100, 10, 1, 0, per));
	check_u64("bidirectional hash drop: reverse flow 2 kept", 0, per[2]);
	hs = hash_stats(fd, 2);
	check_u64("bidirectional hash rule packets (both ways)", 20, hs.rule.packets);
	check_u64("bidirectional hash rule id", 6, hs.rule.id);

	/* Hash rules come before wildcard rules; exact match only. */
	check_ok("hash pass flow 3", hash_rule(fd, PFR_SO_ADD_HASH_RULE, 3, PF_RULE_PASS, 0, 7));
	t[0] = rule(1, PF_RULE_DROP);
	check_ok("wildcard drop everything", set_rules(fd, t, 1));
	check_u64("hash pass beats the wildcard drop", 10, rules_round(e, 100, 10, 0, 0, per));
	check_u64("... and it is flow 3", 10, per[3]);
	check_ok("hash flow 3 continue", hash_rule(fd, PFR_SO_ADD_HASH_RULE, 3, PF_RULE_CONTINUE, 0, 7));
	check_u64("hash continue, then the wildcard drop", 0, rules_round(e, 100, 10, 0, 0, NULL));
	check_u64("hash continue counted", 10, hash_stats(fd, 3).rule.packets);
	check_ok("empty rule table", set_rules(fd, NULL, 0));

	check_ok("remove hash rule of flow 3", hash_rule(fd, PFR_SO_DEL_HASH_RULE, 3, 0, 0, 0));
	check_errno("remove it again", hash_rule(fd, PFR_SO_DEL_HASH_RULE, 3, 0, 0, 0), ENOENT);
	check_u64("after removal: forward kept", 90, rules_round(e, 100, 10, 0, 0, NULL));
	check(proc_some_ring_has(rx_if, "Hash Rules         : 1"), "/proc: 1 hash rule");
	/* Purge: flow 2's rule just matched, so an hour is not idle; 0 s is. */
	check_ok("add hash rule of flow 4", hash_rule(fd, PFR_SO_ADD_HASH_RULE, 4, PF_RULE_PASS, 0, 8));
	check_ok("purge idle for 3600 s", set_u32(fd, PFR_SO_PURGE_HASH_RULES, 3600));
	check_u64("purged (3600 s)", 0, rules_info(fd).last_purged);
	check_u64("hash rules left", 2, rules_info(fd).n_hash_rules);
	check_ok("purge idle for 0 s", set_u32(fd, PFR_SO_PURGE_HASH_RULES, 0));
	check_u64("purged (0 s)", 2, rules_info(fd).last_purged);
	check_u64("hash rules left", 0, rules_info(fd).n_hash_rules);
	check_u64("no rules: all kept", 100, rules_round(e, 100, 10, 0, 0, NULL));
	/* Left installed: closing must free them (dmesg shows no leak). */
	check_ok("hash rule left for close", hash_rule(fd, PFR_SO_ADD_HASH_RULE, 1, PF_RULE_PASS, 0, 9));
	t[0] = rule(1, PF_RULE_PASS);
	check_ok("wildcard rule left for close", set_rules(fd, t, 1));
}

static void
test_rules_badopts(struct rules_env *e)
{
	struct pf_rule t[PF_RULES_MAX + 1], good[2];
	struct pfr_hash_rule_req req;
	struct pfr_rule_stat st[1];
	socklen_t len;
	unsigned int i;
	int fd = e->r.fd;
	uint32_t v = 1;

	good[0] = rule(1, PF_RULE_PASS);
	good[1] = rule(2, PF_RULE_DROP);
	check_ok("two good rules", set_rules(fd, good, 2));
	for (i = 0; i <= PF_RULES_MAX; i++)
		t[i] = rule((uint16_t)(i + 1), PF_RULE_PASS);
	check_ok("PF_RULES_MAX rules", set_rules(fd, t, PF_RULES_MAX));
	check_errno("PF_RULES_MAX + 1 rules", set_rules(fd, t, PF_RULES_MAX + 1), EINVAL);
	check_ok("two good rules again", set_rules(fd, good, 2));
	check_errno("length not a multiple of the rule size",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_SET_RULES, good, sizeof(good[0]) + 1), EINVAL);
	check_errno("rules at a bad address",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_SET_RULES, (void *)8, sizeof(good[0])), EFAULT);
#define BAD_RULE(what, stmt) do { \
		t[0] = rule(1, PF_RULE_PASS); t[1] = rule(2, PF_RULE_PASS); stmt; \
		check_errno(what, set_rules(fd, t, 2), EINVAL); \
	} while (0)
	BAD_RULE("ids falling", t[1].id = 0);
	BAD_RULE("ids repeated", t[1].id = 1);
	BAD_RULE("action 3", t[1].action = 3);
	BAD_RULE("unknown flag", t[0].flags = 0x80);
	BAD_RULE("ip_version 5", t[0].ip_version = 5);
	BAD_RULE("vlan 4096", t[1].vlan_id = 4096);
	BAD_RULE("src port low > high", (t[0].src_port_lo = 10, t[0].src_port_hi = 9));
	BAD_RULE("dst port low without high", t[0].dst_port_lo = 10);
	BAD_RULE("pattern of 9 bytes", t[1].pattern_len = PF_RULE_PATTERN_MAX + 1);
	BAD_RULE("balance id >= pool", (t[0].balance_pool = 2, t[0].balance_id = 2));
#undef BAD_RULE
	check_u64("rejected tables leave the old one", 2, rules_info(fd).n_rules);

	check_errno("policy 2", set_u32(fd, PFR_SO_RULES_POLICY, 2), EINVAL);
	check_errno("policy of 2 bytes", setsockopt(fd, SOL_PF_RING, PFR_SO_RULES_POLICY, &v, 2), EINVAL);
	check_u64("policy unchanged (accept)", PFR_POLICY_ACCEPT, rules_info(fd).policy);
	check_errno("purge of 2 bytes", setsockopt(fd, SOL_PF_RING, PFR_SO_PURGE_HASH_RULES, &v, 2), EINVAL);

	memset(&req, 0, sizeof(req));
	req.key.proto = 17;
	check_errno("hash rule, short", setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req) - 1),
		    EINVAL);
	req.rule.action = 3;
	check_errno("hash rule, action 3", setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req)),
		    EINVAL);
	req.rule.action = PF_RULE_DROP;
	req.rule.flags = 0x02;
	check_errno("hash rule, unknown flag",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req)), EINVAL);
	req.rule.flags = 0;
	req.key.pad = 1;
	check_errno("hash key, pad set", setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req)),
		    EINVAL);
	req.key.pad = 0;
	req.key.vlan_id = 5000;
	check_errno("hash key, vlan 5000",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req)), EINVAL);
	req.key.vlan_id = 0;
	check_errno("hash rule at a bad address",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, (void *)8, sizeof(req)), EFAULT);
	check_errno("remove hash rule, long",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_DEL_HASH_RULE, &req, sizeof(req)), EINVAL);
	check_errno("remove a missing hash rule",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_DEL_HASH_RULE, &req.key, sizeof(req.key)), ENOENT);
	/* PF_HASH_RULES_MAX, then no room. */
	for (i = 0; i < PF_HASH_RULES_MAX; i++) {
		req.key.src_port = (uint16_t)i;
		req.key.dst_port = (uint16_t)(i >> 16);
		if (setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req)) < 0)
			break;
	}
	/* The rule test_hash_rules() left is one of them. */
	check_u64("hash rules added up to the maximum", PF_HASH_RULES_MAX - 1, i);
	req.key.src_port = 0;
	req.key.dst_port = 1;
	check_errno("one hash rule too many",
		    setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req)), ENOSPC);
	req.key.dst_port = 0;
	check_ok("replacing one at the maximum",
		 setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req, sizeof(req)));
	check_u64("hash rules", PF_HASH_RULES_MAX, rules_info(fd).n_hash_rules);

	len = sizeof(st);
	check_errno("rule stats into a short buffer",
		    getsockopt(fd, SOL_PF_RING, PFR_SO_RULE_STATS, st, &len), EINVAL);
	len = sizeof(req) - 1;
	check_errno("hash stats, short",
		    getsockopt(fd, SOL_PF_RING, PFR_SO_HASH_RULE_STATS, &req, &len), EINVAL);
	len = sizeof(req);
	req.key.proto = 6;
	check_errno("hash stats of a missing rule",
		    getsockopt(fd, SOL_PF_RING, PFR_SO_HASH_RULE_STATS, &req, &len), ENOENT);
	/* 4096 hash rules and a table stay for close to free. */
}

static void
test_rules(void)
{
	struct rules_env e;

	memset(&e, 0, sizeof(e));
	ring_open(&e.r, rx_if, 4096, 128);
	ring_open(&e.w, rx_if, 4096, 128);
	ring_enable(&e.r);
	ring_enable(&e.w);
	sender_open(&e.s, tx_if);
	check_u64("no rules: all kept", 100, rules_round(&e, 100, 10, 0, 0, NULL));
	test_rule_fields(&e);
	check_ok("policy accept", set_u32(e.r.fd, PFR_SO_RULES_POLICY, PFR_POLICY_ACCEPT));
	test_rule_order(&e);
	test_hash_rules(&e);
	test_rules_badopts(&e);
	ring_close(&e.r);
	ring_close(&e.w);
	close(e.s.fd);
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
	else if (!strcmp(t, "rules"))
		test_rules();
	else if (!strcmp(t, "hold"))
		test_hold();
	else if (!strcmp(t, "netns"))
		test_netns();
	else if (!strcmp(t, "userns"))
		test_userns();
	else if (!strcmp(t, "memcg"))
		test_memcg();
	else if (!strcmp(t, "devreuse"))
		test_devreuse();
	else if (!strcmp(t, "mmaplock"))
		test_mmap_lock();
	else if (!strcmp(t, "devgone") && argc > 2)
		test_devgone(argv[2]);
	else {
		fprintf(stderr, "usage: pfrtest version|capture|overflow|cluster|bpf|direction|"
			"watermark|badopts|rules|quick|notx|defrag|hold|netns|userns|memcg|devreuse|\n"
			"mmaplock|"
			"devgone IF [TX_IF RX_IF]\n");
		return 2;
	}
	return failures ? 1 : 0;
}
