/*
 * zc_spsc.h - the single-producer single-consumer ring under every ZC queue.
 *
 * Lives in shared memory; the two sides may be different processes.  head
 * and tail are free-running 32-bit counters (wrap-around is harmless: only
 * their difference is used), each written by one side only.  A slot holds a
 * buffer index; the producer swaps its filled buffer in and takes the slot's
 * old buffer back, so every slot always owns exactly one buffer.
 *
 * The consumer reads slots in place and advances tail only when done, so a
 * consumer that dies never leaves a slot half-consumed.
 *
 * Sleeping: the consumer sets waiting, then re-checks for packets; the
 * producer publishes head, then checks waiting.  A full fence on each side
 * makes sure at least one of them sees the other (store-buffer litmus).
 * waiting is the consumer's wake mark: 0 awake, else wake it once that many
 * packets are queued (a batching consumer bounds the wait with its own
 * timer).  The producer may read a stale tail: that only wakes it early.
 */
#ifndef ZC_SPSC_H
#define ZC_SPSC_H

#include <stdint.h>
#include <sys/types.h>

#define ZC_CACHELINE 64

struct zc_spsc {
	/* producer's line */
	_Alignas(ZC_CACHELINE) uint32_t head;
	uint32_t len;              /* power of 2, set once */
	uint32_t mask;
	uint32_t pad0;
	uint64_t enq;
	uint64_t drop;
	uint32_t fmt_ack;          /* the fmt_gen the producer writes in ... */
	uint32_t fmt_head;         /* ... from this slot on */
	/* consumer's line */
	_Alignas(ZC_CACHELINE) uint32_t tail;
	int32_t owner_pid;         /* last consumer that attached */
	uint64_t deq;
	uint32_t attaches;
	/* The consumer's format (pfring_zc_pkt_buff): caplen <= snaplen (0: no
	 * clamp), flags = buf_flags.  fmt_gen counts changes (set last). */
	uint32_t snaplen;
	uint32_t buf_flags;
	uint32_t fmt_gen;
	/* both write it: a line of its own */
	_Alignas(ZC_CACHELINE) uint32_t waiting;  /* the wake mark, 0: awake */
	_Alignas(ZC_CACHELINE) uint32_t slot[];
};

static inline size_t
zc_spsc_size(uint32_t len)
{
	size_t s = sizeof(struct zc_spsc) + (size_t)len * sizeof(uint32_t);

	return (s + ZC_CACHELINE - 1) & ~(size_t)(ZC_CACHELINE - 1);
}

/* len must be a power of 2.  start: initial head/tail (tests use it to
 * cross the 32-bit wrap). */
static inline void
zc_spsc_init(struct zc_spsc *q, uint32_t len, uint32_t start)
{
	q->head = start;
	q->tail = start;
	q->len = len;
	q->mask = len - 1;
	q->enq = q->drop = q->deq = 0;
	q->owner_pid = 0;
	q->attaches = 0;
	q->waiting = 0;
	/* Lossless until a consumer says otherwise (1 == PFRING_ZC_BUF_NSEC). */
	q->snaplen = 0;
	q->buf_flags = 1;
	q->fmt_gen = q->fmt_ack = 0;
	q->fmt_head = start;
}

static inline uint32_t
zc_spsc_used(const struct zc_spsc *q)
{
	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) -
		__atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
}

/* --- producer --- */

/* The slot to fill next, or NULL when full.  *tail_cache is the producer's
 * private copy of tail, refreshed only when the ring looks full. */
static inline uint32_t *
zc_spsc_prod_slot(struct zc_spsc *q, uint32_t *tail_cache)
{
	uint32_t head = q->head;

	if (head - *tail_cache >= q->len) {
		*tail_cache = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		if (head - *tail_cache >= q->len)
			return NULL;
	}
	return &q->slot[head & q->mask];
}

/* The i-th slot after the next one to fill, for a batching producer that
 * checked room for i + 1 slots with zc_spsc_prod_room(). */
static inline uint32_t *
zc_spsc_prod_slot_at(struct zc_spsc *q, uint32_t i)
{
	return &q->slot[(q->head + i) & q->mask];
}

/* Free slots (up to want), refreshing the tail cache only when fewer than
 * want look free. */
static inline uint32_t
zc_spsc_prod_room(struct zc_spsc *q, uint32_t *tail_cache, uint32_t want)
{
	uint32_t room = q->len - (q->head - *tail_cache);

	if (room < want) {
		*tail_cache = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		room = q->len - (q->head - *tail_cache);
	}
	return room < want ? room : want;
}

