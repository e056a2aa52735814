/*
 * pf_engine_packet.c - the packet engine: AF_PACKET sockets with TPACKET_V3
 * mmap rings, clusters as PACKET_FANOUT groups.  Works on any stock Linux,
 * no kernel module needed.
 *
 * Direction, RX-queue and snap length are enforced by a classic BPF prefix
 * in front of the user's filter, so unwanted packets never take ring space.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf_fanout.h"
#include "pf_flow.h"
#include "pf_ring.h"
#include "pf_engine_common.h"

#define MIN_BLOCK_SIZE (64u * 1024u)
#define MAX_BLOCK_SIZE (4u * 1024u * 1024u)
/*
 * Immediate mode retires a block every millisecond however little it
 * holds, so there a block is a few full-size slots and the ring has many of
 * them: the configured slots stay real buffering (a block retired with one
 * packet wastes a few slots, not an eighth of the ring).  Not fewer: the
 * kernel wakes the reader per block, and at 400 kpps of small frames 8
 * slots a block cost 6 times the CPU of 8 blocks a ring, 32 slots twice.
 */
#define IMMEDIATE_BLOCK_SLOTS 32u
#define IMMEDIATE_MIN_BLOCKS 64u

struct pkt_socket {
	uint8_t *map;
	size_t map_len;
	unsigned int block_size;
	unsigned int block_nr;
	unsigned int cur_block;
	struct tpacket_block_desc *block;  /* being read, or NULL */
	uint32_t pkts_left;
	struct tpacket3_hdr *next_pkt;
	uint64_t recv_total;               /* from PACKET_STATISTICS, which resets on read */
	uint64_t drop_total;
};

struct pkt_engine {
	struct pf_socket_set set;          /* first: see pf_socket_set_of() */
	struct pkt_socket socks[PF_MAX_DEVICES];
};

static struct pkt_engine *
engine_of(pfring *ring)
{
	return ring->engine;
}

static unsigned int
round_up_pow2(unsigned int v)
{
	unsigned int p = 1;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}


static int
attach_filter(pfring *ring, int fd, struct sock_filter *insns, unsigned short len)
{
	struct sock_fprog prog = { .len = len, .filter = insns };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "attaching the kernel filter: %s", strerror(errno));
	return 0;
}

static int
attach_drop_all(pfring *ring, int fd)
{
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);

	return attach_filter(ring, fd, &drop, 1);
}

/*
 * The filter the kernel runs: queue check, direction check, then the user's
 * program (its accept lengths capped at caplen) or "accept caplen bytes".
 * Each check drops with its own "ret #0", so no jump crosses the user's code.
 */
static int
build_filter(pfring *ring, int member, struct sock_filter **out, unsigned short *out_len)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	unsigned int caplen = ring->params.caplen;
	struct sock_filter *f;
	unsigned int n = 0, max, i;
	int queue = ring->devs.queue;

	max = 8 + (set->user_prog ? set->user_len : 1);
	if (max > BPF_MAXINSNS)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "filter too long for the kernel (%u instructions)", max);
	f = calloc(max, sizeof(*f));
	if (f == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	n += pf_engine_queue_filter(f + n, queue, set->queue_from_tx[member]);
	if (ring->cfg.direction != rx_and_tx_direction) {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						       SKF_AD_OFF + SKF_AD_PKTTYPE);
		if (ring->cfg.direction == rx_only_direction)
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							      PACKET_OUTGOING, 0, 1);
		else
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							      PACKET_OUTGOING, 1, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	}
	if (set->user_prog != NULL) {
		for (i = 0; i < set->user_len; i++) {
			f[n] = set->user_prog[i];
			if (f[n].code == (BPF_RET | BPF_K) && f[n].k > caplen)
				f[n].k = caplen;
			n++;
		}
	} else {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, caplen);
	}
	*out = f;
	*out_len = (unsigned short)n;
	return 0;
}

