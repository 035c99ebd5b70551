"""A command's form, built from its declaration for the member's language and the platform's forms.

The command says which fields come first (:attr:`bot.registry.Command.form`); nothing is left out or cut:
a value longer than the platform's inputs hold is split over as many inputs as it takes
(:meth:`bot.registry.Command.bind` joins them again), and a platform whose forms hold fewer inputs shows
the fields over several (:meth:`bot.types.Form.pages`). Choices and yes/no are selects whose labels
are in the member's language, while what is submitted stays the choice.
"""

from __future__ import annotations

from math import ceil

from bot.i18n import N_, Translator
from bot.platforms import ModalLimits
from bot.registry import PART, Command, Param
from bot.types import Form, FormField

YES_NO = ("yes", "no")


def form_for(command: Command, tr: Translator, modal: ModalLimits | None = None) -> Form:
    """``command``'s form as ``tr`` writes it, its inputs no longer than ``modal``'s (None: as declared)."""
    by_name = {p.name: p for p in command.params}
    fields = tuple(f for name in command.form for f in _fields(by_name[name], tr, modal))
    return Form(tr._(command.title), command.group, command.name, fields, tr._(N_("Submit")))


def _fields(param: Param, tr: Translator, modal: ModalLimits | None) -> list[FormField]:
    label, hint = tr._(param.label or param.help), tr._(param.help)
    if param.type is bool:
        return [FormField(param.name, label, param.required, hint, choices=YES_NO,
                          labels=(tr._(N_("Yes")), tr._(N_("No"))))]
    if param.choices:
        labels = tuple(tr._(param.labels[c]) if c in param.labels else c for c in param.choices)
        return [FormField(param.name, label, param.required, hint, choices=param.choices, labels=labels)]
    if param.type is not str:
        return [FormField(param.name, label, param.required, hint)]
    hold = param.max_length if modal is None else min(param.max_length, modal.value)
    parts = ceil(param.max_length / hold)
    first = FormField(param.name, label, param.required, hint, param.multiline or parts > 1, hold)
    return [first, *(
        FormField(f"{param.name}{PART}{part}",
                  tr._(N_("{label} (part {part} of {parts})"), label=label, part=part, parts=parts), False,
                  tr._(N_("Only if the box above is full: the rest, from a new paragraph.")), True,
                  min(hold, param.max_length - (part - 1) * hold))
        for part in range(2, parts + 1))]
