/*
 * zc_internal.h - layout of a ZC cluster's shared memory and the
 * process-local handles over it.
 *
 * File: <dir>/pfring_zc.<id>, dir a hugetlbfs mount or /dev/shm.
 *   [zc_shm_hdr][queue 0]...[queue n-1][buffer 0]...[buffer m-1]
 * Buffers 0 .. n*qlen-1 start in the queue slots, the rest form the pool.
 * Locks (open file description locks on the file, released by the kernel
 * when the holder dies): byte 0 = the creator, byte 1+q = queue q's consumer.
 * Wake-ups: a FIFO per queue, /dev/shm/pfring_zc.<id>.<q>.wake.
 */
#ifndef ZC_INTERNAL_H
#define ZC_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "pfring_zc.h"
#include "zc_spsc.h"

#define ZC_MAGIC   0x474e495246505a43ull  /* "CZPFRING" little-endian */
#define ZC_VERSION 1
#define ZC_SHM_DIR "/dev/shm"

struct zc_shm_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t cluster_id;
	uint32_t n_queues;
	uint32_t queue_len;
	uint32_t buf_len;
	uint32_t buf_stride;
	uint32_t n_buffers;
	uint32_t hugepages;
	uint64_t size;
	uint64_t queue_off;
	uint64_t queue_stride;
	uint64_t buf_off;
	int32_t creator_pid;
	uint32_t ready;          /* set last: attachers see a complete header */
};

struct pfring_zc_queue {
	uint8_t *base;           /* mapping of the whole cluster */
	struct zc_shm_hdr *hdr;
	struct zc_spsc *q;
	uint32_t id;
	int wake_fd;             /* the FIFO, O_RDWR so it never reports hang-up */
	int consumer;            /* 1: attached by pfring_zc_ipc_attach_queue */
	/* producer */
	uint32_t tail_cache;
	int unsynced;            /* queued since the last wake check */
	/* consumer */
	uint32_t held;           /* slots handed out by the last receive */
	int armed;
	uint64_t recv;
	uint64_t drop_base;
	int shm_fd;
	size_t map_len;
};

struct pfring_zc_cluster {
	uint32_t id;
	int shm_fd;
	uint8_t *base;
	size_t size;
	struct zc_shm_hdr *hdr;
	char path[256];
	char info[384];
	struct pfring_zc_queue *queues;
	pthread_mutex_t pool_lock;
	uint32_t *free_stack;
	uint32_t n_free;
};

static inline pfring_zc_pkt_buff *
zc_buf(uint8_t *base, const struct zc_shm_hdr *h, uint32_t idx)
{
	return (pfring_zc_pkt_buff *)(base + h->buf_off + (uint64_t)idx * h->buf_stride);
}

static inline uint32_t
zc_buf_idx(uint8_t *base, const struct zc_shm_hdr *h, const pfring_zc_pkt_buff *b)
{
	return (uint32_t)(((const uint8_t *)b - (base + h->buf_off)) / h->buf_stride);
}

static inline struct zc_spsc *
zc_queue_at(uint8_t *base, const struct zc_shm_hdr *h, uint32_t qid)
{
	return (struct zc_spsc *)(base + h->queue_off + (uint64_t)qid * h->queue_stride);
}

#endif /* ZC_INTERNAL_H */
