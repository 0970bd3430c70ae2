#!/usr/bin/env bats
# Parameters seeded per student (issue 16): the 'vary' lines of the
# expectation tables, drawn for a seed by cowlab-expect --seed; the grader
# (--seed-from, --seed-from-dir), the skeleton's README (cowlab-skel
# --seed) and the quizzes (cowlab-quiz --seed) all take them from there.
# Two seeds give different parameters; both grade the reference full; the
# skeleton still scores 0; a tree that hard-codes the published N and K
# loses the checks that count them; a seeded quiz is checked live; bad
# seeds are one line and a non-zero exit. The grading run (as root: the
# sandbox needs it) grades four trees once, two at a time.

load test_helper
bats_require_minimum_version 1.5.0

EXPECT=$COWLAB_SRCDIR/tools/cowlab-expect
QUIZ=$COWLAB_SRCDIR/tools/cowlab-quiz
SKEL=$COWLAB_SRCDIR/tools/cowlab-skel
GRADE=$COWLAB_SRCDIR/tools/cowlab-grade

# params SEED ID/SCENARIO: the scenario's parameters as drawn ("N=.. K=..").
params() {
	"$EXPECT" ${1:+--seed "$1"} params "$2" | cut -f2
}

# param WORDS NAME: the value of NAME in "N=.. K=..".
param() {
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

setup_file() {
	local t=$BATS_FILE_TMPDIR published n k
	[ "$(id -u)" -eq 0 ] || return 0
	"$SKEL" --reference "$t/alice" >/dev/null && cp -R "$t/alice" "$t/bob" &&
		"$SKEL" "$t/skeleton" >/dev/null && cp -R "$t/alice" "$t/carol" || return 1
	# carol copied a friend's fork_faults that ignores -n and -w: it runs
	# the published N and K whatever it is asked.
	published=$("$EXPECT" params copy-on-write/base | cut -f2)
	n=$(param "$published" N) k=$(param "$published" K)
	sed -i "s/^\(\t*\)lab_parse_options(argc, argv, &usage, options);/&\n\1lab.pages = $n; lab.written = $k;/" \
		"$t/carol/copy-on-write/fork_faults.c"
	grep -q "lab.pages = $n; lab.written = $k;" "$t/carol/copy-on-write/fork_faults.c" || return 1
	cd "$t" || return 1
	"$GRADE" --cowsample "$COWSAMPLE" --jobs 2 --quiet --seed-from-dir -o "$t/reports" \
		alice bob skeleton carol >"$t/summary" 2>"$t/stderr"
	echo $? >"$t/status"
}

require_grading() {
	[ "$(id -u)" -eq 0 ] || skip "grading needs root (the grader's sandbox)"
	[ "$(cat "$BATS_FILE_TMPDIR/status")" -eq 0 ] ||
		fail "cowlab-grade failed: $(cat "$BATS_FILE_TMPDIR/stderr")"
}

@test "cowlab-expect --seed: two seeds draw different parameters; one seed always the same ones" {
	local a b
	a=$("$EXPECT" --seed alice seeded)
	b=$("$EXPECT" --seed bob seeded)
	[ -n "$a" ] && [ "$a" != "$b" ] || fail "alice: $a; bob: $b"
	assert_equal "$("$EXPECT" --seed alice seeded)" "$a"
	# Every graded lab whose checks count pages is seeded.
	assert_equal "$(cut -f1 <<<"$a" | paste -sd ' ' -)" \
		"copy-on-write/base shared-vs-private/base vfork/base user-cow/base"
}

@test "cowlab-expect --seed: the draw is the same on every machine (pinned values: a change of the hash or the draw shows here)" {
	run "$EXPECT" --seed alice params copy-on-write/base
	assert_output "copy-on-write/base	N=976 K=435	N K"
	run "$EXPECT" --seed 42 params vfork/base
	assert_output "vfork/base	N=680 K=315	N K"
}

@test "cowlab-expect --seed: 40 seeds stay inside the ranges where the expected relations hold" {
	local s sc p n k lo hi scenarios
	scenarios=$("$EXPECT" seeded | cut -f1)
	for s in $(seq 1 40); do
		while IFS=$'\t' read -r sc p; do
			n=$(param "$p" N) k=$(param "$p" K)
			case $sc in
			shared-vs-private/base) lo=128 hi=512 ;;
			user-cow/base) lo=200 hi=400 ;;
			*) lo=256 hi=1024 ;;
			esac
			((n >= lo && n <= hi && k >= n / 4 && k <= 3 * n / 4 && k < n)) ||
				fail "seed $s: $sc $p outside N $lo..$hi, K N/4..3N/4"
			# the slack stays far below the pages counted
			((k > 4 * $(slack STRAY))) || fail "seed $s: $sc K=$k is within reach of the slack"
		done < <("$EXPECT" --seed "$s" params $scenarios | cut -f1,2)
	done
}

