# tools/plot.mk: the figures (cowplot and its gnuplot scripts), the tmux lab
# session (cowlab-tmux, `make lab`), and `make media`, which redraws the
# figures under media/ from real runs on this machine.

dist_noinst_SCRIPTS += tools/cowplot tools/cowlab-tmux
dist_man_MANS += tools/cowplot.1 tools/cowlab-tmux.1
# The lab registry's reader, sourced by cowlab-tmux and tools/run-demo (make
# demo); cowplot's scripts, found in plot/ beside it. Installed with the kit
# (tools/install.mk).
EXTRA_DIST += tools/findlab.sh
EXTRA_DIST += tools/plot/prepare.awk tools/plot/common.gp tools/plot/marks.gp \
	tools/plot/timeline.gp tools/plot/memory.gp tools/plot/forkcost.gp \
	tools/plot/faultcost.gp tools/plot/copy.gp tools/plot/legend.gp \
	tools/plot/faultmap.gp tools/plot/copyread.gp tools/plot/snapshot.gp

TESTS += tests/cowplot.bats tests/cowplot-input.bats tests/cowplot-fuzz.bats tests/tmux.bats
EXTRA_DIST += tests/cowplot.bats tests/cowplot-input.bats tests/cowplot-fuzz.bats tests/tmux.bats
# The fuzz loop's mutator and its check of meta.gp.
EXTRA_DIST += tests/fuzz/plot-mutate.awk tests/fuzz/plot-check-meta.awk
# The seed corpus of cowplot's input tests (and of the fuzz loop): one table
# per kind, from real runs of the kit's tools.
EXTRA_DIST += tests/fuzz/plot/timeline.tsv tests/fuzz/plot/memory.tsv \
	tests/fuzz/plot/forkcost.tsv tests/fuzz/plot/faultcost.tsv tests/fuzz/plot/copy.tsv \
	tests/fuzz/plot/faultmap.tsv tests/fuzz/plot/copyread.tsv tests/fuzz/plot/snapshot.tsv

# `make lab LAB=copy-on-write ARGS='-n 4096'`: the lab in tmux beside the live
# table of its page faults (see cowlab-tmux(1)).
lab: all
	$(srcdir)/tools/cowlab-tmux --builddir . '$(or $(LAB),copy-on-write)' -- $(ARGS)
.PHONY: lab

# ---- make media ------------------------------------------------------------
# Each target runs a lab or benchmark here and draws its figure as SVG and
# PNG into $(srcdir)/media; the committed figures are exactly these outputs.
# The runs' tables stay in media-run/ of the build tree. The parameters below
# are what the runs are asked to do; every number in a figure is measured.
MEDIA_OUT = $(srcdir)/media
MEDIA_RUN = media-run
COWPLOT = $(srcdir)/tools/cowplot
# The copy-on-write lab: N pages, the child writes K of them. N is large
# (768 MiB) so that each step lasts long enough for several readings of
# smaps_rollup, which cowsample takes at the marks and every 100 ms.
MEDIA_FORK_N = 196608
MEDIA_FORK_K = 98304
# The cost of fork by touched size (MiB), runs per point (the median is
# drawn, for the fault cost too); fault-cost pages.
MEDIA_FORKCOST_SIZES = 1,4,16,64,256,1024
MEDIA_FORKCOST_REPEAT = 21
MEDIA_FAULT_PAGES = 16384
# Timings depend on what else ran: the timing figures' notes give the load
# average (1, 5, 15 min) read right after the run. On a machine shared with
# other work, MEDIA_TIMING_PREFIX='chrt -f 10' (root) runs the timed program
# ahead of the others; the notes say so.
MEDIA_TIMING_PREFIX =
media_timing_note = $(if $(MEDIA_TIMING_PREFIX),; run under $(MEDIA_TIMING_PREFIX)); load average after the run: $(shell cut -d' ' -f1-3 /proc/loadavg)
# The copy benchmark: file size, paired runs with a warm and a cold cache.
MEDIA_COPY_FLAGS = --size 128M --runs 2 --cold-runs 2 --variant-runs 0

MEDIA_TARGETS += media-timeline media-memory media-forkcost media-faultcost media-copy \
	media-faultmap media-demand-paging-faultmap media-shared-vs-private-faultmap \
	media-mmap-copy-faultmap
