"""Stage 4: story nodes, written by a text engine or committed by the writer.

`nodes` turns resolved stories into nodes, `committed` reads and writes
`stories/<id>.nodes.yaml`, `generate` runs a model-backed engine into that file.
"""
