// SPDX-License-Identifier: GPL-2.0
/*
 * pf_ring.c - the PF_RING socket family.
 *
 * A socket binds to an interface (or "any"), gets a ring of fixed-size slots
 * that user space maps, and from then on one ETH_P_ALL handler copies every
 * matching frame into it.  Clusters spread frames over member sockets with
 * the flow hash of common/pf_flow.h, so a flow reaches the member index the
 * user-space engines compute.  The ABI is common/pf_ring_abi.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/if_packet.h>
#include <linux/skbuff.h>
#include <linux/filter.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/rculist.h>
#include <linux/sockptr.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/jhash.h>
#include <linux/hash.h>
#include <linux/overflow.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/ip.h>

#include "pf_ring_compat.h"

/* The shared parser reads the frame through the skb, from the MAC header. */
#define PF_FLOW_CTX_TYPE const struct sk_buff *
#define PF_FLOW_LOAD(ctx, off, dst, len) skb_copy_bits((ctx), (off), (dst), (len))
#define PF_FLOW_HWVLAN(ctx, tci_ptr) pfr_flow_hwvlan((ctx), (tci_ptr))

static inline int pfr_flow_hwvlan(const struct sk_buff *skb, u16 *tci)
{
	if (!skb_vlan_tag_present(skb))
		return 0;
	*tci = skb_vlan_tag_get(skb);
	return 1;
}

#include "pf_flow.h"
#include "pf_ring_abi.h"	/* after pf_flow.h: pf_rules.h uses its hooks */

#define PFR_MAX_MEMBERS 32

static unsigned int min_num_slots = 4096;
module_param(min_num_slots, uint, 0444);
MODULE_PARM_DESC(min_num_slots, "Minimum number of ring slots (default 4096)");

static bool enable_tx_capture = true;
module_param(enable_tx_capture, bool, 0444);
MODULE_PARM_DESC(enable_tx_capture, "Capture transmitted packets too (default 1)");

static bool enable_ip_defrag;
module_param(enable_ip_defrag, bool, 0444);
MODULE_PARM_DESC(enable_ip_defrag, "Reassemble IPv4 fragments before delivery (default 0)");

static bool quick_mode;
module_param(quick_mode, bool, 0444);
MODULE_PARM_DESC(quick_mode, "One ring per interface, for speed (default 0)");

struct pfr_cluster;

/* Wildcard rules: a table replaced whole under RCU, counters per slot. */
struct pfr_rule_slot {
	struct pf_rule rule;
	atomic64_t packets;
	atomic64_t bytes;
};

struct pfr_rule_table {
	u32 n;
	struct pfr_rule_slot slot[];
};

/* Hash rules: one entry per exact key, in a per-socket table. */
#define PFR_HASH_BITS	10

struct pfr_hrule {
	struct hlist_node node;		/* RCU for the packet handler */
	struct rcu_head rcu;
	struct pf_hash_key key;
	u16 id;
	u8 action;
	u8 flags;
	atomic64_t packets;
	atomic64_t bytes;
	u64 last_match_ns;		/* ktime_get_ns(); READ_ONCE/WRITE_ONCE */
};

struct pfr_sock {
	struct sock sk;			/* first: sk_alloc() sizes from the proto */
	struct list_head node;		/* pfr_net.rings, RCU for the handler */
	struct mutex cfg_lock;		/* configuration calls against each other */
	spinlock_t lock;		/* producer side of the ring */

	u32 id;
	pid_t pid;
	int ifindex;			/* 0: any interface */
	bool bound;
	bool dev_gone;
	bool enabled;
	char ifname[IFNAMSIZ];
	char appname[PF_RING_APPNAME_MAX];
	struct proc_dir_entry *proc;

	void *mem;			/* header page, then slots; set once */
	size_t mem_bytes;
	struct pfr_ring_header *hdr;
	u8 *slots;
	u32 num_slots;
	u32 slot_size;
	u32 caplen;

	/* Under lock, in softirq. */
	u64 insert;
	u64 received;
	u64 dropped;
	u32 sample_count;

	u32 direction;
	u32 watermark;
	u32 sampling;
	struct bpf_prog __rcu *filter;
	struct pfr_cluster *cluster;	/* under pfr_mutex */

	/* Filtering rules: changed under cfg_lock, read under RCU. */
	struct pfr_rule_table __rcu *rules;
	struct hlist_head *hrules;	/* 1 << PFR_HASH_BITS buckets, or NULL */
	u32 n_hrules;
	u32 purged;
	u32 policy;			/* PFR_POLICY_* */
};

struct pfr_members {
	struct rcu_head rcu;
	unsigned int n;
	struct pfr_sock *m[PFR_MAX_MEMBERS];
};

struct pfr_cluster {
	struct list_head node;		/* pfr_net.clusters, RCU */
	struct rcu_head rcu;
	u32 id;
	u32 type;
	int ifindex;
	atomic_t rr;
	struct pfr_members __rcu *members;
};

/*
 * Everything a socket can see belongs to its network namespace: the rings,
 * the clusters (two namespaces can each have a cluster 42) and
 * /proc/net/pf_ring.  The lists change under pfr_mutex and are read under
 * RCU by the packet handler, which looks only at the device's namespace.
 */
struct pfr_net {
	struct list_head rings;
	struct list_head clusters;
	struct list_head devdirs;	/* struct pfr_devdir, under RTNL */
	unsigned int nr_rings;
	struct proc_dir_entry *proc_dir;
	struct proc_dir_entry *dev_dir;
};

static unsigned int pfr_net_id __read_mostly;
static DEFINE_MUTEX(pfr_mutex);
static u32 pfr_next_id;
/* Every allocated socket; non-zero at unload means a leak. */
static atomic_t pfr_nr_socks = ATOMIC_INIT(0);
/* Rule tables and hash rules allocated, likewise. */
static atomic_t pfr_nr_rule_objs = ATOMIC_INIT(0);

static inline struct pfr_sock *pfr_sk(struct sock *sk)
{
	return container_of(sk, struct pfr_sock, sk);
}

static inline struct pfr_net *pfr_net(const struct net *net)
{
	return net_generic(net, pfr_net_id);
}

static const char *const pfr_dir_names[] = { "RX+TX", "RX only", "TX only" };

/* ------------------------------------------------------------------------ */
/* Packet path.                                                              */

struct pfr_pkt {
	struct pf_flow flow;
	bool parsed;
	bool tx;
	int ifindex;
};

static void pfr_parse(const struct sk_buff *skb, struct pfr_pkt *p)
{
	if (!p->parsed) {
		pf_flow_parse(skb, &p->flow);
		p->parsed = true;
	}
}

static u32 pfr_hash(const struct sk_buff *skb, struct pfr_pkt *p, u32 type)
{
	pfr_parse(skb, p);
	return pf_flow_hash_parsed(skb, &p->flow, type);
}

static u32 pfr_key_bucket(const struct pf_hash_key *k)
{
	BUILD_BUG_ON(sizeof(*k) % sizeof(u32));
	return hash_32(jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), 0),
		       PFR_HASH_BITS);
}

/* Under RCU (packet handler) or cfg_lock (configuration). */
static struct pfr_hrule *pfr_hrule_find(struct hlist_head *h,
					const struct pf_hash_key *k)
{
	struct pfr_hrule *hr;

	hlist_for_each_entry_rcu(hr, &h[pfr_key_bucket(k)], node, true)
		if (!memcmp(&hr->key, k, sizeof(*k)))
			return hr;
	return NULL;
}

/*
 * The ring's filtering rules, in the order of pf_rules.h: true if the packet
 * is kept.  Counters are atomic: rings of a cluster or of "any" may see
 * packets on several CPUs at once.
 */
