"""Stages 8–9: composed pages and the static site.

`pages` bakes lettered raster pages, `render` renders the theme into HTML.
"""
