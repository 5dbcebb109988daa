"""Stage 2, plan: Timeline + probed resources + spec → time windows of ffmpeg filter graphs.

Pure: no av, no subprocess (a test walks the imports).
"""
