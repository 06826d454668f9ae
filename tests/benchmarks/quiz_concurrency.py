"""200 learners taking the exam at once against a running server, on SQLite and PostgreSQL.

For each database this starts a real gunicorn (``BENCH_QUIZ_WORKERS`` processes ×
``BENCH_QUIZ_THREADS`` threads, default 3 × 8) on a throwaway data directory, seeds the demo
question bank and its 20-question certification exam (random draws) in a self-enrolment
course, and gives ``BENCH_QUIZ_LEARNERS`` technicians (default 200) a signed-in session. Then
every learner, each in its own thread and all released together:

1. opens the lesson that holds the exam and starts an attempt (all at the same moment);
2. reads the question page and autosaves its answers in two JSON requests;
3. submits the whole form (all at the same moment); every fifth learner submits twice
   concurrently (a double click on a slow phone).

Before the crowd, five learners take the exam one after the other on the idle server
(``alone``): the server's own time per request, against which the crowd's queueing shows.

Reported: p50/p95/max latency per step, HTTP errors, and, checked in the database afterwards:
attempts lost (a learner whose start succeeded without an attempt, or a submitted attempt not
graded), attempts graded twice (``quiz_attempt_graded`` sent more than once for an attempt; the
server processes append every signal to a file through a gunicorn hook), answers lost (the
stored answers differ from the last ones the learner saved), "database is locked" errors in
the server log. Written to ``bench-results/quiz_concurrency.json``.

PostgreSQL runs when ``BENCH_QUIZ_DATABASE_URL`` names a database whose name contains "bench"
(it is dropped and created again), e.g.::

    BENCH_ONLY=quiz BENCH_QUIZ_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_quiz_bench \\
        make bench

Sessions are made in the seed step rather than by logging in: 200 password hashes at once
would measure PBKDF2, not the quiz engine."""

import contextlib
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN_CONF = Path(__file__).with_name("quiz_gunicorn_conf.py")
DOUBLE_SUBMIT_EVERY = 5
# Learners who take the exam alone first, for the idle server's per-request times.
ALONE = 5


# --- Inside the server's database (run as subcommands in a fresh process) --------------------


def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(learners: int) -> dict:
    """The demo bank and exam in a lesson of a self-enrolment course, ``learners``
    technicians with a session each. Prints what the load needs."""
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from courses.demo_quiz import _ensure_exam, _ensure_questions
    from courses.models import CoursePage, LessonPage
    from courses.setup import course_catalogue_ensure
    from portal.models import Region, ServiceOutlet, StaffProfile
    from portal.roles import Role
    from portal.services import staff_set_roles

    _ensure_questions()
    exam = _ensure_exam()
    catalogue = course_catalogue_ensure()
    course = catalogue.add_child(
        instance=CoursePage(title="分体空调安装上岗认证", summary="压测用课程", self_enrolment=True)
    )
    course.save_revision().publish()
    lesson = course.add_child(
        instance=LessonPage(
            title="上岗考试", body=[("quiz", {"quiz": exam, "intro": "通过即可申请上岗认证。"})]
        )
    )
    lesson.save_revision().publish()
    region = Region.objects.create(code="bench", name="压测大区")
    outlet = ServiceOutlet.objects.create(code="BENCH-01", name="压测网点", region=region)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    sessions = []
    for n in range(learners):
        number = f"B{n:04d}"
        user = User.objects.create_user(username=number, password=None)
        StaffProfile.objects.bulk_create(
            [StaffProfile(user=user, employee_no=number, name=f"技师{n}", outlet=outlet)]
        )
        staff_set_roles(user=user, roles=[Role.TECHNICIAN])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append({"user_id": user.pk, "session": session.session_key})
    return {
        "quiz_id": exam.pk,
        "lesson_url": LessonPage.objects.get(pk=lesson.pk).url,
        "questions_per_attempt": sum(d.count for d in exam.draws.all()),
        "learners": sessions,
    }


