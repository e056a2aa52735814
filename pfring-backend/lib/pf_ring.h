/*
 * pf_ring.h - libpfring internals: the ring object and the engine ops table.
 *
 * The public API (pfring.h) validates arguments and keeps the state every
 * engine shares (config, sampling, breakloop); an engine only moves packets.
 */
#ifndef PF_RING_H
#define PF_RING_H

#include <stdint.h>
#include <stddef.h>
#include <sys/time.h>
#include <linux/filter.h>

#include "pfring.h"
#include "pf_config.h"
#include "pf_devname.h"
#include "pf_rules_set.h"

struct pf_xsk_config;

struct pf_open_params {
	uint32_t caplen;          /* bytes kept per packet */
	uint32_t flags;           /* PF_RING_* open flags */
	int block_timeout_ms;     /* > 0: deliver a partly filled block after this long */
	size_t buffer_bytes;      /* 0: size the ring from cfg->rx_slots */
	/* xdp engine: the AF_XDP socket's UMEM and ring sizes are the caller's
	 * (no TX, no program until the caller attaches one); NULL: its own. */
	const struct pf_xsk_config *umem;
};

struct pf_engine_ops {
	const char *name;
	/* What pfring_get_engine_name() reports when the ring decides it (e.g.
	 * the mode its socket was bound in); NULL: name. */
	const char *(*mode_name)(pfring *ring);
	/* Create sockets/rings for ring->devs; nothing is received until enable. */
	int (*open)(pfring *ring, const struct pf_open_params *params);
	void (*close)(pfring *ring);
	int (*enable)(pfring *ring);
	/* Next packet without waiting: 1 = *pkt/hdr filled, 0 = none, < 0 error.
	 * *pkt stays valid until the next call. */
	int (*next)(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr);
	/* Hand up to max (<= 0: all) waiting packets to cb without waiting;
	 * stops early when ring->break_loop is set.  Returns how many were
	 * handed over, < 0 on error.  NULL: pf_ring_burst() loops over next. */
	int (*burst)(pfring *ring, int max, pfring_pcap_handler cb, u_char *user);
	int (*send)(pfring *ring, const u_char *pkt, u_int len);
	int (*stats)(pfring *ring, pfring_stat *stats);
	int (*set_cluster)(pfring *ring, u_int id, cluster_type type);
	int (*remove_from_cluster)(pfring *ring);
	/* NULL prog removes the filter. */
	int (*set_bpf)(pfring *ring, const struct sock_fprog *prog);
	int (*set_direction)(pfring *ring, packet_direction direction);
	/* The fd that poll() reports readable when next() has packets. */
	int (*selectable_fd)(pfring *ring);
	/* Sample 1 of rate (>= 1) before packets reach the ring (e.g. in the
	 * kernel); called at open and on every new rate.  1: the engine took the
	 * rate and pf_api.c samples no more, 0: pf_api.c samples, < 0 error.
	 * NULL: pf_api.c always samples. */
	int (*set_sampling)(pfring *ring, uint32_t rate);
	/* ring->rules came or went: install what the kernel should run. */
	int (*rules_changed)(pfring *ring);
	/* Non-NULL: the engine's own kernel side runs the rules (ctx: the
	 * ring), with rules_changed pushing the whole set again. */
	const struct pf_rules_kernel *rules_kernel;
	/* > 0: pfring_poll() never sleeps longer at once (the engine checks
	 * on its source in between, e.g. a ZC queue on its balancer). */
	int poll_slice_ms;
};

struct pfring_registry_entry;

struct pfring {
	const struct pf_engine_ops *ops;
	void *engine;                 /* the engine's own state */
	struct pf_devspec devs;
	struct pf_config cfg;
	struct pf_open_params params;
	int enabled;
	volatile int break_loop;
	int interrupted;              /* the last pfring_poll() ended on a signal */
	int wake_fd;                  /* eventfd: pfring_breakloop() wakes pfring_poll() */
	int polled;                   /* pfring_poll() ran: the library waited for packets */
	int poll_wait_ms;             /* how long that wait could have been (< 0: forever) */
	uint32_t sampling_rate;       /* 1 of N sampled by pf_api.c: 1 when the engine samples */
	uint32_t sample_count;        /* packets seen since the last one delivered */
	uint64_t sampled_out;         /* packets skipped by sampling */
	struct pf_rules_set *rules;   /* filtering rules, or NULL */
	char notice[PF_ERRBUF_SIZE];  /* a warning for the user (e.g. rules in user space) */
	char errbuf[PF_ERRBUF_SIZE];
	char device_name[64];         /* as opened, for the registry */
	uint32_t cluster_id;          /* joined with pfring_set_cluster(), 0: none */
	cluster_type cluster_type;
	struct pfring_registry_entry *reg; /* our registry entry (pf_registry.c), or NULL */
	char reg_path[320];
};

/* pfring_open_err() with the memory the ring is to use (params.umem). */
pfring *pf_ring_open_name(const char *device_name, uint32_t caplen, uint32_t flags,
			  const struct pf_xsk_config *umem, char *err, size_t errlen);

/* Next packet after sampling, without waiting (see pf_engine_ops.next). */
int pf_ring_next(pfring *ring, const u_char **pkt, struct pfring_pkthdr *hdr);

/* Create ring->rules from a configured set (no-op if it has no rules). */
int pf_ring_rules_init(pfring *ring, const struct pf_rule_config *rc);

/* Burst delivery (see pf_engine_ops.burst), honouring sampling. */
int pf_ring_burst(pfring *ring, int max, pfring_pcap_handler cb, u_char *user);

/* Record an error on the ring and return code; printf-style. */
int pf_ring_error(pfring *ring, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

extern const struct pf_engine_ops pf_engine_packet;
extern const struct pf_engine_ops pf_engine_kmod;
extern const struct pf_engine_ops pf_engine_zc;
extern const struct pf_engine_ops pf_engine_xdp;

#endif /* PF_RING_H */
