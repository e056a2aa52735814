/*
 * pfring.h - the libpfring capture API.
 *
 * A PF_RING-style interface over several capture engines.  Function names,
 * argument order and return conventions follow the PF_RING API so existing
 * programs port with a recompile: 0 (or a positive count) is success, a
 * negative PF_RING_ERROR_* value is failure.
 */
#ifndef PFRING_H
#define PFRING_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/time.h>

#include "pfring_limits.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PFRING_VERSION_MAJOR 0
#define PFRING_VERSION_MINOR 1
#define PFRING_VERSION_PATCH 0
#define PFRING_VERSION_STRING "0.1.0"
/* One number, as pfring_version() returns it: (major << 16) | (minor << 8) | patch. */
#define RING_VERSION_NUM \
	((PFRING_VERSION_MAJOR << 16) | (PFRING_VERSION_MINOR << 8) | PFRING_VERSION_PATCH)

/* Return codes. */
#define PF_RING_ERROR_GENERIC              -1
#define PF_RING_ERROR_INVALID_ARGUMENT     -2
#define PF_RING_ERROR_NO_PKT_AVAILABLE     -3
#define PF_RING_ERROR_NO_TX_SLOT_AVAILABLE -4
#define PF_RING_ERROR_WRONG_CONFIGURATION  -5
#define PF_RING_ERROR_END_OF_DEMO_MODE     -6
#define PF_RING_ERROR_NOT_SUPPORTED        -7
#define PF_RING_ERROR_INVALID_LIB_VERSION  -8
#define PF_RING_ERROR_UNKNOWN_ADAPTER      -9
#define PF_RING_ERROR_NOT_ENABLED          -10
#define PF_RING_ERROR_INVALID_STATE        -11 /* e.g. ring already active */

/* pfring_open() flags. */
#define PF_RING_PROMISC          (1u << 0)
#define PF_RING_TIMESTAMP        (1u << 1) /* always on here; accepted for API compatibility */
#define PF_RING_LONG_HEADER      (1u << 2) /* fill extended_hdr.pkt_hash */
#define PF_RING_TX_ONLY          (1u << 3) /* no RX ring: only pfring_send() */
#define PF_RING_IMMEDIATE        (1u << 4) /* short block timeout: low latency over batching */
#define PF_RING_NANO_TIMESTAMP   (1u << 5) /* documented: ts.tv_usec carries nanoseconds */

/* The caplen a ring opened with caplen 0 gets: whole frames up to 64 KiB. */
#define PF_RING_DEFAULT_CAPLEN 65535

typedef enum {
	cluster_per_flow = 0,         /* <vlan, proto, src ip, src port, dst ip, dst port> */
	cluster_round_robin,
	cluster_per_flow_2_tuple,     /* <src ip, dst ip> */
	cluster_per_flow_4_tuple,     /* <src ip, src port, dst ip, dst port> */
	cluster_per_flow_5_tuple,     /* <proto, src ip, src port, dst ip, dst port> */
	cluster_per_flow_tcp_5_tuple, /* 5-tuple for TCP, 2-tuple otherwise */
	/* The same on the packet a tunnel carries (GTP-U, VXLAN, GRE, IP in
	 * IP), the outer packet when there is none; the VLAN is the outer one. */
	cluster_per_inner_flow,
	cluster_per_inner_flow_2_tuple,
	cluster_per_inner_flow_4_tuple,
	cluster_per_inner_flow_5_tuple,
	cluster_per_inner_flow_tcp_5_tuple,
	cluster_per_flow_ip_5_tuple,       /* 5-tuple for IP, <src mac, dst mac> otherwise */
	cluster_per_inner_flow_ip_5_tuple, /* the same, inner */
	cluster_per_flow_ip_with_dup_tuple, /* to the members of <src ip> and of <dst ip> */
} cluster_type;

typedef enum {
	rx_and_tx_direction = 0,
	rx_only_direction,
	tx_only_direction,
} packet_direction;

