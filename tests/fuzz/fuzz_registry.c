/*
 * fuzz_registry.c - libFuzzer target for the registry entry check
 * pfring-stat applies to every file of /run/pfring
 * (pfring_registry_entry_check() in pfring_registry.h).
 *
 * Built with -DFUZZ_REPLAY_MAIN it replays the files named on the command
 * line, or built-in inputs: a valid entry, then every byte of it flipped and
 * every field at its limits, checking the verdict each time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "pfring_registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *check(const struct pfring_registry_entry *e)
{
	return pfring_registry_entry_check(e, PF_RING_MAX_CLUSTER_ID,
					   (int32_t)cluster_per_flow_ip_with_dup_tuple);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfring_registry_entry e;
	const char *why;

	/* pfring-stat reads exactly one entry: shorter or longer is refused before. */
	if (size != sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	why = check(&e);
	if (why == NULL) {
		/* Accepted: what the table and JSON print must be safe to print. */
		if (memchr(e.appname, '\0', sizeof(e.appname)) == NULL ||
		    memchr(e.device, '\0', sizeof(e.device)) == NULL ||
		    memchr(e.engine, '\0', sizeof(e.engine)) == NULL ||
		    e.received > PFRING_REGISTRY_MAX_COUNT || e.pid <= 0 ||
		    e.cluster_type > (int32_t)cluster_per_flow_ip_with_dup_tuple)
			abort();
		if (strcmp(pfring_cluster_type_name(e.cluster_type < 0 ? cluster_per_flow :
				(cluster_type)e.cluster_type), "unknown") == 0)
			abort();
	}
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
static int failures;

static void expect(const struct pfring_registry_entry *e, const char *want, const char *what)
{
	const char *got = check(e);

	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
		fprintf(stderr, "fuzz_registry: %s: got '%s', want '%s'\n", what,
			got ? got : "(accepted)", want ? want : "(accepted)");
		failures++;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)e, sizeof(*e));
}

int main(int argc, char **argv)
{
	struct pfring_registry_entry good, e;
	size_t i;
	int b;

	for (b = 1; b < argc; b++) {
		FILE *fp = fopen(argv[b], "rb");
		uint8_t buf[sizeof(e) + 1];
		size_t n;

		if (!fp) {
			perror(argv[b]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, n);
	}
	if (argc > 1)
		return 0;

	memset(&good, 0, sizeof(good));
	good.magic = PFRING_REGISTRY_MAGIC;
	good.version = PFRING_REGISTRY_VERSION;
	good.size = sizeof(good);
	good.pid = 4242;
	good.cluster_id = 42;
	good.cluster_type = cluster_per_inner_flow;
	strcpy(good.appname, "tcpdump");
	strcpy(good.device, "pfring:eth0");
	strcpy(good.engine, "packet");
	good.received = 1000;
	expect(&good, NULL, "valid");

	e = good; e.magic ^= 1; expect(&e, "not a ring registry entry (bad magic)", "magic");
	e = good; e.version = 2; expect(&e, "another registry version", "version");
	e = good; e.size = 1; expect(&e, "another registry version", "size");
	e = good; e.pid = 0; expect(&e, "bad pid", "pid 0");
	e = good; e.pid = -1; expect(&e, "bad pid", "pid -1");
	e = good; memset(e.appname, 'a', sizeof(e.appname));
	expect(&e, "unprintable or unterminated text", "appname unterminated");
	e = good; e.device[3] = '\n'; expect(&e, "unprintable or unterminated text", "device newline");
	e = good; e.engine[0] = (char)0xff; expect(&e, "unprintable or unterminated text", "engine byte");
	e = good; e.cluster_id = PF_RING_MAX_CLUSTER_ID; expect(&e, NULL, "max cluster id");
	e = good; e.cluster_id = PF_RING_MAX_CLUSTER_ID + 1; expect(&e, "bad cluster id or type", "id");
	e = good; e.cluster_type = cluster_per_flow_ip_with_dup_tuple; expect(&e, NULL, "last type");
	e = good; e.cluster_type = cluster_per_flow_ip_with_dup_tuple + 1;
	expect(&e, "bad cluster id or type", "type past the last");
	e = good; e.cluster_type = -2; expect(&e, "bad cluster id or type", "type -2");
	e = good; e.cluster_id = 0; expect(&e, "bad cluster id or type", "type without cluster");
	e = good; e.cluster_id = 0; e.cluster_type = -1; expect(&e, NULL, "no cluster");
	e = good; e.received = PFRING_REGISTRY_MAX_COUNT; expect(&e, NULL, "max count");
	e = good; e.received = PFRING_REGISTRY_MAX_COUNT + 1; expect(&e, "implausible counter", "recv");
	e = good; e.dropped = ~0ull; expect(&e, "implausible counter", "dropped");
	/* Every byte flipped, one at a time: the target's invariants hold. */
	for (i = 0; i < sizeof(good); i++) {
		e = good;
		((uint8_t *)&e)[i] ^= 0xff;
		LLVMFuzzerTestOneInput((const uint8_t *)&e, sizeof(e));
	}
	if (failures)
		return 1;
	printf("fuzz_registry: all verdicts as expected, %zu flips replayed\n", sizeof(good));
	return 0;
}
#endif
