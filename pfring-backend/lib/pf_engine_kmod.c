/*
 * pf_engine_kmod.c - the kmod engine: rings of the pf_ring kernel module
 * (kernel/pf_ring.c), spoken to through common/pf_ring_abi.h.
 *
 * One PF_RING socket per device, its slot ring mapped once.  The module does
 * direction, clusters (the shared flow hash of pf_flow.h, so a flow lands on
 * the member index the packet engine gives it), classic BPF, sampling and
 * the poll watermark itself; an RX queue is selected by a BPF prefix.
 * Filtering rules run in the module too (before the BPF filter and sampling,
 * with the shared matcher of pf_rules.h): the ring's pf_rules_set hands every
 * change to kmod_rules below, which copies it to each receiving socket and
 * sums the module's counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf_ring_abi.h"
#include "pf_ring.h"
#include "pf_engine_common.h"

/* remove_idx is handed back this often during a long burst, so the kernel
 * can refill slots while the application still works through the rest. */
#define PUBLISH_EVERY 64u

struct kmod_sock {
	int promisc_fd;            /* AF_PACKET socket holding promiscuous mode */
	uint8_t *map;
	size_t map_len;
	struct pfr_ring_header *hdr;
	uint8_t *slots;
	uint32_t num_slots;
	uint32_t slot_size;
	uint32_t cur;              /* slot of remove, remove % num_slots */
	uint64_t remove;           /* next slot to read */
};

struct kmod_engine {
	struct pf_socket_set set;  /* first: see pf_socket_set_of() */
	struct kmod_sock socks[PF_MAX_DEVICES];
	struct kmod_sock *held;    /* next() handed out a slot of this socket */
	uint32_t kernel_rate;      /* sampling the module applies */
	uint32_t watermark;        /* the module's poll watermark */
};

static struct kmod_engine *
engine_of(pfring *ring)
{
	return ring->engine;
}

static int
set_opt(int fd, int opt, const void *val, socklen_t len)
{
	return setsockopt(fd, SOL_PF_RING, opt, val, len);
}

static int
set_u32(int fd, int opt, uint32_t v)
{
	return set_opt(fd, opt, &v, sizeof(v));
}

