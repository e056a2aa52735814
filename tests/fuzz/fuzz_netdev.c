/*
 * fuzz_netdev.c - libFuzzer target for pf_netdev.c's reply parsers: any
 * bytes as an ethtool channels, ethtool linkmodes and netdev reply.  A
 * parser must refuse with a message or fill facts that hold together.
 *
 * Built with -DFUZZ_REPLAY_MAIN it replays the files named on the command
 * line, or replies written by tests/unit/netdev_msgs.h and every cut and
 * one-byte change of them; see tests/fuzz/fuzz.am for the libFuzzer build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netdev_msgs.h"
#include "pf_netdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(int rc, const char *err, size_t errlen)
{
	if (rc != 0 && (memchr(err, '\0', errlen) == NULL || err[0] == '\0'))
		abort();
	if (rc != 0 && rc != -1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(8) unsigned char buf[65536];
	pfring_device_facts f;
	char err[PFRING_ERRBUF_SIZE];
	int rc;

	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);

	memset(&f, 0, sizeof(f));
	rc = pf_netdev_parse_channels(buf, size, T_ETHTOOL, T_IFINDEX, &f, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	if (rc == 0 && (!f.channels_known || f.rx_channels != f.rx_only + f.combined ||
			f.rx_only > f.rx_only_max || f.combined > f.combined_max))
		abort();
	if (rc != 0 && f.channels_known)
		abort();

	memset(&f, 0, sizeof(f));
	rc = pf_netdev_parse_linkmodes(buf, size, T_ETHTOOL, T_IFINDEX, &f, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	if (f.speed_mbps == (uint32_t)SPEED_UNKNOWN)
		abort();

	memset(&f, 0, sizeof(f));
	f.xsk_zero_copy = PFRING_FACT_UNKNOWN;
	rc = pf_netdev_parse_xdp(buf, size, T_NETDEV, T_IFINDEX, &f, err, sizeof(err));
	check_err(rc, err, sizeof(err));
	if (rc == 0 && (!f.xdp_features_known ||
			f.xsk_zero_copy != ((f.xdp_features & PFRING_XDP_XSK_ZEROCOPY) != 0) ||
			(!f.xsk_zero_copy && f.xdp_zc_max_segs != 0)))
		abort();
	if (rc != 0 && (f.xdp_features_known || f.xsk_zero_copy != PFRING_FACT_UNKNOWN))
		abort();
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
#include "fuzz_replay.h"

/* A reply, each of its cuts, and each byte of it flipped. */
static int replay_variants(const struct msgbuf *m, size_t len)
{
	static struct msgbuf v;
	size_t i;
	int n = 0;

	for (i = 0; i <= len; i++, n++)
		LLVMFuzzerTestOneInput(m->b, i);
	for (i = 0; i < len; i++, n++) {
		v = *m;
		v.b[i] ^= 0xff;
		LLVMFuzzerTestOneInput(v.b, len);
	}
	return n;
}

int main(int argc, char **argv)
{
	static struct msgbuf m;
	int i, n = 0, bad = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++, n++) {
			if (replay_file(argv[i]) < 0)
				bad++;
		}
	} else {
		n += replay_variants(&m, msg_channels(&m, 3, 4, 0, 0));
		n += replay_variants(&m, msg_channels(&m, 1, 2, 8, 16));
		n += replay_variants(&m, msg_linkmodes(&m, 10000));
		n += replay_variants(&m, msg_linkmodes(&m, (uint32_t)SPEED_UNKNOWN));
		n += replay_variants(&m, msg_xdp(&m, T_IFINDEX, 0x23, -1));
		n += replay_variants(&m, msg_xdp(&m, T_IFINDEX, 0x7f, 1));
	}
	printf("fuzz_netdev: %d inputs replayed\n", n);
	return bad ? 1 : 0;
}

#endif /* FUZZ_REPLAY_MAIN */
