/*
 * pcap-pfring.h - the pfring-pcap capture module: "pfring:" devices (and
 * plain interface names in PF_RING compatibility mode) served by libpfring.
 */
#ifndef PCAP_PFRING_H
#define PCAP_PFRING_H

#include <stddef.h>

#include "pfring.h"

#define PCAP_PFRING_VERSION_STRING "pfring-pcap " PFRING_VERSION_STRING

pcap_t *pcap_pfring_create(const char *, char *, int *);
int pcap_pfring_findalldevs(pcap_if_list_t *, char *);
/* In pcap.c (libpcap/patches/0002): the device list's head. */
pcap_if_t **pcap_pfring_devlist_head(pcap_if_list_t *);

/* What pcap_lookupnet() should do with a device name. */
#define PCAP_PFRING_LOOKUP_NOT_OURS	0	/* an ordinary device */
#define PCAP_PFRING_LOOKUP_INTERFACE	1	/* ask about the interface written to ifname */
#define PCAP_PFRING_LOOKUP_NO_ADDRESS	2	/* ours, with no single interface behind it */
int pcap_pfring_lookupnet_device(const char *, char *, size_t);

#endif /* PCAP_PFRING_H */