/* What the loaded module calls itself, for messages. */
static void
module_version(char *buf, size_t len)
{
	ssize_t n = -1;
	int fd;

	fd = open("/sys/module/pf_ring/version", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	if (n <= 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* The module and this library must agree on the ABI; say both versions. */
static int
check_version(pfring *ring, int fd)
{
	struct pfr_version v;
	socklen_t len = sizeof(v);
	char mv[64];

	memset(&v, 0, sizeof(v));
	if (getsockopt(fd, SOL_PF_RING, PFR_SO_VERSION, &v, &len) < 0 || len != sizeof(v)) {
		int e = errno;

		module_version(mv, sizeof(mv));
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_LIB_VERSION,
				     "the loaded pf_ring kernel module (version %s) does not "
				     "answer the version query of libpfring %s (ABI %u): %s; "
				     "load the pf_ring.ko built with this library",
				     mv, PFRING_VERSION_STRING, PF_RING_ABI_VERSION,
				     len != sizeof(v) ? "short answer" : strerror(e));
	}
	v.version[sizeof(v.version) - 1] = '\0';
	if (v.abi_version != PF_RING_ABI_VERSION)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_LIB_VERSION,
				     "pf_ring kernel module %s (ABI %u) does not match "
				     "libpfring %s (ABI %u): load the pf_ring.ko built with "
				     "this library", v.version, v.abi_version,
				     PFRING_VERSION_STRING, PF_RING_ABI_VERSION);
	return 0;
}

static int
setup_ring(pfring *ring, struct kmod_sock *s, int fd, int mtu)
{
	struct pfr_ring_req req;
	struct pfr_ring_info info;
	socklen_t len = sizeof(info);
	uint32_t caplen, slot_bytes;
	uint64_t slots;

	caplen = pf_engine_frame_max(mtu, ring->params.caplen);
	if (caplen > PF_RING_MAX_CAPLEN)
		caplen = PF_RING_MAX_CAPLEN;
	slot_bytes = (uint32_t)sizeof(struct pfr_slot_header) + caplen;
	slots = pf_engine_ring_bytes(ring, slot_bytes) / slot_bytes;
	if (slots == 0)
		slots = 1;
	if (slots > PF_RING_MAX_SLOTS)
		slots = PF_RING_MAX_SLOTS;
	/* The module raises the count to its min_num_slots. */
	req.num_slots = (uint32_t)slots;
	req.caplen = caplen;
	if (set_opt(fd, PFR_SO_RING, &req, sizeof(req)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "pf_ring ring of %u slots of %u bytes: %s",
				     req.num_slots, caplen, strerror(errno));
	if (getsockopt(fd, SOL_PF_RING, PFR_SO_RING_INFO, &info, &len) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "pf_ring ring info: %s", strerror(errno));
	s->map_len = (size_t)info.mmap_bytes;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		      fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "mmap of the pf_ring ring (%zu bytes): %s",
				     s->map_len, strerror(errno));
	}
	s->hdr = (struct pfr_ring_header *)s->map;
	if (s->hdr->abi_version != PF_RING_ABI_VERSION || s->hdr->num_slots != info.num_slots)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_LIB_VERSION,
				     "pf_ring ring header has ABI %u, libpfring %s expects ABI %u",
				     s->hdr->abi_version, PFRING_VERSION_STRING,
				     PF_RING_ABI_VERSION);
	s->slots = s->map + info.data_offset;
	s->num_slots = info.num_slots;
	s->slot_size = info.slot_size;
	s->remove = __atomic_load_n(&s->hdr->remove_idx, __ATOMIC_RELAXED);
	s->cur = (uint32_t)(s->remove % s->num_slots);
	return 0;
}

/* The configured name, else the program's: /proc shows who owns a ring. */
static void
set_appname(int fd, const char *cfg_name)
{
	extern char *program_invocation_short_name;
	char name[PF_RING_APPNAME_MAX];
	size_t i, n;

	snprintf(name, sizeof(name), "%s",
		 cfg_name[0] != '\0' ? cfg_name : program_invocation_short_name);
	n = strlen(name);
	/* The module takes printable ASCII only. */
	for (i = 0; i < n; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			name[i] = '?';
	/* Cosmetic: a refused name does not stop the capture. */
	if (n > 0)
		(void)set_opt(fd, PFR_SO_APPNAME, name, (socklen_t)n);
}

static void
close_member(pfring *ring, int i)
{
	struct kmod_sock *s = &engine_of(ring)->socks[i];

	if (s->map != NULL)
		munmap(s->map, s->map_len);
	if (s->promisc_fd >= 0)
		close(s->promisc_fd);
}

static int
open_member(pfring *ring, int i, const char *name)
{
	struct kmod_engine *ke = engine_of(ring);
	int *fd = &ke->set.fds[i];
	struct sockaddr_pfring sa;
	int mtu = 1500, rc;

	rc = pf_engine_check_device(ring, name, ring->devs.queue, &mtu);
	if (rc < 0)
		return rc;
	*fd = socket(PF_RING_FAMILY, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (*fd < 0) {
		int e = errno;

		if (e == EAFNOSUPPORT)
			return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
					     "%sthe pf_ring kernel module is not available "
					     "(socket family %d: %s)",
					     ring->cfg.engine == PF_ENGINE_KMOD ?
					     "engine 'kmod' requested but " : "",
					     PF_RING_FAMILY, strerror(e));
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "PF_RING socket: %s%s",
				     strerror(e), e == EPERM ?
				     " (pf_ring.ko needs CAP_NET_RAW in the initial user namespace)" : "");
	}
	rc = check_version(ring, *fd);
	if (rc < 0)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.family = PF_RING_FAMILY;
	snprintf(sa.ifname, sizeof(sa.ifname), "%s", name);
	if (bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "bind to '%s': %s%s", name,
				     strerror(errno), errno == EBUSY ?
				     " (the module is in quick_mode: one ring per interface)" : "");
	set_appname(*fd, ring->cfg.appname);
	if (!(ring->params.flags & PF_RING_TX_ONLY)) {
		rc = setup_ring(ring, &ke->socks[i], *fd, mtu);
		if (rc < 0)
			return rc;
	}
	/* The module knows no promiscuous mode. */
	if (ring->params.flags & PF_RING_PROMISC) {
		ke->socks[i].promisc_fd = pf_engine_hold_promisc(ring, ke->set.ifindex[i], name);
		if (ke->socks[i].promisc_fd < 0)
			return ke->socks[i].promisc_fd;
	}
	return 0;
}

