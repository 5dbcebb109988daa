"""Every error draftcut raises on purpose, in one tree.

    DraftcutError                      9998  500
    ├── InvalidParam                   1001  400   (bad field value, bad JSON, wrong type)
    │   ├── InvalidVideoInfo           2003  400
    │   ├── InvalidAudioInfo           2007  400
    │   ├── InvalidImageInfo           2009  400
    │   ├── InvalidStickerInfo         2011  400
    │   ├── InvalidKeyframeInfo        2013  400
    │   ├── SegmentNotFound            2015  404   (a segment_id the draft does not have)
    │   ├── InvalidSegmentType         2016  400   (a segment of a kind the edit does not apply to)
    │   ├── InvalidCaptionInfo         2018  400
    │   ├── InvalidEffectInfo          2020  400
    │   ├── InvalidMaskInfo            2023  400
    │   ├── InvalidFilterInfo          2037  400
    │   ├── InvalidSrt                 3005  400   (malformed SRT: names the cue and the line)
    │   ├── InvalidRenderRange         3022  400   (gen_video start/end, render --from/--to: outside the timeline)
    │   └── NameNotFound               3000  400   (catalog look-ups; only with DRAFTCUT_STRICT_NAMES)
    │       ├── TransitionNotFound     3001  400
    │       ├── AnimationNotFound      3002  400
    │       ├── FontNotFound           3003  400
    │       ├── EffectNotFound         2022  400
    │       ├── MaskNotFound           2025  400
    │       └── FilterNotFound         2039  400
    ├── BodyTooLarge                    413  413   (request body over DRAFTCUT_MAX_BODY_BYTES)
    ├── AuthenticationFailed           1004  401   (DRAFTCUT_API_KEYS: no key, or not a live one)
    ├── RateLimited                    3030  429   (the key's requests per minute are used up)
    ├── BackendUnavailable             3050  503   (scale-out: PostgreSQL, Redis or S3 did not answer; Retry-After)
    ├── DraftError                     2001  400
    │   ├── InvalidDraftUrl            2001  400
    │   ├── DraftNotFound              2001  404
    │   ├── DraftBusy                  2042  503
    │   ├── SegmentOverlap             3004  409
    │   └── DraftMediaGone             3006  410   (export_draft: a media file is no longer stored)
    ├── MediaError                     2005  400
    │   ├── MediaRefused               2005  400   (scheme, host or address not allowed)
    │   ├── MediaUnreachable           2005  404   (DNS, connect, timeout, HTTP 4xx/5xx)
    │   ├── MediaTooLarge              2004  400
    │   ├── MediaUnreadable            3010  400   (bytes are not decodable media)
    │   ├── ImageTooLarge              3011  400   (declared size over DRAFTCUT_MEDIA_MAX_IMAGE_BYTES)
    │   └── AudioDurationFailed        2034  400   (get_audio_duration, audio_timelines: no duration in the file)
    ├── RenderError                    3020  500
    │   ├── RenderFailed               3020  500   (ffmpeg exited non-zero)
    │   └── EmptyDraft                 3021  400
    ├── JobError                       2032  500
    │   ├── JobNotFound                2031  404
    │   └── QueueFull                  2030  503
    └── ImportRefused                  3040  400   (import_draft, `draftcut render x.zip`: hostile or oversize zip)
        ├── EncryptedDraft             3041  400   (the app encrypted the timeline: Jianying 6+ on Windows)
        └── NotADraft                  3042  400   (no timeline file, or one that is not a draft)

`code` is capcut-mate's numeric error code (its `exceptions.py`), so clients
that branch on it keep working. A code capcut-mate has keeps capcut-mate's
meaning and its message (`zh`/`en`, the reference's §1.3 table, checked by
tests/test_error_codes.py); what differs goes in the detail. Conditions
capcut-mate does not have get codes of their own, 3000 and up (413 is the
HTTP status, as capcut-mate reports non-200 answers); `status` is the HTTP status the seed docs
name for the same failure. `field` names the request field at fault, e.g.
``video_infos[2].end``: the seed docs and our users want to know *which*
value to fix, not only that something was wrong.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AnimationNotFound",
    "AudioDurationFailed",
    "AuthenticationFailed",
    "BackendUnavailable",
    "BodyTooLarge",
    "DraftBusy",
    "DraftMediaGone",
    "DraftError",
    "DraftNotFound",
    "DraftcutError",
    "EffectNotFound",
    "EmptyDraft",
    "EncryptedDraft",
    "FilterNotFound",
    "FontNotFound",
    "ImageTooLarge",
    "ImportRefused",
    "InvalidAudioInfo",
    "InvalidCaptionInfo",
    "InvalidDraftUrl",
    "InvalidEffectInfo",
    "InvalidFilterInfo",
    "InvalidImageInfo",
    "InvalidKeyframeInfo",
    "InvalidMaskInfo",
    "InvalidParam",
    "InvalidRenderRange",
    "TimelineTooLong",
    "InvalidSegmentType",
    "InvalidSrt",
    "InvalidStickerInfo",
    "InvalidVideoInfo",
    "JobError",
    "JobNotFound",
    "MaskNotFound",
    "MediaError",
    "MediaRefused",
    "MediaTooLarge",
    "MediaUnreachable",
    "MediaUnreadable",
    "NameNotFound",
    "NotADraft",
    "QueueFull",
    "RateLimited",
    "RenderError",
    "RenderFailed",
    "SegmentNotFound",
    "SegmentOverlap",
    "TransitionNotFound",
]


class DraftcutError(Exception):
    """Root of the tree; also what an unexpected failure is reported as."""

    code: ClassVar[int] = 9998
    status: ClassVar[int] = 500
    zh: ClassVar[str] = "系统内部错误"
    en: ClassVar[str] = "Internal server error"

    def __init__(self, detail: str = "", *, field: str | None = None) -> None:
        self.detail = detail
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        """`field: detail`, the part that tells the caller what to fix."""
        if self.field and self.detail:
            return f"{self.field}: {self.detail}"
        return self.field or self.detail

    def message(self, lang: str = "zh") -> str:
        """capcut-mate's message format: `<message>(<detail>)`."""
        base = self.en if lang == "en" else self.zh
        detail = self.describe()
        return f"{base}({detail})" if detail else base

    def at(self, prefix: str) -> DraftcutError:
        """Prefix the field path: ``end`` raised in item 2 becomes ``video_infos[2].end``."""
        if not self.field:
            self.field = prefix
        else:
            self.field = prefix + ("" if self.field.startswith("[") else ".") + self.field
        self.args = (self.describe(),)
        return self


