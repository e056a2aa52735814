/*
 * pf_engine_xdp.c - the AF_XDP engine for "zc:<interface>[@<queue>]".
 *
 * One AF_XDP socket on one RX queue (default 0) with its own UMEM: the
 * first half of the frames feed the fill ring, the second half carry
 * transmitted packets.  Our XDP program (bpf/xdp_redirect.bpf.c, loaded
 * with libbpf) redirects that queue to the socket.  The socket is bound
 * zero-copy when the driver can, in copy mode otherwise; the engine's name
 * says which ("xdp-zerocopy" / "xdp-copy").  The program is attached
 * through a BPF link: the kernel uses the driver's native hook if it has one.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pf_ring.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define FRAME_SIZE 2048u
#define N_FRAMES   4096u
#define RING_SIZE  2048u   /* every ring; RX frames = fill ring size */
#define BURST      64

extern const unsigned char pf_xdp_bpf_obj[];
extern const uint64_t pf_xdp_bpf_obj_size;

struct xring {
	uint32_t *producer;
	uint32_t *consumer;
	void *desc;
	void *map;
	size_t map_len;
	uint32_t mask;
};

struct xdp_engine {
	int fd;
	int ifindex;
	uint32_t queue;
	struct bpf_link *link;
	int map_fd;                   /* the XSKMAP, or -1 */
	struct bpf_object *obj;
	uint8_t *umem;
	struct xring rx, tx, fill, comp;
	uint32_t tx_free[N_FRAMES / 2];
	uint32_t n_tx_free;
	uint64_t recv;
	uint32_t held;                /* RX descriptors handed out by next() */
	int zerocopy;
};

static const struct pf_engine_ops xdp_ops_copy, xdp_ops_zerocopy;

static struct xdp_engine *
xe_of(pfring *ring)
{
	return ring->engine;
}

static int
map_ring(pfring *ring, struct xdp_engine *xe, struct xring *r, const struct xdp_ring_offset *off,
	 size_t desc_size, off_t pgoff)
{
	r->map_len = off->desc + RING_SIZE * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		      xe->fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "mapping an AF_XDP ring: %s",
				     strerror(errno));
	}
	r->producer = (uint32_t *)((uint8_t *)r->map + off->producer);
	r->consumer = (uint32_t *)((uint8_t *)r->map + off->consumer);
	r->desc = (uint8_t *)r->map + off->desc;
	r->mask = RING_SIZE - 1;
	return 0;
}

static void
xdp_close(pfring *ring)
{
	struct xdp_engine *xe = xe_of(ring);
	struct xring *rs[4];
	int i;

	if (xe == NULL)
		return;
	/* The map's reference would keep the socket (and its queue binding)
	 * alive until the map is freed later; drop it now so the queue can be
	 * bound again at once. */
	if (xe->map_fd >= 0)
		bpf_map_delete_elem(xe->map_fd, &xe->queue);
	if (xe->link != NULL)
		bpf_link__destroy(xe->link);
	if (xe->obj != NULL)
		bpf_object__close(xe->obj);
	rs[0] = &xe->rx;
	rs[1] = &xe->tx;
	rs[2] = &xe->fill;
	rs[3] = &xe->comp;
	for (i = 0; i < 4; i++)
		if (rs[i]->map != NULL)
			munmap(rs[i]->map, rs[i]->map_len);
	if (xe->fd >= 0)
		close(xe->fd);
	if (xe->umem != NULL)
		munmap(xe->umem, (size_t)N_FRAMES * FRAME_SIZE);
	free(xe);
	ring->engine = NULL;
}

static int
load_program(pfring *ring, struct xdp_engine *xe)
{
	struct bpf_program *prog;
	uint32_t key = xe->queue;
	int map_fd;
	long rc;

	xe->obj = bpf_object__open_mem(pf_xdp_bpf_obj, (size_t)pf_xdp_bpf_obj_size, NULL);
	if (xe->obj == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "opening the XDP program: %s",
				     strerror(errno));
	if (bpf_object__load(xe->obj) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "loading the XDP program: %s (needs CAP_BPF/root)",
				     strerror(errno));
	prog = bpf_object__find_program_by_name(xe->obj, "pf_xdp_redirect");
	map_fd = bpf_object__find_map_fd_by_name(xe->obj, "pf_xsks");
	if (prog == NULL || map_fd < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "the XDP program is incomplete");
	/*
	 * A BPF link, not a netlink attach: it goes away with the last fd, so
	 * the interface is cleaned up even when the program has dropped root
	 * before closing (Debian's tcpdump runs as user tcpdump by then).  The
	 * kernel takes the driver's native hook when there is one.
	 */
	xe->link = bpf_program__attach_xdp(prog, xe->ifindex);
	if (xe->link == NULL) {
		rc = -errno;
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "attaching XDP to '%s': %s%s",
				     ring->devs.devices[0], strerror(-rc),
				     rc == -EBUSY || rc == -EEXIST ?
				     " (another XDP program is attached)" : "");
	}
	if (bpf_map_update_elem(map_fd, &key, &xe->fd, BPF_ANY) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "adding the socket to the XDP map: %s", strerror(errno));
	xe->map_fd = map_fd;
	return 0;
}

