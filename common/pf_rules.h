/*
 * pf_rules.h - filtering rules: their shared representation and matching.
 *
 * Included after pf_flow.h (same packet access hooks) by user space, the
 * eBPF rules program and the kernel module, so a packet gets the same
 * verdict wherever the rules run; tests/unit/test_rules_bpf.c compares the
 * eBPF verdicts with the user-space ones.
 *
 * Two rule kinds, evaluated in this order:
 *   hash rules      an exact <vlan, proto, ip, port, ip, port>, looked up in
 *                   a hash table (the includer does the lookup: the table is
 *                   a BPF map in eBPF and a plain table in user space);
 *   wildcard rules  any field may be "any"; kept sorted by id and tried in
 *                   that order.
 * A matching rule passes the packet and stops, drops it and stops, or only
 * counts it and lets evaluation continue.  With no deciding rule the
 * default policy (accept or drop) applies.
 */
#ifndef PF_RULES_H
#define PF_RULES_H

#ifndef PF_FLOW_H
#error "include pf_flow.h before pf_rules.h"
#endif

typedef __UINT64_TYPE__ pf_u64;

/* Loops the verifier must walk as loops: unrolled copies of the rule and
 * payload loops would each take their own stack and blow the 512 bytes. */
#if defined(__clang__)
#define PF_RULES_NO_UNROLL _Pragma("clang loop unroll(disable)")
#else
#define PF_RULES_NO_UNROLL
#endif

#define PF_RULES_MAX          32   /* wildcard rules per ring */
#define PF_HASH_RULES_MAX     4096 /* hash rules per ring */
#define PF_RULE_PATTERN_MAX   8    /* payload pattern bytes */
#define PF_RULE_PAYLOAD_SCAN  32   /* the pattern must start in the payload's first bytes */

/* What a matching rule does. */
#define PF_RULE_PASS      0 /* forward the packet, stop evaluating */
#define PF_RULE_DROP      1 /* do not forward it, stop evaluating */
#define PF_RULE_CONTINUE  2 /* count it, go on with the next rule */

#define PF_RULE_F_BIDIR   0x01 /* also match with source and destination swapped */

/* Every field of value 0 (all-zero for arrays, zero mask) matches anything. */
struct pf_rule {
	pf_u16 id;
	pf_u8 action;
	pf_u8 flags;
	pf_u8 ip_version;        /* 4 or 6 */
	pf_u8 proto;             /* IP protocol */
	pf_u16 vlan_id;
	pf_u8 src_mac[6];
	pf_u8 dst_mac[6];
	pf_u32 src_ip[4];        /* words as in struct pf_flow */
	pf_u32 src_mask[4];
	pf_u32 dst_ip[4];
	pf_u32 dst_mask[4];
	pf_u16 src_port_lo, src_port_hi;  /* hi == 0: any port */
	pf_u16 dst_port_lo, dst_port_hi;
	pf_u8 balance_id;        /* with balance_pool: flow hash % pool == id */
	pf_u8 balance_pool;
	pf_u8 pattern_len;
	pf_u8 pad;
	pf_u8 pattern[PF_RULE_PATTERN_MAX];
};

/* A hash rule's key: the packet's own direction (src first). */
struct pf_hash_key {
	pf_u32 src_ip[4];
	pf_u32 dst_ip[4];
	pf_u16 src_port;
	pf_u16 dst_port;
	pf_u16 vlan_id;
	pf_u8 proto;
	pf_u8 pad;
};

struct pf_hash_rule {
	pf_u16 id;
	pf_u8 action;
	pf_u8 flags;
	pf_u32 pad;
	pf_u64 packets;          /* matched */
	pf_u64 bytes;
	pf_u64 last_match_ns;    /* for purging idle rules */
};

struct pf_rule_stats {
	pf_u64 packets;
	pf_u64 bytes;
};

