/*
 * pf_api.c - the public libpfring API: argument checks, shared state
 * (sampling, breakloop, errors) and dispatch to the engine.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pf_ring.h"
#include "pf_registry.h"
#include "pf_engine_xdp.h"
#include "pf_xsk.h"

#define PF_DEFAULT_BLOCK_TIMEOUT_MS 100

int
pf_ring_error(pfring *ring, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ring->errbuf, sizeof(ring->errbuf), fmt, ap);
	va_end(ap);
	return code;
}

const char *
pfring_last_error(pfring *ring)
{
	return ring ? ring->errbuf : "no ring";
}

static const char *
env_getter(const char *name)
{
	return getenv(name);
}

/* The configured rate goes to the engine when it can sample, else it is
 * applied here (pf_ring_next). */
static int
sampling_apply(pfring *ring)
{
	int rc = 0;

	ring->sampling_rate = ring->cfg.sampling_rate;
	ring->sample_count = 0;
	if (ring->ops->set_sampling != NULL) {
		rc = ring->ops->set_sampling(ring, ring->cfg.sampling_rate);
		if (rc > 0)
			ring->sampling_rate = 1;
	}
	return rc < 0 ? rc : 0;
}

/* The engine serving a parsed name. */
static const struct pf_engine_ops *
engine_for(const struct pf_devname *dn, const struct pf_config *cfg)
{
	if (dn->kind == pfring_name_zc)
		return dn->devs.cluster_id != 0 ? &pf_engine_zc : &pf_engine_xdp;
	/* The module serves rings whenever it is loaded, unless PFRING_ENGINE=packet;
	 * /sys/module, unlike /proc/net/pf_ring, is there in every network namespace.
	 * PFRING_ENGINE=kmod without it: the engine's open says the module is missing. */
	if (cfg->engine == PF_ENGINE_KMOD ||
	    (cfg->engine == PF_ENGINE_AUTO && access("/sys/module/pf_ring", F_OK) == 0))
		return &pf_engine_kmod;
	return &pf_engine_packet;
}

/* How long packets may wait to be handed over: see struct pfring_open_options. */
static int
block_timeout_ms(const struct pf_devname *dn, const struct pfring_open_options *o)
{
	if (o->flags & PF_RING_IMMEDIATE)
		return 1;
	if (o->timeout_ms < 0)
		return PF_DEFAULT_BLOCK_TIMEOUT_MS;
	/* A buffered zc: reader batches its wake-ups over the timeout, as a
	 * TPACKET_V3 block is handed over at its timeout; 1: no batching. */
	if (dn->kind == pfring_name_zc)
		return o->timeout_ms == 0 ? 1 : o->timeout_ms > UINT16_MAX ? UINT16_MAX : o->timeout_ms;
	return o->timeout_ms;
}

static pfring *
ring_open_engine(const struct pf_engine_ops *ops, const struct pf_devspec *devs,
		 const struct pf_config *cfg, const struct pf_open_params *params,
		 int *code, char *err, size_t errlen)
{
	pfring *ring;

	*code = PF_RING_ERROR_GENERIC;
	ring = calloc(1, sizeof(*ring));
	if (ring == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ring->devs = *devs;
	ring->cfg = *cfg;
	ring->params = *params;
	ring->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ring->wake_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(ring);
		return NULL;
	}
	ring->ops = ops;
	*code = ring->ops->open(ring, &ring->params);
	if (*code < 0) {
		snprintf(err, errlen, "%s", ring->errbuf);
		close(ring->wake_fd);
		free(ring);
		return NULL;
	}
	*code = pf_ring_rules_init(ring, &ring->cfg.rules);
	if (*code == 0)
		*code = sampling_apply(ring);
	if (*code < 0) {
		snprintf(err, errlen, "%s", ring->errbuf);
		pfring_close(ring);
		return NULL;
	}
	return ring;
}