static int
install_filters(pfring *ring)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	struct sock_filter *f = NULL;
	unsigned short len = 0;
	int i, rc, prog_fd;

	/* Filtering rules in the kernel: their program does it all. */
	prog_fd = ring->rules != NULL ? pf_rules_set_prog_fd(ring->rules) : -1;
	if (prog_fd >= 0) {
		/* One program for every member: one queue numbering. */
		for (i = 1; i < set->n_socks && ring->devs.queue >= 0; i++) {
			if (set->queue_from_tx[i] != set->queue_from_tx[0])
				return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
						     "filtering rules on RX queue %d of '%s' and "
						     "'%s': a veth and another device number "
						     "queues differently; open one ring each",
						     ring->devs.queue, ring->devs.devices[0],
						     ring->devs.devices[i]);
		}
		if (pf_rules_set_queue_from_tx(ring->rules, set->queue_from_tx[0]) < 0)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					     "updating the filtering rules: %s", strerror(errno));
		for (i = 0; i < set->n_socks; i++) {
			if (setsockopt(set->fds[i], SOL_SOCKET, SO_ATTACH_BPF,
				       &prog_fd, sizeof(prog_fd)) < 0)
				return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
						     "attaching the filtering rules: %s",
						     strerror(errno));
		}
		return 0;
	}
	/* Per member: devices may number their queues differently. */
	for (i = 0; i < set->n_socks; i++) {
		rc = build_filter(ring, i, &f, &len);
		if (rc < 0)
			return rc;
		rc = attach_filter(ring, set->fds[i], f, len);
		free(f);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The TPACKET_V3 block size for a ring of ring_bytes whose slot (one
 * full-size frame with its header) is slot_size.  Buffered: 8 blocks, so a
 * wake-up brings many packets.  Immediate (1 ms block timeout): blocks of
 * IMMEDIATE_BLOCK_SLOTS slots, or smaller so the ring has at least
 * IMMEDIATE_MIN_BLOCKS of them.  Either way a power of two (the kernel
 * allocates whole page orders), at least a page and at least one slot.
 */
static unsigned int
block_size_for(size_t ring_bytes, unsigned int slot_size, int immediate)
{
	unsigned int bs, page = (unsigned int)sysconf(_SC_PAGESIZE);

	if (immediate) {
		bs = round_up_pow2(IMMEDIATE_BLOCK_SLOTS * slot_size);
		while (bs > page && (size_t)bs * IMMEDIATE_MIN_BLOCKS > ring_bytes)
			bs >>= 1;
	} else {
		bs = round_up_pow2((unsigned int)(ring_bytes / 8));
		if (bs < MIN_BLOCK_SIZE)
			bs = MIN_BLOCK_SIZE;
		if (bs > MAX_BLOCK_SIZE)
			bs = MAX_BLOCK_SIZE;
	}
	if (bs < page)
		bs = page;
	while (bs < slot_size)
		bs <<= 1;
	return bs;
}

static int
setup_ring(pfring *ring, struct pkt_socket *s, int fd, int mtu)
{
	const struct pf_open_params *p = &ring->params;
	struct tpacket_req3 req;
	unsigned int slot_size;
	size_t ring_bytes;
	int version = TPACKET_V3;

	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
				     "TPACKET_V3: %s", strerror(errno));
	slot_size = TPACKET_ALIGN(TPACKET3_HDRLEN + pf_engine_frame_max(mtu, p->caplen));
	ring_bytes = pf_engine_ring_bytes(ring, slot_size);

	s->block_size = block_size_for(ring_bytes, slot_size, p->block_timeout_ms == 1);
	s->block_nr = (unsigned int)((ring_bytes + s->block_size - 1) / s->block_size);
	if (s->block_nr < 2)
		s->block_nr = 2;

	memset(&req, 0, sizeof(req));
	req.tp_block_size = s->block_size;
	req.tp_block_nr = s->block_nr;
	req.tp_frame_size = TPACKET_ALIGNMENT << 7;
	req.tp_frame_nr = (s->block_size / req.tp_frame_size) * s->block_nr;
	req.tp_retire_blk_tov = p->block_timeout_ms > 0 ? (unsigned int)p->block_timeout_ms : 0;
	if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "PACKET_RX_RING (%u blocks of %u bytes): %s",
				     s->block_nr, s->block_size, strerror(errno));
	s->map_len = (size_t)s->block_size * s->block_nr;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_LOCKED | MAP_POPULATE, fd, 0);
	if (s->map == MAP_FAILED) /* MAP_LOCKED can exceed RLIMIT_MEMLOCK */
		s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_POPULATE, fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "mmap of the ring (%zu bytes): %s",
				     s->map_len, strerror(errno));
	}
	return 0;
}

