/*
 * test_flow.c - unit tests for common/pf_flow.h (parser and cluster hash).
 *
 * PF_FLOW_PRINT_PINS=1 prints the pinned-hash table (only when the hash is
 * changed on purpose).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "pf_flow.h"
#include "flow_frames.h"

static int failures, checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b, ctx) do { \
	unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b); \
	checks++; \
	if (va_ != vb_) { \
		failures++; \
		fprintf(stderr, "%s:%d: FAIL: %s == %s (0x%llx != 0x%llx) [%s]\n", \
			__FILE__, __LINE__, #a, #b, va_, vb_, (ctx)); \
	} \
} while (0)

static const int hash_types[] = {
	cluster_per_flow, cluster_per_flow_2_tuple, cluster_per_flow_4_tuple,
	cluster_per_flow_5_tuple, cluster_per_flow_tcp_5_tuple,
};
#define NTYPES ((int)(sizeof hash_types / sizeof hash_types[0]))

static struct ff_frame fr[FF_COUNT];

static uint32_t H(int idx, int type)
{
	return pf_flow_hash_packet(fr[idx].data, fr[idx].len, type);
}

/* Pinned: columns per_flow, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple. */
static const uint32_t pinned[FF_COUNT][NTYPES] = {
	[FF_V4_TCP]       = { 0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1 },
	[FF_V4_TCP_REV]   = { 0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1 },
	[FF_V4_UDP]       = { 0x8d752ebb, 0x0fb7437f, 0x09a16d86, 0x8d752ebb, 0x0fb7437f },
	[FF_V4_OPTS]      = { 0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1 },
	[FF_V6_TCP_EXT]   = { 0x346bd055, 0xcfea5548, 0x0b251fb6, 0x346bd055, 0x346bd055 },
	[FF_V6_UDP]       = { 0x72199021, 0x35e79fd1, 0x97276619, 0x72199021, 0x35e79fd1 },
	[FF_VLAN_TCP]     = { 0x268c9fab, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1 },
	[FF_QINQ_UDP]     = { 0x84b29780, 0x0fb7437f, 0x09a16d86, 0x8d752ebb, 0x0fb7437f },
	[FF_V4_FRAG_FIRST]= { 0xab089895, 0xc4f73299, 0xc4f73299, 0xab089895, 0xc4f73299 },
	[FF_V4_FRAG_LATER]= { 0xab089895, 0xc4f73299, 0xc4f73299, 0xab089895, 0xc4f73299 },
	[FF_V6_FRAG_FIRST]= { 0x35125a8c, 0xe51347c5, 0xe51347c5, 0x35125a8c, 0xe51347c5 },
	[FF_V6_FRAG_LATER]= { 0x35125a8c, 0xe51347c5, 0xe51347c5, 0x35125a8c, 0xe51347c5 },
	[FF_V4_ICMP]      = { 0x924ea2ed, 0xad370688, 0xad370688, 0x924ea2ed, 0xad370688 },
	[FF_V4_SCTP]      = { 0x063b4047, 0xf265f13b, 0xe821209d, 0x063b4047, 0xf265f13b },
	[FF_ARP]          = { 0x38babfe2, 0x38babfe2, 0x38babfe2, 0x38babfe2, 0x38babfe2 },
	[FF_ARP_REPLY]    = { 0x93390fd8, 0x93390fd8, 0x93390fd8, 0x93390fd8, 0x93390fd8 },
	[FF_GARBAGE]      = { 0x257f931c, 0x257f931c, 0x257f931c, 0x257f931c, 0x257f931c },
	[FF_GTPU_V4]     = { 0xd1d4baf7, 0xe5e4aef0, 0x68e0ac51, 0xd1d4baf7, 0xe5e4aef0 },
	[FF_GTPU_EXT_V6] = { 0x03f1cfbd, 0xc0c1b52b, 0xf017e11d, 0x03f1cfbd, 0xc0c1b52b },
	[FF_VXLAN_V4]    = { 0x22f6ba07, 0xe5e4aef0, 0x323d2c8a, 0x22f6ba07, 0xe5e4aef0 },
	[FF_GRE_V4]      = { 0xa2d2ab6c, 0xe5e4aef0, 0xe5e4aef0, 0xa2d2ab6c, 0xe5e4aef0 },
	[FF_GRE_TEB_V6]  = { 0x8c4ce555, 0xc0c1b52b, 0xc0c1b52b, 0x8c4ce555, 0xc0c1b52b },
	[FF_IPIP_V4]     = { 0x7a59bd1e, 0xe5e4aef0, 0xe5e4aef0, 0x7a59bd1e, 0xe5e4aef0 },
	[FF_IP6IP6]      = { 0xc5d9cd09, 0xc0c1b52b, 0xc0c1b52b, 0xc5d9cd09, 0xc0c1b52b },
	[FF_GTPU_ECHO]   = { 0xd1d4baf7, 0xe5e4aef0, 0x68e0ac51, 0xd1d4baf7, 0xe5e4aef0 },
};

/*
 * The types beyond the first five, pinned the same way; the last two
 * columns are ip_with_dup_tuple's two hashes (source, destination).
 */
static const int new_types[] = {
	cluster_per_inner_flow, cluster_per_inner_flow_2_tuple, cluster_per_inner_flow_4_tuple,
	cluster_per_inner_flow_5_tuple, cluster_per_inner_flow_tcp_5_tuple,
	cluster_per_flow_ip_5_tuple, cluster_per_inner_flow_ip_5_tuple,
	cluster_per_flow_ip_with_dup_tuple,
};
#define NNEW ((int)(sizeof new_types / sizeof new_types[0]))

static uint32_t dup2(int idx)
{
	struct pf_flow f;
	uint32_t h2 = 0;

	pf_flow_parse_buf(fr[idx].data, fr[idx].len, &f);
	CHECK_EQ(pf_flow_hash_dup(&f, cluster_per_flow_ip_with_dup_tuple, &h2), 1, fr[idx].name);
	return h2;
}

