"""The window's colours, from the palette the system gives (light or dark), plus the few
roles a palette has no word for: a board column's background, a muted line, and the colours
of a follow-up (overdue, due, touched) and of a notice. Nothing else names a colour, except
the score badges (ui/text.py), whose white figures read on either."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# (light, dark): readable on the card and the column of either
NAMED = {
    "overdue": ("#b03426", "#ff7b6b"), "due": ("#855705", "#f0b44c"),
    "touched": ("#1a6b3c", "#5cc784"), "notice": ("#fdebd0", "#5a4220"),
    "owner": ("#5d6d7e", "#7f8fa0"), "pool": ("#8d96a0", "#5b626b"),
}


def mix(one: QColor, other: QColor, share: float) -> QColor:
    """one with share of other mixed in (0: one, 1: other)."""
    return QColor.fromRgbF(*(a + (b - a) * share for a, b in zip(
        one.getRgbF()[:3], other.getRgbF()[:3], strict=True)))


def contrast(one: QColor, other: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21; body text wants 4.5)."""
    def luminance(colour: QColor) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(c) for c in colour.getRgbF()[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Theme:
    dark: bool
    text: QColor
    muted: QColor
    link: QColor
    column: QColor
    card: QColor
    card_border: QColor
    selected: QColor
    selected_border: QColor
    overdue: QColor
    due: QColor
    touched: QColor
    notice: QColor
    owner: QColor
    pool: QColor

    def css(self, name: str) -> str:
        return getattr(self, name).name()


def colour_text(widget: QWidget, colour: QColor) -> None:
    """The widget's text in this colour, by its palette: a style sheet would draw the widget
    and everything in it through Qt's style-sheet style, slower on every paint."""
    palette = widget.palette()
    for role in (Role.WindowText, Role.Text):
        palette.setColor(role, colour)
    widget.setPalette(palette)


def readable(palette: QPalette) -> QPalette:
    """The palette with its links and placeholders made readable on its base (a dark system
    palette often keeps a light theme's blue links and grey placeholders), and its disabled
    text told from enabled text where the palette draws both alike (a button that is off
    must not look on)."""
    base, text = palette.color(Role.Base), palette.color(Role.Text)
    adjusted = QPalette(palette)
    for role, least in ((Role.Link, 4.5), (Role.PlaceholderText, 3.0)):  # WCAG: text, hints
        own = palette.color(role)
        colour, share = own, 0.0
        while contrast(colour, base) < least and share < 1:
            share = min(1.0, share + 0.1)
            colour = mix(own, text, share)
        adjusted.setColor(role, colour)
    for role, ground in ((Role.Text, Role.Base), (Role.WindowText, Role.Window),
                         (Role.ButtonText, Role.Button)):
        enabled = palette.color(Group.Active, role)
        if palette.color(Group.Disabled, role) == enabled:
            adjusted.setColor(Group.Disabled, role,
                              mix(enabled, palette.color(Group.Active, ground), 0.5))
    return adjusted


_themes: dict[int, Theme] = {}


def theme(palette: QPalette | None = None) -> Theme:
    """The colours for a palette (the application's by default)."""
    palette = palette or QApplication.palette()
    key = palette.cacheKey()
    if key not in _themes:
        _themes[key] = _theme(palette)
    return _themes[key]


def _theme(palette: QPalette) -> Theme:
    window, base = palette.color(Role.Window), palette.color(Role.Base)
    text, highlight = palette.color(Role.Text), palette.color(Role.Highlight)
    dark = window.lightness() < 128
    named = {name: QColor(colours[dark]) for name, colours in NAMED.items()}
    return Theme(
        dark=dark, text=text, muted=mix(text, base, 0.32 if dark else 0.38),
        link=palette.color(Role.Link),
        column=mix(window, text, 0.06 if dark else 0.03), card=base,
        card_border=mix(base, text, 0.25 if dark else 0.18),
        selected=mix(base, highlight, 0.22 if dark else 0.12), selected_border=highlight,
        **named)