class InvalidParam(DraftcutError):
    code, status = 1001, 400
    zh, en = "参数校验失败", "Parameter validation failed"


class InvalidVideoInfo(InvalidParam):
    code = 2003
    zh = "无效的视频信息，请检查video_infos字段值是否正确"
    en = "Invalid video information, please check if the value of the video_infos field is correct."


class InvalidAudioInfo(InvalidParam):
    code = 2007
    zh = "无效的音频信息，请检查audio_infos字段值是否正确"
    en = "Invalid audio information, please check if the value of the audio_infos field is correct."


class InvalidImageInfo(InvalidParam):
    code = 2009
    zh = "无效的图片信息，请检查image_infos字段值是否正确"
    en = "Invalid image information, please check if the value of the image_infos field is correct."


class InvalidStickerInfo(InvalidParam):
    code = 2011
    zh = "无效的贴纸信息，请检查贴纸参数是否正确"
    en = "Invalid sticker information, please check the sticker parameters."


class InvalidKeyframeInfo(InvalidParam):
    code = 2013
    zh = "无效的关键帧信息，请检查keyframes字段值是否正确"
    en = "Invalid keyframe information, please check if the value of the keyframes field is correct."


class SegmentNotFound(InvalidParam):
    code, status = 2015, 404
    zh = "片段未找到，请检查segment_id是否正确"
    en = "Segment not found, please check if the segment_id is correct."


class InvalidSegmentType(InvalidParam):
    """capcut-mate's message names keyframes; it raises the code for masks too, and so do we."""

    code = 2016
    zh = "无效的片段类型，该片段不支持关键帧"
    en = "Invalid segment type, this segment does not support keyframes."


class InvalidEffectInfo(InvalidParam):
    code = 2020
    zh = "无效的特效信息，请检查effect_infos字段值是否正确"
    en = "Invalid effect information, please check if the value of the effect_infos field is correct."


class InvalidMaskInfo(InvalidParam):
    code = 2023
    zh = "无效的遮罩信息，请检查遮罩参数是否正确"
    en = "Invalid mask information, please check the mask parameters."


