/*
 * xdp_redirect.bpf.c - the XDP programs of the AF_XDP sockets: a frame
 * received on an RX queue with a socket in pf_xsks goes to that socket;
 * any other queue's frames continue to the kernel stack.
 *
 * pf_xdp_redirect (the zc:<interface> engine) only redirects.  The
 * pf_xdp_hash_* programs (the balancer's AF_XDP input) first compute the
 * shared cluster hash (common/pf_flow.h, as the fanout programs and the
 * kernel module do) and store it as 4 bytes of XDP metadata right before
 * the frame.  AF_XDP copies metadata in copy mode too, so it lands in the
 * ZC buffer header's last field (hash) without user-space work.  A driver
 * without metadata makes bpf_xdp_adjust_meta fail: the program then sets
 * pf_meta_failed and user space computes the hash itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The shared parser reads the frame through the helper: variable offsets
 * (IPv4 options, IPv6 extension headers) without direct-access bounds
 * proofs.  XDP frames still hold their VLAN tags. */
#define PF_FLOW_CTX_TYPE struct xdp_md *
#define PF_FLOW_LOAD(ctx, off, dst, len) bpf_xdp_load_bytes((ctx), (off), (dst), (len))
#include "pf_flow.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} pf_xsks SEC(".maps");

/* Global data: libbpf maps it, so user space reads it without a syscall. */
__u32 pf_meta_failed;

SEC("xdp")
int pf_xdp_redirect(struct xdp_md *ctx)
{
	/* The low bits of flags are the action when the queue has no socket. */
	return bpf_redirect_map(&pf_xsks, ctx->rx_queue_index, XDP_PASS);
}

static inline __attribute__((always_inline)) int
redirect_hashed(struct xdp_md *ctx, int type)
{
	__u32 h, *meta;
	void *data;

	h = pf_flow_hash_ctx(ctx, type);
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(__u32)) == 0) {
		data = (void *)(long)ctx->data;
		meta = (void *)(long)ctx->data_meta;
		if ((void *)(meta + 1) <= data)
			*meta = h;
	} else if (!pf_meta_failed) {
		pf_meta_failed = 1;
	}
	return bpf_redirect_map(&pf_xsks, ctx->rx_queue_index, XDP_PASS);
}

#define PF_XDP_HASH_PROG(name, type) \
	SEC("xdp") int name(struct xdp_md *ctx) \
	{ \
		return redirect_hashed(ctx, (type)); \
	}

PF_XDP_HASH_PROG(pf_xdp_hash_per_flow, PF_FLOW_PER_FLOW)
PF_XDP_HASH_PROG(pf_xdp_hash_2_tuple, PF_FLOW_2_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_4_tuple, PF_FLOW_4_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_5_tuple, PF_FLOW_5_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_tcp_5_tuple, PF_FLOW_TCP_5_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_inner_flow, PF_FLOW_INNER_FLOW)
PF_XDP_HASH_PROG(pf_xdp_hash_inner_2_tuple, PF_FLOW_INNER_2_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_inner_4_tuple, PF_FLOW_INNER_4_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_inner_5_tuple, PF_FLOW_INNER_5_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_inner_tcp_5_tuple, PF_FLOW_INNER_TCP_5_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_ip_5_tuple, PF_FLOW_IP_5_TUPLE)
PF_XDP_HASH_PROG(pf_xdp_hash_inner_ip_5_tuple, PF_FLOW_INNER_IP_5_TUPLE)
/* ip_with_dup_tuple: the balancer hashes both endpoints itself (XM_DUP). */

char LICENSE[] SEC("license") = "GPL";
