#!/usr/bin/env bats
# fork_faults: the copy-on-write lab, checked against the running kernel:
# its formats, options, terminal use, and the same counts through other
# channels (cowsample, smaps, another user). The fault count of every step
# is a row of support/copy-on-write/expect.tsv, checked by tests/expect.sh;
# slacks are those of labs/slack.tsv.

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	LAB=$(lab_bin copy-on-write)
	[ -x "$LAB" ] || fail "lab program not built: $LAB"
}

# Run the lab in batch mode (stdin is not a terminal) with these arguments.
run_lab() {
	run "$LAB" --batch "$@" </dev/null
	assert_success
}

# The minor faults of one step, from its "result:" line in $output; fails
# unless there is exactly one such line for PHASE and ROLE.
minor_once() {
	[ "$(grep -c "^result: phase=$1 role=$2 pid=[0-9]* minor=[0-9]* major=[0-9]*$" <<<"$output")" -eq 1 ] ||
		fail "expected one result line for $1/$2 in: $output"
	lab_field result "$1" minor "$2"
}

thp_mode() {
	sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
}

@test "fork_faults: every step prints one result line, parent and child PIDs differ" {
	run_lab -n 64
	local phase parent child
	for phase in allocated parent-touched forked child-exited parent-rewrote; do
		minor_once "$phase" parent >/dev/null
	done
	for phase in child-read child-wrote; do
		minor_once "$phase" child >/dev/null
	done
	parent=$(sed -n 's/^result: .* role=parent pid=\([0-9]*\) .*/\1/p' <<<"$output" | sort -u)
	child=$(sed -n 's/^result: .* role=child pid=\([0-9]*\) .*/\1/p' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$parent")" -eq 1 ] || fail "several parent PIDs: $parent"
	[ "$(wc -l <<<"$child")" -eq 1 ] || fail "several child PIDs: $child"
	[ "$parent" != "$child" ]
	assert_output --partial "ps -o pid,ppid,min_flt,maj_flt,cmd -p $parent,$child"
	# The child was reaped: it is gone when the lab ends.
	run kill -0 "$child"
	assert_failure
}

@test "fork_faults: says how it chose the page size and what the child's read shows" {
	run_lab -n 64
	assert_output --partial "transparent huge pages: machine mode '$(thp_mode)'"
	assert_output --partial "MADV_NOHUGEPAGE"
	assert_output --partial "zero page"
	assert_output --partial "reuse"
}

# Skip unless the kernel gives huge pages to a buffer that asks for them.
require_thp() {
	case "$(thp_mode)" in
	always|madvise) ;;
	*) skip "transparent huge pages are '$(thp_mode)' here (need always or madvise)" ;;
	esac
}

# 4 KiB pages per huge page (512 on x86-64).
pages_per_huge_page() {
	echo $(($(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size) / $(getconf PAGESIZE)))
}

@test "fork_faults --thp: asks for huge pages and explains the spurious faults of the rewrite" {
	require_thp
	run_lab -n 2048 -w 1024 --thp
	assert_output --partial "MADV_HUGEPAGE"
	assert_output --partial "spurious"
}

# The state of process PID (R, S, T, Z, ...), empty when it is gone.
proc_state() {
	awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || true
}

# AnonHugePages (KiB) of the mappings of PID that asked for huge pages
# (madvise(MADV_HUGEPAGE): "hg" in their VmFlags): the lab's buffer.
madvised_thp_kb() {
	awk '/^AnonHugePages:/ { kb = $2 } /^VmFlags:/ { if (/ hg( |$)/) sum += kb }
		END { print sum + 0 }' "/proc/$1/smaps"
}

