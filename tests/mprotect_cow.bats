#!/usr/bin/env bats
# tests/mprotect_cow.bats - every claim of labs/mprotect-cow.md, measured on
# the running kernel. Bounds come from N (buffer pages) and K (pages the
# child writes):
#   SLACK  faults a step may take beyond its pages: libc and stack pages
#          touched for the first time, the signal frame (0-6 seen; 8 leaves room);
#   SIGNAL_SLACK  the same for a step that takes a signal: SLACK, but three
#          times that in the sanitizer build, whose runtime lies on the signal
#          path (its siglongjmp unpoisons the stack's shadow: 6-10 seen).
# The measured loops are not sanitized (LAB_NOT_SANITIZED in cowlab.h).
# Whether a page was copied is read from pagemap (the 'copy:' lines), not
# guessed from fault counts.
load test_helper
bats_require_minimum_version 1.5.0

N=256
K=100
SLACK=8

setup() {
	MPC=$(lab_bin mprotect-cow)
	PAGE=$(getconf PAGESIZE)
	SIGNAL_SLACK=$SLACK
	if is_sanitized "$MPC"; then SIGNAL_SLACK=$((3 * SLACK)); fi
}

run_lab() {
	run --separate-stderr "$MPC" --batch -n "$N" -w "$K" "$@"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

in_range() {
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ] || fail "$4: $1 not in [$2, $3]"
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
	[ "$(lab_field vmas parent-wrote count)" -eq 1 ]
	[ "$(vma_pages parent-wrote)" -eq "$N" ]
	[ "$(lab_field vmas child-forked count)" -eq 1 ]
	[ "$(lab_field vmas child-protected count)" -eq 3 ]
	[ "$(vma_pages child-protected)" -eq "$N" ]
	# the middle one, and only it, is read-only
	[ "$(printf '%s\n' "$output" | grep -c '^    maps: .* r--p ')" -eq 1 ]
	[ "$(lab_field vmas child-unprotected count)" -eq 1 ]
	[ "$(vma_pages child-unprotected)" -eq "$N" ]
}

@test "mprotect_cow: the write to the read-only part is a caught SIGSEGV that copies nothing" {
	run_lab
	assert_line "signal: phase=child-write-refused refused=yes code=SEGV_ACCERR page=$((N / 4))"
	in_range "$(lab_field result child-protected minor)" 0 "$SLACK" child-protected
	in_range "$(lab_field result child-write-refused minor)" 0 "$SIGNAL_SLACK" child-write-refused
	assert_line "copy: phase=child-write-refused page=$((N / 4)) own=no"
}

@test "mprotect_cow: writable again, the child's writes are copy-on-write faults" {
	run_lab
	in_range "$(lab_field result parent-wrote minor)" "$N" $((N + SLACK)) parent-wrote
	in_range "$(lab_field result child-wrote minor)" "$K" $((K + SLACK)) child-wrote
	# the page whose write was refused before is the child's own copy now
	assert_line "copy: phase=child-wrote page=$((N / 4)) own=yes"
}

@test "mprotect_cow: the child's munmap shrinks only its own VMA" {
	run_lab
	[ "$(lab_field vmas child-unmapped count)" -eq 1 ]
	[ "$(vma_pages child-unmapped)" -eq $((N / 2)) ]
	in_range "$(lab_field result child-unmapped minor)" 0 "$SLACK" child-unmapped
	assert_line "signal: phase=child-read-unmapped refused=yes code=SEGV_MAPERR page=$((N / 2))"
	[ "$(lab_field vmas parent-end count)" -eq 1 ]
	[ "$(vma_pages parent-end)" -eq "$N" ]
}

@test "mprotect_cow: the parent's pages are all there, unchanged, read without a fault" {
	run_lab
	assert_line "intact: pages=$N intact=$N"
	in_range "$(lab_field result parent-read minor)" 0 "$SLACK" parent-read
}

@test "mprotect_cow: other sizes too, and no terminal means batch" {
	run --separate-stderr "$MPC" -n 4 -w 4 </dev/null
	assert_success
	assert_line "intact: pages=4 intact=4"
	assert_line "signal: phase=child-write-refused refused=yes code=SEGV_ACCERR page=1"
}
