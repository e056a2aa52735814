/*
 * pf_flow.h - packet flow parser and symmetric cluster hash.
 *
 * Header-only and shared verbatim by user space (gcc/clang), the eBPF fanout
 * programs (clang -target bpf) and the kernel module, so that all of them put
 * a packet into the same cluster member.  Any change here changes every copy
 * at once; the pinned vectors in tests/unit/test_flow.c catch accidental ones.
 *
 * Packet access is supplied by the includer, before including this file:
 *
 *   #define PF_FLOW_CTX_TYPE            type of the "ctx" argument
 *   #define PF_FLOW_LOAD(ctx, off, dst, len)
 *           copy len bytes at offset off (from the start of the Ethernet
 *           header) into dst; 0 on success, non-zero if the bytes are not all
 *           there.  len is always a compile-time constant <= 40.
 *   #define PF_FLOW_HWVLAN(ctx, tci_ptr)      (optional)
 *           non-zero if the outer VLAN tag was taken out of the frame
 *           (skb vlan acceleration, tpacket tp_vlan_tci); stores its TCI.
 *
 * Without PF_FLOW_LOAD a bounds-checked user-space buffer is used and
 * pf_flow_parse_buf(), pf_flow_parse_buf_vlan() and pf_flow_hash_packet()
 * are available.
 *
 * Restrictions so that all three environments accept it: no headers, no libc,
 * fixed-width types only, bounded loops, no recursion, no division, small
 * stack.
 */
#ifndef PF_FLOW_H
#define PF_FLOW_H

/* Compiler-provided, so no header is needed in any environment. */
typedef __UINT8_TYPE__ pf_u8;
typedef __UINT16_TYPE__ pf_u16;
typedef __UINT32_TYPE__ pf_u32;

#if defined(__bpf__)
/* Keep everything in one BPF function: no stack pointers across calls. */
#define PF_FLOW_INLINE static inline __attribute__((always_inline))
#else
#define PF_FLOW_INLINE static inline
#endif

#if defined(__clang__)
#define PF_FLOW_UNROLL _Pragma("unroll")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define PF_FLOW_UNROLL _Pragma("GCC unroll 8")
#else
#define PF_FLOW_UNROLL
#endif

/* Cluster types: the values of cluster_type in pfring.h (checked below). */
#define PF_FLOW_PER_FLOW        0
#define PF_FLOW_ROUND_ROBIN     1 /* not a hash type; hashed like PER_FLOW */
#define PF_FLOW_2_TUPLE         2
#define PF_FLOW_4_TUPLE         3
#define PF_FLOW_5_TUPLE         4
#define PF_FLOW_TCP_5_TUPLE     5
/*
 * The inner types hash as the type they name (INNER_FLOW as PER_FLOW, ...),
 * on the packet a tunnel carries when there is one: GTP-U (UDP port 2152),
 * VXLAN (UDP port 4789), GRE (IPv4, IPv6 or Ethernet inside) and IP in IP
 * (IPv4 or IPv6 inside IPv4 or IPv6).  One level is opened; without a tunnel
 * (or when the carried packet is not IP) the outer packet is hashed.  The
 * VLAN is always the outer frame's.
 */
#define PF_FLOW_INNER_FLOW          6
#define PF_FLOW_INNER_2_TUPLE       7
#define PF_FLOW_INNER_4_TUPLE       8
#define PF_FLOW_INNER_5_TUPLE       9
#define PF_FLOW_INNER_TCP_5_TUPLE   10
/*
 * 5-tuple for IP, <src mac, dst mac> otherwise.  Every type here spreads
 * non-IP frames by their MAC pair already, so these hash exactly as
 * 5_TUPLE and INNER_5_TUPLE (PF_RING's 5_tuple keeps non-IP in one member).
 */
#define PF_FLOW_IP_5_TUPLE          11
#define PF_FLOW_INNER_IP_5_TUPLE    12
/*
 * One endpoint each: pf_flow_hash() is the source address's hash and
 * pf_flow_hash_dup() the destination's; a packet goes to both members they
 * name (once when it is the same member), so each member sees every packet
 * to or from the hosts that hash to it.  No VLAN; non-IP frames use the
 * source and destination MACs.
 */
#define PF_FLOW_IP_WITH_DUP_TUPLE   13
#define PF_FLOW_TYPE_MAX            13

