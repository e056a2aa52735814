/*
 * ntopdump - Wireshark extcap program for pfring-pcap.
 *
 * Wireshark (and tshark) start extcap programs with one of these requests:
 *
 *   ntopdump --extcap-interfaces
 *   ntopdump --extcap-interface IFACE --extcap-dlts
 *   ntopdump --extcap-interface IFACE --extcap-config
 *   ntopdump --extcap-interface IFACE --extcap-capture-filter BPF   (filter check)
 *   ntopdump --extcap-interface pfring --capture --fifo PATH
 *            [--extcap-capture-filter BPF] [--device DEV] [--device-name DEV]
 *            [--cluster-id N]
 *            [--cluster-type TYPE] [--slots N] [--caplen N] [--sampling N]
 *   ntopdump --extcap-interface zc --capture --fifo PATH
 *            [--extcap-capture-filter BPF] [--device zc:ID@Q] [--device-name zc:ID@Q]
 *            [--caplen N]
 *
 * Two interfaces: "pfring" (any pfring: device) and "zc", a queue of a
 * zero-copy cluster that zbalance (or another pfring_zc.h program) runs.
 * "zc" is listed only while at least one live cluster exists.
 *
 * The capture goes through this project's libpcap (pcap_create() on a
 * "pfring:" or "zc:" device), so the capture filter, the snapshot length and
 * every backend setting behave exactly as in tcpdump.  The backend settings
 * are handed over in the PFRING_* environment variables (pfring-config(7)).
 * Packets are written as a pcap stream to the fifo until the reader goes
 * away (exit 0), or until SIGINT/SIGTERM (exit 0).  Bad options: a message
 * on stderr naming the option and exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pfring.h"
/* The cluster file's header: discovery reads it, as attaching consumers do. */
#include "pfring_zc.h"

#define PROG "ntopdump"
#define IFACE_PFRING "pfring"
#define IFACE_ZC "zc"
#define DEV_PREFIX "pfring:"
#define ZC_PREFIX "zc:"
#define FULL_SNAPLEN 262144

/* Limits of the backend's settings, as pfring-config(7) gives them. */
#define CLUSTER_MAX ((unsigned long)PF_RING_MAX_CLUSTER_ID)
#define SLOTS_MAX 1048576UL
#define SLOTS_DEFAULT 4096UL
#define CAPLEN_MAX 262144UL
#define SAMPLING_MAX 16777216UL

static const char *const cluster_type_names[] = {
	"per_flow", "round_robin", "2_tuple", "4_tuple", "5_tuple", "tcp_5_tuple",
	"ip_5_tuple", "ip_with_dup_tuple", "inner_flow", "inner_2_tuple", "inner_4_tuple",
	"inner_5_tuple", "inner_tcp_5_tuple", "inner_ip_5_tuple",
};
#define N_CLUSTER_TYPES (sizeof(cluster_type_names) / sizeof(cluster_type_names[0]))

enum request { REQ_NONE, REQ_INTERFACES, REQ_DLTS, REQ_CONFIG, REQ_CAPTURE };
enum iface { IF_PFRING, IF_ZC };

struct options {
	enum request request;
	const char *interface;
	enum iface iface;	/* set by check_interface() */
	const char *fifo;
	const char *filter;
	const char *device;
	const char *device_name;
	const char *cluster_id;
	const char *cluster_type;
	const char *slots;
	const char *caplen;
	const char *sampling;
	int debug;
};

static volatile sig_atomic_t stop_requested;
static pcap_t *handle;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (handle != NULL)
		pcap_close(handle);
	exit(1);
}

