/*
 * pf_xsk.c - AF_XDP socket set-up shared by the zc:<interface> engine and
 * the ZC balancer's AF_XDP input (see pf_xsk.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pf_xsk.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

extern const unsigned char pf_xdp_bpf_obj[];
extern const uint64_t pf_xdp_bpf_obj_size;

static int
map_ring(struct pf_xsk *x, struct pf_xsk_ring *r, const struct xdp_ring_offset *off,
	 uint32_t size, size_t desc_size, off_t pgoff, char *err, size_t errlen)
{
	r->map_len = off->desc + size * desc_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		      x->fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		snprintf(err, errlen, "mapping an AF_XDP ring: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	r->producer = (uint32_t *)((uint8_t *)r->map + off->producer);
	r->consumer = (uint32_t *)((uint8_t *)r->map + off->consumer);
	r->desc = (uint8_t *)r->map + off->desc;
	r->mask = size - 1;
	return 0;
}

static int
ring_opt(struct pf_xsk *x, int opt, uint32_t size)
{
	return size == 0 ? 0 : setsockopt(x->fd, SOL_XDP, opt, &size, sizeof(size));
}

int
pf_xsk_open(struct pf_xsk *x, const char *ifname, uint32_t queue,
	    const struct pf_xsk_config *cfg, char *err, size_t errlen)
{
	struct xdp_umem_reg mr;
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sxdp;
	socklen_t optlen;
	int rc, i;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->map_fd = -1;
	x->queue = queue;
	x->umem = cfg->umem;
	x->ifindex = (int)if_nametoindex(ifname);
	if (x->ifindex == 0) {
		snprintf(err, errlen, "no such interface '%s'", ifname);
		return PF_RING_ERROR_UNKNOWN_ADAPTER;
	}
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd < 0) {
		snprintf(err, errlen, "AF_XDP socket: %s", strerror(errno));
		return PF_RING_ERROR_NOT_SUPPORTED;
	}
	memset(&mr, 0, sizeof(mr));
	mr.addr = (uint64_t)(uintptr_t)cfg->umem;
	mr.len = cfg->umem_len;
	mr.chunk_size = cfg->chunk;
	mr.headroom = 0;   /* frame data at chunk + XDP_PACKET_HEADROOM */
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) < 0) {
		snprintf(err, errlen, "registering %zu bytes in chunks of %u as AF_XDP UMEM: %s",
			 cfg->umem_len, cfg->chunk, strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	if (ring_opt(x, XDP_UMEM_FILL_RING, cfg->fill_size) < 0 ||
	    ring_opt(x, XDP_UMEM_COMPLETION_RING, cfg->comp_size) < 0 ||
	    ring_opt(x, XDP_RX_RING, cfg->rx_size) < 0 ||
	    ring_opt(x, XDP_TX_RING, cfg->tx_size) < 0) {
		snprintf(err, errlen, "setting up the AF_XDP rings: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	optlen = sizeof(off);
	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen) < 0) {
		snprintf(err, errlen, "XDP_MMAP_OFFSETS: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	if ((cfg->rx_size && (rc = map_ring(x, &x->rx, &off.rx, cfg->rx_size,
					    sizeof(struct xdp_desc), XDP_PGOFF_RX_RING,
					    err, errlen)) < 0) ||
	    (cfg->tx_size && (rc = map_ring(x, &x->tx, &off.tx, cfg->tx_size,
					    sizeof(struct xdp_desc), XDP_PGOFF_TX_RING,
					    err, errlen)) < 0) ||
	    (cfg->fill_size && (rc = map_ring(x, &x->fill, &off.fr, cfg->fill_size,
					      sizeof(uint64_t), (off_t)XDP_UMEM_PGOFF_FILL_RING,
					      err, errlen)) < 0) ||
	    (cfg->comp_size && (rc = map_ring(x, &x->comp, &off.cr, cfg->comp_size,
					      sizeof(uint64_t),
					      (off_t)XDP_UMEM_PGOFF_COMPLETION_RING,
					      err, errlen)) < 0))
		return rc;

	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = (uint32_t)x->ifindex;
	sxdp.sxdp_queue_id = queue;
	sxdp.sxdp_flags = XDP_ZEROCOPY;
	if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) == 0) {
		x->zerocopy = 1;
		return 0;
	}
	sxdp.sxdp_flags = XDP_COPY;
	/* EBUSY: a socket closed just before may still hold the queue until
	 * the kernel finishes releasing it. */
	for (i = 0; (rc = bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) < 0 &&
		    errno == EBUSY && i < 100; i++)
		usleep(10000);
	if (rc < 0) {
		snprintf(err, errlen, "binding AF_XDP to '%s' queue %u: %s%s", ifname, queue,
			 strerror(errno), errno == EINVAL ? " (no such queue?)" : "");
		return PF_RING_ERROR_GENERIC;
	}
	return 0;
}

