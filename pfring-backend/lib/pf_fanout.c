/*
 * pf_fanout.c - load the embedded PACKET_FANOUT_EBPF programs with libbpf.
 */
#include "pf_fanout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

/* From fanout_obj.S. */
extern const unsigned char pf_fanout_bpf_obj[];
extern const unsigned long long pf_fanout_bpf_obj_size;

#define PF_FANOUT_LOG_SIZE (64 * 1024)

/* Last libbpf warning of the load running on this thread, for err. */
static _Thread_local char pf_fanout_libbpf_msg[256];

static int pf_fanout_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(pf_fanout_libbpf_msg, sizeof pf_fanout_libbpf_msg, fmt, ap);
	n = strlen(pf_fanout_libbpf_msg);
	while (n > 0 && (pf_fanout_libbpf_msg[n - 1] == '\n' || pf_fanout_libbpf_msg[n - 1] == ' '))
		pf_fanout_libbpf_msg[--n] = '\0';
	return 0;
}

const char *pf_fanout_prog_name(cluster_type type)
{
	switch (type) {
	case cluster_per_flow:             return "pf_fanout_per_flow";
	case cluster_per_flow_2_tuple:     return "pf_fanout_2_tuple";
	case cluster_per_flow_4_tuple:     return "pf_fanout_4_tuple";
	case cluster_per_flow_5_tuple:     return "pf_fanout_5_tuple";
	case cluster_per_flow_tcp_5_tuple: return "pf_fanout_tcp_5_tuple";
	case cluster_round_robin:
	default:                           return NULL;
	}
}

/*
 * The reason is the last line of the verifier log that is not one of the
 * summary lines it ends with.
 */
static const char *pf_fanout_reason(char *log)
{
	static const char *const summary[] = { "processed ", "verification time", "stack depth" };
	size_t n = strlen(log), i;
	char *line;

	for (;;) {
		while (n > 0 && (log[n - 1] == '\n' || log[n - 1] == ' '))
			log[--n] = '\0';
		if (n == 0)
			return log;
		line = strrchr(log, '\n');
		line = line ? line + 1 : log;
		for (i = 0; i < sizeof summary / sizeof summary[0]; i++)
			if (strncmp(line, summary[i], strlen(summary[i])) == 0)
				break;
		if (i == sizeof summary / sizeof summary[0] || line == log)
			return line;
		n = (size_t)(line - log);
		log[n] = '\0';
	}
}

static void pf_fanout_load_error(int rc, const char *name, char *log, char *err, size_t errlen)
{
	int e = rc < 0 ? -rc : rc;
	const char *line = log ? pf_fanout_reason(log) : "";

	if (e == EPERM)
		snprintf(err, errlen,
			 "loading eBPF program %s: %s (needs root or CAP_BPF; see "
			 "sysctl kernel.unprivileged_bpf_disabled)", name, strerror(e));
	else if (line[0] != '\0')
		snprintf(err, errlen, "kernel verifier rejected eBPF program %s (%s): %s",
			 name, strerror(e), line);
	else
		snprintf(err, errlen, "loading eBPF program %s: %s%s%s", name, strerror(e),
			 pf_fanout_libbpf_msg[0] ? "; libbpf: " : "", pf_fanout_libbpf_msg);
}

int pf_fanout_prog_load(cluster_type type, char *err, size_t errlen)
{
	struct bpf_object_open_opts opts;
	libbpf_print_fn_t old_print;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog, *p;
	const char *name;
	char *log = NULL;
	int rc, fd = -1, saved_errno = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!err || errlen == 0) {
		/* Still report the failure, just without text. */
		static _Thread_local char scratch[1];
		err = scratch;
		errlen = sizeof scratch;
	}
	if (type == cluster_round_robin) {
		snprintf(err, errlen, "cluster_round_robin has no eBPF program: use PACKET_FANOUT_LB");
		errno = EINVAL;
		return -1;
	}
	name = pf_fanout_prog_name(type);
	if (!name) {
		snprintf(err, errlen, "unknown cluster type %d", (int)type);
		errno = EINVAL;
		return -1;
	}

	pf_fanout_libbpf_msg[0] = '\0';
	old_print = libbpf_set_print(pf_fanout_print);

	memset(&opts, 0, sizeof opts);
	opts.sz = sizeof opts;
	opts.object_name = "pf_fanout";
	obj = bpf_object__open_mem(pf_fanout_bpf_obj, (size_t)pf_fanout_bpf_obj_size, &opts);
	if (!obj) {
		rc = saved_errno = errno;
		snprintf(err, errlen, "cannot open the embedded eBPF object: %s%s%s", strerror(rc),
			 pf_fanout_libbpf_msg[0] ? "; libbpf: " : "", pf_fanout_libbpf_msg);
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, name);
	if (!prog) {
		snprintf(err, errlen, "eBPF program %s missing from the embedded object", name);
		goto out;
	}
	/* Load only the one asked for: less verifier work, fewer failure points. */
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	log = calloc(1, PF_FANOUT_LOG_SIZE);
	if (log)
		bpf_program__set_log_buf(prog, log, PF_FANOUT_LOG_SIZE);

	rc = bpf_object__load(obj);
	if (rc) {
		saved_errno = rc < 0 ? -rc : rc;
		pf_fanout_load_error(rc, name, log, err, errlen);
		goto out;
	}
	/* The object owns its fd and closes it with the object. */
	fd = fcntl(bpf_program__fd(prog), F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		saved_errno = errno;
		snprintf(err, errlen, "dup of eBPF program fd: %s", strerror(errno));
	}
out:
	bpf_object__close(obj);
	free(log);
	libbpf_set_print(old_print);
	if (fd < 0)
		errno = saved_errno ? saved_errno : EINVAL;
	return fd;
}
