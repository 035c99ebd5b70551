"""``/bargaining``: news from the table, fast and accurate, before rumors — updates posted to the
announcements channel and DMed to subscribers, the demand tracker, and the rumor-control FAQ.

Two-word subcommands (``demand add``, ``faq add``) are declared hyphenated (``demand-add``); the
text parser accepts either spelling, and a platform that lists options shows the hyphenated name.
"""

from __future__ import annotations

from datetime import date, datetime, time

from bot.context import Context
from bot.dates import session_day
from bot.errors import UserError, about
from bot.i18n import L_, N_, Translator
from bot.markup import bold, when
from bot.registry import Group, Param
from bot.types import Message, Notify, Post, Render, Reply, Role
from commands import unreached
from storage import bargaining as store
from storage import bargaining_versions as versions
from storage import outbox
from storage.bargaining import STATUSES, BargainingUpdate, Demand
from storage.bargaining_versions import CORRECTED, POSTED, RETRACTED, BargainingVersion

group = Group("bargaining", N_("Bargaining news, the demands at the table, and answers to rumors"))

MAX_BODY = 5_000  # with its title, an update goes out whole within every platform's budget (require_fit)
MAX_TOPICS = 10
STATUS_NAMES = {"proposed": L_("proposed"), "countered": L_("countered"), "tentative": L_("tentative agreement"),
                "won": L_("won"), "dropped": L_("dropped")}
STATE_NAMES = {CORRECTED: N_("corrected"), RETRACTED: N_("retracted")}


def batch_of(update_id: int) -> str:
    """The update's DMs (for delivery reports) and its channel post (for edits)."""
    return f"bargaining:{update_id}"


def _day(tr: Translator, moment: datetime | date) -> str:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(12), tzinfo=tr.tz)
    return tr.day(moment)


def render_update(update: BargainingUpdate, topics: list[str], version: BargainingVersion | None = None) -> Render:
    """The update in the reader's language: the rep's own Spanish text for Spanish readers, when given. A
    corrected update says when it was corrected; a retracted one says so instead of repeating what it said."""
    title, body, body_es, held = update.title, update.body, update.body_es, update.session_date
    update_id, posted_at = update.id, update.posted_at
    kind, changed_at, reason = (version.kind, version.changed_at, version.reason) if version else (POSTED, None, None)

    def render(tr: Translator) -> Message:
        meta = [tr._("Bargaining update #{id}, posted {when}", id=update_id, when=when(posted_at))]
        if kind == CORRECTED:
            meta.append(tr._("Corrected {when}", when=when(changed_at)))
        if held:
            meta.append(tr._("Session of {day}", day=_day(tr, held)))
        if topics:
            meta.append(tr._("Topics: {topics}", topics=", ".join(topics)))
        if kind == RETRACTED:
            head = bold(tr._("Retracted: {title}", title=title))
            text = tr._("This update was retracted {when}.", when=when(changed_at))
            return Message("\n\n".join([head + "\n" + "\n".join(meta), text + (f"\n{reason}" if reason else "")]))
        text = body_es if tr.lang == "es" and body_es else body
        return Message("\n\n".join([bold(title) + "\n" + "\n".join(meta), text]))

    return render


async def rendered_updates(ctx: Context, found: list[BargainingUpdate]) -> list[Render]:
    topics = await store.topics_of(ctx.session, [u.id for u in found])
    states = await versions.latest(ctx.session, [u.id for u in found])
    return [render_update(u, topics[u.id], states.get(u.id)) for u in found]


def body_text(text: str | None) -> str | None:
    """Paragraphs as the rep wrote them, whatever line endings the platform sent."""
    return text.replace("\r\n", "\n").strip() if text else None


def parse_topics(text: str | None) -> list[str]:
    topics = [store.topic_key(t) for t in (text or "").split(",") if t.strip()]
    if len(topics) > MAX_TOPICS:
        raise UserError(N_("At most {max} topics, please."), max=MAX_TOPICS)
    for topic in topics:
        if len(topic) > 60:
            raise UserError(N_("The topic “{topic}…” is too long: keep each topic under 60 characters."),
                            topic=topic[:30])
    return list(dict.fromkeys(topics))


async def find_update(ctx: Context, update_id: int) -> BargainingUpdate:
    update = await ctx.session.get(BargainingUpdate, update_id)
    if update is None:
        raise UserError(N_("There is no bargaining update #{id}. /bargaining history lists them."), id=update_id)
    return update


def update_id_param() -> Param:
    return Param("id", N_("The update’s number, as shown in /bargaining history"), type=int, min_value=1)


@group.command("post", help=N_("Post a bargaining update to the announcements channel and every subscriber"),
               role=Role.rep, form=True, title=N_("Bargaining update"), params=[
                   Param("title", N_("A short headline"), max_length=200, label=N_("Headline")),
                   Param("body", N_("What happened at the table (blank lines between paragraphs)"), greedy=True,
                         max_length=MAX_BODY, multiline=True, label=N_("What happened")),
                   Param("session", N_("The date of the bargaining session"), required=False, max_length=60,
                         label=N_("Session date")),
                   Param("topics", N_("Topics, separated by commas: wages,staffing"), required=False,
                         max_length=400, label=N_("Topics")),
                   Param("es", N_("The same update written in Spanish, for Spanish-speaking members"),
                         required=False, max_length=MAX_BODY, multiline=True, label=N_("In Spanish")),
               ])