.PHONY: media-fork-faults-run media-fork-cost-run media-faultmap media-demand-paging-faultmap \
	media-shared-vs-private-faultmap media-mmap-copy-faultmap

# cowplot KIND TSV NAME NOTE: media/NAME.svg and media/NAME.png
media_draw = $(COWPLOT) $(1) $(2) -o $(MEDIA_OUT)/$(3).svg --note $(4) && \
	$(COWPLOT) $(1) $(2) -o $(MEDIA_OUT)/$(3).png --note $(4)
# media_keep TSV NAME: the table a figure is drawn from, kept beside it as
# media/NAME.tsv: the numbers the lab texts quote are checked against it
# (tests/lab_texts.bats).
media_keep = cp $(1) $(MEDIA_OUT)/.$(2).tsv.tmp && mv -f $(MEDIA_OUT)/.$(2).tsv.tmp $(MEDIA_OUT)/$(2).tsv

# A first run, not recorded, touches the memory the recorded run will get:
# in a virtual machine the host may back the guest's memory only when the
# guest first uses it, which makes a first touch many times slower. The
# figure is about the lab's steps, not about that.
media-fork-faults-run: tools/cowsample support/copy-on-write/fork_faults
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	support/copy-on-write/fork_faults --batch -n $(MEDIA_FORK_N) -w $(MEDIA_FORK_K) >/dev/null
	tools/cowsample --smaps -o $(MEDIA_RUN)/copy-on-write.tsv -- \
		support/copy-on-write/fork_faults --batch -n $(MEDIA_FORK_N) -w $(MEDIA_FORK_K) \
		> $(MEDIA_RUN)/copy-on-write.out
	$(call media_keep,$(MEDIA_RUN)/copy-on-write.tsv,fork-faults)

# (notes are in variables: a comma written in $(call ...) would split it)
media_fork_note = 'fork_faults -n $(MEDIA_FORK_N) -w $(MEDIA_FORK_K): N=$(MEDIA_FORK_N) pages of 4 KiB (MADV_NOHUGEPAGE), the child writes K=$(MEDIA_FORK_K)'
media_forkcost_note = 'fork_bench --repeat $(MEDIA_FORKCOST_REPEAT): median of $(MEDIA_FORKCOST_REPEAT) runs per point$(media_timing_note)'
media_faultcost_note = 'fork_bench --fault-pages $(MEDIA_FAULT_PAGES) --repeat $(MEDIA_FORKCOST_REPEAT)$(media_timing_note)'
media_copy_note = 'bench-copy $(MEDIA_COPY_FLAGS): medians of paired runs'

media-timeline: media-fork-faults-run
	$(call media_draw,timeline,$(MEDIA_RUN)/copy-on-write.tsv,fork-faults-timeline,$(media_fork_note))

media-memory: media-fork-faults-run
	$(call media_draw,memory,$(MEDIA_RUN)/copy-on-write.tsv,fork-faults-memory,$(media_fork_note))

# The fault map of the copy-on-write lab: every fault of its buffer, by kind
# (as root: the kinds come from tracepoints). Fewer pages than above: one
# point per fault.
MEDIA_FAULTMAP_N = 1024
MEDIA_FAULTMAP_K = 512
media_faultmap_note = 'cowsample --faults -- fork_faults -n $(MEDIA_FAULTMAP_N) -w $(MEDIA_FAULTMAP_K): the child writes K of the N pages'
media-faultmap: tools/cowsample support/copy-on-write/fork_faults
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	@set -e; $(media_faults_guard); \
	$(call media_faults_run,fork-faults,support/copy-on-write/fork_faults --batch -n $(MEDIA_FAULTMAP_N) -w $(MEDIA_FAULTMAP_K)); \
	$(call media_draw,faultmap,$(MEDIA_RUN)/fork-faults-faults.tsv,fork-faults-faultmap,$(media_faultmap_note)) || exit 1

# The fault kinds need root (the tracepoints): elsewhere, and where the
# kernel has no such tracepoints, the fault-map targets say so in one line
# and keep the figures in media/ as they are.
# media_faults_guard: the start of a recipe's one shell line.
media_faults_guard = if [ "$$(id -u)" -ne 0 ]; then \
	echo "$@: not root: the fault kinds come from tracepoints that need root; the figures in media/ are kept"; \
	exit 0; fi
