/*
 * pf_engine_xdp.h - the AF_XDP engine ("zc:<interface>[@<queue>]") beyond its
 * ops table: opening it over memory it does not own, and its socket.  The ZC
 * balancer's AF_XDP input is this engine over the cluster's buffer memory.
 */
#ifndef PF_ENGINE_XDP_H
#define PF_ENGINE_XDP_H

#include <stddef.h>
#include <stdint.h>

#include "pfring.h"
#include "pf_xsk.h"

/*
 * Open dev ("IF@Q", or "IF": one socket per RX queue) with each socket's
 * UMEM and ring sizes given by cfg (every socket registers the same memory):
 * no TX ring, empty fill rings and no program until the caller attaches one.
 */
pfring *pf_xdp_open_ext(const char *dev, const struct pf_xsk_config *cfg, uint32_t flags,
			char *err, size_t errlen);
/* Socket i of an AF_XDP engine ring (one per RX queue it reads), NULL past
 * the last one and for any other engine. */
struct pf_xsk *pf_xdp_xsk(pfring *ring, uint32_t i);
/* The kernel's counters of every socket of an AF_XDP ring, summed. */
int pf_xdp_xsk_stats(pfring *ring, struct xdp_statistics *sum);

#endif /* PF_ENGINE_XDP_H */
