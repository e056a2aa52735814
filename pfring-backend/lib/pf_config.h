/*
 * pf_config.h - configuration of one ring: config files and environment
 * variables, merged into one struct pf_config.  Device names: pf_devname.h.
 *
 * Precedence, lowest first (each later source overrides the earlier ones,
 * key by key): built-in defaults, the file named by PFRING_CONFIG, the
 * environment (PCAP_PF_RING_* aliases, then PFRING_*), the per-handle file
 * named in the device ("pfring/<path>:<dev>").  The most specific source wins.
 */
#ifndef PF_CONFIG_H
#define PF_CONFIG_H

#include <stddef.h>
#include <limits.h>

#include "pfring.h"
#include "pf_rule_syntax.h"

/* Devices one ring reads at most (a "pfring:eth0,eth1" list). */
#define PF_MAX_DEVICES PFRING_MAX_DEVICES
#define PF_ERRBUF_SIZE PFRING_ERRBUF_SIZE
#define PF_APPNAME_MAX 64

enum pf_engine_choice {
	PF_ENGINE_AUTO = 0,
	PF_ENGINE_PACKET,
	PF_ENGINE_KMOD,
};

/* Bit per key, so merging knows which keys a source set. */
enum pf_config_key {
	PF_KEY_CLUSTER      = 1 << 0,
	PF_KEY_CLUSTER_TYPE = 1 << 1,
	PF_KEY_RX_SLOTS     = 1 << 2,
	PF_KEY_CAPLEN       = 1 << 3,
	PF_KEY_SAMPLING     = 1 << 4,
	PF_KEY_DIRECTION    = 1 << 5,
	PF_KEY_WATERMARK    = 1 << 6,
	PF_KEY_APPNAME      = 1 << 7,
	PF_KEY_ENGINE       = 1 << 8,
	PF_KEY_RULES        = 1 << 9,  /* rule and hash lines: a source's set replaces */
	PF_KEY_DEFAULT      = 1 << 10, /* default pass|drop */
	PF_KEY_XDP_ALLOW_DEFAULT_ROUTE = 1 << 11,
};

struct pf_config {
	unsigned int set;              /* enum pf_config_key bits given explicitly */
	unsigned int cluster_id;       /* 0 = no cluster */
	cluster_type cluster_type;     /* default cluster_per_flow */
	unsigned int rx_slots;         /* default 4096 */
	unsigned int caplen;           /* 0 = the application's snaplen */
	unsigned int sampling_rate;    /* 1 = every packet */
	packet_direction direction;    /* default rx_and_tx_direction */
	unsigned int watermark;        /* packets before poll() wakes; default 1 */
	char appname[PF_APPNAME_MAX];
	enum pf_engine_choice engine;
	struct pf_rule_config rules;   /* filtering rules; none by default */
	/* zc:IF may capture on the interface holding a default route (AF_XDP
	 * takes its received packets from the host); default 0: refused. */
	int xdp_allow_default_route;
};

void pf_config_defaults(struct pf_config *cfg);

/*
 * Parse the text of a config file (name is used in messages as
 * "name:line: ..."), applying keys over cfg.  Returns 0 or -1 with err set.
 */
int pf_config_parse_text(const char *name, const char *text, size_t len,
			 struct pf_config *cfg, char *err, size_t errlen);
/* Read and parse a file; a missing or unreadable file is an error naming it. */
int pf_config_parse_file(const char *path, struct pf_config *cfg,
			 char *err, size_t errlen);

/*
 * Apply environment variables from envp-style lookups (getenv is passed in
 * so tests need not touch the real environment).  Returns 0 or -1 with err
 * naming the variable and the bad value.
 */
typedef const char *(*pf_getenv_fn)(const char *name);
int pf_config_apply_env(struct pf_config *cfg, pf_getenv_fn get,
			char *err, size_t errlen);

/*
 * The whole merge for one handle: defaults, PFRING_CONFIG, environment, then
 * handle_file (NULL for none).
 */
int pf_config_load(struct pf_config *cfg, const char *handle_file,
		   pf_getenv_fn get, char *err, size_t errlen);

/* "per_flow" / "round_robin" / "2_tuple" ... <-> cluster_type.  -1 if
 * unknown; a type with no name is "unknown", so it can always be printed. */
int pf_cluster_type_from_name(const char *name);
const char *pf_cluster_type_name(cluster_type t);
/* 1 if t is a cluster type the library implements. */
int pf_cluster_type_known(cluster_type t);


#endif /* PF_CONFIG_H */
