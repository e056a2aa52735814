/*
 * pf_engine_common.h - what the socket-based engines (packet, kmod) do alike:
 * the socket set (one kernel socket per device of the ring, its cluster and
 * the user's BPF filter) and the checks and sizes of their rings.
 */
#ifndef PF_ENGINE_COMMON_H
#define PF_ENGINE_COMMON_H

#include <linux/filter.h>
#include <sys/types.h>

#include "pf_ring.h"

#define PF_VLAN_TAG_LEN 4
/* Unless slots or a buffer size are given, a large MTU (lo: 64 KiB) must not
 * turn the default slot count into hundreds of megabytes per ring. */
#define PF_DEFAULT_RING_MAX (16u * 1024u * 1024u)

/* What an engine on a socket set does in its own ring format. */
struct pf_socket_set_ops {
	/* Open member i on device name into set->fds[i] (set->ifindex[i] is
	 * known) with its ring; nothing is received until enable. */
	int (*open_member)(pfring *ring, int i, const char *name);
	/* Release what the engine keeps for member i (its ring); the set
	 * closes the member's fd after. */
	void (*close_member)(pfring *ring, int i);
	/* Join member i to set->cluster_id as set->cluster; on failure
	 * pf_socket_set_join_error() says why. */
	int (*join)(pfring *ring, int i);
	/* Give every member the kernel filter with set->user_prog. */
	int (*install_filter)(pfring *ring);
};

/*
 * The state an engine on kernel sockets keeps for the whole ring.  The
 * engine's own state (one calloc) starts with it: ring->engine points at
 * both, and pf_socket_set_close() frees both.
 */
struct pf_socket_set {
	const struct pf_socket_set_ops *ops;
	int n_socks;
	int fds[PF_MAX_DEVICES];           /* -1: not open */
	int ifindex[PF_MAX_DEVICES];
	int epoll_fd;                      /* when n_socks > 1 */
	int next_sock;                     /* round robin over devices */
	u_int cluster_id;                  /* 0 = none */
	cluster_type cluster;
	int joined;
	struct sock_filter *user_prog;     /* copy of the user's filter, or NULL */
	unsigned short user_len;
	/* Member i's device leaves the sender's TX queue in queue_mapping
	 * (veth): see pf_engine_queue_filter(). */
	int queue_from_tx[PF_MAX_DEVICES];
};

static inline struct pf_socket_set *
pf_socket_set_of(pfring *ring)
{
	return ring->engine;
}

/* One member per device of the ring, in order, and the epoll fd over them;
 * < 0 with the reason on the ring, and pf_socket_set_close() is needed. */
int pf_socket_set_open(pfring *ring, struct pf_socket_set *set,
		       const struct pf_socket_set_ops *ops);
/* Join the cluster set_cluster() recorded, unless already in it (enable). */
int pf_socket_set_join(pfring *ring);
/* The error for a join the kernel refused with errno e. */
int pf_socket_set_join_error(pfring *ring, int e);

/* pf_engine_ops entries with the same meaning for every socket set. */
void pf_socket_set_close(pfring *ring);
int pf_socket_set_cluster(pfring *ring, u_int id, cluster_type type);
int pf_socket_set_bpf(pfring *ring, const struct sock_fprog *prog);
int pf_socket_set_selectable_fd(pfring *ring);

typedef int (*pf_member_next)(pfring *ring, int i, const u_char **pkt,
			      struct pfring_pkthdr *hdr);
typedef int (*pf_member_burst)(pfring *ring, int i, int max, pfring_pcap_handler cb, u_char *user);

/* The next packet of the first member that has one, starting with the one
 * that had the last (fewer cache misses); set->next_sock is that member. */
static inline __attribute__((always_inline)) int
pf_socket_set_next(pfring *ring, pf_member_next next, const u_char **pkt,
		   struct pfring_pkthdr *hdr)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);
	int i, idx;

	for (i = 0; i < set->n_socks; i++) {
		idx = (set->next_sock + i) % set->n_socks;
		if (next(ring, idx, pkt, hdr) == 1) {
			set->next_sock = idx;
			return 1;
		}
	}
	return 0;
}

/* Up to max (<= 0: all) packets from the members in turn (see
 * pf_engine_ops.burst); inlined, so burst is a direct call. */
static inline __attribute__((always_inline)) int
pf_socket_set_burst(pfring *ring, int max, pf_member_burst burst, pfring_pcap_handler cb,
		    u_char *user)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);
	int i, n = 0;

	for (i = 0; i < set->n_socks && (max <= 0 || n < max); i++) {
		n += burst(ring, (set->next_sock + i) % set->n_socks, max <= 0 ? 0 : max - n,
			   cb, user);
		if (ring->break_loop)
			break;
	}
	/* Start with the next device next time, so none starves. */
	set->next_sock = (set->next_sock + 1) % set->n_socks;
	return n;
}

/*
 * The device can be captured: it exists, is Ethernet-framed (pcap reports
 * DLT_EN10MB for every packet), and has RX queue queue (-1: any).  Sets
 * *mtu.  0, or a PF_RING error code with the reason on the ring.
 */
int pf_engine_check_device(pfring *ring, const char *name, int queue, int *mtu);

/* Promiscuous mode on device ifindex, held by AF_PACKET socket fd until it
 * closes; 0, or a PF_RING error code with the reason on the ring. */
int pf_engine_promisc(pfring *ring, int fd, int ifindex, const char *name);
/* An fd holding promiscuous mode on the interface, or a PF_RING_ERROR_*. */
int pf_engine_hold_promisc(pfring *ring, int ifindex, const char *name);

/* The frame a slot must hold: one of full size (MTU, Ethernet header, two
 * VLAN tags), at most caplen. */
uint32_t pf_engine_frame_max(int mtu, uint32_t caplen);

/* The bytes of a receive ring of slot_size slots: the buffer size asked for,
 * else the configured slots; PF_DEFAULT_RING_MAX at most unless either was
 * given. */
size_t pf_engine_ring_bytes(const pfring *ring, size_t slot_size);

/* What a send() on the ring's first device returned, as pfring_send()
 * returns it: bytes sent, PF_RING_ERROR_NO_TX_SLOT_AVAILABLE (try again) or
 * an error with the reason on the ring. */
int pf_engine_send_result(pfring *ring, ssize_t n);

/*
 * 1 if device name numbers its RX queues in skb->queue_mapping as the
 * sender's TX queue (a veth: its RX queue q takes what its peer sends on TX
 * queue q, and keeps queue_mapping q), 0 if it records RX queue q as q + 1
 * (skb_record_rx_queue(): drivers of real NICs, tun, virtio_net; 0 there
 * means not recorded, which a single-queue device is).
 */
int pf_engine_queue_from_tx(const char *name);

/* Classic BPF that rejects packets not received on RX queue queue (-1:
 * none, returns 0), numbered as AF_XDP numbers it (the driver's queue
 * index), on a device numbering as pf_engine_queue_from_tx() says; writes
 * at most 4 instructions to f, returns how many. */
unsigned int pf_engine_queue_filter(struct sock_filter *f, int queue, int from_tx);

#endif /* PF_ENGINE_COMMON_H */
