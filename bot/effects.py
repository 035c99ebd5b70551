"""Effects become outbox rows and jobs inside the handler's own transaction: a DM or a post exists
exactly when the change it announces was committed."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.types import (
    Attachment,
    Button,
    Edit,
    Effect,
    Message,
    Notify,
    Pick,
    Post,
    Refresh,
    Relist,
    Render,
    Schedule,
    Unschedule,
)
from storage import jobs, listings, outbox, unreached
from storage.db import Work, once_before_commit
from storage.lease import FAILED, PENDING
from storage.members import Member, MemberIdentity
from storage.sql import nonnull

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Channel
    from bot.i18n import Translator


T = TypeVar("T")

def to_payload(message: Message) -> dict[str, Any]:
    return {
        "text": message.text,
        "buttons": [{"label": b.label, "command": b.command, "style": b.style} for b in message.buttons],
        "attachments": [
            {"filename": a.filename, "mime": a.mime, "title": a.title, "data": base64.b64encode(a.data).decode()}
            for a in message.attachments
        ],
        "ping": message.ping,
        "lang": message.lang,
        **({"picks": [{"placeholder": p.placeholder, "command": p.command, "source": p.source}
                      for p in message.picks]} if message.picks else {}),
    }


def from_payload(payload: dict[str, Any]) -> Message:
    return Message(
        payload["text"],
        tuple(Button(**b) for b in payload.get("buttons", ())),
        tuple(Attachment(a["filename"], base64.b64decode(a["data"]), a["mime"], a.get("title", ""))
              for a in payload.get("attachments", ())),
        payload.get("ping", False),
        payload.get("lang"),
        tuple(Pick(**p) for p in payload.get("picks", ())),
    )


def rendered(render: Render, tr: Translator) -> dict[str, Any]:
    """A payload rendered in one language, marked with it."""
    return to_payload(replace(render(tr), lang=tr.lang))


async def store(app: App, session: AsyncSession, effects: tuple[Effect, ...], now: datetime) -> None:
    """``now`` is the command's (or job's) moment: every row stored for it is due and created then."""
    for effect in effects:
        match effect:
            case Notify():
                await _notify(app, session, effect, now)
            case Post():
                await _post(app, session, effect, now)
            case Edit():
                await once_before_commit(session, ("edit", effect.ref),
                                         _edit(app, effect.ref, _as_is(effect.render), now))
            case Refresh():
                await once_before_commit(session, ("edit", effect.ref), _edit(app, effect.ref, effect.compose, now))
            case Schedule():
                await jobs.schedule(session, effect.key, effect.job, effect.due, dict(effect.args))
            case Unschedule():
                await jobs.unschedule(session, effect.key)
            case Relist():
                await _relist(app, session, effect, now)


def _edit(app: App, ref: str, compose: Callable[[AsyncSession], Awaitable[Render]], now: datetime) -> Work[None]:
    """Queued once per write batch with the latest content: a burst of joins renders and queues one edit,
    not one per join (edits are coalesced at delivery anyway)."""
    async def queue(session: AsyncSession) -> None:
        render = await compose(session)
        tr = app.catalogs.get(await _posted_lang(app, session, ref))
        await outbox.queue_edit(session, ref, rendered(render, tr), now, app.edit_interval)
    return queue


def _as_is(render: Render) -> Callable[[AsyncSession], Awaitable[Render]]:
    async def compose(_session: AsyncSession) -> Render:
        return render
    return compose


async def _notify(app: App, session: AsyncSession, effect: Notify, now: datetime) -> None:
    """One row per recipient, rendered in their language, on the platform they used last (a platform that
    reaches every member by name, :attr:`bot.platforms.Platform.by_name`, unless they have an account on another).
    An account that refused DMs for good (:mod:`storage.unreached`) gets its row failed, never sent."""
    if not effect.member_ids:
        return
    by_name = [p for p in app.platforms if app.config.platforms[p].by_name]
    others = [p for p in app.platforms if p not in by_name]
    targets: dict[int, tuple[str, str, str | None]] = {}
    refused: dict[tuple[str, str], str] = {}  # accounts known to refuse DMs: their rows are failed at once
    for chunk in _chunks(list(dict.fromkeys(effect.member_ids)), 5000):
        refused.update(await unreached.among(session, chunk))
        if by_name:  # every member, by name
            named = await session.exec(select(nonnull(Member.id), Member.name, Member.lang)
                                       .where(col(Member.id).in_(chunk)))
            for member_id, name, lang in named.all():
                for platform in by_name:
                    targets[member_id] = (platform, name, lang)
        if others:
            accounts = await session.exec(
                select(MemberIdentity.member_id, MemberIdentity.platform, MemberIdentity.user_id, Member.lang)
                .join(Member, col(Member.id) == MemberIdentity.member_id)
                .where(col(MemberIdentity.member_id).in_(chunk), col(MemberIdentity.platform).in_(others))
                .order_by(col(MemberIdentity.last_seen).asc().nulls_first(), col(MemberIdentity.id))
            )
            for member_id, platform, user_id, lang in accounts.all():
                targets[member_id] = (platform, user_id, lang)  # the account seen last wins
    rendered = _per_language(app, effect.render, {lang for _p, _u, lang in targets.values()})
    due = effect.due or now
    rows: list[dict[str, Any]] = [
        {"kind": "dm", "platform": platform, "target": user_id, "member_id": member_id,
         "payload": rendered[lang], "batch": effect.batch, "due_at": due, "attempts": 0,
         "dedupe": f"{effect.key}:{member_id}" if effect.key else None,
         **({"status": FAILED, "error": f"{unreached.UNREACHED}:{refused[platform, user_id]}"}
            if (platform, user_id) in refused else {"status": PENDING, "error": None})}
        for member_id, (platform, user_id, lang) in targets.items()
    ]
    for batch in _chunks(rows, 2000):
        await outbox.add(session, batch, now)


async def _relist(app: App, session: AsyncSession, effect: Relist, now: datetime) -> None:
    platforms = [p for p in app.platforms if app.config.platforms[p].lists_events(app.config)]
    if platforms:
        await listings.queue(session, platforms, effect.ref, _channel_lang(app, effect.channel), now)


def _channel_lang(app: App, name: str | None) -> str:
    """A channel speaks its configured ``lang``; an unconfigured one the campaign's default."""
    channel = app.config.channels.get(name) if name else None
    return channel.lang if channel else app.config.campaign.default_lang


