/*
 * test_netdev.c - pf_netdev.c: the ethtool and netdev reply parsers on
 * replies written byte by byte (good ones, every truncation, attributes of
 * the wrong length, replies about another device), and the facts call on
 * what every Linux has (lo, a name that is no interface).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "netdev_msgs.h"
#include "pf_netdev.h"

static pfring_device_facts facts;
static char err[PFRING_ERRBUF_SIZE];

static int
channels(struct msgbuf *m, size_t len)
{
	memset(&facts, 0, sizeof(facts));
	err[0] = '\0';
	return pf_netdev_parse_channels(m->b, len, T_ETHTOOL, T_IFINDEX, &facts, err, sizeof(err));
}

static void
test_channels(void)
{
	struct msgbuf m;
	size_t len, cut;

	len = msg_channels(&m, 3, 4, 0, 0);
	CHECK_INT(0, channels(&m, len));
	CHECK_INT(1, facts.channels_known);
	CHECK_INT(3, facts.rx_channels);
	CHECK_INT(3, facts.rx_only);
	CHECK_INT(4, facts.rx_only_max);
	CHECK_INT(0, facts.combined);
	CHECK_INT(0, facts.combined_max);

	/* A NIC with combined channels and a few RX-only ones. */
	len = msg_channels(&m, 1, 2, 8, 16);
	CHECK_INT(0, channels(&m, len));
	CHECK_INT(9, facts.rx_channels);
	CHECK_INT(8, facts.combined);
	CHECK_INT(16, facts.combined_max);

	/* Every cut of a good reply is refused, and says why. */
	len = msg_channels(&m, 3, 4, 0, 0);
	for (cut = 0; cut < len; cut++) {
		CHECK_INT(-1, channels(&m, cut));
		CHECK(err[0] != '\0');
	}
	CHECK_INT(-1, channels(&m, 8));
	CHECK_STR("ethtool channels reply: truncated netlink message (8 bytes)", err);

	/* The header's length says more than the buffer holds. */
	len = msg_channels(&m, 3, 4, 0, 0);
	CHECK_INT(-1, channels(&m, len - 4));
	CHECK_STR("ethtool channels reply: truncated netlink message (72 bytes)", err);

	/* A u32 of 2 bytes, and one of 8. */
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_attr(&m, ETHTOOL_A_CHANNELS_RX_COUNT, "\x03\x00", 2);
	len = mb_end(&m);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: malformed attribute (Input data out of range)", err);
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_u64(&m, ETHTOOL_A_CHANNELS_RX_MAX, 4);
	len = mb_end(&m);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: malformed attribute (Input data out of range)", err);

	/* An attribute running past the message. */
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_u32(&m, ETHTOOL_A_CHANNELS_RX_MAX, 4);
	mb_attr_len(&m, ETHTOOL_A_CHANNELS_RX_COUNT, "\x03\x00\x00\x00", 4, 200);
	len = mb_end(&m);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: an attribute runs past the message", err);
	CHECK_INT(0, facts.channels_known);
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_nest_start(&m, ETHTOOL_A_CHANNELS_HEADER);
	mb_attr_len(&m, ETHTOOL_A_HEADER_DEV_INDEX, "\x07\x00\x00\x00", 4, 12);
	mb_nest_end(&m);
	mb_u32(&m, ETHTOOL_A_CHANNELS_RX_MAX, 4);
	len = mb_end(&m);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: an attribute runs past the header", err);

	/* More channels in use than the maximum. */
	len = msg_channels(&m, 5, 4, 0, 0);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: 5 rx / 0 combined channels, above the maximum 4 / 0", err);

	/* About another device, another family, another command. */
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_ethtool_header(&m, ETHTOOL_A_CHANNELS_HEADER, 8);
	len = mb_end(&m);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: for interface index 8, asked about 7", err);
	len = msg_channels(&m, 3, 4, 0, 0);
	m.b[4] = T_NETDEV;
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: message type 33, expected family 32", err);
	len = msg_channels(&m, 3, 4, 0, 0);
	m.b[NLMSG_HDRLEN] = ETHTOOL_MSG_LINKMODES_GET_REPLY;
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: command 4, expected 18", err);

	/* A header nest of a bad length inside. */
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_nest_start(&m, ETHTOOL_A_CHANNELS_HEADER);
	mb_attr(&m, ETHTOOL_A_HEADER_DEV_INDEX, "\x07", 1);
	mb_nest_end(&m);
	len = mb_end(&m);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: malformed header (Input data out of range)", err);
	/* A device name without its NUL. */
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mb_nest_start(&m, ETHTOOL_A_CHANNELS_HEADER);
	mb_attr(&m, ETHTOOL_A_HEADER_DEV_NAME, "veth", 4);
	mb_nest_end(&m);
	len = mb_end(&m);
	CHECK_INT(-1, channels(&m, len));
	CHECK_STR("ethtool channels reply: malformed header (Invalid input data or parameter)", err);
}

static int
linkmodes(struct msgbuf *m, size_t len)
{
	memset(&facts, 0, sizeof(facts));
	err[0] = '\0';
	return pf_netdev_parse_linkmodes(m->b, len, T_ETHTOOL, T_IFINDEX, &facts, err, sizeof(err));
}

