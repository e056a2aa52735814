/*
 * test_zc_cluster - ZC clusters over real shared memory: the buffer pool,
 * send/receive through the producer and IPC consumer ends, full queues and
 * drop counts, the wake-up fd, one consumer per queue, re-attach, stale
 * clusters and the error messages.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pfring_zc.h"

static uint32_t cid;
/* The forked "crashed creator" keeps its cluster here: reachable, not leaked. */
static pfring_zc_cluster *volatile abandoned;

static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static int
send_byte(pfring_zc_queue *q, unsigned char v, int flush)
{
	struct timespec ts = { .tv_sec = 7, .tv_nsec = 123 };
	unsigned char frame[60];

	memset(frame, v, sizeof(frame));
	return pfring_zc_send_copy(q, frame, sizeof(frame), 60 + v, &ts, v, flush);
}

static pfring_zc_cluster *
make(uint32_t nq, uint32_t qlen, uint32_t extra)
{
	struct pfring_zc_cluster_opts o = {
		.queue_len = qlen, .extra_bufs = extra,
		.hugepages = PFRING_ZC_HUGEPAGES_NEVER, .group = (gid_t)-1,
	};
	char err[512];
	pfring_zc_cluster *c = pfring_zc_create_cluster(cid, nq, &o, err, sizeof(err));

	if (c == NULL)
		fprintf(stderr, "create: %s\n", err);
	return c;
}

static void
test_pool(void)
{
	pfring_zc_cluster *c = make(1, 4, 3);
	pfring_zc_pkt_buff *b[4], *h;
	pfring_zc_queue *pq;
	int i;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK(strstr(pfring_zc_cluster_memory_info(c), "plain shared memory") != NULL);
	CHECK_INT(3, pfring_zc_free_handles(c));
	for (i = 0; i < 3; i++)
		b[i] = pfring_zc_get_packet_handle(c);
	CHECK(b[0] && b[1] && b[2] && b[0] != b[1] && b[1] != b[2]);
	CHECK(pfring_zc_get_packet_handle(c) == NULL);   /* exhausted */
	pfring_zc_release_packet_handle(c, b[1]);
	CHECK_INT(1, pfring_zc_free_handles(c));
	b[3] = pfring_zc_get_packet_handle(c);
	CHECK(b[3] == b[1]);
	CHECK_INT(0, pfring_zc_free_handles(c));

	/* send_pkt swaps: the caller gets the slot's empty buffer back. */
	pq = pfring_zc_cluster_queue(c, 0);
	CHECK(pfring_zc_cluster_queue(c, 1) == NULL);
	h = b[0];
	h->len = 10;
	pfring_zc_pkt_data(h)[0] = 0xab;
	CHECK_INT(1, pfring_zc_send_pkt(pq, &h, 1));
	CHECK(h != b[0] && h != NULL);
	for (i = 0; i < 3; i++)
		CHECK_INT(1, pfring_zc_send_pkt(pq, &h, 0));
	CHECK_INT(0, pfring_zc_send_pkt(pq, &h, 0));     /* full: kept, counted */
	{
		pfring_zc_stat st;

		pfring_zc_queue_stats(pq, &st);
		CHECK_INT(4, st.sent);
		CHECK_INT(1, st.drop);
		CHECK_INT(4, st.queued);
		CHECK_INT(0, st.consumer);
	}
	pfring_zc_release_packet_handle(c, h);
	pfring_zc_release_packet_handle(c, b[2]);
	pfring_zc_release_packet_handle(c, b[3]);
	CHECK_INT(3, pfring_zc_free_handles(c));
	pfring_zc_destroy_cluster(c);
}