# media_faults_run NAME COMMAND: cowsample --faults of COMMAND into
# $(MEDIA_RUN)/NAME-faults.tsv (and .out, .err); ends the recipe, keeping
# the figures, where cowsample said it could not tell the kinds.
media_faults_run = echo 'cowsample --faults $(MEDIA_RUN)/$(1)-faults.tsv -- $(2)'; \
	tools/cowsample --faults $(MEDIA_RUN)/$(1)-faults.tsv -o /dev/null -- $(2) \
		> $(MEDIA_RUN)/$(1)-faults.out 2> $(MEDIA_RUN)/$(1)-faults.err || \
		{ cat $(MEDIA_RUN)/$(1)-faults.err >&2; exit 1; }; \
	if grep -q '^cowsample: --faults:' $(MEDIA_RUN)/$(1)-faults.err; then \
		echo "$@: no fault kinds here, the figures in media/ are kept: $$(grep -m1 '^cowsample: --faults:' $(MEDIA_RUN)/$(1)-faults.err)"; \
		exit 0; fi
# media_faults_keep NAME: the counts the lab text quotes, per step and kind
# (tools/fault-kinds), as media/NAME-faultkinds.tsv.
media_faults_keep = $(srcdir)/tools/fault-kinds $(MEDIA_RUN)/$(1)-faults.tsv > $(MEDIA_RUN)/$(1)-faultkinds.tsv && \
	$(call media_keep,$(MEDIA_RUN)/$(1)-faultkinds.tsv,$(1)-faultkinds)

# The demand-paging lab's fault map: its second buffer, read and then
# written (the zero page, where the kernel has one), and the first buffer
# mapped again right above it (step 6). tools/zero_page says which.
MEDIA_DEMAND_FAULTMAP_N = 1024
media_demand_faultmap_note = "cowsample --faults -- demand_paging -n $(MEDIA_DEMAND_FAULTMAP_N); zero page here: $$(tools/zero_page || echo unknown) (tools/zero_page)"
media-demand-paging-faultmap: tools/cowsample tools/zero_page support/demand-paging/demand_paging
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	@set -e; $(media_faults_guard); \
	$(call media_faults_run,demand-paging,support/demand-paging/demand_paging --batch -n $(MEDIA_DEMAND_FAULTMAP_N)); \
	$(call media_draw,faultmap,$(MEDIA_RUN)/demand-paging-faults.tsv,demand-paging-faultmap,$(media_demand_faultmap_note)) || exit 1; \
	$(call media_faults_keep,demand-paging)

# The shared-vs-private lab's fault maps: its private buffer and its shared
# one (shared anonymous memory is a deleted /dev/zero in the process's maps).
MEDIA_SVP_FAULTMAP_N = 1024
MEDIA_SVP_FAULTMAP_K = 512
media_svp_faultmap_note = 'cowsample --faults -- shared_vs_private -n $(MEDIA_SVP_FAULTMAP_N) -w $(MEDIA_SVP_FAULTMAP_K): the child writes K pages of each buffer'
media-shared-vs-private-faultmap: tools/cowsample support/shared-vs-private/shared_vs_private
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	@set -e; $(media_faults_guard); \
	$(call media_faults_run,shared-vs-private,support/shared-vs-private/shared_vs_private --batch -n $(MEDIA_SVP_FAULTMAP_N) -w $(MEDIA_SVP_FAULTMAP_K)); \
	$(call media_draw,faultmap --title 'The private buffer (MAP_PRIVATE|MAP_ANONYMOUS): every page fault by kind',$(MEDIA_RUN)/shared-vs-private-faults.tsv,shared-vs-private-faultmap-private,$(media_svp_faultmap_note)) || exit 1; \
	$(call media_draw,faultmap --mapping '/dev/zero (deleted)' --title 'The shared buffer (MAP_SHARED|MAP_ANONYMOUS): every page fault by kind',$(MEDIA_RUN)/shared-vs-private-faults.tsv,shared-vs-private-faultmap-shared,$(media_svp_faultmap_note)) || exit 1; \
	$(call media_faults_keep,shared-vs-private)

