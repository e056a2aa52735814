/*
 * pf_rule_syntax.c - parse filtering rule lines (see pf_rule_syntax.h).
 */
#include "pf_rule_syntax.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 64
#define MAX_WORDS 40

struct words {
	int n;
	char w[MAX_WORDS][WORD_MAX];
};

void
pf_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Split on blanks; a double-quoted word keeps its blanks (payload "GET /"). */
static int
split(const char *line, struct words *ws, char *err, size_t errlen)
{
	const char *p = line;
	size_t n;

	ws->n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			return 0;
		if (ws->n == MAX_WORDS) {
			pf_set_err(err, errlen, "too many words (max %d)", MAX_WORDS);
			return -1;
		}
		n = 0;
		if (*p == '"') {
			ws->w[ws->n][n++] = *p++;
			while (*p != '\0' && *p != '"' && n < WORD_MAX - 2)
				ws->w[ws->n][n++] = *p++;
			if (*p != '"') {
				pf_set_err(err, errlen, "unterminated or too long quoted text");
				return -1;
			}
			ws->w[ws->n][n++] = *p++;
		} else {
			while (*p != '\0' && *p != ' ' && *p != '\t') {
				if (n == WORD_MAX - 1) {
					pf_set_err(err, errlen, "word too long: '%.20s...'", p - n);
					return -1;
				}
				ws->w[ws->n][n++] = *p++;
			}
		}
		ws->w[ws->n][n] = '\0';
		ws->n++;
	}
}

static int
parse_num(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int
pf_rule_parse_address(const char *s, pf_u32 ip[4], int *version)
{
	unsigned char b[16];
	int i;

	memset(ip, 0, 4 * sizeof(ip[0]));
	if (inet_pton(AF_INET, s, b) == 1) {
		ip[0] = ((pf_u32)b[0] << 24) | ((pf_u32)b[1] << 16) | ((pf_u32)b[2] << 8) | b[3];
		*version = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) == 1) {
		for (i = 0; i < 4; i++)
			ip[i] = ((pf_u32)b[4 * i] << 24) | ((pf_u32)b[4 * i + 1] << 16) |
				((pf_u32)b[4 * i + 2] << 8) | b[4 * i + 3];
		*version = 6;
		return 0;
	}
	return -1;
}

/* "10.0.0.0/8", "2001:db8::/32" or a host. */
static int
parse_prefix(const char *s, pf_u32 ip[4], pf_u32 mask[4], int *version)
{
	char buf[WORD_MAX];
	char *slash;
	unsigned long len;
	int i, bits;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (pf_rule_parse_address(buf, ip, version) < 0)
		return -1;
	bits = *version == 4 ? 32 : 128;
	len = (unsigned long)bits;
	if (slash != NULL && parse_num(slash + 1, (unsigned long)bits, &len) < 0)
		return -1;
	for (i = 0; i < 4; i++) {
		int word_bits = (int)len - 32 * i;

		if (word_bits >= 32)
			mask[i] = 0xffffffffu;
		else if (word_bits <= 0)
			mask[i] = 0;
		else
			mask[i] = 0xffffffffu << (32 - word_bits);
		ip[i] &= mask[i];
	}
	return 0;
}

static int
parse_port_range(const char *s, pf_u16 *lo, pf_u16 *hi)
{
	char buf[WORD_MAX];
	char *dash;
	unsigned long a, b;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (parse_num(buf, 65535, &a) < 0)
		return -1;
	b = a;
	if (dash != NULL && parse_num(dash + 1, 65535, &b) < 0)
		return -1;
	if (b < a || b == 0)
		return -1;
	*lo = (pf_u16)a;
	*hi = (pf_u16)b;
	return 0;
}

static int
parse_mac(const char *s, pf_u8 mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 || strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (pf_u8)b[i];
	return 0;
}

static int
parse_proto(const char *s, pf_u8 *proto)
{
	static const struct {
		const char *name;
		pf_u8 num;
	} names[] = {
		{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
		{ "icmp6", 58 }, { "sctp", 132 },
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*proto = names[i].num;
			return 0;
		}
	}
	if (parse_num(s, 255, &v) < 0 || v == 0)
		return -1;
	*proto = (pf_u8)v;
	return 0;
}

