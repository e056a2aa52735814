/*
 * flowgen - deterministic test traffic over AF_PACKET.
 *
 *   flowgen -i IFACE -n COUNT [-f FLOWS] [-p udp|tcp] [-l FRAMELEN] [-r]
 *           [-b FLOW_BASE] [-v VLAN] [-R PPS] [-T TUNNEL] [-V]
 *   flowgen --list -n COUNT [-f FLOWS] [-p udp|tcp] [-r] [-b FLOW_BASE]
 *
 * -T gtpu|vxlan|gre|ipip sends each frame inside a tunnel from 172.16.0.1
 * to 172.16.0.2 (-r swaps them): GTP-U (UDP 2152 both ways, G-PDU), VXLAN
 * (UDP from 49152 + flow % 16384 to 4789, the frame's MACs inside), GRE
 * (4-byte header, IPv4 inside) or IPv4 in IPv4.  -l and --list are about
 * the carried frame; every flow has the same outer addresses.
 *
 * Packet i goes to flow FLOW_BASE + (i % FLOWS).  Flow k is
 * 10.0.(k>>8).(k&255):(10000+k) > 10.255.0.1:80, UDP or TCP SYN; -r swaps
 * source and destination (MACs too).  --list prints what would be sent, one
 * flow a line, "src:sport>dst:dport/proto count", in flow order.
 *
 * Deliberately independent of the library under test: raw AF_PACKET socket,
 * no libpcap, no libpfring.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOW_PORT_BASE 10000u
#define MAX_FLOW_INDEX (65535u - FLOW_PORT_BASE)
#define DST_PORT 80u
#define MAX_FRAME 9216u
/* Outer Ethernet + IPv4 + the largest tunnel header (VXLAN) + inner Ethernet. */
#define MAX_TUNNEL_OVERHEAD (18u + 20u + 16u + 14u)
#define TUNNEL_SRC_IP 0xac100001u /* 172.16.0.1 */
#define TUNNEL_DST_IP 0xac100002u /* 172.16.0.2 */

enum tunnel { T_NONE, T_GTPU, T_VXLAN, T_GRE, T_IPIP };
/* Give up if the device refuses frames for this long: something is wrong. */
#define SEND_STALL_NS (10ull * 1000000000ull)

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

struct opts {
	const char *ifname;
	unsigned long count;
	unsigned long flows;
	unsigned long base;
	int tcp;
	unsigned long framelen;
	int reverse;
	int vlan; /* -1 = untagged */
	unsigned long pps;
	int verbose;
	int list;
	enum tunnel tunnel;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "flowgen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: flowgen -i IFACE -n COUNT [-f FLOWS] [-p udp|tcp] [-l FRAMELEN]\n"
		"               [-r] [-b FLOW_BASE] [-v VLAN] [-R PPS] [-T gtpu|vxlan|gre|ipip] [-V]\n"
		"       flowgen --list -n COUNT [-f FLOWS] [-p udp|tcp] [-r] [-b FLOW_BASE]\n");
	exit(2);
}

static unsigned long parse_num(const char *s, const char *what, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die("bad %s", what);
	return v;
}

static uint32_t flow_src_ip(unsigned long k)
{
	return (10u << 24) | ((uint32_t)(k >> 8) << 8) | (uint32_t)(k & 255);
}

static uint32_t flow_dst_ip(void)
{
	return (10u << 24) | (255u << 16) | 1u;
}

static void ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
}

/* Packets of flow index j (0-based within the run) under round-robin. */
static unsigned long flow_count(const struct opts *o, unsigned long j)
{
	return o->count / o->flows + (j < o->count % o->flows ? 1 : 0);
}