/* Columns: new_types, then the destination's hash of ip_with_dup_tuple. */
static const uint32_t pinned_new[FF_COUNT][NNEW + 1] = {
	[0] = { /* v4_tcp */
		0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1,
		0x8cf36bf1, 0x8cf36bf1, 0x957cee60, 0x9d5a88c5 },
	[1] = { /* v4_tcp_rev */
		0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1,
		0x8cf36bf1, 0x8cf36bf1, 0x9d5a88c5, 0x957cee60 },
	[2] = { /* v4_udp */
		0x8d752ebb, 0x0fb7437f, 0x09a16d86, 0x8d752ebb, 0x0fb7437f,
		0x8d752ebb, 0x8d752ebb, 0x36d80c77, 0x1623f681 },
	[3] = { /* v4_opts */
		0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1,
		0x8cf36bf1, 0x8cf36bf1, 0x957cee60, 0x9d5a88c5 },
	[4] = { /* v6_tcp_ext */
		0x346bd055, 0xcfea5548, 0x0b251fb6, 0x346bd055, 0x346bd055,
		0x346bd055, 0x346bd055, 0x5a7d2a50, 0xa206058f },
	[5] = { /* v6_udp */
		0x72199021, 0x35e79fd1, 0x97276619, 0x72199021, 0x35e79fd1,
		0x72199021, 0x72199021, 0x807d05cb, 0x3d0d2ac6 },
	[6] = { /* vlan_tcp */
		0x268c9fab, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1,
		0x8cf36bf1, 0x8cf36bf1, 0x957cee60, 0x9d5a88c5 },
	[7] = { /* qinq_udp */
		0x84b29780, 0x0fb7437f, 0x09a16d86, 0x8d752ebb, 0x0fb7437f,
		0x8d752ebb, 0x8d752ebb, 0x36d80c77, 0x1623f681 },
	[8] = { /* v4_frag_first */
		0xab089895, 0xc4f73299, 0xc4f73299, 0xab089895, 0xc4f73299,
		0xab089895, 0xab089895, 0x8706f6fc, 0x61859e2f },
	[9] = { /* v4_frag_later */
		0xab089895, 0xc4f73299, 0xc4f73299, 0xab089895, 0xc4f73299,
		0xab089895, 0xab089895, 0x8706f6fc, 0x61859e2f },
	[10] = { /* v6_frag_first */
		0x35125a8c, 0xe51347c5, 0xe51347c5, 0x35125a8c, 0xe51347c5,
		0x35125a8c, 0x35125a8c, 0x99424e3a, 0xfb681850 },
	[11] = { /* v6_frag_later */
		0x35125a8c, 0xe51347c5, 0xe51347c5, 0x35125a8c, 0xe51347c5,
		0x35125a8c, 0x35125a8c, 0x99424e3a, 0xfb681850 },
	[12] = { /* v4_icmp */
		0x924ea2ed, 0xad370688, 0xad370688, 0x924ea2ed, 0xad370688,
		0x924ea2ed, 0x924ea2ed, 0x957cee60, 0x9d5a88c5 },
	[13] = { /* v4_sctp */
		0x063b4047, 0xf265f13b, 0xe821209d, 0x063b4047, 0xf265f13b,
		0x063b4047, 0x063b4047, 0x9190090e, 0x9c82172a },
	[14] = { /* arp */
		0x38babfe2, 0x38babfe2, 0x38babfe2, 0x38babfe2, 0x38babfe2,
		0x38babfe2, 0x38babfe2, 0x341d02a1, 0xd6afc738 },
	[15] = { /* arp_reply */
		0x93390fd8, 0x93390fd8, 0x93390fd8, 0x93390fd8, 0x93390fd8,
		0x93390fd8, 0x93390fd8, 0xbf0625a3, 0x341d02a1 },
	[16] = { /* garbage */
		0x257f931c, 0x257f931c, 0x257f931c, 0x257f931c, 0x257f931c,
		0x257f931c, 0x257f931c, 0x341d02a1, 0xbf0625a3 },
	[17] = { /* gtpu_v4 */
		0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1,
		0xd1d4baf7, 0x8cf36bf1, 0xce9d381d, 0x628f07e8 },
	[18] = { /* gtpu_ext_v6 */
		0x72199021, 0x35e79fd1, 0x97276619, 0x72199021, 0x35e79fd1,
		0x03f1cfbd, 0x72199021, 0xf2e04503, 0xc02643b3 },
	[19] = { /* vxlan_v4 */
		0x8d752ebb, 0x0fb7437f, 0x09a16d86, 0x8d752ebb, 0x0fb7437f,
		0x22f6ba07, 0x8d752ebb, 0xce9d381d, 0x628f07e8 },
	[20] = { /* gre_v4 */
		0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1,
		0xa2d2ab6c, 0x8cf36bf1, 0xce9d381d, 0x628f07e8 },
	[21] = { /* gre_teb_v6 */
		0x72199021, 0x35e79fd1, 0x97276619, 0x72199021, 0x35e79fd1,
		0x8c4ce555, 0x72199021, 0xf2e04503, 0xc02643b3 },
	[22] = { /* ipip_v4 */
		0x8cf36bf1, 0xad370688, 0x5addac68, 0x8cf36bf1, 0x8cf36bf1,
		0x7a59bd1e, 0x8cf36bf1, 0xce9d381d, 0x628f07e8 },
	[23] = { /* ip6ip6 */
		0x72199021, 0x35e79fd1, 0x97276619, 0x72199021, 0x35e79fd1,
		0xc5d9cd09, 0x72199021, 0xf2e04503, 0xc02643b3 },
	[24] = { /* gtpu_echo */
		0xd1d4baf7, 0xe5e4aef0, 0x68e0ac51, 0xd1d4baf7, 0xe5e4aef0,
		0xd1d4baf7, 0xd1d4baf7, 0xce9d381d, 0x628f07e8 },
};

static void test_pinned_new(void)
{
	int i, t;

	if (getenv("PF_FLOW_PRINT_PINS")) {
		for (i = 0; i < FF_COUNT; i++) {
			printf("\t[%d] = {", i);
			for (t = 0; t < NNEW; t++)
				printf(" 0x%08x,", H(i, new_types[t]));
			printf(" 0x%08x }, /* %s */\n", dup2(i), fr[i].name);
		}
	}
	for (i = 0; i < FF_COUNT; i++) {
		for (t = 0; t < NNEW; t++)
			CHECK_EQ(H(i, new_types[t]), pinned_new[i][t], fr[i].name);
		CHECK_EQ(dup2(i), pinned_new[i][NNEW], fr[i].name);
	}
	/* One packet, one member, for every other type. */
	for (t = 0; t <= cluster_per_inner_flow_ip_5_tuple; t++) {
		struct pf_flow f;
		uint32_t h2;

		pf_flow_parse_buf(fr[FF_V4_TCP].data, fr[FF_V4_TCP].len, &f);
		CHECK_EQ(pf_flow_hash_dup(&f, t, &h2), 0, "single-member type");
	}
}

