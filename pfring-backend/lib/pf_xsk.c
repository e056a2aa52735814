/*
 * pf_xsk.c - AF_XDP socket set-up shared by the zc:<interface> engine and
 * the ZC balancer's AF_XDP input (see pf_xsk.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
	r->flags = (uint32_t *)((uint8_t *)r->map + off->flags);
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
	static const uint16_t modes[] = {
		XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP, XDP_COPY | XDP_USE_NEED_WAKEUP, XDP_COPY,
	};
	socklen_t optlen;
	int rc, i, mode;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->map_fd = -1;
	x->link_fd = -1;
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
	/*
	 * Zero copy with need_wakeup first; copy mode only when the driver has
	 * no zero copy (EOPNOTSUPP; veth is one), with need_wakeup if the
	 * kernel takes it there.  EBUSY: a socket closed just before may still
	 * hold the queue until the kernel finishes releasing it.
	 */
	for (mode = 0; mode < 3; mode++) {
		sxdp.sxdp_flags = modes[mode];
		for (i = 0; (rc = bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) < 0 &&
			    errno == EBUSY && i < 100; i++)
			usleep(10000);
		if (rc == 0) {
			x->zerocopy = (modes[mode] & XDP_ZEROCOPY) != 0;
			x->need_wakeup = (modes[mode] & XDP_USE_NEED_WAKEUP) != 0;
			return 0;
		}
		if (errno != EOPNOTSUPP && errno != EINVAL)
			break;
		/* EINVAL: no such queue, or a kernel without the flag: the next mode says. */
	}
	snprintf(err, errlen, "binding AF_XDP to '%s' queue %u: %s%s", ifname, queue,
		 strerror(errno), errno == EINVAL ? " (no such queue?)" : "");
	return PF_RING_ERROR_GENERIC;
}

#define XSK_ATTACH_TRIES 100

/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of a program's name. */
static int
prog_name_is(const char *kname, const char *want)
{
	return strncmp(kname, want, BPF_OBJ_NAME_LEN - 1) == 0;
}

static int
is_our_variant(const char *kname)
{
	return prog_name_is(kname, "pf_xdp_redirect") || strncmp(kname, "pf_xdp_hash_", 12) == 0;
}

