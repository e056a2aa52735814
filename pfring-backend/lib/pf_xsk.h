/*
 * pf_xsk.h - one AF_XDP socket: UMEM registration, the four rings, the bind
 * (zero copy when the driver can, copy mode otherwise) and our XDP program
 * (bpf/xdp_redirect.bpf.c) attached through a BPF link.  Shared by the
 * zc:<interface> engine (its own UMEM) and the ZC balancer's AF_XDP input
 * (the cluster's buffer memory as UMEM).
 */
#ifndef PF_XSK_H
#define PF_XSK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/if_xdp.h>

#include "pfring.h"

struct bpf_link;
struct bpf_object;

struct pf_xsk_ring {
	uint32_t *producer;
	uint32_t *consumer;
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
	uint64_t rx_count;             /* RX descriptors consumed (pfring_stats' recv) */
	uint8_t *umem;
	struct pf_xsk_ring rx, tx, fill, comp;
	struct bpf_object *obj;
	struct bpf_link *link;
	int map_fd;                    /* the XSKMAP once this socket is in it, or -1 */
	const volatile uint32_t *meta_failed; /* the hash programs could not store metadata */
};

/* Open and bind a socket on ifname's RX queue; the fill ring starts empty
 * and no program runs yet.  < 0 (PF_RING_ERROR_*) with the reason in err;
 * pf_xsk_close() is needed either way. */
int pf_xsk_open(struct pf_xsk *x, const char *ifname, uint32_t queue,
		const struct pf_xsk_config *cfg, char *err, size_t errlen);
/* Load and attach program prog of xdp_redirect.bpf.c (pf_xdp_redirect, or
 * pf_xdp_hash_<type>) and put the socket into its map. */
int pf_xsk_attach(struct pf_xsk *x, const char *prog, char *err, size_t errlen);
void pf_xsk_close(struct pf_xsk *x);
int pf_xsk_stats(struct pf_xsk *x, struct xdp_statistics *st);

#endif /* PF_XSK_H */
