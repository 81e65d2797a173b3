//! The condition language shared by rules, program `when`/`cancel`, step `requires` and
//! `chronicle --where`.
//!
//! Conditions are parsed and every name in them resolved when the scenario loads, so an unknown
//! milestone or agency is an error with its location, never a condition that is silently false.
//! The result is a small tree of indices that the engine evaluates without touching a string.

use std::ops::Range;

use crate::limits;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

impl Op {
    #[inline]
    pub fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            Op::Ge => lhs >= rhs,
            Op::Gt => lhs > rhs,
            Op::Le => lhs <= rhs,
            Op::Lt => lhs < rhs,
            Op::Eq => lhs == rhs,
            Op::Ne => lhs != rhs,
        }
    }
}

/// A resolved condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    True,
    False,
    Reached {
        agency: usize,
        milestone: usize,
    },
    First {
        milestone: usize,
        agency: usize,
    },
    Any {
        milestone: usize,
    },
    Started {
        program: usize,
    },
    Done {
        program: usize,
    },
    Cancelled {
        program: usize,
    },
    /// The simulated time (days from the scenario start) is at or past this day.
    After {
        day: f64,
    },
    CrewLost {
        agency: usize,
        op: Op,
        n: f64,
    },
    Flights {
        vehicle: usize,
        op: Op,
        n: f64,
    },
    Failures {
        vehicle: usize,
        op: Op,
        n: f64,
    },
    /// `lhs op rhs`, in days: false when a date in it was never reached.
    Compare {
        lhs: Expr,
        op: Op,
        rhs: Expr,
    },
    /// A named flight (`Program::flights[flight]`) was launched.
    Flown {
        program: usize,
        flight: u16,
    },
    /// A named flight failed and its crew was lost (an uncrewed one: it failed).
    FlightLost {
        program: usize,
        flight: u16,
    },
    /// A person (roster index of the agency) flew at least once.
    Flew {
        agency: usize,
        person: u16,
    },
    /// A person was killed on a flight (before the start included).
    Killed {
        agency: usize,
        person: u16,
    },
    /// A person was in the party that reached a milestone first for their agency.
    Credited {
        agency: usize,
        person: u16,
        milestone: usize,
    },
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

/// A sum of dated terms, in days from the scenario start.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// (added, term): `true` for `+`, `false` for `-`.
    pub terms: Vec<(bool, Term)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Term {
    /// The day an agency reached a milestone (never: the comparison is false).
    Date { milestone: usize, agency: usize },
    /// A number of days, or a date given as days from the start.
    Days(f64),
}

impl Expr {
    /// Whether a term is the date of a milestone (otherwise the expression is a constant).
    pub fn dated(&self) -> bool {
        self.terms.iter().any(|(_, t)| matches!(t, Term::Date { .. }))
    }

    /// Its value, given the day each (milestone, agency) was reached; `None` if one never was.
    pub fn value(&self, date: impl Fn(usize, usize) -> f64) -> Option<f64> {
        let mut total = 0.0;
        for &(add, term) in &self.terms {
            let v = match term {
                Term::Date { milestone, agency } => date(milestone, agency),
                Term::Days(d) => d,
            };
            if !v.is_finite() {
                return None;
            }
            total += if add { v } else { -v };
        }
        // Finite terms can still sum past f64::MAX: no infinity may make a comparison hold.
        total.is_finite().then_some(total)
    }
}

/// Kinds of world state a condition can read (bit flags): the engine re-evaluates a condition
/// only when state of a kind it reads has changed.
pub mod reads {
    pub const MILESTONES: u8 = 1;
    pub const CREW: u8 = 2;
    pub const PROGRAMS: u8 = 4;
    pub const VEHICLES: u8 = 8;
    pub const TIME: u8 = 16;
    /// Named flights flown and people who flew.
    pub const FLIGHTS: u8 = 32;
    pub const ALL: u8 = 63;
}

