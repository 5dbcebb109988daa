"""Stage 1, read: a draft (dict, JSON file or folder) → the `Timeline` model.

Tolerant of every form the apps write; what it cannot read it reports as
`Unsupported`. Name tables (transitions, animations, looks, mix modes,
audio effects) resolve here, so later stages see only the renderer's own keys.
"""
