/*
 * pcapflows - count packets and flows in classic pcap files.
 *
 *   pcapflows [-c] [-i] [-n | -s] FILE...
 *
 * Default: one line per flow, "src:sport>dst:dport/proto count" (the format
 * of flowgen --list), sorted; frames that are not IPv4 count as "other".
 * -n prints only the number of records, -s prints "caplen len" for each
 * record.  -i reports a tunnelled packet (GTP-U G-PDU to UDP 2152, VXLAN
 * to UDP 4789, GRE with IPv4 or Ethernet inside, IPv4 in IPv4) by the IPv4
 * flow it carries.  With several files, each file is reported on its own, every line
 * prefixed by "FILE: ", unless -c combines them into one report.
 *
 * Our own parser, not libpcap: the files come from the library under test.
 * A file that is still being written may end in a partial record (or even
 * lack its header so far); that part is ignored, not an error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINKTYPE_ETHERNET   1
#define LINKTYPE_LINUX_SLL  113
#define LINKTYPE_LINUX_SLL2 276
#define LINKTYPE_RAW        101
/* Bigger than any snaplen a capture program uses: such a record is garbage. */
#define MAX_RECORD (16u * 1024u * 1024u)

struct flow {
	char key[64];
	unsigned long count;
};

struct report {
	struct flow *flows;
	size_t n, cap;
	unsigned long packets;
};

static int mode_count, mode_sizes, mode_inner;

static void add_flow(struct report *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->flows[i].key, key) == 0) {
			r->flows[i].count++;
			return;
		}
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->flows = realloc(r->flows, r->cap * sizeof(*r->flows));
		if (!r->flows) {
			perror("pcapflows");
			exit(2);
		}
	}
	snprintf(r->flows[r->n].key, sizeof(r->flows[r->n].key), "%s", key);
	r->flows[r->n].count = 1;
	r->n++;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/*
 * -i: where the IPv4 packet a tunnel in the IPv4 packet p (header ihl bytes)
 * carries starts, or 0.  Only what flowgen -T and common tunnels send:
 * checked byte by byte against len.
 */
static size_t tunnel_payload(const uint8_t *p, size_t len, size_t ihl)
{
	const uint8_t *t = p + ihl;
	size_t off;

	if ((be16(p + 6) & 0x3fff) != 0)
		return 0; /* a fragment */
	if (p[9] == 4)
		return ihl;
	if (p[9] == 47 && len >= ihl + 4 && (t[1] & 7) == 0 && !(t[0] & 0x40)) {
		off = ihl + 4 + (t[0] & 0x80 ? 4 : 0) + (t[0] & 0x20 ? 4 : 0) + (t[0] & 0x10 ? 4 : 0);
		if (be16(t + 2) == 0x0800)
			return off;
		if (be16(t + 2) == 0x6558 && len >= off + 14 && be16(p + off + 12) == 0x0800)
			return off + 14;
		return 0;
	}
	if (p[9] != 17 || len < ihl + 16)
		return 0;
	if (be16(t + 2) == 4789 && (t[8] & 0x08) && len >= ihl + 16 + 14 &&
	    be16(t + 16 + 12) == 0x0800)
		return ihl + 16 + 14;
	/* GTP-U G-PDU with the 8-byte header only. */
	if (be16(t + 2) == 2152 && t[8] == 0x30 && t[9] == 0xff)
		return ihl + 16;
	return 0;
}

