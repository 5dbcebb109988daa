"""Media durations for the workflow helpers get_audio_duration and audio_timelines.

Through the process's `MediaFetcher`, so these URLs pass the same address
guard, size and time limits and URL cache as the media of an edit, and a file
measured here is not downloaded again when add_audios places it.

Errors, decided against capcut-mate's (which answers 2034 "获取音频时长失败"
for everything, a 404 included, `capcut-mate-api.md` §6.1 and §6.3):

- the URL is refused, unreachable or too large: the fetcher's own error
  (2005, 2004) naming the field (``mp3_url``, ``links[2]``), as for every other
  endpoint that takes media, because the caller has to fix the URL;
- the file arrived but gives no duration, because it is not media or is a
  still image: capcut-mate's 2034 (`AudioDurationFailed`), naming the field,
  since that is the one failure that is about the duration itself.

Any kind of media with a duration works, video included, as in capcut-mate.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from draftcut.disconnect import unless_client_leaves
from draftcut.errors import AudioDurationFailed, DraftcutError, MediaError, MediaUnreadable
from draftcut.media import FetchGroup, MediaFetcher, in_order

__all__ = ["audio_duration", "audio_durations"]


def _gone() -> DraftcutError:
    return MediaError("the client disconnected; the download was cancelled")


async def audio_duration(fetcher: MediaFetcher, url: str, *, field: str = "mp3_url") -> int:
    """The duration of the media at `url`, in µs (the probe's); the download stops if the client leaves."""
    return await unless_client_leaves(_duration(fetcher, url, field, None), _gone())


async def _duration(fetcher: MediaFetcher, url: str, field: str, group: FetchGroup | None) -> int:
    try:
        media = await fetcher.get(url, group=group)
    except MediaUnreadable as exc:
        raise AudioDurationFailed(exc.detail, url=url, field=field) from None
    except MediaError as exc:
        raise exc.at(field) from None
    duration = media.info.duration_us
    if media.info.kind == "image" or duration <= 0:
        raise AudioDurationFailed(f"{url}: a still image has no duration" if media.info.kind == "image"
                                  else f"{url}: the file has no duration", url=url, field=field)
    return duration


async def audio_durations(fetcher: MediaFetcher, urls: Sequence[str], *, field: str = "links") -> list[int]:
    """The durations of `urls`, in order, fetched concurrently (a few at a time: the request's `FetchGroup`).

    The first failure, by position, is raised and the other downloads are
    cancelled; so are all of them when the client disconnects.
    """
    if not urls:
        return []
    group = fetcher.new_group()

    jobs = [functools.partial(_duration, fetcher, url, f"{field}[{i}]", group) for i, url in enumerate(urls)]
    return await unless_client_leaves(in_order(jobs), _gone())
