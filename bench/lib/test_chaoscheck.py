"""Unit tests of bench/chaos's checker and schedule on hand-made histories: python3 -m unittest discover -s bench/lib -p 'test_chaos*.py'"""

import json
import os
import tempfile
import unittest

import chaoscheck
import chaosschedule

BOUNDS = chaoscheck.BOUNDS


def fault(kind, start, end, target="alpha", actual=None):
    return {"k": "fault", "id": 1, "kind": kind, "target": target, "actual": actual or target, "start": start, "end": end}


def req(t0, t1, ok, site="alpha"):
    return {"k": "req", "p": "tcp4", "t0": t0, "t1": t1, "ok": ok, "site": site if ok else None, "err": None if ok else "connect_timeout"}


def sample(t, hub1_vips, hub2_vips, hub1_web="alpha", hub2_web="alpha", echo="alpha"):
    return {"k": "sample", "t": t, "hubs": {
        "hub1": {"vips": hub1_vips, "map": {"web": hub1_web, "echo": echo}},
        "hub2": {"vips": hub2_vips, "map": {"web": hub2_web, "echo": echo}}}}


def status(t, hub, web="alpha", health="healthy"):
    return {"k": "status", "t": t, "hub": hub, "ok": True, "services": {"web": web, "echo": "alpha"},
            "health": {"alpha": health, "bravo": "healthy", "charlie": "healthy"}}


class FailuresOutsideFaults(unittest.TestCase):
    def test_a_failure_inside_a_fault_window_or_its_detection_bound_is_excused(self):
        faults = [fault("site_link", 100, 110)]
        line = chaoscheck.check_failures([req(99, 104, False), req(114, 114.5, False), req(50, 51, True)], faults, BOUNDS)
        self.assertEqual(line["violations"], 0)
        self.assertEqual((line["requests"], line["failed"]), (3, 2))

    def test_a_failure_while_nothing_is_broken_is_a_violation_with_the_first_example(self):
        faults = [fault("site_link", 100, 110)]
        first, second = req(120, 125, False), req(130, 135, False)
        line = chaoscheck.check_failures([first, second], faults, BOUNDS)
        self.assertEqual(line["violations"], 2)
        self.assertEqual(line["first"], first)

    def test_planned_operations_excuse_nothing(self):
        for kind in ("drain", "pin", "reload_good", "reload_bad"):
            line = chaoscheck.check_failures([req(101, 102, False)], [fault(kind, 100, 110)], BOUNDS)
            self.assertEqual(line["violations"], 1, kind)


class SplitBrain(unittest.TestCase):
    def test_both_hubs_holding_the_vips_towards_one_site_is_no_split_brain(self):
        samples = [sample(t, True, True) for t in range(10)]
        self.assertEqual(chaoscheck.check_split_brain(samples, BOUNDS)["violations"], 0)

    def test_two_sites_through_two_holders_within_the_window_is_tolerated(self):
        samples = [sample(0, True, False), sample(0.5, True, True, "alpha", "bravo"), sample(1.0, True, True, "alpha", "bravo"), sample(1.5, True, False)]
        line = chaoscheck.check_split_brain(samples, BOUNDS)
        self.assertEqual(line["violations"], 0)
        self.assertEqual(line["longest_s"], 0.5)

    def test_two_sites_through_two_holders_longer_than_the_window_is_a_violation(self):
        samples = [sample(0, True, False)] + [sample(t, True, True, "alpha", "bravo") for t in (1, 2, 3)] + [sample(4, True, False)]
        line = chaoscheck.check_split_brain(samples, BOUNDS)
        self.assertEqual(line["violations"], 1)
        self.assertEqual((line["first"]["from"], line["first"]["to"], line["first"]["service"]), (1, 3, "web"))

    def test_a_split_lasting_to_the_end_of_the_history_is_counted(self):
        samples = [sample(t, True, True, "alpha", "charlie") for t in (1, 2, 3)]
        self.assertEqual(chaoscheck.check_split_brain(samples, BOUNDS)["violations"], 1)

    def test_different_maps_on_a_hub_without_the_vips_are_no_split_brain(self):
        samples = [sample(t, True, False, "alpha", "bravo") for t in range(5)]
        self.assertEqual(chaoscheck.check_split_brain(samples, BOUNDS)["violations"], 0)


