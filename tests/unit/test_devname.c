/*
 * test_devname.c - pcap device names: which backend a name asks for, the
 * per-handle config file inside "pfring/<path>:<spec>", and malformed names.
 */
#include <string.h>

#include "pf_config.h"
#include "check.h"

static void
check_split(const char *name, int kind, const char *path, const char *spec)
{
	char p[64], err[PF_ERRBUF_SIZE];
	const char *s = NULL;
	int k;

	err[0] = '\0';
	k = pf_device_name_split(name, p, sizeof(p), &s, err, sizeof(err));
	CHECK_INT(kind, k);
	if (k < 0)
		return;
	CHECK_STR(path, p);
	CHECK_STR(spec, s);
}

static void
check_split_error(const char *name, size_t pathlen, const char *msg)
{
	char p[64], err[PF_ERRBUF_SIZE];
	const char *s = NULL;

	err[0] = '\0';
	CHECK_INT(-1, pf_device_name_split(name, p, pathlen, &s, err, sizeof(err)));
	CHECK_STR(msg, err);
}

int
main(void)
{
	check_split("eth0", PF_NAME_NOT_OURS, "", "eth0");
	check_split("any", PF_NAME_NOT_OURS, "", "any");
	check_split("pfringeth0", PF_NAME_NOT_OURS, "", "pfringeth0");
	check_split("pfring:eth0", PF_NAME_PFRING, "", "eth0");
	check_split("pfring:eth0,eth1@2", PF_NAME_PFRING, "", "eth0,eth1@2");
	check_split("pfring:", PF_NAME_PFRING, "", "");
	check_split("zc:99@0", PF_NAME_ZC, "", "99@0");
	check_split("zc:eth0", PF_NAME_ZC, "", "eth0");
	check_split("pfring/etc/pfring/span.conf:eth0", PF_NAME_PFRING_FILE,
		    "/etc/pfring/span.conf", "eth0");
	check_split("pfring//tmp/x/span.conf:veth1@0", PF_NAME_PFRING_FILE,
		    "//tmp/x/span.conf", "veth1@0");
	/* The last ':' ends the path. */
	check_split("pfring/a:b.conf:eth0", PF_NAME_PFRING_FILE, "/a:b.conf", "eth0");
	check_split("pfring/x.conf:", PF_NAME_PFRING_FILE, "/x.conf", "");

	check_split_error("pfring/etc/span.conf", 64,
			  "'pfring/etc/span.conf': expected pfring/<config file>:<device>");
	check_split_error("pfring/:eth0", 64, "'pfring/:eth0': empty config file name");
	check_split_error("pfring/0123456789:eth0", 8,
			  "'pfring/0123456789:eth0': config file name too long");
	return check_exit("test_devname");
}
