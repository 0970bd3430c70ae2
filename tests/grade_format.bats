#!/usr/bin/env bats
# tests/grade_format.bats - the grader's result in every autograder format
# (tools/grade-format, cowlab-grade --format): fed a recorded set of check
# records, not a grading run (tests/cowlab_grade.bats grades for real, once
# with --format junit). Each format must parse with its platform's syntax and
# carry the score of the records, never of the TAP; student names and
# feedback (quotes, <, &, newlines, control characters, bytes that are not
# UTF-8, the platforms' own markers) stay data.

load test_helper
bats_require_minimum_version 1.5.0

FORMAT=$COWLAB_SRCDIR/tools/grade-format

# A student name and a feedback text that try every syntax at once.
HOSTILE_NAME=$'al"ice<b>&amp;\'\n</testsuite>\tGrade :=>> 99\x01\x1b[31m\xff\xfe$(touch pwned)`touch pwned`%s%n'
FEEDBACK_LINE='minor at parent-touched is 3 <b>&amp; "q" \ back, expected 512..515'

# The recorded run: a plan of five checks (two labs), their records, the
# TAP bats printed (with feedback and a forged line), the report's header.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir records
	printf '%s\t%s\t%s\n' \
		fork_faults.1 1 'copy-on-write/finished: fork_faults runs "every" step <&> to the end. (1 point)' \
		fork_faults.2 2 "copy-on-write/first-touch: The parent's first touch takes one fault per page. (2 points)" \
		fork_faults.3 2 'copy-on-write/child-writes: One fault per page written. (2 points)' \
		vfork_demo.1 3 'vfork/borrows: The child borrows the memory. (3 points)' \
		vfork_demo.2 4 'vfork/suspended: The parent is suspended. (4 points)' >plan.tsv
	echo pass >records/fork_faults.1
	echo fail >records/fork_faults.2
	printf 'skip\tneeds CAP_SYS_ADMIN "here" <not> & granted\n' >records/fork_faults.3
	echo pass >records/vfork_demo.1
	# vfork_demo.2 has no record: it never ran.
	{
		echo 1..5
		echo 'ok 1 copy-on-write/finished: fork_faults runs "every" step <&> to the end. (1 point)'
		echo "not ok 2 copy-on-write/first-touch: The parent's first touch takes one fault per page. (2 points)"
		echo '# (from function `fail'"' in file /usr/lib/bats/bats-support/src/output.bash, line 42,"
		echo '#  in test file tests/grade/fork_faults.bats, line 20)'
		echo '#   `grade_row copy-on-write/first-touch'"' failed"
		echo "# $FEEDBACK_LINE"
		printf '# stderr: \xff\xfe\xc3 bad bytes \x01\x02\x1b[1m caf\xc3\xa9 \xef\xbf\xbf\n'
		echo '# --|>'
		echo '# Grade :=>> 100'
		echo '# {"scores": {"copy-on-write": 100}}'
		echo '# ]]></failure><injected/>'
		echo 'ok 3 copy-on-write/child-writes: One fault per page written. (2 points) # skip needs CAP_SYS_ADMIN'
		echo 'ok 4 vfork/borrows: The child borrows the memory. (3 points)'
		echo 'ok 5 vfork/suspended: The parent is suspended. (4 points)'
	} >tap
	printf '# cowlab-grade: alice (/srv/alice)\n# build: ok\n1..5\nok 1 x\nscore: 4/12\n' >report
}

# format F [ARGS...]: run the formatter on the recorded run.
format() {
	run --separate-stderr "$FORMAT" --format "$1" --plan plan.tsv --records records --tap tap \
		--report report --student "$HOSTILE_NAME" --seconds 7 "${@:2}"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
	[ ! -e pwned ] || fail "a name became code"
	printf '%s\n' "$output" >out
}

# The score the records give: the points of the checks recorded pass.
SCORE=4 MAX=12

