//! A person's legal name as the ID card spells it: letters of any script with the separators
//! names use, and the masked form (`*三`) others see before paying the person.

use std::fmt;

/// A legal name: 1–50 characters of letters (any script), spaces, `·`, `•`, `-`, `.` or `'`,
/// trimmed, with at least one letter.
#[derive(Clone, PartialEq, Eq)]
pub struct LegalName(String);

impl LegalName {
    /// Reads a name; `None` when it is empty, too long, separators alone, or has anything that
    /// no name has (digits, symbols, emoji, control characters).
    pub fn parse(input: &str) -> Option<LegalName> {
        let name = input.trim();
        let count = name.chars().count();
        let allowed =
            |c: char| c.is_alphabetic() || matches!(c, ' ' | '·' | '•' | '-' | '.' | '\'');
        // A name is letters with separators between them, never separators alone ("-", "...").
        let ok = count > 0
            && count <= 50
            && name.chars().all(allowed)
            && name.chars().any(char::is_alphabetic);
        ok.then(|| LegalName(name.to_owned()))
    }

    /// The name in full: what is sealed at rest and compared with a card's holder.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What other holders see: `*` and the last character (`*三`).
    pub fn masked(&self) -> String {
        let last = self.0.chars().last().map(String::from).unwrap_or_default();
        format!("*{last}")
    }
}

impl fmt::Debug for LegalName {
    /// Masked, so a name never reaches a log line whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LegalName({})", self.masked())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn legal_names_of_any_script_pass_and_are_masked_to_their_last_character() {
        for (name, masked) in [
            ("张三", "*三"),
            ("欧阳娜娜", "*娜"),
            ("买买提·艾力", "*力"),
            ("  Anne-Marie O'Neil ", "*l"),
        ] {
            assert_eq!(LegalName::parse(name).unwrap().masked(), masked, "{name}");
        }
        assert_eq!(LegalName::parse(" 李四 ").unwrap().expose(), "李四");
        assert_eq!(
            format!("{:?}", LegalName::parse("李四").unwrap()),
            "LegalName(*四)"
        );
    }

    #[test]
    fn names_with_digits_symbols_emoji_or_control_characters_are_refused() {
        for bad in [
            "",
            "   ",
            "张三1",
            "张三😀",
            "'; DROP TABLE holders; --",
            "a\u{0}b",
            "张\n三",
            &"名".repeat(51),
            "-",
            "...",
            "' ·",
        ] {
            assert!(LegalName::parse(bad).is_none(), "{bad:?}");
        }
    }
}
