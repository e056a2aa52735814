/*
 * zc_cluster.c - ZC clusters in shared memory: creation, the buffer pool,
 * the producer and consumer ends of the queues.  Layout: zc_internal.h.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "zc_internal.h"

#define HUGETLBFS_MAGIC_NR 0x958458f6
#define DEFAULT_EXTRA_BUFS 64

static void
fifo_path(char *out, size_t len, uint32_t id, uint32_t qid)
{
	snprintf(out, len, ZC_SHM_DIR "/pfring_zc.%u.%u.wake", id, qid);
}

static void
shm_path(char *out, size_t len, const char *dir, uint32_t id)
{
	snprintf(out, len, "%s/pfring_zc.%u", dir, id);
}

/* The first hugetlbfs mount, or 0 if there is none. */
static int
hugetlbfs_dir(char *out, size_t len)
{
	char dev[256], dir[256], type[64];
	FILE *f;
	int found = 0;

	f = fopen("/proc/mounts", "re");
	if (f == NULL)
		return 0;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "hugetlbfs") == 0) {
			snprintf(out, len, "%s", dir);
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

/* One OFD lock request on a single byte (cmd F_OFD_GETLK or F_OFD_SETLK). */
static int
ofd_lock_byte(int fd, int cmd, short type, off_t byte, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = byte;
	fl->l_len = 1;
	return fcntl(fd, cmd, fl);
}

/* Is byte `byte` of fd locked by another open file description?  OFD
 * locks carry no pid, so this is only 0 (no) or 1 (yes; -1: unknown). */
static int
lock_holder(int fd, off_t byte)
{
	struct flock fl;

	if (ofd_lock_byte(fd, F_OFD_GETLK, F_WRLCK, byte, &fl) < 0)
		return -1;
	return fl.l_type == F_UNLCK ? 0 : 1;
}

static int
lock_byte(int fd, off_t byte)
{
	struct flock fl;

	return ofd_lock_byte(fd, F_OFD_SETLK, F_WRLCK, byte, &fl);
}

static void
unlock_byte(int fd, off_t byte)
{
	struct flock fl;

	(void)ofd_lock_byte(fd, F_OFD_SETLK, F_UNLCK, byte, &fl);
}

/* An existing file for cluster id: in use (error) or stale (removed). */
static int
clear_stale(const char *path, uint32_t id, char *err, size_t errlen)
{
	struct zc_shm_hdr h;
	int fd, held;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	held = lock_holder(fd, 0);
	if (held != 0) {
		memset(&h, 0, sizeof(h));
		if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
			h.creator_pid = 0;
		close(fd);
		snprintf(err, errlen, "ZC cluster %u already exists (created by pid %d, %s)",
			 id, (int)h.creator_pid, path);
		return -1;
	}
	close(fd);
	/* Its creator died without cleaning up. */
	unlink(path);
	return 0;
}

static uint32_t
pow2_at_least(uint32_t v)
{
	uint32_t p = 2;

	while (p < v && p < (1u << 30))
		p <<= 1;
	return p;
}

static int
set_access(int fd, gid_t group)
{
	if (group == (gid_t)-1)
		return fchmod(fd, 0600);
	if (fchown(fd, (uid_t)-1, group) < 0)
		return -1;
	return fchmod(fd, 0660);
}

/*
 * Create and map the backing file in dir.  Returns the fd, or -1 with why
 * in reason (for the hugepage attempt that reason becomes the message).
 */
static int
make_backing(pfring_zc_cluster *c, const char *dir, size_t size, gid_t group,
	     int populate, char *reason, size_t rlen)
{
	int fd;
	void *m;

	shm_path(c->path, sizeof(c->path), dir, c->id);
	fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(reason, rlen, "%s: %s", c->path, strerror(errno));
		return -1;
	}
	if (set_access(fd, group) < 0) {
		snprintf(reason, rlen, "permissions of %s: %s", c->path, strerror(errno));
		goto fail;
	}
	if (lock_byte(fd, 0) < 0) {
		snprintf(reason, rlen, "locking %s: %s", c->path, strerror(errno));
		goto fail;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		snprintf(reason, rlen, "sizing %s to %zu bytes: %s", c->path, size, strerror(errno));
		goto fail;
	}
	/* Populate now: hugetlbfs reserves at mmap, /dev/shm would SIGBUS later
	 * on a full tmpfs instead of failing here. */
	m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, 0);
	if (m == MAP_FAILED) {
		snprintf(reason, rlen, "mapping %zu bytes of %s: %s", size, c->path, strerror(errno));
		goto fail;
	}
	if (!populate && posix_fallocate(fd, 0, (off_t)size) != 0) {
		munmap(m, size);
		snprintf(reason, rlen, "%s: not enough shared memory for %zu bytes", c->path, size);
		goto fail;
	}
	c->base = m;
	c->size = size;
	return fd;
