/*
 * pcapclient - a small pcap program for the integration tests: exercises the
 * parts of the pcap API tcpdump does not (select() on the selectable fd,
 * non-blocking reads, pcap_breakloop from a signal, nanosecond timestamps,
 * immediate mode, pcap_inject, pcap_findalldevs, pcap_lookupnet).
 *
 *   pcapclient capture -i DEV -c COUNT [-I] [-N] [-S] [-B] [-t MS] [-f FILTER]
 *	-I immediate mode, -N nanosecond timestamps, -S wait with select()
 *	on pcap_get_selectable_fd() and read non-blocking, -t timeout (ms).
 *	Prints "ready" once activated, then "got N" after each packet, and at the
 *	end "stats recv R drop D", "ts <max fractional part>".  SIGUSR1 calls
 *	pcap_breakloop() and the program prints "break" and exits 0.
 *   pcapclient inject -i DEV -n COUNT      sends COUNT 64-byte UDP frames
 *   pcapclient devs                        prints the device list, one a line
 *   pcapclient lookupnet DEV               prints "net A mask M" or the error
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <pcap/pcap.h>

static pcap_t *handle;
static long got;
static long max_frac;

static void
on_usr1(int sig)
{
	(void)sig;
	pcap_breakloop(handle);
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	(void)user;
	(void)bytes;
	got++;
	if (h->ts.tv_usec > max_frac)
		max_frac = h->ts.tv_usec;
	printf("got %ld\n", got);
	fflush(stdout);
}

static int
die(const char *what, const char *err)
{
	fprintf(stderr, "pcapclient: %s: %s\n", what, err);
	return 1;
}

static int
capture(int argc, char **argv)
{
	const char *dev = NULL, *filter = NULL;
	int immediate = 0, nano = 0, use_select = 0, timeout = 1000, c, rc;
	long count = 1;
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct pcap_stat st;

	while ((c = getopt(argc, argv, "i:c:INSt:f:")) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 'c': count = atol(optarg); break;
		case 'I': immediate = 1; break;
		case 'N': nano = 1; break;
		case 'S': use_select = 1; break;
		case 't': timeout = atoi(optarg); break;
		case 'f': filter = optarg; break;
		default: return 2;
		}
	}
	if (dev == NULL)
		return 2;
	handle = pcap_create(dev, err);
	if (handle == NULL)
		return die("pcap_create", err);
	pcap_set_snaplen(handle, 65535);
	pcap_set_timeout(handle, timeout);
	pcap_set_immediate_mode(handle, immediate);
	if (nano && pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO) != 0)
		return die("pcap_set_tstamp_precision", pcap_geterr(handle));
	rc = pcap_activate(handle);
	if (rc < 0)
		return die("pcap_activate", pcap_geterr(handle));
	if (filter != NULL) {
		if (pcap_compile(handle, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
		    pcap_setfilter(handle, &prog) < 0)
			return die("filter", pcap_geterr(handle));
		pcap_freecode(&prog);
	}
	if (use_select && pcap_setnonblock(handle, 1, err) < 0)
		return die("pcap_setnonblock", err);
	signal(SIGUSR1, on_usr1);
	printf("ready precision %s\n",
	       pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO ? "nano" : "micro");
	fflush(stdout);

	while (got < count) {
		if (use_select) {
			int fd = pcap_get_selectable_fd(handle);
			fd_set rfds;

			if (fd < 0)
				return die("pcap_get_selectable_fd", "no selectable fd");
			FD_ZERO(&rfds);
			FD_SET(fd, &rfds);
			rc = select(fd + 1, &rfds, NULL, NULL, NULL);
			if (rc < 0 && errno != EINTR)
				return die("select", strerror(errno));
			if (rc <= 0)
				continue;
		}
		rc = pcap_dispatch(handle, (int)(count - got), on_packet, NULL);
		if (rc == PCAP_ERROR_BREAK) {
			printf("break\n");
			break;
		}
		if (rc < 0)
			return die("pcap_dispatch", pcap_geterr(handle));
	}
	if (pcap_stats(handle, &st) == 0)
		printf("stats recv %u drop %u\n", st.ps_recv, st.ps_drop);
	printf("ts %ld\n", max_frac);
	pcap_close(handle);
	return 0;
}

static int
inject(int argc, char **argv)
{
	const char *dev = NULL;
	unsigned char frame[64];
	char err[PCAP_ERRBUF_SIZE];
	long n = 1, i;
	int c;

	while ((c = getopt(argc, argv, "i:n:")) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 'n': n = atol(optarg); break;
		default: return 2;
		}
	}
	if (dev == NULL)
		return 2;
	handle = pcap_open_live(dev, 65535, 0, 1000, err);
	if (handle == NULL)
		return die("pcap_open_live", err);
	memset(frame, 0, sizeof(frame));
	memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	frame[14] = 0x45;
	frame[17] = 50;
	frame[22] = 64;
	frame[23] = 17;
	memcpy(frame + 26, "\x0a\x01\x00\x01\x0a\xff\x00\x01", 8);
	frame[34] = 0x4e;	/* port 20000 */
	frame[35] = 0x20;
	frame[37] = 80;
	frame[39] = 30;
	for (i = 0; i < n; i++) {
		while (pcap_inject(handle, frame, sizeof(frame)) != (int)sizeof(frame)) {
			if (strstr(pcap_geterr(handle), "try again") == NULL)
				return die("pcap_inject", pcap_geterr(handle));
		}
	}
	printf("sent %ld\n", n);
	pcap_close(handle);
	return 0;
}

static int
devs(void)
{
	pcap_if_t *all, *d;
	char err[PCAP_ERRBUF_SIZE];

	if (pcap_findalldevs(&all, err) < 0)
		return die("pcap_findalldevs", err);
	for (d = all; d != NULL; d = d->next)
		printf("%s\n", d->name);
	pcap_freealldevs(all);
	return 0;
}

static int
lookupnet(const char *dev)
{
	bpf_u_int32 net, mask;
	char err[PCAP_ERRBUF_SIZE];
	struct in_addr a;

	if (pcap_lookupnet(dev, &net, &mask, err) < 0)
		return die("pcap_lookupnet", err);
	a.s_addr = net;
	printf("net %s", inet_ntoa(a));
	a.s_addr = mask;
	printf(" mask %s\n", inet_ntoa(a));
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "capture") == 0)
		return capture(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "inject") == 0)
		return inject(argc - 1, argv + 1);
	if (argc == 2 && strcmp(argv[1], "devs") == 0)
		return devs();
	if (argc == 3 && strcmp(argv[1], "lookupnet") == 0)
		return lookupnet(argv[2]);
	fprintf(stderr, "usage: pcapclient capture|inject|devs|lookupnet ...\n");
	return 2;
}
