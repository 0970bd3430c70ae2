#!/usr/bin/env bats
# A bounded, seeded mutation loop over cowplot's input (issue 14, "keep it
# fixed"): every seed table in tests/fuzz/plot/ (one per kind, from real
# runs) is mutated by tests/fuzz/plot-mutate.awk with fixed seeds, so a run
# is the same every time and a failure names the seed that reproduces it:
#
#   CANARY=/tmp/x LC_ALL=C awk -v seed=S -f tests/fuzz/plot-mutate.awk \
#       tests/fuzz/plot/KIND.tsv > m.tsv && tools/cowplot KIND m.tsv -o m.svg
#
# Every mutant must give either a valid result or one line "cowplot: ..."
# with a non-zero exit; never a file outside the output (the mutants carry
# gnuplot and shell code that would create $CANARY), never a hang (each run
# under timeout; the limit only catches a hang, it measures nothing).
# A longer run: COWPLOT_FUZZ_RUNS=5000 COWPLOT_FUZZ_FULL_RUNS=500 make check
# TESTS=tests/cowplot-fuzz.bats (the same seeds as the short run, and more).

load test_helper

COWPLOT=$SRCDIR/tools/cowplot
FUZZ=$SRCDIR/tests/fuzz
KINDS="timeline memory forkcost faultcost copy faultmap copyread snapshot"
# mutants per kind: of prepare.awk alone, of the whole cowplot (gnuplot)
RUNS=${COWPLOT_FUZZ_RUNS:-40}
FULL_RUNS=${COWPLOT_FUZZ_FULL_RUNS:-5}

setup() {
	export CANARY=$BATS_TEST_TMPDIR/pwned
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
}

mutant() {	# KIND SEED -> $BATS_TEST_TMPDIR/m.tsv
	LC_ALL=C awk -v seed="$2" -f "$FUZZ/plot-mutate.awk" "$FUZZ/plot/$1.tsv" > "$BATS_TEST_TMPDIR/m.tsv"
}

# the one-line refusal: exit 1, one line on stderr starting "cowplot: "
check_refusal() {	# WHAT STATUS ERRFILE
	local lines
	lines=$(wc -l < "$3")
	[ "$2" -eq 1 ] || fail "$1: exit status $2: $(head -c 300 "$3")"
	[ "$lines" -eq 1 ] || fail "$1: $lines lines on stderr: $(head -c 300 "$3")"
	grep -q '^cowplot: ' "$3" || fail "$1: not cowplot's line: $(head -c 300 "$3")"
}

@test "cowplot fuzz: prepare.awk on $RUNS mutants per kind: data files and a meta.gp of data only, or one error line" {
	local kind seed dir=$BATS_TEST_TMPDIR/d rc ok=0 refused=0
	for kind in $KINDS; do
		for seed in $(seq 1 "$RUNS"); do
			mutant "$kind" "$seed"
			rm -rf "$dir"; mkdir "$dir"
			rc=0
			COWPLOT_KIND=$kind COWPLOT_SRC=m.tsv COWPLOT_DIR=$dir COWPLOT_TITLE=t \
				COWPLOT_NOTE=n COWPLOT_MACHINE=m LC_ALL=C timeout 20 \
				awk -v charfrac=0.01 -f "$SRCDIR/tools/plot/prepare.awk" \
				< "$BATS_TEST_TMPDIR/m.tsv" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" || rc=$?
			[ "$rc" -ne 124 ] || fail "$kind seed $seed: prepare.awk hung"
			[ ! -s "$BATS_TEST_TMPDIR/out" ] || fail "$kind seed $seed: output on stdout"
			if [ "$rc" -eq 0 ]; then
				[ ! -s "$BATS_TEST_TMPDIR/err" ] || fail "$kind seed $seed: $(cat "$BATS_TEST_TMPDIR/err")"
				LC_ALL=C awk -f "$FUZZ/plot-check-meta.awk" "$dir/meta.gp" > "$BATS_TEST_TMPDIR/out" ||
					fail "$kind seed $seed: $(cat "$BATS_TEST_TMPDIR/out")"
				ok=$((ok + 1))
			else
				check_refusal "$kind seed $seed" "$rc" "$BATS_TEST_TMPDIR/err"
				refused=$((refused + 1))
			fi
			[ ! -e "$CANARY" ] || fail "$kind seed $seed: data ran as code"
		done
	done
	# files only where they belong: the mutant, the data directory, the
	# captured streams
	run ls -A "$BATS_TEST_TMPDIR"
	assert_output "$(printf '%s\n' d err m.tsv out tmp)"
	echo "# prepare.awk: $ok mutants drawn, $refused refused" >&3
	# the loop must reach both outcomes, or it tests little
	[ "$ok" -gt 0 ] && [ "$refused" -gt 0 ]
}

@test "cowplot fuzz: the whole cowplot on $FULL_RUNS mutants per kind: a valid SVG or one error line, nothing else" {
	local kind seed rc ok=0 refused=0 out=$BATS_TEST_TMPDIR/o/m.svg
	mkdir "$BATS_TEST_TMPDIR/o"
	for kind in $KINDS; do
		# seeds after the prepare.awk loop's, whose mutants it has seen
		for seed in $(seq 100001 $((100000 + FULL_RUNS))); do
			mutant "$kind" "$seed"
			rc=0
			timeout 60 "$COWPLOT" "$kind" "$BATS_TEST_TMPDIR/m.tsv" -o "$out" \
				> "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" || rc=$?
			[ "$rc" -ne 124 ] || fail "$kind seed $seed: cowplot hung"
			[ ! -s "$BATS_TEST_TMPDIR/out" ] || fail "$kind seed $seed: output on stdout"
			if [ "$rc" -eq 0 ]; then
				[ ! -s "$BATS_TEST_TMPDIR/err" ] || fail "$kind seed $seed: $(cat "$BATS_TEST_TMPDIR/err")"
				xmllint --noout "$out" 2> "$BATS_TEST_TMPDIR/err" ||
					fail "$kind seed $seed: invalid SVG: $(head -c 300 "$BATS_TEST_TMPDIR/err")"
				rm -f "$out"
				ok=$((ok + 1))
			else
				check_refusal "$kind seed $seed" "$rc" "$BATS_TEST_TMPDIR/err"
				[ ! -e "$out" ] || fail "$kind seed $seed: refused, but wrote $out"
				refused=$((refused + 1))
			fi
			[ ! -e "$CANARY" ] || fail "$kind seed $seed: data ran as code"
			[ -z "$(find "$TMPDIR" "$BATS_TEST_TMPDIR/o" -mindepth 1)" ] ||
				fail "$kind seed $seed: left behind: $(find "$TMPDIR" "$BATS_TEST_TMPDIR/o" -mindepth 1)"
		done
	done
	run ls -A "$BATS_TEST_TMPDIR"
	assert_output "$(printf '%s\n' err m.tsv o out tmp)"
	echo "# cowplot: $ok mutants drawn, $refused refused" >&3
	[ "$ok" -gt 0 ] && [ "$refused" -gt 0 ]
}
