/*
 * pf_fanout.c - the PACKET_FANOUT_EBPF programs, one per hash cluster type.
 */
#include "pf_fanout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "pf_bpf.h"

const char *pf_fanout_prog_name(cluster_type type)
{
	switch (type) {
	case cluster_per_flow:             return "pf_fanout_per_flow";
	case cluster_per_flow_2_tuple:     return "pf_fanout_2_tuple";
	case cluster_per_flow_4_tuple:     return "pf_fanout_4_tuple";
	case cluster_per_flow_5_tuple:     return "pf_fanout_5_tuple";
	case cluster_per_flow_tcp_5_tuple: return "pf_fanout_tcp_5_tuple";
	case cluster_per_inner_flow:       return "pf_fanout_inner_flow";
	case cluster_per_inner_flow_2_tuple: return "pf_fanout_inner_2_tuple";
	case cluster_per_inner_flow_4_tuple: return "pf_fanout_inner_4_tuple";
	case cluster_per_inner_flow_5_tuple: return "pf_fanout_inner_5_tuple";
	case cluster_per_inner_flow_tcp_5_tuple: return "pf_fanout_inner_tcp_5_tuple";
	case cluster_per_flow_ip_5_tuple:  return "pf_fanout_ip_5_tuple";
	case cluster_per_inner_flow_ip_5_tuple: return "pf_fanout_inner_ip_5_tuple";
	case cluster_per_flow_ip_with_dup_tuple:
	case cluster_round_robin:
	default:                           return NULL;
	}
}

int pf_fanout_prog_load(cluster_type type, char *err, size_t errlen)
{
	static _Thread_local char scratch[1];
	struct bpf_object *obj;
	const char *name;
	int prog_fd, fd, saved_errno = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!err || errlen == 0) {
		/* Still report the failure, just without text. */
		err = scratch;
		errlen = sizeof scratch;
	}
	if (type == cluster_round_robin) {
		snprintf(err, errlen, "cluster_round_robin has no eBPF program: use PACKET_FANOUT_LB");
		errno = EINVAL;
		return -1;
	}
	if (type == cluster_per_flow_ip_with_dup_tuple) {
		snprintf(err, errlen, "cluster type ip_with_dup_tuple sends a packet to two members, "
			 "which a PACKET_FANOUT group cannot: use the kmod engine (pf_ring.ko) "
			 "or zbalance -t ip_with_dup_tuple");
		errno = EOPNOTSUPP;
		return -1;
	}
	name = pf_fanout_prog_name(type);
	if (!name) {
		snprintf(err, errlen, "unknown cluster type %d", (int)type);
		errno = EINVAL;
		return -1;
	}
	obj = pf_bpf_load(pf_fanout_bpf_obj, (size_t)pf_fanout_bpf_obj_size, "pf_fanout", name,
			  &prog_fd, err, errlen);
	if (!obj)
		return -1;
	/* The object owns its fd and closes it with the object. */
	fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		saved_errno = errno;
		snprintf(err, errlen, "dup of eBPF program fd: %s", strerror(errno));
	}
	bpf_object__close(obj);
	if (fd < 0)
		errno = saved_errno;
	return fd;
}
