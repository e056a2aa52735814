/*
 * pf_engine_zc.c - the zc engine: a ring reading one queue of a ZC cluster
 * ("zc:<cluster id>@<queue>") through the pfring_zc.h IPC API.
 *
 * The queue's wake-up FIFO is the selectable fd (for buffered rings an
 * epoll fd over it and a timer: see apply_batch()), so poll/select loops
 * wake when the balancer queues packets.  Filters are not run here: setting
 * one fails, which makes the libpcap module run it in user space.
 *
 * At open the queue asks its producer for this ring's format (stamp unit,
 * caplen clamp), so a queued buffer's header is already the pcap header the
 * callback gets: the burst walks the slots in place and hands it over as is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf_ring.h"
#include "pfring_zc.h"
#include "zc_internal.h"

#if ZC_HDR_IS_PCAP
_Static_assert(offsetof(pfring_zc_pkt_buff, ts_sec) ==
	       offsetof(struct pfring_pcap_pkthdr, ts.tv_sec) &&
	       offsetof(pfring_zc_pkt_buff, ts_frac) == offsetof(struct pfring_pcap_pkthdr, ts.tv_usec) &&
	       sizeof(((pfring_zc_pkt_buff *)0)->ts_frac) ==
	       sizeof(((struct pfring_pcap_pkthdr *)0)->ts.tv_usec) &&
	       offsetof(pfring_zc_pkt_buff, caplen) == offsetof(struct pfring_pcap_pkthdr, caplen) &&
	       offsetof(pfring_zc_pkt_buff, len) == offsetof(struct pfring_pcap_pkthdr, len) &&
	       sizeof(struct pfring_pcap_pkthdr) <= sizeof(pfring_zc_pkt_buff),
	       "a ZC buffer header is a struct pfring_pcap_pkthdr");
#endif

/* Buffered rings (a block timeout above 1 ms) sleep until this many
 * packets are queued or the timeout passes, as a TPACKET_V3 block is
 * handed over full or at its timeout: a wake-up costs a few hundred
 * instructions, so it should bring many packets. */
#define ZC_BATCH_MARK 512

struct zc_engine {
	pfring_zc_queue *q;
	uint32_t cluster_id;
	uint32_t queue_id;
	uint32_t watermark;     /* the ring's watermark as last applied */
};

static struct zc_engine *
zc_of(pfring *ring)
{
	return ring->engine;
}

