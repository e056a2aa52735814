/*
 * The compiled eBPF objects, embedded so nothing is read from disk at run
 * time.  The assembler finds them through the -I of the build directory
 * (gcc passes -I on to as), which also works for VPATH builds.
 */
	.macro pf_embed name, file
	.section .rodata
	.balign 8
	.globl \name
	.hidden \name
	.type \name, @object
\name:
	.incbin "\file"
\name\()_end:
	.size \name, \name\()_end - \name

	.balign 8
	.globl \name\()_size
	.hidden \name\()_size
	.type \name\()_size, @object
\name\()_size:
	.quad \name\()_end - \name
	.size \name\()_size, 8
	.endm

	pf_embed pf_fanout_bpf_obj, "fanout.bpf.o"
	pf_embed pf_rules_bpf_obj, "rules.bpf.o"

	.section .note.GNU-stack, "", @progbits
