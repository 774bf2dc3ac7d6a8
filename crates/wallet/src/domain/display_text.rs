//! Text that one person types and another reads: a shop's name, an order's description, a
//! refund's reason, a transfer's memo. Such text must show what it says.
//!
//! Control characters are refused, and so are the characters that change how the rest is shown
//! without showing themselves: bidirectional controls (`U+202E` shows the characters after it right to
//! left, so a name can read as another), zero-width and other invisible characters (a
//! name of only `U+FEFF` looks empty, two names differing by a `U+200B` look the same), tag
//! characters, and the fillers some scripts use as blanks. What remains after trimming must not
//! be empty when the text is required.

/// Why a display text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DisplayTextError {
    /// Nothing visible is left once trimmed.
    #[error("empty")]
    Empty,
    /// More characters than the field takes.
    #[error("too long")]
    TooLong,
    /// A control, bidirectional-control or invisible character.
    #[error("hidden character")]
    HiddenCharacter,
}

/// Whether `c` is shown as nothing, or changes how other characters are shown, without being
/// seen itself. Emoji variation selectors (`U+FE0E`, `U+FE0F`) stay allowed: they pick a glyph's
/// style and hide nothing.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'                     // soft hyphen
            | '\u{034F}'                   // combining grapheme joiner
            | '\u{061C}'                   // Arabic letter mark
            | '\u{115F}' | '\u{1160}'      // Hangul fillers
            | '\u{17B4}' | '\u{17B5}'      // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}'      // Mongolian selectors and vowel separator
            | '\u{200B}'..='\u{200F}'      // zero-width space, (non-)joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}'      // line and paragraph separators, embeddings, overrides
            | '\u{2060}'..='\u{206F}'      // word joiner, invisible operators, isolates, deprecated format
            | '\u{3164}'                   // Hangul filler
            | '\u{FE00}'..='\u{FE0D}'      // variation selectors that are not the emoji ones
            | '\u{FEFF}'                   // zero-width no-break space, byte order mark
            | '\u{FFA0}'                   // half-width Hangul filler
            | '\u{FFF9}'..='\u{FFFB}'      // interlinear annotation
            | '\u{1D173}'..='\u{1D17A}'    // musical formatting
            | '\u{E0000}'..='\u{E007F}'    // tag characters
            | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
        )
}

/// Trims `input` and checks it as display text of at most `max_chars` characters; `required`
/// refuses what is empty after trimming.
pub fn display_text(
    input: &str,
    max_chars: usize,
    required: bool,
) -> Result<String, DisplayTextError> {
    // Before trimming: some hidden characters (U+0085, U+2028) count as white space.
    if input.chars().any(is_hidden) {
        return Err(DisplayTextError::HiddenCharacter);
    }
    let text = input.trim();
    if text.chars().count() > max_chars {
        return Err(DisplayTextError::TooLong);
    }
    if required && text.is_empty() {
        return Err(DisplayTextError::Empty);
    }
    Ok(text.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_in_any_script_and_emoji_pass() {
        for name in [
            "老王面馆",
            "Café Zoë",
            "سوق",
            "🍜 Noodles",
            "❤️ 小店",
            "  留白  ",
        ] {
            assert!(display_text(name, 50, true).is_ok(), "{name}");
        }
        assert_eq!(display_text("  留白  ", 50, true).unwrap(), "留白");
    }

    #[test]
    fn the_attack_characters_are_refused_wherever_they_stand() {
        let hidden = [
            '\u{202E}',
            '\u{202A}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{061C}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{FEFF}',
            '\u{2060}',
            '\u{00AD}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{3164}',
            '\u{0007}',
            '\u{0085}',
        ];
        for c in hidden {
            for text in [format!("{c}银行"), format!("银{c}行"), format!("银行{c}")] {
                assert_eq!(
                    display_text(&text, 50, false),
                    Err(DisplayTextError::HiddenCharacter),
                    "U+{:04X}",
                    u32::from(c)
                );
            }
        }
    }

    #[test]
    fn a_name_of_only_invisible_characters_is_refused() {
        assert_eq!(
            display_text("\u{feff}\u{feff}", 50, true),
            Err(DisplayTextError::HiddenCharacter)
        );
        assert_eq!(display_text("   ", 50, true), Err(DisplayTextError::Empty));
        assert_eq!(display_text("   ", 50, false).unwrap(), "");
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(display_text(&"钱".repeat(50), 50, true).is_ok());
        assert_eq!(
            display_text(&"钱".repeat(51), 50, true),
            Err(DisplayTextError::TooLong)
        );
    }
}
