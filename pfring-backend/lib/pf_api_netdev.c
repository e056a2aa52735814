/*
 * pf_api_netdev.c - the device-facts part of the libpfring API: RX
 * channels, link speed, one ring per channel (pf_netdev.c asks the kernel).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pf_netdev.h"
#include "pf_ring.h"

int
pfring_get_device_facts(const char *ifname, pfring_device_facts *facts,
			char *errbuf, size_t errbuf_len)
{
	return pf_netdev_facts(ifname, facts, errbuf, errbuf_len);
}

/* The facts of the ring's first device; -1 for a ZC cluster queue, which
 * has no device. */
static int
ring_facts(pfring *ring, pfring_device_facts *facts)
{
	if (ring == NULL || ring->devs.n_devices < 1 || ring->devs.cluster_id != 0)
		return -1;
	return pf_netdev_facts(ring->devs.devices[0], facts, NULL, 0) < 0 ? -1 : 0;
}

/* PF_RING's meaning: 1 when not known. */
static unsigned int
rx_channels_or_1(const pfring_device_facts *facts)
{
	if (!facts->channels_known || facts->rx_channels == 0)
		return 1;
	return facts->rx_channels;
}

u_int8_t
pfring_get_num_rx_channels(pfring *ring)
{
	pfring_device_facts facts;
	unsigned int n;

	if (ring_facts(ring, &facts) < 0)
		return 1;
	n = rx_channels_or_1(&facts);
	return n > UINT8_MAX ? UINT8_MAX : (u_int8_t)n;
}

u_int32_t
pfring_get_interface_speed(pfring *ring)
{
	pfring_device_facts facts;

	if (ring_facts(ring, &facts) < 0)
		return 0;
	return facts.speed_mbps;
}

u_int8_t
pfring_open_multichannel(const char *device_name, u_int32_t caplen, u_int32_t flags,
			 pfring *ring[MAX_NUM_RX_CHANNELS])
{
	char err[PF_ERRBUF_SIZE], name[PATH_MAX + 64];
	struct pf_devname dn;
	pfring_device_facts facts;
	const char *colon;
	unsigned int n, i;
	int prefix;

	if (device_name == NULL || ring == NULL)
		return 0;
	if (pf_devname_parse(device_name, &dn, err, sizeof(err)) < 0) {
		fprintf(stderr, "pfring_open_multichannel: %s\n", err);
		return 0;
	}
	if (dn.devs.n_devices != 1 || dn.devs.cluster_id != 0) {
		fprintf(stderr, "pfring_open_multichannel: '%s' is not one network device\n",
			device_name);
		return 0;
	}
	if (pf_netdev_facts(dn.devs.devices[0], &facts, err, sizeof(err)) < 0) {
		fprintf(stderr, "pfring_open_multichannel: %s\n", err);
		return 0;
	}
	n = rx_channels_or_1(&facts);
	if (n > MAX_NUM_RX_CHANNELS)
		n = MAX_NUM_RX_CHANNELS;
	/* Keep the name's prefix ("pfring:", "zc:", "pfring/<file>:"): an
	 * interface name has no ':', so the prefix ends at the last one. */
	colon = strrchr(device_name, ':');
	prefix = colon != NULL ? (int)(colon + 1 - device_name) : 0;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%.*s%s@%u", prefix, device_name,
			 dn.devs.devices[0], i);
		ring[i] = pfring_open(name, caplen, flags);
		if (ring[i] == NULL)
			break;
	}
	return (u_int8_t)i;
}
