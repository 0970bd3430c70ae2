#!/usr/bin/env bats
# The copy-on-read lab (labs/copy-on-read.md): readers that update counts
# inside objects copy every page of objects; counts kept apart, only theirs
# (bounds: support/copy-on-read/expect.tsv). Here: the ratio the lab
# promises for its defaults, the objects: line, the options.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	COPY_ON_READ=$(lab_bin copy-on-read)
	PAGE=$(getconf PAGESIZE)
}

# minor PHASE: the minor faults of the result line of PHASE in $output.
minor() {
	printf '%s\n' "$output" | sed -n "s/^result: phase=$1 role=child .* minor=\([0-9]*\) .*/\1/p"
}

@test "copy_on_read: with the default parameters read-inline faults at least ten times read-separate" {
	run "$COPY_ON_READ" --batch
	assert_success
	local inline separate
	inline=$(minor read-inline)
	separate=$(minor read-separate)
	((separate > 0 && inline >= 10 * separate)) || fail "inline $inline, separate $separate"
}

@test "copy_on_read: the objects: line gives the pages of each layout" {
	run "$COPY_ON_READ" --batch -m 20000 -s 256
	assert_success
	assert_line "objects: count=20000 size=256 pages=$(((20000 * 256 + PAGE - 1) / PAGE)) counts_pages=$(((20000 * 8 + PAGE - 1) / PAGE))"
}

@test "copy_on_read: --help, and option errors in one line" {
	run "$COPY_ON_READ" --help
	assert_success
	assert_usage_error "$COPY_ON_READ" -s 8
	assert_usage_error "$COPY_ON_READ" -m x
}

@test "refcounts.py: a Python child that only reads the objects copies their pages; an idle child does not (with and without gc.freeze)" {
	command -v python3 >/dev/null || skip "python3 is not installed: the lab's Python step is optional"
	local objects=200000 size pages read idle freeze
	# One object's size as Python counts it (the objects are str(i)).
	size=$(python3 -c "import sys; print(sys.getsizeof(str($objects - 1)))")
	pages=$((objects * size / PAGE))
	for freeze in "" --freeze; do
		run python3 "$SRCDIR/support/copy-on-read/refcounts.py" -m "$objects" $freeze
		assert_success
		read=$(minor py-read)
		idle=$(minor py-idle)
		# The reads copy the pages the objects fill; the idle child's
		# start-up and exit are far below that.
		((read >= pages / 2)) || fail "py-read $read faults for $pages pages of objects ($freeze)"
		((idle < pages / 10)) || fail "py-idle $idle faults, pages of objects $pages ($freeze)"
	done
	run python3 "$SRCDIR/support/copy-on-read/refcounts.py" -m 0
	assert_failure 2
	assert_line --partial "between 1 and"
}
