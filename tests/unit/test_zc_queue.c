/*
 * test_zc_queue - the SPSC ring under ZC queues (zc_spsc.h), in ordinary
 * memory: empty, full, FIFO order, slot swapping, 32-bit counter wrap, the
 * sleep/wake handshake and the counters; the batching producer (room,
 * slot_at, publish) and the consumer-format handshake.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "zc_spsc.h"

static struct zc_spsc *
new_ring(uint32_t len, uint32_t start)
{
	struct zc_spsc *q = aligned_alloc(ZC_CACHELINE, zc_spsc_size(len));
	uint32_t i;

	zc_spsc_init(q, len, start);
	for (i = 0; i < len; i++)
		q->slot[i] = 1000 + i;  /* the buffers the slots start with */
	return q;
}

/* Producer side of a send: swap buf into the next slot; -1 when full. */
static long
push(struct zc_spsc *q, uint32_t *tail_cache, uint32_t buf)
{
	uint32_t *slot = zc_spsc_prod_slot(q, tail_cache), old;

	if (slot == NULL) {
		zc_spsc_prod_drop(q);
		return -1;
	}
	old = *slot;
	*slot = buf;
	zc_spsc_prod_commit(q);
	return old;
}

/* Consumer side: the oldest buffer, released at once; -1 when empty. */
static long
pop(struct zc_spsc *q)
{
	uint32_t b;

	if (zc_spsc_cons_avail(q) == 0)
		return -1;
	b = zc_spsc_cons_peek(q, 0);
	zc_spsc_cons_release(q, 1);
	return b;
}

static void
test_empty_full(void)
{
	struct zc_spsc *q = new_ring(4, 0);
	uint32_t tc = 0;

	CHECK_INT(0, zc_spsc_cons_avail(q));
	CHECK_INT(-1, pop(q));
	CHECK_INT(1000, push(q, &tc, 1));
	CHECK_INT(1001, push(q, &tc, 2));
	CHECK_INT(1002, push(q, &tc, 3));
	CHECK_INT(1003, push(q, &tc, 4));
	CHECK_INT(4, zc_spsc_used(q));
	CHECK_INT(-1, push(q, &tc, 5));        /* full */
	CHECK_INT(-1, push(q, &tc, 6));
	CHECK_INT(4, q->enq);
	CHECK_INT(2, q->drop);
	CHECK_INT(1, pop(q));
	CHECK_INT(1, push(q, &tc, 7));         /* the freed slot: the buffer just consumed */
	CHECK_INT(-1, push(q, &tc, 8));
	CHECK_INT(2, pop(q));
	CHECK_INT(3, pop(q));
	CHECK_INT(4, pop(q));
	CHECK_INT(7, pop(q));
	CHECK_INT(-1, pop(q));
	CHECK_INT(5, q->deq);
	CHECK_INT(5, q->enq);
	CHECK_INT(3, q->drop);
	CHECK_INT(0, zc_spsc_used(q));
	free(q);
}

/* head and tail cross 2^32 while the ring is part full. */
static void
test_wrap(void)
{
	struct zc_spsc *q = new_ring(8, UINT32_MAX - 5);
	uint32_t tc = UINT32_MAX - 5, i, next_in = 1, next_out = 1;
	long b;
	int ok = 1;

	for (i = 0; i < 1000; i++) {
		/* 5 in, 3 out, until full; then drain: crosses the wrap often. */
		while (push(q, &tc, next_in) >= 0)
			next_in++;
		CHECK_INT(8, zc_spsc_used(q));
		b = pop(q);
		if (b != (long)next_out)
			ok = 0;
		next_out++;
		while ((b = pop(q)) >= 0) {
			if (b != (long)next_out)
				ok = 0;
			next_out++;
		}
		if (!ok)
			break;
	}
	CHECK(ok);
	CHECK_INT(next_in, next_out);
	CHECK_INT(8000, q->enq);
	CHECK_INT(8000, q->deq);
	CHECK_INT(1000, q->drop);               /* one refused push per round */
	CHECK(q->head < 100000);                /* it did wrap */
	CHECK_INT(0, zc_spsc_used(q));
	free(q);
}

