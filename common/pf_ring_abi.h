/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * pf_ring_abi.h - the interface between the pf_ring kernel module and user
 * space: socket family, socket options, the mmap'ed ring layout, version.
 *
 * Included by the module (kernel/) and by libpfring's kmod engine and the
 * tests, so it uses only <linux/types.h> types.  Any change to a struct or a
 * number below must bump PF_RING_ABI_VERSION: the library refuses a module
 * with another ABI version, naming both.
 */
#ifndef PF_RING_ABI_H
#define PF_RING_ABI_H

#include <linux/types.h>

/*
 * Filtering rules cross the interface as the shared structs of pf_rules.h.
 * The module includes pf_flow.h with its packet access hooks before this
 * file; user space gets the buffer flavour here.
 */
#ifndef PF_FLOW_H
#include "pf_flow.h"
#endif
#include "pf_rules.h"
#include "pfring_limits.h"

/* Overridable only so the QEMU suite can build a mismatching module. */
#ifndef PF_RING_ABI_VERSION
#define PF_RING_ABI_VERSION	3
#endif
#define PF_RING_MODULE_VERSION	"0.1.0"

/* Socket family (and protocol level); 27 is unused by mainline sockets. */
#define PF_RING_FAMILY		27
#define SOL_PF_RING		PF_RING_FAMILY

#define PF_RING_IFNAMSIZ	16
#define PF_RING_APPNAME_MAX	64
#define PF_RING_MAX_SAMPLING	1000000
#define PF_RING_MAX_CAPLEN	65535
#define PF_RING_MAX_SLOTS	(1u << 20)
/* Ring memory (header page + slots) at most this many bytes. */
#define PF_RING_MAX_RING_BYTES	(512u << 20)
#define PF_RING_MAX_BPF_INSNS	4096

/* bind(): an interface name, or "any" for every interface. */
struct sockaddr_pfring {
	__u16 family;			/* PF_RING_FAMILY */
	char ifname[PF_RING_IFNAMSIZ];	/* NUL-terminated */
};

/* setsockopt(fd, SOL_PF_RING, ...) */
#define PFR_SO_RING		1	/* struct pfr_ring_req; once, before mmap */
#define PFR_SO_ENABLE		2	/* no value: start filling the ring */
#define PFR_SO_DISABLE		3	/* no value: stop filling it */
#define PFR_SO_DIRECTION	4	/* __u32: enum pfr_direction */
#define PFR_SO_WATERMARK	5	/* __u32: 1..num_slots packets wake poll() */
#define PFR_SO_SAMPLING		6	/* __u32: 1 of N, 1..PF_RING_MAX_SAMPLING */
#define PFR_SO_APPNAME		7	/* printable text, 1..PF_RING_APPNAME_MAX-1 bytes */
#define PFR_SO_CLUSTER		8	/* struct pfr_cluster_req */
#define PFR_SO_LEAVE_CLUSTER	9	/* no value */
#define PFR_SO_ATTACH_BPF	10	/* struct sock_fprog (classic BPF) */
#define PFR_SO_DETACH_BPF	11	/* no value */
/*
 * Filtering rules (ABI 2), evaluated per ring before the BPF filter and
 * sampling: hash rules first, then the wildcard rules in table order, then
 * the default policy (see pf_rules.h).
 */
#define PFR_SO_SET_RULES	12	/* struct pf_rule[0..PF_RULES_MAX], ids rising;
					 * counters of ids kept carry over */
#define PFR_SO_RULES_POLICY	13	/* __u32: PFR_POLICY_* */
#define PFR_SO_ADD_HASH_RULE	14	/* struct pfr_hash_rule_req (counters ignored);
					 * replaces a rule of the same key */
#define PFR_SO_DEL_HASH_RULE	15	/* struct pf_hash_key */
#define PFR_SO_PURGE_HASH_RULES	16	/* __u32: remove rules idle that many seconds */

