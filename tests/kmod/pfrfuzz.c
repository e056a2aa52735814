/*
 * pfrfuzz - a bounded, seeded race fuzzer for the pf_ring kernel module,
 * run inside the QEMU guest (slub_debug on) by tests/kmod/guest-init.sh.
 *
 *   pfrfuzz [-s SEED] [-t SECONDS] [-n ITERATIONS] [-j THREADS]
 *
 * THREADS workers share a table of PF_RING sockets and of their mappings
 * and, each with its own PRNG (SEED + worker number), do random socket,
 * close, bind, setsockopt/getsockopt (random names, lengths and values,
 * values often near the valid ones, buffers sometimes unmapped or not yet
 * faulted in), mmap/munmap, cluster join/leave, enable/disable, poll,
 * recv, send, writes into the mapped ring header, /proc reads, and now and
 * then a move of the worker to a new network namespace (the sockets it
 * made stay in the old one, which goes once they are closed).  One
 * more thread sends frames on veth0 and another creates and deletes a veth
 * pair (pfz0/pfz1) the workers bind to.  It stops after SECONDS or
 * ITERATIONS per worker, closes everything, and fails (exit 1) unless every
 * kind of call was made and the main ones succeeded at least once, and
 * /proc/net/pf_ring/info counts no ring afterwards.  The kernel's console
 * is the other half of the verdict (qemu.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <glob.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf_ring_abi.h"
#include "pfr_nl.h"

#define NFD 12
#define NMAP 16
#define MAX_THREADS 8

enum op {
	OP_SOCKET, OP_CLOSE, OP_BIND, OP_RING, OP_SETOPT, OP_GETOPT, OP_MMAP,
	OP_MUNMAP, OP_JOIN, OP_LEAVE, OP_ENABLE, OP_DISABLE, OP_POLL, OP_RECV,
	OP_SEND, OP_TOUCH, OP_PROC, OP_FILTER, OP_RULES, OP_HASH, OP_NETNS, OP_NOPS
};

static const char *const op_names[OP_NOPS] = {
	"socket", "close", "bind", "ring", "setsockopt", "getsockopt", "mmap",
	"munmap", "cluster-join", "cluster-leave", "enable", "disable", "poll",
	"recv", "send", "touch", "proc", "filter", "rules", "hash-rule", "netns"
};

/* Calls made, and calls that succeeded, per kind. */
static atomic_ulong calls[OP_NOPS], oks[OP_NOPS];
static atomic_ulong frames_sent, dev_cycles;
static atomic_int fds[NFD];
static atomic_int stop;

struct map {
	void *addr;
	size_t len;
	int writable;
};

static struct map maps[NMAP];
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;

/* A page that is mapped but never faulted in before a call uses it. */
static uint8_t *cold;
static long page;

static uint64_t seed;
static unsigned int seconds = 20;
static unsigned long iterations = 1000000;
static unsigned int nthreads = 4;
static uint64_t deadline_ms;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* xorshift64* */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static uint32_t
below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) % n);
}

static void
count(enum op op, int ok)
{
	atomic_fetch_add(&calls[op], 1);
	if (ok)
		atomic_fetch_add(&oks[op], 1);
}

static int
some_fd(uint64_t *s)
{
	return atomic_load(&fds[below(s, NFD)]);
}

static const char *const ifnames[] = { "veth0", "veth1", "any", "lo", "pfz1", "pfz0", "nosuch0" };

/* A u32 near the valid values of the options, or anything. */
static uint32_t
some_u32(uint64_t *s)
{
	switch (below(s, 6)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return below(s, 8);
	case 3: return below(s, 5000);
	case 4: return ~0u - below(s, 3);
	default: return (uint32_t)rnd(s);
	}
}

/* A user buffer for optval: ours, NULL, a bad address, or a cold page. */
static void *
some_buf(uint64_t *s, uint8_t *mine, size_t len)
{
	switch (below(s, 16)) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)page;
	case 2:
		/* Dropped again so the copy faults with the kernel's lock held. */
		if (len <= (size_t)page) {
			madvise(cold, (size_t)page, MADV_DONTNEED);
			return cold + (size_t)page - len;
		}
		return mine;
	default: return mine;
	}
}