class InvalidFilterInfo(InvalidParam):
    code = 2037
    zh = "无效的滤镜信息，请检查 filter_infos 字段值是否正确"
    en = "Invalid filter information, please check if the value of the filter_infos field is correct."


class InvalidCaptionInfo(InvalidParam):
    code = 2018
    zh = "无效的字幕信息，请检查captions字段值是否正确"
    en = "Invalid caption information, please check if the value of the captions field is correct."


class InvalidSrt(InvalidParam):
    """SRT text that does not parse; the detail names the cue number and the line."""

    code = 3005
    zh, en = "无效的SRT字幕，请检查srt字段", "Invalid SRT subtitles, please check the srt field."


class NameNotFound(InvalidParam):
    """A transition, mask, effect, font or animation name that no catalog knows.

    Raised only under `DRAFTCUT_STRICT_NAMES`; by default the name is ignored,
    as capcut-mate ignores it, and reported in the response's `warnings`.
    """

    code = 3000
    zh, en = "名称未找到，请检查名称是否正确", "Name not found, please check the name."


class TransitionNotFound(NameNotFound):
    code = 3001
    zh, en = "转场效果未找到，请检查转场名称是否正确", "Transition not found, please check the transition name."


class AnimationNotFound(NameNotFound):
    code = 3002
    zh, en = "动画未找到，请检查动画名称是否正确", "Animation not found, please check the animation name."


class FontNotFound(NameNotFound):
    code = 3003
    zh, en = "字体未找到，请检查字体名称是否正确", "Font not found, please check the font name."


class EffectNotFound(NameNotFound):
    code = 2022
    zh = "特效未找到，请检查特效名称是否正确"
    en = "Effect not found, please check if the effect name is correct."


class MaskNotFound(NameNotFound):
    code = 2025
    zh = "遮罩类型未找到，请检查遮罩名称是否正确"
    en = "Mask type not found, please check if the mask name is correct."


class FilterNotFound(NameNotFound):
    code = 2039
    zh = "滤镜未找到，请检查滤镜名称是否正确"
    en = "Filter not found, please check if the filter name is correct."


class BodyTooLarge(DraftcutError):
    """The request body is over `DRAFTCUT_MAX_BODY_BYTES` (too many items in a list is a 400 naming it).

    Its code is the HTTP status, as capcut-mate reports its non-200 answers.
    """

    code, status = 413, 413
    zh, en = "请求体过大", "Request body too large"


class AuthenticationFailed(DraftcutError):
    """`DRAFTCUT_API_KEYS` is on and the request carries no key, or one that is unknown or revoked."""

    code, status = 1004, 401
    zh, en = "认证失败", "Authentication failed"


