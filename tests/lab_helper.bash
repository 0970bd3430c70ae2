# tests/lab_helper.bash - reading the lines that lab programs print for
# scripts. Load it after test_helper: `load lab_helper`.
#   result: phase=P role=R pid=N minor=N major=N
#   timestamp: mode=M event=E pid=N ns=N
#   and other "key: name=value ..." lines.

bats_require_minimum_version 1.5.0

# Faults not caused by the pages a step writes (a stack page, libc data,
# the page holding the counters themselves). Bounds are K..K+SLACK.
LAB_SLACK=8

# line_field LINE NAME: the value of NAME=... in LINE.
line_field() {
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}

# first_line REGEX: the first line of $output that matches (grep -E).
first_line() {
	grep -m1 -E "$1" <<<"$output" || {
		echo "no line matching '$1' in the output" >&2
		return 1
	}
}

# result_field PHASE ROLE FIELD: a field of the result line of a step.
result_field() {
	local line
	line=$(first_line "^result: phase=$1 role=$2 ") || return 1
	line_field "$line" "$3"
}

# time_of MODE EVENT: the ns of a timestamp line.
time_of() {
	local line
	line=$(first_line "^timestamp: mode=$1 event=$2 ") || return 1
	line_field "$line" ns
}

# assert_between VALUE LOW HIGH WHAT: LOW <= VALUE <= HIGH.
assert_between() {
	if [[ ! $1 =~ ^[0-9]+$ ]] || (($1 < $2 || $1 > $3)); then
		echo "$4: '$1' is not in [$2, $3]" >&2
		return 1
	fi
}

# The machine's THP mode: always, madvise, never, or unknown.
lab_thp_mode_of_machine() {
	sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
		echo unknown
}