static void list_flows(const struct opts *o)
{
	for (unsigned long j = 0; j < o->flows; j++) {
		unsigned long n = flow_count(o, j);
		if (n == 0)
			continue; /* never sent, so a capture cannot show it */
		unsigned long k = o->base + j;
		char a[16], b[16];
		unsigned int pa = FLOW_PORT_BASE + (unsigned int)k, pb = DST_PORT;
		ip_str(flow_src_ip(k), a, sizeof(a));
		ip_str(flow_dst_ip(), b, sizeof(b));
		if (o->reverse)
			printf("%s:%u>%s:%u/%s %lu\n", b, pb, a, pa, o->tcp ? "tcp" : "udp", n);
		else
			printf("%s:%u>%s:%u/%s %lu\n", a, pa, b, pb, o->tcp ? "tcp" : "udp", n);
	}
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t l2_len(const struct opts *o)
{
	return 14 + (o->vlan >= 0 ? 4 : 0);
}

static size_t min_frame(const struct opts *o)
{
	return l2_len(o) + 20 + (o->tcp ? 20 : 8);
}

/*
 * Build packet number seq of flow k into buf (framelen bytes, zeroed).
 * UDP carries the rest of the frame as payload; a TCP SYN carries none, the
 * frame is padded after the IP datagram instead.
 */
static uint16_t build(const struct opts *o, uint8_t *buf, unsigned long k,
		      unsigned long seq)
{
	size_t fl = o->framelen;
	memset(buf, 0, fl);
	memcpy(buf, o->reverse ? MAC_A : MAC_B, 6);
	memcpy(buf + 6, o->reverse ? MAC_B : MAC_A, 6);
	size_t off = 12;
	if (o->vlan >= 0) {
		put16(buf + off, 0x8100);
		put16(buf + off + 2, (uint32_t)o->vlan);
		off += 4;
	}
	put16(buf + off, 0x0800);
	off += 2;

	uint8_t *ip = buf + off;
	size_t l4len = o->tcp ? 20 : fl - off - 20;
	size_t iplen = 20 + l4len;
	uint32_t sip = flow_src_ip(k), dip = flow_dst_ip();
	uint32_t sport = FLOW_PORT_BASE + (uint32_t)k, dport = DST_PORT;
	if (o->reverse) {
		uint32_t t = sip; sip = dip; dip = t;
		t = sport; sport = dport; dport = t;
	}
	ip[0] = 0x45;
	put16(ip + 2, (uint32_t)iplen);
	put16(ip + 4, (uint32_t)(seq & 0xffff));
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = o->tcp ? 6 : 17;
	put32(ip + 12, sip);
	put32(ip + 16, dip);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	uint8_t *l4 = ip + 20;
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (o->tcp) {
		put32(l4 + 4, (uint32_t)seq);
		l4[12] = 5 << 4;
		l4[13] = 0x02; /* SYN */
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint32_t)l4len);
		/* Payload identifies the packet, handy when reading a capture by hand. */
		uint8_t *pl = l4 + 8;
		size_t room = l4len - 8;
		uint8_t tag[16] = { 'F', 'L', 'O', 'W', 'G', 'E', 'N', 0 };
		put32(tag + 8, (uint32_t)k);
		put32(tag + 12, (uint32_t)seq);
		memcpy(pl, tag, room < sizeof(tag) ? room : sizeof(tag));
	}
	uint8_t pseudo[12];
	put32(pseudo, sip);
	put32(pseudo + 4, dip);
	pseudo[8] = 0;
	pseudo[9] = ip[9];
	put16(pseudo + 10, (uint32_t)l4len);
	uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), l4, l4len));
	if (!o->tcp && c == 0)
		c = 0xffff; /* 0 means "no checksum" for UDP */
	put16(l4 + (o->tcp ? 16 : 6), c);
	return o->vlan >= 0 ? 0x8100 : 0x0800;
}

/*
 * The frame of build() (len bytes at in) inside o->tunnel, into out; returns
 * the new length.  Outer MACs and VLAN are the frame's own.
 */
