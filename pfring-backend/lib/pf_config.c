/*
 * pf_config.c - config files and environment variables.
 *
 * Every source (one file, or the environment) is parsed into a fresh struct
 * and only the keys it set are merged into the caller's, so a source never
 * resets a key it does not mention, and a failed parse leaves the caller's
 * struct as it was.
 */
#include "pf_config.h"
#include "pf_text.h"
#include "pf_ring_abi.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Config files are a few dozen short lines; the caps keep hostile input cheap. */
#define PF_LINE_MAX 1024
#define PF_FILE_MAX (1024 * 1024)
#define APPNAME_LEN (PF_APPNAME_MAX - 1)

/* strerror() may share a static buffer between threads; glibc's GNU
 * strerror_r returns a pointer, the XSI one an int. */
static const char *errno_text(int e, char *buf, size_t len)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, len);
#else
	if (strerror_r(e, buf, len) != 0)
		snprintf(buf, len, "error %d", e);
	return buf;
#endif
}

/* ---- cluster types ------------------------------------------------------ */

static const struct {
	cluster_type type;
	const char *name;      /* canonical short name */
	const char *pf_name;   /* PF_RING's enum spelling */
} cluster_names[] = {
	{ cluster_per_flow,             "per_flow",    "cluster_per_flow" },
	{ cluster_round_robin,          "round_robin", "cluster_round_robin" },
	{ cluster_per_flow_2_tuple,     "2_tuple",     "cluster_per_flow_2_tuple" },
	{ cluster_per_flow_4_tuple,     "4_tuple",     "cluster_per_flow_4_tuple" },
	{ cluster_per_flow_5_tuple,     "5_tuple",     "cluster_per_flow_5_tuple" },
	{ cluster_per_flow_tcp_5_tuple, "tcp_5_tuple", "cluster_per_flow_tcp_5_tuple" },
	{ cluster_per_inner_flow,       "inner_flow",  "cluster_per_inner_flow" },
	{ cluster_per_inner_flow_2_tuple, "inner_2_tuple", "cluster_per_inner_flow_2_tuple" },
	{ cluster_per_inner_flow_4_tuple, "inner_4_tuple", "cluster_per_inner_flow_4_tuple" },
	{ cluster_per_inner_flow_5_tuple, "inner_5_tuple", "cluster_per_inner_flow_5_tuple" },
	{ cluster_per_inner_flow_tcp_5_tuple, "inner_tcp_5_tuple",
	  "cluster_per_inner_flow_tcp_5_tuple" },
	{ cluster_per_flow_ip_5_tuple,  "ip_5_tuple",  "cluster_per_flow_ip_5_tuple" },
	{ cluster_per_inner_flow_ip_5_tuple, "inner_ip_5_tuple",
	  "cluster_per_inner_flow_ip_5_tuple" },
	{ cluster_per_flow_ip_with_dup_tuple, "ip_with_dup_tuple",
	  "cluster_per_flow_ip_with_dup_tuple" },
};
#define N_CLUSTER_NAMES (sizeof(cluster_names) / sizeof(cluster_names[0]))

#define CLUSTER_VALID "per_flow, round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, " \
	"ip_5_tuple, ip_with_dup_tuple, or inner_ + flow, 2_tuple, 4_tuple, 5_tuple, " \
	"tcp_5_tuple, ip_5_tuple"

int pf_cluster_type_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < N_CLUSTER_NAMES; i++) {
		if (strcmp(name, cluster_names[i].name) == 0 ||
		    strcmp(name, cluster_names[i].pf_name) == 0)
			return (int)cluster_names[i].type;
	}
	return -1;
}

/* Index of t in cluster_names, or -1. */
static int cluster_index(cluster_type t)
{
	size_t i;

	for (i = 0; i < N_CLUSTER_NAMES; i++) {
		if (cluster_names[i].type == t)
			return (int)i;
	}
	return -1;
}

const char *pf_cluster_type_name(cluster_type t)
{
	int i = cluster_index(t);

	return i < 0 ? "unknown" : cluster_names[i].name;
}

int pf_cluster_type_known(cluster_type t)
{
	return cluster_index(t) >= 0;
}

/* ---- defaults and merging ----------------------------------------------- */

