#!/usr/bin/env bats
# The ksm lab (labs/ksm.md): identical pages merged into one frame; a write
# to a merged page is a copy-on-write fault (cow_ksm). Root only; KSM's
# settings must be as they were after every run, also when it is killed.
load test_helper
bats_require_minimum_version 1.5.0

KSM_DIR=/sys/kernel/mm/ksm

setup() {
	KSM_LAB=$(lab_bin ksm)
	[ -e $KSM_DIR/run ] || skip "no KSM in this kernel"
	SETTINGS_BEFORE=$(ksm_settings)
}

# require_ksm: skip unless KSM can be switched on here (root).
require_ksm() {
	[ -w $KSM_DIR/run ] || skip "needs root: switching KSM on"
}

teardown() {
	[ -z "${SETTINGS_BEFORE:-}" ] || [ "$(ksm_settings)" = "$SETTINGS_BEFORE" ] ||
		echo "# KSM settings changed: $(ksm_settings) (were $SETTINGS_BEFORE)" >&3
}

ksm_settings() {
	echo "run=$(cat $KSM_DIR/run) pages_to_scan=$(cat $KSM_DIR/pages_to_scan) sleep_millisecs=$(cat $KSM_DIR/sleep_millisecs)"
}

# ksm WHEN FIELD: FIELD= of the "ksm: when=WHEN" line of $output.
ksm() {
	printf '%s\n' "$output" | sed -n "s/^ksm: when=$1 .*$2=\([0-9]*\).*/\1/p"
}

@test "ksm: K writes to merged pages grow cow_ksm by K (the kernel's count agrees with the faults); settings restored" {
	require_ksm
	local n=2048 k=300
	run "$KSM_LAB" --batch -n $n -w $k
	assert_success
	local cow=$(($(ksm wrote cow_ksm) - $(ksm merged cow_ksm)))
	assert_between $cow $k $((k + $(slack STRAY))) "cow_ksm's growth for $k writes"
	[ "$(ksm_settings)" = "$SETTINGS_BEFORE" ]
}

@test "ksm: killed while ksmd runs, the lab still puts KSM's settings back" {
	require_ksm
	# Merging 65536 pages takes ksmd several of its 10 ms rounds: a window
	# in which the lab has switched KSM on and waits.
	"$KSM_LAB" --batch -n 65536 -w 0 >"$BATS_TEST_TMPDIR/out" &
	local pid=$! deadline=$((SECONDS + 300))
	until [ "$(cat $KSM_DIR/run)" = 1 ]; do
		kill -0 $pid 2>/dev/null || break
		[ $SECONDS -lt $deadline ] || { kill -KILL $pid; fail "KSM never switched on"; }
		sleep 0.01
	done
	kill -TERM $pid
	wait $pid || true
	[ "$(ksm_settings)" = "$SETTINGS_BEFORE" ]
	! grep -q '^ksm: when=wrote' "$BATS_TEST_TMPDIR/out" ||
		skip "the lab finished before it could be killed (its settings were restored all the same)"
}

@test "ksm: not root: one line saying why, exit 0, nothing changed" {
	dir=$(copy_for_nobody "$KSM_LAB")
	run as_nobody "$dir/ksm" --batch -n 16
	assert_success
	assert_output --partial 'ksm: skipped: switching KSM on needs root'
}