/*
 * The program the module runs: an RX-queue check (drivers record queue q as
 * q+1, 0 when they record none, which is queue 0), then the user's program
 * or "accept".  The module itself cuts every packet to the ring's caplen.
 */
static int
install_filter(pfring *ring)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	struct sock_filter *f;
	struct sock_fprog prog;
	unsigned int n, max, i;
	int queue = ring->devs.queue, rc = 0;

	if (set->user_prog == NULL && queue < 0) {
		for (i = 0; i < (unsigned int)set->n_socks; i++) {
			if (set_opt(set->fds[i], PFR_SO_DETACH_BPF, NULL, 0) < 0 &&
			    errno != ENOENT)
				return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
						     "removing the kernel filter: %s",
						     strerror(errno));
		}
		return 0;
	}
	max = 4 + (set->user_prog != NULL ? set->user_len : 1);
	if (max > PF_RING_MAX_BPF_INSNS)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "filter too long for the pf_ring module (%u instructions)", max);
	f = calloc(max, sizeof(*f));
	if (f == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	/* Per member: devices may number their queues differently. */
	for (i = 0; i < (unsigned int)set->n_socks; i++) {
		n = pf_engine_queue_filter(f, queue, set->queue_from_tx[i]);
		if (set->user_prog != NULL) {
			memcpy(f + n, set->user_prog, set->user_len * sizeof(*f));
			n += set->user_len;
		} else {
			f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, PF_RING_MAX_CAPLEN);
		}
		prog.len = (unsigned short)n;
		prog.filter = f;
		if (set_opt(set->fds[i], PFR_SO_ATTACH_BPF, &prog, sizeof(prog)) < 0) {
			rc = pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					   "attaching the kernel filter: %s", strerror(errno));
			break;
		}
	}
	free(f);
	return rc;
}

/*
 * Sampling runs in the module when it can: 1 of N after the rules and the
 * kernel filter (the module runs both), before the ring, so skipped packets
 * cost no slot.  The module caps the rate: above it pf_api.c samples and
 * the module keeps every packet.
 */
static int
kmod_set_sampling(pfring *ring, uint32_t rate)
{
	struct kmod_engine *ke = engine_of(ring);
	int i, in_kernel = rate <= PF_RING_MAX_SAMPLING;
	uint32_t kernel = in_kernel && rate != 0 ? rate : 1;

	if (kernel != ke->kernel_rate) {
		for (i = 0; i < ke->set.n_socks; i++) {
			if (ke->socks[i].map != NULL &&
			    set_u32(ke->set.fds[i], PFR_SO_SAMPLING, kernel) < 0)
				return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
						     "sampling rate %u in the module: %s",
						     kernel, strerror(errno));
		}
		ke->kernel_rate = kernel;
	}
	return in_kernel;
}

