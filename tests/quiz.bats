#!/usr/bin/env bats
# cowlab-quiz: the format of every quiz, the runner (asking, --print,
# --check, --key), the linter's messages, --verify's logic on a stand-in lab
# of a stand-in source tree (registry, slack names, expectation table), and
# quiz files as hostile input: nothing in one is ever run as code.

load test_helper
load quiz_helper
bats_require_minimum_version 1.5.0

# ------------------------------------------------------------- stand-ins
# The stand-in lab and its trees, and fake(): tests/quiz_helper.bash.
setup() {
	quiz_standins
}

# A well-formed quiz; its check block (CHECK, default: a row of the table)
# comes from the standard input when one is given.
quiz_with_check() {
	cat <<'Q'
# A test quiz

## Question Text

How many faults does `fake_lab` take when the child writes *K* pages?

## Question Answers

- None.

+ About K.

- About 2K.

## Feedback

One per page.

<!-- check
Q
	cat
	echo '-->'
}

row_quiz() {
	quiz_with_check <<'C'
row: fake-lab/wrote
expect: wrote_ok
answer a: wrote < K / 2
answer c: wrote >= 2 * K
C
}

run_quiz() {
	quiz_with_check <<'C'
set: K=100
run: fake-lab --pages $K
let: w = minor of phase=wrote role=child
expect: w >= K && w <= K + STEP_SLACK
answer a: w < K / 2
answer c: w >= 2 * K
C
}

good_quiz() { row_quiz; }

# ------------------------------------------------------------- the kit
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

