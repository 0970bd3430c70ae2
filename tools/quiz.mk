# tools/quiz.mk: the quizzes (quiz/*.md), their runner and linter
# cowlab-quiz, and its tests: the format of every quiz, and the live check of
# every measurable quiz on the running kernel.

dist_noinst_SCRIPTS += tools/cowlab-quiz
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
	quiz/vfork-suspends.md \
	quiz/user-cow-reuse.md \
	quiz/proc-mem-private.md \
	quiz/fork-flags-wipeonfork.md \
	quiz/copy-on-read-inline.md \
	quiz/snapshot-cost.md \
	quiz/ksm-write.md

# The awk parts of the tool (expressions are evaluated by tools/expr.awk);
# the quizzes and these are installed with the kit (tools/install.mk).
EXTRA_DIST += tools/cowlab-quiz.awk

TESTS += tests/quiz.bats tests/quiz-live.bats
EXTRA_DIST += tests/quiz.bats tests/quiz-live.bats tests/quiz_helper.bash

# The seeded mutation loop over the quiz parsers (issue 14): its seed
# quizzes, kept in the tree, and the mutator.
TESTS += tests/quiz-fuzz.bats
EXTRA_DIST += tests/quiz-fuzz.bats tests/fuzz/quiz-mutate.awk \
	tests/fuzz/quiz/row.md tests/fuzz/quiz/run.md \
	tests/fuzz/quiz/scenario.md tests/fuzz/quiz/none.md

# `make quiz` asks every lab's quizzes in the terminal, lab by lab in the
# registry's order; LAB=ID asks one lab's, in the order its text asks them
# (labs/registry.tsv). A name that is not a lab's id is refused with the list.
quiz:
	@. $(srcdir)/tools/findlab.sh && findlab_init $(srcdir)/tools || exit 1; \
	lab='$(LAB)'; \
	if [ -n "$$lab" ] && ! findlab_is_id "$$lab"; then \
		echo "make quiz: $$(findlab_refusal "$$lab")" >&2; exit 2; fi; \
	set --; \
	for id in $${lab:-$$(findlab_ids)}; do \
		for q in $$(findlab_quizzes "$$id"); do set -- "$$@" "$(srcdir)/quiz/$$q.md"; done; \
	done; \
	[ $$# -gt 0 ] || { echo "make quiz: lab $$lab has no quiz" >&2; exit 1; }; \
	$(srcdir)/tools/cowlab-quiz $${SEED:+--seed "$$SEED"} "$$@"
.PHONY: quiz