static void
do_socket(uint64_t *s)
{
	int fd = socket(PF_RING_FAMILY, SOCK_RAW, 0), old;

	count(OP_SOCKET, fd >= 0);
	if (fd < 0)
		return;
	old = atomic_exchange(&fds[below(s, NFD)], fd);
	if (old >= 0)
		close(old);
}

static void
do_close(uint64_t *s)
{
	int fd = atomic_exchange(&fds[below(s, NFD)], -1);

	if (fd >= 0)
		count(OP_CLOSE, close(fd) == 0);
	else
		count(OP_CLOSE, 0);
}

static void
do_bind(uint64_t *s)
{
	struct sockaddr_pfring sa;
	socklen_t len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	sa.family = below(s, 8) ? PF_RING_FAMILY : (uint16_t)rnd(s);
	snprintf(sa.ifname, sizeof(sa.ifname), "%s", ifnames[below(s, 7)]);
	if (!below(s, 10))
		len = below(s, sizeof(sa) + 8);
	if (!below(s, 20))
		memset(sa.ifname, 'a', sizeof(sa.ifname));
	count(OP_BIND, bind(some_fd(s), (struct sockaddr *)&sa, len) == 0);
}

static void
do_ring(uint64_t *s)
{
	struct pfr_ring_req req;

	if (below(s, 20)) {
		req.num_slots = 1 + below(s, 8192);
		req.caplen = 1 + below(s, below(s, 4) ? 256 : 2048);
	} else {
		req.num_slots = some_u32(s);
		req.caplen = some_u32(s);
	}
	count(OP_RING, setsockopt(some_fd(s), SOL_PF_RING, PFR_SO_RING, &req,
				  below(s, 10) ? sizeof(req) : below(s, 16)) == 0);
}

static void
do_setopt(uint64_t *s)
{
	uint8_t buf[512];
	uint32_t v = some_u32(s);
	int name = (int)below(s, 30);
	size_t len;
	unsigned int i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd(s);
	if (below(s, 2)) {
		memcpy(buf, &v, sizeof(v));
		len = below(s, 4) ? sizeof(v) : 0;
	} else {
		len = below(s, sizeof(buf));
	}
	/* The rule and cluster options get whole structs now and then. */
	if (!below(s, 4) && (name == PFR_SO_SET_RULES))
		len = sizeof(struct pf_rule) * below(s, 4);
	if (!below(s, 4) && (name == PFR_SO_ADD_HASH_RULE))
		len = sizeof(struct pfr_hash_rule_req);
	count(OP_SETOPT, setsockopt(some_fd(s), below(s, 16) ? SOL_PF_RING : (int)below(s, 300),
				    name, some_buf(s, buf, len), (socklen_t)len) == 0);
}

static void
do_getopt(uint64_t *s)
{
	uint8_t buf[512];
	socklen_t len;
	int rc;

	memset(buf, 0, sizeof(buf));
	if (below(s, 4))
		len = below(s, 128);
	else
		len = (socklen_t)some_u32(s) % sizeof(buf);
	if (!below(s, 20))
		len = (socklen_t)-1;
	rc = getsockopt(some_fd(s), SOL_PF_RING, (int)below(s, 30),
			below(s, 16) ? buf : some_buf(s, buf, len > sizeof(buf) ? 0 : len), &len);
	count(OP_GETOPT, rc == 0);
}

