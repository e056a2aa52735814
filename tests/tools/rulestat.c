/*
 * rulestat - open a ring through the libpfring API with filtering rules
 * from the environment (PFRING_RULES), receive until COUNT packets passed
 * (or SECONDS went by), then print where the rules ran and each rule's
 * counters:
 *
 *   rulestat -i DEV -n COUNT [-t SECONDS] [-r ID,...] [-h ID:proto:a:pa:b:pb]
 *
 *   ready                       once capturing
 *   rules kernel|user
 *   received N
 *   rule ID packets P bytes B   for each -r ID
 *   hash ID packets P           for each -h rule (IPv4)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfring.h"

static int
parse_hash(const char *s, hash_filtering_rule *h)
{
	char proto[8], a[32], b[32];
	unsigned int id, pa, pb;
	struct in_addr ia, ib;

	if (sscanf(s, "%u:%7[a-z]:%31[0-9.]:%u:%31[0-9.]:%u", &id, proto, a, &pa, b, &pb) != 6 ||
	    inet_pton(AF_INET, a, &ia) != 1 || inet_pton(AF_INET, b, &ib) != 1)
		return -1;
	memset(h, 0, sizeof(*h));
	h->rule_id = (uint16_t)id;
	h->ip_version = 4;
	h->proto = strcmp(proto, "tcp") == 0 ? 6 : 17;
	h->host_peer_a.v4 = ntohl(ia.s_addr);
	h->host_peer_b.v4 = ntohl(ib.s_addr);
	h->port_peer_a = (uint16_t)pa;
	h->port_peer_b = (uint16_t)pb;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *dev = NULL, *ids = NULL, *hash = NULL;
	long want = 0, got = 0, seconds = 20;
	struct pfring_pkthdr hdr;
	pfring_rule_stats st;
	hash_filtering_rule h;
	char err[256], list[256], *tok;
	u_char *pkt;
	pfring *ring;
	time_t end;
	int c;

	while ((c = getopt(argc, argv, "i:n:t:r:h:")) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 'n': want = atol(optarg); break;
		case 't': seconds = atol(optarg); break;
		case 'r': ids = optarg; break;
		case 'h': hash = optarg; break;
		default: return 2;
		}
	}
	if (dev == NULL || want <= 0) {
		fprintf(stderr, "usage: rulestat -i DEV -n COUNT [-t SECONDS] [-r ID,...] [-h ID:proto:a:pa:b:pb]\n");
		return 2;
	}
	ring = pfring_open_err(dev, 1500, PF_RING_PROMISC, err, sizeof(err));
	if (ring == NULL) {
		fprintf(stderr, "rulestat: %s\n", err);
		return 1;
	}
	if (pfring_enable_ring(ring) < 0) {
		fprintf(stderr, "rulestat: %s\n", pfring_last_error(ring));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	end = time(NULL) + seconds;
	while (got < want && time(NULL) < end) {
		if (pfring_poll(ring, 100) < 0)
			break;
		while (got < want && pfring_recv(ring, &pkt, 0, &hdr, 0) == 1)
			got++;
	}
	printf("rules %s\n", pfring_rules_in_kernel(ring) == 1 ? "kernel" : "user");
	printf("received %ld\n", got);
	if (ids != NULL) {
		snprintf(list, sizeof(list), "%s", ids);
		for (tok = strtok(list, ","); tok != NULL; tok = strtok(NULL, ",")) {
			if (pfring_get_filtering_rule_stats(ring, (uint16_t)atoi(tok), &st) < 0)
				printf("rule %s: %s\n", tok, pfring_last_error(ring));
			else
				printf("rule %s packets %llu bytes %llu\n", tok,
				       (unsigned long long)st.matched_packets,
				       (unsigned long long)st.matched_bytes);
		}
	}
	if (hash != NULL) {
		if (parse_hash(hash, &h) < 0 ||
		    pfring_get_hash_filtering_rule_stats(ring, &h, &st) < 0)
			printf("hash %s: not found\n", hash);
		else
			printf("hash %u packets %llu\n", h.rule_id,
			       (unsigned long long)st.matched_packets);
	}
	pfring_close(ring);
	return 0;
}
