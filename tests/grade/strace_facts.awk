# tests/grade/strace_facts.awk - what mmap_copy did to its files, from
# strace -f -o LOG (execve, open*, creat, close, ftruncate, fallocate, mmap,
# msync, munmap).
#   awk -v program=PATH -v src=SRC -f strace_lines.awk -f strace_facts.awk LOG
# (strace_lines.awk first: each call on one line)
# Only what PROGRAM does after its own execve counts (the sandbox's shell,
# timeout, prlimit and setpriv come before). Prints NAME=0|1 lines:
#   src_opened      SRC was opened (or an open of it was tried)
#   opened_to_write a file was opened for writing or created
#   dst_mapped      a file opened for writing was mapped writable
#   dst_shared      ... and every such mapping is MAP_SHARED
#   dst_sized       ... and the file was long enough (ftruncate or
#                   fallocate) before each such mapping
#   dst_synced      every writable mapping of DST was msync'd whole with
#                   MS_SYNC before it was unmapped (and it was unmapped)
#   unmapped        every mapping of SRC and of DST was unmapped (munmap)
# Lines look like: 1234 openat(AT_FDCWD, "a/b", O_RDWR|O_CREAT, 0644) = 4

function result(line) { sub(/.*\) += /, "", line); sub(/ .*/, "", line); return line }
function args(line) { sub(/^[0-9]+ +[a-z0-9_]+\(/, "", line); sub(/\) += [^)]*$/, "", line); return line }

BEGIN { started = 0; src_opened = opened_to_write = dst_mapped = 0; dst_shared = dst_sized = 1 }

!started {
	if (index($2, "execve(\"" program "\",") == 1 && result($0) == "0")
		started = 1
	next
}
{
	call = $2; sub(/\(.*/, "", call)
	a = args($0)
	r = result($0)
	n = split(a, arg, ", ")
}
call == "open" || call == "openat" || call == "creat" {
	path = call == "openat" ? arg[2] : arg[1]
	flags = call == "openat" ? arg[3] : arg[2]
	if (path == "\"" src "\"") {
		src_opened = 1
		if (r ~ /^[0-9]+$/) src_fd[r] = 1
	} else if (r ~ /^[0-9]+$/) {
		delete src_fd[r]
	}
	if (call == "creat" || flags ~ /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_TMPFILE/) {
		opened_to_write = 1
		if (r ~ /^[0-9]+$/) { writable[r] = 1; size[r] = 0 }
	} else if (r ~ /^[0-9]+$/) {
		delete writable[r]
	}
	next
}
call == "close" { delete writable[arg[1]]; delete src_fd[arg[1]]; next }
call == "ftruncate" && r == "0" { size[arg[1]] = arg[2] + 0; next }
call == "fallocate" && r == "0" && arg[2] !~ /KEEP_SIZE/ {
	if (arg[3] + arg[4] > size[arg[1]]) size[arg[1]] = arg[3] + arg[4]
	next
}
call == "mmap" && arg[3] ~ /PROT_WRITE/ && (arg[5] in writable) {
	dst_mapped = 1
	if (arg[4] !~ /MAP_SHARED/) dst_shared = 0
	if (size[arg[5]] < arg[6] + arg[2]) dst_sized = 0
	if (r ~ /^0x/) { mapping[r] = "dst"; length_of[r] = arg[2] + 0; synced[r] = 0 }
	next
}
call == "mmap" && (arg[5] in src_fd) && r ~ /^0x/ { mapping[r] = "src"; length_of[r] = arg[2] + 0; next }
call == "msync" && r == "0" && (arg[1] in mapping) && mapping[arg[1]] == "dst" &&
	arg[3] ~ /MS_SYNC/ && arg[2] + 0 >= length_of[arg[1]] { synced[arg[1]] = 1; next }
call == "munmap" && r == "0" && (arg[1] in mapping) {
	if (mapping[arg[1]] == "dst" && !synced[arg[1]]) unsynced = 1
	delete mapping[arg[1]]
	next
}
END {
	if (!dst_mapped) dst_shared = dst_sized = 0
	print "src_opened=" src_opened
	print "opened_to_write=" opened_to_write
	print "dst_mapped=" dst_mapped
	print "dst_shared=" dst_shared
	print "dst_sized=" dst_sized
	left = 0
	for (m in mapping) left = 1
	print "dst_synced=" (dst_mapped && !unsynced && !left ? 1 : 0)
	print "unmapped=" (dst_mapped && !left ? 1 : 0)
}
