/*
 * sfread MODE FILE... - read savefiles through whichever libpcap this
 * process loaded and print everything the library tells: for each file the
 * open error, or every packet (time stamp, caplen, len, a hash of the
 * bytes, the stream position ftell(pcap_file()) reports after it), what
 * each call returned and the final error text.  tests/savefile/savefile.sh
 * runs it under Debian's libpcap and ours; the outputs must match.
 *
 * MODE: dispatch (pcap_dispatch, 7 packets a call), loop (pcap_loop, all),
 * next (pcap_next_ex), next1 (pcap_next), break (pcap_dispatch(-1) with
 * pcap_breakloop every 5 packets), filter (pcap_dispatch with a real
 * filter program, "udp or len > 1000"), empty (the empty filter, which
 * compiles to one "ret"), reject ("ret #0": nothing passes),
 * refilter (a callback replaces the filter half-way), nano (nanosecond
 * precision), fopen (pcap_fopen_offline on a stream with stdio's default
 * buffer), seek (pcap_next_ex, and after every 10th packet ftell and
 * fseek back to where it was: stdio and the reader must agree), threaded
 * (dispatch as above in a process that has started a thread, so stdio
 * locks).  FILE "-"
 * is the standard input.  stderr names the library that provided
 * pcap_open_offline.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

struct state {
	pcap_t *p;
	const char *mode;
	unsigned long n;
};

static uint32_t
hash(const u_char *b, uint32_t len)
{
	uint32_t h = 2166136261u, i;	/* FNV-1a */

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static void
show(struct state *s, const struct pcap_pkthdr *h, const u_char *b)
{
	FILE *f = pcap_file(s->p);

	printf("%lu %lld.%09ld %u %u %08x %ld\n", s->n, (long long)h->ts.tv_sec,
	    (long)h->ts.tv_usec, h->caplen, h->len, hash(b, h->caplen),
	    f != NULL ? ftell(f) : -2L);
	s->n++;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *b)
{
	struct state *s = (struct state *)(void *)user;
	struct bpf_program prog;

	show(s, h, b);
	if (strcmp(s->mode, "break") == 0 && s->n % 5 == 0)
		pcap_breakloop(s->p);
	if (strcmp(s->mode, "refilter") == 0 && s->n == 50) {
		if (pcap_compile(s->p, &prog, "len < 200", 1, PCAP_NETMASK_UNKNOWN) != 0 ||
		    pcap_setfilter(s->p, &prog) != 0)
			printf("refilter: %s\n", pcap_geterr(s->p));
		pcap_freecode(&prog);
	}
}

static int
set_filter(pcap_t *p, const char *expr)
{
	struct bpf_program prog;
	int rc;

	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		printf("compile: %s\n", pcap_geterr(p));
		return -1;
	}
	rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc != 0)
		printf("setfilter: %s\n", pcap_geterr(p));
	return rc;
}

static void
read_file(const char *mode, const char *name)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct state s = { NULL, mode, 0 };
	struct pcap_pkthdr *h, h1;
	const u_char *b;
	FILE *f = NULL;
	int rc;

	printf("== %s %s\n", mode, name);
	errbuf[0] = '\0';
	if (strcmp(mode, "fopen") == 0) {
		f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
		if (f == NULL) {
			printf("fopen failed\n");
			return;
		}
		s.p = pcap_fopen_offline(f, errbuf);
	} else if (strcmp(mode, "nano") == 0)
		s.p = pcap_open_offline_with_tstamp_precision(name, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	else
		s.p = pcap_open_offline(name, errbuf);
	if (s.p == NULL) {
		printf("open: %s\n", errbuf);
		if (f != NULL && f != stdin)
			fclose(f);
		return;
	}
	printf("linktype %d snaplen %d swapped %d version %d.%d\n", pcap_datalink(s.p),
	    pcap_snapshot(s.p), pcap_is_swapped(s.p), pcap_major_version(s.p),
	    pcap_minor_version(s.p));

	if (strcmp(mode, "filter") == 0 || strcmp(mode, "refilter") == 0)
		rc = set_filter(s.p, "udp or len > 1000");
	else if (strcmp(mode, "empty") == 0)
		rc = set_filter(s.p, "");
	else if (strcmp(mode, "reject") == 0)
		rc = set_filter(s.p, "len < 0");
	else
		rc = 0;
	if (rc != 0)
		goto out;

	if (strcmp(mode, "next") == 0 || strcmp(mode, "seek") == 0) {
		while ((rc = pcap_next_ex(s.p, &h, &b)) == 1) {
			show(&s, h, b);
			if (strcmp(mode, "seek") == 0 && s.n % 10 == 0) {
				long at = ftell(pcap_file(s.p));

				if (at < 0 || fseek(pcap_file(s.p), at, SEEK_SET) != 0)
					printf("seek failed\n");
			}
		}
		printf("next_ex %d\n", rc);
	} else if (strcmp(mode, "next1") == 0) {
		while ((b = pcap_next(s.p, &h1)) != NULL)
			show(&s, &h1, b);
		printf("next NULL\n");
	} else if (strcmp(mode, "loop") == 0) {
		rc = pcap_loop(s.p, -1, on_packet, (u_char *)&s);
		printf("loop %d\n", rc);
	} else {
		int cnt = strcmp(mode, "dispatch") == 0 ? 7 : -1;

		do {
			rc = pcap_dispatch(s.p, cnt, on_packet, (u_char *)&s);
			printf("dispatch %d\n", rc);
		} while (rc > 0 || rc == PCAP_ERROR_BREAK);
	}
	if (rc == PCAP_ERROR)
		printf("error: %s\n", pcap_geterr(s.p));
out:
	pcap_close(s.p);	/* closes f too */
}

static void *
idle(void *arg)
{
	return arg;
}

int
main(int argc, char **argv)
{
	Dl_info info;
	pthread_t t;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: sfread MODE FILE...\n");
		return 2;
	}
	if (dladdr((void *)(uintptr_t)pcap_open_offline, &info) == 0 || info.dli_fname == NULL) {
		fprintf(stderr, "sfread: cannot tell which library provides pcap_open_offline\n");
		return 1;
	}
	fprintf(stderr, "library: %s\n", info.dli_fname);
	if (strcmp(argv[1], "threaded") == 0) {
		if (pthread_create(&t, NULL, idle, NULL) != 0 || pthread_join(t, NULL) != 0) {
			fprintf(stderr, "sfread: cannot start a thread\n");
			return 1;
		}
		argv[1] = "dispatch";
	}
	for (i = 2; i < argc; i++)
		read_file(argv[1], argv[i]);
	return 0;
}