static int
xdp_open(pfring *ring, const struct pf_open_params *params)
{
	struct xdp_engine *xe;
	struct xdp_umem_reg mr;
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sxdp;
	socklen_t optlen;
	uint32_t i, n = RING_SIZE;
	uint64_t *fill;
	int rc;

	(void)params;
	xe = calloc(1, sizeof(*xe));
	if (xe == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	ring->engine = xe;
	xe->fd = -1;
	xe->map_fd = -1;
	xe->queue = ring->devs.queue < 0 ? 0 : (uint32_t)ring->devs.queue;
	xe->ifindex = (int)if_nametoindex(ring->devs.devices[0]);
	if (xe->ifindex == 0) {
		rc = pf_ring_error(ring, PF_RING_ERROR_UNKNOWN_ADAPTER, "no such interface '%s'",
				   ring->devs.devices[0]);
		goto fail;
	}
	xe->umem = mmap(NULL, (size_t)N_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (xe->umem == MAP_FAILED) {
		xe->umem = NULL;
		rc = pf_ring_error(ring, PF_RING_ERROR_GENERIC, "UMEM: %s", strerror(errno));
		goto fail;
	}
	xe->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (xe->fd < 0) {
		rc = pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED, "AF_XDP socket: %s",
				   strerror(errno));
		goto fail;
	}
	memset(&mr, 0, sizeof(mr));
	mr.addr = (uint64_t)(uintptr_t)xe->umem;
	mr.len = (uint64_t)N_FRAMES * FRAME_SIZE;
	mr.chunk_size = FRAME_SIZE;
	if (setsockopt(xe->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) < 0 ||
	    setsockopt(xe->fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(xe->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(xe->fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(xe->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) < 0) {
		rc = pf_ring_error(ring, PF_RING_ERROR_GENERIC, "setting up the UMEM and rings: %s",
				   strerror(errno));
		goto fail;
	}
	optlen = sizeof(off);
	if (getsockopt(xe->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen) < 0) {
		rc = pf_ring_error(ring, PF_RING_ERROR_GENERIC, "XDP_MMAP_OFFSETS: %s",
				   strerror(errno));
		goto fail;
	}
	if ((rc = map_ring(ring, xe, &xe->rx, &off.rx, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING)) < 0 ||
	    (rc = map_ring(ring, xe, &xe->tx, &off.tx, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING)) < 0 ||
	    (rc = map_ring(ring, xe, &xe->fill, &off.fr, sizeof(uint64_t),
			   (off_t)XDP_UMEM_PGOFF_FILL_RING)) < 0 ||
	    (rc = map_ring(ring, xe, &xe->comp, &off.cr, sizeof(uint64_t),
			   (off_t)XDP_UMEM_PGOFF_COMPLETION_RING)) < 0)
		goto fail;
	/* Frames 0..RING_SIZE-1 receive, the rest transmit. */
	fill = xe->fill.desc;
	for (i = 0; i < RING_SIZE; i++)
		fill[i] = (uint64_t)i * FRAME_SIZE;
	__atomic_store_n(xe->fill.producer, RING_SIZE, __ATOMIC_RELEASE);
	for (i = 0; i < N_FRAMES - RING_SIZE; i++)
		xe->tx_free[xe->n_tx_free++] = RING_SIZE + i;

	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = (uint32_t)xe->ifindex;
	sxdp.sxdp_queue_id = xe->queue;
	sxdp.sxdp_flags = XDP_ZEROCOPY;
	if (bind(xe->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) == 0) {
		xe->zerocopy = 1;
	} else {
		sxdp.sxdp_flags = XDP_COPY;
		/* EBUSY: a socket closed just before may still hold the queue
		 * until the kernel finishes releasing it. */
		for (i = 0; (rc = bind(xe->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) < 0 &&
			    errno == EBUSY && i < 100; i++)
			usleep(10000);
		if (rc < 0) {
			rc = pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					   "binding AF_XDP to '%s' queue %u: %s%s",
					   ring->devs.devices[0], xe->queue, strerror(errno),
					   errno == EINVAL ? " (no such queue?)" : "");
			goto fail;
		}
	}
	rc = load_program(ring, xe);
	if (rc < 0)
		goto fail;
	/* The name carries the mode obtained: pfcount and zcount print it. */
	ring->ops = xe->zerocopy ? &xdp_ops_zerocopy : &xdp_ops_copy;
	return 0;
fail:
	xdp_close(ring);
	return rc;
}

static int
xdp_enable(pfring *ring)
{
	(void)ring;
	return 0;
}

/* Hand the frames of the last n RX descriptors back to the fill ring. */
static void
rx_release(struct xdp_engine *xe, uint32_t n)
{
	struct xdp_desc *rx = xe->rx.desc;
	uint64_t *fill = xe->fill.desc;
	uint32_t cons = *xe->rx.consumer, fprod = *xe->fill.producer, i;

	/* RX and fill rings have the same size and every frame is in exactly
	 * one of them, so the fill ring always has room. */
	for (i = 0; i < n; i++)
		fill[(fprod + i) & xe->fill.mask] = rx[(cons + i) & xe->rx.mask].addr;
	__atomic_store_n(xe->fill.producer, fprod + n, __ATOMIC_RELEASE);
	__atomic_store_n(xe->rx.consumer, cons + n, __ATOMIC_RELEASE);
	xe->recv += n;
}

static void
now(pfring *ring, struct timeval *tv, uint64_t *ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = (ring->params.flags & PF_RING_NANO_TIMESTAMP) ?
		(suseconds_t)ts.tv_nsec : (suseconds_t)(ts.tv_nsec / 1000);
}

static int
xdp_next(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	struct xdp_engine *xe = xe_of(ring);
	struct xdp_desc *d;
	uint32_t prod, cons;

	if (xe->held) {
		rx_release(xe, xe->held);
		xe->held = 0;
	}
	prod = __atomic_load_n(xe->rx.producer, __ATOMIC_ACQUIRE);
	cons = *xe->rx.consumer;
	if (prod == cons)
		return 0;
	d = &((struct xdp_desc *)xe->rx.desc)[cons & xe->rx.mask];
	memset(hdr, 0, sizeof(*hdr));
	now(ring, &hdr->ts, &hdr->extended_hdr.timestamp_ns);
	hdr->len = d->len;
	hdr->caplen = d->len < ring->params.caplen ? d->len : ring->params.caplen;
	hdr->extended_hdr.rx_direction = 1;
	hdr->extended_hdr.if_index = xe->ifindex;
	*pkt = xe->umem + d->addr;
	xe->held = 1;
	return 1;
}

static int
xdp_burst(pfring *ring, int max, pf_burst_cb cb, u_char *user)
{
	struct xdp_engine *xe = xe_of(ring);
	struct xdp_desc *rx = xe->rx.desc, *d;
	struct pf_pcap_hdr h;
	uint64_t ns;
	uint32_t prod, cons, avail, i;
	int n = 0;

	if (xe->held) {
		rx_release(xe, xe->held);
		xe->held = 0;
	}
	while (max <= 0 || n < max) {
		prod = __atomic_load_n(xe->rx.producer, __ATOMIC_ACQUIRE);
		cons = *xe->rx.consumer;
		avail = prod - cons;
		if (avail == 0)
			break;
		if (avail > BURST)
			avail = BURST;
		if (max > 0 && avail > (uint32_t)(max - n))
			avail = (uint32_t)(max - n);
		/* No per-packet time in AF_XDP descriptors: one stamp per burst. */
		now(ring, &h.ts, &ns);
		for (i = 0; i < avail;) {
			d = &rx[(cons + i) & xe->rx.mask];
			h.len = d->len;
			h.caplen = d->len < ring->params.caplen ? d->len : ring->params.caplen;
			cb(user, &h, xe->umem + d->addr);
			i++;
			if (ring->break_loop)
				break;
		}
		rx_release(xe, i);
		n += (int)i;
		if (ring->break_loop)
			break;
	}
	return n;
}

static void
reclaim_tx(struct xdp_engine *xe)
{
	uint64_t *comp = xe->comp.desc;
	uint32_t prod = __atomic_load_n(xe->comp.producer, __ATOMIC_ACQUIRE);
	uint32_t cons = *xe->comp.consumer;

	for (; cons != prod; cons++)
		xe->tx_free[xe->n_tx_free++] = (uint32_t)(comp[cons & xe->comp.mask] / FRAME_SIZE);
	__atomic_store_n(xe->comp.consumer, cons, __ATOMIC_RELEASE);
}

static int
xdp_send(pfring *ring, const u_char *pkt, u_int len)
{
	struct xdp_engine *xe = xe_of(ring);
	struct xdp_desc *tx = xe->tx.desc;
	uint32_t prod, frame;

	if (len > FRAME_SIZE)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "packet of %u bytes: AF_XDP frames hold %u", len, FRAME_SIZE);
	reclaim_tx(xe);
	prod = *xe->tx.producer;
	if (xe->n_tx_free == 0 ||
	    prod - __atomic_load_n(xe->tx.consumer, __ATOMIC_ACQUIRE) >= RING_SIZE) {
		/* Kick the kernel so completions come back for the next try. */
		sendto(xe->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
		return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
	}
	frame = xe->tx_free[--xe->n_tx_free];
	memcpy(xe->umem + (uint64_t)frame * FRAME_SIZE, pkt, len);
	tx[prod & xe->tx.mask].addr = (uint64_t)frame * FRAME_SIZE;
	tx[prod & xe->tx.mask].len = len;
	tx[prod & xe->tx.mask].options = 0;
	__atomic_store_n(xe->tx.producer, prod + 1, __ATOMIC_RELEASE);
	if (sendto(xe->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "AF_XDP send: %s", strerror(errno));
	return (int)len;
}

static int
xdp_stats(pfring *ring, pfring_stat *stats)
{
	struct xdp_engine *xe = xe_of(ring);
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	memset(stats, 0, sizeof(*stats));
	memset(&st, 0, sizeof(st));
	if (getsockopt(xe->fd, SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "XDP_STATISTICS: %s",
				     strerror(errno));
	stats->recv = xe->recv + xe->held;
	/* Frames the kernel had no room for: RX ring full or no fill buffer. */
	stats->drop = st.rx_dropped + st.rx_ring_full + st.rx_fill_ring_empty_descs;
	return 0;
}

static int
xdp_set_cluster(pfring *ring, u_int id, cluster_type type)
{
	(void)id;
	(void)type;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%s: AF_XDP sockets do not join kernel clusters; "
			     "use zbalance for a ZC cluster", ring->devs.devices[0]);
}

static int
xdp_remove_from_cluster(pfring *ring)
{
	(void)ring;
	return 0;
}

static int
xdp_set_bpf(pfring *ring, const struct sock_fprog *prog)
{
	if (prog == NULL)
		return 0;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%s: filters run in the application (libpcap filters in user space)",
			     ring->devs.devices[0]);
}

static int
xdp_set_direction(pfring *ring, packet_direction direction)
{
	if (direction == rx_and_tx_direction || direction == rx_only_direction)
		return 0;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%s: AF_XDP sees received packets only", ring->devs.devices[0]);
}

static int
xdp_selectable_fd(pfring *ring)
{
	return xe_of(ring)->fd;
}

#define XDP_OPS(n)                                              \
	{                                                       \
		.name = n,                                      \
		.open = xdp_open,                               \
		.close = xdp_close,                             \
		.enable = xdp_enable,                           \
		.next = xdp_next,                               \
		.burst = xdp_burst,                             \
		.send = xdp_send,                               \
		.stats = xdp_stats,                             \
		.set_cluster = xdp_set_cluster,                 \
		.remove_from_cluster = xdp_remove_from_cluster, \
		.set_bpf = xdp_set_bpf,                         \
		.set_direction = xdp_set_direction,             \
		.selectable_fd = xdp_selectable_fd,             \
	}

const struct pf_engine_ops pf_engine_xdp = XDP_OPS("xdp");
static const struct pf_engine_ops xdp_ops_copy = XDP_OPS("xdp-copy");
static const struct pf_engine_ops xdp_ops_zerocopy = XDP_OPS("xdp-zerocopy");