/* The base type an inner type hashes as. */
static int base_of(int t)
{
	switch (t) {
	case cluster_per_inner_flow:             return cluster_per_flow;
	case cluster_per_inner_flow_2_tuple:     return cluster_per_flow_2_tuple;
	case cluster_per_inner_flow_4_tuple:     return cluster_per_flow_4_tuple;
	case cluster_per_inner_flow_5_tuple:     return cluster_per_flow_5_tuple;
	case cluster_per_inner_flow_tcp_5_tuple: return cluster_per_flow_tcp_5_tuple;
	case cluster_per_inner_flow_ip_5_tuple:  return cluster_per_flow_5_tuple;
	default:                                 return t;
	}
}

static const int inner_types[] = {
	cluster_per_inner_flow, cluster_per_inner_flow_2_tuple, cluster_per_inner_flow_4_tuple,
	cluster_per_inner_flow_5_tuple, cluster_per_inner_flow_tcp_5_tuple,
	cluster_per_inner_flow_ip_5_tuple,
};
#define NINNER ((int)(sizeof inner_types / sizeof inner_types[0]))

static void test_inner(void)
{
	static const struct { int idx, kind; } kinds[] = {
		{ FF_GTPU_V4, PF_FLOW_TUNNEL_GTPU }, { FF_GTPU_EXT_V6, PF_FLOW_TUNNEL_GTPU },
		{ FF_VXLAN_V4, PF_FLOW_TUNNEL_VXLAN }, { FF_GRE_V4, PF_FLOW_TUNNEL_GRE },
		{ FF_GRE_TEB_V6, PF_FLOW_TUNNEL_GRE }, { FF_IPIP_V4, PF_FLOW_TUNNEL_IPIP },
		{ FF_IP6IP6, PF_FLOW_TUNNEL_IPIP }, { FF_GTPU_ECHO, PF_FLOW_TUNNEL_NONE },
		{ FF_V4_UDP, PF_FLOW_TUNNEL_NONE }, { FF_V4_FRAG_FIRST, PF_FLOW_TUNNEL_NONE },
	};
	uint8_t buf[FF_MAX], plain[FF_MAX];
	struct pf_flow o, in, want;
	struct ff_tuple t;
	uint32_t seed = 0x7e57, len, plen, l;
	size_t k;
	int i, c, bad = 0;

	/* Which tunnel each frame is, and the inner fields exactly. */
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		i = kinds[k].idx;
		pf_flow_parse_buf(fr[i].data, fr[i].len, &o);
		CHECK_EQ(pf_flow_parse_inner(&(struct pf_flow_buf){ fr[i].data, fr[i].len, 0, 0 },
					     &o, &in), kinds[k].kind, fr[i].name);
		c = ff_carried(i);
		if (c < 0)
			continue;
		pf_flow_parse_buf(fr[c].data, fr[c].len, &want);
		CHECK(memcmp(in.src_ip, want.src_ip, 16) == 0 && memcmp(in.dst_ip, want.dst_ip, 16) == 0);
		CHECK_EQ(in.src_port, want.src_port, fr[i].name);
		CHECK_EQ(in.dst_port, want.dst_port, fr[i].name);
		CHECK_EQ(in.l4_proto, want.l4_proto, fr[i].name);
		CHECK_EQ(in.ip_version, want.ip_version, fr[i].name);
		CHECK_EQ(in.flags & (PF_FLOW_F_L3 | PF_FLOW_F_PORTS), PF_FLOW_F_L3 | PF_FLOW_F_PORTS,
			 fr[i].name);
	}
	/* A tunnel hashes, for an inner type, as the packet it carries. */
	for (i = 0; i < FF_COUNT; i++) {
		c = ff_carried(i);
		for (k = 0; k < (size_t)NINNER; k++) {
			int it = inner_types[k], bt = base_of(it);

			if (c >= 0) {
				CHECK_EQ(H(i, it), H(c, bt), fr[i].name);
				/* ... and not as the outer packet. */
				if (bt != cluster_per_flow_2_tuple)
					CHECK(H(i, it) != H(i, bt));
			} else {
				CHECK_EQ(H(i, it), H(i, bt), fr[i].name);
			}
		}
		/* ip_5_tuple is 5_tuple here (non-IP already by MAC pair). */
		CHECK_EQ(H(i, cluster_per_flow_ip_5_tuple), H(i, cluster_per_flow_5_tuple), fr[i].name);
	}
	/* Both directions of a tunnelled flow meet: GRE carries the reply. */
	CHECK_EQ(H(FF_GRE_V4, cluster_per_inner_flow), H(FF_GTPU_V4, cluster_per_inner_flow),
		 "gre reply vs gtp request");
	/* The inner VLAN tag of an Ethernet payload is skipped, not hashed. */
	CHECK_EQ(H(FF_GRE_TEB_V6, cluster_per_inner_flow), H(FF_V6_UDP, cluster_per_flow), "teb");

	/* Cut at every length: an inner flow without its addresses is the outer one. */
	for (i = FF_GTPU_V4; i <= FF_IP6IP6; i++) {
		pf_flow_parse_buf(fr[i].data, fr[i].len, &o);
		for (l = 0; l <= fr[i].len; l++) {
			struct pf_flow oc, ic;
			struct pf_flow_buf b = { fr[i].data, l, 0, 0 };
			uint32_t h = pf_flow_hash_packet(fr[i].data, l, cluster_per_inner_flow_5_tuple);

			pf_flow_parse_buf(fr[i].data, l, &oc);
			if (pf_flow_parse_inner(&b, &oc, &ic) == PF_FLOW_TUNNEL_NONE)
				CHECK_EQ(h, pf_flow_hash(&oc, cluster_per_flow_5_tuple), fr[i].name);
			else
				CHECK_EQ(h, pf_flow_hash(&ic, cluster_per_flow_5_tuple), fr[i].name);
			/* Inner addresses need the inner IP header whole. */
			if (l < o.l4_offset + 20u)
				CHECK_EQ(pf_flow_parse_inner(&b, &oc, &ic), PF_FLOW_TUNNEL_NONE, fr[i].name);
		}
	}

	/* Random tunnels: the inner type's hash is the plain frame's. */
	for (l = 0; l < 3000; l++) {
		len = ff_random_tunnel(buf, &seed, &t);
		plen = ff_build(plain, &t);
		for (k = 0; k < (size_t)NINNER; k++)
			if (pf_flow_hash_packet(buf, len, inner_types[k]) !=
			    pf_flow_hash_packet(plain, plen, base_of(inner_types[k])))
				bad++;
	}
	CHECK_EQ(bad, 0, "random tunnels");
}

