/*
 * test_zc_queue - the SPSC ring under ZC queues (zc_spsc.h), in ordinary
 * memory: empty, full, FIFO order, slot swapping, 32-bit counter wrap, the
 * sleep/wake handshake and the counters; the batching producer (room,
 * swap, publish) and the consumer-format handshake; and what each side
 * does with values the other side (or anyone who can write the memory)
 * scribbled: out-of-range tails, heads and slots.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "zc_spsc.h"

/* A ring with both private sides, as a producer and a consumer in two
 * processes would have them. */
struct ring {
	struct zc_spsc *q;
	struct zc_prod p;
	struct zc_cons c;
	uint32_t owned[64];
};

static struct ring *
new_ring(uint32_t len, uint32_t start)
{
	struct ring *r = calloc(1, sizeof(*r));
	uint32_t i;

	r->q = aligned_alloc(ZC_CACHELINE, zc_spsc_size(len));
	zc_spsc_init(r->q, len, start);
	for (i = 0; i < len; i++)
		r->owned[i] = 1000 + i;  /* the buffers the slots start with */
	zc_prod_init(&r->p, r->q, len, start, r->owned);
	zc_cons_init(&r->c, r->q, len, 5000);
	return r;
}

static void
free_ring(struct ring *r)
{
	free(r->q);
	free(r);
}

/* Producer side of a send: swap buf into the next slot; -1 when full. */
static long
push(struct ring *r, uint32_t buf)
{
	uint32_t old;

	if (zc_prod_room(r->q, &r->p, 1) == 0) {
		zc_prod_drops(r->q, &r->p, 1);
		return -1;
	}
	old = zc_prod_swap(r->q, &r->p, 0, buf);
	zc_prod_publish(r->q, &r->p, 1);
	return old;
}

/* Consumer side: the oldest buffer, released at once; -1 when empty. */
static long
pop(struct ring *r)
{
	uint32_t b;

	if (zc_cons_avail(r->q, &r->c) == 0)
		return -1;
	b = zc_cons_peek(r->q, &r->c, 0);
	zc_cons_release(r->q, &r->c, 1);
	return b;
}

static void
test_empty_full(void)
{
	struct ring *r = new_ring(4, 0);

	CHECK_INT(0, zc_cons_avail(r->q, &r->c));
	CHECK_INT(-1, pop(r));
	CHECK_INT(1000, push(r, 1));
	CHECK_INT(1001, push(r, 2));
	CHECK_INT(1002, push(r, 3));
	CHECK_INT(1003, push(r, 4));
	CHECK_INT(4, zc_prod_used(r->q, &r->p));
	CHECK_INT(-1, push(r, 5));        /* full */
	CHECK_INT(-1, push(r, 6));
	CHECK_INT(4, r->q->enq);
	CHECK_INT(2, r->q->drop);
	CHECK_INT(1, pop(r));
	CHECK_INT(1, push(r, 7));         /* the freed slot: the buffer just consumed */
	CHECK_INT(-1, push(r, 8));
	CHECK_INT(2, pop(r));
	CHECK_INT(3, pop(r));
	CHECK_INT(4, pop(r));
	CHECK_INT(7, pop(r));
	CHECK_INT(-1, pop(r));
	CHECK_INT(5, r->q->deq);
	CHECK_INT(5, r->q->enq);
	CHECK_INT(3, r->q->drop);
	CHECK_INT(0, zc_prod_used(r->q, &r->p));
	free_ring(r);
}