static void
test_linkmodes(void)
{
	struct msgbuf m;
	size_t len, cut;

	len = msg_linkmodes(&m, 10000);
	CHECK_INT(0, linkmodes(&m, len));
	CHECK_INT(10000, facts.speed_mbps);
	len = msg_linkmodes(&m, (uint32_t)SPEED_UNKNOWN);
	CHECK_INT(0, linkmodes(&m, len));
	CHECK_INT(0, facts.speed_mbps);
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_LINKMODES_GET_REPLY);
	mb_ethtool_header(&m, ETHTOOL_A_LINKMODES_HEADER, T_IFINDEX);
	len = mb_end(&m);
	facts.speed_mbps = 5;
	CHECK_INT(0, linkmodes(&m, len));
	CHECK_INT(0, facts.speed_mbps);

	len = msg_linkmodes(&m, 10000);
	for (cut = 0; cut < len; cut++) {
		CHECK_INT(-1, linkmodes(&m, cut));
		CHECK(err[0] != '\0');
	}
	mb_start(&m, T_ETHTOOL, ETHTOOL_MSG_LINKMODES_GET_REPLY);
	mb_attr(&m, ETHTOOL_A_LINKMODES_SPEED, "\x10\x27", 2);
	len = mb_end(&m);
	CHECK_INT(-1, linkmodes(&m, len));
	CHECK_STR("ethtool linkmodes reply: malformed attribute (Input data out of range)", err);
}

static int
xdp(struct msgbuf *m, size_t len)
{
	memset(&facts, 0, sizeof(facts));
	facts.xsk_zero_copy = PFRING_FACT_UNKNOWN;
	err[0] = '\0';
	return pf_netdev_parse_xdp(m->b, len, T_NETDEV, T_IFINDEX, &facts, err, sizeof(err));
}

static void
test_xdp(void)
{
	struct msgbuf m;
	size_t len, cut;

	/* veth: basic, redirect, rx-sg; no zero copy. */
	len = msg_xdp(&m, T_IFINDEX, PFRING_XDP_BASIC | PFRING_XDP_REDIRECT | PFRING_XDP_RX_SG, -1);
	CHECK_INT(0, xdp(&m, len));
	CHECK_INT(1, facts.xdp_features_known);
	CHECK_INT(0x23, facts.xdp_features);
	CHECK_INT(0, facts.xsk_zero_copy);
	CHECK_INT(0, facts.xdp_zc_max_segs);
	/* A zero-copy NIC. */
	len = msg_xdp(&m, T_IFINDEX, 0x7f, 1);
	CHECK_INT(0, xdp(&m, len));
	CHECK_INT(1, facts.xsk_zero_copy);
	CHECK_INT(1, facts.xdp_zc_max_segs);
	/* A segment count without zero copy means nothing. */
	len = msg_xdp(&m, T_IFINDEX, PFRING_XDP_BASIC, 4);
	CHECK_INT(0, xdp(&m, len));
	CHECK_INT(0, facts.xsk_zero_copy);
	CHECK_INT(0, facts.xdp_zc_max_segs);

	len = msg_xdp(&m, T_IFINDEX, 0x7f, 1);
	for (cut = 0; cut < len; cut++) {
		CHECK_INT(-1, xdp(&m, cut));
		CHECK(err[0] != '\0');
		CHECK_INT(PFRING_FACT_UNKNOWN, facts.xsk_zero_copy);
	}
	len = msg_xdp(&m, 9, 0x7f, 1);
	CHECK_INT(-1, xdp(&m, len));
	CHECK_STR("netdev reply: for interface index 9, asked about 7", err);
	mb_start(&m, T_NETDEV, PF_NETDEV_CMD_DEV_GET);
	mb_u32(&m, PF_NETDEV_A_DEV_IFINDEX, T_IFINDEX);
	len = mb_end(&m);
	CHECK_INT(-1, xdp(&m, len));
	CHECK_STR("netdev reply: no xdp-features attribute", err);
	CHECK_INT(0, facts.xdp_features_known);
	mb_start(&m, T_NETDEV, PF_NETDEV_CMD_DEV_GET);
	mb_u32(&m, PF_NETDEV_A_DEV_IFINDEX, T_IFINDEX);
	mb_u32(&m, PF_NETDEV_A_DEV_XDP_FEATURES, 0xf);
	len = mb_end(&m);
	CHECK_INT(-1, xdp(&m, len));
	CHECK_STR("netdev reply: malformed attribute (Input data out of range)", err);
}

/* The live call, on what any Linux has. */
static void
test_facts(void)
{
	char longname[64];

	memset(longname, 'x', sizeof(longname));
	longname[IF_NAMESIZE] = '\0';
	CHECK_INT(PF_RING_ERROR_UNKNOWN_ADAPTER,
		  pfring_get_device_facts("nosuch0pfr", &facts, err, sizeof(err)));
	CHECK_STR("interface 'nosuch0pfr': no such device", err);
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_get_device_facts(longname, &facts, err, sizeof(err)));
	CHECK_STR("interface 'xxxxxxxxxxxxxxxx': not an interface name (1 to 15 bytes)", err);
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_get_device_facts("", &facts, err, sizeof(err)));
	CHECK_STR("interface '': not an interface name (1 to 15 bytes)", err);
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_get_device_facts(NULL, &facts, err, sizeof(err)));
	CHECK_STR("device facts: no interface name", err);

	/* lo: no driver, no channels, no link speed. */
	CHECK_INT(0, pfring_get_device_facts("lo", &facts, err, sizeof(err)));
	CHECK_STR("", err);
	CHECK_STR("", facts.driver);
	CHECK_INT(0, facts.channels_known);
	CHECK_INT(0, facts.rx_channels);
	CHECK_INT(0, facts.speed_mbps);
	if (facts.xdp_features_known) {
		CHECK_INT(0, facts.xdp_features);
		CHECK_INT(0, facts.xsk_zero_copy);
	} else {
		CHECK_INT(PFRING_FACT_UNKNOWN, facts.xsk_zero_copy);
	}
	CHECK_INT(-ENODEV, pf_netdev_driver("nosuch0pfr", err, sizeof(err)));
}

int
main(void)
{
	test_channels();
	test_linkmodes();
	test_xdp();
	test_facts();
	return check_exit("test_netdev");
}
