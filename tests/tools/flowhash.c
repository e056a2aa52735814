/*
 * flowhash - which cluster member the shared flow hash (common/pf_flow.h)
 * gives a flow, so tests can check each flow reached that member.
 *
 *   flowhash -t TYPE -m MEMBERS 'SRC:SPORT>DST:DPORT/PROTO' ...
 *
 * prints one member index per flow.  The flow is turned into a real frame
 * and hashed through the same parser the eBPF fanout program uses.
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

int
main(int argc, char **argv)
{
	unsigned char frame[64];
	unsigned long members = 0;
	int type = -1, c, i;
	size_t len;

	while ((c = getopt(argc, argv, "t:m:")) != -1) {
		switch (c) {
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
		fprintf(stderr, "usage: flowhash -t per_flow|2_tuple|4_tuple|5_tuple|tcp_5_tuple"
			" -m MEMBERS 'SRC:SPORT>DST:DPORT/udp|tcp' ...\n");
		return 2;
	}
	for (i = optind; i < argc; i++) {
		if (build_frame(argv[i], frame, &len) < 0) {
			fprintf(stderr, "flowhash: bad flow '%s'\n", argv[i]);
			return 2;
		}
		printf("%lu\n", (unsigned long)pf_flow_hash_packet(frame, (pf_u32)len, type) % members);
	}
	return 0;
}
