/*
 * pf_engine_common.h - what the socket-based engines (packet, kmod) do alike.
 */
#ifndef PF_ENGINE_COMMON_H
#define PF_ENGINE_COMMON_H

#include <linux/filter.h>
#include <sys/types.h>

#include "pf_ring.h"

/*
 * The device can be captured: it exists, is Ethernet-framed (pcap reports
 * DLT_EN10MB for every packet), and has RX queue queue (-1: any).  Sets
 * *mtu.  0, or a PF_RING error code with the reason on the ring.
 */
int pf_engine_check_device(pfring *ring, const char *name, int queue, int *mtu);

/* An epoll fd watching n fds for input (a ring over several devices needs
 * one selectable fd); >= 0, or a PF_RING error code. */
int pf_engine_epoll(pfring *ring, const int *fds, int n);

/* What a send() on the ring's first device returned, as pfring_send()
 * returns it: bytes sent, PF_RING_ERROR_NO_TX_SLOT_AVAILABLE (try again) or
 * an error with the reason on the ring. */
int pf_engine_send_result(pfring *ring, ssize_t n);

/* Classic BPF that rejects packets not received on RX queue queue (-1:
 * none, returns 0); writes at most 4 instructions to f, returns how many. */
unsigned int pf_engine_queue_filter(struct sock_filter *f, int queue);

#endif /* PF_ENGINE_COMMON_H */
