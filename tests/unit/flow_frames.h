/*
 * flow_frames.h - hand-built frames shared by the pf_flow tests
 * (test_flow, test_fanout_bpf, fuzz_flow's built-in corpus).
 */
#ifndef FLOW_FRAMES_H
#define FLOW_FRAMES_H

#include <stdint.h>
#include <string.h>

#define FF_MAX 256

struct ff_frame {
	const char *name;
	uint8_t data[FF_MAX];
	uint32_t len;
};

struct ff_tuple {
	int v6;
	uint8_t src[16], dst[16]; /* IPv4: first 4 bytes */
	uint8_t proto;
	uint16_t sport, dport;
};

static const uint8_t ff_mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t ff_mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static inline void ff_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header, then tags (tpid/vid pairs); returns the next offset. */
static inline uint32_t ff_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src,
			      int ntags, const uint16_t *tpid, const uint16_t *vid, uint16_t et)
{
	uint32_t off = 12;
	int i;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	for (i = 0; i < ntags; i++) {
		ff_put16(p + off, tpid[i]);
		ff_put16(p + off + 2, vid[i]);
		off += 4;
	}
	ff_put16(p + off, et);
	return off + 2;
}

/* IPv4 header (ihl words, options zero) at p; returns its length. */
static inline uint32_t ff_ipv4(uint8_t *p, const struct ff_tuple *t, uint16_t frag, int ihl,
			       uint16_t payload)
{
	memset(p, 0, (size_t)ihl * 4);
	p[0] = (uint8_t)(0x40 | ihl);
	ff_put16(p + 2, (uint16_t)(ihl * 4 + payload));
	ff_put16(p + 4, 0x1234);
	ff_put16(p + 6, frag);
	p[8] = 64;
	p[9] = t->proto;
	memcpy(p + 12, t->src, 4);
	memcpy(p + 16, t->dst, 4);
	return (uint32_t)ihl * 4;
}

static inline uint32_t ff_ipv6(uint8_t *p, const struct ff_tuple *t, uint8_t nh, uint16_t payload)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	ff_put16(p + 4, payload);
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, t->src, 16);
	memcpy(p + 24, t->dst, 16);
	return 40;
}

/* 8-byte L4 stub: ports, then filler. */
static inline uint32_t ff_l4(uint8_t *p, const struct ff_tuple *t)
{
	ff_put16(p, t->sport);
	ff_put16(p + 2, t->dport);
	memset(p + 4, 0xee, 4);
	return 8;
}

/* Plain untagged TCP/UDP/other frame for a tuple. */
static inline uint32_t ff_build(uint8_t *p, const struct ff_tuple *t)
{
	uint32_t off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, t->v6 ? 0x86dd : 0x0800);

	if (t->v6)
		off += ff_ipv6(p + off, t, t->proto, 8);
	else
		off += ff_ipv4(p + off, t, 0, 5, 8);
	return off + ff_l4(p + off, t);
}

static inline void ff_v4(struct ff_tuple *t, uint32_t s, uint32_t d, uint8_t proto,
			 uint16_t sp, uint16_t dp)
{
	memset(t, 0, sizeof *t);
	t->src[0] = (uint8_t)(s >> 24); t->src[1] = (uint8_t)(s >> 16);
	t->src[2] = (uint8_t)(s >> 8);  t->src[3] = (uint8_t)s;
	t->dst[0] = (uint8_t)(d >> 24); t->dst[1] = (uint8_t)(d >> 16);
	t->dst[2] = (uint8_t)(d >> 8);  t->dst[3] = (uint8_t)d;
	t->proto = proto;
	t->sport = sp;
	t->dport = dp;
}

/* 2001:db8::<last> */
static inline void ff_v6(struct ff_tuple *t, uint8_t slast, uint8_t dlast, uint8_t proto,
			 uint16_t sp, uint16_t dp)
{
	memset(t, 0, sizeof *t);
	t->v6 = 1;
	t->src[0] = 0x20; t->src[1] = 0x01; t->src[2] = 0x0d; t->src[3] = 0xb8;
	memcpy(t->dst, t->src, 4);
	t->src[15] = slast;
	t->dst[15] = dlast;
	t->proto = proto;
	t->sport = sp;
	t->dport = dp;
}