/* Map the program's .bss (map fd bss_fd) read-only for pf_meta_failed. */
static int
map_bss(struct pf_xsk *x, int bss_fd, char *err, size_t errlen)
{
	struct bpf_map_info mi;
	uint32_t len = sizeof(mi);
	long page = sysconf(_SC_PAGESIZE);

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(bss_fd, &mi, &len) < 0) {
		snprintf(err, errlen, "reading the XDP program's data: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	x->bss_len = ((size_t)mi.value_size + (size_t)page - 1) & ~((size_t)page - 1);
	x->bss = mmap(NULL, x->bss_len, PROT_READ, MAP_SHARED, bss_fd, 0);
	if (x->bss == MAP_FAILED) {
		x->bss = NULL;
		snprintf(err, errlen, "mapping the XDP program's data: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	x->meta_failed = x->bss;
	return 0;
}

/*
 * The first user: load prog from our object and attach it with a BPF link
 * (it goes with the last fd on it, so the interface is cleaned up even when
 * every user dropped root before closing; the kernel takes the driver's
 * native hook when there is one).  1: EBUSY/EEXIST, a program came
 * meanwhile (another first user won the race): look again.
 */
/* Our hold on the interface's program: its .bss mapping, the XSKMAP and the
 * link (the last user's close detaches the program). */
static void
release_program(struct pf_xsk *x)
{
	if (x->bss != NULL)
		munmap(x->bss, x->bss_len);
	x->bss = NULL;
	x->meta_failed = NULL;
	if (x->map_fd >= 0)
		close(x->map_fd);
	x->map_fd = -1;
	if (x->link_fd >= 0)
		close(x->link_fd);
	x->link_fd = -1;
}

static int
load_and_attach(struct pf_xsk *x, const char *name, char *err, size_t errlen)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	struct bpf_map *m;
	const char *mname;
	size_t len;
	int rc = PF_RING_ERROR_GENERIC, bss_fd = -1;

	obj = bpf_object__open_mem(pf_xdp_bpf_obj, (size_t)pf_xdp_bpf_obj_size, NULL);
	if (obj == NULL) {
		snprintf(err, errlen, "opening the XDP program: %s", strerror(errno));
		return PF_RING_ERROR_GENERIC;
	}
	prog = bpf_object__find_program_by_name(obj, name);
	if (prog == NULL) {
		snprintf(err, errlen, "no XDP program %s", name);
		goto out;
	}
	/* Load (and verify) only the one we attach. */
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	if (bpf_object__load(obj) < 0) {
		snprintf(err, errlen, "loading the XDP program: %s (needs CAP_BPF/root)",
			 strerror(errno));
		goto out;
	}
	bpf_object__for_each_map(m, obj) {
		mname = bpf_map__name(m);
		len = strlen(mname);
		if (bpf_map__is_internal(m) && len >= 4 && strcmp(mname + len - 4, ".bss") == 0)
			bss_fd = bpf_map__fd(m);
	}
	x->map_fd = bpf_object__find_map_fd_by_name(obj, "pf_xsks");
	if (x->map_fd < 0 || bss_fd < 0) {
		x->map_fd = -1;
		snprintf(err, errlen, "the XDP program is incomplete");
		goto out;
	}
	/* Our own fds: the object's go when it is closed below. */
	x->map_fd = fcntl(x->map_fd, F_DUPFD_CLOEXEC, 0);
	if (x->map_fd < 0) {
		snprintf(err, errlen, "dup: %s", strerror(errno));
		goto out;
	}
	rc = map_bss(x, bss_fd, err, errlen);
	if (rc < 0)
		goto out;
	x->link_fd = bpf_link_create(bpf_program__fd(prog), x->ifindex, BPF_XDP, NULL);
	if (x->link_fd < 0) {
		rc = errno == EBUSY || errno == EEXIST ? 1 : PF_RING_ERROR_GENERIC;
		snprintf(err, errlen, "attaching XDP to interface %d: %s", x->ifindex,
			 strerror(errno));
		x->link_fd = -1;
		goto out;
	}
	rc = 0;
out:
	bpf_object__close(obj);
	if (rc != 0)
		release_program(x);
	return rc;
}

/*
 * A program is attached (prog_id): take our fds on it if it is name, with
 * its link and maps.  1: gone meanwhile, look again; 0: joined; < 0: error.
 * last: the last look; a program without a link is then an error.
 */
static int
join_attached(struct pf_xsk *x, uint32_t prog_id, const char *name, const char *ifname,
	      int last, char *err, size_t errlen)
{
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	struct bpf_link_info li;
	uint32_t map_ids[8], id, len, i;
	int fd, prog_fd, rc = 1, bss_fd = -1;

	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0)
		return errno == ENOENT ? 1 : (snprintf(err, errlen, "XDP program %u on '%s': %s",
							prog_id, ifname, strerror(errno)),
					      PF_RING_ERROR_GENERIC);
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = sizeof(map_ids) / sizeof(map_ids[0]);
	pi.map_ids = (uint64_t)(uintptr_t)map_ids;
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len) < 0) {
		snprintf(err, errlen, "XDP program %u on '%s': %s", prog_id, ifname,
			 strerror(errno));
		rc = PF_RING_ERROR_GENERIC;
		goto out;
	}
	if (!is_our_variant(pi.name)) {
		snprintf(err, errlen, "'%s' runs another XDP program ('%s', id %u): detach it "
			 "first (ip link set dev %s xdp off)", ifname, pi.name, prog_id, ifname);
		rc = PF_RING_ERROR_GENERIC;
		goto out;
	}
	if (!prog_name_is(pi.name, name)) {
		snprintf(err, errlen, "'%s' runs our XDP program '%s' (id %u), this capture needs "
			 "'%.*s': %s", ifname, pi.name, prog_id, BPF_OBJ_NAME_LEN - 1, name,
			 strncmp(pi.name, "pf_xdp_hash_", 12) == 0 ?
			 "a zbalance -i zc:IF -m hash runs on it" :
			 "a zc:IF capture or zbalance -i zc:IF -m rr|fanout runs on it");
		rc = PF_RING_ERROR_GENERIC;
		goto out;
	}
	/* Its maps: the XSKMAP pf_xsks and the .bss. */
	for (i = 0; i < pi.nr_map_ids && i < sizeof(map_ids) / sizeof(map_ids[0]); i++) {
		fd = bpf_map_get_fd_by_id(map_ids[i]);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(fd, &mi, &len) == 0) {
			len = (uint32_t)strlen(mi.name);
			if (mi.type == BPF_MAP_TYPE_XSKMAP && strcmp(mi.name, "pf_xsks") == 0 &&
			    x->map_fd < 0) {
				x->map_fd = fd;
				continue;
			}
			if (mi.type == BPF_MAP_TYPE_ARRAY && len >= 4 &&
			    strcmp(mi.name + len - 4, ".bss") == 0 && bss_fd < 0) {
				bss_fd = fd;
				continue;
			}
		}
		close(fd);
	}
	/* Only the hashing variants use the .bss (pf_meta_failed), so only
	 * they hold it. */
	if (x->map_fd < 0 || (bss_fd < 0 && strncmp(pi.name, "pf_xdp_hash_", 12) == 0)) {
		snprintf(err, errlen, "'%s' runs an XDP program named '%s' (id %u) without our "
			 "maps: not ours", ifname, pi.name, prog_id);
		rc = PF_RING_ERROR_GENERIC;
		goto out;
	}
	/* Its link, on this interface and with this program. */
	for (id = 0; bpf_link_get_next_id(id, &id) == 0;) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&li, 0, sizeof(li));
		len = sizeof(li);
		if (bpf_obj_get_info_by_fd(fd, &li, &len) == 0 && li.type == BPF_LINK_TYPE_XDP &&
		    li.xdp.ifindex == (uint32_t)x->ifindex && li.prog_id == prog_id) {
			x->link_fd = fd;
			break;
		}
		close(fd);
	}
	if (x->link_fd < 0) {
		/* The last user left meanwhile (the kernel detaches a link
		 * whose last fd closed from a work queue, a moment later), or
		 * it was attached by netlink (ip link set ... xdp), which we
		 * cannot share safely. */
		if (last && bpf_xdp_query_id(x->ifindex, 0, &id) == 0 && id == prog_id) {
			snprintf(err, errlen, "'%s' runs our XDP program '%s' (id %u) attached "
				 "without a BPF link: detach it (ip link set dev %s xdp off)",
				 ifname, pi.name, prog_id, ifname);
			rc = PF_RING_ERROR_GENERIC;
		}
		goto out;
	}
	rc = bss_fd >= 0 ? map_bss(x, bss_fd, err, errlen) : 0;