/* "GET /" in quotes, or 0x-prefixed hex bytes. */
static int
parse_pattern(const char *s, pf_u8 *pat, pf_u8 *len)
{
	size_t n = strlen(s), i;
	unsigned int b;

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		if (n - 2 == 0 || n - 2 > PF_RULE_PATTERN_MAX)
			return -1;
		memcpy(pat, s + 1, n - 2);
		*len = (pf_u8)(n - 2);
		return 0;
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && n % 2 == 0 &&
	    (n - 2) / 2 <= PF_RULE_PATTERN_MAX) {
		for (i = 0; i < (n - 2) / 2; i++) {
			if (sscanf(s + 2 + 2 * i, "%2x", &b) != 1 ||
			    !strchr("0123456789abcdefABCDEF", s[2 + 2 * i]) ||
			    !strchr("0123456789abcdefABCDEF", s[3 + 2 * i]))
				return -1;
			pat[i] = (pf_u8)b;
		}
		*len = (pf_u8)((n - 2) / 2);
		return 0;
	}
	return -1;
}

static int
parse_action(const char *s, pf_u8 *action)
{
	if (strcmp(s, "pass") == 0)
		*action = PF_RULE_PASS;
	else if (strcmp(s, "drop") == 0)
		*action = PF_RULE_DROP;
	else if (strcmp(s, "count") == 0)
		*action = PF_RULE_CONTINUE;
	else
		return -1;
	return 0;
}

void
pf_rule_config_init(struct pf_rule_config *rc)
{
	memset(rc, 0, sizeof(*rc));
}

int
pf_rule_line_kind(const char *line)
{
	static const char *const words[] = { "rule", "hash", "default" };
	size_t i, n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (strncmp(line, words[i], n) == 0 &&
		    (line[n] == '\0' || line[n] == ' ' || line[n] == '\t'))
			return 1;
	}
	return 0;
}

int
pf_rule_config_add(struct pf_rule_config *rc, const struct pf_rule *r,
		   char *err, size_t errlen)
{
	unsigned int i, at;

	for (i = 0; i < rc->n_rules; i++) {
		if (rc->rules[i].id == r->id) {
			pf_set_err(err, errlen, "rule %u: id used twice", r->id);
			return -1;
		}
	}
	if (rc->n_rules == PF_RULES_MAX) {
		pf_set_err(err, errlen, "rule %u: too many rules (max %d)", r->id, PF_RULES_MAX);
		return -1;
	}
	for (at = 0; at < rc->n_rules && rc->rules[at].id < r->id; at++)
		;
	memmove(&rc->rules[at + 1], &rc->rules[at],
		(rc->n_rules - at) * sizeof(rc->rules[0]));
	rc->rules[at] = *r;
	rc->n_rules++;
	return 0;
}

static int
set_version(struct pf_rule *r, int version, const char *what, char *err, size_t errlen)
{
	if (r->ip_version != 0 && r->ip_version != version) {
		pf_set_err(err, errlen, "rule %u: %s mixes IPv4 and IPv6", r->id, what);
		return -1;
	}
	r->ip_version = (pf_u8)version;
	return 0;
}