@test "the registry names every quiz once, each lab's in the order its text asks them" {
	local id program graded root quizzes title shows named text_order
	while IFS=$'\t' read -r id program graded root quizzes title shows; do
		[[ -z $id || $id == "#"* ]] && continue
		[ "$quizzes" = - ] && quizzes=""
		named+="${quizzes//,/ } "
		# The quiz names at the '> Quiz:' steps of labs/ID.md, in order.
		text_order=$(sed -n 's/^> Quiz: .*`tools\/cowlab-quiz \([a-z0-9-]*\)`.*/\1/p' "$SRCDIR/labs/$id.md" | paste -sd, -)
		[ "$text_order" = "$quizzes" ] || fail "lab $id: registry says '$quizzes', labs/$id.md asks '$text_order'"
	done <"$SRCDIR/labs/registry.tsv"
	for f in "$SRCDIR"/quiz/*.md; do
		[ "$(tr ' ' '\n' <<<"$named" | grep -cx "$(basename "$f" .md)")" -eq 1 ] ||
			fail "$(basename "$f") is not named exactly once in labs/registry.tsv"
	done
}

@test "lab texts name each quiz at its step with the command that asks it, and never link the keyed file" {
	local f name
	for f in "$SRCDIR"/quiz/*.md; do
		name=$(basename "$f" .md)
		grep -q "^> Quiz: .*\`tools/cowlab-quiz $name\`" "$SRCDIR"/labs/*.md ||
			fail "no lab text names quiz $name at a step"
	done
	run grep -n 'quiz/[a-z0-9-]*\.md' "$SRCDIR"/labs/*.md
	assert_failure 1	# no link or path to a quiz file, which shows the answers
}

@test "make quiz LAB=ID asks that lab's quizzes in the registry's order; a wrong id is refused with the list" {
	local want
	want=$(awk -F '\t' '$1 == "copy-on-write" { print $5 }' "$SRCDIR/labs/registry.tsv" | tr , '\n')
	run "$QUIZ" --list --lab copy-on-write
	assert_success
	[ "$(cut -d' ' -f1 <<<"$output")" = "$want" ] || fail "order: $output"
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILDDIR" quiz LAB=clone </dev/null
	assert_success
	assert_line "== Question 1 of 1: What CLONE_VM shares"
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILDDIR" quiz LAB=fork-faults </dev/null
	assert_failure
	assert_output --partial "fork-faults: no such lab (the labs: demand-paging copy-on-write"
	run "$QUIZ" --lab fork-faults
	assert_failure 1
	assert_output "cowlab-quiz: fork-faults: no such lab (the labs: $(awk -F '\t' '!/^#/ && NF { print $1 }' "$SRCDIR/labs/registry.tsv" | paste -sd ' ' -))"
}

@test "the answer key scores full marks; one wrong answer scores one less, exits 1, and does not say the right one" {
	"$QUIZ" --key >"$BATS_TEST_TMPDIR/key"
	run "$QUIZ" --check "$BATS_TEST_TMPDIR/key"
	assert_success
	local n first
	n=$(wc -l <"$BATS_TEST_TMPDIR/key")
	assert_line "score: $n/$n"
	awk 'NR == 1 { split($0, f, ": "); $0 = f[1] ": " (f[2] == "a" ? "b" : "a") } 1' \
		"$BATS_TEST_TMPDIR/key" >"$BATS_TEST_TMPDIR/wrong"
	first=$(head -n 1 "$BATS_TEST_TMPDIR/key" | cut -d: -f1)
	run "$QUIZ" --check "$BATS_TEST_TMPDIR/wrong"
	assert_failure 1
	assert_line "score: $((n - 1))/$n"
	assert_line --regexp "^wrong +$first \(yours: [ab]\)$"
}

@test "--check never reveals a right answer: an empty answers file, or a wrong answer, says the same whichever answer is marked" {
	local q=$BATS_TEST_TMPDIR
	mkdir "$q/one" "$q/two"
	good_quiz >"$q/one/t.md"
	good_quiz | sed 's/^+ About K\./- About K./; s/^- About 2K\./+ About 2K./' >"$q/two/t.md"
	: >"$q/empty"
	run "$QUIZ" --check "$q/empty" "$q/one/t.md"
	assert_failure 1
	local one=$output
	assert_output "missing t
score: 0/1"
	run "$QUIZ" --check "$q/empty" "$q/two/t.md"
	[ "$output" = "$one" ]
	echo "t: a" >"$q/wrong"
	run "$QUIZ" --check "$q/wrong" "$q/one/t.md"
	one=$output
	assert_line "wrong   t (yours: a)"
	run "$QUIZ" --check "$q/wrong" "$q/two/t.md"
	[ "$output" = "$one" ]
	# The kit's own quizzes, with an empty answers file: only "missing".
	run "$QUIZ" --check "$q/empty"
	assert_failure 1
	refute_output --partial "correct"
	run grep -cv -e '^missing [a-z0-9-]*$' -e '^score: 0/[0-9]*$' <<<"$output"
	assert_output 0
}

@test "--check: unknown, unparsed and duplicate lines, numbers and letters out of range are errors with their line numbers" {
	good_quiz >"$BATS_TEST_TMPDIR/t.md"
	printf '%s\n' "# my answers" "t: b" "nosuch: a" "t b" "t: c" "" "t: 2" "t: e" >"$BATS_TEST_TMPDIR/a"
	run --separate-stderr "$QUIZ" --check "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/t.md"
	assert_failure 1
	[ -z "$output" ] || fail "scored a file with errors: $output"
	local a=$BATS_TEST_TMPDIR/a
	[ "$stderr" = "cowlab-quiz: $a: line 3: no quiz 'nosuch' among those checked
cowlab-quiz: $a: line 4: not 'QUIZ: LETTERS': t b
cowlab-quiz: $a: line 5: a second answer to t (the first is on line 2)
cowlab-quiz: $a: line 7: a second answer to t (the first is on line 2)
cowlab-quiz: $a: line 8: a second answer to t (the first is on line 2)" ] || fail "$stderr"
	printf '%s\n' "t: 2" >"$a"
	run --separate-stderr "$QUIZ" --check "$a" "$BATS_TEST_TMPDIR/t.md"
	assert_failure 1
	[ "$stderr" = "cowlab-quiz: $a: line 1: t: answers are letters (a to c), not numbers" ] || fail "$stderr"
	printf '%s\n' "" "t: bx" >"$a"
	run --separate-stderr "$QUIZ" --check "$a" "$BATS_TEST_TMPDIR/t.md"
	assert_failure 1
	[ "$stderr" = "cowlab-quiz: $a: line 2: t: 'bx' is not letters a to c" ] || fail "$stderr"
}

@test "--check: capitals, 'name.md:', commas and spaces are accepted; wrong and missing are told apart" {
	good_quiz >"$BATS_TEST_TMPDIR/t.md"
	good_quiz >"$BATS_TEST_TMPDIR/u.md"
	good_quiz >"$BATS_TEST_TMPDIR/v.md"
	printf '%s\n' "T.md: B" "u: a, c" >"$BATS_TEST_TMPDIR/a"
	run "$QUIZ" --check "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR"/{t,u,v}.md
	assert_failure 1
	assert_output "right   t
wrong   u (yours: ac)
missing v
score: 1/3"
	printf '%s\n' "t: b" "u: B" "v:b   # sure" | "$QUIZ" --check - "$BATS_TEST_TMPDIR"/{t,u,v}.md
}

@test "the letters of --check, --print and the terminal are the same: the key typed in the terminal scores every quiz" {
	local n
	"$QUIZ" --key | cut -d' ' -f2 >"$BATS_TEST_TMPDIR/letters"
	n=$(wc -l <"$BATS_TEST_TMPDIR/letters")
	run "$QUIZ" <"$BATS_TEST_TMPDIR/letters"
	assert_success
	assert_line "score: $n/$n"
	refute_line --partial "Not quite"
	# --print shows them with the same letters: the key's letter of the
	# first quiz is the letter --print gives its right answer.
	run "$QUIZ" --print copy-on-write-child-write
	assert_success
	assert_line --regexp "^  $("$QUIZ" --key copy-on-write-child-write | cut -d' ' -f2)\) About K: one copy-on-write fault per page written"
}

@test "asking in the terminal: lettered answers in file order, right and wrong replies, feedback, score" {
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	run fake "$BATS_TEST_TMPDIR/q.md" </dev/null
	assert_success
	assert_line "== Question 1 of 1: A test quiz"
	assert_line "  a) None."
	assert_line "  b) About K."
	assert_line "  c) About 2K."
	assert_line "score: 0/0"
	run fake "$BATS_TEST_TMPDIR/q.md" <<<"B"
	assert_success
	assert_line "Right."
	assert_line "One per page."
	assert_line "score: 1/1"
	# A reply that is not an answer's letter is asked again; then a wrong one.
	run fake "$BATS_TEST_TMPDIR/q.md" <<<"x
d
a"
	assert_success
	assert_line "  (type the letter of an answer, a to c)"
	[ "$(grep -c 'type the letter' <<<"$output")" -eq 2 ]
	assert_line "Not quite: the answer is b."
	assert_line "score: 0/1"
}

@test "the terminal shows Markdown as text: no backticks or emphasis marks; bold and underline on a terminal" {
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	run fake "$BATS_TEST_TMPDIR/q.md" </dev/null
	assert_line "How many faults does 'fake_lab' take when the child writes K pages?"
	run "$QUIZ" </dev/null
	refute_output --partial '`'
	refute_output --regexp '\*[A-Za-z]'
	command -v script >/dev/null || skip "no script(1) for a terminal"
	run env TERM=xterm COWLAB_SRCDIR="$FAKE" script -qec "'$QUIZ' '$BATS_TEST_TMPDIR/q.md' </dev/null" /dev/null
	assert_output --partial $'\e[1mfake_lab\e[0m'
	assert_output --partial $'\e[4mK\e[0m'
}

@test "--print: the question and lettered answers, no marks, no feedback, the same whichever answer is right" {
	good_quiz >"$BATS_TEST_TMPDIR/t.md"
	run fake --print "$BATS_TEST_TMPDIR/t.md"
	assert_success
	local one=$output
	assert_line "== t: A test quiz"
	assert_line "  a) None."
	assert_line "  b) About K."
	refute_output --partial "One per page"
	refute_output --partial "<!--"
	refute_output --partial "expect:"
	refute_line --regexp '^[+-] '
	good_quiz | sed 's/^+ About K\./- About K./; s/^- About 2K\./+ About 2K./' >"$BATS_TEST_TMPDIR/t.md"
	run fake --print "$BATS_TEST_TMPDIR/t.md"
	[ "$output" = "$one" ]
	run "$QUIZ" --print --lab copy-on-write
	assert_success
	[ "$(grep -c '^== copy-on-write-' <<<"$output")" -eq 6 ]
}

# ------------------------------------------------- hostile quiz files (14)
@test "an expect: or answer line that is code is refused by --lint and never run by --verify" {
	local pwned=$BATS_TEST_TMPDIR/pwned q=$BATS_TEST_TMPDIR/q.md
	quiz_with_check <<C >"$q"
row: fake-lab/wrote
expect: system("touch $pwned") || 1
C
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "$q: line 21: check: expect: character '\"' is not part of an expression in 'system(\"touch"
	run fake --verify "$q"
	assert_failure 1
	assert_output --partial "not ok 1 - q.md check 1: not run, the check block is malformed"
	[ ! -e "$pwned" ] || fail "the quiz ran code"
	quiz_with_check <<C >"$q"
row: fake-lab/wrote
expect: wrote_ok
answer a: wrote < 0 || system(1)
answer c: "\$(touch $pwned)"
C
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "answer a: unknown name 'system'"
	assert_output --partial "answer c: character '\"' is not part of an expression"
	run fake --verify "$q"
	assert_failure 1
	[ ! -e "$pwned" ] || fail "the quiz ran code"
}

@test "run: only a registry lab's program; a path or another program is refused by --lint and --verify" {
	local pwned=$BATS_TEST_TMPDIR/pwned q=$BATS_TEST_TMPDIR/q.md spec
	for spec in "../../../../bin/sh -c 'touch $pwned'" "/bin/sh -c 'touch $pwned'" \
		"fake-lab/../../../../bin/touch $pwned" "shared-vs-private/shared_vs_private"; do
		quiz_with_check <<C >"$q"
run: $spec
let: w = count /x/
expect: w >= 0
C
		run fake --lint "$q"
		assert_failure 1
		assert_output --partial "is not a lab of the registry (labs: fake-lab demand-paging)"
		run fake --verify "$q"
		assert_failure 1
		assert_output --partial "not run, the check block is malformed"
		[ ! -e "$pwned" ] || fail "'$spec' ran"
	done
	# A row or scenario of a lab the registry does not name.
	quiz_with_check <<C >"$q"
row: ../../bin/wrote
expect: 1
C
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "check: '../../bin/wrote' is not LAB/ROW"
}

@test "the arguments of run: are words, substituted one by one: no shell, no globbing" {
	local pwned=$BATS_TEST_TMPDIR/pwned q=$BATS_TEST_TMPDIR/q.md
	touch "$BATS_TEST_TMPDIR/glob-me"
	quiz_with_check <<C >"$q"
set: K=7
run: fake-lab \$(touch $pwned) ; \`touch $pwned\` $BATS_TEST_TMPDIR/glob-* --n=\$K "a b"
let: w = count /^arg: /
expect: w == 9
C
	run fake --verify "$q"
	assert_success
	[ ! -e "$pwned" ] || fail "a word ran in a shell"
	run "$BIN/support/fake-lab/fake_lab"	# just to see the output format
	quiz_with_check <<C >"$q"
set: K=7
run: fake-lab \$(touch $pwned) $BATS_TEST_TMPDIR/glob-* --n=\$K
let: glob = count /^arg: .*glob-\*\$/
let: n = count /^arg: --n=7\$/
let: subst = count /^arg: \\\$\\(touch/
expect: glob == 1 && n == 1 && subst == 1
C
	run fake --verify "$q"
	assert_success
	[ ! -e "$pwned" ]
	# A \$NAME nothing defines is an error, not an empty word.
	quiz_with_check <<'C' >"$q"
run: fake-lab --pages $HOME
let: w = count /x/
expect: 1
C
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "'\$HOME' in the command line: no set:, file: or parameter defines it"
}

@test "more than 26 answers: a format error, never a letter past z" {
	local q=$BATS_TEST_TMPDIR/q.md i
	{
		printf '# Many\n\n## Question Text\n\nWhich?\n\n## Question Answers\n\n'
		for i in $(seq 27); do printf -- '- Answer %d.\n\n' "$i"; done
		printf '+ The right one.\n\n## Feedback\n\nThat one.\n\n<!-- check: none (a test) -->\n'
	} >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "$q: 28 answers: at most 26 (lettered a to z)"
	for mode in --key --print --list; do
		run fake $mode "$q"
		assert_failure 1
		assert_output --partial "28 answers: at most 26"
		refute_output --partial $'\x7f'
	done
	run fake "$q" </dev/null
	assert_failure 1
}

@test "a FIFO, a device, a directory or a huge file is refused at once, not read" {
	local fifo=$BATS_TEST_TMPDIR/fifo
	mkfifo "$fifo"
	run timeout 20 "$QUIZ" --lint "$fifo"
	assert_failure 1
	assert_output "$fifo: not a regular file"
	run timeout 20 "$QUIZ" --lint /dev/zero
	assert_failure 1
	assert_output "/dev/zero: not a regular file"
	run timeout 20 "$QUIZ" --lint "$BATS_TEST_TMPDIR"
	assert_failure 1
	assert_output "$BATS_TEST_TMPDIR: is a directory"
	head -c 100000 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big.md"
	run timeout 20 "$QUIZ" --lint "$BATS_TEST_TMPDIR/big.md"
	assert_failure 1
	assert_output "$BATS_TEST_TMPDIR/big.md: larger than 65536 bytes"
	run timeout 20 "$QUIZ" --print "$fifo"
	assert_failure 1
	assert_output "cowlab-quiz: $fifo: not a regular file (cowlab-quiz --lint says more)"
}

@test "a quiz with no answers is refused, not asked forever" {
	good_quiz | sed '/^## Question Answers/,/^## Feedback/{/^[-+] /d}' >"$BATS_TEST_TMPDIR/q.md"
	run timeout 20 bash -c "yes a | COWLAB_SRCDIR='$FAKE' '$QUIZ' '$BATS_TEST_TMPDIR/q.md'"
	assert_failure 1
	assert_output --partial "fewer than two answers"
}

@test "a directory, a FIFO or /dev/zero as answers file: one line, exit 1" {
	good_quiz >"$BATS_TEST_TMPDIR/t.md"
	run --separate-stderr "$QUIZ" --check "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/t.md"
	assert_failure 1
	[ "$stderr" = "cowlab-quiz: $BATS_TEST_TMPDIR: is a directory" ] || fail "$stderr"
	run --separate-stderr timeout 20 "$QUIZ" --check /dev/zero "$BATS_TEST_TMPDIR/t.md"
	assert_failure 1
	[ "$stderr" = "cowlab-quiz: /dev/zero: not a regular file" ] || fail "$stderr"
	run --separate-stderr bash -c "head -c 1000000 /dev/zero | timeout 20 '$QUIZ' --check - '$BATS_TEST_TMPDIR/t.md'"
	assert_failure 1
	[ "$stderr" = "cowlab-quiz: standard input: larger than 65536 bytes" ] || fail "$stderr"
}

@test "terminal control characters in a quiz never reach the terminal" {
	good_quiz | sed $'s/^How many/How \e]0;pwned\a\e[2Jmany/; s/^# A test quiz/# A \e[31mtest/' >"$BATS_TEST_TMPDIR/q.md"
	for mode in --print --list ""; do
		run fake $mode "$BATS_TEST_TMPDIR/q.md" </dev/null
		assert_success
		refute_output --partial $'\e'
		refute_output --partial $'\a'
	done
}

# ------------------------------------------------------------ the linter
@test "the linter names each format error with its file and line" {
	local q=$BATS_TEST_TMPDIR/bad.md
	good_quiz | sed '/^- None/{N;s/\n$//}' >"$q"     # no blank line between two answers
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "$q: line 10: answers must be separated by a blank line"

	good_quiz | sed 's/^+ About K/- About K/' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "no correct answer"

	good_quiz | sed 's/^## Feedback/## Answer/' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "unknown section '## Answer'"

	good_quiz | sed '/^<!-- check/,/^-->/d' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "no check block"

	good_quiz | sed 's/^answer c:/answer f:/; s/^expect:/expected:/' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "'answer f': there is no answer f"
	assert_output --partial "unknown key 'expected'"
	assert_output --partial "no 'expect:' line"

	run_quiz | sed 's/^let: w = minor of .*/let: w = minor phase=wrote/' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "line 22: check: let 'w = minor phase=wrote' is not 'NAME = minor|major of KEY=VALUE...'"
	run_quiz | sed 's/STEP_SLACK/SLACK/' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output "$q: line 23: check: expect: unknown name 'SLACK' in 'w >= K && w <= K + SLACK'"

	run_quiz | sed 's/^let: w = .*/let: w = count \/(\//' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "let w: '(' is not an extended regular expression"
}

