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
	/* consumer's line */
	_Alignas(ZC_CACHELINE) uint32_t tail;
	int32_t owner_pid;         /* last consumer that attached */
	uint64_t deq;
	uint32_t attaches;
	/* both write it: a line of its own */
	_Alignas(ZC_CACHELINE) uint32_t waiting;
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

static inline void
zc_spsc_prod_commit(struct zc_spsc *q)
{
	__atomic_store_n(&q->head, q->head + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&q->enq, q->enq + 1, __ATOMIC_RELAXED);
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
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&q->waiting, __ATOMIC_RELAXED) == 0)
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

/* About to sleep: 1 = armed (still empty), 0 = packets arrived meanwhile
 * (not armed). */
static inline int
zc_spsc_cons_arm(struct zc_spsc *q)
{
	__atomic_store_n(&q->waiting, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (zc_spsc_cons_avail(q) == 0)
		return 1;
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
	return 0;
}

static inline void
zc_spsc_cons_disarm(struct zc_spsc *q)
{
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
}

#endif /* ZC_SPSC_H */
