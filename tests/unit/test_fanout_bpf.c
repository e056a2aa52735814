/*
 * test_fanout_bpf.c - the eBPF fanout programs return exactly the user-space
 * pf_flow_hash_packet() for the same frame (BPF_PROG_TEST_RUN), and a live
 * PACKET_FANOUT_EBPF group on loopback, in a network namespace of its own, delivers by hash % members.
 *
 * Exits 77 (automake SKIP) when this process may not load BPF programs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "pfring.h"
#include "pf_fanout.h"
#include "pf_flow.h"
#include "flow_frames.h"

static int failures, checks, test_runs;

#define CHECK(cond, ...) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} \
} while (0)

static const cluster_type hash_types[] = {
	cluster_per_flow, cluster_per_flow_2_tuple, cluster_per_flow_4_tuple,
	cluster_per_flow_5_tuple, cluster_per_flow_tcp_5_tuple,
	cluster_per_inner_flow, cluster_per_inner_flow_2_tuple, cluster_per_inner_flow_4_tuple,
	cluster_per_inner_flow_5_tuple, cluster_per_inner_flow_tcp_5_tuple,
	cluster_per_flow_ip_5_tuple, cluster_per_inner_flow_ip_5_tuple,
};
#define NTYPES ((int)(sizeof hash_types / sizeof hash_types[0]))


static int run_prog(int fd, const uint8_t *pkt, uint32_t len, uint32_t *ret)
{
	struct bpf_test_run_opts o;
	uint8_t out[FF_MAX + 64];
	int rc;

	memset(&o, 0, sizeof o);
	o.sz = sizeof o;
	o.data_in = pkt;
	o.data_size_in = len;
	/* Not needed, but valgrind insists on a data_out buffer. */
	o.data_out = out;
	o.data_size_out = sizeof out;
	o.repeat = 1;
	rc = bpf_prog_test_run_opts(fd, &o);
	*ret = o.retval;
	return rc;
}

static void compare(int fd, cluster_type t, const char *what, const uint8_t *pkt, uint32_t len)
{
	uint32_t got = 0, want = pf_flow_hash_packet(pkt, len, t);
	int rc;

	if (!ff_test_runnable(pkt, len))
		return;
	rc = run_prog(fd, pkt, len, &got);
	test_runs++;

	CHECK(rc == 0, "%s len %u type %d: test run failed: %s", what, len, (int)t, strerror(errno));
	if (rc == 0)
		CHECK(got == want, "%s len %u type %d: bpf 0x%08x, user space 0x%08x", what, len,
		      (int)t, got, want);
}

static void test_agreement(int fds[])
{
	struct ff_frame fr[FF_COUNT];
	uint8_t buf[FF_MAX];
	uint32_t seed = 0xc0ffee, len, l;
	int i, k, n;

	ff_golden(fr);
	for (k = 0; k < NTYPES; k++) {
		/* Golden frames, whole and cut at every length the kernel accepts. */
		for (i = 0; i < FF_COUNT; i++)
			for (l = FF_MIN_RUN_LEN; l <= fr[i].len; l++)
				compare(fds[k], hash_types[k], fr[i].name, fr[i].data, l);
		for (n = 0; n < 400; n++) {
			len = ff_random_frame(buf, &seed, NULL);
			compare(fds[k], hash_types[k], "random", buf, len);
			/* and a random cut and random bytes over part of it */
			l = FF_MIN_RUN_LEN + ff_rand(&seed) % (len - FF_MIN_RUN_LEN + 1);
			compare(fds[k], hash_types[k], "random cut", buf, l);
			for (i = 14 + (int)(ff_rand(&seed) % 40); i < (int)len; i += 1 + (int)(ff_rand(&seed) % 7))
				buf[i] = (uint8_t)ff_rand(&seed);
			compare(fds[k], hash_types[k], "random mangled", buf, len);
		}
		/* Tunnels (GTP-U, VXLAN, GRE, IP in IP), whole, cut and mangled. */
		for (n = 0; n < 300; n++) {
			len = ff_random_tunnel(buf, &seed, NULL);
			compare(fds[k], hash_types[k], "random tunnel", buf, len);
			l = FF_MIN_RUN_LEN + ff_rand(&seed) % (len - FF_MIN_RUN_LEN + 1);
			compare(fds[k], hash_types[k], "random tunnel cut", buf, l);
			for (i = 34 + (int)(ff_rand(&seed) % 60); i < (int)len; i += 1 + (int)(ff_rand(&seed) % 9))
				buf[i] = (uint8_t)ff_rand(&seed);
			compare(fds[k], hash_types[k], "random tunnel mangled", buf, len);
		}
	}
}

