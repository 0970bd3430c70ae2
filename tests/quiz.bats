#!/usr/bin/env bats
# cowlab-quiz: the format of every quiz, the runner (asking, --check, --key),
# the linter's messages, and --verify's logic on a stand-in lab program.

load test_helper

QUIZ=$SRCDIR/tools/cowlab-quiz

# A well-formed quiz with a check on the stand-in lab below.
good_quiz() {
	cat <<'Q'
# A test quiz

## Question Text

How many faults does writing K pages take?

## Question Answers

- None.

+ About K.

- About 2K.

## Feedback

One per page.

<!-- check
set: K=100
run: fake-lab --pages $K
let: w = minor of phase=wrote role=child
expect: w >= K && w <= K + 16
answer a: w < K / 2
answer c: w >= 2 * K
-->
Q
}

# A stand-in lab program: prints result lines with the faults we choose, so
# that --verify's decisions can be tested without a real kernel effect.
fake_lab() {
	local minor=$1
	mkdir -p "$BATS_TEST_TMPDIR/bin/support/fake-lab"
	cat >"$BATS_TEST_TMPDIR/bin/support/fake-lab/fake_lab" <<S
#!/bin/sh
echo "result: phase=touched role=parent pid=\$\$ minor=1 major=0"
echo "result: phase=wrote role=child pid=\$\$ minor=$minor major=0"
S
	chmod +x "$BATS_TEST_TMPDIR/bin/support/fake-lab/fake_lab"
}

@test "every quiz of the kit passes the linter" {
	run "$QUIZ" --lint
	assert_success
	assert_output --regexp "^cowlab-quiz: [0-9]+ quizzes, format OK$"
}

@test "at least 12 quizzes, and tools/quiz.mk lists every one (so that they are distributed)" {
	local n
	n=$(ls "$SRCDIR"/quiz/*.md | wc -l)
	[ "$n" -ge 12 ]
	for f in "$SRCDIR"/quiz/*.md; do
		grep -q "quiz/$(basename "$f")" "$SRCDIR/tools/quiz.mk" || fail "$f is not in tools/quiz.mk"
	done
}

@test "every quiz is linked from a lab text, at a step (a '> Quiz:' line)" {
	local f name
	for f in "$SRCDIR"/quiz/*.md; do
		name=$(basename "$f")
		grep -q "^> Quiz: \[.*\](\.\./quiz/$name)\$" "$SRCDIR"/labs/*.md || fail "no lab text links quiz/$name"
	done
}

@test "the answer key scores full marks, one wrong answer scores one less and exits 1" {
	"$QUIZ" --key >"$BATS_TEST_TMPDIR/key"
	run "$QUIZ" --check "$BATS_TEST_TMPDIR/key"
	assert_success
	local n
	n=$(wc -l <"$BATS_TEST_TMPDIR/key")
	assert_line "score: $n/$n"
	# Change the first quiz's answer to a wrong letter.
	awk 'NR == 1 { split($0, f, ": "); $0 = f[1] ": " (f[2] == "a" ? "b" : "a") } 1' \
		"$BATS_TEST_TMPDIR/key" >"$BATS_TEST_TMPDIR/wrong"
	run "$QUIZ" --check "$BATS_TEST_TMPDIR/wrong"
	assert_failure 1
	assert_line "score: $((n - 1))/$n"
	assert_line --regexp "^wrong +$(head -n 1 "$BATS_TEST_TMPDIR/key" | cut -d: -f1) \(yours: [ab], correct: "
}

@test "asking in the terminal: shuffled answers, right and wrong replies, feedback, score" {
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	# With a fixed seed the order is fixed: find which number is "About K".
	run "$QUIZ" --seed 7 "$BATS_TEST_TMPDIR/q.md" </dev/null
	local right
	right=$(sed -n 's/^  \([0-9]\)) About K\.$/\1/p' <<<"$output")
	[ -n "$right" ]
	run "$QUIZ" --seed 7 "$BATS_TEST_TMPDIR/q.md" <<<"$right"
	assert_success
	assert_line "Right."
	assert_line "One per page."
	assert_line "score: 1/1"
	# A reply that is not an answer number is asked again; then a wrong one.
	local wrong=$(( right % 3 + 1 ))
	run "$QUIZ" --seed 7 "$BATS_TEST_TMPDIR/q.md" <<<"x
$wrong"
	assert_success
	assert_line "  (type the number of an answer, 1 to 3)"
	assert_line "Not quite: the answer is $right."
	assert_line "score: 0/1"
}

@test "the linter names each format error with its file" {
	local q=$BATS_TEST_TMPDIR/bad.md
	good_quiz | sed '/^- None/{N;s/\n$//}' >"$q"     # no blank line between two answers
	run "$QUIZ" --lint "$q"
	assert_failure 1
	assert_output --partial "$q: line"
	assert_output --partial "answers must be separated by a blank line"

	good_quiz | sed 's/^+ About K/- About K/' >"$q"
	run "$QUIZ" --lint "$q"
	assert_failure 1
	assert_output --partial "no correct answer"

	good_quiz | sed 's/^## Feedback/## Answer/' >"$q"
	run "$QUIZ" --lint "$q"
	assert_failure 1
	assert_output --partial "unknown section '## Answer'"

	good_quiz | sed '/^<!-- check/,/^-->/d' >"$q"
	run "$QUIZ" --lint "$q"
	assert_failure 1
	assert_output --partial "no check block"

	good_quiz | sed 's/^answer c:/answer f:/; s/^expect:/expected:/' >"$q"
	run "$QUIZ" --lint "$q"
	assert_failure 1
	assert_output --partial "'answer f': there is no answer f"
	assert_output --partial "unknown key 'expected'"
}

@test "--verify passes when the kernel agrees with the marked answer" {
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	fake_lab 103
	run "$QUIZ" --verify --bindir "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/q.md"
	assert_success
	assert_line --partial "ok 1 - q.md check 1: w=103"
}

@test "--verify fails when the marked answer is not what the kernel does" {
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	fake_lab 3
	run "$QUIZ" --verify --bindir "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_line --partial "not ok 1 - q.md check 1: the kernel says w=3 but the marked answer claims"
}

@test "--verify fails when a wrong answer is also true on this kernel" {
	# The marked claim holds (w <= K + 16 is loosened), but so does answer c.
	good_quiz | sed 's/^expect: .*/expect: w >= K/' >"$BATS_TEST_TMPDIR/q.md"
	fake_lab 250
	run "$QUIZ" --verify --bindir "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_output --partial "answer c is marked wrong but on this kernel (w=250) 'w >= 2 * K' is true"
}

@test "--verify fails when the lab prints no matching result line, or fails" {
	good_quiz | sed 's/phase=wrote/phase=nosuch/' >"$BATS_TEST_TMPDIR/q.md"
	fake_lab 100
	run "$QUIZ" --verify --bindir "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_output --partial "printed nothing for 'w = minor of phase=nosuch role=child'"
}

@test "usage errors exit 2 with one line" {
	run "$QUIZ" --bogus
	assert_failure 2
	assert_output "cowlab-quiz: unknown option '--bogus' (see --help)"
	run "$QUIZ" --check
	assert_failure 2
	run "$QUIZ" --check /nonexistent/answers
	assert_failure 1
	assert_output "cowlab-quiz: /nonexistent/answers: cannot read the answers file"
	run "$QUIZ" --lab nosuchlab
	assert_failure 1
	assert_output --partial "no quiz for lab 'nosuchlab'"
	run "$QUIZ" --help
	assert_success
	assert_output --partial "--verify"
}
