"""Paints a lead card: name, title at company, score badge, source, owner, time in stage, SLA."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.models.card_list import CARD_ROLE
from ui.text import duration, initials, score_band, sla_text, source_label
from workbench.clock import utcnow
from workbench.rules.sla import DEFAULT_SLA_HOURS, sla_state
from workbench.rules.stages import Stage
from workbench.store.leads import CardRecord

CARD_HEIGHT = 84
MARGIN = 6
PADDING = 8
COLOURS = {
    "card": QColor("#ffffff"), "border": QColor("#d5d9de"), "selected": QColor("#e8f1fb"),
    "selected_border": QColor("#2e86c1"), "text": QColor("#1f2933"), "muted": QColor("#66727f"),
    "overdue": QColor("#c0392b"), "due": QColor("#b9770e"), "touched": QColor("#1e8449"),
    "owner": QColor("#5d6d7e"), "pool": QColor("#aab2bd"),
}


class CardDelegate(QStyledItemDelegate):
    sla_hours: float = DEFAULT_SLA_HOURS  # the team's follow-up SLA (criteria)

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(240, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card: CardRecord | None = index.data(CARD_ROLE)
        if card is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = option.rect.adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QPen(COLOURS["selected_border" if selected else "border"],
                            2 if selected else 1))
        painter.setBrush(COLOURS["selected" if selected else "card"])
        painter.drawRoundedRect(box, 6, 6)

        inner = box.adjusted(PADDING, PADDING - 2, -PADDING, -PADDING + 2)
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1))
        line = QFontMetrics(base).height() + 3

        badge = self._score_badge(painter, inner, card.score, small)
        if card.grade:
            width = QFontMetrics(small).horizontalAdvance(card.grade) + 4
            badge = QRect(badge.left() - width - 4, badge.top(), width, badge.height())
            self._text(painter, badge, card.grade, small, COLOURS["muted"],
                       Qt.AlignmentFlag.AlignRight)
        # Every string from data goes through drawText, which never interprets markup.
        self._text(painter, QRect(inner.left(), inner.top(), badge.left() - inner.left() - 6,
                                  line), card.name, bold, COLOURS["text"])
        title = " at ".join(filter(None, (card.job_title, card.company)))
        self._text(painter, QRect(inner.left(), inner.top() + line, inner.width(), line),
                   title, base, COLOURS["muted"])

        bottom = QRect(inner.left(), inner.top() + 2 * line, inner.width(), line)
        right = self._owner(painter, bottom, card.owner_name, small).left() - 6
        now = utcnow()
        state = sla_state(card.mql_at, card.first_touch_at, now, self.sla_hours)
        if card.stage == Stage.MQL and state is not None:
            colour = "touched" if state.touched else "overdue" if state.overdue else "due"
            sla = sla_text(state)
            width = QFontMetrics(small).horizontalAdvance(sla) + 2
            right -= width
            self._text(painter, QRect(right, bottom.top(), width, line), sla, small,
                       COLOURS[colour], Qt.AlignmentFlag.AlignRight)
            right -= 8
        facts = "  ·  ".join(filter(None, (card.buyer_stage, source_label(card.source),
                                          duration(now - card.stage_entered_at))))
        self._text(painter, QRect(bottom.left(), bottom.top(), right - bottom.left(), line),
                   facts, small, COLOURS["muted"])
        painter.restore()

    @staticmethod
    def _text(painter: QPainter, rect: QRect, text: str, font: QFont, colour: QColor,
              align=Qt.AlignmentFlag.AlignLeft) -> None:
        painter.setFont(font)
        painter.setPen(colour)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), elided)

    @staticmethod
    def _score_badge(painter: QPainter, inner: QRect, score: int, font: QFont) -> QRect:
        text = str(score)
        width = QFontMetrics(font).horizontalAdvance(text) + 14
        rect = QRect(inner.right() - width, inner.top() + 1, width, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(score_band(score)[1]))
        painter.drawRoundedRect(rect, 9, 9)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        return rect

    @staticmethod
    def _owner(painter: QPainter, row: QRect, name: str | None, font: QFont) -> QRect:
        size = 20
        rect = QRect(row.right() - size, row.center().y() - size // 2, size, size)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(COLOURS["owner" if name else "pool"])
        painter.drawEllipse(rect)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), initials(name) or "–")
        return rect
