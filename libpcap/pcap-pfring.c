/*
 * pcap-pfring.c - the pfring-pcap capture module.
 *
 * Device names:
 *	pfring:eth0			capture eth0 through libpfring
 *	pfring:eth0,eth1 / pfring:eth0@2	several devices / one RX queue
 *	pfring/<path>:<spec>		the same, configured by the file <path>
 *	zc:<cluster id>@<queue>		a queue of a ZC cluster
 *	zc:<interface>[@<queue>]	an AF_XDP socket
 *	eth0				only in PF_RING compatibility mode: some
 *					PCAP_PF_RING_* variable is set and
 *					PCAP_NO_PF_RING is not
 * Clustering, slots, caplen, sampling and direction come from PFRING_*
 * variables and config files: see pfring-config(7).  libpfring parses the
 * name, loads the configuration and opens the ring (pfring_open_device());
 * this module adapts the ring to a pcap_t.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <stddef.h>
#include <linux/filter.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pcap-int.h"
#include "pcap-pfring.h"
#include "pfring-pcap.h"
#include "pfring.h"

#define PFRING_PREFIX		"pfring:"

extern char **environ;

struct pcap_pfring {
	pfring	*ring;
	int	zc;			/* a zc: source: VLAN tags stay in the frames */
	int	nonblock;
	int	filter_in_userland;	/* the kernel refused the filter */
};

/* PF_RING's libpcap takes over plain interface names; so do we when its
 * variables are in use, so existing deployments run unchanged. */
static int
pfring_compat_mode(void)
{
	char **e;

	if (getenv("PCAP_NO_PF_RING") != NULL)
		return 0;
	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "PCAP_PF_RING_", 13) == 0)
			return 1;
	}
	return 0;
}

/* libpfring's fast path calls the pcap_handler itself. */
_Static_assert(sizeof(struct pfring_pcap_pkthdr) == sizeof(struct pcap_pkthdr) &&
    offsetof(struct pfring_pcap_pkthdr, caplen) == offsetof(struct pcap_pkthdr, caplen) &&
    offsetof(struct pfring_pcap_pkthdr, len) == offsetof(struct pcap_pkthdr, len),
    "struct pfring_pcap_pkthdr must be laid out as struct pcap_pkthdr");

/* The kernel refused the filter: run it here before the application's callback. */
struct pcap_pfring_filtering {
	pcap_t		*p;
	pcap_handler	callback;
	u_char		*user;
};

static void
pcap_pfring_filter_then_deliver(u_char *arg, const struct pfring_pcap_pkthdr *h,
    const u_char *pkt)
{
	struct pcap_pfring_filtering *f = (struct pcap_pfring_filtering *)arg;

	if (pcap_filter(f->p->fcode.bf_insns, pkt, h->len, h->caplen) != 0)
		f->callback(f->user, (const struct pcap_pkthdr *)h, pkt);
}

static int
pcap_pfring_read(pcap_t *p, int max_packets, pcap_handler callback,
    u_char *user)
{
	struct pcap_pfring *pp = p->priv;
	struct pcap_pfring_filtering f;
	/*
	 * The handler differs from pfring_pcap_handler only in its header
	 * pointer's type, and the two structs are laid out alike (asserted
	 * above): calling it directly saves a call per packet.
	 */
	pfring_pcap_handler cb = (pfring_pcap_handler)(void (*)(void))callback;
	int n, rc;

	if (pp->filter_in_userland && p->fcode.bf_insns != NULL) {
		f.p = p;
		f.callback = callback;
		f.user = user;
		cb = pcap_pfring_filter_then_deliver;
		user = (u_char *)&f;
	}
	for (;;) {
		if (p->break_loop) {
			p->break_loop = 0;
			pfring_clear_breakloop(pp->ring);
			return PCAP_ERROR_BREAK;
		}
		n = pfring_burst(pp->ring,
		    PACKET_COUNT_IS_UNLIMITED(max_packets) ? 0 : max_packets,
		    cb, user);
		if (n < 0) {
			snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s",
			    pfring_last_error(pp->ring));
			return PCAP_ERROR;
		}
		if (n > 0 || pp->nonblock)
			return n;
		rc = pfring_poll(pp->ring,
		    p->opt.timeout > 0 ? p->opt.timeout : -1);
		if (rc < 0) {
			snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s",
			    pfring_last_error(pp->ring));
			return PCAP_ERROR;
		}
		if (rc == 0 && p->opt.timeout > 0 && !p->break_loop)
			return 0;
	}
}

