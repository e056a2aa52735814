/*
 * pfring_zc.h - ZC clusters: a shared-memory buffer pool and SPSC queues
 * that separate processes attach to by cluster id and queue id.
 *
 * A cluster is created by one process (the producer side, usually a
 * balancer such as zbalance).  It owns the memory: hugepages when a
 * hugetlbfs mount has room, plain shared memory (/dev/shm) otherwise, in a
 * folder of the creator's own (pfring_zc-<uid>).  Consumers attach to
 * clusters of their own user or shared with one of their groups.  Anyone
 * attached can write the memory: each side keeps a private copy of what it
 * relies on and refuses (and counts, pfring_zc_stat.bad) out-of-range values.
 * Every queue slot always holds one packet buffer, so sending is a swap of
 * buffer handles and nothing is ever lost when a consumer dies: the slots
 * stay where they are, and the next consumer that attaches continues at the
 * first packet the old one had not finished.
 *
 * Queues never block the producer.  A full queue refuses the packet and
 * counts it as a drop of that queue only; a dead or slow consumer costs only
 * its own packets.
 *
 * Consumers see packets in place: a buffer returned by a receive call stays
 * valid until the next receive call (or pfring_zc_recv_done()) on the same
 * queue, after which the slot goes back to the producer.
 *
 * Return conventions follow pfring.h: >= 0 success, negative
 * PF_RING_ERROR_* on failure.  Every call that can fail for a reason the
 * user must read takes an error buffer.
 */
#ifndef PFRING_ZC_H
#define PFRING_ZC_H

#include <stdint.h>
#include <sys/types.h>

#include "pfring.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PFRING_ZC_MAX_QUEUES      64
#define PFRING_ZC_DEFAULT_QLEN    4096
#define PFRING_ZC_DEFAULT_BUFLEN  1600  /* bytes of frame a buffer holds */

/*
 * A packet buffer: this 32-byte header, then up to buf_len bytes of frame.
 * The first 24 bytes are laid out as libpcap's struct pcap_pkthdr on LP64
 * (ts at 0, caplen at 16, len at 20), so a consumer can hand the header to
 * a pcap callback as it is.
 *
 * Queued buffers carry the format their queue's consumer asked for
 * (pfring_zc_queue_set_format()): ts_frac in nanoseconds when flags has
 * PFRING_ZC_BUF_NSEC, else in microseconds, and caplen clamped to the
 * consumer's snaplen.  A producer filling a buffer for pfring_zc_send_pkt()
 * may use either unit (saying which in flags): the send converts it.
 *
 * Memory: each buffer is a chunk of buf_stride bytes (a power of two >=
 * 2048); the header sits 224 bytes into its chunk, so the frame starts 256
 * bytes in, where AF_XDP places received frames in a UMEM with no headroom.
 */
#define PFRING_ZC_BUF_NSEC 0x1u  /* flags: ts_frac is in nanoseconds */

typedef struct pfring_zc_pkt_buff {
	int64_t  ts_sec;
	int64_t  ts_frac;  /* ns if flags & PFRING_ZC_BUF_NSEC, else us */
	uint32_t caplen;   /* bytes of frame stored */
	uint32_t len;      /* length on the wire (> caplen: truncated) */
	uint32_t flags;    /* PFRING_ZC_BUF_NSEC; other bits reserved (0) */
	uint32_t hash;     /* flow hash (common/pf_flow.h), when the sender knew it */
} pfring_zc_pkt_buff;

static inline u_char *
pfring_zc_pkt_data(pfring_zc_pkt_buff *b)
{
	return (u_char *)(b + 1);
}

typedef struct pfring_zc_cluster pfring_zc_cluster;
typedef struct pfring_zc_queue pfring_zc_queue;
typedef struct pfring_zc_worker pfring_zc_worker;

enum pfring_zc_hugepages {
	PFRING_ZC_HUGEPAGES_AUTO = 0, /* use them when there is room, else plain shm */
	PFRING_ZC_HUGEPAGES_NEVER,
	PFRING_ZC_HUGEPAGES_REQUIRE,  /* fail rather than fall back */
};

struct pfring_zc_cluster_opts {
	uint32_t queue_len;    /* slots per queue, rounded up to a power of 2; 0 = default */
	uint32_t buf_len;      /* frame bytes per buffer at least; 0 = default.  The chunk
				* (256 + buf_len) is rounded up to a power of two >= 2048,
				* so the default gives 1792 */
	uint32_t extra_bufs;   /* buffers for pfring_zc_get_packet_handle(); 0 = 64 */
	enum pfring_zc_hugepages hugepages;
	gid_t group;           /* (gid_t)-1: mode 0600; else this group may attach (0660) */
};