static void
close_member(pfring *ring, int i)
{
	struct pkt_socket *s = &engine_of(ring)->socks[i];

	if (s->map != NULL)
		munmap(s->map, s->map_len);
}

static int
open_member(pfring *ring, int i, const char *name)
{
	struct pkt_engine *pe = engine_of(ring);
	int *fd = &pe->set.fds[i];
	int mtu = 1500, rc;

	/* Protocol 0: nothing arrives until enable binds ETH_P_ALL. */
	*fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "AF_PACKET socket: %s%s",
				     strerror(errno), errno == EPERM ? " (needs CAP_NET_RAW)" : "");
	rc = pf_engine_check_device(ring, name, ring->devs.queue, &mtu);
	if (rc < 0)
		return rc;
	rc = attach_drop_all(ring, *fd);
	if (rc < 0)
		return rc;
	if (!(ring->params.flags & PF_RING_TX_ONLY)) {
		rc = setup_ring(ring, &pe->socks[i], *fd, mtu);
		if (rc < 0)
			return rc;
	}
	if (ring->params.flags & PF_RING_PROMISC)
		return pf_engine_promisc(ring, *fd, pe->set.ifindex[i], name);
	return 0;
}

static int
join_member(pfring *ring, int i)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	char err[PF_ERRBUF_SIZE];
	int mode, prog_fd = -1, arg;

	if (set->cluster == cluster_round_robin) {
		mode = PACKET_FANOUT_LB;
	} else {
		prog_fd = pf_fanout_prog_load(set->cluster, err, sizeof(err));
		if (prog_fd >= 0) {
			mode = PACKET_FANOUT_EBPF;
		} else if (errno == EPERM && set->cluster == cluster_per_flow) {
			/*
			 * No eBPF for this process (dumpcap runs with
			 * CAP_NET_RAW only): the kernel's own symmetric flow
			 * hash still keeps each flow on one member, only not
			 * the member pf_flow_hash() names.
			 */
			mode = PACKET_FANOUT_HASH;
			snprintf(ring->notice, sizeof(ring->notice),
				 "cluster %u: no permission to load eBPF; flows are spread by "
				 "the kernel's flow hash, not pfring-pcap's", set->cluster_id);
		} else {
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					     "cluster %u (%s): cannot load the flow hash program: %s",
					     set->cluster_id, pf_cluster_type_name(set->cluster), err);
		}
	}
	arg = (int)(set->cluster_id | ((unsigned int)mode << 16));
	if (setsockopt(set->fds[i], SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0) {
		int e = errno;

		if (prog_fd >= 0)
			close(prog_fd);
		return pf_socket_set_join_error(ring, e);
	}
	if (prog_fd >= 0) {
		int rc = setsockopt(set->fds[i], SOL_PACKET, PACKET_FANOUT_DATA,
				    &prog_fd, sizeof(prog_fd));
		int e = errno;

		close(prog_fd);
		if (rc < 0)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					     "attaching the flow hash to cluster %u: %s",
					     set->cluster_id, strerror(e));
	}
	return 0;
}

static const struct pf_socket_set_ops packet_set_ops = {
	.open_member = open_member,
	.close_member = close_member,
	.join = join_member,
	.install_filter = install_filters,
};

