/*
 * fanout.bpf.c - PACKET_FANOUT_EBPF programs, one per hash cluster type.
 *
 * The kernel sends a packet to member (return value % members), so each
 * program just returns pf_flow_hash() of the packet: the same number user
 * space and the kernel module compute from common/pf_flow.h.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "pf_skb.h"
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
PF_FANOUT_PROG(pf_fanout_inner_flow, PF_FLOW_INNER_FLOW)
PF_FANOUT_PROG(pf_fanout_inner_2_tuple, PF_FLOW_INNER_2_TUPLE)
PF_FANOUT_PROG(pf_fanout_inner_4_tuple, PF_FLOW_INNER_4_TUPLE)
PF_FANOUT_PROG(pf_fanout_inner_5_tuple, PF_FLOW_INNER_5_TUPLE)
PF_FANOUT_PROG(pf_fanout_inner_tcp_5_tuple, PF_FLOW_INNER_TCP_5_TUPLE)
PF_FANOUT_PROG(pf_fanout_ip_5_tuple, PF_FLOW_IP_5_TUPLE)
PF_FANOUT_PROG(pf_fanout_inner_ip_5_tuple, PF_FLOW_INNER_IP_5_TUPLE)
/*
 * No program for PF_FLOW_IP_WITH_DUP_TUPLE: a fanout group hands a packet
 * to one socket, and that type sends it to two.
 */

char LICENSE[] SEC("license") = "Dual BSD/GPL";
