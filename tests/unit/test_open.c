/*
 * test_open.c - pfring_open_device(), the one open path of pfring_open_err()
 * and the pcap module: name and config errors with their codes and texts,
 * a configured caplen winning over the snaplen, the zc: batching timeout,
 * the notice, and the public burst with breakloop.  Rings are queues of a
 * ZC cluster of the test's own (shared memory, no privileges needed); kernel
 * rings are only opened far enough to fail on a missing interface.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pfring.h"
#include "pfring_zc.h"
#include "pf_ring.h"   /* ring->params: the block timeout the options gave */

static uint32_t cid;
static char dev[32], err[256];

/* Every variable libpfring reads that could leak in from the caller. */
static void
env_clear(void)
{
	static const char *const vars[] = {
		"PFRING_CONFIG", "PFRING_CAPLEN", "PFRING_CLUSTER", "PFRING_CLUSTER_TYPE",
		"PFRING_RULES", "PFRING_ENGINE", "PFRING_DIRECTION", "PFRING_WATERMARK",
		"PCAP_PF_RING_CLUSTER_ID",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static pfring *
open_zc(uint32_t snaplen, uint32_t flags, int timeout_ms)
{
	struct pfring_open_options o = {
		.snaplen = snaplen, .flags = flags, .timeout_ms = timeout_ms,
	};
	int code = 0;
	pfring *ring;

	err[0] = '\0';
	ring = pfring_open_device(dev, &o, &code, err, sizeof(err));
	CHECK(ring != NULL);
	if (ring == NULL)
		fprintf(stderr, "open %s: %s (code %d)\n", dev, err, code);
	return ring;
}

/* The open fails with this code and message. */
static void
check_open_fails(const char *name, int code, const char *msg)
{
	int got = 0;

	err[0] = '\0';
	CHECK(pfring_open_device(name, NULL, &got, err, sizeof(err)) == NULL);
	CHECK_INT(code, got);
	CHECK_STR(msg, err);
	/* pfring_open_err() takes the same path. */
	err[0] = '\0';
	CHECK(pfring_open_err(name, 1500, 0, err, sizeof(err)) == NULL);
	CHECK_STR(msg, err);
}

static void
test_errors(void)
{
	char path[64], msg[256];
	FILE *f;

	check_open_fails(NULL, PF_RING_ERROR_INVALID_ARGUMENT, "no device name");
	check_open_fails("zc:99", PF_RING_ERROR_INVALID_ARGUMENT,
			 "zc:99: which queue of ZC cluster 99? (zc:99@<queue>)");
	check_open_fails("pfring:eth0,eth0", PF_RING_ERROR_INVALID_ARGUMENT,
			 "pfring:eth0,eth0: device 'eth0' listed twice");
	check_open_fails("pfring/x.conf", PF_RING_ERROR_INVALID_ARGUMENT,
			 "'pfring/x.conf': expected pfring/<config file>:<device>");

	setenv("PFRING_CLUSTER_TYPE", "per_flw", 1);
	check_open_fails("pfring:no-such-if0", PF_RING_ERROR_WRONG_CONFIGURATION,
			 "PFRING_CLUSTER_TYPE: unknown cluster type 'per_flw' (valid: per_flow, "
			 "round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple, "
			 "ip_with_dup_tuple, or inner_ + flow, 2_tuple, 4_tuple, 5_tuple, "
			 "tcp_5_tuple, ip_5_tuple)");
	unsetenv("PFRING_CLUSTER_TYPE");

	/* The per-handle file of a pfring/ name is read, after the environment. */
	snprintf(path, sizeof(path), "/tmp/test_open.%d.conf", (int)getpid());
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs("# line 1\nslotz = 4096\n", f);
	fclose(f);
	snprintf(msg, sizeof(msg), "pfring/%s:no-such-if0", path + 1);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s:2: unknown key 'slotz'", path);
		check_open_fails(msg, PF_RING_ERROR_WRONG_CONFIGURATION, want);
		snprintf(msg, sizeof(msg), "pfring/%s.missing:eth0", path + 1);
		snprintf(want, sizeof(want), "cannot open config file '%s.missing': "
			 "No such file or directory", path);
		check_open_fails(msg, PF_RING_ERROR_WRONG_CONFIGURATION, want);
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("caplen = 100\nengine = packet\n", f);
		fclose(f);
	}
	/* A missing interface is told by its code, not by the text. */
	snprintf(msg, sizeof(msg), "pfring/%s:no-such-if0", path + 1);
	check_open_fails(msg, PF_RING_ERROR_UNKNOWN_ADAPTER, "no such interface 'no-such-if0'");
	unlink(path);

	snprintf(msg, sizeof(msg), "zc:%u@0", cid);
	{
		char want[256];

		snprintf(want, sizeof(want), "zc:%u@0: no ZC cluster %u (start one first, "
			 "e.g. zbalance -c %u)", cid, cid, cid);
		check_open_fails(msg, PF_RING_ERROR_UNKNOWN_ADAPTER, want);
	}
}

/* A configured caplen wins over the snaplen; 0 means the default. */
static void
test_caplen_and_timeout(void)
{
	pfring *ring;

	ring = open_zc(1500, 0, PFRING_TIMEOUT_DEFAULT);
	if (ring != NULL) {
		CHECK_INT(1500, pfring_get_caplen(ring));
		CHECK_INT(100, ring->params.block_timeout_ms);
		pfring_close(ring);
	}
	ring = open_zc(0, 0, PFRING_TIMEOUT_DEFAULT);
	if (ring != NULL) {
		CHECK_INT(65535, pfring_get_caplen(ring));
		pfring_close(ring);
	}
	setenv("PFRING_CAPLEN", "100", 1);
	ring = open_zc(1500, 0, PFRING_TIMEOUT_DEFAULT);
	if (ring != NULL) {
		CHECK_INT(100, pfring_get_caplen(ring));
		pfring_close(ring);
	}
	ring = pfring_open_err(dev, 262144, 0, err, sizeof(err));
	CHECK(ring != NULL);
	if (ring != NULL) {
		CHECK_INT(100, pfring_get_caplen(ring));
		pfring_close(ring);
	}
	unsetenv("PFRING_CAPLEN");

	/* A zc: queue batches over the caller's timeout; 0: wake per packet. */
	ring = open_zc(1500, 0, 0);
	if (ring != NULL) {
		CHECK_INT(1, ring->params.block_timeout_ms);
		pfring_close(ring);
	}
	ring = open_zc(1500, 0, 250);
	if (ring != NULL) {
		CHECK_INT(250, ring->params.block_timeout_ms);
		pfring_close(ring);
	}
	ring = open_zc(1500, 0, 70000);
	if (ring != NULL) {
		CHECK_INT(65535, ring->params.block_timeout_ms);
		pfring_close(ring);
	}
	ring = open_zc(1500, PF_RING_IMMEDIATE, 250);
	if (ring != NULL) {
		CHECK_INT(1, ring->params.block_timeout_ms);
		pfring_close(ring);
	}
}

/* An unknown cluster type is refused before any engine sees it. */
static void
test_unknown_cluster_type(void)
{
	pfring *ring;

	ring = open_zc(1500, 0, PFRING_TIMEOUT_DEFAULT);
	if (ring == NULL)
		return;
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_set_cluster(ring, 7, (cluster_type)99));
	CHECK_STR("unknown cluster type 99", pfring_last_error(ring));
	pfring_close(ring);
}