/* getsockopt(fd, SOL_PF_RING, ...) */
#define PFR_SO_VERSION		20	/* struct pfr_version */
#define PFR_SO_RING_INFO	21	/* struct pfr_ring_info (after PFR_SO_RING) */
#define PFR_SO_STATS		22	/* struct pfr_stats */
#define PFR_SO_RULES_INFO	23	/* struct pfr_rules_info */
#define PFR_SO_RULE_STATS	24	/* struct pfr_rule_stat[n_rules], table order */
#define PFR_SO_HASH_RULE_STATS	25	/* struct pfr_hash_rule_req: key in, rule out */

#define PFR_POLICY_ACCEPT	0
#define PFR_POLICY_DROP		1

enum pfr_direction {
	PFR_DIR_RX_AND_TX = 0,
	PFR_DIR_RX_ONLY = 1,
	PFR_DIR_TX_ONLY = 2,
};

/* The values of cluster_type in pfring.h and PF_FLOW_* in pf_flow.h (ABI 3: 14 types). */
#define PFR_CLUSTER_TYPE_MAX	13

struct pfr_ring_req {
	__u32 num_slots;	/* raised to the module's min_num_slots */
	__u32 caplen;		/* bytes kept per packet, 1..PF_RING_MAX_CAPLEN */
};

struct pfr_cluster_req {
	__u32 cluster_id;	/* 1..PF_RING_MAX_CLUSTER_ID */
	__u32 cluster_type;	/* 0..PFR_CLUSTER_TYPE_MAX */
};

struct pfr_version {
	__u32 abi_version;	/* PF_RING_ABI_VERSION of the module */
	__u32 pad;
	char version[32];	/* PF_RING_MODULE_VERSION of the module */
};

struct pfr_ring_info {
	__u32 num_slots;
	__u32 slot_size;	/* bytes from one slot to the next */
	__u32 caplen;
	__u32 data_offset;	/* first slot, from the start of the mapping */
	__u64 mmap_bytes;	/* map exactly this many bytes at offset 0 */
};

struct pfr_stats {
	__u64 received;		/* inserted into the ring */
	__u64 dropped;		/* lost: the ring was full */
};

struct pfr_hash_rule_req {
	struct pf_hash_key key;		/* pad 0, vlan_id 0..4095 */
	struct pf_hash_rule rule;	/* id, action, flags (PF_RULE_F_BIDIR); pad 0 */
};

struct pfr_rules_info {
	__u32 n_rules;
	__u32 n_hash_rules;
	__u32 policy;		/* PFR_POLICY_* */
	__u32 last_purged;	/* hash rules the last PFR_SO_PURGE_HASH_RULES removed */
};

struct pfr_rule_stat {
	__u16 id;
	__u16 pad0;
	__u32 pad1;
	__u64 packets;		/* matched, bytes on the wire */
	__u64 bytes;
};

/*
 * The first page of the mapping.  Indexes only grow; slot i lives at
 * data_offset + (i % num_slots) * slot_size.  The kernel publishes
 * insert_idx after writing a slot (release); user space publishes remove_idx
 * after it is done with a slot (release).  The ring is full when
 * insert_idx - remove_idx == num_slots.
 */
struct pfr_ring_header {
	__u32 abi_version;
	__u32 num_slots;
	__u32 slot_size;
	__u32 caplen;
	__u32 data_offset;
	__u32 pad0;
	__u64 insert_idx;	/* written by the kernel only */
	__u64 received;		/* written by the kernel only */
	__u64 dropped;		/* written by the kernel only */
	__u64 pad1[3];		/* keep remove_idx on its own cache line */
	__u64 remove_idx;	/* written by user space only */
};

/* pfr_slot_header.flags */
#define PFR_SLOT_TX		0x01	/* sent by this host */
#define PFR_SLOT_VLAN		0x02	/* vlan_tci is valid (tag was offloaded) */

struct pfr_slot_header {
	__u64 timestamp_ns;	/* CLOCK_REALTIME */
	__u32 caplen;		/* bytes of frame stored after this header */
	__u32 len;		/* bytes on the wire */
	__s32 ifindex;
	__u32 hash;		/* shared flow hash (per-flow type) */
	__u16 vlan_tci;
	__u8 flags;		/* PFR_SLOT_* */
	__u8 pad0;
	__u32 pad1;
};

#endif /* PF_RING_ABI_H */
