/*
 * dumpsame DIR - write a fixed set of savefiles through whichever libpcap
 * this process loaded, for bench/dump-identical.sh to compare byte for byte
 * between Debian's libpcap and ours.
 *
 * The packet sequence is deterministic (a fixed-seed generator): sizes from
 * 0 bytes to past the stdio buffer, caplen below len, timestamps past 2038
 * and negative ones.  The files cover the ways a dump stream can be set up:
 * pcap_dump_open (fully buffered), pcap_dump_fopen on unbuffered,
 * line-buffered and small-buffer streams, pcap_dump_open_append, the
 * program's own writes into pcap_dump_file() between records, flushes, and
 * a dumper used from a second thread.  What the library reports along the
 * way (ftell, flush and error results) goes to stdout, which must match too;
 * stderr names the library that provided pcap_dump.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "test_rng.h"

#define RECORDS 5000

static u_char payload[262144];

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "dumpsame: %s: %s\n", what, msg);
	exit(1);
}

/* Record i of a sequence: mostly small frames, now and then a large one. */
static void
make_record(unsigned int i, struct pcap_pkthdr *h, unsigned int max)
{
	uint32_t r = rng(), caplen;

	switch (r % 16) {
	case 0: caplen = 0; break;
	case 1: caplen = rng() % 16384; break;
	case 2: caplen = 4000 + rng() % 200; break;	/* about a stdio buffer */
	case 3: caplen = 1514; break;
	default: caplen = 42 + rng() % 100; break;
	}
	if (caplen > max)
		caplen = max;
	h->caplen = caplen;
	h->len = caplen + ((r >> 8) % 3 == 0 ? rng() % 1000 : 0);
	switch ((r >> 12) % 8) {
	case 0: h->ts.tv_sec = (time_t)0x100000005ll + i; break;	/* past 2038 */
	case 1: h->ts.tv_sec = -(time_t)i; break;
	default: h->ts.tv_sec = 1700000000 + i; break;
	}
	h->ts.tv_usec = (suseconds_t)(rng() % 1000000000u);
}

/* Dump n records into d, with flushes, ftell checks and direct writes. */
static void
write_records(pcap_dumper_t *d, const char *name, unsigned int n, unsigned int max, int mixed)
{
	struct pcap_pkthdr h;
	unsigned int i;

	for (i = 0; i < n; i++) {
		make_record(i, &h, max);
		pcap_dump((u_char *)d, &h, payload + (i % 4096));
		if (mixed && i % 997 == 0)
			printf("%s %u flush %d\n", name, i, pcap_dump_flush(d));
		if (mixed && i % 777 == 0)
			printf("%s %u ftell %lld\n", name, i, (long long)pcap_dump_ftell64(d));
		if (mixed && i % 5003 == 0)
			fprintf(pcap_dump_file(d), "[marker %u]", i);
	}
	printf("%s ftell %lld\n", name, (long long)pcap_dump_ftell64(d));
}

static pcap_dumper_t *
open_stream(pcap_t *p, const char *dir, const char *name, int mode, size_t size, char *buf)
{
	char path[4096];
	pcap_dumper_t *d;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		die(path, "cannot create");
	if (setvbuf(f, buf, mode, size) != 0)
		die(path, "setvbuf");
	d = pcap_dump_fopen(p, f);
	if (d == NULL)
		die(path, pcap_geterr(p));
	return d;
}

struct thread_job {
	pcap_t *p;
	const char *dir;
};

static void *
threaded_dump(void *arg)
{
	struct thread_job *job = arg;
	char path[4096];
	pcap_dumper_t *d;

	snprintf(path, sizeof(path), "%s/threaded.pcap", job->dir);
	d = pcap_dump_open(job->p, path);
	if (d == NULL)
		die(path, pcap_geterr(job->p));
	write_records(d, "threaded", RECORDS, 262144, 1);
	pcap_dump_close(d);
	return NULL;
}

int
main(int argc, char **argv)
{
	static char small_buf[100], line_buf[512];
	char path[4096];
	const char *dir;
	pcap_t *p, *pn;
	pcap_dumper_t *d;
	pthread_t t;
	struct thread_job job;
	Dl_info info;
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: dumpsame DIR\n");
		return 2;
	}
	dir = argv[1];
	if (dladdr((void *)(uintptr_t)pcap_dump, &info) == 0 || info.dli_fname == NULL)
		die("dladdr", "cannot tell which library provides pcap_dump");
	fprintf(stderr, "library: %s\n", info.dli_fname);
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (u_char)(i * 131u + (i >> 8));
	rng_state = 0x9e3779b97f4a7c15ull;

	p = pcap_open_dead(DLT_EN10MB, 262144);
	pn = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	if (p == NULL || pn == NULL)
		die("pcap_open_dead", "failed");

	/* pcap_dump_open: the stream tcpdump -w gets. */
	snprintf(path, sizeof(path), "%s/open.pcap", dir);
	d = pcap_dump_open(p, path);
	if (d == NULL)
		die(path, pcap_geterr(p));
	write_records(d, "open", RECORDS, 262144, 1);
	pcap_dump_close(d);

	/* The same path with no flushes or direct writes in between. */
	snprintf(path, sizeof(path), "%s/plain.pcap", dir);
	d = pcap_dump_open(pn, path);
	if (d == NULL)
		die(path, pcap_geterr(pn));
	write_records(d, "plain", RECORDS, 65535, 0);
	pcap_dump_close(d);

	d = open_stream(pn, dir, "unbuffered.pcap", _IONBF, 0, NULL);
	write_records(d, "unbuffered", 2000, 65535, 1);
	pcap_dump_close(d);
	d = open_stream(p, dir, "linebuffered.pcap", _IOLBF, sizeof(line_buf), line_buf);
	write_records(d, "linebuffered", 2000, 262144, 1);
	pcap_dump_close(d);
	d = open_stream(p, dir, "smallbuffer.pcap", _IOFBF, sizeof(small_buf), small_buf);
	write_records(d, "smallbuffer", 4000, 262144, 1);
	pcap_dump_close(d);

	/* Append: written, closed, reopened with pcap_dump_open_append. */
	snprintf(path, sizeof(path), "%s/append.pcap", dir);
	d = pcap_dump_open(p, path);
	if (d == NULL)
		die(path, pcap_geterr(p));
	write_records(d, "append1", 3000, 262144, 0);
	pcap_dump_close(d);
	d = pcap_dump_open_append(p, path);
	if (d == NULL)
		die(path, pcap_geterr(p));
	write_records(d, "append2", 3000, 262144, 1);
	pcap_dump_close(d);

	/* A full device: what flush reports after the writes failed. */
	d = pcap_dump_open(p, "/dev/full");
	if (d != NULL) {
		write_records(d, "full", 500, 2000, 0);
		printf("full flush %d error %d\n", pcap_dump_flush(d), ferror(pcap_dump_file(d)) != 0);
		write_records(d, "full-after", 50, 2000, 0);
		pcap_dump_close(d);
	} else {
		printf("full open failed\n");
	}

	/* Last: once a second thread has existed the process is never again
	 * single-threaded. */
	job.p = p;
	job.dir = dir;
	if (pthread_create(&t, NULL, threaded_dump, &job) != 0)
		die("pthread_create", "failed");
	pthread_join(t, NULL);

	pcap_close(pn);
	pcap_close(p);
	return 0;
}
