# tools: `make demo` runs a lab in batch mode under cowsample --summary,
# prints the per-phase table of parent and child faults and leaves the
# samples in demo.tsv:
#   make demo                              fork_faults, the main lab
#   make demo LAB=shared-vs-private        any lab, by its id (labs/registry.tsv)
#   make demo LAB=copy-on-write ARGS='-n 4096 --thp'   with the lab's arguments
#   make demo DEMO_TSV=run.tsv             another output file
dist_noinst_SCRIPTS += tools/run-demo
EXTRA_DIST += tools/demo-table.awk

demo: all
	$(SHELL) $(srcdir)/tools/run-demo --builddir . -o '$(or $(DEMO_TSV),demo.tsv)' \
		'$(or $(LAB),copy-on-write)' $(ARGS)
.PHONY: demo

TESTS += tests/run_demo.bats
EXTRA_DIST += tests/run_demo.bats

# The lab registry (labs/registry.tsv) and everything that names labs agree.
TESTS += tests/registry.bats
EXTRA_DIST += tests/registry.bats

# labs/README.md's table of labs is made from the registry (tools/lab-table);
# make media runs it too, and tests/registry.bats fails when it is stale.
dist_noinst_SCRIPTS += tools/lab-table
lab-table:
	$(SHELL) $(srcdir)/tools/lab-table $(srcdir)/labs/README.md
.PHONY: lab-table