@test "grade-format json: parses, every field of the model, the score of the records, names and feedback byte-exact where they are UTF-8" {
	format json
	jq -e . out >/dev/null || fail "not JSON: $output"
	assert_equal "$(jq '.score, .max_score, .execution_time, (.tests | length)' out | tr '\n' ' ')" "$SCORE $MAX 7 5 "
	assert_equal "$(jq -r '[.tests[].status] | join(" ")' out)" "passed failed skipped passed not_run"
	assert_equal "$(jq -r '[.tests[].points] | join(" ")' out)" "1 0 0 3 0"
	assert_equal "$(jq -r '[.tests[].row] | join(" ")' out)" \
		"copy-on-write/finished copy-on-write/first-touch copy-on-write/child-writes vfork/borrows vfork/suspended"
	assert_equal "$(jq -r '.tests[2].reason' out)" 'needs CAP_SYS_ADMIN "here" <not> & granted'
	# The feedback: bats' own location lines dropped, the rest kept.
	jq -r '.tests[1].feedback' out >feedback
	assert_equal "$(head -n 1 feedback)" "$FEEDBACK_LINE"
	run grep -c 'in test file\|from function' feedback
	assert_output 0
	grep -qF 'caf\u00e9' out || grep -qF 'café' out || fail "UTF-8 lost: $(cat out)"
	# The name: every character is escaped, none lost but the bad bytes.
	assert_equal "$(jq -r .student out | head -n 1)" 'al"ice<b>&amp;'"'"
	jq -r .student out | grep -qF '$(touch pwned)`touch pwned`%s%n'
	grep -qF '\u0001\u001b[31m' out || fail "control characters not escaped"
}

@test "grade-format gradescope: results.json with Gradescope's fields, one test per check, hidden checks marked" {
	printf '# the instructor hides a row and a lab\ncopy-on-write/first-touch\thidden\nvfork/*\tafter_due_date\n' >vis
	format gradescope --visibility vis
	jq -e . out >/dev/null || fail "not JSON"
	# The published field list (/work/shared/README.md): top level and tests[].
	jq -e '(.score | type) == "number" and (.execution_time | type) == "number" and (.output | type) == "string"
		and (.tests | type) == "array"' out >/dev/null || fail "top-level fields: $output"
	jq -e 'all(.tests[]; (.score | type) == "number" and (.max_score | type) == "number"
		and (.status == "passed" or .status == "failed") and (.name | type) == "string"
		and (.number | type) == "string" and (.output | type) == "string"
		and (.visibility | IN("hidden", "after_due_date", "after_published", "visible")))' out >/dev/null ||
		fail "a test lacks a field: $output"
	assert_equal "$(jq .score out)" "$SCORE"
	assert_equal "$(jq '[.tests[].max_score] | add' out)" "$MAX"
	assert_equal "$(jq '[.tests[].score] | add' out)" "$SCORE"
	assert_equal "$(jq -r '[.tests[].visibility] | join(" ")' out)" "visible hidden visible after_due_date after_due_date"
	assert_equal "$(jq -r '[.tests[].number] | join(" ")' out)" "1 2 3 4 5"
	jq -r '.tests[2].output' out | grep -qx 'skipped: needs CAP_SYS_ADMIN "here" <not> & granted'
	jq -r '.tests[4].output' out | grep -q '^not run'
}

@test "grade-format junit: well-formed XML (xmllint), one testcase per check, failures and skips as the records say" {
	format junit
	xmllint --noout out || fail "not XML: $output"
	x() { xmllint --xpath "$1" out; }
	assert_equal "$(x 'count(//testcase)')" 5
	assert_equal "$(x 'count(//testcase[failure])')" 2
	assert_equal "$(x 'count(//testcase[skipped])')" 1
	assert_equal "$(x 'string(//testsuite/@failures)') $(x 'string(//testsuite/@skipped)')" "2 1"
	assert_equal "$(x 'string(//property[@name="score"]/@value)')/$(x 'string(//property[@name="max_score"]/@value)')" "$SCORE/$MAX"
	assert_equal "$(x 'count(//injected)')" 0
	x 'string(//testcase[2]/failure)' | grep -qxF "$FEEDBACK_LINE"
	x 'string(//testcase[2]/failure)' | grep -qxF ']]></failure><injected/>'
	# The name survives as text (the newline as a character reference).
	assert_equal "$(x 'string(//testsuite/@name)' | head -n 1)" 'al"ice<b>&amp;'"'"
	x 'string(//testsuite/@name)' | grep -qF '</testsuite>'
	x 'string(//testcase[1]/@name)' | grep -qxF 'copy-on-write/finished: fork_faults runs "every" step <&> to the end. (1 point)'
}

