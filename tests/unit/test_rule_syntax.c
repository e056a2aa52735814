/*
 * test_rule_syntax.c - filtering rules as users write them: every field,
 * hash rules, the default policy, ordering by id, PFRING_RULES, which source
 * wins, and the error text for malformed lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pf_config.h"
#include "check.h"

static struct pf_rule_config rc;
static char err[PF_ERRBUF_SIZE];

static int
parse(const char *line)
{
	err[0] = '\0';
	return pf_rule_line_parse(line, &rc, err, sizeof(err));
}

static void
check_error(const char *line, const char *msg)
{
	struct pf_rule_config before = rc;

	CHECK_INT(-1, parse(line));
	CHECK_STR(msg, err);
	/* A rejected line leaves the set as it was. */
	CHECK(memcmp(&before, &rc, sizeof(rc)) == 0);
}

static void
test_wildcard_fields(void)
{
	const struct pf_rule *r;

	pf_rule_config_init(&rc);
	CHECK_INT(0, parse("rule 10 drop proto udp dst-port 53"));
	r = &rc.rules[0];
	CHECK_INT(10, r->id);
	CHECK_INT(PF_RULE_DROP, r->action);
	CHECK_INT(17, r->proto);
	CHECK_INT(53, r->dst_port_lo);
	CHECK_INT(53, r->dst_port_hi);
	CHECK_INT(0, r->src_port_hi);

	CHECK_INT(0, parse("rule 20 pass src 10.0.0.0/8 dst-port 1000-2000"));
	r = &rc.rules[1];
	CHECK_INT(4, r->ip_version);
	CHECK_INT(0x0a000000, r->src_ip[0]);
	CHECK_INT(0xff000000, r->src_mask[0]);
	CHECK_INT(0, r->src_mask[1]);
	CHECK_INT(1000, r->dst_port_lo);
	CHECK_INT(2000, r->dst_port_hi);

	/* Host bits outside the prefix are cleared. */
	CHECK_INT(0, parse("rule 30 count dst 192.168.1.77/24 vlan 100 bidir"));
	r = &rc.rules[2];
	CHECK_INT(PF_RULE_CONTINUE, r->action);
	CHECK_INT(0xc0a80100, r->dst_ip[0]);
	CHECK_INT(0xffffff00, r->dst_mask[0]);
	CHECK_INT(100, r->vlan_id);
	CHECK_INT(PF_RULE_F_BIDIR, r->flags);

	CHECK_INT(0, parse("rule 40 drop src 2001:db8::1/33 proto tcp src-port 22"));
	r = &rc.rules[3];
	CHECK_INT(6, r->ip_version);
	CHECK_INT(0x20010db8, r->src_ip[0]);
	CHECK_INT(0xffffffff, r->src_mask[0]);
	CHECK_INT(0x80000000, r->src_mask[1]);
	CHECK_INT(0, r->src_ip[3]);
	CHECK_INT(6, r->proto);

	CHECK_INT(0, parse("rule 50 pass src-mac 02:00:00:00:00:01 dst-mac 02:AA:bb:00:00:02 "
			   "payload \"GET /\" balance 1/4 ipv4"));
	r = &rc.rules[4];
	CHECK(memcmp(r->src_mac, "\x02\x00\x00\x00\x00\x01", 6) == 0);
	CHECK(memcmp(r->dst_mac, "\x02\xaa\xbb\x00\x00\x02", 6) == 0);
	CHECK_INT(5, r->pattern_len);
	CHECK(memcmp(r->pattern, "GET /", 5) == 0);
	CHECK_INT(1, r->balance_id);
	CHECK_INT(4, r->balance_pool);
	CHECK_INT(4, r->ip_version);

	CHECK_INT(0, parse("rule 60 drop payload 0xdeadBEEF proto 47"));
	r = &rc.rules[5];
	CHECK_INT(4, r->pattern_len);
	CHECK(memcmp(r->pattern, "\xde\xad\xbe\xef", 4) == 0);
	CHECK_INT(47, r->proto);
	CHECK_INT(6, rc.n_rules);
}

