/*
 * zc_balancer.c - the balancer / fan-out worker: one thread reads its inputs
 * and puts each packet into the queue(s) it goes to.  It never waits for a
 * consumer: a full queue is a drop counted on that queue.
 *
 * Two kinds of input:
 * - a libpfring ring (any engine): each packet is copied into the slot's
 *   buffer;
 * - an AF_XDP socket whose UMEM is the cluster's buffer memory
 *   (pfring_zc_open_xdp_input): the kernel writes the frame into a cluster
 *   buffer, right after its header, and the balancer only swaps buffer
 *   indexes: the received buffer goes into the queue slot and the slot's old
 *   buffer back to the fill ring.  Per-flow hashes come with the frame, as
 *   XDP metadata written by our XDP program into the header's hash field.
 *
 * The per-packet code is chosen once per worker (one queue, round robin,
 * hash, user function, fan-out), so no mode is tested per packet.  Queue
 * heads are published, drops counted and sleeping consumers woken once per
 * burst, with each queue's consumer format (zc_prod_format) read at
 * the burst's start.
 */
#include <errno.h>
#include <linux/if_xdp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pf_flow.h"
#include "pf_ring.h"
#include "pf_xsk.h"
#include "pf_engine_xdp.h"
#include "zc_internal.h"

#define BURST 256
#define IDLE_POLL_MS 200
/*
 * AF_XDP has no block timeout: woken by the first frame, the worker waits
 * this long before taking the RX ring, so a wake-up (and the per-burst work:
 * stamp, queue formats, publishing, waking consumers) serves many packets,
 * as a TPACKET_V3 block does.  Same bound as the packet engine's immediate
 * block timeout the ring inputs run with.
 */
#define XDP_COALESCE_NS 1000000L
#define XDP_COMP_RING 64   /* required by bind; the balancer never transmits */
/* AF_XDP sockets of a worker: one per RX queue of each AF_XDP input. */
#define MAX_XIN 64
/* The least fill ring an RX queue's socket gets (of PFRING_ZC_XDP_INPUT_BUFS). */
#define XDP_MIN_QUEUE_BUFS 64

struct pfring_zc_worker;

/* An output queue. */
struct wq {
	struct zc_spsc *q;
	struct zc_prod *p;        /* our private side: head, the slots' buffers */
	pfring_zc_queue *zq;
};

struct xin;
typedef uint32_t (*xin_burst_fn)(struct pfring_zc_worker *w, struct xin *in);

/* An AF_XDP input. */
struct xin {
	pfring *ring;
	struct pf_xsk *x;
	xin_burst_fn burst;
	const volatile uint32_t *meta_failed;  /* the program's flag, or a 0 */
	uint8_t *umem;            /* the cluster's chunk region */
	uint32_t shift;           /* log2(chunk) */
	struct xdp_desc *rx;
	uint64_t *fill;
	uint32_t *rx_prod, *rx_cons, *fill_prod;
	uint32_t rx_mask, fill_mask;
};

struct pfring_zc_worker {
	pfring *in[PFRING_ZC_MAX_INPUTS];
	int n_in;
	struct xin xin[MAX_XIN];
	int n_xin;
	pfring_pcap_handler on_packet;        /* ring inputs: the per-mode callback */
	pfring_zc_queue *out[PFRING_ZC_MAX_QUEUES];
	uint32_t n_out;
	struct wq wq[PFRING_ZC_MAX_QUEUES];
	uint32_t qmask;               /* slot index mask, the same for every output */
	uint64_t all_mask;            /* one bit per output */
	struct pfring_zc_worker_opts o;
	uint32_t rr;
	struct xb *rb;                /* ring inputs' burst state */
	pthread_t thread;
	int stop_fd;
	volatile int stop;
	uint64_t pkts_in;
	uint64_t filtered;
	int failed;
	char error[256];
};

/* --- bursts --- */

/* An output as one burst sees it: a private copy, so that the header and
 * slot stores of the loop cannot alias it (and it stays in registers). */
struct xq {
	uint32_t end;             /* pos may not reach it: the queue is full there */
	uint32_t drops;           /* refused for want of room */
	uint32_t snap;            /* consumer's snaplen clamped to the buffer length */
	uint32_t flags;           /* consumer's buffer flags */
	int64_t ts_frac;          /* the burst's stamp in the consumer's unit */
};

/* One burst's outputs; the per-packet fields in arrays of their own, so
 * a queue index addresses them directly. */
struct xb {
	uint32_t sp[PFRING_ZC_MAX_QUEUES];    /* fast bursts: the next slot's index */
	uint32_t pos[PFRING_ZC_MAX_QUEUES];   /* next slot to fill (free-running) */
	uint32_t *slot[PFRING_ZC_MAX_QUEUES]; /* the shared slots: only written */
	uint32_t *own[PFRING_ZC_MAX_QUEUES];  /* the buffer each slot holds: read here */
	struct xq q[PFRING_ZC_MAX_QUEUES];
	int64_t sec;              /* the burst's stamp ... */
	int64_t frac;             /* ... and, when every queue wants one unit, in it */
};

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/*
 * Per burst: one stamp (AF_XDP descriptors carry no time), each queue's
 * format and room for want packets.  1: every queue has room for all of
 * them before its slot ring wraps, and wants the same format with no clamp
 * (caplen = len: frames never exceed the buffer length): the loop needs no
 * per-queue checks and walks each queue's slots with a pointer.
 */
