/*
 * pf_engine_xdp.c - the AF_XDP engine for "zc:<interface>[@<queue>]".
 *
 * One AF_XDP socket (a channel) per RX queue read: zc:IF@Q reads queue Q,
 * zc:IF every RX queue of IF in one handle (PF_RING's multichannel: one
 * selectable fd, an epoll set over the sockets; bursts and next() take
 * the channels in turn; statistics are summed).  Each channel has its own
 * UMEM: the first half of the frames feed the fill ring, the second half
 * carry transmitted packets (sent on the first channel).  Our XDP program
 * (bpf/xdp_redirect.bpf.c), one per interface shared with every other
 * socket of ours there (pf_xsk.c), redirects each queue to its socket.  A
 * socket is bound zero-copy when the driver can, in copy mode otherwise;
 * the engine's name says which ("xdp-zerocopy" / "xdp-copy"), and so does
 * the capture's notice.
 * The socket set-up is pf_xsk.c's, shared with the ZC balancer, whose
 * AF_XDP input is this engine over the cluster's memory (pf_xdp_open_ext,
 * params.umem: no TX, the fill ring and the program are the balancer's).
 *
 * Frames redirected to the socket never reach the kernel's network stack,
 * so opening on the interface that holds a default route is refused unless
 * the configuration allows it (xdp_allow_default_route), and a capture says
 * what it does in its notice.
 */
#include <errno.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf_ring.h"
#include "pf_engine_common.h"
#include "pf_engine_xdp.h"

#define FRAME_SIZE 2048u
#define N_FRAMES   4096u
#define RING_SIZE  2048u   /* every ring; RX frames = fill ring size */
#define BURST      256
/*
 * Buffered mode: AF_XDP has no block timeout, so a reader woken by the
 * first frame would take a few frames per wake-up (at 1000 pps in the NIC
 * guest: 407 instructions a packet; 54 with what follows, bench/README.md).
 * When a burst follows a wait in pfring_poll() and finds fewer than
 * COALESCE_MIN frames, it sleeps first, 1 ms and then twice as long each
 * time the frames are still fewer, COALESCE_MAX_NS in all at most and
 * never past the caller's wait, as a TPACKET_V3 block is handed over at
 * its timeout: many frames per wake-up.  Immediate mode never waits, nor does a caller
 * that waits by itself (pcap's non-blocking mode with select()).
 */
#define COALESCE_MIN    64
#define COALESCE_NS     1000000L
#define COALESCE_MAX_NS 64000000L

/* One socket on one RX queue. */
struct xdp_chan {
	struct pf_xsk x;
	uint8_t *own_umem;            /* NULL: the UMEM is the opener's (params.umem) */
	uint32_t tx_free[N_FRAMES / 2];
	uint32_t n_tx_free;
	uint32_t held;                /* RX descriptors handed out by next() */
};

struct xdp_engine {
	struct xdp_chan *ch;
	uint32_t n_ch;
	uint32_t next_ch;             /* round robin: the channel to read first */
	int epfd;                     /* several channels: their sockets, or -1 */
	int own_umem;                 /* the engine's own UMEMs (a capture) */
	int promisc_fd;               /* holds promiscuous mode, or -1 */
	int coalesce;                 /* buffered mode: see COALESCE_NS */
};

static struct xdp_engine *
xe_of(pfring *ring)
{
	return ring->engine;
}

static void
xdp_close(pfring *ring)
{
	struct xdp_engine *xe = xe_of(ring);
	uint32_t i;

	if (xe == NULL)
		return;
	for (i = 0; i < xe->n_ch; i++) {
		pf_xsk_close(&xe->ch[i].x);
		if (xe->ch[i].own_umem != NULL)
			munmap(xe->ch[i].own_umem, (size_t)N_FRAMES * FRAME_SIZE);
	}
	if (xe->epfd >= 0)
		close(xe->epfd);
	if (xe->promisc_fd >= 0)
		close(xe->promisc_fd);
	free(xe->ch);
	free(xe);
	ring->engine = NULL;
}

/* Default routes through ifname in this network namespace, by family. */
#define DEFAULT_ROUTE_IPV4 1u
#define DEFAULT_ROUTE_IPV6 2u