# The mmap-copy lab's fault maps: its source, read through a private
# mapping (a cached file: fault-around maps several pages per fault), and
# its destination, written through a shared one. The destination is a file
# of no name until the copy is complete: each is found in the rows by its
# kinds (the mapping with the most file-minor, the most shared-write rows).
MEDIA_MMAPCOPY_BYTES = 4194304
media_mmapcopy_note = 'cowsample --faults -- mmap_copy -v --no-sync SRC DST: SRC of $(MEDIA_MMAPCOPY_BYTES) bytes$(comma) just written (in the page cache)'
comma = ,
media_mapping_most = awk -F '\t' -v kind=$(1) 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; next } \
	$$c["kind"] == kind && $$c["phase"] == "copied" { n[$$c["mapping"]]++ } \
	END { for (m in n) if (n[m] > best) { best = n[m]; name = m } print name }' $(MEDIA_RUN)/mmap-copy-faults.tsv
media-mmap-copy-faultmap: tools/cowsample support/mmap-copy/mmap_copy
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	@set -e; $(media_faults_guard); \
	rm -f $(MEDIA_RUN)/mmap-copy-src $(MEDIA_RUN)/mmap-copy-dst; \
	head -c $(MEDIA_MMAPCOPY_BYTES) /dev/urandom > $(MEDIA_RUN)/mmap-copy-src; \
	$(call media_faults_run,mmap-copy,support/mmap-copy/mmap_copy -v --no-sync $(MEDIA_RUN)/mmap-copy-src $(MEDIA_RUN)/mmap-copy-dst); \
	src=$$($(call media_mapping_most,file-minor)); dst=$$($(call media_mapping_most,shared-write)); \
	[ -n "$$src" ] && [ -n "$$dst" ] || { echo "$@: no source or destination rows in $(MEDIA_RUN)/mmap-copy-faults.tsv" >&2; exit 1; }; \
	$(call media_draw,faultmap --mapping "$$src" --title 'mmap copy: every page fault of the source (MAP_PRIVATE$(comma) read)',$(MEDIA_RUN)/mmap-copy-faults.tsv,mmap-copy-faultmap-src,$(media_mmapcopy_note)) || exit 1; \
	$(call media_draw,faultmap --mapping "$$dst" --title 'mmap copy: every page fault of the destination (MAP_SHARED$(comma) written)',$(MEDIA_RUN)/mmap-copy-faults.tsv,mmap-copy-faultmap-dst,$(media_mmapcopy_note)) || exit 1; \
	$(call media_faults_keep,mmap-copy); \
	rm -f $(MEDIA_RUN)/mmap-copy-src $(MEDIA_RUN)/mmap-copy-dst

media-fork-cost-run: tools/fork_bench
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	$(MEDIA_TIMING_PREFIX) tools/fork_bench --batch --sizes $(MEDIA_FORKCOST_SIZES) \
		--repeat $(MEDIA_FORKCOST_REPEAT) --fault-pages $(MEDIA_FAULT_PAGES) \
		-o $(MEDIA_RUN)/fork-cost.tsv --fault-cost-o $(MEDIA_RUN)/fault-cost.tsv \
		> $(MEDIA_RUN)/fork-cost.out 2>&1
	@$(MKDIR_P) $(MEDIA_OUT)/examples
	{ echo '$$ support/fork-cost/fork_cost --batch --sizes $(MEDIA_FORKCOST_SIZES) --repeat $(MEDIA_FORKCOST_REPEAT) --fault-pages $(MEDIA_FAULT_PAGES) -o fork-cost.tsv --fault-cost-o fault-cost.tsv'; \
	  grep '^result: ' $(MEDIA_RUN)/fork-cost.out; } > $(MEDIA_OUT)/examples/fork-cost.out

media-forkcost: media-fork-cost-run
	$(call media_draw,forkcost,$(MEDIA_RUN)/fork-cost.tsv,fork-cost,$(media_forkcost_note))
	$(call media_keep,$(MEDIA_RUN)/fork-cost.tsv,fork-cost)

media-faultcost: media-fork-cost-run
	$(call media_draw,faultcost,$(MEDIA_RUN)/fault-cost.tsv,fault-cost,$(media_faultcost_note))
	$(call media_keep,$(MEDIA_RUN)/fault-cost.tsv,fault-cost)

