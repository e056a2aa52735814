/*
 * fanout.bpf.c - PACKET_FANOUT_EBPF programs, one per hash cluster type.
 *
 * The kernel sends a packet to member (return value % members), so each
 * program just returns pf_flow_hash() of the packet: the same number user
 * space and the kernel module compute from common/pf_flow.h.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/*
 * Fanout runs before the packet socket pushes the MAC header back on RX, so
 * offsets are taken relative to the MAC header, which is right for RX and TX.
 */
#define PF_FLOW_CTX_TYPE struct __sk_buff *
#define PF_FLOW_LOAD(ctx, off, dst, len) \
	bpf_skb_load_bytes_relative((ctx), (off), (dst), (len), BPF_HDR_START_MAC)
#define PF_FLOW_HWVLAN(ctx, tci_ptr) pf_fanout_hwvlan((ctx), (tci_ptr))

/* RX untags the outer VLAN into skb metadata; hand it back to the parser. */
static inline __attribute__((always_inline)) int
pf_fanout_hwvlan(struct __sk_buff *skb, __u16 *tci)
{
	if (!skb->vlan_present)
		return 0;
	*tci = (__u16)skb->vlan_tci;
	return 1;
}

#include "pf_flow.h"

#define PF_FANOUT_PROG(name, type) \
	SEC("socket") int name(struct __sk_buff *skb) \
	{ \
		return (int)pf_flow_hash_ctx(skb, (type)); \
	}

PF_FANOUT_PROG(pf_fanout_per_flow, PF_FLOW_PER_FLOW)
PF_FANOUT_PROG(pf_fanout_2_tuple, PF_FLOW_2_TUPLE)
PF_FANOUT_PROG(pf_fanout_4_tuple, PF_FLOW_4_TUPLE)
PF_FANOUT_PROG(pf_fanout_5_tuple, PF_FLOW_5_TUPLE)
PF_FANOUT_PROG(pf_fanout_tcp_5_tuple, PF_FLOW_TCP_5_TUPLE)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