impl Cond {
    /// What kinds of state this condition reads (see [`reads`]).
    pub fn reads(&self) -> u8 {
        match self {
            // Constant: it only needs the evaluation at the start, where everything counts as changed.
            Cond::True | Cond::False => reads::TIME,
            Cond::Reached { .. } | Cond::First { .. } | Cond::Any { .. } => reads::MILESTONES,
            Cond::Started { .. } | Cond::Done { .. } | Cond::Cancelled { .. } => reads::PROGRAMS,
            Cond::After { .. } => reads::TIME,
            Cond::CrewLost { .. } => reads::CREW,
            Cond::Flights { .. } | Cond::Failures { .. } => reads::VEHICLES,
            // A comparison of constants (`1 < 2`) reads nothing but is evaluated like `true`.
            Cond::Compare { lhs, rhs, .. } if !lhs.dated() && !rhs.dated() => reads::TIME,
            Cond::Compare { .. } | Cond::Credited { .. } => reads::MILESTONES,
            Cond::Flown { .. } | Cond::FlightLost { .. } | Cond::Flew { .. } => reads::FLIGHTS,
            Cond::Killed { .. } => reads::CREW,
            Cond::Not(c) => c.reads(),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().fold(0, |m, c| m | c.reads()),
        }
    }

    /// Whether the condition reads flight counts (launches then matter to it).
    pub fn counts_flights(&self) -> bool {
        match self {
            Cond::Flights { .. } => true,
            Cond::Not(c) => c.counts_flights(),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().any(|c| c.counts_flights()),
            _ => false,
        }
    }

    /// Every vehicle whose record (flights, failures) the condition reads.
    pub fn vehicles(&self, out: &mut Vec<usize>) {
        match self {
            Cond::Flights { vehicle, .. } | Cond::Failures { vehicle, .. } => out.push(*vehicle),
            Cond::Not(c) => c.vehicles(out),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.vehicles(out)),
            _ => {}
        }
    }

    /// Every day at which an `after(..)` atom in this condition flips, so the engine can wake up
    /// then (a date alone changes nothing else in the world).
    pub fn days(&self, out: &mut Vec<f64>) {
        match self {
            Cond::After { day } => out.push(*day),
            Cond::Not(c) => c.days(out),
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.days(out)),
            _ => {}
        }
    }
}

/// The names a condition may refer to; implemented by the scenario compiler.
pub trait Names {
    fn agency(&self, name: &str) -> Result<usize, String>;
    fn milestone(&self, name: &str) -> Result<usize, String>;
    fn program(&self, name: &str) -> Result<usize, String>;
    fn vehicle(&self, name: &str) -> Result<usize, String>;
    /// Days from the scenario start of a `YYYY-MM-DD` date.
    fn day(&self, date: &str) -> Result<f64, String>;
    /// A named flight: (program, index in its manifest).
    fn flight(&self, name: &str) -> Result<(usize, u16), String>;
    /// A person: (agency, roster index).
    fn person(&self, name: &str) -> Result<(usize, u16), String>;
}

/// A parse or resolution error at a byte range of the condition text.
#[derive(Debug, Clone, PartialEq)]
pub struct CondError {
    pub at: Range<usize>,
    pub message: String,
}

/// Parses and resolves a condition. Conditions are bounded (`limits::CONDITION_BYTES`,
/// `limits::CONDITION_DEPTH`), so parsing, evaluating and dropping one never recurses deeply.
pub fn parse(text: &str, names: &dyn Names) -> Result<Cond, CondError> {
    if text.len() > limits::CONDITION_BYTES.usize() {
        return Err(CondError {
            at: 0..0,
            message: format!("the condition is {} bytes long; {}", text.len(), limits::CONDITION_BYTES.describe()),
        });
    }
    let tokens = lex(text)?;
    let mut p = Parser { tokens, pos: 0, names, len: text.len(), depth: 0 };
    let cond = p.or()?;
    if let Some(t) = p.peek() {
        return Err(CondError {
            at: t.at.clone(),
            message: format!("unexpected `{}` after a complete condition; expected `and`, `or` or the end", t.text),
        });
    }
    Ok(cond)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word,
    Number(f64),
    LParen,
    RParen,
    Comma,
    Op(Op),
    Plus,
    /// A quoted name ("Apollo 13", "Alexei Leonov").
    Str,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    text: String,
    at: Range<usize>,
}

