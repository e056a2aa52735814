/*
 * pf_rules_set.h - a ring's filtering rules at run time.
 *
 * Evaluated in the kernel by the rules eBPF program when it can be loaded
 * (root / CAP_BPF), else here in user space with the same shared matching
 * code (common/pf_rules.h).  Either way this object holds the rules, keeps
 * the kernel's maps in step and answers for counters.
 */
#ifndef PF_RULES_SET_H
#define PF_RULES_SET_H

#include <stddef.h>
#include <stdint.h>

#include "pf_rule_syntax.h"

struct pf_rules_set;

/*
 * From a configured rule set.  force_user: do not try the kernel program
 * (tests).  When the kernel program cannot be loaded the rules run in user
 * space and notice says why; err is for real failures.
 */
struct pf_rules_set *pf_rules_set_create(const struct pf_rule_config *rc, int force_user,
					 char *notice, size_t noticelen,
					 char *err, size_t errlen);
void pf_rules_set_destroy(struct pf_rules_set *rs);

/* The socket filter to attach, or -1 when the rules run in user space. */
int pf_rules_set_prog_fd(const struct pf_rules_set *rs);

/* What the kernel program also enforces: caplen, direction (0 both, 1 rx,
 * 2 tx), RX queue (-1 any). */
int pf_rules_set_params(struct pf_rules_set *rs, uint32_t caplen, int direction, int queue);

int pf_rules_set_add(struct pf_rules_set *rs, const struct pf_rule *r, char *err, size_t errlen);
int pf_rules_set_remove(struct pf_rules_set *rs, uint16_t id);
int pf_rules_set_hash(struct pf_rules_set *rs, const struct pf_hash_key *key,
		      const struct pf_hash_rule *rule, int add);
int pf_rules_set_default(struct pf_rules_set *rs, int drop);

/* Counters: 0, or -1 if there is no such rule. */
int pf_rules_set_stats(struct pf_rules_set *rs, uint16_t id, struct pf_rule_stats *st);
int pf_rules_set_hash_stats(struct pf_rules_set *rs, const struct pf_hash_key *key,
			    struct pf_hash_rule *out);

/* Remove hash rules idle for at least idle_sec; returns how many. */
int pf_rules_set_purge_idle(struct pf_rules_set *rs, unsigned int idle_sec);

/* User-space verdict, counting matches: 1 keep, 0 drop.  len: frame length. */
int pf_rules_set_verdict(struct pf_rules_set *rs, const unsigned char *pkt,
			 uint32_t caplen, uint32_t len);

#endif /* PF_RULES_SET_H */