/* Tunnels ff_tunnel() builds. */
enum {
	FF_TUN_GTPU,      /* UDP 2152 -> 2152, GTPv1 G-PDU, 8-byte header */
	FF_TUN_GTPU_EXT,  /* the same with sequence flags and a PDU session extension */
	FF_TUN_VXLAN,     /* UDP 49152+ -> 4789, VXLAN, Ethernet inside */
	FF_TUN_GRE,       /* GRE with key and sequence, IP inside */
	FF_TUN_GRE_TEB,   /* GRE carrying Ethernet (0x6558) */
	FF_TUN_IPIP,      /* IP in IP (4 or 41) */
	FF_TUN_COUNT
};

static const uint8_t ff_mac_c[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c };
static const uint8_t ff_mac_d[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0d };

/*
 * A frame from ff_mac_a to ff_mac_b whose outer IP packet goes from
 * outer->src to outer->dst (outer->v6 chooses the version; its proto and
 * ports are ignored) and carries inner (an 8-byte L4 stub, as ff_build) in
 * tunnel kind.  With an Ethernet inside, inner_vid > 0 tags it.
 */
static inline uint32_t ff_tunnel(uint8_t *p, int kind, const struct ff_tuple *outer,
				 const struct ff_tuple *inner, uint16_t inner_vid)
{
	static const uint16_t q[1] = { 0x8100 };
	uint8_t in[128], hdr[32];
	uint32_t n = 0, h = 0, off;
	struct ff_tuple o = *outer;
	uint16_t vid[1] = { inner_vid };

	if (kind == FF_TUN_VXLAN || kind == FF_TUN_GRE_TEB)
		n = ff_eth(in, ff_mac_d, ff_mac_c, inner_vid ? 1 : 0, q, vid,
			   inner->v6 ? 0x86dd : 0x0800);
	if (inner->v6)
		n += ff_ipv6(in + n, inner, inner->proto, 8);
	else
		n += ff_ipv4(in + n, inner, 0, 5, 8);
	n += ff_l4(in + n, inner);

	memset(hdr, 0, sizeof hdr);
	switch (kind) {
	case FF_TUN_GTPU:
	case FF_TUN_GTPU_EXT:
		o.proto = 17;
		ff_put16(hdr, 2152);
		ff_put16(hdr + 2, 2152);
		hdr[8] = kind == FF_TUN_GTPU ? 0x30 : 0x36; /* v1, PT; +E, S */
		hdr[9] = 0xff;                              /* G-PDU */
		hdr[12] = 0x11; hdr[13] = 0x22; hdr[14] = 0x33; hdr[15] = 0x44; /* TEID */
		h = 16;
		if (kind == FF_TUN_GTPU_EXT) {
			ff_put16(hdr + 16, 0x0102); /* sequence */
			hdr[19] = 0x85;             /* PDU session container follows */
			hdr[20] = 1;                /* 4 bytes */
			hdr[21] = 0x10;
			hdr[22] = 0x09;             /* QFI */
			hdr[23] = 0;                /* no more */
			h = 24;
		}
		ff_put16(hdr + 10, (uint16_t)(h - 16 + n)); /* GTP length */
		ff_put16(hdr + 4, (uint16_t)(h + n));      /* UDP length */
		break;
	case FF_TUN_VXLAN:
		o.proto = 17;
		ff_put16(hdr, (uint16_t)(49152 + (inner->sport & 0x3fff)));
		ff_put16(hdr + 2, 4789);
		hdr[8] = 0x08;
		hdr[12] = 0x00; hdr[13] = 0x12; hdr[14] = 0x34; /* VNI */
		h = 16;
		ff_put16(hdr + 4, (uint16_t)(h + n));
		break;
	case FF_TUN_GRE:
		o.proto = 47;
		hdr[0] = 0x30; /* K, S */
		ff_put16(hdr + 2, inner->v6 ? 0x86dd : 0x0800);
		hdr[4] = 0xde; hdr[5] = 0xad; hdr[6] = 0xbe; hdr[7] = 0xef; /* key */
		hdr[11] = 7;   /* sequence */
		h = 12;
		break;
	case FF_TUN_GRE_TEB:
		o.proto = 47;
		ff_put16(hdr + 2, 0x6558);
		h = 4;
		break;
	default: /* FF_TUN_IPIP */
		o.proto = inner->v6 ? 41 : 4;
		break;
	}
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, o.v6 ? 0x86dd : 0x0800);
	if (o.v6)
		off += ff_ipv6(p + off, &o, o.proto, (uint16_t)(h + n));
	else
		off += ff_ipv4(p + off, &o, 0, 5, (uint16_t)(h + n));
	memcpy(p + off, hdr, h);
	memcpy(p + off + h, in, n);
	return off + h + n;
}