def verify(client_log: dict, signal_file: str) -> dict:
    """Checks the database against what the learners did."""
    _django()
    from collections import Counter

    from courses.models import AttemptStatus, QuizAttempt

    attempts = {a.pk: a for a in QuizAttempt.objects.all()}
    per_user = Counter(a.user_id for a in attempts.values())
    signals = Counter(int(line) for line in Path(signal_file).read_text().split() if line.strip())
    lost, lost_answers, not_graded = [], [], []
    for learner in client_log["learners"]:
        attempt_id = learner.get("attempt_id")
        if attempt_id is None:
            continue
        attempt = attempts.get(attempt_id)
        if attempt is None or attempt.user_id != learner["user_id"]:
            lost.append(attempt_id)
            continue
        if learner.get("submitted") and (
            attempt.status == AttemptStatus.IN_PROGRESS or attempt.graded_at is None
        ):
            not_graded.append(attempt_id)
        if learner.get("saved") is not None and attempt.answers != learner["saved"]:
            lost_answers.append(attempt_id)
    graded = [a for a in attempts.values() if a.graded_at is not None]
    return {
        "attempts_in_database": len(attempts),
        "attempts_graded": len(graded),
        "attempts_submitted_by_learners": sum(
            1 for learner in client_log["learners"] if learner.get("submitted")
        ),
        "lost_attempts": len(lost),
        "submitted_but_not_graded": len(not_graded),
        "attempts_with_lost_answers": len(lost_answers),
        "learners_with_more_than_one_attempt": sum(1 for n in per_user.values() if n > 1),
        "graded_signals": sum(signals.values()),
        "attempts_graded_more_than_once": sum(1 for n in signals.values() if n > 1),
        "graded_without_signal": sum(1 for a in graded if signals[a.pk] == 0),
        "signals_for_unknown_attempts": sum(1 for pk in signals if pk not in attempts),
        "passed": sum(1 for a in graded if a.passed),
    }


# --- The load ---------------------------------------------------------------------------------


class Learner:
    """One person on their own connection, with their own cookies."""

    def __init__(self, base: str, session_key: str, user_id: int):
        import requests

        self.base = base
        self.http = requests.Session()
        if session_key:
            # Same domain and path as the server's own cookie, so a renewed one replaces it.
            self.http.cookies.set("sessionid", session_key, domain="127.0.0.1", path="/")
        self.user_id = user_id
        self.timings: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.record: dict = {"user_id": user_id}
        self.multiple: set[str] = set()

    def twin(self) -> "Learner":
        """The same person in a second tab: same cookies, own connection."""
        other = Learner(self.base, None, self.user_id)
        for cookie in self.http.cookies:
            other.http.cookies.set_cookie(cookie)
        other.timings, other.errors, other.record = self.timings, self.errors, self.record
        return other

    def _timed(self, step: str, method: str, url: str, **kwargs):
        start = time.perf_counter()
        response = self.http.request(method, self.base + url, allow_redirects=False, **kwargs)
        self.timings.setdefault(step, []).append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            self.errors.append(f"{step}: HTTP {response.status_code}")
        return response

    def _csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def open_lesson(self, lesson_url: str) -> None:
        page = self._timed("open_lesson", "GET", lesson_url)
        if 'data-testid="start-quiz"' not in page.text:
            self.errors.append("open_lesson: no start button")

    def start(self, quiz_id: int) -> str | None:
        response = self._timed(
            "start",
            "POST",
            f"/learning/quiz/{quiz_id}/start/",
            data={"csrfmiddlewaretoken": self._csrf()},
        )
        match = re.search(r"/quiz/attempts/(\d+)/$", response.headers.get("Location", ""))
        if response.status_code != 302 or not match:
            self.errors.append(f"start: no attempt ({response.status_code})")
            return None
        self.record["attempt_id"] = int(match.group(1))
        return response.headers["Location"]

    def answer(self, take_url: str) -> dict:
        page = self._timed("take_page", "GET", take_url).text
        answers = {}
        for match in re.finditer(
            r'data-question="(q\d+)" data-type="(\w+)"(.*?)</fieldset>', page, re.S
        ):
            qkey, kind, body = match.groups()
            values = re.findall(rf'name="{qkey}" value="([^"]+)"', body)
            tokens = list(dict.fromkeys(re.findall(r'<option value="([^"]+)"', body)))
            if kind in ("single", "true_false"):
                answers[qkey] = random.choice(values)
            elif kind == "multiple":
                answers[qkey] = random.sample(values, random.randint(1, len(values)))
                self.multiple.add(qkey)
            elif kind == "ordering":
                answers[qkey] = random.sample(tokens, len(tokens))
            else:
                answers[qkey] = random.choice(["真空泵", "氮气", "R32"])
        if not answers:
            self.errors.append("take_page: no questions")
        return answers

    def autosave(self, attempt_id: int, answers: dict) -> None:
        keys = sorted(answers)
        half = len(keys) // 2
        for part in (keys[:half], keys[half:]):
            response = self._timed(
                "autosave",
                "POST",
                f"/learning/quiz/attempts/{attempt_id}/answers/",
                data=json.dumps({"answers": {k: answers[k] for k in part}}),
                headers={"Content-Type": "application/json", "X-CSRFToken": self._csrf()},
            )
            if response.status_code != 200 or not response.json().get("saved"):
                self.errors.append(f"autosave: {response.status_code}")
                return
        # As the server stores them: multiple choice as a sorted set, everything else as sent.
        self.record["saved"] = {
            k: sorted(set(v)) if k in self.multiple else v for k, v in answers.items()
        }

    def submit(self, attempt_id: int, answers: dict, step: str = "submit") -> None:
        form = [("csrfmiddlewaretoken", self._csrf())]
        for qkey, value in answers.items():
            form.append(("shown", qkey))
            for item in value if isinstance(value, list) else [value]:
                form.append((qkey, item))
        response = self._timed(
            step, "POST", f"/learning/quiz/attempts/{attempt_id}/submit/", data=form
        )
        if response.status_code != 302 or "/result/" not in response.headers.get("Location", ""):
            self.errors.append(f"{step}: {response.status_code}")
        else:
            self.record["submitted"] = True


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
        "max_ms": round(ordered[-1], 1),
    }