/* Create cluster id (1..PF_RING_MAX_CLUSTER_ID) with n_queues queues.  opts may be NULL. */
pfring_zc_cluster *pfring_zc_create_cluster(uint32_t id, uint32_t n_queues,
					    const struct pfring_zc_cluster_opts *opts,
					    char *err, size_t errlen);
/* Unlink the shared memory; consumers still attached keep their mapping. */
void pfring_zc_destroy_cluster(pfring_zc_cluster *c);
/* One line saying where the memory lives and why (hugepages or not). */
const char *pfring_zc_cluster_memory_info(pfring_zc_cluster *c);

/* A live cluster on this machine, as pfring_zc_list_clusters() sees it. */
typedef struct {
	uint32_t id;
	uint32_t n_queues;
	uint64_t busy;      /* bit q: queue q has a consumer now */
} pfring_zc_cluster_info;

/*
 * The live clusters (their creator still runs), by id, at most max; returns
 * how many.  Clusters this user cannot open are left out.
 */
size_t pfring_zc_list_clusters(pfring_zc_cluster_info *out, size_t max);
uint32_t pfring_zc_cluster_queues(pfring_zc_cluster *c);

/* The producer end of queue qid (owned by the cluster: do not detach). */
pfring_zc_queue *pfring_zc_cluster_queue(pfring_zc_cluster *c, uint32_t qid);

/* Buffer pool (producer process only). */
pfring_zc_pkt_buff *pfring_zc_get_packet_handle(pfring_zc_cluster *c);
void pfring_zc_release_packet_handle(pfring_zc_cluster *c, pfring_zc_pkt_buff *b);
uint32_t pfring_zc_free_handles(pfring_zc_cluster *c);

/*
 * Queue *pkt (a handle of this cluster).  1: queued, and *pkt is now an
 * empty buffer the caller owns; 0: the queue is full, *pkt is unchanged and
 * the queue's drop counter counts it.  flush != 0 wakes a sleeping consumer
 * (otherwise pfring_zc_sync_queue() does it, once per batch).  The header
 * is rewritten in the consumer's format (stamp unit, caplen clamped to its
 * snaplen and to the buffer length).
 */
int pfring_zc_send_pkt(pfring_zc_queue *q, pfring_zc_pkt_buff **pkt, int flush);
/* Queue pkts[0..n) in order; returns how many went (the rest are drops). */
int pfring_zc_send_pkt_burst(pfring_zc_queue *q, pfring_zc_pkt_buff **pkts, int n, int flush);
/* Copy a frame straight into the next slot: same results as send_pkt.
 * ts has nanoseconds (NULL: 0); the header is written in the consumer's
 * format and at most min(caplen, buffer length, its snaplen) bytes copied. */
int pfring_zc_send_copy(pfring_zc_queue *q, const u_char *frame, uint32_t caplen,
			uint32_t wire_len, const struct timespec *ts, uint32_t hash, int flush);
void pfring_zc_sync_queue(pfring_zc_queue *q);

/*
 * Consumer side, from any process: attach to queue qid of cluster id.
 * Only one consumer per queue at a time; the lock goes with the process,
 * so a consumer killed with SIGKILL can be restarted at once.
 * Attaching asks for the lossless format: nanosecond stamps, no snaplen.
 * The cluster must be of this library's format version (2); a cluster of
 * another version is refused with a message naming both.
 */
pfring_zc_queue *pfring_zc_ipc_attach_queue(uint32_t id, uint32_t qid,
					    char *err, size_t errlen);
void pfring_zc_ipc_detach_queue(pfring_zc_queue *q);

/*
 * Consumer side: the format the producer writes this queue's buffers in.
 * snaplen: caplen never exceeds it (0: no limit beyond the buffer length);
 * flags: PFRING_ZC_BUF_NSEC for nanosecond stamps, 0 for microseconds.
 * Call it after attaching, before receiving (it may be called again later).
 * Packets queued before the producer saw the new format are converted in
 * place on receipt, so every buffer a receive returns is in this format.
 * 0, or PF_RING_ERROR_INVALID_ARGUMENT (not a consumer end, unknown flags).
 */
int pfring_zc_queue_set_format(pfring_zc_queue *q, uint32_t snaplen, uint32_t flags);

/*
 * Receive: 1 (or up to max) packets, 0 when none (wait == 0, or a signal).
 * Buffers stay valid until the next receive on q.  An empty receive also
 * arms the wake-up: after it, pfring_zc_queue_fd() polls readable as soon
 * as the producer queues something.
 */
