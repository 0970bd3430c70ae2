# support/fork-cost: what fork() costs for a process of N touched pages, and
# what one page fault costs (see labs/fork-cost.md). Its benchmark, the
# sweep over sizes that draws the figures, is tools/fork_bench (tools/bench.mk).
noinst_PROGRAMS += support/fork-cost/fork_cost
support_fork_cost_fork_cost_SOURCES = support/fork-cost/fork_cost.c

EXTRA_DIST += labs/fork-cost.md
TESTS += tests/fork_cost.bats
EXTRA_DIST += tests/fork_cost.bats
