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
#include <linux/mm.h>

/* 6.19 passes bind() a struct sockaddr_unsized. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
typedef struct sockaddr_unsized pfr_bind_addr_t;
#else
typedef struct sockaddr pfr_bind_addr_t;
#endif

/* 6.3 made vm_flags read-only outside of its setters. */
static inline void pfr_vm_flags_set(struct vm_area_struct *vma,
				    unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * dev->reg_state is a bit-field in 6.1 up to at least 6.1.176 (Debian 12's
 * kernel at its 12.x point releases) and a u8 in 6.1.192 and 6.12: READ_ONCE
 * cannot take a bit-field, and the stable series changed it within 6.1, so no
 * version test can tell.  A plain read of the byte works on both.
 */
#define pfr_netdev_reg_state(dev) ((dev)->reg_state)

#endif /* PF_RING_COMPAT_H */
