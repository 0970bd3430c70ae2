# tests/grade/process_facts.awk - how a lab program made its processes, from
# strace -f -s 128 -o LOG -e trace=vfork,fork,clone,clone3,execve,write:
# facts of the kernel (the calls and their flags, the pids strace gives each
# line), never what the program prints about itself.
#   awk -v program=PATH -v mark_fd=FD -f strace_lines.awk -f process_facts.awk LOG
# (strace_lines.awk first: each call on one line)
# Only what PROGRAM does after its first successful execve counts (the
# sandbox's shell, timeout, prlimit and setpriv come before); that process
# is "main". A phase mark is a write of "PID PHASE\n" to the mark pipe
# (descriptor FD); whose mark it is comes from strace's pid, not from the
# text. Prints one line per process that main created, in order:
#   STEP <TAB> CALL <TAB> VM <TAB> VFORK <TAB> EXECED <TAB> MARKS
# STEP: the first mark main makes after the call returned (the step the
# child belongs to; - when none); CALL: vfork, fork, clone or clone3; VM:
# 1 when the child shares main's memory (vfork, CLONE_VM); VFORK: 1 when
# main was suspended until the child's exec or exit (vfork, CLONE_VFORK);
# EXECED: 1 when the child exec'd PROGRAM (execve returned 0); MARKS: the
# child's marks, comma-separated, those after its exec prefixed "exec:"
# (- when none). Threads (CLONE_THREAD) are not processes: not listed.

# The result of a complete call line: what follows its last ") = " (strace
# pads with spaces before the "=").
function result(line,    r) {
	r = ""
	while (match(line, /\) += /)) {
		line = substr(line, RSTART + RLENGTH)
		r = line
	}
	sub(/ .*/, "", r)
	return r
}

BEGIN { main = ""; n = 0 }

{
	pid = $1
	line = $0
	sub(/^[0-9]+ +/, "", line)
}
line !~ /^[a-z0-9_]+\(/ { next }	# signals, exits
{
	call = line
	sub(/\(.*/, "", call)
	r = result(line)
}
call == "execve" {
	if (r == "0" && index(line, "execve(\"" program "\",") == 1) {
		if (main == "")
			main = pid
		else
			execed[pid] = 1
	}
	next
}
main == "" { next }
call == "write" {
	if (!match(line, /^write\([0-9]+, "[0-9]+ [a-z0-9-]+\\n", [0-9]+\) += /))
		next
	fd = substr(line, 7)
	sub(/,.*/, "", fd)
	if (fd != mark_fd)
		next
	phase = substr(line, index(line, "\"") + 1)
	sub(/\\n".*/, "", phase)
	sub(/^[0-9]+ /, "", phase)
	if (pid == main) {
		for (i = 1; i <= n; i++)
			if (step[i] == "")
				step[i] = phase
	} else {
		marks[pid] = (marks[pid] == "" ? "" : marks[pid] ",") (execed[pid] ? "exec:" : "") phase
	}
	next
}
pid == main && (call == "vfork" || call == "fork" || call == "clone" || call == "clone3") {
	if (r !~ /^[1-9][0-9]*$/ || line ~ /CLONE_THREAD/)
		next
	n++
	child[n] = r
	kind[n] = call
	vm[n] = call == "vfork" || line ~ /CLONE_VM/
	suspends[n] = call == "vfork" || line ~ /CLONE_VFORK/
}
END {
	for (i = 1; i <= n; i++)
		printf "%s\t%s\t%d\t%d\t%d\t%s\n", step[i] == "" ? "-" : step[i], kind[i], vm[i],
			suspends[i], execed[child[i]] ? 1 : 0, marks[child[i]] == "" ? "-" : marks[child[i]]
}
