#!/usr/bin/env bats
# The live checks: every measurable quiz's marked answer is what this kernel
# does. Each check runs its lab program in batch mode with small sizes and
# compares the lab's measured faults (getrusage) with the answers' claims.

load test_helper

@test "every quiz with a check: the marked answer is what the running kernel does" {
	run "$SRCDIR/tools/cowlab-quiz" --verify --bindir "$BUILDDIR"
	echo "$output"
	assert_success
	refute_line --partial "not ok"
}
