noinst_PROGRAMS += support/proc-mem/proc_mem
support_proc_mem_proc_mem_SOURCES = support/proc-mem/proc_mem.c

EXTRA_DIST += labs/proc-mem.md support/proc-mem/expect.tsv
TESTS += tests/proc_mem.bats
EXTRA_DIST += tests/proc_mem.bats