static int
pcap_pfring_inject(pcap_t *p, const void *buf, int size)
{
	struct pcap_pfring *pp = p->priv;
	int rc;

	if (size <= 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "pfring: packet of %d bytes", size);
		return PCAP_ERROR;
	}
	rc = pfring_send(pp->ring, (char *)(uintptr_t)buf, (u_int)size, 1);
	if (rc < 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "pfring send: %s",
		    rc == PF_RING_ERROR_NO_TX_SLOT_AVAILABLE ?
		    "no buffer space (try again)" : pfring_last_error(pp->ring));
		return PCAP_ERROR;
	}
	return rc;
}

/*
 * A lone "ret #k", k != 0: what tcpdump installs without a filter
 * expression.  In user space it takes every packet (the length is not
 * applied there), so running it per packet would be wasted work.
 */
static int
pcap_pfring_accepts_all(const struct bpf_program *fp)
{
	return fp->bf_len == 1 &&
	    fp->bf_insns[0].code == (BPF_RET | BPF_K) && fp->bf_insns[0].k != 0;
}

static int
pcap_pfring_setfilter(pcap_t *p, struct bpf_program *fp)
{
	struct pcap_pfring *pp = p->priv;
	struct sock_fprog prog;

	/* Keep a copy: it is the fallback if the kernel refuses it. */
	if (install_bpf_program(p, fp) < 0)
		return PCAP_ERROR;
	prog.len = (unsigned short)fp->bf_len;
	prog.filter = (struct sock_filter *)fp->bf_insns;
	pp->filter_in_userland = pfring_set_bpf_program(pp->ring, &prog) < 0 &&
	    !pcap_pfring_accepts_all(fp);
	return 0;
}

static int
pcap_pfring_setdirection(pcap_t *p, pcap_direction_t d)
{
	struct pcap_pfring *pp = p->priv;
	packet_direction dir;

	switch (d) {
	case PCAP_D_IN:
		dir = rx_only_direction;
		break;
	case PCAP_D_OUT:
		dir = tx_only_direction;
		break;
	case PCAP_D_INOUT:
		dir = rx_and_tx_direction;
		break;
	default:
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "pfring: invalid direction %d", (int)d);
		return PCAP_ERROR;
	}
	if (pfring_set_direction(pp->ring, dir) < 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s", pfring_last_error(pp->ring));
		return PCAP_ERROR;
	}
	p->direction = d;
	return 0;
}

static int
pcap_pfring_stats_op(pcap_t *p, struct pcap_stat *ps)
{
	struct pcap_pfring *pp = p->priv;
	pfring_stat st;

	if (pfring_stats(pp->ring, &st) < 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s", pfring_last_error(pp->ring));
		return PCAP_ERROR;
	}
	/* As libpcap's Linux module: "received" includes what was dropped. */
	ps->ps_recv = (u_int)(st.recv + st.drop);
	ps->ps_drop = (u_int)st.drop;
	ps->ps_ifdrop = 0;
	return 0;
}

int
pcap_pfring_stats(pcap_t *p, struct pcap_pfring_stat *st, size_t size)
{
	struct pcap_pfring_stat out;
	struct pcap_pfring *pp;
	pfring_stat rs;

	if (p == NULL || st == NULL || !p->activated || p->read_op != pcap_pfring_read)
		return PCAP_ERROR;
	pp = p->priv;
	if (pfring_stats(pp->ring, &rs) < 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s", pfring_last_error(pp->ring));
		return PCAP_ERROR;
	}
	memset(&out, 0, sizeof(out));
	out.recv = rs.recv;
	out.drop = rs.drop;
	out.shunt = rs.shunt;
	pcap_strlcpy(out.engine, pfring_get_engine_name(pp->ring), sizeof(out.engine));
	memcpy(st, &out, size < sizeof(out) ? size : sizeof(out));
	return 0;
}

