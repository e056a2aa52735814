/*
 * test_zc_cluster - ZC clusters over real shared memory: the buffer pool,
 * send/receive through the producer and IPC consumer ends, full queues and
 * drop counts, the wake-up fd, one consumer per queue, re-attach, stale
 * clusters and the error messages; format version 2: the pcap-layout
 * buffer header, UMEM-compatible buffer memory, the consumer's format
 * honoured by every producer and converted for packets queued before it,
 * and the zc engine's in-place burst.
 */
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pfring_zc.h"
#include "pf_ring.h"
#include "zc_internal.h"

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
make_buf(uint32_t nq, uint32_t qlen, uint32_t extra, uint32_t buf_len)
{
	struct pfring_zc_cluster_opts o = {
		.queue_len = qlen, .extra_bufs = extra, .buf_len = buf_len,
		.hugepages = PFRING_ZC_HUGEPAGES_NEVER, .group = (gid_t)-1,
	};
	char err[512];
	pfring_zc_cluster *c = pfring_zc_create_cluster(cid, nq, &o, err, sizeof(err));

	if (c == NULL)
		fprintf(stderr, "create: %s\n", err);
	return c;
}

static pfring_zc_cluster *
make(uint32_t nq, uint32_t qlen, uint32_t extra)
{
	return make_buf(nq, qlen, extra, 0);  /* 0: the default buffer size */
}

static pfring_zc_queue *
attach(uint32_t qid)
{
	char err[512];
	pfring_zc_queue *q = pfring_zc_ipc_attach_queue(cid, qid, err, sizeof(err));

	if (q == NULL)
		fprintf(stderr, "attach: %s\n", err);
	return q;
}

/* A consumer on qid, or NULL with c destroyed (the test cannot go on). */
static pfring_zc_queue *
attach_or_destroy(pfring_zc_cluster *c, uint32_t qid)
{
	pfring_zc_queue *q = attach(qid);

	CHECK(q != NULL);
	if (q == NULL)
		pfring_zc_destroy_cluster(c);
	return q;
}

/* A frame of caplen bytes whose first byte is seq. */
static int
send_seq(pfring_zc_queue *q, unsigned char seq, uint32_t caplen, int64_t sec, long nsec)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };
	unsigned char frame[4096];

	memset(frame, 0xee, sizeof(frame));
	frame[0] = seq;
	return pfring_zc_send_copy(q, frame, caplen, caplen + 4, &ts, seq, 0);
}

/* The header is struct pcap_pkthdr's layout on LP64, then flags and hash. */
static void
test_layout(void)
{
	struct pcap_like {
		struct timeval ts;
		uint32_t caplen;
		uint32_t len;
	};

	CHECK_INT(32, sizeof(pfring_zc_pkt_buff));
	CHECK_INT(0, offsetof(pfring_zc_pkt_buff, ts_sec));
	CHECK_INT(8, offsetof(pfring_zc_pkt_buff, ts_frac));
	CHECK_INT(16, offsetof(pfring_zc_pkt_buff, caplen));
	CHECK_INT(20, offsetof(pfring_zc_pkt_buff, len));
	CHECK_INT(24, offsetof(pfring_zc_pkt_buff, flags));
	CHECK_INT(28, offsetof(pfring_zc_pkt_buff, hash));
	CHECK_INT(1, PFRING_ZC_BUF_NSEC);
	CHECK_INT(224, ZC_BUF_HDR_OFF);
	CHECK_INT(256, ZC_DATA_OFF);
#if __SIZEOF_LONG__ == 8
	CHECK_INT(offsetof(struct pcap_like, ts.tv_sec), offsetof(pfring_zc_pkt_buff, ts_sec));
	CHECK_INT(offsetof(struct pcap_like, ts.tv_usec), offsetof(pfring_zc_pkt_buff, ts_frac));
	CHECK_INT(offsetof(struct pcap_like, caplen), offsetof(pfring_zc_pkt_buff, caplen));
	CHECK_INT(offsetof(struct pcap_like, len), offsetof(pfring_zc_pkt_buff, len));
	CHECK_INT(offsetof(struct pfring_pcap_pkthdr, caplen), offsetof(pfring_zc_pkt_buff, caplen));
	CHECK_INT(offsetof(struct pfring_pcap_pkthdr, len), offsetof(pfring_zc_pkt_buff, len));
	CHECK_INT(offsetof(struct pfring_pcap_pkthdr, ts.tv_usec), offsetof(pfring_zc_pkt_buff, ts_frac));
#endif
}

/* Buffer memory is an AF_XDP UMEM: page-aligned region, power-of-two
 * chunks >= 2048, each frame 256 bytes into its chunk. */
