"""Safe media fetching: URL checks, guarded download, PyAV probe, content-addressed cache.

Public API: `MediaFetcher.get(url, group=) -> MediaFile` (`MediaFetcher.new_group()`
for the URLs of one request), `probe_file(path) -> MediaInfo` and
`check_url(url, allowed_hosts)` for validating a URL up front.
"""

from draftcut.media._admission import DownloadSlots, FetchGroup
from draftcut.media._batch import in_order
from draftcut.media._fetch import MediaFetcher, blob_key_for
from draftcut.media._guard import check_url
from draftcut.media._probe import probe_file
from draftcut.media._types import MediaFile, MediaInfo, MediaKind

__all__ = [
    "DownloadSlots",
    "FetchGroup",
    "MediaFetcher",
    "MediaFile",
    "MediaInfo",
    "MediaKind",
    "blob_key_for",
    "check_url",
    "in_order",
    "probe_file",
]