@test "the linter checks rows against the expectation table" {
	local q=$BATS_TEST_TMPDIR/q.md
	good_quiz | sed 's|^row: .*|row: fake-lab/nosuch|' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "row 'fake-lab/nosuch': no such row in support/fake-lab/expect.tsv"
	good_quiz | sed 's|^row: .*|row: demand-paging/wrote|' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "lab demand-paging has no expectation table (support/demand-paging/expect.tsv)"
	good_quiz | sed 's|^expect: .*|expect: touched_ok|' >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "expect: unknown name 'touched_ok'"
	good_quiz >"$q"
	run fake --lint "$q"
	assert_success
}

# ------------------------------------------------------------ --verify
@test "--verify with a row: the measured value and its bounds from the table; the marked answer holds" {
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	FAKE_MINOR=103 run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_success
	assert_output "1..1
ok 1 - q.md check 1: wrote=103 in [100, 116] (wrote_ok)"
	# The program got the scenario's arguments, substituted word by word.
	quiz_with_check <<'C' >"$BATS_TEST_TMPDIR/q.md"
row: fake-lab/wrote
let: args = count /^arg: (--pages|100|--of|400)$/
expect: wrote_ok && args == 4 && N == 400
C
	run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_success
}

@test "--verify fails when the kernel's count is outside the row's bounds" {
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	FAKE_MINOR=3 run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_line "not ok 1 - q.md check 1: the kernel says wrote=3 in [100, 116] but the marked answer claims: wrote_ok"
}