enum {
	FF_V4_TCP,        /* 10.0.0.1:40000 -> 10.0.0.2:80 TCP */
	FF_V4_TCP_REV,    /* the reply direction */
	FF_V4_UDP,        /* 192.168.1.10:5353 -> 192.168.1.20:53 UDP */
	FF_V4_OPTS,       /* TCP with ihl=7 (8 bytes of options) */
	FF_V6_TCP_EXT,    /* 2001:db8::1:1234 -> ::2:443 TCP behind hop-by-hop + dest opts */
	FF_V6_UDP,        /* 2001:db8::a:1000 -> ::b:2000 UDP */
	FF_VLAN_TCP,      /* 802.1Q vid 100 + FF_V4_TCP */
	FF_QINQ_UDP,      /* 802.1ad vid 200, 802.1Q vid 300 + FF_V4_UDP */
	FF_V4_FRAG_FIRST, /* 10.1.1.1 -> 10.1.1.2 UDP, MF, offset 0 */
	FF_V4_FRAG_LATER, /* same datagram, offset 185 (1480 bytes), no MF */
	FF_V6_FRAG_FIRST, /* 2001:db8::5 -> ::6, fragment header, UDP, M=1 */
	FF_V6_FRAG_LATER, /* offset 1448, M=0 */
	FF_V4_ICMP,       /* 10.0.0.1 -> 10.0.0.2 ICMP echo */
	FF_V4_SCTP,       /* 10.0.0.3:2905 -> 10.0.0.4:2905 SCTP */
	FF_ARP,           /* ARP request a -> broadcast */
	FF_ARP_REPLY,     /* ARP reply b -> a */
	FF_GARBAGE,       /* IPv4 ethertype, bad version nibble */
	/* Tunnels: outer 172.16.0.1 -> 172.16.0.2 (IPv6: 2001:db8::100 -> ::200). */
	FF_GTPU_V4,       /* GTP-U over IPv4 carrying FF_V4_TCP */
	FF_GTPU_EXT_V6,   /* GTP-U with an extension over IPv6 carrying FF_V6_UDP */
	FF_VXLAN_V4,      /* VXLAN carrying Ethernet + FF_V4_UDP */
	FF_GRE_V4,        /* GRE (key, sequence) carrying FF_V4_TCP_REV */
	FF_GRE_TEB_V6,    /* GRE over IPv6 carrying Ethernet, VLAN 7, FF_V6_UDP */
	FF_IPIP_V4,       /* IPv4 in IPv4: FF_V4_TCP */
	FF_IP6IP6,        /* IPv6 in IPv6: FF_V6_UDP */
	FF_GTPU_ECHO,     /* GTP-U echo request: no user packet inside */
	FF_COUNT
};

