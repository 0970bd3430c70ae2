# tools/grade.mk: student skeletons and the instructor's grading suite.
#   make skels DEST=dir                 the student tree: the graded labs with
#                                       their TODO parts removed (cowlab-skel)
#   make skels DEST=dir REFERENCE=1     the same tree with the solution in it
#   make skels DEST=dir SEED=alice      its README gives the parameters drawn
#                                       for alice (cowlab-skel --seed)
#   make grade STUDENT=dir              build and grade one student tree
#   make grade STUDENT='a b c' JOBS=2   several, two at a time (cowlab-grade)
#   make grade STUDENT=dir SEED_FROM=alice   with the parameters drawn for alice
#   make grade STUDENT='a b' SEED_FROM_DIR=1   each tree seeded from its folder's name
# Both tools run from the kit's tree (they read support/, tools/skel and
# tests/grade there); read their manuals with  man -l tools/cowlab-grade.1

dist_noinst_SCRIPTS += tools/cowlab-skel tools/cowlab-grade tools/grade-format
GRADE_SUITE = tests/grade/grade_helper.bash tests/grade/sandbox.bash tests/grade/strace_facts.awk \
	tests/grade/process_facts.awk tests/grade/strace_lines.awk \
	tests/grade/fork_faults.bats tests/grade/vfork_demo.bats \
	tests/grade/mmap_copy.bats tests/grade/shared_vs_private.bats \
	tests/grade/user_cow.bats tests/grade/framewatch
EXTRA_DIST += tools/grade-format.awk \
	tools/skel/FILES tools/skel/Makefile tools/skel/README.md $(GRADE_SUITE)

# The grader graded: the reference gets every point, the skeleton none,
# each broken variant loses exactly the checks it breaks.
# Attacks on the grader (issue 12): each attack of tests/attacks/ is added to
# a tree, which must score exactly what its honest part earns.
# Parameters seeded per student (issue 16): the draw, the grader, the
# skeleton's README and the quizzes with a seed.
TESTS += tests/cowlab_grade.bats tests/grade_format.bats tests/seeded.bats
EXTRA_DIST += tests/cowlab_grade.bats tests/grade_format.bats tests/seeded.bats tests/attacks/README tests/attacks/forge_fds.c \
	tests/attacks/borrow.c tests/attacks/snoop.c tests/attacks/plant_links.c \
	tests/attacks/plant_fifo.c tests/attacks/daemons.c tests/attacks/output.c \
	tests/attacks/fill_disk.c tests/attacks/forge_strace.c tests/attacks/fake_uvm.c

skels:
	@test -n '$(DEST)' || { echo 'make skels: give DEST=dir, a directory that does not exist yet' >&2; exit 2; }
	$(SHELL) $(srcdir)/tools/cowlab-skel $(if $(REFERENCE),--reference) $${SEED:+--seed "$$SEED"} '$(DEST)'

# STUDENT is a list of directories, split at spaces, unless it names one
# existing directory as a whole ('stu dent'). It reaches the shell as an
# environment variable, never as shell code; so do SEED and SEED_FROM.
grade: all
	@test -n "$$STUDENT" || { echo 'make grade: give STUDENT=dir (or STUDENT="dir1 dir2 ...")' >&2; exit 2; }
	@if test -d "$$STUDENT"; then set -- "$$STUDENT"; else set -- $$STUDENT; fi; \
	$(SHELL) $(srcdir)/tools/cowlab-grade --cowsample tools/cowsample $(if $(JOBS),--jobs $(JOBS)) \
		$${SEED_FROM:+--seed-from "$$SEED_FROM"} $(if $(SEED_FROM_DIR),--seed-from-dir) -- "$$@"

.PHONY: skels grade

# make bench-grade: students graded per minute at --jobs 1 and 2, on copies
# of the reference tree and of a tree with an endless loop, and the grader's
# peak memory (needs root; several minutes). Not part of make bench.
# Quick run: make bench-grade BENCH_GRADE_FLAGS='--students 1'
dist_noinst_SCRIPTS += tools/bench-grade
TESTS += tests/bench_grade.bats
EXTRA_DIST += tests/bench_grade.bats
CLEANFILES += bench-grade.tsv
bench-grade: all
	$(srcdir)/tools/bench-grade --cowsample tools/cowsample $(BENCH_GRADE_FLAGS)
.PHONY: bench-grade