static pfring *
open_device(const char *device_name, const struct pfring_open_options *options,
	    const struct pf_xsk_config *umem, int *error_code, char *errbuf, size_t errbuf_len)
{
	static const struct pfring_open_options defaults = { .timeout_ms = PFRING_TIMEOUT_DEFAULT };
	struct pf_open_params params;
	struct pf_devname dn;
	struct pf_config cfg;
	pfring *ring;
	int code;

	if (options == NULL)
		options = &defaults;
	code = PF_RING_ERROR_INVALID_ARGUMENT;
	if (pf_devname_parse(device_name, &dn, errbuf, errbuf_len) < 0)
		goto fail;
	code = PF_RING_ERROR_WRONG_CONFIGURATION;
	if (pf_config_load(&cfg, dn.kind == pfring_name_pfring_file ? dn.config_path : NULL,
			   env_getter, errbuf, errbuf_len) < 0)
		goto fail;
	memset(&params, 0, sizeof(params));
	/* A configured caplen is the operator's choice: it wins over the snaplen. */
	if (cfg.set & PF_KEY_CAPLEN)
		params.caplen = cfg.caplen;
	else
		params.caplen = options->snaplen != 0 ? options->snaplen : PF_RING_DEFAULT_CAPLEN;
	params.flags = options->flags;
	params.block_timeout_ms = block_timeout_ms(&dn, options);
	params.buffer_bytes = options->buffer_bytes;
	params.umem = umem;
	ring = ring_open_engine(engine_for(&dn, &cfg), &dn.devs, &cfg, &params, &code,
				errbuf, errbuf_len);
	if (ring == NULL)
		goto fail;
	snprintf(ring->device_name, sizeof(ring->device_name), "%s", device_name);
	/* A zc: ring is already one queue: kernel clustering and direction
	 * do not apply. */
	if (dn.kind == pfring_name_zc)
		return ring;
	if (cfg.cluster_id != 0 &&
	    (code = pfring_set_cluster(ring, cfg.cluster_id, cfg.cluster_type)) < 0)
		goto fail_ring;
	if (cfg.direction != rx_and_tx_direction &&
	    (code = pfring_set_direction(ring, cfg.direction)) < 0)
		goto fail_ring;
	return ring;
fail_ring:
	snprintf(errbuf, errbuf_len, "%s", ring->errbuf);
	pfring_close(ring);
fail:
	if (error_code != NULL)
		*error_code = code;
	return NULL;
}

pfring *
pfring_open_device(const char *device_name, const struct pfring_open_options *options,
		   int *error_code, char *errbuf, size_t errbuf_len)
{
	return open_device(device_name, options, NULL, error_code, errbuf, errbuf_len);
}

pfring *
pf_ring_open_name(const char *device_name, uint32_t caplen, uint32_t flags,
		  const struct pf_xsk_config *umem, char *errbuf, size_t errbuf_len)
{
	struct pfring_open_options options = {
		.snaplen = caplen,
		.flags = flags,
		.timeout_ms = PFRING_TIMEOUT_DEFAULT,
	};

	return open_device(device_name, &options, umem, NULL, errbuf, errbuf_len);
}

pfring *
pfring_open_err(const char *device_name, uint32_t caplen, uint32_t flags,
		char *errbuf, size_t errbuf_len)
{
	return pf_ring_open_name(device_name, caplen, flags, NULL, errbuf, errbuf_len);
}

pfring *
pfring_open(const char *device_name, uint32_t caplen, uint32_t flags)
{
	char err[PF_ERRBUF_SIZE];
	pfring *ring;

	ring = pfring_open_err(device_name, caplen, flags, err, sizeof(err));
	if (ring == NULL)
		fprintf(stderr, "pfring_open: %s\n", err);
	return ring;
}

void
pfring_close(pfring *ring)
{
	if (ring == NULL)
		return;
	pf_registry_remove(ring);
	ring->ops->close(ring);
	pf_rules_set_destroy(ring->rules);
	close(ring->wake_fd);
	free(ring);
}

int
pfring_enable_ring(pfring *ring)
{
	int rc;

	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (ring->enabled)
		return 0;
	rc = ring->ops->enable(ring);
	if (rc == 0) {
		ring->enabled = 1;
		pf_registry_add(ring, ring->device_name);
	}
	return rc;
}

int
pfring_disable_ring(pfring *ring)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	/* Packets keep landing in the kernel ring; they are simply not read. */
	ring->enabled = 0;
	return 0;
}

/* Rules the kernel does not run are evaluated here, per packet. */
static int
rules_in_user_space(const pfring *ring)
{
	return ring->rules != NULL && !pf_rules_set_in_kernel(ring->rules);
}

