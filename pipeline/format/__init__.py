"""The story format's vocabulary: what a writer may write, as data.

Models of the files (`model`), committed story nodes (`nodes_model`), shots and angles
(`camera`), the seed's size rules (`sizes`), page layouts (`layouts`), ids (`slugs`) and
image rules (`images`). Mirrors docs/format.md; imports nothing else of the pipeline.
"""
