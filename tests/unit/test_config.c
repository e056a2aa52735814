/*
 * test_config.c - unit tests for pf_config.c: config file grammar, every key
 * and its limits, environment variables and PF_RING aliases, and the merge
 * order of pf_config_load().  Device names: test_devname.c.
 *
 * The environment is a fake table handed to the code through the getter, so
 * the tests never depend on (or change) the real environment.
 */
#include "pf_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int n_checks, n_failed;

#define FAIL_AT(...)                                                    \
	do {                                                            \
		n_failed++;                                             \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);         \
		fprintf(stderr, __VA_ARGS__);                           \
		fputc('\n', stderr);                                    \
	} while (0)

#define CHECK(cond)                                                     \
	do {                                                            \
		n_checks++;                                             \
		if (!(cond))                                            \
			FAIL_AT("check failed: %s", #cond);             \
	} while (0)

#define CHECK_INT(exp, act)                                             \
	do {                                                            \
		long long e_ = (long long)(exp), a_ = (long long)(act);  \
		n_checks++;                                             \
		if (e_ != a_)                                           \
			FAIL_AT("%s: expected %lld, got %lld", #act, e_, a_); \
	} while (0)

#define CHECK_STR(exp, act)                                             \
	do {                                                            \
		const char *e_ = (exp), *a_ = (act);                    \
		n_checks++;                                             \
		if (strcmp(e_, a_) != 0)                                \
			FAIL_AT("%s:\n  expected \"%s\"\n  got      \"%s\"", \
				#act, e_, a_);                          \
	} while (0)

/* ---- fake environment ---------------------------------------------------- */

#define MAX_ENV 16
static struct {
	const char *name, *value;
} fake_env[MAX_ENV];

static void env_clear(void)
{
	memset(fake_env, 0, sizeof(fake_env));
}

static void env_put(const char *name, const char *value)
{
	int i;

	for (i = 0; i < MAX_ENV; i++) {
		if (fake_env[i].name == NULL || strcmp(fake_env[i].name, name) == 0) {
			fake_env[i].name = name;
			fake_env[i].value = value;
			return;
		}
	}
	fprintf(stderr, "test bug: fake environment full\n");
	exit(2);
}

static const char *fake_getenv(const char *name)
{
	int i;

	for (i = 0; i < MAX_ENV && fake_env[i].name; i++) {
		if (strcmp(fake_env[i].name, name) == 0)
			return fake_env[i].value;
	}
	return NULL;
}

/* ---- helpers ------------------------------------------------------------- */

static char err[PF_ERRBUF_SIZE];

/* Parse text (NUL-terminated here for convenience) over fresh defaults. */
static int parse(const char *text, struct pf_config *cfg)
{
	pf_config_defaults(cfg);
	strcpy(err, "(untouched)");
	return pf_config_parse_text("span.conf", text, strlen(text), cfg,
				    err, sizeof(err));
}

#define PARSE_OK(text, cfg)                                             \
	do {                                                            \
		n_checks++;                                             \
		if (parse((text), (cfg)) != 0)                          \
			FAIL_AT("parse of \"%s\" failed: %s", (text), err); \
	} while (0)

#define PARSE_ERR(text, msg)                                            \
	do {                                                            \
		struct pf_config c_;                                    \
		n_checks++;                                             \
		if (parse((text), &c_) == 0)                            \
			FAIL_AT("parse of \"%s\" succeeded, expected \"%s\"", \
				(text), (msg));                         \
		else                                                    \
			CHECK_STR((msg), err);                          \
	} while (0)

static int env_apply(struct pf_config *cfg)
{
	pf_config_defaults(cfg);
	strcpy(err, "(untouched)");
	return pf_config_apply_env(cfg, fake_getenv, err, sizeof(err));
}

#define ENV_OK(cfg)                                                     \
	do {                                                            \
		n_checks++;                                             \
		if (env_apply(cfg) != 0)                                \
			FAIL_AT("apply_env failed: %s", err);           \
	} while (0)

#define ENV_ERR(msg)                                                    \
	do {                                                            \
		struct pf_config c_;                                    \
		n_checks++;                                             \
		if (env_apply(&c_) == 0)                                \
			FAIL_AT("apply_env succeeded, expected \"%s\"", (msg)); \
		else                                                    \
			CHECK_STR((msg), err);                          \
	} while (0)

static char tmpdir[64];

static char *tmp_path(const char *name)
{
	static char paths[8][128];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

/* ---- defaults and single keys ------------------------------------------- */

static void test_defaults(void)
{
	struct pf_config c;

	memset(&c, 0xAA, sizeof(c));
	pf_config_defaults(&c);
	CHECK_INT(0, c.set);
	CHECK_INT(0, c.cluster_id);
	CHECK_INT(cluster_per_flow, c.cluster_type);
	CHECK_INT(4096, c.rx_slots);
	CHECK_INT(0, c.caplen);
	CHECK_INT(1, c.sampling_rate);
	CHECK_INT(rx_and_tx_direction, c.direction);
	CHECK_INT(1, c.watermark);
	CHECK_STR("", c.appname);
	CHECK_INT(PF_ENGINE_AUTO, c.engine);
	CHECK_INT(0, c.xdp_allow_default_route);

	/* an empty file sets nothing */
	PARSE_OK("", &c);
	CHECK_INT(0, c.set);
	CHECK_INT(4096, c.rx_slots);
	CHECK_INT(0, pf_config_parse_text("x", NULL, 0, &c, err, sizeof(err)));
}

static unsigned int field(const struct pf_config *c, unsigned int bit)
{
	switch (bit) {
	case PF_KEY_CLUSTER:   return c->cluster_id;
	case PF_KEY_RX_SLOTS:  return c->rx_slots;
	case PF_KEY_CAPLEN:    return c->caplen;
	case PF_KEY_SAMPLING:  return c->sampling_rate;
	case PF_KEY_WATERMARK: return c->watermark;
	}
	return 0xdeadbeef;
}

static const struct {
	const char *key, *env;
	unsigned int bit;
	unsigned long max;
} numeric[] = {
	{ "cluster",   "PFRING_CLUSTER",   PF_KEY_CLUSTER,   65535 },
	{ "rx_slots",  "PFRING_RX_SLOTS",  PF_KEY_RX_SLOTS,  1048576 },
	{ "caplen",    "PFRING_CAPLEN",    PF_KEY_CAPLEN,    262144 },
	{ "sampling",  "PFRING_SAMPLING",  PF_KEY_SAMPLING,  16777216 },
	{ "watermark", "PFRING_WATERMARK", PF_KEY_WATERMARK, 65535 },
};

static void test_numeric_keys(void)
{
	struct pf_config c;
	char text[128], msg[PF_ERRBUF_SIZE];
	size_t i;

	for (i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
		const char *k = numeric[i].key;
		unsigned long max = numeric[i].max;

		snprintf(text, sizeof(text), "%s = 1\n", k);
		PARSE_OK(text, &c);
		CHECK_INT(1, field(&c, numeric[i].bit));
		CHECK_INT(numeric[i].bit, c.set);

		snprintf(text, sizeof(text), "%s = %lu\n", k, max);
		PARSE_OK(text, &c);
		CHECK_INT(max, field(&c, numeric[i].bit));

		snprintf(text, sizeof(text), "%s = 7", k);
		PARSE_OK(text, &c);
		CHECK_INT(7, field(&c, numeric[i].bit));

		snprintf(text, sizeof(text), "%s = %lu\n", k, max + 1);
		snprintf(msg, sizeof(msg),
			 "span.conf:1: bad value '%lu' for '%s': must be 1..%lu",
			 max + 1, k, max);
		PARSE_ERR(text, msg);

		snprintf(text, sizeof(text), "%s = 0\n", k);
		snprintf(msg, sizeof(msg),
			 "span.conf:1: bad value '0' for '%s': must be 1..%lu", k, max);
		PARSE_ERR(text, msg);

		snprintf(text, sizeof(text), "%s = 99999999999999999999\n", k);
		snprintf(msg, sizeof(msg),
			 "span.conf:1: bad value '99999999999999999999' for '%s': must be 1..%lu",
			 k, max);
		PARSE_ERR(text, msg);

		snprintf(text, sizeof(text), "%s = abc\n", k);
		snprintf(msg, sizeof(msg),
			 "span.conf:1: bad value 'abc' for '%s': not a number", k);
		PARSE_ERR(text, msg);

		snprintf(text, sizeof(text), "%s = -1\n", k);
		snprintf(msg, sizeof(msg),
			 "span.conf:1: bad value '-1' for '%s': not a number", k);
		PARSE_ERR(text, msg);

		snprintf(text, sizeof(text), "%s =\n", k);
		snprintf(msg, sizeof(msg), "span.conf:1: missing value for '%s'", k);
		PARSE_ERR(text, msg);

		/* environment: same grammar and limits */
		env_clear();
		snprintf(text, sizeof(text), "%lu", max);
		env_put(numeric[i].env, text);
		ENV_OK(&c);
		CHECK_INT(max, field(&c, numeric[i].bit));
		CHECK_INT(numeric[i].bit, c.set);
		env_put(numeric[i].env, "0");
		snprintf(msg, sizeof(msg), "%s: bad value '0': must be 1..%lu",
			 numeric[i].env, max);
		ENV_ERR(msg);
		snprintf(text, sizeof(text), "%lu", max + 1);
		env_put(numeric[i].env, text);
		snprintf(msg, sizeof(msg), "%s: bad value '%lu': must be 1..%lu",
			 numeric[i].env, max + 1, max);
		ENV_ERR(msg);
		env_put(numeric[i].env, "12x");
		snprintf(msg, sizeof(msg), "%s: bad value '12x': not a number",
			 numeric[i].env);
		ENV_ERR(msg);
		env_put(numeric[i].env, "");
		ENV_OK(&c);
		CHECK_INT(0, c.set);
		env_clear();
	}
}

static void test_number_grammar(void)
{
	struct pf_config c;

	PARSE_ERR("rx_slots = 4096x\n", "span.conf:1: bad value '4096x' for 'rx_slots': not a number");
	PARSE_ERR("rx_slots = +4096\n", "span.conf:1: bad value '+4096' for 'rx_slots': not a number");
	PARSE_ERR("rx_slots = 0x100\n", "span.conf:1: bad value '0x100' for 'rx_slots': not a number");
	PARSE_ERR("rx_slots = 40 96\n", "span.conf:1: bad value '40 96' for 'rx_slots': not a number");
	PARSE_ERR("rx_slots = 4.5\n", "span.conf:1: bad value '4.5' for 'rx_slots': not a number");
	PARSE_ERR("rx_slots = 1e3\n", "span.conf:1: bad value '1e3' for 'rx_slots': not a number");
	PARSE_ERR("rx_slots = -0\n", "span.conf:1: bad value '-0' for 'rx_slots': not a number");
	/* overflow of unsigned long itself, then junk: still not a number */
	PARSE_ERR("rx_slots = 999999999999999999999999999x\n",
		  "span.conf:1: bad value '999999999999999999999999999x' for 'rx_slots': not a number");
	PARSE_ERR("cluster = 18446744073709551617\n",
		  "span.conf:1: bad value '18446744073709551617' for 'cluster': must be 1..65535");
	PARSE_ERR("cluster = 4294967297\n",
		  "span.conf:1: bad value '4294967297' for 'cluster': must be 1..65535");
	PARSE_ERR("cluster = 65536\n", "span.conf:1: bad value '65536' for 'cluster': must be 1..65535");
	/* leading zeros are still decimal */
	PARSE_OK("rx_slots = 000000000000000000000000000010\n", &c);
	CHECK_INT(10, c.rx_slots);
	PARSE_OK("cluster = 010\n", &c);
	CHECK_INT(10, c.cluster_id);
}

static void test_cluster_type(void)
{
	static const struct {
		const char *name;
		cluster_type t;
	} names[] = {
		{ "per_flow", cluster_per_flow },
		{ "round_robin", cluster_round_robin },
		{ "2_tuple", cluster_per_flow_2_tuple },
		{ "4_tuple", cluster_per_flow_4_tuple },
		{ "5_tuple", cluster_per_flow_5_tuple },
		{ "tcp_5_tuple", cluster_per_flow_tcp_5_tuple },
		{ "cluster_per_flow", cluster_per_flow },
		{ "cluster_round_robin", cluster_round_robin },
		{ "cluster_per_flow_2_tuple", cluster_per_flow_2_tuple },
		{ "cluster_per_flow_4_tuple", cluster_per_flow_4_tuple },
		{ "cluster_per_flow_5_tuple", cluster_per_flow_5_tuple },
		{ "cluster_per_flow_tcp_5_tuple", cluster_per_flow_tcp_5_tuple },
		{ "inner_flow", cluster_per_inner_flow },
		{ "inner_2_tuple", cluster_per_inner_flow_2_tuple },
		{ "inner_4_tuple", cluster_per_inner_flow_4_tuple },
		{ "inner_5_tuple", cluster_per_inner_flow_5_tuple },
		{ "inner_tcp_5_tuple", cluster_per_inner_flow_tcp_5_tuple },
		{ "ip_5_tuple", cluster_per_flow_ip_5_tuple },
		{ "inner_ip_5_tuple", cluster_per_inner_flow_ip_5_tuple },
		{ "ip_with_dup_tuple", cluster_per_flow_ip_with_dup_tuple },
		{ "cluster_per_inner_flow", cluster_per_inner_flow },
		{ "cluster_per_inner_flow_2_tuple", cluster_per_inner_flow_2_tuple },
		{ "cluster_per_inner_flow_4_tuple", cluster_per_inner_flow_4_tuple },
		{ "cluster_per_inner_flow_5_tuple", cluster_per_inner_flow_5_tuple },
		{ "cluster_per_inner_flow_tcp_5_tuple", cluster_per_inner_flow_tcp_5_tuple },
		{ "cluster_per_flow_ip_5_tuple", cluster_per_flow_ip_5_tuple },
		{ "cluster_per_inner_flow_ip_5_tuple", cluster_per_inner_flow_ip_5_tuple },
		{ "cluster_per_flow_ip_with_dup_tuple", cluster_per_flow_ip_with_dup_tuple },
	};
	struct pf_config c;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK_INT(names[i].t, pf_cluster_type_from_name(names[i].name));
		snprintf(text, sizeof(text), "cluster_type = %s\n", names[i].name);
		PARSE_OK(text, &c);
		CHECK_INT(names[i].t, c.cluster_type);
		CHECK_INT(PF_KEY_CLUSTER_TYPE, c.set);
		env_clear();
		env_put("PFRING_CLUSTER_TYPE", names[i].name);
		ENV_OK(&c);
		CHECK_INT(names[i].t, c.cluster_type);
		CHECK_INT(PF_KEY_CLUSTER_TYPE, c.set);
	}
	env_clear();

	CHECK_STR("per_flow", pf_cluster_type_name(cluster_per_flow));
	CHECK_STR("round_robin", pf_cluster_type_name(cluster_round_robin));
	CHECK_STR("2_tuple", pf_cluster_type_name(cluster_per_flow_2_tuple));
	CHECK_STR("4_tuple", pf_cluster_type_name(cluster_per_flow_4_tuple));
	CHECK_STR("5_tuple", pf_cluster_type_name(cluster_per_flow_5_tuple));
	CHECK_STR("tcp_5_tuple", pf_cluster_type_name(cluster_per_flow_tcp_5_tuple));
	CHECK_STR("inner_flow", pf_cluster_type_name(cluster_per_inner_flow));
	CHECK_STR("inner_tcp_5_tuple", pf_cluster_type_name(cluster_per_inner_flow_tcp_5_tuple));
	CHECK_STR("ip_with_dup_tuple", pf_cluster_type_name(cluster_per_flow_ip_with_dup_tuple));
	CHECK_STR("unknown", pf_cluster_type_name((cluster_type)14));
	CHECK_STR("unknown", pf_cluster_type_name((cluster_type)99));
	CHECK_INT(-1, pf_cluster_type_from_name("per_flw"));
	CHECK_INT(-1, pf_cluster_type_from_name("PER_FLOW"));
	CHECK_INT(-1, pf_cluster_type_from_name(""));
	CHECK_INT(-1, pf_cluster_type_from_name(NULL));

	PARSE_ERR("\n\n\n\n\ncluster_type = per_flw\n",
		  "span.conf:6: unknown cluster type 'per_flw' (valid: per_flow, "
		  "round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple, "
		  "ip_with_dup_tuple, or inner_ + flow, 2_tuple, 4_tuple, 5_tuple, "
		  "tcp_5_tuple, ip_5_tuple)");
	PARSE_ERR("cluster_type = Per_Flow\n",
		  "span.conf:1: unknown cluster type 'Per_Flow' (valid: per_flow, "
		  "round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple, "
		  "ip_with_dup_tuple, or inner_ + flow, 2_tuple, 4_tuple, 5_tuple, "
		  "tcp_5_tuple, ip_5_tuple)");
	PARSE_ERR("cluster_type =\n", "span.conf:1: missing value for 'cluster_type'");
	env_put("PFRING_CLUSTER_TYPE", "x");
	ENV_ERR("PFRING_CLUSTER_TYPE: unknown cluster type 'x' (valid: per_flow, "
		"round_robin, 2_tuple, 4_tuple, 5_tuple, tcp_5_tuple, ip_5_tuple, "
		"ip_with_dup_tuple, or inner_ + flow, 2_tuple, 4_tuple, 5_tuple, "
		"tcp_5_tuple, ip_5_tuple)");
	env_clear();
}

static void test_direction_engine_appname(void)
{
	static const struct {
		const char *v;
		packet_direction d;
	} dirs[] = {
		{ "rx", rx_only_direction }, { "in", rx_only_direction },
		{ "tx", tx_only_direction }, { "out", tx_only_direction },
		{ "both", rx_and_tx_direction }, { "inout", rx_and_tx_direction },
	};
	static const struct {
		const char *v;
		enum pf_engine_choice e;
	} engines[] = {
		{ "auto", PF_ENGINE_AUTO }, { "packet", PF_ENGINE_PACKET },
		{ "kmod", PF_ENGINE_KMOD },
	};
	struct pf_config c;
	char text[256], name63[64], name64[65];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(text, sizeof(text), "direction = %s", dirs[i].v);
		PARSE_OK(text, &c);
		CHECK_INT(dirs[i].d, c.direction);
		CHECK_INT(PF_KEY_DIRECTION, c.set);
		env_clear();
		env_put("PFRING_DIRECTION", dirs[i].v);
		ENV_OK(&c);
		CHECK_INT(dirs[i].d, c.direction);
	}
	PARSE_ERR("direction = RX\n",
		  "span.conf:1: bad value 'RX' for 'direction': must be rx, in, tx, out, both or inout");
	env_put("PFRING_DIRECTION", "sideways");
	ENV_ERR("PFRING_DIRECTION: bad value 'sideways': must be rx, in, tx, out, both or inout");

	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		snprintf(text, sizeof(text), "engine = %s", engines[i].v);
		PARSE_OK(text, &c);
		CHECK_INT(engines[i].e, c.engine);
		CHECK_INT(PF_KEY_ENGINE, c.set);
		env_clear();
		env_put("PFRING_ENGINE", engines[i].v);
		ENV_OK(&c);
		CHECK_INT(engines[i].e, c.engine);
	}
	PARSE_ERR("engine = zc\n", "span.conf:1: bad value 'zc' for 'engine': must be auto, packet or kmod");
	env_put("PFRING_ENGINE", "zc");
	ENV_ERR("PFRING_ENGINE: bad value 'zc': must be auto, packet or kmod");
	env_clear();

	PARSE_OK("appname = x", &c);
	CHECK_STR("x", c.appname);
	CHECK_INT(PF_KEY_APPNAME, c.set);
	PARSE_OK("appname =   my capture tool  # comment", &c);
	CHECK_STR("my capture tool", c.appname);
	PARSE_OK("appname = a=b", &c);
	CHECK_STR("a=b", c.appname);
	memset(name63, 'n', 63);
	name63[63] = '\0';
	snprintf(text, sizeof(text), "appname = %s\n", name63);
	PARSE_OK(text, &c);
	CHECK_STR(name63, c.appname);
	memset(name64, 'n', 64);
	name64[64] = '\0';
	snprintf(text, sizeof(text), "appname = %s\n", name64);
	PARSE_ERR(text, "span.conf:1: bad value 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' "
		  "for 'appname': longer than 63 characters");
	PARSE_ERR("appname = a\001b\n",
		  "span.conf:1: bad value 'a?b' for 'appname': only printable characters are allowed");
	PARSE_ERR("appname = caf\xc3\xa9\n",
		  "span.conf:1: bad value 'caf?\?' for 'appname': only printable characters are allowed");
	PARSE_ERR("appname = # nothing\n", "span.conf:1: missing value for 'appname'");
	env_put("PFRING_APPNAME", "probe-1");
	ENV_OK(&c);
	CHECK_STR("probe-1", c.appname);
	env_put("PFRING_APPNAME", name64);
	ENV_ERR("PFRING_APPNAME: bad value 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn': "
		"longer than 63 characters");
	env_clear();
}

/* ---- file grammar -------------------------------------------------------- */

static void test_grammar(void)
{
	struct pf_config c, before;
	char text[2200];
	int rc;

	/* comments, blank lines, whitespace, all keys */
	PARSE_OK("# capture on the span port\n"
		 "\n"
		 "   \t  \n"
		 "cluster=42\n"
		 "  cluster_type\t=\tround_robin   # spread evenly\n"
		 "rx_slots =8192#no blank before comment\n"
		 "\tcaplen = 128\n"
		 "sampling = 10 \n"
		 "  # indented comment = not a key\n"
		 "direction = rx\n"
		 "watermark = 64\n"
		 "appname = span probe\n"
		 "engine = packet",
		 &c);
	CHECK_INT(42, c.cluster_id);
	CHECK_INT(cluster_round_robin, c.cluster_type);
	CHECK_INT(8192, c.rx_slots);
	CHECK_INT(128, c.caplen);
	CHECK_INT(10, c.sampling_rate);
	CHECK_INT(rx_only_direction, c.direction);
	CHECK_INT(64, c.watermark);
	CHECK_STR("span probe", c.appname);
	CHECK_INT(PF_ENGINE_PACKET, c.engine);
	CHECK_INT(PF_KEY_CLUSTER | PF_KEY_CLUSTER_TYPE | PF_KEY_RX_SLOTS |
		  PF_KEY_CAPLEN | PF_KEY_SAMPLING | PF_KEY_DIRECTION |
		  PF_KEY_WATERMARK | PF_KEY_APPNAME | PF_KEY_ENGINE, c.set);

	/* CRLF line endings, and a CR-only blank line */
	PARSE_OK("cluster = 7\r\n\r\nrx_slots = 1024\r\nappname = win\r\n", &c);
	CHECK_INT(7, c.cluster_id);
	CHECK_INT(1024, c.rx_slots);
	CHECK_STR("win", c.appname);
	PARSE_ERR("cluster = 7\r\nslotz = 1\r\n", "span.conf:2: unknown key 'slotz'");

	/* duplicates: last wins */
	PARSE_OK("rx_slots = 100\nrx_slots = 200\nrx_slots = 300\n", &c);
	CHECK_INT(300, c.rx_slots);
	CHECK_INT(PF_KEY_RX_SLOTS, c.set);

	/* the messages of the issue, at their line numbers */
	PARSE_ERR("\n\nslotz = 4\n", "span.conf:3: unknown key 'slotz'");
	PARSE_ERR("\n\n\nrx_slots = abc\n",
		  "span.conf:4: bad value 'abc' for 'rx_slots': not a number");
	PARSE_ERR("#\n#\n#\n#\ncluster = 0\n",
		  "span.conf:5: bad value '0' for 'cluster': must be 1..65535");
	PARSE_ERR("\n\n\n\n\n\nrx_slots 4096\n", "span.conf:7: expected 'key = value'");
	PARSE_ERR("\n\n\n\n\n\n\ncaplen =   # none\n", "span.conf:8: missing value for 'caplen'");

	/* malformed lines */
	PARSE_ERR("rx_slots\n", "span.conf:1: expected 'key = value'");
	PARSE_ERR("= 5\n", "span.conf:1: expected 'key = value'");
	PARSE_ERR("rx slots = 5\n", "span.conf:1: expected 'key = value'");
	PARSE_ERR("caplen =\n", "span.conf:1: missing value for 'caplen'");
	PARSE_ERR("caplen=", "span.conf:1: missing value for 'caplen'");
	PARSE_ERR("caplen = = 5\n", "span.conf:1: bad value '= 5' for 'caplen': not a number");
	PARSE_ERR("Cluster = 5\n", "span.conf:1: unknown key 'Cluster'");
	PARSE_ERR("slotz =\n", "span.conf:1: unknown key 'slotz'");
	PARSE_ERR("\x01\x02 = 5\n", "span.conf:1: unknown key '?\?'");
	PARSE_ERR("rules = 5\n", "span.conf:1: unknown key 'rules'");

	/* filtering rule lines: errors carry file:line (grammar in test_rule_syntax.c) */
	PARSE_ERR("cluster = 1\nrule drop tcp port 22\n",
		  "span.conf:2: expected 'rule <id 0-65535> <pass|drop|count> [fields]'");
	PARSE_ERR("hash = 4_tuple\n", "span.conf:1: expected 'hash <id> <pass|drop|count> "
		  "<proto> <ip>:<port> <ip>:<port> [vlan <id>] [bidir]'");
	PARSE_ERR("  default accept # keep\n", "span.conf:1: expected 'default pass' or 'default drop'");
	PARSE_ERR("rule=1\n", "span.conf:1: unknown rule kind 'rule=1' (rule, hash or default)");
	PARSE_ERR("default\n", "span.conf:1: expected 'default pass' or 'default drop'");
	PARSE_ERR("\n\nrule 10 drop dstport 53\n", "span.conf:3: rule 10: unknown field 'dstport'");

	/* a line of exactly the maximum is fine, one more byte is not */
	memset(text, ' ', sizeof(text));
	memcpy(text, "appname = x", 11);
	text[1024] = '\n';
	memcpy(text + 1025, "cluster = 3\n", 13);
	PARSE_OK(text, &c);
	CHECK_STR("x", c.appname);
	CHECK_INT(3, c.cluster_id);
	memset(text, ' ', sizeof(text));
	memcpy(text, "cluster = 2\n", 12);
	memcpy(text + 12, "appname = x", 11);
	text[12 + 1025] = '\0';
	PARSE_ERR(text, "span.conf:2: line too long (max 1024 characters)");
	/* the CR of CRLF does not count */
	memset(text, ' ', sizeof(text));
	memcpy(text, "appname = x", 11);
	memcpy(text + 1024, "\r\n", 3);
	PARSE_OK(text, &c);
	/* a very long line with no newline at all */
	memset(text, 'k', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	PARSE_ERR(text, "span.conf:1: line too long (max 1024 characters)");

	/* NUL bytes: the length is explicit, so they reach the parser */
	pf_config_defaults(&c);
	rc = pf_config_parse_text("span.conf", "cluster = 1\nrx_slots = 1\0002\n", 25,
				  &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	CHECK_STR("span.conf:2: NUL byte in line", err);
	rc = pf_config_parse_text("span.conf", "# x\0\n", 5, &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	CHECK_STR("span.conf:1: NUL byte in line", err);
	/* only len bytes are read */
	rc = pf_config_parse_text("span.conf", "cluster = 12junk", 12, &c, err, sizeof(err));
	CHECK_INT(0, rc);
	CHECK_INT(12, c.cluster_id);

	/* a failed parse leaves the caller's struct alone, even keys set before the error */
	pf_config_defaults(&before);
	before.rx_slots = 77;
	before.set = PF_KEY_RX_SLOTS;
	c = before;
	rc = pf_config_parse_text("span.conf", "cluster = 9\nrx_slots = 5\nbogus = 1\n", 35,
				  &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
	CHECK_STR("span.conf:3: unknown key 'bogus'", err);

	/* parsing merges: keys not in the text keep their values and set bits */
	c = before;
	rc = pf_config_parse_text("span.conf", "cluster = 9\n", 12, &c, err, sizeof(err));
	CHECK_INT(0, rc);
	CHECK_INT(9, c.cluster_id);
	CHECK_INT(77, c.rx_slots);
	CHECK_INT(PF_KEY_RX_SLOTS | PF_KEY_CLUSTER, c.set);
}

static void test_messages_bounded(void)
{
	struct pf_config c;
	char small[16], text[512];
	int rc;

	/* err is never overrun and always terminated */
	memset(small, 'Z', sizeof(small));
	pf_config_defaults(&c);
	rc = pf_config_parse_text("a-rather-long-name.conf", "slotz = 1", 9, &c,
				  small, 10);
	CHECK_INT(-1, rc);
	CHECK_STR("a-rather-", small);
	CHECK(small[10] == 'Z');
	/* errlen 0 and NULL err are accepted */
	CHECK_INT(-1, pf_config_parse_text("x", "slotz = 1", 9, &c, small, 0));
	CHECK_INT(-1, pf_config_parse_text("x", "slotz = 1", 9, &c, NULL, 0));

	/* long values are cut in messages */
	snprintf(text, sizeof(text), "rx_slots = %0200d\n", 5);
	text[15] = 'x';
	PARSE_ERR(text, "span.conf:1: bad value '0000x00000000000000000000000000000000000000000"
		  "000000000000000000...' for 'rx_slots': not a number");
}

/* ---- environment --------------------------------------------------------- */

static void test_env(void)
{
	struct pf_config c;

	env_clear();
	ENV_OK(&c);
	CHECK_INT(0, c.set);
	CHECK_INT(4096, c.rx_slots);

	env_put("PFRING_CLUSTER", "42");
	env_put("PFRING_CLUSTER_TYPE", "5_tuple");
	env_put("PFRING_RX_SLOTS", "65536");
	env_put("PFRING_CAPLEN", "96");
	env_put("PFRING_SAMPLING", "100");
	env_put("PFRING_DIRECTION", "out");
	env_put("PFRING_WATERMARK", "16");
	env_put("PFRING_APPNAME", "ids");
	env_put("PFRING_ENGINE", "kmod");
	ENV_OK(&c);
	CHECK_INT(42, c.cluster_id);
	CHECK_INT(cluster_per_flow_5_tuple, c.cluster_type);
	CHECK_INT(65536, c.rx_slots);
	CHECK_INT(96, c.caplen);
	CHECK_INT(100, c.sampling_rate);
	CHECK_INT(tx_only_direction, c.direction);
	CHECK_INT(16, c.watermark);
	CHECK_STR("ids", c.appname);
	CHECK_INT(PF_ENGINE_KMOD, c.engine);
	CHECK_INT(0x1ff, c.set);

	/* the exact messages of the issue */
	env_clear();
	env_put("PFRING_RX_SLOTS", "abc");
	ENV_ERR("PFRING_RX_SLOTS: bad value 'abc': not a number");
	env_clear();
	env_put("PFRING_CLUSTER", "-5");
	ENV_ERR("PFRING_CLUSTER: bad value '-5': not a number");
	env_put("PFRING_CLUSTER", " 5");
	ENV_ERR("PFRING_CLUSTER: bad value ' 5': not a number");

	/* empty means unset, for aliases too */
	env_clear();
	env_put("PFRING_CLUSTER", "");
	env_put("PCAP_PF_RING_CLUSTER_ID", "");
	env_put("PCAP_PF_RING_APPNAME", "");
	env_put("PCAP_PF_RING_USE_CLUSTER_PER_FLOW_5_TUPLE", "");
	ENV_OK(&c);
	CHECK_INT(0, c.set);

	/* a failed apply leaves the struct as it was */
	env_clear();
	env_put("PFRING_CLUSTER", "5");
	env_put("PFRING_WATERMARK", "0");
	{
		struct pf_config before;

		pf_config_defaults(&c);
		before = c;
		CHECK_INT(-1, pf_config_apply_env(&c, fake_getenv, err, sizeof(err)));
		CHECK(memcmp(&c, &before, sizeof(c)) == 0);
		CHECK_STR("PFRING_WATERMARK: bad value '0': must be 1..65535", err);
	}

	/* a NULL getter is no environment */
	pf_config_defaults(&c);
	CHECK_INT(0, pf_config_apply_env(&c, NULL, err, sizeof(err)));
	CHECK_INT(0, c.set);
	env_clear();
}

static void test_env_aliases(void)
{
	static const struct {
		const char *var;
		cluster_type t;
	} flags[] = {
		{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW", cluster_per_flow },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_2_TUPLE", cluster_per_flow_2_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_4_TUPLE", cluster_per_flow_4_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_5_TUPLE", cluster_per_flow_5_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_TCP_5_TUPLE", cluster_per_flow_tcp_5_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW", cluster_per_inner_flow },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_2_TUPLE", cluster_per_inner_flow_2_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_4_TUPLE", cluster_per_inner_flow_4_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_5_TUPLE", cluster_per_inner_flow_5_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_TCP_5_TUPLE",
		  cluster_per_inner_flow_tcp_5_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_IP_5_TUPLE", cluster_per_flow_ip_5_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_INNER_FLOW_IP_5_TUPLE",
		  cluster_per_inner_flow_ip_5_tuple },
		{ "PCAP_PF_RING_USE_CLUSTER_PER_FLOW_IP_WITH_DUP_TUPLE",
		  cluster_per_flow_ip_with_dup_tuple },
	};
	struct pf_config c;
	size_t i;

	env_clear();
	env_put("PCAP_PF_RING_CLUSTER_ID", "17");
	ENV_OK(&c);
	CHECK_INT(17, c.cluster_id);
	CHECK_INT(PF_KEY_CLUSTER, c.set);
	env_put("PCAP_PF_RING_CLUSTER_ID", "70000");
	ENV_ERR("PCAP_PF_RING_CLUSTER_ID: bad value '70000': must be 1..65535");
	env_put("PCAP_PF_RING_CLUSTER_ID", "x");
	ENV_ERR("PCAP_PF_RING_CLUSTER_ID: bad value 'x': not a number");

	env_clear();
	env_put("PCAP_PF_RING_APPNAME", "legacy");
	ENV_OK(&c);
	CHECK_STR("legacy", c.appname);
	CHECK_INT(PF_KEY_APPNAME, c.set);
	env_put("PCAP_PF_RING_APPNAME", "bad\tname");
	ENV_ERR("PCAP_PF_RING_APPNAME: bad value 'bad?name': only printable characters are allowed");

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		env_clear();
		/* start from a type no flag selects, to see the flag act */
		env_put(flags[i].var, "1");
		pf_config_defaults(&c);
		c.cluster_type = cluster_round_robin;
		CHECK_INT(0, pf_config_apply_env(&c, fake_getenv, err, sizeof(err)));
		CHECK_INT(flags[i].t, c.cluster_type);
		CHECK_INT(PF_KEY_CLUSTER_TYPE, c.set);
		env_put(flags[i].var, "yes");
		ENV_OK(&c);
		CHECK_INT(flags[i].t, c.cluster_type);
		env_put(flags[i].var, "0");
		ENV_OK(&c);
		CHECK_INT(0, c.set);
		/* PFRING_CLUSTER_TYPE wins over the flag */
		env_put(flags[i].var, "1");
		env_put("PFRING_CLUSTER_TYPE", "round_robin");
		ENV_OK(&c);
		CHECK_INT(cluster_round_robin, c.cluster_type);
	}
	/* round robin by flag: start from per_flow to see it act */
	env_clear();
	env_put("PCAP_PF_RING_USE_CLUSTER_ROUNDROBIN", "1");
	ENV_OK(&c);
	CHECK_INT(cluster_round_robin, c.cluster_type);
	CHECK_INT(PF_KEY_CLUSTER_TYPE, c.set);

	/* several flags: the more specific (later in the list) wins */
	env_clear();
	env_put("PCAP_PF_RING_USE_CLUSTER_PER_FLOW", "1");
	env_put("PCAP_PF_RING_USE_CLUSTER_PER_FLOW_2_TUPLE", "1");
	ENV_OK(&c);
	CHECK_INT(cluster_per_flow_2_tuple, c.cluster_type);

	/* PFRING_* wins over its alias */
	env_clear();
	env_put("PCAP_PF_RING_CLUSTER_ID", "10");
	env_put("PFRING_CLUSTER", "20");
	env_put("PCAP_PF_RING_APPNAME", "old");
	env_put("PFRING_APPNAME", "new");
	ENV_OK(&c);
	CHECK_INT(20, c.cluster_id);
	CHECK_STR("new", c.appname);
	/* ... and an empty PFRING_* leaves the alias in force */
	env_put("PFRING_CLUSTER", "");
	env_put("PFRING_APPNAME", "");
	ENV_OK(&c);
	CHECK_INT(10, c.cluster_id);
	CHECK_STR("old", c.appname);
	env_clear();
}

/* ---- files and the whole merge -------------------------------------------- */

static void test_files_and_load(void)
{
	struct pf_config c;
	char expect[PF_ERRBUF_SIZE];
	const char *global = tmp_path("global.conf");
	const char *handle = tmp_path("handle.conf");
	const char *bad = tmp_path("bad.conf");
	const char *missing = tmp_path("missing.conf");
	const char *g = "cluster = 1\nrx_slots = 1000\ncaplen = 100\nappname = global\n"
			"direction = rx\n";
	const char *h = "caplen = 300\r\nengine = packet\r\n";
	int rc;

	write_file(global, g, strlen(g));
	write_file(handle, h, strlen(h));
	write_file(bad, "cluster = 1\n\nwatermark = 0\n", 27);

	/* parse_file */
	pf_config_defaults(&c);
	CHECK_INT(0, pf_config_parse_file(global, &c, err, sizeof(err)));
	CHECK_INT(1000, c.rx_slots);
	CHECK_STR("global", c.appname);
	rc = pf_config_parse_file(bad, &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	snprintf(expect, sizeof(expect), "%s:3: bad value '0' for 'watermark': must be 1..65535", bad);
	CHECK_STR(expect, err);
	/* the example of the man page, when this machine lacks the file */
	if (access("/etc/x.conf", F_OK) != 0) {
		rc = pf_config_parse_file("/etc/x.conf", &c, err, sizeof(err));
		CHECK_INT(-1, rc);
		CHECK_STR("cannot open config file '/etc/x.conf': No such file or directory", err);
	}
	snprintf(expect, sizeof(expect), "%s/x.conf", global);
	rc = pf_config_parse_file(expect, &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	snprintf(expect, sizeof(expect), "cannot open config file '%s/x.conf': Not a directory", global);
	CHECK_STR(expect, err);
	rc = pf_config_parse_file(missing, &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	snprintf(expect, sizeof(expect), "cannot open config file '%s': No such file or directory", missing);
	CHECK_STR(expect, err);
	rc = pf_config_parse_file(tmpdir, &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	snprintf(expect, sizeof(expect), "cannot read config file '%s': Is a directory", tmpdir);
	CHECK_STR(expect, err);
	/* relative names are reported as given */
	rc = pf_config_parse_file("no-such-dir-xyz/span.conf", &c, err, sizeof(err));
	CHECK_STR("cannot open config file 'no-such-dir-xyz/span.conf': No such file or directory", err);
	rc = pf_config_parse_file("", &c, err, sizeof(err));
	CHECK_INT(-1, rc);
	CHECK_STR("empty config file name", err);

	/* nothing at all: defaults */
	env_clear();
	memset(&c, 0x77, sizeof(c));
	CHECK_INT(0, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	{
		struct pf_config d;

		pf_config_defaults(&d);
		CHECK(memcmp(&c, &d, sizeof(c)) == 0);
	}

	/* global file only */
	env_put("PFRING_CONFIG", global);
	CHECK_INT(0, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	CHECK_INT(1, c.cluster_id);
	CHECK_INT(1000, c.rx_slots);
	CHECK_INT(100, c.caplen);
	CHECK_STR("global", c.appname);
	CHECK_INT(rx_only_direction, c.direction);
	CHECK_INT(1, c.watermark);
	CHECK_INT(PF_KEY_CLUSTER | PF_KEY_RX_SLOTS | PF_KEY_CAPLEN |
		  PF_KEY_APPNAME | PF_KEY_DIRECTION, c.set);

	/* environment over the global file, alias below PFRING_* */
	env_put("PCAP_PF_RING_CLUSTER_ID", "2");
	env_put("PFRING_RX_SLOTS", "2000");
	env_put("PFRING_CAPLEN", "200");
	CHECK_INT(0, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	CHECK_INT(2, c.cluster_id);
	CHECK_INT(2000, c.rx_slots);
	CHECK_INT(200, c.caplen);
	CHECK_STR("global", c.appname);
	env_put("PFRING_CLUSTER", "3");
	CHECK_INT(0, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	CHECK_INT(3, c.cluster_id);

	/* handle file over everything, only for the keys it names */
	CHECK_INT(0, pf_config_load(&c, handle, fake_getenv, err, sizeof(err)));
	CHECK_INT(3, c.cluster_id);
	CHECK_INT(2000, c.rx_slots);
	CHECK_INT(300, c.caplen);
	CHECK_INT(PF_ENGINE_PACKET, c.engine);
	CHECK_STR("global", c.appname);
	CHECK_INT(rx_only_direction, c.direction);
	CHECK_INT(PF_KEY_CLUSTER | PF_KEY_RX_SLOTS | PF_KEY_CAPLEN |
		  PF_KEY_APPNAME | PF_KEY_DIRECTION | PF_KEY_ENGINE, c.set);

	/* handle file without PFRING_CONFIG */
	env_clear();
	CHECK_INT(0, pf_config_load(&c, handle, fake_getenv, err, sizeof(err)));
	CHECK_INT(300, c.caplen);
	CHECK_INT(4096, c.rx_slots);
	CHECK_INT(PF_KEY_CAPLEN | PF_KEY_ENGINE, c.set);
	/* empty PFRING_CONFIG = unset */
	env_put("PFRING_CONFIG", "");
	CHECK_INT(0, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	CHECK_INT(0, c.set);

	/* errors from each source, and the struct is untouched */
	pf_config_defaults(&c);
	c.rx_slots = 5;
	env_put("PFRING_CONFIG", missing);
	CHECK_INT(-1, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "cannot open config file '%s': No such file or directory", missing);
	CHECK_STR(expect, err);
	CHECK_INT(5, c.rx_slots);
	env_put("PFRING_CONFIG", bad);
	CHECK_INT(-1, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s:3: bad value '0' for 'watermark': must be 1..65535", bad);
	CHECK_STR(expect, err);
	env_put("PFRING_CONFIG", global);
	env_put("PFRING_SAMPLING", "zero");
	CHECK_INT(-1, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	CHECK_STR("PFRING_SAMPLING: bad value 'zero': not a number", err);
	env_clear();
	CHECK_INT(-1, pf_config_load(&c, missing, fake_getenv, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "cannot open config file '%s': No such file or directory", missing);
	CHECK_STR(expect, err);
	CHECK_INT(-1, pf_config_load(&c, bad, fake_getenv, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s:3: bad value '0' for 'watermark': must be 1..65535", bad);
	CHECK_STR(expect, err);
	CHECK_INT(5, c.rx_slots);

	unlink(global);
	unlink(handle);
	unlink(bad);
}

/* xdp_allow_default_route: 0 or 1 and nothing else, in both forms; the
 * environment overrides PFRING_CONFIG's file, a handle's file both. */
static void test_xdp_allow_default_route(void)
{
	struct pf_config c;
	char *global = tmp_path("global.conf"), *handle = tmp_path("handle.conf");

	PARSE_OK("xdp_allow_default_route = 1", &c);
	CHECK_INT(1, c.xdp_allow_default_route);
	CHECK_INT(PF_KEY_XDP_ALLOW_DEFAULT_ROUTE, c.set);
	PARSE_OK("xdp_allow_default_route=0 # refuse", &c);
	CHECK_INT(0, c.xdp_allow_default_route);
	CHECK_INT(PF_KEY_XDP_ALLOW_DEFAULT_ROUTE, c.set);
	PARSE_ERR("\nxdp_allow_default_route = yes\n",
		  "span.conf:2: bad value 'yes' for 'xdp_allow_default_route': must be 0 or 1");
	PARSE_ERR("xdp_allow_default_route = 01",
		  "span.conf:1: bad value '01' for 'xdp_allow_default_route': must be 0 or 1");
	PARSE_ERR("xdp_allow_default_route =",
		  "span.conf:1: missing value for 'xdp_allow_default_route'");

	env_clear();
	env_put("PFRING_XDP_ALLOW_DEFAULT_ROUTE", "1");
	ENV_OK(&c);
	CHECK_INT(1, c.xdp_allow_default_route);
	CHECK_INT(PF_KEY_XDP_ALLOW_DEFAULT_ROUTE, c.set);
	env_put("PFRING_XDP_ALLOW_DEFAULT_ROUTE", "true");
	ENV_ERR("PFRING_XDP_ALLOW_DEFAULT_ROUTE: bad value 'true': must be 0 or 1");
	env_put("PFRING_XDP_ALLOW_DEFAULT_ROUTE", "2");
	ENV_ERR("PFRING_XDP_ALLOW_DEFAULT_ROUTE: bad value '2': must be 0 or 1");

	/* PFRING_CONFIG says 1, the environment 0: 0; a handle's file 1 again. */
	write_file(global, "xdp_allow_default_route = 1\n", 28);
	env_clear();
	env_put("PFRING_CONFIG", global);
	CHECK_INT(0, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	CHECK_INT(1, c.xdp_allow_default_route);
	env_put("PFRING_XDP_ALLOW_DEFAULT_ROUTE", "0");
	CHECK_INT(0, pf_config_load(&c, NULL, fake_getenv, err, sizeof(err)));
	CHECK_INT(0, c.xdp_allow_default_route);
	write_file(handle, "xdp_allow_default_route = 1\n", 28);
	CHECK_INT(0, pf_config_load(&c, handle, fake_getenv, err, sizeof(err)));
	CHECK_INT(1, c.xdp_allow_default_route);
	env_clear();
	CHECK_INT(0, unlink(global));
	CHECK_INT(0, unlink(handle));
}

int main(void)
{
	char tmpl[] = "/tmp/test_config.XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", tmpl);

	test_defaults();
	test_numeric_keys();
	test_number_grammar();
	test_cluster_type();
	test_direction_engine_appname();
	test_grammar();
	test_messages_bounded();
	test_env();
	test_env_aliases();
	test_files_and_load();
	test_xdp_allow_default_route();

	if (rmdir(tmpdir) != 0)
		fprintf(stderr, "warning: cannot remove %s: %s\n", tmpdir, strerror(errno));

	printf("test_config: %d checks, %d failed\n", n_checks, n_failed);
	return n_failed ? 1 : 0;
}
