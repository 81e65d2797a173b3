//! Diverging from the record: replayed to a date every timeline *is* history; given the whole
//! record the baseline twin is history and a no-op twin its copy; the truth is drawn from its
//! posterior given the real flights; records the model cannot produce are errors.

use std::sync::atomic::AtomicU64;

use starcity_core::counterfactual::run_pairs;
use starcity_core::engine::{Event, Observer, run_timeline};
use starcity_core::replay::{self, replaying, twin_of};
use starcity_core::scenario::Scenario;
use starcity_core::scenario::real::RealOutcome;
use starcity_core::world::{FlightEnd, FlightName, World};
use starcity_core::{builtin, divergence};

use crate::support::{assert_clean_failure, repo, run};

fn space_race() -> Scenario {
    builtin::scenario("space-race").expect("space-race loads")
}

fn whole_record(sc: &Scenario, tape: bool) -> Scenario {
    replaying(sc, sc.record.until_date.unwrap(), tape).expect("the built-in record replays")
}

/// One launch as the engine flew it: (day, program, manifest index, crew, outcome).
type Flown = (i64, usize, u16, Vec<u16>, FlightEnd);

/// Every launch of a timeline before `until`, in order.
struct Launches {
    until: f64,
    flown: Vec<Flown>,
}

impl Observer for Launches {
    fn event(&mut self, w: &World, e: Event) {
        if let Event::Launch { program, .. } = e {
            let f = &w.programs[program].flight;
            if f.launch >= self.until {
                return;
            }
            let (q, index) = match f.name {
                FlightName::Named { program, index } => (program as usize, index),
                _ => (usize::MAX, u16::MAX),
            };
            // (A flight may borrow a name of a later program of its series: by its name's program.)
            self.flown.push((f.launch.floor() as i64, q, index, f.crew().to_vec(), f.end));
        }
    }
}

fn launches(sc: &Scenario, until: f64, timeline: u64) -> (Vec<Flown>, World) {
    let mut obs = Launches { until, flown: Vec::new() };
    let mut w = World::default();
    run_timeline(sc, 1, timeline, &mut w, &mut obs);
    (obs.flown, w)
}

/// The record's flights before `until`, as the engine should fly them.
/// A recorded flight: (day, program, manifest index, crew, (failed phase key, lost)).
type Recorded = (i64, usize, u16, Vec<u16>, Option<(u64, bool)>);

fn expected(sc: &Scenario, until: f64) -> Vec<Recorded> {
    let mut v: Vec<_> = sc
        .record
        .flights
        .iter()
        .filter(|f| f.day < until)
        .map(|f| {
            let crew = sc.programs[f.program].flights[f.index as usize].crew.clone();
            let outcome = match f.outcome {
                RealOutcome::Success => None,
                RealOutcome::Failure { phase } => Some((phase, false)),
                RealOutcome::Lost { phase } => Some((phase, true)),
            };
            (f.day as i64, f.program, f.index, crew, outcome)
        })
        .collect();
    v.sort_by_key(|x| x.0);
    v
}

fn same_flights(sc: &Scenario, flown: &[Flown], until: f64, what: &str) {
    let want = expected(sc, until);
    assert_eq!(flown.len(), want.len(), "{what}: every recorded flight flies, and no other");
    let mut got: Vec<&Flown> = flown.iter().collect();
    got.sort_by_key(|x| x.0);
    for (g, w) in got.iter().zip(&want) {
        let name = &sc.programs[w.1].flights[w.2 as usize].name;
        assert_eq!((g.0, g.1, g.2), (w.0, w.1, w.2), "{what}: {name} on its day");
        assert_eq!(g.3, w.3, "{what}: {name} flies its real crew");
        let outcome = match g.4 {
            FlightEnd::Success => None,
            FlightEnd::Abort { phase } | FlightEnd::Lost { phase } => {
                Some((phase, matches!(g.4, FlightEnd::Lost { .. })))
            }
        };
        assert_eq!(outcome.is_some(), w.4.is_some(), "{what}: {name} succeeds or fails as it did");
        if let (Some((_, lost)), Some((_, real_lost))) = (outcome, w.4) {
            assert_eq!(lost, real_lost, "{what}: {name}'s crew lost or not, as really");
        }
    }
}