#ifdef PFRING_H
_Static_assert(PF_FLOW_PER_FLOW == cluster_per_flow, "cluster_type drift");
_Static_assert(PF_FLOW_ROUND_ROBIN == cluster_round_robin, "cluster_type drift");
_Static_assert(PF_FLOW_2_TUPLE == cluster_per_flow_2_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_4_TUPLE == cluster_per_flow_4_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_5_TUPLE == cluster_per_flow_5_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_TCP_5_TUPLE == cluster_per_flow_tcp_5_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_INNER_FLOW == cluster_per_inner_flow, "cluster_type drift");
_Static_assert(PF_FLOW_INNER_2_TUPLE == cluster_per_inner_flow_2_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_INNER_4_TUPLE == cluster_per_inner_flow_4_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_INNER_5_TUPLE == cluster_per_inner_flow_5_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_INNER_TCP_5_TUPLE == cluster_per_inner_flow_tcp_5_tuple,
	       "cluster_type drift");
_Static_assert(PF_FLOW_IP_5_TUPLE == cluster_per_flow_ip_5_tuple, "cluster_type drift");
_Static_assert(PF_FLOW_INNER_IP_5_TUPLE == cluster_per_inner_flow_ip_5_tuple,
	       "cluster_type drift");
_Static_assert(PF_FLOW_IP_WITH_DUP_TUPLE == cluster_per_flow_ip_with_dup_tuple,
	       "cluster_type drift");
#endif

/* pf_flow_parse() results. */
#define PF_FLOW_OK          0 /* IPv4/IPv6 parsed (ports too, if TCP/UDP/SCTP) */
#define PF_FLOW_NOT_IP      1 /* Ethernet parsed, payload is not IP */
#define PF_FLOW_TRUNCATED   2 /* frame ended inside a header we need */
#define PF_FLOW_MALFORMED   3 /* IP header with a bad version or length */

/* struct pf_flow.flags: which fields hold parsed values. */
#define PF_FLOW_F_L2        0x01 /* MACs, eth_type, VLAN fields */
#define PF_FLOW_F_L3        0x02 /* ip_version, l4_proto, addresses */
#define PF_FLOW_F_PORTS     0x04 /* src_port, dst_port */
#define PF_FLOW_F_FRAGMENT  0x08 /* IP fragment: ports deliberately not parsed */
#define PF_FLOW_F_HWVLAN    0x10 /* outer tag came from PF_FLOW_HWVLAN */

#define PF_FLOW_ETH_IPV4    0x0800
#define PF_FLOW_ETH_IPV6    0x86dd
#define PF_FLOW_ETH_8021Q   0x8100
#define PF_FLOW_ETH_8021AD  0x88a8

#define PF_FLOW_MAX_VLANS     2
#define PF_FLOW_IPV6_MAX_EXT  4

#define PF_FLOW_IPPROTO_TCP   6
#define PF_FLOW_IPPROTO_UDP   17
#define PF_FLOW_IPPROTO_SCTP  132
#define PF_FLOW_IPPROTO_IPIP  4
#define PF_FLOW_IPPROTO_IPV6  41
#define PF_FLOW_IPPROTO_GRE   47

#define PF_FLOW_ETH_TEB       0x6558 /* GRE: Ethernet inside */
#define PF_FLOW_UDP_GTPU      2152
#define PF_FLOW_UDP_VXLAN     4789
#define PF_FLOW_GTPU_MAX_EXT  2      /* GTP-U extension headers skipped */

/* pf_flow_parse_inner() results: the tunnel opened. */
#define PF_FLOW_TUNNEL_NONE   0
#define PF_FLOW_TUNNEL_GTPU   1
#define PF_FLOW_TUNNEL_GRE    2
#define PF_FLOW_TUNNEL_VXLAN  3
#define PF_FLOW_TUNNEL_IPIP   4

/*
 * Addresses and ports are in host order; address words are built from the
 * bytes big-endian so the hash does not depend on host byte order.
 */
struct pf_flow {
	pf_u32 src_ip[4];  /* IPv4 in [0], rest 0 */
	pf_u32 dst_ip[4];
	pf_u16 src_port;
	pf_u16 dst_port;
	pf_u16 eth_type;   /* after the VLAN tags */
	pf_u16 vlan_id;    /* outer tag's VID, 0 when untagged */
	pf_u8 vlan_count;
	pf_u8 ip_version;  /* 0, 4 or 6 */
	pf_u8 l4_proto;
	pf_u8 flags;       /* PF_FLOW_F_* */
	pf_u8 src_mac[6];
	pf_u8 dst_mac[6];
	pf_u16 l3_offset;  /* from the Ethernet header, as seen by PF_FLOW_LOAD */
	pf_u16 l4_offset;
};

