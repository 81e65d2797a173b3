//! Named flights and crews: the real manifest flies under its real names with its real crews,
//! the crew rules hold in every timeline, and divergences and conditions can name a flight or a
//! person.

use std::sync::atomic::AtomicU64;

use starcity_core::chronicle::{self, Kind};
use starcity_core::scenario::Scenario;
use starcity_core::{builtin, divergence};

use crate::support::{assert_clean_failure, run};

fn space_race() -> Scenario {
    builtin::scenario("space-race").expect("built-in loads")
}

fn diverge(text: &str) -> Result<Scenario, String> {
    divergence::apply("test.toml", text, &space_race()).map_err(|e| format!("{e:?}"))
}

fn count(sc: &Scenario, cond: &str, n: u64) -> u64 {
    let cond = sc.parse_condition("--where", cond).expect("parses");
    chronicle::count_where(sc, 1, n, &cond, &AtomicU64::new(0)).expect("within the limits").hits
}

#[test]
fn gagarin_is_history_in_every_timeline() {
    let sc = space_race();
    assert_eq!(count(&sc, "first(crewed_orbit, USSR)", 500), 500);
    assert_eq!(count(&sc, "credited(\"Yuri Gagarin\", crewed_orbit)", 500), 500);
    let (entries, _) = chronicle::entries(&sc, 1, 0).expect("within the limits");
    assert_eq!(entries[0].kind, Kind::Past);
    assert_eq!(entries[0].date, "1961-04-12");
}

#[test]
fn the_first_flights_carry_their_real_names_and_crews() {
    let sc = space_race();
    // Wherever MA-6 puts an American in orbit before 1964, John Glenn flies it (in a slow
    // timeline, after he left NASA in January 1964, his backup does: see below).
    let n = 300;
    let flown = count(&sc, "flown(\"MA-6\")", n);
    assert!(flown > n * 9 / 10, "MA-6 flew in {flown} of {n}");
    let early = "flown(\"MA-6\") and date(crewed_orbit, USA) < 1964-01-01";
    assert!(count(&sc, early, n) > n * 8 / 10);
    assert_eq!(count(&sc, &format!("{early} and not flew(\"John Glenn\")"), n), 0);
    // Glenn left NASA in January 1964: he flies MA-6 alone (an assignment keeps him until it
    // flies, however late) and nothing after it, and never a flight after he left.
    for t in 0..60 {
        let (entries, _) = chronicle::entries(&sc, 1, t).expect("within the limits");
        for e in entries.iter().filter(|e| e.crew.iter().any(|c| c == "John Glenn")) {
            assert_eq!(e.flight.as_deref(), Some("MA-6"), "timeline {t}: Glenn on {}", e.text);
        }
    }
}

#[test]
fn landing_parties_are_as_large_as_the_lander() {
    let sc = diverge(&std::fs::read_to_string(crate::support::repo("divergences/star-city.toml")).unwrap())
        .expect("star-city applies");
    let n = 400;
    let soviet = count(&sc, "reached(USSR, crewed_lunar_landing)", n);
    assert!(soviet > n / 2);
    // One cosmonaut lands; in the first landing, as planned, it is Leonov (Makarov waits in the LOK).
    assert!(count(&sc, "credited(\"Alexei Leonov\", crewed_lunar_landing)", n) > soviet / 2);
    assert_eq!(count(&sc, "credited(\"Oleg Makarov\", crewed_lunar_landing)", n), 0);
    // Two of three Apollo crew land: never the command module pilot of Apollo 11.
    assert_eq!(count(&sc, "credited(\"Michael Collins\", crewed_lunar_landing)", n), 0);
}

#[test]
fn a_divergence_can_name_a_flight_and_its_crew() {
    let forced = diverge(
        "[divergence]\nid = \"x\"\nname = \"x\"\n[[intervention]]\ndo = \"force\"\nflight = \"Apollo 13\"\n\
         outcome = \"loss\"\n",
    )
    .expect("applies");
    let n = 300;
    let flown = count(&forced, "flown(\"Apollo 13\")", n);
    assert!(flown > n * 9 / 10);
    assert_eq!(count(&forced, "lost(\"Apollo 13\")", n), flown, "every Apollo 13 that flies is lost");
    let crewed = diverge(
        "[divergence]\nid = \"x\"\nname = \"x\"\n[[intervention]]\ndo = \"crew\"\nflight = \"N1-L3 landing 1\"\n\
         crew = [\"Valery Bykovsky\", \"Oleg Makarov\"]\n\
         [[intervention]]\ndo = \"force\"\nflight = \"N1-L3 landing 1\"\noutcome = \"success\"\n",
    )
    .expect("applies");
    let flew = count(&crewed, "flown(\"N1-L3 landing 1\")", n);
    assert!(flew > 0);
    assert_eq!(count(&crewed, "flown(\"N1-L3 landing 1\") and not flew(\"Valery Bykovsky\")", n), 0);
}

