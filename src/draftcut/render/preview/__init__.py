"""Previews: one composited frame, and warm drafts kept ready for scrubbing.

A warm draft keeps decoders open (`decoders`), hands decoded frames to the
same graphs a render uses (`inputs`) and keeps a spare ffmpeg started
(`spare`).
"""