# The lab stops itself at each mark with COWLAB_MARK_SYNC=1 (the mark
# descriptor must be a pipe, as cowsample's: cat copies it to a file): read
# the parent's smaps while it is stopped at parent-touched and at parent-rewrote.
@test "fork_faults --thp: only the child's written huge pages are split, the parent's never; the rewrite faults at least once per huge page" {
	require_thp
	local n=2048 k=1024 per_huge out=$BATS_TEST_TMPDIR/out marks=$BATS_TEST_TMPDIR/marks
	local pid p line touched_kb="" rewrote_kb="" child_read_kb="" child_wrote_kb=""
	local deadline=$((SECONDS + 60))
	local -A marks_seen=()
	per_huge=$(pages_per_huge_page)
	COWLAB_MARK_FD=9 COWLAB_MARK_SYNC=1 "$LAB" --batch --thp -n $n -w $k </dev/null >"$out" 9> >(cat >"$marks") &
	pid=$!
	while [ -d "/proc/$pid" ] && [ "$(proc_state "$pid")" != Z ]; do
		[ $SECONDS -lt $deadline ] || fail "the lab did not finish: $(cat "$out")"
		for p in $pid $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
			[ "$(proc_state "$p")" = T ] || continue
			# Stopped at its latest mark, which cat may not have copied
			# into the file yet: wait for a mark of P not seen before.
			until [ "$(grep -c "^$p " "$marks")" -gt "${marks_seen[$p]:-0}" ]; do
				[ $SECONDS -lt $deadline ] || fail "process $p stopped with no new mark: $(cat "$marks")"
				sleep 0.01
			done
			marks_seen[$p]=$(grep -c "^$p " "$marks")
			line=$(grep "^$p " "$marks" | tail -n 1)
			case $line in
			"$pid parent-touched") touched_kb=$(madvised_thp_kb "$pid") ;;
			"$pid parent-rewrote") rewrote_kb=$(madvised_thp_kb "$pid") ;;
			"$p child-read") [ "$p" = "$pid" ] || child_read_kb=$(madvised_thp_kb "$p") ;;
			"$p child-wrote") [ "$p" = "$pid" ] || child_wrote_kb=$(madvised_thp_kb "$p") ;;
			esac
			kill -CONT "$p"
		done
		sleep 0.01
	done
	wait "$pid"
	[ -n "$touched_kb" ] || fail "never saw the parent stopped at parent-touched"
	[ -n "$rewrote_kb" ] || fail "never saw the parent stopped at parent-rewrote"
	[ "$touched_kb" -gt 0 ] || skip "the kernel gave this run no huge page (memory too fragmented?)"
	# Not split: the parent maps every huge page of its first touch (or
	# more: khugepaged may collapse the rest of a madvised range meanwhile).
	[ "$rewrote_kb" -ge "$touched_kb" ] ||
		fail "the parent's huge pages went from $touched_kb KiB at parent-touched to $rewrote_kb KiB at parent-rewrote"
	# The child's writes split the child's own mappings of the huge pages
	# it wrote into (the first K pages: K / per_huge huge pages, K being a
	# multiple of it here), and no other.
	[ -n "$child_read_kb" ] || fail "never saw the child stopped at child-read"
	[ -n "$child_wrote_kb" ] || fail "never saw the child stopped at child-wrote"
	assert_equal "$child_read_kb" "$touched_kb"
	assert_equal $((child_read_kb - child_wrote_kb)) \
		$((k / per_huge * per_huge * $(getconf PAGESIZE) / 1024))
	# Units the first touch mapped: huge pages, and 4 KiB pages for the rest.
	local huge=$((touched_kb * 1024 / $(getconf PAGESIZE) / per_huge)) units
	units=$((huge + n - huge * per_huge))
	output=$(cat "$out")
	assert_between "$(lab_field result parent-touched minor parent)" $units $((units + $(slack STRAY))) "first touch: $huge huge pages"
	assert_between "$(lab_field result parent-rewrote minor parent)" $units $((n + $(slack STRAY))) "rewrite of $huge huge pages"
}

# A lab writes its marks only into the pipe it was given (checked once, at
# start, in support/cowlab.h): a mark descriptor that is a regular file, as
# when fd 4 was closed and a lab opened a file of its own there, is ignored.
@test "fork_faults: marks go into a pipe, never into a file that holds the mark descriptor" {
	local file=$BATS_TEST_TMPDIR/file
	echo keep >"$file"
	COWLAB_MARK_FD=4 run "$LAB" --batch -n 16 4>>"$file" </dev/null
	assert_success
	assert_equal "$(cat "$file")" keep
	run bash -c "COWLAB_MARK_FD=4 '$LAB' --batch -n 16 4>&1 >/dev/null </dev/null | cut -d' ' -f2"
	assert_success
	assert_line parent-touched
	assert_line parent-rewrote
}

@test "fork_faults --help: usage on stdout, exit 0" {
	run "$LAB" --help
	assert_success
	assert_line --partial "Usage: fork_faults"
	assert_output --partial "--thp"
	assert_output --partial "--batch"
	assert_output --partial "-n, --pages"
	assert_output --partial "-w, --write"
}