media-copy: tools/copy_bench
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	$(srcdir)/tools/bench-copy --copy-bench tools/copy_bench \
		-o $(MEDIA_RUN)/copy.tsv $(MEDIA_COPY_FLAGS) > $(MEDIA_RUN)/copy.out
	$(call media_draw,copy,$(MEDIA_RUN)/copy.tsv,copy-methods,$(media_copy_note))
	$(call media_keep,$(MEDIA_RUN)/copy.tsv,copy-methods)

# The example outputs the lab texts quote (media/examples/, see
# tools/media-examples and tools/media-ps), and last, the texts themselves:
# tools/lab-data --update copies every number and example they quote from
# the data just written (Makefile.am's media rule runs it after all these).
MEDIA_TARGETS += media-examples media-ps
media-examples: all
	$(SHELL) $(srcdir)/tools/media-examples --builddir . --outdir $(MEDIA_OUT)/examples
media-ps: all
	$(SHELL) $(srcdir)/tools/media-ps --builddir . --outdir $(MEDIA_OUT)/examples
.PHONY: media-examples media-ps
LAB_TEXTS = $(srcdir)/README.md $(srcdir)/labs/*.md

clean-local: clean-media-run
clean-media-run:
	rm -rf $(MEDIA_RUN)
.PHONY: clean-media-run

# The figures, for the tarball (README.md and the lab texts show them; they
# are made by `make media`, not by `make`).
dist_noinst_SCRIPTS += tools/lab-data tools/media-examples tools/media-ps
# The figures drawn from several runs of a lab (make media-copy-on-read,
# media-snapshot-rates): the runs, and their lines as tables.
dist_noinst_SCRIPTS += tools/media-sweep tools/lines-tsv
TESTS += tests/media_sweep.bats
EXTRA_DIST += tests/media_sweep.bats
EXTRA_DIST += tools/lab-data.awk
TESTS += tests/lab_texts.bats
EXTRA_DIST += tests/lab_texts.bats
# The data the texts quote, kept beside the figures: the tables the figures
# are drawn from, cowmap's reports, and the example outputs.
EXTRA_DIST += \
	media/fork-faults.tsv \
	media/fork-cost.tsv media/fault-cost.tsv media/copy-methods.tsv \
	media/copy-on-write-initial.txt media/copy-on-write-final.txt \
	media/examples/README.md \
	media/examples/demand-paging.out media/examples/copy-on-write.out \
	media/examples/shared-vs-private.out media/examples/vfork.out \
	media/examples/clone.out media/examples/clone-copy-first.out \
	media/examples/mprotect-cow.out media/examples/mmap-copy.out \
	media/examples/user-cow.out media/examples/proc-mem.out \
	media/examples/fork-flags.out media/examples/copy-on-read.out \
	media/examples/snapshot.out media/examples/ksm.out \
	media/examples/fork-cost.out media/examples/bench-copy-1g.out \
	media/examples/vfork-ps-suspended.txt \
	media/examples/clone-ps-vm.txt media/examples/clone-ps-novm.txt \
	media/examples/copy-on-write-cowmap-nonroot.txt \
	media/examples/copy-on-write-cowmap-child.txt \
	media/examples/copy-on-write-cowmap-parent.txt
EXTRA_DIST += \
	media/fork-faults-timeline.svg media/fork-faults-timeline.png \
	media/fork-faults-memory.svg media/fork-faults-memory.png \
	media/fork-cost.svg media/fork-cost.png \
	media/fault-cost.svg media/fault-cost.png \
	media/copy-methods.svg media/copy-methods.png
# The fault maps, and the counts their texts quote.
EXTRA_DIST += media/fork-faults-faultmap.svg media/fork-faults-faultmap.png \
	media/demand-paging-faultmap.svg media/demand-paging-faultmap.png \
	media/shared-vs-private-faultmap-private.svg media/shared-vs-private-faultmap-private.png \
	media/shared-vs-private-faultmap-shared.svg media/shared-vs-private-faultmap-shared.png \
	media/mmap-copy-faultmap-src.svg media/mmap-copy-faultmap-src.png \
	media/mmap-copy-faultmap-dst.svg media/mmap-copy-faultmap-dst.png \
	media/demand-paging-faultkinds.tsv media/shared-vs-private-faultkinds.tsv \
	media/mmap-copy-faultkinds.tsv
dist_noinst_SCRIPTS += tools/fault-kinds
