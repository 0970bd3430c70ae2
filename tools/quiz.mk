# tools/quiz.mk: the quizzes (quiz/*.md), their runner and linter
# cowlab-quiz, and its tests: the format of every quiz, and the live check of
# every measurable quiz on the running kernel.

dist_bin_SCRIPTS += tools/cowlab-quiz
dist_man_MANS += tools/cowlab-quiz.1
EXTRA_DIST += $(QUIZZES)
QUIZZES = \
	quiz/clone-vm.md \
	quiz/copy-on-write-child-read.md \
	quiz/copy-on-write-child-write.md \
	quiz/copy-on-write-first-touch.md \
	quiz/copy-on-write-reuse.md \
	quiz/copy-on-write-thp.md \
	quiz/demand-paging-munmap.md \
	quiz/demand-paging-read.md \
	quiz/fork-cost-growth.md \
	quiz/mmap-copy-ftruncate.md \
	quiz/mmap-copy-major-faults.md \
	quiz/mmap-copy-map-shared.md \
	quiz/mprotect-cow-readonly.md \
	quiz/copy-on-write-pagemap.md \
	quiz/shared-vs-private-fork.md \
	quiz/vfork-suspends.md

# Installed quizzes, so that `cowlab-quiz` works outside the source tree:
# beside them the registry (which lab asks which quiz, in which order) and
# the awk parts of the tool (expressions are evaluated by tools/expr.awk).
quizdir = $(datadir)/cowlab/quiz
quiz_DATA = $(QUIZZES)
quizlibdir = $(datadir)/cowlab
dist_quizlib_DATA = tools/cowlab-quiz.awk tools/expr.awk
quizlabsdir = $(datadir)/cowlab/labs
dist_quizlabs_DATA = labs/registry.tsv

TESTS += tests/quiz.bats tests/quiz-live.bats
EXTRA_DIST += tests/quiz.bats tests/quiz-live.bats

# `make quiz` asks all the quizzes in the terminal; LAB=ID the quizzes of one
# lab, in the order its text asks them (the registry's quizzes column).
quiz:
	$(srcdir)/tools/cowlab-quiz $(if $(LAB),--lab $(LAB))
.PHONY: quiz
