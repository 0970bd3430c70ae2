#!/usr/bin/env bats
# tools/bench-grade (make bench-grade): its usage. The benchmark itself
# grades trees for minutes, as root: it is run by hand, not here.
load test_helper
bats_require_minimum_version 1.5.0

@test "bench-grade: --help, and usage errors in one line with exit status 2" {
	run "$SRCDIR/tools/bench-grade" --help
	assert_success
	assert_line --partial "Usage: bench-grade"
	local bad
	for bad in "--students 0" "--students x" "--students" "--trees" "--trees foo" "--trees reference,," "--bogus" "-o"; do
		run --separate-stderr "$SRCDIR/tools/bench-grade" $bad
		assert_failure 2
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$bad: $stderr"
		[[ $stderr == "bench-grade: "* ]] || fail "$bad: $stderr"
	done
}

@test "bench-grade: as a normal user it refuses in one line and measures nothing" {
	[ "$(id -u)" -eq 0 ] || skip "runs as root, to become nobody"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		bash "$SRCDIR/tools/bench-grade" -o "$BATS_TEST_TMPDIR/out.tsv"
	assert_failure 1
	[[ $stderr == *"needs root"* ]] || fail "$stderr"
	[ ! -e "$BATS_TEST_TMPDIR/out.tsv" ]
}
