"""The renderer's data, shared by every stage.

The timeline a draft is read into, exact time maths, curves, what the
caller asks for (`spec`) and what the planner knows of the media
(`resources`). Plain frozen data, no I/O.
"""