static size_t encap(const struct opts *o, uint8_t *out, const uint8_t *in, size_t len,
		    unsigned long k)
{
	size_t l2 = l2_len(o), off = l2, hdr = 0, ipl = len - l2;
	uint32_t sip = o->reverse ? TUNNEL_DST_IP : TUNNEL_SRC_IP;
	uint32_t dip = o->reverse ? TUNNEL_SRC_IP : TUNNEL_DST_IP;
	uint8_t *ip, *t;
	int proto;

	memcpy(out, in, l2 - 2);
	put16(out + l2 - 2, 0x0800);
	ip = out + off;
	t = ip + 20;
	memset(ip, 0, 20 + 16);
	switch (o->tunnel) {
	case T_GTPU:
		proto = 17;
		put16(t, 2152);
		put16(t + 2, 2152);
		t[8] = 0x30;                     /* version 1, PT */
		t[9] = 0xff;                     /* G-PDU */
		put16(t + 10, (uint32_t)ipl);
		put32(t + 12, (uint32_t)k + 1);  /* TEID */
		hdr = 16;
		memcpy(t + hdr, in + l2, ipl);
		break;
	case T_VXLAN:
		proto = 17;
		put16(t, 49152u + (uint32_t)(k & 0x3fff));
		put16(t + 2, 4789);
		t[8] = 0x08;                     /* VNI valid */
		put32(t + 12, 42u << 8);         /* VNI 42 */
		hdr = 16;
		memcpy(t + hdr, in, 12);         /* the carried frame: MACs, no tag */
		put16(t + hdr + 12, 0x0800);
		memcpy(t + hdr + 14, in + l2, ipl);
		ipl += 14;
		break;
	case T_GRE:
		proto = 47;
		put16(t + 2, 0x0800);
		hdr = 4;
		memcpy(t + hdr, in + l2, ipl);
		break;
	default:
		proto = 4;
		memcpy(t, in + l2, ipl);
		break;
	}
	if (proto == 17) {
		put16(t + 4, (uint32_t)(hdr + ipl));
		put16(t + 6, 0); /* no UDP checksum (IPv4) */
	}
	ip[0] = 0x45;
	put16(ip + 2, (uint32_t)(20 + hdr + ipl));
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	put32(ip + 12, sip);
	put32(ip + 16, dip);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	return off + 20 + hdr + ipl;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sleep until the CLOCK_MONOTONIC time due (ns): an absolute deadline, so
 * neither a late wake-up nor the time spent sending drifts the rate. */
static void sleep_until_ns(uint64_t due)
{
	struct timespec ts = { (time_t)(due / 1000000000ull), (long)(due % 1000000000ull) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Device counters, to catch frames the device dropped after sendto() said yes. */
static int dev_stats(const char *ifname, struct rtnl_link_stats *out)
{
	struct ifaddrs *ifa, *p;
	int found = -1;
	if (getifaddrs(&ifa) < 0)
		return -1;
	for (p = ifa; p; p = p->ifa_next) {
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_PACKET && p->ifa_data &&
		    strcmp(p->ifa_name, ifname) == 0) {
			memcpy(out, p->ifa_data, sizeof(*out));
			found = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	return found;
}

static int send_all(const struct opts *o)
{
	unsigned int ifindex = if_nametoindex(o->ifname);
	if (!ifindex)
		die("no such interface: %s", o->ifname);
	/* Protocol 0: this socket never receives, it only sends. */
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_PACKET): %s", strerror(errno));

	struct rtnl_link_stats before, after;
	if (dev_stats(o->ifname, &before) < 0)
		die("cannot read counters of %s", o->ifname);

	static uint8_t buf[MAX_FRAME], tbuf[MAX_FRAME + MAX_TUNNEL_OVERHEAD];
	const uint8_t *frame = buf;
	size_t flen = o->framelen;
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, o->reverse ? MAC_A : MAC_B, 6);

	unsigned long retries = 0;
	uint64_t start = now_ns();
	for (unsigned long i = 0; i < o->count; i++) {
		unsigned long k = o->base + i % o->flows;
		uint16_t et = build(o, buf, k, i);
		sll.sll_protocol = htons(et);
		if (o->tunnel != T_NONE) {
			flen = encap(o, tbuf, buf, o->framelen, k);
			frame = tbuf;
		}
		if (o->pps) {
			/* Packet i is due i/pps seconds after the first. */
			uint64_t due = start + (uint64_t)(i / o->pps) * 1000000000ull +
				       (uint64_t)(i % o->pps) * 1000000000ull / o->pps;
			if (due > now_ns())
				sleep_until_ns(due);
		}
		uint64_t stall_since = 0;
		for (;;) {
			ssize_t r = sendto(fd, frame, flen, 0,
					   (struct sockaddr *)&sll, sizeof(sll));
			if (r == (ssize_t)flen)
				break;
			if (r >= 0) {
				fprintf(stderr, "flowgen: short send of packet %lu: %zd of %zu bytes\n",
					i, r, flen);
				return 1;
			}
			if (errno == EINTR)
				continue;
			if (errno != ENOBUFS && errno != EAGAIN) {
				fprintf(stderr, "flowgen: sendto packet %lu on %s: %s\n",
					i, o->ifname, strerror(errno));
				return 1;
			}
			/* Transient: the queue is full, so back off and resend the same frame. */
			uint64_t t = now_ns();
			if (!stall_since)
				stall_since = t;
			else if (t - stall_since > SEND_STALL_NS) {
				fprintf(stderr, "flowgen: %s refused packet %lu for 10 s: %s\n",
					o->ifname, i, strerror(errno));
				return 1;
			}
			retries++;
			poll(NULL, 0, 1);
		}
	}

	if (dev_stats(o->ifname, &after) < 0)
		die("cannot read counters of %s", o->ifname);
	uint32_t dropped = after.tx_dropped - before.tx_dropped;
	uint32_t sent = after.tx_packets - before.tx_packets;
	if (o->verbose)
		fprintf(stderr, "flowgen: sent %lu frames of %lu bytes on %s over %lu flows "
			"(retries %lu, device tx_packets +%u, tx_dropped +%u)\n",
			o->count, o->framelen, o->ifname, o->flows, retries, sent, dropped);
	/* veth drops silently when the peer's backlog is full; that would look like a capture loss. */
	if (dropped) {
		fprintf(stderr, "flowgen: %s dropped %u of the %lu frames sent (tx_dropped)\n",
			o->ifname, dropped, o->count);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .flows = 1, .framelen = 64, .vlan = -1 };
	int have_count = 0;
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "i:n:f:p:l:rb:v:R:T:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.ifname = optarg; break;
		case 'n': o.count = parse_num(optarg, "count (-n)", ULONG_MAX); have_count = 1; break;
		case 'f': o.flows = parse_num(optarg, "flow count (-f)", MAX_FLOW_INDEX + 1); break;
		case 'p':
			if (strcmp(optarg, "udp") == 0)
				o.tcp = 0;
			else if (strcmp(optarg, "tcp") == 0)
				o.tcp = 1;
			else
				die("bad protocol (-p): %s", optarg);
			break;
		case 'l': o.framelen = parse_num(optarg, "frame length (-l)", MAX_FRAME); break;
		case 'r': o.reverse = 1; break;
		case 'b': o.base = parse_num(optarg, "flow base (-b)", MAX_FLOW_INDEX); break;
		case 'v': o.vlan = (int)parse_num(optarg, "VLAN id (-v)", 4095); break;
		case 'R': o.pps = parse_num(optarg, "rate (-R)", 100000000); break;
		case 'T':
			if (strcmp(optarg, "gtpu") == 0)
				o.tunnel = T_GTPU;
			else if (strcmp(optarg, "vxlan") == 0)
				o.tunnel = T_VXLAN;
			else if (strcmp(optarg, "gre") == 0)
				o.tunnel = T_GRE;
			else if (strcmp(optarg, "ipip") == 0)
				o.tunnel = T_IPIP;
			else
				die("bad tunnel (-T): %s", optarg);
			break;
		case 'V': o.verbose = 1; break;
		case 'L': o.list = 1; break;
		default: usage();
		}
	}
	if (optind != argc || !have_count)
		usage();
	if (o.flows == 0)
		die("%s", "flow count (-f) must be at least 1");
	if (o.base + o.flows - 1 > MAX_FLOW_INDEX)
		die("%s", "flow base + flows exceeds the port range");
	if (o.list) {
		list_flows(&o);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
	}
	if (!o.ifname)
		usage();
	if (o.framelen < min_frame(&o)) {
		char m[64];
		snprintf(m, sizeof(m), "%zu", min_frame(&o));
		die("frame length (-l) must be at least %s here", m);
	}
	return send_all(&o);
}
