/*
 * sfgen DIR - write a fixed set of pcap savefiles, good and damaged, for
 * tests/savefile/savefile.sh to read under Debian's libpcap and ours.
 *
 * Written byte by byte, without libpcap, so that every header field can be
 * anything: both byte orders, microsecond and nanosecond magic numbers, the
 * Kuznetzov (24-byte record header) magic, versions 2.2 / 2.3 / 543.0 (the
 * ones whose caplen and len come swapped), caplen above the file's snaplen
 * and above the link type's maximum, link types whose pseudo-header libpcap
 * rewrites (Linux SLL and USB, swapped), records from 0 bytes to 256 KB
 * (across any stdio buffer), time stamps with the sign bit set, and every
 * prefix of a small file (truncated at each byte: file header, record
 * header, packet data) plus prefixes of a large one around buffer
 * boundaries, and seeded random corruptions of record headers.
 * The sequence is deterministic (fixed-seed generator): same files in
 * every run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_rng.h"

#define MAGIC_USEC	0xa1b2c3d4u
#define MAGIC_NSEC	0xa1b23c4du
#define MAGIC_KUZ	0xa1b2cd34u
#define DLT_EN10MB	1u
#define DLT_LINUX_SLL	113u
#define DLT_USB_MMAP	220u
#define MAX_EN10MB	262144u

static const char *dir;

/* A growing byte image of one file. */
struct img {
	unsigned char *b;
	size_t len, cap;
	int swap;	/* write fields big-endian (the other byte order here) */
};

static void
put(struct img *m, const void *p, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->b = realloc(m->b, m->cap);
		if (m->b == NULL) {
			perror("sfgen");
			exit(1);
		}
	}
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
put32(struct img *m, uint32_t v)
{
	unsigned char b[4];

	if (m->swap) {
		b[0] = v >> 24; b[1] = v >> 16; b[2] = v >> 8; b[3] = v;
	} else {
		b[0] = v; b[1] = v >> 8; b[2] = v >> 16; b[3] = v >> 24;
	}
	put(m, b, 4);
}

static void
put16(struct img *m, uint16_t v)
{
	unsigned char b[2];

	if (m->swap) {
		b[0] = v >> 8; b[1] = v;
	} else {
		b[0] = v; b[1] = v >> 8;
	}
	put(m, b, 2);
}

static void
file_header(struct img *m, uint32_t magic, uint16_t vmaj, uint16_t vmin,
    uint32_t snaplen, uint32_t linktype)
{
	put32(m, magic);
	put16(m, vmaj);
	put16(m, vmin);
	put32(m, 0);		/* thiszone */
	put32(m, 0);		/* sigfigs */
	put32(m, snaplen);
	put32(m, linktype);
}

/* One record: header fields as given, caplen bytes of deterministic data. */
static void
record(struct img *m, uint32_t sec, uint32_t frac, uint32_t caplen,
    uint32_t len, int kuznetzov)
{
	static unsigned char data[MAX_EN10MB + 65536];
	uint32_t i;

	put32(m, sec);
	put32(m, frac);
	put32(m, caplen);
	put32(m, len);
	if (kuznetzov) {
		put32(m, 7);		/* index */
		put16(m, 0x0800);	/* protocol */
		put(m, "\x04\x00", 2);	/* pkt_type, padding */
	}
	for (i = 0; i < caplen && i < sizeof(data); i++)
		data[i] = (unsigned char)(rng() >> 24);
	put(m, data, caplen);
}

/* A plausible caplen: mostly frames, now and then tiny or huge ones. */
static uint32_t
some_caplen(uint32_t max)
{
	uint32_t r = rng(), c;

	switch (r % 16) {
	case 0: c = 0; break;
	case 1: c = rng() % 16; break;
	case 2: c = 1514; break;
	case 3: c = 9000 + rng() % 64; break;
	case 4: c = rng() % 70000; break;
	default: c = 42 + rng() % 100; break;
	}
	return c > max ? max : c;
}

/* n records with varied sizes and time stamps (sign bit set now and then). */
static void
records(struct img *m, unsigned int n, uint32_t max, int nsec, int kuz)
{
	unsigned int i;
	uint32_t caplen, len, frac;

	for (i = 0; i < n; i++) {
		caplen = some_caplen(max);
		len = caplen + (rng() % 3 == 0 ? rng() % 2000 : 0);
		frac = nsec ? rng() % 1000000000u : rng() % 1000000u;
		if (i % 97 == 5)
			frac = 0xfffffff0u + i % 16;	/* out of range */
		record(m, (i % 89 == 3 ? 0x80000000u + i : 1700000000u + i),
		    frac, caplen, len, kuz);
	}
}