/* ip_with_dup_tuple: one hash per endpoint, whatever the ports and VLAN. */
static void test_dup(void)
{
	const int d = cluster_per_flow_ip_with_dup_tuple;

	/* 10.0.0.1 -> .2 and its reply: the same two members, swapped. */
	CHECK_EQ(H(FF_V4_TCP, d), dup2(FF_V4_TCP_REV), "src of request = dst of reply");
	CHECK_EQ(dup2(FF_V4_TCP), H(FF_V4_TCP_REV, d), "dst of request = src of reply");
	CHECK(H(FF_V4_TCP, d) != dup2(FF_V4_TCP));
	CHECK_EQ(H(FF_VLAN_TCP, d), H(FF_V4_TCP, d), "no vlan");
	CHECK_EQ(dup2(FF_VLAN_TCP), dup2(FF_V4_TCP), "no vlan");
	CHECK_EQ(H(FF_V4_ICMP, d), H(FF_V4_TCP, d), "no ports, no protocol");
	/* Non-IP: the MACs.  The request's source is the reply's destination. */
	CHECK_EQ(H(FF_ARP, d), dup2(FF_ARP_REPLY), "arp");
	/* IPv4 and IPv6 endpoints differ even with equal words. */
	CHECK(H(FF_V4_TCP, d) != H(FF_V6_UDP, d));
}

static void test_pinned(void)
{
	int i, t;

	if (getenv("PF_FLOW_PRINT_PINS")) {
		for (i = 0; i < FF_COUNT; i++) {
			printf("\t[%d] = {", i);
			for (t = 0; t < NTYPES; t++)
				printf(" 0x%08x%s", H(i, hash_types[t]), t + 1 < NTYPES ? "," : "");
			printf(" }, /* %s */\n", fr[i].name);
		}
	}
	for (i = 0; i < FF_COUNT; i++)
		for (t = 0; t < NTYPES; t++)
			CHECK_EQ(H(i, hash_types[t]), pinned[i][t], fr[i].name);
	/* round_robin is not a hash type; the header hashes it like per_flow. */
	CHECK_EQ(H(FF_V4_TCP, cluster_round_robin), H(FF_V4_TCP, cluster_per_flow), "rr");
}