static void
test_memory(void)
{
	static const struct { uint32_t want, stride; } cases[] = {
		{ 0, 2048 }, { 64, 2048 }, { 1792, 2048 }, { 1793, 4096 },
		{ 3840, 4096 }, { 3841, 8192 }, { 9000, 16384 },
	};
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		pfring_zc_cluster *c = make_buf(2, 4, 5, cases[k].want);
		const struct zc_shm_hdr *h;
		pfring_zc_pkt_buff *b;
		uint8_t *region;
		uint32_t i, bad = 0;

		CHECK(c != NULL);
		if (c == NULL)
			continue;
		h = c->hdr;
		region = c->base + h->buf_off;
		CHECK_INT(2, ZC_VERSION);
		CHECK_INT(2, h->version);
		CHECK_INT(cases[k].stride, h->buf_stride);
		CHECK_INT(cases[k].stride, 1u << h->buf_shift);
		CHECK_INT(cases[k].stride - 256, h->buf_len);
		CHECK_INT(13, h->n_buffers);
		CHECK_INT(0, ((uintptr_t)region) % 4096);
		CHECK_INT(0, h->buf_off % 4096);
		CHECK_INT(0, h->buf_region_len % 4096);
		CHECK(h->buf_region_len >= (uint64_t)h->n_buffers * h->buf_stride);
		CHECK(h->buf_off + h->buf_region_len <= h->size);
		CHECK(h->buf_off >= h->queue_off + h->n_queues * h->queue_stride);
		for (i = 0; i < h->n_buffers; i++) {
			b = zc_buf(c->base, h, i);
			if ((size_t)(pfring_zc_pkt_data(b) - region) % h->buf_stride != 256 ||
			    (size_t)(pfring_zc_pkt_data(b) - region) / h->buf_stride != i ||
			    zc_buf_idx(c->base, h, b) != i ||
			    zc_buf_idx(c->base, h, (pfring_zc_pkt_buff *)pfring_zc_pkt_data(b)) != i)
				bad++;
		}
		CHECK_INT(0, bad);
		/* Pool handles and the buffers queues hand out are such chunks too. */
		b = pfring_zc_get_packet_handle(c);
		CHECK(b != NULL);
		if (b != NULL) {
			CHECK_INT(256, (size_t)(pfring_zc_pkt_data(b) - region) % h->buf_stride);
			CHECK_INT(0, b->flags);
			pfring_zc_release_packet_handle(c, b);
		}
		pfring_zc_destroy_cluster(c);
	}
}

/* A version-1 cluster (same file, older header) is refused by name. */
static void
test_version(void)
{
	pfring_zc_cluster *c = make(1, 4, 0);
	pfring_zc_queue *q;
	char err[512];

	CHECK(c != NULL);
	if (c == NULL)
		return;
	c->shm_hdr->version = 1;
	q = pfring_zc_ipc_attach_queue(cid, 0, err, sizeof(err));
	CHECK(q == NULL);
	CHECK(strstr(err, "format version 1 but this library reads version 2") != NULL);
	c->shm_hdr->version = ZC_VERSION;
	q = attach(0);
	CHECK(q != NULL);
	pfring_zc_ipc_detach_queue(q);
	pfring_zc_destroy_cluster(c);
}

/* Every producer writes the consumer's format; what was queued before the
 * producer saw it is converted on receipt. */