static bool pfr_rules_keep(struct pfr_sock *r, const struct sk_buff *skb,
			   struct pfr_pkt *p, u32 wire_len)
{
	struct pfr_rule_table *t = rcu_dereference(r->rules);
	/* Pairs with the release in pfr_add_hash_rule(). */
	struct hlist_head *h = smp_load_acquire(&r->hrules);
	int drop = READ_ONCE(r->policy) == PFR_POLICY_DROP;
	struct pfr_hrule *hr = NULL;
	struct pf_hash_key key;
	u32 i, flow_hash;

	if (!t && !h)
		return !drop;
	pfr_parse(skb, p);
	if (h && READ_ONCE(r->n_hrules) && (p->flow.flags & PF_FLOW_F_L3)) {
		pf_hash_key_of(&p->flow, 0, &key);
		hr = pfr_hrule_find(h, &key);
		if (!hr) {
			pf_hash_key_of(&p->flow, 1, &key);
			hr = pfr_hrule_find(h, &key);
			if (hr && !(hr->flags & PF_RULE_F_BIDIR))
				hr = NULL;
		}
	}
	if (hr) {
		atomic64_inc(&hr->packets);
		atomic64_add(wire_len, &hr->bytes);
		WRITE_ONCE(hr->last_match_ns, ktime_get_ns());
		if (pf_rule_decide(hr->action, &drop))
			return !drop;
	}
	if (!t)
		return !drop;
	flow_hash = pf_flow_hash(&p->flow, PF_FLOW_PER_FLOW);
	for (i = 0; i < t->n; i++) {
		struct pfr_rule_slot *s = &t->slot[i];

		if (!pf_rule_match(skb, &p->flow, &s->rule, flow_hash))
			continue;
		atomic64_inc(&s->packets);
		atomic64_add(wire_len, &s->bytes);
		if (pf_rule_decide(s->rule.action, &drop))
			break;
	}
	return !drop;
}

/* Copy the frame to dst as it was on the wire: an offloaded tag goes back. */
static void pfr_copy_frame(const struct sk_buff *skb, u8 *dst, u32 caplen)
{
	u32 head;

	if (!skb_vlan_tag_present(skb)) {
		if (skb_copy_bits(skb, 0, dst, caplen))
			memset(dst, 0, caplen);
		return;
	}
	head = min_t(u32, caplen, 2 * ETH_ALEN);
	if (skb_copy_bits(skb, 0, dst, head))
		memset(dst, 0, head);
	if (caplen > head) {
		u16 proto = ntohs(skb->vlan_proto), tci = skb_vlan_tag_get(skb);
		u8 tag[VLAN_HLEN] = { proto >> 8, proto & 0xff, tci >> 8, tci & 0xff };
		u32 n = min_t(u32, caplen - head, VLAN_HLEN);

		memcpy(dst + head, tag, n);
		if (caplen > head + VLAN_HLEN &&
		    skb_copy_bits(skb, head, dst + head + VLAN_HLEN,
				  caplen - head - VLAN_HLEN))
			memset(dst + head + VLAN_HLEN, 0, caplen - head - VLAN_HLEN);
	}
}

static void pfr_deliver(struct pfr_sock *r, struct sk_buff *skb,
			struct pfr_pkt *p)
{
	struct pfr_ring_header *hdr = r->hdr;
	struct pfr_slot_header *slot;
	struct bpf_prog *prog;
	u32 dir = READ_ONCE(r->direction);
	u32 wire_len, snap, caplen, cnt, rate, idx;
	u64 removed, queued;

	if ((p->tx && dir == PFR_DIR_RX_ONLY) || (!p->tx && dir == PFR_DIR_TX_ONLY))
		return;
	wire_len = skb->len + (skb_vlan_tag_present(skb) ? VLAN_HLEN : 0);
	/* Rules first: the BPF filter and sampling see only what they keep. */
	if (!pfr_rules_keep(r, skb, p, wire_len))
		return;
	snap = wire_len;
	prog = rcu_dereference(r->filter);
	if (prog) {
		snap = bpf_prog_run_pin_on_cpu(prog, skb);
		if (!snap)
			return;
	}
	caplen = min3(snap, wire_len, r->caplen);

	spin_lock(&r->lock);
	/* Sampling counts only what passed the filters: 1st of every N. */
	rate = READ_ONCE(r->sampling);
	if (rate > 1) {
		cnt = r->sample_count;
		r->sample_count = cnt + 1 >= rate ? 0 : cnt + 1;
		if (cnt) {
			spin_unlock(&r->lock);
			return;
		}
	}
	/* User space owns remove_idx; a bogus value can only make us drop. */
	removed = smp_load_acquire(&hdr->remove_idx);
	queued = r->insert - removed;
	if (queued >= r->num_slots) {
		r->dropped++;
		WRITE_ONCE(hdr->dropped, r->dropped);
		spin_unlock(&r->lock);
		return;
	}
	div_u64_rem(r->insert, r->num_slots, &idx);
	slot = (struct pfr_slot_header *)(r->slots + (size_t)idx * r->slot_size);
	slot->timestamp_ns = ktime_get_real_ns();
	slot->caplen = caplen;
	slot->len = wire_len;
	slot->ifindex = p->ifindex;
	slot->hash = pfr_hash(skb, p, PF_FLOW_PER_FLOW);
	slot->flags = p->tx ? PFR_SLOT_TX : 0;
	slot->vlan_tci = 0;
	if (skb_vlan_tag_present(skb)) {
		slot->flags |= PFR_SLOT_VLAN;
		slot->vlan_tci = skb_vlan_tag_get(skb);
	}
	pfr_copy_frame(skb, (u8 *)(slot + 1), caplen);
	r->insert++;
	r->received++;
	/* The slot is complete before user space sees the index move. */
	smp_store_release(&hdr->insert_idx, r->insert);
	WRITE_ONCE(hdr->received, r->received);
	queued++;
	spin_unlock(&r->lock);

	if (queued >= READ_ONCE(r->watermark))
		r->sk.sk_data_ready(&r->sk);
}

/* Rings and clusters are those of the device's namespace already. */
static bool pfr_dev_match(int ifindex, const struct net_device *dev)
{
	return ifindex == 0 || ifindex == dev->ifindex;
}

static int pfr_rcv(struct sk_buff *skb, struct net_device *dev,
		   struct packet_type *pt, struct net_device *orig_dev)
{
	struct pfr_pkt p = { .parsed = false };
	struct pfr_net *pn = pfr_net(dev_net(dev));
	struct pfr_cluster *c;
	struct pfr_sock *r;
	unsigned char *data;
	unsigned int len;

	/* Multicast looped back to ourselves: already seen going out. */
	if (skb->pkt_type == PACKET_LOOPBACK || !dev_has_header(dev))
		goto out;
	p.tx = skb->pkt_type == PACKET_OUTGOING;
	if (p.tx && !enable_tx_capture)
		goto out;
	if (enable_ip_defrag && !p.tx && skb->protocol == htons(ETH_P_IP)) {
		/* Takes our reference; NULL until the datagram is complete. */
		skb = ip_check_defrag(dev_net(dev), skb, IP_DEFRAG_AF_PACKET);
		if (!skb)
			return 0;
	}
	if (!skb_mac_header_was_set(skb))
		goto out;
	p.ifindex = dev->ifindex;

	/* Filters and the parser see the frame from its MAC header. */
	data = skb->data;
	len = skb->len;
	skb_push(skb, skb->data - skb_mac_header(skb));