static int
parse_wildcard(const struct words *ws, struct pf_rule_config *rc, char *err, size_t errlen)
{
	struct pf_rule r;
	unsigned long v;
	int i, version;

	memset(&r, 0, sizeof(r));
	if (ws->n < 3 || parse_num(ws->w[1], 65535, &v) < 0) {
		pf_set_err(err, errlen, "expected 'rule <id 0-65535> <pass|drop|count> [fields]'");
		return -1;
	}
	r.id = (pf_u16)v;
	if (parse_action(ws->w[2], &r.action) < 0) {
		pf_set_err(err, errlen, "rule %u: unknown action '%s' (pass, drop or count)",
			r.id, ws->w[2]);
		return -1;
	}
	for (i = 3; i < ws->n; i++) {
		const char *f = ws->w[i], *val = i + 1 < ws->n ? ws->w[i + 1] : NULL;
		int ok = -1;

		if (strcmp(f, "bidir") == 0) {
			r.flags |= PF_RULE_F_BIDIR;
			continue;
		}
		if (strcmp(f, "ipv4") == 0 || strcmp(f, "ipv6") == 0) {
			if (set_version(&r, f[3] == '4' ? 4 : 6, f, err, errlen) < 0)
				return -1;
			continue;
		}
		if (strcmp(f, "proto") && strcmp(f, "src") && strcmp(f, "dst") &&
		    strcmp(f, "src-port") && strcmp(f, "dst-port") && strcmp(f, "src-mac") &&
		    strcmp(f, "dst-mac") && strcmp(f, "vlan") && strcmp(f, "payload") &&
		    strcmp(f, "balance")) {
			pf_set_err(err, errlen, "rule %u: unknown field '%s'", r.id, f);
			return -1;
		}
		if (val == NULL) {
			pf_set_err(err, errlen, "rule %u: missing value for '%s'", r.id, f);
			return -1;
		}
		i++;
		if (strcmp(f, "proto") == 0) {
			ok = parse_proto(val, &r.proto);
		} else if (strcmp(f, "src") == 0 || strcmp(f, "dst") == 0) {
			int is_src = f[0] == 's';

			ok = parse_prefix(val, is_src ? r.src_ip : r.dst_ip,
					  is_src ? r.src_mask : r.dst_mask, &version);
			if (ok == 0 && set_version(&r, version, f, err, errlen) < 0)
				return -1;
		} else if (strcmp(f, "src-port") == 0) {
			ok = parse_port_range(val, &r.src_port_lo, &r.src_port_hi);
		} else if (strcmp(f, "dst-port") == 0) {
			ok = parse_port_range(val, &r.dst_port_lo, &r.dst_port_hi);
		} else if (strcmp(f, "src-mac") == 0) {
			ok = parse_mac(val, r.src_mac);
		} else if (strcmp(f, "dst-mac") == 0) {
			ok = parse_mac(val, r.dst_mac);
		} else if (strcmp(f, "vlan") == 0) {
			ok = parse_num(val, 4095, &v);
			if (ok == 0 && v == 0)
				ok = -1;
			r.vlan_id = (pf_u16)v;
		} else if (strcmp(f, "payload") == 0) {
			ok = parse_pattern(val, r.pattern, &r.pattern_len);
		} else if (strcmp(f, "balance") == 0) {
			unsigned int id, pool;
			char tail;

			if (sscanf(val, "%u/%u%c", &id, &pool, &tail) == 2 && pool >= 1 &&
			    pool <= 255 && id < pool) {
				r.balance_id = (pf_u8)id;
				r.balance_pool = (pf_u8)pool;
				ok = 0;
			}
		}
		if (ok < 0) {
			pf_set_err(err, errlen, "rule %u: bad value '%s' for '%s'", r.id, val, f);
			return -1;
		}
	}
	return pf_rule_config_add(rc, &r, err, errlen);
}

/* "10.0.0.1:80" or "[2001:db8::1]:80". */
static int
parse_endpoint(const char *s, pf_u32 ip[4], pf_u16 *port, int *version)
{
	char buf[WORD_MAX];
	char *addr, *port_text, *mark;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[0] == '[') {
		mark = strchr(buf, ']');
		if (mark == NULL || mark[1] != ':')
			return -1;
		*mark = '\0';
		addr = buf + 1;
		port_text = mark + 2;
	} else {
		mark = strrchr(buf, ':');
		if (mark == NULL)
			return -1;
		*mark = '\0';
		addr = buf;
		port_text = mark + 1;
	}
	if (parse_num(port_text, 65535, &v) < 0)
		return -1;
	*port = (pf_u16)v;
	return pf_rule_parse_address(addr, ip, version);
}

