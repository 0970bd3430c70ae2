#!/usr/bin/env bats
# cowsample --events: fork, exec and exit events from netlink (root: the
# proc connector and taskstats, nobody stopped) or from ptrace (stops).
# Exit rows are compared with the kernel's own final counts, read through
# another channel (a zombie's /proc/PID/stat, wait4's rusage through
# /usr/bin/time); bounds come from the helpers' parameters and the slacks
# of labs/slack.tsv.

load test_helper
bats_require_minimum_version 1.5.0

FAULTER=$BUILDDIR/tests/progs/faulter

# asan_pages P: the faults AddressSanitizer's runtime adds to a step of the
# faulter that writes P pages (its shadow: one page per 8 written), as the
# expectation tables count them (SANITIZED * (floor(P / 8) + 1)); 0 in a
# normal build.
asan_pages() {
	if is_sanitized "$FAULTER"; then echo $(($1 / 8 + 1)); else echo 0; fi
}
PROCESS=$(slack PROCESS)
GAP=$(slack SAMPLER_GAP)

# skip unless netlink events can be had here (root, the kernel's proc
# connector and taskstats), saying why
require_netlink() {
	require_root "the proc connector and taskstats"
	run --separate-stderr "$COWSAMPLE" --events netlink -o /dev/null -- true
	[ "$status" -eq 0 ] || skip "netlink events not available: $stderr"
}

# rows FILE EVENT [ROLE]: the rows of EVENT (and ROLE), one per line
rows() {
	awk -F'\t' -v ev="$2" -v role="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["event"] == ev && (role == "" || $h["role"] == role)' "$1"
}

# value FILE EVENT ROLE COL [PHASE]: COL of the (first) row of EVENT and ROLE
value() {
	awk -F'\t' -v ev="$2" -v role="$3" -v col="$4" -v phase="$5" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["event"] == ev && $h["role"] == role && (phase == "" || $h["phase"] == phase) {
			print $h[col]; exit }' "$1"
}

# sum FILE EVENT COL [SKIP_ROLE]: the sum of COL over the rows of EVENT
sum() {
	awk -F'\t' -v ev="$2" -v col="$3" -v skip="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["event"] == ev && $h["role"] != skip { s += $h[col] }
		END { print s + 0 }' "$1"
}

@test "cowsample --events: bad values and --faults with netlink are usage errors, in one line" {
	assert_usage_error "$COWSAMPLE" --events=bogus -- true
	assert_equal "$stderr" "cowsample: --events: 'bogus' is not auto, netlink or ptrace (see cowsample --help)"
	assert_usage_error "$COWSAMPLE" --events netlink --faults "$BATS_TEST_TMPDIR/f.tsv" -- true
	assert_equal "$stderr" "cowsample: --faults needs ptrace: not with --events netlink (see cowsample --help)"
	[ ! -e "$BATS_TEST_TMPDIR/f.tsv" ]
}

@test "cowsample --events netlink: fork_faults' exit rows are the kernel's final counts (wait4's rusage), its steps within their bounds" {
	require_netlink
	local n k out=$BATS_TEST_TMPDIR/out.tsv times=$BATS_TEST_TMPDIR/time.txt minor major
	n=$(scenario_param copy-on-write base N)
	k=$(scenario_param copy-on-write base K)
	# /usr/bin/time is the command (role parent): what wait4 returns for
	# fork_faults (child) is its final count plus its reaped child's
	# (grandchild), taken by the kernel, not by cowsample
	run --separate-stderr "$COWSAMPLE" --events netlink --summary -o "$out" -- $(traced_env) \
		/usr/bin/time -f '%R %F' -o "$times" "$(lab_bin copy-on-write)" --batch -n "$n" -w "$k"
	assert_success
	# (the summary: on stdout, the rows going to a file)
	[[ $output == *"Events: netlink"* ]] || fail "the summary does not say netlink: $output"
	[[ $output == *"Lost netlink messages ("*"): events "*", exit counters "* ]] || fail "no count of lost messages: $output"
	read -r minor major <"$times"
	run rows "$out" exit child
	assert_equal "${#lines[@]}" 1
	run rows "$out" exit grandchild
	assert_equal "${#lines[@]}" 1
	assert_equal $(($(value "$out" exit child min_flt) + $(value "$out" exit grandchild min_flt))) "$minor"
	assert_equal $(($(value "$out" exit child maj_flt) + $(value "$out" exit grandchild maj_flt))) "$major"
	# marks stay exact without ptrace: the child's K writes between two of its marks
	assert_between $(($(value "$out" mark grandchild min_flt child-wrote) -
		$(value "$out" mark grandchild min_flt child-read))) "$k" $((k + GAP)) \
		"the child's writes, mark to mark"
	assert_between $(($(value "$out" mark child min_flt parent-touched) -
		$(value "$out" mark child min_flt allocated))) "$n" $((n + GAP)) \
		"the parent's first touch, mark to mark"
	# the child's exit row, from its last mark: it exits right after it
	assert_between $(($(value "$out" exit grandchild min_flt) -
		$(value "$out" mark grandchild min_flt child-wrote))) 0 "$GAP" \
		"the child's exit row after its last mark"
}