@test "--verify fails when a wrong answer is also true on this kernel" {
	good_quiz | sed 's/^expect: .*/expect: wrote >= K/' >"$BATS_TEST_TMPDIR/q.md"
	FAKE_MINOR=250 run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_output --partial "answer c is marked wrong but on this kernel (wrote=250 in [100, 116]) 'wrote >= 2 * K' is true"
}

@test "--verify with run: and set:, bounds over slack names" {
	run_quiz >"$BATS_TEST_TMPDIR/q.md"
	FAKE_MINOR=116 run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_success
	assert_line "ok 1 - q.md check 1: w=116 (w >= K && w <= K + STEP_SLACK)"
	FAKE_MINOR=117 run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
}

@test "--verify fails when the lab prints no matching result line, or fails" {
	run_quiz | sed 's/phase=wrote/phase=nosuch/' >"$BATS_TEST_TMPDIR/q.md"
	run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_output --partial "printed nothing for 'let: w = minor of phase=nosuch role=child'"
	sed -i 's/^exit 0/exit 3/' "$BIN/support/fake-lab/fake_lab"
	good_quiz >"$BATS_TEST_TMPDIR/q.md"
	run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_output --partial "'fake-lab --pages 100 --of 400' exited with status 3"
	rm "$BIN/support/fake-lab/fake_lab"
	run fake --verify "$BATS_TEST_TMPDIR/q.md"
	assert_failure 1
	assert_output --partial "lab program $BIN/support/fake-lab/fake_lab not built"
}

