# support/mmap-copy: the mmap_copy lab (see the top Makefile.am)
bin_PROGRAMS += support/mmap-copy/mmap_copy
support_mmap_copy_mmap_copy_SOURCES = support/mmap-copy/mmap_copy.c \
	support/mmap-copy/copy_safety.c support/mmap-copy/copy_methods.c \
	support/mmap-copy/mmap_copy.h

# Test helper: act on a file at a phase mark (the shrinking-source test).
check_PROGRAMS += tests/progs/at_phase
TESTS += tests/mmap_copy.bats
EXTRA_DIST += tests/mmap_copy.bats labs/mmap-copy.md

# make bench: every copy method against cp, paired runs, warm and cold
# cache. The TSV (bench-copy.tsv in the build directory) has the fixed
# header "method size_bytes wall_s ratio_to_cp min_flt maj_flt cache";
# cowplot copy reads it. Quick run: make bench-copy BENCH_COPY_FLAGS='--size 256M'
dist_noinst_SCRIPTS += support/mmap-copy/bench-copy
BENCH_TARGETS += bench-copy
CLEANFILES += bench-copy.tsv
bench-copy: support/mmap-copy/mmap_copy
	$(srcdir)/support/mmap-copy/bench-copy --mmap-copy support/mmap-copy/mmap_copy \
		-o bench-copy.tsv $(BENCH_COPY_FLAGS)