static int
pcap_pfring_getnonblock(pcap_t *p)
{
	struct pcap_pfring *pp = p->priv;

	return pp->nonblock;
}

static int
pcap_pfring_setnonblock(pcap_t *p, int nonblock)
{
	struct pcap_pfring *pp = p->priv;

	pp->nonblock = nonblock;
	return 0;
}

static void
pcap_pfring_breakloop(pcap_t *p)
{
	struct pcap_pfring *pp = p->priv;

	pcap_breakloop_common(p);
	if (pp->ring != NULL)
		pfring_breakloop(pp->ring);
}

static void
pcap_pfring_cleanup(pcap_t *p)
{
	struct pcap_pfring *pp = p->priv;

	if (pp->ring != NULL) {
		pfring_close(pp->ring);
		pp->ring = NULL;
	}
	/* The fd belonged to the ring, which closed it. */
	p->fd = -1;
	p->selectable_fd = -1;
	pcap_cleanup_live_common(p);
}

static uint32_t
pcap_pfring_open_flags(pcap_t *p)
{
	uint32_t flags = 0;

	if (p->opt.promisc)
		flags |= PF_RING_PROMISC;
	if (p->opt.tstamp_precision == PCAP_TSTAMP_PRECISION_NANO)
		flags |= PF_RING_NANO_TIMESTAMP;
	if (p->opt.immediate)
		flags |= PF_RING_IMMEDIATE;
	return flags;
}

/* The ring is enabled: the pcap_t side of a live handle, whatever the engine. */
static int
pcap_pfring_go_live(pcap_t *p, pfring *ring)
{
	struct pcap_pfring *pp = p->priv;

	pp->nonblock = p->opt.nonblock;
	p->linktype = DLT_EN10MB;
	p->fd = pfring_get_selectable_fd(ring);
	p->selectable_fd = p->fd;
	p->bufsize = p->snapshot;
	p->read_op = pcap_pfring_read;
	p->inject_op = pcap_pfring_inject;
	p->setfilter_op = pcap_pfring_setfilter;
	p->setdirection_op = pcap_pfring_setdirection;
	p->set_datalink_op = NULL;
	p->getnonblock_op = pcap_pfring_getnonblock;
	p->setnonblock_op = pcap_pfring_setnonblock;
	p->stats_op = pcap_pfring_stats_op;
	p->breakloop_op = pcap_pfring_breakloop;
	p->cleanup_op = pcap_pfring_cleanup;
	/* Capturing, but not as asked (e.g. the rules run in user space). */
	if (pfring_get_notice(ring)[0] != '\0') {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s", pfring_get_notice(ring));
		return PCAP_WARNING;
	}
	return 0;
}