#[test]
fn replayed_to_the_end_of_the_record_every_timeline_is_history() {
    let mut sc = whole_record(&space_race(), false);
    let until = sc.record.until;
    sc.horizon = until - 1.0; // the world as the record leaves it (its last day: 1975-12-31)
    let usa = sc.agency_index("USA").unwrap();
    let ussr = sc.agency_index("USSR").unwrap();
    for t in 0..60 {
        let (flown, w) = launches(&sc, until, t);
        same_flights(&sc, &flown, until, &format!("timeline {t}"));
        // Milestones on their real days, with the real crews credited.
        for h in sc.history.iter().filter(|h| h.day < until) {
            let day = w.reached(h.milestone, h.agency).floor() as i64;
            assert_eq!(
                day, h.day as i64,
                "timeline {t}: {} by {} on {}",
                sc.milestones[h.milestone].id, h.agency, h.date
            );
        }
        // The dead: Grissom, White, Chaffee; Komarov; Dobrovolski, Volkov, Patsayev.
        assert_eq!((w.crew_lost[usa], w.crew_lost[ussr]), (3, 4), "timeline {t}: the people lost to 1975");
        let dead = |a: usize| {
            let roster = &sc.agencies[a].crew;
            let mut v: Vec<&str> =
                (0..roster.len()).filter(|&i| !w.alive[a][i]).map(|i| roster[i].name.as_str()).collect();
            v.sort();
            v
        };
        assert_eq!(dead(usa), ["Ed White", "Gus Grissom", "Roger Chaffee"]);
        assert_eq!(dead(ussr), ["Georgi Dobrovolski", "Viktor Patsayev", "Vladimir Komarov", "Vladislav Volkov"]);
    }
}

#[test]
fn a_recorded_failure_fails_at_its_recorded_phase() {
    let sc = whole_record(&space_race(), false);
    let (flown, _) = launches(&sc, sc.record.until, 7);
    for f in sc.record.flights.iter() {
        let Some(key) = f.outcome.phase() else { continue };
        let g = flown.iter().find(|g| (g.1, g.2) == (f.program, f.index)).expect("flown");
        let phase = match g.4 {
            FlightEnd::Abort { phase } | FlightEnd::Lost { phase } => phase,
            FlightEnd::Success => panic!("{} succeeded", sc.programs[f.program].flights[f.index as usize].name),
        };
        // The flight's mission is the one that failed at a phase of this name.
        let names: Vec<u64> = sc.missions.iter().filter_map(|m| m.phases.get(phase)).map(|p| p.name_key).collect();
        assert!(names.contains(&key), "{}: failed at the recorded phase", f.date);
    }
}

#[test]
fn before_the_replay_date_every_timeline_is_history_and_after_it_they_differ() {
    let base = space_race();
    let d = chrono::NaiveDate::from_ymd_opt(1967, 4, 23).unwrap();
    let sc = replaying(&base, d, false).unwrap();
    let until = (d - base.start).num_days() as f64;
    let mut after = std::collections::BTreeSet::new();
    for t in 0..40 {
        let (flown, _) = launches(&sc, until, t);
        same_flights(&sc, &flown, until, &format!("timeline {t}"));
        let (all, w) = launches(&sc, f64::INFINITY, t);
        after.insert((all.len(), w.reached(5, 0).to_bits()));
    }
    assert!(after.len() > 10, "after the date, history is re-rolled: timelines differ");
}

