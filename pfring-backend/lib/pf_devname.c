/*
 * pf_devname.c - device names: which source a name asks for, its config
 * file, devices, queue and ZC cluster (see pf_devname.h).
 */
#include "pf_devname.h"
#include "pf_config.h"   /* PF_ERRBUF_SIZE, pf_set_err() */
#include "pf_text.h"
#include "pf_ring_abi.h"

#include <stdio.h>
#include <string.h>

static const char prefix_pfring[] = "pfring:";
static const char prefix_pfring_file[] = "pfring/";
static const char prefix_zc[] = "zc:";
#define PREFIX_LEN(p) (sizeof(p) - 1)

/* What Linux's dev_valid_name() refuses, plus control bytes and '@', which
 * is ours (the queue separator). */
static int bad_name_char(char c)
{
	return c == '/' || c == ':' || c == '@' || pf_is_space(c) ||
	       (unsigned char)c < 0x20 || c == 0x7f;
}

/* One interface name, p[0..n): 0, or -1 with the reason in err. */
static int check_ifname(const char *p, size_t n, char *err, size_t errlen)
{
	char sname[PF_SHOW_BUF];
	size_t i;

	pf_show(sname, sizeof(sname), p, n);
	if (n == 0) {
		pf_set_err(err, errlen, "empty device name");
		return -1;
	}
	if (n > IF_NAMESIZE - 1) {
		pf_set_err(err, errlen, "interface name '%s' is too long (max %d characters)",
			   sname, IF_NAMESIZE - 1);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!bad_name_char(p[i]))
			continue;
		if (pf_is_print(p[i]))
			pf_set_err(err, errlen, "bad character '%c' in interface name '%s'",
				   p[i], sname);
		else
			pf_set_err(err, errlen, "bad character 0x%02x in interface name '%s'",
				   (unsigned int)(unsigned char)p[i], sname);
		return -1;
	}
	if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
		pf_set_err(err, errlen, "invalid interface name '%s'", sname);
		return -1;
	}
	return 0;
}

int pf_devspec_parse(const char *spec, struct pf_devspec *out,
		     char *err, size_t errlen)
{
	char sspec[PF_SHOW_BUF], sname[PF_SHOW_BUF], sq[PF_SHOW_BUF];
	struct pf_devspec d;
	const char *at, *end, *p;
	size_t speclen;

	memset(&d, 0, sizeof(d));
	d.queue = -1;
	if (spec == NULL || *spec == '\0') {
		pf_set_err(err, errlen, "empty device name");
		return -1;
	}
	speclen = strlen(spec);
	pf_show(sspec, sizeof(sspec), spec, speclen);

	at = strchr(spec, '@');
	end = at ? at : spec + speclen;
	if (at) {
		const char *q = at + 1;
		unsigned long v;
		int r;

		/* One queue for the whole spec, so it can only come last. */
		if (strchr(q, ',') != NULL) {
			pf_set_err(err, errlen,
				"the '@queue' must follow the last device and applies to all of them: '%s'",
				sspec);
			return -1;
		}
		if (*q == '\0') {
			pf_set_err(err, errlen, "missing queue number after '@' in '%s'", sspec);
			return -1;
		}
		pf_show_str(sq, sizeof(sq), q);
		r = pf_parse_udec(q, PF_DEVNAME_QUEUE_MAX, &v);
		if (r == -1) {
			pf_set_err(err, errlen, "bad queue '%s' in '%s': not a number", sq, sspec);
			return -1;
		}
		if (r == -2) {
			pf_set_err(err, errlen, "bad queue '%s' in '%s': must be 0..%d",
				   sq, sspec, PF_DEVNAME_QUEUE_MAX);
			return -1;
		}
		d.queue = (int)v;
	}

	for (p = spec; ; ) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *nend = comma ? comma : end;
		size_t n = (size_t)(nend - p);
		int j;

		if (check_ifname(p, n, err, errlen) < 0)
			return -1;
		pf_show(sname, sizeof(sname), p, n);
		for (j = 0; j < d.n_devices; j++) {
			if (strlen(d.devices[j]) == n && memcmp(d.devices[j], p, n) == 0) {
				pf_set_err(err, errlen, "device '%s' listed twice", sname);
				return -1;
			}
		}
		if (d.n_devices == PFRING_MAX_DEVICES) {
			pf_set_err(err, errlen, "too many devices (max %d)", PFRING_MAX_DEVICES);
			return -1;
		}
		memcpy(d.devices[d.n_devices], p, n);
		d.devices[d.n_devices][n] = '\0';
		d.n_devices++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (out)
		*out = d;
	return 0;
}

/*
 * "zc:<spec>": "<cluster id>@<queue>" is a queue of a ZC cluster (all
 * digits), "<interface>[@<queue>]" an AF_XDP socket.  Messages quote the
 * whole name, as tcpdump prints it.
 */