static int
pcap_pfring_activate(pcap_t *p)
{
	struct pcap_pfring *pp = p->priv;
	struct pfring_open_options opts;
	pfring *ring;
	int code;

	/*
	 * No engine can put a wireless device into monitor mode: refuse as
	 * libpcap's Linux module does for a device that cannot, before
	 * anything is opened (pcap_activate fills in the message).
	 */
	if (p->opt.rfmon)
		return PCAP_ERROR_RFMON_NOTSUP;
	if (p->snapshot <= 0 || p->snapshot > MAXIMUM_SNAPLEN)
		p->snapshot = MAXIMUM_SNAPLEN;
	memset(&opts, 0, sizeof(opts));
	opts.snaplen = (uint32_t)p->snapshot;
	opts.flags = pcap_pfring_open_flags(p);
	opts.timeout_ms = p->opt.timeout > 0 ? p->opt.timeout : 0;
	opts.buffer_bytes = (size_t)p->opt.buffer_size;
	ring = pfring_open_device(p->opt.device, &opts, &code, p->errbuf,
	    PCAP_ERRBUF_SIZE);
	if (ring == NULL) {
		pcap_pfring_cleanup(p);
		/* A zc: queue that cannot be attached is not a missing device. */
		return code == PF_RING_ERROR_UNKNOWN_ADAPTER && !pp->zc ?
		    PCAP_ERROR_NO_SUCH_DEVICE : PCAP_ERROR;
	}
	pp->ring = ring;
	/* A configured caplen wins over -s. */
	p->snapshot = (int)pfring_get_caplen(ring);
	if (pfring_enable_ring(ring) < 0) {
		snprintf(p->errbuf, PCAP_ERRBUF_SIZE, "%s", pfring_last_error(ring));
		pcap_pfring_cleanup(p);
		return PCAP_ERROR;
	}
	/*
	 * Kernel rings strip VLAN tags into metadata, as libpcap's Linux
	 * module sees them.  zc: sources (a ZC queue, an AF_XDP socket) keep
	 * the tags in the frames and run no classic BPF, so
	 * pcap_pfring_setfilter() falls back to filtering here.
	 */
	if (!pp->zc)
		p->bpf_codegen_flags |= BPF_SPECIAL_VLAN_HANDLING;
	return pcap_pfring_go_live(p, ring);
}

/* libpcap's own Linux activate, kept for PCAP_NO_PF_RING. */
static activate_op_t stock_activate_op;

/*
 * PCAP_NO_PF_RING: the handle is libpcap's Linux one, but pcap_create()
 * stores the full "pfring:eth0" as its device; activate on "eth0".
 */
static int
pcap_pfring_activate_stock(pcap_t *p)
{
	struct pfring_device_name dn;

	if (pfring_parse_device_name(p->opt.device, &dn, NULL, 0) == 0 &&
	    dn.kind == pfring_name_pfring)
		memmove(p->opt.device, dn.devices[0], strlen(dn.devices[0]) + 1);
	return stock_activate_op(p);
}

pcap_t *
pcap_pfring_create(const char *device, char *ebuf, int *is_ours)
{
	struct pfring_device_name dn;
	int well_formed;
	pcap_t *p;

	/* A malformed "pfring/" name is ours: activate reports the problem. */
	well_formed = pfring_parse_device_name(device, &dn, NULL, 0) == 0;
	if (dn.kind == pfring_name_plain && !pfring_compat_mode())
		goto not_ours;
	*is_ours = 1;
	/* The escape hatch: libpcap's own capture for "pfring:eth0". */
	if (dn.kind == pfring_name_pfring && getenv("PCAP_NO_PF_RING") != NULL &&
	    well_formed && dn.n_devices == 1 && dn.queue < 0) {
		p = pcap_create_interface(dn.devices[0], ebuf);
		if (p != NULL) {
			stock_activate_op = p->activate_op;
			p->activate_op = pcap_pfring_activate_stock;
		}
		return p;
	}

	p = PCAP_CREATE_COMMON(ebuf, struct pcap_pfring);
	if (p == NULL)
		return NULL;
	((struct pcap_pfring *)p->priv)->zc = dn.kind == pfring_name_zc;
	p->activate_op = pcap_pfring_activate;
	p->tstamp_precision_list = malloc(2 * sizeof(u_int));
	if (p->tstamp_precision_list == NULL) {
		pcap_fmt_errmsg_for_errno(ebuf, PCAP_ERRBUF_SIZE, errno, "malloc");
		pcap_close(p);
		return NULL;
	}
	p->tstamp_precision_list[0] = PCAP_TSTAMP_PRECISION_MICRO;
	p->tstamp_precision_list[1] = PCAP_TSTAMP_PRECISION_NANO;
	p->tstamp_precision_count = 2;
	return p;

not_ours:
	*is_ours = 0;
	return NULL;
}

