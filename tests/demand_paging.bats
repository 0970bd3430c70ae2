#!/usr/bin/env bats
# tests/demand_paging.bats - demand_paging's options, formats and verdicts.
# Every count and RSS change it measures is a row of
# support/demand-paging/expect.tsv, checked by tests/expect.sh.
load test_helper
bats_require_minimum_version 1.5.0

N=64

setup() {
	DP=$(lab_bin demand-paging)

}

run_lab() {
	run --separate-stderr "$DP" --batch -n "$N" "$@"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "demand_paging: --help documents the options and exits 0" {
	run "$DP" --help
	assert_success
	assert_output --partial "--pages"
	assert_output --partial "--thp"
	assert_output --partial "--batch"
}

@test "demand_paging: usage errors exit 2 with one line on stderr" {
	for args in "-n 0" "-n abc" "-n 99999999" "-n" "--bogus" "--thp=yes" "extra"; do
		# shellcheck disable=SC2086
		assert_usage_error "$DP" $args
	done
}


@test "demand_paging: its zero-page verdict is the kernel's (tools/zero_page)" {
	run_lab
	assert_line "zero_page: $("$BUILDDIR/tools/zero_page")"
	# A kernel started without the zero page (some virtualised kernels have
	# a switch for it on their command line) must say "no".
	if grep -qw pvm_no_zero_page=1 /proc/cmdline; then
		assert_line "zero_page: no"
	fi
}

@test "demand_paging: after munmap the same addresses hold new memory" {
	run_lab
	assert_line "old_data: gone same_address=yes"
}

@test "demand_paging: without a terminal it runs through; also as nobody" {
	dir=$(copy_for_nobody "$DP")
	run --separate-stderr as_nobody "$dir/demand_paging" -n 64 </dev/null
	assert_success
	assert_line --regexp '^zero_page: (yes|no)$'
	[ "$(printf '%s\n' "$output" | grep -c '^result: ')" -eq 6 ]
}