@test "cowlab-expect --seed: bounds and arguments follow the drawn parameters" {
	local p n k
	p=$(params alice copy-on-write/base)
	n=$(param "$p" N) k=$(param "$p" K)
	run "$EXPECT" --seed alice scenario copy-on-write base
	assert_output "$(printf '%s\n' --batch -n "$n" -w "$k")"
	run "$EXPECT" --seed alice rows copy-on-write/child-writes
	assert_output --partial "	minor	$k	$((k + $(slack STRAY)))	"
	# Without a seed, the published parameters.
	run "$EXPECT" params copy-on-write/base
	assert_output "copy-on-write/base	N=512 K=200	N K"
}

@test "bad seeds: one line and a non-zero exit from every tool" {
	local long
	long=$(printf 'x%.0s' $(seq 1 201))
	for seed in '' $'two\nlines' "$long"; do
		run "$EXPECT" --seed "$seed" seeded
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --regexp '^cowlab-expect: --seed: the seed (is empty|holds a control character|is longer than 200)'
		run "$SKEL" --seed "$seed" "$BATS_TEST_TMPDIR/tree"
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --partial "cowlab-skel: --seed: "
		[ ! -e "$BATS_TEST_TMPDIR/tree" ]
		run "$QUIZ" --seed "$seed" --print copy-on-write-child-write
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --partial "cowlab-quiz: --seed: "
		run "$GRADE" --seed-from "$seed" "$BATS_TEST_TMPDIR"
		assert_failure 2
		assert_equal "${#lines[@]}" 1
		assert_output --partial "cowlab-grade: --seed-from: "
	done
	run "$GRADE" --seed-from alice "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR"
	assert_failure 2
	assert_output --partial "--seed-from NAME seeds one tree"
	run "$GRADE" --seed-from alice --seed-from-dir "$BATS_TEST_TMPDIR"
	assert_failure 2
	assert_output --partial "one or the other"
}

# A source tree of our own: the kit's registry and slack file, and the
# table on stdin as copy-on-write's.
fake_tree() {
	local dir=$BATS_TEST_TMPDIR/src
	mkdir -p "$dir/labs" "$dir/support/copy-on-write"
	grep -P '^(#|copy-on-write\t)' "$SRCDIR/labs/registry.tsv" >"$dir/labs/registry.tsv"
	cp "$SRCDIR/labs/slack.tsv" "$dir/labs/"
	cat >"$dir/support/copy-on-write/expect.tsv"
	echo "$dir"
}