/* head and tail cross 2^32 while the ring is part full. */
static void
test_wrap(void)
{
	struct ring *r = new_ring(8, UINT32_MAX - 5);
	uint32_t i, next_in = 1, next_out = 1;
	long b;
	int ok = 1;

	for (i = 0; i < 1000; i++) {
		/* 5 in, 3 out, until full; then drain: crosses the wrap often. */
		while (push(r, next_in) >= 0)
			next_in++;
		CHECK_INT(8, zc_prod_used(r->q, &r->p));
		b = pop(r);
		if (b != (long)next_out)
			ok = 0;
		next_out++;
		while ((b = pop(r)) >= 0) {
			if (b != (long)next_out)
				ok = 0;
			next_out++;
		}
		if (!ok)
			break;
	}
	CHECK(ok);
	CHECK_INT(next_in, next_out);
	CHECK_INT(8000, r->q->enq);
	CHECK_INT(8000, r->q->deq);
	CHECK_INT(1000, r->q->drop);               /* one refused push per round */
	CHECK(r->q->head < 100000);                /* it did wrap */
	CHECK_INT(0, zc_prod_used(r->q, &r->p));
	free_ring(r);
}

/* Every slot holds exactly one buffer at all times. */
static void
test_buffers_conserved(void)
{
	struct ring *r = new_ring(4, UINT32_MAX - 1);
	uint32_t spare = 2000, queued, seen[4], i, j;
	long old;

	for (i = 0; i < 50; i++) {
		queued = spare;
		old = push(r, spare);
		CHECK(old >= 0);
		spare = (uint32_t)old;
		CHECK_INT(queued, pop(r));
	}
	for (i = 0; i < 4; i++)
		seen[i] = r->q->slot[i];
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			CHECK(seen[i] != seen[j] && seen[i] != spare);
	free_ring(r);
}

/* Peek several, release part: the rest is read again. */
static void
test_partial_release(void)
{
	struct ring *r = new_ring(4, 0);

	push(r, 1);
	push(r, 2);
	push(r, 3);
	CHECK_INT(3, zc_cons_avail(r->q, &r->c));
	CHECK_INT(1, zc_cons_peek(r->q, &r->c, 0));
	CHECK_INT(3, zc_cons_peek(r->q, &r->c, 2));
	zc_cons_release(r->q, &r->c, 2);
	CHECK_INT(1, zc_cons_avail(r->q, &r->c));
	CHECK_INT(3, zc_cons_peek(r->q, &r->c, 0));
	zc_cons_release(r->q, &r->c, 0);
	CHECK_INT(1, zc_cons_avail(r->q, &r->c));
	CHECK_INT(2, r->q->deq);
	free_ring(r);
}

static void
test_wake(void)
{
	struct ring *r = new_ring(4, 0);

	CHECK_INT(0, zc_prod_need_wake(r->q, &r->p));   /* nobody sleeps */
	CHECK_INT(1, zc_cons_arm(r->q, &r->c));         /* empty: armed */
	push(r, 1);
	CHECK_INT(1, zc_prod_need_wake(r->q, &r->p));   /* one wake-up ... */
	CHECK_INT(0, zc_prod_need_wake(r->q, &r->p));   /* ... per sleep */
	CHECK_INT(0, zc_cons_arm(r->q, &r->c));         /* packets there: not armed */
	CHECK_INT(0, r->q->waiting);
	CHECK_INT(1, pop(r));
	CHECK_INT(1, zc_cons_arm(r->q, &r->c));
	zc_cons_disarm(r->q);
	push(r, 2);
	CHECK_INT(0, zc_prod_need_wake(r->q, &r->p));
	free_ring(r);
}

/* A batching consumer sleeps until mark packets are queued. */
static void
test_wake_mark(void)
{
	struct ring *r = new_ring(8, 0);

	CHECK_INT(1, zc_cons_arm_mark(r->q, &r->c, 3));
	push(r, 1);
	CHECK_INT(0, zc_prod_need_wake(r->q, &r->p));   /* 1 of 3 */
	push(r, 2);
	CHECK_INT(0, zc_prod_need_wake(r->q, &r->p));
	CHECK_INT(3, r->q->waiting);                   /* still asleep */
	push(r, 3);
	CHECK_INT(1, zc_prod_need_wake(r->q, &r->p));   /* the mark: once */
	CHECK_INT(0, zc_prod_need_wake(r->q, &r->p));
	CHECK_INT(0, zc_cons_arm_mark(r->q, &r->c, 3)); /* 3 queued: not armed */
	CHECK_INT(0, r->q->waiting);
	CHECK_INT(1, pop(r));
	CHECK_INT(1, zc_cons_arm_mark(r->q, &r->c, 3)); /* 2 queued, fewer than 3 */
	push(r, 4);
	CHECK_INT(1, zc_prod_need_wake(r->q, &r->p));
	free_ring(r);
}