#[test]
fn given_the_record_a_no_op_twin_is_history_in_every_pair() {
    let raw = space_race();
    let base = whole_record(&raw, true);
    let text = "[divergence]\nid = \"noop\"\nname = \"n\"\nbase = \"space-race\"\n\
                [[intervention]]\ndo = \"scale\"\nfrom = 1965-01-01\nagency = \"USA\"\nbudget = 1.0\n";
    let div = twin_of(&base, &divergence::apply("<test>", text, &raw).unwrap());
    let p = run_pairs(&base, &div, 1, 300, &AtomicU64::new(0)).unwrap();
    assert_eq!(p.identical, p.n, "a change that changes nothing leaves every pair identical");
    let landing = raw.milestones.iter().position(|m| m.id == "crewed_lunar_landing").unwrap();
    let usa = raw.agency_index("USA").unwrap();
    assert_eq!(p.base.p_first(landing, usa), 1.0, "the baseline is history: Apollo 11 first in every timeline");
}

#[test]
fn given_the_record_the_twin_is_history_until_the_divergence() {
    let raw = space_race();
    let base = whole_record(&raw, true);
    let text = std::fs::read_to_string(repo("divergences/soyuz1-succeeds.toml")).unwrap();
    let div = twin_of(&base, &divergence::apply("soyuz1-succeeds", &text, &raw).unwrap());
    let d = (div.diverges.unwrap() - raw.start).num_days() as f64;
    let mut komarov_lives = 0;
    for t in 0..40 {
        let mut w0 = World::default();
        let mut b = Launches { until: f64::INFINITY, flown: Vec::new() };
        run_timeline(&base, 1, t, &mut w0, &mut b);
        let history: Vec<Flown> = b.flown.iter().filter(|f| (f.0 as f64) < raw.record.until).cloned().collect();
        same_flights(&raw, &history, raw.record.until, "baseline");
        let mut w1 = World::default();
        let mut o = Launches { until: f64::INFINITY, flown: Vec::new() };
        starcity_core::engine::run_with_tape(&div, 1, t, &mut w1, &mut o, Some(&w0.tape));
        let before: Vec<Flown> = o.flown.iter().filter(|f| (f.0 as f64) < d).cloned().collect();
        same_flights(&raw, &before, d, &format!("twin {t} before 1967-04-23"));
        komarov_lives += (w1.crew_lost[raw.agency_index("USSR").unwrap()] < 4) as u32;
    }
    assert!(komarov_lives > 0, "Soyuz 1 succeeds in the twin");
}

/// The true reliabilities the engine draws for vehicle `v` of `sc` (replayed) in `n` timelines,
/// against the grid posterior `post`: the Kolmogorov-Smirnov distance, and the sample mean.
fn truth_against(sc: &Scenario, v: usize, post: &starcity_core::reliability::Posterior, n: u64) -> (f64, f64) {
    let mut sc = sc.clone();
    sc.horizon = 0.0; // the truth is drawn before the first event
    let mut sample: Vec<f64> = (0..n)
        .map(|t| {
            let mut w = World::default();
            run_timeline(&sc, 5, t, &mut w, &mut starcity_core::engine::Quiet);
            w.vehicles[v].q0
        })
        .collect();
    sample.sort_by(f64::total_cmp);
    let m = 20_000;
    let exact: Vec<f64> = (0..m).map(|i| post.sample_q0((i as f64 + 0.5) / m as f64)).collect();
    let cdf = |x: f64| exact.partition_point(|&q| q <= x) as f64 / m as f64;
    let ks = sample.iter().enumerate().map(|(i, &x)| ((i + 1) as f64 / n as f64 - cdf(x)).abs()).fold(0.0, f64::max);
    (ks, sample.iter().sum::<f64>() / n as f64)
}

