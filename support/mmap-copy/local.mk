# support/mmap-copy: the mmap_copy lab (see labs/mmap-copy.md). Its two
# files: the assignment's eight steps, and the safety code (copy_safety.c).
# A lab program like the others: installed in the kit (tools/install.mk),
# not in $(bindir) under its own generic name.
noinst_PROGRAMS += support/mmap-copy/mmap_copy
support_mmap_copy_mmap_copy_SOURCES = support/mmap-copy/mmap_copy.c \
	support/mmap-copy/copy_safety.c support/mmap-copy/mmap_copy.h

# Test helper: act on a file at a phase mark (the shrinking-source test).
check_PROGRAMS += tests/progs/at_phase
TESTS += tests/mmap_copy.bats
EXTRA_DIST += tests/mmap_copy.bats labs/mmap-copy.md