int pfring_zc_recv_pkt(pfring_zc_queue *q, pfring_zc_pkt_buff **pkt, int wait);
int pfring_zc_recv_pkt_burst(pfring_zc_queue *q, pfring_zc_pkt_buff **pkts, int max, int wait);
/* Give the slots of the last receive back now. */
void pfring_zc_recv_done(pfring_zc_queue *q);
/* Give back only the first n of them; the others are received again. */
void pfring_zc_recv_release(pfring_zc_queue *q, uint32_t n);
int pfring_zc_queue_fd(pfring_zc_queue *q);
/*
 * A consumer whose balancer dies notices within a second while idle (its
 * receives and fd wake up for it).  When a new cluster of the same id
 * appears within 3 s it re-attaches (same fd, a line on stderr); otherwise
 * receives fail with PF_RING_ERROR_NOT_ENABLED and this says why (NULL
 * while the queue works).
 */
const char *pfring_zc_queue_error(pfring_zc_queue *q);

typedef struct {
	uint64_t sent;      /* queued by the producer, ever */
	uint64_t recv;      /* consumed, ever (a consumer's own view: since it attached) */
	uint64_t drop;      /* refused because the queue was full (consumer's view: since it attached) */
	uint32_t queued;    /* waiting in the queue now */
	pid_t consumer;     /* attached consumer, 0 = none */
	uint32_t attaches;  /* consumers that ever attached */
	uint64_t bad;       /* shared-memory values refused (out of range: a
			     * scribbled tail, head or buffer index) */
} pfring_zc_stat;
int pfring_zc_queue_stats(pfring_zc_queue *q, pfring_zc_stat *st);
uint32_t pfring_zc_queue_id(pfring_zc_queue *q);
uint32_t pfring_zc_queue_len(pfring_zc_queue *q);
/* The largest frame a buffer of q's cluster holds: a bound for caplen,
 * which a consumer of shared memory should read once and clamp to it. */
uint32_t pfring_zc_queue_buf_len(pfring_zc_queue *q);

/*
 * Balancer / fan-out worker: a thread reading the input rings (any
 * libpfring engine) and distributing into the output queues.
 *   balance: func returns the output index (taken % n_outputs), < 0 drops
 *            the packet (counted as filtered).  func NULL: hash_type picks
 *            the shared flow hash (same member as the packet engine's
 *            cluster of that type) or round robin.
 *   fanout:  func returns a bit mask of outputs (bit i = output i); NULL:
 *            every output.
 */
typedef enum {
	pfring_zc_balance = 0,
	pfring_zc_fanout,
} pfring_zc_distribution;

typedef int64_t (*pfring_zc_distribution_func)(const u_char *frame, uint32_t caplen,
					       uint32_t n_outputs, void *user);

struct pfring_zc_worker_opts {
	pfring_zc_distribution mode;
	cluster_type hash_type;            /* balance without func */
	pfring_zc_distribution_func func;
	void *user;
	int core;                          /* pin the thread; < 0: no pinning */
};

pfring_zc_worker *pfring_zc_run_balancer(pfring **inputs, int n_inputs,
					 pfring_zc_queue **outputs, uint32_t n_outputs,
					 const struct pfring_zc_worker_opts *opts,
					 char *err, size_t errlen);
/*
 * An AF_XDP input on dev ("IF@QUEUE", or "IF": one socket per RX queue) whose UMEM is
 * cluster c's buffer memory, for pfring_zc_run_balancer(): the balancer then moves
 * buffer indexes between the sockets and the queues instead of copying packets.  It
 * takes PFRING_ZC_XDP_INPUT_BUFS buffers (split between its sockets) from c's pool (create c with extra_bufs covering them) and keeps them until
 * the cluster is destroyed.  Close it with pfring_close() after the worker is killed.
 */
#define PFRING_ZC_XDP_INPUT_BUFS 4096
pfring *pfring_zc_open_xdp_input(pfring_zc_cluster *c, const char *dev,
				 char *err, size_t errlen);

typedef struct {
	uint64_t in;        /* packets read from the inputs */
	uint64_t filtered;  /* func said drop */
	int failed;         /* the worker stopped on an error */
	char error[256];
} pfring_zc_worker_stat;
void pfring_zc_worker_stats(pfring_zc_worker *w, pfring_zc_worker_stat *st);
/* Stop and join the thread; final (may be NULL) gets its last counts.
 * The input rings stay open: they are the caller's. */
void pfring_zc_kill_worker(pfring_zc_worker *w, pfring_zc_worker_stat *final);

/* pfring_zc_run_balancer() takes 1..this many inputs. */
#define PFRING_ZC_MAX_INPUTS 8

#ifdef __cplusplus
}
#endif

#endif /* PFRING_ZC_H */
