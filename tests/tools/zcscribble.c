/*
 * zcscribble - a hostile consumer of a ZC cluster, for tests: it maps the
 * cluster file read-write, as any member of a group the cluster was shared
 * with could, and writes random and out-of-range values into one queue's
 * shared fields (head, tail, geometry, counters, format, wake mark, every
 * slot) and into the cluster header, until its time is up.
 *
 *   zcscribble FILE QUEUE SECONDS [SEED]
 *
 * It touches nothing that belongs to another queue: what the test checks
 * is that the damage stays in the queue it scribbled.  Prints how many
 * writes it made ("scribbled N values"); exits 1 when it made none.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zc_internal.h"

static uint64_t rng_state;

static uint32_t
rnd(void)
{
	/* xorshift64*: reproducible from the seed printed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Mostly values just out of range, sometimes anything. */
static uint32_t
evil(uint32_t limit)
{
	switch (rnd() % 4) {
	case 0:
		return limit + rnd() % 16;
	case 1:
		return 0xffffffffu - rnd() % 16;
	case 2:
		return 0x7fffffffu;
	default:
		return rnd();
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct zc_shm_hdr h;
	struct zc_spsc *q;
	struct stat st;
	unsigned long long writes = 0;
	uint32_t qid, i;
	double end;
	uint8_t *m;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: zcscribble FILE QUEUE SECONDS [SEED]\n");
		return 2;
	}
	qid = (uint32_t)strtoul(argv[2], NULL, 10);
	rng_state = argc > 4 ? strtoull(argv[4], NULL, 10) : (uint64_t)time(NULL);
	if (rng_state == 0)
		rng_state = 1;
	printf("zcscribble: seed %llu\n", (unsigned long long)rng_state);
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &st) < 0 || pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		perror(argv[1]);
		return 2;
	}
	if (qid >= h.n_queues || h.queue_off + (uint64_t)(qid + 1) * h.queue_stride >
	    (uint64_t)st.st_size) {
		fprintf(stderr, "zcscribble: no queue %u in %s\n", qid, argv[1]);
		return 2;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	q = (struct zc_spsc *)(m + h.queue_off + (uint64_t)qid * h.queue_stride);
	end = now_s() + strtod(argv[3], NULL);
	while (now_s() < end) {
		struct zc_shm_hdr *sh = (struct zc_shm_hdr *)m;

		for (i = 0; i < 64; i++) {
			switch (rnd() % 12) {
			case 0:
				__atomic_store_n(&q->head, q->head + evil(h.queue_len), __ATOMIC_RELAXED);
				break;
			case 1:
				__atomic_store_n(&q->tail, q->tail + evil(h.queue_len), __ATOMIC_RELAXED);
				break;
			case 2:
				__atomic_store_n(&q->len, evil(h.queue_len), __ATOMIC_RELAXED);
				__atomic_store_n(&q->mask, evil(h.queue_len), __ATOMIC_RELAXED);
				break;
			case 3:
				__atomic_store_n(&q->slot[rnd() % h.queue_len], evil(h.n_buffers),
						 __ATOMIC_RELAXED);
				break;
			case 4:
				/* another valid buffer: a duplicate index */
				__atomic_store_n(&q->slot[rnd() % h.queue_len], rnd() % h.n_buffers,
						 __ATOMIC_RELAXED);
				break;
			case 5:
				__atomic_store_n(&q->enq, (uint64_t)rnd() << 20, __ATOMIC_RELAXED);
				__atomic_store_n(&q->drop, (uint64_t)rnd(), __ATOMIC_RELAXED);
				break;
			case 6:
				__atomic_store_n(&q->fmt_gen, rnd(), __ATOMIC_RELAXED);
				__atomic_store_n(&q->snaplen, evil(65536), __ATOMIC_RELAXED);
				__atomic_store_n(&q->buf_flags, rnd(), __ATOMIC_RELAXED);
				break;
			case 7:
				__atomic_store_n(&q->fmt_ack, rnd(), __ATOMIC_RELAXED);
				__atomic_store_n(&q->fmt_head, rnd(), __ATOMIC_RELAXED);
				break;
			case 8:
				__atomic_store_n(&q->waiting, evil(h.queue_len), __ATOMIC_RELAXED);
				break;
			case 9:
				__atomic_store_n(&sh->n_queues, evil(PFRING_ZC_MAX_QUEUES),
						 __ATOMIC_RELAXED);
				__atomic_store_n(&sh->queue_len, evil(h.queue_len), __ATOMIC_RELAXED);
				break;
			case 10:
				__atomic_store_n(&sh->buf_off, (uint64_t)rnd() << 12, __ATOMIC_RELAXED);
				__atomic_store_n(&sh->buf_shift, rnd() % 64, __ATOMIC_RELAXED);
				__atomic_store_n(&sh->n_buffers, evil(h.n_buffers), __ATOMIC_RELAXED);
				break;
			default:
				__atomic_store_n(&q->deq, (uint64_t)rnd(), __ATOMIC_RELAXED);
				__atomic_store_n(&q->owner_pid, (int32_t)rnd(), __ATOMIC_RELAXED);
				break;
			}
			writes++;
		}
		usleep(200);
	}
	printf("zcscribble: scribbled %llu values into queue %u\n", writes, qid);
	munmap(m, (size_t)st.st_size);
	close(fd);
	return writes > 0 ? 0 : 1;
}