ALWAYS_INLINE int
xburst_begin(struct pfring_zc_worker *w, struct xb *xb, uint32_t want, int stamp)
{
	struct timespec ts;
	struct wq *q;
	struct xq *lq;
	uint32_t i, snap, room, buf_len = w->out[0]->buf_len;
	int64_t ns = 0, us = 0;
	int fast = 1;

	if (stamp) {
		clock_gettime(CLOCK_REALTIME, &ts);
		xb->sec = ts.tv_sec;
		ns = ts.tv_nsec;
		us = ns / 1000;
	}
	for (i = 0; i < w->n_out; i++) {
		q = &w->wq[i];
		lq = &xb->q[i];
		zc_prod_format(q->q, q->p, &snap, &lq->flags);
		/* Frames never exceed the buffer: clamp to both at once. */
		lq->snap = snap != 0 && snap < buf_len ? snap : buf_len;
		lq->ts_frac = (lq->flags & PFRING_ZC_BUF_NSEC) ? ns : us;
		room = zc_prod_room(q->q, q->p, want);
		xb->pos[i] = q->p->head;
		xb->slot[i] = q->q->slot;
		xb->own[i] = q->p->owned;
		xb->sp[i] = xb->pos[i] & w->qmask;
		lq->end = xb->pos[i] + room;
		lq->drops = 0;
		if (room < want || (xb->pos[i] & w->qmask) + want > w->qmask + 1 ||
		    lq->snap < buf_len || lq->flags != xb->q[0].flags)
			fast = 0;
	}
	xb->frac = xb->q[0].ts_frac;
	return fast;
}

/* Per burst: publish every queue's new slots, count drops, wake sleepers. */
ALWAYS_INLINE void
xburst_end(struct pfring_zc_worker *w, const struct xb *xb, int fast)
{
	static const char one = 1;
	struct zc_spsc *q;
	struct zc_prod *p;
	uint32_t i, n;

	for (i = 0; i < w->n_out; i++) {
		q = w->wq[i].q;
		p = w->wq[i].p;
		if (xb->q[i].drops)
			zc_prod_drops(q, p, xb->q[i].drops);
		n = fast ? xb->sp[i] - (p->head & w->qmask) : xb->pos[i] - p->head;
		if (n == 0)
			continue;
		zc_prod_publish(q, p, n);
		/* The raw system call: the worker is never cancelled, so glibc's
		 * cancellation bracket is pure cost, once per queue and burst.
		 * EAGAIN: the FIFO is full of earlier wake-ups, one is enough. */
		if (zc_prod_need_wake(q, p))
			(void)syscall(SYS_write, w->wq[i].zq->wake_fd, &one, 1);
	}
}

/* --- ring inputs: copy into the slot --- */

/*
 * Copy a packet into queue qi's next slot, under w->rb (the burst state
 * ring_burst set up): the header in the consumer's format, a full queue a
 * drop of that queue.  Inputs are opened with nanosecond stamps.
 */
static inline void
deliver(struct pfring_zc_worker *w, uint32_t qi, const struct pfring_pcap_pkthdr *h,
	const u_char *pkt, uint32_t hash)
{
	struct xb *xb = w->rb;
	struct xq *q = &xb->q[qi];
	pfring_zc_pkt_buff *b;
	uint32_t caplen = h->caplen, ns, s, idx;

	if (xb->pos[qi] == q->end) {
		q->drops++;
		return;
	}
	s = xb->pos[qi]++ & w->qmask;
	idx = xb->own[qi][s];
	xb->slot[qi][s] = idx;	/* a scribbled slot heals */
	b = zc_qbuf(w->out[qi], idx);
	if (caplen > q->snap)
		caplen = q->snap;
	/* Nanoseconds fit 32 bits: a 32-bit divide by a constant is cheapest. */
	ns = (uint32_t)h->ts.tv_usec;
	b->ts_sec = h->ts.tv_sec;
	b->ts_frac = (q->flags & PFRING_ZC_BUF_NSEC) ? ns : ns / 1000u;
	b->caplen = caplen;
	b->len = h->len;
	b->flags = q->flags;
	b->hash = hash;
	memcpy(pfring_zc_pkt_data(b), pkt, caplen);
}

/* One output, no function: any hash or turn would land on queue 0. */
static void
on_packet_one(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct pfring_zc_worker *w = (struct pfring_zc_worker *)user;

	w->pkts_in++;
	deliver(w, 0, h, pkt, 0);
}

static void
on_packet_rr(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct pfring_zc_worker *w = (struct pfring_zc_worker *)user;

	w->pkts_in++;
	deliver(w, w->rr++ % w->n_out, h, pkt, 0);
}

