/*
 * test_rules_bpf.c - filtering rules give the same verdict in the kernel
 * (the rules eBPF program, run with BPF_PROG_TEST_RUN) and in user space
 * (pf_rules_set_verdict), and count the same matches, on targeted frames
 * for each rule, the golden frames cut at every length, and random frames.
 * Then the user-space rule set's own semantics: order, continue, default,
 * hash rules both ways, removal, purge.  Exits 77 without BPF permission.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "pf_rules_set.h"
#include "flow_frames.h"
#include "check.h"

#define CAPLEN 65535

static const char *const rule_lines[] = {
	"rule 10 drop proto udp dst-port 53",
	"rule 20 pass src 10.0.0.0/8 dst-port 1000-2000",
	"rule 25 count vlan 100",
	"rule 26 count src 128.0.0.0/1",
	"rule 30 drop payload \"GET \"",
	"rule 40 pass src 192.168.0.0/16 proto tcp bidir",
	"rule 45 drop src-mac 02:00:00:00:00:0a dst-port 0-1023",
	"rule 50 drop balance 1/3",
	"rule 60 pass ipv6 proto 17 src-port 32768-65535",
	"hash 5 pass tcp 10.0.0.1:1234 10.0.0.2:80 bidir",
	"hash 6 drop udp 10.1.1.1:5 10.2.2.2:6",
};
#define N_RULE_LINES ((int)(sizeof(rule_lines) / sizeof(rule_lines[0])))

static struct pf_rules_set *kernel_rs, *user_rs;
static int prog_fd, runs;


static void
compare(const char *what, const uint8_t *pkt, uint32_t len)
{
	struct bpf_test_run_opts o;
	uint8_t out[FF_MAX + 64];
	int keep;

	if (!ff_test_runnable(pkt, len))
		return;
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.data_in = pkt;
	o.data_size_in = len;
	o.data_out = out;
	o.data_size_out = sizeof(out);
	o.repeat = 1;
	if (bpf_prog_test_run_opts(prog_fd, &o) != 0) {
		FAIL_AT("%s len %u: test run: %s", what, len, strerror(errno));
		return;
	}
	runs++;
	keep = pf_rules_set_verdict(user_rs, pkt, len, len);
	n_checks++;
	if ((o.retval != 0) != keep)
		FAIL_AT("%s len %u: kernel %s, user space %s", what, len,
			o.retval ? "keeps" : "drops", keep ? "keeps" : "drops");
	else if (keep && o.retval != CAPLEN)
		FAIL_AT("%s len %u: kernel keeps %u bytes, not the caplen", what, len, o.retval);
}

/* A frame for a tuple, optionally VLAN-tagged, with payload after the L4 stub. */
static uint32_t
frame(uint8_t *p, const struct ff_tuple *t, uint16_t vlan, const char *payload)
{
	static const uint16_t tpid = 0x8100;
	uint32_t off, plen = payload ? (uint32_t)strlen(payload) : 0;

	off = ff_eth(p, ff_mac_b, ff_mac_a, vlan ? 1 : 0, &tpid, &vlan,
		     t->v6 ? 0x86dd : 0x0800);
	if (t->v6)
		off += ff_ipv6(p + off, t, t->proto, (uint16_t)(8 + plen));
	else
		off += ff_ipv4(p + off, t, 0, 5, (uint16_t)(8 + plen));
	off += ff_l4(p + off, t);
	memcpy(p + off, payload ? payload : "", plen);
	return off + plen;
}

/* TCP needs a full 20-byte header for its payload to be found. */
static uint32_t
tcp_frame(uint8_t *p, const struct ff_tuple *t, const char *payload)
{
	uint32_t off, plen = payload ? (uint32_t)strlen(payload) : 0;

	off = ff_eth(p, ff_mac_b, ff_mac_a, 0, NULL, NULL, t->v6 ? 0x86dd : 0x0800);
	if (t->v6)
		off += ff_ipv6(p + off, t, 6, (uint16_t)(20 + plen));
	else
		off += ff_ipv4(p + off, t, 0, 5, (uint16_t)(20 + plen));
	memset(p + off, 0, 20);
	ff_put16(p + off, t->sport);
	ff_put16(p + off + 2, t->dport);
	p[off + 12] = 5 << 4;
	off += 20;
	memcpy(p + off, payload ? payload : "", plen);
	return off + plen;
}