	list_for_each_entry_rcu(r, &pn->rings, node) {
		/* Pairs with PFR_SO_ENABLE: the ring was set up before. */
		if (!smp_load_acquire(&r->enabled) || READ_ONCE(r->cluster))
			continue;
		if (!pfr_dev_match(READ_ONCE(r->ifindex), dev))
			continue;
		pfr_deliver(r, skb, &p);
	}
	list_for_each_entry_rcu(c, &pn->clusters, node) {
		struct pfr_members *m;
		u32 pick, h2;

		if (!pfr_dev_match(c->ifindex, dev))
			continue;
		m = rcu_dereference(c->members);
		if (!m || !m->n)
			continue;
		if (c->type == PF_FLOW_ROUND_ROBIN)
			pick = (u32)atomic_inc_return(&c->rr) % m->n;
		else
			pick = pfr_hash(skb, &p, c->type) % m->n;
		r = m->m[pick];
		/* Pairs with PFR_SO_ENABLE, as above. */
		if (smp_load_acquire(&r->enabled))
			pfr_deliver(r, skb, &p);
		/* ip_with_dup_tuple: the other endpoint's member too, once. */
		if (pf_flow_hash_dup(&p.flow, c->type, &h2) && h2 % m->n != pick) {
			r = m->m[h2 % m->n];
			/* Pairs with PFR_SO_ENABLE, as above. */
			if (smp_load_acquire(&r->enabled))
				pfr_deliver(r, skb, &p);
		}
	}

	skb->data = data;
	skb->len = len;
out:
	consume_skb(skb);
	return 0;
}

static struct packet_type pfr_packet_type __read_mostly = {
	.type = cpu_to_be16(ETH_P_ALL),
	.func = pfr_rcv,
};

/* ------------------------------------------------------------------------ */
/* Clusters.                                                                 */

static struct pfr_cluster *pfr_cluster_find(struct pfr_net *pn, u32 id)
{
	struct pfr_cluster *c;

	list_for_each_entry(c, &pn->clusters, node)
		if (c->id == id)
			return c;
	return NULL;
}

/* Only among the clusters of the socket's namespace. */
static int pfr_cluster_join(struct pfr_sock *r, u32 id, u32 type)
{
	struct pfr_net *pn = pfr_net(sock_net(&r->sk));
	struct pfr_members *old, *new;
	struct pfr_cluster *c;
	int err = 0;

	mutex_lock(&pfr_mutex);
	if (r->cluster) {
		err = -EBUSY;
		goto unlock;
	}
	if (r->dev_gone) {
		err = -ENETDOWN;
		goto unlock;
	}
	c = pfr_cluster_find(pn, id);
	if (c && (c->type != type || c->ifindex != r->ifindex)) {
		err = -EINVAL;
		goto unlock;
	}
	if (!c) {
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			err = -ENOMEM;
			goto unlock;
		}
		c->id = id;
		c->type = type;
		c->ifindex = r->ifindex;
		atomic_set(&c->rr, -1);
		list_add_tail_rcu(&c->node, &pn->clusters);
	}
	old = rcu_dereference_protected(c->members, lockdep_is_held(&pfr_mutex));
	if (old && old->n >= PFR_MAX_MEMBERS) {
		err = -ENOSPC;
		goto unlock;
	}
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new) {
		err = -ENOMEM;
		if (!old) {
			list_del_rcu(&c->node);
			kfree_rcu(c, rcu);
		}
		goto unlock;
	}
	/* Members keep join order: member i is the i-th to join. */
	if (old)
		*new = *old;
	new->m[new->n++] = r;
	WRITE_ONCE(r->cluster, c);
	rcu_assign_pointer(c->members, new);
	if (old)
		kfree_rcu(old, rcu);
unlock:
	mutex_unlock(&pfr_mutex);
	return err;
}