static void debug_msg(const struct options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void debug_msg(const struct options *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->debug)
		return;
	fputs(PROG ": debug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --extcap-interfaces\n"
		"       " PROG " --extcap-interface " IFACE_PFRING "|" IFACE_ZC " --extcap-dlts\n"
		"       " PROG " --extcap-interface " IFACE_PFRING "|" IFACE_ZC " --extcap-config\n"
		"       " PROG " --extcap-interface " IFACE_PFRING " --capture --fifo PATH\n"
		"                [--extcap-capture-filter BPF] --device DEV|--device-name DEV\n"
		"                [--cluster-id N]\n"
		"                [--cluster-type TYPE] [--slots N] [--caplen N] [--sampling N]\n"
		"       " PROG " --extcap-interface " IFACE_ZC " --capture --fifo PATH\n"
		"                [--extcap-capture-filter BPF] --device zc:ID@Q|--device-name zc:ID@Q\n"
		"                [--caplen N]\n"
		"A Wireshark extcap program: Wireshark runs it, see pfring-config(7) for the settings.\n");
}

/*
 * A decimal number in [lo, hi]: digits only.  An error names the option.
 */
static unsigned long parse_number(const char *opt, const char *s,
				  unsigned long lo, unsigned long hi)
{
	unsigned long v = 0;
	const char *c;

	if (*s == '\0')
		die("--%s: empty value (expected a number %lu..%lu)", opt, lo, hi);
	for (c = s; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			die("--%s: bad value '%.64s': not a number (expected %lu..%lu)",
			    opt, s, lo, hi);
		if (v > (ULONG_MAX - 9) / 10)
			die("--%s: bad value '%.64s': must be %lu..%lu", opt, s, lo, hi);
		v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v < lo || v > hi)
		die("--%s: bad value '%.64s': must be %lu..%lu", opt, s, lo, hi);
	return v;
}

static void set_env(const char *var, const char *value)
{
	if (setenv(var, value, 1) != 0)
		die("cannot set %s: %s", var, strerror(errno));
}

static void set_env_number(const char *var, unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", v);
	set_env(var, buf);
}

/* --- ZC cluster discovery --------------------------------------------------- */

#define ZC_FOUND_MAX 256

/* --- discovery requests -------------------------------------------------- */

static void print_interfaces(void)
{
	pfring_zc_cluster_info found[ZC_FOUND_MAX];

	printf("extcap {version=%s}{display=pfring-pcap capture}"
	       "{help=man:pfring-config(7)}\n", PFRING_VERSION_STRING);
	printf("interface {value=" IFACE_PFRING "}"
	       "{display=PF_RING capture (pfring-pcap)}\n");
	/* Without a cluster there is nothing the zc interface could read. */
	if (pfring_zc_list_clusters(found, ZC_FOUND_MAX) > 0)
		printf("interface {value=" IFACE_ZC "}"
		       "{display=PF_RING ZC cluster queue (pfring-pcap)}\n");
}

/*
 * "zc" is accepted even while no cluster runs: Wireshark may ask for its
 * settings after the balancer stopped, and the capture then says why it
 * cannot start.
 */
static void check_interface(struct options *o)
{
	if (o->interface == NULL)
		die("--extcap-interface is missing (this program offers: " IFACE_PFRING
		    "), and " IFACE_ZC " while ZC clusters run");
	if (strcmp(o->interface, IFACE_PFRING) == 0)
		o->iface = IF_PFRING;
	else if (strcmp(o->interface, IFACE_ZC) == 0)
		o->iface = IF_ZC;
	else
		die("--extcap-interface: unknown interface '%.64s' (this program offers: "
		    IFACE_PFRING "), and " IFACE_ZC " while ZC clusters run", o->interface);
}

static void print_dlts(struct options *o)
{
	check_interface(o);
	printf("dlt {number=%d}{name=%s}{display=%s}\n", DLT_EN10MB,
	       pcap_datalink_val_to_name(DLT_EN10MB),
	       pcap_datalink_val_to_description(DLT_EN10MB));
}

/* Extcap values are brace-delimited: a name holding a brace cannot be listed. */
static int extcap_safe(const char *s)
{
	return strpbrk(s, "{}\n") == NULL;
}