int
pf_ring_next(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr)
{
	int rc;

	for (;;) {
		rc = ring->ops->next(ring, pkt, hdr);
		if (rc == 1 && rules_in_user_space(ring) &&
		    !pf_rules_set_verdict(ring->rules, *pkt, hdr->caplen, hdr->len))
			continue;
		if (rc <= 0 || ring->sampling_rate <= 1)
			return rc;
		/* 1 of N: deliver the first, skip the next N-1. */
		if (ring->sample_count++ == 0)
			return rc;
		if (ring->sample_count >= ring->sampling_rate)
			ring->sample_count = 0;
		ring->sampled_out++;
	}
}

int
pf_ring_burst(pfring *ring, int max, pfring_pcap_handler cb, u_char *user)
{
	struct pfring_pkthdr hdr;
	struct pfring_pcap_pkthdr h;
	const u_char *pkt;
	int n = 0, rc;

	pf_registry_update(ring, 0);
	if (ring->ops->burst != NULL && ring->sampling_rate <= 1 &&
	    !rules_in_user_space(ring))
		return ring->ops->burst(ring, max, cb, user);
	while (max <= 0 || n < max) {
		if (ring->break_loop)
			break;
		rc = pf_ring_next(ring, &pkt, &hdr);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		h.ts = hdr.ts;
		h.caplen = hdr.caplen < ring->params.caplen ? hdr.caplen : ring->params.caplen;
		h.len = hdr.len;
		cb(user, &h, pkt);
		n++;
	}
	return n;
}

int
pfring_burst(pfring *ring, int max_packets, pfring_pcap_handler handler, u_char *user)
{
	if (ring == NULL || handler == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (!ring->enabled)
		return pf_ring_error(ring, PF_RING_ERROR_NOT_ENABLED,
				     "ring not enabled: call pfring_enable_ring() first");
	return pf_ring_burst(ring, max_packets, handler, user);
}

int
pfring_poll(pfring *ring, int wait_ms)
{
	struct pollfd pfd[2];
	uint64_t junk;
	int rc;

	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	pf_registry_update(ring, 0);
	pfd[0].fd = ring->ops->selectable_fd(ring);
	pfd[0].events = POLLIN;
	pfd[1].fd = ring->wake_fd;
	pfd[1].events = POLLIN;
	ring->polled = 1;
	ring->poll_wait_ms = wait_ms;
	if (ring->ops->poll_slice_ms > 0 && (wait_ms < 0 || wait_ms > ring->ops->poll_slice_ms))
		wait_ms = ring->ops->poll_slice_ms;
	rc = poll(pfd, 2, wait_ms);
	ring->interrupted = rc < 0 && errno == EINTR;
	if (rc < 0) {
		/* A signal: back to the caller, whose handler may have set a
		 * flag of its own rather than called pfring_breakloop(). */
		if (errno == EINTR)
			return 0;
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "poll: %s", strerror(errno));
	}
	if (pfd[1].revents & POLLIN) {
		if (read(ring->wake_fd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
			return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "eventfd read: %s",
					     strerror(errno));
	}
	if (pfd[0].revents & (POLLERR | POLLNVAL))
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC,
				     "the capture socket reported an error (interface gone?)");
	return (pfd[0].revents & POLLIN) ? 1 : 0;
}

int
pfring_recv(pfring *ring, u_char **buffer, u_int buffer_len,
	    struct pfring_pkthdr *hdr, uint8_t wait_for_incoming_packet)
{
	const u_char *pkt;
	int rc;

	if (ring == NULL || buffer == NULL || hdr == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (!ring->enabled)
		return pf_ring_error(ring, PF_RING_ERROR_NOT_ENABLED,
				     "ring not enabled: call pfring_enable_ring() first");
	for (;;) {
		if (ring->break_loop)
			return 0;
		rc = pf_ring_next(ring, &pkt, hdr);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (buffer_len == 0) {
				*buffer = (u_char *)pkt;
			} else {
				if (hdr->caplen > buffer_len)
					hdr->caplen = buffer_len;
				memcpy(*buffer, pkt, hdr->caplen);
			}
			return 1;
		}
		if (!wait_for_incoming_packet)
			return 0;
		rc = pfring_poll(ring, -1);
		if (rc < 0)
			return rc;
		/* A signal or pfring_breakloop() ended the wait (not the end of
		 * an engine's poll slice). */
		if (rc == 0 && (ring->interrupted || ring->break_loop))
			return 0;
	}
}