static void
on_packet_hash(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct pfring_zc_worker *w = (struct pfring_zc_worker *)user;
	/* The same member the packet engine's cluster picks. */
	uint32_t hash = pf_flow_hash_packet(pkt, h->caplen, (int)w->o.hash_type);

	w->pkts_in++;
	deliver(w, hash % w->n_out, h, pkt, hash);
}

/* ip_with_dup_tuple: the source's hash, and the destination's in *second. */
static inline uint32_t
dup_hashes(const u_char *pkt, uint32_t caplen, uint32_t *second)
{
	struct pf_flow f;

	pf_flow_parse_buf(pkt, caplen, &f);
	pf_flow_hash_dup(&f, PF_FLOW_IP_WITH_DUP_TUPLE, second);
	return pf_flow_hash(&f, PF_FLOW_IP_WITH_DUP_TUPLE);
}

/* To the member of each endpoint, once when it is the same member. */
static void
on_packet_dup(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct pfring_zc_worker *w = (struct pfring_zc_worker *)user;
	uint32_t h2, h1 = dup_hashes(pkt, h->caplen, &h2);

	w->pkts_in++;
	deliver(w, h1 % w->n_out, h, pkt, h1);
	if (h2 % w->n_out != h1 % w->n_out)
		deliver(w, h2 % w->n_out, h, pkt, h1);
}

static void
on_packet_func(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct pfring_zc_worker *w = (struct pfring_zc_worker *)user;
	int64_t r = w->o.func(pkt, h->caplen, w->n_out, w->o.user);

	w->pkts_in++;
	if (r < 0) {
		w->filtered++;
		return;
	}
	deliver(w, (uint32_t)((uint64_t)r % w->n_out), h, pkt, 0);
}

static void
on_packet_fanout(u_char *user, const struct pfring_pcap_pkthdr *h, const u_char *pkt)
{
	struct pfring_zc_worker *w = (struct pfring_zc_worker *)user;
	uint64_t mask;
	uint32_t i;

	w->pkts_in++;
	mask = (w->o.func ? (uint64_t)w->o.func(pkt, h->caplen, w->n_out, w->o.user) : ~0ull) &
		w->all_mask;
	if (mask == 0) {
		w->filtered++;
		return;
	}
	for (i = 0; mask != 0; i++, mask >>= 1)
		if (mask & 1)
			deliver(w, i, h, pkt, 0);
}

/* Up to BURST packets of a ring input, published (and consumers woken)
 * once for the whole burst. */
static int
ring_burst(struct pfring_zc_worker *w, pfring *ring)
{
	int n;

	xburst_begin(w, w->rb, BURST, 0);
	n = pf_ring_burst(ring, BURST, w->on_packet, (u_char *)w);
	xburst_end(w, w->rb, 0);
	return n;
}

/* --- AF_XDP inputs: swap buffers --- */

/* XM_HASH_P2: a power-of-two number of outputs, the modulo is a mask. */
enum xmode { XM_ONE, XM_RR, XM_HASH, XM_HASH_P2, XM_HASH_SW, XM_FUNC, XM_FANOUT, XM_DUP };

/* The header of the buffer a frame at UMEM address addr was received into. */
ALWAYS_INLINE pfring_zc_pkt_buff *
xin_hdr(uint8_t *umem, uint64_t addr)
{
	return (pfring_zc_pkt_buff *)(umem + addr - sizeof(pfring_zc_pkt_buff));
}

/*
 * Queue the received buffer b (UMEM address addr) on q: it takes the next
 * slot and the slot's old buffer goes to the fill ring at *fp.  Checked
 * (fast == 0): a full queue refuses it (a drop of that queue) and b itself
 * goes back to the fill ring; 0 then, 1 when queued.
 */
ALWAYS_INLINE int
xswap(struct xb *xb, uint32_t qi, uint32_t qmask, uint32_t shift, pfring_zc_pkt_buff *b,
      uint64_t addr, uint32_t len, uint64_t *fp, int fast, uint32_t fflags)
{
	struct xq *q = &xb->q[qi];
	uint32_t s, old, idx = (uint32_t)(addr >> shift);

	if (!fast && xb->pos[qi] == q->end) {
		q->drops++;
		*fp = addr & ~((1ull << shift) - 1);
		return 0;
	}
	s = fast ? xb->sp[qi]++ : xb->pos[qi]++ & qmask;
	/* The old buffer from our own record: the shared slot may be anything. */
	old = xb->own[qi][s];
	xb->own[qi][s] = idx;
	xb->slot[qi][s] = idx;
	*fp = (uint64_t)old << shift;
	b->ts_sec = xb->sec;
	if (fast) {
		b->ts_frac = xb->frac;
		b->caplen = len;
		b->flags = fflags;
	} else {
		b->ts_frac = q->ts_frac;
		b->caplen = len < q->snap ? len : q->snap;
		b->flags = q->flags;
	}
	b->len = len;
	return 1;
}