static void print_device_values(int arg)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_if_t *all, *d;
	int have_default = 0;

	if (pcap_findalldevs(&all, err) != 0) {
		/* The free-text field still works; say why the list is empty. */
		fprintf(stderr, PROG ": listing devices: %s\n", err);
		return;
	}
	for (d = all; d != NULL; d = d->next) {
		struct pfring_device_name dn;
		int is_default;

		/* The pfring: sources libpfring can open; the others are pcap's own. */
		if (pfring_parse_device_name(d->name, &dn, NULL, 0) != 0 ||
		    dn.kind != pfring_name_pfring || !extcap_safe(d->name) ||
		    (d->description != NULL && !extcap_safe(d->description)))
			continue;
		is_default = !have_default && !(d->flags & PCAP_IF_LOOPBACK) &&
			     (d->flags & PCAP_IF_UP);
		printf("value {arg=%d}{value=%s}{display=%s%s%s%s}%s\n", arg,
		       d->name, d->name, d->description ? " (" : "",
		       d->description ? d->description : "",
		       d->description ? ")" : "",
		       is_default ? "{default=true}" : "");
		if (is_default)
			have_default = 1;
	}
	pcap_freealldevs(all);
}

static void print_zc_config(void)
{
	pfring_zc_cluster_info found[ZC_FOUND_MAX];
	size_t n, i;
	uint32_t q;
	int have_default = 0, is_default;

	printf("arg {number=0}{call=--device}{display=Queue}{type=selector}"
	       "{tooltip=A queue of a running ZC cluster (zbalance -c ID -n QUEUES)}\n");
	n = pfring_zc_list_clusters(found, ZC_FOUND_MAX);
	for (i = 0; i < n; i++) {
		for (q = 0; q < found[i].n_queues; q++) {
			int busy = (found[i].busy >> q) & 1;

			/* A queue takes one consumer: default to a free one. */
			is_default = !have_default && !busy;
			printf("value {arg=0}{value=" ZC_PREFIX "%u@%u}{display=" ZC_PREFIX
			       "%u@%u (cluster %u, queue %u of %u%s)}%s\n", found[i].id, q,
			       found[i].id, q, found[i].id, q, found[i].n_queues,
			       busy ? ", in use" : "", is_default ? "{default=true}" : "");
			if (is_default)
				have_default = 1;
		}
	}
	printf("arg {number=1}{call=--device-name}{display=Other queue}{type=string}"
	       "{tooltip=zc:<cluster id>@<queue>, e.g. zc:99@0 (or zc:<interface>[@<queue>] "
	       "for AF_XDP); when set it replaces the Queue choice}\n");
	printf("arg {number=2}{call=--caplen}{display=Capture length}{type=integer}"
	       "{range=0,%lu}{default=0}"
	       "{tooltip=Bytes kept of each packet; 0: whole packets}\n", CAPLEN_MAX);
}