class Convergence(unittest.TestCase):
    def test_converged_within_the_bound(self):
        faults = [fault("site_link", 100, 110)]
        samples = [sample(111, True, False, "bravo", "bravo"), sample(120, True, False)]
        statuses = [status(112, "hub1", web="bravo"), status(121, "hub1"), status(121, "hub2")]
        line = chaoscheck.check_convergence(faults, samples, statuses, 200, BOUNDS)
        self.assertEqual(line["violations"], 0)
        self.assertEqual(line["converged_after_s"], 10)

    def test_converging_later_than_the_bound_is_a_violation(self):
        faults = [fault("site_link", 100, 110)]
        samples = [sample(150, True, False, "bravo", "bravo"), sample(180, True, False)]
        statuses = [status(181, "hub1"), status(181, "hub2")]
        line = chaoscheck.check_convergence(faults, samples, statuses, 200, BOUNDS)
        self.assertEqual(line["violations"], 1)
        self.assertEqual(line["first"]["seconds"], 70)

    def test_never_converging_is_a_violation(self):
        faults = [fault("site_link", 100, 110)]
        samples = [sample(120, True, False), sample(190, True, True)]
        statuses = [status(121, "hub1"), status(121, "hub2")]
        line = chaoscheck.check_convergence(faults, samples, statuses, 200, BOUNDS)
        self.assertEqual(line["violations"], 1)
        self.assertTrue(line["first"]["never_converged"])

    def test_a_failed_status_call_neither_breaks_nor_makes_convergence(self):
        faults = [fault("site_link", 100, 110)]
        samples = [sample(120, True, False)]
        failed = {"k": "status", "t": 150, "hub": "hub2", "ok": False, "err": "timed out"}
        line = chaoscheck.check_convergence(faults, samples, [status(121, "hub1"), status(122, "hub2"), failed], 200, BOUNDS)
        self.assertEqual((line["violations"], line["converged_after_s"]), (0, 0))
        self.assertEqual(chaoscheck.check_convergence(faults, samples, [status(121, "hub1"), failed], 200, BOUNDS)["violations"], 1)

    def test_an_unhealthy_site_or_a_silent_hub_is_not_converged(self):
        faults = [fault("site_link", 100, 110)]
        samples = [sample(120, True, False)]
        self.assertEqual(chaoscheck.check_convergence(faults, samples, [status(121, "hub1"), status(122, "hub2", health="down")], 200, BOUNDS)["violations"], 1)
        self.assertEqual(chaoscheck.check_convergence(faults, samples, [status(121, "hub1")], 200, BOUNDS)["violations"], 1)


class Downloads(unittest.TestCase):
    def dl(self, t0, t1, ok, site="alpha"):
        return {"k": "dl", "p": "dl4", "t0": t0, "t1": t1, "ok": ok, "site": site, "bytes": 0, "err": None if ok else "read_timeout"}

    def test_a_download_lost_to_a_fault_on_its_own_site_is_excused(self):
        line = chaoscheck.check_downloads([self.dl(90, 105, False)], [fault("site_kill", 100, 110)], [sample(80, True, False)], BOUNDS)
        self.assertEqual(line["violations"], 0)

    def test_a_download_lost_to_a_fault_on_another_site_is_a_violation(self):
        line = chaoscheck.check_downloads([self.dl(90, 105, False)], [fault("site_kill", 100, 110, target="bravo")], [sample(80, True, False)], BOUNDS)
        self.assertEqual(line["violations"], 1)

    def test_a_download_lost_in_a_drain_of_its_site_is_a_violation(self):
        line = chaoscheck.check_downloads([self.dl(90, 105, False)], [fault("drain", 100, 110)], [sample(80, True, False)], BOUNDS)
        self.assertEqual(line["violations"], 1)

    def test_only_faults_of_the_hub_it_went_through_excuse_it(self):
        samples = [sample(80, True, False)]
        other = chaoscheck.check_downloads([self.dl(90, 105, False)], [fault("hub_kill", 100, 110, target="hub2")], samples, BOUNDS)
        own = chaoscheck.check_downloads([self.dl(90, 105, False)], [fault("hub_link", 100, 110, target="active", actual="hub1")], samples, BOUNDS)
        partition = chaoscheck.check_downloads([self.dl(90, 105, False)], [fault("partition", 100, 110, target="hubs")], samples, BOUNDS)
        self.assertEqual((other["violations"], own["violations"], partition["violations"]), (1, 0, 0))

    def test_survivors_are_counted(self):
        line = chaoscheck.check_downloads([self.dl(90, 105, True), self.dl(90, 105, True)], [], [], BOUNDS)
        self.assertEqual((line["downloads"], line["survived"], line["violations"]), (2, 2, 0))


