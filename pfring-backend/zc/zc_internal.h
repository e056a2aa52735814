/*
 * zc_internal.h - layout of a ZC cluster's shared memory and the
 * process-local handles over it.
 *
 * File: <base>/pfring_zc-<uid>/pfring_zc.<id>, base a hugetlbfs mount or
 * /dev/shm, uid the creator's: a folder only its owner can write (the bases
 * are world-writable), so nobody can plant a cluster in another user's name.
 * A consumer opens a file whose owner is the folder's and is itself, or
 * that was shared with one of its groups (0660); anything else is refused.
 * Whoever can write the file may still change any byte while it is in use:
 * see zc_spsc.h for what each side reads back and how it is checked.
 *   [zc_shm_hdr][queue 0]...[queue n-1][pad to 4096][chunk 0]...[chunk m-1]
 * Chunks 0 .. n*qlen-1 start in the queue slots, the rest form the pool.
 * The chunk region is an AF_XDP UMEM as it stands: page aligned, a
 * multiple of 4096 long, chunks of buf_stride (a power of two >= 2048)
 * bytes.  Buffer i's header (pfring_zc_pkt_buff) is at chunk i +
 * ZC_BUF_HDR_OFF, so its frame starts at chunk i + 256 (XDP_PACKET_HEADROOM).
 * Locks (open file description locks on the file, released by the kernel
 * when the holder dies): byte 0 = the creator, byte 1+q = queue q's consumer.
 * Wake-ups: a FIFO per queue, /dev/shm/pfring_zc-<uid>/pfring_zc.<id>.<q>.wake.
 */
#ifndef ZC_INTERNAL_H
#define ZC_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "pfring_zc.h"
#include "zc_spsc.h"

#define ZC_MAGIC   0x474e495246505a43ull  /* "CZPFRING" little-endian */
#define ZC_VERSION 2       /* 2: pcap-layout headers, UMEM chunks, consumer format */
#define ZC_SHM_DIR "/dev/shm"
#define ZC_DIR_STEM "pfring_zc-"   /* + the owner's uid: a folder per user */
#define ZC_CHUNK_MIN   2048
#define ZC_DATA_OFF    256                /* frame offset in its chunk */
#define ZC_BUF_HDR_OFF (ZC_DATA_OFF - 32) /* header offset in its chunk */
#define ZC_REGION_ALIGN 4096

_Static_assert(sizeof(pfring_zc_pkt_buff) == 32, "ZC buffer header is 32 bytes");
_Static_assert(ZC_BUF_HDR_OFF + sizeof(pfring_zc_pkt_buff) == ZC_DATA_OFF,
	       "frame data starts ZC_DATA_OFF into the chunk");
#if __SIZEOF_LONG__ == 8
/* The consumer hands the header to pcap callbacks as a struct pcap_pkthdr. */
struct zc_pcap_layout {
	struct timeval ts;
	uint32_t caplen;
	uint32_t len;
};
_Static_assert(offsetof(pfring_zc_pkt_buff, ts_sec) == offsetof(struct zc_pcap_layout, ts.tv_sec) &&
	       offsetof(pfring_zc_pkt_buff, ts_frac) == offsetof(struct zc_pcap_layout, ts.tv_usec) &&
	       offsetof(pfring_zc_pkt_buff, caplen) == offsetof(struct zc_pcap_layout, caplen) &&
	       offsetof(pfring_zc_pkt_buff, len) == offsetof(struct zc_pcap_layout, len) &&
	       sizeof(struct zc_pcap_layout) == 24,
	       "ZC buffer header starts laid out as struct pcap_pkthdr");
#define ZC_HDR_IS_PCAP 1
#else
#define ZC_HDR_IS_PCAP 0
#endif