static void
test_agreement(void)
{
	struct ff_frame fr[FF_COUNT];
	struct ff_tuple t;
	uint8_t buf[FF_MAX];
	uint32_t seed = 0x5eed, len, l;
	int i, n;

	ff_v4(&t, 0x01020304, 0x05060708, 17, 999, 53);
	compare("rule 10 udp dns", buf, frame(buf, &t, 0, NULL));
	ff_v4(&t, 0x0a010203, 0x01010101, 6, 5, 1500);
	compare("rule 20 src 10/8", buf, tcp_frame(buf, &t, NULL));
	ff_v4(&t, 0x0a000001, 0x0a000002, 6, 1234, 80);
	compare("hash 5", buf, tcp_frame(buf, &t, NULL));
	ff_v4(&t, 0x0a000002, 0x0a000001, 6, 80, 1234);
	compare("hash 5 reverse", buf, tcp_frame(buf, &t, NULL));
	ff_v4(&t, 0x0a010101, 0x0a020202, 17, 5, 6);
	compare("hash 6", buf, frame(buf, &t, 0, NULL));
	ff_v4(&t, 0x0a020202, 0x0a010101, 17, 6, 5);
	compare("hash 6 reverse (not bidir)", buf, frame(buf, &t, 0, NULL));
	ff_v4(&t, 0x03030303, 0xc0a80101, 6, 80, 44444);
	compare("rule 40 bidir", buf, tcp_frame(buf, &t, NULL));
	ff_v4(&t, 0x04040404, 0x04040405, 17, 7000, 7001);
	compare("rule 30 payload udp", buf, frame(buf, &t, 0, "xxGET /x"));
	compare("rule 30 payload udp, vlan 100", buf, frame(buf, &t, 100, "GET /"));
	compare("no payload match", buf, frame(buf, &t, 0, "xxGEX /x"));
	compare("payload beyond the scanned bytes", buf,
		frame(buf, &t, 0, "0123456789012345678901234567890123GET "));
	compare("rule 30 payload tcp", buf, tcp_frame(buf, &t, "HEAD GET "));
	ff_v4(&t, 0x04040404, 0x04040405, 6, 7000, 7001);
	compare("rule 30 payload tcp", buf, tcp_frame(buf, &t, "HEAD GET "));
	ff_v6(&t, 1, 2, 17, 40000, 9);
	compare("rule 60 ipv6 udp", buf, frame(buf, &t, 0, NULL));
	ff_v4(&t, 0x05050505, 0x06060606, 17, 7, 80);
	compare("rule 45 mac and port", buf, frame(buf, &t, 0, NULL));

	ff_golden(fr);
	for (i = 0; i < FF_COUNT; i++)
		for (l = FF_MIN_RUN_LEN; l <= fr[i].len; l++)
			compare(fr[i].name, fr[i].data, l);
	for (n = 0; n < 600; n++) {
		len = ff_random_frame(buf, &seed, NULL);
		compare("random", buf, len);
		l = FF_MIN_RUN_LEN + ff_rand(&seed) % (len - FF_MIN_RUN_LEN + 1);
		compare("random cut", buf, l);
	}
}

/* Same matches counted on both sides (the test runner pulls the 14-byte
 * Ethernet header before the program sees skb->len). */
static void
test_counters(void)
{
	struct pf_rule_stats k, u;
	int i, any = 0;
	uint16_t ids[] = { 10, 20, 25, 26, 30, 40, 45, 50, 60 };

	for (i = 0; i < (int)(sizeof(ids) / sizeof(ids[0])); i++) {
		CHECK_INT(0, pf_rules_set_stats(kernel_rs, ids[i], &k));
		CHECK_INT(0, pf_rules_set_stats(user_rs, ids[i], &u));
		CHECK_INT(u.packets, k.packets);
		CHECK_INT(u.bytes, k.bytes + 14 * k.packets);
		any |= k.packets != 0;
	}
	CHECK(any);
	CHECK_INT(-1, pf_rules_set_stats(user_rs, 11, &u));
}

static struct pf_rules_set *
make_set(const char *const *lines, int n, const char *dflt, int force_user)
{
	struct pf_rule_config rc;
	struct pf_rules_set *rs;
	char err[256], notice[256];
	int i;

	pf_rule_config_init(&rc);
	for (i = 0; i < n; i++)
		if (pf_rule_line_parse(lines[i], &rc, err, sizeof(err)) < 0)
			FAIL_AT("%s: %s", lines[i], err);
	if (dflt != NULL && pf_rule_line_parse(dflt, &rc, err, sizeof(err)) < 0)
		FAIL_AT("%s: %s", dflt, err);
	rs = pf_rules_set_create(&rc, force_user, notice, sizeof(notice), err, sizeof(err));
	if (rs == NULL)
		FAIL_AT("pf_rules_set_create: %s", err);
	else
		pf_rules_set_params(rs, CAPLEN, 0, -1);
	if (!force_user && rs != NULL && pf_rules_set_prog_fd(rs) < 0) {
		printf("test_rules_bpf: SKIP kernel side: %s\n", notice);
		pf_rules_set_destroy(rs);
		return NULL;
	}
	return rs;
}

/* User-space semantics with exact expectations, one frame at a time. */
static int
verdict_v4(struct pf_rules_set *rs, uint32_t s, uint32_t d, uint8_t proto,
	   uint16_t sp, uint16_t dp)
{
	struct ff_tuple t;
	uint8_t buf[FF_MAX];
	uint32_t len;

	ff_v4(&t, s, d, proto, sp, dp);
	len = proto == 6 ? tcp_frame(buf, &t, NULL) : frame(buf, &t, 0, NULL);
	return pf_rules_set_verdict(rs, buf, len, len);
}

