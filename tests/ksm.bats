#!/usr/bin/env bats
# The ksm lab (labs/ksm.md): identical pages merged into one frame; a write
# to a merged page is a copy-on-write fault (cow_ksm). Root only; KSM's
# settings must be as they were after every run, also when it is killed.
load test_helper
bats_require_minimum_version 1.5.0

KSM_DIR=/sys/kernel/mm/ksm

setup() {
	KSM_LAB=$(lab_bin ksm)
	[ -w $KSM_DIR/run ] || skip "needs root and a kernel with KSM"
	SETTINGS_BEFORE=$(ksm_settings)
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
minor() {
	printf '%s\n' "$output" | sed -n "s/^result: phase=$1 role=self .* minor=\([0-9]*\) .*/\1/p"
}

# Faults beyond the K pages written: the stack, the result line's buffer.
SLACK=8

@test "ksm: N identical pages merge; K writes are K copy-on-write faults (cow_ksm); settings restored" {
	local n=2048 k=300
	run "$KSM_LAB" --batch -n $n -w $k
	assert_success
	[ "$(ksm merged merging_pages)" -eq $n ]
	local cow=$(($(ksm wrote cow_ksm) - $(ksm merged cow_ksm))) faults
	faults=$(minor wrote)
	((cow >= k && cow <= k + SLACK)) || fail "cow_ksm grew by $cow for $k writes"
	((faults >= k && faults <= k + SLACK)) || fail "$faults faults for $k writes"
	[ "$(ksm_settings)" = "$SETTINGS_BEFORE" ]
}

@test "ksm: killed while ksmd runs, the lab still puts KSM's settings back" {
	"$KSM_LAB" --batch -n 131072 -w 0 >"$BATS_TEST_TMPDIR/out" &
	local pid=$! deadline=$((SECONDS + 30))
	until [ "$(cat $KSM_DIR/run)" = 1 ]; do
		kill -0 $pid 2>/dev/null || break
		[ $SECONDS -lt $deadline ] || { kill -KILL $pid; fail "KSM never switched on"; }
		sleep 0.01
	done
	kill -TERM $pid
	wait $pid || true
	[ "$(ksm_settings)" = "$SETTINGS_BEFORE" ]
}

@test "ksm: not root: one line saying why, exit 0, nothing changed" {
	dir=$(copy_for_nobody "$KSM_LAB")
	run as_nobody "$dir/ksm" --batch -n 16
	assert_success
	assert_output --partial 'ksm: skipped: switching KSM on needs root'
}
