/*
 * pfring_registry.h - the ring registry pfring-stat(1) reads.
 *
 * Every ring the library enables in a process running as root gets one file
 * in PFRING_REGISTRY_DIR, named "ring-<pid>-<n>", holding one struct
 * pfring_registry_entry that the process keeps up to date (counters at most
 * a second old while it reads packets) and removes when the ring closes.
 * A process that died leaves its file behind: readers ignore an entry whose
 * pid is gone or belongs to another process (start time differs), and root
 * readers remove it.  Readers trust nothing in the file: the directory and
 * the file must be root's and writable by nobody else, and every field is
 * checked (pfring-stat names the file and the reason when it refuses one).
 */
#ifndef PFRING_REGISTRY_H
#define PFRING_REGISTRY_H

#include <stdint.h>

/* PFRING_REGISTRY_DIR in the environment overrides it (tests). */
#define PFRING_REGISTRY_DIR      "/run/pfring"
#define PFRING_REGISTRY_MAGIC    0x31474552524650ull /* "PFRREG1" little-endian */
#define PFRING_REGISTRY_VERSION  1
/* No counter of a live ring gets near this: a bigger one is refused. */
#define PFRING_REGISTRY_MAX_COUNT (1ull << 56)

struct pfring_registry_entry {
	uint64_t magic;            /* PFRING_REGISTRY_MAGIC */
	uint32_t version;          /* PFRING_REGISTRY_VERSION */
	uint32_t size;             /* sizeof(struct pfring_registry_entry) */
	int32_t pid;
	uint32_t cluster_id;       /* 0: no cluster */
	uint64_t start_time;       /* the process's, /proc/<pid>/stat field 22 */
	uint64_t join_ns;          /* CLOCK_MONOTONIC when the ring was enabled */
	int32_t cluster_type;      /* cluster_type of pfring.h, -1 without cluster */
	uint32_t zc_queue_len;     /* zc engine: packets queued when updated, else 0 */
	char appname[64];          /* NUL-terminated, printable */
	char device[64];           /* the device name as opened */
	char engine[16];           /* pfring_get_engine_name() */
	/* Updated by the process; read them with relaxed atomic loads. */
	uint64_t received;
	uint64_t dropped;
	uint64_t updated_ns;       /* CLOCK_MONOTONIC of the last update */
};

/* NUL-terminated inside its n bytes and printable ASCII. */
/* The start time of process pid (field 22 of /proc/<pid>/stat), 0 if it
 * is gone: with the pid it tells an entry's process from a later one. */
uint64_t pfring_registry_process_start(int pid);

static inline int pfring_registry_text_ok(const char *s, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n && s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return i < n;
}

/*
 * Why the entry e (read whole from a file) must not be used, or NULL if
 * every field is in range.  max_cluster_id and max_type: the limits of the
 * reader's library (PF_RING_MAX_CLUSTER_ID, the last cluster_type).
 */
static inline const char *
pfring_registry_entry_check(const struct pfring_registry_entry *e,
			    uint32_t max_cluster_id, int32_t max_type)
{
	if (e->magic != PFRING_REGISTRY_MAGIC)
		return "not a ring registry entry (bad magic)";
	if (e->version != PFRING_REGISTRY_VERSION || e->size != sizeof(*e))
		return "another registry version";
	if (e->pid <= 0)
		return "bad pid";
	if (!pfring_registry_text_ok(e->appname, sizeof(e->appname)) ||
	    !pfring_registry_text_ok(e->device, sizeof(e->device)) ||
	    !pfring_registry_text_ok(e->engine, sizeof(e->engine)))
		return "unprintable or unterminated text";
	if (e->cluster_id > max_cluster_id || e->cluster_type < -1 ||
	    e->cluster_type > max_type || (e->cluster_id == 0) != (e->cluster_type == -1))
		return "bad cluster id or type";
	if (e->received > PFRING_REGISTRY_MAX_COUNT || e->dropped > PFRING_REGISTRY_MAX_COUNT)
		return "implausible counter";
	return 0;
}

#endif /* PFRING_REGISTRY_H */