static int pfr_cluster_leave_locked(struct pfr_sock *r)
{
	struct pfr_members *old, *new;
	struct pfr_cluster *c = r->cluster;
	unsigned int i, j;

	if (!c)
		return -ENOENT;
	old = rcu_dereference_protected(c->members, lockdep_is_held(&pfr_mutex));
	WRITE_ONCE(r->cluster, NULL);
	if (old->n == 1) {
		list_del_rcu(&c->node);
		kfree_rcu(old, rcu);
		kfree_rcu(c, rcu);
		return 0;
	}
	/* release() must not fail halfway: a small allocation that waits. */
	new = kzalloc(sizeof(*new), GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0, j = 0; i < old->n; i++)
		if (old->m[i] != r)
			new->m[j++] = old->m[i];
	new->n = j;
	rcu_assign_pointer(c->members, new);
	kfree_rcu(old, rcu);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* /proc/net/pf_ring.                                                        */

/* The rings counted are those of the file's namespace (m->private). */
static int pfr_info_show(struct seq_file *m, void *v)
{
	struct pfr_net *pn = pfr_net(m->private);
	unsigned int rings;

	mutex_lock(&pfr_mutex);
	rings = pn->nr_rings;
	mutex_unlock(&pfr_mutex);
	seq_printf(m, "PF_RING Version          : %s (ABI %u)\n",
		   PF_RING_MODULE_VERSION, PF_RING_ABI_VERSION);
	seq_printf(m, "Total rings              : %u\n", rings);
	seq_printf(m, "Ring slots               : %u\n", min_num_slots);
	seq_printf(m, "Slot version             : %u\n", PF_RING_ABI_VERSION);
	seq_printf(m, "Capture TX               : %s\n",
		   enable_tx_capture ? "Yes [RX+TX]" : "No [RX only]");
	seq_printf(m, "IP Defragment            : %s\n",
		   enable_ip_defrag ? "Yes" : "No");
	seq_printf(m, "Socket Mode              : %s\n",
		   quick_mode ? "Quick" : "Standard");
	return 0;
}

static int pfr_ring_show(struct seq_file *m, void *v)
{
	struct pfr_sock *r = m->private;
	struct pfr_rule_table *t;
	struct pfr_cluster *c;
	u64 received, dropped, read = 0;

	mutex_lock(&r->cfg_lock);
	t = rcu_dereference_protected(r->rules, lockdep_is_held(&r->cfg_lock));
	spin_lock_bh(&r->lock);
	received = r->received;
	dropped = r->dropped;
	spin_unlock_bh(&r->lock);
	if (r->hdr)
		read = READ_ONCE(r->hdr->remove_idx);
	mutex_lock(&pfr_mutex);
	c = r->cluster;
	seq_printf(m, "Bound Device(s)    : %s%s\n", r->ifname,
		   r->dev_gone ? " (gone)" : "");
	seq_printf(m, "Active             : %d\n", r->enabled);
	seq_printf(m, "Appl. Name         : %s\n", r->appname[0] ? r->appname : "<unknown>");
	seq_printf(m, "Cluster Id         : %u\n", c ? c->id : 0);
	seq_printf(m, "Channel Direction  : %s\n", pfr_dir_names[r->direction]);
	seq_printf(m, "Sampling Rate      : %u\n", r->sampling);
	seq_printf(m, "BPF Filtering      : %s\n",
		   rcu_access_pointer(r->filter) ? "Enabled" : "Disabled");
	seq_printf(m, "Filtering Rules    : %u\n", t ? t->n : 0);
	seq_printf(m, "Hash Rules         : %u\n", r->n_hrules);
	seq_printf(m, "Default Policy     : %s\n",
		   r->policy == PFR_POLICY_DROP ? "drop" : "accept");
	seq_printf(m, "Poll Pkt Watermark : %u\n", r->watermark);
	seq_printf(m, "Num Slots          : %u\n", r->num_slots);
	seq_printf(m, "Slot Len           : %u\n", r->slot_size);
	seq_printf(m, "Capture Len        : %u\n", r->caplen);
	seq_printf(m, "Tot Packets        : %llu\n", received + dropped);
	seq_printf(m, "Tot Pkt Lost       : %llu\n", dropped);
	seq_printf(m, "Tot Insert         : %llu\n", received);
	seq_printf(m, "Tot Read           : %llu\n", read);
	mutex_unlock(&pfr_mutex);
	mutex_unlock(&r->cfg_lock);
	return 0;
}

/* Per-device directories, in the device's namespace. */
struct pfr_devdir {
	struct list_head node;		/* pfr_net.devdirs */
	struct net *net;		/* the directory goes before the net */
	int ifindex;
	struct proc_dir_entry *dir;
};

static int pfr_dev_info_show(struct seq_file *m, void *v)
{
	const struct pfr_devdir *d = m->private;
	struct pfr_net *pn = pfr_net(d->net);
	struct net_device *dev;
	unsigned int bound = 0;
	struct pfr_sock *r;

	dev = dev_get_by_index(d->net, d->ifindex);
	if (!dev)
		return 0;
	mutex_lock(&pfr_mutex);
	list_for_each_entry(r, &pn->rings, node)
		if (r->bound && r->ifindex == d->ifindex)
			bound++;
	mutex_unlock(&pfr_mutex);
	seq_printf(m, "Name              : %s\n", dev->name);
	seq_printf(m, "Index             : %d\n", dev->ifindex);
	seq_printf(m, "Address           : %pM\n", dev->dev_addr);
	seq_printf(m, "MTU               : %u\n", dev->mtu);
	seq_printf(m, "Type              : %s\n",
		   dev->type == ARPHRD_ETHER ? "Ethernet" :
		   dev->type == ARPHRD_LOOPBACK ? "Loopback" : "Other");
	seq_printf(m, "Polling Mode      : %s\n", "NAPI/TNAPI");
	seq_printf(m, "Max # TX Queues   : %u\n", dev->real_num_tx_queues);
	seq_printf(m, "# Bound Sockets   : %u\n", bound);
	dev_put(dev);
	return 0;
}

static void pfr_devdir_add(struct pfr_net *pn, struct net_device *dev)
{
	struct pfr_devdir *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return;
	d->net = dev_net(dev);
	d->ifindex = dev->ifindex;
	d->dir = proc_mkdir(dev->name, pn->dev_dir);
	if (!d->dir ||
	    !proc_create_single_data("info", 0444, d->dir, pfr_dev_info_show, d)) {
		proc_remove(d->dir);
		kfree(d);
		return;
	}
	list_add(&d->node, &pn->devdirs);
}

static void pfr_devdir_del(struct pfr_net *pn, int ifindex)
{
	struct pfr_devdir *d, *tmp;

	list_for_each_entry_safe(d, tmp, &pn->devdirs, node) {
		if (d->ifindex != ifindex)
			continue;
		list_del(&d->node);
		/* Waits for readers of info, which use d. */
		proc_remove(d->dir);
		kfree(d);
	}
}

/*
 * The device of bound rings is going away (deleted, or moved to another
 * namespace).  Its ifindex may be given to a new device later, so the rings
 * let go of it for good: they leave their cluster, stop receiving, poll()
 * reports EPOLLERR | EPOLLHUP and PFR_SO_ENABLE, PFR_SO_CLUSTER and send()
 * fail with ENETDOWN.  Rings bound to "any" are not concerned.
 */
static void pfr_detach_dev(struct pfr_net *pn, const struct net_device *dev)
{
	struct pfr_sock *r;

	mutex_lock(&pfr_mutex);
	list_for_each_entry(r, &pn->rings, node) {
		if (!r->bound || r->ifindex != dev->ifindex)
			continue;
		if (r->cluster)
			pfr_cluster_leave_locked(r);
		WRITE_ONCE(r->enabled, false);
		WRITE_ONCE(r->dev_gone, true);
		WRITE_ONCE(r->ifindex, -1);
		WRITE_ONCE(r->sk.sk_err, ENETDOWN);
		sk_error_report(&r->sk);
	}
	mutex_unlock(&pfr_mutex);
}

static int pfr_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct pfr_net *pn = pfr_net(dev_net(dev));

	switch (event) {
	case NETDEV_REGISTER:
		pfr_devdir_add(pn, dev);
		break;
	case NETDEV_CHANGENAME:
		pfr_devdir_del(pn, dev->ifindex);
		pfr_devdir_add(pn, dev);
		break;
	case NETDEV_UNREGISTER:
		pfr_devdir_del(pn, dev->ifindex);
		pfr_detach_dev(pn, dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block pfr_netdev_notifier = {
	.notifier_call = pfr_netdev_event,
};

/* ------------------------------------------------------------------------ */
/* Filtering rules.                                                          */

static bool pfr_rule_valid(const struct pf_rule *pr)
{
	if (pr->action > PF_RULE_CONTINUE || (pr->flags & ~PF_RULE_F_BIDIR))
		return false;
	if (pr->ip_version != 0 && pr->ip_version != 4 && pr->ip_version != 6)
		return false;
	if (pr->vlan_id > VLAN_VID_MASK || pr->pattern_len > PF_RULE_PATTERN_MAX)
		return false;
	if (pr->src_port_lo > pr->src_port_hi || pr->dst_port_lo > pr->dst_port_hi)
		return false;
	return !pr->balance_pool || pr->balance_id < pr->balance_pool;
}

static void pfr_free_table(struct pfr_rule_table *t)
{
	if (!t)
		return;
	kfree(t);
	atomic_dec(&pfr_nr_rule_objs);
}

/* The whole wildcard table; a rule id kept from the old one keeps its counters. */
static int pfr_set_rules(struct pfr_sock *r, sockptr_t optval,
			 unsigned int optlen)
{
	struct pfr_rule_table *t = NULL, *old;
	unsigned int n, i, j;

	if (optlen % sizeof(struct pf_rule))
		return -EINVAL;
	n = optlen / sizeof(struct pf_rule);
	if (n > PF_RULES_MAX)
		return -EINVAL;
	if (n) {
		t = kzalloc(struct_size(t, slot, n), GFP_KERNEL_ACCOUNT);
		if (!t)
			return -ENOMEM;
		atomic_inc(&pfr_nr_rule_objs);
		t->n = n;
		for (i = 0; i < n; i++) {
			struct pf_rule *pr = &t->slot[i].rule;

			if (copy_from_sockptr_offset(pr, optval, i * sizeof(*pr),
						     sizeof(*pr))) {
				pfr_free_table(t);
				return -EFAULT;
			}
			if (!pfr_rule_valid(pr) ||
			    (i && pr->id <= t->slot[i - 1].rule.id)) {
				pfr_free_table(t);
				return -EINVAL;
			}
		}
	}
	old = rcu_dereference_protected(r->rules, lockdep_is_held(&r->cfg_lock));
	rcu_assign_pointer(r->rules, t);
	if (!old)
		return 0;
	/* Nothing counts into the old table after this. */
	synchronize_net();
	for (i = 0, j = 0; t && i < t->n; i++) {
		while (j < old->n && old->slot[j].rule.id < t->slot[i].rule.id)
			j++;
		if (j < old->n && old->slot[j].rule.id == t->slot[i].rule.id) {
			atomic64_add(atomic64_read(&old->slot[j].packets),
				     &t->slot[i].packets);
			atomic64_add(atomic64_read(&old->slot[j].bytes),
				     &t->slot[i].bytes);
		}
	}
	pfr_free_table(old);
	return 0;
}

static void pfr_hrule_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct pfr_hrule, rcu));
	atomic_dec(&pfr_nr_rule_objs);
}