/* Every slot holds exactly one buffer at all times. */
static void
test_buffers_conserved(void)
{
	struct zc_spsc *q = new_ring(4, UINT32_MAX - 1);
	uint32_t tc = UINT32_MAX - 1, spare = 2000, queued, seen[4], i, j;
	long old;

	for (i = 0; i < 50; i++) {
		queued = spare;
		old = push(q, &tc, spare);
		CHECK(old >= 0);
		spare = (uint32_t)old;
		CHECK_INT(queued, pop(q));
	}
	for (i = 0; i < 4; i++)
		seen[i] = q->slot[i];
	for (i = 0; i < 4; i++)
		for (j = i + 1; j < 4; j++)
			CHECK(seen[i] != seen[j] && seen[i] != spare);
	free(q);
}

/* Peek several, release part: the rest is read again. */
static void
test_partial_release(void)
{
	struct zc_spsc *q = new_ring(4, 0);
	uint32_t tc = 0;

	push(q, &tc, 1);
	push(q, &tc, 2);
	push(q, &tc, 3);
	CHECK_INT(3, zc_spsc_cons_avail(q));
	CHECK_INT(1, zc_spsc_cons_peek(q, 0));
	CHECK_INT(3, zc_spsc_cons_peek(q, 2));
	zc_spsc_cons_release(q, 2);
	CHECK_INT(1, zc_spsc_cons_avail(q));
	CHECK_INT(3, zc_spsc_cons_peek(q, 0));
	zc_spsc_cons_release(q, 0);
	CHECK_INT(1, zc_spsc_cons_avail(q));
	CHECK_INT(2, q->deq);
	free(q);
}

static void
test_wake(void)
{
	struct zc_spsc *q = new_ring(4, 0);
	uint32_t tc = 0;

	CHECK_INT(0, zc_spsc_prod_need_wake(q));   /* nobody sleeps */
	CHECK_INT(1, zc_spsc_cons_arm(q));         /* empty: armed */
	push(q, &tc, 1);
	CHECK_INT(1, zc_spsc_prod_need_wake(q));   /* one wake-up ... */
	CHECK_INT(0, zc_spsc_prod_need_wake(q));   /* ... per sleep */
	CHECK_INT(0, zc_spsc_cons_arm(q));         /* packets there: not armed */
	CHECK_INT(0, q->waiting);
	CHECK_INT(1, pop(q));
	CHECK_INT(1, zc_spsc_cons_arm(q));
	zc_spsc_cons_disarm(q);
	push(q, &tc, 2);
	CHECK_INT(0, zc_spsc_prod_need_wake(q));
	free(q);
}

/* A batching consumer sleeps until mark packets are queued. */
static void
test_wake_mark(void)
{
	struct zc_spsc *q = new_ring(8, 0);
	uint32_t tc = 0;

	CHECK_INT(1, zc_spsc_cons_arm_mark(q, 3));
	push(q, &tc, 1);
	CHECK_INT(0, zc_spsc_prod_need_wake(q));   /* 1 of 3 */
	push(q, &tc, 2);
	CHECK_INT(0, zc_spsc_prod_need_wake(q));
	CHECK_INT(3, q->waiting);                   /* still asleep */
	push(q, &tc, 3);
	CHECK_INT(1, zc_spsc_prod_need_wake(q));   /* the mark: once */
	CHECK_INT(0, zc_spsc_prod_need_wake(q));
	CHECK_INT(0, zc_spsc_cons_arm_mark(q, 3)); /* 3 queued: not armed */
	CHECK_INT(0, q->waiting);
	CHECK_INT(1, pop(q));
	CHECK_INT(1, zc_spsc_cons_arm_mark(q, 3)); /* 2 queued, fewer than 3 */
	push(q, &tc, 4);
	CHECK_INT(1, zc_spsc_prod_need_wake(q));
	free(q);
}

