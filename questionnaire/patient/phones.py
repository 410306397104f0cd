"""Phone numbers as links a phone can call: the clinic's, the emergency number, NHS 111."""

from __future__ import annotations

from markupsafe import Markup

# NHS 111, the urgent-advice line the urgent tier's words name (result_text.TIER_ADVICE).
NHS_111 = "111"


def tel(number: str, text: str | None = None, cls: str = "tel") -> Markup:
    """A link that dials `number` (digits and a leading + kept, spaces dropped), showing the
    number as written or `text`. Its class gives it a tap target of at least 24 px (site.css)."""
    dial = "".join(c for c in number if c.isdigit() or c == "+")
    return Markup('<a class="{}" href="tel:{}">{}</a>').format(cls, dial, text or number)
