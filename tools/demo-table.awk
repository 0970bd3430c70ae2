# tools/demo-table.awk - used by tools/run-demo (make demo): passes the
# lab's output and cowsample's summary through, and adds to each row of the
# per-phase table the lab's own count for that step (its result: line), with
# a note that says what each column counts and why they can differ.
# Values are only compared and printed: none is evaluated.

# result: phase=P role=R pid=N minor=M major=J
/^result: / {
	phase = pid = minor = ""
	for (i = 2; i <= NF; i++) {
		eq = index($i, "=")
		if (eq == 0) continue
		k = substr($i, 1, eq - 1)
		v = substr($i, eq + 1)
		if (k == "phase") phase = v
		else if (k == "pid") pid = v
		else if (k == "minor") minor = v
	}
	if (phase != "" && pid != "")
		result[pid, phase] = minor
	print; fflush(); next
}

# the summary's header: role pid comm phase min_flt maj_flt time_s
/^role +pid +comm +phase +min_flt +maj_flt +time_s$/ {
	intable = 1
	printf "%s %8s\n", $0, "result"
	fflush(); next
}

intable && NF >= 7 && $2 ~ /^[0-9]+$/ {
	# (comm may hold spaces: the phase and counts are read from the end)
	key = $2 SUBSEP $(NF - 3)
	if (key in result) {
		printf "%s %8s%s\n", $0, result[key], (result[key] != $(NF - 2) ? "  *" : "")
		differ += result[key] != $(NF - 2)
	} else
		printf "%s %8s\n", $0, "-"
	fflush(); next
}

intable && NF == 0 {
	intable = 0
	note()
	print; fflush(); next
}

{ print; fflush() }

END { if (intable) note() }

function note() {
	print ""
	print "min_flt counts every minor fault of the process from its previous mark to"
	print "this one: the step, and what the lab did around it (printing, waiting for"
	print "the other process, the parent's first writes after fork() to its own stack"
	print "and data, which fork() write-protected too). result is the lab's own count"
	print "of the step alone (getrusage() just before and after it: its result: line);"
	print "- where the lab prints none (cowsample's marks started and child-started,"
	print "and exit, the part after the last mark)."
	if (differ)
		printf "%d row%s marked * differ%s for that reason.\n", differ, (differ > 1 ? "s" : ""), (differ > 1 ? "" : "s")
	printed = 1
	fflush()
}