struct zc_shm_hdr {
	uint64_t magic;
	uint32_t version;        /* at this offset in every version */
	uint32_t cluster_id;
	uint32_t n_queues;
	uint32_t queue_len;
	uint32_t buf_len;        /* largest frame a buffer holds: buf_stride - ZC_DATA_OFF */
	uint32_t buf_stride;     /* chunk size, a power of two >= ZC_CHUNK_MIN */
	uint32_t n_buffers;
	uint32_t hugepages;
	uint64_t size;
	uint64_t queue_off;
	uint64_t queue_stride;
	uint64_t buf_off;        /* the chunk region (UMEM), a multiple of 4096 */
	int32_t creator_pid;
	uint32_t ready;          /* set last: attachers see a complete header */
	uint32_t buf_shift;      /* log2(buf_stride) */
	uint32_t pad0;
	uint64_t buf_region_len; /* n_buffers * buf_stride rounded up to 4096 */
};

struct pfring_zc_queue {
	uint8_t *base;           /* mapping of the whole cluster */
	const struct zc_shm_hdr *hdr;  /* private, checked copy of the header */
	struct zc_shm_hdr geo;   /* (hdr points here) */
	struct zc_spsc *q;
	uint8_t *buf0;           /* buffer 0's header: base + buf_off + ZC_BUF_HDR_OFF */
	uint32_t buf_shift;      /* log2(buf_stride) */
	uint32_t buf_len;
	size_t buf_stride;
	uint32_t id;
	int wake_fd;             /* the FIFO, O_RDWR so it never reports hang-up */
	int consumer;            /* 1: attached by pfring_zc_ipc_attach_queue */
	/* producer */
	struct zc_prod prod;
	int unsynced;            /* queued since the last wake check */
	/* consumer */
	struct zc_cons cons;
	uint32_t held;           /* slots handed out by the last receive */
	int armed;               /* 1: wake-up armed; 2: and found empty since;
				  * 3: armed at wake_mark, timer running;
				  * 4: not armed, packets queued and a byte in
				  * the FIFO keeps the fd readable */
	int fmt_pending;         /* queued packets may be in an older format */
	uint32_t conv_to;        /* slots before this one are in our format */
	uint32_t fmt_gen;        /* the generation we asked for */
	uint32_t wake_mark;      /* sleep until this many are queued (1: any) */
	int batch_ms;            /* wake_mark > 1: ... or this long */
	int timer_fd;            /* wake_mark > 1: a timerfd bounding the sleep */
	int sel_fd;              /* what to poll: wake_fd, or an epoll fd over it and timer_fd */
	uint32_t snaplen;        /* the format we asked for */
	uint32_t buf_flags;
	uint64_t recv;
	uint64_t drop_base;
	int shm_fd;
	size_t map_len;
	/* whose cluster, and is its balancer alive */
	uint32_t cluster_id;
	uid_t owner;
	int64_t next_check_ms;   /* CLOCK_MONOTONIC_COARSE */
	int64_t dead_since;      /* the balancer was found gone then (0: alive) */
	int gone;                /* balancer gone, no new one: error says so */
	uint32_t reattached;     /* times a new balancer was found */
	char error[320];
};

struct pfring_zc_cluster {
	uint32_t id;
	int shm_fd;
	int dir_fd;              /* the owner's folder the files are in */
	uint8_t *base;
	size_t size;
	struct zc_shm_hdr *shm_hdr;    /* the shared header, written at creation only */
	const struct zc_shm_hdr *hdr;  /* private copy: geometry is read from here */
	struct zc_shm_hdr geo;
	char path[256];
	char info[512];
	struct pfring_zc_queue *queues;
	uint32_t *owned;         /* every queue's zc_prod.owned, one array */
	pthread_mutex_t pool_lock;
	uint32_t *free_stack;
	uint32_t n_free;
};

/* Buffer idx's header (idx < h->n_buffers: the caller checked). */
static inline pfring_zc_pkt_buff *
zc_buf(uint8_t *base, const struct zc_shm_hdr *h, uint32_t idx)
{
	return (pfring_zc_pkt_buff *)(base + h->buf_off + ((uint64_t)idx << h->buf_shift) +
				      ZC_BUF_HDR_OFF);
}