static void
test_ipc(void)
{
	pfring_zc_cluster *c = make(2, 4, 0);
	pfring_zc_queue *pq, *cq, *cq2;
	pfring_zc_pkt_buff *got[8];
	pfring_zc_stat st;
	char err[512];
	int n, i, round, ok;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	cq = pfring_zc_ipc_attach_queue(cid, 0, err, sizeof(err));
	CHECK(cq != NULL);
	if (cq == NULL) {
		fprintf(stderr, "attach: %s\n", err);
		pfring_zc_destroy_cluster(c);
		return;
	}
	/* One consumer per queue. */
	cq2 = pfring_zc_ipc_attach_queue(cid, 0, err, sizeof(err));
	CHECK(cq2 == NULL);
	CHECK(strstr(err, "in use by another consumer") != NULL);
	CHECK(pfring_zc_ipc_attach_queue(cid, 2, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "has 2 queues (0..1): no queue 2") != NULL);
	pfring_zc_queue_stats(pq, &st);
	CHECK_INT(getpid(), st.consumer);
	CHECK_INT(1, st.attaches);

	/* Empty: nothing, and the wake-up fd is quiet until a send. */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 8, 0));
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(1, send_byte(pq, 1, 1));
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	for (i = 2; i <= 5; i++)
		CHECK_INT(i <= 4, send_byte(pq, (unsigned char)i, 0));  /* 5th: full */
	pfring_zc_sync_queue(pq);
	n = pfring_zc_recv_pkt_burst(cq, got, 8, 0);
	CHECK_INT(4, n);
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));          /* drained */
	for (i = 0; i < n; i++) {
		CHECK_INT(60, got[i]->len);
		CHECK_INT(61 + i, got[i]->wire_len);
		CHECK_INT(i + 1, pfring_zc_pkt_data(got[i])[59]);
		CHECK_INT(7, got[i]->ts_sec);
		CHECK_INT(123, got[i]->ts_nsec);
	}
	/* Held until the next receive: the queue is still full. */
	CHECK_INT(0, send_byte(pq, 9, 0));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 8, 0));
	pfring_zc_queue_stats(cq, &st);
	CHECK_INT(4, st.recv);
	CHECK_INT(2, st.drop);

	/* Through the wrap, one at a time and in bursts, exact order. */
	ok = 1;
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 3; i++)
			if (send_byte(pq, (unsigned char)(round + i), 0) != 1)
				ok = 0;
		pfring_zc_sync_queue(pq);
		for (i = 0; i < 3; i++) {
			if (pfring_zc_recv_pkt(cq, got, 0) != 1 ||
			    pfring_zc_pkt_data(got[0])[0] != (unsigned char)(round + i))
				ok = 0;
		}
	}
	CHECK(ok);
	CHECK_INT(0, pfring_zc_recv_pkt(cq, got, 0));

	/* A packet left unread survives detach; the next consumer continues. */
	CHECK_INT(1, send_byte(pq, 42, 1));
	CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));            /* held, not released */
	pfring_zc_ipc_detach_queue(cq);                          /* released by detach */
	CHECK_INT(1, send_byte(pq, 43, 1));
	cq = pfring_zc_ipc_attach_queue(cid, 0, err, sizeof(err));
	CHECK(cq != NULL);
	if (cq != NULL) {
		CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));
		CHECK_INT(43, pfring_zc_pkt_data(got[0])[0]);
		pfring_zc_recv_release(cq, 0);                   /* keep it queued */
		CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));
		CHECK_INT(43, pfring_zc_pkt_data(got[0])[0]);
		pfring_zc_queue_stats(pq, &st);
		CHECK_INT(2, st.attaches);
		CHECK_INT(156, st.sent);
		CHECK_INT(2, st.drop);
		pfring_zc_ipc_detach_queue(cq);
		pfring_zc_queue_stats(pq, &st);
		CHECK_INT(156, st.recv);
		CHECK_INT(0, st.consumer);
	}
	pfring_zc_destroy_cluster(c);
	CHECK(pfring_zc_ipc_attach_queue(cid, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no ZC cluster") != NULL);
}

static void
test_names_and_stale(void)
{
	pfring_zc_cluster *c, *c2;
	char err[512];
	pid_t pid;
	int status;

	c = make(1, 4, 0);
	CHECK(c != NULL);
	c2 = pfring_zc_create_cluster(cid, 1, NULL, err, sizeof(err));
	CHECK(c2 == NULL);
	CHECK(strstr(err, "already exists") != NULL);
	pfring_zc_destroy_cluster(c);
	CHECK(pfring_zc_create_cluster(0, 1, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "out of range") != NULL);
	CHECK(pfring_zc_create_cluster(cid, 0, NULL, err, sizeof(err)) == NULL);

	/* A creator that dies leaves a stale cluster: attaching says so and
	 * creating again takes it over. */
	pid = fork();
	if (pid == 0) {
		abandoned = make(1, 4, 0);
		_exit(abandoned == NULL);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	CHECK(pfring_zc_ipc_attach_queue(cid, 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "its creator is gone") != NULL);
	c = make(1, 4, 0);
	CHECK(c != NULL);
	pfring_zc_destroy_cluster(c);
}

int
main(void)
{
	/* A cluster id of our own, so parallel runs do not meet. */
	cid = 50000 + (uint32_t)getpid() % 15000;
	test_pool();
	test_ipc();
	test_names_and_stale();
	return check_exit("test_zc_cluster");
}