static void
test_format(void)
{
	pfring_zc_cluster *c = make(1, 8, 4);
	pfring_zc_pkt_buff *got[8], *b, *pk[2];
	pfring_zc_queue *pq, *cq;
	uint32_t sl, fl;
	int n, i;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_zc_queue_set_format(pq, 0, 0));
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_zc_queue_set_format(cq, 0, 2));

	/* send_copy: default ns, full length. */
	CHECK_INT(1, send_seq(pq, 1, 100, 7, 123456789));
	CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));
	CHECK_INT(123456789, got[0]->ts_frac);
	CHECK_INT(PFRING_ZC_BUF_NSEC, got[0]->flags);
	CHECK_INT(100, got[0]->caplen);
	CHECK_INT(104, got[0]->len);
	pfring_zc_recv_done(cq);

	/* us, snaplen 64: one queued before the change is converted, the next
	 * one written so. */
	CHECK_INT(1, send_seq(pq, 2, 100, 7, 123456789));
	CHECK_INT(0, pfring_zc_queue_set_format(cq, 64, 0));
	CHECK_INT(1, send_seq(pq, 3, 100, 8, 999999999));
	n = pfring_zc_recv_pkt_burst(cq, got, 8, 0);
	CHECK_INT(2, n);
	for (i = 0; i < n; i++) {
		CHECK_INT(2 + i, pfring_zc_pkt_data(got[i])[0]);
		CHECK_INT(64, got[i]->caplen);
		CHECK_INT(104, got[i]->len);
		CHECK_INT(0, got[i]->flags);
		CHECK_INT(2 + i, got[i]->hash);
	}
	CHECK_INT(123456, got[0]->ts_frac);
	CHECK_INT(999999, got[1]->ts_frac);
	CHECK_INT(8, got[1]->ts_sec);
	CHECK_INT(0, cq->fmt_pending);          /* the producer acknowledged it */

	/* send_pkt and send_pkt_burst convert the caller's header, whichever
	 * unit it is in. */
	b = pfring_zc_get_packet_handle(c);
	b->ts_sec = 5;
	b->ts_frac = 5000999;
	b->flags = PFRING_ZC_BUF_NSEC;
	b->caplen = b->len = 100;
	pfring_zc_pkt_data(b)[0] = 4;
	CHECK_INT(1, pfring_zc_send_pkt(pq, &b, 0));
	pk[0] = b;
	pk[0]->ts_sec = 6;
	pk[0]->ts_frac = 77;
	pk[0]->flags = 0;
	pk[0]->caplen = pk[0]->len = 30;
	pfring_zc_pkt_data(pk[0])[0] = 5;
	pk[1] = pfring_zc_get_packet_handle(c);
	pk[1]->ts_sec = 6;
	pk[1]->ts_frac = 1500;
	pk[1]->flags = PFRING_ZC_BUF_NSEC;
	pk[1]->caplen = 5000;                   /* more than a buffer holds */
	pk[1]->len = 9000;
	pfring_zc_pkt_data(pk[1])[0] = 6;
	CHECK_INT(2, pfring_zc_send_pkt_burst(pq, pk, 2, 1));
	n = pfring_zc_recv_pkt_burst(cq, got, 8, 0);
	CHECK_INT(3, n);
	CHECK_INT(5000, got[0]->ts_frac);
	CHECK_INT(64, got[0]->caplen);
	CHECK_INT(77, got[1]->ts_frac);
	CHECK_INT(30, got[1]->caplen);
	CHECK_INT(1, got[2]->ts_frac);
	CHECK_INT(64, got[2]->caplen);
	CHECK_INT(9000, got[2]->len);
	for (i = 0; i < n; i++) {
		CHECK_INT(4 + i, pfring_zc_pkt_data(got[i])[0]);
		CHECK_INT(0, got[i]->flags);
	}
	pfring_zc_recv_done(cq);

	/* No snaplen: the buffer length still clamps. */
	CHECK_INT(0, pfring_zc_queue_set_format(cq, 0, PFRING_ZC_BUF_NSEC));
	CHECK_INT(1, send_seq(pq, 7, 4000, 1, 5));
	CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));
	CHECK_INT(c->hdr->buf_len, got[0]->caplen);
	CHECK_INT(4004, got[0]->len);
	CHECK_INT(5, got[0]->ts_frac);
	CHECK_INT(0xee, pfring_zc_pkt_data(got[0])[c->hdr->buf_len - 1]);

	/* A burst already in flight when the format changes (the producer read
	 * the old one): still converted, until the producer acknowledges. */
	pfring_zc_recv_done(cq);
	zc_prod_format(pq->q, &pq->prod, &sl, &fl);
	CHECK_INT(0, sl);
	CHECK_INT(PFRING_ZC_BUF_NSEC, fl);
	CHECK_INT(0, pfring_zc_queue_set_format(cq, 40, 0));
	b = zc_qbuf(pq, zc_prod_fill(pq->q, &pq->prod, 0));
	zc_buf_set_hdr(b, pq->buf_len, sl, fl, 9, 123456789, 100, 100, 0);
	CHECK_INT(1, zc_prod_room(pq->q, &pq->prod, 1));
	zc_prod_publish(pq->q, &pq->prod, 1);
	CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));
	CHECK_INT(40, got[0]->caplen);
	CHECK_INT(123456, got[0]->ts_frac);
	CHECK_INT(1, cq->fmt_pending);
	CHECK_INT(1, send_seq(pq, 8, 100, 9, 2000));
	CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));
	CHECK_INT(40, got[0]->caplen);
	CHECK_INT(2, got[0]->ts_frac);
	CHECK_INT(0, cq->fmt_pending);
	pfring_zc_ipc_detach_queue(cq);
	pfring_zc_release_packet_handle(c, pk[0]);
	pfring_zc_release_packet_handle(c, pk[1]);
	pfring_zc_destroy_cluster(c);
}

/* Packets queued with no consumer, or for an earlier one, are converted
 * for the consumer that attaches next. */
static void
test_attach_converts(void)
{
	pfring_zc_cluster *c = make(1, 8, 0);
	pfring_zc_pkt_buff *got[8];
	pfring_zc_queue *pq, *cq;
	int i, n;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	for (i = 0; i < 3; i++)
		CHECK_INT(1, send_seq(pq, (unsigned char)i, 200, 1, 999999999));
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(0, pfring_zc_queue_set_format(cq, 96, 0));
	n = pfring_zc_recv_pkt_burst(cq, got, 8, 0);
	CHECK_INT(3, n);
	for (i = 0; i < n; i++) {
		CHECK_INT(i, pfring_zc_pkt_data(got[i])[0]);
		CHECK_INT(96, got[i]->caplen);
		CHECK_INT(204, got[i]->len);
		CHECK_INT(999999, got[i]->ts_frac);
		CHECK_INT(0, got[i]->flags);
	}
	pfring_zc_recv_release(cq, 1);          /* two stay queued, in (96, us) */
	pfring_zc_ipc_detach_queue(cq);

	/* The next consumer wants ns: the two are converted back (the lost
	 * digits stay lost), the rest arrive in ns. */
	CHECK_INT(1, send_seq(pq, 3, 200, 2, 5999));
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	n = pfring_zc_recv_pkt_burst(cq, got, 8, 0);
	CHECK_INT(3, n);
	for (i = 0; i < n; i++) {
		CHECK_INT(i + 1, pfring_zc_pkt_data(got[i])[0]);
		CHECK_INT(PFRING_ZC_BUF_NSEC, got[i]->flags);
		CHECK_INT(96, got[i]->caplen);
	}
	CHECK_INT(999999000, got[0]->ts_frac);
	CHECK_INT(999999000, got[1]->ts_frac);
	CHECK_INT(5000, got[2]->ts_frac);       /* written in us before this attach */
	CHECK_INT(2, got[2]->ts_sec);
	pfring_zc_recv_done(cq);
	CHECK_INT(1, send_seq(pq, 4, 200, 2, 5));
	CHECK_INT(1, pfring_zc_recv_pkt(cq, got, 0));
	CHECK_INT(5, got[0]->ts_frac);
	CHECK_INT(200, got[0]->caplen);
	pfring_zc_ipc_detach_queue(cq);
	pfring_zc_destroy_cluster(c);
}