@test "--verify skips, with the reason, what the machine lacks (needs:, a row's or a scenario's requirement)" {
	local q=$BATS_TEST_TMPDIR/q.md
	# The stand-in tools/zero_page says the zero page is there.
	good_quiz | sed 's/^row:/needs: no-zero-page\nrow:/' >"$q"
	run fake --verify "$q"
	assert_success
	assert_line "ok 1 - q.md check 1 # SKIP this machine maps the shared zero page (or cannot tell: tools/zero_page)"
	good_quiz | sed 's/^row:/needs: zero-page\nrow:/' >"$q"
	run fake --verify "$q"
	assert_success
	assert_line --partial "ok 1 - q.md check 1: wrote=103"
	quiz_with_check <<'C' >"$q"
row: fake-lab/as-root
expect: as_root_ok
C
	run fake --verify "$q"
	assert_success
	if [ "$(id -u)" -eq 0 ]; then
		assert_line --partial "ok 1 - q.md check 1: as_root=103 in [100, 116]"
	else
		assert_line "ok 1 - q.md check 1 # SKIP scenario fake-lab/for-root: this machine lacks 'root'"
	fi
}

@test "--verify: file: creates a file of that size in a private directory, removed afterwards" {
	local q=$BATS_TEST_TMPDIR/q.md
	quiz_with_check <<'C' >"$q"
file: SRC 64K
file: DST
run: fake-lab $SRC $DST
let: size = number /^size: [0-9]+/
let: files = count /^size:/
expect: size == 65536 && files == 1
C
	mkdir "$BATS_TEST_TMPDIR/tmp"
	TMPDIR=$BATS_TEST_TMPDIR/tmp run fake --verify "$q"
	assert_success
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/tmp")" ] || fail "left behind: $(ls "$BATS_TEST_TMPDIR/tmp")"
	sed -i 's/^file: SRC 64K/file: SRC 2G/' "$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "file SRC: size '2G' is not a number of bytes with K or M (at most 256M)"
}