fail:
	close(fd);
	unlink(c->path);
	return -1;
}

static void
unlink_fifos(uint32_t id, uint32_t n)
{
	char p[128];
	uint32_t i;

	for (i = 0; i < n; i++) {
		fifo_path(p, sizeof(p), id, i);
		unlink(p);
	}
}

static int
make_fifo(uint32_t id, uint32_t qid, gid_t group, char *err, size_t errlen)
{
	char p[128];
	int fd;

	fifo_path(p, sizeof(p), id, qid);
	unlink(p);
	if (mkfifo(p, 0600) < 0) {
		snprintf(err, errlen, "mkfifo %s: %s", p, strerror(errno));
		return -1;
	}
	/* O_RDWR: opening does not wait for a reader and writes never SIGPIPE. */
	fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || set_access(fd, group) < 0) {
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void
queue_handle_init(struct pfring_zc_queue *zq, uint8_t *base)
{
	zq->base = base;
	zq->hdr = (struct zc_shm_hdr *)base;
	zq->buf0 = base + zq->hdr->buf_off + ZC_BUF_HDR_OFF;
	zq->buf_shift = zq->hdr->buf_shift;
	zq->buf_stride = zq->hdr->buf_stride;
	zq->timer_fd = -1;
	zq->sel_fd = -1;
	zq->wake_mark = 1;
	zq->buf_len = zq->hdr->buf_len;
}

pfring_zc_cluster *
pfring_zc_create_cluster(uint32_t id, uint32_t n_queues,
			 const struct pfring_zc_cluster_opts *opts,
			 char *err, size_t errlen)
{
	struct pfring_zc_cluster_opts o = {
		.queue_len = PFRING_ZC_DEFAULT_QLEN, .buf_len = PFRING_ZC_DEFAULT_BUFLEN,
		.extra_bufs = DEFAULT_EXTRA_BUFS, .hugepages = PFRING_ZC_HUGEPAGES_AUTO,
		.group = (gid_t)-1,
	};
	char hdir[256], path[300], why[256] = "", reason[300];
	struct zc_shm_hdr h;
	pfring_zc_cluster *c;
	struct statfs sfs;
	size_t size, hsize;
	uint32_t i, j, idx;

	if (opts != NULL) {
		if (opts->queue_len)
			o.queue_len = opts->queue_len;
		if (opts->buf_len)
			o.buf_len = opts->buf_len;
		if (opts->extra_bufs)
			o.extra_bufs = opts->extra_bufs;
		o.hugepages = opts->hugepages;
		o.group = opts->group;
	}
	if (id == 0 || id > 65535) {
		snprintf(err, errlen, "ZC cluster id %u out of range 1..65535", id);
		return NULL;
	}
	if (n_queues == 0 || n_queues > PFRING_ZC_MAX_QUEUES) {
		snprintf(err, errlen, "ZC cluster %u: %u queues (1..%d)", id, n_queues,
			 PFRING_ZC_MAX_QUEUES);
		return NULL;
	}
	if (o.queue_len > (1u << 24) || o.buf_len < 64 || o.buf_len > 65536) {
		snprintf(err, errlen, "ZC cluster %u: queue length %u (max %u) or buffer length %u"
			 " (64..65536) out of range", id, o.queue_len, 1u << 24, o.buf_len);
		return NULL;
	}
	memset(&h, 0, sizeof(h));
	h.magic = ZC_MAGIC;
	h.version = ZC_VERSION;
	h.cluster_id = id;
	h.n_queues = n_queues;
	h.queue_len = pow2_at_least(o.queue_len);
	/* UMEM chunks: a power of two >= 2048 with the frame at +256. */
	h.buf_stride = pow2_at_least(ZC_DATA_OFF + o.buf_len);
	if (h.buf_stride < ZC_CHUNK_MIN)
		h.buf_stride = ZC_CHUNK_MIN;
	h.buf_shift = (uint32_t)__builtin_ctz(h.buf_stride);
	h.buf_len = h.buf_stride - ZC_DATA_OFF;
	h.n_buffers = n_queues * h.queue_len + o.extra_bufs;
	h.queue_off = (sizeof(h) + 63) & ~(uint64_t)63;
	h.queue_stride = zc_spsc_size(h.queue_len);
	h.buf_off = h.queue_off + h.queue_stride * n_queues;
	h.buf_off = (h.buf_off + ZC_REGION_ALIGN - 1) & ~(uint64_t)(ZC_REGION_ALIGN - 1);
	h.buf_region_len = ((uint64_t)h.n_buffers * h.buf_stride + ZC_REGION_ALIGN - 1) &
		~(uint64_t)(ZC_REGION_ALIGN - 1);
	size = h.buf_off + h.buf_region_len;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->id = id;
	c->shm_fd = -1;
	if (hugetlbfs_dir(hdir, sizeof(hdir))) {
		shm_path(path, sizeof(path), hdir, id);
		if (clear_stale(path, id, err, errlen) < 0)
			goto fail;
	}
	shm_path(path, sizeof(path), ZC_SHM_DIR, id);
	if (clear_stale(path, id, err, errlen) < 0)
		goto fail;

	if (o.hugepages == PFRING_ZC_HUGEPAGES_NEVER) {
		snprintf(why, sizeof(why), "hugepages not wanted");
	} else if (!hugetlbfs_dir(hdir, sizeof(hdir))) {
		snprintf(why, sizeof(why), "no hugetlbfs mounted");
	} else if (statfs(hdir, &sfs) < 0 || sfs.f_type != HUGETLBFS_MAGIC_NR) {
		snprintf(why, sizeof(why), "%.200s is not hugetlbfs", hdir);
	} else {
		hsize = ((size + (size_t)sfs.f_bsize - 1) / (size_t)sfs.f_bsize) * (size_t)sfs.f_bsize;
		c->shm_fd = make_backing(c, hdir, hsize, o.group, 1, reason, sizeof(reason));
		if (c->shm_fd >= 0) {
			h.hugepages = 1;
			size = hsize;
			snprintf(c->info, sizeof(c->info), "ZC cluster %u: %.1f MiB in hugepages (%s)",
				 id, (double)size / 1048576.0, c->path);
		} else {
			snprintf(why, sizeof(why), "hugepages unavailable: %.200s", reason);
		}
	}
	if (c->shm_fd < 0) {
		if (o.hugepages == PFRING_ZC_HUGEPAGES_REQUIRE) {
			snprintf(err, errlen, "ZC cluster %u: hugepages required but %s", id, why);
			goto fail;
		}
		c->shm_fd = make_backing(c, ZC_SHM_DIR, size, o.group, 0, reason, sizeof(reason));
		if (c->shm_fd < 0) {
			snprintf(err, errlen, "ZC cluster %u: %s", id, reason);
			goto fail;
		}
		snprintf(c->info, sizeof(c->info),
			 "ZC cluster %u: %.1f MiB of plain shared memory (%s): %s", id,
			 (double)size / 1048576.0, c->path, why);
	}
	h.size = size;
	h.creator_pid = (int32_t)getpid();
	c->hdr = (struct zc_shm_hdr *)c->base;
	memcpy(c->hdr, &h, sizeof(h));
	c->hdr->ready = 0;

	c->queues = calloc(n_queues, sizeof(*c->queues));
	c->free_stack = calloc(o.extra_bufs, sizeof(uint32_t));
	if (c->queues == NULL || c->free_stack == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < n_queues; i++)
		c->queues[i].wake_fd = -1;
	idx = 0;
	for (i = 0; i < n_queues; i++) {
		struct pfring_zc_queue *zq = &c->queues[i];

		queue_handle_init(zq, c->base);
		zq->q = zc_queue_at(c->base, c->hdr, i);
		zq->id = i;
		zq->shm_fd = c->shm_fd; /* the cluster's: for lock queries only */
		zc_spsc_init(zq->q, h.queue_len, 0);
		for (j = 0; j < h.queue_len; j++)
			zq->q->slot[j] = idx++;
		zq->tail_cache = 0;
		zq->wake_fd = make_fifo(id, i, o.group, err, errlen);
		if (zq->wake_fd < 0)
			goto fail;
		zq->sel_fd = zq->wake_fd;
	}
	for (; idx < h.n_buffers; idx++)
		c->free_stack[c->n_free++] = idx;
	pthread_mutex_init(&c->pool_lock, NULL);
	__atomic_store_n(&c->hdr->ready, 1, __ATOMIC_RELEASE);
	return c;
fail:
	if (c->queues != NULL) {
		for (i = 0; i < n_queues; i++)
			if (c->queues[i].wake_fd >= 0)
				close(c->queues[i].wake_fd);
		unlink_fifos(id, n_queues);
	}
	if (c->base != NULL) {
		munmap(c->base, c->size);
		unlink(c->path);
	}
	if (c->shm_fd >= 0)
		close(c->shm_fd);
	free(c->queues);
	free(c->free_stack);
	free(c);
	return NULL;
}

void
pfring_zc_destroy_cluster(pfring_zc_cluster *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	unlink(c->path);
	unlink_fifos(c->id, c->hdr->n_queues);
	for (i = 0; i < c->hdr->n_queues; i++)
		close(c->queues[i].wake_fd);
	pthread_mutex_destroy(&c->pool_lock);
	munmap(c->base, c->size);
	close(c->shm_fd);
	free(c->queues);
	free(c->free_stack);
	free(c);
}

const char *
pfring_zc_cluster_memory_info(pfring_zc_cluster *c)
{
	return c->info;
}

uint32_t
pfring_zc_cluster_queues(pfring_zc_cluster *c)
{
	return c->hdr->n_queues;
}

pfring_zc_queue *
pfring_zc_cluster_queue(pfring_zc_cluster *c, uint32_t qid)
{
	if (c == NULL || qid >= c->hdr->n_queues)
		return NULL;
	return &c->queues[qid];
}

pfring_zc_pkt_buff *
pfring_zc_get_packet_handle(pfring_zc_cluster *c)
{
	pfring_zc_pkt_buff *b = NULL;

	pthread_mutex_lock(&c->pool_lock);
	if (c->n_free > 0)
		b = zc_buf(c->base, c->hdr, c->free_stack[--c->n_free]);
	pthread_mutex_unlock(&c->pool_lock);
	if (b != NULL)
		memset(b, 0, sizeof(*b));
	return b;
}

void
pfring_zc_release_packet_handle(pfring_zc_cluster *c, pfring_zc_pkt_buff *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&c->pool_lock);
	/* The stack holds every pool buffer at most once, so it cannot overflow
	 * unless a handle is released twice; refuse rather than corrupt. */
	if (c->n_free < c->hdr->n_buffers - c->hdr->n_queues * c->hdr->queue_len)
		c->free_stack[c->n_free++] = zc_buf_idx(c->base, c->hdr, b);
	pthread_mutex_unlock(&c->pool_lock);
}

