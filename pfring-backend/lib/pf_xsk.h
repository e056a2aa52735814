/*
 * pf_xsk.h - one AF_XDP socket: UMEM registration, the four rings, the bind
 * (zero copy when the driver can, copy mode otherwise, need_wakeup in both
 * when the kernel has it) and our XDP program (bpf/xdp_redirect.bpf.c),
 * one per interface, shared by every socket of ours on it: the first opener
 * loads it and attaches it through a BPF link, later ones take their own fd
 * on that link and on its XSKMAP (keyed by RX queue), so the program stays
 * while any user holds a link fd and goes with the last one (a kill -9
 * included, and no privilege is needed to close).  Shared by the
 * zc:<interface> engine (its own UMEM) and the ZC balancer's AF_XDP input
 * (the cluster's buffer memory as UMEM).
 */
#ifndef PF_XSK_H
#define PF_XSK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/if_xdp.h>
#include <sys/socket.h>

#include "pfring.h"

struct pf_xsk_ring {
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;      /* XDP_RING_NEED_WAKEUP */
	void *desc;           /* struct xdp_desc[] (RX, TX) or uint64_t[] (fill, completion) */
	void *map;
	size_t map_len;
	uint32_t mask;
};

struct pf_xsk_config {
	void *umem;           /* page aligned */
	size_t umem_len;      /* a multiple of chunk */
	uint32_t chunk;       /* power of 2, 2048..4096: frame data at chunk + 256 */
	uint32_t rx_size;     /* ring sizes, powers of 2; 0: no such ring */
	uint32_t tx_size;
	uint32_t fill_size;
	uint32_t comp_size;
};

struct pf_xsk {
	int fd;
	int ifindex;
	uint32_t queue;
	int zerocopy;
	int need_wakeup;               /* bound with XDP_USE_NEED_WAKEUP */
	uint64_t rx_count;             /* RX descriptors consumed (pfring_stats' recv) */
	uint8_t *umem;
	struct pf_xsk_ring rx, tx, fill, comp;
	int link_fd;                   /* our fd on the interface's XDP link, or -1 */
	int map_fd;                    /* the XSKMAP once this socket is in it, or -1 */
	void *bss;                     /* the program's .bss, mapped read-only */
	size_t bss_len;
	const volatile uint32_t *meta_failed; /* the hash programs could not store metadata */
};

/* Open and bind a socket on ifname's RX queue; the fill ring starts empty
 * and no program runs yet.  < 0 (PF_RING_ERROR_*) with the reason in err;
 * pf_xsk_close() is needed either way. */
int pf_xsk_open(struct pf_xsk *x, const char *ifname, uint32_t queue,
		const struct pf_xsk_config *cfg, char *err, size_t errlen);
/* Join program prog of xdp_redirect.bpf.c (pf_xdp_redirect, or
 * pf_xdp_hash_<type>) on the interface, loading and attaching it when no
 * program runs there, and put the socket into its map.  Another program on
 * the interface (not ours, or ours in another variant) is an error naming it. */
int pf_xsk_attach(struct pf_xsk *x, const char *prog, char *err, size_t errlen);
void pf_xsk_close(struct pf_xsk *x);
int pf_xsk_stats(struct pf_xsk *x, struct xdp_statistics *st);
/* After refilling: the driver asked (XDP_RING_NEED_WAKEUP on the fill
 * ring) to be told that buffers are there, so it runs again.  Without
 * need_wakeup the driver polls the fill ring by itself. */
static inline void
pf_xsk_refilled(const struct pf_xsk *x)
{
	if (x->need_wakeup &&
	    (__atomic_load_n(x->fill.flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP))
		(void)recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}
/* The RX queues of ifname (/sys/class/net/IF/queues/rx-*), >= 1; < 0 with
 * the reason in err. */
int pf_xsk_rx_queues(const char *ifname, char *err, size_t errlen);

#endif /* PF_XSK_H */
