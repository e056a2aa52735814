/*
 * flowhash - which cluster member the shared flow hash (common/pf_flow.h)
 * gives a flow, so tests can check each flow reached that member.
 *
 *   flowhash -t TYPE -m MEMBERS [-T gtpu|vxlan|gre|ipip] 'SRC:SPORT>DST:DPORT/PROTO' ...
 *
 * prints one member index per flow.  The flow is turned into a real frame
 * (with -T inside that tunnel from 172.16.0.1 to 172.16.0.2, as flowgen -T
 * sends it) and hashed through the same parser the eBPF fanout program
 * uses.  ip_with_dup_tuple prints both members, "a b" ascending, or one
 * when they are the same.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pf_config.h"
#include "pf_flow.h"

static int
build_frame(const char *spec, unsigned char *f, size_t *len)
{
	char src[32], dst[32], proto[8];
	unsigned int sport, dport;
	struct in_addr s, d;
	int l4;

	if (sscanf(spec, "%31[0-9.]:%u>%31[0-9.]:%u/%7s", src, &sport, dst, &dport, proto) != 5 ||
	    inet_pton(AF_INET, src, &s) != 1 || inet_pton(AF_INET, dst, &d) != 1 ||
	    sport > 65535 || dport > 65535)
		return -1;
	if (strcmp(proto, "udp") == 0)
		l4 = 17;
	else if (strcmp(proto, "tcp") == 0)
		l4 = 6;
	else
		return -1;
	memset(f, 0, 64);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	f[14] = 0x45;
	f[17] = 50;             /* total length: 20 + 30 */
	f[22] = 64;
	f[23] = (unsigned char)l4;
	memcpy(f + 26, &s, 4);
	memcpy(f + 30, &d, 4);
	f[34] = (unsigned char)(sport >> 8);
	f[35] = (unsigned char)sport;
	f[36] = (unsigned char)(dport >> 8);
	f[37] = (unsigned char)dport;
	if (l4 == 6)
		f[46] = 0x50;   /* TCP data offset */
	*len = 64;
	return 0;
}

/* frame (len bytes, untagged IPv4) inside tunnel kind, into out. */
static size_t
wrap(const char *kind, const unsigned char *f, size_t len, unsigned char *out)
{
	size_t ipl = len - 14, hdr;
	unsigned int sport = (unsigned int)f[34] << 8 | f[35];

	memcpy(out, f, 12);
	out[12] = 0x08;
	out[13] = 0x00;
	memset(out + 14, 0, 20 + 16);
	out[14] = 0x45;
	out[22] = 64;
	memcpy(out + 26, "\xac\x10\x00\x01\xac\x10\x00\x02", 8);
	if (strcmp(kind, "gtpu") == 0) {
		out[23] = 17;
		out[34] = 2152 >> 8; out[35] = 2152 & 255;
		out[36] = 2152 >> 8; out[37] = 2152 & 255;
		out[42] = 0x30;
		out[43] = 0xff;
		hdr = 16;
		memcpy(out + 34 + hdr, f + 14, ipl);
	} else if (strcmp(kind, "vxlan") == 0) {
		/* flowgen's source port: 49152 + flow index, the index being sport - 10000 */
		unsigned int vs = 49152 + ((sport - 10000) & 0x3fff);

		out[23] = 17;
		out[34] = (unsigned char)(vs >> 8); out[35] = (unsigned char)vs;
		out[36] = 4789 >> 8; out[37] = 4789 & 255;
		out[42] = 0x08;
		hdr = 16;
		memcpy(out + 34 + hdr, f, len);
		ipl = len;
	} else if (strcmp(kind, "gre") == 0) {
		out[23] = 47;
		out[36] = 0x08;
		hdr = 4;
		memcpy(out + 34 + hdr, f + 14, ipl);
	} else if (strcmp(kind, "ipip") == 0) {
		out[23] = 4;
		hdr = 0;
		memcpy(out + 34, f + 14, ipl);
	} else {
		return 0;
	}
	out[16] = (unsigned char)((20 + hdr + ipl) >> 8);
	out[17] = (unsigned char)(20 + hdr + ipl);
	return 34 + hdr + ipl;
}

int
main(int argc, char **argv)
{
	unsigned char frame[64], tunnelled[160], frame_buf[160];
	unsigned long members = 0;
	const char *tunnel = NULL;
	int type = -1, c, i;
	size_t len;

	while ((c = getopt(argc, argv, "t:m:T:")) != -1) {
		switch (c) {
		case 'T':
			tunnel = optarg;
			break;
		case 't':
			type = pf_cluster_type_from_name(optarg);
			break;
		case 'm':
			members = strtoul(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (type < 0 || type == cluster_round_robin || members == 0 || optind >= argc) {
		fprintf(stderr, "usage: flowhash -t TYPE (pfring-config(7)) -m MEMBERS"
			" [-T gtpu|vxlan|gre|ipip] 'SRC:SPORT>DST:DPORT/udp|tcp' ...\n");
		return 2;
	}
	for (i = optind; i < argc; i++) {
		if (build_frame(argv[i], frame, &len) < 0) {
			fprintf(stderr, "flowhash: bad flow '%s'\n", argv[i]);
			return 2;
		}
		if (tunnel != NULL) {
			len = wrap(tunnel, frame, len, tunnelled);
			if (len == 0) {
				fprintf(stderr, "flowhash: bad tunnel '%s'\n", tunnel);
				return 2;
			}
			memcpy(frame_buf, tunnelled, len);
		} else {
			memcpy(frame_buf, frame, len);
		}
		if (type == cluster_per_flow_ip_with_dup_tuple) {
			struct pf_flow f;
			pf_u32 h2 = 0;
			unsigned long a, b;

			pf_flow_parse_buf(frame_buf, (pf_u32)len, &f);
			pf_flow_hash_dup(&f, type, &h2);
			a = (unsigned long)pf_flow_hash(&f, type) % members;
			b = (unsigned long)h2 % members;
			if (a == b)
				printf("%lu\n", a);
			else
				printf("%lu %lu\n", a < b ? a : b, a < b ? b : a);
			continue;
		}
		printf("%lu\n", (unsigned long)pf_flow_hash_packet(frame_buf, (pf_u32)len, type) %
		       members);
	}
	return 0;
}