/* ------------------------------------------------------------------------ */
/* Default packet access: a user-space buffer.                               */

#ifndef PF_FLOW_LOAD
#define PF_FLOW_DEFAULT_BUF 1

struct pf_flow_buf {
	const pf_u8 *pkt;
	pf_u32 caplen;
	pf_u16 vlan_tci;
	pf_u8 vlan_present;
};

/*
 * User space only (the kernel and BPF copies bring their own loads): len is
 * a constant at every call, so the copy is a few plain moves, not a loop.
 */
PF_FLOW_INLINE int pf_flow_buf_load(const struct pf_flow_buf *b, pf_u32 off,
				    void *dst, pf_u32 len)
{
	/* Written so that off + len cannot wrap. */
	if (off > b->caplen || len > b->caplen - off)
		return -1;
	__builtin_memcpy(dst, b->pkt + off, len);
	return 0;
}

PF_FLOW_INLINE int pf_flow_buf_hwvlan(const struct pf_flow_buf *b, pf_u16 *tci)
{
	*tci = b->vlan_tci;
	return b->vlan_present;
}

#define PF_FLOW_CTX_TYPE const struct pf_flow_buf *
#define PF_FLOW_LOAD(ctx, off, dst, len) pf_flow_buf_load((ctx), (off), (dst), (len))
#define PF_FLOW_HWVLAN(ctx, tci_ptr) pf_flow_buf_hwvlan((ctx), (tci_ptr))
#endif /* !PF_FLOW_LOAD */

#ifndef PF_FLOW_CTX_TYPE
#error "define PF_FLOW_CTX_TYPE together with PF_FLOW_LOAD"
#endif

#ifndef PF_FLOW_HWVLAN
#define PF_FLOW_HWVLAN(ctx, tci_ptr) ((void)(ctx), (void)(tci_ptr), 0)
#endif

/* ------------------------------------------------------------------------ */
/* Parser.                                                                   */

PF_FLOW_INLINE pf_u16 pf_flow_be16(const pf_u8 *p)
{
	return (pf_u16)((p[0] << 8) | p[1]);
}

PF_FLOW_INLINE pf_u32 pf_flow_be32(const pf_u8 *p)
{
	return ((pf_u32)p[0] << 24) | ((pf_u32)p[1] << 16) |
	       ((pf_u32)p[2] << 8) | (pf_u32)p[3];
}

PF_FLOW_INLINE void pf_flow_clear(struct pf_flow *f)
{
	pf_u8 *p = (pf_u8 *)f;
	pf_u32 i;

	/* Not memset: no libc in the BPF and kernel copies. */
	PF_FLOW_UNROLL
	for (i = 0; i < sizeof(*f); i++)
		p[i] = 0;
}

PF_FLOW_INLINE int pf_flow_has_ports(pf_u8 proto)
{
	return proto == PF_FLOW_IPPROTO_TCP || proto == PF_FLOW_IPPROTO_UDP ||
	       proto == PF_FLOW_IPPROTO_SCTP;
}

PF_FLOW_INLINE int pf_flow_parse_ports(PF_FLOW_CTX_TYPE ctx, pf_u32 off,
				       struct pf_flow *f)
{
	pf_u8 b[4];

	f->l4_offset = (pf_u16)off;
	if (!pf_flow_has_ports(f->l4_proto))
		return PF_FLOW_OK;
	if (PF_FLOW_LOAD(ctx, off, b, 4))
		return PF_FLOW_TRUNCATED;
	f->src_port = pf_flow_be16(b);
	f->dst_port = pf_flow_be16(b + 2);
	f->flags |= PF_FLOW_F_PORTS;
	return PF_FLOW_OK;
}

PF_FLOW_INLINE int pf_flow_parse_ipv4(PF_FLOW_CTX_TYPE ctx, pf_u32 off,
				      struct pf_flow *f)
{
	pf_u8 b[20];
	pf_u32 ihl;

	if (PF_FLOW_LOAD(ctx, off, b, 20))
		return PF_FLOW_TRUNCATED;
	ihl = b[0] & 0x0f;
	if ((b[0] >> 4) != 4 || ihl < 5)
		return PF_FLOW_MALFORMED;
	f->ip_version = 4;
	f->l4_proto = b[9];
	f->src_ip[0] = pf_flow_be32(b + 12);
	f->dst_ip[0] = pf_flow_be32(b + 16);
	f->flags |= PF_FLOW_F_L3;
	/* MF or a fragment offset: later fragments carry no ports, so none do. */
	if (pf_flow_be16(b + 6) & 0x3fff) {
		f->flags |= PF_FLOW_F_FRAGMENT;
		return PF_FLOW_OK;
	}
	return pf_flow_parse_ports(ctx, off + ihl * 4, f);
}

