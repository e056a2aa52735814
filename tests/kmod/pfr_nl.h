/*
 * pfr_nl.h - the few rtnetlink requests the pf_ring.ko tests need that
 * busybox ip cannot make: a veth pair whose first end gets a chosen
 * ifindex (to reuse one), and deleting a link by index.  Header-only, for
 * pfrtest and pfrfuzz.
 */
#ifndef PFR_NL_H
#define PFR_NL_H

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct pfr_nl_req {
	struct nlmsghdr n;
	struct ifinfomsg i;
	char buf[512];
};

static struct rtattr *
pfr_nl_put(struct nlmsghdr *n, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void
pfr_nl_end(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)nest);
}

/* Sends the request, returns 0 or -errno from the kernel's ack. */
static int
pfr_nl_talk(struct nlmsghdr *n)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[1024];
	struct nlmsghdr *h;
	ssize_t len;
	int fd, err = -EIO;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(fd, n, n->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	len = recv(fd, buf, sizeof(buf), 0);
	h = (struct nlmsghdr *)buf;
	if (len >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR)
		err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	close(fd);
	return err;
}

/* A veth pair NAME (ifindex INDEX, 0: any) and PEER. */
static int
pfr_nl_veth_add(const char *name, const char *peer, int index)
{
	struct pfr_nl_req r;
	struct ifinfomsg pi;
	struct rtattr *li, *data, *pe;

	memset(&r, 0, sizeof(r));
	memset(&pi, 0, sizeof(pi));
	r.n.nlmsg_len = NLMSG_LENGTH(sizeof(r.i));
	r.n.nlmsg_type = RTM_NEWLINK;
	r.n.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	r.i.ifi_family = AF_UNSPEC;
	r.i.ifi_index = index;
	pfr_nl_put(&r.n, IFLA_IFNAME, name, strlen(name) + 1);
	li = pfr_nl_put(&r.n, IFLA_LINKINFO, NULL, 0);
	pfr_nl_put(&r.n, IFLA_INFO_KIND, "veth", 4);
	data = pfr_nl_put(&r.n, IFLA_INFO_DATA, NULL, 0);
	pe = pfr_nl_put(&r.n, VETH_INFO_PEER, &pi, sizeof(pi));
	pfr_nl_put(&r.n, IFLA_IFNAME, peer, strlen(peer) + 1);
	pfr_nl_end(&r.n, pe);
	pfr_nl_end(&r.n, data);
	pfr_nl_end(&r.n, li);
	return pfr_nl_talk(&r.n);
}

static int
pfr_nl_link_del(int index)
{
	struct pfr_nl_req r;

	memset(&r, 0, sizeof(r));
	r.n.nlmsg_len = NLMSG_LENGTH(sizeof(r.i));
	r.n.nlmsg_type = RTM_DELLINK;
	r.i.ifi_family = AF_UNSPEC;
	r.i.ifi_index = index;
	return pfr_nl_talk(&r.n);
}

/* Sets the link up; 0 or -errno. */
static int
pfr_link_up(const char *name)
{
	struct ifreq ifr;
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

#endif /* PFR_NL_H */
