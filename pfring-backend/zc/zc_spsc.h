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
 * Trust: the two sides may be different users (a consumer of a cluster
 * shared with a group), and the memory is writable by both.  So neither
 * side reads back what it wrote: each keeps its own counter, the ring's
 * geometry and (the producer) the buffer each slot holds in a private
 * struct (zc_prod, zc_cons) and only stores them to shared memory.  What it
 * must read from the other side (tail for the producer; head and slot
 * values for the consumer) is checked against its private copy, and a
 * value out of range is refused and counted in `bad`: it costs only this
 * queue.
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
#include <string.h>
#include <sys/types.h>

#define ZC_CACHELINE 64

struct zc_spsc {
	/* producer's line */
	_Alignas(ZC_CACHELINE) uint32_t head;
	uint32_t len;              /* power of 2, set once (informative: nobody reads it) */
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

/* The producer's private side of a ring. */
struct zc_prod {
	uint32_t head;             /* next slot to fill, free-running */
	uint32_t len, mask;
	uint32_t tail_cache;       /* the last sane tail read */
	uint32_t *owned;           /* owned[s]: the buffer slot s holds */
	uint64_t enq, drop;
	uint64_t bad;              /* tails refused (out of [head - len, head]) */
};

/* The consumer's private side of a ring. */
struct zc_cons {
	uint32_t tail;             /* next slot to read, free-running */
	uint32_t len, mask;
	uint32_t n_bufs;           /* a slot's buffer index must be below it */
	uint32_t bad_head;         /* the last head refused (counted once) */
	uint64_t deq;
	uint64_t bad;              /* heads and buffer indexes refused */
};

static inline size_t
zc_spsc_size(uint32_t len)
{
	size_t s = sizeof(struct zc_spsc) + (size_t)len * sizeof(uint32_t);

	return (s + ZC_CACHELINE - 1) & ~(size_t)(ZC_CACHELINE - 1);
}

/* The shared part: len must be a power of 2.  start: initial head/tail
 * (tests use it to cross the 32-bit wrap). */
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

/* --- producer --- */

/* The creator's side over a ring it just initialised with zc_spsc_init();
 * owned has len entries, the buffers it puts in the slots. */
static inline void
zc_prod_init(struct zc_prod *p, struct zc_spsc *q, uint32_t len, uint32_t start, uint32_t *owned)
{
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->head = p->tail_cache = start;
	p->len = len;
	p->mask = len - 1;
	p->owned = owned;
	for (i = 0; i < len; i++)
		__atomic_store_n(&q->slot[i], owned[i], __ATOMIC_RELAXED);
}

/* Packets queued and not yet consumed, as far as a sane tail says. */
static inline uint32_t
zc_prod_used(const struct zc_spsc *q, const struct zc_prod *p)
{
	uint32_t used = p->head - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);

	return used <= p->len ? used : p->len;
}

/* Free slots (up to want), reading the consumer's tail only when fewer
 * than want look free.  A tail outside [head - len, head] is refused (the
 * ring counts as full until the consumer writes a sane one). */
static inline uint32_t
zc_prod_room(struct zc_spsc *q, struct zc_prod *p, uint32_t want)
{
	uint32_t room = p->len - (p->head - p->tail_cache), t;

	if (room < want) {
		t = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
		if (p->head - t <= p->len)
			p->tail_cache = t;
		else
			p->bad++;
		room = p->len - (p->head - p->tail_cache);
	}
	return room < want ? room : want;
}

/* Put buffer idx in the i-th slot after the next one to fill (room checked
 * with zc_prod_room()); returns the buffer the slot held, from the private
 * record, never from shared memory. */
static inline uint32_t
zc_prod_swap(struct zc_spsc *q, struct zc_prod *p, uint32_t i, uint32_t idx)
{
	uint32_t s = (p->head + i) & p->mask, old = p->owned[s];

	p->owned[s] = idx;
	__atomic_store_n(&q->slot[s], idx, __ATOMIC_RELAXED);
	return old;
}

/* The buffer the i-th slot after the next one holds, to copy a packet
 * into; the shared slot is rewritten with it (a scribbled one heals). */
static inline uint32_t
zc_prod_fill(struct zc_spsc *q, struct zc_prod *p, uint32_t i)
{
	uint32_t s = (p->head + i) & p->mask, idx = p->owned[s];

	__atomic_store_n(&q->slot[s], idx, __ATOMIC_RELAXED);
	return idx;
}

/* Publish the n slots filled since the last publish. */
static inline void
zc_prod_publish(struct zc_spsc *q, struct zc_prod *p, uint32_t n)
{
	p->head += n;
	p->enq += n;
	__atomic_store_n(&q->head, p->head, __ATOMIC_RELEASE);
	__atomic_store_n(&q->enq, p->enq, __ATOMIC_RELAXED);
}

static inline void
zc_prod_drops(struct zc_spsc *q, struct zc_prod *p, uint32_t n)
{
	p->drop += n;
	__atomic_store_n(&q->drop, p->drop, __ATOMIC_RELAXED);
}