/*
 * Real delivery: three AF_PACKET sockets on lo join one PACKET_FANOUT_EBPF
 * group; each UDP packet we send must arrive at member hash % 3 (join order).
 */
#define LIVE_MEMBERS 3
#define LIVE_PACKETS 60
#define LIVE_DPORT 47999

static int bring_up_lo(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

static int live_test(int progfd)
{
	int socks[LIVE_MEMBERS], i, id = 0, got = 0, misplaced = 0, rc = -1, lo;
	struct sockaddr_ll sll;
	struct sockaddr_in dst;
	uint8_t frame[2048];
	char payload[32];

	for (i = 0; i < LIVE_MEMBERS; i++)
		socks[i] = -1;
	/* A network namespace of our own: the test's packets never reach the
	 * host's loopback, and nothing else runs on ours. */
	if (unshare(CLONE_NEWNET) < 0 || bring_up_lo() < 0) {
		printf("live fanout: no private network namespace (%s), skipped\n",
		       strerror(errno));
		return 0;
	}
	lo = (int)if_nametoindex("lo");
	if (lo == 0) {
		printf("live fanout: no lo interface, skipped\n");
		return 0;
	}
	for (i = 0; i < LIVE_MEMBERS; i++) {
		int val, tries;

		socks[i] = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
		if (socks[i] < 0)
			goto out;
		memset(&sll, 0, sizeof sll);
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_ALL);
		sll.sll_ifindex = lo;
		if (bind(socks[i], (struct sockaddr *)&sll, sizeof sll) < 0)
			goto out;
		/* Group ids are per network namespace: find a free one. */
		for (tries = 0; tries < 100; tries++) {
			if (i == 0)
				id = (int)((getpid() + tries * 7919) & 0xffff);
			val = id | (PACKET_FANOUT_EBPF << 16);
			if (setsockopt(socks[i], SOL_PACKET, PACKET_FANOUT, &val, sizeof val) == 0)
				break;
			if (i != 0 || (errno != EINVAL && errno != EBUSY && errno != EALREADY))
				goto out;
		}
		if (tries == 100)
			goto out;
		if (i == 0 && setsockopt(socks[0], SOL_PACKET, PACKET_FANOUT_DATA, &progfd,
					 sizeof progfd) < 0) {
			fprintf(stderr, "PACKET_FANOUT_DATA: %s\n", strerror(errno));
			goto out;
		}
	}
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons(LIVE_DPORT);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < LIVE_PACKETS; i++) {
		struct sockaddr_in src;
		int s = socket(AF_INET, SOCK_DGRAM, 0);

		/* A fresh source port per packet: a fresh flow. */
		memset(&src, 0, sizeof src);
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (s < 0 || bind(s, (struct sockaddr *)&src, sizeof src) < 0) {
			if (s >= 0)
				close(s);
			goto out;
		}
		snprintf(payload, sizeof payload, "pf_fanout_live %d", i);
		sendto(s, payload, strlen(payload), 0, (struct sockaddr *)&dst, sizeof dst);
		close(s);
	}
	/* lo shows each packet twice (out and in); both must land alike.  Wait
	 * for all of them, with a deadline in case some never come. */
	for (time_t deadline = time(NULL) + 10; got < 2 * LIVE_PACKETS && time(NULL) < deadline;) {
		struct pollfd pfd[LIVE_MEMBERS];
		int n;

		for (i = 0; i < LIVE_MEMBERS; i++) {
			pfd[i].fd = socks[i];
			pfd[i].events = POLLIN;
		}
		n = poll(pfd, LIVE_MEMBERS, 100);
		if (n <= 0)
			continue;
		for (i = 0; i < LIVE_MEMBERS; i++) {
			ssize_t len;

			if (!(pfd[i].revents & POLLIN))
				continue;
			len = recv(socks[i], frame, sizeof frame, MSG_DONTWAIT);
			if (len < 14 + 20 + 8 + 14)
				continue;
			/* Only our packets (IPv6 may speak on lo). */
			if (frame[12] != 0x08 || frame[13] != 0x00 || frame[14 + 9] != 17 ||
			    ((frame[14 + 22] << 8) | frame[14 + 23]) != LIVE_DPORT ||
			    memcmp(frame + 14 + 28, "pf_fanout_live", 14) != 0)
				continue;
			got++;
			if (pf_flow_hash_packet(frame, (uint32_t)len, cluster_per_flow) % LIVE_MEMBERS !=
			    (uint32_t)i)
				misplaced++;
		}
	}
	CHECK(got == 2 * LIVE_PACKETS, "live fanout: received %d of %d packets", got,
	      2 * LIVE_PACKETS);
	CHECK(misplaced == 0, "live fanout: %d of %d packets reached the wrong member", misplaced, got);
	printf("live fanout: %d packets over %d members, %d misplaced\n", got, LIVE_MEMBERS, misplaced);
	rc = 0;
