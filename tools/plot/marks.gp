# tools/plot/marks.gp - phase marks as dashed vertical lines, each ending at
# its label in the strip above the graph (lanes chosen by prepare.awk so that
# no two labels overlap). Set graph_top (screen y of the graph's top edge) and
# with_labels (1: draw the labels, 0: only the lines) before loading it.

# A label hides the lines of later marks that pass behind it (white box).
set style textbox opaque noborder margins 0.5, 0.2
do for [i = 1:nmarks] {
	lane_y = graph_top + (0.75 + (mark_lane[i] - 1) * 1.15) * line_h
	if (with_labels) {
		set arrow 700 + i from first mark_x[i], graph 0 to first mark_x[i], screen lane_y \
			nohead dashtype 2 linecolor rgb '#555555' linewidth 2 back
		if (mark_align[i] eq 'left') {
			set label 700 + i mark_text[i] at first mark_x[i], screen lane_y left offset character 0.4, 0 textcolor rgb '#222222' boxed front
		} else {
			set label 700 + i mark_text[i] at first mark_x[i], screen lane_y right offset character -0.4, 0 textcolor rgb '#222222' boxed front
		}
	} else {
		set arrow 700 + i from first mark_x[i], graph 0 to first mark_x[i], graph 1 \
			nohead dashtype 2 linecolor rgb '#555555' linewidth 2 back
		unset label 700 + i
	}
}
