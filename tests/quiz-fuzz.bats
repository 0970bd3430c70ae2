#!/usr/bin/env bats
# A bounded, seeded mutation loop over cowlab-quiz's parsers (issue 14, "keep
# it fixed": the quiz check-block parser). The parsing is shell and awk, so a
# libFuzzer target does not fit; instead every seed quiz in tests/fuzz/quiz/
# (one of each kind of check block, on the stand-in lab of
# tests/quiz_helper.bash) is mutated by tests/fuzz/quiz-mutate.awk with fixed
# seeds, so a run is the same every time and a failure names the seed that
# reproduces it:
#
#   CANARY=/tmp/x LC_ALL=C awk -v seed=S -f tests/fuzz/quiz-mutate.awk \
#       tests/fuzz/quiz/QUIZ.md > m.md && tools/cowlab-quiz --lint m.md
#
# Every mutant goes through --lint, --print and --verify (the last runs the
# stand-in lab's program, a shell script, when the check block is good).
# Each must end in success, or in its one way of refusing: --print and
# --verify one line "cowlab-quiz: ..." on stderr and exit 1, --lint one line
# "FILE: ..." per problem and exit 1, --verify TAP (a malformed block is a
# "not ok" line that runs nothing). Never a hang (each run under timeout; the
# limit only catches a hang, it measures nothing), never code run from data
# (the mutants carry awk and shell code that would create $CANARY), never an
# error of awk or bash leaking out, never a file left behind.
# A longer run: QUIZ_FUZZ_RUNS=500 make check TESTS=tests/quiz-fuzz.bats
# (the same seeds as the short run, and more).

load test_helper
load quiz_helper

FUZZ=$SRCDIR/tests/fuzz
# mutants per seed quiz and mode
RUNS=${QUIZ_FUZZ_RUNS:-6}

setup() {
	quiz_standins
	export CANARY=$BATS_TEST_TMPDIR/pwned
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	M=$BATS_TEST_TMPDIR/m.md
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
}

mutant() {	# SEEDQUIZ SEED -> $M
	LC_ALL=C awk -v seed="$2" -f "$FUZZ/quiz-mutate.awk" "$1" >"$M"
}

# run_mode WHAT MODE...: cowlab-quiz on the mutant; RC, $OUT, $ERR
run_mode() {
	local what=$1
	shift
	RC=0
	COWLAB_SRCDIR=$FAKE COWLAB_BUILDDIR=$BIN timeout 60 "$QUIZ" "$@" "$M" \
		</dev/null >"$OUT" 2>"$ERR" || RC=$?
	[ "$RC" -ne 124 ] || fail "$what: cowlab-quiz hung"
	[ ! -e "$CANARY" ] || fail "$what: data ran as code"
	# awk's and bash's own errors name themselves, or the script's path
	! grep -aqE -e '(^|[ /])(g|m)?awk: |syntax error|command not found|unbound variable' \
		-e "^$QUIZ: line [0-9]+: " "$OUT" "$ERR" ||
		fail "$what: an error of awk or bash leaked: $(head -c 300 "$ERR") $(head -c 300 "$OUT")"
	[ -z "$(find "$TMPDIR" -mindepth 1)" ] || fail "$what: left behind: $(find "$TMPDIR" -mindepth 1)"
}

# the one-line refusal of --print and --verify: exit 1, "cowlab-quiz: ..."
check_refusal() {	# WHAT
	[ "$RC" -eq 1 ] || fail "$1: exit status $RC: $(head -c 300 "$ERR")"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "$1: $(wc -l <"$ERR") lines on stderr: $(head -c 300 "$ERR")"
	grep -q '^cowlab-quiz: ' "$ERR" || fail "$1: not cowlab-quiz's line: $(head -c 300 "$ERR")"
}