class RateLimited(DraftcutError):
    """The key's requests per minute are used up; `retry_after` is when the next one is allowed (seconds)."""

    code, status = 3030, 429
    zh, en = "请求过于频繁，请稍后再试", "Too many requests, please retry later"

    def __init__(self, detail: str = "", *, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(detail)


class BackendUnavailable(DraftcutError):
    """A shared backend of the scale-out setup (PostgreSQL, Redis, the S3 server) did not answer.

    Nothing was changed, and the same request can simply be sent again:
    `retry_after` (seconds) goes out as ``Retry-After``. The service recovers
    by itself once the backend is back; no restart is needed.
    """

    code, status = 3050, 503
    zh, en = "存储或队列服务暂不可用，请稍后重试", "A storage or queue backend is unavailable, please retry"

    def __init__(self, detail: str = "", *, retry_after: int = 2, field: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(detail, field=field)


class DraftError(DraftcutError):
    code, status = 2001, 400
    zh, en = "无效的草稿URL", "Invalid draft URL"


class InvalidDraftUrl(DraftError):
    """No usable draft id in the URL, or an id of the wrong shape."""


class DraftNotFound(DraftError):
    """capcut-mate answers 2001 (invalid draft URL) for a draft it does not have; so do we."""

    status = 404

    def __init__(self, draft_id: str, *, field: str | None = "draft_url") -> None:
        self.draft_id = draft_id
        super().__init__(f"no draft {draft_id}", field=field)


class SegmentOverlap(DraftError):
    code, status = 3004, 409
    zh, en = "片段重叠", "Segments overlap"


class DraftMediaGone(DraftError):
    """A media file the draft lists is no longer in storage (removed by hand, or a broken restore)."""

    code, status = 3006, 410
    zh, en = "草稿的媒体文件已不在存储中", "A media file of the draft is no longer stored"


class DraftBusy(DraftError):
    code, status = 2042, 503
    zh = "草稿锁获取超时，同一时间只允许一个操作"
    en = "Draft lock acquisition timeout, only one operation allowed at a time"


class MediaError(DraftcutError):
    code, status = 2005, 400
    zh, en = "下载文件失败", "Download file failed"

    def __init__(self, detail: str = "", *, url: str = "", field: str | None = None) -> None:
        self.url = url
        super().__init__(detail, field=field)


class MediaRefused(MediaError):
    """The URL names a scheme, host or address we will not fetch from."""


class MediaUnreachable(MediaError):
    status = 404


class MediaTooLarge(MediaError):
    code = 2004
    zh, en = "文件大小超出限制", "File size exceeds the limit"


class MediaUnreadable(MediaError):
    code = 3010
    zh, en = "无法解析的媒体文件", "The file is not readable media"


class ImageTooLarge(MediaError):
    """An image whose declared width × height × bytes per pixel is over the decode cap."""

    code = 3011
    zh, en = "图片尺寸超出限制", "Image dimensions exceed the limit"


class RenderError(DraftcutError):
    code = 3020
    zh, en = "视频渲染失败", "Video rendering failed"


class RenderFailed(RenderError):
    """ffmpeg ran and failed; carries what is needed to see why."""

    def __init__(self, detail: str = "", *, cmd: list[str] | None = None,
                 returncode: int | None = None, stderr_tail: str = "") -> None:
        self.cmd = cmd or []
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        super().__init__(detail or f"ffmpeg exited with {returncode}: {stderr_tail[-500:]}")


class EmptyDraft(RenderError):
    code, status = 3021, 400
    zh, en = "草稿内容为空", "Draft content is empty"


class InvalidRenderRange(InvalidParam):
    """A time range to render that is not a part of the timeline: negative, empty, reversed or past its end.

    A parameter error, not a render failure: the field says which end to fix
    (gen_video's `start`/`end`, the CLI's ``--from``/``--to``).
    """

    code, status = 3022, 400
    zh, en = "渲染时间范围无效", "Invalid render time range"


class TimelineTooLong(InvalidParam):
    """A timeline longer than the service renders (`DRAFTCUT_RENDER_MAX_SECONDS`).

    The output is as long as the draft's timeline (its `duration`, or its last
    segment of any kind); an imported draft can claim any length, and a render
    of it must not occupy a worker for days.
    """

    code, status = 3023, 400
    zh, en = "时间线过长", "Timeline too long to render"


class JobError(DraftcutError):
    code = 2032
    zh, en = "视频任务状态查询失败", "Video task status query failed"


class JobNotFound(JobError):
    code, status = 2031, 404
    zh, en = "视频生成任务未找到", "Video generation task not found"


class QueueFull(JobError):
    code, status = 2030, 503
    zh, en = "视频生成任务提交失败", "Video generation task submission failed"


class AudioDurationFailed(MediaError):
    """The file was fetched but has no duration to give: not media (capcut-mate's ffprobe fails), or a still image.

    capcut-mate answers 2034 for every failure of get_audio_duration and
    audio_timelines, downloads included; a download or guard failure keeps
    its own code here (2005, 2004), because that is the error a client can act on.
    """

    code = 2034
    zh, en = "获取音频时长失败", "Get audio duration failed"


class ImportRefused(DraftcutError):
    """An uploaded draft (a zip, or a timeline and its media) that is refused before anything is stored.

    Raised for what could harm the server (a member leaving the folder, a link,
    too many members, too many bytes once unpacked, a zip bomb) and for a broken
    upload; the detail names the member or the part at fault.
    """

    code, status = 3040, 400
    zh, en = "草稿导入被拒绝", "Draft import refused"


class EncryptedDraft(ImportRefused):
    """The timeline file is the app's ciphertext (Jianying 6+ on Windows encrypts what it saves).

    The key is inside the app and we do not break it; the detail says which builds write plain drafts.
    """

    code = 3041
    zh, en = "草稿已被剪映加密，无法导入", "The draft is encrypted by the app and cannot be imported"


class NotADraft(ImportRefused):
    """No `draft_content.json`/`draft_info.json` where a draft keeps it, or one that is not a timeline."""

    code = 3042
    zh, en = "不是剪映/CapCut草稿", "Not a Jianying/CapCut draft"
