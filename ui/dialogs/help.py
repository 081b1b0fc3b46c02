"""Help › Keys and how triage works (F1 or ?): every shortcut, read from the window's own
actions (so it lists the keys they answer to), the few keys that are not actions, and how
triage goes; and Help › About."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from ui.action_ids import ActionId
from ui.actions import MENUS, SEPARATOR, Submenu
from ui.product import APP_NAME, version
from ui.shortcuts import OTHER_KEYS

HOW_TRIAGE_WORKS = """
<h3>How triage works</h3>
<p>Marketing hands over a lead as an <b>MQL</b> when its score reaches the team's threshold.
Sales then owes it a first touch within the follow-up SLA (the card counts it down).</p>
<ol>
<li><b>Pick the lead.</b> One card is current: it is highlighted, the pane on the right shows
it, and every key acts on it. <b>J</b>/<b>K</b> move along a column, <b>H</b>/<b>L</b>
between columns; <b>My queue</b> (Ctrl+2) lists your MQLs and the pool, most urgent first.</li>
<li><b>Read why it scored.</b> The pane explains the score rule by rule, with the person, the
company and every activity.</li>
<li><b>Decide.</b> <b>A</b> accepts: an MQL becomes a SAL and yours. <b>R</b> rejects and
<b>C</b> recycles, each with a reason you choose (a recycled lead comes back on its date).</li>
<li><b>Qualify.</b> Keys <b>1</b>–<b>4</b> step budget, authority, need and timeline; when
the team's BANT rule holds (by default need confirmed, three of the four at least partial,
none failed), <b>A</b> moves a SAL to <b>SQL</b>.</li>
<li><b>Changed your mind?</b> <b>Ctrl+Z</b> undoes this session's last move; the history keeps
both.</li>
</ol>
"""


def shortcut_rows(actions: dict[ActionId, QAction]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu, [(keys, what they do)]) for every action with keys, in menu order."""
    rows = []
    for title, items in MENUS:
        keyed = []
        for item in items:
            if item is SEPARATOR or isinstance(item, Submenu):
                continue
            action = actions[item]
            keys = " or ".join(key.toString(QKeySequence.SequenceFormat.NativeText)
                               for key in action.shortcuts() if not key.isEmpty())
            if keys:
                keyed.append((keys, action.text().replace("&", "").rstrip("…")))
        if keyed:
            rows.append((title.replace("&", ""), keyed))
    return rows


def help_html(actions: dict[ActionId, QAction]) -> str:
    parts = [f"<h2>{escape(APP_NAME)}: keys</h2>",
             "<p>Single letters act while the cards have the focus; typing in the search "
             "box or a note never triggers them.</p><table>"]
    for menu, keyed in [*shortcut_rows(actions), ("Also", list(OTHER_KEYS))]:
        parts.append(f"<tr><td colspan='2'><b>{escape(menu)}</b></td></tr>")
        parts += [f"<tr><td style='padding-right:16px'><code>{escape(keys)}</code></td>"
                  f"<td>{escape(does)}</td></tr>" for keys, does in keyed]
    parts.append("</table>")
    parts.append(HOW_TRIAGE_WORKS)
    return "".join(parts)


class HelpDialog(QDialog):
    def __init__(self, actions: dict[ActionId, QAction], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: keys and how triage works")
        self.text = QTextBrowser(self)
        self.text.setHtml(help_html(actions))
        self.text.setAccessibleName("Keys and how triage works")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.resize(620, 640)


class Help:
    """The Help menu's two windows."""

    def __init__(self, window: QWidget, actions: dict[ActionId, QAction],
                 database: Path) -> None:
        self.window, self.actions, self.database = window, actions, database
        self.dialog: HelpDialog | None = None

    def show_keys(self) -> None:
        """Beside the window, not in its way: the rep can try the keys while it is open."""
        if self.dialog is None:
            self.dialog = HelpDialog(self.actions, self.window)
        self.dialog.show()
        self.dialog.raise_()

    def show_about(self) -> None:
        QMessageBox.about(self.window, f"About {APP_NAME}",
                          f"{APP_NAME} {version()}: triage, qualify and score the leads "
                          f"marketing hands to sales.\n\nDatabase: {self.database}")