#[test]
fn given_the_record_every_built_in_twin_is_history_until_its_date() {
    let raw = space_race();
    let base = whole_record(&raw, true);
    for b in builtin::DIVERGENCES {
        let div = twin_of(&base, &divergence::apply(b.name, b.toml, &raw).unwrap());
        let d = (div.diverges.unwrap() - raw.start).num_days() as f64;
        for t in 0..8 {
            let mut w0 = World::default();
            run_timeline(&base, 3, t, &mut w0, &mut starcity_core::engine::Quiet);
            let mut o = Launches { until: d, flown: Vec::new() };
            starcity_core::engine::run_with_tape(&div, 3, t, &mut World::default(), &mut o, Some(&w0.tape));
            // Flights the model flies a few days after their real date (group flights) may
            // still be up at the date: compare those launched before it.
            let want: Vec<Flown> = o.flown.iter().filter(|f| (f.0 as f64) < d).cloned().collect();
            same_flights(&raw, &want, d, &format!("{} twin {t}", b.name));
        }
    }
}

#[test]
fn a_group_flight_that_really_flew_before_the_date_is_history() {
    // Soyuz 7 went up on 1969-10-12 while Soyuz 6 was in orbit; the model flies it on 10-16.
    let sc = replaying(&space_race(), chrono::NaiveDate::from_ymd_opt(1969, 10, 14).unwrap(), false).unwrap();
    let (flown, _) = launches(&sc, f64::INFINITY, 4);
    let soyuz = sc.programs.iter().position(|p| p.id == "soyuz").unwrap();
    let seven = sc.programs[soyuz].flights.iter().position(|f| f.name == "Soyuz 7").unwrap() as u16;
    let f = flown.iter().find(|f| (f.1, f.2) == (soyuz, seven)).expect("Soyuz 7 flies");
    assert_eq!(f.0, 3_066, "on the model's date, 1969-10-16 (day 3,066)");
    assert!(matches!(f.4, FlightEnd::Abort { .. }), "and as it really went: its docking failed, all came home");
    assert_eq!(f.3.len(), 3, "with its real crew of three");
}

#[test]
fn the_truth_is_drawn_from_its_posterior_given_the_real_flights() {
    // Tolerance: 1.95 / sqrt(n), the Kolmogorov-Smirnov 0.1 % critical value, plus the 1/m of
    // the grid the exact quantiles are taken on.
    let n = 20_000;
    let tolerance = 1.95 / (n as f64).sqrt() + 1.0 / 20_000.0;
    // The small race: the red rocket failed, flew, failed (killing Ada) and flew.
    let path = repo("crates/starcity/tests/fixtures/record/recorded-race.toml");
    let raw = Scenario::from_toml("recorded-race", &std::fs::read_to_string(path).unwrap()).unwrap();
    let sc = whole_record(&raw, false);
    let v = raw.vehicles.iter().position(|v| v.id == "red-rocket").unwrap();
    let vehicle = &raw.vehicles[v];
    let mut post = vehicle.prior.clone();
    for (n, (failed, f)) in [true, false, true, false].iter().zip(&raw.record.flights).enumerate() {
        post.observe(vehicle.family_index(n as u32, f.day), *failed);
    }
    let (ks, mean) = truth_against(&sc, v, &post, n);
    assert!(ks < tolerance, "red rocket: KS distance {ks}");
    let (prior, expected) = (vehicle.prior.mean_q0(), post.mean_q0());
    assert!(expected > prior + 0.05, "two failures in four move the posterior: {prior} -> {expected}");
    assert!((mean - expected).abs() < 0.01, "sample mean {mean}, posterior mean {expected}");
    // The N1's four real flights all failed at launch.
    let raw = space_race();
    let sc = whole_record(&raw, false);
    let v = raw.vehicles.iter().position(|v| v.id == "n1").unwrap();
    let n1l3 = raw.programs.iter().position(|p| p.id == "n1-l3").unwrap();
    let mut post = raw.vehicles[v].prior.clone();
    for (n, f) in raw.record.flights.iter().filter(|f| f.program == n1l3).enumerate() {
        post.observe(raw.vehicles[v].family_index(n as u32, f.day), true);
    }
    let (ks, _) = truth_against(&sc, v, &post, n);
    assert!(ks < tolerance, "N1: KS distance {ks}");
}

