/*
 * pf_api_rules.c - the filtering-rule part of the libpfring API.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pf_ring.h"

int
pf_ring_rules_init(pfring *ring, const struct pf_rule_config *rc)
{
	char err[PF_ERRBUF_SIZE];
	int direction;

	if (rc->n_rules == 0 && rc->n_hash == 0 && !rc->has_default)
		return 0;
	/* An engine with a kernel copy of its own runs them there; engines that
	 * cannot attach the rules program get them in user space. */
	if (ring->ops->rules_kernel != NULL)
		ring->rules = pf_rules_set_create_kernel(rc, ring->ops->rules_kernel, ring,
							 err, sizeof(err));
	else
		ring->rules = pf_rules_set_create(rc, ring->ops->rules_changed == NULL,
						  ring->notice, sizeof(ring->notice),
						  err, sizeof(err));
	if (ring->rules == NULL)
		return pf_ring_error(ring, PF_RING_ERROR_GENERIC, "filtering rules: %s", err);
	if (ring->ops->rules_changed == NULL)
		snprintf(ring->notice, sizeof(ring->notice),
			 "filtering rules run in user space: the %s engine does not run them",
			 pfring_get_engine_name(ring));
	direction = ring->cfg.direction == rx_only_direction ? 1 :
		ring->cfg.direction == tx_only_direction ? 2 : 0;
	pf_rules_set_params(ring->rules, ring->params.caplen, direction, ring->devs.queue);
	if (ring->enabled && ring->ops->rules_changed != NULL &&
	    ring->ops->rules_changed(ring) < 0) {
		pf_rules_set_destroy(ring->rules);
		ring->rules = NULL;
		return PF_RING_ERROR_INVALID_STATE;
	}
	return 0;
}

/* The rule set, created empty (default accept) on first use. */
static struct pf_rules_set *
rules_of(pfring *ring)
{
	struct pf_rule_config empty;

	if (ring->rules == NULL) {
		pf_rule_config_init(&empty);
		empty.has_default = 1;
		if (pf_ring_rules_init(ring, &empty) < 0)
			return NULL;
	}
	return ring->rules;
}

static uint8_t
action_of(rule_action_behaviour a)
{
	switch (a) {
	case dont_forward_packet_and_stop_rule_evaluation:
		return PF_RULE_DROP;
	case execute_action_and_continue_rule_evaluation:
		return PF_RULE_CONTINUE;
	case forward_packet_and_stop_rule_evaluation:
	default:
		return PF_RULE_PASS;
	}
}

/* An address in the words of struct pf_flow. */
static void
ip_words(const ip_addr *a, int version, pf_u32 w[4])
{
	int i;

	memset(w, 0, 4 * sizeof(w[0]));
	if (version == 4) {
		w[0] = a->v4;
		return;
	}
	for (i = 0; i < 4; i++)
		w[i] = ((pf_u32)a->v6[4 * i] << 24) | ((pf_u32)a->v6[4 * i + 1] << 16) |
			((pf_u32)a->v6[4 * i + 2] << 8) | a->v6[4 * i + 3];
}

static int
valid_action(rule_action_behaviour a)
{
	return a == forward_packet_and_stop_rule_evaluation ||
		a == dont_forward_packet_and_stop_rule_evaluation ||
		a == execute_action_and_continue_rule_evaluation;
}

int
pfring_add_filtering_rule(pfring *ring, filtering_rule *rule)
{
	const struct filtering_rule_core_fields *c;
	struct pf_rules_set *rs;
	char err[PF_ERRBUF_SIZE];
	struct pf_rule r;
	int i;

	if (ring == NULL || rule == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	c = &rule->core_fields;
	if (!valid_action(rule->rule_action) ||
	    (c->ip_version != 0 && c->ip_version != 4 && c->ip_version != 6) ||
	    c->sport_low > c->sport_high || c->dport_low > c->dport_high ||
	    rule->extended_fields.payload_len > FILTERING_PATTERN_MAX ||
	    (rule->balance_pool != 0 && rule->balance_id >= rule->balance_pool) ||
	    c->vlan_id > 4095)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "filtering rule %u: invalid field", rule->rule_id);
	memset(&r, 0, sizeof(r));
	r.id = rule->rule_id;
	r.action = action_of(rule->rule_action);
	r.flags = rule->bidirectional ? PF_RULE_F_BIDIR : 0;
	r.ip_version = c->ip_version;
	r.proto = c->proto;
	r.vlan_id = c->vlan_id;
	memcpy(r.src_mac, c->smac, 6);
	memcpy(r.dst_mac, c->dmac, 6);
	ip_words(&c->shost, c->ip_version, r.src_ip);
	ip_words(&c->shost_mask, c->ip_version, r.src_mask);
	ip_words(&c->dhost, c->ip_version, r.dst_ip);
	ip_words(&c->dhost_mask, c->ip_version, r.dst_mask);
	for (i = 0; i < 4; i++) {
		r.src_ip[i] &= r.src_mask[i];
		r.dst_ip[i] &= r.dst_mask[i];
	}
	r.src_port_lo = c->sport_low;
	r.src_port_hi = c->sport_high;
	r.dst_port_lo = c->dport_low;
	r.dst_port_hi = c->dport_high;
	r.balance_id = rule->balance_id;
	r.balance_pool = rule->balance_pool;
	r.pattern_len = rule->extended_fields.payload_len;
	memcpy(r.pattern, rule->extended_fields.payload_pattern, r.pattern_len);
	rs = rules_of(ring);
	if (rs == NULL)
		return PF_RING_ERROR_GENERIC;
	if (pf_rules_set_add(rs, &r, err, sizeof(err)) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT, "%s", err);
	return 0;
}