static void pfr_hrule_del(struct pfr_sock *r, struct pfr_hrule *hr)
{
	hlist_del_rcu(&hr->node);
	WRITE_ONCE(r->n_hrules, r->n_hrules - 1);
	call_rcu(&hr->rcu, pfr_hrule_free_rcu);
}

static bool pfr_hash_key_valid(const struct pf_hash_key *k)
{
	return !k->pad && k->vlan_id <= VLAN_VID_MASK;
}

static int pfr_add_hash_rule(struct pfr_sock *r, sockptr_t optval,
			     unsigned int optlen)
{
	struct pfr_hash_rule_req req;
	struct pfr_hrule *hr, *old;
	struct hlist_head *h;

	if (optlen != sizeof(req))
		return -EINVAL;
	if (copy_from_sockptr(&req, optval, sizeof(req)))
		return -EFAULT;
	if (!pfr_hash_key_valid(&req.key) || req.rule.action > PF_RULE_CONTINUE ||
	    (req.rule.flags & ~PF_RULE_F_BIDIR) || req.rule.pad)
		return -EINVAL;
	if (!r->hrules) {
		h = kcalloc(1 << PFR_HASH_BITS, sizeof(*h), GFP_KERNEL_ACCOUNT);
		if (!h)
			return -ENOMEM;
		/* The handler sees initialised buckets once it sees the pointer. */
		smp_store_release(&r->hrules, h);
	}
	old = pfr_hrule_find(r->hrules, &req.key);
	if (!old && r->n_hrules >= PF_HASH_RULES_MAX)
		return -ENOSPC;
	hr = kzalloc(sizeof(*hr), GFP_KERNEL_ACCOUNT);
	if (!hr)
		return -ENOMEM;
	atomic_inc(&pfr_nr_rule_objs);
	hr->key = req.key;
	hr->id = req.rule.id;
	hr->action = req.rule.action;
	hr->flags = req.rule.flags;
	/* Idle time counts from now. */
	hr->last_match_ns = ktime_get_ns();
	if (old) {
		hlist_replace_rcu(&old->node, &hr->node);
		call_rcu(&old->rcu, pfr_hrule_free_rcu);
		return 0;
	}
	hlist_add_head_rcu(&hr->node, &r->hrules[pfr_key_bucket(&req.key)]);
	WRITE_ONCE(r->n_hrules, r->n_hrules + 1);
	return 0;
}

static int pfr_del_hash_rule(struct pfr_sock *r, sockptr_t optval,
			     unsigned int optlen)
{
	struct pf_hash_key key;
	struct pfr_hrule *hr;

	if (optlen != sizeof(key))
		return -EINVAL;
	if (copy_from_sockptr(&key, optval, sizeof(key)))
		return -EFAULT;
	if (!pfr_hash_key_valid(&key))
		return -EINVAL;
	hr = r->hrules ? pfr_hrule_find(r->hrules, &key) : NULL;
	if (!hr)
		return -ENOENT;
	pfr_hrule_del(r, hr);
	return 0;
}

static void pfr_purge_hash_rules(struct pfr_sock *r, u32 idle_sec)
{
	u64 now = ktime_get_ns(), limit = (u64)idle_sec * NSEC_PER_SEC, last;
	struct pfr_hrule *hr;
	struct hlist_node *tmp;
	unsigned int b;

	r->purged = 0;
	if (!r->hrules)
		return;
	for (b = 0; b < (1u << PFR_HASH_BITS); b++) {
		hlist_for_each_entry_safe(hr, tmp, &r->hrules[b], node) {
			last = READ_ONCE(hr->last_match_ns);
			/* A match after now is not idle. */
			if (last <= now && now - last >= limit) {
				pfr_hrule_del(r, hr);
				r->purged++;
			}
		}
	}
}

/* After synchronize_net(): the handler no longer sees any of it. */
static void pfr_free_rules(struct pfr_sock *r)
{
	struct pfr_hrule *hr;
	struct hlist_node *tmp;
	unsigned int b;

	pfr_free_table(rcu_dereference_protected(r->rules, 1));
	RCU_INIT_POINTER(r->rules, NULL);
	if (!r->hrules)
		return;
	for (b = 0; b < (1u << PFR_HASH_BITS); b++) {
		hlist_for_each_entry_safe(hr, tmp, &r->hrules[b], node) {
			hlist_del(&hr->node);
			kfree(hr);
			atomic_dec(&pfr_nr_rule_objs);
		}
	}
	kfree(r->hrules);
	r->hrules = NULL;
	r->n_hrules = 0;
}

static int pfr_get_rule_stats(struct pfr_sock *r, char __user *optval,
			      int len, int __user *optlen)
{
	struct pfr_rule_table *t;
	struct pfr_rule_stat *st;
	unsigned int i, n;
	int need, err = 0;

	mutex_lock(&r->cfg_lock);
	t = rcu_dereference_protected(r->rules, lockdep_is_held(&r->cfg_lock));
	n = t ? t->n : 0;
	need = n * sizeof(*st);
	if (len < need) {
		err = -EINVAL;
		goto out;
	}
	st = kcalloc(n ? n : 1, sizeof(*st), GFP_KERNEL);
	if (!st) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		st[i].id = t->slot[i].rule.id;
		st[i].packets = atomic64_read(&t->slot[i].packets);
		st[i].bytes = atomic64_read(&t->slot[i].bytes);
	}
	if (copy_to_user(optval, st, need) || put_user(need, optlen))
		err = -EFAULT;
	kfree(st);
out:
	mutex_unlock(&r->cfg_lock);
	return err;
}

