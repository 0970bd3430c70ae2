# tools/plot/common.gp - terminal, palette and title shared by every kind.
#
# cowplot sets (-e): fmt (svg|png|pdf), width, height, fontsize (pixels) and
# datadir ('.': gnuplot runs in the directory of the data files and meta.gp
# that prepare.awk wrote; the scripts beside this one are found through
# GNUPLOT_LIB). meta.gp sets usertitle (empty: the kind's own title), machine
# (kernel, page size, THP mode) and note (what was run; may be empty), with
# the values derived from the data. Then cowplot runs this file and the
# kind's script (timeline.gp, memory.gp, ...). The figure goes to standard
# output (no "set output": no path is ever given to gnuplot).

set encoding utf8
# The svg and pdf terminals draw text, points and lines at other scales than
# pngcairo (whose sizes are pixels): these keep the figures alike in every
# format (a PDF is 8 inches wide for 1600 pixels; its scales were measured).
fscale = (fmt eq 'svg') ? 1.34 : (fmt eq 'pdf') ? 0.6 : 1.0
psize(n) = n * ((fmt eq 'png') ? 1.0 : 0.45)
fontspec(n) = sprintf(',%.1f', n * fscale)
set micro                       # %c in formats prints the micro sign
if (fmt eq 'svg') {
	set terminal svg size width, height dynamic noenhanced \
		font sprintf('DejaVu Sans,%d', int(fontsize * fscale + 0.5)) background rgb 'white'
} else {
	if (fmt eq 'png') {
		set terminal pngcairo size width, height noenhanced \
			font sprintf('DejaVu Sans,%d', fontsize) background rgb 'white'
	} else {
		# PDF: 8 inches wide for 1600 pixels, the same proportions and
		# the same font size relative to the figure.
		set terminal pdfcairo size (width / 200.0), (height / 200.0) noenhanced \
			font sprintf('DejaVu Sans,%.1f', fontsize * fscale) linewidth 0.5
	}
}

load datadir.'/meta.gp'

# Okabe-Ito: a palette that colour-blind readers can tell apart (its yellow
# is left out: too pale on a projector). Thick lines for the back row.
array okabe[7]
okabe[1] = '#0072B2'; okabe[2] = '#D55E00'; okabe[3] = '#009E73'
okabe[4] = '#CC79A7'; okabe[5] = '#E69F00'; okabe[6] = '#56B4E9'
okabe[7] = '#000000'
do for [i = 1:7] {
	set linetype i linecolor rgb okabe[i] linewidth 3 pointsize psize(1.5)
}
# Process i: colour (i-1)%7+1, and from the eighth process on a dash
# pattern too, so that no two processes look alike.
proc_lt(i) = (i - 1) % 7 + 1
proc_dt(i) = 1 + int((i - 1) / 7)
set border linewidth 1.5
set grid linecolor rgb '#d0d0d0' linewidth 1 dashtype 1
set key noautotitle

# Height of one text line as a fraction of the image (for the layout of the
# title block and the label strips, in screen coordinates).
line_h = 1.3 * fontsize / height

# The title block: the kind's title (or the user's) on the first line, what
# was measured below it: the machine (kernel, page size, THP mode) and the
# note, on one line when they fit, else on two. A kind's script sets
# main_title and then runs @titles; title_h is the height of the block.
sub_size = fontsize * 0.8
sub_fits(s) = strlen(s) * 0.75 * sub_size <= 0.94 * width
if (note eq '') {
	sub1 = machine; sub2 = ''
} else {
	if (sub_fits(machine.'; '.note)) {
		sub1 = machine.'; '.note; sub2 = ''
	} else {
		sub1 = machine; sub2 = note
	}
}
titles = "set label 901 (usertitle ne '' ? usertitle : main_title) at screen 0.5, screen 1 - 0.9 * line_h center font fontspec(fontsize + 6); set label 902 sub1 at screen 0.5, screen 1 - 2.2 * line_h center textcolor rgb '#333333' font fontspec(sub_size); set label 903 sub2 at screen 0.5, screen 1 - 3.1 * line_h center textcolor rgb '#333333' font fontspec(sub_size)"
untitles = "unset label 901; unset label 902; unset label 903"
title_h = (sub2 eq '' ? 2.9 : 3.8) * line_h
