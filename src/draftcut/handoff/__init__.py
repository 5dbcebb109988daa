"""Hand-off of drafts from a server to the desktop apps (Jianying, CapCut) on this machine."""
