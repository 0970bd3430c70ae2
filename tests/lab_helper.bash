# tests/lab_helper.bash - reading the lines that lab programs print for
# scripts, beyond lab_field (test_helper). Load it after test_helper:
# `load lab_helper`.
#   result: phase=P role=R pid=N minor=N major=N
#   timestamp: mode=M event=E pid=N ns=N
#   and other "key: name=value ..." lines.

bats_require_minimum_version 1.5.0

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

# time_of MODE EVENT: the ns of a timestamp line.
time_of() {
	local line
	line=$(first_line "^timestamp: mode=$1 event=$2 ") || return 1
	line_field "$line" ns
}

# The machine's THP mode: always, madvise, never, or unknown.
lab_thp_mode_of_machine() {
	sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
		echo unknown
}