static void print_config(struct options *o)
{
	size_t i;

	check_interface(o);
	if (o->iface == IF_ZC) {
		print_zc_config();
		return;
	}
	/*
	 * Wireshark 4.0 has no editable list ("editselector" came later): the
	 * list of devices plus a free-text field that wins when filled in.
	 */
	printf("arg {number=0}{call=--device}{display=Device}{type=selector}"
	       "{tooltip=The pfring: device to capture on}\n");
	print_device_values(0);
	printf("arg {number=1}{call=--device-name}{display=Other device name}{type=string}"
	       "{tooltip=Any device name the backend accepts, e.g. pfring:eth0,eth1 or "
	       "pfring:eth0@2; when set it replaces the Device choice}\n");
	printf("arg {number=2}{call=--cluster-id}{display=Cluster id}{type=integer}"
	       "{range=0,%lu}{default=0}"
	       "{tooltip=Join this cluster (1-%lu) to share the traffic with other "
	       "captures; 0: no cluster}\n", CLUSTER_MAX, CLUSTER_MAX);
	printf("arg {number=3}{call=--cluster-type}{display=Cluster type}{type=selector}"
	       "{tooltip=How the cluster spreads packets over its members}\n");
	for (i = 0; i < N_CLUSTER_TYPES; i++)
		printf("value {arg=3}{value=%s}{display=%s}%s\n", cluster_type_names[i],
		       cluster_type_names[i], i == 0 ? "{default=true}" : "");
	printf("arg {number=4}{call=--slots}{display=Ring slots}{type=integer}"
	       "{range=1,%lu}{default=%lu}{tooltip=Packet slots in the receive ring}\n",
	       SLOTS_MAX, SLOTS_DEFAULT);
	printf("arg {number=5}{call=--caplen}{display=Capture length}{type=integer}"
	       "{range=0,%lu}{default=0}"
	       "{tooltip=Bytes kept of each packet; 0: whole packets}\n", CAPLEN_MAX);
	printf("arg {number=6}{call=--sampling}{display=Sampling rate}{type=integer}"
	       "{range=1,%lu}{default=1}{tooltip=Keep one packet in N}\n", SAMPLING_MAX);
}

/*
 * Wireshark checks a capture filter by running us with only
 * --extcap-interface and --extcap-capture-filter: nothing on stdout means
 * valid, otherwise the first line is the reason shown to the user.
 */
static void check_filter(struct options *o)
{
	struct bpf_program prog;
	pcap_t *p;

	check_interface(o);
	p = pcap_open_dead(DLT_EN10MB, FULL_SNAPLEN);
	if (p == NULL)
		die("cannot check the capture filter: out of memory");
	if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		printf("%s\n", pcap_geterr(p));
	else
		pcap_freecode(&prog);
	pcap_close(p);
}

/* --- capture --------------------------------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (handle != NULL)
		pcap_breakloop(handle);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A reader that went away shows as EPIPE on write, handled below. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * The settings go to the backend through its environment variables; each is
 * checked here first so that an error names the option the user set.
 * Returns the snapshot length to ask libpcap for.
 */
static int apply_settings(const struct options *o)
{
	int snaplen = FULL_SNAPLEN;
	size_t i;

	if (o->cluster_id != NULL) {
		unsigned long id = parse_number("cluster-id", o->cluster_id, 0, CLUSTER_MAX);
		if (id != 0)
			set_env_number("PFRING_CLUSTER", id);
	}
	if (o->cluster_type != NULL) {
		for (i = 0; i < N_CLUSTER_TYPES; i++)
			if (strcmp(o->cluster_type, cluster_type_names[i]) == 0)
				break;
		if (i == N_CLUSTER_TYPES)
			die("--cluster-type: unknown type '%.64s' (valid: per_flow, round_robin, "
			    "2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple, ip_with_dup_tuple, "
			    "or inner_ + flow, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple)",
			    o->cluster_type);
		set_env("PFRING_CLUSTER_TYPE", o->cluster_type);
	}
	if (o->slots != NULL)
		set_env_number("PFRING_RX_SLOTS", parse_number("slots", o->slots, 1, SLOTS_MAX));
	if (o->caplen != NULL) {
		unsigned long c = parse_number("caplen", o->caplen, 0, CAPLEN_MAX);
		if (c != 0) {
			set_env_number("PFRING_CAPLEN", c);
			snaplen = (int)c;
		}
	}
	if (o->sampling != NULL)
		set_env_number("PFRING_SAMPLING",
			       parse_number("sampling", o->sampling, 1, SAMPLING_MAX));
	return snaplen;
}

/*
 * pfring: "eth0" means "pfring:eth0"; a name with a prefix is taken as given.
 * zc: "99@0" means "zc:99@0"; another prefix is a device of the other interface.
 * What libpfring would refuse at the open is refused here, naming the option.
 */
