# tools/bench.mk: the benchmarks (make bench, and the runs of make media).
# Not labs: each measures what a lab explains, with the repetitions,
# sweeps and tables a lesson does not need.

# bench-copy: every way to copy a file against cp, paired runs, warm and
# cold cache. Its copy program, copy_bench, is the lab's mmap_copy with
# the other methods (read, copy_file_range, sendfile) and the tuning knobs
# of the mmap copy; it shares the lab's safety code. The TSV (bench-copy.tsv
# in the build directory) has the fixed header "method size_bytes wall_s
# ratio_to_cp min_flt maj_flt cache"; cowplot copy reads it.
# Quick run: make bench-copy BENCH_COPY_FLAGS='--size 256M'
noinst_PROGRAMS += tools/copy_bench
tools_copy_bench_SOURCES = tools/copy_bench.c tools/copy_bench.h tools/copy_methods.c \
	support/mmap-copy/copy_safety.c support/mmap-copy/mmap_copy.h
dist_noinst_SCRIPTS += tools/bench-copy
BENCH_TARGETS += bench-copy
CLEANFILES += bench-copy.tsv
bench-copy: tools/copy_bench
	$(srcdir)/tools/bench-copy --copy-bench tools/copy_bench \
		-o bench-copy.tsv $(BENCH_COPY_FLAGS)
