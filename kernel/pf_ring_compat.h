/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pf_ring_compat.h - kernel API differences between the releases the module
 * is built for.  Debian 12's 6.1 is the reference; newer kernels are mapped
 * onto it here so pf_ring.c carries no version tests.
 */
#ifndef PF_RING_COMPAT_H
#define PF_RING_COMPAT_H

#include <linux/version.h>
#include <linux/socket.h>

/* 6.19 passes bind() a struct sockaddr_unsized. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
typedef struct sockaddr_unsized pfr_bind_addr_t;
#else
typedef struct sockaddr pfr_bind_addr_t;
#endif

#endif /* PF_RING_COMPAT_H */