class Leaks(unittest.TestCase):
    def snapshot(self, phase, **changes):
        base = {"k": "leaks", "phase": phase, "tables": {"kw-hub1": ["inet keepwire"]}, "namespaces": ["kw-hub1"],
                "processes": {"kw-hub1": {"dotnet": 1, "keepalived": 2, "nft": 1}}, "conntrack_vip": {"hub1": 0}, "children": 0}
        return {**base, **changes}

    def proc(self, t, rss, pid=10, started=0, fds=100):
        return {"k": "proc", "t": t, "hub": "hub1", "pid": pid, "started": started, "rss_kib": rss, "fds": fds}

    def test_the_same_lab_at_both_ends_is_clean(self):
        end = self.snapshot("end", processes={"kw-hub1": {"dotnet": 1, "keepalived": 2, "wg": 1}})
        line = chaoscheck.check_leaks([self.snapshot("start"), end], [self.proc(300, 1000), self.proc(600, 1090)], BOUNDS)
        self.assertEqual(line["violations"], 0)
        self.assertEqual(len(line["hubs"]["hub1"]["judged"]), 1)

    def test_a_left_table_process_or_conntrack_entry_is_a_leak(self):
        end = self.snapshot("end", tables={"kw-hub1": ["inet keepwire", "inet kwchaos_loss"]},
                            processes={"kw-hub1": {"dotnet": 2, "keepalived": 2}}, conntrack_vip={"hub1": 3})
        line = chaoscheck.check_leaks([self.snapshot("start"), end], [], BOUNDS)
        self.assertEqual(line["violations"], 3)
        self.assertEqual(line["first"]["what"], "tables")

    def test_a_left_conntrack_entry_names_the_request_that_left_it(self):
        entry = ("tcp 6 431990 ESTABLISHED src=198.51.100.9 dst=203.0.113.10 sport=40123 dport=80 "
                 "src=10.77.0.2 dst=198.51.100.9 sport=80 dport=40123 [ASSURED] mark=0 use=1")
        end = self.snapshot("end", t=500, conntrack_vip={"hub1": 1}, conntrack_vip_entries={"hub1": [entry]})
        old = {"k": "req", "p": "tcp4", "t0": 100, "t1": 101, "ok": True, "port": 40123}
        leaving = {"k": "req", "p": "tcp4", "t0": 300, "t1": 305, "ok": False, "err": "read_timeout", "port": 40123}
        other = {"k": "req", "p": "tcp4", "t0": 310, "t1": 311, "ok": True, "port": 40124}
        line = chaoscheck.check_leaks([self.snapshot("start"), end], [], BOUNDS, [old, leaving, other])
        self.assertEqual(line["violations"], 1)
        self.assertEqual(line["first"]["entries"], [{"entry": entry, "request": leaving}])

    def test_open_files_in_flight_at_the_end_are_no_leak_but_a_rising_floor_is(self):
        warm = [self.proc(300 + 10 * i, 1000, fds=f) for i, f in enumerate([33, 25, 77, 29, 23, 41, 25, 30, 27, 61, 25, 29, 33])]
        spiky_end = [self.proc(900 + 10 * i, 1000, fds=f) for i, f in enumerate([25, 77, 29, 23, 111, 25, 33, 27, 25, 29, 61, 53])]
        line = chaoscheck.check_leaks([self.snapshot("start"), self.snapshot("end")], warm + spiky_end, BOUNDS)
        self.assertEqual(line["violations"], 0)
        leaking_end = [self.proc(900 + 10 * i, 1000, fds=f + 40) for i, f in enumerate([25, 77, 29, 23, 111, 25, 33, 27, 25, 29, 61, 53])]
        line = chaoscheck.check_leaks([self.snapshot("start"), self.snapshot("end")], warm + leaking_end, BOUNDS)
        self.assertEqual(line["violations"], 1)
        self.assertEqual((line["first"]["what"], line["first"]["fds_floor_warm"], line["first"]["fds_floor_end"]), ("fds", 23, 63))

    def test_rss_growing_more_than_the_bound_once_warmed_up_is_a_leak(self):
        procs = [self.proc(60, 500), self.proc(300, 1000), self.proc(600, 1200)]
        line = chaoscheck.check_leaks([self.snapshot("start"), self.snapshot("end")], procs, BOUNDS)
        self.assertEqual(line["violations"], 1)
        self.assertEqual((line["first"]["what"], line["first"]["rss_kib_warm"], line["first"]["rss_kib_end"]), ("rss", 1000, 1200))

    def test_growth_while_warming_up_is_no_leak(self):
        procs = [self.proc(60, 500), self.proc(200, 900), self.proc(300, 1000), self.proc(600, 1050)]
        line = chaoscheck.check_leaks([self.snapshot("start"), self.snapshot("end")], procs, BOUNDS)
        self.assertEqual(line["violations"], 0)

    def test_every_daemon_that_lived_long_enough_is_judged_not_only_the_last(self):
        procs = [self.proc(300, 1000), self.proc(700, 1500),  # grew, then was killed and restarted
                 self.proc(710, 500, pid=11, started=700), self.proc(800, 900, pid=11, started=700)]
        line = chaoscheck.check_leaks([self.snapshot("start"), self.snapshot("end")], procs, BOUNDS)
        self.assertEqual(line["violations"], 1)
        self.assertEqual(line["first"]["pid"], 10)
        self.assertEqual(line["hubs"]["hub1"]["daemons"], 2)

    def test_a_daemon_restarted_near_the_end_is_not_judged_by_its_start(self):
        procs = [self.proc(61, 1000), self.proc(150, 1000), self.proc(160, 500, pid=11, started=150), self.proc(200, 900, pid=11, started=150)]
        line = chaoscheck.check_leaks([self.snapshot("start"), self.snapshot("end")], procs, BOUNDS)
        self.assertEqual(line["violations"], 0)
        self.assertEqual(line["hubs"]["hub1"]["judged"], [])


