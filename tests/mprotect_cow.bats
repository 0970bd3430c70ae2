#!/usr/bin/env bats
# tests/mprotect_cow.bats - mprotect_cow's options and formats, and the
# facts its lines state that are not a single count (which page, the size
# of the VMAs). Every fault count, VMA count, refusal and copy it measures
# is a row of support/mprotect-cow/expect.tsv, checked by tests/expect.sh.
load test_helper
bats_require_minimum_version 1.5.0

N=256
K=100

setup() {
	MPC=$(lab_bin mprotect-cow)
	PAGE=$(getconf PAGESIZE)
}

run_lab() {
	run --separate-stderr "$MPC" --batch -n "$N" -w "$K" "$@"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

# Pages covered by the buffer's VMAs at a phase (from its "vmas:" line).
vma_pages() {
	local from to
	from=$(lab_field vmas "$1" from)
	to=$(lab_field vmas "$1" to)
	echo $(((0x$to - 0x$from) / PAGE))
}

@test "mprotect_cow: --help documents the options and exits 0" {
	run "$MPC" --help
	assert_success
	assert_output --partial "--pages"
	assert_output --partial "--write"
}

@test "mprotect_cow: usage errors exit 2 with one line on stderr" {
	for args in "-n 3" "-n x" "-w 0" "-n 8 -w 9" "-w" "--bogus" "extra"; do
		# shellcheck disable=SC2086
		assert_usage_error "$MPC" $args
	done
}


@test "mprotect_cow: a partial mprotect splits the VMA in three; restoring merges it back" {
	run_lab
	[ "$(vma_pages parent-wrote)" -eq "$N" ]
	[ "$(vma_pages child-protected)" -eq "$N" ]
	# the middle one, and only it, is read-only
	[ "$(printf '%s\n' "$output" | grep -c '^    maps: .* r--p ')" -eq 1 ]
	[ "$(vma_pages child-unprotected)" -eq "$N" ]
}

@test "mprotect_cow: the write to the read-only part is a caught SIGSEGV that copies nothing" {
	run_lab
	assert_line "signal: phase=child-write-refused refused=yes code=SEGV_ACCERR page=$((N / 4))"
	assert_line "copy: phase=child-write-refused page=$((N / 4)) own=no"
}

@test "mprotect_cow: writable again, the child's writes are copy-on-write faults" {
	run_lab
	# the page whose write was refused before is the child's own copy now
	assert_line "copy: phase=child-wrote page=$((N / 4)) own=yes"
}

@test "mprotect_cow: the child's munmap shrinks only its own VMA" {
	run_lab
	[ "$(vma_pages child-unmapped)" -eq $((N / 2)) ]
	assert_line "signal: phase=child-read-unmapped refused=yes code=SEGV_MAPERR page=$((N / 2))"
	[ "$(vma_pages parent-end)" -eq "$N" ]
}

@test "mprotect_cow: the parent's pages are all there, unchanged, read without a fault" {
	run_lab
	assert_line "intact: pages=$N intact=$N"
}

@test "mprotect_cow: other sizes too, and no terminal means batch" {
	run --separate-stderr "$MPC" -n 4 -w 4 </dev/null
	assert_success
	assert_line "intact: pages=4 intact=4"
	assert_line "signal: phase=child-write-refused refused=yes code=SEGV_ACCERR page=1"
}