/*
 * /proc/net/route (the main table; of a multipath route, its first hop):
 * "Iface Destination Gateway Flags RefCnt Use Metric Mask ...", in hex.
 * /proc/net/ipv6_route (every table): "dest plen src plen nexthop metric
 * refcnt use flags dev"; ::/0 on lo with RTF_REJECT is the kernel's
 * placeholder, not a route.  A missing file (no IPv6) holds no route.
 */
static unsigned int
default_route_families(const char *ifname)
{
	char line[512], dev[IF_NAMESIZE], dest6[33];
	unsigned int dest, flags, mask, plen, found = 0;
	FILE *f;

	f = fopen("/proc/net/route", "re");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "%15s %x %*x %x %*d %*u %*d %x", dev, &dest, &flags,
				   &mask) == 4 &&
			    dest == 0 && mask == 0 && (flags & RTF_UP) && strcmp(dev, ifname) == 0)
				found |= DEFAULT_ROUTE_IPV4;
		}
		fclose(f);
	}
	f = fopen("/proc/net/ipv6_route", "re");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "%32s %x %*s %*x %*s %*x %*x %*x %x %15s", dest6, &plen,
				   &flags, dev) == 4 &&
			    plen == 0 && strspn(dest6, "0") == 32 && (flags & RTF_UP) &&
			    !(flags & RTF_REJECT) && strcmp(dev, ifname) == 0)
				found |= DEFAULT_ROUTE_IPV6;
		}
		fclose(f);
	}
	return found;
}

/* Refuse ifname while it holds a default route, unless configured. */
static int
check_default_route(pfring *ring, const char *ifname)
{
	unsigned int fam;

	if (ring->cfg.xdp_allow_default_route)
		return 0;
	fam = default_route_families(ifname);
	if (fam == 0)
		return 0;
	return pf_ring_error(ring, PF_RING_ERROR_WRONG_CONFIGURATION,
			     "%s holds the default route (%s): zc:%s would take the packets it "
			     "receives from the kernel's network stack; to capture anyway set "
			     "PFRING_XDP_ALLOW_DEFAULT_ROUTE=1 or xdp_allow_default_route = 1",
			     ifname, fam == DEFAULT_ROUTE_IPV4 ? "IPv4" :
			     fam == DEFAULT_ROUTE_IPV6 ? "IPv6" : "IPv4 and IPv6", ifname);
}

/* Open channel c on RX queue q: its socket, and for a capture its UMEM,
 * fill ring and place in the interface's XDP program. */
static int
chan_open(pfring *ring, struct xdp_chan *c, uint32_t q, const struct pf_open_params *params)
{
	struct pf_xsk_config cfg;
	uint64_t *fill;
	uint32_t i;
	int rc;

	c->x.fd = -1;
	c->x.map_fd = -1;
	c->x.link_fd = -1;
	if (params->umem != NULL) {
		cfg = *params->umem;
	} else {
		c->own_umem = mmap(NULL, (size_t)N_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (c->own_umem == MAP_FAILED) {
			c->own_umem = NULL;
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "UMEM: %s", strerror(errno));
		}
		cfg.umem = c->own_umem;
		cfg.umem_len = (size_t)N_FRAMES * FRAME_SIZE;
		cfg.chunk = FRAME_SIZE;
		cfg.rx_size = cfg.tx_size = cfg.fill_size = cfg.comp_size = RING_SIZE;
	}
	rc = pf_xsk_open(&c->x, ring->devs.devices[0], q, &cfg, ring->errbuf,
			 sizeof(ring->errbuf));
	if (rc < 0 || c->own_umem == NULL)
		return rc;
	/* Frames 0..RING_SIZE-1 receive, the rest transmit. */
	fill = c->x.fill.desc;
	for (i = 0; i < RING_SIZE; i++)
		fill[i] = (uint64_t)i * FRAME_SIZE;
	__atomic_store_n(c->x.fill.producer, RING_SIZE, __ATOMIC_RELEASE);
	for (i = 0; i < N_FRAMES - RING_SIZE; i++)
		c->tx_free[c->n_tx_free++] = RING_SIZE + i;
	return pf_xsk_attach(&c->x, "pf_xdp_redirect", ring->errbuf, sizeof(ring->errbuf));
}

