#!/usr/bin/env bats
# tests/fork_cost.bats - the fork-cost lab (fork_cost: one size, its
# result lines) and its benchmark (tools/fork_bench: the tables cowplot
# reads): structure and the fault counts the kernel measured. Never latency
# values: timing belongs to `make bench`. Small sizes keep the tests quick.

load test_helper
load lab_helper

setup() {
	FORK_COST=$(lab_bin fork-cost)
	FORK_BENCH=$BUILDDIR/tools/fork_bench
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

@test "fork_cost: --help names the options and the lines for scripts" {
	run "$FORK_COST" --help
	assert_success
	assert_output --partial "--pages"
	assert_output --partial "--repeat"
	assert_output --partial "time: method=M pages=N latency_us=T runs=R"
	for args in "-n 0" "-n x" "-r 0" "-r 100" "--bogus" "extra"; do
		# shellcheck disable=SC2086
		assert_usage_error "$FORK_COST" $args
	done
}

@test "fork_cost: each kind of fault once per page; fork, vfork and posix_spawn timed; THP far fewer faults" {
	local pages=1024
	run --separate-stderr "$FORK_COST" --batch -n $pages -r 1
	assert_success
	local kind
	for kind in demand-zero cow reuse; do
		assert_between "$(result_field $kind parent minor)" $pages $((pages + LAB_SLACK)) "$kind faults"
		assert_line --regexp "^cost: kind=$kind pages=$pages faults=[0-9]+ ns_per_fault=[0-9]+\.[0-9]$"
	done
	for kind in fork vfork posix_spawn fork-thp; do
		assert_line --regexp "^time: method=$kind pages=$pages latency_us=[0-9]+\.[0-9] runs=1$"
	done
	case $(lab_thp_mode_of_machine) in
	always | madvise)
		# 4 MiB on a huge-page boundary: two huge pages when the kernel can give them.
		assert_between "$(result_field touched-thp parent minor)" 1 $((pages / 4)) "THP touch"
		;;
	esac
}

@test "fork_bench --help describes both tables" {
	run "$FORK_BENCH" --help
	assert_success
	assert_output --partial "size_kib  method  pages  latency_us"
	assert_output --partial "kind  pages  faults  ns_per_fault  runs"
}

@test "fork_bench -o FILE: one row per size and method, the explanations on stdout" {
	local dir=$BATS_TEST_TMPDIR/out
	mkdir "$dir"
	run --separate-stderr "$FORK_BENCH" --batch --sizes 1,2 --repeat 3 -o "$dir/lat.tsv"
	assert_success
	check_latency_table "$dir/lat.tsv" 1 2
	assert_output --partial "watch it: ps -o pid,ppid,stat,min_flt,maj_flt,rss,cmd -p "
	# No temporary file is left beside it.
	[ "$(ls "$dir")" = lat.tsv ]
}

@test "fork_bench: the table on stdout, the explanations and result lines on stderr" {
	run --separate-stderr "$FORK_BENCH" --batch --sizes 2 --repeat 1
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.tsv"
	check_latency_table "$BATS_TEST_TMPDIR/out.tsv" 2
	[[ $stderr == *"result: phase=touched-4k-2MiB role=parent"* ]]
}

@test "fork_bench: touching the buffer faults once per 4 KiB page; with THP far fewer times" {
	local pages=$((4 * 1024 / PAGE_KIB))
	run "$FORK_BENCH" --batch --sizes 1,4 --repeat 1 -o "$BATS_TEST_TMPDIR/lat.tsv"
	assert_success
	assert_between "$(result_field touched-4k-4MiB parent minor)" "$pages" $((pages + LAB_SLACK)) "4 KiB touch"
	# No huge page fits in 1 MiB: one fault per 4 KiB page, THP or not.
	assert_between "$(result_field touched-thp-1MiB parent minor)" $((pages / 4)) $((pages / 4 + LAB_SLACK)) "1 MiB THP touch"
	case $(lab_thp_mode_of_machine) in
	always | madvise)
		# 4 MiB aligned: two huge pages when the kernel can give them.
		assert_between "$(result_field touched-thp-4MiB parent minor)" 1 $((pages / 4)) "THP touch"
		;;
	esac
}

@test "fork_bench --fault-cost: demand-zero, cow and reuse each took one fault per page, in every run" {
	local pages=300 runs=5
	run --separate-stderr "$FORK_BENCH" --batch --fault-cost --fault-pages $pages --repeat $runs \
		-o "$BATS_TEST_TMPDIR/fc.tsv"
	assert_success
	local file=$BATS_TEST_TMPDIR/fc.tsv kind row
	assert_equal "$(head -n 1 "$file")" "$(printf 'kind\tpages\tfaults\tns_per_fault\truns')"
	assert_equal "$(wc -l <"$file")" 4
	for kind in demand-zero cow reuse; do
		row=$(awk -F '\t' -v k=$kind '$1 == k' "$file")
		assert_equal "$(cut -f2 <<<"$row")" $pages
		# faults: the kernel's count (getrusage) during the writes of the
		# median run; the result line: of the first run, the one watched.
		assert_between "$(cut -f3 <<<"$row")" $pages $((pages + LAB_SLACK)) "$kind faults"
		assert_between "$(result_field $kind parent minor)" $pages $((pages + LAB_SLACK)) "$kind faults, first run"
		[[ $(cut -f4 <<<"$row") =~ ^[0-9]+\.[0-9]$ ]] || fail "bad ns_per_fault in: $row"
		assert_equal "$(cut -f5 <<<"$row")" $runs
	done
	awk -F '\t' 'NF != 5 { exit 1 }' "$file"
	# One result line per kind, however many runs.
	assert_equal "$(grep -c '^result: phase=cow ' <<<"$stderr$output")" 1
	[[ $stderr$output == *"median of $runs runs"* ]] || fail "the medians are not announced"
}

@test "fork_bench --fault-cost-o FILE: both tables in one run" {
	run "$FORK_BENCH" --batch --sizes 1 --repeat 1 --fault-pages 64 \
		-o "$BATS_TEST_TMPDIR/lat.tsv" --fault-cost-o "$BATS_TEST_TMPDIR/fc.tsv"
	assert_success
	check_latency_table "$BATS_TEST_TMPDIR/lat.tsv" 1
	assert_equal "$(cut -f1 "$BATS_TEST_TMPDIR/fc.tsv" | tr '\n' ' ')" "kind demand-zero cow reuse "
}

@test "fork_bench: bad usage exits 2 with one line on stderr and leaves the output file alone" {
	local dir=$BATS_TEST_TMPDIR/out
	local out=$dir/keep.tsv
	mkdir "$dir"
	echo "old content" >"$out"
	for args in "--sizes 0" "--sizes 1,,2" "--sizes 4x" "--sizes 99999" "--repeat 0" \
		"--fault-pages -3" "--bogus" "--fault-cost --fault-cost-o $out.2" "extra"; do
		# shellcheck disable=SC2086
		assert_usage_error "$FORK_BENCH" --batch $args -o "$out"
	done
	assert_equal "$(cat "$out")" "old content"
	[ "$(ls "$dir")" = keep.tsv ]
}

@test "fork_bench: an output file that cannot be written fails at once, with one line" {
	run --separate-stderr "$FORK_BENCH" --batch --sizes 1 -o "$BATS_TEST_TMPDIR/no/such/dir/x.tsv"
	assert_failure 1
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "fork_bench: $BATS_TEST_TMPDIR/no/such/dir/x.tsv: "* ]]
	[ -z "$output" ]	# failed before measuring anything
}
