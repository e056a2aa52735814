// SPDX-License-Identifier: GPL-2.0
/*
 * e1000e-xdp.bpf.c - the XDP programs the e1000e guest suite attaches with
 * ip link (e1000e-guest.sh): one per verdict the driver must carry out.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp/drop")
int xdp_drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp/pass")
int xdp_pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Sends each Ethernet frame back where it came from, MACs swapped. */
SEC("xdp/tx")
int xdp_reflect(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	unsigned char mac[ETH_ALEN];

	if (data + ETH_HLEN > end)
		return XDP_DROP;
	__builtin_memcpy(mac, data, ETH_ALEN);
	__builtin_memcpy(data, data + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(data + ETH_ALEN, mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