static int
xdp_open(pfring *ring, const struct pf_open_params *params)
{
	struct epoll_event ev;
	struct xdp_engine *xe;
	uint32_t i, first = 0, n = 1;
	int rc;

	rc = check_default_route(ring, ring->devs.devices[0]);
	if (rc < 0)
		return rc;
	if (ring->devs.queue >= 0) {
		first = (uint32_t)ring->devs.queue;
	} else {
		/* zc:IF: every RX queue. */
		rc = pf_xsk_rx_queues(ring->devs.devices[0], ring->errbuf, sizeof(ring->errbuf));
		if (rc < 0)
			return rc;
		n = (uint32_t)rc;
	}
	xe = calloc(1, sizeof(*xe));
	if (xe != NULL)
		xe->ch = calloc(n, sizeof(*xe->ch));
	if (xe == NULL || xe->ch == NULL) {
		free(xe);
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	}
	ring->engine = xe;
	xe->epfd = -1;
	xe->promisc_fd = -1;
	xe->own_umem = params->umem == NULL;
	for (i = 0; i < n; i++) {
		xe->n_ch = i + 1;
		rc = chan_open(ring, &xe->ch[i], first + i, params);
		if (rc < 0)
			goto fail;
	}
	if (n > 1) {
		xe->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (xe->epfd < 0) {
			rc = pf_ring_error(ring, PF_RING_ERROR_GENERIC, "epoll: %s", strerror(errno));
			goto fail;
		}
		for (i = 0; i < n; i++) {
			memset(&ev, 0, sizeof(ev));
			ev.events = EPOLLIN;
			ev.data.u32 = i;
			if (epoll_ctl(xe->epfd, EPOLL_CTL_ADD, xe->ch[i].x.fd, &ev) < 0) {
				rc = pf_ring_error(ring, PF_RING_ERROR_GENERIC, "epoll: %s",
						   strerror(errno));
				goto fail;
			}
		}
	}
	/* A NIC filters frames for other MACs before XDP sees them: a SPAN
	 * port's traffic needs promiscuous mode, as with pfring:IF. */
	if (ring->params.flags & PF_RING_PROMISC) {
		xe->promisc_fd = pf_engine_hold_promisc(ring, xe->ch[0].x.ifindex,
							ring->devs.devices[0]);
		if (xe->promisc_fd < 0) {
			rc = xe->promisc_fd;
			goto fail;
		}
	}
	xe->coalesce = !(ring->params.flags & PF_RING_IMMEDIATE);
	return 0;
fail:
	xdp_close(ring);
	return rc;
}

pfring *
pf_xdp_open_ext(const char *dev, const struct pf_xsk_config *cfg, uint32_t flags,
		char *err, size_t errlen)
{
	struct pf_devname dn;
	char name[64];

	if ((size_t)snprintf(name, sizeof(name), "zc:%s", dev) >= sizeof(name)) {
		snprintf(err, errlen, "zc:%s: name too long", dev);
		return NULL;
	}
	if (pf_devname_parse(name, &dn, NULL, 0) < 0 || dn.devs.cluster_id != 0) {
		snprintf(err, errlen, "%s: an interface name expected (zc:IF or zc:IF@QUEUE)", name);
		return NULL;
	}
	return pf_ring_open_name(name, PF_RING_DEFAULT_CAPLEN, flags, cfg, err, errlen);
}

struct pf_xsk *
pf_xdp_xsk(pfring *ring, uint32_t i)
{
	if (ring == NULL || ring->ops != &pf_engine_xdp || i >= xe_of(ring)->n_ch)
		return NULL;
	return &xe_of(ring)->ch[i].x;
}

int
pf_xdp_xsk_stats(pfring *ring, struct xdp_statistics *sum)
{
	struct xdp_statistics st;
	struct pf_xsk *x;
	uint32_t i;

	memset(sum, 0, sizeof(*sum));
	if (pf_xdp_xsk(ring, 0) == NULL)
		return PF_RING_ERROR_NOT_SUPPORTED;
	for (i = 0; (x = pf_xdp_xsk(ring, i)) != NULL; i++) {
		if (pf_xsk_stats(x, &st) < 0)
			return PF_RING_ERROR_GENERIC;
		sum->rx_dropped += st.rx_dropped;
		sum->rx_invalid_descs += st.rx_invalid_descs;
		sum->tx_invalid_descs += st.tx_invalid_descs;
		sum->rx_ring_full += st.rx_ring_full;
		sum->rx_fill_ring_empty_descs += st.rx_fill_ring_empty_descs;
		sum->tx_ring_empty_descs += st.tx_ring_empty_descs;
	}
	return 0;
}

