/*
 * pf_engine_common.c - device checks and epoll set-up shared by engines.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pf_engine_common.h"

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

int
pf_engine_epoll(pfring *ring, const int *fds, int n)
{
	struct epoll_event ev;
	int efd, i;

	efd = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "epoll: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(efd, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			close(efd);
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "epoll_ctl: %s",
					     strerror(errno));
		}
	}
	return efd;
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

unsigned int
pf_engine_queue_filter(struct sock_filter *f, int queue)
{
	unsigned int n = 0;

	if (queue < 0)
		return 0;
	/* Drivers record RX queue q as q+1; 0 means "not recorded", which a
	 * single-queue device reports: that is queue 0. */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_QUEUE);
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