static void test_fields(void)
{
	struct pf_flow f;
	int rc;

	rc = pf_flow_parse_buf(fr[FF_V4_TCP].data, fr[FF_V4_TCP].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v4_tcp");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3 | PF_FLOW_F_PORTS, "v4_tcp");
	CHECK_EQ(f.eth_type, 0x0800, "v4_tcp");
	CHECK_EQ(f.vlan_count, 0, "v4_tcp");
	CHECK_EQ(f.vlan_id, 0, "v4_tcp");
	CHECK_EQ(f.ip_version, 4, "v4_tcp");
	CHECK_EQ(f.l4_proto, 6, "v4_tcp");
	CHECK_EQ(f.src_ip[0], 0x0a000001, "v4_tcp");
	CHECK_EQ(f.dst_ip[0], 0x0a000002, "v4_tcp");
	CHECK_EQ(f.src_ip[1] | f.src_ip[2] | f.src_ip[3] | f.dst_ip[1] | f.dst_ip[2] | f.dst_ip[3], 0, "v4_tcp");
	CHECK_EQ(f.src_port, 40000, "v4_tcp");
	CHECK_EQ(f.dst_port, 80, "v4_tcp");
	CHECK_EQ(f.l3_offset, 14, "v4_tcp");
	CHECK_EQ(f.l4_offset, 34, "v4_tcp");
	CHECK(memcmp(f.src_mac, ff_mac_a, 6) == 0);
	CHECK(memcmp(f.dst_mac, ff_mac_b, 6) == 0);

	rc = pf_flow_parse_buf(fr[FF_V4_OPTS].data, fr[FF_V4_OPTS].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v4_opts");
	CHECK_EQ(f.l4_offset, 14 + 28, "v4_opts");
	CHECK_EQ(f.src_port, 40000, "v4_opts");
	CHECK_EQ(f.flags & PF_FLOW_F_FRAGMENT, 0, "v4_opts DF is not a fragment");

	rc = pf_flow_parse_buf(fr[FF_V4_UDP].data, fr[FF_V4_UDP].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v4_udp");
	CHECK_EQ(f.l4_proto, 17, "v4_udp");
	CHECK_EQ(f.src_ip[0], 0xc0a8010a, "v4_udp");
	CHECK_EQ(f.dst_ip[0], 0xc0a80114, "v4_udp");
	CHECK_EQ(f.src_port, 5353, "v4_udp");
	CHECK_EQ(f.dst_port, 53, "v4_udp");

	rc = pf_flow_parse_buf(fr[FF_V6_TCP_EXT].data, fr[FF_V6_TCP_EXT].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v6_tcp_ext");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3 | PF_FLOW_F_PORTS, "v6_tcp_ext");
	CHECK_EQ(f.eth_type, 0x86dd, "v6_tcp_ext");
	CHECK_EQ(f.ip_version, 6, "v6_tcp_ext");
	CHECK_EQ(f.l4_proto, 6, "v6_tcp_ext");
	CHECK_EQ(f.src_ip[0], 0x20010db8, "v6_tcp_ext");
	CHECK_EQ(f.src_ip[1] | f.src_ip[2], 0, "v6_tcp_ext");
	CHECK_EQ(f.src_ip[3], 1, "v6_tcp_ext");
	CHECK_EQ(f.dst_ip[0], 0x20010db8, "v6_tcp_ext");
	CHECK_EQ(f.dst_ip[3], 2, "v6_tcp_ext");
	CHECK_EQ(f.l3_offset, 14, "v6_tcp_ext");
	CHECK_EQ(f.l4_offset, 14 + 40 + 8 + 16, "v6_tcp_ext");
	CHECK_EQ(f.src_port, 1234, "v6_tcp_ext");
	CHECK_EQ(f.dst_port, 443, "v6_tcp_ext");

	rc = pf_flow_parse_buf(fr[FF_VLAN_TCP].data, fr[FF_VLAN_TCP].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "vlan_tcp");
	CHECK_EQ(f.vlan_count, 1, "vlan_tcp");
	CHECK_EQ(f.vlan_id, 100, "vlan_tcp");
	CHECK_EQ(f.eth_type, 0x0800, "vlan_tcp");
	CHECK_EQ(f.l3_offset, 18, "vlan_tcp");
	CHECK_EQ(f.src_port, 40000, "vlan_tcp");

	rc = pf_flow_parse_buf(fr[FF_QINQ_UDP].data, fr[FF_QINQ_UDP].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "qinq_udp");
	CHECK_EQ(f.vlan_count, 2, "qinq_udp");
	CHECK_EQ(f.vlan_id, 200, "qinq_udp outer id kept");
	CHECK_EQ(f.eth_type, 0x0800, "qinq_udp");
	CHECK_EQ(f.l3_offset, 22, "qinq_udp");
	CHECK_EQ(f.dst_port, 53, "qinq_udp");

	rc = pf_flow_parse_buf(fr[FF_V4_FRAG_FIRST].data, fr[FF_V4_FRAG_FIRST].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v4_frag_first");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3 | PF_FLOW_F_FRAGMENT, "v4_frag_first");
	CHECK_EQ(f.src_port | f.dst_port, 0, "v4_frag_first has no ports");
	CHECK_EQ(f.l4_proto, 17, "v4_frag_first");
	rc = pf_flow_parse_buf(fr[FF_V4_FRAG_LATER].data, fr[FF_V4_FRAG_LATER].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v4_frag_later");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3 | PF_FLOW_F_FRAGMENT, "v4_frag_later");
	CHECK_EQ(f.src_port | f.dst_port, 0, "v4_frag_later");

	rc = pf_flow_parse_buf(fr[FF_V6_FRAG_FIRST].data, fr[FF_V6_FRAG_FIRST].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v6_frag_first");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3 | PF_FLOW_F_FRAGMENT, "v6_frag_first");
	CHECK_EQ(f.l4_proto, 17, "v6_frag_first");
	CHECK_EQ(f.src_port | f.dst_port, 0, "v6_frag_first");
	CHECK_EQ(f.l4_offset, 14 + 48, "v6_frag_first");
	rc = pf_flow_parse_buf(fr[FF_V6_FRAG_LATER].data, fr[FF_V6_FRAG_LATER].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v6_frag_later");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3 | PF_FLOW_F_FRAGMENT, "v6_frag_later");
	CHECK_EQ(f.l4_proto, 17, "v6_frag_later");

	rc = pf_flow_parse_buf(fr[FF_V4_ICMP].data, fr[FF_V4_ICMP].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v4_icmp");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3, "v4_icmp");
	CHECK_EQ(f.l4_proto, 1, "v4_icmp");
	CHECK_EQ(f.src_port | f.dst_port, 0, "v4_icmp");

	rc = pf_flow_parse_buf(fr[FF_V4_SCTP].data, fr[FF_V4_SCTP].len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "v4_sctp");
	CHECK_EQ(f.l4_proto, 132, "v4_sctp");
	CHECK_EQ(f.src_port, 2905, "v4_sctp");
	CHECK_EQ(f.dst_port, 2905, "v4_sctp");

	rc = pf_flow_parse_buf(fr[FF_ARP].data, fr[FF_ARP].len, &f);
	CHECK_EQ(rc, PF_FLOW_NOT_IP, "arp");
	CHECK_EQ(f.flags, PF_FLOW_F_L2, "arp");
	CHECK_EQ(f.eth_type, 0x0806, "arp");
	CHECK_EQ(f.ip_version, 0, "arp");
	CHECK(memcmp(f.src_mac, ff_mac_a, 6) == 0);
	CHECK_EQ(f.dst_mac[0] & f.dst_mac[5], 0xff, "arp");

	rc = pf_flow_parse_buf(fr[FF_GARBAGE].data, fr[FF_GARBAGE].len, &f);
	CHECK_EQ(rc, PF_FLOW_MALFORMED, "garbage");
	CHECK_EQ(f.flags, PF_FLOW_F_L2, "garbage");
}

/* Malformed headers and header-count limits. */
static void test_edges(void)
{
	struct ff_frame x;
	struct pf_flow f;
	static const uint16_t tp3[3] = { 0x88a8, 0x8100, 0x8100 }, vid3[3] = { 1, 2, 3 };
	struct ff_tuple t;
	uint32_t off;
	int rc, i;

	/* ihl < 5 */
	x = fr[FF_V4_TCP];
	x.data[14] = 0x44;
	rc = pf_flow_parse_buf(x.data, x.len, &f);
	CHECK_EQ(rc, PF_FLOW_MALFORMED, "ihl 4");
	CHECK_EQ(f.flags, PF_FLOW_F_L2, "ihl 4");
	/* IPv6 ethertype with an IPv4 header */
	x = fr[FF_V4_TCP];
	x.data[12] = 0x86; x.data[13] = 0xdd;
	rc = pf_flow_parse_buf(x.data, x.len + 20, &f);
	CHECK_EQ(rc, PF_FLOW_MALFORMED, "v4 in v6 ethertype");
	/* ihl=15 pointing past the frame: ports truncated */
	x = fr[FF_V4_TCP];
	x.data[14] = 0x4f;
	rc = pf_flow_parse_buf(x.data, x.len, &f);
	CHECK_EQ(rc, PF_FLOW_TRUNCATED, "ihl 15");
	CHECK_EQ(f.flags, PF_FLOW_F_L2 | PF_FLOW_F_L3, "ihl 15");

	/* A third tag is not parsed: the frame counts as non-IP. */
	memset(&x, 0, sizeof x);
	ff_v4(&t, 1, 2, 6, 3, 4);
	off = ff_eth(x.data, ff_mac_b, ff_mac_a, 3, tp3, vid3, 0x0800);
	off += ff_ipv4(x.data + off, &t, 0, 5, 8);
	x.len = off + ff_l4(x.data + off, &t);
	rc = pf_flow_parse_buf(x.data, x.len, &f);
	CHECK_EQ(rc, PF_FLOW_NOT_IP, "3 tags");
	CHECK_EQ(f.vlan_count, 2, "3 tags");
	CHECK_EQ(f.vlan_id, 1, "3 tags");
	CHECK_EQ(f.eth_type, 0x8100, "3 tags");

	/* More IPv6 extension headers than the bound: no ports, proto = next ext. */
	memset(&x, 0, sizeof x);
	ff_v6(&t, 1, 2, 6, 3, 4);
	off = ff_eth(x.data, ff_mac_b, ff_mac_a, 0, NULL, NULL, 0x86dd);
	off += ff_ipv6(x.data + off, &t, 60, 8 * (PF_FLOW_IPV6_MAX_EXT + 1) + 8);
	for (i = 0; i < PF_FLOW_IPV6_MAX_EXT + 1; i++) {
		x.data[off] = i == PF_FLOW_IPV6_MAX_EXT ? 6 : 60;
		off += 8;
	}
	x.len = off + ff_l4(x.data + off, &t);
	rc = pf_flow_parse_buf(x.data, x.len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "ext bound");
	CHECK_EQ(f.l4_proto, 60, "ext bound");
	CHECK_EQ(f.flags & PF_FLOW_F_PORTS, 0, "ext bound");
	/* Exactly the bound: ports found. */
	x.data[14 + 40 + 8 * (PF_FLOW_IPV6_MAX_EXT - 1)] = 6;
	x.len -= 8; /* the L4 stub now starts 8 bytes earlier; content is fine */
	memcpy(x.data + x.len - 8, x.data + x.len, 8);
	rc = pf_flow_parse_buf(x.data, x.len, &f);
	CHECK_EQ(rc, PF_FLOW_OK, "ext at bound");
	CHECK_EQ(f.l4_proto, 6, "ext at bound");
	CHECK_EQ(f.src_port, 3, "ext at bound");
	CHECK_EQ(f.dst_port, 4, "ext at bound");

	/* NULL-free zero-length buffer */
	rc = pf_flow_parse_buf(fr[FF_V4_TCP].data, 0, &f);
	CHECK_EQ(rc, PF_FLOW_TRUNCATED, "len 0");
	CHECK_EQ(f.flags, 0, "len 0");
}

static void test_symmetry_golden(void)
{
	int t;

	for (t = 0; t < NTYPES; t++) {
		CHECK_EQ(H(FF_V4_TCP, hash_types[t]), H(FF_V4_TCP_REV, hash_types[t]), "reverse");
		CHECK_EQ(H(FF_ARP, hash_types[t]) == H(FF_ARP_REPLY, hash_types[t]), 0,
			 "arp request/reply have different MAC pairs");
		/* Fragments of one datagram stay together. */
		CHECK_EQ(H(FF_V4_FRAG_FIRST, hash_types[t]), H(FF_V4_FRAG_LATER, hash_types[t]), "v4 frag");
		CHECK_EQ(H(FF_V6_FRAG_FIRST, hash_types[t]), H(FF_V6_FRAG_LATER, hash_types[t]), "v6 frag");
		/* IPv4 options and DF do not matter. */
		CHECK_EQ(H(FF_V4_OPTS, hash_types[t]), H(FF_V4_TCP, hash_types[t]), "opts");
	}
	/* Only per_flow sees the VLAN. */
	CHECK(H(FF_VLAN_TCP, cluster_per_flow) != H(FF_V4_TCP, cluster_per_flow));
	CHECK(H(FF_QINQ_UDP, cluster_per_flow) != H(FF_V4_UDP, cluster_per_flow));
	for (t = 1; t < NTYPES; t++) {
		CHECK_EQ(H(FF_VLAN_TCP, hash_types[t]), H(FF_V4_TCP, hash_types[t]), "vlan");
		CHECK_EQ(H(FF_QINQ_UDP, hash_types[t]), H(FF_V4_UDP, hash_types[t]), "qinq");
	}
	/* tcp_5_tuple: 5-tuple for TCP, 2-tuple for the rest. */
	CHECK_EQ(H(FF_V4_TCP, cluster_per_flow_tcp_5_tuple), H(FF_V4_TCP, cluster_per_flow_5_tuple), "tcp5 tcp");
	CHECK_EQ(H(FF_V6_TCP_EXT, cluster_per_flow_tcp_5_tuple), H(FF_V6_TCP_EXT, cluster_per_flow_5_tuple), "tcp5 tcp6");
	CHECK_EQ(H(FF_V4_UDP, cluster_per_flow_tcp_5_tuple), H(FF_V4_UDP, cluster_per_flow_2_tuple), "tcp5 udp");
	CHECK_EQ(H(FF_V6_UDP, cluster_per_flow_tcp_5_tuple), H(FF_V6_UDP, cluster_per_flow_2_tuple), "tcp5 udp6");
	CHECK_EQ(H(FF_V4_SCTP, cluster_per_flow_tcp_5_tuple), H(FF_V4_SCTP, cluster_per_flow_2_tuple), "tcp5 sctp");
	CHECK(H(FF_V4_UDP, cluster_per_flow_5_tuple) != H(FF_V4_UDP, cluster_per_flow_2_tuple));
	/* 4-tuple ignores the protocol, 5-tuple does not. */
	CHECK(H(FF_V4_TCP, cluster_per_flow_4_tuple) != H(FF_V4_TCP, cluster_per_flow_5_tuple));
	/* Non-IP: every type hashes the MAC pair + ethertype. */
	CHECK_EQ(H(FF_ARP, cluster_per_flow), H(FF_ARP, cluster_per_flow_2_tuple), "arp");
	CHECK_EQ(H(FF_ARP, cluster_per_flow_4_tuple), H(FF_ARP, cluster_per_flow_5_tuple), "arp");
}

/* Reverse a frame built by ff_build: swap MACs, addresses and ports. */
static void reverse_tuple(struct ff_tuple *t)
{
	uint8_t a[16];
	uint16_t p;

	memcpy(a, t->src, 16);
	memcpy(t->src, t->dst, 16);
	memcpy(t->dst, a, 16);
	p = t->sport;
	t->sport = t->dport;
	t->dport = p;
}

static void test_symmetry_random(void)
{
	uint8_t a[FF_MAX], b[FF_MAX], m[6];
	uint32_t seed = 0x12345678, la, lb, i;
	struct ff_tuple t;
	struct pf_flow fa, fb;
	int k, bad = 0;

	for (i = 0; i < 2000; i++) {
		la = ff_random_frame(a, &seed, &t);
		/* Same tags, reversed endpoints, reversed MACs. */
		memcpy(b, a, la);
		reverse_tuple(&t);
		lb = la;
		{
			uint32_t l3 = la - 8 - (t.v6 ? 40 : 20);

			if (t.v6) {
				memcpy(b + l3 + 8, t.src, 16);
				memcpy(b + l3 + 24, t.dst, 16);
			} else {
				memcpy(b + l3 + 12, t.src, 4);
				memcpy(b + l3 + 16, t.dst, 4);
			}
			ff_l4(b + la - 8, &t);
		}
		memcpy(m, b, 6);
		memcpy(b, b + 6, 6);
		memcpy(b + 6, m, 6);
		CHECK_EQ(pf_flow_parse_buf(a, la, &fa), PF_FLOW_OK, "random");
		CHECK_EQ(pf_flow_parse_buf(b, lb, &fb), PF_FLOW_OK, "random rev");
		CHECK_EQ(fa.src_port, fb.dst_port, "random rev ports");
		for (k = 0; k < NTYPES; k++)
			if (pf_flow_hash(&fa, hash_types[k]) != pf_flow_hash(&fb, hash_types[k]))
				bad++;
	}
	CHECK_EQ(bad, 0, "random symmetry");
	/* Non-IP symmetric too. */
	memcpy(b, fr[FF_ARP_REPLY].data, fr[FF_ARP_REPLY].len);
	memcpy(b, ff_mac_b, 6);
	memcpy(b + 6, ff_mac_a, 6);
	CHECK_EQ(H(FF_ARP_REPLY, cluster_per_flow),
		 pf_flow_hash_packet(b, fr[FF_ARP_REPLY].len, cluster_per_flow), "arp reversed");
}

/* Truncated at every length: exact result class and hash for each prefix. */
static void test_truncation(void)
{
	struct pf_flow full, f, l2only;
	uint32_t len, need_l4, h_empty;
	char ctx[64];
	int i, k, rc;

	memset(&f, 0, sizeof f);
	h_empty = pf_flow_hash(&f, cluster_per_flow);
	for (i = 0; i < FF_COUNT; i++) {
		int full_rc = pf_flow_parse_buf(fr[i].data, fr[i].len, &full);

		l2only = full;
		memset(l2only.src_ip, 0, sizeof l2only.src_ip);
		memset(l2only.dst_ip, 0, sizeof l2only.dst_ip);
		l2only.flags = PF_FLOW_F_L2;
		/* First length at which the parse is complete. */
		need_l4 = (full.flags & PF_FLOW_F_PORTS) ? full.l4_offset + 4u :
			  (full.flags & PF_FLOW_F_FRAGMENT) && full.ip_version == 6 ? full.l4_offset :
			  full.l3_offset + (full.ip_version == 6 ? 40u : 20u);
		for (len = 0; len <= fr[i].len; len++) {
			snprintf(ctx, sizeof ctx, "%s len %u", fr[i].name, len);
			rc = pf_flow_parse_buf(fr[i].data, len, &f);
			if (len < 14) {
				CHECK_EQ(rc, PF_FLOW_TRUNCATED, ctx);
				CHECK_EQ(f.flags, 0, ctx);
				for (k = 0; k < NTYPES; k++)
					CHECK_EQ(pf_flow_hash(&f, hash_types[k]), h_empty, ctx);
				continue;
			}
			CHECK(f.flags & PF_FLOW_F_L2);
			if (full.ip_version != 0 && len < full.l3_offset + (full.ip_version == 4 ? 20u : 40u)) {
				/* Before the IP header is complete: the L2 hash. */
				CHECK_EQ(rc, PF_FLOW_TRUNCATED, ctx);
				CHECK_EQ(f.flags, PF_FLOW_F_L2, ctx);
				if (len >= full.l3_offset)
					for (k = 0; k < NTYPES; k++)
						CHECK_EQ(pf_flow_hash(&f, hash_types[k]),
							 pf_flow_hash(&l2only, hash_types[k]), ctx);
			} else if (full.ip_version != 0 && len < need_l4) {
				/* Addresses but no ports yet: the 2-tuple hash is unchanged. */
				CHECK_EQ(rc, PF_FLOW_TRUNCATED, ctx);
				CHECK(f.flags & PF_FLOW_F_L3);
				CHECK_EQ(f.flags & PF_FLOW_F_PORTS, 0, ctx);
				CHECK_EQ(pf_flow_hash(&f, cluster_per_flow_2_tuple),
					 pf_flow_hash(&full, cluster_per_flow_2_tuple), ctx);
			} else if (full.ip_version != 0) {
				CHECK_EQ(rc, full_rc, ctx);
				for (k = 0; k < NTYPES; k++)
					CHECK_EQ(pf_flow_hash(&f, hash_types[k]),
						 pf_flow_hash(&full, hash_types[k]), ctx);
			} else {
				/* Non-IP or malformed: the hash never looks past L2. */
				if (full_rc == PF_FLOW_MALFORMED && len < full.l3_offset + 20u)
					CHECK_EQ(rc, PF_FLOW_TRUNCATED, ctx);
				else
					CHECK_EQ(rc, full_rc, ctx);
				for (k = 0; k < NTYPES; k++)
					CHECK_EQ(pf_flow_hash(&f, hash_types[k]),
						 pf_flow_hash(&full, hash_types[k]), ctx);
			}
			/* Deterministic. */
			CHECK_EQ(pf_flow_hash_packet(fr[i].data, len, cluster_per_flow),
				 pf_flow_hash(&f, cluster_per_flow), ctx);
		}
	}
}

/* Outer tag stripped into metadata must give the same answer as inline. */
static void test_hwvlan(void)
{
	static const int idx[] = { FF_VLAN_TCP, FF_QINQ_UDP };
	uint8_t s[FF_MAX];
	struct pf_flow a, b;
	uint32_t seed = 99, len, i;
	int n, k, rc;

	for (n = 0; n < 2 + 300; n++) {
		uint8_t buf[FF_MAX];
		const uint8_t *src;
		uint16_t tci;

		if (n < 2) {
			src = fr[idx[n]].data;
			len = fr[idx[n]].len;
		} else {
			len = ff_random_frame(buf, &seed, NULL);
			src = buf;
			if (buf[12] != 0x81 && buf[12] != 0x88)
				continue;
		}
		tci = (uint16_t)((src[14] << 8) | src[15]);
		memcpy(s, src, 12);
		memcpy(s + 12, src + 16, len - 16);
		rc = pf_flow_parse_buf_vlan(s, len - 4, tci | 0xe000 /* PCP bits ignored */, 1, &b);
		CHECK_EQ(rc, pf_flow_parse_buf(src, len, &a), "hwvlan rc");
		CHECK_EQ(a.vlan_id, b.vlan_id, "hwvlan id");
		CHECK_EQ(a.vlan_count, b.vlan_count, "hwvlan count");
		CHECK_EQ(b.flags, a.flags | PF_FLOW_F_HWVLAN, "hwvlan flags");
		for (k = 0; k < NTYPES; k++)
			CHECK_EQ(pf_flow_hash(&a, hash_types[k]), pf_flow_hash(&b, hash_types[k]), "hwvlan hash");
		/* Truncations agree too, with the shift of the removed tag. */
		for (i = 18; i < len; i++) { /* the kernel only strips whole tags */
			pf_flow_parse_buf(src, i, &a);
			pf_flow_parse_buf_vlan(s, i - 4, tci, 1, &b);
			CHECK_EQ(pf_flow_hash(&a, cluster_per_flow), pf_flow_hash(&b, cluster_per_flow), "hwvlan trunc");
		}
	}
	/* Untagged frame + out-of-band tag == frame with the tag inline. */
	rc = pf_flow_parse_buf_vlan(fr[FF_V4_TCP].data, fr[FF_V4_TCP].len, 100, 1, &b);
	CHECK_EQ(rc, PF_FLOW_OK, "hwvlan untagged");
	CHECK_EQ(pf_flow_hash(&b, cluster_per_flow), H(FF_VLAN_TCP, cluster_per_flow), "hwvlan = inline");
	/* vlan_present = 0 ignores the tci. */
	pf_flow_parse_buf_vlan(fr[FF_V4_TCP].data, fr[FF_V4_TCP].len, 100, 0, &b);
	CHECK_EQ(pf_flow_hash(&b, cluster_per_flow), H(FF_V4_TCP, cluster_per_flow), "no hwvlan");
}

static void spread(const char *what, uint32_t (*hash)(uint32_t i, void *arg), void *arg, uint32_t n)
{
	static const uint32_t members[] = { 2, 3, 4, 7 };
	uint32_t count[8], i, m, k, flows = 1000 * n;
	char ctx[96];

	for (k = 0; k < sizeof members / sizeof members[0]; k++) {
		m = members[k];
		memset(count, 0, sizeof count);
		for (i = 0; i < flows; i++)
			count[hash(i, arg) % m]++;
		for (i = 0; i < m; i++) {
			uint32_t exp = flows / m, var = flows / m * (m - 1) / m, sd = 1, dev;

			while (sd * sd < var)
				sd++;
			dev = count[i] > exp ? count[i] - exp : exp - count[i];
			/* 5 standard deviations: fails only for a broken mix. */
			snprintf(ctx, sizeof ctx, "%s: %u members, member %u got %u of %u", what, m, i,
				 count[i], flows);
			CHECK_EQ(dev <= 5 * sd, 1, ctx);
		}
	}
}

struct spread_arg {
	int type;
	int v6;
	int vary; /* 0 sport, 1 dport, 2 src addr low byte+word, 3 vlan */
};

static uint32_t spread_hash(uint32_t i, void *argp)
{
	struct spread_arg *a = argp;
	static const uint16_t q[1] = { 0x8100 };
	uint8_t p[FF_MAX];
	struct ff_tuple t;
	uint32_t len;

	if (a->v6)
		ff_v6(&t, 1, 2, 6, 10000, 443);
	else
		ff_v4(&t, 0x0a000001, 0x0a000002, 6, 10000, 443);
	if (a->vary == 0)
		t.sport = (uint16_t)(10000 + i);
	else if (a->vary == 1)
		t.dport = (uint16_t)(1024 + i);
	else if (a->vary == 2) {
		t.src[2] = (uint8_t)(i >> 8);
		t.src[3] = (uint8_t)i;
		if (a->v6) {
			t.src[14] = (uint8_t)(i >> 8);
			t.src[15] = (uint8_t)i;
		}
	}
	if (a->vary == 3) {
		uint16_t vid = (uint16_t)(i & 0xfff);
		uint32_t off = ff_eth(p, ff_mac_b, ff_mac_a, 1, q, &vid, 0x0800);

		off += ff_ipv4(p + off, &t, 0, 5, 8);
		len = off + ff_l4(p + off, &t);
	} else {
		len = ff_build(p, &t);
	}
	return pf_flow_hash_packet(p, len, a->type);
}

static uint32_t spread_mac(uint32_t i, void *argp)
{
	uint8_t p[60];

	(void)argp;
	memset(p, 0, sizeof p);
	memset(p, 0xff, 6);
	p[6] = 0x02;
	p[10] = (uint8_t)(i >> 8);
	p[11] = (uint8_t)i;
	p[12] = 0x08;
	p[13] = 0x06;
	return pf_flow_hash_packet(p, sizeof p, cluster_per_flow);
}

static void test_distribution(void)
{
	struct spread_arg a;
	int t;

	/* The brief's case: 3000 flows differing only in the port, 3 members. */
	for (t = 0; t < NTYPES; t++) {
		if (hash_types[t] == cluster_per_flow_2_tuple)
			continue;
		a.type = hash_types[t];
		a.v6 = 0;
		a.vary = 0;
		spread("v4 sport", spread_hash, &a, 3);
		a.vary = 1;
		spread("v4 dport", spread_hash, &a, 3);
		a.v6 = 1;
		a.vary = 0;
		spread("v6 sport", spread_hash, &a, 3);
	}
	for (t = 0; t < NTYPES; t++) {
		a.type = hash_types[t];
		a.v6 = 0;
		a.vary = 2;
		spread("v4 addr", spread_hash, &a, 3);
		a.v6 = 1;
		spread("v6 addr", spread_hash, &a, 3);
	}
	a.type = cluster_per_flow;
	a.v6 = 0;
	a.vary = 3;
	spread("vlan", spread_hash, &a, 3);
	spread("arp mac", spread_mac, NULL, 3);
}

int main(void)
{
	ff_golden(fr);
	test_fields();
	test_edges();
	test_pinned();
	test_pinned_new();
	test_inner();
	test_dup();
	test_symmetry_golden();
	test_symmetry_random();
	test_truncation();
	test_hwvlan();
	test_distribution();
	if (failures) {
		fprintf(stderr, "test_flow: %d of %d checks failed\n", failures, checks);
		return 1;
	}
	printf("test_flow: all %d checks passed\n", checks);
	return 0;
}
