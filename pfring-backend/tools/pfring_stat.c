/*
 * pfring-stat - every ring on the machine, whatever the engine: the
 * registry the library keeps under /run/pfring (pfring_registry.h).
 *
 *   pfring-stat [--json] [-w [SECONDS]]
 *
 * Nothing in the registry is trusted: the directory and each file must be
 * root's and writable by no one else, a file must be exactly one entry, and
 * every field is range-checked; a file that fails is named on stderr with
 * the reason and left out.  Entries of processes that are gone (or whose pid
 * now belongs to another process) are left out, and removed when run as root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfring.h"
#include "pfring_registry.h"

struct ring {
	struct pfring_registry_entry e;
	char file[NAME_MAX + 1];
	long member;          /* -1: none */
	long cluster;         /* 0: none */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *registry_dir(void)
{
	const char *d = getenv("PFRING_REGISTRY_DIR");

	return d != NULL && d[0] == '/' ? d : PFRING_REGISTRY_DIR;
}

/*
 * Read and check one registry file: 1 kept, 0 left out (stale, or refused
 * with a message), into *r.
 */
static int read_entry(int dirfd, const char *dir, const char *name, struct ring *r)
{
	struct pfring_registry_entry *e = &r->e;
	const char *why = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) /* closed meanwhile: not an error */
			fprintf(stderr, "pfring-stat: %s/%s: %s: ignored\n", dir, name,
				errno == ELOOP ? "a symbolic link" : strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) < 0)
		why = "cannot stat";
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != 0)
		why = "not owned by root";
	else if (st.st_mode & 0022)
		why = "writable by group or others";
	else if (st.st_size != (off_t)sizeof(*e))
		why = "not the size of one entry";
	if (why == NULL) {
		n = pread(fd, e, sizeof(*e), 0);
		if (n != (ssize_t)sizeof(*e))
			why = "short read";
	}
	close(fd);
	if (why == NULL)
		why = pfring_registry_entry_check(e, PF_RING_MAX_CLUSTER_ID,
						  (int32_t)cluster_per_flow_ip_with_dup_tuple);
	if (why != NULL) {
		if (st.st_uid != 0 || !S_ISREG(st.st_mode))
			fprintf(stderr, "pfring-stat: %s/%s: %s (uid %u): ignored\n", dir, name, why,
				(unsigned int)st.st_uid);
		else
			fprintf(stderr, "pfring-stat: %s/%s: %s: ignored\n", dir, name, why);
		return 0;
	}
	if (pfring_registry_process_start(e->pid) != e->start_time) {
		/* The process is gone (or its pid reused): a stale entry. */
		if (geteuid() == 0)
			unlinkat(dirfd, name, 0);
		return 0;
	}
	snprintf(r->file, sizeof(r->file), "%s", name);
	r->cluster = e->cluster_id;
	r->member = -1;
	return 1;
}

/* Members of a cluster on a device, in the order they joined. */
static void number_members(struct ring *rs, size_t n)
{
	unsigned int q, id;
	size_t i, j;
	char tail;

	for (i = 0; i < n; i++) {
		/* A ZC queue consumer: its queue is its member index. */
		if (sscanf(rs[i].e.device, "zc:%u@%u%c", &id, &q, &tail) == 2 &&
		    strcmp(rs[i].e.engine, "zc") == 0) {
			rs[i].cluster = id;
			rs[i].member = q;
			continue;
		}
		if (rs[i].e.cluster_id == 0)
			continue;
		rs[i].member = 0;
		for (j = 0; j < n; j++)
			if (j != i && rs[j].e.cluster_id == rs[i].e.cluster_id &&
			    strcmp(rs[j].e.device, rs[i].e.device) == 0 &&
			    strcmp(rs[j].e.engine, rs[i].e.engine) == 0 &&
			    (rs[j].e.join_ns < rs[i].e.join_ns ||
			     (rs[j].e.join_ns == rs[i].e.join_ns && j < i)))
				rs[i].member++;
	}
}

static int by_pid(const void *a, const void *b)
{
	const struct ring *x = a, *y = b;

	if (x->cluster != y->cluster)
		return x->cluster < y->cluster ? -1 : 1;
	if (x->member != y->member)
		return x->member < y->member ? -1 : 1;
	return x->e.pid < y->e.pid ? -1 : x->e.pid > y->e.pid;
}