struct pfring_extended_pkthdr {
	uint64_t timestamp_ns; /* capture time, nanoseconds since the epoch */
	uint32_t flags;
	uint8_t rx_direction;  /* 1 = received, 0 = sent by this host */
	int32_t if_index;
	uint32_t pkt_hash;     /* flow hash (cluster_per_flow), with PF_RING_LONG_HEADER */
	uint16_t vlan_id;
};

struct pfring_pkthdr {
	struct timeval ts;
	uint32_t caplen;
	uint32_t len;
	struct pfring_extended_pkthdr extended_hdr;
};

typedef struct {
	uint64_t recv; /* delivered to the ring */
	uint64_t drop; /* lost because the ring was full (or the socket buffer) */
	uint64_t shunt;
} pfring_stat;

typedef struct pfring pfring;

typedef void (*pfringProcesssPacket)(const struct pfring_pkthdr *h,
				     const u_char *p, const u_char *user_bytes);

typedef struct pfring_if {
	char *name;
	char *system_name;
	char *module;
	int status; /* 1 = up */
	int ifindex;
	struct pfring_if *next;
} pfring_if_t;

/*
 * Open a ring.  device_name is an interface ("eth0"), several ("eth0,eth1"),
 * one RX queue ("eth0@2") or "any".  Configuration from the environment
 * (PFRING_*) applies; see pfring-config(7).
 */
pfring *pfring_open(const char *device_name, uint32_t caplen, uint32_t flags);
/* Like pfring_open(); on failure writes the reason to errbuf (errbuf_len bytes). */
pfring *pfring_open_err(const char *device_name, uint32_t caplen, uint32_t flags,
			char *errbuf, size_t errbuf_len);
void pfring_close(pfring *ring);

int pfring_enable_ring(pfring *ring);
int pfring_disable_ring(pfring *ring);

/*
 * Receive one packet.  buffer_len == 0: *buffer is set to point into the ring
 * (valid until the next recv on this ring).  Otherwise up to buffer_len bytes
 * are copied to *buffer.  Returns 1 with a packet, 0 when none is available
 * and wait_for_incoming_packet is 0 or when a signal interrupted the wait
 * (so a caller whose handler only sets its own flag sees it), negative on
 * error.
 */
int pfring_recv(pfring *ring, u_char **buffer, u_int buffer_len,
		struct pfring_pkthdr *hdr, uint8_t wait_for_incoming_packet);
int pfring_loop(pfring *ring, pfringProcesssPacket looper,
		const u_char *user_bytes, uint8_t wait_for_packet);
void pfring_breakloop(pfring *ring);
/* Wait up to wait_ms (-1 = forever) for packets; 1 = readable, 0 = timeout,
 * pfring_breakloop() or a signal (EINTR is not retried). */
int pfring_poll(pfring *ring, int wait_ms);

int pfring_send(pfring *ring, char *pkt, u_int pkt_len, uint8_t flush_packet);

int pfring_stats(pfring *ring, pfring_stat *stats);

int pfring_set_cluster(pfring *ring, u_int clusterId, cluster_type the_type);
int pfring_remove_from_cluster(pfring *ring);

/* A tcpdump-syntax filter, compiled with libpcap and run in the kernel. */
int pfring_set_bpf_filter(pfring *ring, char *filter_buffer);
int pfring_remove_bpf_filter(pfring *ring);
struct sock_fprog;
/* An already compiled classic BPF program (as pcap_compile() makes). */
int pfring_set_bpf_program(pfring *ring, const struct sock_fprog *prog);

