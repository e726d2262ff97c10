"""End to end in headless Chromium: the commander clicks a bar and lands on the list behind it.

ECharts draws on a canvas, so there is no element to click. We click the canvas where the bar is: the
page keeps its chart instances (window.firegridCharts), `convertToPixel` turns the bar's data
coordinates (the middle of its stacked segment) into pixels inside the chart, and Playwright clicks
there with the mouse. That exercises the real path — ECharts' hit test, our click handler, the URL in
the data point — where `chart.trigger('click', …)` would call our handler with hand-made data and prove
nothing about what a user's click does.
"""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .conftest import START, TODAY, at, make_reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAR_CENTRE = """([name, seriesIndex, dataIndex]) => {
  const chart = window.firegridCharts[name];
  chart.getDom().scrollIntoView({block: 'center'});  // the mouse clicks inside the viewport only
  const series = chart.getOption().series;
  const horizontal = chart.getOption().yAxis[0].type === 'category';
  let before = 0;
  for (let i = 0; i < seriesIndex; i++) {
    if (series[i].stack && series[i].stack === series[seriesIndex].stack) before += series[i].data[dataIndex].value;
  }
  const point = series[seriesIndex].data[dataIndex];
  const middle = before + point.value / 2;
  const [x, y] = chart.convertToPixel({seriesIndex}, horizontal ? [middle, dataIndex] : [dataIndex, middle]);
  const box = chart.getDom().getBoundingClientRect();
  return {x: box.left + x, y: box.top + y, value: point.value, url: point.url};
}"""


def first_bar(option) -> tuple[int, int]:
    for s, series in enumerate(option["series"]):
        for d, point in enumerate(series["data"]):
            if point["value"]:
                return s, d
    raise AssertionError("no bar to click")


def click_bar_and_read_count(page, live_server, chart: str, option, count="p.count") -> tuple[int, str]:
    series_index, data_index = first_bar(option)
    page.wait_for_selector(f"[data-chart={chart}][data-ready=true]", state="attached")
    bar = page.evaluate(BAR_CENTRE, [chart, series_index, data_index])
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url(f"{live_server.url}{bar['url']}")
    count = page.locator(count).first.inner_text()
    return bar["value"], count


def open_dashboard(page_for, live_server, personas, campaign):
    page = page_for(personas.commander)
    page.goto(f"{live_server.url}{reverse('dashboards:campaign', args=[campaign.pk])}")
    return page


def option_of(client, campaign, chart):
    return client.get(reverse("dashboards:campaign", args=[campaign.pk])).context["charts"][chart]


def test_commander_clicks_an_area_bar_and_lands_on_the_reports_list(
    scene, personas, login, page_for, live_server
):
    # The area chart is yesterday's report: the bar leads to that report's list, as of that day.
    with at(TODAY, hour=15):
        make_reports(scene.campaign, START, TODAY - dt.timedelta(days=1))
        option = option_of(login(personas.commander), scene.campaign, "by_area")
        page = open_dashboard(page_for, live_server, personas, scene.campaign)
        assert "数据截至 2026-03-19" in page.locator("#snapshot-day").inner_text()
        value, count = click_bar_and_read_count(page, live_server, "by_area", option, "main p.muted")
    assert f"共 {value} 户" in count and "日报数字为" not in count


def test_commander_clicks_a_hazard_bar_and_lands_on_its_list(scene, personas, login, page_for, live_server):
    with at(TODAY, hour=15):
        option = option_of(login(personas.commander), scene.campaign, "hazards")
        page = open_dashboard(page_for, live_server, personas, scene.campaign)
        # The map drew its points on the plain background (no tile server configured).
        expect(page.locator("#campaign-map")).to_have_attribute("data-loaded", "5")
        value, count = click_bar_and_read_count(page, live_server, "hazards", option)
    assert f"共 {value} 条" in count
