# tests/quiz_helper.bash - the stand-ins that tests/quiz.bats and
# tests/quiz-fuzz.bats run cowlab-quiz against (loaded after test_helper).
#
# A source tree of one lab, fake-lab, with a registry, a slack table and an
# expectation table in the format of TABLES.md, and a build tree with its
# program; and a demand-paging lab whose program says the zero page is
# there. quiz_standins makes them in $BATS_TEST_TMPDIR ($FAKE, $BIN);
# fake() runs cowlab-quiz against them.

QUIZ=$SRCDIR/tools/cowlab-quiz

quiz_standins() {
	FAKE=$BATS_TEST_TMPDIR/src
	BIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$FAKE/labs" "$FAKE/quiz" "$FAKE/support/fake-lab" \
		"$BIN/support/fake-lab" "$BIN/support/demand-paging"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		fake-lab fake_lab no - fake-one,fake-two "A stand-in lab" "nothing real" \
		demand-paging zero_lab no - - "Says the zero page is there" "a zero page" \
		>"$FAKE/labs/registry.tsv"
	printf '# NAME\tVALUE\twhy\nSTEP_SLACK\t16\tthe program'"'"'s own stack and stdio\n' \
		>"$FAKE/labs/slack.tsv"
	{
		printf '# the stand-in lab\n'
		printf 'scenario\tbase\tK=100 N=400\t--pages $K --of $N\t-\n'
		printf 'scenario\tfor-root\tK=100 N=400\t--pages $K\troot\n'
		printf 'row\twrote\tbase\twrote\tchild\tminor\tK\tK + STEP_SLACK\t-\t1\tThe child faults once per page it writes.\n'
		printf 'row\ttouched\tbase\ttouched\tparent\tminor\t0\tSTEP_SLACK\t-\t0\tA few faults.\n'
		printf 'row\tas-root\tfor-root\twrote\tchild\tminor\tK\tK + STEP_SLACK\t-\t0\tNeeds root.\n'
	} >"$FAKE/support/fake-lab/expect.tsv"
	# The stand-in program: result lines with the faults the test chooses
	# (FAKE_MINOR), and its arguments as it received them, one per line.
	cat >"$BIN/support/fake-lab/fake_lab" <<'S'
#!/bin/sh
echo "result: phase=touched role=parent pid=$$ minor=1 major=0"
echo "result: phase=wrote role=child pid=$$ minor=${FAKE_MINOR:-103} major=0"
for a in "$@"; do
	echo "arg: $a"
	[ -f "$a" ] && echo "size: $(stat -c %s "$a")"
done
exit 0
S
	printf '#!/bin/sh\necho "zero_page: yes"\n' >"$BIN/support/demand-paging/zero_lab"
	# The stand-in of tools/zero_page, which cowlab-expect asks.
	mkdir -p "$BIN/tools"
	printf '#!/bin/sh\necho yes\n' >"$BIN/tools/zero_page"
	chmod +x "$BIN/tools/zero_page"
	: >"$FAKE/support/fake-lab/fake_lab.c"	# the lab has sources: it must be built
	chmod +x "$BIN/support/fake-lab/fake_lab" "$BIN/support/demand-paging/zero_lab"
}

fake() {
	COWLAB_SRCDIR=$FAKE COWLAB_BUILDDIR=$BIN "$QUIZ" "$@"
}
