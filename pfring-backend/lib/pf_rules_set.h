/*
 * pf_rules_set.h - a ring's filtering rules at run time.
 *
 * Evaluated in the kernel by the rules eBPF program when it can be loaded
 * (root / CAP_BPF), else here in user space with the same shared matching
 * code (common/pf_rules.h).  Either way this object holds the rules, keeps
 * the kernel's maps in step and answers for counters.
 *
 * An engine whose own kernel side runs the rules (the pf_ring module) hands
 * a struct pf_rules_kernel instead: the set then keeps the wildcard rules
 * and the policy, passes every change on, and asks it for counters.
 */
#ifndef PF_RULES_SET_H
#define PF_RULES_SET_H

#include <stddef.h>
#include <stdint.h>

#include "pf_rule_syntax.h"

struct pf_rules_set;

/*
 * The kernel copy an engine owns.  ctx is the engine's.  0 (purge_idle: how
 * many were removed) on success, -1 with errno on failure.
 */
struct pf_rules_kernel {
	/* The whole wildcard table, by id; counters of ids kept carry over. */
	int (*set_rules)(void *ctx, const struct pf_rule *rules, uint32_t n);
	int (*set_default)(void *ctx, int drop);
	int (*hash)(void *ctx, const struct pf_hash_key *key, const struct pf_hash_rule *rule,
		    int add);
	int (*stats)(void *ctx, uint16_t id, struct pf_rule_stats *st);
	int (*hash_stats)(void *ctx, const struct pf_hash_key *key, struct pf_hash_rule *out);
	int (*purge_idle)(void *ctx, unsigned int idle_sec);
};

/*
 * From a configured rule set.  force_user: do not try the kernel program
 * (tests).  When the kernel program cannot be loaded the rules run in user
 * space and notice says why; err is for real failures.
 */
struct pf_rules_set *pf_rules_set_create(const struct pf_rule_config *rc, int force_user,
					 char *notice, size_t noticelen,
					 char *err, size_t errlen);
/* From a configured rule set, run by the engine's kernel (see above). */
struct pf_rules_set *pf_rules_set_create_kernel(const struct pf_rule_config *rc,
						const struct pf_rules_kernel *k, void *ctx,
						char *err, size_t errlen);
void pf_rules_set_destroy(struct pf_rules_set *rs);

/* 1 if a kernel (the eBPF program or the engine's) runs the rules, else 0. */
int pf_rules_set_in_kernel(const struct pf_rules_set *rs);

/* Hand the wildcard rules and the policy to the engine's kernel again. */
int pf_rules_set_sync(struct pf_rules_set *rs);

/* The socket filter to attach, or -1 when the rules run in user space. */
int pf_rules_set_prog_fd(const struct pf_rules_set *rs);

/* What the kernel program also enforces: caplen, direction (0 both, 1 rx,
 * 2 tx), RX queue (-1 any). */
int pf_rules_set_params(struct pf_rules_set *rs, uint32_t caplen, int direction, int queue);
/* How the devices number that queue: see pf_engine_queue_from_tx(). */
int pf_rules_set_queue_from_tx(struct pf_rules_set *rs, int from_tx);

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

/* User-space verdict, counting matches: 1 keep, 0 drop.  len: frame length.
 * With the engine's kernel running the rules, a packet it delivered has
 * passed them already: 1. */
int pf_rules_set_verdict(struct pf_rules_set *rs, const unsigned char *pkt,
			 uint32_t caplen, uint32_t len);

#endif /* PF_RULES_SET_H */
