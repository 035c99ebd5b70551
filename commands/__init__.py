"""One module per feature. Each exposes ``group`` (its slash command) unless it has none, and may expose ``JOBS``
(scheduled work by name), ``OPTIONS`` (type-ahead lists by name), ``EVENTS`` (what platform events do, by
name), ``DONE`` (whether an event about an account would do nothing, by the event's name), ``LISTINGS`` (its
events as platforms list them natively, by ref prefix), ``PROFILE`` (what ``/member me`` shows of that feature)
and ``FORGET`` (what it does, with effects, before ``/member forget`` deletes a member)."""

from __future__ import annotations

from importlib import import_module

from bot.registry import Registry

FEATURES = ("actions", "chants", "bargaining", "bargaining_corrections", "faq", "readiness", "pledges", "structure",
            "leaders", "members", "conversations", "captains", "roster", "strike", "strike_lines", "help", "announce",
            "unreached", "invites", "coverage", "onboarding", "listings")


def build_registry() -> Registry:
    registry = Registry()
    for name in FEATURES:
        module = import_module(f"commands.{name}")
        if hasattr(module, "group"):  # a feature may add no command, only what an event does
            registry.add(module.group)
        for job, handler in getattr(module, "JOBS", {}).items():
            registry.add_job(job, handler)
        registry.options.update(getattr(module, "OPTIONS", {}))
        registry.events.update(getattr(module, "EVENTS", {}))
        registry.done.update(getattr(module, "DONE", {}))
        registry.listings.update(getattr(module, "LISTINGS", {}))
        registry.profile.extend(getattr(module, "PROFILE", ()))
        registry.forgetting.extend(getattr(module, "FORGET", ()))
    registry.aliases["help"] = ("organizer", "help")
    return registry