static int pfr_get_hash_rule_stats(struct pfr_sock *r, char __user *optval,
				   int len, int __user *optlen)
{
	struct pfr_hash_rule_req req;
	struct pfr_hrule *hr;
	int err = 0;

	if (len != sizeof(req))
		return -EINVAL;
	if (copy_from_user(&req, optval, sizeof(req)))
		return -EFAULT;
	if (!pfr_hash_key_valid(&req.key))
		return -EINVAL;
	mutex_lock(&r->cfg_lock);
	hr = r->hrules ? pfr_hrule_find(r->hrules, &req.key) : NULL;
	if (hr) {
		memset(&req.rule, 0, sizeof(req.rule));
		req.rule.id = hr->id;
		req.rule.action = hr->action;
		req.rule.flags = hr->flags;
		req.rule.packets = atomic64_read(&hr->packets);
		req.rule.bytes = atomic64_read(&hr->bytes);
		req.rule.last_match_ns = READ_ONCE(hr->last_match_ns);
	} else {
		err = -ENOENT;
	}
	mutex_unlock(&r->cfg_lock);
	if (err)
		return err;
	if (copy_to_user(optval, &req, sizeof(req)) || put_user(len, optlen))
		return -EFAULT;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Socket operations.                                                        */

static struct proto pfr_proto = {
	.name = "PF_RING",
	.owner = THIS_MODULE,
	.obj_size = sizeof(struct pfr_sock),
};

static int pfr_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct pfr_sock *r;
	struct bpf_prog *prog;

	if (!sk)
		return 0;
	r = pfr_sk(sk);
	mutex_lock(&pfr_mutex);
	if (r->cluster)
		pfr_cluster_leave_locked(r);
	list_del_rcu(&r->node);
	pfr_net(sock_net(sk))->nr_rings--;
	mutex_unlock(&pfr_mutex);
	/* Waits for readers of the file, so r stays valid for them. */
	proc_remove(r->proc);
	/* No packet handler can still be using r or its ring after this. */
	synchronize_net();

	prog = rcu_dereference_protected(r->filter, 1);
	if (prog)
		bpf_prog_destroy(prog);
	pfr_free_rules(r);
	vfree(r->mem);
	r->mem = NULL;

	sock_orphan(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int pfr_bind(struct socket *sock, pfr_bind_addr_t *uaddr, int addr_len)
{
	struct sockaddr_pfring *sa = (struct sockaddr_pfring *)uaddr;
	struct pfr_sock *r = pfr_sk(sock->sk), *o;
	struct pfr_net *pn = pfr_net(sock_net(sock->sk));
	char name[PF_RING_IFNAMSIZ + 24];
	struct net_device *dev = NULL;
	int ifindex = 0, err = 0;

	if (addr_len < (int)sizeof(*sa) || sa->family != PF_RING_FAMILY)
		return -EINVAL;
	if (!memchr(sa->ifname, '\0', sizeof(sa->ifname)) || !sa->ifname[0])
		return -EINVAL;

	mutex_lock(&r->cfg_lock);
	if (r->bound) {
		err = -EBUSY;
		goto out;
	}
	if (strcmp(sa->ifname, "any")) {
		dev = dev_get_by_name(sock_net(&r->sk), sa->ifname);
		if (!dev) {
			err = -ENODEV;
			goto out;
		}
		ifindex = dev->ifindex;
	}
	mutex_lock(&pfr_mutex);
	/*
	 * Unregistering marks the device before its notifier runs: either the
	 * notifier finds this ring below, or the mark is seen here.
	 */
	if (dev && pfr_netdev_reg_state(dev) != NETREG_REGISTERED)
		err = -ENODEV;
	if (!err && quick_mode) {
		/* Quick mode trades sharing for speed: one ring per interface. */
		list_for_each_entry(o, &pn->rings, node) {
			if (o->bound && o->ifindex == ifindex) {
				err = -EBUSY;
				break;
			}
		}
	}
	if (!err) {
		strscpy(r->ifname, sa->ifname, sizeof(r->ifname));
		WRITE_ONCE(r->ifindex, ifindex);
		r->bound = true;
	}
	mutex_unlock(&pfr_mutex);
	if (err)
		goto out;
	snprintf(name, sizeof(name), "%d-%s.%u", r->pid, r->ifname, r->id);
	r->proc = proc_create_single_data(name, 0444, pn->proc_dir,
					  pfr_ring_show, r);
out:
	mutex_unlock(&r->cfg_lock);
	if (dev)
		dev_put(dev);
	return err;
}

static int pfr_set_ring(struct pfr_sock *r, const struct pfr_ring_req *req)
{
	u32 slots = max(req->num_slots, min_num_slots);
	struct pfr_ring_header *hdr;
	u64 bytes;
	u32 size;
	void *mem;

	if (!req->num_slots || req->num_slots > PF_RING_MAX_SLOTS ||
	    !req->caplen || req->caplen > PF_RING_MAX_CAPLEN)
		return -EINVAL;
	if (r->mem)
		return -EBUSY;
	/* Room for the frame and for a tag put back into it. */
	size = ALIGN(sizeof(struct pfr_slot_header) + req->caplen + VLAN_HLEN, 16);
	bytes = PAGE_ALIGN((u64)PAGE_SIZE + (u64)slots * size);
	if (bytes > PF_RING_MAX_RING_BYTES)
		return -EINVAL;
	/*
	 * Charged to the caller's memory cgroup, and failing rather than
	 * calling the OOM killer (of the cgroup or of the system) when short.
	 */
	mem = __vmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_ZERO |
			__GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!mem)
		return -ENOMEM;
	hdr = mem;
	hdr->abi_version = PF_RING_ABI_VERSION;
	hdr->num_slots = slots;
	hdr->slot_size = size;
	hdr->caplen = req->caplen;
	hdr->data_offset = PAGE_SIZE;
	r->mem_bytes = bytes;
	r->num_slots = slots;
	r->slot_size = size;
	r->caplen = req->caplen;
	r->slots = (u8 *)mem + PAGE_SIZE;
	if (r->watermark > slots)
		WRITE_ONCE(r->watermark, slots);
	/* Pairs with the acquire in pfr_poll(): the header is filled in. */
	smp_store_release(&r->hdr, hdr);
	/* Pairs with the acquire in pfr_mmap(): so are the fields above. */
	smp_store_release(&r->mem, mem);
	return 0;
}

static int pfr_set_filter(struct pfr_sock *r, sockptr_t optval,
			  unsigned int optlen)
{
	struct bpf_prog *prog = NULL, *old;
	struct sock_fprog fprog;
	int err;

	if (optlen != sizeof(fprog))
		return -EINVAL;
	if (copy_from_sockptr(&fprog, optval, sizeof(fprog)))
		return -EFAULT;
	if (!fprog.len || fprog.len > PF_RING_MAX_BPF_INSNS || !fprog.filter)
		return -EINVAL;
	err = bpf_prog_create_from_user(&prog, &fprog, NULL, false);
	if (err)
		return err;
	old = rcu_dereference_protected(r->filter, lockdep_is_held(&r->cfg_lock));
	rcu_assign_pointer(r->filter, prog);
	if (old) {
		synchronize_net();
		bpf_prog_destroy(old);
	}
	return 0;
}

static int pfr_clear_filter(struct pfr_sock *r)
{
	struct bpf_prog *old;

	old = rcu_dereference_protected(r->filter, lockdep_is_held(&r->cfg_lock));
	if (!old)
		return -ENOENT;
	RCU_INIT_POINTER(r->filter, NULL);
	synchronize_net();
	bpf_prog_destroy(old);
	return 0;
}

/* Under pfr_mutex: the device's notifier cannot be halfway through. */
static int pfr_enable(struct pfr_sock *r)
{
	int err = 0;

	mutex_lock(&pfr_mutex);
	if (r->dev_gone)
		err = -ENETDOWN;
	else
		/* The handler sees the ring set up once it sees this. */
		smp_store_release(&r->enabled, true);
	mutex_unlock(&pfr_mutex);
	return err;
}

static int pfr_get_u32(u32 *v, sockptr_t optval, unsigned int optlen)
{
	if (optlen != sizeof(*v))
		return -EINVAL;
	if (copy_from_sockptr(v, optval, sizeof(*v)))
		return -EFAULT;
	return 0;
}

static int pfr_setsockopt(struct socket *sock, int level, int optname,
			  sockptr_t optval, unsigned int optlen)
{
	struct pfr_sock *r = pfr_sk(sock->sk);
	struct pfr_cluster_req creq;
	struct pfr_ring_req rreq;
	char name[PF_RING_APPNAME_MAX];
	unsigned int i;
	int err = 0;
	u32 v;

	if (level != SOL_PF_RING)
		return -ENOPROTOOPT;

	mutex_lock(&r->cfg_lock);
	switch (optname) {
	case PFR_SO_RING:
		if (optlen != sizeof(rreq)) {
			err = -EINVAL;
			break;
		}
		if (copy_from_sockptr(&rreq, optval, sizeof(rreq))) {
			err = -EFAULT;
			break;
		}
		err = pfr_set_ring(r, &rreq);
		break;
	case PFR_SO_ENABLE:
		if (optlen)
			err = -EINVAL;
		else if (!r->bound || !r->mem)
			err = -ENOTCONN;
		else
			err = pfr_enable(r);
		break;
	case PFR_SO_DISABLE:
		if (optlen)
			err = -EINVAL;
		else
			WRITE_ONCE(r->enabled, false);
		break;
	case PFR_SO_DIRECTION:
		err = pfr_get_u32(&v, optval, optlen);
		if (!err && v > PFR_DIR_TX_ONLY)
			err = -EINVAL;
		if (!err)
			WRITE_ONCE(r->direction, v);
		break;
	case PFR_SO_WATERMARK:
		err = pfr_get_u32(&v, optval, optlen);
		if (!err && (!v || v > (r->mem ? r->num_slots : PF_RING_MAX_SLOTS)))
			err = -EINVAL;
		if (!err)
			WRITE_ONCE(r->watermark, v);
		break;
	case PFR_SO_SAMPLING:
		err = pfr_get_u32(&v, optval, optlen);
		if (!err && (!v || v > PF_RING_MAX_SAMPLING))
			err = -EINVAL;
		if (!err) {
			spin_lock_bh(&r->lock);
			r->sampling = v;
			r->sample_count = 0;
			spin_unlock_bh(&r->lock);
		}
		break;
	case PFR_SO_APPNAME:
		if (!optlen || optlen >= sizeof(name)) {
			err = -EINVAL;
			break;
		}
		if (copy_from_sockptr(name, optval, optlen)) {
			err = -EFAULT;
			break;
		}
		name[optlen] = '\0';
		/* It is printed in /proc: printable ASCII only. */
		for (i = 0; i < optlen; i++)
			if (name[i] < 0x20 || name[i] > 0x7e)
				err = -EINVAL;
		if (!err) {
			mutex_lock(&pfr_mutex);
			strscpy(r->appname, name, sizeof(r->appname));
			mutex_unlock(&pfr_mutex);
		}
		break;
	case PFR_SO_CLUSTER:
		if (optlen != sizeof(creq)) {
			err = -EINVAL;
			break;
		}
		if (copy_from_sockptr(&creq, optval, sizeof(creq))) {
			err = -EFAULT;
			break;
		}
		if (!creq.cluster_id || creq.cluster_id > PF_RING_MAX_CLUSTER_ID ||
		    creq.cluster_type > PFR_CLUSTER_TYPE_MAX)
			err = -EINVAL;
		else if (!r->bound)
			err = -ENOTCONN;
		else
			err = pfr_cluster_join(r, creq.cluster_id, creq.cluster_type);
		break;
	case PFR_SO_LEAVE_CLUSTER:
		if (optlen) {
			err = -EINVAL;
			break;
		}
		mutex_lock(&pfr_mutex);
		err = pfr_cluster_leave_locked(r);
		mutex_unlock(&pfr_mutex);
		break;
	case PFR_SO_ATTACH_BPF:
		err = pfr_set_filter(r, optval, optlen);
		break;
	case PFR_SO_DETACH_BPF:
		err = optlen ? -EINVAL : pfr_clear_filter(r);
		break;
	case PFR_SO_SET_RULES:
		err = pfr_set_rules(r, optval, optlen);
		break;
	case PFR_SO_RULES_POLICY:
		err = pfr_get_u32(&v, optval, optlen);
		if (!err && v > PFR_POLICY_DROP)
			err = -EINVAL;
		if (!err)
			WRITE_ONCE(r->policy, v);
		break;
	case PFR_SO_ADD_HASH_RULE:
		err = pfr_add_hash_rule(r, optval, optlen);
		break;
	case PFR_SO_DEL_HASH_RULE:
		err = pfr_del_hash_rule(r, optval, optlen);
		break;
	case PFR_SO_PURGE_HASH_RULES:
		err = pfr_get_u32(&v, optval, optlen);
		if (!err)
			pfr_purge_hash_rules(r, v);
		break;
	default:
		err = -ENOPROTOOPT;
	}
	mutex_unlock(&r->cfg_lock);
	return err;
}

static int pfr_getsockopt(struct socket *sock, int level, int optname,
			  char __user *optval, int __user *optlen)
{
	struct pfr_sock *r = pfr_sk(sock->sk);
	struct pfr_rule_table *t;
	union {
		struct pfr_version ver;
		struct pfr_ring_info info;
		struct pfr_stats st;
		struct pfr_rules_info ri;
	} u;
	int len, need, err = 0;

	if (level != SOL_PF_RING)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	/* Variable size, or with input in optval. */
	if (optname == PFR_SO_RULE_STATS)
		return pfr_get_rule_stats(r, optval, len, optlen);
	if (optname == PFR_SO_HASH_RULE_STATS)
		return pfr_get_hash_rule_stats(r, optval, len, optlen);
	memset(&u, 0, sizeof(u));

	mutex_lock(&r->cfg_lock);
	switch (optname) {
	case PFR_SO_VERSION:
		need = sizeof(u.ver);
		u.ver.abi_version = PF_RING_ABI_VERSION;
		strscpy(u.ver.version, PF_RING_MODULE_VERSION, sizeof(u.ver.version));
		break;
	case PFR_SO_RING_INFO:
		need = sizeof(u.info);
		if (!r->mem) {
			err = -ENOTCONN;
			break;
		}
		u.info.num_slots = r->num_slots;
		u.info.slot_size = r->slot_size;
		u.info.caplen = r->caplen;
		u.info.data_offset = PAGE_SIZE;
		u.info.mmap_bytes = r->mem_bytes;
		break;
	case PFR_SO_STATS:
		need = sizeof(u.st);
		spin_lock_bh(&r->lock);
		u.st.received = r->received;
		u.st.dropped = r->dropped;
		spin_unlock_bh(&r->lock);
		break;
	case PFR_SO_RULES_INFO:
		need = sizeof(u.ri);
		t = rcu_dereference_protected(r->rules, lockdep_is_held(&r->cfg_lock));
		u.ri.n_rules = t ? t->n : 0;
		u.ri.n_hash_rules = r->n_hrules;
		u.ri.policy = r->policy;
		u.ri.last_purged = r->purged;
		break;
	default:
		need = 0;
		err = -ENOPROTOOPT;
	}
	mutex_unlock(&r->cfg_lock);
	if (err)
		return err;
	if (len < need)
		return -EINVAL;
	if (copy_to_user(optval, &u, need) || put_user(need, optlen))
		return -EFAULT;
	return 0;
}

static int pfr_mmap(struct file *file, struct socket *sock,
		    struct vm_area_struct *vma)
{
	struct pfr_sock *r = pfr_sk(sock->sk);
	/*
	 * No cfg_lock: mmap_lock is held here, and setsockopt() takes
	 * mmap_lock (faulting in optval) under cfg_lock.  The ring is set once
	 * and freed only by release(), which cannot run during mmap().
	 */
	u8 *mem = smp_load_acquire(&r->mem);
	unsigned long off;
	int err;

	if (!mem)
		return -ENOTCONN;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != r->mem_bytes)
		return -EINVAL;
	pfr_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (off = 0; off < r->mem_bytes; off += PAGE_SIZE) {
		err = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(mem + off));
		if (err)
			return err;
	}
	return 0;
}