static void
test_notice(void)
{
	pfring *ring;

	ring = open_zc(1500, 0, PFRING_TIMEOUT_DEFAULT);
	if (ring != NULL) {
		CHECK_STR("", pfring_get_notice(ring));
		pfring_close(ring);
	}
	setenv("PFRING_RULES", "rule 1 drop proto udp", 1);
	ring = open_zc(1500, 0, PFRING_TIMEOUT_DEFAULT);
	if (ring != NULL) {
		CHECK_STR("filtering rules run in user space: the zc engine does not run them",
			  pfring_get_notice(ring));
		pfring_close(ring);
	}
	unsetenv("PFRING_RULES");
	CHECK_STR("", pfring_get_notice(NULL));
}

struct seen {
	pfring *ring;
	int n, break_after;
	uint32_t caplen[8], len[8];
	unsigned char first[8];
};

static void
on_packet(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct seen *s = (struct seen *)user;

	if (s->n < 8) {
		s->caplen[s->n] = h->caplen;
		s->len[s->n] = h->len;
		s->first[s->n] = pkt[0];
	}
	if (++s->n == s->break_after)
		pfring_breakloop(s->ring);
}

static void
test_burst(pfring_zc_queue *producer)
{
	struct timespec ts = { .tv_sec = 1, .tv_nsec = 0 };
	unsigned char frame[300];
	struct seen s;
	pfring *ring;
	int i;

	setenv("PFRING_CAPLEN", "100", 1);
	ring = open_zc(1500, PF_RING_IMMEDIATE, PFRING_TIMEOUT_DEFAULT);
	unsetenv("PFRING_CAPLEN");
	if (ring == NULL)
		return;
	memset(&s, 0, sizeof(s));
	s.ring = ring;
	CHECK_INT(PF_RING_ERROR_NOT_ENABLED, pfring_burst(ring, 0, on_packet, (u_char *)&s));
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_burst(ring, 0, NULL, NULL));
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_burst(NULL, 0, on_packet, NULL));
	CHECK_INT(0, pfring_enable_ring(ring));
	for (i = 0; i < 4; i++) {
		memset(frame, 'a' + i, sizeof(frame));
		CHECK_INT(1, pfring_zc_send_copy(producer, frame, sizeof(frame), 400, &ts, 0,
						 i == 3));
	}
	/* The handler breaks the loop after the first packet: the burst stops
	 * there, and so does the next until the flag is cleared. */
	s.break_after = 1;
	CHECK_INT(1, pfring_burst(ring, 0, on_packet, (u_char *)&s));
	s.break_after = 0;
	CHECK_INT(1, pfring_burst(ring, 0, on_packet, (u_char *)&s));
	pfring_clear_breakloop(ring);
	CHECK_INT(1, pfring_burst(ring, 1, on_packet, (u_char *)&s));
	CHECK_INT(1, pfring_burst(ring, 0, on_packet, (u_char *)&s));
	CHECK_INT(0, pfring_burst(ring, 0, on_packet, (u_char *)&s));
	CHECK_INT(4, s.n);
	for (i = 0; i < 4; i++) {
		CHECK_INT('a' + i, s.first[i]);
		CHECK_INT(100, s.caplen[i]);   /* the configured caplen */
		CHECK_INT(400, s.len[i]);
	}
	pfring_close(ring);
}

int
main(void)
{
	struct pfring_zc_cluster_opts o = {
		.queue_len = 16, .hugepages = PFRING_ZC_HUGEPAGES_NEVER, .group = (gid_t)-1,
	};
	pfring_zc_cluster *c;

	env_clear();
	/* A cluster id of our own, apart from test_zc_cluster's 50000.. range. */
	cid = 35000 + (uint32_t)getpid() % 15000;
	snprintf(dev, sizeof(dev), "zc:%u@0", cid);
	test_errors();
	c = pfring_zc_create_cluster(cid, 1, &o, err, sizeof(err));
	CHECK(c != NULL);
	if (c == NULL) {
		fprintf(stderr, "create: %s\n", err);
		return check_exit("test_open");
	}
	test_caplen_and_timeout();
	test_notice();
	test_unknown_cluster_type();
	test_burst(pfring_zc_cluster_queue(c, 0));
	pfring_zc_destroy_cluster(c);
	return check_exit("test_open");
}