static void
save(const struct img *m, size_t len, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || (len > 0 && fwrite(m->b, len, 1, f) != 1) || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void
reset(struct img *m, int swap)
{
	m->len = 0;
	m->swap = swap;
}

int
main(int argc, char **argv)
{
	struct img m = { NULL, 0, 0, 0 };
	char name[256];
	size_t cut, small_len, hdr_end[8];
	unsigned int i, k;
	int swap;

	if (argc != 2) {
		fprintf(stderr, "usage: sfgen DIR\n");
		return 2;
	}
	dir = argv[1];
	rng_state = 0x2545f4914f6cdd1dull;

	/* Good files: both byte orders, micro and nano. */
	for (swap = 0; swap < 2; swap++) {
		for (k = 0; k < 2; k++) {
			reset(&m, swap);
			file_header(&m, k ? MAGIC_NSEC : MAGIC_USEC, 2, 4, MAX_EN10MB, DLT_EN10MB);
			records(&m, 2000, MAX_EN10MB, k, 0);
			snprintf(name, sizeof(name), "%s-%s.pcap", swap ? "be" : "le", k ? "nsec" : "usec");
			save(&m, m.len, name);
		}
	}

	/* Frames of every size up to the maximum, across any buffer. */
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 4, MAX_EN10MB, DLT_EN10MB);
	for (i = 0; i < 40; i++)
		record(&m, 1700000000u + i, i, i % 5 == 0 ? MAX_EN10MB - i : 60000 + i * 1111, 70000 + i, 0);
	save(&m, m.len, "large.pcap");
	/*
	 * ... truncated in and around the first six records (past the first
	 * buffer refills): before a record, inside its header, after it,
	 * inside its data, a byte short.
	 */
	{
		size_t off = 24;
		uint32_t caplen;

		for (i = 0; i < 6; i++) {
			caplen = m.b[off + 8] | m.b[off + 9] << 8 | m.b[off + 10] << 16 |
			    (uint32_t)m.b[off + 11] << 24;
			for (k = 0; k < 5; k++) {
				size_t at[5] = { off - 1, off + 7, off + 16, off + 16 + caplen / 2,
						 off + 16 + caplen - 1 };

				snprintf(name, sizeof(name), "cut-large-%02u-%u.pcap", i, k);
				save(&m, at[k], name);
			}
			off += 16 + caplen;
		}
	}

	/* caplen above the file's snaplen (read, truncated to it). */
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 4, 100, DLT_EN10MB);
	for (i = 0; i < 200; i++)
		record(&m, 1700000000u + i, i, i % 3 ? 60 + i : 101 + i * 50, 5000, 0);
	save(&m, m.len, "over-snaplen.pcap");
	m.swap = 1;
	reset(&m, 1);
	file_header(&m, MAGIC_NSEC, 2, 4, 100, DLT_EN10MB);
	for (i = 0; i < 200; i++)
		record(&m, 1700000000u + i, i, i % 3 ? 60 + i : 101 + i * 50, 5000, 0);
	save(&m, m.len, "over-snaplen-be.pcap");
	/* truncated inside the part beyond the snaplen, and inside the part kept */
	save(&m, m.len - 10, "over-snaplen-be-cut.pcap");

	/* caplen above the maximum: bigger than the snaplen, or not. */
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 4, MAX_EN10MB, DLT_EN10MB);
	records(&m, 10, 1514, 0, 0);
	record(&m, 1, 2, MAX_EN10MB + 1, MAX_EN10MB + 1, 0);
	save(&m, m.len, "over-max-snaplen.pcap");
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 4, 1000000, DLT_EN10MB);
	records(&m, 10, 1514, 0, 0);
	record(&m, 1, 2, MAX_EN10MB + 1, MAX_EN10MB + 1, 0);
	save(&m, m.len, "over-max.pcap");
	/* snaplen 0 and > INT_MAX: libpcap uses the link type's maximum */
	reset(&m, 1);
	file_header(&m, MAGIC_USEC, 2, 4, 0, DLT_EN10MB);
	records(&m, 50, 1514, 0, 0);
	save(&m, m.len, "snaplen-0.pcap");
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 4, 0x80000000u, DLT_EN10MB);
	records(&m, 50, 1514, 0, 0);
	save(&m, m.len, "snaplen-huge.pcap");

	/* Versions whose caplen and len come swapped (always, or maybe). */
	for (k = 0; k < 3; k++) {
		static const uint16_t vmaj[3] = { 2, 2, 543 }, vmin[3] = { 2, 3, 0 };

		reset(&m, k == 1);
		file_header(&m, MAGIC_USEC, vmaj[k], vmin[k], 1000, DLT_EN10MB);
		for (i = 0; i < 100; i++)
			record(&m, 1700000000u + i, i, 60 + i % 7, i % 2 ? 60 + i % 7 + i : 50, 0);
		snprintf(name, sizeof(name), "version-%u.%u.pcap", vmaj[k], vmin[k]);
		save(&m, m.len, name);
	}
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 1, 0, 1000, DLT_EN10MB);
	save(&m, m.len, "version-1.0.pcap");
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 5, 1000, DLT_EN10MB);
	save(&m, m.len, "version-2.5.pcap");

	/* Kuznetzov's 24-byte record headers, both byte orders. */
	for (swap = 0; swap < 2; swap++) {
		reset(&m, swap);
		file_header(&m, MAGIC_KUZ, 2, 4, 1500, DLT_EN10MB);
		records(&m, 300, 1514, 0, 1);
		snprintf(name, sizeof(name), "kuznetzov-%s.pcap", swap ? "be" : "le");
		save(&m, m.len, name);
	}

	/* Link types whose pseudo-header libpcap rewrites (swapped) or checks. */
	for (swap = 0; swap < 2; swap++) {
		reset(&m, swap);
		file_header(&m, MAGIC_USEC, 2, 4, 65535, DLT_LINUX_SLL);
		records(&m, 300, 65535, 0, 0);
		snprintf(name, sizeof(name), "sll-%s.pcap", swap ? "be" : "le");
		save(&m, m.len, name);
		reset(&m, swap);
		file_header(&m, MAGIC_USEC, 2, 4, 65535, DLT_USB_MMAP);
		records(&m, 300, 65535, 0, 0);
		snprintf(name, sizeof(name), "usbmmap-%s.pcap", swap ? "be" : "le");
		save(&m, m.len, name);
	}

	/* A small file, cut after every byte. */
	reset(&m, 0);
	file_header(&m, MAGIC_NSEC, 2, 4, 200, DLT_EN10MB);
	hdr_end[0] = m.len;
	for (i = 0; i < 5; i++) {
		record(&m, 1700000000u + i, 999999000u + i, i == 2 ? 0 : i == 3 ? 250 : 20 + i, 80, 0);
		hdr_end[i + 1] = m.len;
	}
	small_len = m.len;
	for (cut = 0; cut <= small_len; cut++) {
		snprintf(name, sizeof(name), "cut-small-%03zu.pcap", cut);
		save(&m, cut, name);
	}
	(void)hdr_end;

	/* Seeded corruptions: one record header field of a good file. */
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 4, 2000, DLT_EN10MB);
	records(&m, 60, 1514, 0, 0);
	for (k = 0; k < 120; k++) {
		struct img c = { NULL, 0, 0, 0 };
		size_t off = 24;
		unsigned int which = rng() % 60, j;
		uint32_t caplen = 0;

		put(&c, m.b, m.len);
		for (j = 0; j <= which; j++) {
			caplen = c.b[off + 8] | c.b[off + 9] << 8 | c.b[off + 10] << 16 |
			    (uint32_t)c.b[off + 11] << 24;
			if (j < which)
				off += 16 + caplen;
		}
		/* a byte of the record header, or of the file header */
		if (k % 10 == 9)
			c.b[rng() % 24] ^= (unsigned char)(1u << (rng() % 8));
		else
			c.b[off + rng() % 16] = (unsigned char)rng();
		snprintf(name, sizeof(name), "corrupt-%03u.pcap", k);
		save(&c, c.len, name);
		free(c.b);
	}

	/* Not pcap at all, or nothing. */
	save(&m, 0, "empty-file.pcap");
	reset(&m, 0);
	put32(&m, 0x12345678u);
	put32(&m, 0);
	save(&m, m.len, "unknown-magic.pcap");
	reset(&m, 0);
	file_header(&m, MAGIC_USEC, 2, 4, 65535, DLT_EN10MB);
	save(&m, m.len, "no-records.pcap");
	free(m.b);
	return 0;
}
