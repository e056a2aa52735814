/*
 * pf_netdev.c - device facts (see pf_netdev.h): ethtool and netdev generic
 * netlink through libnl, the driver through ETHTOOL_GDRVINFO.
 */
#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "pf_netdev.h"
#include "pf_text.h"

static int
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* --- reply parsing: untrusted bytes in, facts out ------------------------ */

/* The lengths the kernel puts (nla_put_u32, nla_put_u64_64bit), exactly. */
#define U32_ATTR { .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define U64_ATTR { .type = NLA_U64, .minlen = 8, .maxlen = 8 }

static const struct nla_policy header_policy[ETHTOOL_A_HEADER_MAX + 1] = {
	[ETHTOOL_A_HEADER_DEV_INDEX] = U32_ATTR,
	[ETHTOOL_A_HEADER_DEV_NAME] = { .type = NLA_STRING, .maxlen = IF_NAMESIZE },
};

/* The attributes in head[0..len) fill it exactly: libnl's parser stops
 * quietly at one whose length runs past the end, which would drop it. */
static int
attrs_whole(struct nlattr *head, int len)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem)
		;
	return rem == 0;
}

/*
 * Check msg[0..len) is one generic-netlink message of family with command
 * cmd and parse its attributes into tb.  what names the reply in messages.
 */
static int
parse_genl(void *msg, size_t len, int family, uint8_t cmd, struct nlattr **tb, int maxtype,
	   const struct nla_policy *policy, const char *what, char *err, size_t errlen)
{
	struct nlmsghdr *nlh = msg;
	struct genlmsghdr *gh;
	int rc;

	if (len > INT_MAX || !nlmsg_ok(nlh, (int)len))
		return set_err(err, errlen, "%s reply: truncated netlink message (%zu bytes)",
			       what, len);
	if (nlh->nlmsg_type != family)
		return set_err(err, errlen, "%s reply: message type %u, expected family %d",
			       what, nlh->nlmsg_type, family);
	if (!genlmsg_valid_hdr(nlh, 0))
		return set_err(err, errlen, "%s reply: truncated generic netlink header", what);
	gh = nlmsg_data(nlh);
	if (gh->cmd != cmd)
		return set_err(err, errlen, "%s reply: command %u, expected %u", what, gh->cmd, cmd);
	if (!attrs_whole(genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0)))
		return set_err(err, errlen, "%s reply: an attribute runs past the message", what);
	rc = genlmsg_parse(nlh, 0, tb, maxtype, policy);
	if (rc < 0)
		return set_err(err, errlen, "%s reply: malformed attribute (%s)", what,
			       nl_geterror(rc));
	return 0;
}

/* An ethtool reply's header nest, if present, names the device asked about. */
static int
check_header(struct nlattr *nest, uint32_t ifindex, const char *what, char *err, size_t errlen)
{
	struct nlattr *tb[ETHTOOL_A_HEADER_MAX + 1];
	int rc;

	if (nest == NULL)
		return 0;
	if (!attrs_whole(nla_data(nest), nla_len(nest)))
		return set_err(err, errlen, "%s reply: an attribute runs past the header", what);
	rc = nla_parse_nested(tb, ETHTOOL_A_HEADER_MAX, nest, header_policy);
	if (rc < 0)
		return set_err(err, errlen, "%s reply: malformed header (%s)", what, nl_geterror(rc));
	if (tb[ETHTOOL_A_HEADER_DEV_INDEX] != NULL && nla_get_u32(tb[ETHTOOL_A_HEADER_DEV_INDEX]) != ifindex)
		return set_err(err, errlen, "%s reply: for interface index %u, asked about %u", what,
			       nla_get_u32(tb[ETHTOOL_A_HEADER_DEV_INDEX]), ifindex);
	return 0;
}

static uint32_t
u32_or_0(struct nlattr *a)
{
	return a != NULL ? nla_get_u32(a) : 0;
}