/* A batching producer: room checked once, slots filled, one publish. */
static void
test_publish(void)
{
	struct ring *r = new_ring(8, UINT32_MAX - 2);
	uint32_t i, old[8];
	long b;

	CHECK_INT(5, zc_prod_room(r->q, &r->p, 5));
	for (i = 0; i < 5; i++)
		old[i] = zc_prod_swap(r->q, &r->p, i, 10 + i);
	CHECK_INT(0, zc_cons_avail(r->q, &r->c));     /* nothing visible before the publish */
	zc_prod_publish(r->q, &r->p, 5);
	CHECK_INT(5, zc_cons_avail(r->q, &r->c));
	CHECK_INT(5, r->q->enq);
	for (i = 0; i < 5; i++)
		CHECK_INT(1000 + ((UINT32_MAX - 2 + i) & 7), old[i]);
	CHECK_INT(3, zc_prod_room(r->q, &r->p, 5));  /* 3 left of 8 */
	CHECK_INT(3, zc_prod_room(r->q, &r->p, 3));
	CHECK_INT(10, pop(r));
	CHECK_INT(11, pop(r));
	CHECK_INT(3, zc_prod_room(r->q, &r->p, 3));  /* stale cache suffices: not refreshed */
	CHECK_INT(UINT32_MAX - 2, r->p.tail_cache);
	CHECK_INT(5, zc_prod_room(r->q, &r->p, 8));  /* refreshed */
	CHECK_INT(UINT32_MAX, r->p.tail_cache);
	for (i = 0; i < 5; i++)
		(void)zc_prod_swap(r->q, &r->p, i, 20 + i);
	zc_prod_publish(r->q, &r->p, 5);              /* head crosses 2^32 */
	CHECK_INT(0, zc_prod_room(r->q, &r->p, 1));
	CHECK_INT(8, zc_prod_used(r->q, &r->p));
	for (i = 0; i < 3; i++)
		CHECK_INT(12 + i, pop(r));
	for (i = 0; i < 5; i++)
		CHECK_INT(20 + i, pop(r));
	b = pop(r);
	CHECK_INT(-1, b);
	CHECK_INT(10, r->q->enq);
	CHECK_INT(10, r->q->deq);
	free_ring(r);
}

/* The consumer asks for a format; the producer's next format read says
 * from which slot on it writes it. */
static void
test_format_handshake(void)
{
	struct ring *r = new_ring(8, 0);
	uint32_t sl = 99, fl = 99, gen;

	zc_prod_format(r->q, &r->p, &sl, &fl);       /* initial: lossless */
	CHECK_INT(0, sl);
	CHECK_INT(1, fl);
	push(r, 1);
	push(r, 2);
	gen = 1;
	zc_cons_set_format(r->q, gen, 96, 0);
	CHECK(r->q->fmt_ack != gen);
	push(r, 3);                         /* a burst that read the old format */
	zc_prod_format(r->q, &r->p, &sl, &fl);
	CHECK_INT(96, sl);
	CHECK_INT(0, fl);
	CHECK_INT(gen, r->q->fmt_ack);
	CHECK_INT(3, r->q->fmt_head);               /* slots 3.. are in the new format */
	push(r, 4);
	zc_prod_format(r->q, &r->p, &sl, &fl);
	CHECK_INT(3, r->q->fmt_head);               /* acknowledged once */
	gen = 2;
	zc_cons_set_format(r->q, gen, 0, 1);
	zc_prod_format(r->q, &r->p, &sl, &fl);
	CHECK_INT(0, sl);
	CHECK_INT(1, fl);
	CHECK_INT(4, r->q->fmt_head);
	CHECK_INT(2, r->q->fmt_ack);
	free_ring(r);
}

