/*
 * pf_rules_set.c - a ring's filtering rules: kernel maps, an engine's own
 * kernel copy, or user space.
 */
#include "pf_rules_set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pf_bpf.h"

/* User-space hash rules: open addressing, twice the most rules allowed. */
#define HASH_TABLE_SIZE (2 * PF_HASH_RULES_MAX)

struct hash_slot {
	int used;
	struct pf_hash_key key;
	struct pf_hash_rule rule;
};

struct pf_rules_set {
	struct bpf_object *obj;            /* NULL: rules run in user space */
	int prog_fd, conf_fd, rules_fd, stats_fd, hash_fd;
	struct pf_rules_conf conf;
	struct pf_rule rules[PF_RULES_MAX];        /* by id, as in the kernel's slots */
	struct pf_rule_stats stats[PF_RULES_MAX];  /* user space's counters */
	struct hash_slot *table;                   /* user space's hash rules */
	const struct pf_rules_kernel *k;           /* the engine's kernel runs them */
	void *k_ctx;
};

static uint64_t
monotonic_ns(void)
{
	struct timespec ts;

	/* The clock bpf_ktime_get_ns() reads, so idle times compare. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
in_kernel(const struct pf_rules_set *rs)
{
	return rs->obj != NULL;
}

static int
sync_conf(struct pf_rules_set *rs)
{
	uint32_t zero = 0;

	if (rs->k != NULL)
		return rs->k->set_default(rs->k_ctx, rs->conf.default_drop);
	if (!in_kernel(rs))
		return 0;
	return bpf_map_update_elem(rs->conf_fd, &zero, &rs->conf, BPF_ANY) ? -1 : 0;
}

/* The kernel's per-slot counters, into rs->stats before slots move. */
static void
fetch_stats(struct pf_rules_set *rs)
{
	uint32_t i;

	if (!in_kernel(rs))
		return;
	for (i = 0; i < rs->conf.n_rules; i++)
		bpf_map_lookup_elem(rs->stats_fd, &i, &rs->stats[i]);
}

/*
 * Write rules and counters slot by slot.  n_rules shrinks first and grows
 * last, so the program never reads a slot being rewritten as live.
 */
static int
sync_rules(struct pf_rules_set *rs, uint32_t n)
{
	uint32_t i;

	if (rs->k != NULL) {
		rs->conf.n_rules = n;
		return rs->k->set_rules(rs->k_ctx, rs->rules, n);
	}
	if (!in_kernel(rs)) {
		rs->conf.n_rules = n;
		return 0;
	}
	rs->conf.n_rules = 0;
	if (sync_conf(rs) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (bpf_map_update_elem(rs->rules_fd, &i, &rs->rules[i], BPF_ANY) ||
		    bpf_map_update_elem(rs->stats_fd, &i, &rs->stats[i], BPF_ANY))
			return -1;
	}
	rs->conf.n_rules = n;
	return sync_conf(rs);
}

static uint32_t
key_hash(const struct pf_hash_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The slot holding key, or the free slot where it would go. */
static struct hash_slot *
table_find(struct pf_rules_set *rs, const struct pf_hash_key *k)
{
	uint32_t i = key_hash(k) % HASH_TABLE_SIZE, n;

	for (n = 0; n < HASH_TABLE_SIZE; n++, i = (i + 1) % HASH_TABLE_SIZE) {
		if (!rs->table[i].used || memcmp(&rs->table[i].key, k, sizeof(*k)) == 0)
			return &rs->table[i];
	}
	return NULL;
}

/* Removal in linear probing: re-place the entries after the hole. */
static void
table_remove(struct pf_rules_set *rs, struct hash_slot *s)
{
	uint32_t i = (uint32_t)(s - rs->table), j;
	struct hash_slot moved;

	s->used = 0;
	for (j = (i + 1) % HASH_TABLE_SIZE; rs->table[j].used; j = (j + 1) % HASH_TABLE_SIZE) {
		moved = rs->table[j];
		rs->table[j].used = 0;
		*table_find(rs, &moved.key) = moved;
	}
}

/* The rules of rc into a set whose evaluator is chosen already. */
static int
load_config(struct pf_rules_set *rs, const struct pf_rule_config *rc, char *err, size_t errlen)
{
	unsigned int i;

	memcpy(rs->rules, rc->rules, rc->n_rules * sizeof(rc->rules[0]));
	if (sync_rules(rs, rc->n_rules) < 0 || sync_conf(rs) < 0) {
		snprintf(err, errlen, "writing the rules %s: %s",
			 rs->k != NULL ? "to the kernel" : "map", strerror(errno));
		return -1;
	}
	for (i = 0; i < rc->n_hash; i++) {
		if (pf_rules_set_hash(rs, &rc->hash[i].key, &rc->hash[i].rule, 1) < 0) {
			snprintf(err, errlen, "hash rule %u: %s", rc->hash[i].rule.id, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static struct pf_rules_set *
new_set(const struct pf_rule_config *rc, char *err, size_t errlen)
{
	struct pf_rules_set *rs = calloc(1, sizeof(*rs));

	if (rs == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rs->prog_fd = rs->conf_fd = rs->rules_fd = rs->stats_fd = rs->hash_fd = -1;
	rs->conf.default_drop = rc->has_default && rc->default_drop;
	return rs;
}

struct pf_rules_set *
pf_rules_set_create_kernel(const struct pf_rule_config *rc, const struct pf_rules_kernel *k,
			   void *ctx, char *err, size_t errlen)
{
	struct pf_rules_set *rs = new_set(rc, err, errlen);

	if (rs == NULL)
		return NULL;
	rs->k = k;
	rs->k_ctx = ctx;
	if (load_config(rs, rc, err, errlen) < 0) {
		pf_rules_set_destroy(rs);
		return NULL;
	}
	return rs;
}

struct pf_rules_set *
pf_rules_set_create(const struct pf_rule_config *rc, int force_user,
		    char *notice, size_t noticelen, char *err, size_t errlen)
{
	struct pf_rules_set *rs;
	char why[256];

	notice[0] = '\0';
	rs = new_set(rc, err, errlen);
	if (rs == NULL)
		return NULL;
	if (!force_user) {
		rs->obj = pf_bpf_load(pf_rules_bpf_obj, (size_t)pf_rules_bpf_obj_size, "pf_rules",
				      "pf_rules_filter", &rs->prog_fd, why, sizeof(why));
		if (rs->obj == NULL)
			snprintf(notice, noticelen,
				 "filtering rules run in user space: %s", why);
	}
	if (in_kernel(rs)) {
		rs->conf_fd = bpf_object__find_map_fd_by_name(rs->obj, "pf_rules_conf");
		rs->rules_fd = bpf_object__find_map_fd_by_name(rs->obj, "pf_rules");
		rs->stats_fd = bpf_object__find_map_fd_by_name(rs->obj, "pf_rule_stats");
		rs->hash_fd = bpf_object__find_map_fd_by_name(rs->obj, "pf_hash_rules");
		if (rs->conf_fd < 0 || rs->rules_fd < 0 || rs->stats_fd < 0 || rs->hash_fd < 0) {
			snprintf(err, errlen, "the rules eBPF object lacks its maps");
			goto fail;
		}
	} else {
		rs->table = calloc(HASH_TABLE_SIZE, sizeof(*rs->table));
		if (rs->table == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (load_config(rs, rc, err, errlen) < 0)
		goto fail;
	return rs;
fail:
	pf_rules_set_destroy(rs);
	return NULL;
}

void
pf_rules_set_destroy(struct pf_rules_set *rs)
{
	if (rs == NULL)
		return;
	if (rs->obj != NULL)
		bpf_object__close(rs->obj);
	free(rs->table);
	free(rs);
}

int
pf_rules_set_in_kernel(const struct pf_rules_set *rs)
{
	return rs->k != NULL || in_kernel(rs);
}

int
pf_rules_set_sync(struct pf_rules_set *rs)
{
	if (rs->k == NULL)
		return 0;
	return sync_rules(rs, rs->conf.n_rules) < 0 || sync_conf(rs) < 0 ? -1 : 0;
}

int
pf_rules_set_prog_fd(const struct pf_rules_set *rs)
{
	return in_kernel(rs) ? rs->prog_fd : -1;
}

int
pf_rules_set_params(struct pf_rules_set *rs, uint32_t caplen, int direction, int queue)
{
	rs->conf.caplen = caplen;
	rs->conf.direction = (pf_u8)direction;
	rs->conf.queue_plus1 = queue < 0 ? 0 : (uint32_t)queue + 1;
	/* The engine's kernel does these itself. */
	return rs->k != NULL ? 0 : sync_conf(rs);
}

int
pf_rules_set_queue_from_tx(struct pf_rules_set *rs, int from_tx)
{
	rs->conf.queue_from_tx = from_tx != 0;
	return rs->k != NULL ? 0 : sync_conf(rs);
}

int
pf_rules_set_add(struct pf_rules_set *rs, const struct pf_rule *r, char *err, size_t errlen)
{
	uint32_t n = rs->conf.n_rules, at, i;

	for (i = 0; i < n; i++) {
		if (rs->rules[i].id == r->id) {
			snprintf(err, errlen, "rule %u exists already", r->id);
			return -1;
		}
	}
	if (n == PF_RULES_MAX) {
		snprintf(err, errlen, "too many rules (max %d)", PF_RULES_MAX);
		return -1;
	}
	fetch_stats(rs);
	for (at = 0; at < n && rs->rules[at].id < r->id; at++)
		;
	memmove(&rs->rules[at + 1], &rs->rules[at], (n - at) * sizeof(rs->rules[0]));
	memmove(&rs->stats[at + 1], &rs->stats[at], (n - at) * sizeof(rs->stats[0]));
	rs->rules[at] = *r;
	memset(&rs->stats[at], 0, sizeof(rs->stats[at]));
	if (sync_rules(rs, n + 1) < 0) {
		snprintf(err, errlen, "writing the rules %s: %s",
			 rs->k != NULL ? "to the kernel" : "map", strerror(errno));
		return -1;
	}
	return 0;
}

int
pf_rules_set_remove(struct pf_rules_set *rs, uint16_t id)
{
	uint32_t n = rs->conf.n_rules, i;

	for (i = 0; i < n && rs->rules[i].id != id; i++)
		;
	if (i == n)
		return -1;
	fetch_stats(rs);
	memmove(&rs->rules[i], &rs->rules[i + 1], (n - i - 1) * sizeof(rs->rules[0]));
	memmove(&rs->stats[i], &rs->stats[i + 1], (n - i - 1) * sizeof(rs->stats[0]));
	return sync_rules(rs, n - 1);
}

int
pf_rules_set_hash(struct pf_rules_set *rs, const struct pf_hash_key *key,
		  const struct pf_hash_rule *rule, int add)
{
	struct pf_hash_rule v;
	struct hash_slot *s;

	if (add) {
		v = *rule;
		v.packets = v.bytes = 0;
		v.last_match_ns = monotonic_ns(); /* idle counts from now */
	}
	if (rs->k != NULL) {
		return rs->k->hash(rs->k_ctx, key, add ? &v : NULL, add);
	}
	if (in_kernel(rs)) {
		if (add) {
			if (bpf_map_update_elem(rs->hash_fd, key, &v, BPF_NOEXIST) == 0)
				rs->conf.n_hash_rules++;
			else if (errno != EEXIST ||
				 bpf_map_update_elem(rs->hash_fd, key, &v, BPF_EXIST))
				return -1;
			return sync_conf(rs);
		}
		if (bpf_map_delete_elem(rs->hash_fd, key))
			return -1;
		if (rs->conf.n_hash_rules > 0)
			rs->conf.n_hash_rules--;
		return sync_conf(rs);
	}
	s = table_find(rs, key);
	if (add) {
		if (s == NULL || (!s->used && rs->conf.n_hash_rules >= PF_HASH_RULES_MAX)) {
			errno = ENOSPC;
			return -1;
		}
		if (!s->used)
			rs->conf.n_hash_rules++;
		s->used = 1;
		s->key = *key;
		s->rule = v;
		return 0;
	}
	if (s == NULL || !s->used) {
		errno = ENOENT;
		return -1;
	}
	table_remove(rs, s);
	rs->conf.n_hash_rules--;
	return 0;
}

int
pf_rules_set_default(struct pf_rules_set *rs, int drop)
{
	rs->conf.default_drop = drop != 0;
	return sync_conf(rs);
}

int
pf_rules_set_stats(struct pf_rules_set *rs, uint16_t id, struct pf_rule_stats *st)
{
	uint32_t i;

	for (i = 0; i < rs->conf.n_rules; i++) {
		if (rs->rules[i].id != id)
			continue;
		if (rs->k != NULL)
			return rs->k->stats(rs->k_ctx, id, st);
		if (in_kernel(rs))
			return bpf_map_lookup_elem(rs->stats_fd, &i, st) ? -1 : 0;
		*st = rs->stats[i];
		return 0;
	}
	return -1;
}

int
pf_rules_set_hash_stats(struct pf_rules_set *rs, const struct pf_hash_key *key,
			struct pf_hash_rule *out)
{
	struct hash_slot *s;

	if (rs->k != NULL)
		return rs->k->hash_stats(rs->k_ctx, key, out);
	if (in_kernel(rs))
		return bpf_map_lookup_elem(rs->hash_fd, key, out) ? -1 : 0;
	s = table_find(rs, key);
	if (s == NULL || !s->used)
		return -1;
	*out = s->rule;
	return 0;
}

int
pf_rules_set_purge_idle(struct pf_rules_set *rs, unsigned int idle_sec)
{
	uint64_t now = monotonic_ns(), limit = (uint64_t)idle_sec * 1000000000ull;
	struct pf_hash_key key, next;
	struct pf_hash_rule v;
	int purged = 0, more;
	uint32_t i;

	if (rs->k != NULL)
		return rs->k->purge_idle(rs->k_ctx, idle_sec);
	if (!in_kernel(rs)) {
		for (i = 0; i < HASH_TABLE_SIZE; i++) {
			/* Re-placing after a removal may move an entry into i: look again. */
			while (rs->table[i].used && now - rs->table[i].rule.last_match_ns >= limit) {
				table_remove(rs, &rs->table[i]);
				rs->conf.n_hash_rules--;
				purged++;
			}
		}
		return purged;
	}
	more = bpf_map_get_next_key(rs->hash_fd, NULL, &key) == 0;
	while (more) {
		more = bpf_map_get_next_key(rs->hash_fd, &key, &next) == 0;
		if (bpf_map_lookup_elem(rs->hash_fd, &key, &v) == 0 &&
		    now - v.last_match_ns >= limit &&
		    bpf_map_delete_elem(rs->hash_fd, &key) == 0) {
			purged++;
			rs->conf.n_hash_rules--;
		}
		key = next;
	}
	if (purged > 0)
		sync_conf(rs);
	return purged;
}

int
pf_rules_set_verdict(struct pf_rules_set *rs, const unsigned char *pkt,
		     uint32_t caplen, uint32_t len)
{
	struct pf_flow_buf b = { pkt, caplen, 0, 0 };
	struct pf_hash_key key;
	struct hash_slot *s;
	struct pf_flow f;
	int drop = rs->conf.default_drop;
	uint32_t i, flow_hash;

	if (rs->k != NULL)
		return 1;
	pf_flow_parse(&b, &f);
	if (rs->conf.n_hash_rules != 0 && (f.flags & PF_FLOW_F_L3)) {
		pf_hash_key_of(&f, 0, &key);
		s = table_find(rs, &key);
		if (s == NULL || !s->used) {
			pf_hash_key_of(&f, 1, &key);
			s = table_find(rs, &key);
			if (s != NULL && s->used && !(s->rule.flags & PF_RULE_F_BIDIR))
				s = NULL;
		}
		if (s != NULL && s->used) {
			s->rule.packets++;
			s->rule.bytes += len;
			s->rule.last_match_ns = monotonic_ns();
			if (pf_rule_decide(s->rule.action, &drop))
				return !drop;
		}
	}
	flow_hash = pf_flow_hash(&f, PF_FLOW_PER_FLOW);
	for (i = 0; i < rs->conf.n_rules; i++) {
		if (!pf_rule_match(&b, &f, &rs->rules[i], flow_hash))
			continue;
		rs->stats[i].packets++;
		rs->stats[i].bytes += len;
		if (pf_rule_decide(rs->rules[i].action, &drop))
			break;
	}
	return !drop;
}