int pfring_set_direction(pfring *ring, packet_direction direction);
int pfring_set_sampling_rate(pfring *ring, uint32_t rate);
int pfring_set_poll_watermark(pfring *ring, uint16_t watermark);
int pfring_set_poll_watermark_timeout(pfring *ring, uint16_t poll_watermark_timeout);
int pfring_set_application_name(pfring *ring, char *name);
int pfring_get_selectable_fd(pfring *ring);
int pfring_set_socket_mode(pfring *ring, int mode);
int pfring_get_bound_device_ifindex(pfring *ring, int *if_index);
uint32_t pfring_get_caplen(pfring *ring);
int pfring_get_link_type(pfring *ring);
/* Name of the engine serving the ring ("packet", "kmod", "xdp", "zc"). */
const char *pfring_get_engine_name(pfring *ring);

pfring_if_t *pfring_findalldevs(void);
void pfring_freealldevs(pfring_if_t *list);

int pfring_version(pfring *ring, uint32_t *version);
const char *pfring_version_string(void);

/*
 * Filtering rules, evaluated in the kernel (by an eBPF socket filter; in
 * user space, with the same matching code, when eBPF may not be loaded):
 * hash rules (an exact flow) first, then wildcard rules by rule_id, then the
 * default policy.  With rules in the kernel, a BPF filter cannot be attached
 * there too: pfring_set_bpf_filter() then fails and libpcap filters in user
 * space, so a packet must pass both.
 */
typedef enum {
	forward_packet_and_stop_rule_evaluation = 0,
	dont_forward_packet_and_stop_rule_evaluation,
	execute_action_and_continue_rule_evaluation, /* count, go on */
} rule_action_behaviour;

#define FILTERING_PATTERN_MAX 8

/* IPv4 in v4, host byte order; IPv6 in v6, network byte order. */
typedef union {
	uint8_t v6[16];
	uint32_t v4;
} ip_addr;

/* Zero (all-zero) fields match anything. */
typedef struct {
	uint16_t rule_id;
	rule_action_behaviour rule_action;
	uint8_t balance_id, balance_pool;   /* flow hash % pool == id; pool 0: off */
	uint8_t bidirectional;              /* also match with src and dst swapped */
	struct filtering_rule_core_fields {
		uint8_t smac[6], dmac[6];
		uint16_t vlan_id;
		uint8_t ip_version;          /* 4 or 6 (needed with addresses) */
		uint8_t proto;
		ip_addr shost, shost_mask, dhost, dhost_mask;
		uint16_t sport_low, sport_high, dport_low, dport_high; /* high 0: any */
	} core_fields;
	struct filtering_rule_extended_fields {
		uint8_t payload_len;
		uint8_t payload_pattern[FILTERING_PATTERN_MAX]; /* within the payload's first 32 bytes */
	} extended_fields;
} filtering_rule;

typedef struct {
	uint16_t rule_id;
	rule_action_behaviour rule_action;
	uint8_t bidirectional;
	uint8_t ip_version;                 /* 4 or 6 */
	uint16_t vlan_id;
	uint8_t proto;
	ip_addr host_peer_a, host_peer_b;   /* a -> b */
	uint16_t port_peer_a, port_peer_b;
} hash_filtering_rule;

typedef struct {
	uint64_t matched_packets;
	uint64_t matched_bytes;
	uint32_t inactivity_sec;            /* hash rules: since the last match */
} pfring_rule_stats;

int pfring_add_filtering_rule(pfring *ring, filtering_rule *rule_to_add);
int pfring_remove_filtering_rule(pfring *ring, uint16_t rule_id);
/* add_rule 1 adds (or replaces), 0 removes. */
int pfring_handle_hash_filtering_rule(pfring *ring, hash_filtering_rule *rule, u_char add_rule);
int pfring_get_filtering_rule_stats(pfring *ring, uint16_t rule_id, pfring_rule_stats *stats);
int pfring_get_hash_filtering_rule_stats(pfring *ring, hash_filtering_rule *rule,
					 pfring_rule_stats *stats);
