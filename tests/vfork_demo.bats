#!/usr/bin/env bats
# tests/vfork_demo.bats - vfork_demo's options and formats, the order of
# its timestamps, and the vfork child's zero seen by cowsample. Its fault
# counts are rows of support/vfork/expect.tsv, checked by tests/expect.sh;
# nothing depends on timing: the timestamps are only compared for their order.

load test_helper
load lab_helper

setup() {
	VFORK_DEMO=$(lab_bin vfork)
}

@test "vfork_demo --help explains the options and the undefined behaviour" {
	run "$VFORK_DEMO" --help
	assert_success
	assert_output --partial "--compare-fork"
	assert_output --partial "undefined behaviour"
}

@test "vfork_demo: the parent sees the vfork child's writes, and the text says it is undefined behaviour" {
	run "$VFORK_DEMO" -n 1024 -w 1024 --batch
	assert_success
	assert_line "shared: mode=vfork parent_sees_child_writes=yes"
	assert_output --partial "Undefined behaviour in POSIX"
}

@test "vfork_demo: the parent resumes only after the child's _exit()" {
	run "$VFORK_DEMO" -n 256 --batch
	assert_success
	local called start exited resumed
	called=$(time_of vfork vfork-called)
	start=$(time_of vfork child-start)
	exited=$(time_of vfork child-exit)
	resumed=$(time_of vfork parent-resumed)
	((called <= start && start <= exited && exited <= resumed))
	# The timestamps name the two processes.
	local child parent
	child=$(line_field "$(first_line '^timestamp: mode=vfork event=child-exit ')" pid)
	parent=$(line_field "$(first_line '^timestamp: mode=vfork event=parent-resumed ')" pid)
	[ "$child" != "$parent" ]
	assert_equal "$(lab_field result child-wrote pid child)" "$child"
}

@test "vfork_demo --compare-fork: the parent does not see a fork child's writes, nor wait for it" {
	run "$VFORK_DEMO" -n 1024 -w 600 --compare-fork --batch
	assert_success
	assert_line "shared: mode=vfork parent_sees_child_writes=yes"
	assert_line "shared: mode=fork parent_sees_child_writes=no"
	# The fork child exits only after the parent has run on: impossible with vfork.
	(($(time_of fork parent-resumed) < $(time_of fork child-exit)))
}

@test "vfork_demo: -w 0 writes nothing, and the parent sees nothing" {
	run "$VFORK_DEMO" -n 64 -w 0 --compare-fork --batch
	assert_success
	assert_line "shared: mode=vfork parent_sees_child_writes=no"
}

@test "vfork_demo: vfork + exec: the same process runs a new image, the parent resumes after the exec" {
	run "$VFORK_DEMO" -n 64 --batch
	assert_success
	local exec_line image_line parent
	exec_line=$(first_line '^timestamp: mode=vfork-exec event=child-exec ')
	image_line=$(first_line '^exec-image: via=vfork-exec ')
	parent=$(line_field "$(first_line '^timestamp: mode=vfork-exec event=parent-resumed ')" pid)
	assert_equal "$(line_field "$image_line" pid)" "$(line_field "$exec_line" pid)"
	assert_equal "$(line_field "$image_line" ppid)" "$parent"
	(($(time_of vfork-exec vfork-called) <= $(time_of vfork-exec child-exec)))
	(($(time_of vfork-exec child-exec) <= $(time_of vfork-exec parent-resumed)))
}

@test "vfork_demo: posix_spawn starts a child that runs the new image" {
	run "$VFORK_DEMO" -n 64 --batch
	assert_success
	local spawned image
	spawned=$(line_field "$(first_line '^spawned: ')" pid)
	image=$(first_line '^exec-image: via=posix-spawn ')
	assert_equal "$(line_field "$image" pid)" "$spawned"
	assert_equal "$(line_field "$image" ppid)" \
		"$(line_field "$(first_line '^result: phase=posix-spawned role=parent ')" pid)"
}

@test "vfork_demo: interactive on a terminal; while the vfork child waits, the parent is in state D" {
	command -v script >/dev/null || skip "script (util-linux) not installed"
	local fifo=$BATS_TEST_TMPDIR/keys out=$BATS_TEST_TMPDIR/screen
	local answered=0 prompts parent keys state="" deadline=$((SECONDS + 120))
	mkfifo "$fifo"
	# script gives the lab a terminal; we type Enter through the fifo.
	script -qfec "$VFORK_DEMO -n 64" /dev/null <"$fifo" >"$out" 2>&1 &
	local script_pid=$!
	exec {keys}>"$fifo"	# not fd 3: bats uses it
	until grep -q "^child: I wrote the pages" "$out"; do
		((SECONDS < deadline)) || { exec {keys}>&-; fail "no vfork child prompt: $(cat "$out")"; }
		# Answer the parent's prompts, never the child's (not yet).
		prompts=$(grep "press Enter" "$out" | grep -vc "_exit()" || true)
		while ((answered < prompts)); do echo >&"$keys"; answered=$((answered + 1)); done
		sleep 0.1
	done
	parent=$(sed -n 's/^watch it: ps .* -p \([0-9]*\) .*/\1/p' "$out" | head -n 1)
	state=$(cut -d' ' -f3 "/proc/$parent/stat")
	# Let everything finish: answer every prompt until the lab exits.
	while kill -0 "$script_pid" 2>/dev/null && ((SECONDS < deadline)); do
		(echo >&"$keys") 2>/dev/null || break	# a subshell takes any SIGPIPE
		sleep 0.1
	done
	exec {keys}>&-
	wait "$script_pid"
	assert_equal "$state" "D"
	grep -q "^Done\." "$out"
}

@test "vfork_demo: bad usage exits 2 with one line on stderr" {
	assert_usage_error "$VFORK_DEMO" -n 0
	assert_usage_error "$VFORK_DEMO" -n 16 -w 17
	assert_usage_error "$VFORK_DEMO" -n 12x
	assert_usage_error "$VFORK_DEMO" --bogus
	assert_usage_error "$VFORK_DEMO" -w
	assert_usage_error "$VFORK_DEMO" extra
}

@test "vfork_demo under cowsample: the sampler reads the same zero for the vfork child, at its phase mark" {
	[ -x "$COWSAMPLE" ] || skip "cowsample not built"
	local tsv=$BATS_TEST_TMPDIR/run.tsv
	run "$COWSAMPLE" -o "$tsv" -- $(traced_env) "$VFORK_DEMO" --batch -n 512 -w 512
	assert_success
	# time_s pid ppid comm event min_flt maj_flt rss_kb phase: the child's
	# mark row, read from /proc by the sampler while the child was stopped.
	local row
	row=$(awk -F '\t' '$5 == "mark" && $9 == "child-wrote"' "$tsv")
	[ -n "$row" ] || fail "no child-wrote mark in: $(cat "$tsv")"
	# The row of the same claim: the vfork child's writes take no fault.
	assert_between "$(cut -f6 <<<"$row")" $(row_bounds vfork/child-no-fault) "vfork child's min_flt seen by cowsample"
	assert_equal "$(cut -f3 <<<"$row")" "$(lab_field result parent-touched pid parent)"
}
