#!/usr/bin/env bats
# tests/clone_demo.bats - clone_demo's options and formats, what CLONE_FILES
# shares, and the children's faults seen by cowsample. Its fault counts are
# rows of support/clone/expect.tsv, checked by tests/expect.sh.

load test_helper
load lab_helper

setup() {
	CLONE_DEMO=$(lab_bin clone)
}

@test "clone_demo --help names the flags it shows" {
	run "$CLONE_DEMO" --help
	assert_success
	assert_output --partial "CLONE_VM"
	assert_output --partial "CLONE_FILES"
}

@test "clone_demo prints each clone's flags and what each flag shares" {
	run "$CLONE_DEMO" -n 64 --batch
	assert_success
	assert_line "flags: CLONE_VM|SIGCHLD"
	assert_line "flags: SIGCHLD"
	assert_line "flags: CLONE_FILES|SIGCHLD"
	assert_line --regexp "^CLONE_VM +address space"
	assert_line --regexp "^CLONE_FILES +table of open file descriptors"
}

@test "clone_demo: with CLONE_VM the memory line says the parent sees the child's writes" {
	run "$CLONE_DEMO" -n 1024 -w 1024 --batch
	assert_success
	assert_line "memory: flags=CLONE_VM|SIGCHLD child_wrote_pages=1024 parent_sees_child_writes=yes"
}

@test "clone_demo: without CLONE_VM the parent does not see them; the children are other processes" {
	run "$CLONE_DEMO" -n 1024 -w 700 --batch
	assert_success
	assert_line "memory: flags=SIGCHLD child_wrote_pages=700 parent_sees_child_writes=no"
	# The two children are different processes, neither is the parent.
	local parent vm copy
	parent=$(lab_field result parent-touched pid parent)
	vm=$(lab_field result child-wrote pid child-vm)
	copy=$(lab_field result child-wrote pid child-novm)
	[ "$vm" != "$parent" ] && [ "$copy" != "$parent" ] && [ "$vm" != "$copy" ]
}

@test "clone_demo --copy-first: the copy child runs first" {
	run "$CLONE_DEMO" -n 1024 -w 800 --copy-first --batch
	assert_success
	assert_line "memory: flags=CLONE_VM|SIGCHLD child_wrote_pages=800 parent_sees_child_writes=yes"
	# The copy child really ran first.
	assert_line "== Step 2 of 5: clone(SIGCHLD): a copy of the memory, like fork() =="
}

@test "clone_demo -w 0: no writes, nothing seen" {
	run "$CLONE_DEMO" -n 64 -w 0 --batch
	assert_success
	assert_line "memory: flags=CLONE_VM|SIGCHLD child_wrote_pages=0 parent_sees_child_writes=no"
}

@test "clone_demo: with CLONE_FILES the child's open and close happen in the parent's table, without it they do not" {
	run "$CLONE_DEMO" -n 16 --batch
	assert_success
	local copy shared
	copy=$(first_line '^files: flags=SIGCHLD ')
	shared=$(first_line '^files: flags=CLONE_FILES\|SIGCHLD ')
	assert_equal "$(line_field "$copy" open_in_parent)" no
	assert_equal "$(line_field "$copy" closed_in_parent)" no
	assert_equal "$(line_field "$shared" open_in_parent)" yes
	assert_equal "$(line_field "$shared" closed_in_parent)" yes
	# The child really used another descriptor than the one it closed.
	[ "$(line_field "$shared" child_opened_fd)" != "$(line_field "$shared" child_closed_fd)" ]
}

@test "clone_demo: bad usage exits 2 with one line on stderr" {
	assert_usage_error "$CLONE_DEMO" -n 0
	assert_usage_error "$CLONE_DEMO" -n 8 -w 9
	assert_usage_error "$CLONE_DEMO" -w -1
	assert_usage_error "$CLONE_DEMO" --thp=yes
	assert_usage_error "$CLONE_DEMO" -n
}

@test "clone_demo under cowsample: the sampler sees 0 faults for the CLONE_VM child, K for the copy child" {
	[ -x "$COWSAMPLE" ] || skip "cowsample not built"
	local tsv=$BATS_TEST_TMPDIR/run.tsv
	run "$COWSAMPLE" -o "$tsv" -- $(traced_env) "$CLONE_DEMO" --batch -n 512 -w 400
	assert_success
	local vm copy
	vm=$(lab_field result child-wrote pid child-vm)
	copy=$(lab_field result child-wrote pid child-novm)
	# time_s pid ppid comm event min_flt ...: each child's mark row.
	assert_between "$(awk -F '\t' -v p="$vm" '$2 == p && $5 == "mark" && $9 == "child-wrote" { print $6 }' "$tsv")" \
		$(row_bounds clone/vm-no-fault) "CLONE_VM child's min_flt seen by cowsample"
	# The copy child's total includes its own start (labs/slack.tsv: PROCESS).
	local copied
	copied=$(awk -F '\t' -v p="$copy" '$2 == p && $5 == "mark" && $9 == "child-wrote" { print $6 }' "$tsv")
	assert_between "$copied" 400 $((400 + $(slack PROCESS))) "copy child's min_flt seen by cowsample"
}
