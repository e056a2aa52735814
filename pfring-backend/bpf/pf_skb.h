/*
 * pf_skb.h - packet access for the shared parser (common/pf_flow.h) from
 * socket-filter-type eBPF programs.
 *
 * Fanout programs run before the packet socket pushes the MAC header back on
 * RX, so offsets are taken relative to the MAC header, which is right for RX
 * and TX and for socket filters alike.
 */
#ifndef PF_SKB_H
#define PF_SKB_H

#define PF_FLOW_CTX_TYPE struct __sk_buff *
#define PF_FLOW_LOAD(ctx, off, dst, len) \
	bpf_skb_load_bytes_relative((ctx), (off), (dst), (len), BPF_HDR_START_MAC)
#define PF_FLOW_HWVLAN(ctx, tci_ptr) pf_skb_hwvlan((ctx), (tci_ptr))

/* RX untags the outer VLAN into skb metadata; hand it back to the parser. */
static inline __attribute__((always_inline)) int
pf_skb_hwvlan(struct __sk_buff *skb, __u16 *tci)
{
	if (!skb->vlan_present)
		return 0;
	*tci = (__u16)skb->vlan_tci;
	return 1;
}

#endif /* PF_SKB_H */