/* A stale wake-up byte (sent for an arm that found packets and was
 * withdrawn) must not leave the fd readable for ever: the second empty
 * receive drains it; a real wake-up still works after. */
static void
test_stale_wake(void)
{
	pfring_zc_cluster *c = make(1, 4, 0);
	pfring_zc_pkt_buff *got[4];
	pfring_zc_queue *pq, *cq;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 4, 0));   /* armed */
	CHECK_INT(1, write(pfring_zc_queue_fd(pq), "x", 1));     /* one FIFO, two ends */
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 4, 0));   /* the poll's wake */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 4, 0));   /* still empty: drained */
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(1, send_byte(pq, 5, 1));
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 4, 0));
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));  /* held: queued until the next receive */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 4, 0));
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(1, send_byte(pq, 6, 1));                       /* re-armed */
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	pfring_zc_ipc_detach_queue(cq);
	pfring_zc_destroy_cluster(c);
}

/* Batched wake-ups: an empty queue's fd turns readable at the first
 * packet; the receive that follows returns nothing and the fd turns
 * readable again at the mark, or when the timer (started then) runs out
 * with fewer queued.  An idle fd is never readable, timer or not. */
static void
test_batch_wake(void)
{
	pfring_zc_cluster *c = make(1, 16, 0);
	pfring_zc_pkt_buff *got[16];
	pfring_zc_queue *pq, *cq;
	struct pollfd p;
	char err[256];
	int fd;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(0, zc_cons_set_batch(cq, 4, 60000, err, sizeof(err)));
	fd = pfring_zc_queue_fd(cq);
	CHECK(fd != cq->wake_fd);                      /* the epoll fd */
	CHECK_INT(0, readable(fd));                    /* armed at attach, idle */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(1, send_byte(pq, 1, 1));
	CHECK_INT(1, readable(fd));                    /* the first packet */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));   /* armed for 4 */
	CHECK_INT(0, readable(fd));
	CHECK_INT(1, send_byte(pq, 2, 1));
	CHECK_INT(1, send_byte(pq, 3, 1));
	CHECK_INT(0, readable(fd));
	CHECK_INT(1, send_byte(pq, 4, 1));
	CHECK_INT(1, readable(fd));
	CHECK_INT(4, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(1, readable(fd));                    /* held: queued until the next receive */
	/* Packets below the mark are still received by whoever asks. */
	CHECK_INT(1, send_byte(pq, 5, 1));
	CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(5, pfring_zc_pkt_data(got[0])[0]);

	/* A short timer wakes a batch of one packet ... */
	CHECK_INT(0, zc_cons_set_batch(cq, 4, 20, err, sizeof(err)));
	CHECK_INT(fd, pfring_zc_queue_fd(cq));        /* the same fd */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(1, send_byte(pq, 6, 1));
	p.fd = fd;
	p.events = POLLIN;
	CHECK_INT(1, poll(&p, 1, 10000));             /* the first packet */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(1, poll(&p, 1, 10000));             /* the timer */
	CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(6, pfring_zc_pkt_data(got[0])[0]);
	CHECK_INT(1, readable(fd));                    /* held: queued until the next receive */
	/* ... but never an idle sleep: 5 timer lengths, not readable. */
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(0, readable(fd));                    /* the expiry went with them */
	CHECK_INT(0, poll(&p, 1, 100));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(0, poll(&p, 1, 100));
	/* wait = 1 sleeps on the same fd, through the batch. */
	CHECK_INT(1, send_byte(pq, 7, 1));
	CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 16, 1));
	CHECK_INT(7, pfring_zc_pkt_data(got[0])[0]);
	CHECK_INT(1, readable(fd));                    /* held: queued until the next receive */

	/* New settings mid-batch: what is queued is due at once. */
	CHECK_INT(0, zc_cons_set_batch(cq, 4, 60000, err, sizeof(err)));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(1, send_byte(pq, 8, 1));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));   /* armed for 4 */
	CHECK_INT(0, readable(fd));
	CHECK_INT(0, zc_cons_set_batch(cq, 2, 60000, err, sizeof(err)));
	CHECK_INT(1, readable(fd));
	CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(8, pfring_zc_pkt_data(got[0])[0]);
	CHECK_INT(1, readable(fd));                    /* held: queued until the next receive */

	/* Back to waking at every packet, on the fd callers already have. */
	CHECK_INT(0, zc_cons_set_batch(cq, 1, 100, err, sizeof(err)));
	CHECK_INT(fd, pfring_zc_queue_fd(cq));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 16, 0));
	CHECK_INT(0, readable(fd));
	CHECK_INT(1, send_byte(pq, 9, 1));
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	pfring_zc_ipc_detach_queue(cq);
	pfring_zc_destroy_cluster(c);
}