@test "fork_faults: bad arguments exit 2 with one line on stderr and nothing else" {
	local args
	for args in "-n 0" "-n abc" "-n 12x" "-n" "-w 11 -n 10" "-w -1" "--bogus" \
		"-x" "--thp=yes" "extra" "-n 99999999999999999999"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$LAB" $args </dev/null
		[ "$status" -eq 2 ] || fail "'$args': exit status $status, expected 2"
		[ -z "$output" ] || fail "'$args': printed on stdout: $output"
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "'$args': ${#stderr_lines[@]} lines on stderr: $stderr"
		[[ "$stderr" == "fork_faults: "* ]] || fail "'$args': stderr is '$stderr'"
	done
}

@test "fork_faults: runs through without --batch when stdin is not a terminal" {
	run "$LAB" -n 32 </dev/null
	assert_success
	assert_output --partial "mode: batch"
	refute_output --partial "press Enter"
	assert_line --partial "result: phase=parent-rewrote role=parent"
	# Same from a pipe that never sends anything.
	run bash -c "sleep 0 | '$LAB' -n 32"
	assert_success
	assert_output --partial "mode: batch"
}

# The lab stops itself (SIGSTOP) at each mark when COWLAB_MARK_SYNC=1. With
# nobody tracing it, that is an ordinary stop: we can kill the parent right
# after the fork and check that the child does not stay behind.
@test "fork_faults: the child never outlives a parent that was killed" {
	local out=$BATS_TEST_TMPDIR/out pid child="" deadline
	COWLAB_MARK_FD=9 COWLAB_MARK_SYNC=1 "$LAB" --batch -n 16 </dev/null >"$out" 9> >(cat >/dev/null) &
	pid=$!
	deadline=$((SECONDS + 20))
	# Let it go from mark to mark until it has forked.
	while [ -z "$child" ]; do
		[ $SECONDS -lt $deadline ] || fail "the lab never forked"
		if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ]; then
			child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | tr -d ' ')
			[ -n "$child" ] || kill -CONT "$pid"
		fi
		sleep 0.02
	done
	kill -KILL "$pid"
	wait "$pid" || true
	# The child reads end-of-file from the dead parent's pipe and exits
	# (it may linger as a zombie until init reaps it).
	while [ -d "/proc/$child" ] && [ "$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null)" != Z ]; do
		[ $SECONDS -lt $deadline ] || fail "child $child still alive after its parent died"
		# A child stopped at its own mark would never read the pipe.
		kill -CONT "$child" 2>/dev/null || true
		sleep 0.05
	done
}

