"""Drawing on a Ray cluster (`executor: ray`, issue #21): a real Ray cluster on this
machine builds the example comic byte for byte as a local build does, survives a worker
killed in the middle, and reports a writer's mistake as a local build would. Without
Ray installed, `executor: ray` is a problem at its line, and nothing imports Ray.

One cluster (2 CPUs, loopback) serves the whole module; the tests that need it are
skipped, saying why, when Ray is not installed (pip install 'panelwright[ray]')."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.cli import main
from pipeline.errors import ProjectError
from pipeline.runtime import parallel

REPO = Path(__file__).parent.parent

HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed: "
                               "pip install 'panelwright[ray]' (the test extra has it)")


# what a build of the example left in it (CI builds it first): every copy starts unbuilt
BUILT = shutil.ignore_patterns("_site", ".panelwright", "_export")


def set_config(root: Path, text: str) -> int:
    """Append `text` to the project's panelwright.yaml; returns the line it starts on."""
    config = root / "panelwright.yaml"
    before = config.read_text(encoding="utf-8")
    config.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """A copy of the example that the cluster's jobs receive, as a node of another
    machine would: this checkout's `pipeline` code and the project's files."""
    return shutil.copytree(REPO / "projects" / "frost-moon",
                           tmp_path_factory.mktemp("shipped") / "frost-moon", ignore=BUILT)


@pytest.fixture(scope="module")
def cluster(shipped):
    if not HAVE_RAY:
        pytest.skip("Ray is not installed: pip install 'panelwright[ray]'")
    import ray
    from pipeline.runtime.ray_workers import runtime_env

    # one node, this machine (Ray itself turns 127.0.0.1 into the machine's own address:
    # ray._private.services.resolve_ip_for_localhost; nothing leaves this machine)
    for attempt in (1, 2):  # Ray gives its node 30 s to start: on a loaded machine, again
        try:
            ray.init(address="local", num_cpus=2, include_dashboard=False,
                     log_to_driver=False, object_store_memory=100_000_000,
                     _node_ip_address="127.0.0.1", runtime_env=runtime_env(shipped))
            break
        except Exception:
            ray.shutdown()
            if attempt == 2:
                raise
    assert len(ray.nodes()) == 1
    # the dying job below lives in this test module, which the workers cannot import
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def local_site(tmp_path_factory):
    """The example built on this machine's processes, as every comparison's reference."""
    where = tmp_path_factory.mktemp("local")
    shutil.copytree(REPO / "projects" / "frost-moon", where / "frost-moon", ignore=BUILT)
    build(where / "frost-moon", out=where / "site", jobs=2)
    return files(where / "site")


def no_local_pool(*args, **kwargs):
    # the build's jobs (drawing, lettering, page baking); the site's WebP copies are made
    # where the site is written
    raise AssertionError("a job ran in a process pool on this machine, not on Ray")


def no_cluster(*args, **kwargs):
    raise AssertionError("the build reached for a Ray cluster with nothing to do")


@needs_ray
def test_the_example_built_on_ray_is_byte_identical(cluster, local_site, copy_project,
                                                    tmp_path, monkeypatch):
    root = copy_project("frost-moon")
    set_config(root, "executor: ray\n")
    monkeypatch.setattr(parallel.LocalWorkers, "submit", no_local_pool)
    report = build(root, out=tmp_path / "site", jobs=2)
    assert report.panels_drawn == report.panels > 0
    assert files(tmp_path / "site") == local_site
    # a rebuild that finds everything in the cache does not wait for a cluster
    from pipeline.runtime import ray_workers
    monkeypatch.setattr(ray_workers, "RayWorkers", no_cluster)
    assert build(root, out=tmp_path / "site", jobs=2).panels_drawn == 0


def _dies_first(fn, marker: str, item, common):
    """A job whose worker process dies the first time any job of the build runs."""
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return fn(item, common)