static void classify_ipv4(const uint8_t *p, size_t len, char *key, size_t keylen, int depth)
{
	if (len < 20 || (p[0] >> 4) != 4 || (p[0] & 15) < 5 || (size_t)(p[0] & 15) * 4 > len) {
		snprintf(key, keylen, "short");
		return;
	}
	size_t ihl = (size_t)(p[0] & 15) * 4;
	if (mode_inner && depth == 0) {
		size_t in = tunnel_payload(p, len, ihl);

		if (in) {
			classify_ipv4(p + in, len - in, key, keylen, 1);
			return;
		}
	}
	char src[16], dst[16];
	snprintf(src, sizeof(src), "%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
	snprintf(dst, sizeof(dst), "%u.%u.%u.%u", p[16], p[17], p[18], p[19]);
	unsigned proto = p[9];
	const char *pname = proto == 17 ? "udp" : proto == 6 ? "tcp" : NULL;
	int first_fragment = (be16(p + 6) & 0x1fff) == 0;
	if (pname && first_fragment && len >= ihl + 4) {
		snprintf(key, keylen, "%s:%u>%s:%u/%s", src, be16(p + ihl), dst,
			 be16(p + ihl + 2), pname);
	} else if (pname && !first_fragment) {
		snprintf(key, keylen, "%s>%s/%s-fragment", src, dst, pname);
	} else if (pname) {
		snprintf(key, keylen, "short");
	} else if (proto == 1) {
		snprintf(key, keylen, "%s>%s/icmp", src, dst);
	} else {
		snprintf(key, keylen, "%s>%s/ip%u", src, dst, proto);
	}
}

static void classify(uint32_t linktype, const uint8_t *p, size_t len, char *key, size_t keylen)
{
	uint16_t et;
	switch (linktype) {
	case LINKTYPE_ETHERNET:
		if (len < 14)
			goto other;
		et = be16(p + 12);
		p += 14;
		len -= 14;
		break;
	case LINKTYPE_LINUX_SLL:
		if (len < 16)
			goto other;
		et = be16(p + 14);
		p += 16;
		len -= 16;
		break;
	case LINKTYPE_LINUX_SLL2:
		if (len < 20)
			goto other;
		et = be16(p);
		p += 20;
		len -= 20;
		break;
	case LINKTYPE_RAW:
		et = len && (p[0] >> 4) == 4 ? 0x0800 : 0;
		break;
	default:
		goto other;
	}
	/* 802.1Q / 802.1ad tags, possibly stacked. */
	while ((et == 0x8100 || et == 0x88a8) && len >= 4) {
		et = be16(p + 2);
		p += 4;
		len -= 4;
	}
	if (et == 0x0800) {
		classify_ipv4(p, len, key, keylen, 0);
		return;
	}
other:
	snprintf(key, keylen, "other");
}

/* Returns 0, or -1 after a message when the file is not a usable pcap file. */
static int read_file(const char *path, struct report *r, const char *size_prefix)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "pcapflows: %s: %s\n", path, strerror(errno));
		return -1;
	}
	uint8_t gh[24];
	size_t got = fread(gh, 1, sizeof(gh), f);
	if (got < sizeof(gh)) {
		/* The writer has not flushed the header yet: no packets so far. */
		fclose(f);
		return 0;
	}
	uint32_t magic;
	memcpy(&magic, gh, 4);
	int swap;
	switch (magic) {
	case 0xa1b2c3d4: case 0xa1b23c4d: swap = 0; break;
	case 0xd4c3b2a1: case 0x4d3cb2a1: swap = 1; break;
	default:
		fprintf(stderr, "pcapflows: %s: not a classic pcap file (magic 0x%08x)\n",
			path, (unsigned)magic);
		fclose(f);
		return -1;
	}
	uint32_t linktype = rd32(gh + 20, swap) & 0x0fffffff; /* high bits: FCS info */

	static uint8_t buf[MAX_RECORD];
	for (;;) {
		uint8_t rh[16];
		if (fread(rh, 1, sizeof(rh), f) < sizeof(rh))
			break; /* end, or a record header still being written */
		uint32_t caplen = rd32(rh + 8, swap), len = rd32(rh + 12, swap);
		if (caplen > MAX_RECORD) {
			fprintf(stderr, "pcapflows: %s: corrupt record %lu (caplen %u)\n",
				path, r->packets + 1, (unsigned)caplen);
			fclose(f);
			return -1;
		}
		if (fread(buf, 1, caplen, f) < caplen)
			break; /* record data still being written */
		r->packets++;
		if (mode_sizes)
			printf("%s%u %u\n", size_prefix, (unsigned)caplen, (unsigned)len);
		if (!mode_count && !mode_sizes) {
			char key[64];
			classify(linktype, buf, caplen, key, sizeof(key));
			add_flow(r, key);
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "pcapflows: %s: read error\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int cmp_flow(const void *a, const void *b)
{
	return strcmp(((const struct flow *)a)->key, ((const struct flow *)b)->key);
}

static void print_report(struct report *r, const char *prefix)
{
	if (mode_count) {
		printf("%s%lu\n", prefix, r->packets);
		return;
	}
	qsort(r->flows, r->n, sizeof(*r->flows), cmp_flow);
	for (size_t i = 0; i < r->n; i++)
		printf("%s%s %lu\n", prefix, r->flows[i].key, r->flows[i].count);
}

static void usage(void)
{
	fprintf(stderr, "usage: pcapflows [-c] [-i] [-n | -s] FILE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int combine = 0, c;
	while ((c = getopt(argc, argv, "cinsh")) != -1) {
		switch (c) {
		case 'c': combine = 1; break;
		case 'n': mode_count = 1; break;
		case 'i': mode_inner = 1; break;
		case 's': mode_sizes = 1; break;
		default: usage();
		}
	}
	if (optind >= argc || (mode_count && mode_sizes))
		usage();
	int nfiles = argc - optind;
	int per_file_prefix = nfiles > 1 && !combine;
	struct report all = { 0 };
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct report one = { 0 };
		struct report *r = combine ? &all : &one;
		char prefix[4096];
		snprintf(prefix, sizeof(prefix), "%s: ", argv[i]);
		/* No numbers for an unreadable file: a partial count would look valid. */
		if (read_file(argv[i], r, per_file_prefix ? prefix : "") < 0)
			rc = 2;
		else if (!combine && !mode_sizes)
			print_report(r, per_file_prefix ? prefix : "");
		free(one.flows);
	}
	if (combine && !mode_sizes && rc == 0)
		print_report(&all, "");
	free(all.flows);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = 2;
	return rc;
}