void pf_config_defaults(struct pf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->set = 0;
	cfg->cluster_id = 0;
	cfg->cluster_type = cluster_per_flow;
	cfg->rx_slots = 4096;
	cfg->caplen = 0;
	cfg->sampling_rate = 1;
	cfg->direction = rx_and_tx_direction;
	cfg->watermark = 1;
	cfg->appname[0] = '\0';
	cfg->engine = PF_ENGINE_AUTO;
	cfg->xdp_allow_default_route = 0;
	pf_rule_config_init(&cfg->rules);
}

/* Copy into dst only the keys src set: the per-key override of the header. */
static void merge(struct pf_config *dst, const struct pf_config *src)
{
	unsigned int s = src->set;

	if (s & PF_KEY_CLUSTER)
		dst->cluster_id = src->cluster_id;
	if (s & PF_KEY_CLUSTER_TYPE)
		dst->cluster_type = src->cluster_type;
	if (s & PF_KEY_RX_SLOTS)
		dst->rx_slots = src->rx_slots;
	if (s & PF_KEY_CAPLEN)
		dst->caplen = src->caplen;
	if (s & PF_KEY_SAMPLING)
		dst->sampling_rate = src->sampling_rate;
	if (s & PF_KEY_DIRECTION)
		dst->direction = src->direction;
	if (s & PF_KEY_WATERMARK)
		dst->watermark = src->watermark;
	if (s & PF_KEY_APPNAME)
		memcpy(dst->appname, src->appname, sizeof(dst->appname));
	if (s & PF_KEY_RULES) {
		dst->rules.n_rules = src->rules.n_rules;
		memcpy(dst->rules.rules, src->rules.rules, sizeof(src->rules.rules));
		dst->rules.n_hash = src->rules.n_hash;
		memcpy(dst->rules.hash, src->rules.hash, sizeof(src->rules.hash));
	}
	if (s & PF_KEY_DEFAULT) {
		dst->rules.has_default = 1;
		dst->rules.default_drop = src->rules.default_drop;
	}
	if (s & PF_KEY_ENGINE)
		dst->engine = src->engine;
	if (s & PF_KEY_XDP_ALLOW_DEFAULT_ROUTE)
		dst->xdp_allow_default_route = src->xdp_allow_default_route;
	dst->set |= s;
}

/* ---- keys ---------------------------------------------------------------- */

/*
 * Why a value was refused.  Most problems read "bad value 'v' for 'key':
 * <why>"; a few (unknown cluster type) read better as a sentence of their
 * own, which is what 'whole' says.  The file and environment callers add
 * their own prefixes.
 */
struct value_error {
	int whole;
	char why[272];
};

enum key_kind { K_NUMBER, K_CLUSTER_TYPE, K_DIRECTION, K_APPNAME, K_ENGINE, K_BOOL };

struct key_def {
	const char *name;      /* config file key */
	const char *env;       /* PFRING_* variable */
	unsigned int bit;
	enum key_kind kind;
	unsigned long min, max;
};

static const struct key_def keys[] = {
	{ "cluster",      "PFRING_CLUSTER",      PF_KEY_CLUSTER,      K_NUMBER, 1, PF_RING_MAX_CLUSTER_ID },
	{ "cluster_type", "PFRING_CLUSTER_TYPE", PF_KEY_CLUSTER_TYPE, K_CLUSTER_TYPE, 0, 0 },
	{ "rx_slots",     "PFRING_RX_SLOTS",     PF_KEY_RX_SLOTS,     K_NUMBER, 1, 1048576 },
	{ "caplen",       "PFRING_CAPLEN",       PF_KEY_CAPLEN,       K_NUMBER, 1, 262144 },
	{ "sampling",     "PFRING_SAMPLING",     PF_KEY_SAMPLING,     K_NUMBER, 1, 16777216 },
	{ "direction",    "PFRING_DIRECTION",    PF_KEY_DIRECTION,    K_DIRECTION, 0, 0 },
	{ "watermark",    "PFRING_WATERMARK",    PF_KEY_WATERMARK,    K_NUMBER, 1, UINT16_MAX },
	{ "appname",      "PFRING_APPNAME",      PF_KEY_APPNAME,      K_APPNAME, 0, 0 },
	{ "engine",       "PFRING_ENGINE",       PF_KEY_ENGINE,       K_ENGINE, 0, 0 },
	{ "xdp_allow_default_route", "PFRING_XDP_ALLOW_DEFAULT_ROUTE",
	  PF_KEY_XDP_ALLOW_DEFAULT_ROUTE, K_BOOL, 0, 0 },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key_def *find_key(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

static const struct key_def *find_key_bit(unsigned int bit)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if (keys[i].bit == bit)
			return &keys[i];
	}
	return NULL;
}