@test "vary lines: a published value outside its range, a range of a parameter drawn below, an empty range, a bad line: one error each" {
	local dir
	dir=$(printf 'scenario\tbase\tN=512 K=200\t-n $N -w $K\t-\nvary\tbase\tN\t600\t1024\t1\twhy\n' | fake_tree)
	run "$EXPECT" --srcdir "$dir" rows copy-on-write
	assert_failure
	assert_output --partial "expect.tsv:2: vary base N: the scenario's N=512 is not one of 600..1024 in steps of 1"
	dir=$(printf 'scenario\tbase\tN=512 K=200\t-n $N -w $K\t-\nvary\tbase\tK\t1\tN - 1\t1\twhy\nvary\tbase\tN\t256\t1024\t1\twhy\n' | fake_tree)
	run "$EXPECT" --srcdir "$dir" rows copy-on-write
	assert_failure
	assert_output --partial "expect.tsv:2: vary base K: HIGH 'N - 1': unknown name 'N'"
	dir=$(printf 'scenario\tbase\tN=512 K=200\t-n $N -w $K\t-\nvary\tbase\tK\tN\tN / 2\t1\twhy\n' | fake_tree)
	run "$EXPECT" --srcdir "$dir" --seed x rows copy-on-write
	assert_failure
	assert_output --partial "LOW 512 is above HIGH 256"
	dir=$(printf 'scenario\tbase\tN=512\t-n $N\t-\nvary\tbase\tM\t1\t2\t1\twhy\nvary\tother\tN\t1\t2\t1\twhy\n' | fake_tree)
	run "$EXPECT" --srcdir "$dir" rows copy-on-write
	assert_failure
	assert_line --partial "scenario base has no parameter M"
	assert_line --partial "no scenario other above this line"
	# An expression is parsed, never run.
	dir=$(printf 'scenario\tbase\tN=512\t-n $N\t-\nvary\tbase\tN\tsystem("touch %s/pwned")\t1024\t1\twhy\n' "$BATS_TEST_TMPDIR" | fake_tree)
	run "$EXPECT" --srcdir "$dir" --seed x rows copy-on-write
	assert_failure
	[ ! -e "$BATS_TEST_TMPDIR/pwned" ]
}

@test "cowlab-skel --seed: the README gives the command lines the grader runs for that seed" {
	local p
	"$SKEL" --seed alice "$BATS_TEST_TMPDIR/alice" >/dev/null
	"$SKEL" "$BATS_TEST_TMPDIR/published" >/dev/null
	p=$(params alice copy-on-write/base)
	grep -qF -- "- \`copy-on-write/fork_faults --batch -n $(param "$p" N) -w $(param "$p" K)\` ($p)" "$BATS_TEST_TMPDIR/alice/README.md" ||
		fail "$(grep -A8 '## Your parameters' "$BATS_TEST_TMPDIR/alice/README.md")"
	grep -qF "seed \`alice\`" "$BATS_TEST_TMPDIR/alice/README.md"
	p=$(params "" copy-on-write/base)
	grep -qF -- "- \`copy-on-write/fork_faults --batch -n $(param "$p" N) -w $(param "$p" K)\`" "$BATS_TEST_TMPDIR/published/README.md"
	# the sources are the same: only the README differs
	diff -r -x README.md "$BATS_TEST_TMPDIR/alice" "$BATS_TEST_TMPDIR/published"
}

@test "cowlab-quiz --seed: the question quotes the drawn N and K; without a seed, the table's" {
	local p
	p=$(params 7 copy-on-write/base)
	run "$QUIZ" --seed 7 --print copy-on-write-child-write
	assert_success
	assert_output --partial "(seed 7: $p)"
	assert_output --partial "'fork_faults -n $(param "$p" N) -w $(param "$p" K)'"
	refute_output --partial "{{"
	p=$(params "" copy-on-write/base)
	run "$QUIZ" --print copy-on-write-child-write
	assert_output --partial "'fork_faults -n $(param "$p" N) -w $(param "$p" K)'"
	refute_output --partial "seed"
}

@test "cowlab-quiz --verify --seed: a seeded variant's marked answer is what this kernel does" {
	local p
	p=$(params 7 copy-on-write/base)
	run "$QUIZ" --seed 7 --verify --bindir "$BUILDDIR" copy-on-write-child-write shared-vs-private-fork
	assert_success
	assert_line --regexp "^ok 1 - copy-on-write-child-write.md check 1: with $p: child_writes=[0-9]+ in \[$(param "$p" K), [0-9]+\] "
	assert_line --partial "ok 2 - shared-vs-private-fork.md check 1: with $(params 7 shared-vs-private/base):"
}