PF_FLOW_INLINE int pf_flow_parse_ipv6(PF_FLOW_CTX_TYPE ctx, pf_u32 off,
				      struct pf_flow *f)
{
	pf_u8 b[40];
	pf_u8 nh;
	pf_u32 i;

	if (PF_FLOW_LOAD(ctx, off, b, 40))
		return PF_FLOW_TRUNCATED;
	if ((b[0] >> 4) != 6)
		return PF_FLOW_MALFORMED;
	f->ip_version = 6;
	PF_FLOW_UNROLL
	for (i = 0; i < 4; i++) {
		f->src_ip[i] = pf_flow_be32(b + 8 + 4 * i);
		f->dst_ip[i] = pf_flow_be32(b + 24 + 4 * i);
	}
	f->flags |= PF_FLOW_F_L3;
	nh = b[6];
	off += 40;

	PF_FLOW_UNROLL
	for (i = 0; i < PF_FLOW_IPV6_MAX_EXT; i++) {
		if (nh != 0 && nh != 43 && nh != 44 && nh != 60)
			break;
		/* Every extension header we skip is at least 8 bytes. */
		if (PF_FLOW_LOAD(ctx, off, b, 8)) {
			f->l4_proto = nh;
			return PF_FLOW_TRUNCATED;
		}
		if (nh == 44) {
			/*
			 * Its next header is the same in every fragment of the
			 * datagram, unlike anything after it.
			 */
			f->l4_proto = b[0];
			f->l4_offset = (pf_u16)(off + 8);
			f->flags |= PF_FLOW_F_FRAGMENT;
			return PF_FLOW_OK;
		}
		nh = b[0];
		off += ((pf_u32)b[1] + 1) * 8;
	}
	/* Past the bound nh may still be an extension header: no ports then. */
	f->l4_proto = nh;
	return pf_flow_parse_ports(ctx, off, f);
}

/* Pop one VLAN tag if *et says there is one; non-zero if it is cut short. */
PF_FLOW_INLINE int pf_flow_vlan_step(PF_FLOW_CTX_TYPE ctx, pf_u32 *off, pf_u16 *et,
				     struct pf_flow *f)
{
	pf_u8 b[4];

	if (*et != PF_FLOW_ETH_8021Q && *et != PF_FLOW_ETH_8021AD)
		return 0;
	if (PF_FLOW_LOAD(ctx, *off, b, 4)) {
		f->eth_type = *et;
		return 1;
	}
	if (f->vlan_count == 0)
		f->vlan_id = pf_flow_be16(b) & 0x0fff;
	f->vlan_count++;
	*et = pf_flow_be16(b + 2);
	*off += 4;
	return 0;
}

/*
 * Fill *f from the frame at ctx.  Fields not reached stay 0 and f->flags says
 * which are valid, so a truncated frame still hashes deterministically.
 */
PF_FLOW_INLINE int pf_flow_parse(PF_FLOW_CTX_TYPE ctx, struct pf_flow *f)
{
	pf_u8 b[14];
	pf_u16 et, tci = 0;
	pf_u32 off;
	int hw = 0;

	pf_flow_clear(f);
	if (PF_FLOW_LOAD(ctx, 0, b, 14))
		return PF_FLOW_TRUNCATED;
	__builtin_memcpy(f->dst_mac, b, 6);
	__builtin_memcpy(f->src_mac, b + 6, 6);
	et = pf_flow_be16(b + 12);
	f->flags |= PF_FLOW_F_L2;
	if (PF_FLOW_HWVLAN(ctx, &tci)) {
		/* The stripped tag was the outer one: one fewer left in the frame. */
		f->vlan_id = tci & 0x0fff;
		f->vlan_count = 1;
		f->flags |= PF_FLOW_F_HWVLAN;
		hw = 1;
	}
	off = 14;
	/* PF_FLOW_MAX_VLANS (2) explicit steps, not a loop: nothing to unroll. */
	if (!hw && pf_flow_vlan_step(ctx, &off, &et, f))
		return PF_FLOW_TRUNCATED;
	if (pf_flow_vlan_step(ctx, &off, &et, f))
		return PF_FLOW_TRUNCATED;
	f->eth_type = et;
	f->l3_offset = (pf_u16)off;
	if (et == PF_FLOW_ETH_IPV4)
		return pf_flow_parse_ipv4(ctx, off, f);
	if (et == PF_FLOW_ETH_IPV6)
		return pf_flow_parse_ipv6(ctx, off, f);
	return PF_FLOW_NOT_IP;
}

