"""``/bargaining correct``, ``retract`` and ``versions``: an update that was wrong is fixed where members
read it — every member it was sent to gets the correction or the retraction by DM, the channel post is
edited — and each version stays readable, with who changed it."""

from __future__ import annotations

from bot import permissions
from bot.context import Context
from bot.errors import UserError
from bot.i18n import N_, Translator
from bot.markup import bold, when
from bot.registry import Param
from bot.types import Edit, Message, Notify, Render, Reply, Role
from commands.bargaining import (
    MAX_BODY,
    batch_of,
    body_text,
    find_update,
    group,
    parse_topics,
    render_update,
    require_fit,
    update_id_param,
)
from storage import bargaining as store
from storage import bargaining_versions as versions
from storage.bargaining import BargainingUpdate
from storage.bargaining_versions import CORRECTED, POSTED, RETRACTED, BargainingVersion

KIND_NAMES = {POSTED: N_("Posted {when} by {name}"), CORRECTED: N_("Corrected {when} by {name}"),
              RETRACTED: N_("Retracted {when} by {name}")}


async def _changeable(ctx: Context, update_id: int) -> tuple[BargainingUpdate, list[str]]:
    """The update, locked, if this actor may change it and it still stands."""
    await find_update(ctx, update_id)
    update = await store.update_locked(ctx.session, update_id)
    permissions.require_author(ctx.actor, update.author_id)
    state = (await versions.latest(ctx.session, [update_id])).get(update_id)
    if state is not None and state.kind == RETRACTED:
        raise UserError(N_("Update #{id} was retracted; post a new update instead."), id=update_id)
    return update, (await store.topics_of(ctx.session, [update_id]))[update_id]


def _notice(msgid: str, update_id: int, render: Render) -> Render:
    def notice(tr: Translator) -> Message:
        return Message(tr._(msgid, id=update_id) + "\n\n" + render(tr).text)
    return notice


async def _tell(ctx: Context, update: BargainingUpdate, version: BargainingVersion, render: Render,
                msgid: str) -> tuple[list[int], tuple]:
    """Everyone the update went to gets ``msgid`` with the update as it now reads; the post is edited."""
    told = await versions.recipients(ctx.session, batch_of(update.id))
    key = f"{batch_of(update.id)}:v{version.number}"
    return told, (Edit(batch_of(update.id), render),
                  Notify(tuple(told), _notice(msgid, update.id, render), key=key, batch=key))


@group.command("correct", help=N_("Correct a bargaining update: everyone who got it is sent the correction"),
               role=Role.rep, params=[
                   update_id_param(),
                   Param("title", N_("The corrected headline"), required=False, max_length=200),
                   Param("body", N_("The corrected text"), required=False, max_length=MAX_BODY, multiline=True),
                   Param("topics", N_("The corrected topics, separated by commas"), required=False, max_length=400),
                   Param("es", N_("The corrected Spanish text"), required=False, max_length=MAX_BODY,
                         multiline=True),
               ])
async def correct(ctx: Context, id: int, title: str | None, body: str | None, topics: str | None,
                  es: str | None) -> Reply:
    if title is None and body is None and topics is None and es is None:
        raise UserError(N_("Say what to correct: title:, body:, topics: or es:."))
    update, tags = await _changeable(ctx, id)
    new_tags = parse_topics(topics) if topics is not None else tags
    before = (update.title, update.body, update.body_es, sorted(tags))
    update.title = title if title is not None else update.title
    update.body = body_text(body) or update.body
    update.body_es = body_text(es) if es is not None else update.body_es
    if (update.title, update.body, update.body_es, sorted(new_tags)) == before:
        return ctx.reply(ctx._("Nothing to correct: update #{id} already says that.", id=id))
    ctx.session.add(update)
    if sorted(new_tags) != sorted(tags):
        await store.set_topics(ctx.session, id, new_tags)
    version = await versions.record(ctx.session, update, new_tags, CORRECTED, ctx.actor.member_id, ctx.now)
    render = _notice(N_("Correction to bargaining update #{id}:"), update.id, render_update(update, new_tags, version))
    require_fit(ctx, render)
    told, effects = await _tell(ctx, update, version, render_update(update, new_tags, version),
                                N_("Correction to bargaining update #{id}:"))
    return ctx.reply(ctx.n_("Corrected update #{id}: the post is edited and {n} member who got it is sent the "
                            "correction.",
                            "Corrected update #{id}: the post is edited and {n} members who got it are sent the "
                            "correction.", len(told), id=id), effects=effects)


@group.command("retract", help=N_("Retract a bargaining update: everyone who got it is told it no longer stands"),
               role=Role.rep, params=[
                   update_id_param(),
                   Param("reason", N_("Why, in a few words"), required=False, positional=True, greedy=True,
                         max_length=500),
               ])
async def retract(ctx: Context, id: int, reason: str | None) -> Reply:
    update, tags = await _changeable(ctx, id)
    version = await versions.record(ctx.session, update, tags, RETRACTED, ctx.actor.member_id, ctx.now,
                                    reason=body_text(reason))
    told, effects = await _tell(ctx, update, version, render_update(update, tags, version),
                                N_("Bargaining update #{id} is retracted:"))
    return ctx.reply(ctx.n_("Retracted update #{id}: the post says so and {n} member who got it is told.",
                            "Retracted update #{id}: the post says so and {n} members who got it are told.",
                            len(told), id=id), effects=effects)


@group.command("versions", help=N_("Every version of a bargaining update, with who changed it"), writes=False,
               params=[update_id_param()])
async def list_versions(ctx: Context, id: int) -> Reply:
    update = await find_update(ctx, id)
    found = await versions.versions(ctx.session, id)
    if not found:
        return ctx.reply(ctx._("Update #{id} has not been changed since it was posted.", id=id))
    blocks = [bold(f"#{id} {update.title}")]
    for version, name in found:
        head = ctx._(KIND_NAMES[version.kind], when=when(version.changed_at),
                     name=name or ctx._("someone no longer in the bot"))
        lines = [bold(f"v{version.number}") + " · " + head]
        if version.kind == RETRACTED:
            lines.append(version.reason or ctx._("No reason given."))
        else:
            lines.append(version.title + (f" ({version.topics})" if version.topics else ""))
            lines.append(version.body)
            if version.body_es:
                lines.append(ctx._("In Spanish: {text}", text=version.body_es))
        blocks.append("\n".join(lines))
    return ctx.reply("\n\n".join(blocks))