out:
	if (bss_fd >= 0)
		close(bss_fd);
	close(prog_fd);
	if (rc != 0)
		release_program(x);
	return rc;
}

int
pf_xsk_attach(struct pf_xsk *x, const char *name, char *err, size_t errlen)
{
	char ifname[IF_NAMESIZE] = "?";
	uint32_t key = x->queue, prog_id;
	int rc, tries;

	if_indextoname((unsigned)x->ifindex, ifname);
	/* Races: two first users (the loser's attach fails with EBUSY), the
	 * last user leaving between our look and our fds (its program stays
	 * attached until the kernel's deferred release): look again, for up
	 * to about a second. */
	for (tries = 0; tries < XSK_ATTACH_TRIES; tries++) {
		if (bpf_xdp_query_id(x->ifindex, 0, &prog_id) < 0) {
			snprintf(err, errlen, "asking '%s' for its XDP program: %s", ifname,
				 strerror(errno));
			return PF_RING_ERROR_GENERIC;
		}
		if (prog_id == 0)
			rc = load_and_attach(x, name, err, errlen);
		else
			rc = join_attached(x, prog_id, name, ifname,
					   tries == XSK_ATTACH_TRIES - 1, err, errlen);
		if (rc == 1) {
			usleep(tries < 10 ? 1000 : 10000);
			continue;
		}
		if (rc < 0)
			goto fail;
		break;
	}
	if (tries == XSK_ATTACH_TRIES) {
		snprintf(err, errlen, "'%s': XDP programs kept coming and going; try again", ifname);
		rc = PF_RING_ERROR_GENERIC;
		goto fail;
	}
	if (bpf_map_update_elem(x->map_fd, &key, &x->fd, BPF_ANY) < 0) {
		snprintf(err, errlen, "adding the socket to the XDP map: %s", strerror(errno));
		rc = PF_RING_ERROR_GENERIC;
		goto fail;
	}
	return 0;
fail:
	release_program(x);
	return rc;
}

void
pf_xsk_close(struct pf_xsk *x)
{
	struct pf_xsk_ring *rs[4] = { &x->rx, &x->tx, &x->fill, &x->comp };
	int i;

	/* The map's reference would keep the socket (and its queue binding)
	 * alive until the map is freed later; drop it now so the queue can be
	 * bound again at once.  The entry is ours: the bind holds the queue. */
	if (x->map_fd >= 0)
		bpf_map_delete_elem(x->map_fd, &x->queue);
	release_program(x);
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

int
pf_xsk_rx_queues(const char *ifname, char *err, size_t errlen)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *e;
	char *end;
	long q, n = 0;
	DIR *d;

	if (strchr(ifname, '/') != NULL || strlen(ifname) >= IF_NAMESIZE ||
	    if_nametoindex(ifname) == 0) {
		snprintf(err, errlen, "no such interface '%s'", ifname);
		return PF_RING_ERROR_UNKNOWN_ADAPTER;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (d == NULL) {
		snprintf(err, errlen, "counting the RX queues of '%s': %s: %s", ifname, path,
			 strerror(errno));
		return errno == ENOENT ? PF_RING_ERROR_UNKNOWN_ADAPTER : PF_RING_ERROR_GENERIC;
	}
	/* rx-0 .. rx-(n-1): the highest number + 1, so a gap cannot shrink it. */
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "rx-", 3) != 0)
			continue;
		errno = 0;
		q = strtol(e->d_name + 3, &end, 10);
		if (errno == 0 && *end == '\0' && q >= 0 && q < 65536 && q + 1 > n)
			n = q + 1;
	}
	closedir(d);
	if (n == 0) {
		snprintf(err, errlen, "'%s' has no RX queues in %s", ifname, path);
		return PF_RING_ERROR_GENERIC;
	}
	return (int)n;
}
