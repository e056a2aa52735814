/*
 * pf_registry.h - the ring registry's writer side (pf_registry.c).
 */
#ifndef PF_REGISTRY_H
#define PF_REGISTRY_H

#include <stdint.h>

#include "pfring.h"
#include "pfring_registry.h"

/* The registry directory (PFRING_REGISTRY_DIR in the environment wins). */
const char *pf_registry_dir(void);
/* An entry for ring, opened as device; nothing when not root or unsafe. */
void pf_registry_add(pfring *ring, const char *device);
/* The ring's cluster changed. */
void pf_registry_cluster(pfring *ring);
/* Counters from the engine, at most once a second unless force. */
void pf_registry_update(pfring *ring, int force);
/* Remove the ring's entry. */
void pf_registry_remove(pfring *ring);

#endif /* PF_REGISTRY_H */