#[test]
fn bad_flight_and_crew_names_are_located_errors() {
    let cases = [
        ("flight = \"Apollo 31\"\ndo = \"force\"\noutcome = \"success\"", "no named flight `Apollo 31`"),
        (
            "do = \"crew\"\nflight = \"Apollo 13\"\ncrew = [\"Jim Lovell\", \"Nobody\"]",
            "`Nobody` is not in USA's roster",
        ),
        (
            "do = \"crew\"\nflight = \"Apollo 13\"\ncrew = [\"Jim Lovell\", \"John Glenn\"]",
            "John Glenn would fly on 1970-04-11, after leaving service",
        ),
        (
            "do = \"crew\"\nflight = \"MA-6\"\ncrew = [\"John Glenn\", \"Alan Shepard\"]",
            "a crew of 2 for a flight of program `mercury`",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (body, message)) in cases.iter().enumerate() {
        let text =
            format!("[divergence]\nid = \"bad\"\nname = \"bad\"\nbase = \"space-race\"\n[[intervention]]\n{body}\n");
        let path = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = run(&["check", path.to_str().unwrap()]);
        assert_clean_failure(body, &out, &[message, &format!("bad{i}.toml:")]);
    }
}

#[test]
fn scenario_people_and_flights_are_checked_at_load() {
    let base = std::fs::read_to_string(crate::support::repo("scenarios/tiny-race.toml")).unwrap();
    let with_flight = |roster: &str, flights: &str| {
        let named = format!("flights = [{flights}]\n[[program.step]]");
        base.replacen("crew = [\"Ada\", \"Boris\", \"Chen\"]", roster, 1).replacen("[[program.step]]", &named, 1)
    };
    let ada_late = "crew = [{ name = \"Ada\", from = 1961-01-01 }, \"Boris\", \"Chen\"]";
    let red_1 = "{ name = \"Red 1\", date = 1960-06-01, crew = [\"Ada\"] }";
    let cases = [
        (with_flight(ada_late, red_1), "Ada would fly Red 1 on 1960-06-01, before entering service"),
        (with_flight("crew = [\"Ada\", \"Boris\"]", &format!("{red_1}, {red_1}")), "flight `Red 1` is named twice"),
        (
            with_flight("crew = [\"Ada\", \"Boris\"]", "{ name = \"Red 2\", crew = [\"Ada\", \"Boris\"] }"),
            "a crew of 2 for a program whose largest crew is 1",
        ),
        (base.clone() + "\n[[past]]\nname = \"Red 0\"\nagency = \"RED\"\ndate = 1961-01-01\n", "not before the start"),
        (
            base.clone() + "\n[[past]]\nname = \"Red 0\"\nagency = \"RED\"\ndate = 1959-01-01\ncrew = [\"Zed\"]\n",
            "`Zed` is not in this agency's roster",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (text, message)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("sc{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = run(&["check", path.to_str().unwrap()]);
        assert_clean_failure(message, &out, &[message]);
    }
}

#[test]
fn credit_belongs_to_its_own_timeline_on_any_thread_count() {
    // A reused World must not remember who was credited in an earlier timeline.
    let sc = space_race();
    let cond = "credited(\"Alexei Leonov\", crewed_lunar_landing) and not reached(USSR, crewed_lunar_landing)";
    assert_eq!(count(&sc, cond, 2_000), 0);
    let w = "credited(\"Neil Armstrong\", crewed_lunar_landing)";
    let args = |t: &'static str| ["chronicle", "-n", "1500", "-q", "--count", "--where", w, "--threads", t];
    assert_eq!(run(&args("1")).1, run(&args("3")).1);
}

#[test]
fn names_are_lent_within_an_agency_and_rotations_respect_service() {
    let tiny = std::fs::read_to_string(crate::support::repo("scenarios/tiny-race.toml")).unwrap();
    // RED's and BLUE's manifests share the series "Flight": RED must never fly BLUE's flights.
    let red = "flights = [{ name = \"Flight 1\", crew = [\"Ada\"] }, { name = \"Flight 2\", crew = [\"Boris\"] }]\n[[program.step]]";
    let blue = "flights = [{ name = \"Flight 3\", crew = [\"Dora\"] }, { name = \"Flight 4\", crew = [\"Fay\"] }]\n[[program.step]]";
    let mut text = tiny.replacen("[[program.step]]", red, 1);
    let second = text.match_indices("[[program.step]]").nth(1).map(|(i, _)| i).unwrap();
    text.replace_range(second..second + "[[program.step]]".len(), blue);
    let sc = Scenario::from_toml("lent.toml", &text).expect("compiles");
    for t in 0..100 {
        let (entries, _) = chronicle::entries(&sc, 1, t).expect("within the limits");
        for e in entries.iter().filter(|e| e.agency.as_deref() == Some("RED")) {
            let f = e.flight.as_deref().unwrap_or("");
            assert!(f != "Flight 3" && f != "Flight 4", "timeline {t}: RED flies {f}");
            assert!(e.crew.iter().all(|c| ["Ada", "Boris", "Chen"].contains(&c.as_str())), "{:?}", e.crew);
        }
    }
}

#[test]
fn a_rotation_does_not_fly_someone_who_has_left() {
    let path = crate::support::repo("crates/starcity/tests/fixtures/rotation_after_leaving.toml");
    let (code, out, err) =
        run(&["chronicle", path.to_str().unwrap(), "-n", "200", "-q", "--count", "--where", "flew(\"Chen\")"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("at the end of 0 of 200"), "{out}");
}