/* The rings now; -1 when the directory cannot be trusted (message given). */
static long collect(struct ring **out)
{
	const char *dir = registry_dir();
	struct ring *rs = NULL, *grown;
	size_t n = 0, cap = 0;
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int fd;

	*out = NULL;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* no ring was ever registered */
		fprintf(stderr, "pfring-stat: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 0022)) {
		fprintf(stderr, "pfring-stat: %s: owned by uid %u with mode %04o: not trusted "
			"(must be root's and writable by root only)\n", dir,
			(unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	dp = fdopendir(fd);
	if (dp == NULL) {
		close(fd);
		return -1;
	}
	while ((d = readdir(dp)) != NULL) {
		if (strncmp(d->d_name, "ring-", 5) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(rs, cap * sizeof(*rs));
			if (grown == NULL)
				break;
			rs = grown;
		}
		n += (size_t)read_entry(dirfd(dp), dir, d->d_name, &rs[n]);
	}
	closedir(dp);
	number_members(rs, n);
	if (n > 1)
		qsort(rs, n, sizeof(*rs), by_pid);
	*out = rs;
	return (long)n;
}

static const char *type_name(const struct ring *r)
{
	if (r->e.cluster_type < 0)
		return "-";
	return pfring_cluster_type_name((cluster_type)r->e.cluster_type);
}

static void print_table(const struct ring *rs, long n)
{
	long i;

	printf("%-7s %-15s %-20s %-7s %-7s %-17s %-6s %12s %10s\n", "PID", "APP", "DEVICE",
	       "ENGINE", "CLUSTER", "TYPE", "MEMBER", "RECEIVED", "DROPPED");
	for (i = 0; i < n; i++) {
		const struct ring *r = &rs[i];
		char cl[16], mb[16];

		snprintf(cl, sizeof(cl), r->cluster ? "%ld" : "-", r->cluster);
		snprintf(mb, sizeof(mb), r->member >= 0 ? "%ld" : "-", r->member);
		printf("%-7d %-15s %-20s %-7s %-7s %-17s %-6s %12" PRIu64 " %10" PRIu64 "\n",
		       (int)r->e.pid, r->e.appname, r->e.device, r->e.engine, cl, type_name(r), mb,
		       __atomic_load_n(&r->e.received, __ATOMIC_RELAXED),
		       __atomic_load_n(&r->e.dropped, __ATOMIC_RELAXED));
	}
}

/* Checked printable ASCII: only " and \ need escaping. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static void print_json(const struct ring *rs, long n)
{
	long i;

	printf("[");
	for (i = 0; i < n; i++) {
		const struct ring *r = &rs[i];

		printf("%s\n  {\"pid\": %d, \"app\": ", i ? "," : "", (int)r->e.pid);
		json_str(r->e.appname);
		printf(", \"device\": ");
		json_str(r->e.device);
		printf(", \"engine\": ");
		json_str(r->e.engine);
		printf(", \"cluster\": %ld, \"cluster_type\": ", r->cluster);
		if (r->e.cluster_type < 0)
			printf("null");
		else
			json_str(type_name(r));
		printf(", \"member\": ");
		if (r->member < 0)
			printf("null");
		else
			printf("%ld", r->member);
		printf(", \"received\": %" PRIu64 ", \"dropped\": %" PRIu64 "}",
		       r->e.received, r->e.dropped);
	}
	printf("%s]\n", n ? "\n" : "");
}

static void usage(void)
{
	fprintf(stderr, "usage: pfring-stat [--json] [-w [SECONDS]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", optional_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long interval = 0;
	struct ring *rs;
	char *end;
	int c, json = 0;
	long n;

	while ((c = getopt_long(argc, argv, "jw::h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'w':
			interval = 1;
			if (optarg == NULL && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			if (optarg != NULL) {
				errno = 0;
				interval = strtoul(optarg, &end, 10);
				if (errno || *end || interval == 0 || interval > 3600 ||
				    optarg[0] == '-') {
					fprintf(stderr, "pfring-stat: -w %s: seconds 1..3600 expected\n",
						optarg);
					return 2;
				}
			}
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (;;) {
		n = collect(&rs);
		if (n < 0)
			return 1;
		if (interval && !json)
			printf("\033[H\033[2J");
		if (json)
			print_json(rs, n);
		else
			print_table(rs, n);
		free(rs);
		fflush(stdout);
		if (!interval || stop)
			break;
		sleep((unsigned int)interval);
		if (stop)
			break;
	}
	return 0;
}