static void store_number(struct pf_config *cfg, unsigned int bit, unsigned int v)
{
	switch (bit) {
	case PF_KEY_CLUSTER:   cfg->cluster_id = v; break;
	case PF_KEY_RX_SLOTS:  cfg->rx_slots = v; break;
	case PF_KEY_CAPLEN:    cfg->caplen = v; break;
	case PF_KEY_SAMPLING:  cfg->sampling_rate = v; break;
	case PF_KEY_WATERMARK: cfg->watermark = v; break;
	default: break;
	}
}

static void store_bool(struct pf_config *cfg, unsigned int bit, int v)
{
	if (bit == PF_KEY_XDP_ALLOW_DEFAULT_ROUTE)
		cfg->xdp_allow_default_route = v;
}

/* Parse val (already trimmed, non-empty) for key k and store it in cfg. */
static int set_value(const struct key_def *k, const char *val,
		     struct pf_config *cfg, struct value_error *ve)
{
	char shown[PF_SHOW_BUF];
	unsigned long v;
	int r;

	ve->whole = 0;
	ve->why[0] = '\0';

	switch (k->kind) {
	case K_NUMBER:
		r = pf_parse_udec(val, k->max, &v);
		if (r == -1) {
			snprintf(ve->why, sizeof(ve->why), "not a number");
			return -1;
		}
		if (r == -2 || v < k->min) {
			snprintf(ve->why, sizeof(ve->why), "must be %lu..%lu",
				 k->min, k->max);
			return -1;
		}
		store_number(cfg, k->bit, (unsigned int)v);
		break;

	case K_CLUSTER_TYPE:
		r = pf_cluster_type_from_name(val);
		if (r < 0) {
			pf_show_str(shown, sizeof(shown), val);
			ve->whole = 1;
			snprintf(ve->why, sizeof(ve->why),
				 "unknown cluster type '%s' (valid: " CLUSTER_VALID ")",
				 shown);
			return -1;
		}
		cfg->cluster_type = (cluster_type)r;
		break;

	case K_DIRECTION:
		if (strcmp(val, "rx") == 0 || strcmp(val, "in") == 0)
			cfg->direction = rx_only_direction;
		else if (strcmp(val, "tx") == 0 || strcmp(val, "out") == 0)
			cfg->direction = tx_only_direction;
		else if (strcmp(val, "both") == 0 || strcmp(val, "inout") == 0)
			cfg->direction = rx_and_tx_direction;
		else {
			snprintf(ve->why, sizeof(ve->why),
				 "must be rx, in, tx, out, both or inout");
			return -1;
		}
		break;

	case K_APPNAME: {
		size_t i, n = strlen(val);

		if (n > APPNAME_LEN) {
			snprintf(ve->why, sizeof(ve->why),
				 "longer than %d characters", APPNAME_LEN);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (!pf_is_print(val[i])) {
				snprintf(ve->why, sizeof(ve->why),
					 "only printable characters are allowed");
				return -1;
			}
		}
		memcpy(cfg->appname, val, n + 1);
		break;
	}

	case K_ENGINE:
		if (strcmp(val, "auto") == 0)
			cfg->engine = PF_ENGINE_AUTO;
		else if (strcmp(val, "packet") == 0)
			cfg->engine = PF_ENGINE_PACKET;
		else if (strcmp(val, "kmod") == 0)
			cfg->engine = PF_ENGINE_KMOD;
		else {
			snprintf(ve->why, sizeof(ve->why),
				 "must be auto, packet or kmod");
			return -1;
		}
		break;

	case K_BOOL:
		/* Only the one bit: a typo must not pass for "no". */
		if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0) {
			snprintf(ve->why, sizeof(ve->why), "must be 0 or 1");
			return -1;
		}
		store_bool(cfg, k->bit, val[0] == '1');
		break;
	}
	cfg->set |= k->bit;
	return 0;
}

