/*
 * pf_netdev_driver.c - an interface's driver (see pf_netdev.h).  Apart
 * from pf_netdev.c so that the socket set, which asks it, does not pull
 * libnl into a static link of libpcap.a that never asks for device facts.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf_netdev.h"

_Static_assert(PFRING_DRIVER_NAME_SIZE == sizeof(((struct ethtool_drvinfo *)0)->driver),
	       "pfring.h's driver name size is the kernel's");

int
pf_netdev_driver(const char *ifname, char *driver, size_t len)
{
	struct ethtool_drvinfo info;
	struct ifreq ifr;
	int fd, rc = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	/* Interface ioctls work on any socket. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.cmd = ETHTOOL_GDRVINFO;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0)
		snprintf(driver, len, "%.*s", (int)sizeof(info.driver), info.driver);
	return rc;
}