uint32_t
pfring_zc_free_handles(pfring_zc_cluster *c)
{
	uint32_t n;

	pthread_mutex_lock(&c->pool_lock);
	n = c->n_free;
	pthread_mutex_unlock(&c->pool_lock);
	return n;
}

/* --- producer end --- */

void
pfring_zc_sync_queue(pfring_zc_queue *zq)
{
	static const char one = 1;

	if (!zq->unsynced)
		return;
	zq->unsynced = 0;
	if (zc_spsc_prod_need_wake(zq->q)) {
		/* EAGAIN: the FIFO is full of earlier wake-ups, one is enough. */
		if (write(zq->wake_fd, &one, 1) < 0) {
		}
	}
}

/* Queue *pkt, whose header the caller filled in either stamp unit, in the
 * format (snaplen, flags) read for this burst. */
static int
send_one(pfring_zc_queue *zq, pfring_zc_pkt_buff **pkt, uint32_t snaplen, uint32_t flags)
{
	uint32_t *slot, mine;

	slot = zc_spsc_prod_slot(zq->q, &zq->tail_cache);
	if (slot == NULL) {
		zc_spsc_prod_drop(zq->q);
		return 0;
	}
	zc_buf_convert(*pkt, zq->buf_len, snaplen, flags);
	mine = zc_buf_idx(zq->base, zq->hdr, *pkt);
	*pkt = zc_qbuf(zq, *slot);
	*slot = mine;
	zc_spsc_prod_commit(zq->q);
	zq->unsynced = 1;
	return 1;
}

