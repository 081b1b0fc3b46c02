"""The report's painted charts: round axis ends, and what is drawn is the data."""

from PySide6.QtGui import QColor

from ui.views.chart import Chart, Series, nice_top

RED = "#c0392b"


def test_the_value_axis_ends_on_a_round_figure():
    assert nice_top(38) == (40, 10)
    assert nice_top(211) == (250, 50)
    assert nice_top(0.42) == (0.5, 0.1)
    assert nice_top(0)[0] > 0  # an empty chart still has an axis


def colour_count(chart: Chart, colour: str) -> int:
    image = chart.grab().toImage()
    wanted = QColor(colour).rgb()
    return sum(image.pixel(x, y) == wanted
               for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))


def test_bars_are_drawn_in_proportion_and_nothing_for_no_data(qtbot):
    chart = Chart("Why sales rejected", "", "Rejections")
    qtbot.addWidget(chart)
    chart.resize(400, 240)
    chart.show_bars(["No budget", "No need"], [Series("Rejections", [0, 0], RED)], lying=True)
    assert colour_count(chart, RED) == 0
    chart.show_bars(["No budget", "No need"], [Series("Rejections", [10, 5], RED)], lying=True)
    half = colour_count(chart, RED)
    chart.show_bars(["No budget", "No need"], [Series("Rejections", [10, 10], RED)],
                    lying=True)
    full = colour_count(chart, RED)
    assert half > 0 and 1.3 < full / half < 1.7  # the second bar doubled: 15 -> 20 bar-lengths


def test_a_line_breaks_where_a_week_has_no_value_and_the_legend_names_the_series(qtbot):
    chart = Chart("Acceptance", "Share (%)", "Week")
    qtbot.addWidget(chart)
    chart.resize(400, 240)
    weeks = ["W1", "W2", "W3", "W4"]
    chart.show_lines(weeks, [Series("Accepted", [50, None, None, 50], RED)], top=100,
                     ticks=[0, 3])
    assert chart.legend() == []  # one series: nothing to tell apart
    gap = colour_count(chart, RED)
    chart.show_lines(weeks, [Series("Accepted", [50, 50, 50, 50], RED),
                             Series("Rejected", [10, 10, 10, 10], "#1e8449")],
                     top=100, ticks=[0, 3])
    assert chart.legend() == ["Accepted", "Rejected"]
    assert colour_count(chart, RED) > 3 * gap  # two dots only, against a whole line


def test_a_low_chart_says_its_value_axis_in_short_words_rather_than_cut_off(qtbot):
    chart = Chart("What sales did with the MQLs", "MQLs handed over", "", short_left="MQLs")
    qtbot.addWidget(chart)
    metrics = chart.fontMetrics()
    tall = metrics.horizontalAdvance("MQLs handed over") + 10
    assert chart.left_words(metrics, tall) == "MQLs handed over"
    assert chart.left_words(metrics, 75) == "MQLs"  # a 1280x720 window's report
    plain = Chart("Funnel", "Leads", "Stage")
    assert plain.left_words(metrics, 300) == "Leads"
    assert plain.left_words(metrics, 12) != "Leads"  # no shorter words: cut short