static const char *device_name(const struct options *o, const char *opt, const char *dev,
			       char *buf, size_t len)
{
	const char *prefix = o->iface == IF_ZC ? ZC_PREFIX : DEV_PREFIX;
	struct pfring_device_name dn;
	char err[PFRING_ERRBUF_SIZE];
	int rc;

	if (*dev == '\0')
		die("--%s: empty device name", opt);
	/* The kind is known even when the rest of the name is refused. */
	rc = pfring_parse_device_name(dev, &dn, err, sizeof(err));
	if (dn.kind == pfring_name_plain) {
		/* Judged with its prefix: "99@5000" is no interface queue, but zc:99@5000 is. */
		if ((size_t)snprintf(buf, len, "%s%s", prefix, dev) >= len)
			die("--%s: device name '%.64s' is too long", opt, dev);
		dev = buf;
		rc = pfring_parse_device_name(dev, &dn, err, sizeof(err));
	} else if (o->iface == IF_ZC && dn.kind != pfring_name_zc) {
		die("--%s: '%.64s' is not a zc: device (the " IFACE_ZC " interface reads "
		    "zc:<cluster id>@<queue>; use the " IFACE_PFRING " interface for "
		    "other devices)", opt, dev);
	}
	if (rc != 0)
		die("--%s: %s", opt, err);
	return dev;
}

/* A zc: queue is already one share of a cluster: the ring settings do not apply. */
static void check_zc_options(const struct options *o)
{
	static const char *const names[] = { "cluster-id", "cluster-type", "slots", "sampling" };
	const char *given[] = { o->cluster_id, o->cluster_type, o->slots, o->sampling };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (given[i] != NULL)
			die("--%s applies to the " IFACE_PFRING " interface, not to " IFACE_ZC
			    " (a ZC queue is already one share of a cluster)", names[i]);
}

static pcap_t *open_capture(const struct options *o, const char *dev, int snaplen)
{
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	pcap_t *p;
	int rc;

	err[0] = '\0';
	p = pcap_create(dev, err);
	if (p == NULL)
		die("cannot open device '%s': %s", dev, err);
	handle = p;
	if (pcap_set_snaplen(p, snaplen) != 0 || pcap_set_promisc(p, 1) != 0 ||
	    pcap_set_immediate_mode(p, 1) != 0 || pcap_set_timeout(p, 100) != 0)
		die("cannot set capture options on '%s': %s", dev, pcap_geterr(p));
	rc = pcap_activate(p);
	if (rc < 0) {
		const char *why = pcap_geterr(p);
		if (rc != PCAP_ERROR || why[0] == '\0')
			why = pcap_statustostr(rc);
		die("cannot capture on '%s': %s", dev, why);
	}
	if (rc > 0)
		fprintf(stderr, PROG ": warning: %s: %s\n", dev,
			rc == PCAP_WARNING ? pcap_geterr(p) : pcap_statustostr(rc));
	if (o->filter != NULL && o->filter[0] != '\0') {
		if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
			die("bad capture filter '%s': %s", o->filter, pcap_geterr(p));
		if (pcap_setfilter(p, &prog) != 0) {
			pcap_freecode(&prog);
			die("cannot set capture filter '%s': %s", o->filter, pcap_geterr(p));
		}
		pcap_freecode(&prog);
	}
	debug_msg(o, "capturing on %s (snaplen %d, link type %s)", dev, snaplen,
		  pcap_datalink_val_to_name(pcap_datalink(p)));
	return p;
}

struct writer {
	pcap_dumper_t *dumper;
	int failed_errno;	/* set by the first failed flush */
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct writer *w = (struct writer *)user;

	pcap_dump((u_char *)w->dumper, h, bytes);
}

/* True once the fifo's reader has gone (a pipe's writer then sees POLLERR). */
static int reader_gone(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };

	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL));
}