static void
test_order_and_limits(void)
{
	char line[64];
	int i;

	pf_rule_config_init(&rc);
	CHECK_INT(0, parse("rule 30 drop"));
	CHECK_INT(0, parse("rule 10 pass"));
	CHECK_INT(0, parse("rule 20 count"));
	CHECK_INT(10, rc.rules[0].id);
	CHECK_INT(20, rc.rules[1].id);
	CHECK_INT(30, rc.rules[2].id);
	check_error("rule 20 drop", "rule 20: id used twice");
	for (i = 3; i < PF_RULES_MAX; i++) {
		snprintf(line, sizeof(line), "rule %d drop", 100 + i);
		CHECK_INT(0, parse(line));
	}
	check_error("rule 9999 drop", "rule 9999: too many rules (max 32)");
	CHECK_INT(PF_RULES_MAX, rc.n_rules);
}

static void
test_hash_and_default(void)
{
	const struct pf_hash_rule_entry *e;

	pf_rule_config_init(&rc);
	CHECK_INT(0, parse("hash 5 pass tcp 10.0.0.1:1234 10.0.0.2:80 bidir"));
	e = &rc.hash[0];
	CHECK_INT(5, e->rule.id);
	CHECK_INT(PF_RULE_PASS, e->rule.action);
	CHECK_INT(PF_RULE_F_BIDIR, e->rule.flags);
	CHECK_INT(6, e->key.proto);
	CHECK_INT(0x0a000001, e->key.src_ip[0]);
	CHECK_INT(0x0a000002, e->key.dst_ip[0]);
	CHECK_INT(1234, e->key.src_port);
	CHECK_INT(80, e->key.dst_port);
	CHECK_INT(0, e->key.vlan_id);

	CHECK_INT(0, parse("hash 6 drop udp [2001:db8::1]:53 [2001:db8::2]:5353 vlan 7"));
	e = &rc.hash[1];
	CHECK_INT(0x20010db8, e->key.src_ip[0]);
	CHECK_INT(1, e->key.src_ip[3]);
	CHECK_INT(2, e->key.dst_ip[3]);
	CHECK_INT(5353, e->key.dst_port);
	CHECK_INT(7, e->key.vlan_id);
	CHECK_INT(2, rc.n_hash);

	check_error("hash 7 drop tcp 10.0.0.1:1234 10.0.0.2:80", "hash 7: id or flow used twice");
	check_error("hash 5 drop tcp 10.9.0.1:1 10.9.0.2:2", "hash 5: id or flow used twice");
	check_error("hash 8 drop tcp 10.0.0.1:1 [::1]:2",
		    "hash 8: bad endpoints '10.0.0.1:1' '[::1]:2' (ip:port, [ipv6]:port)");
	check_error("hash 8 drop tcp 10.0.0.1 10.0.0.2:80",
		    "hash 8: bad endpoints '10.0.0.1' '10.0.0.2:80' (ip:port, [ipv6]:port)");
	check_error("hash 8 drop tcpx 10.0.0.1:1 10.0.0.2:80", "hash 8: bad protocol 'tcpx'");
	check_error("hash 8 drop tcp 10.0.0.1:1 10.0.0.2:80 vlan 0", "hash 8: unexpected 'vlan'");
	check_error("hash 8 keep tcp 10.0.0.1:1 10.0.0.2:80",
		    "hash 8: unknown action 'keep' (pass, drop or count)");

	CHECK_INT(0, rc.has_default);
	CHECK_INT(0, parse("default drop"));
	CHECK_INT(1, rc.has_default);
	CHECK_INT(1, rc.default_drop);
	CHECK_INT(0, parse("default pass"));
	CHECK_INT(0, rc.default_drop);
	check_error("default accept", "expected 'default pass' or 'default drop'");
}

