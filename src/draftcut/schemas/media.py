"""Request models of the media endpoints (create_draft, add_videos, add_audios, add_images).

Field names, defaults and ranges follow `capcut-mate-api.md` §2–3 and the seed
docs, taking the union where they differ.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from draftcut.schemas._fields import (
    MAX_ITEMS,
    AnimDuration,
    AppName,
    Dimension,
    DraftUrlRequest,
    Finite,
    Micros,
    Name,
    OptMicros,
    TimeRange,
    TransitionMicros,
    Url,
    json_list,
    optional_json_list,
)

__all__ = ["AddAudiosRequest", "AddImagesRequest", "AddVideosRequest", "AudioInfo", "CreateDraftRequest",
           "ImageInfo", "SceneTimeline", "VideoInfo"]


class VideoInfo(TimeRange):
    video_url: Url
    duration: OptMicros
    width: Dimension
    height: Dimension
    mask: Name
    transition: Name
    transition_duration: TransitionMicros
    volume: Annotated[Finite, Field(ge=0.0, le=10.0)] = 1.0


class AudioInfo(TimeRange):
    audio_url: Url
    duration: OptMicros
    volume: Annotated[Finite, Field(ge=0.0, le=2.0)] = 1.0
    audio_effect: Name
    fade_in: Micros = 0
    fade_out: Micros = 0

    @model_validator(mode="after")
    def _fades_fit(self) -> AudioInfo:
        if self.fade_in + self.fade_out > self.end - self.start:
            raise ValueError(
                f"fade_in + fade_out ({self.fade_in + self.fade_out}) exceeds the played duration "
                f"end - start ({self.end - self.start})")
        return self


class ImageInfo(TimeRange):
    image_url: Url
    width: Dimension
    height: Dimension
    in_animation: Name
    out_animation: Name
    loop_animation: Name
    in_animation_duration: AnimDuration
    out_animation_duration: AnimDuration
    loop_animation_duration: AnimDuration
    transition: Name
    transition_duration: TransitionMicros


class SceneTimeline(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start: Micros
    end: Micros


class CreateDraftRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    width: Annotated[int, Field(ge=1, le=16384)] = 1920
    height: Annotated[int, Field(ge=1, le=16384)] = 1080
    app: Annotated[AppName, Field(
        description="The app the draft is for: jianying (剪映, default) or capcut. It sets the draft's "
                    "platform fields and the catalogs its names resolve against.")] = "jianying"


class _Placement(DraftUrlRequest):
    alpha: Annotated[Finite, Field(ge=0.0, le=1.0)] = 1.0
    scale_x: Annotated[Finite, Field(gt=0.0, le=100.0)] = 1.0
    scale_y: Annotated[Finite, Field(gt=0.0, le=100.0)] = 1.0
    transform_x: Annotated[Finite, Field(ge=-100_000, le=100_000)] = 0.0
    transform_y: Annotated[Finite, Field(ge=-100_000, le=100_000)] = 0.0


class AddVideosRequest(_Placement):
    video_infos: Annotated[list[VideoInfo], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]
    scene_timelines: Annotated[Annotated[list[SceneTimeline], Field(max_length=MAX_ITEMS)] | None,
                               BeforeValidator(optional_json_list)] = None


class AddAudiosRequest(DraftUrlRequest):
    audio_infos: Annotated[list[AudioInfo], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]


class AddImagesRequest(_Placement):
    image_infos: Annotated[list[ImageInfo], BeforeValidator(json_list), Field(max_length=MAX_ITEMS)]
