/*
 * test_devname.c - pf_devname.c: which source a device name asks for, its
 * per-handle config file, devices, queue and ZC cluster, every error
 * message, and the public pfring_parse_device_name().
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pf_devname.h"
#include "pf_config.h"
#include "check.h"

static char err[PF_ERRBUF_SIZE];

/* A name that parses, with what it must give. */
static void
check_name(const char *name, pfring_name_kind kind, const char *path,
	   const char *dev0, int n_devices, int queue, uint32_t cluster_id)
{
	struct pf_devname dn;

	strcpy(err, "(untouched)");
	CHECK_INT(0, pf_devname_parse(name, &dn, err, sizeof(err)));
	CHECK_STR("(untouched)", err);
	CHECK_INT(kind, dn.kind);
	CHECK_STR(path, dn.config_path);
	CHECK_STR(dev0, dn.devs.devices[0]);
	CHECK_INT(n_devices, dn.devs.n_devices);
	CHECK_INT(queue, dn.devs.queue);
	CHECK_INT(cluster_id, dn.devs.cluster_id);
}

/* A name that does not parse: the message, and whose name it still is. */
static void
check_name_error(const char *name, pfring_name_kind kind, const char *msg)
{
	struct pf_devname dn;

	err[0] = '\0';
	CHECK_INT(-1, pf_devname_parse(name, &dn, err, sizeof(err)));
	CHECK_STR(msg, err);
	CHECK_INT(kind, dn.kind);
}

static void
test_kinds(void)
{
	check_name("eth0", pfring_name_plain, "", "eth0", 1, -1, 0);
	check_name("any", pfring_name_plain, "", "any", 1, -1, 0);
	check_name("pfringeth0", pfring_name_plain, "", "pfringeth0", 1, -1, 0);
	check_name("zceth0", pfring_name_plain, "", "zceth0", 1, -1, 0);
	check_name("pfring:eth0", pfring_name_pfring, "", "eth0", 1, -1, 0);
	check_name("pfring:eth0,eth1@2", pfring_name_pfring, "", "eth0", 2, 2, 0);
	check_name("pfring/etc/pfring/span.conf:eth0", pfring_name_pfring_file,
		   "/etc/pfring/span.conf", "eth0", 1, -1, 0);
	check_name("pfring//tmp/x/span.conf:veth1@0", pfring_name_pfring_file,
		   "//tmp/x/span.conf", "veth1", 1, 0, 0);
	/* The last ':' ends the path. */
	check_name("pfring/a:b.conf:eth0", pfring_name_pfring_file, "/a:b.conf", "eth0", 1, -1, 0);

	check_name("zc:99@0", pfring_name_zc, "", "99", 1, 0, 99);
	check_name("zc:1@65535", pfring_name_zc, "", "1", 1, 65535, 1);
	check_name("zc:65535@3", pfring_name_zc, "", "65535", 1, 3, 65535);
	check_name("zc:007@1", pfring_name_zc, "", "007", 1, 1, 7);
	check_name("zc:eth0", pfring_name_zc, "", "eth0", 1, -1, 0);
	check_name("zc:eth0@3", pfring_name_zc, "", "eth0", 1, 3, 0);
	check_name("zc:1a@2", pfring_name_zc, "", "1a", 1, 2, 0);
	check_name("zc:xxxxxxxxxxxxxxx", pfring_name_zc, "", "xxxxxxxxxxxxxxx", 1, -1, 0);
}