#[test]
fn the_modes_are_stated_in_every_report() {
    for (args, mode, effects) in [
        (vec!["compare", "-d", "soyuz1-succeeds", "-n", "200", "--json", "-q"], "replayed", "interventional"),
        (
            vec!["compare", "-d", "soyuz1-succeeds", "-n", "200", "--json", "-q", "--given-history"],
            "counterfactual",
            "counterfactual",
        ),
        (
            vec!["compare", "-d", "soyuz1-succeeds", "-n", "200", "--json", "-q", "--history-until", "none"],
            "free",
            "interventional",
        ),
        (vec!["run", "-n", "200", "--json", "-q", "--history-until", "1969-07-16"], "replayed", "interventional"),
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let c = &v["conditioning"];
        assert_eq!(c["mode"], mode, "{args:?}");
        assert_eq!(c["effects"], effects, "{args:?}");
    }
    let (_, text, _) = run(&["compare", "-d", "soyuz1-succeeds", "-n", "200", "-q", "--given-history"]);
    assert!(text.contains("The effects are counterfactual"), "{text}");
}

#[test]
fn given_history_is_the_same_on_any_thread_count() {
    let args = |threads: &'static str| {
        vec!["compare", "-d", "star-city", "-n", "600", "--json", "-q", "--given-history", "--threads", threads]
    };
    let (a, b) = (run(&args("1")), run(&args("2")));
    assert_eq!(a.0, 0, "{}", a.2);
    assert_eq!(a.1, b.1);
}

#[test]
fn a_record_the_model_cannot_produce_is_an_error_naming_the_flight() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(repo("crates/starcity/tests/fixtures/record/recorded-race.toml")).unwrap();
    let cases = [
        // A failure of a rocket that cannot fail.
        (
            good.replace("prior = { mean = 0.2, strength = 10 }  # judgement", "failure = 0.0"),
            vec!["`Red test 1` (1960-05-02)", "probability zero"],
        ),
        // A flight dated before its program can fly again.
        (
            good.replace("date = 1962-03-01", "date = 1960-12-01"),
            vec!["`Red 2` (1960-12-01)", "before its program could fly again"],
        ),
        // A flight dated before its program starts.
        (good.replace("date = 1961-06-01", "date = 1960-03-01"), vec!["`Blue 1` (1960-03-01)", "not started"]),
        // A rocket not ready again (lead time).
        (good.replace("date = 1962-04-15", "date = 1961-06-20"), vec!["`Blue 2`", "lead time"]),
    ];
    for (i, (text, words)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        assert_clean_failure(
            &format!("case {i}"),
            &run(&["run", p, "-n", "10", "--history-until", "1963-01-01"]),
            words,
        );
        assert_clean_failure(&format!("check {i}"), &run(&["check", p]), words);
    }
    // Out of the record, and no record at all.
    assert_clean_failure(
        "after",
        &run(&["run", "-n", "10", "--history-until", "1990-01-01"]),
        &["not within the record"],
    );
    assert_clean_failure(
        "none",
        &run(&["run", "tiny-race", "-n", "10", "--history-until", "1961-01-01"]),
        &["no record"],
    );
    let (code, _, err) = run(&["run", "-n", "10", "--history-until", "1969-13-01"]);
    assert_eq!(code, 2, "{err}");
    // Replaying past the divergence's own date would undo it.
    let late = run(&["compare", "-d", "n1-5l-flies", "-n", "10", "--history-until", "1975-01-01"]);
    assert_clean_failure("late", &late, &["after the divergence's date 1969-07-03", "--given-history"]);
}

#[test]
fn every_built_in_divergence_replays_history_to_its_date() {
    let raw = space_race();
    for b in builtin::DIVERGENCES {
        let div = divergence::apply(b.name, b.toml, &raw).unwrap();
        let d = div.diverges.unwrap_or_else(|| panic!("{} states its date", b.name));
        replaying(&div, d, false).unwrap_or_else(|e| panic!("{}: {e}", b.name));
        let described = replay::describe(&replaying(&div, d, false).unwrap());
        assert_eq!(described.mode, "replayed");
    }
}