static __poll_t pfr_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct pfr_sock *r = pfr_sk(sk);
	struct pfr_ring_header *hdr;
	__poll_t mask = 0;
	u64 queued;

	sock_poll_wait(file, sock, wait);
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	if (READ_ONCE(r->dev_gone))
		mask |= EPOLLERR | EPOLLHUP;
	/* Pairs with pfr_set_ring(): the header is initialised. */
	hdr = smp_load_acquire(&r->hdr);
	if (hdr) {
		/* Pairs with the handler's release of insert_idx. */
		queued = smp_load_acquire(&hdr->insert_idx) - READ_ONCE(hdr->remove_idx);
		if (queued && queued >= READ_ONCE(r->watermark))
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	if (READ_ONCE(r->ifindex) > 0)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int pfr_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct pfr_sock *r = pfr_sk(sk);
	struct net_device *dev;
	struct sk_buff *skb;
	int ifindex = READ_ONCE(r->ifindex);
	int err;

	if (ifindex <= 0)
		return r->dev_gone ? -ENETDOWN : -EDESTADDRREQ;
	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
		return -EOPNOTSUPP;
	dev = dev_get_by_index(sock_net(sk), ifindex);
	if (!dev)
		return -ENXIO;
	err = -ENETDOWN;
	if (!(dev->flags & IFF_UP))
		goto out_dev;
	/* A whole Ethernet frame, at most MTU plus header and one tag. */
	err = -EMSGSIZE;
	if (len < ETH_HLEN || len > dev->mtu + dev->hard_header_len + VLAN_HLEN)
		goto out_dev;
	skb = sock_alloc_send_skb(sk, len + LL_RESERVED_SPACE(dev),
				  msg->msg_flags & MSG_DONTWAIT, &err);
	if (!skb)
		goto out_dev;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_mac_header(skb);
	err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (err) {
		kfree_skb(skb);
		goto out_dev;
	}
	skb->dev = dev;
	skb->protocol = eth_hdr(skb)->h_proto;
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = READ_ONCE(sk->sk_mark);
	skb_set_network_header(skb, ETH_HLEN);
	err = dev_queue_xmit(skb);
	if (err > 0)
		err = net_xmit_errno(err);
	if (!err)
		err = len;
out_dev:
	dev_put(dev);
	return err;
}