int
pfring_loop(pfring *ring, pfringProcesssPacket looper,
	    const u_char *user_bytes, uint8_t wait_for_packet)
{
	struct pfring_pkthdr hdr;
	u_char *pkt;
	int rc;

	if (ring == NULL || looper == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	ring->break_loop = 0;
	while (!ring->break_loop) {
		rc = pfring_recv(ring, &pkt, 0, &hdr, wait_for_packet);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (!wait_for_packet && !ring->break_loop)
				sched_yield();
			continue;
		}
		looper(&hdr, pkt, user_bytes);
	}
	return 0;
}

void
pfring_breakloop(pfring *ring)
{
	uint64_t one = 1;

	if (ring == NULL)
		return;
	ring->break_loop = 1;
	/* Async-signal-safe: only a write to the eventfd. */
	if (write(ring->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, poll will wake anyway. */
	}
}

void
pfring_clear_breakloop(pfring *ring)
{
	if (ring != NULL)
		ring->break_loop = 0;
}

int
pfring_send(pfring *ring, char *pkt, u_int pkt_len, uint8_t flush_packet)
{
	(void)flush_packet; /* every packet is sent at once */
	if (ring == NULL || pkt == NULL || pkt_len == 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	return ring->ops->send(ring, (const u_char *)pkt, pkt_len);
}

int
pfring_stats(pfring *ring, pfring_stat *stats)
{
	if (ring == NULL || stats == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	return ring->ops->stats(ring, stats);
}

int
pfring_set_cluster(pfring *ring, u_int clusterId, cluster_type the_type)
{
	int rc;

	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (clusterId == 0 || clusterId > PF_RING_MAX_CLUSTER_ID)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "cluster id %u out of range 1..%u", clusterId,
				     PF_RING_MAX_CLUSTER_ID);
	if (!pf_cluster_type_known(the_type))
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "unknown cluster type %d", (int)the_type);
	rc = ring->ops->set_cluster(ring, clusterId, the_type);
	if (rc == 0) {
		ring->cluster_id = clusterId;
		ring->cluster_type = the_type;
		pf_registry_cluster(ring);
	}
	return rc;
}

int
pfring_remove_from_cluster(pfring *ring)
{
	int rc;

	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	rc = ring->ops->remove_from_cluster(ring);
	if (rc == 0) {
		ring->cluster_id = 0;
		pf_registry_cluster(ring);
	}
	return rc;
}

int
pfring_set_bpf_program(pfring *ring, const struct sock_fprog *prog)
{
	if (ring == NULL || prog == NULL || prog->len == 0 || prog->filter == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	return ring->ops->set_bpf(ring, prog);
}

int
pfring_remove_bpf_filter(pfring *ring)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	return ring->ops->set_bpf(ring, NULL);
}

int
pfring_set_direction(pfring *ring, packet_direction direction)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (direction != rx_and_tx_direction && direction != rx_only_direction &&
	    direction != tx_only_direction)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "unknown direction %d", (int)direction);
	ring->cfg.direction = direction;
	if (ring->rules != NULL)
		pf_rules_set_params(ring->rules, ring->params.caplen,
				    direction == rx_only_direction ? 1 :
				    direction == tx_only_direction ? 2 : 0, ring->devs.queue);
	return ring->ops->set_direction(ring, direction);
}

int
pfring_set_sampling_rate(pfring *ring, uint32_t rate)
{
	if (ring == NULL || rate == 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	ring->cfg.sampling_rate = rate;
	return sampling_apply(ring);
}

int
pfring_set_poll_watermark(pfring *ring, uint16_t watermark)
{
	if (ring == NULL || watermark == 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	/* The packet engine wakes per filled or timed-out block, which
	 * already batches; the value is kept for engines that count. */
	ring->cfg.watermark = watermark;
	return 0;
}

int
pfring_set_poll_watermark_timeout(pfring *ring, uint16_t poll_watermark_timeout)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (ring->enabled)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_STATE,
				     "the watermark timeout must be set before the ring is enabled");
	ring->params.block_timeout_ms = poll_watermark_timeout ? poll_watermark_timeout : 1;
	return 0;
}