async def post(ctx: Context, title: str, body: str, session: str | None, topics: str | None,
               es: str | None) -> Reply:
    with about("session"):
        session_date = session_day(ctx, session) if session else None
    update = BargainingUpdate(title=title, body=body_text(body), body_es=body_text(es), session_date=session_date,
                              author_id=ctx.actor.member_id, posted_at=ctx.now)
    with about("topics"):
        tags = parse_topics(topics)
    await store.add_update(ctx.session, update, tags)
    await versions.record(ctx.session, update, tags, POSTED, ctx.actor.member_id, ctx.now)
    render = render_update(update, tags)
    require_fit(ctx, render)
    subscribers = await store.subscriber_ids(ctx.session, ctx.config.bargaining.subscribe_roster_by_default)
    effects = (Post("announcements", render, ref=batch_of(update.id)),
               Notify(tuple(subscribers), render, key=batch_of(update.id), batch=batch_of(update.id)))
    return ctx.reply(ctx.n_("Posted update #{id} to #announcements and sent it to {n} subscriber. "
                            "/bargaining delivery {id} shows how delivery is going.",
                            "Posted update #{id} to #announcements and sent it to {n} subscribers. "
                            "/bargaining delivery {id} shows how delivery is going.",
                            len(subscribers), id=update.id), effects=effects)


def require_fit(ctx: Context, render: Render) -> None:
    """An update goes out whole, in every language, as a post and as a DM on every platform it goes to: one
    that a platform would have to cut is refused before anything is sent (paragraphs that leave much of each
    message empty take more messages than their length says)."""
    for name in ctx.app.platforms:
        platform = ctx.config.platforms[name]
        for lang in ctx.app.catalogs.languages:
            text = render(ctx.app.translator(lang)).text
            if not platform.budget.fits(text, platform.escape):
                raise UserError(N_("This update is too long to go out whole as a {platform} message ({length} "
                                   "characters in {lang}). Shorten it, or join short paragraphs, or post it as two "
                                   "updates."), platform=platform.title, length=ctx.tr.number(len(text)),
                                lang=ctx.app.translator(lang).language_name)


@group.command("subscribe", help=N_("Get every bargaining update by direct message"))
async def subscribe(ctx: Context) -> Reply:
    await store.set_subscribed(ctx.session, ctx.member_id, True, ctx.now)
    return ctx.reply(ctx._("You’ll get every bargaining update by direct message. "
                           "/bargaining unsubscribe stops them."))


@group.command("unsubscribe", help=N_("Stop getting bargaining updates by direct message"))
async def unsubscribe(ctx: Context) -> Reply:
    await store.set_subscribed(ctx.session, ctx.member_id, False, ctx.now)
    return ctx.reply(ctx._("You won’t get bargaining updates by direct message any more. They stay in "
                           "/bargaining latest, and /bargaining subscribe brings them back."))


@group.command("latest", help=N_("Read the latest bargaining updates"), writes=False, params=[
    Param("n", N_("How many updates (1 to 5)"), type=int, required=False, positional=True, default=1,
          min_value=1, max_value=5)])
async def latest(ctx: Context, n: int) -> Reply:
    found = await store.updates(ctx.session, limit=n)
    if not found:
        return ctx.reply(ctx._("No bargaining updates yet."))
    return ctx.reply("\n\n".join(render(ctx.tr).text for render in await rendered_updates(ctx, found)))


@group.command("history", help=N_("List every bargaining update, or those on one topic"), writes=False, params=[
    Param("topic", N_("Only updates tagged with this topic"), required=False, max_length=60)])
async def history(ctx: Context, topic: str | None) -> Reply:
    key = store.topic_key(topic) if topic else None
    found = await store.updates(ctx.session, limit=100, topic=key)
    if not found and key:
        known = await store.all_topics(ctx.session)
        raise UserError(N_("No update is tagged “{topic}”. Topics so far: {topics}."), topic=topic,
                        topics=", ".join(known) or "—")
    if not found:
        return ctx.reply(ctx._("No bargaining updates yet."))
    topics = await store.topics_of(ctx.session, [u.id for u in found])
    states = await versions.latest(ctx.session, [u.id for u in found])
    lines = []
    for update in found:
        line = f"#{update.id} · {_day(ctx.tr, update.session_date or update.posted_at)} · {update.title}"
        if topics[update.id]:
            line += f" ({', '.join(topics[update.id])})"
        state = states.get(update.id)
        if state is not None and state.kind != POSTED:
            line += " — " + ctx._(STATE_NAMES[state.kind])
        lines.append(line)
    lines.append(ctx._("Read one with /bargaining show <id>; its versions with /bargaining versions <id>."))
    return ctx.reply("\n".join(lines))


