"""KPI formulas on small hand-made sets of counts, including the edge cases."""

import pytest

from call_service.domain.kpis import (
    WindowCounts,
    abandonment_rate,
    average_handle_time,
    average_hold,
    average_speed_of_answer,
    overall_kpis,
    queue_kpis,
    service_level,
    service_level_base,
    transfer_rate,
)

# Ten calls offered: 6 answered (4 within the SLA, waits 10+20+5+15+40+50 = 140 s),
# 5 of them handled (talk + hold 100+200+300+150+250 = 1000 s, hold 30+0+0+20+0 = 50 s,
# 2 transferred), 4 abandoned of which 1 short.
DAY = WindowCounts(
    offered=10,
    answered=6,
    answered_within_sla=4,
    abandoned=4,
    short_abandons=1,
    wait_total_s=140.0,
    handled=5,
    handle_total_s=1000.0,
    hold_total_s=50.0,
    transferred=2,
)
NOTHING = WindowCounts()


def test_service_level_counts_abandons_less_short_abandons() -> None:
    assert service_level_base(DAY, includes_abandoned=True) == 6 + 4 - 1
    assert queue_kpis(DAY, includes_abandoned=True).service_level == pytest.approx(4 / 9)


def test_service_level_of_a_queue_excluding_abandons_divides_by_answered_only() -> None:
    assert service_level_base(DAY, includes_abandoned=False) == 6
    assert queue_kpis(DAY, includes_abandoned=False).service_level == pytest.approx(4 / 6)


def test_short_abandons_alone_give_no_service_level() -> None:
    only_short = WindowCounts(offered=2, abandoned=2, short_abandons=2)
    assert service_level_base(only_short, includes_abandoned=True) == 0
    assert queue_kpis(only_short, includes_abandoned=True).service_level is None
    assert abandonment_rate(only_short) == 0.0


def test_asa_is_the_wait_of_answered_calls_over_answered() -> None:
    assert average_speed_of_answer(DAY) == pytest.approx(140 / 6)


def test_aht_is_talk_plus_hold_over_handled() -> None:
    assert average_handle_time(DAY) == pytest.approx(1000 / 5)


def test_abandonment_rate_leaves_out_short_abandons() -> None:
    assert abandonment_rate(DAY) == pytest.approx((4 - 1) / 10)


def test_average_hold_is_hold_of_handled_calls_over_handled() -> None:
    assert average_hold(DAY) == pytest.approx(50 / 5)


def test_transfer_rate_is_transferred_over_handled() -> None:
    assert transfer_rate(DAY) == pytest.approx(2 / 5)


def test_every_kpi_of_an_empty_window_is_null_not_a_crash() -> None:
    kpis = queue_kpis(NOTHING, includes_abandoned=True)
    assert kpis.service_level is None
    assert kpis.asa_s is None
    assert kpis.aht_s is None
    assert kpis.abandonment_rate is None
    assert kpis.average_hold_s is None
    assert kpis.transfer_rate is None


def test_calls_answered_but_not_ended_give_asa_but_no_aht() -> None:
    talking = WindowCounts(offered=2, answered=2, answered_within_sla=2, wait_total_s=6.0)
    kpis = queue_kpis(talking, includes_abandoned=True)
    assert kpis.service_level == 1.0
    assert kpis.asa_s == 3.0
    assert kpis.aht_s is None
    assert kpis.average_hold_s is None
    assert kpis.transfer_rate is None
    assert kpis.abandonment_rate == 0.0


def test_only_waiting_calls_give_a_zero_abandonment_rate_and_no_service_level() -> None:
    waiting = WindowCounts(offered=3)
    kpis = queue_kpis(waiting, includes_abandoned=True)
    assert kpis.abandonment_rate == 0.0
    assert kpis.service_level is None
    assert kpis.asa_s is None


def test_service_level_of_zero_answered_within_a_positive_base_is_zero() -> None:
    assert service_level(0, 5) == 0.0
    assert service_level(0, 0) is None


def test_overall_adds_counts_and_each_queue_keeps_its_abandon_choice() -> None:
    excluding = WindowCounts(offered=4, answered=2, answered_within_sla=1, abandoned=2)
    totals, kpis = overall_kpis([(DAY, True), (excluding, False)])
    assert totals.offered == 14
    assert totals.answered == 8
    assert totals.abandoned == 6
    # DAY counts 9 calls for the SLA, the excluding queue only its 2 answered.
    assert kpis.service_level == pytest.approx((4 + 1) / (9 + 2))
    assert kpis.asa_s == pytest.approx(140 / 8)
    assert kpis.abandonment_rate == pytest.approx((6 - 1) / 14)


def test_overall_of_no_queues_is_all_zero_counts_and_null_ratios() -> None:
    totals, kpis = overall_kpis([])
    assert totals == NOTHING
    assert kpis.service_level is None
    assert kpis.transfer_rate is None