static bpf_u_int32
pfring_if_flags(int fd, const char *name)
{
	struct ifreq ifr;
	bpf_u_int32 flags = 0;

	memset(&ifr, 0, sizeof(ifr));
	pcap_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return PCAP_IF_CONNECTION_STATUS_UNKNOWN;
	if (ifr.ifr_flags & IFF_UP)
		flags |= PCAP_IF_UP;
	if (ifr.ifr_flags & IFF_RUNNING)
		flags |= PCAP_IF_RUNNING;
	if (ifr.ifr_flags & IFF_LOOPBACK)
		flags |= PCAP_IF_LOOPBACK | PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE;
	else if (ifr.ifr_flags & IFF_RUNNING)
		flags |= PCAP_IF_CONNECTION_STATUS_CONNECTED;
	else
		flags |= PCAP_IF_CONNECTION_STATUS_DISCONNECTED;
	return flags;
}

/*
 * add_dev() files an entry by its figure of merit, among libpcap's own;
 * ours go to the end instead, so the numbers "tcpdump -D" gives stock's
 * devices (tcpdump -i 2) mean the same with this library.
 */
static pcap_if_t *
pfring_add_dev_last(pcap_if_list_t *devlistp, const char *name,
    bpf_u_int32 flags, const char *desc, char *err_str)
{
	pcap_if_t *dev, **link, **at = NULL;

	dev = add_dev(devlistp, name, flags, desc, err_str);
	if (dev == NULL)
		return NULL;
	for (link = pcap_pfring_devlist_head(devlistp); *link != NULL;
	    link = &(*link)->next)
		if (*link == dev)
			at = link;
	if (at != NULL && dev->next != NULL) {
		*at = dev->next;
		for (link = at; *link != NULL; link = &(*link)->next)
			;
		*link = dev;
		dev->next = NULL;
	}
	return dev;
}

/*
 * "pfring:<if>" for every interface, so capture GUIs can offer them: after
 * every device libpcap's own modules list, in the order they list the
 * interfaces.
 */
int
pcap_pfring_findalldevs(pcap_if_list_t *devlistp, char *err_str)
{
	pcap_if_t *dev, *last = NULL;
	char name[IF_NAMESIZE + sizeof(PFRING_PREFIX)];
	char desc[IF_NAMESIZE + 64];
	int fd, rc = 0;

	for (dev = *pcap_pfring_devlist_head(devlistp); dev != NULL;
	    dev = dev->next)
		last = dev;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	for (dev = *pcap_pfring_devlist_head(devlistp);
	    last != NULL && dev != NULL;
	    dev = dev->next) {
		/* Interfaces only: not "any", nflog, dbus-system... */
		if (strlen(dev->name) < IF_NAMESIZE &&
		    if_nametoindex(dev->name) != 0) {
			snprintf(name, sizeof(name), PFRING_PREFIX "%s", dev->name);
			snprintf(desc, sizeof(desc), "%s through pfring-pcap",
			    dev->name);
			if (pfring_add_dev_last(devlistp, name,
			    pfring_if_flags(fd, dev->name), desc, err_str) == NULL) {
				rc = PCAP_ERROR;
				break;
			}
		}
		if (dev == last)
			break;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int
pcap_pfring_lookupnet_device(const char *device, char *ifname, size_t len)
{
	struct pfring_device_name dn;
	int rc;

	if (device == NULL)
		return PCAP_PFRING_LOOKUP_NOT_OURS;
	rc = pfring_parse_device_name(device, &dn, NULL, 0);
	if (dn.kind == pfring_name_plain)
		return PCAP_PFRING_LOOKUP_NOT_OURS;
	if ((dn.kind != pfring_name_pfring && dn.kind != pfring_name_pfring_file) ||
	    rc < 0 || dn.n_devices != 1)
		return PCAP_PFRING_LOOKUP_NO_ADDRESS;
	pcap_strlcpy(ifname, dn.devices[0], len);
	return PCAP_PFRING_LOOKUP_INTERFACE;
}