/* Ring-wide settings the rules program needs. */
struct pf_rules_conf {
	pf_u32 n_rules;          /* wildcard rules in slots 0..n_rules-1, by id */
	pf_u32 n_hash_rules;     /* 0: skip the hash lookup */
	pf_u32 caplen;           /* accepted packets are cut to this */
	pf_u8 default_drop;
	pf_u8 direction;         /* 0 both, 1 received only, 2 sent only */
	pf_u8 queue_from_tx;     /* queue_mapping is the sender's TX queue (veth) */
	pf_u8 pad;
	pf_u32 queue_plus1;      /* RX queue + 1, 0 = any queue */
};

PF_FLOW_INLINE int pf_rule_ip_match(const pf_u32 *ip, const pf_u32 *want, const pf_u32 *mask)
{
	pf_u32 diff = 0;
	int i;

	PF_FLOW_UNROLL
	for (i = 0; i < 4; i++)
		diff |= (ip[i] ^ want[i]) & mask[i];
	return diff == 0;
}

PF_FLOW_INLINE int pf_rule_mac_match(const pf_u8 *mac, const pf_u8 *want)
{
	pf_u8 any = 0, diff = 0;
	int i;

	PF_FLOW_UNROLL
	for (i = 0; i < 6; i++) {
		any |= want[i];
		diff |= mac[i] ^ want[i];
	}
	return any == 0 || diff == 0;
}

PF_FLOW_INLINE int pf_rule_port_match(pf_u16 port, pf_u16 lo, pf_u16 hi)
{
	return port >= lo && port <= hi;
}

/* Header fields only, one direction; swap: the rule's src against the packet's dst. */
PF_FLOW_INLINE int pf_rule_match_fields(const struct pf_rule *r, const struct pf_flow *f, int swap)
{
	const pf_u32 *sip = swap ? f->dst_ip : f->src_ip;
	const pf_u32 *dip = swap ? f->src_ip : f->dst_ip;
	pf_u16 sport = swap ? f->dst_port : f->src_port;
	pf_u16 dport = swap ? f->src_port : f->dst_port;

	if (!pf_rule_mac_match(swap ? f->dst_mac : f->src_mac, r->src_mac) ||
	    !pf_rule_mac_match(swap ? f->src_mac : f->dst_mac, r->dst_mac))
		return 0;
	if (r->vlan_id != 0 && f->vlan_id != r->vlan_id)
		return 0;
	if ((r->ip_version != 0 || r->proto != 0 || r->src_mask[0] | r->src_mask[1] |
	     r->src_mask[2] | r->src_mask[3] | r->dst_mask[0] | r->dst_mask[1] |
	     r->dst_mask[2] | r->dst_mask[3]) && !(f->flags & PF_FLOW_F_L3))
		return 0;
	if (r->ip_version != 0 && f->ip_version != r->ip_version)
		return 0;
	if (r->proto != 0 && f->l4_proto != r->proto)
		return 0;
	if (!pf_rule_ip_match(sip, r->src_ip, r->src_mask) ||
	    !pf_rule_ip_match(dip, r->dst_ip, r->dst_mask))
		return 0;
	if ((r->src_port_hi != 0 || r->dst_port_hi != 0) && !(f->flags & PF_FLOW_F_PORTS))
		return 0;
	if (r->src_port_hi != 0 && !pf_rule_port_match(sport, r->src_port_lo, r->src_port_hi))
		return 0;
	if (r->dst_port_hi != 0 && !pf_rule_port_match(dport, r->dst_port_lo, r->dst_port_hi))
		return 0;
	return 1;
}

/* Where the L4 payload starts, or 0 if it cannot be told. */
PF_FLOW_INLINE pf_u32 pf_rule_payload_offset(PF_FLOW_CTX_TYPE ctx, const struct pf_flow *f)
{
	pf_u8 doff;

	if (!(f->flags & PF_FLOW_F_L3) || (f->flags & PF_FLOW_F_FRAGMENT))
		return 0;
	if (f->l4_proto == PF_FLOW_IPPROTO_UDP)
		return (pf_u32)f->l4_offset + 8;
	if (f->l4_proto == PF_FLOW_IPPROTO_TCP) {
		if (PF_FLOW_LOAD(ctx, (pf_u32)f->l4_offset + 12, &doff, 1))
			return 0;
		return (pf_u32)f->l4_offset + ((pf_u32)(doff >> 4) << 2);
	}
	return f->l4_offset;
}

