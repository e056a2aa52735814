/*
 * fuzz_config.c - libFuzzer target for the config file, environment value
 * and filtering-rule parsers (pf_config.c, pf_rule_syntax.c).  Device names:
 * fuzz_devname.c.
 *
 * Built with -DFUZZ_REPLAY_MAIN it is a plain program instead: it runs each
 * file named on the command line through the same entry point, or a built-in
 * set of awkward inputs when given none, so "make check" replays a corpus
 * without needing clang's fuzzer runtime.  See tests/fuzz/fuzz.am for the
 * libFuzzer build command.
 */
#include "pf_config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The getter has no context argument; a fuzz run is single-threaded. */
static const char *env_input;

static const char *fuzz_getenv(const char *name)
{
	/* PFRING_CONFIG would make the input a file name to open: keep it out */
	if (strcmp(name, "PFRING_CONFIG") == 0)
		return NULL;
	return env_input;
}

/* A message must be terminated inside the buffer and not be empty. */
static void check_err(const char *err, size_t errlen)
{
	if (memchr(err, '\0', errlen) == NULL || err[0] == '\0')
		abort();
}

static void check_config(const struct pf_config *c)
{
	unsigned int i;

	if (c->set & ~0xfffu)
		abort();
	/* Rules: within bounds, ids unique and in order. */
	if (c->rules.n_rules > PF_RULES_MAX || c->rules.n_hash > PF_CONFIG_HASH_RULES_MAX)
		abort();
	for (i = 1; i < c->rules.n_rules; i++) {
		if (c->rules.rules[i - 1].id >= c->rules.rules[i].id)
			abort();
	}
	for (i = 0; i < c->rules.n_rules; i++) {
		if (c->rules.rules[i].action > PF_RULE_CONTINUE ||
		    c->rules.rules[i].pattern_len > PF_RULE_PATTERN_MAX)
			abort();
	}
	if ((c->set & PF_KEY_CLUSTER) && (c->cluster_id < 1 || c->cluster_id > 65535))
		abort();
	if (c->rx_slots < 1 || c->rx_slots > 1048576)
		abort();
	if (c->caplen > 262144 || c->sampling_rate < 1 || c->sampling_rate > 16777216)
		abort();
	if (c->watermark < 1 || c->watermark > 65535)
		abort();
	if (memchr(c->appname, '\0', sizeof(c->appname)) == NULL)
		abort();
	if ((unsigned int)c->cluster_type > cluster_per_flow_ip_with_dup_tuple ||
	    (unsigned int)c->direction > tx_only_direction ||
	    (unsigned int)c->engine > PF_ENGINE_KMOD)
		abort();
	if (c->xdp_allow_default_route != 0 && c->xdp_allow_default_route != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_config cfg;
	char err[PF_ERRBUF_SIZE];
	char tiny[7];
	char *str;
	int i;

	/* The raw bytes, not terminated: any read past size is a real bug. */
	pf_config_defaults(&cfg);
	if (pf_config_parse_text("fuzz.conf", (const char *)data, size, &cfg,
				 err, sizeof(err)) != 0)
		check_err(err, sizeof(err));
	check_config(&cfg);
	pf_config_defaults(&cfg);
	if (pf_config_parse_text("fuzz.conf", (const char *)data, size, &cfg,
				 tiny, sizeof(tiny)) != 0)
		check_err(tiny, sizeof(tiny));

	str = malloc(size + 1);
	if (str == NULL)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';

	/* The same value for every variable exercises all value grammars. */
	env_input = str;
	pf_config_defaults(&cfg);
	if (pf_config_apply_env(&cfg, fuzz_getenv, err, sizeof(err)) != 0)
		check_err(err, sizeof(err));
	check_config(&cfg);
	env_input = NULL;

	{
		struct pf_rule_config rc;

		pf_rule_config_init(&rc);
		if (pf_rule_line_parse(str, &rc, err, sizeof(err)) != 0)
			check_err(err, sizeof(err));
		if (rc.n_rules > 1 || rc.n_hash > 1)
			abort();
	}

	i = pf_cluster_type_from_name(str);
	if (i >= 0 && pf_cluster_type_from_name(pf_cluster_type_name((cluster_type)i)) != i)
		abort();

	free(str);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
#include "fuzz_replay.h"

/* sizeof - 1 keeps embedded NULs and drops the literal's terminator. */
#define IN(s) { s, sizeof(s) - 1 }
static const struct {
	const char *data;
	size_t len;
} builtin[] = {
	IN(""),
	IN("\n"),
	IN("rule 10 drop proto udp dst-port 53\nrule 20 pass src 10.0.0.0/8 dst-port 1000-2000\n"),
	IN("rule 1 count src 2001:db8::/32 payload \"GET \" bidir balance 1/4 vlan 4095\n"),
	IN("rule 1 drop payload 0x00ff00ff src-mac 02:00:00:00:00:01 dst-mac ff:ff:ff:ff:ff:ff\n"),
	IN("hash 5 pass tcp 10.0.0.1:1234 10.0.0.2:80 bidir vlan 7\ndefault drop\n"),
	IN("hash 6 drop udp [::1]:53 [::2]:5353\nhash 6 drop udp [::1]:53 [::2]:5353\n"),
	IN("rule 65535 drop src 10.0.0.0/33\n"),
	IN("rule 1 drop payload \"unterminated\n"),
	IN("rule 1 drop dst-port 5-\nrule 2 drop dst-port -5\n"),
	IN("rule 1 drop src 10.0.0.1 dst ::1\n"),
	IN("\r\n\r\n"),
	IN("cluster = 42\ncluster_type = round_robin\nrx_slots = 8192\n"),
	IN("caplen=1\rsampling=2\r\n"),
	IN("rx_slots = 99999999999999999999\n"),
	IN("rx_slots = 18446744073709551615\n"),
	IN("rx_slots = 4096x"),
	IN("cluster = -1\n"),
	IN("cluster ="),
	IN("="),
	IN("= = ="),
	IN("#"),
	IN("appname = \x7f\x80\xff"),
	IN("appname = a\0b\n"),
	IN("\0"),
	IN("rule"),
	IN("hash=1"),
	IN("default accept"),
	IN("cluster_type = cluster_per_flow_tcp_5_tuple # x"),
	IN("direction = inout\nengine = kmod\nwatermark = 65535"),
	IN("xdp_allow_default_route = 1\nxdp_allow_default_route = 0"),
	IN("xdp_allow_default_route = 10"),
	IN("eth0"),
	IN("eth0,eth1@1"),
	IN("eth0@1,eth1"),
	IN("eth0@"),
	IN("@"),
	IN(","),
	IN(",,,,,,,,,,"),
	IN("a,b,c,d,e,f,g,h,i"),
	IN("a,b,c,d,e,f,g,h@4095"),
	IN("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@1"),
	IN("eth0@4096"),
	IN("eth0@00000000000000000000000000000000001"),
	IN("eth0,eth0"),
	IN(".."),
	IN("e\tth0"),
	IN("per_flow"),
	IN("cluster_per_flow_5_tuple"),
};

int main(int argc, char **argv)
{
	char longline[3000];
	size_t i;
	int n = 0, bad = 0;

	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++) {
			if (replay_file(argv[i]) < 0)
				bad++;
			n++;
		}
	} else {
		for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++, n++)
			LLVMFuzzerTestOneInput((const uint8_t *)builtin[i].data,
					       builtin[i].len);
		memset(longline, 'a', sizeof(longline));
		LLVMFuzzerTestOneInput((const uint8_t *)longline, sizeof(longline));
		memcpy(longline, "appname =", 9);
		longline[1025] = '\n';
		LLVMFuzzerTestOneInput((const uint8_t *)longline, sizeof(longline));
		n += 2;
	}
	printf("fuzz_config: %d inputs replayed\n", n);
	return bad ? 1 : 0;
}

#endif /* FUZZ_REPLAY_MAIN */