int
pfring_set_application_name(pfring *ring, char *name)
{
	if (ring == NULL || name == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	snprintf(ring->cfg.appname, sizeof(ring->cfg.appname), "%s", name);
	return 0;
}

int
pfring_get_selectable_fd(pfring *ring)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	return ring->ops->selectable_fd(ring);
}

int
pfring_set_socket_mode(pfring *ring, int mode)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (mode == 0)
		return 0; /* recv_and_send_mode: what every ring does here */
	return pf_ring_error(ring, PF_RING_ERROR_NOT_SUPPORTED,
			     "socket mode %d is not supported", mode);
}

int
pfring_get_bound_device_ifindex(pfring *ring, int *if_index)
{
	unsigned int idx;

	if (ring == NULL || if_index == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	idx = if_nametoindex(ring->devs.devices[0]);
	if (idx == 0)
		return PF_RING_ERROR_UNKNOWN_ADAPTER;
	*if_index = (int)idx;
	return 0;
}

uint32_t
pfring_get_caplen(pfring *ring)
{
	return ring ? ring->params.caplen : 0;
}

const char *
pfring_get_notice(pfring *ring)
{
	return ring ? ring->notice : "";
}

int
pfring_get_link_type(pfring *ring)
{
	(void)ring;
	return 1; /* DLT_EN10MB: only Ethernet-framed devices are accepted */
}

const char *
pfring_get_engine_name(pfring *ring)
{
	if (ring == NULL)
		return "";
	return ring->ops->mode_name != NULL ? ring->ops->mode_name(ring) : ring->ops->name;
}

pfring_if_t *
pfring_findalldevs(void)
{
	struct if_nameindex *names, *n;
	pfring_if_t *head = NULL, **tail = &head, *dev;

	names = if_nameindex();
	if (names == NULL)
		return NULL;
	for (n = names; n->if_index != 0; n++) {
		dev = calloc(1, sizeof(*dev));
		if (dev == NULL)
			break;
		dev->name = strdup(n->if_name);
		dev->system_name = strdup(n->if_name);
		dev->module = strdup("packet");
		dev->ifindex = (int)n->if_index;
		dev->status = 1;
		if (dev->name == NULL || dev->system_name == NULL || dev->module == NULL) {
			free(dev->name);
			free(dev->system_name);
			free(dev->module);
			free(dev);
			break;
		}
		*tail = dev;
		tail = &dev->next;
	}
	if_freenameindex(names);
	return head;
}

void
pfring_freealldevs(pfring_if_t *list)
{
	pfring_if_t *next;

	for (; list != NULL; list = next) {
		next = list->next;
		free(list->name);
		free(list->system_name);
		free(list->module);
		free(list);
	}
}

int
pfring_version(pfring *ring, uint32_t *version)
{
	(void)ring;
	if (version == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	*version = RING_VERSION_NUM;
	return 0;
}

const char *
pfring_version_string(void)
{
	return PFRING_VERSION_STRING;
}

/* ---- what the tools need beyond the PF_RING API ---- */

int
pfring_cluster_type_from_name(const char *name)
{
	return pf_cluster_type_from_name(name);
}

const char *
pfring_cluster_type_name(cluster_type t)
{
	return pf_cluster_type_name(t);
}

int
pfring_get_xdp_stats(pfring *ring, pfring_xdp_stat *stats)
{
	struct xdp_statistics xs;
	int rc;

	if (ring == NULL || stats == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	rc = pf_xdp_xsk_stats(ring, &xs);
	if (rc != 0)
		return rc;
	stats->rx_dropped = xs.rx_dropped;
	stats->rx_invalid_descs = xs.rx_invalid_descs;
	stats->tx_invalid_descs = xs.tx_invalid_descs;
	stats->rx_ring_full = xs.rx_ring_full;
	stats->rx_fill_ring_empty_descs = xs.rx_fill_ring_empty_descs;
	stats->tx_ring_empty_descs = xs.tx_ring_empty_descs;
	return 0;
}