static void
test_name_errors(void)
{
	char longname[PATH_MAX + 32];
	struct pf_devname dn;

	CHECK_INT(-1, pf_devname_parse(NULL, &dn, err, sizeof(err)));
	CHECK_STR("no device name", err);
	check_name_error("", pfring_name_plain, "empty device name");

	/* The device list's own message, after the whole name. */
	check_name_error("eth0,eth0", pfring_name_plain, "eth0,eth0: device 'eth0' listed twice");
	check_name_error("pfring:", pfring_name_pfring, "pfring:: empty device name");
	check_name_error("pfring:eth0@x", pfring_name_pfring,
			 "pfring:eth0@x: bad queue 'x' in 'eth0@x': not a number");
	check_name_error("pfring/x.conf:", pfring_name_pfring_file,
			 "pfring/x.conf:: empty device name");
	check_name_error("pfring/x.conf:a/b", pfring_name_pfring_file,
			 "pfring/x.conf:a/b: bad character '/' in interface name 'a/b'");

	check_name_error("pfring/etc/span.conf", pfring_name_pfring_file,
			 "'pfring/etc/span.conf': expected pfring/<config file>:<device>");
	check_name_error("pfring/:eth0", pfring_name_pfring_file,
			 "'pfring/:eth0': empty config file name");
	memset(longname, 'x', sizeof(longname));
	memcpy(longname, "pfring/", 7);
	memcpy(longname + PATH_MAX + 7, ":eth0", 6);
	check_name_error(longname, pfring_name_pfring_file, "'pfring/xxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': config file name too long");
	/* What may reach a terminal is printable. */
	check_name_error("pfring/\033[2J", pfring_name_pfring_file,
			 "'pfring/?[2J': expected pfring/<config file>:<device>");

	check_name_error("zc:", pfring_name_zc, "zc:: no cluster id or interface after 'zc:' "
			 "(zc:<cluster id>@<queue> or zc:<interface>[@<queue>])");
	check_name_error("zc:@1", pfring_name_zc, "zc:@1: no cluster id or interface after 'zc:' "
			 "(zc:<cluster id>@<queue> or zc:<interface>[@<queue>])");
	check_name_error("zc:xxxxxxxxxxxxxxxx@1", pfring_name_zc,
			 "zc:xxxxxxxxxxxxxxxx@1: 'xxxxxxxxxxxxxxxx' is too long for a cluster id or interface");
	check_name_error("zc:99@x", pfring_name_zc, "zc:99@x: bad queue 'x' (a number 0..65535 expected)");
	check_name_error("zc:99@", pfring_name_zc, "zc:99@: bad queue '' (a number 0..65535 expected)");
	check_name_error("zc:99@-1", pfring_name_zc, "zc:99@-1: bad queue '-1' (a number 0..65535 expected)");
	check_name_error("zc:99@65536", pfring_name_zc,
			 "zc:99@65536: bad queue '65536' (a number 0..65535 expected)");
	check_name_error("zc:eth0@1@2", pfring_name_zc,
			 "zc:eth0@1@2: bad queue '1@2' (a number 0..65535 expected)");
	check_name_error("zc:99", pfring_name_zc, "zc:99: which queue of ZC cluster 99? (zc:99@<queue>)");
	check_name_error("zc:0@0", pfring_name_zc, "zc:0@0: cluster id 0 out of range 1..65535");
	check_name_error("zc:000@0", pfring_name_zc, "zc:000@0: cluster id 000 out of range 1..65535");
	check_name_error("zc:70000", pfring_name_zc, "zc:70000: cluster id 70000 out of range 1..65535");
	check_name_error("zc:65536@0", pfring_name_zc,
			 "zc:65536@0: cluster id 65536 out of range 1..65535");
	check_name_error("zc:99999999999999@0", pfring_name_zc,
			 "zc:99999999999999@0: cluster id 99999999999999 out of range 1..65535");
	check_name_error("zc:eth0,eth1", pfring_name_zc, "zc:eth0,eth1: one interface per zc: device");
	check_name_error("zc:a:b", pfring_name_zc, "zc:a:b: bad character ':' in interface name 'a:b'");
	check_name_error("zc:a/b@1", pfring_name_zc, "zc:a/b@1: bad character '/' in interface name 'a/b'");
	check_name_error("zc:e\tx", pfring_name_zc, "zc:e\tx: bad character 0x09 in interface name 'e?x'");
	check_name_error("zc:..", pfring_name_zc, "zc:..: invalid interface name '..'");

	/* No buffer, or a small one. */
	CHECK_INT(-1, pf_devname_parse("zc:", &dn, NULL, 0));
	{
		char small[8];

		memset(small, 'Z', sizeof(small));
		CHECK_INT(-1, pf_devname_parse("zc:", &dn, small, 6));
		CHECK_STR("zc:: ", small);
		CHECK(small[6] == 'Z');
	}
}

/* ---- the device list ------------------------------------------------------ */