int
pf_netdev_parse_channels(void *msg, size_t len, int family, uint32_t ifindex,
			 pfring_device_facts *facts, char *err, size_t errlen)
{
	static const struct nla_policy policy[ETHTOOL_A_CHANNELS_MAX + 1] = {
		[ETHTOOL_A_CHANNELS_HEADER] = { .type = NLA_NESTED },
		[ETHTOOL_A_CHANNELS_RX_MAX] = U32_ATTR,
		[ETHTOOL_A_CHANNELS_TX_MAX] = U32_ATTR,
		[ETHTOOL_A_CHANNELS_OTHER_MAX] = U32_ATTR,
		[ETHTOOL_A_CHANNELS_COMBINED_MAX] = U32_ATTR,
		[ETHTOOL_A_CHANNELS_RX_COUNT] = U32_ATTR,
		[ETHTOOL_A_CHANNELS_TX_COUNT] = U32_ATTR,
		[ETHTOOL_A_CHANNELS_OTHER_COUNT] = U32_ATTR,
		[ETHTOOL_A_CHANNELS_COMBINED_COUNT] = U32_ATTR,
	};
	struct nlattr *tb[ETHTOOL_A_CHANNELS_MAX + 1];
	uint32_t rx, rx_max, comb, comb_max;

	if (parse_genl(msg, len, family, ETHTOOL_MSG_CHANNELS_GET_REPLY, tb, ETHTOOL_A_CHANNELS_MAX,
		       policy, "ethtool channels", err, errlen) < 0 ||
	    check_header(tb[ETHTOOL_A_CHANNELS_HEADER], ifindex, "ethtool channels", err, errlen) < 0)
		return -1;
	/* The kernel leaves out a kind of channel the device has none of. */
	rx = u32_or_0(tb[ETHTOOL_A_CHANNELS_RX_COUNT]);
	rx_max = u32_or_0(tb[ETHTOOL_A_CHANNELS_RX_MAX]);
	comb = u32_or_0(tb[ETHTOOL_A_CHANNELS_COMBINED_COUNT]);
	comb_max = u32_or_0(tb[ETHTOOL_A_CHANNELS_COMBINED_MAX]);
	if (rx > rx_max || comb > comb_max)
		return set_err(err, errlen,
			       "ethtool channels reply: %u rx / %u combined channels, above the "
			       "maximum %u / %u", rx, comb, rx_max, comb_max);
	if ((uint64_t)rx + comb > UINT32_MAX)
		return set_err(err, errlen, "ethtool channels reply: %u + %u channels overflow",
			       rx, comb);
	facts->channels_known = 1;
	facts->rx_only = rx;
	facts->rx_only_max = rx_max;
	facts->combined = comb;
	facts->combined_max = comb_max;
	facts->rx_channels = rx + comb;
	return 0;
}

int
pf_netdev_parse_linkmodes(void *msg, size_t len, int family, uint32_t ifindex,
			  pfring_device_facts *facts, char *err, size_t errlen)
{
	static const struct nla_policy policy[ETHTOOL_A_LINKMODES_MAX + 1] = {
		[ETHTOOL_A_LINKMODES_HEADER] = { .type = NLA_NESTED },
		[ETHTOOL_A_LINKMODES_SPEED] = U32_ATTR,
	};
	struct nlattr *tb[ETHTOOL_A_LINKMODES_MAX + 1];
	uint32_t speed;

	if (parse_genl(msg, len, family, ETHTOOL_MSG_LINKMODES_GET_REPLY, tb, ETHTOOL_A_LINKMODES_MAX,
		       policy, "ethtool linkmodes", err, errlen) < 0 ||
	    check_header(tb[ETHTOOL_A_LINKMODES_HEADER], ifindex, "ethtool linkmodes", err, errlen) < 0)
		return -1;
	/* SPEED_UNKNOWN (no link) and an absent speed are PF_RING's 0. */
	speed = u32_or_0(tb[ETHTOOL_A_LINKMODES_SPEED]);
	facts->speed_mbps = speed == (uint32_t)SPEED_UNKNOWN ? 0 : speed;
	return 0;
}

int
pf_netdev_parse_xdp(void *msg, size_t len, int family, uint32_t ifindex,
		    pfring_device_facts *facts, char *err, size_t errlen)
{
	static const struct nla_policy policy[PF_NETDEV_A_DEV_MAX + 1] = {
		[PF_NETDEV_A_DEV_IFINDEX] = U32_ATTR,
		[PF_NETDEV_A_DEV_XDP_FEATURES] = U64_ATTR,
		[PF_NETDEV_A_DEV_XDP_ZC_MAX_SEGS] = U32_ATTR,
	};
	struct nlattr *tb[PF_NETDEV_A_DEV_MAX + 1];
	uint64_t features;

	if (parse_genl(msg, len, family, PF_NETDEV_CMD_DEV_GET, tb, PF_NETDEV_A_DEV_MAX, policy,
		       "netdev", err, errlen) < 0)
		return -1;
	if (tb[PF_NETDEV_A_DEV_IFINDEX] == NULL || nla_get_u32(tb[PF_NETDEV_A_DEV_IFINDEX]) != ifindex)
		return set_err(err, errlen, "netdev reply: for interface index %u, asked about %u",
			       u32_or_0(tb[PF_NETDEV_A_DEV_IFINDEX]), ifindex);
	if (tb[PF_NETDEV_A_DEV_XDP_FEATURES] == NULL)
		return set_err(err, errlen, "netdev reply: no xdp-features attribute");
	features = nla_get_u64(tb[PF_NETDEV_A_DEV_XDP_FEATURES]);
	facts->xdp_features_known = 1;
	facts->xdp_features = features;
	facts->xsk_zero_copy = (features & PFRING_XDP_XSK_ZEROCOPY) != 0;
	/* Sent only with zero copy; a value without it means nothing. */
	facts->xdp_zc_max_segs = facts->xsk_zero_copy ? u32_or_0(tb[PF_NETDEV_A_DEV_XDP_ZC_MAX_SEGS]) : 0;
	return 0;
}