static int
parse_hash(const struct words *ws, struct pf_rule_config *rc, char *err, size_t errlen)
{
	struct pf_hash_rule_entry e;
	unsigned long v;
	int i, va, vb;

	memset(&e, 0, sizeof(e));
	if (ws->n < 6 || parse_num(ws->w[1], 65535, &v) < 0) {
		pf_set_err(err, errlen, "expected 'hash <id> <pass|drop|count> <proto> <ip>:<port> "
			"<ip>:<port> [vlan <id>] [bidir]'");
		return -1;
	}
	e.rule.id = (pf_u16)v;
	if (parse_action(ws->w[2], &e.rule.action) < 0) {
		pf_set_err(err, errlen, "hash %u: unknown action '%s' (pass, drop or count)",
			e.rule.id, ws->w[2]);
		return -1;
	}
	if (parse_proto(ws->w[3], &e.key.proto) < 0) {
		pf_set_err(err, errlen, "hash %u: bad protocol '%s'", e.rule.id, ws->w[3]);
		return -1;
	}
	if (parse_endpoint(ws->w[4], e.key.src_ip, &e.key.src_port, &va) < 0 ||
	    parse_endpoint(ws->w[5], e.key.dst_ip, &e.key.dst_port, &vb) < 0 || va != vb) {
		pf_set_err(err, errlen, "hash %u: bad endpoints '%s' '%s' (ip:port, [ipv6]:port)",
			e.rule.id, ws->w[4], ws->w[5]);
		return -1;
	}
	for (i = 6; i < ws->n; i++) {
		if (strcmp(ws->w[i], "bidir") == 0) {
			e.rule.flags |= PF_RULE_F_BIDIR;
		} else if (strcmp(ws->w[i], "vlan") == 0 && i + 1 < ws->n &&
			   parse_num(ws->w[i + 1], 4095, &v) == 0 && v != 0) {
			e.key.vlan_id = (pf_u16)v;
			i++;
		} else {
			pf_set_err(err, errlen, "hash %u: unexpected '%s'", e.rule.id, ws->w[i]);
			return -1;
		}
	}
	for (i = 0; i < (int)rc->n_hash; i++) {
		if (rc->hash[i].rule.id == e.rule.id ||
		    memcmp(&rc->hash[i].key, &e.key, sizeof(e.key)) == 0) {
			pf_set_err(err, errlen, "hash %u: id or flow used twice", e.rule.id);
			return -1;
		}
	}
	if (rc->n_hash == PF_CONFIG_HASH_RULES_MAX) {
		pf_set_err(err, errlen, "hash %u: too many hash rules in configuration (max %d)",
			e.rule.id, PF_CONFIG_HASH_RULES_MAX);
		return -1;
	}
	rc->hash[rc->n_hash++] = e;
	return 0;
}

int
pf_rule_line_parse(const char *line, struct pf_rule_config *rc, char *err, size_t errlen)
{
	struct words *ws;
	int rc_val = -1;

	ws = malloc(sizeof(*ws));
	if (ws == NULL) {
		pf_set_err(err, errlen, "out of memory");
		return -1;
	}
	if (split(line, ws, err, errlen) < 0)
		goto out;
	if (ws->n == 0) {
		pf_set_err(err, errlen, "empty rule");
		goto out;
	}
	if (strcmp(ws->w[0], "rule") == 0) {
		rc_val = parse_wildcard(ws, rc, err, errlen);
	} else if (strcmp(ws->w[0], "hash") == 0) {
		rc_val = parse_hash(ws, rc, err, errlen);
	} else if (strcmp(ws->w[0], "default") == 0) {
		if (ws->n == 2 && (strcmp(ws->w[1], "pass") == 0 || strcmp(ws->w[1], "drop") == 0)) {
			rc->has_default = 1;
			rc->default_drop = strcmp(ws->w[1], "drop") == 0;
			rc_val = 0;
		} else {
			pf_set_err(err, errlen, "expected 'default pass' or 'default drop'");
		}
	} else {
		pf_set_err(err, errlen, "unknown rule kind '%s' (rule, hash or default)", ws->w[0]);
	}
out:
	free(ws);
	return rc_val;
}