/* Fan-out beyond the first queue: a copy into the slot's own buffer. */
static void
xcopy(const struct xin *in, struct xb *xb, uint32_t qi, uint32_t qmask,
      const pfring_zc_pkt_buff *src, uint32_t len)
{
	struct xq *q = &xb->q[qi];
	pfring_zc_pkt_buff *b;
	uint32_t idx, s;

	if (xb->pos[qi] == q->end) {
		q->drops++;
		return;
	}
	s = xb->pos[qi]++ & qmask;
	idx = xb->own[qi][s];
	xb->slot[qi][s] = idx;
	b = (pfring_zc_pkt_buff *)(in->umem + ((uint64_t)idx << in->shift) + ZC_BUF_HDR_OFF);
	b->ts_sec = xb->sec;
	b->ts_frac = q->ts_frac;
	b->caplen = len < q->snap ? len : q->snap;
	b->len = len;
	b->flags = q->flags;
	b->hash = src->hash;
	memcpy(pfring_zc_pkt_data(b), pfring_zc_pkt_data((pfring_zc_pkt_buff *)src), b->caplen);
}

static void xin_set_mode(struct xin *in, enum xmode mode);

/*
 * The frames of descriptors rx[cons .. cons+n) (no wrap) with fill slots
 * fp[0 .. n) (no wrap), one fill entry per frame whatever happens to it.
 * mode and fast are constants in each copy.  Returns the packets filtered.
 */
ALWAYS_INLINE uint32_t
xin_loop(struct pfring_zc_worker *w, const struct xin *in, struct xb *xb,
	 const struct xdp_desc *d, uint32_t n, uint64_t *fp, enum xmode mode, int fast)
{
	const uint8_t *dbase = (const uint8_t *)d;
	uint8_t *fbase = (uint8_t *)fp, *umem = in->umem;
	size_t k, kend = (size_t)n * sizeof(uint64_t);
	uint32_t shift = in->shift, qmask = w->qmask, n_out = w->n_out, fflags = xb->q[0].flags;
	uint32_t rr = w->rr, filtered = 0, len, hash, qi;
	pfring_zc_pkt_buff *b;
	uint64_t addr, mask;
	int64_t r;
	int first;

	/* One offset walks both rings (a descriptor is two fill entries long):
	 * one increment per packet. */
	_Static_assert(sizeof(struct xdp_desc) == 2 * sizeof(uint64_t), "xdp_desc size");
	for (k = 0; k != kend; k += sizeof(uint64_t)) {
		d = (const struct xdp_desc *)(dbase + 2 * k);
		fp = (uint64_t *)(fbase + k);
		addr = d->addr;
		len = d->len;
		b = xin_hdr(umem, addr);
		switch (mode) {
		case XM_ONE:
			xswap(xb, 0, qmask, shift, b, addr, len, fp, fast, fflags);
			break;
		case XM_RR:
			b->hash = 0;
			xswap(xb, rr++ % n_out, qmask, shift, b, addr, len, fp, fast, fflags);
			break;
		case XM_HASH:
			xswap(xb, b->hash % n_out, qmask, shift, b, addr, len, fp, fast, fflags);
			break;
		case XM_HASH_P2:
			xswap(xb, b->hash & (n_out - 1), qmask, shift, b, addr, len, fp, fast,
			      fflags);
			break;
		case XM_HASH_SW:
			hash = pf_flow_hash_packet(pfring_zc_pkt_data(b), len, (int)w->o.hash_type);
			b->hash = hash;
			xswap(xb, hash % n_out, qmask, shift, b, addr, len, fp, fast, fflags);
			break;
		case XM_DUP: {
			uint32_t h2, q1, q2;

			hash = dup_hashes(pfring_zc_pkt_data(b), len, &h2);
			b->hash = hash;
			q1 = hash % n_out;
			q2 = h2 % n_out;
			/* One member gets the buffer, the other a copy; a full
			 * first queue leaves the buffer to the second. */
			if (xswap(xb, q1, qmask, shift, b, addr, len, fp, 0, fflags)) {
				if (q2 != q1)
					xcopy(in, xb, q2, qmask, b, len);
			} else if (q2 != q1) {
				xswap(xb, q2, qmask, shift, b, addr, len, fp, 0, fflags);
			}
			break;
		}
		case XM_FUNC:
			b->hash = 0;
			r = w->o.func(pfring_zc_pkt_data(b), len, n_out, w->o.user);
			if (r < 0) {
				filtered++;
				*fp = addr & ~((1ull << shift) - 1);
				break;
			}
			xswap(xb, (uint32_t)((uint64_t)r % n_out), qmask, shift, b, addr, len, fp,
			      fast, fflags);
			break;
		case XM_FANOUT:
			b->hash = 0;
			mask = (w->o.func ? (uint64_t)w->o.func(pfring_zc_pkt_data(b), len, n_out,
								 w->o.user) : ~0ull) & w->all_mask;
			if (mask == 0)
				filtered++;
			/* The first queue with room gets the buffer itself, the
			 * others a copy (one buffer cannot sit in two queues). */
			first = 1;
			for (qi = 0; mask != 0; qi++, mask >>= 1) {
				if (!(mask & 1))
					continue;
				if (first)
					first = !xswap(xb, qi, qmask, shift, b, addr, len, fp, 0,
						       fflags);
				else
					xcopy(in, xb, qi, qmask, b, len);
			}
			if (first)
				*fp = addr & ~((1ull << shift) - 1);
			break;
		}
	}
	w->rr = rr;
	return filtered;
}

