/*
 * pfring-pcap.h - what pfring-pcap's libpcap offers beyond libpcap's API.
 *
 * Programs may also look the functions up at run time (dlsym), so one
 * binary works with both this libpcap and the system's.
 */
#ifndef PFRING_PCAP_H
#define PFRING_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct pcap_pfring_stat {
	uint64_t recv;    /* packets the ring received (passed filters and rules) */
	uint64_t drop;    /* lost because the ring was full */
	uint64_t shunt;
	char engine[16];  /* "packet", "kmod", "zc", "xdp" */
};

/*
 * The ring's own counters for a pfring: or zc: handle.  size is
 * sizeof(struct pcap_pfring_stat) as the caller was built with, so the
 * struct can grow.  Returns 0, or PCAP_ERROR if p is not such a handle.
 */
PCAP_API int pcap_pfring_stats(pcap_t *p, struct pcap_pfring_stat *st, size_t size);

#endif /* PFRING_PCAP_H */
