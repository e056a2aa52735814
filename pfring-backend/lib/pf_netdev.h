/*
 * pf_netdev.h - device facts (pfring_get_device_facts()): RX channels and
 * link speed from the ethtool generic-netlink family, XDP features from the
 * "netdev" family, through libnl; the driver from the ETHTOOL_GDRVINFO ioctl.
 *
 * The replies are parsed apart from the I/O (pf_netdev_parse_*), so the
 * parsers run on any bytes in the unit and fuzz tests: a reply is untrusted
 * input, every attribute's length is checked before it is read.
 */
#ifndef PF_NETDEV_H
#define PF_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#include "pfring.h"

/*
 * The driver of interface ifname into driver (len bytes, NUL-terminated):
 * 0, or -errno (ENODEV: no such interface, EOPNOTSUPP: the device names no
 * driver, as lo).  ethtool netlink has no driver message and rtnetlink none
 * either; sysfs has it only for devices on a bus (not veth), so the ioctl
 * is the one source that covers every device.  In pf_netdev_driver.c: the
 * socket set asks it, and must not pull libnl into every static link.
 */
int pf_netdev_driver(const char *ifname, char *driver, size_t len);

/* pfring_get_device_facts() with pf_config's error buffer conventions. */
int pf_netdev_facts(const char *ifname, pfring_device_facts *facts, char *err, size_t errlen);

/*
 * Parse one reply (a whole netlink message, msg[0..len)) of generic-netlink
 * family id family for interface ifindex into facts: ETHTOOL_MSG_CHANNELS_GET,
 * ETHTOOL_MSG_LINKMODES_GET and the netdev family's NETDEV_CMD_DEV_GET.
 * Returns 0, or -1 with what was wrong in err.  msg must be aligned for
 * struct nlmsghdr; it is not changed.
 */
int pf_netdev_parse_channels(void *msg, size_t len, int family, uint32_t ifindex,
			     pfring_device_facts *facts, char *err, size_t errlen);
int pf_netdev_parse_linkmodes(void *msg, size_t len, int family, uint32_t ifindex,
			      pfring_device_facts *facts, char *err, size_t errlen);
int pf_netdev_parse_xdp(void *msg, size_t len, int family, uint32_t ifindex,
			pfring_device_facts *facts, char *err, size_t errlen);

/* The generic-netlink command numbers of the netdev family (uapi
 * linux/netdev.h, which Debian 12's 6.1 headers lack). */
#define PF_NETDEV_FAMILY_NAME      "netdev"
#define PF_NETDEV_FAMILY_VERSION   1
#define PF_NETDEV_CMD_DEV_GET      1
#define PF_NETDEV_A_DEV_IFINDEX    1
#define PF_NETDEV_A_DEV_PAD        2
#define PF_NETDEV_A_DEV_XDP_FEATURES 3
#define PF_NETDEV_A_DEV_XDP_ZC_MAX_SEGS 4
#define PF_NETDEV_A_DEV_MAX        4  /* the newest attribute read here */

#endif /* PF_NETDEV_H */