static inline void
zc_spsc_prod_commit(struct zc_spsc *q)
{
	__atomic_store_n(&q->head, q->head + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&q->enq, q->enq + 1, __ATOMIC_RELAXED);
}

/* Publish the n slots filled since the last publish (a batching
 * producer's commit, once per burst). */
static inline void
zc_spsc_prod_publish(struct zc_spsc *q, uint32_t n)
{
	__atomic_store_n(&q->head, q->head + n, __ATOMIC_RELEASE);
	__atomic_store_n(&q->enq, q->enq + n, __ATOMIC_RELAXED);
}

/*
 * The format to write headers in (pfring_zc_pkt_buff: caplen <= *snaplen
 * unless 0, flags = *flags).  Call it at least once per burst, before
 * writing the burst's first header: it also tells the consumer from which
 * slot on the new format holds (it converts the older ones itself).
 */
static inline void
zc_spsc_prod_format(struct zc_spsc *q, uint32_t *snaplen, uint32_t *flags)
{
	uint32_t gen = __atomic_load_n(&q->fmt_gen, __ATOMIC_ACQUIRE);

	if (gen != q->fmt_ack) {
		q->fmt_head = q->head;
		__atomic_store_n(&q->fmt_ack, gen, __ATOMIC_RELEASE);
	}
	*snaplen = __atomic_load_n(&q->snaplen, __ATOMIC_RELAXED);
	*flags = __atomic_load_n(&q->buf_flags, __ATOMIC_RELAXED);
}

static inline void
zc_spsc_prod_drop(struct zc_spsc *q)
{
	__atomic_store_n(&q->drop, q->drop + 1, __ATOMIC_RELAXED);
}

/* After publishing: 1 if the consumer sleeps and must be woken (the flag is
 * cleared, so only one wake-up is sent per sleep). */
static inline int
zc_spsc_prod_need_wake(struct zc_spsc *q)
{
	uint32_t mark;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mark = __atomic_load_n(&q->waiting, __ATOMIC_RELAXED);
	if (mark == 0)
		return 0;
	if (mark > 1 && q->head - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) < mark)
		return 0;
	return __atomic_exchange_n(&q->waiting, 0, __ATOMIC_ACQ_REL) != 0;
}

/* --- consumer --- */

static inline uint32_t
zc_spsc_cons_avail(const struct zc_spsc *q)
{
	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - q->tail;
}

/* Buffer index i places after tail (i < zc_spsc_cons_avail()). */
static inline uint32_t
zc_spsc_cons_peek(const struct zc_spsc *q, uint32_t i)
{
	return q->slot[(q->tail + i) & q->mask];
}

static inline void
zc_spsc_cons_release(struct zc_spsc *q, uint32_t n)
{
	if (n == 0)
		return;
	__atomic_store_n(&q->deq, q->deq + n, __ATOMIC_RELAXED);
	__atomic_store_n(&q->tail, q->tail + n, __ATOMIC_RELEASE);
}

/* About to sleep until mark (>= 1) packets are queued: 1 = armed (fewer
 * than mark), 0 = they are there already (not armed). */
static inline int
zc_spsc_cons_arm_mark(struct zc_spsc *q, uint32_t mark)
{
	__atomic_store_n(&q->waiting, mark, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (zc_spsc_cons_avail(q) < mark)
		return 1;
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
	return 0;
}

/* About to sleep: 1 = armed (still empty), 0 = packets arrived meanwhile
 * (not armed). */
static inline int
zc_spsc_cons_arm(struct zc_spsc *q)
{
	return zc_spsc_cons_arm_mark(q, 1);
}

/* Ask for a format (before reading); returns its generation, which the
 * producer acknowledges in fmt_ack from slot fmt_head on. */
static inline uint32_t
zc_spsc_cons_set_format(struct zc_spsc *q, uint32_t snaplen, uint32_t flags)
{
	uint32_t gen = q->fmt_gen + 1;

	__atomic_store_n(&q->snaplen, snaplen, __ATOMIC_RELAXED);
	__atomic_store_n(&q->buf_flags, flags, __ATOMIC_RELAXED);
	__atomic_store_n(&q->fmt_gen, gen, __ATOMIC_RELEASE);
	return gen;
}

static inline void
zc_spsc_cons_disarm(struct zc_spsc *q)
{
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
}

#endif /* ZC_SPSC_H */
