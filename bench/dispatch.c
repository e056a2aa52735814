/*
 * dispatch - the smallest pcap program worth measuring: pcap_dispatch() with
 * a callback that only counts.  Whatever it costs per packet is the library's
 * read path.
 *
 *   dispatch -i DEVICE [-c COUNT] [-I] [-t TIMEOUT_MS] [-s SNAPLEN] [-0]
 *   dispatch -r FILE [-0]
 *
 * Live: prints "listening on DEVICE" on stderr once the handle is active,
 * stops after COUNT packets (0: at SIGINT/SIGTERM), then prints
 * "N packets captured", "N packets received by filter",
 * "N packets dropped by kernel" as tcpdump does.  -I is immediate mode.
 * -r reads a savefile to its end.  -0 opens (and activates) the handle and
 * closes it again without reading: the fixed cost, which the benchmark
 * subtracts from instruction counts.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

static pcap_t *handle;

static void
on_signal(int sig)
{
	(void)sig;
	if (handle != NULL)
		pcap_breakloop(handle);
}

static void
count_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)h;
	(void)bytes;
	++*(unsigned long long *)(void *)user;
}

static void
usage(void)
{
	fprintf(stderr, "usage: dispatch -i DEVICE [-c COUNT] [-I] [-t TIMEOUT_MS] [-s SNAPLEN] [-0]\n"
			"       dispatch -r FILE [-0]\n");
	exit(2);
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "dispatch: %s: %s\n", what, msg);
	exit(1);
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const char *dev = NULL, *file = NULL;
	unsigned long long count = 0, got = 0;
	int opt, immediate = 0, timeout = 1000, snaplen = 262144, baseline = 0, rc;
	struct sigaction sa;
	struct pcap_stat st;

	while ((opt = getopt(argc, argv, "i:r:c:It:s:0")) != -1) {
		switch (opt) {
		case 'i': dev = optarg; break;
		case 'r': file = optarg; break;
		case 'c': count = strtoull(optarg, NULL, 10); break;
		case 'I': immediate = 1; break;
		case 't': timeout = atoi(optarg); break;
		case 's': snaplen = atoi(optarg); break;
		case '0': baseline = 1; break;
		default: usage();
		}
	}
	if (optind != argc || (dev == NULL) == (file == NULL))
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (file != NULL) {
		handle = pcap_open_offline(file, errbuf);
		if (handle == NULL)
			die(file, errbuf);
		if (!baseline) {
			while ((rc = pcap_dispatch(handle, -1, count_packet, (u_char *)&got)) > 0)
				;
			if (rc == PCAP_ERROR)
				die(file, pcap_geterr(handle));
		}
		pcap_close(handle);
		fprintf(stderr, "%llu packets read\n", got);
		return 0;
	}

	handle = pcap_create(dev, errbuf);
	if (handle == NULL)
		die(dev, errbuf);
	if (pcap_set_snaplen(handle, snaplen) != 0 || pcap_set_timeout(handle, timeout) != 0 ||
	    pcap_set_immediate_mode(handle, immediate) != 0 || pcap_set_promisc(handle, 1) != 0)
		die(dev, "cannot set options");
	rc = pcap_activate(handle);
	if (rc < 0)
		die(dev, pcap_geterr(handle));
	fprintf(stderr, "listening on %s\n", dev);
	if (!baseline) {
		while (count == 0 || got < count) {
			rc = pcap_dispatch(handle, -1, count_packet, (u_char *)&got);
			if (rc == PCAP_ERROR_BREAK)
				break;
			if (rc < 0)
				die(dev, pcap_geterr(handle));
		}
	}
	if (pcap_stats(handle, &st) != 0)
		die(dev, pcap_geterr(handle));
	fprintf(stderr, "%llu packets captured\n%u packets received by filter\n"
		"%u packets dropped by kernel\n", got, st.ps_recv, st.ps_drop);
	pcap_close(handle);
	return 0;
}
