"""A pool of image servers per engine (issue #21): panels spread over the servers by
capacity, a failing server set aside and health-checked before it draws again, a
refusal not tried elsewhere, one Problem when no server can draw, and the same art
whichever server drew it. Stand-in GPU servers on loopback, with tiny times."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from servers.gpu import GPUServer
from test_engine_faults import configure
from test_engine_flight import more_panels

from pipeline.build import build
from pipeline.engines.pool import forget_pools
from pipeline.errors import ProjectError

QUICK = {"backoff": 0.05, "attempts": 3, "timeout": 2.0, "use_references": False}


@pytest.fixture(autouse=True)
def fresh_pools():
    forget_pools()
    yield
    forget_pools()


def pool(root: Path, *servers: tuple[GPUServer, int], **extra) -> None:
    configure(root, "automatic1111", {
        "servers": [{"base_url": s.url, "max_in_flight": slots} for s, slots in servers],
        **QUICK, **extra})


def drawn(server: GPUServer) -> int:
    return server.drawn


def art(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "_site" / "art").iterdir())}


def test_panels_spread_over_the_servers_by_capacity(copy_project):
    root = copy_project("valid")
    more_panels(root, 14)
    # a server's time well above the build's own per panel, so the split follows the slots
    # even on a busy machine (at 0.1 s, a load of 15 gave 9 and 7)
    with GPUServer(slots=1, seconds=0.4) as small, GPUServer(slots=3, seconds=0.4) as big:
        pool(root, (small, 1), (big, 3))
        assert build(root, jobs=1).panels_drawn == 16
    assert small.peak == 1 and 2 <= big.peak <= 3  # none beyond its slots
    assert drawn(small) + drawn(big) == 16
    assert drawn(big) > 1.5 * drawn(small) > 0  # three slots take about three times the work


def test_a_dead_server_is_set_aside_and_the_other_draws_everything(copy_project):
    root = copy_project("valid")
    more_panels(root, 14)
    with GPUServer(slots=2, seconds=0.05) as alive, GPUServer(slots=2, seconds=0.05) as dead:
        dead.refusing = True  # the port is open, every connection dropped
        pool(root, (dead, 2), (alive, 2))
        assert build(root, jobs=1).panels_drawn == 16
    assert drawn(alive) == 16
    # set aside after its first failures, then only health checks while it rests
    assert len(dead.requests) <= 8 < 16, [r.path for r in dead.requests]
    assert dead.calls("/internal/ping", "GET")


def test_a_server_that_comes_back_gets_work_after_its_health_check(copy_project):
    root = copy_project("valid")
    more_panels(root, 6)
    with GPUServer(slots=2, seconds=0.02) as steady, GPUServer(slots=2, seconds=0.02) as back:
        back.refusing = True
        pool(root, (steady, 2), (back, 2))
        build(root, jobs=1)
        assert drawn(back) == 0 and drawn(steady) == 8
        back.refusing = False
        time.sleep(0.5)  # past its back-off
        more_panels(root, 8)
        mark = len(back.requests)
        build(root, jobs=1)
        later = [r.path for r in back.requests[mark:]]
    assert later[0] == "/internal/ping"  # checked first, then given panels again
    assert drawn(back) > 0 and all(p.endswith("2img") for p in later[1:])


def test_no_server_that_can_draw_is_one_problem_naming_each(copy_project):
    root = copy_project("valid")
    more_panels(root, 4)
    first, second = GPUServer(slots=2, seconds=0.01), GPUServer(slots=2, seconds=0.01)
    first.kill(), second.kill()  # connection refused
    pool(root, (first, 2), (second, 2))
    start = time.monotonic()
    with pytest.raises(ProjectError) as caught:
        build(root, jobs=1)
    assert time.monotonic() - start < 10
    [problem] = caught.value.problems
    assert "no server of the pool can draw" in problem.message
    assert first.url in problem.message and second.url in problem.message
    assert "connection" in problem.message


def test_a_refusal_is_not_tried_on_another_server(copy_project):
    root = copy_project("valid")
    more_panels(root, 4)
    with GPUServer(slots=2, seconds=0.01) as one, GPUServer(slots=2, seconds=0.01) as two:
        one.auth = two.auth = "painter:secret"  # no key sent: both answer 401
        pool(root, (one, 2), (two, 2))
        with pytest.raises(ProjectError) as caught:
            build(root, jobs=1)
        sent = [r.json()["seed"] for s in (one, two) for r in s.calls("/sdapi/v1/(txt|img)2img")]
    assert "Incorrect username or password" in str(caught.value)
    assert len(sent) == len(set(sent))  # each panel asked once, on one server
    assert not one.calls("/internal/ping", "GET") and not two.calls("/internal/ping", "GET")


def test_the_art_is_the_same_whichever_server_drew_it(copy_project, tmp_path):
    first_root, second_root = copy_project("valid"), tmp_path / "again"
    import shutil
    shutil.copytree(first_root, second_root)
    with GPUServer(slots=2, seconds=0.01) as a, GPUServer(slots=2, seconds=0.01) as b:
        b.refusing = True
        pool(first_root, (a, 2), (b, 2))
        build(first_root, jobs=1)
        forget_pools()
        a.refusing, b.refusing = True, False
        pool(second_root, (a, 2), (b, 2))
        build(second_root, jobs=1)
    assert drawn(a) == drawn(b) == 2
    assert art(first_root) == art(second_root) and art(first_root)


def test_servers_given_twice_are_refused_at_the_setting(copy_project):
    root = copy_project("valid")
    configure(root, "automatic1111", {"servers": [{"base_url": "http://127.0.0.1:9"},
                                                  {"base_url": "http://127.0.0.1:9/"}]})
    with pytest.raises(ProjectError) as caught:
        build(root, jobs=1)
    assert "more than once" in str(caught.value)


def test_engines_check_reports_each_server_and_fails_when_none_can_draw(copy_project):
    from click.testing import CliRunner

    from pipeline.cli.main import main

    root = copy_project("valid")
    up, gone = GPUServer(slots=2), GPUServer(slots=2)
    gone.kill()
    pool(root, (up, 3), (gone, 5))
    result = CliRunner().invoke(main, ["engines", "--check", "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert "1 of 2 servers can draw, 3 panels at once" in result.output
    assert f"{up.url}: reachable" in result.output
    assert f"{gone.url}: cannot draw" in result.output and "Connection refused" in result.output
    up.kill()
    result = CliRunner().invoke(main, ["engines", "--check", "-p", str(root)])
    assert result.exit_code == 1 and "no server can draw" in result.output
