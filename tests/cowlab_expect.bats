#!/usr/bin/env bats
# tests/cowlab_expect.bats - the reader of the expectation tables: every table
# is well-formed, the graded rows are the grader's points, bad tables and
# outputs are one-line errors, and nothing a table holds is ever run as code.
# (tests/expect.sh checks the rows themselves on the kernel.)

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	EXPECT=$SRCDIR/tools/cowlab-expect
}

# A source tree of our own: the registry and slack file of the kit, one
# table given on stdin for the lab copy-on-write.
fake_tree() {
	local dir=$BATS_TEST_TMPDIR/src
	mkdir -p "$dir/labs" "$dir/support/copy-on-write"
	grep -P '^(#|copy-on-write\t)' "$SRCDIR/labs/registry.tsv" >"$dir/labs/registry.tsv"
	cp "$SRCDIR/labs/slack.tsv" "$dir/labs/"
	cat >"$dir/support/copy-on-write/expect.tsv"
	echo "$dir"
}

@test "cowlab-expect lint: every table and the slack file are well-formed" {
	run "$EXPECT" lint
	assert_success
	assert_output "cowlab-expect: $(grep -vc '^#' "$SRCDIR/labs/registry.tsv") tables, format OK"
}

@test "cowlab-expect: row ids are lab/row, unique; every bound is a number; WHAT is a sentence (ends with a full stop)" {
	run "$EXPECT" rows
	assert_success
	[ -z "$(cut -f1 <<<"$output" | sort | uniq -d)" ]
	awk -F '\t' 'NF != 10 || $1 !~ /^[a-z0-9-]+\/[a-z0-9-]+$/ || $6 !~ /^-?[0-9]+$/ || $7 !~ /^-?[0-9]+$/ ||
		$10 !~ /^[^ ].* .*\.$/ { print "bad row: " $0; bad = 1 } END { exit bad }' <<<"$output"
}

