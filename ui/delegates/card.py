"""Paints a lead card: name, title at company, score badge, source, owner, time in stage, SLA,
and how long it has been stale (rules.rotting)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.models.card_list import CARD_ROLE
from ui.text import duration, initials, score_band, sla_text, source_label
from ui.theme import theme
from workbench.clock import utcnow
from workbench.rules.rotting import Rotting, stale_since
from workbench.rules.sla import DEFAULT_SLA_HOURS, sla_state
from workbench.rules.stages import Stage
from workbench.store.leads import CardRecord

CARD_HEIGHT = 84
MARGIN = 6
PADDING = 8


def inner_rect(card: QRect) -> QRect:
    """Inside a card's box, within its padding."""
    box = card.adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
    return box.adjusted(PADDING, PADDING - 2, -PADDING, -PADDING + 2)


def badge_rect(inner: QRect, score: int, font: QFont) -> QRect:
    width = QFontMetrics(font).horizontalAdvance(str(score)) + 14
    return QRect(inner.right() - width, inner.top() + 1, width, 18)


def name_rect(inner: QRect, badge: QRect, line: int) -> QRect:
    """Where the lead's name goes: the first line, up to the score badge."""
    return QRect(inner.left(), inner.top(), badge.left() - inner.left() - 6, line)


def small_font(base: QFont) -> QFont:
    small = QFont(base)
    small.setPointSizeF(max(7.0, base.pointSizeF() - 1))
    return small


# cards painted lately, as pictures: a triage move shifts a column's cards up by one, and a
# card already painted is copied instead of drawn again (a fifth of the time)
KEPT_PICTURES = 64


class CardDelegate(QStyledItemDelegate):
    sla_hours: float = DEFAULT_SLA_HOURS  # the team's follow-up SLA (criteria)
    rotting: Rotting = Rotting()  # the team's days before a lead is stale (criteria)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._pictures: OrderedDict[tuple, QPixmap] = OrderedDict()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(240, CARD_HEIGHT)

    def flags(self, card: CardRecord, now: datetime) -> tuple[tuple[str, str], ...]:
        """The coloured words at the right of the bottom line, right to left, with the
        theme's name of their colour: the follow-up SLA of an MQL, how long it is stale."""
        flags = []
        state = sla_state(card.mql_at, card.first_touch_at, now, self.sla_hours)
        if card.stage == Stage.MQL and state is not None:
            flags.append((sla_text(state), "touched" if state.touched
                          else "overdue" if state.overdue else "due"))
        stale = stale_since(card.stage, card.stage_entered_at, card.last_touch_at,
                            self.rotting, now)
        if stale is not None:
            flags.append((f"stale {duration(now - stale)}", "due"))
        return tuple(flags)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card: CardRecord | None = index.data(CARD_ROLE)
        if card is None:
            return
        now = utcnow()
        # everything the picture shows: the card, what it says now, its size and look
        facts = " · ".join(filter(None, (card.buyer_stage, source_label(card.source),
                                        duration(now - card.stage_entered_at))))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        ratio = painter.device().devicePixelRatio()
        size = option.rect.size()
        key = (card, self.flags(card, now), facts, selected, size.width(), size.height(),
               ratio, option.font.key(), QApplication.palette().cacheKey())
        picture = self._pictures.get(key)
        if picture is None:
            picture = QPixmap(size * ratio)
            picture.setDevicePixelRatio(ratio)
            # on the column's colour (the view's background): an opaque picture keeps the
            # screen's subpixel smoothing of text, as when drawn on the column itself
            picture.fill(QColor(theme().css("column")))
            onto = QPainter(picture)
            self._draw(onto, QRect(QPoint(0, 0), size), option.font, card, key[1], facts,
                       selected)
            onto.end()
            if len(self._pictures) >= KEPT_PICTURES:
                self._pictures.popitem(last=False)
            self._pictures[key] = picture
        else:
            self._pictures.move_to_end(key)
        painter.drawPixmap(option.rect.topLeft(), picture)

    def _draw(self, painter: QPainter, rect: QRect, font: QFont, card: CardRecord,
              flags: tuple[tuple[str, str], ...], facts: str, selected: bool) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colours = theme()  # the application's: the column's own is its background
        box = rect.adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
        inner = inner_rect(rect)
        painter.setPen(QPen(colours.selected_border if selected else colours.card_border,
                            2 if selected else 1))
        painter.setBrush(colours.selected if selected else colours.card)
        painter.drawRoundedRect(box, 6, 6)

        base = QFont(font)
        bold = QFont(base)
        bold.setBold(True)
        small = small_font(base)
        line = QFontMetrics(base).height() + 3

        badge = self._score_badge(painter, inner, card.score, small)
        # Every string from data goes through drawText, which never interprets markup.
        # The name has the first line but for the score; the grade ends the second line.
        self._text(painter, name_rect(inner, badge, line), card.name, bold, colours.text)
        title_end = inner.right()
        if card.grade:
            width = QFontMetrics(small).horizontalAdvance(card.grade) + 4
            title_end -= width + 6
            self._text(painter, QRect(title_end + 6, inner.top() + line, width, line),
                       card.grade, small, colours.muted, Qt.AlignmentFlag.AlignRight)
        title = " at ".join(filter(None, (card.job_title, card.company)))
        self._text(painter, QRect(inner.left(), inner.top() + line, title_end - inner.left(),
                                  line), title, base, colours.muted)

        bottom = QRect(inner.left(), inner.top() + 2 * line, inner.width(), line)
        right = self._owner(painter, bottom, card.owner_name, small,
                            colours.owner if card.owner_name else colours.pool).left() - 6
        for text, colour in flags:
            right = self._flag(painter, bottom, right, text, small, getattr(colours, colour))
        self._text(painter, QRect(bottom.left(), bottom.top(), right - bottom.left(), line),
                   facts, small, colours.muted)

    @staticmethod
    def _text(painter: QPainter, rect: QRect, text: str, font: QFont, colour: QColor,
              align=Qt.AlignmentFlag.AlignLeft) -> None:
        painter.setFont(font)
        painter.setPen(colour)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), elided)

    @classmethod
    def _flag(cls, painter: QPainter, row: QRect, right: int, text: str, font: QFont,
              colour: QColor) -> int:
        """A short coloured word at the right of the bottom row, ending at `right`; where
        the next one ends."""
        width = QFontMetrics(font).horizontalAdvance(text) + 2
        right -= width
        cls._text(painter, QRect(right, row.top(), width, row.height()), text, font, colour,
                  Qt.AlignmentFlag.AlignRight)
        return right - 8

    @staticmethod
    def _score_badge(painter: QPainter, inner: QRect, score: int, font: QFont) -> QRect:
        text = str(score)
        rect = badge_rect(inner, score, font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(score_band(score)[1]))
        painter.drawRoundedRect(rect, 9, 9)
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        return rect

    @staticmethod
    def _owner(painter: QPainter, row: QRect, name: str | None, font: QFont,
               colour: QColor) -> QRect:
        size = 20
        rect = QRect(row.right() - size, row.center().y() - size // 2, size, size)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(rect)
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), initials(name) or "–")
        return rect