/* One burst of up to BURST frames; mode is a constant in each copy. */
ALWAYS_INLINE uint32_t
xin_burst_body(struct pfring_zc_worker *w, struct xin *in, enum xmode mode)
{
	const struct xdp_desc *d;
	struct xb xb;
	uint32_t prod, cons, avail, done, seg, room, fprod, filtered = 0;
	uint64_t *fp;
	int fast;

	prod = __atomic_load_n(in->rx_prod, __ATOMIC_ACQUIRE);
	cons = *in->rx_cons;
	avail = prod - cons;
	if (avail == 0)
		return 0;
	if (avail > BURST)
		avail = BURST;
	if ((mode == XM_ONE || mode == XM_HASH || mode == XM_HASH_P2) && *in->meta_failed) {
		/* Read after the producer index: it covers every frame seen here. */
		xin_set_mode(in, XM_HASH_SW);
		mode = XM_HASH_SW;
	}
	fast = xburst_begin(w, &xb, avail, 1);
	fprod = *in->fill_prod;
	/* Runs that wrap neither the RX nor the fill ring: plain pointers.
	 * Most bursts are one run. */
	if ((cons & in->rx_mask) + avail <= in->rx_mask + 1 &&
	    (fprod & in->fill_mask) + avail <= in->fill_mask + 1) {
		d = &in->rx[cons & in->rx_mask];
		fp = &in->fill[fprod & in->fill_mask];
		if ((mode == XM_ONE || mode == XM_RR || mode == XM_HASH || mode == XM_HASH_P2) &&
		    fast)
			filtered = xin_loop(w, in, &xb, d, avail, fp, mode, 1);
		else
			filtered = xin_loop(w, in, &xb, d, avail, fp, mode, 0);
		fprod += avail;
		goto published;
	}
	for (done = 0; done < avail; done += seg, fprod += seg) {
		seg = avail - done;
		room = in->rx_mask + 1 - ((cons + done) & in->rx_mask);
		if (seg > room)
			seg = room;
		room = in->fill_mask + 1 - (fprod & in->fill_mask);
		if (seg > room)
			seg = room;
		d = &in->rx[(cons + done) & in->rx_mask];
		fp = &in->fill[fprod & in->fill_mask];
		if ((mode == XM_ONE || mode == XM_RR || mode == XM_HASH || mode == XM_HASH_P2) &&
		    fast)
			filtered += xin_loop(w, in, &xb, d, seg, fp, mode, 1);
		else
			filtered += xin_loop(w, in, &xb, d, seg, fp, mode, 0);
	}
published:
	__atomic_store_n(in->fill_prod, fprod, __ATOMIC_RELEASE);
	__atomic_store_n(in->rx_cons, cons + avail, __ATOMIC_RELEASE);
	pf_xsk_refilled(in->x);
	xburst_end(w, &xb, fast && (mode == XM_ONE || mode == XM_RR || mode == XM_HASH ||
				    mode == XM_HASH_P2));
	__atomic_store_n(&in->x->rx_count, in->x->rx_count + avail, __ATOMIC_RELAXED);
	__atomic_store_n(&w->pkts_in, w->pkts_in + avail, __ATOMIC_RELAXED);
	if (filtered)
		__atomic_store_n(&w->filtered, w->filtered + filtered, __ATOMIC_RELAXED);
	return avail;
}

static uint32_t
xin_burst_one(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_ONE);
}

static uint32_t
xin_burst_rr(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_RR);
}

static uint32_t
xin_burst_hash(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_HASH);
}

static uint32_t
xin_burst_hash_p2(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_HASH_P2);
}

static uint32_t
xin_burst_hash_sw(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_HASH_SW);
}

static uint32_t
xin_burst_func(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_FUNC);
}

static uint32_t
xin_burst_fanout(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_FANOUT);
}

static uint32_t
xin_burst_dup(struct pfring_zc_worker *w, struct xin *in)
{
	return xin_burst_body(w, in, XM_DUP);
}

static void
xin_set_mode(struct xin *in, enum xmode mode)
{
	static const xin_burst_fn fns[] = {
		[XM_ONE] = xin_burst_one, [XM_RR] = xin_burst_rr, [XM_HASH] = xin_burst_hash,
		[XM_HASH_P2] = xin_burst_hash_p2, [XM_HASH_SW] = xin_burst_hash_sw,
		[XM_FUNC] = xin_burst_func, [XM_FANOUT] = xin_burst_fanout,
		[XM_DUP] = xin_burst_dup,
	};

	if (mode == XM_HASH_SW)
		fprintf(stderr, "pfring_zc balancer: zc:%s: %s; "
			"computing the flow hash in user space\n", in->ring->devs.devices[0],
			in->burst == NULL ? "PFRING_ZC_XDP_USER_HASH=1" :
			"the driver keeps no XDP metadata");
	in->burst = fns[mode];
}

/* --- the worker --- */

/*
 * One AF_XDP input and nothing else (zbalance -i zc:IF): the loop with
 * nothing per round but the burst.  A short burst means the RX ring is
 * drained: sleep so the next one gathers packets (see XDP_COALESCE_NS).
 */
