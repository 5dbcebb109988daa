"""Stage 3, run: probe the media, write each job's files, run the ffmpeg jobs, join the windows.

Also the inputs a plan needs drawn before ffmpeg starts (text rasters,
mask images) and the progress figure callers see.
"""
