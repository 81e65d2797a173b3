//! Text that cannot attack a terminal.
//!
//! Names in a scenario are user text, and TOML escapes (`"\u001b[2J"`) let a file carry control
//! characters that a terminal would obey: clear the screen, retitle the window, hide text. Every
//! piece of text starcity prints goes through [`escape`] on its way out (see `output.rs` and the
//! error renderer in `main.rs`), so such characters are shown, not executed.

use std::borrow::Cow;

/// Whether `c` would be interpreted by a terminal: C0 controls other than newline and tab, DEL,
/// and the C1 controls U+0080–U+009F (some terminals obey them in UTF-8 mode).
fn is_dangerous(c: char) -> bool {
    // The bidirectional overrides and isolates would reverse the text printed around them.
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every dangerous character shown as `\u{1b}`; unchanged (borrowed) if it has none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_dangerous) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars().map(|c| if is_dangerous(c) { format!("\\u{{{:x}}}", c as u32) } else { c.into() }).collect(),
    )
}

/// JSON from serde escapes U+0000–U+001F already; this escapes what it leaves (DEL, C1, the
/// line and paragraph separators) as `\u007f`, which JSON reads back as the same character.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| is_dangerous(c) && c != '\r') {
        return Cow::Borrowed(json);
    }
    Cow::Owned(
        json.chars()
            .map(|c| if is_dangerous(c) && c != '\r' { format!("\\u{:04x}", c as u32) } else { c.into() })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_not_sent() {
        assert_eq!(escape("Gagarin\u{1b}[2J"), "Gagarin\\u{1b}[2J");
        assert_eq!(escape("a\u{9b}b\u{7f}"), "a\\u{9b}b\\u{7f}");
        assert!(matches!(escape("plain\ttext\nand more — Королёв"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_stays_json() {
        let v = serde_json::json!({ "name": "x\u{9b}y\u{7f}" });
        let s = serde_json::to_string(&v).unwrap();
        let escaped = escape_json(&s);
        assert!(!escaped.contains('\u{9b}'));
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, v);
    }
}
