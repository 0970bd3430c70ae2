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

# fork_bench: the cost of fork() by touched size against fork-thp, vfork and
# posix_spawn, and the cost of one fault of each kind; the sweep and the
# medians of the fork-cost lab (support/fork-cost/fork_cost measures one
# size). Its two tables (TSV) are read by cowplot:
#   size_kib  method  pages  latency_us   (method: fork fork-thp vfork posix_spawn)
#   kind  pages  faults  ns_per_fault  runs   (kind: demand-zero cow reuse)
noinst_PROGRAMS += tools/fork_bench
tools_fork_bench_SOURCES = tools/fork_bench.c

# make bench: a quick run with a few sizes; prints the table and how fork
# compares with its peers measured in the same run (vfork, fork-thp).
BENCH_TARGETS += bench-forkcost
CLEANFILES += bench-forkcost.tsv bench-faultcost.tsv
bench-forkcost: tools/fork_bench
	@echo "== fork_bench: median latency (us) of fork, fork-thp, vfork, posix_spawn by touched size"
	@tools/fork_bench --batch --sizes 1,16,256 --repeat 5 \
		--fault-pages 16384 -o bench-forkcost.tsv \
		--fault-cost-o bench-faultcost.tsv >/dev/null
	@cat bench-forkcost.tsv
	@$(AWK) -F '\t' 'NR > 1 { t[$$1, $$2] = $$4; s[$$1] = 1 } \
		END { for (k in s) printf "%6d MiB: fork/vfork %.1fx, fork/fork-thp %.1fx\n", \
			k / 1024, t[k, "fork"] / t[k, "vfork"], t[k, "fork"] / t[k, "fork-thp"] }' \
		bench-forkcost.tsv | sort -n
	@echo "== fork_bench: cost per fault (16384 pages)"
	@cat bench-faultcost.tsv
	@$(AWK) -F '\t' 'NR > 1 { c[$$1] = $$4 } \
		END { printf "cow/demand-zero %.2fx, reuse/demand-zero %.2fx\n", \
			c["cow"] / c["demand-zero"], c["reuse"] / c["demand-zero"] }' \
		bench-faultcost.tsv