/* --- I/O: one request, its reply ------------------------------------------ */

typedef int (*reply_parser)(void *msg, size_t len, int family, uint32_t ifindex,
			    pfring_device_facts *facts, char *err, size_t errlen);

struct request {
	int family;
	uint32_t ifindex;
	pfring_device_facts *facts;
	reply_parser parse;
	int replies;      /* replies parsed */
	int parse_failed; /* a reply was refused: the reason is in err */
	int kernel_errno; /* the kernel's error (positive), 0 if none */
	int done;         /* the ack or an error came */
	char *err;
	size_t errlen;
};

static int
on_reply(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	rq->replies++;
	if (rq->replies > 1 || rq->parse(nlh, nlh->nlmsg_len, rq->family, rq->ifindex, rq->facts,
					 rq->err, rq->errlen) < 0) {
		if (rq->replies > 1)
			set_err(rq->err, rq->errlen, "netlink: more than one reply to a request");
		rq->parse_failed = 1;
		rq->done = 1;
		return NL_STOP;
	}
	return NL_OK;
}

static int
on_ack(struct nl_msg *msg, void *arg)
{
	struct request *rq = arg;

	(void)msg;
	rq->done = 1;
	return NL_STOP;
}

static int
on_error(struct sockaddr_nl *from, struct nlmsgerr *e, void *arg)
{
	struct request *rq = arg;

	(void)from;
	rq->kernel_errno = e->error < 0 ? -e->error : EPROTO;
	rq->done = 1;
	return NL_STOP;
}

/*
 * Send msg (consumed) and take its reply through rq->parse.  0: parsed;
 * -1: refused or failed (reason in err), or the kernel's error in
 * rq->kernel_errno with err untouched, for the caller to word.
 */
static int
send_request(struct nl_sock *sk, struct nl_msg *msg, struct request *rq, const char *what)
{
	struct nl_cb *cb;
	int rc;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (cb == NULL) {
		nlmsg_free(msg);
		return set_err(rq->err, rq->errlen, "%s: out of memory", what);
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, rq);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, rq);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, rq);
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	while (rc >= 0 && !rq->done)
		rc = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	if (rq->parse_failed || rq->kernel_errno != 0)
		return -1;
	if (rc < 0)
		return set_err(rq->err, rq->errlen, "%s: netlink: %s", what, nl_geterror(rc));
	if (rq->replies != 1)
		return set_err(rq->err, rq->errlen, "%s: the kernel acknowledged without a reply", what);
	return 0;
}

/* A request of family with cmd, and its ethtool header nest (header_attr
 * > 0) or the netdev ifindex attribute naming ifindex; NULL: no memory. */
static struct nl_msg *
new_request(int family, uint8_t cmd, uint8_t version, int header_attr, uint32_t flags,
	    uint32_t ifindex)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;

	if (msg == NULL)
		return NULL;
	if (genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, version) == NULL)
		goto fail;
	if (header_attr > 0) {
		nest = nla_nest_start(msg, header_attr);
		if (nest == NULL || nla_put_u32(msg, ETHTOOL_A_HEADER_DEV_INDEX, ifindex) < 0 ||
		    (flags != 0 && nla_put_u32(msg, ETHTOOL_A_HEADER_FLAGS, flags) < 0))
			goto fail;
		nla_nest_end(msg, nest);
	} else if (nla_put_u32(msg, PF_NETDEV_A_DEV_IFINDEX, ifindex) < 0) {
		goto fail;
	}
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

static int
query(struct nl_sock *sk, int family, uint8_t cmd, uint8_t version, int header_attr,
      uint32_t flags, reply_parser parse, const char *name, uint32_t ifindex,
      pfring_device_facts *facts, int *kernel_errno, char *err, size_t errlen, const char *what)
{
	struct request rq = {
		.family = family, .ifindex = ifindex, .facts = facts, .parse = parse,
		.err = err, .errlen = errlen,
	};
	struct nl_msg *msg = new_request(family, cmd, version, header_attr, flags, ifindex);
	int rc;

	*kernel_errno = 0;
	if (msg == NULL)
		return set_err(err, errlen, "%s: out of memory", what);
	rc = send_request(sk, msg, &rq, what);
	if (rc < 0 && rq.kernel_errno != 0) {
		*kernel_errno = rq.kernel_errno;
		if (rq.kernel_errno == ENODEV)
			set_err(err, errlen, "interface '%s': no such device", name);
		else
			set_err(err, errlen, "interface '%s': %s: %s", name, what,
				strerror(rq.kernel_errno));
	}
	return rc;
}

