#!/usr/bin/env bats
# tests/fork_cost.bats - fork_cost's tables: their structure (read by
# cowplot) and the fault counts the kernel measured. Never latency values:
# timing belongs to `make bench`. Small sizes keep the tests quick. The
# fault counts of its result: lines are rows of support/fork-cost/expect.tsv
# (tests/expect.sh); the fault column of its table is checked here against
# the same rows.

load test_helper
load lab_helper

setup() {
	FORK_COST=$(lab_bin fork-cost)
	PAGE_KIB=$(($(getconf PAGESIZE) / 1024))
}

# check_latency_table FILE SIZES_MIB...: header, one row per size and method,
# pages from the size, a latency that is a positive number.
check_latency_table() {
	local file=$1 mib method row
	shift
	assert_equal "$(head -n 1 "$file")" "$(printf 'size_kib\tmethod\tpages\tlatency_us')"
	assert_equal "$(($(wc -l <"$file") - 1))" $(($# * 4))
	for mib in "$@"; do
		for method in fork fork-thp vfork posix_spawn; do
			row=$(awk -F '\t' -v k=$((mib * 1024)) -v m="$method" '$1 == k && $2 == m' "$file")
			[ "$(wc -l <<<"$row")" -eq 1 ] && [ -n "$row" ] || fail "no single row for $mib MiB $method"
			assert_equal "$(cut -f3 <<<"$row")" $((mib * 1024 / PAGE_KIB))
			[[ $(cut -f4 <<<"$row") =~ ^[0-9]+\.[0-9]$ ]] || fail "bad latency in: $row"
			[[ $(cut -f4 <<<"$row") != 0.0 ]]
		done
	done
	# Four columns everywhere.
	awk -F '\t' 'NF != 4 { exit 1 }' "$file"
}

@test "fork_cost --help describes both tables" {
	run "$FORK_COST" --help
	assert_success
	assert_output --partial "size_kib  method  pages  latency_us"
	assert_output --partial "kind  pages  faults  ns_per_fault  runs"
}

@test "fork_cost -o FILE: one row per size and method, the explanations on stdout" {
	local dir=$BATS_TEST_TMPDIR/out
	mkdir "$dir"
	run --separate-stderr "$FORK_COST" --batch --sizes 1,2 --repeat 3 -o "$dir/lat.tsv"
	assert_success
	check_latency_table "$dir/lat.tsv" 1 2
	assert_output --partial "watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p "
	# No temporary file is left beside it.
	[ "$(ls "$dir")" = lat.tsv ]
}

@test "fork_cost: the table on stdout, the explanations and result lines on stderr" {
	run --separate-stderr "$FORK_COST" --batch --sizes 2 --repeat 1
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.tsv"
	check_latency_table "$BATS_TEST_TMPDIR/out.tsv" 2
	[[ $stderr == *"result: phase=touched-4k-2MiB role=parent"* ]]
}

@test "fork_cost --fault-cost: demand-zero, cow and reuse each took one fault per page, in every run" {
	# The table's scenario fault-cost, whose rows bound the same counts.
	local -a args
	mapfile -t args < <("$SRCDIR/tools/cowlab-expect" scenario fork-cost fault-cost)
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr "$FORK_COST" "${args[@]}"
	assert_success
	local file=$BATS_TEST_TMPDIR/faults.tsv kind row runs
	runs=$(sed -n 's/.*--repeat \([0-9]*\).*/\1/p' <<<"${args[*]}")
	assert_equal "$(head -n 1 "$file")" "$(printf 'kind\tpages\tfaults\tns_per_fault\truns')"
	assert_equal "$(wc -l <"$file")" 4
	for kind in demand-zero cow reuse; do
		row=$(awk -F '\t' -v k=$kind '$1 == k' "$file")
		# faults: the kernel's count (getrusage) during the writes of the
		# median run, within the bounds of the result line's row.
		assert_between "$(cut -f3 <<<"$row")" $(row_bounds "fork-cost/$kind-faults") "$kind faults"
		[[ $(cut -f4 <<<"$row") =~ ^[0-9]+\.[0-9]$ ]] || fail "bad ns_per_fault in: $row"
		assert_equal "$(cut -f5 <<<"$row")" "$runs"
	done
	awk -F '\t' 'NF != 5 { exit 1 }' "$file"
	# One result line per kind, however many runs.
	assert_equal "$(grep -c '^result: phase=cow ' <<<"$stderr$output")" 1
	[[ $stderr$output == *"median of $runs runs"* ]] || fail "the medians are not announced"
}

@test "fork_cost --fault-cost-o FILE: both tables in one run" {
	run "$FORK_COST" --batch --sizes 1 --repeat 1 --fault-pages 64 \
		-o "$BATS_TEST_TMPDIR/lat.tsv" --fault-cost-o "$BATS_TEST_TMPDIR/fc.tsv"
	assert_success
	check_latency_table "$BATS_TEST_TMPDIR/lat.tsv" 1
	assert_equal "$(cut -f1 "$BATS_TEST_TMPDIR/fc.tsv" | tr '\n' ' ')" "kind demand-zero cow reuse "
}

@test "fork_cost: bad usage exits 2 with one line on stderr and leaves the output file alone" {
	local dir=$BATS_TEST_TMPDIR/out
	local out=$dir/keep.tsv
	mkdir "$dir"
	echo "old content" >"$out"
	for args in "--sizes 0" "--sizes 1,,2" "--sizes 4x" "--sizes 99999" "--repeat 0" \
		"--fault-pages -3" "--bogus" "--fault-cost --fault-cost-o $out.2" "extra"; do
		# shellcheck disable=SC2086
		assert_usage_error "$FORK_COST" --batch $args -o "$out"
	done
	assert_equal "$(cat "$out")" "old content"
	[ "$(ls "$dir")" = keep.tsv ]
}

@test "fork_cost: an output file that cannot be written fails at once, with one line" {
	run --separate-stderr "$FORK_COST" --batch --sizes 1 -o "$BATS_TEST_TMPDIR/no/such/dir/x.tsv"
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "fork_cost: $BATS_TEST_TMPDIR/no/such/dir/x.tsv: "* ]]
	[ -z "$output" ]	# failed before measuring anything
}