int
pfring_remove_filtering_rule(pfring *ring, uint16_t rule_id)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (ring->rules == NULL || pf_rules_set_remove(ring->rules, rule_id) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "no filtering rule %u", rule_id);
	return 0;
}

static int
hash_key_of(pfring *ring, const hash_filtering_rule *h, struct pf_hash_key *k)
{
	if (h->ip_version != 4 && h->ip_version != 6)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "hash rule %u: ip_version must be 4 or 6", h->rule_id);
	memset(k, 0, sizeof(*k));
	ip_words(&h->host_peer_a, h->ip_version, k->src_ip);
	ip_words(&h->host_peer_b, h->ip_version, k->dst_ip);
	k->src_port = h->port_peer_a;
	k->dst_port = h->port_peer_b;
	k->vlan_id = h->vlan_id;
	k->proto = h->proto;
	return 0;
}

int
pfring_handle_hash_filtering_rule(pfring *ring, hash_filtering_rule *rule, u_char add_rule)
{
	struct pf_rules_set *rs;
	struct pf_hash_key key;
	struct pf_hash_rule v;

	if (ring == NULL || rule == NULL || !valid_action(rule->rule_action))
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (hash_key_of(ring, rule, &key) < 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	memset(&v, 0, sizeof(v));
	v.id = rule->rule_id;
	v.action = action_of(rule->rule_action);
	v.flags = rule->bidirectional ? PF_RULE_F_BIDIR : 0;
	rs = add_rule ? rules_of(ring) : ring->rules;
	if (rs == NULL || pf_rules_set_hash(rs, &key, &v, add_rule) < 0)
		return pf_ring_error(ring, add_rule ? PF_RING_ERROR_GENERIC : PF_RING_ERROR_INVALID_ARGUMENT,
				     add_rule ? "cannot add hash rule %u" : "no such hash rule %u",
				     rule->rule_id);
	return 0;
}

int
pfring_get_filtering_rule_stats(pfring *ring, uint16_t rule_id, pfring_rule_stats *stats)
{
	struct pf_rule_stats st;

	if (ring == NULL || stats == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (ring->rules == NULL || pf_rules_set_stats(ring->rules, rule_id, &st) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "no filtering rule %u", rule_id);
	stats->matched_packets = st.packets;
	stats->matched_bytes = st.bytes;
	stats->inactivity_sec = 0;
	return 0;
}

int
pfring_get_hash_filtering_rule_stats(pfring *ring, hash_filtering_rule *rule,
				     pfring_rule_stats *stats)
{
	struct pf_hash_key key;
	struct pf_hash_rule v;
	struct timespec now;
	uint64_t now_ns;

	if (ring == NULL || rule == NULL || stats == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (hash_key_of(ring, rule, &key) < 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (ring->rules == NULL || pf_rules_set_hash_stats(ring->rules, &key, &v) < 0)
		return pf_ring_error(ring, PF_RING_ERROR_INVALID_ARGUMENT,
				     "no such hash rule %u", rule->rule_id);
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	stats->matched_packets = v.packets;
	stats->matched_bytes = v.bytes;
	stats->inactivity_sec = (uint32_t)((now_ns - v.last_match_ns) / 1000000000ull);
	return 0;
}

int
pfring_toggle_filtering_policy(pfring *ring, uint8_t rules_default_accept_policy)
{
	struct pf_rules_set *rs;

	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	rs = rules_of(ring);
	if (rs == NULL)
		return PF_RING_ERROR_GENERIC;
	pf_rules_set_default(rs, !rules_default_accept_policy);
	return 0;
}

int
pfring_purge_idle_hash_rules(pfring *ring, uint16_t inactivity_sec)
{
	if (ring == NULL)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	if (ring->rules == NULL)
		return 0;
	return pf_rules_set_purge_idle(ring->rules, inactivity_sec);
}

int
pfring_rules_in_kernel(pfring *ring)
{
	if (ring == NULL || ring->rules == NULL)
		return -1;
	return pf_rules_set_in_kernel(ring->rules);
}