/*
 * The pattern starts within the payload's first PF_RULE_PAYLOAD_SCAN bytes.
 * The window is loaded in one piece of a fixed size (the largest that fits),
 * so every environment does constant-size loads.
 */
PF_FLOW_INLINE int pf_rule_match_payload(PF_FLOW_CTX_TYPE ctx, const struct pf_flow *f,
					 const struct pf_rule *r)
{
	pf_u8 win[PF_RULE_PAYLOAD_SCAN + PF_RULE_PATTERN_MAX];
	pf_u32 off, have, len = r->pattern_len, pos, i;
	pf_u8 diff;

	if (len == 0)
		return 1;
	if (len > PF_RULE_PATTERN_MAX)
		return 0;
	off = pf_rule_payload_offset(ctx, f);
	if (off == 0)
		return 0;
	if (PF_FLOW_LOAD(ctx, off, win, sizeof(win)) == 0)
		have = sizeof(win);
	else if (PF_FLOW_LOAD(ctx, off, win, 24) == 0)
		have = 24;
	else if (PF_FLOW_LOAD(ctx, off, win, 16) == 0)
		have = 16;
	else if (PF_FLOW_LOAD(ctx, off, win, 8) == 0)
		have = 8;
	else
		return 0;
	PF_RULES_NO_UNROLL
	for (pos = 0; pos < PF_RULE_PAYLOAD_SCAN; pos++) {
		if (pos + len > have)
			return 0;
		diff = 0;
		PF_RULES_NO_UNROLL
		for (i = 0; i < PF_RULE_PATTERN_MAX; i++) {
			if (i < len)
				diff |= win[pos + i] ^ r->pattern[i];
		}
		if (diff == 0)
			return 1;
	}
	return 0;
}

/*
 * flow_hash: pf_flow_hash(f, PF_FLOW_PER_FLOW), computed once per packet by
 * the caller (only rules with a balance pool use it).
 */
PF_FLOW_INLINE int pf_rule_match(PF_FLOW_CTX_TYPE ctx, const struct pf_flow *f,
				 const struct pf_rule *r, pf_u32 flow_hash)
{
	if (!pf_rule_match_fields(r, f, 0) &&
	    (!(r->flags & PF_RULE_F_BIDIR) || !pf_rule_match_fields(r, f, 1)))
		return 0;
	if (r->balance_pool != 0 && flow_hash % r->balance_pool != r->balance_id)
		return 0;
	return pf_rule_match_payload(ctx, f, r);
}

/* The key of the packet's own direction, and the reverse one. */
PF_FLOW_INLINE void pf_hash_key_of(const struct pf_flow *f, int reverse, struct pf_hash_key *k)
{
	int i;

	PF_FLOW_UNROLL
	for (i = 0; i < 4; i++) {
		k->src_ip[i] = reverse ? f->dst_ip[i] : f->src_ip[i];
		k->dst_ip[i] = reverse ? f->src_ip[i] : f->dst_ip[i];
	}
	k->src_port = reverse ? f->dst_port : f->src_port;
	k->dst_port = reverse ? f->src_port : f->dst_port;
	k->vlan_id = f->vlan_id;
	k->proto = f->l4_proto;
	k->pad = 0;
}

/*
 * One step of evaluation after a rule matched: updates *drop and says
 * whether evaluation stops here.
 */
PF_FLOW_INLINE int pf_rule_decide(pf_u8 action, int *drop)
{
	if (action == PF_RULE_CONTINUE)
		return 0;
	*drop = action == PF_RULE_DROP;
	return 1;
}

#endif /* PF_RULES_H */