static void
test_semantics(void)
{
	static const char *const order[] = {
		"rule 5 count proto udp",
		"rule 10 pass dst-port 80",
		"rule 20 drop proto udp",
	};
	struct pf_rules_set *rs;
	struct pf_rule_stats st;
	struct pf_hash_key key;
	struct pf_hash_rule hr, got;

	rs = make_set(order, 3, "default drop", 1);
	if (rs == NULL)
		return;
	/* udp to port 80: counted by 5, passed by 10 before 20 can drop it */
	CHECK_INT(1, verdict_v4(rs, 1, 2, 17, 9, 80));
	CHECK_INT(0, verdict_v4(rs, 1, 2, 17, 9, 81));   /* 5 counts, 20 drops */
	CHECK_INT(0, verdict_v4(rs, 1, 2, 6, 9, 81));    /* no rule: default drop */
	CHECK_INT(1, verdict_v4(rs, 1, 2, 6, 9, 80));
	CHECK_INT(0, pf_rules_set_stats(rs, 5, &st));
	CHECK_INT(2, st.packets);
	CHECK_INT(0, pf_rules_set_stats(rs, 10, &st));
	CHECK_INT(2, st.packets);
	CHECK_INT(0, pf_rules_set_stats(rs, 20, &st));
	CHECK_INT(1, st.packets);
	/* default pass; removing rule 10 lets rule 20 drop port-80 udp */
	CHECK_INT(0, pf_rules_set_default(rs, 0));
	CHECK_INT(1, verdict_v4(rs, 1, 2, 6, 9, 81));
	CHECK_INT(0, pf_rules_set_remove(rs, 10));
	CHECK_INT(-1, pf_rules_set_remove(rs, 10));
	CHECK_INT(0, verdict_v4(rs, 1, 2, 17, 9, 80));
	CHECK_INT(0, pf_rules_set_stats(rs, 20, &st));
	CHECK_INT(2, st.packets);

	/* hash rules: exact, both ways only when bidirectional, purge */
	memset(&key, 0, sizeof(key));
	key.src_ip[0] = 0x0a000001;
	key.dst_ip[0] = 0x0a000002;
	key.src_port = 1111;
	key.dst_port = 22;
	key.proto = 6;
	memset(&hr, 0, sizeof(hr));
	hr.id = 7;
	hr.action = PF_RULE_DROP;
	CHECK_INT(0, pf_rules_set_hash(rs, &key, &hr, 1));
	CHECK_INT(0, verdict_v4(rs, 0x0a000001, 0x0a000002, 6, 1111, 22));
	CHECK_INT(1, verdict_v4(rs, 0x0a000002, 0x0a000001, 6, 22, 1111));
	CHECK_INT(1, verdict_v4(rs, 0x0a000001, 0x0a000002, 6, 1112, 22));
	hr.flags = PF_RULE_F_BIDIR;
	CHECK_INT(0, pf_rules_set_hash(rs, &key, &hr, 1));
	CHECK_INT(0, verdict_v4(rs, 0x0a000002, 0x0a000001, 6, 22, 1111));
	CHECK_INT(0, pf_rules_set_hash_stats(rs, &key, &got));
	CHECK_INT(1, got.packets);
	CHECK_INT(0, pf_rules_set_purge_idle(rs, 3600));
	CHECK_INT(1, pf_rules_set_purge_idle(rs, 0));
	CHECK_INT(-1, pf_rules_set_hash_stats(rs, &key, &got));
	CHECK_INT(1, verdict_v4(rs, 0x0a000001, 0x0a000002, 6, 1111, 22));
	pf_rules_set_destroy(rs);
}

int
main(void)
{
	test_semantics();
	kernel_rs = make_set(rule_lines, N_RULE_LINES, "default drop", 0);
	if (kernel_rs == NULL) {
		check_exit("test_rules_bpf");
		return n_failed ? 1 : 77;
	}
	user_rs = make_set(rule_lines, N_RULE_LINES, "default drop", 1);
	prog_fd = pf_rules_set_prog_fd(kernel_rs);
	test_agreement();
	test_counters();
	pf_rules_set_destroy(kernel_rs);
	pf_rules_set_destroy(user_rs);

	/* The same rules under the other default policy. */
	kernel_rs = make_set(rule_lines, N_RULE_LINES, "default pass", 0);
	user_rs = make_set(rule_lines, N_RULE_LINES, "default pass", 1);
	prog_fd = pf_rules_set_prog_fd(kernel_rs);
	test_agreement();
	test_counters();
	pf_rules_set_destroy(kernel_rs);
	pf_rules_set_destroy(user_rs);
	printf("test_rules_bpf: %d kernel runs compared\n", runs);
	return check_exit("test_rules_bpf");
}
