"""Front-ends: translate platform payloads into invocations and replies into platform calls. No business rules here.

Each package (or module) here describes its platform with a :class:`bot.platforms.Platform` as ``PLATFORM`` and
registers it as an entry point in the ``organizer_bot.platforms`` group (pyproject.toml), as a plug-in package
outside this repository registers its own: :func:`installed` is the registry of every installed one."""

from __future__ import annotations

from importlib.metadata import entry_points

from bot.platforms import Platform, Platforms

GROUP = "organizer_bot.platforms"


def installed() -> Platforms:
    """The platforms the installed packages register (each entry point named after its platform), in their
    :attr:`~bot.platforms.Platform.order`."""
    platforms = []
    for entry in entry_points(group=GROUP):
        platform = entry.load()
        if not isinstance(platform, Platform) or platform.name != entry.name:
            raise TypeError(f"the {GROUP} entry point {entry.name} = {entry.value} must be a Platform named "
                            f"{entry.name!r}")
        platforms.append(platform)
    if not platforms:
        raise LookupError(f"no platform is installed: nothing registers the {GROUP} entry points. "
                          f"Reinstall the package (pip install -e .) so its metadata declares them")
    return Platforms(*sorted(platforms, key=lambda p: (p.order, p.name)))
