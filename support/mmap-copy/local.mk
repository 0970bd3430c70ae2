# support/mmap-copy: the mmap_copy lab (see the top Makefile.am)
bin_PROGRAMS += support/mmap-copy/mmap_copy
support_mmap_copy_mmap_copy_SOURCES = support/mmap-copy/mmap_copy.c \
	support/mmap-copy/copy_safety.c support/mmap-copy/copy_methods.c \
	support/mmap-copy/mmap_copy.h

# Test helper: act on a file at a phase mark (the shrinking-source test).
check_PROGRAMS += tests/progs/at_phase
TESTS += tests/mmap_copy.bats
EXTRA_DIST += tests/mmap_copy.bats