/* Packets queued before the consumer attaches: its fd is readable from the
 * start, before any receive; an empty queue's is not.  A wake-up an earlier
 * consumer left in the FIFO does not count. */
static void
test_attach_ready(void)
{
	pfring_zc_cluster *c = make(1, 8, 0);
	pfring_zc_pkt_buff *got[8];
	pfring_zc_queue *pq, *cq;
	char err[256];
	int i;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(1, send_byte(pq, 1, 1));              /* armed at attach */
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	pfring_zc_ipc_detach_queue(cq);                 /* leaves the byte */
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq))); /* the queued packet */
	CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 8, 0));
	CHECK_INT(1, pfring_zc_pkt_data(got[0])[0]);
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 8, 0));
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));
	pfring_zc_ipc_detach_queue(cq);
	/* Batching from the start (as the zc engine does at open). */
	CHECK_INT(1, send_byte(pq, 2, 1));
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(0, zc_cons_set_batch(cq, 4, 20, err, sizeof(err)));
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	pfring_zc_ipc_detach_queue(cq);
	/* Empty, with a stale byte in the FIFO: not readable. */
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 8, 0));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 8, 0));
	pfring_zc_ipc_detach_queue(cq);
	CHECK_INT(1, write(pq->wake_fd, "x", 1));
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));
	/* Reads that leave packets (dumpcap reads one per select()): the fd
	 * stays readable until a receive finds them all read. */
	CHECK_INT(1, send_byte(pq, 3, 1));
	CHECK_INT(1, send_byte(pq, 4, 1));
	CHECK_INT(1, send_byte(pq, 5, 1));
	for (i = 3; i <= 5; i++) {
		CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
		CHECK_INT(1, pfring_zc_recv_pkt_burst(cq, got, 1, 0));
		CHECK_INT(i, pfring_zc_pkt_data(got[0])[0]);
	}
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));
	CHECK_INT(0, pfring_zc_recv_pkt_burst(cq, got, 1, 0));
	CHECK_INT(0, readable(pfring_zc_queue_fd(cq)));
	pfring_zc_ipc_detach_queue(cq);
	pfring_zc_destroy_cluster(c);
}

struct burst_ctx {
	pfring *ring;
	int n, stop_at;
	unsigned char seq[64];
	struct pfring_pcap_pkthdr h[64];
	int hdr_shared;               /* a header handed over in shared memory */
	int data_elsewhere;           /* frame data not in the cluster's buffers */
	const u_char *lo, *hi;        /* the cluster's memory */
};

static void
on_pkt(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct burst_ctx *x = (struct burst_ctx *)user;

	if (x->n < 64) {
		x->seq[x->n] = pkt[0];
		x->h[x->n] = *h;
	}
	/* Frames in place, but the header a private copy: its caplen was
	 * clamped and must not change under the callback. */
	if ((const u_char *)h >= x->lo && (const u_char *)h < x->hi)
		x->hdr_shared = 1;
	if (pkt < x->lo || pkt >= x->hi)
		x->data_elsewhere = 1;
	if (++x->n == x->stop_at)
		pfring_breakloop(x->ring);
}

/* An enabled zc engine ring on queue 0 of c, or NULL with c destroyed. */
static pfring *
open_engine(pfring_zc_cluster *c, uint32_t caplen)
{
	char dev[32], err[512];
	pfring *ring;

	snprintf(dev, sizeof(dev), "zc:%u@0", cid);
	ring = pfring_open_err(dev, caplen, 0, err, sizeof(err));
	CHECK(ring != NULL);
	if (ring == NULL) {
		fprintf(stderr, "open: %s\n", err);
		pfring_zc_destroy_cluster(c);
		return NULL;
	}
	CHECK_INT(0, pfring_enable_ring(ring));
	return ring;
}

/* The zc engine's burst: frames in place (headers copied), across the
 * ring's wrap, in the ring's format, stopping after the packet that broke
 * the loop. */