static int
devspec(const char *spec, struct pf_devspec *d)
{
	memset(d, 0x55, sizeof(*d));
	strcpy(err, "(untouched)");
	return pf_devspec_parse(spec, d, err, sizeof(err));
}

#define DEV_ERR(spec, msg)                                              \
	do {                                                            \
		struct pf_devspec d_;                                   \
		n_checks++;                                             \
		if (devspec((spec), &d_) == 0)                          \
			FAIL_AT("devspec \"%s\" succeeded, expected \"%s\"", \
				(spec), (msg));                         \
		else                                                    \
			CHECK_STR((msg), err);                          \
	} while (0)

static void
test_devspec(void)
{
	struct pf_devspec d;
	char name15[16], name16[17], spec[256];
	int i;

	CHECK_INT(0, devspec("eth0", &d));
	CHECK_INT(1, d.n_devices);
	CHECK_STR("eth0", d.devices[0]);
	CHECK_INT(-1, d.queue);
	CHECK_INT(0, d.cluster_id);

	CHECK_INT(0, devspec("eth0,eth1", &d));
	CHECK_INT(2, d.n_devices);
	CHECK_STR("eth0", d.devices[0]);
	CHECK_STR("eth1", d.devices[1]);
	CHECK_INT(-1, d.queue);

	CHECK_INT(0, devspec("eth0@2", &d));
	CHECK_INT(1, d.n_devices);
	CHECK_STR("eth0", d.devices[0]);
	CHECK_INT(2, d.queue);

	CHECK_INT(0, devspec("eth0,eth1@1", &d));
	CHECK_INT(2, d.n_devices);
	CHECK_STR("eth0", d.devices[0]);
	CHECK_STR("eth1", d.devices[1]);
	CHECK_INT(1, d.queue);

	CHECK_INT(0, devspec("lo@0", &d));
	CHECK_INT(0, d.queue);
	CHECK_INT(0, devspec("enp3s0f1@4095", &d));
	CHECK_INT(4095, d.queue);
	CHECK_STR("enp3s0f1", d.devices[0]);
	CHECK_INT(0, devspec("eth0.100", &d));
	CHECK_STR("eth0.100", d.devices[0]);
	CHECK_INT(0, devspec("br-lan_2", &d));
	CHECK_STR("br-lan_2", d.devices[0]);

	memset(name15, 'x', 15);
	name15[15] = '\0';
	CHECK_INT(0, devspec(name15, &d));
	CHECK_STR(name15, d.devices[0]);
	memset(name16, 'x', 16);
	name16[16] = '\0';
	DEV_ERR(name16, "interface name 'xxxxxxxxxxxxxxxx' is too long (max 15 characters)");
	DEV_ERR("xxxxxxxxxxxxxxxxxx", "interface name 'xxxxxxxxxxxxxxxxxx' is too long (max 15 characters)");
	snprintf(spec, sizeof(spec), "eth0,%s@3", name16);
	DEV_ERR(spec, "interface name 'xxxxxxxxxxxxxxxx' is too long (max 15 characters)");

	/* eight devices are fine, nine are not */
	spec[0] = '\0';
	for (i = 0; i < 8; i++)
		snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%seth%d", i ? "," : "", i);
	CHECK_INT(0, devspec(spec, &d));
	CHECK_INT(8, d.n_devices);
	CHECK_STR("eth7", d.devices[7]);
	strcat(spec, ",eth8");
	DEV_ERR(spec, "too many devices (max 8)");

	DEV_ERR("", "empty device name");
	CHECK_INT(-1, pf_devspec_parse(NULL, &d, err, sizeof(err)));
	CHECK_STR("empty device name", err);
	DEV_ERR(",eth0", "empty device name");
	DEV_ERR("eth0,", "empty device name");
	DEV_ERR("eth0,,eth1", "empty device name");
	DEV_ERR("@1", "empty device name");
	DEV_ERR(",", "empty device name");
	DEV_ERR("eth0,@1", "empty device name");

	DEV_ERR("eth0,eth0", "device 'eth0' listed twice");
	DEV_ERR("eth0,eth1,eth0@3", "device 'eth0' listed twice");

	DEV_ERR("eth0@x", "bad queue 'x' in 'eth0@x': not a number");
	DEV_ERR("eth0@-1", "bad queue '-1' in 'eth0@-1': not a number");
	DEV_ERR("eth0@1x", "bad queue '1x' in 'eth0@1x': not a number");
	DEV_ERR("eth0@1@2", "bad queue '1@2' in 'eth0@1@2': not a number");
	DEV_ERR("eth0@ 1", "bad queue ' 1' in 'eth0@ 1': not a number");
	DEV_ERR("eth0@4096", "bad queue '4096' in 'eth0@4096': must be 0..4095");
	DEV_ERR("eth0@99999999999999999999999", "bad queue '99999999999999999999999' in "
		"'eth0@99999999999999999999999': must be 0..4095");
	DEV_ERR("eth0@", "missing queue number after '@' in 'eth0@'");
	DEV_ERR("eth0@1,eth1", "the '@queue' must follow the last device and applies "
		"to all of them: 'eth0@1,eth1'");

	DEV_ERR("a/b", "bad character '/' in interface name 'a/b'");
	DEV_ERR("eth0:1", "bad character ':' in interface name 'eth0:1'");
	DEV_ERR("eth 0", "bad character ' ' in interface name 'eth 0'");
	DEV_ERR("eth0, eth1", "bad character ' ' in interface name ' eth1'");
	DEV_ERR("eth0\t", "bad character 0x09 in interface name 'eth0?'");
	DEV_ERR("e\001", "bad character 0x01 in interface name 'e?'");
	DEV_ERR(".", "invalid interface name '.'");
	DEV_ERR("eth0,..", "invalid interface name '..'");

	/* out is untouched on error */
	memset(&d, 0x55, sizeof(d));
	CHECK_INT(-1, pf_devspec_parse("eth0,eth0", &d, err, sizeof(err)));
	CHECK_INT(0x55555555, d.n_devices);
	/* a small err buffer is respected */
	{
		char small[8];

		memset(small, 'Z', sizeof(small));
		CHECK_INT(-1, pf_devspec_parse("", &d, small, 6));
		CHECK_STR("empty", small);
		CHECK(small[6] == 'Z');
	}
}

