#!/usr/bin/env bats
# Graded: user_cow on the student's uvm.c (labs/user-cow.md). Each check is
# a graded row of support/user-cow/expect.tsv (name, points and bounds come
# from there; tools/cowlab-expect graded lists them). One run of its
# scenario base under cowsample (the kernel's fault counts), and one of each
# scenario, base and race, under framewatch (the frames and their data,
# below).
#
# uvm.c runs inside user_cow's process: it could print any result: line,
# so no check reads the program's output. The frames are the kernel's:
# framewatch (run as root in the sandbox) stops the lab at each phase mark
# and reads, for every live process, which page of the lab's memfd each of
# its pages maps (/proc/PID/maps: the frame; pagemap gives its PFN where
# present), how many pages the memfd holds (st_blocks: a freed frame
# is a hole punched in it), and the first bytes of each frame (what a
# process mapping it reads there). (cowsample --snapshot-dir would give PFNs, but
# of private anonymous memory only; and pagemap alone shows no frame for a
# page uvm.c has just remapped, until it is touched again.)
load grade_helper

# The memfd of the lab's physical memory (memfd_create in uvm.c's uvm_init).
LAB_MEMFD=user-cow-frames
# What user_cow writes (user_cow.c), in hex: the parent's first touch puts
# 'p' in the first byte of each page; the child's writes put 'c' in the
# second byte of theirs (the first must come with the copy).
PARENT_BYTE=70 CHILD_BYTE=63

setup_file() {
	sample_scenario user-cow base
	watch_scenario_frames user-cow base --memfd "$LAB_MEMFD"
	watch_scenario_frames user-cow race --memfd "$LAB_MEMFD"
}

setup() {
	require_sampled user-cow/user_cow
}

# lab-frames: the pages the lab's memfd holds at the mark.
measure_lab_frames() {
	local snap marker
	at_mark "$1" "$3" || return
	awk -F '\t' -v snap="$snap" -v memfd="$LAB_MEMFD" '$1 == snap {
		if ($4 == "-") print "no process maps the lab'\''s memory (memfd " memfd ")" > "/dev/stderr"
		print $5; exit }' "$FRAMES_DIR/memfd.tsv"
}

# mapped-frames: distinct frames that the live processes map at the mark.
measure_mapped_frames() {
	local snap marker
	at_mark "$1" "$3" || return
	awk -F '\t' -v snap="$snap" '$1 == snap && !seen[$6]++ { n++ } END { print n + 0 }' "$FRAMES_DIR/pages.tsv"
}

# child-copies: the pages of the process that marked (the child) that map
# another frame than the other process (the parent) at the same address.
measure_child_copies() {
	local snap marker
	at_mark "$1" "$3" || return
	awk -F '\t' -v snap="$snap" -v marker="$marker" '
		$1 != snap { next }
		$4 == marker { mine[$5] = $6; next }
		{ other[$5] = $6; others[$4] = 1 }
		END {
			for (p in others) n++
			if (n != 1) {
				printf "%d other processes map the lab'\''s memory at this mark, expected 1 (the parent)\n", n > "/dev/stderr"
				print 0
				exit
			}
			for (v in mine) if (!(v in other) || other[v] != mine[v]) copies++
			print copies + 0
		}' "$FRAMES_DIR/pages.tsv"
}

# kept-frames: the pages of the process that marked that map the frame they
# mapped at its mark before.
measure_kept_frames() {
	local snap marker before
	at_mark "$1" "$3" || return
	before=$(snapshot_before "$snap" "$marker")
	[ -n "$before" ] || { echo "no mark of the same process before '$1'" >&2; echo 0; return; }
	awk -F '\t' -v snap="$snap" -v before="$before" -v marker="$marker" '
		$4 != marker { next }
		$1 == before { was[$5] = $6 }
		$1 == snap && ($5 in was) && was[$5] == $6 { kept++ }
		END { print kept + 0 }' "$FRAMES_DIR/pages.tsv"
}

