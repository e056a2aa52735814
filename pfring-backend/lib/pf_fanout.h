/*
 * pf_fanout.h - load the eBPF program that spreads a PACKET_FANOUT_EBPF group
 * by cluster type (the hash of common/pf_flow.h).
 */
#ifndef PF_FANOUT_H
#define PF_FANOUT_H

#include <stddef.h>

#include "pfring.h"

/*
 * Load the fanout program for a hash cluster type.  Returns a new program fd
 * (close-on-exec, owned by the caller) or -1 with the reason in err and errno
 * set (EPERM: not allowed to load BPF).  Use it after joining the group as
 * PACKET_FANOUT_EBPF:
 *   setsockopt(sock, SOL_PACKET, PACKET_FANOUT_DATA, &progfd, sizeof progfd)
 * It is one program per group, so setting it on one member is enough; the fd
 * may be closed once attached.  cluster_round_robin is not a hash type (use
 * PACKET_FANOUT_LB) and fails here.  Not thread-safe against other users of
 * libbpf_set_print() while it runs.
 */
int pf_fanout_prog_load(cluster_type type, char *err, size_t errlen);

/* ELF program name for a type, or NULL (exposed for tests and messages). */
const char *pf_fanout_prog_name(cluster_type type);

#endif /* PF_FANOUT_H */