/*
 * A capture (the engine's own UMEM) says what it does to the host: set at
 * enable, after the rules' notice (rules in user space), which follows it.
 */
static int
xdp_enable(pfring *ring)
{
	struct xdp_engine *xe = xe_of(ring);
	char other[sizeof(ring->notice)], queues[32];
	const char *ifname = ring->devs.devices[0];
	size_t len;

	if (!xe->own_umem)
		return 0;
	snprintf(other, sizeof(other), "%s", ring->notice);
	if (xe->n_ch == 1)
		snprintf(queues, sizeof(queues), "RX queue %u", xe->ch[0].x.queue);
	else
		snprintf(queues, sizeof(queues), "RX queues 0-%u", xe->n_ch - 1);
	snprintf(ring->notice, sizeof(ring->notice),
		 "zc:%s: AF_XDP capture (%s): packets received on %s %s are taken from "
		 "the kernel's network stack while this runs (RX only)", ifname,
		 xe->ch[0].x.zerocopy ? "zero copy" : "copy mode", ifname, queues);
	len = strlen(ring->notice);
	if (other[0] != '\0')
		snprintf(ring->notice + len, sizeof(ring->notice) - len, "; %s", other);
	return 0;
}

/* Hand the frames of the last n RX descriptors back to the fill ring. */
static void
rx_release(struct xdp_chan *xe, uint32_t n)
{
	struct xdp_desc *rx = xe->x.rx.desc;
	uint64_t *fill = xe->x.fill.desc;
	uint32_t cons = *xe->x.rx.consumer, fprod = *xe->x.fill.producer, i;

	/* RX and fill rings have the same size and every frame is in exactly
	 * one of them, so the fill ring always has room. */
	for (i = 0; i < n; i++)
		fill[(fprod + i) & xe->x.fill.mask] = rx[(cons + i) & xe->x.rx.mask].addr;
	__atomic_store_n(xe->x.fill.producer, fprod + n, __ATOMIC_RELEASE);
	__atomic_store_n(xe->x.rx.consumer, cons + n, __ATOMIC_RELEASE);
	xe->x.rx_count += n;
	pf_xsk_refilled(&xe->x);
}

/* The frame next() handed out goes back to its fill ring. */
static void
release_held(struct xdp_engine *e)
{
	uint32_t i;

	for (i = 0; i < e->n_ch; i++)
		if (e->ch[i].held) {
			rx_release(&e->ch[i], e->ch[i].held);
			e->ch[i].held = 0;
		}
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
	struct xdp_engine *e = xe_of(ring);
	struct xdp_chan *xe;
	struct xdp_desc *d;
	uint32_t prod, cons, k;

	release_held(e);
	for (k = 0; k < e->n_ch; k++) {
		xe = &e->ch[e->next_ch];
		e->next_ch = e->next_ch + 1 == e->n_ch ? 0 : e->next_ch + 1;
		prod = __atomic_load_n(xe->x.rx.producer, __ATOMIC_ACQUIRE);
		cons = *xe->x.rx.consumer;
		if (prod == cons)
			continue;
		d = &((struct xdp_desc *)xe->x.rx.desc)[cons & xe->x.rx.mask];
		memset(hdr, 0, sizeof(*hdr));
		now(ring, &hdr->ts, &hdr->extended_hdr.timestamp_ns);
		hdr->len = d->len;
		hdr->caplen = d->len < ring->params.caplen ? d->len : ring->params.caplen;
		hdr->extended_hdr.rx_direction = 1;
		hdr->extended_hdr.if_index = xe->x.ifindex;
		*pkt = xe->x.umem + d->addr;
		xe->held = 1;
		return 1;
	}
	return 0;
}

