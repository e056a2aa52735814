/*
 * fuzz_devname.c - libFuzzer target for the device-name grammar
 * (pf_devname.c): whole names, device lists, and the public
 * pfring_parse_device_name().
 *
 * Built with -DFUZZ_REPLAY_MAIN it is a plain program instead: it runs each
 * file named on the command line through the same entry point, or a built-in
 * set of awkward names when given none, so "make check" replays them without
 * clang's fuzzer runtime.  See tests/fuzz/fuzz.am for the libFuzzer build.
 */
#include "pf_devname.h"
#include "pf_config.h"
#include "pf_ring_abi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A message must be terminated inside the buffer and not be empty. */
static void check_err(const char *err, size_t errlen)
{
	if (memchr(err, '\0', errlen) == NULL || err[0] == '\0')
		abort();
}

static void check_devspec(const struct pf_devspec *d, int max_queue)
{
	int i, j;

	if (d->n_devices < 1 || d->n_devices > PFRING_MAX_DEVICES ||
	    d->queue < -1 || d->queue > max_queue)
		abort();
	for (i = 0; i < d->n_devices; i++) {
		size_t n = strnlen(d->devices[i], IF_NAMESIZE);

		if (n == 0 || n >= IF_NAMESIZE || strpbrk(d->devices[i], "/:@ ,") != NULL)
			abort();
		for (j = 0; j < i; j++) {
			if (strcmp(d->devices[i], d->devices[j]) == 0)
				abort();
		}
	}
}

static pfring_name_kind kind_of(const char *s)
{
	if (strncmp(s, "zc:", 3) == 0)
		return pfring_name_zc;
	if (strncmp(s, "pfring:", 7) == 0)
		return pfring_name_pfring;
	if (strncmp(s, "pfring/", 7) == 0)
		return pfring_name_pfring_file;
	return pfring_name_plain;
}

static void check_name(const char *s, const struct pf_devname *dn)
{
	const struct pf_devspec *d = &dn->devs;

	if (dn->kind == pfring_name_zc) {
		int digits = strspn(d->devices[0], "0123456789") == strlen(d->devices[0]);

		if (d->n_devices != 1 || d->queue < -1 || d->queue > PF_DEVNAME_ZC_QUEUE_MAX ||
		    d->cluster_id > PF_RING_MAX_CLUSTER_ID || digits != (d->cluster_id != 0) ||
		    (d->cluster_id != 0 && d->queue < 0))
			abort();
		if (d->cluster_id == 0)
			check_devspec(d, PF_DEVNAME_ZC_QUEUE_MAX);
	} else {
		check_devspec(d, PF_DEVNAME_QUEUE_MAX);
		if (d->cluster_id != 0)
			abort();
	}
	if (dn->kind == pfring_name_pfring_file) {
		size_t n = strnlen(dn->config_path, sizeof(dn->config_path));

		if (n < 2 || n >= sizeof(dn->config_path) || dn->config_path[0] != '/' ||
		    strncmp(s + 6, dn->config_path, n) != 0 || s[6 + n] != ':')
			abort();
	} else if (dn->config_path[0] != '\0') {
		abort();
	}
}

/* The public call says the same as the internal one. */
static void check_public(const char *s, int rc, const struct pf_devname *dn)
{
	struct pfring_device_name n;
	int i;

	if ((pfring_parse_device_name(s, &n, NULL, 0) == 0) != (rc == 0) || n.kind != dn->kind)
		abort();
	if (rc != 0)
		return;
	if (n.n_devices != dn->devs.n_devices || n.queue != dn->devs.queue ||
	    n.zc_cluster_id != dn->devs.cluster_id)
		abort();
	for (i = 0; i < n.n_devices; i++) {
		if (strcmp(n.devices[i], dn->devs.devices[i]) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pf_devname dn;
	struct pf_devspec ds;
	char err[PF_ERRBUF_SIZE], tiny[7];
	char *s;
	int rc;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	rc = pf_devname_parse(s, &dn, err, sizeof(err));
	if (dn.kind != kind_of(s))
		abort();
	if (rc == 0)
		check_name(s, &dn);
	else
		check_err(err, sizeof(err));
	check_public(s, rc, &dn);
	if (pf_devname_parse(s, &dn, tiny, sizeof(tiny)) != rc)
		abort();
	if (rc != 0)
		check_err(tiny, sizeof(tiny));

	if (pf_devspec_parse(s, &ds, err, sizeof(err)) == 0)
		check_devspec(&ds, PF_DEVNAME_QUEUE_MAX);
	else
		check_err(err, sizeof(err));
	free(s);
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
#include "fuzz_replay.h"

static const char *const builtin[] = {
	"", "eth0", "eth0,eth1@1", "eth0@1,eth1", "eth0@", "@", ",", ",,,,,,,,,,",
	"a,b,c,d,e,f,g,h,i", "a,b,c,d,e,f,g,h@4095", "eth0@4096",
	"eth0@00000000000000000000000000000000001", "eth0,eth0", "..", "e\tth0",
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@1",
	"pfring:", "pfring:eth0", "pfring:eth0,eth1@2", "pfring:a/b", "pfringeth0",
	"pfring/", "pfring/:", "pfring/:eth0", "pfring//:eth0", "pfring/x", "pfring/x:",
	"pfring/a:b:c", "pfring/etc/x.conf:eth0@3", "pfring/x.conf:eth0,eth0",
	"zc:", "zc:@", "zc:@1", "zc:0@0", "zc:1@0", "zc:65535@65535", "zc:65536@0",
	"zc:99", "zc:99@", "zc:99@x", "zc:99@-1", "zc:99@65536", "zc:007@1",
	"zc:eth0", "zc:eth0@3", "zc:eth0,eth1", "zc:a:b", "zc:..", "zc:.", "zc:1a@2",
	"zc:xxxxxxxxxxxxxxx", "zc:xxxxxxxxxxxxxxxx", "zc:eth0@1@2", "zc:\x7f\x80",
	"zc:99999999999999999999@1",
};

int main(int argc, char **argv)
{
	char longname[PATH_MAX + 64];
	size_t i;
	int n = 0, bad = 0;

	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++, n++) {
			if (replay_file(argv[i]) < 0)
				bad++;
		}
	} else {
		for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++, n++)
			LLVMFuzzerTestOneInput((const uint8_t *)builtin[i], strlen(builtin[i]));
		/* A config path of PATH_MAX - 1 bytes fits, one more does not. */
		memset(longname, 'x', sizeof(longname));
		memcpy(longname, "pfring/", 7);
		memcpy(longname + 6 + PATH_MAX - 1, ":eth0", 5);
		LLVMFuzzerTestOneInput((const uint8_t *)longname, 6 + PATH_MAX - 1 + 5);
		memcpy(longname + 6 + PATH_MAX, ":eth0", 5);
		LLVMFuzzerTestOneInput((const uint8_t *)longname, 6 + PATH_MAX + 5);
		n += 2;
	}
	printf("fuzz_devname: %d inputs replayed\n", n);
	return bad ? 1 : 0;
}

#endif /* FUZZ_REPLAY_MAIN */