static int zc_parse(const char *name, struct pf_devspec *d, char *err, size_t errlen)
{
	const char *spec = name + PREFIX_LEN(prefix_zc), *at, *q;
	char why[PF_ERRBUF_SIZE];
	unsigned long v;
	size_t n;

	at = strchr(spec, '@');
	n = at ? (size_t)(at - spec) : strlen(spec);
	if (n == 0) {
		pf_set_err(err, errlen, "%s: no cluster id or interface after 'zc:' "
			   "(zc:<cluster id>@<queue> or zc:<interface>[@<queue>])", name);
		return -1;
	}
	if (n >= IF_NAMESIZE) {
		pf_set_err(err, errlen, "%s: '%.*s' is too long for a cluster id or interface",
			   name, (int)n, spec);
		return -1;
	}
	memcpy(d->devices[0], spec, n);
	d->devices[0][n] = '\0';
	d->n_devices = 1;
	if (at != NULL) {
		q = at + 1;
		if (pf_parse_udec(q, PF_DEVNAME_ZC_QUEUE_MAX, &v) < 0) {
			pf_set_err(err, errlen, "%s: bad queue '%s' (a number 0..%d expected)",
				   name, q, PF_DEVNAME_ZC_QUEUE_MAX);
			return -1;
		}
		d->queue = (int)v;
	}
	if (strspn(d->devices[0], "0123456789") == n) {
		if (pf_parse_udec(d->devices[0], PF_RING_MAX_CLUSTER_ID, &v) < 0 || v == 0) {
			pf_set_err(err, errlen, "%s: cluster id %s out of range 1..%u",
				   name, d->devices[0], PF_RING_MAX_CLUSTER_ID);
			return -1;
		}
		if (d->queue < 0) {
			pf_set_err(err, errlen, "%s: which queue of ZC cluster %s? (zc:%s@<queue>)",
				   name, d->devices[0], d->devices[0]);
			return -1;
		}
		d->cluster_id = (uint32_t)v;
		return 0;
	}
	if (strchr(d->devices[0], ',') != NULL) {
		pf_set_err(err, errlen, "%s: one interface per zc: device", name);
		return -1;
	}
	if (check_ifname(spec, n, why, sizeof(why)) < 0) {
		pf_set_err(err, errlen, "%s: %s", name, why);
		return -1;
	}
	return 0;
}

/* "pfring/<path>:<devices>": the path runs from the '/' after "pfring" up to
 * the last ':' (so "pfring/etc/x.conf:eth0" names /etc/x.conf). */
static const char *split_config_path(const char *name, struct pf_devname *dn,
				     char *err, size_t errlen)
{
	const char *start = name + PREFIX_LEN(prefix_pfring_file) - 1; /* keep the '/' */
	const char *colon = strrchr(name, ':');
	char shown[PF_SHOW_BUF];
	size_t len;

	/* Shown cut, so the reason survives a path of any length. */
	pf_show_str(shown, sizeof(shown), name);
	if (colon == NULL) {
		pf_set_err(err, errlen, "'%s': expected pfring/<config file>:<device>", shown);
		return NULL;
	}
	len = (size_t)(colon - start);
	if (len <= 1) {
		pf_set_err(err, errlen, "'%s': empty config file name", shown);
		return NULL;
	}
	if (len >= sizeof(dn->config_path)) {
		pf_set_err(err, errlen, "'%s': config file name too long", shown);
		return NULL;
	}
	memcpy(dn->config_path, start, len);
	dn->config_path[len] = '\0';
	return colon + 1;
}

int pf_devname_parse(const char *name, struct pf_devname *dn, char *err, size_t errlen)
{
	char why[PF_ERRBUF_SIZE];
	const char *spec = name;

	memset(dn, 0, sizeof(*dn));
	dn->kind = pfring_name_plain;
	dn->devs.queue = -1;
	if (name == NULL) {
		pf_set_err(err, errlen, "no device name");
		return -1;
	}
	if (strncmp(name, prefix_zc, PREFIX_LEN(prefix_zc)) == 0) {
		dn->kind = pfring_name_zc;
		return zc_parse(name, &dn->devs, err, errlen);
	}
	if (strncmp(name, prefix_pfring, PREFIX_LEN(prefix_pfring)) == 0) {
		dn->kind = pfring_name_pfring;
		spec = name + PREFIX_LEN(prefix_pfring);
	} else if (strncmp(name, prefix_pfring_file, PREFIX_LEN(prefix_pfring_file)) == 0) {
		dn->kind = pfring_name_pfring_file;
		spec = split_config_path(name, dn, err, errlen);
		if (spec == NULL)
			return -1;
	}
	if (pf_devspec_parse(spec, &dn->devs, why, sizeof(why)) < 0) {
		if (*name == '\0')
			pf_set_err(err, errlen, "%s", why);
		else
			pf_set_err(err, errlen, "%.64s: %.180s", name, why);
		return -1;
	}
	return 0;
}

int pfring_parse_device_name(const char *name, struct pfring_device_name *out,
			     char *errbuf, size_t errbuf_len)
{
	struct pf_devname dn;
	int rc, i;

	rc = pf_devname_parse(name, &dn, errbuf, errbuf_len);
	if (out == NULL)
		return rc < 0 ? PF_RING_ERROR_INVALID_ARGUMENT : 0;
	memset(out, 0, sizeof(*out));
	out->kind = dn.kind;
	out->queue = -1;
	if (rc < 0)
		return PF_RING_ERROR_INVALID_ARGUMENT;
	out->n_devices = dn.devs.n_devices;
	for (i = 0; i < dn.devs.n_devices; i++)
		memcpy(out->devices[i], dn.devs.devices[i], sizeof(out->devices[i]));
	out->queue = dn.devs.queue;
	out->zc_cluster_id = dn.devs.cluster_id;
	return 0;
}