fn lex(text: &str) -> Result<Vec<Token>, CondError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let single = |tok: Tok| Token { tok, text: (c as char).to_string(), at: start..start + 1 };
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push(single(Tok::LParen));
                i += 1
            }
            b')' => {
                out.push(single(Tok::RParen));
                i += 1
            }
            b',' => {
                out.push(single(Tok::Comma));
                i += 1
            }
            b'+' => {
                out.push(single(Tok::Plus));
                i += 1
            }
            b'"' => {
                let end = text[i + 1..].find('"').map(|k| i + 1 + k).ok_or(CondError {
                    at: start..text.len(),
                    message: "a quoted name without its closing `\"`".into(),
                })?;
                out.push(Token { tok: Tok::Str, text: text[i + 1..end].into(), at: start..end + 1 });
                i = end + 1;
            }
            b'>' | b'<' | b'=' | b'!' => {
                let two = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, two) {
                    (b'>', true) => Op::Ge,
                    (b'>', false) => Op::Gt,
                    (b'<', true) => Op::Le,
                    (b'<', false) => Op::Lt,
                    (b'=', true) => Op::Eq,
                    (b'!', true) => Op::Ne,
                    _ => {
                        return Err(CondError {
                            at: start..start + 1,
                            message: "expected a comparison `>=`, `>`, `<=`, `<`, `==` or `!=`".into(),
                        });
                    }
                };
                let len = if two { 2 } else { 1 };
                out.push(Token { tok: Tok::Op(op), text: text[start..start + len].into(), at: start..start + len });
                i += len;
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' => {
                while i < bytes.len() && {
                    let d = bytes[i];
                    d.is_ascii_alphanumeric() || d == b'_' || d == b'-' || d == b'.'
                } {
                    i += 1;
                }
                let word = &text[start..i];
                let tok = number(word, start..i)?.map_or(Tok::Word, Tok::Number);
                out.push(Token { tok, text: word.into(), at: start..i });
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                return Err(CondError {
                    at: start..start + ch.len_utf8(),
                    message: format!("unexpected character `{ch}` in a condition"),
                });
            }
        }
    }
    Ok(out)
}