/* Up to max (<= 0: all) frames of one channel. */
static int
chan_burst(pfring *ring, struct xdp_chan *xe, int max, pfring_pcap_handler cb, u_char *user)
{
	struct pf_xsk *x = &xe->x;
	const struct xdp_desc *rx = x->rx.desc, *d, *dend;
	uint64_t *fill = x->fill.desc, *fp, ns, addr;
	uint32_t rmask = x->rx.mask, fmask = x->fill.mask;
	uint32_t caplen = ring->params.caplen, prod, cons, fprod, avail, i;
	uint8_t *umem = x->umem;
	struct pfring_pcap_pkthdr h;
	int n = 0;

	cons = *x->rx.consumer;
	fprod = *x->fill.producer;
	while (max <= 0 || n < max) {
		prod = __atomic_load_n(x->rx.producer, __ATOMIC_ACQUIRE);
		avail = prod - cons;
		if (avail == 0)
			break;
		if (avail > BURST)
			avail = BURST;
		if (max > 0 && avail > (uint32_t)(max - n))
			avail = (uint32_t)(max - n);
		/* A run that wraps neither the RX nor the fill ring: pointers. */
		if (avail > rmask + 1 - (cons & rmask))
			avail = rmask + 1 - (cons & rmask);
		if (avail > fmask + 1 - (fprod & fmask))
			avail = fmask + 1 - (fprod & fmask);
		/* No per-packet time in AF_XDP descriptors: one stamp per burst. */
		now(ring, &h.ts, &ns);
		d = &rx[cons & rmask];
		dend = d + avail;
		fp = &fill[fprod & fmask];
		while (d != dend) {
			addr = d->addr;
			h.len = d->len;
			h.caplen = h.len < caplen ? h.len : caplen;
			/* The frame's fill entry, written now (nothing live
			 * across the call), reaches the kernel only with the
			 * producer update after the loop, when the callback is
			 * done with the frame.  RX and fill rings have the same
			 * size and every frame is in one of them: there is room. */
			*fp++ = addr;
			d++;
			cb(user, &h, umem + addr);
			if (ring->break_loop)
				break;
		}
		i = (uint32_t)(avail - (uint32_t)(dend - d));
		cons += i;
		fprod += i;
		__atomic_store_n(x->fill.producer, fprod, __ATOMIC_RELEASE);
		__atomic_store_n(x->rx.consumer, cons, __ATOMIC_RELEASE);
		__atomic_store_n(&x->rx_count, x->rx_count + i, __ATOMIC_RELAXED);
		n += (int)i;
		pf_xsk_refilled(x);
		if (ring->break_loop)
			break;
	}
	return n;
}

static uint32_t
rx_avail(const struct xdp_engine *e)
{
	uint32_t k, avail = 0;

	for (k = 0; k < e->n_ch; k++)
		avail += __atomic_load_n(e->ch[k].x.rx.producer, __ATOMIC_ACQUIRE) -
			 *e->ch[k].x.rx.consumer;
	return avail;
}

/* See COALESCE_MIN.  A signal or pfring_breakloop() ends the wait. */
static void
coalesce(pfring *ring, const struct xdp_engine *e)
{
	long step = COALESCE_NS, slept = 0, limit = COALESCE_MAX_NS;
	struct timespec t;
	uint32_t avail;

	if (ring->poll_wait_ms >= 0 && (long)ring->poll_wait_ms * 1000000L < limit)
		limit = (long)ring->poll_wait_ms * 1000000L;
	avail = rx_avail(e);
	while (avail > 0 && avail < COALESCE_MIN && slept + step <= limit && !ring->break_loop) {
		t.tv_sec = 0;
		t.tv_nsec = step;
		if (nanosleep(&t, NULL) < 0)
			break;
		slept += step;
		step *= 2;
		avail = rx_avail(e);
	}
}

static int
xdp_burst(pfring *ring, int max, pfring_pcap_handler cb, u_char *user)
{
	struct xdp_engine *e = xe_of(ring);
	uint32_t k;
	int n = 0, got;

	release_held(e);
	if (ring->polled && e->coalesce)
		coalesce(ring, e);
	/* The channels in turn, each from where the last burst stopped. */
	for (k = 0; k < e->n_ch && (max <= 0 || n < max) && !ring->break_loop; k++) {
		got = chan_burst(ring, &e->ch[e->next_ch], max <= 0 ? 0 : max - n, cb, user);
		e->next_ch = e->next_ch + 1 == e->n_ch ? 0 : e->next_ch + 1;
		n += got;
	}
	ring->polled = 0;
	return n;
}