int
pfring_zc_send_pkt(pfring_zc_queue *zq, pfring_zc_pkt_buff **pkt, int flush)
{
	uint32_t snaplen, flags;
	int rc;

	if (zq == NULL || zq->consumer || pkt == NULL || *pkt == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	zc_spsc_prod_format(zq->q, &snaplen, &flags);
	rc = send_one(zq, pkt, snaplen, flags);
	if (flush)
		pfring_zc_sync_queue(zq);
	return rc;
}

int
pfring_zc_send_pkt_burst(pfring_zc_queue *zq, pfring_zc_pkt_buff **pkts, int n, int flush)
{
	uint32_t snaplen, flags;
	int i, sent = 0;

	if (zq == NULL || zq->consumer || pkts == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	for (i = 0; i < n; i++)
		if (pkts[i] == NULL)
			return PF_RING_ERROR_INVALID_ARGUMENT;
	zc_spsc_prod_format(zq->q, &snaplen, &flags);
	for (i = 0; i < n; i++)
		sent += send_one(zq, &pkts[i], snaplen, flags);
	if (flush)
		pfring_zc_sync_queue(zq);
	return sent;
}

int
pfring_zc_send_copy(pfring_zc_queue *zq, const u_char *frame, uint32_t caplen,
		    uint32_t wire_len, const struct timespec *ts, uint32_t hash, int flush)
{
	pfring_zc_pkt_buff *b;
	uint32_t *slot, snaplen, flags;

	if (zq == NULL || zq->consumer || frame == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	slot = zc_spsc_prod_slot(zq->q, &zq->tail_cache);
	if (slot == NULL) {
		zc_spsc_prod_drop(zq->q);
		return 0;
	}
	zc_spsc_prod_format(zq->q, &snaplen, &flags);
	b = zc_qbuf(zq, *slot);
	caplen = zc_buf_set_hdr(b, zq->buf_len, snaplen, flags, ts ? (int64_t)ts->tv_sec : 0,
				ts ? (uint32_t)ts->tv_nsec : 0, caplen, wire_len, hash);
	memcpy(pfring_zc_pkt_data(b), frame, caplen);
	zc_spsc_prod_commit(zq->q);
	zq->unsynced = 1;
	if (flush)
		pfring_zc_sync_queue(zq);
	return 1;
}

/* --- consumer end --- */

pfring_zc_queue *
pfring_zc_ipc_attach_queue(uint32_t id, uint32_t qid, char *err, size_t errlen)
{
	char hdir[256], path[300], fpath[128];
	struct zc_shm_hdr h;
	pfring_zc_queue *zq;
	struct stat st;
	void *m;
	int fd = -1;

	if (id == 0 || id > 65535) {
		snprintf(err, errlen, "ZC cluster id %u out of range 1..65535", id);
		return NULL;
	}
	if (hugetlbfs_dir(hdir, sizeof(hdir))) {
		shm_path(path, sizeof(path), hdir, id);
		fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0) {
		shm_path(path, sizeof(path), ZC_SHM_DIR, id);
		fd = open(path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "no ZC cluster %u (start one first, e.g. zbalance -c %u)",
				 id, id);
		else
			snprintf(err, errlen, "ZC cluster %u: %s: %s", id, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.magic != ZC_MAGIC) {
		snprintf(err, errlen, "ZC cluster %u: %s is not a ZC cluster", id, path);
		close(fd);
		return NULL;
	}
	if (h.version != ZC_VERSION) {
		snprintf(err, errlen, "ZC cluster %u: %s has format version %u but this library "
			 "reads version %u (restart its balancer with this library)", id, path,
			 h.version, ZC_VERSION);
		close(fd);
		return NULL;
	}
	if (h.cluster_id != id || h.size > (uint64_t)st.st_size) {
		snprintf(err, errlen, "ZC cluster %u: %s has a damaged header", id, path);
		close(fd);
		return NULL;
	}
	if (lock_holder(fd, 0) == 0) {
		snprintf(err, errlen, "ZC cluster %u: its creator is gone (stale %s)", id, path);
		close(fd);
		return NULL;
	}
	if (qid >= h.n_queues) {
		snprintf(err, errlen, "ZC cluster %u has %u queue%s (0..%u): no queue %u", id,
			 h.n_queues, h.n_queues == 1 ? "" : "s", h.n_queues - 1, qid);
		close(fd);
		return NULL;
	}
	if (lock_byte(fd, 1 + (off_t)qid) < 0) {
		int32_t owner = 0;

		/* The lock is authoritative; the pid is only for the message. */
		if (pread(fd, &owner, sizeof(owner), (off_t)(h.queue_off + qid * h.queue_stride +
			  offsetof(struct zc_spsc, owner_pid))) != (ssize_t)sizeof(owner))
			owner = 0;
		snprintf(err, errlen, "queue %u of ZC cluster %u is in use by another consumer (pid %d)",
			 qid, id, (int)owner);
		close(fd);
		return NULL;
	}
	m = mmap(NULL, h.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "ZC cluster %u: mapping %s: %s", id, path, strerror(errno));
		close(fd);
		return NULL;
	}
	zq = calloc(1, sizeof(*zq));
	if (zq == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	queue_handle_init(zq, m);
	zq->map_len = h.size;
	zq->shm_fd = fd;
	zq->id = qid;
	zq->consumer = 1;
	zq->q = zc_queue_at(zq->base, zq->hdr, qid);
	fifo_path(fpath, sizeof(fpath), id, qid);
	/* O_RDWR: with the balancer gone the FIFO would otherwise poll as
	 * hung up forever and spin its reader. */
	zq->wake_fd = open(fpath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (zq->wake_fd < 0) {
		snprintf(err, errlen, "ZC cluster %u queue %u: %s: %s", id, qid, fpath, strerror(errno));
		goto fail;
	}
	zq->sel_fd = zq->wake_fd;
	zq->timer_fd = -1;
	zq->wake_mark = 1;
	__atomic_store_n(&zq->q->owner_pid, (int32_t)getpid(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&zq->q->attaches, 1, __ATOMIC_RELAXED);
	zq->drop_base = __atomic_load_n(&zq->q->drop, __ATOMIC_RELAXED);
	pfring_zc_queue_set_format(zq, 0, PFRING_ZC_BUF_NSEC);
	return zq;
fail:
	free(zq);
	munmap(m, h.size);
	close(fd);
	return NULL;
}

void
pfring_zc_ipc_detach_queue(pfring_zc_queue *zq)
{
	if (zq == NULL || !zq->consumer)
		return;
	pfring_zc_recv_done(zq);
	zc_spsc_cons_disarm(zq->q);
	if (zq->timer_fd >= 0) {
		close(zq->timer_fd);
		close(zq->sel_fd);
	}
	__atomic_store_n(&zq->q->owner_pid, 0, __ATOMIC_RELAXED);
	unlock_byte(zq->shm_fd, 1 + (off_t)zq->id);
	close(zq->wake_fd);
	munmap(zq->base, zq->map_len);
	close(zq->shm_fd);
	free(zq);
}

void
pfring_zc_recv_done(pfring_zc_queue *zq)
{
	if (zq->held) {
		zc_spsc_cons_release(zq->q, zq->held);
		zq->recv += zq->held;
		zq->held = 0;
	}
}

void
pfring_zc_recv_release(pfring_zc_queue *zq, uint32_t n)
{
	if (n > zq->held)
		n = zq->held;
	zc_spsc_cons_release(zq->q, n);
	zq->recv += n;
	zq->held = 0;
}

static __attribute__((noinline)) void
drain_wake(pfring_zc_queue *zq)
{
	char junk[64];

	/* One wake-up per sleep: a short read has emptied it. */
	while (read(zq->wake_fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk)) {
	}
}

int
pfring_zc_queue_set_format(pfring_zc_queue *zq, uint32_t snaplen, uint32_t flags)
{
	if (zq == NULL || !zq->consumer || (flags & ~PFRING_ZC_BUF_NSEC) != 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	zq->fmt_gen = zc_spsc_cons_set_format(zq->q, snaplen, flags);
	zq->fmt_pending = 1;
	zq->conv_to = zq->q->tail;
	return 0;
}

/*
 * Bring the published packets not yet seen into our format, in place (they
 * are ours until released).  Done once the producer has acknowledged our
 * format and every packet before the slot it switched at is converted.
 */
static void
convert_pending(pfring_zc_queue *zq)
{
	struct zc_spsc *q = zq->q;
	uint32_t ack, from, head, i, snaplen = q->snaplen, flags = q->buf_flags;

	ack = __atomic_load_n(&q->fmt_ack, __ATOMIC_ACQUIRE);
	from = __atomic_load_n(&q->fmt_head, __ATOMIC_RELAXED);
	head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	if ((int32_t)(zq->conv_to - q->tail) < 0)
		zq->conv_to = q->tail;
	for (i = zq->conv_to; i != head; i++)
		zc_buf_convert(zc_qbuf(zq, q->slot[i & q->mask]), zq->buf_len, snaplen, flags);
	zq->conv_to = head;
	if (ack == zq->fmt_gen && (int32_t)(head - from) >= 0)
		zq->fmt_pending = 0;
}

/* A batching consumer goes to sleep: the timer bounds the wait (setting
 * it also clears an expiry not yet read). */
static void
start_timer(pfring_zc_queue *zq)
{
	struct itimerspec its;

	if (zq->timer_fd < 0 || zq->batch_ms <= 0)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = zq->batch_ms / 1000;
	its.it_value.tv_nsec = (long)(zq->batch_ms % 1000) * 1000000L;
	(void)timerfd_settime(zq->timer_fd, 0, &its, NULL);
}

int
zc_cons_set_batch(pfring_zc_queue *zq, uint32_t mark, int timeout_ms, char *err, size_t errlen)
{
	struct epoll_event ev;
	int tfd = -1, efd = -1;

	if (mark > zq->q->len / 2)
		mark = zq->q->len / 2;
	if (mark <= 1 || timeout_ms <= 0) {
		/* The fd stays what callers were given; the timer stops (which
		 * also clears an expiry not yet read). */
		struct itimerspec off;

		memset(&off, 0, sizeof(off));
		if (zq->timer_fd >= 0)
			(void)timerfd_settime(zq->timer_fd, 0, &off, NULL);
		zq->wake_mark = 1;
		zq->batch_ms = 0;
		return 0;
	}
	if (zq->timer_fd < 0) {
		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		efd = epoll_create1(EPOLL_CLOEXEC);
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		if (tfd < 0 || efd < 0 || epoll_ctl(efd, EPOLL_CTL_ADD, zq->wake_fd, &ev) < 0 ||
		    epoll_ctl(efd, EPOLL_CTL_ADD, tfd, &ev) < 0) {
			if (err != NULL)
				snprintf(err, errlen, "ZC queue %u: wake-up timer: %s", zq->id,
					 strerror(errno));
			if (tfd >= 0)
				close(tfd);
			if (efd >= 0)
				close(efd);
			return -1;
		}
		zq->timer_fd = tfd;
		zq->sel_fd = efd;
	}
	zq->wake_mark = mark;
	zq->batch_ms = timeout_ms;
	return 0;
}

uint32_t
zc_cons_begin(pfring_zc_queue *zq)
{
	uint32_t avail;

	if (zq->held) {
		zc_spsc_cons_release(zq->q, zq->held);
		zq->recv += zq->held;
		zq->held = 0;
	}
	for (;;) {
		if (__builtin_expect(zq->fmt_pending, 0))
			convert_pending(zq);
		avail = zc_spsc_cons_avail(zq->q);
		if (avail == 0) {
			if (zq->armed == 1) {
				zq->armed = 2;
				return 0;
			}
			if (zq->armed == 2) {
				/* Asked again while still empty: a poll may have woken on
				 * a stale wake-up (one sent for an arm that found packets
				 * and was withdrawn) or on the batch timer, which would
				 * keep the fd readable.  Drain them; if the producer took
				 * the arm meanwhile, it has published: arm again, which
				 * looks. */
				drain_wake(zq);
				if (__atomic_load_n(&zq->q->waiting, __ATOMIC_ACQUIRE) != 0) {
					start_timer(zq);
					return 0;
				}
				zq->armed = 0;
				continue;
			}
			if (zc_spsc_cons_arm_mark(zq->q, zq->wake_mark)) {
				zq->armed = 1;
				start_timer(zq);
				return 0;
			}
			continue;
		}
		if (zq->armed) {
			zc_spsc_cons_disarm(zq->q);
			drain_wake(zq);
			zq->armed = 0;
		}
		/* Not past what convert_pending() saw. */
		if (zq->fmt_pending && avail > zq->conv_to - zq->q->tail)
			avail = zq->conv_to - zq->q->tail;
		if (avail > 0)
			return avail;
	}
}

int
pfring_zc_recv_pkt_burst(pfring_zc_queue *zq, pfring_zc_pkt_buff **pkts, int max, int wait)
{
	struct pollfd pfd;
	uint32_t avail, i;

	if (zq == NULL || !zq->consumer || pkts == NULL || max <= 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	for (;;) {
		avail = zc_cons_begin(zq);
		if (avail > 0) {
			if (avail > (uint32_t)max)
				avail = (uint32_t)max;
			for (i = 0; i < avail; i++)
				pkts[i] = zc_qbuf(zq, zc_spsc_cons_peek(zq->q, i));
			zq->held = avail;
			return (int)avail;
		}
		if (!wait)
			return 0;
		pfd.fd = zq->sel_fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) < 0)
			return 0; /* a signal: let the caller look at its flags */
		drain_wake(zq);
		/* The producer cleared the flag when it woke us: a spurious or
		 * stale wake-up must arm again before sleeping. */
		zq->armed = 0;
	}
}

int
pfring_zc_recv_pkt(pfring_zc_queue *zq, pfring_zc_pkt_buff **pkt, int wait)
{
	return pfring_zc_recv_pkt_burst(zq, pkt, 1, wait);
}

int
pfring_zc_queue_fd(pfring_zc_queue *zq)
{
	return zq ? zq->sel_fd : PF_RING_ERROR_INVALID_ARGUMENT;
}

int
pfring_zc_queue_stats(pfring_zc_queue *zq, pfring_zc_stat *st)
{
	struct zc_spsc *q;

	if (zq == NULL || st == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	q = zq->q;
	memset(st, 0, sizeof(*st));
	st->sent = __atomic_load_n(&q->enq, __ATOMIC_RELAXED);
	st->queued = zc_spsc_used(q);
	st->attaches = __atomic_load_n(&q->attaches, __ATOMIC_RELAXED);
	if (zq->consumer) {
		st->recv = zq->recv;
		st->drop = __atomic_load_n(&q->drop, __ATOMIC_RELAXED) - zq->drop_base;
		st->consumer = getpid();
	} else {
		st->recv = __atomic_load_n(&q->deq, __ATOMIC_RELAXED);
		st->drop = __atomic_load_n(&q->drop, __ATOMIC_RELAXED);
		/* The lock, not owner_pid, says whether the consumer still lives. */
		st->consumer = lock_holder(zq->shm_fd, 1 + (off_t)zq->id) != 0 ?
			__atomic_load_n(&q->owner_pid, __ATOMIC_RELAXED) : 0;
	}
	return 0;
}

uint32_t
pfring_zc_queue_id(pfring_zc_queue *zq)
{
	return zq->id;
}

uint32_t
pfring_zc_queue_len(pfring_zc_queue *zq)
{
	return zq->q->len;
}

/* "pfring_zc.<id>" exactly (the wake-up FIFOs have more dots): the id, else 0. */
static uint32_t
cluster_file_id(const char *name)
{
	static const char stem[] = "pfring_zc.";
	unsigned long v = 0;
	const char *c = name + sizeof(stem) - 1;

	if (strncmp(name, stem, sizeof(stem) - 1) != 0 || *c == '\0' || *c == '0')
		return 0;
	for (; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return 0;
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > 65535)
			return 0;
	}
	return (uint32_t)v;
}

/*
 * A live cluster: a complete header whose creator still holds its lock.
 * Only lock queries: listing never takes a queue from a consumer about to
 * attach.  A file this user cannot open is a cluster it cannot read either.
 */
static void
list_dir(const char *dir, pfring_zc_cluster_info *out, size_t max, size_t *n)
{
	struct zc_shm_hdr h;
	struct dirent *e;
	char path[PATH_MAX];
	uint32_t id, q;
	size_t i;
	DIR *d;
	int fd;

	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && *n < max) {
		id = cluster_file_id(e->d_name);
		if (id == 0)
			continue;
		for (i = 0; i < *n && out[i].id != id; i++)
			;
		if (i < *n)
			continue;	/* a stale twin in the other directory */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) && h.magic == ZC_MAGIC &&
		    h.version == ZC_VERSION && h.cluster_id == id && h.ready == 1 &&
		    h.n_queues >= 1 && h.n_queues <= PFRING_ZC_MAX_QUEUES &&
		    lock_holder(fd, 0) == 1) {
			out[*n].id = id;
			out[*n].n_queues = h.n_queues;
			out[*n].busy = 0;
			for (q = 0; q < h.n_queues; q++)
				if (lock_holder(fd, 1 + (off_t)q) == 1)
					out[*n].busy |= 1ull << q;
			(*n)++;
		}
		close(fd);
	}
	closedir(d);
}

static int
info_cmp(const void *a, const void *b)
{
	const pfring_zc_cluster_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

size_t
pfring_zc_list_clusters(pfring_zc_cluster_info *out, size_t max)
{
	char dev[256], dir[256], type[64];
	size_t n = 0;
	FILE *f;

	list_dir(ZC_SHM_DIR, out, max, &n);
	/* Every hugetlbfs mount: another process may have picked another one. */
	f = fopen("/proc/mounts", "re");
	if (f != NULL) {
		while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3)
			if (strcmp(type, "hugetlbfs") == 0)
				list_dir(dir, out, max, &n);
		fclose(f);
	}
	qsort(out, n, sizeof(*out), info_cmp);
	return n;
}