/* 0 on success; on failure the errno of the write. */
static int flush_writer(struct writer *w)
{
	FILE *f = pcap_dump_file(w->dumper);
	int err;

	errno = 0;
	if (pcap_dump_flush(w->dumper) == 0 && !ferror(f))
		return 0;
	err = errno != 0 ? errno : EIO;
	/*
	 * A burst larger than stdio's buffer makes pcap_dump() write, and that
	 * EPIPE is gone by now, leaving only the stream's error flag: the
	 * reader having left (tshark -c N) is then the reason, not an I/O error.
	 */
	if (err != EPIPE && reader_gone(fileno(f)))
		err = EPIPE;
	return err;
}

static int capture(struct options *o)
{
	char devbuf[512];
	struct writer w = { 0 };
	const char *dev;
	FILE *out;
	int snaplen, sel, fd, rc, err, status = 0;
	unsigned long n_written = 0;

	if (o->fifo == NULL)
		die("--capture needs --fifo PATH");
	/* Without --extcap-interface: pfring, as before there were two. */
	if (o->interface != NULL)
		check_interface(o);
	/*
	 * The fifo first (this blocks until the reader opens it): the reader
	 * copes better with a writer that closes it again and explains why on
	 * stderr than with one that never opens it.
	 */
	out = fopen(o->fifo, "wb");
	if (out == NULL)
		die("cannot open --fifo '%s': %s", o->fifo, strerror(errno));
	fd = fileno(out);

	if (o->device_name != NULL && o->device_name[0] != '\0')
		dev = device_name(o, "device-name", o->device_name, devbuf, sizeof(devbuf));
	else if (o->device != NULL)
		dev = device_name(o, "device", o->device, devbuf, sizeof(devbuf));
	else if (o->iface == IF_ZC)
		die("no queue given: set --device or --device-name (Wireshark: the "
		    "interface's options; tshark: -o extcap." IFACE_ZC ".device:zc:<cluster id>@<queue>)");
	else
		die("no device given: set --device or --device-name (Wireshark: the "
		    "interface's options; tshark: -o extcap." IFACE_PFRING ".device:pfring:eth0)");
	if (o->iface == IF_ZC)
		check_zc_options(o);
	snaplen = apply_settings(o);
	install_signals();
	open_capture(o, dev, snaplen);
	w.dumper = pcap_dump_fopen(handle, out);
	if (w.dumper == NULL) {
		fclose(out);
		die("cannot write to --fifo '%s': %s", o->fifo, pcap_geterr(handle));
	}
	if ((err = flush_writer(&w)) != 0) {
		if (err == EPIPE)
			goto done;
		die("writing the pcap header to '%s': %s", o->fifo, strerror(err));
	}

	sel = pcap_get_selectable_fd(handle);
	while (!stop_requested) {
		if (sel >= 0) {
			struct pollfd pfd[2] = {
				{ .fd = sel, .events = POLLIN },
				{ .fd = fd, .events = 0 },
			};
			if (poll(pfd, 2, 200) < 0 && errno != EINTR)
				die("poll: %s", strerror(errno));
			if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL))
				break;	/* the reader closed the fifo */
			if (stop_requested)
				break;
		}
		rc = pcap_dispatch(handle, -1, on_packet, (u_char *)&w);
		if (rc == PCAP_ERROR_BREAK)
			break;
		if (rc < 0) {
			fprintf(stderr, PROG ": capture on '%s' failed: %s\n", dev,
				pcap_geterr(handle));
			status = 1;
			break;
		}
		n_written += (unsigned long)rc;
		if (rc > 0 && (err = flush_writer(&w)) != 0) {
			if (err == EPIPE)
				break;
			fprintf(stderr, PROG ": writing to '%s': %s\n", o->fifo, strerror(err));
			status = 1;
			break;
		}
		if (sel < 0 && reader_gone(fd))
			break;
	}
done:
	debug_msg(o, "stopping after %lu packets", n_written);
	/* Packets still buffered have no reader when the fifo is gone: drop them quietly. */
	pcap_dump_close(w.dumper);
	pcap_close(handle);
	handle = NULL;
	return status;
}

/* --- command line ---------------------------------------------------------- */