@test "--verify: file: in-memory puts the file on tmpfs (/dev/shm), removed afterwards; it cannot be dropped" {
	[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] || skip "no tmpfs at /dev/shm"
	local q=$BATS_TEST_TMPDIR/q.md before
	quiz_with_check <<'C' >"$q"
file: SRC 64K in-memory
file: DST in-memory
run: fake-lab $SRC $DST
let: size = number /^size: [0-9]+/
let: in_memory = count /^arg: \/dev\/shm\/cowlab-quiz\.[A-Za-z0-9]+\/(SRC|DST)$/
expect: size == 65536 && in_memory == 2
C
	before=$(ls /dev/shm | grep -c '^cowlab-quiz\.' || true)
	run fake --verify "$q"
	assert_success
	[ "$(ls /dev/shm | grep -c '^cowlab-quiz\.' || true)" = "$before" ] || fail "left behind in /dev/shm"
	printf '%s\n' 'file: SRC 64K in-memory' 'drop: SRC' 'run: fake-lab $SRC' 'expect: 1' |
		quiz_with_check >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "drop 'SRC': not a file created (with a size, not in memory)"
	printf '%s\n' 'file: SRC 64K on-disk' 'run: fake-lab $SRC' 'expect: 1' | quiz_with_check >"$q"
	run fake --lint "$q"
	assert_failure 1
	assert_output --partial "is not 'NAME [SIZE] [in-memory]'"
}