static void
xdp_only_loop(struct pfring_zc_worker *w)
{
	struct timespec coalesce = { 0, XDP_COALESCE_NS };
	struct xin *in = &w->xin[0];
	struct pollfd pfd[2];
	uint32_t got;
	int n;

	pfd[0].fd = pfring_get_selectable_fd(in->ring);
	pfd[0].events = POLLIN;
	pfd[1].fd = w->stop_fd;
	pfd[1].events = POLLIN;
	while (!w->stop) {
		got = in->burst(w, in);
		if (got == BURST)
			continue;
		if (got == 0) {
			n = poll(pfd, 2, IDLE_POLL_MS);
			if (n < 0 && errno != EINTR) {
				snprintf(w->error, sizeof(w->error), "poll: %s", strerror(errno));
				__atomic_store_n(&w->failed, 1, __ATOMIC_RELEASE);
				return;
			}
			if (n <= 0 || (pfd[1].revents & POLLIN))
				continue;
		}
		/* The raw call: this thread is never cancelled. */
		(void)syscall(SYS_nanosleep, &coalesce, NULL);
	}
}

static void *
worker_main(void *arg)
{
	struct pfring_zc_worker *w = arg;
	struct pollfd pfd[MAX_XIN + PFRING_ZC_MAX_INPUTS + 1];
	struct timespec coalesce = { 0, XDP_COALESCE_NS };
	int i, n, total, nfd, full;
	uint32_t got;
	uint64_t junk;

	if (w->o.core >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->o.core, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
			snprintf(w->error, sizeof(w->error), "cannot pin the worker to core %d",
				 w->o.core);
			w->failed = 1;
			return NULL;
		}
	}
	if (w->n_in == 0 && w->n_xin == 1) {
		xdp_only_loop(w);
		w->stop = 1;
	}
	while (!w->stop) {
		total = 0;
		full = 0;
		for (i = 0; i < w->n_xin; i++) {
			got = w->xin[i].burst(w, &w->xin[i]);
			total += (int)got;
			full |= got == BURST;
		}
		for (i = 0; i < w->n_in; i++) {
			n = ring_burst(w, w->in[i]);
			if (n < 0) {
				snprintf(w->error, sizeof(w->error), "reading %s: %s",
					 w->in[i]->devs.devices[0], pfring_last_error(w->in[i]));
				w->failed = 1;
				return NULL;
			}
			total += n;
		}
		if (total > 0) {
			/* AF_XDP inputs drained: let the next batch gather. */
			if (w->n_in == 0 && !full)
				(void)syscall(SYS_nanosleep, &coalesce, NULL);
			continue;
		}
		nfd = 0;
		for (i = 0; i < w->n_xin; i++) {
			pfd[nfd].fd = pfring_get_selectable_fd(w->xin[i].ring);
			pfd[nfd++].events = POLLIN;
		}
		for (i = 0; i < w->n_in; i++) {
			pfd[nfd].fd = pfring_get_selectable_fd(w->in[i]);
			pfd[nfd++].events = POLLIN;
		}
		pfd[nfd].fd = w->stop_fd;
		pfd[nfd].events = POLLIN;
		n = poll(pfd, (nfds_t)nfd + 1, IDLE_POLL_MS);
		if (n < 0 && errno != EINTR) {
			snprintf(w->error, sizeof(w->error), "poll: %s", strerror(errno));
			w->failed = 1;
			return NULL;
		}
		if (n > 0 && w->n_xin > 0 && !(pfd[nfd].revents & POLLIN))
			nanosleep(&coalesce, NULL);
	}
	if (read(w->stop_fd, &junk, sizeof(junk)) < 0) {
	}
	return NULL;
}