enum {
	OPT_INTERFACES = 256, OPT_INTERFACE, OPT_DLTS, OPT_CONFIG, OPT_CAPTURE,
	OPT_FIFO, OPT_FILTER, OPT_VERSION, OPT_DEBUG, OPT_DEBUG_FILE,
	OPT_DEVICE, OPT_CLUSTER_ID, OPT_CLUSTER_TYPE, OPT_SLOTS, OPT_CAPLEN,
	OPT_SAMPLING, OPT_DEVICE_NAME, OPT_HELP,
};

static const struct option long_opts[] = {
	{ "extcap-interfaces", no_argument, NULL, OPT_INTERFACES },
	{ "extcap-interface", required_argument, NULL, OPT_INTERFACE },
	{ "extcap-dlts", no_argument, NULL, OPT_DLTS },
	{ "extcap-config", no_argument, NULL, OPT_CONFIG },
	{ "extcap-version", optional_argument, NULL, OPT_VERSION },
	{ "extcap-capture-filter", required_argument, NULL, OPT_FILTER },
	{ "capture", no_argument, NULL, OPT_CAPTURE },
	{ "fifo", required_argument, NULL, OPT_FIFO },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "debug-file", required_argument, NULL, OPT_DEBUG_FILE },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "device-name", required_argument, NULL, OPT_DEVICE_NAME },
	{ "cluster-id", required_argument, NULL, OPT_CLUSTER_ID },
	{ "cluster-type", required_argument, NULL, OPT_CLUSTER_TYPE },
	{ "slots", required_argument, NULL, OPT_SLOTS },
	{ "caplen", required_argument, NULL, OPT_CAPLEN },
	{ "sampling", required_argument, NULL, OPT_SAMPLING },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static void set_request(struct options *o, enum request r)
{
	if (o->request != REQ_NONE && o->request != r)
		die("give only one of --extcap-interfaces, --extcap-dlts, --extcap-config, --capture");
	o->request = r;
}

int main(int argc, char **argv)
{
	struct options o;
	int c;

	memset(&o, 0, sizeof(o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_INTERFACES: set_request(&o, REQ_INTERFACES); break;
		case OPT_DLTS: set_request(&o, REQ_DLTS); break;
		case OPT_CONFIG: set_request(&o, REQ_CONFIG); break;
		case OPT_CAPTURE: set_request(&o, REQ_CAPTURE); break;
		case OPT_INTERFACE: o.interface = optarg; break;
		case OPT_FIFO: o.fifo = optarg; break;
		case OPT_FILTER: o.filter = optarg; break;
		case OPT_VERSION: break;	/* Wireshark's version: nothing depends on it */
		case OPT_DEBUG: o.debug = 1; break;
		case OPT_DEBUG_FILE: break;	/* debug messages go to stderr */
		case OPT_DEVICE: o.device = optarg; break;
		case OPT_DEVICE_NAME: o.device_name = optarg; break;
		case OPT_CLUSTER_ID: o.cluster_id = optarg; break;
		case OPT_CLUSTER_TYPE: o.cluster_type = optarg; break;
		case OPT_SLOTS: o.slots = optarg; break;
		case OPT_CAPLEN: o.caplen = optarg; break;
		case OPT_SAMPLING: o.sampling = optarg; break;
		case OPT_HELP: usage(stdout); return 0;
		default:
			if (optopt != 0)
				die("option '%s' needs a value", argv[optind - 1]);
			die("unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);

	switch (o.request) {
	case REQ_INTERFACES: print_interfaces(); break;
	case REQ_DLTS: print_dlts(&o); break;
	case REQ_CONFIG: print_config(&o); break;
	case REQ_CAPTURE: return capture(&o);
	case REQ_NONE:
		if (o.filter != NULL) {
			check_filter(&o);
			break;
		}
		usage(stderr);
		return 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		die("writing to stdout: %s", strerror(errno));
	return 0;
}
