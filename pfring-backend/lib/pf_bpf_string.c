/*
 * pf_bpf_string.c - pfring_set_bpf_filter(): a tcpdump-syntax filter,
 * compiled by libpcap.  Kept apart so that programs linking libpfring
 * statically need libpcap only when they use it.
 */
#include <string.h>

#include "pf_ring.h"

/*
 * libpcap's declarations, written out so libpfring builds before libpcap;
 * this part of libpcap's ABI (pcap_compile_nopcap, struct bpf_program) has
 * not changed since it appeared, and struct bpf_insn is laid out exactly as
 * struct sock_filter.
 */
struct bpf_program {
	unsigned int bf_len;
	struct sock_filter *bf_insns;
};
extern int pcap_compile_nopcap(int, int, struct bpf_program *, const char *, int, unsigned int);
extern void pcap_freecode(struct bpf_program *);

#define DLT_EN10MB 1

int
pfring_set_bpf_filter(pfring *ring, char *filter_buffer)
{
	struct bpf_program prog;
	struct sock_fprog fprog;
	int rc;

	if (ring == NULL || filter_buffer == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	memset(&prog, 0, sizeof(prog));
	if (pcap_compile_nopcap((int)ring->params.caplen, DLT_EN10MB, &prog,
				filter_buffer, 1, 0) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "cannot compile filter '%s'", filter_buffer);
	fprog.len = (unsigned short)prog.bf_len;
	fprog.filter = prog.bf_insns;
	rc = pfring_set_bpf_program(ring, &fprog);
	pcap_freecode(&prog);
	return rc;
}