/* Wire an AF_XDP input of the outputs' cluster into the worker. */
static int
xin_setup(struct pfring_zc_worker *w, pfring *ring, struct pf_xsk *x, char *err, size_t errlen)
{
	const pfring_zc_queue *zq = w->out[0];
	static const uint32_t zero;
	struct xin *in = &w->xin[w->n_xin];
	const char *user_hash;
	enum xmode mode;
	char prog[64];
	int rc;

	if (x->umem != zq->base + zq->hdr->buf_off) {
		snprintf(err, errlen, "balancer: zc:%s was opened on another cluster's memory",
			 ring->devs.devices[0]);
		return -1;
	}
	in->ring = ring;
	in->x = x;
	in->umem = x->umem;
	in->shift = zq->hdr->buf_shift;
	in->rx = x->rx.desc;
	in->fill = x->fill.desc;
	in->rx_prod = x->rx.producer;
	in->rx_cons = x->rx.consumer;
	in->fill_prod = x->fill.producer;
	in->rx_mask = x->rx.mask;
	in->fill_mask = x->fill.mask;
	if (w->o.mode == pfring_zc_fanout)
		mode = XM_FANOUT;
	else if (w->o.func != NULL)
		mode = XM_FUNC;
	else if (w->o.hash_type == cluster_round_robin)
		mode = XM_RR;	/* even for one output: it zeroes the hash field */
	else if (w->o.hash_type == cluster_per_flow_ip_with_dup_tuple)
		mode = XM_DUP;	/* both hashes in user space, as a copy may be due */
	else
		mode = w->n_out == 1 ? XM_ONE : (w->n_out & (w->n_out - 1)) == 0 ? XM_HASH_P2 :
			XM_HASH;
	/* Hash modes run the hashing program even for one queue, so the
	 * header's hash is always the flow's.  PFRING_ZC_XDP_USER_HASH=1 takes
	 * the path of drivers without metadata: the hash in user space. */
	if (mode == XM_HASH || mode == XM_HASH_P2 || mode == XM_ONE) {
		user_hash = getenv("PFRING_ZC_XDP_USER_HASH");
		if (user_hash != NULL && strcmp(user_hash, "1") == 0)
			mode = XM_HASH_SW;
	}
	if (mode == XM_HASH || mode == XM_HASH_P2 || mode == XM_ONE)
		snprintf(prog, sizeof(prog), "pf_xdp_hash_%s",
			 pf_cluster_type_name(w->o.hash_type));
	else
		snprintf(prog, sizeof(prog), "pf_xdp_redirect");
	rc = pf_xsk_attach(x, prog, err, errlen);
	if (rc < 0)
		return -1;
	/* The program's flag exists once it is loaded. */
	in->meta_failed = x->meta_failed != NULL ? x->meta_failed : &zero;
	in->burst = NULL;
	xin_set_mode(in, mode);
	w->n_xin++;
	return 0;
}

pfring_zc_worker *
pfring_zc_run_balancer(pfring **inputs, int n_inputs, pfring_zc_queue **outputs,
		       uint32_t n_outputs, const struct pfring_zc_worker_opts *opts,
		       char *err, size_t errlen)
{
	struct pfring_zc_worker *w;
	struct pf_xsk *x;
	uint32_t i;
	int k, rc;

	if (inputs == NULL || n_inputs <= 0 || n_inputs > PFRING_ZC_MAX_INPUTS || outputs == NULL ||
	    n_outputs == 0 || n_outputs > PFRING_ZC_MAX_QUEUES || opts == NULL) {
		snprintf(err, errlen, "balancer: 1..%d inputs and 1..%d outputs needed",
			 PFRING_ZC_MAX_INPUTS, PFRING_ZC_MAX_QUEUES);
		return NULL;
	}
	if (opts->mode == pfring_zc_balance && opts->func == NULL &&
	    !pf_cluster_type_known(opts->hash_type)) {
		snprintf(err, errlen, "balancer: unknown hash type %d", (int)opts->hash_type);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w != NULL)
		w->rb = calloc(1, sizeof(*w->rb));
	if (w == NULL || w->rb == NULL) {
		snprintf(err, errlen, "out of memory");
		free(w);
		return NULL;
	}
	w->o = *opts;
	w->n_out = n_outputs;
	w->all_mask = n_outputs >= 64 ? ~0ull : (1ull << n_outputs) - 1;
	/* One cluster: every queue has its length. */
	w->qmask = outputs[0]->prod.mask;
	for (i = 0; i < n_outputs; i++) {
		if (outputs[i] == NULL || outputs[i]->consumer ||
		    (i > 0 && outputs[i]->base != outputs[0]->base)) {
			snprintf(err, errlen, "balancer: output %u is not a producer queue%s", i,
				 i > 0 ? " of the first one's cluster" : "");
			free(w->rb);
			free(w);
			return NULL;
		}
		w->out[i] = outputs[i];
		w->wq[i].zq = outputs[i];
		w->wq[i].q = outputs[i]->q;
		w->wq[i].p = &outputs[i]->prod;
	}
	if (opts->mode == pfring_zc_fanout)
		w->on_packet = on_packet_fanout;
	else if (opts->func != NULL)
		w->on_packet = on_packet_func;
	else if (n_outputs == 1)
		w->on_packet = on_packet_one;
	else if (opts->hash_type == cluster_round_robin)
		w->on_packet = on_packet_rr;
	else if (opts->hash_type == cluster_per_flow_ip_with_dup_tuple)
		w->on_packet = on_packet_dup;
	else
		w->on_packet = on_packet_hash;
	for (k = 0; k < n_inputs; k++) {
		x = pf_xdp_xsk(inputs[k], 0);
		if (x != NULL && x->map_fd < 0) {
			/* Ours (pfring_zc_open_xdp_input): no program runs yet.
			 * One input per socket (RX queue). */
			for (i = 0; (x = pf_xdp_xsk(inputs[k], i)) != NULL; i++) {
				if (w->n_xin == MAX_XIN) {
					snprintf(err, errlen, "balancer: more than %d AF_XDP "
						 "sockets (RX queues)", MAX_XIN);
					goto fail;
				}
				if (xin_setup(w, inputs[k], x, err, errlen) < 0)
					goto fail;
			}
			continue;
		}
		if (pfring_enable_ring(inputs[k]) < 0) {
			snprintf(err, errlen, "balancer: %s", pfring_last_error(inputs[k]));
			goto fail;
		}
		w->in[w->n_in++] = inputs[k];
	}
	w->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "balancer thread: %s", strerror(rc));
		close(w->stop_fd);
		goto fail;
	}
	return w;
