#!/usr/bin/env bats
# The fork-flags lab (labs/fork-flags.md): what a child gets of private,
# MADV_DONTFORK, MADV_WIPEONFORK and shared memory, and what fork()
# charges to Committed_AS.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	FORK_FLAGS=$(lab_bin fork-flags)
}

# area ROLE NAME: the "area:" line of that process and area in $output.
area() {
	printf '%s\n' "$output" | grep "^area: name=$2 role=$1 "
}

@test "fork_flags: smaps shows the advice; the parent sees the child's shared write, not its private one" {
	run "$FORK_FLAGS" --batch -n 64
	assert_success
	# (what each area holds in the child: rows of support/fork-flags/expect.tsv)
	# smaps shows the advice: dc (do not copy), wf (wipe on fork)
	[[ $(area parent dontfork) == *vmflags=*dc* ]]
	[[ $(area parent wipeonfork) == *vmflags=*wf* ]]
	[[ $(area child wipeonfork) == *vmflags=*wf* ]]
	assert_line 'parent: after the child wrote: shared=s private=p'
}

# commit_kb AREAS: the kb= of the "commit: areas=AREAS" line of $output.
commit_kb() {
	printf '%s\n' "$output" | sed -n "s/^commit: areas=$1 kb=\(-*[0-9]*\) .*/\1/p"
}

@test "fork_flags: fork() charges Committed_AS for the private writable areas, and not without them" {
	# Committed_AS is the whole machine's: another process can move it
	# while we fork. The charge of 2 x N pages is measured three times and
	# the median compared, with half of the charge as the margin.
	local n=16384 private_kb all=() without=()
	private_kb=$((2 * n * $(getconf PAGESIZE) / 1024))
	for i in 1 2 3; do
		run "$FORK_FLAGS" --batch -n $n
		assert_success
		assert_line --partial "private_kb=$private_kb"
		all+=("$(commit_kb all)")
		without+=("$(commit_kb without-private)")
	done
	local median_all median_without
	median_all=$(printf '%s\n' "${all[@]}" | sort -n | sed -n 2p)
	median_without=$(printf '%s\n' "${without[@]}" | sort -n | sed -n 2p)
	((median_all >= private_kb / 2 && median_all <= private_kb * 3 / 2)) ||
		fail "fork with the areas charged $median_all kB (${all[*]}), expected about $private_kb"
	((median_without < private_kb / 2)) ||
		fail "fork without them charged $median_without kB (${without[*]})"
}

@test "fork_flags: --help, and option errors in one line" {
	run "$FORK_FLAGS" --help
	assert_success
	assert_line --partial 'Usage: fork_flags'
	assert_usage_error "$FORK_FLAGS" -n 0
	assert_usage_error "$FORK_FLAGS" --bogus
}