/*
 * The format to write headers in (pfring_zc_pkt_buff: caplen <= *snaplen
 * unless 0, flags = *flags).  Call it at least once per burst, before
 * writing the burst's first header: it also tells the consumer from which
 * slot on the new format holds (it converts the older ones itself).
 */
static inline void
zc_prod_format(struct zc_spsc *q, const struct zc_prod *p, uint32_t *snaplen, uint32_t *flags)
{
	uint32_t gen = __atomic_load_n(&q->fmt_gen, __ATOMIC_ACQUIRE);

	if (gen != __atomic_load_n(&q->fmt_ack, __ATOMIC_RELAXED)) {
		__atomic_store_n(&q->fmt_head, p->head, __ATOMIC_RELAXED);
		__atomic_store_n(&q->fmt_ack, gen, __ATOMIC_RELEASE);
	}
	*snaplen = __atomic_load_n(&q->snaplen, __ATOMIC_RELAXED);
	*flags = __atomic_load_n(&q->buf_flags, __ATOMIC_RELAXED) & 1u;
}

/* After publishing: 1 if the consumer sleeps and must be woken (the flag is
 * cleared, so only one wake-up is sent per sleep). */
static inline int
zc_prod_need_wake(struct zc_spsc *q, const struct zc_prod *p)
{
	uint32_t mark;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mark = __atomic_load_n(&q->waiting, __ATOMIC_RELAXED);
	if (mark == 0)
		return 0;
	if (mark > 1 && p->head - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) < mark)
		return 0;
	return __atomic_exchange_n(&q->waiting, 0, __ATOMIC_ACQ_REL) != 0;
}

/* --- consumer --- */

/* An attaching consumer's side: geometry from the (checked) cluster
 * header, tail from the ring unless it is out of range (then the ring is
 * taken as empty: tail = head). */
static inline void
zc_cons_init(struct zc_cons *c, struct zc_spsc *q, uint32_t len, uint32_t n_bufs)
{
	uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);

	memset(c, 0, sizeof(*c));
	c->len = len;
	c->mask = len - 1;
	c->n_bufs = n_bufs;
	c->tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
	if (head - c->tail > len) {
		c->bad++;
		c->tail = head;
		__atomic_store_n(&q->tail, head, __ATOMIC_RELEASE);
	}
	c->deq = __atomic_load_n(&q->deq, __ATOMIC_RELAXED);
}

/* Packets waiting; a head more than len ahead of tail is refused (0). */
static inline uint32_t
zc_cons_avail(struct zc_spsc *q, struct zc_cons *c)
{
	uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE), n = head - c->tail;

	if (__builtin_expect(n > c->len, 0)) {
		if (head != c->bad_head) {
			c->bad_head = head;
			c->bad++;
		}
		return 0;
	}
	return n;
}

/* The buffer index i places after tail (i < zc_cons_avail()), unchecked:
 * compare it with c->n_bufs before use. */
static inline uint32_t
zc_cons_peek(const struct zc_spsc *q, const struct zc_cons *c, uint32_t i)
{
	return __atomic_load_n(&q->slot[(c->tail + i) & c->mask], __ATOMIC_RELAXED);
}

static inline void
zc_cons_release(struct zc_spsc *q, struct zc_cons *c, uint32_t n)
{
	if (n == 0)
		return;
	c->tail += n;
	c->deq += n;
	__atomic_store_n(&q->deq, c->deq, __ATOMIC_RELAXED);
	__atomic_store_n(&q->tail, c->tail, __ATOMIC_RELEASE);
}

/* About to sleep until mark (>= 1) packets are queued: 1 = armed (fewer
 * than mark), 0 = they are there already (not armed). */
static inline int
zc_cons_arm_mark(struct zc_spsc *q, struct zc_cons *c, uint32_t mark)
{
	__atomic_store_n(&q->waiting, mark, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (zc_cons_avail(q, c) < mark)
		return 1;
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
	return 0;
}

/* About to sleep: 1 = armed (still empty), 0 = packets arrived meanwhile
 * (not armed). */
static inline int
zc_cons_arm(struct zc_spsc *q, struct zc_cons *c)
{
	return zc_cons_arm_mark(q, c, 1);
}

/* Ask for a format (before reading): generation gen (the consumer's own
 * count), which the producer acknowledges in fmt_ack from slot fmt_head on. */
static inline void
zc_cons_set_format(struct zc_spsc *q, uint32_t gen, uint32_t snaplen, uint32_t flags)
{
	__atomic_store_n(&q->snaplen, snaplen, __ATOMIC_RELAXED);
	__atomic_store_n(&q->buf_flags, flags, __ATOMIC_RELAXED);
	__atomic_store_n(&q->fmt_gen, gen, __ATOMIC_RELEASE);
}

static inline void
zc_cons_disarm(struct zc_spsc *q)
{
	__atomic_store_n(&q->waiting, 0, __ATOMIC_RELAXED);
}

#endif /* ZC_SPSC_H */