STEPS = ("open_lesson", "start", "take_page", "autosave", "submit", "double_submit")


def run_alone(base: str, seeded: dict, sessions: list[dict]) -> dict:
    """Each learner's journey on an idle server, one after the other: the time the server
    needs per request, to set the crowd's figures against."""
    learners = []
    for session in sessions:
        learners.extend(_journeys(base, seeded, [session], double_submits=False)[0])
    return {
        "learners": len(learners),
        "latency": {
            step: _percentiles([t for lr in learners for t in lr.timings.get(step, [])])
            for step in STEPS[:-1]
        },
        "http_errors": sum(len(lr.errors) for lr in learners),
        "client_log": {"learners": [lr.record for lr in learners]},
    }


def run_load(base: str, seeded: dict, sessions: list[dict]) -> dict:
    learners, elapsed = _journeys(base, seeded, sessions, double_submits=True)
    count = len(learners)
    steps = {}
    for step in STEPS:
        steps[step] = _percentiles([t for lr in learners for t in lr.timings.get(step, [])])
    errors = [e for lr in learners for e in lr.errors]
    return {
        "learners": count,
        "double_submitters": len(range(0, count, DOUBLE_SUBMIT_EVERY)),
        "seconds": round(elapsed, 1),
        "latency": steps,
        "http_errors": len(errors),
        "error_samples": sorted(set(errors))[:10],
        "client_log": {"learners": [lr.record for lr in learners]},
    }


def _journeys(
    base: str, seeded: dict, sessions: list[dict], *, double_submits: bool
) -> tuple[list["Learner"], float]:
    """Every learner in its own thread: all start together, all submit together."""
    learners = [Learner(base, s["session"], s["user_id"]) for s in sessions]
    count = len(learners)
    at_start = threading.Barrier(count, timeout=600)
    at_submit = threading.Barrier(count, timeout=600)

    def journey(index: int, learner: Learner) -> None:
        answers, attempt_id = {}, None
        try:
            learner.open_lesson(seeded["lesson_url"])
            # A connection left idle at the barrier outlives gunicorn's keep-alive; reusing it
            # would fail in the client, not the server. Learners come back on a new one.
            learner.http.close()
            at_start.wait()
            take_url = learner.start(seeded["quiz_id"])
            if take_url:
                attempt_id = learner.record["attempt_id"]
                answers = learner.answer(take_url.replace(base, ""))
                learner.autosave(attempt_id, answers)
        except Exception as exc:  # noqa: BLE001 - a failed learner is a finding, not a crash
            learner.errors.append(f"journey: {exc!r}")
        learner.http.close()
        with contextlib.suppress(threading.BrokenBarrierError):
            at_submit.wait()
        if attempt_id is None:
            return
        # The submit form carries the answers on the page: what the learner last saved.
        try:
            if double_submits and index % DOUBLE_SUBMIT_EVERY == 0:
                twin = threading.Thread(
                    target=learner.twin().submit, args=(attempt_id, answers, "double_submit")
                )
                twin.start()
                learner.submit(attempt_id, answers)
                twin.join()
            else:
                learner.submit(attempt_id, answers)
        except Exception as exc:  # noqa: BLE001
            learner.errors.append(f"submit: {exc!r}")

    threads = [
        threading.Thread(target=journey, args=(i, learner)) for i, learner in enumerate(learners)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return learners, time.perf_counter() - began


# --- Orchestration ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "PORTAL_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            "BENCH_SIGNAL_FILE": str(data_dir / "graded-signals.txt"),
        }
    )
    return env