static void
do_mmap(uint64_t *s)
{
	struct pfr_ring_info info;
	socklen_t il = sizeof(info);
	int fd = some_fd(s);
	int prot = below(s, 4) ? PROT_READ | PROT_WRITE : PROT_READ;
	size_t len;
	void *p;
	int i;

	if (getsockopt(fd, SOL_PF_RING, PFR_SO_RING_INFO, &info, &il) == 0 && below(s, 8))
		len = (size_t)info.mmap_bytes;
	else
		len = (size_t)page * (1 + below(s, 64));
	p = mmap(NULL, len, prot, below(s, 8) ? MAP_SHARED : MAP_PRIVATE, fd,
		 below(s, 16) ? 0 : page);
	count(OP_MMAP, p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	pthread_mutex_lock(&map_lock);
	i = (int)below(s, NMAP);
	if (maps[i].addr)
		munmap(maps[i].addr, maps[i].len);
	maps[i].addr = p;
	maps[i].len = len;
	maps[i].writable = !!(prot & PROT_WRITE);
	pthread_mutex_unlock(&map_lock);
}

static void
do_munmap(uint64_t *s)
{
	int i = (int)below(s, NMAP), ok = 0;

	pthread_mutex_lock(&map_lock);
	if (maps[i].addr) {
		ok = munmap(maps[i].addr, maps[i].len) == 0;
		maps[i].addr = NULL;
	}
	pthread_mutex_unlock(&map_lock);
	count(OP_MUNMAP, ok);
}

/* Reads and writes the mapped header as a buggy reader would. */
static void
do_touch(uint64_t *s)
{
	volatile uint8_t *p;
	int i = (int)below(s, NMAP), ok = 0;
	uint64_t sum = 0;
	size_t off;

	pthread_mutex_lock(&map_lock);
	if (maps[i].addr && maps[i].len >= sizeof(struct pfr_ring_header)) {
		struct pfr_ring_header *h = maps[i].addr;

		p = maps[i].addr;
		for (off = 0; off < maps[i].len; off += (size_t)page * (1 + below(s, 16)))
			sum += p[off];
		sum += __atomic_load_n(&h->insert_idx, __ATOMIC_ACQUIRE);
		ok = 1;
		/* A reader that consumes, or one that writes nonsense. */
		if (maps[i].writable)
			__atomic_store_n(&h->remove_idx, below(s, 4) ? sum : rnd(s),
					 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&map_lock);
	count(OP_TOUCH, ok);
}

static void
do_join(uint64_t *s)
{
	struct pfr_cluster_req req = {
		.cluster_id = below(s, 10) ? 1 + below(s, 3) : some_u32(s),
		.cluster_type = below(s, 10) ? below(s, PFR_CLUSTER_TYPE_MAX + 1) : some_u32(s),
	};

	count(OP_JOIN, setsockopt(some_fd(s), SOL_PF_RING, PFR_SO_CLUSTER, &req, sizeof(req)) == 0);
}

static void
do_poll(uint64_t *s)
{
	struct pollfd pfd[3];
	int i, rc;

	for (i = 0; i < 3; i++) {
		pfd[i].fd = some_fd(s);
		pfd[i].events = POLLIN | POLLOUT;
	}
	rc = poll(pfd, 3, (int)below(s, 3));
	count(OP_POLL, rc >= 0);
}

static void
do_recv(uint64_t *s)
{
	uint8_t buf[256];

	count(OP_RECV, recv(some_fd(s), buf, sizeof(buf), MSG_DONTWAIT) >= 0);
}

static void
do_send(uint64_t *s)
{
	uint8_t f[1600];
	size_t len = below(s, 4) ? 64 : below(s, sizeof(f));
	unsigned int i;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)rnd(s);
	memset(f, 0xff, 6);
	count(OP_SEND, send(some_fd(s), f, len, MSG_DONTWAIT | (below(s, 8) ? 0 : MSG_OOB)) >= 0);
}

static void
do_proc(uint64_t *s)
{
	char buf[4096];
	glob_t g;
	size_t i;
	int fd, ok = 0;

	if (glob("/proc/net/pf_ring/*", 0, NULL, &g) != 0) {
		count(OP_PROC, 0);
		return;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		if (below(s, 2))
			continue;
		fd = open(g.gl_pathv[i], O_RDONLY);
		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			ok = 1;
		close(fd);
	}
	globfree(&g);
	count(OP_PROC, ok);
}

static void
do_filter(uint64_t *s)
{
	struct sock_filter insn[2] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog = { .len = 2, .filter = insn };

	if (below(s, 3))
		count(OP_FILTER, setsockopt(some_fd(s), SOL_PF_RING, PFR_SO_ATTACH_BPF, &prog,
					    sizeof(prog)) == 0);
	else
		count(OP_FILTER, setsockopt(some_fd(s), SOL_PF_RING, PFR_SO_DETACH_BPF, NULL, 0) == 0);
}

static void
do_rules(uint64_t *s)
{
	struct pf_rule r[4];
	unsigned int i, n = below(s, 5);

	memset(r, 0, sizeof(r));
	for (i = 0; i < n && i < 4; i++) {
		r[i].id = (uint16_t)(i + 1);
		r[i].action = (uint8_t)below(s, 3);
		r[i].src_port_hi = 65535;
		r[i].dst_port_hi = 65535;
	}
	count(OP_RULES, setsockopt(some_fd(s), SOL_PF_RING, PFR_SO_SET_RULES, r,
				   (socklen_t)(sizeof(r[0]) * (n > 4 ? 4 : n))) == 0);
}

static void
do_hash(uint64_t *s)
{
	struct pfr_hash_rule_req req;
	int fd = some_fd(s);

	memset(&req, 0, sizeof(req));
	req.key.src_port = (uint16_t)below(s, 4);
	req.rule.id = (uint16_t)below(s, 100);
	req.rule.action = (uint8_t)below(s, 3);
	switch (below(s, 3)) {
	case 0:
		count(OP_HASH, setsockopt(fd, SOL_PF_RING, PFR_SO_ADD_HASH_RULE, &req,
					  sizeof(req)) == 0);
		break;
	case 1:
		count(OP_HASH, setsockopt(fd, SOL_PF_RING, PFR_SO_DEL_HASH_RULE, &req.key,
					  sizeof(req.key)) == 0);
		break;
	default: {
		uint32_t idle = below(s, 2);

		count(OP_HASH, setsockopt(fd, SOL_PF_RING, PFR_SO_PURGE_HASH_RULES, &idle,
					  sizeof(idle)) == 0);
	}
	}
}

/* Rarely: namespaces are slow to make and to take down. */
static void
do_netns(uint64_t *s)
{
	if (below(s, 40))
		return;
	count(OP_NETNS, unshare(CLONE_NEWNET) == 0);
}

static void *
worker(void *arg)
{
	uint64_t s = seed + (uintptr_t)arg * 0x9e3779b97f4a7c15ull;
	unsigned long i;

	if (!s)
		s = 1;
	for (i = 0; i < iterations && !atomic_load(&stop); i++) {
		if ((i & 63) == 0 && now_ms() >= deadline_ms)
			break;
		switch ((enum op)below(&s, OP_NOPS)) {
		case OP_SOCKET: do_socket(&s); break;
		case OP_CLOSE: do_close(&s); break;
		case OP_BIND: do_bind(&s); break;
		case OP_RING: do_ring(&s); break;
		case OP_SETOPT: do_setopt(&s); break;
		case OP_GETOPT: do_getopt(&s); break;
		case OP_MMAP: do_mmap(&s); break;
		case OP_MUNMAP: do_munmap(&s); break;
		case OP_JOIN: do_join(&s); break;
		case OP_LEAVE:
			count(OP_LEAVE, setsockopt(some_fd(&s), SOL_PF_RING, PFR_SO_LEAVE_CLUSTER,
						   NULL, 0) == 0);
			break;
		case OP_ENABLE:
			count(OP_ENABLE, setsockopt(some_fd(&s), SOL_PF_RING, PFR_SO_ENABLE, NULL, 0) == 0);
			break;
		case OP_DISABLE:
			count(OP_DISABLE, setsockopt(some_fd(&s), SOL_PF_RING, PFR_SO_DISABLE, NULL, 0) == 0);
			break;
		case OP_POLL: do_poll(&s); break;
		case OP_RECV: do_recv(&s); break;
		case OP_SEND: do_send(&s); break;
		case OP_TOUCH: do_touch(&s); break;
		case OP_PROC: do_proc(&s); break;
		case OP_FILTER: do_filter(&s); break;
		case OP_RULES: do_rules(&s); break;
		case OP_HASH: do_hash(&s); break;
		case OP_NETNS: do_netns(&s); break;
		default: break;
		}
	}
	return NULL;
}

/* Frames on veth0 (to veth1) for the rings to take, until stopped. */
static void *
traffic(void *arg)
{
	struct sockaddr_ll sll;
	uint8_t f[128];
	uint64_t s = seed ^ 0x5555;
	int fd;

	(void)arg;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return NULL;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex("veth0");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return NULL;
	}
	while (!atomic_load(&stop) && now_ms() < deadline_ms) {
		unsigned int i;
		size_t len = 60 + below(&s, sizeof(f) - 60);

		for (i = 0; i < len; i++)
			f[i] = (uint8_t)rnd(&s);
		memset(f, 0xff, 6);
		f[12] = 0x08;
		f[13] = 0x00;
		f[14] = 0x45;
		if (send(fd, f, len, 0) == (ssize_t)len)
			atomic_fetch_add(&frames_sent, 1);
		if ((rnd(&s) & 15) == 0)
			usleep(1000);
	}
	close(fd);
	return NULL;
}