/* ---- the public call -------------------------------------------------------- */

static void
test_public(void)
{
	struct pfring_device_name n;

	CHECK_INT(0, pfring_parse_device_name("pfring/x.conf:eth0,eth1@3", &n, err, sizeof(err)));
	CHECK_INT(pfring_name_pfring_file, n.kind);
	CHECK_INT(2, n.n_devices);
	CHECK_STR("eth0", n.devices[0]);
	CHECK_STR("eth1", n.devices[1]);
	CHECK_INT(3, n.queue);
	CHECK_INT(0, n.zc_cluster_id);

	CHECK_INT(0, pfring_parse_device_name("zc:42@7", &n, NULL, 0));
	CHECK_INT(pfring_name_zc, n.kind);
	CHECK_INT(42, n.zc_cluster_id);
	CHECK_INT(7, n.queue);
	CHECK_INT(0, pfring_parse_device_name("zc:veth1", &n, NULL, 0));
	CHECK_INT(0, n.zc_cluster_id);
	CHECK_STR("veth1", n.devices[0]);
	CHECK_INT(-1, n.queue);

	/* On error: whose name it is, and nothing else. */
	memset(&n, 0x55, sizeof(n));
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT,
		  pfring_parse_device_name("zc:99", &n, err, sizeof(err)));
	CHECK_STR("zc:99: which queue of ZC cluster 99? (zc:99@<queue>)", err);
	CHECK_INT(pfring_name_zc, n.kind);
	CHECK_INT(0, n.n_devices);
	CHECK_INT(-1, n.queue);
	CHECK_INT(0, n.zc_cluster_id);
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_parse_device_name("eth0,", &n, NULL, 0));
	CHECK_INT(pfring_name_plain, n.kind);
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_parse_device_name(NULL, &n, NULL, 0));
	CHECK_INT(0, pfring_parse_device_name("eth0", NULL, NULL, 0));
	CHECK_INT(PF_RING_ERROR_INVALID_ARGUMENT, pfring_parse_device_name("zc:", NULL, NULL, 0));
}

int
main(void)
{
	test_kinds();
	test_name_errors();
	test_devspec();
	test_public();
	return check_exit("test_devname");
}
