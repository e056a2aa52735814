/*
 * pf_rule_syntax.h - filtering rules as users write them, in config files
 * and PFRING_RULES:
 *
 *   rule 10 drop proto udp dst-port 53
 *   rule 20 pass src 10.0.0.0/8 dst-port 1000-2000
 *   rule 30 count vlan 100 payload "GET "
 *   hash 5 pass tcp 10.0.0.1:1234 10.0.0.2:80 bidir
 *   default drop
 *
 * See pfring-config(7) for the whole grammar.
 */
#ifndef PF_RULE_SYNTAX_H
#define PF_RULE_SYNTAX_H

#include <stddef.h>

#include "pf_flow.h"
#include "pf_rules.h"

/* Hash rules given in configuration (the API may add up to PF_HASH_RULES_MAX). */
#define PF_CONFIG_HASH_RULES_MAX 64

struct pf_hash_rule_entry {
	struct pf_hash_key key;
	struct pf_hash_rule rule;
};

struct pf_rule_config {
	unsigned int n_rules;             /* sorted by id */
	struct pf_rule rules[PF_RULES_MAX];
	unsigned int n_hash;
	struct pf_hash_rule_entry hash[PF_CONFIG_HASH_RULES_MAX];
	int has_default;
	int default_drop;
};

void pf_rule_config_init(struct pf_rule_config *rc);

/* 1 if the line's first word starts a rule line ("rule", "hash", "default"). */
int pf_rule_line_kind(const char *line);

/*
 * Parse one rule line into rc.  On error returns -1 and writes a message
 * without location ("rule 10: unknown field 'dstport'") to err.
 */
int pf_rule_line_parse(const char *line, struct pf_rule_config *rc,
		       char *err, size_t errlen);

/* Insert a wildcard rule in id order; -1 with err if full or the id is taken. */
int pf_rule_config_add(struct pf_rule_config *rc, const struct pf_rule *r,
		       char *err, size_t errlen);

/* Hash key of a rule written as src and dst endpoints. */
int pf_rule_parse_address(const char *s, pf_u32 ip[4], int *version);

/* printf into err (errlen bytes; err NULL: nothing), for this parser and the
 * config parser that hands its lines here. */
void pf_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PF_RULE_SYNTAX_H */
