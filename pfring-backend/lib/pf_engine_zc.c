/*
 * pf_engine_zc.c - the zc engine: a ring reading one queue of a ZC cluster
 * ("zc:<cluster id>@<queue>") through the pfring_zc.h IPC API.
 *
 * The queue's wake-up FIFO is the selectable fd, so poll/select loops wake
 * when the balancer queues packets.  Filters are not run here: setting one
 * fails, which makes the libpcap module run it in user space.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf_ring.h"
#include "pfring_zc.h"

#define ZC_BURST 256

struct zc_engine {
	pfring_zc_queue *q;
	uint32_t cluster_id;
	uint32_t queue_id;
};

static struct zc_engine *
zc_of(pfring *ring)
{
	return ring->engine;
}

static int
zc_open(pfring *ring, const struct pf_open_params *params)
{
	struct zc_engine *ze;
	char err[PF_ERRBUF_SIZE];
	unsigned long id;
	char *end;

	(void)params;
	errno = 0;
	id = strtoul(ring->devs.devices[0], &end, 10);
	if (errno != 0 || *end != '\0' || id == 0 || id > 65535 || ring->devs.queue < 0)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "zc:%s: expected zc:<cluster id 1..65535>@<queue>",
				     ring->devs.devices[0]);
	ze = calloc(1, sizeof(*ze));
	if (ze == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "out of memory");
	ze->cluster_id = (uint32_t)id;
	ze->queue_id = (uint32_t)ring->devs.queue;
	ze->q = pfring_zc_ipc_attach_queue(ze->cluster_id, ze->queue_id, err, sizeof(err));
	if (ze->q == NULL) {
		free(ze);
		return pf_ring_error(ring, PF_RING_ERROR_UNKNOWN_ADAPTER, "zc:%lu@%d: %s",
				     id, ring->devs.queue, err);
	}
	ring->engine = ze;
	return 0;
}

static void
zc_close(pfring *ring)
{
	struct zc_engine *ze = zc_of(ring);

	if (ze == NULL)
		return;
	pfring_zc_ipc_detach_queue(ze->q);
	free(ze);
	ring->engine = NULL;
}

static int
zc_enable(pfring *ring)
{
	(void)ring;
	return 0;
}

static void
fill_hdr(pfring *ring, pfring_zc_pkt_buff *b, struct pfring_pkthdr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->ts.tv_sec = (time_t)b->ts_sec;
	hdr->ts.tv_usec = (ring->params.flags & PF_RING_NANO_TIMESTAMP) ?
		(suseconds_t)b->ts_nsec : (suseconds_t)(b->ts_nsec / 1000);
	hdr->caplen = b->len < ring->params.caplen ? b->len : ring->params.caplen;
	hdr->len = b->wire_len;
	hdr->extended_hdr.timestamp_ns = (uint64_t)b->ts_sec * 1000000000ull + b->ts_nsec;
	hdr->extended_hdr.rx_direction = 1;
	hdr->extended_hdr.pkt_hash = b->hash;
}

/* The previous packet's slot is released by this call (pfring_recv's
 * "valid until the next recv"). */
static int
zc_next(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	struct zc_engine *ze = zc_of(ring);
	pfring_zc_pkt_buff *b;
	int rc;

	rc = pfring_zc_recv_pkt(ze->q, &b, 0);
	if (rc <= 0)
		return rc;
	fill_hdr(ring, b, hdr);
	*pkt = pfring_zc_pkt_data(b);
	return 1;
}

static int
zc_burst(pfring *ring, int max, pf_burst_cb cb, u_char *user)
{
	struct zc_engine *ze = zc_of(ring);
	const int nano = (ring->params.flags & PF_RING_NANO_TIMESTAMP) != 0;
	pfring_zc_pkt_buff *bufs[ZC_BURST];
	struct pf_pcap_hdr h;
	int n = 0, got, i, want;

	while (max <= 0 || n < max) {
		want = ZC_BURST;
		if (max > 0 && want > max - n)
			want = max - n;
		got = pfring_zc_recv_pkt_burst(ze->q, bufs, want, 0);
		if (got < 0)
			return pf_ring_error(ring, got, "zc:%u@%u: receive failed",
					     ze->cluster_id, ze->queue_id);
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			pfring_zc_pkt_buff *b = bufs[i];

			h.ts.tv_sec = (time_t)b->ts_sec;
			h.ts.tv_usec = nano ? (suseconds_t)b->ts_nsec :
				(suseconds_t)(b->ts_nsec / 1000);
			h.caplen = b->len < ring->params.caplen ? b->len : ring->params.caplen;
			h.len = b->wire_len;
			cb(user, &h, pfring_zc_pkt_data(b));
			if (ring->break_loop) {
				i++;
				break;
			}
		}
		/* The callback is done with them: give the slots back now, so a
		 * consumer killed while idle holds nothing.  After a break the
		 * undelivered rest stays queued for the next read. */
		pfring_zc_recv_release(ze->q, (uint32_t)i);
		n += i;
		if (ring->break_loop)
			break;
	}
	return n;
}

static int
zc_send(pfring *ring, const u_char *pkt, u_int len)
{
	struct zc_engine *ze = zc_of(ring);

	(void)pkt;
	(void)len;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u is a receive queue: sending is not supported",
			     ze->cluster_id, ze->queue_id);
}

static int
zc_stats(pfring *ring, pfring_stat *stats)
{
	struct zc_engine *ze = zc_of(ring);
	pfring_zc_stat st;

	if (pfring_zc_queue_stats(ze->q, &st) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "zc queue statistics failed");
	memset(stats, 0, sizeof(*stats));
	stats->recv = st.recv;
	stats->drop = st.drop;
	return 0;
}

static int
zc_set_cluster(pfring *ring, u_int id, cluster_type type)
{
	struct zc_engine *ze = zc_of(ring);

	(void)id;
	(void)type;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u is already one queue of a ZC cluster: "
			     "kernel clusters (PFRING_CLUSTER) do not apply",
			     ze->cluster_id, ze->queue_id);
}

static int
zc_remove_from_cluster(pfring *ring)
{
	(void)ring;
	return 0;
}

static int
zc_set_bpf(pfring *ring, const struct sock_fprog *prog)
{
	struct zc_engine *ze = zc_of(ring);

	if (prog == NULL)
		return 0;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u: filters run in the application (libpcap filters in user space)",
			     ze->cluster_id, ze->queue_id);
}

static int
zc_set_direction(pfring *ring, packet_direction direction)
{
	struct zc_engine *ze = zc_of(ring);

	if (direction == rx_and_tx_direction || direction == rx_only_direction)
		return 0;
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "zc:%u@%u carries received packets only", ze->cluster_id,
			     ze->queue_id);
}

static int
zc_selectable_fd(pfring *ring)
{
	return pfring_zc_queue_fd(zc_of(ring)->q);
}

const struct pf_engine_ops pf_engine_zc = {
	.name = "zc",
	.open = zc_open,
	.close = zc_close,
	.enable = zc_enable,
	.next = zc_next,
	.burst = zc_burst,
	.send = zc_send,
	.stats = zc_stats,
	.set_cluster = zc_set_cluster,
	.remove_from_cluster = zc_remove_from_cluster,
	.set_bpf = zc_set_bpf,
	.set_direction = zc_set_direction,
	.selectable_fd = zc_selectable_fd,
};