@needs_ray
def test_a_worker_killed_mid_build_still_gives_the_same_site(cluster, shipped, local_site,
                                                             tmp_path):
    from pipeline.runtime.ray_workers import RayWorkers

    class Dying(RayWorkers):
        def submit(self, fn, item, common=None):
            return super().submit(functools.partial(_dies_first, fn, str(marker)), item,
                                  common)

    marker = tmp_path / "died"
    workers = Dying(root=shipped, ship=True)  # the jobs read the project's shipped copy
    report = build(shipped, out=tmp_path / "site", workers=workers)
    workers.close()
    assert marker.exists()  # a worker did die
    assert report.panels_drawn == report.panels
    assert files(tmp_path / "site") == local_site


@needs_ray
def test_a_writers_mistake_in_a_job_is_the_same_problem_as_locally(cluster, tmp_path,
                                                                   monkeypatch):
    found = {}
    for executor in ("local", "ray"):
        if executor == "ray":
            monkeypatch.setattr(parallel.LocalWorkers, "submit", no_local_pool)
        root = shutil.copytree(REPO / "projects" / "frost-moon", tmp_path / executor,
                               ignore=BUILT)
        set_config(root, f"executor: {executor}\n")
        config = root / "panelwright.yaml"  # a local engine that cannot draw here
        config.write_text(config.read_text().replace(
            "image: procedural        # storyboard art, drawn offline",
            "image: diffusers\n  image_settings: {model: models/not-here, device: cpu}"))
        with pytest.raises(ProjectError) as caught:
            build(root, out=tmp_path / f"{executor}-site", jobs=2)
        found[executor] = caught.value.problems
    assert found["ray"] == found["local"]
    first = found["ray"][0]
    assert first.file.startswith("stories/") and first.line and "diffusers" in first.message


def test_a_shipped_job_reads_the_projects_files_from_its_copy(tmp_path, monkeypatch):
    """On a node of another machine a job runs in the shipped copy of the project (Ray's
    working_dir): an engine's files named relative to the story repo are read there."""
    from pipeline.art import ArtJob
    from pipeline.engines import in_project
    from pipeline.runtime.ray_workers import _run

    home = tmp_path / "on-the-build-machine"
    copy = tmp_path / "on-a-node"
    copy.mkdir()
    monkeypatch.chdir(copy)
    job = ArtJob.model_construct(key="k", engine="diffusers", settings={}, root=str(home),
                                 format="png")
    model = _run(lambda item, common: in_project("models/comic", item.root), job, None,
                 str(home))
    assert model == copy / "models" / "comic"
    # a job of a cluster this machine is part of (nothing shipped) reads the project itself
    assert _run(lambda item, common: item.root, job, None, None) == str(home)


def test_without_ray_executor_ray_is_a_problem_at_its_line(copy_project, monkeypatch):
    root = copy_project("frost-moon")
    line = set_config(root, "executor: ray\n")
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    with pytest.raises(ProjectError) as caught:
        build(root, jobs=1)
    problem, = caught.value.problems
    assert (problem.file, problem.line) == ("panelwright.yaml", line)
    assert "pip install 'panelwright[ray]'" in problem.hint
    assert not (root / "_site").exists()


def test_a_misspelt_executor_is_reported_at_its_line(copy_project):
    root = copy_project("frost-moon")
    line = set_config(root, "executor: ray:/10.0.0.5:10001\n")
    with pytest.raises(ProjectError) as caught:
        build(root, jobs=1)
    problem = next(p for p in caught.value.problems if p.file == "panelwright.yaml")
    assert problem.line == line and "ray://HOST:PORT" in problem.message


def test_the_executor_flag_is_checked_before_anything_runs(copy_project):
    root = copy_project("frost-moon")
    result = CliRunner().invoke(main, ["build", str(root), "--executor", "rey"])
    assert result.exit_code == 2 and "not an executor" in result.output
    assert not (root / "_site").exists()


def test_nothing_imports_ray_when_the_build_is_local(copy_project, tmp_path):
    root = copy_project("valid")
    code = ("import sys; from pipeline.build import build; import pipeline.cli; "
            f"build({str(root)!r}, out={str(tmp_path / 'site')!r}, jobs=1); "
            "assert 'ray' not in sys.modules, 'ray was imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
