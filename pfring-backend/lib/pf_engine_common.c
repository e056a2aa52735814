/*
 * pf_engine_common.c - the socket set and the device and ring checks of the
 * socket-based engines (see pf_engine_common.h).
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <linux/sockios.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pf_engine_common.h"
#include "pf_netdev.h"

int
pf_engine_check_device(pfring *ring, const char *name, int queue, int *mtu)
{
	struct ifreq ifr;
	char path[128];
	struct stat st;
	int fd, rc = 0;

	/* Interface ioctls work on any socket; the PF_RING family has none. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		rc = pf_ring_error(ring, PF_RING_ERROR_UNKNOWN_ADAPTER,
				   "interface '%s': %s", name, strerror(errno));
		goto out;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER &&
	    ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK) {
		rc = pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
				   "interface '%s' is not an Ethernet interface (ARPHRD %d)",
				   name, ifr.ifr_hwaddr.sa_family);
		goto out;
	}
	*mtu = 1500;
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		*mtu = ifr.ifr_mtu;
	if (queue >= 0) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%d", name, queue);
		if (stat(path, &st) < 0)
			rc = pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
					   "interface '%s' has no RX queue %d", name, queue);
	}
out:
	close(fd);
	return rc;
}

/* An epoll fd watching the members for input (a ring over several devices
 * needs one selectable fd); >= 0, or a PF_RING error code. */
static int
set_epoll(pfring *ring, const struct pf_socket_set *set)
{
	struct epoll_event ev;
	int efd, i;

	efd = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "epoll: %s", strerror(errno));
	for (i = 0; i < set->n_socks; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(efd, EPOLL_CTL_ADD, set->fds[i], &ev) < 0) {
			close(efd);
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "epoll_ctl: %s",
					     strerror(errno));
		}
	}
	return efd;
}

int
pf_socket_set_open(pfring *ring, struct pf_socket_set *set, const struct pf_socket_set_ops *ops)
{
	const char *name;
	int i, rc;

	set->ops = ops;
	set->epoll_fd = -1;
	for (i = 0; i < PF_MAX_DEVICES; i++)
		set->fds[i] = -1;
	for (i = 0; i < ring->devs.n_devices; i++) {
		name = ring->devs.devices[i];
		set->n_socks = i + 1;
		set->ifindex[i] = (int)if_nametoindex(name);
		if (set->ifindex[i] == 0)
			return pf_ring_error(ring, PF_RING_ERROR_UNKNOWN_ADAPTER,
					     "no such interface '%s'", name);
		rc = ops->open_member(ring, i, name);
		if (rc < 0)
			return rc;
		/* Only a queue filter asks how the device numbers queues. */
		set->queue_from_tx[i] = ring->devs.queue >= 0 && pf_engine_queue_from_tx(name);
	}
	if (set->n_socks > 1) {
		set->epoll_fd = set_epoll(ring, set);
		if (set->epoll_fd < 0)
			return set->epoll_fd;
	}
	return 0;
}

void
pf_socket_set_close(pfring *ring)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);
	int i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n_socks; i++) {
		set->ops->close_member(ring, i);
		if (set->fds[i] >= 0)
			close(set->fds[i]);
	}
	if (set->epoll_fd >= 0)
		close(set->epoll_fd);
	free(set->user_prog);
	free(ring->engine);
	ring->engine = NULL;
}

static int
join_members(pfring *ring)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);
	int i, rc;

	for (i = 0; i < set->n_socks; i++) {
		rc = set->ops->join(ring, i);
		if (rc < 0)
			return rc;
	}
	set->joined = 1;
	return 0;
}

int
pf_socket_set_join(pfring *ring)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);

	if (set->cluster_id == 0 || set->joined)
		return 0;
	return join_members(ring);
}

int
pf_socket_set_join_error(pfring *ring, int e)
{
	const struct pf_socket_set *set = pf_socket_set_of(ring);

	if (e == EINVAL)
		return pf_ring_error(ring, PF_RING_ERROR_WRONG_CONFIGURATION,
				     "cannot join cluster %u as %s: the cluster exists with "
				     "another cluster type or on another device",
				     set->cluster_id, pf_cluster_type_name(set->cluster));
	return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "joining cluster %u: %s",
			     set->cluster_id, strerror(e));
}