int
pf_netdev_facts(const char *ifname, pfring_device_facts *facts, char *err, size_t errlen)
{
	char name[PF_SHOW_BUF];
	struct nl_sock *sk;
	unsigned int ifindex;
	int ethtool, netdev, kerr, rc;

	if (ifname == NULL || facts == NULL) {
		set_err(err, errlen, "device facts: no interface name");
		return PF_RING_ERROR_INVALID_ARGUMENT;
	}
	pf_show_str(name, sizeof(name), ifname);
	memset(facts, 0, sizeof(*facts));
	facts->xsk_zero_copy = PFRING_FACT_UNKNOWN;
	if (ifname[0] == '\0' || strlen(ifname) >= IF_NAMESIZE) {
		set_err(err, errlen, "interface '%s': not an interface name (1 to %d bytes)",
			name, IF_NAMESIZE - 1);
		return PF_RING_ERROR_INVALID_ARGUMENT;
	}
	ifindex = if_nametoindex(ifname);
	if (ifindex == 0) {
		set_err(err, errlen, "interface '%s': no such device", name);
		return PF_RING_ERROR_UNKNOWN_ADAPTER;
	}
	rc = pf_netdev_driver(ifname, facts->driver, sizeof(facts->driver));
	if (rc == -ENODEV) {
		set_err(err, errlen, "interface '%s': no such device", name);
		return PF_RING_ERROR_UNKNOWN_ADAPTER;
	}
	if (rc < 0)
		facts->driver[0] = '\0'; /* EOPNOTSUPP: a device without one (lo) */

	sk = nl_socket_alloc();
	if (sk == NULL) {
		set_err(err, errlen, "device facts: out of memory");
		return PF_RING_ERROR_GENERIC;
	}
	rc = genl_connect(sk);
	if (rc < 0) {
		set_err(err, errlen, "device facts: generic netlink socket: %s", nl_geterror(rc));
		rc = PF_RING_ERROR_GENERIC;
		goto out;
	}
	ethtool = genl_ctrl_resolve(sk, ETHTOOL_GENL_NAME);
	if (ethtool < 0) {
		set_err(err, errlen, "interface '%s': the kernel has no '%s' generic netlink "
			"family (Linux 5.6+ with CONFIG_ETHTOOL_NETLINK): %s", name,
			ETHTOOL_GENL_NAME, nl_geterror(ethtool));
		rc = PF_RING_ERROR_NOT_SUPPORTED;
		goto out;
	}

	/* A device without channels or link modes (lo) says EOPNOTSUPP. */
	rc = query(sk, ethtool, ETHTOOL_MSG_CHANNELS_GET, ETHTOOL_GENL_VERSION,
		   ETHTOOL_A_CHANNELS_HEADER, 0, pf_netdev_parse_channels, name, ifindex, facts,
		   &kerr, err, errlen, "ethtool channels");
	if (rc < 0 && kerr != EOPNOTSUPP)
		goto fail;
	rc = query(sk, ethtool, ETHTOOL_MSG_LINKMODES_GET, ETHTOOL_GENL_VERSION,
		   ETHTOOL_A_LINKMODES_HEADER, ETHTOOL_FLAG_COMPACT_BITSETS,
		   pf_netdev_parse_linkmodes, name, ifindex, facts, &kerr, err, errlen,
		   "ethtool linkmodes");
	if (rc < 0 && kerr != EOPNOTSUPP)
		goto fail;

	/* Before Linux 6.3 there is no netdev family: XDP facts unknown. */
	netdev = genl_ctrl_resolve(sk, PF_NETDEV_FAMILY_NAME);
	if (netdev < 0 && netdev != -NLE_OBJ_NOTFOUND) {
		set_err(err, errlen, "interface '%s': netdev generic netlink family: %s", name,
			nl_geterror(netdev));
		rc = PF_RING_ERROR_GENERIC;
		goto out;
	}
	if (netdev >= 0) {
		rc = query(sk, netdev, PF_NETDEV_CMD_DEV_GET, PF_NETDEV_FAMILY_VERSION, 0, 0,
			   pf_netdev_parse_xdp, name, ifindex, facts, &kerr, err, errlen,
			   "netdev");
		if (rc < 0)
			goto fail;
	}
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rc = 0;
	goto out;
fail:
	rc = kerr == ENODEV ? PF_RING_ERROR_UNKNOWN_ADAPTER : PF_RING_ERROR_GENERIC;
out:
	nl_socket_free(sk);
	return rc;
}
