"""The resume allowance (pure): a token bucket per socket, refilled evenly over a minute."""

import pytest

from realtime_service.domain.resume_allowance import ResumeAllowance


def test_the_allowance_refills_evenly_up_to_a_minute_of_resumes():
    allowance = ResumeAllowance(per_minute=3, refilled_at=100.0)

    assert [allowance.take(100.0) for _ in range(4)] == [True, True, True, False]
    assert allowance.take(119.0) is False  # one comes back every 20 s
    assert allowance.take(120.0) is True
    assert allowance.take(120.0) is False
    assert [allowance.take(10_000.0) for _ in range(4)] == [True, True, True, False]
    assert allowance.take(50.0) is False  # a clock going back earns nothing


def test_the_allowance_needs_a_positive_rate():
    with pytest.raises(ValueError, match="positive"):
        ResumeAllowance(per_minute=0, refilled_at=0.0)