/* pfring_set_poll_watermark() only records the value: pass it on. */
static void
sync_watermark(pfring *ring)
{
	struct kmod_engine *ke = engine_of(ring);
	uint32_t w = ring->cfg.watermark ? ring->cfg.watermark : 1;
	int i;

	if (w == ke->watermark)
		return;
	for (i = 0; i < ke->set.n_socks; i++) {
		struct kmod_sock *s = &ke->socks[i];

		if (s->map != NULL)
			(void)set_u32(ke->set.fds[i], PFR_SO_WATERMARK, w < s->num_slots ? w : s->num_slots);
	}
	ke->watermark = w;
}

static int
join_member(pfring *ring, int i)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	struct pfr_cluster_req req = { .cluster_id = set->cluster_id,
				       .cluster_type = (uint32_t)set->cluster };

	if (set_opt(set->fds[i], PFR_SO_CLUSTER, &req, sizeof(req)) < 0)
		return pf_socket_set_join_error(ring, errno);
	return 0;
}

static int
set_direction(pfring *ring)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);
	uint32_t d = ring->cfg.direction == rx_only_direction ? PFR_DIR_RX_ONLY :
		ring->cfg.direction == tx_only_direction ? PFR_DIR_TX_ONLY : PFR_DIR_RX_AND_TX;
	int i;

	for (i = 0; i < set->n_socks; i++) {
		if (set_u32(set->fds[i], PFR_SO_DIRECTION, d) < 0)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					     "direction in the module: %s", strerror(errno));
	}
	return 0;
}

static const struct pf_socket_set_ops kmod_set_ops = {
	.open_member = open_member,
	.close_member = close_member,
	.join = join_member,
	.install_filter = install_filter,
};

static int
kmod_open(pfring *ring, const struct pf_open_params *params)
{
	struct kmod_engine *ke;
	int i, rc;

	(void)params; /* ring->params */
	ke = calloc(1, sizeof(*ke));
	if (ke == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	ring->engine = ke;
	ke->kernel_rate = 1;
	ke->watermark = 1;
	for (i = 0; i < PF_MAX_DEVICES; i++)
		ke->socks[i].promisc_fd = -1;
	rc = pf_socket_set_open(ring, &ke->set, &kmod_set_ops);
	if (rc < 0)
		pf_socket_set_close(ring);
	return rc;
}

/* Also called again after pfring_disable_ring(): each step is idempotent. */
static int
kmod_enable(pfring *ring)
{
	struct kmod_engine *ke = engine_of(ring);
	int i, rc;

	rc = pf_socket_set_join(ring);
	if (rc == 0)
		rc = set_direction(ring);
	if (rc == 0)
		rc = install_filter(ring);
	if (rc < 0)
		return rc;
	sync_watermark(ring);
	for (i = 0; i < ke->set.n_socks; i++) {
		if (ke->socks[i].map == NULL)
			continue; /* TX only */
		if (set_opt(ke->set.fds[i], PFR_SO_ENABLE, NULL, 0) < 0)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					     "enabling the ring on '%s': %s",
					     ring->devs.devices[i], strerror(errno));
	}
	return 0;
}

/* Give back the slot next() handed out: the pointer's life is over. */
static inline void
release_held(struct kmod_engine *ke)
{
	if (ke->held != NULL) {
		__atomic_store_n(&ke->held->hdr->remove_idx, ke->held->remove, __ATOMIC_RELEASE);
		ke->held = NULL;
	}
}

static inline struct pfr_slot_header *
take_slot(struct kmod_sock *s)
{
	struct pfr_slot_header *sh =
		(struct pfr_slot_header *)(s->slots + (size_t)s->cur * s->slot_size);

	s->remove++;
	if (++s->cur == s->num_slots)
		s->cur = 0;
	return sh;
}

