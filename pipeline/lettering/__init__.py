"""Stage 7: lettering, as geometry computed once and drawn twice.

`place` decides where balloons, captions and tails go; `draw` draws that geometry as SVG
(the reader) and into pixels (baked pages); `fonts` measures and breaks lines.
"""
