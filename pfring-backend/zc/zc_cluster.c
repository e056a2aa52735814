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
/* How long a consumer whose balancer died waits for a new one. */
#define ZC_REATTACH_MS 3000

/* Cluster id's file and queue qid's wake-up FIFO, inside an owner's folder. */
static void
cluster_name(char *out, size_t len, uint32_t id)
{
	snprintf(out, len, "pfring_zc.%u", id);
}

static void
fifo_name(char *out, size_t len, uint32_t id, uint32_t qid)
{
	snprintf(out, len, "pfring_zc.%u.%u.wake", id, qid);
}

/* uid's folder under base: only uid may create or remove files in it. */
static void
owner_dir_path(char *out, size_t len, const char *base, uid_t uid)
{
	snprintf(out, len, "%s/" ZC_DIR_STEM "%u", base, (unsigned)uid);
}

static int
in_groups(gid_t gid)
{
	gid_t list[256];
	int n, i;

	if (gid == getegid())
		return 1;
	n = getgroups(256, list);
	for (i = 0; i < n; i++)
		if (list[i] == gid)
			return 1;
	return 0;
}

/* A folder (not a link) that uid owns and no one else may write. */
static int
dir_trusted(int dfd, uid_t uid)
{
	struct stat st;

	return fstat(dfd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid &&
		(st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Open uid's folder under base if it is trustworthy; -1 otherwise. */
static int
open_owner_dir(const char *base, uid_t uid)
{
	char path[PATH_MAX];
	int dfd;

	owner_dir_path(path, sizeof(path), base, uid);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0 && !dir_trusted(dfd, uid)) {
		close(dfd);
		return -1;
	}
	return dfd;
}

/*
 * This user's folder under base, made if missing (0755: consumers of a
 * group-shared cluster must reach its file; the files guard themselves).
 * base (/dev/shm) is world-writable, so someone else may have put a file,
 * link or folder there first: root moves it aside (notice says so), anyone
 * else is told whose it is.  -1 with why.
 */
static int
open_own_dir(const char *base, char *why, size_t wlen, char *notice, size_t nlen)
{
	char path[PATH_MAX], aside[PATH_MAX + 32];
	uid_t uid = geteuid();
	struct stat st;
	int dfd, tries;

	owner_dir_path(path, sizeof(path), base, uid);
	for (tries = 0; tries < 2; tries++) {
		if (mkdir(path, 0755) == 0) {
			dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* The umask may have narrowed it. */
			if (dfd >= 0 && fchmod(dfd, 0755) == 0 && dir_trusted(dfd, uid))
				return dfd;
			if (dfd >= 0)
				close(dfd);
		} else if (errno != EEXIST) {
			snprintf(why, wlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		dfd = open_owner_dir(base, uid);
		if (dfd >= 0)
			return dfd;
		if (lstat(path, &st) < 0) {
			snprintf(why, wlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (uid != 0 || tries > 0)
			break;
		snprintf(aside, sizeof(aside), "%s.refused.%llu", path,
			 (unsigned long long)st.st_ino);
		if (rename(path, aside) < 0)
			break;
		snprintf(notice, nlen, "moved %s aside to %s: it was not root's own folder "
			 "(made by uid %u, mode %04o)", path, aside, (unsigned)st.st_uid,
			 (unsigned)(st.st_mode & 07777));
	}
	snprintf(why, wlen, "%s is not this user's own folder (it belongs to uid %u, mode %04o, "
		 "and this is uid %u): remove it", path, (unsigned)st.st_uid,
		 (unsigned)(st.st_mode & 07777), (unsigned)uid);
	return -1;
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

/* An existing file for cluster id in our own folder dfd: in use (error)
 * or stale (removed). */
static int
clear_stale(int dfd, const char *dir, uint32_t id, char *err, size_t errlen)
{
	struct zc_shm_hdr h;
	char name[64];
	int fd, held;

	cluster_name(name, sizeof(name), id);
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno != ELOOP) {
			snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(errno));
			return -1;
		}
	} else {
		held = lock_holder(fd, 0);
		if (held != 0) {
			memset(&h, 0, sizeof(h));
			if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
				h.creator_pid = 0;
			close(fd);
			snprintf(err, errlen, "ZC cluster %u already exists (created by pid %d, %s/%s)",
				 id, (int)h.creator_pid, dir, name);
			return -1;
		}
		close(fd);
	}
	/* Its creator died without cleaning up. */
	unlinkat(dfd, name, 0);
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
 * Fill in the layout of a cluster from its four choices (n_queues,
 * queue_len, buf_stride, n_buffers).  The creator uses it to lay the file
 * out, an attacher to check a header it read: every derived field must be
 * what this computes.  0, or -1 when the choices are out of range.
 */
static int
zc_layout(struct zc_shm_hdr *h)
{
	if (h->n_queues == 0 || h->n_queues > PFRING_ZC_MAX_QUEUES ||
	    h->queue_len < 2 || h->queue_len > (1u << 24) || (h->queue_len & (h->queue_len - 1)) ||
	    h->buf_stride < ZC_CHUNK_MIN || h->buf_stride > (1u << 17) ||
	    (h->buf_stride & (h->buf_stride - 1)) ||
	    (uint64_t)h->n_buffers < (uint64_t)h->n_queues * h->queue_len ||
	    h->n_buffers > (1u << 28))
		return -1;
	h->buf_shift = (uint32_t)__builtin_ctz(h->buf_stride);
	h->buf_len = h->buf_stride - ZC_DATA_OFF;
	h->queue_off = (sizeof(*h) + 63) & ~(uint64_t)63;
	h->queue_stride = zc_spsc_size(h->queue_len);
	h->buf_off = h->queue_off + h->queue_stride * h->n_queues;
	h->buf_off = (h->buf_off + ZC_REGION_ALIGN - 1) & ~(uint64_t)(ZC_REGION_ALIGN - 1);
	h->buf_region_len = ((uint64_t)h->n_buffers * h->buf_stride + ZC_REGION_ALIGN - 1) &
		~(uint64_t)(ZC_REGION_ALIGN - 1);
	return 0;
}

/* A header read from a cluster file of file_size bytes, for cluster id:
 * NULL if it is sound, else what is wrong. */
static const char *
hdr_problem(const struct zc_shm_hdr *h, uint32_t id, uint64_t file_size)
{
	struct zc_shm_hdr want = *h;

	if (h->cluster_id != id)
		return "it names another cluster id";
	if (zc_layout(&want) < 0)
		return "its geometry is out of range";
	if (want.buf_shift != h->buf_shift || want.buf_len != h->buf_len ||
	    want.queue_off != h->queue_off || want.queue_stride != h->queue_stride ||
	    want.buf_off != h->buf_off || want.buf_region_len != h->buf_region_len)
		return "its layout fields disagree with its geometry";
	if (h->size < h->buf_off + h->buf_region_len || h->size > file_size)
		return "its size disagrees with the file's";
	return NULL;
}

/*
 * Create and map the backing file in the folder dfd (path dir).  Returns
 * the fd, or -1 with why in reason (for the hugepage attempt that reason
 * becomes the message).
 */
static int
make_backing(pfring_zc_cluster *c, int dfd, const char *dir, size_t size, gid_t group,
	     int populate, char *reason, size_t rlen)
{
	char name[64];
	int fd;
	void *m;

	cluster_name(name, sizeof(name), c->id);
	snprintf(c->path, sizeof(c->path), "%s/%s", dir, name);
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
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
	unlinkat(dfd, name, 0);
	return -1;
}

static void
unlink_fifos(int dfd, uint32_t id, uint32_t n)
{
	char name[64];
	uint32_t i;

	for (i = 0; i < n; i++) {
		fifo_name(name, sizeof(name), id, i);
		unlinkat(dfd, name, 0);
	}
}

static int
make_fifo(int dfd, uint32_t id, uint32_t qid, gid_t group, char *err, size_t errlen)
{
	char name[64];
	int fd;

	fifo_name(name, sizeof(name), id, qid);
	unlinkat(dfd, name, 0);
	if (mkfifoat(dfd, name, 0600) < 0) {
		snprintf(err, errlen, "mkfifo %s: %s", name, strerror(errno));
		return -1;
	}
	/* O_RDWR: opening does not wait for a reader and writes never SIGPIPE. */
	fd = openat(dfd, name, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || set_access(fd, group) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* A queue handle over the mapping at base, with geo (checked) as its
 * private copy of the header. */
static void
queue_handle_init(struct pfring_zc_queue *zq, uint8_t *base, const struct zc_shm_hdr *geo)
{
	zq->base = base;
	zq->geo = *geo;
	zq->hdr = &zq->geo;
	zq->buf0 = base + geo->buf_off + ZC_BUF_HDR_OFF;
	zq->buf_shift = geo->buf_shift;
	zq->buf_stride = geo->buf_stride;
	zq->timer_fd = -1;
	zq->sel_fd = -1;
	zq->wake_mark = 1;
	zq->buf_len = geo->buf_len;
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
	char hdir[256], hown[PATH_MAX], own[PATH_MAX], why[PATH_MAX + 256] = "";
	char reason[PATH_MAX + 256], notice[PATH_MAX * 2 + 128] = "";
	struct zc_shm_hdr h;
	pfring_zc_cluster *c;
	struct statfs sfs;
	size_t size, hsize;
	uint32_t i, j, idx;
	int hdfd = -1;

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
	if (id == 0 || id > PF_RING_MAX_CLUSTER_ID) {
		snprintf(err, errlen, "ZC cluster id %u out of range 1..%u", id,
			 PF_RING_MAX_CLUSTER_ID);
		return NULL;
	}
	if (n_queues == 0 || n_queues > PFRING_ZC_MAX_QUEUES) {
		snprintf(err, errlen, "ZC cluster %u: %u queues (1..%d)", id, n_queues,
			 PFRING_ZC_MAX_QUEUES);
		return NULL;
	}
	if (o.queue_len > (1u << 24) || o.buf_len < 64 || o.buf_len > 65536 ||
	    o.extra_bufs > (1u << 24)) {
		snprintf(err, errlen, "ZC cluster %u: queue length %u (max %u), buffer length %u"
			 " (64..65536) or extra buffers %u (max %u) out of range", id, o.queue_len,
			 1u << 24, o.buf_len, o.extra_bufs, 1u << 24);
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
	h.n_buffers = n_queues * h.queue_len + o.extra_bufs;
	if (zc_layout(&h) < 0) {
		snprintf(err, errlen, "ZC cluster %u: %u queues of %u slots and %u buffers are "
			 "too many", id, n_queues, h.queue_len, h.n_buffers);
		return NULL;
	}
	size = h.buf_off + h.buf_region_len;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->id = id;
	c->shm_fd = -1;
	/* The wake-up FIFOs always live in /dev/shm, so that folder is needed
	 * even when the memory is in hugepages. */
	c->dir_fd = open_own_dir(ZC_SHM_DIR, why, sizeof(why), notice, sizeof(notice));
	if (c->dir_fd < 0) {
		snprintf(err, errlen, "ZC cluster %u: %s", id, why);
		goto fail;
	}
	owner_dir_path(own, sizeof(own), ZC_SHM_DIR, geteuid());
	if (hugetlbfs_dir(hdir, sizeof(hdir))) {
		owner_dir_path(hown, sizeof(hown), hdir, geteuid());
		hdfd = open_owner_dir(hdir, geteuid());
		if (hdfd >= 0 && clear_stale(hdfd, hown, id, err, errlen) < 0)
			goto fail;
	}
	if (clear_stale(c->dir_fd, own, id, err, errlen) < 0)
		goto fail;

	why[0] = '\0';
	if (o.hugepages == PFRING_ZC_HUGEPAGES_NEVER) {
		snprintf(why, sizeof(why), "hugepages not wanted");
	} else if (!hugetlbfs_dir(hdir, sizeof(hdir))) {
		snprintf(why, sizeof(why), "no hugetlbfs mounted");
	} else if (statfs(hdir, &sfs) < 0 || sfs.f_type != HUGETLBFS_MAGIC_NR) {
		snprintf(why, sizeof(why), "%.200s is not hugetlbfs", hdir);
	} else if (hdfd < 0 &&
		   (hdfd = open_own_dir(hdir, reason, sizeof(reason), notice, sizeof(notice))) < 0) {
		snprintf(why, sizeof(why), "hugepages unavailable: %.400s", reason);
	} else {
		hsize = ((size + (size_t)sfs.f_bsize - 1) / (size_t)sfs.f_bsize) * (size_t)sfs.f_bsize;
		c->shm_fd = make_backing(c, hdfd, hown, hsize, o.group, 1, reason, sizeof(reason));
		if (c->shm_fd >= 0) {
			h.hugepages = 1;
			size = hsize;
			snprintf(c->info, sizeof(c->info), "ZC cluster %u: %.1f MiB in hugepages (%s)",
				 id, (double)size / 1048576.0, c->path);
		} else {
			snprintf(why, sizeof(why), "hugepages unavailable: %.400s", reason);
		}
	}
	if (hdfd >= 0)
		close(hdfd);
	hdfd = -1;
	if (c->shm_fd < 0) {
		if (o.hugepages == PFRING_ZC_HUGEPAGES_REQUIRE) {
			snprintf(err, errlen, "ZC cluster %u: hugepages required but %s", id, why);
			goto fail;
		}
		c->shm_fd = make_backing(c, c->dir_fd, own, size, o.group, 0, reason, sizeof(reason));
		if (c->shm_fd < 0) {
			snprintf(err, errlen, "ZC cluster %u: %s", id, reason);
			goto fail;
		}
		snprintf(c->info, sizeof(c->info),
			 "ZC cluster %u: %.1f MiB of plain shared memory (%s): %.200s", id,
			 (double)size / 1048576.0, c->path, why);
	}
	if (notice[0] != '\0') {
		/* A squatter was moved aside: say so where the user looks. */
		size_t l = strlen(c->info);

		snprintf(c->info + l, sizeof(c->info) - l, "; %.200s", notice);
	}
	h.size = size;
	h.creator_pid = (int32_t)getpid();
	c->geo = h;
	c->hdr = &c->geo;
	c->shm_hdr = (struct zc_shm_hdr *)c->base;
	memcpy(c->shm_hdr, &h, sizeof(h));
	c->shm_hdr->ready = 0;

	c->queues = calloc(n_queues, sizeof(*c->queues));
	c->owned = calloc((size_t)n_queues * h.queue_len, sizeof(uint32_t));
	c->free_stack = calloc(o.extra_bufs, sizeof(uint32_t));
	if (c->queues == NULL || c->owned == NULL || c->free_stack == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < n_queues; i++)
		c->queues[i].wake_fd = -1;
	idx = 0;
	for (i = 0; i < n_queues; i++) {
		struct pfring_zc_queue *zq = &c->queues[i];
		uint32_t *owned = c->owned + (size_t)i * h.queue_len;

		queue_handle_init(zq, c->base, &c->geo);
		zq->q = zc_queue_at(c->base, &c->geo, i);
		zq->id = i;
		zq->shm_fd = c->shm_fd; /* the cluster's: for lock queries only */
		zc_spsc_init(zq->q, h.queue_len, 0);
		for (j = 0; j < h.queue_len; j++)
			owned[j] = idx++;
		zc_prod_init(&zq->prod, zq->q, h.queue_len, 0, owned);
		zq->wake_fd = make_fifo(c->dir_fd, id, i, o.group, err, errlen);
		if (zq->wake_fd < 0)
			goto fail;
		zq->sel_fd = zq->wake_fd;
	}
	for (; idx < h.n_buffers; idx++)
		c->free_stack[c->n_free++] = idx;
	pthread_mutex_init(&c->pool_lock, NULL);
	__atomic_store_n(&c->shm_hdr->ready, 1, __ATOMIC_RELEASE);
	return c;
fail:
	if (c->queues != NULL) {
		for (i = 0; i < n_queues; i++)
			if (c->queues[i].wake_fd >= 0)
				close(c->queues[i].wake_fd);
		unlink_fifos(c->dir_fd, id, n_queues);
	}
	if (c->base != NULL) {
		munmap(c->base, c->size);
		unlink(c->path);
	}
	if (c->shm_fd >= 0)
		close(c->shm_fd);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	if (hdfd >= 0)
		close(hdfd);
	free(c->queues);
	free(c->owned);
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
	/* c->path is in our own folder: nobody else can have replaced it. */
	unlink(c->path);
	unlink_fifos(c->dir_fd, c->id, c->hdr->n_queues);
	for (i = 0; i < c->hdr->n_queues; i++)
		close(c->queues[i].wake_fd);
	pthread_mutex_destroy(&c->pool_lock);
	munmap(c->base, c->size);
	close(c->shm_fd);
	close(c->dir_fd);
	free(c->queues);
	free(c->owned);
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
	if (zc_prod_need_wake(zq->q, &zq->prod)) {
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
	if (zc_prod_room(zq->q, &zq->prod, 1) == 0) {
		zc_prod_drops(zq->q, &zq->prod, 1);
		return 0;
	}
	zc_buf_convert(*pkt, zq->buf_len, snaplen, flags);
	*pkt = zc_qbuf(zq, zc_prod_swap(zq->q, &zq->prod, 0, zc_buf_idx(zq->base, zq->hdr, *pkt)));
	zc_prod_publish(zq->q, &zq->prod, 1);
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
	zc_prod_format(zq->q, &zq->prod, &snaplen, &flags);
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
	zc_prod_format(zq->q, &zq->prod, &snaplen, &flags);
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
	uint32_t snaplen, flags;

	if (zq == NULL || zq->consumer || frame == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (zc_prod_room(zq->q, &zq->prod, 1) == 0) {
		zc_prod_drops(zq->q, &zq->prod, 1);
		return 0;
	}
	zc_prod_format(zq->q, &zq->prod, &snaplen, &flags);
	b = zc_qbuf(zq, zc_prod_fill(zq->q, &zq->prod, 0));
	caplen = zc_buf_set_hdr(b, zq->buf_len, snaplen, flags, ts ? (int64_t)ts->tv_sec : 0,
				ts ? (uint32_t)ts->tv_nsec : 0, caplen, wire_len, hash);
	memcpy(pfring_zc_pkt_data(b), frame, caplen);
	zc_prod_publish(zq->q, &zq->prod, 1);
	zq->unsynced = 1;
	if (flush)
		pfring_zc_sync_queue(zq);
	return 1;
}

/* --- consumer end --- */

/* Where a consumer found its cluster: the file and its owner. */
struct zc_found {
	int fd;
	uid_t owner;
	char path[PATH_MAX];
};

/*
 * Whether the open cluster file fd (at path, in owner's folder) may be
 * used: a regular file of the folder's owner that others cannot write,
 * and either ours or shared (0660) with one of our groups.  0 with *st
 * filled, or -1 with why.
 */
static int
file_refused(int fd, uid_t owner, const char *path, struct stat *st, char *why, size_t wlen)
{
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) || st->st_uid != owner ||
	    (st->st_mode & S_IWOTH) != 0) {
		snprintf(why, wlen, "%s is not a cluster file of uid %u (owner %u, mode %04o): "
			 "refused", path, (unsigned)owner, (unsigned)st->st_uid,
			 (unsigned)(st->st_mode & 07777));
		return -1;
	}
	if (owner != geteuid() &&
	    ((st->st_mode & (S_IRGRP | S_IWGRP)) != (S_IRGRP | S_IWGRP) ||
	     !in_groups(st->st_gid))) {
		snprintf(why, wlen, "%s was made by uid %u and is not shared with any of this "
			 "user's groups (group %u, mode %04o): refused", path, (unsigned)owner,
			 (unsigned)st->st_gid, (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * Cluster id's file in uid's folder under base, if it is there and may be
 * trusted: 1 found (f filled), 0 not there, -1 there but refused (why says
 * whose it is and why).
 */
static int
try_owner(const char *base, uid_t uid, uint32_t id, struct zc_found *f, char *why, size_t wlen)
{
	char name[64];
	struct stat st;
	int dfd, fd;

	dfd = open_owner_dir(base, uid);
	if (dfd < 0)
		return 0;
	cluster_name(name, sizeof(name), id);
	owner_dir_path(f->path, sizeof(f->path), base, uid);
	snprintf(f->path + strlen(f->path), sizeof(f->path) - strlen(f->path), "/%s", name);
	fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == EACCES)
			/* e.g. tcpdump, which gives up root once its capture is open */
			snprintf(why, wlen, "%s: permission denied to uid %u (share the cluster "
				 "with one of its groups: zbalance -G)", f->path,
				 (unsigned)geteuid());
		else
			snprintf(why, wlen, "%s: %s", f->path, strerror(errno));
		return -1;
	}
	if (file_refused(fd, uid, f->path, &st, why, wlen) < 0) {
		close(fd);
		return -1;
	}
	f->fd = fd;
	f->owner = uid;
	return 1;
}

static int
uid_cmp(const void *a, const void *b)
{
	uid_t x = *(const uid_t *)a, y = *(const uid_t *)b;

	return x < y ? -1 : x > y;
}

/* The owners with a folder under base, ascending; how many (at most max). */
static size_t
owners_in(const char *base, uid_t *out, size_t max)
{
	struct dirent *e;
	unsigned long v;
	size_t n = 0;
	char *end;
	DIR *d;

	d = opendir(base);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		if (strncmp(e->d_name, ZC_DIR_STEM, sizeof(ZC_DIR_STEM) - 1) != 0)
			continue;
		errno = 0;
		v = strtoul(e->d_name + sizeof(ZC_DIR_STEM) - 1, &end, 10);
		if (errno == 0 && *end == '\0' && end != e->d_name + sizeof(ZC_DIR_STEM) - 1 &&
		    v < (unsigned long)(uid_t)-1)
			out[n++] = (uid_t)v;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), uid_cmp);
	return n;
}

#define MAX_OWNERS 256

/* Whose folders under base are searched, in order: this user's, root's,
 * then every other owner's, ascending.  How many (at most MAX_OWNERS + 2). */
static size_t
search_order(const char *base, uid_t *owners)
{
	size_t n, k, kept;

	owners[0] = geteuid();
	owners[1] = 0;
	n = owners[0] == 0 ? 1 : 2;
	kept = n;
	n += owners_in(base, owners + n, MAX_OWNERS);
	for (k = kept; k < n; k++)
		if (owners[k] != owners[0] && owners[k] != 0)
			owners[kept++] = owners[k];
	return kept;
}

/*
 * Find cluster id: this user's own folders first, then root's, then any
 * other user's (a cluster shared with one of our groups); hugetlbfs before
 * /dev/shm in each.  A refused file is passed over, but named in err if no
 * acceptable one is found.  0 with f filled, or -1.
 */
static int
find_cluster(uint32_t id, struct zc_found *f, char *err, size_t errlen)
{
	char bases[2][256], why[PATH_MAX + 256] = "";
	uid_t owners[MAX_OWNERS + 2];
	size_t n_owners, k;
	int n_bases = 0, i, rc;

	if (hugetlbfs_dir(bases[0], sizeof(bases[0])))
		n_bases++;
	snprintf(bases[n_bases++], sizeof(bases[0]), "%s", ZC_SHM_DIR);
	for (i = 0; i < n_bases; i++) {
		n_owners = search_order(bases[i], owners);
		for (k = 0; k < n_owners; k++) {
			rc = try_owner(bases[i], owners[k], id, f, why, sizeof(why));
			if (rc > 0)
				return 0;
		}
	}
	if (why[0] != '\0')
		snprintf(err, errlen, "ZC cluster %u: %s", id, why);
	else
		snprintf(err, errlen, "no ZC cluster %u (start one first, e.g. zbalance -c %u)",
			 id, id);
	return -1;
}

static const char *
proc_fd_path(char *out, size_t len, int fd)
{
	snprintf(out, len, "/proc/self/fd/%d", fd);
	return out;
}

/* Queue qid's wake-up FIFO of a cluster owned by owner: it must be a FIFO
 * of the same owner in the owner's folder.  The fd, or -1 with err. */
static int
open_fifo(uid_t owner, uint32_t id, uint32_t qid, char *err, size_t errlen)
{
	char name[64], path[64];
	struct stat st;
	int dfd, fd, wfd;

	fifo_name(name, sizeof(name), id, qid);
	dfd = open_owner_dir(ZC_SHM_DIR, owner);
	if (dfd < 0) {
		snprintf(err, errlen, "ZC cluster %u: no trustworthy folder of uid %u in " ZC_SHM_DIR
			 " for its wake-ups", id, (unsigned)owner);
		return -1;
	}
	/* Read-only: while the balancer lives it holds the write end; when it
	 * dies the FIFO polls as hung up, which wakes pollers to find out. */
	fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0) {
		snprintf(err, errlen, "ZC cluster %u queue %u: %s: %s", id, qid, name,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) || st.st_uid != owner) {
		snprintf(err, errlen, "ZC cluster %u queue %u: %s is not its owner's FIFO: refused",
			 id, qid, name);
		close(fd);
		return -1;
	}
	/* A reader sees hang-up only once a writer has come after it opened:
	 * be that writer for a moment. */
	wfd = open(proc_fd_path(path, sizeof(path), fd), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (wfd >= 0)
		close(wfd);
	return fd;
}

/* Make our own fd readable: a byte through a write end opened for the
 * moment (the fd we keep is read-only, so that the balancer's end going
 * away shows as hang-up).  EAGAIN: the FIFO is full, readable anyway. */
static void
self_wake(pfring_zc_queue *zq)
{
	char path[64];
	int fd;

	fd = open(proc_fd_path(path, sizeof(path), zq->wake_fd), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "", 1) < 0) {
	}
	close(fd);
}

static void drain_wake(pfring_zc_queue *zq);

/*
 * A new consumer's fd polls readable exactly when packets are queued, from
 * the first poll on (before any receive): a wake-up an earlier consumer
 * left in the FIFO goes, the wake-up is armed for the first packet, and
 * packets queued before we came make the fd readable now (one byte of our
 * own, which the first receive drains as it would the producer's).
 */
static void
cons_prime(pfring_zc_queue *zq)
{
	drain_wake(zq);
	if (zc_cons_arm(zq->q, &zq->cons)) {
		zq->armed = 1;
		return;
	}
	self_wake(zq);
	zq->armed = 4;
}

pfring_zc_queue *
pfring_zc_ipc_attach_queue(uint32_t id, uint32_t qid, char *err, size_t errlen)
{
	struct zc_found f;
	struct zc_shm_hdr h;
	pfring_zc_queue *zq;
	const char *problem;
	struct stat st;
	void *m;
	int fd;

	if (id == 0 || id > PF_RING_MAX_CLUSTER_ID) {
		snprintf(err, errlen, "ZC cluster id %u out of range 1..%u", id,
			 PF_RING_MAX_CLUSTER_ID);
		return NULL;
	}
	if (find_cluster(id, &f, err, errlen) < 0)
		return NULL;
	fd = f.fd;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) || h.magic != ZC_MAGIC) {
		snprintf(err, errlen, "ZC cluster %u: %s is not a ZC cluster", id, f.path);
		close(fd);
		return NULL;
	}
	if (h.version != ZC_VERSION) {
		snprintf(err, errlen, "ZC cluster %u: %s has format version %u but this library "
			 "reads version %u (restart its balancer with this library)", id, f.path,
			 h.version, ZC_VERSION);
		close(fd);
		return NULL;
	}
	problem = hdr_problem(&h, id, (uint64_t)st.st_size);
	if (problem != NULL) {
		snprintf(err, errlen, "ZC cluster %u: %s has a damaged header (%s)", id, f.path,
			 problem);
		close(fd);
		return NULL;
	}
	if (lock_holder(fd, 0) == 0) {
		snprintf(err, errlen, "ZC cluster %u: its creator is gone (stale %s)", id, f.path);
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
		snprintf(err, errlen, "ZC cluster %u: mapping %s: %s", id, f.path, strerror(errno));
		close(fd);
		return NULL;
	}
	zq = calloc(1, sizeof(*zq));
	if (zq == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* From here on only the private copy h is read: the file's header
	 * may change under us. */
	queue_handle_init(zq, m, &h);
	zq->map_len = h.size;
	zq->shm_fd = fd;
	zq->id = qid;
	zq->cluster_id = id;
	zq->owner = f.owner;
	zq->consumer = 1;
	zq->q = zc_queue_at(zq->base, zq->hdr, qid);
	zq->wake_fd = open_fifo(f.owner, id, qid, err, errlen);
	if (zq->wake_fd < 0)
		goto fail;
	zq->sel_fd = zq->wake_fd;
	zq->timer_fd = -1;
	zq->wake_mark = 1;
	zc_cons_init(&zq->cons, zq->q, h.queue_len, h.n_buffers);
	zq->fmt_gen = __atomic_load_n(&zq->q->fmt_gen, __ATOMIC_RELAXED);
	__atomic_store_n(&zq->q->owner_pid, (int32_t)getpid(), __ATOMIC_RELAXED);
	__atomic_fetch_add(&zq->q->attaches, 1, __ATOMIC_RELAXED);
	zq->drop_base = __atomic_load_n(&zq->q->drop, __ATOMIC_RELAXED);
	pfring_zc_queue_set_format(zq, 0, PFRING_ZC_BUF_NSEC);
	cons_prime(zq);
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
	zc_cons_disarm(zq->q);
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
		zc_cons_release(zq->q, &zq->cons, zq->held);
		zq->recv += zq->held;
		zq->held = 0;
	}
}

void
pfring_zc_recv_release(pfring_zc_queue *zq, uint32_t n)
{
	if (n > zq->held)
		n = zq->held;
	zc_cons_release(zq->q, &zq->cons, n);
	zq->recv += n;
	zq->held = 0;
}

/* Empty the wake-up FIFO.  A read of 0 bytes is end of file: the balancer
 * closed its end (it died or stopped), so check on it at once. */
static __attribute__((noinline)) void
drain_wake(pfring_zc_queue *zq)
{
	char junk[64];
	ssize_t n;

	/* One wake-up per sleep: a short read has emptied it. */
	while ((n = read(zq->wake_fd, junk, sizeof(junk))) == (ssize_t)sizeof(junk)) {
	}
	if (n == 0)
		zq->next_check_ms = 0;
}

int
pfring_zc_queue_set_format(pfring_zc_queue *zq, uint32_t snaplen, uint32_t flags)
{
	if (zq == NULL || !zq->consumer || (flags & ~PFRING_ZC_BUF_NSEC) != 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	zq->snaplen = snaplen;
	zq->buf_flags = flags;
	zc_cons_set_format(zq->q, ++zq->fmt_gen, snaplen, flags);
	zq->fmt_pending = 1;
	zq->conv_to = zq->cons.tail;
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
	uint32_t ack, from, n, i, idx;

	ack = __atomic_load_n(&q->fmt_ack, __ATOMIC_ACQUIRE);
	from = __atomic_load_n(&q->fmt_head, __ATOMIC_RELAXED);
	n = zc_cons_avail(q, &zq->cons);
	if ((int32_t)(zq->conv_to - zq->cons.tail) < 0)
		zq->conv_to = zq->cons.tail;
	for (i = zq->conv_to - zq->cons.tail; i < n; i++) {
		idx = zc_cons_peek(q, &zq->cons, i);
		if (idx < zq->cons.n_bufs)
			zc_buf_convert(zc_qbuf(zq, idx), zq->buf_len, zq->snaplen, zq->buf_flags);
	}
	zq->conv_to = zq->cons.tail + n;
	if (ack == zq->fmt_gen && (int32_t)(zq->conv_to - from) >= 0)
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

/* Stop the timer, which also clears an expiry not yet read. */
static void
stop_timer(pfring_zc_queue *zq)
{
	struct itimerspec off;

	if (zq->timer_fd < 0)
		return;
	memset(&off, 0, sizeof(off));
	(void)timerfd_settime(zq->timer_fd, 0, &off, NULL);
}

int
zc_cons_set_batch(pfring_zc_queue *zq, uint32_t mark, int timeout_ms, char *err, size_t errlen)
{
	struct epoll_event ev;
	int tfd = -1, efd = -1;

	if (mark > zq->cons.len / 2)
		mark = zq->cons.len / 2;
	if (zq->armed == 3 && (mark != zq->wake_mark || timeout_ms != zq->batch_ms)) {
		/* Mid-batch: the packets queued are due at once under the new
		 * settings; the next receive drains this byte and delivers. */
		stop_timer(zq);
		zc_cons_disarm(zq->q);
		self_wake(zq);
		zq->armed = 4;
	}
	if (mark <= 1 || timeout_ms <= 0) {
		/* The fd stays what callers were given; the timer stops. */
		stop_timer(zq);
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

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Put fd (closed here) in place of the wake-up fd, keeping its number: a
 * caller may be polling it (directly, or through our epoll set).
 */
static int
swap_wake_fd(pfring_zc_queue *zq, int fd)
{
	struct epoll_event ev;
	int rc;

	rc = dup3(fd, zq->wake_fd, O_CLOEXEC);
	close(fd);
	if (rc < 0)
		return -1;
	if (zq->timer_fd >= 0) {
		/* The epoll set dropped the old one with its last fd. */
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		(void)epoll_ctl(zq->sel_fd, EPOLL_CTL_ADD, zq->wake_fd, &ev);
	}
	return 0;
}

/* The balancer is gone: its FIFO now polls as hung up, which would spin
 * a poller while we wait for a new one.  A timer firing at each retry
 * takes its place. */
static void
wake_on_retries(pfring_zc_queue *zq)
{
	struct itimerspec its = { { 0, 200000000L }, { 0, 200000000L } };
	int tfd;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0)
		return;
	if (timerfd_settime(tfd, 0, &its, NULL) < 0) {
		close(tfd);
		return;
	}
	(void)swap_wake_fd(zq, tfd);
}

/*
 * The balancer went away (its lock on the file is gone).  Attach to a new
 * cluster of the same id if one is there, keeping our fd numbers (a caller
 * may be polling them) and our format and batching.  0, or -1 with why in
 * zq->error.
 */
static int
reattach(pfring_zc_queue *zq, int32_t old_pid)
{
	char err[sizeof(zq->error) - 96];
	pfring_zc_queue *nq;

	nq = pfring_zc_ipc_attach_queue(zq->cluster_id, zq->id, err, sizeof(err));
	if (nq == NULL || swap_wake_fd(zq, nq->wake_fd) < 0) {
		snprintf(zq->error, sizeof(zq->error), "ZC cluster %u: its balancer (pid %d) is "
			 "gone and no new one took its place: %s", zq->cluster_id, (int)old_pid,
			 nq == NULL ? err : strerror(errno));
		pfring_zc_ipc_detach_queue(nq);
		return -1;
	}
	unlock_byte(zq->shm_fd, 1 + (off_t)zq->id);
	munmap(zq->base, zq->map_len);
	close(zq->shm_fd);
	zq->base = nq->base;
	zq->geo = nq->geo;
	zq->buf0 = nq->buf0;
	zq->buf_shift = nq->buf_shift;
	zq->buf_len = nq->buf_len;
	zq->buf_stride = nq->buf_stride;
	zq->q = nq->q;
	zq->owner = nq->owner;
	zq->cons = nq->cons;
	zq->fmt_gen = nq->fmt_gen;
	zq->shm_fd = nq->shm_fd;
	zq->map_len = nq->map_len;
	zq->drop_base = nq->drop_base;
	zq->held = 0;
	zq->armed = 0;
	zq->reattached++;
	free(nq);
	pfring_zc_queue_set_format(zq, zq->snaplen, zq->buf_flags);
	fprintf(stderr, "pfring_zc: cluster %u queue %u: balancer pid %d is gone, a new one "
		"runs: re-attached\n", zq->cluster_id, zq->id, (int)old_pid);
	return 0;
}

/*
 * Idle: about twice a second (at once after the FIFO said end of file),
 * make sure the balancer still lives.  Once it is gone, look for a new one
 * every 200 ms for ZC_REATTACH_MS, then give up.  1: the queue is gone.
 */
static int
check_alive(pfring_zc_queue *zq)
{
	int64_t now;
	int32_t pid;

	if (zq->gone)
		return 1;
	now = now_ms();
	if (now < zq->next_check_ms)
		return 0;
	zq->next_check_ms = now + (zq->dead_since ? 200 : 500);
	if (zq->dead_since == 0) {
		if (lock_holder(zq->shm_fd, 0) != 0)
			return 0;
		zq->dead_since = now;
		wake_on_retries(zq);
	}
	if (pread(zq->shm_fd, &pid, sizeof(pid), offsetof(struct zc_shm_hdr, creator_pid)) !=
	    (ssize_t)sizeof(pid))
		pid = 0;
	if (reattach(zq, pid) == 0) {
		zq->dead_since = 0;
		return 0;
	}
	if (now - zq->dead_since < ZC_REATTACH_MS)
		return 0;
	zq->gone = 1;
	return 1;
}

uint32_t
zc_cons_begin(pfring_zc_queue *zq)
{
	uint32_t avail;

	if (zq->held) {
		zc_cons_release(zq->q, &zq->cons, zq->held);
		zq->recv += zq->held;
		zq->held = 0;
	}
	for (;;) {
		if (__builtin_expect(zq->fmt_pending, 0))
			convert_pending(zq);
		avail = zc_cons_avail(zq->q, &zq->cons);
		if (avail == 0) {
			if (check_alive(zq))
				return 0;
			if (zq->armed == 1) {
				zq->armed = 2;
				return 0;
			}
			if (zq->armed == 4) {
				/* All read: the byte that kept the fd readable goes. */
				drain_wake(zq);
				zq->armed = 0;
			} else if (zq->armed >= 2) {
				/* Asked again while still empty: a poll may have woken on
				 * a stale wake-up (one sent for an arm that found packets
				 * and was withdrawn), which would keep the fd readable.
				 * Drain it; if the producer took the arm meanwhile, it
				 * has published: arm again, which looks. */
				drain_wake(zq);
				if (__atomic_load_n(&zq->q->waiting, __ATOMIC_ACQUIRE) != 0)
					return 0;
				zq->armed = 0;
				continue;
			}
			/* Empty: sleep until the first packet, batching or not,
			 * and without a timer, so an idle fd never polls readable. */
			if (zc_cons_arm(zq->q, &zq->cons)) {
				zq->armed = 1;
				return 0;
			}
			continue;
		}
		if (zq->armed != 4) {
			int ours = zq->armed == 0;

			if ((zq->armed == 1 || zq->armed == 2) && zq->wake_mark > 1 &&
			    avail < zq->wake_mark) {
				/* Woken by the first packets of a batching sleep: sleep
				 * on until wake_mark are queued or the timer, started
				 * now, runs out (a TPACKET_V3 block's timeout). */
				drain_wake(zq);
				if (zc_cons_arm_mark(zq->q, &zq->cons, zq->wake_mark)) {
					zq->armed = 3;
					start_timer(zq);
					return 0;
				}
				ours = 1;       /* withdrawn: a wake-up may or may not come */
			}
			/* Packets: the fd stays readable until they are all read,
			 * whatever a read takes (pcap_dispatch(1) per select()).
			 * The producer's wake-up byte does that if it took the arm;
			 * if we take the arm back, or cannot tell, a byte of ours. */
			if (__atomic_exchange_n(&zq->q->waiting, 0, __ATOMIC_ACQ_REL) != 0)
				ours = 1;
			if (ours)
				self_wake(zq);
			if (zq->armed == 3)
				stop_timer(zq);
			zq->armed = 4;
		}
		/* Not past what convert_pending() saw. */
		if (zq->fmt_pending && avail > zq->conv_to - zq->cons.tail)
			avail = zq->conv_to - zq->cons.tail;
		if (avail > 0)
			return avail;
	}
}

/* Buffer idx of a slot, for a receive: NULL (and counted) when idx is not
 * a buffer of the cluster; else its caplen clamped again (the format
 * conversion did, but the memory is shared). */
static pfring_zc_pkt_buff *
checked_buf(pfring_zc_queue *zq, uint32_t idx)
{
	pfring_zc_pkt_buff *b;
	uint32_t lim = zq->buf_len;

	if (idx >= zq->cons.n_bufs) {
		zq->cons.bad++;
		return NULL;
	}
	b = zc_qbuf(zq, idx);
	if (zq->snaplen != 0 && zq->snaplen < lim)
		lim = zq->snaplen;
	if (b->caplen > lim)
		b->caplen = lim;
	return b;
}

int
pfring_zc_recv_pkt_burst(pfring_zc_queue *zq, pfring_zc_pkt_buff **pkts, int max, int wait)
{
	struct pollfd pfd;
	uint32_t avail, i;
	int n;

	if (zq == NULL || !zq->consumer || pkts == NULL || max <= 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	for (;;) {
		avail = zc_cons_begin(zq);
		if (zq->gone)
			return PF_RING_ERROR_NOT_ENABLED;
		if (avail > 0) {
			if (avail > (uint32_t)max)
				avail = (uint32_t)max;
			n = 0;
			for (i = 0; i < avail; i++) {
				pkts[n] = checked_buf(zq, zc_cons_peek(zq->q, &zq->cons, i));
				n += pkts[n] != NULL;
			}
			zq->held = avail;
			if (n > 0)
				return n;
			continue;	/* all refused: they go with the next begin */
		}
		if (!wait)
			return 0;
		pfd.fd = zq->sel_fd;
		pfd.events = POLLIN;
		/* Bounded: an idle queue checks on its balancer (check_alive). */
		if (poll(&pfd, 1, 500) < 0)
			return 0; /* a signal: let the caller look at its flags */
		/* zc_cons_begin() takes the wake-up (byte, timer) with the
		 * packets, or drains a stale one before sleeping again. */
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

const char *
pfring_zc_queue_error(pfring_zc_queue *zq)
{
	return zq != NULL && zq->gone ? zq->error : NULL;
}

int
pfring_zc_queue_stats(pfring_zc_queue *zq, pfring_zc_stat *st)
{
	struct zc_spsc *q;

	if (zq == NULL || st == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	q = zq->q;
	memset(st, 0, sizeof(*st));
	st->attaches = __atomic_load_n(&q->attaches, __ATOMIC_RELAXED);
	if (zq->consumer) {
		/* The producer's counters, as it last wrote them. */
		st->sent = __atomic_load_n(&q->enq, __ATOMIC_RELAXED);
		st->queued = zc_cons_avail(q, &zq->cons);
		st->recv = zq->recv;
		st->drop = __atomic_load_n(&q->drop, __ATOMIC_RELAXED) - zq->drop_base;
		st->bad = zq->cons.bad;
		st->consumer = getpid();
	} else {
		st->sent = zq->prod.enq;
		st->drop = zq->prod.drop;
		st->bad = zq->prod.bad;
		st->queued = zc_prod_used(q, &zq->prod);
		st->recv = __atomic_load_n(&q->deq, __ATOMIC_RELAXED);
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
	return zq->consumer ? zq->cons.len : zq->prod.len;
}

uint32_t
pfring_zc_queue_buf_len(pfring_zc_queue *zq)
{
	return zq->buf_len;
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
		if (v > PF_RING_MAX_CLUSTER_ID)
			return 0;
	}
	return (uint32_t)v;
}

/*
 * The live clusters in owner's folder under base: a sound header whose
 * creator still holds its lock, in a file this user may use.  Only lock
 * queries: listing never takes a queue from a consumer about to attach.
 */
static void
list_owner(const char *base, uid_t owner, pfring_zc_cluster_info *out, size_t max, size_t *n)
{
	char why[NAME_MAX + 160];	/* a refused file is only left out */
	struct zc_shm_hdr h;
	struct dirent *e;
	struct stat st;
	uint32_t id, q;
	size_t i;
	DIR *d;
	int dfd, fd;

	dfd = open_owner_dir(base, owner);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL && *n < max) {
		id = cluster_file_id(e->d_name);
		if (id == 0)
			continue;
		for (i = 0; i < *n && out[i].id != id; i++)
			;
		if (i < *n)
			continue;	/* found first elsewhere, as attach would */
		fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (file_refused(fd, owner, e->d_name, &st, why, sizeof(why)) == 0 &&
		    pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) && h.magic == ZC_MAGIC &&
		    h.version == ZC_VERSION && h.ready == 1 &&
		    hdr_problem(&h, id, (uint64_t)st.st_size) == NULL &&
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

/* Every owner's folder under base, in the order attach looks. */
static void
list_dir(const char *base, pfring_zc_cluster_info *out, size_t max, size_t *n)
{
	uid_t owners[MAX_OWNERS + 2];
	size_t n_owners, k;

	n_owners = search_order(base, owners);
	for (k = 0; k < n_owners; k++)
		list_owner(base, owners[k], out, max, n);
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