/* 1: accept packets no rule decided, 0: drop them. */
int pfring_toggle_filtering_policy(pfring *ring, uint8_t rules_default_accept_policy);
/* Remove hash rules idle for inactivity_sec or more; returns how many. */
int pfring_purge_idle_hash_rules(pfring *ring, uint16_t inactivity_sec);
/* 1 in the kernel, 0 in user space, -1 no rules. */
int pfring_rules_in_kernel(pfring *ring);

/*
 * Device names, as pfring_open() and libpcap's "pfring:" and "zc:" sources
 * take them:
 *	eth0 / eth0,eth1 / eth0@2	devices, one RX queue for all of them
 *	pfring:<devices>		the same
 *	pfring/<config file>:<devices>	configured by that file as well
 *	zc:<cluster id>@<queue>		a queue of a ZC cluster
 *	zc:<interface>[@<queue>]	an AF_XDP socket on one RX queue
 */
#define PFRING_ERRBUF_SIZE      256 /* holds any message the library writes */
#define PFRING_MAX_DEVICES      8   /* devices in one name */
#define PFRING_DEVICE_NAME_SIZE 16  /* an interface name and its NUL (IF_NAMESIZE) */

typedef enum {
	pfring_name_plain = 0,        /* no prefix: "eth0", "eth0,eth1@2" */
	pfring_name_pfring,           /* "pfring:<devices>" */
	pfring_name_pfring_file,      /* "pfring/<config file>:<devices>" */
	pfring_name_zc,               /* "zc:..." */
} pfring_name_kind;

struct pfring_device_name {
	pfring_name_kind kind;
	int n_devices;
	char devices[PFRING_MAX_DEVICES][PFRING_DEVICE_NAME_SIZE];
	int queue;                    /* -1: all RX queues */
	uint32_t zc_cluster_id;       /* zc: the ZC cluster; 0: devices[0] is an AF_XDP interface */
};

/*
 * Parse a device name without opening anything.  Returns 0, or
 * PF_RING_ERROR_INVALID_ARGUMENT with the reason in errbuf (may be NULL);
 * out->kind is set either way once the prefix is known, so a malformed
 * "zc:" name is still a zc: name.
 */
int pfring_parse_device_name(const char *name, struct pfring_device_name *out,
			     char *errbuf, size_t errbuf_len);

/*
 * Open a ring from a device name and the caller's parameters, as libpcap's
 * pfring: and zc: sources do: the name is parsed, the configuration loaded
 * (PFRING_CONFIG, the environment, then a pfring/<file>: name's own file), a
 * configured caplen wins over the snaplen, and the configured cluster and
 * direction are set (not for zc: names: such a ring is already one queue).
 * The ring is not enabled yet.
 */
struct pfring_open_options {
	uint32_t snaplen;             /* bytes kept per packet; 0: 65535 */
	uint32_t flags;               /* PF_RING_* open flags */
	/*
	 * How long packets may wait to be handed over in a batch:
	 * PFRING_TIMEOUT_DEFAULT: 100 ms, as pfring_open(); 0: no wait of the
	 * caller's (kernel rings use the kernel's block timeout, zc: queues
	 * wake per packet); > 0: that long (zc: queues at most 65535 ms).
	 * PF_RING_IMMEDIATE overrides it.
	 */
	int timeout_ms;
	size_t buffer_bytes;          /* ring memory; 0: from the configured rx_slots */
};
#define PFRING_TIMEOUT_DEFAULT (-1)

/*
 * Returns the ring, or NULL with the reason in errbuf and, if error_code is
 * not NULL, a PF_RING_ERROR_* code in *error_code: INVALID_ARGUMENT for a
 * malformed name, WRONG_CONFIGURATION for a bad config file or variable,
 * UNKNOWN_ADAPTER when a device does not exist (for a zc: cluster queue:
 * when the queue cannot be attached), else the failing step's code.
 * options NULL: all defaults.
 */
pfring *pfring_open_device(const char *device_name, const struct pfring_open_options *options,
			   int *error_code, char *errbuf, size_t errbuf_len);