/* A batching producer: room checked once, slots filled, one publish. */
static void
test_publish(void)
{
	struct zc_spsc *q = new_ring(8, UINT32_MAX - 2);
	uint32_t tc = UINT32_MAX - 2, i, old[8];
	long b;

	CHECK_INT(5, zc_spsc_prod_room(q, &tc, 5));
	for (i = 0; i < 5; i++) {
		uint32_t *slot = zc_spsc_prod_slot_at(q, i);

		old[i] = *slot;
		*slot = 10 + i;
	}
	CHECK_INT(0, zc_spsc_cons_avail(q));     /* nothing visible before the publish */
	zc_spsc_prod_publish(q, 5);
	CHECK_INT(5, zc_spsc_cons_avail(q));
	CHECK_INT(5, q->enq);
	for (i = 0; i < 5; i++)
		CHECK_INT(1000 + ((UINT32_MAX - 2 + i) & 7), old[i]);
	CHECK_INT(3, zc_spsc_prod_room(q, &tc, 5));  /* 3 left of 8 */
	CHECK_INT(3, zc_spsc_prod_room(q, &tc, 3));
	CHECK_INT(10, pop(q));
	CHECK_INT(11, pop(q));
	CHECK_INT(3, zc_spsc_prod_room(q, &tc, 3));  /* stale cache suffices: not refreshed */
	CHECK_INT(UINT32_MAX - 2, tc);
	CHECK_INT(5, zc_spsc_prod_room(q, &tc, 8));  /* refreshed */
	CHECK_INT(UINT32_MAX, tc);
	for (i = 0; i < 5; i++)
		*zc_spsc_prod_slot_at(q, i) = 20 + i;
	zc_spsc_prod_publish(q, 5);              /* head crosses 2^32 */
	CHECK_INT(0, zc_spsc_prod_room(q, &tc, 1));
	CHECK_INT(8, zc_spsc_used(q));
	for (i = 0; i < 3; i++)
		CHECK_INT(12 + i, pop(q));
	for (i = 0; i < 5; i++)
		CHECK_INT(20 + i, pop(q));
	b = pop(q);
	CHECK_INT(-1, b);
	CHECK_INT(10, q->enq);
	CHECK_INT(10, q->deq);
	free(q);
}

/* The consumer asks for a format; the producer's next format read says
 * from which slot on it writes it. */
static void
test_format_handshake(void)
{
	struct zc_spsc *q = new_ring(8, 0);
	uint32_t tc = 0, sl = 99, fl = 99, gen;

	zc_spsc_prod_format(q, &sl, &fl);       /* initial: lossless */
	CHECK_INT(0, sl);
	CHECK_INT(1, fl);
	push(q, &tc, 1);
	push(q, &tc, 2);
	gen = zc_spsc_cons_set_format(q, 96, 0);
	CHECK_INT(1, gen);
	CHECK(q->fmt_ack != gen);
	push(q, &tc, 3);                         /* a burst that read the old format */
	zc_spsc_prod_format(q, &sl, &fl);
	CHECK_INT(96, sl);
	CHECK_INT(0, fl);
	CHECK_INT(gen, q->fmt_ack);
	CHECK_INT(3, q->fmt_head);               /* slots 3.. are in the new format */
	push(q, &tc, 4);
	zc_spsc_prod_format(q, &sl, &fl);
	CHECK_INT(3, q->fmt_head);               /* acknowledged once */
	gen = zc_spsc_cons_set_format(q, 0, 1);
	CHECK_INT(2, gen);
	zc_spsc_prod_format(q, &sl, &fl);
	CHECK_INT(0, sl);
	CHECK_INT(1, fl);
	CHECK_INT(4, q->fmt_head);
	CHECK_INT(2, q->fmt_ack);
	free(q);
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
	return check_exit("test_zc_queue");
}