static int
sock_next(pfring *ring, struct kmod_sock *s, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	struct pfr_slot_header *sh;
	uint32_t caplen;

	if (s->map == NULL ||
	    __atomic_load_n(&s->hdr->insert_idx, __ATOMIC_ACQUIRE) == s->remove)
		return 0;
	sh = take_slot(s);
	caplen = sh->caplen;
	if (caplen > s->slot_size - sizeof(*sh)) /* never from the module; stay inside */
		caplen = s->slot_size - (uint32_t)sizeof(*sh);
	hdr->caplen = caplen;
	hdr->len = sh->len;
	hdr->ts.tv_sec = (time_t)(sh->timestamp_ns / 1000000000ull);
	hdr->ts.tv_usec = (suseconds_t)(sh->timestamp_ns % 1000000000ull);
	if (!(ring->params.flags & PF_RING_NANO_TIMESTAMP))
		hdr->ts.tv_usec /= 1000;
	hdr->extended_hdr.timestamp_ns = sh->timestamp_ns;
	hdr->extended_hdr.flags = 0;
	hdr->extended_hdr.rx_direction = !(sh->flags & PFR_SLOT_TX);
	hdr->extended_hdr.if_index = sh->ifindex;
	hdr->extended_hdr.vlan_id = (sh->flags & PFR_SLOT_VLAN) ? (sh->vlan_tci & 0x0fff) : 0;
	/* The module computed the per-flow hash already. */
	hdr->extended_hdr.pkt_hash = (ring->params.flags & PF_RING_LONG_HEADER) ? sh->hash : 0;
	*pkt = (const u_char *)(sh + 1);
	return 1;
}

static int
member_next(pfring *ring, int i, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	return sock_next(ring, &engine_of(ring)->socks[i], pkt, hdr);
}

static int
kmod_next(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	struct kmod_engine *ke = engine_of(ring);

	release_held(ke);
	if (!pf_socket_set_next(ring, member_next, pkt, hdr))
		return 0;
	ke->held = &ke->socks[ke->set.next_sock];
	return 1;
}

/*
 * The fast path: the slot headers straight into the handler, remove_idx
 * handed back in batches.  Inlined once per timestamp precision.
 */
static inline __attribute__((always_inline)) int
sock_burst(pfring *ring, struct kmod_sock *s, uint64_t max, pfring_pcap_handler cb, u_char *user,
	   const int nano)
{
	struct pfr_slot_header *sh;
	struct pfring_pcap_pkthdr h;
	uint64_t todo, n = 0;

	if (s->map == NULL)
		return 0;
	todo = __atomic_load_n(&s->hdr->insert_idx, __ATOMIC_ACQUIRE) - s->remove;
	if (max > 0 && todo > max)
		todo = max;
	while (n < todo) {
		sh = take_slot(s);
		h.ts.tv_sec = (time_t)(sh->timestamp_ns / 1000000000ull);
		h.ts.tv_usec = (suseconds_t)(sh->timestamp_ns % 1000000000ull);
		if (!nano)
			h.ts.tv_usec /= 1000;
		h.caplen = sh->caplen;
		h.len = sh->len;
		cb(user, &h, (const u_char *)(sh + 1));
		n++;
		if (n % PUBLISH_EVERY == 0)
			__atomic_store_n(&s->hdr->remove_idx, s->remove, __ATOMIC_RELEASE);
		if (__builtin_expect(ring->break_loop, 0))
			break;
	}
	__atomic_store_n(&s->hdr->remove_idx, s->remove, __ATOMIC_RELEASE);
	return (int)n;
}

static int
member_burst(pfring *ring, int i, int max, pfring_pcap_handler cb, u_char *user)
{
	struct kmod_sock *s = &engine_of(ring)->socks[i];
	uint64_t left = max <= 0 ? 0 : (uint64_t)max;

	return (ring->params.flags & PF_RING_NANO_TIMESTAMP) ?
		sock_burst(ring, s, left, cb, user, 1) : sock_burst(ring, s, left, cb, user, 0);
}

static int
kmod_burst(pfring *ring, int max, pfring_pcap_handler cb, u_char *user)
{
	release_held(engine_of(ring));
	return pf_socket_set_burst(ring, max, member_burst, cb, user);
}