@group.command("show", help=N_("Read one bargaining update"), writes=False, params=[update_id_param()])
async def show(ctx: Context, id: int) -> Reply:
    update = await find_update(ctx, id)
    return ctx.reply((await rendered_updates(ctx, [update]))[0](ctx.tr).text)


@group.command("delivery", help=N_("How many subscribers an update has reached"), role=Role.rep, writes=False,
               params=[update_id_param()])
async def delivery(ctx: Context, id: int) -> Reply:
    await find_update(ctx, id)
    counts = await outbox.batch_counts(ctx.session, batch_of(id))
    failed = counts.get(outbox.FAILED, 0)
    summary = ctx._("Update #{id}: {sent} sent, {pending} waiting, {failed} failed.", id=id,
                    sent=counts.get(outbox.SENT, 0), pending=counts.get(outbox.PENDING, 0), failed=failed)
    return ctx.reply("\n\n".join([summary, *await unreached.of_update(ctx, batch_of(id), failed)]))


def _topic_param(*, greedy: bool = False) -> Param:
    return Param("topic", N_("The demand’s topic, such as wages or class size"), max_length=60, greedy=greedy)


async def _demand(ctx: Context, topic: str) -> Demand:
    found = await store.demand(ctx.session, topic)
    if found is None:
        known = [d.topic for d in await store.demands(ctx.session)]
        raise UserError(N_("There is no demand on “{topic}”. Demands at the table: {topics}."), topic=topic,
                        topics=", ".join(known) or "—")
    return found


def _demand_text(ctx: Context, demand: Demand) -> str:
    return "\n".join([
        bold(demand.topic) + " — " + ctx._(STATUS_NAMES[demand.status]),
        ctx._("Our proposal: {ours}", ours=demand.ours),
        ctx._("District: {district}", district=demand.district or ctx._("no counter yet")),
        ctx._("Last change: {day}", day=_day(ctx.tr, demand.changed_at)),
    ])


@group.command("demand-add", help=N_("Start tracking a demand at the table"), role=Role.rep, params=[
    _topic_param(), Param("ours", N_("Our proposal"), greedy=True, max_length=2000)])
async def demand_add(ctx: Context, topic: str, ours: str) -> Reply:
    existing = await store.demand(ctx.session, topic)
    if existing is not None:
        raise UserError(N_("“{topic}” is already tracked; change it with /bargaining demand update."),
                        topic=existing.topic)
    demand = Demand(topic=" ".join(topic.split()), key=store.topic_key(topic), ours=ours, status="proposed")
    await store.record_change(ctx.session, demand, ctx.actor.member_id, ctx.now)
    return ctx.reply(_demand_text(ctx, demand))


@group.command("demand-update",
               help=N_("Record a change in a demand: its status, the district’s counter, our proposal"), role=Role.rep,
               params=[
                   _topic_param(),
                   Param("status", N_("Where it stands"), required=False, choices=STATUSES, labels=STATUS_NAMES),
                   Param("district", N_("The district’s latest offer"), required=False, max_length=2000),
                   Param("ours", N_("Our revised proposal"), required=False, max_length=2000)])
async def demand_update(ctx: Context, topic: str, status: str | None, district: str | None,
                        ours: str | None) -> Reply:
    if status is None and district is None and ours is None:
        raise UserError(N_("Say what changed: status:, district: or ours:."))
    demand = await _demand(ctx, topic)
    demand.status = status or demand.status
    demand.district = district or demand.district
    demand.ours = ours or demand.ours
    await store.record_change(ctx.session, demand, ctx.actor.member_id, ctx.now)
    return ctx.reply(_demand_text(ctx, demand))


@group.command("demand-history", help=N_("Every change in one demand"), writes=False,
               params=[_topic_param(greedy=True)])
async def demand_history(ctx: Context, topic: str) -> Reply:
    demand = await _demand(ctx, topic)
    blocks = [bold(demand.topic)]
    for change in await store.changes(ctx.session, demand.id):
        blocks.append("\n".join([
            when(change.changed_at) + " — " + ctx._(STATUS_NAMES[change.status]),
            ctx._("Our proposal: {ours}", ours=change.ours),
            ctx._("District: {district}", district=change.district or ctx._("no counter yet")),
        ]))
    return ctx.reply("\n\n".join(blocks))


@group.command("table", help=N_("Where each demand stands at the bargaining table"), writes=False)
async def table(ctx: Context) -> Reply:
    found = await store.demands(ctx.session)
    if not found:
        return ctx.reply(ctx._("No demands are tracked yet."))
    return ctx.reply("\n\n".join(_demand_text(ctx, d) for d in found))


async def _profile(ctx: Context) -> list[str]:
    subscribed = await store.is_subscribed(ctx.session, ctx.member_id,
                                           ctx.config.bargaining.subscribe_roster_by_default)
    answer = ctx._("yes") if subscribed else ctx._("no")
    return [ctx._("Bargaining updates by direct message: {answer}", answer=answer)]


PROFILE = [_profile]