static void
test_errors(void)
{
	pf_rule_config_init(&rc);
	check_error("rule drop proto udp", "expected 'rule <id 0-65535> <pass|drop|count> [fields]'");
	check_error("rule 70000 drop", "expected 'rule <id 0-65535> <pass|drop|count> [fields]'");
	check_error("rule 1", "expected 'rule <id 0-65535> <pass|drop|count> [fields]'");
	check_error("rule 1 keep", "rule 1: unknown action 'keep' (pass, drop or count)");
	check_error("rule 1 drop dstport 53", "rule 1: unknown field 'dstport'");
	check_error("rule 1 drop proto", "rule 1: missing value for 'proto'");
	check_error("rule 1 drop proto xyz", "rule 1: bad value 'xyz' for 'proto'");
	check_error("rule 1 drop proto 0", "rule 1: bad value '0' for 'proto'");
	check_error("rule 1 drop proto 256", "rule 1: bad value '256' for 'proto'");
	check_error("rule 1 drop src 10.0.0.300", "rule 1: bad value '10.0.0.300' for 'src'");
	check_error("rule 1 drop src 10.0.0.0/33", "rule 1: bad value '10.0.0.0/33' for 'src'");
	check_error("rule 1 drop src 10.0.0.0/", "rule 1: bad value '10.0.0.0/' for 'src'");
	check_error("rule 1 drop src 10.0.0.1 dst ::1", "rule 1: dst mixes IPv4 and IPv6");
	check_error("rule 1 drop ipv6 src 10.0.0.1", "rule 1: src mixes IPv4 and IPv6");
	check_error("rule 1 drop dst-port 2000-1000", "rule 1: bad value '2000-1000' for 'dst-port'");
	check_error("rule 1 drop dst-port 0", "rule 1: bad value '0' for 'dst-port'");
	check_error("rule 1 drop dst-port 65536", "rule 1: bad value '65536' for 'dst-port'");
	check_error("rule 1 drop dst-port 5x", "rule 1: bad value '5x' for 'dst-port'");
	check_error("rule 1 drop src-mac 02:00:00:00:00", "rule 1: bad value '02:00:00:00:00' for 'src-mac'");
	check_error("rule 1 drop src-mac 02:00:00:00:00:0g", "rule 1: bad value '02:00:00:00:00:0g' for 'src-mac'");
	check_error("rule 1 drop vlan 0", "rule 1: bad value '0' for 'vlan'");
	check_error("rule 1 drop vlan 4096", "rule 1: bad value '4096' for 'vlan'");
	check_error("rule 1 drop payload \"\"", "rule 1: bad value '\"\"' for 'payload'");
	check_error("rule 1 drop payload \"123456789\"", "rule 1: bad value '\"123456789\"' for 'payload'");
	check_error("rule 1 drop payload 0x123", "rule 1: bad value '0x123' for 'payload'");
	check_error("rule 1 drop payload 0xzz", "rule 1: bad value '0xzz' for 'payload'");
	check_error("rule 1 drop payload \"abc", "unterminated or too long quoted text");
	check_error("rule 1 drop balance 4/4", "rule 1: bad value '4/4' for 'balance'");
	check_error("rule 1 drop balance 1/0", "rule 1: bad value '1/0' for 'balance'");
	check_error("rule 1 drop balance 1/256", "rule 1: bad value '1/256' for 'balance'");
	check_error("filter 1 drop", "unknown rule kind 'filter' (rule, hash or default)");
	CHECK_INT(0, rc.n_rules);
}

/* The environment and files: PFRING_RULES, and the most specific source's rules win. */
static const char *env_rules, *env_config;

static const char *
fake_getenv(const char *name)
{
	if (strcmp(name, "PFRING_RULES") == 0)
		return env_rules;
	if (strcmp(name, "PFRING_CONFIG") == 0)
		return env_config;
	return NULL;
}

static void
test_sources(void)
{
	struct pf_config cfg;
	char dir[] = "/tmp/test_rule_syntax.XXXXXX", path[64];
	FILE *f;

	env_rules = "rule 2 drop proto udp ;; rule 1 pass dst-port 80; default drop";
	env_config = NULL;
	CHECK_INT(0, pf_config_load(&cfg, NULL, fake_getenv, err, sizeof(err)));
	CHECK_INT(2, cfg.rules.n_rules);
	CHECK_INT(1, cfg.rules.rules[0].id);
	CHECK_INT(1, cfg.rules.default_drop);

	env_rules = "rule 2 drop proto udp; rule 3 drop dstport 1";
	CHECK_INT(-1, pf_config_load(&cfg, NULL, fake_getenv, err, sizeof(err)));
	CHECK_STR("PFRING_RULES: rule line 2: rule 3: unknown field 'dstport'", err);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/h.conf", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs("# handle rules replace the environment's\nrule 9 count vlan 5\nhash 1 drop udp 1.2.3.4:5 6.7.8.9:10\n", f);
	fclose(f);
	env_rules = "rule 2 drop proto udp; default drop";
	CHECK_INT(0, pf_config_load(&cfg, path, fake_getenv, err, sizeof(err)));
	CHECK_INT(1, cfg.rules.n_rules);
	CHECK_INT(9, cfg.rules.rules[0].id);
	CHECK_INT(1, cfg.rules.n_hash);
	/* The file did not set a default: the environment's stays. */
	CHECK_INT(1, cfg.rules.has_default);
	CHECK_INT(1, cfg.rules.default_drop);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_wildcard_fields();
	test_order_and_limits();
	test_hash_and_default();
	test_errors();
	test_sources();
	return check_exit("test_rule_syntax");
}