static int
kmod_send(pfring *ring, const u_char *pkt, u_int len)
{
	ssize_t n;

	n = send(pf_socket_set_of(ring)->fds[0], pkt, len, 0);
	return pf_engine_send_result(ring, n);
}

static int
kmod_stats(pfring *ring, pfring_stat *stats)
{
	struct kmod_engine *ke = engine_of(ring);
	struct pfr_stats st;
	socklen_t len;
	int i;

	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < ke->set.n_socks; i++) {
		if (ke->socks[i].map == NULL)
			continue;
		len = sizeof(st);
		if (getsockopt(ke->set.fds[i], SOL_PF_RING, PFR_SO_STATS, &st, &len) < 0)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
					     "pf_ring statistics: %s", strerror(errno));
		stats->recv += st.received;
		stats->drop += st.dropped;
	}
	return 0;
}

static int
kmod_remove_from_cluster(pfring *ring)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);

	if (set->joined && set_opt(set->fds[0], PFR_SO_LEAVE_CLUSTER, NULL, 0) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "leaving cluster %u: %s",
				     set->cluster_id, strerror(errno));
	set->joined = 0;
	set->cluster_id = 0;
	return 0;
}

static int
kmod_set_direction(pfring *ring, packet_direction direction)
{
	(void)direction; /* already in ring->cfg */
	return ring->enabled ? set_direction(ring) : 0;
}

static int
kmod_selectable_fd(pfring *ring)
{
	/* Called before every pfring_poll(): a new watermark applies there. */
	sync_watermark(ring);
	return pf_socket_set_selectable_fd(ring);
}

/* ------------------------------------------------------------------------ */
/* Filtering rules in the module: every receiving socket holds a copy.       */

/* Each member that has a ring; a TX-only socket receives nothing. */
#define FOR_EACH_RX_SOCK(ke, m) \
	for ((m) = 0; (m) < (ke)->set.n_socks; (m)++) \
		if ((ke)->socks[m].map != NULL)

static int
kmod_rules_set(void *ctx, const struct pf_rule *rules, uint32_t n)
{
	struct kmod_engine *ke = engine_of(ctx);
	int m;

	FOR_EACH_RX_SOCK(ke, m) {
		if (set_opt(ke->set.fds[m], PFR_SO_SET_RULES, rules,
			    (socklen_t)(n * sizeof(*rules))) < 0)
			return -1;
	}
	return 0;
}

static int
kmod_rules_default(void *ctx, int drop)
{
	struct kmod_engine *ke = engine_of(ctx);
	int m;

	FOR_EACH_RX_SOCK(ke, m) {
		if (set_u32(ke->set.fds[m], PFR_SO_RULES_POLICY,
			    drop ? PFR_POLICY_DROP : PFR_POLICY_ACCEPT) < 0)
			return -1;
	}
	return 0;
}

static int
kmod_rules_hash(void *ctx, const struct pf_hash_key *key, const struct pf_hash_rule *rule, int add)
{
	struct kmod_engine *ke = engine_of(ctx);
	struct pfr_hash_rule_req req;
	int m;

	memset(&req, 0, sizeof(req));
	req.key = *key;
	req.key.pad = 0;
	if (add) {
		req.rule.id = rule->id;
		req.rule.action = rule->action;
		req.rule.flags = rule->flags;
	}
	FOR_EACH_RX_SOCK(ke, m) {
		if (add ? set_opt(ke->set.fds[m], PFR_SO_ADD_HASH_RULE, &req, sizeof(req)) :
		    set_opt(ke->set.fds[m], PFR_SO_DEL_HASH_RULE, &req.key, sizeof(req.key)))
			return -1;
	}
	return 0;
}

