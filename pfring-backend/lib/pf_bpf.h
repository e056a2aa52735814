/*
 * pf_bpf.h - load eBPF programs embedded in libpfring (bpf_objs.S) with
 * libbpf, quietly: libbpf's and the verifier's complaints end up in err.
 */
#ifndef PF_BPF_H
#define PF_BPF_H

#include <stddef.h>

struct bpf_object;

/* The objects embedded by bpf_objs.S. */
extern const unsigned char pf_fanout_bpf_obj[];
extern const unsigned long long pf_fanout_bpf_obj_size;
extern const unsigned char pf_rules_bpf_obj[];
extern const unsigned long long pf_rules_bpf_obj_size;

/*
 * Open the object image and load only program prog_name (with the maps it
 * uses).  Returns the object (close it with bpf_object__close()) and puts
 * the program's fd, owned by the object, in *prog_fd; NULL with errno set
 * and the reason in err (permission, verifier's last word, libbpf's).
 */
struct bpf_object *pf_bpf_load(const void *image, size_t size, const char *obj_name,
			       const char *prog_name, int *prog_fd,
			       char *err, size_t errlen);

#endif /* PF_BPF_H */