int
pf_socket_set_cluster(pfring *ring, u_int id, cluster_type type)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);

	if (set->joined)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_STATE,
				     "already in cluster %u", set->cluster_id);
	if (set->n_socks > 1)
		return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
				     "a cluster spans one device; '%s' has %d",
				     ring->devs.devices[0], set->n_socks);
	set->cluster_id = id;
	set->cluster = type;
	/* Before enable the join waits, so members join in enable order. */
	return ring->enabled ? join_members(ring) : 0;
}

int
pf_socket_set_bpf(pfring *ring, const struct sock_fprog *prog)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);
	struct sock_filter *copy = NULL;

	if (prog != NULL) {
		copy = malloc(prog->len * sizeof(*copy));
		if (copy == NULL)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
		memcpy(copy, prog->filter, prog->len * sizeof(*copy));
	}
	free(set->user_prog);
	set->user_prog = copy;
	set->user_len = prog != NULL ? prog->len : 0;
	return ring->enabled ? set->ops->install_filter(ring) : 0;
}

int
pf_socket_set_selectable_fd(pfring *ring)
{
	struct pf_socket_set *set = pf_socket_set_of(ring);

	return set->n_socks > 1 ? set->epoll_fd : set->fds[0];
}

int
pf_engine_promisc(pfring *ring, int fd, int ifindex, const char *name)
{
	struct packet_mreq mreq;

	memset(&mreq, 0, sizeof(mreq));
	mreq.mr_ifindex = ifindex;
	mreq.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "promiscuous mode on '%s': %s", name, strerror(errno));
	return 0;
}

/* A membership on an AF_PACKET socket that receives nothing (protocol 0)
 * holds promiscuous mode for an engine that has no socket of that family;
 * the kernel counts it and drops it when the socket closes. */
int
pf_engine_hold_promisc(pfring *ring, int ifindex, const char *name)
{
	int fd, rc;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "promiscuous mode on '%s': AF_PACKET socket: %s",
				     name, strerror(errno));
	rc = pf_engine_promisc(ring, fd, ifindex, name);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

uint32_t
pf_engine_frame_max(int mtu, uint32_t caplen)
{
	uint32_t frame = (uint32_t)mtu + ETH_HLEN + 2 * PF_VLAN_TAG_LEN;

	return frame < caplen ? frame : caplen;
}

size_t
pf_engine_ring_bytes(const pfring *ring, size_t slot_size)
{
	int slots_set = (ring->cfg.set & PF_KEY_RX_SLOTS) != 0;
	size_t buffer = ring->params.buffer_bytes;

	if (buffer != 0 && !slots_set)
		return buffer;
	if (buffer == 0 && !slots_set && (size_t)ring->cfg.rx_slots * slot_size > PF_DEFAULT_RING_MAX)
		return PF_DEFAULT_RING_MAX;
	return (size_t)ring->cfg.rx_slots * slot_size;
}

int
pf_engine_send_result(pfring *ring, ssize_t n)
{
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == ENOBUFS)
		return PF_RING_ERROR_NO_TX_SLOT_AVAILABLE;
	return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "send on '%s': %s",
			     ring->devs.devices[0], strerror(errno));
}

int
pf_engine_queue_from_tx(const char *name)
{
	char driver[PFRING_DRIVER_NAME_SIZE];

	return pf_netdev_driver(name, driver, sizeof(driver)) == 0 && strcmp(driver, "veth") == 0;
}

unsigned int
pf_engine_queue_filter(struct sock_filter *f, int queue, int from_tx)
{
	unsigned int n = 0;

	if (queue < 0)
		return 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_QUEUE);
	if (from_tx) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned int)queue, 1, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
		return n;
	}
	/* Drivers record RX queue q as q+1; 0 means "not recorded", which a
	 * single-queue device reports: that is queue 0. */
	if (queue == 0) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 2, 0);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
	} else {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned int)queue + 1, 1, 0);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	return n;
}