@test "cowsample --events netlink: a child reaped by its parent while cowsample was stopped still gets its exact exit row" {
	require_netlink
	local k=300 t=$BATS_TEST_TMPDIR lab sampler state zombie i
	# faulter -w waits for SIGUSR1; then it forks a child that writes K
	# pages and _exits, reaps it, and exits. cowsample is stopped meanwhile:
	# it reads nothing of the child before the child is gone for good.
	"$COWSAMPLE" --events netlink -i 1000 --summary -o "$t/out.tsv" -- $(traced_env) \
		"$FAULTER" -w -c "$k" >"$t/lab.out" 2>"$t/err" &
	sampler=$!
	for ((i = 0; i < 1000; i++)); do
		grep -q '^waiting ' "$t/lab.out" 2>/dev/null && break
		sleep 0.01
	done
	lab=$(awk '$1 == "waiting" { print $2 }' "$t/lab.out")
	[ -n "$lab" ] || fail "the lab did not start: $(cat "$t/err")"
	kill -STOP "$sampler"
	kill -USR1 "$lab"
	# the lab ends (a zombie: its parent, cowsample, is stopped)
	for ((i = 0; i < 3000; i++)); do
		read -r _ _ state _ <"/proc/$lab/stat"	# (comm: "faulter", no space)
		[ "$state" = Z ] && break
		sleep 0.01
	done
	[ "$state" = Z ] || { kill -CONT "$sampler"; fail "the lab did not end (state $state)"; }
	# the kernel's final counts: the zombie's own (fields 10, 12) and those
	# of its reaped child (fields 11, 13: cmin_flt, cmaj_flt)
	zombie=$(sed 's/.*) //' "/proc/$lab/stat" | awk '{ print $8, $9, $10, $11 }')
	kill -CONT "$sampler"
	wait "$sampler"
	read -r lab_min child_min lab_maj child_maj <<<"$zombie"
	run rows "$t/out.tsv" exit child
	assert_equal "${#lines[@]}" 1
	run rows "$t/out.tsv" fork child
	assert_equal "${#lines[@]}" 1
	assert_equal "$(value "$t/out.tsv" exit child min_flt)" "$child_min"
	assert_equal "$(value "$t/out.tsv" exit child maj_flt)" "$child_maj"
	assert_equal "$(value "$t/out.tsv" exit parent min_flt)" "$lab_min"
	assert_equal "$(value "$t/out.tsv" exit parent maj_flt)" "$lab_maj"
	assert_between "$child_min" "$k" $((k + PROCESS + $(asan_pages "$k"))) "the child's K pages (the kernel's count)"
	run grep -c "Events: netlink" "$t/lab.out"
	assert_output 1
}

# run_tree EVENTS OUT R: a fork tree under cowsample --events EVENTS, its
# rows in OUT: /usr/bin/time runs sh, which runs R faulters one after the
# other, each forking a child that writes K pages and _exits at once.
# wait4's rusage of the whole tree goes to OUT.time.
K_TREE=100
run_tree() {
	run --separate-stderr "$COWSAMPLE" --events "$1" --summary -o "$2" -- $(traced_env) \
		/usr/bin/time -f '%R %F' -o "$2.time" sh -c \
		'i=0; while [ $i -lt "$1" ]; do "$2" -c "$3" || exit 1; i=$((i + 1)); done' \
		sh "$3" "$FAULTER" "$K_TREE"
}

# check_tree OUT R: every process of the tree has its rows, every child its
# K pages in its exit row, and the exit rows add up to wait4's count
check_tree() {
	local out=$1 r=$2 minor major row
	assert_success
	# time forks sh, sh R faulters, each faulter one child
	run rows "$out" fork
	assert_equal "${#lines[@]}" $((2 * r + 1))
	run rows "$out" exit
	assert_equal "${#lines[@]}" $((2 * r + 2))
	# env (traced_env: the command's exec), time, sh, each faulter
	run rows "$out" exec
	assert_equal "${#lines[@]}" $((r + 3))
	run rows "$out" exit descendant
	assert_equal "${#lines[@]}" "$r"
	local high=$((K_TREE + PROCESS + $(asan_pages "$K_TREE")))
	for row in "${lines[@]}"; do
		assert_between "$(cut -f6 <<<"$row")" "$K_TREE" "$high" "a child's exit row"
	done
	read -r minor major <"$out.time"
	assert_equal "$(sum "$out" exit min_flt parent)" "$minor"
	assert_equal "$(sum "$out" exit maj_flt parent)" "$major"
}

@test "cowsample --events netlink: fork, exec and exit rows for every process of a fork tree, exit rows adding up to the kernel's count" {
	require_netlink
	local r=20 out=$BATS_TEST_TMPDIR/tree.tsv
	run_tree netlink "$out" "$r"
	[[ $output == *"Events: netlink"* ]] || fail "the summary does not say netlink: $output"
	check_tree "$out" "$r"
}

@test "cowsample --events ptrace: the same fork tree, the same rows, and the summary says ptrace" {
	local r=20 out=$BATS_TEST_TMPDIR/tree.tsv
	run_tree ptrace "$out" "$r"
	[[ $stderr == *"ptrace not permitted"* ]] && skip "ptrace not permitted here"
	[[ $output == *"Events: ptrace"* ]] || fail "the summary does not say ptrace: $output"
	check_tree "$out" "$r"
}

@test "cowsample as nobody: the ptrace path, said in the summary; --events netlink refused in one line" {
	local n=300 k=200 dir
	dir=$(copy_for_nobody "$COWSAMPLE" "$FAULTER")
	chmod 777 "$dir"	# (for the output file)
	run --separate-stderr as_nobody "$dir/cowsample" --summary -o "$dir/out.tsv" -- \
		$(traced_env) "$dir/faulter" -n "$n" -c "$k"
	assert_success
	[[ $output == *"Events: ptrace"* ]] || fail "the summary does not say ptrace: $output"
	assert_between "$(value "$dir/out.tsv" exit child min_flt)" "$k" $((k + PROCESS + $(asan_pages "$k"))) "the child's exit row"
	run --separate-stderr as_nobody "$dir/cowsample" --events netlink -o "$dir/out.tsv" -- true
	assert_failure 1
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "cowsample: --events netlink: "*"(it needs root)" ]] || fail "stderr: $stderr"
}