/* ---- config file text ---------------------------------------------------- */

struct line_ctx {
	const char *name;      /* file name for messages */
	unsigned int lineno;
	struct pf_config *cfg; /* fresh struct this source fills */
	char *err;
	size_t errlen;
};

/* "rule", "hash" and "default" lines: see pf_rule_syntax.h. */
static int line_rule(struct line_ctx *lc, char *line)
{
	char why[PF_ERRBUF_SIZE];

	if (pf_rule_line_parse(line, &lc->cfg->rules, why, sizeof(why)) < 0) {
		pf_set_err(lc->err, lc->errlen, "%s:%u: %s", lc->name, lc->lineno, why);
		return -1;
	}
	lc->cfg->set |= strncmp(line, "default", 7) == 0 ? PF_KEY_DEFAULT : PF_KEY_RULES;
	return 0;
}

static int line_key_value(struct line_ctx *lc, char *line)
{
	char shown_key[PF_SHOW_BUF], shown_val[PF_SHOW_BUF];
	const struct key_def *k;
	struct value_error ve;
	char *key = line, *p, *val, *end;

	/* key: one word, then '=' (blanks allowed around it) */
	for (p = key; *p && *p != '=' && !pf_is_space(*p); p++)
		;
	end = p;
	while (pf_is_space(*p))
		p++;
	if (end == key || *p != '=') {
		pf_set_err(lc->err, lc->errlen, "%s:%u: expected 'key = value'",
			lc->name, lc->lineno);
		return -1;
	}
	*end = '\0';
	val = p + 1;
	while (pf_is_space(*val))
		val++;
	/* trailing blanks were trimmed by the caller */

	k = find_key(key);
	if (k == NULL) {
		pf_show_str(shown_key, sizeof(shown_key), key);
		pf_set_err(lc->err, lc->errlen, "%s:%u: unknown key '%s'",
			lc->name, lc->lineno, shown_key);
		return -1;
	}
	if (*val == '\0') {
		pf_set_err(lc->err, lc->errlen, "%s:%u: missing value for '%s'",
			lc->name, lc->lineno, k->name);
		return -1;
	}
	if (set_value(k, val, lc->cfg, &ve) < 0) {
		if (ve.whole) {
			pf_set_err(lc->err, lc->errlen, "%s:%u: %s",
				lc->name, lc->lineno, ve.why);
		} else {
			pf_show_str(shown_val, sizeof(shown_val), val);
			pf_set_err(lc->err, lc->errlen,
				"%s:%u: bad value '%s' for '%s': %s",
				lc->name, lc->lineno, shown_val, k->name, ve.why);
		}
		return -1;
	}
	return 0;
}

/* Dispatch on the first word of a line; anything not listed is key = value. */
static const struct {
	const char *word;
	int (*handler)(struct line_ctx *lc, char *line);
} line_kinds[] = {
	{ "rule",    line_rule },
	{ "hash",    line_rule },
	{ "default", line_rule },
};
#define N_LINE_KINDS (sizeof(line_kinds) / sizeof(line_kinds[0]))

static int parse_line(struct line_ctx *lc, char *line)
{
	size_t i, wlen;
	char *p;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	/* trim both ends */
	while (pf_is_space(*line))
		line++;
	p = line + strlen(line);
	while (p > line && pf_is_space(p[-1]))
		*--p = '\0';
	if (*line == '\0')
		return 0;

	for (wlen = 0; line[wlen] && !pf_is_space(line[wlen]) && line[wlen] != '='; wlen++)
		;
	for (i = 0; i < N_LINE_KINDS; i++) {
		if (strlen(line_kinds[i].word) == wlen &&
		    strncmp(line, line_kinds[i].word, wlen) == 0)
			return line_kinds[i].handler(lc, line);
	}
	return line_key_value(lc, line);
}

int pf_config_parse_text(const char *name, const char *text, size_t len,
			 struct pf_config *cfg, char *err, size_t errlen)
{
	struct pf_config fresh;
	struct line_ctx lc;
	char line[PF_LINE_MAX + 1];
	size_t pos = 0;