static int
zc_open(pfring *ring, const struct pf_open_params *params)
{
	struct zc_engine *ze;
	char err[PF_ERRBUF_SIZE];

	(void)params;
	ze = calloc(1, sizeof(*ze));
	if (ze == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	/* pf_devname.c checked both: a cluster id in range and a queue. */
	ze->cluster_id = ring->devs.cluster_id;
	ze->queue_id = (uint32_t)ring->devs.queue;
	ze->q = pfring_zc_ipc_attach_queue(ze->cluster_id, ze->queue_id, err, sizeof(err));
	if (ze->q == NULL) {
		free(ze);
		return pf_ring_error(ring, PF_RING_ERROR_UNKNOWN_ADAPTER, "zc:%u@%d: %s",
				     ring->devs.cluster_id, ring->devs.queue, err);
	}
	/* Producers write our caplen and stamp unit from now on; what is
	 * queued already is converted on receipt. */
	pfring_zc_queue_set_format(ze->q, ring->params.caplen,
				   (ring->params.flags & PF_RING_NANO_TIMESTAMP) ?
				   PFRING_ZC_BUF_NSEC : 0);
	ring->engine = ze;
	return 0;
}

static void
zc_close(pfring *ring)
{
	struct zc_engine *ze = zc_of(ring);

	if (ze == NULL)
		return;
	pfring_zc_ipc_detach_queue(ze->q);
	free(ze);
	ring->engine = NULL;
}

/* The wake-up batch from the ring's settings: an explicit watermark
 * (PFRING_WATERMARK, pfring_set_poll_watermark()), else ZC_BATCH_MARK when
 * buffered; bounded by the block timeout either way. */
static int
apply_batch(pfring *ring)
{
	struct zc_engine *ze = zc_of(ring);
	char err[PF_ERRBUF_SIZE];
	uint32_t mark;

	ze->watermark = ring->cfg.watermark;
	if ((ring->cfg.set & PF_KEY_WATERMARK) || ring->cfg.watermark > 1)
		mark = ring->cfg.watermark;
	else
		mark = ring->params.block_timeout_ms > 1 ? ZC_BATCH_MARK : 1;
	if (zc_cons_set_batch(ze->q, mark, ring->params.block_timeout_ms, err, sizeof(err)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "zc:%u@%u: %s", ze->cluster_id,
				     ze->queue_id, err);
	return 0;
}

static int
zc_enable(pfring *ring)
{
	return apply_batch(ring);
}

/* The largest caplen a packet of this ring may have: the buffer's data
 * and the ring's caplen. */
static uint32_t
caplen_limit(pfring *ring, const struct pfring_zc_queue *zq)
{
	return ring->params.caplen < zq->buf_len ? ring->params.caplen : zq->buf_len;
}

/* The buffer is in the ring's format (stamp unit); caplen is read once and
 * clamped here (shared memory: it may change under us). */
static void
fill_hdr(pfring *ring, const struct pfring_zc_queue *zq, pfring_zc_pkt_buff *b,
	 struct pfring_pkthdr *hdr)
{
	uint32_t caplen = __atomic_load_n(&b->caplen, __ATOMIC_RELAXED), lim;

	lim = caplen_limit(ring, zq);
	memset(hdr, 0, sizeof(*hdr));
	hdr->ts.tv_sec = (time_t)b->ts_sec;
	hdr->ts.tv_usec = (suseconds_t)b->ts_frac;
	hdr->caplen = caplen < lim ? caplen : lim;
	hdr->len = b->len;
	hdr->extended_hdr.timestamp_ns = (uint64_t)b->ts_sec * 1000000000ull +
		(uint64_t)b->ts_frac * ((b->flags & PFRING_ZC_BUF_NSEC) ? 1 : 1000);
	hdr->extended_hdr.rx_direction = 1;
	hdr->extended_hdr.pkt_hash = b->hash;
}

static int
zc_gone(pfring *ring)
{
	struct zc_engine *ze = zc_of(ring);

	return pf_ring_error(ring, PF_RING_ERROR_NOT_ENABLED, "zc:%u@%u: %s", ze->cluster_id,
			     ze->queue_id, pfring_zc_queue_error(ze->q));
}

/* The previous packet's slot is released by this call (pfring_recv's
 * "valid until the next recv"). */
static int
zc_next(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	struct zc_engine *ze = zc_of(ring);
	pfring_zc_pkt_buff *b;
	int rc;

	rc = pfring_zc_recv_pkt(ze->q, &b, 0);
	if (rc == PF_RING_ERROR_NOT_ENABLED)
		return zc_gone(ring);
	if (rc <= 0)
		return rc;
	fill_hdr(ring, ze->q, b, hdr);
	*pkt = pfring_zc_pkt_data(b);
	return 1;
}

/*
 * Hand slots [s, s + n) to cb, n > 0; stops after the packet on which
 * *stop turned nonzero.  Returns how many slots were used up.  The slots
 * and headers are shared memory that a consumer of a group-shared cluster
 * may write: each index is checked against the cluster's buffer count
 * (a bad one is skipped and counted) and the header the callback gets is
 * a private copy whose caplen is clamped to lim.  Always inlined
 * so a constant stride becomes a shift.
 */
static inline __attribute__((always_inline)) uint32_t
walk_slots(const uint32_t *s, uint32_t n, uint8_t *buf0, size_t stride, uint32_t n_bufs,
	   uint32_t lim, pfring_pcap_handler cb, u_char *user, volatile int *stop, uint32_t *bad)
{
	const uint32_t *end = s + n;
	intptr_t i = -(intptr_t)n;
	struct pfring_pcap_pkthdr h;
	uint32_t idx;
#if !ZC_HDR_IS_PCAP
	uint32_t caplen;
#endif

	do {
		idx = __atomic_load_n(&end[i], __ATOMIC_RELAXED);
		if (__builtin_expect(idx < n_bufs, 1)) {
			const pfring_zc_pkt_buff *b =
				(const pfring_zc_pkt_buff *)(buf0 + (size_t)idx * stride);

#if ZC_HDR_IS_PCAP
			/* The header is a struct pcap_pkthdr: one copy, then the
			 * clamp works on ours. */
			memcpy(&h, b, sizeof(h));
			if (__builtin_expect(h.caplen > lim, 0))
				h.caplen = lim;
#else
			caplen = __atomic_load_n(&b->caplen, __ATOMIC_RELAXED);
			h.ts.tv_sec = (time_t)b->ts_sec;
			h.ts.tv_usec = (suseconds_t)b->ts_frac;
			h.caplen = caplen < lim ? caplen : lim;
			h.len = b->len;
#endif
			cb(user, &h, (const u_char *)(b + 1));
		} else {
			(*bad)++;
		}
		if (__builtin_expect(*stop, 0))
			return (uint32_t)(n + (uint32_t)i + 1);
	} while (++i != 0);
	return n;
}

/* One run of slots; the default buffers (2048-byte chunks) get a constant
 * stride.  Not inlined: the loop then has every callee-saved register. */
static __attribute__((noinline)) uint32_t
walk_run(const uint32_t *s, uint32_t n, struct pfring_zc_queue *zq, uint32_t lim,
	 pfring_pcap_handler cb, u_char *user, volatile int *stop, uint32_t *bad)
{
	if (zq->buf_stride == 2048)
		return walk_slots(s, n, zq->buf0, 2048, zq->cons.n_bufs, lim, cb, user, stop, bad);
	/* A multiply: a shift would need %cl reloaded for every packet. */
	return walk_slots(s, n, zq->buf0, zq->buf_stride, zq->cons.n_bufs, lim, cb, user, stop,
			  bad);
}

static int
zc_burst(pfring *ring, int max, pfring_pcap_handler cb, u_char *user)
{
	struct pfring_zc_queue *zq = zc_of(ring)->q;
	struct zc_spsc *q = zq->q;
	volatile int *const stop = &ring->break_loop;
	const uint32_t want = max > 0 ? (uint32_t)max : UINT32_MAX;
	const uint32_t lim = caplen_limit(ring, zq);
	uint32_t n = 0, refused = 0, avail, first, run, done;

	for (;;) {
		/* Waking, sleeping and format changes go the long way. */
		avail = zc_cons_avail(q, &zq->cons);
		if (avail == 0 || (zq->held | zq->armed | zq->fmt_pending) != 0) {
			/* Nothing came since the wake-up was armed (the poll that
			 * usually follows: zc_cons_begin()). */
			if (avail == 0 && zq->armed == 1 && (zq->held | zq->fmt_pending) == 0) {
				zq->armed = 2;
				break;
			}
			avail = zc_cons_begin(zq);
			if (avail == 0) {
				if (zq->gone && n == 0)
					return zc_gone(ring);
				break;
			}
			/* A re-attach replaced the ring. */
			q = zq->q;
		}
		if (avail > want - n)
			avail = want - n;
		/* In place, in at most two runs: up to the ring's end, then
		 * from its start. */
		first = zq->cons.tail & zq->cons.mask;
		run = zq->cons.len - first;
		if (run >= avail) {
			done = walk_run(&q->slot[first], avail, zq, lim, cb, user, stop, &refused);
		} else {
			done = walk_run(&q->slot[first], run, zq, lim, cb, user, stop, &refused);
			if (done == run)
				done += walk_run(&q->slot[0], avail - run, zq, lim, cb, user, stop,
						 &refused);
		}
		/* The callback is done with them: give the slots back now, so a
		 * consumer killed while idle holds nothing.  After a break the
		 * undelivered rest stays queued for the next read. */
		zc_cons_release(q, &zq->cons, done);
		zq->recv += done;
		n += done;
		if (*stop || n == want)
			break;
	}
	/* Refused slots were used up but not handed over. */
	zq->cons.bad += refused;
	return (int)(n - refused);
}

static int
zc_send(pfring *ring, const u_char *pkt, u_int len)
{
	struct zc_engine *ze = zc_of(ring);

	(void)pkt;
	(void)len;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u is a receive queue: sending is not supported",
			     ze->cluster_id, ze->queue_id);
}

static int
zc_stats(pfring *ring, pfring_stat *stats)
{
	struct zc_engine *ze = zc_of(ring);
	pfring_zc_stat st;

	if (pfring_zc_queue_stats(ze->q, &st) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "zc queue statistics failed");
	memset(stats, 0, sizeof(*stats));
	stats->recv = st.recv;
	/* Refused slots were consumed but never handed over: lost here. */
	stats->drop = st.drop + st.bad;
	return 0;
}

static int
zc_set_cluster(pfring *ring, u_int id, cluster_type type)
{
	struct zc_engine *ze = zc_of(ring);

	(void)id;
	(void)type;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u is already one queue of a ZC cluster: "
			     "kernel clusters (PFRING_CLUSTER) do not apply",
			     ze->cluster_id, ze->queue_id);
}