static void
test_engine_burst(void)
{
	pfring_zc_cluster *c = make(1, 8, 0);
	struct burst_ctx x;
	struct pfring_pkthdr ph;
	pfring_zc_queue *pq, *zq;
	pfring_zc_stat st;
	pfring_stat rs;
	char dev[32], err[512];
	u_char *pkt;
	pfring *ring;
	int i, ok, rc = 0;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	for (i = 0; i < 3; i++)
		CHECK_INT(1, send_seq(pq, (unsigned char)i, 100, 10, 123456789));
	snprintf(dev, sizeof(dev), "zc:%u@0", cid);
	ring = open_engine(c, 64);
	if (ring == NULL)
		return;
	memset(&x, 0, sizeof(x));
	x.ring = ring;
	zq = *(pfring_zc_queue **)ring->engine;
	x.lo = zq->base;
	x.hi = zq->base + zq->map_len;
	CHECK_INT(3, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	for (i = 0; i < 3; i++) {
		CHECK_INT(i, x.seq[i]);
		CHECK_INT(10, x.h[i].ts.tv_sec);
		CHECK_INT(123456, x.h[i].ts.tv_usec);
		CHECK_INT(64, x.h[i].caplen);
		CHECK_INT(104, x.h[i].len);
	}
	/* 6 more: slots 3..8 cross the ring's end; break after the 4th. */
	for (i = 3; i < 9; i++)
		CHECK_INT(1, send_seq(pq, (unsigned char)i, 50 + i, 11, 5000 + i));
	x.n = 0;
	x.stop_at = 4;
	CHECK_INT(4, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	pfring_clear_breakloop(ring);
	x.stop_at = 0;
	CHECK_INT(1, pf_ring_burst(ring, 1, on_pkt, (u_char *)&x));
	CHECK_INT(1, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	CHECK_INT(0, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	ok = x.n == 6;
	for (i = 0; i < 6 && ok; i++)
		ok = x.seq[i] == 3 + i && x.h[i].caplen == (uint32_t)(53 + i) &&
			x.h[i].len == (uint32_t)(57 + i) && x.h[i].ts.tv_usec == 5 &&
			x.h[i].ts.tv_sec == 11;
	CHECK(ok);
	CHECK_INT(0, x.hdr_shared);
	CHECK_INT(0, x.data_elsewhere);
	pfring_zc_queue_stats(pq, &st);
	CHECK_INT(9, st.recv);
	CHECK_INT(0, st.queued);

	/* pfring_recv (the engine's next) gives the same view.  (The ring is
	 * buffered: the first packet after an empty read starts a batch, so
	 * the read right after it finds nothing due yet.) */
	CHECK_INT(1, send_seq(pq, 42, 100, 12, 7654321));
	CHECK_INT(0, pfring_recv(ring, &pkt, 0, &ph, 0));
	CHECK_INT(1, pfring_recv(ring, &pkt, 0, &ph, 0));
	CHECK_INT(42, pkt[0]);
	CHECK_INT(64, ph.caplen);
	CHECK_INT(104, ph.len);
	CHECK_INT(12, ph.ts.tv_sec);
	CHECK_INT(7654, ph.ts.tv_usec);
	CHECK_INT(12007654000ll, ph.extended_hdr.timestamp_ns);
	/* A burst after it releases it first. */
	CHECK_INT(0, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	/* Buffered (not PF_RING_IMMEDIATE): wake-ups come in batches of 512
	 * (half this 8-slot queue) or at the 100 ms block timeout after the
	 * first packet, so a lone packet still comes.  (The engine's state
	 * starts with its queue handle.) */
	zq = *(pfring_zc_queue **)ring->engine;
	CHECK_INT(4, zq->wake_mark);
	CHECK_INT(100, zq->batch_ms);
	CHECK(pfring_get_selectable_fd(ring) != zq->wake_fd);
	CHECK_INT(1, send_seq(pq, 41, 100, 12, 1000));
	pfring_zc_sync_queue(pq);
	/* (The breakloop above left the ring's own wake-up pending: 0 once.) */
	for (i = 0; i < 2 && (rc = pfring_poll(ring, 10000)) == 0; i++)
		;
	CHECK_INT(1, rc);                               /* the first packet */
	x.n = 0;
	CHECK_INT(0, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));  /* batching */
	CHECK_INT(1, pfring_poll(ring, 10000));         /* the block timeout */
	CHECK_INT(1, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	CHECK_INT(41, x.seq[0]);
	CHECK_INT(0, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	/* An explicit watermark applies at the next poll. */
	CHECK_INT(0, pfring_set_poll_watermark(ring, 2));
	CHECK(pfring_poll(ring, 0) >= 0);
	CHECK_INT(2, zq->wake_mark);
	CHECK_INT(0, pfring_stats(ring, &rs));
	CHECK_INT(11, rs.recv);
	pfring_close(ring);

	/* Immediate rings wake at every packet, through the FIFO. */
	ring = pfring_open_err(dev, 64, PF_RING_IMMEDIATE, err, sizeof(err));
	CHECK(ring != NULL);
	if (ring != NULL) {
		CHECK_INT(0, pfring_enable_ring(ring));
		zq = *(pfring_zc_queue **)ring->engine;
		CHECK_INT(1, zq->wake_mark);
		CHECK_INT(zq->wake_fd, pfring_get_selectable_fd(ring));
		pfring_close(ring);
	}

	/* Nanosecond rings get nanoseconds; a packet queued in the previous
	 * consumer's format keeps what that format lost. */
	CHECK_INT(1, send_seq(pq, 43, 100, 13, 7654321));
	ring = pfring_open_err(dev, 1500, PF_RING_NANO_TIMESTAMP, err, sizeof(err));
	CHECK(ring != NULL);
	if (ring != NULL) {
		CHECK_INT(1, send_seq(pq, 44, 100, 13, 7654321));
		x.n = 0;
		CHECK_INT(2, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
		CHECK_INT(43, x.seq[0]);
		CHECK_INT(7654000, x.h[0].ts.tv_usec);
		CHECK_INT(64, x.h[0].caplen);
		CHECK_INT(44, x.seq[1]);
		CHECK_INT(7654321, x.h[1].ts.tv_usec);
		CHECK_INT(100, x.h[1].caplen);
		CHECK_INT(104, x.h[1].len);
		pfring_close(ring);
	}
	pfring_zc_destroy_cluster(c);
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
	h->caplen = 10;
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
	CHECK_INT(1, readable(pfring_zc_queue_fd(cq)));          /* held: queued until the next receive */
	for (i = 0; i < n; i++) {
		CHECK_INT(60, got[i]->caplen);
		CHECK_INT(61 + i, got[i]->len);
		CHECK_INT(i + 1, pfring_zc_pkt_data(got[i])[59]);
		CHECK_INT(7, got[i]->ts_sec);
		CHECK_INT(123, got[i]->ts_frac);           /* attach's default: ns */
		CHECK_INT(PFRING_ZC_BUF_NSEC, got[i]->flags);
		CHECK_INT(i + 1, got[i]->hash);
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

/* A consumer's view of what others may scribble: a slot index out of
 * range is skipped and counted (pcap_stats' drop), a wild caplen is
 * clamped in the header the callback gets, a damaged header is refused by
 * the next attach, and the producer refuses a wild tail. */
static void
test_scribbled(void)
{
	pfring_zc_cluster *c = make(2, 8, 0);
	struct burst_ctx x;
	pfring_zc_queue *pq, *zq, *q1;
	pfring_zc_stat st;
	pfring_stat rs;
	char err[512];
	pfring *ring;
	uint32_t saved;
	int i;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	pq = pfring_zc_cluster_queue(c, 0);
	ring = open_engine(c, 1500);
	if (ring == NULL)
		return;
	zq = *(pfring_zc_queue **)ring->engine;
	for (i = 0; i < 4; i++)
		CHECK_INT(1, send_seq(pq, (unsigned char)i, 100, 1, 0));
	zq->q->slot[1] = 0xffffffffu;                       /* packet 1: no such buffer */
	zc_qbuf(zq, zq->q->slot[2])->caplen = 0xfffffff0u;  /* packet 2: wild caplen */
	memset(&x, 0, sizeof(x));
	x.ring = ring;
	CHECK_INT(3, pf_ring_burst(ring, -1, on_pkt, (u_char *)&x));
	CHECK_INT(3, x.n);
	CHECK_INT(0, x.seq[0]);
	CHECK_INT(2, x.seq[1]);
	CHECK_INT(3, x.seq[2]);
	CHECK_INT(1500, x.h[1].caplen);                     /* clamped to the ring's caplen */
	CHECK_INT(104, x.h[1].len);                         /* as queued */
	CHECK_INT(100, x.h[2].caplen);
	CHECK_INT(0, pfring_stats(ring, &rs));
	CHECK_INT(4, rs.recv);
	CHECK_INT(1, rs.drop);                              /* the refused slot */

	/* The next consumer finds a header whose geometry was changed. */
	saved = c->shm_hdr->n_queues;
	c->shm_hdr->n_queues = 100000;
	q1 = pfring_zc_ipc_attach_queue(cid, 1, err, sizeof(err));
	CHECK(q1 == NULL);
	CHECK(strstr(err, "has a damaged header (its geometry is out of range)") != NULL);
	c->shm_hdr->n_queues = saved;
	c->shm_hdr->buf_off += 4096;
	q1 = pfring_zc_ipc_attach_queue(cid, 1, err, sizeof(err));
	CHECK(q1 == NULL);
	CHECK(strstr(err, "its layout fields disagree with its geometry") != NULL);
	c->shm_hdr->buf_off -= 4096;

	/* The producer: a tail far ahead is refused, the queue looks full
	 * once the room it knew of (4 slots) is used. */
	zq->q->tail = zq->cons.tail + 1000;
	for (i = 0; i < 9; i++)
		send_seq(pq, 9, 60, 1, 0);
	pfring_zc_queue_stats(pq, &st);
	CHECK_INT(8, st.sent);
	CHECK_INT(5, st.drop);
	CHECK(st.bad >= 1);
	pfring_close(ring);
	q1 = attach(0);                                     /* a new consumer resets it */
	CHECK(q1 != NULL);
	if (q1 != NULL) {
		CHECK_INT(1, send_seq(pq, 10, 60, 1, 0));
		pfring_zc_ipc_detach_queue(q1);
	}
	pfring_zc_destroy_cluster(c);
}

/* A cluster file in another user's folder, not shared with our groups, is
 * refused by name; one planted where clusters used to be is not looked at. */
static void
test_foreign(void)
{
	char dir[64], path[128], old[64], err[512];
	pfring_zc_cluster *c;
	pfring_zc_queue *q;
	uid_t other = 65534;
	int made_dir = 0, fd;

	if (geteuid() != 0) {
		fprintf(stderr, "test_foreign: not root, skipped\n");
		return;
	}
	snprintf(dir, sizeof(dir), ZC_SHM_DIR "/" ZC_DIR_STEM "%u", (unsigned)other);
	if (mkdir(dir, 0755) == 0) {
		made_dir = 1;
		CHECK_INT(0, chown(dir, other, other));
	}
	snprintf(path, sizeof(path), "%s/pfring_zc.%u", dir, cid);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_INT(0, fchown(fd, other, other));
		CHECK_INT(0, ftruncate(fd, 1 << 20));
		close(fd);
	}
	q = pfring_zc_ipc_attach_queue(cid, 0, err, sizeof(err));
	CHECK(q == NULL);
	CHECK(strstr(err, "was made by uid 65534 and is not shared with any of this user's "
		     "groups") != NULL);
	CHECK(strstr(err, path) != NULL);

	/* The old flat name: a squatter there blocks nothing and is not read. */
	snprintf(old, sizeof(old), ZC_SHM_DIR "/pfring_zc.%u", cid);
	fd = open(old, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK_INT(0, fchown(fd, other, other));
		close(fd);
	}
	c = make(1, 4, 0);
	CHECK(c != NULL);
	if (c != NULL) {
		q = attach(0);
		CHECK(q != NULL);                            /* ours, found first */
		pfring_zc_ipc_detach_queue(q);
		pfring_zc_destroy_cluster(c);
	}
	unlink(old);
	unlink(path);
	if (made_dir)
		rmdir(dir);
}

/* A receive that waits up to 10 s for rc to differ from 0. */
static int
recv_until(pfring_zc_queue *q, pfring_zc_pkt_buff **got)
{
	struct timespec t0, t;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		rc = pfring_zc_recv_pkt(q, got, 0);
		if (rc != 0)
			return rc;
		poll(NULL, 0, 20);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 10);
	return 0;
}

/* The balancer goes: a new cluster of the same id is found (same fd);
 * when none comes, receives fail and say why. */
static void
test_balancer_gone(void)
{
	pfring_zc_cluster *c = make(1, 4, 0), *c2;
	pfring_zc_pkt_buff *got;
	pfring_zc_queue *cq;
	int fd;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	cq = attach_or_destroy(c, 0);
	if (cq == NULL)
		return;
	fd = pfring_zc_queue_fd(cq);
	CHECK(pfring_zc_queue_error(cq) == NULL);
	pfring_zc_destroy_cluster(c);
	c2 = make(1, 4, 0);
	CHECK(c2 != NULL);
	if (c2 == NULL) {
		pfring_zc_ipc_detach_queue(cq);
		return;
	}
	CHECK_INT(1, send_byte(pfring_zc_cluster_queue(c2, 0), 9, 1));
	CHECK_INT(1, recv_until(cq, &got));
	CHECK_INT(9, pfring_zc_pkt_data(got)[0]);
	CHECK_INT(1, cq->reattached);
	CHECK_INT(fd, pfring_zc_queue_fd(cq));
	pfring_zc_destroy_cluster(c2);
	CHECK_INT(PF_RING_ERROR_NOT_ENABLED, recv_until(cq, &got));
	CHECK(pfring_zc_queue_error(cq) != NULL &&
	      strstr(pfring_zc_queue_error(cq), "is gone and no new one took its place") != NULL);
	pfring_zc_ipc_detach_queue(cq);
}

static volatile sig_atomic_t alarmed;

static void
on_alarm(int sig)
{
	struct sigaction dfl;

	(void)sig;
	alarmed = 1;
	/* Should the receive not return, the next alarm ends the test
	 * (a failure) instead of letting it hang. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGALRM, &dfl, NULL);
	alarm(3);
}

/* A blocking pfring_recv() returns 0 when a signal comes, so a program
 * whose handler only sets its own flag sees it (no SA_RESTART, no
 * pfring_breakloop()); the end of the engine's poll slice does not. */
static void
test_recv_signal(void)
{
	pfring_zc_cluster *c = make(1, 8, 0);
	struct itimerval it = { { 0, 0 }, { 0, 700000 } };
	struct pfring_pkthdr h;
	struct sigaction sa;
	u_char *buf;
	pfring *ring;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	ring = open_engine(c, 64);
	if (ring == NULL)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarmed = 0;
	setitimer(ITIMER_REAL, &it, NULL);      /* past one 500 ms slice */
	CHECK_INT(0, pfring_recv(ring, &buf, 0, &h, 1));
	alarm(0);
	CHECK_INT(1, alarmed);
	pfring_close(ring);
	pfring_zc_destroy_cluster(c);
}

int
main(void)
{
	/* A cluster id of our own, so parallel runs do not meet. */
	cid = 50000 + (uint32_t)getpid() % 15000;
	test_layout();
	test_memory();
	test_version();
	test_pool();
	test_ipc();
	test_format();
	test_attach_converts();
	test_engine_burst();
	test_stale_wake();
	test_batch_wake();
	test_attach_ready();
	test_names_and_stale();
	test_scribbled();
	test_foreign();
	test_balancer_gone();
	test_recv_signal();
	return check_exit("test_zc_cluster");
}
