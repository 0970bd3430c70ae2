# tools/plot/legend.gp - the legend: rows of entries across the bottom of
# the image, drawn by hand (gnuplot's own key gives every column the width
# of its longest entry, and so wraps a short legend onto several rows).
#
# Before loading it, a kind's script sets nleg and fills, for i = 1..nleg:
#   leg_text[i]  the entry's text
#   leg_lt[i]    its linetype (colour), 1..7 (7 is black)
#   leg_dt[i]    dash type of its line sample
#   leg_lw[i]    width of its line sample, 0 for no line
#   leg_pt[i]    point type of its point sample, 0 for no point
#   leg_ps[i]    point size (psize units)
# and leg_draw: 0 only computes leg_rows (how many rows the entries take,
# for the layout), 1 also draws them, the last row 0.9 lines above the
# bottom. Objects 850-899 are used. A character is about 0.7 font sizes
# wide.

leg_char = 0.7 * fontsize / width
leg_sample = 3.0 * leg_char
leg_w(i) = leg_sample + (strlen(leg_text[i]) + 2.5) * leg_char
# Entries fill a row up to 94% of the width, then go on in the next.
array leg_row[nleg]
leg_rows = 1
leg_acc = 0
do for [i = 1:nleg] {
	if (leg_acc > 0 && leg_acc + leg_w(i) > 0.94) {
		leg_rows = leg_rows + 1
		leg_acc = 0
	}
	leg_row[i] = leg_rows
	leg_acc = leg_acc + leg_w(i)
}
if (leg_draw) {
	do for [r = 1:leg_rows] {
		leg_total = 0
		do for [i = 1:nleg] { if (leg_row[i] == r) { leg_total = leg_total + leg_w(i) } }
		leg_x = 0.5 - leg_total / 2
		leg_y = (0.9 + (leg_rows - r) * 1.1) * line_h
		do for [i = 1:nleg] {
			if (leg_row[i] == r) {
				if (leg_lw[i] > 0) {
					set arrow 850 + i from screen leg_x, screen leg_y to screen leg_x + leg_sample, screen leg_y \
						nohead linetype leg_lt[i] dashtype leg_dt[i] linewidth leg_lw[i] front
				}
				if (leg_pt[i] > 0) {
					set label 850 + i '' at screen leg_x + leg_sample / 2, screen leg_y \
						point linetype leg_lt[i] pointtype leg_pt[i] pointsize psize(leg_ps[i]) front
				}
				set label 875 + i leg_text[i] at screen leg_x + leg_sample + 0.8 * leg_char, screen leg_y left front
				leg_x = leg_x + leg_w(i)
			}
		}
	}
}
