# tests/grade/strace_lines.awk - the lines of strace -f -o LOG, each call
# whole; the first program of the grader's strace readers:
#   awk -f strace_lines.awk -f strace_facts.awk LOG   (or process_facts.awk)
# strace -f prints a call in two parts when a line of another traced process
# (a child or a daemon of the program) comes between its start and its end:
#   1234 msync(0x7f5e4c000000, 1048577, MS_SYNC <unfinished ...>
#   1234 <... msync resumed>) = 0
# The parts are joined into the line strace prints for a call seen whole,
# and the rules of the program after this one see only that line.
/ <unfinished \.\.\.>$/ { sub(/ <unfinished \.\.\.>$/, ""); pending[$1] = $0; next }
$2 == "<..." && $4 ~ /^resumed>/ {
	rest = $0
	sub(/^[0-9]+ +<\.\.\. [a-z0-9_]+ resumed>/, "", rest)
	$0 = pending[$1] rest
	delete pending[$1]
}