static const struct proto_ops pfr_ops = {
	.family = PF_RING_FAMILY,
	.owner = THIS_MODULE,
	.release = pfr_release,
	.bind = pfr_bind,
	.connect = sock_no_connect,
	.socketpair = sock_no_socketpair,
	.accept = sock_no_accept,
	.getname = sock_no_getname,
	.poll = pfr_poll,
	.ioctl = sock_no_ioctl,
	.listen = sock_no_listen,
	.shutdown = sock_no_shutdown,
	.setsockopt = pfr_setsockopt,
	.getsockopt = pfr_getsockopt,
	.sendmsg = pfr_sendmsg,
	.recvmsg = sock_no_recvmsg,
	.mmap = pfr_mmap,
};

static void pfr_sock_destruct(struct sock *sk)
{
	atomic_dec(&pfr_nr_socks);
}

static int pfr_create(struct net *net, struct socket *sock, int protocol,
		      int kern)
{
	struct pfr_sock *r;
	struct sock *sk;

	/*
	 * CAP_NET_RAW of the initial user namespace, not of the socket's: a
	 * ring is up to PF_RING_MAX_RING_BYTES of kernel memory that no
	 * process owns, and an unprivileged user namespace must not be able
	 * to pin it (README.md, "Privileges and memory").
	 */
	if (!capable(CAP_NET_RAW))
		return -EPERM;
	if (sock->type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	if (protocol)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, PF_RING_FAMILY, GFP_KERNEL, &pfr_proto, kern);
	if (!sk)
		return -ENOMEM;
	sock->ops = &pfr_ops;
	sock_init_data(sock, sk);
	sk->sk_destruct = pfr_sock_destruct;
	atomic_inc(&pfr_nr_socks);

	r = pfr_sk(sk);
	mutex_init(&r->cfg_lock);
	spin_lock_init(&r->lock);
	r->pid = task_tgid_vnr(current);
	r->watermark = 1;
	r->sampling = 1;
	r->direction = PFR_DIR_RX_AND_TX;
	strscpy(r->ifname, "none", sizeof(r->ifname));

	mutex_lock(&pfr_mutex);
	r->id = pfr_next_id++;
	list_add_tail_rcu(&r->node, &pfr_net(net)->rings);
	pfr_net(net)->nr_rings++;
	mutex_unlock(&pfr_mutex);
	return 0;
}

static const struct net_proto_family pfr_family = {
	.family = PF_RING_FAMILY,
	.create = pfr_create,
	.owner = THIS_MODULE,
};

static int __net_init pfr_net_init(struct net *net)
{
	struct pfr_net *pn = pfr_net(net);

	INIT_LIST_HEAD(&pn->rings);
	INIT_LIST_HEAD(&pn->clusters);
	INIT_LIST_HEAD(&pn->devdirs);
	pn->proc_dir = proc_mkdir("pf_ring", net->proc_net);
	if (!pn->proc_dir)
		return -ENOMEM;
	pn->dev_dir = proc_mkdir("dev", pn->proc_dir);
	if (!pn->dev_dir ||
	    !proc_create_single_data("info", 0444, pn->proc_dir, pfr_info_show,
				     net)) {
		remove_proc_subtree("pf_ring", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

/* After the namespace's devices left it: their directories are gone. */
static void __net_exit pfr_net_exit(struct net *net)
{
	struct pfr_net *pn = pfr_net(net);
	struct pfr_devdir *d, *tmp;

	remove_proc_subtree("pf_ring", net->proc_net);
	list_for_each_entry_safe(d, tmp, &pn->devdirs, node) {
		list_del(&d->node);
		kfree(d);
	}
	if (!list_empty(&pn->rings) || !list_empty(&pn->clusters))
		pr_warn("leak: rings or clusters left in a namespace going away\n");
}

static struct pernet_operations pfr_net_ops = {
	.init = pfr_net_init,
	.exit = pfr_net_exit,
	.id = &pfr_net_id,
	.size = sizeof(struct pfr_net),
};

static int __init pfr_init(void)
{
	int err;

	if (!min_num_slots || min_num_slots > PF_RING_MAX_SLOTS) {
		pr_err("min_num_slots must be 1..%u\n", PF_RING_MAX_SLOTS);
		return -EINVAL;
	}
	err = register_pernet_subsys(&pfr_net_ops);
	if (err)
		return err;
	err = proto_register(&pfr_proto, 1);
	if (err)
		goto err_net;
	err = sock_register(&pfr_family);
	if (err)
		goto err_proto;
	/* Fills dev/ with the devices that exist already. */
	err = register_netdevice_notifier(&pfr_netdev_notifier);
	if (err)
		goto err_sock;
	dev_add_pack(&pfr_packet_type);
	pr_info("version %s (ABI %u) loaded, min_num_slots=%u tx_capture=%d defrag=%d quick_mode=%d\n",
		PF_RING_MODULE_VERSION, PF_RING_ABI_VERSION, min_num_slots,
		enable_tx_capture, enable_ip_defrag, quick_mode);
	return 0;

err_sock:
	sock_unregister(PF_RING_FAMILY);
err_proto:
	proto_unregister(&pfr_proto);
err_net:
	unregister_pernet_subsys(&pfr_net_ops);
	return err;
}

static void __exit pfr_exit(void)
{
	dev_remove_pack(&pfr_packet_type);
	/* Replays NETDEV_UNREGISTER: empties every dev/. */
	unregister_netdevice_notifier(&pfr_netdev_notifier);
	sock_unregister(PF_RING_FAMILY);
	/* Clusters and member arrays go through kfree_rcu. */
	rcu_barrier();
	unregister_pernet_subsys(&pfr_net_ops);
	proto_unregister(&pfr_proto);
	if (atomic_read(&pfr_nr_socks) || atomic_read(&pfr_nr_rule_objs))
		pr_warn("leak: %d sockets, %d rule objects at unload\n",
			atomic_read(&pfr_nr_socks), atomic_read(&pfr_nr_rule_objs));
	pr_info("unloaded\n");
}

module_init(pfr_init);
module_exit(pfr_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("PF_RING socket family: mmap'ed capture rings and clusters");
MODULE_VERSION(PF_RING_MODULE_VERSION);
MODULE_ALIAS_NETPROTO(PF_RING_FAMILY);
