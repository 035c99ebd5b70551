"""Forms from the declaration: every field of a command in some form, titles and labels of their own that
fit every registered platform's forms in every language, choices typed as their labels, and long values split
and joined again."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.forms import form_for
from bot.i18n import Catalogs
from bot.platforms import ModalLimits
from commands import build_registry
from tests.support import PLATFORMS, make_config

REGISTRY = build_registry()
FORMS = [c for c in REGISTRY.commands() if c.form]
CATALOGS = Catalogs("en", make_config().campaign.tz)


def test_the_real_forms_are_the_ones_these_tests_cover():
    assert {c.path for c in FORMS} == {"action create", "bargaining post", "pledge open", "readiness open",
                                       "chant add", "chant suggest"}


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p.modal], ids=lambda p: p.name)
@pytest.mark.parametrize("lang", CATALOGS.languages)
def test_every_form_fits_the_platform_in_every_language_with_nothing_cut(platform, lang):
    """What a platform's forms hold (its descriptor's ModalLimits) is never passed, so no adapter ever has
    to cut a title, a label, a hint or a choice's name."""
    modal, tr = platform.modal, CATALOGS.get(lang)
    too_long = []
    for command in FORMS:
        form = form_for(command, tr, modal)
        assert sum(len(page) for page in form.pages(modal.fields)) == len(form.fields)
        texts = [("title", form.title, modal.title), ("submit", form.submit, modal.submit)]
        for field in form.fields:
            texts += [(field.name, field.label, modal.label), (f"{field.name} hint", field.hint, modal.hint)]
            texts += [(f"{field.name}={c}", label, modal.option) for c, label in zip(field.choices, field.labels)]
            assert field.max_length is None or field.max_length <= modal.value
        too_long += [(command.path, where, len(text), limit) for where, text, limit in texts if len(text) > limit]
    assert too_long == []


def test_a_form_holds_every_param_and_a_small_modal_shows_them_page_by_page():
    create = REGISTRY.find("action", "create")
    form = form_for(create, CATALOGS.get("es"), ModalLimits(5, 45, 45, 45, 4000, 100, 100))
    assert [[f.name for f in page] for page in form.pages(5)] == [
        ["title", "when", "where", "kind", "site"], ["capacity", "details", "every", "until", "es_title"],
        ["es_where", "es_details"]]
    kind = next(f for f in form.fields if f.name == "kind")
    assert (kind.label, kind.labels[:2]) == ("Tipo de acción", ("Piquete", "Mitin"))


def test_a_long_value_is_split_over_inputs_and_joined_again_paragraphs_apart():
    post = REGISTRY.find("bargaining", "post")
    form = form_for(post, CATALOGS.get("en"), ModalLimits(100, 24, 24, 2000, 2000, 2000, 75))
    assert [(f.name, f.max_length, f.required) for f in form.fields if f.name.startswith("body")] == [
        ("body", 2000, True), ("body.2", 2000, False), ("body.3", 1000, False)]
    values = post.bind({"title": "Session 7", "body": "One.\n", "body.2": "", "body.3": "\nThree."})
    assert values["body"] == "One.\n\nThree."


def test_a_choice_is_typed_as_itself_or_as_its_label_in_any_language():
    kind = next(p for p in REGISTRY.find("action", "create").params if p.name == "kind")
    typed = ["rally", "Rally", "mitin", "MITIN", "Reunión de la junta escolar", "reunion", "Volanteo"]
    assert [kind.convert(t, CATALOGS) for t in typed] == [
        "rally", "rally", "rally", "rally", "board-meeting", "meeting", "leaflet"]
    with pytest.raises(UserError, match="must be one of"):
        kind.convert("mitin")  # without the catalogs a label is read in English only