	if (name == NULL)
		name = "(config)";
	if (text == NULL)
		len = 0;
	pf_config_defaults(&fresh);
	lc.name = name;
	lc.lineno = 0;
	lc.cfg = &fresh;
	lc.err = err;
	lc.errlen = errlen;

	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;

		pos += n + (nl ? 1 : 0);
		lc.lineno++;
		/* CRLF files: the CR is not part of the line */
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n > PF_LINE_MAX) {
			pf_set_err(err, errlen, "%s:%u: line too long (max %d characters)",
				name, lc.lineno, PF_LINE_MAX);
			return -1;
		}
		if (memchr(start, '\0', n) != NULL) {
			pf_set_err(err, errlen, "%s:%u: NUL byte in line", name, lc.lineno);
			return -1;
		}
		memcpy(line, start, n);
		line[n] = '\0';
		if (parse_line(&lc, line) < 0)
			return -1;
	}
	merge(cfg, &fresh);
	return 0;
}

int pf_config_parse_file(const char *path, struct pf_config *cfg,
			 char *err, size_t errlen)
{
	char ebuf[128];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int rc;

	if (path == NULL || *path == '\0') {
		pf_set_err(err, errlen, "empty config file name");
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		int e = errno;
		pf_set_err(err, errlen, "cannot open config file '%s': %s",
			path, errno_text(e, ebuf, sizeof(ebuf)));
		return -1;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (cap >= PF_FILE_MAX) {
				pf_set_err(err, errlen,
					"config file '%s' is too large (max %d bytes)",
					path, PF_FILE_MAX);
				goto fail;
			}
			cap = cap ? cap * 2 : 4096;
			/* one byte over the cap tells "exactly max" from "more" */
			if (cap > PF_FILE_MAX)
				cap = PF_FILE_MAX + 1;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				pf_set_err(err, errlen, "cannot read config file '%s': %s",
					path, errno_text(ENOMEM, ebuf, sizeof(ebuf)));
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				int e = errno;
				pf_set_err(err, errlen, "cannot read config file '%s': %s",
					path, errno_text(e, ebuf, sizeof(ebuf)));
				goto fail;
			}
			break;
		}
		if (len > PF_FILE_MAX) {
			pf_set_err(err, errlen,
				"config file '%s' is too large (max %d bytes)",
				path, PF_FILE_MAX);
			goto fail;
		}
	}
	fclose(f);
	rc = pf_config_parse_text(path, buf, len, cfg, err, errlen);
	free(buf);
	return rc;

fail:
	fclose(f);
	free(buf);
	return -1;
}

/* ---- environment --------------------------------------------------------- */

static const char *env_value(pf_getenv_fn get, const char *var)
{
	const char *v = get ? get(var) : NULL;

	/* an empty variable counts as unset, as with most shells' "VAR= cmd" */
	return (v != NULL && *v != '\0') ? v : NULL;
}

static int env_set(const char *var, const struct key_def *k, const char *val,
		   struct pf_config *cfg, char *err, size_t errlen)
{
	char shown[PF_SHOW_BUF];
	struct value_error ve;

	if (set_value(k, val, cfg, &ve) == 0)
		return 0;
	if (ve.whole) {
		pf_set_err(err, errlen, "%s: %s", var, ve.why);
	} else {
		pf_show_str(shown, sizeof(shown), val);
		pf_set_err(err, errlen, "%s: bad value '%s': %s", var, shown, ve.why);
	}
	return -1;
}

/* PF_RING's libpcap variables; read before ours so PFRING_* wins. */
static const struct {
	const char *var;
	unsigned int bit;      /* key whose grammar the value follows */
} env_aliases[] = {
	{ "PCAP_PF_RING_CLUSTER_ID", PF_KEY_CLUSTER },
	{ "PCAP_PF_RING_APPNAME",    PF_KEY_APPNAME },
};

/* Flag variables: any non-empty value other than "0" selects the type.
 * Later entries win, so a specific tuple flag beats the plain per-flow one. */
