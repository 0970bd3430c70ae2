# tools/plot.mk: the figures (cowplot and its gnuplot scripts), the tmux lab
# session (cowlab-tmux, `make lab`), and `make media`, which redraws the
# figures under media/ from real runs on this machine.

dist_bin_SCRIPTS += tools/cowplot tools/cowlab-tmux
dist_man_MANS += tools/cowplot.1 tools/cowlab-tmux.1
# The lab registry and its reader, sourced by cowlab-tmux (beside it, or in
# share/cowlab once installed) and by tools/run-demo (make demo).
dist_pkgdata_DATA = tools/findlab.sh labs/registry.tsv
# cowplot finds these in plot/ beside itself, or in ../share/cowlab/plot.
plotdir = $(pkgdatadir)/plot
dist_plot_DATA = tools/plot/prepare.awk tools/plot/common.gp tools/plot/marks.gp \
	tools/plot/timeline.gp tools/plot/memory.gp tools/plot/forkcost.gp \
	tools/plot/faultcost.gp tools/plot/copy.gp tools/plot/legend.gp

TESTS += tests/cowplot.bats tests/tmux.bats
EXTRA_DIST += tests/cowplot.bats tests/tmux.bats

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
# The copy benchmark: file size, paired runs with a warm and a cold cache.
MEDIA_COPY_FLAGS = --size 128M --runs 2 --cold-runs 2 --variant-runs 0

MEDIA_TARGETS += media-timeline media-memory media-forkcost media-faultcost media-copy
.PHONY: media-fork-faults-run media-fork-cost-run

# cowplot KIND TSV NAME NOTE: media/NAME.svg and media/NAME.png
media_draw = $(COWPLOT) $(1) $(2) -o $(MEDIA_OUT)/$(3).svg --note $(4) && \
	$(COWPLOT) $(1) $(2) -o $(MEDIA_OUT)/$(3).png --note $(4)

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

# (notes are in variables: a comma written in $(call ...) would split it)
media_fork_note = 'fork_faults -n $(MEDIA_FORK_N) -w $(MEDIA_FORK_K): N=$(MEDIA_FORK_N) pages of 4 KiB (MADV_NOHUGEPAGE), the child writes K=$(MEDIA_FORK_K)'
media_forkcost_note = 'fork_cost --repeat $(MEDIA_FORKCOST_REPEAT): median of $(MEDIA_FORKCOST_REPEAT) runs per point'
media_faultcost_note = 'fork_cost --fault-pages $(MEDIA_FAULT_PAGES) --repeat $(MEDIA_FORKCOST_REPEAT)'
media_copy_note = 'bench-copy $(MEDIA_COPY_FLAGS): medians of paired runs'

media-timeline: media-fork-faults-run
	$(call media_draw,timeline,$(MEDIA_RUN)/copy-on-write.tsv,fork-faults-timeline,$(media_fork_note))

media-memory: media-fork-faults-run
	$(call media_draw,memory,$(MEDIA_RUN)/copy-on-write.tsv,fork-faults-memory,$(media_fork_note))

media-fork-cost-run: support/fork-cost/fork_cost
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	support/fork-cost/fork_cost --batch --sizes $(MEDIA_FORKCOST_SIZES) \
		--repeat $(MEDIA_FORKCOST_REPEAT) --fault-pages $(MEDIA_FAULT_PAGES) \
		-o $(MEDIA_RUN)/fork-cost.tsv --fault-cost-o $(MEDIA_RUN)/fault-cost.tsv \
		> $(MEDIA_RUN)/fork-cost.out 2>&1

media-forkcost: media-fork-cost-run
	$(call media_draw,forkcost,$(MEDIA_RUN)/fork-cost.tsv,fork-cost,$(media_forkcost_note))

media-faultcost: media-fork-cost-run
	$(call media_draw,faultcost,$(MEDIA_RUN)/fault-cost.tsv,fault-cost,$(media_faultcost_note))

media-copy: support/mmap-copy/mmap_copy
	@$(MKDIR_P) $(MEDIA_RUN) $(MEDIA_OUT)
	$(srcdir)/support/mmap-copy/bench-copy --mmap-copy support/mmap-copy/mmap_copy \
		-o $(MEDIA_RUN)/copy.tsv $(MEDIA_COPY_FLAGS) > $(MEDIA_RUN)/copy.out
	$(call media_draw,copy,$(MEDIA_RUN)/copy.tsv,copy-methods,$(media_copy_note))

clean-local: clean-media-run
clean-media-run:
	rm -rf $(MEDIA_RUN)
.PHONY: clean-media-run

# The figures, for the tarball (README.md and the lab texts show them; they
# are made by `make media`, not by `make`).
EXTRA_DIST += \
	media/fork-faults-timeline.svg media/fork-faults-timeline.png \
	media/fork-faults-memory.svg media/fork-faults-memory.png \
	media/fork-cost.svg media/fork-cost.png \
	media/fault-cost.svg media/fault-cost.png \
	media/copy-methods.svg media/copy-methods.png
