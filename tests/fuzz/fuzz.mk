# tests/fuzz: libFuzzer targets for the parsers of tools/lib (issue 14):
#   fuzz_stat      /proc/PID/stat and schedstat (procstat.c)
#   fuzz_snapshot  per-page TSV files read back (pagesnap.c)
#   fuzz_diff      two snapshots compared and drawn (pagediff.c, cowsvg.c)
# Built with clang (-fsanitize=fuzzer,address,undefined) from the library's
# sources, apart from the normal build. Seed inputs: tests/fuzz/corpus/TARGET/.
#
#   make fuzz                      build, then fuzz each target FUZZ_TIME s
#   make fuzz FUZZ_TIME=3600       a long run (new inputs go to
#                                  tests/fuzz/found/TARGET/ in the build tree)
#
# make check runs each target for FUZZ_CHECK_TIME seconds with a fixed seed
# (tests/fuzz/run-fuzz, a TAP test); without clang and libFuzzer the test
# is skipped and says so. tools/install-deps installs clang and
# libclang-rt-dev (libFuzzer's runtime).

FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -I$(srcdir)/tools/lib
FUZZ_TARGETS = tests/fuzz/fuzz_stat tests/fuzz/fuzz_snapshot tests/fuzz/fuzz_diff
FUZZ_TIME = 60
FUZZ_CHECK_TIME = 3
FUZZ_LIB = $(srcdir)/tools/lib/procstat.c $(srcdir)/tools/lib/pagesnap.c \
	$(srcdir)/tools/lib/pagediff.c $(srcdir)/tools/lib/pagemap.c $(srcdir)/tools/lib/cowsvg.c
FUZZ_SRC = tests/fuzz/fuzz_stat.c tests/fuzz/fuzz_snapshot.c tests/fuzz/fuzz_diff.c
FUZZ_CORPUS = \
	tests/fuzz/corpus/stat/self-stat tests/fuzz/corpus/stat/comm-parens \
	tests/fuzz/corpus/stat/schedstat tests/fuzz/corpus/stat/zombie \
	tests/fuzz/corpus/snapshot/areas.tsv tests/fuzz/corpus/snapshot/no-areas.tsv \
	tests/fuzz/corpus/diff/fork-areas tests/fuzz/corpus/diff/no-areas \
	tests/fuzz/corpus/diff/empty-parent

EXTRA_DIST += tests/fuzz/fuzz.mk tests/fuzz/.gitignore tests/fuzz/README.md $(FUZZ_SRC) $(FUZZ_CORPUS)
dist_noinst_SCRIPTS += tests/fuzz/run-fuzz

# Built before the tests run: the targets, or a note saying why not.
check_DATA += tests/fuzz/targets.stamp
CLEANFILES += tests/fuzz/targets.stamp $(FUZZ_TARGETS)

tests/fuzz/targets.stamp: $(FUZZ_LIB) $(addprefix $(srcdir)/,$(FUZZ_SRC))
	@$(MKDIR_P) tests/fuzz
	@rm -f $@
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		echo "missing: $(FUZZ_CC) not found (tools/install-deps installs clang)" >$@; \
	elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' | \
		$(FUZZ_CC) -fsanitize=fuzzer -x c - -o tests/fuzz/conftest >/dev/null 2>&1; then \
		echo "missing: $(FUZZ_CC) cannot link libFuzzer (tools/install-deps installs libclang-rt-dev)" >$@; \
	else \
		for t in $(FUZZ_TARGETS); do \
			echo "  FUZZCC   $$t"; \
			$(FUZZ_CC) $(FUZZ_CFLAGS) $(srcdir)/$$t.c $(FUZZ_LIB) -o $$t || exit 1; \
		done; \
		echo "built: $(FUZZ_TARGETS)" >$@; \
	fi; rm -f tests/fuzz/conftest

TESTS += tests/fuzz/run-fuzz

fuzz: tests/fuzz/targets.stamp
	FUZZ_TIME=$(FUZZ_TIME) FUZZ_FOUND=tests/fuzz/found \
		$(srcdir)/tests/fuzz/run-fuzz --builddir . --srcdir $(srcdir)
.PHONY: fuzz