/* A tail out of [head - len, head] is refused: the ring counts as full
 * (nothing overwritten), bad counts it, a sane tail heals it. */
static void
test_scribbled_tail(void)
{
	struct ring *r = new_ring(4, 0);

	CHECK_INT(1000, push(r, 1));
	CHECK_INT(1001, push(r, 2));
	r->q->tail = 0x7fffffff;                /* far ahead of head */
	CHECK_INT(1002, push(r, 3));            /* room from the cached tail */
	CHECK_INT(1003, push(r, 4));
	CHECK_INT(-1, push(r, 5));              /* looks full: tail refused */
	CHECK_INT(1, r->p.bad);
	CHECK_INT(0, r->p.tail_cache);
	r->q->tail = 5;                         /* one past head: refused too */
	CHECK_INT(-1, push(r, 6));
	CHECK_INT(2, r->p.bad);
	CHECK_INT(4, zc_prod_used(r->q, &r->p));   /* clamped */
	r->q->tail = 2;                         /* sane: two consumed */
	CHECK_INT(1, push(r, 7));
	CHECK_INT(2, push(r, 8));
	CHECK_INT(2, r->p.bad);
	CHECK_INT(2, r->q->drop);
	CHECK_INT(6, r->q->enq);
	free_ring(r);
}

/* The producer takes a slot's old buffer from its own record: scribbled
 * slot values (out of range, or another slot's buffer) never come back,
 * and a copying producer rewrites the slot it fills. */
static void
test_scribbled_slots(void)
{
	struct ring *r = new_ring(4, 0);
	uint32_t i;

	for (i = 0; i < 4; i++)
		r->q->slot[i] = i == 0 ? 0xffffffffu : 1000;
	CHECK_INT(1000, push(r, 1));            /* not 0xffffffff */
	CHECK_INT(1, r->q->slot[0]);
	CHECK_INT(1001, push(r, 2));            /* not 1000 a second time */
	CHECK_INT(1002, zc_prod_fill(r->q, &r->p, 0));
	CHECK_INT(1002, r->q->slot[2]);         /* healed */
	CHECK_INT(1, pop(r));
	free_ring(r);
}

/* The consumer refuses a head more than len ahead of its tail (counted
 * once per value); an attaching consumer resets a wild tail. */
static void
test_scribbled_head(void)
{
	struct ring *r = new_ring(4, 0);
	struct zc_cons c2;

	push(r, 1);
	r->q->head = 1000;
	CHECK_INT(0, zc_cons_avail(r->q, &r->c));
	CHECK_INT(0, zc_cons_avail(r->q, &r->c));
	CHECK_INT(1, r->c.bad);
	r->q->head = 2000;
	CHECK_INT(0, zc_cons_avail(r->q, &r->c));
	CHECK_INT(2, r->c.bad);
	push(r, 2);                             /* the producer's publish heals it */
	CHECK_INT(2, zc_cons_avail(r->q, &r->c));
	CHECK_INT(1, pop(r));
	r->q->tail = 77;
	zc_cons_init(&c2, r->q, 4, 5000);
	CHECK_INT(1, c2.bad);
	CHECK_INT(2, c2.tail);                  /* taken as empty */
	CHECK_INT(2, r->q->tail);
	CHECK_INT(0, zc_cons_avail(r->q, &c2));
	free_ring(r);
}

int
main(void)
{
	test_empty_full();
	test_wrap();
	test_buffers_conserved();
	test_partial_release();
	test_wake();
	test_wake_mark();
	test_publish();
	test_format_handshake();
	test_scribbled_tail();
	test_scribbled_slots();
	test_scribbled_head();
	return check_exit("test_zc_queue");
}
