"""Renderers: a Plan becomes the text of each artifact a user takes away."""