/*
 * Skip one GTP-U extension header at *off if *next (the type the previous
 * header announced) says there is one: length in 4-byte units, the next
 * type in its last byte.  Non-zero if it is cut short or empty.
 */
PF_FLOW_INLINE int pf_flow_gtpu_ext_step(PF_FLOW_CTX_TYPE ctx, pf_u32 *off, pf_u32 *next)
{
	pf_u8 b[1];

	if (*next == 0)
		return 0;
	if (PF_FLOW_LOAD(ctx, *off, b, 1) || b[0] == 0)
		return 1;
	*off += (pf_u32)b[0] * 4;
	if (PF_FLOW_LOAD(ctx, *off - 1, b, 1))
		return 1;
	*next = b[0];
	return 0;
}

/*
 * Where the packet a tunnel carries starts: *off and *et (an ethertype:
 * IPv4, IPv6 or PF_FLOW_ETH_TEB for an Ethernet frame) for the tunnel kind
 * returned, PF_FLOW_TUNNEL_NONE when the outer packet is no tunnel we open.
 */
PF_FLOW_INLINE int pf_flow_tunnel(PF_FLOW_CTX_TYPE ctx, const struct pf_flow *o,
				  pf_u32 *off, pf_u16 *et)
{
	pf_u8 b[12];
	pf_u32 n;

	if (!(o->flags & PF_FLOW_F_L3) || (o->flags & PF_FLOW_F_FRAGMENT))
		return PF_FLOW_TUNNEL_NONE;
	*off = o->l4_offset;
	if (o->l4_proto == PF_FLOW_IPPROTO_IPIP || o->l4_proto == PF_FLOW_IPPROTO_IPV6) {
		*et = o->l4_proto == PF_FLOW_IPPROTO_IPIP ? PF_FLOW_ETH_IPV4 : PF_FLOW_ETH_IPV6;
		return PF_FLOW_TUNNEL_IPIP;
	}
	if (o->l4_proto == PF_FLOW_IPPROTO_GRE) {
		/* Version 0 only, no source routing; C, K, S add 4 bytes each. */
		if (PF_FLOW_LOAD(ctx, *off, b, 4) || (b[1] & 0x07) || (b[0] & 0x40))
			return PF_FLOW_TUNNEL_NONE;
		*et = pf_flow_be16(b + 2);
		*off += 4 + ((b[0] >> 7) & 1) * 4 + ((b[0] >> 5) & 1) * 4 +
			((b[0] >> 4) & 1) * 4;
		return PF_FLOW_TUNNEL_GRE;
	}
	if (o->l4_proto != PF_FLOW_IPPROTO_UDP || !(o->flags & PF_FLOW_F_PORTS))
		return PF_FLOW_TUNNEL_NONE;
	*off += 8;
	if (o->dst_port == PF_FLOW_UDP_VXLAN) {
		/* The I flag says the VNI is valid. */
		if (PF_FLOW_LOAD(ctx, *off, b, 8) || !(b[0] & 0x08))
			return PF_FLOW_TUNNEL_NONE;
		*off += 8;
		*et = PF_FLOW_ETH_TEB;
		return PF_FLOW_TUNNEL_VXLAN;
	}
	if (o->dst_port != PF_FLOW_UDP_GTPU)
		return PF_FLOW_TUNNEL_NONE;
	/* GTPv1 (version 1, PT 1), G-PDU: the message is a user packet. */
	if (PF_FLOW_LOAD(ctx, *off, b, 12) || (b[0] & 0xf0) != 0x30 || b[1] != 0xff)
		return PF_FLOW_TUNNEL_NONE;
	if (!(b[0] & 0x07)) {
		*off += 8;
	} else {
		/* Sequence, N-PDU and next-extension fields, then extensions. */
		n = (b[0] & 0x04) ? b[11] : 0;
		*off += 12;
		/* PF_FLOW_GTPU_MAX_EXT (2) explicit steps, as for VLAN tags. */
		if (pf_flow_gtpu_ext_step(ctx, off, &n) || pf_flow_gtpu_ext_step(ctx, off, &n) ||
		    n != 0)
			return PF_FLOW_TUNNEL_NONE;
	}
	/* The IP version nibble says which. */
	if (PF_FLOW_LOAD(ctx, *off, b, 1))
		return PF_FLOW_TUNNEL_NONE;
	if ((b[0] >> 4) == 4)
		*et = PF_FLOW_ETH_IPV4;
	else if ((b[0] >> 4) == 6)
		*et = PF_FLOW_ETH_IPV6;
	else
		return PF_FLOW_TUNNEL_NONE;
	return PF_FLOW_TUNNEL_GTPU;
}