/* Fills frames[FF_COUNT]. */
static inline void ff_golden(struct ff_frame *fr)
{
	static const uint16_t q[1] = { 0x8100 }, vid100[1] = { 100 };
	static const uint16_t qq[2] = { 0x88a8, 0x8100 }, vid2[2] = { 200, 300 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct ff_tuple t;
	uint8_t *p;
	uint32_t off;
	int i;

	memset(fr, 0, sizeof(*fr) * FF_COUNT);

	fr[FF_V4_TCP].name = "v4_tcp";
	ff_v4(&t, 0x0a000001, 0x0a000002, 6, 40000, 80);
	fr[FF_V4_TCP].len = ff_build(fr[FF_V4_TCP].data, &t);

	fr[FF_V4_TCP_REV].name = "v4_tcp_rev";
	ff_v4(&t, 0x0a000002, 0x0a000001, 6, 80, 40000);
	p = fr[FF_V4_TCP_REV].data;
	off = ff_eth(p, ff_mac_a, ff_mac_b, 0, NULL, NULL, 0x0800);
	off += ff_ipv4(p + off, &t, 0, 5, 8);
	fr[FF_V4_TCP_REV].len = off + ff_l4(p + off, &t);

	fr[FF_V4_UDP].name = "v4_udp";
	ff_v4(&t, 0xc0a8010a, 0xc0a80114, 17, 5353, 53);
	fr[FF_V4_UDP].len = ff_build(fr[FF_V4_UDP].data, &t);

	fr[FF_V4_OPTS].name = "v4_opts";
	ff_v4(&t, 0x0a000001, 0x0a000002, 6, 40000, 80);
	p = fr[FF_V4_OPTS].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x0800);
	off += ff_ipv4(p + off, &t, 0x4000 /* DF */, 7, 8);
	fr[FF_V4_OPTS].len = off + ff_l4(p + off, &t);

	fr[FF_V6_TCP_EXT].name = "v6_tcp_ext";
	ff_v6(&t, 1, 2, 6, 1234, 443);
	p = fr[FF_V6_TCP_EXT].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x86dd);
	off += ff_ipv6(p + off, &t, 0 /* hop-by-hop */, 8 + 16 + 8);
	memset(p + off, 0, 8);
	p[off] = 60;           /* next: destination options */
	p[off + 1] = 0;        /* 8 bytes */
	p[off + 2] = 1;        /* PadN */
	p[off + 3] = 4;
	off += 8;
	memset(p + off, 0, 16);
	p[off] = 6;            /* next: TCP */
	p[off + 1] = 1;        /* 16 bytes */
	off += 16;
	fr[FF_V6_TCP_EXT].len = off + ff_l4(p + off, &t);

	fr[FF_V6_UDP].name = "v6_udp";
	ff_v6(&t, 0x0a, 0x0b, 17, 1000, 2000);
	fr[FF_V6_UDP].len = ff_build(fr[FF_V6_UDP].data, &t);

	fr[FF_VLAN_TCP].name = "vlan_tcp";
	ff_v4(&t, 0x0a000001, 0x0a000002, 6, 40000, 80);
	p = fr[FF_VLAN_TCP].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 1, q, vid100, 0x0800);
	off += ff_ipv4(p + off, &t, 0, 5, 8);
	fr[FF_VLAN_TCP].len = off + ff_l4(p + off, &t);

	fr[FF_QINQ_UDP].name = "qinq_udp";
	ff_v4(&t, 0xc0a8010a, 0xc0a80114, 17, 5353, 53);
	p = fr[FF_QINQ_UDP].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 2, qq, vid2, 0x0800);
	off += ff_ipv4(p + off, &t, 0, 5, 8);
	fr[FF_QINQ_UDP].len = off + ff_l4(p + off, &t);

	fr[FF_V4_FRAG_FIRST].name = "v4_frag_first";
	ff_v4(&t, 0x0a010101, 0x0a010102, 17, 7000, 7001);
	p = fr[FF_V4_FRAG_FIRST].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x0800);
	off += ff_ipv4(p + off, &t, 0x2000 /* MF */, 5, 8);
	fr[FF_V4_FRAG_FIRST].len = off + ff_l4(p + off, &t);

	fr[FF_V4_FRAG_LATER].name = "v4_frag_later";
	p = fr[FF_V4_FRAG_LATER].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x0800);
	off += ff_ipv4(p + off, &t, 185, 5, 8);
	memset(p + off, 0x5a, 8); /* payload bytes where ports would be */
	fr[FF_V4_FRAG_LATER].len = off + 8;

	fr[FF_V6_FRAG_FIRST].name = "v6_frag_first";
	ff_v6(&t, 5, 6, 17, 7000, 7001);
	p = fr[FF_V6_FRAG_FIRST].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x86dd);
	off += ff_ipv6(p + off, &t, 44, 16);
	memset(p + off, 0, 8);
	p[off] = 17;
	ff_put16(p + off + 2, 0x0001); /* offset 0, M */
	p[off + 4] = 0xde; p[off + 5] = 0xad; p[off + 6] = 0xbe; p[off + 7] = 0xef;
	off += 8;
	fr[FF_V6_FRAG_FIRST].len = off + ff_l4(p + off, &t);

	fr[FF_V6_FRAG_LATER].name = "v6_frag_later";
	p = fr[FF_V6_FRAG_LATER].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x86dd);
	off += ff_ipv6(p + off, &t, 44, 16);
	memset(p + off, 0, 8);
	p[off] = 17;
	ff_put16(p + off + 2, 1448); /* offset 1448 bytes (181 units << 3), M=0 */
	p[off + 4] = 0xde; p[off + 5] = 0xad; p[off + 6] = 0xbe; p[off + 7] = 0xef;
	off += 8;
	memset(p + off, 0x5a, 8);
	fr[FF_V6_FRAG_LATER].len = off + 8;

	fr[FF_V4_ICMP].name = "v4_icmp";
	ff_v4(&t, 0x0a000001, 0x0a000002, 1, 0, 0);
	p = fr[FF_V4_ICMP].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x0800);
	off += ff_ipv4(p + off, &t, 0, 5, 8);
	p[off] = 8; /* echo request */
	fr[FF_V4_ICMP].len = off + 8;

	fr[FF_V4_SCTP].name = "v4_sctp";
	ff_v4(&t, 0x0a000003, 0x0a000004, 132, 2905, 2905);
	fr[FF_V4_SCTP].len = ff_build(fr[FF_V4_SCTP].data, &t);

	fr[FF_ARP].name = "arp";
	p = fr[FF_ARP].data;
	off = ff_eth(p, bcast, ff_mac_a, 0, NULL, NULL, 0x0806);
	for (i = 0; i < 28; i++)
		p[off + i] = (uint8_t)i;
	fr[FF_ARP].len = off + 28 + 18; /* padded to 60 */

	fr[FF_ARP_REPLY].name = "arp_reply";
	p = fr[FF_ARP_REPLY].data;
	off = ff_eth(p, ff_mac_a, ff_mac_b, 0, NULL, NULL, 0x0806);
	for (i = 0; i < 28; i++)
		p[off + i] = (uint8_t)(100 + i);
	fr[FF_ARP_REPLY].len = off + 28 + 18;

	fr[FF_GARBAGE].name = "garbage";
	p = fr[FF_GARBAGE].data;
	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x0800);
	for (i = 0; i < 40; i++)
		p[off + i] = (uint8_t)(0x9d * (i + 1));
	p[off] = 0x95; /* version 9 */
	fr[FF_GARBAGE].len = off + 40;

	{
		static const struct { int idx, kind, outer_v6; uint16_t vid; const char *name; }
		tun[] = {
			{ FF_GTPU_V4, FF_TUN_GTPU, 0, 0, "gtpu_v4" },
			{ FF_GTPU_EXT_V6, FF_TUN_GTPU_EXT, 1, 0, "gtpu_ext_v6" },
			{ FF_VXLAN_V4, FF_TUN_VXLAN, 0, 0, "vxlan_v4" },
			{ FF_GRE_V4, FF_TUN_GRE, 0, 0, "gre_v4" },
			{ FF_GRE_TEB_V6, FF_TUN_GRE_TEB, 1, 7, "gre_teb_v6" },
			{ FF_IPIP_V4, FF_TUN_IPIP, 0, 0, "ipip_v4" },
			{ FF_IP6IP6, FF_TUN_IPIP, 1, 0, "ip6ip6" },
		};
		/* Which plain frame each carries. */
		static const int carried[] = {
			FF_V4_TCP, FF_V6_UDP, FF_V4_UDP, FF_V4_TCP_REV, FF_V6_UDP, FF_V4_TCP,
			FF_V6_UDP,
		};
		struct ff_tuple o4, o6, inner[FF_COUNT];
		size_t k;

		ff_v4(&o4, 0xac100001, 0xac100002, 0, 0, 0);
		ff_v6(&o6, 0x00, 0x00, 0, 0, 0);
		o6.src[14] = 0x01;
		o6.dst[14] = 0x02;
		ff_v4(&inner[FF_V4_TCP], 0x0a000001, 0x0a000002, 6, 40000, 80);
		ff_v4(&inner[FF_V4_TCP_REV], 0x0a000002, 0x0a000001, 6, 80, 40000);
		ff_v4(&inner[FF_V4_UDP], 0xc0a8010a, 0xc0a80114, 17, 5353, 53);
		ff_v6(&inner[FF_V6_UDP], 0x0a, 0x0b, 17, 1000, 2000);
		for (k = 0; k < sizeof tun / sizeof tun[0]; k++) {
			fr[tun[k].idx].name = tun[k].name;
			fr[tun[k].idx].len = ff_tunnel(fr[tun[k].idx].data, tun[k].kind,
						       tun[k].outer_v6 ? &o6 : &o4,
						       &inner[carried[k]], tun[k].vid);
		}
		/* An echo request: version 1, PT, type 1 (not a G-PDU). */
		fr[FF_GTPU_ECHO].name = "gtpu_echo";
		fr[FF_GTPU_ECHO].len = ff_tunnel(fr[FF_GTPU_ECHO].data, FF_TUN_GTPU, &o4,
						 &inner[FF_V4_TCP], 0);
		fr[FF_GTPU_ECHO].data[14 + 20 + 9] = 0x01;
	}
}