# The same run seen two ways: the lab's own getrusage() windows and
# cowsample's /proc/PID/stat readings at the lab's phase marks (taken while
# the lab is stopped at the mark). cowsample counts a phase from the previous
# mark of the same process, so it also sees what the lab does between two
# steps outside its own window: printing the previous step's text, whose
# first writes after fork are copy-on-write faults too. GAP bounds that.
@test "fork_faults under cowsample: mark rows agree with the lab's result lines" {
	local n=1200 k=400 gap tsv=$BATS_TEST_TMPDIR/run.tsv out=$BATS_TEST_TMPDIR/out
	gap=$(slack SAMPLER_GAP)
	run "$COWSAMPLE" -o "$tsv" -- $(traced_env) "$LAB" --batch -n $n -w $k </dev/null
	assert_success
	local lab_output=$output
	# phase pid min_flt-since-previous-mark-of-that-pid, from the mark rows.
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["event"] == "mark" {
			pid = $col["pid"]; flt = $col["min_flt"]
			if (pid in last) print $col["phase"], pid, flt - last[pid]
			last[pid] = flt
		}' "$tsv" >"$out"
	local phase role pid delta mine checked=0
	for phase in parent-touched forked child-read child-wrote child-exited parent-rewrote; do
		output=$lab_output
		role=parent
		[[ $phase == child-* && $phase != child-exited ]] && role=child
		mine=$(minor_once "$phase" $role)
		pid=$(sed -n "s/^result: phase=$phase role=$role pid=\([0-9]*\) .*/\1/p" <<<"$lab_output")
		delta=$(awk -v p="$phase" '$1 == p { print $3 }' "$out")
		[ -n "$delta" ] || fail "no mark row for $phase in $(cat "$tsv")"
		[ "$(awk -v p="$phase" '$1 == p { print $2 }' "$out")" = "$pid" ] ||
			fail "$phase: mark row is not for pid $pid"
		assert_between "$delta" "$mine" $((mine + gap)) "cowsample's count for $phase (lab: $mine)"
		checked=$((checked + 1))
	done
	[ $checked -eq 6 ]
	# The child's final counters: cowsample's exit row and the parent's wait4
	# are the kernel's same number, exactly.
	local child waited exit_row
	child=$(sed -n 's/^result: phase=child-read role=child pid=\([0-9]*\) .*/\1/p' <<<"$lab_output")
	waited=$(grep -A1 "^Child $child exited" <<<"$lab_output" | sed -n 's/^  min_flt=\([0-9]*\) .*/\1/p')
	exit_row=$(awk -F'\t' -v pid="$child" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["pid"] == pid && $col["event"] == "exit" { print $col["min_flt"] }' "$tsv")
	[ -n "$waited" ] && [ -n "$exit_row" ] || fail "no wait4 line or no exit row for child $child"
	[ "$waited" -eq "$exit_row" ] || fail "child $child: wait4 says $waited, cowsample's exit row $exit_row"
}

# tmux server of the interactive test, stopped whatever happens.
teardown() {
	if [ -n "${TMUX_SOCK:-}" ]; then
		tmux -S "$TMUX_SOCK" -f /dev/null kill-server 2>/dev/null || true
	fi
}

# Wait until FILE holds at least COUNT lines matching PATTERN (20 s bound).
wait_for_lines() {
	local file=$1 pattern=$2 count=$3 deadline=$((SECONDS + 20))
	until [ "$(grep -c -- "$pattern" "$file" 2>/dev/null)" -ge "$count" ]; do
		[ $SECONDS -lt $deadline ] || fail "waited in vain for $count x '$pattern' in: $(cat "$file")"
		sleep 0.05
	done
}

@test "fork_faults on a terminal: one Enter per step, both processes alive while the student looks" {
	local out=$BATS_TEST_TMPDIR/out step parent child
	TMUX_SOCK=$BATS_TEST_TMPDIR/sock
	# stdin is tmux's terminal; stdout goes to a file we can read. (tmux
	# runs the command with $SHELL, or else the login shell, which for
	# CI's nobody is nologin: the shell is named.)
	SHELL=/bin/sh tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 100 -y 40 \
		"exec '$LAB' -n 64 >'$out' 2>&1"
	wait_for_lines "$out" "press Enter" 1
	grep -q "mode: interactive" "$out"
	for step in 2 3 4 5 6 7; do
		tmux -S "$TMUX_SOCK" send-keys Enter
		wait_for_lines "$out" "press Enter" $step
		# Each Enter runs exactly one step.
		[ "$(grep -c '^== Step' "$out")" -eq $step ] || fail "after $((step - 1)) Enter: $(cat "$out")"
		if [ $step -eq 5 ]; then
			# After the child's write: both alive, the child waiting for
			# orders, the parent for the student.
			parent=$(sed -n 's/^Parent \([0-9]*\) forked child.*/\1/p' "$out")
			child=$(sed -n 's/^Parent [0-9]* forked child \([0-9]*\)\..*/\1/p' "$out")
			kill -0 "$parent" && kill -0 "$child"
			[ "$(awk '{print $4}' "/proc/$child/stat")" = "$parent" ]
		fi
	done
	tmux -S "$TMUX_SOCK" send-keys Enter
	wait_for_lines "$out" "^Done" 1
	# 7 steps, 8 result lines: step 6 also measures the parent's read-back.
	[ "$(grep -c '^result: ' "$out")" -eq 8 ]
}

@test "fork_faults as an unprivileged user: the rows of the base scenario hold, the zero-page check still works" {
	local dir out=$BATS_TEST_TMPDIR/out
	dir=$(copy_for_nobody "$LAB")
	mapfile -t args < <("$SRCDIR/tools/cowlab-expect" scenario copy-on-write base)
	run as_nobody "$dir/fork_faults" "${args[@]}" </dev/null
	assert_success
	refute_output --partial "could not tell"
	printf '%s\n' "$output" >"$out"
	run "$SRCDIR/tools/cowlab-expect" --bindir "$BUILDDIR" check-output copy-on-write base "$out" 0
	assert_success
	refute_line --regexp "^not ok"
	[ "$(grep -c '^ok' <<<"$output")" -ge 5 ]
}