/*
 * The flow of the packet a tunnel in outer o carries, into *in: its
 * addresses, protocol and ports with o's L2 fields (MACs, outer VLAN).
 * Returns the tunnel kind when *in holds at least the inner addresses
 * (PF_FLOW_F_L3), PF_FLOW_TUNNEL_NONE otherwise (then *in is meaningless).
 */
PF_FLOW_INLINE int pf_flow_parse_inner(PF_FLOW_CTX_TYPE ctx, const struct pf_flow *o,
				       struct pf_flow *in)
{
	pf_u8 b[4];
	pf_u32 off = 0;
	pf_u16 et = 0;
	int kind;

	kind = pf_flow_tunnel(ctx, o, &off, &et);
	if (kind == PF_FLOW_TUNNEL_NONE)
		return kind;
	pf_flow_clear(in);
	__builtin_memcpy(in->src_mac, o->src_mac, 6);
	__builtin_memcpy(in->dst_mac, o->dst_mac, 6);
	in->vlan_id = o->vlan_id;
	in->vlan_count = o->vlan_count;
	in->flags = o->flags & (PF_FLOW_F_L2 | PF_FLOW_F_HWVLAN);
	if (et == PF_FLOW_ETH_TEB) {
		/* An Ethernet frame (one VLAN tag allowed): its ethertype. */
		if (PF_FLOW_LOAD(ctx, off + 12, b, 2))
			return PF_FLOW_TUNNEL_NONE;
		et = pf_flow_be16(b);
		off += 14;
		if (et == PF_FLOW_ETH_8021Q || et == PF_FLOW_ETH_8021AD) {
			if (PF_FLOW_LOAD(ctx, off, b, 4))
				return PF_FLOW_TUNNEL_NONE;
			et = pf_flow_be16(b + 2);
			off += 4;
		}
	}
	in->eth_type = et;
	in->l3_offset = (pf_u16)off;
	if (et == PF_FLOW_ETH_IPV4)
		pf_flow_parse_ipv4(ctx, off, in);
	else if (et == PF_FLOW_ETH_IPV6)
		pf_flow_parse_ipv6(ctx, off, in);
	return (in->flags & PF_FLOW_F_L3) ? kind : PF_FLOW_TUNNEL_NONE;
}

/* ------------------------------------------------------------------------ */
/* Hash.                                                                     */

#define PF_FLOW_HASH_SEED 0x50465231u

