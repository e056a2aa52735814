/*
 * pf_bpf.c - load libpfring's embedded eBPF programs with libbpf.
 */
#include "pf_bpf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#define PF_BPF_LOG_SIZE (64 * 1024)

/* Last libbpf warning of the load running on this thread, for err. */
static _Thread_local char pf_bpf_libbpf_msg[256];

static int pf_bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(pf_bpf_libbpf_msg, sizeof pf_bpf_libbpf_msg, fmt, ap);
	n = strlen(pf_bpf_libbpf_msg);
	while (n > 0 && (pf_bpf_libbpf_msg[n - 1] == '\n' || pf_bpf_libbpf_msg[n - 1] == ' '))
		pf_bpf_libbpf_msg[--n] = '\0';
	return 0;
}

/*
 * The reason is the last line of the verifier log that is not one of the
 * summary lines it ends with.
 */
static const char *pf_bpf_reason(char *log)
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

static void pf_bpf_load_error(int rc, const char *name, char *log, char *err, size_t errlen)
{
	int e = rc < 0 ? -rc : rc;
	const char *line = log ? pf_bpf_reason(log) : "";

	if (e == EPERM)
		snprintf(err, errlen,
			 "loading eBPF program %s: %s (needs root or CAP_BPF; see "
			 "sysctl kernel.unprivileged_bpf_disabled)", name, strerror(e));
	else if (line[0] != '\0')
		snprintf(err, errlen, "kernel verifier rejected eBPF program %s (%s): %s",
			 name, strerror(e), line);
	else
		snprintf(err, errlen, "loading eBPF program %s: %s%s%s", name, strerror(e),
			 pf_bpf_libbpf_msg[0] ? "; libbpf: " : "", pf_bpf_libbpf_msg);
}

struct bpf_object *pf_bpf_load(const void *image, size_t size, const char *obj_name,
			       const char *prog_name, int *prog_fd,
			       char *err, size_t errlen)
{
	struct bpf_object_open_opts opts;
	libbpf_print_fn_t old_print;
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	char *log = NULL;
	int rc, saved_errno = 0;

	pf_bpf_libbpf_msg[0] = '\0';
	old_print = libbpf_set_print(pf_bpf_print);

	memset(&opts, 0, sizeof opts);
	opts.sz = sizeof opts;
	opts.object_name = obj_name;
	obj = bpf_object__open_mem(image, size, &opts);
	if (!obj) {
		rc = saved_errno = errno;
		snprintf(err, errlen, "cannot open the embedded eBPF object %s: %s%s%s", obj_name,
			 strerror(rc), pf_bpf_libbpf_msg[0] ? "; libbpf: " : "", pf_bpf_libbpf_msg);
		goto fail;
	}
	prog = bpf_object__find_program_by_name(obj, prog_name);
	if (!prog) {
		saved_errno = ENOENT;
		snprintf(err, errlen, "eBPF program %s missing from the embedded object", prog_name);
		goto fail;
	}
	/* Load only the one asked for: less verifier work, fewer failure points. */
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	log = calloc(1, PF_BPF_LOG_SIZE);
	if (log)
		bpf_program__set_log_buf(prog, log, PF_BPF_LOG_SIZE);
	rc = bpf_object__load(obj);
	if (rc) {
		saved_errno = rc < 0 ? -rc : rc;
		pf_bpf_load_error(rc, prog_name, log, err, errlen);
		goto fail;
	}
	*prog_fd = bpf_program__fd(prog);
	free(log);
	libbpf_set_print(old_print);
	return obj;
fail:
	bpf_object__close(obj);
	free(log);
	libbpf_set_print(old_print);
	errno = saved_errno ? saved_errno : EINVAL;
	return NULL;
}