static int
packet_open(pfring *ring, const struct pf_open_params *params)
{
	struct pkt_engine *pe;
	int rc;

	(void)params; /* ring->params */
	pe = calloc(1, sizeof(*pe));
	if (pe == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	ring->engine = pe;
	rc = pf_socket_set_open(ring, &pe->set, &packet_set_ops);
	if (rc < 0)
		pf_socket_set_close(ring);
	return rc;
}

static int
packet_enable(pfring *ring)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	struct sockaddr_ll sll;
	int i, rc;

	for (i = 0; i < set->n_socks; i++) {
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_ifindex = set->ifindex[i];
		sll.sll_protocol = (ring->params.flags & PF_RING_TX_ONLY) ? 0 : htons(ETH_P_ALL);
		if (bind(set->fds[i], (struct sockaddr *)&sll, sizeof(sll)) < 0)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "bind to '%s': %s",
					     ring->devs.devices[i], strerror(errno));
	}
	rc = pf_socket_set_join(ring);
	if (rc < 0)
		return rc;
	return install_filters(ring);
}

static void
release_block(struct pkt_socket *s)
{
	/* The kernel may refill the block as soon as it sees this store. */
	__atomic_store_n(&s->block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	s->block = NULL;
	s->cur_block = (s->cur_block + 1) % s->block_nr;
}

/* Move to the next block the kernel handed over; 0 when there is none. */
static int
socket_take_block(struct pkt_socket *s)
{
	struct tpacket_block_desc *bd;

	for (;;) {
		if (s->block != NULL)
			release_block(s);
		bd = (struct tpacket_block_desc *)(s->map + (size_t)s->cur_block * s->block_size);
		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return 0;
		s->block = bd;
		s->pkts_left = bd->hdr.bh1.num_pkts;
		s->next_pkt = (struct tpacket3_hdr *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
		if (s->pkts_left != 0)
			return 1;
	}
}

/*
 * The kernel took the VLAN tag out of the frame (offload); put it back so
 * the packet is what was on the wire.  The sockaddr_ll before the frame has
 * been read by then and may be overwritten.  Returns the frame's new start.
 */
static u_char *
restore_vlan(struct tpacket3_hdr *tp, u_char *data, uint32_t *caplen, uint32_t *len)
{
	uint16_t tpid, tci;

	if (*caplen < 12 || tp->tp_mac < TPACKET_ALIGN(sizeof(*tp)) + PF_VLAN_TAG_LEN)
		return data;
	tpid = htons((tp->tp_status & TP_STATUS_VLAN_TPID_VALID) ?
		     tp->hv1.tp_vlan_tpid : ETH_P_8021Q);
	tci = htons(tp->hv1.tp_vlan_tci);
	data -= PF_VLAN_TAG_LEN;
	memmove(data, data + PF_VLAN_TAG_LEN, 12);
	memcpy(data + 12, &tpid, 2);
	memcpy(data + 14, &tci, 2);
	*caplen += PF_VLAN_TAG_LEN;
	*len += PF_VLAN_TAG_LEN;
	return data;
}

static struct tpacket3_hdr *
socket_pop(struct pkt_socket *s)
{
	struct tpacket3_hdr *tp = s->next_pkt;

	s->pkts_left--;
	s->next_pkt = (struct tpacket3_hdr *)((uint8_t *)tp + tp->tp_next_offset);
	return tp;
}

static int
socket_next(pfring *ring, struct pkt_socket *s, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	struct tpacket3_hdr *tp;
	struct sockaddr_ll *sll;
	u_char *data;

	if (s->pkts_left == 0 && !socket_take_block(s))
		return 0;
	tp = socket_pop(s);
	sll = (struct sockaddr_ll *)((uint8_t *)tp + TPACKET_ALIGN(sizeof(*tp)));
	data = (u_char *)tp + tp->tp_mac;
	hdr->caplen = tp->tp_snaplen;
	hdr->len = tp->tp_len;
	hdr->extended_hdr.timestamp_ns = (uint64_t)tp->tp_sec * 1000000000ull + tp->tp_nsec;
	hdr->ts.tv_sec = tp->tp_sec;
	hdr->ts.tv_usec = (ring->params.flags & PF_RING_NANO_TIMESTAMP) ?
		(suseconds_t)tp->tp_nsec : (suseconds_t)(tp->tp_nsec / 1000);
	hdr->extended_hdr.flags = 0;
	hdr->extended_hdr.rx_direction = sll->sll_pkttype != PACKET_OUTGOING;
	hdr->extended_hdr.if_index = sll->sll_ifindex;
	hdr->extended_hdr.vlan_id = 0;
	if (tp->tp_status & TP_STATUS_VLAN_VALID) {
		data = restore_vlan(tp, data, &hdr->caplen, &hdr->len);
		hdr->extended_hdr.vlan_id = tp->hv1.tp_vlan_tci & 0x0fff;
	}
	/* With the tag back in the frame this is the hash the fanout used. */
	hdr->extended_hdr.pkt_hash = (ring->params.flags & PF_RING_LONG_HEADER) ?
		pf_flow_hash_packet(data, hdr->caplen, cluster_per_flow) : 0;
	*pkt = data;
	return 1;
}

/*
 * A frame the kernel took the VLAN tag out of: put it back (the rare path,
 * out of line so the loop below keeps no register for it).  The tag can
 * push the frame past caplen, which the header must not exceed.
 */
static __attribute__((noinline)) u_char *
vlan_frame(const pfring *ring, struct tpacket3_hdr *tp, struct pfring_pcap_pkthdr *h)
{
	u_char *data;

	data = restore_vlan(tp, (u_char *)tp + tp->tp_mac, &h->caplen, &h->len);
	if (h->caplen > ring->params.caplen)
		h->caplen = ring->params.caplen;
	return data;
}

/*
 * Nanoseconds to microseconds: n / 1000 as the compiler emits it for a
 * 32-bit n (exact for every uint32_t), done in 64 bits so the result goes
 * into tv_usec without another zero extension.
 */
static inline uint64_t
ns_to_us(uint32_t ns)
{
	return ((uint64_t)ns * 0x10624dd3u) >> 38;
}

/*
 * The fast path: walk todo (> 0) packets of a block and call the receiver
 * directly; h lives across iterations.  The kernel's filter already cut
 * packets to caplen.  Inlined once per timestamp precision, so the loop
 * does not test it.  A break (pcap_breakloop() from the callback or a
 * signal) stops after the packet just delivered.
 */
static inline __attribute__((always_inline)) uint32_t
walk_block(pfring *ring, struct tpacket3_hdr **tpp, uint32_t todo,
	   pfring_pcap_handler cb, u_char *user, const int nano)
{
	volatile int *const stop = &ring->break_loop;
	struct tpacket3_hdr *tp = *tpp;
	struct pfring_pcap_pkthdr h;
	uint32_t left = todo;
	u_char *data;

	for (;;) {
		h.ts.tv_sec = tp->tp_sec;
		h.ts.tv_usec = nano ? (suseconds_t)tp->tp_nsec : (suseconds_t)ns_to_us(tp->tp_nsec);
		h.caplen = tp->tp_snaplen;
		h.len = tp->tp_len;
		if (__builtin_expect(tp->tp_status & TP_STATUS_VLAN_VALID, 0))
			data = vlan_frame(ring, tp, &h);
		else
			data = (u_char *)tp + tp->tp_mac;
		cb(user, &h, data);
		tp = (struct tpacket3_hdr *)((uint8_t *)tp + tp->tp_next_offset);
		if (--left == 0 || __builtin_expect(*stop, 0))
			break;
	}
	*tpp = tp;
	return todo - left;
}

static int
socket_burst(pfring *ring, struct pkt_socket *s, int max, pfring_pcap_handler cb, u_char *user)
{
	const int nano = (ring->params.flags & PF_RING_NANO_TIMESTAMP) != 0;
	struct tpacket3_hdr *tp;
	uint32_t done, todo;
	int n = 0;

	while (max <= 0 || n < max) {
		if (s->pkts_left == 0 && !socket_take_block(s))
			break;
		todo = s->pkts_left;
		if (max > 0 && todo > (uint32_t)(max - n))
			todo = (uint32_t)(max - n);
		tp = s->next_pkt;
		done = nano ? walk_block(ring, &tp, todo, cb, user, 1) :
			walk_block(ring, &tp, todo, cb, user, 0);
		s->pkts_left -= done;
		s->next_pkt = tp;
		n += (int)done;
		if (ring->break_loop)
			break;
	}
	return n;
}

static int
member_burst(pfring *ring, int i, int max, pfring_pcap_handler cb, u_char *user)
{
	return socket_burst(ring, &engine_of(ring)->socks[i], max, cb, user);
}

static int
packet_burst(pfring *ring, int max, pfring_pcap_handler cb, u_char *user)
{
	return pf_socket_set_burst(ring, max, member_burst, cb, user);
}

static int
member_next(pfring *ring, int i, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	return socket_next(ring, &engine_of(ring)->socks[i], pkt, hdr);
}

static int
packet_next(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	return pf_socket_set_next(ring, member_next, pkt, hdr);
}

static int
packet_send(pfring *ring, const u_char *pkt, u_int len)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	struct sockaddr_ll sll;
	ssize_t n;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = set->ifindex[0];
	sll.sll_halen = ETH_ALEN;
	if (len >= ETH_ALEN)
		memcpy(sll.sll_addr, pkt, ETH_ALEN);
	n = sendto(set->fds[0], pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	return pf_engine_send_result(ring, n);
}

static int
packet_stats(pfring *ring, pfring_stat *stats)
{
	struct pkt_engine *pe = engine_of(ring);
	struct tpacket_stats_v3 st;
	socklen_t len;
	int i;

	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < pe->set.n_socks; i++) {
		struct pkt_socket *s = &pe->socks[i];

		if (s->map != NULL) {
			len = sizeof(st);
			if (getsockopt(pe->set.fds[i], SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
				return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
						     "PACKET_STATISTICS: %s", strerror(errno));
			/* tp_packets counts the dropped ones too. */
			s->recv_total += st.tp_packets - st.tp_drops;
			s->drop_total += st.tp_drops;
		}
		stats->recv += s->recv_total;
		stats->drop += s->drop_total;
	}
	return 0;
}

static int
packet_remove_from_cluster(pfring *ring)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);

	if (set->joined)
		return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
				     "an AF_PACKET socket cannot leave its cluster: close the ring");
	set->cluster_id = 0;
	return 0;
}

