/*
 * netdev_msgs.h - generic-netlink replies written byte by byte (no libnl),
 * for the unit test and the fuzz target of pf_netdev.c's reply parsers.
 */
#ifndef NETDEV_MSGS_H
#define NETDEV_MSGS_H

#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>

#include "pf_netdev.h"

/* The ids the tests give the families and the interface. */
#define T_ETHTOOL 0x20
#define T_NETDEV  0x21
#define T_IFINDEX 7

struct msgbuf {
	_Alignas(8) unsigned char b[1024];
	size_t len;
	size_t nest[4];
	int depth;
};

static inline void
mb_put(struct msgbuf *m, const void *p, size_t n)
{
	if (m->len + n > sizeof(m->b))
		return;
	memcpy(m->b + m->len, p, n);
	m->len += n;
	while (m->len % 4 && m->len < sizeof(m->b))
		m->b[m->len++] = 0;
}

static inline void
mb_start(struct msgbuf *m, uint16_t type, uint8_t cmd)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_seq = 1 };
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };

	memset(m, 0, sizeof(*m));
	mb_put(m, &h, sizeof(h));
	mb_put(m, &g, sizeof(g));
}

/* An attribute whose header says len (payload n bytes follow). */
static inline void
mb_attr_len(struct msgbuf *m, uint16_t type, const void *p, size_t n, uint16_t len)
{
	struct nlattr a = { .nla_len = len, .nla_type = type };

	mb_put(m, &a, sizeof(a));
	if (n)
		mb_put(m, p, n);
}

static inline void
mb_attr(struct msgbuf *m, uint16_t type, const void *p, size_t n)
{
	mb_attr_len(m, type, p, n, (uint16_t)(NLA_HDRLEN + n));
}

static inline void
mb_u32(struct msgbuf *m, uint16_t type, uint32_t v)
{
	mb_attr(m, type, &v, sizeof(v));
}

static inline void
mb_u64(struct msgbuf *m, uint16_t type, uint64_t v)
{
	mb_attr(m, type, &v, sizeof(v));
}

static inline void
mb_nest_start(struct msgbuf *m, uint16_t type)
{
	m->nest[m->depth++] = m->len;
	mb_attr(m, type | NLA_F_NESTED, NULL, 0);
}

static inline void
mb_nest_end(struct msgbuf *m)
{
	size_t at = m->nest[--m->depth];
	uint16_t len = (uint16_t)(m->len - at);

	memcpy(m->b + at, &len, sizeof(len));
}

/* Finish: the header's length is what was written. */
static inline size_t
mb_end(struct msgbuf *m)
{
	uint32_t len = (uint32_t)m->len;

	memcpy(m->b, &len, sizeof(len));
	return m->len;
}

/* An ethtool reply's header nest naming ifindex and "veth0". */
static inline void
mb_ethtool_header(struct msgbuf *m, uint16_t attr, uint32_t ifindex)
{
	mb_nest_start(m, attr);
	mb_u32(m, ETHTOOL_A_HEADER_DEV_INDEX, ifindex);
	mb_attr(m, ETHTOOL_A_HEADER_DEV_NAME, "veth0", 6);
	mb_nest_end(m);
}

/* The replies as the kernel writes them for a veth with rx 3 of 4. */
static inline size_t
msg_channels(struct msgbuf *m, uint32_t rx, uint32_t rx_max, uint32_t comb, uint32_t comb_max)
{
	mb_start(m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_ethtool_header(m, ETHTOOL_A_CHANNELS_HEADER, T_IFINDEX);
	if (rx_max) {
		mb_u32(m, ETHTOOL_A_CHANNELS_RX_MAX, rx_max);
		mb_u32(m, ETHTOOL_A_CHANNELS_RX_COUNT, rx);
	}
	mb_u32(m, ETHTOOL_A_CHANNELS_TX_MAX, 4);
	mb_u32(m, ETHTOOL_A_CHANNELS_TX_COUNT, 3);
	if (comb_max) {
		mb_u32(m, ETHTOOL_A_CHANNELS_COMBINED_MAX, comb_max);
		mb_u32(m, ETHTOOL_A_CHANNELS_COMBINED_COUNT, comb);
	}
	return mb_end(m);
}

static inline size_t
msg_linkmodes(struct msgbuf *m, uint32_t speed)
{
	uint8_t autoneg = 0, duplex = DUPLEX_FULL;

	mb_start(m, T_ETHTOOL, ETHTOOL_MSG_LINKMODES_GET_REPLY);
	mb_ethtool_header(m, ETHTOOL_A_LINKMODES_HEADER, T_IFINDEX);
	mb_attr(m, ETHTOOL_A_LINKMODES_AUTONEG, &autoneg, 1);
	mb_nest_start(m, ETHTOOL_A_LINKMODES_OURS);
	mb_attr(m, ETHTOOL_A_BITSET_NOMASK, NULL, 0);
	mb_u32(m, ETHTOOL_A_BITSET_SIZE, 0);
	mb_nest_end(m);
	mb_u32(m, ETHTOOL_A_LINKMODES_SPEED, speed);
	mb_attr(m, ETHTOOL_A_LINKMODES_DUPLEX, &duplex, 1);
	return mb_end(m);
}

static inline size_t
msg_xdp(struct msgbuf *m, uint32_t ifindex, uint64_t features, int zc_segs)
{
	mb_start(m, T_NETDEV, PF_NETDEV_CMD_DEV_GET);
	mb_u32(m, PF_NETDEV_A_DEV_IFINDEX, ifindex);
	mb_attr(m, PF_NETDEV_A_DEV_PAD, NULL, 0);
	mb_u64(m, PF_NETDEV_A_DEV_XDP_FEATURES, features);
	if (zc_segs >= 0)
		mb_u32(m, PF_NETDEV_A_DEV_XDP_ZC_MAX_SEGS, (uint32_t)zc_segs);
	mb_u64(m, 5 /* XDP_RX_METADATA_FEATURES: newer than what is read */, 0);
	return mb_end(m);
}

#endif /* NETDEV_MSGS_H */
