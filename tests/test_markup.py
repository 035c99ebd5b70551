"""Escaping and splitting, the one place each lives."""

from datetime import UTC, datetime

from bot.adapters.discord.markdown import escape as discord_escape
from bot.adapters.slack.render import escape as slack_escape
from bot.markup import bold, clean, paragraphs, plain, render, split, when


def test_split_keeps_paragraphs_whole_and_packs_them_under_the_limit():
    paras = [f"Chant {i}\nWho keeps our schools running? | We do!" for i in range(40)]
    chunks = split(paras, 300)
    assert all(len(c) <= 300 for c in chunks)
    assert [p for c in chunks for p in c.split("\n\n")] == paras


def test_a_paragraph_too_long_for_one_chunk_splits_at_lines_then_words():
    para = "\n".join(["word " * 30] * 5)
    chunks = split([para], 200)
    assert all(len(c) <= 200 for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(para.split())
    assert split(["x" * 450], 200) == ["x" * 200, "x" * 200, "x" * 50]
    assert split([], 10) == [""]


def test_markup_renders_per_platform_and_member_text_cannot_forge_it():
    moment = datetime(2026, 12, 1, 15, 15, tzinfo=UTC)
    text = f"{bold('Picket <!channel>')} at {when(moment)} & @everyone"
    slack = render(text, escape=slack_escape, time=lambda d: f"<!date^{int(d.timestamp())}^{{time}}|x>",
                   strong=lambda s: f"*{s}*")
    assert slack == "*Picket &lt;!channel&gt;* at <!date^1796138100^{time}|x> &amp; @everyone"
    assert render(text, escape=discord_escape, time=lambda d: f"<t:{int(d.timestamp())}:F>",
                  strong=lambda s: f"**{s}**") == "**Picket <!channel>** at <t:1796138100:F> & @\u200beveryone"
    assert clean("forged \ue0001\ue001 time") == "forged 1 time"
    assert plain(text).startswith("Picket <!channel> at")
    assert paragraphs("a\n\n\n\nb\n\n  ") == ["a", "b"]


def test_member_markdown_is_shown_as_text_on_discord_and_a_bare_link_stays_whole():
    assert discord_escape("[Vote here](https://evil.example/x)") == "\\[Vote here\\](https://evil.example/x)"
    assert discord_escape("# Strike off!\n> quote\n  - item\n-# small") == \
        "\\# Strike off!\n\\> quote\n  \\- item\n\\-# small"
    assert discord_escape("**b** _i_ ~~s~~ ||spoiler|| `code` back\\slash") == \
        "\\*\\*b\\*\\* \\_i\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\` back\\\\slash"
    assert discord_escape("<t:1:F> <@1> <#2> </member forget:3> <a:x:4>") == \
        "\\<t:1:F> \\<@1> \\<#2> \\</member forget:3> \\<a:x:4>"
    assert discord_escape("see https://union.example/a_b?c=d_e now, #12 at 7:15 (gate) 1 > 0 <number>") == \
        "see https://union.example/a_b?c=d_e now, #12 at 7:15 (gate) 1 > 0 <number>"
