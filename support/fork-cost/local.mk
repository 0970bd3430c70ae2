# support/fork-cost: the cost of fork() by memory size, and the cost of one
# page fault (see labs/fork-cost.md). Lab programs are standalone: they
# include support/cowlab.h and link nothing of tools/lib.
#
# Its two tables (TSV) are read by cowplot:
#   size_kib  method  pages  latency_us   (method: fork fork-thp vfork posix_spawn)
#   kind  pages  faults  ns_per_fault     (kind: demand-zero cow reuse)
noinst_PROGRAMS += support/fork-cost/fork_cost
support_fork_cost_fork_cost_SOURCES = support/fork-cost/fork_cost.c

EXTRA_DIST += labs/fork-cost.md
TESTS += tests/fork_cost.bats
EXTRA_DIST += tests/fork_cost.bats

# make bench: a quick run with a few sizes; prints the table and how fork
# compares with its peers measured in the same run (vfork, fork-thp).
BENCH_TARGETS += bench-forkcost
CLEANFILES += bench-forkcost.tsv bench-faultcost.tsv
bench-forkcost: support/fork-cost/fork_cost
	@echo "== fork_cost: median latency (us) of fork, fork-thp, vfork, posix_spawn by touched size"
	@support/fork-cost/fork_cost --batch --sizes 1,16,256 --repeat 5 \
		--fault-pages 16384 -o bench-forkcost.tsv \
		--fault-cost-o bench-faultcost.tsv >/dev/null
	@cat bench-forkcost.tsv
	@$(AWK) -F '\t' 'NR > 1 { t[$$1, $$2] = $$4; s[$$1] = 1 } \
		END { for (k in s) printf "%6d MiB: fork/vfork %.1fx, fork/fork-thp %.1fx\n", \
			k / 1024, t[k, "fork"] / t[k, "vfork"], t[k, "fork"] / t[k, "fork-thp"] }' \
		bench-forkcost.tsv | sort -n
	@echo "== fork_cost: cost per fault (16384 pages)"
	@cat bench-faultcost.tsv
	@$(AWK) -F '\t' 'NR > 1 { c[$$1] = $$4 } \
		END { printf "cow/demand-zero %.2fx, reuse/demand-zero %.2fx\n", \
			c["cow"] / c["demand-zero"], c["reuse"] / c["demand-zero"] }' \
		bench-faultcost.tsv