/* pfz0/pfz1 come and go under the rings bound to them. */
static void *
devices(void *arg)
{
	uint64_t s = seed ^ 0xaaaa;

	(void)arg;
	while (!atomic_load(&stop) && now_ms() < deadline_ms) {
		int idx;

		if (pfr_nl_veth_add("pfz1", "pfz0", 0) != 0)
			break;
		pfr_link_up("pfz1");
		pfr_link_up("pfz0");
		usleep(1000 * (1 + below(&s, 50)));
		idx = (int)if_nametoindex("pfz1");
		if (idx <= 0 || pfr_nl_link_del(idx) != 0)
			break;
		atomic_fetch_add(&dev_cycles, 1);
		usleep(1000 * below(&s, 20));
	}
	return NULL;
}

static int
rings_left(void)
{
	char line[256];
	FILE *fp = fopen("/proc/net/pf_ring/info", "r");
	int n = -1;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "Total rings", 11))
			n = atoi(strchr(line, ':') + 1);
	fclose(fp);
	return n;
}

int
main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS + 2];
	unsigned long total = 0;
	unsigned int i;
	int c, bad = 0, left;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((c = getopt(argc, argv, "s:t:n:j:")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': seconds = (unsigned int)atoi(optarg); break;
		case 'n': iterations = strtoul(optarg, NULL, 0); break;
		case 'j': nthreads = (unsigned int)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pfrfuzz [-s SEED] [-t SECONDS] [-n ITERATIONS] [-j THREADS]\n");
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > MAX_THREADS || seconds < 1 || !iterations) {
		fprintf(stderr, "pfrfuzz: -j 1..%d, -t and -n above 0\n", MAX_THREADS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pfrfuzz: seed %" PRIu64 " (-s %" PRIu64 "), %u s, %lu iterations, %u workers\n",
	       seed, seed, seconds, iterations, nthreads);
	page = sysconf(_SC_PAGESIZE);
	cold = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cold == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < NFD; i++)
		atomic_store(&fds[i], -1);
	deadline_ms = now_ms() + seconds * 1000ull;
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1)) != 0) {
			perror("pthread_create");
			return 1;
		}
	if (pthread_create(&th[nthreads], NULL, traffic, NULL) != 0 ||
	    pthread_create(&th[nthreads + 1], NULL, devices, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	atomic_store(&stop, 1);
	pthread_join(th[nthreads], NULL);
	pthread_join(th[nthreads + 1], NULL);

	for (i = 0; i < NMAP; i++)
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
	for (i = 0; i < NFD; i++) {
		int fd = atomic_exchange(&fds[i], -1);

		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < OP_NOPS; i++) {
		unsigned long n = atomic_load(&calls[i]), k = atomic_load(&oks[i]);

		printf("pfrfuzz: %-14s %8lu calls %8lu ok\n", op_names[i], n, k);
		total += n;
		if (n == 0) {
			printf("FAIL: no %s call made\n", op_names[i]);
			bad++;
		}
	}
	/* Not a no-op: the calls that build a ring up did succeed. */
	{
		static const enum op must[] = { OP_SOCKET, OP_CLOSE, OP_BIND, OP_RING, OP_MMAP,
						OP_JOIN, OP_ENABLE, OP_POLL, OP_PROC, OP_NETNS };

		for (i = 0; i < sizeof(must) / sizeof(must[0]); i++)
			if (atomic_load(&oks[must[i]]) == 0) {
				printf("FAIL: no %s call succeeded\n", op_names[must[i]]);
				bad++;
			}
	}
	printf("pfrfuzz: %lu calls, %lu frames sent, %lu device add/delete cycles\n", total,
	       (unsigned long)atomic_load(&frames_sent), (unsigned long)atomic_load(&dev_cycles));
	if (atomic_load(&frames_sent) == 0 || atomic_load(&dev_cycles) == 0) {
		printf("FAIL: no frames sent or no device cycle\n");
		bad++;
	}
	left = rings_left();
	if (left != 0) {
		printf("FAIL: /proc/net/pf_ring/info counts %d rings after closing everything\n", left);
		bad++;
	}
	printf("pfrfuzz: seed %" PRIu64 ": %s\n", seed, bad ? "FAIL" : "ok");
	return bad ? 1 : 0;
}