/* A warning from the open: the ring captures, but not quite as asked (e.g.
 * its rules run in user space).  "" if none. */
const char *pfring_get_notice(pfring *ring);

/*
 * The fast path.  The header is laid out as libpcap's struct pcap_pkthdr on
 * Linux, so a pcap_handler may be called as a pfring_pcap_handler: one
 * indirect call per packet.  ts.tv_usec holds nanoseconds with
 * PF_RING_NANO_TIMESTAMP; caplen never exceeds pfring_get_caplen().
 */
struct pfring_pcap_pkthdr {
	struct timeval ts;
	uint32_t caplen;
	uint32_t len;
};
typedef void (*pfring_pcap_handler)(u_char *user, const struct pfring_pcap_pkthdr *h,
				    const u_char *pkt);
/*
 * Hand up to max_packets (<= 0: all) waiting packets to handler, without
 * waiting; sampling and rules apply.  Stops early once pfring_breakloop()
 * was called, until pfring_clear_breakloop().  Returns how many packets
 * were handed over, or a negative PF_RING_ERROR_* code.
 */
int pfring_burst(pfring *ring, int max_packets, pfring_pcap_handler handler, u_char *user);
/* The caller has acted on pfring_breakloop(): bursts run whole again. */
void pfring_clear_breakloop(pfring *ring);

/* Text of the last error on this ring. */
const char *pfring_last_error(pfring *ring);

/*
 * What the tools need beyond the PF_RING API: cluster-type names, and the
 * counters of an AF_XDP socket.
 */
/* The cluster_type of a name pfring-config(7) takes ("per_flow", "2_tuple",
 * ...) or of PF_RING's enum spelling ("cluster_per_flow"); -1: none. */
int pfring_cluster_type_from_name(const char *name);
/* The short name of t ("per_flow", ...); "unknown" for a value no cluster
 * type has (pfring_set_cluster() refuses those). */
const char *pfring_cluster_type_name(cluster_type t);

/* An AF_XDP socket's counters, as the kernel keeps them (XDP_STATISTICS;
 * a kernel without the newer ones leaves them 0). */
typedef struct {
	uint64_t rx_dropped;               /* frames lost for other reasons */
	uint64_t rx_invalid_descs;
	uint64_t tx_invalid_descs;
	uint64_t rx_ring_full;             /* lost: the RX ring was full */
	uint64_t rx_fill_ring_empty_descs; /* the fill ring had no buffer */
	uint64_t tx_ring_empty_descs;
} pfring_xdp_stat;
/* The counters of an AF_XDP ring (zc:IF, or a ZC balancer's XDP input):
 * 0; PF_RING_ERROR_NOT_SUPPORTED for a ring of another engine;
 * PF_RING_ERROR_GENERIC when the kernel does not give them (errno). */
int pfring_get_xdp_stats(pfring *ring, pfring_xdp_stat *stats);

/*
 * Device facts: what the kernel says about a network interface.  Channels
 * and link speed come from the ethtool generic-netlink family, the XDP
 * features from the "netdev" family (Linux 6.3+), the driver from the
 * ETHTOOL_GDRVINFO ioctl (ethtool netlink has no driver message).
 */
/* XDP features (pfring_device_facts.xdp_features): the kernel's
 * NETDEV_XDP_ACT_* bits, which "ip"/"ethtool" name as in the comments. */
