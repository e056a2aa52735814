/*
 * rules.bpf.c - the packet engine's socket filter when filtering rules are
 * set: direction and RX-queue checks, hash rules, wildcard rules in id
 * order, the default policy, per-rule counters.  Returns the bytes to keep
 * (the ring's caplen) or 0 to drop, so unwanted packets never reach the ring.
 *
 * The matching is common/pf_rules.h, shared with user space.
 */
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <bpf/bpf_helpers.h>

#include "pf_skb.h"
#include "pf_flow.h"
#include "pf_rules.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_rules_conf);
} pf_rules_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULES_MAX);
	__type(key, __u32);
	__type(value, struct pf_rule);
} pf_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULES_MAX);
	__type(key, __u32);
	__type(value, struct pf_rule_stats);
} pf_rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PF_HASH_RULES_MAX);
	__type(key, struct pf_hash_key);
	__type(value, struct pf_hash_rule);
} pf_hash_rules SEC(".maps");

/* The frame length user space sees: with an offloaded VLAN tag put back. */
static inline __attribute__((always_inline)) __u64
frame_len(struct __sk_buff *skb)
{
	return (__u64)skb->len + (skb->vlan_present ? 4 : 0);
}

/*
 * A global function is verified once, on its own, instead of once per
 * inlined copy: 32 inlined rule matches (with their payload scans) are more
 * than the verifier will walk.  Its pointer arguments may be NULL to it.
 */
__attribute__((noinline)) int
pf_rule_check(struct __sk_buff *skb, const struct pf_flow *f, const struct pf_rule *r,
	      __u32 flow_hash)
{
	if (!skb || !f || !r)
		return 0;
	return pf_rule_match(skb, f, r, flow_hash);
}

SEC("socket")
int pf_rules_filter(struct __sk_buff *skb)
{
	struct pf_rules_conf *conf;
	struct pf_hash_rule *h;
	struct pf_hash_key key;
	struct pf_flow f;
	__u32 zero = 0, i, flow_hash;
	int drop;

	conf = bpf_map_lookup_elem(&pf_rules_conf, &zero);
	if (!conf)
		return 0;
	if (conf->direction == 1 && skb->pkt_type == PACKET_OUTGOING)
		return 0;
	if (conf->direction == 2 && skb->pkt_type != PACKET_OUTGOING)
		return 0;
	/* RX queue q is recorded as q + 1; 0 (not recorded) counts as queue 0.
	 * A veth records nothing: it keeps its peer's TX queue q, its RX queue q. */
	if (conf->queue_plus1 != 0 &&
	    (conf->queue_from_tx ? skb->queue_mapping + 1 != conf->queue_plus1 :
	     skb->queue_mapping != conf->queue_plus1 &&
	     !(conf->queue_plus1 == 1 && skb->queue_mapping == 0)))
		return 0;

	drop = conf->default_drop;
	pf_flow_parse(skb, &f);
	if (conf->n_hash_rules != 0 && (f.flags & PF_FLOW_F_L3)) {
		pf_hash_key_of(&f, 0, &key);
		h = bpf_map_lookup_elem(&pf_hash_rules, &key);
		if (!h) {
			pf_hash_key_of(&f, 1, &key);
			h = bpf_map_lookup_elem(&pf_hash_rules, &key);
			if (h && !(h->flags & PF_RULE_F_BIDIR))
				h = 0;
		}
		if (h) {
			__sync_fetch_and_add(&h->packets, 1);
			__sync_fetch_and_add(&h->bytes, frame_len(skb));
			h->last_match_ns = bpf_ktime_get_ns();
			if (pf_rule_decide(h->action, &drop))
				goto out;
		}
	}
	flow_hash = pf_flow_hash(&f, PF_FLOW_PER_FLOW);
	PF_RULES_NO_UNROLL
	for (i = 0; i < PF_RULES_MAX; i++) {
		struct pf_rule_stats *st;
		struct pf_rule *r;
		__u32 slot = i;

		if (i >= conf->n_rules)
			break;
		r = bpf_map_lookup_elem(&pf_rules, &slot);
		if (!r)
			break;
		if (!pf_rule_check(skb, &f, r, flow_hash))
			continue;
		st = bpf_map_lookup_elem(&pf_rule_stats, &slot);
		if (st) {
			__sync_fetch_and_add(&st->packets, 1);
			__sync_fetch_and_add(&st->bytes, frame_len(skb));
		}
		if (pf_rule_decide(r->action, &drop))
			break;
	}
out:
	return drop ? 0 : (int)conf->caplen;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
