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
 * Open dev ("IF" or "IF@Q") with the socket's UMEM and ring sizes given by
 * cfg: no TX ring, an empty fill ring and no program until the caller
 * attaches one.
 */
pfring *pf_xdp_open_ext(const char *dev, const struct pf_xsk_config *cfg, uint32_t flags,
			char *err, size_t errlen);
/* The socket of an AF_XDP engine ring, NULL for any other engine. */
struct pf_xsk *pf_xdp_xsk(pfring *ring);

#endif /* PF_ENGINE_XDP_H */