/* A rule's counters: the sum over the sockets. */
static int
kmod_rules_stats(void *ctx, uint16_t id, struct pf_rule_stats *st)
{
	struct kmod_engine *ke = engine_of(ctx);
	struct pfr_rule_stat rs[PF_RULES_MAX];
	socklen_t len;
	unsigned int i, n;
	int m, found = 0;

	memset(st, 0, sizeof(*st));
	FOR_EACH_RX_SOCK(ke, m) {
		len = sizeof(rs);
		if (getsockopt(ke->set.fds[m], SOL_PF_RING, PFR_SO_RULE_STATS, rs, &len) < 0)
			return -1;
		n = len / (socklen_t)sizeof(rs[0]);
		for (i = 0; i < n && rs[i].id != id; i++)
			;
		if (i == n)
			continue;
		st->packets += rs[i].packets;
		st->bytes += rs[i].bytes;
		found = 1;
	}
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

static int
kmod_rules_hash_stats(void *ctx, const struct pf_hash_key *key, struct pf_hash_rule *out)
{
	struct kmod_engine *ke = engine_of(ctx);
	struct pfr_hash_rule_req req;
	socklen_t len;
	int m, found = 0;

	memset(out, 0, sizeof(*out));
	FOR_EACH_RX_SOCK(ke, m) {
		memset(&req, 0, sizeof(req));
		req.key = *key;
		req.key.pad = 0;
		len = sizeof(req);
		if (getsockopt(ke->set.fds[m], SOL_PF_RING, PFR_SO_HASH_RULE_STATS, &req, &len) < 0)
			return -1;
		out->id = req.rule.id;
		out->action = req.rule.action;
		out->flags = req.rule.flags;
		out->packets += req.rule.packets;
		out->bytes += req.rule.bytes;
		if (req.rule.last_match_ns > out->last_match_ns)
			out->last_match_ns = req.rule.last_match_ns;
		found = 1;
	}
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* Each socket purges its own copy (a rule idle on one device may be busy on
 * another); the count is the largest. */
static int
kmod_rules_purge(void *ctx, unsigned int idle_sec)
{
	struct kmod_engine *ke = engine_of(ctx);
	struct pfr_rules_info info;
	socklen_t len;
	int m, most = 0;

	FOR_EACH_RX_SOCK(ke, m) {
		len = sizeof(info);
		if (set_u32(ke->set.fds[m], PFR_SO_PURGE_HASH_RULES, idle_sec) < 0 ||
		    getsockopt(ke->set.fds[m], SOL_PF_RING, PFR_SO_RULES_INFO, &info, &len) < 0)
			return -1;
		if ((int)info.last_purged > most)
			most = (int)info.last_purged;
	}
	return most;
}

static const struct pf_rules_kernel kmod_rules = {
	.set_rules = kmod_rules_set,
	.set_default = kmod_rules_default,
	.hash = kmod_rules_hash,
	.stats = kmod_rules_stats,
	.hash_stats = kmod_rules_hash_stats,
	.purge_idle = kmod_rules_purge,
};

/* The module has the rules (they went there as they changed): push the set
 * once more. */
static int
kmod_rules_changed(pfring *ring)
{
	if (ring->rules != NULL && pf_rules_set_sync(ring->rules) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "filtering rules in the module: %s", strerror(errno));
	return 0;
}

const struct pf_engine_ops pf_engine_kmod = {
	.name = "kmod",
	.open = kmod_open,
	.close = pf_socket_set_close,
	.enable = kmod_enable,
	.next = kmod_next,
	.burst = kmod_burst,
	.send = kmod_send,
	.stats = kmod_stats,
	.set_cluster = pf_socket_set_cluster,
	.remove_from_cluster = kmod_remove_from_cluster,
	.set_bpf = pf_socket_set_bpf,
	.set_direction = kmod_set_direction,
	.set_sampling = kmod_set_sampling,
	.selectable_fd = kmod_selectable_fd,
	.rules_changed = kmod_rules_changed,
	.rules_kernel = &kmod_rules,
};
