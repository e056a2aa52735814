/*
 * xdp_redirect.bpf.o, embedded so the AF_XDP engine reads nothing from
 * disk at run time (found through the build directory's -I, as bpf_objs.S).
 */
	.section .rodata
	.balign 8
	.globl pf_xdp_bpf_obj
	.hidden pf_xdp_bpf_obj
	.type pf_xdp_bpf_obj, @object
pf_xdp_bpf_obj:
	.incbin "xdp_redirect.bpf.o"
pf_xdp_bpf_obj_end:
	.size pf_xdp_bpf_obj, pf_xdp_bpf_obj_end - pf_xdp_bpf_obj

	.balign 8
	.globl pf_xdp_bpf_obj_size
	.hidden pf_xdp_bpf_obj_size
	.type pf_xdp_bpf_obj_size, @object
pf_xdp_bpf_obj_size:
	.quad pf_xdp_bpf_obj_end - pf_xdp_bpf_obj
	.size pf_xdp_bpf_obj_size, 8

	.section .note.GNU-stack, "", @progbits