static int
zc_remove_from_cluster(pfring *ring)
{
	(void)ring;
	return 0;
}

static int
zc_set_bpf(pfring *ring, const struct sock_fprog *prog)
{
	struct zc_engine *ze = zc_of(ring);

	if (prog == NULL)
		return 0;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u: filters run in the application (libpcap filters in user space)",
			     ze->cluster_id, ze->queue_id);
}

static int
zc_set_direction(pfring *ring, packet_direction direction)
{
	struct zc_engine *ze = zc_of(ring);

	if (direction == rx_and_tx_direction || direction == rx_only_direction)
		return 0;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u carries received packets only", ze->cluster_id,
			     ze->queue_id);
}

static int
zc_selectable_fd(pfring *ring)
{
	struct zc_engine *ze = zc_of(ring);

	/* Called before every pfring_poll(): a new watermark applies there. */
	if (ring->enabled && ring->cfg.watermark != ze->watermark)
		(void)apply_batch(ring);
	return pfring_zc_queue_fd(ze->q);
}

const struct pf_engine_ops pf_engine_zc = {
	.name = "zc",
	.open = zc_open,
	.close = zc_close,
	.enable = zc_enable,
	.next = zc_next,
	.burst = zc_burst,
	.send = zc_send,
	.stats = zc_stats,
	.set_cluster = zc_set_cluster,
	.remove_from_cluster = zc_remove_from_cluster,
	.set_bpf = zc_set_bpf,
	.set_direction = zc_set_direction,
	.selectable_fd = zc_selectable_fd,
	.poll_slice_ms = 500,	/* an idle queue checks on its balancer */
};