out:
	if (rc)
		CHECK(0, "live fanout setup failed: %s", strerror(errno));
	for (i = 0; i < LIVE_MEMBERS; i++)
		if (socks[i] >= 0)
			close(socks[i]);
	return rc;
}

int main(void)
{
	int fds[NTYPES], k, fd;
	char err[512];

	/* round_robin is refused with a reason. */
	err[0] = '\0';
	fd = pf_fanout_prog_load(cluster_round_robin, err, sizeof err);
	CHECK(fd == -1 && strstr(err, "PACKET_FANOUT_LB") != NULL, "round robin: fd %d err '%s'", fd, err);
	fd = pf_fanout_prog_load((cluster_type)42, err, sizeof err);
	CHECK(fd == -1 && err[0] != '\0', "unknown type: fd %d", fd);
	/* ip_with_dup_tuple too: a fanout group delivers to one member. */
	fd = pf_fanout_prog_load(cluster_per_flow_ip_with_dup_tuple, err, sizeof err);
	CHECK(fd == -1 && errno == EOPNOTSUPP && strstr(err, "use the kmod engine") != NULL,
	      "dup: fd %d err '%s'", fd, err);

	for (k = 0; k < NTYPES; k++) {
		fds[k] = pf_fanout_prog_load(hash_types[k], err, sizeof err);
		if (fds[k] < 0) {
			if (strstr(err, "CAP_BPF") || errno == EPERM) {
				printf("SKIP: cannot load eBPF programs here: %s\n", err);
				return 77;
			}
			fprintf(stderr, "%s:%d: FAIL: load type %d: %s\n", __FILE__, __LINE__,
				(int)hash_types[k], err);
			return 1;
		}
	}
	test_agreement(fds);
	printf("bpf vs user space: %d program runs compared\n", test_runs);

	if (getenv("PF_SKIP_LIVE_FANOUT"))
		printf("live fanout: skipped (PF_SKIP_LIVE_FANOUT)\n");
	else
		live_test(fds[0]);

	for (k = 0; k < NTYPES; k++)
		close(fds[k]);
	if (failures) {
		fprintf(stderr, "test_fanout_bpf: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("test_fanout_bpf: all %d checks passed\n", checks);
	return 0;
}