/* The plain frame each tunnel frame of ff_golden() carries, or -1. */
static inline int ff_carried(int idx)
{
	switch (idx) {
	case FF_GTPU_V4:     return FF_V4_TCP;
	case FF_GTPU_EXT_V6: return FF_V6_UDP;
	case FF_VXLAN_V4:    return FF_V4_UDP;
	case FF_GRE_V4:      return FF_V4_TCP_REV;
	case FF_GRE_TEB_V6:  return FF_V6_UDP;
	case FF_IPIP_V4:     return FF_V4_TCP;
	case FF_IP6IP6:      return FF_V6_UDP;
	default:             return -1;
	}
}

/*
 * BPF_PROG_TEST_RUN needs at least an Ethernet header and refuses (EINVAL)
 * untagged IPv4/IPv6 frames shorter than the IP header; cuts inside the IP
 * header are still covered through tagged frames.
 */
#define FF_MIN_RUN_LEN 14

static inline int ff_test_runnable(const uint8_t *pkt, uint32_t len)
{
	uint16_t et;

	if (len < FF_MIN_RUN_LEN)
		return 0;
	et = (uint16_t)((pkt[12] << 8) | pkt[13]);
	if (et == 0x0800)
		return len >= 14 + 20;
	if (et == 0x86dd)
		return len >= 14 + 40;
	return 1;
}

