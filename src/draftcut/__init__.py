"""draftcut: build Jianying/CapCut drafts over capcut-mate's HTTP API and render them with ffmpeg."""

from draftcut.errors import DraftcutError

__all__ = ["DraftcutError", "__version__"]
__version__ = "0.1.0"
