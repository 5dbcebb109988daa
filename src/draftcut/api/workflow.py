"""Workflow helpers of capcut-mate's API: catalogs, sticker search, timelines, `*_infos` builders, adapters.

None of them touches a draft. `get_audio_duration` and `audio_timelines`
fetch media through the service's fetcher; `catalog` is draftcut's own
(an agent's way to find the exact names the `add_*` fields take).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from draftcut import media_helpers
from draftcut.api._route import JsonRoute
from draftcut.api.deps import drafts, ok
from draftcut.draft import lookups, workflow
from draftcut.schemas.workflow import (
    AudioInfosRequest,
    AudioTimelinesRequest,
    CatalogRequest,
    EffectInfosRequest,
    FilterInfosRequest,
    GetAudioDurationRequest,
    GetEffectsRequest,
    GetFiltersRequest,
    GetImageAnimationsRequest,
    GetUrlRequest,
    ImgsInfosRequest,
    KeyframesInfosRequest,
    ObjsToStrListRequest,
    SearchStickerRequest,
    StrListToObjsRequest,
    StrToListRequest,
    TimelinesRequest,
    VideoInfosRequest,
)

router = APIRouter(route_class=JsonRoute)


@router.post("/get_image_animations")
async def get_image_animations(request: Request, req: GetImageAnimationsRequest | None = None) -> dict[str, Any]:
    """Image in/out/loop animations; `name` is the value for add_images' *_animation fields."""
    return ok(request, lookups.image_animations(req or GetImageAnimationsRequest()))


@router.post("/get_filters")
async def get_filters(request: Request, req: GetFiltersRequest | None = None) -> dict[str, Any]:
    """Every filter; `name` is the value for add_filters' `filter_title`."""
    return ok(request, lookups.filters((req or GetFiltersRequest()).mode))


@router.post("/get_effects")
async def get_effects(request: Request, req: GetEffectsRequest | None = None) -> dict[str, Any]:
    """Every video effect, scene and character (`kind`); `name` is the value for add_effects' `effect_title`."""
    return ok(request, lookups.effects((req or GetEffectsRequest()).mode))


@router.post("/search_sticker")
async def search_sticker(request: Request, req: SearchStickerRequest) -> dict[str, Any]:
    """Up to 50 stickers whose title contains `keyword` (any case); `sticker_id` is the value for add_sticker."""
    return ok(request, lookups.search_sticker(req.keyword))


@router.post("/catalog")
async def catalog(request: Request, req: CatalogRequest) -> dict[str, Any]:
    """One page of a name catalog, searched by Chinese name, English alias or pinyin; for agents.

    In a worker thread: the first search of a kind builds its pinyin index
    (a few hundred milliseconds for the large catalogs).
    """
    return ok(request, await asyncio.to_thread(lookups.list_catalog, req))


@router.post("/get_audio_duration")
async def get_audio_duration(request: Request, req: GetAudioDurationRequest) -> dict[str, Any]:
    """The duration (µs) of the media at `mp3_url`."""
    return ok(request, {"duration": await media_helpers.audio_duration(drafts(request).fetcher, req.mp3_url)})


@router.post("/timelines")
async def timelines(request: Request, req: TimelinesRequest) -> dict[str, Any]:
    """Cut a duration into `num` pieces, equal or random (the same pieces for the same request)."""
    return ok(request, workflow.timelines(req))


@router.post("/audio_timelines")
async def audio_timelines(request: Request, req: AudioTimelinesRequest) -> dict[str, Any]:
    """Back-to-back timelines, one per audio file of `links`, from each file's duration."""
    durations = await media_helpers.audio_durations(drafts(request).fetcher, req.links)
    return ok(request, workflow.audio_timelines(durations))


@router.post("/audio_infos")
async def audio_infos(request: Request, req: AudioInfosRequest) -> dict[str, Any]:
    """Zip audio URLs and timelines into the JSON string add_audios takes."""
    return ok(request, workflow.audio_infos(req))


@router.post("/imgs_infos")
async def imgs_infos(request: Request, req: ImgsInfosRequest) -> dict[str, Any]:
    """Zip image URLs and timelines into the JSON string add_images takes (`a|b` names: one per image)."""
    return ok(request, workflow.imgs_infos(req))


@router.post("/effect_infos")
async def effect_infos(request: Request, req: EffectInfosRequest) -> dict[str, Any]:
    """Zip effect names and timelines into the JSON string add_effects takes."""
    return ok(request, workflow.effect_infos(req))


@router.post("/filter_infos")
async def filter_infos(request: Request, req: FilterInfosRequest) -> dict[str, Any]:
    """Zip filter names, timelines and intensities into the JSON string add_filters takes."""
    return ok(request, workflow.filter_infos(req))


@router.post("/keyframes_infos")
async def keyframes_infos(request: Request, req: KeyframesInfosRequest) -> dict[str, Any]:
    """Keyframes at percentages of each segment, as the JSON string add_keyframes takes."""
    return ok(request, workflow.keyframes_infos(req))


@router.post("/video_infos")
async def video_infos(request: Request, req: VideoInfosRequest) -> dict[str, Any]:
    """Zip video URLs and timelines into the JSON string add_videos takes."""
    return ok(request, workflow.video_infos(req))


@router.post("/get_url")
async def get_url(request: Request, req: GetUrlRequest) -> dict[str, Any]:
    """`output` unchanged (capcut-mate's Coze adapter; it extracts nothing, whatever its docs say)."""
    return ok(request, {"output": req.output})


@router.post("/str_to_list")
async def str_to_list(request: Request, req: StrToListRequest) -> dict[str, Any]:
    """`infos`: `[obj]`."""
    return ok(request, workflow.str_to_list(req.obj))


@router.post("/str_list_to_objs")
async def str_list_to_objs(request: Request, req: StrListToObjsRequest) -> dict[str, Any]:
    """`infos`: each string wrapped as `{"output": s}`."""
    return ok(request, workflow.str_list_to_objs(req.infos))


@router.post("/objs_to_str_list")
async def objs_to_str_list(request: Request, req: ObjsToStrListRequest) -> dict[str, Any]:
    """`infos`: the `output` of each object."""
    return ok(request, workflow.objs_to_str_list(o.output for o in req.outputs))
