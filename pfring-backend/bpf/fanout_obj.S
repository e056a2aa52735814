/*
 * The compiled fanout.bpf.o, embedded so nothing is read from disk at run
 * time.  The assembler finds it through the -I of the build directory
 * (gcc passes -I on to as), which also works for VPATH builds.
 */
#ifndef PF_FANOUT_BPF_OBJ
#define PF_FANOUT_BPF_OBJ "fanout.bpf.o"
#endif

	.section .rodata
	.balign 8
	.globl pf_fanout_bpf_obj
	.hidden pf_fanout_bpf_obj
	.type pf_fanout_bpf_obj, @object
pf_fanout_bpf_obj:
	.incbin PF_FANOUT_BPF_OBJ
pf_fanout_bpf_obj_end:
	.size pf_fanout_bpf_obj, pf_fanout_bpf_obj_end - pf_fanout_bpf_obj

	.balign 8
	.globl pf_fanout_bpf_obj_size
	.hidden pf_fanout_bpf_obj_size
	.type pf_fanout_bpf_obj_size, @object
pf_fanout_bpf_obj_size:
	.quad pf_fanout_bpf_obj_end - pf_fanout_bpf_obj
	.size pf_fanout_bpf_obj_size, 8

	.section .note.GNU-stack, "", @progbits
