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

typedef enum {
	cluster_per_flow = 0,         /* <vlan, proto, src ip, src port, dst ip, dst port> */
	cluster_round_robin,
	cluster_per_flow_2_tuple,     /* <src ip, dst ip> */
	cluster_per_flow_4_tuple,     /* <src ip, src port, dst ip, dst port> */
	cluster_per_flow_5_tuple,     /* <proto, src ip, src port, dst ip, dst port> */
	cluster_per_flow_tcp_5_tuple, /* 5-tuple for TCP, 2-tuple otherwise */
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
 * and wait_for_incoming_packet is 0, negative on error.
 */
int pfring_recv(pfring *ring, u_char **buffer, u_int buffer_len,
		struct pfring_pkthdr *hdr, uint8_t wait_for_incoming_packet);
int pfring_loop(pfring *ring, pfringProcesssPacket looper,
		const u_char *user_bytes, uint8_t wait_for_packet);
void pfring_breakloop(pfring *ring);
/* Wait up to wait_ms (-1 = forever) for packets; 1 = readable, 0 = timeout. */
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

/* Text of the last error on this ring. */
const char *pfring_last_error(pfring *ring);

#ifdef __cplusplus
}
#endif

#endif /* PFRING_H */