/// A number token: starts with a digit, `-` or `.`, and is finite. `nan`, `inf` and `1e999`
/// would make a comparison that never (or always) holds, silently; they are errors.
fn number(word: &str, at: Range<usize>) -> Result<Option<f64>, CondError> {
    let numeric_start = word.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || (word.starts_with('-') && word[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.'));
    if !numeric_start || (word.contains('-') && !word.starts_with('-')) {
        return Ok(None);
    }
    match word.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        Ok(_) => Err(CondError { at, message: format!("`{word}` is too large a number; expected a finite number") }),
        // A date such as 1969-07-20 or an id that starts with a digit: a word.
        Err(_) => Ok(None),
    }
}

/// `1969-07-20`-shaped.
fn looks_like_date(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && w.chars().filter(|c| c.is_ascii_digit()).count() == 8
}

/// Resolves one name of a kind to its index.
type Resolver = dyn Fn(&dyn Names, &str) -> Result<usize, String>;

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    names: &'a dyn Names,
    len: usize,
    /// Current nesting of `not` and parentheses (at most `limits::CONDITION_DEPTH`).
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self, expected: &str) -> Result<Token, CondError> {
        match self.tokens.get(self.pos) {
            Some(t) => {
                self.pos += 1;
                Ok(t.clone())
            }
            None => Err(CondError {
                at: self.len..self.len,
                message: format!("the condition ends early; expected {expected}"),
            }),
        }
    }

    fn expect(&mut self, tok: Tok, expected: &str) -> Result<Token, CondError> {
        let t = self.next(expected)?;
        if std::mem::discriminant(&t.tok) == std::mem::discriminant(&tok) {
            Ok(t)
        } else if t.tok == Tok::Str {
            let message = format!("found the quoted name \"{}\", expected {expected} (ids are not quoted)", t.text);
            Err(CondError { at: t.at, message })
        } else {
            Err(CondError { at: t.at, message: format!("found `{}`, expected {expected}", t.text) })
        }
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(t) if t.tok == Tok::Word && t.text == w)
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        let mut parts = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap_or(Cond::False) } else { Cond::Or(parts) })
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        let mut parts = vec![self.unary()?];
        while self.is_word("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap_or(Cond::True) } else { Cond::And(parts) })
    }

    fn unary(&mut self) -> Result<Cond, CondError> {
        let nests = self.is_word("not") || matches!(self.peek(), Some(t) if t.tok == Tok::LParen);
        if !nests {
            return self.atom();
        }
        self.depth += 1;
        if self.depth > limits::CONDITION_DEPTH.usize() {
            let at = self.peek().map_or(self.len..self.len, |t| t.at.clone());
            return Err(CondError {
                at,
                message: format!("the condition nests too deeply; {}", limits::CONDITION_DEPTH.describe()),
            });
        }
        let c = if self.is_word("not") {
            self.pos += 1;
            Cond::Not(Box::new(self.unary()?))
        } else {
            self.pos += 1;
            let c = self.or()?;
            self.expect(Tok::RParen, "`)`")?;
            c
        };
        self.depth -= 1;
        Ok(c)
    }

    /// One argument: a name, resolved with `f`, with the error pointing at the name.
    fn arg(&mut self, what: &str, f: impl Fn(&dyn Names, &str) -> Result<usize, String>) -> Result<usize, CondError> {
        let t = self.expect(Tok::Word, what)?;
        f(self.names, &t.text).map_err(|message| CondError { at: t.at, message })
    }

    fn comparison(&mut self) -> Result<(Op, f64), CondError> {
        let op = match self.next("a comparison such as `>= 1`")? {
            Token { tok: Tok::Op(op), .. } => op,
            t => {
                return Err(CondError {
                    at: t.at,
                    message: format!("found `{}`, expected a comparison such as `>= 1`", t.text),
                });
            }
        };
        match self.next("a number")? {
            Token { tok: Tok::Number(n), .. } => Ok((op, n)),
            t => Err(CondError { at: t.at, message: format!("found `{}`, expected a number", t.text) }),
        }
    }

    /// Whether a comparison of dates starts here: `date(..)`, a number or a date.
    fn starts_expr(&self) -> bool {
        match self.peek() {
            Some(Token { tok: Tok::Number(_), .. }) => true,
            Some(Token { tok: Tok::Word, text, .. }) => {
                let call = matches!(self.tokens.get(self.pos + 1), Some(t) if t.tok == Tok::LParen);
                (text == "date" && call) || looks_like_date(text)
            }
            _ => false,
        }
    }

    /// `EXPR OP EXPR`, e.g. `date(crewed_lunar_landing, USA) - date(crewed_lunar_landing, USSR) <= 90`.
    fn compare(&mut self) -> Result<Cond, CondError> {
        let lhs = self.expr()?;
        let op = match self.next("a comparison such as `<`")? {
            Token { tok: Tok::Op(op), .. } => op,
            t => {
                return Err(CondError {
                    at: t.at,
                    message: format!("found `{}`, expected a comparison such as `<`", t.text),
                });
            }
        };
        let rhs = self.expr()?;
        Ok(Cond::Compare { lhs, op, rhs })
    }

    fn expr(&mut self) -> Result<Expr, CondError> {
        let mut terms = vec![(true, self.term()?)];
        loop {
            let add = match self.peek() {
                Some(t) if t.tok == Tok::Plus => true,
                Some(t) if t.tok == Tok::Word && t.text == "-" => false,
                _ => return Ok(Expr { terms }),
            };
            self.pos += 1;
            terms.push((add, self.term()?));
        }
    }

    fn term(&mut self) -> Result<Term, CondError> {
        let expected = "`date(milestone, agency)`, a date (YYYY-MM-DD) or a number of days";
        let t = self.next(expected)?;
        match t.tok {
            Tok::Number(n) => Ok(Term::Days(n)),
            Tok::Word if t.text == "date" => {
                self.expect(Tok::LParen, "`(` after `date`")?;
                let milestone = self.arg("a milestone id", |n: &dyn Names, s: &str| n.milestone(s))?;
                self.expect(Tok::Comma, "`,`")?;
                let agency = self.arg("an agency id", |n: &dyn Names, s: &str| n.agency(s))?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(Term::Date { milestone, agency })
            }
            Tok::Word if looks_like_date(&t.text) => {
                let day = self.names.day(&t.text).map_err(|message| CondError { at: t.at, message })?;
                Ok(Term::Days(day))
            }
            _ => Err(CondError { at: t.at, message: format!("found `{}`, expected {expected}", t.text) }),
        }
    }

    /// A quoted name resolved with `f`.
    fn quoted<T>(&mut self, what: &str, f: impl Fn(&dyn Names, &str) -> Result<T, String>) -> Result<T, CondError> {
        let t = self.expect(Tok::Str, what)?;
        f(self.names, &t.text).map_err(|message| CondError { at: t.at, message })
    }

    fn atom(&mut self) -> Result<Cond, CondError> {
        if self.starts_expr() {
            return self.compare();
        }
        let head = self.expect(Tok::Word, "a condition such as `reached(USA, crewed_orbit)`")?;
        let simple = match head.text.as_str() {
            "true" => Some(Cond::True),
            "false" => Some(Cond::False),
            _ => None,
        };
        if let Some(c) = simple {
            return Ok(c);
        }
        self.expect(Tok::LParen, &format!("`(` after `{}`", head.text))?;
        let agency = |n: &dyn Names, s: &str| n.agency(s);
        let milestone = |n: &dyn Names, s: &str| n.milestone(s);
        let program = |n: &dyn Names, s: &str| n.program(s);
        let vehicle = |n: &dyn Names, s: &str| n.vehicle(s);
        let cond = match head.text.as_str() {
            "reached" => {
                let a = self.arg("an agency id", agency)?;
                self.expect(Tok::Comma, "`,`")?;
                let m = self.arg("a milestone id", milestone)?;
                Cond::Reached { agency: a, milestone: m }
            }
            "first" => {
                let m = self.arg("a milestone id", milestone)?;
                self.expect(Tok::Comma, "`,`")?;
                let a = self.arg("an agency id", agency)?;
                Cond::First { milestone: m, agency: a }
            }
            "any" => Cond::Any { milestone: self.arg("a milestone id", milestone)? },
            "started" => Cond::Started { program: self.arg("a program id", program)? },
            "done" => Cond::Done { program: self.arg("a program id", program)? },
            "cancelled" => Cond::Cancelled { program: self.arg("a program id", program)? },
            "flown" | "lost" => {
                let (program, flight) = self.quoted("a flight name in quotes, e.g. \"Soyuz 1\"", |n, s| n.flight(s))?;
                if head.text == "flown" {
                    Cond::Flown { program, flight }
                } else {
                    Cond::FlightLost { program, flight }
                }
            }
            "flew" | "killed" => {
                let (agency, person) = self.quoted("a name in quotes, e.g. \"Alexei Leonov\"", |n, s| n.person(s))?;
                if head.text == "flew" { Cond::Flew { agency, person } } else { Cond::Killed { agency, person } }
            }
            "credited" => {
                let (agency, person) = self.quoted("a name in quotes, e.g. \"Alexei Leonov\"", |n, s| n.person(s))?;
                self.expect(Tok::Comma, "`,`")?;
                let milestone = self.arg("a milestone id", milestone)?;
                Cond::Credited { agency, person, milestone }
            }
            "after" => {
                let t = self.expect(Tok::Word, "a date YYYY-MM-DD")?;
                let day = self.names.day(&t.text).map_err(|message| CondError { at: t.at, message })?;
                Cond::After { day }
            }
            "crew_lost" | "flights" | "failures" => {
                let (what, f): (&str, &Resolver) =
                    if head.text == "crew_lost" { ("an agency id", &agency) } else { ("a vehicle id", &vehicle) };
                let idx = self.arg(what, f)?;
                self.expect(Tok::RParen, "`)`")?;
                let (op, n) = self.comparison()?;
                return Ok(match head.text.as_str() {
                    "crew_lost" => Cond::CrewLost { agency: idx, op, n },
                    "flights" => Cond::Flights { vehicle: idx, op, n },
                    _ => Cond::Failures { vehicle: idx, op, n },
                });
            }
            other => {
                return Err(CondError {
                    at: head.at,
                    message: format!(
                        "unknown condition `{other}`; expected one of reached, first, any, started, done, cancelled, after, crew_lost, flights, failures, flown, lost, flew, killed, credited, date(..) comparisons, true, false"
                    ),
                });
            }
        };
        self.expect(Tok::RParen, "`)`")?;
        Ok(cond)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct N;
    impl Names for N {
        fn agency(&self, s: &str) -> Result<usize, String> {
            ["USA", "USSR"].iter().position(|x| *x == s).ok_or(format!("unknown agency `{s}`"))
        }
        fn milestone(&self, s: &str) -> Result<usize, String> {
            ["orbit", "landing"].iter().position(|x| *x == s).ok_or(format!("unknown milestone `{s}`"))
        }
        fn program(&self, s: &str) -> Result<usize, String> {
            ["apollo"].iter().position(|x| *x == s).ok_or(format!("unknown program `{s}`"))
        }
        fn vehicle(&self, s: &str) -> Result<usize, String> {
            ["N1"].iter().position(|x| *x == s).ok_or(format!("unknown vehicle `{s}`"))
        }
        fn day(&self, s: &str) -> Result<f64, String> {
            if s == "1970-01-01" { Ok(100.0) } else { Err(format!("bad date `{s}`")) }
        }
        fn flight(&self, s: &str) -> Result<(usize, u16), String> {
            if s == "Apollo 13" { Ok((0, 6)) } else { Err(format!("unknown flight `{s}`")) }
        }
        fn person(&self, s: &str) -> Result<(usize, u16), String> {
            if s == "Alexei Leonov" { Ok((1, 7)) } else { Err(format!("unknown person `{s}`")) }
        }
    }

    #[test]
    fn dated_comparisons_and_named_atoms_parse() {
        let c =
            parse("date(landing, USA) - date(landing, USSR) <= 90 and date(landing, USSR) < 1970-01-01", &N).unwrap();
        let d = |m, a| Term::Date { milestone: m, agency: a };
        assert_eq!(
            c,
            Cond::And(vec![
                Cond::Compare {
                    lhs: Expr { terms: vec![(true, d(1, 0)), (false, d(1, 1))] },
                    op: Op::Le,
                    rhs: Expr { terms: vec![(true, Term::Days(90.0))] }
                },
                Cond::Compare {
                    lhs: Expr { terms: vec![(true, d(1, 1))] },
                    op: Op::Lt,
                    rhs: Expr { terms: vec![(true, Term::Days(100.0))] }
                },
            ])
        );
        assert_eq!(parse("flown(\"Apollo 13\")", &N).unwrap(), Cond::Flown { program: 0, flight: 6 });
        assert_eq!(
            parse("credited(\"Alexei Leonov\", landing)", &N).unwrap(),
            Cond::Credited { agency: 1, person: 7, milestone: 1 }
        );
        assert_eq!(parse("flown(\"Apollo 31\")", &N).unwrap_err().at, 6..17);
        assert!(parse("flown(\"Apollo 13)", &N).unwrap_err().message.contains("closing"));
        assert!(parse("date(landing, USA) <", &N).is_err());
        let e = Expr { terms: vec![(true, Term::Date { milestone: 0, agency: 0 }), (false, Term::Days(3.0))] };
        assert_eq!(e.value(|_, _| 10.0), Some(7.0));
        assert_eq!(e.value(|_, _| f64::INFINITY), None);
    }

    #[test]
    fn parses_precedence_and_atoms() {
        let c = parse("first(landing, USSR) and not crew_lost(USSR) > 0 or done(apollo)", &N).unwrap();
        assert_eq!(
            c,
            Cond::Or(vec![
                Cond::And(vec![
                    Cond::First { milestone: 1, agency: 1 },
                    Cond::Not(Box::new(Cond::CrewLost { agency: 1, op: Op::Gt, n: 0.0 })),
                ]),
                Cond::Done { program: 0 },
            ])
        );
        assert_eq!(
            parse("failures(N1) >= 4 and after(1970-01-01)", &N).unwrap(),
            Cond::And(vec![Cond::Failures { vehicle: 0, op: Op::Ge, n: 4.0 }, Cond::After { day: 100.0 }])
        );
    }

    #[test]
    fn unknown_names_point_at_the_name() {
        let e = parse("reached(USA, lnding)", &N).unwrap_err();
        assert_eq!(e.at, 13..19);
        assert!(e.message.contains("unknown milestone"));
        let e = parse("reachd(USA, orbit)", &N).unwrap_err();
        assert_eq!(e.at, 0..6);
    }

    #[test]
    fn syntax_errors_are_located() {
        assert_eq!(parse("reached(USA orbit)", &N).unwrap_err().at, 12..17);
        assert_eq!(parse("(true", &N).unwrap_err().at, 5..5);
        assert_eq!(parse("true true", &N).unwrap_err().at, 5..9);
        assert!(parse("crew_lost(USA) => 1", &N).is_err());
        assert!(parse("", &N).is_err());
        assert!(parse("done(apollo) $", &N).is_err());
    }

    #[test]
    fn nesting_and_length_are_bounded() {
        let deep = format!("{}true", "not ".repeat(1_000));
        assert!(parse(&deep, &N).unwrap_err().message.contains("condition-depth"));
        let parens = format!("{}true{}", "(".repeat(2_000), ")".repeat(2_000));
        assert!(parse(&parens, &N).unwrap_err().message.contains("condition-depth"));
        let ok = format!("{}true{}", "(".repeat(31), ")".repeat(31));
        assert_eq!(parse(&ok, &N).unwrap(), Cond::True);
        let long = vec!["true"; 2_000].join(" and ");
        assert!(parse(&long, &N).unwrap_err().message.contains("condition-bytes"));
    }

    #[test]
    fn thresholds_must_be_finite_numbers() {
        assert!(parse("crew_lost(USA) > nan", &N).unwrap_err().message.contains("expected a number"));
        assert!(parse("crew_lost(USA) > inf", &N).unwrap_err().message.contains("expected a number"));
        let e = parse("crew_lost(USA) > 1e999", &N).unwrap_err();
        assert!(e.message.contains("finite"), "{}", e.message);
        assert_eq!(e.at, 17..22);
        assert!(parse("crew_lost(USA) >= -1.5e2", &N).is_ok());
    }
}