seeds() { printf '%s\n' "$FUZZ"/quiz/*.md; }

@test "quiz fuzz: --lint on $RUNS mutants per seed quiz: format OK, or one line per problem, each naming the file" {
	local q seed ok=0 refused=0
	for q in $(seeds); do
		for seed in $(seq 1 "$RUNS"); do
			mutant "$q" "$seed"
			run_mode "${q##*/} seed $seed --lint" --lint
			[ ! -s "$ERR" ] || fail "${q##*/} seed $seed --lint: on stderr: $(head -c 300 "$ERR")"
			if [ "$RC" -eq 0 ]; then
				assert_equal "$(cat "$OUT")" "cowlab-quiz: 1 quizzes, format OK"
				ok=$((ok + 1))
			else
				[ "$RC" -eq 1 ] || fail "${q##*/} seed $seed --lint: exit status $RC"
				[ -s "$OUT" ] || fail "${q##*/} seed $seed --lint: exit 1 without a word"
				! grep -avq "^$M: " "$OUT" ||
					fail "${q##*/} seed $seed --lint: a line that names no file: $(grep -av "^$M: " "$OUT" | head -c 300)"
				refused=$((refused + 1))
			fi
		done
	done
	echo "# --lint: $ok mutants well-formed, $refused refused" >&3
	# the loop must reach both outcomes, or it tests little
	[ "$ok" -gt 0 ] && [ "$refused" -gt 0 ]
}

@test "quiz fuzz: --print on $RUNS mutants per seed quiz: the question, or one error line" {
	local q seed ok=0 refused=0
	for q in $(seeds); do
		# seeds after the --lint loop's
		for seed in $(seq 10001 $((10000 + RUNS))); do
			mutant "$q" "$seed"
			run_mode "${q##*/} seed $seed --print" --print
			if [ "$RC" -eq 0 ]; then
				[ ! -s "$ERR" ] || fail "${q##*/} seed $seed --print: on stderr: $(head -c 300 "$ERR")"
				grep -q '^== m: ' "$OUT" || fail "${q##*/} seed $seed --print: no question: $(head -c 300 "$OUT")"
				! grep -aq $'\033' "$OUT" || fail "${q##*/} seed $seed --print: a control character reached the terminal"
				ok=$((ok + 1))
			else
				check_refusal "${q##*/} seed $seed --print"
				refused=$((refused + 1))
			fi
		done
	done
	echo "# --print: $ok mutants printed, $refused refused" >&3
	[ "$ok" -gt 0 ] && [ "$refused" -gt 0 ]
}

@test "quiz fuzz: --verify on $RUNS mutants per seed quiz: TAP, or one error line; a malformed block runs nothing" {
	local q seed ok=0 refused=0 failed=0
	# the stand-in lab notes every run, so a refused block can be seen to run nothing
	sed -i '2i echo run >>"$FAKE_RUNS"' "$BIN/support/fake-lab/fake_lab"
	export FAKE_RUNS=$BATS_TEST_TMPDIR/runs
	for q in $(seeds); do
		for seed in $(seq 20001 $((20000 + RUNS))); do
			mutant "$q" "$seed"
			rm -f "$FAKE_RUNS"
			run_mode "${q##*/} seed $seed --verify" --verify
			if [ -s "$ERR" ]; then
				check_refusal "${q##*/} seed $seed --verify"
				[ ! -s "$OUT" ] || fail "${q##*/} seed $seed --verify: refused after output: $(head -c 300 "$OUT")"
				[ ! -e "$FAKE_RUNS" ] || fail "${q##*/} seed $seed --verify: refused, but ran the lab"
				refused=$((refused + 1))
				continue
			fi
			[ "$RC" -le 1 ] || fail "${q##*/} seed $seed --verify: exit status $RC"
			head -n 1 "$OUT" | grep -qE '^1\.\.[0-9]+$' || fail "${q##*/} seed $seed --verify: no TAP plan: $(head -c 300 "$OUT")"
			! grep -avqE '^(1\.\.[0-9]+|ok [0-9]+ - |not ok [0-9]+ - |# )' "$OUT" ||
				fail "${q##*/} seed $seed --verify: not TAP: $(grep -avE '^(1\.\.[0-9]+|ok [0-9]+ - |not ok [0-9]+ - |# )' "$OUT" | head -c 300)"
			if grep -q 'not run, the check block is malformed' "$OUT"; then
				# a malformed block is never run (the others of the quiz may be)
				[ "$(grep -c '^ok \|^not ok ' "$OUT")" -gt 1 ] || [ ! -e "$FAKE_RUNS" ] ||
					fail "${q##*/} seed $seed --verify: a malformed block ran the lab"
			fi
			if [ "$RC" -eq 0 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
		done
	done
	echo "# --verify: $ok mutants verified, $failed failed as TAP, $refused refused" >&3
	[ "$ok" -gt 0 ] && [ "$refused" -gt 0 ]
}
