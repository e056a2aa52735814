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
};

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