static void
reclaim_tx(struct xdp_chan *xe)
{
	uint64_t *comp = xe->x.comp.desc;
	uint32_t prod = __atomic_load_n(xe->x.comp.producer, __ATOMIC_ACQUIRE);
	uint32_t cons = *xe->x.comp.consumer;

	for (; cons != prod; cons++)
		xe->tx_free[xe->n_tx_free++] = (uint32_t)(comp[cons & xe->x.comp.mask] / FRAME_SIZE);
	__atomic_store_n(xe->x.comp.consumer, cons, __ATOMIC_RELEASE);
}

static int
xdp_send(pfring *ring, const u_char *pkt, u_int len)
{
	struct xdp_chan *xe = &xe_of(ring)->ch[0];
	struct xdp_desc *tx = xe->x.tx.desc;
	uint32_t prod, frame;

	if (xe->own_umem == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
				     "zc:%s: this AF_XDP socket only receives", ring->devs.devices[0]);
	if (len > FRAME_SIZE)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "packet of %u bytes: AF_XDP frames hold %u", len, FRAME_SIZE);
	reclaim_tx(xe);
	prod = *xe->x.tx.producer;
	if (xe->n_tx_free == 0 ||
	    prod - __atomic_load_n(xe->x.tx.consumer, __ATOMIC_ACQUIRE) >= RING_SIZE) {
		/* Kick the kernel so completions come back for the next try. */
		sendto(xe->x.fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
		return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
	}
	frame = xe->tx_free[--xe->n_tx_free];
	memcpy(xe->x.umem + (uint64_t)frame * FRAME_SIZE, pkt, len);
	tx[prod & xe->x.tx.mask].addr = (uint64_t)frame * FRAME_SIZE;
	tx[prod & xe->x.tx.mask].len = len;
	tx[prod & xe->x.tx.mask].options = 0;
	__atomic_store_n(xe->x.tx.producer, prod + 1, __ATOMIC_RELEASE);
	if (sendto(xe->x.fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
	    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "AF_XDP send: %s", strerror(errno));
	return (int)len;
}

static int
xdp_stats(pfring *ring, pfring_stat *stats)
{
	struct xdp_engine *e = xe_of(ring);
	struct xdp_statistics st;
	uint32_t k;

	memset(stats, 0, sizeof(*stats));
	if (pf_xdp_xsk_stats(ring, &st) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "XDP_STATISTICS: %s",
				     strerror(errno));
	for (k = 0; k < e->n_ch; k++)
		stats->recv += __atomic_load_n(&e->ch[k].x.rx_count, __ATOMIC_RELAXED) +
			e->ch[k].held;
	/*
	 * Frames the kernel had no room for, each once.  rx_ring_full: the RX
	 * ring was full.  rx_dropped: too long for a frame, or (copy mode) no
	 * buffer: the kernel's copy takes one from the fill ring, and when it
	 * is empty counts the frame in rx_dropped and the failed take in
	 * rx_fill_ring_empty_descs too (net/xdp/xsk.c __xsk_rcv, 6.1 to 6.18),
	 * so adding that counter counted every such loss twice.  In zero-copy
	 * mode the driver takes the buffers and rx_dropped never counts a
	 * missing one: there the fill-ring counter is the only sign (the
	 * driver's failed refills, not frames).
	 */
	stats->drop = st.rx_dropped + st.rx_ring_full;
	if (e->ch[0].x.zerocopy)
		stats->drop += st.rx_fill_ring_empty_descs;
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

/* One socket, or the epoll set of all of them (readable when one is). */
static int
xdp_selectable_fd(pfring *ring)
{
	struct xdp_engine *e = xe_of(ring);

	return e->epfd >= 0 ? e->epfd : e->ch[0].x.fd;
}

/* The mode the socket was bound in: pfcount and zcount print it. */
static const char *
xdp_mode_name(pfring *ring)
{
	return xe_of(ring)->ch[0].x.zerocopy ? "xdp-zerocopy" : "xdp-copy";
}

const struct pf_engine_ops pf_engine_xdp = {
	.name = "xdp",
	.mode_name = xdp_mode_name,
	.open = xdp_open,
	.close = xdp_close,
	.enable = xdp_enable,
	.next = xdp_next,
	.burst = xdp_burst,
	.send = xdp_send,
	.stats = xdp_stats,
	.set_cluster = xdp_set_cluster,
	.remove_from_cluster = xdp_remove_from_cluster,
	.set_bpf = xdp_set_bpf,
	.set_direction = xdp_set_direction,
	.selectable_fd = xdp_selectable_fd,
};
