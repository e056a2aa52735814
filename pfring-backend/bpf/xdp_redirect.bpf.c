/*
 * xdp_redirect.bpf.c - the XDP program of the AF_XDP engine: a frame
 * received on an RX queue with a socket in pf_xsks goes to that socket;
 * any other queue's frames continue to the kernel stack.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} pf_xsks SEC(".maps");

SEC("xdp")
int pf_xdp_redirect(struct xdp_md *ctx)
{
	/* The low bits of flags are the action when the queue has no socket. */
	return bpf_redirect_map(&pf_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
