/*
 * fuzz_flow.c - libFuzzer target over pf_flow_parse + pf_flow_hash.
 *
 * Built with -DFUZZ_REPLAY_MAIN it gets its own main(): it replays each file
 * named on the command line, or a built-in corpus when there are none, so
 * `make check` (and the sanitizer build) exercises the same entry point.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfring.h"
#include "pf_flow.h"
#include "flow_frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int fuzz_types[] = {
	cluster_per_flow, cluster_round_robin, cluster_per_flow_2_tuple,
	cluster_per_flow_4_tuple, cluster_per_flow_5_tuple, cluster_per_flow_tcp_5_tuple,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_flow f, g;
	uint32_t caplen = size > 0xffffffffu ? 0xffffffffu : (uint32_t)size;
	uint8_t *copy;
	size_t t;
	int rc;

	rc = pf_flow_parse_buf(data, caplen, &f);
	if (rc < PF_FLOW_OK || rc > PF_FLOW_MALFORMED)
		abort();
	/* Invariants any input must keep. */
	if (rc != PF_FLOW_TRUNCATED && !(f.flags & PF_FLOW_F_L2))
		abort();
	if (rc == PF_FLOW_OK && !(f.flags & PF_FLOW_F_L3))
		abort();
	if ((f.flags & PF_FLOW_F_PORTS) && (f.flags & PF_FLOW_F_FRAGMENT))
		abort();
	if (f.vlan_count > PF_FLOW_MAX_VLANS || f.l3_offset > caplen)
		abort();
	for (t = 0; t < sizeof fuzz_types / sizeof fuzz_types[0]; t++) {
		uint32_t h = pf_flow_hash(&f, fuzz_types[t]);

		if (h != pf_flow_hash_packet(data, caplen, fuzz_types[t]))
			abort();
	}
	/* The parser must read nothing past caplen: an exact-size heap copy lets ASan see it. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	pf_flow_parse_buf(copy, caplen, &g);
	if (memcmp(&f, &g, sizeof f) != 0)
		abort();
	/* Tunnels: the inner parse on the exact-size copy, and its invariants. */
	{
		struct pf_flow_buf b = { copy, caplen, 0, 0 };
		struct pf_flow in;
		uint32_t h2;
		int kind = pf_flow_parse_inner(&b, &f, &in);

		if (kind < PF_FLOW_TUNNEL_NONE || kind > PF_FLOW_TUNNEL_IPIP)
			abort();
		if (kind != PF_FLOW_TUNNEL_NONE &&
		    (!(in.flags & PF_FLOW_F_L3) || in.l3_offset > caplen ||
		     ((in.flags & PF_FLOW_F_PORTS) && (in.flags & PF_FLOW_F_FRAGMENT))))
			abort();
		for (t = cluster_per_inner_flow; t <= cluster_per_inner_flow_ip_5_tuple; t++) {
			uint32_t h = kind != PF_FLOW_TUNNEL_NONE &&
				     t != cluster_per_flow_ip_5_tuple ?
				     pf_flow_hash(&in, (int)t) : pf_flow_hash(&f, (int)t);

			if (h != pf_flow_hash_packet(copy, caplen, (int)t))
				abort();
		}
		if (!pf_flow_hash_dup(&f, cluster_per_flow_ip_with_dup_tuple, &h2) ||
		    pf_flow_hash_packet(copy, caplen, cluster_per_flow_ip_with_dup_tuple) !=
		    pf_flow_hash(&f, cluster_per_flow_ip_with_dup_tuple))
			abort();
	}
	/* Out-of-band VLAN path too. */
	if (size >= 2)
		pf_flow_parse_buf_vlan(copy, caplen, (uint16_t)(data[0] << 8 | data[1]), 1, &g);
	free(copy);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!fp) {
		perror(path);
		return 1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(fp);
				return 1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		if (n == 0)
			break;
		len += n;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

/* Golden frames, every prefix of them, and seeded random mutations. */
static int replay_builtin(void)
{
	struct ff_frame fr[FF_COUNT];
	uint8_t buf[FF_MAX];
	uint32_t seed = 0x5eed, len, l, i, k, runs = 0;

	ff_golden(fr);
	for (i = 0; i < FF_COUNT; i++)
		for (l = 0; l <= fr[i].len; l++, runs++)
			LLVMFuzzerTestOneInput(fr[i].data, l);
	for (k = 0; k < 20000; k++, runs++) {
		if (k % 2) {
			len = ff_random_frame(buf, &seed, NULL);
		} else {
			i = ff_rand(&seed) % FF_COUNT;
			len = fr[i].len;
			memcpy(buf, fr[i].data, len);
		}
		/* flip a few bytes, often the ones steering the parser */
		for (l = ff_rand(&seed) % 4; l > 0; l--) {
			static const uint8_t hot[] = { 12, 13, 14, 16, 17, 18, 20, 21, 23, 54, 60 };
			uint32_t at = (ff_rand(&seed) & 1) ? hot[ff_rand(&seed) % sizeof hot]
							     : ff_rand(&seed) % len;

			if (at < len)
				buf[at] = (uint8_t)ff_rand(&seed);
		}
		LLVMFuzzerTestOneInput(buf, ff_rand(&seed) % (len + 1));
	}
	for (k = 0; k < 2000; k++, runs++) {
		len = ff_rand(&seed) % FF_MAX;
		for (l = 0; l < len; l++)
			buf[l] = (uint8_t)ff_rand(&seed);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz_flow: %u built-in inputs replayed\n", runs);
	return 0;
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc < 2)
		return replay_builtin();
	for (i = 1; i < argc; i++)
		rc |= replay_file(argv[i]);
	printf("fuzz_flow: %d file(s) replayed\n", argc - 1);
	return rc;
}
#endif /* FUZZ_REPLAY_MAIN */