# frame_data_of SNAP: "frame byte0 byte1" of the frames at mark SNAP that
# hold data (framewatch leaves out frames whose first two bytes are zero).
# parent-data: the pages of the process that marked whose frame holds the
# parent's byte: what the parent wrote is what this process reads.
measure_parent_data() {
	local snap marker
	at_mark "$1" "$3" || return
	awk -F '\t' -v snap="$snap" -v marker="$marker" -v p="$PARENT_BYTE" '
		FILENAME ~ /frames.tsv$/ { if ($1 == snap) first[$2] = $3; next }
		$1 == snap && $4 == marker && first[$6] == p { n++ }
		END { print n + 0 }' "$FRAMES_DIR/frames.tsv" "$FRAMES_DIR/pages.tsv"
}

# parent-own-data: the pages of the other process (the parent, while the
# child marked) whose frame holds the parent's byte and not the child's:
# the child's writes did not reach the parent's memory.
measure_parent_own_data() {
	local snap marker
	at_mark "$1" "$3" || return
	awk -F '\t' -v snap="$snap" -v marker="$marker" -v p="$PARENT_BYTE" -v c="$CHILD_BYTE" '
		FILENAME ~ /frames.tsv$/ { if ($1 == snap) { first[$2] = $3; second[$2] = $4 } next }
		$1 != snap || $4 == marker { next }
		{ others[$4] = 1 }
		first[$6] == p && second[$6] != c { n++ }
		$6 in second && second[$6] == c { seen++ }
		END {
			for (q in others) k++
			if (k != 1) {
				printf "%d other processes map the lab'\''s memory at this mark, expected 1 (the parent)\n", k > "/dev/stderr"
				print 0
				exit
			}
			if (seen) printf "%d of the parent'\''s pages hold the child'\''s writes\n", seen > "/dev/stderr"
			print n + 0
		}' "$FRAMES_DIR/frames.tsv" "$FRAMES_DIR/pages.tsv"
}

@test "user-cow/finished: user_cow runs every step to the end. (1 point)" {
	grade_row user-cow/finished
}

@test "user-cow/touch-lab-frames: Lazy allocation: after the first touch the lab's memory holds one frame per page. (2 points)" {
	grade_row user-cow/touch-lab-frames
}

@test "user-cow/read-lab-frames: cfork and the child's reads copy nothing: the lab's memory still holds N frames. (2 points)" {
	grade_row user-cow/read-lab-frames
}

@test "user-cow/wrote-lab-frames: The child's K writes took K new frames. (1 point)" {
	grade_row user-cow/wrote-lab-frames
}

@test "user-cow/wrote-mapped-frames: Parent and child map N + K frames between them: the parent's N and the child's K copies. (1 point)" {
	grade_row user-cow/wrote-mapped-frames
}

@test "user-cow/wrote-child-copies: The child's K written pages are on frames of their own; every other page is still on the parent's frame. (2 points)" {
	grade_row user-cow/wrote-child-copies
}

@test "user-cow/exited-lab-frames: The child's exit freed its copies and dropped its shares: N frames again. (2 points)" {
	grade_row user-cow/exited-lab-frames
}

@test "user-cow/rewrite-kept-frames: The parent's rewrite reuses every frame (no longer shared): each page is still on its frame. (2 points)" {
	grade_row user-cow/rewrite-kept-frames
}

@test "user-cow/rewrite-lab-frames: Still N frames after the rewrite: no copy. (1 point)" {
	grade_row user-cow/rewrite-lab-frames
}

@test "user-cow/read-child-data: After cfork the child reads the parent's data on every page. (1 point)" {
	grade_row user-cow/read-child-data
}

@test "user-cow/wrote-copies-data: A copy carries the page's data: each of the child's pages, copied or not, still holds what the parent wrote there. (2 points)" {
	grade_row user-cow/wrote-copies-data
}

@test "user-cow/wrote-parent-data: After the child's writes the parent still reads its own data on every page: none of the child's writes reaches it. (2 points)" {
	grade_row user-cow/wrote-parent-data
}

@test "user-cow/rewrite-data: After the reuse the parent's data is intact. (1 point)" {
	grade_row user-cow/rewrite-data
}

@test "user-cow/race-lab-frames: Two processes cfork and exit R times each, at once: the lab's memory holds N frames at the end (every reference count update atomic). (2 points)" {
	grade_row user-cow/race-lab-frames
}
