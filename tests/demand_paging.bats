#!/usr/bin/env bats
# tests/demand_paging.bats - every claim of labs/demand-paging.md, measured
# on the running kernel. Bounds come from N (pages per buffer):
#   SLACK  faults a step may take beyond its pages: libc and stack pages
#          touched for the first time (0-3 seen; 8 leaves room).
# The measured loops are not sanitized (LAB_NOT_SANITIZED in cowlab.h), so
# the bounds are the same in the sanitizer build.
load test_helper
bats_require_minimum_version 1.5.0

N=2048
SLACK=8

setup() {
	DP=$(lab_bin demand-paging)
	PAGE_KB=$(($(getconf PAGESIZE) / 1024))
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


@test "demand_paging: mmap alone costs no fault and no RSS, only address space" {
	run_lab
	[ "$(lab_field result mapped minor)" -le "$SLACK" ]
	[ "$(lab_field memory mapped rss_delta_kb)" -le $((SLACK * PAGE_KB)) ]
	[ "$(lab_field memory mapped vsz_delta_kb)" -ge $((N * PAGE_KB)) ]
}

@test "demand_paging: the first write faults once per page and RSS grows by N pages" {
	run_lab
	minor=$(lab_field result wrote minor)
	rss=$(lab_field memory wrote rss_delta_kb)
	[ "$minor" -ge "$N" ] || fail "wrote: $minor faults for $N pages"
	[ "$minor" -le $((N + SLACK)) ] || fail "wrote: $minor faults for $N pages"
	[ "$rss" -ge $((N * PAGE_KB)) ] || fail "wrote: RSS +$rss KiB"
	[ "$rss" -le $(((N + SLACK) * PAGE_KB)) ] || fail "wrote: RSS +$rss KiB"
	# demand-zero faults are minor: no disk anywhere in this lab
	for phase in mapped wrote read-untouched wrote-after-read unmapped retouched; do
		[ "$(lab_field result "$phase" major)" -eq 0 ] || fail "$phase: major faults"
	done
}

@test "demand_paging: its zero-page verdict matches the RSS it measured" {
	run_lab
	verdict=$(printf '%s\n' "$output" | sed -n 's/^zero_page: //p')
	read_minor=$(lab_field result read-untouched minor)
	rss=$(lab_field memory read-untouched rss_delta_kb)
	rewrite=$(lab_field result wrote-after-read minor)
	# Either way, each read of an untouched page faults once.
	[ "$read_minor" -ge "$N" ] && [ "$read_minor" -le $((N + SLACK)) ] ||
		fail "read-untouched: $read_minor faults for $N pages"
	case $verdict in
	yes)	# zero page: no frame per read; each later write copies it
		[ "$rss" -lt $((N * PAGE_KB / 2)) ] || fail "says zero page, but RSS +$rss KiB"
		[ "$rewrite" -ge "$N" ] || fail "says zero page, but the rewrite took $rewrite faults"
		;;
	no)	# no zero page: a frame per read, already writable
		[ "$rss" -ge $((N * PAGE_KB)) ] || fail "says no zero page, but RSS +$rss KiB"
		[ "$rewrite" -le "$SLACK" ] || fail "says no zero page, but the rewrite took $rewrite faults"
		;;
	*)	fail "no zero_page verdict: '$verdict'" ;;
	esac
	# Both kinds of kernel exist, so both verdicts are accepted above; a
	# kernel started without the zero page (some virtualised kernels have
	# a switch for it on their command line) must say "no".
	if grep -qw pvm_no_zero_page=1 /proc/cmdline; then
		[ "$verdict" = no ]
	fi
}

@test "demand_paging: munmap frees the frames; the same addresses fault again" {
	run_lab
	[ "$(lab_field result unmapped minor)" -le "$SLACK" ]
	[ "$(lab_field memory unmapped rss_delta_kb)" -le $((-(N - SLACK) * PAGE_KB)) ]
	[ "$(lab_field memory unmapped vsz_delta_kb)" -le $((-N * PAGE_KB)) ]
	minor=$(lab_field result retouched minor)
	[ "$minor" -ge "$N" ] && [ "$minor" -le $((N + SLACK)) ] ||
		fail "retouched: $minor faults for $N pages"
	assert_line "old_data: gone same_address=yes"
}

@test "demand_paging: --thp takes about one fault per 2 MiB (first touch, re-touch, read of the huge zero page)" {
	case $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) in
	*"[always]"* | *"[madvise]"*) ;;
	*) skip "transparent huge pages are not available here" ;;
	esac
	run_lab --thp
	huge=$((N * PAGE_KB / 2048))	# 2 MiB huge pages in the buffer
	minor=$(lab_field result wrote minor)
	[ "$minor" -ge "$huge" ] || fail "--thp: $minor faults for $huge huge pages"
	[ "$minor" -le $((huge + SLACK)) ] || fail "--thp: $minor faults for $huge huge pages"
	[ "$(lab_field memory wrote rss_delta_kb)" -ge $((N * PAGE_KB)) ]
	# Step 6, the same on fresh memory at the same addresses.
	minor=$(lab_field result retouched minor)
	[ "$minor" -ge "$huge" ] || fail "--thp retouched: $minor faults for $huge huge pages"
	[ "$minor" -le $((huge + SLACK)) ] || fail "--thp retouched: $minor faults for $huge huge pages"
	# Step 3: a read maps the huge zero page, where there is one: one
	# fault per 2 MiB and no RSS. Step 4: one fault per huge page at least
	# (a new huge page each), at most one per 4 KiB page (split mappings).
	if [ "$(cat /sys/kernel/mm/transparent_hugepage/use_zero_page 2>/dev/null)" = 1 ]; then
		minor=$(lab_field result read-untouched minor)
		[ "$minor" -ge "$huge" ] || fail "--thp read: $minor faults for $huge huge pages"
		[ "$minor" -le $((huge + SLACK)) ] || fail "--thp read: $minor faults for $huge huge pages"
		[ "$(lab_field memory read-untouched rss_delta_kb)" -lt $((N * PAGE_KB / 2)) ] ||
			fail "--thp read: RSS grew by $(lab_field memory read-untouched rss_delta_kb) KiB"
		minor=$(lab_field result wrote-after-read minor)
		[ "$minor" -ge "$huge" ] || fail "--thp write after read: $minor faults"
		[ "$minor" -le $((N + SLACK)) ] || fail "--thp write after read: $minor faults"
	fi
}

@test "demand_paging: without a terminal it runs through; also as nobody" {
	dir=$(copy_for_nobody "$DP")
	run --separate-stderr as_nobody "$dir/demand_paging" -n 64 </dev/null
	assert_success
	assert_line --regexp '^zero_page: (yes|no)$'
	[ "$(printf '%s\n' "$output" | grep -c '^result: ')" -eq 6 ]
}
