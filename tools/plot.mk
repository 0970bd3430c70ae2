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
	media-faultmap
.PHONY: media-fork-faults-run media-fork-cost-run

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
	tools/cowsample --faults $(MEDIA_RUN)/fork-faults-faults.tsv -o /dev/null -- \
		support/copy-on-write/fork_faults --batch -n $(MEDIA_FAULTMAP_N) -w $(MEDIA_FAULTMAP_K) \
		> $(MEDIA_RUN)/fork-faults-faults.out
	$(call media_draw,faultmap,$(MEDIA_RUN)/fork-faults-faults.tsv,fork-faults-faultmap,$(media_faultmap_note))

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