PF_FLOW_INLINE pf_u32 pf_flow_rotl(pf_u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* One word into the state (murmur3-style block step). */
PF_FLOW_INLINE pf_u32 pf_flow_absorb(pf_u32 h, pf_u32 w)
{
	w *= 0xcc9e2d51u;
	w = pf_flow_rotl(w, 15);
	w *= 0x1b873593u;
	h ^= w;
	h = pf_flow_rotl(h, 13);
	return h * 5u + 0xe6546b64u;
}

/* Avalanche so that h % n is even for any small n. */
PF_FLOW_INLINE pf_u32 pf_flow_finish(pf_u32 h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

/* Whether type t hashes the packet a tunnel carries. */
PF_FLOW_INLINE int pf_flow_type_inner(int t)
{
	return (t >= PF_FLOW_INNER_FLOW && t <= PF_FLOW_INNER_TCP_5_TUPLE) ||
	       t == PF_FLOW_INNER_IP_5_TUPLE;
}

/* The outer type whose fields type t hashes (of the inner flow if inner). */
PF_FLOW_INLINE int pf_flow_type_fields(int t)
{
	if (t >= PF_FLOW_INNER_FLOW && t <= PF_FLOW_INNER_TCP_5_TUPLE)
		return t == PF_FLOW_INNER_FLOW ? PF_FLOW_PER_FLOW : t - 5;
	if (t == PF_FLOW_IP_5_TUPLE || t == PF_FLOW_INNER_IP_5_TUPLE)
		return PF_FLOW_5_TUPLE;
	return t;
}

/*
 * The hash of one endpoint of f (the destination if dst), for
 * PF_FLOW_IP_WITH_DUP_TUPLE: IP version and address, or the MAC of a non-IP
 * frame.
 */
PF_FLOW_INLINE pf_u32 pf_flow_hash_endpoint(const struct pf_flow *f, int dst)
{
	pf_u32 h = PF_FLOW_HASH_SEED, a[4], i;

	if (f->flags & PF_FLOW_F_L3) {
		h = pf_flow_absorb(h, 0x20000u | ((pf_u32)f->ip_version << 8));
		PF_FLOW_UNROLL
		for (i = 0; i < 4; i++)
			a[i] = dst ? f->dst_ip[i] : f->src_ip[i];
	} else if (f->flags & PF_FLOW_F_L2) {
		const pf_u8 *m = dst ? f->dst_mac : f->src_mac;

		h = pf_flow_absorb(h, 0x30000u);
		a[0] = pf_flow_be32(m);
		a[1] = ((pf_u32)pf_flow_be16(m + 4)) << 16;
		a[2] = a[3] = 0;
	} else {
		h = pf_flow_absorb(h, 0x40000u);
		a[0] = a[1] = a[2] = a[3] = 0;
	}
	PF_FLOW_UNROLL
	for (i = 0; i < 4; i++)
		h = pf_flow_absorb(h, a[i]);
	return pf_flow_finish(h ^ 20u);
}

/* <0, 0, >0 as a is before, equal to, after b; n words, most significant first. */
PF_FLOW_INLINE int pf_flow_cmp4(const pf_u32 *a, const pf_u32 *b)
{
	pf_u32 i;

	/* The first word that differs decides (IPv4: almost always the first). */
	PF_FLOW_UNROLL
	for (i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] > b[i] ? 1 : -1;
	return 0;
}

/*
 * Hash of eleven words
 *   vlan | version<<8 | proto | lo addr[4] | hi addr[4] | lo port<<16 | hi port
 * (non-IP: vlan | 0x10000|ethertype | lo mac[2] | hi mac[2] | 0...), where
 * fields the cluster type does not use are 0 and lo/hi is the (addr, port)
 * order of the two endpoints, which makes every type symmetric.
 */
PF_FLOW_INLINE pf_u32 pf_flow_hash(const struct pf_flow *f, int cluster_type)
{
	pf_u32 lo[4], hi[4], w0, w1, wp = 0, h = PF_FLOW_HASH_SEED, i;
	int use_vlan, use_proto, use_ports, swap;

	if (cluster_type == PF_FLOW_IP_WITH_DUP_TUPLE)
		return pf_flow_hash_endpoint(f, 0);
	/* Inner types: f is already the flow to hash (pf_flow_hash_parsed). */
	cluster_type = pf_flow_type_fields(cluster_type);
	use_vlan = cluster_type != PF_FLOW_2_TUPLE && cluster_type != PF_FLOW_4_TUPLE &&
		   cluster_type != PF_FLOW_5_TUPLE && cluster_type != PF_FLOW_TCP_5_TUPLE;
	w0 = use_vlan ? f->vlan_id : 0;

	if (f->flags & PF_FLOW_F_L3) {
		int tcp5 = cluster_type == PF_FLOW_TCP_5_TUPLE &&
			   f->l4_proto == PF_FLOW_IPPROTO_TCP;
		pf_u16 sp, dp;

		use_proto = use_vlan || cluster_type == PF_FLOW_5_TUPLE || tcp5;
		use_ports = use_vlan || cluster_type == PF_FLOW_4_TUPLE ||
			    cluster_type == PF_FLOW_5_TUPLE || tcp5;
		sp = use_ports ? f->src_port : 0;
		dp = use_ports ? f->dst_port : 0;
		w1 = ((pf_u32)f->ip_version << 8) | (use_proto ? f->l4_proto : 0);
		swap = pf_flow_cmp4(f->src_ip, f->dst_ip);
		if (swap == 0)
			swap = (sp > dp) - (sp < dp);
		PF_FLOW_UNROLL
		for (i = 0; i < 4; i++) {
			lo[i] = swap > 0 ? f->dst_ip[i] : f->src_ip[i];
			hi[i] = swap > 0 ? f->src_ip[i] : f->dst_ip[i];
		}
		wp = swap > 0 ? ((pf_u32)dp << 16) | sp : ((pf_u32)sp << 16) | dp;
	} else if (f->flags & PF_FLOW_F_L2) {
		pf_u32 s[4], d[4];

		w1 = 0x10000u | f->eth_type;
		s[0] = pf_flow_be32(f->src_mac);
		s[1] = ((pf_u32)pf_flow_be16(f->src_mac + 4)) << 16;
		d[0] = pf_flow_be32(f->dst_mac);
		d[1] = ((pf_u32)pf_flow_be16(f->dst_mac + 4)) << 16;
		s[2] = s[3] = d[2] = d[3] = 0;
		swap = pf_flow_cmp4(s, d) > 0;
		lo[0] = swap ? d[0] : s[0];
		lo[1] = swap ? d[1] : s[1];
		lo[2] = swap ? s[0] : d[0];
		lo[3] = swap ? s[1] : d[1];
		hi[0] = hi[1] = hi[2] = hi[3] = 0;
	} else {
		/* Nothing parsed: one fixed bucket. */
		w1 = 0;
		lo[0] = lo[1] = lo[2] = lo[3] = 0;
		hi[0] = hi[1] = hi[2] = hi[3] = 0;
	}

	h = pf_flow_absorb(h, w0);
	h = pf_flow_absorb(h, w1);
	PF_FLOW_UNROLL
	for (i = 0; i < 4; i++)
		h = pf_flow_absorb(h, lo[i]);
	PF_FLOW_UNROLL
	for (i = 0; i < 4; i++)
		h = pf_flow_absorb(h, hi[i]);
	h = pf_flow_absorb(h, wp);
	return pf_flow_finish(h ^ 44u);
}

/*
 * The hash of type cluster_type for the packet at ctx whose outer flow is
 * *f: an inner type opens the tunnel first.
 */
PF_FLOW_INLINE pf_u32 pf_flow_hash_parsed(PF_FLOW_CTX_TYPE ctx, const struct pf_flow *f,
					  int cluster_type)
{
	struct pf_flow in;

	if (pf_flow_type_inner(cluster_type) &&
	    pf_flow_parse_inner(ctx, f, &in) != PF_FLOW_TUNNEL_NONE)
		return pf_flow_hash(&in, cluster_type);
	return pf_flow_hash(f, cluster_type);
}

/*
 * The second member's hash of a packet that goes to two members
 * (PF_FLOW_IP_WITH_DUP_TUPLE: the destination's), into *second; 0 when
 * cluster_type delivers to one member only.
 */
PF_FLOW_INLINE int pf_flow_hash_dup(const struct pf_flow *f, int cluster_type,
				    pf_u32 *second)
{
	if (cluster_type != PF_FLOW_IP_WITH_DUP_TUPLE)
		return 0;
	*second = pf_flow_hash_endpoint(f, 1);
	return 1;
}

/* Parse and hash in one call, for any packet access. */
PF_FLOW_INLINE pf_u32 pf_flow_hash_ctx(PF_FLOW_CTX_TYPE ctx, int cluster_type)
{
	struct pf_flow f;

	pf_flow_parse(ctx, &f);
	return pf_flow_hash_parsed(ctx, &f, cluster_type);
}

#ifdef PF_FLOW_DEFAULT_BUF
/* caplen bytes at pkt, any VLAN tags still inside the frame. */
PF_FLOW_INLINE int pf_flow_parse_buf(const pf_u8 *pkt, pf_u32 caplen, struct pf_flow *f)
{
	struct pf_flow_buf b = { pkt, caplen, 0, 0 };

	return pf_flow_parse(&b, f);
}

/*
 * As pf_flow_parse_buf() for a frame whose outer tag was stripped into
 * metadata (tpacket tp_vlan_tci with TP_STATUS_VLAN_VALID): gives the same
 * result as the frame with the tag put back.
 */
PF_FLOW_INLINE int pf_flow_parse_buf_vlan(const pf_u8 *pkt, pf_u32 caplen,
					  pf_u16 vlan_tci, int vlan_present,
					  struct pf_flow *f)
{
	struct pf_flow_buf b = { pkt, caplen, vlan_tci, (pf_u8)(vlan_present != 0) };

	return pf_flow_parse(&b, f);
}

PF_FLOW_INLINE pf_u32 pf_flow_hash_packet(const pf_u8 *pkt, pf_u32 caplen, int cluster_type)
{
	struct pf_flow_buf b = { pkt, caplen, 0, 0 };

	return pf_flow_hash_ctx(&b, cluster_type);
}
#endif /* PF_FLOW_DEFAULT_BUF */

#endif /* PF_FLOW_H */