/* The index of the buffer whose header (or any byte of whose chunk) is at b. */
static inline uint32_t
zc_buf_idx(uint8_t *base, const struct zc_shm_hdr *h, const pfring_zc_pkt_buff *b)
{
	return (uint32_t)(((const uint8_t *)b - (base + h->buf_off)) >> h->buf_shift);
}

/* The same through a queue handle's cached base and shift. */
static inline pfring_zc_pkt_buff *
zc_qbuf(const struct pfring_zc_queue *zq, uint32_t idx)
{
	return (pfring_zc_pkt_buff *)(zq->buf0 + ((size_t)idx << zq->buf_shift));
}

static inline struct zc_spsc *
zc_queue_at(uint8_t *base, const struct zc_shm_hdr *h, uint32_t qid)
{
	return (struct zc_spsc *)(base + h->queue_off + (uint64_t)qid * h->queue_stride);
}

/*
 * Write a header in the consumer's format (snaplen, flags from
 * zc_prod_format()): ts_nsec in nanoseconds, caplen the bytes the
 * producer has (or will copy); returns the clamped caplen to copy.
 */
static inline uint32_t
zc_buf_set_hdr(pfring_zc_pkt_buff *b, uint32_t buf_len, uint32_t snaplen, uint32_t flags,
	       int64_t ts_sec, uint32_t ts_nsec, uint32_t caplen, uint32_t len, uint32_t hash)
{
	if (caplen > buf_len)
		caplen = buf_len;
	if (snaplen != 0 && caplen > snaplen)
		caplen = snaplen;
	b->ts_sec = ts_sec;
	b->ts_frac = (flags & PFRING_ZC_BUF_NSEC) ? (int64_t)ts_nsec : (int64_t)(ts_nsec / 1000);
	b->caplen = caplen;
	b->len = len;
	b->flags = flags;
	b->hash = hash;
	return caplen;
}

/* Convert a header in any format to (snaplen, flags) in place. */
static inline void
zc_buf_convert(pfring_zc_pkt_buff *b, uint32_t buf_len, uint32_t snaplen, uint32_t flags)
{
	if ((b->flags ^ flags) & PFRING_ZC_BUF_NSEC)
		b->ts_frac = (flags & PFRING_ZC_BUF_NSEC) ? b->ts_frac * 1000 : b->ts_frac / 1000;
	b->flags = flags;
	if (b->caplen > buf_len)
		b->caplen = buf_len;
	if (snaplen != 0 && b->caplen > snaplen)
		b->caplen = snaplen;
}

/* Consumer: before reading, the number of packets waiting (<= the ring's
 * length), with older-format ones converted; 0 = none, and the wake-up is
 * armed (or packets arrived meanwhile: call again).  Releases what the
 * last receive held.  Used by pfring_zc_recv_pkt_burst() and the zc engine. */
uint32_t zc_cons_begin(struct pfring_zc_queue *zq);

/*
 * Consumer: batch wake-ups.  An empty queue sleeps until its first packet;
 * woken by it, the next receive returns nothing and sleeps on until mark
 * packets are queued or timeout_ms (> 0) have passed, whichever comes
 * first (an idle fd never polls readable); from the
 * first such call on, the queue's fd (pfring_zc_queue_fd()) is an epoll fd
 * over the wake-up FIFO and a timer, and stays so until detach.  mark <= 1
 * or timeout_ms <= 0: wake at the first packet (the default).  mark is
 * clamped to half the queue.  0, or -1 with the reason in err.
 */
int zc_cons_set_batch(struct pfring_zc_queue *zq, uint32_t mark, int timeout_ms,
		      char *err, size_t errlen);

#endif /* ZC_INTERNAL_H */