async def _posted_lang(app: App, session: AsyncSession, ref: str) -> str:
    """An edit keeps the language of the post it replaces: that of the channel it was posted to."""
    found = (await session.exec(
        select(outbox.OutboxItem.platform, outbox.OutboxItem.target)
        .where(outbox.OutboxItem.ref == ref, outbox.OutboxItem.kind == "post").limit(1))).first()
    if found is None:
        return _channel_lang(app, None)
    platform, target = found
    names = [name for name, channel in app.config.channels.items() if _target(app, platform, name, channel) == target]
    return _channel_lang(app, names[0] if names else None)


def _target(app: App, platform: str, name: str, channel: Channel | None) -> str | None:
    """Where ``platform`` posts to the channel config calls ``name``."""
    return app.config.platforms[platform].channel(name, channel.id_on(platform) if channel else None)


async def _post(app: App, session: AsyncSession, effect: Post, now: datetime) -> None:
    channel = app.config.channels.get(effect.channel)
    payload = rendered(effect.render, app.catalogs.get(_channel_lang(app, effect.channel)))
    rows: list[dict[str, Any]] = []
    for platform in app.platforms:
        target = _target(app, platform, effect.channel, channel)
        if target:
            rows.append({"kind": "post", "platform": platform, "target": target, "ref": effect.ref, "payload": payload,
                         "status": PENDING, "attempts": 0, "dedupe": None})
    await outbox.add(session, rows, now)


def _per_language(app: App, render: Render, langs: set[str | None]) -> dict[str | None, dict[str, Any]]:
    by_catalog: dict[str, dict[str, Any]] = {}
    out: dict[str | None, dict[str, Any]] = defaultdict(dict)
    for lang in langs:
        tr = app.catalogs.get(lang)
        if tr.lang not in by_catalog:
            by_catalog[tr.lang] = rendered(render, tr)
        out[lang] = by_catalog[tr.lang]
    return out


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