def _subcommand(env: dict, *args: str, stdin: str | None = None) -> dict:
    done = subprocess.run(
        [PYTHON, "-m", "tests.benchmarks.quiz_concurrency", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _recreate_postgres(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if "bench" not in name:
        raise SystemExit(f"BENCH_QUIZ_DATABASE_URL must name a bench database, not {name!r}")
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _progress(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} quiz bench: {message}", file=sys.stderr, flush=True)


def bench_database(label: str, database_url: str | None, learners: int) -> dict:
    _progress(f"{label}: migrating and seeding")
    data_dir = Path(tempfile.mkdtemp(prefix=f"portal-bench-quiz-{label}-"))
    database_url = database_url or f"sqlite:///{data_dir / 'db.sqlite3'}"
    if not database_url.startswith("sqlite"):
        _recreate_postgres(database_url)
    env = _env(data_dir, database_url)
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run([PYTHON, "manage.py", *command, "-v0"], env=env, cwd=ROOT, check=True)
    seeded = _subcommand(env, "seed", str(learners + ALONE))
    Path(env["BENCH_SIGNAL_FILE"]).touch()
    port = _free_port()
    workers = os.environ.get("BENCH_QUIZ_WORKERS", "3")
    threads = os.environ.get("BENCH_QUIZ_THREADS", "8")
    server_log = data_dir / "gunicorn.log"
    with server_log.open("w") as log:
        server = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "portal.wsgi",
                "--config",
                str(GUNICORN_CONF),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                workers,
                "--threads",
                threads,
                "--timeout",
                "120",
                # The default socket path is per machine; other servers on it keep theirs.
                "--no-control-socket",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
        _progress(f"{label}: {learners} learners")
        alone = run_alone(base, seeded, seeded["learners"][:ALONE])
        load = run_load(base, seeded, seeded["learners"][ALONE:])
    finally:
        server.terminate()
        server.wait(timeout=60)
    client_log = load.pop("client_log")
    client_log["learners"] += alone.pop("client_log")["learners"]
    checks = _subcommand(env, "verify", env["BENCH_SIGNAL_FILE"], stdin=json.dumps(client_log))
    log_text = server_log.read_text(errors="replace")
    result = {
        "database": label,
        "server": f"gunicorn {workers} workers × {threads} threads",
        "questions_per_attempt": seeded["questions_per_attempt"],
        "alone": alone,
        "crowd": load,
        "checks": checks,
        "server_log": {
            "database_is_locked": log_text.count("database is locked"),
            "tracebacks": log_text.count("Traceback"),
        },
    }
    if load["http_errors"] or alone["http_errors"] or result["server_log"]["tracebacks"]:
        result["kept_for_inspection"] = str(data_dir)
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return result


def _wait_until_up(base: str) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("the bench server did not start")


def main() -> int:
    learners = int(os.environ.get("BENCH_QUIZ_LEARNERS", "200"))
    results = {
        "machine": os.uname().nodename,
        "cpus": os.cpu_count(),
        "note": "server and client threads share the machine's cores (with other work)",
        "runs": [bench_database("sqlite", None, learners)],
    }
    postgres = os.environ.get("BENCH_QUIZ_DATABASE_URL")
    if postgres:
        results["runs"].append(bench_database("postgresql", postgres, learners))
    else:
        results["postgresql"] = "skipped: set BENCH_QUIZ_DATABASE_URL"
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "quiz_concurrency.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    broken = [run["database"] for run in results["runs"] if _integrity_problems(run)]
    if broken:
        _progress(f"attempts lost, ungraded or graded twice on: {', '.join(broken)}")
        return 1
    return 0


def _integrity_problems(run: dict) -> int:
    """What must be zero whatever the machine's speed."""
    checks = run["checks"]
    return (
        checks["lost_attempts"]
        + checks["submitted_but_not_graded"]
        + checks["attempts_with_lost_answers"]
        + checks["learners_with_more_than_one_attempt"]
        + checks["attempts_graded_more_than_once"]
        + checks["graded_without_signal"]
        + checks["signals_for_unknown_attempts"]
        + run["server_log"]["database_is_locked"]
    )


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "main"
    if command == "seed":
        print(json.dumps(seed(int(sys.argv[2]))))
    elif command == "verify":
        print(json.dumps(verify(json.loads(sys.stdin.read()), sys.argv[2])))
    else:
        sys.exit(main())