/* Deterministic PRNG (xorshift32) for the random cases. */
static inline uint32_t ff_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* A random IPv4/IPv6 TCP/UDP/SCTP/ICMP frame, optionally 1-2 VLAN tags. */
static inline uint32_t ff_random_frame(uint8_t *p, uint32_t *seed, struct ff_tuple *out)
{
	static const uint8_t protos[4] = { 6, 17, 132, 1 };
	static const uint16_t tp[2] = { 0x88a8, 0x8100 };
	uint16_t vid[2];
	struct ff_tuple t;
	uint32_t off, r = ff_rand(seed);
	int i, ntags = (int)(r % 3);

	memset(&t, 0, sizeof t);
	t.v6 = (r >> 2) & 1;
	for (i = 0; i < 16; i++) {
		t.src[i] = (uint8_t)ff_rand(seed);
		t.dst[i] = (uint8_t)ff_rand(seed);
	}
	if ((r >> 3) % 8 == 0) /* sometimes equal addresses: ports decide the order */
		memcpy(t.dst, t.src, 16);
	t.proto = protos[(r >> 6) % 4];
	t.sport = (uint16_t)ff_rand(seed);
	t.dport = (uint16_t)ff_rand(seed);
	vid[0] = (uint16_t)(ff_rand(seed) & 0xfff);
	vid[1] = (uint16_t)(ff_rand(seed) & 0xfff);
	off = ff_eth(p, ff_mac_b, ff_mac_a, ntags, ntags == 1 ? tp + 1 : tp, vid,
		     t.v6 ? 0x86dd : 0x0800);
	if (t.v6)
		off += ff_ipv6(p + off, &t, t.proto, 8);
	else
		off += ff_ipv4(p + off, &t, 0, 5, 8);
	off += ff_l4(p + off, &t);
	if (out)
		*out = t;
	return off;
}

/*
 * A random tunnel (kind, outer version and addresses) carrying a random
 * untagged flow of ff_random_frame(); the carried tuple in *inner.
 */
static inline uint32_t ff_random_tunnel(uint8_t *p, uint32_t *seed, struct ff_tuple *inner)
{
	uint8_t scratch[FF_MAX];
	struct ff_tuple o, t;
	uint32_t r = ff_rand(seed);
	int i;

	ff_random_frame(scratch, seed, &t);
	if (inner)
		*inner = t;
	memset(&o, 0, sizeof o);
	o.v6 = r & 1;
	for (i = 0; i < 16; i++) {
		o.src[i] = (uint8_t)ff_rand(seed);
		o.dst[i] = (uint8_t)ff_rand(seed);
	}
	return ff_tunnel(p, (int)((r >> 1) % FF_TUN_COUNT), &o, &t,
			 (uint16_t)((r >> 8) & 0xfff));
}

#endif /* FLOW_FRAMES_H */

