"""All permission checks live here: who holds which role, which worksites a rep covers, and what a
viewer may see. Handlers ask; they never compare roles themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import Roles
from bot.errors import UserError
from bot.i18n import L_, N_
from bot.platforms import Platforms
from bot.types import Invocation, Role
from storage.members import site_key

Publication = Literal["publish", "hold", "wait"]  # see publication()
ROLE_NAMES = {Role.member: L_("member"), Role.captain: L_("captain"), Role.rep: L_("site rep"),
              Role.leader: L_("leader")}


@dataclass(frozen=True)
class Actor:
    """The member behind an invocation, with the role and worksites config gives them."""

    member_id: int | None
    name: str
    role: Role
    sites: frozenset[str] = frozenset()  # site keys a rep covers, or a captain is a captain at

    def covers(self, site_name: str | None) -> bool:
        """A leader covers every site; a rep covers the sites config names for them."""
        if self.role >= Role.leader:
            return True
        return self.role >= Role.rep and site_name is not None and site_key(site_name) in self.sites


def claims_of(inv: Invocation) -> set[str]:
    """What the platform vouches for: the account itself plus its groups or roles."""
    return {f"{inv.identity.platform}:{inv.identity.user_id}", *inv.claims}


def resolve_role(roles: Roles, inv: Invocation, platforms: Platforms) -> tuple[Role, frozenset[str]]:
    """The highest role any rule grants. A platform run by whoever owns the machine (its descriptor's
    ``claims_role``: the console's ``--role``) may claim a role outright; no other platform can."""
    claims = claims_of(inv)
    platform = inv.identity.platform
    if platform in platforms and platforms[platform].claims_role:
        for role in (Role.leader, Role.rep, Role.captain):
            if f"role:{role.name}" in claims:
                sites = {c.removeprefix("site:") for c in claims if c.startswith("site:")}
                return role, frozenset(site_key(s) for s in sites)
    if any(claims & set(rule.match) for rule in roles.leaders):
        return Role.leader, frozenset()
    sites = {site_key(s) for rule in roles.reps if claims & set(rule.match) for s in rule.sites}
    if any(claims & set(rule.match) for rule in roles.reps):
        return Role.rep, frozenset(sites)
    if any(claims & set(rule.match) for rule in roles.captains):
        return Role.captain, frozenset(site_key(s) for rule in roles.captains if claims & set(rule.match)
                                       for s in rule.sites)
    return Role.member, frozenset()


def with_appointment(role: Role, sites: frozenset[str], captain_at: str | None) -> tuple[Role, frozenset[str]]:
    """A member a rep made captain (``captain_at``, a site name) is one there; config's roles stand above it."""
    if role >= Role.captain or captain_at is None:
        return role, sites
    return Role.captain, frozenset({site_key(captain_at)})


def configured_captain(roles: Roles, accounts: set[str], site_name: str) -> bool:
    """Whether config names one of these accounts (``platform:user_id``) a captain at the site."""
    return any(accounts & set(rule.match) and site_key(site_name) in {site_key(s) for s in rule.sites}
               for rule in roles.captains)


def require(actor: Actor, role: Role) -> None:
    if actor.role < role:
        raise UserError(N_("Only a {role} can do that. Ask your site rep or an organizer."), role=ROLE_NAMES[role])


def may_ping(actor: Actor) -> bool:
    """Notifying a whole channel (an announcement's ``ping:yes``): a leader only."""
    return actor.role >= Role.leader


def require_site(actor: Actor, site_name: str | None) -> None:
    """A rep acts only for their own worksites; a leader for all."""
    if not actor.covers(site_name):
        if actor.role >= Role.rep:
            raise UserError(N_("You are a rep for other worksites, not {site}."), site=site_name or "?")
        require(actor, Role.rep)


# Readiness: what a viewer may see of a poll's results. Sites are returned as site keys; None means all.

def member_reads_results(results: str, *, closed: bool) -> bool:
    """Whether a poll's ``results`` setting lets every member read its results (``members``, or ``after-close``
    once closed)."""
    return results == "members" or (results == "after-close" and closed)


def readiness_sites(actor: Actor, results: str, closed: bool) -> frozenset[str] | None:
    """Leaders see every site; everyone sees every site once ``results`` opens them to members
    (``members``, or ``after-close`` after closing); until then a rep sees their own sites only."""
    if actor.role >= Role.leader or member_reads_results(results, closed=closed):
        return None
    if actor.role >= Role.rep:
        return actor.sites
    if results == "after-close":
        raise UserError(N_("The results of this poll are shown when it closes."))
    raise UserError(N_("The results of this poll are for leaders and site reps."))


def lookup_sites(actor: Actor) -> frozenset[str] | None:
    """Whose rows a lookup by name, email or member number may return: a leader's finds anyone, a rep's
    the members of their own sites (callers widen it only to people the rep already sees, such as an
    action's sign-ups). Run it after the permission check, so a refusal never depends on who exists."""
    require(actor, Role.rep)
    return None if actor.role >= Role.leader else actor.sites


def invite_lookup(actor: Actor, own_site: str | None) -> frozenset[str] | None:
    """Whom a member may invite to an action: a leader anyone, anyone else their coworkers — the members of
    their own worksite and of the sites they are a rep or a captain at. Run it before any name is read."""
    if actor.role >= Role.leader:
        return None
    sites = actor.sites | ({site_key(own_site)} if own_site else frozenset())
    if not sites:
        raise UserError(N_("Set your worksite first with /member site, then invite your coworkers there."))
    return sites


def organizing_lookup(actor: Actor) -> frozenset[str] | None:
    """Whom a one-on-one or history lookup may find besides the actor's own list: a leader anyone, a rep
    their sites' members, a captain no one else. Run it before any name is read."""
    require(actor, Role.captain)
    if actor.role >= Role.rep:
        return lookup_sites(actor)
    return frozenset()


def require_organizing_site(actor: Actor, site_name: str) -> None:
    """Naming a site to narrow a lookup: a captain only their own site, a rep theirs."""
    if actor.role == Role.captain and site_key(site_name) in actor.sites:
        return
    require_site(actor, site_name)


def manages_action(actor: Actor, site_name: str | None, created_by: int | None) -> bool:
    """Editing or cancelling an action: a leader; a rep for an action at one of their sites, or for one tied
    to no worksite that they announced themselves."""
    if site_name is not None:
        return actor.covers(site_name)
    return actor.role >= Role.leader or (actor.role >= Role.rep and actor.member_id is not None
                                         and actor.member_id == created_by)


def require_author(actor: Actor, author_id: int | None) -> None:
    """Correcting or retracting what was posted (a bargaining update): a leader, or the rep who posted it."""
    if actor.role >= Role.leader or (actor.role >= Role.rep and actor.member_id is not None
                                     and actor.member_id == author_id):
        return
    require(actor, Role.rep)
    raise UserError(N_("Only a leader or the rep who posted it can change it."))


def require_manager(actor: Actor, site_name: str | None, created_by: int | None) -> None:
    if manages_action(actor, site_name, created_by):
        return
    if site_name is None and actor.role >= Role.rep:
        raise UserError(N_("Only a leader or the rep who announced it can change an action tied to no worksite."))
    require_site(actor, site_name)


def missing_sites(actor: Actor, site_name: str | None) -> frozenset[str] | None:
    """Whose missing list a viewer may read: a leader any site's, a rep their own sites'."""
    if site_name is not None:
        require_site(actor, site_name)
        return frozenset({site_key(site_name)})
    if actor.role >= Role.leader:
        return None
    require(actor, Role.rep)
    return actor.sites


def structure_sites(actor: Actor, site_name: str | None) -> frozenset[str] | None:
    """Whose structure tests (ladder, pledge tallies, turnout, emerging leaders) a viewer may read: a leader
    every site's, a rep their own sites', a member none."""
    return missing_sites(actor, site_name)


def unreached_sites(actor: Actor, site_name: str | None) -> frozenset[str] | None:
    """Whose members the bot cannot DM a viewer may list (for follow-up in person): as for missing lists."""
    return missing_sites(actor, site_name)


def roster_sites(actor: Actor, site_name: str | None) -> frozenset[str] | None:
    """Whose roster entries a viewer may review (discrepancies, claims): as for missing lists."""
    return missing_sites(actor, site_name)


def hides_count(actor: Actor, count: int, minimum: int) -> bool:
    """Small-cell suppression of organizers' notes (assessment counts): anyone but a leader sees counts under
    ``minimum`` people only as "<minimum". Poll answers follow :func:`disclose`."""
    return actor.role < Role.leader and count < minimum


# Disclosure control of poll answers: the one rule for everyone who reads a tally or an export.

@dataclass(frozen=True)
class Row:
    """What a reader may see of one worksite's (or the off-roster) answers: None where hidden."""

    roster: int | None
    answered: int | None
    choices: tuple[int | None, ...]


def sees_every_count(actor: Actor, anonymous: bool) -> bool:
    """Only a leader reading a poll that is not anonymous, who may see each member's answer anyway."""
    return actor.role >= Role.leader and not anonymous


def disclose(actor: Actor, anonymous: bool, roster: int | None, choices: list[int], minimum: int,
             unanimous: int) -> Row:
    """One row of a tally as ``actor`` may see it (``roster`` None for the off-roster row).

    - No cell under ``minimum`` people: roster, answered and each choice.
    - Complementary suppression: a row never has exactly one hidden choice beside a shown total (the
      total minus the shown cells would give it), so the smallest other one is hidden too. Totals over
      sites (the "Overall" line) add up shown cells only, so no total minus shown cells gives a hidden one.
    - No "all of the site said X": at a site with fewer than ``unanimous`` answers, if fewer than
      ``minimum`` of them picked anything but the most picked choice, no choice is shown (whoever is
      known to have answered would be known to have picked it).
    - No differencing: the counts shown are the ones :func:`publication` let through, not live ones.
    """
    if sees_every_count(actor, anonymous):
        return Row(roster, sum(choices), tuple(choices))
    total = sum(choices)
    hidden = {i for i, n in enumerate(choices) if n < minimum}
    if total < unanimous and total - max(choices, default=0) < minimum:
        hidden = set(range(len(choices)))
    shown = [i for i in range(len(choices)) if i not in hidden]
    if len(hidden) == 1 and total >= minimum and shown:
        hidden.add(min(shown, key=lambda i: choices[i]))
    return Row(None if roster is None or roster < minimum else roster, total if total >= minimum else None,
               tuple(None if i in hidden else n for i, n in enumerate(choices)))


def publication(previous: list[int], current: list[int], minimum: int, unanimous: int, *,
                held: bool) -> Publication:
    """What a site's counts do now, moving from what readers last saw (``previous``) to ``current``:
    ``publish`` them, ``hold`` the step (remembered by the caller, ``held`` from then on) or ``wait``.

    What anyone reads of a site changes only in steps that cannot isolate one answer, and *when* it
    changes depends on how many answers arrived (or moved) since, never on which choices they were: a
    rule on their mix checked again at every answer would tell a reader who reads before and after one
    member's answer which choice made the step pass. So the mix is checked once, at the first read after
    ``2 × minimum`` answers arrived: at least ``minimum`` of them not for the most picked choice publishes
    them; otherwise the step is held until ``unanimous`` answers arrived (the size at which a site may
    show "all said X"), which publishes whatever they were. A reader who watched the missing list around
    one member's answer sees no change until enough others answered too, and the same whatever it was."""
    arrived = [max(now - before, 0) for before, now in zip(previous, current, strict=True)]
    moved = sum(arrived)
    if moved >= unanimous:
        return "publish"
    if moved < 2 * minimum or held:
        return "wait"
    return "publish" if moved - max(arrived) >= minimum else "hold"


def sees_assessments(actor: Actor, site_name: str | None) -> bool:
    """One-on-one assessments are organizers' notes: leaders, and reps for their own sites."""
    return actor.covers(site_name)


def lists_individual_answers(actor: Actor, anonymous: bool) -> bool:
    """Only a leader, and only for a poll that is not anonymous: an anonymous poll has no per-member answers."""
    return actor.role >= Role.leader and not anonymous

def may_review(actor: Actor) -> bool:
    """Reps and leaders review what members suggest (chants), so they see suggestions before approval."""
    return actor.role >= Role.rep


# Strike: who plans picket shifts, who runs a line, whose hours and lines a viewer sees.

def plan_sites(actor: Actor, names: list[str]) -> frozenset[str] | None:
    """Where a plan may put shifts: the sites named, each one the actor covers; with none named, a
    leader's every site (None) and a rep's own."""
    for name in names:
        require_site(actor, name)
    if names:
        return frozenset(site_key(name) for name in names)
    require(actor, Role.rep)
    return None if actor.role >= Role.leader else actor.sites


def require_shift_manager(actor: Actor, site_name: str) -> None:
    """Adding, changing or cancelling a shift: a leader, or a rep of its site."""
    require_site(actor, site_name)


def runs_line(actor: Actor, site_name: str, captain_id: int | None) -> bool:
    """Signing people in and out and posting the line's status: the shift's captain, a rep of its site, a leader."""
    return actor.covers(site_name) or (actor.member_id is not None and actor.member_id == captain_id)


def require_line(actor: Actor, site_name: str, captain_id: int | None) -> None:
    if not runs_line(actor, site_name, captain_id):
        raise UserError(N_("Only a captain of this shift or a rep of {site} can do that."), site=site_name)


def line_lookup(actor: Actor, site_name: str) -> frozenset[str] | None:
    """Whom a name typed by whoever runs a line may find (after :func:`require_line`): a leader anyone, a rep
    or captain the members of the line's site and of the rep's own sites (callers add the shift's sign-ups)."""
    return None if actor.role >= Role.leader else actor.sites | {site_key(site_name)}


def hours_sites(actor: Actor, captained: frozenset[str]) -> frozenset[str] | None:
    """Whose picket hours a viewer reads besides their own: a leader everyone's (None), a rep their sites', a
    captain the sites of the shifts they captain (``captained``, site keys); a member only their own (empty)."""
    if actor.role >= Role.leader:
        return None
    return (actor.sites if actor.role >= Role.rep else frozenset()) | captained



def staffing_sites(actor: Actor, captains: bool) -> frozenset[str] | None:
    """Whose lines' staffing a viewer reads: a leader every site's (None), a rep their own sites' (and the
    lines they captain, which the caller adds), the captain of a shift that day the lines they captain
    (``captains``; an empty set of sites); anyone else is refused."""
    if actor.role >= Role.leader:
        return None
    if actor.role >= Role.rep:
        return actor.sites
    if not captains:
        raise UserError(N_("Only a captain of a picket shift that day, a site rep or a leader can see how the lines "
                           "are staffed."))
    return frozenset()