@test "cowlab-expect graded: the grader's checks and their points (the grader's total), as ID TAB POINTS TAB NAME" {
	run "$EXPECT" graded
	assert_success
	awk -F '\t' 'NF != 3 || $2 !~ /^[1-9][0-9]*$/ { exit 1 }' <<<"$output"
	# the total is the tables' own: the sum of the graded rows' points is the
	# sum the graded bats files give (what cowlab-grade scores out of)
	assert_equal "$(awk -F '\t' '{ t += $2 } END { print t }' <<<"$output")" \
		"$(grep -ho '([0-9]* points*)" {' "$SRCDIR"/tests/grade/*.bats | tr -dc '0-9\n' | awk '{ t += $1 } END { print t }')"
	# Only graded labs have graded rows.
	local lab
	for lab in $(cut -d/ -f1 <<<"$output" | sort -u); do
		[ "$(awk -F '\t' -v id="$lab" '$1 == id { print $3 }' "$SRCDIR/labs/registry.tsv")" = yes ] ||
			fail "$lab has graded rows but is not graded in the registry"
	done
}

@test "cowlab-expect: the graded bats files hold exactly the graded rows: ID/ROW: WHAT (P points)" {
	local tests
	tests=$(sed -n 's/^@test "\([a-z0-9-]*\/[a-z0-9-]*\): \(.*\) (\([0-9]*\) points*)" {$/\1\t\3\t\2/p' \
		"$SRCDIR"/tests/grade/*.bats | sort)
	assert_equal "$tests" "$("$EXPECT" graded | sort)"
	# and every body is that row's check
	[ "$(grep -c '^@test' "$SRCDIR"/tests/grade/*.bats | awk -F: '{ n += $2 } END { print n }')" -eq \
		"$(grep -c '^	grade_row [a-z0-9-]*/[a-z0-9-]*$' "$SRCDIR"/tests/grade/*.bats | awk -F: '{ n += $2 } END { print n }')" ]
}

@test "cowlab-expect: no slack is defined outside labs/slack.tsv: no SLACK=NUMBER in the tests or tools" {
	run grep -rlE "(^|[[:space:]])[A-Za-z_]*(SLACK|slack)=[0-9]" "$SRCDIR/tests" "$SRCDIR/tools"
	assert_failure
}

@test "cowlab-expect: a bound is parsed, never run: unknown names and awk code are errors" {
	local src
	src=$(fake_tree <<EOF
scenario	base	N=4	--batch -n \$N	-
row	a	base	forked	parent	minor	0	system("touch $BATS_TEST_TMPDIR/pwned")	-	0	Bad.
row	b	base	forked	parent	minor	NOPE	1	-	0	Bad.
row	c	base	forked	parent	minor	2	1	-	0	Bad.
EOF
)
	run --separate-stderr "$EXPECT" --srcdir "$src" rows copy-on-write
	assert_failure
	[ ! -e "$BATS_TEST_TMPDIR/pwned" ]
	[[ $stderr == *"expect.tsv:2: row a: HIGH 'system(\"touch"* ]] || fail "$stderr"
	[[ $stderr == *"expect.tsv:3: row b: LOW 'NOPE': unknown name 'NOPE'"* ]] || fail "$stderr"
	[[ $stderr == *"expect.tsv:4: row c: LOW 2 is above HIGH 1"* ]] || fail "$stderr"
}

@test "cowlab-expect: malformed lines, ids, requirements, parameters and arguments are errors with their line" {
	local src
	src=$(fake_tree <<'EOF'
scenario	base	N=4	--batch -n $N $K	-
scenario	Bad_Name	N=x	-n	gpu
row	a	base	forked	parent	minor	0	1	-	0
row	a	nosuch	forked	parent	minor	0	1	-	x	Twice.
something	else
EOF
)
	run --separate-stderr "$EXPECT" --srcdir "$src" lint
	assert_failure
	[[ $stderr == *":1: scenario base: argument \$K names no parameter"* ]] || fail "$stderr"
	[[ $stderr == *":2: scenario name 'Bad_Name' is not lower-case words"* ]] || fail "$stderr"
	[[ $stderr == *":3: a row line has 11 fields, not 10"* ]] || fail "$stderr"
	[[ $stderr == *":4: row a: points 'x' is not a number"* ]] || fail "$stderr"
	[[ $stderr == *":5: a line is a comment, 'scenario', 'vary' or 'row', not 'something'"* ]] || fail "$stderr"
}

@test "cowlab-expect: arguments are substituted word by word and handed over as words" {
	local src
	src=$(fake_tree <<'EOF'
scenario	base	N=4 K=2	--batch -n $N -w $K x$N ;$(id)	-
row	a	base	forked	parent	minor	0	STRAY	-	0	Fine.
EOF
)
	run "$EXPECT" --srcdir "$src" scenario copy-on-write base
	assert_success
	assert_equal "$output" "$(printf '%s\n' --batch -n 4 -w 2 'x$N' ';$(id)')"
}

@test "cowlab-expect check-output: ok, not ok, skip, a missing line, the finished counter, kind.field lines" {
	local src out=$BATS_TEST_TMPDIR/out
	src=$(fake_tree <<'EOF'
scenario	base	N=10 K=4	--batch	-
row	done	base	-	-	finished	1	1	-	0	Fine.
row	touch	base	parent-touched	parent	minor	N	N + STRAY	-	0	Fine.
row	write	base	child-wrote	child	minor	K	K + STRAY	-	0	Fine.
row	read	base	child-read	child	minor	0	STRAY	-	0	Fine.
row	seen	base	shared	-	seen.changed	K	K	-	0	Fine.
row	big	base	child-wrote	child	minor	0	0	thp,no-such-need	0	Fine.
row	order	base	-	-	suspended	1	1	-	0	Fine.
EOF
)
	# The thp requirement spelled wrongly is caught by lint; here a valid one.
	sed -i 's/thp,no-such-need/root,no-zero-page,zero-page/' "$src/support/copy-on-write/expect.tsv"
	cat >"$out" <<'EOF'
result: phase=parent-touched role=parent pid=1 minor=10 major=0
result: phase=child-wrote role=child pid=2 minor=40 major=0
seen: mapping=shared changed=4 pages=10
EOF
	run "$EXPECT" --srcdir "$src" check-output copy-on-write base "$out" 0
	assert_success
	assert_line "$(printf 'not ok\tcopy-on-write/done\tfinished -/-: 0, expected 1..1')"
	assert_line "$(printf 'ok\tcopy-on-write/touch\tminor parent-touched/parent: 10 in 10..18')"
	assert_line "$(printf 'not ok\tcopy-on-write/write\tminor child-wrote/child: 40, expected 4..12')"
	assert_line "$(printf 'not ok\tcopy-on-write/read\tno minor for child-read/child in the output (exit status 0)')"
	assert_line "$(printf 'ok\tcopy-on-write/seen\tseen.changed shared/-: 4 in 4..4')"
	assert_line --regexp "^skip	copy-on-write/big	this machine lacks (root|no-zero-page|zero-page)$"
	assert_line "$(printf 'skip\tcopy-on-write/order\tsuspended is measured by the grade harness only (tests/grade)')"
}

@test "cowlab-expect: usage errors exit 2 with one line; a wrong lab lists the labs" {
	assert_usage_error "$EXPECT"
	assert_usage_error "$EXPECT" --bogus rows
	assert_usage_error "$EXPECT" frobnicate
	assert_usage_error "$EXPECT" rows fork_faults
	[[ $stderr == *"fork_faults: no such lab (the labs: demand-paging copy-on-write "* ]] || fail "$stderr"
	assert_usage_error "$EXPECT" rows copy-on-write/no-such-row
	assert_usage_error "$EXPECT" check-output copy-on-write base /dev/null x
}

@test "cowlab-expect run: one row by its id runs its scenario and checks only that row" {
	run "$EXPECT" --srcdir "$SRCDIR" --bindir "$BUILDDIR" run copy-on-write/child-writes
	assert_success
	assert_line "1..1"
	assert_line --regexp "^ok 1 - copy-on-write/child-writes: .* \(minor child-wrote/child: [0-9]+ in [0-9]+\.\.[0-9]+\)$"
}