@test "usage errors exit 2 with one line" {
	run "$QUIZ" --bogus
	assert_failure 2
	assert_output "cowlab-quiz: unknown option '--bogus' (see --help)"
	run "$QUIZ" --check
	assert_failure 2
	run "$QUIZ" --check /nonexistent/answers
	assert_failure 1
	assert_output "cowlab-quiz: /nonexistent/answers: no such file"
	run "$QUIZ" --lab nosuchlab
	assert_failure 1
	assert_output --partial "nosuchlab: no such lab (the labs: "
	run "$QUIZ" nosuchquiz
	assert_failure 1
	assert_output --partial "no quiz 'nosuchquiz'"
	run "$QUIZ" --help
	assert_success
	assert_output --partial "--verify"
	assert_output --partial "--print"
}

@test "every option of --help is in the man page, and the other way round" {
	local opt
	for opt in $("$QUIZ" --help | grep -oE '^  (-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
		grep -q -- "\\\\-\\\\-${opt#--}" "$SRCDIR/tools/cowlab-quiz.1" || fail "$opt is not in cowlab-quiz.1"
	done
	for opt in $(grep -oE '^\.B[I]? \\-\\-[a-z-]+' "$SRCDIR/tools/cowlab-quiz.1" | sed 's/.*\\-\\-/--/'); do
		"$QUIZ" --help | grep -q -- "^  $opt\|, $opt" || fail "$opt of the man page is not in --help"
	done
}

@test "options may follow the quiz name, as a lab text's 'cowlab-quiz NAME (--print prints it)' reads; -- ends the options" {
	local first
	first=$(awk -F '\t' '!/^#/ && $5 != "-" { split($5, q, ","); print q[1]; exit }' "$SRCDIR/labs/registry.tsv")
	run "$QUIZ" --print "$first"
	assert_success
	local before=$output
	run "$QUIZ" "$first" --print
	assert_success
	assert_equal "$output" "$before"
	run "$QUIZ" "$first" --bogus
	assert_failure 2
	assert_output "cowlab-quiz: unknown option '--bogus' (see --help)"
	run "$QUIZ" --print -- --print
	assert_failure 1
	assert_output --partial "no quiz '--print'"
}
