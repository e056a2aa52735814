/*
 * pf_registry.c - one file per enabled ring under PFRING_REGISTRY_DIR
 * (pfring_registry.h), so pfring-stat sees the rings of every engine.
 *
 * Best effort and root only: the directory is root's, a process that may
 * not write there (or finds it unsafe) simply has no entry.  Nothing here
 * ever fails a capture.
 */
#include "pf_registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pf_ring.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *pf_registry_dir(void)
{
	const char *d = secure_getenv("PFRING_REGISTRY_DIR");

	return d != NULL && d[0] == '/' ? d : PFRING_REGISTRY_DIR;
}

/* Field 22 of /proc/<pid>/stat (after the parenthesised name), or 0. */
uint64_t pfring_registry_process_start(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	/* ") S ppid ...": field 3 is the state; 22 is 19 fields later. */
	for (i = 0; i < 20 && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &v) != 1)
		return 0;
	return v;
}

/* The directory, made if missing, and only if it is root's and only root's. */
static int dir_ok(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return 0;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 0022))
		return 0;
	return 1;
}

/*
 * At exit: this process's entries, also of rings never closed (programs
 * that exit without pcap_close, as tcpdump on a signal).
 */
static void remove_own_entries(void)
{
	char prefix[32];
	struct dirent *d;
	size_t len;
	DIR *dp;

	dp = opendir(pf_registry_dir());
	if (dp == NULL)
		return;
	len = (size_t)snprintf(prefix, sizeof(prefix), "ring-%d-", (int)getpid());
	while ((d = readdir(dp)) != NULL)
		if (strncmp(d->d_name, prefix, len) == 0)
			unlinkat(dirfd(dp), d->d_name, 0);
	closedir(dp);
}

void pf_registry_add(pfring *ring, const char *device)
{
	static int exit_hook;
	static unsigned int serial;
	struct pfring_registry_entry *e;
	const char *dir = pf_registry_dir(), *app;
	char path[sizeof(ring->reg_path)];
	int fd;

	if (ring->reg != NULL || geteuid() != 0 || !dir_ok(dir))
		return;
	if (snprintf(path, sizeof(path), "%s/ring-%d-%u", dir, (int)getpid(),
		     __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED)) >= (int)sizeof(path))
		return;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (ftruncate(fd, sizeof(*e)) < 0) {
		close(fd);
		unlink(path);
		return;
	}
	e = mmap(NULL, sizeof(*e), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (e == MAP_FAILED) {
		unlink(path);
		return;
	}
	e->version = PFRING_REGISTRY_VERSION;
	e->size = sizeof(*e);
	e->pid = (int32_t)getpid();
	e->start_time = pfring_registry_process_start(e->pid);
	e->join_ns = mono_ns();
	e->cluster_id = ring->cluster_id;
	e->cluster_type = ring->cluster_id ? (int32_t)ring->cluster_type : -1;
	app = ring->cfg.appname[0] ? ring->cfg.appname : program_invocation_short_name;
	snprintf(e->appname, sizeof(e->appname), "%s", app);
	snprintf(e->device, sizeof(e->device), "%s", device);
	snprintf(e->engine, sizeof(e->engine), "%s", pfring_get_engine_name(ring));
	/* Last: a reader takes the entry only once it is whole. */
	__atomic_store_n(&e->magic, PFRING_REGISTRY_MAGIC, __ATOMIC_RELEASE);
	ring->reg = e;
	memcpy(ring->reg_path, path, sizeof(path));
	if (!__atomic_exchange_n(&exit_hook, 1, __ATOMIC_RELAXED))
		atexit(remove_own_entries);
	pf_registry_update(ring, 1);
}

void pf_registry_cluster(pfring *ring)
{
	if (ring->reg == NULL)
		return;
	ring->reg->cluster_id = ring->cluster_id;
	ring->reg->cluster_type = ring->cluster_id ? (int32_t)ring->cluster_type : -1;
	/* Members of the packet engine join at enable: keep the order of joining. */
	ring->reg->join_ns = mono_ns();
}

void pf_registry_update(pfring *ring, int force)
{
	struct pfring_registry_entry *e = ring->reg;
	pfring_stat st;
	uint64_t now;

	if (e == NULL)
		return;
	now = mono_ns();
	if (!force && now - e->updated_ns < 1000000000ull)
		return;
	memset(&st, 0, sizeof(st));
	if (ring->ops->stats(ring, &st) == 0) {
		__atomic_store_n(&e->received, st.recv, __ATOMIC_RELAXED);
		__atomic_store_n(&e->dropped, st.drop, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&e->updated_ns, now, __ATOMIC_RELAXED);
}

void pf_registry_remove(pfring *ring)
{
	if (ring->reg == NULL)
		return;
	unlink(ring->reg_path);
	munmap(ring->reg, sizeof(*ring->reg));
	ring->reg = NULL;
}