class WholeHistory(unittest.TestCase):
    def test_a_history_file_gives_one_line_per_invariant_and_a_summary(self):
        records = [{"k": "run", "t0": 0, "seed": 7, "minutes": 1, "bounds": {}},
                   fault("site_link", 10, 20), req(12, 17, False), req(30, 30.1, True), req(40, 45, False),
                   sample(50, True, False), status(51, "hub1"), status(51, "hub2"), {"k": "end", "t": 60}]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "history.jsonl")
            with open(path, "w") as f:
                for r in records:
                    f.write(json.dumps(r) + "\n")
            lines, summary = chaoscheck.check(*chaoscheck.read(path))
        self.assertEqual([line["invariant"] for line in lines], list(chaoscheck.INVARIANTS))
        self.assertEqual(summary["per_invariant"]["failures_outside_faults"], 1)
        self.assertEqual(summary["per_invariant"]["leaks"], 1)  # no leak snapshots in this history
        self.assertEqual(summary["violations"], 2)
        self.assertEqual(summary["faults"], {"site_link": 1})
        self.assertEqual(summary["requests"], 2 + 1)

    def test_a_udp_request_answered_after_its_retry_is_no_failure_but_is_counted(self):
        retried_in_fault = {**req(12, 13.2, True), "p": "udp4", "retried": True}
        retried_outside = {**req(40, 41.1, True), "p": "udp4", "retried": True}
        records = [{"k": "run", "t0": 0, "seed": 7, "minutes": 1, "bounds": {}}, fault("site_link", 10, 20), {"k": "end", "t": 60}]
        lines, summary = chaoscheck.check(records, [retried_in_fault, retried_outside, req(30, 30.1, True)])
        self.assertEqual(summary["per_invariant"]["failures_outside_faults"], 0)
        self.assertEqual((summary["udp_retried"], summary["udp_retried_outside_faults"]), (2, 1))


class Schedule(unittest.TestCase):
    def test_the_same_seed_gives_the_same_schedule_and_another_seed_another(self):
        self.assertEqual(chaosschedule.build(42, 10), chaosschedule.build(42, 10))
        self.assertNotEqual(chaosschedule.build(42, 10), chaosschedule.build(43, 10))

    def test_without_leaves_those_kinds_out_of_the_seeds_own_schedule(self):
        whole = chaosschedule.build(42, 30)
        without = chaosschedule.build(42, 30, without={"hub_kill"})
        self.assertTrue(any(f["kind"] == "hub_kill" for f in whole))
        self.assertFalse(any(f["kind"] == "hub_kill" for f in without))
        # Same draws: every fault left is one of the whole schedule's, at its time (a left-out fault frees its key,
        # so a fault the whole schedule skipped may run instead).
        starts = {(f["kind"], f["start"]) for f in whole}
        self.assertGreater(sum((f["kind"], f["start"]) in starts for f in without), len(without) * 0.8)

    def test_faults_overlap_but_never_on_one_target_and_all_heal_before_the_quiet_end(self):
        faults = chaosschedule.build(1, 60)
        keys = {}
        overlapping = 0
        for f in faults:
            self.assertLessEqual(f["start"] + f["duration"], 60 * 60 - 75)
            key = (f["kind"] in chaosschedule.HUB_LEVEL and "hubs") or f["target"] + f["kind"][:3]
            for g in faults:
                if g is not f and g["start"] < f["start"] + f["duration"] and f["start"] < g["start"] + g["duration"]:
                    overlapping += 1
                    if g["kind"] in chaosschedule.HUB_LEVEL and f["kind"] in chaosschedule.HUB_LEVEL:
                        self.fail(f"two hub-level faults at once: {f} {g}")
            keys[key] = f
        self.assertGreater(overlapping, 0)
        self.assertEqual({f["kind"] for f in faults}, set(chaosschedule.KINDS))


if __name__ == "__main__":
    unittest.main()
