//! Counts engine events per timeline of a scenario, by kind (a profiling aid).
use starcity_core::engine::{Event, Observer, run_timeline};
use starcity_core::world::World;

#[derive(Default)]
struct Count([u64; 11], std::collections::BTreeMap<(usize, bool), u64>);
impl Observer for Count {
    fn event(&mut self, _: &World, e: Event) {
        let k = match e {
            Event::ProgramStarted { .. } => 0,
            Event::Launch { program, test, .. } => {
                *self.1.entry((program, test)).or_default() += 1;
                1
            }
            Event::Landed { .. } => 2,
            Event::Milestone { .. } => 3,
            Event::RuleFired { .. } => 4,
            Event::EffectsApplied { .. } => 5,
            Event::StepDone { .. } => 6,
            Event::ProgramDone { .. } => 7,
            Event::ProgramCancelled { .. } => 8,
            Event::Era { .. } => 9,
        };
        self.0[k] += 1;
    }
}

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| starcity_core::builtin::DEFAULT_SCENARIO.into());
    let sc = starcity_core::builtin::scenario(&name).unwrap_or_else(|| {
        let text = std::fs::read_to_string(&name).expect("a built-in name or a readable scenario file");
        starcity_core::Scenario::from_toml(&name, &text).expect("scenario compiles")
    });
    let n = 1000;
    let mut c = Count::default();
    let mut w = World::default();
    let (mut most, mut work) = (0, 0);
    for i in 0..n {
        run_timeline(&sc, 1, i, &mut w, &mut c);
        most = most.max(w.events);
        work = work.max(w.work.get());
    }
    let limits = (starcity_core::limits::EVENTS.value, starcity_core::limits::WORK.value);
    println!("most engine events in one timeline: {most} (the budget is {})", limits.0);
    println!("most work in one timeline: {work} (the budget is {})", limits.1);
    let names = [
        "started",
        "launch",
        "landed",
        "milestone",
        "rule fired",
        "effects",
        "step done",
        "done",
        "cancelled",
        "era",
        "",
    ];
    for (k, v) in c.0.iter().enumerate().take(10) {
        println!("{:>12}: {:.1} per timeline", names[k], *v as f64 / n as f64);
    }
    for ((p, test), v) in &c.1 {
        println!(
            "{:>40} {}: {:.1} launches per timeline",
            sc.programs[*p].id,
            if *test { "test" } else { "    " },
            *v as f64 / n as f64
        );
    }
}
