/*
 * pf_devname.h - the device-name grammar, owned here alone:
 *
 *	eth0 / eth0,eth1 / eth0@2	devices, one RX queue for all of them
 *	pfring:<devices>		the same, as a pcap device name
 *	pfring/<config file>:<devices>	configured by that file as well
 *	zc:<cluster id>@<queue>		a queue of a ZC cluster
 *	zc:<interface>[@<queue>]	an AF_XDP socket on one RX queue
 *
 * Engines take what was parsed from ring->devs and parse nothing.
 */
#ifndef PF_DEVNAME_H
#define PF_DEVNAME_H

#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "pfring.h"

/* The highest RX queue "<devices>@<queue>" names. */
#define PF_DEVNAME_QUEUE_MAX    4095
/* The highest queue "zc:<...>@<queue>" names (a cluster's or a NIC's). */
#define PF_DEVNAME_ZC_QUEUE_MAX 65535

_Static_assert(PFRING_DEVICE_NAME_SIZE == IF_NAMESIZE,
	       "pfring.h's device name size is the kernel's");

/* The devices a ring reads. */
struct pf_devspec {
	int n_devices;
	char devices[PFRING_MAX_DEVICES][IF_NAMESIZE];
	int queue;                     /* -1 = all RX queues */
	uint32_t cluster_id;           /* zc: the ZC cluster; 0: not a cluster queue */
};

/* A whole device name, parsed. */
struct pf_devname {
	pfring_name_kind kind;
	char config_path[PATH_MAX];    /* pfring_name_pfring_file: the file */
	struct pf_devspec devs;
};

/*
 * Parse a device name.  Returns 0, or -1 with a message naming the device
 * and the problem in err.  dn->kind is set as soon as the prefix is known,
 * so a malformed "zc:" or "pfring/" name still says whose it is.  Does not
 * check that the devices exist.
 */
int pf_devname_parse(const char *name, struct pf_devname *dn, char *err, size_t errlen);

/*
 * Parse the device list alone: "eth0[,eth1...][@queue]".  Returns 0, or -1
 * with a message naming the problem (not the whole name) in err.
 */
int pf_devspec_parse(const char *spec, struct pf_devspec *out,
		     char *err, size_t errlen);

#endif /* PF_DEVNAME_H */