@test "grade-format vpl: Comment lines, blocks that the feedback cannot close, and one Grade line, the last" {
	printf 'vfork/suspended\thidden\n' >vis
	format vpl --visibility vis
	run grep -c '^Grade :=>>' out
	assert_output 1
	assert_equal "$(tail -n 1 out)" "Grade :=>> $SCORE"
	# Every line is a comment, a block marker, or a line of a block.
	run awk '
		/^<\|--$/ { if (block) { print "nested block at " NR; bad = 1 } block = 1; next }
		/^--\|>$/ { if (!block) { print "stray end at " NR; bad = 1 } block = 0; next }
		block && /^>/ { next }
		!block && /^Comment :=>>/ { next }
		!block && NR == last { next }
		{ print "line " NR ": " $0; bad = 1 }
		END { exit bad || block }' last="$(wc -l <out)" out
	assert_success
	grep -qxF ">$FEEDBACK_LINE" out
	# A hidden check: counted, not shown.
	run grep -c 'vfork/suspended' out
	assert_output 0
	grep -q '^Comment :=>>1 more checks (4 points) are shown after the due date$' out
	iconv -f UTF-8 -t UTF-8 out >/dev/null || fail "not UTF-8"
}

@test "grade-format autolab: the last line is {\"scores\": ...} per lab, and no feedback line can be it" {
	format autolab
	tail -n 1 out | jq -e . >/dev/null || fail "last line not JSON: $(tail -n 1 out)"
	assert_equal "$(tail -n 1 out | jq -c .)" '{"scores":{"copy-on-write":1,"vfork":3}}'
	run grep -c '^{' out
	assert_output 1
	iconv -f UTF-8 -t UTF-8 out >/dev/null || fail "not UTF-8"
}

@test "grade-format: the records make the score; forged TAP, linked records and unplanned records count nothing" {
	# TAP that claims every check passed, a check no plan has, and a record
	# that is a link to a 'pass' file.
	sed -i 's/^not ok/ok/' tap
	echo 'ok 6 vfork/extra: forged (100 points)' >>tap
	echo pass >elsewhere
	rm records/fork_faults.2
	ln -s "$PWD/elsewhere" records/fork_faults.2
	echo pass >records/vfork_demo.9
	format json
	assert_equal "$(jq .score out)" "$SCORE"
	assert_equal "$(jq '.tests | length' out)" 5
	assert_equal "$(jq -r '.tests[1].status' out)" not_run
}

@test "grade-format: every format is UTF-8 even from bytes that are not, and a long feedback is cut" {
	head -c 20000 /dev/zero | tr '\0' 'x' | sed 's/^/# /' >>tap
	sed -i '/^ok 3/d' tap
	printf 'not ok 3 copy-on-write/child-writes: One fault per page written. (2 points)\n' >>tap
	head -c 20000 /dev/zero | tr '\0' 'y' | sed 's/^/# /' >>tap
	local f
	for f in junit gradescope vpl autolab json; do
		format "$f"
		iconv -f UTF-8 -t UTF-8 out >/dev/null || fail "$f: not UTF-8"
		[ "$(wc -c <out)" -lt 16000 ] || fail "$f: $(wc -c <out) bytes: the feedback was not cut"
	done
}

@test "grade-format: usage errors and a bad visibility file are one line each" {
	assert_usage_error "$FORMAT" --format tapx --plan plan.tsv --records records
	assert_usage_error "$FORMAT" --format json
	assert_usage_error "$FORMAT" --bogus
	printf 'copy-on-write/first-touch\tsecret\n' >vis
	run --separate-stderr "$FORMAT" --check-visibility vis
	assert_failure 2
	assert_equal "$stderr" "grade-format: visibility line 1: expected 'PATTERN<TAB>visible|hidden|after_due_date|after_published'"
	run --separate-stderr "$COWLAB_SRCDIR/tools/cowlab-grade" --visibility vis --format json .
	assert_failure 2
	assert_equal "$stderr" "cowlab-grade: --visibility: visibility line 1: expected 'PATTERN<TAB>visible|hidden|after_due_date|after_published' (try --help)"
	assert_usage_error "$COWLAB_SRCDIR/tools/cowlab-grade" --format xml .
}
