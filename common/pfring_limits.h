/* SPDX-License-Identifier: (GPL-2.0 OR BSD-3-Clause) */
/*
 * pfring_limits.h - limits the kernel module, libpfring and programs over the
 * installed API must agree on, written once: pf_ring_abi.h (the module's
 * interface) and pfring.h (installed next to this file) both include it.
 * Plain numbers only, so the kernel and user space compile it unchanged.  A
 * change is an ABI change (bump PF_RING_ABI_VERSION).
 */
#ifndef PFRING_LIMITS_H
#define PFRING_LIMITS_H

/* Cluster ids run 1..this: the module's clusters and ZC clusters alike. */
#define PF_RING_MAX_CLUSTER_ID	65535

#endif /* PFRING_LIMITS_H */