static int
packet_set_bpf(pfring *ring, const struct sock_fprog *prog)
{
	if (prog != NULL && ring->rules != NULL && pf_rules_set_prog_fd(ring->rules) >= 0)
		return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
				     "the kernel runs the filtering rules: a BPF filter must "
				     "run in user space");
	return pf_socket_set_bpf(ring, prog);
}

static int
packet_set_direction(pfring *ring, packet_direction direction)
{
	(void)direction; /* already in ring->cfg, which the filter reads */
	return ring->enabled ? install_filters(ring) : 0;
}

static int
packet_rules_changed(pfring *ring)
{
	if (pf_socket_set_of(ring)->user_prog != NULL && ring->rules != NULL &&
	    pf_rules_set_prog_fd(ring->rules) >= 0)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_STATE,
				     "remove the BPF filter before adding filtering rules");
	return install_filters(ring);
}

const struct pf_engine_ops pf_engine_packet = {
	.name = "packet",
	.open = packet_open,
	.close = pf_socket_set_close,
	.enable = packet_enable,
	.next = packet_next,
	.burst = packet_burst,
	.send = packet_send,
	.stats = packet_stats,
	.set_cluster = pf_socket_set_cluster,
	.remove_from_cluster = packet_remove_from_cluster,
	.set_bpf = packet_set_bpf,
	.set_direction = packet_set_direction,
	.selectable_fd = pf_socket_set_selectable_fd,
	.rules_changed = packet_rules_changed,
};
