#!/usr/bin/env bats
# cowsample on running processes (-p), against ps, both backends, as an
# unprivileged user, with --smaps, --live, and Ctrl-C. Waits poll with a
# deadline; no fixed sleeps.

load test_helper

FAULTER=$BUILDDIR/tests/progs/faulter

# Kill a background process the test left running, but only while it is
# still running as our job: once bash has reaped it, its PID may already
# belong to someone else (pid_max can be 32768: PIDs come round quickly).
teardown() {
	if [ -n "${BG_PID:-}" ] && jobs -rp | grep -qx "$BG_PID"; then
		kill -KILL "$BG_PID" 2>/dev/null || true
	fi
}

# poll until FILE has a line matching REGEX (10 s deadline)
wait_for_line() {
	local file=$1 regex=$2 i
	for ((i = 0; i < 1000; i++)); do
		grep -qE "$regex" "$file" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "timed out waiting for '$regex' in $file" >&2
	return 1
}

# start the faulter in the background with ARGS; sets BG_PID once it printed WORD
start_faulter() {
	local word=$1
	shift
	"$FAULTER" "$@" >"$BATS_TEST_TMPDIR/faulter.out" 2>&1 3>&- &
	BG_PID=$!
	wait_for_line "$BATS_TEST_TMPDIR/faulter.out" "^$word $BG_PID\$"
}

# the LAST row of pid in FILE, fields COLS (names), tab-separated
last_row() {
	local file=$1 pid=$2 cols=$3
	awk -F'\t' -v pid="$pid" -v cols="$cols" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; n = split(cols, c, ","); next }
		$h["pid"] == pid { line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? "\t" : "") $h[c[i]] }
		END { print line }' "$file"
}

column_of() {
	local file=$1 event=$2 role=$3 col=$4
	awk -F'\t' -v ev="$event" -v role="$role" -v col="$col" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["event"] == ev && $h["role"] == role { print $h[col] }' "$file"
}

# the value of COL in the mark row of PHASE
phase_of() {
	awk -F'\t' -v phase="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["event"] == "mark" && $h["phase"] == phase { print $h[col] }' "$1"
}

ps_faults() {
	ps -o min_flt=,maj_flt= -p "$1" | awk '{ print $1 "\t" $2 }'
}

@test "cowsample -p: a process at rest reads exactly as ps shows it" {
	start_faulter ready -n 300 -r
	run "$COWSAMPLE" -p "$BG_PID" -d 0.05 -o "$BATS_TEST_TMPDIR/out.tsv"
	assert_success
	# at rest (in pause()), its counters no longer move
	assert_equal "$(last_row "$BATS_TEST_TMPDIR/out.tsv" "$BG_PID" min_flt,maj_flt)" "$(ps_faults "$BG_PID")"
	run column_of "$BATS_TEST_TMPDIR/out.tsv" start parent pid
	assert_output "$BG_PID"
}

@test "cowsample: the pread and libproc2 backends agree on a process at rest" {
	"$COWSAMPLE" --backend=libproc2 --help >/dev/null 2>&1 || skip "built without libproc2"
	start_faulter ready -n 200 -r
	run "$COWSAMPLE" --backend=pread -p "$BG_PID" -d 0.05 -o "$BATS_TEST_TMPDIR/pread.tsv"
	assert_success
	run "$COWSAMPLE" --backend=libproc2 -p "$BG_PID" -d 0.05 -o "$BATS_TEST_TMPDIR/libproc2.tsv"
	assert_success
	# rss_kb is left out: stat's rss is the kernel's approximate per-cpu
	# counter read, libproc2's comes from status VmRSS (an exact sum).
	local cols=pid,ppid,comm,min_flt,maj_flt
	assert_equal "$(last_row "$BATS_TEST_TMPDIR/libproc2.tsv" "$BG_PID" $cols)" \
		"$(last_row "$BATS_TEST_TMPDIR/pread.tsv" "$BG_PID" $cols)"
	assert_equal "$(last_row "$BATS_TEST_TMPDIR/libproc2.tsv" "$BG_PID" min_flt,maj_flt)" "$(ps_faults "$BG_PID")"
}

@test "cowsample -p: a PID that exits while sampled gets its exact exit row" {
	local n=500 out=$BATS_TEST_TMPDIR/out.tsv i start final
	start_faulter waiting -w -n "$n"
	"$COWSAMPLE" -p "$BG_PID" -o "$out" 3>&- &
	local sampler=$!
	# wait until it is traced, then let it fault N pages and exit
	for ((i = 0; i < 1000; i++)); do
		[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$BG_PID/status")" = "$sampler" ] && break
		sleep 0.01
	done
	kill -USR1 "$BG_PID"
	local status=0
	wait "$sampler" || status=$?
	assert_equal "$status" 0
	start=$(column_of "$out" start parent min_flt)
	final=$(column_of "$out" exit parent min_flt)
	# its N pages, and the few faults of its own code on the way out
	[ "$final" -ge $((start + n)) ] && [ "$final" -le $((start + n + $(slack PROCESS))) ] ||
		fail "exit row $final, start row $start: not $n..$((n + $(slack PROCESS))) apart"
}

@test "cowsample: works as an unprivileged user (own command traced, root's process sampled)" {
	local dir n=300 k=200
	dir=$(copy_for_nobody "$COWSAMPLE" "$FAULTER")
	chmod 777 "$dir"
	run as_nobody "$dir/cowsample" -o "$dir/own.tsv" -- $(traced_env) "$dir/faulter" -n "$n" -c "$k"
	assert_success
	run column_of "$dir/own.tsv" exit child min_flt
	[ "$output" -ge "$k" ]
	# root's process: ptrace is refused, periodic sampling still reads it
	require_root "the second half samples a process of another user (root's); the first half passed"
	start_faulter ready -n 100 -r
	run as_nobody "$dir/cowsample" -p "$BG_PID" -d 0.05 -o "$dir/root.tsv"
	assert_success
	assert_output --partial "warning: cannot trace process $BG_PID"
	assert_equal "$(last_row "$dir/root.tsv" "$BG_PID" min_flt,maj_flt)" "$(ps_faults "$BG_PID")"
	rm -rf "$dir"
}