#define PFRING_XDP_BASIC        (1ull << 0) /* basic: XDP_PASS, DROP, ABORTED, TX */
#define PFRING_XDP_REDIRECT     (1ull << 1) /* redirect: XDP_REDIRECT (AF_XDP copy mode) */
#define PFRING_XDP_NDO_XMIT     (1ull << 2) /* ndo-xmit: a target of XDP_REDIRECT */
#define PFRING_XDP_XSK_ZEROCOPY (1ull << 3) /* xsk-zerocopy: AF_XDP zero copy */
#define PFRING_XDP_HW_OFFLOAD   (1ull << 4) /* hw-offload: the NIC runs the program */
#define PFRING_XDP_RX_SG        (1ull << 5) /* rx-sg: multi-buffer frames on RX */
#define PFRING_XDP_NDO_XMIT_SG  (1ull << 6) /* ndo-xmit-sg: multi-buffer frames as a target */
/* A yes/no fact the kernel did not give. */
#define PFRING_FACT_UNKNOWN (-1)
#define PFRING_DRIVER_NAME_SIZE 32 /* the kernel's (struct ethtool_drvinfo) */

typedef struct {
	char driver[PFRING_DRIVER_NAME_SIZE]; /* "veth", "ixgbe"; "" if the device names none (lo) */
	/* ethtool channels; channels_known 0: the device has none (lo),
	 * every count below is then 0. */
	int channels_known;
	uint32_t rx_channels;      /* RX queues in use: rx_only + combined */
	uint32_t rx_only;          /* channels with an RX queue only */
	uint32_t combined;         /* channels with an RX and a TX queue */
	uint32_t rx_only_max;      /* the most the driver allows of each */
	uint32_t combined_max;
	uint32_t speed_mbps;       /* link speed in Mb/s; 0: unknown (no link, or not reported) */
	/* xdp_features_known 0: a kernel without the netdev family (< 6.3):
	 * xdp_features and xdp_zc_max_segs are then 0 and xsk_zero_copy
	 * PFRING_FACT_UNKNOWN, not "no". */
	int xdp_features_known;
	uint64_t xdp_features;     /* PFRING_XDP_* */
	uint32_t xdp_zc_max_segs;  /* fragments per frame in zero copy; 0: not given (no zero copy) */
	int xsk_zero_copy;         /* 1 AF_XDP zero copy supported, 0 not, PFRING_FACT_UNKNOWN */
} pfring_device_facts;

/*
 * Fill *facts for interface ifname (a name in the caller's network
 * namespace, without "pfring:" or "@queue").  Returns 0, or
 * PF_RING_ERROR_UNKNOWN_ADAPTER (no such interface), PF_RING_ERROR_NOT_SUPPORTED
 * (the kernel has no ethtool netlink family), PF_RING_ERROR_INVALID_ARGUMENT
 * (a NULL or too long name) or PF_RING_ERROR_GENERIC, with the reason in
 * errbuf (may be NULL).
 */
int pfring_get_device_facts(const char *ifname, pfring_device_facts *facts,
			    char *errbuf, size_t errbuf_len);

/* RX channels (queues) of the ring's first device, as PF_RING: 1 when not
 * known (a device without ethtool channels, a ZC cluster queue), at most 255. */
u_int8_t pfring_get_num_rx_channels(pfring *ring);
/* Link speed of the ring's first device in Mb/s, as PF_RING: 0 when not
 * known (no link, or a device that reports none). */
u_int32_t pfring_get_interface_speed(pfring *ring);

/* The size of pfring_open_multichannel()'s array, as PF_RING's. */
#define MAX_NUM_RX_CHANNELS 64
/*
 * One ring per RX channel of a device, as PF_RING: device_name names one
 * device ("eth0", "pfring:eth0", "zc:eth0"; an "@queue" is ignored), whose
 * channels 0..N-1 (pfring_get_num_rx_channels(), at most
 * MAX_NUM_RX_CHANNELS) are opened as pfring_open("<name>@<channel>").
 * Returns how many rings were opened, into ring[0..n-1]: fewer than N when
 * an open failed (that channel and the ones after it are not opened), 0 when
 * the name is not one device or the first open failed.
 */
u_int8_t pfring_open_multichannel(const char *device_name, u_int32_t caplen,
				  u_int32_t flags, pfring *ring[MAX_NUM_RX_CHANNELS]);

#ifdef __cplusplus
}
#endif

#endif /* PFRING_H */