fail:
	/* Programs already attached go when the caller closes its inputs. */
	free(w->rb);
	free(w);
	return NULL;
}

pfring *
pfring_zc_open_xdp_input(struct pfring_zc_cluster *c, const char *dev, char *err, size_t errlen)
{
	struct pf_xsk_config cfg;
	pfring_zc_pkt_buff *b;
	struct pf_xsk *x;
	uint64_t *fill;
	pfring *ring;
	uint32_t i, k, per_queue;
	int nq = 1;

	if (c == NULL || dev == NULL) {
		snprintf(err, errlen, "no cluster or device");
		return NULL;
	}
	if (c->hdr->buf_stride > 4096) {
		snprintf(err, errlen, "AF_XDP needs buffers of at most 4096 bytes with their "
			 "headers (buffer length <= 3840), this cluster's are %u",
			 c->hdr->buf_stride);
		return NULL;
	}
	if (pfring_zc_free_handles(c) < PFRING_ZC_XDP_INPUT_BUFS) {
		snprintf(err, errlen, "the cluster's pool has %u free buffers, an AF_XDP "
			 "input needs %u (create it with extra_bufs covering them)",
			 pfring_zc_free_handles(c), PFRING_ZC_XDP_INPUT_BUFS);
		return NULL;
	}
	/*
	 * "IF" reads every RX queue: one socket per queue, each registering the
	 * whole buffer region as its own UMEM (a buffer the balancer swaps out
	 * of a queue slot may go to any socket's fill ring, and XDP_SHARED_UMEM
	 * across queues would tie every socket to the first one's rings).  The
	 * PFRING_ZC_XDP_INPUT_BUFS buffers are split between the sockets, a
	 * power of two each, so the pool need not grow with the queues.
	 */
	if (strchr(dev, '@') == NULL) {
		nq = pf_xsk_rx_queues(dev, err, errlen);
		if (nq < 0)
			return NULL;
		if (nq > MAX_XIN || PFRING_ZC_XDP_INPUT_BUFS / (uint32_t)nq < XDP_MIN_QUEUE_BUFS) {
			snprintf(err, errlen, "'%s' has %d RX queues: an AF_XDP input reads at "
				 "most %d (name one: zc:%s@QUEUE)", dev, nq,
				 PFRING_ZC_XDP_INPUT_BUFS / XDP_MIN_QUEUE_BUFS < MAX_XIN ?
				 PFRING_ZC_XDP_INPUT_BUFS / XDP_MIN_QUEUE_BUFS : MAX_XIN, dev);
			return NULL;
		}
	}
	for (per_queue = PFRING_ZC_XDP_INPUT_BUFS; per_queue * (uint32_t)nq >
		     PFRING_ZC_XDP_INPUT_BUFS; per_queue /= 2)
		;
	memset(&cfg, 0, sizeof(cfg));
	cfg.umem = c->base + c->hdr->buf_off;
	cfg.umem_len = c->hdr->buf_region_len;
	cfg.chunk = c->hdr->buf_stride;
	cfg.rx_size = cfg.fill_size = per_queue;
	cfg.comp_size = XDP_COMP_RING;
	/* A balancer reads a NIC's whole traffic, as PF_RING ZC's does. */
	ring = pf_xdp_open_ext(dev, &cfg, PF_RING_PROMISC, err, errlen);
	if (ring == NULL)
		return NULL;
	/* Every buffer is in exactly one of fill ring, RX ring and kernel, and
	 * the balancer returns one to a socket's fill ring per RX descriptor of
	 * that socket, so no fill ring (as big as its RX ring) overflows. */
	for (k = 0; (x = pf_xdp_xsk(ring, k)) != NULL; k++) {
		fill = x->fill.desc;
		for (i = 0; i < per_queue; i++) {
			b = pfring_zc_get_packet_handle(c);
			fill[i] = (uint64_t)zc_buf_idx(c->base, c->hdr, b) << c->hdr->buf_shift;
		}
		__atomic_store_n(x->fill.producer, per_queue, __ATOMIC_RELEASE);
	}
	return ring;
}

void
pfring_zc_worker_stats(pfring_zc_worker *w, pfring_zc_worker_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->in = __atomic_load_n(&w->pkts_in, __ATOMIC_RELAXED);
	st->filtered = __atomic_load_n(&w->filtered, __ATOMIC_RELAXED);
	st->failed = __atomic_load_n(&w->failed, __ATOMIC_ACQUIRE);
	if (st->failed)
		snprintf(st->error, sizeof(st->error), "%s", w->error);
}

void
pfring_zc_kill_worker(pfring_zc_worker *w, pfring_zc_worker_stat *final)
{
	uint64_t one = 1;

	if (w == NULL)
		return;
	w->stop = 1;
	if (write(w->stop_fd, &one, sizeof(one)) < 0) {
	}
	pthread_join(w->thread, NULL);
	if (final != NULL)
		pfring_zc_worker_stats(w, final);
	close(w->stop_fd);
	free(w->rb);
	free(w);
}