int
pf_xsk_attach(struct pf_xsk *x, const char *name, char *err, size_t errlen)
{
	struct bpf_program *prog, *p;
	struct bpf_map *m;
	const char *mname;
	char ifname[IF_NAMESIZE] = "?";
	uint32_t key = x->queue;
	size_t len;
	long rc;
	int map_fd;

	x->obj = bpf_object__open_mem(pf_xdp_bpf_obj, (size_t)pf_xdp_bpf_obj_size, NULL);
	if (x->obj == NULL) {
		snprintf(err, errlen, "opening the XDP program: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	prog = bpf_object__find_program_by_name(x->obj, name);
	if (prog == NULL) {
		snprintf(err, errlen, "no XDP program %s", name);
		return PF_RING_ERROR_GENERIC;
	}
	/* Load (and verify) only the one we attach. */
	bpf_object__for_each_program(p, x->obj)
		bpf_program__set_autoload(p, p == prog);
	if (bpf_object__load(x->obj) < 0) {
		snprintf(err, errlen, "loading the XDP program: %s (needs CAP_BPF/root)",
			 strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	map_fd = bpf_object__find_map_fd_by_name(x->obj, "pf_xsks");
	if (map_fd < 0) {
		snprintf(err, errlen, "the XDP program is incomplete");
		return PF_RING_ERROR_GENERIC;
	}
	/* The program's global data, mapped by libbpf: read without syscalls. */
	bpf_object__for_each_map(m, x->obj) {
		mname = bpf_map__name(m);
		len = strlen(mname);
		if (bpf_map__is_internal(m) && len >= 4 && strcmp(mname + len - 4, ".bss") == 0)
			x->meta_failed = bpf_map__initial_value(m, &len);
	}
	/*
	 * A BPF link, not a netlink attach: it goes away with the last fd, so
	 * the interface is cleaned up even when the program has dropped root
	 * before closing (Debian's tcpdump runs as user tcpdump by then).  The
	 * kernel takes the driver's native hook when there is one.
	 */
	x->link = bpf_program__attach_xdp(prog, x->ifindex);
	if (x->link == NULL) {
		rc = -errno;
		if_indextoname((unsigned)x->ifindex, ifname);
		snprintf(err, errlen, "attaching XDP to '%s': %s%s", ifname, strerror((int)-rc),
			 rc == -EBUSY || rc == -EEXIST ? " (another XDP program is attached)" : "");
		return PF_RING_ERROR_GENERIC;
	}
	if (bpf_map_update_elem(map_fd, &key, &x->fd, BPF_ANY) < 0) {
		snprintf(err, errlen, "adding the socket to the XDP map: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	x->map_fd = map_fd;
	return 0;
}

void
pf_xsk_close(struct pf_xsk *x)
{
	struct pf_xsk_ring *rs[4] = { &x->rx, &x->tx, &x->fill, &x->comp };
	int i;

	/* The map's reference would keep the socket (and its queue binding)
	 * alive until the map is freed later; drop it now so the queue can be
	 * bound again at once. */
	if (x->map_fd >= 0)
		bpf_map_delete_elem(x->map_fd, &x->queue);
	x->map_fd = -1;
	if (x->link != NULL)
		bpf_link__destroy(x->link);
	x->link = NULL;
	if (x->obj != NULL)
		bpf_object__close(x->obj);
	x->obj = NULL;
	x->meta_failed = NULL;
	for (i = 0; i < 4; i++) {
		if (rs[i]->map != NULL)
			munmap(rs[i]->map, rs[i]->map_len);
		rs[i]->map = NULL;
	}
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

int
pf_xsk_stats(struct pf_xsk *x, struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);

	memset(st, 0, sizeof(*st));
	return getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, st, &len);
}