static const struct {
	const char *var;
	cluster_type type;
} env_cluster_flags[] = {
	{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW",             cluster_per_flow },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_2_TUPLE",     cluster_per_flow_2_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE",     cluster_per_flow_4_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_5_TUPLE",     cluster_per_flow_5_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_TCP_5_TUPLE", cluster_per_flow_tcp_5_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_ROUNDROBIN",           cluster_round_robin },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW",       cluster_per_inner_flow },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_2_TUPLE", cluster_per_inner_flow_2_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_4_TUPLE", cluster_per_inner_flow_4_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_5_TUPLE", cluster_per_inner_flow_5_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_TCP_5_TUPLE",
	  cluster_per_inner_flow_tcp_5_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_IP_5_TUPLE",  cluster_per_flow_ip_5_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_IP_5_TUPLE",
	  cluster_per_inner_flow_ip_5_tuple },
	{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_IP_WITH_DUP_TUPLE",
	  cluster_per_flow_ip_with_dup_tuple },
};

/* PFRING_RULES: rule lines separated by ';'. */
static int env_rules(const char *text, struct pf_config *cfg, char *err, size_t errlen)
{
	char line[PF_LINE_MAX + 1], why[PF_ERRBUF_SIZE];
	const char *next = text, *end, *start;
	unsigned int n = 0;
	size_t len;

	while (*next != '\0') {
		end = strchr(next, ';');
		len = end ? (size_t)(end - next) : strlen(next);
		n++;
		if (len > PF_LINE_MAX) {
			pf_set_err(err, errlen, "PFRING_RULES: rule line %u is too long", n);
			return -1;
		}
		memcpy(line, next, len);
		line[len] = '\0';
		next = end ? end + 1 : next + len;
		while (len > 0 && pf_is_space(line[len - 1]))
			line[--len] = '\0';
		for (start = line; pf_is_space(*start); start++)
			;
		if (*start == '\0')
			continue;
		if (pf_rule_line_parse(start, &cfg->rules, why, sizeof(why)) < 0) {
			pf_set_err(err, errlen, "PFRING_RULES: rule line %u: %s", n, why);
			return -1;
		}
		cfg->set |= strncmp(start, "default", 7) == 0 ? PF_KEY_DEFAULT : PF_KEY_RULES;
	}
	return 0;
}

int pf_config_apply_env(struct pf_config *cfg, pf_getenv_fn get,
			char *err, size_t errlen)
{
	struct pf_config fresh;
	const char *v;
	size_t i;

	pf_config_defaults(&fresh);

	for (i = 0; i < sizeof(env_aliases) / sizeof(env_aliases[0]); i++) {
		v = env_value(get, env_aliases[i].var);
		if (v && env_set(env_aliases[i].var, find_key_bit(env_aliases[i].bit),
				 v, &fresh, err, errlen) < 0)
			return -1;
	}
	for (i = 0; i < sizeof(env_cluster_flags) / sizeof(env_cluster_flags[0]); i++) {
		v = env_value(get, env_cluster_flags[i].var);
		if (v && strcmp(v, "0") != 0) {
			fresh.cluster_type = env_cluster_flags[i].type;
			fresh.set |= PF_KEY_CLUSTER_TYPE;
		}
	}
	for (i = 0; i < N_KEYS; i++) {
		v = env_value(get, keys[i].env);
		if (v && env_set(keys[i].env, &keys[i], v, &fresh, err, errlen) < 0)
			return -1;
	}
	v = env_value(get, "PFRING_RULES");
	if (v && env_rules(v, &fresh, err, errlen) < 0)
		return -1;
	merge(cfg, &fresh);
	return 0;
}

/* ---- the whole merge ------------------------------------------------------ */

int pf_config_load(struct pf_config *cfg, const char *handle_file,
		   pf_getenv_fn get, char *err, size_t errlen)
{
	struct pf_config c;
	const char *global;

	pf_config_defaults(&c);
	global = env_value(get, "PFRING_CONFIG");
	if (global && pf_config_parse_file(global, &c, err, errlen) < 0)
		return -1;
	if (pf_config_apply_env(&c, get, err, errlen) < 0)
		return -1;
	if (handle_file && pf_config_parse_file(handle_file, &c, err, errlen) < 0)
		return -1;
	*cfg = c;
	return 0;
}