@test "cowlab-quiz --seed, asked: after the answer, the check runs on this kernel" {
	local p
	p=$(params 7 copy-on-write/base)
	run "$QUIZ" --seed 7 --bindir "$BUILDDIR" copy-on-write-child-write <<<"b"
	assert_success
	assert_line "Right."
	assert_line --regexp "^On this kernel: with $p: child_writes=[0-9]+ in \[$(param "$p" K), [0-9]+\] \(child_writes_ok\): the marked answer holds\.$"
	assert_line "score: 1/1"
}

@test "quiz placeholders: a name the first check block does not define is a lint error; a value never becomes code" {
	local q=$BATS_TEST_TMPDIR/q.md
	sed 's/-w {{K}}/-w {{K}} {{NOPE}} {{$(touch pwned)}}/' "$SRCDIR/quiz/copy-on-write-child-write.md" >"$q"
	run "$QUIZ" --lint "$q"
	assert_failure
	assert_output --partial "{{NOPE}}: not a parameter of the scenarios of the first check block"
	cd "$BATS_TEST_TMPDIR"
	run "$QUIZ" --seed 7 --print "$q"
	assert_output --partial '{{NOPE}} {{$(touch pwned)}}'
	[ ! -e pwned ]
}

@test "cowlab-grade --seed-from-dir: two students, two sets of parameters, each report says which" {
	require_grading
	local t=$BATS_FILE_TMPDIR a b
	a=$(grep '^# parameters' "$t/reports/alice.txt")
	b=$(grep '^# parameters' "$t/reports/bob.txt")
	assert_equal "$a" "# parameters (seeded from 'alice'): $("$EXPECT" --seed alice seeded | awk -F '\t' '{ printf "%s%s %s", (NR > 1 ? "; " : ""), $1, $2 }')"
	assert_equal "$b" "# parameters (seeded from 'bob'): $("$EXPECT" --seed bob seeded | awk -F '\t' '{ printf "%s%s %s", (NR > 1 ? "; " : ""), $1, $2 }')"
	[ "${a#*: }" != "${b#*: }" ] || fail "the same parameters: $a"
}

@test "cowlab-grade --seed-from-dir: both seeds grade the reference full marks; the skeleton scores 0" {
	require_grading
	local t=$BATS_FILE_TMPDIR total
	total=$("$EXPECT" graded | awk -F '\t' '{ t += $2 } END { print t }')
	run cat "$t/summary"
	assert_line "alice: score: $total/$total"
	assert_line "bob: score: $total/$total"
	assert_line "skeleton: score: 0/$total"
}

@test "cowlab-grade --seed-from-dir: a fork_faults that runs the published N and K whatever it is asked loses exactly the checks that count its pages" {
	require_grading
	local t=$BATS_FILE_TMPDIR total p published
	p=$(params carol copy-on-write/base)
	published=$(params "" copy-on-write/base)
	[ "$(param "$p" N)" != "$(param "$published" N)" ] && [ "$(param "$p" K)" != "$(param "$published" K)" ] ||
		skip "carol's seed drew the published N or K"
	total=$("$EXPECT" graded | awk -F '\t' '{ t += $2 } END { print t }')
	run sed -n 's/^not ok [0-9]* //p' "$t/reports/carol.txt"
	assert_output "$(printf '%s\n' \
		"copy-on-write/first-touch: The parent's first touch takes one fault per page. (2 points)" \
		"copy-on-write/child-writes: The child's writes take one copy-on-write fault per page written. (2 points)" \
		"copy-on-write/parent-rewrites: After the child exited, the parent's rewrite faults once per page (every entry is still write-protected from the fork). (2 points)")"
	run cat "$t/summary"
	assert_line "carol: score: $((total - 6))/$total"
	# what the student reads: the expected count is carol's own K
	run grep -A2 'child-writes' "$t/reports/carol.txt"
	assert_output --partial "expected: $(param "$p" K)..$(($(param "$p" K) + $(slack STRAY))) minor faults"
}