@test "cowsample --smaps: Shared_Dirty after fork, Private_Dirty after the child's writes" {
	local n=400 k=300 out=$BATS_TEST_TMPDIR/out.tsv page_kb
	page_kb=$(( $(getconf PAGESIZE) / 1024 ))
	run "$COWSAMPLE" --smaps -o "$out" -- $(traced_env) "$FAULTER" -n "$n" -c "$k" -m
	assert_success
	run head -n 1 "$out"
	assert_output --partial $'\tpss_kb\tshared_dirty_kb\tprivate_dirty_kb'
	# the parent's N written pages are private until the fork...
	[ "$(phase_of "$out" touched private_dirty_kb)" -ge $((n * page_kb)) ]
	# ...and shared with the new child right after it
	[ "$(column_of "$out" fork child shared_dirty_kb)" -ge $((n * page_kb)) ]
	# the child's K fresh written pages are its own: K more than before
	local before after
	before=$(phase_of "$out" child-begin private_dirty_kb)
	after=$(phase_of "$out" child-wrote private_dirty_kb)
	[ $((after - before)) -ge $((k * page_kb)) ] || fail "child: +$((after - before)) KiB private dirty"
}

@test "cowsample --live=FILE: a table with the final counts of every process" {
	local k=300 live=$BATS_TEST_TMPDIR/live.txt line
	run "$COWSAMPLE" --live="$live" -- $(traced_env) "$FAULTER" -c "$k" -m
	assert_success
	grep -q "finished" "$live"
	# the last table's child row: exited, phase child-wrote, min_flt >= K
	line=$(awk '$3 == "child"' "$live" | tail -n 1)
	[[ "$line" == *exited* ]]
	[ "$(echo "$line" | awk '{ print $5 }')" = "child-wrote" ]
	[ "$(echo "$line" | awk '{ print $6 }')" -ge "$k" ]
}

@test "cowsample: a signal (Ctrl-C, SIGTERM) ends the command and still writes complete output" {
	local out=$BATS_TEST_TMPDIR/out.tsv child
	"$COWSAMPLE" -o "$out" -- $(traced_env) "$FAULTER" -n 100 -r >"$BATS_TEST_TMPDIR/faulter.out" 3>&- &
	BG_PID=$!
	wait_for_line "$BATS_TEST_TMPDIR/faulter.out" '^ready [0-9]+$'
	child=$(awk '{ print $2 }' "$BATS_TEST_TMPDIR/faulter.out")
	# SIGTERM, not SIGINT: bash starts background jobs with SIGINT ignored,
	# and the command inherits that. cowsample handles both the same way.
	kill -TERM "$BG_PID"
	local status=0
	wait "$BG_PID" || status=$?
	assert_equal "$status" $((128 + 15))
	run column_of "$out" exit parent pid
	assert_output "$child"
}

@test "cowsample -d: ends a command that runs on, with exit rows" {
	run "$COWSAMPLE" -d 0.2 -o "$BATS_TEST_TMPDIR/out.tsv" -- $(traced_env) "$FAULTER" -r
	assert_failure $((128 + 15))
	run column_of "$BATS_TEST_TMPDIR/out.tsv" exit parent event
	assert_output exit
}

@test "cowsample --changes: a process at rest gets no sample rows" {
	start_faulter ready -n 50 -r
	run "$COWSAMPLE" --changes -i 1 -p "$BG_PID" -d 0.1 -o "$BATS_TEST_TMPDIR/out.tsv"
	assert_success
	run awk -F'\t' -v pid="$BG_PID" '$2 == pid { print $5 }' "$BATS_TEST_TMPDIR/out.tsv"
	assert_output start
	# without --changes the same run has sample rows
	run "$COWSAMPLE" -i 1 -p "$BG_PID" -d 0.1 -o "$BATS_TEST_TMPDIR/all.tsv"
	assert_success
	run grep -c $'\tsample\t' "$BATS_TEST_TMPDIR/all.tsv"
	[ "$output" -ge 1 ]
}

# kill the children of PID (by their ids), then PID
kill_tree() {
	local pid=$1 kids
	kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null) || true
	# shellcheck disable=SC2086
	[ -z "$kids" ] || kill -KILL $kids 2>/dev/null || true
	kill -KILL "$pid" 2>/dev/null || true
}

@test "cowsample -p: every child of an attached process is followed, however many (no limit of 256)" {
	local n=600 out=$BATS_TEST_TMPDIR/out.tsv
	# 600 children: more than 256, and their PIDs fill more than the 4 KiB
	# that /proc/PID/task/PID/children was once read into
	sh -c 'i=0; while [ $i -lt '$n' ]; do sleep 1000 & i=$((i + 1)); done; echo started; wait' \
		>"$BATS_TEST_TMPDIR/sh.out" 3>&- &
	BG_PID=$!
	wait_for_line "$BATS_TEST_TMPDIR/sh.out" '^started$'
	run "$COWSAMPLE" -p "$BG_PID" -d 0.1 -o "$out"
	kill_tree "$BG_PID"
	assert_success
	run awk -F'\t' 'NR > 1 && $5 == "start" { n++ } END { print n }' "$out"
	assert_output "$((n + 1))"
	run awk -F'\t' 'NR > 1 && $5 == "start" && $10 == "child" { n++ } END { print n }' "$out"
	assert_output "$n"
}
